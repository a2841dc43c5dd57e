"""Build the PDF corpus from the bundled seed texts.

Every seed ``sources/<stem>.txt`` becomes a born-digital ``<stem>.pdf``; the seeds
listed in :data:`SCANS` also get an image-only ``<stem>_scan.pdf``. Output is
deterministic, so a file whose sha256 matches the committed manifest is up to date
and is not rebuilt (unless forced).

The committed manifest (``corpus/manifest.json``) describes the default build: all
bundled seeds into :data:`DEFAULT_PDF_DIR`. Only that build rewrites it; a build of
a subset, of other sources or into another folder returns its entries and leaves
the manifest alone.

Run ``python -m corpus.build [--out DIR] [--force]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from corpus.manifest import ManifestEntry, describe, read_manifest, sha256_of, write_manifest
from corpus.render import render_seed
from corpus.scan import scan_pdf

CORPUS_DIR = Path(__file__).resolve().parent
SOURCES_DIR = CORPUS_DIR / "sources"
DEFAULT_PDF_DIR = CORPUS_DIR / "pdf"
MANIFEST_PATH = CORPUS_DIR / "manifest.json"

# Seeds that also get a scanned variant, and how many leading pages (None: all).
# 001's first 15 pages run up to its table of QPV codes, so the scan has codes to OCR.
SCANS: dict[str, int | None] = {
    "001_51a140851bffbc08": 15,
    "004_175d0d4703e41153": None,
}

__all__ = [
    "DEFAULT_PDF_DIR",
    "MANIFEST_PATH",
    "SCANS",
    "SOURCES_DIR",
    "ManifestEntry",
    "build_corpus",
    "ensure_corpus",
]


def _write_atomically(dst: Path, write: Callable[[Path], object]) -> None:
    """Run ``write`` into a temporary sibling, then move it over ``dst``.

    Readers (or a concurrent build) never see a half-written PDF.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.stem}.", suffix=".part", dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


def _up_to_date(path: Path, expected: ManifestEntry | None) -> bool:
    return expected is not None and path.is_file() and sha256_of(path) == expected.sha256


def _is_default_build(out_dir: Path, sources: Path, stems: Iterable[str] | None) -> bool:
    return (
        stems is None
        and out_dir.resolve() == DEFAULT_PDF_DIR.resolve()
        and sources.resolve() == SOURCES_DIR.resolve()
    )


def build_corpus(
    out_dir: Path = DEFAULT_PDF_DIR,
    *,
    sources: Path = SOURCES_DIR,
    force: bool = False,
    stems: Iterable[str] | None = None,
) -> list[ManifestEntry]:
    """Render the seeds of ``sources`` (all, or only ``stems``) into ``out_dir``.

    Files already present with the manifest's sha256 are kept unless ``force``.
    Returns the manifest entries of the files of this build, sorted by file name.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = None if stems is None else set(stems)
    seeds = sorted(p for p in sources.glob("*.txt") if wanted is None or p.stem in wanted)
    if wanted is not None and len(seeds) != len(wanted):
        missing = sorted(wanted - {p.stem for p in seeds})
        raise FileNotFoundError(f"no seed text for {missing} in {sources}")
    known = {e.file: e for e in read_manifest(MANIFEST_PATH)}

    entries: list[ManifestEntry] = []
    for seed in seeds:
        text_pdf = out_dir / f"{seed.stem}.pdf"
        text_fresh = not force and _up_to_date(text_pdf, known.get(text_pdf.name))
        if text_fresh:
            entries.append(known[text_pdf.name])
        else:
            _write_atomically(text_pdf, lambda tmp, seed=seed: render_seed(seed, tmp))
            entries.append(describe(text_pdf, kind="text", source=seed.name))

        if seed.stem not in SCANS:
            continue
        scan = out_dir / f"{seed.stem}_scan.pdf"
        if text_fresh and _up_to_date(scan, known.get(scan.name)):
            entries.append(known[scan.name])
            continue
        _write_atomically(
            scan,
            lambda tmp, src=text_pdf, stem=seed.stem: scan_pdf(
                src, tmp, title=f"{stem}_scan", max_pages=SCANS[stem]
            ),
        )
        entries.append(describe(scan, kind="scan", source=seed.name))

    entries.sort(key=lambda e: e.file)
    if _is_default_build(out_dir, sources, stems):
        write_manifest(MANIFEST_PATH, entries)
    return entries


def ensure_corpus() -> Path:
    """The default corpus folder, built (or refreshed) first when needed."""
    build_corpus(DEFAULT_PDF_DIR)
    return DEFAULT_PDF_DIR


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m corpus.build", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_PDF_DIR, help="output folder")
    parser.add_argument("--force", action="store_true", help="rebuild files that look up to date")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    entries = build_corpus(args.out, force=args.force)
    elapsed = time.perf_counter() - started
    for e in entries:
        print(f"{e.file:36} {e.kind:4} {e.pages:4d} p {e.bytes / 1e6:7.2f} MB")
    total = sum(e.bytes for e in entries)
    print(f"{len(entries)} files, {total / 1e6:.2f} MB in {args.out} ({elapsed:.1f} s)")


if __name__ == "__main__":
    main()
