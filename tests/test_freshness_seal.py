"""The freshness check at scale (issue 24): seals, and the scan made ahead.

Derived data (the record cache, the reference table) keeps a seal of the scan
it last matched: when the listing is the same, only files modified within the
clock's granularity of that scan are read; when one file moved, only it is.
``show``, ``search`` and the other read-only commands scan in a forked process
while the command starts. None of these shortcuts may miss an edit in place:
these tests edit real files (same size; mtime kept with ``os.utime`` or moved)
and run copro as a user does, a process per command (``python -m copro``, so
the scan made ahead is what is checked), as well as through the library.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import VALID_RECORD, revisiting, write_record
from copro.store import freshness, listing
from copro.store.freshness import Seal, scan, scan_ahead, seal, since

OLD = "2024-03-earlier"
LATER = "2025-03-later"
HOUR_NS = 3600 * 10**9


def copro(*args: str) -> subprocess.CompletedProcess[str]:
    """copro as a user runs it: its own process, through the console entry point."""
    done = subprocess.run(
        [sys.executable, "-m", "copro", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def edit_in_place(path: Path, old: str, new: str, mtime: str) -> None:
    """Replace ``old`` by ``new`` (same length) in ``path``; ``mtime`` "kept" puts the
    old mtime back (an edit in the same clock tick), "moved" sets it an hour later."""
    assert len(old.encode()) == len(new.encode())
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    assert path.stat().st_size == info.st_size
    when = info.st_mtime_ns if mtime == "kept" else info.st_mtime_ns + HOUR_NS
    os.utime(path, ns=(info.st_atime_ns, when))


def age(root: Path, mtime: str) -> None:
    """For an edit that moves the mtime: date every record two hours back first, so no
    file is racy and only the moved mtime can tell (an edit within the clock's tick is
    the "kept" case)."""
    if mtime == "moved":
        for path in (root / "archive").rglob("*.md"):
            info = path.stat()
            os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - 2 * HOUR_NS))


def standing(root: Path) -> str:
    done = copro("--root", str(root), "show", OLD, "--json")
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["standing"][0]["standing"])


# ---- end to end, a process per command -----------------------------------------


@pytest.mark.parametrize("mtime", ["kept", "moved"])
def test_show_sees_an_inbound_revisit_edited_in_place(empty_root: Path, mtime: str) -> None:
    """The reference table decides which files are read for inbound references: an
    edit that makes another record name this one must reach it."""
    elsewhere = OLD[:-1] + "x"  # another record's id, of the same length
    write_record(empty_root, OLD)
    later = write_record(empty_root, LATER, revisiting(LATER, f"{elsewhere}#S1"))
    age(empty_root, mtime)
    assert standing(empty_root) == "not-revisited"
    assert standing(empty_root) == "not-revisited"  # sealed: nothing read but racy files
    edit_in_place(later, f"{elsewhere}#S1", f"{OLD}#S1", mtime)
    assert standing(empty_root) == "changed"
    edit_in_place(later, f"{OLD}#S1", f"{elsewhere}#S1", mtime)
    assert standing(empty_root) == "not-revisited"


@pytest.mark.parametrize("mtime", ["kept", "moved"])
def test_show_sees_its_own_record_and_links_edited_in_place(empty_root: Path, mtime: str) -> None:
    old = write_record(empty_root, OLD)
    write_record(empty_root, LATER, revisiting(LATER))
    age(empty_root, mtime)
    first = copro("--root", str(empty_root), "show", OLD, "--json")
    assert json.loads(first.stdout)["body"].strip().endswith("A small test engagement.")
    edit_in_place(old, "A small test engagement.", "A short test engagement.", mtime)
    again = copro("--root", str(empty_root), "show", OLD, "--json")
    assert json.loads(again.stdout)["body"].strip().endswith("A short test engagement.")


@pytest.mark.parametrize("mtime", ["kept", "moved"])
def test_search_sees_an_edit_in_place(empty_root: Path, mtime: str) -> None:
    record = VALID_RECORD.format(id=OLD).replace("A small test engagement.", "apples")
    path = write_record(empty_root, OLD, record)
    write_record(empty_root, LATER, revisiting(LATER))
    age(empty_root, mtime)

    def found(word: str) -> list[str]:
        done = copro("--root", str(empty_root), "search", word, "--json")
        assert done.returncode in (0, 1), done.stderr
        return [hit["id"] for hit in json.loads(done.stdout)["results"]] if done.stdout else []

    assert found("apples") == [OLD]
    assert found("apples") == [OLD]
    edit_in_place(path, "apples", "pears ", mtime)
    assert found("pears") == [OLD]
    assert found("apples") == []


@pytest.mark.parametrize("mtime", ["kept", "moved"])
def test_add_finding_sees_a_revisit_number_edited_in_place(empty_root: Path, mtime: str) -> None:
    write_record(empty_root, OLD)
    later = write_record(empty_root, LATER, revisiting(LATER))
    age(empty_root, mtime)
    assert standing(empty_root) == "changed"  # the reference table is sealed
    edit_in_place(later, f"{OLD}#S1", f"{OLD}#S7", mtime)
    done = copro("--root", str(empty_root), "add", "finding", OLD, "--text", "More.", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == "S8"  # S7 is named elsewhere: never reused


def test_records_added_and_removed_between_commands_are_seen(empty_root: Path) -> None:
    write_record(empty_root, OLD)
    assert standing(empty_root) == "not-revisited"
    later = write_record(empty_root, LATER, revisiting(LATER))
    assert standing(empty_root) == "changed"
    later.unlink()
    assert standing(empty_root) == "not-revisited"


def test_a_command_outside_an_archive_still_says_so(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "copro", "show", OLD],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "no archive/ folder" in done.stderr
    assert "Traceback" not in done.stderr


# ---- the seal -------------------------------------------------------------------


def sealed_now(root: Path, digests: dict[str, str | None] | None = None) -> Seal:
    """A seal of ``root``'s scan now, sent through a meta table's (key, value) rows."""
    found = scan(root)
    made = seal(found, digests or {})
    rows = dict(made.to_meta())
    kept = Seal.from_meta(rows.get)
    assert kept is not None
    return kept


def content_digest(path: Path) -> str:
    return freshness.digest(path.read_bytes())


def test_nothing_moved_since_a_seal(empty_root: Path) -> None:
    path = write_record(empty_root, OLD)
    kept = sealed_now(empty_root, {f"archive/2024/{OLD}.md": content_digest(path)})
    delta = since(scan(empty_root), kept)
    assert delta is not None and not delta and delta.same_listing


def test_a_racy_file_edited_in_place_is_moved(empty_root: Path) -> None:
    path = write_record(empty_root, OLD)
    rel = f"archive/2024/{OLD}.md"
    kept = sealed_now(empty_root, {rel: content_digest(path)})
    assert rel in kept.racy  # written just now: within the clock's granularity
    edit_in_place(path, "A small", "A short", "kept")
    delta = since(scan(empty_root), kept)
    assert delta is not None and delta.same_listing and list(delta.moved) == [rel]


def test_a_file_with_another_mtime_is_moved_alone(empty_root: Path) -> None:
    paths = [write_record(empty_root, f"2024-03-record-{n}") for n in range(5)]
    for path in paths:  # all older than the racy window: nothing read to compare
        info = path.stat()
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - 2 * HOUR_NS))
    kept = sealed_now(empty_root)
    assert kept.racy == {}
    edit_in_place(paths[2], "A small", "A short", "moved")
    delta = since(scan(empty_root), kept)
    assert delta is not None and not delta.same_listing
    assert list(delta.moved) == ["archive/2024/2024-03-record-2.md"] and delta.removed == []


def test_files_added_and_removed_since_a_seal(empty_root: Path) -> None:
    first = write_record(empty_root, OLD)
    kept = sealed_now(empty_root, {f"archive/2024/{OLD}.md": content_digest(first)})
    first.unlink()
    write_record(empty_root, LATER)
    delta = since(scan(empty_root), kept)
    assert delta is not None
    assert list(delta.moved) == [f"archive/2025/{LATER}.md"]
    assert delta.removed == [f"archive/2024/{OLD}.md"]


def test_a_file_that_could_not_be_read_is_looked_at_again(empty_root: Path) -> None:
    write_record(empty_root, OLD)
    rel = f"archive/2024/{OLD}.md"
    found = scan(empty_root)
    kept = Seal.from_meta(dict(seal(found, {}, unread=[rel]).to_meta()).get)
    assert kept is not None and kept.racy[rel] is None
    delta = since(scan(empty_root), kept)
    assert delta is not None and list(delta.moved) == [rel]


def test_a_seal_not_written_by_copro_is_not_trusted() -> None:
    assert Seal.from_meta({}.get) is None
    assert Seal.from_meta({"seal_listing": "x", "seal_scanned_at": "1"}.get) is None
    assert (
        Seal.from_meta({"seal_listing": "x", "seal_scanned_at": 1, "seal_racy": "[1]"}.get) is None
    )
    columnless = Seal.from_meta(
        {"seal_listing": "x", "seal_scanned_at": 1, "seal_racy": "{}", "seal_names": b"a"}.get
    )
    assert columnless is not None and columnless.columns() is None


# ---- the scan made ahead --------------------------------------------------------


needs_fork = pytest.mark.skipif(sys.platform != "linux", reason="the scan ahead is Linux-only")


@needs_fork
def test_the_scan_made_ahead_is_the_scan_of_the_archive(empty_root: Path) -> None:
    write_record(empty_root, OLD)
    write_record(empty_root, LATER, revisiting(LATER))
    (empty_root / "archive" / "2025" / "link.md").symlink_to(f"{LATER}.md")
    here = listing.list_folder(str(empty_root), "archive")
    scan_ahead(str(empty_root))
    ahead = scan(empty_root.resolve())
    assert ahead.columns() == here.columns() and ahead.symlinks == here.symlinks
    assert ahead.files == here.files and ahead.listing() == here.listing()
    assert listing._AHEAD is None  # used once: a later scan sees later writes
    path = write_record(empty_root, "2025-04-newer")
    assert f"archive/2025/{path.name}" in scan(empty_root.resolve()).files


@needs_fork
def test_a_scan_made_ahead_of_another_root_is_not_used(tmp_path: Path, empty_root: Path) -> None:
    other = tmp_path / "other"
    (other / "archive" / "2024").mkdir(parents=True)
    write_record(other, OLD)
    write_record(empty_root, LATER)
    scan_ahead(str(other))
    found = scan(empty_root.resolve())
    assert list(found.files) == [f"archive/2025/{LATER}.md"]
    assert listing._AHEAD is None


@needs_fork
def test_a_scan_ahead_that_finds_no_archive_leaves_the_scan_to_the_command(
    tmp_path: Path, empty_root: Path
) -> None:
    write_record(empty_root, OLD)
    scan_ahead(str(tmp_path / "nowhere"))
    assert list(scan(empty_root.resolve()).files) == [f"archive/2024/{OLD}.md"]


# ---- a scan made ahead, taken under the writer lock ------------------------------


def rename_into_place(path: Path, old: str, new: str) -> None:
    """Edit ``path`` as every copro writer does: a new file renamed over it."""
    staged = path.with_name(f".{path.name}.tmp")
    staged.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.replace(staged, path)


def age_folders(root: Path) -> None:
    for folder in [root / "archive", *(root / "archive").iterdir()]:
        info = folder.stat()
        os.utime(folder, ns=(info.st_atime_ns, info.st_mtime_ns - 2 * HOUR_NS))


def test_folders_no_writer_touched_are_taken_as_scanned(empty_root: Path) -> None:
    write_record(empty_root, OLD)
    write_record(empty_root, LATER)
    age_folders(empty_root)
    made = listing.list_folder(str(empty_root), "archive")
    assert listing.revalidated(made) is made


def date_folder(folder: Path, mtime_ns: int) -> None:
    os.utime(folder, ns=(folder.stat().st_atime_ns, mtime_ns))


def test_a_folder_written_a_second_before_is_taken_as_scanned_where_timestamps_are_fine(
    empty_root: Path,
) -> None:
    """A rename after the listing would change an mtime kept to the nanosecond (Linux
    stamps it from a clock that ticks every 10 ms at most): a folder written into a
    second earlier, as by the ``add`` just before, need not be listed again. Where
    timestamps are whole seconds (FAT keeps two), the folder is listed again."""
    old = write_record(empty_root, OLD)
    age_folders(empty_root)
    second_ago = time.time_ns() - 10**9
    date_folder(old.parent, second_ago - second_ago % 10**9 + 123_456_789)
    made = listing.list_folder(str(empty_root), "archive")
    assert listing.revalidated(made) is made
    date_folder(old.parent, second_ago - second_ago % 10**9)
    made = listing.list_folder(str(empty_root), "archive")
    again = listing.revalidated(made)
    assert again is not None and again is not made


def test_a_folder_another_writer_renamed_into_is_listed_again(empty_root: Path) -> None:
    old = write_record(empty_root, OLD)
    write_record(empty_root, LATER)
    age_folders(empty_root)
    made = listing.list_folder(str(empty_root), "archive")
    rename_into_place(old, "A small test engagement.", "A much longer test engagement.")
    again = listing.revalidated(made)
    assert again is not None and again is not made
    assert again.files == listing.list_folder(str(empty_root), "archive").files
    assert again.files[f"archive/2024/{OLD}.md"][0] == old.stat().st_size


def test_a_folder_renamed_into_within_the_clock_tick_is_listed_again(empty_root: Path) -> None:
    old = write_record(empty_root, OLD)
    made = listing.list_folder(str(empty_root), "archive")
    folder = old.parent.stat()
    rename_into_place(old, "A small test engagement.", "A much longer test engagement.")
    os.utime(old.parent, ns=(folder.st_atime_ns, folder.st_mtime_ns))  # the same tick
    again = listing.revalidated(made)
    assert again is not None
    assert again.files[f"archive/2024/{OLD}.md"][0] == old.stat().st_size


def test_a_new_year_folder_needs_a_new_scan(empty_root: Path) -> None:
    write_record(empty_root, OLD)
    made = listing.list_folder(str(empty_root), "archive")
    write_record(empty_root, LATER)  # archive/2025/ is new
    assert listing.revalidated(made) is None


@needs_fork
def test_under_the_writer_lock_the_scan_made_ahead_is_checked(empty_root: Path) -> None:
    from copro.core.fileio import archive_lock

    old = write_record(empty_root, OLD)
    age_folders(empty_root)
    root = empty_root.resolve()
    scan_ahead(str(root))
    assert listing._AHEAD is not None
    os.waitpid(listing._AHEAD[0], 0)  # the scan is made (its result waits in the pipe)
    rename_into_place(old, "A small test engagement.", "A much longer test engagement.")
    with archive_lock(root):
        found = scan(root)
    assert found.files[f"archive/2024/{OLD}.md"][0] == old.stat().st_size


# ---- the columns compared and sealed as bytes ---------------------------------------


def many_records(root: Path, years: range, per_year: int) -> list[Path]:
    """``per_year`` records in each year's folder, all dated two hours back (none racy)."""
    made = [
        write_record(root, f"{year}-01-record-{n:03d}") for year in years for n in range(per_year)
    ]
    for path in made:
        info = path.stat()
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - 2 * HOUR_NS))
    age_folders(root)
    return made


def test_edits_far_apart_in_a_large_listing_are_each_found(empty_root: Path) -> None:
    made = many_records(empty_root, range(2019, 2023), 60)
    kept = Seal.from_meta(dict(seal(scan(empty_root), {}).to_meta()).get)
    edited = [made[0], made[101], made[-1]]
    for path in edited:  # the same files; one grows, two keep their size
        info = path.stat()
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + HOUR_NS))
    edited[0].write_text(edited[0].read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    delta = since(scan(empty_root), kept)
    assert delta is not None and not delta.removed
    assert sorted(delta.moved) == sorted(p.relative_to(empty_root).as_posix() for p in edited)
    assert delta.moved[edited[0].relative_to(empty_root).as_posix()][0] == edited[0].stat().st_size


def test_a_new_seal_writes_only_the_columns_that_changed(empty_root: Path) -> None:
    """After one edit the relpaths and sizes are as sealed: only the mtimes are written
    again (at 50,000 records, a few hundred KB instead of a few MB)."""
    made = many_records(empty_root, range(2020, 2022), 5)
    table = dict(seal(scan(empty_root), {}).to_meta())
    kept = Seal.from_meta(table.get)
    info = made[3].stat()
    os.utime(made[3], ns=(info.st_atime_ns, info.st_mtime_ns + HOUR_NS))
    found = scan(empty_root)
    rows = dict(seal(found, {}).to_meta(kept))
    assert "seal_names" not in rows and "seal_sizes" not in rows and "seal_mtimes" in rows
    table.update(rows)
    resealed = Seal.from_meta(table.get)
    assert resealed is not None and resealed.columns() == found.columns()
    delta = since(scan(empty_root), resealed)
    assert delta is not None and not delta and delta.same_listing


def test_a_scan_made_ahead_is_spliced_where_a_writer_renamed_into_a_folder(
    empty_root: Path,
) -> None:
    """The scan made ahead comes as bytes; under the writer lock, a folder another writer
    renamed into is listed again and spliced into them: the result is the scan made now."""
    made = many_records(empty_root, range(2019, 2023), 4)
    ahead = listing.encode(str(empty_root), listing.list_folder(str(empty_root), "archive"))
    assert ahead is not None
    taken = listing.decode(ahead, str(empty_root))
    assert taken is not None and taken._columns is None  # nothing decoded yet
    rename_into_place(made[6], "A small test engagement.", "A much longer test engagement.")
    write_record(empty_root, "2021-02-added")
    again = listing.revalidated(taken)
    now = listing.list_folder(str(empty_root), "archive")
    assert again is not None and again is not taken
    assert again.files == now.files and again.listing() == now.listing()
    assert again.column_bytes() == now.column_bytes()
    just_written = {made[6].relative_to(empty_root).as_posix(), "archive/2021/2021-02-added.md"}
    assert taken.racy(taken.started) == []  # noted while listing, for the scan's own start
    assert set(again.racy(again.started)) == just_written
    rename_into_place(made[13], "A small test engagement.", "A much longer test engagement.")
    twice = listing.revalidated(again)  # each folder's run of bytes was kept right
    assert twice is not None
    assert twice.column_bytes() == listing.list_folder(str(empty_root), "archive").column_bytes()


def test_the_forked_scan_finds_the_root_the_command_finds(
    empty_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan made ahead finds the root without copro's imports (it runs before them);
    wherever the command would find one, it finds the same (else it only scans for
    nothing: the command checks the root and scans itself)."""
    from copro.core.paths import find_root

    inside = empty_root / "archive" / "2024"
    inside.mkdir(parents=True, exist_ok=True)
    monkeypatch.delenv("COPRO_ROOT", raising=False)
    monkeypatch.chdir(inside)
    assert listing._root_for(None) == str(find_root(None))
    assert listing._root_for("../..") == str(find_root("../.."))
    monkeypatch.setenv("COPRO_ROOT", str(empty_root))
    assert listing._root_for(None) == str(find_root(None))
    monkeypatch.setenv("COPRO_ROOT", str(tmp_path / "nowhere"))
    assert listing._root_for(None) is None
