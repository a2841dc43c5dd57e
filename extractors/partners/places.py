"""The place written after a generic name: a department, a region, a commune.

"CAF du Nord", "Conseil régional Nord – Pas-de-Calais", "Tribunal judiciaire de
Béthune": a body that exists once per place is only identified with its place. The
place is read from the text right after the name (spaces, hyphens and dashes
tolerated); a commune must be one the COG knows, else the name is not qualified by
the text (:mod:`.qualify` falls back on the document's department) rather than take
a wrong place.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from extractors.communes import department_key, resolve_commune
from extractors.folding import fold
from extractors.nlp import load_registry
from extractors.partners.gazetteer import entries, key
from extractors.partners.layout import PageView
from extractors.partners.mentions import Span
from extractors.partners.names import STOP_WORDS, de
from quartiers.referencedata import DEPARTMENTS, department_code

_PARTICLES = r"(?:sur|sous|lès|lez|les|en|le|la|de|du|des|d'|d’|aux|et)"
PLACE_AFTER = re.compile(
    r"^[ ]*,?[ ]*(?i:de la|de l'|de l’|du|des|de|d'|d’)[ ]*"
    r"(?P<name>[A-ZÀ-Ý][\w'’\-]*(?:[ \-]+(?:[A-ZÀ-Ý][\w'’\-]*|"
    + _PARTICLES
    + r"(?=[ \-]+[A-ZÀ-Ý])))*)"
)
_PERSON_AFTER = re.compile(r"\s+(?=[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)? [A-ZÀ-Ý]{2,}(?:\b|-))")


@lru_cache(maxsize=1)
def departments() -> dict[str, tuple[str, str]]:
    """INSEE code -> (name with preposition "du Nord", bare name "Nord").

    Names are the reference list's; the registry only adds each one's preposition,
    which depends on the name's gender and number and cannot be derived from it.
    """
    prepositions = {
        code: prep
        for prep, codes in load_registry()["department_prepositions"].items()
        for code in codes
    }
    return {
        code: (f"{prep}{name}" if prep.endswith("'") else f"{prep} {name}", name)
        for code, name in DEPARTMENTS.items()
        if (prep := prepositions.get(code))
    }


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


def _after_pattern(articles: str, names: Iterable[str]) -> re.Pattern[str]:
    """A place name at the start of folded text, after a comma and ``articles``."""
    return re.compile(rf"^[ ]*,?[ ]*{articles}(?P<name>" + _name_regex(names) + r")\b(?![\-'])")


@lru_cache(maxsize=1)
def _department_after() -> re.Pattern[str]:
    bare = [name for _, name in departments().values()]
    return _after_pattern(r"\(?(?:du |de la |de l'|des |de |d')?[ ]*", bare)


@lru_cache(maxsize=1)
def region_after() -> re.Pattern[str]:
    names = [n for r in _regions() for n in [r["name"], *r["former"]]]
    return _after_pattern(r"(?:(?:de la |du |des |de |d'|en )?(?:region )?)", names)


@lru_cache(maxsize=1)
def region_by_key() -> dict[str, str]:
    """Folded key of a current or former region name -> that region's proper name.

    A former region keeps its own name ("Conseil régional Nord-Pas-de-Calais" in a
    2015 contract): the canonical name records the body that signed, as of the
    document. Comparisons across the 2016 reform can join on ``region_of_department``.
    """
    return {
        key(name): name for region in _regions() for name in [region["name"], *region["former"]]
    }


def region_of_department(department: str | None) -> str | None:
    for region in _regions():
        if department in region["departments"]:
            return region["name"]
    return None


def document_region(raw: list[tuple[PageView, Span]], department: str | None) -> str | None:
    """The region the document names after a regional body; else the department's."""
    found: Counter[str] = Counter()
    for view, ent in raw:
        entry = entries().get(ent.entry)
        if entry and entry.get("scope") == "region":
            m = region_after().match(view.folded[ent.end : ent.end + 80])
            if m:
                found[region_by_key()[key(m.group("name"))]] += 1
    if found:
        return found.most_common(1)[0][0]
    return region_of_department(department)


def name_after(pattern: re.Pattern[str], after: str) -> tuple[str, int] | None:
    """The name ``pattern`` reads at the start of ``after`` and where it ends, cut before
    a person's name a signature cell runs on with ("Lens-Liévin Sylvain ROBERT")."""
    m = pattern.match(after)
    if not m:
        return None
    name = _PERSON_AFTER.split(m.group("name"), maxsplit=1)[0].rstrip(" ,-")
    return (name, m.start("name") + len(name)) if name else None


def department_qualifier(
    view: PageView, start: int, end: int, folded_after: str
) -> tuple[str | None, int]:
    """A department code from "CD62" in the mention itself or "du Nord" after it."""
    inner = re.search(r"(\d{2,3}|2[AB])$", view.text[start:end])
    if inner:
        code = department_key(inner.group(1))
        return (code if code in departments() else None), end
    m = _department_after().match(folded_after)
    if m:
        return department_code(m.group("name")), end + m.end()
    return None, end


def place_qualifier(
    after: str, department: str | None, *, communes_only: bool
) -> tuple[str | None, int]:
    """The place written after a name ("de Béthune", "du Nord") and the length it spans."""
    folded = fold(after)
    if not communes_only:
        m = _department_after().match(folded)
        if m and re.match(r"^[ ]*,?[ ]*\(?(?:du|de|des|d')", folded):
            code = department_code(m.group("name"))
            if code:
                return departments()[code][0], m.end()
        m = region_after().match(folded)
        if m:
            return f"de région {region_by_key()[key(m.group('name'))]}", m.end()
    found = name_after(PLACE_AFTER, after)
    if not found:
        return None, 0
    name, name_end = found
    name_start = name_end - len(name)
    words = name.split(" ")
    for n in range(len(words), 0, -1):
        candidate = " ".join(words[:n]).strip(" -")
        if not candidate or candidate.split(" ")[-1].lower() in STOP_WORDS:
            continue
        commune = resolve_commune(candidate, department)
        if commune is not None:
            return commune.name, name_start + len(candidate)
    return None, 0  # not a place we know: better unqualified than a wrong name


def commune_canonical(name: str) -> str:
    """ "Commune de Lens", "Commune d'Avion": how a commune is named as a partner."""
    return f"Commune {de(name)}"
