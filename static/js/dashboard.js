// Charts for the board dashboard. The numbers come from the page (json_script); every chart has a
// table beside it with the same numbers for screen readers and print.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var palette = ["#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384", "#0dcaf0", "#ffc107"];
  Chart.defaults.animation = false;

  var trend = document.getElementById("chart-trend");
  if (trend) {
    new Chart(trend, {
      type: "line",
      data: {
        labels: data.trend.map(function (t) { return t.year; }),
        datasets: [{
          label: "Earner rate (%)",
          // A hidden (suppressed) rate is null: the line shows a gap there.
          data: data.trend.map(function (t) { return t.rate; }),
          borderColor: palette[0], backgroundColor: palette[0], spanGaps: false, tension: 0
        }]
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: "% of students enrolled" } } }
      }
    });
  }

  var bars = document.getElementById("chart-credentials");
  if (bars) {
    new Chart(bars, {
      type: "bar",
      data: {
        labels: data.credentials.years,
        datasets: data.credentials.series.map(function (s, i) {
          return {
            label: s.label,
            // "<10" (suppressed) cannot be drawn as a bar height: it is left out.
            data: s.values.map(function (v) { return typeof v === "number" ? v : null; }),
            backgroundColor: palette[i % palette.length]
          };
        })
      },
      options: {
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { y: { beginAtZero: true, title: { display: true, text: "Students" } } }
      }
    });
  }
})();
