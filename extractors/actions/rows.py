"""The document's lines as the action readers see them: cleaned cells and amounts.

Every reader works on the same list of rows, in reading order with the pages chained
(so tables and lists continue across page breaks), and marks the rows it used so that
no other reader takes them again. Amounts are not re-parsed: a row carries the
:class:`Amount` records the amounts extractor found on its line, so an action and the
amounts table always agree on a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.folding import fold
from schemas.records import Amount, Line, Page, ParsedDocument, Provenance

EXTRACTOR = "actions"

# Markup that text converters leave around words (markdown, HTML) and list bullets.
_TAGS = re.compile(r"</?[a-zA-Z][^>]*>")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)|\\(?=[*_#])")
BULLET = re.compile(r"^(?:[#>\s]|[-–—•·▪◦►➤➢→⇒✓✔❖\uf0a7\uf0b7\uf0d8]|\d{1,2}[.)/]\s|[a-z][.)]\s)+")
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]+")
# A lone bar: a table rule or an OCR reading of "l'", never part of a word.
_STRAY_BAR = re.compile(r"(?:^|(?<=\s))[|¦](?=\s|$)")
_PIPE_RULE = re.compile(r"^\|?\s*:?-{2,}")


SENTENCE_END = re.compile(r"[.;!?…]\s*$")  # a line that ends its sentence


@dataclass(slots=True)
class Row:
    """One line of the document with its cleaned cells and the amounts read on it."""

    index: int
    page: Page
    line: Line
    cells: list[str]
    amounts: list[Amount]

    @property
    def text(self) -> str:
        return " ".join(c for c in self.cells if c)

    @property
    def folded(self) -> str:
        return fold(self.text)

    @property
    def blank(self) -> bool:
        """No letter or digit: empty, or a stray mark (a colon wrapped onto its own line)."""
        return not any(c.isalnum() for c in self.text)

    @property
    def is_table(self) -> bool:
        return sum(1 for c in self.cells if c) >= 2 or len(self.cells) >= 3


@dataclass(slots=True)
class Doc:
    """The rows of a document and the indexes of those a reader already turned into actions."""

    rows: list[Row]
    used: set[int] = field(default_factory=set)
    department: str | None = None  # the document's, to tell apart communes of one name

    def sentence(self, i: int, max_rows: int) -> list[Row]:
        """Row ``i`` and the rows its sentence runs on to: up to a row that ends one
        (``.;!?…``), a blank or table row, or ``max_rows`` rows."""
        rows = [self.rows[i]]
        k = i + 1
        while (
            k < len(self.rows)
            and len(rows) < max_rows
            and not SENTENCE_END.search(rows[-1].text)
            and not self.rows[k].blank
            and not self.rows[k].is_table
        ):
            rows.append(self.rows[k])
            k += 1
        return rows

    def next_filled(self, i: int, max_blank: int = 2) -> int | None:
        """Index of the first non-blank row from ``i`` on, skipping at most ``max_blank``."""
        skipped = 0
        while i < len(self.rows):
            if not self.rows[i].blank:
                return i
            skipped += 1
            if skipped > max_blank:
                return None
            i += 1
        return None


def clean_cell(text: str) -> str:
    """A cell or line without markup, bullets and repeated spaces."""
    text = _TAGS.sub(" ", text)
    text = _EMPHASIS.sub("", text)
    text = _STRAY_BAR.sub(" ", text)
    text = BULLET.sub("", text.strip())
    return _SPACES.sub(" ", text).strip(" *_")


def read_rows(doc: ParsedDocument, amounts: list[Amount]) -> Doc:
    """Every line of ``doc`` in reading order, with the amounts that start on it."""
    by_page: dict[int, list[Amount]] = {}
    for a in amounts:
        by_page.setdefault(a.provenance.page, []).append(a)
    rows: list[Row] = []
    for page in doc.pages:
        on_page = sorted(by_page.get(page.number, []), key=lambda a: a.provenance.start)
        for line in page.lines:
            on_line = [a for a in on_page if line.start <= a.provenance.start < line.end]
            rows.append(Row(len(rows), page, line, _cells(line.text), on_line))
    return Doc(rows)


def _cells(text: str) -> list[str]:
    """Cells of a line: TAB-separated, or a markdown pipe row ("| a | b |")."""
    stripped = text.strip()
    if "\t" not in text and stripped.startswith("|") and stripped.count("|") >= 2:
        if _PIPE_RULE.match(stripped):
            return []
        text = stripped.strip("|").replace("|", "\t")
    cells = [clean_cell(c) for c in text.split("\t")]
    while len(cells) > 1 and not cells[-1]:
        cells.pop()
    if cells and not any(cells):
        return []
    return cells


def cell_spans(row: Row) -> list[tuple[int, int]]:
    """Offsets in ``Page.text`` of each TAB cell of a row's line."""
    spans, pos = [], row.line.start
    for part in row.line.text.split("\t"):
        spans.append((pos, pos + len(part)))
        pos += len(part) + 1
    return spans


def without_amounts(row: Row, text: str | None = None) -> str:
    """``text`` (default: the row's text) with the row's amounts and their brackets removed."""
    out = row.text if text is None else text
    for a in row.amounts:
        raw = clean_cell(a.provenance.raw)
        if raw:
            out = out.replace(raw, " ", 1)
    out = re.sub(r"\(\s*\)|\[\s*\]", " ", out)
    return tidy(out)


def tidy(title: str) -> str:
    """A title without repeated spaces and the punctuation left at its ends."""
    title = _SPACES.sub(" ", title)
    return title.strip(" \t:;,.-–—=/*·|_").strip()


def first_amount(row: Row | None) -> float | None:
    return row.amounts[0].value_eur if row is not None and row.amounts else None


def provenance(rows: list[Row], confidence: float) -> Provenance:
    """Span from the first to the last of ``rows`` that lie on the first row's page."""
    first = rows[0]
    same_page = [r for r in rows if r.page is first.page]
    return page_span(first.page, first.line.start, same_page[-1].line.end, confidence=confidence)


def page_span(
    page: Page, start: int, end: int, *, extractor: str = EXTRACTOR, confidence: float = 1.0
) -> Provenance:
    """Provenance of ``page.text[start:end]``, with the box of its lines."""
    return Provenance(
        page=page.number,
        start=start,
        end=end,
        raw=page.text[start:end],
        extractor=extractor,
        confidence=confidence,
        bbox=page.bbox_for(start, end),
    )
