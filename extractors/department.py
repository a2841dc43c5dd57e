"""Department cues written in a document, independent of any territory guess.

The department shows up in many small ways: "Département du Pas-de-Calais" on a
deliberation, "PRÉFET DU NORD" on a contract cover, a postal code next to a commune
name, the department digits of a QPV code ("QP062016", "QN05953M") or of a
transmission identifier ("059-215903618-20240924-…"). Each cue votes with a weight;
the territory extractor uses the votes to prefer an EPCI of the right department.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from extractors.docview import DocView
from extractors.folding import fold
from quartiers.referencedata import DEPARTMENTS, communes

HEAD_FACTOR = 2.0
_ARTICLE = r"(?:du|de la|de l'|des|de|d')\s?"
_INSTITUTION = (
    r"(?:departement|conseil departemental|conseil general|prefete?|prefecture|"
    r"sous-prefecture|caisse d'allocations familiales|caf|dsden|ddets|ddcs|ddtm?)"
)


@dataclass(frozen=True, slots=True)
class DepartmentCue:
    """A department code read somewhere in the document, and how much it counts."""

    code: str
    start: int
    end: int
    weight: float
    kind: Literal["name", "qpv_code", "act_id", "postal_code"]


def _insee_dept(digits: str) -> str | None:
    """ "062" -> "62", "02A" -> "2A", "971" -> "971"; None when not a department."""
    code = digits[1:] if digits.startswith("0") else digits
    return code if code in DEPARTMENTS else None


@lru_cache(maxsize=1)
def _name_pattern() -> re.Pattern[str]:
    names = sorted((fold(n) for n in DEPARTMENTS.values()), key=len, reverse=True)
    alternation = "|".join(
        re.escape(n).replace(r"\-", "[- ]").replace("'", "'?\\s?") for n in names
    )
    return re.compile(
        rf"(?P<inst>{_INSTITUTION}\s{{1,3}})?{_ARTICLE}(?P<name>{alternation})"
        r"(?![\w-]|\s?[- ]\s?(?:pas|est|ouest)\b)"
    )


@lru_cache(maxsize=1)
def _codes_by_folded_name() -> dict[str, str]:
    return {re.sub(r"[- ']+", " ", fold(n)): c for c, n in DEPARTMENTS.items()}


@lru_cache(maxsize=1)
def _commune_first_words() -> dict[str, frozenset[str]]:
    """Department code -> first words of its communes' names (to check postal codes)."""
    words: dict[str, set[str]] = defaultdict(set)
    for commune in communes().values():
        if commune.nccenr:
            words[commune.dept].add(re.split(r"[- ']", fold(commune.nccenr))[0])
    return {k: frozenset(v) for k, v in words.items()}


_QPV_CODE = re.compile(r"\b[QO][PN]\s?(?P<d>[0O]\d\d|[0O]2[AB]|97\d)[0-9A-Z]{3,4}\b")
_ACT_ID = re.compile(r"\b(?P<d>0\d\d|02[AB]|97\d)-\d{9}-\d{8}-")
_POSTAL = re.compile(r"(?<![\d\w])(?P<cp>\d{5})\s+(?:cedex\s+)?(?P<town>[A-ZÀ-Ý][\w'-]{2,})")


def find_department_cues(view: DocView) -> list[DepartmentCue]:
    """Every department cue of the document, with its weight."""
    cues: list[DepartmentCue] = []
    text, folded = view.text, view.folded
    by_name = _codes_by_folded_name()
    for m in _name_pattern().finditer(folded):
        if not text[m.start("name")].isupper():
            continue  # "du nord de la ville" is a direction, not the department
        code = by_name.get(re.sub(r"[- ']+", " ", m["name"]))
        if code:
            weight = 3.0 if m["inst"] else 1.0
            cues.append(DepartmentCue(code, m.start(), m.end(), weight, "name"))
    for m in _QPV_CODE.finditer(text):
        code = _insee_dept(m["d"].replace("O", "0"))
        if code:
            cues.append(DepartmentCue(code, m.start(), m.end(), 1.0, "qpv_code"))
    for m in _ACT_ID.finditer(text):
        code = _insee_dept(m["d"])
        if code:
            cues.append(DepartmentCue(code, m.start(), m.end(), 3.0, "act_id"))
    first_words = _commune_first_words()
    for m in _POSTAL.finditer(text):
        cp = m["cp"]
        code = _insee_dept(cp[:3]) if cp.startswith("97") else _insee_dept(cp[:2])
        town = re.split(r"[- ']", fold(m["town"]))[0]
        if code and town in first_words.get(code, ()):
            cues.append(DepartmentCue(code, m.start(), m.end(), 1.5, "postal_code"))
    return cues


def department_votes(view: DocView, cues: list[DepartmentCue]) -> dict[str, float]:
    """Summed weight per department, head cues counting double."""
    votes: dict[str, float] = defaultdict(float)
    for cue in cues:
        votes[cue.code] += cue.weight * (HEAD_FACTOR if view.in_head(cue.start) else 1.0)
    return dict(votes)
