"""Peer for the full build: a bare single-writer Whoosh build of the same documents.

Reads every record, parses front-matter with PyYAML's C loader, and indexes the
same fields with the same schema as copro, in one writer. Usage: ARCHIVE INDEX_DIR
"""

import shutil
import sys
from pathlib import Path

import yaml
from whoosh import index

from copro.store.index_whoosh import _schema

archive, target = Path(sys.argv[1]), Path(sys.argv[2])
shutil.rmtree(target, ignore_errors=True)
target.mkdir(parents=True)
ix = index.create_in(str(target), _schema())
writer = ix.writer(limitmb=128)
for path in sorted((archive / "archive").rglob("*.md")):
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.load(front, Loader=yaml.CSafeLoader)
    findings = meta.get("you_said") or []
    writer.add_document(
        path=str(path),
        id=meta["id"],
        title=meta["title"],
        date=str(meta["date"]),
        asked="\n".join(meta.get("asked") or []),
        findings="\n".join(f["text"] for f in findings),
        actions="\n".join(a["text"] for a in meta.get("we_did") or []),
        body=body,
        topics=",".join(meta["topics"]),
        populations=",".join(meta["populations"]),
        places=",".join(meta["places"]),
        methods=",".join(meta["methods"]),
        ladder=meta["ladder"],
        status=meta["status"],
        orgs=",".join(o["name"] for o in meta["organisations"]),
        sectors=",".join(o["sector"] for o in meta["organisations"]),
    )
writer.commit()
