"""Communes heading the lines of a list of grants: the project owners the money goes to.

In a fonds-de-concours or subsidy list ("Béthune - 19 946 €", or "Auchel" with its
project and amount on the next lines) the commune carries the project: role operator.
"""

from __future__ import annotations

import re

from extractors.communes import commune_key, resolve_commune
from extractors.partners.layout import PageView, lines
from extractors.partners.mentions import Context, Mention
from extractors.partners.places import commune_canonical
from extractors.partners.roles import AMOUNT

_RECIPIENT_CONTEXT = re.compile(
    r"fonds de concours|attribue|subvention|beneficiaire|maitr\w* d'ouvrage|porteur"
)
_RECIPIENT_LOOKBACK = 30
_MAX_LINE = 90


def recipient_mentions(views: list[PageView], ctx: Context) -> list[Mention]:
    """Communes heading a line of a list of grants ("Béthune - 19 946 €", "Auchel" + amount).

    Only communes of the document's department, only lines whose rest is empty, an
    amount or a column header, in a list whose preceding lines speak of grants.
    """
    if not ctx.department:
        return []
    found_lines = [(v, s, e) for v in views for s, e in lines(v) if v.text[s:e].strip()]
    found = []
    for i, (view, s, e) in enumerate(found_lines):
        line = view.text[s:e]
        if "\t" in line or len(line) > _MAX_LINE:
            continue
        window = " ".join(
            v.folded[a:b] for v, a, b in found_lines[max(0, i - _RECIPIENT_LOOKBACK) : i + 1]
        )
        if not _RECIPIENT_CONTEXT.search(window):
            continue
        following = " ".join(v.text[a:b] for v, a, b in found_lines[i : i + 3])
        if not AMOUNT.search(following):
            continue
        mention = _recipient(view, s, line, ctx)
        if mention is not None:
            found.append(mention)
    return found


def _recipient(view: PageView, line_start: int, line: str, ctx: Context) -> Mention | None:
    body = re.sub(r"^\s*(?:[-•*·▪]\s*)?", "", line)
    offset = line_start + len(line) - len(body)
    words = re.split(r"(?<=\S)(?=\s)", body)
    for n in range(min(len(words), 6), 0, -1):
        candidate = "".join(words[:n]).strip()
        rest = "".join(words[n:]).strip()
        if not candidate[:1].isupper() or not _recipient_rest(rest):
            continue
        written = candidate.rstrip(" :-–")
        commune = resolve_commune(written, ctx.department)
        if commune is None or commune_key(commune.name) != commune_key(written):
            continue  # a bare name must be exact: "Ricouart" is not Récourt
        return Mention(
            canonical=commune_canonical(commune.name),
            kind="commune",
            role="operator",
            structural=True,
            page=view.page,
            start=offset,
            end=offset + len(written),
            confidence=0.8,
            entry="commune",
        )
    return None


def _recipient_rest(rest: str) -> bool:
    """What may follow the commune on its line: nothing, ":", "- amount", a header."""
    if not rest or rest in {":", "-", "–"}:
        return True
    if re.match(r"^[:\-–]\s*\d", rest) and AMOUNT.search(rest):
        return True
    return bool(re.match(r"^(?:Montant|MONTANT|Projet|PROJET|Opération)\b", rest))
