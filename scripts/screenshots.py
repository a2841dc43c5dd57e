"""Regenerate the README's pictures from a database: the comparison chart and Datasette.

    .venv/bin/python scripts/screenshots.py --db /tmp/compare.db

They are taken from a copy of the database named ``quartiers.db`` (the name Datasette
shows; the database given is left untouched). The chart is what ``quartiers compare --plot`` draws; the Datasette pages are taken by
the Chromium and Playwright set-up of the browser tests (``tests/test_browser.py``),
served by a real ``quartiers browse`` process, with host names other than 127.0.0.1
unresolvable (nothing is fetched from the network). Screenshots are reduced to a
256-colour palette so each stays well under 300 KB in git.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the repository's packages, tests included

from PIL import Image  # noqa: E402

from quartiers.compare import compare_territories, plot_comparison  # noqa: E402
from schemas.comparison import ensure_comparison  # noqa: E402
from schemas.database import open_db  # noqa: E402
from tests.test_browse import corpus_browse_db, start_browse, stop_browse  # noqa: E402
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

VIEWPORT = {"width": 1400, "height": 900}
# (file name, path under the database, what must be on the page before the shot)
PAGES = (
    (
        "datasette-amounts.png",
        "territory_amounts?kind=total&_sort_desc=value_eur"
        "&_col=territory&_col=year&_col=value_eur&_col=label&_col=raw&_col=page",
        "table.rows-and-columns",
    ),
    ("datasette-programmation.png", "compare_programmation", "table.rows-and-columns"),
)


def chart(db: Path, out: Path) -> Path:
    """``quartiers compare --plot``: every territory of ``db``."""
    database = open_db(db)
    try:
        ensure_comparison(database)
        return plot_comparison(compare_territories(database), out / "compare.png")
    finally:
        database.close()


def datasette_pages(db: Path, out: Path, pdf_root: Path) -> list[Path]:
    """Screenshots of :data:`PAGES` served by ``quartiers browse``."""
    from playwright.sync_api import sync_playwright

    server = start_browse(corpus_browse_db(db, pdf_root), pdf_root=pdf_root)
    shots = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=VIEWPORT)
            for name, path, ready in PAGES:
                page.goto(f"{server.url}/{server.database}/{path}")
                page.wait_for_selector(ready)
                page.screenshot(path=out / name)
                shots.append(palette(out / name))
            browser.close()
    finally:
        stop_browse(server)
    return shots


def palette(path: Path) -> Path:
    """Rewrite ``path`` with 256 colours (text and flat fills lose nothing visible)."""
    image = Image.open(path).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="an ingested database")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="output folder")
    parser.add_argument(
        "--pdf-root",
        type=Path,
        default=Path.cwd(),
        help="folder relative PDF paths start from (where ingest ran)",
    )
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        parser.error(f"{CHROMIUM} is missing: run `bash scripts/setup.sh --browser`")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="quartiers-screenshots-") as folder:
        db = Path(folder) / "quartiers.db"
        with sqlite3.connect(args.db) as source, sqlite3.connect(db) as copy:
            source.backup(copy)
        shots = [chart(db, args.out), *datasette_pages(db, args.out, args.pdf_root.resolve())]
    for path in shots:
        print(
            f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path} "
            f"({path.stat().st_size // 1024} KB)"
        )


if __name__ == "__main__":
    main()
