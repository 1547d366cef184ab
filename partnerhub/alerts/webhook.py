"""Webhooks: a JSON POST signed with HMAC-SHA256 of the body.

The body carries our fields (`event`: alert.opened | alert.resolved | digest
| test, `as_of`, `alerts`, ...) and also the fields incoming webhooks read,
so that one body posts to each of them as it is:
- `text`: Slack, and Microsoft Teams' (legacy) incoming-webhook connectors;
- `markdown`: a Webex space's incoming webhook.

Verifying a message (the receiver, with the rule's secret):

    expected = "sha256=" + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    hmac.compare_digest(expected, request.headers["X-PartnerHub-Signature"])

computed over the raw bytes received, before any JSON parsing. Every POST
also carries `X-PartnerHub-Delivery` (the same value on each retry of one
message), by which a receiver may drop a repeat. A 2xx answer is delivered;
anything else (a redirect too) is retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from . import DeliveryError

SIGNATURE_HEADER = "X-PartnerHub-Signature"
DELIVERY_HEADER = "X-PartnerHub-Delivery"
USER_AGENT = "PartnerHub-Analytics-Webhook/1"
_ANSWER_SHOWN = 200  # characters of a failing answer kept in the error


def message_body(
    event: str,
    as_of: str | None,
    alerts: list[dict],
    text: str,
    markdown: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """The body of one webhook message: our fields plus `text` (Slack,
    Teams) and `markdown` (Webex), short human summaries. Values must be
    JSON-able (dates as ISO strings)."""
    return {"event": event, "as_of": as_of, "alerts": alerts, **fields, "text": text, "markdown": markdown or text}


def encode(body: Mapping[str, Any]) -> bytes:
    """The exact bytes posted (and signed)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def signature(secret: str, raw_body: bytes) -> str:
    """The X-PartnerHub-Signature header's value for these bytes."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # a redirect would post the message (or a GET without it) somewhere the
    # rule's owner did not name: treat it as a failure instead
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(url: str, secret: str | None, body: Mapping[str, Any], timeout: float, delivery_id: str = "") -> None:
    """Posts the body; DeliveryError with a one-line reason unless the
    endpoint answers 2xx."""
    if not secret:
        raise DeliveryError("the webhook has no secret to sign with (its rule was deleted?)", permanent=True)
    raw = encode(body)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature(secret, raw),
    }
    if delivery_id:
        headers[DELIVERY_HEADER] = delivery_id
    request = urllib.request.Request(url, data=raw, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as err:
        answer = err.read(_ANSWER_SHOWN * 4).decode("utf-8", "replace")
        shown = " ".join(answer.split())[:_ANSWER_SHOWN]
        raise DeliveryError(
            f"the endpoint answered {err.code} {err.reason}" + (f": {shown}" if shown else "")
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise DeliveryError(f"could not post to the endpoint: {reason}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"the endpoint answered {status}")
