"""Shared fixtures: a quiet Prefect, one temporary Prefect server for the whole session."""

from __future__ import annotations

import os
import tempfile

import pytest

# Before anything imports prefect: no telemetry, state out of the user's home.
os.environ.setdefault("QUARTIERS_STATE_DIR", tempfile.mkdtemp(prefix="quartiers-test-"))
from quartiers.config import quiet_prefect  # noqa: E402

quiet_prefect()


@pytest.fixture(scope="session")
def prefect_server():
    """A real Prefect API server (temporary SQLite) shared by the integration tests."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield PREFECT_API_URL.value()
