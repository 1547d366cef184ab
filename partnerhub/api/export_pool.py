"""XLSX files written by a small pool of worker processes.

xlsxwriter is pure Python: written in a response thread, a 20,000-row
workbook holds the GIL for seconds and every other request of the process
waits (KPIs went from 10 ms to 5.6 s under an export flood). Here the
response thread hands the frame over as an Arrow IPC file, waits for the
worker without holding the GIL, and streams the finished file back.

The pool is made at the first XLSX export of each process (so after
gunicorn's fork), with the "spawn" start method (a fork of a threaded server
could copy a held lock), and as many workers as heavy exports may run in the
process (ExportSlots bounds how many are submitted, so nothing queues here).
The workers run at a lower CPU priority: on a small machine the processes
answering pages come first.

The API has the workbook written straight into the export cache's
temporary path (write_xlsx), so a finished file is never copied.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import BinaryIO

import polars as pl

from .exports import write_xlsx_from_ipc

log = logging.getLogger(__name__)

# added to the workers' nice value
WORKER_NICENESS = 10


class ExportFailed(Exception):
    """The worker process died (killed, out of memory) before the file was written."""


class ExportPool:
    def __init__(self, workers: int):
        self.workers = workers
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def xlsx_file(self, frame: pl.DataFrame, sheet: str = "data") -> BinaryIO:
        """The workbook of `frame`, written by a worker process: an open file
        at its start, already unlinked, so that it is gone once closed."""
        xlsx_path = _temp_path(".xlsx")
        try:
            self.write_xlsx(frame, xlsx_path, sheet)
            file = open(xlsx_path, "rb")  # noqa: SIM115 -- the caller streams and closes it
        finally:
            _unlink(xlsx_path)
        return file

    def write_xlsx(self, frame: pl.DataFrame, xlsx_path: str, sheet: str = "data") -> None:
        """The workbook of `frame` written into `xlsx_path` by a worker process."""
        ipc_path = _temp_path(".arrow")
        try:
            frame.write_ipc(ipc_path)
            future = self._pool().submit(write_xlsx_from_ipc, ipc_path, xlsx_path, sheet)
            try:
                future.result()  # waits on a lock: the GIL is free meanwhile
            except BrokenProcessPool as e:
                self._discard_broken()
                raise ExportFailed(str(e)) from e
        finally:
            _unlink(ipc_path)

    def shutdown(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_lower_priority,
                )
            return self._executor

    def _discard_broken(self) -> None:
        log.error("an XLSX export worker died; a new pool is started for the next export")
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


def _temp_path(suffix: str) -> str:
    # mkstemp: 0600, a name no one else has
    fd, path = tempfile.mkstemp(prefix="partnerhub-export-", suffix=suffix)
    os.close(fd)
    return path


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _lower_priority() -> None:
    # where not allowed, the same priority: still off the GIL
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
