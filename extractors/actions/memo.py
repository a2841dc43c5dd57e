"""Operations listed "pour mémoire" (p.m.): named for the record, outside the programme.

French budgets and programmes close a list with the operations they mention without
counting them: "p.m. : hors QPV / MERICOURT Picasso Neruda 46 logements (1,6M€)".
When the line names a commune's site it is still a named operation: its title is the
site as written with the reason and the mention kept in brackets ("MERICOURT Picasso
Neruda 46 logements (hors QPV, pour mémoire)"), its amount the one on the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.actions.context import heading_before
from extractors.actions.line_kinds import commune_at_start
from extractors.actions.rows import Doc, first_amount, provenance, tidy, without_amounts
from extractors.communes import resolve_commune
from schemas.records import Action

# "p.m. :", "P.M. -", "Pour mémoire :" opening a line.
_MEMO = re.compile(r"^\W*(?:p\.\s?m\.?|pour m[ée]moire)\s*[:\-–]\s*", re.I)
# "hors QPV / …": why the operation is only mentioned, before a slash.
_REASON = re.compile(r"^(?P<reason>[^/]{2,40}?)\s*/\s*")


def memo_actions(d: Doc) -> Iterator[Action]:
    """A "p.m. : [reason /] <commune> <site>" line, wrapped over two lines at most."""
    for i, row in enumerate(d.rows):
        if i in d.used or row.blank or row.is_table:
            continue
        if not _MEMO.match(row.text):
            continue
        rows = [row]
        nxt = d.rows[i + 1] if i + 1 < len(d.rows) else None
        if nxt is not None and nxt.text[:1].islower() and not _MEMO.match(nxt.text):
            rows.append(nxt)
        text = _MEMO.sub("", " ".join(without_amounts(r) for r in rows), count=1)
        reason = _REASON.match(text)
        site = tidy(text[reason.end() :] if reason else text).strip("*_ ")
        found = commune_at_start(site, d.department)
        if found is None or not found[1].strip():
            continue
        commune = resolve_commune(found[0], d.department)
        note = f"{tidy(reason['reason'])}, pour mémoire" if reason else "pour mémoire"
        d.used.update(r.index for r in rows)
        yield Action(
            title=f"{site} ({note})",
            provenance=provenance(rows, 0.6),
            commune=commune.name if commune else found[0],
            amount_eur=next((first_amount(r) for r in rows if r.amounts), None),
            theme=heading_before(d, i),
        )
