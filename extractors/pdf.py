"""PDF -> :class:`ParsedDocument`: the text layer where it is good, OCR where it is not.

Every page is read with pdfium: words and their boxes straight from the text
layer, plus a census of what else it draws (image area, straight strokes). Only
pages whose strokes can form a ruled table go through pdfplumber's table finder,
fed with pdfium's strokes rather than a pdfminer parse that costs ten times the
rest of parsing. Pages without a usable text layer — none, garbled by a broken
font encoding, or a page-sized image carrying a few stray words — are rendered
and OCR'd (:mod:`extractors.ocr`). Input that is not a readable PDF, or exceeds
:class:`ParseLimits`, raises :class:`ParseError` with a one-line reason.

pdfium is not thread-safe, even across documents: every pdfium call made here
holds :data:`PDFIUM_LOCK`, so documents may be parsed from several threads.
"""

from __future__ import annotations

import ctypes
import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors.limits import ParseError, ParseLimits
from extractors.ocr import OcrMode, OcrPage, Plan, choose, ocr_layout, ocr_pages, plan
from extractors.pages import Word, build_page, find_grids, layout, mark_continued
from schemas.records import BBox, Page, ParsedDocument

__all__ = ["PDFIUM_LOCK", "ParseError", "ParseLimits", "parse_pdf"]

PDFIUM_LOCK = threading.RLock()

_CENSUS_CAP = 5000  # page objects inspected; beyond that a page is a map or a chart
_SEGMENT_BUDGET = 20_000  # path segments inspected per page
_RULE_EDGES = 3  # a ruled table with 2x2 cells has 3 horizontal and 3 vertical rules
_BULLET = "\u2022"
# A word: a bullet glued to the text it opens, or a run of non-blanks (pdfium writes
# U+FFFE for a line-end hyphen).
_RUN = re.compile(r"\u2022(?=\S)|[^\s\ufffe]+\ufffe?")


# ------------------------------------------------------------------------ file


def _sniff(head: bytes) -> str:
    """A short guess at what a non-PDF file is, for the error message."""
    lowered = head.lstrip()[:200].lower()
    for magic, kind in (
        (b"\x89png", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"pk\x03\x04", "a ZIP archive (Office document?)"),
        (b"gif8", "a GIF image"),
        (b"ii*\x00", "a TIFF image"),
        (b"mm\x00*", "a TIFF image"),
    ):
        if head[: len(magic)].lower() == magic:
            return kind
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        return "an HTML/XML page"
    return "not a PDF"


def _check_file(path: Path, limits: ParseLimits) -> tuple[int, str]:
    """Size and sha256 of ``path``, after refusing what cannot be a PDF we accept."""
    try:
        size = path.stat().st_size
        if size == 0:
            raise ParseError("open", "empty file (0 bytes)")
        if size > limits.max_file_bytes:
            raise ParseError(
                "limits", f"file is {size} bytes, over the limit of {limits.max_file_bytes}"
            )
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
            if b"%PDF-" not in head[:1024]:
                raise ParseError("open", f"not a PDF file: {_sniff(head)} (no %PDF- header)")
            digest.update(head)
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise ParseError("read", f"cannot read {path.name}: {exc.strerror or exc}") from exc
    return size, digest.hexdigest()


_OPEN_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "encrypted PDF: a password is required to open it",
    pdfium_c.FPDF_ERR_SECURITY: "encrypted PDF with an unsupported security handler",
    pdfium_c.FPDF_ERR_FORMAT: "broken or truncated PDF: pdfium cannot read its structure",
    # Set by the sentinel below: pdfium failed without saying why, as it does for an
    # empty page tree (the file itself was just read, so it is not a file error).
    pdfium_c.FPDF_ERR_FILE: "the PDF has no pages, or a page tree pdfium cannot read",
}
_SENTINEL = b"/dev/null/none.pdf"  # can never exist: loading it sets FPDF_ERR_FILE


def _open(path: Path) -> pdfium.PdfDocument:
    """Open with pdfium, trying the empty user password that many 'protected' PDFs use.

    pdfium's last-error code is global and some failures leave it untouched, so a
    sentinel load first sets it to a value a real failure on a readable file never
    produces.
    """
    pdfium_c.FPDF_LoadDocument(_SENTINEL, None)
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        error = exc
    if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
        try:
            return pdfium.PdfDocument(path, password="")
        except pdfium.PdfiumError:
            pass
    raise ParseError("open", _OPEN_ERRORS.get(error.err_code, f"pdfium cannot open it ({error})"))


def _meta(doc: pdfium.PdfDocument, key: str) -> str | None:
    value = " ".join(doc.get_metadata_value(key).replace("\x00", " ").split())
    return value or None


# ------------------------------------------------------------------------ geometry

Transform = Callable[[float, float], tuple[float, float]]
Affine = tuple[float, float, float, float, float, float]  # X = a*x + b*y + c, Y = d*x + e*y + f


def frame_of(page: pdfium.PdfPage) -> tuple[Transform, float, float]:
    """PDF user space -> the top-left page frame, and the page's width and height.

    The frame is pdfplumber's (pdfminer's rotation of the MediaBox, origin at the
    top-left), the convention of ``schemas.records``.
    """
    x0, y0, x1, y1 = page.get_mediabox()
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    rot = page.get_rotation() % 360
    nb = (y0, x0, y1, x1) if rot in (90, 270) else (x0, y0, x1, y1)
    width, height = nb[2] - nb[0], nb[3] - nb[1]
    left, top_shift = nb[0], height - nb[3]

    def to_frame(x: float, y: float) -> tuple[float, float]:
        if rot == 90:
            dx, dy = y - y0, x1 - x
        elif rot == 180:
            dx, dy = x1 - x, y1 - y
        elif rot == 270:
            dx, dy = y1 - y, x - x0
        else:
            dx, dy = x - x0, y - y0
        return dx + left, height - dy + top_shift

    return to_frame, width, height


def _affine(to_frame: Transform) -> Affine:
    (c, f), (ax, dx), (by, ey) = to_frame(0.0, 0.0), to_frame(1.0, 0.0), to_frame(0.0, 1.0)
    return ax - c, by - c, c, dx - f, ey - f, f


def _text_of(textpage: pdfium.PdfTextPage, count: int) -> str:
    """The page's characters, one Python character per pdfium char index.

    ``FPDFText_GetText`` is fast, but a glyph without a Unicode value (an
    undecodable bullet, a symbol font whose ToUnicode map says U+0000) comes back
    as NUL or as the U+FFFE of a line-end hyphen, or is silently dropped, which
    shifts every later character against its index and so against its box: the
    words after a bullet would be placed where the previous characters are. Such
    glyphs are found by their Unicode value 0 (glyph by glyph when characters went
    missing) and become a bullet where they open a line, U+FFFD elsewhere.
    """
    raw = textpage.raw
    buf = ctypes.create_string_buffer(2 * (count + 1))
    written = pdfium_c.FPDFText_GetText(
        raw, 0, count, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort))
    )
    text = buf.raw[: 2 * count].decode("utf-16-le", "replace")
    if written == count + 1 and len(text) == count:
        if "\x00" not in text and "\ufffe" not in text:
            return text
        chars = list(text)
        suspects = [i for i, ch in enumerate(chars) if ch in "\x00\ufffe"]
    else:
        chars = [_char(raw, i) for i in range(count)]
        suspects = [i for i, ch in enumerate(chars) if ch == "\x00"]
    for i in suspects:
        if pdfium_c.FPDFText_GetUnicode(raw, i) == 0:
            chars[i] = _BULLET if _opens_line(chars, i) else "\ufffd"
    return "".join(chars)


def _char(raw: pdfium_c.FPDF_TEXTPAGE, i: int) -> str:
    """Character ``i`` of a text page as ``FPDFText_GetText`` would write it."""
    if pdfium_c.FPDFText_IsHyphen(raw, i):
        return "\ufffe"
    code = pdfium_c.FPDFText_GetUnicode(raw, i)
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)


def _opens_line(chars: list[str], i: int) -> bool:
    """Whether only blanks separate ``chars[i]`` from the start of its line."""
    k = i - 1
    while k >= 0 and chars[k] in " \t":
        k -= 1
    return k < 0 or chars[k] in "\r\n"


def text_words(page: pdfium.PdfPage, to_frame: Transform) -> list[Word]:
    """Words of the text layer with their boxes, from two glyph boxes per word.

    A word is a run of non-space characters in pdfium's text; its box spans its
    first and last glyphs' loose boxes (font ascent to descent, so every word of a
    line has the same height), and the direction from first to last glyph gives
    its rotation. A line-end hyphen, which pdfium marks U+FFFE, ends a word as "-";
    the normaliser decides whether to rejoin it. This loop is the hot path of
    parsing, hence the inlined arithmetic.
    """
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        count = pdfium_c.FPDFText_CountChars(raw)
        if count <= 0:
            return []
        text = _text_of(textpage, count)
        a, b, c, d, e, f = _affine(to_frame)
        upright = b == 0 and d == 0  # x maps to X and y to Y (no quarter turn)
        rect = pdfium_c.FS_RECTF()
        ref = ctypes.byref(rect)
        loose_box = pdfium_c.FPDFText_GetLooseCharBox

        def box(i: int) -> tuple[float, float, float, float]:
            loose_box(raw, i, ref)
            if upright:
                xa, xb = a * rect.left + c, a * rect.right + c
                ya, yb = e * rect.top + f, e * rect.bottom + f
            else:
                xa, xb = b * rect.top + c, b * rect.bottom + c
                ya, yb = d * rect.left + f, d * rect.right + f
            return (xa, ya, xb, yb) if xa <= xb else (xb, ya, xa, yb)

        words = []
        rot, piece, prev_end, prev_x1, prev_mid = 0, 0, 0, 0.0, 0.0
        for m in _RUN.finditer(text):
            i, j = m.start(), m.end() - 1
            new_line = "\n" in text[prev_end:i]
            x0, top, x1, bottom = box(i)
            if top > bottom:
                top, bottom = bottom, top
            size = bottom - top
            if j > i:
                lx0, ltop, lx1, lbottom = box(j)
                if ltop > lbottom:
                    ltop, lbottom = lbottom, ltop
                du, dv = lx0 + lx1 - x0 - x1, ltop + lbottom - top - bottom
                if abs(du) >= abs(dv):
                    rot = 0 if du >= 0 else 180
                else:
                    rot = 90 if dv < 0 else 270
                    size = x1 - x0
                x0, x1 = min(x0, lx0), max(x1, lx1)
                top, bottom = min(top, ltop), max(bottom, lbottom)
            elif new_line:  # a one-glyph word reads like the word before it on its line
                rot = 0
            elif rot in (90, 270):
                size = x1 - x0
            # Consecutive words on one pdfium line form a piece that lays out as a
            # whole; a line break, a step back or a change of baseline ends it.
            mid = top + bottom
            if new_line or rot or x0 < prev_x1 - size or abs(mid - prev_mid) > size:
                piece += 1
            prev_end, prev_x1, prev_mid = j + 1, x1, mid
            word = m.group()
            if word[-1] == "\ufffe":
                word = word[:-1] + "-"
            words.append(Word(word, x0, top, x1, bottom, size, rot, piece=piece))
        return words
    finally:
        textpage.close()


# ------------------------------------------------------------------------ census

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(slots=True)
class Census:
    """What a page draws besides text: image area, and straight strokes (table rules)."""

    objects: int = 0
    image_area: float = 0.0  # square points, clipped to the page
    largest_image: int = 0  # pixels of the largest image drawn (decoded if rendered)
    strokes: list[BBox] = field(default_factory=list)  # axis-parallel, in the page frame

    @property
    def ruled(self) -> bool:
        """Enough horizontal and vertical strokes for at least a 2x2 ruled table."""
        h = sum(1 for s in self.strokes if s[1] == s[3] and s[2] - s[0] >= 3)
        v = sum(1 for s in self.strokes if s[0] == s[2] and s[3] - s[1] >= 3)
        return h >= _RULE_EDGES and v >= _RULE_EDGES


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def census(page: pdfium.PdfPage, to_frame: Transform) -> Census:
    """Images (their area) and the straight strokes of path objects, forms included.

    Bounded: at most ``_CENSUS_CAP`` objects and ``_SEGMENT_BUDGET`` path segments
    are looked at, so a map with 100 000 vector shapes costs no more than a table.
    """
    out = Census()
    mx0, my0, mx1, my1 = page.get_mediabox()
    bounds = [ctypes.c_float() for _ in range(4)]
    px_w, px_h = ctypes.c_uint(), ctypes.c_uint()
    fs_matrix = pdfium_c.FS_MATRIX()
    budget = [_SEGMENT_BUDGET]

    def walk(get: Callable[[int], object], count: int, outer: Matrix, depth: int) -> None:
        for k in range(min(count, _CENSUS_CAP - out.objects)):
            obj = get(k)
            out.objects += 1
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
                continue
            if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE and pdfium_c.FPDFPageObj_GetBounds(obj, *bounds):
                left, bottom, right, top = (v.value for v in bounds)
                if depth:  # bounds inside a form are in the form's space
                    left, bottom, right, top = _box_through(outer, left, bottom, right, top)
                w = max(0.0, min(right, mx1) - max(left, mx0))
                h = max(0.0, min(top, my1) - max(bottom, my0))
                out.image_area += w * h
                if pdfium_c.FPDFImageObj_GetImagePixelSize(obj, px_w, px_h):
                    out.largest_image = max(out.largest_image, px_w.value * px_h.value)
                continue
            if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM):
                continue
            pdfium_c.FPDFPageObj_GetMatrix(obj, fs_matrix)
            m = fs_matrix
            matrix = _compose((m.a, m.b, m.c, m.d, m.e, m.f), outer)
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                if budget[0] > 0:
                    budget[0] -= _strokes(obj, matrix, to_frame, out.strokes)
            elif depth < 3:
                walk(
                    lambda i, form=obj: pdfium_c.FPDFFormObj_GetObject(form, i),
                    pdfium_c.FPDFFormObj_CountObjects(obj),
                    matrix,
                    depth + 1,
                )

    raw = page.raw
    walk(
        lambda i: pdfium_c.FPDFPage_GetObject(raw, i),
        pdfium_c.FPDFPage_CountObjects(raw),
        _IDENTITY,
        0,
    )
    return out


def _box_through(m: Matrix, left: float, bottom: float, right: float, top: float) -> BBox:
    a, b, c, d, e, f = m
    xs = [a * x + c * y + e for x in (left, right) for y in (bottom, top)]
    ys = [b * x + d * y + f for x in (left, right) for y in (bottom, top)]
    return min(xs), min(ys), max(xs), max(ys)


def _strokes(path: object, m: Matrix, to_frame: Transform, out: list[BBox]) -> int:
    """Append the axis-parallel straight segments of ``path`` (page frame); return segments read.

    Curves are stepped over, as pdfplumber does: the straight sides of a rounded
    frame are still table rules.
    """
    count = pdfium_c.FPDFPath_CountSegments(path)
    if count <= 0 or count > _SEGMENT_BUDGET:
        return max(count, 0)
    a, b, c, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    start = prev = None
    for k in range(count):
        seg = pdfium_c.FPDFPath_GetPathSegment(path, k)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        point = to_frame(a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or prev is None:
            start = point
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            _add_stroke(prev, point, out)
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
            _add_stroke(point, start, out)
        prev = point
    return count


def _add_stroke(p: tuple[float, float], q: tuple[float, float], out: list[BBox]) -> None:
    if abs(p[1] - q[1]) < 0.5 and abs(p[0] - q[0]) >= 1:
        y = (p[1] + q[1]) / 2
        out.append((min(p[0], q[0]), y, max(p[0], q[0]), y))
    elif abs(p[0] - q[0]) < 0.5 and abs(p[1] - q[1]) >= 1:
        x = (p[0] + q[0]) / 2
        out.append((x, min(p[1], q[1]), x, max(p[1], q[1])))


# ------------------------------------------------------------------------ document


@dataclass(slots=True)
class _Reading:
    """One page read from the text layer, and how it should be finished."""

    page: Page
    plan: Plan
    largest_image: int = 0


def _read_page(doc: pdfium.PdfDocument, index: int, mode: OcrMode) -> _Reading:
    """The text-layer reading of page ``index``: words, lines, ruled tables, OCR plan."""
    with PDFIUM_LOCK:
        page = doc[index]
        try:
            to_frame, width, height = frame_of(page)
            found = census(page, to_frame)
            words = text_words(page, to_frame)
        finally:
            page.close()
    how = plan(words, found.objects, found.image_area, width * height, mode)
    grids = find_grids(found.strokes) if how == "text" and found.ruled else None
    drafts, tables = layout(words, grids)
    text_page = build_page(index + 1, "text", width, height, drafts, tables)
    return _Reading(text_page, how, found.largest_image)


def _bomb(index: int, pixels: int, limits: ParseLimits) -> str:
    return str(
        ParseError(
            "ocr",
            f"page {index + 1}: OCR refused, it draws a {pixels}-pixel image, "
            f"over the limit of {limits.max_pixels}",
        )
    )


def _frame_factory(page: pdfium.PdfPage) -> Transform:
    return frame_of(page)[0]


def parse_pdf(
    path: Path,
    *,
    ocr: OcrMode = "auto",
    limits: ParseLimits | None = None,
    progress: Callable[[int], None] | None = None,
) -> ParsedDocument:
    """Parse the PDF at ``path`` into pages of normalised text with lines, boxes and tables.

    ``ocr``: "auto" OCRs pages without a usable text layer, "never" trusts the text
    layer, "always" OCRs every page. ``progress`` is called with the number of
    pages finished so far, each time one finishes. Problems confined to one page
    (OCR refused or timed out) do not raise: they are listed in ``warnings``.
    """
    path = Path(path)
    limits = limits or ParseLimits()
    size, sha = _check_file(path, limits)
    with PDFIUM_LOCK:
        doc = _open(path)
    try:
        with PDFIUM_LOCK:
            count = len(doc)
            producer, title = _meta(doc, "Producer"), _meta(doc, "Title")
        if count == 0:
            raise ParseError("open", "the PDF has no pages")
        if count > limits.max_pages:
            raise ParseError("limits", f"{count} pages, over the limit of {limits.max_pages}")
        pages: list[Page] = []
        waiting: dict[int, _Reading] = {}
        warnings: list[str] = []
        for index in range(count):
            try:
                reading = _read_page(doc, index, ocr)
            except pdfium.PdfiumError as exc:
                warnings.append(str(ParseError("text", f"page {index + 1}: {exc}")))
                reading = _Reading(build_page(index + 1, "text", 0.0, 0.0, []), "text")
            pages.append(reading.page)
            if reading.plan == "text":
                pass
            elif reading.largest_image > limits.max_pixels:  # rendering would decode a bomb
                refused = OcrPage(index, problem=_bomb(index, reading.largest_image, limits))
                pages[index] = _ocr_outcome(refused, reading, ocr, warnings)
            else:
                waiting[index] = reading
                continue
            if progress:
                progress(index + 1 - len(waiting))
        finished = count - len(waiting)
        for result in ocr_pages(doc, sorted(waiting), _frame_factory, limits, PDFIUM_LOCK):
            pages[result.index] = _ocr_outcome(result, waiting.pop(result.index), ocr, warnings)
            finished += 1
            if progress:
                progress(finished)
    finally:
        with PDFIUM_LOCK:
            doc.close()

    mark_continued(pages)
    return ParsedDocument(
        sha256=sha,
        path=str(path),
        file_name=path.name,
        pages=pages,
        producer=producer,
        title=title,
        file_size=size,
        warnings=warnings,
    )


def _ocr_outcome(result: OcrPage, reading: _Reading, mode: OcrMode, warnings: list[str]) -> Page:
    """The page to keep once OCR has answered (or failed) for it."""
    text_page = reading.page
    if result.problem:
        warnings.append(result.problem)
        if reading.plan == "compare":
            return text_page  # the text layer is still worth something
        return Page(
            number=text_page.number,
            text="",
            method="ocr",
            width=text_page.width,
            height=text_page.height,
            confidence=0.0,
        )
    drafts, tables = ocr_layout(result)
    ocr_page = build_page(
        text_page.number,
        "ocr",
        text_page.width,
        text_page.height,
        drafts,
        tables,
        confidence=result.confidence,
    )
    return ocr_page if reading.plan == "ocr" else choose(text_page, ocr_page, mode)
