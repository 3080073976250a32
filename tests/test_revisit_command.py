"""``copro revisit`` and ``copro similar`` end to end on a copy of the sample archive."""

from __future__ import annotations

import json
import re

import pytest

OLD = "2019-03-somali-mothers-parenting"


def test_revisit_drafts_a_record_that_validates_and_records_answers_by_uncommenting(
    sample_root, cli
):
    result = cli(
        "--root",
        str(sample_root),
        "revisit",
        OLD,
        "--date",
        "2026-12-01",
        "--id",
        "2026-12-back-again",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "archive/2026/2026-12-back-again.md"
    assert "Islington Family Hubs engagement team" in result.stderr  # they agreed to recontact
    path = sample_root / result.stdout.strip()
    text = path.read_text()
    assert 'title: "Does it still hold? Somali mothers on parenting' in text
    assert "related: [2019-03-somali-mothers-parenting]" in text
    assert "places: [islington]" in text and "populations: [somali-women, mothers]" in text
    assert text.count("In March 2019 you told us: ") == 4
    assert "you told us: Many mothers fear that asking for help will bring social services" in text
    assert "\u201c" not in text  # the 2019 group did not agree to quotes: no quotation marks
    assert cli("--root", str(sample_root), "validate", "--json").exit_code == 0
    # Recording the answers: uncomment the you_said block and choose outcomes.
    lines = text.split("\n")
    start = lines.index("# you_said:")
    end = lines.index("# we_did:")
    answered = [re.sub(r"^# ?", "", line) for line in lines[start:end]]
    answered = [
        line.replace("outcome: still-holds", "outcome: changed", 1) if "S2" in line else line
        for line in answered
    ]
    path.write_text("\n".join(lines[:start] + answered + lines[end:]))
    result = cli("--root", str(sample_root), "validate", "--json")
    assert result.exit_code == 0, result.stdout
    findings = json.loads(
        cli("--root", str(sample_root), "findings", "--json", "--said-before", "2020-01-01").stdout
    )
    standing = {
        r["finding_id"]: (r["standing"], r["standing_date"])
        for r in findings["findings"]
        if r["record_id"] == OLD
    }
    assert standing == {sid: ("still-holds", "2026-12-01") for sid in ("S1", "S2", "S3", "S4")}


def test_revisit_refuses_what_it_must(sample_root, cli):
    root = str(sample_root)
    existing = "2024-04-somali-mothers-parenting-follow-up"
    result = cli("--root", root, "revisit", OLD, "--date", "2026-12-01", "--id", existing)
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert cli("--root", root, "revisit", "2019-01-no-such-record").exit_code == 1
    assert cli("--root", root, "revisit", "Not An Id").exit_code == 2
    result = cli("--root", root, "revisit", OLD, "--date", "2019-03-09")
    assert result.exit_code == 2 and "not after" in result.stderr
    assert cli("--root", root, "revisit", OLD, "--date", "2026-02-30").exit_code == 2
    assert cli("--root", root, "revisit", OLD, "--id", "../escape").exit_code == 2
    assert not (sample_root / "archive" / "2026" / "escape.md").exists()


def test_revisit_without_recontact_consent_says_to_invite_afresh(sample_root, cli):
    result = cli(
        "--root",
        str(sample_root),
        "revisit",
        "2020-06-digital-gp-access",
        "--date",
        "2026-12-01",
        "--dry-run",
    )
    assert result.exit_code == 0
    assert "did not agree to be contacted again" in result.stderr
    # ids people can type: no "does it still hold", at most five words, 40 characters
    assert result.stdout.startswith("---\nid: 2026-12-getting-a-gp-appointment-when\n")
    assert "\u201cOnline forms close by 8.30" in result.stdout  # this group agreed to quotes
    assert not list((sample_root / "archive").glob("2026/2026-12-*"))


@pytest.mark.usefixtures("search_backend")
def test_similar_lists_findings_of_other_records(sample_root, cli):
    result = cli("--root", str(sample_root), "similar", f"{OLD}#S3", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["finding"] == f"{OLD}#S3"
    assert set(document["results"][0]) == {"finding", "text", "date", "score"}
    assert document["results"][0]["finding"] == "2024-04-somali-mothers-parenting-follow-up#S2"
    assert not any(r["finding"].startswith(OLD + "#") for r in document["results"])
    scores = [r["score"] for r in document["results"]]
    assert scores == sorted(scores, reverse=True)
    limited = json.loads(
        cli("--root", str(sample_root), "similar", f"{OLD}#S3", "--json", "--limit", "1").stdout
    )
    assert len(limited["results"]) == 1


def test_similar_bad_and_unknown_findings(sample_root, cli):
    root = str(sample_root)
    assert cli("--root", root, "similar", OLD).exit_code == 2  # no #SN
    assert cli("--root", root, "similar", f"{OLD}#S1", "--limit", "0").exit_code == 2
    assert cli("--root", root, "similar", "2019-01-nowhere#S1").exit_code == 1
    result = cli("--root", root, "similar", f"{OLD}#S9")
    assert result.exit_code == 1 and "has no finding S9" in result.stderr


def test_at_a_terminal_revisit_asks_before_writing(sample_root, private_cache):
    """Driven through a pseudo-terminal: "no" leaves nothing written and exits 1."""
    pexpect = pytest.importorskip("pexpect")
    import os
    import sys

    env = dict(os.environ, COPRO_CACHE_DIR=str(private_cache), COLUMNS="200", TERM="dumb")
    args = ["-m", "copro", "--root", str(sample_root), "revisit", OLD, "--date", "2026-12-01"]
    child = pexpect.spawn(sys.executable, args, env=env, encoding="utf-8", timeout=60)
    child.expect("Create archive/2026/")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert not list((sample_root / "archive").glob("2026/2026-12-*"))
