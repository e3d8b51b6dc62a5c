// Charts of the organisation dashboard (/orgs/<slug>/), drawn with the Plotly bundle from our own static files.
// Data come from the "dashboard-data" json_script element (reports.dashboard_exports.chart_data); every chart has a
// table under it with the same figures and a CSV download, so nothing here is the only carrier of a number.
(function () {
  "use strict";

  var INK = "#1d2327";
  var GRID = "#e6e8e3";
  // Paul Tol's colour-blind-safe palettes, as on the other pages: location-based green, market-based purple
  // (compare.js); "muted" for up to eight stacked groups, with its pale grey for "Other"; "high contrast" for the
  // three data-quality tiers.
  var LOCATION = "#0b6e4f";
  var MARKET = "#aa3377";
  var MUTED = ["#332288", "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677", "#882255"];
  var OTHER = "#dddddd";
  var TIERS = ["#004488", "#ddaa33", "#bb5566"];
  var TRAJECTORIES = ["#4477aa", "#ee6677"];
  var FONT = { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", color: INK, size: 13 };
  var CONFIG = {
    responsive: true,
    displaylogo: false,
    displayModeBar: window.innerWidth > 600 ? "hover" : false,  // on a phone it would cover the legend
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
  };
  var NARROW = window.innerWidth < 700;
  var HEIGHT = NARROW ? 440 : 380;  // px; on a phone the legend above the plot takes more of it

  // Plotly reads a little HTML in labels; names from the catalogue must stay plain text.
  function plain(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function layout(extra) {
    var base = {
      font: FONT,
      margin: { l: 10, r: 10, t: 10, b: 10 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "#ffffff",
      showlegend: true,
      // above the plot: below it, the legend would run into month labels slanted on a phone
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", traceorder: "normal" },
      xaxis: { automargin: true, tickangle: NARROW ? -45 : "auto" },
      yaxis: { automargin: true, rangemode: "tozero", gridcolor: GRID },
    };
    return Object.assign(base, extra || {});
  }

  function drawTrend(data, box) {
    var x = data.months.map(plain);
    var custom = data.prior_months.map(plain);
    var unit = plain(data.axis);
    var traces = [
      {  // the low-high band of the location-based figure: the high edge, then the low edge filled up to it
        // hidden at first (the range spans a factor of ten or more and would flatten the lines); the legend shows it
        x: x, y: data.location_high, mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false,
        legendgroup: "range", visible: "legendonly",
      },
      {
        x: x, y: data.location_low, mode: "lines", line: { width: 0 }, fill: "tonexty", legendgroup: "range",
        fillcolor: "rgba(11,110,79,0.15)", name: "Location-based low–high", hoverinfo: "skip", visible: "legendonly",
      },
      {
        x: x, y: data.location, mode: "lines+markers", name: "Location-based", line: { color: LOCATION, width: 2 },
        hovertemplate: "%{x}<br>%{y:.3~g} " + unit + " (location-based)<extra></extra>",
      },
      {
        x: x, y: data.market, mode: "lines+markers", name: "Market-based", line: { color: MARKET, width: 2 },
        hovertemplate: "%{x}<br>%{y:.3~g} " + unit + " (market-based)<extra></extra>",
      },
      {
        x: x, y: data.prior_location, mode: "lines", name: "Prior period, location-based", customdata: custom,
        line: { color: LOCATION, width: 2, dash: "dash" },
        hovertemplate: "%{customdata}<br>%{y:.3~g} " + unit + " (location-based)<extra>prior period</extra>",
      },
      {
        x: x, y: data.prior_market, mode: "lines", name: "Prior period, market-based", customdata: custom,
        line: { color: MARKET, width: 2, dash: "dash" }, visible: "legendonly",
        hovertemplate: "%{customdata}<br>%{y:.3~g} " + unit + " (market-based)<extra>prior period</extra>",
      },
    ];
    box.style.height = HEIGHT + "px";
    window.Plotly.newPlot(box, traces, layout({
      xaxis: { type: "category", automargin: true, tickangle: NARROW ? -45 : "auto" },
      yaxis: { title: { text: unit }, automargin: true, rangemode: "tozero", gridcolor: GRID },
    }), CONFIG);
  }

  function drawBreakdown(data, box) {
    var x = data.months.map(plain);
    var unit = plain(data.axis);
    var traces = data.groups.map(function (group, index) {
      var isOther = index === MUTED.length;
      return {
        type: "bar", name: plain(group.name), x: x, y: group.values,
        marker: { color: isOther ? OTHER : MUTED[index % MUTED.length], line: { color: "#ffffff", width: 0.5 } },
        hovertemplate: "<b>" + plain(group.name) + "</b><br>%{x}: %{y:.3~g} " + unit + "<extra></extra>",
      };
    });
    box.style.height = (HEIGHT + (NARROW ? 20 * Math.ceil(traces.length / 2) : 0)) + "px";
    window.Plotly.react(box, traces, layout({
      barmode: "stack",
      xaxis: { type: "category", automargin: true, tickangle: NARROW ? -45 : "auto" },
      yaxis: { title: { text: unit }, automargin: true, rangemode: "tozero", gridcolor: GRID },
    }), CONFIG);
  }

  function drawTiers(data, box) {
    var traces = data.labels.map(function (label, index) {
      return {
        type: "bar", orientation: "h", name: plain(label),
        y: ["CO₂e", "Records"], x: [data.co2e_share[index] || 0, data.records_share[index] || 0],
        marker: { color: TIERS[index % TIERS.length] },
        hovertemplate: "<b>" + plain(label) + "</b><br>%{y}: %{x:.3~g} %<extra></extra>",
      };
    });
    box.style.height = (NARROW ? 260 : 220) + "px";
    window.Plotly.newPlot(box, traces, layout({
      barmode: "stack",
      xaxis: { title: { text: "% of the period" }, range: [0, 100], automargin: true, gridcolor: GRID },
      yaxis: { automargin: true, autorange: "reversed" },
    }), CONFIG);
  }

  function drawTarget(data, box) {
    var partial = {};
    data.compared.forEach(function (c) { partial[c.year] = c.months; });
    var unit = plain(data.axis);
    var traces = [{
      type: "bar", name: "Actual", x: data.years, y: data.actual,
      marker: {
        color: LOCATION,
        pattern: {
          shape: data.years.map(function (year) { return partial[year] ? "/" : ""; }),
          fillmode: "overlay", fgcolor: "#ffffff", fgopacity: 0.7, size: 8,
        },
      },
      customdata: data.years.map(function (year) { return partial[year] ? "first " + partial[year] + " months" : "year"; }),
      hovertemplate: "%{x} (%{customdata}): %{y:.3~g} " + unit + "<extra>actual</extra>",
    }];
    data.trajectories.forEach(function (trajectory, index) {
      traces.push({
        type: "scatter", mode: "lines+markers", name: plain(trajectory.name), x: data.years, y: trajectory.values,
        line: { color: TRAJECTORIES[index % TRAJECTORIES.length], width: 2, dash: "dash" },
        hovertemplate: "%{x}: %{y:.3~g} " + unit + "<extra>" + plain(trajectory.name) + "</extra>",
      });
    });
    data.compared.forEach(function (compared, index) {
      traces.push({
        type: "scatter", mode: "markers", name: plain(compared.name) + ": allowed so far",
        x: [compared.year], y: [compared.allowed],
        marker: { symbol: "x", size: 12, color: TRAJECTORIES[index % TRAJECTORIES.length] },
        hovertemplate: "%{x}, first " + compared.months + " months: %{y:.3~g} " + unit + " allowed<extra></extra>",
      });
    });
    box.style.height = HEIGHT + "px";
    window.Plotly.newPlot(box, traces, layout({
      xaxis: { type: "category", automargin: true },
      yaxis: { title: { text: unit }, automargin: true, rangemode: "tozero", gridcolor: GRID },
    }), CONFIG);
  }

  function start() {
    var data = read("dashboard-data");
    if (!window.Plotly || !data) { return; }
    var trendBox = document.getElementById("trend-chart");
    if (trendBox && data.trend.months.length) { drawTrend(data.trend, trendBox); }
    var breakdownBox = document.getElementById("breakdown-chart");
    var select = document.getElementById("breakdown-by");
    if (breakdownBox && select) {
      var redraw = function () { drawBreakdown(data.breakdowns[select.value], breakdownBox); };
      select.addEventListener("change", redraw);
      redraw();
    }
    var tiersBox = document.getElementById("tiers-chart");
    if (tiersBox) { drawTiers(data.tiers, tiersBox); }
    var targetBox = document.getElementById("target-chart");
    if (targetBox && data.target.years.length) { drawTarget(data.target, targetBox); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
