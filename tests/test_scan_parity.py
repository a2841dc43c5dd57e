"""Scans read as well as their born-digital originals, section by section.

The corpus holds image-only variants of some documents (a prefix of their pages,
skewed, blurred and speckled like office scans). Each scan's predictions are
scored against the gold annotations beside those of the born-digital document
restricted to the same pages: its items found on those pages, against the gold
items of the seed lines those pages hold. The scan must lose at most ``GAP`` of
F1 in every section, and find the same page-local items (quartier codes and names,
amounts) as the born-digital pages do.
"""

from __future__ import annotations

import json

import pytest

from quartiers.evaluate import SECTIONS, page_starts, restrict_to_lines, score_document
from schemas.database import open_db
from tests.support import GOLD, SOURCES

pytestmark = pytest.mark.integration

GAP = 0.03  # F1 a scan may lose against the same born-digital pages, per section
AGREEMENT = 0.95  # F1 of the scan's page-local items against the born-digital ones
PAGE_LOCAL = ("quartier_codes", "quartier_names", "amounts")


def _scans() -> list[tuple[str, str, int]]:
    """(scan stem, born-digital stem, scanned pages) for every scan of the corpus."""
    manifest = json.loads((GOLD.parent / "manifest.json").read_text(encoding="utf-8"))
    text = {e["source"]: e["file"] for e in manifest if e["kind"] == "text"}
    return [
        (e["file"].rsplit(".", 1)[0], text[e["source"]].rsplit(".", 1)[0], e["pages"])
        for e in manifest
        if e["kind"] == "scan" and e["source"] in text
    ]


def _page_texts(db_path, file_name: str) -> list[str]:
    db = open_db(db_path)
    return [
        r["text"]
        for r in db.query(
            "SELECT p.text FROM pages p JOIN documents d ON d.sha256 = p.document"
            " WHERE d.file_name = ? ORDER BY p.number",
            [file_name],
        )
    ]


def _on_pages(pred: dict, last: int) -> dict:
    """``pred`` keeping the items found on pages 1..``last``."""
    out = dict(pred)
    for section in ("quartiers", "amounts", "actions", "partners"):
        out[section] = [
            item
            for item in pred.get(section, [])
            if any(p is not None and p <= last for p in item.get("pages") or [item.get("page")])
        ]
    return out


@pytest.fixture(scope="module")
def parity(corpus_db, corpus_export):
    """Per scan: (scores of the scan, of the same born-digital pages, of their agreement)."""
    out = {}
    for scan, born, pages in _scans():
        gold = json.loads((GOLD / f"{born}.json").read_text(encoding="utf-8"))
        born_pages = _page_texts(corpus_db[0], f"{born}.pdf")
        reference = corpus_export[born]
        if pages < len(born_pages):
            seed = (SOURCES / gold["seed"]).read_text(encoding="utf-8").split("\n")
            last_line = page_starts(born_pages, seed)[pages]  # seed lines before page pages + 1
            gold = restrict_to_lines(gold, 1, last_line)
            reference = _on_pages(reference, pages)
        out[scan] = (
            score_document(scan, born, gold, corpus_export[scan]),
            score_document(born, born, gold, reference),
            score_document(scan, born, reference, corpus_export[scan]),
        )
    return out


def test_corpus_has_scans_with_gold():
    assert {born for _, born, _ in _scans()} & {p.stem for p in GOLD.glob("*.json")}


def test_scans_score_within_gap_of_the_same_born_digital_pages(parity):
    lines = []
    for scan, (on_scan, on_born, _) in parity.items():
        for section in SECTIONS:
            s, b = on_scan.scores[section].f1, on_born.scores[section].f1
            lines.append(f"{scan:<28}{section:<16} scan {s:.3f}  born-digital {b:.3f}")
            assert s >= b - GAP, "\n".join(lines)
        assert on_scan.facts == on_born.facts, scan
    print("\n".join(lines))


def test_scans_find_the_page_local_items_of_the_born_digital_pages(parity):
    for scan, (_, _, agreement) in parity.items():
        for section in PAGE_LOCAL:
            assert agreement.scores[section].f1 >= AGREEMENT, (scan, section)
