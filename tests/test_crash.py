"""Crash safety: a run killed with SIGKILL in the middle loses nothing once re-run.

``quartiers ingest`` loads each document in its own transaction as soon as it is
extracted; killing the whole process group after the first document is committed,
then running again, must give an intact database holding every document exactly
once, row for row what a clean single run gives.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from schemas.database import TABLES
from tests import hostile
from tests.test_hostile import QUARTIERS, query, sha256

pytestmark = pytest.mark.integration

# Columns that say when a row was written, not what it holds.
VOLATILE = {"ingested_at", "at"}
DOCUMENTS = 4


def snapshot(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of every table and view but the FTS internals, sorted, without timestamps."""
    with sqlite3.connect(db_path) as conn:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE '%_fts%' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        tables = {}
        for name in names:
            cursor = conn.execute(f'SELECT * FROM "{name}"')
            keep = [k for k, d in enumerate(cursor.description) if d[0] not in VOLATILE]
            rows = [tuple(row[k] for k in keep) for row in cursor]
            tables[name] = sorted(rows, key=repr)
    return tables


def documents_loaded(db_path: Path) -> int:
    """Documents committed so far, read without disturbing the writer (0 before the schema)."""
    if not db_path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def ingest(folder: Path, db_path: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [*QUARTIERS, "ingest", str(folder), "--db", str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Documents of 10 text pages and one scanned page each: seconds apiece (OCR)."""
    out = tmp_path_factory.mktemp("crash") / "pdf"
    out.mkdir()
    for n in range(DOCUMENTS):
        hostile.mixed_pdf(out / f"rapport {n}.pdf", n=30 + n, text_pages=10)
    return out


def test_sigkill_mid_run_then_rerun_equals_a_clean_run(folder, tmp_path):
    crashed = tmp_path / "crashed" / "quartiers.db"
    run = ingest(folder, crashed, start_new_session=True)  # its own group, Prefect included
    deadline = time.monotonic() + 300
    while documents_loaded(crashed) < 1:
        assert run.poll() is None, run.stdout.read()
        assert time.monotonic() < deadline, "no document loaded in time"
        time.sleep(0.02)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    run.stdout.close()
    assert run.returncode == -signal.SIGKILL
    loaded = documents_loaded(crashed)
    assert 1 <= loaded < DOCUMENTS, "the kill must land in the middle of the run"
    assert query(crashed, "PRAGMA integrity_check") == [("ok",)]

    rerun = subprocess.run(
        [*QUARTIERS, "ingest", str(folder), "--db", str(crashed)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"documents {DOCUMENTS - loaded} (skipped {loaded})" in rerun.stdout

    clean = tmp_path / "clean" / "quartiers.db"
    single = ingest(folder, clean)
    out, _ = single.communicate(timeout=600)
    assert single.returncode == 0, out

    assert query(crashed, "PRAGMA integrity_check") == [("ok",)]
    with sqlite3.connect(crashed) as conn:  # the full-text index matches its table
        conn.execute("INSERT INTO pages_fts(pages_fts) VALUES ('integrity-check')")
        conn.execute("INSERT INTO actions_fts(actions_fts) VALUES ('integrity-check')")
    shas = query(crashed, "SELECT sha256 FROM documents ORDER BY sha256")
    assert [s for (s,) in shas] == sorted(sha256(p) for p in folder.glob("*.pdf"))
    after, expected = snapshot(crashed), snapshot(clean)
    assert set(after) == set(expected) >= set(TABLES)
    for name in expected:
        assert after[name] == expected[name], name
    assert sum(len(rows) for rows in expected.values()) > 100
