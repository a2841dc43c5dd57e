"""Actions read from a table with a header: one action per row.

Programmation tables are the most reliable layout: the header names the columns
(see :mod:`extractors.actions.columns`) and each row gives an action with its
operator, commune and amount. The body is followed over page breaks (running
headers and footers skipped, a repeated header dropped); single-cell lines inside it
are merged cells: a section row (a pillar) or the first part of a wrapped title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.actions.columns import Columns, header
from extractors.actions.context import heading_before, single_year, year_before
from extractors.actions.line_kinds import PROJECT_NOUN, SENTENCE_END, THEME_LABEL, is_total
from extractors.actions.rows import (
    Doc,
    Row,
    cell_spans,
    clean_cell,
    provenance,
    tidy,
    without_amounts,
)
from extractors.dates import find_periods
from extractors.folding import fold
from schemas.records import Action, Amount


def table_actions(d: Doc) -> Iterator[Action]:
    i = 0
    while i < len(d.rows):
        row = d.rows[i]
        cols = header(row) if i not in d.used else None
        if cols is None:
            i += 1
            continue
        body = table_body(d, i + 1, row)
        actions = list(_actions_of_table(d, row, cols, body))
        if actions:
            d.used.update(r.index for r in [row, *body])
            yield from actions
        i += 1 + len(body) if actions else 1


def table_body(d: Doc, start: int, head: Row) -> list[Row]:
    """Rows of the table whose header is at ``start - 1``: TAB rows and the single-cell
    lines between them (merged section cells, wrapped titles), continued over page
    breaks (running headers and footers skipped, a repeated header dropped)."""
    out: list[Row] = []
    i = start
    while i < len(d.rows):
        row = d.rows[i]
        if row.blank:
            nxt = d.next_filled(i, max_blank=3)
            if nxt is None:
                break
            i = nxt
            continue
        if not row.is_table:
            resumed = _next_page_row(d, i, out)
            if resumed is not None:
                i = resumed
                continue
            nxt = d.next_filled(i + 1)
            if (
                nxt is None
                or not d.rows[nxt].is_table
                or d.rows[nxt].page is not row.page
                or len(row.text) > 80
                or SENTENCE_END.search(row.text)
            ):
                break
            out.append(row)  # a merged cell: a section row, or a title on its own line
            i += 1
            continue
        if [fold(c) for c in row.cells] == [fold(c) for c in head.cells]:
            i += 1
            continue
        out.append(row)
        i += 1
    return out


def _next_page_row(d: Doc, i: int, out: list[Row]) -> int | None:
    """Where the table resumes when rows ``i…`` are the page's footer and the next
    page's running header: the first table row of the next page, else None."""
    if not out:
        return None
    seen = 0
    for k in range(i, min(len(d.rows), i + 12)):
        row = d.rows[k]
        if row.blank:
            continue
        if row.is_table:
            return k if row.page is not out[-1].page and seen <= 6 else None
        if len(row.text) > 80:
            return None
        seen += 1
    return None


def _label_column(cols: Columns, body: list[Row]) -> int | None:
    """Column holding the action's name: the "Action/Projet" column, else the first
    column of a table whose amount column is filled and whose labels name projects."""
    title = cols.first("title")
    if title is not None:
        return title
    if 0 in cols.roles or not cols.all("amount"):
        return None
    labels = [r.cells[0] for r in body if r.cells and r.cells[0] and not is_total(r)]
    with_amount = [r for r in body if r.amounts]
    projects = [c for c in labels if PROJECT_NOUN.match(fold(c))]
    if len(with_amount) * 2 < len(body) or len(projects) * 2 < len(labels):
        return None
    return 0


def _actions_of_table(d: Doc, head: Row, cols: Columns, body: list[Row]) -> Iterator[Action]:
    label = _label_column(cols, body)
    if label is None or not body:
        return
    amount_cols = set(cols.all("amount"))
    heading = heading_before(d, head.index)
    section: str | None = None
    pending: list[Row] = []
    for row in body:
        cells = row.cells + [""] * (len(head.cells) - len(row.cells))
        name = cells[label] if label < len(cells) else ""
        filled = [k for k, c in enumerate(cells) if c]
        if is_total(row):
            pending = []
            continue
        if name and filled == [label] and not row.amounts:
            # A label alone: a section row, or the first part of a wrapped title.
            pending.append(row)
            continue
        if not name and pending and row.amounts:
            rows_used = [*pending, row]
            name = " ".join(r.cells[label] for r in pending)
        elif name and pending and name[0].islower():
            rows_used = [*pending, row]
            name = " ".join(r.cells[label] for r in pending) + " " + name
        else:
            if pending:
                section = " ".join(r.cells[label] for r in pending)
            rows_used = [row]
        pending = []
        if THEME_LABEL.match(fold(name)):
            section = name
            continue
        amounts = _column_amounts(row, amount_cols)
        amount = amounts[0][1].value_eur if amounts else None
        operator = _cell(cells, cols.first("operator"))
        title = tidy(without_amounts(row, name) if row.amounts else name)
        if not re.search(r"[^\W\d_]{2}", title) or (amount is None and operator is None):
            continue
        if len(amounts) > 1:
            title += f" ({_other_amounts(head, amounts[1:])})"
        theme = _cell(cells, cols.first("theme")) or section or heading
        year_cell = _cell(cells, cols.first("year"))
        year = single_year(year_cell) if year_cell else None
        if year is None and not (year_cell and find_periods(year_cell)):
            year = single_year(name) or year_before(d, head.index + 1)
        yield Action(
            title=title,
            provenance=provenance(rows_used, 0.9),
            operator=operator,
            commune=_cell(cells, cols.first("commune")),
            amount_eur=amount,
            year=year,
            theme=theme,
        )


def _cell(cells: list[str], k: int | None) -> str | None:
    if k is None or k >= len(cells):
        return None
    return cells[k] or None


def _column_amounts(row: Row, amount_cols: set[int]) -> list[tuple[int, Amount]]:
    """(column, amount) of the first amount in each amount column of the row, left to
    right; the row's first amount alone when no column is typed as an amount."""
    if not row.amounts:
        return []
    if not amount_cols:
        return [(-1, row.amounts[0])]
    found: dict[int, Amount] = {}
    for a in row.amounts:
        for k, (s, e) in enumerate(cell_spans(row)):
            if s <= a.provenance.start < e and k in amount_cols:
                found.setdefault(k, a)
    return sorted(found.items(), key=lambda item: item[0])


def _other_amounts(head: Row, amounts: list[tuple[int, Amount]]) -> str:
    """The amounts of a row's further amount columns, each under its header: a
    programme row states its cost, then the subsidies requested ("Subventions
    partenaires publics : 64,5 M€"), and only the first is the action's amount."""
    return "; ".join(f"{head.cells[k]} : {clean_cell(a.provenance.raw)}" for k, a in amounts)
