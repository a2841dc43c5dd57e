"""Funded actions in the layouts of contracts' partner commitments and renewal sections.

Each test is a short excerpt shaped like the seeds (a landlord's site tables under
numbered headings, per-site renewal schedules, "p.m." lines, named schemes, funding
sentences), run through the real amounts extractor and commune reference.
"""

from __future__ import annotations

from extractors.actions import extract_actions
from extractors.actions.sites import operation_of
from extractors.amounts import extract_amounts
from schemas.records import Action
from tests.support import parsed_from_text


def actions_of(text: str, lines_per_page: int = 60) -> list[Action]:
    doc = parsed_from_text(text, lines_per_page=lines_per_page)
    return extract_actions(doc, amounts=extract_amounts(doc))


# The contract's own EPCI is named throughout; the landlord's table spans others.
_CONTRACT = (
    "Le contrat de ville de la CALL (QP062024, QP062033) engage la CALL. La CALL pilote.\n\n"
)


def test_site_table_rows_take_the_operation_of_the_numbered_heading():
    text = _CONTRACT + (
        "3.3 La résidentialisation de plusieurs cités présentant un cadre de vie de"
        " médiocre qualité.\n"
        "Cette action peut être ciblée sur les différentes cités suivantes :\n"
        "EPCI\tCOMMUNE\tCITE\tNombre de logements\n"
        "ARTOIS COM\tBETHUNE\tCité du 8 ter\t\n"
        "CALL\tSALLAUMINES\tCité du 3 Sud\t\n"
        "\tMERICOURT\tCité 4/5\t\n"
        "CAHC\tHENIN BEAUMONT\tCité Darcy\t160\n"
        "\tEVIN MALMAISON\tCité Cornuault\t260\n"
    )
    found = [(a.title, a.commune, a.amount_eur) for a in actions_of(text)]
    assert found == [
        ("Résidentialisation - Cité du 3 Sud", "Sallaumines", None),
        ("Résidentialisation - Cité 4/5", "Méricourt", None),
    ]


def test_a_count_column_completes_the_title_and_the_table_may_start_a_new_page():
    text = _CONTRACT + (
        "3.4. La réalisation de certaines opérations de démolition – reconstruction\n"
        "d'ores et déjà engagées ou planifiées :\n"
        "Les opérations aujourd'hui engagées sont les suivantes :\n"
        "Page 170 / 188\n"
        "EPCI\tCOMMUNE\tCITE\tNombre de logements à démolir\n"
        "ARTOIS COM\tAUCHEL\tCité 3\t100 env\n"
        "CALL\tWINGLES\tCité 7\t100 env\n"
        "\tLIEVIN\tCité 2/5 Calonne\tDéjà engagé\n"
        "4. Un premier cadrage financier :\n"
    )
    actions = actions_of(text, lines_per_page=6)
    assert [(a.title, a.commune) for a in actions] == [
        ("Démolition – reconstruction - Cité 7 (100 env logements à démolir)", "Wingles"),
        ("Démolition – reconstruction - Cité 2/5 Calonne (Déjà engagé)", "Liévin"),
    ]
    assert {a.theme for a in actions} == {
        "3.4. La réalisation de certaines opérations de démolition – reconstruction"
    }


def test_a_site_table_under_a_heading_that_names_no_works_is_not_a_list_of_actions():
    text = (
        "2.1 Présentation des quartiers prioritaires\n"
        "Commune\tQuartier\tPopulation\n"
        "Lens\tCité 12/14\t2 400\n"
        "Liévin\tVent de Bise\t3 100\n"
    )
    assert actions_of(text) == []


def test_operation_of_a_heading_keeps_the_works_and_drops_the_sites_it_refers_to():
    assert operation_of("3.2 La reconfiguration intérieure de certains types de logements") == (
        "Reconfiguration intérieure de certains types de logements"
    )
    # The adjective goes with its complement: "inadaptés à la demande des locataires".
    assert operation_of(
        "3.2 La reconfiguration intérieure de certains types de logements inadaptés à la"
        " demande des locataires, afin d'assurer l'attractivité"
    ) == ("Reconfiguration intérieure de certains types de logements")
    assert operation_of("2. Réhabilitation des logements des cités minières") == (
        "Réhabilitation des logements"
    )
    assert operation_of("4.1 Engagements de M&C") is None


def test_a_site_line_with_dated_phases_is_one_project_with_its_funding():
    text = (
        "Les projets de renouvellement urbain en cours d'étude :\n"
        "- AVION Quartier de la République et LIEVIN Vent de bise / Jean Lebas\n"
        "Ces deux quartiers ont été retenus comme Quartiers d'intérêt régional.\n"
        "- FOQUIERES LES LENS - Résidence du Quart de 6 heures.\n"
        "Financements nécessaires\n"
        "(subvention)\n"
        "- | | | |\n"
        "⇒ Relogement des familles en inter bailleurs\t2015-2016\t\n"
        "⇒ Démolition de 88 logements (1,7 M€)\t2017-2018\t1,7 M€\n"
        "⇒ Recomposition urbaine du site après libération en cohérence avec le PLH.\t2018-2020\t\n"
        "Les projets présentés ci-avant concernent des secteurs sensibles.\n"
    )
    doc = parsed_from_text(text)
    (action,) = extract_actions(doc, amounts=extract_amounts(doc))
    assert action.title == (
        "FOQUIERES LES LENS - Résidence du Quart de 6 heures : Relogement des familles en"
        " inter bailleurs (2015-2016), Démolition de 88 logements (2017-2018), Recomposition"
        " urbaine du site (2018-2020)"
    )
    # The misspelt commune is read within the document's department (QPV codes).
    assert action.commune is None
    assert action.amount_eur == 1_700_000
    doc62 = parsed_from_text("Quartier QP062019 et QP062024.\n" + text)
    (in_62,) = extract_actions(doc62, amounts=extract_amounts(doc62))
    assert in_62.commune == "Fouquières-lès-Lens"


def test_a_pour_memoire_line_names_an_operation_outside_the_programme():
    text = (
        "Quartiers QP062024, QP062045.\n"
        "Le prix de revient prévisionnel de ces opérations s'élève à 6,8M€.\n"
        "*p.m. : hors QPV / MERICOURT Picasso Neruda 46 logements (1,6M€)*\n"
        "*p.m. : Hors QPV / BILLY MONTIGNY - Cité 10 - Résidences Dru - 36 logements en\n"
        "orientation RU*\n"
        "p.m. : les frais de structure ne sont pas comptés.\n"
    )
    found = [(a.title, a.commune, a.amount_eur) for a in actions_of(text)]
    assert found == [
        (
            "MERICOURT Picasso Neruda 46 logements (hors QPV, pour mémoire)",
            "Méricourt",
            1_600_000,
        ),
        (
            "BILLY MONTIGNY - Cité 10 - Résidences Dru - 36 logements en orientation RU"
            " (Hors QPV, pour mémoire)",
            "Billy-Montigny",
            None,
        ),
    ]


def test_schemes_defined_by_their_purpose_or_an_apposition_but_not_mentions():
    text = (
        "1. Offrir un parcours d'insertion professionnelle\n"
        "Le Dispositif Régional d'Accompagnement et de Mise en Apprentissage des Jeunes"
        " (DRAMAJ)\\* a pour\n"
        "objectif d'accompagner les jeunes de moins de 26 ans.\n"
        "La Chambre est un opérateur du Programme Régional de Création et Transmission"
        " d'Entreprise (PRCTE).\n"
        "Elle proposera aux entreprises des quartiers, le dispositif « Vision 360 »,"
        " véritable diagnostic complet de l'entreprise ainsi que les autres dispositifs.\n"
        "Le dispositif CitésLab apparaît comme un dispositif adapté.\n"
    )
    assert [a.title for a in actions_of(text)] == [
        "Dispositif Régional d'Accompagnement et de Mise en Apprentissage des Jeunes (DRAMAJ)",
        "Dispositif « Vision 360 » (véritable diagnostic complet de l'entreprise)",
    ]


def test_actions_a_funder_finances_with_their_amount_in_one_sentence():
    text = (
        "En complément, la Région pourra accompagner financièrement, dans la limite de\n"
        "l'enveloppe annuelle, des actions expérimentales de médiation sociale (4 à 5 actions\n"
        "financés chaque année pour une intervention moyenne de 25 000 €).\n"
        "Le Département pourra financer des actions de prévention.\n"
    )
    (action,) = actions_of(text)
    assert action.title == (
        "Actions expérimentales de médiation sociale (4 à 5 actions financés chaque année"
        " pour une intervention moyenne)"
    )
    assert (action.operator, action.amount_eur) == ("la Région", 25_000)


def test_quoted_names_take_their_description_and_a_framing_project_in_a_prose_cell():
    text = (
        "- Action « Ma résidence et moi » : Les services de proximité se rendent dans les"
        " halls afin d'échanger avec les habitants.\n\n"
        "CADRE DE VIE\tActions développées dans le cadre du projet CUCS « Énergie Jeunes » :"
        " embauche de jeunes pour réaliser des travaux dans le quartier : équipement"
        " sportif\tLogement mixte\n"
    )
    assert [a.title for a in actions_of(text)] == [
        "Action « Ma résidence et moi » (Les services de proximité se rendent dans les halls)",
        "Projet CUCS « Énergie Jeunes » (embauche de jeunes pour réaliser des travaux dans"
        " le quartier)",
    ]


def test_a_second_operation_at_the_same_site_completes_its_description():
    text = (
        "Bruay-La-Buissière\n"
        "- Rue d'Alsace : 193 150 €\n"
        "- Rue Hermant : 114 095 €\n\n"
        "Quartier du Centre\n"
        "- Restructuration de la rue d'Alsace Démolition de la Résidence Alsace\n"
        "- Restructuration partielle de la rue Hermant Réfection des pavés de la rue\n"
    )
    assert [a.title for a in actions_of(text)] == [
        "Rue d'Alsace (restructuration de la rue d'Alsace, démolition de la Résidence Alsace)",
        "Rue Hermant (restructuration partielle de la rue Hermant)",
    ]
