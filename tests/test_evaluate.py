"""Evaluation against the gold annotations: perfect on itself, lower on perturbed copies."""

from __future__ import annotations

import copy
import json
import shutil

import pytest

from quartiers.evaluate import (
    METRICS,
    SECTIONS,
    WHOLE,
    Score,
    evaluate,
    evaluate_db,
    format_report,
    normalise,
    page_starts,
    restrict_to_lines,
    score_document,
)
from schemas.database import ensure_schema, open_db
from schemas.loader import load_document
from tests.support import GOLD, SOURCES, parsed_from_text
from tests.test_export import extraction_from_gold, load_gold

GOLD_STEMS = sorted(p.stem for p in GOLD.glob("*.json"))


def read_gold(stem: str) -> dict:
    return json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))


def write(folder, stem: str, doc: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_gold_against_itself_is_perfect(tmp_path):
    shutil.copytree(GOLD, tmp_path / "pred")
    report = evaluate(GOLD, tmp_path / "pred")
    assert sorted(d.stem for d in report.documents) == GOLD_STEMS
    assert report.missing == report.unmatched == []
    for doc in report.documents:
        for section, score in doc.scores.items():
            assert (score.fp, score.fn, score.f1) == (0, 0, 1.0), (doc.stem, section)
        assert all(doc.facts.values())
    metrics = report.metrics()
    assert set(metrics) == set(METRICS)
    assert all(value == 1.0 for value in metrics.values())
    assert report.failures(dict.fromkeys(METRICS, 1.0)) == []


def test_perturbed_copy_scores_lower_by_the_expected_amount(tmp_path):
    stem = "001_51a140851bffbc08"
    gold = read_gold(stem)
    pred = copy.deepcopy(gold)
    del pred["quartiers"][0]  # one code and one name missed
    pred["amounts"][0]["value_eur"] += 100  # one wrong value: a false positive and a miss
    pred["partners"].append({"name": "Club de pétanque", "canonical": "Club de pétanque"})
    pred["actions"][0]["amount_eur"] = (pred["actions"][0]["amount_eur"] or 0) + 1000
    pred["actions"][1]["title"] = pred["actions"][1]["title"].upper()  # still matches
    pred["document"]["doc_type"] = "rapport_annuel"
    pred["document"]["territory"] = pred["document"]["territory"].upper()  # still right
    write(tmp_path, stem, pred)

    report = evaluate(GOLD, tmp_path)
    assert report.missing == sorted(set(GOLD_STEMS) - {stem})
    [doc] = report.documents
    n_codes = len({q["code"] for q in gold["quartiers"]})
    n_amounts, n_partners = len(gold["amounts"]), len(gold["partners"])
    n_actions = len(gold["actions"])
    assert doc.scores["quartier_codes"] == Score(tp=n_codes - 1, fp=0, fn=1)
    assert doc.scores["quartier_names"] == Score(tp=len(gold["quartiers"]) - 1, fp=0, fn=1)
    assert doc.scores["amounts"] == Score(tp=n_amounts - 1, fp=1, fn=1)
    assert doc.scores["partners"] == Score(tp=n_partners, fp=1, fn=0)
    assert doc.scores["actions"] == Score(tp=n_actions, fp=0, fn=0)
    assert doc.action_amounts == (n_actions - 1, n_actions)
    assert doc.facts == {
        "doc_type": False,
        "territory": True,
        "department": True,
        "reference_year": True,
    }
    metrics = report.metrics()
    assert metrics["quartier_codes"] == pytest.approx(2 * (n_codes - 1) / (2 * n_codes - 1))
    assert metrics["amounts"] == pytest.approx((n_amounts - 1) / n_amounts)
    assert metrics["action_amounts"] == pytest.approx((n_actions - 1) / n_actions)
    assert metrics["facts.doc_type"] == 0.0

    failures = report.failures({"quartier_codes": 0.99, "partners": 0.5, "facts.doc_type": 1})
    assert any(f.startswith("quartier_codes") for f in failures)
    assert any(f.startswith("facts.doc_type") for f in failures)
    assert not any(f.startswith("partners") for f in failures)
    assert sum("no prediction" in f for f in failures) == len(GOLD_STEMS) - 1
    assert report.failures({}) == []


def _doc(**sections) -> dict:
    return {"document": {}, **sections}


def test_amounts_match_as_a_multiset_within_half_a_euro():
    gold = _doc(amounts=[{"value_eur": v} for v in (100, 100, 2500, 70000)])
    pred = _doc(amounts=[{"value_eur": v} for v in (100.4, 2500.6, 70000, 70000)])
    assert score_document("x", "x", gold, pred).scores["amounts"] == Score(tp=2, fp=2, fn=2)


def test_names_match_fuzzily_and_one_to_one():
    gold = _doc(
        quartiers=[{"code": None, "name": "Le Mont-Liébaut"}, {"code": None, "name": "Cité 10"}]
    )
    pred = _doc(
        quartiers=[
            {"code": None, "name": "LE MONT LIEBAUT"},
            {"code": None, "name": "le Mont-Liébaut"},
            {"code": None, "name": "Cité des Fleurs"},
        ]
    )
    assert score_document("x", "x", gold, pred).scores["quartier_names"] == Score(1, 2, 1)
    assert normalise("  Saint-Élie / Fosse 13 ") == "saint elie fosse 13"
    assert normalise("L’école d'Artois") == "ecole artois"


def test_names_match_without_their_glosses_in_brackets():
    """The annotator writes "Le Centre (Quartier du Centre)"; the document "Le Centre"."""
    gold = _doc(
        quartiers=[
            {"code": None, "name": "Mont-Liébaut"},
            {"code": None, "name": "Le Centre (Quartier du Centre)"},
        ],
        partners=[
            {"name": "Préfecture", "canonical": "Etat (Préfecture / Sous-préfecture de Lens)"},
            {"name": "Europe", "canonical": "Union européenne (FEDER / FSE)"},
        ],
    )
    pred = _doc(
        quartiers=[{"code": None, "name": "Le Mont-Liébaut"}, {"code": None, "name": "Le Centre"}],
        partners=[
            {"name": "Services de l'Etat", "canonical": "Etat"},
            {"name": "EUROPE", "canonical": "Union européenne"},
            {"name": "Centre (quartier)", "canonical": "Centre (quartier)"},
        ],
    )
    scores = score_document("x", "x", gold, pred).scores
    assert scores["quartier_names"] == Score(2, 0, 0)
    assert scores["partners"] == Score(2, 1, 0)  # a gloss alone is no name: "(quartier)"


def test_partners_match_on_canonical_or_written_name():
    gold = _doc(partners=[{"name": "l'Etat", "canonical": "Etat (Préfecture du Pas-de-Calais)"}])
    pred = _doc(partners=[{"name": "Préfecture", "canonical": "Etat"}])
    assert score_document("x", "x", gold, pred).scores["partners"] == Score(1, 0, 0)
    unnamed = _doc(partners=[{"name": None, "canonical": None}])
    assert score_document("x", "x", unnamed, unnamed).scores["partners"] == Score(0, 1, 1)


def test_empty_sections_are_perfect_and_codes_ignore_case():
    gold = _doc(quartiers=[{"code": "QN06201M", "name": "A"}])
    pred = _doc(quartiers=[{"code": " qn06201m", "name": "A"}])
    scores = score_document("x", "x", gold, pred).scores
    assert scores["quartier_codes"] == Score(1, 0, 0)
    assert scores["amounts"].f1 == scores["actions"].f1 == 1.0


def test_scan_prediction_is_scored_against_restricted_gold(tmp_path):
    stem = "004_175d0d4703e41153"
    gold = read_gold(stem)
    first, last = 1, 120
    kept = restrict_to_lines(gold, first, last)
    assert 0 < len(kept["amounts"]) < len(gold["amounts"])
    write(tmp_path, f"{stem}_scan", kept)

    unfiltered = evaluate(GOLD, tmp_path)
    [doc] = unfiltered.documents
    assert (doc.stem, doc.gold_stem) == (f"{stem}_scan", stem)
    assert not doc.variant  # the only prediction of its gold: it counts overall
    assert doc.coverage is None  # unknown: scored against the whole gold
    assert doc.scores["amounts"].recall < 1.0
    assert "PARTIAL" in format_report(unfiltered)

    def pages_of_scan(pred_stem: str, g: dict) -> dict:
        return restrict_to_lines(g, first, last) if pred_stem.endswith("_scan") else g

    [doc] = evaluate(GOLD, tmp_path, gold_filter=pages_of_scan).documents
    assert doc.coverage == f"gold lines {first}-{last}"
    assert all(score.f1 == 1.0 for score in doc.scores.values())


def test_overall_counts_one_prediction_per_gold_the_born_digital_one(tmp_path):
    """A partial scan beside its born-digital original is reported apart, not summed in."""
    stem = "001_51a140851bffbc08"
    gold = read_gold(stem)
    write(tmp_path, stem, gold)
    write(tmp_path, f"{stem}_scan", restrict_to_lines(gold, 1, 700))

    report = evaluate(GOLD, tmp_path)
    assert [(d.stem, d.variant) for d in report.documents] == [
        (stem, False),
        (f"{stem}_scan", True),
    ]
    assert [d.stem for d in report.primary] == [stem]
    assert report.variants[0].scores["amounts"].recall < 0.5
    assert report.overall() == report.primary[0].scores
    assert all(report.metrics()[section] == 1.0 for section in SECTIONS)
    assert report.failures({"amounts": 0.97, "partners": 0.9}) == [
        f"no prediction for gold document {s}" for s in GOLD_STEMS if s != stem
    ]
    text = format_report(report)
    assert text.index("OVERALL") < text.index("VARIANTS (not in OVERALL)")
    assert text.index("VARIANTS") < text.index(f"{stem}_scan (gold {stem}; PARTIAL")


def test_page_starts_locate_each_page_in_the_seed():
    seed = [
        "Titre",
        "Le contrat de ville est signé par les partenaires du territoire.",
        "Les crédits de droit commun sont mobilisés dans les quartiers.",
        "Page 2",
        "La programmation annuelle retient trente-deux actions financées.",
    ]
    pages = [
        "Titre\nLe contrat de ville est signé par les partenaires du territoire.\n"
        "Les crédits de droit commun sont mobilisés dans les quartiers.",
        "Page 2\nLa programmation annuelle retient trente-deux actions financées.",
    ]
    assert page_starts(pages, seed) == [1, 4]


def _scan_of(stem: str, pages: int, lines_per_page: int = 60):
    """The first ``pages`` pages of seed ``stem`` as OCR would read them, with its gold
    items of those lines as the extraction."""
    lines = (SOURCES / f"{stem}.txt").read_text(encoding="utf-8").split("\n")
    kept = "\n".join(lines[: pages * lines_per_page])
    noisy = kept.replace("é", "e").replace(" le ", " 1e ")  # OCR: accents, l/1
    parsed = parsed_from_text(noisy, name=f"{stem}_scan.pdf", lines_per_page=lines_per_page)
    last = pages * lines_per_page
    gold = restrict_to_lines(read_gold(stem), 1, last)
    for section in ("quartiers", "actions", "partners"):  # only the mentions it holds
        gold[section] = [
            dict(item, lines=[n for n in item["lines"] if n <= last]) for item in gold[section]
        ]
    return parsed, extraction_from_gold(gold, parsed)


def test_evaluate_db_scores_a_scan_on_the_pages_it_holds(tmp_path):
    stem = "001_51a140851bffbc08"
    db = open_db(tmp_path / "q.db")
    ensure_schema(db)
    load_gold(db, stem)  # the born-digital document, 60 seed lines a page
    parsed, extraction = _scan_of(stem, pages=10)
    load_document(db, parsed, extraction, extractor_version="gold")

    report = evaluate_db(GOLD, db)
    assert [(d.stem, d.variant) for d in report.documents] == [
        (stem, False),
        (f"{stem}_scan", True),
    ]
    born, scan = report.documents
    assert born.coverage == WHOLE
    assert all(score.f1 == 1.0 for score in born.scores.values())
    first, last = map(int, scan.coverage.removeprefix("gold lines ").split("-"))
    assert first == 1 and 600 <= last < 660  # page 11 starts at its first long line
    assert scan.scores["quartier_codes"] == Score(21, 0, 0)
    assert scan.scores["amounts"].tp > 10 and scan.scores["amounts"].f1 == 1.0
    assert scan.scores["partners"].precision == 1.0
    assert "VARIANTS (not in OVERALL)" in format_report(report)

    unknown = evaluate_db(GOLD, db, sources=tmp_path / "no-seeds")
    assert unknown.documents[1].coverage is None  # no seed text: coverage unknown
    assert unknown.documents[1].scores["amounts"].recall < 0.5


def test_unmatched_predictions_and_unknown_thresholds(tmp_path):
    write(tmp_path, "999_unknown", _doc())
    report = evaluate(GOLD, tmp_path)
    assert report.unmatched == ["999_unknown"]
    assert report.documents == []
    with pytest.raises(ValueError, match="unknown metrics"):
        report.failures({"amount": 0.5})


def test_format_report_lists_documents_and_overall(tmp_path):
    shutil.copytree(GOLD, tmp_path / "pred")
    (tmp_path / "pred" / GOLD_STEMS[0]).with_suffix(".json").unlink()
    text = format_report(evaluate(GOLD, tmp_path / "pred"))
    for stem in GOLD_STEMS[1:]:
        assert stem in text
    assert "OVERALL (2 documents, one prediction each)" in text
    assert all(section in text for section in SECTIONS)
    assert f"no prediction for: {GOLD_STEMS[0]}" in text


def test_evaluate_db_scores_the_exported_database(tmp_path):
    stem = "004_175d0d4703e41153"
    db = open_db(tmp_path / "q.db")
    ensure_schema(db)
    load_gold(db, stem)
    report = evaluate_db(GOLD, db)
    [doc] = report.documents
    assert doc.stem == stem
    assert all(score.f1 == 1.0 for score in doc.scores.values())
    assert all(doc.facts.values())
    assert report.missing == [s for s in GOLD_STEMS if s != stem]
