// Draw the kelurahan boundaries with Leaflet, without any tile server:
// the polygons alone make the map. Kelurahan outside the user's area are greyed.
(function () {
  "use strict";
  var el = document.getElementById("kelurahan-map");
  if (!el || typeof L === "undefined") { return; }
  var visible = new Set(JSON.parse(document.getElementById("visible-codes").textContent));
  var palette = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"];
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });

  function addLegend(features) {
    var names = {};
    features.forEach(function (feature) {
      names[feature.properties.kode_kecamatan] = feature.properties.kecamatan;
    });
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "map-legend small");
      Object.keys(names).sort().forEach(function (code) {
        var row = L.DomUtil.create("div", "", div);
        var swatch = L.DomUtil.create("span", "d-inline-block me-1 align-middle", row);
        swatch.style.cssText = "width:12px;height:12px;border:1px solid #333;background:" +
          palette[(parseInt(code.slice(-2), 10) - 1) % palette.length];
        row.appendChild(document.createTextNode(names[code]));
      });
      return div;
    };
    legend.addTo(map);
  }
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (feature) {
          var p = feature.properties;
          var shown = visible.has(p.kode_kemendagri);
          var index = parseInt(p.kode_kecamatan.slice(-2), 10) - 1;
          return {
            color: "#333", weight: 1,
            fillColor: shown ? palette[index % palette.length] : "#bbb",
            fillOpacity: shown ? 0.45 : 0.15
          };
        },
        onEachFeature: function (feature, lyr) {
          var p = feature.properties;
          lyr.bindTooltip(p.nama + " — " + p.kecamatan + " (" + p.kode_kemendagri + ")");
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds());
      addLegend(data.features);
      el.dataset.loaded = String(layer.getLayers().length);
    })
    .catch(function () { el.dataset.loaded = "error"; });
})();
