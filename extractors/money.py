"""Euro amounts written the French way, found in free text.

Pure parsing, no document model: :func:`find_amounts` returns every euro amount of a
string with its character span, :func:`parse_amount` reads one amount string.

A number only counts as money when a currency marker is attached to it (``€``,
``euros``, ``EUR``, ``k€``, ``M€``, ``millions d'euros``...), so percentages, counts,
years, dates, phone numbers and article numbers are never amounts. The one
exception is the lower bound of a range written with a single currency sign
("3 à 6 000 €", "entre 10 000 et 20 000 €").

French thousands groups are exactly three digits after a leading group of one to
three; that rule is what separates an amount from a number standing before it in a
flattened table row ("5 56 540 €" is 5, then 56 540 €). TAB and newline never
separate digit groups: they are cell and line boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["MoneyMatch", "find_amounts", "parse_amount"]


@dataclass(frozen=True, slots=True)
class MoneyMatch:
    """One euro amount (or range of amounts) in a text.

    ``start``/``end`` index the searched text and ``raw == text[start:end]``. For a
    range, ``low``/``high`` are its bounds and ``value_eur`` is the lower one;
    otherwise both are None. ``confidence`` drops when reading the number took a
    layout guess (a count split off a flattened row, elided thousands in a range).
    """

    start: int
    end: int
    raw: str
    value_eur: float
    low: float | None = None
    high: float | None = None
    confidence: float = 1.0

    @property
    def is_range(self) -> bool:
        return self.low is not None

    @property
    def values(self) -> tuple[float, ...]:
        """Every value the match states: both bounds of a range, else the amount."""
        if self.low is not None and self.high is not None:
            return (self.low, self.high)
        return (self.value_eur,)


# ------------------------------------------------------------------------ grammar

# One thousands separator: a space of any width (PDF text and OCR mix them) or a
# LaTeX spacing command, which OCR-to-markdown converters write inside formulas.
_SP = r"(?:[ \u00a0\u202f\u2009\u2007]|\\[ ,;:!]|~)"
# Gap between a number and its unit: the same characters, possibly repeated.
_GAP = r"(?:[ \u00a0\u202f\u2009\u2007]|\\[ ,;:!]){0,3}"
_DEC = r"(?:(?:,|\{,\})\d+)"
_INT = (
    rf"(?:\d{{1,3}}(?:{_SP}\d{{3}})+(?!\d)"  # 1 053 610
    r"|\d{1,3}(?:\.\d{3})+(?![\d])"  # 1.053.610
    r"|\d{1,3}(?:,\d{3}){2,}(?![\d])"  # 1,053,610 (English, unambiguous only)
    r"|\d+)"
)
_NUMBER = rf"(?:{_INT}{_DEC}?|\d+\.\d+)"
_LEFT = r"(?<![\w.,\\{])"  # a number starts after a non-word, non-separator char

_MULT = (
    r"(?:[kK]|M(?:ds?|rds?)?(?=EUR|euro|[^a-zA-Z]|$)|mds?(?![a-z])"
    r"|(?i:milliards?|millions?|mille|mrds?)(?![a-zA-ZÀ-ÿ]))"
)
_DE = r"(?:de[ \u00a0]+|d['’][ \u00a0]*)"
_CUR = r"(?:€|(?i:euros?)(?![a-zA-ZÀ-ÿ])|EUR(?![a-zA-Z]))"


def _unit(tag: str) -> str:
    r"""Currency unit with an optional multiplier, captured as ``mult<tag>``.

    A unit may be wrapped in a LaTeX text command (``15\ \text{M€}``), whose multiplier
    is captured as ``multx<tag>``.
    """
    core = rf"(?:(?P<mult@>{_MULT}){_GAP}{_DE}?{_CUR}|{_DE}?{_CUR})"
    wrapped = core.replace("@", "x" + tag)
    plain = core.replace("@", tag)
    return rf"(?:\\(?:text|mathrm|textrm|mbox)\{{\s*{wrapped}\s*\}}|{plain})"


# A number at the end of a line may have its unit word at the start of the next one.
_WRAP = r"[ \u00a0]*\n[ \u00a0]*(?=(?i:milli|mille|euro|d['’] ?euro|de euro))"
_SUFFIX_RE = re.compile(rf"{_LEFT}(?P<num>{_NUMBER})(?:{_WRAP}|{_GAP}){_unit('')}")
_PREFIX_RE = re.compile(
    rf"(?P<cur>€|(?<![A-Za-z])EUR(?![a-zA-Z])){_GAP}(?P<num>{_NUMBER})"
    rf"(?:{_GAP}(?P<mult>{_MULT}))?(?![\d€])"
)
# The lower bound of a range ending right where an amount starts.
_RANGE_LOW_RE = re.compile(
    rf"(?P<entre>\bentre[ \u00a0]+)?{_LEFT}(?P<num>{_NUMBER})"
    rf"(?:{_GAP}(?P<mult>{_MULT}))?"
    r"(?P<conn>[ \u00a0]+(?:à|a|et)[ \u00a0]+|[ \u00a0]*[-–—][ \u00a0]*)\Z"
)
_SINGLE_RE = re.compile(
    rf"\s*(?:(?P<num>{_NUMBER}){_GAP}(?:{_unit('')})?|(?:€|EUR){_GAP}(?P<pnum>{_NUMBER})"
    rf"(?:{_GAP}(?P<pmult>{_MULT}))?)\s*"
)

# Row headers that name a count, so a leading group before the amount is that count
# ("Projets soutenus 24 454 883 €" = 24 projects, 454 883 €).
_COUNT_LABEL_RE = re.compile(
    r"^[\W_]*(?:nombre|nb|nbre|projets|actions|dossiers|porteurs|structures"
    r"|b[ée]n[ée]ficiaires|participants|op[ée]rations|logements|m[ée]nages"
    r"|personnes|familles|associations)\b(?:\W+[^\W\d]+){0,5}\W*$",
    re.IGNORECASE,
)
_SPACE_GROUPS_RE = re.compile(rf"\d+(?={_SP}\d{{3}})")
# OCR drops the first thousands space: "1712 989 €" is 1 712 989 €.
_GLUED_HEAD_RE = re.compile(r"(?<![\w.,\-/'’°])\d{4,6} \Z")
_LATEX_SP_RE = re.compile(r"\\[ ,;:!]|~|[ \u00a0\u202f\u2009\u2007]")

_SP_RE = re.compile(_SP)
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_WINDOW = 80  # characters searched before an amount for a range's lower bound
# "3 à 6 000 €" elides the thousands of its lower bound only when, restored, the two
# bounds are within a factor of ten; "entre 1 et 125 000 €" starts at 1 €.
_ELIDED_RATIO = 10


# ----------------------------------------------------------------------- numbers


def _factor(mult: str | None) -> int:
    """Multiplier of a unit word: k€ = 10³, M€ / millions = 10⁶, Md€ / milliards = 10⁹."""
    if not mult:
        return 1
    m = mult.lower()
    if m in ("k", "mille"):
        return 10**3
    if m == "m" or m.startswith("million"):
        return 10**6
    return 10**9  # md, mds, mrd, mrds, milliard(s)


def _number(num: str, has_mult: bool) -> Decimal | None:
    """Value of a number as written (no unit), or None if it is not a number.

    Dots are thousands separators when every group after the first has three digits
    ("1.053.610"), except a single such group before a multiplier ("1.250 M€" is
    1,25 M€). A comma is the decimal mark, unless several three-digit comma groups
    make it an English thousands separator.
    """
    s = _LATEX_SP_RE.sub("", num.replace("{,}", ","))
    if re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}", s):
        s = s.replace(",", "")
    elif "," in s:
        whole, _, frac = s.partition(",")
        s = whole.replace(".", "") + "." + frac
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", s) and not (has_mult and s.count(".") == 1):
        s = s.replace(".", "")
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def _to_eur(value: Decimal, factor: int) -> float:
    return float(value * factor)


def _space_groups(num: str) -> list[str]:
    """Digit groups of a space-separated integer part ("24 454 883" -> 3 groups)."""
    whole = num.split(",")[0].split("{,}")[0]
    return [g for g in _LATEX_SP_RE.split(whole) if g]


# --------------------------------------------------------------------- matching


def _count_split(text: str, start: int, num: str) -> int | None:
    """Offset where the amount really starts when a count precedes it in a table row.

    Applies to a space-grouped number of three groups or more whose row header (the
    text since the start of the line or cell) names a count: the first group is the
    count column of a flattened table, the remaining groups are the amount.
    """
    groups = _space_groups(num)
    if len(groups) < 3 or "." in num or groups[1].startswith("0"):
        return None
    line_start = max(text.rfind("\n", 0, start), text.rfind("\t", 0, start)) + 1
    header = text[line_start:start]
    if not header.strip() or not _COUNT_LABEL_RE.match(header):
        return None
    first = _SPACE_GROUPS_RE.match(text, start)
    if first is None:
        return None
    rest = _SP_RE.match(text, first.end())
    return rest.end() if rest else None


def _glued_head(text: str, start: int, num: str) -> int | None:
    """Start of a 4-6 digit run that lost its thousands space before the amount.

    Only when the amount's leading group has three digits, so "1712 989 €" reads as one
    amount; a year ("2019 989 €") and a count in a table row stay separate numbers.
    """
    groups = _space_groups(num)
    if not groups or len(groups[0]) != 3 or "." in num:
        return None
    m = _GLUED_HEAD_RE.search(text, max(0, start - 8), start)
    if m is None:
        return None
    run = m.group().strip()
    if len(run) == 4 and 1900 <= int(run) <= 2100:
        return None
    line_start = max(text.rfind("\n", 0, m.start()), text.rfind("\t", 0, m.start())) + 1
    if _COUNT_LABEL_RE.match(text[line_start : m.start()] or "-"):
        return None
    return m.start()


def _range_low(
    text: str, start: int, high: Decimal, high_num: str, factor: int
) -> tuple[int, float, bool] | None:
    """Lower bound written just before an amount, as (start offset, value in €, elided).

    "3 à 6 000 €": the lower bound drops the thousands its upper bound spells out, so a
    bare small number is scaled by 1 000 per trailing "000" group of the upper bound as
    long as it stays below it and within a factor of ten of it. "et" only makes a range
    after "entre"; a dash only between two written-out numbers (never a year or a bare
    small number). A line break inside the range is a space ("compris entre⏎100 000 et
    1 000 000 d'euros": the PDF wrapped the sentence), except before a dash, which on a
    new line opens a list item; a TAB (another table cell) ends the search.
    """
    window = text[max(0, start - _WINDOW) : start]
    window = window[window.rfind("\t") + 1 :]
    offset = start - len(window)
    m = _RANGE_LOW_RE.search(window.replace("\n", " "))
    if m is None:
        return None
    conn = m.group("conn").strip()
    if conn == "et" and not m.group("entre"):
        return None
    if conn in "-–—" and "\n" in window[m.start("num") :]:
        return None
    num, mult = m.group("num"), m.group("mult")
    low = _number(num, bool(mult))
    if low is None:
        return None
    plain = num.isdigit()
    if conn in "-–—" and plain and (len(num) < 4 or _YEAR_RE.fullmatch(num)):
        return None
    elided = False
    if mult:
        low_eur = _to_eur(low, _factor(mult))
    else:
        if plain and conn not in "-–—":
            trailing = len(re.findall(rf"{_SP}000", high_num.split(",")[0]))
            for k in range(trailing, 0, -1):
                restored = low * 1000**k
                if restored < high <= restored * _ELIDED_RATIO:
                    low, elided = restored, True
                    break
        low_eur = _to_eur(low, factor)
    if low_eur >= _to_eur(high, factor):
        return None
    low_start = offset + m.start("entre" if m.group("entre") else "num")
    return low_start, low_eur, elided


# Confidence when reading the number took a layout guess.
_SPLIT_CONFIDENCE = 0.7  # a count split off a flattened table row
_GLUED_CONFIDENCE = 0.6  # a lost thousands space restored
_RANGE_CONFIDENCE = 0.95
_ELIDED_CONFIDENCE = 0.85  # "3 à 6 000 €": the lower bound's thousands restored
_PREFIX_CONFIDENCE = 0.9  # "€ 12 000": the sign may belong to a header before the number


def _suffix_match(text: str, m: re.Match[str]) -> MoneyMatch | None:
    """The amount of a "number + unit" match, after the layout repairs and ranges."""
    start, num, mult = m.start(), m.group("num"), m.group("mult") or m.group("multx")
    end = m.end()
    confidence = 1.0
    if not mult:
        split = _count_split(text, start, num)
        glued = None if split is not None else _glued_head(text, start, num)
        if split is not None or glued is not None:
            start = split if split is not None else glued
            num = text[start : m.end("num")]
            confidence = _SPLIT_CONFIDENCE if split is not None else _GLUED_CONFIDENCE
    value = _number(num, bool(mult))
    if value is None:
        return None
    factor = _factor(mult)
    eur = _to_eur(value, factor)
    low = _range_low(text, start, value, num, factor) if confidence == 1.0 else None
    if low is None:
        return MoneyMatch(start, end, text[start:end], eur, confidence=confidence)
    low_start, low_eur, elided = low
    return MoneyMatch(
        low_start,
        end,
        text[low_start:end],
        low_eur,
        low=low_eur,
        high=eur,
        confidence=_ELIDED_CONFIDENCE if elided else _RANGE_CONFIDENCE,
    )


def _prefix_matches(text: str, taken: list[MoneyMatch]) -> list[MoneyMatch]:
    """Amounts written "€ 12 000" / "EUR 12 000", when the sign is not another's unit."""
    spans = [(t.start, t.end) for t in taken]
    found = []
    for m in _PREFIX_RE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue
        value = _number(m.group("num"), bool(m.group("mult")))
        if value is None:
            continue
        eur = _to_eur(value, _factor(m.group("mult")))
        found.append(MoneyMatch(m.start(), m.end(), m.group(0), eur, confidence=_PREFIX_CONFIDENCE))
    return found


def find_amounts(text: str) -> list[MoneyMatch]:
    """Every euro amount of ``text``, in reading order.

    Recognises "5 955 889,00 €", "1.053.610 €", "1989939€", "1,2 M€", "150 k€",
    "15,9 millions d'euros", "6 Mds€", "€ 12 000", "12 000 EUR", NBSP and narrow NBSP
    separators, glued amounts ("177 972 €154 314 €"), ranges ("3 à 6 000 €",
    "entre 10 000 et 20 000 €", one match with ``low``/``high``) and a count standing
    before an amount in a flattened table row.
    """
    suffix = [mm for m in _SUFFIX_RE.finditer(text) if (mm := _suffix_match(text, m))]
    matches = suffix + _prefix_matches(text, suffix)
    matches.sort(key=lambda mm: mm.start)
    return matches


def parse_amount(raw: str) -> float | None:
    """Value in euros of one amount string ("1,2 M€", "94.414 €", "1 672 039"), else None.

    The currency may be omitted (a cell under a "Montant (€)" header); anything else
    around the number, or a range, gives None.
    """
    m = _SINGLE_RE.fullmatch(raw)
    if m is None:
        return None
    if m.group("pnum") is not None:
        num, mult = m.group("pnum"), m.group("pmult")
    else:
        num, mult = m.group("num"), m.group("mult") or m.group("multx")
    value = _number(num, bool(mult))
    return None if value is None else _to_eur(value, _factor(mult))
