"""Tables and SQL views that put territories side by side.

Documents name their territory (EPCI SIREN, or a contrat de ville code); comparing
territories needs what the documents do not say: the EPCI's official name, its
communes, its contrats de ville of both generations (2015 ``CV…``, 2024 ``CN…``), their
QPV population and a point for a map. :func:`ensure_comparison` copies that reference
data for the territories of the loaded documents only (the database stays small), builds
a search table of quartier names, and (re)creates the views analysts and
``quartiers compare`` read.

Derived tables are rebuilt whole on each call, so the call is idempotent and follows
re-ingests; they carry no foreign keys to the loader's tables, which the loader must
stay free to delete from.

Conventions shared by the views (also shown in Datasette):

* a record's year is the year it states, else the year its document is about;
* figures about one territory and year are never added across documents: a report, its
  scan and a deliberation restate the same programme, so a view keeps, per territory
  and year, the figures of the one document that gives the most;
* the programmation of a year is the *stated* total (an amount of kind ``total`` whose
  label says "programmation", or a total the consistency check ``same_quantity_two_values``
  pairs with one: the same figure typed two ways); only when no document states one, the
  sum of the amounts of the actions dated that year in a report, deliberation or
  presentation (a contract's actions span its whole period);
* documents contradict themselves (a slide says 5 955 899 €, its table and the next slide
  5 955 889 €): a value the document states once while repeating another is set aside
  (the repeated one is in practice the table total, which agrees with its rows), then the
  value stated most often wins, then the largest; the values set aside and the check
  that found them stay beside the figure (``other_stated_eur``, ``contradiction``);
* € per QPV inhabitant divides it by the QPV population of the contract generation in
  force that year (2015 contracts up to 2023, 2024 ones after), as published by ANCT –
  Ci.Ville for the territory's contracts, else the sum of the populations the documents
  give for their quartiers.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import sqlite_utils

from extractors.checks import SAME_QUANTITY
from quartiers import referencedata as ref
from schemas.database import ensure_schema

# Generation of contracts in force from this year on (Engagements Quartiers 2030).
NEW_GENERATION_YEAR = 2024

TABLE_COLUMNS: dict[str, dict[str, type]] = {
    "territories": {
        "siren": str,
        "label": str,  # acronym the documents use, else the official name
        "name": str,
        "full_name": str,
        "acronym": str,
        "nature_juridique": str,
        "department": str,
        "department_name": str,
        "population": int,
        "communes": int,
        "cv2015": str,
        "cv2015_name": str,
        "cn2024": str,
        "cn2024_name": str,
        "qpv_population_2015": int,
        "qpv_population_2024": int,
        "latitude": float,
        "longitude": float,
    },
    "contrats_de_ville": {
        "code": str,
        "generation": int,
        "name": str,
        "department": str,
        "territory_siren": str,
        "link_method": str,  # codgeo | member_commune | label
        "qpv_population": int,
        "latitude": float,
        "longitude": float,
    },
    "communes": {
        "insee": str,
        "name": str,
        "department": str,
        "territory_siren": str,
        "population": int,
    },
    "quartier_names": {
        "id": str,
        "quartier": str,
        "document": str,
        "code": str,
        "name": str,
        "source": str,  # name | alias | mention
        "communes": str,
        "search_key": str,  # lower case, no accents, words separated by one space
        "page": int,
    },
}
PRIMARY_KEYS = {
    "territories": "siren",
    "contrats_de_ville": "code",
    "communes": "insee",
    "quartier_names": "id",
}
INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "contrats_de_ville": (("territory_siren",),),
    "communes": (("territory_siren",),),
    "quartier_names": (("quartier",), ("document",), ("search_key",)),
}
# Trigram full-text index: finds a quartier from any 3-letter piece of its name.
QUARTIER_FTS_COLUMNS = ("name", "search_key", "communes")


@dataclass(frozen=True, slots=True)
class View:
    """One SQL view and what it means (shown as its description in Datasette)."""

    sql: str
    description: str


_RECORD_YEAR = "COALESCE({t}.year, dt.reference_year)"

VIEWS: dict[str, View] = {
    "document_territory": View(
        """
        SELECT d.sha256 AS document, d.file_name, d.doc_type, d.reference_year,
               COALESCE(t.siren, d.territory_siren, c.territory_siren) AS territory_siren,
               COALESCE(t.label, d.territory_acronym, d.territory) AS territory
        FROM documents d
        LEFT JOIN contrats_de_ville c ON c.code = d.contract_code
        LEFT JOIN territories t ON t.siren = COALESCE(d.territory_siren, c.territory_siren)
        """,
        "Each document with its territory: the SIREN it names, else the EPCI of the "
        "contrat de ville code it names.",
    ),
    "territory_amounts": View(
        f"""
        SELECT a.id, dt.territory, dt.territory_siren, dt.doc_type,
               {_RECORD_YEAR.format(t="a")} AS year, a.kind, a.funder, a.value_eur,
               a.label, a.recipient, a.raw, a.document, a.page
        FROM amounts a JOIN document_territory dt ON dt.document = a.document
        """,
        "Every amount (€) with its territory and year (its own, else its document's).",
    ),
    "territory_actions": View(
        f"""
        SELECT x.id, dt.territory, dt.territory_siren, dt.doc_type,
               {_RECORD_YEAR.format(t="x")} AS year, x.theme, x.title, x.operator,
               x.commune, x.amount_eur, x.document, x.page
        FROM actions x JOIN document_territory dt ON dt.document = x.document
        """,
        "Every action with its territory and year (its own, else its document's).",
    ),
    "territory_partners": View(
        """
        SELECT p.id, dt.territory, dt.territory_siren, dt.doc_type, dt.reference_year AS year,
               p.kind, p.role, p.canonical, p.name, p.siret, p.document, p.page
        FROM partners p JOIN document_territory dt ON dt.document = p.document
        """,
        "Every partner, signatory, funder or operator with its territory.",
    ),
    "programmation_statements": View(
        f"""
        WITH totals AS (
            SELECT a.id, dt.territory_siren, dt.territory,
                   {_RECORD_YEAR.format(t="a")} AS year, a.value_eur, a.label, a.document,
                   a.page, a.ordinal, a.label LIKE '%programmation%' AS labelled
            FROM amounts a JOIN document_territory dt ON dt.document = a.document
            WHERE a.kind = 'total'
        ), typed_two_ways AS (
            SELECT id AS finding, document, found AS one_off, expected AS repeated
            FROM checks WHERE check_name = '{SAME_QUANTITY}'
        )
        SELECT t.id, t.territory_siren, t.territory, t.year, t.value_eur, t.label,
               CASE WHEN t.labelled THEN 'label' ELSE 'same figure typed two ways' END
                   AS statement,
               (SELECT MIN(p.finding) FROM typed_two_ways p
                WHERE p.document = t.document AND p.one_off = t.value_eur) AS contradicted_by,
               t.document, t.page, t.ordinal
        FROM totals t
        WHERE t.labelled OR EXISTS (
            SELECT 1 FROM typed_two_ways p
            JOIN totals l ON l.document = p.document AND l.labelled AND l.year IS t.year
            WHERE p.document = t.document
              AND ((p.one_off = l.value_eur AND p.repeated = t.value_eur)
                   OR (p.repeated = l.value_eur AND p.one_off = t.value_eur)))
        """,
        "Every statement of a year's programmation total: amounts of kind total whose "
        "label says 'programmation' (statement = label), and the totals of the same "
        "document and year that the consistency check same_quantity_two_values pairs "
        "with one of them (statement = same figure typed two ways, e.g. the table total "
        "restating the text's figure). contradicted_by names the check (checks.id) when "
        "this value is the one the document states once while repeating another.",
    ),
    "programmation_totals": View(
        """
        WITH stated AS (
            SELECT s.*,
                   COUNT(*) OVER (PARTITION BY territory_siren, territory, year, value_eur)
                       AS times_stated,
                   COUNT(*) OVER (PARTITION BY territory_siren, territory, year, value_eur,
                                  document) AS in_document
            FROM programmation_statements s WHERE year IS NOT NULL
        ), best_stated AS (
            SELECT s.*, ROW_NUMBER() OVER (
                PARTITION BY territory_siren, territory, year
                ORDER BY contradicted_by IS NOT NULL, times_stated DESC, value_eur DESC,
                         in_document DESC, document, page, ordinal) AS rank
            FROM stated s
        ), actions_per_document AS (
            SELECT dt.territory_siren, dt.territory, x.year, x.document,
                   SUM(x.amount_eur) AS eur, COUNT(*) AS actions
            FROM actions x JOIN document_territory dt ON dt.document = x.document
            WHERE x.year IS NOT NULL AND x.amount_eur IS NOT NULL
              AND dt.doc_type NOT IN ('contrat_de_ville', 'contrat_quartiers_2030')
            GROUP BY dt.territory_siren, dt.territory, x.year, x.document
        ), best_actions AS (
            SELECT a.*, ROW_NUMBER() OVER (
                PARTITION BY territory_siren, territory, year ORDER BY eur DESC) AS rank
            FROM actions_per_document a
        ), years AS (
            SELECT territory_siren, territory, year FROM best_stated WHERE rank = 1
            UNION SELECT territory_siren, territory, year FROM best_actions WHERE rank = 1
        )
        SELECT y.territory_siren, y.territory, y.year,
               COALESCE(s.value_eur, a.eur) AS programmation_eur,
               CASE WHEN s.value_eur IS NOT NULL THEN 'stated total' ELSE 'sum of actions'
               END AS basis,
               s.value_eur AS stated_total_eur, s.times_stated,
               (SELECT json_group_array(value_eur) FROM (
                    SELECT DISTINCT o.value_eur FROM stated o
                    WHERE o.year = y.year AND o.territory_siren IS y.territory_siren
                      AND o.territory IS y.territory AND o.value_eur <> s.value_eur
                    ORDER BY o.value_eur)) AS other_stated_eur,
               c.id AS contradiction_check, c.message AS contradiction,
               a.eur AS actions_total_eur, a.actions,
               COALESCE(s.document, a.document) AS document, s.page
        FROM years y
        LEFT JOIN best_stated s ON s.rank = 1 AND s.year = y.year
             AND s.territory_siren IS y.territory_siren AND s.territory IS y.territory
        LEFT JOIN best_actions a ON a.rank = 1 AND a.year = y.year
             AND a.territory_siren IS y.territory_siren AND a.territory IS y.territory
        LEFT JOIN checks c ON c.id = (
            SELECT MIN(o.contradicted_by) FROM stated o
            WHERE o.year = y.year AND o.territory_siren IS y.territory_siren
              AND o.territory IS y.territory)
        """,
        "Programmation per territory and year (€): the stated total, else the sum of the "
        "actions dated that year in a report, deliberation or presentation (column basis; "
        "a contract's actions span its whole period). Among stated values: first those "
        "no consistency check contradicts (a figure typed once where the document "
        "repeats another, as its table total, is left aside), then the value stated "
        "most often, then the largest; document and page of a statement of it. Values "
        "stated otherwise are kept in other_stated_eur, with the check that found them "
        "(contradiction). Never added across documents.",
    ),
    "territory_quartiers": View(
        """
        WITH grouped AS (
            SELECT dt.territory_siren, dt.territory, q.code, MAX(q.generation) AS generation,
                   MIN(q.name) AS name,
                   CASE WHEN SUM(q.status = 'qpv') > 0 THEN 'qpv' ELSE MIN(q.status)
                   END AS status,
                   MAX(q.population) AS population, MAX(q.communes) AS communes,
                   COUNT(DISTINCT q.document) AS documents, MIN(q.id) AS quartier
            FROM quartiers q JOIN document_territory dt ON dt.document = q.document
            GROUP BY dt.territory_siren, dt.territory, COALESCE(q.code, q.name)
        )
        SELECT g.*, m.document, m.page
        FROM grouped g
        LEFT JOIN quartier_mentions m ON m.id = (
            SELECT id FROM quartier_mentions WHERE quartier = g.quartier
            ORDER BY page, ordinal LIMIT 1)
        """,
        "Quartiers per territory (one row per code, else per name) with the population "
        "the documents give and the first page naming them.",
    ),
    "programmation_per_inhabitant": View(
        f"""
        WITH document_population AS (
            SELECT territory_siren, territory, generation, SUM(population) AS population
            FROM territory_quartiers WHERE status = 'qpv' AND generation IS NOT NULL
            GROUP BY territory_siren, territory, generation
        ), years AS (
            SELECT p.*, CASE WHEN p.year >= {NEW_GENERATION_YEAR} THEN 2024 ELSE 2015
                        END AS qpv_generation
            FROM programmation_totals p
        ), populations AS (
            SELECT y.*,
                   CASE y.qpv_generation WHEN 2024 THEN t.qpv_population_2024
                        ELSE t.qpv_population_2015 END AS reference_population,
                   dp.population AS document_population
            FROM years y
            LEFT JOIN territories t ON t.siren = y.territory_siren
            LEFT JOIN document_population dp ON dp.generation = y.qpv_generation
                 AND dp.territory_siren IS y.territory_siren AND dp.territory IS y.territory
        )
        SELECT territory_siren, territory, year, programmation_eur, basis, qpv_generation,
               COALESCE(reference_population, document_population) AS qpv_population,
               CASE WHEN reference_population IS NOT NULL THEN 'ANCT – Ci.Ville'
                    WHEN document_population IS NOT NULL THEN 'documents' END
                    AS population_source,
               ROUND(programmation_eur
                     / NULLIF(COALESCE(reference_population, document_population), 0), 2)
                    AS eur_per_inhabitant,
               other_stated_eur, contradiction_check, contradiction, document, page
        FROM populations
        """,
        "Programmation per QPV inhabitant (€): programmation of the year divided by the "
        "QPV population of the contracts in force (2015 generation up to 2023, 2024 "
        "after) from ANCT – Ci.Ville, else from the documents.",
    ),
    "theme_shares": View(
        f"""
        WITH per_document AS (
            SELECT dt.territory_siren, dt.territory, {_RECORD_YEAR.format(t="x")} AS year,
                   COALESCE(x.theme, '(no theme)') AS theme, x.document,
                   COUNT(*) AS actions, SUM(x.amount_eur) AS amount_eur
            FROM actions x JOIN document_territory dt ON dt.document = x.document
            GROUP BY 1, 2, 3, 4, 5
        ), best AS (
            SELECT p.*, ROW_NUMBER() OVER (
                PARTITION BY territory_siren, territory, year, theme
                ORDER BY amount_eur DESC NULLS LAST, actions DESC) AS rank
            FROM per_document p
        )
        SELECT territory_siren, territory, year, theme, actions, amount_eur,
               ROUND(100.0 * amount_eur / NULLIF(SUM(amount_eur) OVER (
                   PARTITION BY territory_siren, territory, year), 0), 1) AS share_pct,
               document
        FROM best WHERE rank = 1
        """,
        "Actions per pilier / axe (actions.theme) per territory and year: count, amount "
        "(€) and share of the year's action amounts (%).",
    ),
    "funder_shares": View(
        f"""
        WITH per_document AS (
            SELECT dt.territory_siren, dt.territory, {_RECORD_YEAR.format(t="a")} AS year,
                   a.funder, a.document, COUNT(*) AS amounts, SUM(a.value_eur) AS amount_eur
            FROM amounts a JOIN document_territory dt ON dt.document = a.document
            WHERE a.funder IS NOT NULL AND a.kind IN ('grant', 'breakdown')
            GROUP BY 1, 2, 3, 4, 5
        ), best AS (
            SELECT p.*, ROW_NUMBER() OVER (
                PARTITION BY territory_siren, territory, year, funder
                ORDER BY amount_eur DESC) AS rank
            FROM per_document p
        )
        SELECT territory_siren, territory, year, funder, amounts, amount_eur,
               ROUND(100.0 * amount_eur / NULLIF(SUM(amount_eur) OVER (
                   PARTITION BY territory_siren, territory, year), 0), 1) AS share_pct,
               document
        FROM best WHERE rank = 1
        """,
        "Funders' shares per territory and year: grants and breakdown amounts (€) naming "
        "a funder; totals, envelopes, thresholds and prices are left out because they "
        "restate or bound the money granted.",
    ),
    "partners_by_kind": View(
        """
        WITH distinct_partners AS (
            SELECT dt.territory_siren, dt.territory, p.kind, p.canonical,
                   group_concat(DISTINCT p.role) AS roles
            FROM partners p JOIN document_territory dt ON dt.document = p.document
            GROUP BY 1, 2, 3, 4
        )
        SELECT territory_siren, territory, kind, COUNT(*) AS partners,
               group_concat(canonical, ' · ') AS names
        FROM (SELECT * FROM distinct_partners ORDER BY canonical)
        GROUP BY territory_siren, territory, kind
        """,
        "Partners per territory and kind (State, region, CAF, housing provider…), "
        "counted once per canonical name.",
    ),
    "territory_findings": View(
        """
        SELECT c.id, dt.territory, dt.territory_siren, dt.file_name, c.check_name,
               c.message, c.expected, c.found, c.found - c.expected AS difference,
               c.pages, c.document, json_extract(c.pages, '$[0]') AS page
        FROM checks c JOIN document_territory dt ON dt.document = c.document
        """,
        "Contradictions found inside documents (a total against its parts…) with their "
        "document and territory.",
    ),
    "territory_comparison": View(
        """
        WITH docs AS (
            SELECT territory_siren, COUNT(*) AS documents,
                   group_concat(DISTINCT reference_year) AS years
            FROM (SELECT * FROM document_territory ORDER BY reference_year)
            GROUP BY territory_siren
        ), qpv AS (
            SELECT territory_siren, COUNT(*) AS qpv_named, SUM(population) AS qpv_population
            FROM territory_quartiers WHERE status = 'qpv' GROUP BY territory_siren
        ), latest AS (
            SELECT p.*, ROW_NUMBER() OVER (PARTITION BY territory_siren ORDER BY year DESC)
                   AS rank
            FROM programmation_per_inhabitant p
        )
        SELECT t.siren AS territory_siren, t.label AS territory, t.name, t.department,
               t.cv2015, t.cn2024, COALESCE(d.documents, 0) AS documents, d.years,
               COALESCE(q.qpv_named, 0) AS qpv_named,
               q.qpv_population AS qpv_population_documents,
               t.qpv_population_2015, t.qpv_population_2024,
               l.year AS latest_year, l.programmation_eur AS latest_programmation_eur,
               l.eur_per_inhabitant AS latest_eur_per_inhabitant,
               t.latitude, t.longitude,
               json_object('title', t.label || ' – ' || t.name,
                           'description', COALESCE(d.documents, 0) || ' document(s) · '
                               || COALESCE(t.cn2024, t.cv2015, '') || ' · QPV population '
                               || COALESCE(t.qpv_population_2024, t.qpv_population_2015, '?'),
                           'link', 'programmation_per_inhabitant?territory_siren=' || t.siren)
                   AS popup
        FROM territories t
        LEFT JOIN docs d ON d.territory_siren = t.siren
        LEFT JOIN qpv q ON q.territory_siren = t.siren
        LEFT JOIN latest l ON l.territory_siren = t.siren AND l.rank = 1
        """,
        "One row per territory: documents, years, quartiers, latest programmation and € "
        "per QPV inhabitant, and its place on the map (contrat de ville centroid, ANCT – "
        "Ci.Ville).",
    ),
}


def search_key(text: str) -> str:
    """Lower-case, accent-free words of ``text``, one space apart (what searches compare)."""
    return " ".join(ref.name_words(text))


def ensure_comparison(db: sqlite_utils.Database) -> None:
    """Create and refresh the comparison tables and views (idempotent).

    Call it after loading documents; ``quartiers compare`` and ``quartiers browse`` call it
    too, so a database loaded before this existed gets it.
    """
    ensure_schema(db)
    _create_tables(db)
    rows = {
        **_territory_rows(db),
        "quartier_names": _quartier_name_rows(db),
    }
    with db.atomic():
        for table in TABLE_COLUMNS:
            db.execute(f"DELETE FROM [{table}]")
            db.table(table).insert_all(rows[table])
        for name in reversed(VIEWS):  # dependants first
            db.execute(f"DROP VIEW IF EXISTS [{name}]")
        for name, view in VIEWS.items():
            db.execute(f"CREATE VIEW [{name}] AS {view.sql.strip()}")


def _create_tables(db: sqlite_utils.Database) -> None:
    for name, columns in TABLE_COLUMNS.items():
        table = db.table(name)
        table.create(columns, pk=PRIMARY_KEYS[name], if_not_exists=True)
        for index in INDEXES.get(name, ()):
            table.create_index(index, if_not_exists=True)
    db.table("quartier_names").enable_fts(
        QUARTIER_FTS_COLUMNS, tokenize="trigram", create_triggers=True, replace=True
    )


def _territory_rows(db: sqlite_utils.Database) -> dict[str, list[dict]]:
    """Territories of the loaded documents, their contracts and communes."""
    documents = db.execute(
        "SELECT territory_siren, contract_code, territory, territory_acronym FROM documents"
    ).fetchall()
    contract_epci = _contract_epci_by_code()
    acronyms: dict[str, Counter[str]] = {}
    names: dict[str, str] = {}
    for siren, code, territory, acronym in documents:
        siren = siren or contract_epci.get(code or "")
        if not siren:
            continue
        names.setdefault(siren, territory)
        counter = acronyms.setdefault(siren, Counter())
        if acronym:
            counter[acronym] += 1
    rows: dict[str, list[dict]] = {"territories": [], "contrats_de_ville": [], "communes": []}
    for siren in sorted(acronyms):
        acronym = acronyms[siren].most_common(1)[0][0] if acronyms[siren] else None
        epci = ref.epcis().get(siren)
        if epci is None:  # a SIREN the reference does not know: keep what documents say
            label = acronym or names[siren] or siren
            rows["territories"].append({"siren": siren, "label": label, "name": names[siren]})
            continue
        contracts = ref.epci_contracts(siren)
        rows["territories"].append(_territory_row(epci, acronym, contracts))
        for link in (*contracts.cv2015, *contracts.cn2024):
            rows["contrats_de_ville"].append(_contract_row(link, siren))
        rows["communes"].extend(_commune_rows(epci))
    return rows


def _contract_epci_by_code() -> dict[str, str]:
    """Contract code (CV…/CN…) -> SIREN of its current EPCI."""
    links: dict[str, str] = {}
    for generation in (2015, 2024):
        for contract in ref.contrats_de_ville(generation):
            found = ref.epci_for_contract(contract)
            if found:
                links[contract.code] = found[0]
    return links


def _territory_row(epci: ref.Epci, acronym: str | None, contracts: ref.EpciContracts) -> dict:
    cv, cn = contracts.best(2015), contracts.best(2024)
    point = next((c for c in (cn, cv) if c and c.lat is not None and c.lon is not None), None)
    return {
        "siren": epci.siren,
        "label": acronym or epci.raison_sociale,
        "name": epci.raison_sociale,
        "full_name": epci.full_name,
        "acronym": acronym,
        "nature_juridique": epci.nature_juridique,
        "department": epci.dept,
        "department_name": ref.DEPARTMENTS.get(epci.dept),
        "population": epci.population,
        "communes": len(epci.communes),
        "cv2015": cv.code if cv else None,
        "cv2015_name": cv.name if cv else None,
        "cn2024": cn.code if cn else None,
        "cn2024_name": cn.name if cn else None,
        "qpv_population_2015": _population(contracts.cv2015),
        "qpv_population_2024": _population(contracts.cn2024),
        "latitude": point.lat if point else None,
        "longitude": point.lon if point else None,
    }


def _population(links: tuple[ref.ContractLink, ...]) -> int | None:
    """QPV population of all the territory's contracts of one generation."""
    values = [link.contract.population for link in links if link.contract.population]
    return round(sum(values)) if values else None


def _contract_row(link: ref.ContractLink, siren: str) -> dict:
    c = link.contract
    return {
        "code": c.code,
        "generation": c.generation,
        "name": c.name,
        "department": c.dept,
        "territory_siren": siren,
        "link_method": link.method,
        "qpv_population": round(c.population) if c.population else None,
        "latitude": c.lat,
        "longitude": c.lon,
    }


def _commune_rows(epci: ref.Epci) -> list[dict]:
    cog = ref.communes()
    rows = []
    for member in epci.communes:
        commune = cog.get(member.insee)
        rows.append(
            {
                "insee": member.insee,
                "name": commune.libelle if commune else member.name,
                "department": commune.dept if commune else epci.dept,
                "territory_siren": epci.siren,
                "population": member.population,
            }
        )
    return rows


def _quartier_name_rows(db: sqlite_utils.Database) -> list[dict]:
    """Every distinct way a document writes a quartier's name: name, aliases, mentions."""
    mentions: dict[str, list[tuple[str | None, int | None]]] = {}
    for quartier, name, page in db.execute(
        "SELECT quartier, name, page FROM quartier_mentions ORDER BY quartier, page, ordinal"
    ).fetchall():
        mentions.setdefault(quartier, []).append((name, page))
    rows = []
    for qid, document, code, name, aliases, communes in db.execute(
        "SELECT id, document, code, name, aliases, communes FROM quartiers ORDER BY id"
    ).fetchall():
        found = mentions.get(qid, [])
        first_page = next((p for _, p in found if p is not None), None)
        variants = [(name, "name")]
        variants += [(alias, "alias") for alias in json.loads(aliases or "[]")]
        variants += [(mention, "mention") for mention, _ in found]
        seen: set[str] = set()
        for text, source in variants:
            key = search_key(text or "")
            if not key or key in seen:
                continue
            seen.add(key)
            rows.append(
                {
                    "id": f"{qid}:{len(seen)}",
                    "quartier": qid,
                    "document": document,
                    "code": code,
                    "name": text,
                    "source": source,
                    "communes": ", ".join(json.loads(communes or "[]")),
                    "search_key": key,
                    "page": next((p for m, p in found if m == text), first_page),
                }
            )
    return rows


# French letters and separators folded the way :func:`search_key` folds them, for SQL
# (SQLite's lower() only knows ASCII).
_SQL_FOLDS: tuple[tuple[str, str], ...] = (
    *((c, "a") for c in "àâäáãÀÂÄÁÃ"),
    *((c, "e") for c in "éèêëÉÈÊË"),
    *((c, "i") for c in "îïíìÎÏÍÌ"),
    *((c, "o") for c in "ôöóòõÔÖÓÒÕ"),
    *((c, "u") for c in "ûüùúÛÜÙÚ"),
    *((c, "c") for c in "çÇ"),
    *((c, "y") for c in "ÿŸ"),
    *((c, "oe") for c in "œŒ"),
    *((c, "ae") for c in "æÆ"),
    *((c, " ") for c in "-'’.,;:/()«»\"_"),
)


def sql_fold_steps(expression: str, first: str = "fold") -> tuple[list[str], str]:
    """CTEs computing :func:`search_key` of ``expression`` in SQL, and the last one's name.

    The folds are split over several CTEs because SQLite's parser refuses deeply nested
    expressions; each CTE has one column, ``text``.
    """
    steps: list[str] = []
    source, value = None, f"lower({expression})"
    chunks = [_SQL_FOLDS[i : i + 12] for i in range(0, len(_SQL_FOLDS), 12)]
    for n, chunk in enumerate([*chunks, ()], start=1):
        for char, plain in chunk:
            quoted = char.replace("'", "''")
            value = f"replace({value}, '{quoted}', '{plain}')"
        if not chunk:  # last step: collapse runs of up to 8 spaces, trim
            for _ in range(3):
                value = f"replace({value}, '  ', ' ')"
            value = f"trim({value})"
        name = f"{first}{n}"
        steps.append(f"{name}(text) AS (SELECT {value}{f' FROM {source}' if source else ''})")
        source, value = name, "text"
    return steps, source


# Finds quartiers by a misspelt name: the share of the query's letter trigrams found in
# a name (containment) filters, the Dice coefficient of the two trigram sets ranks.
_FOLD_STEPS, _FOLDED = sql_fold_steps(":q")
_FOLD_CTES = ",\n  ".join(_FOLD_STEPS)
FIND_QUARTIER_SQL = f"""
WITH RECURSIVE
  {_FOLD_CTES},
  query(text) AS (SELECT ' ' || text || ' ' FROM {_FOLDED}),
  grams(i, gram) AS (
    SELECT 1, substr(text, 1, 3) FROM query WHERE length(text) >= 5
    UNION ALL
    SELECT i + 1, substr((SELECT text FROM query), i + 1, 3) FROM grams
    WHERE i + 3 <= length((SELECT text FROM query))
  ),
  query_grams AS (SELECT DISTINCT gram FROM grams),
  scored AS (
    SELECT n.id, COUNT(*) AS shared
    FROM quartier_names n JOIN query_grams g ON instr(' ' || n.search_key || ' ', g.gram) > 0
    GROUP BY n.id
  )
SELECT n.name, n.code, dt.territory, n.communes,
       ROUND(1.0 * s.shared / (SELECT COUNT(*) FROM query_grams), 2) AS match,
       ROUND(2.0 * s.shared / ((SELECT COUNT(*) FROM query_grams) + length(n.search_key)), 2)
         AS similarity,
       dt.file_name, n.document, n.page
FROM scored s
JOIN quartier_names n ON n.id = s.id
LEFT JOIN document_territory dt ON dt.document = n.document
WHERE s.shared >= 0.6 * (SELECT COUNT(*) FROM query_grams)
ORDER BY similarity DESC, n.name
LIMIT 30
""".strip()
