"""A title that only names a place gets the works the document describes there.

Funding lists often name an operation by its site alone ("Rue Hermant : 114 095 €"),
while another part of the same document (the progress of the urban renewal
programme, an annex) describes the works at that site in a list item that opens
with the operation ("- Restructuration partielle de la rue Hermant …"). Such a title
takes that description in brackets: "Rue Hermant (restructuration partielle de la
rue Hermant)". Only the operation phrase is kept: a flattened second column or a
comment that follows it ("… Travaux débutés fin 2024", "-- La démolition s'est
achevée") is cut off.
"""

from __future__ import annotations

import re
from dataclasses import replace

from extractors.actions.line_kinds import PROJECT_NOUN
from extractors.actions.rows import BULLET, Doc, Row, tidy
from extractors.folding import fold
from schemas.records import Action

_MAX_PLACE_WORDS = 8
# Words that make a name the name of a site: the French street and building types.
_SITE_WORD = re.compile(
    r"\b(?:rue|place|avenue|av|boulevard|bd|allee|square|quai|chemin|route|impasse|cours"
    r"|parvis|ilot|residence|cite|ecole|college|lycee|parc|mail|quartier|secteur|site"
    r"|esplanade|promenade|passage|rond-point|voie|halles?)\b"
)
# Parts of a title naming several sites: "Rue Denain / Ecole Loubet".
_PART_SEPARATOR = re.compile(r"\s+/\s*|\s*/\s+|\s+[-–—]\s+")
# Where the operation phrase of a description ends: a separator, or a capitalised
# word opening a new phrase (an article, or another operation noun).
_PHRASE_END = re.compile(
    r"\s+(?:--?|–|—)\s+|\s*:\s|\s+(?=(?:Les?|La|L'|Une?|Des|Ces?|Cette|[A-ZÀ-Ý]\w+"
    r"(?:tions?|sions?|ments?|ages?|ures?)|Travaux)\b)"
)


def describe_places(d: Doc, actions: list[Action]) -> list[Action]:
    """``actions`` with every place-only title completed by the description of its works."""
    return [_described(d, a) for a in actions]


def _described(d: Doc, action: Action) -> Action:
    title = action.title
    if PROJECT_NOUN.match(fold(title)) or len(title.split()) > _MAX_PLACE_WORDS:
        return action
    for part in _PART_SEPARATOR.split(title):
        if len(re.findall(r"\w+", part)) < 2 or not _SITE_WORD.search(fold(part)):
            continue
        description = _description_of(d, part)
        if description is not None:
            return replace(action, title=f"{title} ({description})")
    return action


def _description_of(d: Doc, place: str) -> str | None:
    """The operation phrase of the first list item opening with an operation noun that
    names ``place``, outside the rows already read as actions."""
    pattern = re.compile(rf"(?<!\w){re.escape(fold(place))}(?!\w)")
    for row in d.rows:
        if row.index in d.used or row.is_table or not BULLET.match(row.line.text):
            continue
        folded = row.folded
        m = pattern.search(folded)
        if m is None or not PROJECT_NOUN.match(folded):
            continue
        return _operation_phrase(row, m.end(), place)
    return None


def _operation_phrase(row: Row, place_end: int, place: str) -> str:
    """The operation phrase naming ``place``, and the next phrase too when it is another
    operation at the same place ("Restructuration de la rue d'Alsace Démolition de la
    Résidence Alsace"): a second column describing one site's works, not a comment."""
    text = row.text
    end = _PHRASE_END.search(text, place_end)
    phrases = [text[: end.start()] if end else text]
    if end is not None:
        rest = text[end.end() :]
        after = _PHRASE_END.search(rest, 1)
        second = rest[: after.start()] if after else rest
        words = [w for w in re.findall(r"\w+", fold(place)) if len(w) >= 4]
        folded = fold(second)
        if PROJECT_NOUN.match(folded) and words and re.search(rf"\b{words[-1]}\b", folded):
            phrases.append(second)
    return ", ".join(_lowered(tidy(p)) for p in phrases)


def _lowered(phrase: str) -> str:
    """A phrase opening a bracket: its first word in lower case unless an acronym."""
    if len(phrase) > 1 and not phrase[1].isupper():
        return phrase[0].lower() + phrase[1:]
    return phrase
