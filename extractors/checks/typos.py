"""When two figures differ the way a slip of the keyboard makes them differ.

A retyped figure differs from the original by one digit, or by two neighbouring
digits swapped, and so by a small relative amount; the checks use that shape to tell
a typo from two genuinely different quantities.
"""

from __future__ import annotations

MAX_TYPO_GAP = 0.01  # relative difference of two typo-like values


def digits(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def significant(value: float) -> int:
    return len(digits(value).replace(".", "").strip("0"))


def typo_like(a: float, b: float) -> bool:
    """One digit replaced, or two neighbouring digits swapped, in numbers of one length."""
    if abs(a - b) > MAX_TYPO_GAP * max(a, b):
        return False
    x, y = digits(a), digits(b)
    if len(x) != len(y):
        return False
    diff = [i for i, (c, d) in enumerate(zip(x, y, strict=True)) if c != d]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]]
