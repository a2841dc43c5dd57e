"""Browsing with Datasette: the PDF route, source links, metadata, searches, read-only.

A real ``quartiers browse`` process serves a database loaded with the gold annotations
of three seed documents, each with a real PDF rendered from its seed text (page N of
the PDF holds the lines the database says are on page N).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from quartiers import referencedata as ref
from quartiers.compare import format_eur
from quartiers.datasette import cells
from quartiers.datasette.metadata import build_metadata
from quartiers.datasette.pdf import is_sha256, verified_pdf
from schemas.comparison import VIEWS, ensure_comparison
from schemas.database import ensure_schema, open_db
from schemas.loader import load_document
from schemas.records import CheckFinding, ParsedDocument
from tests.support import GOLD, seed_document
from tests.test_export import extraction_from_gold

GOLD_STEMS = sorted(p.stem for p in GOLD.glob("*.json"))
# The installed console script of this environment, else the same Typer app.
_SCRIPT = Path(sys.executable).parent / "quartiers"
QUARTIERS = (
    [str(_SCRIPT)]
    if _SCRIPT.exists()
    else [sys.executable, "-c", "from quartiers.cli import app; app()"]
)


# ------------------------------------------------------------------ test database


def render_pdf(parsed: ParsedDocument, path: Path) -> bytes:
    """A PDF whose page N shows the text of ``parsed`` page N (reportlab, no fonts needed)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=True)
    for page in parsed.pages:
        pdf.setFont("Helvetica-Bold", 9)
        pdf.drawString(40, 820, f"{parsed.file_name} page {page.number}")
        pdf.setFont("Helvetica", 7)
        for k, line in enumerate(page.text.split("\n")):
            text = line.replace("\t", "    ").encode("cp1252", "replace").decode("cp1252")
            pdf.drawString(40, 800 - 12.5 * k, text[:150])
        pdf.showPage()
    pdf.save()
    return path.read_bytes()


def territory_siren(name: str, department: str) -> str | None:
    """The EPCI whose official name has the same words as ``name`` (reference data)."""
    wanted = ref.name_words(name)
    for epci in ref.epcis().values():
        if epci.dept == department and ref.name_words(epci.full_name) == wanted:
            return epci.siren
    return None


@dataclass(frozen=True, slots=True)
class BrowseDb:
    path: Path
    pdfs: dict[str, Path]  # stem -> PDF file
    shas: dict[str, str]  # stem -> sha256 of the PDF bytes


def build_browse_db(folder: Path) -> BrowseDb:
    """Gold extractions of the seed documents, each backed by a real PDF file."""
    folder.mkdir(parents=True, exist_ok=True)
    db = open_db(folder / "quartiers.db")
    ensure_schema(db)
    pdfs, shas = {}, {}
    for stem in GOLD_STEMS:
        gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
        seed = seed_document(stem)
        pdf = folder / "pdf" / f"{stem}.pdf"
        pdf.parent.mkdir(exist_ok=True)
        sha = hashlib.sha256(render_pdf(seed, pdf)).hexdigest()
        parsed = replace(seed, sha256=sha, path=str(pdf))
        extraction = extraction_from_gold(gold, parsed)
        facts = extraction.facts
        facts.territory_siren = territory_siren(facts.territory, facts.department)
        stated = [a for a in extraction.amounts if a.kind == "total"]
        if len(stated) >= 2:  # a hand-made finding pointing at two pages
            extraction.checks.append(
                CheckFinding(
                    "total_vs_parts",
                    "stated total differs from its parts",
                    stated[0].value_eur,
                    stated[1].value_eur,
                    sorted({stated[0].provenance.page, stated[1].provenance.page}),
                    [stated[0].provenance, stated[1].provenance],
                )
            )
        load_document(db, parsed, extraction, extractor_version="gold")
        pdfs[stem], shas[stem] = pdf, sha
    ensure_comparison(db)
    db.close()
    return BrowseDb(folder / "quartiers.db", pdfs, shas)


# ---------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True, slots=True)
class Server:
    url: str
    db: BrowseDb
    process: subprocess.Popen

    @property
    def database(self) -> str:
        return self.db.path.stem


def corpus_browse_db(path: Path, pdf_root: Path) -> BrowseDb:
    """A database ingested from real PDFs (``documents.path`` relative to ``pdf_root``)."""
    with sqlite3.connect(path) as conn:
        documents = conn.execute("SELECT file_name, path, sha256 FROM documents").fetchall()
    pdfs = {Path(name).stem: pdf_root / pdf for name, pdf, _ in documents}
    return BrowseDb(path, pdfs, {Path(name).stem: sha for name, _, sha in documents})


def start_browse(db: BrowseDb, timeout: float = 90, pdf_root: Path | None = None) -> Server:
    """``quartiers browse`` on a free port; returns once Datasette answers.

    ``pdf_root`` is where relative PDF paths start (default: the database's folder).
    """
    port = free_port()
    log = db.path.parent / f"browse-{port}.log"
    root = ["--pdf-root", str(pdf_root)] if pdf_root else []
    with log.open("wb") as out:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [*QUARTIERS, "browse", "--db", str(db.path), "--port", str(port), *root],
            cwd=db.path.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"quartiers browse exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/-/versions.json", timeout=2).status_code == 200:
                return Server(url, db, process)
        except httpx.HTTPError:
            time.sleep(0.3)
    stop_browse(Server(url, db, process))
    raise RuntimeError(f"quartiers browse did not answer in {timeout} s")


def stop_browse(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_browse(build_browse_db(tmp_path_factory.mktemp("browse")))
    yield server
    stop_browse(server)


# ----------------------------------------------------------------- unit: no server


def test_sha256_check_accepts_only_64_lower_hex():
    assert is_sha256("a" * 64)
    for bad in ("A" * 64, "a" * 63, "a" * 65, "../" + "a" * 61, "g" * 64, ""):
        assert not is_sha256(bad)


def test_euros_are_written_the_french_way():
    assert format_eur(6286281.0) == "6\u202f286\u202f281\u202f€"
    assert format_eur(93.87) == "93,87\u202f€"


def test_euro_cells_ratios_and_lists_are_written_the_french_way():
    url = lambda s, p: ""  # noqa: E731
    assert str(cells.render({}, 179.78, "eur_per_inhabitant", None, url)) == "179,78\u202f€"
    assert str(cells.render({}, 93.0, "latest_eur_per_inhabitant", None, url)) == "93\u202f€"
    listed = cells.render({}, "[5955899.0, 12.5]", "other_stated_eur", None, url)
    assert str(listed) == "5\u202f955\u202f899\u202f€, 12,50\u202f€"
    assert str(cells.render({}, "[]", "other_stated_eur", None, url)) == ""
    assert cells.render({}, 2015, "qpv_generation", None, url) is None


def test_page_cells_link_to_the_pdf_page():
    sha = "b" * 64
    row = {"document": {"value": sha, "label": "x.pdf"}, "page": 7}
    url = lambda s, p: f"/-/pdf/{s}" + (f"#page={p}" if p else "")  # noqa: E731
    html = str(cells.render(row, 7, "page", "amounts", url))
    assert f'href="/-/pdf/{sha}#page=7"' in html and "page 7" in html
    pages = str(cells.render({"document": sha, "pages": "[2, 5]"}, "[2, 5]", "pages", None, url))
    assert pages.count("/-/pdf/") == 2 and "#page=5" in pages
    assert cells.render({"document": "not-a-sha", "page": 7}, 7, "page", None, url) is None
    assert "€" in str(cells.render({}, 1500.0, "value_eur", "amounts", url))
    assert cells.render({"document": sha, "pages": 12}, 12, "pages", "documents", url) is None
    excerpt = f"a <b> {cells.MATCH_START}Transvaal{cells.MATCH_END} c"
    assert str(cells.render({}, excerpt, "excerpt", None, url)) == (
        "a &lt;b&gt; <mark>Transvaal</mark> c"
    )


def test_a_changed_or_missing_file_is_not_served(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4 one")
    sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert asyncio.run(verified_pdf("a.pdf", tmp_path, sha)) == pdf.resolve()
    assert asyncio.run(verified_pdf(str(pdf), Path("/nonexistent"), sha)) == pdf.resolve()
    pdf.write_bytes(b"%PDF-1.4 two, longer")
    assert asyncio.run(verified_pdf("a.pdf", tmp_path, sha)) is None
    assert asyncio.run(verified_pdf("missing.pdf", tmp_path, sha)) is None


def test_metadata_names_sources_licences_and_every_view(tmp_path):
    metadata = build_metadata(tmp_path / "quartiers.db", pdf_root=tmp_path)
    database = metadata["databases"]["quartiers"]
    assert database["tables"]["territories"]["source"] == "ANCT – Ci.Ville"
    assert database["tables"]["territories"]["license"] == "Licence Ouverte 2.0"
    assert set(VIEWS) <= set(database["tables"])
    assert database["tables"]["amounts"]["units"]["value_eur"] == "euro"
    assert {"kind", "funder", "year"} <= set(database["tables"]["amounts"]["facets"])
    assert "find_quartier" in database["queries"]
    assert metadata["plugins"]["quartiers"]["pdf_root"] == str(tmp_path.resolve())


# ------------------------------------------------------------------ HTTP: a server


@pytest.mark.integration
def test_pdf_route_serves_the_right_file(server):
    for stem, sha in server.db.shas.items():
        response = httpx.get(f"{server.url}/-/pdf/{sha}")
        assert response.status_code == 200, stem
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith("inline")
        assert hashlib.sha256(response.content).hexdigest() == sha
        assert response.content == server.db.pdfs[stem].read_bytes()


@pytest.mark.integration
@pytest.mark.parametrize(
    "path",
    [
        "/-/pdf/../../../../etc/passwd",
        "/-/pdf/..%2F..%2F..%2Fetc%2Fpasswd",
        "/-/pdf/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/-/pdf/" + "a" * 63,
        "/-/pdf/" + "A" * 64,
        "/-/pdf/" + "0" * 64,  # well-formed, unknown
        "/-/pdf/" + "0" * 64 + "/../../etc/passwd",
        "/-/pdf/quartiers.db",
        "/-/pdf/",
    ],
)
def test_pdf_route_refuses_anything_but_a_known_sha(server, path):
    with httpx.Client() as client:
        request = client.build_request("GET", server.url)
        request.url = request.url.copy_with(raw_path=path.encode())
        response = client.send(request)
    assert response.status_code in (400, 404), path
    assert b"root:" not in response.content and b"SQLite format" not in response.content


@pytest.mark.integration
def test_nothing_can_be_written(server):
    sha = next(iter(server.db.shas.values()))
    db = server.database
    before = httpx.get(f"{server.url}/{db}/amounts.json?_size=0").json()[
        "filtered_table_rows_count"
    ]
    assert httpx.post(f"{server.url}/-/pdf/{sha}").status_code in (403, 405)
    for path in (f"/{db}/amounts", f"/{db}/amounts/-/insert", f"/{db}/-/create", f"/{db}"):
        response = httpx.post(f"{server.url}{path}", json={"row": {"value_eur": 1}})
        assert response.status_code >= 400, path
    response = httpx.get(f"{server.url}/{db}.json", params={"sql": "DELETE FROM amounts"})
    assert response.status_code >= 400
    after = httpx.get(f"{server.url}/{db}/amounts.json?_size=0").json()["filtered_table_rows_count"]
    assert after == before > 0


@pytest.mark.integration
def test_extracted_rows_link_to_their_pdf_page(server):
    db = server.database
    rows = httpx.get(f"{server.url}/{db}/amounts.json?_shape=array&_size=5").json()
    html = httpx.get(f"{server.url}/{db}/amounts?_size=5").text
    for row in rows:
        assert f"/-/pdf/{row['document']}#page={row['page']}" in html
    for table in ("quartier_mentions", "actions", "partners", "territory_findings"):
        html = httpx.get(f"{server.url}/{db}/{table}?_size=3&page__notnull=1").text
        assert 'class="pdf-page"' in html, table


@pytest.mark.integration
def test_metadata_facets_and_full_text_search_are_served(server):
    db = server.database
    meta = httpx.get(f"{server.url}/-/metadata.json").json()
    assert meta["databases"][db]["tables"]["contrats_de_ville"]["license"] == "Licence Ouverte 2.0"
    amounts = httpx.get(f"{server.url}/{db}/amounts.json?_size=0").json()
    assert {"kind", "funder", "year"} <= set(amounts["facet_results"])
    pages = httpx.get(f"{server.url}/{db}/pages.json", params={"_search": "Transvaal"}).json()
    assert pages["rows"] and all("transvaal" in r[2].lower() for r in pages["rows"])
    names = httpx.get(
        f"{server.url}/{db}/quartier_names.json", params={"_search": "Liebaut", "_shape": "array"}
    ).json()
    assert names and all("liebaut" in n["search_key"] for n in names)


@pytest.mark.integration
def test_page_search_shows_the_passage_and_links_the_page(server):
    db = server.database
    rows = httpx.get(
        f"{server.url}/{db}/search_pages.json", params={"q": "Transvaal", "_shape": "array"}
    ).json()
    with sqlite3.connect(server.db.path) as conn:
        expected = conn.execute(
            "SELECT COUNT(*) FROM pages WHERE text LIKE '%transvaal%'"
        ).fetchone()[0]
    assert len(rows) == expected > 0
    html = httpx.get(f"{server.url}/{db}/search_pages", params={"q": "Transvaal"}).text
    assert "<mark>Transvaal</mark>" in html
    assert f"/-/pdf/{rows[0]['document']}#page={rows[0]['page']}" in html


@pytest.mark.integration
@pytest.mark.parametrize(
    ("typed", "real"),
    [("Mont Liebaut", "Mont-Liébaut"), ("Cite du Tranvaal", "Cité Du Transvaal - Centre")],
)
def test_a_misspelt_quartier_is_found(server, typed, real):
    rows = httpx.get(
        f"{server.url}/{server.database}/find_quartier.json", params={"q": typed, "_shape": "array"}
    ).json()
    assert rows and real in [r["name"] for r in rows[:2]]
    assert all(r["match"] >= 0.6 for r in rows)


@pytest.mark.integration
def test_canned_comparison_queries_agree_with_the_views(server):
    db = server.database
    with sqlite3.connect(server.db.path) as conn:
        expected = conn.execute(
            "SELECT territory, year, programmation_eur FROM programmation_per_inhabitant "
            "ORDER BY territory, year"
        ).fetchall()
    rows = httpx.get(f"{server.url}/{db}/compare_programmation.json?_shape=array").json()
    assert [(r["territory"], r["year"], r["programmation_eur"]) for r in rows] == expected
    assert expected  # the gold documents state programmation totals
    territory = expected[0][0]
    one = httpx.get(
        f"{server.url}/{db}/compare_programmation.json",
        params={"territory": territory, "_shape": "array"},
    ).json()
    assert one and {r["territory"] for r in one} == {territory}
