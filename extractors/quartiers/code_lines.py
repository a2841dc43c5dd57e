"""A code written on a line that is not a table row: a fiche heading or running text.

"QP062016 - Quartier Saint Elie, Fosse 13 - Hulluch (Haisnes, Douvrin)" gives a name
and communes; "Cité 2 : QP062026" a name before the code; "AVION QP062019" a commune.
In running text only "Name (QP…)" gives a name: anything else around a code in a
sentence is too loosely tied to it. A line naming several codes names none of them.
"""

from __future__ import annotations

import re

from schemas.records import Page

from ..qpv_codes import CodeMatch
from .mentions import RANK_HEADING, RANK_INLINE, Context, Found, Lines, found
from .names import (
    PIECE_SPLIT,
    SENTENCE_END,
    clean_name,
    looks_like_name,
    scan_name_back,
    strip_markup,
    tokens,
)
from .places import admin_commune, commune_names, name_with_communes, split_commune_suffix
from .rows import row_mentions, table_row


def line_mentions(
    page: Page, lines: Lines, li: int, codes: list[CodeMatch], ctx: Context
) -> list[Found]:
    """Mentions of the codes on one non-table line: a heading or an inline mention."""
    start, text = lines[li].start, lines[li].text
    distinct = list(dict.fromkeys(m.code for m in codes))
    if len(distinct) > 1:
        # "Equipements rattachés BILLY-MONTIGNY QP062021 et QP062047": whose name is it?
        return [
            found(
                page, (m.start, m.end), code=m, name=None, communes=[], rank=RANK_INLINE,
                confidence=0.9,
            )
            for m in {m.code: m for m in codes}.values()
        ]  # fmt: skip
    m = codes[0]
    in_table = table_row(page, m)
    if in_table is not None:
        cells, roles = in_table
        return row_mentions(page, (start, start + len(text)), cells, codes, roles, ctx)
    before = text[: m.start - start]
    after = text[m.end - start :]
    prose = len(strip_markup(text)) > 160 or len(SENTENCE_END.findall(text)) >= 2
    if prose:
        name, span = _prose_code_context(before, after, start, m)
        communes, rank = None, RANK_INLINE
    else:
        name, communes = _heading_parts(before, after, ctx.department)
        span = (start, start + len(text))
        rank = RANK_HEADING if name or communes else RANK_INLINE
    return [
        found(
            page, span, code=m, name=name, communes=communes or [], rank=rank,
            confidence=0.9 if rank == RANK_HEADING else 0.85,
        )
    ]  # fmt: skip


def _heading_parts(
    before: str, after: str, dept: str | None
) -> tuple[str | None, list[str] | None]:
    """Name and communes around a code on a short line.

    "QP062016 - Quartier Saint Elie, Fosse 13 - Hulluch (Haisnes, Douvrin)",
    "QP062021 Commune de Fouquières-lez-Lens", "Cité 2 : QP062026", "AVION QP062019",
    "au Quartier Prioritaire Cité 10 (QP062032)".
    """
    b = strip_markup(before)
    a = strip_markup(after)
    if b.endswith("(") and a.startswith(")"):
        b, a = b[:-1].strip(), a[1:].strip()
    name: str | None = None
    communes: list[str] | None = None
    pieces = [p for p in PIECE_SPLIT.split(a) if p and p.strip(" -–—:")] if a else []
    pieces = [p.strip(" -–—:") for p in pieces]
    while pieces:
        found_communes = commune_names(pieces[-1], dept) or admin_commune(pieces[-1], dept)
        if found_communes is None:
            break
        communes = found_communes + (communes or [])
        pieces.pop()
    if pieces:
        joined = " - ".join(pieces)
        tail = name_with_communes(joined, dept)
        if tail:
            joined, extra = tail
            communes = (communes or []) + extra
        name = clean_name(joined)
    if name is None and b:
        b = b.rstrip(" :–—-")
        q = list(
            re.finditer(
                r"\bquartiers?(?:\s+prioritaires?)?\s+(?:du\s+|de\s+la\s+|des\s+)?", b, re.I
            )
        )
        if q:
            b = b[q[-1].end() :]
        found_communes = commune_names(b, dept) or admin_commune(b, dept)
        if found_communes is not None:
            communes = (communes or []) + found_communes
        else:
            parts = split_commune_suffix(b, dept)
            if parts:
                b, extra = parts
                communes = (communes or []) + extra
            candidate = clean_name(b)
            if candidate and looks_like_name(candidate) and len(candidate.split()) <= 8:
                name = candidate
    return name, communes


def _prose_code_context(
    before: str, after: str, line_start: int, m: CodeMatch
) -> tuple[str | None, tuple[int, int]]:
    """In running text, only "Name (QP…)" or "quartier Name (QP…)" give a name."""
    clause_start = 0
    for sm in SENTENCE_END.finditer(before):
        clause_start = sm.end()
    b = before[clause_start:].rstrip()
    end = m.end
    name = None
    if b.endswith("(") and after.lstrip().startswith(")"):
        words = tokens(b[:-1])
        first = scan_name_back(words, len(words))
        if first is not None:
            name = clean_name(b[words[first][1] : words[-1][2]]) if words else None
        end = m.end + after.index(")") + 1
    return name, (line_start + clause_start, end)
