"""Organisations named right after an "Opérateur :" / "Porteur :" / "Maître d'ouvrage :"
label: local associations and clubs the registry cannot know, whose role the label
states.
"""

from __future__ import annotations

import re

from extractors.partners.layout import PageView
from extractors.partners.mentions import Mention, overlaps, taken_spans
from extractors.partners.names import LEADING_ARTICLE, plausible_organisation, smart_case
from extractors.partners.roles import LABEL_CUE, cue_or_partner

_NAME_AFTER_LABEL = re.compile(
    r"^(?P<name>(?:(?:l'|l’|la |le |les )?(?:association |asso |club |structure )?)"
    r"[A-ZÀ-Ý0-9][^\n\t.;:()«»\"]{1,70})"
)
_NAME_STOP = re.compile(
    r"\s+(?:[-–]\s|a permis|ont |a |qui |dont |pour |dans |sur |afin |avec |en \d|au |aux )"
)


def labelled_mentions(views: list[PageView], known: list[Mention]) -> list[Mention]:
    """Organisations named after an "Opérateur :" / "Porteur :" / "Maître d'ouvrage :" label."""
    taken = taken_spans(known)
    found = []
    for view in views:
        for label in LABEL_CUE.finditer(view.folded):
            mention = _name_after_label(view, label.end(), taken[view.page.number])
            if mention is not None:
                found.append(mention)
    return found


def _name_after_label(view: PageView, offset: int, taken: list[tuple[int, int]]) -> Mention | None:
    m = _NAME_AFTER_LABEL.match(view.text[offset : offset + 90])
    if not m:
        return None
    name = _NAME_STOP.split(m.group("name"), maxsplit=1)[0].strip(" ,-–")
    start = offset
    end = offset + len(name)
    if overlaps(taken, start, end):
        return None  # a registry name: the mention already exists with its role
    return organisation_mention(view, LEADING_ARTICLE.sub("", name).strip(), start, end, 0.8)


def organisation_mention(
    view: PageView, name: str, start: int, end: int, confidence: float
) -> Mention | None:
    """A mention of an organisation the registry does not know, named right after a
    cue: an association unless it is not plausibly an organisation at all."""
    if not plausible_organisation(name):
        return None
    return Mention(
        canonical=smart_case(name),
        kind="association",
        **cue_or_partner(view, start, end),
        page=view.page,
        start=start,
        end=end,
        confidence=confidence,
    )
