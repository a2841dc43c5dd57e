"""Defaults shared by the CLI and the flows: where data goes, and a quiet Prefect.

Prefect reads its settings from the environment when it is first imported, so
:func:`quiet_prefect` must run before any ``import prefect``; the CLI calls it first.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path("data/quartiers.db")
STATE_DIR = Path(os.environ.get("QUARTIERS_STATE_DIR", "var"))


def quiet_prefect() -> None:
    """No telemetry, no banners, no per-task INFO lines; Prefect state kept in ``var/``."""
    defaults = {
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_LOGGING_TO_API_ENABLED": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_HOME": str((STATE_DIR / "prefect").resolve()),
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    # Prefect does not create its home folder; its server then fails to open its database.
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
