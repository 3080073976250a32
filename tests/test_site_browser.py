"""``copro site`` in a real browser: Debian's Chromium driven by Playwright, checked by axe-core.

One browser and one built site serve every test here (session fixtures), each
test in a fresh browser context that fails on console errors, on any request
that would leave 127.0.0.1, and on any dialog (the XSS corpus must open none).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from sitekit import PRIVATE_FINDING, REVISIT_ID, XSS_ID, shard_urls

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RECORD = "records/2019-03-somali-mothers-parenting/"

playwright_api = pytest.importorskip("playwright.sync_api", reason="needs the test extra")
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser tests: .ci/run installs chromium", pytrace=False)
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)


def serve(folder: Path) -> Iterator[str]:
    """``folder`` served on 127.0.0.1 by copro's own server, on a free port."""
    from copro.site.serve import make_server, url_of

    server = make_server(folder, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url_of(server)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def site_url(built_site: tuple[Path, Path]) -> Iterator[str]:
    """The sample archive's built site, served."""
    yield from serve(built_site[1])


@pytest.fixture(scope="session")
def hub_site_url(built_hub_site: tuple[Path, Path]) -> Iterator[str]:
    """The hub's built site, served like the archive's."""
    yield from serve(built_hub_site[1])


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watch:
    """What a page did that it must not: console errors, outside requests, dialogs."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.dialogs: list[str] = []

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside
        assert self.dialogs == [], self.dialogs


@pytest.fixture
def page_and_watch(browser, site_url: str, request: pytest.FixtureRequest):
    js = getattr(request, "param", True)
    context = browser.new_context(java_script_enabled=js, viewport={"width": 1280, "height": 900})
    watch = Watch()

    def route(route_, req) -> None:
        if urlparse(req.url).hostname != "127.0.0.1":
            watch.outside.append(req.url)
            route_.abort()
        else:
            route_.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and watch.errors.append(m.text))
    page.on("pageerror", lambda e: watch.errors.append(str(e)))

    def dialog(d) -> None:
        watch.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    yield page, watch
    context.close()


def search(page, words: str) -> list[str]:
    page.fill("#search-input", words)
    page.wait_for_function(  # the results of these words, not of the last ones, are shown
        "q => document.getElementById('result-count').textContent !== '' && "
        "!document.getElementById('results').hasAttribute('aria-busy') && "
        "new URLSearchParams(location.search).get('q') === q",
        arg=words,
    )
    return result_titles(page)


def result_titles(page) -> list[str]:
    page.wait_for_function("() => document.getElementById('result-count').textContent !== ''")
    return page.locator("#results h3").all_inner_texts()


def test_search_finds_both_somali_mothers_engagements(page_and_watch, site_url: str) -> None:
    page, watch = page_and_watch
    page.goto(site_url)
    titles = search(page, "somali parenting")
    assert "Somali mothers on parenting and family support in Islington" in titles
    assert "Does it still hold? Returning to Somali mothers on parenting" in titles
    assert page.locator("#results li.result:not(:has(.snippet))").count() == 0, "each has a snippet"
    assert page.locator("#results li.result:has(mark)").count() >= 2, "matched words are marked"
    assert f"{len(titles)} engagements found" in page.inner_text("#result-count")
    watch.assert_clean()


SOMALI_2019 = "Somali mothers on parenting and family support in Islington"
SOMALI_2024 = "Does it still hold? Returning to Somali mothers on parenting"
CRECHE = (
    "Sessions at school pick-up time or with no creche are impossible for mothers of "
    "several children."
)


def snippets(page) -> list[str]:
    return page.locator("#results li.result").evaluate_all(
        "items => items.map(i => i.querySelector('.snippet')?.textContent || '')"
    )


def test_search_finds_records_in_every_shard(
    page_and_watch, site_url: str, built_site: tuple[Path, Path]
) -> None:
    """The shared site's index is three shards (merged in the page with Pagefind's
    ``mergeIndex``): one search finds the Somali mothers' engagements held in each."""
    page, watch = page_and_watch
    wanted = {
        "/records/2019-03-somali-mothers-parenting/": SOMALI_2019,
        "/records/2024-04-somali-mothers-parenting-follow-up/": SOMALI_2024,
        f"/records/{REVISIT_ID}/": "Checking again with Somali mothers",
    }
    shards = shard_urls(built_site[1])
    held_in = {url: next(i for i, urls in enumerate(shards) if url in urls) for url in wanted}
    assert sorted(held_in.values()) == [0, 1, 2], held_in
    page.goto(site_url)
    titles = search(page, "somali mothers")
    assert set(wanted.values()) <= set(titles), titles
    page.goto(site_url + "?population=Somali+women")  # filters only: newest first, as ever
    page.wait_for_function("() => document.querySelectorAll('#results h3').length === 3")
    assert result_titles(page) == [wanted[f"/records/{REVISIT_ID}/"], SOMALI_2024, SOMALI_2019]
    watch.assert_clean()


def test_search_understands_questions_synonyms_and_typos(page_and_watch, site_url: str) -> None:
    """The questions of issue 21, typed as people type them, find what copro search finds."""
    page, watch = page_and_watch
    page.goto(site_url)
    titles = search(page, "what did somali mums say about childrens centres?")
    assert SOMALI_2019 in titles[:3] and SOMALI_2024 in titles[:3], titles
    assert all("Somali" in title for title in titles[:3]), titles
    mums = search(page, "mums")  # a synonym finds what its term is tagged on
    assert {SOMALI_2019, SOMALI_2024} <= set(mums) and len(mums) >= 3, mums
    titles = search(page, "creche housing")  # one word matching other records never empties
    assert SOMALI_2019 in titles and len(titles) >= 3, titles
    assert CRECHE in snippets(page), "the snippet is the finding that matched"
    assert page.locator("#results .snippet mark", has_text="creche").count() >= 1
    titles = search(page, "somlai mothers")
    status = page.inner_text("#result-count")
    assert "Showing results for somali mothers" in status, status
    assert "Somali" in titles[0], titles
    watch.assert_clean()


def test_filters_combine_with_words(page_and_watch, site_url: str) -> None:
    page, watch = page_and_watch
    page.goto(site_url + "?q=parenting&year=2019")
    page.wait_for_function("() => document.querySelectorAll('#results h3').length > 0")
    assert result_titles(page) == [SOMALI_2019]
    assert page.locator("fieldset[data-group=year] input[value='2019']").is_checked()
    watch.assert_clean()


def test_hub_site_search_reads_every_member(page_and_watch, hub_site_url: str) -> None:
    page, watch = page_and_watch
    page.goto(hub_site_url)
    titles = search(page, "what did somali mums say about childrens centres?")
    assert SOMALI_2019 in titles[:2], titles
    assert len(search(page, "mums")) >= 3
    watch.assert_clean()


CLS_OBSERVER = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""


@pytest.mark.parametrize("width", [1280, 390])
def test_no_layout_shift_after_load(browser, site_url: str, width: int) -> None:
    """Cumulative layout shift (PerformanceObserver, as Lighthouse counts it) stays below 0.1
    on the home page, a search given in the address, and a record page."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(CLS_OBSERVER)
    page = context.new_page()
    shifts = {}
    for path in ("", "?q=somali+mums", RECORD):
        page.goto(site_url + path, wait_until="load")
        if path.startswith("?"):
            page.wait_for_function("() => document.querySelectorAll('#results h3').length > 0")
        page.wait_for_timeout(500)
        shifts[path or "home"] = page.evaluate("window.__cls")
    context.close()
    assert all(value < 0.1 for value in shifts.values()), shifts


def test_filters_narrow_results_and_work_without_words(page_and_watch, site_url: str) -> None:
    page, watch = page_and_watch
    page.goto(site_url)
    page.click("summary:has-text('Population')")
    page.check("fieldset[data-group=population] input[value='Somali women']")
    titles = result_titles(page)
    assert len(titles) == 3 and all("Somali" in t for t in titles), titles
    page.click("summary:has-text('Year')")
    page.check("fieldset[data-group=year] input[value='2019']")  # AND across groups
    page.wait_for_function("() => document.querySelectorAll('#results h3').length === 1")
    assert "1 engagement found" in page.inner_text("#result-count")
    page.check("fieldset[data-group=year] input[value='2024']")  # OR within a group
    page.wait_for_function("() => document.querySelectorAll('#results h3').length === 2")
    page.click("#clear-filters")
    page.click("summary:has-text('Standing')")
    page.check("fieldset[data-group=standing] input[value='Still holds']")
    page.wait_for_function("() => document.querySelectorAll('#results h3').length === 1")
    assert "Somali mothers on parenting" in page.inner_text("#results")
    watch.assert_clean()


def test_keyboard_only_search_and_filters(page_and_watch, site_url: str) -> None:
    page, watch = page_and_watch
    page.goto(site_url)

    def tab_to(predicate: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(
                f"(() => {{ const e = document.activeElement; return {predicate}; }})()"
            ):
                return
        raise AssertionError(f"Tab never reached {predicate}")

    tab_to("e.id === 'search-input'")
    page.keyboard.type("parenting")
    page.keyboard.press("Enter")
    before = len(result_titles(page))
    tab_to("e.tagName === 'SUMMARY' && e.textContent.includes('Population')")
    page.keyboard.press("Enter")
    tab_to("e.type === 'checkbox' && e.value === 'Somali women'")
    page.keyboard.press("Space")
    page.wait_for_function(f"() => document.querySelectorAll('#results h3').length < {before}")
    assert page.evaluate("document.activeElement.checked")
    watch.assert_clean()


@pytest.mark.parametrize(
    "path",
    [
        "",
        RECORD,
        "topics/parenting/",
        "coverage/",
        "credits/",
        "accessibility/",
        "consensus/",
        "consensus/2025-09-own-language-and-words/",
    ],
)
def test_no_axe_violations_wcag22_aa(page_and_watch, site_url: str, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page, watch = page_and_watch
    page.goto(site_url + path)
    if not path:
        search(page, "somali parenting")  # check the results as shown, too
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()
    watch.assert_clean()


def test_xss_corpus_opens_no_dialog(page_and_watch, site_url: str) -> None:
    page, watch = page_and_watch
    for path in (f"records/{XSS_ID}/", "topics/parenting/", "credits/", "findings/", ""):
        page.goto(site_url + path)
    search(page, "corpusword")
    page.click("summary:has-text('Organisation')")
    page.check("fieldset[data-group=organisation] input[value^='Trust <b']")
    page.wait_for_timeout(200)  # give any injected handler the chance to fire
    assert "Tricky title" in page.inner_text("#results")
    watch.assert_clean()


@pytest.mark.parametrize("page_and_watch", [False], indirect=True)
def test_record_pages_read_without_javascript(page_and_watch, site_url: str) -> None:
    page, watch = page_and_watch
    page.goto(site_url + RECORD)
    assert "Somali mothers on parenting" in page.inner_text("h1")
    assert page.locator(
        ".finding-text", has_text="Parenting courses are in English only"
    ).is_visible()
    page.goto(site_url + "records/2025-08-private-group/")
    assert page.locator(".finding-text", has_text=PRIVATE_FINDING).is_visible()
    page.goto(site_url)
    assert page.get_by_text("Search needs JavaScript").is_visible()
    watch.assert_clean()


def test_screenshots_home_and_record(page_and_watch, site_url: str, tmp_path: Path) -> None:
    """Screenshots at 1280 and 390 px: written where a person looks at them (COPRO_SHOTS)."""
    page, watch = page_and_watch
    folder = Path(os.environ.get("COPRO_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(site_url)
        search(page, "somali parenting")
        page.screenshot(path=folder / f"home-{width}.png")
        page.goto(site_url + RECORD)
        page.screenshot(path=folder / f"record-{width}.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "no sideways scroll"
    watch.assert_clean()


def test_opened_as_a_file_the_home_page_links_every_engagement(
    browser, built_site: tuple[Path, Path]
) -> None:
    """Browsers refuse search from file://: the page says so instead of a dead form."""
    context = browser.new_context()
    page = context.new_page()
    page.goto((built_site[1] / "index.html").as_uri())
    assert page.get_by_text("Search needs JavaScript").is_visible()
    assert not page.locator("#search-input").is_visible()
    assert not page.locator("#filters").is_visible()
    assert page.locator("#recent").is_visible()
    context.close()


BOX = "sel => { const b = document.querySelector(sel).getBoundingClientRect(); return [b.top, b.bottom]; }"


@pytest.mark.parametrize("width", [1280, 390])
def test_home_before_a_search_has_no_empty_gap(browser, site_url: str, width: int) -> None:
    """Until a search, the latest engagements stand where results will be: beside the
    filters at 1280 px (tops level), right under them at 390 px (the layout's 24 px gap),
    never below an empty results column."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site_url, wait_until="load")
    filters_top, filters_bottom = page.evaluate(BOX, "#filters")
    recent_top, _ = page.evaluate(BOX, "#recent-heading")
    if width == 1280:
        assert abs(recent_top - filters_top) <= 8, (recent_top, filters_top)
    else:
        assert 0 <= recent_top - filters_bottom <= 32, (recent_top, filters_bottom)
    search(page, "somali parenting")
    assert not page.locator("#recent").is_visible()
    context.close()


@pytest.mark.parametrize("page_and_watch", [False], indirect=True)
def test_without_javascript_the_home_shows_the_latest_engagements_not_a_dead_form(
    page_and_watch, site_url: str
) -> None:
    page, watch = page_and_watch
    page.goto(site_url)
    assert page.get_by_text("Search needs JavaScript").is_visible()
    assert page.locator("#recent a").first.is_visible()
    for dead in ("#search-input", "#filters", "#results-heading"):
        assert not page.locator(dead).is_visible(), dead
    watch.assert_clean()
