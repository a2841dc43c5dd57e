"""A progress bar for the terminal (documents and pages), silent when not a TTY."""

from __future__ import annotations

import sys

from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress


class Progress:
    def __init__(self, documents: int, *, enabled: bool) -> None:
        self.enabled = enabled and documents > 0 and sys.stderr.isatty()
        self.pages = 0
        self._bar: RichProgress | None = None
        self._task = None
        self._documents = documents

    def __enter__(self) -> Progress:
        if self.enabled:
            self._bar = RichProgress(
                TextColumn("ingest"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("documents · {task.fields[pages]} pages"),
                TimeElapsedColumn(),
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("ingest", total=self._documents, pages=0)
        return self

    def advance(self, pages: int) -> None:
        self.pages += pages
        if self._bar is not None:
            self._bar.update(self._task, advance=1, pages=self.pages)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
