"""The entry point: every page read for mentions, then mentions merged into quartiers.

Each line of a page is read once, by the most specific reader that applies: a block
of TAB-separated lines as a table, a line carrying a code as a heading or inline
mention, the remaining lines as prose. Codes outside the territory's department are
dropped first, so that a neighbouring agglomeration's quartier cited in passing does
not enter the list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from schemas.records import Line, Page, ParsedDocument, Quartier

from ..communes import department_key
from ..qpv_codes import CodeMatch, code_department, find_codes
from .code_lines import line_mentions
from .headers import block_header
from .mentions import Context, Found, Lines, codes_on, page_lines
from .merge import merge
from .places import resolve_all
from .prose import prose_mentions
from .rows import coded_row_mentions, codeless_table
from .successors import successor_links
from .totals import follow_table
from .wraps import group_rows, table_blocks


def extract_quartiers(doc: ParsedDocument, *, department: str | None = None) -> list[Quartier]:
    """Every priority neighbourhood of ``doc``, one :class:`Quartier` per entity."""
    codes_by_page = {p.number: find_codes(p.text) for p in doc.pages}
    all_codes = [m for ms in codes_by_page.values() for m in ms]
    dept, keep_code = _territory(all_codes, department)
    ctx = Context(department=dept)
    founds: list[Found] = []
    links: list[tuple[str, str]] = []
    for page in doc.pages:
        codes = [m for m in codes_by_page[page.number] if keep_code(m.code)]
        founds += _page_mentions(page, codes, ctx)
        links += successor_links(page, codes)
    for f in founds:
        f.resolved = resolve_all(f.mention.communes, dept)
    return merge(founds, dict(links), dept)


def _territory(
    codes: list[CodeMatch], department: str | None
) -> tuple[str | None, Callable[[str], bool]]:
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


def _page_mentions(page: Page, codes: list[CodeMatch], ctx: Context) -> list[Found]:
    lines = page_lines(page)

    def has_code(line: Line) -> bool:
        return bool(codes_on(line, codes))

    founds: list[Found] = []
    blocks = {b[0]: b for b in table_blocks(lines, has_code)}
    done: set[int] = set()
    for li, line in enumerate(lines):
        if li in blocks:
            done.update(blocks[li])
            founds += _table_mentions(page, lines, blocks[li], codes, has_code, ctx)
        elif li not in done and (line_codes := codes_on(line, codes)):
            done.add(li)
            founds += line_mentions(page, lines, li, line_codes, ctx)
    founds += prose_mentions(page, lines, done, ctx.department)
    return founds


def _table_mentions(
    page: Page,
    lines: Lines,
    block: list[int],
    codes: list[CodeMatch],
    has_code: Callable[[Line], bool],
    ctx: Context,
) -> list[Found]:
    """The rows of one table block: coded rows if it has any (the QPV table, checked
    against its printed total), else the rows of a codeless table."""
    header, in_block = block_header(block, lines, ctx)
    rows = group_rows(lines, block, has_code)
    coded = [r for r in rows if has_code(r.line)]
    if not coded:
        header_line = lines[block[0]] if in_block else None
        return codeless_table(page, header_line, rows[1:] if in_block else rows, header, ctx)
    table: list[Found] = []
    for row in coded:
        table += coded_row_mentions(page, row, codes_on(row.line, codes), header, ctx)
    end = max(f.mention.provenance.end for f in table)
    follow_table(ctx, header, table, [lines[i] for i in block if lines[i].start >= end])
    return table
