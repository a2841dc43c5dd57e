"""Line text as the amount rules read it: markup stripped, table cells located.

Slide decks, OCR-to-markdown output and PDF text all reach the extractor, so a line
may carry HTML tags, LaTeX, markdown emphasis and bullets; :func:`clean` removes
them before words are counted or a label is cut. :func:`cells` finds the cells of a
table row whichever way the producer wrote it (TAB-separated or ``| a | b |``).
"""

from __future__ import annotations

import re
from itertools import pairwise

TAG = re.compile(r"</?[a-zA-Z][^>]*>")
MARKUP = re.compile(r"\*\*|__|\\\*|^#+\s*|\$\$")
BULLET = re.compile(r"^\s*(?:[-–•⇒▪◦●*>]|\d{1,2}[.)](?!\d))\s*")
# Where a sentence or a list item ends inside a line.
BOUNDARY = re.compile(
    r"(?<=[.!?;])\s+(?=\S)|</?(?:p|li|ul|ol|br|td|tr|div)\b[^>]*>|•|\$\$|(?<=\.)\*+\s*"
)
WORD = re.compile(r"[A-Za-zÀ-ÿ][\w'’-]*")
_LATEX_TEXT = re.compile(r"\\(?:text|mathrm|textrm|mbox)\{([^{}]*)\}")
_LATEX_SPACE = re.compile(r"\\[ ,;:!]")


def clean(text: str) -> str:
    """Text without HTML tags, LaTeX and markdown markup, bullets and repeated spaces."""
    text = TAG.sub(" ", text)
    text = _LATEX_TEXT.sub(r"\1", text).replace("\\times", "×")
    text = _LATEX_SPACE.sub(" ", text)
    text = MARKUP.sub("", text.strip())
    text = BULLET.sub("", text)
    return re.sub(r"\s+", " ", text).strip(" \t-–:,;|*")


def cells(text: str) -> list[tuple[int, int]]:
    """Cell spans of a line: TAB-separated, or a markdown ``| a | b |`` row."""
    if "\t" in text:
        spans, pos = [], 0
        for part in text.split("\t"):
            spans.append((pos, pos + len(part)))
            pos += len(part) + 1
        return spans
    stripped = text.strip()
    if stripped.startswith("|") and stripped.count("|") >= 3:
        bars = [i for i, c in enumerate(text) if c == "|"]
        return [(a + 1, b) for a, b in pairwise(bars)]
    return [(0, len(text))]


def is_row(text: str) -> bool:
    """Whether the line is a table row (two cells or more)."""
    return len(cells(text)) >= 2


def starts_lower(text: str) -> bool:
    """Whether ``text`` starts with a lower-case word: it continues a broken sentence."""
    m = re.match(r"\W*([^\W\d_])", clean(text))
    return bool(m and m.group(1).islower())


def word_count(text: str) -> int:
    """Number of words (a figure is not a word)."""
    return len(WORD.findall(text))
