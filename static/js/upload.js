// The upload page while a worker checks the file: polls the small progress JSON, moves the <progress> bar and its
// text, and reloads the page once the upload has left the queue (done, rejected, or waiting for an answer).
// Without JavaScript the page says to reload it.
(function () {
  "use strict";

  var POLL_MS = 1500;

  function number(value) {
    return Number(value).toLocaleString("en-GB");
  }

  function start() {
    var section = document.querySelector("[data-progress-url]");
    if (!section || !window.fetch) { return; }
    var url = section.getAttribute("data-progress-url");
    var bar = document.getElementById("upload-progress");
    var text = document.getElementById("upload-progress-text");
    var status = document.getElementById("upload-status");

    function poll() {
      window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { window.setTimeout(poll, POLL_MS * 4); return; }
          if (data.finished) { window.location.reload(); return; }
          bar.value = data.percent;
          bar.textContent = data.percent + " %";
          status.textContent = data.label;
          text.textContent = number(data.rows_done) + " of " + number(data.rows_total) + " rows checked (" +
            data.percent + " %). Records are written in one go once every row is checked.";
          window.setTimeout(poll, POLL_MS);
        })
        .catch(function () { window.setTimeout(poll, POLL_MS * 4); });
    }

    window.setTimeout(poll, POLL_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
