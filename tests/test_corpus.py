"""The corpus builder: seed texts -> born-digital and scanned PDFs, and the manifest."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.blocks import Gap, Heading, Para, TableBlock, parse_seed
from corpus.build import MANIFEST_PATH, SCANS, SOURCES_DIR, build_corpus
from corpus.inline import plain
from corpus.manifest import describe, read_manifest
from corpus.render import PRODUCER, render_text
from corpus.scan import scan_pdf
from corpus.styles import FRAME_WIDTH, MARGIN_X, PAGE_WIDTH, cell_font_size
from corpus.tables import column_widths
from tests.support import ROOT

FRENCH = "Élève à l’école, façon « cœur » : 10 800 € — çà et là, où ÇA ŒUVRE è"
QP_CODE = re.compile(r"QP\d{6}")
AMOUNT = re.compile(r"\d{1,3}(?: \d{3})+ ?€")


def pdf_text(path: Path) -> list[str]:
    """Text of every page, as pdfium extracts it."""
    pdf = pdfium.PdfDocument(path)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def ocr(image_path: Path) -> str:
    done = subprocess.run(
        ["tesseract", str(image_path), "-", "-l", "fra"], capture_output=True, text=True, check=True
    )
    return done.stdout


# --------------------------------------------------------------------------- seed parsing


def test_parse_seed_recognises_headings_tables_and_inline_markup():
    seed = "\n".join(
        [
            "## Le **contrat**",
            "**Des partenaires s'engagent",
            "pour les quartiers**, ensuite du texte normal",
            "",
            "",
            "Thème\tMontant\tTaux",
            "<p><b>Cohésion</b> &amp; lien</p> <p>social</p>\t1 145 821 €\t19%",
            "Total\t2 000 €\t",
            "| Opération | Année |",
            "|---|---|",
            "| Démolition de 88 logements | 2017 |",
            "| autre lien <https://exemple.fr> | 2018 |",
        ]
    )
    blocks = parse_seed(seed)
    kinds = [type(b).__name__ for b in blocks]
    assert kinds == ["Heading", "Para", "Para", "Gap", "TableBlock", "TableBlock"]

    heading, first, second, gap, tsv, pipe = blocks
    assert isinstance(heading, Heading) and heading.level == 2
    assert plain(heading.text) == "Le contrat"
    # the bold span opened on one line closes on the next
    assert isinstance(first, Para) and first.text == [(("Des partenaires s'engagent", True),)]
    assert isinstance(second, Para)
    assert second.text[0][0] == ("pour les quartiers", True)
    assert second.text[0][1] == (", ensuite du texte normal", False)
    assert isinstance(gap, Gap) and gap.lines == 2

    assert isinstance(tsv, TableBlock) and tsv.header
    assert [plain(c) for c in tsv.rows[1]] == ["Cohésion & lien\nsocial", "1 145 821 €", "19%"]
    assert tsv.rows[1][0][0][0] == ("Cohésion", True)
    assert [plain(c) for c in tsv.rows[2]] == ["Total", "2 000 €", ""]

    assert isinstance(pipe, TableBlock) and pipe.header
    assert [[plain(c) for c in r] for r in pipe.rows] == [
        ["Opération", "Année"],
        ["Démolition de 88 logements", "2017"],
        ["autre lien <https://exemple.fr>", "2018"],
    ]


def test_a_first_row_of_figures_is_not_a_header():
    blocks = parse_seed("Axe 1 : Emploi\t1 145 821 €\t19%\nAxe 2 : Santé\t4 084 006 €\t65%")
    assert isinstance(blocks[0], TableBlock) and not blocks[0].header
    # a lone pipe from OCR noise is prose, not a table
    assert isinstance(parse_seed("| jeunesse")[0], Para)


def test_column_widths_fill_the_frame_in_proportion_to_content():
    rows = parse_seed("QP062002\t" + "un texte long " * 60 + "\t10 800 €\t\n" * 3)[0].rows
    size = cell_font_size(4)
    widths = column_widths(rows, size, FRAME_WIDTH)
    assert sum(widths) == pytest.approx(FRAME_WIDTH)
    code, text, amount, empty = widths
    assert text > code > empty and text > amount > empty
    assert empty >= 2 * size  # even an empty column keeps some room


# --------------------------------------------------------------------------- rendering


def test_accents_euro_and_quotes_round_trip(tmp_path):
    seed = f"# Œuvre à l’été « ça »\n{FRENCH}\n\nCode\tLibellé\n1\t{FRENCH}\n"
    out = tmp_path / "accents.pdf"
    render_text(seed, out, title="accents")
    (text,) = pdf_text(out)
    assert text.startswith("Œuvre à l’été « ça »")
    assert text.count(FRENCH) == 2  # paragraph, table cell
    assert "Page 1 / 1" in text
    meta = pdfium.PdfDocument(out).get_metadata_dict()
    assert meta["Title"] == "accents" and meta["Producer"] == PRODUCER


def test_tsv_row_becomes_a_ruled_table_row_with_cells_in_order(tmp_path):
    cells = ["QP099001", "Quartier de l’Été", "Saint-Œuvre", "1 234", "10 800 €"]
    seed = (
        "Avant le tableau\nCode\tNom\tCommune\tPopulation\tRevenu\n" + "\t".join(cells) + "\nAprès"
    )
    out = tmp_path / "table.pdf"
    render_text(seed, out, title="table")
    (text,) = pdf_text(out)
    positions = [text.index(c) for c in ["Avant le tableau", *cells, "Après"]]
    assert positions == sorted(positions)
    with pdfplumber.open(out) as pdf:
        tables = pdf.pages[0].extract_tables()
    assert tables == [[["Code", "Nom", "Commune", "Population", "Revenu"], cells]]


def test_a_row_taller_than_a_page_is_cut_and_every_word_kept(tmp_path):
    words = [f"mot{i}" for i in range(6000)]
    seed = "Libellé\tDétail\tAnnée\nLigne\t" + " ".join(words) + "\t2024\n"
    out = tmp_path / "tall.pdf"
    render_text(seed, out, title="tall")
    pages = pdf_text(out)
    assert len(pages) > 2
    found = re.findall(r"mot\d+", " ".join(pages))
    assert found == words  # all there, in order, none split
    # the header row is repeated on every continuation page
    assert all(p.lstrip().startswith("Libellé") for p in pages[1:])


_WORDS = st.sampled_from(
    [
        "quartier",
        "QP062016",
        "10 800 €",
        "**",
        "<p>",
        "</p>",
        "<b>",
        "&amp;",
        "|",
        "#",
        "é",
        "-" * 3,
    ]
) | st.text(alphabet="abcdeéèàçœ€«»’ -", min_size=1, max_size=60)
_LINES = st.lists(
    st.lists(st.lists(_WORDS, max_size=25).map(" ".join), min_size=1, max_size=9).map("\t".join)
    | st.just(""),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=_LINES)
def test_any_seed_text_renders(tmp_path, lines):
    """Whatever mix of prose, tables, markup and blanks a seed holds, a PDF comes out."""
    out = tmp_path / "any.pdf"
    render_text("\n".join(lines), out, title="any")
    assert len(pdf_text(out)) >= 1


# --------------------------------------------------------------------------- scans


def test_scan_is_image_only_at_the_page_size_and_reproducible(tmp_path):
    src = tmp_path / "doc.pdf"
    render_text(f"{FRENCH}\n" * 80, src, title="doc")
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert scan_pdf(src, first, title="doc_scan", max_pages=1) == 1
    scan_pdf(src, second, title="doc_scan", max_pages=1)
    assert first.read_bytes() == second.read_bytes()
    assert b"CreationDate" not in first.read_bytes()

    pdf, original = pdfium.PdfDocument(first), pdfium.PdfDocument(src)
    assert len(pdf) == 1
    assert pdf[0].get_size() == pytest.approx(original[0].get_size(), abs=0.01)
    assert pdf[0].get_textpage().get_text_range().strip() == ""
    assert [obj.type for obj in pdf[0].get_objects()] == [pdfium.raw.FPDF_PAGEOBJ_IMAGE]


# --------------------------------------------------------------------------- builds


def test_subset_build_is_reproducible_and_skips_up_to_date_files(tmp_path):
    stem = "004_175d0d4703e41153"
    manifest_before = MANIFEST_PATH.read_bytes()
    first = build_corpus(tmp_path, stems=[stem])
    assert [(e.file, e.kind) for e in first] == [
        (f"{stem}.pdf", "text"),
        (f"{stem}_scan.pdf", "scan"),
    ]
    # a partial build never rewrites the committed manifest, and agrees with it
    assert MANIFEST_PATH.read_bytes() == manifest_before
    committed = {e.file: e for e in read_manifest(MANIFEST_PATH)}
    assert all(committed[e.file] == e for e in first), (
        "manifest is stale: run python -m corpus.build"
    )

    stamps = {e.file: (tmp_path / e.file).stat().st_mtime_ns for e in first}
    assert build_corpus(tmp_path, stems=[stem]) == first
    assert {f: (tmp_path / f).stat().st_mtime_ns for f in stamps} == stamps  # kept, not rewritten
    again = build_corpus(tmp_path, stems=[stem], force=True)
    assert again == first  # rebuilt, byte-identical
    assert all((tmp_path / f).stat().st_mtime_ns != t for f, t in stamps.items())


def test_build_from_other_sources(tmp_path):
    sources = tmp_path / "src"
    sources.mkdir()
    (sources / "petit.txt").write_text(f"# Petit\n{FRENCH}\n", encoding="utf-8")
    entries = build_corpus(tmp_path / "out", sources=sources)
    assert [(e.file, e.kind, e.source, e.pages) for e in entries] == [
        ("petit.pdf", "text", "petit.txt", 1)
    ]
    assert FRENCH in pdf_text(tmp_path / "out" / "petit.pdf")[0]
    with pytest.raises(FileNotFoundError):
        build_corpus(tmp_path / "out", sources=sources, stems=["absent"])


@pytest.fixture(scope="module")
def full_corpus(tmp_path_factory) -> Path:
    """The whole corpus, built once through the command line into a fresh folder."""
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, "-m", "corpus.build", "--out", str(out)], cwd=ROOT, check=True)
    return out


@pytest.mark.integration
def test_full_build_matches_the_committed_manifest(full_corpus):
    committed = read_manifest(MANIFEST_PATH)
    seeds = sorted(SOURCES_DIR.glob("*.txt"))
    expected_files = sorted(
        [f"{s.stem}.pdf" for s in seeds] + [f"{s.stem}_scan.pdf" for s in seeds if s.stem in SCANS]
    )
    assert [e.file for e in committed] == expected_files
    assert sorted(p.name for p in full_corpus.glob("*.pdf")) == expected_files
    for entry in committed:
        built = describe(full_corpus / entry.file, kind=entry.kind, source=entry.source)
        assert built == entry, f"{entry.file} differs from the manifest"
        pdf = pdfium.PdfDocument(full_corpus / entry.file)
        assert len(pdf) == entry.pages
        if entry.kind == "scan":
            limit = SCANS[Path(entry.source).stem]
            assert limit is None or entry.pages == limit
            assert all(not t.strip() for t in pdf_text(full_corpus / entry.file))


@pytest.mark.integration
def test_full_build_text_stays_inside_the_margins(full_corpus):
    for path in sorted(full_corpus.glob("*.pdf")):
        if path.stem.endswith("_scan"):
            continue
        pdf = pdfium.PdfDocument(path)
        for index in range(len(pdf)):
            textpage = pdf[index].get_textpage()
            for k in range(textpage.count_rects()):
                left, _, right, _ = textpage.get_rect(k)
                assert left >= MARGIN_X - 1 and right <= PAGE_WIDTH - MARGIN_X + 1, (
                    path.name,
                    index + 1,
                )


@pytest.mark.integration
def test_scanned_qpv_table_ocrs_to_its_codes_and_amounts(full_corpus, tmp_path):
    """The scan page listing the most QPV codes still OCRs to most of them."""
    stem = next(s for s in sorted(SCANS) if (SOURCES_DIR / f"{s}.txt").is_file())
    digital = pdf_text(full_corpus / f"{stem}.pdf")[: SCANS[stem] or None]
    best = max(range(len(digital)), key=lambda i: len(QP_CODE.findall(digital[i])))
    codes, amounts = set(QP_CODE.findall(digital[best])), set(AMOUNT.findall(digital[best]))
    assert len(codes) >= 5, "the scanned pages should include a table of QPV codes"

    scan = pdfium.PdfDocument(full_corpus / f"{stem}_scan.pdf")
    image = tmp_path / "page.png"
    next(scan[best].get_objects()).get_bitmap().to_pil().save(image)
    text = ocr(image)
    squeezed = text.replace(" ", "")
    assert len(codes & set(QP_CODE.findall(text))) >= 0.8 * len(codes)
    assert sum(a.replace(" ", "") in squeezed for a in amounts) >= 0.7 * len(amounts)
