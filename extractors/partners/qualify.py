"""A registry match made a mention with its canonical, qualified name.

The registry names types of bodies ("Caisse d'Allocations Familiales", "Tribunal
judiciaire"); the entry's ``scope`` says how one of them is told apart: by the
department or region written after it (else the document's), by a commune, by the
portfolio that follows ("Ministère de la Ville"), or as the document's own EPCI.
"""

from __future__ import annotations

import re
from typing import Any

from extractors.folding import fold
from extractors.partners.epci import epci_name
from extractors.partners.gazetteer import alias_index, entries, key
from extractors.partners.layout import PageView, text_after
from extractors.partners.mentions import Context, Mention, Span
from extractors.partners.names import de, smart_case
from extractors.partners.places import (
    commune_canonical,
    department_qualifier,
    departments,
    name_after,
    place_qualifier,
    region_after,
    region_by_key,
)
from extractors.partners.roles import cue
from extractors.partners.written import capitals_end, place_end
from schemas.records import PartnerKind

_PORTFOLIO = re.compile(
    r"^[ ]*(?i:(?:charg[ée]e? )?(?:de la|de l'|du|des|de|d'))[ ]*"
    r"(?P<name>[A-ZÀ-Ý][\w'’\-]*(?:[ ,]+(?:(?i:de la|de l'|du|des|de|d'|et|à la|au|aux)[ ]+){0,2}"
    r"[A-ZÀ-Ý][\w'’\-]*)*)"
)


def registry_mention(view: PageView, ent: Span, ctx: Context) -> Mention | None:
    entry = entries().get(ent.entry)
    if entry is None:
        return None
    return qualify(view, entry, ent.start, ent.end, ctx, confidence=0.95)


def qualify(
    view: PageView,
    entry: dict[str, Any],
    start: int,
    end: int,
    ctx: Context,
    *,
    confidence: float,
) -> Mention | None:
    """A mention of ``entry`` at ``[start, end)`` with its canonical, qualified name."""
    if _vetoed(view, entry, start, end):
        return None
    scope = entry["scope"]
    after = text_after(view, end)
    folded_after = fold(after)
    kind: PartnerKind = entry["kind"]
    canonical: str | None = entry.get("canonical")
    qualified, stop = True, end
    if scope == "generic":
        return _generic_mention(view, entry, start, end, ctx)
    if scope == "department":
        dep, stop = department_qualifier(view, start, end, folded_after)
        dep = dep or ctx.department
        qualified = dep is not None
        if dep in departments():
            canonical = f"{canonical} {departments()[dep][0]}"
    elif scope == "region":
        m = region_after().match(folded_after)
        region = region_by_key()[key(m.group("name"))] if m else ctx.region_name
        stop = end + m.end() if m else end
        qualified = region is not None
        if region:
            canonical = f"{canonical} {region}"
    elif scope in {"place", "commune"}:
        place, length = place_qualifier(after, ctx.department, communes_only=scope == "commune")
        if scope == "commune":
            if place is None:
                return None
            canonical = commune_canonical(place)
        elif place:
            canonical = f"{canonical} {place if place[0].islower() else de(place)}"
        elif ctx.department in departments():
            canonical = f"{canonical} ({departments()[ctx.department][1]})"
        qualified, stop = place is not None, end + length
    elif scope == "portfolio":
        found = name_after(_PORTFOLIO, after)
        if not found:
            return None
        canonical = f"{canonical} {after[: found[1]].strip()}"
        stop = end + found[1]
    elif scope == "territory":
        resolved = epci_name(view.text[start:end], after, ctx)
        if resolved is None:
            return None
        canonical, length = resolved
        stop = end + length
    else:  # one body whatever the place: the place written after it is part of its name
        stop = place_end(after, end, ctx.department)
    stop = capitals_end(view, start, stop)
    return Mention(
        canonical=canonical or view.text[start:end],
        kind=kind,
        **cue(view, start, end),
        page=view.page,
        start=start,
        end=stop,
        confidence=confidence,
        entry=entry["id"],
        qualified=qualified,
    )


def _vetoed(view: PageView, entry: dict[str, Any], start: int, end: int) -> bool:
    before = view.folded[max(0, start - 40) : start].rstrip()
    after = view.folded[end : end + 30].lstrip()
    if any(re.search(rf"(?:^|\W){re.escape(w)}$", before) for w in entry.get("not_after", [])):
        return True
    return any(after.startswith(w) for w in entry.get("not_before", []))


def _generic_mention(
    view: PageView, entry: dict[str, Any], start: int, end: int, ctx: Context
) -> Mention | None:
    """A name matched by a generic pattern ("X Habitat", "SA du X", "CD62")."""
    if entry.get("entry"):  # e.g. "CD62" is the Conseil départemental of department 62
        target = entries()[entry["entry"]]
        return qualify(view, target, start, end, ctx, confidence=0.9)
    text = view.text[start:end].strip()
    known = alias_index().get(key(text))
    if known:
        return qualify(view, entries()[known], start, end, ctx, confidence=0.95)
    return Mention(
        canonical=smart_case(text),
        kind=entry["kind"],
        **cue(view, start, end),
        page=view.page,
        start=start,
        end=end,
        confidence=0.8,
    )
