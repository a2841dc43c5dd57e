"""The role a mention's context gives it: signatory, funder, operator or partner.

Structural cues come from the layout (:mod:`.blocks`) — a signature block, a
"signataires :" list, a list introduced by a partners heading, a title about the
organisation, an "Opérateur :" label, a funding table — and prose cues from words of
the mention's sentence; the layout, when it says something, says it better than the
prose. All patterns run on folded text.
"""

from __future__ import annotations

import re
from typing import Any

from extractors.partners.blocks import SHORT, is_heading_subject, lead_in, neighbourhood
from extractors.partners.layout import PageView, inside, sentence_index
from extractors.partners.mentions import ROLE_RANK
from schemas.records import PartnerRole

_SIGNATORY_LIST = re.compile(r"(?:co-?)?signataires?\b[^.;]{0,80}?:|\bsont (?:co-?)?signataires\b")
_SIGNATORY_WORD = re.compile(r"(?<!non-)(?<!non )\b(?:co-?)?signataires?\b")
FUNDER = re.compile(
    r"financ|credits?\b|subvention|dotation|enveloppe|\bfonds\b|budget|\bbop\b"
    r"|contribution financiere|soutien financier|\d\s?(?:€|euros?\b|k€|m€)"
)
OPERATOR = re.compile(
    r"operat(?:eur|rice)s?\s*:|porteurs?(?: de projets?)?\s*:|structure porteuse"
    r"|\bporte(?:e|s|es)? par\b|maitr(?:e|ise)s? d'ouvrage|mise? en (?:oe|o)uvre par"
    r"|realise(?:e|s|es)? par|\bport(?:e|ent) (?:l'action|le projet|les actions|les projets)"
)
PARTNER = re.compile(
    r"partena|aux cotes d|co-?pilot|en lien avec|avec l'appui|en collaboration"
    r"|anime(?:e|s|es)? par|propose(?:e|s|es)? par|accompagnement d|conjointe"
)
# Labels directly followed by an organisation name the registry may not know.
LABEL_CUE = re.compile(
    r"(?:operat(?:eur|rice)s?|porteurs?(?: de projets?)?|maitre d'ouvrage)\s*:\s*"
)
AMOUNT = re.compile(r"\d[\d \u202f.,]*\s?(?:€|euros?\b|k€|m€)", re.I)


def cue(view: PageView, start: int, end: int) -> dict[str, Any]:
    """Role and structural flag the context gives a mention at ``[start, end)``."""
    if inside(view.signature, start):
        role = "partner" if inside(view.presided, start) else "signatory"
        return {"role": role, "structural": True}
    index = max(0, sentence_index(view, start))
    s_start, s_end = view.sentences[index] if view.sentences else (0, len(view.text))
    sentence = view.folded[s_start:s_end]
    before = view.folded[s_start:start]
    layout: set[PartnerRole] = set()
    prose: set[PartnerRole] = set()
    if _SIGNATORY_LIST.search(before):
        layout.add("signatory")
    if LABEL_CUE.search(before[-40:]) and re.search(
        r":\s*(?:l'|la |le |les )?(?:association |club )?$", before
    ):
        layout.add("operator")
    lead = lead_in(view, index)
    if lead is not None:
        if _SIGNATORY_WORD.search(lead):
            layout.add("signatory")
        if "partena" in lead:
            layout.add("partner")
    if not layout and len(sentence) <= SHORT and _is_label(sentence, end - start):
        # A bare label (table header, slide tag): its neighbours say what it is.
        near = neighbourhood(view, index)
        if FUNDER.search(near):
            (layout if AMOUNT.search(near) else prose).add("funder")
    if not layout and is_heading_subject(view, start):
        layout.add("partner")
    if FUNDER.search(sentence):
        prose.add("funder")
    if OPERATOR.search(sentence):
        prose.add("operator")
    if PARTNER.search(sentence):
        prose.add("partner")
    roles = layout or prose
    role = max(roles, key=ROLE_RANK.__getitem__) if roles else None
    return {"role": role, "structural": bool(layout)}


def _is_label(sentence: str, length: int) -> bool:
    """True when the sentence is little more than the name: a table header, a slide tag."""
    core = re.sub(r"«[^»]*»|\([^)]*\)|[\s*#:|+\-]+", " ", sentence).strip()
    return length >= 0.5 * len(core)


def cue_or_partner(view: PageView, start: int, end: int) -> dict[str, Any]:
    """The cue of a mention standing right after a naming cue: at least a partner."""
    found = cue(view, start, end)
    return {"role": found["role"] or "partner", "structural": found["structural"]}
