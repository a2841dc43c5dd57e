"""Write one document's parse and extraction into the database, atomically and idempotently.

Loading a document replaces whatever an earlier run stored for the same sha256: its
rows are deleted and inserted again inside one transaction, with ids derived from the
document and the record's position, so a re-ingest leaves identical rows and a failure
half-way leaves the database as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from schemas.database import TABLES, provenance_values
from schemas.records import Extraction, Line, Page, ParsedDocument, Provenance, Table

Row = dict[str, object]


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What :func:`load_document` wrote: row counts per table, and whether it replaced rows."""

    sha256: str
    replaced: bool
    rows: dict[str, int]


def load_document(
    db: sqlite_utils.Database,
    parsed: ParsedDocument,
    extraction: Extraction,
    *,
    extractor_version: str,
    parse_key: str | None = None,
) -> LoadResult:
    """Store ``parsed`` and ``extraction``, replacing any earlier rows of the same document.

    ``parse_key`` names the parser code and options that produced ``parsed``: a later
    run with the same key rebuilds it with :func:`stored_parse` instead of parsing.
    """
    rows = document_rows(
        parsed, extraction, extractor_version=extractor_version, parse_key=parse_key
    )
    with _write_transaction(db):
        replaced = _delete_document(db, parsed.sha256)
        for table, table_rows in rows.items():
            db.table(table).insert_all(table_rows)
    return LoadResult(
        sha256=parsed.sha256,
        replaced=replaced,
        rows={table: len(table_rows) for table, table_rows in rows.items()},
    )


def is_loaded(db: sqlite_utils.Database, sha256: str, extractor_version: str | None = None) -> bool:
    """True when the document is stored (by ``extractor_version``, if given)."""
    row = db.execute(
        "SELECT extractor_version FROM documents WHERE sha256 = ?", [sha256]
    ).fetchone()
    if row is None:
        return False
    return extractor_version is None or row[0] == extractor_version


def record_error(
    db: sqlite_utils.Database,
    file: str,
    sha256: str | None,
    stage: str,
    message: str,
    *,
    replace: bool = False,
) -> None:
    """Keep a row saying why ``file`` could not go through ``stage`` (the run goes on).

    ``replace`` drops the rows earlier runs left for the same file first, so that a
    batch tried again keeps one row per file: why it is not loaded now.
    """
    with _write_transaction(db):
        if replace:
            db.execute("DELETE FROM ingest_errors WHERE file = ?", [file])
        db.table("ingest_errors").insert(
            {"file": file, "sha256": sha256, "stage": stage, "message": message, "at": _now()}
        )


def clear_errors(db: sqlite_utils.Database, sha256: str) -> int:
    """Forget the errors recorded for a document (after it loads); returns how many."""
    return db.execute("DELETE FROM ingest_errors WHERE sha256 = ?", [sha256]).rowcount


def stored_parse(db: sqlite_utils.Database, sha256: str, parse_key: str) -> ParsedDocument | None:
    """The document as an earlier run with the same ``parse_key`` parsed it, or None.

    Rebuilt from the ``documents``, ``pages`` and ``layouts`` rows, it equals what
    the parser returned (text, lines with offsets, boxes and OCR confidence, tables),
    so extractors give the same records without the PDF being read, or OCR'd, again.
    """
    found = db.execute(
        "SELECT d.path, d.file_name, d.producer, d.title, d.file_size, l.layout"
        " FROM documents d JOIN layouts l ON l.document = d.sha256"
        " WHERE d.sha256 = ? AND l.parse_key = ?",
        [sha256, parse_key],
    ).fetchone()
    if found is None:
        return None
    path, file_name, producer, title, file_size, layout = found
    pages = db.execute(
        "SELECT number, text, method, confidence, width, height FROM pages"
        " WHERE document = ? ORDER BY number",
        [sha256],
    ).fetchall()
    items = json.loads(layout)
    if len(items) != len(pages):
        return None
    return ParsedDocument(
        sha256=sha256,
        path=path,
        file_name=file_name,
        pages=[_page(row, item) for row, item in zip(pages, items, strict=True)],
        producer=producer,
        title=title,
        file_size=file_size,
    )


def document_rows(
    parsed: ParsedDocument,
    extraction: Extraction,
    *,
    extractor_version: str,
    parse_key: str | None = None,
) -> dict[str, list[Row]]:
    """Every row of one document, per table, in insertion order (parents first)."""
    sha = parsed.sha256
    facts = extraction.facts
    rows: dict[str, list[Row]] = {
        "documents": [
            {
                "sha256": sha,
                "file_name": parsed.file_name,
                "path": parsed.path,
                "pages": len(parsed.pages),
                "producer": parsed.producer,
                "title": parsed.title,
                "kind": parsed.kind,
                "file_size": parsed.file_size,
                "doc_type": facts.doc_type,
                "territory": facts.territory,
                "territory_acronym": facts.territory_acronym,
                "territory_siren": facts.territory_siren,
                "contract_code": facts.contract_code,
                "department": facts.department,
                "reference_year": facts.reference_year,
                "period": facts.period,
                "signed_or_adopted_on": facts.signed_or_adopted_on,
                "extractor_version": extractor_version,
                "ingested_at": _now(),
            }
        ],
        "pages": [
            {
                "document": sha,
                "number": p.number,
                "text": p.text,
                "method": p.method,
                "confidence": p.confidence,
                "width": p.width,
                "height": p.height,
            }
            for p in parsed.pages
        ],
        "layouts": [
            {
                "document": sha,
                "parse_key": parse_key,
                "layout": _json([_layout(p) for p in parsed.pages]),
            }
        ],
        "document_facts_provenance": [
            {"document": sha, "field": name, **provenance_values(prov)}
            for name, prov in sorted(facts.provenance.items())
        ],
        "quartiers": [],
        "quartier_mentions": [],
        "amounts": [],
        "actions": [],
        "partners": [],
        "partner_mentions": [],
        "checks": [],
    }
    for q in extraction.quartiers:
        quartier = _record_row(rows, "quartiers", sha, None)
        quartier.update(
            code=q.code,
            generation=q.generation,
            name=q.name,
            aliases=_json(q.aliases),
            communes=_json(q.communes),
            commune_insee=_json(q.commune_insee),
            population=q.population,
            median_income=q.median_income,
            status=q.status,
            successor_code=q.successor_code,
        )
        for m in q.mentions:
            _record_row(rows, "quartier_mentions", sha, m.provenance).update(
                quartier=quartier["id"],
                code=m.code,
                raw_code=m.raw_code,
                name=m.name,
                communes=_json(m.communes),
                population=m.population,
                median_income=m.median_income,
                status=m.status,
            )
    for a in extraction.amounts:
        _record_row(rows, "amounts", sha, a.provenance).update(
            value_eur=a.value_eur,
            kind=a.kind,
            label=a.label,
            year=a.year,
            funder=a.funder,
            recipient=a.recipient,
        )
    for act in extraction.actions:
        _record_row(rows, "actions", sha, act.provenance).update(
            title=act.title,
            operator=act.operator,
            commune=act.commune,
            amount_eur=act.amount_eur,
            year=act.year,
            theme=act.theme,
        )
    for p in extraction.partners:
        partner = _record_row(rows, "partners", sha, p.provenance)
        partner.update(name=p.name, canonical=p.canonical, kind=p.kind, role=p.role, siret=p.siret)
        for mention in p.mentions:
            _record_row(rows, "partner_mentions", sha, mention)["partner"] = partner["id"]
    for c in extraction.checks:
        _record_row(rows, "checks", sha, None).update(
            check_name=c.check,
            message=c.message,
            expected=c.expected,
            found=c.found,
            pages=_json(c.pages),
            provenance=_json([provenance_values(p) for p in c.provenance]),
        )
    return rows


def _layout(page: Page) -> dict[str, list]:
    """What ``pages`` rows do not hold of ``page``, compactly.

    A line is [start, length, bbox, confidence]: its text is ``page.text[start:start +
    length]``, as the parser writes it; a line that does not match keeps its text.
    """
    lines = [
        [
            ln.start,
            len(ln.text) if page.text[ln.start : ln.end] == ln.text else ln.text,
            ln.bbox,
            ln.confidence,
        ]
        for ln in page.lines
    ]
    tables = [[t.rows, t.bbox, t.continued] for t in page.tables]
    return {"lines": lines, "tables": tables}


def _page(row: tuple, item: dict[str, list]) -> Page:
    """The :class:`Page` of a ``pages`` row and its :func:`_layout` item."""
    number, text, method, confidence, width, height = row
    lines = [
        Line(
            text=text[start : start + size] if isinstance(size, int) else size,
            start=start,
            bbox=tuple(bbox) if bbox else None,
            confidence=conf,
        )
        for start, size, bbox, conf in item["lines"]
    ]
    tables = [
        Table(page=number, rows=rows, bbox=tuple(bbox) if bbox else None, continued=continued)
        for rows, bbox, continued in item["tables"]
    ]
    return Page(number, text, method, width, height, lines, tables, confidence)


def _record_row(
    rows: dict[str, list[Row]], table: str, sha: str, provenance: Provenance | None
) -> Row:
    """Append a new row to ``rows[table]`` with its stable id, ordinal and provenance."""
    ordinal = len(rows[table]) + 1
    row: Row = {"id": f"{sha}:{ordinal}", "document": sha, "ordinal": ordinal}
    if provenance is not None:
        row |= provenance_values(provenance)
    rows[table].append(row)
    return row


def _delete_document(db: sqlite_utils.Database, sha256: str) -> bool:
    """Delete the document's rows, children before parents; True if it was stored."""
    for name, spec in reversed(TABLES.items()):
        if spec.per_document:
            db.execute(f'DELETE FROM "{name}" WHERE document = ?', [sha256])
    return db.execute("DELETE FROM documents WHERE sha256 = ?", [sha256]).rowcount > 0


@contextmanager
def _write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One transaction holding the write lock from its start.

    ``BEGIN IMMEDIATE`` makes a concurrent writer wait (busy timeout) up front instead of
    failing when a read transaction tries to become a write one. sqlite-utils commits
    implicit transactions after each statement, so ``with db.conn:`` would not group them.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.rollback()
        raise
    db.commit()


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
