// Charts of the rankings and model pages, drawn with the Plotly bundle served from our own static files.
// The data come from json_script elements; every chart has a table beside it holding the same figures.
(function () {
  "use strict";

  var INK = "#1d2327";
  var ACCENT = "#0b6e4f";
  var MUTED = "#50575e";
  var CONFIG = {
    responsive: true,
    displaylogo: false,
    displayModeBar: window.innerWidth > 600 ? "hover" : false,  // on a phone it would cover the axis buttons
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
  };
  var FONT = { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", color: INK, size: 13 };

  // Plotly reads a little HTML in labels (<b>, <a>...); names from the catalogue must stay plain text.
  function plain(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function scaleButtons(active) {
    // Figures span orders of magnitude: a log axis keeps the small ones readable.
    return [{
      type: "buttons", direction: "right", x: 0, xanchor: "left", y: 1.01, yanchor: "bottom", active: active,
      pad: { t: 0, r: 0 }, showactive: true, font: { size: 12 },
      buttons: [
        { label: "Linear", method: "relayout", args: [{ "xaxis.type": "linear" }] },
        { label: "Log", method: "relayout", args: [{ "xaxis.type": "log" }] },
      ],
    }];
  }

  function drawRanking(data, box) {
    var rows = data.labels.length;
    // Log scale by default when the largest central figure is over 30 times the smallest.
    var positive = data.central.filter(function (v) { return v > 0; });
    var spread = positive.length ? Math.max.apply(null, positive) / Math.min.apply(null, positive) : 1;
    var axisType = spread > 30 ? "log" : "linear";
    box.style.height = Math.max(260, 110 + 24 * rows) + "px";
    var trace = {
      type: "bar",
      orientation: "h",
      y: data.labels.map(plain),
      x: data.central,
      marker: { color: ACCENT },
      error_x: {
        type: "data",
        symmetric: false,
        array: data.high.map(function (high, i) { return high - data.central[i]; }),
        arrayminus: data.central.map(function (central, i) { return central - data.low[i]; }),
        color: MUTED,
        thickness: 1.2,
        width: 3,
      },
      customdata: data.low.map(function (low, i) { return [low, data.high[i]]; }),
      hovertemplate: "<b>%{y}</b><br>%{x:.3~g} " + plain(data.axis) +
        "<br>range %{customdata[0]:.3~g}–%{customdata[1]:.3~g}<extra></extra>",
    };
    var layout = {
      font: FONT,
      margin: { l: 10, r: 16, t: 44, b: 72 },
      xaxis: {
        title: { text: plain(data.axis).replace(" (", "<br>(") }, type: axisType, rangemode: "tozero", automargin: true,
        gridcolor: "#e6e8e3",
      },
      yaxis: { autorange: "reversed", automargin: true, tickfont: { size: 12 } },
      bargap: 0.25,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "#ffffff",
      updatemenus: scaleButtons(axisType === "log" ? 1 : 0),
    };
    window.Plotly.newPlot(box, [trace], layout, CONFIG);
  }

  function drawHistory(data, box) {
    var x = data.map(function (point) { return point.at; });
    var central = data.map(function (p) { return p.central; });
    var trace = {
      x: x, y: central, mode: "lines+markers", name: "central (whiskers: low–high)",
      line: { color: ACCENT, width: 2, shape: "hv" }, marker: { size: 8, color: ACCENT },
      error_y: {
        type: "data", symmetric: false, color: MUTED, thickness: 1.2, width: 4,
        array: data.map(function (p) { return p.high - p.central; }),
        arrayminus: data.map(function (p) { return p.central - p.low; }),
      },
      customdata: data.map(function (p) { return [p.low, p.high]; }),
      hovertemplate: "%{x|%Y-%m-%d %H:%M}<br>%{y:.3~g} g CO₂e per request" +
        "<br>range %{customdata[0]:.3~g}–%{customdata[1]:.3~g}<extra></extra>",
    };
    var xaxis = { type: "date", automargin: true, gridcolor: "#e6e8e3" };
    var first = new Date(x[0]).getTime();
    var last = new Date(x[x.length - 1]).getTime();
    var day = 24 * 3600 * 1000;
    if (last - first < day) {
      // One version (or a few within a day): show a week around it rather than milliseconds.
      xaxis.range = [new Date(first - 3 * day).toISOString(), new Date(last + 3 * day).toISOString()];
    }
    var layout = {
      font: FONT,
      margin: { l: 10, r: 16, t: 16, b: 40 },
      xaxis: xaxis,
      yaxis: { title: { text: "g CO₂e per request" }, rangemode: "tozero", automargin: true, gridcolor: "#e6e8e3" },
      showlegend: true,
      legend: { orientation: "h", y: -0.2 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "#ffffff",
    };
    window.Plotly.newPlot(box, [trace], layout, CONFIG);
  }

  function start() {
    if (!window.Plotly) { return; }
    var ranking = read("ranking-data");
    var rankingBox = document.getElementById("ranking-chart");
    if (ranking && rankingBox && ranking.labels.length) { drawRanking(ranking, rankingBox); }
    var history = read("history-data");
    var historyBox = document.getElementById("history-chart");
    if (history && historyBox && history.length) { drawHistory(history, historyBox); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
