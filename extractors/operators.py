"""SIRET of an operator named in a document, from the State-funded adulte-relais posts.

The ANCT "Ci.Ville" files list, for every adulte-relais post, the employer's
``raison_sociale`` and ``code_tiers`` (its SIRET) with the department. They are the
only bundled list of real local operators with an identifier, so an operator a
document names ("Club de prévention La Vie Active", "Commune de Houdain") is looked up
there. Registry names are upper-case and abbreviated ("ASSOC", "COM", "CTRE"), hence
the key normalisation; matching stays strict (exact key, near-identical spelling, or
the registry name contained whole in a longer written name, unique in the department)
because a wrong SIRET is worse than none.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from extractors.communes import department_key, fold

REFERENCE = Path(__file__).resolve().parent.parent / "quartiers" / "reference" / "ci-ville"
POST_FILES = (REFERENCE / "adulte_relais_2024.json", REFERENCE / "adulte_relais_2025.json")

# Abbreviations of the registry, spelled out so both sides compare word for word.
_ABBREVIATIONS = {
    "assoc": "association",
    "asso": "association",
    "ass": "association",
    "com": "commune",
    "ctre": "centre",
    "cult": "culturel",
    "soc": "social",
    "st": "saint",
    "ste": "sainte",
    "hts": "hauts",
    "aglomeration": "agglomeration",
}
# Words that say what kind of body it is, not which one.
_GENERIC = frozenset(
    {
        "association", "commune", "ville", "mairie", "centre", "club", "communaute",
        "agglomeration", "ccas", "cias", "de", "du", "des", "la", "le", "les", "l", "d", "et",
        "en", "a", "au", "aux", "sur", "pour",
    }
)  # fmt: skip
_MIN_FUZZY = 92
_MIN_CONTAINED_WORDS = 2


@dataclass(frozen=True, slots=True)
class _Employer:
    key: str
    siret: str
    department: str | None


def name_key(name: str) -> str:
    """Lower case, no accents or punctuation, registry abbreviations expanded."""
    words = re.sub(r"[^a-z0-9]+", " ", fold(name)).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


@lru_cache(maxsize=1)
def _employers() -> tuple[_Employer, ...]:
    """One entry per (name, SIRET, department), the most recent file first."""
    seen: dict[tuple[str, str, str | None], None] = {}
    for path in reversed(POST_FILES):
        for row in json.loads(path.read_text(encoding="utf-8")):
            siret = str(row.get("code_tiers") or "").strip()
            name = row.get("raison_sociale") or ""
            if not re.fullmatch(r"\d{14}", siret) or not name.strip():
                continue
            seen[(name_key(name), siret, _row_department(row))] = None
    return tuple(_Employer(k, s, d) for k, s, d in seen)


def _row_department(row: dict) -> str | None:
    """``insee_dep``, or the department inside the contract code (CN06201M -> 62)."""
    if row.get("insee_dep"):
        return department_key(str(row["insee_dep"]))
    code = str(row.get("code_cv") or "")
    match = re.match(r"C[NV](\d{3}|\d[AB]|0\d[AB])", code)
    return department_key(match.group(1)) if match else None


@lru_cache(maxsize=4096)
def find_siret(name: str, department: str | None = None) -> str | None:
    """The SIRET of the employer called ``name`` (in ``department`` when given), or None.

    Tried in order, each time keeping only an unambiguous answer: the same key;
    a near-identical spelling (token_sort_ratio >= 92, lengths within 25 %); the
    registry name whole inside the written one ("Club de prévention La Vie Active" ->
    "LA VIE ACTIVE"), with at least two distinctive words.
    """
    key = name_key(name)
    if not any(w not in _GENERIC and len(w) >= 3 for w in key.split()):
        return None  # "CCAS", "Association": a kind of body, not one body
    dep = department_key(department)
    pool = [e for e in _employers() if dep is None or e.department == dep]
    for matcher in (_same, _near, _contained):
        sirets = Counter(e.siret for e in pool if matcher(key, e.key))
        if sirets:
            if len({s[:9] for s in sirets}) > 1:  # two different organisations (SIREN)
                return None
            return sirets.most_common(1)[0][0]
    return None


def _same(key: str, other: str) -> bool:
    return key == other


def _near(key: str, other: str) -> bool:
    shorter, longer = sorted((len(key), len(other)))
    if shorter < 6 or shorter / longer < 0.75:
        return False
    return fuzz.token_sort_ratio(key, other) >= _MIN_FUZZY


def _contained(key: str, other: str) -> bool:
    distinctive = [w for w in other.split() if w not in _GENERIC]
    if len(distinctive) < _MIN_CONTAINED_WORDS or len(" ".join(distinctive)) < 6:
        return False
    return f" {other} " in f" {key} " or f" {' '.join(distinctive)} " in f" {key} "
