"""The section an amount belongs to: the lines above its list, its heading, the titles higher up.

A list of amounts often states what it is only once, above it: "Les fonds de
concours de la Communauté d'Agglomération", "Programmation 2022". These lines give
the kind, the funder and the year that the list items leave out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.amounts.layout import BLANK_LINES, Found, Layout
from extractors.amounts.text import BULLET, MARKUP, TAG, clean, is_row, starts_lower, word_count

_HEADING_MAX_WORDS = 14
_TITLE_MAX_CHARS = 600  # markup included: past this a line is a paragraph or a table
_SECTION_LINES = 12  # non-blank lines read above a list, heading and titles included
_TITLE_WRAP = 2  # lower-case lines a title may wrap onto
TITLE_SPAN = _TITLE_WRAP * (BLANK_LINES + 1)  # lines from a title's first line to its last
# A title wraps before a preposition or an article ("Les fonds de concours" / "de la
# Communauté d'Agglomération"); other lower-case lines are sentences or table cells.
_WRAP_START = re.compile(
    r"^\W*(?:de|du|des|d['’]|la|le|les|l['’]|et|en|à|au|aux|pour|sur|dans)(?:\s|(?<=['’]))",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Section:
    lines: list[str]  # lines back to the previous heading, nearest first
    heading: str | None
    titles: list[str]  # headings further up, and the sentence announcing the list


def title_at(layout: Layout, k: int) -> tuple[int, str] | None:
    """The title that line ``k`` ends, as (its first line, its text), or None.

    A title is a markdown heading, or a short text starting with a capital that
    neither ends with punctuation nor runs on into a lower-case next line; a slide
    title may wrap onto a couple of lines starting with a preposition or an article
    ("Les fonds de concours" / "de la Communauté d'Agglomération").
    """
    stripped = layout.lines[k].text.strip()
    if stripped.startswith("#"):
        return k, clean(stripped)
    if not stripped or len(stripped) > _TITLE_MAX_CHARS or is_row(stripped):
        return None
    if BULLET.match(stripped):
        return None
    n = layout.next_nonblank(k)
    if n is not None and starts_lower(layout.lines[n].text):
        return None
    block = [k]
    while starts_lower(layout.lines[block[0]].text) and len(block) <= _TITLE_WRAP:
        p = layout.prev_nonblank(block[0])
        if p is None or p in layout.by_line or not _WRAP_START.match(layout.lines[block[0]].text):
            return None
        block.insert(0, p)
    texts = [layout.lines[i].text.strip() for i in block]
    if any(not t or is_row(t) or BULLET.match(t) or t.startswith("#") for t in texts):
        return None
    text = " ".join(clean(t) for t in texts)
    bare = MARKUP.sub("", TAG.sub(" ", texts[-1])).strip()
    words = word_count(text)
    if not text or "%" in text or not words or words > _HEADING_MAX_WORDS:
        return None
    if re.search(r"[.,;:!?]$", bare) or not (text[0].isupper() or text[0].isdigit()):
        return None
    return block[0], text


def section(layout: Layout, f: Found) -> Section:
    """Lines above the amount's list back to its heading or to a prose amount, the
    heading, and the headings further up, the sentence that announced the list (the
    previous amount's line) and the title over that sentence.

    Table rows are left out (their cells belong to columns, not to the section). A
    heading directly under another (title, subtitle) is kept with it.
    """
    run = layout.run_of.get(f.line)
    top = layout.runs[run][0] if run is not None else f.line
    lines: list[str] = [
        layout.lines[k].text
        for k in range(f.line - 1, top - 1, -1)
        if k not in layout.by_line and layout.lines[k].text.strip()
    ]
    heading_lines: list[str] = []
    k, taken = top - 1, 0
    while k >= 0 and taken < _SECTION_LINES:
        text = layout.lines[k].text
        k -= 1
        if not text.strip() or is_row(text):
            continue
        lines.append(text)
        taken += 1
        if k + 1 in layout.by_line:
            break
        title = title_at(layout, k + 1)
        if title:
            lines += [layout.lines[i].text for i in range(k, title[0] - 1, -1) if i >= 0]
            heading_lines.append(title[1])
            k = title[0] - 1
            while k >= 0 and layout.lines[k].text.strip() and (title := title_at(layout, k)):
                lines += [layout.lines[i].text for i in range(k, title[0] - 1, -1)]
                heading_lines.insert(0, title[1])
                k = title[0] - 1
            break
    titles: list[str] = []
    pending: list[str] = []  # lines continuing a sentence from the line above
    announced = False
    while k >= 0 and taken < _SECTION_LINES:
        text = layout.lines[k].text
        if text.strip() and not is_row(text):
            taken += 1
            if k in layout.by_line:
                if announced:
                    break
                # The sentence that announced the list, with its continuation lines.
                titles += [*pending, text]
                announced, pending = True, []
                k -= 1
                continue
            title = title_at(layout, k)
            if title:
                titles.append(title[1])
                if announced:
                    break  # the title over the announcing sentence
                k, pending = title[0], []
            elif not announced:
                pending = [text, *pending] if starts_lower(text) else []
        k -= 1
    return Section(lines, " – ".join(heading_lines) or None, titles)


def lead_in(layout: Layout, li: int) -> str | None:
    """The previous line when it announces what follows ("... estimé aux environs de :")."""
    p = layout.prev_nonblank(li)
    if p is None:
        return None
    text = MARKUP.sub("", TAG.sub(" ", layout.lines[p].text)).strip()
    return text if text.endswith(":") else None
