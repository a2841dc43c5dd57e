"""Typed records that flow through the pipeline.

PDF -> :class:`ParsedDocument` (pages with text, lines and tables, each with
positions) -> extractors (pure functions returning the records below, each with a
:class:`Provenance`) -> loader -> SQLite.

These dataclasses are the contract between stages: parsing fills the first group,
extractors the second, the loader and the export read both. Coordinates are PDF
points with the origin at the top-left corner of the page (pdfplumber's
convention); character offsets index ``Page.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points
PageMethod = Literal["text", "ocr"]


# --------------------------------------------------------------------------- parsing


@dataclass(slots=True)
class Line:
    """One visual line of a page.

    ``text`` is the line as it appears in ``Page.text`` (cells of a table row that are
    far apart horizontally are separated by a TAB), ``start`` its offset there.
    """

    text: str
    start: int
    bbox: BBox | None = None
    confidence: float | None = None  # OCR mean word confidence (0-100), None for text

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def cells(self) -> list[str]:
        return [c.strip() for c in self.text.split("\t")]


@dataclass(slots=True)
class Table:
    """A table found on one page: rows of cell strings (None for an empty cell)."""

    page: int
    rows: list[list[str | None]]
    bbox: BBox | None = None
    # True when the first row continues a table from the previous page (no header).
    continued: bool = False


@dataclass(slots=True)
class Page:
    """A page's normalised text, how it was obtained, and its layout."""

    number: int  # 1-based
    text: str
    method: PageMethod
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    confidence: float | None = None  # OCR mean confidence (0-100)

    def bbox_for(self, start: int, end: int) -> BBox | None:
        """Union of the boxes of the lines overlapping ``[start, end)``."""
        boxes = [ln.bbox for ln in self.lines if ln.bbox and ln.start < end and ln.end > start]
        if not boxes:
            return None
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    def line_at(self, offset: int) -> Line | None:
        for ln in self.lines:
            if ln.start <= offset <= ln.end:
                return ln
        return None


@dataclass(slots=True)
class ParsedDocument:
    """A PDF turned into pages. ``sha256`` of the file bytes is the document's identity."""

    sha256: str
    path: str
    file_name: str
    pages: list[Page]
    producer: str | None = None
    title: str | None = None
    file_size: int = 0
    # One line per page-level problem that did not stop parsing (OCR refused or timed out).
    warnings: list[str] = field(default_factory=list)

    @property
    def kind(self) -> Literal["text", "scan", "mixed"]:
        methods = {p.method for p in self.pages}
        if methods == {"ocr"}:
            return "scan"
        if "ocr" in methods:
            return "mixed"
        return "text"

    @property
    def stem(self) -> str:
        return self.file_name.rsplit(".", 1)[0]


# ------------------------------------------------------------------------ extraction


@dataclass(slots=True)
class Provenance:
    """Where a value was read: page, character span in ``Page.text``, box, raw string."""

    page: int
    start: int
    end: int
    raw: str
    extractor: str
    confidence: float = 1.0
    bbox: BBox | None = None


QuartierStatus = Literal["qpv", "veille_active", "qic", "other"]


@dataclass(slots=True)
class QuartierMention:
    """One place where the document names a priority neighbourhood."""

    code: str | None  # validated, repaired code (QP062016 / QN05953M) or None
    name: str | None
    communes: list[str]
    provenance: Provenance
    raw_code: str | None = None  # the code as written (e.g. "QPO62027")
    population: int | None = None
    median_income: float | None = None
    status: QuartierStatus = "qpv"


@dataclass(slots=True)
class Quartier:
    """One neighbourhood entity, merged from all its mentions in a document."""

    code: str | None
    name: str | None
    communes: list[str]
    status: QuartierStatus
    mentions: list[QuartierMention]
    population: int | None = None
    median_income: float | None = None
    commune_insee: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    successor_code: str | None = None  # 2015 -> 2024 link when the document states one

    @property
    def generation(self) -> int | None:
        if not self.code:
            return None
        return 2015 if self.code.startswith("QP") else 2024


AmountKind = Literal[
    "total", "breakdown", "grant", "envelope", "budget", "price", "threshold", "other"
]


@dataclass(slots=True)
class Amount:
    value_eur: float
    provenance: Provenance
    kind: AmountKind = "other"
    label: str | None = None
    year: int | None = None
    funder: str | None = None
    recipient: str | None = None


@dataclass(slots=True)
class Action:
    title: str
    provenance: Provenance
    operator: str | None = None
    commune: str | None = None
    amount_eur: float | None = None
    year: int | None = None
    theme: str | None = None


PartnerKind = Literal[
    "state",
    "state_agency",
    "region",
    "department",
    "epci",
    "commune",
    "caf",
    "health",
    "employment",
    "housing_provider",
    "bank",
    "justice",
    "education",
    "association",
    "chamber",
    "other",
]
PartnerRole = Literal["signatory", "funder", "partner", "operator"]


@dataclass(slots=True)
class Partner:
    name: str  # as written
    canonical: str
    kind: PartnerKind
    role: PartnerRole
    provenance: Provenance
    siret: str | None = None
    mentions: list[Provenance] = field(default_factory=list)


DocType = Literal[
    "rapport_annuel",
    "contrat_de_ville",
    "contrat_quartiers_2030",
    "deliberation",
    "presentation",
    "other",
]


@dataclass(slots=True)
class DocumentFacts:
    doc_type: DocType = "other"
    territory: str | None = None
    territory_acronym: str | None = None
    territory_siren: str | None = None
    contract_code: str | None = None  # CV… / CN… from the reference data
    department: str | None = None
    reference_year: int | None = None
    period: str | None = None
    signed_or_adopted_on: str | None = None  # ISO date
    provenance: dict[str, Provenance] = field(default_factory=dict)


@dataclass(slots=True)
class CheckFinding:
    """A contradiction inside one document (a total against its parts, …)."""

    check: str  # e.g. "total_vs_parts", "count_vs_rows", "same_quantity_two_values"
    message: str
    expected: float | None
    found: float | None
    pages: list[int]
    provenance: list[Provenance] = field(default_factory=list)


@dataclass(slots=True)
class Extraction:
    """Everything the extractors found in one document."""

    facts: DocumentFacts = field(default_factory=DocumentFacts)
    quartiers: list[Quartier] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)
    checks: list[CheckFinding] = field(default_factory=list)
