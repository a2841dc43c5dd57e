"""Seed text -> born-digital A4 PDF (reportlab platypus), byte-for-byte reproducible.

Reproducibility comes from reportlab's ``invariant`` mode (fixed date and document
id) plus fixed metadata; the page footer "Page N / M" needs the page count, so pages
are held until the document is complete and stamped on save.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from corpus.blocks import Block, Gap, Heading, Para, TableBlock, parse_seed
from corpus.inline import to_markup
from corpus.styles import (
    FOOTER_Y,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    REGULAR,
    body_style,
    heading_style,
    register_fonts,
)
from corpus.tables import build_table

PRODUCER = "Quartiers corpus builder"
_GAP_POINTS = 4.0  # per blank seed line, at most three of them


class NumberedCanvas(Canvas):
    """A canvas that writes "Page N / M" in every footer once M is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for state in self._held:
            self.__dict__.update(state)
            self.setFont(REGULAR, 8)
            self.drawCentredString(PAGE_WIDTH / 2, FOOTER_Y, f"Page {self._pageNumber} / {total}")
            super().showPage()
        super().save()


def flowables(blocks: list[Block]) -> list[Flowable]:
    """The platypus story for ``blocks``."""
    story: list[Flowable] = []
    for block in blocks:
        if isinstance(block, Heading):
            story.append(Paragraph(to_markup(block.text), heading_style(block.level)))
        elif isinstance(block, Para):
            story.append(Paragraph(to_markup(block.text), body_style()))
        elif isinstance(block, Gap):
            story.append(Spacer(1, _GAP_POINTS * min(block.lines, 3)))
        elif isinstance(block, TableBlock):
            story.extend([Spacer(1, 3), build_table(block), Spacer(1, 3)])
    return story


def render_text(text: str, out: Path, *, title: str) -> None:
    """Write the PDF of seed ``text`` to ``out`` (same input, same bytes)."""
    register_fonts()
    doc = SimpleDocTemplate(
        str(out),
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author="",
        subject="",
        keywords="",
        creator=PRODUCER,
        producer=PRODUCER,
        invariant=1,
        pageCompression=1,
    )
    doc.build(flowables(parse_seed(text)), canvasmaker=NumberedCanvas)


def render_seed(source: Path, out: Path) -> None:
    """Render the seed file ``source`` to ``out``, titled after the seed's stem."""
    render_text(source.read_text(encoding="utf-8"), out, title=source.stem)
