"""Amount records of a document: the numbers found by :mod:`extractors.money`, each
with provenance and what its context says of it.

The document's facts, when the caller knows them, complete what the context leaves
out: its department and territory name the funder canonically ("la Communauté
d'Agglomération" is the territory's EPCI), and the year a yearly document reports on
dates the amounts its slides leave undated.
"""

from __future__ import annotations

from extractors.amounts.context import contexts
from extractors.amounts.funders import canonical_name, funder
from extractors.amounts.funds import learn_funds
from extractors.amounts.kinds import classify_all
from extractors.amounts.labels import label
from extractors.amounts.layout import build_layout
from extractors.amounts.recipients import detect_recipient
from extractors.amounts.years import document_years, year
from schemas.records import Amount, DocType, ParsedDocument, Provenance

EXTRACTOR = "amounts"
_MIN_OCR_FACTOR = 0.3  # an OCR page's mean confidence scales its amounts' confidence


def extract_amounts(
    doc: ParsedDocument,
    *,
    department: str | None = None,
    territory: str | None = None,
    reference_year: int | None = None,
    doc_type: DocType | None = None,
) -> list[Amount]:
    """Every euro amount of every page, with provenance and what the context says of it.

    A range ("3 à 6 000 €") gives two amounts, its bounds, sharing one provenance.
    ``department`` and ``territory`` (the document's facts) let the funder be named
    canonically. In an annual report or a presentation (``doc_type``) a money flow its
    context does not date takes the year of the dating heading above it
    ("Programmation 2022"), else ``reference_year``.
    """
    layout = build_layout(doc)
    found_contexts = contexts(layout)
    kinds = classify_all(layout, found_contexts)
    funds = learn_funds(layout)
    inherited = document_years(layout, kinds, doc_type=doc_type, reference_year=reference_year)
    amounts: list[Amount] = []
    for f, ctx, kind, doc_year in zip(layout.found, found_contexts, kinds, inherited, strict=True):
        page = doc.pages[layout.lines[f.line].page]
        m = f.match
        confidence = m.confidence
        if page.method == "ocr" and page.confidence is not None:
            confidence *= max(_MIN_OCR_FACTOR, min(1.0, page.confidence / 100))
        provenance = Provenance(
            page=page.number,
            start=m.start,
            end=m.end,
            raw=m.raw,
            extractor=EXTRACTOR,
            confidence=round(confidence, 3),
            bbox=page.bbox_for(m.start, m.end),
        )
        described = {
            "kind": kind,
            "label": label(ctx),
            "year": year(ctx) or doc_year,
            "funder": canonical_name(
                funder(ctx, kind) or funds.funder_of(ctx),
                department=department,
                territory=territory,
            ),
            "recipient": detect_recipient(f"{ctx.left} {ctx.right}"),
        }
        amounts.extend(Amount(value_eur=v, provenance=provenance, **described) for v in m.values)
    return amounts
