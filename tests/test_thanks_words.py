"""The thank-you of every letter, read as the people who took part read it.

A new user's trial found "Thank you to the 1 person who contributed without
being named" and "and to 1 more person": a form, not a letter. One is written
as a word, a list of names reads as a list ("A and B", not "A, B"), and those
named are thanked with everyone else, for one contributor and for many, in a
record's letter (Markdown and HTML), its site page, and a consensus statement's
letter and page. Each case is a real archive reported by the CLI end to end.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from consensus_kit import record, statement

from conftest import VALID_RECORD, write_record

NAMED = "  - {{role: peer researcher, credit: named, name: {}}}\n"
ANONYMOUS = "  - {role: participant, credit: anonymous}\n"
NAMES = ("Oriel Quince", "Tamsin Vantreight")


def with_contributors(record_id: str, named: int, anonymous: int, participants: int) -> str:
    people = "".join(NAMED.format(name) for name in NAMES[:named]) + ANONYMOUS * anonymous
    extra = f"participants: {participants}\n" + (f"contributors:\n{people}" if people else "")
    return VALID_RECORD.format(id=record_id).replace("consent:", extra + "consent:", 1)


CASES = {
    "one-unnamed": (
        0,
        1,
        "Thank you to the one person who contributed without being named, and to everyone"
        " who took part.",
    ),
    "many-unnamed": (
        0,
        3,
        "Thank you to the 3 people who contributed without being named, and to everyone who"
        " took part.",
    ),
    "one-named-one-unnamed": (
        1,
        1,
        "Thank you to Oriel Quince (peer researcher), and to one more person who contributed"
        " without being named. And thank you to everyone who took part.",
    ),
    "many-named-many-unnamed": (
        2,
        2,
        "Thank you to Oriel Quince (peer researcher) and Tamsin Vantreight (peer researcher),"
        " and to 2 more people who contributed without being named. And thank you to everyone"
        " who took part.",
    ),
    "named-only": (
        2,
        0,
        "Thank you to Oriel Quince (peer researcher) and Tamsin Vantreight (peer researcher)."
        " And thank you to everyone who took part.",
    ),
    "nobody-credited": (0, 0, "Thank you to everyone who took part."),
}


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_letter_thanks_one_and_many_in_words(empty_root: Path, cli, case: str, fmt: str) -> None:
    named, anonymous, expected = CASES[case]
    write_record(
        empty_root, "2024-03-thanks", with_contributors("2024-03-thanks", named, anonymous, 9)
    )
    result = cli("--root", str(empty_root), "report", "2024-03-thanks", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert expected in one_line(result.stdout)
    assert "the 1 " not in result.stdout and "1 more" not in result.stdout


@pytest.mark.parametrize(
    ("participants", "said"), [(1, "One person took part"), (14, "14 people took part")]
)
def test_who_took_part_starts_with_a_word_for_one(
    empty_root: Path, cli, participants: int, said: str
) -> None:
    write_record(
        empty_root, "2024-03-thanks", with_contributors("2024-03-thanks", 0, 0, participants)
    )
    letter = cli("--root", str(empty_root), "report", "2024-03-thanks").stdout
    assert f"{said}: unpaid carers." in letter


def test_the_site_page_of_a_record_thanks_as_its_letter_does(built_site: tuple[Path, Path]) -> None:
    _, site = built_site
    html = (site / "records" / "2019-03-somali-mothers-parenting" / "index.html").read_text()
    assert (
        "Thank you to Ubah Warsame-Ellery (community researcher), and to one more person who"
        " contributed without being named. And thank you to everyone who took part."
    ) in one_line(html)


def statement_root(root: Path, anonymous: int, named: bool) -> Path:
    """Two engagements with one group (carers) on which one statement rests."""
    people = [{"role": "participant", "credit": "anonymous"} for _ in range(anonymous)]
    if named:
        people.append({"role": "peer researcher", "credit": "named", "name": NAMES[0]})
    record(root, "2023-02-first", "2023-02-01", contributors=people)
    record(root, "2024-05-second", "2024-05-01")
    statement(root, "2024-09-own-words", "2024-09-01", ["2023-02-first#S1", "2024-05-second#S1"])
    return root


@pytest.mark.parametrize(
    ("anonymous", "named", "expected"),
    [
        (
            1,
            False,
            "Thank you to the one person who took part without being named, and to everyone"
            " in the group who told us what they think.",
        ),
        (
            1,
            True,
            "Thank you to Oriel Quince (peer researcher, Engagement 2023-02-first), and to one"
            " more person who took part without being named. And thank you to everyone in the"
            " group who told us what they think.",
        ),
        (
            2,
            False,
            "Thank you to the 2 people who took part without being named, and to everyone in"
            " the group who told us what they think.",
        ),
    ],
)
def test_a_statement_letter_thanks_one_and_many_in_words(
    tmp_path: Path, cli, anonymous: int, named: bool, expected: str
) -> None:
    root = statement_root(tmp_path, anonymous, named)
    result = cli("--root", str(root), "report", "2024-09-own-words", "--draft")
    assert result.exit_code == 0, result.stderr
    letter = one_line(result.stdout)
    assert expected in letter
    assert "what we heard in 2 engagements with one group" in letter
