"""One Archive per command: opened once, parts read when first needed, refreshed on demand;
one Selection parsed from one shared set of options (issue 19)."""

from __future__ import annotations

import pytest

import copro
from conftest import write_record
from copro.core.errors import CoproError, UsageError
from copro.store.archive import Archive
from copro.store.selection import Selection


def test_open_follows_copro_root_from_a_folder_that_is_no_archive(
    sample_root, tmp_path, monkeypatch
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with pytest.raises(UsageError):
        Archive.open()
    monkeypatch.setenv("COPRO_ROOT", str(sample_root))
    assert Archive.open().root == sample_root.resolve()


def test_each_part_is_read_once_and_refresh_reads_the_archive_again(sample_root):
    archive = Archive.open(sample_root)
    catalog = archive.catalog
    assert archive.catalog is catalog and archive.vocab is archive.vocab
    assert archive.standings is archive.standings
    before = len(catalog)
    write_record(sample_root, "2025-01-a-new-record")
    assert len(archive.catalog) == before  # what was read stays read within a command
    archive.refresh()
    assert len(archive.catalog) == before + 1
    assert archive.catalog.get("2025-01-a-new-record") is not None


def test_a_plain_archive_names_no_members_and_refuses_member_filters(sample_root):
    archive = Archive.open(sample_root)
    assert archive.member_names == () and not archive.in_hub
    assert archive.members(()) is None
    with pytest.raises(UsageError) as caught:
        archive.members(["islington-council"])
    assert "--member" in caught.value.message


def test_library_calls_take_an_archive_or_a_root_alike(sample_root):
    archive = copro.Archive.open(sample_root)
    by_archive = copro.search_archive(archive, "parenting")
    by_root = copro.search_archive(sample_root, "parenting")
    assert [h.id for h in by_archive.results] == [h.id for h in by_root.results]
    assert by_archive.results
    engagement = archive.engagement("2019-03-somali-mothers-parenting")
    assert engagement.id == "2019-03-somali-mothers-parenting"
    with pytest.raises(CoproError):
        archive.engagement("2099-01-no-such-record")


def test_selection_expands_narrower_terms_and_keeps_what_it_names(sample_root):
    archive = Archive.open(sample_root)
    broad = next(t for t in archive.vocab["topics"].terms.values() if t.broader is None)
    wanted = Selection.parse(archive, topics=[broad.id])
    assert wanted.topics is not None and broad.id in wanted.topics
    assert wanted.topics == frozenset(archive.vocab.expand("topics", [broad.id]))
    assert wanted.named == {"topics": (broad.id,)}
    kept = [e for e in archive.catalog if wanted.finding_ids(e)]
    assert all(wanted.keeps_record(e) for e in kept)


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"since": "2024-01-01", "until": "2023-01-01"}, "--until is before --since"),
        ({"standings": ["holds"]}, "--standing 'holds' is not a standing"),
        ({"ladder": "top"}, "--ladder 'top' is not a rung"),
        ({"statuses": ["done"]}, "--status 'done' is not a status"),
        ({"said_before": "soon"}, "--said-before"),
    ],
)
def test_selection_names_the_option_a_person_got_wrong(sample_root, options, says):
    with pytest.raises(UsageError) as caught:
        Selection.parse(Archive.open(sample_root), **options)
    assert says in caught.value.message


def test_the_shared_filters_read_the_same_in_every_command():
    import typer

    from copro.cli import app

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]

    def option_help(command: str, flag: str) -> str:
        return next(p.help for p in commands[command].params if flag in p.opts)

    for flag, offered_by in {
        "--population": ("search", "findings", "themes", "report"),
        "--place": ("search", "findings", "report"),
        "--since": ("search", "report"),
        "--org": ("search", "review"),
        "--member": ("search", "findings", "themes", "report", "review", "stats", "export", "site"),
    }.items():
        helps = {option_help(command, flag) for command in offered_by}
        assert len(helps) == 1, (flag, helps)


def test_until_before_since_is_a_usage_error_in_report_too(sample_root, cli):
    for command in ("search", "report"):
        result = cli(
            "--root", str(sample_root), command, "--since", "2024-01-01", "--until", "2023-01-01"
        )
        assert result.exit_code == 2, (command, result.stderr)
        assert "--until is before --since" in result.stderr
