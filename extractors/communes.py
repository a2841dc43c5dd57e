"""Commune names as documents write them -> INSEE codes, from the bundled COG file.

Documents spell communes every which way ("BRUAY-LA-BUISSIERE", "Fouquières les Lens",
"Loos en Gohelle", "Avlon" from OCR, or just "Bruay"). Matching a spelling to the Code
Officiel Géographique gives one identity per commune, so that two mentions of a quartier
can be compared by commune and the database can join on INSEE codes. Matching is done
within the department when it is known: most commune names are not unique nationally.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .folding import fold as fold_same_length

COG_CSV = (
    Path(__file__).resolve().parent.parent
    / "quartiers"
    / "reference"
    / "communes"
    / "cog_communes_2026.csv"
)

# Below this length an edit is too likely to be a coincidence ("Lens" ~ "Sens"); OCR
# slips are one edit (two for long names), a transposition counting as one.
_MIN_FUZZY_LEN = 5
_ADMIN_PREFIX = re.compile(
    r"^(?:(?:la\s+)?ville|(?:la\s+)?commune|mairie)\s+(?:de\s+|d['’]\s*)", re.I
)
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
_SPLIT = re.compile(r"\s*(?:/|,|;|\(|\)|\+|&|\s[-–—]\s|\bet\b)\s*", re.I)


@dataclass(frozen=True, slots=True)
class Commune:
    insee: str
    name: str  # official name (COG LIBELLE)
    department: str  # "62", "2A", "971"


def fold(text: str) -> str:
    """Lower case, no accents, ligatures spelt out: the form names are compared in.

    Unlike :func:`extractors.folding.fold` (which maps "œ" to one letter to keep
    offsets), "Cœur" and "Coeur" must give the same key here, so ligatures are spelt
    out first.
    """
    return fold_same_length(text.translate(_LIGATURES))


def commune_key(name: str) -> str:
    """A spelling-insensitive key: "Fouquières-lez-Lens" and "FOUQUIERES LES LENS" agree."""
    s = fold(name)
    s = re.sub(r"[-'’_.]", " ", s)
    s = re.sub(r"[^a-z0-9 ]", "", s)
    words = s.split()
    out = []
    for w in words:
        if w in {"lez", "les"}:
            w = "les"
        elif w == "st":
            w = "saint"
        elif w == "ste":
            w = "sainte"
        out.append(w)
    return " ".join(out)


def department_key(department: str | None) -> str | None:
    """ "062" / "62" / "2A" / "02A" / "971" -> the COG form ("62", "2A", "971")."""
    if not department:
        return None
    d = department.strip().upper()
    if len(d) == 3 and d.startswith("0"):
        d = d[1:]
    return d.zfill(2) if d.isdigit() else d


@dataclass(frozen=True, slots=True)
class _Index:
    communes: tuple[Commune, ...]
    by_key: dict[str, tuple[int, ...]]
    by_dep: dict[str, tuple[int, ...]]


@lru_cache(maxsize=1)
def _index() -> _Index:
    communes: list[Commune] = []
    by_key: dict[str, list[int]] = {}
    by_dep: dict[str, list[int]] = {}
    with COG_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["TYPECOM"] not in {"COM", "ARM"}:
                continue
            i = len(communes)
            communes.append(Commune(row["COM"], row["LIBELLE"], row["DEP"]))
            by_dep.setdefault(row["DEP"], []).append(i)
            for spelling in {row["LIBELLE"], row["NCCENR"]}:
                by_key.setdefault(commune_key(spelling), []).append(i)
    return _Index(
        tuple(communes),
        {k: tuple(dict.fromkeys(v)) for k, v in by_key.items()},
        {k: tuple(v) for k, v in by_dep.items()},
    )


@lru_cache(maxsize=8)
def _department_choices(department: str) -> dict[int, str]:
    idx = _index()
    return {i: commune_key(idx.communes[i].name) for i in idx.by_dep.get(department, ())}


@lru_cache(maxsize=20000)
def resolve_commune(name: str, department: str | None = None) -> Commune | None:
    """The commune ``name`` designates, or None when there is no confident single match.

    Exact key first (within the department if given, else nationally when unique), then,
    within the department only, a unique prefix for short forms ("Bruay" ->
    Bruay-la-Buissière; "Billy" is ambiguous) and an OCR-sized edit ("Avlon" -> Avion).
    """
    cleaned = _ADMIN_PREFIX.sub("", name.strip(" \t*#_:.-–")).strip()
    key = commune_key(cleaned)
    if not key or not re.search(r"[a-z]", key):
        return None
    idx = _index()
    dep = department_key(department)
    hits = [idx.communes[i] for i in idx.by_key.get(key, ())]
    if dep:
        in_dep = [c for c in hits if c.department == dep]
        if len(in_dep) == 1:
            return in_dep[0]
        if in_dep:
            return None
        return _fuzzy(key, dep)
    return hits[0] if len(hits) == 1 else None


def _fuzzy(key: str, department: str) -> Commune | None:
    choices = _department_choices(department)
    idx = _index()
    if len(key) >= 4:
        starts = [i for i, k in choices.items() if k.startswith(key + " ")]
        if starts:
            return idx.communes[starts[0]] if len(starts) == 1 else None
    if len(key) < _MIN_FUZZY_LEN:
        return None
    budget = 1 if len(key) < 8 else 2
    close = process.extract(key, choices, scorer=OSA.distance, score_cutoff=budget, limit=2)
    if close and (len(close) == 1 or close[0][1] < close[1][1]):
        return idx.communes[close[0][2]]
    return None


def split_communes(text: str) -> list[str]:
    """The commune names in a cell such as "Lens / Vendin-le-Vieil", "Hulluch (Haisnes)"."""
    parts = [p.strip(" \t*#_:.-–") for p in _SPLIT.split(text)]
    return [p for p in parts if p and re.search(r"[A-Za-zÀ-ÿ]", p)]


def resolve_communes(text: str, department: str | None = None) -> list[Commune] | None:
    """Every commune of ``text`` when ALL its parts are communes, else None.

    The all-or-nothing rule is what tells a commune cell or heading part from a quartier
    name that merely contains a commune ("Les Hauts de Liévin").
    """
    parts = split_communes(text)
    if not parts:
        return None
    found = []
    for part in parts:
        commune = resolve_commune(part, department)
        if commune is None:
            return None
        found.append(commune)
    return found
