"""The forms' words as a new user reads them, from a real ``copro serve`` over HTTP.

An optional field says so once, in its label ("(optional)", as GOV.UK does), never
again in its hint; and the hint of "Checks again an earlier finding" says in plain
words what to type, with an example that is accepted when typed as it stands.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from conftest import git_init
from servekit import serving

pytest.importorskip("starlette", reason="needs the serve extra")

RECORD = "2019-03-somali-mothers-parenting"
LATER = "2025-02-hospital-discharge-carers"
FORMS = [
    "edit/new", "edit/import", "edit/vocab", "edit/consensus", f"edit/{RECORD}",
    f"edit/{RECORD}/finding", f"edit/{RECORD}/action", f"edit/{RECORD}/decision",
    f"edit/{RECORD}/contributor", f"edit/{RECORD}/feedback", f"edit/{RECORD}/revisit",
    f"edit/{RECORD}/finding/S1", f"edit/{RECORD}/action/D1", f"edit/{RECORD}/contributor/1",
]  # fmt: skip
TAGS = re.compile(r"<[^>]+>")


@pytest.fixture
def running(sample_root: Path):
    git_init(sample_root)
    with serving(sample_root) as served:
        yield served


def form_groups(body: str) -> list[str]:
    """The words of each field's group (label, hint, input), as a person reads them."""
    form = body.split('<form class="edit-form"', 1)[1].split("</form>", 1)[0]
    groups = form.split('<div class="form-group')[1:]
    return [" ".join(html.unescape(TAGS.sub(" ", group)).split()) for group in groups]


def hint_of(body: str, field_id: str) -> str:
    found = re.search(rf'<p class="hint" id="{field_id}-hint">(.*?)</p>', body, re.S)
    assert found, f"{field_id} has no hint"
    return found.group(1)


def test_every_optional_field_says_so_once(running) -> None:
    client = running.client()
    drafted = client.submit("/edit/consensus", [
        ("title", "Help in Somali"), ("statement", "Somali mothers want help in Somali."),
        ("from", f"{RECORD}#S1"), ("from", f"{RECORD}#S2"),
    ])  # fmt: skip
    assert drafted.status == 303, drafted.body[:500]
    pages = [*FORMS, drafted.headers["location"].lstrip("/")]
    twice = []
    for path in pages:
        answer = client.get(f"/{path}")
        assert answer.status == 200, (path, answer.status)
        groups = form_groups(answer.body)
        assert groups, path
        twice += [(path, g) for g in groups if len(re.findall("optional", g, re.I)) > 1]
    assert twice == []


def test_the_earlier_finding_hint_says_what_to_type_and_its_example_works(running) -> None:
    client = running.client()
    form = client.get(f"/edit/{LATER}/finding")
    hint = hint_of(form.body, "field-revisits")
    words = html.unescape(TAGS.sub("", hint))
    assert "ID#SN" not in words and "optional" not in words.lower()
    assert "id" in words and "#S" in words and "number of the finding" in words
    example = re.fullmatch(r".*For example[^<]*<code>([^<]+)</code>", hint, re.S)
    assert example, hint
    typed = html.unescape(example.group(1))
    assert typed == f"{RECORD}#S2"
    saved = client.submit(f"/edit/{LATER}/finding", [
        ("text", "Carers still hear about discharge on the day."),
        ("revisits", typed), ("outcome", "still-holds"),
    ])  # fmt: skip
    assert saved.status == 303, saved.body[:800]
    record = (running.config.root / "archive" / "2025" / f"{LATER}.md").read_text()
    assert f'finding: "{RECORD}#S2"' in record, record
