"""Named schemes a partner runs, introduced by the sentence that defines them.

Chambers, landlords and agencies describe their commitments scheme by scheme, each
paragraph opening with the scheme's name and its purpose: "Le Dispositif Régional
d'Accompagnement … des Jeunes (DRAMAJ) a pour objectif …", "le dispositif « Vision
360 » vise à …". The defining verb is what tells such a scheme from one the text only
mentions ("un opérateur du Programme Régional … (PRCTE)", "le dispositif CitésLab
apparaît comme …"). The title is the keyword and the name as written, with the
acronym in brackets when the text gives one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.actions.context import heading_before, single_year, year_before
from extractors.actions.rows import Doc, provenance, tidy
from schemas.records import Action

_SENTENCE_ROWS = 4
# A capitalised name with its linking words ("Régional d'Accompagnement et de Mise en
# Apprentissage des Jeunes"), or a name in quotes.
_WORD = r"[A-ZÀ-Ý0-9][\w'’&.\-]*"
_LINK = r"(?:\s+(?:et|&|de|du|des|la|le|les|en|à|au|aux|pour|sur))*\s+(?:d['’]|l['’])?"
_NAME = rf"(?:«\s*[^«»]{{2,60}}?\s*»|{_WORD}(?:{_LINK}{_WORD}){{0,11}})"
# "Le dispositif X (ACR) a pour objectif", at the start of a sentence or of its main
# clause ("En lien avec …, le dispositif X a pour objectifs …"); or followed by an
# apposition that says what it is ("le dispositif « Vision 360 », véritable diagnostic
# complet de l'entreprise ainsi que …"), kept as the title's gloss.
_DEFINED = re.compile(
    r"(?:^|[.;:,]\s+)(?:[Ll]e|[Ll]a|[Ll]['’])\s*(?P<kw>[Dd]ispositif|[Pp]rogramme|[Pp]rojet"
    rf"|[Aa]ction)\s+(?P<name>{_NAME})(?:\s*\((?P<acr>[A-Z][A-Z0-9&'\-]{{1,11}})\))?[\s*\\]*"
    r"(?:(?=(?:a|ont) pour (?:objectifs?|mission|but|vocation)\b|vise\b|consiste\b|permet\b)"
    r"|,\s+(?P<gloss>(?:véritable|un|une)\s[^,;.()]{5,80}?)(?=\s+(?:ainsi que|qui|dont)\b|[,;.]|$))"
)


def scheme_actions(d: Doc) -> Iterator[Action]:
    """ "Le dispositif <Name> (<ACR>) a pour objectif …" — one action per scheme."""
    for i, row in enumerate(d.rows):
        if i in d.used or row.blank or row.is_table:
            continue
        rows = d.sentence(i, _SENTENCE_ROWS)
        text = " ".join(r.text for r in rows)
        for m in _DEFINED.finditer(text):
            if m.start("kw") >= len(row.text):
                continue
            d.used.add(i)
            name = tidy(m.group("name"))
            title = f"{m.group('kw').capitalize()} {name}"
            if m.group("acr"):
                title += f" ({m.group('acr')})"
            if m.group("gloss"):
                title += f" ({tidy(m.group('gloss'))})"
            yield Action(
                title=title,
                provenance=provenance(rows, 0.6),
                year=single_year(text) or year_before(d, i),
                theme=heading_before(d, i),
            )
