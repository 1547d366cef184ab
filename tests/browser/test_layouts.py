"""Every page at 1440, 1024, 768 and 390 px: a screenshot of each in
test-artifacts/layouts/, and the layout rules of issue 16, checked on every
grid and chart a page holds (generically: pages change, the rules stay):

- a grid shows all the rows of its page while the window has room for
  them; a grid too long for the window is as tall as the window below the
  navigation bar;
- a name cell's text is never cut while its column could grow;
- a chart's text labels never overlap;
- printed (print media), every grid draws every row of its page;
- at 390 px the filters are folded away and the customer list shows a
  customer on the first screen.

One browser context per width, each page visited once per width.
"""

from __future__ import annotations

import dash
import pytest

from tests.conftest import PASSWORD

WIDTHS = (1440, 1024, 768, 390)
HEIGHT = 900
USER = "full.admin@demo.example"  # sees every page, /admin included
PAGES = ["/", "/customers", "customer", "/analytics", "/calling", "/resources", "/admin", "/account", "/alerts"]

# every grid on the page: the rows its current page holds (AG Grid's own
# count), the rows drawn inside its visible box, its height and name cells
GRIDS = """async () => {
  const out = [];
  for (const el of document.querySelectorAll('.data-grid[id]')) {
    if (!el.offsetParent) { continue; }
    const api = await window.dash_ag_grid.getApiAsync(el.id);
    let holds = api.getDisplayedRowCount();
    if (api.getGridOption('pagination')) {
      const size = api.paginationGetPageSize();
      holds = Math.max(Math.min(size, api.paginationGetRowCount() - api.paginationGetCurrentPage() * size), 0);
    }
    const body = el.querySelector('.ag-body-viewport').getBoundingClientRect();
    const rows = [...el.querySelectorAll('.ag-center-cols-container .ag-row')];
    const visible = rows.filter(r => {
      const b = r.getBoundingClientRect();
      return b.height > 0 && b.top >= body.top - 1 && b.bottom <= body.bottom + 1;
    }).length;
    const room = el.querySelector('.ag-body-viewport').clientWidth;
    const cut = [];
    for (const col of api.getAllDisplayedColumns()) {
      const def = col.getColDef();
      const isName = def.cellRenderer === 'CustomerLink' || /(^|_)name$/.test(col.getColId());
      // a column held to most of the grid's width could not grow any more
      if (!isName || col.getActualWidth() >= room * 0.6 - 1) { continue; }
      for (const cell of el.querySelectorAll(`.ag-center-cols-container [col-id="${col.getColId()}"]`)) {
        if (cell.scrollWidth > cell.clientWidth + 1) { cut.push(cell.textContent); }
      }
    }
    out.push({id: el.id, holds, rowHeight: api.getGridOption('rowHeight') || 40, rendered: rows.length, visible, height: el.getBoundingClientRect().height,
              fill: el.classList.contains('data-grid-fill'), cut});
  }
  return out;
}"""

OVERLAPS = """() => {
  const out = [];
  for (const graph of document.querySelectorAll('.js-plotly-plot')) {
    const boxes = [...graph.querySelectorAll('.textpoint text, .bartext, .annotation-text-g text')]
      .filter(t => t.textContent && getComputedStyle(t).display !== 'none' && getComputedStyle(t).visibility !== 'hidden')
      .map(t => [t.textContent, t.getBoundingClientRect()])
      .filter(([, b]) => b.width > 0);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [ta, a] = boxes[i], [tb, b] = boxes[j];
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
          out.push(`${graph.id || graph.parentElement.id}: "${ta}" overlaps "${tb}"`);
        }
      }
    }
  }
  return out;
}"""

# the page has drawn: no Dash callback pending, every grid fitted (assets/app.js)
SETTLED = """() => !document.querySelector('[data-dash-is-loading="true"]') &&
  [...document.querySelectorAll('.data-grid[id]')].every(g => !g.offsetParent ||
     !g.classList.contains('data-grid-fill') || g.style.getPropertyValue('--ph-grid-rows'))"""


def _pages() -> list[str]:
    paths = {p["path"] for p in dash.page_registry.values()}
    return [p for p in PAGES if p == "customer" or p in paths]


def _open(page, path: str) -> None:
    """Go to `path` the way the app's links do (the router, no reload: a
    page view costs a layout request, not every script again)."""
    page.evaluate(
        """path => {
          if (window.location.pathname + window.location.search === path) { window.phOldMain = null; return; }
          window.phOldMain = document.querySelector('#main h1');
          window.phOldTitle = window.phOldMain && window.phOldMain.textContent;
          window.history.pushState({}, '', path);
          window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
          window.scrollTo(0, 0);
        }""",
        path,
    )
    page.wait_for_function(
        """() => { const h = document.querySelector('#main h1'), old = window.phOldMain;
                   return h && (!old || !old.isConnected || h.textContent !== window.phOldTitle); }""",
        timeout=15_000,
    )
    page.locator("#main h1").first.wait_for()
    page.wait_for_function(SETTLED, timeout=15_000)
    page.wait_for_timeout(250)  # the debounced fitting of columns and heights


@pytest.fixture(scope="module")
def customer_path(app, live_server, browser) -> str:
    context = browser.new_context(base_url=live_server, locale="en-US")
    page = context.new_page()
    _sign_in(page)
    page.goto("/customers")
    href = page.locator(".ag-row a.customer-link").first.get_attribute("href")
    context.close()
    assert href
    return href


def _sign_in(page) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(USER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#account-menu").wait_for(state="attached")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits(browser, live_server, customer_path, artifacts, width):
    folder = artifacts / "layouts"
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server, locale="en-US", viewport={"width": width, "height": HEIGHT})
    page = context.new_page()
    problems: list[str] = []
    try:
        _sign_in(page)
        for path in _pages():
            url = customer_path if path == "customer" else path
            _open(page, url)
            name = path.strip("/") or "home"
            page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
            top = page.evaluate("document.querySelector('.navbar').getBoundingClientRect().bottom")
            for g in page.evaluate(GRIDS):
                where = f"{url} at {width} px, grid {g['id']}"
                # room for every row of the page: the window below the navigation bar
                fits = g["holds"] * g["rowHeight"] + 140 <= HEIGHT - top - 40
                if width >= 1024 and (not g["fill"] or fits) and g["visible"] < g["holds"]:
                    problems.append(f"{where}: shows {g['visible']} of its {g['holds']} rows")
                if width >= 1024 and g["fill"] and g["visible"] < g["holds"] and g["height"] < HEIGHT - top - 24:
                    problems.append(f"{where}: {g['height']:.0f} px high, below the window's {HEIGHT - top:.0f} px")
                if g["cut"]:
                    problems.append(f"{where}: names cut off: {g['cut'][:3]}")
            problems += [f"{url} at {width} px: {o}" for o in page.evaluate(OVERLAPS)]
            if width == 390 and path == "/customers":
                first = page.locator(".data-grid .ag-center-cols-container .ag-row").first.bounding_box()
                if not first or first["y"] + first["height"] > HEIGHT:
                    problems.append(f"/customers at 390 px: no customer row on the first screen ({first})")
                if page.locator("details.filter-panel[open]").count():
                    problems.append("/customers at 390 px: the filters are not folded away")
            if width == 1440:
                page.emulate_media(media="print")
                page.wait_for_timeout(200)
                for g in page.evaluate(GRIDS):
                    if g["rendered"] < g["holds"]:
                        problems.append(f"{url} printed: grid {g['id']} draws {g['rendered']} of {g['holds']} rows")
                page.emulate_media(media="screen")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
