"""Cue words that name what kind of amount a text speaks of.

French administrative writing names the kind right before the figure: "montant
total", "sous-total", "plafonné à", "une enveloppe de", "subvention", "coût
unitaire", "revenu médian". The patterns run on folded text (lower case, no
accents, same length as the original) and are tried most specific first, so that
"sous-total" is a breakdown before "total" makes it a total.
"""

from __future__ import annotations

import re

from extractors.amounts.text import TAG
from extractors.folding import fold
from schemas.records import AmountKind

_KIND_CUES: tuple[tuple[AmountKind, re.Pattern[str]], ...] = (
    ("breakdown", re.compile(r"\bsous[- ]?tota(?:l|ux)\b|\bdont\s*:?\s*$")),
    ("total", re.compile(r"\b(?:total|totale|totaux|au total|globale?|montant cumule)\b")),
    (
        "threshold",
        re.compile(
            r"\b(?:seuils?|plafonds?|plafonnee?s?|minimum|minimal|maximum|maximale?"
            r"|au moins|au plus|moins de|plus de|jusqu'a|inferieure?s? a|superieure?s? a"
            r"|compris entre|dans la limite|n'exced\w*|ne peut exceder|ne depass\w*)\b"
        ),
    ),
    ("envelope", re.compile(r"\benveloppes?\b")),
    ("budget", re.compile(r"\bbudgets?\b|\bbudgetaires?\b")),
    (
        "grant",
        re.compile(
            r"\b(?:subventions?|subventionne\w*|fonds (?:de )?concours|aides? financieres?"
            r"|attribue\w*|attribution|verse(?:e|es|s)?|octroye\w*|accorde\w*|alloue\w*"
            r"|dotations?|cofinance\w*|financ(?:e|es|ee|ees)|financements?)\b"
        ),
    ),
    (
        "price",
        re.compile(
            r"(?:\b(?:couts?|prix|tarifs?|unitaires?|par (?:logement|logt|operation|place"
            r"|personne|beneficiaire|m2|metre carre))|/ ?(?:logements?|logts?|m2))\b"
        ),
    ),
    (
        "other",
        re.compile(
            r"\b(?:revenus?|mediane?s?|salaires?|loyers?|niveau de vie|smic"
            r"|chiffre d'affaires)\b"
        ),
    ),
)
# Cues strong enough to qualify every amount of a list from the section's heading
# (fonds de concours, enveloppe, budget... and income statistics).
SECTION_KINDS: frozenset[AmountKind] = frozenset({"grant", "envelope", "budget", "other"})


def classify_kind(text: str) -> AmountKind | None:
    """Kind named by cue words in ``text``, the most specific cue first, or None."""
    folded = fold(TAG.sub(" ", text))
    for kind, pattern in _KIND_CUES:
        if pattern.search(folded):
            return kind
    return None
