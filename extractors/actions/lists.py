"""Actions read from a bullet list of priced operations under a line announcing them.

"Opérations de réhabilitation programmées :" / "- Rue Dubois - 30 logements (630 k€)":
an item that only names a place takes the nature of the operations from the
announcing line ("Réhabilitation thermique – Rue Dubois - 30 logements"). A list is
read as actions only when most of its items carry an amount, so prose bullets
("au titre de l'action sociale, 12,7 millions …") and calculations stay out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.actions.context import single_year
from extractors.actions.line_kinds import (
    PROJECT_NOUN,
    SENTENCE_END,
    THEME_LABEL,
    commune_at_start,
    is_heading,
    is_total,
)
from extractors.actions.rows import (
    BULLET,
    Doc,
    Row,
    first_amount,
    provenance,
    tidy,
    without_amounts,
)
from extractors.folding import fold
from schemas.records import Action

# An amount inside a calculation ("3 000 logements x 40 000 € = 120 M€") is a unit
# cost or an estimate, not the budget of a named action.
_CALCULATION = re.compile(r"\s[x×*]\s|=")
# "Opérations de réhabilitation thermique 2015-2020 programmées sur …": the nature of
# the operations a list announces, cut before dates, participles and places.
_LIST_NATURE = re.compile(
    r"^(?:les |des |l')?(?:operations?|projets?|actions?|travaux|programmes?)\s+(?:de |d')"
    r"(?P<nature>.+?)(?=\s+(?:\d|en |sur |dans |pour |a |au |aux |[a-z]{3,}ees?\b"
    r"|(?:prevu|retenu|inscrit|envisage|programme|realise|engage|finance|soutenu)e?s?\b)"
    r"|\s*:|$)"
)
# Lists that announce operations: "Opérations … programmées :", "Projets retenus :".
_LIST_INTRO = re.compile(r"\b(?:operations?|projets?|actions?|travaux|programmes?)\b")


def listed_actions(d: Doc) -> Iterator[Action]:
    """Bullet items carrying an amount under a line announcing operations or projects."""
    i = 0
    while i < len(d.rows):
        row = d.rows[i]
        if i in d.used or not _announces_list(row):
            i += 1
            continue
        j = i + 1
        items: list[Row] = []
        while (k := d.next_filled(j)) is not None and k not in d.used:
            item = d.rows[k]
            if not BULLET.match(item.line.text) or item.is_table:
                break
            items.append(item)
            j = k + 1
        priced = [r for r in items if r.amounts and _is_item(r) and not r.text[:1].islower()]
        if priced and len(priced) * 2 >= len(items):
            nature = _LIST_NATURE.match(row.folded)
            for item in priced:
                title = without_amounts(item)
                at = commune_at_start(title)
                if nature is not None and not PROJECT_NOUN.match(fold(title)):
                    prefix = row.text[nature.start("nature") : nature.end("nature")]
                    title = f"{prefix[0].upper()}{prefix[1:]} – {title}"
                d.used.add(item.index)
                yield Action(
                    title=title,
                    provenance=provenance([item], 0.6),
                    commune=at[0] if at else None,
                    amount_eur=first_amount(item),
                    year=single_year(title) or single_year(row.text),
                    theme=tidy(row.text),
                )
        i = j if items else i + 1


def _announces_list(row: Row) -> bool:
    """A short line that names operations or projects and ends with ':' or opens with
    them ("Opérations de réhabilitation programmées"), not a sentence of prose."""
    text = row.folded
    if len(text.split()) > 15 or SENTENCE_END.search(text):
        return False
    if text.endswith(":"):
        return bool(_LIST_INTRO.search(text))
    return bool(_LIST_NATURE.match(text)) and is_heading(row)


def _is_item(row: Row) -> bool:
    """A list item that names one action (not a total, a theme or a calculation)."""
    folded = row.folded
    return not (
        is_total(row)
        or THEME_LABEL.match(folded)
        or _CALCULATION.search(folded)
        or not without_amounts(row)
    )
