"""Reports, review and history end to end: golden files, XSS corpus, consent, real git."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conftest import VALID_RECORD, git, git_init, write_record

GOLDEN = Path(__file__).parent / "golden"


def normalise(text: str) -> str:
    text = re.sub(r"Written on \d{1,2} [A-Z][a-z]+ \d{4}", "Written on DATE", text)
    return re.sub(
        r"commit (<code>)?[0-9a-f]{12}(</code>)? \(\d{4}-\d{2}-\d{2}\)",
        r"commit \1HASH\2 (DATE)",
        text,
    )


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("COPRO_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from the golden file"


@pytest.mark.parametrize(
    "record_id",
    [
        "2018-05-peer-coaching-programme",
        "2019-03-somali-mothers-parenting",
        "2024-04-somali-mothers-parenting-follow-up",  # a revisiting record: What we checked again
    ],
)
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_single_report_matches_golden(sample_root, cli, record_id, fmt):
    git_init(sample_root)
    result = cli("--root", str(sample_root), "report", record_id, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    check_golden(f"{record_id}.{fmt}", normalise(result.stdout))
    # A letter to the people who took part: no internal codes, paths, commits or ISO dates.
    assert not re.search(r"\b[SD]\d+\b", result.stdout.split("About this engagement")[0])
    assert "archive/" not in result.stdout and not re.search(r"\bcommit\b", result.stdout)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", result.stdout)
    assert ".:" not in result.stdout and ". :" not in result.stdout


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_staff_report_keeps_ids_and_provenance(sample_root, cli, fmt):
    git_init(sample_root)
    record_id = "2018-05-peer-coaching-programme"
    result = cli(
        "--root", str(sample_root), "report", record_id, "--format", fmt, "--audience", "staff"
    )
    assert result.exit_code == 0, result.stderr
    assert re.search(r"commit (<code>)?[0-9a-f]{12}", result.stdout)  # provenance from git
    check_golden(f"{record_id}.staff.{fmt}", normalise(result.stdout))


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_across_report_matches_golden(sample_root, cli, fmt):
    result = cli("--root", str(sample_root), "report", "--topic", "family-life", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    check_golden(f"topic-family-life.{fmt}", normalise(result.stdout))


def test_single_report_content(sample_root, cli):
    text = cli("--root", str(sample_root), "report", "2018-05-peer-coaching-programme").stdout
    assert (
        "Thank you to Marigold Teasdale (committee chair) and Fenwick Oduya (peer coach), and to 2 more people"
        in text
    )
    assert (
        "Not doing: The committee does not control the programme budget. **Why:** The trust's standing"
        in text
    )
    assert "Done on 3 September 2018: Opened self-referral" in text
    assert "“Referral only through a care coordinator" in text  # quotes: true
    assert "- Referral criteria and routes. Decided together on 10 July 2018." in text
    assert "Source:" not in text  # the staff variant keeps the path
    staff = cli(
        "--root",
        str(sample_root),
        "report",
        "2018-05-peer-coaching-programme",
        "--audience",
        "staff",
    ).stdout
    assert "Source: `archive/2018/2018-05-peer-coaching-programme.md`" in staff
    assert "**You said (S1):**" in staff and "**We did (D1):**" in staff


def test_contact_line_only_where_consent_allows_recontact(sample_root, cli):
    allowed = cli("--root", str(sample_root), "report", "2019-03-somali-mothers-parenting").stdout
    assert "## Get in touch" in allowed
    assert "contact Islington Family Hubs engagement team." in allowed
    refused = cli("--root", str(sample_root), "report", "2022-07-housing-benefits-drop-in").stdout
    assert "Get in touch" not in refused  # consent.recontact is false


def test_no_quotation_styling_without_consent(sample_root, cli):
    for fmt in ("md", "html"):
        text = cli(
            "--root",
            str(sample_root),
            "report",
            "2019-03-somali-mothers-parenting",
            "--format",
            fmt,
        ).stdout
        assert "“" not in text and "”" not in text and "<blockquote" not in text
        assert "not as direct quotations" in text
        assert "Parenting courses are in English only" in text


def test_unanswered_findings_are_shown_plainly(sample_root, cli):
    text = cli("--root", str(sample_root), "report", "2022-07-housing-benefits-drop-in").stdout
    assert text.count("No response yet.") == 2
    assert "None of the 2 things you told us has had a response yet." in text


def test_anonymous_names_never_appear(empty_root, cli):
    text = VALID_RECORD.format(id="2024-03-x").replace(
        "consent:",
        "contributors:\n  - {role: member, credit: named, name: Oriel Quince}\n  - {role: member, credit: anonymous}\nconsent:",
    )
    write_record(empty_root, "2024-03-x", text)
    out = cli("--root", str(empty_root), "report", "2024-03-x").stdout
    assert "Oriel Quince (member), and to one more person" in out


def test_across_report_uses_finding_topics_then_record_topics(sample_root, cli):
    text = cli("--root", str(sample_root), "report", "--topic", "parenting").stdout
    assert "Parenting courses are in English only" in text  # finding tagged parenting
    assert "We want women interpreters" not in text  # same record, finding tagged language
    assert text.index("9 March") < text.index("13 April 2024")  # date order
    assert "All 4 things people told us have had a response." in text


def test_across_report_filters_combine(sample_root, cli):
    text = cli(
        "--root", str(sample_root), "report", "--population", "carers", "--place", "leeds"
    ).stdout
    assert "Carers co-designing hospital discharge" in text
    assert "young carers" not in text.lower()
    none = cli(
        "--root", str(sample_root), "report", "--topic", "parenting", "--since", "2025-01-01"
    )
    assert none.exit_code == 1


def test_report_usage_errors(sample_root, cli):
    assert cli("--root", str(sample_root), "report").exit_code == 2
    assert (
        cli(
            "--root",
            str(sample_root),
            "report",
            "2019-03-somali-mothers-parenting",
            "--topic",
            "parenting",
        ).exit_code
        == 2
    )
    assert cli("--root", str(sample_root), "report", "--topic", "nonsense-topic").exit_code == 2
    assert cli("--root", str(sample_root), "report", "2030-01-nothing").exit_code == 1


def test_report_output_is_written_atomically(sample_root, cli, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "report.html"
    target.write_text("old")
    result = cli(
        "--root",
        str(sample_root),
        "report",
        "2019-03-somali-mothers-parenting",
        "--format",
        "html",
        "--output",
        str(target),
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temp file left
    missing = cli(
        "--root",
        str(sample_root),
        "report",
        "2019-03-somali-mothers-parenting",
        "--output",
        str(tmp_path / "no" / "r.md"),
    )
    assert missing.exit_code == 1


def test_html_is_self_contained_and_strict(sample_root, cli):
    html = cli(
        "--root", str(sample_root), "report", "2018-05-peer-coaching-programme", "--format", "html"
    ).stdout
    assert "Content-Security-Policy" in html and "default-src &#39;none&#39;" in html
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # no external assets
    assert "<h1>" in html and "<main>" in html and "<footer>" in html
    assert 'lang="en-GB"' in html


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
    "![x](javascript:alert(1))",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<details open ontoggle=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<object data="javascript:alert(1)"></object>',
    "<form action=javascript:alert(1)><button>x</button></form>",
    "[x](vbscript:msgbox(1))",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<style>@import 'http://evil.example/x.css';</style>",
    "<link rel=stylesheet href=http://evil.example/x.css>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<video><source onerror=alert(1)></video>",
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]


def xss_record(payload: str) -> str:
    quoted = json.dumps(payload)
    return (
        VALID_RECORD.format(id="2024-03-xss")
        .replace("title: Test engagement about parenting", f"title: {quoted}")
        .replace("    text: Groups at school pick-up time do not work.", f"    text: {quoted}")
        .replace("    text: Moved the group to mid-morning.", f"    text: {quoted}")
        .replace("A small test engagement.", payload)
    )


@pytest.mark.parametrize("payload", XSS)
def test_xss_renders_inert(empty_root, cli, payload):
    write_record(empty_root, "2024-03-xss", xss_record(payload))
    html = cli("--root", str(empty_root), "report", "2024-03-xss", "--format", "html").stdout
    lowered = html.lower()
    tags = re.findall(r"<[^>]*>", lowered)  # what the browser would parse as markup
    assert "<script" not in lowered
    assert not [t for t in tags if "javascript:" in t or "vbscript:" in t or "data:" in t], tags
    assert not [t for t in tags if re.search(r"\son\w+\s*=", t)]  # no event handlers
    for tag in (
        "<iframe",
        "<svg",
        "<object",
        "<form",
        "<img",
        "<link",
        "<meta http-equiv=refresh",
        "<base",
        "<input",
        "<video",
        "<math",
        "<details",
    ):
        assert tag not in lowered
    assert lowered.count("<style>") == 1  # only copro's own


# ---- review ------------------------------------------------------------------


def test_review_lists_what_is_owed(sample_root, cli):
    result = cli("--root", str(sample_root), "review", "--as-of", "2026-11-28", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert set(document) == {"as_of", "items"}
    items = document["items"]
    assert set(items[0]) == {
        "kind",
        "record_id",
        "title",
        "path",
        "item_id",
        "text",
        "since",
        "recontact_via",
    }
    due = {(i["kind"], i["record_id"], i["item_id"]) for i in items}
    assert ("review-due", "2018-05-peer-coaching-programme", None) in due  # S4 never revisited
    assert ("review-due", "2019-03-somali-mothers-parenting", None) not in due  # all revisited
    assert (
        "review-due",
        "2025-06-peer-coaching-programme-refresh",
        None,
    ) not in due  # review_by 2027
    assert ("no-response", "2019-03-somali-mothers-parenting", "S3") in due
    assert ("stalled-action", "2023-03-crisis-care-listening-events", "D1") in due
    assert not any(
        i["record_id"] == "2024-11-mandatory-employment-support-sessions" for i in items
    )  # withdrawn
    routes = {i["record_id"]: i["recontact_via"] for i in items}
    assert routes["2019-03-somali-mothers-parenting"] == "Islington Family Hubs engagement team"
    assert routes["2022-07-housing-benefits-drop-in"] is None  # no recontact consent


def test_review_as_of_changes_what_is_due(sample_root, cli):
    early = json.loads(
        cli("--root", str(sample_root), "review", "--as-of", "2019-01-01", "--json").stdout
    )
    assert not any(i["kind"] == "review-due" for i in early["items"])


def test_review_exits_0_when_nothing_is_due_and_2_on_bad_date(empty_root, cli, sample_root):
    told = "consent:\n  quotes: false\n  recontact: false\nfeedback_given:\n  - date: 2024-06-01\n    channel: community meeting\n"
    template = VALID_RECORD.format(id="2024-03-x")
    write_record(
        empty_root,
        "2024-03-x",
        template.replace("consent:\n  quotes: false\n  recontact: false\n", told),
    )
    result = cli("--root", str(empty_root), "review")
    assert result.exit_code == 0 and "Nothing is due" in result.stderr
    assert cli("--root", str(sample_root), "review", "--as-of", "soon").exit_code == 2
    text = cli("--root", str(sample_root), "review", "--as-of", "2026-11-28")
    assert text.exit_code == 0 and "Findings without any response" in text.stdout


# ---- history -------------------------------------------------------------------


def test_history_follows_renames_newest_first(empty_root, cli):
    write_record(empty_root, "2024-03-old-name")
    git_init(empty_root)
    path = empty_root / "archive" / "2024" / "2024-03-old-name.md"
    path.write_text(path.read_text() + "\nMore.\n")
    git(empty_root, "commit", "-qam", "Add more detail")
    new = path.with_name("2024-03-new-name.md")
    git(empty_root, "mv", str(path), str(new))
    new.write_text(new.read_text().replace("id: 2024-03-old-name", "id: 2024-03-new-name"))
    git(empty_root, "commit", "-qam", "Rename the record")
    result = cli("--root", str(empty_root), "history", "2024-03-new-name", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["path"] == "archive/2024/2024-03-new-name.md"
    messages = [c["message"] for c in document["commits"]]
    assert messages == ["Rename the record", "Add more detail", "Initial archive"]
    assert set(document["commits"][0]) == {"hash", "author", "date", "message"}
    assert document["commits"][0]["author"] == "Test Author"
    text = cli("--root", str(empty_root), "history", "2024-03-new-name")
    assert "Rename the record" in text.stdout


def test_history_of_an_uncommitted_record_is_one_sentence(empty_root, cli):
    write_record(empty_root, "2024-03-committed")
    git_init(empty_root)
    write_record(empty_root, "2024-03-not-yet")
    result = cli("--root", str(empty_root), "history", "2024-03-not-yet")
    assert result.exit_code == 0
    assert result.stdout == ""  # no empty table
    assert result.stderr.strip() == "No commit has touched this record yet (it is not committed)."
    document = json.loads(
        cli("--root", str(empty_root), "history", "2024-03-not-yet", "--json").stdout
    )
    assert document["commits"] == []


def test_history_outside_git_is_a_clear_error(sample_root, cli):
    result = cli("--root", str(sample_root), "history", "2019-03-somali-mothers-parenting")
    assert result.exit_code == 1
    assert "not a git repository" in result.stderr


@pytest.mark.parametrize(
    "body",
    # A list 2,000 deep needs megabytes of indentation: the 128 KiB record limit refuses
    # it before parsing (see test_hazards); 300 deep is the deepest that fits.
    [
        "[" * 20_000,
        "\n".join("  " * i + "- item" for i in range(300)),
        "*" * 20_000 + "a",
        "> " * 5_000 + "deep",
    ],
    ids=["brackets", "deep-list", "emphasis", "deep-quote"],
)
def test_pathological_markdown_renders(empty_root, cli, body):
    write_record(
        empty_root,
        "2024-03-md",
        VALID_RECORD.format(id="2024-03-md").replace("A small test engagement.", body),
    )
    result = cli("--root", str(empty_root), "report", "2024-03-md", "--format", "html")
    assert result.exit_code == 0
    assert result.stdout.rstrip().endswith("</html>")
