"""2015 -> 2024 code links a document states.

The 2024 reform replaced the QP codes by QN codes; a document that puts one QN code
and QP codes in the same table row, or in a sentence with a succession word
("anciennement", "remplace", "->"), says which old quartier the new one continues.
"""

from __future__ import annotations

import re

from schemas.records import Page

from ..qpv_codes import CodeMatch

_SUCCESSION_CUE = re.compile(
    r"anciennement|ancien|\bex-|remplac|succ[eè]d|devient|deviennent|fusion|issu|→|->|=>", re.I
)


def successor_links(page: Page, codes: list[CodeMatch]) -> list[tuple[str, str]]:
    """(2015 code, 2024 code) pairs a row or sentence states."""
    links = []
    for unit in re.finditer(r"[^\n]+", page.text):
        in_unit = [m for m in codes if unit.start() <= m.start < unit.end()]
        qn = {m.code for m in in_unit if m.code.startswith("QN")}
        qp = [m.code for m in in_unit if m.code.startswith("QP")]
        if len(qn) != 1 or not qp:
            continue
        line = unit.group(0)
        if "\t" in line or _SUCCESSION_CUE.search(line):
            links += [(p, next(iter(qn))) for p in dict.fromkeys(qp)]
    return links
