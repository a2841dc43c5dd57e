"""Generators of hostile input files: what the open web and scanners hand an ingest.

Every file is made on the fly, small and fast: the 2,000-page PDF is written by
hand (one shared content stream, so it costs milliseconds), and the 20,000 x
20,000 px image is a 1-bit image whose flate stream is compressed row by row,
never holding its 50 MB of pixels in memory, so the file weighs a few dozen KB
while decoding it would take 400 million pixels.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from tests.support import ROOT

FONT = "DejaVu"
FONT_FILE = ROOT / "corpus" / "fonts" / "DejaVuSans.ttf"
pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))

# A generic programmation page: a 2015 QPV code, euro amounts, a year, a funder.
FRENCH_LINES = [
    "Contrat de ville : programmation {year}",
    "Le quartier prioritaire QP0{dep}0{n:02d} reçoit une subvention de 12 500 € en {year}.",
    "Action de médiation sociale portée par le centre social, financée par l'État.",
    "Montant total de la programmation : 48 300 €.",
]
ENGLISH_LINES = [
    "Annual report of the city council housing committee",
    "The committee met four times during the year and reviewed the budget.",
    "Spending on parks rose by a tenth while library hours were extended.",
    "Members thanked the volunteers who ran the summer reading programme.",
]


def french_lines(n: int, page: int = 0) -> list[str]:
    """A page of French document ``n``: each document has its own department and bytes,
    each page its own quartier code."""
    values = {"year": 2018 + n % 6, "dep": 59 + n % 3, "n": 10 + (7 * n + page) % 80}
    return [line.format(**values) for line in FRENCH_LINES]


def text_pdf(
    path: Path, pages: list[list[str]], *, encrypt: str | StandardEncryption | None = None
) -> Path:
    """An A4 born-digital PDF, one list of lines per page (embedded DejaVu font)."""
    c = canvas.Canvas(str(path), pagesize=A4, invariant=True, encrypt=encrypt)
    for lines in pages:
        c.setFont(FONT, 12)
        for k, text in enumerate(lines):
            c.drawString(60, 780 - 22 * k, text)
        c.showPage()
    c.save()
    return path


def french_pdf(path: Path, n: int = 0, pages: int = 1) -> Path:
    """A good document: ``pages`` pages of programmation text, distinct for each ``n``."""
    return text_pdf(path, [french_lines(n, k) for k in range(pages)])


def english_pdf(path: Path) -> Path:
    return text_pdf(path, [ENGLISH_LINES])


def zero_bytes(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def truncated_pdf(path: Path) -> Path:
    """The first half of a good PDF: no xref, no trailer, objects cut mid-stream."""
    full = french_pdf(path, n=7).read_bytes()
    path.write_bytes(full[: len(full) // 2])
    return path


def broken_xref_pdf(path: Path) -> Path:
    """A good PDF whose xref table and startxref point to the wrong offsets.

    Every object is intact; a reader that rebuilds the cross-reference by scanning
    the file (as pdfium does) recovers the whole document.
    """
    data = bytearray(french_pdf(path, n=8).read_bytes())
    xref = data.rindex(b"\nxref\n") + 1
    table_end = data.index(b"trailer", xref)
    table = bytes(data[xref:table_end])
    lines = table.split(b"\n")
    broken = [
        (b"%010d" % (int(line[:10]) + 37) + line[10:]) if line.endswith(b" n ") else line
        for line in lines
    ]
    data[xref:table_end] = b"\n".join(broken)
    start = data.rindex(b"startxref\n") + len(b"startxref\n")
    end = data.index(b"\n", start)
    data[start:end] = b"%d" % (xref + 1234)
    path.write_bytes(bytes(data))
    return path


def encrypted_pdf(path: Path, user_password: str) -> Path:
    """A French document encrypted with RC4; an empty ``user_password`` opens without asking."""
    protection = StandardEncryption(user_password, ownerPassword="owner-secret", canCopy=0)
    return text_pdf(path, [french_lines(9)], encrypt=protection)


def html_as_pdf(path: Path) -> Path:
    path.write_text(
        "<!DOCTYPE html>\n<html><head><title>404</title></head>"
        "<body><h1>Page introuvable</h1></body></html>\n",
        encoding="utf-8",
    )
    return path


def png_as_pdf(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("L", (40, 30), 255).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def pdf_from_objects(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (object 1 is the catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


def no_pages_pdf(path: Path) -> Path:
    """A well-formed PDF whose page tree is empty."""
    path.write_bytes(
        pdf_from_objects(
            [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
        )
    )
    return path


def many_pages_pdf(path: Path, pages: int = 2000) -> Path:
    """``pages`` A4 pages of one French line each, sharing one font and one content stream.

    Written by hand: reportlab takes seconds for 2,000 pages, this takes milliseconds.
    """
    font, content = 3, 4
    first_page = 5
    kids = b" ".join(b"%d 0 R" % (first_page + k) for k in range(pages))
    text = b"BT /F1 12 Tf 60 780 Td (Contrat de ville : rapport annuel, programmation 2022.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        _stream(b"", text),
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font, content)
    )
    objects.extend(page for _ in range(pages))
    path.write_bytes(pdf_from_objects(objects))
    return path


def huge_image_pdf(path: Path, pixels: int = 20_000) -> Path:
    """An A4 page drawing one ``pixels`` x ``pixels`` 1-bit image (a decompression bomb).

    Rendering the page at any resolution makes pdfium decode the whole image; the
    file holds its flate stream only, compressed one row at a time.
    """
    row = b"\xff" * ((pixels + 7) // 8)  # white
    packer = zlib.compressobj(9)
    chunks = [packer.compress(row) for _ in range(pixels)]
    chunks.append(packer.flush())
    data = b"".join(chunks)
    image = _stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 1 /Filter /FlateDecode" % (pixels, pixels),
        data,
    )
    draw = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    path.write_bytes(
        pdf_from_objects(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                b"/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
                image,
                _stream(b"", draw),
            ]
        )
    )
    return path


def scanned_pdf(
    path: Path, lines: list[str], dpi: int = 150, size: tuple[float, float] = (8.27, 11.69)
) -> Path:
    """An image-only page (A4 unless ``size`` in inches) showing ``lines``: it needs OCR."""
    width, height = round(size[0] * dpi), round(size[1] * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT_FILE), round(dpi / 6))
    for k, line in enumerate(lines):
        draw.text((dpi, dpi + k * round(dpi / 3.5)), line, fill=0, font=font)
    image.save(path, "PDF", resolution=dpi)
    return path


def mixed_pdf(path: Path, n: int, text_pages: int) -> Path:
    """Document ``n``: ``text_pages`` born-digital pages, then one scanned page (OCR)."""
    text = french_pdf(path.with_suffix(".text.tmp"), n=n, pages=text_pages)
    scan = scanned_pdf(path.with_suffix(".scan.tmp"), french_lines(n, text_pages))
    merged = pdfium.PdfDocument.new()
    for part_path in (text, scan):
        part = pdfium.PdfDocument(part_path)
        merged.import_pages(part)
        part.close()
    merged.save(path)
    merged.close()
    text.unlink()
    scan.unlink()
    return path
