"""``copro new`` end to end: options, prompts, asked-before, refusals that write nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import git_init, run_cli

BASE = [
    "--title",
    "Parenting groups with Somali mums",
    "--date",
    "2026-11-02",
    "--lead",
    "Islington Family Hubs",
    "--lead-sector",
    "local-authority",
    "--place",
    "islington",
    "--method",
    "focus-group",
    "--ladder",
    "consultation",
    "--population",
    "Somali mums",
    "--topic",
    "parenting",
]


def listing(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_new_with_options_writes_a_valid_record(sample_root, cli):
    result = cli(
        "--root",
        str(sample_root),
        "new",
        *BASE,
        "--recontact-via",
        "Family hubs engagement team",
        "--yes",
    )
    assert result.exit_code == 0, result.stderr
    rel = "archive/2026/2026-11-parenting-groups-with-somali.md"
    assert result.stdout.strip() == rel
    # the next step is a command, not "fill in the file"
    assert "copro add finding 2026-11-parenting-groups-with-somali" in result.stderr
    text = (sample_root / rel).read_text()
    assert "populations: [somali-women]" in text  # the synonym resolved to its id
    assert "recontact_via: Family hubs engagement team" in text
    for placeholder in (
        "# asked:",
        "# you_said:",
        "# we_did:",
        "# decisions:",
        "# contributors:",
        "# recognition:",
        "# review_by:",
    ):
        assert placeholder in text
    for heading in ("## Summary", "## What happened", "## Reflections"):
        assert heading in text
    check = cli("--root", str(sample_root), "validate", "--json", str(sample_root / rel))
    assert check.exit_code == 0, check.stdout
    assert json.loads(check.stdout)["problems"] == []


def test_asked_before_lists_earlier_engagements(sample_root, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    result = cli("--root", str(sample_root), "new", *BASE, "--yes", "--dry-run")
    assert result.exit_code == 0
    flat = " ".join(result.stderr.split())
    assert "Asked before?" in flat
    assert "2019-03-somali-mothers-parenting" in flat
    assert "2024-04-somali-mothers-parenting-follow-up" in flat
    assert "Hiddo Women's Association" in flat
    assert "agreed" in flat


@pytest.mark.parametrize("columns", [80, 120])
def test_asked_before_shows_each_engagement_by_id_title_date_and_lead(
    sample_root, columns, monkeypatch
):
    """A new user's trial at 80 columns saw only ids under "Asked before?": the title
    column gave way first. Each engagement now shows its id with its title, date and lead
    under it, a date never split, every line within the terminal."""
    done = subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(sample_root), "new", *BASE, "--dry-run"],
        capture_output=True,
        text=True,
        env=dict(os.environ, COLUMNS=str(columns)),
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert all(line == line.rstrip() for line in lines)  # piped: no padding at line ends
    cells = [line.strip("│ ").split(" │")[0].strip() for line in lines if line.startswith("│")]
    first = cells.index("2024-04-somali-mothers-parenting-follow-up")
    title = "Does it still hold? Returning to Somali mothers on parenting"
    assert " ".join(cells[first + 1 : first + 1 + (2 if columns == 80 else 1)]) == title
    assert "13 April 2024, Islington Family Hubs" in cells
    assert "9 March 2019, Hiddo Women's Association" in cells
    header = next(line for line in lines if line.startswith("┃"))
    assert "unanswered" in header and "recontact" in header


def test_asked_before_at_a_narrow_terminal_is_a_list_with_titles(sample_root, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    result = run_cli("--root", str(sample_root), "new", *BASE, "--yes", "--dry-run")
    lines = result.stderr.splitlines()
    start = lines.index("2024-04-somali-mothers-parenting-follow-up")
    assert lines[start + 1 : start + 5] == [
        "  Does it still hold? Returning to Somali mothers on",
        "  parenting",
        "  13 April 2024, Islington Family Hubs",
        "  2 findings unanswered; recontact: agreed",
    ]
    assert "  1 finding unanswered; recontact: agreed" in lines


def test_asked_before_falls_back_to_the_title(sample_root, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    args = list(BASE)
    args[args.index("--population") + 1] = "autistic-people"
    args[args.index("--title") + 1] = "Crisis cafe at night"
    result = cli("--root", str(sample_root), "new", *args, "--yes", "--dry-run")
    assert "2023-03-crisis-care-listening-events" in result.stderr


def test_dry_run_prints_and_writes_nothing(sample_root, cli):
    before = listing(sample_root)
    result = cli("--root", str(sample_root), "new", *BASE, "--yes", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith("---\nid: 2026-11-parenting-groups-with-somali\n")
    assert listing(sample_root) == before


def test_missing_values_exit_2_naming_them(sample_root, cli):
    before = listing(sample_root)
    result = cli("--root", str(sample_root), "new", "--title", "Something", "--yes")
    assert result.exit_code == 2
    for option in (
        "--date",
        "--lead",
        "--lead-sector",
        "--place",
        "--method",
        "--ladder",
        "--population",
        "--topic",
    ):
        assert option in result.stderr
    assert listing(sample_root) == before


@pytest.mark.parametrize(
    "bad_id",
    [
        "../x",
        "/abs",
        "a/b",
        "2026-11-Upper",
        "2026-11-café",
        "2026-11-a\u200bb",
        ".",
        "..",
        "CON",
        "nul",
        "a\\b",
        "2026-11-" + "x" * 80,
        "2026-11-e\u0301",
    ],
)
def test_bad_ids_are_refused_and_nothing_is_written(sample_root, cli, bad_id, tmp_path):
    before = listing(sample_root)
    outside = listing(tmp_path)
    result = cli("--root", str(sample_root), "new", *BASE, "--id", bad_id, "--yes")
    assert result.exit_code == 2
    assert "copro: error:" in result.stderr
    assert listing(sample_root) == before
    assert listing(tmp_path) == outside


@pytest.mark.parametrize(
    "clash", ["2019-03-somali-mothers-parenting", "2019-03-SOMALI-mothers-parenting"]
)
def test_existing_id_is_never_overwritten(sample_root, cli, clash):
    target = sample_root / "archive" / "2019" / "2019-03-somali-mothers-parenting.md"
    if clash != clash.lower():
        # an upper-case id is not of the id form at all
        result = cli("--root", str(sample_root), "new", *BASE, "--id", clash, "--yes")
        assert result.exit_code == 2
        return
    before = listing(sample_root)
    result = cli("--root", str(sample_root), "new", *BASE, "--id", clash, "--yes")
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert listing(sample_root) == before
    assert target.read_bytes() == before["archive/2019/2019-03-somali-mothers-parenting.md"]


def test_id_existing_with_other_case_on_disk_is_refused(sample_root, cli):
    odd = sample_root / "archive" / "2026" / "2026-11-Parenting-Groups-With-Somali-Mums.md"
    odd.parent.mkdir(exist_ok=True)
    odd.write_text("someone else's file")
    before = listing(sample_root)
    given = "2026-11-parenting-groups-with-somali-mums"
    result = cli("--root", str(sample_root), "new", *BASE, "--id", given, "--yes")
    assert result.exit_code == 1
    assert listing(sample_root) == before
    odd.rename(odd.with_name("2026-11-Parenting-Groups-With-Somali.md"))
    made = cli("--root", str(sample_root), "new", *BASE, "--yes")  # a made id gets a number
    assert made.stdout.strip() == "archive/2026/2026-11-parenting-groups-with-somali-2.md"


@pytest.mark.parametrize(
    "option,value",
    [
        ("--title", "Call Amina on 07911 123456"),
        ("--lead", "jo@example.org"),
        ("--recontact-via", "ring 020 7946 0018"),
        # issue 9 item 5: the id too, and nothing validate would refuse after decoding
        ("--id", "2024-06-ring-07911123456"),
        ("--id", "2024-06-carers-9434765919"),
        ("--id", "2024-06-sw1a-1aa"),
        ("--title", "Budget \u202e review"),
        ("--title", "Budget \x1b]0;pwned\x07 review"),
        ("--title", "Budget \x9b31m review"),
        ("--lead", "Trust \u2066 isolated"),
        ("--title", "Ring 07911\u2013123456"),
        ("--recontact-via", "jane @ example.com"),
    ],
)
def test_typed_personal_data_is_refused_and_not_echoed(sample_root, cli, option, value):
    before = listing(sample_root)
    args = list(BASE)
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    result = cli("--root", str(sample_root), "new", *args, "--yes")
    assert result.exit_code == 2
    output = result.stderr + result.stdout
    assert "personal data" in result.stderr or "control character" in result.stderr
    assert value not in output
    for piece in ("07911", "123456", "9434765919", "sw1a", "\u202e", "\x1b", "\x9b", "\u2066"):
        assert piece not in output or piece not in value
    assert listing(sample_root) == before


def test_unknown_term_names_the_closest(sample_root, cli):
    args = list(BASE)
    args[args.index("--topic") + 1] = "parentin"
    result = cli("--root", str(sample_root), "new", *args, "--yes")
    assert result.exit_code == 2
    assert "parenting" in result.stderr


def test_git_add_hint_inside_a_work_tree(sample_root, cli):
    git_init(sample_root)
    result = cli("--root", str(sample_root), "new", *BASE, "--yes")
    assert result.exit_code == 0
    assert "git add archive/2026/2026-11-parenting-groups-with-somali.md" in " ".join(
        result.stderr.split()
    )


def test_interactive_prompts_with_defaults_numbers_and_labels(sample_root, cli):
    answers = (
        "\n".join(
            [
                "Evening drop-in for carers",  # title
                "2026-12-01",  # date
                "",  # status: default planned
                "Leeds Carers Together",  # lead
                "99",  # sector: not a choice, asked again
                "3",  # sector: voluntary
                "Leeds",  # places by label
                "drop in",  # methods by synonym
                "carers",  # populations by id
                "nowhere-topic",  # unknown topic: asked again
                "Support for carers, hospital-discharge",  # topics by label and id
                "5",  # ladder: engagement
                "y",  # recontact?
                "Leeds Carers Together office",  # route
                "n",  # quotes?
                "y",  # go on despite earlier engagements
            ]
        )
        + "\n"
    )
    result = cli("--root", str(sample_root), "new", "--interactive", input=answers)
    assert result.exit_code == 0, result.stdout + result.stderr
    rel = "archive/2026/2026-12-evening-drop-in-for-carers.md"
    text = (sample_root / rel).read_text()
    assert "sector: voluntary" in text
    assert "places: [leeds]" in text and "methods: [drop-in]" in text
    assert "topics: [carers-support, hospital-discharge]" in text
    assert "ladder: engagement" in text
    assert "recontact_via: Leeds Carers Together office" in text
    assert cli("--root", str(sample_root), "validate", str(sample_root / rel)).exit_code == 0


def test_interactive_answer_no_writes_nothing(sample_root, cli):
    before = listing(sample_root)
    result = cli("--root", str(sample_root), "new", *BASE, "--interactive", input="n\nn\nn\n")
    assert result.exit_code == 1
    assert listing(sample_root) == before


def test_asked_before_in_the_library(sample_root):
    from copro.core.vocab import load_vocabularies
    from copro.write.newrecord import NewRecord, asked_before, normalise_request

    vocab, _ = load_vocabularies(sample_root)
    request = normalise_request(
        NewRecord(
            title="x",
            date="2026-01-01",
            lead="L",
            lead_sector="nhs",
            places=["leeds"],
            methods=["workshop"],
            ladder="engagement",
            populations=["mothers"],
            topics=["family-life"],
        ),
        vocab,
    )
    earlier = {e.id: e for e in asked_before(sample_root, request, vocab)}
    # mothers (and narrower) on family-life (and narrower: parenting, maternity)
    assert set(earlier) == {
        "2019-03-somali-mothers-parenting",
        "2024-04-somali-mothers-parenting-follow-up",
        "2026-03-maternity-experiences-refugee-women",
    }
    first = earlier["2019-03-somali-mothers-parenting"]
    assert (first.lead, first.unanswered, first.recontact) == ("Hiddo Women's Association", 1, True)


def test_at_a_real_terminal_it_prompts_without_being_asked(sample_root, private_cache):
    """Driven through a pseudo-terminal: stdin is a TTY, so copro prompts on its own."""
    pexpect = pytest.importorskip("pexpect")
    import os
    import sys

    env = dict(os.environ, COPRO_CACHE_DIR=str(private_cache), COLUMNS="200", TERM="dumb")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "copro", "--root", str(sample_root), "new"],
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    steps = [
        ("Title", "Somali mums parenting again"),
        ("Start date", ""),  # today's date by default
        ("Status", ""),
        ("Lead organisation:", "Islington Family Hubs"),
        ("sector", "2"),
        ("Places", "islington"),
        ("Methods", "focus group"),
        ("Who took part", "Somali mums"),
        ("Topics", "parenting"),
        ("Rung of the ladder", "consultation"),
        ("contacted again", "n"),
        ("quoted directly", "n"),
    ]
    child.setwinsize(50, 220)
    for prompt, answer in steps:
        child.expect(prompt)
        child.sendline(answer)
    child.expect("Go on and create the new record")
    listing = child.before
    assert "Asked" in listing and "2019-03-somali-mothers-parenting" in listing, listing
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    created = list((sample_root / "archive").rglob("*-somali-mums-parenting-again.md"))
    assert len(created) == 1
    text = created[0].read_text()
    assert "sector: local-authority" in text and "populations: [somali-women]" in text


def test_new_runs_the_whole_gate_on_what_it_would_write(sample_root, monkeypatch):
    """The last line of defence: the rendered text goes through validate's per-file checks."""
    from copro.core.errors import UsageError
    from copro.write import newrecord

    monkeypatch.setattr(newrecord, "render", lambda r: "---\nid: x\n---\nCall 07911 123456\n")
    before = listing(sample_root)
    request = newrecord.NewRecord(
        title="Parenting groups",
        date="2026-11-02",
        lead="Islington Family Hubs",
        lead_sector="local-authority",
        places=["islington"],
        methods=["focus-group"],
        ladder="consultation",
        populations=["carers"],
        topics=["parenting"],
    )
    with pytest.raises(UsageError) as raised:
        newrecord.create_record(sample_root, request)
    assert "pii-phone" in str(raised.value.message) or "phone" in str(raised.value.message)
    assert "07911" not in str(raised.value.message)
    assert listing(sample_root) == before
