"""Table cells wrapped onto the next visual line.

A narrow column wraps a long name or commune list onto a line of its own that
carries no code: "QP062028 | Calonne - Marichelles - Vent | Liévin | 7080" then
"De Bise (NPNRU)" under the name column, or "Bully-les-Mines /" then "Mazingarbe"
under the communes column. Such a line belongs to the row above it, and must not
end the table either. Records carry only line boxes, so where each cell of a row
starts is estimated from its characters' share of the line's width (a TAB standing
for a gap of a few characters); the column a wrapped piece sits under is the one
whose estimated start is nearest to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from schemas.records import Line

from ..qpv_codes import find_codes
from .mentions import Lines
from .names import clean_name, looks_like_name
from .places import commune_names

TAB_UNITS = 3  # a cell gap is about three characters wide
# How far below the line above a wrapped line may start, in line heights, and how
# much taller than its row it may be.
_MAX_GAP = 0.5
_MAX_HEIGHT = 1.3
# A cell that visibly breaks off: "Liévin / Lens /", "Les Hauts De Liévin -", "de".
_BREAKS_OFF = re.compile(
    r"(?:[-–/,(&+]|\b(?:de|du|des|la|le|les|et|sur|sous|en))[\s:;.'\"”“|_!]*$", re.I
)
_CONTENT = re.compile(r"[0-9A-Za-zÀ-ÿ]")
_EDGE_JUNK = " \t:;.,'\"”“‘’|_!"


@dataclass(slots=True)
class Row:
    """One table row: its first visual line and the lines its cells wrapped onto."""

    line: Line
    wraps: list[Line] = field(default_factory=list)

    @property
    def last(self) -> Line:
        """Its lowest line so far."""
        return self.wraps[-1] if self.wraps else self.line


def cell_starts(line: Line) -> list[float] | None:
    """Estimated left edge of each TAB-separated cell of ``line``, in page points."""
    if line.bbox is None:
        return None
    x0, _, x1, _ = line.bbox
    pieces = line.text.split("\t")
    units = sum(len(p) for p in pieces) + TAB_UNITS * (len(pieces) - 1)
    scale = (x1 - x0) / max(units, 1)
    starts, pos = [], 0
    for piece in pieces:
        starts.append(x0 + pos * scale)
        pos += len(piece) + TAB_UNITS
    return starts


def column_under(x: float, starts: list[float]) -> int:
    """The column whose estimated start is nearest to ``x``."""
    return min(range(len(starts)), key=lambda k: abs(starts[k] - x))


def hangs(row: Line, above: Line, line: Line) -> bool:
    """``line`` sits right below ``above`` and starts under a column of ``row`` other
    than its first: a wrapped piece of a cell, not a new row nor a paragraph."""
    if row.bbox is None or above.bbox is None or line.bbox is None:
        return False
    starts = cell_starts(row)
    if not starts or len(starts) < 2:
        return False
    own_height = line.bbox[3] - line.bbox[1]
    if own_height > _MAX_HEIGHT * (row.bbox[3] - row.bbox[1]):
        return False  # a larger type: a heading after the table
    height = max(above.bbox[3] - above.bbox[1], own_height)
    below = line.bbox[1] > above.bbox[1]
    if not below or line.bbox[1] - above.bbox[3] > _MAX_GAP * height:
        return False
    return column_under(line.bbox[0], starts) > 0


def table_blocks(lines: Lines, has_code: Callable[[Line], bool]) -> list[list[int]]:
    """Runs of TAB-separated lines, each with the code-less lines hanging under its
    columns (wrapped cells, a header's second line)."""
    blocks: list[list[int]] = []
    current: list[int] = []
    anchor: Line | None = None  # the last line starting in the table's first column
    for i, ln in enumerate(lines):
        if "\t" in ln.text:
            if anchor is None or has_code(ln) or not hangs(anchor, lines[current[-1]], ln):
                anchor = ln
            current.append(i)
        elif current and anchor and not has_code(ln) and hangs(anchor, lines[current[-1]], ln):
            current.append(i)
        elif current:
            blocks.append(current)
            current, anchor = [], None
    if current:
        blocks.append(current)
    return blocks


def group_rows(lines: Lines, block: list[int], has_code: Callable[[Line], bool]) -> list[Row]:
    """The rows of a block: a line hanging under the row above is one of its wraps. In a
    table of coded rows any code-less line may be a wrap; elsewhere only a line without
    TAB is (a TAB line there is a row whose first cell is empty)."""
    rows: list[Row] = []
    for i in block:
        ln = lines[i]
        if rows and not has_code(ln):
            row = rows[-1]
            may_wrap = "\t" not in ln.text or has_code(row.line)
            if may_wrap and hangs(row.line, row.last, ln):
                row.wraps.append(ln)
                continue
        rows.append(Row(ln))
    return rows


def wrapped_pieces(row: Line, wrap: Line) -> list[tuple[int, str]]:
    """The pieces of ``wrap`` that carry text, each with the column of ``row`` it sits
    under; OCR's stray punctuation at their edges removed."""
    starts, own = cell_starts(row), cell_starts(wrap)
    if not starts or not own:
        return []
    out = []
    for x, piece in zip(own, wrap.text.split("\t"), strict=True):
        piece = piece.strip(_EDGE_JUNK)
        if _CONTENT.search(piece):
            out.append((column_under(x, starts), piece))
    return out


def append_piece(cell: str, piece: str) -> str:
    """``cell`` continued by ``piece``: "Vent" + "De Bise" -> "Vent De Bise", a word cut
    at a hyphen glued back ("Loos-en-" + "Gohelle")."""
    cell = cell.rstrip(_EDGE_JUNK)
    if not cell:
        return piece
    if re.search(r"\w-$", cell):
        return cell[:-1] + piece if piece[:1].islower() else cell + piece
    return f"{cell} {piece}"


def joined_cells(row: Row, dept: str | None) -> tuple[list[str], int]:
    """The row's cells continued by its wrapped lines, and where the row ends in the
    page text. A wrapped line is taken whole or not at all, and only while each of its
    pieces continues a cell of text (a figure under a count column is a total row)."""
    cells = row.line.text.split("\t")
    end = row.line.end
    for wrap in row.wraps:
        pieces = wrapped_pieces(row.line, wrap)
        if not pieces or not all(_continues(cells[k], piece, dept) for k, piece in pieces):
            break
        if len({k for k, _ in pieces}) > 1 and not any(
            _BREAKS_OFF.search(cells[k]) for k, _ in pieces
        ):
            break  # a line filling several columns is a row of its own, unless a cell broke off
        for k, piece in pieces:
            cells[k] = append_piece(cells[k], piece)
        end = wrap.end
    return cells, end


def _continues(cell: str, piece: str, dept: str | None) -> bool:
    """Whether ``piece`` can be the end of ``cell``: the cell holds words (not only a
    figure or a code) and the piece is more words of a name, an annotation such as
    "(NPNRU)", a number ("12 13" of "Fosse 11 12 13") or more communes."""
    words = cell
    for m in find_codes(cell):
        words = words.replace(m.raw, " ")
    if not re.search(r"[A-Za-zÀ-ÿ]{2}", words):
        return False
    cleaned = clean_name(piece)
    if cleaned is None or re.fullmatch(r"[\d\s/-]+", cleaned):
        return True
    return looks_like_name(cleaned, loose=True) or bool(
        commune_names(append_piece(cell, piece), dept)
    )
