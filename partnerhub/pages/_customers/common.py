"""What both customer pages share: the request's metrics Context, tag chips
and the "launch customer org" link (labels of the data's codes are
components.labels', the alerts callbacks answer with components.callbacks')."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from dash import html

from partnerhub.components.icons import aria, icon, tip
from partnerhub.i18n import _
from partnerhub.metrics.types import Context, request_context


def context() -> Context | None:
    """The metrics Context of this request; None before the first import."""
    return request_context()


def joined_labels(text: str | None, labels: dict[str, str]) -> str:
    """'meetings;calling' -> 'Meetings, Calling' (unknown codes as they are)."""
    return ", ".join(labels.get(v, v) for v in (text or "").split(";") if v)


def text_color(background: str) -> str:
    """Black or white, whichever reads better on `background` (#rrggbb):
    the WCAG relative-luminance rule."""
    try:
        rgb = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    except (TypeError, ValueError):
        return "#000000"
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if luminance > 0.179 else "#ffffff"


def tag_chip_data(name: str, color: str | None) -> dict:
    color = color or "#6c757d"
    return {"name": name, "color": color, "fg": text_color(color)}


def tag_chips(names, colors: dict[str, str], id=None) -> html.Span:
    """Coloured chips with the tag's name as text (the colour only helps)."""
    names = [n for n in (names.split(";") if isinstance(names, str) else names or []) if n]
    props = {"id": id} if id is not None else {}
    if not names:
        return html.Span(_("No tags"), className="text-muted small", **props)
    chips = []
    for name in names:
        chip = tag_chip_data(name, colors.get(name))
        chips.append(
            html.Span(name, className="tag-chip", style={"backgroundColor": chip["color"], "color": chip["fg"]})
        )
    return html.Span(chips, className="tag-chips", **props)


def org_url(template: str, customer_id: str) -> str:
    """The customer's own admin console, from settings.customer_org_url_template."""
    return template.replace("{customer_id}", quote(customer_id, safe=""))


def org_link(template: str, customer_id: str, customer_name: str, id=None, text: bool = True) -> html.A:
    label = _("Launch the customer org of %(name)s (opens in a new tab)", name=customer_name)
    props: dict[str, Any] = {"id": id} if id is not None else {}
    return html.A(
        [
            icon("bi-box-arrow-up-right", "me-1" if text else ""),
            _("Launch customer org") if text else None,
        ],
        href=org_url(template, customer_id),
        target="_blank",
        rel="noopener noreferrer",
        className="org-link btn btn-outline-primary btn-sm" if text else "org-link",
        **tip(label),
        **aria(label=label),
        **props,
    )
