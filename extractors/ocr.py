"""OCR: which pages need it, and reading them with the Tesseract CLI.

A page is OCR'd when its text layer is missing, garbled by a broken font
encoding, or negligible on a page that is mostly an image (:func:`plan`).
A scan is read at the resolution its images were scanned at (:func:`scan_dpi`),
other pages at a default one. Each page is rendered in the calling thread (pdfium
is not thread-safe); in a worker, its skew is measured and its table rules found
and erased (:mod:`extractors.rules`), and it is written as an uncompressed
grayscale PGM — no PNG encoding, which costs more than the OCR on noisy scans —
for one single-threaded ``tesseract`` process; as many run at once as there are
cores, and a page's file is deleted as soon as it has been read, so memory and
disk stay bounded whatever the document length. Tesseract's TSV output gives
every word with its box, confidence and block/paragraph/line ids; boxes are
mapped from pixels back to page points, noise is dropped, and the page is laid
out level, its rules feeding the same table finder as a text layer's strokes
(:func:`ocr_layout`).
"""

from __future__ import annotations

import ctypes
import math
import os
import re
import statistics
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors.limits import ParseError, ParseLimits
from extractors.pages import TAB_GAP, Draft, Word, find_grids, layout
from extractors.rules import PixelBox, find_rules, skew_angle
from schemas.records import BBox, Page

LANG = "fra"
WORKERS = os.cpu_count() or 1
# Tesseract processes across all documents parsed concurrently in this process.
_SLOTS = threading.BoundedSemaphore(WORKERS)
# Pages in hand per document: one more than Tesseract slots, so the next page is
# rendered, levelled and cleared of rules while Tesseract reads the others, instead
# of a slot waiting for it.
_AHEAD = WORKERS + 1
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
_EM_SCALE = 1.15 / 0.75  # OCR word height -> text-layer glyph box height
_RULES = "|¦"  # what Tesseract reads a table's vertical rule as
_RULE_HEIGHT = 1.3  # a lone bar this many times taller than the line's words is a rule
_IMAGE_COVER = 0.5  # images covering this share of a page make it a scan of their resolution
# Tesseract reads specks, shading and the ends of erased rules as marks and letters it
# is unsure of: below these confidences a lone mark, or one or two characters mixing
# letters and marks, are noise. Signs carrying meaning are kept however read.
_MARK_CONF = 50.0
_SHORT_CONF = 30.0
_SIGNS = frozenset("€%&§+=«»")
# "1.714 733 €": a speck in the space between digit groups read as a dot. A number
# never mixes dot and space group separators, so the dot is a space.
_GROUP = re.compile(r"\d{1,3}\.\d{3}")
_NEXT_GROUP = re.compile(r"\d{3}(?!\d)")

Affine = tuple[float, float, float, float, float, float]  # x = a + b*px + c*py; y = d + e*px + f*py
Transform = Callable[[float, float], tuple[float, float]]  # PDF user space -> page frame
OcrMode = Literal["auto", "never", "always"]
Plan = Literal["text", "ocr", "compare"]

# ------------------------------------------------------------------- when to OCR

_NOT_FRENCH = re.compile(
    r"[\sA-Za-z0-9\u00c0-\u024f\u0300-\u036f!-/:-@\[-`{-~\u00a0-\u00bf"
    r"\u2000-\u206f\u20a0-\u20cf\u2100-\u2bff\ufb00-\ufb06]+"
)
_VOWELS = "aeiouyàâäéèêëîïôöùûüÿœæ"
_TRUSTED = 60.0  # OCR line confidence above which its text counts as read


def garbled(text: str) -> bool:
    """Whether a text layer is unusable: a broken font encoding rather than words.

    Signs: many characters French text never contains (replacement, private use,
    control characters, other scripts), few letters or digits, or too few vowels
    (French letters are over 40 % vowels; glyph ids of a subset font read as
    character codes give words like "FRQWUDW", under 25 %).
    """
    blanks = text.count(" ") + text.count("\n") + text.count("\t")
    chars = len(text) - blanks
    if chars == 0:
        return False
    if len(_NOT_FRENCH.sub("", text)) > 0.25 * chars:
        return True
    alnum = sum(map(str.isalnum, text))
    if chars >= 20 and alnum < 0.4 * chars:
        return True
    letters = alnum - sum(map(text.count, "0123456789"))
    lowered = text.lower()
    return letters >= 100 and sum(map(lowered.count, _VOWELS)) < 0.25 * letters


def plan(words: list[Word], objects: int, image_area: float, area: float, mode: OcrMode) -> Plan:
    """How to read a page: its text layer, OCR instead, or OCR kept only if it reads more.

    "ocr": no text layer on a page that draws something, or a garbled one.
    "compare": a page mostly covered by images whose text covers a negligible area
    (a scan with a few words stamped on it, or a photo with a caption).
    """
    if mode == "never":
        return "text"
    if mode == "always":
        return "compare" if words else "ocr"
    if not words:
        return "ocr" if objects else "text"
    if garbled(" ".join(w.text for w in words)):
        return "ocr"
    text_area = sum((w.x1 - w.x0) * (w.bottom - w.top) for w in words)
    if image_area >= 0.5 * area and text_area < 0.02 * area:
        return "compare"
    return "text"


def choose(text_page: Page, ocr_page: Page, mode: OcrMode) -> Page:
    """For a doubtful page: OCR in "always" mode, else OCR only if it clearly reads more.

    Only confidently read OCR lines count, so noise read into a photo never wins.
    """
    if mode == "always" or _readable(ocr_page) > 1.5 * _readable(text_page) + 20:
        return ocr_page
    return text_page


def _readable(page: Page) -> int:
    """Letters and digits on the page (OCR lines read with confidence 60 or more)."""
    return sum(
        sum(map(str.isalnum, ln.text))
        for ln in page.lines
        if ln.confidence is None or ln.confidence >= _TRUSTED
    )


# ------------------------------------------------------------------- Tesseract


@dataclass(slots=True)
class Turn:
    """The skew of a scanned page: the turn that levels it, about a point of the page.

    Tesseract reads the page as scanned; the layout (lines, table cells) is built
    on the levelled page, where lines are horizontal and rules straight, and the
    lines' boxes are turned back at the end. Boxes turn about their centre and
    keep their size, so a line's box stays a line's box.
    """

    centre: tuple[float, float]  # page points
    angle: float  # degrees counter-clockwise on the displayed page

    def level(self, box: BBox) -> BBox:
        """A box of the scanned page, placed on the levelled page."""
        return self._turn(box, self.angle)

    def unlevel(self, box: BBox) -> BBox:
        """A box of the levelled page, placed back on the scanned page."""
        return self._turn(box, -self.angle)

    def _turn(self, box: BBox, angle: float) -> BBox:
        cx, cy = self.centre
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        dx, dy = (box[0] + box[2]) / 2 - cx, (box[1] + box[3]) / 2 - cy
        x, y = cx + cos * dx + sin * dy, cy - sin * dx + cos * dy  # y points down
        hw, hh = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
        return (x - hw, y - hh, x + hw, y + hh)


@dataclass(slots=True)
class OcrPage:
    """The words Tesseract read on one page, or why it could not."""

    index: int  # 0-based page index
    words: list[Word] = field(default_factory=list)
    confidence: float | None = None  # mean word confidence, 0-100
    problem: str | None = None  # one line, set when the page could not be OCR'd
    strokes: list[BBox] = field(default_factory=list)  # table rules, in the words' frame
    turn: Turn | None = None  # set when the page was levelled before OCR


@dataclass(slots=True)
class Raster:
    """A page as handed to Tesseract: pixel size, its skew, its rules (on the levelled page)."""

    width: int
    height: int
    angle: float
    rules: list[PixelBox]


def pixel_frame(page: pdfium.PdfPage, width_px: int, height_px: int, to_frame: Transform) -> Affine:
    """The affine map from rendered pixels to the page frame used for text-layer words.

    ``to_frame(x, y)`` maps PDF user space to that frame; pdfium tells where pixels
    fall in user space (crop box, rotation), so both paths agree on coordinates.
    """
    x, y = ctypes.c_double(), ctypes.c_double()

    def corner(px: int, py: int) -> tuple[float, float]:
        pdfium_c.FPDF_DeviceToPage(page.raw, 0, 0, width_px, height_px, 0, px, py, x, y)
        return to_frame(x.value, y.value)

    (ox, oy), (rx, ry), (dx, dy) = corner(0, 0), corner(width_px, 0), corner(0, height_px)
    return (
        ox,
        (rx - ox) / width_px,
        (dx - ox) / height_px,
        oy,
        (ry - oy) / width_px,
        (dy - oy) / height_px,
    )


def scan_dpi(page: pdfium.PdfPage, limits: ParseLimits) -> int:
    """The resolution to OCR ``page`` at: its images' own when they cover it, else the default.

    A scanned page is an image of known pixel size drawn over a known area; OCR at
    that resolution reads what the scanner stored, where resampling to a fixed
    300 dpi blurs a 200 dpi scan's glyphs and costs twice the pixels. The result is
    kept within the limits' range (small images are upsampled to what Tesseract
    reads well, huge ones downsampled).
    """
    width, height = page.get_size()
    bounds = [ctypes.c_float() for _ in range(4)]
    px_w, px_h = ctypes.c_uint(), ctypes.c_uint()
    area = pixels = 0.0
    raw = page.raw
    for k in range(min(pdfium_c.FPDFPage_CountObjects(raw), 64)):
        obj = pdfium_c.FPDFPage_GetObject(raw, k)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_IMAGE:
            continue
        if not pdfium_c.FPDFPageObj_GetBounds(obj, *bounds):
            continue
        if not pdfium_c.FPDFImageObj_GetImagePixelSize(obj, px_w, px_h):
            continue
        left, bottom, right, top = (v.value for v in bounds)
        area += max(0.0, right - left) * max(0.0, top - bottom)
        pixels += px_w.value * px_h.value
    if area < _IMAGE_COVER * width * height or not pixels:
        return limits.ocr_dpi
    native = 72.0 * math.sqrt(pixels / area)
    return round(min(max(native, limits.min_ocr_dpi), limits.max_ocr_dpi))


def render_gray(page: pdfium.PdfPage, dpi: int) -> np.ndarray:
    """``page`` rendered in grayscale at ``dpi``, as a contiguous array (pdfium's lock held)."""
    bitmap = page.render(scale=dpi / 72.0, grayscale=True)
    try:
        # a view on pdfium's buffer, rows possibly strided
        return np.ascontiguousarray(bitmap.to_numpy(), dtype=np.uint8)
    finally:
        bitmap.close()


def write_pgm(pixels: np.ndarray, dpi: int, dest: Path) -> Raster:
    """The page image as Tesseract gets it, table rules erased, in a binary PGM file."""
    angle = skew_angle(pixels, dpi)
    pixels, rules = find_rules(pixels, dpi, angle)
    height, width = pixels.shape
    with dest.open("wb") as fh:
        fh.write(b"P5\n%d %d\n255\n" % (width, height))
        fh.write(pixels.tobytes())
    return Raster(width, height, angle, rules)


def render_pgm(page: pdfium.PdfPage, dpi: int, dest: Path) -> Raster:
    """Render ``page`` at ``dpi`` to ``dest`` as :func:`write_pgm` prepares it."""
    return write_pgm(render_gray(page, dpi), dpi, dest)


def strokes_of(rules: list[PixelBox], affine: Affine) -> list[BBox]:
    """Pixel rules -> strokes in the page frame, exactly horizontal or vertical."""
    a, b, c, d, e, f = affine
    out = []
    for x0, y0, x1, y1 in rules:
        xs = (a + b * x0 + c * y0, a + b * x1 + c * y1)
        ys = (d + e * x0 + f * y0, d + e * x1 + f * y1)
        if abs(xs[1] - xs[0]) >= abs(ys[1] - ys[0]):
            y = (ys[0] + ys[1]) / 2
            out.append((min(xs), y, max(xs), y))
        else:
            x = (xs[0] + xs[1]) / 2
            out.append((x, min(ys), x, max(ys)))
    return out


def ocr_layout(result: OcrPage) -> tuple[list[Draft], list[tuple[BBox, list[list[str | None]]]]]:
    """An OCR'd page's line drafts and ruled tables, boxes back in the page frame.

    The layout runs where the words were read, on the levelled page whose rules
    are horizontal and vertical, so a scanned table is read cell by cell as a text
    layer's table is.
    """
    grids = find_grids(result.strokes) if result.strokes else None
    drafts, tables = layout(result.words, grids)
    if result.turn is not None:
        turn = result.turn
        for draft in drafts:
            draft.bbox = turn.unlevel(draft.bbox)
        tables = [(turn.unlevel(box), rows) for box, rows in tables]
    return drafts, tables


def run_tesseract(image: Path, dpi: int, timeout: float) -> str:
    """Tesseract's TSV for one image (single-threaded, French); raises on failure."""
    cmd = ["tesseract", str(image), "stdout", "-l", LANG, "--dpi", str(dpi), "tsv"]
    with _SLOTS:
        done = subprocess.run(cmd, capture_output=True, env=_ENV, timeout=timeout, check=False)
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if any("Failed loading language" in line for line in err):
            raise ParseError("ocr", f"tesseract has no '{LANG}' language data installed")
        raise RuntimeError(f"tesseract exited {done.returncode}: {err[-1] if err else ''}")
    return done.stdout.decode("utf-8", "replace")


def words_from_tsv(tsv: str, affine: Affine) -> tuple[list[Word], float | None]:
    """Tesseract TSV -> words in page points, and the mean word confidence.

    Each word carries its Tesseract line as ``piece`` (so skewed lines stay whole)
    and its block (so two lines of one block are never merged). Its ``size``, the
    unit for judging gaps, is its line's median word height scaled to the text
    layer's glyph boxes: a word box spans about 0.75 em, a pdfium loose box 1.15 em.
    Noise and the vertical rules of a scanned table read as "|" are dropped (see
    :func:`_clean_line`).
    """
    a, b, c, d, e, f = affine
    lines: dict[tuple[str, str, str], list[Word]] = {}
    key, bar_before = None, False
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        if (cols[2], cols[3], cols[4]) != key:
            key, bar_before = (cols[2], cols[3], cols[4]), False
        raw, conf = cols[11].strip(), float(cols[10])
        text = raw.strip(_RULES) or raw[:1]  # a bar on its own stays one "|" word
        if not text or conf < 0:
            continue
        left, top, width, height = (float(v) for v in cols[6:10])
        xs = (a + b * left + c * top, a + b * (left + width) + c * (top + height))
        ys = (d + e * left + f * top, d + e * (left + width) + f * (top + height))
        members = lines.setdefault(key, [])
        members.append(
            Word(
                text,
                min(xs),
                min(ys),
                max(xs),
                max(ys),
                size=0.0,  # set below, once the whole line is known
                confidence=conf,
                piece=members[0].piece if members else len(lines) - 1,
                block=int(cols[2]),
                boundary=text not in _RULES and (bar_before or raw[0] in _RULES),
            )
        )
        bar_before = text not in _RULES and raw[-1] in _RULES
    words: list[Word] = []
    for members in lines.values():
        kept = [w for w in members if w.text not in _RULES and not _noise(w)]
        if not kept:
            continue
        height = statistics.median(w.bottom - w.top for w in kept)
        for w in members:
            w.size = _EM_SCALE * height
        words.extend(_clean_line(members, height))
    confs = [w.confidence for w in words if w.confidence is not None]
    return words, (sum(confs) / len(confs) if confs else None)


def _clean_line(line: list[Word], height: float) -> list[Word]:
    """The words of one OCR line without its noise and lone bars.

    A lone bar taller than the line's words is a table rule the eraser missed: the
    next word starts a cell. A shorter one is letters misread ("Il" as "||") and
    counts as noise. A word following dropped noise is ``glued`` when every gap
    from the previous kept word through the noise to it is a word gap: the hole
    the noise leaves is no cell boundary. Noise in a wide gap (a speck between two
    columns) leaves the boundary as it is. Digit groups get their space back
    (``_GROUP``).
    """
    out: list[Word] = []
    bridged: bool | None = None  # whether the noise since the last kept word sat close
    rule = False
    prev_x1: float | None = None
    for w in line:
        close = prev_x1 is None or w.x0 - prev_x1 <= TAB_GAP * w.size
        prev_x1 = w.x1
        if w.text in _RULES and w.bottom - w.top >= _RULE_HEIGHT * height:
            rule = True
            continue
        if w.text in _RULES or _noise(w):
            if out:
                bridged = close and bridged is not False
            continue
        if rule:
            w.boundary = True
        elif bridged and close:
            w.glued = True
        bridged, rule = None, False
        if out and _GROUP.fullmatch(out[-1].text) and _NEXT_GROUP.match(w.text):
            out[-1].text = out[-1].text.replace(".", " ")
        out.append(w)
    return out


def _noise(word: Word) -> bool:
    """Whether a word Tesseract read is noise rather than text (see ``_MARK_CONF``)."""
    text, conf = word.text, word.confidence or 0.0
    if text.isalnum():
        return False
    if not any(ch.isalnum() for ch in text):
        return conf < _MARK_CONF and text not in _SIGNS
    return len(text) <= 2 and conf < _SHORT_CONF and not any(ch.isdigit() for ch in text)


def ocr_pages(
    doc: pdfium.PdfDocument,
    indices: Iterable[int],
    to_frame: Callable[[pdfium.PdfPage], Transform],
    limits: ParseLimits,
    lock: threading.RLock,
) -> Iterable[OcrPage]:
    """OCR the pages ``indices`` of ``doc``, yielding each result as soon as it is ready.

    Rendering happens here under ``lock`` (pdfium); levelling, rule erasing and
    Tesseract run in worker threads, at most ``WORKERS`` Tesseract processes at a time.
    A page too large to rasterise, or whose OCR fails or times out, comes back
    with ``problem`` set instead of raising: one bad page must not lose the document.
    """
    pending: dict[Future[tuple[str, Raster]], tuple[int, Path, Affine]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="quartiers-ocr-") as tmp,
        ThreadPoolExecutor(max_workers=_AHEAD, thread_name_prefix="ocr") as pool,
    ):

        def collect() -> Iterable[OcrPage]:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in done:
                index, image, affine = pending.pop(fut)
                image.unlink(missing_ok=True)
                yield _result(fut, index, affine, limits.ocr_timeout_s)

        for index in indices:
            while len(pending) >= _AHEAD:
                yield from collect()
            image = Path(tmp) / f"p{index + 1}.pgm"
            with lock:
                rendered = _render(doc, index, limits, to_frame)
            if isinstance(rendered, str):
                yield OcrPage(index, problem=rendered)
                continue
            pixels, dpi, affine = rendered
            fut = pool.submit(_read, pixels, dpi, image, limits.ocr_timeout_s)
            pending[fut] = (index, image, affine)
        while pending:
            yield from collect()


def _render(
    doc: pdfium.PdfDocument,
    index: int,
    limits: ParseLimits,
    to_frame: Callable[[pdfium.PdfPage], Transform],
) -> tuple[np.ndarray, int, Affine] | str:
    """Page ``index`` rendered for OCR, its dpi and pixel->point map; or why it was refused."""
    page = doc[index]
    try:
        dpi = scan_dpi(page, limits)
        w_pt, h_pt = page.get_size()
        w_px, h_px = round(w_pt * dpi / 72.0), round(h_pt * dpi / 72.0)
        if w_px * h_px > limits.max_pixels:
            return _problem(
                index,
                f"OCR refused, its {w_px}x{h_px} raster at {dpi} dpi "
                f"exceeds {limits.max_pixels} pixels",
            )
        pixels = render_gray(page, dpi)
        h_px, w_px = pixels.shape
        return pixels, dpi, pixel_frame(page, w_px, h_px, to_frame(page))
    except pdfium.PdfiumError as exc:
        return _problem(index, f"cannot render the page ({exc})")
    finally:
        page.close()


def _read(pixels: np.ndarray, dpi: int, image: Path, timeout: float) -> tuple[str, Raster]:
    """Prepare the page image and OCR it (in a worker thread)."""
    raster = write_pgm(pixels, dpi, image)
    return run_tesseract(image, dpi, timeout), raster


def _problem(index: int, message: str) -> str:
    return str(ParseError("ocr", f"page {index + 1}: {message}"))


def _result(fut: Future[tuple[str, Raster]], index: int, affine: Affine, timeout: float) -> OcrPage:
    try:
        tsv, raster = fut.result()
    except subprocess.TimeoutExpired:
        return OcrPage(index, problem=_problem(index, f"OCR timed out after {timeout:g} s"))
    except FileNotFoundError as exc:
        raise ParseError("ocr", "the tesseract program is not installed") from exc
    except (OSError, RuntimeError) as exc:
        return OcrPage(index, problem=_problem(index, str(exc)))
    words, confidence = words_from_tsv(tsv, affine)
    turn = None
    if raster.angle:
        a, b, c, d, e, f = affine
        cx, cy = raster.width / 2, raster.height / 2
        turn = Turn((a + b * cx + c * cy, d + e * cx + f * cy), raster.angle)
        for w in words:
            w.x0, w.top, w.x1, w.bottom = turn.level((w.x0, w.top, w.x1, w.bottom))
    return OcrPage(
        index,
        words=words,
        confidence=confidence,
        strokes=strokes_of(raster.rules, affine),
        turn=turn,
    )
