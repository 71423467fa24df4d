/* 领导驾驶舱 charts: each .chart element names its JSON endpoint in data attributes; no inline script. */
(function () {
  "use strict";
  var charts = [];

  function fmt(kind, v) {
    if (v === null || v === undefined) { return "—"; }
    return kind === "rate" ? v.toFixed(2) + "%" : String(v);
  }

  function url(el, figure, by) {
    var qs = el.getAttribute("data-qs") || "";
    var extra = "figure=" + encodeURIComponent(figure) + "&by=" + encodeURIComponent(by);
    return el.getAttribute("data-base") + "?" + (qs ? qs + "&" : "") + extra;
  }

  function drawSeries(chart, data) {
    chart.setOption({
      title: {text: data.name + " 趋势", left: "center", textStyle: {fontSize: 14}},
      tooltip: {trigger: "axis", formatter: function (p) {
        var pt = data.points[p[0].dataIndex];
        return pt.period + "<br>" + fmt(data.kind, pt.value) + "（" + pt.numerator + (data.kind === "count" ? "" : " / " + pt.denominator) + "）";
      }},
      grid: {left: 48, right: 16, top: 40, bottom: 40},
      xAxis: {type: "category", data: data.points.map(function (p) { return p.period; })},
      yAxis: {type: "value", axisLabel: {formatter: data.kind === "rate" ? "{value}%" : "{value}"}},
      series: [{type: "line", smooth: true, connectNulls: false, data: data.points.map(function (p) { return p.value; })}]
    }, true);
  }

  function drawRanking(chart, data, label) {
    var rows = data.rows.slice(0, 10).reverse();
    chart.setOption({
      title: {text: data.name + " · " + label, left: "center", textStyle: {fontSize: 14}},
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, formatter: function (p) {
        var r = rows[p[0].dataIndex];
        return r.name + "<br>" + fmt(data.kind, r.value) + "（" + r.numerator + (data.kind === "count" ? "" : " / " + r.denominator) + "）";
      }},
      grid: {left: 8, right: 24, top: 40, bottom: 24, containLabel: true},
      xAxis: {type: "value", axisLabel: {formatter: data.kind === "rate" ? "{value}%" : "{value}"}},
      yAxis: {type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: {width: 120, overflow: "truncate"}},
      series: [{type: "bar", data: rows.map(function (r) { return r.value; }), label: {show: true, position: "right",
        formatter: function (p) { return fmt(data.kind, p.value); }}}]
    }, true);
  }

  function mapNode(n, kind) {
    var node = {name: n.name + "\n" + fmt(kind, n.value), value: Math.max(n.denominator || n.numerator || 0, 1),
      rate: n.value, numerator: n.numerator, denominator: n.denominator};
    if (n.children && n.children.length) { node.children = n.children.map(function (c) { return mapNode(c, kind); }); }
    return node;
  }

  function drawMap(chart, data) {
    var values = [];
    (function walk(list) { list.forEach(function (n) { if (n.value !== null) { values.push(n.value); } walk(n.children || []); }); }(data.regions));
    var lo = values.length ? Math.min.apply(null, values) : 0, hi = values.length ? Math.max.apply(null, values) : 1;
    var colours = data.up_is_good ? ["#c0392b", "#f1c40f", "#27ae60"] : ["#27ae60", "#f1c40f", "#c0392b"];
    chart.setOption({
      title: {text: data.name + " · 区域示意图", left: "center", textStyle: {fontSize: 14}},
      tooltip: {formatter: function (p) {
        var d = p.data || {};
        return (p.name || "").split("\n")[0] + "<br>" + fmt(data.kind, d.rate === undefined ? null : d.rate) +
          "（" + (d.numerator || 0) + (data.kind === "count" ? "" : " / " + (d.denominator || 0)) + "）";
      }},
      series: [{type: "treemap", roam: false, nodeClick: false, breadcrumb: {show: false}, top: 36, bottom: 8, left: 8, right: 8,
        upperLabel: {show: true, height: 22},
        levels: [{itemStyle: {borderColor: "#555", borderWidth: 2, gapWidth: 2}}, {itemStyle: {borderColor: "#fff", gapWidth: 1}}],
        data: data.regions.map(function (n) { return mapNode(n, data.kind); }).map(function (n) {
          n.itemStyle = {color: colourOf(n.rate, lo, hi, colours)};
          (n.children || []).forEach(function (c) { c.itemStyle = {color: colourOf(c.rate, lo, hi, colours)}; });
          return n;
        })}]
    }, true);
  }

  function colourOf(v, lo, hi, colours) {
    if (v === null || v === undefined) { return "#bdc3c7"; }
    var t = hi === lo ? 1 : (v - lo) / (hi - lo);
    return t < 0.34 ? colours[0] : t < 0.67 ? colours[1] : colours[2];
  }

  function load(el, chart) {
    var figure = document.getElementById("chart-figure").value;
    var by = el.getAttribute("data-kind") === "series" ? document.getElementById("chart-by").value : el.getAttribute("data-by") || "";
    chart.showLoading({text: "加载中…"});
    fetch(url(el, figure, by), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (res) {
        chart.hideLoading();
        if (!res.ok) { chart.setOption({title: {text: res.body.message || "加载失败", left: "center"}}, true); return; }
        if (el.getAttribute("data-kind") === "series") { drawSeries(chart, res.body); }
        else if (el.getAttribute("data-kind") === "map") { drawMap(chart, res.body); }
        else { drawRanking(chart, res.body, by === "park" ? "园区对比" : "单位排名"); }
        el.setAttribute("data-loaded", "1");
      })
      .catch(function () { chart.hideLoading(); chart.setOption({title: {text: "加载失败", left: "center"}}, true); });
  }

  function init() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll(".chart[data-kind]").forEach(function (el) {
      var chart = echarts.init(el, null, {renderer: "canvas"});
      charts.push([el, chart]);
      load(el, chart);
    });
    ["chart-figure", "chart-by"].forEach(function (id) {
      var ctl = document.getElementById(id);
      if (ctl) { ctl.addEventListener("change", function () { charts.forEach(function (c) { load(c[0], c[1]); }); }); }
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c[1].resize(); }); });
    var period = document.getElementById("dash-period");
    if (period) {
      period.addEventListener("change", function () { if (period.value !== "custom") { period.form.submit(); } });
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
