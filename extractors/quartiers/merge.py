"""Mentions -> one :class:`~schemas.records.Quartier` per entity.

Coded mentions group by code. A codeless mention joins the entity whose names are
close to its own and whose communes agree; it only founds an entity of its own when
it is strong (a cue marked it). When the document lists coded QPVs, its codes are
taken as the QPV list: a codeless QPV matching none of them is left out, quartiers de
veille, QIC... are kept. The record takes its name from its most trusted mention.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz

from schemas.records import Quartier

from ..communes import Commune, commune_key, fold, resolve_commune
from .mentions import Found
from .names import PIECE_SPLIT, WEAK_TOKENS, name_key


@dataclass(slots=True)
class _Entity:
    code: str | None
    founds: list[Found]

    @property
    def insee(self) -> set[str]:
        return {i for f in self.founds for i in f.insee}

    @property
    def keys(self) -> set[str]:
        return {name_key(f.mention.name) for f in self.founds if f.mention.name} - {""}


def merge(founds: list[Found], successors: dict[str, str], dept: str | None) -> list[Quartier]:
    """The quartiers ``founds`` speak of, in the order of their best mentions (the QPV
    table's order when there is one)."""
    return [_build(e, successors, dept) for e in _entities(founds)]


def _match_score(f: Found, e: _Entity) -> float:
    """How well a codeless mention fits an entity; 0 when it does not.

    Names must be close (token order and "du"/"de" aside), or one must be contained in
    the other ("Vent de Bise" in "Calonne - Marichelles - Vent De Bise"); containment
    needs the same commune, or two distinctive shared words when communes are unknown.
    A commune conflict rules the match out.
    """
    name = f.mention.name or ""
    pieces = [p for p in PIECE_SPLIT.split(name) if p.strip()]
    keys = {name_key(name)} | ({name_key(p) for p in pieces} if len(pieces) > 1 else set())
    keys.discard("")
    mine, theirs = f.insee, e.insee
    if not keys or (mine and theirs and not mine & theirs):
        return 0.0
    agree = bool(mine & theirs)
    best = 0.0
    for key in keys:
        for other in e.keys:
            score = fuzz.token_sort_ratio(key, other)
            shared = set(key.split()) & set(other.split()) - WEAK_TOKENS
            if len(shared) >= (1 if agree else 2) and fuzz.token_set_ratio(key, other) >= 95:
                score = max(score, 90.0)
            best = max(best, score)
    threshold = 80.0 if agree else 88.0
    return best + (10.0 if agree else 0.0) if best >= threshold else 0.0


def _entities(founds: list[Found]) -> list[_Entity]:
    by_code: dict[str, _Entity] = {}
    for f in founds:
        if f.mention.code:
            by_code.setdefault(f.mention.code, _Entity(f.mention.code, [])).founds.append(f)
    entities = list(by_code.values())
    codeless = sorted(
        (f for f in founds if not f.mention.code and f.mention.name),
        key=lambda f: (not f.strong, -f.rank, f.order),
    )
    loose: list[_Entity] = []
    for f in codeless:
        scored = sorted(
            ((_match_score(f, e), k) for k, e in enumerate(entities + loose)), reverse=True
        )
        if scored and scored[0][0] > 0 and (len(scored) < 2 or scored[0][0] > scored[1][0]):
            (entities + loose)[scored[0][1]].founds.append(f)
        elif f.strong:
            loose.append(_Entity(None, [f]))
    has_codes = bool(entities)
    for e in loose:
        if has_codes and _status(e) == "qpv":
            continue  # the document's code list is its QPV list
        entities.append(e)
    for e in entities:
        e.founds.sort(key=lambda f: f.order)
    entities.sort(key=lambda e: min((-f.rank, f.order) for f in e.founds))
    return entities


def _status(e: _Entity) -> str:
    if e.code:
        return "qpv"
    strong = [f.mention.status for f in e.founds if f.strong]
    return (strong or [e.founds[0].mention.status])[0]


def _build(e: _Entity, successors: dict[str, str], dept: str | None) -> Quartier:
    """The record of one entity: the name of its most trusted mention (the QPV table's
    row over a heading over prose), the other spellings as aliases, figures only where a
    row gave them."""
    named = [f for f in e.founds if f.mention.name]
    key_count = Counter(name_key(f.mention.name or "") for f in named)
    best = min(
        named,
        key=lambda f: (-f.rank, -key_count[name_key(f.mention.name or "")], f.order),
        default=None,
    )
    name = best.mention.name if best else None
    aliases: list[str] = []
    seen = {fold(name or "")}
    for f in named:
        n = f.mention.name or ""
        if fold(n) not in seen:
            seen.add(fold(n))
            aliases.append(n)
    communes, insee = _entity_communes(e, dept)
    by_rank = sorted(e.founds, key=lambda f: -f.rank)
    population = next((f.mention.population for f in by_rank if f.mention.population), None)
    income = next((f.mention.median_income for f in by_rank if f.mention.median_income), None)
    return Quartier(
        code=e.code,
        name=name,
        communes=communes,
        status=_status(e),  # type: ignore[arg-type]
        mentions=[f.mention for f in e.founds],
        population=population,
        median_income=income,
        commune_insee=insee,
        aliases=aliases,
        successor_code=successors.get(e.code or ""),
    )


def _entity_communes(e: _Entity, dept: str | None) -> tuple[list[str], list[str]]:
    """Communes as the document writes them (the table first, then headings); for a
    coded quartier, codeless look-alikes do not add communes."""
    sources = [f for f in e.founds if f.mention.communes and (not e.code or f.mention.code)]
    sources.sort(key=lambda f: (-f.rank, f.order))
    names: list[str] = []
    insee: list[str] = []
    seen: set[str] = set()
    for f in sources:
        for written in f.mention.communes:
            commune = resolve_commune(written, dept)
            ident = commune.insee if commune else commune_key(written)
            if ident in seen:
                continue
            seen.add(ident)
            names.append(_display(written, commune))
            if commune:
                insee.append(commune.insee)
    return names, insee


def _display(written: str, commune: Commune | None) -> str:
    """The document's spelling, unless it is all capitals, a short form ("Bruay") or a
    misspelling (OCR's "Bitly-Montigny", "Sällaumines"): the official name then."""
    if commune is None:
        return written
    if (
        written.isupper()
        or commune_key(written) != commune_key(commune.name)
        or not _accented(written) <= _accented(commune.name)
    ):
        return commune.name
    return written


def _accented(text: str) -> set[str]:
    return {c.lower() for c in text if c.isalpha() and not c.isascii()}
