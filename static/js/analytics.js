/* Analytics charts: each <canvas data-chart="ID"> is drawn from the JSON in <script id="ID">
   with the vendored Chart.js (static/vendor/chartjs). A drawn canvas gets data-drawn="1". */
(function () {
  "use strict";
  var BLUE = "#1f6feb", GREEN = "#1a7f37", RED = "#cf222e", GREY = "#687385";

  function config(spec) {
    if (spec.type === "series") {
      return {
        type: "line",
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map(function (d, i) {
            return { label: d.label, data: d.data, borderColor: i ? GREEN : BLUE,
                     backgroundColor: i ? GREEN : BLUE, pointRadius: 0, borderWidth: 2, tension: 0.2 };
          })
        },
        options: { animation: false, maintainAspectRatio: false, interaction: { mode: "index", intersect: false } }
      };
    }
    if (spec.type === "waterfall") {
      return {
        type: "bar",
        data: {
          labels: spec.labels,
          datasets: [{ label: spec.label, data: spec.bars,
            backgroundColor: spec.kinds.map(function (k) { return k === "total" ? GREY : k === "up" ? GREEN : RED; }) }]
        },
        options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } },
                   scales: { x: { ticks: { autoSkip: false } } } }
      };
    }
    var data = spec.datasets[0].data;
    return {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: [{ label: spec.datasets[0].label, data: data,
          backgroundColor: data.map(function (v) { return spec.horizontal && v < 0 ? RED : BLUE; }) }]
      },
      options: { animation: false, maintainAspectRatio: false, indexAxis: spec.horizontal ? "y" : "x",
                 plugins: { legend: { display: false } },
                 scales: spec.horizontal ? { y: { ticks: { autoSkip: false } } } : {} }
    };
  }

  function draw(root) {
    if (typeof Chart === "undefined") { return; }
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) { return; }
      var existing = Chart.getChart(canvas);
      if (existing) { existing.destroy(); }
      new Chart(canvas, config(JSON.parse(source.textContent)));
      canvas.dataset.drawn = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (e) { draw(e.target); });
})();
