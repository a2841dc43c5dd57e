"""Consistency checks inside one document: totals, counts and repeated quantities.

Reports are assembled by hand from spreadsheets and slides, and their figures drift:
a stated total no longer matches the rows under it, a count says 31 projects where
the breakdown lists 32, the same programme total is typed two ways on two pages. No
general tool catches these, and each one matters to an analyst comparing documents.

Every check is built to stay quiet when the document is consistent: a mismatch is
reported only when no reasonable reading of the layout explains the figures (rows
that repeat their parent's amount, sub-totals, amounts rounded to the million, a
contiguous part of the list), so a finding is worth reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from extractors.actions import clean_cell
from extractors.folding import fold
from schemas.records import (
    Action,
    Amount,
    CheckFinding,
    Extraction,
    Line,
    Page,
    ParsedDocument,
    Provenance,
)

TOTAL_VS_PARTS = "total_vs_parts"
COUNT_VS_ROWS = "count_vs_rows"
SAME_QUANTITY = "same_quantity_two_values"
EXTRACTOR = "checks"

# A line that states a total of the lines around it.
_TOTAL_ROW = re.compile(
    r"^\W*(?:(?P<sub>sous[- ]?)?total\b|soit (?:un |au )?total\b|total general\b"
    r"|montant total\b)"
)
_TOTAL_WORD = re.compile(r"\b(?:tota(?:l|le|ux|les)|au total|globale?)\b")
# "391 934 € ont été attribués à 7 communes …": a total announcing the list below it.
_DISTRIBUTED = re.compile(
    r"\b(?:attribu|allou|repart|accord|distribu|vers|octroy|consacr)(?:e|ee|es|ees|i|is|ie|ies)\b"
)
_COUNTED_NOUNS = (
    r"communes?|projets?|actions?|operations?|associations?|structures?|dossiers?"
    r"|porteurs?|quartiers?|beneficiaires?|conventions?"
)
_COUNT = re.compile(rf"(?<![\d,.])(?P<n>\d{{1,4}})\s+(?P<noun>{_COUNTED_NOUNS})\b")
_CALCULATION_EQUALS = "="

_MAX_QUIET = 6  # non-blank lines without amount crossed while collecting parts
_MAX_PARTS = 60
_BAND = 0.05  # a sum further than this from the total means the parts were misread
_MIN_SIGNIFICANT = 5  # digits a value needs before a one-digit difference looks like a typo
# Kinds of amounts that state quantities of the programme (not incomes, prices, caps).
_REPEAT_KINDS = frozenset({"total", "breakdown", "grant", "envelope", "budget"})
_MAX_TYPO_GAP = 0.01  # relative difference of two typo-like values
_ACTION_WINDOW = 8  # lines between a stated count and the first action of its list
_BREAKDOWN_WINDOW = 12  # non-blank lines between a stated count and its breakdown


@dataclass(slots=True)
class _Line:
    index: int
    page: Page
    line: Line
    text: str
    folded: str
    amounts: list[Amount]

    @property
    def is_row(self) -> bool:
        return "\t" in self.line.text.strip()

    @property
    def words(self) -> int:
        return len(re.findall(r"\w+", self.text))


# ---------------------------------------------------------------------- entry point


def run_checks(doc: ParsedDocument, found: Extraction) -> list[CheckFinding]:
    """Contradictions between the figures of ``doc`` (as read into ``found``)."""
    lines = _lines(doc, found.amounts)
    return [
        *_total_findings(lines),
        *_count_findings(lines, found.actions),
        *_repeat_findings(found.amounts),
    ]


def _lines(doc: ParsedDocument, amounts: list[Amount]) -> list[_Line]:
    by_page: dict[int, list[Amount]] = {}
    for a in amounts:
        by_page.setdefault(a.provenance.page, []).append(a)
    out: list[_Line] = []
    for page in doc.pages:
        on_page = sorted(by_page.get(page.number, []), key=lambda a: a.provenance.start)
        for line in page.lines:
            text = " ".join(c for c in (clean_cell(c) for c in line.text.split("\t")) if c)
            mine = [a for a in on_page if line.start <= a.provenance.start < line.end]
            out.append(_Line(len(out), page, line, text, fold(text), mine))
    return out


# ------------------------------------------------------------------ totals vs parts


# Per-item counts of a breakdown: each line with its (count, noun) pairs.
_Counts = list[tuple[_Line, list[tuple[int, str]]]]


@dataclass(slots=True)
class _Part:
    """One line's contribution to a total: its amount, or its amounts when a row holds
    several that may all be parts (a transposed table) or only one of them."""

    line: _Line
    amounts: list[Amount]
    sub: bool = False  # a sub-total: its own parts are not parts of the total

    def value(self, mode: str) -> float:
        if mode == "all":
            return sum(a.value_eur for a in self.amounts)
        return self.amounts[0 if mode == "first" else -1].value_eur


@dataclass(slots=True)
class _Gap:
    """The reading of a list that comes closest to its total without reaching it."""

    found: float
    parts: list[_Part]
    mode: str
    parent: _Part | None = None  # set when a row differs from the detail rows under it


def _total_findings(lines: list[_Line]) -> Iterator[CheckFinding]:
    for ln in lines:
        if not ln.amounts:
            continue
        row_total = _TOTAL_ROW.match(ln.folded)
        if row_total is not None:
            yield from _check_row_total(ln, lines, bool(row_total.group("sub")))
        elif len(ln.amounts) == 1 and _announces_parts(ln, lines):
            yield from _check_announced_total(ln, lines, _stated_count(ln, lines))


def _announces_parts(ln: _Line, lines: list[_Line]) -> bool:
    """A sentence that gives an amount as distributed among the items listed after it."""
    text = _sentence_after(ln, lines)
    amount_end = ln.amounts[0].provenance.end - ln.line.start
    return bool(_DISTRIBUTED.search(fold(text[max(0, amount_end - 1) :])))


def _sentence_after(ln: _Line, lines: list[_Line]) -> str:
    """The line's text and the lines continuing its sentence (up to three)."""
    parts = [ln.line.text]
    k = ln.index + 1
    while k < len(lines) and len(parts) < 4 and lines[k].text and not lines[k].amounts:
        parts.append(lines[k].line.text)
        if parts[-1].rstrip().endswith((".", ":")):
            break
        k += 1
    return " ".join(parts)


def _stated_count(ln: _Line, lines: list[_Line]) -> int | None:
    m = _COUNT.search(fold(_sentence_after(ln, lines)))
    return int(m.group("n")) if m else None


def _check_row_total(ln: _Line, lines: list[_Line], sub: bool) -> Iterator[CheckFinding]:
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
        gap = _gap(total, parts, up=up)
        if gap is not None:
            yield _mismatch(total, gap, ln)


def _check_announced_total(
    ln: _Line, lines: list[_Line], count: int | None
) -> Iterator[CheckFinding]:
    """ "X € ont été attribués à N communes :" followed by the N amounts."""
    total = ln.amounts[0]
    parts = _collect(ln, lines, +1, 0, sub=False)
    if count is not None:
        parts = parts[:count]
    if len(parts) >= 2 and (gap := _gap(total, parts, up=False)) is not None:
        yield _mismatch(total, gap, ln)


def _collect(ln: _Line, lines: list[_Line], step: int, col: int, sub: bool) -> list[_Part]:
    """Amounts of the lines next to a total line, walking up (-1) or down (+1).

    Stops at prose, at a table header when walking up from a table row, at another
    total (a sub-total is kept as a part of a grand total), or after a few lines
    without amounts. A total mentioned in passing ("sur un total engagé de …") is
    skipped, not taken as a part.
    """
    parts: list[_Part] = []
    quiet = 0
    k = ln.index + step
    while 0 <= k < len(lines) and len(parts) < _MAX_PARTS:
        cur = lines[k]
        k += step
        if not cur.text:
            continue
        if not cur.amounts:
            quiet += 1
            if quiet > _MAX_QUIET or _is_prose(cur) or (step < 0 and ln.is_row and cur.is_row):
                break
            continue
        if _is_prose(cur) and cur.words >= 20:
            break
        total = _TOTAL_ROW.match(cur.folded)
        if total is not None and (sub or not total.group("sub") or step > 0):
            break
        if total is None and _mentions_total(cur, lines):
            continue
        quiet = 0
        amounts = _column_amounts(ln, cur, col)
        if amounts:
            parts.append(_Part(cur, amounts, sub=total is not None))
    return parts


def _mentions_total(cur: _Line, lines: list[_Line]) -> bool:
    """A total stated in passing, possibly on the line before ("Sur un total engagé / de X €")."""
    if _TOTAL_WORD.search(cur.folded):
        return True
    if not cur.text[:1].islower():
        return False
    k = cur.index - 1
    while k >= 0 and not lines[k].text and cur.index - k <= 2:
        k -= 1
    return k >= 0 and not lines[k].amounts and bool(_TOTAL_WORD.search(lines[k].folded))


def _column_amounts(total_line: _Line, cur: _Line, col: int) -> list[Amount]:
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
    if total_line.is_row and cur.is_row:
        cell = _cell_of(total_line, total_line.amounts[col])
        return [a for a in amounts if _cell_of(cur, a) == cell][:1]
    return [amounts[col]] if len(amounts) == width else []


def _cell_of(ln: _Line, amount: Amount) -> int:
    return ln.line.text[: amount.provenance.start - ln.line.start].count("\t")


def _is_prose(cur: _Line) -> bool:
    if cur.is_row:
        return False
    text = cur.text
    return cur.words >= 20 or (text.endswith((".", "!", "?")) and cur.words >= 6)


def _gap(stated: Amount, parts: list[_Part], *, up: bool) -> _Gap | None:
    """None when some reading of the parts adds up to the total, else the closest miss.

    Readings: all parts; every run of parts starting next to the total; a single part
    restating the total; sub-totals plus the rows they do not cover; the top level of
    a hierarchy in which a row is followed (or preceded) by detail rows summing to it.
    When only a near-miss hierarchy fits (one row differs slightly from its detail
    rows while the top level matches the total), that row is the finding.
    """
    total, tol = stated.value_eur, _tolerance(stated, parts)
    modes = ["all", "first", "last"] if any(len(p.amounts) > 1 for p in parts) else ["all"]
    best: _Gap | None = None
    near: _Gap | None = None
    for mode in modes:
        values = [p.value(mode) for p in parts]
        if any(abs(c - total) <= tol for c in _readings(values, parts, tol, up=up)):
            return None
        first = 1 if mode == "all" and len(parts[0].amounts) > 1 else 2
        for n in range(first, len(values) + 1):
            found = sum(values[:n])
            if best is None or abs(found - total) < abs(best.found - total):
                best = _Gap(found, parts[:n], mode)
            near = near or _near_parent(total, parts[:n], values[:n], tol, up=up, mode=mode)
    if near is not None:
        return near
    if best is None or abs(best.found - total) > _BAND * total:
        return None  # too far off: the list was not read as the total's parts
    return best


def _readings(values: list[float], parts: list[_Part], tol: float, *, up: bool) -> list[float]:
    """Every sum the parts can be read to make (see :func:`_gap`)."""
    sums = list(values)
    running = 0.0
    for n, v in enumerate(values, start=1):
        running += v
        sums.append(running)
        reading = values[:n][::-1] if up else values[:n]
        sums.append(_top_level(reading, tol)[0])
        sums.append(_top_level(reading[::-1], tol)[0])
    subs = [i for i, p in enumerate(parts) if p.sub]
    if subs:
        sums.append(sum(values[: subs[0]]) + sum(values[i] for i in subs))
        sums.append(sum(v for p, v in zip(parts, values, strict=True) if not p.sub))
    return sums


def _near_parent(
    total: float, parts: list[_Part], values: list[float], tol: float, *, up: bool, mode: str
) -> _Gap | None:
    """A row that is slightly off from its detail rows, in a list whose top level
    (that row included) adds up exactly to the total."""
    order = list(range(len(values)))[::-1] if up else list(range(len(values)))
    reading = [values[i] for i in order]
    level, parents = _top_level(reading, tol, relaxed=True)
    if abs(level - total) > tol:
        return None
    for start, count, run in parents:
        if abs(run - reading[start]) > tol:
            detail = [parts[order[k]] for k in range(start + 1, start + 1 + count)]
            return _Gap(run, detail, mode, parent=parts[order[start]])
    return None


def _top_level(
    values: list[float], tol: float, *, relaxed: bool = False
) -> tuple[float, list[tuple[int, int, float]]]:
    """Sum of the rows that are not the detail of the row before them, and the
    (row, number of detail rows, their sum) of every such parent row.

    A row followed by rows adding up to it ("Axe 1" then its "Ambition" rows,
    "PILOTAGE" then its single sub-line of the same amount) counts once. ``relaxed``
    also accepts two or more detail rows within a typo's distance of their row.
    """
    total, i = 0.0, 0
    parents: list[tuple[int, int, float]] = []
    while i < len(values):
        parent, run, j = values[i], 0.0, i + 1
        ceiling = parent * (1 + _MAX_TYPO_GAP) if relaxed else parent
        match: tuple[int, float] | None = None
        while j < len(values) and run + values[j] <= ceiling + tol:
            run += values[j]
            j += 1
            if abs(run - parent) <= tol:
                match = (j - i - 1, run)
                break
            close = abs(run - parent) <= _MAX_TYPO_GAP * parent
            closer = match is None or abs(run - parent) < abs(match[1] - parent)
            if relaxed and j - i - 1 >= 2 and close and closer:
                match = (j - i - 1, run)
        total += parent
        if match is not None:
            parents.append((i, *match))
            i += match[0] + 1
        else:
            i += 1
    return total, parents


def _tolerance(stated: Amount, parts: list[_Part]) -> float:
    """Rounding the figures allow: half the last written digit of the total and parts."""
    part_unit = max((_unit(a.provenance.raw) for p in parts for a in p.amounts), default=1.0)
    return max(1.0, 0.5 * _unit(stated.provenance.raw) + 0.5 * part_unit)


def _unit(raw: str) -> float:
    """The value of the last digit written in an amount ("1,7 M€" -> 100 000)."""
    folded = fold(raw)
    number = re.search(r"\d[\d\s.,]*", folded)
    decimals = 0
    if number is not None:
        m = re.search(r",(\d+)", number.group())
        decimals = len(m.group(1)) if m else 0
    scale = 1.0
    if re.search(r"\d\s*(?:m€|m |millions?|m\b)", folded):
        scale = 1e6
    elif re.search(r"\d\s*(?:k€|k |milliers?)", folded):
        scale = 1e3
    elif re.search(r"\d\s*(?:md|milliards?)", folded):
        scale = 1e9
    return scale / 10**decimals


def _mismatch(total: Amount, gap: _Gap, ln: _Line) -> CheckFinding:
    part_pages = sorted({p.line.page.number for p in gap.parts})
    amounts = [a for p in gap.parts for a in (p.amounts if gap.mode == "all" else [])] or [
        p.amounts[0 if gap.mode == "first" else -1] for p in gap.parts
    ]
    n = len(amounts)
    if gap.parent is not None:
        parent = gap.parent.amounts[0]
        return CheckFinding(
            check=TOTAL_VS_PARTS,
            message=(
                f"The row amount {_eur(parent.value_eur)} ({_pages(gap.parent.line.page.number)}) "
                f"differs from the sum of its {n} detail rows, {_eur(gap.found)} "
                f"({_pages(*part_pages)}), while the stated total {_eur(total.value_eur)} "
                f"({_pages(ln.page.number)}) matches the row amounts."
            ),
            expected=parent.value_eur,
            found=gap.found,
            pages=sorted({ln.page.number, gap.parent.line.page.number, *part_pages}),
            provenance=[_mine(parent.provenance), *(_mine(a.provenance) for a in amounts)],
        )
    return CheckFinding(
        check=TOTAL_VS_PARTS,
        message=(
            f"Stated total {_eur(total.value_eur)} ({_pages(ln.page.number)}) differs from "
            f"the sum of its {n} listed amounts, {_eur(gap.found)} ({_pages(*part_pages)})."
        ),
        expected=total.value_eur,
        found=gap.found,
        pages=sorted({ln.page.number, *part_pages}),
        provenance=[_mine(total.provenance), *(_mine(a.provenance) for a in amounts)],
    )


# ------------------------------------------------------------------ counts vs rows


def _count_findings(lines: list[_Line], actions: list[Action]) -> Iterator[CheckFinding]:
    yield from _breakdown_findings(lines)
    yield from _listed_findings(lines, actions)


def _per_item_counts(ln: _Line) -> list[tuple[int, str]]:
    """ "(n, noun)" for every "n projets" of a line whose cells or end give counts."""
    folded = fold(ln.line.text)
    found = [(int(m.group("n")), _singular(m.group("noun"))) for m in _COUNT.finditer(folded)]
    if ln.is_row:
        cells = [fold(clean_cell(c)) for c in ln.line.text.split("\t")]
        return [
            (int(m.group("n")), _singular(m.group("noun")))
            for c in cells
            if (m := re.fullmatch(rf"(?P<n>\d{{1,4}})\s+(?P<noun>{_COUNTED_NOUNS})", c))
        ]
    if found and re.search(rf"\d+\s+(?:{_COUNTED_NOUNS})\W*$", folded) and len(found) == 1:
        return found
    return []


def _singular(noun: str) -> str:
    return noun[:-1] if noun.endswith("s") else noun


def _breakdown_findings(lines: list[_Line]) -> Iterator[CheckFinding]:
    """A stated count against the per-item counts listed right after it
    ("31 projets soutenus" / "2 projets | 2 projets | 21 projets | 3 projets | 4 projets")."""
    for group in _breakdowns(lines):
        nouns = {noun for _, items in group for _, noun in items}
        if len(nouns) == 1:
            total = sum(n for _, items in group for n, _ in items)
            yield from _check_breakdown(lines, group, nouns.pop(), total)


def _breakdowns(lines: list[_Line]) -> Iterator[_Counts]:
    """Per-item counts: a table row with several count cells, or a run of lines that
    each end with one count ("Sur le volet emploi : 25 projets")."""
    i = 0
    while i < len(lines):
        items = _per_item_counts(lines[i])
        if lines[i].is_row and len(items) >= 2:
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
            if len(its) != 1 or cur.is_row:
                break
            group.append((cur, its))
        if len(group) >= 2:
            yield group
            i = group[-1][0].index + 1
        else:
            i += 1


def _check_breakdown(
    lines: list[_Line], group: _Counts, noun: str, total: int
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
        for m in _COUNT.finditer(cur.folded):
            if _singular(m.group("noun")) == noun:
                statements.append((int(m.group("n")), cur, m))
    if not statements or any(n == total for n, _, _ in statements):
        return
    n, cur, m = statements[0]
    if not _miscount(n, total):
        return
    start = cur.line.start + m.start()
    group_pages = sorted({g[0].page.number for g in group})
    yield CheckFinding(
        check=COUNT_VS_ROWS,
        message=(
            f"Stated count of {n} {m.group('noun')} ({_pages(cur.page.number)}) differs from "
            f"the {total} listed in its breakdown ({_pages(*group_pages)})."
        ),
        expected=float(n),
        found=float(total),
        pages=sorted({cur.page.number, *group_pages}),
        provenance=[
            _span(cur, start, start + m.end() - m.start()),
            *(_span(g[0], g[0].line.start, g[0].line.end) for g in group),
        ],
    )


def _miscount(stated: int, listed: int) -> bool:
    """A difference the size of a slip (one or two items, a tenth at most); a bigger
    one means the list is partial ("dont …") or was not read as the count's list."""
    return 0 < abs(stated - listed) <= max(2, stated // 10)


def _listed_findings(lines: list[_Line], actions: list[Action]) -> Iterator[CheckFinding]:
    """ "… attribués à 7 communes :" against the actions listed right after it."""
    if not actions:
        return
    index_of = {(ln.page.number, ln.line.start): ln.index for ln in lines}
    starts = sorted(
        (_line_index(lines, a.provenance, index_of), a) for a in actions if a.amount_eur
    )
    for ln in lines:
        if not ln.amounts or not _announces_parts(ln, lines):
            continue
        m = _COUNT.search(fold(_sentence_after(ln, lines)))
        if m is None or _singular(m.group("noun")) not in {"commune", "projet", "action"}:
            continue
        group = _following_group(starts, ln.index)
        if len(group) < 2:
            continue
        noun = _singular(m.group("noun"))
        listed = (
            len({fold(a.commune) for a in group if a.commune}) if noun == "commune" else len(group)
        )
        stated = int(m.group("n"))
        if not listed or not _miscount(stated, listed):
            continue
        pages = sorted({ln.page.number, *(a.provenance.page for a in group)})
        yield CheckFinding(
            check=COUNT_VS_ROWS,
            message=(
                f"Stated count of {stated} {m.group('noun')} ({_pages(ln.page.number)}) differs "
                f"from the {listed} listed after it "
                f"({_pages(*sorted({a.provenance.page for a in group}))})."
            ),
            expected=float(stated),
            found=float(listed),
            pages=pages,
            provenance=[_mine(ln.amounts[0].provenance), *(_mine(a.provenance) for a in group)],
        )


def _line_index(lines: list[_Line], p: Provenance, index_of: dict[tuple[int, int], int]) -> int:
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


# ------------------------------------------------------- one quantity, two values


def _repeat_findings(amounts: list[Amount]) -> Iterator[CheckFinding]:
    """The same figure typed two ways: values one digit apart, like 5 955 899 € on one
    page and 5 955 889 € on another, stated for the same year."""
    values: dict[float, list[Amount]] = {}
    for a in amounts:
        if a.kind in _REPEAT_KINDS and _significant(a.value_eur) >= _MIN_SIGNIFICANT:
            values.setdefault(a.value_eur, []).append(a)
    reported: set[float] = set()
    for v in sorted(values):
        for w in sorted(values):
            if w <= v or not _typo_like(v, w) or {v, w} & reported:
                continue
            if not _same_year(values[v], values[w]) or not _same_kind(values[v], values[w]):
                continue
            odd, usual = (v, w) if len(values[v]) <= len(values[w]) else (w, v)
            reported.update((v, w))
            yield _repeat_finding(values[odd], values[usual])


def _repeat_finding(odd: list[Amount], usual: list[Amount]) -> CheckFinding:
    odd_pages = sorted({a.provenance.page for a in odd})
    usual_pages = sorted({a.provenance.page for a in usual})
    label = next((a.label for a in [*odd, *usual] if a.label), None)
    what = f"'{label}'" if label else "The same amount"
    times = f" ({len(usual)} times)" if len(usual) > 1 else ""
    return CheckFinding(
        check=SAME_QUANTITY,
        message=(
            f"{what} is given as {_eur(odd[0].value_eur)} ({_pages(*odd_pages)}) and as "
            f"{_eur(usual[0].value_eur)} ({_pages(*usual_pages)}){times}."
        ),
        expected=usual[0].value_eur,
        found=odd[0].value_eur,
        pages=sorted({*odd_pages, *usual_pages}),
        provenance=[_mine(a.provenance) for a in [*odd, *usual]],
    )


def _digits(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _significant(value: float) -> int:
    return len(_digits(value).replace(".", "").strip("0"))


def _typo_like(a: float, b: float) -> bool:
    """One digit replaced, or two neighbouring digits swapped, in numbers of one length."""
    if abs(a - b) > _MAX_TYPO_GAP * max(a, b):
        return False
    x, y = _digits(a), _digits(b)
    if len(x) != len(y):
        return False
    diff = [i for i, (c, d) in enumerate(zip(x, y, strict=True)) if c != d]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]]


def _same_kind(first: list[Amount], second: list[Amount]) -> bool:
    """Both stated as the same kind of figure (a total may be restated in any role)."""
    kinds_a, kinds_b = {a.kind for a in first}, {a.kind for a in second}
    return bool(kinds_a & kinds_b) or "total" in kinds_a | kinds_b


def _same_year(first: list[Amount], second: list[Amount]) -> bool:
    years_a = {a.year for a in first if a.year}
    years_b = {a.year for a in second if a.year}
    return not years_a or not years_b or bool(years_a & years_b)


# ------------------------------------------------------------------------ helpers


def _eur(value: float) -> str:
    """French-style euros: "5 955 889 €", "1 234,50 €"."""
    whole = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    return whole.replace(",", " ").replace(".", ",") + " €"


def _pages(*pages: int) -> str:
    unique = sorted(set(pages))
    if len(unique) == 1:
        return f"p. {unique[0]}"
    return "pp. " + ", ".join(str(p) for p in unique)


def _mine(p: Provenance) -> Provenance:
    return replace(p, extractor=EXTRACTOR)


def _span(ln: _Line, start: int, end: int) -> Provenance:
    return Provenance(
        page=ln.page.number,
        start=start,
        end=end,
        raw=ln.page.text[start:end],
        extractor=EXTRACTOR,
        bbox=ln.page.bbox_for(start, end),
    )
