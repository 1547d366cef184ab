"""A throwaway PostgreSQL server for the tests: Debian's `postgresql`
package (installed by `make test`), a cluster in a temporary folder, listening
on 127.0.0.1 only, started once per test session and removed after it.

`initdb` refuses to run as root, so as root the cluster belongs to the
`postgres` user (runuser); as anyone else it runs as that user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"PostgreSQL's {name} is missing: `make test` installs Debian's postgresql package")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yields a libpq URL of a running server (user postgres, trust auth on loopback)."""
    folder = Path(tempfile.mkdtemp(prefix="partnerhub-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    initdb = [_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]
    subprocess.run(_as_owner(initdb), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off"
    start = [_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]
    subprocess.run(_as_owner(start), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_owner([_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server_url: str, name: str, template: str | None = None) -> str:
    """A new database on the server, empty or a copy of `template` (a
    database nobody is connected to); its SQLAlchemy URL."""
    import psycopg

    source = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"{source}')
    return sqlalchemy_url(server_url, name)


def sqlalchemy_url(server_url: str, name: str) -> str:
    return f"postgresql+psycopg://{server_url.removeprefix('postgresql://')}/{name}"


def drop_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
