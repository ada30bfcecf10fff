// Every POST form is sent at most once (accounts/idempotency.py is the server's half).
//
// * Each form[method=post] gets a hidden "idempotency_key": a fresh random key per page.
//   Whatever re-sends the same request (Chromium after a lost reply, a second tap while the
//   first is on its way, "Kirim" pressed again after the error page) carries the same key, and
//   the server replays its first answer instead of saving twice.
// * At a send the key is remembered for this tab (sessionStorage, with a short fingerprint of
//   what was typed, never the text itself). If the reply never came and the same form is sent
//   again with the same content (the page reloaded, the report's draft restored), the old key
//   goes with it; other content is a new send, with the page's own key. When a reply arrives the
//   server sets the "sigap_sent" cookie with the key, and the kept key is forgotten.
// * While a send is on its way the form's send buttons are disabled (a double tap sends once);
//   they come back when the page is shown again (Back), when the answer was a file (the page
//   stays), and after a while, so a send that hangs can be retried (same key: still once).
// * Scripts that post with fetch() take a fresh key from window.sigapSendOnce.newKey() and
//   send it as the "Idempotency-Key" header.
(function () {
  "use strict";
  var FIELD = "idempotency_key";
  var SENT_COOKIE = "sigap_sent";
  var STORE = "sigap-send-";
  var RETRY_AFTER_MS = 10000;

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // randomUUID needs a secure context (https or localhost); getRandomValues does not.
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = "";
    for (var j = 0; j < 16; j++) {
      hex += (bytes[j] + 0x100).toString(16).slice(1);
      if (j === 3 || j === 5 || j === 7 || j === 9) { hex += "-"; }
    }
    return hex;
  }

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function readCookie(name) {
    var found = "";
    document.cookie.split(";").forEach(function (c) {
      c = c.trim();
      if (c.indexOf(name + "=") === 0) { found = decodeURIComponent(c.slice(name.length + 1)); }
    });
    return found;
  }

  var arrived = {};  // keys whose send the server confirmed: never reused for another send

  // The server said a send arrived: forget the key kept for re-sending it.
  function forgetSent() {
    var sent = readCookie(SENT_COOKIE);
    if (!sent) { return; }
    arrived[sent] = true;
    var store = storage();
    if (store) {
      for (var i = store.length - 1; i >= 0; i--) {
        var name = store.key(i);
        if (name && name.indexOf(STORE) === 0) {
          try {
            if ((JSON.parse(store.getItem(name)) || {}).key === sent) { store.removeItem(name); }
          } catch (e) { store.removeItem(name); }
        }
      }
    }
    document.cookie = SENT_COOKIE + "=; Max-Age=0; path=/; SameSite=Lax";
  }

  function forms() {
    return Array.prototype.slice.call(document.querySelectorAll("form")).filter(function (form) {
      return (form.getAttribute("method") || "").toLowerCase() === "post";
    });
  }

  function slotOf(form) {
    var action = form.getAttribute("action") || "";
    var same = forms().filter(function (f) { return (f.getAttribute("action") || "") === action; });
    return STORE + window.location.pathname + "|" + action + "|" + same.indexOf(form);
  }

  // A short hash of what the form sends (FNV-1a): enough to tell "the same send again" from
  // "something else typed", without keeping a child's data in the tab's storage.
  function fingerprint(form) {
    var text = "";
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === FIELD || el.name === "csrfmiddlewaretoken") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      if (el.type === "submit" || el.type === "button" || el.closest("template")) { return; }
      var value = el.value;
      if (el.type === "file") {
        value = Array.prototype.map.call(el.files || [], function (f) { return f.name + ":" + f.size; }).join(",");
      }
      text += el.name + "=" + value + "\u0000";
    });
    var hash = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = (hash * 0x01000193) >>> 0;
    }
    return hash.toString(16);
  }

  function keyInput(form) {
    var input = form.querySelector("input[name=" + FIELD + "]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = FIELD;
      input.value = newKey();
      form.appendChild(input);
    }
    return input;
  }

  function buttons(form) {
    return Array.prototype.slice.call(
      form.querySelectorAll("button:not([type]), button[type=submit], input[type=submit]")
    ).concat(form.id ? Array.prototype.slice.call(document.querySelectorAll(
      "button[form='" + form.id + "'], input[type=submit][form='" + form.id + "']")) : []);
  }

  function release(form) {
    window.clearTimeout(form.sigapRetryTimer);
    window.clearInterval(form.sigapWatch);
    delete form.dataset.sending;
    buttons(form).forEach(function (b) {
      if (b.dataset.sendOnceDisabled) { b.disabled = false; delete b.dataset.sendOnceDisabled; }
    });
  }

  forgetSent();
  forms().forEach(keyInput);

  // Capture: a form already on its way is not sent again, before any other script sees it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.sending === "1" && (form.getAttribute("method") || "").toLowerCase() === "post") {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Bubble: after the page's own scripts, which may stop the send (their own checks, fetch).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") { return; }
    var input = keyInput(form);
    var store = storage();
    var slot = slotOf(form);
    var print = fingerprint(form);
    if (arrived[input.value]) { input.value = newKey(); }
    if (store) {
      try {
        var kept = JSON.parse(store.getItem(slot) || "null");
        // The same send again (the page opened anew): the server may have it already. Other
        // content keeps the page's own key (fresh, or the one a restored draft brought back).
        if (kept && kept.key && kept.print === print) { input.value = kept.key; }
        store.setItem(slot, JSON.stringify({ key: input.value, print: print }));
      } catch (e) { /* storage unavailable: the key of this page still guards its re-sends */ }
    }
    form.dataset.sending = "1";
    // Later, not now: the browser reads the pressed button's name and value after this event,
    // and a disabled button sends none.
    window.setTimeout(function () {
      buttons(form).forEach(function (b) {
        if (!b.disabled) { b.disabled = true; b.dataset.sendOnceDisabled = "1"; }
      });
    }, 0);
    form.sigapRetryTimer = window.setTimeout(function () { release(form); }, RETRY_AFTER_MS);
    // A page that stays (a file downloaded) learns of the answer by the server's cookie.
    var sentKey = input.value;
    window.clearInterval(form.sigapWatch);
    form.sigapWatch = window.setInterval(function () {
      if (form.dataset.sending !== "1") { window.clearInterval(form.sigapWatch); return; }
      if (readCookie(SENT_COOKIE) === sentKey) {
        window.clearInterval(form.sigapWatch);
        forgetSent();
        release(form);
      }
    }, 500);
  });

  // Back to a page kept by the browser: its forms may be sent again (same key, same content).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      forgetSent();
      forms().forEach(release);
    }
  });

  window.sigapSendOnce = { newKey: newKey, field: FIELD };
})();
