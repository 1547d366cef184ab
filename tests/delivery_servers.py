"""Real receivers on loopback for the delivery tests: an SMTP server
(aiosmtpd) that keeps every message it accepts, parsed by the email package,
and an HTTP server that keeps every POST (headers and raw body) and can be
told to fail (500) or be stopped and started again on its port. A
self-signed certificate for 127.0.0.1, made with the openssl command, lets
the SMTP server speak STARTTLS and TLS.

Fixtures: smtp_server (plain, AUTH allowed without TLS), webhook_receiver,
tls_certificate (skips when openssl is missing)."""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"
SMTP_USER, SMTP_PASSWORD = "mailer", "p@ss:word/1"  # ASCII: smtplib sends AUTH in ASCII


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class _Collect:
    def __init__(self, box: list[Received], lock: threading.Lock):
        self.box, self.lock = box, lock

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.box.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == SMTP_USER
        and auth_data.password.decode() == SMTP_PASSWORD
    )
    # handled=False: aiosmtpd answers 535 itself
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    """An SMTP server on loopback; `url` is its PARTNERHUB_SMTP_URL."""

    port: int
    security: str = "none"  # none | starttls | tls
    tls: ssl.SSLContext | None = None
    messages: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    def url(self, auth: bool = True) -> str:
        from urllib.parse import quote

        user = f"{quote(SMTP_USER, safe='')}:{quote(SMTP_PASSWORD, safe='')}@" if auth else ""
        scheme = "smtps" if self.security == "tls" else "smtp"
        query = "?starttls=true" if self.security == "starttls" else ""
        return f"{scheme}://{user}{HOST}:{self.port}{query}"

    def start(self) -> None:
        kwargs: dict = {
            "authenticator": _authenticator,
            "auth_require_tls": self.security == "starttls",
            "ready_timeout": 5.0,
        }
        if self.security == "starttls":
            kwargs |= {"tls_context": self.tls, "require_starttls": True}
        elif self.security == "tls":
            kwargs["ssl_context"] = self.tls
        self._controller = Controller(_Collect(self.messages, self._lock), hostname=HOST, port=self.port, **kwargs)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self) -> list[Received]:
        with self._lock:
            return list(self.messages)


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """An HTTP server on loopback keeping every POST; answers `status`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.status = 200
        self.posts: list[Post] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.posts.append(Post(self.path, dict(self.headers.items()), body))
                    status = receiver.status
                payload = b"ok" if status < 300 else b"receiver is failing"
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer((HOST, self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def received(self) -> list[Post]:
        with self._lock:
            return list(self.posts)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory) -> tuple[Path, Path]:
    """(certificate, key) of a self-signed certificate for 127.0.0.1 and localhost."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed: no certificate for the TLS tests")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
