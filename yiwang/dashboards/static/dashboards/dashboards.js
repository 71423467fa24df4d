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

  function load(el, chart) {
    var figure = document.getElementById("chart-figure").value;
    var by = el.getAttribute("data-kind") === "series" ? document.getElementById("chart-by").value : el.getAttribute("data-by");
    chart.showLoading({text: "加载中…"});
    fetch(url(el, figure, by), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (res) {
        chart.hideLoading();
        if (!res.ok) { chart.setOption({title: {text: res.body.message || "加载失败", left: "center"}}, true); return; }
        if (el.getAttribute("data-kind") === "series") { drawSeries(chart, res.body); }
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
