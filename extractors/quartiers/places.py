"""Telling a quartier's name from the communes written with it.

Documents glue communes to names in every way: "Camus (Angres – Liévin)", "Le Centre
à Bruay", "AVION République Cité 4", "Equipements ... BILLY-MONTIGNY", "Commune de
Fouquières-lez-Lens". A piece of text only counts as communes when every part of it
resolves to a commune of the department (:func:`extractors.communes.resolve_communes`),
which is what keeps "Les Hauts de Liévin" a name.
"""

from __future__ import annotations

import re

from ..communes import Commune, resolve_commune, resolve_communes, split_communes
from .names import CONNECTORS, clean_name, is_cap

_CAPS_WORD = re.compile(r"[A-ZÀ-Ý][A-ZÀ-Ý'’-]+")


def resolve_all(names: list[str], dept: str | None) -> list[Commune]:
    """The distinct communes the written names resolve to (unknown ones dropped)."""
    out = []
    for n in names:
        c = resolve_commune(n, dept)
        if c is not None and c not in out:
            out.append(c)
    return out


def communes_of(text: str, dept: str | None) -> list[str] | None:
    """The commune names written in ``text`` when it is nothing but communes."""
    if resolve_communes(text, dept) is None:
        return None
    return split_communes(text)


def commune_names(text: str, dept: str | None) -> list[str] | None:
    """:func:`communes_of` on a cell or piece still carrying markup or annotations."""
    cleaned = clean_name(text)
    if not cleaned:
        return None
    return communes_of(cleaned, dept)


def admin_commune(text: str, dept: str | None) -> list[str] | None:
    """ "Commune de X", "Ville d'X", "VILLE DE X" -> [X]."""
    m = re.match(r"^\s*(?:la\s+)?(?:commune|ville|mairie)\s+(?:de\s+|d['’]\s*)(.+)$", text, re.I)
    if not m:
        return None
    return commune_names(m.group(1), dept)


def name_with_communes(text: str, dept: str | None) -> tuple[str, list[str]] | None:
    """ "Camus (Angres – Liévin)" / "Le Centre à Bruay" -> name and communes."""
    m = re.match(r"^(?P<name>.+?)\s*\((?P<c>[^()]+)\)\s*$", text)
    if m:
        communes = commune_names(m.group("c"), dept)
        if communes:
            return m.group("name"), communes
    m = re.match(r"^(?P<name>.+?)\s+(?:à|a)\s+(?P<c>[^()]+)$", text)
    if m:
        communes = commune_names(m.group("c"), dept)
        if communes:
            return m.group("name"), communes
    return None


def split_commune_prefix(text: str, dept: str | None) -> tuple[list[str], str] | None:
    """ "AVION République Cité 4" -> (["AVION"], "République Cité 4"), "BULLY MAZINGARBE
    Les Brebis" -> (["BULLY", "MAZINGARBE"], "Les Brebis"): communes in capitals first."""
    words = text.split()
    caps = 0
    while caps < len(words) - 1 and _CAPS_WORD.fullmatch(words[caps]):
        caps += 1
    communes: list[str] = []
    i = 0
    while i < caps:
        for j in range(caps, i, -1):
            found = communes_of(" ".join(words[i:j]), dept)
            if found:
                communes += found
                i = j
                break
        else:
            break
    return (communes, " ".join(words[i:])) if communes and i == caps else None


def split_commune_suffix(text: str, dept: str | None) -> tuple[str, list[str]] | None:
    """ "Equipements ... BILLY-MONTIGNY" -> ("Equipements ...", ["BILLY-MONTIGNY"])."""
    words = text.split()
    caps = 0
    while caps < len(words) and _CAPS_WORD.fullmatch(words[-1 - caps]):
        caps += 1
    for k in range(min(caps, len(words) - 1), 0, -1):
        found = communes_of(" ".join(words[-k:]), dept)
        if found:
            return " ".join(words[:-k]), found
    return None


def split_commune_tail(text: str, dept: str | None) -> tuple[str, list[str]] | None:
    """ "Quartier Du Maroc - La Canche Méricourt (Rouvroy)" -> ("Quartier Du Maroc - La
    Canche", ["Méricourt", "Rouvroy"]): the longest run of closing words that is nothing
    but communes, when what stays before it is still a name (not "Les Hauts De")."""
    words = text.split()
    for k in range(1, len(words)):
        head = " ".join(words[:k]).rstrip(" -–—,;:/")
        tail = " ".join(words[k:])
        if not head or words[k - 1].lower() in CONNECTORS | {"à", "a", "et"}:
            continue
        found = communes_of(tail, dept)
        if found:
            return head, found
    return None


def commune_after(text: str, pos: int, dept: str | None) -> tuple[list[str], int] | None:
    """A commune written right after ``pos`` (may follow a line break): name and end."""
    m = re.match(r"\s{1,6}", text[pos:])
    if not m:
        return None
    start = pos + m.end()
    words = []
    for w in re.finditer(r"[^\s,;:.()/]+", text[start : start + 80]):
        word = w.group(0)
        if "\n" in text[start + (words[-1].end() if words else 0) : start + w.start()]:
            break
        if not (is_cap(word) or word.lower() in CONNECTORS | {"lez", "lès"}):
            break
        words.append(w)
    while words and not is_cap(words[-1].group(0)):
        words.pop()
    for k in range(min(len(words), 6), 0, -1):
        written = text[start + words[0].start() : start + words[k - 1].end()]
        if resolve_commune(written, dept) is not None:
            return [written], start + words[k - 1].end()
    return None
