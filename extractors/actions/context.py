"""What the lines above an action tell about it: its theme and its year.

An action row rarely repeats the programme's year or the pillar it belongs to; the
nearest heading above does ("Programmation 2023", "Pilier 1 : Cohésion sociale").
"""

from __future__ import annotations

from extractors.actions.line_kinds import commune_head, is_heading
from extractors.actions.rows import Doc, tidy
from extractors.dates import find_periods, find_years
from extractors.department import department_votes, find_department_cues
from extractors.docview import DocView
from schemas.records import ParsedDocument

_CONTEXT_ROWS = 40  # rows searched back for a heading or a year


def heading_before(d: Doc, i: int) -> str | None:
    """The heading (consecutive heading lines joined) nearest above row ``i``."""
    j = i - 1
    seen = 0
    while j >= 0 and seen < _CONTEXT_ROWS:
        row = d.rows[j]
        if not row.blank and j not in d.used:
            seen += 1
            if is_heading(row) and commune_head(row) is None:
                parts = [row.text]
                k = j - 1
                while k >= 0 and is_heading(d.rows[k]) and not d.rows[k].blank:
                    parts.insert(0, d.rows[k].text)
                    k -= 1
                return tidy(" ".join(parts)) or None
        j -= 1
    return None


def single_year(text: str) -> int | None:
    """The year a text is about, when it names exactly one and no period."""
    if find_periods(text):
        return None
    years = {y.year for y in find_years(text)}
    return years.pop() if len(years) == 1 else None


def year_before(d: Doc, i: int) -> int | None:
    """Year of the nearest heading or introducing line (ending with ':') above row ``i``."""
    j, seen = i - 1, 0
    while j >= 0 and seen < _CONTEXT_ROWS:
        row = d.rows[j]
        if not row.blank:
            seen += 1
            if is_heading(row) or row.text.endswith(":"):
                if find_periods(row.text):
                    return None
                year = single_year(row.text)
                if year is not None:
                    return year
        j -= 1
    return None


def document_department(doc: ParsedDocument) -> str | None:
    """The department the document's cues vote for: a commune name shared by several
    departments ("Méricourt") is the one of this department."""
    view = DocView.of(doc)
    votes = department_votes(view, find_department_cues(view))
    return max(votes, key=votes.__getitem__) if votes else None
