"""``copro validate`` end to end: the sample archive passes, each rule fails with file and line."""

from __future__ import annotations

import json

import pytest

from conftest import VALID_RECORD, write_record


def test_sample_archive_passes(sample_root, cli):
    result = cli("--root", str(sample_root), "validate")
    assert result.exit_code == 0, result.stdout
    assert "16 record(s) checked: 0 error(s)" in result.stderr


def test_json_output_has_the_contract_keys(sample_root, cli):
    write_record(
        sample_root,
        "2024-03-typo",
        VALID_RECORD.format(id="2024-03-typo").replace("status: completed", "status: complete"),
    )
    result = cli("--root", str(sample_root), "validate", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)  # nothing else on stdout
    assert set(document) == {"files_checked", "problems"}
    assert document["files_checked"] == 17
    problem = document["problems"][0]
    assert set(problem) == {"path", "line", "severity", "code", "message"}
    assert problem["path"] == "archive/2024/2024-03-typo.md"
    assert problem["line"] == 4
    assert problem["severity"] == "error"


def test_json_flag_is_the_same_as_format_json(sample_root, cli):
    a = cli("--root", str(sample_root), "validate", "--json")
    b = cli("--root", str(sample_root), "validate", "--format", "json")
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_github_annotations_point_at_the_line(empty_root, cli):
    text = VALID_RECORD.format(id="2024-03-x").replace("places: [camden]", "places: [camdn]")
    write_record(empty_root, "2024-03-x", text)
    result = cli("--root", str(empty_root), "validate", "--format", "github")
    assert result.exit_code == 1
    assert "::error file=archive/2024/2024-03-x.md,line=10::[vocab-unknown]" in result.stdout
    assert "closest: camden" in result.stdout


def test_warnings_alone_exit_zero(empty_root, cli):
    text = VALID_RECORD.format(id="2024-03-x").replace(
        "ladder: consultation", "ladder: co-production"
    )
    write_record(empty_root, "2024-03-x", text)
    result = cli("--root", str(empty_root), "validate", "--json")
    assert result.exit_code == 0
    codes = [p["code"] for p in json.loads(result.stdout)["problems"]]
    assert codes == ["ladder-honesty"]


def test_no_archive_root_is_a_usage_error(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("validate")
    assert result.exit_code == 2
    assert "copro: error:" in result.stderr
    assert "COPRO_ROOT" in result.stderr  # says how the root is found


def test_root_from_environment_and_from_cwd(sample_root, cli, monkeypatch, tmp_path):
    elsewhere = tmp_path / "elsewhere"  # not an archive, nor inside one
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("COPRO_ROOT", raising=False)
    assert cli("validate").exit_code == 2  # no root here: only COPRO_ROOT can make it pass
    monkeypatch.setenv("COPRO_ROOT", str(sample_root))
    result = cli("validate", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["files_checked"] == len(list(sample_root.rglob("*.md")))
    monkeypatch.delenv("COPRO_ROOT")
    monkeypatch.chdir(sample_root / "archive" / "2019")
    assert cli("validate", "--json").exit_code == 0


def test_paths_limit_what_is_checked(sample_root, cli, monkeypatch):
    write_record(sample_root, "2024-03-bad", "not a record")
    monkeypatch.chdir(sample_root)
    good = cli("validate", "--json", "archive/2019")
    assert good.exit_code == 0
    assert json.loads(good.stdout)["files_checked"] == 2
    bad = cli("validate", "--json", "archive/2024/2024-03-bad.md")
    assert bad.exit_code == 1
    missing = cli("validate", "archive/2099/nope.md")
    assert missing.exit_code == 2


# (replace this, with this, expected code, expected line)
RULES = [
    ("status: completed", "status: complete", "schema-invalid", 4),
    ("status: completed", "status: completed\nstauts: active", "schema-unknown-field", 5),
    ("title: Test engagement about parenting\n", "", "schema-required", 1),
    ("    role: lead", "    role: partner", "lead-count", 6),
    ("places: [camden]", "places: [camdn]", "vocab-unknown", 10),
    ("topics: [parenting]", "topics: [parentin]", "vocab-unknown", 14),
    ("    responds_to: [S1]", "    responds_to: [S2]", "responds-to-unknown", 20),
    ("    status: done\n    date: 2024-05-01", "    status: not-doing", "schema-required", 19),
    ("    status: done\n    date: 2024-05-01", "    status: done", "schema-required", 19),
    ("date: 2024-03-01", "date: 2024-03-01\nend_date: 2024-02-01", "end-date-before-date", 6),
    ("  recontact: false", "  recontact: true", "schema-required", 24),
    ("  quotes: false", "  quotes: 'no'", "schema-invalid", 25),
    ("ladder: consultation", "ladder: tokenism", "schema-invalid", 12),
    (
        "you_said:\n  - id: S1",
        "you_said:\n  - id: S1\n    text: x\n  - id: S1",
        "duplicate-item-id",
        16,
    ),
    ("consent:", "related: [2024-01-nowhere]\nconsent:", "reference-unknown", 24),
    ("consent:", "supersedes: 2024-03-rules\nconsent:", "reference-self", 24),
    (
        "consent:",
        "links:\n  - {title: x, url: 'javascript:alert(1)'}\nconsent:",
        "schema-invalid",
        25,
    ),
    (
        "consent:",
        "contributors:\n  - {role: member, credit: named}\nconsent:",
        "schema-required",
        25,
    ),
    ("consent:", "participants: -3\nconsent:", "schema-invalid", 24),
]


@pytest.mark.parametrize("old,new,code,line", RULES)
def test_each_rule_names_file_line_and_code(empty_root, cli, old, new, code, line):
    text = VALID_RECORD.format(id="2024-03-rules")
    assert old in text
    write_record(empty_root, "2024-03-rules", text.replace(old, new, 1))
    result = cli("--root", str(empty_root), "validate", "--json")
    problems = json.loads(result.stdout)["problems"]
    assert result.exit_code == 1, problems
    assert {"code": code, "line": line} in [
        {"code": p["code"], "line": p["line"]} for p in problems
    ], problems


def test_valid_template_passes(empty_root, cli):
    write_record(empty_root, "2024-03-rules")
    result = cli("--root", str(empty_root), "validate", "--json")
    assert result.exit_code == 0, result.stdout


def test_unknown_field_suggests_the_right_name(empty_root, cli):
    text = VALID_RECORD.format(id="2024-03-x").replace(
        "status: completed", "status: completed\nreview_bye: 2025-01-01"
    )
    write_record(empty_root, "2024-03-x", text)
    problems = json.loads(cli("--root", str(empty_root), "validate", "--json").stdout)["problems"]
    assert "did you mean `review_by`?" in problems[0]["message"]


def test_id_must_match_file_name_and_year_folder(empty_root, cli):
    write_record(empty_root, "2024-03-x", VALID_RECORD.format(id="2024-03-y"))
    path = empty_root / "archive" / "2023" / "2024-03-z.md"
    path.parent.mkdir()
    path.write_text(VALID_RECORD.format(id="2024-03-z"))
    problems = json.loads(cli("--root", str(empty_root), "validate", "--json").stdout)["problems"]
    codes = {(p["path"], p["code"]) for p in problems}
    assert ("archive/2024/2024-03-x.md", "id-mismatch") in codes
    assert ("archive/2023/2024-03-z.md", "wrong-folder") in codes


def test_ids_differing_only_in_case_collide(empty_root, cli):
    write_record(empty_root, "2024-03-x")
    (empty_root / "archive" / "2024" / "2024-03-X.md").write_text(
        VALID_RECORD.format(id="2024-03-x")
    )
    problems = json.loads(cli("--root", str(empty_root), "validate", "--json").stdout)["problems"]
    assert "duplicate-id" in {p["code"] for p in problems}


def test_vocabulary_files_are_validated(sample_root, cli):
    topics = sample_root / "schemas" / "vocab" / "topics.yml"
    topics.write_text(
        "terms:\n"
        "- {id: a, label: A, broader: b}\n"
        "- {id: b, label: B, broader: a}\n"
        "- {id: a, label: Again}\n"
        "- {id: c, label: C, broader: nowhere}\n"
    )
    for _ in range(2):  # the second run answers from the vocabulary cache
        problems = json.loads(cli("--root", str(sample_root), "validate", "--json").stdout)[
            "problems"
        ]
        vocab = {
            (p["code"], p["line"]) for p in problems if p["path"] == "schemas/vocab/topics.yml"
        }
        assert ("vocab-cycle", 2) in vocab and ("vocab-cycle", 3) in vocab
        assert ("vocab-duplicate-id", 4) in vocab
        assert ("vocab-unknown-broader", 5) in vocab


def test_shipped_vocabularies_are_used_when_the_root_has_none(empty_root, cli):
    write_record(empty_root, "2024-03-x")
    assert not (empty_root / "schemas").exists()
    assert cli("--root", str(empty_root), "validate").exit_code == 0


def test_anonymous_contributor_name_is_never_echoed(empty_root, cli):
    text = VALID_RECORD.format(id="2024-03-x").replace(
        "consent:",
        "contributors:\n  - {role: member, credit: anonymous, name: Zebedee Quillfeather}\nconsent:",
    )
    write_record(empty_root, "2024-03-x", text)
    for fmt in ("text", "json", "github"):
        result = cli("--root", str(empty_root), "validate", "--format", fmt)
        assert result.exit_code == 1
        assert "Zebedee" not in result.stdout + result.stderr


def test_vocabulary_files_pass_the_personal_data_gate(sample_root, cli):
    places = sample_root / "schemas" / "vocab" / "places.yml"
    places.write_text(
        places.read_text() + "- id: office\n  label: Our office\n  synonyms: [SW1A 1AA]\n"
    )
    problems = json.loads(cli("--root", str(sample_root), "validate", "--json").stdout)["problems"]
    assert [(p["path"], p["code"]) for p in problems] == [
        ("schemas/vocab/places.yml", "pii-postcode")
    ]


def test_version_says_whether_the_c_loader_is_used(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("copro ") and "with libyaml" in result.stdout


def test_the_count_is_of_records_and_statements_checked(tmp_path, cli):
    """A .gitkeep, copro.yml and a stray file are not records: the count says what was
    checked, and the stray is an error of its own."""
    import os
    import subprocess
    import sys

    from conftest import NEW_OPTIONS

    root = tmp_path / "ours"
    assert cli("init", str(root), "--name", "Our archive").exit_code == 0
    (root / "consensus").mkdir()
    (root / "consensus" / ".gitkeep").write_text("")
    made = cli("--root", str(root), "new", "--title", "Evening drop-in", *NEW_OPTIONS, "--yes")
    assert made.exit_code == 0, made.stderr
    (root / "archive" / "2026" / ".gitkeep").write_text("")

    def validate(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "copro", "--root", str(root), "validate", *args],
            capture_output=True, text=True, env=dict(os.environ, COLUMNS="80"), timeout=120,
        )  # fmt: skip

    done = validate()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 record(s) checked: 0 error(s)" in done.stderr
    assert json.loads(validate("--json").stdout)["files_checked"] == 1
    (root / "archive" / "notes.txt").write_text("a stray file\n")
    stray = validate("--json")
    document = json.loads(stray.stdout)
    assert document["files_checked"] == 1
    assert [p["code"] for p in document["problems"]] == ["file-not-a-record"]
    text = validate()
    assert "1 record(s) checked: 1 error(s)" in text.stderr
    assert all(len(line) <= 80 for line in text.stdout.splitlines()), text.stdout
