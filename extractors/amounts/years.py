"""The year an amount belongs to, from its clause out to its section, then its document.

A year written in the amount's own clause wins; then its table row and column
header; then, for a list or table, the lines above it, and for a sentence its
heading. Numbers that count people or dwellings ("1997 ménages") and the bounds of
a contract period ("contrat de ville 2015-2020") are not the amount's year.

A document about one year (an annual report, the slides presenting a year's
programmation) dates its content once, in a heading ("Programmation 2022", "Bilan
2023"), and the slides after it do not repeat it: :func:`document_years` carries the
year of such a heading down to the next one, else gives the document's reference
year. Contracts and deliberations speak of several years, so their undated amounts
stay undated.
"""

from __future__ import annotations

import re

from extractors.amounts.context import Context
from extractors.amounts.layout import SHORT_WORDS, Layout
from extractors.amounts.section import TITLE_SPAN, title_at
from extractors.amounts.text import TAG, cells, word_count
from extractors.dates import find_periods, find_years
from extractors.folding import fold
from schemas.records import AmountKind, DocType

# Numbers that look like years but count people or dwellings, or are sums of money.
_COUNT_BEFORE = re.compile(
    r"(?:\b(?:nombre|nb|effectifs?)\W+(?:\w+\W+){0,3}"
    r"|\b(?:habitants|individus|menages|logements|annees|personnes))\W*$"
)
_COUNT_AFTER = re.compile(
    r"^\s*(?:habitants|personnes|individus|menages|logements|emplois|€|euros?\b|k€|%)"
)
_COUNT_WINDOW = 40  # characters before a year searched for a count word
# Documents about one year, and the kinds of amounts that year dates.
_YEARLY_TYPES: frozenset[DocType] = frozenset({"rapport_annuel", "presentation"})
_YEARISH = re.compile(r"(?:19|20)\d\d")  # only a title with a year can date
_FLOW_KINDS: frozenset[AmountKind] = frozenset(
    {"total", "breakdown", "grant", "envelope", "budget"}
)
# A heading that dates what follows it: "Programmation 2022", "Bilan de l'année 2023".
_SCOPE_HEADING = re.compile(
    r"\b(?:programmation|bilan|exercice|annee|rapport(?: annuel| d'activite)?"
    r"|appel a projets?|compte administratif)\b\D{0,30}$"
)


def _years(text: str, periods: bool = True) -> list[int]:
    """Years written in ``text``; with ``periods=False``, not the bounds of "2015-2020"."""
    plain = TAG.sub(" ", text)
    folded = fold(plain)
    spans = [] if periods else [(p.start, p.end) for p in find_periods(plain)]
    return [
        y.year
        for y in find_years(plain)
        if not _COUNT_BEFORE.search(folded[max(0, y.start - _COUNT_WINDOW) : y.start])
        and not _COUNT_AFTER.match(folded[y.end :])
        and not any(s <= y.start < e for s, e in spans)
    ]


def _row_text(row: str | None) -> str:
    """A table row for its year: not a long text row, and without bare-number cells
    (a cell "2067" is a count as often as a year)."""
    if not row or word_count(row) > 3 * SHORT_WORDS:
        return ""
    parts = (row[s:e].strip() for s, e in cells(row))
    return " | ".join(c for c in parts if not c.isdigit())


def year(ctx: Context) -> int | None:
    """Year of the amount's clause, else its table row and header, else its section."""
    years = _years(ctx.left)
    if years:
        return years[-1]
    for text in (ctx.right, _row_text(ctx.row), ctx.column or "", ctx.header_row or ""):
        years = _years(text)
        if years:
            return years[0]
    # A list or table takes its year from the lines above it; a sentence from its heading.
    above = [*ctx.section, *ctx.titles] if ctx.in_list else [ctx.heading or ""]
    for text in above:
        years = _years(text, periods=False)
        if years:
            return years[0]
    return None


def document_years(
    layout: Layout, kinds: list[AmountKind], *, doc_type: DocType | None, reference_year: int | None
) -> list[int | None]:
    """For every amount, the year its document gives it when its context gives none.

    Only a document about one year (``doc_type``) dates its undated content, and only
    its money flows (totals, grants, envelopes...): statistics, unit prices and rules
    ("plafonné à") are not of the year they are reported in. The year is that of the
    nearest dating heading above ("Programmation 2022"), else ``reference_year``.
    """
    if doc_type not in _YEARLY_TYPES:
        return [None] * len(layout.found)
    scopes = _scope_years(layout)
    return [
        (scopes[f.line] or reference_year) if kind in _FLOW_KINDS else None
        for f, kind in zip(layout.found, kinds, strict=True)
    ]


def _scope_years(layout: Layout) -> list[int | None]:
    """For every line, the year of the nearest dating heading above it, or None."""
    current: int | None = None
    found: list[int | None] = []
    last_year_line = -TITLE_SPAN - 1
    for k, line in enumerate(layout.lines):
        if _YEARISH.search(line.text):
            last_year_line = k
        if k not in layout.by_line and k - last_year_line <= TITLE_SPAN:
            title = title_at(layout, k)
            current = (title and _scope_year(title[1])) or current
        found.append(current)
    return found


def _scope_year(heading: str) -> int | None:
    """The year a heading dates its section with: a year right after a dating word."""
    plain = TAG.sub(" ", heading)
    folded = fold(plain)
    spans = [(p.start, p.end) for p in find_periods(plain)]
    for y in find_years(plain):
        if any(s <= y.start < e for s, e in spans):
            continue
        if _SCOPE_HEADING.search(folded[: y.start]):
            return y.year
    return None
