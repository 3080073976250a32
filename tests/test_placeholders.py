"""Template guidance never reaches a report; where it is left in a record, validate says so."""

from __future__ import annotations

import json

from conftest import NEW_OPTIONS, VALID_RECORD, write_record
from copro.core.placeholders import BODY_GUIDANCE, FIELD_GUIDANCE

RID = "2024-03-guidance"
NEW = ["new", "--title", "Evening drop-in for carers", *NEW_OPTIONS, "--yes"]


def problems(root, cli, *paths):
    result = cli("--root", str(root), "validate", "--json", *paths)
    return result.exit_code, [
        (p["line"], p["severity"], p["code"]) for p in json.loads(result.stdout)["problems"]
    ]


def test_a_new_record_keeps_its_guidance_out_of_reports(empty_root, cli):
    created = cli("--root", str(empty_root), *NEW)
    assert created.exit_code == 0, created.stderr
    rel = created.stdout.strip()
    text = (empty_root / rel).read_text()
    for guidance in BODY_GUIDANCE.values():
        assert f"<!-- {guidance} -->" in text  # guidance is a comment, never body text
    assert problems(empty_root, cli) == (0, [])
    record_id = rel.rsplit("/", 1)[-1].removesuffix(".md")
    for fmt in ("md", "html"):
        report = cli("--root", str(empty_root), "report", record_id, "--format", fmt)
        assert report.exit_code == 0, report.stderr
        for guidance in (*BODY_GUIDANCE.values(), *FIELD_GUIDANCE.values()):
            assert guidance not in report.stdout
            assert guidance.replace('"', "&#34;") not in report.stdout
        assert "&lt;!--" not in report.stdout and "<!--" not in report.stdout


OLD_TEMPLATE_BODY = """
## Summary

What this engagement was for, in two or three sentences.

## Reflections

What went well, what did not, what we learned.
"""


def guidance_left_in(status: str) -> str:
    text = VALID_RECORD.format(id=RID).replace("status: completed", f"status: {status}")
    text = text.replace(
        "text: Groups at school pick-up time do not work.",
        "text: What people told us, in their words where they agreed to quotes.",
    )
    return text.split("---\n\n## Summary")[0] + "---\n" + OLD_TEMPLATE_BODY


def test_guidance_left_in_is_a_warning_and_an_error_once_completed(empty_root, cli):
    path = write_record(empty_root, RID, guidance_left_in("active"))
    lines = path.read_text().split("\n")
    finding_line = next(i for i, t in enumerate(lines, 1) if "What people told us" in t)
    summary_line = next(i for i, t in enumerate(lines, 1) if "two or three" in t)
    reflection_line = next(i for i, t in enumerate(lines, 1) if "What went well" in t)
    expected = [
        (finding_line, "placeholder-text"),
        (summary_line, "placeholder-text"),
        (reflection_line, "placeholder-text"),
    ]
    code, found = problems(empty_root, cli)
    assert code == 0
    assert sorted((line, c) for line, s, c in found) == expected
    assert {s for _, s, _ in found} == {"warning"}

    write_record(empty_root, RID, guidance_left_in("completed"))
    code, found = problems(empty_root, cli)
    assert code == 1
    assert sorted((line, c) for line, s, c in found) == expected
    assert {s for _, s, _ in found} == {"error"}


def test_completed_without_findings_or_with_an_empty_section_warns(empty_root, cli):
    text = VALID_RECORD.format(id=RID)
    front, _ = text.split("---\n\n## Summary")
    front = front.split("you_said:")[0] + "consent:" + front.split("consent:")[1]
    body = "\n## Summary\n\nWe met twice.\n\n## Reflections\n\n<!-- What went well, what did not, what we learned. -->\n"
    path = write_record(empty_root, RID, front + "---\n" + body)
    heading = path.read_text().split("\n").index("## Reflections") + 1
    code, found = problems(empty_root, cli)
    assert code == 0
    assert sorted(found) == sorted(
        [
            (4, "warning", "completed-no-findings"),
            (heading, "warning", "completed-empty-section"),
        ]
    )
