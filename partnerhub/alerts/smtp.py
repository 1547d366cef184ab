"""E-mail over SMTP: an outbox payload made into a MIME message and handed to
the server of PARTNERHUB_SMTP_URL (plain, STARTTLS or TLS; AUTH when the URL
has a user).

The message is multipart/alternative (plain text, then HTML), inside
multipart/mixed when it has attachments. Headers that are not ASCII (a
Japanese subject) are RFC 2047 encoded by the email package. TLS checks the
server's certificate against the system's trusted CAs (SSL_CERT_FILE names
another bundle, for a private CA).
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from partnerhub.data.settings import Settings, SmtpServer
from partnerhub.data.state import utcnow

from . import DeliveryError


def build_message(sender: str, to: str, payload: Mapping[str, Any]) -> EmailMessage:
    """payload: {"subject", "text", "html" (optional), "attachments":
    [{"filename", "content_type", "content" (base64)}] (optional)}."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = str(payload["subject"])
    msg["Date"] = format_datetime(utcnow())
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg.set_content(str(payload.get("text") or ""))
    if payload.get("html"):
        msg.add_alternative(str(payload["html"]), subtype="html")
    for item in payload.get("attachments") or []:
        maintype, _, subtype = str(item.get("content_type") or "application/octet-stream").partition("/")
        msg.add_attachment(
            base64.b64decode(item["content"]),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=str(item["filename"]),
        )
    return msg


def _connect(server: SmtpServer, timeout: float) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if server.security == "tls":
        return smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
    conn = smtplib.SMTP(server.host, server.port, timeout=timeout)
    try:
        conn.ehlo()
        if server.security == "starttls":
            conn.starttls(context=context)
            conn.ehlo()
    except BaseException:
        conn.close()
        raise
    return conn


def send(settings: Settings, to: str, payload: Mapping[str, Any]) -> None:
    """Sends one message to `to`; DeliveryError with a one-line reason (never
    the password) when no server is configured or it does not take it."""
    server = settings.smtp
    if server is None:
        raise DeliveryError("no SMTP server is configured (PARTNERHUB_SMTP_URL)", permanent=True)
    message = build_message(settings.mail_from, to, payload)
    where = f"{server.host}:{server.port}"
    try:
        conn = _connect(server, settings.delivery_timeout_seconds)
        try:
            if server.user:
                conn.login(server.user, server.password or "")
            conn.send_message(message)
        finally:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()
    except smtplib.SMTPAuthenticationError as err:
        raise DeliveryError(
            f"{where} refused the user {server.user!r}: {_reply(err.smtp_code, err.smtp_error)}"
        ) from None
    except smtplib.SMTPRecipientsRefused as err:
        code, reply = next(iter(err.recipients.values()))
        raise DeliveryError(f"{where} refused {to}: {_reply(code, reply)}") from None
    except smtplib.SMTPResponseException as err:
        raise DeliveryError(f"{where} answered {_reply(err.smtp_code, err.smtp_error)}") from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as err:
        raise DeliveryError(f"{where}: {type(err).__name__}: {err}") from None


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"
