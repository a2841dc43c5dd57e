"""Export the database: one gold-schema JSON per document, and one CSV per table.

The JSON files follow ``corpus/gold/SCHEMA.md`` so a run can be compared with the hand
annotations (``quartiers.evaluate``). Gold positions are line numbers in the document's
whole text, pages joined by "\\n"; the export computes them from the stored page texts
and adds the page number beside each ("page" / "pages") for the reader's convenience.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import sqlite_utils

from schemas.database import TABLES

GoldDoc = dict[str, object]

DOCUMENT_FACTS = (
    "doc_type",
    "territory",
    "territory_acronym",
    "department",
    "reference_year",
    "period",
    "signed_or_adopted_on",
)


class LineIndex:
    """Maps (page, offset in the page text) to a 1-based line of the whole document text."""

    def __init__(self, page_texts: dict[int, str]) -> None:
        self._texts = page_texts
        self._first_line: dict[int, int] = {}
        line = 1
        for number in sorted(page_texts):
            self._first_line[number] = line
            line += page_texts[number].count("\n") + 1

    def line(self, page: int | None, offset: int | None) -> int | None:
        if page not in self._first_line or offset is None:
            return None
        return self._first_line[page] + self._texts[page].count("\n", 0, max(offset, 0))


def export_gold_json(db: sqlite_utils.Database, out_dir: str | Path) -> list[Path]:
    """Write ``<pdf stem>.json`` for every document, in file-name order; returns the paths.

    Two documents with the same file name (different bytes) get their sha256 prefix
    appended so neither overwrites the other.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths, used = [], set()
    for doc in db.query("SELECT sha256, file_name FROM documents ORDER BY file_name, sha256"):
        stem = Path(doc["file_name"]).stem
        if stem in used:
            stem = f"{stem}_{doc['sha256'][:12]}"
        used.add(stem)
        path = out / f"{stem}.json"
        text = json.dumps(gold_document(db, doc["sha256"]), ensure_ascii=False, indent=2)
        path.write_text(text + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def gold_document(db: sqlite_utils.Database, sha256: str) -> GoldDoc:
    """One stored document in the gold annotation schema."""
    doc = next(db.query("SELECT * FROM documents WHERE sha256 = ?", [sha256]))
    lines = LineIndex(
        {
            r["number"]: r["text"]
            for r in db.query("SELECT number, text FROM pages WHERE document = ?", [sha256])
        }
    )
    return {
        "seed": doc["file_name"],
        "document": {key: doc[key] for key in DOCUMENT_FACTS},
        "quartiers": _quartiers(db, sha256, lines),
        "amounts": [
            {
                "line": lines.line(r["page"], r["start"]),
                "page": r["page"],
                "raw": r["raw"],
                "value_eur": _number(r["value_eur"]),
                "kind": r["kind"],
                "label": r["label"],
                "year": r["year"],
                "funder": r["funder"],
                "recipient": r["recipient"],
            }
            for r in _rows(db, "amounts", sha256)
        ],
        "actions": [
            {
                "title": r["title"],
                "operator": r["operator"],
                "commune": r["commune"],
                "amount_eur": _number(r["amount_eur"]),
                "year": r["year"],
                "theme": r["theme"],
                **_positions(lines, [(r["page"], r["start"])]),
            }
            for r in _rows(db, "actions", sha256)
        ],
        "partners": _partners(db, sha256, lines),
        "notes": [r["message"] for r in _rows(db, "checks", sha256)],
    }


def export_csv(db: sqlite_utils.Database, out_dir: str | Path) -> list[Path]:
    """Write ``<table>.csv`` for every table of the schema, rows in primary-key order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, spec in TABLES.items():
        pk = (spec.pk,) if isinstance(spec.pk, str) else spec.pk
        order = ", ".join(f'"{c}"' for c in pk)
        cursor = db.execute(f'SELECT * FROM "{name}" ORDER BY {order}')
        path = out / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([d[0] for d in cursor.description])
            writer.writerows(cursor)
        paths.append(path)
    return paths


def _quartiers(db: sqlite_utils.Database, sha256: str, lines: LineIndex) -> list[GoldDoc]:
    mentions = defaultdict(list)
    for m in _rows(db, "quartier_mentions", sha256):
        mentions[m["quartier"]].append((m["page"], m["start"]))
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "communes": json.loads(r["communes"]),
            "population": r["population"],
            "status": r["status"],
            **_positions(lines, mentions[r["id"]]),
        }
        for r in _rows(db, "quartiers", sha256)
    ]


def _partners(db: sqlite_utils.Database, sha256: str, lines: LineIndex) -> list[GoldDoc]:
    mentions = defaultdict(list)
    for m in _rows(db, "partner_mentions", sha256):
        mentions[m["partner"]].append((m["page"], m["start"]))
    return [
        {
            "name": r["name"],
            "canonical": r["canonical"],
            "kind": r["kind"],
            "role": r["role"],
            **_positions(lines, [(r["page"], r["start"]), *mentions[r["id"]]]),
        }
        for r in _rows(db, "partners", sha256)
    ]


def _rows(db: sqlite_utils.Database, table: str, sha256: str) -> list[dict]:
    return list(db.query(f'SELECT * FROM "{table}" WHERE document = ? ORDER BY ordinal', [sha256]))


def _positions(lines: LineIndex, places: list[tuple[int | None, int | None]]) -> GoldDoc:
    """Gold "lines" (sorted, distinct) of the places, and their "pages"."""
    found = {lines.line(page, start) for page, start in places}
    return {
        "lines": sorted(n for n in found if n is not None),
        "pages": sorted({page for page, _ in places if page is not None}),
    }


def _number(value: float | None) -> int | float | None:
    """Whole euro amounts as JSON integers, as in the gold files."""
    if value is None or not float(value).is_integer():
        return value
    return int(value)
