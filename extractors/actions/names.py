"""Who carries out an action, as a proper name read from running text.

"l'ANCT", "FOH et PDCH", "le Club de l'ESS de l'Artois": capitalised words and
acronyms with their articles and linking words. A pronoun ("Elle", "Il") is
capitalised too at the start of a sentence, but names nobody by itself.
"""

from __future__ import annotations

from extractors.folding import fold

_NAME_WORD = r"[A-ZÀ-Ý][\w'’.&\-]*"
_NAME_LINK = r"(?:\s+(?:et|&|de|du|des|de la)\s+|\s+(?:de l['’]|de |d['’]|l['’])|\s+)"
NAME = rf"(?:l['’]\s?|la |le |les )?{_NAME_WORD}(?:{_NAME_LINK}{_NAME_WORD})*"
_PRONOUNS = frozenset(
    {"il", "ils", "elle", "elles", "on", "celui-ci", "celle-ci", "ceux-ci", "celles-ci", "ce"}
)


def is_pronoun(name: str) -> bool:
    return fold(name).strip() in _PRONOUNS
