/*
 * Clientside callbacks of the notes panel (pages/_customers/notes_ui.py) and
 * the saved-views bar (pages/_saved_views.py). No words of their own: the
 * count is digits, the rest is the server's.
 */
(function () {
  "use strict";
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.partnerhubNotes = {
    // "1,234 / 4,000" under a note's text box, as it is typed
    count: function (value, max) {
      var n = typeof value === "string" ? value.length : 0;
      return n.toLocaleString("en-US") + " / " + Number(max || 0).toLocaleString("en-US");
    }
  };
  window.dash_clientside.partnerhubViews = {
    // "Save view…": the address the page shows now (a page such as the
    // customer list writes its filters into the address without telling
    // Dash's own location), and the dialog opens. The server reads the
    // address again and keeps only the page's own query string.
    openSave: function () {
      return [window.location.pathname + window.location.search, true, null];
    },
    open: function () {
      return true;
    },
    close: function () {
      return false;
    }
  };
})();
