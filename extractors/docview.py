"""A whole-document view for extractors that reason across pages.

Document-level facts (type, territory, year) are read from the cover, the first
pages and the body at once. :class:`DocView` joins the pages into one string, keeps a
folded copy for matching, knows where the head (cover and first pages) ends, and
turns a span of the joined text back into a page-local :class:`Provenance`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from extractors.folding import fold
from schemas.records import Page, ParsedDocument, Provenance

PAGE_SEPARATOR = "\n\n"
HEAD_MIN_PAGES = 2
HEAD_MAX_PAGES = 5
HEAD_MIN_CHARS = 2500


@dataclass
class DocView:
    """Joined text of a document with page-aware offsets."""

    doc: ParsedDocument
    text: str
    page_starts: list[int]

    @classmethod
    def of(cls, doc: ParsedDocument) -> DocView:
        starts, offset = [], 0
        for page in doc.pages:
            starts.append(offset)
            offset += len(page.text) + len(PAGE_SEPARATOR)
        return cls(doc, PAGE_SEPARATOR.join(p.text for p in doc.pages), starts)

    @cached_property
    def folded(self) -> str:
        return fold(self.text)

    @cached_property
    def head_end(self) -> int:
        """End of the cover and first pages: at least two pages and ~2 500 characters."""
        pages = self.doc.pages
        for i, page in enumerate(pages[:HEAD_MAX_PAGES]):
            end = self.page_starts[i] + len(page.text)
            if i + 1 >= HEAD_MIN_PAGES and end >= HEAD_MIN_CHARS:
                return end
        last = min(len(pages), HEAD_MAX_PAGES) - 1
        return self.page_starts[last] + len(pages[last].text) if pages else 0

    def in_head(self, offset: int) -> bool:
        return offset < self.head_end

    def page_index(self, offset: int) -> int:
        return max(0, bisect_right(self.page_starts, offset) - 1)

    def page_at(self, offset: int) -> Page:
        return self.doc.pages[self.page_index(offset)]

    def relative_position(self, offset: int) -> float:
        """Where ``offset`` sits in the document, 0.0 (start) to 1.0 (end)."""
        return offset / max(len(self.text), 1)

    def provenance(
        self, start: int, end: int, extractor: str, confidence: float = 1.0
    ) -> Provenance:
        """Provenance of the joined-text span ``[start, end)`` on its page."""
        index = self.page_index(start)
        page = self.doc.pages[index]
        local_start = start - self.page_starts[index]
        local_end = min(end - self.page_starts[index], len(page.text))
        return Provenance(
            page=page.number,
            start=local_start,
            end=local_end,
            raw=page.text[local_start:local_end],
            extractor=extractor,
            confidence=round(confidence, 3),
            bbox=page.bbox_for(local_start, local_end),
        )
