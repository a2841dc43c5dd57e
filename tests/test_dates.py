"""French dates, years and periods: every written form, impossible dates, robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.dates import find_dates, find_periods, find_years, parse_date, words_to_number


@pytest.mark.parametrize(
    ("text", "raw", "iso"),
    [
        ("réunion du 24 juin 2025 à Béthune", "24 juin 2025", "2025-06-24"),
        ("à compter du 1er juillet 2024,", "1er juillet 2024", "2024-07-01"),
        ("à compter du 1 er juillet 2024,", "1 er juillet 2024", "2024-07-01"),
        ("au 1° janvier 2019 pour", "1° janvier 2019", "2019-01-01"),
        ("au 1^{er} janvier 2024,", "1^{er} janvier 2024", "2024-01-01"),
        ("au 1<sup>er</sup> janvier 2024,", "1<sup>er</sup> janvier 2024", "2024-01-01"),
        ("Le mardi 24 juin 2025, à 19 H 00", "mardi 24 juin 2025", "2025-06-24"),
        ("reçu le 30/09/2024 en préfecture", "30/09/2024", "2024-09-30"),
        ("reçu le 30.09.2024.", "30.09.2024", "2024-09-30"),
        ("daté 2024-09-30", "2024-09-30", "2024-09-30"),
        ("signé le 9 Juillet 2024", "9 Juillet 2024", "2024-07-09"),
        ("publication le : **27 JUIN 2025**", "27 JUIN 2025", "2025-06-27"),
        ("le 4 février 2021", "4 février 2021", "2021-02-04"),
        ("le 4 fevrier 2021", "4 fevrier 2021", "2021-02-04"),
        ("le 3 août 2020", "3 août 2020", "2020-08-03"),
        ("le 3 aout 2020", "3 aout 2020", "2020-08-03"),
        ("le 31 décembre 2023.", "31 décembre 2023", "2023-12-31"),
        ("le 31 DÉCEMBRE 2023.", "31 DÉCEMBRE 2023", "2023-12-31"),
        ("le 12 decembre 2019", "12 decembre 2019", "2019-12-12"),
        ("le 3 sept. 2020", "3 sept. 2020", "2020-09-03"),
        ("le 29 février 2024", "29 février 2024", "2024-02-29"),
        ("du 24 juin\n2025", "24 juin\n2025", "2025-06-24"),
    ],
)
def test_date_forms(text: str, raw: str, iso: str) -> None:
    dates = find_dates(text)
    assert [(d.raw, d.iso) for d in dates] == [(raw, iso)]
    assert text[dates[0].start : dates[0].end] == raw


@pytest.mark.parametrize(
    "text",
    [
        "le 31 février 2020",
        "le 29 février 2023",
        "le 30/02/2024",
        "le 32/01/2020",
        "le 12/13/2020",
        "2024-13-01",
        "2024-02-30",
        "le 0 mars 2020",
        "la période 2015-2020",
        "décret n°2015-1118 du 3 septembre",
        "les 9/11/13 bd de Luxembourg",
        "un montant de 1.053.610 €",
        "ID : 059-215903618-20240924-D51_2024-DE",
        "Le 9 juillet, le contrat a été signé",
        "le trente février deux mille vingt",
    ],
)
def test_impossible_or_incomplete_dates_are_rejected(text: str) -> None:
    assert find_dates(text) == []


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("L'an deux mille vingt-cinq, le vingt-quatre juin à dix-neuf heures", "2025-06-24"),
        ("L'an deux mille quinze, le trente et un mars", "2015-03-31"),
        ("l'an deux-mille-dix-neuf, le dix-sept du mois de mai", "2019-05-17"),
        ("L'an deux mille vingt-quatre, le 12 décembre", "2024-12-12"),
        ("le premier décembre deux mille vingt-trois", "2023-12-01"),
        ("le vingt-quatre juin 2025", "2025-06-24"),
    ],
)
def test_dates_in_words(text: str, iso: str) -> None:
    dates = find_dates(text)
    assert [d.iso for d in dates] == [iso]
    assert text[dates[0].start : dates[0].end] == dates[0].raw


def test_number_words() -> None:
    assert words_to_number("trente et un") == 31
    assert words_to_number("quatre-vingt-dix-neuf") == 99
    assert words_to_number("soixante et onze") == 71
    assert words_to_number("vingt-cinq") == 25
    assert words_to_number("bonjour") is None


def test_dates_come_in_text_order_with_exact_offsets() -> None:
    text = "Vu le 06/12/2022 ; séance du jeudi 14 décembre 2023 ; transmis le 2023-12-18."
    dates = find_dates(text)
    assert [d.iso for d in dates] == ["2022-12-06", "2023-12-14", "2023-12-18"]
    assert all(text[d.start : d.end] == d.raw for d in dates)
    assert dates[1].raw == "jeudi 14 décembre 2023"
    assert dates[1].date.weekday() == 3  # the parsed date is a real date (a Thursday)


def test_parse_date_reads_the_first_date() -> None:
    assert parse_date("Fait à Arras, le 23 avril 2015") == "2015-04-23"
    assert parse_date("sans date") is None


def test_years_are_standalone_tokens() -> None:
    text = (
        "En 2019, la programmation 2019-2022 ; décret n°2015-1118 ; le 30/09/2024 ; "
        "un indice de 2019,5 ; ID 059-215903618-20240924-D51 ; délibération 2022/CC136 ; "
        "la période 2015 - 2023."
    )
    assert [y.year for y in find_years(text)] == [2019, 2019, 2022, 2015, 2023]
    assert all(text[y.start : y.end] == y.raw for y in find_years(text))


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Contrat de Ville 2015-2020", "2015-2020"),
        ("Evaluation du Contrat de Ville 2015 - 2022", "2015-2022"),
        ("le contrat de ville 2015 – 2020", "2015-2020"),
        ("nouveau contrat de ville 2024/2030", "2024-2030"),
        ("pour la période 2020-2022.", "2020-2022"),
        ("de 2015 à 2020", "2015-2020"),
        ("PLH 2025 au 2030", "2025-2030"),
    ],
)
def test_period_forms(text: str, label: str) -> None:
    periods = find_periods(text)
    assert [p.label for p in periods] == [label]
    assert text[periods[0].start : periods[0].end] == periods[0].raw


@pytest.mark.parametrize(
    "text",
    ["2020-2015", "2015-2099", "n°2015-1118", "le 2024-09-30", "059-215903618-20240924", "1/2020"],
)
def test_non_periods_are_rejected(text: str) -> None:
    assert find_periods(text) == []


_PIECES = st.sampled_from(
    [
        " ", "\n", "le ", "1er ", "31 ", "29 ", "02/", "13.", "2024", "-", "/", "février ",
        "aout ", "Décembre ", "mardi ", "n°", "2015-2020", "^{er}", "<sup>er</sup>", "°", "é", ".",
        "L'an ", "deux mille ", "vingt-", "trente et un ", "quatre-vingt ", ", le ",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(_PIECES, max_size=30).map("".join)))
def test_finders_never_raise_and_return_consistent_matches(text: str) -> None:
    for d in find_dates(text):
        assert text[d.start : d.end] == d.raw
        assert d.date.isoformat() == d.iso
    for y in find_years(text):
        assert text[y.start : y.end] == y.raw and 1950 <= y.year <= 2099
    for p in find_periods(text):
        assert text[p.start : p.end] == p.raw and p.first < p.last
