"""The ``quartiers`` command line: a thin layer over the library, one command per job.

Exit statuses: 0 everything worked, 1 some files failed (each has an
``ingest_errors`` row and a line on stderr) or an evaluation fell under its
thresholds, 2 usage error.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

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


class OcrMode(StrEnum):
    auto = "auto"
    never = "never"
    always = "always"


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
        list[Path], typer.Argument(help="PDF files or folders (searched recursively).")
    ],
    db: DbOption = DEFAULT_DB,
    ocr: Annotated[
        OcrMode, typer.Option(help="OCR pages without usable text (auto), never, or always.")
    ] = OcrMode.auto,
    force: Annotated[bool, typer.Option(help="Re-extract documents already loaded.")] = False,
    workers: Annotated[int, typer.Option(help="Documents processed at once (thread runner).")] = 1,
) -> None:
    """Ingest PDFs into the database (files already loaded are skipped)."""
    summary = _run_ingest([str(p) for p in paths], db, ocr.value, force, workers)
    raise typer.Exit(1 if summary.errors else 0)


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


def _run_ingest(paths: list[str], db: Path, ocr: str, force: bool, workers: int):
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.ingest import ingest as ingest_flow

    flow = ingest_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=workers))
    summary = flow(paths=paths, db_path=str(db), ocr=ocr, force=force, show_progress=True)
    for line in summary.errors:
        typer.echo(f"error: {line}", err=True)
    typer.echo(
        f"documents {summary.documents} (skipped {summary.skipped}) · pages {summary.pages} "
        f"(OCR {summary.ocr_pages}) · quartiers {summary.quartiers} · amounts {summary.amounts} · "
        f"errors {len(summary.errors)} · {summary.seconds:.1f} s"
    )
    typer.echo(f"browse: quartiers browse --db {db}")
    return summary


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
