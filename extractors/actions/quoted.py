"""Actions named in quotes in running text: « Business #4 », « Un toit, un emploi ».

Reports and partners' commitments name their projects in quotes after a keyword
(action, projet, dispositif, opération) and say who runs them, in three phrasings:
"l'action « X » portée par Y"; "Y porte / initie / a reconduit le projet « X »";
or a list item that opens with the named action ("- Action « X » : …"). A quoted
name without any of these ("le grand projet « Région Numérique » reste régional") is
only a mention. Keywords are matched on folded text, names read from the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.actions.context import heading_before, single_year, year_before
from extractors.actions.names import NAME, is_pronoun
from extractors.actions.rows import Doc, Row, provenance, tidy
from extractors.folding import fold
from schemas.records import Action

# A keyword, up to three words qualifying it ("projet CUCS", "actions collectives
# éco-citoyennes,"), and the quoted name. A scheme ("dispositif « Garantie jeunes »")
# is often a national one a document only mentions: it counts when a named structure
# says it runs it.
_ACTION_WORDS = r"actions?|projets?|operations?"
_SCHEME_WORDS = rf"{_ACTION_WORDS}|dispositifs?"


def _quoted(keywords: str) -> str:
    return (
        rf"(?P<kw>{keywords})(?P<qual>(?:\s+[\w'-]+){{0,3}}?),?\s+«\s*(?P<name>[^«»]{{2,80}}?)\s*»"
    )


# Verbs of running an action, in the forms a report uses (present, plural, future,
# past participle, "a reconduit").
_VERB_STEMS = (
    r"port|developp|men|organis|propos|anim|pilot|coordonn|deploi|initi|lanc|experiment"
    r"|financ|realis"
)
_ENDINGS = r"(?:ent|era|eront|ee?s?)"
_IRREGULAR = (
    r"(?:met|mettent|mettra|mis|mise?s?) en (?:oeuvre|place)|conduit|conduisent|reconduit"
    r"|soutient|soutiennent|soutenu"
)
_VERB = rf"(?:(?:a|ont) )?(?:(?:{_VERB_STEMS}){_ENDINGS}|{_IRREGULAR})"
_RUN_BY = rf"(?:{_VERB_STEMS}){_ENDINGS}\s+par"
# "l'action « X » portée par Y".
_NAMED_AFTER = re.compile(
    rf"(?<![\w-]){_quoted(_ACTION_WORDS)}[^.;«»]{{0,60}}?\b(?:{_RUN_BY}|{_IRREGULAR} par)\s+"
)
# "Y porte le projet « X »", "Y initie sur le territoire des actions collectives, « X »".
_NAMED_BEFORE = re.compile(
    rf"\s{_VERB}\s+(?:[^.;:«»\s]+\s+){{0,8}}?(?:l'|une? |cette |ces |les |des |le |la |son |sa |ses )"
    rf"{_quoted(_SCHEME_WORDS)}"
)
# "- Action « X » : …", "L'action « X », a permis …": the item opens with the action.
_OPENING = re.compile(rf"^(?:l'|les? |la |une? |des )?{_quoted(_ACTION_WORDS)}")
_NAME_RE = re.compile(NAME)
_NAME_END_RE = re.compile(rf"(?:^|[.;:,]\s+|\s)(?P<op>{NAME})\s*$")
_SENTENCE_ROWS = 4


def quoted_actions(d: Doc) -> Iterator[Action]:
    """Every action named in quotes with who runs it, or opening its list item."""
    for i, row in enumerate(d.rows):
        if i in d.used or row.blank or row.is_table or "«" not in row.text:
            continue
        sentence = [row]
        k = i + 1
        while k < len(d.rows) and len(sentence) < _SENTENCE_ROWS and not d.rows[k].blank:
            sentence.append(d.rows[k])
            k += 1
        text = " ".join(r.text for r in sentence)
        found: dict[int, Action] = {}  # by the start of the quoted name
        for m, operator in _named(text, len(row.text)):
            if m.start("name") not in found:
                found[m.start("name")] = _quoted_action(d, sentence, text, m, operator)
        if found:
            d.used.add(row.index)
            yield from found.values()


def _named(text: str, first_line: int) -> Iterator[tuple[re.Match[str], str | None]]:
    """(match, operator) of each phrasing found in ``text`` whose name is on its first line."""
    folded = fold(text)
    for m in _NAMED_AFTER.finditer(folded):
        op = _NAME_RE.match(text, m.end())
        if m.start("kw") < first_line and op is not None and not is_pronoun(op.group()):
            yield m, op.group()
    for m in _NAMED_BEFORE.finditer(folded):
        op = _NAME_END_RE.search(text[: m.start()])
        if m.start("kw") < first_line and op is not None and not is_pronoun(op.group("op")):
            yield m, op.group("op")
    m = _OPENING.match(folded)
    if m is not None:
        after = _NAMED_AFTER.match(folded, m.start("kw"))
        op = _NAME_RE.match(text, after.end()) if after else None
        yield m, op.group() if op else None


def _quoted_action(
    d: Doc, rows: list[Row], text: str, m: re.Match[str], operator: str | None
) -> Action:
    head = tidy(text[m.start("kw") : m.end("qual")])
    name = tidy(text[m.start("name") : m.end("name")])
    return Action(
        title=f"{head[0].upper()}{head[1:]} « {name} »",
        provenance=provenance(rows, 0.6),
        operator=tidy(operator) if operator else None,
        year=single_year(text) or year_before(d, rows[0].index),
        theme=heading_before(d, rows[0].index),
    )
