"""Records built to make a personal-data scanner backtrack (issue 9, item 13).

Each case is one record of a given size whose body repeats one hostile pattern.
A linear scan validates each in well under a second at 128 KiB; the quadratic
e-mail scan that copro once had took 18 s on 30 KB of the first case and minutes
beyond. ``run.py --only adversarial`` times ``copro validate`` on each case at
32, 64 and 128 KiB: the times should roughly double with the size, no more.
"""

from __future__ import annotations

from pathlib import Path

from synthetic import generate

CASES = {
    "letters-then-dot": lambda n: "x " + "a" * (n - 8) + " dot b",
    "letters-then-at": lambda n: "a" * (n - 2) + "@ ",
    "at-signs": lambda n: ("a.b@" * n)[:n],
    "spelled-at-words": lambda n: ("a at b dot " * n)[:n],
    "dob-keywords": lambda n: ("born " * n)[:n],
    "digits-and-slashes": lambda n: ("0791/" * n)[:n],
    "digits-and-spaces": lambda n: ("1 " * n)[:n],
    "escapes": lambda n: ("\\x30" * n)[:n],
}


def write_cases(root: Path, size: int) -> dict[str, Path]:
    """One archive root per case, each holding one synthetic record padded to ``size``
    bytes with the case's pattern."""
    roots = {}
    for name, make in CASES.items():
        case_root = root / f"{name}-{size}"
        if not (case_root / "archive").is_dir():
            path = generate(case_root, 1)[0]
            head = path.read_text(encoding="utf-8") + "\n"
            path.write_text(head + make(size - len(head.encode()) - 1) + "\n", encoding="utf-8")
        roots[name] = case_root
    return roots
