/* Sign-in and page access for the Dash front end (see auth/guard.py).
 *
 * The server's request guard answers a Dash request with 401 when the session
 * has ended (idle timeout, password reset, sign-out in another tab) and the
 * pages router with 403 for a page the role may not see. Dash alone would
 * leave a blank page; instead:
 * - 401 -> the sign-in page, coming back here afterwards;
 * - 403 from the router -> load the address again: the server answers that
 *   plain page load with its "Not allowed" page.
 */
(function () {
  "use strict";
  var originalFetch = window.fetch;
  if (!originalFetch) {
    return;
  }
  var DASH = /\/_dash-(update-component|layout|dependencies)/;
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    var result = originalFetch.apply(this, arguments);
    if (!DASH.test(url)) {
      return result;
    }
    return result.then(function (response) {
      var here = window.location.pathname + window.location.search;
      if (response.status === 401) {
        window.location.assign("/login?next=" + encodeURIComponent(here));
      } else if (response.status === 403 && init && typeof init.body === "string" &&
                 init.body.indexOf("_pages_content") !== -1) {
        window.location.reload();
      } else {
        return response;
      }
      // the page is being replaced: Dash never sees the refusal, so its own
      // callbacks (the title one reads the router's output) do not run on
      // an answer that has none
      return new Promise(function () {});
    });
  };
})();
