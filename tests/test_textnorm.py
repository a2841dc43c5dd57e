"""Text normalisation: typographic variants folded, hyphenated words rejoined, compounds kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.textnorm import (
    join_amount,
    join_broken,
    join_fragments,
    mend_line_ends,
    normalize_line,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10\u00a0800\u00a0€", "10 800 €"),
        ("10\u202f800\u2009€", "10 800 €"),
        ("l’offre d‘emploi", "l'offre d'emploi"),
        ("« Cohésion sociale »", "« Cohésion sociale »"),
        ("ﬁnancement ﬂux eﬀet eﬃcace souﬄé", "financement flux effet efficace soufflé"),
        ("œuvre Œuvre", "œuvre Œuvre"),
        ("dévelop\u00adpement", "développement"),
        ("e\u0301tat", "état"),  # decomposed accent -> NFC
        ("  Total   des   crédits  ", "Total des crédits"),
        ("Lens \t 12 \t 3 400 €  ", "Lens\t12\t3 400 €"),
        ("\tcolonne vide", "\tcolonne vide"),
        ("zéro\u200blargeur\ufeff", "zérolargeur"),
        ("\uf0b7 Action 1", "• Action 1"),
        ("bip\x07 fin", "bip fin"),
    ],
)
def test_normalize_line(raw: str, expected: str) -> None:
    assert normalize_line(raw) == expected


@given(st.text(max_size=60))
def test_normalize_line_is_idempotent_and_single_line(text: str) -> None:
    once = normalize_line(text.replace("\n", " "))
    assert normalize_line(once) == once
    assert "\n" not in once and "  " not in once
    assert once == once.strip(" ")


@pytest.mark.parametrize(
    ("upper", "lower", "expected"),
    [
        ("le dévelop-", "pement des quartiers", ("le développement", "des quartiers")),
        ("Saint-", "Elie et Lens", ("Saint-Elie", "et Lens")),
        ("à Bully-", "les-Mines.", ("à Bully-les-Mines.", "")),
        ("c'est-", "à-dire", ("c'est-à-dire", "")),
        ("le sous-", "préfet", ("le sous-préfet", "")),
        ("le non-", "recours aux droits", ("le non-recours", "aux droits")),
        ("sur la période 2015-", "2020 inclus", ("sur la période 2015-2020", "inclus")),
        ("l'ap-", "proche.", ("l'approche.", "")),
        ("au-", "jourd'hui", ("aujourd'hui", "")),
    ],
)
def test_join_broken(upper: str, lower: str, expected: tuple[str, str]) -> None:
    assert join_broken(upper, lower) == expected


@pytest.mark.parametrize(
    ("upper", "lower"),
    [
        ("un total -", "5 000 €"),  # a dash after a space is not a hyphen
        ("Montant", "total"),
        ("dévelop-", "12 actions"),
        ("QPV-", "« Centre »"),
    ],
)
def test_join_broken_leaves_other_line_ends(upper: str, lower: str) -> None:
    assert join_broken(upper, lower) is None


def test_mend_line_ends_joins_across_lines_and_empties_consumed_lines() -> None:
    out = mend_line_ends(["le projet de dévelop-", "pement", "se poursuit"])
    assert out == ["le projet de développement", "", "se poursuit"]


def test_mend_line_ends_works_cell_by_cell_for_side_by_side_columns() -> None:
    out = mend_line_ends(
        ["à gauche le dévelop-\tà droite l'accompa-", "pement local\tgnement social"]
    )
    assert out == ["à gauche le développement\tà droite l'accompagnement", "local\tsocial"]


def test_mend_line_ends_never_touches_frozen_table_rows() -> None:
    lines = ["Quartier\tdévelop-", "pement\t12"]
    assert mend_line_ends(lines, [True, False]) == lines
    assert mend_line_ends(lines, [False, True]) == lines


@pytest.mark.parametrize(
    ("upper", "lower", "expected"),
    [
        ("coûte près de 14", "830 euros en 2011", ("coûte près de 14 830 euros", "en 2011")),
        ("serait d'environ 65", "M€, pour 1 500 logements", ("serait d'environ 65 M€,", "pour 1 500 logements")),
        ("Sous-total : 4,5", "M€", ("Sous-total : 4,5 M€", "")),
        ("soit 1 000", "000 € par an", ("soit 1 000 000 €", "par an")),
        ("il reste 12", "k€.", ("il reste 12 k€.", "")),
    ],
)  # fmt: skip
def test_join_amount(upper: str, lower: str, expected: tuple[str, str]) -> None:
    assert join_amount(upper, lower) == expected


@pytest.mark.parametrize(
    ("upper", "lower"),
    [
        ("article 12", "500 logements neufs"),  # groups must end in a currency
        ("en 2015", "200 000 €"),  # a year is no leading digit group
        ("Montant", "120 €"),
        ("les 3", "euros-obligations"),
        ("page 4", "1 200 €"),  # "4" + "1 200" is no number
    ],
)
def test_join_amount_leaves_other_line_ends(upper: str, lower: str) -> None:
    assert join_amount(upper, lower) is None


def test_mend_line_ends_rejoins_an_amount_in_a_paragraph() -> None:
    out = mend_line_ends(["le revenu médian s'élève à près de 14", "830 euros en 2011"])
    assert out == ["le revenu médian s'élève à près de 14 830 euros", "en 2011"]


def test_join_fragments_makes_one_cell_string() -> None:
    assert join_fragments(["Accompagne-", "ment des ", "habitants\u00a0du quartier"]) == (
        "Accompagnement des habitants du quartier"
    )
    assert join_fragments([]) == ""
