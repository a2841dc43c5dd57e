"""Organisations the statistical NER proposes in sentences that carry a role cue.

``fr_core_news_sm`` costs ~3x the gazetteer pass, and an ORG outside a role cue
would be dropped anyway (a partner takes a cue), so NER only reads the sentences
where a funder, operator or partner word occurs. A proposal becomes a registry entry
when it spells one; an unknown one is kept only right after a naming cue
("animées par X", "en partenariat avec X").
"""

from __future__ import annotations

import re
from typing import Any

from extractors.folding import fold
from extractors.nlp import Squeezed, load_nlp
from extractors.partners.gazetteer import entries, key, registry_entry
from extractors.partners.labelled import organisation_mention
from extractors.partners.layout import PageView, inside
from extractors.partners.mentions import Context, Mention, Span, overlaps, taken_spans
from extractors.partners.names import LEADING_ARTICLE
from extractors.partners.qualify import qualify
from extractors.partners.roles import FUNDER, OPERATOR, PARTNER, cue

# Cue phrases directly followed by an organisation name the registry may not know.
_NAME_CUE = re.compile(
    r"(?:operat(?:eur|rice)s?|porteurs?(?: de projets?)?|maitre d'ouvrage)\s*:"
    r"|(?:porte|anime|propose|realise|accompagne)(?:e|s|es)? par\b"
    r"|accompagnement (?:de|du|des|d')|en partenariat avec|avec l'appui (?:de|du|des|d')"
)
_MAX_SENTENCE = 1500


def proposed_mentions(views: list[PageView], known: list[Mention], ctx: Context) -> list[Mention]:
    """ORG entities the statistical NER finds in cue sentences, checked against the registry.

    A proposal that matches a registry name (rapidfuzz ratio >= 95, or token_sort_ratio
    >= 92 with comparable lengths) becomes that entry; an unknown one is kept only
    right after a naming cue, and then every other place it is written is collected.
    """
    taken = taken_spans(known)
    jobs = []
    for view in views:
        for s, e in view.sentences:
            sentence = view.folded[s:e]
            if e - s > _MAX_SENTENCE or inside(view.signature, s):
                continue
            if OPERATOR.search(sentence) or PARTNER.search(sentence) or FUNDER.search(sentence):
                jobs.append((view, s, e))
    nlp = load_nlp()
    found: list[Mention] = []
    squeezed = [Squeezed.of(view.text[s:e]) for view, s, e in jobs]
    sdocs = nlp.pipe((sq.text for sq in squeezed), batch_size=64)
    for (view, s, _), sq, sdoc in zip(jobs, squeezed, sdocs, strict=True):
        for ent in _proposals(sdoc, sq):
            start, end = s + ent.start, s + ent.end
            if overlaps(taken[view.page.number], start, end):
                continue
            mention = _normalised(view, start, end, ctx)
            if mention is not None:
                found.append(mention)
                taken[view.page.number].append((start, end))
    return found + _other_mentions(views, found, taken)


def _proposals(sdoc: Any, squeezed: Squeezed) -> list[Span]:
    """ORG entities of the statistical NER as spans of the original text.

    A span stops at a line break; "X / Y" is one organisation; a trailing department
    number is part of the name ("AAE 62").
    """
    spans: list[Span] = []
    text = sdoc.text
    for ent in sdoc.ents:
        if ent.ent_id_ or ent.label_ != "ORG":
            continue
        start, end = ent.start_char, ent.end_char
        cut = text.find("\n", start, end)
        end = cut if cut >= 0 else end
        tail = re.match(r" (\d{2,3})\b", text[end : end + 5])
        if tail:
            end += tail.end()
        if end <= start:
            continue
        if spans and re.fullmatch(r" ?/ ?", text[spans[-1].end : start]):
            spans[-1] = Span("", text[spans[-1].start : end], spans[-1].start, end)
            continue
        spans.append(Span("", text[start:end], start, end))
    return [Span("", sp.text, *squeezed.span(sp.start, sp.end)) for sp in spans]


def _normalised(view: PageView, start: int, end: int, ctx: Context) -> Mention | None:
    text = LEADING_ARTICLE.sub("", view.text[start:end]).strip(" ,.-–")
    if len(key(text)) < 3:
        return None
    entry_id = registry_entry(text)
    if entry_id is not None:
        return qualify(view, entries()[entry_id], start, end, ctx, confidence=0.75)
    if _NAME_CUE.search(view.folded[max(0, start - 70) : start]) is None:
        return None
    return organisation_mention(view, text, start, end, 0.6)


def _other_mentions(
    views: list[PageView], found: list[Mention], taken: dict[int, list[tuple[int, int]]]
) -> list[Mention]:
    """Every other occurrence of a name only the text knows (no registry entry)."""
    extra = []
    names = {m.canonical for m in found if m.entry is None}
    for name in names:
        pattern = re.compile(rf"(?<!\w){re.escape(fold(name))}(?!\w)")
        for view in views:
            for m in pattern.finditer(view.folded):
                if overlaps(taken[view.page.number], m.start(), m.end()):
                    continue
                extra.append(
                    Mention(
                        canonical=name,
                        kind="association",
                        **cue(view, m.start(), m.end()),
                        page=view.page,
                        start=m.start(),
                        end=m.end(),
                        confidence=0.6,
                    )
                )
    return extra
