"""Helpers of the analytics, calling and resources browser tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

WAIT = 15_000  # ms: the first visit loads Plotly and AG Grid


def publish(screenshot: Path, name: str) -> None:
    """Copy a screenshot for the README, only when `make screenshots` asks:
    `make test` never modifies tracked files."""
    folder = os.environ.get("PARTNERHUB_SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screenshot, Path(folder) / name)


def kpi(page, element_id: str):
    return page.locator(f"#{element_id}")


def cell(page, grid_id: str, row: int, column: str):
    return page.locator(f"#{grid_id} .ag-center-cols-container .ag-row[row-index='{row}'] [col-id='{column}']")


def reveal_grids(page) -> None:
    """AG Grid draws a grid once it has been on screen, and marks it
    `content-visibility: auto` (not painted while off screen): a full-page
    screenshot needs each grid scrolled into view and painted anyway."""
    page.add_style_tag(content=".ag-root-wrapper { content-visibility: visible !important; }")
    for grid in page.locator(".data-grid").all():
        grid.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)


def screenshot(page, path: Path, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    reveal_grids(page)
    main = page.locator("#main")
    # the page's own content never sticks out sideways: wide tables scroll inside their box
    assert main.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), f"horizontal overflow at {width} px"
    page.screenshot(path=str(path), full_page=True)
