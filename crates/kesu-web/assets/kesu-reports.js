// The dashboard's charts, drawn with Apache ECharts from the JSON the page carries.
(function () {
  "use strict";
  var el = document.getElementById("report-data");
  if (!el || !window.echarts) { return; }
  var d = JSON.parse(el.textContent);
  var w = d.words;
  var palette = ["#c2410c", "#0969da", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#57606a", "#bf8700", "#116329"];
  var charts = [];
  function draw(id, option) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var chart = echarts.init(node, null, { renderer: "svg" });
    option.color = palette;
    option.animation = false;
    chart.setOption(option);
    node.setAttribute("data-drawn", "1");
    charts.push(chart);
  }
  var grid = { left: 48, right: 24, top: 36, bottom: 40, containLabel: true };

  // Volume over time, stacked by channel.
  draw("chart-timeline", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: grid,
    xAxis: { type: "category", data: d.timeline.map(function (p) { return p.start; }) },
    yAxis: { type: "value", name: w.cases, minInterval: 1 },
    series: d.channels.map(function (c) {
      return { name: c.label, type: "bar", stack: "all",
               data: d.timeline.map(function (p) { return p.by_channel[c.code] || 0; }) };
    }).filter(function (s) { return s.data.some(function (v) { return v > 0; }); })
  });

  draw("chart-category", {
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
    series: [{ type: "pie", radius: ["35%", "65%"], label: { formatter: "{b}\n{c}" },
               data: d.categories.map(function (c) { return { name: c.label, value: d.by_category[c.code] || 0 }; })
                                .filter(function (x) { return x.value > 0; }) }]
  });

  function pareto(id, items) {
    draw(id, {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: grid,
      xAxis: { type: "category", data: items.map(function (x) { return x.label; }), axisLabel: { interval: 0 } },
      yAxis: [{ type: "value", name: w.cases, minInterval: 1 },
              { type: "value", name: w.cumulative, min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: w.cases, type: "bar", barMaxWidth: 56, data: items.map(function (x) { return x.cases; }), label: { show: true, position: "inside", color: "#fff" } },
        { name: w.cumulative, type: "line", yAxisIndex: 1, symbol: "circle",
          data: items.map(function (x) { return Math.round(x.cumulative * 1000) / 10; }),
          label: { show: true, position: "top", formatter: "{c}%", color: "#0969da" } }
      ]
    });
  }
  pareto("chart-causes", d.causes);
  pareto("chart-liability", d.liability);

  function bars(id, items) {
    var rev = items.slice().reverse();
    draw(id, {
      tooltip: { trigger: "axis" },
      grid: { left: 12, right: 40, top: 12, bottom: 24, containLabel: true },
      xAxis: { type: "value", name: w.cases, minInterval: 1 },
      yAxis: { type: "category", data: rev.map(function (x) { return x.label; }) },
      series: [{ type: "bar", data: rev.map(function (x) { return x.cases; }), label: { show: true, position: "right" } }]
    });
  }
  bars("chart-carriers", d.carriers);
  bars("chart-products", d.products);
  bars("chart-departments", d.departments);

  draw("chart-ratings", {
    tooltip: { trigger: "axis" },
    grid: grid,
    xAxis: { type: "category", name: w.rating, data: ["1★", "2★", "3★", "4★", "5★"] },
    yAxis: { type: "value", name: w.cases, minInterval: 1 },
    series: [{ type: "bar", data: d.ratings, label: { show: true, position: "top" },
               itemStyle: { color: function (p) { return ["#cf222e", "#e16f24", "#bf8700", "#2da44e", "#1a7f37"][p.dataIndex]; } } }]
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
