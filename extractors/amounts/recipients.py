"""Who receives an amount, when the sentence says it ("attribués à 4 communes",
"au profit des QPV", "versés à l'association ...")."""

from __future__ import annotations

import re

from extractors.amounts.text import clean
from extractors.folding import fold

_RECIPIENT = re.compile(
    r"\b(?:(?:attribue|verse|accorde|alloue|octroye|destine|reparti)e?s?\s+(?:a|aux)\s+"
    r"|au (?:profit|benefice) (?:de l'|de la |du |des |de |d')"
    r"|en faveur (?:de l'|de la |du |des |de |d')"
    r"|a destination (?:de l'|de la |du |des |de |d'))"
    r"(?P<name>[^.;:()\t]{2,60}?)"
    r"(?=\s+(?:au titre|pour|dans|afin|en \d|sur|par|repartis?|soit)\b|[.;:()\t]|$)"
)


def detect_recipient(text: str) -> str | None:
    """Who receives, when the text says it ("attribués à 4 communes", "au profit des QPV")."""
    m = _RECIPIENT.search(fold(text))
    if m is None:
        return None
    return clean(text[m.start("name") : m.end("name")]) or None
