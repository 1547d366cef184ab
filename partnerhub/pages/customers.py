"""Customers: every customer in the viewer's scope with its statuses,
products, tags and licenses; filters in the address, server-side paging and
sorting, downloads, and custom tags (pages/_customers holds the parts)."""

from __future__ import annotations

import dash

from partnerhub.i18n import _
from partnerhub.pages._customers import list_callbacks, tags_ui  # noqa: F401  (registers the callbacks)
from partnerhub.pages._customers.list_layout import layout as _layout

dash.register_page(
    __name__, path="/customers", title=lambda **_path: _("Customers"), name="Customers", area="customers"
)


def layout(**kwargs):
    return _layout(**kwargs)
