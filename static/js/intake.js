// The case report form (cases/templates/cases/intake/form.html). Progressive enhancement:
// without JavaScript every section shows on one page, "add another" buttons ask the server
// for one more row, and the form still works.
//
// With JavaScript:
// * a kader's form shows one step at a time (Next / Back);
// * rows for children and perpetrators are added and removed on the page;
// * ticking "online prostitution" also ticks "online" and, if needed, Eksploitasi;
// * the form is kept as a draft on the device (localStorage, one key per user) at every
//   input, and on the server a few seconds later, so a dropped connection or a closed tab
//   loses nothing; the draft comes back on the next visit, with a notice and a
//   "discard draft" button (which asks first) — only a draft with something typed in it,
//   and none older than SIGAP_DEVICE_DRAFT_DAYS (data-draft-days);
// * Enter in a step's field goes to the next step; a step's checks show Indonesian messages
//   at the field (NIK: "NIK harus 16 angka"), not the browser's bubble. After a report is sent, the server sets a cookie and the draft
//   is dropped here on the next visit (the server's copy is already gone);
// * the records a child may already have are looked up (POST, so no NIK or name in a URL)
//   and offered as a choice in the child's row: the same child, or a new record.
(function () {
  "use strict";
  var form = document.querySelector("form[data-intake]");
  if (!form) { return; }

  var SENT_COOKIE = "sigap_intake_sent";
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var csrfToken = csrf ? csrf.value : "";
  var draftKey = form.dataset.draftKey || "";
  var stepped = form.dataset.stepped === "1";
  var bound = form.dataset.bound === "1";

  function $all(selector, root) {
    return Array.prototype.slice.call((root || form).querySelectorAll(selector));
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken,
        "X-Requested-With": "fetch"
      },
      body: JSON.stringify(body || {})
    });
  }

  // --- Rows: children and perpetrators ----------------------------------------------------------

  function totalInput(kind) { return form.querySelector("input[name=" + kind + "-TOTAL_FORMS]"); }

  function renumber(kind) {
    var n = 0;
    $all("[data-rows=" + kind + "] [data-row]").forEach(function (row) {
      if (row.hidden) { return; }
      n += 1;
      var label = row.querySelector("[data-row-number]");
      if (label) { label.textContent = String(n); }
    });
    if (kind === "children") {
      // Each child's own coding is asked only when the report has several children.
      $all("[data-rows=children] [data-per-child]").forEach(function (box) { box.hidden = n < 2; });
    }
  }

  function enhanceRow(row) {
    var del = row.querySelector("[data-delete]");
    var remove = row.querySelector("[data-remove-row]");
    var box = del ? del.querySelector("input[type=checkbox]") : null;
    if (del) { del.hidden = true; }
    if (box && box.checked) { row.hidden = true; }
    if (remove && box) {
      remove.hidden = false;
      remove.addEventListener("click", function () {
        box.checked = true;
        row.hidden = true;
        renumber(row.dataset.row);
        scheduleSave();
      });
    }
    watchDuplicates(row);
  }

  function addRow(kind) {
    var template = form.querySelector("template[data-empty-row=" + kind + "]");
    var total = totalInput(kind);
    var max = form.querySelector("input[name=" + kind + "-MAX_NUM_FORMS]");
    if (!template || !total) { return null; }
    var index = parseInt(total.value, 10) || 0;
    if (max && index >= parseInt(max.value, 10)) { return null; }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    form.querySelector("[data-rows=" + kind + "]").appendChild(row);
    total.value = String(index + 1);
    enhanceRow(row);
    renumber(kind);
    return row;
  }

  $all("[data-row]").forEach(enhanceRow);
  $all("[data-add-row]").forEach(function (button) {
    button.type = "button";
    button.addEventListener("click", function () {
      var row = addRow(button.dataset.addRow);
      if (row) {
        var first = row.querySelector("input:not([type=hidden]), select");
        if (first) { first.focus(); }
        scheduleSave();
      }
    });
  });
  renumber("children");
  renumber("perpetrators");

  // --- Online prostitution implies online and exploitation ----------------------------------------

  var prostitution = form.querySelector("input[name=online_prostitution]");
  if (prostitution) {
    prostitution.addEventListener("change", function () {
      if (!prostitution.checked) { return; }
      var online = form.querySelector("input[name=online]");
      if (online) { online.checked = true; }
      var kinds = $all("input[name=violence_types]");
      var has = kinds.some(function (k) { return k.checked && (k.value === "eksploitasi" || k.value === "seksual"); });
      if (!has) {
        kinds.forEach(function (k) { if (k.value === "eksploitasi") { k.checked = true; } });
      }
    });
  }

  // --- Steps (kader) -------------------------------------------------------------------------------

  var steps = $all("fieldset[data-step]");
  var current = 0;
  var back = form.querySelector("[data-step-back]");
  var next = form.querySelector("[data-step-next]");
  var send = form.querySelector("[data-send]");

  function showStep(i, focus) {
    current = Math.max(0, Math.min(i, steps.length - 1));
    steps.forEach(function (step, j) { step.hidden = j !== current; });
    back.hidden = current === 0;
    next.hidden = current === steps.length - 1;
    send.hidden = current !== steps.length - 1;
    if (focus) {
      var legend = steps[current].querySelector("legend");
      if (legend) {
        legend.setAttribute("tabindex", "-1");
        legend.focus();
      }
      window.scrollTo(0, 0);
    }
  }

  if (stepped && steps.length > 1) {
    $all("[data-step-count]").forEach(function (p) { p.hidden = false; });
    var firstError = steps.findIndex(function (step) {
      // A step waiting for an answer: an error, or records that may be a child of the report.
      return step.querySelector(".is-invalid, .invalid-feedback, .alert-danger, [data-testid=duplicates]") !== null;
    });
    showStep(firstError >= 0 ? firstError : 0, false);
    next.addEventListener("click", function () {
      var fields = $all("input, select, textarea", steps[current]).filter(function (el) {
        return el.willValidate && !el.closest("[hidden]");
      });
      // Our own message at the field, in the page's language: the browser's bubble would be
      // in the phone's language and gone at the next tap.
      var firstBad = null;
      fields.forEach(function (el) {
        var message = el.checkValidity() ? "" : fieldMessage(el);
        showFieldError(el, message);
        if (message && !firstBad) { firstBad = el; }
      });
      if (firstBad) { firstBad.focus(); return; }
      showStep(current + 1, true);
    });
    back.addEventListener("click", function () { showStep(current - 1, true); });
    // Enter in a field of a step that is not the last one goes to the next step; it does not
    // send the whole form (which would mark the fields of the steps not yet reached).
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing) { return; }
      var el = event.target;
      if (!el || el.tagName === "TEXTAREA" || el.tagName === "BUTTON" || el.tagName === "A" ||
          el.type === "submit" || el.type === "button") { return; }
      if (current < steps.length - 1) {
        event.preventDefault();
        next.click();
      }
    });
  }

  function fieldMessage(el) {
    var v = el.validity;
    if (v.valueMissing) { return form.dataset.msgRequired || el.validationMessage; }
    if ((v.patternMismatch || v.tooLong || v.tooShort) && el.dataset.msgPattern) { return el.dataset.msgPattern; }
    return form.dataset.msgInvalid || el.validationMessage;
  }

  function showFieldError(el, message) {
    var id = el.id ? el.id + "-client-error" : "";
    var box = id ? document.getElementById(id) : null;
    if (!message) {
      el.classList.remove("is-invalid");
      if (box) { box.remove(); }
      return;
    }
    el.classList.add("is-invalid");
    if (!box && id) {
      box = document.createElement("div");
      box.id = id;
      box.className = "invalid-feedback d-block";
      box.setAttribute("data-testid", "client-error");
      el.setAttribute("aria-describedby", ((el.getAttribute("aria-describedby") || "") + " " + id).trim());
      (el.closest(".form-check") || el).insertAdjacentElement("afterend", box);
    }
    if (box) { box.textContent = message; }
  }

  // --- Possible duplicates -------------------------------------------------------------------------

  function watchDuplicates(row) {
    if (row.dataset.row !== "children" || !form.dataset.duplicatesUrl) { return; }
    var box = row.querySelector("[data-duplicates]");
    function field(name) { return row.querySelector("[name$='-" + name + "']"); }
    var last = "";
    function check() {
      var nik = (field("nik") || {}).value || "";
      var name = ((field("name") || {}).value || "").trim();
      var born = (field("birth_date") || {}).value || "";
      var query = {};
      if (/^\d{16}$/.test(nik)) { query.nik = nik; }
      if (name && born) { query.name = name; query.birth_date = born; }
      if (!query.nik && !query.name) { box.innerHTML = ""; last = ""; return; }
      if (form.dataset.case) { query.case = form.dataset.case; }
      var nameField = field("name");
      var prefix = nameField ? nameField.name.replace(/-name$/, "") : "";
      var key = JSON.stringify(query);
      if (key === last) { return; }
      last = key;
      query.prefix = prefix;
      post(form.dataset.duplicatesUrl, query)
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || key !== last) { return; }
          // The records found replace the row's earlier answer; a record still offered stays chosen.
          var chosen = box.querySelector("[name='" + prefix + "-person']:checked, input[type=hidden][name='" + prefix + "-person']");
          var value = chosen ? chosen.value : "";
          box.innerHTML = data.html;
          if (value) {
            var again = box.querySelector("input[type=radio][name='" + prefix + "-person'][value='" + value + "']");
            if (again) { again.checked = true; }
          }
        })
        .catch(function () { /* offline: the server checks again when the report is sent */ });
    }
    ["nik", "name", "birth_date"].forEach(function (name) {
      var el = field(name);
      if (el) { el.addEventListener("change", check); }
    });
  }

  // --- Drafts ---------------------------------------------------------------------------------------

  if (!draftKey) { return; }
  var notice = document.querySelector("[data-draft-notice]");
  var status = form.querySelector("[data-draft-status]");
  var localTimer = null;
  var serverTimer = null;
  var sending = false;

  function collect() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === "csrfmiddlewaretoken" || el.type === "submit" ||
          el.type === "button" || el.type === "file" || el.closest("template")) { return; }
      if (el.type === "checkbox") {
        var group = form.querySelectorAll("input[type=checkbox][name='" + el.name + "']").length > 1;
        if (group) {
          values[el.name] = values[el.name] || [];
          if (el.checked) { values[el.name].push(el.value); }
        } else {
          values[el.name] = el.checked;
        }
      } else if (el.type === "radio") {
        if (el.checked) { values[el.name] = el.value; }
      } else {
        values[el.name] = el.value;
      }
    });
    return {
      version: 1,
      savedAt: new Date().toISOString(),
      rows: {
        children: parseInt(totalInput("children").value, 10) || 1,
        perpetrators: parseInt(totalInput("perpetrators").value, 10) || 0
      },
      values: values
    };
  }

  function apply(state) {
    if (!state || !state.values) { return false; }
    ["children", "perpetrators"].forEach(function (kind) {
      var want = (state.rows && state.rows[kind]) || 0;
      var guard = 0;
      while ((parseInt(totalInput(kind).value, 10) || 0) < want && guard < 50) {
        if (!addRow(kind)) { break; }
        guard += 1;
      }
    });
    Object.keys(state.values).forEach(function (name) {
      if (/-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(name)) { return; }
      var value = state.values[name];
      var els = form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']");
      Array.prototype.forEach.call(els, function (el) {
        if (el.closest("template")) { return; }
        if (el.type === "checkbox") {
          el.checked = Array.isArray(value) ? value.indexOf(el.value) >= 0 : Boolean(value);
        } else if (el.type === "radio") {
          el.checked = el.value === value;
        } else {
          el.value = value;
        }
      });
    });
    $all("[data-row]").forEach(function (row) {
      var box = row.querySelector("[data-delete] input[type=checkbox]");
      row.hidden = Boolean(box && box.checked);
    });
    renumber("children");
    renumber("perpetrators");
    return true;
  }

  // The form as it is before anything is restored: a draft that differs from it in nothing
  // but its defaults holds nothing typed, and restoring it is no "draft restored".
  var pristine = collect().values;
  var draftDays = parseInt(form.dataset.draftDays, 10) || 7;

  function hasContent(state) {
    if (!state || !state.values) { return false; }
    return Object.keys(state.values).some(function (name) {
      if (/-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(name)) { return false; }
      // Hidden fields (the send key, the formsets' counters) are nothing the kader typed.
      var field = form.querySelector("[name='" + name.replace(/'/g, "") + "']");
      if (field && field.type === "hidden") { return false; }
      var value = state.values[name];
      var before = pristine[name];
      if (Array.isArray(value)) { return value.length > 0 && JSON.stringify(value) !== JSON.stringify(before || []); }
      if (value === true) { return before !== true; }
      return typeof value === "string" && value.trim() !== "" && value !== before;
    });
  }

  function expired(state) {
    var saved = state && Date.parse(state.savedAt);
    return !saved || Date.now() - saved > draftDays * 24 * 3600 * 1000;
  }

  function readLocal() {
    var state = null;
    try { state = JSON.parse(window.localStorage.getItem(draftKey) || "null"); } catch (e) { return null; }
    if (state && (expired(state) || !hasContent(state))) {
      // Older than SIGAP_DEVICE_DRAFT_DAYS, or nothing typed: a child's data does not stay.
      clearLocal();
      return null;
    }
    return state;
  }

  function saveLocal() {
    try {
      window.localStorage.setItem(draftKey, JSON.stringify(collect()));
      if (status) {
        status.textContent = status.dataset.savedLocal || "";
        status.dataset.saved = "local";
      }
    } catch (e) { /* storage full or blocked: the server copy still helps */ }
  }

  function saveServer() {
    if (sending) { return; }
    post(form.dataset.draftUrl, { data: collect() })
      .then(function (r) {
        // Logged out (a redirect to the login page, or 401) is not "saved on the server".
        var json = (r.headers.get("content-type") || "").indexOf("application/json") === 0;
        if (!r.ok || r.redirected || !json) { throw new Error("draft not saved: " + r.status); }
        return r.json();
      })
      .then(function (body) {
        if (body && body.saved && status && !sending) {
          status.textContent = status.dataset.savedServer || "";
          status.dataset.saved = "server";
        }
      })
      .catch(function () {
        // Offline or logged out: kept on the device only, sent with the next input.
        if (status && !sending) {
          status.textContent = status.dataset.savedDeviceOnly || status.dataset.savedLocal || "";
          status.dataset.saved = "local";
        }
      });
  }

  function scheduleSave() {
    if (sending) { return; }
    window.clearTimeout(localTimer);
    localTimer = window.setTimeout(saveLocal, 250);
    window.clearTimeout(serverTimer);
    serverTimer = window.setTimeout(saveServer, 3000);
  }

  function clearLocal() {
    try { window.localStorage.removeItem(draftKey); } catch (e) { /* nothing to clear */ }
  }

  function hasSentCookie() {
    return document.cookie.split(";").some(function (c) { return c.trim().indexOf(SENT_COOKIE + "=") === 0; });
  }

  function showNotice() { if (notice) { notice.hidden = false; } }

  form.addEventListener("input", scheduleSave);
  form.addEventListener("change", scheduleSave);
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.name && button.name.indexOf("add_") === 0) { return; }
    // Keep the draft until the server says the report arrived (the cookie on the next visit):
    // if the connection drops now, nothing is lost. No server save may arrive after the case.
    window.clearTimeout(serverTimer);
    window.clearTimeout(localTimer);
    saveLocal();
    sending = true;
  });
  // Logging out (offline.js): nothing of the form may be written back to the phone.
  document.addEventListener("sigap:forget", function () {
    sending = true;
    window.clearTimeout(localTimer);
    window.clearTimeout(serverTimer);
  });
  window.addEventListener("pagehide", function () {
    if (!sending) { window.clearTimeout(localTimer); saveLocal(); }
  });

  if (notice) {
    notice.querySelector("[data-draft-discard]").addEventListener("click", function () {
      if (!window.confirm(form.dataset.discardConfirm || "?")) { return; }
      window.clearTimeout(serverTimer);
      window.clearTimeout(localTimer);
      clearLocal();
      sending = true;
      post(form.dataset.draftDiscardUrl, {})
        .catch(function () { return null; })
        .then(function () { window.location.assign(window.location.pathname); });
    });
  }

  if (hasSentCookie()) {
    // The last report reached the server: drop whatever draft remains of it, here and there.
    clearLocal();
    document.cookie = SENT_COOKIE + "=; Max-Age=0; path=/; SameSite=Lax";
    post(form.dataset.draftDiscardUrl, {}).catch(function () { return null; });
    return;
  }

  if (bound) {
    // The server sent the form back (a correction is needed): its values are the latest.
    saveLocal();
    return;
  }

  var local = readLocal();
  if (local && apply(local)) {
    showNotice();
    return;
  }
  fetch(form.dataset.draftUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (body) {
      if (body && body.data && !expired(body.data) && hasContent(body.data) && apply(body.data)) {
        saveLocal();
        showNotice();
      }
    })
    .catch(function () { /* offline: nothing to restore */ });
})();
