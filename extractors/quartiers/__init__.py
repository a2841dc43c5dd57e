"""Priority neighbourhoods (QPV, quartiers de veille, QIC) named in a document.

A document names a quartier many times and in many ways: a row of the official QPV
table (code, name, communes, population, median income), a fiche heading
("QP062016 - Quartier Saint Elie, Fosse 13 - Hulluch (Haisnes, Douvrin)"), an
equipment list ("Cité 2 : QP062026"), or plain prose without any code ("les quartiers
du Mont-Liébaut à Béthune et Le Centre à Bruay"). Each place becomes a
:class:`~schemas.records.QuartierMention`; mentions are then merged into one
:class:`~schemas.records.Quartier` per entity: by code, or for codeless mentions by
fuzzy name plus commune agreement.

Precision rules, because a false quartier pollutes every comparison downstream:

* a codeless mention only founds an entity when the text marks it as a priority
  neighbourhood (a cue such as NPNRU, "quartier prioritaire", "veille", "QIC" next to
  it); weaker ones ("Camus (Angres – Liévin)") may only join an existing entity;
* when the document lists coded QPVs, its codes are taken as the QPV list: a codeless
  QPV that matches none of them is left out (quartiers de veille, QIC... are kept).

Modules: :mod:`.extract` (entry point, page loop); tables: :mod:`.headers` (column
roles), :mod:`.wraps` (cells wrapped onto the next line), :mod:`.align` (scanned rows
re-aligned to their header), :mod:`.rows` (rows -> mentions), :mod:`.numbers`,
:mod:`.totals` (a printed total repairs a misread count); :mod:`.code_lines` (headings
and inline codes); :mod:`.prose` (codeless mentions); :mod:`.merge` (entities);
shared: :mod:`.names`, :mod:`.places` (names vs communes), :mod:`.status` (cues),
:mod:`.mentions`, :mod:`.successors` (2015 -> 2024 links).
"""

from .extract import extract_quartiers
from .mentions import EXTRACTOR
from .names import clean_name, name_key
from .status import status_from

__all__ = ["EXTRACTOR", "clean_name", "extract_quartiers", "name_key", "status_from"]
