"""How an organisation's name is written in a canonical name, and what is not one.

Names arrive in capitals ("SA DU HAINAUT"), with an article ("L'association
ETABLI"), or are not organisations at all: a person in a signature cell, a function
("Conseil communautaire"), OCR debris ("P6le"). These helpers tidy the first and
reject the rest, for names the registry does not know.
"""

from __future__ import annotations

import re

from extractors.folding import fold
from extractors.partners.gazetteer import generic_words

STOP_WORDS = frozenset(
    {"de", "du", "des", "la", "le", "les", "l", "d", "et", "en", "sur", "sous", "aux", "a", "lez"}
)
# "L'association ETABLI" -> "ETABLI" (also after a short OCR misreading: "JE association").
LEADING_ARTICLE = re.compile(
    r"^(?:(?:\S{1,3}\s+)?(?i:l'|l’|la |le |les )?(?i:association|asso)\s+(?=[A-ZÀ-Ý0-9])"
    r"|(?i:l'|l’|la |le |les ))"
)
_PERSON = re.compile(
    r"^(?:[A-ZÀ-Ý][A-ZÀ-Ý'\-]+ [A-ZÀ-Ý][a-zà-ÿ][\w\-]*|[A-ZÀ-Ý][a-zà-ÿ\-]+ [A-ZÀ-Ý][A-ZÀ-Ý'\-]+)$"
)


def smart_case(text: str) -> str:
    """Title case for a name written in capitals, particles lower, acronyms kept."""
    if not text.isupper() or len(text) <= 5:
        return text
    out = []
    for word in re.split(r"(\s+|-)", text):
        low = word.lower()
        if low in STOP_WORDS or low in {"d'", "l'"}:
            out.append(low)
        elif len(word) <= 3 and word.isalpha():
            out.append(word)
        else:
            out.append(word[:1] + word[1:].lower())
    return "".join(out)


def de(name: str) -> str:
    """ "de Lens", "d'Avion" (no elision before h: "de Harnes")."""
    return f"d'{name}" if fold(name)[:1] in set("aeiouy") else f"de {name}"


def plausible_organisation(name: str) -> bool:
    """A proper name that is not a person, a function, a heading word or OCR debris."""
    if len(name) < 4 or not re.search(r"[A-ZÀ-Ý]", name) or _PERSON.match(name):
        return False
    if re.search(r"[A-Za-zÀ-ÿ]\d|\d[A-Za-zÀ-ÿ]{2}", name):  # "P6le" (Pôle), "I0" ...
        return False
    words = re.sub(r"[^a-z0-9 ]+", " ", fold(name)).split()
    generic = generic_words()
    return bool(words) and any(w not in generic for w in words)
