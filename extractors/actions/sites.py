"""Actions listed as the sites of one operation: a commune / site table under a heading.

Contracts and landlords' commitments often name an operation once, in a section
heading ("3.3 La résidentialisation de plusieurs cités …"), then list where it will
take place in a table with a commune and a site column ("EPCI | Commune | Cité").
Each row is an action titled "<operation> - <site>" ("Résidentialisation - Cité 4/5")
with the row's commune; a "Nombre de …" column completes the title ("Cité 7 (100 env
logements à démolir)"). Merged cells leave a commune or EPCI cell blank under the
first row of its group: the value above carries down. A table spanning several
intercommunalities (a landlord's whole estate) keeps the rows of the one the document
is about, the EPCI it names far more often than the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.actions.columns import Columns, header
from extractors.actions.context import single_year, year_before
from extractors.actions.line_kinds import is_total
from extractors.actions.rows import Doc, Row, first_amount, provenance, tidy
from extractors.actions.tables import table_body
from extractors.communes import resolve_commune
from extractors.folding import fold
from schemas.records import Action

_HEADING_ROWS = 10  # non-blank rows searched above a table for its heading
_HOME_RATIO = 3  # the home EPCI is named at least this many times more than any other
# "3.2", "3.4.", "4.1.1", "II.", "B." opening a section heading (markup stripped).
_NUMBERED = re.compile(r"^(?:(?:\d{1,2}\.){1,3}\d{0,2}\.?|[IVX]{1,4}\.|[A-H][.)])\s+(?=\w)")
_ARTICLE = re.compile(r"^(?:l'|la |le |les |une? |des )")
_QUANTIFIER = r"(?:certaine?s|plusieurs|quelques|differente?s|nombreu(?:x|ses)|ces|les|l')\s*"
# "La réalisation de certaines opérations de démolition": the operation is what follows.
_CARRIED_OUT = re.compile(
    r"^(?:realisation|mise en (?:o|oe)uvre|mise en place|poursuite|conduite|engagement"
    rf"|programmation|lancement)\s+(?:de |d'|des |du )(?:{_QUANTIFIER})?"
    r"(?:operations?|actions?|projets?|programmes?|interventions?)\s+(?:de |d')"
)
# Where the operation's name ends: a clause, a place, a purpose, an adverb, a participle.
_CLAUSE = re.compile(
    r"\s*[,:;(.]|\s+(?:a|au|aux|afin|pour|dans|sur|avec|en|par|selon|qui|dont|d'ores"
    r"|deja|actuellement|notamment)\b|\s+\w{3,}ant\b"
)
_PREPOSITIONS = frozenset({"a", "au", "aux", "pour", "dans", "sur", "avec", "en", "par", "selon"})
# A participle or adjective ending a phrase ("inadaptés", "dégradée"), after a noun.
_QUALIFIER = re.compile(r"(?<=\w{3})\s+\w+(?:é|ée|és|ées)$")
# "… de plusieurs cités": the sites the table lists, named by the row instead.
_SITE_COMPLEMENT = re.compile(
    rf"\s+(?:de |des |d')(?:{_QUANTIFIER})?(?:cites?|quartiers?|sites?|residences?"
    r"|secteurs?|ensembles?|immeubles?|batiments?)\b.*$"
)
# Nouns of building works: the operations a site table can list.
_WORKS = re.compile(
    r"^(?:re)?(?:habilitations?|novations?|sidentialisations?|qualifications?|structurations?"
    r"|configurations?|constructions?|amenagements?)\b|^(?:demolitions?|ameliorations?"
    r"|refections?|creations?|extensions?|relogements?|travaux|productions?|acquisitions?"
    r"|transformations?|securisations?|isolations?|deconstructions?|renouvellements?"
    r"|mises? aux normes|renforcements?|embellissements?|requalifications?)\b"
)
_COUNT_UNIT = re.compile(r"^(?:nombre|nbre|nb)\s+(?:de |d')", re.I)


def site_table_actions(d: Doc) -> Iterator[Action]:
    """One action per row of a commune / site table under a heading naming building works."""
    for i, row in enumerate(d.rows):
        if i in d.used:
            continue
        cols = header(row)
        if cols is None or cols.first("title") is not None:
            continue
        site, commune = cols.first("site"), cols.first("commune")
        if site is None or commune is None:
            continue
        found = _operation_above(d, i)
        if found is None:
            continue
        operation, heading = found
        body = [r for r in table_body(d, i + 1, row) if r.is_table and not is_total(r)]
        actions = list(_row_actions(d, row, cols, body, operation, heading))
        if actions:
            d.used.update(r.index for r in [row, *body])
            yield from actions


def operation_of(heading: str) -> str | None:
    """The building works a section heading names, without the sites it refers to:
    "3.3 La résidentialisation de plusieurs cités présentant …" -> "Résidentialisation"."""
    m = _NUMBERED.match(heading)
    text = heading[m.end() :] if m else heading
    if (a := _ARTICLE.match(fold(text))) is not None:
        text = text[a.end() :]
    if (c := _CARRIED_OUT.match(fold(text))) is not None:
        text = text[c.end() :]
    folded = fold(text)
    end = len(text)
    if (c := _CLAUSE.search(folded)) is not None:
        end = c.start()
        # "logements inadaptés à la demande": the adjective goes with its complement.
        if c.group().strip() in _PREPOSITIONS and (q := _QUALIFIER.search(text[:end])):
            end = q.start()
    if (s := _SITE_COMPLEMENT.search(folded[:end])) is not None:
        end = s.start()
    phrase = tidy(text[:end])
    if not _WORKS.match(fold(phrase)):
        return None
    return phrase[0].upper() + phrase[1:]


def _operation_above(d: Doc, i: int) -> tuple[str, Row] | None:
    """(operation, heading row) of the nearest section heading above the table at ``i``;
    None when a table or an unrelated heading comes first."""
    seen, j = 0, i - 1
    while j >= 0 and seen < _HEADING_ROWS:
        row = d.rows[j]
        j -= 1
        if row.blank:
            continue
        seen += 1
        if row.is_table:
            return None
        text = _unmarked(row)
        if not (_NUMBERED.match(text) or row.line.text.lstrip().startswith("#")):
            continue
        nxt = d.rows[row.index + 1] if row.index + 1 < len(d.rows) else None
        if nxt is not None and not nxt.blank and not re.search(r"[.:;]\s*$", text):
            text = f"{text} {nxt.text}"
        operation = operation_of(text)
        return (operation, row) if operation else None
    return None


def _unmarked(row: Row) -> str:
    """The row's line without heading marks and emphasis ("#### **3.3 …**")."""
    return tidy(re.sub(r"[#*_]+", " ", row.line.text).strip())


def _row_actions(
    d: Doc, head: Row, cols: Columns, body: list[Row], operation: str, heading: Row
) -> Iterator[Action]:
    site, commune_col = cols.first("site"), cols.first("commune")
    epci, count, amount_col = cols.first("epci"), cols.first("count"), cols.first("amount")
    home = _home_epci(d, [_cell(r, epci) for r in body]) if epci is not None else None
    group, commune_text = "", ""
    for row in body:
        if epci is not None and _cell(row, epci):
            group, commune_text = _cell(row, epci), ""
        commune_text = _cell(row, commune_col) or commune_text
        place = _cell(row, site)
        if not place or (home is not None and fold(group) != home):
            continue
        commune = resolve_commune(commune_text, d.department) if commune_text else None
        title = f"{operation} - {place}"
        note = _count_note(head.cells[count], _cell(row, count)) if count is not None else ""
        if note:
            title += f" ({note})"
        yield Action(
            title=title,
            provenance=provenance([row], 0.7),
            commune=commune.name if commune else commune_text or None,
            amount_eur=first_amount(row) if amount_col is not None else None,
            year=single_year(heading.text) or year_before(d, head.index),
            theme=tidy(_unmarked(heading)),
        )


def _cell(row: Row, k: int | None) -> str:
    return row.cells[k] if k is not None and k < len(row.cells) else ""


def _home_epci(d: Doc, values: list[str]) -> str | None:
    """The EPCI of the table the document is about, when the table names several: the
    one the whole document names at least three times more often than any other."""
    names = {fold(v) for v in values if v}
    if len(names) < 2:
        return None
    text = "\n".join(r.folded for r in d.rows)
    counts = sorted(
        ((len(re.findall(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text)), n) for n in names),
        reverse=True,
    )
    (best, name), (second, _) = counts[0], counts[1]
    return name if best >= _HOME_RATIO * max(second, 1) else None


def _count_note(header_cell: str, value: str) -> str:
    """A "Nombre de logements à démolir" cell as a phrase: "100 env logements à démolir";
    a cell that is not a number ("Déjà engagé") as written."""
    if not value:
        return ""
    m = _COUNT_UNIT.match(header_cell)
    if m is None or not re.search(r"\d", value):
        return value
    return f"{value} {header_cell[m.end() :]}".strip()
