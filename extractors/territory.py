"""Which intercommunality (EPCI) a document is about.

Documents name their agglomeration in three ways: with its legal form ("Communauté
d'Agglomération de Lens-Liévin", "CA du Boulonnais"), bare when the name is
distinctive ("La Porte du Hainaut"), or by an acronym built from the name (CALL,
CAPH, CABBALR). The gazetteer below is built from the DGCL EPCI list and the 2015
contract labels (pre-merger names), so every agglomeration of the reference is
recognised the same way. Each mention votes for an EPCI; votes on the first pages and
from the document's own department weigh more; the best-voted EPCI wins.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz, process

from extractors.docview import DocView
from extractors.folding import fold
from quartiers.referencedata import (
    LEGAL_FORMS,
    Epci,
    communes,
    contrats_de_ville,
    epci_for_contract,
    epci_of_member_siren,
    epcis,
    expand_legal_form,
)

# fmt: off
ARTICLES = frozenset({
    "de", "du", "des", "d", "la", "le", "les", "l", "et", "en", "sur", "sous", "lez",
    "aux", "au", "a",
})
# fmt: on
TYPE_WORDS = frozenset({"communaute", "agglomeration", "agglo", "metropole", "communes", "urbaine"})
# Common acronyms of the field that a name-derived acronym could collide with.
# fmt: off
ACRONYM_STOPLIST = frozenset({
    "CAF", "CAFS", "CCAS", "CCI", "CUCS", "CAUE", "CCAPEX", "CAMSP", "CARSAT", "CADA", "CAPEB",
    "CASF", "CCSPD", "CLSPD", "CAAD", "CAPS", "CAVA", "CCAA", "CCPD", "CALE", "CARE", "CASA",
    "CCAH", "CCAF", "CCIR", "CARM",
})
# fmt: on
MIN_DERIVED_ACRONYM = 4
FUZZY_CUTOFF = 90
HEAD_FACTOR = 2.0
DEPT_FACTOR = 1.5
WEIGHTS = {"typed": 3.0, "bare": 1.5, "acronym": 2.5, "act_id": 2.0}
KIND_ORDER = ("typed", "bare", "acronym", "act_id")  # preferred evidence first
MIN_SCORE = 3.0  # one full "Communauté d'Agglomération de X" is enough, one bare word is not

# Legal forms as written in running text (folded), with the reference code they mean.
_TYPED = re.compile(
    r"(?P<ca>communaut\w{0,3}\s*d\W{0,2}\s*agglom\w{0,9})"
    r"|(?P<cc>communaut\w{0,3}\s+de\s+communes)"
    r"|(?P<cu>communaut\w{0,3}\s+urbaine)"
    r"|(?P<metro>metropole)"
    r"|(?P<loose>\bagglomeration|\bagglo)"
    r"|(?P<abbr>\b(?:ca|cc|cu)\b)"
)
_WORD = re.compile(r"[a-z0-9]+")
_GAP_OK = re.compile(r"[\s'\-,\"«»]*")
# Gazetteer acronyms are upper case: "CABBALR", "MEL", or dotted "C.A.D.".
_ACRONYM_TOKEN = re.compile(r"(?<![\w.])(?:[A-Z0-9]\.){2,}[A-Z0-9]?\.?|\b[A-Z0-9]{3,16}\b")
_ACT_ID = re.compile(r"\b(?:0\d\d|02[AB]|97\d)-(?P<siren>\d{9})-\d{8}-")


MentionKind = Literal["typed", "bare", "acronym", "act_id"]


@dataclass(frozen=True, slots=True)
class Mention:
    """One place where the document names an EPCI."""

    siren: str
    kind: MentionKind
    start: int
    end: int
    name_start: int | None = None  # span of the name part, for typed/bare mentions
    legal_form: str | None = None  # CA/CC/CU/METRO when the text wrote it
    article: str | None = None  # "de", "du", "de la"… as written between form and name
    acronym: str | None = None
    complete: bool = True  # the whole reference name was matched


@dataclass
class TerritoryResult:
    epci: Epci
    name: str  # official name as the document writes it (or the reference's)
    acronym: str | None
    confidence: float
    evidence: Mention
    acronym_mention: Mention | None
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    cores: dict[tuple[str, ...], frozenset[str]]  # significant name tokens -> SIRENs
    distinctive: frozenset[tuple[str, ...]]  # cores safe to match without a legal form
    first_tokens: frozenset[str]
    acronyms: dict[str, frozenset[str]]  # acronym as written -> SIRENs
    by_length: dict[int, list[str]]  # joined cores per token count (fuzzy fallback)
    max_len: int


def _significant(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t not in ARTICLES]


def _split_legal_form(name: str) -> tuple[str | None, str]:
    """ "CA de Lens - Liévin" -> ("CA", "de Lens - Liévin"); long forms too."""
    head, _, rest = name.partition(" ")
    if head in LEGAL_FORMS and rest:
        return head, rest
    folded = fold(name)
    for code, pattern in (
        ("CA", "communaute d'agglomeration"),
        ("CC", "communaute de communes"),
        ("CU", "communaute urbaine"),
    ):
        if folded.startswith(pattern):
            return code, name[len(pattern) :].strip()
    return None, name


def _name_variants(name: str) -> tuple[str | None, list[list[str]], list[str]]:
    """Legal form, token variants of the core name, explicit acronyms written in it."""
    explicit = [
        a.replace(".", "") for a in re.findall(r"[(\[]\s*((?:[A-Z0-9]\.?){3,})\s*[)\]]", name)
    ]
    clean = re.sub(r"[(\[].*?[)\]]", " ", name)
    legal, rest = _split_legal_form(clean)
    tokens = _significant(_WORD.findall(fold(rest)))
    variants = [tokens]
    trimmed = list(tokens)
    while trimmed and trimmed[-1] in TYPE_WORDS:
        trimmed.pop()
    while trimmed and trimmed[0] in TYPE_WORDS:
        trimmed.pop(0)
    if trimmed and trimmed != tokens:
        variants.append(trimmed)
    return legal, [v for v in variants if v], explicit


def _derived_acronyms(legal: str | None, name: str) -> list[str]:
    """Legal-form letters + initials of the significant words: CALL, CAPH, CABBALR, MEL."""
    clean = re.sub(r"[(\[].*?[)\]]", " ", name)
    _, rest = _split_legal_form(clean)
    words = [w for w in re.split(r"[\s\-'’,/]+", rest) if w and fold(w) not in ARTICLES]
    words = [w for w in words if re.match(r"\w", w)]
    prefix = legal or ""
    found = []
    for kept in (words, [w for w in words if fold(w) not in TYPE_WORDS]):
        acronym = (prefix + "".join(fold(w)[0] for w in kept)).upper()
        minimum = MIN_DERIVED_ACRONYM if prefix else 3
        if len(acronym) >= minimum and acronym not in ACRONYM_STOPLIST:
            found.append(acronym)
    return found


@lru_cache(maxsize=1)
def gazetteer() -> _Gazetteer:
    """Name forms and acronyms of every EPCI, current and pre-merger (2015 labels)."""
    names: list[tuple[str, str]] = [(e.siren, e.raison_sociale) for e in epcis().values()]
    for generation in (2015, 2024):
        for contract in contrats_de_ville(generation):
            link = epci_for_contract(contract)
            if link and link[1] != "member_commune":
                names.append((link[0], contract.name))
    cores: dict[tuple[str, ...], set[str]] = defaultdict(set)
    acronyms: dict[str, set[str]] = defaultdict(set)
    for siren, name in names:
        legal, variants, explicit = _name_variants(name)
        for variant in variants:
            cores[tuple(variant)].add(siren)
        for acronym in [*explicit, *_derived_acronyms(legal, name)]:
            if acronym not in ACRONYM_STOPLIST:
                acronyms[acronym].add(siren)
    town_names = {" ".join(_WORD.findall(fold(c.nccenr))) for c in communes().values()}
    distinctive = frozenset(
        core for core in cores if len(core) >= 2 and " ".join(core) not in town_names
    )
    by_length: dict[int, list[str]] = defaultdict(list)
    for core in cores:
        by_length[len(core)].append(" ".join(core))
    return _Gazetteer(
        cores={k: frozenset(v) for k, v in cores.items()},
        distinctive=distinctive,
        first_tokens=frozenset(core[0] for core in cores),
        acronyms={k: frozenset(v) for k, v in acronyms.items()},
        by_length=dict(by_length),
        max_len=max(len(c) for c in cores),
    )


class _Tokens:
    """Word tokens of the folded text with their offsets."""

    def __init__(self, folded: str) -> None:
        self.folded = folded
        self.items = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
        self.starts = [s for s, _, _ in self.items]

    def following(self, offset: int, limit: int = 12) -> list[tuple[int, int, str]]:
        """Tokens after ``offset`` that continue the same phrase (soft gaps only)."""
        out: list[tuple[int, int, str]] = []
        i, previous_end = bisect_left(self.starts, offset), offset
        newlines = 0
        while i < len(self.items) and len(out) < limit:
            start, end, word = self.items[i]
            gap = self.folded[previous_end:start]
            newlines += gap.count("\n")
            if not _GAP_OK.fullmatch(gap) or newlines > 1 or "\n\n" in gap:
                break
            out.append((start, end, word))
            previous_end, i = end, i + 1
        return out


def _match_core(
    words: list[tuple[int, int, str]], gaz: _Gazetteer
) -> tuple[frozenset[str], int, int, bool] | None:
    """Longest reference name at the start of ``words``: SIRENs, span, exactness."""
    significant = [w for w in words if w[2] not in ARTICLES]
    for n in range(min(len(significant), gaz.max_len), 0, -1):
        key = tuple(w[2] for w in significant[:n])
        if key in gaz.cores:
            return gaz.cores[key], significant[0][0], significant[n - 1][1], True
    for n in range(min(len(significant), gaz.max_len), 1, -1):
        query = " ".join(w[2] for w in significant[:n])
        hit = process.extractOne(
            query, gaz.by_length.get(n, []), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        if hit:
            key = tuple(hit[0].split())
            return gaz.cores[key], significant[0][0], significant[n - 1][1], False
    return None


def _typed_mentions(view: DocView, tokens: _Tokens, gaz: _Gazetteer) -> list[Mention]:
    mentions = []
    for m in _TYPED.finditer(view.folded):
        kind = m.lastgroup or "loose"
        if kind == "abbr" and not view.text[m.start() : m.end()].isupper():
            continue
        words = tokens.following(m.end())
        if kind == "metro":  # "Métropole Européenne de Lille": the form is part of the name
            words = tokens.following(m.start())
        found = _match_core(words, gaz)
        if not found:
            continue
        sirens, name_start, name_end, exact = found
        article = " ".join(w for start, _, w in words if w in ARTICLES and start < name_start)
        legal = {"ca": "CA", "cc": "CC", "cu": "CU", "metro": "METRO"}.get(kind)
        if kind == "abbr":
            legal = view.text[m.start() : m.end()].upper()
        for siren in sirens:
            mentions.append(
                Mention(
                    siren,
                    "typed",
                    m.start(),
                    name_end,
                    name_start,
                    legal,
                    article or None,
                    complete=exact,
                )
            )
    return mentions


def _bare_mentions(tokens: _Tokens, gaz: _Gazetteer) -> list[Mention]:
    mentions = []
    significant = [t for t in tokens.items if t[2] not in ARTICLES]
    for i, (start, _, word) in enumerate(significant):
        if word not in gaz.first_tokens:
            continue
        for n in range(min(gaz.max_len, len(significant) - i), 1, -1):
            key = tuple(t[2] for t in significant[i : i + n])
            if key in gaz.distinctive:
                end = significant[i + n - 1][1]
                if "\n\n" not in tokens.folded[start:end]:
                    mentions.extend(Mention(s, "bare", start, end, start) for s in gaz.cores[key])
                break
    return mentions


def _acronym_mentions(view: DocView, gaz: _Gazetteer) -> list[Mention]:
    mentions = []
    for m in _ACRONYM_TOKEN.finditer(view.text):
        token = m.group().replace(".", "")
        for siren in gaz.acronyms.get(token, ()):
            mentions.append(Mention(siren, "acronym", m.start(), m.end(), acronym=token))
    return mentions


def _act_id_mentions(view: DocView) -> list[Mention]:
    owner = epci_of_member_siren()
    return [
        Mention(owner[m["siren"]], "act_id", m.start(), m.end())
        for m in _ACT_ID.finditer(view.text)
        if m["siren"] in owner
    ]


def find_mentions(view: DocView) -> list[Mention]:
    """Every mention of any reference EPCI in the document."""
    gaz = gazetteer()
    tokens = _Tokens(view.folded)
    typed = _typed_mentions(view, tokens, gaz)
    typed_spans = {(m.name_start, m.end) for m in typed}
    bare = [m for m in _bare_mentions(tokens, gaz) if (m.name_start, m.end) not in typed_spans]
    return typed + bare + _acronym_mentions(view, gaz) + _act_id_mentions(view)


def _score(
    view: DocView, mentions: list[Mention], dept_votes: dict[str, float]
) -> dict[str, float]:
    """Per EPCI: for each mention kind, weight x (1 + log count), head and department bonuses."""
    by_kind: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        by_kind[(m.siren, m.kind)].append(m)
    ambiguity = Counter((m.kind, m.start) for m in mentions)
    best_dept = max(dept_votes, key=lambda d: dept_votes[d]) if dept_votes else None
    scores: dict[str, float] = defaultdict(float)
    for (siren, kind), group in by_kind.items():
        head = any(view.in_head(m.start) for m in group)
        share = sum(1 / ambiguity[(m.kind, m.start)] for m in group)
        weight = WEIGHTS[kind] * (HEAD_FACTOR if head else 1.0)
        scores[siren] += weight * (1 + math.log(share)) if share >= 1 else weight * share
    for siren in scores:
        if epcis()[siren].dept == best_dept:
            scores[siren] *= DEPT_FACTOR
    return dict(scores)


def _written_name(epci: Epci, view: DocView, mentions: list[Mention]) -> str:
    """The name in gold style: legal form spelled out + the name as the text writes it."""
    typed = [m for m in mentions if m.kind == "typed" and m.complete and m.legal_form != "METRO"]
    written = Counter(
        (m.article or "", re.sub(r"\s+", " ", view.text[m.name_start : m.end]))
        for m in typed
        if m.name_start is not None
    )
    candidates = [(n, key) for key, n in written.items() if not key[1].isupper()] or [
        (n, key) for key, n in written.items()
    ]
    if not candidates:
        return expand_legal_form(epci.raison_sociale)
    _, (article, name) = max(candidates, key=lambda c: c[0])
    form = LEGAL_FORMS.get(epci.nature_juridique)
    return f"{form} {_article_text(article)}{name}" if form else name


def _article_text(article: str) -> str:
    """ "de la" -> "de la ", "d" -> "d'", "de l" -> "de l'", "" -> ""."""
    if not article:
        return ""
    return article + "'" if article.split()[-1] in ("d", "l") else article + " "


def resolve_territory(view: DocView, dept_votes: dict[str, float]) -> TerritoryResult | None:
    """The EPCI the document is about, or None when no reference EPCI is named."""
    mentions = find_mentions(view)
    scores = _score(view, mentions, dept_votes)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] < MIN_SCORE:
        return None  # nothing, or one passing mention: not what the document is about
    siren, top = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    epci = epcis()[siren]
    own = [m for m in mentions if m.siren == siren]
    own.sort(key=lambda m: (not view.in_head(m.start), KIND_ORDER.index(m.kind), m.start))
    acronyms = Counter(m.acronym for m in own if m.kind == "acronym")
    acronym = acronyms.most_common(1)[0][0] if acronyms else None
    acronym_mention = next((m for m in own if m.acronym == acronym), None) if acronym else None
    confidence = 0.4 + 0.6 * (top - runner_up) / top * (1 - math.exp(-top / 5))
    return TerritoryResult(
        epci=epci,
        name=_written_name(epci, view, own),
        acronym=acronym,
        confidence=confidence,
        evidence=own[0],
        acronym_mention=acronym_mention,
        scores=dict(ranked[:5]),
    )
