"""Browsing in a real browser: Debian's Chromium, headless, driven by Playwright.

A real ``quartiers browse`` process serves the gold-annotated seed documents (see
:mod:`tests.test_browse`); every page the tests visit is saved as a screenshot in
``artifacts/screenshots/``. Host names do not resolve (map tiles are not fetched), so
the run needs no network.
"""

from __future__ import annotations

import hashlib
import io
import re
import sqlite3
import time
from pathlib import Path

import pytest
from PIL import Image

from quartiers.datasette.metadata import CHART_FRAGMENT
from tests import test_browse as browse
from tests.support import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # Host names other than 127.0.0.1 do not resolve: map tiles never leave the machine.
    # (Playwright request interception would do it too, but it breaks the PDF viewer.)
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = browse.start_browse(browse.build_browse_db(tmp_path_factory.mktemp("browser")))
    yield server
    browse.stop_browse(server)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `bash scripts/setup.sh --browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=False)


def painted(page, timeout: float = 15) -> bool:
    """Wait until the page shows something (Chromium's PDF viewer paints late)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        low, high = Image.open(io.BytesIO(page.screenshot())).convert("L").getextrema()
        if high - low > 100:
            return True
        page.wait_for_timeout(300)
    return False


def query(server, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(server.db.path) as conn:
        return conn.execute(sql, params).fetchall()


def test_a_table_page_renders(page, server):
    page.goto(f"{server.url}/{server.database}/amounts?_size=20")
    assert page.locator("h1").inner_text().startswith("Amounts")
    assert page.locator("table.rows-and-columns tbody tr").count() == 20
    # euro amounts are written the French way
    first = page.locator("table.rows-and-columns tbody tr td.col-value_eur").first.inner_text()
    assert re.fullmatch(r"[\d\u202f]+(,\d\d)?\u202f€", first)
    shoot(page, "table-amounts")


def test_a_facet_filters_the_rows(page, server):
    page.goto(f"{server.url}/{server.database}/territory_amounts")
    total = page.locator("h3").first.inner_text()
    facet = page.locator('.facet-info[data-column="territory"] li a').first
    territory = facet.inner_text()
    facet.click()
    page.wait_for_load_state()
    assert f"territory={territory}" in page.url
    cells = page.locator("table.rows-and-columns tbody td.col-territory").all_inner_texts()
    assert cells and set(cells) == {territory}
    expected = query(
        server, "SELECT COUNT(*) FROM territory_amounts WHERE territory = ?", territory
    )[0][0]
    shown = page.locator("h3").first.inner_text()
    assert shown != total and re.match(rf"{expected:,} rows?", shown)
    shoot(page, "facet-territory")


@pytest.mark.parametrize(
    ("typed", "real"),
    [("Cite du Tranvaal", "Cité Du Transvaal - Centre"), ("Mont Liebaut", "Mont-Liébaut")],
)
def test_a_misspelt_quartier_is_found(page, server, typed, real):
    page.goto(f"{server.url}/{server.database}/find_quartier")
    page.fill('input[name="q"]', typed)
    page.click('input[type="submit"]')
    page.wait_for_load_state()
    names = page.locator("table.rows-and-columns tbody td.col-name").all_inner_texts()
    assert real in names[:2]
    shoot(page, f"find-quartier-{typed.split()[-1].lower()}")


def test_a_canned_comparison_query_renders(page, server):
    page.goto(f"{server.url}/{server.database}/compare_territories")
    assert "Territories side by side" in page.locator("h1").inner_text()
    territories = page.locator("table.rows-and-columns tbody td.col-territory").all_inner_texts()
    assert sorted(territories) == sorted(
        t for (t,) in query(server, "SELECT label FROM territories")
    )
    money = page.locator("td.col-latest_programmation_eur").all_inner_texts()
    assert any(m.strip().endswith("€") for m in money)
    page.locator("table.rows-and-columns").scroll_into_view_if_needed()
    shoot(page, "compare-territories")


def test_a_source_link_opens_the_right_pdf_page(page, server):
    page.goto(f"{server.url}/{server.database}/amounts?_size=5&_sort=value_eur")
    link = page.locator("a.pdf-page").first
    href = link.get_attribute("href")
    sha, number = re.fullmatch(r"/-/pdf/([0-9a-f]{64})#page=(\d+)", href).groups()
    row_id = page.locator("table.rows-and-columns tbody tr").first.locator("td.col-id").inner_text()
    assert query(server, "SELECT document, page FROM amounts WHERE id = ?", row_id.strip()) == [
        (sha, int(number))
    ]
    link.click()
    page.wait_for_url(re.compile(rf"/-/pdf/{sha}#page={number}$"))
    assert painted(page), "the PDF viewer shows nothing"
    shoot(page, "pdf-page")
    response = page.request.get(f"{server.url}/-/pdf/{sha}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(response.body()).hexdigest() == sha
    stem = next(s for s, known in server.db.shas.items() if known == sha)
    assert response.body() == server.db.pdfs[stem].read_bytes()


def test_the_map_shows_every_located_territory(page, server):
    page.goto(f"{server.url}/{server.database}/territory_comparison")
    located = query(server, "SELECT COUNT(*) FROM territories WHERE latitude IS NOT NULL")[0][0]
    page.wait_for_selector(".leaflet-container")
    markers = page.locator(".leaflet-marker-icon, .marker-cluster")
    markers.first.wait_for()
    assert located > 0 and markers.count() >= 1
    shown = page.evaluate(
        "() => Array.from(document.querySelectorAll('.marker-cluster span'))"
        ".reduce((n, s) => n + Number(s.textContent), 0)"
        " + document.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster)').length"
    )
    assert shown == located
    shoot(page, "map")


def test_a_chart_renders(page, server):
    page.goto(f"{server.url}/{server.database}/chart_programmation{CHART_FRAGMENT}")
    page.wait_for_selector(".vega-embed canvas, .vega-embed svg")
    box = page.locator(".vega-embed canvas, .vega-embed svg").first.bounding_box()
    assert box and box["width"] > 50 and box["height"] > 50
    rows = query(server, "SELECT COUNT(*) FROM programmation_totals")[0][0]
    assert rows >= 2  # datasette-vega draws from two rows on
    page.locator(".vega-embed").scroll_into_view_if_needed()
    shoot(page, "chart-programmation")


# ------------------------------------------------------------- the real corpus


@pytest.fixture(scope="module")
def corpus_server(corpus_db, tmp_path_factory):
    """``quartiers browse`` over the real ingest of the bundled corpus (a copy of it)."""
    copy = tmp_path_factory.mktemp("corpus-browse") / "corpus.db"
    with sqlite3.connect(corpus_db[0]) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    server = browse.start_browse(browse.corpus_browse_db(copy, ROOT), pdf_root=ROOT)
    yield server
    browse.stop_browse(server)


def pdf_page_text(pdf: bytes, number: int) -> str:
    """The text layer of page ``number`` (1-based), without any whitespace."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        text = document[number - 1].get_textpage().get_text_range()
    finally:
        document.close()
    return re.sub(r"\s+", "", text)


def test_a_real_extracted_amount_opens_its_pdf_page(page, corpus_server):
    """A programmation total read from a born-digital corpus PDF: its source link opens
    that PDF, at the page whose text holds the amount as the row writes it."""
    server = corpus_server
    [(row_id, sha, number, raw)] = query(
        server,
        "SELECT a.id, a.document, a.page, a.raw FROM amounts a "
        "JOIN documents d ON d.sha256 = a.document "
        "WHERE d.kind = 'text' AND a.kind = 'total' AND a.raw IS NOT NULL "
        "ORDER BY a.label NOT LIKE '%programmation%', a.value_eur DESC LIMIT 1",
    )
    page.goto(f"{server.url}/{server.database}/amounts?id={row_id}")
    link = page.locator("table.rows-and-columns tbody tr").first.locator("a.pdf-page")
    assert link.get_attribute("href") == f"/-/pdf/{sha}#page={number}"
    link.click()
    page.wait_for_url(re.compile(rf"/-/pdf/{sha}#page={number}$"))
    assert painted(page), "the PDF viewer shows nothing"
    shoot(page, "corpus-pdf-page")
    response = page.request.get(f"{server.url}/-/pdf/{sha}")
    assert response.status == 200 and hashlib.sha256(response.body()).hexdigest() == sha
    assert re.sub(r"\s+", "", raw) in pdf_page_text(response.body(), number)
