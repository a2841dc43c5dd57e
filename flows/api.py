"""Prefect's API for a run: the server in ``PREFECT_API_URL``, or a temporary one started first.

With no ``PREFECT_API_URL``, Prefect starts a temporary API server the moment a
flow is called: this process imports Prefect's server package to do it (seconds),
then waits while the server process imports it again and checks its database
(more seconds). A cold ``quartiers ingest`` paid both, one after the other, before
reading a page. Here the server process is launched first thing, with the command
Prefect itself uses, and this process imports the pipeline and loads its models
while the server boots; the two run on different cores. The run then reaches the
server through ``PREFECT_API_URL`` (settings and environment, so that processes
started from here, Dask workers included, use it too) and stops it at the end.

Two runs starting together would both migrate Prefect's SQLite database, and one
server would die ("database is locked"): a lock on ``PREFECT_HOME`` makes the
second wait until the first server answers.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from importlib.util import find_spec
from pathlib import Path

from .locks import folder_lock

STARTUP_TIMEOUT = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 120))


class ApiStartError(RuntimeError):
    """Prefect's temporary API server did not come up."""


@contextmanager
def prefect_api(while_starting: Callable[[], object] | None = None) -> Iterator[str]:
    """Yield the URL of a Prefect API that this process and its children use.

    ``while_starting`` runs in this process while a temporary server boots (it runs
    too when ``PREFECT_API_URL`` is set, so callers need not care which case they are in).
    """
    url = os.environ.get("PREFECT_API_URL")
    if url:
        if while_starting:
            while_starting()
        yield url
        return
    with TemporaryServer(Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()) as server:
        if while_starting:
            while_starting()
        url = server.wait_ready()
        os.environ["PREFECT_API_URL"] = url
        try:
            from prefect.settings import PREFECT_API_URL, temporary_settings

            with temporary_settings(updates={PREFECT_API_URL: url}):
                yield url
                _drain_prefect_clients()
        finally:
            os.environ.pop("PREFECT_API_URL", None)


def _drain_prefect_clients() -> None:
    """Send Prefect's queued events and logs while the server still runs.

    Prefect's background workers flush at interpreter exit; by then the temporary
    server is gone, and they retry against a closed port for minutes. Prefect's own
    test harness drains them the same way before stopping its server.
    """
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    with contextlib.suppress(RuntimeError):  # never started
        APILogWorker.instance().drain()
    EventsWorker.drain_all(timeout=10)


class TemporaryServer:
    """Prefect's API server in a subprocess, as Prefect runs its own temporary server."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._lock = ExitStack()

    def __enter__(self) -> TemporaryServer:
        self._lock.enter_context(folder_lock(self.home))  # released once the server answers
        self._launch()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait_ready(self) -> str:
        """Block until the server answers its health check; its API URL.

        A server that exits before answering (its port taken meanwhile) is launched
        again on another port, once.
        """
        deadline = time.monotonic() + STARTUP_TIMEOUT
        relaunched = False
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                if relaunched:
                    raise ApiStartError(
                        f"Prefect's temporary API server exited with status {self.process.returncode}"
                    )
                relaunched = True
                self._launch()
            elif _answers(f"{self.url}/health"):
                self._lock.close()
                return self.url
            time.sleep(0.05)
        raise ApiStartError(
            f"Prefect's temporary API server did not answer in {STARTUP_TIMEOUT:g} s"
        )

    def _launch(self) -> None:
        self.port = _free_port()
        spec = find_spec("prefect")
        assert spec is not None and spec.origin is not None
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(Path(spec.origin).parent.parent),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env={
                **os.environ,
                # what Prefect sets for its own temporary server: no UI, ephemeral services
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
            },
            stdin=subprocess.DEVNULL,
        )


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False
