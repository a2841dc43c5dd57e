"""The clause an amount sits in: its sentence, rebuilt across broken lines.

The words just before an amount ("une enveloppe de", "soit un total de") say most
about it. Slides and narrow columns break sentences over several lines, so a line
starting in lower case is joined to the one above, and a line ending on a dangling
preposition to the one below. The clause stops at the previous and next amount so
that two amounts of one line do not share each other's words.
"""

from __future__ import annotations

import re

from extractors.amounts.layout import Found, Layout
from extractors.amounts.text import BOUNDARY, TAG, cells, clean, is_row, starts_lower

# A line ending on one of these words goes on in the next one.
_DANGLING = re.compile(
    r"\b(?:de|du|des|d'|en|à|a|au|aux|la|le|les|l'|pour|par|et|sur|dans|avec)\s*$",
    re.IGNORECASE,
)
_MAX_HOPS = 3  # lines a broken sentence may span on either side of its amount
_LEAD_WORDS = 8


def clause(layout: Layout, f: Found) -> tuple[str, str, str]:
    """(left, right, lead) of the amount within its sentence, rebuilt across lines."""
    line = layout.lines[f.line]
    a, b = f.match.start - line.start, f.match.end - line.start
    spans = cells(line.text)
    c0, c1 = next(((s, e) for s, e in spans if s <= a <= e), (0, len(line.text)))
    others = [layout.found[i].match for i in layout.by_line[f.line]]
    lo = max([c0] + [m.end - line.start for m in others if m.end - line.start <= a])
    hi = min([c1] + [m.start - line.start for m in others if m.start - line.start >= b])
    left_text, right_text = line.text[lo:a], line.text[b:hi]
    bounds = list(BOUNDARY.finditer(left_text))
    left = left_text[bounds[-1].end() :] if bounds else left_text
    nxt = BOUNDARY.search(right_text)
    right = right_text[: nxt.start()] if nxt else right_text
    if len(spans) == 1:
        if not bounds and lo == 0:
            left = _joined_above(layout, f.line, left)
        if not nxt and hi == len(line.text):
            right = _joined_below(layout, f.line, right)
    lead = " ".join(clean(left).split()[:_LEAD_WORDS])
    return left, right, lead


def _joined_above(layout: Layout, li: int, left: str) -> str:
    """``left`` preceded by the lines above it that its sentence started on."""
    k, hops = li, 0
    while hops < _MAX_HOPS and starts_lower(left):
        p = layout.prev_nonblank(k)
        if p is None or p in layout.by_line or is_row(layout.lines[p].text):
            break
        prev = layout.lines[p].text
        if re.search(r"[.!?;:]\s*$", TAG.sub("", prev)):
            break
        pb = list(BOUNDARY.finditer(prev))
        left = (prev[pb[-1].end() :] if pb else prev) + " " + left
        k, hops = p, hops + 1
        if pb:
            break
    return left


def _joined_below(layout: Layout, li: int, right: str) -> str:
    """``right`` followed by the lines below it that its sentence goes on to."""
    k, hops = li, 0
    while hops < _MAX_HOPS:
        n = layout.next_nonblank(k)
        if n is None or n in layout.by_line or is_row(layout.lines[n].text):
            break
        following = layout.lines[n].text
        if not (starts_lower(following) or _DANGLING.search(right)):
            break
        nxt = BOUNDARY.search(following)
        right += " " + (following[: nxt.start()] if nxt else following)
        if nxt:
            break
        k, hops = n, hops + 1
    return right
