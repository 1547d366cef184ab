"""`make run` and `make serve` on an empty PARTNERHUB_HOME: demo data is
generated and imported, the demo sign-ins are printed, and the server answers
on its port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answer(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


@pytest.mark.parametrize("target", ["run", "serve"])
def test_make_target_serves_demo(tmp_path, target):
    port = free_port()
    env = {**os.environ, "PARTNERHUB_HOME": str(tmp_path / "home"), "PORT": str(port)}
    env.pop("PARTNERHUB_SECRET_KEY", None)
    log = (tmp_path / "out.log").open("w+")
    proc = subprocess.Popen(
        ["make", "-s", target], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        status = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            status = answer(f"http://127.0.0.1:{port}/login")
            if status is not None:
                break
            time.sleep(0.5)
        log.seek(0)
        output = log.read()
        assert status == 200, output[-3000:]
        assert "demo sign-ins" in output
        for email in ("full.admin@demo.example", "sales@demo.example"):
            assert email in output
        creds = tmp_path / "home" / "demo-credentials.txt"
        assert oct(creds.stat().st_mode & 0o777) == "0o600"
        # anything but the sign-in page wants a sign-in first
        assert answer(f"http://127.0.0.1:{port}/_dash-layout") == 401
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()
