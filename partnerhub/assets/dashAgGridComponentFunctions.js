/*
 * Grid cell renderers and value formatters for dash-ag-grid (components/grid.py).
 *
 * dash-ag-grid looks cell renderers up by name in
 * window.dashAgGridComponentFunctions and formatter functions used in
 * {"function": "fmtInt(params.value)"} expressions in window.dashAgGridFunctions.
 * Plain React.createElement (no JSX, no build step); text is always passed
 * as a React child, so it is escaped - never innerHTML. Every user-facing
 * word comes from cellRendererParams.labels, translated on the server.
 *
 * The number rules mirror partnerhub/formatting.py: thousands separators,
 * U+2212 minus, "—" for a missing value, ratios as "42.5 %". Numbers follow
 * the page's language (<html lang>, as the server's Babel locale), and
 * client-side grids sort text with Intl.Collator in that language, the rule
 * the server sorts by (ICU: Japanese names in gojūon order beside Latin).
 */
(function () {
  "use strict";
  var MINUS = "\u2212";
  var MISSING = "\u2014";
  var h = function () { return window.React.createElement.apply(null, arguments); };

  function missing(v) {
    return v === null || v === undefined || v === "" || (typeof v === "number" && !isFinite(v));
  }
  // toLocaleString builds a new Intl.NumberFormat on every call (~25 us), and
  // a grid formats every visible cell on each render: one formatter per
  // (locale, options) key, built on first use
  function pageLocale() {
    var root = typeof document === "undefined" ? null : document.documentElement;
    var lang = (root && root.lang) || "";
    return lang === "ja" ? "ja-JP" : "en-US";
  }
  var formatters = {};
  function numberFormat(locale, digits) {
    var key = locale + "|" + digits;
    if (!formatters[key]) {
      formatters[key] = new Intl.NumberFormat(locale, {minimumFractionDigits: digits, maximumFractionDigits: digits});
    }
    return formatters[key];
  }
  function grouped(n, digits) {
    var s = numberFormat(pageLocale(), digits).format(Math.abs(n));
    return n < 0 && /[1-9]/.test(s) ? MINUS + s : s;
  }
  function fmtInt(v) { return missing(v) ? MISSING : grouped(Math.round(Number(v)), 0); }
  function fmtNumber(v, digits) { return missing(v) ? MISSING : grouped(Number(v), digits === undefined ? 1 : digits); }
  function fmtRatio(v, digits) {
    return missing(v) ? MISSING : grouped(Number(v) * 100, digits === undefined ? 1 : digits) + " %";
  }
  function fmtChange(v) {
    if (missing(v)) { return MISSING; }
    var n = Math.round(Number(v));
    return n > 0 ? "+" + grouped(n, 0) : grouped(n, 0);
  }
  function fmtRatioChange(v) {
    if (missing(v)) { return MISSING; }
    var s = grouped(Number(v) * 100, 1);
    return (Number(v) > 0 && /[1-9]/.test(s) ? "+" + s : s) + " pp";
  }
  function fmtDate(v) { return missing(v) ? MISSING : String(v).slice(0, 10); }
  // text as the server sorts it (components/grid.py sort_frame): by the ICU
  // keys the server put beside each value (field + "__collation"; Chromium's
  // Intl.Collator("ja") orders kanji by code point, not by reading), else by
  // Intl.Collator in the page's language; case never decides; empty values
  // last either way (AG Grid flips the result for a descending sort)
  var collators = {};
  function phCollate(a, b, isDescending, nodeA, nodeB, keyField) {
    var emptyA = a === null || a === undefined || a === "", emptyB = b === null || b === undefined || b === "";
    if (emptyA || emptyB) {
      if (emptyA && emptyB) { return 0; }
      var last = emptyA ? 1 : -1;
      return isDescending ? -last : last;
    }
    var ka = keyField && nodeA && nodeA.data ? nodeA.data[keyField] : undefined;
    var kb = keyField && nodeB && nodeB.data ? nodeB.data[keyField] : undefined;
    if (typeof ka === "string" && typeof kb === "string") { return ka < kb ? -1 : (ka > kb ? 1 : 0); }
    var locale = pageLocale();
    if (!collators[locale]) { collators[locale] = new Intl.Collator(locale, {sensitivity: "base"}); }
    return collators[locale].compare(String(a).toLowerCase(), String(b).toLowerCase());
  }
  // "%(name)s" placeholders, as in the Python catalogue
  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_m, k) {
      return values[k] === undefined ? "" : values[k];
    });
  }
  var pluralRules = {};
  function pluralOf(n) {
    var locale = pageLocale();
    if (!pluralRules[locale]) { pluralRules[locale] = new Intl.PluralRules(locale); }
    return pluralRules[locale].select(n);
  }
  function count(v) { return missing(v) ? 0 : Math.max(Math.round(Number(v)) || 0, 0); }
  function labelsOf(props) { return props.labels || {}; }

  /* The same geometry as components/license_bar.py:license_bar_segments. */
  function barSegments(used, assigned, total, available) {
    available = available === undefined || available === null ? Math.max(total - assigned, 0) : count(available);
    var filled = Math.max(assigned, used), unused = filled - used, overage = Math.max(assigned - total, 0);
    var scale = Math.max(filled + available, total);
    var seg = {used: used, assigned: assigned, unused: unused, available: available, overage: overage, total: total,
               usedPct: 0, unusedPct: 0, availablePct: 0, totalPct: 0, overagePct: 0};
    if (scale === 0) { return seg; }
    var pct = function (n) { return Math.round(10000 * n / scale) / 100; };
    var w = [pct(used), pct(unused), pct(available)];
    if (filled + available === scale) {
      var counts = [used, unused, available], last = 0;
      for (var i = 0; i < 3; i++) { if (counts[i]) { last = i; } }
      var rest = 0;
      for (var j = 0; j < 3; j++) { if (j !== last) { rest += w[j]; } }
      w[last] = Math.round((100 - rest) * 100) / 100;
    }
    seg.usedPct = w[0]; seg.unusedPct = w[1]; seg.availablePct = w[2];
    seg.totalPct = pct(total); seg.overagePct = overage ? pct(overage) : 0;
    return seg;
  }

  function navigate(href) {
    // what dcc.Link does: client-side route change without a reload
    window.history.pushState({}, "", href);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  }

  function customerHref(props) {
    var id = props.data ? props.data[props.idField || "customer_id"] : null;
    return missing(id) ? null : (props.base || "/customers/") + encodeURIComponent(String(id));
  }

  var renderers = {
    LicenseBar: function (props) {
      var d = props.data;
      if (!d) { return null; }
      var L = labelsOf(props);
      var seg = barSegments(count(d[props.usedField || "used"]), count(d[props.assignedField || "assigned"]),
                            count(d[props.totalField || "total_licenses"]),
                            props.availableField ? d[props.availableField] : undefined);
      // "of 1 license." / "of 3 licenses.": the catalogue's form for the total's plural category
      var one = L.sentence_one && pluralOf(seg.total) === "one";
      var sentence = fill(one ? L.sentence_one : L.sentence, {used: fmtInt(seg.used), unused: fmtInt(seg.unused),
                                       available: fmtInt(seg.available), total: fmtInt(seg.total)});
      if (seg.overage) { sentence += " " + fill(L.overage, {over: fmtInt(seg.overage)}); }
      var empty = seg.usedPct + seg.unusedPct + seg.availablePct === 0;
      var parts = empty ? [h("span", {key: "n", className: "license-bar-none"}, L.none || MISSING)] : [
        h("div", {key: "u", className: "license-bar-seg lb-used", style: {width: seg.usedPct + "%"}}),
        h("div", {key: "a", className: "license-bar-seg lb-unused", style: {width: seg.unusedPct + "%"}}),
        h("div", {key: "v", className: "license-bar-seg lb-available", style: {width: seg.availablePct + "%"}})
      ];
      if (seg.overage) {
        parts.push(h("div", {key: "o", className: "lb-overage",
                             style: {left: seg.totalPct + "%", width: seg.overagePct + "%"}}));
        parts.push(h("div", {key: "m", className: "lb-total-marker", style: {left: seg.totalPct + "%"}}));
      }
      // the sentence is the bar's tooltip (assets/app.js: hover, focus of the cell, tap)
      return h("div", {className: "license-bar license-bar-compact license-bar-cell" + (seg.overage ? " license-bar-over" : ""),
                       "data-tip": sentence},
        h("div", {className: "license-bar-track" + (empty ? " license-bar-empty" : ""), "aria-hidden": "true"}, parts),
        h("span", {className: "license-bar-caption", "aria-hidden": "true"},
          fmtInt(seg.used) + " / " + fmtInt(seg.assigned) + " / " + fmtInt(seg.total),
          seg.overage ? h("span", {className: "lb-over-label"}, fill(L.over, {n: fmtInt(seg.overage)})) : null),
        h("span", {className: "visually-hidden"}, sentence));
    },

    Sparkline: function (props) {
      var values = Array.isArray(props.value) ? props.value : [];
      var L = labelsOf(props);
      var width = props.width || 110, height = props.height || 26, pad = 2;
      var present = values.filter(function (v) { return !missing(v); }).map(Number);
      if (!present.length) {
        return h("span", {className: "text-muted", title: L.none, "aria-label": L.none}, MISSING);
      }
      var top = Math.max(Math.max.apply(null, present), 0), bottom = Math.min(Math.min.apply(null, present), 0);
      var span = (top - bottom) || 1, n = values.length;
      var step = n > 1 ? (width - 2 * pad) / (n - 1) : 0;
      var runs = [], run = [];
      values.forEach(function (v, i) {
        if (missing(v)) { if (run.length) { runs.push(run); } run = []; return; }
        var x = n > 1 ? pad + i * step : width / 2;
        var y = height - pad - (Number(v) - bottom) / span * (height - 2 * pad);
        run.push([Math.round(x * 10) / 10, Math.round(y * 10) / 10]);
      });
      if (run.length) { runs.push(run); }
      var last = null;
      for (var k = values.length - 1; k >= 0; k--) { if (!missing(values[k])) { last = values[k]; break; } }
      var summary = fill(L.summary, {weeks: n, last: fmtInt(last), low: fmtInt(Math.min.apply(null, present)),
                                     high: fmtInt(Math.max.apply(null, present))});
      var shapes = runs.map(function (r, i) {
        return r.length === 1
          ? h("circle", {key: i, cx: r[0][0], cy: r[0][1], r: 1.5, className: "spark-dot"})
          : h("polyline", {key: i, points: r.map(function (p) { return p.join(","); }).join(" "),
                           className: "spark-line"});
      });
      var end = runs[runs.length - 1][runs[runs.length - 1].length - 1];
      shapes.push(h("circle", {key: "end", cx: end[0], cy: end[1], r: 2.5, className: "spark-dot"}));
      return h("svg", {width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
                       "aria-label": summary, className: "sparkline-svg"},
        h("title", null, summary), shapes);
    },

    TrendArrow: function (props) {
      var L = labelsOf(props);
      var icons = {up: "bi-arrow-up-right", down: "bi-arrow-down-right", flat: "bi-arrow-right"};
      var t = props.value;
      if (!icons[t]) {
        return h("span", {className: "trend trend-none", title: L.none, "aria-label": L.none}, MISSING);
      }
      return h("span", {className: "trend trend-" + t},
        h("i", {className: "bi " + icons[t] + " me-1", "aria-hidden": "true"}), L[t] || t);
    },

    StatusBadges: function (props) {
      var L = labelsOf(props), icons = props.icons || {};
      var v = props.value;
      var list = Array.isArray(v) ? v : (typeof v === "string" ? v.split(";") : []);
      list = list.filter(function (s) { return s; });
      if (!list.length) { return h("span", {className: "text-muted"}, MISSING); }
      var words = list.map(function (s) { return L[s] || String(s); });
      return h("span", {className: "status-badges", title: words.join(", ")}, list.map(function (s, i) {
        return h("span", {key: i, className: "badge status-badge status-" + String(s).replace(/[^a-z_]/g, "")},
          h("i", {className: "bi " + (icons[s] || "bi-circle") + " me-1", "aria-hidden": "true"}), words[i]);
      }));
    },

    // A column's name and an (i) button whose tooltip is the column's
    // definition (assets/app.js shows it on hover, keyboard focus of the
    // header and tap; a click on the button never sorts). The button is not
    // a tab stop: AG Grid moves the focus header by header.
    HeaderInfo: function (props) {
      var name = props.displayName;
      if (!props.tip) { return h("span", {className: "ag-header-cell-text"}, name); }
      return h("span", {className: "ph-header"},
        h("span", {className: "ag-header-cell-text"}, name),
        h("button", {type: "button", className: "info-icon ph-header-info", tabIndex: -1,
                     "data-tip": props.tip, "aria-label": props.infoLabel || props.tip},
          h("i", {className: "bi bi-info-circle", "aria-hidden": "true"})));
    },

    CustomerLink: function (props) {
      var name = missing(props.value) ? MISSING : String(props.value);
      var href = customerHref(props);
      if (!href) { return name; }
      return h("a", {
        href: href, className: "customer-link", tabIndex: -1,
        onClick: function (e) {
          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) { return; }
          e.preventDefault();
          navigate(href);
        }
      }, name);
    }
  };

  window.dashAgGridComponentFunctions = Object.assign(window.dashAgGridComponentFunctions || {}, renderers);

  window.dashAgGridFunctions = Object.assign(window.dashAgGridFunctions || {}, {
    fmtInt: fmtInt, fmtNumber: fmtNumber, fmtRatio: fmtRatio, fmtChange: fmtChange,
    fmtRatioChange: fmtRatioChange, fmtDate: fmtDate,
    // AG Grid's comparator (valueA, valueB, nodeA, nodeB, isDescending) for a
    // column whose rows carry ICU keys in keyField
    phCollateBy: function (keyField) {
      return function (a, b, nodeA, nodeB, isDescending) { return phCollate(a, b, isDescending, nodeA, nodeB, keyField); };
    },
    // Enter on a focused customer-name cell follows its link (the link itself
    // is not a tab stop: AG Grid moves focus cell by cell)
    phCellKeyDown: function (params) {
      var e = params && params.event;
      if (!e || e.key !== "Enter" || !params.colDef || params.colDef.cellRenderer !== "CustomerLink") { return; }
      var href = customerHref(Object.assign({data: params.data}, params.colDef.cellRendererParams || {}));
      if (href) { navigate(href); }
    }
  });

  // exposed for tests in the browser
  window.partnerhubGrid = {barSegments: barSegments, fmtInt: fmtInt, fmtRatio: fmtRatio};

  /*
   * Clientside callbacks of the analytics and calling pages
   * (pages/_analytics/sections.py, pages/analytics.py). The page's layout
   * carries each grid's first page, so a page view asks the server nothing
   * for its grids; only a sort or another page does.
   */
  // The router draws the page again after the toggle, and the radio that
  // had the focus is replaced: the new one gets it back, so a keyboard user
  // stays on the toggle (unless the focus has moved elsewhere meanwhile).
  function keepFocus(groupId, value) {
    var old = document.activeElement;
    var group = groupId && document.getElementById(groupId);
    if (!old || !group || !group.contains(old)) { return; }
    var tries = 0;
    var timer = window.setInterval(function () {
      tries += 1;
      var moved = old.isConnected ? false : document.activeElement && document.activeElement !== document.body;
      var input = document.querySelector("#" + CSS.escape(groupId) + " input[value='" + CSS.escape(value) + "']");
      if (!old.isConnected && !moved && input) {
        input.focus();
        window.clearInterval(timer);
      } else if (moved || tries > 200) {
        window.clearInterval(timer);
      }
    }, 25);
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.partnerhubGrid = Object.assign(window.dash_clientside.partnerhubGrid || {}, {
    // the grid's row request: the first page in the dataset's own order is
    // the Store's; anything else goes to the server callback (only the
    // values it reads: AG Grid's request also holds its api and callbacks)
    firstPageOrAsk: function (request, first) {
      var noUpdate = window.dash_clientside.no_update;
      if (!request) { return [noUpdate, noUpdate]; }
      var start = request.startRow || 0;
      var end = request.endRow === null || request.endRow === undefined ? null : request.endRow;
      var sorted = request.sortModel && request.sortModel.length > 0;
      var rows = first && first.rowData;
      if (rows && !sorted && start === 0 && (end === null || end <= rows.length || rows.length === first.rowCount)) {
        return [{rowData: end === null ? rows : rows.slice(0, end), rowCount: first.rowCount}, noUpdate];
      }
      return [noUpdate, {startRow: start, endRow: end, sortModel: request.sortModel || []}];
    },
    // the toggle's product as the page's address, with the page's filters;
    // nothing when the address already shows it (the router has just drawn
    // the page for it: after "back", say), so history gets no extra entry
    productSearch: function (product, filters) {
      product = product || "meetings";
      var shown = new URLSearchParams(window.location.search).get("product") || "meetings";
      if (shown === product) { return window.dash_clientside.no_update; }
      var ctx = window.dash_clientside.callback_context;
      var triggered = ctx && ctx.triggered && ctx.triggered[0] ? ctx.triggered[0].prop_id : "";
      keepFocus(triggered.split(".")[0], product);
      return "?product=" + encodeURIComponent(product) + (filters ? "&" + filters : "");
    }
  });
})();
