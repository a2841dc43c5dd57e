"""The SQLite schema: connection settings, idempotent creation, keys, indexes, full text."""

from __future__ import annotations

import sqlite3

import pytest

from schemas.database import (
    BUSY_TIMEOUT_MS,
    PROVENANCE_COLUMNS,
    SCHEMA_VERSION,
    TABLES,
    ensure_schema,
    open_db,
    provenance_values,
)
from schemas.records import Provenance


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "nested" / "folder" / "q.db")
    ensure_schema(db)
    return db


def _schema(db) -> list[tuple]:
    return db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def test_open_db_creates_folder_and_sets_pragmas(tmp_path):
    path = tmp_path / "a" / "b" / "q.db"
    db = open_db(path)
    assert path.exists()
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS


def test_ensure_schema_is_idempotent(db):
    before = _schema(db)
    ensure_schema(db)
    ensure_schema(db)
    assert _schema(db) == before
    assert [r["version"] for r in db["schema_version"].rows] == [SCHEMA_VERSION]


def test_every_table_exists_with_its_primary_key(db):
    for name, spec in TABLES.items():
        table = db[name]
        assert table.exists(), name
        expected = [spec.pk] if isinstance(spec.pk, str) else list(spec.pk)
        assert table.pks == expected, name
        assert list(table.columns_dict) == list(spec.columns), name


def test_per_document_tables_reference_documents_and_are_indexed(db):
    per_document = [name for name, spec in TABLES.items() if spec.per_document]
    assert {"pages", "quartiers", "quartier_mentions", "amounts", "actions", "partners"} <= set(
        per_document
    )
    for name in per_document:
        fks = {(fk.column, fk.other_table, fk.other_column) for fk in db[name].foreign_keys}
        assert ("document", "documents", "sha256") in fks, name
        indexed_first = {ix.columns[0] for ix in db[name].indexes}
        assert "document" in indexed_first, name
    assert "code" in {ix.columns[0] for ix in db["quartiers"].indexes}


def test_provenance_columns_are_shared(db):
    for name in ("quartier_mentions", "amounts", "actions", "partners", "partner_mentions"):
        columns = db[name].columns_dict
        assert all(c in columns for c in PROVENANCE_COLUMNS), name


def test_provenance_values_spreads_the_box():
    p = Provenance(page=3, start=10, end=17, raw="1 000 €", extractor="x", bbox=(1, 2, 3, 4))
    values = provenance_values(p)
    assert set(values) == set(PROVENANCE_COLUMNS)
    assert (values["x0"], values["top"], values["x1"], values["bottom"]) == (1, 2, 3, 4)
    no_box = provenance_values(Provenance(page=1, start=0, end=1, raw="1", extractor="x"))
    assert no_box["x0"] is None and no_box["bottom"] is None


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite3.IntegrityError):
        db["pages"].insert({"document": "missing", "number": 1, "text": "x", "method": "text"})


def test_full_text_search_is_kept_in_sync_by_triggers(db):
    db["documents"].insert({"sha256": "abc", "file_name": "a.pdf"})
    db["pages"].insert({"document": "abc", "number": 1, "text": "Quartier prioritaire des élèves"})
    assert [r["number"] for r in db["pages"].search("eleves")] == [1]
    db.execute("DELETE FROM pages WHERE document = 'abc'")
    assert list(db["pages"].search("eleves")) == []
    assert "actions_fts" in db.table_names()
