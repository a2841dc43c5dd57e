"""Serve a Quartiers database with Datasette, read-only, on the loopback interface.

Before serving, the comparison tables and views are brought up to date and the WAL is
folded into the database file: Datasette then opens the file as immutable (no locks, no
writes, counts cached), which also means it does not see documents ingested while it
runs — restart it after an ingest.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from pathlib import Path

HOST = "127.0.0.1"
SQL_TIME_LIMIT_MS = 3000


def prepare(db: Path) -> None:
    """Refresh the comparison tables and views, then checkpoint the WAL into the file.

    A database the user may not write to is served as it is, with a warning: browsing
    must not need write access (the comparison views may then be missing or stale).
    """
    from schemas.comparison import ensure_comparison
    from schemas.database import open_db

    try:
        database = open_db(db)
    except sqlite3.OperationalError as exc:
        print(f"warning: {db} not refreshed ({exc})", file=sys.stderr)
        return
    try:
        ensure_comparison(database)
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc):
            raise
        print(f"warning: {db} is read-only; comparison views not refreshed", file=sys.stderr)
    finally:
        database.close()


def datasette_args(db: Path, *, port: int, metadata: Path, host: str = HOST) -> list[str]:
    """The ``datasette serve`` arguments: immutable database, bounded SQL time."""
    return [
        "serve",
        "--immutable",
        str(db),
        "--host",
        host,
        "--port",
        str(port),
        "--metadata",
        str(metadata),
        "--setting",
        "sql_time_limit_ms",
        str(SQL_TIME_LIMIT_MS),
        "--setting",
        "allow_download",
        "off",
        "--setting",
        "truncate_cells_html",
        "400",
    ]


def serve(db: Path, *, port: int = 8001, pdf_root: Path | None = None) -> None:
    """Run Datasette on ``db`` with the Quartiers plugin until interrupted.

    ``pdf_root`` is the folder relative ``documents.path`` values start from (the
    folder ingestion ran in; the current one by default).
    """
    from datasette.cli import cli
    from datasette.plugins import pm

    from quartiers.datasette import plugin
    from quartiers.datasette.metadata import build_metadata

    prepare(db)
    metadata = build_metadata(db, pdf_root=pdf_root or Path.cwd())
    if not pm.is_registered(plugin):
        pm.register(plugin, name=plugin.NAME)
    with tempfile.TemporaryDirectory(prefix="quartiers-browse-") as folder:
        metadata_file = Path(folder) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata, ensure_ascii=False, indent=2))
        print(f"Serving {db} read-only on http://{HOST}:{port}/", flush=True)
        cli.main(args=datasette_args(db, port=port, metadata=metadata_file), prog_name="datasette")
