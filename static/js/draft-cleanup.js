// After a case report is sent the server sets the "sigap_intake_sent" cookie. Whatever
// page comes next (usually the new case's page), drop this user's report draft from the
// phone at once, so a child's data does not linger in the browser's storage.
(function () {
  "use strict";
  var SENT = "sigap_intake_sent=";
  if (!document.cookie.split(";").some(function (c) { return c.trim().indexOf(SENT) === 0; })) { return; }
  try {
    for (var i = window.localStorage.length - 1; i >= 0; i--) {
      var key = window.localStorage.key(i);
      if (key && key.indexOf("sigap-intake-draft-") === 0) { window.localStorage.removeItem(key); }
    }
  } catch (e) { /* storage unavailable: nothing kept */ }
  document.cookie = "sigap_intake_sent=; Max-Age=0; path=/; SameSite=Lax";
})();
