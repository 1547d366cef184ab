/*
 * The customer list's grid pieces (pages/_customers): tag chips, the
 * health score and band, the "launch customer org" link, Enter on that
 * cell, and reloading the rows after a tag change. Same rules as assets/dashAgGridComponentFunctions.js:
 * React.createElement, text as children (never innerHTML), every word from
 * the server (cellRendererParams), no eval.
 */
(function () {
  "use strict";
  var h = function () { return window.React.createElement.apply(null, arguments); };
  var MISSING = "\u2014";

  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_m, k) {
      return values[k] === undefined || values[k] === null ? "" : values[k];
    });
  }
  function safeColor(c, fallback) {
    return typeof c === "string" && /^#[0-9a-fA-F]{6}$/.test(c) ? c : fallback;
  }
  function safeUrl(u) {
    return typeof u === "string" && /^https?:\/\//i.test(u) ? u : null;
  }

  var renderers = {
    TagChips: function (props) {
      var chips = (props.data && props.data.tag_chips) || [];
      if (!chips.length) {
        return h("span", {className: "text-muted", "data-tip": (props.none || "")}, MISSING);
      }
      return h("span", {className: "tag-chips", "data-tip": chips.map(function (c) { return c.name; }).join(", ")},
        chips.map(function (c, i) {
          return h("span", {key: i, className: "tag-chip",
                            style: {backgroundColor: safeColor(c.color, "#6c757d"), color: safeColor(c.fg, "#ffffff")}},
                   String(c.name));
        }));
    },

    // the score as a whole number rounded down (the band is decided on the
    // unrounded score: 69.6 is "watch" and must not read 70) and the band as
    // a badge with its icon and word; a customer not scored: "—" and why
    HealthScore: function (props) {
      var v = props.value, band = props.data ? props.data.health_band : null;
      var labels = props.labels || {}, icons = props.icons || {};
      if (v === null || v === undefined || v === "" || !isFinite(Number(v)) || !labels[band]) {
        return h("span", {className: "health-none text-muted", "data-tip": props.none || ""},
          h("span", {"aria-hidden": "true"}, MISSING), h("span", {className: "visually-hidden"}, props.none || ""));
      }
      var score = String(Math.floor(Number(v)));
      return h("span", {className: "health-cell", "data-tip": fill(props.title, {score: score, band: labels[band]})},
        h("span", {className: "health-cell-score"}, score),
        h("span", {className: "badge health-band health-band-" + String(band).replace(/[^a-z_]/g, "")},
          h("i", {className: "bi " + (icons[band] || "bi-circle") + " me-1", "aria-hidden": "true"}), labels[band]));
    },

    OrgLink: function (props) {
      var url = safeUrl(props.value);
      if (!url) { return null; }
      var name = props.data ? props.data.customer_name : "";
      var label = fill(props.label, {name: name});
      return h("a", {href: url, target: "_blank", rel: "noopener noreferrer", className: "org-link",
                     "aria-label": label, "data-tip": label, tabIndex: -1},
        h("i", {className: "bi bi-box-arrow-up-right", "aria-hidden": "true"}));
    }
  };
  window.dashAgGridComponentFunctions = Object.assign(window.dashAgGridComponentFunctions || {}, renderers);

  window.dashAgGridFunctions = Object.assign(window.dashAgGridFunctions || {}, {
    // Enter on a focused launch cell opens the customer org (the link itself
    // is not a tab stop: AG Grid moves focus cell by cell)
    customersCellKeyDown: function (params) {
      var e = params && params.event;
      if (!e || e.key !== "Enter" || !params.colDef || params.colDef.cellRenderer !== "OrgLink") { return; }
      var url = safeUrl(params.value);
      if (url) { window.open(url, "_blank", "noopener,noreferrer"); }
    }
  });

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.customers = Object.assign(window.dash_clientside.customers || {}, {
    // tags changed: ask the server for the rows again, staying on this page
    reloadRows: function () {
      var gridId = arguments[arguments.length - 1];
      if (window.dash_ag_grid && gridId) {
        window.dash_ag_grid.getApiAsync(gridId).then(function (api) { api.refreshInfiniteCache(); });
      }
      return window.dash_clientside.no_update;
    }
  });
})();
