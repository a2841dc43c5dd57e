"""Text normalisation applied to every line before it enters ``Page.text``.

Extractors match plain strings ("10 800 €", "l'offre", "financière"), so the
typographic variants PDF producers and OCR emit are folded here once: Unicode
NFC, ligatures, the many no-break and thin spaces, soft hyphens, curly
apostrophes, and words hyphenated across two lines. « » and other quotes are
kept: they are content. Everything works line by line so that the caller can
compute line offsets on the final text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_CHAR_MAP = str.maketrans(
    {
        "ﬀ": "ff",
        "ﬁ": "fi",
        "ﬂ": "fl",
        "ﬃ": "ffi",
        "ﬄ": "ffl",
        "ﬅ": "st",
        "ﬆ": "st",
        "\u2019": "'",  # right single quotation mark, the usual French apostrophe
        "\u2018": "'",
        "\u02bc": "'",  # modifier letter apostrophe
        "\u00ad": None,  # soft hyphen: only a hyphenation hint
        "\u200b": None,  # zero-width space / joiners / BOM carry no text
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        # List bullets drawn with Symbol/Wingdings glyphs land in the private use area.
        "\uf0b7": "•",
        "\uf0a7": "•",
        "\uf0d8": "•",
        "\uf0fc": "•",
        "\uf076": "•",
        "\uf06e": "•",
        "\uf0a8": "•",
        "\uf0e8": "•",
    }
    | {chr(c): " " for c in (0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)}
    | {chr(c): None for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F)}
)
_SPACES = re.compile(r" {2,}")
_AROUND_TAB = re.compile(r" *\t *")

# First elements of French compounds that keep their hyphen when a line break falls
# on it ("sous-\npréfet", "non-\nrecours"): a linguistic list, not a corpus one. Left
# out on purpose: prefixes that also start plain words cut by hyphenation
# ("contre-partie", "mi-lieu", "au-jourd'hui", "inter-communalité").
COMPOUND_PREFIXES = frozenset(
    {
        "après", "arrière", "avant", "bien", "chef", "ci", "demi", "est", "grand", "là",
        "non", "nord", "ouest", "peut", "porte", "quasi", "semi", "sous", "sud", "vice",
    }
)  # fmt: skip
_HYPHENS = "-\u2010\u2011"
_LAST_TOKEN = re.compile(r"(\S+)$")
_NUMBER_END = re.compile(r"\d+(?:,\d+)?")
_SHORT_GROUP = re.compile(r"\d{1,3}")  # what may precede a group of three after a space
_AMOUNT_TAIL = re.compile(
    r"(?P<groups>(?:\d{3} )*\d{3}(?:,\d+)? ?)?"
    r"(?:€|[kK]€|M€|Md€|Mds€|euros?\b|EUR\b)[.,;:)]*(?=\s|$)"
)
_FIRST_TOKEN = re.compile(r"^(\S+)")


def normalize_line(text: str) -> str:
    """One line in canonical form: NFC, no ligatures, plain spaces, straight apostrophes.

    TABs (table cell boundaries) are kept, spaces around them and at the ends are
    dropped, and runs of spaces collapse to one.
    """
    text = unicodedata.normalize("NFC", text.translate(_CHAR_MAP))
    text = _AROUND_TAB.sub("\t", _SPACES.sub(" ", text))
    return text.strip(" ")


def mend_line_ends(lines: Sequence[str], frozen: Sequence[bool] | None = None) -> list[str]:
    """Rejoin what a line break cut: words hyphenated at a line end, and amounts.

    Returns a list as long as ``lines``; a line entirely moved up into the previous
    one becomes "". Lines made of TAB-separated cells are mended cell by cell when
    the next line has the same number of cells (two text columns side by side).
    ``frozen`` lines (table rows, already whole) are never touched.
    """
    out = list(lines)
    for i in range(len(out) - 1):
        if (frozen and (frozen[i] or frozen[i + 1])) or not out[i] or not out[i + 1]:
            continue
        upper, lower = out[i].split("\t"), out[i + 1].split("\t")
        if len(upper) == 1 and len(lower) == 1:
            pairs = [(0, 0)]
        elif len(upper) == len(lower):
            pairs = [(k, k) for k in range(len(upper))]
        else:
            continue
        for a, b in pairs:
            joined = join_broken(upper[a], lower[b]) or join_amount(upper[a], lower[b])
            if joined:
                upper[a], lower[b] = joined
        out[i], out[i + 1] = "\t".join(upper), "\t".join(lower)
        if not out[i + 1].strip("\t"):
            out[i + 1] = ""
    return out


def join_fragments(fragments: Sequence[str]) -> str:
    """The lines of one table cell as one string: dehyphenated, joined with spaces."""
    parts = [f for f in (normalize_line(f.replace("\t", " ")) for f in fragments) if f]
    merged = [p for p in mend_line_ends(parts) if p]
    return " ".join(merged)


def join_broken(upper: str, lower: str) -> tuple[str, str] | None:
    """Move the continuation of a word hyphenated at the end of ``upper`` up from ``lower``.

    The rule: the hyphen is dropped when ``lower`` continues in lower case with plain
    letters ("dévelop-" + "pement"); it is kept when the word is a compound — the
    next part starts upper case ("Saint-" + "Elie"), is itself hyphenated
    ("Bully-" + "les-Mines"), follows a compound-forming prefix ("sous-" + "sol")
    or joins two numbers ("2015-" + "2020"). Returns the new pair, or None.
    """
    head_m, tail_m = _LAST_TOKEN.search(upper), _FIRST_TOKEN.match(lower)
    if not head_m or not tail_m:
        return None
    head, token = head_m.group(1), tail_m.group(1)
    if len(head) < 2 or head[-1] not in _HYPHENS:
        return None
    stem, first = head[:-1], token[0]
    core = token.rstrip(".,;:!?)»\"'…")
    if stem[-1].isdigit() and first.isdigit():
        word = head + token
    elif not stem[-1].isalpha() or not first.isalpha():
        return None
    elif _is_compound(stem, core):
        word = head + token
    elif core.replace("'", "").isalpha():
        word = stem + token
    else:
        return None
    rest = lower[tail_m.end() :].lstrip(" ")
    return upper[: head_m.start()] + word, rest


def join_amount(upper: str, lower: str) -> tuple[str, str] | None:
    """Move the end of an amount cut by a line break up from ``lower``.

    "d'environ 65" + "M€, pour" and "près de 14" + "830 euros en 2011": a line
    ending in a number whose next line opens with a currency unit, or with digit
    groups and then a unit, continues that number. The unit (and the groups) move
    up with the punctuation stuck to them. Returns the new pair, or None.
    """
    head = _LAST_TOKEN.search(upper)
    if not head or not _NUMBER_END.fullmatch(head.group(1)):
        return None
    tail = _AMOUNT_TAIL.match(lower)
    if not tail or (tail.group("groups") and not _SHORT_GROUP.fullmatch(head.group(1))):
        return None
    return f"{upper} {tail.group(0).strip()}", lower[tail.end() :].lstrip(" ")


def _is_compound(stem: str, core: str) -> bool:
    """Whether "stem-" + "core" is a hyphenated compound rather than a hyphenated word."""
    return (
        core[0].isupper()
        or any(h in core or h in stem for h in _HYPHENS)
        or _last_part(stem).lower() in COMPOUND_PREFIXES
    )


def _last_part(stem: str) -> str:
    """The last element of a compound such as "l'arrière" or "c'est-à" ("arrière", "à")."""
    return re.split(r"['\-\u2010\u2011]", stem)[-1]
