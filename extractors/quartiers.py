"""Priority neighbourhoods (QPV, quartiers de veille, QIC) named in a document.

A document names a quartier many times and in many ways: a row of the official QPV
table (code, name, communes, population, median income), a fiche heading
("QP062016 - Quartier Saint Elie, Fosse 13 - Hulluch (Haisnes, Douvrin)"), an
equipment list ("Cité 2 : QP062026"), or plain prose without any code ("les quartiers
du Mont-Liébaut à Béthune et Le Centre à Bruay"). Each place becomes a
:class:`QuartierMention`; mentions are then merged into one :class:`Quartier` per
entity: by code, or for codeless mentions by fuzzy name plus commune agreement.

Precision rules, because a false quartier pollutes every comparison downstream:

* a codeless mention only founds an entity when the text marks it as a priority
  neighbourhood (a cue such as NPNRU, "quartier prioritaire", "veille", "QIC" next to
  it); weaker ones ("Camus (Angres – Liévin)") may only join an existing entity;
* when the document lists coded QPVs, its codes are taken as the QPV list: a codeless
  QPV that matches none of them is left out (quartiers de veille, QIC... are kept).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from schemas.records import Page, ParsedDocument, Provenance, Quartier, QuartierMention

from .communes import (
    Commune,
    commune_key,
    department_key,
    fold,
    resolve_commune,
    split_communes,
)
from .communes import resolve_communes as _resolve_communes
from .qpv_codes import CodeMatch, code_department, find_codes

EXTRACTOR = "quartiers"

# How much a mention's name and communes can be trusted, best first.
RANK_TABLE, RANK_HEADING, RANK_INLINE, RANK_CODELESS = 3, 2, 1, 0

_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_MARKUP = re.compile(r"\*\*|__|[*`]|^\s*#+\s*|^\s*[-•·>]\s+")
_ANNOTATION = re.compile(
    r"\(\s*(?:N?PNRU|ANRU|QPV|QIC|ZUS|NPRU|PRU|PRIR|code[^()]*|intér[eê]t[^()]*|"
    r"veille[^()]*|prioritaire[^()]*|Q[PN]\s?\w{6})\s*\)",
    re.I,
)
_DASH = r"[-–—]"
_PIECE_SPLIT = re.compile(rf"\s+{_DASH}+\s+|\s+{_DASH}+(?=\S)|(?<=\S){_DASH}+\s+")
_MONEY = re.compile(r"\d[\d\s.,]*\s*(?:€|euros?|k€)", re.I)
_INT = re.compile(r"^\d{1,3}(?:[\s.\u202f\u00a0]?\d{3})*$|^\d+$")
_SENTENCE_END = re.compile(r"[.!?;](?:\s|$)")

_CUE_QPV = re.compile(
    r"\b(?:N?PNRU|ANRU|NPRU|QPV|quartiers?\s+prioritaires?|renouvellement\s+urbain|"
    r"r[ée]novation\s+urbaine|g[ée]ographie\s+prioritaire)\b",
    re.I,
)
# Not "cellule de veille" nor "équipement d'intérêt communautaire".
_CUE_VEILLE = re.compile(
    r"\b(?:quartiers?|territoires?|secteurs?|communes?|p[ée]rim[eè]tres?|zones?|sites?)"
    r"\s+(?:en\s+|de\s+)?veille\b|\bveille\s+active\b",
    re.I,
)
_CUE_QIC = re.compile(r"\bQIC\b|\bquartiers?\s+d['’]\s?int[ée]r[eê]t\s+communautaire\b", re.I)
_CUE_OTHER = re.compile(r"\b(?:quartiers?\s+v[ée]cus?|poches?\s+de\s+pauvret[ée])\b", re.I)

# "quartier prioritaire du", "QPV", "quartier de veille active de la", "quartiers du"...
_QUALIFIER = re.compile(
    r"\b(?P<word>quartiers?|QPV|QIC)"
    r"(?P<kind>(?:\s+(?:prioritaires?|politique\s+de\s+la\s+ville|de\s+la\s+politique\s+de\s+la"
    r"\s+ville|de\s+veille(?:\s+active)?|en\s+veille(?:\s+active)?|d['’]\s?int[ée]r[eê]t"
    r"\s+communautaire|v[ée]cus?|NPNRU|ANRU|PNRU))*)"
    r"(?:\s+(?:du|de\s+la|de\s+l['’]|des|de|d['’]|l['’]))?\s*$",
    re.I,
)
_CONNECTORS = {
    "de", "du", "des", "la", "le", "les", "l'", "d'", "sur", "sous", "en", "bis", "aux", "au",
}  # fmt: skip
_ARTICLES = {"le", "la", "les", "l'"}
# Lower-case words that begin a quartier name in running text ("la cité du 12-14").
_HEAD_WORDS = {"cité", "cités", "cite", "cites", "résidence", "résidences", "residence"}
_NAME_STOP = {"le", "la", "les", "l", "du", "de", "des", "d", "et", "au", "aux", "en"}
_NAME_GENERIC = {"quartier", "quartiers"}
_WEAK_TOKENS = {"cite", "residence", "quartier", "secteur", "ilot", "zone", "centre"}
_NOT_A_NAME = {
    "agglomeration", "agglo", "communaute", "ville", "commune", "communes", "territoire",
    "departement", "region", "etat", "france", "metropole", "contrat", "programme",
    "politique", "tous", "toutes", "tout", "ensemble", "autres", "reste", "total", "totaux",
    "hors", "sous-total", "quartiers", "nombre", "source", "sources", "interet",
    "veille", "priorite",
}  # fmt: skip


@dataclass(slots=True)
class _Found:
    """A mention plus what merging needs: its rank, whether it may found an entity."""

    mention: QuartierMention
    rank: int
    strong: bool = True
    resolved: list[Commune] = field(default_factory=list)
    order: tuple[int, int] = (0, 0)

    @property
    def insee(self) -> set[str]:
        return {c.insee for c in self.resolved}


@dataclass(slots=True)
class _Ctx:
    """Per-document state: department, table headers carried across page breaks."""

    department: str | None
    last_header: dict[int, str] | None = None
    last_header_width: int = 0
    last_status: str | None = None


# --------------------------------------------------------------------------- public


def extract_quartiers(doc: ParsedDocument, *, department: str | None = None) -> list[Quartier]:
    """Every priority neighbourhood of ``doc``, one :class:`Quartier` per entity."""
    codes_by_page = {p.number: find_codes(p.text) for p in doc.pages}
    all_codes = [m for ms in codes_by_page.values() for m in ms]
    dept, keep_code = _territory(all_codes, department)
    ctx = _Ctx(department=dept)
    founds: list[_Found] = []
    links: list[tuple[str, str]] = []
    for page in doc.pages:
        codes = [m for m in codes_by_page[page.number] if keep_code(m.code)]
        founds += _page_mentions(page, codes, ctx)
        links += _successor_links(page, codes)
    for f in founds:
        f.resolved = _resolve_all(f.mention.communes, dept)
    entities = _merge(founds)
    successors = dict(links)
    return [_build(e, successors, dept) for e in entities]


def status_from(text: str) -> str | None:
    """The quartier status a piece of text signals, most specific first, or None."""
    if _CUE_VEILLE.search(text):
        return "veille_active"
    if _CUE_QIC.search(text):
        return "qic"
    if _CUE_OTHER.search(text):
        return "other"
    if _CUE_QPV.search(text):
        return "qpv"
    return None


def clean_name(text: str) -> str | None:
    """A quartier name without markup, annotations like "(NPNRU)", or stray separators."""
    s = _TAG.sub(" ", text)
    s = _MARKUP.sub(" ", s)
    s = s.replace("**", " ").replace("*", " ")
    s = _ANNOTATION.sub(" ", s)
    s = re.sub(r"\(\s*\)", " ", s)
    s = re.sub(r"\s+", " ", s).strip(" \t-–—:;,.«»\"“”'’")
    if s.count("(") != s.count(")"):
        s = s.replace("(", " ").replace(")", " ")
        s = re.sub(r"\s+", " ", s).strip()
    return s if re.search(r"[A-Za-zÀ-ÿ0-9]", s) else None


def name_key(name: str) -> str:
    """The form names are compared in: "Cité du 10" and "CITE 10" give "cite 10"."""
    s = fold(name)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    out = []
    for w in s.split():
        if w in _NAME_STOP or w in _NAME_GENERIC:
            continue
        w = {"st": "saint", "ste": "sainte", "res": "residence"}.get(w, w)
        if w.isdigit():
            w = str(int(w))
        elif len(w) > 3 and w.endswith("s"):
            w = w[:-1]
        out.append(w)
    return " ".join(out)


# ------------------------------------------------------------------- territory


def _territory(codes: list[CodeMatch], department: str | None):
    """The department to resolve communes in, and which codes belong to the territory.

    A given department filters out codes of other departments, unless none of the codes
    agrees with it (then the department, not the document, is likely wrong).
    """
    depts = Counter(code_department(m.code) for m in codes)
    given = department_key(department)
    if given and (not depts or given in depts):
        return given, (lambda code: code_department(code) == given)
    inferred = depts.most_common(1)[0][0] if depts else None
    return inferred, (lambda code: True)


def _resolve_all(names: list[str], dept: str | None) -> list[Commune]:
    out = []
    for n in names:
        c = resolve_commune(n, dept)
        if c is not None and c not in out:
            out.append(c)
    return out


def _communes_of(text: str, dept: str | None) -> list[str] | None:
    """The commune names written in ``text`` when it is nothing but communes."""
    if _resolve_communes(text, dept) is None:
        return None
    return split_communes(text)


# ----------------------------------------------------------------------- pages


def _page_lines(page: Page) -> list[tuple[int, str]]:
    if page.lines:
        return [(ln.start, ln.text) for ln in page.lines]
    out, pos = [], 0
    for t in page.text.split("\n"):
        out.append((pos, t))
        pos += len(t) + 1
    return out


def _page_mentions(page: Page, codes: list[CodeMatch], ctx: _Ctx) -> list[_Found]:
    lines = _page_lines(page)
    founds: list[_Found] = []
    blocks = {b[0]: b for b in _table_blocks(lines)}
    done: set[int] = set()
    for li, (start, text) in enumerate(lines):
        if li in blocks:
            block = blocks[li]
            done.update(block)
            header, in_block = _block_header(block, lines, ctx)
            rows = [(i, _codes_on(lines[i], codes)) for i in block]
            if any(c for _, c in rows):
                for i, line_codes in rows:
                    if line_codes:
                        start, text = lines[i]
                        span = (start, start + len(text))
                        cells = text.split("\t")
                        founds += _row_mentions(page, span, cells, line_codes, header, ctx)
            else:
                rows = block[1:] if in_block else block
                founds += _codeless_table(page, lines, block[0], rows, header, ctx)
        elif li not in done and (line_codes := _codes_on((start, text), codes)):
            done.add(li)
            founds += _line_mentions(page, lines, li, line_codes, ctx)
    founds += _prose_mentions(page, lines, done, ctx)
    return founds


def _codes_on(line: tuple[int, str], codes: list[CodeMatch]) -> list[CodeMatch]:
    start, text = line
    return [m for m in codes if start <= m.start <= start + len(text)]


def _provenance(page: Page, start: int, end: int, confidence: float) -> Provenance:
    raw = page.text[start:end]
    return Provenance(
        page=page.number,
        start=start,
        end=end,
        raw=raw,
        extractor=EXTRACTOR,
        confidence=confidence,
        bbox=page.bbox_for(start, end),
    )


def _found(
    page: Page,
    span: tuple[int, int],
    *,
    code: CodeMatch | None,
    name: str | None,
    communes: list[str],
    rank: int,
    confidence: float,
    strong: bool = True,
    status: str = "qpv",
    population: int | None = None,
    income: float | None = None,
) -> _Found:
    if code is not None and code.repaired:
        confidence *= 0.8
    mention = QuartierMention(
        code=code.code if code else None,
        name=name,
        communes=communes,
        provenance=_provenance(page, span[0], span[1], round(confidence, 3)),
        raw_code=code.raw if code else None,
        population=population,
        median_income=income,
        status=status,  # type: ignore[arg-type]
    )
    return _Found(mention, rank, strong, order=(page.number, span[0]))


# ---------------------------------------------------------------------- tables


def _table_blocks(lines: list[tuple[int, str]]) -> list[list[int]]:
    """Runs of consecutive lines whose cells are TAB-separated."""
    blocks: list[list[int]] = []
    current: list[int] = []
    for i, (_, text) in enumerate(lines):
        if "\t" in text:
            current.append(i)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _header_roles(cells: list[str]) -> dict[int, str] | None:
    """Column roles read from header words, or None when ``cells`` is not a header."""
    roles: dict[int, str] = {}
    for i, cell in enumerate(cells):
        h = fold(clean_name(cell) or "")
        if len(h) > 60 or "<li" in cell:
            return None  # a header is a row of short labels
        if not h:
            continue
        if re.search(r"\brevenu|\bmedian", h):
            roles[i] = "income"
        elif re.search(r"\bpopulation|\bhabitants|\bnb d.?hab", h):
            roles[i] = "population"
        elif re.search(r"\bcommunes?\b|^villes?\b", h):
            roles[i] = "communes"
        elif re.search(r"\bquartiers?\b", h) or re.match(
            r"(?:nom|libelle|denomination|intitule|qpv|site|perimetre)\b", h
        ):
            roles[i] = "name+code" if "code" in h else "name"
        elif re.search(r"^code\b|\bcode (?:qpv|quartier|insee)|^identifiant", h):
            roles[i] = "code"
    if not roles:
        return None
    named = any(r.startswith("name") for r in roles.values())
    return roles if named or len(roles) >= 2 else None


def _block_header(
    block: list[int], lines: list[tuple[int, str]], ctx: _Ctx
) -> tuple[dict[int, str], bool]:
    """The header of a table block: its first line, or, for a table continued from the
    previous page, the last header seen with as many cells; empty when unknown (content
    types decide then), and whether the block's first line is that header. Also records
    what the table lists (:attr:`_Ctx.last_status`)."""
    first = lines[block[0]][1]
    cells = [c.strip() for c in first.split("\t")]
    if not find_codes(first):
        roles = _header_roles(cells)
        if roles:
            ctx.last_header, ctx.last_header_width = roles, len(cells)
            ctx.last_status = status_from(first) or _heading_status(lines, block[0])
            return roles, True
    if ctx.last_header and ctx.last_header_width == len(cells) and block[0] <= 3:
        return ctx.last_header, False
    ctx.last_header, ctx.last_status = None, None
    return {}, False


def _heading_status(lines: list[tuple[int, str]], li: int) -> str | None:
    """What the nearest heading above line ``li`` (else the lines just above) says the
    quartiers are: a table of "quartiers de veille" is announced by its section title."""
    for j in range(li - 1, max(-1, li - 16), -1):
        t = _strip_markup(lines[j][1])
        if t and (
            (len(t) <= 100 and not re.search(r"[.,;:]$", t)) or lines[j][1].lstrip().startswith("#")
        ):
            status = status_from(t)
            if status:
                return status
    return status_from(_window(lines, li - 1)) if li > 0 else None


def _int_value(text: str) -> int | None:
    t = clean_name(text) or ""
    t = t.replace("\u202f", " ").replace("\u00a0", " ").strip()
    if not _INT.match(t):
        return None
    return int(re.sub(r"\D", "", t))


def _money_value(text: str) -> float | None:
    t = (clean_name(text) or "").replace("\u202f", " ").replace("\u00a0", " ")
    m = re.search(r"(\d{1,3}(?:[ .]\d{3})+|\d+)(?:,(\d+))?\s*(k€|€|euros?)?", t)
    if not m:
        return None
    value = float(re.sub(r"[ .]", "", m.group(1)) + ("." + m.group(2) if m.group(2) else ""))
    return value * 1000 if m.group(3) == "k€" else value


def _content_roles(cells: list[str], codes: list[CodeMatch], ctx: _Ctx) -> dict[int, str]:
    """Column roles guessed from the cells themselves, for a row without a header."""
    roles: dict[int, str] = {}
    for i, cell in enumerate(cells):
        if any(m.raw in cell for m in codes):
            roles[i] = "name+code"
        elif _communes_of(clean_name(cell) or "", ctx.department):
            roles[i] = "communes"
        elif _MONEY.search(cell):
            roles[i] = "income"
    if not any(r == "name" for r in roles.values()):
        for i, cell in enumerate(cells):
            if i not in roles and _looks_like_name(clean_name(cell) or ""):
                roles[i] = "name"
                break
    return roles


def _row_mentions(
    page: Page,
    span: tuple[int, int],
    cells: list[str],
    codes: list[CodeMatch],
    roles: dict[int, str],
    ctx: _Ctx,
) -> list[_Found]:
    """One mention per code of a table row, with the row's name, communes and figures."""
    header = bool(roles)
    confidence = 0.95 if header else 0.75
    if not roles:
        roles = _content_roles(cells, codes, ctx)
    name = communes = population = income = None
    for i, role in roles.items():
        if i >= len(cells):
            continue
        cell = cells[i]
        if role.startswith("name"):
            stripped = cell
            for m in codes:
                stripped = stripped.replace(m.raw, " ")
            candidate = clean_name(stripped)
            if candidate and not name:
                parts = _split_commune_prefix(candidate, ctx.department)
                if parts:
                    communes, candidate = parts
                # Under a header the name column is a name even when it is a commune's.
                if candidate and (header or _communes_of(candidate, ctx.department) is None):
                    name = candidate
        elif role == "communes":
            communes = _commune_names(cell, ctx) or communes
        elif role == "population":
            population = _int_value(cell)
        elif role == "income":
            income = _money_value(cell)
    seen: set[str] = set()
    out = []
    for m in codes:
        if m.code in seen:
            continue
        seen.add(m.code)
        out.append(
            _found(
                page,
                span,
                code=m,
                name=name,
                communes=list(communes or []),
                rank=RANK_TABLE if confidence > 0.9 else RANK_INLINE,
                confidence=confidence,
                population=population,
                income=income,
            )
        )
    return out


def _table_row(page: Page, m: CodeMatch) -> tuple[list[str], dict[int, str]] | None:
    """The row of ``page.tables`` holding code ``m`` and the roles its table's header
    gives, for a table whose text lines do not carry its cells as TAB-separated."""
    for table in page.tables:
        for r, row in enumerate(table.rows):
            cells = [" ".join((c or "").split()) for c in row]
            if any(m.raw in c for c in cells):
                has_header = r > 0 and not table.continued
                header = [c or "" for c in table.rows[0]] if has_header else []
                return cells, (_header_roles(header) or {}) if header else {}
    return None


def _commune_names(text: str, ctx: _Ctx) -> list[str] | None:
    cleaned = clean_name(text)
    if not cleaned:
        return None
    return _communes_of(cleaned, ctx.department)


def _codeless_table(
    page: Page,
    lines: list[tuple[int, str]],
    first: int,
    rows: list[int],
    roles: dict[int, str],
    ctx: _Ctx,
) -> list[_Found]:
    """Rows of a table of quartiers without codes (veille, QIC, ...), when the header
    has a quartier column and the header or the heading above says what they are."""
    name_col = next((i for i, r in roles.items() if r.startswith("name")), None)
    if name_col is None or ctx.last_status is None or not rows:
        return []
    if rows[0] != first:  # the header is on this page: is its name column about quartiers?
        header = lines[first][1].split("\t")
        label = fold(clean_name(header[name_col] if name_col < len(header) else "") or "")
        if not re.match(r"(?:quartiers?|perimetre|nom du quartier|qpv|qic)\b", label):
            return []
    out = []
    for li in rows:
        start, text = lines[li]
        cells = text.split("\t")
        name = communes = population = None
        for i, role in roles.items():
            cell = cells[i] if i < len(cells) else ""
            if i == name_col:
                name = clean_name(cell)
            elif role == "communes":
                communes = _commune_names(cell, ctx)
            elif role == "population":
                population = _int_value(cell)
        if name and communes is None:
            parts = _split_commune_prefix(name, ctx.department)
            if parts:
                communes, name = parts
        if not name or not _looks_like_name(name, loose=True, max_words=20):
            continue
        if communes is None and _communes_of(name, ctx.department):
            continue  # a sub-row naming a commune, not a quartier
        out.append(
            _found(
                page,
                (start, start + len(text)),
                code=None,
                name=name,
                communes=list(communes or []),
                rank=RANK_CODELESS,
                confidence=0.8,
                status=ctx.last_status,
                population=population,
            )
        )
    return out


# ------------------------------------------------------------------- code lines


def _strip_markup(text: str) -> str:
    s = _TAG.sub(" ", text)
    s = s.replace("**", " ").replace("__", " ").replace("*", " ").replace("`", " ")
    s = re.sub(r"^\s*#+\s*", "", s)
    return re.sub(r"\s+", " ", s).strip()


def _line_mentions(
    page: Page,
    lines: list[tuple[int, str]],
    li: int,
    codes: list[CodeMatch],
    ctx: _Ctx,
) -> list[_Found]:
    """Mentions of the codes on one non-table line: a heading or an inline mention."""
    start, text = lines[li]
    distinct = list(dict.fromkeys(m.code for m in codes))
    if len(distinct) > 1:
        # "Equipements rattachés BILLY-MONTIGNY QP062021 et QP062047": whose name is it?
        return [
            _found(
                page, (m.start, m.end), code=m, name=None, communes=[], rank=RANK_INLINE,
                confidence=0.9,
            )
            for m in {m.code: m for m in codes}.values()
        ]  # fmt: skip
    m = codes[0]
    table_row = _table_row(page, m)
    if table_row is not None:
        cells, roles = table_row
        return _row_mentions(page, (start, start + len(text)), cells, codes, roles, ctx)
    before = text[: m.start - start]
    after = text[m.end - start :]
    prose = len(_strip_markup(text)) > 160 or len(_SENTENCE_END.findall(text)) >= 2
    if prose:
        name, span = _prose_code_context(before, after, start, m)
        communes, rank = None, RANK_INLINE
    else:
        name, communes = _heading_parts(before, after, ctx)
        span = (start, start + len(text))
        rank = RANK_HEADING if name or communes else RANK_INLINE
    return [
        _found(
            page, span, code=m, name=name, communes=communes or [], rank=rank,
            confidence=0.9 if rank == RANK_HEADING else 0.85,
        )
    ]  # fmt: skip


def _heading_parts(before: str, after: str, ctx: _Ctx) -> tuple[str | None, list[str] | None]:
    """Name and communes around a code on a short line.

    "QP062016 - Quartier Saint Elie, Fosse 13 - Hulluch (Haisnes, Douvrin)",
    "QP062021 Commune de Fouquières-lez-Lens", "Cité 2 : QP062026", "AVION QP062019",
    "au Quartier Prioritaire Cité 10 (QP062032)".
    """
    b = _strip_markup(before)
    a = _strip_markup(after)
    if b.endswith("(") and a.startswith(")"):
        b, a = b[:-1].strip(), a[1:].strip()
    name: str | None = None
    communes: list[str] | None = None
    pieces = [p for p in _PIECE_SPLIT.split(a) if p and p.strip(" -–—:")] if a else []
    pieces = [p.strip(" -–—:") for p in pieces]
    while pieces:
        found = _commune_names(pieces[-1], ctx) or _admin_commune(pieces[-1], ctx)
        if found is None:
            break
        communes = found + (communes or [])
        pieces.pop()
    if pieces:
        joined = " - ".join(pieces)
        tail = _name_with_communes(joined, ctx)
        if tail:
            joined, extra = tail
            communes = (communes or []) + extra
        name = clean_name(joined)
    if name is None and b:
        b = b.rstrip(" :–—-")
        q = list(
            re.finditer(
                r"\bquartiers?(?:\s+prioritaires?)?\s+(?:du\s+|de\s+la\s+|des\s+)?", b, re.I
            )
        )
        if q:
            b = b[q[-1].end() :]
        found = _commune_names(b, ctx) or _admin_commune(b, ctx)
        if found is not None:
            communes = (communes or []) + found
        else:
            parts = _split_commune_suffix(b, ctx.department)
            if parts:
                b, extra = parts
                communes = (communes or []) + extra
            candidate = clean_name(b)
            if candidate and _looks_like_name(candidate) and len(candidate.split()) <= 8:
                name = candidate
    return name, communes


def _admin_commune(text: str, ctx: _Ctx) -> list[str] | None:
    """ "Commune de X", "Ville d'X", "VILLE DE X" -> [X]."""
    m = re.match(r"^\s*(?:la\s+)?(?:commune|ville|mairie)\s+(?:de\s+|d['’]\s*)(.+)$", text, re.I)
    if not m:
        return None
    return _commune_names(m.group(1), ctx)


def _name_with_communes(text: str, ctx: _Ctx) -> tuple[str, list[str]] | None:
    """ "Camus (Angres – Liévin)" / "Le Centre à Bruay" -> name and communes."""
    m = re.match(r"^(?P<name>.+?)\s*\((?P<c>[^()]+)\)\s*$", text)
    if m:
        communes = _commune_names(m.group("c"), ctx)
        if communes:
            return m.group("name"), communes
    m = re.match(r"^(?P<name>.+?)\s+(?:à|a)\s+(?P<c>[^()]+)$", text)
    if m:
        communes = _commune_names(m.group("c"), ctx)
        if communes:
            return m.group("name"), communes
    return None


def _prose_code_context(
    before: str, after: str, line_start: int, m: CodeMatch
) -> tuple[str | None, tuple[int, int]]:
    """In running text, only "Name (QP…)" or "quartier Name (QP…)" give a name."""
    clause_start = 0
    for sm in _SENTENCE_END.finditer(before):
        clause_start = sm.end()
    b = before[clause_start:].rstrip()
    end = m.end
    name = None
    if b.endswith("(") and after.lstrip().startswith(")"):
        tokens = _tokens(b[:-1])
        first = _scan_name_back(tokens, len(tokens))
        if first is not None:
            name = clean_name(b[tokens[first][1] : tokens[-1][2]]) if tokens else None
        end = m.end + after.index(")") + 1
    return name, (line_start + clause_start, end)


# ----------------------------------------------------------------------- names


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(t.group(0), t.start(), t.end()) for t in re.finditer(r"\S+", text)]


def _is_cap(word: str) -> bool:
    w = word.lstrip("«\"“'(")
    return bool(w) and (w[0].isupper() or w[0].isdigit())


def _scan_name_back(tokens: list[tuple[str, int, int]], end: int) -> int | None:
    """Index of the first token of the capitalised name that ends before ``end``."""
    i = end - 1
    first = None
    while i >= 0 and end - i <= 8:
        word = tokens[i][0]
        if i < end - 1 and re.search(r"[,;:.!?)»\"”]$", word):
            break
        low = word.lower().replace("’", "'").lstrip("(")
        if word.startswith("("):  # "(cité 12/14 à Lens)": the name opens the bracket
            if _is_cap(word) or low in _HEAD_WORDS:
                first = i
            break
        if low in _HEAD_WORDS:
            first = i  # "la cité du 12-14 de Lens": the head word starts the name
            break
        if _is_cap(word):
            first = i
            if low in {"le", "la", "les"} and i > 0 and _is_cap(tokens[i - 1][0]):
                break  # "... Urbain Le Mont-Liébaut": the name starts at the article
        elif re.match(r"^[ld]'\w", low) and _is_cap(word[2:]):
            first = i  # "l'Alma"
        elif low in _CONNECTORS:
            pass
        else:
            break
        i -= 1
    if first is None:
        return None
    while first < end and tokens[first][0].lower() in _CONNECTORS - _ARTICLES:
        first += 1
    return first if first < end else None


def _looks_like_name(text: str, *, loose: bool = False, max_words: int = 12) -> bool:
    """A quartier-name shape: capitalised words, numbers and connectors only, and not a
    generic word ("Tous les autres quartiers", "Ensemble de la commune", "TOTAL")."""
    words = text.split()
    if not words or len(words) > max_words or not name_key(text):
        return False
    if not re.search(r"[A-Za-zÀ-ÿ]|\d\s?[/-]\s?\d", text):
        return False  # a count, not a name; "3/15" or "12-14" are names
    if re.sub(r"^[ldi]['’]", "", fold(words[0]).strip('«"“(')) in _NOT_A_NAME:
        return False
    if len(words) == 1 and re.fullmatch(r"[A-Z]{2,7}", words[0]):
        return False  # an acronym: CAPH, CALL, QPV
    if loose:
        return True
    for w in words:
        low = w.lower().replace("’", "'")
        if (
            _is_cap(w)
            or low in _CONNECTORS | _HEAD_WORDS
            or low == "et"
            or re.match(r"^[ld]'", low)
        ):
            continue
        if re.fullmatch(r"[\W\d]+", w):
            continue
        return False
    return True


def _split_commune_prefix(text: str, dept: str | None) -> tuple[list[str], str] | None:
    """ "AVION République Cité 4" -> (["AVION"], "République Cité 4"), "BULLY MAZINGARBE
    Les Brebis" -> (["BULLY", "MAZINGARBE"], "Les Brebis"): communes in capitals first."""
    words = text.split()
    caps = 0
    while caps < len(words) - 1 and re.fullmatch(r"[A-ZÀ-Ý][A-ZÀ-Ý'’-]+", words[caps]):
        caps += 1
    communes: list[str] = []
    i = 0
    while i < caps:
        for j in range(caps, i, -1):
            found = _communes_of(" ".join(words[i:j]), dept)
            if found:
                communes += found
                i = j
                break
        else:
            break
    return (communes, " ".join(words[i:])) if communes and i == caps else None


def _split_commune_suffix(text: str, dept: str | None) -> tuple[str, list[str]] | None:
    """ "Equipements ... BILLY-MONTIGNY" -> ("Equipements ...", ["BILLY-MONTIGNY"])."""
    words = text.split()
    caps = 0
    while caps < len(words) and re.fullmatch(r"[A-ZÀ-Ý][A-ZÀ-Ý'’-]+", words[-1 - caps]):
        caps += 1
    for k in range(min(caps, len(words) - 1), 0, -1):
        found = _communes_of(" ".join(words[-k:]), dept)
        if found:
            return " ".join(words[:-k]), found
    return None


# ----------------------------------------------------------------------- prose


def _window(lines: list[tuple[int, str]], li: int, back: int = 2) -> str:
    """The line and the ``back`` non-empty lines above it."""
    out = [lines[li][1]]
    j = li - 1
    while j >= 0 and len(out) <= back:
        if lines[j][1].strip():
            out.append(lines[j][1])
        j -= 1
    return " ".join(reversed(out))


def _commune_after(text: str, pos: int, dept: str | None) -> tuple[list[str], int] | None:
    """A commune written right after ``pos`` (may follow a line break): name and end."""
    m = re.match(r"\s{1,6}", text[pos:])
    if not m:
        return None
    start = pos + m.end()
    words = []
    for w in re.finditer(r"[^\s,;:.()/]+", text[start : start + 80]):
        word = w.group(0)
        if "\n" in text[start + (words[-1].end() if words else 0) : start + w.start()]:
            break
        if not (_is_cap(word) or word.lower() in _CONNECTORS | {"lez", "lès"}):
            break
        words.append(w)
    while words and not _is_cap(words[-1].group(0)):
        words.pop()
    for k in range(min(len(words), 6), 0, -1):
        written = text[start + words[0].start() : start + words[k - 1].end()]
        if resolve_commune(written, dept) is not None:
            return [written], start + words[k - 1].end()
    return None


def _prose_mentions(
    page: Page, lines: list[tuple[int, str]], skip: set[int], ctx: _Ctx
) -> list[_Found]:
    """Codeless mentions in the lines that are neither table rows nor code lines."""
    out: list[_Found] = []
    for li, (start, text) in enumerate(lines):
        if li in skip or "\t" in text or not text.strip():
            continue
        out += _name_communes_heading(page, text, start, ctx)
        if not re.search(
            r"\b(?:quartiers?|QPV|QIC|cit[ée]s?|r[ée]sidences?)\b|\s(?:à|a)\s", text, re.I
        ):
            continue
        window = _window(lines, li)
        items = _place_items(page.text, start, text, ctx)
        out += _items_to_founds(page, text, start, items, window)
        out += _qualified_mentions(page, text, start, window, items, ctx)
    return out


@dataclass(slots=True)
class _Item:
    name: str
    communes: list[str]
    start: int  # offsets in page text
    end: int
    prefix: str  # the text of the line before the name


def _place_items(page_text: str, start: int, text: str, ctx: _Ctx) -> list[_Item]:
    """ "Name à Commune" pieces of a line ("Le Mont-Liébaut à Béthune"); "Name de
    Commune" too ("République d'Avion") when the line speaks of quartiers or cités."""
    items = []
    tokens = _tokens(text)
    with_de = bool(re.search(r"\b(?:quartiers?|cit[ée]s?|r[ée]sidences?)\b", text, re.I))
    for ti, (word, _, w_end) in enumerate(tokens):
        low = word.lower().replace("’", "'")
        glued = re.match(r"^d'\w", low)
        if low not in {"à", "a"} and not (with_de and (low in {"de", "d'"} or glued)):
            continue
        first = _scan_name_back(tokens, ti)
        if first is None:
            continue
        if glued:  # "d'Avion": the commune is glued to the apostrophe
            written = word[2:].rstrip(",;:.")
            found = ([written], start + w_end) if resolve_commune(written, ctx.department) else None
        else:
            found = _commune_after(page_text, start + w_end, ctx.department)
        if not found:
            continue
        name = clean_name(re.sub(r"^[ld]['’]", "", text[tokens[first][1] : tokens[ti - 1][2]]))
        if not name or not _looks_like_name(name) or _communes_of(name, ctx.department):
            continue
        items.append(
            _Item(name, found[0], start + tokens[first][1], found[1], text[: tokens[first][1]])
        )
    return items


def _groups(items: list[_Item], page_text: str) -> list[list[_Item]]:
    """Items chained by "et", ",", "/": one enumeration."""
    groups: list[list[_Item]] = []
    for it in items:
        if groups:
            gap = page_text[groups[-1][-1].end : it.start]
            if re.fullmatch(r"\s*(?:,|/|;|et|ainsi que|-|–)?\s*", gap, re.I):
                groups[-1].append(it)
                continue
        groups.append([it])
    return groups


def _items_to_founds(
    page: Page, text: str, start: int, items: list[_Item], window: str
) -> list[_Found]:
    """Mentions from "Name à Commune" enumerations that are about quartiers: after
    "quartier(s)", as a title line, or headed by "cité"/"résidence" (those only join)."""
    out = []
    line_end = start + len(text)
    for group in _groups(items, page.text):
        head = group[0]
        qualified = _QUALIFIER.search(head.prefix)
        at_line_end = not re.search(r"\w", page.text[group[-1].end : line_end])
        prefix = _strip_markup(head.prefix)
        title = at_line_end and (not prefix or re.search(r"[):–—-]$", prefix))
        # "la cité du 12-14 de Lens" names a place, not necessarily a priority quartier.
        headed = fold(head.name.split()[0]).lstrip("(") in _HEAD_WORDS
        if not (qualified or title or headed):
            continue
        status = status_from(qualified.group(0) if qualified else "") or status_from(window)
        strong = status is not None and bool(qualified or title)
        for it in group:
            out.append(
                _found(
                    page,
                    (it.start, it.end),
                    code=None,
                    name=it.name,
                    communes=it.communes,
                    rank=RANK_CODELESS,
                    confidence=0.7 if strong else 0.5,
                    strong=strong,
                    status=status or "qpv",
                )
            )
    return out


def _qualified_mentions(
    page: Page, text: str, start: int, window: str, items: list[_Item], ctx: _Ctx
) -> list[_Found]:
    """ "le quartier prioritaire des Provinces", "Quartier Mont Liébaut - BETHUNE"."""
    out = []
    taken = [(it.start, it.end) for it in items]
    for q in re.finditer(
        r"\b(?P<word>quartier|QPV|QIC)(?P<kind>(?:\s+(?:prioritaire|de\s+veille(?:\s+active)?|"
        r"en\s+veille(?:\s+active)?|d['’]\s?int[ée]r[eê]t\s+communautaire|NPNRU|ANRU|PNRU))*)"
        r"(?:\s+(?:du|de\s+la|des|de)\s+|\s+(?:de\s+l|d)['’]\s*|\s+)",
        text,
        re.I,
    ):
        rest = text[q.end() :]
        year = re.match(r"(?:19|20)\d\d\s+", rest)  # "Contrat Quartiers 2030 « X »"
        skip = q.end() + (year.end() if year else 0)
        rest = text[skip:]
        if not rest.strip() or not _is_cap(rest.split()[0]):
            continue
        abs_start = start + skip
        if any(s <= abs_start < e for s, e in taken):
            continue
        name, communes, end = _name_forward(rest, ctx)
        if not name or not _looks_like_name(name) or _communes_of(name, ctx.department):
            continue
        if fold(name.split()[0]) in {"politique", "ville"}:
            continue
        kind = q.group("kind") or ""
        status = status_from(q.group("word") + kind) or status_from(window)
        # A lone common-looking word after "QPV" ("des QPV Usagers") is not enough.
        distinctive = bool(communes) or len(name.split()) > 1 or bool(re.search(r"[-\d]", name))
        strong = status is not None and distinctive
        out.append(
            _found(
                page,
                (start + q.start(), abs_start + end),
                code=None,
                name=name,
                communes=communes,
                rank=RANK_CODELESS,
                confidence=0.7 if strong else 0.5,
                strong=strong,
                status=status or "qpv",
            )
        )
    return out


def _name_forward(rest: str, ctx: _Ctx) -> tuple[str | None, list[str], int]:
    """The capitalised name at the start of ``rest``, the communes written after it
    ("- BETHUNE" ending a heading, "à Béthune"), and where the mention ends."""
    tokens = _tokens(rest)
    last, communes, end = -1, [], None
    for i, (word, _, word_end) in enumerate(tokens[:10]):
        low = word.lower().replace("’", "'")
        if re.fullmatch(rf"{_DASH}+", word):
            tail = rest[word_end:].strip()
            found = _commune_names(tail, ctx) or _admin_commune(tail, ctx)
            if found:
                communes, end = found, len(rest.rstrip())
                break
            if last >= 0 and i + 1 < len(tokens) and _is_cap(tokens[i + 1][0]):
                continue  # "Cité 10 - Fond de Sains"
            break
        if word.startswith("(") and last >= 0:  # "Name (Commune, Commune)"
            close = rest.find(")", tokens[i][1])
            found = _commune_names(rest[tokens[i][1] + 1 : close], ctx) if close > 0 else None
            if found:
                communes, end = found, close + 1
            break
        if low in {"à", "a"} and last >= 0:
            after = _commune_after(rest, word_end, ctx.department)
            if after:
                communes, end = after
            break
        if not (_is_cap(word) or (last >= 0 and low in _CONNECTORS - {"l'", "d'"})):
            break
        last = i
        if re.search(r"[,;:.!?)»\"”]$", word):
            break
    while last >= 0 and tokens[last][0].lower() in _CONNECTORS:
        last -= 1
    if last < 0:
        return None, [], 0
    name_text = rest[: tokens[last][2]]
    if not communes:
        parts = _name_with_communes(name_text, ctx)
        if parts:
            name_text, communes = parts
    return clean_name(name_text), communes, end or tokens[last][2]


def _name_communes_heading(page: Page, text: str, start: int, ctx: _Ctx) -> list[_Found]:
    """A short heading "Name (Commune, Commune)": may only join an existing quartier."""
    s = _strip_markup(text)
    if len(s) > 100 or "(" not in s:
        return []
    parts = _name_with_communes(s, ctx)
    if not parts:
        return []
    name = clean_name(parts[0])
    if not name or not _looks_like_name(name, loose=True) or _communes_of(name, ctx.department):
        return []
    return [
        _found(
            page, (start, start + len(text)), code=None, name=name, communes=parts[1],
            rank=RANK_CODELESS, confidence=0.5, strong=False,
        )
    ]  # fmt: skip


# ------------------------------------------------------------------- successors


_SUCCESSION_CUE = re.compile(
    r"anciennement|ancien|\bex-|remplac|succ[eè]d|devient|deviennent|fusion|issu|→|->|=>", re.I
)


def _successor_links(page: Page, codes: list[CodeMatch]) -> list[tuple[str, str]]:
    """(2015 code, 2024 code) pairs a row or sentence states."""
    links = []
    text = page.text
    for unit in re.finditer(r"[^\n]+", text):
        in_unit = [m for m in codes if unit.start() <= m.start < unit.end()]
        qn = {m.code for m in in_unit if m.code.startswith("QN")}
        qp = [m.code for m in in_unit if m.code.startswith("QP")]
        if len(qn) != 1 or not qp:
            continue
        line = unit.group(0)
        if "\t" in line or _SUCCESSION_CUE.search(line):
            links += [(p, next(iter(qn))) for p in dict.fromkeys(qp)]
    return links


# ---------------------------------------------------------------------- merging


@dataclass(slots=True)
class _Entity:
    code: str | None
    founds: list[_Found]

    @property
    def insee(self) -> set[str]:
        return {i for f in self.founds for i in f.insee}

    @property
    def keys(self) -> set[str]:
        return {name_key(f.mention.name) for f in self.founds if f.mention.name} - {""}


def _match_score(f: _Found, e: _Entity) -> float:
    """How well a codeless mention fits an entity; 0 when it does not.

    Names must be close (token order and "du"/"de" aside), or one must be contained in
    the other ("Vent de Bise" in "Calonne - Marichelles - Vent De Bise"); containment
    needs the same commune, or two distinctive shared words when communes are unknown.
    A commune conflict rules the match out.
    """
    name = f.mention.name or ""
    pieces = [p for p in _PIECE_SPLIT.split(name) if p.strip()]
    keys = {name_key(name)} | ({name_key(p) for p in pieces} if len(pieces) > 1 else set())
    keys.discard("")
    mine, theirs = f.insee, e.insee
    if not keys or (mine and theirs and not mine & theirs):
        return 0.0
    agree = bool(mine & theirs)
    best = 0.0
    for key in keys:
        for other in e.keys:
            score = fuzz.token_sort_ratio(key, other)
            shared = set(key.split()) & set(other.split()) - _WEAK_TOKENS
            if len(shared) >= (1 if agree else 2) and fuzz.token_set_ratio(key, other) >= 95:
                score = max(score, 90.0)
            best = max(best, score)
    threshold = 80.0 if agree else 88.0
    return best + (10.0 if agree else 0.0) if best >= threshold else 0.0


def _merge(founds: list[_Found]) -> list[_Entity]:
    by_code: dict[str, _Entity] = {}
    for f in founds:
        if f.mention.code:
            by_code.setdefault(f.mention.code, _Entity(f.mention.code, [])).founds.append(f)
    entities = list(by_code.values())
    codeless = sorted(
        (f for f in founds if not f.mention.code and f.mention.name),
        key=lambda f: (not f.strong, -f.rank, f.order),
    )
    loose: list[_Entity] = []
    for f in codeless:
        scored = sorted(
            ((_match_score(f, e), k) for k, e in enumerate(entities + loose)), reverse=True
        )
        if scored and scored[0][0] > 0 and (len(scored) < 2 or scored[0][0] > scored[1][0]):
            (entities + loose)[scored[0][1]].founds.append(f)
        elif f.strong:
            loose.append(_Entity(None, [f]))
    has_codes = bool(entities)
    for e in loose:
        if has_codes and _status(e) == "qpv":
            continue  # the document's code list is its QPV list
        entities.append(e)
    for e in entities:
        e.founds.sort(key=lambda f: f.order)
    # In the order of their best mentions: the QPV table's order when there is one.
    entities.sort(key=lambda e: min((-f.rank, f.order) for f in e.founds))
    return entities


def _status(e: _Entity) -> str:
    if e.code:
        return "qpv"
    strong = [f.mention.status for f in e.founds if f.strong]
    return (strong or [e.founds[0].mention.status])[0]


def _build(e: _Entity, successors: dict[str, str], dept: str | None) -> Quartier:
    """The record of one entity: the name of its most trusted mention (the QPV table's
    row over a heading over prose), the other spellings as aliases, figures only where a
    row gave them."""
    named = [f for f in e.founds if f.mention.name]
    key_count = Counter(name_key(f.mention.name or "") for f in named)
    best = min(
        named,
        key=lambda f: (-f.rank, -key_count[name_key(f.mention.name or "")], f.order),
        default=None,
    )
    name = best.mention.name if best else None
    aliases: list[str] = []
    seen = {fold(name or "")}
    for f in named:
        n = f.mention.name or ""
        if fold(n) not in seen:
            seen.add(fold(n))
            aliases.append(n)
    communes, insee = _entity_communes(e, dept)
    by_rank = sorted(e.founds, key=lambda f: -f.rank)
    population = next((f.mention.population for f in by_rank if f.mention.population), None)
    income = next((f.mention.median_income for f in by_rank if f.mention.median_income), None)
    return Quartier(
        code=e.code,
        name=name,
        communes=communes,
        status=_status(e),  # type: ignore[arg-type]
        mentions=[f.mention for f in e.founds],
        population=population,
        median_income=income,
        commune_insee=insee,
        aliases=aliases,
        successor_code=successors.get(e.code or ""),
    )


def _entity_communes(e: _Entity, dept: str | None) -> tuple[list[str], list[str]]:
    """Communes as the document writes them (the table first, then headings); for a
    coded quartier, codeless look-alikes do not add communes."""
    sources = [f for f in e.founds if f.mention.communes and (not e.code or f.mention.code)]
    sources.sort(key=lambda f: (-f.rank, f.order))
    names: list[str] = []
    insee: list[str] = []
    seen: set[str] = set()
    for f in sources:
        for written in f.mention.communes:
            commune = resolve_commune(written, dept)
            ident = commune.insee if commune else commune_key(written)
            if ident in seen:
                continue
            seen.add(ident)
            names.append(_display(written, commune))
            if commune:
                insee.append(commune.insee)
    return names, insee


def _display(written: str, commune: Commune | None) -> str:
    """The document's spelling, unless it is all capitals or a short form."""
    if commune is None:
        return written
    if written.isupper() or fuzz.ratio(commune_key(written), commune_key(commune.name)) < 85:
        return commune.name
    return written
