"""Quartiers named without a code, in running text and short headings.

"les quartiers du Mont-Liébaut à Béthune et Le Centre à Bruay", "le quartier
prioritaire des Provinces", "Quartier Mont Liébaut - BETHUNE", "Camus (Angres –
Liévin)". Such a mention only founds an entity when a cue marks it as a priority
neighbourhood (see :mod:`.status`); the weaker ones may only join an existing one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas.records import Page

from ..communes import fold, resolve_commune
from .mentions import RANK_CODELESS, Found, Lines, found, window
from .names import (
    CONNECTORS,
    DASH,
    HEAD_WORDS,
    clean_name,
    closes_name,
    is_cap,
    looks_like_name,
    scan_name_back,
    strip_markup,
    tokens,
)
from .places import (
    admin_commune,
    commune_after,
    commune_names,
    communes_of,
    name_with_communes,
)
from .status import NAMED_QUALIFIER, QUALIFIER, status_from

_WORTH_READING = re.compile(
    r"\b(?:quartiers?|QPV|QIC|cit[ée]s?|r[ée]sidences?)\b|\s(?:à|a)\s", re.I
)


def prose_mentions(page: Page, lines: Lines, skip: set[int], dept: str | None) -> list[Found]:
    """Codeless mentions in the lines that are neither table rows nor code lines."""
    out: list[Found] = []
    for li, line in enumerate(lines):
        start, text = line.start, line.text
        if li in skip or "\t" in text or not text.strip():
            continue
        out += _name_communes_heading(page, text, start, dept)
        if not _WORTH_READING.search(text):
            continue
        around = window(lines, li)
        items = _place_items(page.text, start, text, dept)
        out += _items_to_founds(page, text, start, items, around)
        out += _qualified_mentions(page, text, start, around, items, dept)
    return out


@dataclass(slots=True)
class _Item:
    name: str
    communes: list[str]
    start: int  # offsets in page text
    end: int
    prefix: str  # the text of the line before the name


def _place_items(page_text: str, start: int, text: str, dept: str | None) -> list[_Item]:
    """ "Name à Commune" pieces of a line ("Le Mont-Liébaut à Béthune"); "Name de
    Commune" too ("République d'Avion") when the line speaks of quartiers or cités."""
    items = []
    words = tokens(text)
    with_de = bool(re.search(r"\b(?:quartiers?|cit[ée]s?|r[ée]sidences?)\b", text, re.I))
    for ti, (word, _, w_end) in enumerate(words):
        low = word.lower().replace("’", "'")
        glued = re.match(r"^d'\w", low)
        if low not in {"à", "a"} and not (with_de and (low in {"de", "d'"} or glued)):
            continue
        first = scan_name_back(words, ti)
        if first is None:
            continue
        if glued:  # "d'Avion": the commune is glued to the apostrophe
            written = word[2:].rstrip(",;:.")
            after = ([written], start + w_end) if resolve_commune(written, dept) else None
        else:
            after = commune_after(page_text, start + w_end, dept)
        if not after:
            continue
        name = clean_name(re.sub(r"^[ld]['’]", "", text[words[first][1] : words[ti - 1][2]]))
        if not name or not looks_like_name(name) or communes_of(name, dept):
            continue
        items.append(
            _Item(name, after[0], start + words[first][1], after[1], text[: words[first][1]])
        )
    return items


def _groups(items: list[_Item], page_text: str) -> list[list[_Item]]:
    """Items chained by "et", ",", "/": one enumeration."""
    groups: list[list[_Item]] = []
    for it in items:
        if groups:
            gap = page_text[groups[-1][-1].end : it.start]
            if re.fullmatch(r"\s*(?:,|/|;|et|ainsi que|-|–)?\s*", gap, re.I):
                groups[-1].append(it)
                continue
        groups.append([it])
    return groups


def _items_to_founds(
    page: Page, text: str, start: int, items: list[_Item], around: str
) -> list[Found]:
    """Mentions from "Name à Commune" enumerations that are about quartiers: after
    "quartier(s)", as a title line, or headed by "cité"/"résidence" (those only join)."""
    out = []
    line_end = start + len(text)
    for group in _groups(items, page.text):
        head = group[0]
        qualified = QUALIFIER.search(head.prefix)
        at_line_end = not re.search(r"\w", page.text[group[-1].end : line_end])
        prefix = strip_markup(head.prefix)
        title = at_line_end and (not prefix or re.search(r"[):–—-]$", prefix))
        # "la cité du 12-14 de Lens" names a place, not necessarily a priority quartier.
        headed = fold(head.name.split()[0]).lstrip("(") in HEAD_WORDS
        if not (qualified or title or headed):
            continue
        status = status_from(qualified.group(0) if qualified else "") or status_from(around)
        strong = status is not None and bool(qualified or title)
        for it in group:
            out.append(
                found(
                    page,
                    (it.start, it.end),
                    code=None,
                    name=it.name,
                    communes=it.communes,
                    rank=RANK_CODELESS,
                    confidence=0.7 if strong else 0.5,
                    strong=strong,
                    status=status or "qpv",
                )
            )
    return out


def _qualified_mentions(
    page: Page, text: str, start: int, around: str, items: list[_Item], dept: str | None
) -> list[Found]:
    """ "le quartier prioritaire des Provinces", "Quartier Mont Liébaut - BETHUNE"."""
    out = []
    taken = [(it.start, it.end) for it in items]
    for q in NAMED_QUALIFIER.finditer(text):
        rest = text[q.end() :]
        year = re.match(r"(?:19|20)\d\d\s+", rest)  # "Contrat Quartiers 2030 « X »"
        skip = q.end() + (year.end() if year else 0)
        rest = text[skip:]
        if not rest.strip() or not is_cap(rest.split()[0]):
            continue
        abs_start = start + skip
        if any(s <= abs_start < e for s, e in taken):
            continue
        name, communes, end = _name_forward(rest, dept)
        if not name or not looks_like_name(name) or communes_of(name, dept):
            continue
        if fold(name.split()[0]) in {"politique", "ville"}:
            continue
        kind = q.group("kind") or ""
        status = status_from(q.group("word") + kind) or status_from(around)
        # A lone common-looking word after "QPV" ("des QPV Usagers") is not enough.
        distinctive = bool(communes) or len(name.split()) > 1 or bool(re.search(r"[-\d]", name))
        strong = status is not None and distinctive
        out.append(
            found(
                page,
                (start + q.start(), abs_start + end),
                code=None,
                name=name,
                communes=communes,
                rank=RANK_CODELESS,
                confidence=0.7 if strong else 0.5,
                strong=strong,
                status=status or "qpv",
            )
        )
    return out


def _name_forward(rest: str, dept: str | None) -> tuple[str | None, list[str], int]:
    """The capitalised name at the start of ``rest``, the communes written after it
    ("- BETHUNE" ending a heading, "à Béthune"), and where the mention ends."""
    words = tokens(rest)
    last, communes, end = -1, [], None
    for i, (word, _, word_end) in enumerate(words[:10]):
        low = word.lower().replace("’", "'")
        if re.fullmatch(rf"{DASH}+", word):
            tail = rest[word_end:].strip()
            after = commune_names(tail, dept) or admin_commune(tail, dept)
            if after:
                communes, end = after, len(rest.rstrip())
                break
            if last >= 0 and i + 1 < len(words) and is_cap(words[i + 1][0]):
                continue  # "Cité 10 - Fond de Sains"
            break
        if word.startswith("(") and last >= 0:  # "Name (Commune, Commune)"
            close = rest.find(")", words[i][1])
            inside = commune_names(rest[words[i][1] + 1 : close], dept) if close > 0 else None
            if inside:
                communes, end = inside, close + 1
            break
        if low in {"à", "a"} and last >= 0:
            after_a = commune_after(rest, word_end, dept)
            if after_a:
                communes, end = after_a
            break
        if not (is_cap(word) or (last >= 0 and low in CONNECTORS - {"l'", "d'"})):
            break
        last = i
        if closes_name(word):
            break
    while last >= 0 and words[last][0].lower() in CONNECTORS:
        last -= 1
    if last < 0:
        return None, [], 0
    name_text = rest[: words[last][2]]
    if not communes:
        parts = name_with_communes(name_text, dept)
        if parts:
            name_text, communes = parts
    return clean_name(name_text), communes, end or words[last][2]


def _name_communes_heading(page: Page, text: str, start: int, dept: str | None) -> list[Found]:
    """A short heading "Name (Commune, Commune)": may only join an existing quartier."""
    s = strip_markup(text)
    if len(s) > 100 or "(" not in s:
        return []
    parts = name_with_communes(s, dept)
    if not parts:
        return []
    name = clean_name(parts[0])
    if not name or not looks_like_name(name, loose=True) or communes_of(name, dept):
        return []
    return [
        found(
            page, (start, start + len(text)), code=None, name=name, communes=parts[1],
            rank=RANK_CODELESS, confidence=0.5, strong=False,
        )
    ]  # fmt: skip
