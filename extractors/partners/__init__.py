"""Partners of a contract: the organisations that sign it, fund it, carry its actions.

Three sources of mentions, from the most to the least certain:

1. the gazetteer (``data/partners.json`` through the spaCy EntityRulers of
   :mod:`extractors.nlp`), run alone over every page — institutions are named in a
   handful of ways and acronyms ("CAF", "ANCT", "PDCH") the statistical model misses
   (:mod:`.gazetteer`);
2. explicit cues: "Opérateur : X" labels (:mod:`.labelled`), the document's own EPCI
   written as an acronym (:mod:`.epci`), communes heading the lines of a
   fonds-de-concours list (:mod:`.recipients`);
3. the statistical NER, run only on sentences carrying a role cue (:mod:`.proposals`).

Generic names are qualified by the place written after them, else by the document's
department or region (:mod:`.qualify`, :mod:`.places`). The role comes from the
mention's context (:mod:`.roles`, :mod:`.blocks`); :mod:`.merge` makes one
:class:`~schemas.records.Partner` per canonical name.

Canonical names are what analysts group by across documents and territories, so one
body gets one name everywhere (``Partner.name`` keeps the spelling of the text):

- the State and its services: "Etat", "Etat - DDETS du Nord", "Etat - Ministère de
  la Ville"; national bodies: their usual name, the same in every document ("ANCT",
  "France Travail (ex Pôle emploi)", "Caisse des Dépôts et Consignations"); a body
  that was renamed goes by its current name (CGET -> "ANCT");
- local bodies carry their place, in sentence case with its preposition: "Caisse
  d'allocations familiales du Nord", "Conseil régional Hauts-de-France", "Mission
  locale de Roubaix", "Commune de Lens". A region is its current one (a 2015
  "Nord-Pas-de-Calais" is "Hauts-de-France"); a local body whose place the text does
  not write carries the document's department in parentheses ("Mission locale
  (Pas-de-Calais)"), and nothing when that is unknown;
- an EPCI goes by its reference (DGCL) name with the legal form spelled out, however
  the document spells it, without an acronym ("Communauté d'Agglomération de
  Béthune-Bruay, Artois-Lys Romane"); its acronym ("CABBALR") is one of its mentions.

:func:`canonical_funder` gives the same names to the funders other extractors read.
"""

from extractors.partners.extract import extract_partners
from extractors.partners.funders import canonical_funder
from extractors.partners.gazetteer import registry_entry
from extractors.partners.mentions import EXTRACTOR, ROLE_RANK

__all__ = ["EXTRACTOR", "ROLE_RANK", "canonical_funder", "extract_partners", "registry_entry"]
