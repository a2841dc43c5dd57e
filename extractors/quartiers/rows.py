"""Table rows -> mentions: the QPV table (coded rows) and tables of codeless quartiers.

A coded row is the most trusted mention of a quartier: it gives the name as the
State lists it, the communes, and the only population and income figures the record
keeps. A codeless table (quartiers de veille, QIC...) only counts when its header has
a quartier column and the header or the heading above says what its rows are.
"""

from __future__ import annotations

import re

from schemas.records import Line, Page

from ..communes import fold
from ..qpv_codes import CodeMatch
from .align import fits, realign
from .headers import content_roles, header_roles
from .mentions import RANK_CODELESS, RANK_INLINE, RANK_TABLE, Context, Found, Roles, found
from .names import clean_name, looks_like_name
from .numbers import int_value, money_value
from .places import commune_names, communes_of, split_commune_prefix, split_commune_tail
from .wraps import Row, joined_cells


def coded_row_mentions(
    page: Page, row: Row, codes: list[CodeMatch], roles: Roles, ctx: Context
) -> list[Found]:
    """The mentions of a row of the QPV table, its wrapped lines included."""
    cells, end = joined_cells(row, ctx.department)
    return row_mentions(page, (row.line.start, end), cells, codes, roles, ctx)


def row_mentions(
    page: Page,
    span: tuple[int, int],
    cells: list[str],
    codes: list[CodeMatch],
    roles: Roles,
    ctx: Context,
) -> list[Found]:
    """One mention per code of a table row, with the row's name, communes and figures.

    Under a header the cells are read by position, or re-aligned to the header's
    columns when they do not fit them (a scanned row); without one, by content.
    """
    header = bool(roles)
    confidence = 0.95 if header else 0.75
    realigned, has_communes = False, "communes" in roles.values()
    if not roles:
        roles = content_roles(cells, codes, ctx.department)
    elif not fits(cells, roles, codes):
        cells, roles = realign(cells, roles, codes, ctx.department)
        confidence, realigned = 0.9, True
    name = communes = population = income = count_cell = None
    for i, role in roles.items():
        if i >= len(cells):
            continue
        cell = cells[i]
        if role.startswith("name"):
            stripped = cell
            for m in codes:
                stripped = stripped.replace(m.raw, " ")
            candidate = clean_name(stripped)
            if candidate and not name:
                parts = split_commune_prefix(candidate, ctx.department)
                if parts:
                    communes, candidate = parts
                # Under a header the name column is a name even when it is a commune's.
                if candidate and (header or communes_of(candidate, ctx.department) is None):
                    name = candidate
        elif role == "communes":
            communes = commune_names(cell, ctx.department) or communes
        elif role == "population":
            population, count_cell = int_value(cell), cell
        elif role == "income":
            income = money_value(cell)
    if realigned and has_communes and name and not communes:
        # OCR merged the commune cell into the name's: "Maroc - La Canche Méricourt".
        parts = split_commune_tail(name, ctx.department)
        if parts:
            name, communes = parts
    seen: set[str] = set()
    out = []
    for m in codes:
        if m.code in seen:
            continue
        seen.add(m.code)
        row_found = found(
            page,
            span,
            code=m,
            name=name,
            communes=list(communes or []),
            rank=RANK_TABLE if header else RANK_INLINE,
            confidence=confidence,
            population=population,
            income=income,
        )
        if page.method == "ocr":
            row_found.count_cell = count_cell
        out.append(row_found)
    return out


def table_row(page: Page, m: CodeMatch) -> tuple[list[str], Roles] | None:
    """The row of ``page.tables`` holding code ``m`` and the roles its table's header
    gives, for a table whose text lines do not carry its cells as TAB-separated."""
    for table in page.tables:
        for r, row in enumerate(table.rows):
            cells = [" ".join((c or "").split()) for c in row]
            if any(m.raw in c for c in cells):
                has_header = r > 0 and not table.continued
                header = [c or "" for c in table.rows[0]] if has_header else []
                return cells, (header_roles(header) or {}) if header else {}
    return None


def codeless_table(
    page: Page, header_line: Line | None, rows: list[Row], roles: Roles, ctx: Context
) -> list[Found]:
    """Rows of a table of quartiers without codes (veille, QIC, ...), when the header
    has a quartier column and the header or the heading above says what they are.
    ``header_line`` is the header when it is on this page."""
    name_col = next((i for i, r in roles.items() if r.startswith("name")), None)
    if name_col is None or ctx.last_status is None or not rows:
        return []
    if header_line is not None:  # is the header's name column about quartiers?
        header = header_line.text.split("\t")
        label = fold(clean_name(header[name_col] if name_col < len(header) else "") or "")
        if not re.match(r"(?:quartiers?|perimetre|nom du quartier|qpv|qic)\b", label):
            return []
    out = []
    for row in rows:
        cells, end = joined_cells(row, ctx.department)
        name = communes = population = None
        for i, role in roles.items():
            cell = cells[i] if i < len(cells) else ""
            if i == name_col:
                name = clean_name(cell)
            elif role == "communes":
                communes = commune_names(cell, ctx.department)
            elif role == "population":
                population = int_value(cell)
        if name and communes is None:
            parts = split_commune_prefix(name, ctx.department)
            if parts:
                communes, name = parts
        if not name or not looks_like_name(name, loose=True, max_words=20):
            continue
        if communes is None and communes_of(name, ctx.department):
            continue  # a sub-row naming a commune, not a quartier
        out.append(
            found(
                page,
                (row.line.start, end),
                code=None,
                name=name,
                communes=list(communes or []),
                rank=RANK_CODELESS,
                confidence=0.8,
                status=ctx.last_status,
                population=population,
            )
        )
    return out
