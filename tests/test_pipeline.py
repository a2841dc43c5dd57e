"""The whole corpus through the real flow: Prefect, pdfium/pdfplumber, Tesseract, spaCy, SQLite.

One session-scoped ingest (``corpus_db``) feeds these tests, which check what the
foundation promises: every document and scanned page loaded, the QPV codes of both
generations with their names (also from OCR), amounts matching the hand annotations.
"""

from __future__ import annotations

import json

import pytest

from quartiers.evaluate import evaluate
from schemas.database import open_db
from tests.support import GOLD

pytestmark = pytest.mark.integration

SCAN_001 = "001_51a140851bffbc08_scan"


def test_corpus_ingested_without_errors(corpus_db):
    db_path, summary = corpus_db
    manifest = json.loads((GOLD.parent / "manifest.json").read_text())
    assert summary.errors == []
    assert summary.documents == len(manifest)
    assert summary.pages == sum(e["pages"] for e in manifest)
    scanned = sum(e["pages"] for e in manifest if e["kind"] == "scan")
    assert summary.ocr_pages == scanned
    db = open_db(db_path)
    ocr = list(db.query("select confidence from pages where method = 'ocr'"))
    assert len(ocr) == scanned and all(r["confidence"] and r["confidence"] > 50 for r in ocr)


def _codes(doc: dict) -> dict[str, str]:
    return {q["code"]: q["name"] for q in doc["quartiers"] if q.get("code")}


def test_qp_codes_of_001_with_names(corpus_export):
    gold = _codes(json.loads((GOLD / "001_51a140851bffbc08.json").read_text()))
    for stem in ("001_51a140851bffbc08", SCAN_001):
        found = _codes(corpus_export[stem])
        assert set(found) == set(gold), stem
        assert all(found[c] for c in gold), stem


def test_qn_codes_of_003_with_names(corpus_export):
    found = _codes(corpus_export["003_c281e4f984da8422"])
    assert len([c for c in found if c.startswith("QN059")]) == 13
    assert all(found.values())


def test_amounts_match_gold(corpus_export, tmp_path):
    for stem in ("002_d10b0c97964f8d38", "004_175d0d4703e41153"):
        (tmp_path / f"{stem}.json").write_text(json.dumps(corpus_export[stem]))
    report = evaluate(GOLD, tmp_path)
    assert report.overall()["amounts"].f1 >= 0.95
    for doc in report.documents:
        assert doc.scores["amounts"].f1 >= 0.95, doc.stem


def test_fts_finds_pages(corpus_db):
    db = open_db(corpus_db[0])
    hits = list(db["pages"].search("programmation"))
    assert hits
