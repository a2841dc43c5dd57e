"""Scan detection and OCR: image-only pages read back by the real Tesseract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from rapidfuzz import fuzz
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, Spacer, Table

from extractors.ocr import Turn, choose, garbled, plan, scan_dpi, words_from_tsv
from extractors.pages import Word, layout
from extractors.pdf import ParseLimits, parse_pdf
from extractors.rules import DARK, find_rules, level, skew_angle
from schemas.records import Line, Page
from tests.hostile import huge_image_pdf
from tests.support import ROOT
from tests.test_parsing import (
    BODY,
    FONT,
    GRID,
    TABLE,
    UNRULED_LINES,
    check_offsets,
    flow_pdf,
    unruled_table,
)

LINES = [
    "Contrat de ville : programmation des crédits",
    "Le quartier QP062016 reçoit 10 800 € en 2022.",
    "Action de médiation sociale portée par le centre social.",
]


def _text_pdf(path: Path, pages: list[list[str]]) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    for lines in pages:
        c.setFont(FONT, 14)
        for k, text in enumerate(lines):
            c.drawString(60, 760 - 28 * k, text)
        c.showPage()
    c.save()
    return path


def _scan(src: Path, dst: Path, dpi: int = 200) -> Path:
    """An image-only PDF: every page of ``src`` rasterised, no text layer left."""
    doc = pdfium.PdfDocument(src)
    images = [doc[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(doc))]
    doc.close()
    images[0].save(dst, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return dst


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("scan")
    text = _text_pdf(tmp / "text.pdf", [LINES])
    return text, _scan(text, tmp / "scan.pdf")


@pytest.mark.integration
def test_scanned_page_is_detected_and_ocrd(scanned: tuple[Path, Path]) -> None:
    text_pdf, scan_pdf = scanned
    doc = parse_pdf(scan_pdf)
    page = doc.pages[0]
    assert doc.kind == "scan" and page.method == "ocr"
    assert "QP062016" in page.text
    assert "10 800 €" in page.text
    assert "médiation sociale" in page.text
    assert page.confidence is not None and page.confidence > 70
    assert all(ln.confidence is not None and ln.confidence > 0 for ln in page.lines)
    assert doc.warnings == []
    check_offsets(doc)
    # OCR boxes land where the text layer puts the same line
    ocr_box = next(ln.bbox for ln in page.lines if "QP062016" in ln.text)
    text_page = parse_pdf(text_pdf).pages[0]
    text_box = next(ln.bbox for ln in text_page.lines if "QP062016" in ln.text)
    assert ocr_box == pytest.approx(text_box, abs=6)


@pytest.mark.integration
def test_mixed_document_ocrs_only_the_image_page(
    tmp_path: Path, scanned: tuple[Path, Path]
) -> None:
    text_pdf, scan_pdf = scanned
    merged = pdfium.PdfDocument.new()
    for src in (text_pdf, scan_pdf):
        part = pdfium.PdfDocument(src)
        merged.import_pages(part)
        part.close()
    merged.save(tmp_path / "mixed.pdf")
    merged.close()
    calls: list[int] = []
    doc = parse_pdf(tmp_path / "mixed.pdf", progress=calls.append)
    assert doc.kind == "mixed"
    assert [p.method for p in doc.pages] == ["text", "ocr"]
    assert "QP062016" in doc.pages[1].text
    assert calls == [1, 2]


@pytest.mark.integration
def test_always_mode_ocrs_a_text_page(scanned: tuple[Path, Path]) -> None:
    page = parse_pdf(scanned[0], ocr="always").pages[0]
    assert page.method == "ocr" and "QP062016" in page.text


def test_never_mode_keeps_the_empty_text_layer(scanned: tuple[Path, Path]) -> None:
    page = parse_pdf(scanned[1], ocr="never").pages[0]
    assert page.method == "text" and page.text == ""


def test_page_too_large_to_rasterise_is_refused_with_a_warning(
    scanned: tuple[Path, Path],
) -> None:
    doc = parse_pdf(scanned[1], limits=ParseLimits(max_pixels=1_000_000))
    page = doc.pages[0]
    assert (page.method, page.text, page.confidence) == ("ocr", "", 0.0)
    assert len(doc.warnings) == 1
    assert doc.warnings[0].startswith("ocr: page 1: OCR refused")
    assert "\n" not in doc.warnings[0]


def test_decompression_bomb_image_is_never_rendered(tmp_path: Path) -> None:
    """A page drawing a 400-million-pixel image is refused before pdfium decodes it."""
    doc = parse_pdf(huge_image_pdf(tmp_path / "bomb.pdf"))
    page = doc.pages[0]
    assert (page.method, page.text, page.confidence) == ("ocr", "", 0.0)
    assert doc.warnings == [
        "ocr: page 1: OCR refused, it draws a 400000000-pixel image, over the limit of 120000000"
    ]


@pytest.mark.integration
def test_ocr_timeout_is_a_warning_not_an_error(scanned: tuple[Path, Path]) -> None:
    doc = parse_pdf(scanned[1], limits=ParseLimits(ocr_timeout_s=0.01))
    page = doc.pages[0]
    assert (page.method, page.text, page.confidence) == ("ocr", "", 0.0)
    assert doc.warnings == ["ocr: page 1: OCR timed out after 0.01 s"]


@pytest.mark.integration
def test_image_page_with_a_stamped_line_is_ocrd(tmp_path: Path, scanned: tuple[Path, Path]) -> None:
    """A scan with one digital line on top (a registry stamp): the image's text must not be lost."""
    stamp = tmp_path / "stamp.pdf"
    c = canvas.Canvas(str(stamp), pagesize=A4)
    c.setFont(FONT, 7)
    c.drawString(400, 820, "Reçu en préfecture le 30/09/2024")
    c.showPage()
    c.save()
    scan = pdfium.PdfDocument(scanned[1])
    overlay = pdfium.PdfDocument(stamp)
    xobject = overlay.page_as_xobject(0, scan)
    page = scan[0]
    page.insert_obj(xobject.as_pageobject())
    page.gen_content()
    scan.save(tmp_path / "stamped.pdf")
    scan.close()
    overlay.close()
    parsed = parse_pdf(tmp_path / "stamped.pdf").pages[0]
    assert parsed.method == "ocr"
    assert "QP062016" in parsed.text


# ----------------------------------------------------------------- scan detection


def _words(text: str) -> list[Word]:
    return [Word(t, 10.0 * k, 100, 10.0 * k + 8, 112, 12) for k, t in enumerate(text.split())]


FRENCH = (
    "Le contrat de ville engage les partenaires au service des habitants des quartiers "
    "prioritaires de la politique de la ville, avec une programmation annuelle des actions."
)


def test_garbled_text_layers_are_recognised() -> None:
    assert not garbled(FRENCH)
    assert not garbled("Lens\t12 345\t1 234 567 €\nLiévin\t8 901\t987 654 €\n" * 5)
    assert garbled("\ufffd\ufffd\ufffd \ufffd\ufffd \ufffd\ufffd\ufffd\ufffd" * 10)
    assert garbled("\ue000\ue001\ue002 \ue003\ue004" * 20)  # private-use glyph codes
    assert garbled("!#$% &'()* +,-./ :;<=>" * 10)
    # glyph ids of a subset font read as character codes: "Le contrat" -> "/H FRQWUDW"
    shifted = "".join(chr(ord(ch) - 29) if ch.isascii() and ch.isalpha() else ch for ch in FRENCH)
    assert garbled(f"{shifted} {shifted}")
    assert not garbled(f"{FRENCH} {FRENCH}".upper())  # capitals are not garbage


def test_plan_decides_per_page() -> None:
    area = 595.0 * 842.0
    words = _words(FRENCH)
    assert plan(words, 40, 0.0, area, "auto") == "text"
    assert plan([], 1, area, area, "auto") == "ocr"  # an image, no text
    assert plan([], 0, 0.0, area, "auto") == "text"  # a blank page
    assert plan(_words("\ufffd\ufffd \ufffd\ufffd\ufffd " * 20), 10, 0.0, area, "auto") == "ocr"
    assert plan(words[:3], 5, 0.9 * area, area, "auto") == "compare"
    assert plan(words, 40, 0.9 * area, area, "auto") == "compare"  # little text on a scan
    assert plan(words * 40, 40, 0.9 * area, area, "auto") == "text"  # a real text layer
    assert plan([], 1, area, area, "never") == "text"
    assert plan(words, 40, 0.0, area, "always") == "compare"


def _page(method: str, lines: list[tuple[str, float | None]]) -> Page:
    text = "\n".join(t for t, _ in lines)
    out, start = [], 0
    for t, conf in lines:
        out.append(Line(t, start, (0, 0, 1, 1), conf))
        start += len(t) + 1
    return Page(1, text, method, 595.0, 842.0, out)


def test_choose_keeps_ocr_only_when_it_confidently_reads_more() -> None:
    caption = _page("text", [("Photo : la place du marché", None)])
    noise = _page("ocr", [("iIl;: ,.ee mM Nnn wW ii lll ooo pP ssSs hHh", 25.0)] * 5)
    read = _page("ocr", [(FRENCH, 91.0), ("Photo : la place du marché", 88.0)])
    assert choose(caption, noise, "auto") is caption
    assert choose(caption, read, "auto") is read
    assert choose(caption, noise, "always") is noise


def test_words_from_tsv_maps_pixels_to_points_and_keeps_lines() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "4\t1\t1\t1\t1\t0\t300\t600\t900\t50\t-1\t",
        "5\t1\t1\t1\t1\t1\t300\t600\t200\t50\t96.5\tMontant",
        "5\t1\t1\t1\t1\t2\t1000\t602\t200\t48\t91.5\t12 000",
        "5\t1\t1\t1\t2\t1\t300\t700\t100\t40\t-1\t ",
        "5\t1\t2\t1\t1\t1\t300\t900\t100\t40\t88.0\tsuite",
    ]
    scale = 72 / 300
    words, conf = words_from_tsv("\n".join([header, *rows]), (0.0, scale, 0.0, 0.0, 0.0, scale))
    assert [w.text for w in words] == ["Montant", "12 000", "suite"]
    assert conf == pytest.approx((96.5 + 91.5 + 88.0) / 3)
    first = words[0]
    assert (first.x0, first.top, first.x1, first.bottom) == pytest.approx((72, 144, 120, 156))
    assert words[0].piece == words[1].piece != words[2].piece
    assert words[0].block == 1 and words[2].block == 2


def test_table_rules_read_as_bars_become_cell_boundaries() -> None:
    """A scanned table row: Tesseract reads vertical rules as "|", alone (as tall as the
    row) or stuck to the cells; a bar no taller than the text is misread letters."""
    cells = ["QP062016", "|", "Quartier", "Saint-Elie", "|Hulluch", "695|", "10", "400", "€"]
    cells += ["Il", "||", "vit"]
    rows = [
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    ]
    for k, text in enumerate(cells):
        top, height = (90, 60) if k == 1 else (100, 40)
        rows.append(f"5\t1\t1\t1\t1\t{k + 1}\t{100 + 60 * k}\t{top}\t50\t{height}\t90\t{text}")
    words, _ = words_from_tsv("\n".join(rows), (0.0, 0.24, 0.0, 0.0, 0.0, 0.24))
    assert "|" not in "".join(w.text for w in words)
    drafts, _ = layout(words)
    assert drafts[0].text == "QP062016\tQuartier Saint-Elie\tHulluch 695\t10 400 € Il vit"


def test_noise_marks_are_dropped_without_opening_a_cell() -> None:
    """Specks read as faint marks go; a hole they leave inside a line is no cell boundary,
    one in a column gap still is. Signs and confident marks stay."""
    line = [
        ("Montant", 96, 100), ("...", 20, 320), ("total", 95, 380), ("€", 20, 600),
        ("O]", 12, 660), ("12", 18, 700), (":", 91, 760), (".", 5, 900), ("Lens", 93, 1400),
    ]  # fmt: skip
    rows = [
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    ]
    for k, (text, conf, left) in enumerate(line):
        width = 200 if text.isalpha() and len(text) > 2 else 40
        rows.append(f"5\t1\t1\t1\t1\t{k + 1}\t{left}\t100\t{width}\t40\t{conf}\t{text}")
    words, conf = words_from_tsv("\n".join(rows), (0.0, 0.24, 0.0, 0.0, 0.0, 0.24))
    assert [w.text for w in words] == ["Montant", "total", "€", "12", ":", "Lens"]
    assert conf == pytest.approx((96 + 95 + 20 + 18 + 91 + 93) / 6)
    drafts, _ = layout(words)
    assert drafts[0].text == "Montant total € 12 :\tLens"


# ----------------------------------------------------------------- scan geometry

DPI = 200


def _sheet(lines: int = 12, width: int = 1200, height: int = 1500) -> Image.Image:
    """A white page of text lines at ``DPI``, as a scanner would see a printed page."""
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(ROOT / "corpus" / "fonts" / "DejaVuSans.ttf"), 28)
    for k in range(lines):
        draw.text(
            (80, 80 + 60 * k), f"Ligne {k} du contrat de ville, quartiers prioritaires", 0, font
        )
    return image


def _turned(image: Image.Image, angle: float) -> np.ndarray:
    return np.asarray(image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255))


@pytest.mark.parametrize("angle", [1.3, -0.6, 2.4])
def test_skew_angle_is_the_turn_that_levels_the_text(angle: float) -> None:
    found = skew_angle(_turned(_sheet(), angle), DPI)
    assert found == pytest.approx(-angle, abs=0.15)
    assert skew_angle(np.asarray(level(_turned(_sheet(), angle), found)), DPI) == 0.0


def test_skew_angle_of_a_blank_or_level_page_is_zero() -> None:
    assert skew_angle(np.full((1500, 1200), 250, dtype=np.uint8), DPI) == 0.0
    assert skew_angle(np.asarray(_sheet()), DPI) == 0.0


def _ruled_sheet() -> Image.Image:
    """Text, a 3x3 ruled grid with a speck of paper through a rule, a black banner
    with white words, and a bold heading whose letters almost touch."""
    image = _sheet(lines=2)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(ROOT / "corpus" / "fonts" / "DejaVuSans.ttf"), 26)
    bold = ImageFont.truetype(str(ROOT / "corpus" / "fonts" / "DejaVuSans-Bold.ttf"), 40)
    for y in (300, 400, 500, 600):
        draw.line([(100, y), (1100, y)], fill=0, width=3)
    for x in (100, 450, 800, 1100):
        draw.line([(x, 300), (x, 600)], fill=0, width=3)
    draw.rectangle([600, 397, 601, 403], fill=255)  # a speck of paper, two pixels wide
    for r, y in enumerate((330, 430, 530)):
        for c, x in enumerate((120, 470, 820)):
            draw.text((x, y), f"Cellule {r}{c}", 0, font)
    draw.rectangle([100, 700, 1100, 800], fill=0)  # a banner: a band, not a rule
    draw.text((140, 730), "QUARTIERS PRIORITAIRES", 255, font)
    draw.text((100, 900), "EFFECTIFS ET FINANCEMENTS", 0, bold)
    return image


def test_find_rules_returns_the_level_grid_and_erases_only_it() -> None:
    angle = 0.8
    pixels = _turned(_ruled_sheet(), angle)
    found = skew_angle(pixels, DPI)
    erased, rules = find_rules(pixels, DPI, found)
    rows = {y0 for x0, y0, x1, y1 in rules if y1 - y0 == 1}
    cols = {x0 for x0, y0, x1, y1 in rules if x1 - x0 == 1}
    # one to a few pixel rows per drawn rule, each rule whole despite the speck
    assert sorted({round(y / 10) for y in rows}) == [30, 40, 50, 60]
    assert sorted({round(x / 10) for x in cols}) == [10, 45, 80, 110]
    assert all(x1 - x0 >= 990 for x0, y0, x1, y1 in rules if y1 - y0 == 1)
    # on the page as scanned: rules gone, text, banner and heading still there
    level_erased = np.asarray(level(erased, found))
    assert (level_erased[395:405, 120:1080] < DARK).mean() < 0.02
    assert (level_erased[710:790, 110:1090] < DARK).mean() > 0.7
    heading, text = (slice(895, 950), slice(100, 900)), (slice(80, 110), slice(80, 1100))
    for box in (heading, text):
        before = (np.asarray(level(pixels, found))[box] < DARK).sum()
        assert (level_erased[box] < DARK).sum() >= 0.95 * before


def test_turn_levels_and_unlevels_boxes_as_the_image_turns() -> None:
    turn = Turn(centre=(300.0, 400.0), angle=1.5)
    box = (100.0, 200.0, 180.0, 212.0)
    moved = turn.level(box)
    assert moved != pytest.approx(box)
    assert turn.unlevel(moved) == pytest.approx(box)
    assert moved[2] - moved[0] == pytest.approx(80) and moved[3] - moved[1] == pytest.approx(12)
    # counter-clockwise on the displayed page: a point left of the centre goes down
    assert turn.level((0.0, 400.0, 0.0, 400.0))[1] > 400.0


def _image_pdf(path: Path, size_px: tuple[int, int], size_in: tuple[float, float]) -> Path:
    Image.new("L", size_px, 255).save(path, "PDF", resolution=size_px[0] / size_in[0], title="scan")
    return path


@pytest.mark.parametrize(("dpi", "expected"), [(150, 200), (250, 250), (600, 400)])
def test_scans_are_read_at_their_own_resolution_within_limits(
    tmp_path: Path, dpi: int, expected: int
) -> None:
    pdf = pdfium.PdfDocument(_image_pdf(tmp_path / "s.pdf", (2 * dpi, 3 * dpi), (2.0, 3.0)))
    assert scan_dpi(pdf[0], ParseLimits()) == expected


def test_a_page_with_a_small_picture_is_read_at_the_default_resolution(tmp_path: Path) -> None:
    c = canvas.Canvas(str(tmp_path / "logo.pdf"), pagesize=A4)
    logo = tmp_path / "logo.png"
    Image.new("L", (100, 100), 0).save(logo)
    c.drawImage(str(logo), 60, 700, 100, 100)
    c.showPage()
    c.save()
    pdf = pdfium.PdfDocument(tmp_path / "logo.pdf")
    assert scan_dpi(pdf[0], ParseLimits()) == ParseLimits().ocr_dpi


def _crooked_scan(src: Path, dst: Path, angle: float) -> Path:
    """``src`` printed and scanned: turned ``angle`` degrees, soft, grey paper, grain."""
    source = pdfium.PdfDocument(src)
    image = source[0].render(scale=DPI / 72, grayscale=True).to_pil()
    source.close()
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    pixels = np.asarray(image.filter(ImageFilter.GaussianBlur(0.6)), dtype=np.float32) * 0.94
    pixels += np.random.default_rng(7).normal(0.0, 4.0, pixels.shape)
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(dst, "PDF", resolution=DPI)
    return dst


@pytest.mark.integration
def test_crooked_scan_of_tables_reads_like_its_text_layer(tmp_path: Path) -> None:
    """A ruled and an unruled table, printed, scanned crooked: the scan gives the same
    table, rows, wrapped cells and line positions as the text layer."""
    story = [Paragraph("Avant le tableau des crédits.", BODY), Spacer(1, 12)]
    story += [Table(TABLE, style=GRID), Spacer(1, 24), unruled_table()]
    text_pdf = flow_pdf(tmp_path / "tables.pdf", story)
    angle = 0.9
    text_page = parse_pdf(text_pdf).pages[0]
    scan_page = parse_pdf(_crooked_scan(text_pdf, tmp_path / "scan.pdf", angle)).pages[0]
    assert scan_page.method == "ocr"
    [text_table], [scan_table] = text_page.tables, scan_page.tables
    assert len(scan_table.rows) == len(text_table.rows)
    for text_row, scan_row in zip(text_table.rows, scan_table.rows, strict=True):
        assert [fuzz.ratio(a, b) for a, b in zip(text_row, scan_row, strict=True)] > [80] * 3
    scan_lines = scan_page.text.split("\n")
    for expected in UNRULED_LINES:
        found = max(scan_lines, key=lambda line, e=expected: fuzz.ratio(line, e))
        assert found.count("\t") == expected.count("\t") and fuzz.ratio(found, expected) > 85
    # what the page shows turned with the paper: boxes are where the scan shows them
    paper = Turn((text_page.width / 2, text_page.height / 2), angle)
    assert scan_table.bbox == pytest.approx(paper.level(text_table.bbox), abs=4)
    for line in text_page.lines:
        twin = max(scan_page.lines, key=lambda ln, t=line.text: fuzz.ratio(ln.text, t))
        assert twin.bbox == pytest.approx(paper.level(line.bbox), abs=6), line.text
