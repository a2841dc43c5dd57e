"""How extracted values show in Datasette's HTML tables: source links and euros.

Every extracted row carries ``document`` (sha256) and ``page``: the page cell becomes a
link opening the PDF at that page, so a reader checks any value against its source in
one click. Columns holding euros (``*_eur``, ``eur_per_*``; a JSON list of them too) are
written the French way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from markupsafe import Markup, escape

from quartiers.compare import format_eur
from quartiers.datasette.pdf import is_sha256

# Put around matched words by the full-text search query; shown as <mark>.
MATCH_START, MATCH_END = "\u27e6", "\u27e7"


def page_link(url: str, page: int) -> Markup:
    return Markup(
        '<a class="pdf-page" href="{}" title="Open the PDF at page {}">page {}</a>'
    ).format(url, page, page)


def row_document(row: Mapping) -> str | None:
    """The sha256 of the row's document (an expanded foreign key is a dict)."""
    keys = row.keys()
    for column in ("document", "sha256"):
        if column in keys:
            value = row[column]
            value = value.get("value") if isinstance(value, dict) else value
            if isinstance(value, str) and is_sha256(value):
                return value
    return None


def is_euro_column(column: str) -> bool:
    """``*_eur`` columns and ratios of euros (``eur_per_inhabitant``)."""
    return column.endswith("_eur") or column.startswith("eur_per_") or "_eur_per_" in column


def render(row: Mapping, value: object, column: str, table: str | None, url_for) -> Markup | None:
    """The HTML for one cell, or None to let Datasette render it.

    ``url_for(sha256, page)`` gives the PDF link (Datasette-aware, see the plugin).
    """
    if is_euro_column(column):
        if isinstance(value, int | float):
            return Markup(escape(format_eur(value)))
        if isinstance(value, str) and value.startswith("["):  # a JSON list of amounts
            amounts = [v for v in json.loads(value) if isinstance(v, int | float)]
            return Markup(escape(", ".join(format_eur(v) for v in amounts)))
    if column == "excerpt" and isinstance(value, str) and MATCH_START in value:
        html = str(escape(value)).replace(MATCH_START, "<mark>").replace(MATCH_END, "</mark>")
        return Markup(html)
    if column == "document" and isinstance(value, str) and is_sha256(value):
        return Markup('<a href="{}" title="Open the PDF">{}…</a>').format(
            url_for(value, None), value[:12]
        )
    if value is None:
        return None
    document = row_document(row)
    if document is None:
        return None
    if column == "page" or (table == "pages" and column == "number"):
        if isinstance(value, int):
            return page_link(url_for(document, value), value)
    elif column == "pages" and isinstance(value, str) and value.startswith("["):
        pages = [p for p in json.loads(value) if isinstance(p, int)]
        return Markup(", ").join(page_link(url_for(document, p), p) for p in pages)
    elif table == "documents" and column == "file_name":
        return Markup('<a href="{}">{}</a>').format(url_for(document, None), value)
    return None
