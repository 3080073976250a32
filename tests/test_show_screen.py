"""``copro show`` of a record just made by ``new``, read at 80 columns.

No dot dangling in the header, one date for a one-day event, sectors by their
label, and no heading whose section is still the template's placeholder.
"""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import NEW_OPTIONS

RID = "2026-12-evening-drop-in-for-carers"


def copro(root, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(root), *args],
        capture_output=True, text=True, env=dict(os.environ, COLUMNS="80"), timeout=120,
    )  # fmt: skip


def test_show_of_a_new_one_day_record(sample_root):
    made = copro(sample_root, "new", "--title", "Evening drop-in for carers", *NEW_OPTIONS,
                 "--id", RID, "--yes")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert copro(sample_root, "update", RID, "--end-date", "1/12/2026").returncode == 0
    shown = copro(sample_root, "show", RID)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert not [line for line in lines if line.rstrip(" │").endswith("·")], shown.stdout
    assert any(RID in line for line in lines[:4]) and any(".md" in line for line in lines[:5])
    rows = {line.split(None, 1)[0]: line.split(None, 1)[1] for line in lines if "  " in line
            and not line.startswith(("│", "╭", "╰", " "))}  # fmt: skip
    assert rows["date"] == "2026-12-01" and "dates" not in rows
    assert "Leeds Carers Together (Voluntary sector, lead)" in shown.stdout
    assert "voluntary, lead" not in shown.stdout
    for heading in ("Summary", "What happened", "Reflections"):
        assert heading not in shown.stdout  # the template's placeholders only


def test_show_of_a_record_with_a_long_id_puts_its_path_on_a_line_of_its_own(sample_root):
    long_id = "2026-12-evening-drop-in-for-carers-in-leeds"
    made = copro(sample_root, "new", "--title", "Evening drop-in", *NEW_OPTIONS,
                 "--id", long_id, "--yes")  # fmt: skip
    assert made.returncode == 0, made.stderr
    shown = copro(sample_root, "show", long_id)
    header = shown.stdout.split("╰", 1)[0]
    assert "·" not in header
    assert f"│ {long_id}" in header and f"│ archive/2026/{long_id}.md" in header


def test_show_keeps_both_dates_and_sections_with_words(sample_root):
    shown = copro(sample_root, "show", "2019-03-somali-mothers-parenting")
    assert "2019-03-09 to 2019-05-25" in shown.stdout
    assert "Summary" in shown.stdout and "Five focus groups" in shown.stdout
    assert "Local authority, partner" in shown.stdout


def test_show_of_a_statement_hangs_each_item_under_its_value(sample_root):
    """Wrapped lines of Confidence, Checked with, Decided and Thanks continue under the text
    after their label or bullet, as show of a record does, never back at the margin."""
    import shutil

    from conftest import REPO

    shutil.copytree(REPO / "consensus", sample_root / "consensus")
    shown = copro(sample_root, "show", "2025-09-own-language-and-words")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)

    def section(heading: str) -> list[str]:
        start = lines.index(heading) + 1
        end = next(i for i in range(start, len(lines)) if not lines[i].startswith(" "))
        return lines[start:end]

    adequacy = next(i for i, line in enumerate(lines) if line.startswith("  Adequacy: "))
    assert lines[adequacy + 1].startswith(" " * len("  Adequacy: ")), lines[adequacy : adequacy + 2]
    checked = section("Checked with")
    assert checked[0].startswith("  2025-09-10: ") and checked[1].startswith(" " * 14), checked
    thanks = section("Thanks")
    assert thanks[0].startswith("  Ubah Warsame-Ellery") and thanks[1].startswith("    "), thanks
    decided = section("Decided because of it")
    assert decided[0].startswith("  • ") and all(line.startswith("    ") for line in decided[1:])
    assert "decided together" in " ".join(" ".join(decided).split()), decided


def test_piped_output_has_no_trailing_spaces(sample_root):
    """Tables and Markdown are padded to the width at a terminal; into a pipe or a file,
    where the spaces are only noise in a diff or an email, no line ends with one."""
    import shutil

    from conftest import REPO

    shutil.copytree(REPO / "consensus", sample_root / "consensus")
    for args in (
        ("show", "2019-03-somali-mothers-parenting"),
        ("show", "2025-09-own-language-and-words"),
        ("search", "parenting"),
        ("stats",),
    ):
        done = copro(sample_root, *args)
        assert done.returncode == 0, done.stderr
        padded = [line for line in done.stdout.splitlines() if line != line.rstrip()]
        assert not padded, (args, padded)
        assert len(done.stdout.splitlines()) > 5, done.stdout


def test_show_lists_a_records_decisions_and_who_made_them(sample_root):
    """show is 'everything above' in the README: decisions were in --json and the report
    but not on the screen (found by a new user's trial)."""
    shown = copro(sample_root, "show", "2018-05-peer-coaching-programme")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert "Decided" in lines
    assert "  • Referral criteria and routes (decided together, 2018-07-10)" in lines
    assert "decided by the organisation" in shown.stdout
