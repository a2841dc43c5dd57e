"""The extractors' version: a digest of their code and data, computed without importing them.

A stored document is current while this digest is unchanged; a change re-extracts
it (from its stored pages, without parsing again). Computing it must stay cheap:
``quartiers ingest`` of an unchanged corpus checks it before anything else and ends
there, so it reads the files instead of importing spaCy and the extractors.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path


@cache
def extractor_version() -> str:
    """A digest of the extractors' code and data: a change re-extracts stored documents."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".py", ".json"}):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
