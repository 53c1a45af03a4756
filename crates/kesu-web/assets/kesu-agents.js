// Per-agent figures, one horizontal bar chart per figure, drawn with Apache ECharts from the
// JSON the page carries; a click on a bar opens the cases behind it.
(function () {
  "use strict";
  var el = document.getElementById("agents-data");
  if (!el || !window.echarts) { return; }
  var d = JSON.parse(el.textContent);
  var charts = [];
  d.figures.forEach(function (f) {
    var node = document.getElementById("chart-" + f.key);
    if (!node) { return; }
    var rows = d.rows.filter(function (r) { return r.values[f.key] !== null; }).reverse();
    if (!rows.length) {
      node.className += " empty";
      node.textContent = d.none;
      node.setAttribute("data-drawn", "1");
      return;
    }
    var chart = echarts.init(node, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      color: [f.color],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 12, right: 48, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value", max: f.max || null, minInterval: f.unit ? 0 : 1, axisLabel: { formatter: "{value}" + (f.unit || "") } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.agent; }) },
      series: [{ type: "bar", cursor: "pointer", barMaxWidth: 28,
                 data: rows.map(function (r) { return r.values[f.key]; }),
                 label: { show: true, position: "right", formatter: "{c}" + (f.unit || "") } }]
    });
    chart.on("click", function (p) {
      var link = rows[p.dataIndex].links[f.key];
      if (link) { window.location.href = link; }
    });
    node.setAttribute("data-drawn", "1");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
