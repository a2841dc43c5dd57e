"""The document's own intercommunality (EPCI) and the others it names.

An agglomeration names itself by its legal form and place ("Communauté
d'Agglomération de Lens-Liévin"), by its legal form alone ("l'Agglomération"), or
by an acronym of its initials ("CALL", "CABBALR"). All of them are the territory the
document facts name; another place after a legal form is another EPCI.

Documents spell their EPCI differently ("Communauté d'Agglomération Béthune-Bruay,
Artois Lys Romane" in one, "... de Béthune-Bruay, Artois-Lys Romane" in the next),
so an EPCI the reference list knows is named by its DGCL name, legal form spelled
out: one canonical name per EPCI across documents. An acronym is left out of it:
one document writes it, another does not.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from rapidfuzz import fuzz

from extractors.folding import fold
from extractors.partners.gazetteer import key
from extractors.partners.layout import PageView, text_after
from extractors.partners.mentions import Context, Mention, Span
from extractors.partners.names import STOP_WORDS, smart_case
from extractors.partners.places import PLACE_AFTER, name_after
from extractors.partners.roles import cue
from extractors.territory import ARTICLES, TYPE_WORDS, gazetteer
from quartiers.referencedata import epcis

_BARE_EPCI = frozenset({"epci", "agglo", "intercommunalite"})
_SPELLED_FORM = re.compile(r"(?:communaute|metropole)\b")
_LEGAL_FORM = re.compile(
    r"^\s*(?:communaut[ée] (?:d'agglom[ée]ration|de communes|urbaine)|m[ée]tropole|ca|cc|cu)\b"
    r"\s*(?:de la |de l'|du |des |de |d')?",
    re.I,
)


def epci_name(head: str, after: str, ctx: Context) -> tuple[str, int] | None:
    """The EPCI a legal-form mention designates, and how much of ``after`` names it.

    "Communauté d'Agglomération de Lens-Liévin" is the territory when the place
    written after the legal form begins the territory's own name; another place names
    another EPCI; no place at all ("l'Agglomération", "la Communauté de communes")
    means the territory if its legal form agrees.
    """
    folded_head = fold(head)
    found = name_after(PLACE_AFTER, after)
    if found and _SPELLED_FORM.match(fold(found[0])):
        found = None  # "Communauté d'Agglomération de la Communauté ...": a typo, no place
    if found and folded_head not in _BARE_EPCI:
        if ctx.territory and _same_place(found[0], _territory_place(ctx.territory)):
            return territory_canonical(ctx), found[1]
        written = f"{head.strip()} {after[: found[1]].strip()}"
        return reference_name(written, ctx.department) or smart_case(written), found[1]
    if ctx.territory and _compatible(folded_head, fold(ctx.territory)):
        return territory_canonical(ctx), 0
    return None


def _territory_place(territory: str) -> str:
    """ "Communauté d'Agglomération de Lens-Liévin" -> "Lens-Liévin"."""
    return _LEGAL_FORM.sub("", territory).strip()


def _same_place(written: str, place: str) -> bool:
    """ "Lens-Liévin" ~ "Lens-Liévin"; "Béthune-Bruay" begins "Béthune-Bruay, Artois-Lys
    Romane"; "LENS-LIEVIN La CALL" (a title run into the next line) begins with it."""
    a, b = key(written), key(place)
    if not a or not b:
        return False
    return b.startswith(a) or (a + " ").startswith(b + " ") or fuzz.token_sort_ratio(a, b) >= 90


def _compatible(folded_head: str, folded_territory: str) -> bool:
    for form in ("agglomeration", "communes", "urbaine", "metropole"):
        if form in folded_head or (form == "agglomeration" and folded_head == "agglo"):
            return form in folded_territory
    return True


def territory_canonical(ctx: Context) -> str:
    """The document's own EPCI: its reference name, else the name the facts give."""
    assert ctx.territory is not None
    return reference_name(ctx.territory, ctx.department) or ctx.territory


@lru_cache(maxsize=1024)
def reference_name(written: str, department: str | None) -> str | None:
    """The DGCL name (legal form spelled out) of the EPCI ``written`` designates, or None.

    The name's words without legal form and articles must be those of one current
    EPCI, or of a 2015 contract label linked to it (the pre-merger names); among
    namesakes, the one of the document's department.
    """
    words = [
        w for w in re.findall(r"[a-z0-9]+", fold(_LEGAL_FORM.sub("", written))) if w not in ARTICLES
    ]
    trimmed = list(words)
    while trimmed and trimmed[-1] in TYPE_WORDS:
        trimmed.pop()
    cores = gazetteer().cores
    sirens = cores.get(tuple(words)) or cores.get(tuple(trimmed)) or frozenset()
    known = {epcis()[s] for s in sirens if s in epcis()}
    local = {e for e in known if e.dept == department}
    found = local or known  # an EPCI over two departments is listed under one
    return found.pop().full_name if len(found) == 1 else None


def territory_acronyms(views: list[PageView], territory: str | None) -> tuple[str, ...]:
    """Acronyms of the territory the text uses: "(CALL)" after its name, or its initials."""
    if not territory:
        return ()
    words = [w for w in re.split(r"[\s\-'’,/]+", territory) if w]
    initials = "".join(w[0] for w in words if fold(w) not in STOP_WORDS and w[0].isalpha())
    candidates = {initials.upper()}
    target = fold(territory)
    for view in views:
        for m in re.finditer(re.escape(target) + r"\s*\(([a-z][a-z\-]{1,11})\)", view.folded):
            candidates.add(view.text[m.start(1) : m.end(1)])
    found = [
        a
        for a in candidates
        if len(a) >= 3
        and a.isupper()
        and any(re.search(rf"\b{re.escape(a)}\b", v.text) for v in views)
    ]
    return tuple(sorted(found, key=len, reverse=True))


def acronym_mentions(views: list[PageView], ctx: Context) -> list[Mention]:
    """Every place the text writes the territory's acronym."""
    if not ctx.territory_acronyms:
        return []
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, ctx.territory_acronyms)) + r")\b")
    return [
        Mention(
            canonical=territory_canonical(ctx),
            kind="epci",
            **cue(view, m.start(), m.end()),
            page=view.page,
            start=m.start(),
            end=m.end(),
            confidence=0.9,
            entry="epci",
        )
        for view in views
        for m in pattern.finditer(view.text)
    ]


def main_epci(raw: list[tuple[PageView, Span]]) -> str | None:
    """Without a known territory: the EPCI the document names at least twice, most often."""
    names: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for view, ent in raw:
        if ent.entry != "epci" or fold(ent.text) in _BARE_EPCI:
            continue
        after = text_after(view, ent.end)
        found = name_after(PLACE_AFTER, after)
        if found:
            name = smart_case(f"{ent.text.strip()} {after[: found[1]].strip()}")
            names[key(name)] += 1
            spelled.setdefault(key(name), name)
    if not names:
        return None
    k, count = names.most_common(1)[0]
    return spelled[k] if count >= 2 else None
