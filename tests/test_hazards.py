"""Every hostile or awkward input from shared/hazards.md (files, front-matter, YAML).

Each gives a clear problem with the file's real line, the documented exit code,
no traceback and no personal data echoed.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from conftest import VALID_RECORD, write_record

RID = "2024-03-hazard"


def problems_of(root, cli) -> tuple[int, list[dict]]:
    result = cli("--root", str(root), "validate", "--json")
    return result.exit_code, json.loads(result.stdout)["problems"]


def codes_at(problems) -> set[tuple[str, int]]:
    return {(p["code"], p["line"]) for p in problems}


def valid() -> str:
    return VALID_RECORD.format(id=RID)


# ---- files and front-matter -------------------------------------------------


def test_bom_is_accepted(empty_root, cli):
    write_record(empty_root, RID, b"\xef\xbb\xbf" + valid().encode())
    assert problems_of(empty_root, cli) == (0, [])


def test_crlf_is_accepted(empty_root, cli):
    write_record(empty_root, RID, valid().replace("\n", "\r\n").encode())
    assert problems_of(empty_root, cli) == (0, [])


def test_crlf_keeps_real_lines(empty_root, cli):
    bad = valid().replace("places: [camden]", "places: [camdn]").replace("\n", "\r\n")
    write_record(empty_root, RID, bad.encode())
    assert ("vocab-unknown", 10) in codes_at(problems_of(empty_root, cli)[1])


@pytest.mark.parametrize(
    "text,words",
    [
        (lambda t: t.replace("---\n\n## Summary", "\n## Summary"), "not closed"),
        (lambda t: " " + t, "indented"),
        (lambda t: "\n" + t, "blank line"),
        (lambda t: t.replace("---", "+++"), "TOML"),
        (lambda t: "Just a note, no front-matter.\n", "no front-matter"),
    ],
    ids=["unclosed", "indented", "leading-blank", "toml", "none"],
)
def test_broken_fences_say_exactly_what_is_wrong_at_line_1(empty_root, cli, text, words):
    write_record(empty_root, RID, text(valid()))
    code, problems = problems_of(empty_root, cli)
    assert code == 1
    assert problems[0]["code"] == "frontmatter-missing"
    assert problems[0]["line"] == 1
    assert words in problems[0]["message"]


@pytest.mark.parametrize("yaml_text", ["- a\n- b", "just a string", "42"])
def test_front_matter_that_is_not_a_mapping(empty_root, cli, yaml_text):
    write_record(empty_root, RID, f"---\n{yaml_text}\n---\nbody\n")
    code, problems = problems_of(empty_root, cli)
    assert code == 1 and problems[0]["code"] == "frontmatter-not-mapping"


def test_later_fence_in_body_is_fine(empty_root, cli):
    write_record(empty_root, RID, valid() + "\n---\n\nA horizontal rule above.\n")
    assert problems_of(empty_root, cli) == (0, [])


def test_empty_file(empty_root, cli):
    write_record(empty_root, RID, "")
    code, problems = problems_of(empty_root, cli)
    assert code == 1 and codes_at(problems) == {("file-empty", 1)}


def test_file_of_only_front_matter(empty_root, cli):
    only = valid().split("\n## Summary")[0]
    write_record(empty_root, RID, only.rstrip("\n"))
    assert problems_of(empty_root, cli) == (0, [])
    write_record(empty_root, RID, "---\n---\n")
    code, problems = problems_of(empty_root, cli)
    assert code == 1 and {"schema-required"} == {p["code"] for p in problems}


def test_non_utf8_bytes_give_the_line(empty_root, cli):
    data = valid().replace("A small test engagement.", "Caf\xe9 meeting").encode("cp1252")
    write_record(empty_root, RID, data)
    code, problems = problems_of(empty_root, cli)
    assert code == 1 and codes_at(problems) == {("file-encoding", 31)}


@pytest.mark.parametrize("char", ["\x00", "\x07", "\u202e", "\u2066"])
def test_control_and_bidi_characters(empty_root, cli, char):
    write_record(empty_root, RID, valid().replace("Test engagement", f"Test{char}engagement"))
    code, problems = problems_of(empty_root, cli)
    assert code == 1 and codes_at(problems) == {("file-control-character", 3)}


def test_very_large_file_is_refused_before_parsing(empty_root, cli):
    write_record(empty_root, RID, valid() + ("word " * 60_000))
    code, problems = problems_of(empty_root, cli)
    assert code == 1 and problems[0]["code"] == "file-too-large"


def test_symlinks_in_archive_are_refused_not_followed(empty_root, cli, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(valid())
    (empty_root / "archive" / "2024").mkdir()
    os.symlink(outside, empty_root / "archive" / "2024" / f"{RID}.md")
    os.symlink(tmp_path, empty_root / "archive" / "2025")
    code, problems = problems_of(empty_root, cli)
    assert code == 1
    assert {p["code"] for p in problems} == {"file-symlink"}
    assert len(problems) == 2


# ---- YAML ---------------------------------------------------------------------


def fm(yaml_text: str) -> str:
    return f"---\n{yaml_text}\n---\nbody\n"


def test_alias_bomb_is_refused_before_expanding(empty_root, cli):
    bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    write_record(empty_root, RID, fm(bomb))
    started = time.perf_counter()
    code, problems = problems_of(empty_root, cli)
    assert time.perf_counter() - started < 10  # generous: expanding would take minutes and GiBs
    assert code == 1 and {p["code"] for p in problems} == {"yaml-alias"}
    assert problems[0]["line"] == 2


def test_deep_nesting_is_refused(empty_root, cli):
    write_record(empty_root, RID, fm("title: " + "[" * 5000 + "]" * 5000))
    code, problems = problems_of(empty_root, cli)
    assert code == 1 and problems[0]["code"] == "yaml-syntax" and problems[0]["line"] == 2
    write_record(empty_root, RID, fm("title: " + "[" * 20 + "]" * 20))
    code, problems = problems_of(empty_root, cli)
    assert code == 1 and problems[0]["code"] == "yaml-too-deep"


def test_duplicate_keys_name_both_lines(empty_root, cli):
    write_record(
        empty_root, RID, valid().replace("status: completed", "status: completed\nstatus: planned")
    )
    code, problems = problems_of(empty_root, cli)
    assert code == 1
    dup = [p for p in problems if p["code"] == "yaml-duplicate-key"]
    assert dup and dup[0]["line"] == 5 and "lines 4 and 5" in dup[0]["message"]


def test_impossible_date_is_an_error_at_its_line(empty_root, cli):
    write_record(empty_root, RID, valid().replace("date: 2024-03-01", "date: 2023-02-30"))
    code, problems = problems_of(empty_root, cli)
    assert code == 1 and codes_at(problems) == {("yaml-invalid-date", 5)}


@pytest.mark.parametrize(
    "old,new,line",
    [
        ("title: Test engagement about parenting", "title: yes", 3),
        ("title: Test engagement about parenting", "title: off", 3),
        ("  quotes: false", "  quotes: on", 25),
        ("title: Test engagement about parenting", "title: 010", 3),
        ("title: Test engagement about parenting", "title: 12:30", 3),
        ("title: Test engagement about parenting", "title: 1.10", 3),
        ("title: Test engagement about parenting", "title: 0x1F", 3),
    ],
)
def test_values_yaml_silently_changes_must_be_quoted(empty_root, cli, old, new, line):
    write_record(empty_root, RID, valid().replace(old, new))
    code, problems = problems_of(empty_root, cli)
    assert code == 1
    assert codes_at(problems) == {("yaml-ambiguous-value", line)}
    assert "quote" in problems[0]["message"]


def test_quoted_values_are_fine(empty_root, cli):
    write_record(
        empty_root, RID, valid().replace("title: Test engagement about parenting", "title: 'yes'")
    )
    assert problems_of(empty_root, cli) == (0, [])


@pytest.mark.parametrize(
    "yaml_text,code",
    [
        ("title: !!python/object/apply:os.system ['true']", "yaml-tag"),
        ("title: !!python/name:os.system", "yaml-tag"),
        ("title: !custom x", "yaml-tag"),
        ("base: &b {a: 1}\nother:\n  <<: *b", "yaml-alias"),
        ("other:\n  <<: {a: 1}", "yaml-merge-key"),
        ("1: one", "yaml-non-string-key"),
        ("? [a, b]\n: c", "yaml-non-string-key"),
        ("yes: one", "yaml-non-string-key"),
    ],
)
def test_tags_merge_keys_and_non_string_keys(empty_root, cli, yaml_text, code):
    write_record(empty_root, RID, fm(yaml_text))
    exit_code, problems = problems_of(empty_root, cli)
    assert exit_code == 1 and code in {p["code"] for p in problems}


def test_tab_after_colon_is_read_the_same_everywhere(empty_root, cli):
    # The C loader accepts a tab after a colon; copro uses it for every read.
    write_record(empty_root, RID, valid().replace("status: completed", "status:\tcompleted"))
    assert problems_of(empty_root, cli) == (0, [])


def test_yaml_syntax_errors_report_file_lines_not_front_matter_lines(empty_root, cli):
    write_record(empty_root, RID, valid().replace("ladder: consultation", "ladder: [consultation"))
    code, problems = problems_of(empty_root, cli)
    assert code == 1 and problems[0]["code"] == "yaml-syntax"
    assert problems[0]["line"] in (12, 13)  # the file line, not line 11 of the YAML
