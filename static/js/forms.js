// The browser's own checks (required, pattern, min/max) speak the page's language: its bubble
// would otherwise be in the phone's or the browser's language ("Please match the requested
// format."). The messages come from the page (data-msg-* on this script tag, translated by
// Django); a field may carry its own (data-msg-pattern, e.g. the NIK's "NIK harus 16 angka").
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var required = script.dataset.msgRequired || "";
  var invalid = script.dataset.msgInvalid || "";

  document.addEventListener("invalid", function (event) {
    var el = event.target;
    if (!el || typeof el.setCustomValidity !== "function") { return; }
    el.setCustomValidity("");
    var v = el.validity;
    var message = "";
    if (v.valueMissing) { message = required; }
    else if ((v.patternMismatch || v.tooShort || v.tooLong) && el.dataset.msgPattern) { message = el.dataset.msgPattern; }
    else if (!v.valid) { message = el.dataset.msgPattern || invalid; }
    if (message) { el.setCustomValidity(message); }
  }, true);

  function reset(event) {
    var el = event.target;
    if (el && typeof el.setCustomValidity === "function") { el.setCustomValidity(""); }
  }
  document.addEventListener("input", reset, true);
  document.addEventListener("change", reset, true);
})();

// A table wider than the screen scrolls sideways inside its box: make the box reachable with
// the keyboard (and named), or a keyboard user could not read the hidden columns (WCAG 2.1.1).
(function () {
  "use strict";
  function label(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var section = box.closest("section, .card");
    var heading = section ? section.querySelector("h1, h2, h3, h4") : null;
    return heading ? heading.textContent.trim() : "";
  }
  function mark() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-responsive"), function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); box.dataset.scrollFocus = "1"; }
        if (!box.hasAttribute("role")) { box.setAttribute("role", "region"); }
        if (!box.hasAttribute("aria-label")) { box.setAttribute("aria-label", label(box)); }
      } else if (box.dataset.scrollFocus === "1") {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
})();
