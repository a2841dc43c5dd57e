"""Document-level facts: type, territory, department, year, period, adoption date.

Each fact is read where documents of the field state it and recorded with the
place it was read (:class:`Provenance`): the type from its cues
(:mod:`extractors.doctype`), the EPCI from its names and acronyms
(:mod:`extractors.territory`) with its SIREN and contract code from the reference
data, the year from "Année de référence 2019"-style formulas, the contract period
from years written next to "contrat de ville" (extended by a stated prorogation), and
the adoption date from the deliberation's meeting or a "Fait à …, le …" line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from extractors.dates import DateMatch, PeriodMatch, find_dates, find_periods
from extractors.department import DepartmentCue, department_votes, find_department_cues
from extractors.doctype import CONTRACT_TYPES, classify
from extractors.docview import DocView
from extractors.territory import TerritoryResult, resolve_territory
from quartiers.referencedata import Generation, epci_contracts
from schemas.records import DocType, DocumentFacts, ParsedDocument, Provenance

T = TypeVar("T")
EXTRACTOR = "facts"
GENERATION_2024 = 2024  # first year of the "Quartiers 2030" contracts
CONTEXT_CHARS = 100  # how far before a period its subject ("contrat de ville") may be
TAIL_SHARE = 0.1  # the signature block sits in the last tenth of a document
MAX_CONTRACT_YEARS = 12

_YEAR = r"((?:19|20)\d\d)"
_OEUVRE = r"(?:oe|o|ce|e)?uvre"
# (pattern on folded text, weight): formulas that state the year a report is about.
YEAR_CUES: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(p, re.MULTILINE), w)
    for p, w in (
        (rf"annee de reference\s*:?\s*{_YEAR}", 5.0),
        (rf"au titre de (?:l'annee|l'exercice)\s+{_YEAR}", 3.0),
        (rf"^[^\w\n]*annee\s+{_YEAR}[^\w\n]*$", 3.0),
        (rf"\bannee\s+{_YEAR}\b", 1.0),
        (
            rf"\bprogrammation(?: previsionnelle| annuelle)?(?: du contrat de ville)?\s+{_YEAR}\b",
            2.0,
        ),
        (
            rf"mise en {_OEUVRE} (?:du contrat de ville|de la politique de la ville)\s+en\s+{_YEAR}",
            2.0,
        ),
        (rf"\b(?:rapport|bilan)(?: annuel)?(?: d'activite)?\s+{_YEAR}\b", 1.0),
    )
)
# Subjects that make a year span a contract period.
_CONTRACT_SUBJECT = re.compile(
    r"contrats? de ville|contrat[- ]cadre|document[- ]cadre|quartiers 2030|"
    r"geographie prioritaire|contrat unique"
)
# Other plans whose periods must not be taken for the contract's.
_OTHER_PLAN = re.compile(
    r"protocole|plan |programme|projet de territoire|convention|schema|feuille de route|"
    r"pacte|\bplh\b|\bpo\b|\bprs\b|insee|evaluation finale"
)
_PROROGATION = re.compile(
    r"(?:proroge|prolonge|prorogation|prolongation|nouvelle echeance|nouvelles echeance)"
    r"[^.]{0,80}?(?:jusqu'?\s?(?:au|en|a|fin)|au|a)\s+(?:(?:le\s+)?[0-3]?\d(?:er)?\s+[a-z]+\s+)?"
    r"(?:fin\s+)?((?:19|20)\d\d)"
)
_MEETING = re.compile(
    r"s'est reuni|seance du|reunion du|deliberation du (?:conseil|bureau)|"
    r"(?:conseil|bureau) (?:communautaire|municipal|metropolitain)(?: du| en date du)?\s*$"
)
_NOT_MEETING = re.compile(
    r"(?:^|\n|\.)\s*vu\b|convocation|reception|publication|transmis|affich|recu|envoye|"
    r"commission|deliberation n"
)
_DONE_AT = re.compile(r"fait a [^,\n]{2,40},?\s+le\s*$")
# "<this document> … approuvé / adopté / signé … le|du <date>", by document type.
_SELF_ADOPTION = {
    "rapport_annuel": re.compile(
        r"(?:le present|ce|le) rapport\b[^.]{0,80}\b(?:approuve|adopte|valide)e?s?\b[^.]{0,80}\b(?:le|du)\s*$"
    ),
    "contrat_de_ville": re.compile(
        r"(?:le present|ce) (?:contrat|document)\b[^.]{0,80}\b(?:signe|approuve|adopte)e?s?\b[^.]{0,40}\ble\s*$"
    ),
}
_SELF_ADOPTION["contrat_quartiers_2030"] = _SELF_ADOPTION["contrat_de_ville"]


@dataclass(frozen=True, slots=True)
class _Found(Generic[T]):
    """A value and where it was read."""

    value: T
    provenance: Provenance


def _prov(view: DocView, start: int, end: int, field: str, confidence: float) -> Provenance:
    return view.provenance(start, end, f"{EXTRACTOR}.{field}", confidence)


# ----------------------------------------------------------------------------- years


def _reference_year_from_cues(view: DocView) -> _Found[int] | None:
    votes: dict[int, float] = defaultdict(float)
    first_seen: dict[int, tuple[int, int, float]] = {}
    for pattern, weight in YEAR_CUES:
        for m in pattern.finditer(view.folded):
            year = int(m.group(1))
            w = weight * (2.0 if view.in_head(m.start()) else 1.0)
            votes[year] += w
            if year not in first_seen or w > first_seen[year][2]:
                first_seen[year] = (m.start(), m.end(), w)
    if not votes:
        return None
    ranked = sorted(votes.items(), key=lambda kv: kv[1], reverse=True)
    year, top = ranked[0]
    margin = (top - ranked[1][1]) / top if len(ranked) > 1 else 1.0
    start, end, _ = first_seen[year]
    return _Found(year, _prov(view, start, end, "reference_year", 0.5 + 0.5 * margin))


# --------------------------------------------------------------------------- periods


def _contract_periods(view: DocView) -> list[PeriodMatch]:
    """Year spans written right after a contract subject, with no other plan in between."""
    found = []
    for period in find_periods(view.text, view.folded):
        before = view.folded[max(0, period.start - CONTEXT_CHARS) : period.start]
        before = re.split(r"[.;!?]\s", before)[-1]
        subjects = list(_CONTRACT_SUBJECT.finditer(before))
        if not subjects:
            continue
        if _OTHER_PLAN.search(before[subjects[-1].end() :]):
            continue
        if period.last - period.first <= MAX_CONTRACT_YEARS:
            found.append(period)
    return found


def _pick_period(
    view: DocView,
    periods: list[PeriodMatch],
    keep: Callable[[PeriodMatch], bool],
    earliest_first: bool = False,
) -> PeriodMatch | None:
    """The contract period among those ``keep`` accepts.

    A contract states its own period most often (head mentions count double). In a
    report, the contract in force is the covering span that starts first: the later
    ones are its roadmaps and amendments ("feuille de route 2019-2022").
    """
    votes: dict[tuple[int, int], float] = defaultdict(float)
    first: dict[tuple[int, int], PeriodMatch] = {}
    for p in periods:
        if not keep(p):
            continue
        key = (p.first, p.last)
        votes[key] += 2.0 if view.in_head(p.start) else 1.0
        first.setdefault(key, p)
    if not votes:
        return None
    if earliest_first:
        best = max(votes, key=lambda k: (-k[0], votes[k], k[1]))
    else:
        best = max(votes, key=lambda k: (votes[k], -k[0], k[1]))
    return first[best]


def _prorogation(view: DocView, period: PeriodMatch) -> tuple[int, int, int] | None:
    """A stated extension of the contract: (new last year, start, end of the statement)."""
    best = None
    for m in _PROROGATION.finditer(view.folded):
        sentence_start = max(
            view.folded.rfind(". ", 0, m.start()), view.folded.rfind("\n\n", 0, m.start())
        )
        sentence = view.folded[sentence_start + 1 : m.end()]
        year = int(m.group(1))
        if "contrat" not in sentence or not period.last < year <= period.first + MAX_CONTRACT_YEARS:
            continue
        if best is None or year > best[0]:
            best = (year, m.start(), m.end())
    return best


def _period(view: DocView, doc_type: DocType, reference_year: int | None) -> _Found[str] | None:
    periods = _contract_periods(view)
    if doc_type in CONTRACT_TYPES:
        if doc_type == "contrat_quartiers_2030":
            chosen = _pick_period(view, periods, lambda p: p.first >= GENERATION_2024 - 1)
        else:
            chosen = _pick_period(view, periods, lambda p: p.first < GENERATION_2024)
    elif reference_year is not None:
        chosen = _pick_period(
            view, periods, lambda p: p.first <= reference_year <= p.last, earliest_first=True
        )
        if chosen is None:  # the contract ran past its stated end: take the one it prolongs
            chosen = _pick_period(
                view, periods, lambda p: p.first <= reference_year, earliest_first=True
            )
            extension = _prorogation(view, chosen) if chosen else None
            if not extension or extension[0] < reference_year:
                chosen = None
    elif doc_type == "deliberation":  # e.g. the approval of a contract: its period
        chosen = _pick_period(view, periods, lambda p: True)
    else:
        chosen = None
    if chosen is None:
        return None
    confidence = 0.85
    prov = _prov(view, chosen.start, chosen.end, "period", confidence)
    extension = _prorogation(view, chosen)
    if extension and doc_type != "contrat_quartiers_2030":
        year, start, end = extension
        label = f"{chosen.first}-{year}"
        return _Found(label, _prov(view, start, end, "period", 0.75))
    return _Found(chosen.label, prov)


# ----------------------------------------------------------------------------- dates


def _meeting_date(view: DocView, dates: list[DateMatch]) -> _Found[str] | None:
    """The council meeting date of a deliberation (first pages)."""
    votes: dict[str, float] = defaultdict(float)
    first: dict[str, DateMatch] = {}
    for d in dates:
        if not view.in_head(d.start):
            continue
        line_start = view.folded.rfind("\n", 0, d.start) + 1
        line_end = view.folded.find("\n", d.end)
        before = view.folded[max(line_start, d.start - 160) : d.start]
        after = view.folded[d.end : line_end if line_end >= 0 else d.end + 120][:120]
        if _NOT_MEETING.search(before[-60:]):
            continue
        if _MEETING.search(before) or _MEETING.search(after):
            votes[d.iso] += 1.0
            first.setdefault(d.iso, d)
    if not votes:
        return None
    iso = max(votes, key=lambda k: (votes[k], -first[k].start))
    d = first[iso]
    return _Found(iso, _prov(view, d.start, d.end, "signed_or_adopted_on", 0.9))


def _self_adoption_date(
    view: DocView, dates: list[DateMatch], doc_type: DocType
) -> _Found[str] | None:
    """A sentence saying this report or contract was approved / signed on a date."""
    pattern = _SELF_ADOPTION.get(doc_type)
    if pattern is None:
        return None
    for d in dates:
        sentence_start = view.folded.rfind(". ", max(0, d.start - 200), d.start)
        before = view.folded[max(sentence_start + 1, d.start - 200) : d.start]
        if m := pattern.search(before):
            start = d.start - len(before) + m.start()
            return _Found(d.iso, _prov(view, start, d.end, "signed_or_adopted_on", 0.7))
    return None


def _signature_date(view: DocView, dates: list[DateMatch]) -> _Found[str] | None:
    """A "Fait à X, le <date>" line on the first pages or in the closing signature block."""
    tail_start = len(view.text) * (1 - TAIL_SHARE)
    for d in dates:
        if not (view.in_head(d.start) or d.start >= tail_start):
            continue
        before = view.folded[max(0, d.start - 60) : d.start]
        if _DONE_AT.search(before):
            start = view.folded.rfind("fait a", 0, d.start)
            return _Found(d.iso, _prov(view, start, d.end, "signed_or_adopted_on", 0.85))
    return None


# ------------------------------------------------------------------------ territory


def _contract_generation(
    doc_type: DocType, period: str | None, reference_year: int | None
) -> Generation | None:
    if doc_type == "contrat_quartiers_2030":
        return 2024
    year = int(period[:4]) if period else reference_year
    if year is None:
        return 2015 if doc_type == "contrat_de_ville" else None
    return 2024 if year >= GENERATION_2024 else 2015


def _department(
    view: DocView, cues: list[DepartmentCue], territory: TerritoryResult | None
) -> _Found[str] | None:
    """The EPCI's department, else the best-voted cue; provenance from a cue that agrees."""
    votes = department_votes(view, cues)
    if territory:
        code = territory.epci.dept
    elif votes:
        code = max(votes, key=votes.__getitem__)
    else:
        return None
    agreeing = sorted((c for c in cues if c.code == code), key=lambda c: (-c.weight, c.start))
    if agreeing:
        cue = agreeing[0]
        confidence = 0.6 + 0.4 * votes[code] / sum(votes.values())
        return _Found(code, _prov(view, cue.start, cue.end, "department", confidence))
    assert territory is not None  # a code without agreeing cue comes from the territory
    ev = territory.evidence
    return _Found(code, _prov(view, ev.start, ev.end, "department", 0.7 * territory.confidence))


# ----------------------------------------------------------------------------- entry


def extract_facts(doc: ParsedDocument) -> DocumentFacts:
    """The document's type, territory, department, year, period and adoption date."""
    view = DocView.of(doc)
    facts = DocumentFacts()
    kind = classify(view)
    facts.doc_type = kind.doc_type
    if kind.evidence:
        ev = kind.evidence
        facts.provenance["doc_type"] = _prov(view, ev.start, ev.end, "doc_type", kind.confidence)

    cues = find_department_cues(view)
    territory = resolve_territory(view, department_votes(view, cues))
    if territory:
        ev = territory.evidence
        facts.territory, facts.territory_siren = territory.name, territory.epci.siren
        for field in ("territory", "territory_siren"):
            facts.provenance[field] = _prov(view, ev.start, ev.end, field, territory.confidence)
        if territory.acronym and territory.acronym_mention:
            am = territory.acronym_mention
            facts.territory_acronym = territory.acronym
            facts.provenance["territory_acronym"] = _prov(
                view, am.start, am.end, "territory_acronym", territory.confidence
            )
    department = _department(view, cues, territory)
    if department:
        facts.department = department.value
        facts.provenance["department"] = department.provenance

    year = None if kind.doc_type in CONTRACT_TYPES else _reference_year_from_cues(view)
    period = _period(view, kind.doc_type, year.value if year else None)
    if year is None and period is not None and kind.doc_type in (*CONTRACT_TYPES, "deliberation"):
        # A contract (or the deliberation approving it) is about the years it covers.
        year = _Found(
            int(period.value[:4]),
            replace(period.provenance, extractor=f"{EXTRACTOR}.reference_year"),
        )
    if year:
        facts.reference_year = year.value
        facts.provenance["reference_year"] = year.provenance
    if period:
        facts.period = period.value
        facts.provenance["period"] = period.provenance

    dates = find_dates(view.text, view.folded)
    signed = _meeting_date(view, dates) if kind.doc_type == "deliberation" else None
    signed = (
        signed or _signature_date(view, dates) or _self_adoption_date(view, dates, kind.doc_type)
    )
    if signed:
        facts.signed_or_adopted_on = signed.value
        facts.provenance["signed_or_adopted_on"] = signed.provenance

    generation = _contract_generation(kind.doc_type, facts.period, facts.reference_year)
    if territory and generation:
        contract = epci_contracts(territory.epci.siren).best(generation)
        if contract:
            ev = territory.evidence
            facts.contract_code = contract.code
            facts.provenance["contract_code"] = _prov(
                view, ev.start, ev.end, "contract_code", territory.confidence
            )
    return facts
