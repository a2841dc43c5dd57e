"""French euro amounts: every written form, the layout hard cases, and what is not money."""

from __future__ import annotations

import pytest

from extractors.money import find_amounts, parse_amount


def values(text: str) -> list[float]:
    return [v for m in find_amounts(text) for v in m.values]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 955 889,00 €", 5_955_889),
        ("1 672 039€", 1_672_039),
        ("94.414 €", 94_414),
        ("1.053.610 €", 1_053_610),
        ("1.053.610,50 €", 1_053_610.5),
        ("1,2 M€", 1_200_000),
        ("1,2M€", 1_200_000),
        ("7,5 M €", 7_500_000),
        ("150 k€", 150_000),
        ("630k€", 630_000),
        ("150 K€", 150_000),
        ("584.315 euros", 584_315),
        ("15,9 millions d'euros", 15_900_000),
        ("15,9 millions d’euros", 15_900_000),
        ("1,6 million €", 1_600_000),
        ("2 millions €", 2_000_000),
        ("106 Millions d'euros", 106_000_000),
        ("6 Milliards d'euros", 6_000_000_000),
        ("3 Mds€", 3_000_000_000),
        ("2 Md€", 2_000_000_000),
        ("81 M d'€", 81_000_000),
        ("1,2 MEUR", 1_200_000),
        ("€ 12 000", 12_000),
        ("€12 000", 12_000),
        ("EUR 12 000", 12_000),
        ("12 000 EUR", 12_000),
        ("1989939€", 1_989_939),
        ("4000€", 4_000),
        ("5\u00a0000\u00a0000 €", 5_000_000),
        ("5\u202f000\u202f000\u00a0€", 5_000_000),
        ("5\u2009000 €", 5_000),
        ("5 000 000 d'euros", 5_000_000),
        ("5 000 000 de euros", 5_000_000),
        ("1 euro", 1),
        ("12.50 €", 12.5),
        ("1.5 M€", 1_500_000),
        ("1.250 M€", 1_250_000),
        ("1,053,610 €", 1_053_610),
        ("0€", 0),
        (r"150\,000\ \text{€}", 150_000),
        (r"15\ \text{M€}", 15_000_000),
        (r"4,5\ \text{M€}", 4_500_000),
    ],
)
def test_single_forms(text: str, expected: float) -> None:
    found = find_amounts(f"Le montant de {text} est acquis.")
    assert len(found) == 1
    assert found[0].value_eur == pytest.approx(expected)
    assert found[0].raw == text


def test_span_indexes_the_text() -> None:
    text = "Une enveloppe de 100 000€ pour 31 projets."
    (m,) = find_amounts(text)
    assert text[m.start : m.end] == m.raw == "100 000€"


@pytest.mark.parametrize(
    "text",
    [
        "Les thématiques mobilisent 73% des crédits, soit 73,1 % du total.",
        "Sur les 175 projets déposés, 142 actions ont été soutenues.",
        "Le conseil s'est réuni le 24 juin 2025 ; délibération exécutoire le 27/06/2025.",
        "La programmation 2019 couvre la période 2015-2020.",
        "Contact : 03 21 61 50 00, 62400 Béthune.",
        "Vu la loi n°2014-173 du 21 février 2014 et le décret n° 2014-1750, article L. 1111-2.",
        "Une population de 56 049 habitants dans 21 quartiers (QP062016).",
        "Le projet EURALENS et l'Europe 2020 ; les fonds européens.",
        "Montant FDC en euros",
    ],
)
def test_not_money(text: str) -> None:
    assert find_amounts(text) == []


def test_count_before_amount_in_flattened_row() -> None:
    """A count column flattened before an amount: 24 projects, then two amounts."""
    found = find_amounts("Projets soutenus 24 454 883 € 406 645 €")
    assert [m.value_eur for m in found] == [454_883, 406_645]
    assert found[0].raw == "454 883 €"
    assert found[0].confidence < 1


def test_count_is_kept_apart_by_group_lengths() -> None:
    """ "5 56 540 €": 56 is not a thousands group, so 5 is a separate number."""
    assert values("Projets soutenus 5 56 540 € 63 540 €") == [56_540, 63_540]
    assert values("Projets soutenus 7 0€ 101 869 €") == [0, 101_869]
    assert values("Projets soutenus 5 53.387 € 26.235 €") == [53_387, 26_235]


def test_big_amount_under_a_plain_label_stays_whole() -> None:
    assert values("EMPLOI ET DEVELOPPEMENT ECONOMIQUE 1 432 769,00 €  24,1") == [1_432_769]
    assert values("COHESION SOCIALE 4 353 742,00 €") == [4_353_742]


def test_year_or_number_before_an_amount_is_not_glued() -> None:
    assert values("en 2019 5 000 €") == [5_000]
    assert values("centre de Loisirs cité 8 70 000 €") == [70_000]
    assert values("Budget 2020 989 €") == [989]


def test_lost_thousands_space_after_a_four_digit_head() -> None:
    found = find_amounts("1712 989 € de crédits ont été mobilisés")
    assert [m.value_eur for m in found] == [1_712_989]
    assert found[0].confidence < 1


def test_tab_is_a_hard_separator() -> None:
    assert values("QP062002\tCamus\tAngres\t1220\t10 800 €\t24") == [10_800]
    assert values("Total\t5 000\t12 000 €") == [12_000]


def test_glued_amounts() -> None:
    found = find_amounts("177 972 €154 314 €")
    assert [(m.raw, m.value_eur) for m in found] == [
        ("177 972 €", 177_972),
        ("154 314 €", 154_314),
    ]


def test_two_amounts_in_one_cell() -> None:
    found = values("1 672 039€ 165 800€\t54 500€\t97 600€")
    assert found == [1_672_039, 165_800, 54_500, 97_600]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("estimé aux environs de 3 à 6 000 € / logement", 3_000, 6_000),
        ("d'environ 10 à 30 000 € / logement", 10_000, 30_000),
        ("des coûts allant de 60 à 100 000 € par logement", 60_000, 100_000),
        ("une subvention d'environ 500 à 1 000 k€ par opération", 500_000, 1_000_000),
        ("entre 10 000 et 20 000 €", 10_000, 20_000),
        ("compris entre 100 000 et 1 000 000 d'euros", 100_000, 1_000_000),
        ("de 1,5 à 2 M€", 1_500_000, 2_000_000),
        ("de 1 à 2 000 000 €", 1_000_000, 2_000_000),
        ("de 5 à 1 000 €", 5, 1_000),  # 5 000 would exceed the upper bound: nothing elided
        ("10 000 - 20 000 €", 10_000, 20_000),
    ],
)
def test_ranges_give_both_bounds(text: str, low: float, high: float) -> None:
    (m,) = find_amounts(text)
    assert m.is_range
    assert (m.low, m.high) == (low, high)
    assert m.values == (low, high)
    assert m.value_eur == low


@pytest.mark.parametrize(
    "text",
    [
        "Les tickets sont compris entre\n100 000 et 1 000 000 d'euros.",
        "compris entre 100 000\net 1 000 000 d'euros",
    ],
)
def test_range_wrapped_at_a_line_break_keeps_its_lower_bound(text: str) -> None:
    """A PDF wraps a sentence anywhere: the line break inside the range is a space."""
    (m,) = find_amounts(text)
    assert (m.low, m.high) == (100_000, 1_000_000)
    assert m.raw.startswith("entre")


def test_dash_on_a_new_line_is_a_list_item_not_a_range() -> None:
    found = find_amounts("Total 12 500\n- 3 000 €")
    assert [(m.value_eur, m.is_range) for m in found] == [(3_000, False)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Axe 1 - 4 000 €", [4_000]),  # a dash after a bare small number: a label
        ("période 2017 - 5 000 €", [5_000]),  # a year is not a lower bound
        ("entre 2014 et 2020 : 5 000 €", [5_000]),
        ("et 10 000 €", [10_000]),  # "et" only after "entre"
    ],
)
def test_not_ranges(text: str, expected: list[float]) -> None:
    found = find_amounts(text)
    assert [m.value_eur for m in found] == expected
    assert not any(m.is_range for m in found)


def test_amounts_with_their_own_signs_are_two() -> None:
    assert values("des revenus fiscaux médians de 7 100 € à 11 000 €") == [7_100, 11_000]


def test_unit_word_on_the_next_line() -> None:
    found = find_amounts("investir près d'1,5\nmilliard d'euros dans la lutte")
    assert [m.value_eur for m in found] == [1_500_000_000]


def test_latex_formula() -> None:
    text = r"$$150\,000\ \text{€} \times 750\ \text{logements} = 110\ \text{M€}.$$"
    assert values(text) == [150_000, 110_000_000]


def test_never_reads_across_lines_or_cells() -> None:
    assert values("Page 12\n500 €") == [500]
    assert values("12\t500 €") == [500]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,2 M€", 1_200_000),
        ("94.414 €", 94_414),
        ("1 672 039", 1_672_039),
        (" 7,5 M€ ", 7_500_000),
        ("€ 12 000", 12_000),
        ("15,9 millions d'euros", 15_900_000),
        ("abc", None),
        ("12 000 € et 3 000 €", None),
        ("3 à 6 000 €", None),
        ("", None),
    ],
)
def test_parse_amount(raw: str, expected: float | None) -> None:
    assert parse_amount(raw) == expected
