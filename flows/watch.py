"""The ``watch`` Prefect flow: ingest PDFs as they arrive in a folder.

The folder is polled every ``interval`` seconds. A file is taken once it is ready:
seen with the same size and modification time on two polls in a row, so a PDF
still being copied or downloaded is not read half-written. Ready files go through
the ``ingest`` flow (a subflow per batch: already-loaded bytes are skipped, a
file that cannot be read is tried again by the task's retries, a bad file is an
``ingest_errors`` row); a file is taken again only when it changes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow

from extractors.limits import ParseLimits

from .discover import discover_pdfs
from .ingest import IngestSummary, OcrMode, ingest
from .runners import RunnerKind, runner_context

Signature = tuple[int, int]  # size in bytes, modification time in ns


@dataclass
class WatchSummary:
    polls: int = 0
    batches: list[IngestSummary] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return sum(b.documents for b in self.batches)

    @property
    def errors(self) -> list[str]:
        return [e for b in self.batches for e in b.errors]


def snapshot(folder: Path) -> dict[Path, Signature]:
    """The PDFs under ``folder`` with their size and modification time."""
    files, _ = discover_pdfs([folder])
    found = {}
    for file in files:
        try:
            st = file.stat()
        except OSError:  # removed since it was listed
            continue
        found[file] = (st.st_size, st.st_mtime_ns)
    return found


@dataclass
class Readiness:
    """Which files are ready: unchanged since the previous poll and not yet taken as they are."""

    previous: dict[Path, Signature] = field(default_factory=dict)
    taken: dict[Path, Signature] = field(default_factory=dict)

    def poll(self, current: dict[Path, Signature]) -> list[Path]:
        ready = [
            path
            for path, sig in current.items()
            if self.previous.get(path) == sig and self.taken.get(path) != sig
        ]
        self.previous = current
        self.taken = {p: s for p, s in self.taken.items() if p in current}
        return ready

    def take(self, paths: list[Path]) -> None:
        for path in paths:
            self.taken[path] = self.previous[path]

    @property
    def settled(self) -> bool:
        """Every file seen on the last poll has been taken as it is."""
        return all(self.taken.get(p) == s for p, s in self.previous.items())


@flow(name="watch", validate_parameters=False)
def watch(
    folder: str,
    db_path: str,
    interval: float = 5.0,
    once: bool = False,
    ocr: OcrMode = "auto",
    limits: ParseLimits | None = None,
    runner: RunnerKind = "thread",
    workers: int = 1,
    address: str | None = None,
    echo: bool = False,
) -> WatchSummary:
    """Ingest the PDFs of ``folder`` into ``db_path`` as they arrive, until interrupted.

    ``once``: stop as soon as every file present has been ingested (after waiting
    for those still being written). ``echo`` prints one line per batch.
    """
    summary = WatchSummary()
    readiness = Readiness()
    with runner_context(runner, workers=workers, address=address) as task_runner:
        batch_flow = ingest.with_options(task_runner=task_runner)
        while True:
            ready = readiness.poll(snapshot(Path(folder)))
            summary.polls += 1
            if ready:
                batch = batch_flow(
                    paths=[str(p) for p in ready], db_path=db_path, ocr=ocr, limits=limits
                )
                readiness.take(ready)
                summary.batches.append(batch)
                if echo:
                    _echo(batch)
            if once and summary.polls > 1 and readiness.settled:
                return summary
            time.sleep(interval)


def _echo(batch: IngestSummary) -> None:
    for line in batch.errors:
        print(f"error: {line}", flush=True)
    print(
        f"{time.strftime('%H:%M:%S')} documents {batch.documents} (skipped {batch.skipped}) · "
        f"pages {batch.pages} · errors {len(batch.errors)} · {batch.seconds:.1f} s",
        flush=True,
    )
