"""A stated total against the amounts listed with it ("total_vs_parts").

Two layouts state a total of other lines: a "Total" / "Soit un total de" row below
(or above) its rows, and a sentence distributing an amount among the items listed
after it ("391 934 € ont été attribués à 7 communes :"). The parts are collected by
walking away from the total; :mod:`.readings` decides whether they add up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.actions.rows import Row
from extractors.checks.lines import announces_parts, is_row, stated_count, word_count
from extractors.checks.readings import Gap, Part, gap
from extractors.checks.report import eur, mine, pages
from schemas.records import Amount, CheckFinding

TOTAL_VS_PARTS = "total_vs_parts"

# A line that states a total of the lines around it.
_TOTAL_ROW = re.compile(
    r"^\W*(?:(?P<sub>sous[- ]?)?total\b|soit (?:un |au )?total\b|total general\b"
    r"|montant total\b)"
)
_TOTAL_WORD = re.compile(r"\b(?:tota(?:l|le|ux|les)|au total|globale?)\b")
_CALCULATION_EQUALS = "="

_MAX_QUIET = 6  # non-blank lines without amount crossed while collecting parts
_MAX_PARTS = 60


def total_findings(lines: list[Row]) -> Iterator[CheckFinding]:
    for ln in lines:
        if not ln.amounts:
            continue
        row_total = _TOTAL_ROW.match(ln.folded)
        if row_total is not None:
            yield from _check_row_total(ln, lines, bool(row_total.group("sub")))
        elif len(ln.amounts) == 1 and announces_parts(ln, lines):
            count = stated_count(ln, lines)
            yield from _check_announced_total(ln, lines, int(count.group("n")) if count else None)


def _check_row_total(ln: Row, lines: list[Row], sub: bool) -> Iterator[CheckFinding]:
    """A "Total" row: its parts are the amount rows above it (or below, for a first row)."""
    for col, total in enumerate(ln.amounts):
        parts = _collect(ln, lines, -1, col, sub)
        up = True
        if len(parts) < 2:
            # A total written first: its parts follow right after.
            parts = _collect(ln, lines, +1, col, sub)
            up = False
            if len(parts) < 2 or parts[0].line.index - ln.index > 4:
                continue
        found = gap(total, parts, up=up)
        if found is not None:
            yield _mismatch(total, found, ln)


def _check_announced_total(ln: Row, lines: list[Row], count: int | None) -> Iterator[CheckFinding]:
    """ "X € ont été attribués à N communes :" followed by the N amounts."""
    total = ln.amounts[0]
    parts = _collect(ln, lines, +1, 0, sub=False)
    if count is not None:
        parts = parts[:count]
    if len(parts) >= 2 and (found := gap(total, parts, up=False)) is not None:
        yield _mismatch(total, found, ln)


def _collect(ln: Row, lines: list[Row], step: int, col: int, sub: bool) -> list[Part]:
    """Amounts of the lines next to a total line, walking up (-1) or down (+1).

    Stops at prose, at a table header when walking up from a table row, at another
    total (a sub-total is kept as a part of a grand total), or after a few lines
    without amounts. A total mentioned in passing ("sur un total engagé de …") is
    skipped, not taken as a part.
    """
    parts: list[Part] = []
    quiet = 0
    k = ln.index + step
    while 0 <= k < len(lines) and len(parts) < _MAX_PARTS:
        cur = lines[k]
        k += step
        if not cur.text:
            continue
        if not cur.amounts:
            quiet += 1
            if quiet > _MAX_QUIET or _is_prose(cur) or (step < 0 and is_row(ln) and is_row(cur)):
                break
            continue
        if _is_prose(cur) and word_count(cur) >= 20:
            break
        total = _TOTAL_ROW.match(cur.folded)
        if total is not None and (sub or not total.group("sub") or step > 0):
            break
        if total is None and _mentions_total(cur, lines):
            continue
        quiet = 0
        amounts = _column_amounts(ln, cur, col)
        if amounts:
            parts.append(Part(cur, amounts, sub=total is not None))
    return parts


def _mentions_total(cur: Row, lines: list[Row]) -> bool:
    """A total stated in passing, possibly on the line before ("Sur un total engagé / de X €")."""
    if _TOTAL_WORD.search(cur.folded):
        return True
    if not cur.text[:1].islower():
        return False
    k = cur.index - 1
    while k >= 0 and not lines[k].text and cur.index - k <= 2:
        k -= 1
    return k >= 0 and not lines[k].amounts and bool(_TOTAL_WORD.search(lines[k].folded))


def _column_amounts(total_line: Row, cur: Row, col: int) -> list[Amount]:
    """The amounts of ``cur`` that line up with the total's ``col``-th amount: the same
    TAB cell when both are table rows, else the same rank; all of them for a total that
    stands alone on its line (a list, or a transposed table row)."""
    amounts = cur.amounts
    if _CALCULATION_EQUALS in cur.line.text:
        eq = cur.line.start + cur.line.text.rfind(_CALCULATION_EQUALS)
        amounts = [a for a in amounts if a.provenance.start > eq] or amounts[-1:]
    width = len(total_line.amounts)
    if width == 1:
        return amounts
    if is_row(total_line) and is_row(cur):
        cell = _cell_of(total_line, total_line.amounts[col])
        return [a for a in amounts if _cell_of(cur, a) == cell][:1]
    return [amounts[col]] if len(amounts) == width else []


def _cell_of(ln: Row, amount: Amount) -> int:
    return ln.line.text[: amount.provenance.start - ln.line.start].count("\t")


def _is_prose(cur: Row) -> bool:
    if is_row(cur):
        return False
    text = cur.text
    return word_count(cur) >= 20 or (text.endswith((".", "!", "?")) and word_count(cur) >= 6)


def _mismatch(total: Amount, found: Gap, ln: Row) -> CheckFinding:
    part_pages = sorted({p.line.page.number for p in found.parts})
    amounts = [a for p in found.parts for a in (p.amounts if found.mode == "all" else [])] or [
        p.amounts[0 if found.mode == "first" else -1] for p in found.parts
    ]
    n = len(amounts)
    if found.parent is not None:
        parent = found.parent.amounts[0]
        return CheckFinding(
            check=TOTAL_VS_PARTS,
            message=(
                f"The row amount {eur(parent.value_eur)} ({pages(found.parent.line.page.number)}) "
                f"differs from the sum of its {n} detail rows, {eur(found.found)} "
                f"({pages(*part_pages)}), while the stated total {eur(total.value_eur)} "
                f"({pages(ln.page.number)}) matches the row amounts."
            ),
            expected=parent.value_eur,
            found=found.found,
            pages=sorted({ln.page.number, found.parent.line.page.number, *part_pages}),
            provenance=[mine(parent.provenance), *(mine(a.provenance) for a in amounts)],
        )
    return CheckFinding(
        check=TOTAL_VS_PARTS,
        message=(
            f"Stated total {eur(total.value_eur)} ({pages(ln.page.number)}) differs from "
            f"the sum of its {n} listed amounts, {eur(found.found)} ({pages(*part_pages)})."
        ),
        expected=total.value_eur,
        found=found.found,
        pages=sorted({ln.page.number, *part_pages}),
        provenance=[mine(total.provenance), *(mine(a.provenance) for a in amounts)],
    )
