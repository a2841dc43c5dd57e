"""Born-digital PDF -> "scanned" image-only PDF, reproducibly.

Real scans of council documents are slightly skewed, soft, noisy and low in
contrast, and carry no text layer: the pipeline must OCR them. Each page is
rasterised (200 dpi, grayscale) and degraded with randomness seeded from the
document name and page number, so a rebuild gives the same bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageEnhance, ImageFilter

SCAN_DPI = 200
JPEG_QUALITY = 60  # typical of office scanners; grainy pages stay a few hundred kB


def page_rng(name: str, page: int) -> np.random.Generator:
    """A generator seeded by (document, page) only: stable across runs and machines."""
    digest = hashlib.sha256(f"{name}:{page}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def degrade(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A grayscale page made to look scanned: skew, blur, dull contrast, grain, specks."""
    paper = int(rng.integers(236, 248))  # scanner white is rarely pure white
    image = ImageEnhance.Contrast(image).enhance(float(rng.uniform(0.82, 0.95)))
    angle = float(rng.uniform(0.3, 1.2)) * float(rng.choice([-1.0, 1.0]))
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.5, 0.8))))

    pixels = np.asarray(image, dtype=np.float32) * (paper / 255.0)
    pixels += rng.normal(0.0, float(rng.uniform(3.0, 6.0)), pixels.shape)
    specks = rng.random(pixels.shape)
    rate = float(rng.uniform(0.0005, 0.0015))
    pixels[specks < rate / 2] = 0.0  # pepper
    pixels[specks > 1.0 - rate / 2] = 255.0  # salt
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")


def rasterise(pdf: pdfium.PdfDocument, index: int, dpi: int = SCAN_DPI) -> Image.Image:
    """Page ``index`` (0-based) of ``pdf`` as a grayscale image at ``dpi``."""
    bitmap = pdf[index].render(scale=dpi / 72.0, grayscale=True)
    return bitmap.to_pil().convert("L")


def scan_pdf(src: Path, dst: Path, *, title: str, max_pages: int | None = None) -> int:
    """Write the scanned variant of ``src`` (its first ``max_pages`` pages) to ``dst``.

    Returns the number of pages written. The PDF holds one JPEG per page at the
    physical size of the source page, and no dates in its metadata.
    """
    pdf = pdfium.PdfDocument(src)
    try:
        count = len(pdf) if max_pages is None else min(max_pages, len(pdf))
        width_pt, height_pt = pdf[0].get_size()
        pages = [degrade(rasterise(pdf, i), page_rng(title, i + 1)) for i in range(count)]
    finally:
        pdf.close()
    first = pages[0]
    first.save(
        dst,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        # per-axis resolution so the MediaBox is exactly the source page size
        dpi=(first.width * 72.0 / width_pt, first.height * 72.0 / height_pt),
        quality=JPEG_QUALITY,
        title=title,
        producer="Quartiers corpus builder",
        creator="Quartiers corpus builder",
        creationDate=None,
        modDate=None,
    )
    return count
