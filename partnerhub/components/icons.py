"""Bootstrap icons and ARIA attributes, the two things nearly every component
spells by hand.

Dash takes `aria-*` attributes only as keyword names with a dash, so they
travel as `**aria(label=...)`; typed `dict[str, Any]` because Dash's stubs
type every keyword of a component.
"""

from __future__ import annotations

from typing import Any

from dash import html


def aria(**attributes: str) -> dict[str, Any]:
    """`aria(label="x", live="polite")` -> {"aria-label": "x", "aria-live": "polite"}."""
    return {f"aria-{name.replace('_', '-')}": value for name, value in attributes.items()}


def tip(text: str) -> dict[str, Any]:
    """The attribute of a hover/focus/tap tooltip (assets/app.js shows it):
    unlike a native `title`, it opens on a keyboard focus and a tap too."""
    return {"data-tip": text}


def icon(name: str, classes: str = "") -> html.I:
    """A decorative Bootstrap icon (`bi-…`): hidden from screen readers, whose
    text comes from the label beside it."""
    return html.I(className=f"bi {name} {classes}".strip(), **aria(hidden="true"))
