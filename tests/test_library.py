"""Every command has a one-call Python equivalent that returns a value (no CLI involved)."""

from __future__ import annotations

import pytest

import copro
from conftest import git_init
from copro.write.newrecord import NewRecord


def test_one_call_equivalents(sample_root, tmp_path):
    import copro.views.review  # noqa: F401  (importing submodules must not shadow the functions)
    import copro.views.search  # noqa: F401

    assert copro.validate_archive(sample_root).ok
    assert copro.update_index(sample_root).documents == 16
    found = copro.search_archive(sample_root, "parenting", populations=["somali-women"])
    assert {hit.id for hit in found.results} == {
        "2019-03-somali-mothers-parenting",
        "2024-04-somali-mothers-parenting-follow-up",
    }
    assert (
        copro.show_record(sample_root, "2021-09-phb-peer-network").front_matter["ladder"]
        == "engagement"
    )
    report = copro.build_report(sample_root, "2019-03-somali-mothers-parenting")
    assert report.answered == 3 and report.findings == 4
    assert copro.review_archive(sample_root, "2026-11-28").count("review-due") == 5
    assert copro.export_archive(sample_root, "csv").rows == 36  # not the withdrawn record
    assert copro.archive_stats(sample_root).records == 15  # not the withdrawn one
    table = copro.standings(copro.load_catalog(sample_root).engagements)
    old = copro.load_engagement(sample_root, "2019-03-somali-mothers-parenting")
    assert table.of(old, "S3").words() == "still holds, checked April 2024"
    assert copro.list_findings(sample_root, standing=["changed"]).total == 2
    assert copro.archive_themes(sample_root, topics=["parenting"]).themes[0].findings == 4
    assert copro.similar_findings(sample_root, f"{old.id}#S3").results
    draft = copro.draft_revisit(sample_root, old.id, date="2026-12-01", dry_run=True)
    assert not draft.created.written and "related: [2019-03-somali-mothers-parenting]" in (
        draft.created.text
    )
    created = copro.create_record(
        sample_root,
        NewRecord(
            title="Library test",
            date="2026-12-01",
            lead="Lead Org",
            lead_sector="nhs",
            places=["leeds"],
            methods=["workshop"],
            ladder="engagement",
            populations=["carers"],
            topics=["carers-support"],
        ),
    )
    assert created.written and created.path.exists()
    git_init(sample_root)
    assert [c.message for c in copro.record_history(sample_root, "2026-12-library-test")] == [
        "Initial archive"
    ]
    assert copro.init_archive(tmp_path / "new").git_initialised


def test_errors_are_values_with_exit_codes(sample_root):
    with pytest.raises(copro.CoproError) as caught:
        copro.search_archive(sample_root, "x", since="not-a-date")
    assert caught.value.exit_code == 2 and caught.value.hint
