"""The site's consensus pages, read from the built files (the browser tests run axe on them)."""

from __future__ import annotations

import re
from pathlib import Path

from sitekit import DRAFT_ID

AGREED = "2025-09-own-language-and-words"
STALE = "2022-11-women-interpreters-plain-letters"


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_the_summary_of_qualitative_findings_lists_agreed_statements(
    built_site: tuple[Path, Path],
) -> None:
    _, site = built_site
    html = page(site, "consensus")
    assert '<caption id="soqf-caption">Summary of qualitative findings</caption>' in html
    for heading in ("Statement", "Confidence", "Explanation", "Engagements it rests on"):
        assert f'<th scope="col">{heading}</th>' in html
    assert f'href="../consensus/{AGREED}/"' in html
    assert '<td data-label="Confidence">Moderate</td>' in html
    assert html.count("records/2019-03-somali-mothers-parenting/") == 2  # cited by both
    assert "Needs another look" in html  # the stale statement says so


def test_drafts_are_never_published(built_site: tuple[Path, Path]) -> None:
    _, site = built_site
    assert not (site / "consensus" / DRAFT_ID).exists()
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert DRAFT_ID not in text and "Unpublished draft" not in text, path


def test_a_statement_page_shows_evidence_standing_and_thanks(built_site: tuple[Path, Path]) -> None:
    _, site = built_site
    html = page(site, f"consensus/{AGREED}")
    assert "Rests on </dt><dd>5 findings from 4 engagements with 7 groups, 2019 to 2025" in html
    assert "Partly supports it (1)" in html
    assert "Does it still hold? Not checked since June 2020." in html
    assert "Ubah Warsame-Ellery" in html and "Marigold Teasdale" in html
    assert (
        "<p>Thank you to everyone named above, and to 3 more people who took part without"
        " being named. And thank you to everyone in the 7 groups who told us what they think."
    ) in html
    # the Somali mothers did not agree to quotes: no quotation styling for their finding
    somali = html.split("Parenting courses are in English only")[0].rsplit("<li", 1)[1]
    assert "blockquote" not in somali
    stale = page(site, f"consensus/{STALE}")
    assert "What has changed since" in stale


def test_record_pages_link_the_statements_that_cite_them(built_site: tuple[Path, Path]) -> None:
    _, site = built_site
    html = page(site, "records/2019-03-somali-mothers-parenting")
    assert f'href="../../consensus/{AGREED}/"' in html
    assert f'href="../../consensus/{STALE}/"' in html
    uncited = page(site, "records/2021-02-gp-care-plan-co-design")
    assert "consensus/" not in re.sub(r"<nav .*?</nav>", "", uncited, flags=re.S)


def test_decisions_read_as_sentences_on_every_page(built_site: tuple[Path, Path]) -> None:
    """A decision whose text ends in a full stop read "someone to ring.: decided together
    (15 October 2025)" on the statement's page; pages now say a decision as its letter
    does: its sentence, then who decided it and when."""
    _, site = built_site
    statement = " ".join(page(site, f"consensus/{AGREED}").split())
    assert "names someone to ring. Decided together on 15 October 2025.</li>" in statement
    record = page(site, "records/2025-02-hospital-discharge-carers")
    assert "<li>Carers&#39; checklist for discharge. Decided together.</li>" in record
    for path in site.rglob("*.html"):
        assert not re.search(r"[.!?]: [Dd]ecided", path.read_text(encoding="utf-8")), path
