"""Hostile files: a batch full of broken, locked, disguised and oversized PDFs completes.

Each bad file becomes one ``ingest_errors`` row (file, sha256, stage, one-line
message) and one error line, and leaves nothing in the other tables; the good
files of the same batch load fully. Limits (pages, size, pixels, OCR time) are
error rows too, never a crash or an OOM kill. One batch goes through the real
``quartiers ingest`` command; the others call the flow under a real Prefect API.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractors.pdf import ParseLimits, parse_pdf
from flows.ingest import ingest
from schemas.database import TABLES
from tests import hostile

_SCRIPT = Path(sys.executable).parent / "quartiers"
QUARTIERS = (
    [str(_SCRIPT)]
    if _SCRIPT.exists()
    else [sys.executable, "-c", "from quartiers.cli import app; app()"]
)
PER_DOCUMENT = [name for name, spec in TABLES.items() if spec.per_document]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(db_path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def error_rows(db_path: Path) -> dict[str, tuple[str | None, str, str]]:
    """ingest_errors as {file name: (sha256, stage, message)}; fails on two rows for a file."""
    rows = query(db_path, "SELECT file, sha256, stage, message FROM ingest_errors")
    names = [Path(file).name for file, *_ in rows]
    assert len(names) == len(set(names)), f"several error rows for one file: {names}"
    return {Path(file).name: (sha, stage, message) for file, sha, stage, message in rows}


def assert_nothing_stored(db_path: Path, sha: str) -> None:
    """No row of the document in any table but ingest_errors."""
    assert query(db_path, "SELECT COUNT(*) FROM documents WHERE sha256 = ?", (sha,)) == [(0,)]
    for table in PER_DOCUMENT:
        count = query(db_path, f'SELECT COUNT(*) FROM "{table}" WHERE document = ?', (sha,))
        assert count == [(0,)], table


def assert_loaded(db_path: Path, pdf: Path, pages: int) -> None:
    """The document is stored once, with every page."""
    sha = sha256(pdf)
    assert query(db_path, "SELECT COUNT(*) FROM documents WHERE sha256 = ?", (sha,)) == [(1,)]
    assert query(db_path, "SELECT COUNT(*) FROM pages WHERE document = ?", (sha,)) == [(pages,)]


# ---------------------------------------------------------------- the batch

# file name -> (generator, stage of the error row, words of the message); None = loads.
BAD = {
    "vide.pdf": (hostile.zero_bytes, "open", "empty file"),
    "tronqué.pdf": (hostile.truncated_pdf, "open", "truncated"),
    "verrouillé.pdf": (lambda p: hostile.encrypted_pdf(p, "secret"), "open", "password"),
    "page web.pdf": (hostile.html_as_pdf, "open", "html"),
    "image.PDF": (hostile.png_as_pdf, "open", "png"),
    "sans pages.pdf": (hostile.no_pages_pdf, "open", "no pages"),
    "bombe d'image.pdf": (hostile.huge_image_pdf, "ocr", "400000000-pixel image"),
    "ligne\ncassée.pdf": (hostile.zero_bytes, "open", "empty file"),
}
GOOD = {  # file name -> (generator, pages)
    "contrat 2022.pdf": (lambda p: hostile.french_pdf(p, n=1, pages=3), 3),
    "rapport « annuel » d'activité – été.pdf": (lambda p: hostile.french_pdf(p, n=2), 1),
    'guillemets "doubles".pdf': (lambda p: hostile.french_pdf(p, n=3, pages=2), 2),
    "xref cassée.pdf": (hostile.broken_xref_pdf, 1),
    "protégé sans mot de passe.pdf": (lambda p: hostile.encrypted_pdf(p, ""), 1),
    "english report.pdf": (hostile.english_pdf, 1),
}


def make_batch(folder: Path) -> Path:
    """The hostile folder: bad and good files, a subfolder, a symlink loop, a duplicate."""
    folder.mkdir(parents=True)
    for name, (make, *_) in BAD.items():
        make(folder / name)
    for name, (make, _) in GOOD.items():
        make(folder / name)
    sub = folder / "sous dossier"
    sub.mkdir()
    hostile.french_pdf(sub / "annexe.pdf", n=4)
    (sub / "boucle").symlink_to(folder, target_is_directory=True)  # folder -> sub -> folder
    shutil.copy(folder / "contrat 2022.pdf", sub / "copie du contrat.pdf")
    (folder / "notes.txt").write_text("pas un PDF : ignoré dans un dossier\n")
    return folder


@pytest.fixture(scope="module")
def batch(prefect_server, tmp_path_factory):
    folder = make_batch(tmp_path_factory.mktemp("hostile") / "lot")
    db_path = folder.parent / "quartiers.db"
    started = time.perf_counter()
    summary = ingest(paths=[str(folder)], db_path=str(db_path))
    return folder, db_path, summary, time.perf_counter() - started


@pytest.mark.integration
def test_each_bad_file_is_one_error_row_and_one_line(batch):
    folder, db_path, summary, _ = batch
    errors = error_rows(db_path)
    assert set(errors) == set(BAD)
    for name, (_, stage, words) in BAD.items():
        sha, got_stage, message = errors[name]
        assert got_stage == stage, (name, message)
        assert words in message.lower(), (name, message)
        assert message.strip() and "\n" not in message
        if stage != "read":
            assert sha == sha256(folder / name)
    assert len(summary.errors) == len(BAD)
    for line in summary.errors:
        assert "\n" not in line and line.strip()
    assert any("ligne\\ncassée.pdf" in line for line in summary.errors)


@pytest.mark.integration
def test_bad_files_leave_nothing_in_other_tables(batch):
    folder, db_path, _, _ = batch
    for name in BAD:
        assert_nothing_stored(db_path, sha256(folder / name))


@pytest.mark.integration
def test_good_files_of_the_batch_load_fully(batch):
    folder, db_path, summary, _ = batch
    for name, (_, pages) in GOOD.items():
        assert_loaded(db_path, folder / name, pages)
    assert_loaded(db_path, folder / "sous dossier" / "annexe.pdf", 1)
    stored = query(db_path, "SELECT COUNT(*) FROM documents")[0][0]
    assert stored == summary.documents == len(GOOD) + 1
    # French programmation pages: their QPV codes and euro amounts were extracted
    sha = sha256(folder / "contrat 2022.pdf")
    codes = query(db_path, "SELECT DISTINCT code FROM quartier_mentions WHERE document = ?", (sha,))
    amounts = query(db_path, "SELECT value_eur FROM amounts WHERE document = ?", (sha,))
    assert len(codes) == 3 and {12500.0, 48300.0} <= {v for (v,) in amounts}


@pytest.mark.integration
def test_symlink_loop_and_duplicate_name_are_walked_once(batch):
    folder, db_path, summary, seconds = batch
    sha = sha256(folder / "contrat 2022.pdf")
    stored = query(db_path, "SELECT path FROM documents WHERE sha256 = ?", (sha,))
    assert len(stored) == 1
    assert summary.skipped == 2  # the copy under another name, the second empty file
    paths = [p for (p,) in query(db_path, "SELECT path FROM documents")]
    assert not any("boucle" in p for p in paths)
    assert seconds < 120


@pytest.mark.integration
def test_non_french_document_loads_with_no_extractions(batch):
    folder, db_path, _, _ = batch
    sha = sha256(folder / "english report.pdf")
    text = query(db_path, "SELECT text FROM pages WHERE document = ?", (sha,))[0][0]
    assert "housing committee" in text
    for table in ("quartiers", "amounts", "actions"):
        assert query(db_path, f"SELECT COUNT(*) FROM {table} WHERE document = ?", (sha,)) == [(0,)]


@pytest.mark.integration
def test_a_rerun_keeps_one_error_row_per_file_and_loads_nothing_twice(batch, tmp_path):
    folder, db_path, _, _ = batch
    copy = tmp_path / "quartiers.db"
    with sqlite3.connect(db_path) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    before = query(copy, "SELECT COUNT(*) FROM pages")
    summary = ingest(paths=[str(folder)], db_path=str(copy))
    assert len(summary.errors) == len(BAD)
    assert set(error_rows(copy)) == set(BAD)
    assert query(copy, "SELECT COUNT(*) FROM pages") == before


# ---------------------------------------------------------------- big and heavy


@pytest.mark.integration
def test_two_thousand_pages_load_quickly_or_hit_the_page_limit(prefect_server, tmp_path):
    pdf = hostile.many_pages_pdf(tmp_path / "long.pdf", pages=2000)
    db_path = tmp_path / "quartiers.db"
    started = time.perf_counter()
    summary = ingest(paths=[str(pdf)], db_path=str(db_path))
    seconds = time.perf_counter() - started
    print(f"\n2,000-page PDF ingested in {seconds:.1f} s")
    assert summary.errors == [] and summary.pages == 2000
    assert_loaded(db_path, pdf, 2000)
    assert seconds < 90

    limited = tmp_path / "limited.db"
    started = time.perf_counter()
    summary = ingest(paths=[str(pdf)], db_path=str(limited), limits=ParseLimits(max_pages=1000))
    assert time.perf_counter() - started < 30
    ((_, stage, message),) = error_rows(limited).values()
    assert (stage, message) == ("limits", "2000 pages, over the limit of 1000")
    assert_nothing_stored(limited, sha256(pdf))


def test_huge_embedded_image_is_refused_before_rendering(tmp_path):
    """400 million pixels to decode on an A4 page: refused from the image's own size."""
    pdf = hostile.huge_image_pdf(tmp_path / "bomb.pdf")
    assert pdf.stat().st_size < 200_000
    doc = parse_pdf(pdf)
    assert len(doc.warnings) == 1
    assert "400000000-pixel image" in doc.warnings[0]
    assert doc.pages[0].text == ""
    # the same image within the limit is rendered (the refusal comes from the limit)
    small = hostile.huge_image_pdf(tmp_path / "small.pdf", pixels=2000)
    assert parse_pdf(small).warnings == []


# ---------------------------------------------------------------- the command


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*QUARTIERS, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )


def padded_pdf(path: Path, megabytes: float) -> Path:
    """A good PDF followed by ``megabytes`` of comment lines (readers ignore them)."""
    hostile.french_pdf(path, n=5)
    line = b"%" + b"x" * 1023 + b"\n"
    with path.open("ab") as fh:
        fh.write(line * int(megabytes * 1024))
    return path


@pytest.mark.integration
def test_cli_batch_with_every_limit(tmp_path):
    """`quartiers ingest` with the four limit options: one error row and line per breach."""
    folder = tmp_path / "lot"
    folder.mkdir()
    hostile.many_pages_pdf(folder / "long.pdf", pages=120)
    padded_pdf(folder / "lourd.pdf", megabytes=1.5)
    # OCR reads a scan at its own resolution: 300 dpi A4 = 8.7 Mpx, 150 dpi A6 < 1 Mpx
    hostile.scanned_pdf(folder / "scan A4.pdf", hostile.french_lines(1), dpi=300)
    hostile.scanned_pdf(folder / "scan A6.pdf", hostile.french_lines(2), size=(4.13, 5.83))
    hostile.zero_bytes(folder / "vide.pdf")
    good = hostile.french_pdf(folder / "bon.pdf", n=6, pages=2)
    db_path = tmp_path / "quartiers.db"
    limits = ["--max-pages", "100", "--max-file-mb", "1", "--max-pixels", "5000000"]
    done = run_cli("ingest", str(folder), "--db", str(db_path), *limits, "--ocr-timeout", "0.01")
    assert done.returncode == 1, done.stderr
    expected = {
        "long.pdf": ("limits", "120 pages, over the limit of 100"),
        "lourd.pdf": ("limits", "over the limit of 1048576"),
        "scan A4.pdf": ("ocr", "5000000"),  # its raster, or the image it draws
        "scan A6.pdf": ("ocr", "timed out after 0.01 s"),
        "vide.pdf": ("open", "empty file"),
    }
    errors = error_rows(db_path)
    assert set(errors) == set(expected)
    for name, (stage, words) in expected.items():
        assert errors[name][1] == stage and words in errors[name][2], errors[name]
    assert "OCR refused" in errors["scan A4.pdf"][2]
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("error: ")]
    assert len(lines) == len(expected)
    for name in expected:
        assert sum(name in ln for ln in lines) == 1, name
    assert_loaded(db_path, good, 2)
    for name in expected:
        assert_nothing_stored(db_path, sha256(folder / name))
    assert "errors 5 ·" in done.stdout  # the run went to its end: no crash

    # the good file again: nothing failed in this run, nothing doubles
    again = run_cli("ingest", str(good), "--db", str(db_path))
    assert again.returncode == 0, again.stderr
    assert_loaded(db_path, good, 2)
    assert set(error_rows(db_path)) == set(expected)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["/nonexistent/folder"],
        [".", "--max-pages", "0"],
        [".", "--max-file-mb", "-1"],
        [".", "--max-pixels", "many"],
        [".", "--ocr-timeout", "0"],
        [".", "--ocr", "sometimes"],
    ],
)
def test_cli_usage_errors_exit_2(args, tmp_path):
    done = run_cli("ingest", *args, "--db", str(tmp_path / "q.db"), timeout=60)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert not (tmp_path / "q.db").exists()
