"""Layout blocks that say what the organisations in them are: signature blocks, lists
introduced by a partners heading or a "signataires :" lead-in, section titles about
one organisation, the cells around a short label.

Contracts list their partners; they do not describe them in sentences. These blocks
are therefore the strongest role cues, and they span lines, cells and page breaks
where a sentence-level cue cannot reach.
"""

from __future__ import annotations

import re

from extractors.partners.layout import PageView, in_prose, is_upper, lines

SHORT = 90  # a sentence this short is a slide line / table cell: its neighbours count
_NEIGHBOURS = 4
_BULLET = re.compile(r"^\s*(?:[-•*·▪➤✓–]|\d{1,2}[.)/])\s")
_PAGE_FOOTER = re.compile(r"^\s*(?:page\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?\s*$", re.I)
_SIGNATURE_HEAD = re.compile(
    r"^[\s#*➤>]*(?:les |liste des |pour les )?(?:partenaires[- ])?(?:signatures?|signataires)"
    r"[\s*:]*$"
)
_FAIT_A = re.compile(r"^[\s*]*fait a [^,\n]{2,60},? le\b")
_SIGNATURE_SPAN = 45  # non-empty lines a signature block may run over
_PRESIDED = re.compile(r"sous la (?:haute )?presidence")
_HEADING_PREFIX = re.compile(
    r"^[\s#*➤>•\-–\d.)]*(?P<prefix>(?:les )?(?:engagements?|contributions?|interventions?"
    r"|participation|actions?|role|mobilisation) (?:de la |de l'|du |des |de |d'))?"
    r"(?:la |le |les |l')?$"
)


def mark_signature_blocks(views: list[PageView]) -> None:
    """Flag the lines of signature blocks ("LES SIGNATURES", "Fait à X, le ...").

    A block runs from its heading over the following lines (across a page break)
    until a markdown heading, an annex title, running prose, or 45 non-empty lines.
    """
    remaining = 0
    presided = 0
    for view in views:
        for start, end in lines(view):
            folded = view.folded[start:end].strip()
            if not folded:
                continue
            if _SIGNATURE_HEAD.match(folded) or _FAIT_A.match(folded):
                remaining = _SIGNATURE_SPAN
                continue
            if remaining and (
                folded.startswith("#") or "annexe" in folded or in_prose(view, start)
            ):
                remaining = 0
            if remaining:
                view.signature.append((start, end))
                remaining -= 1
                if _PRESIDED.search(folded):
                    presided = 2
                if presided:
                    view.presided.append((start, end))
                    presided -= 1


def lead_in(view: PageView, index: int) -> str | None:
    """For a list item, the sentence introducing the list (a heading or "... :").

    A list cut by a page break keeps the lead-in of the previous page.
    """
    s, e = view.sentences[index]
    if not _BULLET.match(view.text[s:e]) or _is_title(view, index):
        return None
    for k in range(index - 1, max(-1, index - 25), -1):
        ks, ke = view.sentences[k]
        if not _BULLET.match(view.text[ks:ke]) or _is_title(view, k):
            return view.folded[ks:ke]
    return view.carried_lead_in if index < 25 else None


def _is_title(view: PageView, index: int) -> bool:
    """A bulleted sentence that is really a title: "➤ UNE MOBILISATION DES PARTENAIRES"."""
    s, e = view.sentences[index]
    text = view.text[s:e].strip()
    return text.endswith(":") or is_upper(text)


def carry_lead_ins(views: list[PageView]) -> None:
    """Give each page the lead-in of a list still open at the end of the previous page."""
    carried: str | None = None
    for view in views:
        view.carried_lead_in = carried
        carried = None
        for k in range(len(view.sentences) - 1, -1, -1):
            s, e = view.sentences[k]
            text = view.text[s:e]
            if _PAGE_FOOTER.match(text):
                continue
            if _BULLET.match(text) and not _is_title(view, k):
                carried = lead_in(view, k)
            elif _is_title(view, k) or is_upper(text):
                carried = view.folded[s:e]
            break


def neighbourhood(view: PageView, index: int) -> str:
    """The short sentences around a short one: a slide's or a table's other cells."""
    parts = []
    for k in range(max(0, index - _NEIGHBOURS), min(len(view.sentences), index + _NEIGHBOURS + 1)):
        s, e = view.sentences[k]
        if e - s <= 2 * SHORT:
            parts.append(view.folded[s:e])
    return " | ".join(parts)


def is_heading_subject(view: PageView, start: int) -> bool:
    """True for a title about the organisation ("## La DDCS", "Les engagements de la CAF").

    A title is a short line without final punctuation that is marked as a heading
    (markdown ``#`` or bold) or opens with "engagements de", "contribution de"...;
    the organisation must be its subject, i.e. come first.
    """
    line_start = view.text.rfind("\n", 0, start) + 1
    line_end = view.text.find("\n", start)
    line_end = line_end if line_end >= 0 else len(view.text)
    line = view.folded[line_start:line_end].strip()
    if not line or len(line) > 160 or line.rstrip("*").endswith((".", ",", ";")):
        return False
    m = _HEADING_PREFIX.match(view.folded[line_start:start])
    marked = line.startswith(("#", "**")) or is_upper(view.text[line_start:line_end])
    return bool(m and (m.group("prefix") or marked))
