"""Every page of a built site passes the Nu Html Checker (vnu), a validator nobody here wrote.

The checker is the ``vnu-jar`` package of the npm registry, run with the machine's
Java; ``.ci/run`` installs both when missing and says where the jar is
(``COPRO_VNU_JAR``). Outside CI the test is skipped, with the reason, only when
Java or the jar is truly missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

JAR_PLACES = (
    Path.home() / ".cache" / "copro-ci" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar",
    Path.home()
    / ".cache"
    / "copro-tools"
    / "node_modules"
    / "vnu-jar"
    / "build"
    / "dist"
    / "vnu.jar",
)


def vnu_command() -> list[str]:
    """``java -jar vnu.jar`` (or a ``vnu`` on PATH); fails in CI, skips elsewhere, when missing."""
    java = shutil.which("java")
    given = os.environ.get("COPRO_VNU_JAR")
    jars = [Path(given)] if given else list(JAR_PLACES)
    jar = next((j for j in jars if j.is_file()), None)
    if java and jar:
        return [java, "-Xss16m", "-jar", str(jar)]
    reason = (
        "the Nu Html Checker needs Java and vnu.jar (npm install vnu-jar; apt-get install "
        "default-jre-headless), as .ci/run installs them"
    )
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the HTML checker: {reason}", pytrace=False)
    pytest.skip(reason)


def html_errors(site: Path) -> list[str]:
    """Every error vnu reports over the site's pages, as "page:line: message"."""
    pages = sorted(str(p) for p in site.rglob("*.html") if "pagefind" not in p.parts)
    assert pages, "the site has pages"
    done = subprocess.run(
        [*vnu_command(), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    root = str(site.resolve())
    return [
        f"{m.get('url', '').partition(root)[2]}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]


def test_every_page_of_the_sample_site_is_valid_html(built_site: tuple[Path, Path]) -> None:
    errors = html_errors(built_site[1])
    assert errors == [], "\n".join(errors[:40])


def test_every_page_of_a_hub_site_is_valid_html(built_hub_site: tuple[Path, Path]) -> None:
    errors = html_errors(built_hub_site[1])
    assert errors == [], "\n".join(errors[:40])
