"""The Quartiers Datasette plugin: the PDF route and source links in every table.

Configuration (metadata ``plugins.quartiers``): ``pdf_root``, the folder relative
``documents.path`` values are resolved against (the folder ingestion ran from).
"""

from __future__ import annotations

import re
from pathlib import Path

from datasette import handle_exception, hookimpl
from datasette.app import Datasette
from datasette.utils.asgi import AsgiFileDownload, Request, Response

from quartiers.datasette import cells
from quartiers.datasette.pdf import ROUTE, is_sha256, pdf_url, stored_path, verified_pdf

NAME = "quartiers"

# Datasette 0.65 prints the NotFound of an unmatched URL with rich's print_exception
# outside any except block, where current rich raises: every such 404 became a 500.
# Without rich, Datasette's error pages work and tracebacks print plainly.
handle_exception.rich = None


@hookimpl
def register_routes(datasette: Datasette):
    return [(ROUTE, serve_pdf)]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    return cells.render(row, value, column, table, lambda sha, page: pdf_url(datasette, sha, page))


async def serve_pdf(request: Request, datasette: Datasette):
    """``GET /-/pdf/<sha256>``: the document's PDF, inline (``#page=N`` picks the page)."""
    if request.method not in ("GET", "HEAD"):
        return Response.text("Method not allowed", status=405, headers={"allow": "GET, HEAD"})
    sha256 = request.url_vars["sha256"]
    if not is_sha256(sha256):
        return Response.text("Not a sha256 (64 lower-case hex digits)", status=400)
    stored = await stored_path(datasette, sha256)
    if stored is None:
        return Response.text("No document with this sha256", status=404)
    config = datasette.plugin_config(NAME) or {}
    path = await verified_pdf(stored, Path(config.get("pdf_root") or "."), sha256)
    if path is None:
        return Response.text("The document's file is missing or has changed", status=404)
    file_name = re.sub(r"[^\w.-]", "_", path.name)
    return AsgiFileDownload(
        path,
        content_type="application/pdf",
        headers={
            "content-disposition": f'inline; filename="{file_name}"',
            "x-content-type-options": "nosniff",
            "cache-control": "private, max-age=3600",
        },
    )
