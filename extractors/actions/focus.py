"""Actions presented one per page: "Focus 2", "Zoom sur …", "Action phare n°3".

Annual reports showcase a few actions on pages of their own: a keyword and a title,
an "Opérateur :" (or "Porteur de projet :") line, then prose. The title may be on the
keyword's line or on the lines below it, and a short subtitle, or an unnumbered
"Focus sur …" line naming the event the page zooms in on, may complete it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.actions.context import single_year, year_before
from extractors.actions.line_kinds import LINKING_END, MAX_TITLE_LINES, SENTENCE_END
from extractors.actions.rows import Doc, Row, provenance, tidy
from extractors.folding import fold
from schemas.records import Action

# "Focus 3", "Zoom sur …", "Action phare n°2": a page devoted to one action.
_FOCUS = re.compile(
    r"^\W*(?P<kw>(?:focus|zoom)(?: sur)?|action phare|coup de projecteur|gros plan)\b"
    r"\W{0,3}(?:n ?°\s*|#\s*)?(?P<num>\d{1,2}\b)?\s*(?:[:\-–—.]\s*)?"
)
# "Opérateur : X", "Porteur de projet : X", "Porté par X", "Maître d'ouvrage : X".
_OPERATOR = re.compile(
    r"(?:(?<![\w'])(?:operateurs?|porteurs?(?: de (?:projet|l'action))?|structures? porteuses?"
    r"|maitres? d'ouvrage|maitrise d'ouvrage|pilotes?)\s*:|(?<![\w'])portee?s? par\b)\s*"
)


def focus_actions(d: Doc) -> Iterator[Action]:
    """ "Focus 2 : Jeunes' Event" / "Opérateur : AAE 62" — one action per focus page."""
    for i, row in enumerate(d.rows):
        if i in d.used or row.blank or row.amounts or len(row.text) > 200:
            continue
        m = _FOCUS.match(row.folded)
        if m is None:
            continue
        rest = row.text[m.end() :]
        head = tidy(row.text[: m.end()])
        operator, rest = _split_operator(rest)
        title_rows = [row]
        parts = [rest] if tidy(rest) else []
        k = i + 1
        if not parts:
            k = d.next_filled(i + 1) or len(d.rows)
            while k < len(d.rows) and len(title_rows) <= MAX_TITLE_LINES:
                nxt = d.rows[k]
                if nxt.blank or nxt.amounts or _FOCUS.match(nxt.folded):
                    break
                if _OPERATOR.search(nxt.folded) or SENTENCE_END.search(nxt.text):
                    break
                parts.append(nxt.text)
                title_rows.append(nxt)
                k += 1
        operator_line = operator is None
        if operator is None:
            operator, k = _operator_below(d, k)
        if not m.group("num") and operator is None:
            continue
        if not parts:
            continue
        subtitle = _subtitle(d, k, quoted_only=not (operator_line and operator))
        if subtitle is not None:
            parts.append(subtitle.text)
            title_rows.append(subtitle)
        detail = _detail_below(d, k) if m.group("num") else None
        if detail is not None:
            parts.append(detail[1])
            title_rows.append(detail[0])
        d.used.update(r.index for r in title_rows)
        yield Action(
            title=f"{head} : " + " – ".join(tidy(p) for p in parts if tidy(p)),
            provenance=provenance(title_rows, 0.8),
            operator=operator,
            year=year_before(d, i) or single_year(row.text),
            theme=None,
        )


def _detail_below(d: Doc, k: int) -> tuple[Row, str] | None:
    """An unnumbered "Focus sur …" line right under a numbered focus, and its text: the
    event or place the numbered focus zooms in on ("Focus #5 : le pilotage …" /
    "Focus sur le séminaire des élus – 26 novembre 2024")."""
    seen = 0
    while k < len(d.rows) and seen < 4:
        row = d.rows[k]
        k += 1
        if row.blank:
            continue
        seen += 1
        m = _FOCUS.match(row.folded)
        if m is None:
            continue
        rest = tidy(row.text[m.end() :])
        if m.group("num") or not rest or row.amounts or _OPERATOR.search(row.folded):
            return None
        return row, rest
    return None


def _split_operator(text: str) -> tuple[str | None, str]:
    """(operator, text before it) for "Title - Opérateur : X"."""
    m = _OPERATOR.search(fold(text))
    if m is None:
        return None, text
    operator = tidy(re.split(r"[.;]\s", text[m.end() :])[0])
    return operator or None, text[: m.start()]


def _operator_below(d: Doc, k: int) -> tuple[str | None, int]:
    """An "Opérateur : X" line among the next few lines, and the index after it."""
    seen = 0
    while k < len(d.rows) and seen < 4:
        row = d.rows[k]
        if not row.blank:
            seen += 1
            if _FOCUS.match(row.folded):
                break
            m = _OPERATOR.search(row.folded)
            if m is not None and m.start() < 5:
                return tidy(row.text[m.end() :]) or None, k + 1
        k += 1
    return None, k


def _subtitle(d: Doc, k: int, *, quoted_only: bool) -> Row | None:
    """A short line that completes a focus title: a quoted line right under it, or the
    first line under its "Opérateur :" line when that line is not prose."""
    j = d.next_filled(k)
    if j is None:
        return None
    row = d.rows[j]
    text = row.text
    if quoted_only and not re.match(r"^[«\"“].*[»\"”]$", text):
        return None
    if (
        row.amounts
        or row.is_table
        or len(text) > 100
        or SENTENCE_END.search(text)
        or LINKING_END.search(text)
        or _FOCUS.match(row.folded)
        or _OPERATOR.search(row.folded)
        or row.line.text.lstrip()[:1] in "-•*"
    ):
        return None
    nxt = d.next_filled(j + 1)
    if nxt is not None and (d.rows[nxt].text[:1].islower() or d.rows[nxt].text[:1] == "("):
        return None
    return row
