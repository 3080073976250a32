"""review at scale: text shows the oldest few of each kind and who owes the rest; --json everything."""

from __future__ import annotations

import json


def _items(cli, root, *args: str) -> list[dict]:
    result = cli("--root", str(root), "review", "--as-of", "2026-11-28", *args, "--json")
    assert result.exit_code == 0
    return json.loads(result.stdout)["items"]


def test_limit_shortens_the_text_never_the_json(sample_root, cli):
    everything = _items(cli, sample_root)
    assert _items(cli, sample_root, "--limit", "1") == everything
    text = cli("--root", str(sample_root), "review", "--as-of", "2026-11-28", "--limit", "1")
    assert text.exit_code == 0
    findings = [i for i in everything if i["kind"] == "no-response"]
    flat = " ".join(text.stdout.split())
    assert f"Findings without any response ({len(findings)})" in flat
    assert f"{len(findings) - 1} more. By lead organisation:" in flat
    assert findings[0]["text"] in flat and findings[-1]["text"] not in flat  # oldest first
    all_text = cli("--root", str(sample_root), "review", "--as-of", "2026-11-28", "--limit", "0")
    assert findings[-1]["text"] in " ".join(all_text.stdout.split())


def test_org_keeps_one_organisations_engagements(sample_root, cli):
    hiddo = _items(cli, sample_root, "--org", "HIDDO")
    assert hiddo and {i["record_id"] for i in hiddo} < {
        i["record_id"] for i in _items(cli, sample_root)
    }
    assert all("somali" in i["record_id"] for i in hiddo)
    missing = cli("--root", str(sample_root), "review", "--org", "no such organisation")
    assert missing.exit_code == 1 and "no engagement has an organisation" in missing.stderr
