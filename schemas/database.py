"""The SQLite database analysts query: connection settings and schema.

One row per document, per page and per extracted record. Every extracted record carries
the same provenance columns (page, character span in the page text, raw string,
extractor, confidence, box) so each value can be traced back to where the PDF says it.
Tables holding extracted records have a stable text ``id`` ("<sha256>:<ordinal>") and an
``ordinal`` giving the extractor's order, so re-ingesting a document yields identical rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from schemas.records import Provenance

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000

ForeignKey = tuple[str, str, str]  # column, other table, other column

DOCUMENT_FK: ForeignKey = ("document", "documents", "sha256")

PROVENANCE_COLUMNS: dict[str, type] = {
    "page": int,
    "start": int,
    "end": int,
    "raw": str,
    "extractor": str,
    "confidence": float,
    "x0": float,
    "top": float,
    "x1": float,
    "bottom": float,
}


def provenance_values(p: Provenance) -> dict[str, object]:
    """The :data:`PROVENANCE_COLUMNS` of a row read at ``p``."""
    x0, top, x1, bottom = p.bbox if p.bbox else (None, None, None, None)
    return {
        "page": p.page,
        "start": p.start,
        "end": p.end,
        "raw": p.raw,
        "extractor": p.extractor,
        "confidence": p.confidence,
        "x0": x0,
        "top": top,
        "x1": x1,
        "bottom": bottom,
    }


@dataclass(frozen=True, slots=True)
class TableSpec:
    """How one table is created: columns in order, keys, indexes, full-text columns."""

    columns: dict[str, type]
    pk: str | tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    fts: tuple[str, ...] = ()

    @property
    def per_document(self) -> bool:
        """True when the table's rows belong to one document (deleted on re-ingest)."""
        return DOCUMENT_FK in self.foreign_keys


def _record(
    columns: dict[str, type],
    *,
    provenance: bool = True,
    foreign_keys: tuple[ForeignKey, ...] = (),
    indexes: tuple[tuple[str, ...], ...] = (),
    fts: tuple[str, ...] = (),
) -> TableSpec:
    """An extracted-record table: id, document, ordinal, ``columns``, then provenance."""
    all_columns = {"id": str, "document": str, "ordinal": int, **columns}
    if provenance:
        all_columns |= PROVENANCE_COLUMNS
    return TableSpec(
        columns=all_columns,
        pk="id",
        foreign_keys=(DOCUMENT_FK, *foreign_keys),
        indexes=(("document", "ordinal"), *indexes),
        fts=fts,
    )


# Insertion order: a table only references tables listed before it.
TABLES: dict[str, TableSpec] = {
    "schema_version": TableSpec(columns={"version": int}, pk="version"),
    "documents": TableSpec(
        columns={
            "sha256": str,
            "file_name": str,
            "path": str,
            "pages": int,
            "producer": str,
            "title": str,
            "kind": str,  # text | scan | mixed
            "file_size": int,
            "doc_type": str,
            "territory": str,
            "territory_acronym": str,
            "territory_siren": str,
            "contract_code": str,
            "department": str,
            "reference_year": int,
            "period": str,
            "signed_or_adopted_on": str,
            "extractor_version": str,
            "ingested_at": str,
        },
        pk="sha256",
        indexes=(("doc_type",), ("territory_siren",), ("contract_code",), ("department",)),
    ),
    "pages": TableSpec(
        columns={
            "document": str,
            "number": int,
            "text": str,
            "method": str,  # text | ocr
            "confidence": float,
            "width": float,
            "height": float,
        },
        pk=("document", "number"),
        foreign_keys=(DOCUMENT_FK,),
        fts=("text",),
    ),
    # The rest of each page as the parser left it (lines with offsets, boxes and OCR
    # confidence; tables), so that a new extractor version re-extracts from the
    # database instead of parsing, and OCR-ing, the PDF again. ``parse_key`` says
    # which parser code and options produced it; only the same key reuses it.
    "layouts": TableSpec(
        columns={"document": str, "parse_key": str, "layout": str},  # JSON, one item per page
        pk="document",
        foreign_keys=(DOCUMENT_FK,),
    ),
    "document_facts_provenance": TableSpec(
        columns={"document": str, "field": str, **PROVENANCE_COLUMNS},
        pk=("document", "field"),
        foreign_keys=(DOCUMENT_FK,),
    ),
    "quartiers": _record(
        {
            "code": str,
            "generation": int,  # 2015 | 2024
            "name": str,
            "aliases": str,  # JSON list
            "communes": str,  # JSON list
            "commune_insee": str,  # JSON list
            "population": int,
            "median_income": float,
            "status": str,
            "successor_code": str,
        },
        provenance=False,
        indexes=(("code",), ("successor_code",)),
    ),
    "quartier_mentions": _record(
        {
            "quartier": str,
            "code": str,
            "raw_code": str,
            "name": str,
            "communes": str,  # JSON list
            "population": int,
            "median_income": float,
            "status": str,
        },
        foreign_keys=(("quartier", "quartiers", "id"),),
        indexes=(("quartier",), ("code",)),
    ),
    "amounts": _record(
        {
            "value_eur": float,
            "kind": str,
            "label": str,
            "year": int,
            "funder": str,
            "recipient": str,
        },
        indexes=(("kind",), ("value_eur",)),
    ),
    "actions": _record(
        {
            "title": str,
            "operator": str,
            "commune": str,
            "amount_eur": float,
            "year": int,
            "theme": str,
        },
        fts=("title",),
    ),
    "partners": _record(
        {"name": str, "canonical": str, "kind": str, "role": str, "siret": str},
        indexes=(("canonical",), ("siret",)),
    ),
    "partner_mentions": _record(
        {"partner": str},
        foreign_keys=(("partner", "partners", "id"),),
        indexes=(("partner",),),
    ),
    "checks": _record(
        {
            # "check" is an SQL keyword: analysts would have to quote it.
            "check_name": str,
            "message": str,
            "expected": float,
            "found": float,
            "pages": str,  # JSON list of page numbers
            "provenance": str,  # JSON list of provenance objects
        },
        provenance=False,
    ),
    "ingest_errors": TableSpec(
        columns={
            "id": int,
            "file": str,
            "sha256": str,
            "stage": str,
            "message": str,
            "at": str,
        },
        pk="id",
        indexes=(("sha256",),),
    ),
}


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating its folder) the database at ``path`` for concurrent use.

    WAL lets readers (Datasette) work while a flow writes; the busy timeout makes
    concurrent writers wait for each other instead of failing; foreign keys are off by
    default in SQLite and must be enabled per connection.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create every table, index and full-text index that does not exist yet."""
    for name, spec in TABLES.items():
        table = db.table(name)
        table.create(
            spec.columns,
            pk=spec.pk,
            foreign_keys=list(spec.foreign_keys),
            if_not_exists=True,
        )
        for columns in spec.indexes:
            table.create_index(columns, if_not_exists=True)
        if spec.fts:
            # replace=True is a no-op when the index already has this configuration.
            table.enable_fts(spec.fts, create_triggers=True, replace=True)
    db.execute("INSERT OR IGNORE INTO schema_version (version) VALUES (?)", [SCHEMA_VERSION])
