"""Personal-data detectors: tables of true and false positives, gitleaks-style."""

from __future__ import annotations

import json

import pytest

from conftest import VALID_RECORD, write_record
from copro.core.pii import nhs_checksum_ok, scan_text

TRUE_POSITIVES = [
    # e-mail, plain and disguised
    ("Write to amina.k@example.org about it.", "pii-email"),
    ("[mail me](mailto:fenwick@example.co.uk)", "pii-email"),
    ("contact: jo [at] example [dot] org", "pii-email"),
    ("contact jo(at)example.org", "pii-email"),
    ("jo&#64;example.org", "pii-email"),
    ("jo%40example.org", "pii-email"),
    # UK phones in every written form
    ("Call 07911 123456 after six.", "pii-phone"),
    ("Call 07911123456.", "pii-phone"),
    ("Call 07911-123-456.", "pii-phone"),
    ("Call +44 7911 123456.", "pii-phone"),
    ("Call +44 (0)7911 123456.", "pii-phone"),
    ("Call 0044 7911 123456.", "pii-phone"),
    ("Office (020) 7946 0018.", "pii-phone"),
    ("Office 020 7946 0018.", "pii-phone"),
    ("Office 0161 496 0000.", "pii-phone"),
    ("Drama range 07700 900123.", "pii-phone"),
    ("tel07911123456", "pii-phone"),
    ("Call 07911\n123456 please", "pii-phone"),
    # NHS numbers (pass modulus 11)
    ("NHS number 943 476 5919", "pii-nhs-number"),
    ("patient 9434765919 seen", "pii-nhs-number"),
    ("ref 943-476-5919", "pii-nhs-number"),
    # full postcodes
    ("She lives at SW1A 1AA now.", "pii-postcode"),
    ("Flat in M14 5RR.", "pii-postcode"),
    ("Flat in M145RR.", "pii-postcode"),
    ("near ec1v 9hx", "pii-postcode"),
    # dates of birth written as such
    ("born on 3 March 1980", "pii-date-of-birth"),
    ("DOB: 03/03/1980", "pii-date-of-birth"),
    ("date of birth 1980-03-03", "pii-date-of-birth"),
    ("Birthday: March 3rd, 1980", "pii-date-of-birth"),
    # in link targets, HTML comments and image alt text
    ("[our team](https://example.org/?who=jo@example.org)", "pii-email"),
    ("<!-- ring 07911 123456 -->", "pii-phone"),
    ("![photo of SW1A 1AA](img.png)", "pii-postcode"),
    # issue 9: numbers wrapped onto the next line (PyYAML's folding, Markdown list items)
    ("... ring 07911\n    123456 please.", "pii-phone"),
    ("- call the office on 020\n  7946 0018 after ten", "pii-phone"),
    ("NHS number 943 476\n   5919 on the letter", "pii-nhs-number"),
    ("lives at SW1A\n  1AA now", "pii-postcode"),
    # issue 9: YAML escapes, decoded before matching
    ('"jane\\x40example.com"', "pii-email"),
    ('"\\x30\\x37911 123456"', "pii-phone"),
    ('"943 476 591\\x39"', "pii-nhs-number"),
    ('"jane\\u0040example.com"', "pii-email"),
    # issue 9: NHS numbers with a no-break space, dots or mixed separators
    ("NHS 943\u00a0476\u00a05919", "pii-nhs-number"),
    ("NHS 943.476.5919", "pii-nhs-number"),
    ("NHS 943 476-5919", "pii-nhs-number"),
    ("NHS 943\u2013476\u20135919", "pii-nhs-number"),
    # issue 9: postcodes with a no-break or double space
    ("at SW1A\u00a01AA", "pii-postcode"),
    ("at SW1A  1AA", "pii-postcode"),
    ("at M14\u202f5RR", "pii-postcode"),
    # issue 9: phones with an en dash, a zero-width space or a slash
    ("Call 07911\u2013123456.", "pii-phone"),
    ("Call 07911\u200b123456.", "pii-phone"),
    ("Call 07911/123456.", "pii-phone"),
    ("Office 020/7946 0018.", "pii-phone"),
    ("Call 0791\u00ad1123456.", "pii-phone"),
    ("Call \uff10\uff17\uff19\uff11\uff11 123456.", "pii-phone"),
    # issue 9: e-mail with an accented local part or a spaced @
    ("write to zo\u00eb@example.com", "pii-email"),
    ("write to jane @ example.com", "pii-email"),
    ("write to jane\u00a0@\u00a0example.com", "pii-email"),
    ("write to jane\u200b@example.com", "pii-email"),
    ("write to jane\uff20example.com", "pii-email"),
    # issue 9: dates of birth in other written forms
    ("DOB: 03-Mar-1990", "pii-date-of-birth"),
    ("born 1990/03/03", "pii-date-of-birth"),
    ("Date of birth:\n03/03/1990", "pii-date-of-birth"),
    ("date_of_birth: 1990-03-03", "pii-date-of-birth"),
    ("born on the third of March 1990", "pii-date-of-birth"),
    ("born on the twenty-first of March 1990", "pii-date-of-birth"),
    ("D.O.B. 3 Mar 1990", "pii-date-of-birth"),
    ("born\u00a03\u00a0March\u00a01990", "pii-date-of-birth"),
    # found by the fuzz test (tests/test_gate_fuzz.py)
    ("- born 3 March\n  1990", "pii-date-of-birth"),
    ("- Date of birth:\n\n  03/03/1990", "pii-date-of-birth"),
    ("- write to jane @\n  example.org", "pii-email"),
    ("+44-7911 123456 at 10:30", "pii-phone"),
    ("(020)  7946 0018 at 10:30", "pii-phone"),
    ("- (020)\n  7946-0018", "pii-phone"),
]

CLEAN_TEXT = [
    "32 mothers took part in 5 focus groups between 2019 and 2021.",
    "The engagement ran 2019-03-09 to 2019-05-25.",
    "Sessions ran 09:30-11:00 and 13.30-15.00 on 12/03/2024.",
    "Reference 1234567890 was logged.",  # fails the NHS check
    "Case ref 943 476 5918.",  # fails the NHS check
    "Meet us in NW1 or in the E1 area.",
    "ISBN 978-0-14-303943-3 and ISBN 0306406152.",
    "Budget £12,500 for 2024/25; 1,234 responses; 98.6% satisfied.",
    "Open 24/7, call the crisis line via the trust website.",
    "We spoke at 10am, 2pm and 6.30pm.",
    "She was born in 1980 and moved here in 2001.",
    "Email the team through the contact form at https://example.org/contact.",
    "Questions @ the session were about housing.",
    "Policy 2023-0417-AB and version 1.10.2.",
    "Population of 250,000 in the borough; 7,911 households.",
    "Phase 2 (2022) and phase 3 (2023) of the programme.",
    # realistic neighbours of the issue 9 forms: dates, counts, references, times, money
    "The session on the third of March 1990 was the first.",
    "Sessions: 03-Mar-2024, 2024/03/03 and 3\u00a0March\u00a02024.",
    "Date of the meeting:\n03/03/2024",
    "The group was born out of the 2019 review.",
    "Ward 7, bed 12: 1990/2000 figures, 12/03/2024 10:30\u201311:00.",
    "Times 09:30\u201311:00 and 13.30\u201315.00 on 12/03/2024.",
    "Counts: 1\u00a0234 surveys, 12\u00a0500 leaflets, 250\u202f000 residents.",
    "Budget \u00a312\u00a0500 to \u00a315\u2013000; grant ref 2024/0417/AB.",
    "Case 2023-001/4567 and order 45/2024/0113.",
    "Figures for 2019/20, 2020/21 and 2021/22 (1,234 / 5,678).",
    "Room B1  2nd floor; bus 73 to N1; 2 pm\u20134 pm.",
    "Contact us @ the library (the team @ Camden Council).",
    "Meeting at 10.30 at 34\u00a0High Street.",
    "Chapter 3.2.1 and section 12.3.4567 of the guidance.",
    "Version 10.11.2024 of the leaflet; invoice 123.456.7890.",
    "Questions on 943 topics from 476 people over 5918 minutes.",
    "Population 0.943 476 5919",
    "dated 20/12/2023 and 21/12/2023",
    "The birth rate was 11.3 per 1,000 in 2019-03-01 figures.",
    "Pages 0791/123 and 07/11/2023.",
]


@pytest.mark.parametrize("text,code", TRUE_POSITIVES)
def test_true_positives(text, code):
    assert code in {f.code for f in scan_text(text)}, text


@pytest.mark.parametrize("text", CLEAN_TEXT)
def test_clean_text_gives_no_finding(text):
    assert scan_text(text) == [], text


def test_nhs_checksum():
    assert nhs_checksum_ok("9434765919")
    assert not nhs_checksum_ok("9434765918")
    assert not nhs_checksum_ok("123456789")


def test_findings_are_on_the_right_line():
    text = "line one\nline two 07911 123456\nline three\nSW1A 1AA"
    assert [(f.line, f.code) for f in scan_text(text)] == [(2, "pii-phone"), (4, "pii-postcode")]


@pytest.mark.parametrize(
    "secret",
    ["07911 123456", "jo@example.org", "943 476 5919", "SW1A 1AA", "born on 3 March 1980"],
)
def test_validate_never_prints_the_matched_value(empty_root, cli, secret):
    text = VALID_RECORD.format(id="2024-03-pii").replace(
        "A small test engagement.", f"Note: {secret}"
    )
    write_record(empty_root, "2024-03-pii", text)
    for fmt in ("text", "json", "github"):
        result = cli("--root", str(empty_root), "validate", "--format", fmt)
        assert result.exit_code == 1
        assert secret not in result.stdout + result.stderr
        assert "personal data" in result.stdout + result.stderr


def test_front_matter_is_scanned_too(empty_root, cli):
    text = VALID_RECORD.format(id="2024-03-pii").replace(
        "title: Test engagement about parenting", "title: Call 07911 123456"
    )
    write_record(empty_root, "2024-03-pii", text)
    problems = json.loads(cli("--root", str(empty_root), "validate", "--json").stdout)["problems"]
    assert ("pii-phone", 3) in {(p["code"], p["line"]) for p in problems}


def test_allow_marker_works_per_line_and_is_reported(empty_root, cli):
    text = (
        VALID_RECORD.format(id="2024-03-pii")
        .replace(
            "A small test engagement.",
            "Fictional number from the TV script: 07700 900123 <!-- copro: allow pii -->\n"
            "But this one is not allowed: 07700 900456",
        )
        .replace(
            "title: Test engagement about parenting", "title: Room SW1A 1AA  # copro: allow pii"
        )
    )
    write_record(empty_root, "2024-03-pii", text)
    result = cli("--root", str(empty_root), "validate", "--json")
    problems = json.loads(result.stdout)["problems"]
    found = {(p["code"], p["line"], p["severity"]) for p in problems}
    assert ("pii-allowed", 31, "warning") in found
    assert ("pii-allowed", 3, "warning") in found
    assert ("pii-phone", 32, "error") in found
    assert not any(p["code"] == "pii-phone" and p["line"] == 31 for p in problems)
    assert not any(p["code"] == "pii-postcode" for p in problems)
    assert result.exit_code == 1


def test_body_marker_does_not_work_in_front_matter(empty_root, cli):
    text = VALID_RECORD.format(id="2024-03-pii").replace(
        "title: Test engagement about parenting", "title: Room SW1A 1AA <!-- copro: allow pii -->"
    )
    write_record(empty_root, "2024-03-pii", text)
    problems = json.loads(cli("--root", str(empty_root), "validate", "--json").stdout)["problems"]
    assert ("pii-postcode", 3) in {(p["code"], p["line"]) for p in problems}
