"""OCR: which pages need it, and reading them with the Tesseract CLI.

A page is OCR'd when its text layer is missing, garbled by a broken font
encoding, or negligible on a page that is mostly an image (:func:`plan`).
Each page is rendered in the calling thread (pdfium is not thread-safe) to an
uncompressed grayscale PGM — no PNG encoding, which costs more than the OCR on
noisy scans — and handed to one single-threaded ``tesseract`` process; as many
run at once as there are cores, and a page's file is deleted as soon as it has
been read, so memory and disk stay bounded whatever the document length.
Tesseract's TSV output gives every word with its box, confidence and
block/paragraph/line ids; boxes are mapped from pixels back to page points.
"""

from __future__ import annotations

import ctypes
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
from extractors.pages import Word
from extractors.rules import erase_rules
from schemas.records import Page

LANG = "fra"
WORKERS = os.cpu_count() or 1
# Tesseract processes across all documents parsed concurrently in this process.
_SLOTS = threading.BoundedSemaphore(WORKERS)
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
_EM_SCALE = 1.15 / 0.75  # OCR word height -> text-layer glyph box height
_RULES = "|¦"  # what Tesseract reads a table's vertical rule as

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
class OcrPage:
    """The words Tesseract read on one page, or why it could not."""

    index: int  # 0-based page index
    words: list[Word] = field(default_factory=list)
    confidence: float | None = None  # mean word confidence, 0-100
    problem: str | None = None  # one line, set when the page could not be OCR'd


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


def render_pgm(page: pdfium.PdfPage, dpi: int, dest: Path) -> tuple[int, int]:
    """Render ``page`` in grayscale at ``dpi``, table rules erased, to a binary PGM file.

    Returns its pixel size.
    """
    bitmap = page.render(scale=dpi / 72.0, grayscale=True)
    try:
        pixels = bitmap.to_numpy()  # a view on pdfium's buffer, rows possibly strided
        height, width = pixels.shape
        pixels = erase_rules(np.ascontiguousarray(pixels, dtype=np.uint8), dpi)
        with dest.open("wb") as fh:
            fh.write(b"P5\n%d %d\n255\n" % (width, height))
            fh.write(pixels.tobytes())
    finally:
        bitmap.close()
    return width, height


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
    The vertical rules of a scanned table come back as "|" words: they are dropped
    and mark a cell boundary instead.
    """
    a, b, c, d, e, f = affine
    lines: dict[tuple[str, str, str], list[Word]] = {}
    confs: list[float] = []
    key, rule_before = None, False
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        if (cols[2], cols[3], cols[4]) != key:
            key, rule_before = (cols[2], cols[3], cols[4]), False
        raw, conf = cols[11].strip(), float(cols[10])
        text = raw.strip(_RULES)
        if raw and not text:  # a rule on its own
            rule_before = True
            continue
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
                boundary=rule_before or raw[0] in _RULES,
            )
        )
        rule_before = raw[-1] in _RULES
        confs.append(conf)
    words = []
    for members in lines.values():
        size = _EM_SCALE * statistics.median(w.bottom - w.top for w in members)
        for w in members:
            w.size = size
        words.extend(members)
    return words, (sum(confs) / len(confs) if confs else None)


def ocr_pages(
    doc: pdfium.PdfDocument,
    indices: Iterable[int],
    to_frame: Callable[[pdfium.PdfPage], Transform],
    limits: ParseLimits,
    lock: threading.RLock,
) -> Iterable[OcrPage]:
    """OCR the pages ``indices`` of ``doc``, yielding each result as soon as it is ready.

    Rendering happens here under ``lock`` (pdfium), Tesseract runs in up to
    ``WORKERS`` processes. A page too large to rasterise, or whose OCR fails or
    times out, comes back with ``problem`` set instead of raising: one bad page
    must not lose the document.
    """
    dpi = limits.ocr_dpi
    pending: dict[Future[str], tuple[int, Path, Affine]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="quartiers-ocr-") as tmp,
        ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="ocr") as pool,
    ):

        def collect() -> Iterable[OcrPage]:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in done:
                index, image, affine = pending.pop(fut)
                image.unlink(missing_ok=True)
                yield _result(fut, index, affine, limits.ocr_timeout_s)

        for index in indices:
            while len(pending) >= WORKERS:
                yield from collect()
            image = Path(tmp) / f"p{index + 1}.pgm"
            with lock:
                prepared = _prepare(doc, index, image, limits, to_frame)
            if isinstance(prepared, str):
                yield OcrPage(index, problem=prepared)
                continue
            fut = pool.submit(run_tesseract, image, dpi, limits.ocr_timeout_s)
            pending[fut] = (index, image, prepared)
        while pending:
            yield from collect()


def _prepare(
    doc: pdfium.PdfDocument,
    index: int,
    image: Path,
    limits: ParseLimits,
    to_frame: Callable[[pdfium.PdfPage], Transform],
) -> Affine | str:
    """Render page ``index`` to ``image``; its pixel->point map, or why it was refused."""
    dpi = limits.ocr_dpi
    page = doc[index]
    try:
        w_pt, h_pt = page.get_size()
        w_px, h_px = round(w_pt * dpi / 72.0), round(h_pt * dpi / 72.0)
        if w_px * h_px > limits.max_pixels:
            return _problem(
                index,
                f"OCR refused, its {w_px}x{h_px} raster at {dpi} dpi "
                f"exceeds {limits.max_pixels} pixels",
            )
        w_px, h_px = render_pgm(page, dpi, image)
        return pixel_frame(page, w_px, h_px, to_frame(page))
    except pdfium.PdfiumError as exc:
        return _problem(index, f"cannot render the page ({exc})")
    finally:
        page.close()


def _problem(index: int, message: str) -> str:
    return str(ParseError("ocr", f"page {index + 1}: {message}"))


def _result(fut: Future[str], index: int, affine: Affine, timeout: float) -> OcrPage:
    try:
        tsv = fut.result()
    except subprocess.TimeoutExpired:
        return OcrPage(index, problem=_problem(index, f"OCR timed out after {timeout:g} s"))
    except FileNotFoundError as exc:
        raise ParseError("ocr", "the tesseract program is not installed") from exc
    except (OSError, RuntimeError) as exc:
        return OcrPage(index, problem=_problem(index, str(exc)))
    words, confidence = words_from_tsv(tsv, affine)
    return OcrPage(index, words=words, confidence=confidence)
