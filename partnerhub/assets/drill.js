/*
 * Drill-downs (pages/drill.py): a KPI card may open a section of another
 * page at its anchor (/analytics?product=calling#analytics-expiring). The
 * browser scrolls to the anchor before Dash has drawn the page, so the
 * section is not there yet: scroll to it once it is (for a few seconds at
 * most), and give it the focus for keyboard and screen-reader users.
 */
(function () {
  "use strict";
  function scrollToAnchor() {
    var id = "";
    try { id = decodeURIComponent((window.location.hash || "").slice(1)); } catch (e) { return; }
    if (!id || !/^[A-Za-z][\w-]*$/.test(id)) { return; }
    var tries = 0;
    var timer = window.setInterval(function () {
      var target = document.getElementById(id);
      if (target) {
        window.clearInterval(timer);
        if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
        target.scrollIntoView({block: "start"});
        target.focus({preventScroll: true});
      } else if (++tries > 50) {
        window.clearInterval(timer);
      }
    }, 100);
  }
  window.addEventListener("load", scrollToAnchor);
  window.addEventListener("hashchange", scrollToAnchor);
})();
