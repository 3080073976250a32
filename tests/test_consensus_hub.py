"""Statements in a hub: read from every member, evidence across members checked by sync."""

from __future__ import annotations

import json
from pathlib import Path

from consensus_kit import statement
from test_hub import commit_all, make_member, sync, write_hub

from conftest import run_cli

STATEMENT = "2024-06-parenting-together"


def test_a_statement_citing_two_members(tmp_path: Path) -> None:
    council = make_member(tmp_path, "council", "2019-03-somali-mothers-parenting")
    charity = make_member(tmp_path, "charity", "2024-03-parenting-groups")
    hub = write_hub(
        tmp_path / "hub",
        [("islington-council", "../council", "main"), ("hiddo", "../charity", "main")],
    )
    evidence = [
        "2024-03-parenting-groups#S1",
        "islington-council:2019-03-somali-mothers-parenting#S1",
    ]
    statement(charity, STATEMENT, "2024-06-01", evidence, status="agreed")
    own = run_cli("--root", str(charity), "validate", "--format", "json")
    assert [p["code"] for p in json.loads(own.stdout)["problems"]] == [
        "consensus-evidence-outside-hub"
    ]
    good = commit_all(charity, "A statement across members")
    result = sync(hub)
    assert result.exit_code == 0, result.stdout
    listed = json.loads(run_cli("--root", str(hub), "consensus", "list", "--json").stdout)
    assert [(s["id"], s["member"], s["records"]) for s in listed["statements"]] == [
        (f"hiddo:{STATEMENT}", "hiddo", 2)
    ]
    shown = json.loads(run_cli("--root", str(hub), "show", f"hiddo:{STATEMENT}", "--json").stdout)
    assert shown["facts"]["members"] == 2
    assert {e["member"] for e in shown["evidence"]} == {"hiddo", "islington-council"}
    findings = json.loads(run_cli("--root", str(hub), "findings", "--json").stdout)["findings"]
    cited = {f"{f['record_id']}#{f['finding_id']}": f["cited_by"] for f in findings}
    assert cited["islington-council:2019-03-somali-mothers-parenting#S1"] == [f"hiddo:{STATEMENT}"]
    # a statement naming a finding the other member does not have fails that member's sync
    path = charity / "consensus" / f"{STATEMENT}.md"
    path.write_text(path.read_text().replace("parenting#S1", "parenting#S7"))
    commit_all(charity, "Broken evidence")
    broken = sync(hub)
    assert broken.exit_code == 1
    members = {m["name"]: m for m in json.loads(broken.stdout)["members"]}
    assert members["hiddo"]["commit"] == good
    assert [p["code"] for p in members["hiddo"]["problems"]] == ["consensus-evidence-unknown"]
    assert members["islington-council"]["problems"] == []
    assert council.exists()
