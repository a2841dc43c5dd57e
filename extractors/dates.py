"""French dates, years and year periods in running text.

Administrative documents write dates in many ways ("le mardi 24 juin 2025",
"1er juillet 2024", "27 JUIN 2025", "30/09/2024", "2024-09-30", and in words on
deliberations: "L'an deux mille vingt-cinq, le vingt-quatre juin") and periods as
"2015-2020", "2015 - 2023", "2024/2030". Every finder returns matches with offsets
into the text it was given, so callers can attach provenance. Impossible dates
(31 February, month 13) are not matches.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from extractors.folding import fold

MONTHS: dict[str, int] = {
    "janvier": 1, "janv": 1, "jan": 1,
    "fevrier": 2, "fevr": 2, "fev": 2,
    "mars": 3,
    "avril": 4, "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7, "juil": 7,
    "aout": 8,
    "septembre": 9, "sept": 9,
    "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}  # fmt: skip

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
# "1er", "1 er", "1°", "1º" (folds to "1o"), "1^{er}" (LaTeX), "1<sup>er</sup>".
_ORDINAL = r"(?:\s?er\b|\^\{er\}|<sup>er</sup>|°|o\b)"

_TEXT_DATE = re.compile(
    rf"(?<!\w)(?:(?:{_WEEKDAYS})\s{{1,3}})?"
    rf"(?P<day>[0-3]?\d){_ORDINAL}?\s{{1,4}}"
    rf"(?P<month>{_MONTH_ALT})\.?\s{{1,4}}"
    r"(?P<year>(?:19|20)\d{2})(?!\d)"
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.\-])(?P<day>[0-3]?\d)(?P<sep>[/.\-])(?P<month>[01]?\d)(?P=sep)"
    r"(?P<year>(?:19|20)\d{2})(?!\d|[/.\-]\d)"
)
_ISO_DATE = re.compile(
    r"(?<![\d/.\-])(?P<year>(?:19|20)\d{2})-(?P<month>[01]\d)-(?P<day>[0-3]\d)(?!\d|[/.\-]\d)"
)
# Dates in words, as council deliberations write them: "le vingt-quatre juin deux mille
# vingt-cinq", "L'an deux mille quinze, le trente et un mars".
NUMBER_WORDS: dict[str, int] = {
    "un": 1, "une": 1, "premier": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30,
    "quarante": 40, "cinquante": 50, "soixante": 60,
}  # fmt: skip
_NUM = "(?:{0})(?:(?:-|\\s+)(?:et(?:-|\\s+))?(?:{0}))*".format(
    "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
)
_YEAR_WORDS = rf"deux[- ]mille(?:[- ]+{_NUM})?"
_WORD_DATE = re.compile(
    rf"(?<!\w)(?P<day>{_NUM}|[0-3]?\d)(?:\s?er)?\s+(?:du mois d[e']\s*)?(?P<month>{_MONTH_ALT})\s+"
    rf"(?P<year>{_YEAR_WORDS}|(?:19|20)\d\d)(?!\w)"
    rf"|(?<!\w)l'an\s+(?P<year2>{_YEAR_WORDS})\s*,?\s+le\s+(?P<day2>{_NUM}|[0-3]?\d)(?:\s?er)?\s+"
    rf"(?:du mois d[e']\s*)?(?P<month2>{_MONTH_ALT})(?!\w)"
)
_YEAR = re.compile(r"(?<!\w)(?:19[5-9]\d|20\d\d)(?!\w)")
_PERIOD = re.compile(
    r"(?<![\w/.\-])(?P<first>(?:19[5-9]|20\d)\d)(?:\s?[-/]\s?|\s+au?\s+)"
    r"(?P<last>(?:19[5-9]|20\d)\d)(?!\w|[/.\-]\d)"
)
MAX_PERIOD_YEARS = 30


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A full date (day, month, year) found in text."""

    start: int
    end: int
    raw: str
    iso: str  # YYYY-MM-DD

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.iso)


@dataclass(frozen=True, slots=True)
class YearMatch:
    """A four-digit year written on its own (not inside a date or an identifier)."""

    start: int
    end: int
    raw: str
    year: int


@dataclass(frozen=True, slots=True)
class PeriodMatch:
    """A span of years such as "2015-2020" or "2024 / 2030"."""

    start: int
    end: int
    raw: str
    first: int
    last: int

    @property
    def label(self) -> str:
        return f"{self.first}-{self.last}"


def _iso(year: str, month: int, day: str) -> str | None:
    try:
        return dt.date(int(year), month, int(day)).isoformat()
    except ValueError:
        return None


def words_to_number(words: str) -> int | None:
    """ "vingt-quatre" -> 24, "trente et un" -> 31, "quatre-vingt-dix" -> 90, "12" -> 12."""
    if words.isdigit():
        return int(words)
    tokens = [t for t in re.split(r"[-\s]+", words) if t and t != "et"]
    total, i = 0, 0
    while i < len(tokens):
        if tokens[i] == "quatre" and i + 1 < len(tokens) and tokens[i + 1].startswith("vingt"):
            total, i = total + 80, i + 2
            continue
        if tokens[i] not in NUMBER_WORDS:
            return None
        total, i = total + NUMBER_WORDS[tokens[i]], i + 1
    return total


def _word_year(words: str) -> str | None:
    if words.isdigit():
        return words
    rest = re.sub(r"^deux[- ]mille[- ]*", "", words)
    value = words_to_number(rest) if rest else 0
    return str(2000 + value) if value is not None and value < 100 else None


def _candidates(folded: str) -> Iterator[tuple[int, int, str | None]]:
    """(start, end, iso or None) of every date-like span, most specific pattern first."""
    for m in _TEXT_DATE.finditer(folded):
        yield m.start(), m.end(), _iso(m["year"], MONTHS[m["month"]], m["day"])
    for m in _WORD_DATE.finditer(folded):
        day, month = words_to_number(m["day"] or m["day2"]), MONTHS[m["month"] or m["month2"]]
        year = _word_year(m["year"] or m["year2"])
        yield m.start(), m.end(), _iso(year, month, str(day)) if year and day else None
    for pattern in (_NUMERIC_DATE, _ISO_DATE):
        for m in pattern.finditer(folded):
            yield m.start(), m.end(), _iso(m["year"], int(m["month"]), m["day"])


def find_dates(text: str, folded: str | None = None) -> list[DateMatch]:
    """Every valid full date in ``text``, in order of position.

    ``folded`` may pass ``fold(text)`` when the caller already has it.
    """
    folded = fold(text) if folded is None else folded
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for start, end, iso in _candidates(folded):
        if iso is None or any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        found.append(DateMatch(start, end, text[start:end], iso))
    found.sort(key=lambda d: d.start)
    return found


def parse_date(raw: str) -> str | None:
    """ISO form of the first date written in ``raw``, or None."""
    dates = find_dates(raw)
    return dates[0].iso if dates else None


_AFTER_YEAR = re.compile(r"\s?[-/]\s?(?:19|20)\d\d(?!\d)")
_BEFORE_YEAR = re.compile(r"(?:19|20)\d\d\s?[-/]\s?$")


def _is_year_token(text: str, start: int, end: int) -> bool:
    """Reject years that are pieces of dates, decimals, numbers or identifiers."""
    before, after = text[max(0, start - 7) : start], text[end : end + 9]
    if _BEFORE_YEAR.search(before):
        return True  # second year of a period
    if re.search(r"n[°o]\s?$|[/.,]$|\d\s?-\s?$", before):
        return False
    if re.match(r"[.,]\d|/[^\d\s]", after):
        return False
    return not re.match(r"\s?[-/]\s?\d", after) or bool(_AFTER_YEAR.match(after))


def find_years(text: str, folded: str | None = None) -> list[YearMatch]:
    """Every standalone year (1950-2099) in ``text``, in order of position.

    Both ends of a period count as years; a year inside "30/09/2024", "n°2015-1118"
    or "2019,5" does not.
    """
    folded = fold(text) if folded is None else folded
    return [
        YearMatch(m.start(), m.end(), m.group(), int(m.group()))
        for m in _YEAR.finditer(folded)
        if _is_year_token(folded, m.start(), m.end())
    ]


def find_periods(text: str, folded: str | None = None) -> list[PeriodMatch]:
    """Every span of years ("2015-2020", "2015 - 2023", "2024/2030", "2015 à 2020")."""
    folded = fold(text) if folded is None else folded
    found = []
    for m in _PERIOD.finditer(folded):
        first, last = int(m["first"]), int(m["last"])
        if first < last <= first + MAX_PERIOD_YEARS:
            found.append(PeriodMatch(m.start(), m.end(), text[m.start() : m.end()], first, last))
    return found
