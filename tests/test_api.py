"""The Prefect API a run uses: a temporary server started early, or the configured one."""

from __future__ import annotations

import os
import urllib.request

import pytest

from flows.api import TemporaryServer, prefect_api

pytestmark = pytest.mark.integration


def test_temporary_server_boots_while_the_caller_works_and_stops_after(tmp_path, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    seen: dict[str, object] = {}

    def meanwhile() -> None:
        seen["url while starting"] = os.environ.get("PREFECT_API_URL")

    with prefect_api(while_starting=meanwhile) as url:
        from prefect.settings import PREFECT_API_URL

        with urllib.request.urlopen(f"{url}/health", timeout=10) as response:
            assert response.status == 200
        assert os.environ["PREFECT_API_URL"] == url == PREFECT_API_URL.value()
    assert seen["url while starting"] is None  # ran before the server was ready
    assert "PREFECT_API_URL" not in os.environ
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/health", timeout=2)


def test_a_configured_api_is_used_as_is(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    ran = []
    with prefect_api(while_starting=lambda: ran.append(True)) as url:
        assert url == "http://127.0.0.1:9/api"
    assert ran == [True]
    assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:9/api"


def test_a_second_server_waits_for_the_first_to_answer(tmp_path):
    """Two servers on one PREFECT_HOME never migrate its database at the same time."""
    import threading

    home = tmp_path / "prefect"
    order: list[str] = []
    with TemporaryServer(home) as first:
        second_entered = threading.Event()

        def second() -> None:
            with TemporaryServer(home) as other:
                order.append("second launched")
                second_entered.set()
                other.wait_ready()

        thread = threading.Thread(target=second)
        thread.start()
        assert not second_entered.wait(1.0)  # held by the first server's start-up
        first.wait_ready()
        order.append("first ready")
        thread.join(timeout=120)
    assert order == ["first ready", "second launched"]
