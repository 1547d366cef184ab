/* Small behaviours of the shared components (components/). */
(function () {
  "use strict";

  // dcc.Graph loads Plotly from window._dashPlotlyJSURL the first time a page
  // draws a chart. Dash's renderer points it at the full bundle (4.8 MB, every
  // trace type, unversioned); our charts draw bars and lines only, so the
  // basic bundle is fetched instead, under a versioned name cached for a year.
  // The renderer's assignment comes later and is ignored.
  var PLOTLY_BUNDLE = "assets/vendor/plotly-basic-4.1.1.min.js";
  var plotlyUrl = (function () {
    var prefix = "/";
    try {
      prefix = JSON.parse(document.getElementById("_dash-config").textContent).requests_pathname_prefix || "/";
    } catch (e) { /* no Dash config: the app is served at the root */ }
    return prefix + PLOTLY_BUNDLE;
  })();
  Object.defineProperty(window, "_dashPlotlyJSURL", {
    configurable: false,
    get: function () { return plotlyUrl; },
    set: function () { /* keep ours */ }
  });

  // Clientside callbacks, see components/grid.py:refresh_grid_on
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.partnerhub = Object.assign(window.dash_clientside.partnerhub || {}, {
    // the filters changed: drop the grid's cached blocks and ask again from page 1
    refreshGrid: function () {
      var gridId = arguments[arguments.length - 1];
      if (window.dash_ag_grid && gridId) {
        window.dash_ag_grid.getApiAsync(gridId).then(function (api) {
          api.paginationGoToFirstPage();
          api.purgeInfiniteCache();
        });
      }
      return window.dash_clientside.no_update;
    }
  });

  // The download links are plain <a download> (not menu items that close the
  // menu themselves): close the menu once a format was chosen.
  document.addEventListener("click", function (e) {
    var item = e.target.closest && e.target.closest(".download-menu .dropdown-item");
    if (!item) { return; }
    var toggle = item.closest(".download-menu").querySelector(".dropdown-toggle");
    if (toggle && toggle.getAttribute("aria-expanded") === "true") {
      window.setTimeout(function () { toggle.click(); toggle.focus(); }, 0);
    }
  });

  // Downloads through fetch: a refused one (429 while the user's or the
  // server's other large exports run, see api/export_limits.py) would
  // otherwise end as a failed file in the browser's download list with no
  // reason. The answer's own sentence is shown instead; a file that came is
  // saved from memory under the server's name. Without JS, or with a
  // modifier key, the link downloads as a plain link.
  var notice = null;
  function showNotice(text, kind) {
    if (!notice) {
      notice = document.createElement("div");
      notice.className = "download-notice alert mb-0 position-fixed bottom-0 end-0 m-3 shadow-sm";
      notice.setAttribute("role", "status");
      notice.setAttribute("aria-live", "polite");
      document.body.appendChild(notice);
    }
    notice.classList.remove("alert-warning", "alert-light", "d-none");
    notice.classList.add(kind === "error" ? "alert-warning" : "alert-light");
    notice.textContent = text;
    window.clearTimeout(notice.hideTimer);
    if (kind === "error") {
      notice.hideTimer = window.setTimeout(hideNotice, 12000);
    }
  }
  function hideNotice() {
    if (notice) { notice.classList.add("d-none"); }
  }
  function fileName(response, link) {
    var disposition = response.headers.get("Content-Disposition") || "";
    var match = /filename="([^"]+)"/.exec(disposition);
    return match ? match[1] : link.pathname.split("/").pop();
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest(".download-menu a.dropdown-item[download]");
    if (!link || !window.fetch || !window.URL || !URL.createObjectURL || e.defaultPrevented ||
        e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
      return;
    }
    e.preventDefault();
    var failed = link.getAttribute("data-failed") || "";
    showNotice(link.getAttribute("data-preparing") || "", "busy");
    window.fetch(link.href, { credentials: "same-origin" }).then(function (response) {
      if (response.status === 401) {
        window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname + window.location.search));
        return null;
      }
      if (!response.ok) {
        return response.json().then(function (body) {
          showNotice((body && body.error) || failed, "error");
        }, function () { showNotice(failed, "error"); });
      }
      var name = fileName(response, link);
      return response.blob().then(function (blob) {
        var url = URL.createObjectURL(blob);
        var save = document.createElement("a");
        save.href = url;
        save.download = name;
        save.className = "d-none";
        document.body.appendChild(save);
        save.click();
        save.remove();
        window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
        hideNotice();
      });
    }).catch(function () { showNotice(failed, "error"); });
  });

  /* ---- grids that fit (components/grid.py) ------------------------------
   * Every `.data-grid` is fitted once AG Grid has drawn its rows:
   * - columns are sized to their content (names never cut where there is
   *   room), then widened together to fill the grid; a column the user
   *   resized by hand is left alone from then on;
   * - a `.data-grid-fill` grid (app.css: the window's height below the
   *   navigation bar, at most one page of rows) shrinks to the rows its
   *   current page holds, so a short table has no empty box under it;
   * - printing (or a print preview, or Save as PDF) draws every grid with
   *   domLayout "print": all rows of its page, no inner scroll.
   */
  var grids = [];  // {el, api}
  var printing = false;

  function debounce(fn, ms) {
    var timer = null;
    return function () { window.clearTimeout(timer); timer = window.setTimeout(fn, ms); };
  }

  function fitColumns(g) {
    var api = g.api;
    if (g.userSized || printing || !g.el.isConnected || api.isDestroyed()) { return; }
    var columns = api.getAllDisplayedColumns().filter(function (c) { return !c.getColDef().flex; });
    if (!columns.length) { return; }
    api.autoSizeColumns(columns.map(function (c) { return c.getColId(); }), true);
    var body = g.el.querySelector(".ag-body-viewport") || g.el;
    var room = body.clientWidth;
    // no column may take more than most of the grid by its content alone
    var cap = Math.max(240, Math.round(room * 0.6));
    var tall = (api.getGridOption("rowHeight") || 40) >= 56;
    var limits = columns.map(function (c) {
      var def = c.getColDef();
      return {key: c.getColId(), minWidth: Math.min(c.getActualWidth(), cap),
              // text that wraps (and status badges, in rows tall enough for two lines) may get narrower
              least: def.wrapText || (tall && def.cellRenderer === "StatusBadges") ? (def.minWidth || 90) : null};
    });
    var used = limits.reduce(function (sum, l) { return sum + l.minWidth; }, 0);
    limits.forEach(function (l) {
      if (used > room && l.least !== null && l.least < l.minWidth) {
        var give = Math.min(l.minWidth - l.least, used - room);
        l.minWidth -= give;
        used -= give;
      }
      delete l.least;
    });
    if (used < room) {
      api.sizeColumnsToFit({columnLimits: limits});
    } else {
      limits.forEach(function (l) { api.setColumnWidths([{key: l.key, newWidth: l.minWidth}]); });
    }
    fitHeight(g);
  }

  function rowsOnPage(api) {
    if (!api.getGridOption("pagination")) { return api.getDisplayedRowCount(); }
    var size = api.paginationGetPageSize();
    if (!api.paginationIsLastPageFound()) { return size; }
    var rest = api.paginationGetRowCount() - api.paginationGetCurrentPage() * size;
    return Math.max(Math.min(size, rest), 0);
  }

  function fitHeight(g) {
    var el = g.el, api = g.api;
    if (!el.classList.contains("data-grid-fill") || !el.isConnected || api.isDestroyed()) { return; }
    var header = el.querySelector(".ag-header");
    var pager = el.querySelector(".ag-paging-panel");
    var scroll = el.querySelector(".ag-body-horizontal-scroll:not(.ag-hidden)");
    var rowHeight = api.getGridOption("rowHeight") || 40;
    // room for the "no rows" sentence when the page is empty
    var rows = Math.max(rowsOnPage(api), 2);
    var need = (header ? header.offsetHeight : 64) + rows * rowHeight + (pager ? pager.offsetHeight : 0) +
               (scroll ? scroll.offsetHeight : 0) + 4;
    el.style.setProperty("--ph-grid-rows", need + "px");
  }

  function toPrint() {
    printing = true;
    grids.forEach(function (g) {
      if (!g.el.isConnected || g.api.isDestroyed()) { return; }
      g.layout = g.api.getGridOption("domLayout") || "normal";
      if (g.layout !== "print") { g.api.setGridOption("domLayout", "print"); }
    });
  }
  function fromPrint() {
    printing = false;
    grids.forEach(function (g) {
      if (!g.el.isConnected || g.api.isDestroyed() || !g.layout) { return; }
      g.api.setGridOption("domLayout", g.layout);
      g.layout = null;
    });
  }
  window.addEventListener("beforeprint", toPrint);
  window.addEventListener("afterprint", fromPrint);
  // a print preview or an emulated print medium may come without beforeprint
  if (window.matchMedia) {
    var printQuery = window.matchMedia("print");
    var onPrint = function (e) { if (e.matches) { toPrint(); } else { fromPrint(); } };
    if (printQuery.addEventListener) { printQuery.addEventListener("change", onPrint); }
    else if (printQuery.addListener) { printQuery.addListener(onPrint); }
  }

  function watchGrid(el) {
    if (el.phWatched || !el.id) { return; }
    if (!window.dash_ag_grid || !window.dash_ag_grid.getApiAsync) {
      // the grid's script is still loading: look again shortly
      window.setTimeout(rescan, 200);
      return;
    }
    el.phWatched = true;
    window.dash_ag_grid.getApiAsync(el.id).then(function (api) {
      grids = grids.filter(function (g) { return g.el.isConnected; });
      var g = {el: el, api: api, userSized: false, layout: null};
      grids.push(g);
      var fit = debounce(function () { fitColumns(g); }, 60);
      var height = debounce(function () { fitHeight(g); }, 30);
      api.addEventListener("firstDataRendered", fit);
      api.addEventListener("rowDataUpdated", fit);
      api.addEventListener("modelUpdated", function () { fit(); height(); });
      api.addEventListener("paginationChanged", height);
      api.addEventListener("gridSizeChanged", fit);
      api.addEventListener("columnResized", function (e) {
        if (e.source === "uiColumnResized" && e.finished) { g.userSized = true; }
      });
      if (printing) { toPrint(); }
      fit();
    }, function () { el.phWatched = false; });
  }

  /* ---- tooltips for mouse, keyboard and finger ---------------------------
   * Any element with `data-tip` (a column header's (i) button, a license
   * bar) shows its text in a Bootstrap tooltip: on hover, when it or the grid
   * cell / header holding it gets the keyboard focus, and on a tap (a second
   * tap, Escape or a tap elsewhere closes it). A click on a header's (i)
   * never sorts the column.
   */
  var tip = null, tipOwner = null, lastPointer = "mouse";
  function tipElement() {
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "tooltip bs-tooltip-top ph-tip";
      tip.setAttribute("role", "tooltip");
      tip.id = "ph-tip";
      tip.innerHTML = '<div class="tooltip-arrow"></div><div class="tooltip-inner"></div>';
      document.body.appendChild(tip);
    }
    return tip;
  }
  function showTip(owner) {
    var text = owner.getAttribute("data-tip");
    if (!text) { return; }
    var t = tipElement();
    t.querySelector(".tooltip-inner").textContent = text;
    t.classList.add("show");
    t.style.visibility = "hidden";
    t.style.left = "0px"; t.style.top = "0px";
    var box = owner.getBoundingClientRect(), own = t.getBoundingClientRect();
    var left = Math.min(Math.max(box.left + box.width / 2 - own.width / 2, 4), window.innerWidth - own.width - 4);
    var above = box.top - own.height - 2;
    var below = above < 4;
    t.classList.toggle("bs-tooltip-top", !below);
    t.classList.toggle("bs-tooltip-bottom", below);
    t.style.left = (left + window.scrollX) + "px";
    t.style.top = ((below ? box.bottom + 2 : above) + window.scrollY) + "px";
    var arrow = t.querySelector(".tooltip-arrow");
    arrow.style.left = Math.max(Math.min(box.left + box.width / 2 - left - 6, own.width - 16), 4) + "px";
    t.style.visibility = "";
    tipOwner = owner;
  }
  function hideTip() {
    if (tip) { tip.classList.remove("show"); tip.style.left = "-9999px"; }
    tipOwner = null;
  }
  // the element whose tip a focused or hovered node shows
  function tipOf(node) {
    if (!node || !node.closest) { return null; }
    var own = node.closest("[data-tip]");
    if (own) { return own; }
    var holder = node.closest(".ag-cell, .ag-header-cell");
    return holder ? holder.querySelector("[data-tip]") : null;
  }
  document.addEventListener("pointerdown", function (e) { lastPointer = e.pointerType || "mouse"; }, true);
  document.addEventListener("mouseover", function (e) {
    if (lastPointer === "touch") { return; }
    var owner = e.target.closest && e.target.closest("[data-tip]");
    if (owner && owner !== tipOwner) { showTip(owner); }
    else if (!owner && tipOwner && !(tip && tip.contains(e.target)) && document.activeElement !== tipOwner &&
             tipOf(document.activeElement) !== tipOwner) { hideTip(); }
  });
  document.addEventListener("focusin", function (e) {
    var owner = tipOf(e.target);
    if (owner) { showTip(owner); } else if (tipOwner) { hideTip(); }
  });
  document.addEventListener("focusout", function (e) {
    if (tipOwner && tipOf(e.target) === tipOwner) { hideTip(); }
  });
  document.addEventListener("click", function (e) {
    var info = e.target.closest && e.target.closest(".ph-header-info");
    var owner = info || (lastPointer !== "mouse" && e.target.closest && e.target.closest("[data-tip]"));
    if (info) {
      // in the capture phase, before AG Grid's header sorts on the click
      e.stopPropagation();
      e.preventDefault();
    }
    if (owner) {
      if (tipOwner === owner && lastPointer !== "mouse") { hideTip(); } else { showTip(owner); }
    } else if (tipOwner && !(tip && tip.contains(e.target))) {
      hideTip();
    }
    // iOS does not focus a tapped button: a KPI card's (i) opens its tooltip on focus
    var kpiInfo = e.target.closest && e.target.closest(".info-icon");
    if (kpiInfo && !info && document.activeElement !== kpiInfo) { kpiInfo.focus(); }
  }, true);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && tipOwner) { hideTip(); }
  });
  window.addEventListener("scroll", function () { if (tipOwner) { hideTip(); } }, true);

  /* ---- filters behind a button on narrow screens (components/filters.py) -- */
  var NARROW = "(max-width: 768px)";
  function activeFilters(panel) {
    var n = 0;
    panel.querySelectorAll(".filter-item").forEach(function (item) {
      var value = item.querySelector(".dash-dropdown-value");
      var search = item.querySelector("input[type=search], input[type=text]");
      if ((value && !value.classList.contains("dash-dropdown-placeholder") && value.textContent.trim()) ||
          (search && search.value.trim())) {
        n += 1;
      }
    });
    return n;
  }
  function countFilters(details) {
    var badge = details.querySelector(".filter-count");
    if (!badge) { return; }
    var n = activeFilters(details);
    var text = n ? String(n) : "";
    if (badge.textContent !== text) { badge.textContent = text; }
    badge.classList.toggle("d-none", !n);
  }
  function watchFilters(details) {
    if (details.phWatched) { return; }
    details.phWatched = true;
    var narrow = window.matchMedia ? window.matchMedia(NARROW).matches : false;
    details.open = !narrow;
    countFilters(details);
    var recount = debounce(function () { countFilters(details); }, 50);
    new MutationObserver(recount).observe(details, {subtree: true, childList: true, characterData: true,
                                                    attributes: true, attributeFilter: ["class", "value"]});
    details.addEventListener("input", recount);
  }
  if (window.matchMedia) {
    var narrowQuery = window.matchMedia(NARROW);
    var onWidth = function (e) {
      document.querySelectorAll("details.filter-panel").forEach(function (d) { d.open = !e.matches; });
    };
    if (narrowQuery.addEventListener) { narrowQuery.addEventListener("change", onWidth); }
    else if (narrowQuery.addListener) { narrowQuery.addListener(onWidth); }
  }

  /* ---- chart labels that never overlap (components/charts.py) ------------
   * After every drawing of a chart (its width follows the window's), a text
   * label that would overlap one already kept is hidden: on a phone a
   * chart writes fewer values; the hover still gives each one.
   */
  function boxesOverlap(a, b) {
    return a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  }
  function thinLabels(graph) {
    var kept = [];
    var labels = graph.querySelectorAll(".textpoint text, .bartext, .annotation-text-g text");
    labels.forEach(function (t) {
      t.style.display = "";
      if (!t.textContent) { return; }
      var box = t.getBoundingClientRect();
      if (!box.width) { return; }
      var clash = kept.some(function (k) { return boxesOverlap(box, k); });
      if (clash) { t.style.display = "none"; } else { kept.push(box); }
    });
  }
  function watchGraph(graph) {
    if (graph.phWatched || typeof graph.on !== "function") { return; }
    graph.phWatched = true;
    graph.on("plotly_afterplot", function () { thinLabels(graph); });
    thinLabels(graph);
  }

  function scan() {
    document.querySelectorAll(".data-grid[id]").forEach(watchGrid);
    document.querySelectorAll("details.filter-panel").forEach(watchFilters);
    document.querySelectorAll(".js-plotly-plot").forEach(watchGraph);
  }
  var rescan = debounce(scan, 50);
  function start() {
    new MutationObserver(rescan).observe(document.body, {childList: true, subtree: true});
    scan();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
