"""Compressed answers for what a browser downloads on every first visit:
Dash's bundles, our /assets/ files, and Dash's JSON (layout, dependencies,
callbacks). Brotli when the client takes it, gzip otherwise.

Only these paths, on purpose: exports stream their bytes (compressing them
would buffer or break the stream, and XLSX/Parquet are compressed already),
and pages that hold a CSRF token next to text the visitor chose (/login) are
left alone, as BREACH advises. Streamed, partial (206), already encoded and
small responses pass unchanged.

Static files do not change while the process runs (Dash fingerprints their
URLs), so each compressed body is kept, keyed by a digest of the original:
Plotly's bundle (1.2 MB) costs ~0.1 s to compress once per worker, not per
visit. The key cannot grow past the files on disk, whatever URL asks for them.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, Response, request

from partnerhub.auth.headers import is_static_path

try:  # Brotli is ~12% smaller than gzip on Plotly; gzip alone is enough
    import brotli
except ImportError:  # pragma: no cover - installed with the app
    brotli = None

TEXT_TYPES = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
        # Dash's icon is an uncompressed bitmap: 15 KB, 4 KB in Brotli
        "image/x-icon",
        "image/vnd.microsoft.icon",
    }
)
DASH_JSON_PREFIX = "/_dash-"
MIN_SIZE = 1024  # below this the headers outweigh the saving
# static: compressed once, so a better ratio; callbacks: every time, so fast
STATIC_LEVELS = {"br": 6, "gzip": 6}
DYNAMIC_LEVELS = {"br": 4, "gzip": 5}
CACHE_ENTRIES = 256


class _CompressedBodies:
    """Compressed static bodies, least recently used dropped past `size`."""

    def __init__(self, size: int = CACHE_ENTRIES):
        self._size = size
        self._entries: OrderedDict[tuple[bytes, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, load: Callable[[], bytes], encoding: str) -> bytes:
        """The compressed body under `key`; `load` reads the plain body only on a miss."""
        key = (*key, encoding)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        packed = compress(load(), encoding, STATIC_LEVELS[encoding])
        with self._lock:
            self._entries[key] = packed
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return packed


def compress(body: bytes, encoding: str, level: int) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=level)
    return gzip.compress(body, compresslevel=level, mtime=0)


def chosen_encoding() -> str | None:
    """The best encoding the client accepts (q > 0), None for identity."""
    accepted = request.accept_encodings
    if brotli is not None and accepted["br"] > 0:
        return "br"
    if accepted["gzip"] > 0:
        return "gzip"
    return None


def _compressible_path(path: str) -> bool:
    return is_static_path(path) or path.startswith(DASH_JSON_PREFIX)


def init_compression(server: Flask) -> None:
    bodies = _CompressedBodies()

    def compress_response(response: Response) -> Response:
        if not _compressible_path(request.path) or response.mimetype not in TEXT_TYPES:
            return response
        # caches keep one copy per encoding, whether or not this one is compressed
        response.vary.add("Accept-Encoding")
        if (
            response.status_code != 200
            # a static file is passed through as a file (is_streamed); anything
            # else streamed is generated as it is sent
            or (response.is_streamed and not response.direct_passthrough)
            or "Content-Encoding" in response.headers
            or request.method == "HEAD"
        ):
            return response
        encoding = chosen_encoding()
        if encoding is None:
            return response
        if response.content_length is not None and response.content_length < MIN_SIZE:
            return response
        response.direct_passthrough = False  # a static file: read it, or find its compressed copy
        etag, _weak = response.get_etag()
        if is_static_path(request.path) and etag:
            # the file's ETag names its version: a hit neither reads nor hashes the file
            packed = bodies.get((request.path, etag), response.get_data, encoding)
        else:
            body = response.get_data()
            if len(body) < MIN_SIZE:
                return response
            if is_static_path(request.path):
                packed = bodies.get((hashlib.blake2b(body, digest_size=16).digest(),), lambda: body, encoding)
            else:
                packed = compress(body, encoding, DYNAMIC_LEVELS[encoding])
        response.set_data(packed)
        response.headers["Content-Encoding"] = encoding
        response.headers.pop("Accept-Ranges", None)  # ranges of the file, not of this body
        # the ETag stays the file's: Dash and werkzeug compare it as sent when
        # the browser revalidates, and a 304 reuses the copy it already holds
        return response

    server.after_request(compress_response)
