"""Consistency checks inside one document: totals, counts and repeated quantities.

Reports are assembled by hand from spreadsheets and slides, and their figures drift:
a stated total no longer matches the rows under it (:mod:`.totals`), a count says 31
projects where the breakdown lists 32 (:mod:`.counts`), the same programme total is
typed two ways on two pages (:mod:`.repeats`). No general tool catches these, and
each one matters to an analyst comparing documents.

Every check is built to stay quiet when the document is consistent: a mismatch is
reported only when no reasonable reading of the layout explains the figures (rows
that repeat their parent's amount, sub-totals, amounts rounded to the million, a
contiguous part of the list), so a finding is worth reading.
"""

from __future__ import annotations

from extractors.checks.counts import COUNT_VS_ROWS, count_findings
from extractors.checks.lines import read_lines
from extractors.checks.repeats import SAME_QUANTITY, repeat_findings
from extractors.checks.report import EXTRACTOR
from extractors.checks.totals import TOTAL_VS_PARTS, total_findings
from schemas.records import CheckFinding, Extraction, ParsedDocument

__all__ = ["COUNT_VS_ROWS", "EXTRACTOR", "SAME_QUANTITY", "TOTAL_VS_PARTS", "run_checks"]


def run_checks(doc: ParsedDocument, found: Extraction) -> list[CheckFinding]:
    """Contradictions between the figures of ``doc`` (as read into ``found``)."""
    lines = read_lines(doc, found.amounts)
    return [
        *total_findings(lines),
        *count_findings(lines, found.actions),
        *repeat_findings(found.amounts),
    ]
