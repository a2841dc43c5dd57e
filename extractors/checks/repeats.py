"""The same quantity typed two ways ("same_quantity_two_values").

A programme total copied by hand onto several pages sometimes loses a digit on one of
them: 5 955 899 € on one page, 5 955 889 € on another. Two values of the same kind,
for the same year, one typo apart, are reported; round or distant values never are.
"""

from __future__ import annotations

from collections.abc import Iterator

from extractors.checks.report import eur, mine, pages
from extractors.checks.typos import significant, typo_like
from schemas.records import Amount, CheckFinding

SAME_QUANTITY = "same_quantity_two_values"

_MIN_SIGNIFICANT = 5  # digits a value needs before a one-digit difference looks like a typo
# Kinds of amounts that state quantities of the programme (not incomes, prices, caps).
_REPEAT_KINDS = frozenset({"total", "breakdown", "grant", "envelope", "budget"})


def repeat_findings(amounts: list[Amount]) -> Iterator[CheckFinding]:
    """The same figure typed two ways: values one digit apart, like 5 955 899 € on one
    page and 5 955 889 € on another, stated for the same year."""
    values: dict[float, list[Amount]] = {}
    for a in amounts:
        if a.kind in _REPEAT_KINDS and significant(a.value_eur) >= _MIN_SIGNIFICANT:
            values.setdefault(a.value_eur, []).append(a)
    reported: set[float] = set()
    for v in sorted(values):
        for w in sorted(values):
            if w <= v or not typo_like(v, w) or {v, w} & reported:
                continue
            if not _same_year(values[v], values[w]) or not _same_kind(values[v], values[w]):
                continue
            odd, usual = (v, w) if len(values[v]) <= len(values[w]) else (w, v)
            reported.update((v, w))
            yield _repeat_finding(values[odd], values[usual])


def _repeat_finding(odd: list[Amount], usual: list[Amount]) -> CheckFinding:
    odd_pages = sorted({a.provenance.page for a in odd})
    usual_pages = sorted({a.provenance.page for a in usual})
    label = next((a.label for a in [*odd, *usual] if a.label), None)
    what = f"'{label}'" if label else "The same amount"
    times = f" ({len(usual)} times)" if len(usual) > 1 else ""
    return CheckFinding(
        check=SAME_QUANTITY,
        message=(
            f"{what} is given as {eur(odd[0].value_eur)} ({pages(*odd_pages)}) and as "
            f"{eur(usual[0].value_eur)} ({pages(*usual_pages)}){times}."
        ),
        expected=usual[0].value_eur,
        found=odd[0].value_eur,
        pages=sorted({*odd_pages, *usual_pages}),
        provenance=[mine(a.provenance) for a in [*odd, *usual]],
    )


def _same_kind(first: list[Amount], second: list[Amount]) -> bool:
    """Both stated as the same kind of figure (a total may be restated in any role)."""
    kinds_a, kinds_b = {a.kind for a in first}, {a.kind for a in second}
    return bool(kinds_a & kinds_b) or "total" in kinds_a | kinds_b


def _same_year(first: list[Amount], second: list[Amount]) -> bool:
    years_a = {a.year for a in first if a.year}
    years_b = {a.year for a in second if a.year}
    return not years_a or not years_b or bool(years_a & years_b)
