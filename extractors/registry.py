"""The extraction pipeline: every extractor registered once, run in order over a document.

Like spaCy's pipeline, each component is a named step that reads the parsed document
(and what earlier steps found: quartiers are validated against the territory's
department, amounts feed actions and checks) and fills one field of
:class:`~schemas.records.Extraction`. The flow only ever calls :func:`extract`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemas.records import Extraction, ParsedDocument

from .actions import extract_actions
from .amounts import extract_amounts
from .checks import run_checks
from .facts import extract_facts
from .partners import extract_partners
from .quartiers import extract_quartiers


@dataclass(frozen=True)
class Component:
    name: str
    fills: str  # the Extraction field this step sets
    run: Callable[[ParsedDocument, Extraction], Any]


COMPONENTS: tuple[Component, ...] = (
    Component("facts", "facts", lambda doc, ex: extract_facts(doc)),
    Component(
        "quartiers",
        "quartiers",
        lambda doc, ex: extract_quartiers(doc, department=ex.facts.department),
    ),
    Component(
        "amounts",
        "amounts",
        lambda doc, ex: extract_amounts(
            doc,
            department=ex.facts.department,
            territory=ex.facts.territory,
            reference_year=ex.facts.reference_year,
            doc_type=ex.facts.doc_type,
        ),
    ),
    Component(
        "partners",
        "partners",
        lambda doc, ex: extract_partners(
            doc, department=ex.facts.department, territory=ex.facts.territory
        ),
    ),
    Component("actions", "actions", lambda doc, ex: extract_actions(doc, amounts=ex.amounts)),
    Component("checks", "checks", lambda doc, ex: run_checks(doc, ex)),
)


def extract(doc: ParsedDocument) -> Extraction:
    """Run every registered component over ``doc``."""
    found = Extraction()
    for component in COMPONENTS:
        setattr(found, component.fills, component.run(doc, found))
    return found
