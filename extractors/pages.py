"""Page layout: positioned words -> visual lines and table rows -> a :class:`Page`.

Both the text layer (pdfium words) and OCR (Tesseract words) end here, so a page
reads the same whichever way it was obtained: words sharing a baseline form one
visual line, sorted left to right, joined by a space — or by a TAB where the gap
is wide enough to be a column or cell boundary. On pages with ruled tables each
table row becomes ONE line whose cells are TAB-separated, placed in reading
order with the rest of the page, so text-based extractors see whole rows.
"""

from __future__ import annotations

import bisect
import itertools
import re
import statistics
from dataclasses import dataclass, field

from pdfplumber import table as plumber
from pdfplumber.utils import filter_edges

from extractors.textnorm import join_fragments, mend_line_ends, normalize_line
from schemas.records import BBox, Line, Page, PageMethod, Table

TAB_GAP = 1.5  # a horizontal gap wider than this many font heights is a cell boundary
_MARGIN = 0.1  # running headers/footers live in the top/bottom tenth of a page
_WINDOW = 4  # how many recent lines a word may still join (lines are met in y order)


@dataclass(slots=True)
class Word:
    """A word (or an unbreakable run) with its box in page points, top-left origin."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # font height, the unit in which gaps are judged
    rot: int = 0  # reading direction on the displayed page: 0, 90 (upwards), 180, 270
    confidence: float | None = None
    piece: int | None = None  # OCR line id: words of one piece are known to share a line
    block: int | None = None  # OCR block id: two lines of one block never merge
    boundary: bool = False  # a cell boundary precedes it (a table rule OCR read as "|")
    glued: bool = False  # no cell boundary precedes it, however wide the gap (OCR noise removed)


@dataclass(slots=True)
class Grid:
    """A ruled table found on a page: its box and its cells row by row (None = spanned)."""

    bbox: BBox
    rows: list[list[BBox | None]]


Cell = tuple[float, float, float]  # a TAB-separated cell of a line: x0, x1, first word's width


@dataclass(slots=True)
class Draft:
    """A line before normalisation; ``frozen`` rows are never mended into neighbours."""

    text: str
    bbox: BBox
    confidence: float | None = None
    frozen: bool = False
    rot: int = 0
    cells: list[Cell] = field(default_factory=list)  # upright lines only
    size: float = 0.0  # median font height of its words


class _Band:
    """Words gathered into one line, in the reading frame of their rotation.

    ``starts``/``ends`` are the pieces' extents along the line, kept sorted so a
    new piece is checked for overlap against its two neighbours only.
    """

    __slots__ = ("blocks", "bottom", "ends", "items", "starts", "top")

    def __init__(self, top: float, bottom: float) -> None:
        self.top, self.bottom = top, bottom
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.items: list[tuple[float, float, Word]] = []  # (u0, u1, word)
        self.blocks: set[int] = set()

    def collides(self, u0: float, u1: float) -> bool:
        """Whether a piece spanning ``u0..u1`` would overlap one already on the line."""
        k = bisect.bisect_left(self.starts, u0)
        for j in (k - 1, k):
            if 0 <= j < len(self.starts):
                a, b = self.starts[j], self.ends[j]
                if min(b, u1) - max(a, u0) > 0.25 * min(b - a, u1 - u0):
                    return True
        return False

    def add(
        self,
        u0: float,
        v0: float,
        u1: float,
        v1: float,
        items: list[tuple[float, float, Word]],
        block: int | None,
    ) -> None:
        k = bisect.bisect_left(self.starts, u0)
        self.starts.insert(k, u0)
        self.ends.insert(k, u1)
        self.top = min(self.top, v0)
        self.bottom = max(self.bottom, v1)
        self.items.extend(items)
        if block is not None:
            self.blocks.add(block)


# ------------------------------------------------------------------- frames


def _to_frame(w: Word) -> BBox:
    """The word's box in its reading frame: u along the line, v down the lines."""
    if w.rot == 0:
        return (w.x0, w.top, w.x1, w.bottom)
    if w.rot == 90:
        return (-w.bottom, w.x0, -w.top, w.x1)
    if w.rot == 270:
        return (w.top, -w.x1, w.bottom, -w.x0)
    return (-w.x1, -w.bottom, -w.x0, -w.top)


def _union(boxes: list[BBox]) -> BBox:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


# ------------------------------------------------------------------- lines

Framed = tuple[float, float, Word]  # (u0, u1, word): a word placed along its line


def _pieces(words: list[Word]) -> list[tuple[float, float, float, float, list[Framed]]]:
    """Words -> framed pieces known to share a line: runs of consecutive words with
    one ``piece`` id (an OCR line, a pdfium line), single words when it is None."""
    out = []
    for key, run in itertools.groupby(words, key=_piece_of):
        for members in [[w] for w in run] if key is None else [list(run)]:
            boxes = [_to_frame(w) for w in members]
            items = [(b[0], b[2], w) for b, w in zip(boxes, members, strict=True)]
            if len(boxes) == 1:
                out.append((*boxes[0], items))
            else:
                out.append((*_union(boxes), items))
    return out


def _piece_of(w: Word) -> int | None:
    return w.piece


def _group(words: list[Word]) -> list[list[Framed]]:
    """Words of one rotation -> lines (each in reading order), ordered down the page.

    Pieces are met in order of their vertical centre; one joins a recent line when
    they overlap vertically by half the smaller height, it would not overlap a
    piece already there (two close lines never merge) and, for OCR, it comes from
    another block (Tesseract already split that block into lines).
    """
    pieces = _pieces(words)
    pieces.sort(key=lambda p: (p[1] + p[3], p[0]))
    bands: list[_Band] = []
    for u0, v0, u1, v1, items in pieces:
        block = items[0][2].block
        best, best_overlap = None, 0.0
        for band in bands[-_WINDOW:]:
            overlap = min(band.bottom, v1) - max(band.top, v0)
            if overlap <= 0 or overlap < 0.5 * min(band.bottom - band.top, v1 - v0):
                continue
            if block is not None and block in band.blocks:
                continue
            if overlap > best_overlap and not band.collides(u0, u1):
                best, best_overlap = band, overlap
        if best is None:
            best = _Band(v0, v1)
            bands.append(best)
        best.add(u0, v0, u1, v1, items, block)
    return [sorted(band.items, key=lambda it: it[0]) for band in bands]


def _join(line: list[Framed], tab_gap: float) -> tuple[str, list[Cell]]:
    """Words of one line (reading order) joined by a space, or a TAB across a wide gap;
    and the extent of each TAB-separated cell along the line."""
    first = line[0]
    cells = [[first[0], first[1], first[1] - first[0]]]
    if len(line) == 1:
        return first[2].text, [tuple(cells[0])]
    limit = tab_gap * statistics.median(it[2].size for it in line)
    gaps = []
    prev_end = first[1]
    for u0, u1, _ in line[1:]:
        gaps.append(u0 - prev_end)
        prev_end = max(prev_end, u1)
    justified = _justified(line, gaps, limit)
    parts = [first[2].text]
    for gap, (u0, u1, w) in zip(gaps, line[1:], strict=True):
        tab = not justified and ((gap > limit and not w.glued) or w.boundary)
        parts.append("\t" if tab else " ")
        parts.append(w.text)
        if tab:
            cells.append([u0, u1, u1 - u0])
        else:
            cells[-1][1] = max(cells[-1][1], u1)
    return "".join(parts), [(a, b, c) for a, b, c in cells]


def _justified(line: list[Framed], gaps: list[float], limit: float) -> bool:
    """A short justified line stretched to the full width: every gap wide and equal, words.

    Cells of a table row are not evenly spaced, or hold numbers.
    """
    if len(gaps) < 3 or min(gaps) <= limit or max(gaps) > 1.25 * min(gaps):
        return False
    return sum(1 for it in line if it[2].text[0].isalpha()) > 0.75 * len(line)


def _lines(words: list[Word]) -> list[list[Framed]]:
    """All words -> lines: upright lines first (top to bottom), then rotated ones."""
    if all(w.rot == 0 for w in words):
        return _group(words)
    by_rot: dict[int, list[Word]] = {}
    for w in words:
        by_rot.setdefault(w.rot, []).append(w)
    out = []
    for rot in sorted(by_rot):
        out.extend(_group(by_rot[rot]))
    return out


def _draft(line: list[Framed], tab_gap: float) -> Draft:
    words = [it[2] for it in line]
    confs = [w.confidence for w in words if w.confidence is not None]
    text, cells = _join(line, tab_gap)
    return Draft(
        text=text,
        bbox=(
            min(w.x0 for w in words),
            min(w.top for w in words),
            max(w.x1 for w in words),
            max(w.bottom for w in words),
        ),
        confidence=sum(confs) / len(confs) if confs else None,
        rot=words[0].rot,
        cells=cells if words[0].rot == 0 else [],
        size=statistics.median(w.size for w in words),
    )


# ------------------------------------------------------------------- wrapped cells

_WINDOW_ROWS = 4  # rows either side whose right ends tell where a table's last column ends


def _merge_wrapped(drafts: list[Draft]) -> list[Draft]:
    """Upright drafts (top to bottom) with the wrapped cells of unruled tables put back.

    A cell too long for its column wraps onto a line of its own that starts under
    that column, nothing under the first one. Such a line, close below a row of
    cells, joins the row when each of its pieces sits under a distinct column of
    the row and could not have fitted at the end of that column's cell (the test
    a line breaker applies). Ruled tables (frozen rows) are whole already.
    """
    out: list[Draft] = []
    for k, draft in enumerate(drafts):
        prev = out[-1] if out else None
        columns = _under(prev, draft, drafts, k) if prev is not None else None
        if prev is None or columns is None:
            out.append(draft)
            continue
        texts, pieces = prev.text.split("\t"), draft.text.split("\t")
        for piece, cell, j in zip(pieces, draft.cells, columns, strict=True):
            texts[j] = join_fragments([texts[j], piece])
            x0, x1, first = prev.cells[j]
            prev.cells[j] = (x0, max(x1, cell[1]), first)
        prev.text = "\t".join(texts)
        prev.bbox = _union([prev.bbox, draft.bbox])
        confs = [c for c in (prev.confidence, draft.confidence) if c is not None]
        prev.confidence = sum(confs) / len(confs) if confs else None
    return out


def _under(prev: Draft, line: Draft, drafts: list[Draft], k: int) -> list[int] | None:
    """The columns of ``prev`` that the pieces of ``line`` continue, or None."""
    if prev.frozen or line.frozen or prev.rot or line.rot or len(prev.cells) < 2:
        return None
    size = max(prev.size, line.size)
    if not line.cells or line.bbox[1] - prev.bbox[3] > 0.6 * size:
        return None
    starts = [c[0] - 0.5 * size for c in prev.cells]
    if line.cells[0][0] < starts[1]:  # something under the first column: a row of its own
        return None
    rows = drafts[max(0, k - _WINDOW_ROWS) : k + _WINDOW_ROWS + 1]
    right = max(d.bbox[2] for d in rows if len(d.cells) >= 2 and not d.frozen)
    columns: list[int] = []
    for x0, _, first in line.cells:
        j = max(i for i, start in enumerate(starts) if start <= x0)
        if columns and j <= columns[-1]:
            return None
        end = prev.cells[j + 1][0] if j + 1 < len(prev.cells) else right
        if prev.cells[j][1] + 0.3 * size + first <= end:  # the word would have fitted
            return None
        columns.append(j)
    return columns


# ------------------------------------------------------------------- tables


def find_grids(segments: list[BBox]) -> list[Grid]:
    """Ruled tables from the straight strokes drawn on a page, by pdfplumber's algorithm.

    ``segments`` are horizontal (top == bottom) and vertical (x0 == x1) strokes and
    rectangle sides in the page frame. This is pdfplumber's "lines" table finder with
    its default tolerances, fed from pdfium's path objects instead of a full
    pdfminer parse of the page, which costs ten times more than the rest of parsing.
    """
    edges = []
    for x0, top, x1, bottom in segments:
        edges.append(
            {
                "x0": x0,
                "x1": x1,
                "top": top,
                "bottom": bottom,
                "doctop": top,
                "width": x1 - x0,
                "height": bottom - top,
                "orientation": "h" if top == bottom else "v",
                "object_type": "line",
            }
        )
    edges = filter_edges(plumber.merge_edges(edges, 3, 3, 3, 3), min_length=3)
    cells = plumber.intersections_to_cells(plumber.edges_to_intersections(edges, 3, 3))
    grids = []
    for group in plumber.cells_to_tables(cells):
        table = plumber.Table(None, group)
        grids.append(Grid(bbox=table.bbox, rows=[list(r.cells) for r in table.rows]))
    return grids


def _fill(
    grid: Grid, words: list[Word], taken: set[int]
) -> tuple[list[list[str | None]], list[Draft]]:
    """Cell strings of ``grid`` and one frozen Draft per non-empty row.

    Each word goes to the cell holding its centre; the indices of the words used
    join ``taken``.
    """
    cells: dict[tuple[int, int], list[Word]] = {}
    x0, top, x1, bottom = grid.bbox
    spans = [
        (min(c[1] for c in row if c), max(c[3] for c in row if c)) if any(row) else (0.0, -1.0)
        for row in grid.rows
    ]
    for k, w in enumerate(words):
        cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
        if k in taken or not (x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1):
            continue
        spot = _cell_at(grid, spans, cx, cy)
        if spot is not None:
            cells.setdefault(spot, []).append(w)
            taken.add(k)
    rows: list[list[str | None]] = []
    drafts: list[Draft] = []
    for r, row_cells in enumerate(grid.rows):
        row: list[str | None] = []
        for c, cell in enumerate(row_cells):
            mine = cells.get((r, c), [])
            fragments = [" ".join(it[2].text for it in ln) for ln in _lines(mine)]
            row.append((join_fragments(fragments) or None) if cell is not None else None)
        rows.append(row)
        boxes = [c for c in row_cells if c is not None]
        if boxes and any(row):
            text = "\t".join(c or "" for c in row)
            drafts.append(Draft(text=text, bbox=_union(boxes), frozen=True))
    return rows, drafts


def _cell_at(
    grid: Grid, spans: list[tuple[float, float]], cx: float, cy: float
) -> tuple[int, int] | None:
    """(row, column) of the cell containing the point, rows found first by their span."""
    for r, (top, bottom) in enumerate(spans):
        if top <= cy <= bottom:
            for c, cell in enumerate(grid.rows[r]):
                if cell is not None and cell[0] <= cx <= cell[2] and cell[1] <= cy <= cell[3]:
                    return r, c
    return None


def layout(
    words: list[Word], grids: list[Grid] | None = None, tab_gap: float = TAB_GAP
) -> tuple[list[Draft], list[tuple[BBox, list[list[str | None]]]]]:
    """Words (and the page's ruled tables) -> line drafts in reading order, table rows.

    Upright lines and table rows come top to bottom; rotated lines (margin notes,
    vertical headers) follow. Tables with fewer than two rows or two columns are
    framed text, not tables: their words stay ordinary lines.
    """
    drafts: list[Draft] = []
    tables = []
    taken: set[int] = set()
    for grid in grids or []:
        if len(grid.rows) < 2 or max(len(r) for r in grid.rows) < 2:
            continue
        rows, row_drafts = _fill(grid, words, taken)
        drafts.extend(row_drafts)
        tables.append((grid.bbox, rows))
    drafts.extend(
        _draft(line, tab_gap) for line in _lines([w for k, w in enumerate(words) if k not in taken])
    )
    upright = _merge_wrapped(sorted((d for d in drafts if d.rot == 0), key=lambda d: d.bbox[1]))
    return upright + [d for d in drafts if d.rot != 0], tables


# ------------------------------------------------------------------- page


def build_page(
    number: int,
    method: PageMethod,
    width: float,
    height: float,
    drafts: list[Draft],
    tables: list[tuple[BBox, list[list[str | None]]]] | None = None,
    confidence: float | None = None,
) -> Page:
    """Normalise the drafts, mend their line ends, then cut ``Page.text`` and its ``Line``s."""
    texts = mend_line_ends([normalize_line(d.text) for d in drafts], [d.frozen for d in drafts])
    lines: list[Line] = []
    offset = 0
    for text, d in zip(texts, drafts, strict=True):
        if not text.strip("\t"):
            if lines and d.text.strip():  # moved up into the previous line
                prev = lines[-1]
                prev.bbox = _union([prev.bbox, d.bbox]) if prev.bbox else d.bbox
            continue
        lines.append(Line(text=text, start=offset, bbox=d.bbox, confidence=d.confidence))
        offset += len(text) + 1
    return Page(
        number=number,
        text="\n".join(ln.text for ln in lines),
        method=method,
        width=width,
        height=height,
        lines=lines,
        tables=[Table(page=number, rows=rows, bbox=bbox) for bbox, rows in tables or []],
        confidence=confidence,
    )


# ------------------------------------------------------------------- continuation

_DIGIT = re.compile(r"\d")


def _norm_row(row: list[str | None]) -> list[str]:
    return [" ".join((c or "").lower().split()) for c in row]


def _header_like(table: Table, previous_header: list[str | None]) -> bool:
    """A first row that repeats the previous header, or is all words above rows of numbers."""
    first, rest = table.rows[0], table.rows[1:4]
    if _norm_row(first) == _norm_row(previous_header):
        return True
    numeric = any(_DIGIT.search(c or "") for c in first)
    return not numeric and any(_DIGIT.search(c or "") for row in rest for c in row)


def _table_lines(page: Page, table: Table) -> set[int]:
    box = table.bbox
    if box is None:
        return set()
    return {
        i
        for i, ln in enumerate(page.lines)
        if ln.bbox
        and box[0] - 1 <= (ln.bbox[0] + ln.bbox[2]) / 2 <= box[2] + 1
        and box[1] - 1 <= (ln.bbox[1] + ln.bbox[3]) / 2 <= box[3] + 1
    }


def _opens_page(page: Page, table: Table) -> bool:
    """No body line above ``table`` (running headers in the top margin do not count)."""
    rows = _table_lines(page, table)
    limit = page.height * _MARGIN
    return all(
        i in rows or ln.bbox is None or ln.bbox[3] <= limit or ln.bbox[1] >= table.bbox[1]
        for i, ln in enumerate(page.lines)
    )


def _closes_page(page: Page, table: Table) -> bool:
    """No body line below ``table`` (footers and page numbers in the bottom margin do not count)."""
    rows = _table_lines(page, table)
    limit = page.height * (1 - _MARGIN)
    return all(
        i in rows or ln.bbox is None or ln.bbox[1] >= limit or ln.bbox[3] <= table.bbox[3]
        for i, ln in enumerate(page.lines)
    )


def mark_continued(pages: list[Page]) -> None:
    """Set ``Table.continued`` on tables that carry on, headerless, from the previous page.

    The rule: the table opens its page, the previous page closes on a table with
    the same number of columns, and the first row is not header-like.
    """
    header: list[str | None] | None = None
    for prev, page in itertools.pairwise(pages):
        if not prev.tables:
            header = None
            continue
        last = max(prev.tables, key=lambda t: t.bbox[3] if t.bbox else 0)
        if header is None or not last.continued:
            header = last.rows[0]
        if not page.tables:
            continue
        first = min(page.tables, key=lambda t: t.bbox[1] if t.bbox else 0)
        if (
            first.bbox
            and last.bbox
            and len(first.rows[0]) == len(last.rows[0])
            and _opens_page(page, first)
            and _closes_page(prev, last)
            and not _header_like(first, header)
        ):
            first.continued = True
