"""Canonical names for funders other extractors read ("crédits de l'ANCT", a column
headed "CONSEIL REGIONAL", "CABBALR").

An amount's funder and a partner are the same body: comparing who pays across
territories only works if both tables name it alike. The funder's words therefore go
through the partner pipeline itself — gazetteer, qualification by the document's
department, region and territory, the territory's acronym — and come out with the
canonical name :func:`~extractors.partners.extract_partners` gives that body.
"""

from __future__ import annotations

from functools import lru_cache

from extractors.communes import department_key
from extractors.partners.epci import acronym_mentions, territory_acronyms
from extractors.partners.gazetteer import entries, gazetteer_spans, registry_entry
from extractors.partners.layout import page_view
from extractors.partners.mentions import Context, Mention
from extractors.partners.places import region_of_department
from extractors.partners.qualify import qualify, registry_mention
from schemas.records import Page

_MAX_TEXT = 300  # a funder is named in a clause or a header, not a page


@lru_cache(maxsize=4096)
def canonical_funder(text: str, *, department: str | None, territory: str | None) -> str | None:
    """The canonical name of the body ``text`` names, as a partner would be named; None
    when it names no known body.

    ``text`` is a funder as another extractor read it: a name ("Etat", "Région"), a
    clause ("crédits de l'ANCT") or a column header ("CONSEIL REGIONAL"). ``department``
    (INSEE code) and ``territory`` (the EPCI's name) are the document facts, which
    qualify generic names as :func:`extract_partners` does:

    - "crédits de l'ANCT" -> "ANCT"; "Etat", "Préfecture" -> "Etat";
    - "CONSEIL REGIONAL" -> "Conseil régional Hauts-de-France" (region of department 62);
    - "la CAF" -> "Caisse d'allocations familiales du Pas-de-Calais";
    - "CABBALR", "l'Agglomération" -> the territory's canonical name (reference EPCI name);
    - "Ville de Méricourt" -> "Commune de Méricourt";
    - "Partenaires publics" -> None.

    When the text names several bodies ("FEDER / Conseil régional"), the first is
    returned. A name the gazetteer misses by a typo is matched as a whole by
    :func:`~extractors.partners.registry_entry`.
    """
    text = text.strip()[:_MAX_TEXT]
    if not text:
        return None
    view = page_view(Page(number=1, text=text, method="text", width=0.0, height=0.0))
    dep = department_key(department)
    ctx = Context(
        department=dep,
        territory=territory,
        territory_acronyms=territory_acronyms([view], territory),
        region_name=region_of_department(dep),
    )
    mentions: list[Mention] = [
        m for v, span in gazetteer_spans([view]) if (m := registry_mention(v, span, ctx))
    ]
    mentions += acronym_mentions([view], ctx)
    if mentions:
        return min(mentions, key=lambda m: m.start).canonical
    entry = registry_entry(text)
    if entry is not None:
        mention = qualify(view, entries()[entry], 0, len(text), ctx, confidence=0.75)
        if mention is not None:
            return mention.canonical
    return None
