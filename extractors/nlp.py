"""The shared spaCy pipeline: ``fr_core_news_sm`` NER behind a gazetteer of partners.

The statistical French model is weak on administrative names (it tags "Pôle Emploi"
as a person and "CONSEIL" as an organisation), while the organisations that matter in
a contrat de ville form a small, known set. An :class:`~spacy.pipeline.EntityRuler`
built from ``data/partners.json`` therefore runs *before* ``ner``: its matches are
fixed entities the model then predicts around. Only the components NER needs are
loaded: the model's NER has its own embedding layer, so the shared ``tok2vec``, the
parser, the morphologizer and the lemmatizer are excluded. Measured on two cores:
~70 000 chars/s with NER (idle machine), ~200 000 chars/s for the rulers alone
(:func:`ruler_only`), which is why NER only sees the sentences that need it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

MODEL = "fr_core_news_sm"
REGISTRY_PATH = Path(__file__).resolve().parent / "data" / "partners.json"
NAME_RULER = "partner_names"  # names, whatever the case and accents
EXACT_RULER = "partner_exact"  # acronyms and capitalised words, then generic patterns
RULERS = [NAME_RULER, EXACT_RULER]
ENTITY_LABEL = "ORG"
PAD = "\u200b"  # zero-width filler: blanked markup keeps the length of the source
_SQUEEZE = re.compile(r" {2,}|\u200b+|(?<=[^\s])\n(?=[^\s])")
_MAX_ACCENTED = 4
_UNUSED = ["tok2vec", "parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter"]


@lru_cache(maxsize=1)
def load_registry() -> dict[str, Any]:
    """The partner registry (entries, generic patterns, regions, departments)."""
    return json.loads(REGISTRY_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """``fr_core_news_sm`` (NER only) with the partner gazetteer placed before ``ner``.

    Two rulers, because a phrase matcher compares one token attribute: names on lower
    case first, then acronyms on the exact spelling ("CAF" but not "caf") with the
    generic token patterns. A later ruler never overrides an earlier match, so a
    full name wins over the acronym inside it ("SIA Habitat" over "SIA").
    """
    nlp = spacy.load(MODEL, exclude=_UNUSED)
    names, exact = gazetteer_patterns()
    for ruler_name, attr, patterns in ((NAME_RULER, "LOWER", names), (EXACT_RULER, "ORTH", exact)):
        ruler = nlp.add_pipe(
            "entity_ruler",
            name=ruler_name,
            before="ner",
            config={"phrase_matcher_attr": attr, "validate": True},
        )
        with nlp.select_pipes(enable=[]):
            ruler.add_patterns(patterns)
    return nlp


@contextmanager
def ruler_only(nlp: Language) -> Iterator[Language]:
    """The pipeline reduced to tokenizer + gazetteer, for a fast pass over whole documents."""
    with nlp.select_pipes(enable=RULERS):
        yield nlp


@dataclass(frozen=True, slots=True)
class Squeezed:
    """spaCy's view of a text, and the way back to the text's offsets.

    spaCy makes a run of spaces, or a line break, a token of its own: a blanked tag
    (three spaces or more) must stay a boundary ("SA DU HAINAUT</p> <p>Marlène" is two
    things) and becomes a line break, while a blanked entity ("&amp;" -> "&" +
    zero-width padding) must not split "Maisons &amp; Cités", nor a line break inside
    a paragraph split a wrapped name ("la Communauté\nd'Agglomération").
    """

    text: str
    points: tuple[tuple[int, int], ...]  # (offset here, offset in the original), ascending

    @classmethod
    def of(cls, text: str) -> Squeezed:
        parts, points, last, length = [], [(0, 0)], 0, 0
        for m in _SQUEEZE.finditer(text):
            parts.append(text[last : m.start()])
            length += m.start() - last
            run = m.group(0)
            replacement = "" if run[0] == PAD else "\n" if len(run) >= 3 else " "
            points.append((length, m.start()))
            parts.append(replacement)
            length += len(replacement)
            last = m.end()
            points.append((length, last))
        parts.append(text[last:])
        return cls("".join(parts), tuple(points))

    def original(self, offset: int) -> int:
        k = bisect_right(self.points, (offset, float("inf"))) - 1
        here, there = self.points[k]
        return there + offset - here

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.original(start), self.original(end - 1) + 1


def gazetteer_patterns() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """EntityRuler patterns of the registry: (lower-case names, exact spellings + generic).

    Each pattern's ``id`` is its registry entry (or generic pattern) id. ``names`` are
    expanded to their accent-less and curly-apostrophe spellings.
    """
    registry = load_registry()
    names: list[dict[str, Any]] = []
    exact: list[dict[str, Any]] = []
    for entry in registry["entries"]:
        for name in entry.get("names", []):
            for variant in _variants(name.lower()):
                names.append({"label": ENTITY_LABEL, "pattern": variant, "id": entry["id"]})
        for spelling in entry.get("exact", []):
            for variant in _variants(spelling, strip_accents=False):
                exact.append({"label": ENTITY_LABEL, "pattern": variant, "id": entry["id"]})
    for generic in registry["patterns"]:
        exact.append({"label": ENTITY_LABEL, "pattern": generic["pattern"], "id": generic["id"]})
    return names, exact


def _variants(text: str, *, strip_accents: bool = True) -> set[str]:
    """Spellings of ``text`` with each word accented or not, and both apostrophes.

    Upper-case PDFs drop accents word by word ("SOCIÉTÉ IMMOBILIERE"), so every
    combination is generated (a handful: names have few accented words).
    """
    forms = {text}
    if strip_accents:
        words = text.split(" ")
        accented = [i for i, w in enumerate(words) if _unaccent(w) != w][:_MAX_ACCENTED]
        for mask in range(1, 2 ** len(accented)):
            variant = list(words)
            for bit, i in enumerate(accented):
                if mask >> bit & 1:
                    variant[i] = _unaccent(variant[i])
            forms.add(" ".join(variant))
        forms.add(_unaccent(text))
    return forms | {f.replace("'", "’") for f in forms}


def _unaccent(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
