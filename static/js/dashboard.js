// The dashboard's charts (Chart.js) and choropleth map (Leaflet, no tiles).
// All figures come from json_script blocks rendered by the server; nothing here builds
// HTML from data. Each chart has a table beside it; printing opens those tables.
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var PALETTE = ["#0b5a73", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];

  function drawCharts() {
    var charts = readJson("dashboard-charts");
    if (!charts || typeof Chart === "undefined") { return; }
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.animation = false;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = charts[canvas.dataset.chart];
      if (!spec) { return; }
      var type = canvas.dataset.type || "bar";
      var datasets;
      if (spec.series) {
        datasets = spec.series.map(function (s, i) {
          return { label: s.label, data: s.values, backgroundColor: PALETTE[i % PALETTE.length] };
        });
      } else {
        datasets = [{
          label: spec.label,
          data: spec.values,
          backgroundColor: type === "doughnut" ? ["#d95f02", "#0b5a73"] : PALETTE[0]
        }];
      }
      var options = { responsive: true, maintainAspectRatio: false, plugins: { legend: { display: !!spec.series || type === "doughnut" } } };
      if (type === "bar") {
        var stacked = canvas.dataset.stacked === "1";
        options.indexAxis = canvas.dataset.axis === "y" ? "y" : "x";
        options.scales = {
          x: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } },
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } }
        };
      }
      new Chart(canvas, { type: type, data: { labels: spec.labels, datasets: datasets }, options: options });
      canvas.dataset.rendered = "1";
    });
  }

  function drawMap() {
    var el = document.getElementById("dashboard-map");
    var data = readJson("dashboard-map-data");
    if (!el || !data || typeof L === "undefined") { return; }
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, scrollWheelZoom: false });
    fetch(el.dataset.geojson, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (geojson) {
        var shown = geojson.features.filter(function (f) { return data.regions[f.properties.kode_kemendagri]; });
        var layer = L.geoJSON({ type: "FeatureCollection", features: geojson.features }, {
          style: function (feature) {
            var region = data.regions[feature.properties.kode_kemendagri];
            return {
              color: "#333", weight: 1,
              fillColor: region ? region.colour : "#bbb",
              fillOpacity: region ? 0.85 : 0.1
            };
          },
          onEachFeature: function (feature, lyr) {
            var region = data.regions[feature.properties.kode_kemendagri];
            if (region) { lyr.bindTooltip(region.tooltip); }
          }
        }).addTo(map);
        var bounds = L.geoJSON({ type: "FeatureCollection", features: shown.length ? shown : geojson.features }).getBounds();
        map.fitBounds(bounds);
        var legend = L.control({ position: "bottomright" });
        legend.onAdd = function () {
          var div = L.DomUtil.create("div", "map-legend small");
          var title = L.DomUtil.create("div", "fw-bold", div);
          title.textContent = data.legendTitle;
          data.legend.forEach(function (item) {
            var row = L.DomUtil.create("div", "", div);
            var swatch = L.DomUtil.create("span", "swatch me-1", row);
            swatch.style.background = item.colour;
            row.appendChild(document.createTextNode(item.label));
          });
          return div;
        };
        legend.addTo(map);
        el.dataset.loaded = String(layer.getLayers().length);
      })
      .catch(function () { el.dataset.loaded = "error"; });
  }

  // Printing shows the tables instead of the canvases: open every table first.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.dataset.wasOpen = d.open ? "1" : ""; d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = d.dataset.wasOpen === "1"; });
  });

  drawCharts();
  drawMap();
})();
