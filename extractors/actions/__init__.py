"""Funded actions and projects named in a document, read from its layout.

Reports and contracts name the projects they fund in a handful of recurring layouts,
whatever the agglomeration: a table with an action / operator / amount header
(:mod:`.tables`); a table of communes and sites under a heading naming building works
(:mod:`.sites`); a commune on its own line with its project and amount below, "fonds
de concours" (:mod:`.by_commune`); a site line followed by its dated phases
(:mod:`.phases`); a "Focus" or "Zoom" page with a title and an "Opérateur :" line
(:mod:`.focus`); a sentence that enumerates operations with their maîtres d'ouvrage
(:mod:`.enumerations`); a bullet list of operations with their cost (:mod:`.lists`);
an action named in quotes with who runs it (:mod:`.quoted`); a scheme defined by its
purpose (:mod:`.schemes`); a funder financing actions of a stated amount in one
sentence (:mod:`.funded`); an operation listed "pour mémoire" (:mod:`.memo`). Each
reader handles one layout over the same rows (:mod:`.rows`) and marks the rows it
used, so the most structured layouts are read first and no row makes two actions.
Last, a title that only names a site takes the works the document describes there
(:mod:`.places`).
"""

from __future__ import annotations

import re

from extractors.actions.by_commune import commune_actions, commune_row_actions
from extractors.actions.context import document_department
from extractors.actions.enumerations import enumerated_actions
from extractors.actions.focus import focus_actions
from extractors.actions.funded import funded_actions
from extractors.actions.lists import listed_actions
from extractors.actions.memo import memo_actions
from extractors.actions.phases import phased_actions
from extractors.actions.places import describe_places
from extractors.actions.quoted import quoted_actions
from extractors.actions.rows import EXTRACTOR, clean_cell, read_rows
from extractors.actions.schemes import scheme_actions
from extractors.actions.sites import site_table_actions
from extractors.actions.tables import table_actions
from extractors.folding import fold
from schemas.records import Action, Amount, ParsedDocument

__all__ = ["EXTRACTOR", "clean_cell", "extract_actions"]

_READERS = (
    table_actions,
    site_table_actions,
    phased_actions,
    commune_actions,
    commune_row_actions,
    focus_actions,
    enumerated_actions,
    listed_actions,
    quoted_actions,
    scheme_actions,
    funded_actions,
    memo_actions,
)


def extract_actions(doc: ParsedDocument, *, amounts: list[Amount]) -> list[Action]:
    """Every named funded action or project of ``doc``, in reading order.

    ``amounts`` are the document's amounts (from the amounts extractor); an action's
    amount is the one found on its own row.
    """
    d = read_rows(doc, amounts)
    d.department = document_department(doc)
    found = [action for reader in _READERS for action in reader(d)]
    found.sort(key=lambda a: (a.provenance.page, a.provenance.start))
    return _dedupe(describe_places(d, found))


def _dedupe(actions: list[Action]) -> list[Action]:
    """One action per (title, amount): a page repeated in a document lists it twice."""
    seen: set[tuple[str, float | None]] = set()
    out = []
    for a in actions:
        key = (" ".join(re.findall(r"\w+", fold(a.title))), a.amount_eur)
        if key in seen:
            continue
        seen.add(key)
        out.append(a)
    return out
