"""Actions listed commune by commune ("fonds de concours" to the member communes).

Three layouts recur: a commune line, then its project(s) with their amount
("Houdain" / "Réhabilitation … 33 272 €", the title possibly wrapped); a commune with
its amount, then the project ("Béthune - 19 946 €" / "Aménagement d'un boulodrome");
headerless table rows "commune | project | amount".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.actions.context import heading_before, single_year, year_before
from extractors.actions.line_kinds import (
    LINKING_END,
    MAX_TITLE_LINES,
    SENTENCE_END,
    commune_at_start,
    commune_head,
    is_total,
)
from extractors.actions.rows import Doc, Row, first_amount, provenance, tidy, without_amounts
from schemas.records import Action


def commune_actions(d: Doc) -> Iterator[Action]:
    """A commune line, then its project(s) with their amount:

    "Houdain [Montant …]" / "Réhabilitation … 33 272 €" (title possibly wrapped);
    "Béthune - 19 946 €" / "Aménagement d'un boulodrome …";
    "Bruay:" / "- Rue d'Alsace : 193 150 €" / "- Rue Hermant : 114 095 €".
    """
    i = 0
    while i < len(d.rows):
        row = d.rows[i]
        head = commune_head(row) if i not in d.used else None
        if head is None:
            i += 1
            continue
        kind, commune = head
        if kind == "amount":
            j = d.next_filled(i + 1)
            if j is None or not _is_title_line(d.rows[j]) or j in d.used:
                i += 1
                continue
            title_rows = _title_block(d, j)
            title = tidy(" ".join(r.text for r in title_rows))
            yield _commune_action(d, [row, *title_rows], title, commune, row)
            i = title_rows[-1].index + 1
            continue
        j, emitted = i + 1, False
        while (item := _item(d, j)) is not None:
            title_rows, amount_row = item
            title = tidy(" ".join([*(r.text for r in title_rows), without_amounts(amount_row)]))
            yield _commune_action(d, [*title_rows, amount_row], title, commune, amount_row)
            emitted = True
            j = amount_row.index + 1
        if emitted:
            d.used.add(i)
        i = j if emitted else i + 1


def commune_row_actions(d: Doc) -> Iterator[Action]:
    """Table rows without a header whose first cell is a commune, with a project and
    an amount in the other cells ("Roubaix | Rénovation du gymnase | 45 000 €"); two
    such rows in a row at least, so that one stray line does not make a table."""
    runs: list[list[tuple[Row, str, str]]] = [[]]
    for row in d.rows:
        found = _commune_row(row) if row.index not in d.used else None
        if found is not None:
            runs[-1].append((row, *found))
        elif not (row.blank and runs[-1]):
            runs.append([])
    for run in runs:
        if len(run) >= 2:
            for row, commune, title in run:
                yield _commune_action(d, [row], title, commune, row)


def _commune_row(row: Row) -> tuple[str, str] | None:
    """(commune, title) of a headerless "commune | project | amount" table row."""
    if not row.is_table or not row.amounts or not row.cells[0]:
        return None
    found = commune_at_start(row.cells[0])
    if found is None or found[1].strip():
        return None
    texts = [without_amounts(row, c) for c in row.cells[1:]]
    texts = [t for t in texts if re.search(r"[^\W\d_]{3}", t)]
    if not texts:
        return None
    return found[0], max(texts, key=len)


def _commune_action(d: Doc, rows: list[Row], title: str, commune: str, amount_row: Row) -> Action:
    d.used.update(r.index for r in rows)
    first = rows[0].index
    return Action(
        title=title,
        provenance=provenance(rows, 0.8),
        commune=commune,
        amount_eur=first_amount(amount_row),
        year=single_year(title) or year_before(d, first),
        theme=heading_before(d, first),
    )


def _is_title_line(row: Row) -> bool:
    return (
        not row.blank
        and not row.amounts
        and not row.is_table
        and commune_head(row) is None
        and not is_total(row)
        and not row.line.text.lstrip().startswith("#")
        and len(row.text) <= 200
    )


def _title_block(d: Doc, j: int) -> list[Row]:
    """The title line at ``j`` and the lines that continue it (no blank in between)."""
    rows = [d.rows[j]]
    k = j + 1
    while (
        k < len(d.rows)
        and len(rows) < MAX_TITLE_LINES
        and _is_title_line(d.rows[k])
        and (LINKING_END.search(rows[-1].text) or d.rows[k].text[:1].islower())
    ):
        rows.append(d.rows[k])
        k += 1
    return rows


def _item(d: Doc, j: int) -> tuple[list[Row], Row] | None:
    """One project under a commune line: title line(s) ending with an amount."""
    k = d.next_filled(j)
    title_rows: list[Row] = []
    while k is not None and k < len(d.rows) and len(title_rows) < MAX_TITLE_LINES:
        row = d.rows[k]
        if row.blank or k in d.used or is_total(row) or commune_head(row):
            return None
        if row.amounts:
            if not without_amounts(row) and not title_rows:
                return None
            return title_rows, row
        if row.is_table or not _is_title_line(row) or SENTENCE_END.search(row.text):
            return None
        title_rows.append(row)
        k += 1
    return None
