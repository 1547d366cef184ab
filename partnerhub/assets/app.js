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
})();
