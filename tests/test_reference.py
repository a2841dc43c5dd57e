"""Reference data loaders: EPCIs, communes, contrats de ville and the EPCI -> contract links."""

from __future__ import annotations

import time

import pytest

from quartiers import referencedata as ref


def test_loading_everything_is_fast_and_cached() -> None:
    loaders = (
        ref.epcis, ref.communes, ref.epci_of_commune, ref.epci_of_member_siren,
        ref._contract_epci,
    )  # fmt: skip
    for loader in loaders:
        loader.cache_clear()
    start = time.perf_counter()
    ref.epcis(), ref.communes(), ref.epci_of_member_siren()
    ref.epci_contracts.cache_clear()
    ref.epci_contracts("246200364")
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"reference data took {elapsed:.2f}s to load"
    start = time.perf_counter()
    ref.epcis(), ref.communes(), ref.contrats_de_ville(2015), ref.contrats_de_ville(2024)
    assert time.perf_counter() - start < 0.01


def test_epci_records() -> None:
    epcis = ref.epcis()
    assert len(epcis) > 1200
    lens = epcis["246200364"]
    assert (lens.nature_juridique, lens.dept) == ("CA", "62")
    assert lens.full_name.startswith("Communauté d'Agglomération de Lens")
    members = {m.insee: m for m in lens.communes}
    assert members["62498"].name == "Lens" and members["62498"].population > 20000
    assert ref.epci_of_commune()["62498"] == "246200364"
    assert ref.epci_of_member_siren()[members["62498"].siren] == "246200364"
    assert all(e.dept and e.communes for e in epcis.values())


def test_communes_have_names_and_departments() -> None:
    communes = ref.communes()
    lens = communes["62498"]
    assert (lens.nccenr, lens.ncc, lens.dept, lens.typecom) == ("Lens", "LENS", "62", "COM")
    assert all(c.dept for c in communes.values())
    delegated = [c for c in communes.values() if c.typecom == "COMD"]
    assert delegated and all(c.parent for c in delegated)


def test_contracts_of_both_generations() -> None:
    cv, cn = ref.contrats_de_ville(2015), ref.contrats_de_ville(2024)
    assert len(cv) == 434 and len(cn) == 448
    assert all(c.code.startswith("CV") for c in cv)
    assert {c.code[:2] for c in cn} <= {"CN", "CV"}  # overseas communes keep CV codes
    lens = next(c for c in cv if c.code == "CV219")
    assert lens.name == "CA de Lens - Liévin" and lens.dept == "62"


def test_a_siren_maps_to_its_contracts_directly() -> None:
    links = ref.epci_contracts("246200364")
    assert [(x.contract.code, x.method) for x in links.cv2015] == [("CV219", "codgeo")]
    assert [(x.contract.code, x.method) for x in links.cn2024] == [("CN06202I", "codgeo")]
    assert links.best(2015).code == "CV219" and links.best(2024).code == "CN06202I"


def test_a_merged_epci_finds_its_2015_contracts_through_their_labels() -> None:
    # README: CV221 (SIREN 200044055, merged in 2017) belongs to today's 200072460.
    links = ref.epci_contracts("200072460")
    assert links.best(2024).code == "CN06201M"
    codes = [x.contract.code for x in links.cv2015]
    assert codes[0] == "CV221" and all(x.method == "label" for x in links.cv2015)
    assert "200044055" not in ref.epcis()


def test_single_commune_contracts_link_through_their_commune() -> None:
    by_commune = ref.epci_of_commune()
    commune_contracts = [c for c in ref.contrats_de_ville(2024) if c.codgeo in by_commune]
    assert len(commune_contracts) > 50
    for contract in commune_contracts:
        assert ref.epci_for_contract(contract) == (by_commune[contract.codgeo], "member_commune")


def test_most_2015_contracts_are_linked_to_a_current_epci() -> None:
    contracts = ref.contrats_de_ville(2015)
    linked = [c for c in contracts if ref.epci_for_contract(c)]
    assert len(linked) / len(contracts) > 0.85
    for contract in linked:
        siren, method = ref.epci_for_contract(contract)
        epci = ref.epcis()[siren]
        if method == "codgeo":
            assert contract.codgeo == siren
        elif method == "member_commune":
            assert contract.codgeo in {m.insee for m in epci.communes}
        else:  # pre-merger SIREN: matched by label within one of its departments
            depts = {c.dept for c in contracts if c.code == contract.code}
            assert contract.codgeo not in ref.epcis() and epci.dept in depts


def test_a_contract_over_two_departments_is_listed_once() -> None:
    rows = ref.contrats_de_ville(2015)
    split = next(c for c in rows if sum(r.code == c.code for r in rows) > 1)
    siren, _ = ref.epci_for_contract(split)
    codes = [x.contract.code for x in ref.epci_contracts(siren).cv2015]
    assert codes.count(split.code) == 1


@pytest.mark.parametrize(
    ("name", "code"),
    [("Pas-de-Calais", "62"), ("NORD", "59"), ("Côte-d'Or", "21"), ("Corse-du-Sud", "2A"),
     ("La Réunion", "974"), ("Atlantis", None)],
)  # fmt: skip
def test_department_code(name: str, code: str | None) -> None:
    assert ref.department_code(name) == code


def test_expand_legal_form() -> None:
    assert ref.expand_legal_form("CU d'Arras") == "Communauté Urbaine d'Arras"
    assert ref.expand_legal_form("Métropole Européenne de Lille") == "Métropole Européenne de Lille"
