"""End-to-end tests of the explorer in a real headless Chromium, driven by Playwright for Python.

One ``kg serve`` on the bundled example (``examples/116026.txt``) and one browser serve the whole module; every
test gets its own browser context (fresh cookies, cache and downloads) at 1280 px wide.

* The browser is Debian's Chromium at ``/usr/bin/chromium`` (``playwright install`` cannot download one here).
  ``bash .ci/run`` installs it when it is missing. Without it these tests FAIL (they never skip) and say so.
* Every page any test opens is watched: uncaught JavaScript exceptions, console errors and every request go into
  one journal for the module, and the last tests check that journal (no errors, nothing fetched from any host but
  the local server).
* ``docs/screenshots/*.png`` (full-page, 1280 px wide) are written by :func:`test_screenshot`; the README links them.
"""
from __future__ import annotations

import csv
import io
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from live_server import REPO_ROOT, LiveServer, build_store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
WIDTH, HEIGHT = 1280, 900
TIMEOUT_MS = 30_000  # generous: CI machines can be slow; no test measures time
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

PERSON = "/id/person/kim-il-sung"
MEETING = "/id/meeting/116026-1958-05-27"
DOCUMENT = "/id/document/116026"
MET = ["Nam Il", "Alexander Puzanov", "A. A. D'yakonov", "Kim Gwang-hyeop"]  # whom Kim Il Sung met on 1958-05-27

HOW_TO_GET_CHROMIUM = ("Run `bash .ci/run` (it installs what the browser tests need), or install Debian's Chromium "
                       "yourself: `apt-get update && apt-get install -y chromium`, and Playwright for Python: "
                       "`pip install -e '.[test]'`. Never `playwright install`: its browser download fails here.")


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright for Python is not installed ({exc}). {HOW_TO_GET_CHROMIUM}"
    if not CHROMIUM.exists():
        return f"Debian's Chromium is not installed ({CHROMIUM} is missing). {HOW_TO_GET_CHROMIUM}"
    return None


# --------------------------------------------------------------------------- what the pages did


@dataclass
class Journal:
    """What every page opened in this module did."""

    page_errors: list[str] = field(default_factory=list)  # uncaught exceptions
    console_errors: list[str] = field(default_factory=list)  # console messages of type "error"
    requests: list[str] = field(default_factory=list)  # every URL the browser asked for
    visited: list[str] = field(default_factory=list)  # every document loaded in a main frame
    resource_urls: list[str] = field(default_factory=list)  # resources the pages' markup points at (scripts, styles…)

    def __repr__(self) -> str:  # pytest shows it on failures; the assertion messages say what matters
        return (f"<Journal: {len(set(self.visited))} pages, {len(self.requests)} requests, "
                f"{len(self.page_errors)} page errors, {len(self.console_errors)} console errors>")


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "javascript"):
        return True
    return parts.hostname in LOCAL_HOSTS


def watch(page, journal: Journal) -> None:
    def console(msg):
        if msg.type == "error":
            where = (msg.location or {}).get("url") or page.url
            journal.console_errors.append(f"{msg.text} [at {where}, while on {page.url}]")

    page.on("pageerror", lambda exc: journal.page_errors.append(f"{exc} [on {page.url}]"))
    page.on("console", console)
    page.on("framenavigated", lambda frame: frame == page.main_frame and journal.visited.append(frame.url))
    page.on("load", lambda _: _record_resources(page, journal))


RESOURCES_JS = """() => Array.from(document.querySelectorAll(
    'script[src], link[rel~="stylesheet"][href], link[rel~="icon"][href], link[rel~="preload"][href], '
  + 'link[rel~="modulepreload"][href], link[rel~="prefetch"][href], img[src], iframe[src], source[src], '
  + 'video[src], audio[src], object[data], embed[src]'))
  .map(e => e.src || e.href || e.data)"""


def _record_resources(page, journal: Journal) -> None:
    try:
        journal.resource_urls.extend(page.evaluate(RESOURCES_JS))
    except Exception:  # the page navigated away meanwhile; its successor is recorded on its own load
        pass


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    store = build_store(root / "store")
    live = LiveServer(store, root / "logs").start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def playwright():
    problem = missing_browser()
    if problem:
        pytest.fail(problem, pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        yield pw


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
                                      timeout=60_000)


@pytest.fixture(scope="module")
def browser(playwright):
    chromium = launch(playwright)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def journal() -> Journal:
    return Journal()


def open_page(browser, server, journal: Journal):
    """A page in a fresh context on the server, watched by the journal (close its context when done).

    Nothing is intercepted or blocked: the browser does exactly what a reader's would (interception would, for
    one, stop Chromium from asking for /favicon.ico), and every request it makes is recorded.
    """
    context = browser.new_context(base_url=server.base_url, viewport={"width": WIDTH, "height": HEIGHT},
                                  device_scale_factor=1, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])  # as a reader's browser would have
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(2 * TIMEOUT_MS)
    context.on("request", lambda request: journal.requests.append(request.url))
    context.on("page", lambda page: watch(page, journal))  # also pop-ups
    return context.new_page()


@pytest.fixture(scope="module")
def new_page(browser, server, journal) -> Callable:
    """Opens pages in fresh contexts of the module's browser; closes them all at the end."""
    pages = []

    def _open():
        pages.append(open_page(browser, server, journal))
        return pages[-1]

    yield _open
    for page in pages:
        page.context.close()


@pytest.fixture
def page(new_page):
    page = new_page()
    yield page
    page.close()


def goto(page, path: str):
    response = page.goto(path, wait_until="load")
    assert response is not None and response.ok, f"GET {path}: {response.status if response else 'no response'}"
    return response


# --------------------------------------------------------------------------- the browser itself


def test_chromium_is_installed():
    """Fails, never skips, when the browser tests cannot run; the message says what to install."""
    problem = missing_browser()
    if problem:
        pytest.fail(problem, pytrace=False)


# --------------------------------------------------------------------------- 1. search


def test_search_box_suggests_a_person_and_opens_the_page(page):
    from playwright.sync_api import expect

    goto(page, "/")
    box = page.locator("#search-box")
    box.click()
    box.press_sequentially("Kim Il", delay=60)
    suggestions = page.locator("#suggestions")
    expect(suggestions).to_be_visible()
    option = suggestions.locator("li > a").filter(has_text="Kim Il Sung")
    expect(option).to_have_count(1)
    # the label is the link's own text; the kind badge follows it in a span
    assert option.evaluate("a => a.firstChild.textContent") == "Kim Il Sung"
    expect(option.locator(".badge")).to_have_text("person")
    option.click()
    expect(page).to_have_url(re.compile(re.escape(PERSON) + "$"))
    expect(page.locator("h1")).to_have_text("Kim Il Sung")


# --------------------------------------------------------------------------- 2. the person's timeline


def test_person_timeline_leads_to_the_meeting(page):
    from playwright.sync_api import expect

    goto(page, PERSON)
    expect(page.locator("h1")).to_have_text("Kim Il Sung")
    entry = page.locator("ol.timeline > li").filter(has=page.locator("span.date", has_text="1958-05-27"))
    expect(entry).to_have_count(1)
    expect(entry.locator("span.date")).to_have_text("1958-05-27")
    for name in MET:
        expect(entry.locator(".with a", has_text=name)).to_have_count(1)
    meeting_link = entry.locator(f'a[href="{MEETING}"]')
    expect(meeting_link).to_be_visible()
    expect(meeting_link).to_contain_text("1958-05-27")

    # the network of the people met most often, each a link to the person
    network = page.locator("svg.network")
    expect(network).to_be_visible()
    for name in MET:
        expect(network.locator("a text", has_text=name)).to_have_count(1)

    meeting_link.click()
    expect(page).to_have_url(re.compile(re.escape(MEETING) + "$"))
    expect(page.locator("h1")).to_contain_text("1958-05-27")
    participants = page.locator("section", has=page.locator("h2", has_text="Participants")).locator("ul.results > li")
    names = [n.strip() for n in participants.locator("> a").all_inner_texts()]
    assert "Nam Il" in names, names
    assert set(MET + ["Kim Il Sung"]) <= set(names), names
    expect(page.locator("dl.meta")).to_contain_text("1958-05-27")


# --------------------------------------------------------------------------- 3. evidence


def test_evidence_opens_the_document_at_the_mention(page):
    from playwright.sync_api import expect

    goto(page, PERSON)
    evidence = page.locator("details.evidence").first
    expect(evidence).not_to_have_attribute("open", re.compile(".*"))
    in_document = evidence.get_by_role("link", name="in the document").first
    expect(in_document).to_be_hidden()
    evidence.locator("summary").click()
    expect(evidence).to_have_attribute("open", re.compile(".*"))
    expect(in_document).to_be_visible()
    href = in_document.get_attribute("href")
    assert re.fullmatch(re.escape(DOCUMENT) + r"#m\d+-\d+", href), href

    in_document.click()
    expect(page).to_have_url(re.compile(re.escape(DOCUMENT) + r"#m\d+-\d+$"))
    anchor = urlsplit(page.url).fragment
    assert anchor == href.split("#", 1)[1]
    target = page.locator(f".text [id='{anchor}']")
    expect(target).to_have_count(1)
    assert target.evaluate("e => e.tagName") == "A"
    expect(target).to_have_class(re.compile(r"(^|\s)mention(\s|$)"))
    expect(target).to_be_visible()
    expect(target).to_have_class(re.compile(r"(^|\s)flash(\s|$)"))
    expect(target).to_have_text("Kim Il Sung")
    expect(target).to_be_in_viewport()  # the page scrolls the quoted mention into view
    # the mention itself links to the person
    expect(target).to_have_attribute("href", PERSON)


def test_evidence_quote_opens_its_passage_then_the_document(page):
    from playwright.sync_api import expect

    goto(page, PERSON)
    evidence = page.locator("details.evidence").first
    evidence.locator("summary").click()
    quote = evidence.locator("a.passage").first  # added by app.js once the quotes arrive
    expect(quote).to_be_visible()
    exact = quote.inner_text().strip("“”")
    quote.click()
    expect(page).to_have_url(re.compile(re.escape(DOCUMENT) + r"/passage/\d+-\d+$"))
    expect(page.locator("p.kind")).to_have_text("Quoted passage")
    expect(page.locator("blockquote.passage mark")).to_have_text(exact)
    # the passage names the person: the person is among what it is evidence for
    expect(page.locator("table.evidence-for a[href='%s']" % PERSON).first).to_be_visible()
    start, end = re.search(r"/passage/(\d+)-(\d+)$", page.url).groups()
    page.locator("a.in-document").click()
    expect(page).to_have_url(re.compile(re.escape(DOCUMENT) + rf"#m{start}-{end}$"))
    expect(page.locator(f".text [id='m{start}-{end}']")).to_have_text(exact)


# --------------------------------------------------------------------------- 4. the query page


def test_query_example_and_csv_download(page):
    from playwright.sync_api import expect

    goto(page, "/query")
    page.locator("button.example", has_text="People Kim Il Sung met").click()
    table = page.locator("#results table.results")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows.filter(has_text="Nam Il")).to_have_count(1)
    assert rows.count() >= 4, table.inner_text()
    expect(table.locator("thead th")).to_have_text(["date", "other", "name"])
    for name in MET:
        expect(rows.filter(has_text=name)).not_to_have_count(0)
    expect(page.locator("#status")).to_contain_text(re.compile(r"\b\d+ rows\b"))

    # the links follow the query now in the text area
    query = page.locator("#query").input_value()
    assert 'schema:name "Kim Il Sung"' in query
    csv_link = page.locator("#csv")
    href = csv_link.get_attribute("href")
    assert href.startswith("/sparql?format=csv&query="), href
    assert parse_qs(urlsplit(href).query)["query"] == [query]
    share = page.locator("#share").get_attribute("href")
    assert share.startswith("/query?query=") and parse_qs(urlsplit(share).query)["query"] == [query], share

    with page.expect_download() as info:
        csv_link.click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == "results.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    table_rows = list(csv.reader(io.StringIO(text, newline="")))
    assert table_rows[0] == ["date", "other", "name"], text[:500]
    assert len(table_rows) - 1 == rows.count(), text[:500]
    assert {r[2] for r in table_rows[1:]} >= set(MET), text[:500]
    assert all(r[0] == "1958-05-27" for r in table_rows[1:]), text[:500]

    # the same link fetched by the page's own request context: served as CSV
    response = page.request.get(href)
    assert response.ok, response.status
    assert response.headers["content-type"].split(";")[0].strip() == "text/csv", response.headers
    assert response.text().splitlines()[0].strip() == "date,other,name"

    # and the share link brings the query back
    goto(page, share)
    assert page.locator("#query").input_value() == query


# --------------------------------------------------------------------------- 6. screenshots


def _show_query_results(page):
    from playwright.sync_api import expect

    page.locator("button.example", has_text="People Kim Il Sung met").click()
    expect(page.locator("#results table.results tbody tr").filter(has_text="Nam Il")).to_have_count(1)


def _h1(text: str):
    def check(page):
        from playwright.sync_api import expect

        expect(page.locator("h1")).to_contain_text(text)
    return check


SHOTS = [
    ("home", "/", _h1("Explore the archive"), "The home page: counts and the documents in the graph."),
    ("search", "/search?q=Kim+Il+Sung", _h1("Kim Il Sung"), "Search results for “Kim Il Sung”."),
    ("person", PERSON, _h1("Kim Il Sung"), "A person: timeline of meetings, network, documents with evidence."),
    ("meeting", MEETING, _h1("1958-05-27"), "A meeting: date, kind, participants and their roles."),
    ("document", DOCUMENT, _h1("Puzanov"), "A document: catalogue data and the text with its mentions marked."),
    # a span of the example quoted for two facts: Nam Il named, and Nam Il's participation as a speaker
    ("passage", DOCUMENT + "/passage/7264-7270", _h1("Nam Il"), "A quoted passage and what it is evidence for."),
    ("query", "/query", _show_query_results, "The query page with the results of an example query."),
    ("browse", "/browse", _h1("Browse documents"), "Browsing the documents by facets."),
]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("name,path,ready,caption", SHOTS, ids=[s[0] for s in SHOTS])
def test_screenshot(page, name, path, ready, caption):
    goto(page, path)
    ready(page)
    page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    out = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(out), full_page=True, animations="disabled", caret="hide")
    width, height = png_size(out)
    assert width == WIDTH, (out, width)
    assert height >= min(HEIGHT, page.evaluate("document.documentElement.scrollHeight")), (out, height)


def test_readme_shows_the_screenshots():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Screenshots", 1)[1].split("\n## ", 1)[0] if "## Screenshots" in readme else ""
    assert section, "README.md has no '## Screenshots' section"
    for name, *_ in SHOTS:
        assert f"](docs/screenshots/{name}.png)" in section, f"README's Screenshots section does not show {name}.png"


# --------------------------------------------------------------------------- 5. no errors, nothing from outside


@pytest.fixture(scope="module")
def tour(playwright, server, journal):
    """Visits every main page the way a first-time reader would (on top of what the tests above did).

    It runs in a browser of its own, so that nothing the module's browser already has (e.g. its favicon cache)
    hides what a fresh browser would do; it waits for the network to settle after each page so that late
    requests and errors are recorded. Returns the journal.
    """
    from playwright.sync_api import expect

    own_browser = launch(playwright)
    page = open_page(own_browser, server, journal)
    settle = lambda: page.wait_for_load_state("networkidle")  # noqa: E731 (let late requests and errors arrive)

    goto(page, "/")
    settle()
    box = page.locator("#search-box")
    box.press_sequentially("Kim Il", delay=60)
    expect(page.locator("#suggestions li a").filter(has_text="Kim Il Sung")).to_have_count(1)
    box.press("ArrowDown")
    box.press("Enter")  # the keyboard way through the suggestions
    expect(page).to_have_url(re.compile(re.escape(PERSON) + "$"))
    settle()
    page.locator("details.evidence summary").first.click()
    page.locator("details.evidence a.passage").first.click()  # the quote's own page
    expect(page).to_have_url(re.compile(re.escape(DOCUMENT) + r"/passage/\d+-\d+$"))
    settle()
    page.locator("a.in-document").click()
    expect(page).to_have_url(re.compile(re.escape(DOCUMENT) + r"#m\d+-\d+$"))
    settle()
    page.locator("button[data-copy]").click()  # copy the citation
    expect(page.locator("button[data-copy]")).to_have_text("Copied")
    page.locator(".text a.mention.person").first.click()  # a mention leads to its entity
    expect(page.locator("p.kind")).to_have_text("Person")
    settle()
    goto(page, MEETING)
    settle()
    page.locator("#search-box").fill("Nam Il")
    page.locator("#search-box").press("Enter")  # the search form, not a suggestion
    expect(page).to_have_url(re.compile(r"/search\?q=Nam\+Il$"))
    expect(page.locator("main a", has_text="Nam Il").first).to_be_visible()
    settle()
    page.get_by_role("link", name="Query", exact=True).click()
    expect(page).to_have_url(re.compile(r"/query$"))
    for button in page.locator("button.example").all():
        button.click()
        expect(page.locator("#status")).to_contain_text(re.compile(r"\d+ rows?\b|Answer:"))
    settle()
    page.get_by_role("link", name="Browse", exact=True).click()
    expect(page).to_have_url(re.compile(r"/browse$"))
    settle()
    page.locator("aside.facets a[data-facet]").first.click()
    expect(page.locator("p.chosen")).to_be_visible()
    settle()
    for nav in ("Ontology", "Downloads"):
        page.locator("header nav").get_by_role("link", name=nav, exact=True).click()
        page.wait_for_load_state("load")
        settle()
    own_browser.close()
    return journal


def test_no_javascript_exceptions(tour):
    assert tour.visited, "no page was visited"
    assert not tour.page_errors, "uncaught JavaScript errors:\n" + "\n".join(tour.page_errors)


def test_no_console_errors(tour):
    errors = sorted(set(tour.console_errors))
    hint = ("\n(/favicon.ico is what Chromium asks every site for: the site needs an icon there, or a "
            "<link rel=\"icon\"> in its pages)" if any("/favicon.ico" in e for e in errors) else "")
    assert not errors, f"console errors (pages visited: {len(set(tour.visited))}):\n" + "\n".join(errors) + hint


def test_no_request_leaves_the_local_server(tour):
    assert len(tour.requests) > len(set(tour.visited)), "no requests were recorded"
    outside = sorted({url for url in tour.requests + tour.resource_urls if not is_local(url)})
    assert not outside, "requests to hosts other than the local server (CDN?):\n" + "\n".join(outside)
    assert any(urlsplit(u).path == "/static/app.js" for u in tour.requests), "app.js was never loaded"
