"""Peer for a search: a bare Whoosh process opening the same index and running one query.

Usage: INDEX_DIR WORD  (the floor a copro search process is compared with)
"""

import json
import sys

from whoosh import index, qparser

ix = index.open_dir(sys.argv[1])
with ix.searcher() as searcher:
    parser = qparser.MultifieldParser(["title", "asked", "findings", "actions", "body"], ix.schema)
    results = searcher.search(parser.parse(sys.argv[2]), limit=20)
    print(json.dumps([hit["id"] for hit in results]))
