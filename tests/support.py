"""Helpers shared by the tests: documents built from plain text, paths of bundled data."""

from __future__ import annotations

import hashlib
from pathlib import Path

from schemas.records import Line, Page, ParsedDocument

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "corpus" / "sources"
GOLD = ROOT / "corpus" / "gold"


def parsed_from_text(text: str, name: str = "doc.pdf", lines_per_page: int = 60) -> ParsedDocument:
    """A ParsedDocument whose pages hold ``lines_per_page`` lines of ``text`` each.

    Table cells separated by TAB stay separated by TAB, as the parser writes them.
    Lets extractor tests run on exact strings without rendering a PDF.
    """
    raw_lines = text.split("\n")
    pages = []
    for n, i in enumerate(range(0, max(len(raw_lines), 1), lines_per_page), start=1):
        chunk = raw_lines[i : i + lines_per_page]
        lines, offset = [], 0
        for k, t in enumerate(chunk):
            lines.append(
                Line(text=t, start=offset, bbox=(50.0, 50.0 + 12 * k, 545.0, 60.0 + 12 * k))
            )
            offset += len(t) + 1
        pages.append(
            Page(
                number=n,
                text="\n".join(chunk),
                method="text",
                width=595.0,
                height=842.0,
                lines=lines,
            )
        )
    sha = hashlib.sha256(text.encode()).hexdigest()
    return ParsedDocument(sha256=sha, path=name, file_name=name, pages=pages)


def seed_document(stem: str, lines_per_page: int = 60) -> ParsedDocument:
    """The bundled seed text ``stem`` (e.g. "004_175d0d4703e41153") as a ParsedDocument."""
    text = (SOURCES / f"{stem}.txt").read_text(encoding="utf-8")
    return parsed_from_text(text, name=f"{stem}.pdf", lines_per_page=lines_per_page)
