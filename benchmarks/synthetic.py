"""A deterministic generator of N contract-conformant synthetic records.

Used by the benchmarks and by tests that need a larger archive. Same N, same
seed, same files: timings are comparable across runs and machines.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
VOCAB = REPO / "schemas" / "vocab"

WORDS = (
    "people told us waiting lists are long and letters arrive late; staff listened and "
    "changed the referral form; carers asked for evening sessions; interpreters were "
    "booked; peer support groups met weekly in the community centre; young people wanted "
    "drop-in times after school; the budget was agreed with the board; housing advice "
    "and benefits checks were offered at every session"
).split()
SECTORS = ["nhs", "local-authority", "voluntary", "community", "academic", "commissioner", "other"]
LADDER = ["informing", "consultation", "engagement", "co-design", "educating"]
STATUSES = ["planned", "active", "completed", "withdrawn"]


def _ids(name: str) -> list[str]:
    return [t["id"] for t in yaml.safe_load((VOCAB / f"{name}.yml").read_text())["terms"]]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def generate(root: Path, n: int, seed: int = 7) -> list[Path]:
    """Write ``n`` valid records (and the vocabularies) under ``root``; returns the paths."""
    rng = random.Random(seed)
    vocab = {name: _ids(name) for name in ("topics", "populations", "places", "methods")}
    (root / "schemas").mkdir(parents=True, exist_ok=True)
    if not (root / "schemas" / "vocab").exists():
        shutil.copytree(VOCAB, root / "schemas" / "vocab")
    paths = []
    revisit_rng = random.Random(seed + 1)  # its own stream: the other fields stay as they were
    written: list[tuple[str, int]] = []  # (id, number of findings) of every record so far
    for i in range(n):
        year = 2018 + i % 9
        month = 1 + (i // 9) % 12
        record_id = f"{year}-{month:02d}-synthetic-engagement-{i:06d}"
        findings = [
            {"id": f"S{k}", "text": _sentence(rng, 14)} for k in range(1, rng.randint(2, 5))
        ]
        actions = [
            {
                "id": "D1",
                "responds_to": ["S1"],
                "status": "done",
                "date": f"{year}-12-01",
                "text": _sentence(rng, 10),
            }
        ]
        meta = {
            "id": record_id,
            "title": _sentence(rng, 6)[:-1],
            "status": STATUSES[i % 4],
            "date": f"{year}-{month:02d}-{1 + i % 28:02d}",
            "organisations": [
                {
                    "name": f"Synthetic Organisation {i % 97}",
                    "sector": SECTORS[i % 7],
                    "role": "lead",
                }
            ],
            "places": rng.sample(vocab["places"], 2),
            "methods": rng.sample(vocab["methods"], 1),
            "ladder": LADDER[i % len(LADDER)],
            "populations": rng.sample(vocab["populations"], 2),
            "participants": rng.randint(3, 200),
            "topics": rng.sample(vocab["topics"], 2),
            "asked": [_sentence(rng, 9)],
            "you_said": findings,
            "we_did": actions,
            "consent": {"quotes": bool(i % 2), "recontact": False},
        }
        _revisit_earlier(meta, i, written, revisit_rng)
        if meta["status"] == "completed" and i % 5 == 0:
            meta["feedback_given"] = [{"date": f"{year}-12-15", "channel": "community meeting"}]
        written.append((record_id, len(findings)))
        body = "\n\n".join(
            ["## Summary", _sentence(rng, 40), "## What happened", _sentence(rng, 60)]
        )
        text = "---\n" + yaml.safe_dump(meta, sort_keys=False, width=100) + "---\n\n" + body + "\n"
        path = root / "archive" / str(year) / f"{record_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _revisit_earlier(
    meta: dict, i: int, written: list[tuple[str, int]], rng: random.Random
) -> None:
    """About a third of records go back to a finding of an earlier-dated record.

    Record ``i`` is dated in year ``2018 + i % 9``, so record ``i - d`` with
    ``1 <= d <= i % 9`` is from an earlier year.
    """
    if i % 9 not in (3, 5, 7) or i < 9:
        return
    earlier_id, count = written[i - rng.randint(1, i % 9)]
    target = f"{earlier_id}#S{rng.randint(1, count)}"
    outcome = rng.choice(["still-holds", "changed", "no-longer-holds", "unclear"])
    meta["you_said"][0]["revisits"] = [{"finding": target, "outcome": outcome}]


def generate_statements(root: Path, records: list[Path], n: int, seed: int = 11) -> list[Path]:
    """Write ``n`` valid consensus statements citing findings of ``records`` (from generate).

    Statements are dated 2027-01-15, after every synthetic record, so no evidence
    is later than its statement; each cites 3 to 6 findings (S1, which every record
    has) of different records. Half are agreed (with a CERQual confidence).
    """
    rng = random.Random(seed)
    folder = root / "consensus"
    folder.mkdir(parents=True, exist_ok=True)
    stems = [p.stem for p in records]
    concern = {"concerns": "minor"}
    paths = []
    for j in range(n):
        cited = rng.sample(stems, rng.randint(3, 6))
        meta: dict = {
            "id": f"2027-01-synthetic-statement-{j:05d}",
            "title": _sentence(rng, 6)[:-1],
            "statement": _sentence(rng, 20),
            "status": "agreed" if j % 2 else "draft",
            "date": "2027-01-15",
            "organisations": [
                {"name": f"Synthetic Organisation {j % 97}", "sector": "nhs", "role": "lead"}
            ],
            "topics": ["language-and-interpreting"],
            "populations": ["carers"],
            "places": ["camden"],
            "evidence": [
                {"finding": f"{stem}#S1", "stance": "partly" if k == 2 else "supports"}
                for k, stem in enumerate(cited)
            ],
            "review_by": "2028-01-01",
        }
        if j % 2:
            meta["confidence"] = {
                "overall": "moderate",
                "methodological_limitations": dict(concern),  # copies: YAML would alias them
                "coherence": dict(concern),
                "adequacy": dict(concern),
                "relevance": dict(concern),
                "explanation": _sentence(rng, 12),
            }
        body = "## Why we think this\n\n" + _sentence(rng, 30) + "\n"
        path = folder / f"{meta['id']}.md"
        text = "---\n" + yaml.safe_dump(meta, sort_keys=False, width=100) + "---\n\n" + body
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    import sys

    generate(Path(sys.argv[1]), int(sys.argv[2]))
