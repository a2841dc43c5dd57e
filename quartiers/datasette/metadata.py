"""Datasette metadata for a Quartiers database: titles, units, sources, facets, queries.

Built in Python rather than kept as a JSON file because the database name (the file
stem) keys every entry and the view descriptions live with their SQL in
:mod:`schemas.comparison`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from datasette.utils import tilde_encode

from quartiers.datasette.cells import MATCH_END, MATCH_START
from schemas.comparison import FIND_QUARTIER_SQL, VIEWS

LICENCE_OUVERTE = {
    "license": "Licence Ouverte 2.0",
    "license_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
CI_VILLE = {
    "source": "ANCT – Ci.Ville",
    "source_url": "https://github.com/anct-carto/ci-ville2",
    **LICENCE_OUVERTE,
}
COG_DGCL = {
    "source": "INSEE Code officiel géographique 2026, DGCL composition des EPCI 2025",
    "source_url": "https://github.com/datagouv/decoupage-administratif",
    **LICENCE_OUVERTE,
}

PROVENANCE_COLUMNS = {
    "page": "PDF page the value was read on (the link opens the PDF there); start and end "
    "locate it in pages.text, x0, top, x1, bottom on the page (PDF points)",
    "raw": "the string as the document writes it",
}

TABLES: dict[str, dict] = {
    "documents": {
        "title": "Documents",
        "description": "One row per PDF (identified by the sha256 of its bytes); the file "
        "name opens the PDF.",
        "label_column": "file_name",
        "facets": ["doc_type", "territory", "reference_year", "kind"],
    },
    "pages": {
        "title": "Pages",
        "description": "The text of every page (OCR for scans); full-text search over it. "
        "The page number opens the PDF at that page.",
        "facets": ["method"],
    },
    "quartiers": {
        "title": "Quartiers",
        "description": "Priority neighbourhoods (QPV) named by each document, with generation "
        "(2015 QP… / 2024 QN… codes) and population as the document gives it.",
        "facets": ["generation", "status"],
    },
    "quartier_mentions": {
        "title": "Quartier mentions",
        "description": "Every place a document names a quartier.",
        "facets": ["status"],
        "columns": PROVENANCE_COLUMNS,
    },
    "amounts": {
        "title": "Amounts (€)",
        "description": "Every euro amount, with what it is (kind), who pays (funder) and its page.",
        "facets": ["kind", "funder", "year"],
        "sort_desc": "value_eur",
        "columns": {"value_eur": "amount in euros (€)", **PROVENANCE_COLUMNS},
    },
    "actions": {
        "title": "Actions",
        "description": "Funded actions and projects (programmation entries, fonds de "
        "concours, renewal operations); full-text search over titles.",
        "facets": ["year", "theme"],
        "columns": {"theme": "pilier or axe as written", **PROVENANCE_COLUMNS},
    },
    "partners": {
        "title": "Partners",
        "description": "Signatories, funders, partners and operators.",
        "label_column": "canonical",
        "facets": ["kind", "role"],
        "columns": PROVENANCE_COLUMNS,
    },
    "checks": {
        "title": "Consistency checks",
        "description": "Contradictions inside a document (a total against its parts…).",
        "facets": ["check_name"],
    },
    "territories": {
        "title": "Territories",
        "description": "The EPCI of the loaded documents with their contrats de ville "
        "(2015 CV…, 2024 CN…), QPV population and centroid (ANCT – Ci.Ville) and "
        "population (DGCL).",
        **CI_VILLE,
    },
    "contrats_de_ville": {
        "title": "Contrats de ville",
        "description": "Contracts of both generations tied to each territory, and how the "
        "tie was made (same SIREN, member commune, or label).",
        "facets": ["generation", "link_method"],
        **CI_VILLE,
    },
    "communes": {
        "title": "Communes",
        "description": "Member communes of the territories of the loaded documents.",
        **COG_DGCL,
    },
    "quartier_names": {
        "title": "Quartier names",
        "description": "Every way a document writes a quartier's name; search finds any "
        "3-letter piece of it (trigram index). For misspellings use the query "
        "find_quartier.",
        "facets": ["source"],
    },
}

VIEW_FACETS: dict[str, list[str]] = {
    "document_territory": ["territory", "doc_type", "reference_year"],
    "territory_amounts": ["territory", "year", "doc_type", "kind", "funder"],
    "territory_actions": ["territory", "year", "doc_type", "theme"],
    "territory_partners": ["territory", "kind", "role"],
    "programmation_statements": ["territory", "year", "statement"],
    "programmation_totals": ["territory", "year", "basis"],
    "territory_quartiers": ["territory", "generation", "status"],
    "programmation_per_inhabitant": ["territory", "year"],
    "theme_shares": ["territory", "year"],
    "funder_shares": ["territory", "year", "funder"],
    "partners_by_kind": ["territory", "kind"],
    "territory_findings": ["territory", "check_name"],
}
EURO_COLUMNS = (
    "value_eur",
    "amount_eur",
    "programmation_eur",
    "stated_total_eur",
    "actions_total_eur",
    "eur_per_inhabitant",
    "latest_programmation_eur",
    "latest_eur_per_inhabitant",
)

# Marks around the matched words in an excerpt; the plugin turns them into <mark>.
SEARCH_PAGES_SQL = f"""
SELECT dt.territory, d.file_name, p.document, p.number AS page,
       snippet(pages_fts, 0, '{MATCH_START}', '{MATCH_END}', '…', 24) AS excerpt
FROM pages_fts
JOIN pages p ON p.rowid = pages_fts.rowid
JOIN documents d ON d.sha256 = p.document
LEFT JOIN document_territory dt ON dt.document = p.document
WHERE pages_fts MATCH '"' || replace(:q, '"', ' ') || '"'
ORDER BY rank
LIMIT 100
""".strip()

_TERRITORY_FILTER = "(:territory = '' OR territory = :territory OR territory_siren = :territory)"
_YEAR_FILTER = "(:year = '' OR year = CAST(:year AS INTEGER))"

# A datasette-vega chart is stored in the page's URL fragment.
CHART_FRAGMENT = "#" + "&".join(
    f"g.{key}={quote(value)}"
    for key, value in {
        "mark": "bar",
        "x_column": "territory_year",
        "x_type": "ordinal",
        "y_column": "programmation_eur",
        "y_type": "quantitative",
        "color_column": "territory",
    }.items()
)


def canned_queries(database: str) -> dict[str, dict]:
    """Queries over the comparison views, each with a form for territory and year."""
    route = tilde_encode(database)
    where = f"WHERE {_TERRITORY_FILTER} AND {_YEAR_FILTER}"
    return {
        "compare_territories": {
            "title": "Territories side by side",
            "description": "Documents, quartiers, latest programmation and € per QPV "
            "inhabitant per territory.",
            "sql": "SELECT territory, territory_siren, name, department, cv2015, cn2024, "
            "documents, years, qpv_named, qpv_population_documents, qpv_population_2015, "
            "qpv_population_2024, latest_year, latest_programmation_eur, "
            f"latest_eur_per_inhabitant FROM territory_comparison WHERE {_TERRITORY_FILTER} "
            "ORDER BY territory",
        },
        "compare_programmation": {
            "title": "Programmation per year and € per QPV inhabitant",
            "description_html": VIEWS["programmation_per_inhabitant"].description
            + f' <a href="/{route}/chart_programmation{CHART_FRAGMENT}">Chart</a>.',
            "sql": "SELECT territory, year, programmation_eur, basis, eur_per_inhabitant, "
            "qpv_population, qpv_generation, population_source, other_stated_eur, "
            f"contradiction, document, page FROM programmation_per_inhabitant {where} "
            "ORDER BY territory, year",
        },
        "chart_programmation": {
            "title": "Chart: programmation per territory and year",
            "description": "Bars of the programmation (€) per territory and year "
            "(datasette-vega; the chart settings are in the URL).",
            "sql": "SELECT territory || ' ' || year AS territory_year, territory, year, "
            f"programmation_eur, basis FROM programmation_totals {where} "
            "ORDER BY territory, year",
        },
        "compare_themes": {
            "title": "Shares per pilier / axe",
            "description": VIEWS["theme_shares"].description,
            "sql": f"SELECT * FROM theme_shares {where} ORDER BY territory, year, amount_eur DESC",
        },
        "compare_funders": {
            "title": "Funders' shares",
            "description": VIEWS["funder_shares"].description,
            "sql": f"SELECT * FROM funder_shares {where} ORDER BY territory, year, amount_eur DESC",
        },
        "compare_partners": {
            "title": "Partners by kind",
            "description": VIEWS["partners_by_kind"].description,
            "sql": f"SELECT * FROM partners_by_kind WHERE {_TERRITORY_FILTER} "
            "ORDER BY territory, partners DESC",
        },
        "compare_quartiers": {
            "title": "Quartiers per territory",
            "description": VIEWS["territory_quartiers"].description,
            "sql": f"SELECT * FROM territory_quartiers WHERE {_TERRITORY_FILTER} "
            "ORDER BY territory, code, name",
        },
        "compare_findings": {
            "title": "Consistency findings",
            "description": VIEWS["territory_findings"].description,
            "sql": f"SELECT * FROM territory_findings WHERE {_TERRITORY_FILTER} "
            "ORDER BY territory, file_name, page",
        },
        "search_pages": {
            "title": "Search the documents' text",
            "description": "Pages containing the words typed, in this order (full-text "
            "index of pages.text), best first, with the passage around them.",
            "sql": SEARCH_PAGES_SQL,
        },
        "find_quartier": {
            "title": "Find a quartier by name, even misspelt",
            "description": 'Type a name as you remember it ("Cite du Tranvaal"): names '
            "sharing most of its 3-letter pieces come first (match = share of your "
            "pieces found, similarity = Dice coefficient).",
            "sql": FIND_QUARTIER_SQL,
            "hide_sql": True,
        },
    }


def build_metadata(db: Path, *, pdf_root: Path) -> dict:
    """Metadata for serving ``db``; relative PDF paths are resolved against ``pdf_root``."""
    database = db.stem  # how Datasette names a database file
    route = tilde_encode(database)
    tables = {name: dict(spec) for name, spec in TABLES.items()}
    for name, view in VIEWS.items():
        tables[name] = {"description": view.description, "facets": VIEW_FACETS.get(name, [])}
    for spec in tables.values():
        spec["units"] = {column: "euro" for column in EURO_COLUMNS}
    description = (
        "Facts read from politique de la ville PDFs (contrats de ville, annual reports, "
        "deliberations, slide decks). Every extracted row links to the PDF page it was "
        "read on. Reference data: ANCT – Ci.Ville (contrats de ville, Licence Ouverte "
        "2.0), INSEE COG and DGCL (communes and EPCI, Licence Ouverte). Start with "
        f'<a href="/{route}/compare_territories">territories side by side</a>, the '
        f'<a href="/{route}/territory_comparison">map</a>, a '
        f'<a href="/{route}/chart_programmation{CHART_FRAGMENT}">chart</a> or '
        f'<a href="/{route}/find_quartier">find a quartier</a>.'
    )
    return {
        "title": "Quartiers – politique de la ville",
        "description_html": description,
        "source": "Politique de la ville documents (see the documents table); ANCT – "
        "Ci.Ville; INSEE; DGCL",
        "custom_units": ["euro = [currency] = €"],
        "databases": {
            database: {
                "title": "Quartiers",
                "description_html": description,
                "tables": tables,
                "queries": canned_queries(database),
            }
        },
        "plugins": {"quartiers": {"pdf_root": str(pdf_root.resolve())}},
    }
