"""This week: the page everyone lands on after sign-in. For the viewer's
scope: customer health and headline KPIs with their change since the week
before, the worklist of customers at risk or on watch with the reasons, and
their follow-ups due (pages/_home holds the parts)."""

from __future__ import annotations

import dash

from partnerhub.pages._home import callbacks  # noqa: F401  (registers the callbacks)
from partnerhub.pages._home.layout import layout as _layout
from partnerhub.pages._home.layout import title

dash.register_page(__name__, path="/", title=lambda **_path: title(), name="This week", area="home")


def layout(**kwargs):
    return _layout(**kwargs)
