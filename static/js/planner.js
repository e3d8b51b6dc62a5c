// The chart of /procurement/: the lowest options (and the current choice) for a year of the workload, drawn with
// the Plotly bundle from our own static files. Data come from the "planner-data" json_script element; the table
// beside it holds every option with the same figures.
(function () {
  "use strict";

  var INK = "#1d2327";
  var MUTED = "#50575e";
  var COLOURS = { current: "#1d2327", region: "#4477aa", model: "#0b6e4f" };
  var FONT = { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", color: INK, size: 13 };

  // Plotly reads a little HTML in labels; names from the catalogue must stay plain text.
  function plain(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function draw(data, box) {
    var positive = data.central.filter(function (v) { return v > 0; });
    var spread = positive.length ? Math.max.apply(null, positive) / Math.min.apply(null, positive) : 1;
    box.style.height = Math.max(260, 110 + 26 * data.labels.length) + "px";
    var trace = {
      type: "bar",
      orientation: "h",
      y: data.labels.map(plain),
      x: data.central,
      marker: { color: data.kinds.map(function (kind) { return COLOURS[kind] || COLOURS.model; }) },
      error_x: {
        type: "data", symmetric: false, color: MUTED, thickness: 1.2, width: 3,
        array: data.high.map(function (high, i) { return high - data.central[i]; }),
        arrayminus: data.central.map(function (central, i) { return central - data.low[i]; }),
      },
      customdata: data.low.map(function (low, i) { return [low, data.high[i]]; }),
      hovertemplate: "<b>%{y}</b><br>%{x:.3~g} " + plain(data.axis) +
        "<br>range %{customdata[0]:.3~g}–%{customdata[1]:.3~g}<extra></extra>",
    };
    var layout = {
      font: FONT,
      margin: { l: 10, r: 16, t: 10, b: 60 },
      xaxis: { title: { text: plain(data.axis).replace(" (", "<br>(") }, type: spread > 30 ? "log" : "linear", rangemode: "tozero",
               automargin: true, gridcolor: "#e6e8e3" },
      yaxis: { autorange: "reversed", automargin: true, tickfont: { size: 12 } },
      bargap: 0.25,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "#ffffff",
    };
    window.Plotly.newPlot(box, [trace], layout, {
      responsive: true, displaylogo: false, displayModeBar: window.innerWidth > 600 ? "hover" : false,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
    });
  }

  function start() {
    var element = document.getElementById("planner-data");
    var box = document.getElementById("planner-chart");
    if (!window.Plotly || !element || !box) { return; }
    var data = JSON.parse(element.textContent);
    if (data && data.labels.length) { draw(data, box); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
