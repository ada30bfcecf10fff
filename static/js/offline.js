// Offline-first for the kader (templates/partials/offline.html loads it on every signed-in page).
//
// * Registers the service worker (/sw.js) for users who may work offline (Cap.WORK_OFFLINE)
//   and tells it who is logged in, so the pages kept for any other user are deleted. For any
//   other user (staff) it removes the worker and everything SIGAP kept on the device.
// * A page shown from the device's copy says so: "offline, last updated …".
// * The outbox: a form marked data-offline (the report, a note, a visit, an outreach) sent
//   while offline is kept in IndexedDB ("sigap-outbox-<user id>"), each item with its own
//   idempotency key made when it is queued. The outbox sends itself when the connection
//   returns, with growing pauses between tries; the server answers a repeated key with its
//   first answer, so a send whose reply was lost is harmless. What the server refuses (a
//   correction is needed, the case was closed) stays on the phone with the reason and the
//   text as typed, to be corrected or deleted.
// * On logout the outbox, the drafts and the kept pages are deleted (also by the server's
//   Clear-Site-Data); items older than SIGAP_DEVICE_DRAFT_DAYS are deleted too.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.indexedDB) { return; }
  var cfg = script.dataset;
  var user = cfg.user || "";
  var mayWorkOffline = cfg.offline === "1";
  var draftDays = parseInt(cfg.draftDays, 10) || 7;
  var DB_PREFIX = "sigap-outbox-";
  var DRAFT_PREFIX = "sigap-intake-draft-";
  var ui = document.querySelector("[data-offline-ui]");
  var msg = ui ? ui.dataset : {};

  function fmt(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
  }

  // --- Whose data may stay on this device ---------------------------------------------------------

  function deleteDb(name) {
    return new Promise(function (resolve) {
      var req = window.indexedDB.deleteDatabase(name);
      req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
    });
  }

  function forgetOthers(keepUser) {
    var jobs = [];
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(DRAFT_PREFIX) === 0 && key !== DRAFT_PREFIX + keepUser) {
          window.localStorage.removeItem(key);
        }
      }
    } catch (e) { /* storage blocked: nothing kept */ }
    if (window.indexedDB.databases) {
      jobs.push(window.indexedDB.databases().then(function (dbs) {
        return Promise.all(dbs.filter(function (db) {
          return db.name && db.name.indexOf(DB_PREFIX) === 0 && db.name !== DB_PREFIX + keepUser;
        }).map(function (db) { return deleteDb(db.name); }));
      }).catch(function () { return null; }));
    }
    if (window.caches) {
      jobs.push(window.caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (k) {
          return k.indexOf("sigap-pages-") === 0 && k !== "sigap-pages-" + keepUser;
        }).map(function (k) { return window.caches.delete(k); }));
      }).catch(function () { return null; }));
    }
    return Promise.all(jobs);
  }

  function forgetAll() {
    return forgetOthers("\u0000").then(function () {
      try { window.localStorage.removeItem(DRAFT_PREFIX + user); } catch (e) { /* nothing kept */ }
      return deleteDb(DB_PREFIX + user);
    });
  }

  if (!mayWorkOffline) {
    // Staff: no page of theirs is kept, and nothing a kader left on this device stays.
    if (navigator.serviceWorker) {
      navigator.serviceWorker.getRegistrations().then(function (regs) {
        regs.forEach(function (reg) {
          if (reg.active) { reg.active.postMessage({ type: "forget" }); }
          reg.unregister();
        });
      }).catch(function () { return null; });
    }
    // Their own report draft stays (intake.js keeps it for staff too); nobody else's does.
    forgetOthers(user);
    return;
  }

  forgetOthers(user);

  // --- The service worker ---------------------------------------------------------------------------

  function warmUrls() {
    var urls = [];
    try { urls = JSON.parse(cfg.warm || "[]"); } catch (e) { urls = []; }
    // The cases listed on this page ("Kasus saya", the start page): their pages too.
    Array.prototype.forEach.call(document.querySelectorAll("a[data-case-link], [data-testid=case-row] a, a[href^='/kasus/SGP-']"), function (a) {
      var path = new URL(a.href, window.location.href).pathname;
      if (/^\/kasus\/[A-Z]+-\d{4}-\d+\/$/.test(path) && urls.indexOf(path) < 0) { urls.push(path); }
    });
    return urls;
  }

  if (navigator.serviceWorker && cfg.sw) {
    navigator.serviceWorker.register(cfg.sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      if (!reg.active) { return; }
      reg.active.postMessage({ type: "user", user: user });
      if (navigator.onLine && !document.documentElement.dataset.offlineAt) {
        // After the page is usable, and only what is not kept yet: a repeat visit costs nothing.
        window.setTimeout(function () { reg.active.postMessage({ type: "warm", urls: warmUrls() }); }, 1500);
      }
    }).catch(function () { /* no worker (private mode, old browser): SIGAP works online */ });
  }

  // --- Notes on the page ------------------------------------------------------------------------------

  function show(box, visible) {
    box.hidden = !visible;
    box.className = visible ? (box.dataset.look || "") : "";
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return ""; }
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || "id", {
        timeZone: "Asia/Pontianak", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit"
      }).format(d);
    } catch (e) { return d.toLocaleString(); }
  }

  var note = ui ? ui.querySelector("[data-offline-note]") : null;
  function showConnection() {
    if (!note) { return; }
    var at = document.documentElement.dataset.offlineAt;
    if (at) {
      note.textContent = fmt(msg.msgOfflineAt, { when: when(at) });
      show(note, true);
    } else if (!navigator.onLine) {
      note.textContent = msg.msgOffline || "";
      show(note, true);
    } else {
      show(note, false);
    }
  }
  window.addEventListener("online", showConnection);
  window.addEventListener("offline", showConnection);
  showConnection();

  // --- The outbox (IndexedDB) --------------------------------------------------------------------------

  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = window.indexedDB.open(DB_PREFIX + user, 1);
        req.onupgradeneeded = function () { req.result.createObjectStore("items", { keyPath: "id" }); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }

  function tx(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction("items", mode);
        var store = t.objectStore("items");
        var result = work(store);
        t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function allItems() {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).sort(function (a, b) { return a.queuedAt < b.queuedAt ? -1 : 1; });
    });
  }
  function putItem(item) { return tx("readwrite", function (s) { s.put(item); }); }
  function deleteItem(id) { return tx("readwrite", function (s) { s.delete(id); }); }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- Queueing a form sent offline -------------------------------------------------------------------

  function intakeDraft(form) {
    // The report's own draft format (intake.js), to bring a refused report back into the form.
    var values = {};
    Array.prototype.forEach.call(form.elements, function (f) {
      if (!f.name || f.disabled || f.name === "csrfmiddlewaretoken" || f.type === "submit" ||
          f.type === "button" || f.type === "file" || f.closest("template")) { return; }
      if (f.type === "checkbox") {
        var group = form.querySelectorAll("input[type=checkbox][name='" + f.name + "']").length > 1;
        if (group) { values[f.name] = values[f.name] || []; if (f.checked) { values[f.name].push(f.value); } }
        else { values[f.name] = f.checked; }
      } else if (f.type === "radio") {
        if (f.checked) { values[f.name] = f.value; }
      } else { values[f.name] = f.value; }
    });
    function total(kind) {
      var input = form.querySelector("input[name=" + kind + "-TOTAL_FORMS]");
      return input ? parseInt(input.value, 10) || 0 : 0;
    }
    return { version: 1, savedAt: new Date().toISOString(), rows: { children: total("children"), perpetrators: total("perpetrators") }, values: values };
  }

  function summary(form, kind) {
    // A few words to recognise the item by in the list (never shown to anyone else).
    var field = form.querySelector("textarea") || form.querySelector("input[type=text]");
    var text = field ? field.value.trim() : "";
    return text.length > 80 ? text.slice(0, 77) + "…" : text;
  }

  function queue(form) {
    var kind = form.dataset.offline;
    var data = new FormData(form);
    var fields = [];
    data.forEach(function (value, name) {
      if (typeof value !== "string" || name === "csrfmiddlewaretoken" || name === "idempotency_key") { return; }
      fields.push([name, value]);
    });
    var item = {
      id: newKey(),
      kind: kind,
      action: new URL(form.getAttribute("action") || window.location.pathname, window.location.href).pathname,
      page: window.location.pathname,
      fields: fields,
      draft: kind === "report" ? intakeDraft(form) : null,
      summary: summary(form, kind),
      queuedAt: new Date().toISOString(),
      attempts: 0,
      nextAt: 0,
      state: "waiting",
      reason: ""
    };
    return putItem(item).then(function () { return item; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.dataset || !form.dataset.offline || navigator.onLine) { return; }
    var button = event.submitter;
    if (button && button.name && button.name.indexOf("add_") === 0) { return; }  // a row added, not a send
    event.preventDefault();
    event.stopImmediatePropagation();
    queue(form).then(function () {
      if (form.dataset.offline === "report") {
        // The outbox holds the report now: no second copy stays as a draft.
        try { window.localStorage.removeItem(DRAFT_PREFIX + user); } catch (e) { /* none */ }
        form.reset();
      } else {
        form.reset();
      }
      flash(msg.msgQueued || "");
      render();
    }).catch(function () { flash(msg.msgStorageFailed || ""); });
  }, true);

  // --- Sending ----------------------------------------------------------------------------------------

  var sending = false;
  var timer = null;

  function backoff(attempts) {
    // 5 s, 10 s, 20 s … at most 5 minutes, with some jitter so many phones do not retry at once.
    var base = Math.min(300000, 5000 * Math.pow(2, Math.max(0, attempts - 1)));
    return base + Math.floor(Math.random() * 1000);
  }

  function reasonFrom(html, status) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var texts = [];
    Array.prototype.forEach.call(doc.querySelectorAll("main .invalid-feedback, main .alert-danger, main .alert-warning, main .errorlist"), function (n) {
      var t = n.textContent.replace(/\s+/g, " ").trim();
      if (t && texts.indexOf(t) < 0) { texts.push(t); }
    });
    if (!texts.length && (status === 403 || status === 404)) { texts.push(msg.msgForbidden || ""); }
    if (!texts.length) {
      var p = doc.querySelector("main p, main h1");
      if (p) { texts.push(p.textContent.replace(/\s+/g, " ").trim()); }
    }
    return texts.join(" ").slice(0, 500);
  }

  function sendOne(item) {
    var body = new URLSearchParams();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.set("idempotency_key", item.id);
    return fetch(item.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Idempotency-Key": item.id, "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
      redirect: "follow"
    }).then(function (response) {
      var landed = new URL(response.url, window.location.href).pathname;
      if (cfg.login && landed.indexOf(cfg.login) === 0) { return "login"; }
      if (response.ok && response.redirected) { return "sent"; }
      // 409: the first send with this key is still being saved; 5xx, 429: try again later.
      if (response.status >= 500 || response.status === 429 || response.status === 409) { return "retry"; }
      return response.text().then(function (html) {
        if (response.status === 403 && /csrf/i.test(html) && !item.csrfRetried) {
          item.csrfRetried = true;
          return "retry";
        }
        item.state = "refused";
        item.reason = reasonFrom(html, response.status);
        return "refused";
      });
    }, function () { return "retry"; });
  }

  function expired(item) {
    return Date.now() - Date.parse(item.queuedAt) > draftDays * 24 * 3600 * 1000;
  }

  function sendAll() {
    if (sending || !navigator.onLine) { return Promise.resolve(); }
    sending = true;
    window.clearTimeout(timer);
    var needLogin = false;
    var sent = 0;
    return allItems().then(function (items) {
      var chain = Promise.resolve();
      items.forEach(function (item) {
        chain = chain.then(function () {
          if (expired(item)) { return deleteItem(item.id); }
          if (item.state !== "waiting" || needLogin || item.nextAt > Date.now()) { return null; }
          return sendOne(item).then(function (outcome) {
            if (outcome === "sent") { sent += 1; return deleteItem(item.id); }
            if (outcome === "login") { needLogin = true; return null; }
            if (outcome === "retry") {
              item.attempts += 1;
              item.nextAt = Date.now() + backoff(item.attempts);
            }
            return putItem(item);
          });
        });
      });
      return chain;
    }).catch(function () { return null; }).then(function () {
      sending = false;
      if (sent) { flash(fmt(msg.msgSent, { count: sent })); }
      if (needLogin) { flash(msg.msgLogin || ""); }
      return render().then(function (items) {
        var waiting = items.filter(function (i) { return i.state === "waiting"; });
        if (waiting.length && !needLogin) {
          var next = Math.min.apply(null, waiting.map(function (i) { return i.nextAt || 0; }));
          timer = window.setTimeout(sendAll, Math.max(1000, next - Date.now()));
        }
      });
    });
  }

  window.addEventListener("online", function () {
    // Back online: every waiting item is tried again now, whatever its pause.
    allItems().then(function (items) {
      return Promise.all(items.filter(function (i) { return i.state === "waiting"; }).map(function (i) {
        i.nextAt = 0;
        return putItem(i);
      }));
    }).then(sendAll);
  });

  // --- What the kader sees ---------------------------------------------------------------------------

  var panel = ui ? ui.querySelector("[data-outbox]") : null;
  var flashBox = ui ? ui.querySelector("[data-outbox-flash]") : null;

  function flash(text) {
    if (!flashBox || !text) { return; }
    flashBox.textContent = text;
    show(flashBox, true);
  }

  function kindLabel(kind) { return msg["kind" + kind.charAt(0).toUpperCase() + kind.slice(1)] || kind; }

  function render() {
    return allItems().then(function (items) {
      if (!panel) { return items; }
      var waiting = items.filter(function (i) { return i.state === "waiting"; });
      var refused = items.filter(function (i) { return i.state === "refused"; });
      panel.textContent = "";
      show(panel, items.length > 0);
      panel.dataset.waiting = String(waiting.length);
      panel.dataset.refused = String(refused.length);
      if (waiting.length) {
        var count = el("p", "mb-1 fw-semibold", fmt(msg.msgWaiting, { count: waiting.length }));
        count.setAttribute("data-testid", "outbox-count");
        panel.appendChild(count);
      }
      refused.forEach(function (item) {
        var box = el("div", "border-top pt-2 mt-2");
        box.setAttribute("data-testid", "outbox-refused");
        box.appendChild(el("p", "mb-1 fw-semibold", kindLabel(item.kind) + ": " + (msg.msgRefused || "")));
        box.appendChild(el("p", "mb-1", item.reason));
        if (item.summary) { box.appendChild(el("p", "mb-2 fst-italic", "“" + item.summary + "”")); }
        var fix = el("a", "btn btn-primary btn-sm me-2", msg.msgFix || "");
        fix.href = item.page + "#outbox-" + item.id;
        fix.setAttribute("data-testid", "outbox-fix");
        var del = el("button", "btn btn-outline-danger btn-sm", msg.msgDelete || "");
        del.type = "button";
        del.addEventListener("click", function () {
          if (window.confirm(msg.msgDeleteConfirm || "?")) { deleteItem(item.id).then(render); }
        });
        box.appendChild(fix);
        box.appendChild(del);
        panel.appendChild(box);
      });
      return items;
    }).catch(function () { return []; });
  }

  // A refused item brought back into its form, as typed, to be corrected and sent again.
  function restore() {
    var match = /^#outbox-([\w-]+)$/.exec(window.location.hash);
    if (!match) { return; }
    allItems().then(function (items) {
      var item = items.filter(function (i) { return i.id === match[1]; })[0];
      if (!item) { return; }
      if (item.kind === "report" && item.draft) {
        item.draft.savedAt = new Date().toISOString();
        try { window.localStorage.setItem(DRAFT_PREFIX + user, JSON.stringify(item.draft)); } catch (e) { return; }
        return deleteItem(item.id).then(function () { window.location.replace(window.location.pathname); });
      }
      var form = Array.prototype.filter.call(document.querySelectorAll("form[data-offline]"), function (f) {
        return new URL(f.getAttribute("action") || window.location.pathname, window.location.href).pathname === item.action;
      })[0];
      if (!form) { return; }
      var details = form.closest("details");
      if (details) { details.open = true; }
      item.fields.forEach(function (pair) {
        var field = form.querySelector("[name='" + pair[0].replace(/'/g, "") + "']");
        if (!field || field.type === "hidden" || field.type === "file") { return; }
        if (field.type === "checkbox" || field.type === "radio") {
          var exact = form.querySelector("[name='" + pair[0].replace(/'/g, "") + "'][value='" + String(pair[1]).replace(/'/g, "") + "']");
          if (exact) { exact.checked = true; }
        } else {
          field.value = pair[1];
        }
      });
      return deleteItem(item.id).then(function () { render(); form.scrollIntoView(); });
    });
  }

  // --- Logout: nothing stays -------------------------------------------------------------------------

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !cfg.logout || new URL(form.action, window.location.href).pathname !== cfg.logout) { return; }
    if (form.dataset.cleared === "1") { return; }
    event.preventDefault();
    allItems().catch(function () { return []; }).then(function (items) {
      if (items.length && !window.confirm(fmt(msg.msgLogoutConfirm, { count: items.length }))) { return; }
      // The report form must not save its draft again as the page goes away.
      document.dispatchEvent(new CustomEvent("sigap:forget"));
      var close = dbPromise ? dbPromise.then(function (d) { d.close(); }).catch(function () { return null; }) : Promise.resolve();
      return close.then(forgetAll).then(function () {
        if (window.caches) {
          return window.caches.keys().then(function (keys) {
            return Promise.all(keys.filter(function (k) { return k.indexOf("sigap-") === 0; }).map(function (k) { return window.caches.delete(k); }));
          });
        }
        return null;
      }).catch(function () { return null; }).then(function () {
        form.dataset.cleared = "1";
        form.submit();
      });
    });
  }, true);

  window.addEventListener("hashchange", restore);
  render().then(function () { restore(); sendAll(); });
})();
