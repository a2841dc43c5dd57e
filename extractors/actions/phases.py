"""A renewal project named by its site, then its phases each with their dates.

Landlords and urban renewal sections present each project as a bulleted site line
("- SALLAUMINES – Quartier des Blanches Laines - Résidence Picasso") followed by a
small schedule: one row per phase with its years and, for some, the funding sought
("⇒ Démolition de 80 logements | 2017 | 1,5 M€"). The project is one action titled
"<site> : <phase> (<years>), …" with the phases cut to their operation ("Recomposition
urbaine du site après libération en cohérence avec le PLH …" -> "Recomposition
urbaine du site"), the commune the site line opens with, and the sum of the amounts
in the phases' funding column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.actions.context import heading_before
from extractors.actions.line_kinds import SENTENCE_END, commune_at_start, is_total
from extractors.actions.rows import BULLET, Doc, Row, provenance, tidy, without_amounts
from extractors.communes import resolve_commune
from extractors.folding import fold
from schemas.records import Action

_MIN_PHASES = 2
_LINES_ABOVE = 6  # column-header lines allowed between the site line and its schedule
_MAX_SITE = 120  # characters of a site line
# A cell holding only a year or a span of years: "2017", "2015-2016", "2018 / 2020".
_YEARS_CELL = re.compile(r"^(?:19|20)\d{2}(?:\s*(?:-|–|/|à)\s*(?:19|20)?\d{2})?$")
# Where a phase's operation ends: a comma, a circumstance, a purpose, a relative clause.
_PHASE_END = re.compile(
    r",\s|\s+(?:apres|avant|en coherence|dans le cadre|afin|qui|dont|conformement|selon)\b"
)


def phased_actions(d: Doc) -> Iterator[Action]:
    """One action per bulleted site line followed by at least two dated phase rows."""
    i = 0
    while i < len(d.rows):
        phases = _phases_from(d, i)
        if len(phases) < _MIN_PHASES:
            i += 1
            continue
        site = _site_above(d, i)
        i = phases[-1][0].index + 1
        if site is None:
            continue
        yield _project(d, site, phases)


def _phases_from(d: Doc, i: int) -> list[tuple[Row, str]]:
    """(row, years) of the phase rows starting at row ``i`` (blank rows between allowed)."""
    out: list[tuple[Row, str]] = []
    k: int | None = i
    while k is not None and k < len(d.rows):
        row = d.rows[k]
        years = _years(row) if k not in d.used else None
        if years is None:
            break
        out.append((row, years))
        k = d.next_filled(k + 1, max_blank=1)
    return out


def _years(row: Row) -> str | None:
    """The years cell of a phase row: a table row naming an operation in its first cell."""
    if not row.is_table or is_total(row) or not re.search(r"[^\W\d_]{3}", row.cells[0]):
        return None
    cells = [c for c in row.cells[1:] if _YEARS_CELL.match(c)]
    return cells[0] if len(cells) == 1 else None


def _site_above(d: Doc, i: int) -> Row | None:
    """The bulleted site line above the schedule at ``i``, over its column header lines."""
    j, seen = i - 1, 0
    while j >= 0 and seen <= _LINES_ABOVE:
        row = d.rows[j]
        j -= 1
        if row.blank:
            continue
        seen += 1
        if row.is_table or row.amounts or len(row.text) > _MAX_SITE:
            return None
        if BULLET.match(row.line.text) and re.match(r"\s*[-–•·▪*]", row.line.text):
            return row if not SENTENCE_END.search(row.text.rstrip(".")) else None
    return None


def _phase(row: Row) -> str:
    text = without_amounts(row, row.cells[0])
    end = _PHASE_END.search(fold(text))
    return tidy(text[: end.start()] if end else text)


def _project(d: Doc, site: Row, phases: list[tuple[Row, str]]) -> Action:
    name = tidy(site.text)
    title = f"{name} : " + ", ".join(f"{_phase(row)} ({years})" for row, years in phases)
    funded = [row.amounts[-1].value_eur for row, _ in phases if row.amounts]
    found = commune_at_start(name, d.department)
    commune = resolve_commune(found[0], d.department) if found else None
    d.used.update(r.index for r in [site, *(row for row, _ in phases)])
    return Action(
        title=title,
        provenance=provenance([site, *(row for row, _ in phases)], 0.7),
        commune=commune.name if commune else None,
        amount_eur=sum(funded) if funded else None,
        theme=heading_before(d, site.index),
    )
