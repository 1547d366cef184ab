"""One stacked bar: used / assigned but unused / available of a line's licenses.

Readable without colour: each segment has its own pattern (solid, stripes,
empty outline), the numbers are written next to the bar, the full sentence is
in its tooltip (hover, keyboard focus, tap) and in visually-hidden text for
screen readers. Overage
(assigned > total) widens the scale to what is assigned, marks where the
licensed total ends and hatches what lies beyond it, labelled "N over".

The grid cell renderer `LicenseBar` in assets/dashAgGridComponentFunctions.js
draws the same bar from a row's used / assigned / total_licenses fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import html

from partnerhub.formatting import fmt_int
from partnerhub.i18n import _, n_

from .icons import aria, tip


@dataclass(frozen=True)
class BarSegments:
    """Widths in percent of the bar (summing to 100 unless the bar is empty)
    and the counts each segment stands for."""

    used: int
    assigned: int
    unused: int  # assigned but not used
    available: int  # licensed but not assigned
    overage: int  # assigned beyond the licensed total
    total: int
    used_pct: float
    unused_pct: float
    available_pct: float
    total_pct: float  # where the licensed total ends (100 without overage)
    overage_pct: float  # the part of used+unused beyond total_pct

    @property
    def empty(self) -> bool:
        return self.used_pct + self.unused_pct + self.available_pct == 0


def _count(value) -> int:
    return 0 if value is None else max(int(value), 0)


def license_bar_segments(used, assigned, total, available=None) -> BarSegments:
    """The bar's geometry. The scale is the largest of total, assigned and
    used, so an overage makes the filled part run past the total marker
    instead of being clipped. `available` defaults to max(total − assigned, 0)
    (metrics.md); missing counts count as 0."""
    used, assigned, total = _count(used), _count(assigned), _count(total)
    available = max(total - assigned, 0) if available is None else _count(available)
    filled = max(assigned, used)
    unused = filled - used
    overage = max(assigned - total, 0)
    scale = max(filled + available, total)
    if scale == 0:
        return BarSegments(used, assigned, unused, available, overage, total, 0.0, 0.0, 0.0, 0.0, 0.0)

    def pct(n: int) -> float:
        return round(100.0 * n / scale, 2)

    widths = [pct(used), pct(unused), pct(available)]
    if filled + available == scale:
        # the rounding remainder goes to the last non-empty segment so the widths add up to 100
        last = max(i for i, n in enumerate((used, unused, available)) if n)
        widths[last] = round(100.0 - sum(w for i, w in enumerate(widths) if i != last), 2)
    used_pct, unused_pct, available_pct = widths
    return BarSegments(
        used,
        assigned,
        unused,
        available,
        overage,
        total,
        used_pct,
        unused_pct,
        available_pct,
        pct(total),
        pct(overage) if overage else 0.0,
    )


def license_bar_text(seg: BarSegments) -> str:
    """The sentence a screen reader hears and the bar's tooltip shows."""
    text = n_(
        "%(used)s used, %(unused)s assigned but unused, %(available)s available of %(total)s license.",
        "%(used)s used, %(unused)s assigned but unused, %(available)s available of %(total)s licenses.",
        seg.total,
        used=fmt_int(seg.used),
        unused=fmt_int(seg.unused),
        available=fmt_int(seg.available),
        total=fmt_int(seg.total),
    )
    if seg.overage:
        text += " " + _("%(over)s assigned beyond the licensed total.", over=fmt_int(seg.overage))
    return text


def license_bar(used, assigned, total, available=None, id=None, compact: bool = False) -> html.Div:
    """A stacked horizontal bar of one line's (or one customer's) licenses.

    used, assigned, total: counts (None counts as 0); available: optional,
    defaults to max(total − assigned, 0). compact=True writes only
    "used / assigned / total" next to the bar (tables); otherwise a legend
    line names every segment. The outer Div gets `id` when given.
    """
    seg = license_bar_segments(used, assigned, total, available)
    sentence = license_bar_text(seg)
    if seg.empty:
        track = html.Div(
            html.Span(_("No licenses"), className="license-bar-none"),
            className="license-bar-track license-bar-empty",
            **aria(hidden="true"),
        )
    else:
        parts = [
            html.Div(className="license-bar-seg lb-used", style={"width": f"{seg.used_pct}%"}),
            html.Div(className="license-bar-seg lb-unused", style={"width": f"{seg.unused_pct}%"}),
            html.Div(className="license-bar-seg lb-available", style={"width": f"{seg.available_pct}%"}),
        ]
        if seg.overage:
            parts.append(
                html.Div(className="lb-overage", style={"left": f"{seg.total_pct}%", "width": f"{seg.overage_pct}%"})
            )
            parts.append(html.Div(className="lb-total-marker", style={"left": f"{seg.total_pct}%"}))
        track = html.Div(parts, className="license-bar-track", **aria(hidden="true"))

    over = html.Span(_("%(n)s over", n=fmt_int(seg.overage)), className="lb-over-label") if seg.overage else None
    if compact:
        caption: html.Span | html.Div = html.Span(
            [f"{fmt_int(seg.used)} / {fmt_int(seg.assigned)} / {fmt_int(seg.total)}", over and " ", over],
            className="license-bar-caption",
            **aria(hidden="true"),
        )
    else:
        caption = html.Div(
            [
                html.Span([html.Span(className="lb-key lb-used"), _("%(n)s used", n=fmt_int(seg.used))]),
                html.Span(
                    [html.Span(className="lb-key lb-unused"), _("%(n)s assigned, unused", n=fmt_int(seg.unused))]
                ),
                html.Span([html.Span(className="lb-key lb-available"), _("%(n)s available", n=fmt_int(seg.available))]),
                html.Span(_("of %(n)s", n=fmt_int(seg.total))),
                over,
            ],
            className="license-bar-legend",
            **aria(hidden="true"),
        )
    props: dict[str, Any] = {**tip(sentence), **({"id": id} if id is not None else {})}
    return html.Div(
        [track, caption, html.Span(sentence, className="visually-hidden")],
        className="license-bar"
        + (" license-bar-compact" if compact else "")
        + (" license-bar-over" if seg.overage else ""),
        # a tooltip for mouse, keyboard and tap (assets/app.js), not a native title
        tabIndex=0,
        **props,
    )
