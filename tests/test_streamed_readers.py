"""The whole-archive readers give the same answers streamed as from a held catalog.

review, stats, findings, themes, report across records and the CSV export read
the record cache a row at a time, with the standings worked out first from the
records that revisit (``copro.store.standing.claimed_standings``). A catalog
already loaded (a long-lived process) is read instead, with the standings of
every record, as before the stream. Both must say exactly the same thing, byte
for byte, on a real generated archive with revisits of every kind (counted, a
later record's, a withdrawn one's, an unknown outcome, a finding that does not
exist, the same finding twice) and consensus statements.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
import yaml
from test_hub import area, synced  # noqa: F401  (fixtures: a synced hub of two members)

from conftest import REPO
from copro.core.columns import CSV_COLUMNS
from copro.core.workbook import guard_cell
from copro.store.archive import Archive
from copro.views.export import CSV_EXTRA_COLUMNS, export_archive
from copro.views.findings import list_findings
from copro.views.report import build_report
from copro.views.report_render import render
from copro.views.review import review
from copro.views.stats import archive_stats
from copro.views.themes import archive_themes

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic import generate, generate_statements  # noqa: E402

EARLY = "2018-01-synthetic-engagement-000000"
"""The first synthetic record (2018): every hand-made revisit below goes back to it."""


def _write(root: Path, meta: dict, body: str = "## Summary\n\nWhat happened.\n") -> None:
    path = root / "archive" / meta["date"][:4] / f"{meta['id']}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "---\n" + yaml.safe_dump(meta, sort_keys=False, width=100) + "---\n\n" + body
    path.write_text(text, encoding="utf-8")


def _record(record_id: str, date: str, revisits: list[dict], **more: object) -> dict:
    return {
        "id": record_id,
        "title": f"Going back: {record_id}",
        "status": "completed",
        "date": date,
        "organisations": [{"name": "Streamed Trust", "sector": "nhs", "role": "lead"}],
        "places": ["camden"],
        "methods": ["workshop"],
        "ladder": "consultation",
        "populations": ["carers"],
        "topics": ["housing"],
        "you_said": [{"id": "S1", "text": "It still holds, people said.", "revisits": revisits}],
        "consent": {"quotes": True, "recontact": False},
        **more,
    }


@pytest.fixture(scope="module")
def archive_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 synthetic records (a third revisit an earlier one), 20 statements, and
    hand-made records with every kind of revisit ``validate`` accepts or refuses."""
    root = tmp_path_factory.mktemp("streamed") / "hub"
    records = generate(root, 300)
    generate_statements(root, records, 20)
    for number, path in enumerate(records):  # some records past review_by
        if number % 4 == 0:
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("\nconsent:", "\nreview_by: '2021-06-01'\nconsent:", 1))
    target = f"{EARLY}#S1"
    made = [
        _record("2027-02-counted", "2027-02-01", [{"finding": target, "outcome": "changed"}]),
        _record(
            "2027-03-withdrawn",
            "2027-03-01",
            [{"finding": target, "outcome": "no-longer-holds"}],
            status="withdrawn",
        ),
        _record("2027-04-unknown", "2027-04-01", [{"finding": target, "outcome": "maybe"}]),
        _record(
            "2027-05-twice",
            "2027-05-01",
            [
                {"finding": target, "outcome": "perhaps"},
                {"finding": target, "outcome": "unclear"},
                {"finding": target, "outcome": "still-holds"},
            ],
        ),
        _record("2027-06-no-finding", "2027-06-01", [{"finding": f"{EARLY}#S9", "outcome": "changed"}]),
        _record("2027-07-no-record", "2027-07-01", [{"finding": "2017-01-gone#S1", "outcome": "changed"}]),
        _record("2017-05-too-early", "2017-05-01", [{"finding": target, "outcome": "changed"}]),
        _record("2027-08-itself", "2027-08-01", [{"finding": "2027-08-itself#S1", "outcome": "changed"}]),
        _record(
            "2027-09-later-of-two",
            "2027-09-01",
            [{"finding": "2027-02-counted#S1", "outcome": "still-holds"}],
            review_by="2027-10-01",
        ),
    ]  # fmt: skip
    for meta in made:
        _write(root, meta)
    return root


def _both(root: Path) -> tuple[Archive, Archive]:
    """(streamed, held): a fresh Archive, and one whose catalog is loaded first."""
    held = Archive.open(root)
    assert held.catalog.engagements
    return Archive.open(root), held


def _same(root: Path, answer) -> object:
    streamed, held = _both(root)
    first, second = answer(streamed), answer(held)
    assert "catalog" not in streamed.__dict__  # the stream never loaded the whole catalog
    assert first == second
    return first


def test_the_archive_has_every_kind_of_standing(archive_root):
    findings = list_findings(Archive.open(archive_root)).to_json()["findings"]
    standings = {f["standing"] for f in findings}
    assert standings == {"still-holds", "changed", "no-longer-holds", "unclear", "not-revisited"}
    early = next(f for f in findings if f["record_id"] == EARLY and f["finding_id"] == "S1")
    assert [r["finding"] for r in early["revisited_by"]] == [
        "2027-02-counted#S1",
        "2027-05-twice#S1",
    ]
    assert early["standing"] == "unclear"  # the first known outcome of 2027-05-twice


@pytest.mark.parametrize("as_of", [None, "2022-01-01", "2027-06-15", "2028-06-01"])
def test_review_and_stats_are_the_same_streamed(archive_root, as_of):
    due = _same(archive_root, lambda a: review(a, as_of).to_json())
    assert due["items"]
    _same(archive_root, lambda a: review(a, as_of, include_withdrawn=True).to_json())
    _same(archive_root, lambda a: review(a, as_of, orgs=["streamed"]).to_json())
    counted = _same(archive_root, lambda a: archive_stats(a, as_of).to_json())
    assert counted["past_review_by"]


def test_review_lists_stale_statements_the_same_streamed(archive_root, tmp_path):
    """A statement citing the finding a later record found changed is stale."""
    agreed = next(s for s in Archive.open(archive_root).statements if s.status == "agreed")
    cited = agreed.evidence[0].finding
    revisit = [{"finding": cited, "outcome": "changed"}]
    _write(archive_root, _record("2027-11-checks-a-cited-finding", "2027-11-01", revisit))
    try:
        due = _same(archive_root, lambda a: review(a, "2028-06-01").to_json())
    finally:
        (archive_root / "archive" / "2027" / "2027-11-checks-a-cited-finding.md").unlink()
    kinds = {item["kind"] for item in due["items"]}
    assert {"review-due", "consensus-stale", "consensus-review-due"} <= kinds


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"query": "carers"},
        {"standing": ["changed", "unclear"]},
        {"topics": ["housing"], "include_withdrawn": True},
        {"said_before": "2020-01-01", "populations": ["carers"]},
    ],
)
def test_findings_are_the_same_streamed(archive_root, filters):
    _same(archive_root, lambda a: json.dumps(list_findings(a, **filters).to_json()))


@pytest.mark.parametrize("filters", [{}, {"topics": ["housing"]}, {"populations": ["carers"]}])
def test_themes_are_the_same_streamed(archive_root, filters):
    _same(archive_root, lambda a: json.dumps(archive_themes(a, **filters).to_json()))


@pytest.mark.parametrize(
    "filters",
    [
        {"topics": ["housing"]},
        {"populations": ["carers"], "since": "2027-01-01"},
        {"places": ["camden"], "include_withdrawn": True},
        {"since": "2026-01-01"},
    ],
)
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_reports_across_records_are_the_same_streamed(archive_root, filters, fmt):
    import datetime as dt

    day = dt.date(2027, 12, 1)
    text = _same(archive_root, lambda a: render(build_report(a, **filters, today=day), fmt))
    assert "checked" in str(text).lower()


def _old_csv(archive: Archive) -> str:
    """The CSV as copro wrote it before (every cell through ``guard_cell``)."""
    from copro.views.export import _finding_rows

    buffer = io.StringIO()
    columns = [*CSV_COLUMNS, *CSV_EXTRA_COLUMNS]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for engagement in archive.catalog.listed():
        for row in _finding_rows(engagement):
            row["actions"] = ";".join(a.text for a in engagement.responses(row["finding_id"]))
            row["lead_organisation"] = engagement.lead_name
            row["recontact_via"] = engagement.consent.route or ""
            writer.writerow({k: guard_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def test_the_csv_export_is_the_same_streamed_and_guarded_as_before(archive_root, tmp_path):
    root = tmp_path / "guarded"
    generate(root, 40)
    _write(
        root,
        _record(
            "2024-01-formulas",
            "2024-01-05",
            [],
            title="+Plus at the start",
            topics=["housing"],
        )
        | {
            "you_said": [
                {"id": "S1", "text": "=SUM(A1:A9) said nobody"},
                {"id": "S2", "text": "Carers; -and staff, @everyone"},
                {"id": "S3", "text": "A line\n=after a newline, and 'quoted"},
            ]
        },
    )
    for where in (archive_root, root):
        result = _same(where, lambda a: export_archive(a, "csv"))
        assert result.text == _old_csv(Archive.open(where))
    assert "'=SUM" in export_archive(root, "csv").text


def test_a_hub_reads_the_same_streamed(synced):  # noqa: F811  (the fixture imported above)
    """Members' records (their terms mapped to the hub's), a revisit across members and
    one id in two members: every reader says the same streamed as from the catalog."""
    import datetime as dt

    hub = synced["hub"]
    due = _same(hub, lambda a: review(a, "2026-11-01").to_json())
    assert {item["member"] for item in due["items"]} == {"hiddo", "islington-council"}
    _same(hub, lambda a: archive_stats(a, "2026-11-01", members=["hiddo"]).to_json())
    found = _same(hub, lambda a: list_findings(a).to_json())
    assert {row["standing"] for row in found["findings"]} == {"still-holds", "not-revisited"}
    _same(hub, lambda a: archive_themes(a).to_json())
    day = dt.date(2026, 12, 1)
    _same(hub, lambda a: render(build_report(a, topics=["parenting"], today=day), "md"))
    _same(hub, lambda a: export_archive(a, "csv").text)
    _same(hub, _xlsx)


def _xlsx(archive: Archive, include_withdrawn: bool = False) -> tuple[object, ...]:
    """An xlsx export's counts and its parts (the zip's times left out)."""
    import zipfile

    result = export_archive(archive, "xlsx", include_withdrawn=include_withdrawn)
    assert result.data is not None
    with zipfile.ZipFile(io.BytesIO(result.data)) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    return result.records, result.rows, result.skipped, parts


@pytest.mark.parametrize("include_withdrawn", [False, True])
def test_the_xlsx_export_is_the_same_streamed(archive_root, include_withdrawn):
    """Streamed, the findings go into their sheet as they are read: the same sheets,
    standings included, as from a held catalog (the zip's times aside)."""
    records, rows, _, parts = _same(archive_root, lambda a: _xlsx(a, include_withdrawn))
    assert records > 200 and rows > records
    assert b"no-longer-holds" in parts["xl/worksheets/sheet1.xml"]
