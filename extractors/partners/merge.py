"""Mentions -> partners: one :class:`~schemas.records.Partner` per canonical name.

Being a partner takes a cue: an organisation only mentioned in passing is left out.
In a contract (three signatories or more read from the layout), only layout cues
count: its partners are the ones it lists, not every body its text cites.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from extractors.operators import find_siret
from extractors.partners.gazetteer import entries, key
from extractors.partners.mentions import EXTRACTOR, ROLE_RANK, Context, Mention
from schemas.records import Partner, Provenance

_CONTRACT_SIGNATORIES = 3


def merge(mentions: list[Mention], ctx: Context) -> list[Partner]:
    """One partner per canonical name, kept when its context gives it a role.

    In a contract — a document whose layout names at least three signatories — the
    partners are those the contract itself lists: signatories, organisations in its
    partner lists, section titles, funding tables, "Opérateur :" labels. An
    organisation only cited in running text ("en lien avec la Mission locale") is
    context there. Reports and slide decks have no such lists: any role cue counts.
    """
    _attach_unqualified(mentions)
    _attach_prefixes(mentions)
    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        groups[key(m.canonical)].append(m)
    signatories = sum(
        any(m.role == "signatory" and m.structural for m in group) for group in groups.values()
    )
    contract = signatories >= _CONTRACT_SIGNATORIES
    partners = []
    for group in groups.values():
        cued = [m for m in group if m.role is not None]
        if not cued or (contract and not any(m.structural for m in cued)):
            continue
        partners.append(_partner(sorted(group, key=lambda m: (m.page.number, m.start)), ctx))
    partners.sort(key=lambda p: (-ROLE_RANK[p.role], p.provenance.page, p.provenance.start))
    return partners


def _partner(group: list[Mention], ctx: Context) -> Partner:
    """The partner of a group of mentions: strongest role, most explicit spelling.

    Roles read from the layout (a list of partners, a signature block) outrank roles
    read from running text: a State service listed among the contract's partners
    stays a partner even if a sentence elsewhere mentions its credits.
    """
    cued = [m for m in group if m.role]
    strongest = [m for m in cued if m.structural] or cued
    role = max((m.role for m in strongest if m.role), key=ROLE_RANK.__getitem__)
    best = max(
        (m for m in group if m.role == role),
        key=lambda m: (m.end - m.start, -m.page.number, -m.start),
    )
    kind = Counter(m.kind for m in group).most_common(1)[0][0]
    partner = Partner(
        name=" ".join(best.page.text[best.start : best.end].split()),  # wrapped: one line
        canonical=best.canonical,
        kind=kind,
        role=role,
        provenance=_provenance(best),
        mentions=[_provenance(m) for m in group],
    )
    if role == "operator" or kind == "association":
        partner.siret = find_siret(partner.canonical, ctx.department)
    return partner


def _attach_unqualified(mentions: list[Mention]) -> None:
    """A generic place-scoped mention ("le Tribunal") joins the main qualified form of its
    entry, else of the entries it stands for ("le Procureur" -> the tribunal).

    Only a form naming most of the qualified mentions is the main one: "le CCAS" in a
    report listing the CCAS of ten communes is none of them in particular.
    """
    qualified: dict[str, Counter[str]] = defaultdict(Counter)
    for m in mentions:
        if m.entry and m.qualified:
            qualified[m.entry][m.canonical] += 1
    for m in mentions:
        if not m.entry or m.qualified:
            continue
        for entry in [m.entry, *entries()[m.entry].get("attach_to", [])]:
            options = qualified.get(entry)
            if options:
                main, count = options.most_common(1)[0]
                if 2 * count > options.total():
                    m.canonical = main
                    m.qualified = True
                break


def _attach_prefixes(mentions: list[Mention]) -> None:
    """ "Ministère de la Ville" joins "Ministère de la Ville, de la Jeunesse et des Sports"."""
    names = {m.canonical for m in mentions if m.entry == "ministere"}
    for m in mentions:
        if m.entry == "ministere":
            longer = [n for n in names if n.startswith(m.canonical + ",")]
            if longer:
                m.canonical = max(longer, key=len)


def _provenance(m: Mention) -> Provenance:
    return Provenance(
        page=m.page.number,
        start=m.start,
        end=m.end,
        raw=m.page.text[m.start : m.end],
        extractor=EXTRACTOR,
        confidence=m.confidence,
        bbox=m.page.bbox_for(m.start, m.end),
    )
