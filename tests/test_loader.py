"""Loading documents: one transaction each, idempotent re-ingest, rollback on failure."""

from __future__ import annotations

import json

import pytest
import sqlite_utils

from schemas.database import TABLES, ensure_schema, open_db
from schemas.loader import clear_errors, is_loaded, load_document, record_error
from schemas.records import (
    Action,
    Amount,
    CheckFinding,
    DocumentFacts,
    Extraction,
    Partner,
    Provenance,
    Quartier,
    QuartierMention,
)
from tests.support import parsed_from_text

TEXT = "\n".join(
    [
        "Contrat de ville de l'agglomération",
        "Le quartier Les Tilleuls (QP099001) à Villeneuve",
        "compte 2 300 habitants.",
        "La programmation s'élève à 1 250 000 € en 2023.",
        "Action\tOpérateur\tMontant",
        "Soutien scolaire des élèves\tAssociation Relais\t12 500 €",
        "Signataires : l'Etat, la Caisse d'allocations familiales",
        "Les Tilleuls : rénovation du mail central",
    ]
)


def _at(parsed, needle: str, extractor: str) -> Provenance:
    """Provenance of the first occurrence of ``needle`` in the document's pages."""
    for page in parsed.pages:
        start = page.text.find(needle)
        if start >= 0:
            end = start + len(needle)
            return Provenance(
                page.number, start, end, needle, extractor, 0.9, page.bbox_for(start, end)
            )
    raise AssertionError(needle)


def make_document(text: str = TEXT, name: str = "cv.pdf"):
    parsed = parsed_from_text(text, name=name, lines_per_page=3)
    mention = QuartierMention(
        code="QP099001",
        name="Les Tilleuls",
        communes=["Villeneuve"],
        provenance=_at(parsed, "QP099001", "quartiers"),
        raw_code="QP099001",
        population=2300,
    )
    second = QuartierMention(
        code=None,
        name="Les Tilleuls",
        communes=[],
        provenance=_at(parsed, "Les Tilleuls :", "quartiers"),
    )
    quartier = Quartier(
        code="QP099001",
        name="Les Tilleuls",
        communes=["Villeneuve"],
        status="qpv",
        mentions=[mention, second],
        population=2300,
        commune_insee=["99001"],
        aliases=["Tilleuls"],
    )
    extraction = Extraction(
        facts=DocumentFacts(
            doc_type="contrat_de_ville",
            territory="Agglomération de Villeneuve",
            department="99",
            reference_year=2023,
            provenance={"doc_type": _at(parsed, "Contrat de ville", "facts")},
        ),
        quartiers=[quartier],
        amounts=[
            Amount(1_250_000, _at(parsed, "1 250 000 €", "amounts"), kind="total", year=2023),
            Amount(12_500, _at(parsed, "12 500 €", "amounts"), kind="grant"),
        ],
        actions=[
            Action(
                "Soutien scolaire des élèves",
                _at(parsed, "Soutien scolaire", "actions"),
                operator="Association Relais",
                amount_eur=12_500,
            )
        ],
        partners=[
            Partner(
                "l'Etat",
                "Etat",
                "state",
                "signatory",
                _at(parsed, "l'Etat", "partners"),
                mentions=[_at(parsed, "Etat", "partners")],
            ),
            Partner(
                "Caisse d'allocations familiales",
                "CAF",
                "caf",
                "signatory",
                _at(parsed, "Caisse", "partners"),
            ),
        ],
        checks=[
            CheckFinding(
                check="total_vs_parts",
                message="total 1 250 000 € differs from parts 12 500 €",
                expected=1_250_000,
                found=12_500,
                pages=[2],
                provenance=[_at(parsed, "1 250 000 €", "checks")],
            )
        ],
    )
    return parsed, extraction


@pytest.fixture
def db(tmp_path) -> sqlite_utils.Database:
    db = open_db(tmp_path / "q.db")
    ensure_schema(db)
    return db


def snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every table (full-text content included), sorted, minus load times."""
    out = {}
    for name in [*TABLES, "pages_fts", "actions_fts"]:
        rows = db.execute(f'SELECT * FROM "{name}"').fetchall()
        if name == "documents":
            rows = [r[:-1] for r in rows]  # ingested_at is the last column
        out[name] = sorted(rows, key=repr)
    return out


def test_load_writes_every_record_with_provenance(db):
    parsed, extraction = make_document()
    result = load_document(db, parsed, extraction, extractor_version="1")
    assert not result.replaced
    assert result.rows["quartier_mentions"] == 2
    assert result.rows["pages"] == len(parsed.pages) == 3
    assert db["documents"].count == 1
    doc = db["documents"].get(parsed.sha256)
    assert (doc["kind"], doc["doc_type"], doc["reference_year"]) == (
        "text",
        "contrat_de_ville",
        2023,
    )

    quartier = next(db["quartiers"].rows)
    assert quartier["generation"] == 2015
    assert json.loads(quartier["communes"]) == ["Villeneuve"]
    assert json.loads(quartier["commune_insee"]) == ["99001"]
    mentions = list(db["quartier_mentions"].rows_where(order_by="ordinal"))
    assert [m["quartier"] for m in mentions] == [quartier["id"]] * 2
    assert mentions[0]["raw"] == "QP099001" and mentions[0]["page"] == 1

    amount = next(db["amounts"].rows_where("value_eur = ?", [12_500]))
    page = parsed.pages[amount["page"] - 1]
    assert page.text[amount["start"] : amount["end"]] == amount["raw"] == "12 500 €"
    assert (amount["x0"], amount["top"], amount["x1"], amount["bottom"]) == page.bbox_for(
        amount["start"], amount["end"]
    )
    assert db["partner_mentions"].count == 1
    check = next(db["checks"].rows)
    assert check["check_name"] == "total_vs_parts"
    assert json.loads(check["provenance"])[0]["raw"] == "1 250 000 €"
    facts = next(db["document_facts_provenance"].rows)
    assert (facts["field"], facts["raw"]) == ("doc_type", "Contrat de ville")


def test_reloading_yields_identical_rows(db):
    parsed, extraction = make_document()
    other, other_extraction = make_document(TEXT.replace("Villeneuve", "Bourg"), name="b.pdf")
    load_document(db, parsed, extraction, extractor_version="1")
    load_document(db, other, other_extraction, extractor_version="1")
    before = snapshot(db)
    result = load_document(db, parsed, extraction, extractor_version="1")
    assert result.replaced
    assert snapshot(db) == before
    assert db["documents"].count == 2


def test_full_text_search_finds_the_page_once_after_reload(db):
    parsed, extraction = make_document()
    for _ in range(2):
        load_document(db, parsed, extraction, extractor_version="1")
    hits = list(db["pages"].search("programmation"))
    assert [(h["document"], h["number"]) for h in hits] == [(parsed.sha256, 2)]
    assert [h["title"] for h in db["actions"].search("eleves")] == ["Soutien scolaire des élèves"]


class Boom(RuntimeError):
    pass


def _fail_on(monkeypatch, table_name: str) -> None:
    original = sqlite_utils.db.Table.insert_all

    def insert_all(self, records, *args, **kwargs):
        if self.name == table_name:
            raise Boom(table_name)
        return original(self, records, *args, **kwargs)

    monkeypatch.setattr(sqlite_utils.db.Table, "insert_all", insert_all)


def test_failure_mid_document_leaves_nothing(db, monkeypatch):
    parsed, extraction = make_document()
    _fail_on(monkeypatch, "amounts")  # after documents, pages and quartiers were inserted
    with pytest.raises(Boom):
        load_document(db, parsed, extraction, extractor_version="1")
    assert all(db[name].count == 0 for name in TABLES if name != "schema_version")
    assert list(db["pages"].search("programmation")) == []
    assert not db.conn.in_transaction


def test_failed_reload_keeps_the_previous_version(db, monkeypatch):
    parsed, extraction = make_document()
    load_document(db, parsed, extraction, extractor_version="1")
    before = snapshot(db)
    _fail_on(monkeypatch, "partners")
    with pytest.raises(Boom):
        load_document(db, parsed, extraction, extractor_version="2")
    assert snapshot(db) == before
    assert is_loaded(db, parsed.sha256, "1")


def test_is_loaded_checks_the_extractor_version(db):
    parsed, extraction = make_document()
    assert not is_loaded(db, parsed.sha256)
    load_document(db, parsed, extraction, extractor_version="1")
    assert is_loaded(db, parsed.sha256)
    assert is_loaded(db, parsed.sha256, "1")
    assert not is_loaded(db, parsed.sha256, "2")


def test_errors_are_recorded_and_cleared(db):
    record_error(db, "bad.pdf", "abc", "parse", "not a PDF")
    record_error(db, "bad.pdf", "abc", "ocr", "tesseract failed")
    record_error(db, "other.pdf", None, "read", "permission denied")
    assert db["ingest_errors"].count == 3
    row = next(db["ingest_errors"].rows_where("stage = 'parse'"))
    assert (row["file"], row["sha256"], row["message"]) == ("bad.pdf", "abc", "not a PDF")
    assert row["at"]
    assert clear_errors(db, "abc") == 2
    assert [r["file"] for r in db["ingest_errors"].rows] == ["other.pdf"]


def test_empty_extraction_loads_document_and_pages(db):
    parsed, _ = make_document()
    result = load_document(db, parsed, Extraction(), extractor_version="1")
    assert result.rows["pages"] == 3
    assert sum(result.rows.values()) == 1 + 3 + 1  # document, pages, layout
    assert db["documents"].get(parsed.sha256)["doc_type"] == "other"
