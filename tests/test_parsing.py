"""The text path of parsing: real PDFs written with reportlab, read back by parse_pdf."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pdfplumber
import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import PageBreak

from extractors.pages import Word, layout
from extractors.pdf import ParseError, ParseLimits, parse_pdf
from schemas.records import ParsedDocument
from tests.hostile import broken_xref_pdf, pdf_from_objects
from tests.support import ROOT, SOURCES

FONT = "DejaVu"
pdfmetrics.registerFont(TTFont(FONT, str(ROOT / "corpus" / "fonts" / "DejaVuSans.ttf")))
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13)
GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
    ]
)


# ----------------------------------------------------------------- PDF builders


def text_pdf(path: Path, lines: list[tuple[float, float, str]], **kwargs) -> Path:
    """One A4 page with each string drawn at (x, y) in PDF points (origin bottom-left)."""
    c = canvas.Canvas(str(path), pagesize=A4, **kwargs)
    c.setFont(FONT, 11)
    for x, y, text in lines:
        c.drawString(x, y, text)
    c.showPage()
    c.save()
    return path


SAMPLE = [
    (72, 780, "Le quartier QP062016 reçoit 10\u00a0800\u00a0€ pour l’ofﬁce."),
    (72, 762, "Le projet porte sur le dévelop-"),
    (72, 748, "pement des actions à Bully-les-Mines."),
    (72, 700, "Colonne gauche"),
    (330, 700, "Colonne droite"),
]


def flow_pdf(path: Path, story: list, **kwargs) -> Path:
    SimpleDocTemplate(str(path), pagesize=A4, **kwargs).build(story)
    return path


def check_offsets(doc: ParsedDocument) -> None:
    """Every Line is the slice of Page.text it claims to be, and sits on its page."""
    for page in doc.pages:
        assert page.text == "\n".join(ln.text for ln in page.lines)
        for ln in page.lines:
            assert page.text[ln.start : ln.end] == ln.text
            assert ln.bbox is not None
            x0, top, x1, bottom = ln.bbox
            assert -1 <= x0 <= x1 <= page.width + 1
            assert -1 <= top <= bottom <= page.height + 1


# ----------------------------------------------------------------- text layer


def test_text_round_trip_accents_euro_spaces_and_hyphenation(tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "sample.pdf", SAMPLE)
    doc = parse_pdf(pdf)
    page = doc.pages[0]
    assert doc.kind == "text" and page.method == "text" and page.confidence is None
    assert "Le quartier QP062016 reçoit 10 800 € pour l'office." in page.text
    assert "\u00a0" not in page.text and "’" not in page.text
    assert "Le projet porte sur le développement" in page.text
    assert "Bully-les-Mines." in page.text and "dévelop-" not in page.text
    assert (page.width, page.height) == pytest.approx(A4, abs=0.01)
    check_offsets(doc)


def test_wide_gap_between_two_columns_becomes_a_tab(tmp_path: Path) -> None:
    page = parse_pdf(text_pdf(tmp_path / "cols.pdf", SAMPLE)).pages[0]
    row = next(ln for ln in page.lines if ln.text.startswith("Colonne"))
    assert row.text == "Colonne gauche\tColonne droite"
    assert row.cells == ["Colonne gauche", "Colonne droite"]
    assert row.bbox[0] == pytest.approx(72, abs=1)
    assert row.bbox[2] > 330
    assert "pour l'office." in page.text  # an ordinary line keeps plain spaces


def test_line_boxes_agree_with_pdfplumber_coordinates(tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "boxes.pdf", SAMPLE)
    line = next(ln for ln in parse_pdf(pdf).pages[0].lines if "QP062016" in ln.text)
    with pdfplumber.open(pdf) as plumber:
        word = next(w for w in plumber.pages[0].extract_words() if w["text"] == "QP062016")
    x0, top, x1, bottom = line.bbox
    assert x0 <= word["x0"] + 0.5 and word["x1"] <= x1 + 0.5
    assert top <= word["top"] + 0.5 and word["bottom"] <= bottom + 0.5
    assert bottom - top < 20


def test_rotated_page_reads_upright_in_display_coordinates(tmp_path: Path) -> None:
    """A landscape page stored portrait with /Rotate 90, as scanners and Word emit them."""
    c = canvas.Canvas(str(tmp_path / "rot.pdf"), pagesize=A4)
    c.setPageRotation(90)
    c.setFont(FONT, 11)
    for k, text in enumerate(["Première ligne du tableau", "Deuxième ligne QP062016"]):
        c.saveState()
        c.translate(100 + 20 * k, 100)  # text runs up the portrait page: upright once rotated
        c.rotate(90)
        c.drawString(0, 0, text)
        c.restoreState()
    c.showPage()
    c.save()
    page = parse_pdf(tmp_path / "rot.pdf").pages[0]
    assert page.text == "Première ligne du tableau\nDeuxième ligne QP062016"
    with pdfplumber.open(tmp_path / "rot.pdf") as plumber:
        shown = plumber.pages[0]
        assert shown.rotation == 90
        assert (page.width, page.height) == pytest.approx((shown.width, shown.height), abs=0.01)
        word = next(w for w in shown.extract_words() if w["text"] == "QP062016")
    x0, top, x1, bottom = page.lines[1].bbox
    assert x0 - 0.5 <= word["x0"] and word["x1"] <= x1 + 0.5
    assert top - 0.5 <= word["top"] and word["bottom"] <= bottom + 0.5


def test_vertical_margin_text_stays_out_of_the_body_lines(tmp_path: Path) -> None:
    c = canvas.Canvas(str(tmp_path / "margin.pdf"), pagesize=A4)
    c.setFont(FONT, 11)
    c.drawString(72, 700, "Corps du texte en ligne")
    c.saveState()
    c.translate(30, 650)
    c.rotate(90)
    c.drawString(0, 0, "Document de travail")
    c.restoreState()
    c.showPage()
    c.save()
    assert parse_pdf(tmp_path / "margin.pdf").pages[0].text.split("\n") == [
        "Corps du texte en ligne",
        "Document de travail",
    ]


def test_layout_merges_pieces_sharing_a_baseline_but_not_close_lines() -> None:
    """Words on one baseline join; a line overlapping vertically but horizontally too does not."""

    def w(text: str, x0: float, top: float, width: float) -> Word:
        return Word(text, x0, top, x0 + width, top + 12, 12)

    drafts, _ = layout(
        [
            w("Montant", 50, 100, 40),
            w("total", 95, 100.5, 25),
            w("12 000 €", 400, 101, 40),
            w("suite", 50, 106, 25),  # overlaps the first line by half: a separate line
        ]
    )
    assert [d.text for d in drafts] == ["Montant total\t12 000 €", "suite"]


def test_stretched_justified_line_is_not_a_table_row() -> None:
    def row(texts: list[str], step: float) -> list[Word]:
        return [
            Word(t, 50 + step * k, 100, 50 + step * k + 30, 112, 12) for k, t in enumerate(texts)
        ]

    justified, _ = layout(row(["Programme", "de", "Réussite", "Educative"], 60))
    assert justified[0].text == "Programme de Réussite Educative"
    figures, _ = layout(row(["2019", "2020", "2021", "2022"], 60))  # evenly spaced numbers
    assert figures[0].text == "2019\t2020\t2021\t2022"


def _raw_pdf(path: Path, lines: list[bytes], to_unicode: bytes) -> Path:
    """One page of Helvetica lines whose code 1 draws a glyph ``to_unicode`` maps (bfchar)."""
    content = b"BT /F1 11 Tf 14 TL 72 760 Td " + b" ".join(b"(%s) Tj T*" % t for t in lines)
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def"
        b" 1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <01> <%s>"
        b" endbfchar endcmap CMapName currentdict /CMap defineresource pop end end" % to_unicode
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R"
        b" /Resources << /Font << /F1 4 0 R >> >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R"
        b" /Encoding << /BaseEncoding /WinAnsiEncoding /Differences [1 /g4711] >> >>",
        b"<< /Length %d >>\nstream\n%s ET\nendstream" % (len(content) + 3, content),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(out)
    return path


def test_glyph_without_unicode_opens_a_list_item_and_moves_no_word(tmp_path: Path) -> None:
    """A bullet whose font maps it to U+0000: pdfium's text drops or blanks it, which
    must neither lose it nor shift the words after it away from their boxes."""
    lines = [b"Trois axes :", b"\x01le soutien aux conseils", b"\x01 l'appui aux associations"]
    lines += [b"un signe \x01 au milieu"]
    page = parse_pdf(_raw_pdf(tmp_path / "bullets.pdf", lines, b"0000")).pages[0]
    assert page.text.split("\n") == [
        "Trois axes :",
        "• le soutien aux conseils",
        "• l'appui aux associations",
        "un signe \ufffd au milieu",
    ]
    assert [round(ln.bbox[0]) for ln in page.lines] == [72, 72, 72, 72]
    mapped = parse_pdf(_raw_pdf(tmp_path / "mapped.pdf", lines[1:2], b"2022")).pages[0]
    assert mapped.text == "• le soutien aux conseils"  # a real bullet reads the same


def test_amount_cut_by_a_line_break_is_mended(tmp_path: Path) -> None:
    pdf = text_pdf(
        tmp_path / "amount.pdf",
        [(72, 780, "Le revenu médian atteint près de 14"), (72, 766, "830 euros en 2011.")],
    )
    assert parse_pdf(pdf).pages[0].text == "Le revenu médian atteint près de 14 830 euros\nen 2011."


# ----------------------------------------------------------------- tables

TABLE = [
    ["Quartier", "Code", "Montant"],
    ["Grande Résidence\n(Lens)", "QP062016", "10 800 €"],
    ["Cité 12", "QP062027", "5 000 €"],
]


def test_ruled_table_rows_become_tab_separated_lines(tmp_path: Path) -> None:
    story = [
        Paragraph("Avant le tableau des crédits.", BODY),
        Spacer(1, 12),
        Table(TABLE, style=GRID),
        Spacer(1, 12),
        Paragraph("Après le tableau, une conclusion.", BODY),
    ]
    doc = parse_pdf(flow_pdf(tmp_path / "table.pdf", story))
    page = doc.pages[0]
    assert len(page.tables) == 1
    table = page.tables[0]
    assert table.page == 1 and not table.continued
    assert table.rows == [
        ["Quartier", "Code", "Montant"],
        ["Grande Résidence (Lens)", "QP062016", "10 800 €"],
        ["Cité 12", "QP062027", "5 000 €"],
    ]
    assert page.text.split("\n") == [
        "Avant le tableau des crédits.",
        "Quartier\tCode\tMontant",
        "Grande Résidence (Lens)\tQP062016\t10 800 €",
        "Cité 12\tQP062027\t5 000 €",
        "Après le tableau, une conclusion.",
    ]
    row = page.lines[2]
    assert table.bbox[1] - 1 <= row.bbox[1] and row.bbox[3] <= table.bbox[3] + 1
    check_offsets(doc)


def test_empty_cells_keep_their_column(tmp_path: Path) -> None:
    data = [["Action", "2022", "2023"], ["Médiation", "", "4 000 €"], ["Emploi", "3 000 €", ""]]
    page = parse_pdf(flow_pdf(tmp_path / "gaps.pdf", [Table(data, style=GRID)])).pages[0]
    assert page.tables[0].rows[1] == ["Médiation", None, "4 000 €"]
    assert "Médiation\t\t4 000 €" in page.text.split("\n")
    assert "Emploi\t3 000 €\t" in page.text.split("\n")


CELL = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11)
UNRULED = TableStyle(
    [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 9), ("VALIGN", (0, 0), (-1, -1), "TOP")]
)  # fmt: skip


def unruled_table() -> Table:
    """A table without rules, two of its cells wrapped, one row without a first cell."""
    rows = [
        ["Code", "Quartier", "Commune(s)", "Population"],
        ["QN06201M", Paragraph("Les Hauts de la Ville - Résidence des Provinces", CELL), "Arras", "5 260"],
        ["QN06202M", "Centre", Paragraph("Saint-Laurent-Blangy / Achicourt", CELL), "1 220"],
        ["", "Cité des Fleurs", "Dainville", "980"],
        ["QN06203M", "Gare", "Arras", "2 100"],
    ]  # fmt: skip
    return Table(rows, colWidths=[80, 140, 120, 70], style=UNRULED)


UNRULED_LINES = [
    "Code\tQuartier\tCommune(s)\tPopulation",
    "QN06201M\tLes Hauts de la Ville - Résidence des Provinces\tArras\t5 260",
    "QN06202M\tCentre\tSaint-Laurent-Blangy / Achicourt\t1 220",
    "Cité des Fleurs\tDainville\t980",
    "QN06203M\tGare\tArras\t2 100",
]


def test_wrapped_cells_of_an_unruled_table_join_their_row(tmp_path: Path) -> None:
    story = [Paragraph("Les quartiers :", BODY), Spacer(1, 8), unruled_table()]
    story += [
        Spacer(1, 12),
        Paragraph(" ".join(["Le contrat de ville engage ses partenaires."] * 4), BODY),
    ]
    page = parse_pdf(flow_pdf(tmp_path / "unruled.pdf", story)).pages[0]
    lines = page.text.split("\n")
    assert lines[1:6] == UNRULED_LINES
    assert len(lines) > 6 and "\t" not in "".join(lines[6:])  # the paragraph stays lines


def _long_table(repeat_header: int) -> list:
    rows = [["Quartier", "Code", "Montant"]]
    rows += [[f"Quartier n°{i}", f"QP0620{i:02d}", f"{1000 + i} €"] for i in range(70)]
    return [Table(rows, style=GRID, repeatRows=repeat_header)]


def test_table_split_over_two_pages_is_marked_continued(tmp_path: Path) -> None:
    doc = parse_pdf(flow_pdf(tmp_path / "long.pdf", _long_table(repeat_header=0)))
    assert len(doc.pages) == 2
    first, second = doc.pages[0].tables[0], doc.pages[1].tables[0]
    assert not first.continued and second.continued
    assert second.rows[0][1].startswith("QP0620")
    assert len(first.rows) + len(second.rows) == 71


def test_repeated_header_is_not_a_continuation_row(tmp_path: Path) -> None:
    doc = parse_pdf(flow_pdf(tmp_path / "long.pdf", _long_table(repeat_header=1)))
    second = doc.pages[1].tables[0]
    assert second.rows[0] == ["Quartier", "Code", "Montant"] and not second.continued


def test_table_after_text_on_a_new_page_is_not_continued(tmp_path: Path) -> None:
    story = [
        Table(TABLE, style=GRID),
        PageBreak(),
        Paragraph("Un autre sujet commence ici.", BODY),
        Table(TABLE[1:], style=GRID),
    ]
    doc = parse_pdf(flow_pdf(tmp_path / "two.pdf", story))
    assert [len(p.tables) for p in doc.pages] == [1, 1]
    assert not doc.pages[1].tables[0].continued


# ----------------------------------------------------------------- document


def test_identity_metadata_and_progress(tmp_path: Path) -> None:
    pdf = tmp_path / "meta.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4)
    c.setTitle("Contrat de ville 2024-2030")
    c.setFont(FONT, 11)
    for n in range(3):
        c.drawString(72, 700, f"Page numéro {n + 1}")
        c.showPage()
    c.save()
    calls: list[int] = []
    doc = parse_pdf(pdf, progress=calls.append)
    data = pdf.read_bytes()
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.file_size == len(data) and doc.file_name == "meta.pdf" and doc.path == str(pdf)
    assert doc.title == "Contrat de ville 2024-2030"
    assert doc.producer and "ReportLab" in doc.producer
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert [p.text for p in doc.pages] == ["Page numéro 1", "Page numéro 2", "Page numéro 3"]
    assert calls == [1, 2, 3]
    assert doc.warnings == []


def test_blank_page_is_an_empty_text_page(tmp_path: Path) -> None:
    c = canvas.Canvas(str(tmp_path / "blank.pdf"), pagesize=A4)
    c.showPage()
    c.save()
    page = parse_pdf(tmp_path / "blank.pdf").pages[0]
    assert page.method == "text" and page.text == "" and page.lines == []


# ----------------------------------------------------------------- bad input


def _expect_error(path: Path, stage: str, words: str, limits: ParseLimits | None = None) -> None:
    with pytest.raises(ParseError) as info:
        parse_pdf(path, limits=limits)
    err = info.value
    assert err.stage == stage
    assert words in err.message.lower()
    assert "\n" not in str(err) and str(err).startswith(f"{stage}: ")


def test_zero_bytes(tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    _expect_error(tmp_path / "empty.pdf", "open", "empty file")


def test_html_renamed_pdf(tmp_path: Path) -> None:
    (tmp_path / "page.pdf").write_text("<!DOCTYPE html>\n<html><body>404</body></html>\n")
    _expect_error(tmp_path / "page.pdf", "open", "html")


def test_png_renamed_pdf(tmp_path: Path) -> None:
    (tmp_path / "image.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    _expect_error(tmp_path / "image.pdf", "open", "png")


def test_truncated_file(tmp_path: Path) -> None:
    data = text_pdf(tmp_path / "full.pdf", SAMPLE).read_bytes()
    (tmp_path / "cut.pdf").write_bytes(data[: len(data) // 2])
    _expect_error(tmp_path / "cut.pdf", "open", "truncated")


def test_broken_xref_is_rebuilt_by_pdfium(tmp_path: Path) -> None:
    doc = parse_pdf(broken_xref_pdf(tmp_path / "xref.pdf"))
    assert "Contrat de ville" in doc.pages[0].text and doc.warnings == []


def test_encrypted_with_a_user_password(tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "locked.pdf", SAMPLE, encrypt="secret")
    _expect_error(pdf, "open", "password")


def test_encrypted_with_empty_user_password_opens(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    protection = StandardEncryption("", ownerPassword="owner", canPrint=1, canCopy=0)
    pdf = text_pdf(tmp_path / "protected.pdf", SAMPLE, encrypt=protection)
    assert b"/Encrypt" in pdf.read_bytes()
    assert "QP062016" in parse_pdf(pdf).pages[0].text


def test_pdf_without_pages(tmp_path: Path) -> None:
    data = pdf_from_objects(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    )
    (tmp_path / "nopage.pdf").write_bytes(data)
    _expect_error(tmp_path / "nopage.pdf", "open", "no pages")


def test_each_refusal_gives_its_own_reason_whatever_came_before(tmp_path: Path) -> None:
    """pdfium keeps a global last error that some failures leave as it was."""
    data = text_pdf(tmp_path / "full.pdf", SAMPLE).read_bytes()
    (tmp_path / "cut.pdf").write_bytes(data[: len(data) // 2])
    empty_tree = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    (tmp_path / "nopage.pdf").write_bytes(pdf_from_objects(empty_tree))
    locked = text_pdf(tmp_path / "locked.pdf", SAMPLE, encrypt="secret")
    for _ in range(2):
        _expect_error(tmp_path / "cut.pdf", "open", "truncated")
        _expect_error(tmp_path / "nopage.pdf", "open", "no pages")
        _expect_error(locked, "open", "password")
        _expect_error(tmp_path / "nopage.pdf", "open", "no pages")


def test_limits_on_pages_and_size(tmp_path: Path) -> None:
    pdf = flow_pdf(tmp_path / "long.pdf", _long_table(repeat_header=0))
    _expect_error(pdf, "limits", "2 pages", ParseLimits(max_pages=1))
    _expect_error(pdf, "limits", "bytes", ParseLimits(max_file_bytes=1000))


def test_missing_file(tmp_path: Path) -> None:
    _expect_error(tmp_path / "absent.pdf", "read", "absent.pdf")


# ----------------------------------------------------------------- speed


def test_text_path_is_much_faster_than_bare_pdfplumber(tmp_path: Path) -> None:
    """120+ pages of real prose and ruled tables; prints pages/s for the report."""
    text = "\n".join(
        (SOURCES / f"{stem}.txt").read_text(encoding="utf-8")
        for stem in ("003_c281e4f984da8422", "000_bf7938b327930859")
    )
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and "\t" not in ln]
    story: list = []
    for k in range(0, min(len(lines), 5600), 8):
        para = " ".join(lines[k : k + 8]).replace("&", "&amp;").replace("<", "&lt;")
        story.append(Paragraph(para, BODY))
        if k % 96 == 0:
            story.append(Table(TABLE, style=GRID))
    pdf = flow_pdf(tmp_path / "bench.pdf", story)

    started = time.process_time()  # CPU time: fair even on a busy machine
    doc = parse_pdf(pdf)
    ours = len(doc.pages) / (time.process_time() - started)
    assert len(doc.pages) >= 100
    assert sum(len(p.tables) for p in doc.pages) >= 30

    sample = 10
    started = time.process_time()
    with pdfplumber.open(pdf) as plumber:
        for page in plumber.pages[:sample]:
            page.extract_text()
    bare = sample / (time.process_time() - started)
    print(
        f"\nparse_pdf text path: {ours:.0f} pages/s; bare pdfplumber extract_text: {bare:.0f} pages/s"
    )
    assert ours > 5 * bare
