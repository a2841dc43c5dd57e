"""Who pays an amount, when the document says it.

Funders are named by French funding phrases ("crédits de l'ANCT", "financé par la
Région", "subvention sollicitée auprès de la CALL", "... € du Département"), at the
start of a column header or a label ("ANCT « BOP 147 »", "Subventions Partenaires
publics", "Sous-total Maisons & Cités pour ..."), or once in the heading of a list of
grants. The names recognised are national institutions, generic kinds of public
bodies ("Conseil départemental du Nord", "Ville de ..."), the organisations of the
partner registry (``data/partners.json``) and acronyms in capitals. The name is read
as written, then given the canonical name the partners table uses for that body.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from extractors.amounts.context import Context
from extractors.folding import fold
from extractors.nlp import load_registry
from extractors.partners import canonical_funder
from extractors.partners.gazetteer import generic_words
from schemas.records import AmountKind

# National institutions and generic kinds of public bodies; local names stay raw.
_INSTITUTION = (
    r"(?:(?:anct|anru|cget|acse|etat|prefet|prefete|prefecture|caf|feder|fse|ars|drac"
    r"|dreets|ddets|ddcs|direccte|agglomeration|union europeenne|europe"
    r"|caisse d'allocations familiales|caisse des depots|banque des territoires"
    r"|bpi ?france|france travail|pole emploi|partenaires (?:publics|financeurs))\b"
    r"|(?:conseil (?:regional|departemental|general)|region|departement|metropole"
    r"|communaute (?:d'agglomeration|de communes|urbaine))\b[\w' -]{0,30}"
    r"|(?:ville|commune) d[e'] ?(?-i:[A-Z])[\w' -]{1,25})"
)
# Case-insensitive, on text without accents; acronyms must be written in capitals.
_ACRONYM = r"(?-i:[A-Z][A-Z0-9&]{2,9})\b"
# "NAME" stands for an institution, a registry name or an acronym (see ``_with_names``).
_FUNDER_PATTERNS = (
    r"\b(?:credits?|subventions?|financements?|participation|dotations?|aides?"
    r"|enveloppes?|fonds (?:de )?concours|contributions?|soutien|intervention)"
    r"\b[^.;:()]{0,60}?\b(?:de l'|de la |du |des |d'|de )\s*(?P<name>NAME)",
    r"\b(?:financ|vers|accord|attribu|octroy|allou|mobilis|apport|port)\w*\s+par\s+"
    r"(?:l'|la |le |les )?\s*(?P<name>NAME)",
    r"\baupres (?:de l'|de la |du |des |de )\s*(?P<name>NAME)",
    r"^\s*(?:de l'|de la |du )\s*(?P<name>NAME)",
)
# A label or a column header naming whose money it counts: "Subventions Partenaires
# publics", "Investissement Maisons & Cités", "Sous-total Etat pour ...".
_HEAD = (
    r"(?:sous[- ]?totals?|investissements?|subventions?|participations?|financements?"
    r"|contributions?|credits?|apports?)"
)
_NAME_AT_START = r"^\W*(?P<name>NAME)"
_LABEL_PATTERN = rf"^\W*{_HEAD}\s+(?:de l'|de la |du |des |d')?\s*(?P<name>NAME)"
_MULTIWORD_BODY = re.compile(
    r"(?:conseil (?:regional|departemental|general)|communaute (?:d'agglomeration|de communes"
    r"|urbaine)|union europeenne|caisse d'allocations familiales|caisse des depots"
    r"|banque des territoires|france travail|pole emploi|partenaires (?:publics|financeurs))\b",
    re.IGNORECASE,
)
_PARTICLES = {"de", "du", "des", "d", "la", "le", "les", "l", "et", "sur", "en", "-", "&"}
# Kinds whose list heading names the funder of every item.
_FUNDED_KINDS: frozenset[AmountKind] = frozenset({"grant", "envelope"})
# Kinds whose section heading names the funder of the whole: "Les fonds de concours de
# la Communauté ..." over "Soit un total de ...".
_SECTION_FUNDED_KINDS: frozenset[AmountKind] = frozenset({"total", "breakdown"})


def _unaccent(text: str) -> str:
    """Accent-free copy of ``text`` keeping case (same length, like ``fold``)."""
    folded = fold(text)
    return "".join(f.upper() if o.isupper() else f for o, f in zip(text, folded, strict=True))


@lru_cache(maxsize=1)
def _registry_names() -> str:
    """Regex alternation of the partner registry's names: full names in any case, and
    the exact forms (acronyms, capitalised words) in their own case. A bare "Ville" is
    not a name (the commune must follow, see ``_INSTITUTION``)."""
    names, exact = set(), set()
    for entry in load_registry()["entries"]:
        if entry["scope"] == "commune":
            continue
        names.update(fold(n) for n in entry.get("names", []))
        exact.update(_unaccent(n) for n in entry.get("exact", []))
    by_length = sorted(names, key=len, reverse=True)
    cased = sorted(exact, key=len, reverse=True)
    return (
        rf"(?:{'|'.join(map(re.escape, by_length))})(?!\w)"
        rf"|(?-i:{'|'.join(map(re.escape, cased))})(?!\w)"
    )


@cache
def _with_names(pattern: str, acronyms: bool = True) -> re.Pattern[str]:
    """``pattern`` with NAME standing for the funder names (acronyms optional)."""
    names = [_INSTITUTION, _registry_names(), *([_ACRONYM] if acronyms else [])]
    return re.compile(pattern.replace("NAME", "|".join(names)), re.IGNORECASE)


def _funder_res() -> tuple[re.Pattern[str], ...]:
    return (
        *(_with_names(p) for p in _FUNDER_PATTERNS),
        _with_names(_LABEL_PATTERN, acronyms=False),
    )


def _trim_name(raw: str) -> str:
    """A name up to its last capitalised word ("Communauté d'Agglomération de Lens",
    "Conseil départemental du Nord"); a body's own lower-case words are kept."""
    body = _MULTIWORD_BODY.match(_unaccent(raw))
    head = raw[: body.end()] if body else ""
    words = re.findall(r"[\w&]+(?:['’][\w&]+)*|-", raw[len(head) :])
    if not head and not words:
        return ""
    kept = [head] if head else [words.pop(0)]
    for w in words:
        base = w.split("'")[-1].split("’")[-1]
        if w.lower() in _PARTICLES or base[:1].isupper():
            kept.append(w)
        else:
            break
    while kept and kept[-1].lower() in _PARTICLES:
        kept.pop()
    end = 0
    for w in kept:
        end = raw.index(w, end) + len(w)
    return raw[:end].strip(" '’,-")


def detect_funder(text: str) -> str | None:
    """Who pays, when the text says it ("crédits de l'ANCT", "financé par la Région",
    "sollicitée auprès de la CALL", "... € de la CABBALR").

    Returns the name as written; the partner registry maps it to a canonical body.
    """
    plain = _unaccent(text)
    for pattern in _funder_res():
        for m in pattern.finditer(plain):
            if _capitalised_word(plain, m):
                continue
            name = _as_written(text[m.start("name") : m.end("name")])
            if name:
                return name
    return None


def header_funder(cell: str) -> str | None:
    """Funder named at the start of a column header ("ANCT « BOP 147 »", "CONSEIL REGIONAL")."""
    plain = _unaccent(cell)
    m = _with_names(_NAME_AT_START).match(plain) or _with_names(
        _LABEL_PATTERN, acronyms=False
    ).match(plain)
    if m is None or _capitalised_word(plain, m):
        return None
    return _as_written(cell[m.start("name") : m.end("name")]) or None


def _as_written(raw: str) -> str:
    """A registry name whole ("BOP 147"), any other name trimmed (:func:`_trim_name`)."""
    if re.fullmatch(_registry_names(), _unaccent(raw), re.IGNORECASE):
        return raw
    return _trim_name(raw)


def _capitalised_word(plain: str, m: re.Match[str]) -> bool:
    """True when the name matched only as an acronym, and names no body.

    Capitals mark an acronym only where the words around are in lower case: in a
    heading in capitals ("… DU CONTRAT DE VILLE", "PILIERS DU CONTRAT"), any word
    would pass for one. Some acronyms name a kind of thing ("des PME": the registry's
    ``not_an_organisation``). Institutions and the registry's names are always kept,
    and a short cell ("CABBALR") has no words around to judge by.
    """
    name = m.group("name")
    if _with_names(r"(?:NAME)", acronyms=False).fullmatch(name):
        return False
    if fold(name) in generic_words():
        return True
    around = plain[: m.start("name")] + plain[m.end("name") :]
    letters = [c for c in around if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def funder(ctx: Context, kind: AmountKind) -> str | None:
    """The funder named by the amount's clause, else its column, else its list's heading,
    as written."""
    found = detect_funder(ctx.left) or detect_funder(ctx.right)
    if found is None and ctx.column:
        found = header_funder(ctx.column)
    if found is None and kind in _FUNDED_KINDS:
        above = [*ctx.section, ctx.heading or "", *ctx.titles]
        found = next(filter(None, map(detect_funder, above)), None)
    if found is None and kind in _SECTION_FUNDED_KINDS and ctx.heading:
        found = detect_funder(ctx.heading)
    return found


def canonical_name(
    written: str | None, *, department: str | None, territory: str | None
) -> str | None:
    """The funder under the name the partners table gives the same body ("CONSEIL
    REGIONAL" -> "Conseil régional Hauts-de-France", the territory's acronym -> its
    name), qualified by the document's facts; as written when there are no facts to
    qualify it with, or when the body is not a known one ("Partenaires publics")."""
    if written is None or (department is None and territory is None):
        return written
    known = canonical_funder(written, department=department, territory=territory)
    return known or written[:1].upper() + written[1:]  # "partenaires publics" in a sentence
