"""Serving the source PDFs: only files the database knows, only by their sha256.

A request names a document by the sha256 of its bytes, never by a path, so nothing
a visitor types can reach another file: anything but 64 hex digits is refused, the path
comes from ``documents.path``, and the file is served only while its bytes still hash
to the requested value (a file replaced since ingestion would show the wrong pages).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datasette.app import Datasette

SHA256 = re.compile(r"[0-9a-f]{64}")
ROUTE = r"^/-/pdf/(?P<sha256>[^/]*)$"


def is_sha256(text: str) -> bool:
    """True for 64 lower-case hex digits (how the loader stores document identities)."""
    return SHA256.fullmatch(text) is not None


def pdf_url(datasette: Datasette, sha256: str, page: int | None = None) -> str:
    """Where Datasette serves a document, opened at ``page`` by the browser's viewer."""
    url = datasette.urls.path(f"/-/pdf/{sha256}")
    return f"{url}#page={page}" if page else url


async def stored_path(datasette: Datasette, sha256: str) -> str | None:
    """``documents.path`` of ``sha256`` in the first attached database that has it."""
    for name, database in datasette.databases.items():
        if name == "_internal" or not await database.table_exists("documents"):
            continue
        result = await database.execute("SELECT path FROM documents WHERE sha256 = ?", [sha256])
        row = result.first()
        if row is not None and row["path"]:
            return row["path"]
    return None


async def verified_pdf(stored: str, root: Path, sha256: str) -> Path | None:
    """The file at ``stored`` (relative to ``root``) if it is a file hashing to ``sha256``."""
    path = Path(stored)
    path = (path if path.is_absolute() else root / path).resolve()
    try:
        stat = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    digest = await asyncio.to_thread(_file_sha256, str(path), stat.st_size, stat.st_mtime_ns)
    return path if digest == sha256 else None


@lru_cache(maxsize=256)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    """sha256 of a file; size and mtime in the key make a changed file hash again."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
