"""Erase table rules from a page image before OCR.

Tesseract reads the vertical and horizontal lines of a ruled table as characters
("|", "[", "_", or short words such as "TES" where a rule crosses a gap), which
shifts every cell of the row and glues cells together. Rules are easy to tell from
text at OCR resolution: they are dark runs far longer than any glyph. This stage
finds such runs in both directions and paints them white, leaving text alone.

Scans are slightly rotated, so a rule drifts by a pixel every few dozen pixels; runs
are measured on an image widened across the run direction to keep a slanted rule
in one piece.
"""

from __future__ import annotations

import numpy as np

DARK = 160  # grey level under which a pixel may belong to a rule


def erase_rules(pixels: np.ndarray, dpi: int) -> np.ndarray:
    """A copy of the grayscale page ``pixels`` with its long horizontal and vertical lines erased.

    A vertical rule is a dark run of at least a third of an inch, a horizontal one of
    at least half an inch: glyphs of body text and headings are shorter, and table
    grids are longer.
    """
    dark = pixels < DARK
    vertical = _long_runs(_widen(dark, axis=1, by=1), min_length=max(dpi // 3, 20))
    horizontal = _long_runs(_widen(dark, axis=0, by=2).T, min_length=max(dpi // 2, 30)).T
    rules = (vertical | horizontal) & _widen(pixels < 220, axis=0, by=0)
    if not rules.any():
        return pixels
    out = pixels.copy()
    out[_widen(_widen(rules, axis=0, by=2), axis=1, by=2) & (pixels < 235)] = 255
    return out


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


def _long_runs(mask: np.ndarray, *, min_length: int) -> np.ndarray:
    """Pixels of ``mask`` lying in a vertical run (down the rows) of ``min_length`` or more."""
    rows = mask.shape[0]
    ending = np.zeros(mask.shape, dtype=np.int32)  # length of the run ending at each pixel
    ending[0] = mask[0]
    for i in range(1, rows):
        ending[i] = (ending[i - 1] + 1) * mask[i]
    total = ending.copy()  # length of the whole run through each pixel
    for i in range(rows - 2, -1, -1):
        total[i] = np.where(mask[i] & mask[i + 1], total[i + 1], total[i])
    return total >= min_length
