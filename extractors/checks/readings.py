"""The ways a list of amounts can be read to add up to its stated total.

Real tables are not flat: a row may repeat its parent's amount, sub-totals sit among
the rows, a pillar row is followed by the actions that make it up, figures are
rounded to the million. A total is contradicted only when none of these readings
reaches it; the reading that comes closest is what the finding reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.actions.rows import Row
from extractors.checks.typos import MAX_TYPO_GAP
from extractors.folding import fold
from schemas.records import Amount

_BAND = 0.05  # a sum further than this from the total means the parts were misread


@dataclass(slots=True)
class Part:
    """One line's contribution to a total: its amount, or its amounts when a row holds
    several that may all be parts (a transposed table) or only one of them."""

    line: Row
    amounts: list[Amount]
    sub: bool = False  # a sub-total: its own parts are not parts of the total

    def value(self, mode: str) -> float:
        if mode == "all":
            return sum(a.value_eur for a in self.amounts)
        return self.amounts[0 if mode == "first" else -1].value_eur


@dataclass(slots=True)
class Gap:
    """The reading of a list that comes closest to its total without reaching it."""

    found: float
    parts: list[Part]
    mode: str
    parent: Part | None = None  # set when a row differs from the detail rows under it


def gap(stated: Amount, parts: list[Part], *, up: bool) -> Gap | None:
    """None when some reading of the parts adds up to the total, else the closest miss.

    Readings: all parts; every run of parts starting next to the total; a single part
    restating the total; sub-totals plus the rows they do not cover; the top level of
    a hierarchy in which a row is followed (or preceded) by detail rows summing to it.
    When only a near-miss hierarchy fits (one row differs slightly from its detail
    rows while the top level matches the total), that row is the finding.
    """
    total, tol = stated.value_eur, _tolerance(stated, parts)
    modes = ["all", "first", "last"] if any(len(p.amounts) > 1 for p in parts) else ["all"]
    best: Gap | None = None
    near: Gap | None = None
    for mode in modes:
        values = [p.value(mode) for p in parts]
        if any(abs(c - total) <= tol for c in _readings(values, parts, tol, up=up)):
            return None
        first = 1 if mode == "all" and len(parts[0].amounts) > 1 else 2
        for n in range(first, len(values) + 1):
            found = sum(values[:n])
            if best is None or abs(found - total) < abs(best.found - total):
                best = Gap(found, parts[:n], mode)
            near = near or _near_parent(total, parts[:n], values[:n], tol, up=up, mode=mode)
    if near is not None:
        return near
    if best is None or abs(best.found - total) > _BAND * total:
        return None  # too far off: the list was not read as the total's parts
    return best


def _readings(values: list[float], parts: list[Part], tol: float, *, up: bool) -> list[float]:
    """Every sum the parts can be read to make (see :func:`gap`)."""
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
    total: float, parts: list[Part], values: list[float], tol: float, *, up: bool, mode: str
) -> Gap | None:
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
            return Gap(run, detail, mode, parent=parts[order[start]])
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
        ceiling = parent * (1 + MAX_TYPO_GAP) if relaxed else parent
        match: tuple[int, float] | None = None
        while j < len(values) and run + values[j] <= ceiling + tol:
            run += values[j]
            j += 1
            if abs(run - parent) <= tol:
                match = (j - i - 1, run)
                break
            close = abs(run - parent) <= MAX_TYPO_GAP * parent
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


def _tolerance(stated: Amount, parts: list[Part]) -> float:
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
