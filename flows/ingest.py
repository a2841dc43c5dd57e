"""The ``ingest`` Prefect flow: one task per document, SQLite writes in the flow.

Workers (threads here, Dask workers with ``--task-runner dask``) only parse and
extract; the flow is the single writer, loading each document in its own
transaction as soon as its task finishes, so a crash loses at most the document
being loaded and a bad file is one ``ingest_errors`` row, never a dead batch.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed

from extractors.pdf import ParseError, ParseLimits, parse_pdf
from extractors.registry import extract, extractor_version
from schemas.comparison import ensure_comparison
from schemas.database import ensure_schema, open_db
from schemas.loader import clear_errors, is_loaded, load_document, record_error
from schemas.records import Extraction, ParsedDocument

from .discover import discover_pdfs
from .progress import Progress

OcrMode = Literal["auto", "never", "always"]


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
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@task(name="extract-document", cache_policy=NO_CACHE, persist_result=False)
def extract_document(path: str, ocr: OcrMode, limits: ParseLimits) -> Extracted | Failed:
    """Parse one PDF (text layer or OCR) and run every extractor over it."""
    try:
        parsed = parse_pdf(Path(path), ocr=ocr, limits=limits)
    except ParseError as exc:
        return Failed(exc.stage, exc.message)
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
    summary = IngestSummary(db_path=db_path)
    files, missing = discover_pdfs(Path(p) for p in paths)
    summary.errors.extend(missing)

    db = open_db(db_path)
    ensure_schema(db)
    todo: dict[str, Path] = {}
    for file in files:
        try:
            sha = file_sha256(file)
        except OSError as exc:
            _fail(db, summary, file, None, "read", exc.strerror or str(exc))
            continue
        if sha in todo:
            summary.skipped += 1  # the same bytes under another name in this batch
        elif not force and is_loaded(db, sha, version):
            summary.skipped += 1
        else:
            todo[sha] = file

    with Progress(len(todo), enabled=show_progress) as progress:
        futures = {
            extract_document.submit(str(file), ocr, limits): (sha, file)
            for sha, file in todo.items()
        }
        for future in as_completed(list(futures)):
            sha, file = futures[future]
            outcome = future.result(raise_on_failure=False)
            if isinstance(outcome, Extracted):
                try:
                    load_document(db, outcome.parsed, outcome.extraction, extractor_version=version)
                except Exception as exc:
                    _fail(db, summary, file, sha, "load", f"{type(exc).__name__}: {exc}")
                else:
                    clear_errors(db, sha)
                    _count(summary, outcome)
                progress.advance(len(outcome.parsed.pages))
            elif isinstance(outcome, Failed):
                _fail(db, summary, file, sha, outcome.stage, outcome.message)
                progress.advance(0)
            else:  # the task itself crashed (worker lost, cancelled...)
                _fail(db, summary, file, sha, "task", str(outcome))
                progress.advance(0)
    if summary.documents:
        ensure_comparison(db)  # territories, communes and views follow the loaded documents
    summary.seconds = time.perf_counter() - started
    return summary


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
    line = f"{file}: {stage}: {message}"
    summary.errors.append(line)
    record_error(db, str(file), sha, stage, message)
