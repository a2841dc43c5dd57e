"""What kind of politique de la ville document a PDF is.

A scored classifier: each document type collects points from textual cues (the
formulas of a council deliberation, the regulatory title of the annual report, the
name of the 2024 contracts...) and the presentation type from page layout (slides:
short lines, little running prose). Cues on the cover and first pages weigh double,
because that is where a document says what it is; a deliberation that annexes a
report is still a deliberation because its formulas sit on the first pages.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from extractors.docview import DocView
from schemas.records import DocType, Page

CONTRACT_TYPES: tuple[DocType, ...] = ("contrat_de_ville", "contrat_quartiers_2030")
MIN_SCORE = 3.0
HEAD_FACTOR = 2.0
REPEAT_BONUS = 0.25  # per extra occurrence, up to MAX_REPEATS
MAX_REPEATS = 4
SLIDE_WEIGHT = 14.0
SLIDE_FLOOR = 0.3  # share of slide-like pages below which layout says nothing
# A page or two of short lines is a cover or a note, not a deck.
MIN_SLIDES = 3
MIN_SLIDE_LINES = 60


@dataclass(frozen=True, slots=True)
class Cue:
    doc_type: DocType
    pattern: re.Pattern[str]
    weight: float
    head_only: bool = False


def _cue(doc_type: DocType, pattern: str, weight: float, head_only: bool = False) -> Cue:
    return Cue(doc_type, re.compile(pattern, re.MULTILINE), weight, head_only)


_OEUVRE = r"(?:oe|o|ce|e)?uvre"
_YEAR = r"(?:19|20)\d\d"

# Patterns run on folded text (lower case, no accents, "'" and "-" normalised).
CUES: tuple[Cue, ...] = (
    # Council deliberations: the legal formulas of the register extract.
    _cue("deliberation", r"extrait (?:du|des) registres? des? deliberations?", 5),
    _cue("deliberation", r"registre des deliberations", 2),
    _cue(
        "deliberation",
        r"deliberation (?:du|de la) (?:conseil|bureau|commission permanente)",
        2.5,
        head_only=True,
    ),
    _cue("deliberation", r"apres en avoir delibere|ainsi fait et delibere", 3),
    _cue("deliberation", r"pour extrait conforme|certifie executoire", 2),
    _cue(
        "deliberation",
        r"^\W*(?:etaient|sont) presents\b|la seance est ouverte",
        2,
        head_only=True,
    ),
    _cue("deliberation", r"(?:est elu|secretaire de seance)", 1, head_only=True),
    _cue("deliberation", r"s'est reuni[^.\n]{0,120}sous la presidence", 2, head_only=True),
    _cue(
        "deliberation",
        r"le conseil (?:communautaire|municipal|metropolitain)[^.\n]{0,60}"
        r"(?:delibere|decide|approuve|a la majorite|a l'unanimite)",
        2,
    ),
    # Annual report on the politique de la ville (décret 2015-1118).
    _cue(
        "rapport_annuel",
        rf"rapport (?:annuel )?(?:sur la|de) mise en {_OEUVRE} de la politique de la ville",
        4,
    ),
    _cue("rapport_annuel", rf"annee de reference\s*:?\s*{_YEAR}", 4),
    _cue(
        "rapport_annuel",
        r"rapport (?:annuel )?(?:de la |du |sur la )?(?:politique de la ville|contrat de ville)",
        3,
    ),
    _cue("rapport_annuel", r"decret n\s?°?\s?2015-1118", 2),
    _cue(
        "rapport_annuel",
        rf"(?:bilan|rapport) (?:annuel )?(?:de (?:l'annee|la programmation) )?{_YEAR}",
        1,
    ),
    # Contracts (2015 contrats de ville and 2024 Quartiers 2030 contracts).
    _cue(
        "contrat_de_ville",
        rf"^\W*contrat de ville(?: {_YEAR}\s?[-/]\s?{_YEAR})?\W*$",
        3,
        head_only=True,
    ),
    _cue("contrat_de_ville", r"le present contrat|du present contrat", 2),
    _cue("contrat_de_ville", r"(?:partenaires )?signataires du (?:present )?contrat", 1.5),
    _cue("contrat_de_ville", r"^\W*(?:les )?signatures\W*$", 2),
    _cue("contrat_de_ville", r"contrat unique|contrat[- ]cadre", 1.5),
    _cue("contrat_de_ville", r"engagements? des partenaires|les partenaires s'engagent", 1.5),
    _cue("contrat_quartiers_2030", r"contrats? (?:de ville )?(?:\W{0,3})quartiers 2030", 4),
    _cue("contrat_quartiers_2030", r"engagements quartiers 2030", 3),
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """The strongest place that supports the chosen type."""

    start: int
    end: int
    weight: float


@dataclass
class DocTypeResult:
    doc_type: DocType
    confidence: float
    scores: dict[DocType, float]
    evidence: Evidence | None
    slide_share: float
    per_type_evidence: dict[DocType, Evidence] = field(default_factory=dict)


def _page_is_slide(page: Page) -> bool:
    """Landscape page, or one with short lines and little running prose."""
    if page.width > page.height * 1.1:
        return True
    lines = [ln.strip() for ln in page.text.split("\n") if ln.strip()]
    if not lines:
        return False
    words = [len(ln.split()) for ln in lines]
    total = sum(words)
    prose = sum(w for w in words if w >= 10) / max(total, 1)
    return prose < 0.4 and total / len(lines) < 8


def slide_share(view: DocView) -> float:
    """Share of non-empty pages that look like slides; 0 when there is too little of them."""
    pages = [p for p in view.doc.pages if p.text.strip()]
    slides = [p for p in pages if _page_is_slide(p)]
    lines = sum(1 for p in slides for ln in p.text.split("\n") if ln.strip())
    if len(slides) < MIN_SLIDES and lines < MIN_SLIDE_LINES:
        return 0.0
    return len(slides) / len(pages)


def _first_slide_line(view: DocView, weight: float) -> Evidence:
    """The first text line of the first slide-like page (the deck's title, usually)."""
    index = next(i for i, p in enumerate(view.doc.pages) if p.text.strip() and _page_is_slide(p))
    line = re.search(r"\S[^\n]*", view.doc.pages[index].text)
    assert line is not None  # the page has text
    start = view.page_starts[index]
    return Evidence(start + line.start(), start + line.end(), weight)


def _score_cue(view: DocView, cue: Cue) -> tuple[float, Evidence | None]:
    text = view.folded[: view.head_end] if cue.head_only else view.folded
    matches = list(cue.pattern.finditer(text))
    if not matches:
        return 0.0, None
    first = matches[0]
    in_head = view.in_head(first.start())
    score = cue.weight * (HEAD_FACTOR if in_head else 1.0)
    score += cue.weight * REPEAT_BONUS * min(len(matches) - 1, MAX_REPEATS)
    return score, Evidence(first.start(), first.end(), score)


def classify(view: DocView) -> DocTypeResult:
    """Score every type and keep the best; ``other`` when nothing is convincing."""
    scores: dict[DocType, float] = dict.fromkeys(
        (
            "rapport_annuel",
            "contrat_de_ville",
            "contrat_quartiers_2030",
            "deliberation",
            "presentation",
        ),
        0.0,
    )
    evidence: dict[DocType, Evidence] = {}
    for cue in CUES:
        score, ev = _score_cue(view, cue)
        scores[cue.doc_type] += score
        if ev and (cue.doc_type not in evidence or ev.weight > evidence[cue.doc_type].weight):
            evidence[cue.doc_type] = ev
    # A Quartiers 2030 contract is a contract: it inherits the generic contract cues.
    if scores["contrat_quartiers_2030"]:
        scores["contrat_quartiers_2030"] += scores["contrat_de_ville"]
    share = slide_share(view)
    scores["presentation"] = SLIDE_WEIGHT * max(0.0, share - SLIDE_FLOOR) / (1 - SLIDE_FLOOR)
    if scores["presentation"]:
        evidence["presentation"] = _first_slide_line(view, scores["presentation"])
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, runner_up) = ranked[0], ranked[1]
    if top < MIN_SCORE:
        return DocTypeResult("other", 0.3, scores, None, share, evidence)
    margin = (top - runner_up) / top
    confidence = 0.5 + 0.5 * min(1.0, margin) * (1 - math.exp(-top / 6))
    return DocTypeResult(best, confidence, scores, evidence.get(best), share, evidence)
