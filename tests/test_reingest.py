"""Re-ingesting: unchanged files are skipped, a new extractor version re-extracts from
the pages stored in the database (no parsing, no OCR), a new parser reads the PDF again.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import flows.ingest
from corpus.scan import scan_pdf
from extractors import ocr
from extractors.limits import ParseLimits
from extractors.pdf import parse_pdf
from flows.ingest import ingest, parse_key
from schemas.database import TABLES, ensure_schema, open_db
from schemas.loader import load_document, stored_parse
from schemas.records import Extraction, Line, Table
from tests.support import parsed_from_text

TEXT_PDF = "002_d10b0c97964f8d38.pdf"  # 9 pages, ruled tables
SCANNED = "004_175d0d4703e41153.pdf"  # its first 2 pages scanned
PER_DOCUMENT = [name for name, spec in TABLES.items() if spec.per_document]
VOLATILE = frozenset({"ingested_at", "extractor_version"})


def test_stored_parse_rebuilds_a_real_parse(corpus_pdfs, tmp_path):
    parsed = parse_pdf(corpus_pdfs / TEXT_PDF)
    assert any(p.tables for p in parsed.pages)
    db = open_db(tmp_path / "q.db")
    ensure_schema(db)
    load_document(db, parsed, Extraction(), extractor_version="1", parse_key="k")
    assert stored_parse(db, parsed.sha256, "k") == parsed
    assert stored_parse(db, parsed.sha256, "other parser") is None
    assert stored_parse(db, "0" * 64, "k") is None


def test_stored_parse_keeps_ocr_confidence_and_odd_lines(tmp_path):
    parsed = parsed_from_text("Quartier\tPopulation\nLes Tilleuls\t2 300\nfin", lines_per_page=2)
    first, second = parsed.pages
    first.method, first.confidence = "ocr", 71.25
    first.lines[0].confidence = 64.5
    first.lines[1].bbox = None
    first.tables = [Table(1, [["Quartier", "Population"], ["Les Tilleuls", None]], None, True)]
    second.lines.append(Line(text="not in the page text", start=0))  # stored verbatim
    db = open_db(tmp_path / "q.db")
    ensure_schema(db)
    load_document(db, parsed, Extraction(), extractor_version="1", parse_key="k")
    assert stored_parse(db, parsed.sha256, "k") == parsed


def _rows(db_path: Path, ignore: frozenset[str] = VOLATILE) -> dict[str, list[tuple]]:
    """Every per-document row, in a stable order, without the columns a run changes."""
    with sqlite3.connect(db_path) as conn:
        out = {}
        for table in ["documents", *PER_DOCUMENT]:
            cursor = conn.execute(f'SELECT * FROM "{table}" ORDER BY 1, 2')
            keep = [i for i, d in enumerate(cursor.description) if d[0] not in ignore]
            out[table] = [tuple(row[i] for i in keep) for row in cursor]
        return out


class Spy:
    """Counts calls of a function, optionally forbidding them."""

    def __init__(self, target=None) -> None:
        self.target, self.calls = target, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.target is None:
            raise AssertionError("must not be called")
        return self.target(*args, **kwargs)


@pytest.fixture
def batch(corpus_pdfs, tmp_path) -> Path:
    """A born-digital PDF with tables and a 2-page scan (OCR) in one folder."""
    folder = tmp_path / "pdfs"
    folder.mkdir()
    shutil.copy(corpus_pdfs / TEXT_PDF, folder)
    scan_pdf(corpus_pdfs / SCANNED, folder / "scan.pdf", title="reingest", max_pages=2)
    return folder


@pytest.mark.integration
def test_new_extractor_version_reextracts_without_parsing(
    prefect_server, batch, tmp_path, monkeypatch
):
    tesseract = ocr.run_tesseract
    db_path = str(tmp_path / "q.db")
    first = ingest(paths=[str(batch)], db_path=db_path)
    assert first.errors == [] and first.documents == 2 and first.ocr_pages == 2
    before = _rows(db_path)
    before_any_parser = _rows(db_path, VOLATILE | {"parse_key"})

    # Unchanged files and extractors: nothing is done at all.
    again = ingest(paths=[str(batch)], db_path=db_path)
    assert (again.documents, again.skipped) == (0, 2)

    # New extractors: documents re-extracted from the database, identical rows.
    monkeypatch.setattr(flows.ingest, "extractor_version", lambda: "next-version")
    monkeypatch.setattr(flows.ingest, "parse_pdf", Spy())
    monkeypatch.setattr(ocr, "run_tesseract", Spy())
    rerun = ingest(paths=[str(batch)], db_path=db_path)
    assert rerun.errors == []
    assert (rerun.documents, rerun.reextracted, rerun.ocr_pages) == (2, 2, 2)
    assert _rows(db_path) == before
    versions = sqlite3.connect(db_path).execute("SELECT extractor_version FROM documents")
    assert {v for (v,) in versions} == {"next-version"}

    # New parser code: the PDFs are read again.
    parse = Spy(parse_pdf)
    monkeypatch.setattr(flows.ingest, "parse_pdf", parse)
    monkeypatch.setattr(ocr, "run_tesseract", Spy(tesseract))
    monkeypatch.setattr(flows.ingest, "extractor_version", lambda: "third-version")
    monkeypatch.setattr(flows.ingest, "parser_version", lambda: "new-parser")
    reparsed = ingest(paths=[str(batch)], db_path=db_path)
    assert (reparsed.documents, reparsed.reextracted, parse.calls) == (2, 0, 2)
    keys = sqlite3.connect(db_path).execute("SELECT parse_key FROM layouts")
    assert all("new-parser" in k for (k,) in keys)
    assert _rows(db_path, VOLATILE | {"parse_key"}) == before_any_parser


def test_parse_key_follows_options():
    limits = ParseLimits()
    assert parse_key("auto", limits) == parse_key("auto", ParseLimits())
    assert parse_key("auto", limits) != parse_key("always", limits)
    assert parse_key("auto", limits) != parse_key("auto", ParseLimits(ocr_dpi=200))
