"""What a table header says its columns hold: the action, its operator, its amount…

A header is recognised by its words, not by its position: "Intitulé de l'action",
"Porteur", "Commune", "Montant" name their column's role in any order and any
agglomeration's template. The role whose word comes first in a header cell wins:
"Coût du projet" is an amount, "Porteur du projet" an operator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.actions.rows import Row
from extractors.folding import fold

# Header words of table columns, by the role of the column (folded text).
_COLUMN_WORDS: dict[str, str] = {
    "title": r"actions?|projets?|intitules?|operations?|libelles?|objet|designation",
    "operator": r"porteurs?|portee? par|operateurs?|structures?|maitres? d'ouvrage"
    r"|maitrises? d'ouvrage|beneficiaires?|organismes?|associations?|promoteurs?",
    "commune": r"communes?|villes?",
    "amount": r"montants?|couts?|subventions?|financements?|budgets?|investissements?"
    r"|contributions?|participations?|aides?|credits?|dotations?|fonds|en euros|€",
    "theme": r"piliers?|axes?|thematiques?|themes?|ambitions?|enjeux?|orientations?"
    r"|objectifs?|volets?",
    "year": r"annees?|exercice|calendrier|echeancier|periode|dates?",
    "count": r"nombre|nb|nbre|taux|%",
    "epci": r"epci|intercommunalites?",
    "site": r"cites?|sites?|residences?|quartiers?|adresses?|lieux?|localisations?|secteurs?"
    r"|immeubles?|ensembles? immobiliers?",
}
_COLUMN_RES = {
    role: re.compile(rf"(?<![\w-])(?:{words})(?![\w-])") for role, words in _COLUMN_WORDS.items()
}


@dataclass(slots=True)
class Columns:
    roles: dict[int, str]  # cell index -> role

    def first(self, role: str) -> int | None:
        return next((i for i, r in self.roles.items() if r == role), None)

    def all(self, role: str) -> list[int]:
        return [i for i, r in self.roles.items() if r == role]


def column_role(cell: str) -> str | None:
    folded = fold(cell)
    hits = [(m.start(), role) for role, rx in _COLUMN_RES.items() if (m := rx.search(folded))]
    return min(hits)[1] if hits else None


def header(row: Row) -> Columns | None:
    """Column roles of a table header row, or None if the row is not a header."""
    if row.amounts or not row.is_table:
        return None
    cells = row.cells
    if any(len(c) > 80 for c in cells):
        return None
    roles = {i: role for i, c in enumerate(cells) if c and (role := column_role(c))}
    if list(roles.values()).count("theme") >= 2:
        return None  # themes across the top: a breakdown by theme, not a list of actions
    if len(roles) < 2 and not (len(roles) == 1 and len(cells) >= 2 and 0 not in roles):
        return None
    return Columns(roles)


def is_amount_header(folded: str) -> bool:
    """An amount column's header glued to a line ("Montant du Fonds de Concours")."""
    words = re.findall(r"[a-z']+", folded)
    return 0 < len(words) <= 6 and bool(_COLUMN_RES["amount"].search(folded))
