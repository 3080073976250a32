"""``copro vocab add`` and ``copro vocab list``: terms added without opening a YAML file."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import NEW_OPTIONS, SAMPLE_VOCAB


@pytest.fixture
def root(empty_root):
    shutil.copytree(SAMPLE_VOCAB, empty_root / "schemas" / "vocab")
    return empty_root


def test_add_appends_the_term_and_keeps_every_other_byte(root, cli):
    path = root / "schemas" / "vocab" / "places.yml"
    before = path.read_bytes()
    result = cli("--root", str(root), "vocab", "add", "places", "--label", "Holloway",
                 "--synonym", "Holloway Road", "--synonym", "Nag's Head", "--broader", "Islington")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "holloway"
    after = path.read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].decode() == (
        "- id: holloway\n"
        "  label: Holloway\n"
        "  synonyms:\n"
        "  - Holloway Road\n"
        "  - Nag's Head\n"
        "  broader: islington\n"
    )
    assert cli("--root", str(root), "validate").exit_code == 0
    # the new term is usable at once, and a search for Islington finds it as narrower
    listed = json.loads(cli("--root", str(root), "vocab", "list", "places", "--json").stdout)
    assert listed["vocabulary"] == "places"
    assert {"id": "holloway", "label": "Holloway", "synonyms": ["Holloway Road", "Nag's Head"],
            "broader": "islington"}.items() <= listed["terms"][-1].items()  # fmt: skip


def test_crlf_files_stay_crlf(root, cli):
    path = root / "schemas" / "vocab" / "topics.yml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    before = path.read_bytes()
    result = cli("--root", str(root), "vocab", "add", "topics", "--label", "Children's centres")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "children-s-centres"
    after = path.read_bytes()
    assert after.startswith(before) and b"\n" not in after[len(before) :].replace(b"\r\n", b"")


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--label", "Camden"], 1, "has a term `camden` already"),
        (["--label", "Kentish Town", "--synonym", "London Borough of Camden"], 1, "`camden`"),
        (["--label", "NCL"], 1, "`north-central-london`"),
        (["--label", "Holloway", "--broader", "nowhere-land"], 2, "not a term"),
        (["--label", "   "], 2, "must not be empty"),
        (["--label", "Call 020 7946 0018"], 2, "a phone number (not shown)"),
        (["--label", "Holloway", "--synonym", "holloway"], 2, "given twice"),
    ],
)
def test_refusals_write_nothing(root, cli, args, code, words):
    path = root / "schemas" / "vocab" / "places.yml"
    before = path.read_bytes()
    result = cli("--root", str(root), "vocab", "add", "places", *args)
    assert result.exit_code == code, result.stderr
    assert words in " ".join(result.stderr.split())
    assert "7946" not in result.stderr
    assert path.read_bytes() == before


def test_an_unknown_vocabulary_is_a_usage_error(root, cli):
    assert cli("--root", str(root), "vocab", "add", "pleces", "--label", "X").exit_code == 2
    assert cli("--root", str(root), "vocab", "list", "pleces").exit_code == 2


def test_an_archive_on_the_shipped_vocabularies_gets_its_own_copy(empty_root, cli):
    result = cli("--root", str(empty_root), "vocab", "add", "places", "--label", "Holloway")
    assert result.exit_code == 0, result.stderr
    folder = empty_root / "schemas" / "vocab"
    assert sorted(p.name for p in folder.iterdir()) == [
        "methods.yml", "places.yml", "populations.yml", "topics.yml",
    ]  # fmt: skip
    assert (folder / "places.yml").read_text().endswith("- id: holloway\n  label: Holloway\n")
    assert cli("--root", str(empty_root), "validate").exit_code == 0


def test_a_record_can_use_the_new_term_and_new_offers_the_command(root, cli):
    options = [o if o != "leeds" else "Holloway" for o in NEW_OPTIONS]
    refused = cli("--root", str(root), "new", "--title", "Drop-in", *options, "--yes")
    assert refused.exit_code == 2
    assert "copro vocab add places --label Holloway" in " ".join(refused.stderr.split())
    assert cli("--root", str(root), "vocab", "add", "places", "--label", "Holloway").exit_code == 0
    created = cli("--root", str(root), "new", "--title", "Drop-in", *options, "--yes")
    assert created.exit_code == 0, created.stderr


def test_list_shows_narrower_terms_under_broader_ones_at_80_columns(root, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    result = cli("--root", str(root), "vocab", "list", "places")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert all(len(line) <= 40 for line in lines), lines
    camden = next(line for line in lines if "[camden]" in line)
    london = next(line for line in lines if "[london]" in line)
    assert len(camden) - len(camden.lstrip()) > len(london) - len(london.lstrip())


def test_vocab_add_in_a_hub_root_is_refused(tmp_path, cli):
    hub = tmp_path / "hub"
    hub.mkdir()
    (hub / "hub.yml").write_text("members:\n- name: trust\n  url: ../trust\n  rev: main\n")
    result = cli("--root", str(hub), "vocab", "add", "places", "--label", "Holloway")
    assert result.exit_code == 2
    assert "is a hub" in result.stderr and "trust" in result.stderr


def test_in_sentence_is_written_for_letters(root, cli):
    result = cli("--root", str(root), "vocab", "add", "methods", "--label", "Walking interview",
                 "--in-sentence", "a walking interview", "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["in_sentence"] == "a walking interview"
    text = (root / "schemas" / "vocab" / "methods.yml").read_text()
    assert text.endswith("  label: Walking interview\n  in_sentence: a walking interview\n")
    assert cli("--root", str(root), "validate").exit_code == 0


def _hint(stderr: str) -> tuple[list[str], str]:
    """The hint's lines as printed, and as words."""
    lines = stderr.split("hint: ", 1)[1].splitlines()
    return lines, " ".join(" ".join(lines).split())


def test_the_unknown_term_hint_keeps_its_command_whole_in_the_persons_casing(root):
    import os
    import subprocess
    import sys

    def new(place: str) -> subprocess.CompletedProcess[str]:
        options = [o if o != "leeds" else place for o in NEW_OPTIONS]
        return subprocess.run(
            [sys.executable, "-m", "copro", "--root", str(root), "new", "--title", "Drop-in",
             *options, "--yes"],
            capture_output=True, text=True, env=dict(os.environ, COLUMNS="80"), timeout=120,
        )  # fmt: skip

    for typed, label in [("Holloway", "Holloway"), ("holloway", "Holloway"),
                         ("kings cross", "'Kings Cross'"),
                         ("Children's centres", '"Children\'s centres"')]:  # fmt: skip
        done = new(typed)
        assert done.returncode == 2
        lines, words = _hint(done.stderr)
        command = next(line for line in lines if "copro vocab add" in line)
        if label is not None:
            assert f"`copro vocab add places --label {label}`" in command, done.stderr
        assert "vocab add places --label" in command and command.rstrip().endswith("`")
        assert all(len(line) <= 80 for line in done.stderr.splitlines())
        assert "`copro vocab list places`" in words
    spelt = new("Islingtn")
    lines, words = _hint(spelt.stderr)
    assert "closest: Islington (islington)" in words
    assert "`copro vocab add places --label Islingtn`" in words


def test_a_topic_label_in_lower_case_is_suggested_as_a_sentence(sample_root, cli):
    done = cli("--root", str(sample_root), "update", "2019-03-somali-mothers-parenting",
               "--topic", "children's centres")  # fmt: skip
    assert done.exit_code == 2
    assert '--label "Children\'s centres"' in " ".join(done.stderr.split()), done.stderr
