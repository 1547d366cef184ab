"""URLs that name their version, so that a browser keeps every static file a
year and never asks for it again (auth/headers.static_caching says so).

Dash fingerprints the bundles its index links (`dash_ag_grid.v35_3_0m….min.js`),
but the chunks those bundles load later (AG Grid's `async-community.js`, dcc's
`async-dropdown.js`, `async-graph.js`) are fetched by webpack from the
bundle's own folder under a bare name, which Dash can only revalidate. Here
the index links each bundle from a folder named for its fingerprint
(`dash_ag_grid/~v35_3_0m…/dash_ag_grid.v35_3_0m….min.js`); webpack then fetches
the chunks from that folder too, and `VersionedBundles` strips the folder
before Dash sees the request, marking it as versioned. A new version of a
package changes the folder, so a new chunk is never mixed with an old bundle.

Our own templates link the same /assets/ URLs Dash's index does (`asset_url`),
so the sign-in page and the app share one cached copy.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

import dash
from dash.fingerprint import cache_regex

from partnerhub.auth.headers import VERSIONED_URL

SUITES = "_dash-component-suites/"
# the marker of a fingerprint folder; "~" is in no package's path
FOLDER_MARK = "~"
# a component-suite URL as Dash's index writes it: <package path>/<name>.<fingerprint>.<extension>
_LINKED = re.compile(rf"(?P<head>/{SUITES}[^\"'?#\s]*/)(?P<name>[^/\"'?#\s.]+)\.(?P<fp>v[\w-]+m[0-9a-fA-F]+)\.")
_REQUESTED = re.compile(rf"^(?P<head>[^~]*/{SUITES}[^~]+/){re.escape(FOLDER_MARK)}(?P<fp>[^/]+)/(?P<rest>[^~]+)$")


def versioned_links(html: str) -> str:
    """Dash's index with each fingerprinted bundle linked from its fingerprint's folder."""
    return _LINKED.sub(
        lambda m: f"{m['head']}{FOLDER_MARK}{m['fp']}/{m['name']}.{m['fp']}.",
        html,
    )


def unversioned_path(path: str) -> str | None:
    """The path Dash serves for a URL in a fingerprint folder; None for any other URL."""
    match = _REQUESTED.match(path)
    if match is None or not cache_regex.match(match["fp"]):
        return None
    return match["head"] + match["rest"]


class VersionedBundles:
    """WSGI middleware: a request in a fingerprint folder reaches Dash as the
    bundle's or chunk's own path, marked versioned in the environ."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = unversioned_path(environ.get("PATH_INFO", ""))
        if path is not None:
            environ["PATH_INFO"] = path
            environ[VERSIONED_URL] = True
        return self.app(environ, start_response)


class VersionedDash(dash.Dash):
    """Dash, its index linking bundles from their fingerprint folders."""

    def interpolate_index(
        self,
        metas: Any = "",
        title: Any = "",
        css: Any = "",
        config: Any = "",
        scripts: Any = "",
        app_entry: Any = "",
        favicon: Any = "",
        renderer: Any = "",
    ) -> Any:
        return super().interpolate_index(
            metas=metas,
            title=title,
            css=versioned_links(css),
            config=config,
            scripts=versioned_links(scripts),
            app_entry=app_entry,
            favicon=favicon,
            renderer=renderer,
        )


def asset_url(app: dash.Dash, path: str) -> str:
    """The URL Dash's index links an /assets/ file with (?m=<modified time>)."""
    modified = os.stat(os.path.join(app.config.assets_folder, path)).st_mtime
    return f"{app.get_asset_url(path)}?m={modified}"


def favicon_url(app: dash.Dash) -> str:
    """The icon's URL as Dash's index links it (Dash's own icon, versioned)."""
    return f"{app.config.requests_pathname_prefix}_favicon.ico?v={dash.__version__}"
