"""Alerts: rule evaluation over metrics results of two snapshots, and delivery
of what it finds (in-app, e-mail over SMTP, signed webhooks) through one
outbox that retries and sends each message once (outbox.py)."""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be handed over. permanent: trying again cannot
    help (no SMTP server configured, a webhook without its secret)."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent
