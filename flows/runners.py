"""Where the document tasks run: threads of this process, or a Dask cluster.

``thread`` (the default) suits one machine: parsing holds pdfium's lock and OCR
runs in Tesseract processes, so a few threads keep the cores busy. ``dask`` sends
each document task to the workers of a Dask cluster: the scheduler at ``address``,
or a local cluster started for the run. The flow still runs here and stays the
only SQLite writer.

Either way the Prefect API is made ready before the flow starts. With no
``PREFECT_API_URL`` configured, Prefect starts a temporary server for this process
(seconds of CPU); here that happens while the thread runner's extractors load their
models in this process, and its URL is handed to Dask workers, which would
otherwise each start a server of their own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Literal

from prefect.settings import PREFECT_API_URL, temporary_settings
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
            stack.enter_context(shared_api(while_starting=warm_up_extractors))
            yield ThreadPoolTaskRunner(max_workers=workers)
            return
        from prefect_dask import DaskTaskRunner

        # Dask logs its scheduler's comings and goings at INFO; Prefect prints what reaches root.
        logging.getLogger("distributed").setLevel(logging.WARNING)
        stack.enter_context(shared_api())
        if not address:
            from distributed import LocalCluster

            cluster = stack.enter_context(
                LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
            )
            address = cluster.scheduler_address
        yield DaskTaskRunner(address=address)


@contextmanager
def shared_api(while_starting: Callable[[], object] | None = None) -> Iterator[str]:
    """Make sure the Prefect API has a URL that processes started from here can use.

    With ``PREFECT_API_URL`` set, nothing changes (``while_starting`` is not run).
    Otherwise Prefect's temporary server is started now (Prefect would start it for
    the flow anyway), running ``while_starting`` meanwhile, and its URL is set in this process's settings
    (which Prefect hands to remote tasks) and in the environment (which new worker
    processes inherit).
    """
    url = PREFECT_API_URL.value()
    if url:
        yield url
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # stopped when this process exits, as Prefect does
    failed: list[BaseException] = []

    def start() -> None:
        try:
            server.start()
        except BaseException as exc:
            failed.append(exc)

    starting = threading.Thread(target=start, name="prefect-api")
    starting.start()  # mostly waits on the server process: the GIL is free meanwhile
    if while_starting:
        while_starting()
    starting.join()
    if failed:
        raise failed[0]
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield server.api_url
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous


def warm_up_extractors() -> None:
    """Run the extractors over a one-line document, so models and reference data load now.

    The first document of a process pays for loading spaCy's French model and the
    reference files (seconds); done while Prefect's server starts, that costs no
    time. A failure is left for the real documents to report.
    """
    from extractors.registry import extract
    from schemas.records import Page, ParsedDocument

    page = Page(number=1, text="Contrat de ville", method="text", width=595.0, height=842.0)
    with contextlib.suppress(Exception):
        extract(ParsedDocument("warm-up", "warm-up.pdf", "warm-up.pdf", [page]))
