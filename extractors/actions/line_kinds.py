"""What a row is: a total, a heading, a theme label, a commune introducing projects…

Every reader needs the same few judgements about a line before deciding whether it
names an action, so they are made here once, on layout and wording that any French
report shares (a "Total" row, a short capitalised heading, "Axe 2 : …").
"""

from __future__ import annotations

import re

from extractors.actions.columns import is_amount_header
from extractors.actions.rows import SENTENCE_END, Row, without_amounts
from extractors.communes import resolve_commune
from extractors.folding import fold

# A row or line that states a total rather than one item.
_TOTAL = re.compile(r"^\W*(?:(?:sous[- ]?)?total|soit|ensemble)\b")
# Labels that name a theme of the contract, not a project ("Axe 2 : …", "Pilier …").
THEME_LABEL = re.compile(
    r"^\W*(?:l'|la |le |les )?"
    r"(?:axe|pilier|ambition|enjeu|orientation|objectif|volet|priorite|thematique)s?\b"
)
# Nouns that open the name of a project (a nominalised verb: construction,
# réhabilitation, aménagement, création, travaux…).
PROJECT_NOUN = re.compile(
    r"^(?:l'|la |le |les |une? |des )?"
    r"(?:[a-z]{3,}(?:tion|sion|ment|age|ure)s?|travaux|achat|acquisition|aide|soutien)\b"
)
MAX_TITLE_LINES = 3  # lines an action title may wrap over

# A line that stops on a linking word or an open bracket: its sentence goes on below.
LINKING_END = re.compile(
    r"(?:\b(?:de|des|du|d'|la|le|les|l'|a|au|aux|sur|pour|et|ou|un|une|en|par|avec|dans)"
    r"|[,(\-–])\s*$"
)


def is_total(row: Row) -> bool:
    return bool(_TOTAL.search(row.folded))


def is_heading(row: Row) -> bool:
    """A short line that names a section: no amount, no sentence punctuation."""
    raw = row.line.text.lstrip()
    if raw.startswith("#"):
        return True
    text = row.text
    if row.blank or row.amounts or row.is_table or len(text) > 100 or len(text.split()) > 14:
        return False
    if SENTENCE_END.search(text) or text.endswith((":", ",")):
        return False
    return text[0].isupper() or text[0].isdigit() or text[0] in "«\"'"


def commune_at_start(text: str, department: str | None = None) -> tuple[str, str] | None:
    """(commune, rest) when ``text`` starts with a commune name, else None.

    The longest run of up to five leading words that names exactly one commune (of
    ``department`` when given) wins; the text is cut on spaces only so that hyphenated
    names stay whole.
    """
    words = text.split(" ")
    for n in range(min(5, len(words)), 0, -1):
        head = " ".join(words[:n]).rstrip(" :,-–")
        if not head or not head[0].isupper() or len(head) < 3:
            continue
        if resolve_commune(head, department) is not None:
            return head, " ".join(words[n:])
    return None


def commune_head(row: Row) -> tuple[str, str] | None:
    """(how, commune) when a row introduces a commune's projects: how is "alone" (the
    name, maybe glued to a column header) or "amount" ("Béthune - 19 946 €")."""
    if row.blank or row.is_table or len(row.text) > 80:
        return None
    found = commune_at_start(row.text)
    if found is None:
        return None
    commune, rest = found
    if row.amounts:
        return ("amount", commune) if not without_amounts(row, rest) else None
    folded = fold(rest).strip()
    if not folded or folded in {":", "-"} or is_amount_header(folded):
        return "alone", commune
    return None
