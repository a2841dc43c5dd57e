"""The entry point: pages -> mentions from every reader -> partners."""

from __future__ import annotations

from extractors.communes import department_key
from extractors.partners.blocks import carry_lead_ins, mark_signature_blocks
from extractors.partners.epci import acronym_mentions, main_epci, territory_acronyms
from extractors.partners.gazetteer import gazetteer_spans
from extractors.partners.labelled import labelled_mentions
from extractors.partners.layout import page_view
from extractors.partners.mentions import Context
from extractors.partners.merge import merge
from extractors.partners.places import document_region
from extractors.partners.proposals import proposed_mentions
from extractors.partners.qualify import registry_mention
from extractors.partners.recipients import recipient_mentions
from schemas.records import ParsedDocument, Partner


def extract_partners(
    doc: ParsedDocument, *, department: str | None = None, territory: str | None = None
) -> list[Partner]:
    """The partners of ``doc``: signatories, funders, operators and named partners.

    ``department`` (INSEE code) and ``territory`` (the EPCI's full name) come from
    the document facts; they qualify generic names ("la CAF" -> "Caisse d'Allocations
    Familiales du Pas-de-Calais", "l'Agglomération" -> the territory). Without a
    territory, the EPCI the document names most often stands in.
    """
    views = [page_view(page) for page in doc.pages]
    mark_signature_blocks(views)
    carry_lead_ins(views)
    raw = gazetteer_spans(views)
    dep = department_key(department)
    territory = territory or main_epci(raw)
    ctx = Context(
        department=dep,
        territory=territory,
        territory_acronyms=territory_acronyms(views, territory),
        region_name=document_region(raw, dep),
    )
    mentions = [m for v, ent in raw if (m := registry_mention(v, ent, ctx)) is not None]
    mentions += acronym_mentions(views, ctx)
    mentions += labelled_mentions(views, mentions)
    mentions += recipient_mentions(views, ctx)
    mentions += proposed_mentions(views, mentions, ctx)
    return merge(mentions, ctx)
