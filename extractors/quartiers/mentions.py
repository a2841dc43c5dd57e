"""A mention being read: the record, how far it can be trusted, and the reading state.

Tables, heading lines and prose each turn what they read into a :class:`Found`: the
:class:`~schemas.records.QuartierMention` with its provenance, plus what merging needs
(the rank of the source, whether it may found an entity on its own, the communes it
resolved to). :class:`Context` carries what a page hands the next one (the
department, the header of a table that continues).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.records import Line, Page, Provenance, QuartierMention

from ..communes import Commune
from ..qpv_codes import CodeMatch

EXTRACTOR = "quartiers"

# How much a mention's name and communes can be trusted, best first.
RANK_TABLE, RANK_HEADING, RANK_INLINE, RANK_CODELESS = 3, 2, 1, 0

Roles = dict[int, str]  # table column -> "name", "name+code", "code", "communes", ..., "other"
Lines = list[Line]  # a page's visual lines, with their boxes when the parser gave them


@dataclass(slots=True)
class Found:
    """A mention plus what merging needs: its rank, whether it may found an entity."""

    mention: QuartierMention
    rank: int
    strong: bool = True
    resolved: list[Commune] = field(default_factory=list)
    order: tuple[int, int] = (0, 0)
    # The population cell as OCR read it: a printed total may repair a misread.
    count_cell: str | None = None

    @property
    def insee(self) -> set[str]:
        return {c.insee for c in self.resolved}


@dataclass(slots=True)
class Context:
    """Per-document state: department, table headers carried across page breaks."""

    department: str | None
    last_header: dict[int, str] | None = None
    last_header_width: int = 0
    last_status: str | None = None
    # The scanned rows of the table being read, until its total: see :mod:`.totals`.
    table_columns: tuple[str, ...] = ()
    table_rows: list[Found] = field(default_factory=list)


def page_lines(page: Page) -> Lines:
    """The page's visual lines, from its layout when it has one."""
    if page.lines:
        return page.lines
    out, pos = [], 0
    for t in page.text.split("\n"):
        out.append(Line(text=t, start=pos))
        pos += len(t) + 1
    return out


def window(lines: Lines, li: int, back: int = 2) -> str:
    """The line and the ``back`` non-empty lines above it."""
    out = [lines[li].text]
    j = li - 1
    while j >= 0 and len(out) <= back:
        if lines[j].text.strip():
            out.append(lines[j].text)
        j -= 1
    return " ".join(reversed(out))


def codes_on(line: Line, codes: list[CodeMatch]) -> list[CodeMatch]:
    """The codes written on one line."""
    return [m for m in codes if line.start <= m.start <= line.end]


def provenance(page: Page, start: int, end: int, confidence: float) -> Provenance:
    """Where ``page.text[start:end]`` was read, with its box."""
    return Provenance(
        page=page.number,
        start=start,
        end=end,
        raw=page.text[start:end],
        extractor=EXTRACTOR,
        confidence=confidence,
        bbox=page.bbox_for(start, end),
    )


def found(
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
) -> Found:
    """A :class:`Found` for the mention read at ``span``; a repaired code costs trust."""
    if code is not None and code.repaired:
        confidence *= 0.8
    mention = QuartierMention(
        code=code.code if code else None,
        name=name,
        communes=communes,
        provenance=provenance(page, span[0], span[1], round(confidence, 3)),
        raw_code=code.raw if code else None,
        population=population,
        median_income=income,
        status=status,  # type: ignore[arg-type]
    )
    return Found(mention, rank, strong, order=(page.number, span[0]))
