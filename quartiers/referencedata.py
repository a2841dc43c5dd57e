"""Read access to the bundled reference open data (``quartiers/reference/``).

Extractors need to know which intercommunalities (EPCI) exist, which communes they
group, and which contrat de ville (2015 ``CV…`` / 2024 ``CN…``) covers them, so that a
name or an acronym read in a PDF can be tied to official codes. Every loader reads its
file once (``lru_cache``); the whole set loads in well under a second.

Linking an EPCI to its contracts is not a plain join: the 2017 mergers gave most
agglomerations a new SIREN, so the 2015 contract may carry an SIREN that no longer
exists. :func:`epci_contracts` therefore tries, in order: the same SIREN, a member
commune's INSEE code (single-commune contracts), and finally the 2015 label's words
against the member communes and name of the current EPCIs of the same department.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
_EPCI_FILE = REFERENCE_DIR / "communes" / "epci_communes_dgcl_2025.csv"
_COMMUNES_FILE = REFERENCE_DIR / "communes" / "cog_communes_2026.csv"
_CV_FILES = {
    2015: REFERENCE_DIR / "ci-ville" / "contrats_de_ville_2015.csv",
    2024: REFERENCE_DIR / "ci-ville" / "contrats_de_ville_2024.csv",
}

Generation = Literal[2015, 2024]
LinkMethod = Literal["codgeo", "member_commune", "label"]

# Legal forms of EPCI à fiscalité propre as abbreviated in the DGCL / Ci.Ville labels.
LEGAL_FORMS: dict[str, str] = {
    "CA": "Communauté d'Agglomération",
    "CC": "Communauté de Communes",
    "CU": "Communauté Urbaine",
}

# INSEE department codes and names (public national list, used to read
# "Département du Nord", "Préfet du Pas-de-Calais"...).
# fmt: off
DEPARTMENTS: dict[str, str] = {
    "01": "Ain", "02": "Aisne", "03": "Allier", "04": "Alpes-de-Haute-Provence",
    "05": "Hautes-Alpes", "06": "Alpes-Maritimes", "07": "Ardèche", "08": "Ardennes",
    "09": "Ariège", "10": "Aube", "11": "Aude", "12": "Aveyron", "13": "Bouches-du-Rhône",
    "14": "Calvados", "15": "Cantal", "16": "Charente", "17": "Charente-Maritime",
    "18": "Cher", "19": "Corrèze", "2A": "Corse-du-Sud", "2B": "Haute-Corse",
    "21": "Côte-d'Or", "22": "Côtes-d'Armor", "23": "Creuse", "24": "Dordogne",
    "25": "Doubs", "26": "Drôme", "27": "Eure", "28": "Eure-et-Loir", "29": "Finistère",
    "30": "Gard", "31": "Haute-Garonne", "32": "Gers", "33": "Gironde", "34": "Hérault",
    "35": "Ille-et-Vilaine", "36": "Indre", "37": "Indre-et-Loire", "38": "Isère",
    "39": "Jura", "40": "Landes", "41": "Loir-et-Cher", "42": "Loire", "43": "Haute-Loire",
    "44": "Loire-Atlantique", "45": "Loiret", "46": "Lot", "47": "Lot-et-Garonne",
    "48": "Lozère", "49": "Maine-et-Loire", "50": "Manche", "51": "Marne",
    "52": "Haute-Marne", "53": "Mayenne", "54": "Meurthe-et-Moselle", "55": "Meuse",
    "56": "Morbihan", "57": "Moselle", "58": "Nièvre", "59": "Nord", "60": "Oise",
    "61": "Orne", "62": "Pas-de-Calais", "63": "Puy-de-Dôme", "64": "Pyrénées-Atlantiques",
    "65": "Hautes-Pyrénées", "66": "Pyrénées-Orientales", "67": "Bas-Rhin", "68": "Haut-Rhin",
    "69": "Rhône", "70": "Haute-Saône", "71": "Saône-et-Loire", "72": "Sarthe",
    "73": "Savoie", "74": "Haute-Savoie", "75": "Paris", "76": "Seine-Maritime",
    "77": "Seine-et-Marne", "78": "Yvelines", "79": "Deux-Sèvres", "80": "Somme",
    "81": "Tarn", "82": "Tarn-et-Garonne", "83": "Var", "84": "Vaucluse", "85": "Vendée",
    "86": "Vienne", "87": "Haute-Vienne", "88": "Vosges", "89": "Yonne",
    "90": "Territoire de Belfort", "91": "Essonne", "92": "Hauts-de-Seine",
    "93": "Seine-Saint-Denis", "94": "Val-de-Marne", "95": "Val-d'Oise",
    "971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion",
    "976": "Mayotte",
}
# fmt: on

# Words of a 2015 label that say nothing about where the contract is.
# fmt: off
_GENERIC_WORDS = frozenset({
    "ca", "cc", "cu", "communaute", "communautes", "agglomeration", "agglo", "urbaine",
    "communes", "commune", "metropole", "de", "du", "des", "la", "le", "les", "l", "d", "et",
    "en", "sur", "sous", "aux", "au", "a", "environs", "pays", "region", "grand", "grande",
    "val", "vallee", "vallees", "coeur", "terres", "terre", "mer", "plaine", "porte", "portes",
    "saint", "sainte", "st", "ste", "nord", "sud", "est", "ouest", "haut", "haute", "hauts",
    "basse", "bas", "bassin", "canton", "intercommunale", "villes", "ville", "centre", "cote",
    "cotes",
})
# fmt: on


class MemberCommune(NamedTuple):
    """A commune member of an EPCI, as listed by the DGCL."""

    insee: str
    name: str
    siren: str
    population: int | None


@dataclass(frozen=True, slots=True)
class Epci:
    """An EPCI à fiscalité propre (DGCL list of 1 January 2025)."""

    siren: str
    raison_sociale: str  # e.g. "CA de Lens - Liévin"
    nature_juridique: str  # CA, CC, CU, METRO, MET69
    dept: str
    population: int | None
    communes: tuple[MemberCommune, ...]

    @property
    def full_name(self) -> str:
        """The name with its legal form spelled out ("Communauté d'Agglomération de …")."""
        return expand_legal_form(self.raison_sociale)


class Commune(NamedTuple):
    """A commune of the INSEE Code officiel géographique 2026."""

    insee: str
    typecom: str  # COM, COMD (déléguée), COMA (associée), ARM (arrondissement)
    dept: str
    ncc: str  # upper case without accents
    nccenr: str  # rich typography, no article
    libelle: str  # with its article
    parent: str | None  # COMPARENT for COMD/COMA/ARM


@dataclass(frozen=True, slots=True)
class ContratDeVille:
    """One contrat de ville (Ci.Ville layer): 2015 ``CV…`` or 2024 ``CN…``.

    A contract spanning two departments has one row per department (same code).
    """

    code: str
    codgeo: str  # EPCI SIREN (possibly a pre-merger one) or commune INSEE code
    label: str  # lib_cv, e.g. "62 - CA de Lens - Liévin"
    dept: str
    population: float | None  # QPV population
    lon: float | None
    lat: float | None
    generation: Generation

    @property
    def name(self) -> str:
        """The label without its "62 - " department prefix."""
        return re.sub(r"^\s*\w{2,3}\s+-\s+", "", self.label)


@dataclass(frozen=True, slots=True)
class ContractLink:
    """A contract tied to an EPCI, and how the tie was made."""

    contract: ContratDeVille
    method: LinkMethod


@dataclass(frozen=True, slots=True)
class EpciContracts:
    """The 2015 and 2024 contracts of one EPCI, best first."""

    siren: str
    cv2015: tuple[ContractLink, ...]
    cn2024: tuple[ContractLink, ...]

    def best(self, generation: Generation) -> ContratDeVille | None:
        links = self.cv2015 if generation == 2015 else self.cn2024
        return links[0].contract if links else None


def expand_legal_form(name: str) -> str:
    """ "CA de Lens - Liévin" -> "Communauté d'Agglomération de Lens - Liévin"."""
    head, _, rest = name.partition(" ")
    if head in LEGAL_FORMS and rest:
        return f"{LEGAL_FORMS[head]} {rest}"
    return name


def name_words(text: str) -> list[str]:
    """Lower-case, accent-free words of a name (hyphens and apostrophes split words)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe"))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.findall(r"[a-z0-9]+", ascii_text)


def _int(value: str) -> int | None:
    try:
        return int(float(value))
    except ValueError:
        return None


def _float(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


@lru_cache(maxsize=1)
def epcis() -> dict[str, Epci]:
    """All EPCI à fiscalité propre by SIREN, with their member communes."""
    heads: dict[str, list[str]] = {}
    members: dict[str, list[MemberCommune]] = defaultdict(list)
    with _EPCI_FILE.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        col = {name: i for i, name in enumerate(next(reader))}
        siren_i, insee_i, name_i = col["siren"], col["insee"], col["nom_membre"]
        member_i, pop_i = col["siren_membre"], col["ptot_2025"]
        for row in reader:
            siren = row[siren_i].strip() if row else ""
            if not siren:
                continue
            heads.setdefault(siren, row)
            members[siren].append(
                MemberCommune(row[insee_i], row[name_i], row[member_i], _int(row[pop_i]))
            )
    return {
        siren: Epci(
            siren=siren,
            raison_sociale=row[col["raison_sociale"]].strip(),
            nature_juridique=row[col["nature_juridique"]].strip(),
            dept=row[col["dept"]].strip(),
            population=_int(row[col["total_pop_tot"]]),
            communes=tuple(members[siren]),
        )
        for siren, row in heads.items()
    }


@lru_cache(maxsize=1)
def communes() -> dict[str, Commune]:
    """Communes by INSEE code (current communes first; delegated ones where not shadowed)."""
    with _COMMUNES_FILE.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        col = {name: i for i, name in enumerate(next(reader))}
        rows = [r for r in reader if r]
    typecom, code_i, dep_i, parent_i = col["TYPECOM"], col["COM"], col["DEP"], col["COMPARENT"]
    dept_of = {r[code_i]: r[dep_i] for r in rows if r[typecom] == "COM"}
    result: dict[str, Commune] = {}
    ncc, nccenr, libelle = col["NCC"], col["NCCENR"], col["LIBELLE"]
    for r in sorted(rows, key=lambda r: r[typecom] != "COM"):
        code = r[code_i]
        if code in result:
            continue
        parent = r[parent_i] or None
        dept = r[dep_i] or dept_of.get(parent or "", "") or _dept_of_insee(code)
        result[code] = Commune(code, r[typecom], dept, r[ncc], r[nccenr], r[libelle], parent)
    return result


def _dept_of_insee(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


@lru_cache(maxsize=1)
def epci_of_commune() -> dict[str, str]:
    """Commune INSEE code -> SIREN of the EPCI it belongs to."""
    return {m.insee: e.siren for e in epcis().values() for m in e.communes}


@lru_cache(maxsize=1)
def epci_of_member_siren() -> dict[str, str]:
    """SIREN of a member commune -> SIREN of its EPCI (an EPCI maps to itself).

    Lets a SIREN read in an act identifier ("059-2xxxxxxxx-…") name the territory.
    """
    mapping = {m.siren: e.siren for e in epcis().values() for m in e.communes if m.siren}
    mapping.update({s: s for s in epcis()})
    return mapping


@lru_cache(maxsize=2)
def contrats_de_ville(generation: Generation) -> tuple[ContratDeVille, ...]:
    """The contrats de ville of one generation (2015 or 2024)."""
    with _CV_FILES[generation].open(encoding="utf-8", newline="") as fh:
        return tuple(
            ContratDeVille(
                code=r["code_cv"],
                codgeo=r["codgeo"],
                label=r["lib_cv"],
                dept=r["insee_dep"],
                population=_float(r["pop"]),
                lon=_float(r["lon"]),
                lat=_float(r["lat"]),
                generation=generation,
            )
            for r in csv.DictReader(fh)
        )


def _same_stem(a: str, b: str) -> bool:
    """Adjective and place share a stem: "calaisis"/"calais", "lunevillois"/"luneville"."""
    shorter = min(len(a), len(b))
    common = len(_common_prefix(a, b))
    return shorter >= 4 and common >= max(4, shorter - 1)


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


@lru_cache(maxsize=2048)
def _vocabulary(siren: str) -> tuple[frozenset[str], frozenset[str], dict[str, list[str]]]:
    """Words of an EPCI's own name, of its communes' names, and all by 4-letter prefix."""
    epci = epcis()[siren]
    own = frozenset(name_words(epci.raison_sociale))
    towns = frozenset(w for m in epci.communes for w in name_words(m.name))
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for word in own | towns:
        by_prefix[word[:4]].append(word)
    return own, towns, dict(by_prefix)


def _label_score(words: set[str], epci: Epci) -> int:
    """How well an EPCI explains a label: its own name counts most, then its communes."""
    own, towns, by_prefix = _vocabulary(epci.siren)
    score = 0
    for word in words:
        if word in own:
            score += 3
        elif word in towns:
            score += 2
        elif any(_same_stem(word, t) for t in by_prefix.get(word[:4], ())):
            score += 1
    return score


def _label_link(contract: ContratDeVille) -> str | None:
    """The current EPCI of the same department that best explains the contract label."""
    words = {w for w in name_words(contract.name) if len(w) > 2 and w not in _GENERIC_WORDS}
    if not words:
        return None
    scored = sorted(
        (
            (score, epci.siren)
            for epci in epcis().values()
            if epci.dept == contract.dept and (score := _label_score(words, epci))
        ),
        reverse=True,
    )
    if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None  # nothing, or two EPCIs explain the label equally well
    return scored[0][1]


@lru_cache(maxsize=2)
def _contract_epci(generation: Generation) -> dict[str, tuple[str, LinkMethod]]:
    """Contract code -> (current EPCI SIREN, link method)."""
    by_epci, by_commune = epcis(), epci_of_commune()
    links: dict[str, tuple[str, LinkMethod]] = {}
    for contract in contrats_de_ville(generation):
        if contract.codgeo in by_epci:
            links[contract.code] = (contract.codgeo, "codgeo")
        elif contract.codgeo in by_commune:
            links[contract.code] = (by_commune[contract.codgeo], "member_commune")
        elif (siren := _label_link(contract)) is not None:
            links[contract.code] = (siren, "label")
    return links


def epci_for_contract(contract: ContratDeVille) -> tuple[str, LinkMethod] | None:
    """The current EPCI SIREN a contract belongs to, and how it was found."""
    return _contract_epci(contract.generation).get(contract.code)


@lru_cache(maxsize=4096)
def epci_contracts(siren: str) -> EpciContracts:
    """The 2015 (CV) and 2024 (CN) contracts of an EPCI, best first.

    Direct SIREN matches come first, then contracts of member communes, then label
    matches; within a method, the larger QPV population first.
    """
    order = {"codgeo": 0, "label": 1, "member_commune": 2}

    def collect(generation: Generation) -> tuple[ContractLink, ...]:
        links = _contract_epci(generation)
        found = [
            ContractLink(c, links[c.code][1])
            for c in contrats_de_ville(generation)
            if c.code in links and links[c.code][0] == siren
        ]
        found.sort(key=lambda link: (order[link.method], -(link.contract.population or 0)))
        unique: dict[str, ContractLink] = {}  # a contract over two departments has two rows
        for link in found:
            unique.setdefault(link.contract.code, link)
        return tuple(unique.values())

    return EpciContracts(siren=siren, cv2015=collect(2015), cn2024=collect(2024))


def department_code(name: str) -> str | None:
    """INSEE code of a department written by name ("Pas-de-Calais", "NORD") or None."""
    wanted = name_words(name)
    for code, dept_name in DEPARTMENTS.items():
        if name_words(dept_name) == wanted:
            return code
    return None
