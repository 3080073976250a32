"""A record the gate refuses for personal data is withheld from every reading view.

`validate` names the problem; `show`, `report`, `export`, `search`, `findings`
and the rest must not print, export or index the data in the meantime (a
new user found `show` and `report` printing an e-mail address that `validate`
had refused).
"""

from __future__ import annotations

import json

from conftest import VALID_RECORD, write_record

RECORD_ID = "2024-05-leaked-contact-details"
# Fictional: the Ofcom drama range and a reserved example domain.
SECRETS = ["jo.bloggs@example.org", "0113 496 0321"]


def _leaky(root):
    text = (
        VALID_RECORD.format(id=RECORD_ID) + "\nCall 0113 496 0321 or mail jo.bloggs@example.org.\n"
    )
    write_record(root, RECORD_ID, text)


def _clean(output: str) -> None:
    for secret in SECRETS:
        assert secret not in output


def test_validate_names_the_problem(cli, sample_root):
    _leaky(sample_root)
    result = cli("--root", str(sample_root), "validate", "--format", "json")
    codes = {p["code"] for p in json.loads(result.stdout)["problems"]}
    assert result.exit_code == 1 and {"pii-email", "pii-phone"} <= codes
    _clean(result.stdout + result.stderr)


def test_show_and_report_refuse_the_record(cli, sample_root):
    _leaky(sample_root)
    for args in (["show", RECORD_ID], ["show", RECORD_ID, "--json"], ["report", RECORD_ID]):
        result = cli("--root", str(sample_root), *args)
        assert result.exit_code == 1, args
        assert "personal data" in result.stderr
        _clean(result.stdout + result.stderr)


def test_views_leave_it_out_and_say_so(cli, sample_root):
    _leaky(sample_root)
    for args in (
        ["export", "--format", "jsonl"],
        ["export", "--format", "csv"],
        ["search", "mail", "--json"],
        ["findings", "--json"],
        ["stats", "--json"],
    ):
        result = cli("--root", str(sample_root), *args)
        _clean(result.stdout + result.stderr)
        assert RECORD_ID not in result.stdout, args
        assert "1 record left out" in result.stderr, args


def test_mended_record_comes_back(cli, sample_root):
    _leaky(sample_root)
    assert cli("--root", str(sample_root), "export", "--format", "jsonl").exit_code == 0
    write_record(sample_root, RECORD_ID)
    result = cli("--root", str(sample_root), "export", "--format", "jsonl")
    assert RECORD_ID in result.stdout


def test_incremental_index_updates_keep_the_left_out_count(cli, sample_root):
    """The index's update parses only what changed, yet still counts what it leaves out."""
    assert "left out" not in cli("--root", str(sample_root), "search", "parenting").stderr
    _leaky(sample_root)
    assert "1 record left out" in cli("--root", str(sample_root), "search", "parenting").stderr
    write_record(sample_root, RECORD_ID)  # mended
    assert "left out" not in cli("--root", str(sample_root), "search", "parenting").stderr
