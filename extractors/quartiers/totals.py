"""A scanned table's printed total, used to repair one misread count.

OCR reads the vertical rule beside a figure as a "1" often enough ("13780" for
"3780"), and nothing in the cell tells the two apart. The table's own total does:
when the counts read do not add up to the total printed under them, and exactly one
row, read without a leading or trailing "1", makes them add up, that reading is
taken and the mention's confidence lowered. Without a total, or without a single
such reading, the figures stay as OCR read them. Born-digital rows are never
repaired: a text layer does not misread, a mismatch there is the document's own.
"""

from __future__ import annotations

import re

from schemas.records import Line

from .mentions import Context, Found, Roles
from .numbers import int_value, plain_figure

_REPAIRED_CONFIDENCE = 0.8


def follow_table(ctx: Context, roles: Roles, founds: list[Found], tail: list[Line]) -> None:
    """Record the scanned rows of a table block (a table continued over a page break,
    with the same columns, keeps its earlier rows), and check them against a total
    printed in ``tail``, the block's lines after its last row."""
    columns = tuple(role for _, role in sorted(roles.items()) if role != "other")
    if columns != ctx.table_columns:
        ctx.table_columns, ctx.table_rows = columns, []
    ctx.table_rows += [f for f in founds if f.count_cell is not None]
    counts = sorted(f.mention.population or 0 for f in ctx.table_rows)
    totals = _printed_totals(tail, counts[len(counts) // 2] if counts else 0)
    if totals and ctx.table_rows:
        _repair(ctx.table_rows, totals)
        ctx.table_rows = []


def _printed_totals(tail: list[Line], median: int) -> list[int]:
    """Numbers standing alone in a cell below the rows, larger than a typical row's
    count (not a page number; maybe smaller than a misread count)."""
    out = []
    for line in tail:
        for cell in line.text.split("\t"):
            value = int_value(cell)
            if value is not None and value > median:
                out.append(value)
    return out


def _repair(founds: list[Found], totals: list[int]) -> None:
    """Take the single rule-free reading that makes the rows add up to a total."""
    rows: dict[tuple[int, int], list[Found]] = {}
    for f in founds:  # a row naming two codes gave two mentions
        rows.setdefault((f.mention.provenance.page, f.mention.provenance.start), []).append(f)
    values = [fs[0].mention.population for fs in rows.values()]
    known = [v for v in values if v is not None]
    for total in totals:
        if len(known) == len(values) and sum(known) == total:
            return  # the counts add up
        options = []
        for k, fs in enumerate(rows.values()):
            others = [v for j, v in enumerate(values) if j != k]
            if None in others:
                continue
            rest = sum(v for v in others if v is not None)
            options += [(fs, alt) for alt in _rule_readings(fs[0]) if rest + alt == total]
        if len(options) == 1:
            fs, alt = options[0]
            for f in fs:
                f.mention.population = alt
                prov = f.mention.provenance
                prov.confidence = round(prov.confidence * _REPAIRED_CONFIDENCE, 3)
            return


def _rule_readings(f: Found) -> list[int]:
    """The count without the "1" a rule may have left at either end of its cell."""
    digits = re.sub(r"\D", "", plain_figure(f.count_cell or ""))
    out = []
    if len(digits) >= 2 and digits[0] == "1":
        out.append(int(digits[1:]))
    if len(digits) >= 2 and digits[-1] == "1":
        out.append(int(digits[:-1]))
    return out
