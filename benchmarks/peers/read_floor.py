"""Floor for validate: read every record and parse its front-matter with PyYAML's C loader."""

import sys
from pathlib import Path

import yaml

count = 0
for path in sorted(Path(sys.argv[1], "archive").rglob("*.md")):
    text = path.read_text(encoding="utf-8")
    _, front, _body = text.split("---\n", 2)
    yaml.load(front, Loader=yaml.CSafeLoader)
    count += 1
print(count)
