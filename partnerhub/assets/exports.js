/* Excel downloads written off the request threads (api/export_jobs.py).
 *
 * An XLSX of 100,000 rows takes seconds to write. Clicking its link in a
 * download menu asks the server to start the file (POST /api/v1/exports/…)
 * and shows a progress notice; the notice asks how it is going (GET of the
 * same address) until the file is ready, then the browser downloads it from
 * the dataset's address, where the finished file is served at once from the
 * server's export cache. A file written before is "ready" at the first
 * answer. Without JS, or with a modifier key, the link downloads as a plain
 * link (the server writes the file during that request).
 *
 * Listens in the capture phase on window, so it runs before app.js's
 * fetch-and-save of download links, which leaves alone a click whose default
 * was prevented here.
 */
(function () {
  "use strict";

  var DATASETS = "/api/v1/datasets/";
  var EXPORTS = "/api/v1/exports/";
  // seconds between status questions: quick at first, then every 2 s
  var POLL_MS = [300, 700, 1000, 1000, 2000];
  // stop asking after this many questions (~10 minutes) and say it failed
  var MAX_POLLS = 300;

  function csrfToken() {
    var match = /(?:^|;\s*)_csrf_token=([^;]+)/.exec(document.cookie);
    return match ? decodeURIComponent(match[1]) : "";
  }

  var notice = null;
  function show(text, kind) {
    if (!notice) {
      notice = document.createElement("div");
      notice.className = "export-progress alert mb-0 position-fixed bottom-0 end-0 m-3 shadow-sm d-flex align-items-center";
      notice.setAttribute("role", "status");
      notice.setAttribute("aria-live", "polite");
      var spinner = document.createElement("span");
      spinner.className = "spinner-border spinner-border-sm me-2 flex-shrink-0";
      spinner.setAttribute("aria-hidden", "true");
      var label = document.createElement("span");
      label.className = "export-progress-text";
      notice.appendChild(spinner);
      notice.appendChild(label);
      document.body.appendChild(notice);
    }
    notice.classList.remove("alert-warning", "alert-light", "d-none");
    notice.classList.add(kind === "error" ? "alert-warning" : "alert-light");
    notice.setAttribute("data-state", kind);
    notice.firstChild.classList.toggle("d-none", kind !== "busy");
    notice.lastChild.textContent = text;
    window.clearTimeout(notice.hideTimer);
    if (kind === "error") {
      notice.hideTimer = window.setTimeout(hide, 12000);
    }
  }
  function hide() {
    if (notice) { notice.classList.add("d-none"); notice.setAttribute("data-state", "done"); }
  }

  function save(url, name) {
    var a = document.createElement("a");
    a.href = url;
    a.download = name || "";
    a.className = "d-none";
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function follow(response, link, polls) {
    var failed = link.getAttribute("data-failed") || "";
    if (response.status === 401) {
      window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname + window.location.search));
      return null;
    }
    return response.json().then(function (body) {
      body = body || {};
      if (response.status === 202 && body.status === "pending" && body.status_url) {
        if (polls >= MAX_POLLS) { show(failed, "error"); return null; }
        var wait = POLL_MS[Math.min(polls, POLL_MS.length - 1)];
        window.setTimeout(function () {
          window.fetch(body.status_url, { credentials: "same-origin", cache: "no-store" })
            .then(function (next) { return follow(next, link, polls + 1); })
            .catch(function () { show(failed, "error"); });
        }, wait);
        return null;
      }
      if (response.ok && body.status === "ready" && body.file_url) {
        save(body.file_url, body.filename);
        hide();
        return null;
      }
      show(body.error || failed, "error");
      return null;
    }, function () { show(failed, "error"); });
  }

  window.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest(".download-menu a.dropdown-item[data-export-async]");
    if (!link || !window.fetch || e.defaultPrevented || e.button !== 0 ||
        e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
      return;
    }
    var url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname.indexOf(DATASETS) !== 0) { return; }
    e.preventDefault();
    show(link.getAttribute("data-preparing") || "", "busy");
    var start = EXPORTS + url.pathname.slice(DATASETS.length) + url.search;
    window.fetch(start, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function (response) { return follow(response, link, 0); })
      .catch(function () { show(link.getAttribute("data-failed") || "", "error"); });
  }, true);
})();
