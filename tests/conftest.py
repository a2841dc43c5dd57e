"""Shared fixtures: a quiet Prefect, one temporary Prefect server for the whole session."""

from __future__ import annotations

import os
import tempfile

import pytest

# Before anything imports prefect: no telemetry, state out of the user's home.
os.environ.setdefault("QUARTIERS_STATE_DIR", tempfile.mkdtemp(prefix="quartiers-test-"))
from quartiers.config import quiet_prefect

quiet_prefect()


@pytest.fixture(scope="session")
def prefect_server():
    """A real Prefect API server (temporary SQLite) shared by the integration tests."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield PREFECT_API_URL.value()


@pytest.fixture(scope="session")
def corpus_pdfs():
    """The bundled corpus PDFs (built once if absent, as ``make run`` does)."""
    from corpus.build import ensure_corpus

    return ensure_corpus()


@pytest.fixture(scope="session")
def corpus_db(prefect_server, corpus_pdfs, tmp_path_factory):
    """The whole corpus ingested once by the real flow into a fresh SQLite file."""
    from flows.ingest import ingest

    db_path = tmp_path_factory.mktemp("corpus") / "quartiers.db"
    summary = ingest(paths=[str(corpus_pdfs)], db_path=str(db_path))
    return db_path, summary


@pytest.fixture(scope="session")
def corpus_export(corpus_db, tmp_path_factory):
    """The gold-json export of the ingested corpus: {pdf stem: document dict}."""
    import json

    from schemas.database import open_db
    from schemas.export import export_gold_json

    out = tmp_path_factory.mktemp("export")
    paths = export_gold_json(open_db(corpus_db[0]), out)
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in paths}
