"""The "Download" menu of a table or chart: CSV, Excel and Parquet of the
same dataset the screen shows, with the page's current filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Output, html

from partnerhub.i18n import _, request_language

from .icons import aria, icon

# (extension, icon) in menu order
FORMATS = (("csv", "bi-filetype-csv"), ("xlsx", "bi-filetype-xlsx"), ("parquet", "bi-file-earmark-binary"))
# written off the request threads with a progress notice (assets/exports.js):
# the formats that take seconds at partner scale
ASYNC_FORMATS = frozenset({"xlsx"})


def format_labels() -> dict[str, str]:
    return {"csv": _("CSV"), "xlsx": _("Excel (.xlsx)"), "parquet": _("Parquet")}


def query_string(query) -> str:
    """'' or '?a=1&b=2' from a location.search string (with or without '?'),
    a mapping (list values repeat the key; None and '' are left out) or a
    sequence of (key, value) pairs."""
    if not query:
        return ""
    if isinstance(query, str):
        query = query.lstrip("?")
        return "?" + query if query else ""
    pairs = query.items() if isinstance(query, Mapping) else query
    flat: list[tuple[str, object]] = []
    for key, value in pairs:
        values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        flat.extend((key, v) for v in values if v is not None and v != "")
    return "?" + urlencode(flat) if flat else ""


def download_hrefs(base_url: str, query=None) -> dict[str, str]:
    """{"csv": base_url + ".csv?<query>", "xlsx": …, "parquet": …}.
    base_url is the dataset's URL without extension, e.g.
    "/api/v1/datasets/expiring". A Japanese user's CSV link asks for a
    byte-order mark (bom=true)."""
    qs = query_string(query)
    hrefs = {ext: f"{base_url}.{ext}{qs}" for ext, _icon in FORMATS}
    if request_language() == "ja":
        # Japanese Excel reads a CSV as UTF-8 only when it starts with a byte-order mark
        hrefs["csv"] += ("&" if qs else "?") + "bom=true"
    return hrefs


def download_menu_outputs(id: str) -> list[Output]:
    """The Outputs a callback returns `list(download_hrefs(base_url, search).values())`
    to, to keep the hrefs in step with the page's filters."""
    return [Output(f"{id}-{ext}", "href") for ext, _icon in FORMATS]


def notices(what: str, format: str) -> dict[str, Any]:
    """The sentences assets/app.js shows while a file is fetched, or when it
    fails without a sentence of the server's."""
    return {
        "data-preparing": _("Preparing %(what)s as %(format)s…", what=what, format=format),
        "data-failed": _("The file could not be downloaded; please try again in a moment."),
    }


def background(ext: str) -> dict[str, Any]:
    """The mark that has assets/exports.js write this format in the background."""
    return {"data-export-async": "1"} if ext in ASYNC_FORMATS else {}


def download_menu(
    id: str, base_url: str, query=None, what: str | None = None, label: str | None = None
) -> dbc.DropdownMenu:
    """A small "Download" dropdown with one link per format.

    id: the menu's id; the links are f"{id}-csv", f"{id}-xlsx",
    f"{id}-parquet" (their `href` can be updated from a callback, see
    download_menu_outputs). base_url: the dataset URL without extension.
    query: the current filters (see query_string). what: names the data for
    screen readers ("Download expiring subscriptions as CSV").
    The links are plain <a download> elements: the browser fetches the file
    from the server with the signed-in session, outside Dash's router.
    assets/app.js closes the menu after a click and, where it runs, fetches
    the file itself so that a refusal (429 while other large exports run)
    is shown as the server's sentence instead of a failed download; the
    data-* sentences are its own, translated here. An Excel link carries
    data-export-async: assets/exports.js has the server write it in the
    background, shows progress, and downloads the file once it is ready.
    """
    what = what or _("this table")
    hrefs = download_hrefs(base_url, query)
    labels = format_labels()
    items = [
        html.A(
            [icon(symbol, "me-2"), labels[ext]],
            href=hrefs[ext],
            id=f"{id}-{ext}",
            download="",
            className="dropdown-item",
            **aria(label=_("Download %(what)s as %(format)s", what=what, format=labels[ext])),
            **notices(what, labels[ext]),
            **background(ext),
        )
        for ext, symbol in FORMATS
    ]
    return dbc.DropdownMenu(
        items,
        id=id,
        size="sm",
        color="light",
        align_end=True,
        label=html.Span([icon("bi-download", "me-1"), label or _("Download")]),
        class_name="download-menu",
        toggle_class_name="border",
    )
