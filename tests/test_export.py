"""Exports: gold-schema JSON per document (line numbers, types) and one CSV per table."""

from __future__ import annotations

import csv
import json

import pytest

from schemas.database import TABLES, ensure_schema, open_db
from schemas.export import LineIndex, export_csv, export_gold_json
from schemas.loader import load_document
from schemas.records import (
    Action,
    Amount,
    CheckFinding,
    DocumentFacts,
    Extraction,
    Line,
    Page,
    ParsedDocument,
    Partner,
    Provenance,
    Quartier,
    QuartierMention,
)
from tests.support import GOLD, parsed_from_text, seed_document
from tests.test_loader import make_document

GOLD_STEMS = sorted(p.stem for p in GOLD.glob("*.json"))
GOLD_SECTION_KEYS = {
    "quartiers": {"code", "name", "communes", "population", "status", "lines"},
    "amounts": {"line", "raw", "value_eur", "kind", "label", "year", "funder", "recipient"},
    "actions": {"title", "operator", "commune", "amount_eur", "year", "theme", "lines"},
    "partners": {"name", "canonical", "kind", "role", "lines"},
}


def extraction_from_gold(gold: dict, parsed: ParsedDocument) -> Extraction:
    """The records an ideal extractor would return for a gold annotation of ``parsed``.

    Lets the export and the evaluation be checked end to end against real annotations.
    """
    located: list[tuple[int, Line]] = [(p.number, ln) for p in parsed.pages for ln in p.lines]

    def at(line: int, raw: str) -> Provenance:
        page, ln = located[line - 1]
        start = ln.start + max(ln.text.find(raw), 0)
        return Provenance(page, start, start + len(raw), raw, "gold")

    return Extraction(
        facts=DocumentFacts(**gold["document"]),
        quartiers=[
            Quartier(
                code=q["code"],
                name=q["name"],
                communes=q["communes"],
                status=q["status"],
                population=q["population"],
                mentions=[
                    QuartierMention(q["code"], q["name"], q["communes"], at(n, q["name"] or ""))
                    for n in q["lines"]
                ],
            )
            for q in gold["quartiers"]
        ],
        amounts=[
            Amount(
                a["value_eur"],
                at(a["line"], a["raw"]),
                kind=a["kind"],
                label=a["label"],
                year=a["year"],
                funder=a["funder"],
                recipient=a["recipient"],
            )
            for a in gold["amounts"]
        ],
        actions=[
            Action(
                a["title"],
                at(a["lines"][0], ""),
                operator=a["operator"],
                commune=a["commune"],
                amount_eur=a["amount_eur"],
                year=a["year"],
                theme=a["theme"],
            )
            for a in gold["actions"]
        ],
        partners=[
            Partner(
                p["name"],
                p["canonical"],
                p["kind"],
                p["role"],
                at(p["lines"][0], p["name"]),
                mentions=[at(n, "") for n in p["lines"][1:]],
            )
            for p in gold["partners"]
        ],
        checks=[CheckFinding("note", note, None, None, []) for note in gold["notes"]],
    )


def load_gold(db, stem: str) -> ParsedDocument:
    """Load the seed ``stem`` with its gold annotation as the extraction."""
    gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    parsed = seed_document(stem)
    load_document(db, parsed, extraction_from_gold(gold, parsed), extractor_version="gold")
    return parsed


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "q.db")
    ensure_schema(db)
    return db


@pytest.mark.parametrize("stem", GOLD_STEMS)
def test_gold_round_trips_through_the_database(db, tmp_path, stem):
    parsed = load_gold(db, stem)
    [path] = export_gold_json(db, tmp_path / "out")
    assert path.name == f"{stem}.json"
    exported = json.loads(path.read_text(encoding="utf-8"))
    gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))

    assert exported["seed"] == parsed.file_name
    assert exported["document"] == gold["document"]
    assert exported["notes"] == gold["notes"]
    for section, keys in GOLD_SECTION_KEYS.items():
        assert len(exported[section]) == len(gold[section]), section
        for ours, theirs in zip(exported[section], gold[section], strict=True):
            assert set(ours) == keys | ({"page"} if "line" in keys else {"pages"}), section
            expected = dict(theirs)
            if section == "actions":  # an Action has one provenance: its first line
                expected["lines"] = theirs["lines"][:1]
            if "lines" in keys:
                expected["lines"] = sorted(set(expected["lines"]))
            assert {k: ours[k] for k in keys} == expected, section
    # the page numbers beside the lines agree with the page layout of the seed
    first_amount = exported["amounts"][0]
    assert first_amount["page"] == (first_amount["line"] - 1) // 60 + 1


def test_line_numbers_count_across_pages():
    index = LineIndex({1: "a\nb\nc", 2: "d\ne", 3: ""})
    assert index.line(1, 0) == 1
    assert index.line(1, 4) == 3
    assert index.line(2, 0) == 4
    assert index.line(2, 2) == 5
    assert index.line(3, 0) == 6
    assert index.line(4, 0) is None


def test_export_types_and_empty_sections(db, tmp_path):
    parsed, extraction = make_document()
    load_document(db, parsed, extraction, extractor_version="1")
    empty = parsed_from_text("Rien à signaler.", name="vide.pdf")
    load_document(db, empty, Extraction(), extractor_version="1")

    paths = export_gold_json(db, tmp_path)
    assert [p.name for p in paths] == ["cv.json", "vide.json"]
    full, nothing = (json.loads(p.read_text(encoding="utf-8")) for p in paths)

    assert nothing["quartiers"] == nothing["amounts"] == nothing["actions"] == []
    assert nothing["partners"] == nothing["notes"] == []
    assert nothing["document"]["doc_type"] == "other"
    assert nothing["document"]["territory"] is None

    amounts = {a["raw"]: a for a in full["amounts"]}
    assert amounts["12 500 €"]["value_eur"] == 12500
    assert isinstance(amounts["12 500 €"]["value_eur"], int)
    text_lines = "\n".join(p.text for p in parsed.pages).split("\n")
    for a in full["amounts"]:
        assert a["raw"] in text_lines[a["line"] - 1]
    [quartier] = full["quartiers"]
    assert quartier["lines"] == [2, 8] and quartier["pages"] == [1, 3]
    assert full["notes"] == [extraction.checks[0].message]


def test_export_is_deterministic(db, tmp_path):
    parsed, extraction = make_document()

    def exported(folder) -> dict[str, bytes]:
        load_document(db, parsed, extraction, extractor_version="1")
        paths = export_gold_json(db, folder) + export_csv(db, folder)
        # documents.csv holds the load time
        return {p.name: p.read_bytes() for p in paths if p.name != "documents.csv"}

    assert exported(tmp_path / "a") == exported(tmp_path / "b")


def test_documents_with_the_same_file_name_do_not_overwrite(db, tmp_path):
    for text in ("Premier.", "Second."):
        parsed = parsed_from_text(text, name="rapport.pdf")
        load_document(db, parsed, Extraction(), extractor_version="1")
    paths = export_gold_json(db, tmp_path)
    assert len({p.name for p in paths}) == 2
    assert paths[0].name == "rapport.json"


def test_csv_has_one_file_per_table_with_every_row(db, tmp_path):
    parsed, extraction = make_document()
    load_document(db, parsed, extraction, extractor_version="1")
    paths = export_csv(db, tmp_path)
    assert sorted(p.stem for p in paths) == sorted(TABLES)
    for path in paths:
        with path.open(encoding="utf-8", newline="") as f:
            header, *rows = list(csv.reader(f))
        assert header == list(TABLES[path.stem].columns), path.stem
        assert len(rows) == db[path.stem].count, path.stem
    with (tmp_path / "pages.csv").open(encoding="utf-8", newline="") as f:
        pages = list(csv.DictReader(f))
    assert [p["text"] for p in pages] == [p.text for p in parsed.pages]


def test_scanned_pages_keep_their_ocr_method(db, tmp_path):
    page = Page(
        number=1, text="Quartier scanné", method="ocr", width=595, height=842, confidence=71.5
    )
    parsed = ParsedDocument(sha256="f" * 64, path="scan.pdf", file_name="scan.pdf", pages=[page])
    load_document(db, parsed, Extraction(), extractor_version="1")
    assert db["documents"].get("f" * 64)["kind"] == "scan"
    export_csv(db, tmp_path)
    with (tmp_path / "pages.csv").open(encoding="utf-8", newline="") as f:
        [row] = list(csv.DictReader(f))
    assert (row["method"], float(row["confidence"])) == ("ocr", 71.5)
