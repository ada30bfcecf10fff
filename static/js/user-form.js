// Show only the area field (and the supervisor mark) that fits the chosen role (progressive enhancement:
// without JavaScript both stay visible and the server still checks them).
(function () {
  "use strict";
  var form = document.querySelector("[data-role-form]");
  if (!form) { return; }
  var role = form.querySelector("select[name=role]");
  var kelurahan = document.getElementById("div_id_kelurahan");
  var kecamatan = document.getElementById("div_id_kecamatan");
  var supervisor = document.getElementById("div_id_is_supervisor");
  var cadre = ["div_id_cadre_nik", "div_id_cadre_sex", "div_id_cadre_cohort"].map(function (id) {
    return document.getElementById(id);
  });
  function update() {
    if (kelurahan) { kelurahan.hidden = role.value !== "kader"; }
    cadre.forEach(function (div) { if (div) { div.hidden = role.value !== "kader"; } });
    if (kecamatan) { kecamatan.hidden = role.value !== "petugas"; }
    if (supervisor) { supervisor.hidden = role.value !== "petugas"; }
  }
  if (role) { role.addEventListener("change", update); update(); }
})();
