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
# "Actions développées dans le cadre du projet « X »": a named project framing others.
_FRAMING = re.compile(rf"\bdans le cadre (?:du |de l'|de la |des ){_quoted(_ACTION_WORDS)}")
# What a named action is, said right after its name: "« X » : Les services de proximité
# se rendent dans les halls …", "« X » en partenariat avec le Conseil départemental".
_DESCRIPTION = re.compile(r"\s*(?::\s+|,?\s+(?=(?:en partenariat |en lien )?avec\s))")
# Where that description stops: a purpose, a relative clause, the end of the sentence.
_DESCRIPTION_END = re.compile(r"\s+(?:afin|qui|dont|lorsque|car)\b|[.;:!?]|\s[-–—]\s")
_DESCRIPTION_WORDS = 16
_NAME_RE = re.compile(NAME)
_NAME_END_RE = re.compile(rf"(?:^|[.;:,]\s+|\s)(?P<op>{NAME})\s*$")
_SENTENCE_ROWS = 4
_PROSE_CELL_WORDS = 12  # a table cell this long is running text


def quoted_actions(d: Doc) -> Iterator[Action]:
    """Every action named in quotes with who runs it, framing others, or opening its
    list item; in running text or in a table cell of prose."""
    for i, row in enumerate(d.rows):
        if i in d.used or row.blank or "«" not in row.text:
            continue
        sentence = [row]
        if row.is_table:
            texts = [c for c in row.cells if "«" in c and len(c.split()) >= _PROSE_CELL_WORDS]
        else:
            k = i + 1
            while k < len(d.rows) and len(sentence) < _SENTENCE_ROWS and not d.rows[k].blank:
                sentence.append(d.rows[k])
                k += 1
            texts = [" ".join(r.text for r in sentence)]
        found: dict[str, Action] = {}  # by the quoted name
        for text in texts:
            first_line = len(text) if row.is_table else len(row.text)
            for m, operator in _named(text, first_line):
                if m.group("name") not in found:
                    found[m.group("name")] = _quoted_action(d, sentence, text, m, operator)
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
    for m in _FRAMING.finditer(folded):
        if m.start("kw") < first_line:
            yield m, None
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
    title = f"{head[0].upper()}{head[1:]} « {name} »"
    described = _description(text, text.find("»", m.end("name")) + 1)
    return Action(
        title=f"{title} ({described})" if described else title,
        provenance=provenance(rows, 0.6),
        operator=tidy(operator) if operator else None,
        year=single_year(text) or year_before(d, rows[0].index),
        theme=heading_before(d, rows[0].index),
    )


def _description(text: str, after: int) -> str | None:
    """The phrase describing a named action right after its closing quote, if any:
    a colon and a short clause, or the partnership it is run in."""
    if after <= 0:
        return None
    m = _DESCRIPTION.match(fold(text), after)
    if m is None:
        return None
    end = _DESCRIPTION_END.search(fold(text), m.end())
    phrase = tidy(text[m.end() : end.start() if end else len(text)])
    if not phrase or len(phrase.split()) > _DESCRIPTION_WORDS:
        return None
    return phrase
