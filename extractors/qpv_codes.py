"""Quartier prioritaire codes, as printed and as OCR damages them.

Two generations coexist in the documents: the 2015 codes ``QP`` + department (3) +
number (3) (``QP062016``) and the 2024 codes ``QN`` + department (3) + number (2) +
letter (``QN05953M``). Text layers and OCR write them ``QP 062016``, ``QPO62027``
(letter O for zero), ``OP062029`` (O for Q), ``QP06201 6``, ``qp062016``, with I or l for
1. A damaged token is repaired only when the repaired form is a valid code and the token
stands alone (not inside a longer word or number), so "QPV", "QP2024" or a phone number
never become codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .communes import department_key

# Characters OCR puts where a digit was printed, and the digit they stand for.
DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})
# At most one stray space: after the prefix or inside the digits.
_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9À-ÿ])"
    r"(?P<prefix>[QqOo0][PpNn])"
    r"(?P<body>(?: ?[0-9OoIl|AaBb]){5,6}[A-Za-z]?)"
    r"(?![A-Za-z0-9À-ÿ])"
)
_VALID = re.compile(r"^(?:QP(?:\d{3}|02[AB])\d{3}|QN(?:\d{3}|02[AB])\d{2}[A-Z])$")
_OVERSEAS = {"971", "972", "973", "974", "976", "977", "978"}


@dataclass(frozen=True, slots=True)
class CodeMatch:
    """One code occurrence: its span in the text, as written, and as repaired."""

    start: int
    end: int
    raw: str
    code: str
    repaired: bool


def _department_ok(dept: str) -> bool:
    if dept in {"02A", "02B"}:
        return True
    if not dept.isdigit():
        return False
    return (1 <= int(dept) <= 95 and dept != "020") or dept in _OVERSEAS


def code_department(code: str) -> str:
    """The department of a valid code in COG form: "QP062016" -> "62", "QP02A001" -> "2A"."""
    return department_key(code[2:5]) or ""


def validate_code(code: str, department: str | None = None) -> bool:
    """True for a well-formed code of an existing department (and of ``department``)."""
    if not _VALID.match(code) or not _department_ok(code[2:5]):
        return False
    number = code[5:8] if code.startswith("QP") else code[5:7]
    if int(number) == 0:
        return False
    return department is None or code_department(code) == department_key(department)


def normalise_code(raw: str) -> str | None:
    """The valid code a written token stands for, or None ("QPO62027" -> "QP062027")."""
    token = re.sub(r"\s+", "", raw)
    if len(token) != 8:
        return None
    prefix = token[:2].upper()
    if prefix[0] in "O0":
        prefix = "Q" + prefix[1]
    body = token[2:]
    dept = body[:3].translate(DIGIT_LOOKALIKES).upper()
    if dept[:2] == "02" and body[2] in "AaBb":
        dept = "02" + body[2].upper()
    if prefix == "QP":
        code = prefix + dept + body[3:].translate(DIGIT_LOOKALIKES)
    elif prefix == "QN" and body[5].isalpha():
        code = prefix + dept + body[3:5].translate(DIGIT_LOOKALIKES) + body[5].upper()
    else:
        return None
    return code if validate_code(code) else None


def _plausible(raw: str) -> bool:
    """Enough real digits that the token was printed as a code, not a word."""
    body = re.sub(r"\s+", "", raw)[2:]
    return sum(c.isdigit() for c in body) >= 4


def find_codes(text: str) -> list[CodeMatch]:
    """Every QP/QN code in ``text``, in order, repaired where OCR damaged it."""
    found = []
    for m in _CANDIDATE.finditer(text):
        raw = m.group(0)
        if raw.count(" ") > 1 or not _plausible(raw):
            continue
        if raw[0] in "Oo0" and " " in raw:  # damaged prefix: only a solid token
            continue
        code = normalise_code(raw)
        if code is None:
            continue
        found.append(CodeMatch(m.start(), m.end(), raw, code, repaired=raw != code))
    return found
