/* Attendance check-in: filter names as you type; mark present without reloading the page.
   Without JavaScript the search is a GET form and each row a small POST form. */
(function () {
  "use strict";
  var search = document.getElementById("attendance-search");
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-testid=attendance-row]"));
  var labels = document.getElementById("attendance-labels");
  var count = document.querySelector("[data-testid=present-count]");

  function label(selector) {
    var node = labels && labels.content.querySelector(selector);
    return node ? node.textContent : "";
  }

  if (search) {
    var searchForm = search.form;
    searchForm.addEventListener("submit", function (event) { event.preventDefault(); });
    var filter = function () {
      var needle = search.value.trim().toLowerCase();
      rows.forEach(function (row) {
        row.hidden = needle !== "" && row.getAttribute("data-name").indexOf(needle) === -1;
      });
    };
    search.addEventListener("input", filter);
    // Someone quick may type before this script has loaded (it is deferred): filter now too.
    filter();
  }

  function show(form, data) {
    var button = form.querySelector("button");
    var present = data.present;
    button.classList.toggle("btn-success", present);
    button.classList.toggle("btn-outline-secondary", !present);
    button.setAttribute("aria-pressed", present ? "true" : "false");
    button.querySelector("[data-state]").textContent = present ? label("[data-present]") : label("[data-absent]");
    button.querySelector("[data-marked]").textContent = present
      ? label("[data-marked-template]").replace("{who}", data.marked_by).replace("{time}", data.marked_at)
      : "";
    form.querySelector("input[name=present]").value = present ? "0" : "1";
    if (count) { count.textContent = data.present_count; }
  }

  // Taps are sent one after another, not side by side: each answer carries the day's present
  // count, and two marks in flight at once would each count without the other (their
  // transactions do not see each other), the later answer showing one too few.
  var queue = Promise.resolve();

  document.querySelectorAll("form[data-attendance-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch) { return; }
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      var key = window.sigapSendOnce ? window.sigapSendOnce.newKey() : "";
      queue = queue.then(function () { return send(form, button, key); });
    });
  });

  function send(form, button, key) {
    return fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        // Each tap is its own send (present, then absent again): a fresh key, in the header.
        headers: {
          "Accept": "application/json",
          "Idempotency-Key": key
        },
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (data) {
        show(form, data);
        form.closest("li").setAttribute("data-present", data.present ? "1" : "0");
      }).catch(function () {
        window.alert(label("[data-error]"));
      }).then(function () {
        button.disabled = false;
      });
  }
}());
