"""A stated count against the items listed with it ("count_vs_rows").

"31 projets soutenus" followed by a breakdown whose per-item counts add up to 32, or
"attribués à 7 communes :" followed by the actions of six communes: the count or the
list is wrong. Only a difference the size of a slip is reported; a bigger one means
the list is partial or was not read as the count's list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.actions.rows import Row, clean_cell
from extractors.checks.lines import (
    COUNT,
    COUNTED_NOUNS,
    announces_parts,
    is_row,
    singular,
    stated_count,
)
from extractors.checks.report import mine, pages, span
from extractors.folding import fold
from schemas.records import Action, CheckFinding, Provenance

COUNT_VS_ROWS = "count_vs_rows"

_ACTION_WINDOW = 8  # lines between a stated count and the first action of its list
_BREAKDOWN_WINDOW = 12  # non-blank lines between a stated count and its breakdown

# Per-item counts of a breakdown: each line with its (count, noun) pairs.
_Counts = list[tuple[Row, list[tuple[int, str]]]]


def count_findings(lines: list[Row], actions: list[Action]) -> Iterator[CheckFinding]:
    yield from _breakdown_findings(lines)
    yield from _listed_findings(lines, actions)


def _per_item_counts(ln: Row) -> list[tuple[int, str]]:
    """ "(n, noun)" for every "n projets" of a line whose cells or end give counts."""
    folded = fold(ln.line.text)
    found = [(int(m.group("n")), singular(m.group("noun"))) for m in COUNT.finditer(folded)]
    if is_row(ln):
        cells = [fold(clean_cell(c)) for c in ln.line.text.split("\t")]
        return [
            (int(m.group("n")), singular(m.group("noun")))
            for c in cells
            if (m := re.fullmatch(rf"(?P<n>\d{{1,4}})\s+(?P<noun>{COUNTED_NOUNS})", c))
        ]
    if found and re.search(rf"\d+\s+(?:{COUNTED_NOUNS})\W*$", folded) and len(found) == 1:
        return found
    return []


def _breakdown_findings(lines: list[Row]) -> Iterator[CheckFinding]:
    """A stated count against the per-item counts listed right after it
    ("31 projets soutenus" / "2 projets | 2 projets | 21 projets | 3 projets | 4 projets")."""
    for group in _breakdowns(lines):
        nouns = {noun for _, items in group for _, noun in items}
        if len(nouns) == 1:
            total = sum(n for _, items in group for n, _ in items)
            yield from _check_breakdown(lines, group, nouns.pop(), total)


def _breakdowns(lines: list[Row]) -> Iterator[_Counts]:
    """Per-item counts: a table row with several count cells, or a run of lines that
    each end with one count ("Sur le volet emploi : 25 projets")."""
    i = 0
    while i < len(lines):
        items = _per_item_counts(lines[i])
        if is_row(lines[i]) and len(items) >= 2:
            yield [(lines[i], items)]
            i += 1
            continue
        group = []
        k = i
        while k < len(lines):
            cur = lines[k]
            k += 1
            if not cur.text:
                continue
            its = _per_item_counts(cur)
            if len(its) != 1 or is_row(cur):
                break
            group.append((cur, its))
        if len(group) >= 2:
            yield group
            i = group[-1][0].index + 1
        else:
            i += 1


def _check_breakdown(
    lines: list[Row], group: _Counts, noun: str, total: int
) -> Iterator[CheckFinding]:
    """Compare ``total`` with the counts of ``noun`` stated just above the breakdown;
    any of them matching explains it ("34 projets déposés … 31 projets soutenus")."""
    first = group[0][0]
    statements = []
    k, seen = first.index - 1, 0
    while k >= 0 and seen < _BREAKDOWN_WINDOW:
        cur = lines[k]
        k -= 1
        if not cur.text:
            continue
        seen += 1
        for m in COUNT.finditer(cur.folded):
            if singular(m.group("noun")) == noun:
                statements.append((int(m.group("n")), cur, m))
    if not statements or any(n == total for n, _, _ in statements):
        return
    n, cur, m = statements[0]
    if not _miscount(n, total):
        return
    start = cur.line.start + m.start()
    yield _count_finding(
        n,
        m.group("noun"),
        cur,
        total,
        "in its breakdown",
        listed_pages=sorted({g[0].page.number for g in group}),
        provenance=[
            span(cur, start, start + m.end() - m.start()),
            *(span(g[0], g[0].line.start, g[0].line.end) for g in group),
        ],
    )


def _miscount(stated: int, listed: int) -> bool:
    """A difference the size of a slip (one or two items, a tenth at most); a bigger
    one means the list is partial ("dont …") or was not read as the count's list."""
    return 0 < abs(stated - listed) <= max(2, stated // 10)


def _listed_findings(lines: list[Row], actions: list[Action]) -> Iterator[CheckFinding]:
    """ "… attribués à 7 communes :" against the actions listed right after it."""
    if not actions:
        return
    index_of = {(ln.page.number, ln.line.start): ln.index for ln in lines}
    starts = sorted(
        (_line_index(lines, a.provenance, index_of), a) for a in actions if a.amount_eur
    )
    for ln in lines:
        if not ln.amounts or not announces_parts(ln, lines):
            continue
        m = stated_count(ln, lines)
        if m is None or singular(m.group("noun")) not in {"commune", "projet", "action"}:
            continue
        group = _following_group(starts, ln.index)
        if len(group) < 2:
            continue
        noun = singular(m.group("noun"))
        listed = (
            len({fold(a.commune) for a in group if a.commune}) if noun == "commune" else len(group)
        )
        stated = int(m.group("n"))
        if not listed or not _miscount(stated, listed):
            continue
        yield _count_finding(
            stated,
            m.group("noun"),
            ln,
            listed,
            "after it",
            listed_pages=sorted({a.provenance.page for a in group}),
            provenance=[mine(ln.amounts[0].provenance), *(mine(a.provenance) for a in group)],
        )


def _count_finding(
    stated: int,
    noun: str,
    where: Row,
    listed: int,
    how: str,
    *,
    listed_pages: list[int],
    provenance: list[Provenance],
) -> CheckFinding:
    return CheckFinding(
        check=COUNT_VS_ROWS,
        message=(
            f"Stated count of {stated} {noun} ({pages(where.page.number)}) differs from "
            f"the {listed} listed {how} ({pages(*listed_pages)})."
        ),
        expected=float(stated),
        found=float(listed),
        pages=sorted({where.page.number, *listed_pages}),
        provenance=provenance,
    )


def _line_index(lines: list[Row], p: Provenance, index_of: dict[tuple[int, int], int]) -> int:
    key = (p.page, p.start)
    if key in index_of:
        return index_of[key]
    return next(
        (ln.index for ln in lines if ln.page.number == p.page and ln.line.end >= p.start), 0
    )


def _following_group(starts: list[tuple[int, Action]], after: int) -> list[Action]:
    """Actions right after line ``after`` that share the first one's theme."""
    following = [(i, a) for i, a in starts if i > after]
    if not following or following[0][0] - after > _ACTION_WINDOW:
        return []
    theme = following[0][1].theme
    group = []
    for _, a in following:
        if a.theme != theme:
            break
        group.append(a)
    return group
