"""Operations enumerated in a sentence, each with its maître d'ouvrage.

Urban renewal reports list their operations in running text rather than in a table:
"… sous différentes maîtrises d'ouvrage : construction par X de …, requalification
de … par Y à Z". Each item that names who builds it is an action, with the commune
when the item ends on one. Keywords are matched on folded text, names read from the
original.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.actions.context import heading_before, single_year, year_before
from extractors.actions.names import NAME
from extractors.actions.rows import Doc, Row, provenance, tidy
from extractors.communes import resolve_commune
from extractors.folding import fold
from schemas.records import Action

# A sentence that enumerates operations with their maîtres d'ouvrage.
_ENUM_INTRO = re.compile(r"maitres?(?:es)? d'ouvrage|maitrises? d'ouvrage")
_BY = re.compile(rf"\s+par\s+(?P<op>{NAME})")
_AT = re.compile(r"\s+(?:à|a|au|sur|dans)\s+(?P<place>[A-ZÀ-Ý][\w'’\- ]+?)\s*$")


def enumerated_actions(d: Doc) -> Iterator[Action]:
    """ "… différentes maîtrises d'ouvrage : construction par X de …, requalification
    de … par Y à Z, …" — each item naming its maître d'ouvrage is an action. The
    enumeration runs from the colon to the end of the sentence, across lines."""
    for i, row in enumerate(d.rows):
        if i in d.used or row.blank or row.is_table:
            continue
        nxt = d.rows[i + 1] if i + 1 < len(d.rows) else None
        joined = row.text + (" " + nxt.text if nxt is not None and not nxt.blank else "")
        m = _ENUM_INTRO.search(fold(joined))
        if m is None or m.start() >= len(row.text):
            continue
        sentence = d.sentence(i, 12)
        text = " ".join(r.text for r in sentence)
        colon = text.find(":", m.end())
        if colon < 0:
            continue
        items = re.split(r"[,;]\s+(?=[^\d\s])|\s+puis\s+", text[colon + 1 :])
        actions = [a for item in items if (a := _enumerated_item(d, item, sentence))]
        if actions:
            d.used.update(r.index for r in sentence)
            yield from actions


def _enumerated_item(d: Doc, item: str, para: list[Row]) -> Action | None:
    item = item.strip(" .…")
    by = _BY.search(item)
    if by is None:
        return None
    operator = tidy(by.group("op"))
    rest = item[: by.start()] + item[by.end() :]
    commune = None
    at = _AT.search(rest)
    if at is not None and resolve_commune(at.group("place")) is not None:
        commune = at.group("place")
        rest = rest[: at.start()]
    title = tidy(rest)
    if len(title.split()) < 2:
        return None
    return Action(
        title=title[0].upper() + title[1:],
        provenance=provenance(para, 0.6),
        operator=operator,
        commune=commune,
        year=single_year(item) or year_before(d, para[0].index + 1),
        theme=heading_before(d, para[0].index),
    )
