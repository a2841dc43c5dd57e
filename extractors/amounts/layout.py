"""The document as one list of lines, with its amounts placed on them and grouped in runs.

Context rules look across lines and pages (a sentence broken over slide lines, the
header row of a table, the heading of a list), so the pages are flattened into one
line list once. A *run* is a group of table-like amount lines that follow each
other — a table, a bulleted list of amounts, the figures of a slide — which is the
unit the kind rules reason about (a run next to a total is its breakdown).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from extractors.amounts.text import BULLET, TAG, clean, is_row, word_count
from extractors.money import MoneyMatch, find_amounts
from schemas.records import ParsedDocument

SHORT_WORDS = 12  # a line with fewer words than this beside its amounts is a label line
_RUN_GAP = 2  # non-blank lines without amounts that may sit inside a run
BLANK_LINES = 3  # blank lines a broken sentence or a title may skip (slides double-space)


@dataclass(frozen=True, slots=True)
class LayoutLine:
    page: int  # index in doc.pages
    start: int  # offset in that page's text
    text: str


@dataclass(slots=True)
class Found:
    """One amount match placed in the document's line list."""

    match: MoneyMatch
    line: int  # index in Layout.lines


@dataclass(slots=True)
class Layout:
    lines: list[LayoutLine]
    found: list[Found]
    by_line: dict[int, list[int]] = field(default_factory=dict)  # line -> indexes in found
    run_of: dict[int, int] = field(default_factory=dict)  # line -> run id
    runs: list[list[int]] = field(default_factory=list)  # run id -> lines

    def amount_free(self, li: int) -> str:
        """The line's text with its amounts blanked out."""
        line = self.lines[li]
        text = line.text
        for i in reversed(self.by_line.get(li, [])):
            m = self.found[i].match
            a, b = m.start - line.start, m.end - line.start
            text = text[:a] + " " * (b - a) + text[b:]
        return text

    def prev_nonblank(self, li: int) -> int | None:
        """The line above ``li`` with text, skipping a few blank lines."""
        for k in range(li - 1, max(-1, li - 2 - BLANK_LINES), -1):
            if self.lines[k].text.strip():
                return k
        return None

    def next_nonblank(self, li: int) -> int | None:
        """The line below ``li`` with text, skipping a few blank lines."""
        for k in range(li + 1, min(len(self.lines), li + 2 + BLANK_LINES)):
            if self.lines[k].text.strip():
                return k
        return None

    def run_size(self, run: int) -> int:
        """Number of amounts in a run."""
        return sum(len(self.by_line[k]) for k in self.runs[run])


def build_layout(doc: ParsedDocument) -> Layout:
    """Every line of every page, every amount on its line, and the runs."""
    lines: list[LayoutLine] = []
    found: list[Found] = []
    for p, page in enumerate(doc.pages):
        first = len(lines)
        starts, pos = [], 0
        for t in page.text.split("\n"):
            lines.append(LayoutLine(p, pos, t))
            starts.append(pos)
            pos += len(t) + 1
        for m in find_amounts(page.text):
            found.append(Found(m, first + bisect_right(starts, m.start) - 1))
    layout = Layout(lines, found)
    for i, f in enumerate(found):
        layout.by_line.setdefault(f.line, []).append(i)
    _build_runs(layout)
    return layout


def _tableish(layout: Layout, li: int) -> bool:
    """A table row, or a list item or short label line ending with its amount (not prose)."""
    text = layout.lines[li].text
    if is_row(text):
        return True
    last = layout.found[layout.by_line[li][-1]].match
    tail = TAG.sub("", text[last.end - layout.lines[li].start :])
    if re.search(r"[^\W\d_]", tail):
        return False  # the line goes on after its last amount: a sentence
    if BULLET.match(text):
        return True
    rest = clean(layout.amount_free(li))
    return word_count(rest) <= SHORT_WORDS and not re.search(r"[.!?]\W*$", rest)


def _build_runs(layout: Layout) -> None:
    """Group table-like amount lines that follow each other into runs (lists, tables).

    Up to two non-blank lines without amounts may sit between two members (a wrapped
    label, a commune name above its project); a markdown heading ends the run.
    """
    current: list[int] = []
    gap = 0
    for li, line in enumerate(layout.lines):
        if li in layout.by_line and _tableish(layout, li):
            if current and gap <= _RUN_GAP:
                current.append(li)
            else:
                current = [li]
                layout.runs.append(current)
            layout.run_of[li] = len(layout.runs) - 1
            gap = 0
        elif li in layout.by_line:
            current, gap = [], 0
        elif line.text.strip():
            gap += 1
            if line.text.lstrip().startswith("#"):
                current = []
