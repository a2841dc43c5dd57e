"""Partners of a contract: the organisations that sign it, fund it, carry its actions.

Three sources of mentions, from the most to the least certain:

1. the gazetteer (``data/partners.json`` through the spaCy EntityRulers of
   :mod:`extractors.nlp`), run alone over every page — institutions are named in a
   handful of ways and acronyms ("CAF", "ANCT", "PDCH") the statistical model misses;
2. explicit cues: "Opérateur : X" labels, the document's own EPCI written as an
   acronym (initials of ``territory`` found in the text), communes heading the lines
   of a fonds-de-concours list (the recipients of the money);
3. the statistical NER, run only on sentences carrying a role cue: an ORG it proposes
   is normalised against the registry with rapidfuzz, or kept as an organisation of
   its own when it stands right after a cue ("animées par X", "en partenariat avec X").

Generic names are qualified by the place written after them ("CAF du Nord",
"Tribunal judiciaire de Béthune"), else by the document's department or region when
the body is departmental or regional. The role comes from the mention's context:
layout cues — a signature block, a "signataires :" list, a list under a partners
title, a title about the organisation, an "Opérateur :" label, a funding table — and
prose cues — financing words or amounts (funder), "porté par", "maîtrise d'ouvrage"
(operator), partnership words (partner). One :class:`Partner` per canonical name,
carrying every mention; its role is the strongest layout role, else prose role.

Being a partner takes a cue: an organisation only mentioned in passing is left out.
In a contract (three signatories or more read from the layout), only layout cues
count: its partners are the ones it lists, not every body its text cites.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from extractors.communes import commune_key, department_key, resolve_commune
from extractors.folding import fold
from extractors.nlp import PAD, Squeezed, load_nlp, load_registry, ruler_only
from extractors.operators import find_siret
from schemas.records import Page, ParsedDocument, Partner, PartnerKind, PartnerRole, Provenance

EXTRACTOR = "partners"
ROLE_RANK: dict[PartnerRole, int] = {"signatory": 3, "funder": 2, "operator": 1, "partner": 0}

# -------------------------------------------------------------------------- role cues
# All cue patterns run on folded text (lower case, no accents, straight apostrophes).
_SIGNATORY_LIST = re.compile(r"(?:co-?)?signataires?\b[^.;]{0,80}?:|\bsont (?:co-?)?signataires\b")
_SIGNATORY_WORD = re.compile(r"(?<!non-)(?<!non )\b(?:co-?)?signataires?\b")
_FUNDER = re.compile(
    r"financ|credits?\b|subvention|dotation|enveloppe|\bfonds\b|budget|\bbop\b"
    r"|contribution financiere|soutien financier|\d\s?(?:€|euros?\b|k€|m€)"
)
_OPERATOR = re.compile(
    r"operat(?:eur|rice)s?\s*:|porteurs?(?: de projets?)?\s*:|structure porteuse"
    r"|\bporte(?:e|s|es)? par\b|maitr(?:e|ise)s? d'ouvrage|mise? en (?:oe|o)uvre par"
    r"|realise(?:e|s|es)? par|\bport(?:e|ent) (?:l'action|le projet|les actions|les projets)"
)
_PARTNER = re.compile(
    r"partena|aux cotes d|co-?pilot|en lien avec|avec l'appui|en collaboration"
    r"|anime(?:e|s|es)? par|propose(?:e|s|es)? par|accompagnement d|conjointe"
)
# Cue phrases directly followed by an organisation name the registry may not know.
_LABEL_CUE = re.compile(
    r"(?:operat(?:eur|rice)s?|porteurs?(?: de projets?)?|maitre d'ouvrage)\s*:\s*"
)
_NAME_CUE = re.compile(
    r"(?:operat(?:eur|rice)s?|porteurs?(?: de projets?)?|maitre d'ouvrage)\s*:"
    r"|(?:porte|anime|propose|realise|accompagne)(?:e|s|es)? par\b"
    r"|accompagnement (?:de|du|des|d')|en partenariat avec|avec l'appui (?:de|du|des|d')"
)
_PRESIDED = re.compile(r"sous la (?:haute )?presidence")
_HEADING_PREFIX = re.compile(
    r"^[\s#*➤>•\-–\d.)]*(?P<prefix>(?:les )?(?:engagements?|contributions?|interventions?"
    r"|participation|actions?|role|mobilisation) (?:de la |de l'|du |des |de |d'))?"
    r"(?:la |le |les |l')?$"
)

# ------------------------------------------------------------------ text and layout
_MARKUP = re.compile(r"</?[a-zA-Z][^<>\n]{0,300}?>|&(?:amp|nbsp|lt|gt|quot|apos|#\d{1,5});")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}
_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?;])\s+(?=\S)|\n[ \t]*\n\s*| {3,}|\n(?=[ \t]*(?:[-•*·▪➤✓–]|\d{1,2}[.)/])\s)"
)
_BULLET = re.compile(r"^\s*(?:[-•*·▪➤✓–]|\d{1,2}[.)/])\s")
_AMOUNT = re.compile(r"\d[\d \u202f.,]*\s?(?:€|euros?\b|k€|m€)", re.I)
_PAGE_FOOTER = re.compile(r"^\s*(?:page\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?\s*$", re.I)
_WHITE = str.maketrans("\n\t", "  ")  # cue patterns see a sentence as one line
_SHORT = 90  # a sentence this short is a slide line / table cell: its neighbours count
_NEIGHBOURS = 4
_SIGNATURE_HEAD = re.compile(
    r"^[\s#*➤>]*(?:les |liste des |pour les )?(?:partenaires[- ])?(?:signatures?|signataires)"
    r"[\s*:]*$"
)
_FAIT_A = re.compile(r"^[\s*]*fait a [^,\n]{2,60},? le\b")
_SIGNATURE_SPAN = 45  # non-empty lines a signature block may run over
_PROSE_WORDS = 28

# -------------------------------------------------------- names and their qualifiers
_PARTICLES = r"(?:sur|sous|lès|lez|les|en|le|la|de|du|des|d'|d’|aux|et)"
_PLACE_AFTER = re.compile(
    r"^[ ]*,?[ ]*(?i:de la|de l'|de l’|du|des|de|d'|d’)[ ]*"
    r"(?P<name>[A-ZÀ-Ý][\w'’\-]*(?:[ \-]+(?:[A-ZÀ-Ý][\w'’\-]*|"
    + _PARTICLES
    + r"(?=[ \-]+[A-ZÀ-Ý])))*)"
)
_PORTFOLIO = re.compile(
    r"^[ ]*(?i:(?:charg[ée]e? )?(?:de la|de l'|du|des|de|d'))[ ]*"
    r"(?P<name>[A-ZÀ-Ý][\w'’\-]*(?:[ ,]+(?:(?i:de la|de l'|du|des|de|d'|et|à la|au|aux)[ ]+){0,2}"
    r"[A-ZÀ-Ý][\w'’\-]*)*)"
)
_NAME_AFTER_CUE = re.compile(
    r"^(?P<name>(?:(?:l'|l’|la |le |les )?(?:association |asso |club |structure )?)"
    r"[A-ZÀ-Ý0-9][^\n\t.;:()«»\"]{1,70})"
)
_NAME_STOP = re.compile(
    r"\s+(?:[-–]\s|a permis|ont |a |qui |dont |pour |dans |sur |afin |avec |en \d|au |aux )"
)
_PERSON_AFTER = re.compile(r"\s+(?=[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)? [A-ZÀ-Ý]{2,}(?:\b|-))")
# "L'association ETABLI" -> "ETABLI" (also after a short OCR misreading: "JE association").
_LEADING_ARTICLE = re.compile(
    r"^(?:(?:\S{1,3}\s+)?(?i:l'|l’|la |le |les )?(?i:association|asso)\s+(?=[A-ZÀ-Ý0-9])"
    r"|(?i:l'|l’|la |le |les ))"
)
_PERSON = re.compile(
    r"^(?:[A-ZÀ-Ý][A-ZÀ-Ý'\-]+ [A-ZÀ-Ý][a-zà-ÿ][\w\-]*|[A-ZÀ-Ý][a-zà-ÿ\-]+ [A-ZÀ-Ý][A-ZÀ-Ý'\-]+)$"
)
_BARE_EPCI = frozenset({"epci", "agglo", "intercommunalite"})
_LEGAL_FORM = re.compile(
    r"^\s*(?:communaut[ée] (?:d'agglom[ée]ration|de communes|urbaine)|m[ée]tropole|ca|cc|cu)"
    r"\s*(?:de la |de l'|du |des |de |d')?",
    re.I,
)
_CONTRACT_SIGNATORIES = 3
_FUZZY_EXACT = 95
_FUZZY_SORTED = 92
_STOP_WORDS = frozenset(
    {"de", "du", "des", "la", "le", "les", "l", "d", "et", "en", "sur", "sous", "aux", "a", "lez"}
)


# ============================================================================ records


@dataclass(slots=True)
class _Mention:
    canonical: str
    kind: PartnerKind
    role: PartnerRole | None
    page: Page
    start: int
    end: int
    confidence: float
    entry: str | None = None  # registry id; None for names only the text gives
    qualified: bool = True  # False: a generic name whose place is unknown
    structural: bool = False  # role read from the layout: signature block, list, title


@dataclass(slots=True)
class _PageView:
    """A page's text with markup blanked out, its sentences and signature lines."""

    page: Page
    text: str  # same length as page.text, HTML tags replaced by spaces
    folded: str
    sentences: list[tuple[int, int]]
    sentence_starts: list[int] = field(default_factory=list)
    carried_lead_in: str | None = None  # of a list begun on the previous page
    signature: list[tuple[int, int]] = field(default_factory=list)  # line spans
    presided: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Span:
    """An entity found by spaCy, with offsets in the page text."""

    entry: str  # registry id from the gazetteer, "" for a statistical proposal
    text: str
    start: int
    end: int


@dataclass(slots=True)
class _Context:
    department: str | None
    territory: str | None
    territory_acronyms: tuple[str, ...]
    region_name: str | None  # as the document writes it, else the department's region


# ========================================================================= entry point


def extract_partners(
    doc: ParsedDocument, *, department: str | None = None, territory: str | None = None
) -> list[Partner]:
    """The partners of ``doc``: signatories, funders, operators and named partners.

    ``department`` (INSEE code) and ``territory`` (the EPCI's full name) come from
    the document facts; they qualify generic names ("la CAF" -> "Caisse d'Allocations
    Familiales du Pas-de-Calais", "l'Agglomération" -> the territory). Without a
    territory, the EPCI the document names most often stands in.
    """
    views = [_view(page) for page in doc.pages]
    _mark_signature_blocks(views)
    _carry_lead_ins(views)
    nlp = load_nlp()
    squeezed = [Squeezed.of(v.text) for v in views]
    with ruler_only(nlp):
        spacy_docs = nlp.pipe((sq.text for sq in squeezed), batch_size=8)
        raw = [
            (v, _Span(ent.ent_id_, ent.text, *sq.span(ent.start_char, ent.end_char)))
            for v, sq, sdoc in zip(views, squeezed, spacy_docs, strict=True)
            for ent in sdoc.ents
        ]
    dep = department_key(department)
    territory = territory or _main_epci(raw)
    ctx = _Context(
        department=dep,
        territory=territory,
        territory_acronyms=_territory_acronyms(views, territory),
        region_name=None,
    )
    ctx.region_name = _document_region(raw, dep)
    mentions = [m for v, ent in raw if (m := _registry_mention(v, ent, ctx)) is not None]
    mentions += _acronym_mentions(views, ctx)
    mentions += _cue_name_mentions(views, mentions)
    mentions += _recipient_mentions(views, ctx)
    mentions += _proposed_mentions(views, mentions, ctx)
    return _merge(mentions, ctx)


# ====================================================================== page layout


def _view(page: Page) -> _PageView:
    text = _MARKUP.sub(_blank, page.text)
    sentences = _sentences(text)
    folded = fold(text).translate(_WHITE)
    return _PageView(
        page=page,
        text=text,
        folded=folded,
        sentences=sentences,
        sentence_starts=[s for s, _ in sentences],
    )


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: prose split at punctuation, blank lines, bullets and blanked
    markup; a table row (a line with TABs) split into its cells."""
    spans: list[tuple[int, int]] = []
    block, pos = 0, 0
    for line in text.split("\n"):
        if "\t" in line:
            spans += _split(text, block, pos)
            cell = pos
            for part in line.split("\t"):
                spans += _split(text, cell, cell + len(part))
                cell += len(part) + 1
            block = pos + len(line) + 1
        pos += len(line) + 1
    return spans + _split(text, block, len(text))


def _split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for m in _SENTENCE_BREAK.finditer(text, start, end):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if end > start and text[start:end].strip():
        spans.append((start, end))
    return spans


def _blank(match: re.Match[str]) -> str:
    token = match.group(0)
    if token.startswith("&"):
        return _ENTITIES.get(token, " ").ljust(len(token), PAD)
    return " " * len(token)


def _lines(view: _PageView) -> Iterator[tuple[int, int]]:
    start = 0
    for line in view.text.split("\n"):
        yield start, start + len(line)
        start += len(line) + 1


def _mark_signature_blocks(views: list[_PageView]) -> None:
    """Flag the lines of signature blocks ("LES SIGNATURES", "Fait à X, le ...").

    A block runs from its heading over the following lines (across a page break)
    until a markdown heading, an annex title, running prose, or 45 non-empty lines.
    """
    remaining = 0
    presided = 0
    for view in views:
        for start, end in _lines(view):
            folded = view.folded[start:end].strip()
            if not folded:
                continue
            if _SIGNATURE_HEAD.match(folded) or _FAIT_A.match(folded):
                remaining = _SIGNATURE_SPAN
                continue
            if remaining and (
                folded.startswith("#") or "annexe" in folded or _in_prose(view, start)
            ):
                remaining = 0
            if remaining:
                view.signature.append((start, end))
                remaining -= 1
                if _PRESIDED.search(folded):
                    presided = 2
                if presided:
                    view.presided.append((start, end))
                    presided -= 1


def _in_prose(view: _PageView, offset: int) -> bool:
    """True inside a long sentence: running text, which no signature block contains
    (judged on the sentence, not the line: PDF lines wrap a paragraph every dozen words)."""
    index = bisect_right(view.sentence_starts, offset) - 1
    if index < 0:
        return False
    start, end = view.sentences[index]
    return start <= offset < end and len(view.text[start:end].split()) > _PROSE_WORDS


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    return any(s <= offset < e for s, e in spans)


# ======================================================================== role cues


def _cue(view: _PageView, start: int, end: int) -> dict[str, Any]:
    """Role and structural flag the context gives a mention at ``[start, end)``.

    Structural cues come from the layout — a signature block, a "signataires :" list,
    a list introduced by a partners heading, a title about the organisation, an
    "Opérateur :" label, a funding table — and prose cues from words of its sentence;
    the layout, when it says something, says it better than the prose.
    """
    if _inside(view.signature, start):
        role = "partner" if _inside(view.presided, start) else "signatory"
        return {"role": role, "structural": True}
    index = max(0, bisect_right(view.sentence_starts, start) - 1)
    s_start, s_end = view.sentences[index] if view.sentences else (0, len(view.text))
    sentence = view.folded[s_start:s_end]
    before = view.folded[s_start:start]
    layout: set[PartnerRole] = set()
    prose: set[PartnerRole] = set()
    if _SIGNATORY_LIST.search(before):
        layout.add("signatory")
    if _LABEL_CUE.search(before[-40:]) and re.search(
        r":\s*(?:l'|la |le |les )?(?:association |club )?$", before
    ):
        layout.add("operator")
    lead = _lead_in(view, index)
    if lead is not None:
        if _SIGNATORY_WORD.search(lead):
            layout.add("signatory")
        if "partena" in lead:
            layout.add("partner")
    if not layout and len(sentence) <= _SHORT and _is_label(sentence, end - start):
        # A bare label (table header, slide tag): its neighbours say what it is.
        near = _neighbourhood(view, index)
        if _FUNDER.search(near):
            (layout if _AMOUNT.search(near) else prose).add("funder")
    if not layout and _is_heading_subject(view, start):
        layout.add("partner")
    if _FUNDER.search(sentence):
        prose.add("funder")
    if _OPERATOR.search(sentence):
        prose.add("operator")
    if _PARTNER.search(sentence):
        prose.add("partner")
    roles = layout or prose
    role = max(roles, key=ROLE_RANK.__getitem__) if roles else None
    return {"role": role, "structural": bool(layout)}


def _is_label(sentence: str, length: int) -> bool:
    """True when the sentence is little more than the name: a table header, a slide tag."""
    core = re.sub(r"«[^»]*»|\([^)]*\)|[\s*#:|+\-]+", " ", sentence).strip()
    return length >= 0.5 * len(core)


def _cue_or_partner(view: _PageView, start: int, end: int) -> dict[str, Any]:
    """The cue of a mention standing right after a naming cue: at least a partner."""
    cue = _cue(view, start, end)
    return {"role": cue["role"] or "partner", "structural": cue["structural"]}


def _lead_in(view: _PageView, index: int) -> str | None:
    """For a list item, the sentence introducing the list (a heading or "... :").

    A list cut by a page break keeps the lead-in of the previous page.
    """
    s, e = view.sentences[index]
    if not _BULLET.match(view.text[s:e]) or _is_title(view, index):
        return None
    for k in range(index - 1, max(-1, index - 25), -1):
        ks, ke = view.sentences[k]
        if not _BULLET.match(view.text[ks:ke]) or _is_title(view, k):
            return view.folded[ks:ke]
    return view.carried_lead_in if index < 25 else None


def _is_title(view: _PageView, index: int) -> bool:
    """A bulleted sentence that is really a title: "➤ UNE MOBILISATION DES PARTENAIRES"."""
    s, e = view.sentences[index]
    text = view.text[s:e].strip()
    return text.endswith(":") or _is_upper(text)


def _carry_lead_ins(views: list[_PageView]) -> None:
    """Give each page the lead-in of a list still open at the end of the previous page."""
    carried: str | None = None
    for view in views:
        view.carried_lead_in = carried
        carried = None
        for k in range(len(view.sentences) - 1, -1, -1):
            s, e = view.sentences[k]
            text = view.text[s:e]
            if _PAGE_FOOTER.match(text):
                continue
            if _BULLET.match(text) and not _is_title(view, k):
                carried = _lead_in(view, k)
            elif _is_title(view, k) or _is_upper(text):
                carried = view.folded[s:e]
            break


def _neighbourhood(view: _PageView, index: int) -> str:
    """The short sentences around a short one: a slide's or a table's other cells."""
    parts = []
    for k in range(max(0, index - _NEIGHBOURS), min(len(view.sentences), index + _NEIGHBOURS + 1)):
        s, e = view.sentences[k]
        if e - s <= 2 * _SHORT:
            parts.append(view.folded[s:e])
    return " | ".join(parts)


def _is_heading_subject(view: _PageView, start: int) -> bool:
    """True for a title about the organisation ("## La DDCS", "Les engagements de la CAF").

    A title is a short line without final punctuation that is marked as a heading
    (markdown ``#`` or bold) or opens with "engagements de", "contribution de"...;
    the organisation must be its subject, i.e. come first.
    """
    line_start = view.text.rfind("\n", 0, start) + 1
    line_end = view.text.find("\n", start)
    line_end = line_end if line_end >= 0 else len(view.text)
    line = view.folded[line_start:line_end].strip()
    if not line or len(line) > 160 or line.rstrip("*").endswith((".", ",", ";")):
        return False
    m = _HEADING_PREFIX.match(view.folded[line_start:start])
    marked = line.startswith(("#", "**")) or _is_upper(view.text[line_start:line_end])
    return bool(m and (m.group("prefix") or marked))


def _is_upper(text: str) -> bool:
    """Capitals only: how PDFs set titles ("➤ L'EUROPE", "LES SERVICES DE L'ÉTAT")."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


# ======================================================================== registry


@lru_cache(maxsize=1)
def _entries() -> dict[str, dict[str, Any]]:
    registry = load_registry()
    entries = {e["id"]: e for e in registry["entries"]}
    for generic in registry["patterns"]:
        entries.setdefault(
            generic["id"],
            {
                "id": generic["id"],
                "kind": generic["kind"],
                "scope": "generic",
                "canonical": None,
                "entry": generic.get("entry"),
            },
        )
    return entries


@lru_cache(maxsize=1)
def _generic_words() -> frozenset[str]:
    """Folded words that make a proposed name a function, a heading or a kind of body."""
    return frozenset(fold(w) for w in load_registry()["not_an_organisation"])


@lru_cache(maxsize=1)
def _alias_index() -> dict[str, str]:
    """Folded alias -> entry id, for fuzzy normalisation of proposed names."""
    index: dict[str, str] = {}
    for entry in load_registry()["entries"]:
        for alias in [*entry.get("names", []), *entry.get("exact", [])]:
            key = _key(alias)
            if len(key) >= 3:
                index.setdefault(key, entry["id"])
    return index


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9&/]+", " ", fold(text)).split())


@lru_cache(maxsize=1)
def _departments() -> dict[str, tuple[str, str]]:
    """INSEE code -> (name with preposition "du Nord", bare name "Nord")."""
    out = {}
    for code, with_prep in load_registry()["departments"].items():
        bare = re.sub(r"^(?:du|de la|de l'|des|de|d')\s*", "", with_prep)
        out[code] = (with_prep, bare)
    return out


@lru_cache(maxsize=1)
def _regions() -> list[dict[str, Any]]:
    return load_registry()["regions"]


def _name_regex(names: Iterable[str]) -> str:
    """Alternation of folded names, longest first, tolerant to spaces, hyphens, dashes."""
    parts = []
    for name in sorted(set(names), key=len, reverse=True):
        words = re.split(r"[\s\-']+", fold(name))
        parts.append(r"[\s\-']*".join(re.escape(w) for w in words if w))
    return "|".join(parts)


@lru_cache(maxsize=1)
def _department_after() -> re.Pattern[str]:
    names = {bare: code for code, (_, bare) in _departments().items()}
    return re.compile(
        r"^[ ]*,?[ ]*\(?(?:du |de la |de l'|des |de |d')?[ ]*(?P<name>"
        + _name_regex(names)
        + r")\b(?![\-'])"
    )


@lru_cache(maxsize=1)
def _department_by_key() -> dict[str, str]:
    return {_key(bare): code for code, (_, bare) in _departments().items()}


@lru_cache(maxsize=1)
def _region_after() -> re.Pattern[str]:
    names = [n for r in _regions() for n in [r["name"], *r["former"]]]
    return re.compile(
        r"^[ ]*,?[ ]*(?:(?:de la |du |des |de |d'|en )?(?:region )?)(?P<name>"
        + _name_regex(names)
        + r")\b(?![\-'])"
    )


@lru_cache(maxsize=1)
def _region_by_key() -> dict[str, str]:
    """Folded key of a current or former region name -> its name as the table spells it."""
    out = {}
    for region in _regions():
        for name in [region["name"], *region["former"]]:
            out[_key(name)] = name
    return out


def _region_of_department(department: str | None) -> str | None:
    for region in _regions():
        if department in region["departments"]:
            return region["name"]
    return None


def _document_region(raw: list[tuple[_PageView, _Span]], department: str | None) -> str | None:
    """The region the document names after a regional body; else the department's."""
    found: Counter[str] = Counter()
    for view, ent in raw:
        entry = _entries().get(ent.entry)
        if entry and entry.get("scope") == "region":
            m = _region_after().match(view.folded[ent.end : ent.end + 80])
            if m:
                found[_region_by_key()[_key(m.group("name"))]] += 1
    if found:
        return found.most_common(1)[0][0]
    return _region_of_department(department)


# ==================================================================== qualification


def _registry_mention(view: _PageView, ent: _Span, ctx: _Context) -> _Mention | None:
    entry = _entries().get(ent.entry)
    if entry is None:
        return None
    return _qualify(view, entry, ent.start, ent.end, ctx, confidence=0.95)


def _qualify(
    view: _PageView,
    entry: dict[str, Any],
    start: int,
    end: int,
    ctx: _Context,
    *,
    confidence: float,
) -> _Mention | None:
    """A mention of ``entry`` at ``[start, end)`` with its canonical, qualified name."""
    if _vetoed(view, entry, start, end):
        return None
    scope = entry["scope"]
    after = _after(view, end)
    folded_after = fold(after)
    kind: PartnerKind = entry["kind"]
    canonical: str | None = entry.get("canonical")
    qualified, stop = True, end
    if scope == "generic":
        return _generic_mention(view, entry, start, end, ctx)
    if scope == "department":
        dep, stop = _department_qualifier(view, start, end, folded_after)
        dep = dep or ctx.department
        qualified = dep is not None
        if dep in _departments():
            canonical = f"{canonical} {_departments()[dep][0]}"
    elif scope == "region":
        m = _region_after().match(folded_after)
        region = _region_by_key()[_key(m.group("name"))] if m else ctx.region_name
        stop = end + m.end() if m else end
        qualified = region is not None
        if region:
            canonical = f"{canonical} {region}"
    elif scope in {"place", "commune"}:
        place, length = _place_qualifier(after, ctx.department, communes_only=scope == "commune")
        if scope == "commune":
            if place is None:
                return None
            canonical = f"Commune {_de(place)}"
        elif place:
            canonical = f"{canonical} {place if place[0].islower() else _de(place)}"
        qualified, stop = place is not None, end + length
    elif scope == "portfolio":
        found = _name_after(_PORTFOLIO, after)
        if not found:
            return None
        canonical = f"{canonical} {after[: found[1]].strip()}"
        stop = end + found[1]
    elif scope == "territory":
        resolved = _epci_name(view.text[start:end], after, ctx)
        if resolved is None:
            return None
        canonical, length = resolved
        stop = end + length
    return _Mention(
        canonical=canonical or view.text[start:end],
        kind=kind,
        **_cue(view, start, end),
        page=view.page,
        start=start,
        end=stop,
        confidence=confidence,
        entry=entry["id"],
        qualified=qualified,
    )


def _after(view: _PageView, end: int, size: int = 120) -> str:
    """The text following a name up to the end of its paragraph, cell or markup element,
    on one line (a name wraps: "Communauté d'Agglomération\nde Lens-Liévin")."""
    following = re.split(r"\n[ \t]*\n|\t| {3,}", view.text[end : end + size], maxsplit=1)[0]
    return following.replace("\n", " ")


def _vetoed(view: _PageView, entry: dict[str, Any], start: int, end: int) -> bool:
    before = view.folded[max(0, start - 40) : start].rstrip()
    after = view.folded[end : end + 30].lstrip()
    if any(re.search(rf"(?:^|\W){re.escape(w)}$", before) for w in entry.get("not_after", [])):
        return True
    return any(after.startswith(w) for w in entry.get("not_before", []))


def _name_after(pattern: re.Pattern[str], after: str) -> tuple[str, int] | None:
    """The name ``pattern`` reads at the start of ``after`` and where it ends, cut before
    a person's name a signature cell runs on with ("Lens-Liévin Sylvain ROBERT")."""
    m = pattern.match(after)
    if not m:
        return None
    name = _PERSON_AFTER.split(m.group("name"), maxsplit=1)[0].rstrip(" ,-")
    return (name, m.start("name") + len(name)) if name else None


def _department_qualifier(
    view: _PageView, start: int, end: int, folded_after: str
) -> tuple[str | None, int]:
    """A department code from "CD62" in the mention itself or "du Nord" after it."""
    inner = re.search(r"(\d{2,3}|2[AB])$", view.text[start:end])
    if inner:
        code = department_key(inner.group(1))
        return (code if code in _departments() else None), end
    m = _department_after().match(folded_after)
    if m:
        return _department_by_key().get(_key(m.group("name"))), end + m.end()
    return None, end


def _place_qualifier(
    after: str, department: str | None, *, communes_only: bool
) -> tuple[str | None, int]:
    """The place written after a name ("de Béthune", "du Nord") and the length it spans."""
    folded = fold(after)
    if not communes_only:
        m = _department_after().match(folded)
        if m and re.match(r"^[ ]*,?[ ]*\(?(?:du|de|des|d')", folded):
            code = _department_by_key().get(_key(m.group("name")))
            if code:
                return _departments()[code][0], m.end()
        m = _region_after().match(folded)
        if m:
            return f"de région {_region_by_key()[_key(m.group('name'))]}", m.end()
    found = _name_after(_PLACE_AFTER, after)
    if not found:
        return None, 0
    name, name_end = found
    name_start = name_end - len(name)
    words = name.split(" ")
    for n in range(len(words), 0, -1):
        candidate = " ".join(words[:n]).strip(" -")
        if not candidate or candidate.split(" ")[-1].lower() in _STOP_WORDS:
            continue
        commune = resolve_commune(candidate, department)
        if commune is not None:
            return commune.name, name_start + len(candidate)
    return None, 0  # not a place we know: better unqualified than a wrong name


def _de(name: str) -> str:
    """ "de Lens", "d'Avion" (no elision before h: "de Harnes")."""
    return f"d'{name}" if fold(name)[:1] in set("aeiouy") else f"de {name}"


def _smart_case(text: str) -> str:
    """Title case for a name written in capitals, particles lower, acronyms kept."""
    if not text.isupper() or len(text) <= 5:
        return text
    out = []
    for word in re.split(r"(\s+|-)", text):
        low = word.lower()
        if low in _STOP_WORDS or low in {"d'", "l'"}:
            out.append(low)
        elif len(word) <= 3 and word.isalpha():
            out.append(word)
        else:
            out.append(word[:1] + word[1:].lower())
    return "".join(out)


# ============================================================================ EPCI


def _epci_name(head: str, after: str, ctx: _Context) -> tuple[str, int] | None:
    """The EPCI a legal-form mention designates, and how much of ``after`` names it.

    "Communauté d'Agglomération de Lens-Liévin" is the territory when the place
    written after the legal form begins the territory's own name; another place names
    another EPCI; no place at all ("l'Agglomération", "la Communauté de communes")
    means the territory if its legal form agrees.
    """
    folded_head = fold(head)
    found = _name_after(_PLACE_AFTER, after)
    if found and folded_head not in _BARE_EPCI:
        if ctx.territory and _same_place(found[0], _territory_place(ctx.territory)):
            return _territory_canonical(ctx), found[1]
        return _smart_case(f"{head.strip()} {after[: found[1]].strip()}"), found[1]
    if ctx.territory and _compatible(folded_head, fold(ctx.territory)):
        return _territory_canonical(ctx), 0
    return None


def _territory_place(territory: str) -> str:
    """ "Communauté d'Agglomération de Lens-Liévin" -> "Lens-Liévin"."""
    return _LEGAL_FORM.sub("", territory).strip()


def _same_place(written: str, place: str) -> bool:
    """ "Lens-Liévin" ~ "Lens-Liévin"; "Béthune-Bruay" begins "Béthune-Bruay, Artois-Lys
    Romane"; "LENS-LIEVIN La CALL" (a title run into the next line) begins with it."""
    a, b = _key(written), _key(place)
    if not a or not b:
        return False
    return b.startswith(a) or (a + " ").startswith(b + " ") or fuzz.token_sort_ratio(a, b) >= 90


def _compatible(folded_head: str, folded_territory: str) -> bool:
    for form in ("agglomeration", "communes", "urbaine", "metropole"):
        if form in folded_head or (form == "agglomeration" and folded_head == "agglo"):
            return form in folded_territory
    return True


def _territory_canonical(ctx: _Context) -> str:
    assert ctx.territory is not None
    if ctx.territory_acronyms:
        return f"{ctx.territory} ({ctx.territory_acronyms[0]})"
    return ctx.territory


def _territory_acronyms(views: list[_PageView], territory: str | None) -> tuple[str, ...]:
    """Acronyms of the territory the text uses: "(CALL)" after its name, or its initials."""
    if not territory:
        return ()
    words = [w for w in re.split(r"[\s\-'’,/]+", territory) if w]
    initials = "".join(w[0] for w in words if fold(w) not in _STOP_WORDS and w[0].isalpha())
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


def _acronym_mentions(views: list[_PageView], ctx: _Context) -> list[_Mention]:
    if not ctx.territory_acronyms:
        return []
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, ctx.territory_acronyms)) + r")\b")
    return [
        _Mention(
            canonical=_territory_canonical(ctx),
            kind="epci",
            **_cue(view, m.start(), m.end()),
            page=view.page,
            start=m.start(),
            end=m.end(),
            confidence=0.9,
            entry="epci",
        )
        for view in views
        for m in pattern.finditer(view.text)
    ]


def _main_epci(raw: list[tuple[_PageView, _Span]]) -> str | None:
    """Without a known territory: the EPCI the document names at least twice, most often."""
    names: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for view, ent in raw:
        if ent.entry != "epci" or fold(ent.text) in _BARE_EPCI:
            continue
        after = _after(view, ent.end)
        found = _name_after(_PLACE_AFTER, after)
        if found:
            name = _smart_case(f"{ent.text.strip()} {after[: found[1]].strip()}")
            names[_key(name)] += 1
            spelled.setdefault(_key(name), name)
    if not names:
        return None
    key, count = names.most_common(1)[0]
    return spelled[key] if count >= 2 else None


# ========================================================================= generic


def _generic_mention(
    view: _PageView, entry: dict[str, Any], start: int, end: int, ctx: _Context
) -> _Mention | None:
    """A name matched by a generic pattern ("X Habitat", "SA du X", "CD62")."""
    if entry.get("entry"):  # e.g. "CD62" is the Conseil départemental of department 62
        target = _entries()[entry["entry"]]
        return _qualify(view, target, start, end, ctx, confidence=0.9)
    text = view.text[start:end].strip()
    known = _alias_index().get(_key(text))
    if known:
        return _qualify(view, _entries()[known], start, end, ctx, confidence=0.95)
    return _Mention(
        canonical=_smart_case(text),
        kind=entry["kind"],
        **_cue(view, start, end),
        page=view.page,
        start=start,
        end=end,
        confidence=0.8,
    )


# ======================================================================== cue names


def _cue_name_mentions(views: list[_PageView], known: list[_Mention]) -> list[_Mention]:
    """Organisations named after an "Opérateur :" / "Porteur :" / "Maître d'ouvrage :" label."""
    taken = _spans(known)
    found = []
    for view in views:
        for cue in _LABEL_CUE.finditer(view.folded):
            mention = _name_after_cue(view, cue.end(), taken)
            if mention is not None:
                found.append(mention)
    return found


def _name_after_cue(
    view: _PageView, offset: int, taken: dict[int, list[tuple[int, int]]]
) -> _Mention | None:
    m = _NAME_AFTER_CUE.match(view.text[offset : offset + 90])
    if not m:
        return None
    name = _NAME_STOP.split(m.group("name"), maxsplit=1)[0].strip(" ,-–")
    start = offset
    end = offset + len(name)
    if any(s < end and e > start for s, e in taken.get(view.page.number, [])):
        return None  # a registry name: the mention already exists with its role
    clean = _LEADING_ARTICLE.sub("", name).strip()
    if not _plausible_organisation(clean):
        return None
    return _Mention(
        canonical=_smart_case(clean),
        kind="association",
        **_cue_or_partner(view, start, end),
        page=view.page,
        start=start,
        end=end,
        confidence=0.8,
    )


def _plausible_organisation(name: str) -> bool:
    """A proper name that is not a person, a function, a heading word or OCR debris."""
    if len(name) < 4 or not re.search(r"[A-ZÀ-Ý]", name) or _PERSON.match(name):
        return False
    if re.search(r"[A-Za-zÀ-ÿ]\d|\d[A-Za-zÀ-ÿ]{2}", name):  # "P6le" (Pôle), "I0" ...
        return False
    words = re.sub(r"[^a-z0-9 ]+", " ", fold(name)).split()
    generic = _generic_words()
    return bool(words) and any(w not in generic for w in words)


def _spans(mentions: Iterable[_Mention]) -> dict[int, list[tuple[int, int]]]:
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for m in mentions:
        out[m.page.number].append((m.start, m.end))
    return out


# ======================================================================== recipients

_RECIPIENT_CONTEXT = re.compile(
    r"fonds de concours|attribue|subvention|beneficiaire|maitr\w* d'ouvrage|porteur"
)
_RECIPIENT_LOOKBACK = 30


def _recipient_mentions(views: list[_PageView], ctx: _Context) -> list[_Mention]:
    """Communes heading a line of a list of grants ("Béthune - 19 946 €", "Auchel" + amount).

    In a fonds-de-concours or subsidy list the commune is the project owner that
    receives the money: role operator. Only communes of the document's department,
    only lines whose rest is empty, an amount or a column header.
    """
    if not ctx.department:
        return []
    lines = [(v, s, e) for v in views for s, e in _lines(v) if v.text[s:e].strip()]
    found = []
    for i, (view, s, e) in enumerate(lines):
        line = view.text[s:e]
        if "\t" in line or len(line) > 90:
            continue
        window = " ".join(
            v.folded[a:b] for v, a, b in lines[max(0, i - _RECIPIENT_LOOKBACK) : i + 1]
        )
        if not _RECIPIENT_CONTEXT.search(window):
            continue
        following = " ".join(v.text[a:b] for v, a, b in lines[i : i + 3])
        if not _AMOUNT.search(following):
            continue
        mention = _recipient(view, s, line, ctx)
        if mention is not None:
            found.append(mention)
    return found


def _recipient(view: _PageView, line_start: int, line: str, ctx: _Context) -> _Mention | None:
    body = re.sub(r"^\s*(?:[-•*·▪]\s*)?", "", line)
    offset = line_start + len(line) - len(body)
    words = re.split(r"(?<=\S)(?=\s)", body)
    for n in range(min(len(words), 6), 0, -1):
        candidate = "".join(words[:n]).strip()
        rest = "".join(words[n:]).strip()
        if not candidate[:1].isupper() or not _recipient_rest(rest):
            continue
        written = candidate.rstrip(" :-–")
        commune = resolve_commune(written, ctx.department)
        if commune is None or commune_key(commune.name) != commune_key(written):
            continue  # a bare name must be exact: "Ricouart" is not Récourt
        end = offset + len(candidate.rstrip(" :-–"))
        return _Mention(
            canonical=f"Commune {_de(commune.name)}",
            kind="commune",
            role="operator",
            structural=True,
            page=view.page,
            start=offset,
            end=end,
            confidence=0.8,
            entry="commune",
        )
    return None


def _recipient_rest(rest: str) -> bool:
    """What may follow the commune on its line: nothing, ":", "- amount", a header."""
    if not rest or rest in {":", "-", "–"}:
        return True
    if re.match(r"^[:\-–]\s*\d", rest) and _AMOUNT.search(rest):
        return True
    return bool(re.match(r"^(?:Montant|MONTANT|Projet|PROJET|Opération)\b", rest))


# ================================================================= proposed by NER


def _proposed_mentions(
    views: list[_PageView], known: list[_Mention], ctx: _Context
) -> list[_Mention]:
    """ORG entities the statistical NER finds in cue sentences, checked against the registry.

    A proposal that matches a registry name (rapidfuzz ratio >= 95, or token_sort_ratio
    >= 92 with comparable lengths) becomes that entry; an unknown one is kept only
    right after a naming cue, and then every other place it is written is collected.
    """
    taken = _spans(known)
    jobs = []
    for view in views:
        for s, e in view.sentences:
            sentence = view.folded[s:e]
            if e - s > 1500 or _inside(view.signature, s):
                continue
            if _OPERATOR.search(sentence) or _PARTNER.search(sentence) or _FUNDER.search(sentence):
                jobs.append((view, s, e))
    nlp = load_nlp()
    found: list[_Mention] = []
    squeezed = [Squeezed.of(view.text[s:e]) for view, s, e in jobs]
    sdocs = nlp.pipe((sq.text for sq in squeezed), batch_size=64)
    for (view, s, _), sq, sdoc in zip(jobs, squeezed, sdocs, strict=True):
        for ent in _proposals(sdoc, sq):
            start, end = s + ent.start, s + ent.end
            if any(a < end and b > start for a, b in taken[view.page.number]):
                continue
            mention = _normalised(view, start, end, ctx)
            if mention is not None:
                found.append(mention)
                taken[view.page.number].append((start, end))
    return found + _other_mentions(views, found, taken)


def _proposals(sdoc: Any, squeezed: Squeezed) -> list[_Span]:
    """ORG entities of the statistical NER as spans of the original text.

    A span stops at a line break; "X / Y" is one organisation; a trailing department
    number is part of the name ("AAE 62").
    """
    spans: list[_Span] = []
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
            spans[-1] = _Span("", text[spans[-1].start : end], spans[-1].start, end)
            continue
        spans.append(_Span("", text[start:end], start, end))
    return [_Span("", sp.text, *squeezed.span(sp.start, sp.end)) for sp in spans]


def _normalised(view: _PageView, start: int, end: int, ctx: _Context) -> _Mention | None:
    text = _LEADING_ARTICLE.sub("", view.text[start:end]).strip(" ,.-–")
    if len(_key(text)) < 3:
        return None
    entry_id = registry_entry(text)
    if entry_id is not None:
        return _qualify(view, _entries()[entry_id], start, end, ctx, confidence=0.75)
    cue = _NAME_CUE.search(view.folded[max(0, start - 70) : start])
    if cue is None or not _plausible_organisation(text):
        return None
    return _Mention(
        canonical=_smart_case(text),
        kind="association",
        **_cue_or_partner(view, start, end),
        page=view.page,
        start=start,
        end=end,
        confidence=0.6,
    )


def registry_entry(name: str) -> str | None:
    """Id of the registry entry ``name`` designates up to spelling, or None.

    rapidfuzz ratio >= 95 on the folded alias, or token_sort_ratio >= 92 when the
    lengths are comparable (within 25 %): plain WRatio would map "CONSEIL" to
    "Conseil régional" (partial match), which a bare "CONSEIL" is not.
    """
    key = _key(name)
    if len(key) < 3:
        return None
    index = _alias_index()
    best = process.extractOne(key, index.keys(), scorer=fuzz.ratio, score_cutoff=_FUZZY_EXACT)
    if best:
        return index[best[0]]
    best = process.extractOne(
        key, index.keys(), scorer=fuzz.token_sort_ratio, score_cutoff=_FUZZY_SORTED
    )
    if best and 0.8 <= len(key) / len(best[0]) <= 1.25:
        return index[best[0]]
    return None


def _other_mentions(
    views: list[_PageView], found: list[_Mention], taken: dict[int, list[tuple[int, int]]]
) -> list[_Mention]:
    """Every other occurrence of a name only the text knows (no registry entry)."""
    extra = []
    names = {m.canonical for m in found if m.entry is None}
    for name in names:
        pattern = re.compile(rf"(?<!\w){re.escape(fold(name))}(?!\w)")
        for view in views:
            for m in pattern.finditer(view.folded):
                if any(a < m.end() and b > m.start() for a, b in taken[view.page.number]):
                    continue
                extra.append(
                    _Mention(
                        canonical=name,
                        kind="association",
                        **_cue(view, m.start(), m.end()),
                        page=view.page,
                        start=m.start(),
                        end=m.end(),
                        confidence=0.6,
                    )
                )
    return extra


# ========================================================================== merging


def _merge(mentions: list[_Mention], ctx: _Context) -> list[Partner]:
    """One partner per canonical name, kept when its context gives it a role.

    In a contract — a document whose layout names at least three signatories — the
    partners are those the contract itself lists: signatories, organisations in its
    partner lists, section titles, funding tables, "Opérateur :" labels. An
    organisation only cited in running text ("en lien avec la Mission locale") is
    context there. Reports and slide decks have no such lists: any role cue counts.
    """
    _attach_unqualified(mentions)
    _attach_prefixes(mentions)
    groups: dict[str, list[_Mention]] = defaultdict(list)
    for m in mentions:
        groups[_key(m.canonical)].append(m)
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


def _partner(group: list[_Mention], ctx: _Context) -> Partner:
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
        name=best.page.text[best.start : best.end].strip(),
        canonical=best.canonical,
        kind=kind,
        role=role,
        provenance=_provenance(best),
        mentions=[_provenance(m) for m in group],
    )
    if role == "operator" or kind == "association":
        partner.siret = find_siret(partner.canonical, ctx.department)
    return partner


def _attach_unqualified(mentions: list[_Mention]) -> None:
    """A generic place-scoped mention ("le Tribunal") joins the main qualified form of its
    entry, or of the entries it stands for ("le Procureur" -> the tribunal)."""
    qualified: dict[str, Counter[str]] = defaultdict(Counter)
    for m in mentions:
        if m.entry and m.qualified:
            qualified[m.entry][m.canonical] += 1
    for m in mentions:
        if not m.entry or m.qualified:
            continue
        options: Counter[str] = Counter()
        for entry in [m.entry, *_entries()[m.entry].get("attach_to", [])]:
            options.update(qualified.get(entry, Counter()))
        if options:
            m.canonical = options.most_common(1)[0][0]
            m.qualified = True


def _attach_prefixes(mentions: list[_Mention]) -> None:
    """ "Ministère de la Ville" joins "Ministère de la Ville, de la Jeunesse et des Sports"."""
    names = {m.canonical for m in mentions if m.entry == "ministere"}
    for m in mentions:
        if m.entry == "ministere":
            longer = [n for n in names if n.startswith(m.canonical + ",")]
            if longer:
                m.canonical = max(longer, key=len)


def _provenance(m: _Mention) -> Provenance:
    return Provenance(
        page=m.page.number,
        start=m.start,
        end=m.end,
        raw=m.page.text[m.start : m.end],
        extractor=EXTRACTOR,
        confidence=m.confidence,
        bbox=m.page.bbox_for(m.start, m.end),
    )
