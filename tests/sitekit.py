"""The archive the site tests build: the sample archive plus hostile and private records.

Shared by the file-level site tests and the browser tests, which build it once
per session (``built_site`` in conftest.py).
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

XSS_ID = "2025-09-xss-corpus"
PRIVATE_ID = "2025-08-private-group"
HIDDEN_ROUTE = "Quiet Route Nobody Agreed To"
PRIVATE_FINDING = "The bus to the clinic stops running before the evening sessions end."
BODY_QUOTE = "Words said in the room that were never cleared as quotations."

XSS_RECORD = f"""---
id: {XSS_ID}
title: "<script>alert('title')</script> \\"><img src=x onerror=alert(1)> Tricky title"
status: completed
date: 2025-09-01
organisations:
- name: "Trust <b onmouseover=alert(7)>bold</b>"
  sector: nhs
  role: lead
places: [camden]
methods: [workshop]
ladder: consultation
populations: [carers]
topics: [parenting]
asked:
- "<svg onload=alert(2)>"
you_said:
- id: S1
  text: "<img src=x onerror=alert(3)> & </p><script>alert(4)</script> corpusword"
- id: S2
  text: "javascript:alert(5)"
we_did:
- id: D1
  responds_to: [S1]
  status: not-doing
  text: "<iframe src=javascript:alert(6)></iframe>"
  reason: "<a href=javascript:alert(16)>why</a>"
decisions:
- text: "{{{{ 7*7 }}}} <style>body{{display:none}}</style>"
  made_by: joint
links:
- title: "<script>alert(8)</script>"
  url: "https://example.org/?q=\\"><script>alert(9)</script>"
contributors:
- role: "<script>alert(17)</script>"
  credit: named
  name: "<img src=x onerror=alert(18)>"
consent:
  quotes: true
  recontact: true
  recontact_via: "<script>alert(19)</script> team"
---

<script>alert(10)</script>

[click](javascript:alert(11))

<img src=x onerror=alert(12)>

[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMyk8L3NjcmlwdD4=)

<a href="javascript:alert(14)">raw link</a>

![img](javascript:alert(15))
"""

PRIVATE_RECORD = f"""---
id: {PRIVATE_ID}
title: Evening clinic access with a group that gave no consent to quotes
status: completed
date: 2025-08-01
organisations:
- name: Test Community Trust
  sector: nhs
  role: lead
places: [camden]
methods: [workshop]
ladder: consultation
populations: [carers]
topics: [gp-access]
you_said:
- id: S1
  text: {PRIVATE_FINDING}
contributors:
- role: participant
  credit: anonymous
- role: participant
  credit: anonymous
consent:
  quotes: false
  recontact: false
  recontact_via: {HIDDEN_ROUTE}
---

## Summary

> {BODY_QUOTE}
"""

REVISIT_ID = "2025-10-somali-mothers-check-again"
REVISIT_RECORD = f"""---
id: {REVISIT_ID}
title: Checking again with Somali mothers
aim: To find out whether what mothers told us in 2019 still holds.
status: completed
date: 2025-10-04
organisations:
- name: Hiddo Women's Association
  sector: voluntary
  role: lead
places: [islington]
methods: [focus-group]
ladder: consultation
populations: [somali-women, mothers]
topics: [parenting, stigma]
you_said:
- id: S1
  text: Mothers still fear that asking for help brings social services to the door.
  revisits:
  - finding: 2019-03-somali-mothers-parenting#S3
    outcome: still-holds
- id: S2
  text: There is now a Somali-language parenting group, but it is full.
  revisits:
  - finding: 2019-03-somali-mothers-parenting#S1
    outcome: changed
    note: The group exists; places are the problem now.
feedback_given:
- date: 2025-11-20
  channel: community meeting at the association
consent:
  quotes: false
  recontact: false
---
"""


DRAFT_ID = "2022-12-draft-never-published"
"""A draft statement in the site archive: it must appear on no page."""


def make_site_archive(root: Path, sample: Path) -> Path:
    """Copy the sample archive to ``root`` and add the XSS corpus and the private record."""
    shutil.copytree(sample / "archive", root / "archive")
    shutil.copytree(sample / "schemas" / "vocab", root / "schemas" / "vocab")
    shutil.copytree(sample / "consensus", root / "consensus")
    draft = (root / "consensus" / "2022-11-women-interpreters-plain-letters.md").read_text()
    draft = draft.replace("2022-11-women-interpreters-plain-letters", DRAFT_ID)
    draft = draft.replace("status: agreed", "status: draft").replace(
        "title: Women interpreters", "title: Unpublished draft on interpreters"
    )
    (root / "consensus" / f"{DRAFT_ID}.md").write_text(draft, encoding="utf-8")
    extra = ((XSS_ID, XSS_RECORD), (PRIVATE_ID, PRIVATE_RECORD), (REVISIT_ID, REVISIT_RECORD))
    for record_id, text in extra:
        path = root / "archive" / record_id[:4] / f"{record_id}.md"
        path.write_text(text, encoding="utf-8")
    return root


def shard_urls(site: Path) -> list[list[str]]:
    """The record addresses each shard of the search index holds, the first shard first."""
    index = site / "pagefind"
    merged = json.loads((index / "shards.json").read_text(encoding="utf-8"))["merge"]
    out = []
    for folder in [index, *(index / path for path in merged)]:
        urls = []
        for fragment in (folder / "fragment").iterdir():
            data = gzip.decompress(fragment.read_bytes())
            urls.append(json.loads(data[data.index(b"{") :])["url"])
        out.append(urls)
    return out
