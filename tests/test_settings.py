"""Archive settings: copro.yml read, checked by validate, written by init."""

from __future__ import annotations

import json

import pytest

from copro.core.errors import CoproError
from copro.core.settings import (
    DEFAULT_TITLE,
    Organisation,
    check_settings,
    load_settings,
)

FULL = """\
name: Hiddo archive
organisation:
  name: Hiddo Women's Association
  sector: voluntary
site:
  title: What Somali women told us
  description: Findings from ten years of listening.
  url: https://example.org/archive/
  contact: Listening team, via the association's web form
  privacy_url: https://example.org/privacy
search:
  backend: whoosh
"""


def test_no_copro_yml_means_every_setting_is_none(empty_root):
    settings = load_settings(empty_root)
    assert settings.name is None and settings.organisation is None
    assert settings.site.title is None and settings.search_backend is None
    assert settings.site_title == DEFAULT_TITLE
    assert check_settings(empty_root) == []


def test_every_setting_is_read(empty_root):
    (empty_root / "copro.yml").write_text(FULL)
    settings = load_settings(empty_root)
    assert settings.name == "Hiddo archive"
    assert settings.organisation == Organisation("Hiddo Women's Association", "voluntary")
    assert settings.site.title == "What Somali women told us"
    assert settings.site.url == "https://example.org/archive/"
    assert settings.site.privacy_url == "https://example.org/privacy"
    assert settings.search_backend == "whoosh"
    assert settings.site_title == "What Somali women told us"


def test_the_site_title_falls_back_to_the_name(empty_root):
    (empty_root / "copro.yml").write_text("name: Hiddo archive\n")
    assert load_settings(empty_root).site_title == "Hiddo archive"


def test_a_shared_inbox_is_allowed_as_the_site_contact(empty_root):
    (empty_root / "copro.yml").write_text("site:\n  contact: listening@example.org\n")
    assert check_settings(empty_root) == []


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("name: A\nsearh:\n  backend: whoosh\n", 2, "unknown setting `searh`"),
        ("site:\n  titel: x\n", 2, "unknown setting `site.titel`"),
        ("organisation:\n  name: A\n  sector: charity\n", 3, "organisation.sector"),
        ("organisation:\n  name: A\n", 1, "needs both name and sector"),
        ("site:\n  url: javascript:alert(1)\n", 2, "http:// or https://"),
        ("name: [a, b]\n", 1, "must be text"),
        ("name: A\nname: B\n", 2, "duplicate key"),
        ("- a\n- b\n", 1, "mapping"),
        ("name: Ring 020 7946 0018\n", 1, "personal data: a phone number"),
        ("search:\n  backend: Who Osh\n", 2, "search.backend"),
        (
            "search:\n  backend: elastic\n",
            2,
            "'elastic' is not one copro has: one of sqlite, whoosh",
        ),  # a new user's trial
    ],
)
def test_each_problem_is_named_at_its_line(empty_root, text, line, words):
    (empty_root / "copro.yml").write_text(text)
    problems = check_settings(empty_root)
    assert problems, text
    assert all(p.code == "settings-invalid" and p.path == "copro.yml" for p in problems)
    assert any(p.line == line and words in p.message for p in problems), problems
    assert "7946" not in " ".join(p.message for p in problems)
    with pytest.raises(CoproError) as caught:
        load_settings(empty_root)
    assert caught.value.exit_code == 1
    assert f"copro.yml:{line}:" in caught.value.message


def test_validate_reports_settings_problems(empty_root, cli):
    (empty_root / "copro.yml").write_text("name: A\ncolour: blue\n")
    result = cli("--root", str(empty_root), "validate", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert problems == [
        {
            "path": "copro.yml",
            "line": 2,
            "severity": "error",
            "code": "settings-invalid",
            "message": problems[0]["message"],
        }
    ]
    assert "colour" in problems[0]["message"]


def test_init_writes_the_settings(tmp_path, cli):
    root = tmp_path / "hiddo"
    result = cli(
        "init", str(root), "--name", "Hiddo archive",
        "--organisation", "Hiddo Women's Association", "--sector", "Voluntary",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    settings = load_settings(root)
    assert settings.name == "Hiddo archive"
    assert settings.organisation == Organisation("Hiddo Women's Association", "voluntary")
    assert cli("--root", str(root), "validate").exit_code == 0
    assert "# Hiddo archive: a co-production archive" in (root / "README.md").read_text()


def test_init_on_an_existing_archive_writes_only_copro_yml(sample_root, cli):
    before = sorted(p.relative_to(sample_root) for p in sample_root.rglob("*"))
    result = cli("init", str(sample_root), "--organisation", "Camden Council",
                 "--sector", "local-authority")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    after = sorted(p.relative_to(sample_root) for p in sample_root.rglob("*"))
    assert set(after) - set(before) == {sample_root.joinpath("copro.yml").relative_to(sample_root)}
    assert load_settings(sample_root).organisation == Organisation(
        "Camden Council", "local-authority"
    )
    again = cli("init", str(sample_root), "--name", "Other")
    assert again.exit_code == 1
    assert "copro.yml" in again.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--organisation", "A"], 2),
        (["--sector", "nhs"], 2),
        (["--organisation", "A", "--sector", "charity"], 2),
        (["--name", "Call 020 7946 0018"], 2),
    ],
)
def test_init_refuses_bad_settings_and_writes_nothing(tmp_path, cli, args, code):
    root = tmp_path / "new"
    result = cli("init", str(root), *args)
    assert result.exit_code == code
    assert not root.exists()
    assert "7946" not in result.stderr


def test_the_backends_validate_accepts_are_the_ones_copro_has():
    """validate (core) names the backends the index (store) registers: one list."""
    from copro.core.settings import SEARCH_BACKENDS
    from copro.store.index import BACKENDS

    assert set(SEARCH_BACKENDS) == set(BACKENDS)
