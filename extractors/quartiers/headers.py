"""Which column of a table holds what: names, codes, communes, population, income.

A QPV table is read by its header when it has one ("Code | Quartier prioritaire |
Commune(s) | Population | Revenu médian"); a table continued on the next page keeps
the last header of the same width; a table without a header has its columns guessed
from what the cells contain. The heading above a table says what its rows are (a
table of "quartiers de veille" is announced by its section title).
"""

from __future__ import annotations

import re

from ..communes import fold
from ..qpv_codes import CodeMatch, find_codes
from .align import fills_columns
from .mentions import Context, Lines, Roles, window
from .names import clean_name, looks_like_name, strip_markup
from .numbers import MONEY
from .places import communes_of
from .status import status_from


def header_roles(cells: list[str]) -> Roles | None:
    """Column roles read from header words, or None when ``cells`` is not a header."""
    roles: Roles = {}
    for i, cell in enumerate(cells):
        h = fold(clean_name(cell) or "")
        if len(h) > 60 or "<li" in cell:
            return None  # a header is a row of short labels
        if not h:
            continue
        if re.search(r"\brevenu|\bmedian", h):
            roles[i] = "income"
        elif re.search(r"\bpopulation|\bhabitants|\bnb d.?hab", h):
            roles[i] = "population"
        elif re.search(r"\bcommunes?\b|^villes?\b", h):
            roles[i] = "communes"
        elif re.search(r"\bquartiers?\b", h) or re.match(
            r"(?:nom|libelle|denomination|intitule|qpv|site|perimetre)\b", h
        ):
            roles[i] = "name+code" if "code" in h else "name"
        elif re.search(r"^code\b|\bcode (?:qpv|quartier|insee)|^identifiant", h):
            roles[i] = "code"
        elif re.search(r"[a-z]{2}", h):
            roles[i] = "other"  # a column the record does not keep ("Page", "Superficie")
    kept = [r for r in roles.values() if r != "other"]
    if not kept:
        return None
    named = any(r.startswith("name") for r in kept)
    return roles if named or len(kept) >= 2 else None


def block_header(block: list[int], lines: Lines, ctx: Context) -> tuple[Roles, bool]:
    """The header of a table block: its first line, or, for a table continued from the
    previous page, the last header seen, when the block's first row has as many cells
    or its cells all find a column of it; empty when unknown (content types decide
    then), and whether the block's first line is that header. Also records what the
    table lists (:attr:`Context.last_status`)."""
    first = lines[block[0]].text
    cells = [c.strip() for c in first.split("\t")]
    if not find_codes(first):
        roles = header_roles(cells)
        if roles:
            ctx.last_header, ctx.last_header_width = roles, len(cells)
            ctx.last_status = status_from(first) or heading_status(lines, block[0])
            return roles, True
    if (
        ctx.last_header
        and block[0] <= 3
        and (
            ctx.last_header_width == len(cells)
            or fills_columns(cells, ctx.last_header, find_codes(first), ctx.department)
        )
    ):
        return ctx.last_header, False
    ctx.last_header, ctx.last_status = None, None
    return {}, False


def heading_status(lines: Lines, li: int) -> str | None:
    """What the nearest heading above line ``li`` (else the lines just above) says the
    quartiers are: a table of "quartiers de veille" is announced by its section title."""
    for j in range(li - 1, max(-1, li - 16), -1):
        t = strip_markup(lines[j].text)
        if t and (
            (len(t) <= 100 and not re.search(r"[.,;:]$", t))
            or lines[j].text.lstrip().startswith("#")
        ):
            status = status_from(t)
            if status:
                return status
    return status_from(window(lines, li - 1)) if li > 0 else None


def content_roles(cells: list[str], codes: list[CodeMatch], dept: str | None) -> Roles:
    """Column roles guessed from the cells themselves, for a row without a header."""
    roles: Roles = {}
    for i, cell in enumerate(cells):
        if any(m.raw in cell for m in codes):
            roles[i] = "name+code"
        elif communes_of(clean_name(cell) or "", dept):
            roles[i] = "communes"
        elif MONEY.search(cell):
            roles[i] = "income"
    if not any(r == "name" for r in roles.values()):
        for i, cell in enumerate(cells):
            if i not in roles and looks_like_name(clean_name(cell) or ""):
                roles[i] = "name"
                break
    return roles
