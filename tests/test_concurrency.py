"""Concurrent runs on one database: both finish, nothing is locked out, nothing doubles.

Two real ``quartiers ingest`` processes with overlapping file sets write the same
SQLite file at once; separately, processes released at the same instant create the
schema of a new database together, the moment SQLite used to refuse with "database
is locked".
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import hostile
from tests.test_hostile import PER_DOCUMENT, QUARTIERS, query, sha256

_CREATE_SCHEMA = """
import sys, time
from pathlib import Path
from flows.ingest import prepare_database
folder, me = Path(sys.argv[1]), sys.argv[2]
(folder / f"ready-{me}").touch()
go = folder / "go"
while not go.exists():
    time.sleep(0.005)
for k, start in enumerate(map(float, go.read_text().split())):
    time.sleep(max(0.0, start - time.time()))
    db = prepare_database(str(folder / f"round{k}" / "quartiers.db"))
    db.execute("INSERT INTO ingest_errors (file) VALUES (?)", [me])
"""


@pytest.mark.integration
def test_processes_creating_a_new_database_together_do_not_lock_each_other(tmp_path):
    """3 processes, released at the same instant on a fresh database, 8 times over."""
    root = Path(__file__).resolve().parent.parent
    rounds, workers = 8, 3
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CREATE_SCHEMA, str(tmp_path), str(k)],
            cwd=root,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(workers)
    ]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("ready-*"))) < workers and time.monotonic() < deadline:
        time.sleep(0.05)
    first = time.time() + 0.5
    (tmp_path / "go.tmp").write_text(" ".join(str(first + 0.4 * k) for k in range(rounds)))
    (tmp_path / "go.tmp").rename(tmp_path / "go")  # appears whole
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    for k in range(rounds):
        db_path = tmp_path / f"round{k}" / "quartiers.db"
        assert query(db_path, "SELECT COUNT(*) FROM ingest_errors") == [(workers,)]
        assert query(db_path, "PRAGMA integrity_check") == [("ok",)]


def make_documents(folder: Path, count: int, pages: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        hostile.french_pdf(folder / f"document {k}.pdf", n=20 + k, pages=pages)
        for k in range(count)
    ]


@pytest.mark.integration
def test_two_ingests_on_one_database_at_once(tmp_path):
    """Overlapping file sets; both exit 0, every document once, every page once."""
    pdfs = make_documents(tmp_path / "pdf", count=6, pages=20)
    first, second = pdfs[:4], pdfs[2:]  # documents 2 and 3 in both
    db_path = tmp_path / "data" / "quartiers.db"
    logs = []
    procs = []
    for k, files in enumerate((first, second)):
        log = (tmp_path / f"run{k}.out").open("w+")
        logs.append(log)
        procs.append(
            subprocess.Popen(
                [*QUARTIERS, "ingest", *map(str, files), "--db", str(db_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    for proc in procs:
        proc.wait(timeout=600)
    outputs = []
    for log in logs:
        log.seek(0)
        outputs.append(log.read())
        log.close()
    for proc, output in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, output
        assert "locked" not in output and "errors 0 ·" in output, output

    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert query(db_path, "SELECT COUNT(*) FROM ingest_errors") == [(0,)]
    shas = sorted(r[0] for r in query(db_path, "SELECT sha256 FROM documents"))
    assert shas == sorted(sha256(p) for p in pdfs)
    per_doc = query(db_path, "SELECT document, COUNT(*) FROM pages GROUP BY document")
    assert sorted(n for _, n in per_doc) == [20] * len(pdfs)
    for table in PER_DOCUMENT:
        ids = query(db_path, f"SELECT COUNT(*), COUNT(DISTINCT rowid) FROM {table}")
        assert ids[0][0] == ids[0][1]
    # the documents are alike: one loaded by both runs holds as many rows as the others
    for table in ("amounts", "quartier_mentions"):
        rows = dict(query(db_path, f"SELECT document, COUNT(*) FROM {table} GROUP BY document"))
        assert len(rows) == len(pdfs) and len(set(rows.values())) == 1, (table, rows)
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO pages_fts(pages_fts) VALUES ('integrity-check')")
