"""The words that say what kind of priority neighbourhood a passage speaks of.

A codeless name only becomes a quartier when the text around it marks it as one
(NPNRU, "quartier prioritaire", "veille active", "QIC"); the same cues give its
status. "cellule de veille" or "équipement d'intérêt communautaire" are not cues.
"""

from __future__ import annotations

import re

_CUE_QPV = re.compile(
    r"\b(?:N?PNRU|ANRU|NPRU|QPV|quartiers?\s+prioritaires?|renouvellement\s+urbain|"
    r"r[ée]novation\s+urbaine|g[ée]ographie\s+prioritaire)\b",
    re.I,
)
_CUE_VEILLE = re.compile(
    r"\b(?:quartiers?|territoires?|secteurs?|communes?|p[ée]rim[eè]tres?|zones?|sites?)"
    r"\s+(?:en\s+|de\s+)?veille\b|\bveille\s+active\b",
    re.I,
)
_CUE_QIC = re.compile(r"\bQIC\b|\bquartiers?\s+d['’]\s?int[ée]r[eê]t\s+communautaire\b", re.I)
_CUE_OTHER = re.compile(r"\b(?:quartiers?\s+v[ée]cus?|poches?\s+de\s+pauvret[ée])\b", re.I)

# "quartier prioritaire du", "QPV", "quartier de veille active de la", "quartiers du"...
QUALIFIER = re.compile(
    r"\b(?P<word>quartiers?|QPV|QIC)"
    r"(?P<kind>(?:\s+(?:prioritaires?|politique\s+de\s+la\s+ville|de\s+la\s+politique\s+de\s+la"
    r"\s+ville|de\s+veille(?:\s+active)?|en\s+veille(?:\s+active)?|d['’]\s?int[ée]r[eê]t"
    r"\s+communautaire|v[ée]cus?|NPNRU|ANRU|PNRU))*)"
    r"(?:\s+(?:du|de\s+la|de\s+l['’]|des|de|d['’]|l['’]))?\s*$",
    re.I,
)
# The same qualifier followed by a name: "le quartier prioritaire des Provinces".
NAMED_QUALIFIER = re.compile(
    r"\b(?P<word>quartier|QPV|QIC)(?P<kind>(?:\s+(?:prioritaire|de\s+veille(?:\s+active)?|"
    r"en\s+veille(?:\s+active)?|d['’]\s?int[ée]r[eê]t\s+communautaire|NPNRU|ANRU|PNRU))*)"
    r"(?:\s+(?:du|de\s+la|des|de)\s+|\s+(?:de\s+l|d)['’]\s*|\s+)",
    re.I,
)


def status_from(text: str) -> str | None:
    """The quartier status a piece of text signals, most specific first, or None."""
    if _CUE_VEILLE.search(text):
        return "veille_active"
    if _CUE_QIC.search(text):
        return "qic"
    if _CUE_OTHER.search(text):
        return "other"
    if _CUE_QPV.search(text):
        return "qpv"
    return None
