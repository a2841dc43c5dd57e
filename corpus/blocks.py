"""A seed text cut into the blocks a page layout is made of.

Seeds are line-oriented: Markdown-ish headings, prose lines, blank lines, and table
blocks written either as TAB-separated rows or as Markdown pipe rows. Each prose line
stays its own paragraph so that the reading order of the PDF is the order of the
seed (the gold annotations are keyed by seed line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.inline import RichLine, parse_inline, plain

Cell = list[RichLine]

_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_PIPE_SEPARATOR_CELL = re.compile(r"^\s*:?-+:?\s*$")
_FIGURE = re.compile(r"[\d\s.,:;%+\-/()]*\d[\d\s.,:;%+\-/()]*")


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1..3
    text: list[RichLine]


@dataclass(frozen=True, slots=True)
class Para:
    text: list[RichLine]


@dataclass(frozen=True, slots=True)
class Gap:
    lines: int  # number of consecutive blank seed lines


@dataclass(frozen=True, slots=True)
class TableBlock:
    rows: list[list[Cell]]  # every row has the same number of cells
    header: bool  # the first row is a header (repeated on continuation pages)


Block = Heading | Para | Gap | TableBlock


def _kind(line: str) -> str:
    if not line.strip():
        return "blank"
    if _HEADING.match(line):
        return "heading"
    stripped = line.strip()
    if len(stripped) >= 2 and stripped.startswith("|") and stripped.endswith("|"):
        return "pipe"
    if "\t" in line:
        return "tsv"
    return "prose"


def _pad(rows: list[list[Cell]]) -> list[list[Cell]]:
    width = max(len(r) for r in rows)
    return [r + [[] for _ in range(width - len(r))] for r in rows]


def _is_figure(cell: str) -> bool:
    return "€" in cell or _FIGURE.fullmatch(cell) is not None


def _tsv_table(lines: list[str]) -> TableBlock:
    raw = [line.split("\t") for line in lines]
    rows = _pad([[parse_inline(c.strip())[0] for c in r] for r in raw])
    # A header row names columns; a first row holding figures or amounts is data.
    first = [plain(c) for c in rows[0] if c]
    header = len(rows) >= 2 and len(first) >= 2 and not any(_is_figure(c) for c in first)
    return TableBlock(rows=rows, header=header)


def _pipe_table(lines: list[str]) -> TableBlock | None:
    raw = [line.strip()[1:-1].split("|") for line in lines]
    is_sep = [all(_PIPE_SEPARATOR_CELL.match(c) for c in r) for r in raw]
    kept = [r for r, sep in zip(raw, is_sep, strict=True) if not sep]
    if not kept:
        return None
    rows = _pad([[parse_inline(c.strip())[0] for c in r] for r in kept])
    # Markdown semantics: the row right above the first separator is the header.
    header = len(is_sep) > 1 and is_sep[1] and not is_sep[0] and len(rows) >= 2
    return TableBlock(rows=rows, header=header)


def parse_seed(text: str) -> list[Block]:
    """The blocks of a seed text, in order."""
    blocks: list[Block] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    bold = False  # Markdown bold carried across consecutive prose lines
    i = 0
    while i < len(lines):
        kind = _kind(lines[i])
        j = i + 1
        if kind in ("blank", "pipe", "tsv"):
            while j < len(lines) and _kind(lines[j]) == kind:
                j += 1
        if kind != "prose":
            bold = False
        if kind == "blank":
            blocks.append(Gap(lines=j - i))
        elif kind == "heading":
            m = _HEADING.match(lines[i])
            assert m is not None
            level = min(len(m.group(1)), 3)
            blocks.append(Heading(level=level, text=parse_inline(m.group(2))[0]))
        elif kind == "tsv":
            blocks.append(_tsv_table(lines[i:j]))
        elif kind == "pipe":
            table = _pipe_table(lines[i:j])
            if table is not None:
                blocks.append(table)
        else:
            rich, bold = parse_inline(lines[i], bold)
            if rich:
                blocks.append(Para(text=rich))
        i = j
    return blocks
