"""One customer: statuses, tags and licenses, then its subscriptions (with
invoices and orders), its trials (start, extend) and its partner
administrators (assign, remove). Out of scope or unknown: the not-found
page, word for word (pages/_customers holds the parts)."""

from __future__ import annotations

import dash
from flask import has_request_context, request

from partnerhub.i18n import _
from partnerhub.pages._customers import admins_ui, trials_ui  # noqa: F401  (registers the callbacks)
from partnerhub.pages._customers.detail_layout import layout as _layout

dash.register_page(
    __name__,
    path_template="/customers/<customer_id>",
    title=lambda **_path: _("Customer"),
    name="Customer",
    area="customers",
)

PREFIX = "/customers/"


def _path_customer_id(default):
    """The id in the address itself: Dash lets a query parameter of the same
    name override a path variable, so ?customer_id=... must not pick the
    customer."""
    if not has_request_context():
        return default
    body = request.get_json(silent=True) if request.is_json else None
    for item in (body or {}).get("inputs", []) if isinstance(body, dict) else []:
        if isinstance(item, dict) and item.get("property") == "pathname" and isinstance(item.get("value"), str):
            path = item["value"]
            if path.startswith(PREFIX):
                return path[len(PREFIX) :].strip("/") or default
    return default


def layout(customer_id=None, **kwargs):
    return _layout(customer_id=_path_customer_id(customer_id), **kwargs)
