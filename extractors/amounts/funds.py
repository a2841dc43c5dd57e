"""Named funds and who finances them, learned once per document.

A document names its funds ("Fonds de Cohésion Sociale", "Fonds de Participation des
Habitants") next to their funder once — a column header "CABBALR « Fonds de Cohésion
Sociale »", a sentence "subvention de la Région au titre du Fonds de ..." — and then
heads a slide or a list with the fund's name alone. The amounts under that name are
the funder's money.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.amounts.context import Context
from extractors.amounts.funders import detect_funder, header_funder
from extractors.amounts.layout import Layout
from extractors.amounts.text import cells, clean
from extractors.folding import fold

# A fund's proper name: "Fonds" and the capitalised words (with their particles) after it.
_FUND = re.compile(
    r"\bFonds\s+(?:(?:de|d'|d’|des|du|la|l'|l’|et|à)\s*)*[A-ZÀ-Ý][\w’'-]*"
    r"(?:\s+(?:(?:de|d'|d’|des|du|la|l'|l’|et|à)\s*)*[A-ZÀ-Ý][\w’'-]*)*"
)
_TRAILING_PARTICLES = re.compile(r"(?:\s+(?:de|d'|des|du|la|l'|le|les|et|a))*\s*$")


@dataclass(slots=True)
class FundIndex:
    """Folded fund name -> the funder named with it."""

    funders: dict[str, str] = field(default_factory=dict)

    def funder_of(self, ctx: Context) -> str | None:
        """The funder of the nearest fund the amount's clause or section names; None when
        that fund was never named with its funder."""
        if not self.funders:
            return None
        for text in (ctx.left, *ctx.section, ctx.heading or "", *ctx.titles):
            folded = fold(text)
            known = [name for fund, name in self.funders.items() if fund in folded]
            if known:
                return known[0]
            if _FUND.search(clean(text)):
                return None
        return None


def learn_funds(layout: Layout) -> FundIndex:
    """Funds named in the same header cell or sentence as their funder."""
    index = FundIndex()
    for line in layout.lines:
        if "Fonds" not in line.text:
            continue
        spans = cells(line.text)
        for start, end in spans:
            text = clean(line.text[start:end])
            funds = _FUND.findall(text)
            if not funds:
                continue
            name = (header_funder(text) if len(spans) > 1 else None) or detect_funder(text)
            if name:
                for fund in funds:
                    index.funders.setdefault(_without_funder(fold(fund), fold(name)), name)
    return index


def _without_funder(fund: str, funder: str) -> str:
    """The fund's name without its funder ("fonds de concours ... de la communaute
    d'agglomeration" -> "fonds de concours ...")."""
    at = fund.find(funder)
    if at <= 0:
        return fund
    return _TRAILING_PARTICLES.sub("", fund[:at])
