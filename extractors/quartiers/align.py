"""Row cells -> header columns, when OCR has added, lost or merged cells.

A born-digital row has one cell per header column, and the header's positions are
trusted as they are. A scanned row does not: OCR adds cells of noise (":", "en"),
drops the gap between two cells ("Quartier Du Maroc - La Canche Méricourt
(Rouvroy)", "Grenay / Loos-en-Gohelle 3780") and splits the header into more cells
than the rows have. Such a row is re-aligned: its cells are matched to the header's
columns in order, each column taking the cell whose content suits it best (a code, a
name, communes, a count, an amount), noise left over.
"""

from __future__ import annotations

import re

from ..qpv_codes import CodeMatch
from .mentions import Roles
from .names import clean_name
from .numbers import MONEY, int_value, money_value
from .places import communes_of

_NO_FIT = float("-inf")
_SKIP_COST = 1.0  # leaving a cell with content unassigned
_TRAILING_COUNT = re.compile(r"^(?P<text>.*\D)\s(?P<count>\d[\d\s]*\d|\d)\W*$")


def fits(cells: list[str], roles: Roles, codes: list[CodeMatch]) -> bool:
    """Whether every column the header names finds a cell of its kind at its position
    (a count column may say "n.c.", not hold a misplaced amount)."""
    for i, role in roles.items():
        cell = cells[i] if i < len(cells) else ""
        if role == "code" and not _has_code(cell, codes):
            return False
        written = bool(re.search(r"\d", cell))
        if role == "population" and written and int_value(cell) is None:
            return False
        if role == "income" and written and money_value(cell) is None:
            return False
        if role in {"name", "communes"} and _is_figure(cell):
            return False
    return True


def fills_columns(cells: list[str], roles: Roles, codes: list[CodeMatch], dept: str | None) -> bool:
    """Whether a row belongs under a header: its cells fit the header's positions, or
    every cell with content finds a column of it once re-aligned."""
    if fits(cells, roles, codes):
        return True
    split, aligned = realign(cells, roles, codes, dept)
    return all(i in aligned for i, cell in enumerate(split) if not _is_noise(cell))


def realign(
    cells: list[str], roles: Roles, codes: list[CodeMatch], dept: str | None
) -> tuple[list[str], Roles]:
    """The row's cells (a count glued to a commune cell split off) and the column of
    each, matched in order to the header's columns by content."""
    cells = _split_glued_counts(cells, roles, dept)
    columns = [role for _, role in sorted(roles.items())]
    n, m = len(cells), len(columns)
    score = [[_score(role, cell, codes, dept) for role in columns] for cell in cells]
    # best[i][j]: the best score of matching cells[i:] to columns[j:]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        best[i][m] = best[i + 1][m] - _skip(cells[i])
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j] - _skip(cells[i]), best[i][j + 1]]
            if score[i][j] != _NO_FIT:
                options.append(best[i + 1][j + 1] + score[i][j])
            best[i][j] = max(options)
    out: Roles = {}
    i = j = 0
    while i < n and j < m:
        if score[i][j] != _NO_FIT and best[i][j] == best[i + 1][j + 1] + score[i][j]:
            out[i] = columns[j]
            i, j = i + 1, j + 1
        elif best[i][j] == best[i][j + 1]:
            j += 1
        else:
            i += 1
    return cells, _code_cell_names(cells, out, codes)


def _score(role: str, cell: str, codes: list[CodeMatch], dept: str | None) -> float:
    """How well ``cell`` suits a column of ``role``; :data:`_NO_FIT` when it cannot."""
    if _is_noise(cell):
        return _NO_FIT
    code = _has_code(cell, codes)
    if role in {"code", "name+code"}:
        return 3.0 if code else (_NO_FIT if role == "code" else 0.5)
    if code:
        return _NO_FIT
    figure = _is_figure(cell)
    if role == "name":
        return _NO_FIT if figure else (1.0 if communes_of(clean_name(cell) or "", dept) else 2.0)
    if role == "communes":
        return _NO_FIT if figure else (3.0 if communes_of(clean_name(cell) or "", dept) else 0.5)
    if role == "population":
        return 2.0 if int_value(cell) is not None else _NO_FIT
    if role == "income":
        if money_value(cell) is None:
            return _NO_FIT
        return 3.0 if MONEY.search(cell) else 1.0
    return 0.5  # a column the header names but the record does not keep ("Page")


def _skip(cell: str) -> float:
    return 0.0 if _is_noise(cell) else _SKIP_COST


def _is_noise(cell: str) -> bool:
    """OCR debris: no two letters or digits in a row ("", ":", "L", "'")."""
    return not re.search(r"[0-9A-Za-zÀ-ÿ]{2}|\d", cell)


def _is_figure(cell: str) -> bool:
    """A cell of digits, spaces and currency only: a count or an amount."""
    return bool(re.fullmatch(r"[\d\s.,€%:|'*-]*\d[\d\s.,€%:|'*-]*", cell.strip()))


def _has_code(cell: str, codes: list[CodeMatch]) -> bool:
    return any(m.raw in cell for m in codes)


def _split_glued_counts(cells: list[str], roles: Roles, dept: str | None) -> list[str]:
    """ "Grenay / Loos-en-Gohelle 3780" -> "Grenay / Loos-en-Gohelle", "3780" when the
    row has fewer cells than the header: a commune list never ends with a number."""
    if len(cells) >= len(roles) or "population" not in roles.values():
        return cells
    out = []
    for cell in cells:
        m = _TRAILING_COUNT.match(cell.strip())
        if m and communes_of(clean_name(m.group("text")) or "", dept):
            out += [m.group("text"), m.group("count")]
        else:
            out.append(cell)
    return out


def _code_cell_names(cells: list[str], roles: Roles, codes: list[CodeMatch]) -> Roles:
    """A code cell that also holds the name ("QP062002 Camus" when OCR lost the gap)
    is the name's column when no other cell took it."""
    if any(r.startswith("name") for r in roles.values()):
        return roles
    for i, role in roles.items():
        rest = cells[i]
        for m in codes:
            rest = rest.replace(m.raw, " ")
        if role == "code" and re.search(r"[A-Za-zÀ-ÿ]{2}", rest):
            return {**roles, i: "name+code"}
    return roles
