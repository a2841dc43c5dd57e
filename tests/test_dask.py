"""Scale-out: the document tasks run on the workers of a Dask cluster, the flow loads.

A real ``distributed.LocalCluster`` of two worker processes and a real Prefect API
server: the workers get its URL from their environment, parse and extract, and
hand the records back to the flow, the only SQLite writer.
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from distributed import Client, LocalCluster

from flows.ingest import ingest
from flows.runners import runner_context

pytestmark = pytest.mark.integration

PDFS = ["002_d10b0c97964f8d38.pdf", "004_175d0d4703e41153.pdf"]


def test_ingest_on_a_dask_cluster(prefect_server, corpus_pdfs, tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", prefect_server)  # inherited by the workers
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for name in PDFS:
        shutil.copy(corpus_pdfs / name, folder)
    db_path = tmp_path / "q.db"

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as client,
    ):
        with runner_context("dask", address=cluster.scheduler_address) as runner:
            summary = ingest.with_options(task_runner=runner)(
                paths=[str(folder)], db_path=str(db_path)
            )
        executed = client.run(lambda dask_worker: dask_worker.state.executed_count)

    assert summary.errors == []
    assert summary.documents == 2 and summary.pages == 16
    assert sum(executed.values()) == len(PDFS)  # the tasks ran on the workers
    with sqlite3.connect(db_path) as conn:
        stored = conn.execute("SELECT file_name, pages FROM documents ORDER BY 1").fetchall()
        amounts = conn.execute("SELECT COUNT(*) FROM amounts").fetchone()[0]
    assert stored == [(PDFS[0], 9), (PDFS[1], 7)]
    assert amounts == summary.amounts > 0


def test_thread_runner_refuses_a_dask_address():
    with (
        pytest.raises(ValueError, match="dask task runner"),
        runner_context("thread", address="tcp://127.0.0.1:8786"),
    ):
        pass
