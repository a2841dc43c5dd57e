"""Where the document tasks run: threads of this process, or a Dask cluster.

``thread`` (the default) suits one machine: parsing holds pdfium's lock and OCR
runs in Tesseract processes, so a few threads keep the cores busy. ``dask`` sends
each document task to the workers of a Dask cluster: the scheduler at ``address``,
or a local cluster started for the run. The flow still runs here and stays the
only SQLite writer.

Either way the Prefect API must be up first (:func:`flows.api.prefect_api`), its
URL in the environment: Dask workers inherit it, where they would otherwise each
start a server of their own.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Literal

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

RunnerKind = Literal["thread", "dask"]


@contextmanager
def runner_context(
    kind: RunnerKind = "thread", *, workers: int = 1, address: str | None = None
) -> Iterator[TaskRunner]:
    """A task runner for flows run inside the block: ``workers`` threads, or Dask.

    With ``dask`` and no ``address``, a local cluster of ``workers`` single-threaded
    processes lives as long as the block (extraction is pure Python: processes, not
    threads, use several cores), so successive flows (``quartiers watch``) share it.
    """
    if kind not in ("thread", "dask"):
        raise ValueError(f"unknown task runner {kind!r}: thread or dask")
    if kind == "thread" and address:
        raise ValueError("a Dask address needs the dask task runner")
    with ExitStack() as stack:
        if kind == "thread":
            yield ThreadPoolTaskRunner(max_workers=workers)
            return
        from prefect_dask import DaskTaskRunner

        # Dask logs its scheduler's comings and goings at INFO; Prefect prints what reaches root.
        logging.getLogger("distributed").setLevel(logging.WARNING)
        if not address:
            from distributed import LocalCluster

            cluster = stack.enter_context(
                LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
            )
            address = cluster.scheduler_address
        yield DaskTaskRunner(address=address)


def warm_up_extractors() -> None:
    """Run the extractors over a one-line document, so models and reference data load now.

    The first document of a process pays for loading spaCy's French model and the
    reference files (seconds); done while Prefect's server starts (the ``thread``
    runner extracts in this process), that costs no time. A failure is left for the
    real documents to report.
    """
    from extractors.registry import extract
    from schemas.records import Page, ParsedDocument

    page = Page(number=1, text="Contrat de ville", method="text", width=595.0, height=842.0)
    with contextlib.suppress(Exception):
        extract(ParsedDocument("warm-up", "warm-up.pdf", "warm-up.pdf", [page]))
