"""Length-preserving text folding for matching French text.

Patterns are written once, in lower case and without accents, and run on the folded
text; because folding maps every character to exactly one character, a match's
offsets are also offsets in the original text, so provenance stays exact.
"""

from __future__ import annotations

import unicodedata

# Characters whose folded form is not their accent-stripped lower case.
_SPECIAL = {
    "œ": "o",  # "œuvre" folds to "ouvre"; patterns accept (oe|o|ce)uvre
    "Œ": "o",
    "æ": "a",
    "Æ": "a",
    "ß": "s",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "´": "'",
    "`": "'",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
    "−": "-",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u2007": " ",
}


class _FoldTable(dict[int, str]):
    """``str.translate`` table computed lazily, one character at a time."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = _SPECIAL.get(char)
        if folded is None:
            base = unicodedata.normalize("NFKD", char)[:1] or char
            lower = base.lower()
            folded = lower if len(lower) == 1 else base
            if unicodedata.combining(folded):
                folded = char
        self[code] = folded
        return folded


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, accent-free copy of ``text`` with the same length.

    >>> fold("Août – Œuvre")
    'aout - ouvre'
    """
    return text.translate(_TABLE)
