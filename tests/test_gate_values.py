"""The content gate against hostile values: issue 9 (personal data past the gate or
out through a message, huge numbers, slow scans), through the CLI on real files."""

from __future__ import annotations

import json

import pytest

from conftest import VALID_RECORD, write_record

PHONE = "07911 123456"
NHS = "943 476 5919"


def _record(record_id: str = "2024-03-gate", **replace: str) -> str:
    text = VALID_RECORD.format(id=record_id)
    for old, new in replace.items():
        old = {
            "title": "title: Test engagement about parenting",
            "body": "A small test engagement.",
        }[old]
        assert old in text
        text = text.replace(old, new)
    return text


def _with_field(field_lines: str, record_id: str = "2024-03-gate") -> str:
    """The valid record with extra front-matter lines before `consent:`."""
    return VALID_RECORD.format(id=record_id).replace("consent:\n", field_lines + "consent:\n", 1)


def _problems(cli, root) -> tuple[int, list[dict]]:
    result = cli("--root", str(root), "validate", "--json")
    return result.exit_code, json.loads(result.stdout)["problems"]


# ---------------------------------------------------------------- 12: huge numbers

EVERY_READER = [
    ("validate",),
    ("validate", "--format", "github"),
    ("index",),
    ("search", "parenting", "--json"),
    ("search", "parenting"),
    ("show", "2024-03-gate"),
    ("show", "2024-03-gate", "--json"),
    ("export", "--format", "csv"),
    ("export", "--format", "jsonl"),
    ("stats", "--json"),
    ("stats",),
    ("review", "--json"),
    ("review",),
    ("report", "2024-03-gate"),
    ("report", "--topic", "parenting"),
]


NEEDS_THE_RECORD = ("search", "show", "report")
"""Readers that answer from the one test record: nothing found (exit 1) when it is withheld."""


def _expected_code(args: tuple[str, ...], value: str) -> int:
    """validate reports the problem (1); ten digits read as an NHS number, so the
    personal-data gate withholds the record and readers that need it find nothing."""
    if args[0] == "validate":
        return 1
    withheld = value == "1000000001"
    return 1 if withheld and args[0] in NEEDS_THE_RECORD else 0


@pytest.mark.parametrize(
    "value",
    ["1" * 5001, "-" + "9" * 5001, "1" * 400 + ".5", "1000000001"],
    ids=["5001-digits", "negative-5001", "float-overflow", "just-over-1e9"],
)
def test_absurd_numbers_are_a_problem_and_nothing_crashes(empty_root, cli, value):
    write_record(empty_root, "2024-03-gate", _with_field(f"participants: {value}\n"))
    code, problems = _problems(cli, empty_root)
    assert code == 1
    assert [(p["code"], p["line"]) for p in problems if p["code"] == "number-too-large"] == [
        ("number-too-large", 24)
    ]
    assert value not in json.dumps(problems)
    for args in EVERY_READER:
        result = cli("--root", str(empty_root), *args)  # a traceback fails the test
        assert result.exit_code == _expected_code(args, value), (args, result.stderr)
        assert "Infinity" not in result.stdout and "inf" not in result.stdout.split(), args


def test_a_billion_is_still_a_number(empty_root, cli):
    write_record(empty_root, "2024-03-gate", _with_field("participants: 1000000000\n"))
    code, problems = _problems(cli, empty_root)
    assert code == 0, problems


# ---------------------------------------------------------------- 6: messages echo values

ECHO_CASES = {
    "schema-unknown-field": ("jane@example.com: 1\n", "jane@example.com"),
    "schema-unknown-field-phone": ("07911123456: 1\n", "07911123456"),
    "yaml-ambiguous-value": (f"{NHS.replace(' ', '')}:\n  x: yes\n", NHS.replace(" ", "")),
    "reference-unknown": (f"related: [{NHS}]\n", NHS),
    "reference-unknown-id-form": ("related: [2024-03-ring-07911123456]\n", "07911123456"),
    "vocab-unknown": (f"populations: [carers, '{NHS}']\n", NHS),
}


@pytest.mark.parametrize("case", sorted(ECHO_CASES))
@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_messages_never_echo_personal_data(empty_root, cli, case, fmt):
    lines, secret = ECHO_CASES[case]
    text = _with_field(lines)
    if case == "vocab-unknown":
        text = text.replace("populations: [carers]\n", "")
    write_record(empty_root, "2024-03-gate", text)
    result = cli("--root", str(empty_root), "validate", "--format", fmt)
    assert result.exit_code == 1
    output = result.stdout + result.stderr
    assert secret not in output
    assert secret.replace(" ", "") not in output.replace(" ", "")


def test_item_ids_and_responds_to_are_not_echoed_when_personal(empty_root, cli):
    text = VALID_RECORD.format(id="2024-03-gate").replace("  - id: S1\n", f"  - id: '{NHS}'\n")
    text = text.replace("responds_to: [S1]", f"responds_to: ['{PHONE}']")
    text = text.replace("  - id: D1\n", "  - id: SW1A 1AA\n")
    write_record(empty_root, "2024-03-gate", text)
    for fmt in ("text", "json", "github"):
        result = cli("--root", str(empty_root), "validate", "--format", fmt)
        output = result.stdout + result.stderr
        assert result.exit_code == 1
        for secret in (NHS, PHONE, "SW1A 1AA"):
            assert secret not in output, (fmt, secret)


def test_plain_values_are_still_echoed(empty_root, cli):
    write_record(empty_root, "2024-03-gate", _with_field("sumary: x\nrelated: [2023-01-old]\n"))
    result = cli("--root", str(empty_root), "validate")
    assert "`sumary`" in result.stdout and "2023-01-old" in result.stdout


def test_vocabulary_messages_never_echo_personal_data(empty_root, cli):
    vocab = empty_root / "schemas" / "vocab"
    vocab.mkdir(parents=True)
    from conftest import SAMPLE_VOCAB

    for name in ("topics", "places", "methods"):
        (vocab / f"{name}.yml").write_text((SAMPLE_VOCAB / f"{name}.yml").read_text())
    populations = (SAMPLE_VOCAB / "populations.yml").read_text()
    populations += "- id: carers-group-9434765919\n  label: Carers group\n  broader: 943-476-5919\n"
    (vocab / "populations.yml").write_text(populations)
    result = cli("--root", str(empty_root), "validate", "--format", "json")
    assert result.exit_code == 1
    assert "5919" not in result.stdout, result.stdout


# ---------------------------------------------------------------- 7: anonymous names

ANONYMOUS = "contributors:\n  - role: peer researcher\n    credit: anonymous\n    name: Zenobia Quartermaine\n"


def test_no_command_prints_an_anonymous_contributors_name(empty_root, cli):
    write_record(empty_root, "2024-03-gate", _with_field(ANONYMOUS))
    for args in EVERY_READER + [("export", "--format", "jsonl")]:
        result = cli("--root", str(empty_root), *args)
        assert "Zenobia" not in result.stdout + result.stderr, args


def test_show_json_keeps_named_contributors(empty_root, cli):
    named = ANONYMOUS.replace("anonymous", "named")
    write_record(empty_root, "2024-03-gate", _with_field(named))
    result = cli("--root", str(empty_root), "show", "2024-03-gate", "--json")
    contributors = json.loads(result.stdout)["front_matter"]["contributors"]
    assert contributors[0]["name"] == "Zenobia Quartermaine"


@pytest.mark.parametrize(
    "args",
    [
        ("show", "2024-03-ring-07911123456"),
        ("show", "07911123456"),
        ("search", "--topic", "07911 123456"),
        ("search", "--since", "07911 123456"),
    ],
)
def test_command_line_values_are_not_echoed_when_personal(empty_root, cli, args):
    result = cli("--root", str(empty_root), *args)
    assert result.exit_code in (1, 2)
    assert "123456" not in result.stdout + result.stderr
    assert "not shown" in result.stderr


# ---------------------------------------------------------------- 13: linear-time scanning


def _adversarial_record(size: int = 128 * 1024) -> str:
    """A record of exactly ``size`` bytes whose body is built to make a scanner backtrack."""
    head = VALID_RECORD.format(id="2024-03-gate").replace("A small test engagement.\n", "")
    quarter = (size - len(head)) // 4
    pieces = [
        "x " + "a" * (quarter - 8) + " dot b",  # spelled e-mail: a long local part, no @
        "a" * (quarter - 2) + "@ ",  # a long run of letters, then @
        ("born " * quarter)[:quarter],  # a DOB keyword with no date, over and over
    ]
    body = "\n".join(pieces) + "\n"
    body += ("0791/" * size)[: size - len(head) - len(body) - 1] + "\n"
    text = head + body
    assert len(text.encode()) == size
    return text


def test_an_adversarial_128_kib_record_validates_in_linear_time(empty_root, cli):
    """A guard, not a benchmark: the bound is far above the expected time (well under a
    second); only a super-linear scan breaks it (the quadratic one took minutes)."""
    import time

    write_record(empty_root, "2024-03-gate", _adversarial_record())
    started = time.monotonic()
    result = cli("--root", str(empty_root), "validate", "--json")
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.stderr
    assert elapsed < 10, f"validate took {elapsed:.1f} s"


# ---------------------------------------------------------------- 1-2: values as YAML decodes them

DECODED_PII = [
    # PyYAML's dumper folds long text: the number continues, indented, on the next line
    (
        "fold",
        "  - id: S2\n    text: We were told to ring 07911\n      123456 please.\n",
        "pii-phone",
        19,
    ),
    (
        "fold-deep",
        "  - id: S2\n    text: >-\n      We were told to ring 07911\n                   123456 please.\n",
        "pii-phone",
        20,  # found in the raw text, on the line where the number starts
    ),
    ("escape-at", '  - id: S2\n    text: "write to jane\\x40example.com"\n', "pii-email", 19),
    ("escape-digits", '  - id: S2\n    text: "\\x30\\x37911 123456"\n', "pii-phone", 19),
    ("escape-nhs", '  - id: S2\n    text: "943 476 591\\x39"\n', "pii-nhs-number", 19),
    ("continued", '  - id: S2\n    text: "ring 0791\\\n      1123456"\n', "pii-phone", 19),
    ("escaped-space", '  - id: S2\n    text: "SW1A\\_1AA"\n', "pii-postcode", 19),
]


@pytest.mark.parametrize("case", DECODED_PII, ids=[c[0] for c in DECODED_PII])
def test_decoded_values_are_scanned(empty_root, cli, case):
    _, finding, code, line = case
    text = VALID_RECORD.format(id="2024-03-gate").replace("we_did:\n", finding + "we_did:\n")
    write_record(empty_root, "2024-03-gate", text)
    exit_code, problems = _problems(cli, empty_root)
    assert exit_code == 1
    assert (code, line) in {(p["code"], p["line"]) for p in problems}, problems


def test_a_wrapped_number_in_a_markdown_list_item_is_caught(empty_root, cli):
    body = "- She asked us to call her back on 07911\n  123456 after six.\n"
    write_record(empty_root, "2024-03-gate", _record(body=body))
    exit_code, problems = _problems(cli, empty_root)
    assert ("pii-phone", 31) in {(p["code"], p["line"]) for p in problems}


def test_a_decoded_finding_is_reported_once(empty_root, cli):
    text = VALID_RECORD.format(id="2024-03-gate").replace(
        "we_did:\n", "  - id: S2\n    text: Ring 07911 123456 please.\n" + "we_did:\n"
    )
    write_record(empty_root, "2024-03-gate", text)
    _, problems = _problems(cli, empty_root)
    assert [p["line"] for p in problems if p["code"] == "pii-phone"] == [19]


HOSTILE_ESCAPES = {
    "terminal-title": '"\\e]0;pwned\\a"',
    "bidi-override": '"Budget \\u202eetats"',
    "csi": '"red \\x1b[31m text"',
    "c1-csi": '"red \\x9b31m text"',
    "carriage-return": '"all good\\rhidden"',
}


@pytest.mark.parametrize("name", sorted(HOSTILE_ESCAPES))
def test_escapes_that_decode_to_control_characters_are_refused(empty_root, cli, name):
    value = HOSTILE_ESCAPES[name]
    write_record(empty_root, "2024-03-gate", _record(title=f"title: {value}"))
    exit_code, problems = _problems(cli, empty_root)
    assert exit_code == 1
    assert ("file-control-character", 3) in {(p["code"], p["line"]) for p in problems}
    for args in (
        ("show", "2024-03-gate"),
        ("show", "2024-03-gate", "--json"),
        ("search", "budget"),
        ("search", "red", "--json"),
        ("report", "2024-03-gate"),
        ("report", "--topic", "parenting"),
        ("export", "--format", "jsonl"),
    ):
        result = cli("--root", str(empty_root), *args)
        output = result.stdout + result.stderr
        for bad in ("\x1b", "\x07", "\u202e", "\x9b", "\r", "\\u202e", "\\u001b"):
            assert bad not in output, (args, bad)


def test_a_control_character_in_the_raw_text_c1_is_refused(empty_root, cli):
    write_record(empty_root, "2024-03-gate", _record(title="title: red \x9b31m text"))
    _, problems = _problems(cli, empty_root)
    assert ("file-control-character", 3) in {(p["code"], p["line"]) for p in problems}


def test_vocabulary_values_are_decoded_before_the_gate(empty_root, cli):
    from conftest import SAMPLE_VOCAB

    vocab = empty_root / "schemas" / "vocab"
    vocab.mkdir(parents=True)
    for name in ("topics", "places", "methods", "populations"):
        (vocab / f"{name}.yml").write_text((SAMPLE_VOCAB / f"{name}.yml").read_text())
    with (vocab / "places.yml").open("a") as handle:
        handle.write('- id: flat-nine\n  label: "Flat 9, SW1A\\x201AA"\n')
    with (vocab / "topics.yml").open("a") as handle:
        handle.write('- id: bidi-topic\n  label: "Budget \\u202e"\n')
    result = cli("--root", str(empty_root), "validate", "--format", "json")
    found = {(p["path"], p["code"]) for p in json.loads(result.stdout)["problems"]}
    assert ("schemas/vocab/places.yml", "pii-postcode") in found
    assert ("schemas/vocab/topics.yml", "file-control-character") in found


def test_placeholder_messages_do_not_echo_a_personal_key(empty_root, cli):
    from copro.core.placeholders import FIELD_GUIDANCE

    example = next(iter(FIELD_GUIDANCE.values()))
    write_record(empty_root, "2024-03-gate", _with_field(f'jane@example.com: "{example}"\n'))
    for fmt in ("text", "json", "github"):
        result = cli("--root", str(empty_root), "validate", "--format", fmt)
        assert "jane@example.com" not in result.stdout + result.stderr, fmt
