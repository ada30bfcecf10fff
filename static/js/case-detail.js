// The case page: the status form shows the closure reason only for a closing status
// (and only the reasons that fit it), and the case worker only when verifying.
// Without JavaScript every field stays visible and the server checks the same rules.
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var form = document.querySelector("[data-status-form]");
  var data = document.getElementById("closing-reasons");
  if (!form || !data) { return; }
  var closing = JSON.parse(data.textContent);
  var target = form.querySelector("[name='status-to']");
  var reason = form.querySelector("[name='status-closure_reason']");
  var worker = form.querySelector("[name='status-case_worker']");
  var reasonOptions = reason ? Array.prototype.slice.call(reason.options) : [];

  function wrapperOf(field) {
    return field ? field.closest(".mb-3") || field.parentElement : null;
  }

  function update() {
    var to = target.value;
    if (reason) {
      var allowed = closing[to] || [];
      reasonOptions.forEach(function (option) {
        var fits = option.value === "" || allowed.indexOf(option.value) !== -1;
        option.hidden = !fits;
        option.disabled = !fits;
      });
      if (reason.value && allowed.indexOf(reason.value) === -1) { reason.value = ""; }
      wrapperOf(reason).hidden = allowed.length === 0;
    }
    if (worker) {
      wrapperOf(worker).hidden = to !== "diverifikasi";
    }
  }

  target.addEventListener("change", update);
  update();
})();
