/* Small behaviours of the shared components (components/). */
(function () {
  "use strict";

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
})();
