"""Inline markup of a seed line, turned into rich-text runs.

The seed texts carry two kinds of inline markup left by their own extraction:
Markdown emphasis (``**bold**``) and HTML fragments inside table cells (``<p>``,
``<li>``, ``<b>``, ``&amp;``...). A born-digital PDF shows neither as literal text:
bold stays bold, block-level tags become line breaks, entities are decoded. Anything
that merely looks like a tag (``<https://...>`` autolinks) is kept verbatim, because
it is what the document says.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

Run = tuple[str, bool]  # text, bold
RichLine = tuple[Run, ...]  # one visual line of a paragraph or cell

_TOKEN = re.compile(
    r"\*\*|<(?P<close>/?)(?P<tag>[a-z][a-z0-9]*)\b[^<>]*>|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);",
    re.IGNORECASE,
)
_BREAK_TAGS = frozenset({"p", "li", "ul", "ol", "br", "div", "tr", "table", "h1", "h2", "h3"})
_BOLD_TAGS = frozenset({"b", "strong", "th"})
_SILENT_TAGS = frozenset({"i", "em", "u", "sup", "sub", "span", "a", "font", "small", "td"})


class _LineBuilder:
    """Accumulates runs, merging neighbours of equal weight, split into lines at breaks."""

    def __init__(self) -> None:
        self.lines: list[list[Run]] = [[]]

    def text(self, s: str, bold: bool) -> None:
        if not s:
            return
        line = self.lines[-1]
        if line and line[-1][1] == bold:
            line[-1] = (line[-1][0] + s, bold)
        else:
            line.append((s, bold))

    def newline(self) -> None:
        if self.lines[-1]:
            self.lines.append([])

    def result(self) -> list[RichLine]:
        out = []
        for runs in self.lines:
            line = _strip_line(runs)
            if line:
                out.append(line)
        return out


def _strip_line(runs: list[Run]) -> RichLine:
    """Drop leading/trailing blanks of a line (and runs left empty by that)."""
    runs = list(runs)
    while runs and not runs[0][0].strip():
        runs.pop(0)
    while runs and not runs[-1][0].strip():
        runs.pop()
    if runs:
        runs[0] = (runs[0][0].lstrip(), runs[0][1])
        runs[-1] = (runs[-1][0].rstrip(), runs[-1][1])
    return tuple(runs)


def parse_inline(text: str, bold: bool = False) -> tuple[list[RichLine], bool]:
    """Rich lines of ``text`` and the Markdown bold state after it.

    ``bold`` is the Markdown ``**`` state inherited from the previous line: a bold
    span may open on one line of a paragraph and close a few lines below.
    HTML bold nesting is local to ``text``.
    """
    out = _LineBuilder()
    html_bold = 0
    pos = 0
    for m in _TOKEN.finditer(text):
        out.text(text[pos : m.start()], bold or html_bold > 0)
        token, tag = m.group(0), (m.group("tag") or "").lower()
        if token == "**":
            bold = not bold
        elif tag in _BREAK_TAGS:
            out.newline()
        elif tag in _BOLD_TAGS:
            html_bold = max(0, html_bold + (-1 if m.group("close") else 1))
        elif tag in _SILENT_TAGS:
            pass
        elif tag:  # looks like a tag but is not HTML: keep the text as written
            out.text(token, bold or html_bold > 0)
        else:
            out.text(html.unescape(token), bold or html_bold > 0)
        pos = m.end()
    out.text(text[pos:], bold or html_bold > 0)
    return out.result(), bold


def plain(lines: Sequence[RichLine]) -> str:
    """The text of ``lines`` without any weight, one line per ``\\n``."""
    return "\n".join("".join(t for t, _ in line) for line in lines)


def to_markup(lines: Sequence[RichLine]) -> str:
    """ReportLab paragraph markup for ``lines`` (escaped text, ``<b>``, ``<br/>``)."""
    return "<br/>".join(
        "".join(f"<b>{escape(t)}</b>" if b else escape(t) for t, b in line) for line in lines
    )


def split_words(line: RichLine) -> list[Run]:
    """``line`` as one run per word (each keeping its trailing spaces), for hard splits."""
    words: list[Run] = []
    for text, bold in line:
        words.extend((w, bold) for w in re.findall(r"\S+\s*|\s+", text))
    return words


def join_words(words: Sequence[Run]) -> RichLine:
    """Inverse of :func:`split_words` on a slice of words."""
    builder = _LineBuilder()
    for text, bold in words:
        builder.text(text, bold)
    result = builder.result()
    return result[0] if result else ()
