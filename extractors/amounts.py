"""Euro amounts of a document, each with what it is: kind, label, year, funder, recipient.

:func:`extractors.money.find_amounts` reads the numbers; this module reads what
surrounds them, with rules about French administrative layout rather than about any
one document:

* the *clause* around an amount (its sentence, rebuilt across lines when a slide or a
  narrow column broke it, and stopped at the previous amount) gives the cue words
  ("montant total", "enveloppe", "subvention", "plafond", "coût"...) and the label;
* in a table row (cells separated by TAB, or a markdown ``|`` row) the row's first
  cell and the header cell above the amount's column say what the amount is;
* a list of table-like amount lines next to a total is the total's breakdown, and an
  amount that equals the sum of the amounts right after (or before) it is a total;
* the section the amount sits in (the lines back to the previous heading or prose
  amount) supplies cues, a year and a funder the line itself does not state.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import pairwise

from extractors.dates import find_periods, find_years
from extractors.folding import fold
from extractors.money import MoneyMatch, find_amounts
from schemas.records import Amount, AmountKind, ParsedDocument, Provenance

__all__ = [
    "classify_kind",
    "detect_funder",
    "detect_recipient",
    "extract_amounts",
    "header_funder",
]

EXTRACTOR = "amounts"

# ------------------------------------------------------------------------ cue words
# Patterns run on folded text (lower case, no accents, same length as the original).

_KIND_CUES: tuple[tuple[AmountKind, re.Pattern[str]], ...] = (
    ("breakdown", re.compile(r"\bsous[- ]?tota(?:l|ux)\b|\bdont\s*:?\s*$")),
    ("total", re.compile(r"\b(?:total|totale|totaux|au total|globale?|montant cumule)\b")),
    (
        "threshold",
        re.compile(
            r"\b(?:seuils?|plafonds?|plafonnee?s?|minimum|minimal|maximum|maximale?"
            r"|au moins|au plus|moins de|plus de|jusqu'a|inferieure?s? a|superieure?s? a"
            r"|compris entre|dans la limite|n'exced\w*|ne peut exceder|ne depass\w*)\b"
        ),
    ),
    ("envelope", re.compile(r"\benveloppes?\b")),
    ("budget", re.compile(r"\bbudgets?\b|\bbudgetaires?\b")),
    (
        "grant",
        re.compile(
            r"\b(?:subventions?|subventionne\w*|fonds (?:de )?concours|aides? financieres?"
            r"|attribue\w*|attribution|verse(?:e|es|s)?|octroye\w*|accorde\w*|alloue\w*"
            r"|dotations?|cofinance\w*|financ(?:e|es|ee|ees)|financements?)\b"
        ),
    ),
    (
        "price",
        re.compile(
            r"(?:\b(?:couts?|prix|tarifs?|unitaires?|par (?:logement|logt|operation|place"
            r"|personne|beneficiaire|m2|metre carre))|/ ?(?:logements?|logts?|m2))\b"
        ),
    ),
    (
        "other",
        re.compile(
            r"\b(?:revenus?|mediane?s?|salaires?|loyers?|niveau de vie|smic"
            r"|chiffre d'affaires)\b"
        ),
    ),
)
# Cues strong enough to qualify every amount of a list from the section's heading
# (fonds de concours, enveloppe, budget... and income statistics).
_SECTION_KINDS: frozenset[AmountKind] = frozenset({"grant", "envelope", "budget", "other"})
# "A × n = B": A is a unit price, B the product.
_TIMES_AFTER = re.compile(r"^[ \u00a0]*(?:×|x|\\times)[ \u00a0]*\d")
_TIMES_BEFORE = re.compile(r"\d[^\d=\t]{0,40}(?:×|\bx|\\times)[ \u00a0]*$")
# "... × 750 logements = 110 M€", or a line "= 27,5 M€." ending an announced formula
# (a line "= 239 939 € sur l'emploi" is a list whose bullet was read as "=").
_EQUALS_BEFORE = re.compile(r"(?:\d|\}|\w)[^=\t]*=[ \u00a0]*$")
_EQUALS_LINE = re.compile(r"^\W*=[ \u00a0]*$")

# ---------------------------------------------------------------------- funder names
# National institutions and generic kinds of public bodies; local names stay raw.
_INSTITUTION = (
    r"(?:(?:anct|anru|cget|acse|etat|prefet|prefete|prefecture|caf|feder|fse|ars|drac"
    r"|dreets|ddets|ddcs|direccte|agglomeration|union europeenne|europe"
    r"|caisse d'allocations familiales|caisse des depots|banque des territoires"
    r"|bpi ?france|france travail|pole emploi)\b"
    r"|(?:conseil (?:regional|departemental|general)|region|departement|metropole"
    r"|communaute (?:d'agglomeration|de communes|urbaine))\b[\w' -]{0,30}"
    r"|(?:ville|commune) d[e'] ?(?-i:[A-Z])[\w' -]{1,25})"
)
# "NAME" stands for an institution or an acronym (see ``_with_names``).
_FUNDER_PATTERNS = (
    r"\b(?:credits?|subventions?|financements?|participation|dotations?|aides?"
    r"|enveloppes?|fonds (?:de )?concours|contributions?|soutien|intervention)"
    r"\b[^.;:()]{0,40}?\b(?:de l'|de la |du |des |d'|de )\s*(?P<name>NAME)",
    r"\b(?:financ|vers|accord|attribu|octroy|allou|mobilis|apport|port)\w*\s+par\s+"
    r"(?:l'|la |le |les )?\s*(?P<name>NAME)",
    r"\baupres (?:de l'|de la |du |des |de )\s*(?P<name>NAME)",
    r"^\s*(?:de l'|de la |du )\s*(?P<name>NAME)",
)
_RECIPIENT = re.compile(
    r"\b(?:(?:attribue|verse|accorde|alloue|octroye|destine|reparti)e?s?\s+(?:a|aux)\s+"
    r"|au (?:profit|benefice) (?:de l'|de la |du |des |de |d')"
    r"|en faveur (?:de l'|de la |du |des |de |d')"
    r"|a destination (?:de l'|de la |du |des |de |d'))"
    r"(?P<name>[^.;:()\t]{2,60}?)"
    r"(?=\s+(?:au titre|pour|dans|afin|en \d|sur|par|repartis?|soit)\b|[.;:()\t]|$)"
)

# ------------------------------------------------------------------------ layout


@dataclass(frozen=True, slots=True)
class _Line:
    page: int  # index in doc.pages
    start: int  # offset in that page's text
    text: str


@dataclass(slots=True)
class _Found:
    """One amount match placed in the document's line list."""

    match: MoneyMatch
    line: int  # index in _Layout.lines


@dataclass(slots=True)
class _Layout:
    lines: list[_Line]
    found: list[_Found]
    by_line: dict[int, list[int]] = field(default_factory=dict)  # line -> indexes in found
    run_of: dict[int, int] = field(default_factory=dict)  # line -> run id
    runs: list[list[int]] = field(default_factory=list)  # run id -> lines


_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_MARKUP = re.compile(r"\*\*|__|\\\*|^#+\s*|\$\$")
_BULLET = re.compile(r"^\s*(?:[-–•⇒▪◦●*>]|\d{1,2}[.)](?!\d))\s*")
_BOUNDARY = re.compile(
    r"(?<=[.!?;])\s+(?=\S)|</?(?:p|li|ul|ol|br|td|tr|div)\b[^>]*>|•|\$\$|(?<=\.)\*+\s*"
)
_LATEX_TEXT = re.compile(r"\\(?:text|mathrm|textrm|mbox)\{([^{}]*)\}")
_LATEX_SPACE = re.compile(r"\\[ ,;:!]")
_WORD = re.compile(r"[A-Za-zÀ-ÿ][\w'’-]*")
_HEADING_MAX_WORDS = 14
# Text between two amounts that chains the second to the first ("7 100 € à 11 000 €",
# "dont 500 000 € de l'ANRU et 300 000 € du Département").
_CONNECTOR_END = re.compile(r"(?:(?:^|\s)(?:à|a|et|ou|puis|-|–|/)|,|^)\s*$", re.IGNORECASE)
_SHORT_WORDS = 12  # a line with fewer words than this beside its amounts is a label line


def _clean(text: str) -> str:
    """Text without HTML tags, LaTeX and markdown markup, bullets and repeated spaces."""
    text = _TAG.sub(" ", text)
    text = _LATEX_TEXT.sub(r"\1", text).replace("\\times", "×")
    text = _LATEX_SPACE.sub(" ", text)
    text = _MARKUP.sub("", text.strip())
    text = _BULLET.sub("", text)
    return re.sub(r"\s+", " ", text).strip(" \t-–:,;|*")


def _cells(text: str) -> list[tuple[int, int]]:
    """Cell spans of a line: TAB-separated, or a markdown ``| a | b |`` row."""
    if "\t" in text:
        spans, pos = [], 0
        for part in text.split("\t"):
            spans.append((pos, pos + len(part)))
            pos += len(part) + 1
        return spans
    stripped = text.strip()
    if stripped.startswith("|") and stripped.count("|") >= 3:
        bars = [i for i, c in enumerate(text) if c == "|"]
        return [(a + 1, b) for a, b in pairwise(bars)]
    return [(0, len(text))]


def _is_row(text: str) -> bool:
    return len(_cells(text)) >= 2


def _layout(doc: ParsedDocument) -> _Layout:
    lines: list[_Line] = []
    found: list[_Found] = []
    for p, page in enumerate(doc.pages):
        first = len(lines)
        starts, pos = [], 0
        for t in page.text.split("\n"):
            lines.append(_Line(p, pos, t))
            starts.append(pos)
            pos += len(t) + 1
        for m in find_amounts(page.text):
            found.append(_Found(m, first + bisect_right(starts, m.start) - 1))
    layout = _Layout(lines, found)
    for i, f in enumerate(found):
        layout.by_line.setdefault(f.line, []).append(i)
    _build_runs(layout)
    return layout


def _amount_free(layout: _Layout, li: int) -> str:
    """The line's text with its amounts blanked out."""
    line = layout.lines[li]
    text = line.text
    for i in reversed(layout.by_line.get(li, [])):
        m = layout.found[i].match
        a, b = m.start - line.start, m.end - line.start
        text = text[:a] + " " * (b - a) + text[b:]
    return text


def _tableish(layout: _Layout, li: int) -> bool:
    """A table row, or a list item or short label line ending with its amount (not prose)."""
    text = layout.lines[li].text
    if _is_row(text):
        return True
    last = layout.found[layout.by_line[li][-1]].match
    tail = _TAG.sub("", text[last.end - layout.lines[li].start :])
    if re.search(r"[^\W\d_]", tail):
        return False  # the line goes on after its last amount: a sentence
    if _BULLET.match(text):
        return True
    rest = _clean(_amount_free(layout, li))
    return len(_WORD.findall(rest)) <= _SHORT_WORDS and not re.search(r"[.!?]\W*$", rest)


def _build_runs(layout: _Layout) -> None:
    """Group table-like amount lines that follow each other into runs (lists, tables).

    Up to two non-blank lines without amounts may sit between two members (a wrapped
    label, a commune name above its project); a markdown heading ends the run.
    """
    current: list[int] = []
    gap = 0
    for li, line in enumerate(layout.lines):
        if li in layout.by_line and _tableish(layout, li):
            if current and gap <= 2:
                current.append(li)
            else:
                current = [li]
                layout.runs.append(current)
            layout.run_of[li] = len(layout.runs) - 1
            gap = 0
        elif li in layout.by_line:
            current, gap = [], 0
        elif line.text.strip():
            gap += 1
            if line.text.lstrip().startswith("#"):
                current = []


# ----------------------------------------------------------------------- context


@dataclass(slots=True)
class _Context:
    left: str  # the clause before the amount, back to the previous amount
    right: str  # the clause after it, up to the next amount
    lead: str  # the first words of the sentence
    row_label: str | None
    column: str | None  # header cell of the amount's column
    header_row: str | None
    row: str | None  # the whole row, for a table row
    table_cell: bool  # the amount's cell holds only amounts: the row and column say it
    section: list[str]  # lines back to the previous heading, nearest first
    heading: str | None
    titles: list[str]  # headings further up, and the sentence announcing the list
    lead_in: str | None  # the line before, when it ends with ":" (a formula or a list)
    in_list: bool  # the amount's line belongs to a run of table-like amount lines


# A line ending on one of these words goes on in the next one.
_DANGLING = re.compile(
    r"\b(?:de|du|des|d'|en|à|a|au|aux|la|le|les|l'|pour|par|et|sur|dans|avec)\s*$",
    re.IGNORECASE,
)
_BLANK_LINES = 3  # blank lines a broken sentence or a title may skip (slides double-space)


def _prev_nonblank(layout: _Layout, li: int) -> int | None:
    for k in range(li - 1, max(-1, li - 2 - _BLANK_LINES), -1):
        if layout.lines[k].text.strip():
            return k
    return None


def _next_nonblank(layout: _Layout, li: int) -> int | None:
    for k in range(li + 1, min(len(layout.lines), li + 2 + _BLANK_LINES)):
        if layout.lines[k].text.strip():
            return k
    return None


def _starts_lower(text: str) -> bool:
    """Whether ``text`` starts with a lower-case word: it continues a broken sentence."""
    m = re.match(r"\W*([^\W\d_])", _clean(text))
    return bool(m and m.group(1).islower())


def _clause(layout: _Layout, f: _Found) -> tuple[str, str, str]:
    """(left, right, lead) of the amount within its sentence, rebuilt across lines."""
    line = layout.lines[f.line]
    a, b = f.match.start - line.start, f.match.end - line.start
    cells = _cells(line.text)
    c0, c1 = next(((s, e) for s, e in cells if s <= a <= e), (0, len(line.text)))
    others = [layout.found[i].match for i in layout.by_line[f.line]]
    lo = max([c0] + [m.end - line.start for m in others if m.end - line.start <= a])
    hi = min([c1] + [m.start - line.start for m in others if m.start - line.start >= b])
    left_text, right_text = line.text[lo:a], line.text[b:hi]
    bounds = list(_BOUNDARY.finditer(left_text))
    left = left_text[bounds[-1].end() :] if bounds else left_text
    nxt = _BOUNDARY.search(right_text)
    right = right_text[: nxt.start()] if nxt else right_text
    single = len(cells) == 1
    # A sentence broken over several lines: the line starts lower case.
    k, hops = f.line, 0
    while single and not bounds and lo == 0 and hops < 3 and _starts_lower(left):
        p = _prev_nonblank(layout, k)
        if p is None or p in layout.by_line or _is_row(layout.lines[p].text):
            break
        prev = layout.lines[p].text
        if re.search(r"[.!?;:]\s*$", _TAG.sub("", prev)):
            break
        pb = list(_BOUNDARY.finditer(prev))
        left = (prev[pb[-1].end() :] if pb else prev) + " " + left
        k, hops = p, hops + 1
        if pb:
            break
    k, hops = f.line, 0
    while single and not nxt and hi == len(layout.lines[f.line].text) and hops < 3:
        n = _next_nonblank(layout, k)
        if n is None or n in layout.by_line or _is_row(layout.lines[n].text):
            break
        following = layout.lines[n].text
        if not (_starts_lower(following) or _DANGLING.search(right)):
            break
        nxt = _BOUNDARY.search(following)
        right += " " + (following[: nxt.start()] if nxt else following)
        k, hops = n, hops + 1
    lead = " ".join(_clean(left).split()[:8])
    return left, right, lead


_HEADER_MAX_LOOKBACK = 60
_HEADER_MAX_WORDS = 16


def _amount_only(text: str) -> bool:
    """Whether a cell holds nothing but amounts (and stray symbols)."""
    return len(_WORD.findall(_clean(text))) <= 1


def _column_header(layout: _Layout, f: _Found) -> tuple[str | None, str | None, str | None]:
    """(row label, column header cell, whole header row) of an amount in a table row.

    The header is the first row of the block of rows the amount's row belongs to,
    provided it is text (not figures) and holds no amount.
    """
    line = layout.lines[f.line]
    cells = _cells(line.text)
    if len(cells) < 2:
        return None, None, None
    a = f.match.start - line.start
    col = next((i for i, (s, e) in enumerate(cells) if s <= a <= e), 0)
    row_label = None
    if col > 0:
        first = _clean(line.text[cells[0][0] : cells[0][1]])
        if re.search(r"[^\W\d_]{2}", first):
            row_label = first
    top = None
    for k in range(f.line - 1, max(-1, f.line - _HEADER_MAX_LOOKBACK), -1):
        text = layout.lines[k].text
        if not text.strip():
            continue
        if not _is_row(text):
            break
        top = k
    if top is None or top in layout.by_line:
        return row_label, None, None
    text = layout.lines[top].text
    hcells = [_clean(text[s:e]) for s, e in _cells(text)]
    filled = [c for c in hcells if c]
    textual = [c for c in filled if re.match(r"[^\W\d_]", c)]
    if not filled or len(textual) * 2 < len(filled):
        return row_label, None, None
    if any(len(_WORD.findall(c)) > _HEADER_MAX_WORDS for c in filled):
        return row_label, None, None
    header = hcells[col] if col < len(hcells) else None
    return row_label, header or None, " ".join(filled)


def _is_heading(layout: _Layout, k: int) -> bool:
    """A title line: a markdown heading, or a short line starting with a capital that
    neither ends with punctuation nor runs on into a lower-case next line."""
    text = layout.lines[k].text
    stripped = text.strip()
    if stripped.startswith("#"):
        return True
    clean = _clean(stripped)
    if not clean or _is_row(stripped) or _BULLET.match(stripped) or "%" in clean:
        return False
    bare = _MARKUP.sub("", _TAG.sub(" ", stripped)).strip()
    words = _WORD.findall(clean)
    if not words or len(words) > _HEADING_MAX_WORDS or re.search(r"[.,;:!?]$", bare):
        return False
    if not (clean[0].isupper() or clean[0].isdigit()):
        return False
    n = _next_nonblank(layout, k)
    return n is None or not _starts_lower(layout.lines[n].text)


_SECTION_LINES = 12


def _section(layout: _Layout, f: _Found) -> tuple[list[str], str | None, list[str]]:
    """Lines above the amount's list back to its heading or to a prose amount, the
    heading, and for a year the headings further up and the sentence that announced the
    list (the previous amount's line).

    Table rows are left out (their cells belong to columns, not to the section). A
    heading directly under another (title, subtitle) is kept with it.
    """
    run = layout.run_of.get(f.line)
    top = layout.runs[run][0] if run is not None else f.line
    lines: list[str] = [
        layout.lines[k].text
        for k in range(f.line - 1, top - 1, -1)
        if k not in layout.by_line and layout.lines[k].text.strip()
    ]
    heading_lines: list[str] = []
    k, taken = top - 1, 0
    while k >= 0 and taken < _SECTION_LINES:
        text = layout.lines[k].text
        k -= 1
        if not text.strip() or _is_row(text):
            continue
        lines.append(text)
        taken += 1
        if k + 1 in layout.by_line:
            break
        if _is_heading(layout, k + 1):
            heading_lines.append(_clean(text))
            while k >= 0 and layout.lines[k].text.strip() and _is_heading(layout, k):
                lines.append(layout.lines[k].text)
                heading_lines.insert(0, _clean(layout.lines[k].text))
                k -= 1
            break
    titles: list[str] = []
    pending: list[str] = []  # lines continuing a sentence from the line above
    while k >= 0 and taken < _SECTION_LINES:
        text = layout.lines[k].text
        if text.strip() and not _is_row(text):
            taken += 1
            if k in layout.by_line:
                # The sentence that announced the list, with its continuation lines.
                titles += [*pending, text]
                break
            if _is_heading(layout, k):
                titles.append(text)
            pending = [text, *pending] if _starts_lower(text) else []
        k -= 1
    return lines, (" – ".join(heading_lines) or None), titles


def _lead_in(layout: _Layout, li: int) -> str | None:
    """The previous line when it announces what follows ("... estimé aux environs de :")."""
    p = _prev_nonblank(layout, li)
    if p is None:
        return None
    text = _MARKUP.sub("", _TAG.sub(" ", layout.lines[p].text)).strip()
    return text if text.endswith(":") else None


def _context(layout: _Layout, f: _Found) -> _Context:
    left, right, lead = _clause(layout, f)
    line = layout.lines[f.line]
    row_label, column, header_row = _column_header(layout, f)
    free, a = _amount_free(layout, f.line), f.match.start - line.start
    cell = next((free[s:e] for s, e in _cells(line.text) if s <= a <= e), free)
    in_table = row_label is not None or column is not None
    section, heading, titles = _section(layout, f)
    return _Context(
        left=left,
        right=right,
        lead=lead,
        row_label=row_label,
        column=column,
        header_row=header_row,
        row=line.text if _is_row(line.text) else None,
        table_cell=in_table and _amount_only(cell),
        section=section,
        heading=heading,
        titles=titles,
        lead_in=_lead_in(layout, f.line),
        in_list=f.line in layout.run_of,
    )


# -------------------------------------------------------------------------- kind


def classify_kind(text: str) -> AmountKind | None:
    """Kind named by cue words in ``text``, the most specific cue first, or None."""
    folded = fold(_TAG.sub(" ", text))
    for kind, pattern in _KIND_CUES:
        if pattern.search(folded):
            return kind
    return None


def _local_cue(ctx: _Context, raw: str) -> AmountKind | None:
    left_words = _clean(ctx.left).split()
    near = " ".join(left_words[-12:] + re.findall(r"[^\W\d_]{3,}", raw)[:1])
    for text in (near, ctx.lead, ctx.row_label or ""):
        kind = classify_kind(text)
        if kind:
            return kind
    return None


def _formula_kind(layout: _Layout, f: _Found) -> AmountKind | None:
    line = layout.lines[f.line]
    before = line.text[: f.match.start - line.start]
    after = line.text[f.match.end - line.start :]
    if _TIMES_AFTER.match(after) or _TIMES_BEFORE.search(before):
        return "price"
    if _EQUALS_BEFORE.search(before) or (
        _EQUALS_LINE.match(before) and not re.search(r"[^\W\d_]", _clean(after))
    ):
        return "total"
    return None


_SUM_TOLERANCE = 0.01
_SUM_MAX_ITEMS = 15
_SUM_MAX_LINES = 40


def _sums_to(total: float, items: list[float]) -> bool:
    return (
        len(items) >= 2
        and all(v < total for v in items)
        and (abs(sum(items) - total) <= max(0.5, _SUM_TOLERANCE * total))
    )


def _arithmetic_parts(layout: _Layout, i: int) -> list[int] | None:
    """Indexes of the amounts right after (or before) amount ``i`` that add up to it."""
    total = layout.found[i].match.value_eur
    if total <= 0:
        return None
    line = layout.found[i].line
    for step in (1, -1):
        items: list[int] = []
        j = i + step
        while 0 <= j < len(layout.found) and len(items) < _SUM_MAX_ITEMS:
            if layout.found[j].match.is_range or abs(layout.found[j].line - line) > _SUM_MAX_LINES:
                break
            items.append(j)
            if _sums_to(total, [layout.found[x].match.value_eur for x in items]):
                return items
            j += step
    return None


def _classify_all(layout: _Layout, contexts: list[_Context]) -> list[AmountKind]:
    """Kind of every amount, most direct evidence first: a formula or a cue word in its
    clause, being the sum of its neighbours, a grant/envelope/budget heading over its
    list, sitting in a list next to a total, its column header, the words after it."""
    local = [
        _formula_kind(layout, f) or _local_cue(ctx, f.match.raw)
        for f, ctx in zip(layout.found, contexts, strict=True)
    ]
    totals = {i for i, cue in enumerate(local) if cue == "total"}
    parts: set[int] = set()
    for i, f in enumerate(layout.found):
        if local[i] is None and not _is_row(layout.lines[f.line].text):
            found_parts = _arithmetic_parts(layout, i)
            if found_parts:
                totals.add(i)
                parts.update(found_parts)
    near_total = _runs_next_to_totals(layout, totals)
    kinds: list[AmountKind] = []
    for i, (f, ctx) in enumerate(zip(layout.found, contexts, strict=True)):
        run = layout.run_of.get(f.line)
        section = None
        if run is not None:
            section = next(
                (k for k in map(classify_kind, ctx.section) if k in _SECTION_KINDS), None
            )
        if local[i]:
            kinds.append(local[i])
        elif i in totals:
            kinds.append("total")
        elif section:
            kinds.append(section)
        elif i in parts or run in near_total:
            kinds.append("breakdown")
        else:
            kinds.append(
                classify_kind(ctx.column or "")
                or classify_kind(_clean(ctx.right)[:60])
                or ("breakdown" if run is not None and _run_size(layout, run) >= 2 else "other")
            )
    return kinds


def _run_size(layout: _Layout, run: int) -> int:
    return sum(len(layout.by_line[k]) for k in layout.runs[run])


_NEAR_TOTAL_LINES = 16


def _runs_next_to_totals(layout: _Layout, totals: set[int]) -> set[int]:
    """Runs holding a total, or whose neighbouring amount (just before/after) is one."""
    near: set[int] = set()
    for rid, run in enumerate(layout.runs):
        members = [i for li in run for i in layout.by_line[li]]
        if any(i in totals for i in members):
            near.add(rid)
            continue
        before, after = members[0] - 1, members[-1] + 1
        if (before in totals and run[0] - layout.found[before].line <= _NEAR_TOTAL_LINES // 2) or (
            after in totals and layout.found[after].line - run[-1] <= _NEAR_TOTAL_LINES
        ):
            near.add(rid)
    return near


# ---------------------------------------------------------------- label and year


_TRAILING = re.compile(
    r"(?:\s+|^)\(?(?:de|d'|du|des|a|à|au|aux|soit|pour|par|est|sont|et|ou|en|dont|"
    r"s'(?:é|e)l(?:è|e)ve(?:nt)? (?:à|a)|s'(?:é|e)levant (?:à|a)|environ|d'environ|"
    r"(?:aux|les) environs de|de l'ordre de|un montant de|une somme de|estim(?:é|e)e?s?|"
    r"pour un montant|fix(?:é|e)e?s?|(?:à|a) hauteur de|représent(?:e|ant)|près|pres|"
    r"allant|pouvant aller|compris|entre|=|:|-|–|\()\s*$",
    re.IGNORECASE,
)
_LEADING = re.compile(
    r"^\s*(?:ont été|a été|sont|est|de|d'|du|des|pour|par|soit|/|\)|\*)\s+", re.IGNORECASE
)
_UNIT_TAIL = re.compile(r"^(?:HT|TTC|H\.T\.|T\.T\.C\.|/an|par an)\b[\s,.;]*", re.IGNORECASE)
_LABEL_HEAD_WORDS = 6
_LABEL_TAIL_WORDS = 8
_LABEL_MAX_CHARS = 160


def _trim_left(text: str) -> str:
    """The clause before an amount without its connectives ("s'élève à", "de")."""
    text = _UNIT_TAIL.sub("", _clean(text))
    for _ in range(6):
        new = _TRAILING.sub("", text).strip(" ,;:(")
        if new == text:
            break
        text = new
    words = text.split()
    if len(words) > _LABEL_HEAD_WORDS + _LABEL_TAIL_WORDS:
        # The subject opens the sentence, the thing measured comes just before the amount.
        return " ".join([*words[:_LABEL_HEAD_WORDS], "…", *words[-_LABEL_TAIL_WORDS:]])
    return text


def _trim_right(text: str) -> str:
    text = _clean(text)
    for _ in range(3):
        new = _LEADING.sub("", text)
        if new == text:
            break
        text = new
    text = " ".join(text.split()[: _LABEL_HEAD_WORDS + _LABEL_TAIL_WORDS])
    for _ in range(3):
        new = _TRAILING.sub("", text).rstrip(" ,;:(")
        if new == text:
            break
        text = new
    return text


def _label(ctx: _Context) -> str | None:
    """What the amount is: row and column of its table cell, else its clause."""
    if ctx.table_cell:
        if ctx.row_label and ctx.column and ctx.column != ctx.row_label:
            local = f"{ctx.row_label} ({ctx.column})"
        else:
            local = ctx.row_label or ctx.column or ""
    else:
        local = _trim_left(ctx.left)
        if not _WORD.search(local):
            right = _trim_right(ctx.right)
            local = right or local
        if len(_WORD.findall(local)) < 2 and ctx.lead_in:
            local = _trim_left(ctx.lead_in)
    if ctx.heading and len(_WORD.findall(local)) <= 3 and ctx.heading != local:
        local = f"{ctx.heading} – {local}" if local else ctx.heading
    if len(local) > _LABEL_MAX_CHARS:
        local = local[: _LABEL_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return local or None


# Numbers that look like years but count people or dwellings, or are sums of money.
_COUNT_BEFORE = re.compile(
    r"(?:\b(?:nombre|nb|effectifs?)\W+(?:\w+\W+){0,3}"
    r"|\b(?:habitants|individus|menages|logements|annees|personnes))\W*$"
)
_COUNT_AFTER = re.compile(
    r"^\s*(?:habitants|personnes|individus|menages|logements|emplois|€|euros?\b|k€|%)"
)


def _years(text: str, periods: bool = True) -> list[int]:
    """Years written in ``text``; with ``periods=False``, not the bounds of "2015-2020"."""
    clean = _TAG.sub(" ", text)
    folded = fold(clean)
    spans = [] if periods else [(p.start, p.end) for p in find_periods(clean)]
    return [
        y.year
        for y in find_years(clean)
        if not _COUNT_BEFORE.search(folded[max(0, y.start - 40) : y.start])
        and not _COUNT_AFTER.match(folded[y.end :])
        and not any(s <= y.start < e for s, e in spans)
    ]


def _row_text(row: str | None) -> str:
    """A table row for its year: not a long text row, and without bare-number cells
    (a cell "2067" is a count as often as a year)."""
    if not row or len(_WORD.findall(row)) > 3 * _SHORT_WORDS:
        return ""
    cells = (row[s:e].strip() for s, e in _cells(row))
    return " | ".join(c for c in cells if not c.isdigit())


def _year(ctx: _Context) -> int | None:
    """Year of the amount's clause, else its table row and header, else its section."""
    years = _years(ctx.left)
    if years:
        return years[-1]
    for text in (ctx.right, _row_text(ctx.row), ctx.column or "", ctx.header_row or ""):
        years = _years(text)
        if years:
            return years[0]
    # A list or table takes its year from the lines above it; a sentence from its heading.
    above = [*ctx.section, *ctx.titles] if ctx.in_list else [ctx.heading or ""]
    for text in above:
        years = _years(text, periods=False)
        if years:
            return years[0]
    return None


# ------------------------------------------------------------- funder, recipient

# Case-insensitive, on text without accents; acronyms must be written in capitals.
_ACRONYM = r"(?-i:[A-Z][A-Z0-9&]{2,9})\b"
_PARTICLES = {"de", "du", "des", "d", "la", "le", "les", "l", "et", "sur", "en", "-"}


def _unaccent(text: str) -> str:
    """Accent-free copy of ``text`` keeping case (same length, like ``fold``)."""
    folded = fold(text)
    return "".join(f.upper() if o.isupper() else f for o, f in zip(text, folded, strict=True))


def _with_names(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace("NAME", f"{_INSTITUTION}|{_ACRONYM}"), re.IGNORECASE)


_FUNDER_RES = tuple(_with_names(p) for p in _FUNDER_PATTERNS)
_NAME_AT_START = _with_names(r"^\W*(?P<name>NAME)")


_MULTIWORD_BODY = re.compile(
    r"(?:conseil (?:regional|departemental|general)|communaute (?:d'agglomeration|de communes"
    r"|urbaine)|union europeenne|caisse d'allocations familiales|caisse des depots"
    r"|banque des territoires|france travail|pole emploi)\b",
    re.IGNORECASE,
)


def _trim_name(raw: str) -> str:
    """A name up to its last capitalised word ("Communauté d'Agglomération de Lens",
    "Conseil départemental du Nord"); a body's own lower-case words are kept."""
    body = _MULTIWORD_BODY.match(_unaccent(raw))
    head = raw[: body.end()] if body else ""
    words = re.findall(r"[\w&]+(?:['’][\w&]+)*|-", raw[len(head) :])
    if not head and not words:
        return ""
    kept = [head] if head else [words.pop(0)]
    for w in words:
        base = w.split("'")[-1].split("’")[-1]
        if w.lower() in _PARTICLES or base[:1].isupper():
            kept.append(w)
        else:
            break
    while kept and kept[-1].lower() in _PARTICLES:
        kept.pop()
    end = 0
    for w in kept:
        end = raw.index(w, end) + len(w)
    return raw[:end].strip(" '’,-")


def detect_funder(text: str) -> str | None:
    """Who pays, when the text says it ("crédits de l'ANCT", "financé par la Région",
    "sollicitée auprès de la CALL", "... € de la CABBALR").

    Returns the name as written; the partner registry maps it to a canonical body.
    """
    plain = _unaccent(text)
    for pattern in _FUNDER_RES:
        for m in pattern.finditer(plain):
            name = _trim_name(text[m.start("name") : m.end("name")])
            if name:
                return name
    return None


def header_funder(cell: str) -> str | None:
    """Funder named at the start of a column header ("ANCT « BOP 147 »", "CONSEIL REGIONAL")."""
    m = _NAME_AT_START.match(_unaccent(cell))
    if m is None:
        return None
    return _trim_name(cell[m.start("name") : m.end("name")]) or None


def detect_recipient(text: str) -> str | None:
    """Who receives, when the text says it ("attribués à 4 communes", "au profit des QPV")."""
    m = _RECIPIENT.search(fold(text))
    if m is None:
        return None
    return _clean(text[m.start("name") : m.end("name")]) or None


def _funder(ctx: _Context, kind: AmountKind) -> str | None:
    found = detect_funder(ctx.left) or detect_funder(ctx.right)
    if found is None and ctx.column:
        found = header_funder(ctx.column)
    if found is None and kind in ("grant", "envelope"):
        for text in [*ctx.section, *ctx.titles]:
            found = detect_funder(text)
            if found:
                break
    return found


# ---------------------------------------------------------------------- extract


def _contexts(layout: _Layout) -> list[_Context]:
    contexts: list[_Context] = []
    for i, f in enumerate(layout.found):
        ctx = _context(layout, f)
        chained = (
            i
            and layout.found[i - 1].line == f.line
            and _CONNECTOR_END.search(ctx.left)
            and classify_kind(ctx.left) is None
        )
        if chained:
            # The second amount of a pair or list shares the first one's clause.
            ctx.left, ctx.lead = contexts[-1].left, contexts[-1].lead
        contexts.append(ctx)
    return contexts


_MIN_OCR_FACTOR = 0.3  # an OCR page's mean confidence scales its amounts' confidence


def extract_amounts(doc: ParsedDocument) -> list[Amount]:
    """Every euro amount of every page, with provenance and what the context says of it.

    A range ("3 à 6 000 €") gives two amounts, its bounds, sharing one provenance.
    """
    layout = _layout(doc)
    contexts = _contexts(layout)
    kinds = _classify_all(layout, contexts)
    amounts: list[Amount] = []
    for f, ctx, kind in zip(layout.found, contexts, kinds, strict=True):
        page = doc.pages[layout.lines[f.line].page]
        m = f.match
        confidence = m.confidence
        if page.method == "ocr" and page.confidence is not None:
            confidence *= max(_MIN_OCR_FACTOR, min(1.0, page.confidence / 100))
        label = _label(ctx)
        year = _year(ctx)
        funder = _funder(ctx, kind)
        recipient = detect_recipient(f"{ctx.left} {ctx.right}")
        for value in m.values:
            amounts.append(
                Amount(
                    value_eur=value,
                    provenance=Provenance(
                        page=page.number,
                        start=m.start,
                        end=m.end,
                        raw=m.raw,
                        extractor=EXTRACTOR,
                        confidence=round(confidence, 3),
                        bbox=page.bbox_for(m.start, m.end),
                    ),
                    kind=kind,
                    label=label,
                    year=year,
                    funder=funder,
                    recipient=recipient,
                )
            )
    return amounts
