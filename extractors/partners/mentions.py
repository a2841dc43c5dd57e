"""What the readers of the package pass around: mentions, entity spans, document context.

A :class:`Mention` is one place where an organisation is named, already resolved to
its canonical name and carrying the role its context gives it; :mod:`.merge` turns
the mentions of one canonical name into one :class:`~schemas.records.Partner`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from schemas.records import Page, PartnerKind, PartnerRole

EXTRACTOR = "partners"
ROLE_RANK: dict[PartnerRole, int] = {"signatory": 3, "funder": 2, "operator": 1, "partner": 0}


@dataclass(slots=True)
class Mention:
    canonical: str
    kind: PartnerKind
    role: PartnerRole | None
    page: Page
    start: int
    end: int
    confidence: float
    entry: str | None = None  # registry id; None for names only the text gives
    qualified: bool = True  # False: a generic name whose place is unknown
    structural: bool = False  # role read from the layout: signature block, list, title


@dataclass(frozen=True, slots=True)
class Span:
    """An entity found by spaCy, with offsets in the page text."""

    entry: str  # registry id from the gazetteer, "" for a statistical proposal
    text: str
    start: int
    end: int


@dataclass(slots=True)
class Context:
    """What the document says about itself, used to qualify generic names."""

    department: str | None
    territory: str | None
    territory_acronyms: tuple[str, ...]
    region_name: str | None  # the current region the document names, else the department's


def taken_spans(mentions: Iterable[Mention]) -> dict[int, list[tuple[int, int]]]:
    """Page number -> character spans already claimed by a mention."""
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for m in mentions:
        out[m.page.number].append((m.start, m.end))
    return out


def overlaps(spans: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    return any(a < end and b > start for a, b in spans)
