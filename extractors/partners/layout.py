"""A page as the partner readers see it: text without markup, folded copy, sentences.

Cue patterns run on the folded text (lower case, no accents, straight apostrophes)
and on sentences, which are what a role cue and a name share: prose split at its
punctuation, blank lines and bullets, a table row split into its cells. Blanked
markup keeps every offset of ``Page.text``, so provenance stays exact.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from extractors.folding import fold
from extractors.nlp import PAD
from schemas.records import Page

_MARKUP = re.compile(r"</?[a-zA-Z][^<>\n]{0,300}?>|&(?:amp|nbsp|lt|gt|quot|apos|#\d{1,5});")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}
_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?;])\s+(?=\S)|\n[ \t]*\n\s*| {3,}|\n(?=[ \t]*(?:[-•*·▪➤✓–]|\d{1,2}[.)/])\s)"
)
_WHITE = str.maketrans("\n\t", "  ")  # cue patterns see a sentence as one line
_PROSE_WORDS = 28


@dataclass(slots=True)
class PageView:
    """A page's text with markup blanked out, its sentences and signature lines."""

    page: Page
    text: str  # same length as page.text, HTML tags replaced by spaces
    folded: str
    sentences: list[tuple[int, int]]
    sentence_starts: list[int] = field(default_factory=list)
    carried_lead_in: str | None = None  # of a list begun on the previous page
    signature: list[tuple[int, int]] = field(default_factory=list)  # line spans
    presided: list[tuple[int, int]] = field(default_factory=list)


def page_view(page: Page) -> PageView:
    text = _MARKUP.sub(_blank, page.text)
    sentences = _sentences(text)
    folded = fold(text).translate(_WHITE)
    return PageView(
        page=page,
        text=text,
        folded=folded,
        sentences=sentences,
        sentence_starts=[s for s, _ in sentences],
    )


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: prose split at punctuation, blank lines, bullets and blanked
    markup; a table row (a line with TABs) split into its cells."""
    spans: list[tuple[int, int]] = []
    block, pos = 0, 0
    for line in text.split("\n"):
        if "\t" in line:
            spans += _split(text, block, pos)
            cell = pos
            for part in line.split("\t"):
                spans += _split(text, cell, cell + len(part))
                cell += len(part) + 1
            block = pos + len(line) + 1
        pos += len(line) + 1
    return spans + _split(text, block, len(text))


def _split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for m in _SENTENCE_BREAK.finditer(text, start, end):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if end > start and text[start:end].strip():
        spans.append((start, end))
    return spans


def _blank(match: re.Match[str]) -> str:
    token = match.group(0)
    if token.startswith("&"):
        return _ENTITIES.get(token, " ").ljust(len(token), PAD)
    return " " * len(token)


def lines(view: PageView) -> Iterator[tuple[int, int]]:
    """Spans of the page's lines."""
    start = 0
    for line in view.text.split("\n"):
        yield start, start + len(line)
        start += len(line) + 1


def sentence_index(view: PageView, offset: int) -> int:
    """Index of the sentence containing (or last starting before) ``offset``; -1 if none."""
    return bisect_right(view.sentence_starts, offset) - 1


def in_prose(view: PageView, offset: int) -> bool:
    """True inside a long sentence: running text, which no signature block contains
    (judged on the sentence, not the line: PDF lines wrap a paragraph every dozen words)."""
    index = sentence_index(view, offset)
    if index < 0:
        return False
    start, end = view.sentences[index]
    return start <= offset < end and len(view.text[start:end].split()) > _PROSE_WORDS


def inside(spans: list[tuple[int, int]], offset: int) -> bool:
    return any(s <= offset < e for s, e in spans)


def text_after(view: PageView, end: int, size: int = 120) -> str:
    """The text following a name up to the end of its paragraph, cell or markup element,
    on one line (a name wraps: "Communauté d'Agglomération\nde Lens-Liévin").

    A line break ends it unless the next line clearly continues the name: the text
    before the break ends on a particle, a hyphen or a comma ("Communauté
    d'Agglomération de\nLens-Liévin"), the next line starts in lower case, or the name
    itself ends the line and the next one starts with a particle ("COMMUNAUTE
    D'AGGLOMERATION\nDE LENS-LIEVIN"). A heading after a complete name ("... DE
    LENS-LIEVIN\nDES ELEMENTS DE LANGAGE"), a page footer ("Ministère de la Ville\nPage
    140") or the next cell of a table row ("Etat\nRégion Hauts-de-France") is not its place.
    """
    following = re.split(r"\n[ \t]*\n|\t| {3,}", view.text[end : end + size], maxsplit=1)[0]
    first, *rest = following.split("\n")
    kept = [first]
    for line in rest:
        if not _continues(" ".join(kept), line):
            break
        kept.append(line)
    return " ".join(kept)


_PARTICLE = r"(?i:de|du|des|d['’]|la|le|les|l['’]|et|en|sur|sous|lès|lez|aux|au|à)"
_OPEN_END = re.compile(rf"(?:^|[\s'’]){_PARTICLE}$|[,\-–—'’]$")
_PARTICLE_START = re.compile(rf"{_PARTICLE}(?:\s|(?<=['’]))")


def _continues(before: str, line: str) -> bool:
    """True when ``line`` carries on a name whose text so far is ``before``."""
    before, line = before.rstrip(), line.lstrip()
    if _OPEN_END.search(before) or line[:1].islower():
        return True
    return not before and bool(_PARTICLE_START.match(line))


def is_upper(text: str) -> bool:
    """Capitals only: how PDFs set titles ("➤ L'EUROPE", "LES SERVICES DE L'ÉTAT")."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)
