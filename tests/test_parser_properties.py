"""Property tests of the code and date parsers: arbitrary text never breaks them, and
every way documents (and OCR) write a valid code or a date reads back as that value.

Amounts have theirs in test_money_properties.py; the never-raise property of
``find_dates`` is in test_dates.py.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from extractors.dates import find_dates, parse_date
from extractors.qpv_codes import find_codes, normalise_code, validate_code

# ------------------------------------------------------------------ QPV codes

DEPARTMENTS = [
    *(f"{n:03d}" for n in range(1, 96) if n != 20),
    "02A",
    "02B",
    *("971", "972", "973", "974", "976"),
]
# What OCR prints for a digit it misreads.
LOOKALIKES = {"0": "Oo", "1": "Il|"}


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    """A well-formed code of either generation: QP + dept + 3 digits, QN + dept + 2 + letter."""
    dept = draw(st.sampled_from(DEPARTMENTS))
    if draw(st.booleans()):
        return f"QP{dept}{draw(st.integers(1, 999)):03d}"
    letter = draw(st.sampled_from("ABCDEFGHJKLMNPRSTUVWXYZ"))
    return f"QN{dept}{draw(st.integers(1, 99)):02d}{letter}"


@st.composite
def damaged(draw: st.DrawFn, code: str) -> str:
    """``code`` as a text layer or OCR may write it, staying readable as that code.

    Damage: lower-case prefix, O/0 for the Q (only in a solid token), O/o for 0 and
    I/l/| for 1 in the digits while 4 real digits remain, one space after the prefix
    or between digits, a lower-case final letter.
    """
    prefix, body = list(code[:2]), list(code[2:])
    digit_positions = [k for k, c in enumerate(body) if c.isdigit()]
    spare = len(digit_positions) - 4  # find_codes wants 4 real digits
    for k in draw(st.permutations(digit_positions)):
        if spare <= 0:
            break
        if body[k] in LOOKALIKES and draw(st.booleans()):
            body[k] = draw(st.sampled_from(LOOKALIKES[body[k]]))
            spare -= 1
    if code[-1].isalpha() and draw(st.booleans()):
        body[-1] = body[-1].lower()
    if draw(st.booleans()):
        prefix = [c.lower() for c in prefix]
    space = draw(st.sampled_from([None, *digit_positions]))
    if space is None and draw(st.booleans()):
        prefix[0] = draw(st.sampled_from("O0o"))
    elif space is not None:
        body.insert(space, " ")
    return "".join(prefix + body)


CONTEXTS = ["{}", "Quartier {} : Les Tilleuls", "({})", "QPV {}, centre-ville", "codes {}\t1 250"]


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
@example("QP 06201 6 QPO62027 OP062029 qp062016 QN05953M QN 02A01B")
def test_code_finder_never_raises_and_matches_are_consistent(text: str) -> None:
    for m in find_codes(text):
        assert text[m.start : m.end] == m.raw
        assert validate_code(m.code)
        assert normalise_code(m.raw) == m.code
        assert m.repaired == (m.raw != m.code)
    normalise_code(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="QPNOo0Il| 0123456789AaBbMm-.\n\t", max_size=60))
def test_code_finder_never_raises_on_code_soup(text: str) -> None:
    for m in find_codes(text):
        assert text[m.start : m.end] == m.raw and validate_code(m.code)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), code=valid_codes(), context=st.sampled_from(CONTEXTS))
def test_damaged_code_reads_back_as_the_code(data, code: str, context: str) -> None:
    written = data.draw(damaged(code))
    text = context.format(written)
    found = find_codes(text)
    assert [m.code for m in found] == [code], written
    assert found[0].raw == written.removeprefix("le ")  # "le" is not part of the date
    assert normalise_code(written) == code


@settings(max_examples=100, deadline=None)
@given(code=valid_codes(), before=st.sampled_from("aZé9"), after=st.sampled_from("xÉ7"))
def test_a_code_glued_inside_a_word_is_not_a_code(code: str, before: str, after: str) -> None:
    assert find_codes(f"{before}{code}") == []
    assert find_codes(f"{code}{after}") == []


# ------------------------------------------------------------------ dates

MONTH_NAMES = {
    1: ["janvier", "Janvier", "JANVIER", "janv."],
    2: ["février", "fevrier", "FÉVRIER", "févr.", "fév."],
    3: ["mars", "MARS"],
    4: ["avril", "avr."],
    5: ["mai", "Mai"],
    6: ["juin", "JUIN"],
    7: ["juillet", "juil."],
    8: ["août", "aout", "AOÛT"],
    9: ["septembre", "sept."],
    10: ["octobre", "oct."],
    11: ["novembre", "nov."],
    12: ["décembre", "decembre", "déc."],
}
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_UNITS = [
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
    "onze", "douze", "treize", "quatorze", "quinze", "seize",
]  # fmt: skip
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def french_number(n: int, hyphen: str = "-") -> str:
    """1..99 in French words ("vingt et un", "soixante-dix", "quatre-vingt-dix-sept")."""
    if n <= 16:
        return _UNITS[n]
    if n < 20:
        return f"dix{hyphen}{_UNITS[n - 10]}"
    if n >= 80:
        rest = n - 80
        return "quatre-vingts" if rest == 0 else f"quatre-vingt{hyphen}{french_number(rest)}"
    tens, unit = divmod(n, 10)
    if tens == 7:
        tens, unit = 6, unit + 10
    word = _TENS[tens]
    if unit == 0:
        return word
    if unit in (1, 11):
        return f"{word} et {french_number(unit)}"
    return f"{word}{hyphen}{french_number(unit)}"


def french_year(year: int) -> str:
    """2000..2099 in words ("deux mille vingt-cinq")."""
    rest = year - 2000
    return "deux mille" if rest == 0 else f"deux mille {french_number(rest)}"


dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31))


@st.composite
def french_date(draw: st.DrawFn, day: dt.date) -> str:
    """``day`` written the way French documents write dates."""
    form = draw(st.sampled_from(["text", "numeric", "iso", "words", "an"]))
    if form in ("words", "an") and day.year < 2000:
        form = "text"
    month = draw(st.sampled_from(MONTH_NAMES[day.month]))
    if form == "text":
        number = "1er" if day.day == 1 and draw(st.booleans()) else str(day.day)
        weekday = f"{WEEKDAYS[day.weekday()]} " if draw(st.booleans()) else ""
        return f"{weekday}{number} {month} {day.year}"
    if form == "numeric":
        sep = draw(st.sampled_from("/.-"))
        pad = draw(st.booleans())
        d, m = (f"{day.day:02d}", f"{day.month:02d}") if pad else (str(day.day), str(day.month))
        return f"{d}{sep}{m}{sep}{day.year}"
    if form == "iso":
        return day.isoformat()
    words = "premier" if day.day == 1 else french_number(day.day, draw(st.sampled_from("- ")))
    month = month.rstrip(".").lower() if month.endswith(".") else month.lower()
    if form == "words":
        return f"le {words} {month} {french_year(day.year)}"
    return f"L'an {french_year(day.year)}, le {words} {month}"


def test_french_number_words_read_back() -> None:
    from extractors.dates import words_to_number

    assert [words_to_number(french_number(n)) for n in range(1, 100)] == list(range(1, 100))


@settings(max_examples=400, deadline=None)
@given(data=st.data(), day=dates)
def test_french_date_reads_back_as_its_iso_form(data, day: dt.date) -> None:
    written = data.draw(french_date(day))
    text = f"Délibération du conseil communautaire du {written}, rendue exécutoire."
    assert parse_date(text) == day.isoformat(), written
    found = find_dates(text)
    assert [d.iso for d in found] == [day.isoformat()]
    assert found[0].raw == written.removeprefix("le ")  # "le" is not part of the date


@settings(max_examples=300, deadline=None)
@given(day=st.integers(1, 31), month=st.integers(1, 12), year=st.integers(1950, 2099))
def test_impossible_numeric_dates_are_never_read(day: int, month: int, year: int) -> None:
    try:
        iso = dt.date(year, month, day).isoformat()
    except ValueError:
        iso = None
    assert parse_date(f"le {day:02d}/{month:02d}/{year}") == iso


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parse_date_never_raises_and_returns_a_real_date(text: str) -> None:
    iso = parse_date(text)
    if iso is not None:
        assert dt.date.fromisoformat(iso).isoformat() == iso
