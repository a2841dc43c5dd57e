"""Scan geometry before OCR: how far the page is turned, and its table rules.

Scans are slightly rotated. Tesseract copes with that for text, but the layout
stage does not: a skewed table's rules are not horizontal and vertical, and a
line of text drifts across the next one. The skew is measured on the page's
horizontal projection (text lines and rules give the sharpest profile when
level). The image Tesseract reads stays as scanned (resampling it costs accuracy);
the layout stage turns word boxes instead (:class:`extractors.ocr.Turn`).

Tesseract reads the lines of a ruled table as characters ("|", "[", "_", or short
words such as "TES" where a rule crosses a gap), which shifts every cell of the
row and glues cells together. Rules are easy to tell from text at OCR resolution:
they are thin dark runs far longer than any glyph. They are found on the levelled
page in both directions, returned as segments (the table's grid, as a text
layer's strokes are) and painted white on the page as scanned.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import Image

DARK = 160  # grey level under which a pixel may belong to a rule or a glyph
MAX_SKEW = 3.0  # degrees searched either way; scanners rarely do worse
_SKEW_STEP = 0.1  # degrees; finer is below the pixel at the working resolution
_SKEW_COARSE = 0.5  # degrees between the angles of the first pass
_SKEW_DPI = 100  # the profile is measured on the page reduced to about this resolution
_STRIP = 16  # width in working pixels of the vertical strips whose profiles are shifted
_GAP = 2  # pixels of paper showing through a rule (specks, worn toner) that do not cut it

PixelBox = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, x1/y1 exclusive


def skew_angle(pixels: np.ndarray, dpi: int) -> float:
    """Degrees by which the grayscale page ``pixels`` must turn counter-clockwise to be level.

    Each vertical strip of the (reduced) page has a profile of dark pixels per row;
    for a trial angle the strips' profiles are shifted as a line at that angle
    would be and summed. Level text gives the sharpest sum: the largest squared
    differences between adjacent rows. Ties go to the smallest turn, so a blank
    page or one without lines stays as it is.
    """
    f = max(1, round(dpi / _SKEW_DPI))
    rows, cols = pixels.shape[0] // f, pixels.shape[1] // f
    strips = cols // _STRIP
    if rows < 8 or strips < 4:
        return 0.0
    dark = pixels[: rows * f, : strips * _STRIP * f] < DARK
    dark = dark.reshape(rows, f, strips * _STRIP, f).any(axis=(1, 3))
    profiles = dark.reshape(rows, strips, _STRIP).sum(axis=2, dtype=np.int32).T
    centres = (np.arange(strips) + 0.5) * _STRIP - strips * _STRIP / 2
    margin = math.ceil(abs(centres[0]) * math.tan(math.radians(MAX_SKEW))) + 1
    padded = np.zeros((strips, rows + 2 * margin), dtype=np.int32)
    padded[:, margin : margin + rows] = profiles
    base = margin + np.arange(rows)

    def sharpness(angle: float) -> int:
        shifts = np.rint(centres * math.tan(math.radians(angle))).astype(np.intp)
        profile = padded[np.arange(strips)[:, None], base[None, :] + shifts[:, None]].sum(axis=0)
        return int(np.square(np.diff(profile)).sum())

    # Coarse steps over the whole range, then fine steps around the best: the
    # sharpness of text lines rises steadily towards the level angle.
    coarse = round(MAX_SKEW / _SKEW_COARSE)
    best = _sharpest(sharpness, [k * _SKEW_COARSE for k in range(-coarse, coarse + 1)])
    fine = round(_SKEW_COARSE / _SKEW_STEP)
    near = [round(best + k * _SKEW_STEP, 6) for k in range(-fine + 1, fine)]
    return _sharpest(sharpness, [a for a in near if abs(a) <= MAX_SKEW])


def _sharpest(sharpness: Callable[[float], int], angles: list[float]) -> float:
    """The angle of highest sharpness; ties go to the smallest turn."""
    best, best_score = 0.0, -1
    for angle in sorted(angles, key=abs):
        score = sharpness(angle)
        if score > best_score:
            best, best_score = angle, score
    return best


def level(pixels: np.ndarray, angle: float, fill: int = 255) -> np.ndarray:
    """``pixels`` turned counter-clockwise by ``angle`` degrees about their centre, same size.

    Nearest-neighbour: the turned page only feeds a dark/light threshold and masks,
    where interpolating buys nothing and costs seven times the time.
    """
    if not angle:
        return pixels
    image = Image.fromarray(pixels, mode="L")
    turned = image.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=fill)
    return np.asarray(turned)


def find_rules(
    pixels: np.ndarray, dpi: int, angle: float = 0.0
) -> tuple[np.ndarray, list[PixelBox]]:
    """``pixels`` with their long horizontal and vertical lines erased, and those lines.

    A vertical rule is a dark run of at least a third of an inch, a horizontal one of
    at least half an inch: glyphs of body text and headings are shorter, and table
    grids are longer. A rule is also thin: a dark band thicker than a twentieth of
    an inch is a filled area (a banner, a photo), left alone. Rules are looked for on
    the page turned by ``angle`` (see :func:`skew_angle`), where they are level, and
    come back in that frame as pixel boxes one pixel thick, one per row (or column)
    of each rule, for the table finder to snap together. They are erased from
    ``pixels`` as given: Tesseract reads an untouched scan better than a resampled
    one, and levels text itself.
    """
    dark = level(pixels, angle) < DARK
    thick = max(dpi // 20, 3)
    horizontal = _rule_mask(dark, max(dpi // 2, 30), thick, across=False)
    vertical = _rule_mask(dark, max(dpi // 3, 20), thick, across=True)
    segments = _runs(horizontal, max(dpi // 2, 30), across=False)
    segments += _runs(vertical, max(dpi // 3, 20), across=True)
    if not segments:
        return pixels, []
    rules = horizontal | vertical
    if angle:
        rules = level(rules.astype(np.uint8) * 255, -angle, fill=0) > 0
    out = pixels.copy()
    out[_widen(_widen(rules, axis=0, by=2), axis=1, by=2) & (pixels < 235)] = 255
    return out, segments


def _rule_mask(dark: np.ndarray, length: int, thick: int, *, across: bool) -> np.ndarray:
    """Pixels of rules running along rows (down columns if ``across``).

    The dark mask is widened by a pixel across the run direction, so a rule left a
    pixel off level stays whole. Specks of paper cut a thin rule into pieces:
    pieces of a third of ``length`` (glyphs never make such runs, even bold ones
    whose letters almost touch) join across gaps of at most ``_GAP`` pixels; once
    that makes a rule, its ends grow over any dark run as close. A run lying mostly
    in dark thicker than ``thick`` across it is part of a filled area, not a rule.
    """
    spread = _widen(dark, axis=1 if across else 0, by=1)
    lines = spread.T if across else spread
    joined: list[list[int]] = []
    for line, start, end in _spans(spread, length // 3, across=across):
        last = joined[-1] if joined else None
        if last and last[0] == line and start - last[2] <= _GAP:
            last[2] = end
        else:
            joined.append([line, start, end])
    joined = [span for span in joined if span[2] - span[1] >= length]
    grid = np.zeros(lines.shape, dtype=bool)
    if not joined:
        return grid
    bands = _paint(dark.shape, _spans(dark, thick + 1, across=not across), across=not across)
    bands = _widen(bands, axis=1 if across else 0, by=1)  # the widening reached past the edge
    bands = bands.T if across else bands
    for line, start, end in joined:
        if bands[line, start:end].mean() > 0.5:
            continue
        row = lines[line]
        start = len(row) - _reach(row[::-1], len(row) - start)
        grid[line, start : _reach(row, end)] = True
    return grid.T if across else grid


def _paint(
    shape: tuple[int, int], spans: list[tuple[int, int, int]], *, across: bool
) -> np.ndarray:
    """A mask of ``shape`` with the runs ``spans`` (see :func:`_spans`) set."""
    rows, cols = (shape[1], shape[0]) if across else shape
    delta = np.zeros((rows, cols + 1), dtype=np.int8)  # runs of one line never overlap
    if spans:
        line, start, end = (np.array(v) for v in zip(*spans, strict=True))
        delta[line, start] = 1
        delta[line, end] = -1
    mask = np.cumsum(delta[:, :cols], axis=1, dtype=np.int8) > 0
    return mask.T if across else mask


def _reach(row: np.ndarray, end: int) -> int:
    """Where a run of ``row`` ending at ``end`` ends once grown over dark runs at most
    ``_GAP`` pixels ahead."""
    while True:
        ahead = np.flatnonzero(row[end : end + _GAP + 1])
        if not len(ahead):
            return end
        nxt = end + int(ahead[0])
        stop = np.flatnonzero(~row[nxt:])
        end = nxt + (int(stop[0]) if len(stop) else len(row) - nxt)


def _spans(mask: np.ndarray, min_length: int, *, across: bool) -> list[tuple[int, int, int]]:
    """(line, start, end) of the runs of ``mask`` at least ``min_length`` long, in order:
    along rows (line = row), or down columns if ``across`` (line = column).

    Only lines with at least ``min_length`` set pixels can hold such a run: the
    others (margins, blank gaps, and most lines of a sparse mask) are skipped
    before the page-sized work.
    """
    grid = mask.T if across else mask
    lines = np.flatnonzero(np.count_nonzero(grid, axis=1) >= min_length)
    if not len(lines):
        return []
    edges = np.zeros((len(lines), grid.shape[1] + 2), dtype=np.int8)
    edges[:, 1:-1] = grid[lines]
    steps = np.diff(edges, axis=1)
    at = np.flatnonzero(steps)  # run starts and ends alternate along each line
    width = steps.shape[1]
    starts, ends = at[0::2], at[1::2]
    keep = ends - starts >= min_length
    return list(
        zip(
            lines[starts[keep] // width].tolist(),
            (starts[keep] % width).tolist(),
            (ends[keep] % width).tolist(),
            strict=True,
        )
    )


def _runs(mask: np.ndarray, min_length: int, *, across: bool) -> list[PixelBox]:
    """Pixel boxes of the runs of ``mask`` (see :func:`_spans`), one pixel thick."""
    spans = _spans(mask, min_length, across=across)
    if across:
        return [(line, start, line + 1, end) for line, start, end in spans]
    return [(start, line, end, line + 1) for line, start, end in spans]


def _widen(mask: np.ndarray, *, axis: int, by: int) -> np.ndarray:
    """``mask`` OR'ed with itself shifted by up to ``by`` pixels along ``axis``."""
    out = mask.copy()
    for shift in range(1, by + 1):
        if axis == 1:
            out[:, shift:] |= mask[:, :-shift]
            out[:, :-shift] |= mask[:, shift:]
        else:
            out[shift:, :] |= mask[:-shift, :]
            out[:-shift, :] |= mask[shift:, :]
    return out
