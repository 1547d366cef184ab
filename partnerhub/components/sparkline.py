"""A word-sized line of weekly values, as an inline SVG image.

Null weeks (no data row) are gaps in the line, not zeros. The image's alt
text states first, last, lowest and highest value, so the picture is not the
only carrier of the numbers. The grid's `Sparkline` cell renderer draws the
same line from a list column.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from dash import html

from partnerhub.formatting import fmt_int, is_missing
from partnerhub.i18n import _

STROKE = "#0072B2"


def sparkline_points(
    values: Sequence, width: float, height: float, pad: float = 2.0
) -> list[list[tuple[float, float]]]:
    """Runs of (x, y) points, split wherever a value is missing. The y scale
    starts at 0 so that a flat line of small numbers does not look dramatic."""
    n = len(values)
    present = [v for v in values if not is_missing(v)]
    if n == 0 or not present:
        return []
    top = max(max(present), 0)
    bottom = min(min(present), 0)
    span = (top - bottom) or 1
    step = (width - 2 * pad) / (n - 1) if n > 1 else 0
    runs: list[list[tuple[float, float]]] = []
    run: list[tuple[float, float]] = []
    for i, v in enumerate(values):
        if is_missing(v):
            if run:
                runs.append(run)
            run = []
            continue
        x = pad + i * step if n > 1 else width / 2
        y = height - pad - (v - bottom) / span * (height - 2 * pad)
        run.append((round(x, 1), round(y, 1)))
    if run:
        runs.append(run)
    return runs


def sparkline_svg(values: Sequence, width: int = 120, height: int = 28, color: str = STROKE) -> str:
    """SVG markup: one polyline per run of present values (a lone value is a
    dot) and a dot on the latest present value."""
    runs = sparkline_points(values, width, height)
    shapes = []
    for run in runs:
        if len(run) == 1:
            x, y = run[0]
            shapes.append(f'<circle cx="{x}" cy="{y}" r="1.5" fill="{color}"/>')
        else:
            pts = " ".join(f"{x},{y}" for x, y in run)
            shapes.append(
                f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="1.5" '
                'stroke-linejoin="round" stroke-linecap="round"/>'
            )
    if runs:
        x, y = runs[-1][-1]
        shapes.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{color}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">' + "".join(shapes) + "</svg>"
    )


def sparkline_summary(values: Sequence, fmt=fmt_int) -> str:
    present = [v for v in values if not is_missing(v)]
    if not present:
        return _("No data in these weeks")
    last = next(v for v in reversed(values) if not is_missing(v))
    return _(
        "%(weeks)s weeks: latest %(last)s, lowest %(low)s, highest %(high)s",
        weeks=len(values),
        last=fmt(last),
        low=fmt(min(present)),
        high=fmt(max(present)),
    )


def sparkline(
    values: Sequence | None, id=None, width: int = 120, height: int = 28, label: str | None = None
) -> html.Img:
    """A small line of `values` (oldest first, None = no data that week) as an
    <img> with a data: SVG (allowed by the app's CSP) and a describing alt
    text; `label`, when given, prefixes the alt text (e.g. "Calls")."""
    values = list(values or [])
    summary = sparkline_summary(values)
    alt = f"{label}: {summary}" if label else summary
    props = {"id": id} if id is not None else {}
    return html.Img(
        src="data:image/svg+xml;charset=utf-8," + quote(sparkline_svg(values, width, height)),
        alt=alt,
        title=alt,
        width=width,
        height=height,
        className="sparkline",
        **props,
    )
