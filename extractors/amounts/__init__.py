"""Euro amounts of a document, each with what it is: kind, label, year, funder, recipient.

:func:`extractors.money.find_amounts` reads the numbers; this package reads what
surrounds them, with rules about French administrative layout rather than about any
one document:

* the *clause* around an amount (its sentence, rebuilt across lines when a slide or a
  narrow column broke it, and stopped at the previous amount) gives the cue words
  ("montant total", "enveloppe", "subvention", "plafond", "coût"...) and the label
  (:mod:`.clause`, :mod:`.cues`, :mod:`.labels`);
* in a table row (cells separated by TAB, or a markdown ``|`` row) the row's first
  cell and the header cell above the amount's column say what the amount is
  (:mod:`.table`);
* a list of table-like amount lines next to a total is the total's breakdown, and an
  amount that equals the sum of the amounts right after (or before) it is a total
  (:mod:`.layout` groups the lines, :mod:`.kinds` decides);
* the section the amount sits in (the lines back to the previous heading or prose
  amount) supplies cues, a year and a funder the line itself does not state
  (:mod:`.section`, :mod:`.years`, :mod:`.funders`), and a fund named with its funder
  once lends that funder to the amounts listed under its name (:mod:`.funds`);
* the document's facts, when the caller passes them, name the funder canonically and
  date the money flows of a yearly report (:mod:`.extract`).
"""

from extractors.amounts.cues import classify_kind
from extractors.amounts.extract import EXTRACTOR, extract_amounts
from extractors.amounts.funders import detect_funder, header_funder
from extractors.amounts.recipients import detect_recipient

__all__ = [
    "EXTRACTOR",
    "classify_kind",
    "detect_funder",
    "detect_recipient",
    "extract_amounts",
    "header_funder",
]
