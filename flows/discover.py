"""Turn the paths a user gives into the list of files to ingest.

Folders are walked recursively for ``*.pdf`` (any case), following symbolic links
but never the same real folder twice, so a symlink loop ends. Files named
explicitly are taken whatever their extension: if one is not a PDF, parsing
records a clear error for it instead of it silently vanishing from the batch.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def discover_pdfs(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Files to ingest (sorted, unique) and one message per path that does not exist."""
    found: dict[str, Path] = {}
    missing: list[str] = []
    for path in paths:
        if path.is_dir():
            for file in _walk(path):
                found.setdefault(str(file), file)
        elif path.is_file():
            found.setdefault(str(path), path)
        else:
            missing.append(f"{path}: no such file or folder")
    return sorted(found.values(), key=str), missing


def _walk(root: Path) -> Iterable[Path]:
    seen: set[str] = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dirs.clear()
            continue
        seen.add(real)
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(".pdf"):
                yield Path(folder) / name
