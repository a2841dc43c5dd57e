"""Document facts on the five seeds (gold for 001, 002, 004) and on other agglomerations."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache

import pytest

from extractors.doctype import classify
from extractors.docview import DocView
from extractors.facts import extract_facts
from quartiers.referencedata import epci_contracts, epcis
from schemas.records import DocumentFacts, ParsedDocument
from tests.support import GOLD, parsed_from_text, seed_document

GOLD_STEMS = ["001_51a140851bffbc08", "002_d10b0c97964f8d38", "004_175d0d4703e41153"]
REPORT_2019 = "000_bf7938b327930859"
QUARTIERS_2030 = "003_c281e4f984da8422"
ALL_STEMS = sorted([*GOLD_STEMS, REPORT_2019, QUARTIERS_2030])


@cache
def seed_facts(stem: str, lines_per_page: int = 60) -> DocumentFacts:
    return extract_facts(seed_document(stem, lines_per_page=lines_per_page))


def gold_document(stem: str) -> dict:
    return json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))["document"]


# ------------------------------------------------------------------------- seeds


@pytest.mark.parametrize("stem", GOLD_STEMS)
def test_every_gold_field(stem: str) -> None:
    facts = seed_facts(stem)
    for field, expected in gold_document(stem).items():
        assert getattr(facts, field) == expected, field


@pytest.mark.parametrize("stem", GOLD_STEMS)
def test_gold_facts_do_not_depend_on_page_size(stem: str) -> None:
    for lines_per_page in (25, 200):
        facts = seed_facts(stem, lines_per_page)
        for field, expected in gold_document(stem).items():
            assert getattr(facts, field) == expected, (field, lines_per_page)


def test_annual_report_2019() -> None:
    facts = seed_facts(REPORT_2019)
    assert facts.doc_type == "rapport_annuel"
    assert facts.territory_siren == "200072460"
    assert facts.territory_acronym == "CABBALR"
    assert facts.department == "62"
    assert facts.reference_year == 2019
    assert facts.period is not None and facts.period.startswith("2015-")


def test_quartiers_2030_contract() -> None:
    facts = seed_facts(QUARTIERS_2030)
    assert facts.doc_type == "contrat_quartiers_2030"
    assert facts.territory == "Communauté d'Agglomération de la Porte du Hainaut"
    assert facts.territory_siren == "200042190"
    assert facts.department == "59"
    assert (facts.reference_year, facts.period) == (2024, "2024-2030")
    assert facts.contract_code == "CN05902M"


@pytest.mark.parametrize(
    ("stem", "generation"),
    [(GOLD_STEMS[0], 2015), (GOLD_STEMS[1], 2024), (GOLD_STEMS[2], 2015), (REPORT_2019, 2015)],
)
def test_contract_code_follows_the_period(stem: str, generation: int) -> None:
    facts = seed_facts(stem)
    expected = epci_contracts(facts.territory_siren).best(generation)
    assert expected is not None and facts.contract_code == expected.code
    assert facts.contract_code.startswith("CN" if generation == 2024 else "CV")


@pytest.mark.parametrize("stem", ALL_STEMS)
def test_every_fact_has_exact_provenance(stem: str) -> None:
    doc = seed_document(stem)
    facts = seed_facts(stem)
    for field in ("doc_type", "territory", "territory_siren", "department", "reference_year"):
        assert field in facts.provenance, field
    for field, prov in facts.provenance.items():
        page = doc.pages[prov.page - 1]
        assert page.text[prov.start : prov.end] == prov.raw != ""
        assert prov.extractor == f"facts.{field}"
        assert 0 < prov.confidence <= 1 and prov.bbox is not None


def test_deliberation_date_provenance_points_at_the_meeting() -> None:
    prov = seed_facts(GOLD_STEMS[1]).provenance["signed_or_adopted_on"]
    assert prov.page == 1 and "2025" in prov.raw


# ------------------------------------------------------- other agglomerations


def facts_of(text: str) -> DocumentFacts:
    return extract_facts(parsed_from_text(text))


FILLER = "Les actions menées dans les quartiers prioritaires ont mobilisé les partenaires.\n"


def test_deliberation_of_another_epci_approving_its_contract() -> None:
    facts = facts_of(
        "Département du Nord\nCOMMUNAUTÉ URBAINE DE DUNKERQUE\n"
        "EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS DU CONSEIL COMMUNAUTAIRE\n"
        "Séance du jeudi 14 décembre 2023\n"
        "Le jeudi 14 décembre 2023 à 18h00, le Conseil communautaire s'est réuni sous la "
        "présidence de M. le Président.\nEtaient présents : M. A, Mme B.\n"
        "Vu la délibération du Conseil communautaire du 30 juin 2022,\n"
        "Objet : Contrat de ville « Engagements Quartiers 2030 » 2024-2030 - Approbation\n"
        "Le Conseil communautaire, après en avoir délibéré, APPROUVE le contrat de ville "
        "2024-2030 de la Communauté urbaine de Dunkerque.\n"
        "Transmis en sous-préfecture le 18 décembre 2023.\n"
    )
    dunkerque = next(e for e in epcis().values() if e.raison_sociale == "CU de Dunkerque")
    assert facts.doc_type == "deliberation"
    assert facts.territory_siren == dunkerque.siren
    assert facts.territory == "Communauté Urbaine de Dunkerque"
    assert facts.department == "59"
    assert facts.signed_or_adopted_on == "2023-12-14"
    assert facts.period == "2024-2030"
    assert facts.contract_code == epci_contracts(dunkerque.siren).best(2024).code


def test_municipal_deliberation_dated_in_words() -> None:
    facts = facts_of(
        "République Française - Département du Pas-de-Calais\n"
        "EXTRAIT DU REGISTRE DES DELIBERATIONS DU CONSEIL MUNICIPAL\n"
        "L'an deux mille vingt-quatre, le douze mars à dix-huit heures trente, le Conseil "
        "municipal s'est réuni sous la présidence de Mme le Maire.\n"
        "Objet : avis sur le rapport politique de la ville de la CA d'Hénin-Carvin au titre de "
        "l'année 2023.\nAprès en avoir délibéré, le Conseil municipal émet un avis favorable.\n"
    )
    assert facts.doc_type == "deliberation"
    assert facts.signed_or_adopted_on == "2024-03-12"
    assert epcis()[facts.territory_siren].raison_sociale == "CA d'Hénin-Carvin"
    assert facts.territory == "Communauté d'Agglomération d'Hénin-Carvin"
    assert (facts.department, facts.reference_year) == ("62", 2023)


def test_annual_report_of_another_epci() -> None:
    facts = facts_of(
        "Rapport annuel politique de la ville 2021\n\n"
        "Communauté d'agglomération du Boulonnais\n\n"
        "Le présent rapport est établi conformément au décret n°2015-1118. Il porte sur "
        "l'année 2021, septième année du contrat de ville 2015-2022 de la Communauté "
        "d'agglomération du Boulonnais.\nLa programmation 2021 a soutenu 80 actions.\n"
        "Le rapport a été approuvé par délibération du Conseil communautaire du "
        "16 décembre 2021.\n" + FILLER * 40
    )
    assert facts.doc_type == "rapport_annuel"
    assert facts.territory == "Communauté d'Agglomération du Boulonnais"
    assert epcis()[facts.territory_siren].raison_sociale == "CA du Boulonnais"
    assert (facts.department, facts.reference_year, facts.period) == ("62", 2021, "2015-2022")
    assert facts.signed_or_adopted_on == "2021-12-16"
    assert facts.contract_code and facts.contract_code.startswith("CV")


def test_metropole_contract_signed_at_the_end() -> None:
    facts = facts_of(
        "CONTRAT DE VILLE\nde la Métropole Européenne de Lille\n2015-2020\n\nPréfet du Nord\n\n"
        "Le présent contrat est conclu entre l'Etat, la MEL et les communes. Les signataires "
        "du présent contrat s'engagent.\n" + FILLER * 80 + "\nLES SIGNATURES\n"
        "Fait à Lille, le 3 juillet 2015\nLe Préfet du Nord\tLe Président de la MEL\n"
    )
    assert facts.doc_type == "contrat_de_ville"
    assert epcis()[facts.territory_siren].raison_sociale == "Métropole Européenne de Lille"
    assert (facts.territory_acronym, facts.department) == ("MEL", "59")
    assert (facts.reference_year, facts.period) == (2015, "2015-2020")
    assert facts.signed_or_adopted_on == "2015-07-03"


def test_a_pre_merger_name_resolves_to_todays_epci_and_its_2015_contract() -> None:
    facts = facts_of(
        "Contrat de Ville 2015-2020\n\nCommunauté d'Agglomération du Calaisis\n\n"
        "Le présent contrat engage les partenaires signataires.\n" + FILLER * 30
    )
    epci = epcis()[facts.territory_siren]
    assert epci.dept == "62" and "Calais" in epci.raison_sociale
    links = epci_contracts(epci.siren)
    assert facts.contract_code in [x.contract.code for x in links.cv2015]


def test_ocr_damaged_legal_form_and_acronym_only_slides() -> None:
    ocr = facts_of(
        "Communauteé d'Agglomeération du Boulonnais\n\nRapport sur la mise en ceuvre de la "
        "politique de la ville\nAnnée de référence 2018\n" + FILLER * 20
    )
    assert epcis()[ocr.territory_siren].raison_sociale == "CA du Boulonnais"
    assert (ocr.doc_type, ocr.reference_year) == ("rapport_annuel", 2018)

    slides = "\n\n".join(
        f"Programmation 2023\nCAPSO\nAxe {i}\n{10 * i} actions\nBilan" for i in range(1, 13)
    )
    doc = parsed_from_text(slides, lines_per_page=6)
    doc.pages = [replace(p, width=842.0, height=595.0) for p in doc.pages]
    facts = extract_facts(doc)
    assert facts.doc_type == "presentation"
    saint_omer = epcis()[facts.territory_siren]
    assert saint_omer.raison_sociale == "CA du Pays de Saint-Omer"
    assert facts.territory == "Communauté d'Agglomération du Pays de Saint-Omer"
    assert (facts.territory_acronym, facts.department, facts.reference_year) == (
        "CAPSO",
        "62",
        2023,
    )


def test_a_passing_mention_is_not_the_territory() -> None:
    facts = facts_of(FILLER * 200 + "Un partenariat existe avec la CAPH.\n" + FILLER * 30)
    assert facts.territory is None and facts.contract_code is None


def test_department_without_territory() -> None:
    facts = facts_of("PRÉFET DU NORD\n\nQuartier QN05953M et quartier QN05910M.\n" + FILLER * 5)
    assert facts.territory is None and facts.territory_siren is None
    assert facts.department == "59"
    assert facts.provenance["department"].raw.upper().startswith("PRÉFET")


def test_unrelated_or_empty_documents_give_no_facts() -> None:
    facts = facts_of("Recette de la tarte aux pommes.\nÉplucher les pommes, cuire 30 minutes.\n")
    assert facts.doc_type == "other"
    assert (facts.territory, facts.department, facts.reference_year, facts.period) == (
        None, None, None, None,
    )  # fmt: skip
    empty = extract_facts(ParsedDocument(sha256="0", path="e.pdf", file_name="e.pdf", pages=[]))
    assert empty == DocumentFacts()


def test_a_deliberation_annexing_a_report_stays_a_deliberation() -> None:
    text = (
        "Extrait du registre des délibérations du Conseil municipal\n"
        "Le Conseil municipal, après en avoir délibéré, approuve le rapport ci-annexé.\n"
        "Pour extrait conforme.\n" + FILLER * 60 + "Rapport sur la mise en œuvre de la politique "
        "de la ville\nAnnée 2023\n" + FILLER * 60
    )
    result = classify(DocView.of(parsed_from_text(text)))
    assert result.doc_type == "deliberation"
    assert result.scores["rapport_annuel"] > 0  # the annexed report was seen, and outweighed
