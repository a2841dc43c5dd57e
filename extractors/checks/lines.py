"""The document's lines as the checks read them, and what a line announces.

A check compares figures across lines: a total and the rows around it, a count and
the items after it. The lines are the action readers' rows (cleaned cells, a folded
copy for matching, the amounts the amounts extractor found on the line), so both
stages see the same text and the same amounts. A sentence that distributes an amount
("391 934 € ont été attribués à 7 communes :") announces the parts listed after it,
and often their number.
"""

from __future__ import annotations

import re

from extractors.actions.rows import Row, read_rows
from extractors.folding import fold
from schemas.records import Amount, ParsedDocument

# "391 934 € ont été attribués à 7 communes …": a total announcing the list below it.
_DISTRIBUTED = re.compile(
    r"\b(?:attribu|allou|repart|accord|distribu|vers|octroy|consacr)(?:e|ee|es|ees|i|is|ie|ies)\b"
)
COUNTED_NOUNS = (
    r"communes?|projets?|actions?|operations?|associations?|structures?|dossiers?"
    r"|porteurs?|quartiers?|beneficiaires?|conventions?"
)
COUNT = re.compile(rf"(?<![\d,.])(?P<n>\d{{1,4}})\s+(?P<noun>{COUNTED_NOUNS})\b")


def read_lines(doc: ParsedDocument, amounts: list[Amount]) -> list[Row]:
    return read_rows(doc, amounts).rows


def is_row(ln: Row) -> bool:
    """A table row: its line holds a TAB between two cells."""
    return "\t" in ln.line.text.strip()


def word_count(ln: Row) -> int:
    return len(re.findall(r"\w+", ln.text))


def announces_parts(ln: Row, lines: list[Row]) -> bool:
    """A sentence that gives an amount as distributed among the items listed after it."""
    text = sentence_after(ln, lines)
    amount_end = ln.amounts[0].provenance.end - ln.line.start
    return bool(_DISTRIBUTED.search(fold(text[max(0, amount_end - 1) :])))


def sentence_after(ln: Row, lines: list[Row]) -> str:
    """The line's text and the lines continuing its sentence (up to three)."""
    parts = [ln.line.text]
    k = ln.index + 1
    while k < len(lines) and len(parts) < 4 and lines[k].text and not lines[k].amounts:
        parts.append(lines[k].line.text)
        if parts[-1].rstrip().endswith((".", ":")):
            break
        k += 1
    return " ".join(parts)


def stated_count(ln: Row, lines: list[Row]) -> re.Match[str] | None:
    """The first "N communes / projets …" of the line's sentence."""
    return COUNT.search(fold(sentence_after(ln, lines)))


def singular(noun: str) -> str:
    return noun[:-1] if noun.endswith("s") else noun
