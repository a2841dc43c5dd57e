"""The partner registry (``data/partners.json``) in use: its names found in pages by
the spaCy rulers, entries by id, folded aliases, and the fuzzy match that maps a name
written any which way to its entry.

The rulers of :mod:`extractors.nlp` find the registry's names in running text;
:func:`registry_entry` answers the other question — which entry, if any, a given
name is — for names the statistical NER proposes and for names other extractors read.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from extractors.folding import fold
from extractors.nlp import Squeezed, load_nlp, load_registry, ruler_only
from extractors.partners.layout import PageView
from extractors.partners.mentions import Span

_FUZZY_EXACT = 95
_FUZZY_SORTED = 92


def gazetteer_spans(views: list[PageView]) -> list[tuple[PageView, Span]]:
    """Registry names on every page, by the spaCy rulers alone (no statistical NER)."""
    nlp = load_nlp()
    squeezed = [Squeezed.of(v.text) for v in views]
    with ruler_only(nlp):
        spacy_docs = nlp.pipe((sq.text for sq in squeezed), batch_size=8)
        return [
            (v, Span(ent.ent_id_, ent.text, *sq.span(ent.start_char, ent.end_char)))
            for v, sq, sdoc in zip(views, squeezed, spacy_docs, strict=True)
            for ent in sdoc.ents
        ]


@lru_cache(maxsize=1)
def entries() -> dict[str, dict[str, Any]]:
    """Registry entries by id, generic patterns included (scope "generic")."""
    registry = load_registry()
    found = {e["id"]: e for e in registry["entries"]}
    for generic in registry["patterns"]:
        found.setdefault(
            generic["id"],
            {
                "id": generic["id"],
                "kind": generic["kind"],
                "scope": "generic",
                "canonical": None,
                "entry": generic.get("entry"),
            },
        )
    return found


@lru_cache(maxsize=1)
def generic_words() -> frozenset[str]:
    """Folded words that make a proposed name a function, a heading or a kind of body."""
    return frozenset(fold(w) for w in load_registry()["not_an_organisation"])


@lru_cache(maxsize=1)
def alias_index() -> dict[str, str]:
    """Folded alias -> entry id, for fuzzy normalisation of proposed names."""
    index: dict[str, str] = {}
    for entry in load_registry()["entries"]:
        for alias in [*entry.get("names", []), *entry.get("exact", [])]:
            k = key(alias)
            if len(k) >= 3:
                index.setdefault(k, entry["id"])
    return index


def key(text: str) -> str:
    """Folded words of a name ("&" and "/" kept: "Maisons & Cités", "62/59")."""
    return " ".join(re.sub(r"[^a-z0-9&/]+", " ", fold(text)).split())


def registry_entry(name: str) -> str | None:
    """Id of the registry entry ``name`` designates up to spelling, or None.

    rapidfuzz ratio >= 95 on the folded alias, or token_sort_ratio >= 92 when the
    lengths are comparable (within 25 %): plain WRatio would map "CONSEIL" to
    "Conseil régional" (partial match), which a bare "CONSEIL" is not.
    """
    k = key(name)
    if len(k) < 3:
        return None
    index = alias_index()
    best = process.extractOne(k, index.keys(), scorer=fuzz.ratio, score_cutoff=_FUZZY_EXACT)
    if best:
        return index[best[0]]
    best = process.extractOne(
        k, index.keys(), scorer=fuzz.token_sort_ratio, score_cutoff=_FUZZY_SORTED
    )
    if best and 0.8 <= len(k) / len(best[0]) <= 1.25:
        return index[best[0]]
    return None
