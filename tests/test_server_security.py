"""The browsing server resists its visitors: slow SQL is cut off, nothing is written,
nothing but the known PDFs can be fetched, and it listens on the loopback only.

What tests/test_browse.py already covers (the PDF route refusing traversal and
unknown hashes, POSTs refused, ``DELETE`` through ``?sql=``) is not repeated here.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import httpx
import pytest

from quartiers.browse import SQL_TIME_LIMIT_MS
from tests.test_browse import build_browse_db, start_browse, stop_browse

pytestmark = pytest.mark.integration

ENDLESS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_browse(build_browse_db(tmp_path_factory.mktemp("secure")))
    folder = server.db.path.parent
    before = (digest(server.db.path), sorted(p.name for p in folder.iterdir()))
    yield server, before
    stop_browse(server)


def get_sql(server, sql: str, timeout: float = 30) -> httpx.Response:
    return httpx.get(f"{server.url}/{server.database}.json", params={"sql": sql}, timeout=timeout)


def test_a_slow_query_is_cut_off_and_the_server_goes_on(server):
    server, _ = server
    started = time.monotonic()
    response = get_sql(server, ENDLESS)
    elapsed = time.monotonic() - started
    assert response.status_code == 400
    assert "too long" in response.text.lower()
    assert elapsed < SQL_TIME_LIMIT_MS / 1000 + 5
    table = f"{server.url}/{server.database}/amounts.json"
    assert httpx.get(table, params={"_size": 1}).status_code == 200


def test_a_slow_query_inside_a_table_filter_is_cut_off(server):
    """The time limit also bounds SQL reached through ``_where`` on a table page."""
    server, _ = server
    started = time.monotonic()
    response = httpx.get(
        f"{server.url}/{server.database}/amounts.json",
        params={"_where": f"id IN (SELECT i FROM ({ENDLESS.replace('COUNT(*)', 'i')}))"},
        timeout=30,
    )
    assert response.status_code >= 400
    assert time.monotonic() - started < SQL_TIME_LIMIT_MS / 1000 + 5


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE amounts SET value_eur = 0",
        "INSERT INTO ingest_errors (file) VALUES ('x')",
        "WITH t AS (SELECT 1) INSERT INTO ingest_errors (file) SELECT 'x' FROM t",
        "DROP TABLE amounts",
        "CREATE TABLE evil (a)",
        "PRAGMA journal_mode = DELETE",
        "PRAGMA writable_schema = ON",
        "VACUUM",
        "ATTACH DATABASE '{folder}/evil.db' AS evil",
        "VACUUM INTO '{folder}/copy.db'",
        "SELECT load_extension('/tmp/evil.so')",
    ],
)
def test_write_and_escape_statements_are_refused(server, sql):
    server, _ = server
    folder = server.db.path.parent
    response = get_sql(server, sql.format(folder=folder))
    assert response.status_code >= 400, sql
    assert not (folder / "evil.db").exists() and not (folder / "copy.db").exists()


@pytest.mark.parametrize(
    "path",
    [
        "/quartiers.db",  # the download of the whole database
        "/-/static/../../../../etc/passwd",
        "/-/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/-/static-plugins/quartiers/..%2F..%2F..%2Fetc%2Fpasswd",
        "/-/pdf/%00",
        "/-/pdf/" + "a" * 64 + "%00.pdf",
    ],
)
def test_no_file_but_the_known_pdfs_can_be_fetched(server, path):
    server, _ = server
    with httpx.Client() as client:
        request = client.build_request("GET", server.url)
        request.url = request.url.copy_with(raw_path=path.encode())
        response = client.send(request, follow_redirects=True)  # Datasette re-encodes "%2F"
    assert response.status_code in (400, 403, 404), path
    assert b"root:" not in response.content and b"SQLite format" not in response.content


def test_the_server_listens_on_the_loopback_only(server):
    server, _ = server
    port = int(server.url.rsplit(":", 1)[1])
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                listening.append(address)
    assert listening == ["0100007F"]  # 127.0.0.1, not 0.0.0.0 nor ::


def test_the_database_file_is_unchanged_after_all_of_this(server):
    """Runs last: whatever the tests above sent, the file and its folder are as served."""
    server, (sha_before, files_before) = server
    for sql in ("DELETE FROM documents", "PRAGMA wal_checkpoint(TRUNCATE)"):
        get_sql(server, sql)
    httpx.post(f"{server.url}/{server.database}/documents/-/insert", json={"row": {}})
    folder = server.db.path.parent
    assert digest(server.db.path) == sha_before
    assert sorted(p.name for p in folder.iterdir()) == files_before  # no -wal, no -shm
