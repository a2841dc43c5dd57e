"""How far a mention's written name runs past the registry name it matched.

The registry knows "Préfecture" and "Pôle emploi"; the document writes "Préfecture du
Pas-de-Calais" and, in a signature cell, "POLE EMPLOI ARTOIS- DOUAISIS Anne DAUCHEZ
Directrice Territoriale". The partner's written name is the fuller form: the place
written after the name, and in a signature block the capitals that finish a name set
in capitals, up to the signer (a name in mixed case) or a function ("PRÉSIDENT").
Only the written name and its span grow; the canonical name stays the registry's.
"""

from __future__ import annotations

import re

from extractors.folding import fold
from extractors.partners.layout import PageView, inside, is_upper
from extractors.partners.names import STOP_WORDS
from extractors.partners.places import place_qualifier

# A capitalised word one or two spaces on (three or more part the cells of a row).
_CAPITAL_WORD = re.compile(
    r"(?:[ \u00a0]{1,2}|[ \u00a0]?[-–][ \u00a0]?)([A-ZÀ-Ý0-9][A-ZÀ-Ý0-9'’\-]*)\b"
)
# A place is part of a name only after its preposition: "Préfecture du Pas-de-Calais",
# not "Etat⏎Région Hauts-de-France" (the next cell of a row).
_PREPOSITION = re.compile(r"^[ ]*\(?(?i:du|des|de|d['’]|en)(?:\s|(?<=['’]))")
_MAX_CAPITAL_WORDS = 3
# A signer's function closes the body's name: "CAISSE DES DEPOTS DIRECTEUR REGIONAL".
_FUNCTIONS = frozenset(
    {
        "president",
        "presidente",
        "vice",
        "directeur",
        "directrice",
        "prefet",
        "prefete",
        "maire",
        "recteur",
        "rectrice",
        "procureur",
        "delegue",
        "deleguee",
        "adjoint",
        "adjointe",
        "represente",
        "representee",
        "m",
        "mme",
    }
)


def place_end(after: str, end: int, department: str | None) -> int:
    """End of the place written right after a name ("du Pas-de-Calais", "de Lens")."""
    if not _PREPOSITION.match(after):
        return end
    place, length = place_qualifier(after, department, communes_only=False)
    return end + length if place else end


def capitals_end(view: PageView, start: int, end: int) -> int:
    """In a signature block, the end of a capitalised name with the capitals that follow
    it on its line, before the signer's name or function."""
    if not inside(view.signature, start) or not is_upper(view.text[start:end]):
        return end
    line_end = view.text.find("\n", end)
    line_end = len(view.text) if line_end < 0 else line_end
    stop, words = end, 0
    for m in _CAPITAL_WORD.finditer(view.text, end, line_end):
        word = fold(m.group(1)).strip("'’-")
        if m.start() != stop or words == _MAX_CAPITAL_WORDS or word in _FUNCTIONS:
            break
        stop, words = m.end(), words + 1
    while stop > end and fold(view.text[end:stop]).split()[-1] in STOP_WORDS:
        stop = view.text.rfind(" ", end, stop)  # never end on a particle: "… DE"
    return max(stop, end)
