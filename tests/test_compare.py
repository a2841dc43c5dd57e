"""Comparison tables and views, and ``quartiers compare`` (table, CSV, JSON, chart).

Documents are hand-made records loaded into a real SQLite file; expected figures about
territories (QPV population, contracts, communes) are read from the reference data.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest
from PIL import Image
from rich.console import Console
from typer.testing import CliRunner

from extractors.checks import SAME_QUANTITY
from quartiers import referencedata as ref
from quartiers.cli import app
from quartiers.compare import (
    compare_territories,
    format_eur,
    plot_comparison,
    summary_table,
    table_rows,
    to_json,
    write_csv,
)
from schemas.comparison import (
    FIND_QUARTIER_SQL,
    TABLE_COLUMNS,
    VIEWS,
    ensure_comparison,
    search_key,
    sql_fold_steps,
)
from schemas.database import ensure_schema, open_db
from schemas.loader import load_document
from schemas.records import (
    Action,
    Amount,
    CheckFinding,
    DocumentFacts,
    Extraction,
    Partner,
    Provenance,
    Quartier,
    QuartierMention,
)
from tests.support import GOLD, parsed_from_text
from tests.test_browse import territory_siren

BETHUNE = "200072460"  # CA de Béthune-Bruay, Artois-Lys Romane
LENS = "246200364"  # CA de Lens - Liévin


def at(page: int = 1, raw: str = "x") -> Provenance:
    return Provenance(page, 0, len(raw), raw, "test")


def add(db, name: str, extraction: Extraction, text: str | None = None) -> str:
    """Load a document named ``name`` (its text makes its sha256) with ``extraction``."""
    parsed = parsed_from_text(text or f"{name}\n" * 130, name=name)
    load_document(db, parsed, extraction, extractor_version="test")
    return parsed.sha256


def facts(siren: str | None, year: int, doc_type="rapport_annuel", **more) -> DocumentFacts:
    return DocumentFacts(doc_type=doc_type, territory_siren=siren, reference_year=year, **more)


def programmation(value: float, year: int, page: int = 1) -> Amount:
    label = f"programmation {year} du contrat de ville"
    return Amount(value, at(page, "€"), kind="total", label=label, year=year)


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "q.db")
    ensure_schema(db)
    return db


@pytest.fixture(scope="module")
def two_territories(tmp_path_factory):
    """A report and a slide deck about the same year in one territory, a contract in another.

    Shared by the tests of this module, which only read it.
    """
    db = open_db(tmp_path_factory.mktemp("compare") / "q.db")
    ensure_schema(db)
    add(
        db,
        "rapport-2022.pdf",
        Extraction(
            facts=facts(BETHUNE, 2022, territory_acronym="CABBALR"),
            amounts=[
                programmation(5_955_899, 2022, page=1),
                programmation(5_955_889, 2022, page=2),
                programmation(5_955_889, 2022, page=3),
                Amount(1_700_000, at(), kind="breakdown", funder="ANCT", year=2022),
                Amount(300_000, at(), kind="grant", funder="Région", year=2022),
                Amount(2_000_000, at(), kind="total", funder="ANCT", year=2022),
                Amount(50_000, at(), kind="threshold", funder="Région", year=2022),
            ],
            actions=[
                Action("A", at(), amount_eur=300, year=2022, theme="Cohésion sociale"),
                Action("B", at(), amount_eur=100, year=2022, theme="Cadre de vie"),
            ],
            partners=[
                Partner("l'Etat", "Etat", "state", "signatory", at()),
                Partner("Préfecture", "Etat", "state", "partner", at()),
                Partner("CAF", "CAF du Pas-de-Calais", "caf", "funder", at()),
            ],
            quartiers=[
                Quartier(
                    "QN06201M",
                    "Le Mont-Liébaut",
                    ["Béthune"],
                    "qpv",
                    [QuartierMention("QN06201M", "Mont Liébaut", ["Béthune"], at(2))],
                    population=4000,
                    aliases=["Quartier du Mont-Liébaut"],
                )
            ],
            checks=[CheckFinding("total_vs_parts", "total 10 vs parts 9", 10, 9, [2, 3])],
        ),
    )
    add(
        db,
        "slides-2022.pdf",
        Extraction(
            facts=facts(BETHUNE, 2022, doc_type="presentation", territory_acronym="CABBALR"),
            amounts=[
                programmation(5_955_889, 2022),
                Amount(1_000_000, at(), kind="breakdown", funder="ANCT", year=2022),
            ],
        ),
    )
    add(
        db,
        "contrat-2015.pdf",
        Extraction(
            facts=facts(LENS, 2015, doc_type="contrat_de_ville", territory_acronym="CALL"),
            actions=[Action("C", at(), amount_eur=1_500_000, year=2017, theme="NPNRU")],
            quartiers=[
                Quartier("QP062021", "Cité du Transvaal - Centre", ["Liévin"], "qpv", [], 1900),
                Quartier("QP062020", "Cité des Brebis", ["Mazingarbe"], "qpv", [], 2170),
            ],
        ),
    )
    ensure_comparison(db)
    return db


def rows(db, sql: str, *params) -> list[dict]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


# ---------------------------------------------------------------- tables and views


def test_views_work_on_an_empty_database(db):
    ensure_comparison(db)
    for name in VIEWS:
        assert db.execute(f"SELECT * FROM [{name}]").fetchall() == [], name
    assert db.execute(FIND_QUARTIER_SQL, {"q": "Mont Liebaut"}).fetchall() == []
    assert compare_territories(db) == []


def test_ensure_comparison_is_idempotent(two_territories):
    db = two_territories

    def snapshot() -> dict[str, list]:
        return {
            name: db.execute(f"SELECT * FROM [{name}] ORDER BY 1, 2, 3").fetchall()
            for name in [*TABLE_COLUMNS, *VIEWS]
        }

    before = snapshot()
    ensure_comparison(db)
    assert snapshot() == before
    assert before["programmation_totals"]


def test_territories_are_those_of_the_documents_with_reference_data(two_territories):
    db = two_territories
    territories = {t["siren"]: t for t in rows(db, "SELECT * FROM territories")}
    assert set(territories) == {BETHUNE, LENS}
    for siren, territory in territories.items():
        epci, contracts = ref.epcis()[siren], ref.epci_contracts(siren)
        assert territory["name"] == epci.raison_sociale
        assert territory["cn2024"] == contracts.best(2024).code
        assert territory["cv2015"] == contracts.best(2015).code
        expected = sum(link.contract.population for link in contracts.cn2024)
        assert territory["qpv_population_2024"] == round(expected)
        assert territory["latitude"] == contracts.best(2024).lat
        communes = db.execute("SELECT COUNT(*) FROM communes WHERE territory_siren = ?", [siren])
        assert communes.fetchone()[0] == len(epci.communes)
    assert territories[BETHUNE]["label"] == "CABBALR"
    codes = {r["code"] for r in rows(db, "SELECT code FROM contrats_de_ville")}
    assert {territories[s]["cv2015"] for s in territories} <= codes


def test_a_contract_code_alone_ties_a_document_to_its_territory(db):
    code = ref.epci_contracts(LENS).best(2024).code
    sha = add(db, "deliberation.pdf", Extraction(facts=facts(None, 2024, contract_code=code)))
    ensure_comparison(db)
    [row] = rows(db, "SELECT * FROM document_territory")
    assert (row["document"], row["territory_siren"]) == (sha, LENS)
    assert row["territory"] == ref.epcis()[LENS].raison_sociale


def test_programmation_is_the_total_stated_most_often_never_added(two_territories):
    [row] = rows(two_territories, "SELECT * FROM programmation_per_inhabitant WHERE year = 2022")
    assert row["programmation_eur"] == 5_955_889
    assert row["basis"] == "stated total"
    population = round(sum(link.contract.population for link in ref.epci_contracts(BETHUNE).cv2015))
    assert row["qpv_generation"] == 2015 and row["qpv_population"] == population
    assert row["eur_per_inhabitant"] == round(5_955_889 / population, 2)
    # the source: the first statement of that value in the document stating it most
    report = two_territories.execute(
        "SELECT sha256 FROM documents WHERE file_name = 'rapport-2022.pdf'"
    ).fetchone()[0]
    assert (row["document"], row["page"]) == (report, 2)


ONCE, REPEATED = 5_955_899, 5_955_889


def report_typed_two_ways(db, *, with_check: bool) -> None:
    """The text says 5 955 899 €; the table total (no 'programmation' in its label) and
    its restatement say 5 955 889 €; the consistency check may pair them."""
    table_total = [
        Amount(REPEATED, at(page, "€"), kind="total", label="Total", year=2022) for page in (2, 3)
    ]
    check = CheckFinding(
        SAME_QUANTITY, "given as 5 955 899 € and as 5 955 889 €", REPEATED, ONCE, [1, 2]
    )
    add(
        db,
        "rapport.pdf",
        Extraction(
            facts=facts(BETHUNE, 2022),
            amounts=[programmation(ONCE, 2022), *table_total],
            checks=[check] if with_check else [],
        ),
    )
    ensure_comparison(db)


def test_a_figure_typed_two_ways_yields_to_the_value_the_document_repeats(db):
    report_typed_two_ways(db, with_check=True)
    statements = rows(db, "SELECT * FROM programmation_statements ORDER BY page")
    assert [(s["value_eur"], s["statement"]) for s in statements] == [
        (ONCE, "label"),
        (REPEATED, "same figure typed two ways"),
        (REPEATED, "same figure typed two ways"),
    ]
    assert statements[0]["contradicted_by"] is not None
    assert all(s["contradicted_by"] is None for s in statements[1:])
    [row] = rows(db, "SELECT * FROM programmation_per_inhabitant")
    assert (row["programmation_eur"], row["page"]) == (REPEATED, 2)
    assert json.loads(row["other_stated_eur"]) == [ONCE]
    assert row["contradiction"] == "given as 5 955 899 € and as 5 955 889 €"
    [summary] = compare_territories(db)
    [figures] = summary.programmation
    assert figures.other_stated_eur == [ONCE] and figures.contradiction
    cell = dict(table_rows([summary]))["Programmation 2022"][0]
    assert cell.startswith("5\u202f955\u202f889\u202f€")
    assert "† also stated: 5\u202f955\u202f899\u202f€" in cell


def test_without_a_check_only_labelled_totals_state_the_programmation(db):
    report_typed_two_ways(db, with_check=False)
    [row] = rows(db, "SELECT * FROM programmation_totals")
    assert row["programmation_eur"] == ONCE
    assert json.loads(row["other_stated_eur"]) == [] and row["contradiction"] is None


def test_actions_of_a_contract_are_not_a_year_programmation(two_territories):
    found = rows(two_territories, "SELECT * FROM programmation_totals WHERE territory = 'CALL'")
    assert found == []


def test_sum_of_actions_when_no_document_states_a_total(db):
    add(
        db,
        "bilan.pdf",
        Extraction(
            facts=facts(LENS, 2024),
            actions=[
                Action("A", at(), amount_eur=1000, year=2024),
                Action("B", at(), amount_eur=500, year=2024),
                Action("undated", at(), amount_eur=9999),
            ],
        ),
    )
    ensure_comparison(db)
    [row] = rows(db, "SELECT * FROM programmation_per_inhabitant")
    assert (row["year"], row["programmation_eur"], row["basis"]) == (2024, 1500, "sum of actions")
    assert row["qpv_generation"] == 2024
    assert row["population_source"] == "ANCT – Ci.Ville"


def test_document_population_when_the_reference_has_none(db):
    add(
        db,
        "rapport.pdf",
        Extraction(
            facts=facts("123456789", 2020, territory="Communauté imaginaire"),
            amounts=[programmation(100_000, 2020)],
            quartiers=[Quartier("QP999001", "Les Tilleuls", [], "qpv", [], population=2000)],
        ),
    )
    ensure_comparison(db)
    [row] = rows(db, "SELECT * FROM programmation_per_inhabitant")
    assert row["population_source"] == "documents"
    assert row["eur_per_inhabitant"] == 50.0
    [territory] = rows(db, "SELECT * FROM territories")
    assert territory["label"] == "Communauté imaginaire" and territory["cn2024"] is None


def test_funder_shares_count_grants_and_breakdowns_once(two_territories):
    shares = {
        r["funder"]: r
        for r in rows(two_territories, "SELECT * FROM funder_shares WHERE year = 2022")
    }
    # the report's 1.7 M€ breakdown, not the slides' 1 M€ added; its 2 M€ total left out
    assert shares["ANCT"]["amount_eur"] == 1_700_000
    assert shares["Région"]["amount_eur"] == 300_000  # the threshold left out
    assert shares["ANCT"]["share_pct"] == 85.0
    assert sum(r["share_pct"] for r in shares.values()) == pytest.approx(100, abs=0.2)


def test_theme_shares_and_partners_by_kind(two_territories):
    themes = {
        r["theme"]: r["share_pct"]
        for r in rows(two_territories, "SELECT * FROM theme_shares WHERE territory = 'CABBALR'")
    }
    assert themes == {"Cohésion sociale": 75.0, "Cadre de vie": 25.0}
    kinds = {
        r["kind"]: r["partners"]
        for r in rows(two_territories, "SELECT * FROM partners_by_kind WHERE territory = 'CABBALR'")
    }
    assert kinds == {"state": 1, "caf": 1}  # "Etat" counted once over two roles


def test_findings_and_quartiers_carry_territory_and_page(two_territories):
    [finding] = rows(two_territories, "SELECT * FROM territory_findings")
    assert (finding["territory"], finding["page"], finding["difference"]) == ("CABBALR", 2, -1)
    quartiers = rows(
        two_territories, "SELECT * FROM territory_quartiers ORDER BY territory_siren, code"
    )
    assert [(q["territory"], q["code"], q["population"]) for q in quartiers] == [
        ("CABBALR", "QN06201M", 4000),
        ("CALL", "QP062020", 2170),
        ("CALL", "QP062021", 1900),
    ]
    assert quartiers[0]["page"] == 2 and quartiers[0]["generation"] == 2024


def test_quartier_names_keep_aliases_and_mentions_and_are_full_text_searchable(two_territories):
    names = rows(two_territories, "SELECT name, source, search_key FROM quartier_names")
    assert {"Le Mont-Liébaut", "Quartier du Mont-Liébaut", "Mont Liébaut"} <= {
        n["name"] for n in names
    }
    found = two_territories.execute(
        "SELECT n.name FROM quartier_names n JOIN quartier_names_fts f ON f.rowid = n.rowid "
        "WHERE quartier_names_fts MATCH ?",
        ['"liebaut"'],
    ).fetchall()
    assert len(found) == 3


@pytest.mark.parametrize(
    ("typed", "real"),
    [
        ("Cite du Tranvaal", "Cité du Transvaal - Centre"),
        ("CITÉ DES BREBYS", "Cité des Brebis"),
        ("mont liebaut", "Mont Liébaut"),
    ],
)
def test_find_quartier_tolerates_misspellings(two_territories, typed, real):
    found = rows(two_territories, FIND_QUARTIER_SQL.replace(":q", "?"), typed)
    assert found and found[0]["name"] == real
    assert found[0]["territory"] in ("CABBALR", "CALL")


def test_find_quartier_finds_nothing_for_unrelated_text(two_territories):
    for typed in ("Zorglub", "", "ab"):
        assert rows(two_territories, FIND_QUARTIER_SQL.replace(":q", "?"), typed) == []


@pytest.mark.parametrize(
    "text", ["Cité-Jardin d'ÉTÉ", "Œuvre  (Saint-Éloi)", "Hauts de Liévin / 9-9bis", "Ça « va »"]
)
def test_sql_folding_matches_python_folding(text):
    steps, last = sql_fold_steps("?")
    sql = f"WITH {', '.join(steps)} SELECT text FROM {last}"
    with sqlite3.connect(":memory:") as conn:
        assert conn.execute(sql, [text]).fetchone()[0] == search_key(text)


# -------------------------------------------------------------------- compare


def test_summaries_put_each_territory_figures_together(two_territories):
    summaries = compare_territories(two_territories)
    assert [s.territory for s in summaries] == ["CABBALR", "CALL"]
    cabbalr, call = summaries
    assert cabbalr.documents == 2 and cabbalr.years == [2022]
    assert cabbalr.doc_types == {"presentation": 1, "rapport_annuel": 1}
    assert [(f.year, f.programmation_eur) for f in cabbalr.programmation] == [(2022, 5_955_889)]
    assert [f.funder for f in cabbalr.funders] == ["ANCT", "Région"]
    assert cabbalr.funders[0].share == pytest.approx(0.85)
    assert cabbalr.partners_by_kind == {"caf": 1, "state": 1}
    assert cabbalr.findings == 1 and cabbalr.qpv_named == 1
    assert call.qpv_named == 2 and call.qpv_population_documents == 4070
    assert call.programmation == [] and call.cn2024 == ref.epci_contracts(LENS).best(2024).code


@pytest.mark.parametrize("wanted", ["CALL", LENS, "Lens", "lens liévin"])
def test_territory_filter_accepts_acronym_siren_and_name(two_territories, wanted):
    assert [s.territory for s in compare_territories(two_territories, territories=[wanted])] == [
        "CALL"
    ]


def test_year_filter_keeps_documents_and_figures_of_those_years(two_territories):
    summaries = compare_territories(two_territories, years=[2015])
    assert [s.territory for s in summaries] == ["CALL"]
    assert compare_territories(two_territories, years=[2030]) == []


def test_table_csv_and_json_show_every_territory(two_territories):
    summaries = compare_territories(two_territories)
    layout = dict(table_rows(summaries))
    # the value stated most often; the other one the report states is shown beside it
    assert layout["Programmation 2022"][0] == (
        "5\u202f955\u202f889\u202f€\n† also stated: 5\u202f955\u202f899\u202f€"
    )
    assert layout["Programmation 2022"][1] == "—"
    assert all(len(cells) == 2 for cells in layout.values())
    out = io.StringIO()
    Console(file=out, width=160).print(summary_table(summaries))
    assert "CABBALR" in out.getvalue() and "CALL" in out.getvalue()

    out = io.StringIO()
    write_csv(summaries, out)
    records = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["territory"] for r in records] == ["CABBALR", "CALL"]
    assert float(records[0]["programmation_2022_eur"]) == 5_955_889
    assert records[1]["programmation_2022_eur"] == ""

    parsed = json.loads(to_json(summaries))
    assert parsed[0]["programmation"][0]["basis"] == "stated total"


def test_the_chart_is_a_readable_png(two_territories, tmp_path):
    path = plot_comparison(compare_territories(two_territories), tmp_path / "cmp.png")
    image = Image.open(path)
    assert image.format == "PNG" and image.width > 1500 and image.height > 500
    low, high = image.convert("L").getextrema()
    assert high - low > 200


def test_compare_command(two_territories, tmp_path):
    path = two_territories.conn.execute("PRAGMA database_list").fetchone()[2]
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "compare",
            "--db",
            path,
            "--format",
            "json",
            "--territory",
            "CABBALR",
            "--plot",
            str(tmp_path / "c.png"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert [s["territory"] for s in json.loads(result.stdout)] == ["CABBALR"]
    assert (tmp_path / "c.png").exists()
    assert runner.invoke(app, ["compare", "--db", path, "--territory", "Nowhere"]).exit_code == 1
    missing = runner.invoke(app, ["compare", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2


# ------------------------------------------------------------- the real corpus

# The agglomerations whose documents make up the bundled corpus (corpus/sources).
CORPUS_TERRITORIES = {"CALL", "CABBALR", "CAPH"}


@dataclass(frozen=True, slots=True)
class GoldYear:
    """What the gold says a territory's programmation of one year is."""

    territory: str  # acronym
    siren: str
    year: int
    stems: tuple[str, ...]  # gold documents about that year
    programmation_eur: float | None  # None: those documents state no programmation
    other_values: frozenset[float]  # other values the documents give for it


def gold_programmation() -> dict[tuple[str, int], GoldYear]:
    """(SIREN, year) -> the gold's programmation, for every gold document's year.

    The gold's programmation statements are its amounts of kind total, with a year, whose
    label says "programmation" (corpus/gold/SCHEMA.md); when a document gives two values
    (a typo), the one it states most often is the programmation, as the gold's notes
    explain (it is the table total, equal to the sum of its rows).
    """
    stated: dict[tuple[str, int], Counter[float]] = defaultdict(Counter)
    about: dict[tuple[str, int], list[str]] = defaultdict(list)
    acronyms: dict[str, str] = {}
    for path in sorted(GOLD.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        doc = gold["document"]
        siren = territory_siren(doc["territory"], doc["department"])
        assert siren, f"{path.name}: no EPCI named {doc['territory']!r} in the reference"
        acronyms[siren] = doc["territory_acronym"]
        about[(siren, doc["reference_year"])].append(path.stem)
        for a in gold["amounts"]:
            if a["kind"] == "total" and a["year"] and "programmation" in a["label"].lower():
                stated[(siren, a["year"])][float(a["value_eur"])] += 1
                about[(siren, a["year"])].append(path.stem)
    expected = {}
    for (siren, year), stems in about.items():
        values = stated.get((siren, year), Counter()).most_common()
        assert len(values) < 2 or values[0][1] > values[1][1], f"gold ambiguous: {values}"
        expected[(siren, year)] = GoldYear(
            acronyms[siren],
            siren,
            year,
            tuple(sorted(set(stems))),
            values[0][0] if values else None,
            frozenset(v for v, _ in values[1:]),
        )
    return expected


@pytest.mark.integration
def test_compare_puts_the_corpus_territories_side_by_side_as_the_gold_says(corpus_db, tmp_path):
    """``quartiers compare`` on the real ingest of the corpus: the three agglomerations,
    with each gold document's programmation (or none) and its contradiction flagged."""
    db_path = tmp_path / "corpus.db"
    with sqlite3.connect(corpus_db[0]) as source, sqlite3.connect(db_path) as copy:
        source.backup(copy)  # compare refreshes the views: leave the shared file alone
    runner = CliRunner()
    result = runner.invoke(app, ["compare", "--db", str(db_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    summaries = {s["territory"]: s for s in json.loads(result.stdout)}
    assert set(summaries) == CORPUS_TERRITORIES

    gold = gold_programmation()
    assert {g.territory for g in gold.values()} < CORPUS_TERRITORIES
    by_siren = {s["siren"]: s for s in summaries.values()}
    for (siren, year), want in sorted(gold.items()):
        where = f"{want.territory} {year} (gold: {', '.join(want.stems)})"
        assert siren in by_siren, f"{where}: territory missing from compare"
        assert by_siren[siren]["territory"] == want.territory
        found = next((f for f in by_siren[siren]["programmation"] if f["year"] == year), None)
        if want.programmation_eur is None:
            assert found is None, f"{where}: the gold states no programmation, compare {found}"
            continue
        assert found is not None, (
            f"{where}: programmation {want.programmation_eur:,.0f} € not found by extraction"
        )
        assert found["basis"] == "stated total", f"{where}: {found}"
        assert found["programmation_eur"] == want.programmation_eur, (
            f"{where}: compare says {found['programmation_eur']:,.0f} €, "
            f"gold {want.programmation_eur:,.0f} €"
        )
        assert set(found["other_stated_eur"]) == want.other_values, f"{where}: {found}"
        if want.other_values:  # the contradiction is named, not silently resolved
            assert found["contradiction"], f"{where}: contradiction not flagged"
            for value in (want.programmation_eur, *want.other_values):
                assert format_eur(value) in found["contradiction"].replace(" ", "\u202f")
    assert any(g.other_values for g in gold.values())  # the gold's 2022 typo is covered

    wide = runner.invoke(
        app, ["compare", "--db", str(db_path), "--format", "table"], env={"COLUMNS": "250"}
    )
    header = next(line for line in wide.stdout.splitlines() if "CABBALR" in line)
    assert all(t in header for t in CORPUS_TERRITORIES), header  # one column each
