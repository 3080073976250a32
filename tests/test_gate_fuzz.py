"""Fuzzing the reader and the gate in process (issue 9, "Done means").

Three properties, about 15,000 examples in all, derandomised so CI is repeatable:

* any text at all (random front-matter built from YAML values, then mutated
  with hostile characters, escapes, huge numbers and line breaks) is read and
  checked without an exception, and what the reader hands on is plain JSON;
* a realistic record with one piece of personal data spliced in (in the body,
  a quoted or folded front-matter value, in any of the written forms the gate
  promises to catch) is always refused with a personal-data problem at the
  lines where the value sits;
* the writing commands (`add *`, `update`, `new`, 5,000 command lines with
  random values for every option, personal data planted in some) never end in
  a traceback, never accept personal data, and never repeat a value they
  refuse unless validate's echo rule allows it (issue 18).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="needs the test extra (hypothesis)")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import VALID_RECORD  # noqa: E402
from copro.core import validate  # noqa: E402
from copro.core.pii import nhs_checksum_ok  # noqa: E402
from copro.core.vocab import load_vocabularies  # noqa: E402

VOCAB, _ = load_vocabularies(None)
PATH = Path("/nonexistent/archive/2024/2024-03-fuzz.md")
REL = "archive/2024/2024-03-fuzz.md"
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check(text: str) -> list:
    return validate.check_file(PATH, REL, VOCAB, text.encode("utf-8", "surrogatepass")).problems


# ------------------------------------------------------------------ any text is read safely

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
hostile = st.sampled_from(
    [
        "\x00",
        "\x1b]0;x\x07",
        "\u202e",
        "\x9b",
        "\\x40",
        "\\u202e",
        "\\e",
        '"\\',
        "&a ",
        "*a",
        "!!python/object:os.system",
        "<<: ",
        "- ",
        ": ",
        "\n  ",
        "\n---\n",
        "\t",
        "#",
        "'",
        "1" * 5001,
        "1" * 400 + ".5",
        "0x1F",
        "010",
        "12:30",
        "yes",
        "2023-02-30",
        "\r\n",
        "\ufeff",
        "\ud800",
        "[" * 50,
        "{" * 50,
        "&#64;",
        "%40",
    ]
)


@st.composite
def mutated_records(draw: st.DrawFn) -> str:
    import yaml

    meta = draw(
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "title",
                    "status",
                    "date",
                    "participants",
                    "you_said",
                    "we_did",
                    "contributors",
                    "consent",
                    "related",
                    "topics",
                    "places",
                    "x",
                ]
            ),
            values,
            max_size=8,
        )
    )
    dumped = yaml.dump(meta, Dumper=yaml.CSafeDumper, allow_unicode=draw(st.booleans()))
    text = "---\n" + dumped + "---\n"
    text += draw(st.text(max_size=200))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(hostile) + text[at:]
    return text


@settings(FUZZ, max_examples=3000)
@given(mutated_records())
def test_any_record_is_read_and_checked_without_an_exception(text):
    problems = check(text)
    for problem in problems:
        assert "\x1b" not in problem.message and "\u202e" not in problem.message
    from copro.core.records import read_record

    read = read_record(PATH, REL, text.encode("utf-8", "surrogatepass"))
    if read.record is not None:
        json.dumps(read.record.meta, allow_nan=False)  # plain JSON: no Infinity, no huge ints
        assert not any(p.code == "file-control-character" for p in read.problems)


# ------------------------------------------------------------------ planted personal data is found

SEPARATORS = [" ", "-", ".", "", "\u00a0", "\u2013", "\u200b", "  ", "\u202f"]


@st.composite
def phones(draw: st.DrawFn) -> str:
    groups = draw(
        st.sampled_from(
            [
                ["07911", "123456"],
                ["07911", "123", "456"],
                ["020", "7946", "0018"],
                ["0161", "496", "0000"],
                ["07700", "900", "123"],
                ["+44", "7911", "123456"],
                ["0113", "496", "0999"],
                ["(020)", "7946", "0018"],
            ]
        )
    )
    return draw(_joined(groups, SEPARATORS + ["/"] if len(groups) == 2 else SEPARATORS))


@st.composite
def nhs_numbers(draw: st.DrawFn) -> str:
    digits = "".join(str(draw(st.integers(0, 9))) for _ in range(9))
    for check_digit in "0123456789":
        if nhs_checksum_ok(digits + check_digit):
            break
    else:
        digits, check_digit = "943476591", "9"
    number = digits + check_digit
    if number.startswith("0"):
        number = "9" + number[1:]
        if not nhs_checksum_ok(number):
            number = "9434765919"
    return draw(_joined([number[:3], number[3:6], number[6:]], [" ", "-", ".", "", "\u00a0"]))


@st.composite
def emails(draw: st.DrawFn) -> str:
    local = draw(st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,6})?", fullmatch=True))
    local += draw(st.sampled_from(["", "\u00eb", "2"]))
    domain = draw(st.from_regex(r"[a-z]{2,10}", fullmatch=True))
    tld = draw(st.sampled_from(["org", "co.uk", "com", "nhs.uk"]))
    at = draw(st.sampled_from(["@", " @ ", "&#64;", "%40", "\\x40", "\uff20", " [at] ", "(at)"]))
    dot = "." if at in ("@", " @ ", "&#64;", "%40", "\\x40", "\uff20") else " [dot] "
    return f"{local}{at}{domain}{dot}{tld.replace('.', dot)}"


@st.composite
def postcodes(draw: st.DrawFn) -> str:
    outward, inward = draw(
        st.sampled_from(
            [
                ("SW1A", "1AA"),
                ("M14", "5RR"),
                ("EC1V", "9HX"),
                ("B33", "8TH"),
                ("CR2", "6XH"),
                ("DN55", "1PT"),
                ("LS1", "4AP"),
            ]
        )
    )
    text = outward + draw(st.sampled_from([" ", "", "\u00a0", "  "])) + inward
    return text.lower() if draw(st.booleans()) else text


@st.composite
def dates_of_birth(draw: st.DrawFn) -> str:
    keyword = draw(
        st.sampled_from(
            [
                "born",
                "Born on",
                "DOB:",
                "D.O.B.",
                "date of birth",
                "Date of birth:\n",
                "date_of_birth:",
                "birthday",
            ]
        )
    )
    date = draw(
        st.sampled_from(
            [
                "03/03/1990",
                "3 March 1990",
                "03-Mar-1990",
                "1990/03/03",
                "1990-03-03",
                "the third of March 1990",
                "March 3rd, 1990",
            ]
        )
    )
    return f"{keyword} {date}"


def _joined(groups: list[str], separators: list[str]) -> st.SearchStrategy[str]:
    return st.lists(
        st.sampled_from(separators), min_size=len(groups) - 1, max_size=len(groups) - 1
    ).map(lambda seps: groups[0] + "".join(s + g for s, g in zip(seps, groups[1:], strict=True)))


planted = st.one_of(
    phones().map(lambda v: (v, "phone")),
    nhs_numbers().map(lambda v: (v, "nhs")),
    emails().map(lambda v: (v, "email")),
    postcodes().map(lambda v: (v, "postcode")),
    dates_of_birth().map(lambda v: (v, "dob")),
)
words = st.lists(
    st.sampled_from(
        [
            "we",
            "met",
            "carers",
            "at",
            "the",
            "hub",
            "on",
            "Tuesday",
            "about",
            "parenting",
            "groups",
            "and",
            "said",
            "12",
            "people",
            "in",
            "2024",
            "session",
            "ward",
            "7",
            "budget",
            "£1,500",
            "10:30",
            "ref",
            "2024/05",
        ]
    ),
    max_size=8,
).map(" ".join)


def _wrap(value: str, indent: str) -> str:
    """Break the value at one of its spaces onto the next line, indented (as PyYAML folds)."""
    if " " not in value.strip():
        return value
    head, _, tail = value.rpartition(" ")
    return f"{head}\n{indent}{tail}"


@st.composite
def records_with_planted_data(draw: st.DrawFn) -> tuple[str, int, int]:
    value, _ = draw(planted)
    sentence = f"{draw(words)} {value} {draw(words)}".strip()
    where = draw(st.sampled_from(["body", "body-wrapped", "title-quoted", "finding-folded"]))
    text = VALID_RECORD.format(id="2024-03-fuzz")
    if where.startswith("body"):
        if where == "body-wrapped":
            sentence = "- " + _wrap(sentence, "  ")
        marker = "A small test engagement."
        first = text[: text.index(marker)].count("\n") + 1
        text = text.replace(marker, sentence)
        return text, first, first + sentence.count("\n")
    if where == "title-quoted":
        quoted = json.dumps(sentence, ensure_ascii=draw(st.booleans()))
        text = text.replace("title: Test engagement about parenting", f"title: {quoted}")
        return text, 3, 3
    block = "\n      ".join(_wrap(sentence, "").split("\n"))
    finding = f"  - id: S2\n    text: >-\n      {block}\n"
    first = text[: text.index("we_did:\n")].count("\n") + 1
    text = text.replace("we_did:\n", finding + "we_did:\n")
    return text, first + 1, first + 1 + finding.count("\n")


def test_the_record_used_for_planting_is_clean():
    assert [p for p in check(VALID_RECORD.format(id="2024-03-fuzz")) if p.is_error] == []


@settings(FUZZ, max_examples=7000)
@given(records_with_planted_data())
def test_planted_personal_data_is_always_found(case):
    text, first, last = case
    found = [p for p in check(text) if p.code.startswith("pii-")]
    assert found, text
    assert any(first <= p.line <= last for p in found), (first, last, found, text)


# ------------------------------------------------------------------ the writing commands
#
# Random values for every option of `add *`, `update` and `new` (read from the
# command line interface itself, so an option added later is fuzzed too), with
# personal data planted in some of them, run in process on a copy of the sample
# archive with --dry-run (the gate runs in full; nothing is written, so the
# examples do not change each other). The Click command is built once: building
# it per call would cost more than the command itself.

FUZZ_RID = "2019-03-somali-mothers-parenting"
WRITING = [("add", "finding"), ("add", "action"), ("add", "decision"), ("add", "contributor"),
           ("add", "feedback"), ("update",), ("new",)]  # fmt: skip
GOOD_VALUES = {
    "--status": ["planned", "done", "in progress", "active", "completed", "not-doing"],
    "--date": ["2026-01-05", "5/1/2026", "5 January 2026"],
    "--end-date": ["2026-03-31"],
    "--review-by": ["2027-01-01"],
    "--topic": ["parenting", "mental health", "Mental Health"],
    "--responds-to": ["S1", "s2", "S1;S2"],
    "--made-by": ["joint", "community"],
    "--credit": ["named", "anonymous"],
    "--outcome": ["still-holds", "changed"],
    "--revisits": [f"{FUZZ_RID}#S1"],
    "--lead-sector": ["nhs", "voluntary"],
    "--place": ["leeds", "camden"],
    "--method": ["workshop", "drop-in"],
    "--ladder": ["engagement", "co-design"],
    "--population": ["carers", "young people"],
    "--participants": ["12", "0"],
    "--id": ["2026-12-fuzz-evening"],
    "--role": ["co-facilitator"],
    "--channel": ["letter", "youth forum"],
}
REQUIRED = {
    ("add", "finding"): ["--text"],
    ("add", "action"): ["--responds-to", "--status", "--text"],
    ("add", "decision"): ["--text", "--made-by"],
    ("add", "contributor"): ["--role", "--credit"],
    ("add", "feedback"): ["--date", "--channel"],
    ("update",): [],
    ("new",): ["--title", "--date", "--lead", "--lead-sector", "--place", "--method",
               "--ladder", "--population", "--topic"],
}  # fmt: skip
"""Given every time (mostly with good values), so that most examples reach the gate."""


def _cli_command():  # noqa: ANN202
    import typer

    from copro.cli import app

    return typer.main.get_command(app)


def _options_of(command, path: tuple[str, ...]) -> list[tuple[str, bool]]:  # noqa: ANN001
    """(longest option name, is a flag) for each option of the command at ``path``."""
    for name in path:
        command = command.commands[name]
    return [
        (max(p.opts, key=len), bool(getattr(p, "is_flag", False)))
        for p in command.params
        if p.param_type_name == "option"
        and max(p.opts, key=len) not in ("--dry-run", "--interactive", "--yes")
    ]


plain_words = words.filter(bool)
typed_values = st.one_of(
    plain_words,
    st.text(max_size=30),
    hostile,
    st.tuples(plain_words, hostile, plain_words).map(" ".join),
    st.sampled_from(["\udcff", "-", "--text", "S99", "S1;S1", "0", "-1", "1e9", "x" * 300]),
)


@st.composite
def command_lines(draw: st.DrawFn) -> tuple[list[str], list[str], list[str]]:
    """(the command line, every value typed, the planted personal data in it)."""
    path = draw(st.sampled_from(WRITING))
    args = list(path)
    if path != ("new",):
        args.append(draw(st.sampled_from([FUZZ_RID] * 6 + ["2019-03-no-such-record"])))
    typed, planted_values = [], []
    for option, is_flag in _options_of(COMMAND, path):
        if is_flag:
            if draw(st.booleans()):
                args.append(option)
            continue
        if option not in REQUIRED[path] and draw(st.integers(0, 9)) >= 4:
            continue
        kind = draw(st.sampled_from(["good"] * 5 + ["random", "planted"]))
        if kind == "good" and option in GOOD_VALUES:
            value = draw(st.sampled_from(GOOD_VALUES[option]))
        elif kind == "planted":
            value = f"{draw(words)} {draw(planted)[0]} {draw(words)}".strip()
            planted_values.append(value)
        elif kind == "good":
            value = draw(plain_words)
        else:
            value = draw(typed_values)
        args += [option, value]
        typed.append(value)
    return [*args, "--dry-run"], typed, planted_values


def _shown_forms(value: str) -> set[str]:
    squeezed = "".join(value.split())
    return {form for v in (value, squeezed) for form in (v, v.lower(), v.upper())}


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from conftest import SAMPLE_ARCHIVE, SAMPLE_VOCAB

    root = tmp_path_factory.mktemp("fuzz-writes")
    shutil.copytree(SAMPLE_ARCHIVE, root / "archive")
    shutil.copytree(SAMPLE_VOCAB, root / "schemas" / "vocab")
    return root


COMMAND = _cli_command()


@settings(FUZZ, max_examples=5000, suppress_health_check=list(HealthCheck))
@given(case=command_lines())
def test_writing_commands_never_crash_nor_repeat_what_they_refuse(fuzz_root, case):
    from typer.testing import CliRunner

    from copro.core.pii import safe_echo

    args, typed, planted_values = case
    with CliRunner().isolation() as (stdout, stderr, _):
        try:
            COMMAND.main(["--root", str(fuzz_root), *args], prog_name="copro")
        except SystemExit as done:
            code = done.code
        else:
            code = 0
        said = stdout.getvalue().decode("utf-8", "replace")
        said += stderr.getvalue().decode("utf-8", "replace")
    assert code in (0, 1, 2), (code, args, said)
    for value in planted_values:  # personal data: refused, and never repeated
        assert code != 0 or "--dry-run" not in args, (args, said)
        assert not _shown_forms(value) & {w for w in _shown_forms(value) if w in said}, said
    if code:
        # copro's own labels are not the value ('int:' typed is not echoed by 'hint:')
        message = re.sub(r"^(copro: error: |hint: )", "", said, flags=re.MULTILINE)
        for value in typed:  # a refused value shows only under validate's echo rule
            if len(value.strip()) >= 4 and safe_echo(value) is None:
                assert value not in message, (args, said)
