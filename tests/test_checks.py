"""Consistency checks on the seeds' real contradictions, on their consistent tables,
and on copies of the seeds with one figure changed (the check must then speak up)."""

from __future__ import annotations

from functools import cache

import pytest

from extractors.actions import extract_actions
from extractors.amounts import extract_amounts
from extractors.checks import COUNT_VS_ROWS, SAME_QUANTITY, TOTAL_VS_PARTS, run_checks
from schemas.records import CheckFinding, Extraction, ParsedDocument
from tests.support import SOURCES, parsed_from_text, seed_document

S000 = "000_bf7938b327930859"
S001 = "001_51a140851bffbc08"
S002 = "002_d10b0c97964f8d38"
S003 = "003_c281e4f984da8422"
S004 = "004_175d0d4703e41153"


def checks_of(doc: ParsedDocument) -> list[CheckFinding]:
    amounts = extract_amounts(doc)
    found = Extraction(amounts=amounts, actions=extract_actions(doc, amounts=amounts))
    return run_checks(doc, found)


@cache
def seed_checks(stem: str) -> tuple[CheckFinding, ...]:
    return tuple(checks_of(seed_document(stem)))


def edited_checks(stem: str, old: str, new: str) -> list[CheckFinding]:
    """Findings on the seed with one figure changed (``old`` must occur in it)."""
    text = (SOURCES / f"{stem}.txt").read_text(encoding="utf-8")
    assert old in text
    return checks_of(parsed_from_text(text.replace(old, new, 1), name=f"{stem}.pdf"))


def of(findings, check: str) -> list[CheckFinding]:
    return [f for f in findings if f.check == check]


def values(findings) -> set[tuple[str, float | None, float | None]]:
    return {(f.check, f.expected, f.found) for f in findings}


# ------------------------------------------------------------- real contradictions


def test_004_fonds_de_concours_total_differs_from_its_seven_rows():
    (finding,) = of(seed_checks(S004), TOTAL_VS_PARTS)
    assert (finding.expected, finding.found, finding.pages) == (391934, 391987, [4])
    assert "391 934 €" in finding.message and "391 987 €" in finding.message
    assert "p. 4" in finding.message
    assert len(finding.provenance) == 8  # the stated total and the seven rows
    assert {p.raw for p in finding.provenance[1:]} >= {"33 272 €", "20 053 €"}


def test_004_programme_total_typed_two_ways():
    (finding,) = of(seed_checks(S004), SAME_QUANTITY)
    assert (finding.expected, finding.found) == (5955889, 5955899)
    assert finding.pages == [1, 2]
    assert "5 955 899 €" in finding.message and "5 955 889 €" in finding.message
    assert sorted(p.page for p in finding.provenance) == [1, 2, 2]


def test_002_stated_count_of_supported_projects_against_per_axis_counts():
    (finding,) = of(seed_checks(S002), COUNT_VS_ROWS)
    assert (finding.expected, finding.found, finding.pages) == (31, 32, [4])
    assert "31 projets" in finding.message and "32" in finding.message


def test_002_consistent_tables_raise_no_total_finding():
    # Programmation by axis (each "Axe" row is the sum of its "Ambition" rows; the
    # PILOTAGE row's single sub-line repeats its amount), 232 128 € of fonds de concours
    # for 4 communes, 1 426 923 € of NPNRU fonds de concours, 1 989 939 € of crédits.
    assert of(seed_checks(S002), TOTAL_VS_PARTS) == []
    assert of(seed_checks(S002), SAME_QUANTITY) == []


@pytest.mark.parametrize("stem", [S000, S001, S003])
def test_no_finding_where_the_documents_are_consistent(stem: str):
    assert seed_checks(stem) == ()


def test_only_the_real_contradictions_are_reported():
    assert values(seed_checks(S004)) == {
        (TOTAL_VS_PARTS, 391934, 391987),
        (SAME_QUANTITY, 5955889, 5955899),
    }
    assert values(seed_checks(S002)) == {(COUNT_VS_ROWS, 31, 32)}


# ------------------------------------------------------- one figure changed, caught


@pytest.mark.parametrize(
    ("stem", "old", "new", "expected", "found"),
    [
        # a row of a list introduced by "232 128 € ont été attribués à 4 communes"
        (S002, "Divion - 52 182€", "Divion - 52 128€", 232128, 232074),
        # a row above "Soit un total de 1 426 923€"
        (S002, "Rue Hermant : 114 095€", "Rue Hermant : 114 059€", 1426923, 1426887),
        # a cell of the table below "TOTAL: 1989939€" (two amounts in one cell)
        (S002, "1 672 039€ 165 800€", "1 672 093€ 165 800€", 1989939, 1989993),
        # a pillar row above "Total 5 955 889,00 €"
        (S004, "1 432 769,00 €", "1 432 796,00 €", 5955889, 5955916),
        # an amount of the crédits spécifiques slide, total 2 312 715 €
        (S004, "167 778 €", "167 787 €", 2312715, 2312724),
        # the 2nd column of a table whose total is rounded to the million
        (S001, "logements\t7,5M€\t7,5M€", "logements\t9,5M€\t7,5M€", 259e6, 260.75e6),
    ],
)
def test_a_changed_row_breaks_its_total(stem, old, new, expected, found):
    findings = of(edited_checks(stem, old, new), TOTAL_VS_PARTS)
    assert (TOTAL_VS_PARTS, expected, found) in values(findings)


def test_a_changed_detail_row_is_reported_against_its_parent_row():
    findings = edited_checks(S002, "1 063 325€", "1 063 352€")
    (finding,) = of(findings, TOTAL_VS_PARTS)
    assert (finding.expected, finding.found) == (4084006, 4084033)
    assert "detail rows" in finding.message and "6 286 281 €" in finding.message


def test_a_changed_count_breaks_its_breakdown():
    findings = edited_checks(S000, ": 25 projets", ": 26 projets")
    assert (COUNT_VS_ROWS, 127, 128) in values(findings)


# --------------------------------------------------------------- small documents


def test_rounded_total_and_sub_line_repeating_its_parent_are_consistent():
    text = "\n".join(
        [
            "Répartition\tMontant",
            "Axe 1\t1,2 M€",
            "Action A\t700 000 €",
            "Action B\t500 000 €",
            "Pilotage\t50 000 €",
            "Ingénierie\t50 000 €",
            "Total arrondi\t1,3 M€",
        ]
    )
    assert checks_of(parsed_from_text(text)) == []


def test_stated_count_against_the_rows_listed_after_it():
    text = (
        "Les fonds de concours aux communes\n\n"
        "40 050 € ont été attribués à 3 communes en 2023 :\n\n"
        "Roubaix\nRénovation du gymnase 20 000 €\n\n"
        "Tourcoing\nCréation d'un jardin 20 000 €\n\n"
        "Les autres actions\n"
    )
    findings = checks_of(parsed_from_text(text))
    assert values(findings) == {
        (TOTAL_VS_PARTS, 40050, 40000),
        (COUNT_VS_ROWS, 3, 2),
    }


def test_values_far_apart_or_round_are_not_typos_of_each_other():
    text = (
        "Le montant total de la programmation 2023 est de 1 234 567 €.\n\n"
        "Le montant total de la programmation 2022 était de 1 234 667 €.\n\n"
        "Une enveloppe de 70 000 € et une autre de 80 000 €.\n\n"
        "Le budget total 2023 atteint 2 345 678 € puis 2 354 678 € en 2023.\n"
    )
    findings = of(checks_of(parsed_from_text(text)), SAME_QUANTITY)
    assert values(findings) == {(SAME_QUANTITY, 2354678, 2345678)} or values(findings) == {
        (SAME_QUANTITY, 2345678, 2354678)
    }
