// Charts of /compare/: one grouped bar chart per metric and the quality-versus-footprint scatter, drawn with the
// Plotly bundle from our own static files. Data come from the "compare-data" json_script element; each chart has
// a table beside it holding the same figures, so nothing here is the only carrier of a number.
(function () {
  "use strict";

  var INK = "#1d2327";
  var MUTED = "#50575e";
  var GRID = "#e6e8e3";
  // Colour-blind-safe pairs (Paul Tol): location-based green, market-based purple.
  var SERIES_COLOURS = ["#0b6e4f", "#aa3377", "#4477aa", "#ccbb44"];
  var FONT = { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", color: INK, size: 13 };
  var CONFIG = {
    responsive: true,
    displaylogo: false,
    displayModeBar: window.innerWidth > 600 ? "hover" : false,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
  };

  // Plotly reads a little HTML in labels; names from the catalogue must stay plain text.
  function plain(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function errorBars(series, axis) {
    var bars = {
      type: "data", symmetric: false, color: MUTED, thickness: 1.2, width: 4,
      array: series.high.map(function (high, i) { return high - series.central[i]; }),
      arrayminus: series.central.map(function (central, i) { return central - series.low[i]; }),
    };
    var out = {};
    out["error_" + axis] = bars;
    return out;
  }

  function spread(values) {
    var positive = values.filter(function (v) { return v > 0; });
    return positive.length ? Math.max.apply(null, positive) / Math.min.apply(null, positive) : 1;
  }

  function scaleButtons(axis, log) {
    // Figures span orders of magnitude: a log axis keeps the small ones readable.
    var linear = {}; linear[axis + ".type"] = "linear";
    var logarithmic = {}; logarithmic[axis + ".type"] = "log";
    return [{
      type: "buttons", direction: "right", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom", active: log ? 1 : 0,
      pad: { t: 0, r: 0 }, showactive: true, font: { size: 12 },
      buttons: [
        { label: "Linear", method: "relayout", args: [linear] },
        { label: "Log", method: "relayout", args: [logarithmic] },
      ],
    }];
  }

  function drawPanel(panel, box) {
    var axisTitle = plain(panel.axis);
    var centrals = [];
    var traces = panel.series.map(function (series, index) {
      centrals = centrals.concat(series.central);
      var trace = {
        type: "bar",
        name: plain(series.name),
        x: panel.names.map(plain),
        y: series.central,
        marker: { color: SERIES_COLOURS[index % SERIES_COLOURS.length] },
        customdata: series.low.map(function (low, i) { return [low, series.high[i]]; }),
        hovertemplate: "<b>%{x}</b> (" + plain(series.name) + ")<br>%{y:.3~g} " + axisTitle +
          "<br>range %{customdata[0]:.3~g}–%{customdata[1]:.3~g}<extra></extra>",
      };
      return Object.assign(trace, errorBars(series, "y"));
    });
    var log = spread(centrals) > 30;
    var layout = {
      font: FONT,
      barmode: "group",
      margin: { l: 10, r: 10, t: 40, b: 10 },
      updatemenus: scaleButtons("yaxis", log),
      xaxis: { automargin: true, tickangle: panel.names.length > 3 && window.innerWidth < 700 ? -30 : 0 },
      yaxis: { title: { text: axisTitle }, type: log ? "log" : "linear", rangemode: "tozero", automargin: true,
               gridcolor: GRID },
      showlegend: false,  // the caption carries the colour key, beside the modebar-free top of the chart
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "#ffffff",
    };
    window.Plotly.newPlot(box, traces, layout, CONFIG);
  }

  function drawQuality(data, box) {
    var onFrontier = data.frontier;
    var points = {
      type: "scatter",
      mode: "markers+text",
      name: "models",
      x: data.central,
      y: data.score,
      text: data.names.map(plain),
      textposition: "top center",
      cliponaxis: false,
      marker: {
        size: 12,
        color: onFrontier.map(function (f) { return f ? SERIES_COLOURS[0] : "#ffffff"; }),
        line: { color: SERIES_COLOURS[0], width: 2 },
      },
      customdata: data.low.map(function (low, i) { return [low, data.high[i], onFrontier[i] ? "yes" : "no"]; }),
      hovertemplate: "<b>%{text}</b><br>%{y:.3~g} on " + plain(data.benchmark) + "<br>%{x:.3~g} " +
        plain(data.axis) + " (range %{customdata[0]:.3~g}–%{customdata[1]:.3~g})<br>Pareto frontier: " +
        "%{customdata[2]}<extra></extra>",
    };
    Object.assign(points, errorBars({ low: data.low, central: data.central, high: data.high }, "x"));
    var frontier = {
      type: "scatter", mode: "lines", name: "Pareto frontier", x: data.frontier_x, y: data.frontier_y,
      line: { color: SERIES_COLOURS[1], width: 2, dash: "dot", shape: "hv" }, hoverinfo: "skip",
    };
    var log = spread(data.central) > 30;
    var layout = {
      font: FONT,
      margin: { l: 10, r: 20, t: 40, b: 10 },
      updatemenus: scaleButtons("xaxis", log),
      xaxis: { title: { text: plain(data.axis) }, type: log ? "log" : "linear",
               automargin: true, gridcolor: GRID },
      yaxis: { title: { text: plain(data.benchmark) + " score (higher is better)" }, automargin: true,
               gridcolor: GRID },
      showlegend: false,  // the caption explains the dots and the line
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "#ffffff",
    };
    window.Plotly.newPlot(box, [frontier, points], layout, CONFIG);
  }

  function start() {
    var data = read("compare-data");
    if (!window.Plotly || !data) { return; }
    data.panels.forEach(function (panel) {
      var box = document.getElementById(panel.key.replace(/_/g, "-") + "-chart");
      if (box && panel.names.length) { drawPanel(panel, box); }
    });
    var qualityBox = document.getElementById("quality-chart");
    if (qualityBox && data.quality.benchmark && data.quality.names.length) { drawQuality(data.quality, qualityBox); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
