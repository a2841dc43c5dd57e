"""Quartiers: mentions in tables, headings and prose, merged into one record per entity.

Unit cases use invented documents of other agglomerations (the rules must not know the
seed documents); the evaluation at the end measures the extractor on the seeds against
the hand annotations in ``corpus/gold``.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata

import pytest
from rapidfuzz import fuzz

from extractors.communes import resolve_commune, resolve_communes, split_communes
from extractors.quartiers import clean_name, extract_quartiers, name_key, status_from
from extractors.quartiers.numbers import int_value, money_value
from schemas.records import Line, Page, ParsedDocument, Table
from tests.support import GOLD, SOURCES, parsed_from_text, seed_document

TABLE = """\
## Quartiers prioritaires de la politique de la ville

Code\tQuartier prioritaire\tCommune(s)\tPopulation\tRevenu fiscal médian
QP059012\t<b>Le Pile - Sainte-Elisabeth (NPNRU)</b>\tRoubaix\t7 420\t7 300 €
QP059020\tLa Bourgogne\tTourcoing / Wattrelos\t5 400\t8 100 €
QP059031\tCité du 10\tRoubaix (Croix)\t1 200\t9 000 €
"""


def _by_code(quartiers):
    return {q.code: q for q in quartiers}


# ------------------------------------------------------------------ tables


def test_table_rows_give_name_communes_population_income():
    qs = _by_code(extract_quartiers(parsed_from_text(TABLE), department="59"))
    assert set(qs) == {"QP059012", "QP059020", "QP059031"}
    pile = qs["QP059012"]
    assert pile.name == "Le Pile - Sainte-Elisabeth"  # markup and (NPNRU) removed
    assert (pile.population, pile.median_income) == (7420, 7300.0)
    assert pile.communes == ["Roubaix"] and pile.commune_insee == ["59512"]
    assert pile.status == "qpv" and pile.generation == 2015
    bourgogne = qs["QP059020"]
    assert bourgogne.communes == ["Tourcoing", "Wattrelos"]
    assert bourgogne.commune_insee == ["59599", "59650"]
    assert qs["QP059031"].communes == ["Roubaix", "Croix"]  # parenthesised ones kept


def test_provenance_points_at_the_row():
    doc = parsed_from_text(TABLE)
    [q] = [q for q in extract_quartiers(doc) if q.code == "QP059020"]
    prov = q.mentions[0].provenance
    page = doc.pages[prov.page - 1]
    assert "QP059020" in page.text[prov.start : prov.end] == prov.raw
    assert prov.extractor == "quartiers" and prov.bbox is not None


def test_qn_codes_inside_the_name_cell():
    text = (
        "Quartier prioritaire (<i>code quartier</i>)\tCommunes concernées\tRevenu médian\t"
        "Population QPV 2024\n"
        "Bourgogne (QN05911M)\tTourcoing\t12 400 €\t5400\n"
        "Denain (QN05950M)\tDenain\t13 490 €\t13920\n"
    )
    qs = _by_code(extract_quartiers(parsed_from_text(text)))
    assert qs["QN05911M"].name == "Bourgogne"
    assert qs["QN05911M"].generation == 2024
    assert (qs["QN05911M"].population, qs["QN05911M"].median_income) == (5400, 12400.0)
    # Under a header, a quartier named like its commune keeps its name.
    assert qs["QN05950M"].name == "Denain" and qs["QN05950M"].communes == ["Denain"]


def test_table_continued_on_next_page_keeps_its_header():
    rows = "\n".join(
        f"QP069{n:03d}\tQuartier {n}\tVénissieux\t{1000 + n}\t8 000 €" for n in range(1, 9)
    )
    text = "Code\tNom du quartier\tCommune\tPopulation\tRevenu médian\n" + rows
    doc = parsed_from_text(text, lines_per_page=4)
    assert len(doc.pages) == 3
    qs = extract_quartiers(doc)
    assert len(qs) == 8
    assert all(q.population and q.median_income == 8000.0 for q in qs)
    assert {q.mentions[0].provenance.page for q in qs} == {1, 2, 3}


def test_row_from_page_tables_when_the_text_has_no_tabs():
    doc = parsed_from_text("Tableau des quartiers\nQP069001 Les Minguettes Vénissieux 20 000\n")
    doc.pages[0].tables = [
        Table(
            page=1,
            rows=[
                ["Code", "Nom du quartier", "Commune", "Population"],
                ["QP069001", "Les\nMinguettes", "Vénissieux", "20 000"],
            ],
        )
    ]
    [q] = extract_quartiers(doc)
    assert (q.name, q.communes, q.population) == ("Les Minguettes", ["Vénissieux"], 20000)
    assert q.mentions[0].provenance.raw == "QP069001 Les Minguettes Vénissieux 20 000"


# ---------------------------------------------------------- scanned tables

# Column starts of an OCR'd QPV table, in points: code, name, communes, count, income, page.
X_CODE, X_NAME, X_COMMUNES, X_COUNT, X_INCOME, X_PAGE = 50, 110, 260, 380, 430, 490


def _scanned(rows: list[tuple], method: str = "ocr"):
    """A one-page document laid out like OCR output: each line is (top, [(x, cell)])
    or (top, [(x, cell)], height), its cells TAB-joined, its box spanning them at 5
    points a character, 10 points high unless told."""
    lines, offset = [], 0
    for top, cells, *height in rows:
        text = "\t".join(c for _, c in cells)
        x1 = cells[-1][0] + 5 * len(cells[-1][1])
        bottom = top + (height[0] if height else 10)
        lines.append(Line(text=text, start=offset, bbox=(cells[0][0], top, x1, bottom)))
        offset += len(text) + 1
    page = Page(
        number=1,
        text="\n".join(ln.text for ln in lines),
        method=method,
        width=595.0,
        height=842.0,
        lines=lines,
    )
    return ParsedDocument(sha256="0" * 64, path="scan.pdf", file_name="scan.pdf", pages=[page])


def _scanned_table(count: str = "3780", total: str = "8394", method: str = "ocr"):
    """The rows OCR gives for a QPV table: noise cells, a header on two lines, names
    and communes wrapped onto lines without a code, cells merged where the gap is
    small, a bar and a full stop around counts, the total under the last row."""
    return _scanned(
        [
            (100, [(X_CODE, "- Code"), (80, ":"), (X_NAME, "Quartier Prioritaire"),
                   (X_COMMUNES, "Commune(s)"), (340, "L"), (X_COUNT, "Population ."),
                   (X_INCOME, "Revenu"), (X_PAGE, "Page")]),
            (110, [(X_INCOME, "fiscal médian")]),
            (125, [(X_CODE, "QPO59012"), (X_NAME, "Le Pile - Sainte"), (X_COMMUNES, "Roubaix"),
                   (330, "en"), (X_COUNT, "1220."), (X_INCOME, "10 800 €"), (X_PAGE, "24")]),
            (136, [(X_NAME + 2, ": Elisabeth (NPNRU)")]),
            (150, [(X_CODE, "QP059020"), (X_NAME, "La Bourgogne"), (X_COMMUNES, "Tourcoing /"),
                   (X_COUNT, "|814"), (X_INCOME, "8 100 €"), (X_PAGE, "31")]),
            (161, [(X_COMMUNES + 2, "Wattrelos .")]),
            (175, [(X_CODE, "QP059031"), (X_NAME, "Cité du 10 Roubaix (Croix)"),
                   (X_COUNT, "1680"), (X_INCOME, "9 000 €"), (X_PAGE, "35")]),
            (200, [(X_CODE, "QP059040"), (X_NAME, "Les Trois Ponts"),
                   (X_COMMUNES, f"Roubaix / Croix . {count}"), (X_INCOME, "9 900 €"),
                   (X_PAGE, "38")]),
            (225, [(X_CODE, "QP059050"), (X_NAME, "Les Hauts de Roubaix"), (X_COUNT, "900"),
                   (X_INCOME, "9 500 €"), (X_PAGE, "41")]),
            (236, [(X_COUNT, total)]),
            (260, [(X_CODE, "Le contrat de ville porte sur ces cinq quartiers.")]),
        ],
        method=method,
    )  # fmt: skip


def _rows(quartiers):
    return {q.code: (q.name, q.communes, q.population, q.median_income) for q in quartiers}


def test_scanned_table_reads_like_the_text_layer():
    text = (
        "Code\tQuartier Prioritaire\tCommune(s)\tPopulation\tRevenu fiscal médian\tPage\n"
        "QP059012\tLe Pile - Sainte Elisabeth (NPNRU)\tRoubaix\t1220\t10 800 €\t24\n"
        "QP059020\tLa Bourgogne\tTourcoing / Wattrelos\t814\t8 100 €\t31\n"
        "QP059031\tCité du 10\tRoubaix (Croix)\t1680\t9 000 €\t35\n"
        "QP059040\tLes Trois Ponts\tRoubaix / Croix\t3780\t9 900 €\t38\n"
        "QP059050\tLes Hauts de Roubaix\t\t900\t9 500 €\t41\n"
    )
    born_digital = _rows(extract_quartiers(parsed_from_text(text), department="59"))
    scanned = _rows(extract_quartiers(_scanned_table(), department="59"))
    assert scanned == born_digital
    assert scanned["QP059012"] == ("Le Pile - Sainte Elisabeth", ["Roubaix"], 1220, 10800.0)
    assert scanned["QP059020"][1:3] == (["Tourcoing", "Wattrelos"], 814)
    assert scanned["QP059031"][:2] == ("Cité du 10", ["Roubaix", "Croix"])
    # A trailing commune is split off a merged cell only after a name, not after "de".
    assert scanned["QP059050"][:2] == ("Les Hauts de Roubaix", [])


def test_wrapped_line_joins_its_row_and_the_total_joins_nothing():
    doc = _scanned_table()
    qs = _by_code(extract_quartiers(doc, department="59"))
    assert len(qs) == 5
    prov = qs["QP059012"].mentions[0].provenance
    assert (
        prov.raw
        == "QPO59012\tLe Pile - Sainte\tRoubaix\ten\t1220.\t10 800 €\t24\n: Elisabeth (NPNRU)"
    )
    assert prov.bbox is not None and prov.bbox[3] == 146  # down to the wrapped line
    assert qs["QP059012"].mentions[0].raw_code == "QPO59012"
    last = qs["QP059050"].mentions[0].provenance
    assert "8394" not in last.raw and qs["QP059050"].population == 900


def test_wrapped_line_must_continue_a_text_cell():
    doc = _scanned(
        [
            (100, [(X_CODE, "Code"), (X_NAME, "Quartier"), (X_COMMUNES, "Commune"),
                   (X_COUNT, "Population")]),
            (115, [(X_CODE, "QP059012"), (X_NAME, "Le Pile"), (X_COMMUNES, "Roubaix"),
                   (X_COUNT, "7420")]),
            (126, [(X_NAME, "Source : INSEE, RFL 2011")]),
            (140, [(X_CODE, "QP059020"), (X_NAME, "La Bourgogne"), (X_COMMUNES, "Tourcoing"),
                   (X_COUNT, "5400")]),
            # A row of its own whose code cell is empty: no cell above broke off.
            (151, [(X_NAME, "Cité Lebas"), (X_COMMUNES, "Wattrelos")]),
            (165, [(X_CODE, "QP059031"), (X_NAME, "Cité du 10"), (X_COMMUNES, "Croix"),
                   (X_COUNT, "1200")]),
            (176, [(X_NAME, "Les Quartiers De Veille")], 16),  # a heading, larger type
        ]
    )  # fmt: skip
    qs = _rows(extract_quartiers(doc, department="59"))
    assert qs == {
        "QP059012": ("Le Pile", ["Roubaix"], 7420, None),
        "QP059020": ("La Bourgogne", ["Tourcoing"], 5400, None),
        "QP059031": ("Cité du 10", ["Croix"], 1200, None),
    }


def test_printed_total_repairs_a_rule_read_as_a_one():
    qs = _by_code(extract_quartiers(_scanned_table(count="13780"), department="59"))
    repaired = qs["QP059040"]
    assert repaired.population == 3780
    assert (
        repaired.mentions[0].provenance.confidence
        < qs["QP059020"].mentions[0].provenance.confidence
    )
    # Nothing to repair when the counts add up; a text layer is never second-guessed.
    assert (
        _by_code(extract_quartiers(_scanned_table(), department="59"))["QP059040"].population
        == 3780
    )
    text_layer = _scanned_table(count="13780", method="text")
    assert _by_code(extract_quartiers(text_layer, department="59"))["QP059040"].population == 13780
    # Without a total, or when no single reading adds up, the figure stays as read.
    no_total = _scanned_table(count="13780", total="-")
    assert _by_code(extract_quartiers(no_total, department="59"))["QP059040"].population == 13780
    wrong = _scanned_table(count="13780", total="9999")
    assert _by_code(extract_quartiers(wrong, department="59"))["QP059040"].population == 13780


def test_scanned_table_continued_without_header_keeps_it():
    first = _scanned_table().pages[0]
    second = _scanned(
        [
            (60, [(X_CODE, "QP059060"), (X_NAME, "Les Oliveaux"), (X_COMMUNES, "Loos"),
                  (330, "."), (X_COUNT, "2 150"), (X_INCOME, "8 700 €"), (X_PAGE, "44")]),
            (75, [(X_CODE, "QP059061"), (X_NAME, "Secteur Nord"), (X_COMMUNES, "Lille"),
                  (X_COUNT, "3100"), (X_INCOME, "9 100 €"), (X_PAGE, "45")]),
        ]
    ).pages[0]  # fmt: skip
    second.number = 2
    doc = _scanned_table()
    doc.pages = [first, second]
    qs = _rows(extract_quartiers(doc, department="59"))
    assert qs["QP059060"] == ("Les Oliveaux", ["Loos"], 2150, 8700.0)
    assert qs["QP059061"] == ("Secteur Nord", ["Lille"], 3100, 9100.0)


@pytest.mark.parametrize(
    ("cell", "count"),
    [("1220.", 1220), ("|814", 814), ("7 420", 7420), ("1O80", 1080), ("13920", 13920),
     (": 695", 695), ("12 3", None), ("Page", None), ("", None)],
)  # fmt: skip
def test_counts_as_ocr_writes_them(cell, count):
    assert int_value(cell) == count


def test_amounts_as_ocr_writes_them():
    assert money_value(": 10400€") == 10400.0
    assert money_value(":. 8900€") == 8900.0
    assert money_value("7700 € .") == 7700.0
    assert money_value("12,4 k€") == 12400.0


# ---------------------------------------------------------------- headings


def test_code_in_headings_and_damaged_codes_merge():
    text = TABLE + (
        "\n# QP059012 - Le Pile, Sainte Elisabeth - Roubaix\n\ntexte\n\n"
        "## QPO59012 Commune de Roubaix\n\n"
        "**Cité 10 : QP 059031**\n\n"
        "## TOURCOING QP059020\n\n"
        "**QP059012 QP059020**\n"
    )
    qs = _by_code(extract_quartiers(parsed_from_text(text), department="59"))
    assert len(qs) == 3
    pile = qs["QP059012"]
    assert pile.name == "Le Pile - Sainte-Elisabeth"  # the table row wins
    assert "Le Pile, Sainte Elisabeth" in pile.aliases
    raws = {m.raw_code for m in pile.mentions}
    assert {"QP059012", "QPO59012"} <= raws
    repaired = [m for m in pile.mentions if m.raw_code == "QPO59012"]
    assert repaired[0].provenance.confidence < 0.9
    assert "Cité 10" in qs["QP059031"].aliases or qs["QP059031"].name == "Cité du 10"
    assert qs["QP059020"].communes == ["Tourcoing", "Wattrelos"]


def test_heading_without_table():
    text = (
        "# QP069001 - Les Minguettes, Darnaise - Vénissieux (Saint-Fons)\n\n"
        "Le quartier compte 20 000 habitants.\n\n"
        "**QN06902M** La Duchère – Lyon\n"
    )
    qs = _by_code(extract_quartiers(parsed_from_text(text)))
    assert qs["QP069001"].name == "Les Minguettes, Darnaise"
    assert qs["QP069001"].communes == ["Vénissieux", "Saint-Fons"]
    assert qs["QP069001"].commune_insee == ["69259", "69199"]
    assert qs["QP069001"].population is None  # no figure on a heading
    assert qs["QN06902M"].name == "La Duchère"
    assert qs["QN06902M"].communes == ["Lyon"]


def test_name_before_the_code_in_running_text():
    text = (
        "Les actions portent sur le quartier prioritaire Cité Jardin (QP069004), dont la "
        "population est jeune. Elles seront évaluées chaque année par le comité de pilotage."
    )
    [q] = extract_quartiers(parsed_from_text(text))
    assert (q.code, q.name) == ("QP069004", "Cité Jardin")


# ------------------------------------------------------------------- prose


def test_codeless_quartiers_named_in_an_npnru_title_and_sentence():
    text = (
        "Le Nouveau Programme National de Renouvellement Urbain\n"
        "Les Minguettes à Vénissieux / La Duchère à Lyon\n\n"
        "La revue de projets du NPNRU concerne les quartiers des Minguettes à Vénissieux "
        "et La Duchère à\n\nLyon.\n\n"
        "Quartier de la Duchère - LYON\n"
    )
    qs = extract_quartiers(parsed_from_text(text), department="69")
    assert len(qs) == 2
    minguettes, duchere = qs
    assert name_key(minguettes.name) == "minguette"
    assert minguettes.communes == ["Vénissieux"] and minguettes.commune_insee == ["69259"]
    assert name_key(duchere.name) == "duchere"
    assert duchere.commune_insee == ["69123"]
    assert {q.status for q in qs} == {"qpv"}
    assert len(duchere.mentions) == 3


def test_veille_and_qic_status():
    text = (
        "Le quartier de veille active des Buers à Villeurbanne reste suivi.\n\n"
        "Le quartier d'intérêt communautaire Cité Jardin à Saint-Fons bénéficie du FCS.\n"
    )
    qs = extract_quartiers(parsed_from_text(text), department="69")
    assert [(q.name, q.status, q.communes) for q in qs] == [
        ("Buers", "veille_active", ["Villeurbanne"]),
        ("Cité Jardin", "qic", ["Saint-Fons"]),
    ]


def test_codeless_table_of_veille_quartiers():
    text = (
        "C - Les quartiers en veille active\n\n"
        "Commune\tQuartier\tPopulation\n"
        "VILLEURBANNE\tLes Buers\t4 000\n"
        "VENISSIEUX\tTous les autres quartiers\t12 000\n"
        "TOTAL\t\t16 000\n"
    )
    [q] = extract_quartiers(parsed_from_text(text), department="69")
    assert (q.name, q.status, q.communes, q.population) == (
        "Les Buers",
        "veille_active",
        ["Villeurbanne"],
        4000,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Les quartiers prioritaires de la ville bénéficient des crédits.",
        "16 Quartiers Prioritaires de la Ville et 9 Quartiers d'Intérêt Communautaire",
        "Le contrat de ville « Engagements Quartiers 2030 » a été signé à Villeurbanne.",
        "Les Quartiers d'été et les quartiers politique de la ville de l'Agglomération.",
        "Aménagement d'un boulodrome au sein du Quartier d'Intérêt Communautaire",
        "Une réunion s'est tenue à Lyon avec les QPV du territoire.",
        "Fait à Lyon, le 23 avril 2015",
        "Les acteurs associatifs des QPV Usagers des quartiers",
    ],
)
def test_no_quartier_in_generic_phrases(text):
    assert extract_quartiers(parsed_from_text(text), department="69") == []


def test_codeless_qpv_outside_the_code_list_is_left_out():
    text = TABLE + (
        "\nLe NPNRU concerne le quartier du Pile à Roubaix et le quartier des Trois Ponts "
        "à Roubaix.\n\nLe quartier de veille active de l'Alma à Roubaix reste suivi.\n"
    )
    qs = extract_quartiers(parsed_from_text(text), department="59")
    codes = [q.code for q in qs]
    assert codes[:3] == ["QP059012", "QP059020", "QP059031"]
    pile = qs[0]
    assert "Pile" in pile.aliases  # the codeless mention joined the coded quartier
    assert pile.communes == ["Roubaix"]
    assert [(q.name, q.status) for q in qs[3:]] == [("Alma", "veille_active")]


def test_name_variants_merge_but_communes_keep_them_apart():
    text = TABLE + (
        "\n### Cité 10 (Roubaix)\n\n### Cité 10 (Wattrelos)\n\n### Pile – Ste Elisabeth (Roubaix)\n"
    )
    qs = _by_code(extract_quartiers(parsed_from_text(text), department="59"))
    assert len(qs) == 3
    assert "Cité 10" in qs["QP059031"].aliases
    assert sum(m.name == "Cité 10" for m in qs["QP059031"].mentions) == 1
    assert "Pile – Ste Elisabeth" in qs["QP059012"].aliases


# -------------------------------------------------------------- successors


def test_successor_code_from_a_row_and_from_a_sentence():
    text = (
        "Code 2015\tCode 2024\tQuartier\tCommune\n"
        "QP069001\tQN06901M\tLes Minguettes\tVénissieux\n\n"
        "Le quartier QN06905M (anciennement QP069003) est étendu.\n"
        "Le QP069007 et le QN06907M sont voisins.\n"
    )
    qs = _by_code(extract_quartiers(parsed_from_text(text)))
    assert qs["QP069001"].successor_code == "QN06901M"
    assert qs["QP069001"].name == qs["QN06901M"].name == "Les Minguettes"
    assert qs["QP069003"].successor_code == "QN06905M"
    assert qs["QP069007"].successor_code is None
    assert qs["QN06901M"].successor_code is None


def test_department_filters_codes_of_other_departments():
    text = TABLE + "\nVoir aussi le quartier QP062016 voisin.\n"
    assert "QP062016" not in _by_code(extract_quartiers(parsed_from_text(text), department="59"))
    assert "QP062016" in _by_code(extract_quartiers(parsed_from_text(text)))
    # A department none of the codes agrees with is ignored rather than emptying the list.
    assert len(extract_quartiers(parsed_from_text(TABLE), department="13")) == 3


# ------------------------------------------------------------ helpers, communes


def test_clean_name_and_status():
    assert clean_name("Calonne - <b>Vent De Bise (NPNRU)</b>") == "Calonne - Vent De Bise"
    assert clean_name("**Cité 2 :**") == "Cité 2"
    assert clean_name("Les Hauts (code QP062029)") == "Les Hauts"
    assert name_key("Cité du 10") == name_key("CITE 10") == "cite 10"
    assert name_key("Quartier du 03/15") == name_key("3-15")
    assert status_from("territoires en veille active") == "veille_active"
    assert status_from("Quartiers d'Intérêt Communautaire (QIC)") == "qic"
    assert status_from("au titre du NPNRU") == "qpv"
    assert status_from("une réunion publique") is None
    assert status_from("la cellule de veille et un équipement d'intérêt communautaire") is None


def test_commune_resolution():
    assert resolve_commune("BRUAY-LA-BUISSIERE", "62").insee == "62178"
    assert resolve_commune("Bruay", "62").insee == "62178"  # unique short form
    assert resolve_commune("Bruay", "59").insee == "59112"
    assert resolve_commune("Billy", "62") is None  # Billy-Berclau or Billy-Montigny
    assert resolve_commune("Avlon", "62").insee == "62065"  # OCR: Avion
    assert resolve_commune("Fouquières les Lens", "62").insee == "62351"
    assert resolve_commune("Ville de Roubaix", "59").insee == "59512"
    assert resolve_commune("Brebis", "62") is None  # a word is not a commune
    assert resolve_commune("Lyon").insee == "69123"  # unique nationally
    assert split_communes("Lens / Vendin-le-Vieil (Loison-sous-Lens)") == [
        "Lens",
        "Vendin-le-Vieil",
        "Loison-sous-Lens",
    ]
    assert resolve_communes("Les Hauts de Liévin", "62") is None


# --------------------------------------------------------- seed evaluation


def _norm(name: str) -> str:
    s = unicodedata.normalize("NFKD", name.lower().replace("œ", "oe"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    words = re.sub(r"[^a-z0-9]+", " ", s).split()
    stop = {"le", "la", "les", "l", "du", "de", "des", "d", "quartier"}
    return " ".join(str(int(w)) if w.isdigit() else w for w in words if w not in stop)


def _variants(gold_name: str) -> list[str]:
    """ "Le Centre (Quartier du Centre)" -> both spellings."""
    inner = re.findall(r"\(([^)]+)\)", gold_name)
    return [re.sub(r"\s*\([^)]*\)", "", gold_name), *inner]


def _name_f1(predicted: list[str], gold: list[str]) -> tuple[float, float, float]:
    """Greedy one-to-one matching at token_sort_ratio >= 85 on normalised names."""
    pairs = sorted(
        (
            (max(fuzz.token_sort_ratio(_norm(p), _norm(v)) for v in _variants(g)), i, j)
            for i, p in enumerate(predicted)
            for j, g in enumerate(gold)
        ),
        reverse=True,
    )
    used_p, used_g = set(), set()
    for score, i, j in pairs:
        if score >= 85 and i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
    tp = len(used_p)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1


def _run(stem: str, department: str | None):
    doc = seed_document(stem)
    t0 = time.perf_counter()
    qs = extract_quartiers(doc, department=department)
    return qs, time.perf_counter() - t0


@pytest.mark.parametrize(
    "stem", ["001_51a140851bffbc08", "002_d10b0c97964f8d38", "004_175d0d4703e41153"]
)
def test_seed_names_against_gold(stem):
    gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    qs, seconds = _run(stem, gold["document"]["department"])
    gold_q = gold["quartiers"]
    p, r, f1 = _name_f1([q.name or "" for q in qs], [g["name"] for g in gold_q])
    print(f"\n{stem}: {len(qs)} quartiers (gold {len(gold_q)}) in {seconds:.2f}s")
    print(f"  names  P={p:.3f} R={r:.3f} F1={f1:.3f}")
    gold_codes = {g["code"] for g in gold_q if g["code"]}
    if gold_codes:
        found = {q.code for q in qs if q.code}
        tp = len(found & gold_codes)
        code_f1 = 2 * tp / (len(found) + len(gold_codes))
        print(f"  codes  found={len(found)} gold={len(gold_codes)} F1={code_f1:.3f}")
        assert code_f1 == 1.0
        by_code = {q.code: q for q in qs}
        same = sum(
            {_norm(c) for c in by_code[g["code"]].communes} == {_norm(c) for c in g["communes"]}
            for g in gold_q
        )
        print(f"  communes identical to gold: {same}/{len(gold_q)}")
        populations = sum(by_code[g["code"]].population == g["population"] for g in gold_q)
        print(f"  populations identical to gold: {populations}/{len(gold_q)}")
        assert same >= 0.9 * len(gold_q) and populations == len(gold_q)
    assert f1 >= 0.9


def test_seed_003_all_qn_codes_with_names():
    text = (SOURCES / "003_c281e4f984da8422.txt").read_text(encoding="utf-8")
    expected = set(re.findall(r"\bQN\d{5}[A-Z]\b", text))
    assert len(expected) == 13
    qs, seconds = _run("003_c281e4f984da8422", None)
    coded = {q.code: q for q in qs if q.code}
    print(f"\n003: {len(coded)} coded + {len(qs) - len(coded)} codeless in {seconds:.2f}s")
    assert set(coded) == expected
    assert all(q.name and q.communes and q.population for q in coded.values())
    assert all(q.commune_insee and q.commune_insee[0].startswith("59") for q in coded.values())
