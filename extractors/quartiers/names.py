"""What a quartier name looks like, and the form names are compared in.

Names come wrapped in markup ("**Cité 2 :**"), annotations ("(NPNRU)", "(code
QP062029)") and typographic variants ("Cité du 10" / "CITE 10"). Cleaning and keying
them here once lets tables, headings and prose agree on one spelling, and the shape
test keeps generic words ("Tous les autres quartiers", "TOTAL") from becoming names.
"""

from __future__ import annotations

import re

from ..communes import fold

_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_MARKUP = re.compile(r"\*\*|__|[*`]|^\s*#+\s*|^\s*[-•·>]\s+")
_ANNOTATION = re.compile(
    r"\(\s*(?:N?PNRU|ANRU|QPV|QIC|ZUS|NPRU|PRU|PRIR|code[^()]*|intér[eê]t[^()]*|"
    r"veille[^()]*|prioritaire[^()]*|Q[PN]\s?\w{6})\s*\)",
    re.I,
)
DASH = r"[-–—]"
# Where a name splits into pieces: "Calonne - Marichelles - Vent De Bise".
PIECE_SPLIT = re.compile(rf"\s+{DASH}+\s+|\s+{DASH}+(?=\S)|(?<=\S){DASH}+\s+")
SENTENCE_END = re.compile(r"[.!?;](?:\s|$)")

CONNECTORS = {
    "de", "du", "des", "la", "le", "les", "l'", "d'", "sur", "sous", "en", "bis", "aux", "au",
}  # fmt: skip
ARTICLES = {"le", "la", "les", "l'"}
# Lower-case words that begin a quartier name in running text ("la cité du 12-14").
HEAD_WORDS = {"cité", "cités", "cite", "cites", "résidence", "résidences", "residence"}
# Words too common in names to make two names the same place on their own.
WEAK_TOKENS = {"cite", "residence", "quartier", "secteur", "ilot", "zone", "centre"}
_NAME_STOP = {"le", "la", "les", "l", "du", "de", "des", "d", "et", "au", "aux", "en"}
_NAME_GENERIC = {"quartier", "quartiers"}
_NOT_A_NAME = {
    "agglomeration", "agglo", "communaute", "ville", "commune", "communes", "territoire",
    "departement", "region", "etat", "france", "metropole", "contrat", "programme",
    "politique", "tous", "toutes", "tout", "ensemble", "autres", "reste", "total", "totaux",
    "hors", "sous-total", "quartiers", "nombre", "source", "sources", "interet",
    "veille", "priorite",
}  # fmt: skip
_CLOSES_NAME = re.compile(r"[,;:.!?)»\"”]$")


def clean_name(text: str) -> str | None:
    """A quartier name without markup, annotations like "(NPNRU)", or stray separators."""
    s = _TAG.sub(" ", text)
    s = _MARKUP.sub(" ", s)
    s = s.replace("**", " ").replace("*", " ")
    s = _ANNOTATION.sub(" ", s)
    s = re.sub(r"\(\s*\)", " ", s)
    s = re.sub(r"\s+", " ", s).strip(" \t-–—:;,.«»\"“”'’")
    if s.count("(") != s.count(")"):
        s = s.replace("(", " ").replace(")", " ")
        s = re.sub(r"\s+", " ", s).strip()
    return s if re.search(r"[A-Za-zÀ-ÿ0-9]", s) else None


def name_key(name: str) -> str:
    """The form names are compared in: "Cité du 10" and "CITE 10" give "cite 10"."""
    s = fold(name)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    out = []
    for w in s.split():
        if w in _NAME_STOP or w in _NAME_GENERIC:
            continue
        w = {"st": "saint", "ste": "sainte", "res": "residence"}.get(w, w)
        if w.isdigit():
            w = str(int(w))
        elif len(w) > 3 and w.endswith("s"):
            w = w[:-1]
        out.append(w)
    return " ".join(out)


def strip_markup(text: str) -> str:
    """A line without tags, emphasis or heading marks: what a reader sees."""
    s = _TAG.sub(" ", text)
    s = s.replace("**", " ").replace("__", " ").replace("*", " ").replace("`", " ")
    s = re.sub(r"^\s*#+\s*", "", s)
    return re.sub(r"\s+", " ", s).strip()


def tokens(text: str) -> list[tuple[str, int, int]]:
    """The whitespace-separated words of ``text`` with their offsets."""
    return [(t.group(0), t.start(), t.end()) for t in re.finditer(r"\S+", text)]


def is_cap(word: str) -> bool:
    """A word that may belong to a proper name: capitalised or a number."""
    w = word.lstrip("«\"“'(")
    return bool(w) and (w[0].isupper() or w[0].isdigit())


def scan_name_back(words: list[tuple[str, int, int]], end: int) -> int | None:
    """Index of the first token of the capitalised name that ends before ``end``."""
    i = end - 1
    first = None
    while i >= 0 and end - i <= 8:
        word = words[i][0]
        if i < end - 1 and _CLOSES_NAME.search(word):
            break
        low = word.lower().replace("’", "'").lstrip("(")
        if word.startswith("("):  # "(cité 12/14 à Lens)": the name opens the bracket
            if is_cap(word) or low in HEAD_WORDS:
                first = i
            break
        if low in HEAD_WORDS:
            first = i  # "la cité du 12-14 de Lens": the head word starts the name
            break
        if is_cap(word):
            first = i
            if low in {"le", "la", "les"} and i > 0 and is_cap(words[i - 1][0]):
                break  # "... Urbain Le Mont-Liébaut": the name starts at the article
        elif re.match(r"^[ld]'\w", low) and is_cap(word[2:]):
            first = i  # "l'Alma"
        elif low in CONNECTORS:
            pass
        else:
            break
        i -= 1
    if first is None:
        return None
    while first < end and words[first][0].lower() in CONNECTORS - ARTICLES:
        first += 1
    return first if first < end else None


def closes_name(word: str) -> bool:
    """A word whose trailing punctuation ends the name it belongs to."""
    return bool(_CLOSES_NAME.search(word))


def looks_like_name(text: str, *, loose: bool = False, max_words: int = 12) -> bool:
    """A quartier-name shape: capitalised words, numbers and connectors only, and not a
    generic word ("Tous les autres quartiers", "Ensemble de la commune", "TOTAL")."""
    words = text.split()
    if not words or len(words) > max_words or not name_key(text):
        return False
    if not re.search(r"[A-Za-zÀ-ÿ]|\d\s?[/-]\s?\d", text):
        return False  # a count, not a name; "3/15" or "12-14" are names
    if re.sub(r"^[ldi]['’]", "", fold(words[0]).strip('«"“(')) in _NOT_A_NAME:
        return False
    if len(words) == 1 and re.fullmatch(r"[A-Z]{2,7}", words[0]):
        return False  # an acronym: CAPH, CALL, QPV
    if loose:
        return True
    for w in words:
        low = w.lower().replace("’", "'")
        if is_cap(w) or low in CONNECTORS | HEAD_WORDS or low == "et" or re.match(r"^[ld]'", low):
            continue
        if re.fullmatch(r"[\W\d]+", w):
            continue
        return False
    return True
