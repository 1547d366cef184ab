"""The "Deliveries" tab: the alert e-mails and webhooks of the outbox, newest
first (partnerhub/data/alerts.py delivery_log), with their state, attempts
and last error, so that a full administrator sees what went out and what
did not. Webhook addresses show only their host: the rest of a URL may
carry a token of the receiving service."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from dash import html

from partnerhub.components.grid import client_rows, data_grid
from partnerhub.i18n import N_, _

from .fields import when

DELIVERY_LIMIT = 500

DELIVERY_COLUMNS = (
    ("created_at", N_("Created"), "text"),
    ("channel", N_("Channel"), "text"),
    ("recipient", N_("Recipient"), "text"),
    ("user_email", N_("For"), "text"),
    ("kind", N_("Kind"), "text"),
    ("state", N_("State"), "text"),
    ("attempts", N_("Attempts"), "int"),
    ("last_error", N_("Last error"), "text"),
    ("sent_at", N_("Sent"), "text"),
)


def _labels() -> dict[str, dict[str, str]]:
    return {
        "channel": {"email": _("E-mail"), "webhook": _("Webhook")},
        "kind": {
            "alert.opened": _("Alert opened"),
            "alert.resolved": _("Alert resolved"),
            "digest": _("Weekly digest"),
            "test": _("Test message"),
        },
        "state": {"pending": _("Pending"), "sent": _("Sent"), "failed": _("Failed")},
    }


def recipient(row: Mapping) -> str:
    """An e-mail address as it is; a webhook by its host only."""
    value = row.get("recipient") or ""
    if row.get("channel") == "webhook":
        return urlsplit(value).hostname or "–"
    return value or "–"


def delivery_rows(rows: list[dict]) -> list[dict]:
    labels = _labels()
    return [
        {
            "id": str(r["id"]),
            "created_at": when(r["created_at"]),
            "channel": labels["channel"].get(r["channel"], r["channel"]),
            "recipient": recipient(r),
            "user_email": r.get("user_email") or "–",
            "kind": labels["kind"].get(r["kind"], r["kind"]),
            "state": labels["state"].get(r["state"], r["state"]),
            "attempts": r["attempts"],
            "last_error": r.get("last_error") or "–",
            "sent_at": when(r.get("sent_at")),
        }
        for r in rows
    ]


def deliveries_tab(rows: list[dict]) -> html.Div:
    columns = [(name, _(header), kind) for name, header, kind in DELIVERY_COLUMNS]
    texts = [name for name, _h, kind in DELIVERY_COLUMNS if kind == "text"]
    return html.Div(
        [
            html.P(
                _(
                    "Alert e-mails, webhooks and weekly digests, newest first; at most %(n)s are shown. "
                    "A delivery that fails is tried again at the next run, up to its limit.",
                    n=DELIVERY_LIMIT,
                ),
                className="small text-muted",
            ),
            data_grid(
                "admin-deliveries-grid",
                columns,
                client_rows(delivery_rows(rows), texts),
                server_side=False,
                page_size=50,
                empty_message=_("Nothing has been sent yet."),
                grid_options={"getRowId": {"function": "params.data.id"}},
            ),
        ],
        className="pt-3",
    )
