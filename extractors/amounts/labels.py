"""A short label for an amount: what it measures, in the document's own words.

In a table the label is the row label and the column header; in prose it is the
clause before the amount without its connectives ("s'élève à", "pour un montant
de"), or the words after it when nothing precedes. A bare label ("Ateliers") gets
its section heading in front, so that it still says something out of context.
"""

from __future__ import annotations

import re

from extractors.amounts.context import Context
from extractors.amounts.text import WORD, clean, word_count

_TRAILING = re.compile(
    r"(?:\s+|^)\(?(?:de|d'|du|des|a|à|au|aux|soit|pour|par|est|sont|et|ou|en|dont|"
    r"s'(?:é|e)l(?:è|e)ve(?:nt)? (?:à|a)|s'(?:é|e)levant (?:à|a)|environ|d'environ|"
    r"(?:aux|les) environs de|de l'ordre de|un montant de|une somme de|estim(?:é|e)e?s?|"
    r"pour un montant|fix(?:é|e)e?s?|(?:à|a) hauteur de|représent(?:e|ant)|près|pres|"
    r"allant|pouvant aller|compris|entre|=|:|-|–|\()\s*$",
    re.IGNORECASE,
)
_LEADING = re.compile(
    r"^\s*(?:ont été|a été|sont|est|de|d'|du|des|pour|par|soit|/|\)|\*)\s+", re.IGNORECASE
)
_UNIT_TAIL = re.compile(r"^(?:HT|TTC|H\.T\.|T\.T\.C\.|/an|par an)\b[\s,.;]*", re.IGNORECASE)
_LABEL_HEAD_WORDS = 6
_LABEL_TAIL_WORDS = 8
_LABEL_MAX_CHARS = 160
_BARE_LABEL_WORDS = 3  # a label this short is prefixed with its heading


def _trim_left(text: str) -> str:
    """The clause before an amount without its connectives ("s'élève à", "de")."""
    text = _UNIT_TAIL.sub("", clean(text))
    for _ in range(6):
        new = _TRAILING.sub("", text).strip(" ,;:(")
        if new == text:
            break
        text = new
    words = text.split()
    if len(words) > _LABEL_HEAD_WORDS + _LABEL_TAIL_WORDS:
        # The subject opens the sentence, the thing measured comes just before the amount.
        return " ".join([*words[:_LABEL_HEAD_WORDS], "…", *words[-_LABEL_TAIL_WORDS:]])
    return text


def _trim_right(text: str) -> str:
    """The clause after an amount without its leading verb and trailing connectives."""
    text = clean(text)
    for _ in range(3):
        new = _LEADING.sub("", text)
        if new == text:
            break
        text = new
    text = " ".join(text.split()[: _LABEL_HEAD_WORDS + _LABEL_TAIL_WORDS])
    for _ in range(3):
        new = _TRAILING.sub("", text).rstrip(" ,;:(")
        if new == text:
            break
        text = new
    return text


def label(ctx: Context) -> str | None:
    """What the amount is: row and column of its table cell, else its clause."""
    if ctx.table_cell:
        if ctx.row_label and ctx.column and ctx.column != ctx.row_label:
            local = f"{ctx.row_label} ({ctx.column})"
        else:
            local = ctx.row_label or ctx.column or ""
    else:
        local = _trim_left(ctx.left)
        if not WORD.search(local):
            right = _trim_right(ctx.right)
            local = right or local
        if word_count(local) < 2 and ctx.lead_in:
            local = _trim_left(ctx.lead_in)
    if ctx.heading and word_count(local) <= _BARE_LABEL_WORDS and ctx.heading != local:
        local = f"{ctx.heading} – {local}" if local else ctx.heading
    if len(local) > _LABEL_MAX_CHARS:
        local = local[: _LABEL_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return local or None
