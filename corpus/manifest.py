"""The corpus manifest: which PDFs exist, what they were made from, their hashes.

It is committed next to the seeds so a checkout knows what the (git-ignored)
corpus folder should hold, and a rebuild can skip files whose bytes already match.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import pypdfium2 as pdfium

Kind = Literal["text", "scan"]


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    file: str  # PDF file name inside the corpus folder
    kind: Kind  # "text": born-digital with a text layer; "scan": image-only
    source: str  # seed file name it was rendered from
    pages: int
    sha256: str
    bytes: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe(path: Path, *, kind: Kind, source: str) -> ManifestEntry:
    """The manifest entry of an existing PDF (pages counted by pdfium)."""
    pdf = pdfium.PdfDocument(path)
    try:
        pages = len(pdf)
    finally:
        pdf.close()
    return ManifestEntry(
        file=path.name,
        kind=kind,
        source=source,
        pages=pages,
        sha256=sha256_of(path),
        bytes=path.stat().st_size,
    )


def read_manifest(path: Path) -> list[ManifestEntry]:
    """Entries of the manifest at ``path``; none when it does not exist."""
    if not path.is_file():
        return []
    return [ManifestEntry(**item) for item in json.loads(path.read_text(encoding="utf-8"))]


def dumps(entries: list[ManifestEntry]) -> str:
    """Canonical JSON text: sorted by file, stable key order, trailing newline."""
    items = [asdict(e) for e in sorted(entries, key=lambda e: e.file)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def write_manifest(path: Path, entries: list[ManifestEntry]) -> None:
    """Write ``entries`` to ``path`` unless it already holds exactly that."""
    text = dumps(entries)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
