"""``copro site`` without a browser: what is written, what is refused, what never appears."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import SAMPLE_ARCHIVE, SITE_SHARD_RECORDS, write_record
from sitekit import (
    BODY_QUOTE,
    HIDDEN_ROUTE,
    PRIVATE_FINDING,
    PRIVATE_ID,
    REVISIT_ID,
    XSS_ID,
    shard_urls,
)

pytest.importorskip("pagefind", reason="copro site needs the site extra: pip install -e '.[site]'")


def every_output_text(site: Path) -> dict[Path, str]:
    """Every file of the site as text, Pagefind's gzipped index files decompressed."""
    texts = {}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        texts[path] = data.decode("utf-8", errors="replace")
    return texts


def test_site_has_every_page_the_contract_names(built_site: tuple[Path, Path]) -> None:
    root, site = built_site
    for page in ("index.html", "findings/index.html", "coverage/index.html", "credits/index.html",
                 "topics/parenting/index.html", "populations/somali-women/index.html",
                 "places/islington/index.html", "records/index.html"):  # fmt: skip
        assert (site / page).is_file(), page
    records = sorted(
        p.stem
        for p in (root / "archive").rglob("*.md")
        if "status: withdrawn" not in p.read_text(encoding="utf-8")  # withdrawn: no page
    )
    assert "2024-11-mandatory-employment-support-sessions" not in records
    assert sorted(p.parent.name for p in site.glob("records/*/index.html")) == records
    assert sum(len(urls) for urls in shard_urls(site)) == len(records)
    # The index is complete: no file of it left empty, its entry point readable.
    assert all(p.stat().st_size > 0 for p in (site / "pagefind").rglob("*") if p.is_file())
    assert json.loads((site / "pagefind" / "pagefind-entry.json").read_text())["languages"]
    assert (site / ".copro-site").is_file()
    assert not list(site.parent.glob(".site.*")), "no temporary folder is left behind"


def test_a_large_site_is_indexed_in_shards_by_date(built_site: tuple[Path, Path]) -> None:
    """Every engagement is in exactly one shard of at most the bound; the shards are spans of
    dates, newest first (merged results keep that order when no words are searched)."""
    _, site = built_site
    shards = shard_urls(site)
    assert len(shards) == 3 and all(len(urls) == SITE_SHARD_RECORDS for urls in shards), shards
    every = [url for urls in shards for url in urls]
    assert len(every) == len(set(every))
    spans = [sorted(url.split("/")[2][:7] for url in urls) for urls in shards]
    assert all(spans[i][0] >= spans[i + 1][-1] for i in range(len(spans) - 1)), spans
    assert not list(site.glob(".pagefind-shard*")), "the staging folders are removed"


def test_a_small_site_is_one_index(built_hub_site: tuple[Path, Path]) -> None:
    _, site = built_hub_site
    assert json.loads((site / "pagefind" / "shards.json").read_text()) == {"merge": []}
    assert len(shard_urls(site)[0]) >= 2


class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser would parse the page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def test_every_asset_is_in_the_site(built_site: tuple[Path, Path]) -> None:
    _, site = built_site
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for tag, attrs in Tags(html).tags:
            url = attrs.get("href", attrs.get("src", "")).split("#")[0]
            if url.startswith(("https://", "http://")):
                assert tag == "a" and "noopener" in attrs.get("rel", ""), (path, url)
                continue  # a record's own links: followed only when a reader clicks them
            if url and not url.startswith("?"):
                assert (path.parent / url).resolve().exists(), f"{path.relative_to(site)}: {url}"
        assert "script-src 'self' 'wasm-unsafe-eval'" in unescape(html)


def test_privacy_nothing_withheld_appears_anywhere(built_site: tuple[Path, Path]) -> None:
    _, site = built_site
    texts = every_output_text(site)
    assert any("pagefind/fragment" in str(p) for p in texts)
    for path, text in texts.items():
        assert HIDDEN_ROUTE not in text, f"recontact route without consent in {path}"
    # The group did not agree to quotes: its words appear, never styled as a quotation.
    for path, text in texts.items():
        if PRIVATE_FINDING in text and path.suffix == ".html":
            assert f"“{PRIVATE_FINDING}" not in text, path
            assert "<blockquote" not in text.split(PRIVATE_FINDING)[1][:20]
    private_page = (site / "records" / PRIVATE_ID / "index.html").read_text(encoding="utf-8")
    assert BODY_QUOTE in private_page and "<blockquote" not in private_page
    assert "2 more people" in private_page or "2 people who contributed without" in private_page
    # A group that agreed to quotes keeps its quotation styling (the check above can fail).
    agreed = (site / "records" / "2018-05-peer-coaching-programme" / "index.html").read_text()
    assert '<blockquote class="quote">' in agreed


def test_record_text_is_escaped_everywhere(built_site: tuple[Path, Path]) -> None:
    _, site = built_site
    for path in site.rglob("*.html"):
        for tag, attrs in Tags(path.read_text(encoding="utf-8")).tags:
            assert tag not in {"iframe", "img", "svg", "style", "object", "embed"}, (path, tag)
            assert not [a for a in attrs if a.startswith("on")], (path, tag, attrs)
            for name in ("href", "src"):
                assert not attrs.get(name, "").lower().startswith(("javascript:", "data:")), path
            if tag == "script":
                assert attrs.get("src", "").endswith(("assets/search.js", "assets/early.js")), path
    page = (site / "records" / XSS_ID / "index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(3)&gt;" in page
    assert "{{ 7*7 }}" in page


def test_record_pages_show_standing_and_links_both_ways(built_site: tuple[Path, Path]) -> None:
    _, site = built_site
    old = (site / "records" / "2019-03-somali-mothers-parenting" / "index.html").read_text()
    text = " ".join(unescape(re.sub(r"<[^>]+>", "", old)).split())
    assert "Still holds, checked October 2025" in text
    assert "Changed, October 2025: see Checking again with Somali mothers." in text
    assert (
        "No longer holds, April 2024 (Does it still hold? Returning to Somali mothers on parenting)"
        in text
    )
    later = f'href="../../records/{REVISIT_ID}/#finding-{REVISIT_ID}-S2"'
    assert later in old, "the standing links the later finding by its page-wide unique id"
    private = (site / "records" / PRIVATE_ID / "index.html").read_text()
    assert "Not checked since August 2025" in " ".join(re.sub(r"<[^>]+>", " ", private).split())
    assert f"records/{REVISIT_ID}/" in old, "the old record links to the one that went back"
    new = (site / "records" / REVISIT_ID / "index.html").read_text()
    assert "This went back to" in new and "records/2019-03-somali-mothers-parenting/" in new
    checked = " ".join(unescape(re.sub(r"<[^>]+>", "", new)).split())
    assert (
        "family support in Islington: Many mothers fear that asking for help will bring social "
        "services to the door. The answer now: still holds." in checked
    ), "the earlier group gave no consent to quotes: no quotation marks"
    assert "community meeting at the association" in new
    findings = (site / "findings" / "index.html").read_text()
    assert findings.index('id="still-holds"') < findings.index("Many mothers fear")


def test_json_output_keys(tmp_path: Path, cli) -> None:
    root = tmp_path / "root"
    write_record(root, "2024-03-test-engagement")
    result = cli("--root", str(root), "site", "--json", "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"output", "pages", "records", "indexed", "warnings"}
    assert document["warnings"] and "site.contact" in document["warnings"][0]
    assert document["records"] == document["indexed"] == 1


def test_the_missing_contact_warning_says_whether_copro_yml_is_there(tmp_path: Path, cli) -> None:
    """Without a copro.yml the warning must not say "copro.yml sets no site.contact", and
    its fix is to write the file (found by a new user's trial)."""
    root = tmp_path / "root"
    write_record(root, "2024-03-test-engagement")
    missing = cli("--root", str(root), "site", "--output", str(tmp_path / "a"))
    assert missing.exit_code == 0, missing.stderr
    said = " ".join(missing.stderr.split())
    assert "warning: there is no copro.yml to set site.contact" in said
    assert "sets no" not in said
    assert "write copro.yml in the archive root with site: {contact: ...}" in said
    (root / "copro.yml").write_text("name: Test archive\n", encoding="utf-8")
    unset = cli("--root", str(root), "site", "--json", "--output", str(tmp_path / "b"))
    assert unset.exit_code == 0, unset.stderr
    assert json.loads(unset.stdout)["warnings"][0].startswith("copro.yml sets no site.contact")
    (root / "copro.yml").write_text("site:\n  contact: Listening team\n", encoding="utf-8")
    set_ = cli("--root", str(root), "site", "--json", "--output", str(tmp_path / "c"))
    assert json.loads(set_.stdout)["warnings"] == []


def test_rebuild_replaces_the_site_whole(tmp_path: Path, cli) -> None:
    root = tmp_path / "root"
    write_record(root, "2024-03-test-engagement")
    assert cli("--root", str(root), "site").exit_code == 0
    stale = root / "site" / "records" / "2023-01-gone" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("stale")
    assert cli("--root", str(root), "site").exit_code == 0
    assert not stale.exists()
    assert (root / "site" / "records" / "2024-03-test-engagement" / "index.html").is_file()


@pytest.mark.parametrize("where", [".", "archive", "elsewhere"])
def test_refuses_a_folder_it_did_not_write(tmp_path: Path, cli, where: str) -> None:
    root = tmp_path / "root"
    write_record(root, "2024-03-test-engagement")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "notes.txt").write_text("mine")
    target = {".": root, "archive": root / "archive", "elsewhere": tmp_path / "elsewhere"}[where]
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = cli("--root", str(root), "site", "--output", str(target))
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "copro: error:" in said and "nothing was touched" in said
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_refuses_an_archive_that_fails_validate(tmp_path: Path, cli) -> None:
    root = tmp_path / "root"
    write_record(root, "2024-03-test-engagement")
    assert cli("--root", str(root), "site").exit_code == 0
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    bad = (
        (root / "archive" / "2024" / "2024-03-test-engagement.md")
        .read_text()
        .replace("contributors:", "contributors:")
        .replace(
            "consent:",
            "contributors:\n  - role: participant\n    credit: anonymous\n    name: Hidden Person Name\nconsent:",
        )
    )
    write_record(root, "2024-03-test-engagement", bad)
    result = cli("--root", str(root), "site")
    assert result.exit_code == 1
    assert "validate" in result.stderr and "Hidden Person Name" not in result.stderr + result.stdout
    after = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    assert after == before, "an existing site is left as it was"


def test_without_pagefind_says_how_to_install(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write_record(root, "2024-03-test-engagement")
    code = (
        "import sys; sys.modules['pagefind'] = None; sys.modules['pagefind.service'] = None\n"
        "from copro.cli import main\n"
        f"sys.argv = ['copro', '--root', {str(root)!r}, 'site']\n"
        "main()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert "pip install 'copro-hub[site]'" in done.stderr
    assert not (root / "site").exists()


def test_sample_archive_builds(tmp_path: Path, cli) -> None:
    """The README's own example: the bundled archive's site, into a new folder."""
    result = cli("--root", str(SAMPLE_ARCHIVE.parent), "site", "--output", str(tmp_path / "s"))
    assert result.exit_code == 0, result.stderr
    home = (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    assert 'role="status"' in home and "<legend" in home


def test_init_writes_a_pages_workflow_that_builds_the_site(tmp_path: Path, cli) -> None:
    import yaml

    root = tmp_path / "new-archive"
    assert cli("init", str(root)).exit_code == 0
    workflow = yaml.safe_load((root / ".github" / "workflows" / "site.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    assert any("copro site --output _site" in step.get("run", "") for step in steps)
    assert any(step.get("uses", "").startswith("actions/upload-pages-artifact") for step in steps)
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads `on` as True
    assert "/site/" in (root / ".gitignore").read_text().splitlines()


def test_an_unknown_install_line_annotates_the_workflow_that_holds_it() -> None:
    """Where copro cannot tell how to install itself, each workflow fails pointing at itself."""
    from copro.write.install_source import InstallSource
    from copro.write.scaffold import planned_files

    files = planned_files("x", None, None, InstallSource(None, why_unknown="a local build"))
    site = str(files[".github/workflows/site.yml"])
    validate = str(files[".github/workflows/validate.yml"])
    assert "::error file=.github/workflows/site.yml::" in site and "validate.yml" not in site
    assert "::error file=.github/workflows/validate.yml::" in validate


def test_built_in_shards_the_pages_are_the_same_as_in_one(
    built_site: tuple[Path, Path], tmp_path: Path
) -> None:
    """Sharding changes the search index only: page for page, the same bytes."""
    from copro.site import build_site

    root, sharded = built_site
    built_on = re.search(
        r"Built with copro on (\d+ \w+ \d{4})", (sharded / "index.html").read_text()
    )
    assert built_on, "the home page says when it was built"
    day = dt.datetime.strptime(built_on[1], "%d %B %Y").date()  # the session may cross midnight
    whole = build_site(root, tmp_path / "whole", today=day).output
    assert json.loads((whole / "pagefind" / "shards.json").read_text()) == {"merge": []}
    files = sorted(
        p.relative_to(whole) for p in whole.rglob("*") if p.is_file() and "pagefind" not in p.parts
    )
    assert files == sorted(
        p.relative_to(sharded)
        for p in sharded.rglob("*")
        if p.is_file() and "pagefind" not in p.parts
    )
    assert all((whole / f).read_bytes() == (sharded / f).read_bytes() for f in files)
    assert sorted(u for urls in shard_urls(sharded) for u in urls) == sorted(shard_urls(whole)[0])


def test_a_hub_site_has_a_page_per_member_record(tmp_path: Path, cli) -> None:
    """In a hub, record pages are records/<member>/<id>/, searchable like any other."""
    from test_hub import make_member, write_hub

    make_member(tmp_path, "council", "2019-03-somali-mothers-parenting")
    make_member(tmp_path, "charity", "2024-03-parenting-groups")
    hub = write_hub(
        tmp_path / "hub", [("council", "../council", "main"), ("hiddo", "../charity", "main")]
    )
    assert cli("--root", str(hub), "hub", "sync").exit_code == 0
    result = cli("--root", str(hub), "site", "--json")
    assert result.exit_code == 0, result.stderr
    site = hub / "site"
    assert (
        site / "records" / "council" / "2019-03-somali-mothers-parenting" / "index.html"
    ).is_file()
    assert (site / "records" / "hiddo" / "2024-03-parenting-groups" / "index.html").is_file()
    assert json.loads(result.stdout)["indexed"] == 2
    page = (site / "records" / "hiddo" / "2024-03-parenting-groups" / "index.html").read_text()
    assert 'href="../../../assets/site.css"' in page
    assert "Member of the hub" in (site / "index.html").read_text()  # a filter by member
    narrowed = tmp_path / "hiddo-site"
    only = cli("--root", str(hub), "site", "--member", "hiddo", "--output", str(narrowed))
    assert only.exit_code == 0, only.stderr
    assert (narrowed / "records" / "hiddo" / "2024-03-parenting-groups" / "index.html").is_file()
    assert not (narrowed / "records" / "council").exists()
    assert cli("--root", str(hub), "site", "--member", "nobody", "-o", str(narrowed)).exit_code == 2


def test_serve_answers_on_127_0_0_1_and_stops_quietly(tmp_path: Path) -> None:
    import signal
    import socket
    import time
    import urllib.request

    root = tmp_path / "root"
    write_record(root, "2024-03-test-engagement")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "copro",
            "--root",
            str(root),
            "site",
            "--serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page = ""
        for _ in range(300):  # the build comes first; poll until the server answers
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as answer:
                    page = answer.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.1)
        assert "Search engagements" in page
        tcp = Path("/proc/net/tcp")  # Linux: the kernel's table of TCP sockets
        listening = [  # the listening one is bound to loopback only
            line.split()[1]
            for line in (tcp.read_text().splitlines()[1:] if tcp.exists() else [])
            if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == "0A"
        ]
        assert listening == ([f"0100007F:{port:04X}"] if tcp.exists() else [])
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, stderr = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:  # never leave a server behind on a slow machine
            proc.kill()
            proc.communicate()
            raise
    assert proc.returncode == 0, stderr
    assert f"http://127.0.0.1:{port}/" in stderr and "Traceback" not in stderr


def test_record_pages_say_dates_in_words_without_codes_or_paths(
    built_site: tuple[Path, Path],
) -> None:
    """Record pages speak as the letters do: staff find ids and paths with `copro show`."""
    _, site = built_site
    html = (site / "records" / "2019-03-somali-mothers-parenting" / "index.html").read_text()
    main = html[html.index("<main") : html.index("</main>")]
    shown = " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())
    assert "From 9 March to 25 May 2019" in shown
    assert "Done, 16 September 2019" in shown
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", shown), "no ISO date is shown"
    assert not re.search(r"\b[SD]\d+\b", shown), "no finding or action code is shown"
    assert "archive/" not in shown and ".md" not in shown


def test_every_page_has_unique_ids_a_description_and_the_statement_link(
    built_site: tuple[Path, Path],
) -> None:
    _, site = built_site
    pages = sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)
    for path in pages:
        html = path.read_text(encoding="utf-8")
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), (path, sorted(i for i in ids if ids.count(i) > 1))
        description = re.search(r'<meta name="description" content="([^"]*)">', html)
        assert description and len(description.group(1)) > 30, path
        assert re.search(r'accessibility/index.html"[^>]*>Accessibility statement</a>', html), path
    topic = (site / "topics" / "parenting" / "index.html").read_text()
    assert 'id="finding-2019-03-somali-mothers-parenting-S1"' in topic


def test_search_tables_the_build_writes(built_site: tuple[Path, Path]) -> None:
    """The browser's search reads two tables the build writes: vocabulary phrases with the
    filter values that find their records, and the site's words for spelling corrections."""
    _, site = built_site
    terms = json.loads((site / "assets" / "search-terms.json").read_text(encoding="utf-8"))
    assert terms["phrases"]["mums"] == {"population": ["Mothers"]}
    assert "Somali women" in terms["phrases"]["somali"]["population"], "narrower terms too"
    assert "what" in terms["question_words"] and "mums" not in terms["question_words"]
    words = json.loads((site / "assets" / "search-words.json").read_text(encoding="utf-8"))
    assert words["somali"] >= 3 and "creche" in words
    assert HIDDEN_ROUTE.split()[0].lower() not in words, "only what the pages show"


def test_settings_title_the_site_and_fill_in_the_accessibility_statement(
    tmp_path: Path, cli
) -> None:
    """copro.yml gives the site its title, home description, canonical address, the
    statement's contact and a Privacy link in every footer; with a contact, no warning."""
    pytest.importorskip("copro.core.settings", reason="archive settings land with issue 20")
    root = tmp_path / "root"
    write_record(root, "2024-03-test-engagement")
    (root / "copro.yml").write_text(
        "name: Test Borough archive\n"
        "organisation: {name: Test Borough Council, sector: local-authority}\n"
        "site:\n"
        "  title: What Test Borough heard\n"
        "  description: What residents told Test Borough Council, and what it did.\n"
        "  url: https://heard.example.org/archive\n"
        "  contact: the engagement team's web form at https://example.org/contact\n"
        "  privacy_url: https://example.org/privacy\n",
        encoding="utf-8",
    )
    result = cli("--root", str(root), "site", "--json", "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["warnings"] == []
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "<title>Search what people told us – What Test Borough heard</title>" in home
    assert 'content="What residents told Test Borough Council, and what it did."' in home
    assert '<link rel="canonical" href="https://heard.example.org/archive/">' in home
    assert '<a href="https://example.org/privacy" rel="noopener noreferrer">Privacy</a>' in home
    statement = (tmp_path / "out" / "accessibility" / "index.html").read_text(encoding="utf-8")
    shown = " ".join(unescape(re.sub(r"<[^>]+>", " ", statement)).split())
    assert "This website is run by Test Borough Council." in shown
    assert "contact the engagement team's web form at https://example.org/contact" in shown
    assert "Equality Advisory and Support Service" in shown
    record = (tmp_path / "out" / "records" / "2024-03-test-engagement" / "index.html").read_text()
    assert 'href="https://heard.example.org/archive/records/2024-03-test-engagement/"' in record


def test_a_second_process_writes_the_same_pages_as_one(
    built_site: tuple[Path, Path], tmp_path: Path
) -> None:
    """Large sites share each shard's record pages with a second (spawned) process:
    page for page, the same bytes as one process writes."""
    from copro.site.pages import build_site_data
    from copro.site.render import write_pages

    root, _ = built_site
    data = build_site_data(root)
    shards = [[f"{p.link.url}index.html" for p in data.records[i::2]] for i in range(2)]
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    assert write_pages(data, one, shards=shards) == write_pages(
        data, two, shards=shards, parallel_from=1
    )
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert len(files) > len(data.records)
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)


def test_a_site_without_engagements_still_builds(tmp_path: Path, cli) -> None:
    """Pagefind refuses an index of no page; a site whose only record is withdrawn is built."""
    from conftest import VALID_RECORD

    root = tmp_path / "root"
    gone = VALID_RECORD.format(id="2024-04-gone").replace("status: completed", "status: withdrawn")
    write_record(root, "2024-04-gone", gone)
    result = cli("--root", str(root), "site", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["records"] == 0
    assert (root / "site" / "pagefind" / "pagefind.js").is_file()


def test_a_shard_bound_that_is_not_a_number_is_a_usage_error(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_record(tmp_path / "root", "2024-03-kept")
    monkeypatch.setenv("COPRO_SITE_SHARD_RECORDS", "lots")
    result = cli("--root", str(tmp_path / "root"), "site")
    assert result.exit_code == 2
    assert "COPRO_SITE_SHARD_RECORDS='lots' is not a number of records" in result.stderr
    assert not (tmp_path / "root" / "site").exists()


WINDOWS_RESERVED = re.compile(
    r'[<>:"/\\|?*\x00-\x1f]|[. ]$|^(con|prn|aux|nul|com\d|lpt\d)(\.|$)', re.I
)


def windows_refuses(name: str) -> bool:
    """Whether Windows (and so git for Windows, with core.protectNTFS) refuses this name."""
    return bool(WINDOWS_RESERVED.search(name))


def test_the_readmes_redirect_rule_sends_old_term_addresses_where_copro_serve_does() -> None:
    """``copro site`` writes no page at a colon address (README says why); the nginx rule
    the README gives instead sends each old address where copro's own server sends it."""
    from conftest import REPO
    from copro.site.pages import moved_term_path

    readme = (REPO / "README.md").read_text()
    rule = re.search(r"```nginx\nrewrite \^(\S+)\$ (\S+) permanent;\n```", readme)
    assert rule, "the README gives no nginx rewrite rule"
    pattern, target = "^" + rule.group(1) + "$", re.sub(r"\$(\d)", r"\\\1", rule.group(2))
    for path in ("/places/hiddo:chapeltown/", "/topics/charity:own-topic/index.html",
                 "/populations/a-b:c-d/", "/places/camden/", "/records/hiddo/2024-03-x/"):  # fmt: skip
        moved = moved_term_path(path)
        rewritten = re.sub(pattern, target, path)
        assert rewritten == (f"/{moved}" if moved else path), path


def test_windows_refuses_what_it_should() -> None:
    assert all(map(windows_refuses, ["hiddo:chapeltown", "a?b", "con", "NUL.html", "x."]))
    assert not any(map(windows_refuses, ["hiddo--chapeltown", "index.html", "console"]))


def test_a_members_own_term_has_a_folder_without_a_colon(tmp_path: Path, cli) -> None:
    """A member's own term is kept as ``member:id``; its page is ``places/member--id/``: a
    colon cannot be in a file name on a Windows share or in many zip tools. The old
    address still leads there from copro's own server, and the filters find the label."""
    import shutil
    import threading
    import urllib.request

    from test_hub import commit_all, make_member, write_hub

    from conftest import REPO
    from copro.site.serve import make_server, url_of

    charity = make_member(tmp_path, "charity", "2024-03-parenting-groups")
    vocab = charity / "schemas" / "vocab"
    shutil.copytree(REPO / "schemas" / "vocab", vocab)
    places = vocab / "places.yml"
    places.write_text(places.read_text() + "- id: chapeltown\n  label: Chapeltown\n")
    record = charity / "archive" / "2024" / "2024-03-parenting-groups.md"
    record.write_text(record.read_text().replace("places: [camden]", "places: [chapeltown]"))
    commit_all(charity, "Our own place")
    hub = write_hub(tmp_path / "hub", [("hiddo", "../charity", "main")])
    assert cli("--root", str(hub), "hub", "sync").exit_code == 0
    built = cli("--root", str(hub), "site")
    assert built.exit_code == 0, built.stderr
    site = hub / "site"
    assert not [p for p in site.rglob("*") if windows_refuses(p.name)]
    assert not (site / "places" / "hiddo:chapeltown").exists()  # no redirect page: README
    page = site / "places" / "hiddo--chapeltown" / "index.html"
    assert page.is_file() and "Chapeltown" in page.read_text()
    record_page = site / "records" / "hiddo" / "2024-03-parenting-groups" / "index.html"
    assert 'places/hiddo--chapeltown/"' in record_page.read_text()
    assert "Chapeltown" in (site / "assets" / "search-terms.json").read_text()
    server = make_server(site, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        old = f"{url_of(server)}places/hiddo:chapeltown/"
        with urllib.request.urlopen(old, timeout=10) as answer:
            assert answer.geturl().endswith("/places/hiddo--chapeltown/")
            assert "Chapeltown" in answer.read().decode()
    finally:
        server.shutdown()
        server.server_close()
