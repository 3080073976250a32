"""No writing command repeats a value it refuses unless validate's echo rule allows it.

A refused value is shown only when short, plain and passed by the personal-data
scan (``copro.core.pii.safe_echo``), else as "(value not shown)". Messages go
to terminals, logs and CI output, and the value may be a person's e-mail
address or phone number typed into the wrong option. The table is the commands'
own options, read from the command line interface, so an option added later is
checked too: each one in turn gets a planted value while the rest stay valid.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from tests.conftest import NEW_OPTIONS, run_cli

RID = "2019-03-somali-mothers-parenting"
FOLLOW_UP = "2024-04-somali-mothers-parenting-follow-up"
PLANTED = [
    "JANE.DOE@EXAMPLE.COM",
    "07700 900123",
    "Flat 2, 14 Acacia Road, N1 9GU",
    "ring Jane; after six",
]
"""An e-mail address, a phone number, an address with a postcode, and
words the scan passes but that are not plain (so never repeated when refused)."""

BASE: dict[tuple[str, ...], list[str]] = {
    ("new",): ["--title", "Evening drop-in", *NEW_OPTIONS, "--id", "2026-12-evening-drop-in",
               "--yes"],
    ("update",): [RID, "--status", "completed"],
    ("revisit",): [RID, "--date", "2026-12-01", "--title", "Back again", "--yes"],
    ("add", "finding"): [FOLLOW_UP, "--text", "Still true", "--revisits", f"{RID}#S1",
                         "--outcome", "still-holds", "--no-interactive"],
    ("add", "action"): [RID, "--responds-to", "S1", "--status", "not-doing", "--text",
                        "Not this year", "--date", "2026-01-05", "--reason", "No budget",
                        "--no-interactive"],
    ("add", "decision"): [RID, "--text", "Sessions move", "--made-by", "joint", "--date",
                          "2026-01-05", "--no-interactive"],
    ("add", "contributor"): [RID, "--role", "co-facilitator", "--credit", "named", "--name",
                             "Sam Example", "--no-interactive"],
    ("add", "feedback"): [RID, "--date", "2026-01-05", "--channel", "letter", "--note",
                          "Sent in Somali", "--no-interactive"],
}  # fmt: skip


def _command(path: tuple[str, ...]):  # noqa: ANN202
    from copro.cli import app

    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command


def _value_options(path: tuple[str, ...]) -> list[str]:
    """Every option of the command that takes a value, and ``ARG`` for its argument."""
    found = []
    for param in _command(path).params:
        if param.param_type_name == "argument":
            found.append("ARG")
        elif not getattr(param, "is_flag", False):
            found.append(max(param.opts, key=len))
    return found


def _with(base: list[str], option: str, value: str) -> list[str]:
    """``base`` with ``option``'s value(s) replaced by ``value`` (or added)."""
    if option == "ARG":
        return [value, *base[1:]]
    out, skip = [], False
    for token in base:
        if skip:
            skip = False
            continue
        if token == option:
            skip = True
            continue
        out.append(token)
    return [*out, option, value]


def _forms(value: str) -> list[str]:
    """The value as typed and as a message might rewrite it (case, spaces, repr)."""
    squeezed = re.sub(r"\s+", "", value)
    forms = [value, squeezed, repr(value)[1:-1]]
    return [*forms, *(f.lower() for f in forms), *(f.upper() for f in forms)]


CASES = [
    (path, option, value) for path in BASE for option in _value_options(path) for value in PLANTED
]


def test_the_table_covers_every_writing_command():
    from copro.cli import app

    top = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    assert set(top["add"].commands) == {p[1] for p in BASE if p[0] == "add"}
    assert {"new", "update", "revisit", "import"} <= set(top)


@pytest.mark.parametrize(
    ("path", "option", "value"),
    CASES,
    ids=[f"{' '.join(p)} {o} {PLANTED.index(v)}" for p, o, v in CASES],
)
def test_a_refused_value_is_never_repeated(sample_root: Path, path, option, value):
    before = {p: p.read_bytes() for p in (sample_root / "archive").rglob("*.md")}
    args = _with(BASE[path], option, value)
    result = run_cli("--root", str(sample_root), *path, *args)
    said = result.stdout + result.stderr
    if result.exit_code == 0 and value == PLANTED[-1]:
        return  # taken as text where text belongs
    for form in _forms(value):
        assert form not in said, said
    if "@" in value or any(ch.isdigit() for ch in value):  # personal data: always refused
        assert result.exit_code in (1, 2), said
        after = {p: p.read_bytes() for p in (sample_root / "archive").rglob("*.md")}
        assert after == before


@pytest.mark.parametrize("typed", ["31/02/2026", "31/2/2026", "29.02.2025", "31 Feb 2026"])
def test_an_impossible_date_is_repeated_as_typed(sample_root: Path, typed: str):
    """Digits, date separators and month names are no one's personal data: hiding
    "31/02/2026" behind "(value not shown)" left a new user guessing what was wrong."""
    result = run_cli("--root", str(sample_root), "update", RID, "--end-date", typed)
    assert result.exit_code == 2
    assert f"'{typed}' is not a real date" in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    "typed", ["07911/123456", "943/476/5919", "020/7946/0018", "1/2/2026 N1 9GU", "1/2/2026 Jo"]
)
def test_a_value_with_slashes_that_may_be_personal_is_still_hidden(sample_root: Path, typed):
    """A phone or an NHS number written with slashes has too many digits for a date, and
    anything but digits, separators and month names is held to the plain-text rule."""
    result = run_cli("--root", str(sample_root), "update", RID, "--end-date", typed)
    assert result.exit_code == 2
    assert "(value not shown)" in result.stderr
    for form in _forms(typed):
        assert form not in result.stdout + result.stderr


IMPORT_COLUMNS = {
    "findings.csv": ["record_id", "finding_id", "finding", "finding_topics"],
    "actions.csv": ["record_id", "action_id", "responds_to", "status", "text", "date",
                    "reason"],
}  # fmt: skip
GOOD_CELLS = {
    "record_id": RID, "finding_id": "S1", "finding": "Courses are in English only",
    "finding_topics": "", "action_id": "D1", "responds_to": "S1", "status": "done",
    "text": "A group runs each term", "date": "2019-09-16", "reason": "",
}  # fmt: skip
IMPORT_CASES = [
    (name, column, value)
    for name, columns in IMPORT_COLUMNS.items()
    for column in columns
    for value in PLANTED
]


@pytest.mark.parametrize(("name", "column", "value"), IMPORT_CASES)
def test_import_never_repeats_a_refused_cell(sample_root, tmp_path, name, column, value):
    import csv

    sheet = tmp_path / name
    columns = IMPORT_COLUMNS[name]
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerow([value if c == column else GOOD_CELLS[c] for c in columns])
    result = run_cli("--root", str(sample_root), "import", str(sheet), "--dry-run")
    said = result.stdout + result.stderr
    if result.exit_code == 0:
        return  # taken as text (a finding may say anything that is not personal data)
    for form in _forms(value):
        assert form not in said, said


@pytest.mark.parametrize(
    "args",
    [
        ["update", RID, "--aim", "caf\udce9"],
        ["add", "finding", RID, "--text", "caf\udce9", "--no-interactive"],
        ["new", "--title", "caf\udce9 evening", *NEW_OPTIONS, "--yes"],
        ["add", "finding", RID, "--text", "More", "--revisits", "\udcff", "--outcome", "changed"],
        [
            "add",
            "finding",
            RID,
            "--text",
            "More",
            "--revisits",
            f"{RID}#S\udcff",
            "--outcome",
            "changed",
        ],  # fmt: skip
        [
            "add",
            "action",
            RID,
            "--text",
            "Done",
            "--status",
            "done",
            "--date",
            "2019-05-01",
            "--responds-to",
            "S\udcff",
        ],  # fmt: skip
        ["add", "contributor", RID, "--role", "caf\udce9", "--credit", "anonymous"],
        ["add", "decision", RID, "--text", "caf\udce9", "--made-by", "joint"],
    ],
    ids=[
        "update",
        "add finding",
        "new",
        "revisits",
        "revisits finding",
        "responds to",
        "role",
        "decision",
    ],  # fmt: skip
)
def test_a_byte_that_is_not_utf8_is_refused_not_a_traceback(sample_root, args):
    """A shell passes bytes; Python decodes a non-UTF-8 one (\\xe9 from a Latin-1
    terminal) as a surrogate escape, which cannot be written as UTF-8."""
    before = {p: p.read_bytes() for p in (sample_root / "archive").rglob("*.md")}
    result = run_cli("--root", str(sample_root), *args)
    assert result.exit_code == 2, result.stderr
    assert "not UTF-8" in result.stderr
    assert "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in (sample_root / "archive").rglob("*.md")} == before


def test_a_choice_is_named_with_the_right_article(sample_root):
    """'is not an outcome', not 'a outcome': read by people, not parsers."""
    result = run_cli(
        "--root", str(sample_root), "add", "finding", RID, "--text", "More",
        "--revisits", f"{RID}#S1", "--outcome", "holds", "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 2, result.stderr
    assert "'holds' is not an outcome: choose one of still-holds" in " ".join(result.stderr.split())
