"""Table blocks laid out as ruled reportlab tables that always fit the page.

Column widths follow the content (a column of long sentences gets more room than
a column of codes); cells are Paragraphs so long text wraps; a row taller than the
room on a page is cut into several rows, cell text continuing below, the way a word
processor lets a row break across pages. Nothing here can overflow the frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Table, TableStyle

from corpus.blocks import Cell, TableBlock
from corpus.inline import RichLine, join_words, split_words, to_markup
from corpus.styles import (
    BOLD,
    CELL_PADDING,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    REGULAR,
    cell_font_size,
    cell_style,
    register_fonts,
)

# A row may use at most this share of a page before it is cut: big rows then
# continue on the next page instead of leaving most of a page blank.
ROW_LIMIT = 0.5 * FRAME_HEIGHT
_UNBOUNDED = 1e9


def _run_width(text: str, bold: bool, size: float) -> float:
    return stringWidth(text, BOLD if bold else REGULAR, size)


def _line_width(line: RichLine, size: float) -> float:
    return sum(_run_width(t, b, size) for t, b in line)


def _longest_word(line: RichLine, size: float) -> float:
    return max((_run_width(w, b, size) for t, b in line for w in t.split()), default=0.0)


def column_widths(rows: Sequence[Sequence[Cell]], size: float, total: float) -> list[float]:
    """Widths summing to ``total``, proportional to each column's content.

    When everything fits on one line, columns share the frame in proportion to
    their natural widths; otherwise every column first gets room for its longest
    word (at most an equal share), and the rest goes to the columns with the most
    text. No column is narrower than a couple of characters, even an empty one.
    """
    register_fonts()
    n = len(rows[0])
    least = 2 * CELL_PADDING + 2 * size

    def widest(measure: Callable[[RichLine, float], float], i: int) -> float:
        content = max((measure(ln, size) for r in rows for ln in r[i]), default=0.0)
        return max(least, 2 * CELL_PADDING + content + 1.0)  # 1pt against rounding

    natural = [widest(_line_width, i) for i in range(n)]
    if sum(natural) <= total:
        return [w * total / sum(natural) for w in natural]
    floors = [min(widest(_longest_word, i), total / n) for i in range(n)]
    extra = [nat - f for nat, f in zip(natural, floors, strict=True)]
    spare = total - sum(floors)
    return [f + spare * e / sum(extra) for f, e in zip(floors, extra, strict=True)]


class _Measure:
    """Wrapped heights of cell lines in one column width and style."""

    def __init__(self, width: float, style: ParagraphStyle) -> None:
        self.width = width - 2 * CELL_PADDING
        self.style = style

    def height(self, lines: Sequence[RichLine]) -> float:
        return Paragraph(to_markup(lines), self.style).wrap(self.width, _UNBOUNDED)[1]

    def estimate(self, lines: Sequence[RichLine]) -> float:
        """A cheap generous upper bound of :meth:`height`, to skip exact measures."""
        size, avail = self.style.fontSize, max(self.width, 1.0)
        count = sum(max(1, math.ceil(1.3 * _line_width(ln, size) / avail)) for ln in lines)
        return count * self.style.leading

    def fit_line(self, line: RichLine, limit: float) -> list[RichLine]:
        """``line`` cut at word boundaries into pieces no taller than ``limit``."""
        if self.height([line]) <= limit:
            return [line]
        words, pieces = split_words(line), []
        while words:
            lo, hi = 1, len(words)  # the largest prefix that fits
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if self.height([join_words(words[:mid])]) <= limit:
                    lo = mid
                else:
                    hi = mid - 1
            pieces.append(join_words(words[:lo]))
            words = words[lo:]
        return pieces

    def chunks(self, cell: Cell, limit: float) -> list[Cell]:
        """``cell`` as consecutive pieces, each no taller than ``limit``."""
        if self.estimate(cell) <= limit:
            return [cell]
        out: list[Cell] = [[]]
        used = 0.0
        for line in cell:
            for piece in self.fit_line(line, limit):
                h = self.height([piece])
                if out[-1] and used + h > limit:
                    out.append([])
                    used = 0.0
                out[-1].append(piece)
                used += h
        return out


def _split_row(row: Sequence[Cell], measures: Sequence[_Measure], limit: float) -> list[list[Cell]]:
    """One row, or several when a cell is too tall: cell text continues in the rows below."""
    pieces = [m.chunks(cell, limit) for cell, m in zip(row, measures, strict=True)]
    count = max(len(p) for p in pieces)
    return [[p[k] if k < len(p) else [] for p in pieces] for k in range(count)]


def _emboldened(cells: Sequence[Cell]) -> list[Cell]:
    return [[tuple((t, True) for t, _ in line) for line in cell] for cell in cells]


def build_table(block: TableBlock) -> Table:
    """A ruled, splittable reportlab Table for ``block``."""
    rows = [_emboldened(block.rows[0]), *block.rows[1:]] if block.header else block.rows
    ncols = len(rows[0])
    size = cell_font_size(ncols)
    widths = column_widths(rows, size, FRAME_WIDTH)
    measures = [_Measure(w, cell_style(size)) for w in widths]

    header = block.header
    header_height = 0.0
    if header:
        header_height = max(m.height(c) for m, c in zip(measures, rows[0], strict=True))
        header = header_height <= ROW_LIMIT / 2  # a huge "header" is not repeated
    limit = ROW_LIMIT - 2 * CELL_PADDING - (header_height if header else 0.0)

    data = []
    style = cell_style(size)
    for index, row in enumerate(rows):
        for part in [list(row)] if header and index == 0 else _split_row(row, measures, limit):
            data.append([Paragraph(to_markup(cell), style) for cell in part])

    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e4e4")))
    return Table(
        data,
        colWidths=widths,
        repeatRows=1 if header else 0,
        splitByRow=1,
        hAlign="LEFT",
        style=TableStyle(commands),
    )
