"""What the parser accepts, and the one error it raises when a file is refused.

Input PDFs come from the open web and from scanners: a renamed HTML page, a
truncated download or a 40 000-page decompression bomb must fail fast with a
one-line reason instead of exhausting memory or hanging a worker.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """Bounds on one document; the defaults accept any real administrative PDF."""

    max_file_bytes: int = 500 * 1024 * 1024
    max_pages: int = 3000
    # Pixels OCR may decode for one page: its raster at the OCR resolution, and the
    # largest image it draws (rendering decodes it whole); above either, OCR is refused.
    max_pixels: int = 120_000_000
    ocr_timeout_s: float = 120.0  # per page
    ocr_dpi: int = 300  # pages drawn as vectors or text; a scan is read at its own resolution
    min_ocr_dpi: int = 200  # ... raised to this (Tesseract reads poorly below)
    max_ocr_dpi: int = 400  # ... and lowered to this (more pixels cost time, read no better)


class ParseError(Exception):
    """A document that cannot be parsed; ``stage`` says where, ``message`` why (one line)."""

    def __init__(self, stage: str, message: str) -> None:
        self.stage = stage
        self.message = " ".join(message.split())  # always one line
        super().__init__(f"{stage}: {self.message}")
