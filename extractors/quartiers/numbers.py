"""Counts and amounts as table cells write them, OCR slips included.

A scanned table prints "1220." (a speck read as a full stop), "|814" (the cell's
rule read as a bar), "1O80" (O for zero), ": 10400€" (noise before the figure). A
figure is read only when what is left after such debris is a well-formed number;
anything else stays unread rather than guessed.
"""

from __future__ import annotations

import re

from ..qpv_codes import DIGIT_LOOKALIKES
from .names import clean_name

MONEY = re.compile(r"\d[\d\s.,]*\s*(?:€|euros?|k€)", re.I)  # an amount with its unit
_INT = re.compile(r"^\d{1,3}(?:[\s.]?\d{3})*$|^\d+$")
_AMOUNT = re.compile(r"(\d{1,3}(?:[ .]\d{3})+|\d+)(?:,(\d+))?\s*(k€|€|euros?)?")
_RULES = "|[]!"
# A run of digits where OCR put a letter for one of them ("1O80", "l220").
_DAMAGED = re.compile(r"(?<![A-Za-z])[\dOolI]*\d[\dOolI]*(?![A-Za-z])")


def int_value(text: str) -> int | None:
    """A count written in a cell ("7 420", "13920", "1220.", "|814"), or None."""
    t = plain_figure(text)
    if not _INT.match(t):
        return None
    return int(re.sub(r"\D", "", t))


def money_value(text: str) -> float | None:
    """An amount in euros written in a cell ("7 300 €", "12,4 k€"), or None."""
    m = _AMOUNT.search(plain_figure(text))
    if not m:
        return None
    value = float(re.sub(r"[ .]", "", m.group(1)) + ("." + m.group(2) if m.group(2) else ""))
    return value * 1000 if m.group(3) == "k€" else value


def plain_figure(text: str) -> str:
    """The cell without markup, edge debris, odd spaces, or letters standing for digits."""
    t = (clean_name(text) or "").replace("\u202f", " ").replace("\u00a0", " ")
    t = t.strip(_RULES + " ")
    return _DAMAGED.sub(lambda m: m.group(0).translate(DIGIT_LOOKALIKES), t)
