"""The ``ingest`` Prefect flow: one task per document, SQLite writes in the flow.

Workers (threads here, Dask workers with ``--task-runner dask``) only parse and
extract; the flow is the single writer, loading each document in its own
transaction as soon as its task finishes, so a crash loses at most the document
being loaded and a bad file is one ``ingest_errors`` row, never a dead batch.
"""

from __future__ import annotations

import hashlib
import queue
import re
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import quote
from sqlite_utils import Database

from extractors.pdf import ParseError, ParseLimits, parse_pdf
from extractors.registry import extract
from extractors.version import extractor_version
from schemas.comparison import ensure_comparison
from schemas.database import ensure_schema, open_db
from schemas.loader import clear_errors, is_loaded, load_document, record_error, stored_parse
from schemas.records import Extraction, ParsedDocument

from .discover import discover_pdfs
from .locks import folder_lock
from .progress import Progress

OcrMode = Literal["auto", "never", "always"]
Job = tuple[str, Path]  # sha256, file


@dataclass
class Extracted:
    parsed: ParsedDocument
    extraction: Extraction


@dataclass
class Failed:
    stage: str
    message: str


@dataclass
class IngestSummary:
    db_path: str
    documents: int = 0
    skipped: int = 0
    pages: int = 0
    ocr_pages: int = 0
    quartiers: int = 0
    amounts: int = 0
    reextracted: int = 0  # documents re-extracted from their stored pages (no parsing)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@cache
def parser_version() -> str:
    """A digest of the parser's code: ``extractors/pdf.py`` and the package modules it imports.

    Stored pages are reused (:func:`~schemas.loader.stored_parse`) only while it is
    unchanged: a fix to parsing or OCR reads the PDFs again, a change to the
    extractors alone does not. Imports are found with a regular expression, not
    ``ast``: CPython 3.11.7's parser fails when another thread parses at the same time.
    """
    package = Path(__file__).resolve().parent.parent / "extractors"
    digest = hashlib.sha256()
    todo, seen = ["pdf"], set()
    while todo:
        name = todo.pop()
        source = package / f"{name}.py"
        if name in seen or not source.is_file():
            continue
        seen.add(name)
        code = source.read_text(encoding="utf-8")
        digest.update(f"{name}\0{code}".encode())
        todo.extend(_PACKAGE_IMPORT.findall(code))
    return digest.hexdigest()[:12]


# "from extractors.pages import …", "from .pages import …", "import extractors.pages"
_PACKAGE_IMPORT = re.compile(r"^\s*(?:from|import)\s+(?:extractors)?\.(\w+)", re.MULTILINE)


def parse_key(ocr: OcrMode, limits: ParseLimits) -> str:
    """What makes two parses of the same bytes equal: parser code, OCR mode and limits."""
    return f"parser {parser_version()}; ocr {ocr}; {limits!r}"


def _io_error(task, task_run, state) -> bool:
    """Retry a document whose file could not be read (a share blinking, a file replaced)."""
    return isinstance(state.result(raise_on_failure=False), OSError)


@task(
    name="extract-document",
    cache_policy=NO_CACHE,
    persist_result=False,
    retries=2,
    retry_delay_seconds=[1, 5],
    retry_condition_fn=_io_error,
)
def extract_document(path: str, ocr: OcrMode, limits: ParseLimits) -> Extracted | Failed:
    """Parse one PDF (text layer or OCR) and run every extractor over it.

    A page the parser could not read (refused by a limit, OCR failed or timed out)
    fails the document: it is loaded whole or not at all, and, not being loaded, is
    tried again by the next run, with a raised limit for instance.
    """
    try:
        parsed = parse_pdf(Path(path), ocr=ocr, limits=limits)
    except ParseError as exc:
        if exc.stage == "read":
            raise OSError(exc.message) from exc  # may be transient: Prefect tries again
        return Failed(exc.stage, exc.message)
    if parsed.warnings:
        stage, _, message = parsed.warnings[0].partition(": ")
        if more := len(parsed.warnings) - 1:
            message += f" (and {more} more page{'s' if more > 1 else ''} not read)"
        return Failed(stage, message)
    return extract_parsed.fn(parsed)


@task(name="extract-parsed", cache_policy=NO_CACHE, persist_result=False)
def extract_parsed(parsed: ParsedDocument) -> Extracted | Failed:
    """Run every extractor over a parsed document (fresh, or rebuilt from the database)."""
    try:
        return Extracted(parsed, extract(parsed))
    except Exception as exc:  # an extractor bug must not kill the batch
        return Failed("extract", f"{type(exc).__name__}: {exc}")


@flow(name="ingest", validate_parameters=False)
def ingest(
    paths: list[str],
    db_path: str,
    ocr: OcrMode = "auto",
    force: bool = False,
    limits: ParseLimits | None = None,
    show_progress: bool = False,
) -> IngestSummary:
    """Ingest PDF files and folders into the SQLite database at ``db_path``."""
    started = time.perf_counter()
    limits = limits or ParseLimits()
    version = extractor_version()
    key = parse_key(ocr, limits)
    summary = IngestSummary(db_path=db_path)
    files, missing = discover_pdfs(Path(p) for p in paths)
    summary.errors.extend(_one_line(m) for m in missing)

    db = prepare_database(db_path)
    todo: dict[str, Path] = {}
    copies: dict[str, list[Path]] = {}  # other names of the same bytes, failing with it
    for file in files:
        try:
            sha = file_sha256(file)
        except OSError as exc:
            _fail(db, summary, file, None, "read", exc.strerror or str(exc))
            continue
        if sha in todo:
            summary.skipped += 1  # the same bytes under another name in this batch
            copies.setdefault(sha, []).append(file)
        elif not force and is_loaded(db, sha, version):
            summary.skipped += 1
        else:
            todo[sha] = file

    with Progress(len(todo), enabled=show_progress) as progress:
        futures = {}
        for sha, file in todo.items():
            stored = None if force else stored_parse(db, sha, key)
            if stored is None:  # absolute: a Dask worker may run in another folder
                future = extract_document.submit(str(file.absolute()), ocr, limits)
            else:
                summary.reextracted += 1
                future = extract_parsed.submit(quote(stored))
            futures[future] = (sha, file)
        for future, (sha, file) in _completed(futures):
            outcome = future.result(raise_on_failure=False)
            if isinstance(outcome, Extracted):
                outcome.parsed.path, outcome.parsed.file_name = str(file), file.name
                try:
                    load_document(
                        db,
                        outcome.parsed,
                        outcome.extraction,
                        extractor_version=version,
                        parse_key=key,
                    )
                except Exception as exc:
                    _fail(db, summary, file, sha, "load", f"{type(exc).__name__}: {exc}")
                else:
                    clear_errors(db, sha)
                    _count(summary, outcome)
                progress.advance(len(outcome.parsed.pages))
            elif isinstance(outcome, Failed):
                for name in (file, *copies.get(sha, ())):
                    _fail(db, summary, name, sha, outcome.stage, outcome.message)
                progress.advance(0)
            else:  # unreadable after retries, or the task crashed (worker lost, cancelled...)
                stage = "read" if isinstance(outcome, OSError) else "task"
                _fail(db, summary, file, sha, stage, str(outcome))
                progress.advance(0)
    if summary.documents:
        with _schema_lock(db_path):
            ensure_comparison(db)  # territories, communes and views follow the documents
    summary.seconds = time.perf_counter() - started
    return summary


def _completed(futures: dict[PrefectFuture, Job]) -> Iterator[tuple[PrefectFuture, Job]]:
    """Each future with its value as it finishes, dropped from ``futures`` once yielded.

    Prefect's ``as_completed`` holds every future, and so every document's records,
    until the last one finishes: memory would grow with the batch. Here a document
    is freed once loaded.
    """
    finished: queue.SimpleQueue[PrefectFuture] = queue.SimpleQueue()
    for future in futures:
        future.add_done_callback(finished.put)
    while futures:
        future = finished.get()
        yield future, futures.pop(future)


def prepare_database(db_path: str) -> Database:
    """Open the database, creating its tables if needed, safely against other runs."""
    with _schema_lock(db_path):
        db = open_db(db_path)
        ensure_schema(db)
    return db


def _schema_lock(db_path: str) -> AbstractContextManager[None]:
    """Lock the database's folder while its schema (or journal mode) may change.

    Two runs starting on a new database both switch it to WAL and create its
    tables; sqlite-utils reads the schema, then writes, inside one deferred
    transaction, and SQLite fails that write at once ("database is locked", the
    busy timeout does not apply) when the other run wrote in between. Schema
    changes take milliseconds; the lock makes one run wait for the other. The
    folder is locked, not the database file: closing another descriptor of that
    file would drop SQLite's own locks on it.
    """
    return folder_lock(Path(db_path).resolve().parent)


def _count(summary: IngestSummary, outcome: Extracted) -> None:
    pages = outcome.parsed.pages
    summary.documents += 1
    summary.pages += len(pages)
    summary.ocr_pages += sum(1 for p in pages if p.method == "ocr")
    summary.quartiers += len(outcome.extraction.quartiers)
    summary.amounts += len(outcome.extraction.amounts)


def _fail(
    db, summary: IngestSummary, file: Path, sha: str | None, stage: str, message: str
) -> None:
    summary.errors.append(_one_line(f"{file}: {stage}: {message}"))
    record_error(db, str(file), sha, stage, message, replace=True)


def _one_line(text: str) -> str:
    """``text`` with control characters (a newline in a file name) written as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
