"""Page geometry, fonts and paragraph styles of the rendered corpus.

DejaVu is bundled (``corpus/fonts/``) so the PDFs embed a Unicode font whose
glyphs cover the accents, ligatures and typographic quotes of French documents
and map back to the same characters on text extraction.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 1.7 * cm
MARGIN_TOP = 2.0 * cm
MARGIN_BOTTOM = 2.2 * cm
FOOTER_Y = 1.1 * cm
FRAME_PADDING = 6.0  # reportlab Frame default padding, each side
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X - 2 * FRAME_PADDING
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM - 2 * FRAME_PADDING

CELL_PADDING = 3.0


@cache
def register_fonts() -> None:
    """Register DejaVu regular/bold once, as a family so ``<b>`` picks the bold face."""
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )


@cache
def body_style() -> ParagraphStyle:
    register_fonts()
    return ParagraphStyle("body", fontName=REGULAR, fontSize=9.0, leading=11.8, spaceAfter=1.5)


@cache
def heading_style(level: int) -> ParagraphStyle:
    register_fonts()
    size = {1: 16.0, 2: 13.0, 3: 11.0}[level]
    return ParagraphStyle(
        f"h{level}",
        fontName=BOLD,
        fontSize=size,
        leading=size * 1.25,
        spaceBefore=size * 0.6,
        spaceAfter=size * 0.4,
        keepWithNext=1,
    )


@cache
def cell_style(font_size: float) -> ParagraphStyle:
    """Table cell text; long words are split rather than overflowing a narrow column."""
    register_fonts()
    return ParagraphStyle(
        f"cell-{font_size}",
        fontName=REGULAR,
        fontSize=font_size,
        leading=font_size * 1.2,
        splitLongWords=1,
    )


def cell_font_size(columns: int) -> float:
    """Smaller type for wider tables, as a word processor user would choose."""
    if columns >= 7:
        return 6.5
    if columns >= 5:
        return 7.5
    return 8.5
