"""How findings cite the document: euros and pages written out, provenance re-tagged.

A finding is read by an analyst, so its message states the figures as the document
writes them ("5 955 889 €", "pp. 1, 2") and its provenance points at every figure
involved, tagged as the checks' own.
"""

from __future__ import annotations

from dataclasses import replace

from extractors.actions.rows import Row, page_span
from schemas.records import Provenance

EXTRACTOR = "checks"


def eur(value: float) -> str:
    """French-style euros: "5 955 889 €", "1 234,50 €"."""
    whole = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    return whole.replace(",", " ").replace(".", ",") + " €"


def pages(*numbers: int) -> str:
    unique = sorted(set(numbers))
    if len(unique) == 1:
        return f"p. {unique[0]}"
    return "pp. " + ", ".join(str(p) for p in unique)


def mine(p: Provenance) -> Provenance:
    return replace(p, extractor=EXTRACTOR)


def span(ln: Row, start: int, end: int) -> Provenance:
    return page_span(ln.page, start, end, extractor=EXTRACTOR)
