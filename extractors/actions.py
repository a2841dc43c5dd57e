"""Funded actions and projects named in a document, read from its layout.

Reports and contracts name the projects they fund in a handful of recurring layouts,
whatever the agglomeration: a table with an action / operator / amount header; a
commune on its own line with its project and amount below ("fonds de concours"); a
"Focus" or "Zoom" page with a title and an "Opérateur :" line; a sentence that
enumerates operations with their maîtres d'ouvrage ("construction par X de …, … par
Y à Z"); a bullet list of operations with their cost. Each reader below handles one
layout, works on the document's lines in reading order (pages chained, so tables and
lists continue across page breaks) and marks the lines it used so that no other
reader takes them again.

Amounts are not re-parsed here: the action takes the :class:`Amount` that the amounts
extractor found on the action's own line, so both tables agree on every value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from extractors.communes import resolve_commune
from extractors.dates import find_periods, find_years
from extractors.folding import fold
from schemas.records import Action, Amount, Line, Page, ParsedDocument, Provenance

EXTRACTOR = "actions"

# Markup that text converters leave around words (markdown, HTML) and list bullets.
_TAGS = re.compile(r"</?[a-zA-Z][^>]*>")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)|\\(?=[*_#])")
_BULLET = re.compile(r"^(?:[#>\s]|[-–—•·▪◦►➤➢→⇒✓✔❖\uf0a7\uf0b7\uf0d8]|\d{1,2}[.)/]\s|[a-z][.)]\s)+")
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]+")
# A lone bar: a table rule or an OCR reading of "l'", never part of a word.
_STRAY_BAR = re.compile(r"(?:^|(?<=\s))[|¦](?=\s|$)")
_PIPE_RULE = re.compile(r"^\|?\s*:?-{2,}")

# Header words of table columns, by the role of the column (folded text). The role
# whose word comes first in a header cell wins: "Coût du projet" is an amount,
# "Porteur du projet" an operator.
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
}
_COLUMN_RES = {
    role: re.compile(rf"(?<![\w-])(?:{words})(?![\w-])") for role, words in _COLUMN_WORDS.items()
}

# A row or line that states a total rather than one item.
_TOTAL = re.compile(r"^\W*(?:(?:sous[- ]?)?total|soit|ensemble)\b")
# Labels that name a theme of the contract, not a project ("Axe 2 : …", "Pilier …").
_THEME_LABEL = re.compile(
    r"^\W*(?:l'|la |le |les )?"
    r"(?:axe|pilier|ambition|enjeu|orientation|objectif|volet|priorite|thematique)s?\b"
)
# An amount inside a calculation ("3 000 logements x 40 000 € = 120 M€") is a unit
# cost or an estimate, not the budget of a named action.
_CALCULATION = re.compile(r"\s[x×*]\s|=")
# "Opérations de réhabilitation thermique 2015-2020 programmées sur …": the nature of
# the operations a list announces, cut before dates, participles and places.
_LIST_NATURE = re.compile(
    r"^(?:les |des |l')?(?:operations?|projets?|actions?|travaux|programmes?)\s+(?:de |d')"
    r"(?P<nature>.+?)(?=\s+(?:\d|en |sur |dans |pour |a |au |aux |[a-z]{3,}ees?\b"
    r"|(?:prevu|retenu|inscrit|envisage|programme|realise|engage|finance|soutenu)e?s?\b)"
    r"|\s*:|$)"
)
# "Focus 3", "Zoom sur …", "Action phare n°2": a page devoted to one action.
_FOCUS = re.compile(
    r"^\W*(?P<kw>focus|zoom(?: sur)?|action phare|coup de projecteur|gros plan)\b"
    r"\W{0,3}(?:n ?°\s*|#\s*)?(?P<num>\d{1,2}\b)?\s*(?:[:\-–—.]\s*)?"
)
# "Opérateur : X", "Porteur de projet : X", "Porté par X", "Maître d'ouvrage : X".
_OPERATOR = re.compile(
    r"(?:(?<![\w'])(?:operateurs?|porteurs?(?: de (?:projet|l'action))?|structures? porteuses?"
    r"|maitres? d'ouvrage|maitrise d'ouvrage|pilotes?)\s*:|(?<![\w'])portee?s? par\b)\s*"
)
# A sentence that enumerates operations with their maîtres d'ouvrage.
_ENUM_INTRO = re.compile(r"maitres?(?:es)? d'ouvrage|maitrises? d'ouvrage")
# "l'ANCT", "FOH et PDCH", "le Club de l'ESS de l'Artois": a proper name
# (capitalised words and acronyms, with their articles and linking words).
_NAME_WORD = r"[A-ZÀ-Ý][\w'’.&\-]*"
_NAME_LINK = r"(?:\s+(?:et|&|de|du|des|de la)\s+|\s+(?:de l['’]|de |d['’]|l['’])|\s+)"
_NAME = rf"(?:l['’]\s?|la |le |les )?{_NAME_WORD}(?:{_NAME_LINK}{_NAME_WORD})*"
_BY = re.compile(rf"\s+par\s+(?P<op>{_NAME})")
# "l'action « X » portée par Y" / "Y porte le projet « X »": a named action and who
# runs it (keywords matched on folded text, names read from the original).
_RUNS = (
    r"(?:porte|developpe|mene|mis en (?:oeuvre|place)|mise en (?:oeuvre|place)|organise"
    r"|propose|anime|pilote|conduit|realise|coordonne)e?s?"
)
_QUOTED = r"(?P<kw>actions?|projets?)\s+(?:[\w'-]+\s+){0,3}?«\s*(?P<name>[^«»]{2,80}?)\s*»"
_NAMED_AFTER = re.compile(rf"(?<![\w-]){_QUOTED}[^.;«»]{{0,60}}?\b{_RUNS}\s+par\s+(?=\S)")
_NAMED_BEFORE = re.compile(
    rf"\s(?:porte|developpe|mene|met en (?:oeuvre|place)|organise|propose|anime|pilote"
    rf"|conduit|realise|coordonne|deploie)n?t?\s+(?:l'|une |cette |les |des |le )?{_QUOTED}"
)
_NAME_RE = re.compile(_NAME)
_NAME_END_RE = re.compile(rf"(?:^|[.;:,]\s+|\s)(?P<op>{_NAME})\s*$")
_AT = re.compile(r"\s+(?:à|a|au|sur|dans)\s+(?P<place>[A-ZÀ-Ý][\w'’\- ]+?)\s*$")
# Lists that announce operations: "Opérations … programmées :", "Projets retenus :".
_LIST_INTRO = re.compile(r"\b(?:operations?|projets?|actions?|travaux|programmes?)\b")
# Nouns that open the name of a project (a nominalised verb: construction,
# réhabilitation, aménagement, création, travaux…).
_PROJECT_NOUN = re.compile(
    r"^(?:l'|la |le |les |une? |des )?"
    r"(?:[a-z]{3,}(?:tion|sion|ment|age|ure)s?|travaux|achat|acquisition|aide|soutien)\b"
)
_SENTENCE_END = re.compile(r"[.;!?…]\s*$")
_LINKING_END = re.compile(
    r"(?:\b(?:de|des|du|d'|la|le|les|l'|a|au|aux|sur|pour|et|ou|un|une|en|par|avec|dans)"
    r"|[,(\-–])\s*$"
)

_MAX_TITLE_LINES = 3
_CONTEXT_ROWS = 40  # rows searched back for a heading or a year


@dataclass(slots=True)
class _Row:
    """One line of the document with its cleaned text and the amounts read on it."""

    index: int
    page: Page
    line: Line
    cells: list[str]
    amounts: list[Amount]

    @property
    def text(self) -> str:
        return " ".join(c for c in self.cells if c)

    @property
    def folded(self) -> str:
        return fold(self.text)

    @property
    def blank(self) -> bool:
        """No letter or digit: empty, or a stray mark (a colon wrapped onto its own line)."""
        return not any(c.isalnum() for c in self.text)

    @property
    def is_table(self) -> bool:
        return sum(1 for c in self.cells if c) >= 2 or len(self.cells) >= 3


@dataclass(slots=True)
class _Doc:
    rows: list[_Row]
    used: set[int] = field(default_factory=set)

    def next_filled(self, i: int, max_blank: int = 2) -> int | None:
        """Index of the first non-blank row from ``i`` on, skipping at most ``max_blank``."""
        skipped = 0
        while i < len(self.rows):
            if not self.rows[i].blank:
                return i
            skipped += 1
            if skipped > max_blank:
                return None
            i += 1
        return None


# ---------------------------------------------------------------------- public entry


def extract_actions(doc: ParsedDocument, *, amounts: list[Amount]) -> list[Action]:
    """Every named funded action or project of ``doc``, in reading order.

    ``amounts`` are the document's amounts (from the amounts extractor); an action's
    amount is the one found on its own row.
    """
    d = _Doc(_rows(doc, amounts))
    found: list[Action] = []
    readers = (
        _table_actions,
        _commune_actions,
        _commune_row_actions,
        _focus_actions,
        _enumerated_actions,
        _listed_actions,
        _named_actions,
    )
    for reader in readers:
        found.extend(reader(d))
    found.sort(key=lambda a: (a.provenance.page, a.provenance.start))
    return _dedupe(found)


# ------------------------------------------------------------------------ the lines


def clean_cell(text: str) -> str:
    """A cell or line without markup, bullets and repeated spaces."""
    text = _TAGS.sub(" ", text)
    text = _EMPHASIS.sub("", text)
    text = _STRAY_BAR.sub(" ", text)
    text = _BULLET.sub("", text.strip())
    return _SPACES.sub(" ", text).strip(" *_")


def _cells(text: str) -> list[str]:
    """Cells of a line: TAB-separated, or a markdown pipe row ("| a | b |")."""
    stripped = text.strip()
    if "\t" not in text and stripped.startswith("|") and stripped.count("|") >= 2:
        if _PIPE_RULE.match(stripped):
            return []
        text = stripped.strip("|").replace("|", "\t")
    cells = [clean_cell(c) for c in text.split("\t")]
    while len(cells) > 1 and not cells[-1]:
        cells.pop()
    if cells and not any(cells):
        return []
    return cells


def _rows(doc: ParsedDocument, amounts: list[Amount]) -> list[_Row]:
    by_page: dict[int, list[Amount]] = {}
    for a in amounts:
        by_page.setdefault(a.provenance.page, []).append(a)
    rows: list[_Row] = []
    for page in doc.pages:
        page_amounts = sorted(by_page.get(page.number, []), key=lambda a: a.provenance.start)
        for line in page.lines:
            on_line = [a for a in page_amounts if line.start <= a.provenance.start < line.end]
            rows.append(_Row(len(rows), page, line, _cells(line.text), on_line))
    return rows


def _cell_spans(row: _Row) -> list[tuple[int, int]]:
    """Offsets in ``Page.text`` of each TAB cell of a row's line."""
    spans, pos = [], row.line.start
    for part in row.line.text.split("\t"):
        spans.append((pos, pos + len(part)))
        pos += len(part) + 1
    return spans


def _without_amounts(row: _Row, text: str | None = None) -> str:
    """``text`` (default: the row's text) with the row's amounts and their brackets removed."""
    out = row.text if text is None else text
    for a in row.amounts:
        raw = clean_cell(a.provenance.raw)
        if raw:
            out = out.replace(raw, " ", 1)
    out = re.sub(r"\(\s*\)|\[\s*\]", " ", out)
    return _tidy(out)


def _tidy(title: str) -> str:
    title = _SPACES.sub(" ", title)
    return title.strip(" \t:;,.-–—=/*·|_").strip()


# --------------------------------------------------------------------- line classes


def _commune_at_start(text: str) -> tuple[str, str] | None:
    """(commune, rest) when ``text`` starts with a commune name, else None.

    The longest run of up to five leading words that names exactly one commune wins;
    the text is cut on spaces only so that hyphenated names stay whole.
    """
    words = text.split(" ")
    for n in range(min(5, len(words)), 0, -1):
        head = " ".join(words[:n]).rstrip(" :,-–")
        if not head or not head[0].isupper() or len(head) < 3:
            continue
        if resolve_commune(head) is not None:
            return head, " ".join(words[n:])
    return None


def _commune_head(row: _Row) -> tuple[str, str] | None:
    """(how, commune) when a row introduces a commune's projects: how is "alone" (the
    name, maybe glued to a column header) or "amount" ("Béthune - 19 946 €")."""
    if row.blank or row.is_table or len(row.text) > 80:
        return None
    found = _commune_at_start(row.text)
    if found is None:
        return None
    commune, rest = found
    if row.amounts:
        return ("amount", commune) if not _without_amounts(row, rest) else None
    folded = fold(rest).strip()
    if not folded or folded in {":", "-"} or _header_only(folded):
        return "alone", commune
    return None


def _header_only(text: str) -> bool:
    """A column header glued to a line ("Montant du Fonds de Concours")."""
    words = re.findall(r"[a-z']+", text)
    return 0 < len(words) <= 6 and bool(_COLUMN_RES["amount"].search(text))


def _is_total(row: _Row) -> bool:
    return bool(_TOTAL.search(row.folded))


def _is_heading(row: _Row) -> bool:
    """A short line that names a section: no amount, no sentence punctuation."""
    raw = row.line.text.lstrip()
    if raw.startswith("#"):
        return True
    text = row.text
    if row.blank or row.amounts or row.is_table or len(text) > 100 or len(text.split()) > 14:
        return False
    if _SENTENCE_END.search(text) or text.endswith((":", ",")):
        return False
    return text[0].isupper() or text[0].isdigit() or text[0] in "«\"'"


def _heading_before(d: _Doc, i: int) -> str | None:
    """The heading (consecutive heading lines joined) nearest above row ``i``."""
    j = i - 1
    seen = 0
    while j >= 0 and seen < _CONTEXT_ROWS:
        row = d.rows[j]
        if not row.blank and j not in d.used:
            seen += 1
            if _is_heading(row) and _commune_head(row) is None:
                parts = [row.text]
                k = j - 1
                while k >= 0 and _is_heading(d.rows[k]) and not d.rows[k].blank:
                    parts.insert(0, d.rows[k].text)
                    k -= 1
                return _tidy(" ".join(parts)) or None
        j -= 1
    return None


def _single_year(text: str) -> int | None:
    """The year a text is about, when it names exactly one and no period."""
    if find_periods(text):
        return None
    years = {y.year for y in find_years(text)}
    return years.pop() if len(years) == 1 else None


def _year_before(d: _Doc, i: int) -> int | None:
    """Year of the nearest heading or introducing line (ending with ':') above row ``i``."""
    j, seen = i - 1, 0
    while j >= 0 and seen < _CONTEXT_ROWS:
        row = d.rows[j]
        if not row.blank:
            seen += 1
            if _is_heading(row) or row.text.endswith(":"):
                if find_periods(row.text):
                    return None
                year = _single_year(row.text)
                if year is not None:
                    return year
        j -= 1
    return None


def _provenance(rows: list[_Row], confidence: float) -> Provenance:
    """Span from the first to the last of ``rows`` that lie on the first row's page."""
    first = rows[0]
    same_page = [r for r in rows if r.page is first.page]
    start, end = first.line.start, same_page[-1].line.end
    return Provenance(
        page=first.page.number,
        start=start,
        end=end,
        raw=first.page.text[start:end],
        extractor=EXTRACTOR,
        confidence=confidence,
        bbox=first.page.bbox_for(start, end),
    )


def _amount(row: _Row | None) -> float | None:
    return row.amounts[0].value_eur if row is not None and row.amounts else None


# --------------------------------------------------------------------- tables


@dataclass(slots=True)
class _Columns:
    roles: dict[int, str]  # cell index -> role

    def first(self, role: str) -> int | None:
        return next((i for i, r in self.roles.items() if r == role), None)

    def all(self, role: str) -> list[int]:
        return [i for i, r in self.roles.items() if r == role]


def _column_role(cell: str) -> str | None:
    folded = fold(cell)
    hits = [(m.start(), role) for role, rx in _COLUMN_RES.items() if (m := rx.search(folded))]
    return min(hits)[1] if hits else None


def _header(row: _Row) -> _Columns | None:
    """Column roles of a table header row, or None if the row is not a header."""
    if row.amounts or not row.is_table:
        return None
    cells = row.cells
    if any(len(c) > 80 for c in cells):
        return None
    roles = {i: role for i, c in enumerate(cells) if c and (role := _column_role(c))}
    if list(roles.values()).count("theme") >= 2:
        return None  # themes across the top: a breakdown by theme, not a list of actions
    if len(roles) < 2 and not (len(roles) == 1 and len(cells) >= 2 and 0 not in roles):
        return None
    return _Columns(roles)


def _table_rows(d: _Doc, start: int, header: _Row) -> list[_Row]:
    """Rows of the table whose header is at ``start - 1``: TAB rows and the single-cell
    lines between them (merged section cells, wrapped titles), continued over page
    breaks (running headers and footers skipped, a repeated header dropped)."""
    out: list[_Row] = []
    i = start
    while i < len(d.rows):
        row = d.rows[i]
        if row.blank:
            nxt = d.next_filled(i, max_blank=3)
            if nxt is None:
                break
            i = nxt
            continue
        if not row.is_table:
            resumed = _next_page_row(d, i, out)
            if resumed is not None:
                i = resumed
                continue
            nxt = d.next_filled(i + 1)
            if (
                nxt is None
                or not d.rows[nxt].is_table
                or d.rows[nxt].page is not row.page
                or len(row.text) > 80
                or _SENTENCE_END.search(row.text)
            ):
                break
            out.append(row)  # a merged cell: a section row, or a title on its own line
            i += 1
            continue
        if [fold(c) for c in row.cells] == [fold(c) for c in header.cells]:
            i += 1
            continue
        out.append(row)
        i += 1
    return out


def _next_page_row(d: _Doc, i: int, out: list[_Row]) -> int | None:
    """Where the table resumes when rows ``i…`` are the page's footer and the next
    page's running header: the first table row of the next page, else None."""
    if not out:
        return None
    seen = 0
    for k in range(i, min(len(d.rows), i + 12)):
        row = d.rows[k]
        if row.blank:
            continue
        if row.is_table:
            return k if row.page is not out[-1].page and seen <= 6 else None
        if len(row.text) > 80:
            return None
        seen += 1
    return None


def _table_actions(d: _Doc) -> Iterator[Action]:
    i = 0
    while i < len(d.rows):
        row = d.rows[i]
        cols = _header(row) if i not in d.used else None
        if cols is None:
            i += 1
            continue
        body = _table_rows(d, i + 1, row)
        actions = list(_actions_of_table(d, row, cols, body))
        if actions:
            d.used.update(r.index for r in [row, *body])
            yield from actions
        i += 1 + len(body) if actions else 1


def _label_column(cols: _Columns, body: list[_Row]) -> int | None:
    """Column holding the action's name: the "Action/Projet" column, else the first
    column of a table whose amount column is filled and whose labels name projects."""
    title = cols.first("title")
    if title is not None:
        return title
    if 0 in cols.roles or not cols.all("amount"):
        return None
    labels = [r.cells[0] for r in body if r.cells and r.cells[0] and not _is_total(r)]
    with_amount = [r for r in body if r.amounts]
    projects = [c for c in labels if _PROJECT_NOUN.match(fold(c))]
    if len(with_amount) * 2 < len(body) or len(projects) * 2 < len(labels):
        return None
    return 0


def _actions_of_table(d: _Doc, header: _Row, cols: _Columns, body: list[_Row]) -> Iterator[Action]:
    label = _label_column(cols, body)
    if label is None or not body:
        return
    amount_cols = set(cols.all("amount"))
    heading = _heading_before(d, header.index)
    section: str | None = None
    pending: list[_Row] = []
    for row in body:
        cells = row.cells + [""] * (len(header.cells) - len(row.cells))
        name = cells[label] if label < len(cells) else ""
        filled = [k for k, c in enumerate(cells) if c]
        if _is_total(row):
            pending = []
            continue
        if name and filled == [label] and not row.amounts:
            # A label alone: a section row, or the first part of a wrapped title.
            pending.append(row)
            continue
        if not name and pending and row.amounts:
            rows_used = [*pending, row]
            name = " ".join(r.cells[label] for r in pending)
        elif name and pending and name[0].islower():
            rows_used = [*pending, row]
            name = " ".join(r.cells[label] for r in pending) + " " + name
        else:
            if pending:
                section = " ".join(r.cells[label] for r in pending)
            rows_used = [row]
        pending = []
        if _THEME_LABEL.match(fold(name)):
            section = name
            continue
        amount = _cell_amount(row, amount_cols)
        operator = _cell(cells, cols.first("operator"))
        title = _tidy(_without_amounts(row, name) if row.amounts else name)
        if not re.search(r"[^\W\d_]{2}", title) or (amount is None and operator is None):
            continue
        theme = _cell(cells, cols.first("theme")) or section or heading
        year_cell = _cell(cells, cols.first("year"))
        year = _single_year(year_cell) if year_cell else None
        if year is None and not (year_cell and find_periods(year_cell)):
            year = _single_year(name) or _year_before(d, header.index + 1)
        yield Action(
            title=title,
            provenance=_provenance(rows_used, 0.9),
            operator=operator,
            commune=_cell(cells, cols.first("commune")),
            amount_eur=amount,
            year=year,
            theme=theme,
        )


def _cell(cells: list[str], k: int | None) -> str | None:
    if k is None or k >= len(cells):
        return None
    return cells[k] or None


def _cell_amount(row: _Row, amount_cols: set[int]) -> float | None:
    """The first amount in an amount column of the row (any amount if none is typed)."""
    if not row.amounts:
        return None
    if not amount_cols:
        return row.amounts[0].value_eur
    spans = _cell_spans(row)
    for a in row.amounts:
        for k, (s, e) in enumerate(spans):
            if s <= a.provenance.start < e and k in amount_cols:
                return a.value_eur
    return None


# ------------------------------------------------------------ communes and projects


def _commune_actions(d: _Doc) -> Iterator[Action]:
    """A commune line, then its project(s) with their amount:

    "Houdain [Montant …]" / "Réhabilitation … 33 272 €" (title possibly wrapped);
    "Béthune - 19 946 €" / "Aménagement d'un boulodrome …";
    "Bruay:" / "- Rue d'Alsace : 193 150 €" / "- Rue Hermant : 114 095 €".
    """
    i = 0
    while i < len(d.rows):
        row = d.rows[i]
        head = _commune_head(row) if i not in d.used else None
        if head is None:
            i += 1
            continue
        kind, commune = head
        if kind == "amount":
            j = d.next_filled(i + 1)
            if j is None or not _is_title_line(d.rows[j]) or j in d.used:
                i += 1
                continue
            title_rows = _title_block(d, j)
            title = _tidy(" ".join(r.text for r in title_rows))
            yield _commune_action(d, [row, *title_rows], title, commune, row)
            i = title_rows[-1].index + 1
            continue
        j, emitted = i + 1, False
        while (item := _item(d, j)) is not None:
            title_rows, amount_row = item
            title = _tidy(" ".join([*(r.text for r in title_rows), _without_amounts(amount_row)]))
            yield _commune_action(d, [*title_rows, amount_row], title, commune, amount_row)
            emitted = True
            j = amount_row.index + 1
        if emitted:
            d.used.add(i)
        i = j if emitted else i + 1


def _commune_row_actions(d: _Doc) -> Iterator[Action]:
    """Table rows without a header whose first cell is a commune, with a project and
    an amount in the other cells ("Roubaix | Rénovation du gymnase | 45 000 €"); two
    such rows in a row at least, so that one stray line does not make a table."""
    runs: list[list[tuple[_Row, str, str]]] = [[]]
    for row in d.rows:
        found = _commune_row(row) if row.index not in d.used else None
        if found is not None:
            runs[-1].append((row, *found))
        elif not (row.blank and runs[-1]):
            runs.append([])
    for run in runs:
        if len(run) >= 2:
            for row, commune, title in run:
                yield _commune_action(d, [row], title, commune, row)


def _commune_row(row: _Row) -> tuple[str, str] | None:
    """(commune, title) of a headerless "commune | project | amount" table row."""
    if not row.is_table or not row.amounts or not row.cells[0]:
        return None
    found = _commune_at_start(row.cells[0])
    if found is None or found[1].strip():
        return None
    texts = [_without_amounts(row, c) for c in row.cells[1:]]
    texts = [t for t in texts if re.search(r"[^\W\d_]{3}", t)]
    if not texts:
        return None
    return found[0], max(texts, key=len)


def _commune_action(
    d: _Doc, rows: list[_Row], title: str, commune: str, amount_row: _Row
) -> Action:
    d.used.update(r.index for r in rows)
    first = rows[0].index
    return Action(
        title=title,
        provenance=_provenance(rows, 0.8),
        commune=commune,
        amount_eur=_amount(amount_row),
        year=_single_year(title) or _year_before(d, first),
        theme=_heading_before(d, first),
    )


def _is_title_line(row: _Row) -> bool:
    return (
        not row.blank
        and not row.amounts
        and not row.is_table
        and _commune_head(row) is None
        and not _is_total(row)
        and not row.line.text.lstrip().startswith("#")
        and len(row.text) <= 200
    )


def _title_block(d: _Doc, j: int) -> list[_Row]:
    """The title line at ``j`` and the lines that continue it (no blank in between)."""
    rows = [d.rows[j]]
    k = j + 1
    while (
        k < len(d.rows)
        and len(rows) < _MAX_TITLE_LINES
        and _is_title_line(d.rows[k])
        and (_LINKING_END.search(rows[-1].text) or d.rows[k].text[:1].islower())
    ):
        rows.append(d.rows[k])
        k += 1
    return rows


def _item(d: _Doc, j: int) -> tuple[list[_Row], _Row] | None:
    """One project under a commune line: title line(s) ending with an amount."""
    k = d.next_filled(j)
    title_rows: list[_Row] = []
    while k is not None and k < len(d.rows) and len(title_rows) < _MAX_TITLE_LINES:
        row = d.rows[k]
        if row.blank or k in d.used or _is_total(row) or _commune_head(row):
            return None
        if row.amounts:
            if not _without_amounts(row) and not title_rows:
                return None
            return title_rows, row
        if row.is_table or not _is_title_line(row) or _SENTENCE_END.search(row.text):
            return None
        title_rows.append(row)
        k += 1
    return None


# ------------------------------------------------------------------ focus pages


def _focus_actions(d: _Doc) -> Iterator[Action]:
    """ "Focus 2 : Jeunes' Event" / "Opérateur : AAE 62" — one action per focus page."""
    for i, row in enumerate(d.rows):
        if i in d.used or row.blank or row.amounts or len(row.text) > 200:
            continue
        m = _FOCUS.match(row.folded)
        if m is None:
            continue
        rest = row.text[m.end() :]
        head = _tidy(row.text[: m.end()])
        operator, rest = _split_operator(rest)
        title_rows = [row]
        parts = [rest] if _tidy(rest) else []
        k = i + 1
        if not parts:
            k = d.next_filled(i + 1) or len(d.rows)
            while k < len(d.rows) and len(title_rows) <= _MAX_TITLE_LINES:
                nxt = d.rows[k]
                if nxt.blank or nxt.amounts or _FOCUS.match(nxt.folded):
                    break
                if _OPERATOR.search(nxt.folded) or _SENTENCE_END.search(nxt.text):
                    break
                parts.append(nxt.text)
                title_rows.append(nxt)
                k += 1
        operator_line = operator is None
        if operator is None:
            operator, k = _operator_below(d, k)
        if not m.group("num") and operator is None:
            continue
        if not parts:
            continue
        subtitle = _subtitle(d, k, quoted_only=not (operator_line and operator))
        if subtitle is not None:
            parts.append(subtitle.text)
            title_rows.append(subtitle)
        d.used.update(r.index for r in title_rows)
        yield Action(
            title=f"{head} : " + " – ".join(_tidy(p) for p in parts if _tidy(p)),
            provenance=_provenance(title_rows, 0.8),
            operator=operator,
            year=_year_before(d, i) or _single_year(row.text),
            theme=None,
        )


def _split_operator(text: str) -> tuple[str | None, str]:
    """(operator, text before it) for "Title - Opérateur : X"."""
    m = _OPERATOR.search(fold(text))
    if m is None:
        return None, text
    operator = _tidy(re.split(r"[.;]\s", text[m.end() :])[0])
    return operator or None, text[: m.start()]


def _operator_below(d: _Doc, k: int) -> tuple[str | None, int]:
    """An "Opérateur : X" line among the next few lines, and the index after it."""
    seen = 0
    while k < len(d.rows) and seen < 4:
        row = d.rows[k]
        if not row.blank:
            seen += 1
            if _FOCUS.match(row.folded):
                break
            m = _OPERATOR.search(row.folded)
            if m is not None and m.start() < 5:
                return _tidy(row.text[m.end() :]) or None, k + 1
        k += 1
    return None, k


def _subtitle(d: _Doc, k: int, *, quoted_only: bool) -> _Row | None:
    """A short line that completes a focus title: a quoted line right under it, or the
    first line under its "Opérateur :" line when that line is not prose."""
    j = d.next_filled(k)
    if j is None:
        return None
    row = d.rows[j]
    text = row.text
    if quoted_only and not re.match(r"^[«\"“].*[»\"”]$", text):
        return None
    if (
        row.amounts
        or row.is_table
        or len(text) > 100
        or _SENTENCE_END.search(text)
        or _LINKING_END.search(text)
        or _FOCUS.match(row.folded)
        or _OPERATOR.search(row.folded)
        or row.line.text.lstrip()[:1] in "-•*"
    ):
        return None
    nxt = d.next_filled(j + 1)
    if nxt is not None and (d.rows[nxt].text[:1].islower() or d.rows[nxt].text[:1] == "("):
        return None
    return row


# ----------------------------------------------------------- enumerated operations


def _enumerated_actions(d: _Doc) -> Iterator[Action]:
    """ "… différentes maîtrises d'ouvrage : construction par X de …, requalification
    de … par Y à Z, …" — each item naming its maître d'ouvrage is an action. The
    enumeration runs from the colon to the end of the sentence, across lines."""
    for i, row in enumerate(d.rows):
        if i in d.used or row.blank or row.is_table:
            continue
        nxt = d.rows[i + 1] if i + 1 < len(d.rows) else None
        joined = row.text + (" " + nxt.text if nxt is not None and not nxt.blank else "")
        m = _ENUM_INTRO.search(fold(joined))
        if m is None or m.start() >= len(row.text):
            continue
        sentence = [row]
        k = i + 1
        while (
            not _SENTENCE_END.search(sentence[-1].text)
            and k < len(d.rows)
            and len(sentence) < 12
            and not d.rows[k].blank
            and not d.rows[k].is_table
        ):
            sentence.append(d.rows[k])
            k += 1
        text = " ".join(r.text for r in sentence)
        colon = text.find(":", m.end())
        if colon < 0:
            continue
        items = re.split(r"[,;]\s+(?=[^\d\s])|\s+puis\s+", text[colon + 1 :])
        actions = [a for item in items if (a := _enumerated_item(d, item, sentence))]
        if actions:
            d.used.update(r.index for r in sentence)
            yield from actions


def _enumerated_item(d: _Doc, item: str, para: list[_Row]) -> Action | None:
    item = item.strip(" .…")
    by = _BY.search(item)
    if by is None:
        return None
    operator = _tidy(by.group("op"))
    rest = item[: by.start()] + item[by.end() :]
    commune = None
    at = _AT.search(rest)
    if at is not None and resolve_commune(at.group("place")) is not None:
        commune = at.group("place")
        rest = rest[: at.start()]
    title = _tidy(rest)
    if len(title.split()) < 2:
        return None
    return Action(
        title=title[0].upper() + title[1:],
        provenance=_provenance(para, 0.6),
        operator=operator,
        commune=commune,
        year=_single_year(item) or _year_before(d, para[0].index + 1),
        theme=_heading_before(d, para[0].index),
    )


# ------------------------------------------------------------- listed operations


def _listed_actions(d: _Doc) -> Iterator[Action]:
    """Bullet items carrying an amount under a line announcing operations or projects
    ("Opérations de réhabilitation programmées :" / "- Rue Dubois - 30 logements (630 k€)").

    An item that only names a place takes the nature of the operations from the
    announcing line ("Réhabilitation thermique – Rue Dubois - 30 logements").
    """
    i = 0
    while i < len(d.rows):
        row = d.rows[i]
        if i in d.used or not _announces_list(row):
            i += 1
            continue
        j = i + 1
        items: list[_Row] = []
        while (k := d.next_filled(j)) is not None and k not in d.used:
            item = d.rows[k]
            if not _BULLET.match(item.line.text) or item.is_table:
                break
            items.append(item)
            j = k + 1
        priced = [r for r in items if r.amounts and _is_item(r) and not r.text[:1].islower()]
        if priced and len(priced) * 2 >= len(items):
            nature = _LIST_NATURE.match(row.folded)
            for item in priced:
                title = _without_amounts(item)
                at = _commune_at_start(title)
                if nature is not None and not _PROJECT_NOUN.match(fold(title)):
                    prefix = row.text[nature.start("nature") : nature.end("nature")]
                    title = f"{prefix[0].upper()}{prefix[1:]} – {title}"
                d.used.add(item.index)
                yield Action(
                    title=title,
                    provenance=_provenance([item], 0.6),
                    commune=at[0] if at else None,
                    amount_eur=_amount(item),
                    year=_single_year(title) or _single_year(row.text),
                    theme=_tidy(row.text),
                )
        i = j if items else i + 1


def _announces_list(row: _Row) -> bool:
    """A short line that names operations or projects and ends with ':' or opens with
    them ("Opérations de réhabilitation programmées"), not a sentence of prose."""
    text = row.folded
    if len(text.split()) > 15 or _SENTENCE_END.search(text):
        return False
    if text.endswith(":"):
        return bool(_LIST_INTRO.search(text))
    return bool(_LIST_NATURE.match(text)) and _is_heading(row)


def _is_item(row: _Row) -> bool:
    """A list item that names one action (not a total, a theme or a calculation)."""
    folded = row.folded
    return not (
        _is_total(row)
        or _THEME_LABEL.match(folded)
        or _CALCULATION.search(folded)
        or not _without_amounts(row)
    )


# ---------------------------------------------------------------- named actions


def _named_actions(d: _Doc) -> Iterator[Action]:
    """ "L'action « Business #4 » développée par le Club de l'ESS" / "L'association X
    porte le projet « Y »": an action named in quotes, with who runs it."""
    for i, row in enumerate(d.rows):
        if i in d.used or row.blank or row.is_table or "«" not in row.text:
            continue
        sentence = [row]
        k = i + 1
        while k < len(d.rows) and len(sentence) < 4 and not d.rows[k].blank:
            sentence.append(d.rows[k])
            k += 1
        text = " ".join(r.text for r in sentence)
        folded = fold(text)
        for m in _NAMED_AFTER.finditer(folded):
            if m.start("kw") >= len(row.text):
                break
            op = _NAME_RE.match(text, m.end())
            if op is not None:
                yield _named_action(d, sentence, text, m, op.group())
        for m in _NAMED_BEFORE.finditer(folded):
            if m.start("kw") >= len(row.text):
                break
            op = _NAME_END_RE.search(text[: m.start()])
            if op is not None:
                yield _named_action(d, sentence, text, m, op.group("op"))


def _named_action(d: _Doc, rows: list[_Row], text: str, m: re.Match, operator: str) -> Action:
    keyword = text[m.start("kw") : m.end("kw")]
    name = _tidy(text[m.start("name") : m.end("name")])
    d.used.add(rows[0].index)
    return Action(
        title=f"{keyword[0].upper()}{keyword[1:]} « {name} »",
        provenance=_provenance(rows, 0.6),
        operator=_tidy(operator),
        year=_single_year(text) or _year_before(d, rows[0].index),
        theme=_heading_before(d, rows[0].index),
    )


# ------------------------------------------------------------------------- output


def _dedupe(actions: list[Action]) -> list[Action]:
    """One action per (title, amount): a page repeated in a document lists it twice."""
    seen: set[tuple[str, float | None]] = set()
    out = []
    for a in actions:
        key = (" ".join(re.findall(r"\w+", fold(a.title))), a.amount_eur)
        if key in seen:
            continue
        seen.add(key)
        out.append(a)
    return out
