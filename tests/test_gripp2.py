"""``copro export --format gripp2``: the five GRIPP2 short-form items per record."""

from __future__ import annotations

import re

from conftest import VALID_RECORD, write_record


def test_every_record_but_withdrawn_has_the_five_items_in_order(sample_root, cli):
    result = cli("--root", str(sample_root), "export", "--format", "gripp2")
    assert result.exit_code == 0
    text = result.stdout
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    assert len(sections) == 15  # 16 records, one withdrawn
    assert "2024-11-mandatory-employment-support-sessions" not in text
    for section in sections:
        headings = re.findall(r"^### (.+)$", section, flags=re.M)
        assert headings == ["Aim", "Methods", "Results", "Outcomes", "Reflections"]
    somali = next(s for s in sections if "(`2019-03-somali-mothers-parenting`)" in s)
    assert "To learn why few Somali mothers" in somali  # aim
    assert "- Who took part: 32 people (Somali women, Mothers)" in somali
    assert "(still holds, checked April 2024)" in somali
    assert "People were told what was done (October 2019" in somali
    assert "meeting in places the women already use" in somali  # ## Reflections of the body


def test_missing_items_are_marked_not_recorded(empty_root, cli, tmp_path):
    write_record(empty_root, "2024-03-bare", VALID_RECORD.format(id="2024-03-bare"))
    out = tmp_path / "gripp2.md"
    result = cli("--root", str(empty_root), "export", "--format", "gripp2", "--output", str(out))
    assert result.exit_code == 0
    text = out.read_text()
    aim = text.split("### Aim\n\n", 1)[1].split("\n", 1)[0]
    reflections = text.split("### Reflections\n\n", 1)[1].split("\n", 1)[0]
    assert aim == reflections == "Not recorded."
    assert "- Recognition: Not recorded." in text
