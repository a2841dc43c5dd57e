"""Actions a funder commits to finance, described in one sentence with their amount.

Partners' commitments often state a funding line in prose rather than in a table:
"la Région pourra accompagner financièrement … des actions expérimentales de
médiation sociale (4 à 5 actions financées chaque année pour une intervention moyenne
de 25 000 €)". The sentence names who pays, the kind of actions and their amount:
one action titled with the actions as described (the amount taken out of the text),
the funder as operator. Without an amount in the sentence, "financer des actions" is
a general intention, not a funded action.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.actions.context import heading_before, single_year, year_before
from extractors.actions.line_kinds import SENTENCE_END
from extractors.actions.names import NAME, is_pronoun
from extractors.actions.rows import Doc, clean_cell, provenance, tidy
from extractors.folding import fold
from schemas.records import Action

_SENTENCE_ROWS = 5
# "financera", "subventionne", "accompagner financièrement", "soutenir financièrement",
# then within the clause "des actions …" / "des projets …" / "des opérations …".
_FUNDS = re.compile(
    r"\b(?:financ(?:e|era|ent|eront|er)|subventionn\w+|(?:accompagner|soutenir|aider)"
    r"\s+financierement)\b[^.;]{0,120}?\b(?:des|les|de nouvelles|de nouveaux)\s+"
    r"(?P<kind>actions|projets|operations)\s+(?=[a-z])"
)
_MODAL = r"(?:\s+(?:pourra|pourront|peut|peuvent|va|vont|devra|souhaite|s'engage a))?"
_FUNDER = re.compile(rf"(?P<op>{NAME}){_MODAL}\s+$")


def funded_actions(d: Doc) -> Iterator[Action]:
    """One action per sentence where a named funder finances actions of a stated amount."""
    for i, row in enumerate(d.rows):
        if i in d.used or row.blank or row.is_table or not re.search(r"financ", row.folded):
            continue
        rows = d.sentence(i, _SENTENCE_ROWS)
        amounts = [a for r in rows for a in r.amounts]
        text = " ".join(r.text for r in rows)
        m = _FUNDS.search(fold(text))
        if m is None or m.start() >= len(row.text) or not amounts:
            continue
        described = text[m.start("kind") :]
        end = SENTENCE_END.search(described) or re.search(r"[.;]\s", described)
        described = described[: end.start()] if end else described
        for a in amounts:
            described = described.replace(clean_cell(a.provenance.raw), " ")
        described = re.sub(r"\s+(?:de|d'|à|a|pour)\s*\)", ")", described)
        funder = _FUNDER.search(_clause_before(text[: m.start()]))
        operator = funder.group("op") if funder and not is_pronoun(funder.group("op")) else None
        d.used.update(r.index for r in rows)
        title = tidy(described)
        yield Action(
            title=title[0].upper() + title[1:],
            provenance=provenance(rows, 0.5),
            operator=tidy(operator) if operator else None,
            amount_eur=amounts[0].value_eur,
            year=single_year(text) or year_before(d, i),
            theme=heading_before(d, i),
        )


def _clause_before(text: str) -> str:
    """The words before the funding verb, from the start of their clause."""
    return re.split(r"[.;,]\s+", text)[-1]
