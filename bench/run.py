"""``quartiers bench``: the pipeline's speed and footprint against reference tools.

Everything is measured in one run, on the same files; each figure is the median of
``--repeat`` runs, and the two sides of a comparison run alternately so that a busy
machine slows both alike. CPU seconds (this process and its children) are kept
beside wall seconds: on a shared machine they are the steadier figure.

- born-digital: the pipeline (parse + extract: the ingest task's function, one
  document at a time) against bare pdfplumber ``extract_text``, in pages/s;
- scanned: the pipeline (two documents at a time, as ``--workers 2``) against bare
  ``tesseract -l fra`` (2 processes,
  OMP_THREAD_LIMIT=1) over the very images the pipeline OCRs (rendered as it does)
  and over the scanner's own images, and against ``ocrmypdf --jobs 2 -l fra``;
- re-ingest: ``quartiers ingest`` of an unchanged corpus minus the start-up of
  ``quartiers --help``; and re-extraction from the stored pages (what a new
  extractor version costs) in pages/s;
- scaling: the born-digital corpus ×1, ×4, ×16 (copies made distinct by a comment
  after %%EOF) through ``quartiers ingest --workers 2``: wall time, and peak RSS of
  the largest process (``wait4`` rusage) and of the whole process tree (sampled);
- cold start: ``quartiers ingest`` of one 10-page PDF into a new database.

A table and the targets are printed; everything goes to a JSON file in
``bench/results/``. ``--quick`` is a smoke test: small inputs, one run each.
Run ``quartiers bench`` or ``python -m bench.run``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
SCALES, QUICK_SCALES = (1, 4, 16), (1, 2)
WORKERS = 2  # OCR processes and ingest workers: the reference machine has 2 cores
COLD_PAGES = 10
MIB = 1024 * 1024


# ------------------------------------------------------------------ measures


@dataclass
class Row:
    """One measure over ``pages`` pages: wall and CPU seconds of each run."""

    section: str
    name: str
    pages: int
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_rss_mb: float | None = None  # largest single process, worst run
    tree_rss_mb: float | None = None  # whole process tree (sampled), worst run
    note: str = ""

    @property
    def seconds(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_seconds(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu else None

    @property
    def pages_per_s(self) -> float | None:
        return self.pages / self.seconds if self.pages and self.seconds > 0 else None

    def add(self, run: Run) -> None:
        self.wall.append(run.wall)
        self.cpu.append(run.cpu)
        self.peak_rss_mb = max(self.peak_rss_mb or 0.0, run.peak_rss_mb)
        self.tree_rss_mb = max(self.tree_rss_mb or 0.0, run.tree_rss_mb)

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "seconds": self.seconds,
            "cpu_seconds": self.cpu_seconds,
            "pages_per_s": self.pages_per_s,
        }


@dataclass
class Target:
    name: str
    value: float | None
    limit: float
    at_least: bool  # met when value >= limit (else when value <= limit)
    unit: str = "×"

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.limit if self.at_least else self.value <= self.limit


@dataclass
class Results:
    meta: dict
    rows: list[Row] = field(default_factory=list)
    ratios: list[dict] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def ratio(self, name: str, fast: Row, slow: Row, target: float | None = None) -> float:
        """How many times ``fast``'s pages/s is ``slow``'s (same pages), wall and CPU."""
        wall = (fast.pages / fast.seconds) / (slow.pages / slow.seconds)
        cpu = None
        if fast.cpu_seconds and slow.cpu_seconds:
            cpu = (fast.pages / fast.cpu_seconds) / (slow.pages / slow.cpu_seconds)
        self.ratios.append({"name": name, "wall": wall, "cpu": cpu})
        if target is not None:
            self.targets.append(Target(name, wall, target, at_least=True))
        return wall

    def as_dict(self) -> dict:
        return {
            "meta": self.meta,
            "rows": [r.as_dict() for r in self.rows],
            "ratios": self.ratios,
            "targets": [{**asdict(t), "met": t.met} for t in self.targets],
            "errors": self.errors,
        }


@dataclass
class Run:
    wall: float
    cpu: float
    peak_rss_mb: float = 0.0
    tree_rss_mb: float = 0.0
    output: str = ""


def timed(fn: Callable[[], object], row: Row) -> object:
    """Call ``fn`` once in this process, adding its wall and CPU time (children too) to ``row``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    row.add(Run(wall, time.process_time() - cpu + children))
    return result


# Runs a command and writes its wall time and getrusage(RUSAGE_CHILDREN) to a file. A
# small process of its own: a child's ru_maxrss starts at the size of the process that
# forked it, so the benchmark process (spaCy loaded) must not be the one forking.
_MEASURE = """\
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[2:])
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as out:
    out.write(f"{wall} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}")
sys.exit(code)
"""


def run_measured(
    cmd: Sequence[str], *, check: bool = True, env: dict[str, str] | None = None
) -> Run:
    """Run ``cmd``: wall and CPU time, and peak RSS of its largest process and of its tree.

    ``getrusage(RUSAGE_CHILDREN)`` covers the command and the descendants it waited
    for; its ``ru_maxrss`` is the largest of them. The tree (Prefect's server, OCR
    processes, Dask workers) is also summed every 50 ms, as no rusage adds them up.
    """
    with tempfile.TemporaryDirectory() as tmp:
        figures, log = Path(tmp) / "rusage", Path(tmp) / "output"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-c", _MEASURE, str(figures), *cmd],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                env=env,
            )
            tree = 0
            while proc.poll() is None:
                tree = max(tree, _tree_rss(proc.pid))
                time.sleep(0.05)
        output = log.read_text(encoding="utf-8", errors="replace")
        if check and proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{output[-2000:]}")
        wall, cpu, maxrss = (float(v) for v in figures.read_text().split())
    return Run(wall, cpu, maxrss / 1024, tree / MIB, output)


def _tree_rss(pid: int) -> int:
    import psutil

    try:  # the measuring process itself left out
        procs = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return 0
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):  # ended meanwhile
            total += proc.memory_info().rss
    return total


# ------------------------------------------------------------------ inputs


@dataclass
class Inputs:
    text: list[Path]
    scans: list[Path]
    ten_pages: Path
    work: Path

    @property
    def documents(self) -> list[Path]:
        return [*self.text, *self.scans]


def page_count(paths: Iterable[Path]) -> int:
    import pypdfium2 as pdfium

    total = 0
    for path in paths:
        pdf = pdfium.PdfDocument(path)
        total += len(pdf)
        pdf.close()
    return total


def first_pages(src: Path, count: int, dst: Path) -> Path:
    """A PDF of the first ``count`` pages of ``src``."""
    import pypdfium2 as pdfium

    pdf, new = pdfium.PdfDocument(src), pdfium.PdfDocument.new()
    try:
        new.import_pages(pdf, list(range(min(count, len(pdf)))))
        new.save(dst)
    finally:
        new.close()
        pdf.close()
    return dst


def prepare(work: Path, quick: bool) -> Inputs:
    """The corpus (built if absent), split into born-digital and scanned files."""
    from corpus.build import DEFAULT_PDF_DIR, build_corpus

    entries = build_corpus(DEFAULT_PDF_DIR)
    text = [DEFAULT_PDF_DIR / e.file for e in entries if e.kind == "text"]
    scans = [DEFAULT_PDF_DIR / e.file for e in entries if e.kind == "scan"]
    long_enough = next(DEFAULT_PDF_DIR / e.file for e in entries if e.pages >= COLD_PAGES)
    ten = first_pages(long_enough, COLD_PAGES, work / "ten-pages.pdf")
    if quick:
        text = sorted(text, key=lambda p: p.stat().st_size)[:2]
        smallest = min(scans, key=lambda p: p.stat().st_size)
        scans = [first_pages(smallest, 2, work / "scan-2-pages.pdf")]
    return Inputs(text, scans, ten, work)


# ------------------------------------------------------------------ the pipeline


def pipeline(paths: Iterable[Path], workers: int = 1) -> dict[Path, object]:
    """Parse and extract each file with the ingest task's function; fails on a failed file.

    ``workers`` documents at a time, as ``quartiers ingest --workers N`` runs them
    (their OCR shares the same Tesseract slots).
    """
    from extractors.limits import ParseLimits
    from flows.ingest import Extracted, extract_document

    def one(path: Path) -> tuple[Path, object]:
        outcome = extract_document.fn(str(path), "auto", ParseLimits())
        if not isinstance(outcome, Extracted):
            raise RuntimeError(f"{path}: {outcome}")
        return path, outcome

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(one, paths))


def pdfplumber_text(paths: Iterable[Path]) -> None:
    import pdfplumber

    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()


def tesseract(images: Sequence[tuple[Path, int | None]]) -> None:
    """Bare ``tesseract IMAGE stdout -l fra``, two single-threaded processes at a time.

    An image whose resolution is known (the pipeline's, a bare PGM) gets ``--dpi``.
    """
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(item: tuple[Path, int | None]) -> None:
        image, dpi = item
        cmd = [
            "tesseract",
            str(image),
            "stdout",
            "-l",
            "fra",
            *(["--dpi", str(dpi)] if dpi else []),
        ]
        subprocess.run(cmd, env=env, capture_output=True, check=True)

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(one, images))


def ocrmypdf(paths: Iterable[Path], out: Path) -> None:
    for path in paths:
        cmd = [str(BIN / "ocrmypdf"), "--jobs", str(WORKERS), "-l", "fra", str(path), str(out)]
        subprocess.run(cmd, capture_output=True, check=True)


def pipeline_images(scans: Iterable[Path], folder: Path) -> list[tuple[Path, int | None]]:
    """The images the pipeline hands Tesseract (rendered, levelled...), kept during a run.

    Taken where the parser calls Tesseract, so they are exactly what it reads,
    however it prepares them.
    """
    from extractors import ocr

    folder.mkdir(parents=True, exist_ok=True)
    real, numbers, kept = ocr.run_tesseract, itertools.count(), []

    def keep(image: Path, dpi: int, *args, **kwargs) -> str:
        copy = folder / f"{next(numbers):04d}{image.suffix}"
        shutil.copy(image, copy)
        kept.append((copy, dpi))
        return real(image, dpi, *args, **kwargs)

    ocr.run_tesseract = keep
    try:
        pipeline(scans)
    finally:
        ocr.run_tesseract = real
    return sorted(kept)


def scanner_images(scans: Iterable[Path], folder: Path) -> list[Path]:
    """The images embedded in the scans, as the scanner stored them (``pdfimages -all``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for scan in scans:
        subprocess.run(["pdfimages", "-all", str(scan), str(folder / scan.stem)], check=True)
    return [(p, None) for p in sorted(folder.iterdir()) if p.is_file()]


# ------------------------------------------------------------------ sections


def bench_text(inp: Inputs, repeat: int, res: Results, done: dict) -> None:
    pages = page_count(inp.text)
    ours = Row("born-digital", "pipeline: parse + extract", pages)
    plumber = Row("born-digital", "pdfplumber extract_text", pages)
    pipeline(inp.text[-1:])  # warm-up: spaCy model, reference data
    for _ in range(repeat):
        done.update(timed(lambda: pipeline(inp.text), ours))
        timed(lambda: pdfplumber_text(inp.text), plumber)
    res.rows += [ours, plumber]
    res.ratio("born-digital: pipeline / pdfplumber", ours, plumber, target=2.0)


def bench_scan(inp: Inputs, repeat: int, res: Results, done: dict) -> None:
    pages = page_count(inp.scans)
    same = pipeline_images(inp.scans, inp.work / "images-pipeline")
    native = scanner_images(inp.scans, inp.work / "images-scanner")
    ours = Row("scanned", f"pipeline: parse (OCR) + extract, {WORKERS} documents at a time", pages)
    dpis = sorted({dpi for _, dpi in same})
    bare = Row("scanned", "tesseract, the pipeline's images", pages, note=f"{dpis} dpi")
    raw = Row("scanned", "tesseract, the scanner's images", pages, note=native[0][0].suffix)
    other = Row("scanned", "ocrmypdf --jobs 2", pages)
    rows = [ours, bare, raw, other]
    if len(same) != pages or len(native) != pages:
        raise RuntimeError(f"{len(same)}/{len(native)} images for {pages} scanned pages")
    has_ocrmypdf = (BIN / "ocrmypdf").exists() and shutil.which("gs")
    if not has_ocrmypdf:
        other.note = "not installed (uv sync; apt-get install ghostscript)"
    for _ in range(repeat):
        # a batch of scans, two documents at a time (--workers 2): the bare tools get
        # the batch's pages as one queue, a document's last page must not leave a core idle
        done.update(timed(lambda: pipeline(inp.scans, workers=WORKERS), ours))
        timed(lambda: tesseract(same), bare)
        timed(lambda: tesseract(native), raw)
        if has_ocrmypdf:
            timed(lambda: ocrmypdf(inp.scans, inp.work / "ocrmypdf.pdf"), other)
    res.rows += [r for r in rows if r.wall]
    res.ratio("scanned: pipeline / tesseract (same images)", ours, bare, target=0.9)
    res.ratio("scanned: pipeline / tesseract (scanner's images)", ours, raw)
    if has_ocrmypdf:
        res.ratio("scanned: pipeline / ocrmypdf", ours, other, target=1.2)


def bench_reingest(inp: Inputs, repeat: int, res: Results, done: dict) -> None:
    from extractors.limits import ParseLimits
    from extractors.version import extractor_version
    from flows.ingest import extract_parsed, parse_key
    from schemas.database import ensure_schema, open_db
    from schemas.loader import load_document, stored_parse

    docs = inp.documents
    done.update(pipeline(p for p in docs if p not in done))
    db_path = inp.work / "reingest.db"
    db = open_db(db_path)
    ensure_schema(db)
    key, version = parse_key("auto", ParseLimits()), extractor_version()
    for path in docs:
        outcome = done[path]
        load_document(
            db, outcome.parsed, outcome.extraction, extractor_version=version, parse_key=key
        )

    pages = page_count(docs)
    again = Row("re-ingest", "quartiers ingest, unchanged corpus", pages)
    start = Row("re-ingest", "quartiers --help (process start-up)", 0)
    cmd = [str(BIN / "quartiers"), "ingest", *map(str, docs), "--db", str(db_path)]
    for _ in range(repeat):
        for _attempt in range(3):
            run = run_measured(cmd)
            if f"skipped {len(docs)}" in run.output:
                again.add(run)
                break
            # The extractors' code changed since the database was seeded (someone is
            # editing them): that run re-extracted, the next one finds nothing to do.
            again.note = "a run re-extracted (code changed meanwhile): not counted"
        start.add(run_measured([str(BIN / "quartiers"), "--help"]))
    res.rows += [again, start]
    res.targets.append(
        Target("re-ingest beyond start-up", again.seconds - start.seconds, 1.0, False, "s")
    )

    stored = Row("re-ingest", "re-extract from stored pages (new extractors)", pages)

    def reextract() -> None:
        for path in docs:
            sha = done[path].parsed.sha256
            query = "SELECT parse_key FROM layouts WHERE document = ?"
            parsed = stored_parse(db, sha, db.execute(query, [sha]).fetchone()[0])
            if parsed is None:
                raise RuntimeError(f"{path}: no stored parse")
            extract_parsed.fn(parsed)

    for _ in range(repeat):
        timed(reextract, stored)
    res.rows.append(stored)


def bench_scaling(inp: Inputs, repeat: int, res: Results, scales: Sequence[int]) -> None:
    pages = page_count(inp.text)
    rows = []
    for factor in scales:
        folder = copies(inp.text, factor, inp.work / f"x{factor}")
        row = Row("scaling", f"×{factor}: {factor * len(inp.text)} documents", pages * factor)
        runs = repeat if factor == scales[0] else 1  # the larger ones take minutes
        for n in range(runs):
            db_path = inp.work / f"x{factor}-{n}.db"
            cmd = [str(BIN / "quartiers"), "ingest", str(folder), "--db", str(db_path)]
            row.add(run_measured([*cmd, "--workers", str(WORKERS)]))
            for leftover in inp.work.glob(f"{db_path.name}*"):
                leftover.unlink()
        shutil.rmtree(folder)
        rows.append(row)
    res.rows += rows
    first, last = rows[0], rows[-1]
    res.targets.append(
        Target(
            f"scaling: time ×{scales[-1]} / ×{scales[0]}",
            last.seconds / first.seconds,
            scales[-1] / scales[0] * 17 / 16,
            False,
        )
    )
    worst = max(r.tree_rss_mb or 0.0 for r in rows)
    res.targets.append(Target("scaling: peak RSS of the process tree", worst, 1536, False, "MB"))


def copies(paths: Sequence[Path], factor: int, folder: Path) -> Path:
    """``factor`` copies of each file, each with different bytes (a comment after %%EOF)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        data = path.read_bytes()
        for n in range(factor):
            suffix = b"" if n == 0 else f"\n% quartiers bench copy {n}\n".encode()
            (folder / f"{path.stem}-{n:02d}.pdf").write_bytes(data + suffix)
    return folder


def bench_cold(inp: Inputs, repeat: int, res: Results) -> None:
    """A new process ingesting one document: as a user runs it, and with a Prefect server up.

    Without ``PREFECT_API_URL`` each process starts Prefect's temporary API server;
    the second row keeps one running (as ``prefect server start`` would), which is
    what a deployment with Dask workers has anyway.
    """
    from flows.api import TemporaryServer

    pages = page_count([inp.ten_pages])
    alone = Row("cold start", f"quartiers ingest, {pages} pages, new database", pages)
    served = Row("cold start", "the same, Prefect API server already running", pages)
    runs: list[tuple[Row, dict[str, str] | None]] = [(alone, None)]
    with contextlib.ExitStack() as stack:
        if not os.environ.get("PREFECT_API_URL"):
            server = stack.enter_context(TemporaryServer(Path(os.environ["PREFECT_HOME"])))
            runs.append((served, {**os.environ, "PREFECT_API_URL": server.wait_ready()}))
        for n in range(repeat):
            for k, (row, env) in enumerate(runs):
                db_path = inp.work / f"cold-{k}-{n}.db"
                cmd = [str(BIN / "quartiers"), "ingest", str(inp.ten_pages), "--db", str(db_path)]
                row.add(run_measured(cmd, env=env))
    res.rows += [row for row, _ in runs]
    res.targets.append(Target(f"cold start ({pages} pages)", alone.seconds, 10.0, False, "s"))


# ------------------------------------------------------------------ report


def meta(quick: bool, repeat: int) -> dict:
    from extractors.version import extractor_version

    def version(cmd: list[str]) -> str | None:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            return None
        return (done.stdout or done.stderr).strip().splitlines()[0]

    return {
        "at": datetime.now().isoformat(timespec="seconds"),
        "quick": quick,
        "repeat": repeat,
        "cpus": os.cpu_count(),
        "load_average_start": os.getloadavg(),
        "python": platform.python_version(),
        "tesseract": version(["tesseract", "--version"]),
        "ocrmypdf": version([str(BIN / "ocrmypdf"), "--version"]),
        "extractor_version": extractor_version(),
        "prefect_api_url": os.environ.get("PREFECT_API_URL"),
    }


def format_report(res: Results) -> str:
    def num(value: float | None, digits: int = 2) -> str:
        return "" if value is None else f"{value:.{digits}f}"

    lines = [
        f"{'section':<13} {'measure':<50} {'pages':>6} {'runs':>4} {'median s':>9} "
        f"{'pages/s':>8} {'CPU s':>8} {'RSS MB':>7} {'tree MB':>8}  note"
    ]
    for r in res.rows:
        lines.append(
            f"{r.section:<13} {r.name:<50} {r.pages or '':>6} {len(r.wall):>4} "
            f"{num(r.seconds):>9} {num(r.pages_per_s):>8} {num(r.cpu_seconds):>8} "
            f"{num(r.peak_rss_mb, 0):>7} {num(r.tree_rss_mb, 0):>8}  {r.note}"
        )
    lines += ["", f"{'ratio (pages/s)':<55} {'wall':>7} {'CPU':>7}"]
    for ratio in res.ratios:
        lines.append(f"{ratio['name']:<55} {num(ratio['wall']):>7} {num(ratio['cpu']):>7}")
    lines += ["", f"{'target':<45} {'value':>10} {'limit':>10}  met"]
    for t in res.targets:
        sign = "≥" if t.at_least else "≤"
        met = {True: "yes", False: "NO", None: "?"}[t.met]
        lines.append(
            f"{t.name:<45} {num(t.value):>8} {t.unit:<1} {sign} {t.limit:g} {t.unit:<2} {met}"
        )
    lines += [f"error: {e}" for e in res.errors]
    return "\n".join(lines)


SECTIONS = ("text", "scan", "reingest", "scaling", "cold")


def run_benchmark(
    *, quick: bool = False, repeat: int = 3, out: Path | None = None, only: Sequence[str] = ()
) -> Results:
    """Run the sections (all, or ``only``), print the report, write the JSON; return it."""
    from quartiers.config import quiet_prefect

    quiet_prefect()  # before Prefect is imported (flows.ingest); subprocesses inherit it
    repeat = 1 if quick else repeat
    res = Results(meta(quick, repeat))
    wanted = set(only or SECTIONS)
    done: dict[Path, object] = {}  # parse + extract outcomes, reused to seed the re-ingest
    with tempfile.TemporaryDirectory(prefix="quartiers-bench-") as tmp:
        inp = prepare(Path(tmp), quick)
        steps = {
            "text": lambda: bench_text(inp, repeat, res, done),
            "scan": lambda: bench_scan(inp, repeat, res, done),
            "reingest": lambda: bench_reingest(inp, repeat, res, done),
            "scaling": lambda: bench_scaling(inp, repeat, res, QUICK_SCALES if quick else SCALES),
            "cold": lambda: bench_cold(inp, repeat, res),
        }
        out = out or RESULTS_DIR / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        for name in SECTIONS:
            if name not in wanted:
                continue
            print(f"bench: {name}…", file=sys.stderr, flush=True)
            try:
                steps[name]()
            except Exception as exc:  # one broken section must not lose the others' figures
                res.errors.append(f"{name}: {type(exc).__name__}: {exc}")
                print(f"bench: {name} failed: {exc}", file=sys.stderr, flush=True)
            res.meta["load_average_end"] = os.getloadavg()
            out.write_text(json.dumps(res.as_dict(), indent=2, ensure_ascii=False), "utf-8")
    print(format_report(res))
    print(f"\nresults: {out}")
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small inputs, one run each")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure (median)")
    parser.add_argument("--out", type=Path, help="JSON results file")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=(), help="sections to run")
    args = parser.parse_args(argv)
    run_benchmark(quick=args.quick, repeat=args.repeat, out=args.out, only=args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
