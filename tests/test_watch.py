"""``quartiers watch``: PDFs dropped into a folder are ingested once fully written, and
a file that cannot be read for a moment is tried again by Prefect's task retries.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from pathlib import Path

import pytest

import flows.ingest
import flows.watch
from extractors.limits import ParseError
from flows.ingest import ingest
from flows.watch import Readiness, watch

PDF = "004_175d0d4703e41153.pdf"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _query(db_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def test_readiness_waits_for_two_equal_looks():
    a, b = Path("a.pdf"), Path("b.pdf")
    readiness = Readiness()
    assert readiness.poll({a: (10, 1)}) == []
    assert readiness.poll({a: (20, 2), b: (5, 1)}) == []  # a grew, b is new
    assert readiness.poll({a: (20, 2), b: (5, 1)}) == [a, b]
    readiness.take([a, b])
    assert readiness.settled
    assert readiness.poll({a: (20, 2), b: (5, 1)}) == []  # taken as they are
    assert readiness.poll({a: (30, 3)}) == []  # a changed, b removed
    assert not readiness.settled
    assert readiness.poll({a: (30, 3)}) == [a]


@pytest.mark.integration
def test_watch_ingests_a_pdf_once_fully_written(prefect_server, corpus_pdfs, tmp_path, monkeypatch):
    source = (corpus_pdfs / PDF).read_bytes()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    target = inbox / "arrivé.pdf"
    target.write_bytes(source[:1000])  # a copy has begun
    first_look = threading.Event()
    real_snapshot = flows.watch.snapshot

    def snapshot(folder):
        found = real_snapshot(folder)
        first_look.set()
        return found

    def finish_copy():  # grows the file across several polls, then stops
        first_look.wait(timeout=120)
        for end in range(5000, len(source), max(len(source) // 8, 1)):
            with target.open("r+b") as fh:
                fh.write(source[:end])
            time.sleep(0.1)
        target.write_bytes(source)

    monkeypatch.setattr(flows.watch, "snapshot", snapshot)
    writer = threading.Thread(target=finish_copy)
    writer.start()
    db_path = tmp_path / "q.db"
    summary = watch(folder=str(inbox), db_path=str(db_path), interval=0.25, once=True)
    writer.join()

    assert summary.errors == []
    assert [b.documents for b in summary.batches] == [1]  # never read half-written
    assert _query(db_path, "SELECT sha256, file_name, pages FROM documents") == [
        (_sha(target), target.name, 7)
    ]
    assert _query(db_path, "SELECT COUNT(*) FROM ingest_errors") == [(0,)]


@pytest.mark.integration
def test_unreadable_file_is_tried_again(prefect_server, corpus_pdfs, tmp_path, monkeypatch):
    calls = []
    parse = flows.ingest.parse_pdf

    def flaky(path, **kwargs):
        calls.append(path)
        if len(calls) == 1:
            raise ParseError("read", f"cannot read {path.name}: Input/output error")
        return parse(path, **kwargs)

    monkeypatch.setattr(flows.ingest, "parse_pdf", flaky)
    db_path = tmp_path / "q.db"
    summary = ingest(paths=[str(corpus_pdfs / PDF)], db_path=str(db_path))
    assert summary.errors == [] and summary.documents == 1
    assert len(calls) == 2


@pytest.mark.integration
def test_file_never_readable_is_a_read_error(prefect_server, corpus_pdfs, tmp_path, monkeypatch):
    def unreadable(path, **kwargs):
        raise ParseError("read", f"cannot read {path.name}: Input/output error")

    monkeypatch.setattr(flows.ingest, "parse_pdf", unreadable)
    db_path = tmp_path / "q.db"
    summary = ingest(paths=[str(corpus_pdfs / PDF)], db_path=str(db_path))
    assert summary.documents == 0 and len(summary.errors) == 1
    assert _query(db_path, "SELECT stage, message FROM ingest_errors") == [
        ("read", f"cannot read {PDF}: Input/output error")
    ]
