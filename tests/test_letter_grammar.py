"""Every sentence a letter generates, checked against a table of cases and golden files.

The cases are the ones where generated English goes wrong: one, two and many
findings; none answered and all answered; a group that did not agree to
quotes; one participant; vocabulary terms in the middle of a sentence; empty
body sections; Reflections (staff notes) kept only when asked for. Each case
is a real record in a real archive, reported by the CLI end to end; the whole
letter is compared with ``tests/golden/letters/<case>.md`` (regenerate with
``COPRO_UPDATE_GOLDEN=1`` and read the diff).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import write_record
from copro.views.report import responses_sentence

GOLDEN = Path(__file__).parent / "golden" / "letters"

HEAD = """---
id: {id}
title: Letters grammar case {id}
status: completed
date: 2024-03-01
organisations:
  - name: Test Trust
    sector: nhs
    role: lead
places: [camden]
methods: {methods}
ladder: consultation
participants: {participants}
populations: {populations}
topics: [parenting]
"""
TAIL = """consent:
  quotes: {quotes}
  recontact: false
---

## Summary

A test engagement.

## What happened

<!-- Who took part, where, how. -->

## Reflections

Staff notes: we started late.
"""


def finding(n: int) -> str:
    return f"  - id: S{n}\n    text: Finding number {n} about mornings.\n"


def action(n: int) -> str:
    return (
        f"  - id: D{n}\n    responds_to: [S{n}]\n    status: done\n    date: 2024-05-0{n}\n"
        f"    text: Answer number {n}.\n"
    )


def record(
    record_id: str,
    findings: int,
    answered: int,
    *,
    quotes: bool = False,
    participants: int = 12,
    populations: str = "[mothers, somali-women]",
    methods: str = "[focus-group, workshop]",
) -> str:
    text = HEAD.format(
        id=record_id, participants=participants, populations=populations, methods=methods
    )
    if findings:
        text += "you_said:\n" + "".join(finding(n) for n in range(1, findings + 1))
    if answered:
        text += "we_did:\n" + "".join(action(n) for n in range(1, answered + 1))
    return text + TAIL.format(quotes=str(quotes).lower())


CASES = {
    "one-answered": dict(findings=1, answered=1, participants=1, populations="[fathers]"),
    "one-unanswered": dict(findings=1, answered=0, methods="[survey]"),
    "two-none-answered": dict(findings=2, answered=0),
    "two-all-answered": dict(findings=2, answered=2, quotes=True),
    "many-some-answered": dict(findings=3, answered=1),
    "many-none-answered": dict(findings=3, answered=0),
    "many-all-answered": dict(findings=3, answered=3),
    "no-findings": dict(findings=0, answered=0),
}


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("COPRO_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


@pytest.fixture(scope="module")
def letters_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("letters")
    (root / "archive").mkdir()
    for n, (case, shape) in enumerate(CASES.items(), start=1):
        record_id = f"2024-03-case-{n}-{case}"
        write_record(root, record_id, record(record_id, **shape))  # type: ignore[arg-type]
    return root


def letter(cli, root: Path, case: str, *extra: str) -> str:
    """The letter of one case's record, as ``copro report`` prints it."""
    n = list(CASES).index(case) + 1
    return cli("--root", str(root), "report", f"2024-03-case-{n}-{case}", *extra).stdout


@pytest.mark.parametrize("case", list(CASES))
def test_letter_matches_golden(letters_root: Path, cli, case: str) -> None:
    text = letter(cli, letters_root, case)
    text = text.rsplit("Written on ", 1)[0] + "Written on DATE.\n"
    check_golden(f"{case}.md", text)
    assert " 0 of " not in text and "of the 0" not in text
    assert "Mothers" not in text, "a population label mid-sentence reads as the term's in_sentence"
    assert "Reflections" not in text and "Staff notes" not in text
    assert "What happened" not in text, "a heading with nothing under it never appears"


@pytest.mark.parametrize(
    ("answered", "total", "expected"),
    [
        (0, 0, ""),
        (0, 1, "The one thing you told us has not had a response yet."),
        (1, 1, "The one thing you told us has had a response."),
        (0, 2, "None of the 2 things you told us has had a response yet."),
        (1, 2, "So far 1 of the 2 things you told us has had a response."),
        (2, 2, "Both things you told us have had a response."),
        (0, 3, "None of the 3 things you told us has had a response yet."),
        (2, 3, "So far 2 of the 3 things you told us have had a response."),
        (3, 3, "All 3 things you told us have had a response."),
    ],
)
def test_response_counts_read_naturally(answered: int, total: int, expected: str) -> None:
    assert responses_sentence(answered, total) == expected


def test_reflections_only_when_asked_or_for_staff(letters_root: Path, cli) -> None:
    case = "many-some-answered"
    assert "Staff notes" not in letter(cli, letters_root, case)
    kept = letter(cli, letters_root, case, "--with-reflections")
    assert "## Reflections\n\nStaff notes: we started late." in kept
    assert "Staff notes" in letter(cli, letters_root, case, "--audience", "staff")
    html = letter(cli, letters_root, case, "--format", "html")
    assert "Staff notes" not in html and "What happened" not in html


def test_quotation_marks_only_with_quotes_consent(letters_root: Path, cli) -> None:
    assert "\u201cFinding number 1" in letter(cli, letters_root, "two-all-answered")
    plain = letter(cli, letters_root, "two-none-answered")
    assert "\u201c" not in plain and "not as direct quotations" in plain


def test_vocabulary_terms_may_say_how_they_read_in_a_sentence() -> None:
    from copro.core.vocab import parse_vocabulary

    text = (
        "terms:\n- id: focus-group\n  label: Focus group\n  in_sentence: a focus group\n"
        "- id: survey\n  label: Survey\n"
    )
    vocabulary, problems = parse_vocabulary("methods", text, "methods.yml")
    assert problems == []
    assert vocabulary.in_sentence("focus-group") == "a focus group"
    assert vocabulary.in_sentence("survey") == "Survey", "without it, the label as written"
    _, problems = parse_vocabulary(
        "methods", "terms:\n- id: survey\n  label: Survey\n  in_sentence: [a, b]\n", "methods.yml"
    )
    assert [(p.line, p.code) for p in problems] == [(2, "vocab-invalid")]
    assert "in_sentence" in problems[0].message


def test_every_shipped_method_reads_in_a_sentence() -> None:
    from copro.core.vocab import load_vocabularies

    vocab, problems = load_vocabularies(None)
    assert problems == []
    methods = vocab["methods"].terms.values()
    assert all(t.in_sentence for t in methods), [t.id for t in methods if not t.in_sentence]
    assert vocab["populations"].in_sentence("mothers") == "mothers"


def test_a_quotation_in_the_body_is_not_styled_as_one_without_consent(tmp_path: Path, cli) -> None:
    """The HTML letter renders the body like the site: a blockquote only where quotes are
    agreed (it was always a blockquote in the letter)."""
    root = tmp_path / "root"
    text = record("2024-03-quoted-body", 1, 1).replace(
        "A test engagement.", "> Words said in the room, never cleared as a quotation."
    )
    write_record(root, "2024-03-quoted-body", text)
    html = cli("--root", str(root), "report", "2024-03-quoted-body", "--format", "html").stdout
    assert "Words said in the room" in html and "<blockquote" not in html
