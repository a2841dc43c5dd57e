"""The ``quartiers`` command line: a thin layer over the library, one command per job.

Exit statuses: 0 everything worked, 1 some files failed (each has an
``ingest_errors`` row and a line on stderr) or an evaluation fell under its
thresholds, 2 usage error.
"""

from __future__ import annotations

import contextlib
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from extractors.limits import ParseLimits

from .config import DEFAULT_DB, quiet_prefect

quiet_prefect()  # before anything imports prefect

app = typer.Typer(
    help="Turn politique de la ville PDFs into a queryable SQLite database.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
corpus_app = typer.Typer(help="The bundled corpus of contract PDFs.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")

DbOption = Annotated[Path, typer.Option("--db", help="SQLite database file.")]
_LIMITS = ParseLimits()  # the defaults of the limit options
_MIB = 1024 * 1024


def _positive(value: float) -> float:
    if value <= 0:
        raise typer.BadParameter("must be more than 0")
    return value


class OcrMode(StrEnum):
    auto = "auto"
    never = "never"
    always = "always"


class TaskRunner(StrEnum):
    thread = "thread"
    dask = "dask"


RunnerOption = Annotated[
    TaskRunner,
    typer.Option(
        "--task-runner", help="Run document tasks in threads, or on a Dask cluster (dask)."
    ),
]
DaskAddressOption = Annotated[
    str | None,
    typer.Option(
        help="Scheduler of a running Dask cluster, tcp://HOST:PORT (default: a local cluster)."
    ),
]


class ExportFormat(StrEnum):
    gold_json = "gold-json"
    csv = "csv"


class CompareFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@corpus_app.command("build")
def corpus_build(
    out: Annotated[Path | None, typer.Option(help="Output folder (default corpus/pdf).")] = None,
    force: Annotated[bool, typer.Option(help="Rebuild files that already exist.")] = False,
) -> None:
    """Render the bundled seed texts into born-digital and scanned PDFs."""
    from corpus.build import DEFAULT_PDF_DIR, build_corpus

    entries = build_corpus(out or DEFAULT_PDF_DIR, force=force)
    for entry in entries:
        typer.echo(f"{entry.file}\t{entry.kind}\t{entry.pages} pages")


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="PDF files or folders (searched recursively).", exists=True),
    ],
    db: DbOption = DEFAULT_DB,
    ocr: Annotated[
        OcrMode, typer.Option(help="OCR pages without usable text (auto), never, or always.")
    ] = OcrMode.auto,
    force: Annotated[bool, typer.Option(help="Re-extract documents already loaded.")] = False,
    workers: Annotated[
        int, typer.Option(help="Documents processed at once (threads, or local Dask workers).")
    ] = 1,
    task_runner: RunnerOption = TaskRunner.thread,
    dask_address: DaskAddressOption = None,
    max_pages: Annotated[
        int, typer.Option(min=1, help="Refuse documents with more pages.")
    ] = _LIMITS.max_pages,
    max_file_mb: Annotated[
        float, typer.Option(callback=_positive, help="Refuse files larger than this (MiB).")
    ] = _LIMITS.max_file_bytes / _MIB,
    max_pixels: Annotated[
        int,
        typer.Option(
            min=1, help="Refuse a document with a page whose OCR would decode more pixels."
        ),
    ] = _LIMITS.max_pixels,
    ocr_timeout: Annotated[
        float, typer.Option(callback=_positive, help="Seconds of OCR per page before giving up.")
    ] = _LIMITS.ocr_timeout_s,
) -> None:
    """Ingest PDFs into the database (files already loaded are skipped).

    A file that cannot be read, or exceeds a limit, becomes a row of the ingest_errors
    table and a line on stderr; the others load. Exit 0 when every file loaded, 1 when
    some failed, 2 on a usage error.
    """
    limits = ParseLimits(
        max_file_bytes=int(max_file_mb * _MIB),
        max_pages=max_pages,
        max_pixels=max_pixels,
        ocr_timeout_s=ocr_timeout,
    )
    summary = _run_ingest(
        [str(p) for p in paths],
        db,
        ocr.value,
        force,
        workers,
        limits,
        runner=task_runner.value,
        address=dask_address,
    )
    raise typer.Exit(1 if summary.errors else 0)


@app.command("watch")
def watch_folder(
    folder: Annotated[
        Path,
        typer.Argument(
            help="Folder to watch (searched recursively).", exists=True, file_okay=False
        ),
    ],
    db: DbOption = DEFAULT_DB,
    interval: Annotated[
        float, typer.Option(callback=_positive, help="Seconds between two looks at the folder.")
    ] = 5.0,
    once: Annotated[
        bool, typer.Option(help="Stop once every file present is ingested, instead of watching.")
    ] = False,
    ocr: Annotated[
        OcrMode, typer.Option(help="OCR pages without usable text (auto), never, or always.")
    ] = OcrMode.auto,
    workers: Annotated[
        int, typer.Option(help="Documents processed at once (threads, or local Dask workers).")
    ] = 1,
    task_runner: RunnerOption = TaskRunner.thread,
    dask_address: DaskAddressOption = None,
) -> None:
    """Ingest PDFs as they arrive in FOLDER, once their size stops changing (Ctrl-C stops).

    Files already there are ingested first (loaded ones are skipped); a file that
    changes is ingested again.
    """
    from flows.api import prefect_api

    try:
        with prefect_api(while_starting=lambda: _load_pipeline(task_runner.value)):
            from flows.watch import watch as watch_flow

            summary = watch_flow(
                folder=str(folder),
                db_path=str(db),
                interval=interval,
                once=once,
                ocr=ocr.value,
                runner=task_runner.value,
                workers=workers,
                address=dask_address,
                echo=True,
            )
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
    raise typer.Exit(1 if summary.errors else 0)


@app.command()
def bench(
    quick: Annotated[bool, typer.Option(help="A smoke test: small inputs, one run each.")] = False,
    repeat: Annotated[int, typer.Option(min=1, help="Runs of each measure (median kept).")] = 3,
    out: Annotated[Path | None, typer.Option(help="JSON results file.")] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(help="Section to run (repeatable): text, scan, reingest, scaling, cold."),
    ] = None,
) -> None:
    """Measure throughput, re-ingest, scaling and cold start against reference tools."""
    from bench.run import SECTIONS, run_benchmark

    if unknown := set(only or ()) - set(SECTIONS):
        raise typer.BadParameter(f"unknown sections {sorted(unknown)}", param_hint="--only")
    run_benchmark(quick=quick, repeat=repeat, out=out, only=only or ())


@app.command()
def run(
    db: DbOption = DEFAULT_DB,
    workers: Annotated[int, typer.Option(help="Documents processed at once.")] = 1,
) -> None:
    """Build the bundled corpus if needed and ingest it: the main job."""
    from corpus.build import ensure_corpus

    folder = ensure_corpus()
    summary = _run_ingest([str(folder)], db, "auto", False, workers)
    raise typer.Exit(1 if summary.errors else 0)


def _run_ingest(
    paths: list[str],
    db: Path,
    ocr: str,
    force: bool,
    workers: int,
    limits: ParseLimits | None = None,
    *,
    runner: str = "thread",
    address: str | None = None,
):
    if not force and (count := _all_loaded(paths, db)) is not None:
        typer.echo(f"documents 0 (skipped {count}): every file is loaded with these extractors")
        raise typer.Exit(0)
    from flows.api import prefect_api

    with prefect_api(while_starting=lambda: _load_pipeline(runner)):
        from flows.ingest import ingest as ingest_flow
        from flows.runners import runner_context

        with runner_context(runner, workers=workers, address=address) as task_runner:
            summary = ingest_flow.with_options(task_runner=task_runner)(
                paths=paths,
                db_path=str(db),
                ocr=ocr,
                force=force,
                limits=limits,
                show_progress=True,
            )
    for line in summary.errors:
        typer.echo(f"error: {line}", err=True)
    reused = f" · {summary.reextracted} from stored pages" if summary.reextracted else ""
    typer.echo(
        f"documents {summary.documents} (skipped {summary.skipped}) · pages {summary.pages} "
        f"(OCR {summary.ocr_pages}) · quartiers {summary.quartiers} · amounts {summary.amounts} · "
        f"errors {len(summary.errors)}{reused} · {summary.seconds:.1f} s"
    )
    typer.echo(f"browse: quartiers browse --db {db}")
    return summary


def _load_pipeline(runner: str) -> None:
    """Import the flow and, when documents are extracted in this process, load the models.

    Run while Prefect's temporary server boots: both take seconds, on different cores.
    """
    import flows.ingest  # noqa: F401  (Prefect, the parser, the extractors)
    from flows.runners import warm_up_extractors

    if runner == "thread":
        warm_up_extractors()


def _all_loaded(paths: list[str], db: Path) -> int | None:
    """The number of files, when every one is loaded with the current extractors; else None.

    Checked without Prefect, so a re-run over unchanged files ends in the time it
    takes to hash them instead of starting Prefect's API server for nothing. Plain
    ``sqlite3``, read-only, and the light :mod:`extractors.version`: importing
    sqlite-utils (numpy) or the extractors (spaCy) would cost more than the check.
    """
    import hashlib
    import sqlite3

    from extractors.version import extractor_version
    from flows.discover import discover_pdfs

    files, missing = discover_pdfs(Path(p) for p in paths)
    if missing or not files or not db.is_file():
        return None
    version = extractor_version()
    query = "SELECT 1 FROM documents WHERE sha256 = ? AND extractor_version = ?"
    try:
        with contextlib.closing(
            sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        ) as con:
            for file in files:
                with file.open("rb") as fh:
                    sha = hashlib.file_digest(fh, "sha256").hexdigest()
                if con.execute(query, [sha, version]).fetchone() is None:
                    return None
    except (OSError, sqlite3.Error):
        return None  # the flow will say what is wrong
    return len(files)


@app.command()
def export(
    db: DbOption = DEFAULT_DB,
    format: Annotated[
        ExportFormat, typer.Option("--format", help="gold-json or csv.")
    ] = ExportFormat.gold_json,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("data/export"),
) -> None:
    """Export the database: one gold-schema JSON per document, or one CSV per table."""
    from schemas.database import open_db
    from schemas.export import export_csv, export_gold_json

    database = open_db(db)
    written = (
        export_gold_json(database, out)
        if format is ExportFormat.gold_json
        else export_csv(database, out)
    )
    typer.echo(f"wrote {len(written)} files to {out}")


@app.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Option(help="Folder of gold JSON files.")],
    db: Annotated[Path | None, typer.Option(help="Database to evaluate.")] = None,
    pred: Annotated[
        Path | None, typer.Option(help="Folder of exported JSON files to evaluate.")
    ] = None,
    min_f1: Annotated[
        list[str] | None,
        typer.Option("--min", help="Threshold SECTION=F1 (e.g. amounts=0.97); exit 1 under it."),
    ] = None,
) -> None:
    """Precision, recall and F1 per section against hand annotations."""
    from quartiers.evaluate import evaluate as run_eval
    from quartiers.evaluate import evaluate_db, format_report
    from schemas.database import open_db

    if (db is None) == (pred is None):
        raise typer.BadParameter("give exactly one of --db or --pred")
    thresholds = {}
    for item in min_f1 or []:
        section, _, value = item.partition("=")
        try:
            thresholds[section] = float(value)
        except ValueError:
            raise typer.BadParameter(f"--min {item!r}: expected SECTION=NUMBER") from None
    report = evaluate_db(gold, open_db(db)) if db else run_eval(gold, pred)
    typer.echo(format_report(report))
    try:
        failures = report.failures(thresholds)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--min") from None
    for line in failures:
        typer.echo(f"eval: {line}", err=True)
    raise typer.Exit(1 if failures else 0)


@app.command()
def compare(
    db: DbOption = DEFAULT_DB,
    territory: Annotated[
        list[str] | None,
        typer.Option(help="SIREN, acronym, contract code or name words (repeatable)."),
    ] = None,
    year: Annotated[list[int] | None, typer.Option(help="Year to keep (repeatable).")] = None,
    format: Annotated[
        CompareFormat, typer.Option("--format", help="table, csv or json.")
    ] = CompareFormat.table,
    plot: Annotated[Path | None, typer.Option(help="Also draw the comparison to this PNG.")] = None,
) -> None:
    """Put the territories of the loaded documents side by side."""
    import sys

    from rich.console import Console

    from quartiers.compare import (
        compare_territories,
        plot_comparison,
        summary_table,
        to_json,
        write_csv,
    )
    from schemas.comparison import ensure_comparison
    from schemas.database import open_db

    if not db.exists():
        typer.echo(f"error: {db} does not exist; run `quartiers ingest` first", err=True)
        raise typer.Exit(2)
    database = open_db(db)
    ensure_comparison(database)
    summaries = compare_territories(database, territories=territory or (), years=year or ())
    if not summaries:
        typer.echo("error: no territory matches", err=True)
        raise typer.Exit(1)
    if format is CompareFormat.table:
        Console().print(summary_table(summaries))
    elif format is CompareFormat.csv:
        write_csv(summaries, sys.stdout)
    else:
        typer.echo(to_json(summaries))
    if plot:
        typer.echo(f"chart: {plot_comparison(summaries, plot)}", err=True)


@app.command()
def browse(
    db: DbOption = DEFAULT_DB,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8001,
    pdf_root: Annotated[
        Path | None,
        typer.Option(help="Folder relative PDF paths start from (default: current folder)."),
    ] = None,
) -> None:
    """Serve the database read-only with Datasette on 127.0.0.1 (PDFs at /-/pdf/<sha256>)."""
    from quartiers.browse import serve

    if not db.exists():
        typer.echo(f"error: {db} does not exist; run `quartiers ingest` first", err=True)
        raise typer.Exit(2)
    serve(db, port=port, pdf_root=pdf_root)
