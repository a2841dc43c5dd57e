"""Evaluation against the gold annotations: perfect on itself, lower on perturbed copies."""

from __future__ import annotations

import copy
import json
import shutil

import pytest

from quartiers.evaluate import (
    METRICS,
    SECTIONS,
    Score,
    evaluate,
    evaluate_db,
    format_report,
    normalise,
    restrict_to_lines,
    score_document,
)
from schemas.database import ensure_schema, open_db
from tests.support import GOLD
from tests.test_export import load_gold

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
    assert doc.scores["amounts"].recall < 1.0

    def pages_of_scan(pred_stem: str, g: dict) -> dict:
        return restrict_to_lines(g, first, last) if pred_stem.endswith("_scan") else g

    [doc] = evaluate(GOLD, tmp_path, gold_filter=pages_of_scan).documents
    assert all(score.f1 == 1.0 for score in doc.scores.values())


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
    assert "OVERALL" in text
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
