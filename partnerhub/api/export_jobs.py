"""Export files written off the request threads, and how far they are.

`POST /api/v1/exports/<dataset>.<fmt>?<filters>` claims the file's key in
the export cache and answers at once; a thread of this process then writes
the file (an XLSX itself in a worker process, export_pool.py) into the
cache. `GET` of the same address says pending, ready or failed. Both name
the file by what it holds, never by a job number: every request works out
the caller's own key (their scope in it) again, so an address passed on to
another user leads to that user's own file, and any worker process of the
node can answer for a file another one is writing (the cache's lock and
files are on shared disk).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask

from .export_cache import Claim, ExportCache, ExportKey
from .export_limits import ExportsBusy

log = logging.getLogger(__name__)

PENDING = "pending"
READY = "ready"
FAILED = "failed"
# why a file failed, as recorded in the cache (Claim.fail)
BUSY = "busy"
BROKEN = "failed"


def start(app: Flask, claim: Claim, build: Callable[[str], None], on_end: Callable[[], None]) -> None:
    """Writes the claimed file with `build(path)` in a new thread; `on_end`
    runs once it has ended either way (frees the export slot)."""
    thread = threading.Thread(
        target=_run, args=(app, claim, build, on_end), name=f"export-{claim.key.digest[:8]}", daemon=True
    )
    try:
        thread.start()
    except BaseException:
        on_end()
        claim.release()
        raise


def _run(app: Flask, claim: Claim, build: Callable[[str], None], on_end: Callable[[], None]) -> None:
    try:
        with app.app_context():
            claim.write(build).close()
    except ExportsBusy as e:
        claim.fail(BUSY, limit=e.limit, allowed=e.allowed)
    except BaseException:
        # never a 5xx: the status says "failed" with a sentence, the log has the cause
        log.exception("export %s.%s could not be written", claim.key.digest, claim.key.fmt)
        claim.fail(BROKEN)
    finally:
        # the slot first: once the key is let go, the status says "ready"
        # and the same user's next export must find their slot free
        on_end()
        claim.release()


def status(cache: ExportCache, key: ExportKey) -> tuple[str, dict | None]:
    """(PENDING | READY | FAILED, why it failed or None). The lock is
    looked at before the file: a builder renames its file into place before
    it lets go, so "not building" followed by "no file" means it failed (or
    was never started, or its process died)."""
    if cache.building(key):
        return PENDING, None
    if cache.path(key).exists():
        return READY, None
    return FAILED, cache.failure(key) or {"reason": BROKEN}
