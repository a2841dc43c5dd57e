"""Everything around one amount that the kind, label, year and funder rules read.

One :class:`Context` per amount gathers its clause, its table row and column, and
its section, so that each later rule reads the nearest evidence first and falls back
on the wider one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.amounts.clause import clause
from extractors.amounts.cues import classify_kind
from extractors.amounts.layout import Found, Layout
from extractors.amounts.section import lead_in, section
from extractors.amounts.table import amount_only, column_header
from extractors.amounts.text import cells, is_row

# Text between two amounts that chains the second to the first ("7 100 € à 11 000 €",
# "dont 500 000 € de l'ANRU et 300 000 € du Département").
_CONNECTOR_END = re.compile(r"(?:(?:^|\s)(?:à|a|et|ou|puis|-|–|/)|,|^)\s*$", re.IGNORECASE)


@dataclass(slots=True)
class Context:
    left: str  # the clause before the amount, back to the previous amount
    right: str  # the clause after it, up to the next amount
    lead: str  # the first words of the sentence
    row_label: str | None
    column: str | None  # header cell of the amount's column
    header_row: str | None
    row: str | None  # the whole row, for a table row
    table_cell: bool  # the amount's cell holds only amounts: the row and column say it
    section: list[str]  # lines back to the previous heading, nearest first
    heading: str | None
    titles: list[str]  # headings further up, and the sentence announcing the list
    lead_in: str | None  # the line before, when it ends with ":" (a formula or a list)
    in_list: bool  # the amount's line belongs to a run of table-like amount lines


def _context(layout: Layout, f: Found) -> Context:
    left, right, lead = clause(layout, f)
    line = layout.lines[f.line]
    row_label, column, header_row = column_header(layout, f)
    free, a = layout.amount_free(f.line), f.match.start - line.start
    cell = next((free[s:e] for s, e in cells(line.text) if s <= a <= e), free)
    in_table = row_label is not None or column is not None
    above = section(layout, f)
    return Context(
        left=left,
        right=right,
        lead=lead,
        row_label=row_label,
        column=column,
        header_row=header_row,
        row=line.text if is_row(line.text) else None,
        table_cell=in_table and amount_only(cell),
        section=above.lines,
        heading=above.heading,
        titles=above.titles,
        lead_in=lead_in(layout, f.line),
        in_list=f.line in layout.run_of,
    )


def contexts(layout: Layout) -> list[Context]:
    """The context of every amount of the layout, in order."""
    found: list[Context] = []
    for i, f in enumerate(layout.found):
        ctx = _context(layout, f)
        chained = (
            i
            and layout.found[i - 1].line == f.line
            and _CONNECTOR_END.search(ctx.left)
            and classify_kind(ctx.left) is None
        )
        if chained:
            # The second amount of a pair or list shares the first one's clause.
            ctx.left, ctx.lead = found[-1].left, found[-1].lead
        found.append(ctx)
    return found
