"""What a table says of an amount in one of its cells: the row label and the column header.

In a table the amount's own cell holds only the figure; the first cell of its row
("Axe 1 : Publics fragiles") and the header above its column ("Contributions",
"ANCT « BOP 147 »") say what it is and, often, who pays and for which year.
"""

from __future__ import annotations

import re

from extractors.amounts.layout import Found, Layout
from extractors.amounts.text import cells, clean, is_row, word_count

_HEADER_MAX_LOOKBACK = 60
_HEADER_MAX_WORDS = 16


def amount_only(text: str) -> bool:
    """Whether a cell holds nothing but amounts (and stray symbols)."""
    return word_count(clean(text)) <= 1


def column_header(layout: Layout, f: Found) -> tuple[str | None, str | None, str | None]:
    """(row label, column header cell, whole header row) of an amount in a table row.

    The header is the first row of the block of rows the amount's row belongs to,
    provided it is text (not figures) and holds no amount.
    """
    line = layout.lines[f.line]
    spans = cells(line.text)
    if len(spans) < 2:
        return None, None, None
    a = f.match.start - line.start
    col = next((i for i, (s, e) in enumerate(spans) if s <= a <= e), 0)
    row_label = None
    if col > 0:
        first = clean(line.text[spans[0][0] : spans[0][1]])
        if re.search(r"[^\W\d_]{2}", first):
            row_label = first
    top = None
    for k in range(f.line - 1, max(-1, f.line - _HEADER_MAX_LOOKBACK), -1):
        text = layout.lines[k].text
        if not text.strip():
            continue
        if not is_row(text):
            break
        top = k
    if top is None or top in layout.by_line:
        return row_label, None, None
    text = layout.lines[top].text
    hcells = [clean(text[s:e]) for s, e in cells(text)]
    filled = [c for c in hcells if c]
    textual = [c for c in filled if re.match(r"[^\W\d_]", c)]
    if not filled or len(textual) * 2 < len(filled):
        return row_label, None, None
    if any(word_count(c) > _HEADER_MAX_WORDS for c in filled):
        return row_label, None, None
    header = hcells[col] if col < len(hcells) else None
    return row_label, header or None, " ".join(filled)
