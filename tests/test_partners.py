"""Partners: gazetteer + NER, qualification, roles, merging, SIRET, and F1 against the gold."""

from __future__ import annotations

import json
import re
import time
import unicodedata

import pytest
from rapidfuzz import fuzz

from extractors.nlp import load_nlp, load_registry, ruler_only
from extractors.operators import find_siret
from extractors.partners import canonical_funder, extract_partners, registry_entry
from extractors.partners.layout import page_view, text_after
from extractors.partners.places import departments
from quartiers.referencedata import DEPARTMENTS
from schemas.records import Partner
from tests.support import GOLD, parsed_from_text, seed_document


def by_canonical(partners: list[Partner]) -> dict[str, Partner]:
    return {p.canonical: p for p in partners}


# ------------------------------------------------------------------- the pipeline


def test_gazetteer_runs_before_the_statistical_ner():
    nlp = load_nlp()
    names = nlp.pipe_names
    assert names.index("partner_names") < names.index("ner")
    assert names.index("partner_exact") < names.index("ner")
    assert "parser" not in names and "lemmatizer" not in names
    doc = nlp("Un atelier mené en partenariat avec Pôle Emploi et la CAF.")
    found = {(e.text, e.label_, e.ent_id_) for e in doc.ents}
    assert ("Pôle Emploi", "ORG", "france_travail") in found
    assert ("CAF", "ORG", "caf") in found


def test_ruler_only_pass_matches_accentless_capitals():
    nlp = load_nlp()
    with ruler_only(nlp):
        doc = nlp("CAISSE DES DEPOTS\tSOCIÉTÉ IMMOBILIERE DE L'ARTOIS\tcaf")
    assert [e.ent_id_ for e in doc.ents] == ["cdc", "sia_habitat"]  # "caf" lower: not CAF


# ----------------------------------------------------------------- hard names


def test_acronyms_resolve_to_canonical_institutions():
    text = (
        "Les actions sont financées par la CAF, l'ARS, la CPAM, l'ANCT et l'ANRU.\n\n"
        "Le CGET a apporté des crédits complémentaires."
    )
    found = by_canonical(extract_partners(parsed_from_text(text), department="59"))
    assert set(found) == {
        "Caisse d'allocations familiales du Nord",
        "Agence régionale de santé Hauts-de-France",
        "Caisse primaire d'assurance maladie du Nord",
        "ANCT",
        "ANRU",
    }
    assert len(found["ANCT"].mentions) == 2  # CGET is the former ANCT
    assert {p.role for p in found.values()} == {"funder"}
    assert found["ANCT"].kind == "state_agency"


def test_pole_emploi_is_france_travail_in_any_spelling():
    text = (
        "Un atelier mené en partenariat avec Pôle Emploi.\n\n"
        "Les conseillers de pôle emploi sont associés au repérage, en lien avec POLE EMPLOI "
        "et France Travail."
    )
    partners = extract_partners(parsed_from_text(text))
    assert [p.canonical for p in partners] == ["France Travail (ex Pôle emploi)"]
    assert partners[0].kind == "employment"
    assert len(partners[0].mentions) == 4


def test_landlords_the_statistical_model_misses():
    text = (
        "Les opérations sont portées par PDCH, FOH, Partenord Habitat, Vilogia, "
        "SA DU HAINAUT et Vallée Verte Habitat."
    )
    found = by_canonical(extract_partners(parsed_from_text(text)))
    assert set(found) == {
        "Pas-de-Calais Habitat",
        "Flandre Opale Habitat",
        "Partenord Habitat",
        "Vilogia",
        "SA du Hainaut",
        "Vallée Verte Habitat",  # an unknown landlord, by the generic "X Habitat" pattern
    }
    assert {p.kind for p in found.values()} == {"housing_provider"}
    assert {p.role for p in found.values()} == {"operator"}


def test_conseil_alone_is_not_the_conseil_regional():
    assert registry_entry("CONSEIL") is None
    assert registry_entry("Conseil communautaire") is None
    assert registry_entry("Caisse d'Allocations Familliales") == "caf"  # a typo still matches
    assert registry_entry("Chambre des Métiers et de l'Artisanat") == "cma"
    text = "Le CONSEIL a financé la démarche. Le Conseil communautaire finance le projet."
    assert extract_partners(parsed_from_text(text), department="62") == []


def test_spelling_variants_of_places_give_one_canonical_name():
    text = (
        "Le Conseil Départemental du Pas de Calais finance le dispositif.\n\n"
        "Le CD62 et le Conseil départemental du PAS-DE-CALAIS apportent des crédits.\n\n"
        "Le Conseil Régional Nord – Pas-de-Calais cofinance l'action.\n\n"
        "Le Conseil régional des Hauts de France finance aussi."
    )
    found = by_canonical(extract_partners(parsed_from_text(text)))
    # Spelling variants of one place merge; a former region keeps its own name.
    assert set(found) == {
        "Conseil départemental du Pas-de-Calais",
        "Conseil régional Nord-Pas-de-Calais",
        "Conseil régional Hauts-de-France",
    }
    assert len(found["Conseil départemental du Pas-de-Calais"].mentions) == 3
    former = found["Conseil régional Nord-Pas-de-Calais"]
    assert former.name == "Conseil Régional Nord – Pas-de-Calais"  # the text as written


def test_generic_names_take_the_documents_department_and_region():
    text = "La CAF et la Région financent le projet ; le Département aussi."
    found = by_canonical(extract_partners(parsed_from_text(text), department="80"))
    assert set(found) == {
        "Caisse d'allocations familiales de la Somme",
        "Conseil régional Hauts-de-France",
        "Conseil départemental de la Somme",
    }
    unqualified = by_canonical(extract_partners(parsed_from_text(text)))
    assert "Caisse d'allocations familiales" in unqualified  # no department: none invented


def test_mentions_of_one_organisation_are_merged_with_provenance():
    text = (
        "Sont signataires du contrat : la Caisse d'Allocations Familiales du Nord, l'Etat.\n"
        "\n"
        "La CAF finance les centres sociaux. La Caf du Nord apporte 20 000 €."
    )
    doc = parsed_from_text(text)
    found = by_canonical(extract_partners(doc, department="59"))
    caf = found["Caisse d'allocations familiales du Nord"]
    assert caf.role == "signatory"
    assert len(caf.mentions) == 3
    page = doc.pages[0]
    for prov in caf.mentions:
        assert prov.raw == page.text[prov.start : prov.end]
        assert prov.extractor == "partners" and prov.bbox is not None
    assert caf.name == "Caisse d'Allocations Familiales du Nord"  # as written


def test_passing_mentions_without_role_cue_are_not_partners():
    text = "Le quartier compte une agence de la CAF et un commissariat de police."
    assert extract_partners(parsed_from_text(text), department="59") == []


def test_landlord_pattern_does_not_take_an_association():
    text = "Les ateliers sont portés par ASSOCIATION HABITAT INSERTION et Vallée Verte Habitat."
    assert [p.canonical for p in extract_partners(parsed_from_text(text))] == [
        "Vallée Verte Habitat"
    ]


def test_department_names_come_from_the_reference_list():
    assert set(departments()) == set(DEPARTMENTS)
    assert departments()["62"] == ("du Pas-de-Calais", "Pas-de-Calais")
    assert departments()["02"] == ("de l'Aisne", "Aisne")
    assert departments()["35"] == ("d'Ille-et-Vilaine", "Ille-et-Vilaine")


# ----------------------------------------------------------- canonical style


def test_a_local_body_without_its_place_carries_the_documents_department():
    text = "Un atelier mené en partenariat avec la Mission locale et la CCI."
    found = {p.canonical for p in extract_partners(parsed_from_text(text), department="62")}
    assert found == {
        "Mission locale (Pas-de-Calais)",
        "Chambre de commerce et d'industrie (Pas-de-Calais)",
    }
    placed = "Un atelier mené en partenariat avec la Mission locale de Lens."
    assert [p.canonical for p in extract_partners(parsed_from_text(placed), department="62")] == [
        "Mission locale de Lens"
    ]
    assert [p.canonical for p in extract_partners(parsed_from_text(text))] == [
        "Mission locale",
        "Chambre de commerce et d'industrie",
    ]  # no department: no place invented


def test_a_generic_mention_among_several_local_bodies_is_none_of_them():
    text = (
        "Les actions sont portées par le CCAS de Barlin, le CCAS de Béthune et le CIAS.\n\n"
        "Le CCAS finance aussi les ateliers."
    )
    found = by_canonical(extract_partners(parsed_from_text(text), department="62"))
    assert set(found) == {
        "Centre communal d'action sociale de Barlin",
        "Centre communal d'action sociale de Béthune",
        "Centre communal d'action sociale (Pas-de-Calais)",
        "Centre intercommunal d'action sociale (Pas-de-Calais)",
    }
    assert len(found["Centre communal d'action sociale de Barlin"].mentions) == 1


def test_one_epci_has_one_canonical_name_however_documents_spell_it():
    spellings = [
        "Communauté d'Agglomération Béthune-Bruay, Artois Lys Romane",
        "Communauté d'Agglomération de Béthune-Bruay, Artois-Lys Romane",
    ]
    text = "L'Agglomération finance le projet. La CABBALR porte l'action."
    canonicals = set()
    for territory in spellings:
        partners = extract_partners(parsed_from_text(text), department="62", territory=territory)
        canonicals |= {p.canonical for p in partners}
    assert canonicals == {"Communauté d'Agglomération de Béthune-Bruay, Artois-Lys Romane"}
    other = "La Communauté de communes de Desvres-Samer finance l'action."
    assert [p.canonical for p in extract_partners(parsed_from_text(other), department="62")] == [
        "Communauté de Communes de Desvres-Samer"
    ]


def test_a_legal_form_repeated_by_a_typo_is_not_a_place():
    """ "… DE LA⏎COMMUNAUTE D'AGGLOMERATION DE LENS-LIEVIN": the second legal form is the
    name written again, not the place of a "Communauté d'Agglomération de la Communauté"."""
    text = (
        "Le rapport est financé par la COMMUNAUTE D'AGGLOMERATION DE LA\n"
        "COMMUNAUTE D'AGGLOMERATION DE LENS-LIEVIN (CALL)."
    )
    partners = extract_partners(
        parsed_from_text(text),
        department="62",
        territory="Communauté d'Agglomération de Lens-Liévin",
    )
    assert {p.canonical for p in partners} == {"Communauté d'Agglomération de Lens - Liévin"}


BETHUNE_BRUAY = "Communauté d'Agglomération de Béthune-Bruay, Artois-Lys Romane"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("crédits de l'ANCT", "ANCT"),
        ("CGET", "ANCT"),
        ("Etat", "Etat"),
        ("Préfecture", "Etat"),
        ("CONSEIL REGIONAL", "Conseil régional Hauts-de-France"),
        ("Conseil régional Nord-Pas-de-Calais", "Conseil régional Nord-Pas-de-Calais"),
        ("la CAF", "Caisse d'allocations familiales du Pas-de-Calais"),
        ("Caisse d'Allocations Familliales", "Caisse d'allocations familiales du Pas-de-Calais"),
        ("CD62", "Conseil départemental du Pas-de-Calais"),
        ("CABBALR", BETHUNE_BRUAY),
        ("l'Agglomération", BETHUNE_BRUAY),
        ("Ville de Méricourt", "Commune de Méricourt"),
        ("FEDER / Conseil régional", "Union européenne"),
        ("ANCT « BOP 147 »", "ANCT"),
        ("Partenaires publics", None),
        ("", None),
    ],
)
def test_canonical_funder(written, canonical):
    assert canonical_funder(written, department="62", territory=BETHUNE_BRUAY) == canonical


def test_canonical_funder_names_bodies_as_partners_do():
    text = "La CAF et la Région financent le projet ; la CABBALR aussi."
    partners = extract_partners(parsed_from_text(text), department="62", territory=BETHUNE_BRUAY)
    funders = {canonical_funder(w, department="62", territory=BETHUNE_BRUAY) for w in text.split()}
    assert {p.canonical for p in partners} <= funders
    assert canonical_funder("Région", department=None, territory=None) == "Conseil régional"


# ------------------------------------------------------------------------ roles


CONTRACT = """\
Sont signataires du présent contrat : l'Etat, la Communauté d'Agglomération de Lens-Liévin (CALL), \
le Conseil départemental du Pas-de-Calais, la CAF.

Les actions sont mises en œuvre en lien avec la Mission locale.

LES SIGNATURES

Ville de LENS\tTRIBUNAL JUDICIAIRE DE BETHUNE
Sylvain ROBERT Maire\tle Procureur de la République

Sous la présidence du
Ministre de la Ville, de la Jeunesse et des Sports
"""


def test_contract_roles_and_selection():
    partners = extract_partners(
        parsed_from_text(CONTRACT),
        department="62",
        territory="Communauté d'Agglomération de Lens-Liévin",
    )
    found = by_canonical(partners)
    assert set(found) == {
        "Etat",
        "Communauté d'Agglomération de Lens - Liévin",  # the reference (DGCL) name
        "Conseil départemental du Pas-de-Calais",
        "Caisse d'allocations familiales du Pas-de-Calais",
        "Commune de Lens",
        "Tribunal judiciaire de Béthune",
        "Etat - Ministère de la Ville, de la Jeunesse et des Sports",
    }  # the Mission locale, cited in passing in a contract, is not one of its partners
    assert found["Commune de Lens"].role == "signatory"
    assert found["Tribunal judiciaire de Béthune"].role == "signatory"
    assert len(found["Tribunal judiciaire de Béthune"].mentions) == 2  # + the Procureur
    ministry = found["Etat - Ministère de la Ville, de la Jeunesse et des Sports"]
    assert ministry.role == "partner"  # presides the signing, does not sign


def test_pdf_layout_lists_split_by_a_page_break_and_signature_cells():
    text = "\n".join(
        [
            "Sont signataires : l'Etat, la CAF, le Département.",
            "➤ UNE MOBILISATION DES PARTENAIRES",
            "- l'Etat,",
            "Page 3 / 9",  # the list goes on over the page break
            "- la DDETS,",
            "- la Mission locale de Roubaix.",
            "Les actions sont conduites en lien avec la CPAM, dont les crédits sont",
            "mobilisés chaque année pour les habitants des quartiers prioritaires de la ville,",
            "ce qui est rappelé dans le bilan annuel du contrat de ville et de ses annexes.",
            "LES SIGNATURES",
            "Ville de ROUBAIX Guillaume DELBAR Maire",
        ]
    )
    doc = parsed_from_text(text, lines_per_page=4)
    found = by_canonical(extract_partners(doc, department="59"))
    assert set(found) == {
        "Etat",
        "Caisse d'allocations familiales du Nord",
        "Conseil départemental du Nord",
        "Etat - DDETS du Nord",
        "Mission locale de Roubaix",
        "Commune de Roubaix",
    }  # the CPAM, cited in running text of a contract, is left out
    assert found["Mission locale de Roubaix"].role == "partner"
    assert found["Commune de Roubaix"].role == "signatory"
    assert found["Commune de Roubaix"].name == "Ville de ROUBAIX"  # not the mayor's name


def test_signature_cells_keep_the_place_and_capitals_of_a_name_not_the_signer():
    text = "\n".join(
        [
            "LES SIGNATURES",
            "Communauté d'Agglomération de Lens-Liévin Sylvain ROBERT Président\t"
            "Préfecture du Pas-de-Calais Fabienne BUCCIO Préfète",
            "POLE EMPLOI ARTOIS- DOUAISIS Anne DAUCHEZ Directrice Territoriale\t"
            "CAISSE DES DEPOTS DIRECTEUR REGIONAL\t"
            "CAISSE D'ALLOCATIONS FAMILIALES Jean-Claude BURGER Directeur",
        ]
    )
    partners = extract_partners(
        parsed_from_text(text),
        department="62",
        territory="Communauté d'Agglomération de Lens-Liévin",
    )
    names = {p.canonical: p.name for p in partners}
    assert names["Etat"] == "Préfecture du Pas-de-Calais"
    assert names["France Travail (ex Pôle emploi)"] == "POLE EMPLOI ARTOIS- DOUAISIS"
    assert names["Caisse des Dépôts et Consignations"] == "CAISSE DES DEPOTS"
    assert names["Caisse d'allocations familiales du Pas-de-Calais"] == (
        "CAISSE D'ALLOCATIONS FAMILIALES"
    )
    assert all(p.role == "signatory" for p in partners)


def test_a_name_wrapped_by_the_pdf_is_written_on_one_line():
    text = (
        "Sont cosignataires du contrat de ville : la Communauté d'Agglomération de "
        "Lens-Liévin, l'Etat, le Conseil\nRégional Nord – Pas-de-Calais, le Conseil "
        "Départemental du Pas-de-Calais, la Caisse des\nDépôts et Consignations."
    )
    found = by_canonical(extract_partners(parsed_from_text(text), department="62"))
    assert found["Conseil régional Nord-Pas-de-Calais"].name == (
        "Conseil Régional Nord – Pas-de-Calais"
    )
    assert found["Caisse des Dépôts et Consignations"].name == (
        "Caisse des Dépôts et Consignations"
    )


@pytest.mark.parametrize(
    ("text", "head", "after"),
    [
        # a heading under a complete name is not its place
        (
            "COMMUNAUTE D'AGGLOMERATION DE LENS-LIEVIN\nDES ELEMENTS DE LANGAGE COMMUN",
            "AGGLOMERATION",
            " DE LENS-LIEVIN",
        ),
        # nor is a page footer, nor the next cell of a table row
        ("Direccte Ministère de la Ville\nPage 140 / 188", "Ministère", " de la Ville"),
        ("Etat\nRégion Hauts-de-France", "Etat", ""),
        # a line ending on a particle, or a next line in lower case, goes on
        (
            "COMMUNAUTE D'AGGLOMERATION DE\nLENS-LIEVIN (CALL)",
            "AGGLOMERATION",
            " DE LENS-LIEVIN (CALL)",
        ),
        (
            "Communauté d'Agglomération\nde Lens-Liévin\nMaire de Lens",
            "Agglomération",
            " de Lens-Liévin",
        ),
        (
            "la Région Nord-Pas de\nCalais, la contribution",
            "Région",
            " Nord-Pas de Calais, la contribution",
        ),
    ],
)
def test_text_after_a_name_stops_at_a_line_break_unless_the_name_goes_on(text, head, after):
    view = page_view(parsed_from_text(text).pages[0])
    assert text_after(view, text.rindex(head) + len(head)) == after


def test_report_roles_from_cues():
    text = (
        "Focus #1 : Opérateur : Club de prévention La Vie Active\n\n"
        "Trois rencontres animées par la Mission Régionale d'Appui de France Médiation.\n\n"
        "Un GAT sur l'emploi en partenariat avec France Travail.\n\n"
        "Les fonds de concours ont été attribués à 2 communes :\n"
        "Béthune - 19 946 €\n"
        "Auchel\n"
        "Aménagement multi accueil 70 000 €\n"
    )
    found = by_canonical(extract_partners(parsed_from_text(text), department="62"))
    vie_active = found["Club de prévention La Vie Active"]
    assert vie_active.role == "operator" and vie_active.kind == "association"
    assert vie_active.siret == "77562993401642"  # from the adulte-relais reference posts
    assert found["France Médiation"].role == "partner"
    assert found["France Travail (ex Pôle emploi)"].role == "partner"
    assert found["Commune de Béthune"].role == "operator"
    assert found["Commune d'Auchel"].role == "operator"
    assert len(found) == 5


def test_territory_by_acronym_and_bare_legal_form():
    text = (
        "Le contrat de la CABBALR.\n\n"
        "Une enveloppe de 97 918 € de la CABBALR a soutenu 31 projets.\n\n"
        "Opérateur : la Communauté d'Agglomération\n\n"
        "La Communauté de communes Flandre Lys finance aussi l'action."
    )
    territory = "Communauté d'Agglomération de Béthune-Bruay, Artois-Lys Romane"
    partners = extract_partners(parsed_from_text(text), department="62", territory=territory)
    # "Communauté de communes" is not this agglomeration and names no place; the
    # "Opérateur :" label (layout) outranks the funding sentence (prose).
    assert [(p.canonical, p.role, len(p.mentions)) for p in partners] == [
        (territory, "operator", 3)
    ]


# ------------------------------------------------------------------------ SIRET


def test_find_siret():
    assert find_siret("Club de prévention La Vie Active", "62") == "77562993401642"
    assert find_siret("Commune de Houdain", "62") == "21620457800019"
    assert find_siret("Commune d'Arras", "62") == "21620041000019"  # "COM ARRAS"
    assert find_siret("Bourg Habitat") == "27010003500012"
    assert find_siret("Bourg Habitat", "62") is None  # not in that department
    assert find_siret("CCAS", "62") is None  # a kind of body, not one body
    assert find_siret("Association inconnue du quartier", "62") is None


# ------------------------------------------------------------ against the gold


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("œ", "oe"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _current_regions(key: str) -> str:
    """A normalised name with former regions replaced by the current region."""
    formers = [
        (_norm(f), _norm(r["name"])) for r in load_registry()["regions"] for f in r["former"]
    ]
    for former, current in sorted(formers, key=lambda fc: -len(fc[0])):
        key = re.sub(rf"\b{former}\b", current, key)
    return key


def _keys(canonical: str, kind: str, facts: dict) -> set[str]:
    """Forms a canonical name is compared in.

    The name itself; without its parenthesised notes ("Etat (Préfecture du ...)",
    "ANCT (ex CGET)"); an acronym in parentheses alone ("... (CABBALR)" = "CABBALR");
    for communes, the commune name ("Commune de Béthune" = "Béthune"); the document's
    territory acronym as the territory ("CABBALR" = the agglomeration's name); and a
    former region as the current one, after which bodies are named ("Conseil régional
    Nord-Pas-de-Calais" = "Conseil régional Hauts-de-France").
    """
    keys = {_norm(canonical), _norm(re.sub(r"\([^)]*\)", " ", canonical))}
    keys |= {_norm(a) for a in re.findall(r"\(([A-Z][A-Za-z]{1,11})\)", canonical)}
    if canonical == facts.get("territory_acronym"):
        keys.add(_norm(facts["territory"]))
    if kind == "commune":
        keys |= {re.sub(r"^(?:commune|ville|mairie) d(?:e)? ", "", k) for k in list(keys)}
    keys |= {_current_regions(k) for k in keys}
    return {k for k in keys if k}


def _score(gold: dict, predicted: Partner, facts: dict) -> float:
    return max(
        fuzz.token_sort_ratio(a, b)
        for a in _keys(gold["canonical"], gold["kind"], facts)
        for b in _keys(predicted.canonical, predicted.kind, facts)
    )


def _f1(stem: str) -> tuple[float, float, float]:
    gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    facts = gold["document"]
    predicted = extract_partners(
        seed_document(stem), department=facts["department"], territory=facts["territory"]
    )
    pairs = sorted(
        (
            (_score(g, p, facts), i, j)
            for i, g in enumerate(gold["partners"])
            for j, p in enumerate(predicted)
        ),
        reverse=True,
    )
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for score, i, j in pairs:
        if score >= 85 and i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
    precision = len(used_pred) / max(len(predicted), 1)
    recall = len(used_gold) / max(len(gold["partners"]), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    print(
        f"{stem}: P={precision:.2f} R={recall:.2f} F1={f1:.2f} "
        f"({len(predicted)} predicted, {len(gold['partners'])} gold)"
    )
    return precision, recall, f1


@pytest.mark.parametrize(
    ("stem", "minimum"),
    [
        ("001_51a140851bffbc08", 0.95),  # measured 0.98 (P 0.98, R 0.98)
        ("002_d10b0c97964f8d38", 0.95),  # measured 1.00
        ("004_175d0d4703e41153", 0.95),  # measured 1.00
    ],
)
def test_partner_f1_against_gold(stem, minimum):
    _, _, f1 = _f1(stem)
    assert f1 >= minimum


def test_speed_on_the_largest_seed():
    extract_partners(seed_document("004_175d0d4703e41153"), department="62")  # warm caches
    doc = seed_document("001_51a140851bffbc08")
    chars = sum(len(p.text) for p in doc.pages)
    started = time.perf_counter()
    extract_partners(doc, department="62", territory="Communauté d'Agglomération de Lens-Liévin")
    speed = chars / (time.perf_counter() - started)
    print(f"001: {chars:,} chars at {speed:,.0f} chars/s")
    assert speed > 10_000  # ~170 000 idle on 2 cores (NER over every page alone: ~70 000)


def test_a_place_starting_like_a_legal_form_keeps_its_letters():
    """ "CA", "CC" and "CU" are legal forms only as words: "Cambrai" is no "CA mbrai"."""
    from extractors.partners.epci import _territory_place

    assert _territory_place("Cambrai") == "Cambrai"
    assert _territory_place("Cusset") == "Cusset"
    assert _territory_place("CA du Caudrésis") == "Caudrésis"
    assert _territory_place("Communauté d'Agglomération de Lens-Liévin") == "Lens-Liévin"
