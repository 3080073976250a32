"""The engagement model and the catalog, written as runnable documentation of the library.

Read top to bottom: load an archive, ask an engagement the questions every
command asks (lead, responses, unanswered findings, consent), then how the
catalog treats sources, refused files and its cache.
"""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import time
from pathlib import Path

import pytest

from conftest import VALID_RECORD
from copro.core import model
from copro.core.errors import CoproError, UsageError
from copro.core.model import Engagement
from copro.core.schema import load_schema
from copro.store.catalog import Source, load_catalog, load_engagement
from copro.store.recordcache import CACHE_FILE

RICH = """---
id: 2024-05-rich
title: Everything a record can say
aim: Learn why parents stop coming to groups.
status: completed
date: 2024-05-01
organisations:
  - {name: Partner Org, sector: voluntary, role: partner}
  - {name: Lead Trust, sector: nhs, role: lead}
places: [camden]
methods: [workshop]
ladder: co-design
populations: [carers]
participants: 12
topics: [parenting]
you_said:
  - id: S1
    text: Evening groups clash with bedtime.
    topics: [housing]
  - id: S2
    text: Nobody told us what happened last time.
    revisits:
      - {finding: "2019-03-old#S3", outcome: still-holds}
  - id: S3
    text: Childcare would help.
we_did:
  - {id: D1, responds_to: [S1, S3], status: done, date: 2024-06-01, text: Moved to mornings.}
  - {id: D2, responds_to: [S1], status: planned, text: Ask again in autumn.}
contributors:
  - {role: peer researcher, credit: named, name: Ada Example}
  - {role: parent, credit: anonymous, name: Hidden Person}
consent: {quotes: false, recontact: true, recontact_via: Parents' Forum}
review_by: 2025-05-01
feedback_given:
  - {date: 2024-07-01, channel: community meeting}
---
Body text.
"""


def write(root: Path, text: str, record_id: str) -> Path:
    path = root / "archive" / record_id[:4] / f"{record_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_an_engagement_answers_the_questions_every_command_asks(empty_root: Path) -> None:
    write(empty_root, RICH, "2024-05-rich")
    engagement = load_engagement(empty_root, "2024-05-rich")

    assert engagement.lead_name == "Lead Trust"
    assert [o.name for o in engagement.partners] == ["Partner Org"]
    assert [a.id for a in engagement.responses("S1")] == ["D1", "D2"]
    assert [f.id for f in engagement.unanswered] == ["S2"]
    # a finding's own topics, else its record's
    assert engagement.finding_topics(engagement.findings[0]) == ("housing",)
    assert engagement.finding_topics(engagement.findings[1]) == ("parenting",)
    assert engagement.findings[1].revisits[0].record_id == "2019-03-old"
    assert engagement.findings[1].revisits[0].finding_id == "S3"
    assert engagement.quotable is False
    assert engagement.recontact_route == "Parents' Forum"
    assert engagement.past_review_by("2025-06-01") and not engagement.past_review_by("2025-05-01")
    assert engagement.feedback_given[0].channel == "community meeting"
    assert engagement.details() == (
        ("Aim", "Learn why parents stop coming to groups."),
        ("Feedback given", "July 2024, community meeting"),
    )


def test_anonymous_names_never_reach_the_model(empty_root: Path) -> None:
    write(empty_root, RICH, "2024-05-rich")
    engagement = load_engagement(empty_root, "2024-05-rich")
    assert [c.name for c in engagement.contributors] == ["Ada Example", None]
    assert engagement.anonymous_contributors == 1
    assert "Hidden Person" not in json.dumps(engagement.public_front_matter())


def test_recontact_route_only_where_consent_allows() -> None:
    refused = {"recontact": False, "recontact_via": "Team", "quotes": True}
    engagement = Engagement.from_front_matter({"consent": refused}, "", "archive/x.md")
    assert engagement.recontact_route is None
    assert engagement.quotable is True


def test_wrong_types_become_absent_values_not_exceptions() -> None:
    meta = {"id": 5, "participants": "ten", "you_said": ["not a mapping"], "consent": "yes"}
    engagement = Engagement.from_front_matter(meta, "", "archive/2024/2024-01-x.md")
    assert engagement.participants is None
    assert engagement.findings == ()
    assert engagement.consent == model.Consent()


def test_engagements_are_frozen_values() -> None:
    engagement = Engagement.from_front_matter({"id": "2024-01-a"}, "", "archive/2024/a.md")
    with pytest.raises(AttributeError):
        engagement.title = "changed"  # type: ignore[misc]


def _enum(schema: dict, *path: str) -> tuple[str, ...]:
    node = schema["properties"]
    for step in path[:-1]:
        node = node[step]
        node = node["items"]["properties"] if node.get("type") == "array" else node["properties"]
    return tuple(node[path[-1]]["enum"])


def test_closed_lists_are_the_schemas() -> None:
    schema = load_schema()
    assert model.STATUSES == _enum(schema, "status")
    assert model.LADDER == _enum(schema, "ladder")
    assert model.SECTORS == _enum(schema, "organisations", "sector")
    assert model.ROLES == _enum(schema, "organisations", "role")
    assert model.ACTION_STATUSES == _enum(schema, "we_did", "status")
    assert model.MADE_BY == _enum(schema, "decisions", "made_by")
    assert model.CREDITS == _enum(schema, "contributors", "credit")
    assert model.PAYMENTS == _enum(schema, "recognition", "payment")
    outcome = schema["properties"]["you_said"]["items"]["properties"].get("revisits")
    if outcome is not None:  # v2 schema (issue 12) lands separately
        assert model.OUTCOMES == tuple(outcome["items"]["properties"]["outcome"]["enum"])


def test_dates_a_person_types_are_checked_in_one_place() -> None:
    assert model.parse_date("2024-3-01".replace("-3-", "-03-"), "--since") == "2024-03-01"
    with pytest.raises(UsageError):
        model.parse_date("2024-02-30", "--since")
    assert model.to_date("2024-02-30") is None


def test_catalog_leaves_out_unreadable_files_and_says_which(empty_root: Path) -> None:
    write(empty_root, VALID_RECORD.format(id="2024-03-good"), "2024-03-good")
    write(empty_root, "no front-matter\n", "2024-03-broken")
    catalog = load_catalog(empty_root)
    assert [e.id for e in catalog] == ["2024-03-good"]
    assert catalog.skipped == ("archive/2024/2024-03-broken.md",)
    assert catalog.find("2024-03-good").lead_name == "Test Trust"
    with pytest.raises(CoproError):
        catalog.find("2024-03-missing")


def test_hub_sources_qualify_ids_and_refuse_ambiguous_ones(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for root in (one, two):
        write(root, VALID_RECORD.format(id="2024-03-same"), "2024-03-same")
    catalog = load_catalog([Source(one, "council"), Source(two, "charity")])
    assert sorted(catalog.by_id) == ["charity:2024-03-same", "council:2024-03-same"]
    assert catalog.find("charity:2024-03-same").member == "charity"
    with pytest.raises(CoproError, match="several members"):
        catalog.find("2024-03-same")


def test_cache_follows_edits_and_rebuilds_when_unreadable(
    empty_root: Path, private_cache: Path
) -> None:
    path = write(empty_root, VALID_RECORD.format(id="2024-03-edit"), "2024-03-edit")
    assert load_catalog(empty_root).find("2024-03-edit").title.startswith("Test engagement")
    cache_file = next(private_cache.rglob(CACHE_FILE))
    # an edit that keeps size and mtime is still seen (content hash of a racy file)
    stat = path.stat()
    path.write_text(VALID_RECORD.format(id="2024-03-edit").replace("Test", "Tset"), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert load_catalog(empty_root).find("2024-03-edit").title.startswith("Tset engagement")
    cache_file.write_text("{not a database", encoding="utf-8")
    assert len(load_catalog(empty_root)) == 1
    with sqlite3.connect(cache_file) as connection:
        assert connection.execute("SELECT count(*) FROM files").fetchone() == (1,)


def test_an_edit_of_an_old_file_is_seen_after_the_cache_matched_a_scan(
    empty_root: Path, private_cache: Path
) -> None:
    path = write(empty_root, VALID_RECORD.format(id="2024-03-old"), "2024-03-old")
    old = time.time_ns() - 3_600_000_000_000  # an hour ago: not racy, size and mtime decide
    os.utime(path, ns=(old, old))
    load_catalog(empty_root)
    assert load_catalog(empty_root).find("2024-03-old").title.startswith("Test")  # fingerprint
    path.write_text(VALID_RECORD.format(id="2024-03-old").replace("Test", "Edited"), "utf-8")
    os.utime(path, ns=(old + 1_000, old + 1_000))  # the mtime moved, even by a microsecond
    assert load_catalog(empty_root).find("2024-03-old").title.startswith("Edited")


def test_cache_that_lies_is_not_trusted(empty_root: Path, private_cache: Path) -> None:
    write(empty_root, VALID_RECORD.format(id="2024-03-real"), "2024-03-real")
    load_catalog(empty_root)
    cache_file = next(private_cache.rglob(CACHE_FILE))
    with sqlite3.connect(cache_file) as connection:
        (text,) = connection.execute("SELECT parsed FROM files").fetchone()
        parsed = json.loads(text)
        parsed[0]["title"] = "Injected"
        connection.execute("UPDATE files SET parsed = ?", (json.dumps(parsed),))
        connection.execute("UPDATE meta SET value = '0-elsewhere' WHERE key = 'stamp'")
    assert load_catalog(empty_root).find("2024-03-real").title != "Injected"


def test_a_cache_row_copro_did_not_write_is_read_again_from_its_file(
    empty_root: Path, private_cache: Path
) -> None:
    write(empty_root, VALID_RECORD.format(id="2024-03-row"), "2024-03-row")
    load_catalog(empty_root)
    cache_file = next(private_cache.rglob(CACHE_FILE))
    with sqlite3.connect(cache_file) as connection:
        connection.execute("UPDATE files SET parsed = '{\"title\": 1}'")
    assert load_catalog(empty_root).find("2024-03-row").title.startswith("Test engagement")


def test_a_cache_folder_that_cannot_be_written_only_costs_speed(
    empty_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(empty_root, VALID_RECORD.format(id="2024-03-ro"), "2024-03-ro")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("COPRO_CACHE_DIR", str(blocked))
    assert load_catalog(empty_root).find("2024-03-ro").title.startswith("Test engagement")


def test_many_changed_files_are_parsed_in_batches_and_all_read(
    empty_root: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("copro.store.recordcache.BATCH", 2)
    for n in range(5):
        write(empty_root, VALID_RECORD.format(id=f"2024-03-many-{n}"), f"2024-03-many-{n}")
    write(empty_root, "no front-matter\n", "2024-03-broken")
    catalog = load_catalog(empty_root)
    assert sorted(catalog.by_id) == [f"2024-03-many-{n}" for n in range(5)]
    assert catalog.skipped == ("archive/2024/2024-03-broken.md",)
    (empty_root / "archive/2024/2024-03-many-0.md").unlink()
    assert len(load_catalog(empty_root)) == 4


@pytest.mark.parametrize("command", [["review"], ["stats"], ["search", "parenting"]])
def test_reading_commands_say_once_that_records_were_left_out(
    empty_root: Path, cli, command: list[str]
) -> None:
    write(empty_root, VALID_RECORD.format(id="2024-03-good"), "2024-03-good")
    write(empty_root, "no front-matter\n", "2024-03-broken")
    result = cli("--root", str(empty_root), *command, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)  # stdout stays one JSON document
    notes = [line for line in result.stderr.splitlines() if "left out" in line]
    assert notes == [
        "1 record left out (unreadable or holding personal data): run `copro validate`"
    ]


def test_public_names_are_all_importable_and_listed() -> None:
    import copro

    assert set(copro.__all__) == {"__version__", *copro._LAZY}
    for name in copro.__all__:
        assert getattr(copro, name) is not None


def test_a_catalogs_front_matter_is_read_again_when_asked_for(
    empty_root: Path, private_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalog lets each front-matter dict go; asking for it gives the record as its
    typed values were read, from the cache row of that content, else from the file."""
    path = write(empty_root, VALID_RECORD.format(id="2024-03-lazy"), "2024-03-lazy")
    engagement = load_catalog(empty_root).find("2024-03-lazy")
    assert not isinstance(engagement.front_matter, dict)
    assert engagement.front_matter["title"] == engagement.title
    assert dict(engagement.front_matter)["id"] == "2024-03-lazy"
    assert engagement.public_front_matter()["title"] == engagement.title
    sent = pickle.loads(pickle.dumps(engagement))  # as the site sends pages to a helper
    assert sent.front_matter["title"] == engagement.title
    path.write_text(VALID_RECORD.format(id="2024-03-lazy").replace("Test", "Later"), "utf-8")
    assert engagement.front_matter["title"] == engagement.title  # the content it was read from
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("COPRO_CACHE_DIR", str(blocked))
    uncached = load_catalog(empty_root).find("2024-03-lazy")
    assert uncached.title.startswith("Later")
    assert uncached.front_matter["title"] == uncached.title  # read from the file itself
