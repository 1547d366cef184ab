// The browser's time zone (an IANA name such as Asia/Tokyo) for the server,
// which shows every time in it until the user chooses one on the Account
// page (partnerhub/formatting.py, TIME_ZONE_COOKIE). Written when missing or
// changed; the next page or callback uses it.
(function () {
  "use strict";
  var NAME = "partnerhub_tz";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) {
    return;
  }
  var current = document.cookie.split("; ").filter(function (c) {
    return c.indexOf(NAME + "=") === 0;
  })[0];
  if (current === NAME + "=" + zone) {
    return;
  }
  var secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = NAME + "=" + zone + "; path=/; max-age=31536000; SameSite=Lax" + secure;
})();
