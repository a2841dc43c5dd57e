"""The kind of every amount of a document, from the most direct evidence to the widest.

A cue word names the kind of one amount; the document's arithmetic and layout name
the kind of the others: an amount equal to the sum of the amounts right after it is
their total, the items of a list next to a total are its breakdown, a total that adds
up with its neighbours to a stated total is one of its parts, and a heading "Fonds de
concours" makes every amount of its list a grant.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from extractors.amounts.context import Context
from extractors.amounts.cues import SECTION_KINDS, classify_kind
from extractors.amounts.layout import Found, Layout
from extractors.amounts.text import clean, is_row
from schemas.records import AmountKind

# "A × n = B": A is a unit price, B the product.
_TIMES_AFTER = re.compile(r"^[ \u00a0]*(?:×|x|\\times)[ \u00a0]*\d")
_TIMES_BEFORE = re.compile(r"\d[^\d=\t]{0,40}(?:×|\bx|\\times)[ \u00a0]*$")
# "... × 750 logements = 110 M€", or a line "= 27,5 M€." ending an announced formula
# (a line "= 239 939 € sur l'emploi" is a list whose bullet was read as "=").
_EQUALS_BEFORE = re.compile(r"(?:\d|\}|\w)[^=\t]*=[ \u00a0]*$")
_EQUALS_LINE = re.compile(r"^\W*=[ \u00a0]*$")

_SUM_TOLERANCE = 0.01
_SUM_MAX_ITEMS = 15
_SUM_MAX_LINES = 40
_NEAR_TOTAL_LINES = 16
_CLAUSE_WORDS = 12  # words before the amount searched for a cue
_RIGHT_CHARS = 60  # characters after the amount searched for a cue, as a last resort
_RESTATE_LINES = 12  # lines back an amount restated in a formula may have been stated
_AGGREGATES: frozenset[AmountKind | None] = frozenset({"total", "breakdown"})


def _local_cue(ctx: Context, raw: str) -> AmountKind | None:
    """Kind named by the words just before the amount, its sentence's opening or its row."""
    left_words = clean(ctx.left).split()
    near = " ".join(left_words[-_CLAUSE_WORDS:] + re.findall(r"[^\W\d_]{3,}", raw)[:1])
    for text in (near, ctx.lead, ctx.row_label or ""):
        kind = classify_kind(text)
        if kind:
            return kind
    return None


def _formula_kind(layout: Layout, f: Found) -> AmountKind | None:
    """Price for the factor of "A × n", total for the result of "... = B"."""
    line = layout.lines[f.line]
    before = line.text[: f.match.start - line.start]
    after = line.text[f.match.end - line.start :]
    if _TIMES_AFTER.match(after) or _TIMES_BEFORE.search(before):
        return "price"
    if _EQUALS_BEFORE.search(before) or (
        _EQUALS_LINE.match(before) and not re.search(r"[^\W\d_]", clean(after))
    ):
        return "total"
    return None


def _sums_to(total: float, items: list[float]) -> bool:
    return (
        len(items) >= 2
        and all(v < total for v in items)
        and (abs(sum(items) - total) <= max(0.5, _SUM_TOLERANCE * total))
    )


def _arithmetic_parts(
    layout: Layout, i: int, skip: Callable[[int], bool] = lambda _: False
) -> list[int] | None:
    """Indexes of the amounts right after (or before) amount ``i`` that add up to it,
    passing over the amounts ``skip`` names (a sibling subtotal)."""
    total = layout.found[i].match.value_eur
    if total <= 0:
        return None
    line = layout.found[i].line
    for step in (1, -1):
        items: list[int] = []
        j = i + step
        while 0 <= j < len(layout.found) and len(items) < _SUM_MAX_ITEMS:
            if layout.found[j].match.is_range or abs(layout.found[j].line - line) > _SUM_MAX_LINES:
                break
            if not skip(j):
                items.append(j)
                if _sums_to(total, [layout.found[x].match.value_eur for x in items]):
                    return items
            j += step
    return None


def _restated(layout: Layout, i: int, cues: list[AmountKind | None]) -> AmountKind | None:
    """Kind of the same amount stated just before with a cue word: the factor of a formula
    ("3 000 € × 1 500 logts") often restates "une subvention de 3 000 € / logement"."""
    match = layout.found[i].match
    for j in range(i - 1, -1, -1):
        earlier = layout.found[j]
        if layout.found[i].line - earlier.line > _RESTATE_LINES:
            break
        if earlier.match.values == match.values and cues[j]:
            return cues[j]
    return None


def _nested_totals(
    layout: Layout, local: list[AmountKind | None], cues: list[AmountKind | None]
) -> set[int]:
    """Totals (a formula's product, "montant total") that add up, with their neighbours,
    to a total or subtotal its cue word names ("Total : 180 M€"): they are its parts.

    Sibling subtotals ("Sous-total A : …" next to "Sous-total B : …") are passed over.
    """
    by_cue: dict[AmountKind | None, set[int]] = {}
    for j, cue in enumerate(cues):
        by_cue.setdefault(cue, set()).add(j)
    nested: set[int] = set()
    for i, f in enumerate(layout.found):
        cue = cues[i]
        if cue not in _AGGREGATES or local[i] != cue or is_row(layout.lines[f.line].text):
            continue
        found_parts = _arithmetic_parts(layout, i, skip=by_cue[cue].__contains__)
        nested.update(j for j in found_parts or () if local[j] == "total")
    return nested


def _runs_next_to_totals(layout: Layout, totals: set[int]) -> set[int]:
    """Runs holding a total, or whose neighbouring amount (just before/after) is one."""
    near: set[int] = set()
    for rid, run in enumerate(layout.runs):
        members = [i for li in run for i in layout.by_line[li]]
        if any(i in totals for i in members):
            near.add(rid)
            continue
        before, after = members[0] - 1, members[-1] + 1
        if (before in totals and run[0] - layout.found[before].line <= _NEAR_TOTAL_LINES // 2) or (
            after in totals and layout.found[after].line - run[-1] <= _NEAR_TOTAL_LINES
        ):
            near.add(rid)
    return near


def classify_all(layout: Layout, contexts: list[Context]) -> list[AmountKind]:
    """Kind of every amount, most direct evidence first: a formula or a cue word in its
    clause, being the sum of its neighbours, a grant/envelope/budget heading over its
    list, sitting in a list next to a total, its column header, the words after it.

    A formula's factor that restates an amount stated just before takes that amount's
    kind, and a total that is itself part of a larger total is a breakdown.
    """
    formulas = [_formula_kind(layout, f) for f in layout.found]
    cues = [_local_cue(ctx, f.match.raw) for f, ctx in zip(layout.found, contexts, strict=True)]
    local = [
        (formula == "price" and _restated(layout, i, cues)) or formula or cue
        for i, (formula, cue) in enumerate(zip(formulas, cues, strict=True))
    ]
    nested = _nested_totals(layout, local, cues)
    totals = {i for i, cue in enumerate(local) if cue == "total"}
    parts: set[int] = set()
    for i, f in enumerate(layout.found):
        if local[i] is None and not is_row(layout.lines[f.line].text):
            found_parts = _arithmetic_parts(layout, i)
            if found_parts:
                totals.add(i)
                parts.update(found_parts)
    near_total = _runs_next_to_totals(layout, totals)
    kinds: list[AmountKind] = []
    for i, (f, ctx) in enumerate(zip(layout.found, contexts, strict=True)):
        run = layout.run_of.get(f.line)
        section = None
        if run is not None:
            section = next((k for k in map(classify_kind, ctx.section) if k in SECTION_KINDS), None)
        if i in nested:
            kinds.append("breakdown")
        elif local[i]:
            kinds.append(local[i])
        elif i in totals:
            kinds.append("total")
        elif section:
            kinds.append(section)
        elif i in parts or run in near_total:
            kinds.append("breakdown")
        else:
            kinds.append(
                classify_kind(ctx.column or "")
                or classify_kind(clean(ctx.right)[:_RIGHT_CHARS])
                or ("breakdown" if run is not None and layout.run_size(run) >= 2 else "other")
            )
    return kinds
