//! `amlscreen report kri --from DATE --to DATE`: the key risk indicators
//! over the case store, as JSON or as one self-contained HTML page (its
//! charts drawn by an inline script from data embedded in the page: no
//! network, no file beside it).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Subcommand, ValueEnum};

use super::cases_cmd::parse_time;
use super::{CliResult, GlobalArgs};
use amlscreen::{KriReport, Screener};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ReportFormat {
    /// One JSON document (default).
    #[default]
    Json,
    /// A self-contained HTML page with the indicators and three charts.
    Html,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Key risk indicators of a period: alert, hold and block rates, the
    /// false-positive rate of closed cases, the share of high-risk
    /// customers, old open cases, the median time to resolve — each
    /// green, yellow or red by the rule files' `kri:` thresholds.
    Kri {
        /// Start of the period (YYYY-MM-DD or RFC 3339), inclusive.
        #[arg(long, value_name = "DATE", value_parser = parse_time)]
        from: DateTime<Utc>,
        /// End of the period (YYYY-MM-DD or RFC 3339), exclusive.
        #[arg(long, value_name = "DATE", value_parser = parse_time)]
        to: DateTime<Utc>,
        /// `json` (default) or `html`.
        #[arg(long, value_enum, default_value_t)]
        format: ReportFormat,
        /// Write the report here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn run(global: &GlobalArgs, cmd: ReportCommand) -> CliResult {
    let ReportCommand::Kri {
        from,
        to,
        format,
        out,
    } = cmd;
    if from >= to {
        eprintln!("amlscreen: --from ({from}) must be before --to ({to})");
        return Ok(ExitCode::from(2));
    }
    let screener = Screener::for_reading(&global.load_config()?)?;
    let report = screener.kri(from, to)?;
    let text = match format {
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        ReportFormat::Html => html(&report)?,
    };
    match out {
        Some(path) => {
            let mut f = super::open_output(&path)?;
            f.write_all(text.as_bytes())?;
            f.flush()?;
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An indicator's value as a reader reads it.
fn shown(id: &str, value: Option<f64>) -> String {
    match value {
        None => "—".into(),
        Some(v) if id.ends_with("_rate") || id.ends_with("_share") => format!("{:.1} %", v * 100.0),
        Some(v) if id.ends_with("_hours") => format!("{v:.1} h"),
        Some(v) => format!("{v:.0}"),
    }
}

fn html(r: &KriReport) -> Result<String, serde_json::Error> {
    // the data the charts draw, embedded; `</` cannot end the script early
    let data = serde_json::to_string(r)?.replace("</", "<\\/");
    let mut rows = String::new();
    for i in &r.indicators {
        let thresholds = i.thresholds.map_or("—".to_owned(), |(g, y)| {
            format!(
                "green ≤ {}, yellow ≤ {}",
                shown(i.id, Some(g)),
                shown(i.id, Some(y))
            )
        });
        rows.push_str(&format!(
            "<tr><td><code>{}</code><br><small>{}</small></td><td class=\"value\">{}</td>\
             <td><span class=\"status {}\">{}</span></td><td>{}</td><td>{}</td></tr>\n",
            escape(i.id),
            escape(i.description),
            escape(&shown(i.id, i.value)),
            escape(&i.status.replace(' ', "-")),
            escape(i.status),
            escape(&thresholds),
            escape(&i.detail)
        ));
    }
    Ok(PAGE
        .replace(
            "{{from}}",
            &escape(&r.from.format("%Y-%m-%d %H:%M UTC").to_string()),
        )
        .replace(
            "{{to}}",
            &escape(&r.to.format("%Y-%m-%d %H:%M UTC").to_string()),
        )
        .replace(
            "{{generated}}",
            &escape(&r.generated_at.format("%Y-%m-%d %H:%M UTC").to_string()),
        )
        .replace(
            "{{summary}}",
            &escape(&format!(
                "{} decisions ({} held, {} blocked); {} cases opened, {} closed",
                r.decisions, r.holds, r.blocks, r.cases_opened, r.cases_closed
            )),
        )
        .replace("{{rows}}", &rows)
        .replace("{{data}}", &data))
}

const PAGE: &str = r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>amlscreen — key risk indicators</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #1d2630; }
h1 { margin-bottom: 0.2em; }
.period { color: #55606b; margin-top: 0; }
table.kri { border-collapse: collapse; width: 100%; margin: 1em 0 2em; }
table.kri th, table.kri td { border-bottom: 1px solid #dde2e7; padding: 6px 8px; text-align: left; vertical-align: top; }
td.value { font-variant-numeric: tabular-nums; white-space: nowrap; font-weight: 600; }
small { color: #55606b; }
.status { border-radius: 10px; padding: 1px 9px; font-size: 12px; white-space: nowrap; }
.status.green { background: #d8f3dc; color: #1b5e20; }
.status.yellow { background: #fff3c4; color: #7a5c00; }
.status.red { background: #fdd8d8; color: #9b1c1c; }
.status.no-data, .status.no-thresholds { background: #eceff1; color: #55606b; }
.chart { margin: 0.5em 0 2em; }
.legend span { display: inline-block; margin-right: 1em; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
svg text { font-size: 11px; fill: #55606b; }
</style>
</head>
<body>
<h1>Key risk indicators</h1>
<p class="period">{{from}} to {{to}} — generated {{generated}} — {{summary}}</p>
<table class="kri">
<thead><tr><th>indicator</th><th>value</th><th>status</th><th>thresholds</th><th>figures</th></tr></thead>
<tbody>
{{rows}}</tbody>
</table>
<h2>Alerts per day by reason</h2>
<div class="chart"><svg id="chart-alerts" width="960" height="260"></svg><div class="legend" id="legend-alerts"></div></div>
<h2>Customers by risk level</h2>
<div class="chart"><svg id="chart-risk" width="480" height="200"></svg></div>
<h2>Time to resolve (cases closed in the period)</h2>
<div class="chart"><svg id="chart-resolution" width="640" height="200"></svg></div>
<script type="application/json" id="kri-data">{{data}}</script>
<script>
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("kri-data").textContent);
  var palette = ["#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#78909c"];
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function text(parent, x, y, s, anchor) {
    var t = el("text", {x: x, y: y, "text-anchor": anchor || "start"}, parent);
    t.textContent = s;
    return t;
  }
  // bars: [{label, parts: [{series, value, color}]}] stacked, on an svg
  function bars(svg, groups, yLabel) {
    var W = +svg.getAttribute("width"), H = +svg.getAttribute("height");
    var left = 44, bottom = 28, top = 10, plotH = H - bottom - top, plotW = W - left - 10;
    var max = 0;
    groups.forEach(function (g) {
      var sum = g.parts.reduce(function (a, p) { return a + p.value; }, 0);
      if (sum > max) { max = sum; }
    });
    el("line", {x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, stroke: "#9aa5b1"}, svg);
    text(svg, left - 6, top + 8, String(max), "end");
    text(svg, left - 6, top + plotH, "0", "end");
    text(svg, 2, top + plotH / 2, yLabel);
    if (groups.length === 0) {
      text(svg, left + plotW / 2, top + plotH / 2, "no data in the period", "middle");
      return 0;
    }
    var slot = plotW / groups.length, width = Math.max(2, Math.min(48, slot * 0.7)), drawn = 0;
    groups.forEach(function (g, i) {
      var x = left + i * slot + (slot - width) / 2, y = top + plotH;
      g.parts.forEach(function (p) {
        if (p.value <= 0) { return; }
        var h = max > 0 ? plotH * p.value / max : 0;
        y -= h;
        var r = el("rect", {x: x, y: y, width: width, height: h, fill: p.color, "class": "bar", "data-series": p.series, "data-value": p.value}, svg);
        el("title", {}, r).textContent = g.label + " — " + p.series + ": " + p.value;
        drawn += 1;
      });
      if (groups.length <= 16 || i % Math.ceil(groups.length / 16) === 0) {
        text(svg, x + width / 2, H - 10, g.label, "middle");
      }
    });
    return drawn;
  }
  var drawn = 0;
  // alerts per day: the six most frequent reasons, the rest as "other"
  var totals = {};
  data.alerts_per_day.forEach(function (d) {
    for (var k in d.by_reason) { totals[k] = (totals[k] || 0) + d.by_reason[k]; }
  });
  var reasons = Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a] || (a < b ? -1 : 1); });
  var shownReasons = reasons.slice(0, 6), colorOf = {};
  shownReasons.forEach(function (r, i) { colorOf[r] = palette[i]; });
  if (reasons.length > 6) { colorOf.other = palette[6]; }
  var alertGroups = data.alert_days = data.alerts_per_day.map(function (d) {
    var parts = shownReasons.map(function (r) { return {series: r, value: d.by_reason[r] || 0, color: colorOf[r]}; });
    var other = 0;
    for (var k in d.by_reason) { if (shownReasons.indexOf(k) < 0) { other += d.by_reason[k]; } }
    if (other > 0) { parts.push({series: "other", value: other, color: colorOf.other}); }
    return {label: d.day.slice(5), parts: parts};
  });
  drawn += bars(document.getElementById("chart-alerts"), alertGroups, "cases");
  var legend = document.getElementById("legend-alerts");
  Object.keys(colorOf).forEach(function (r) {
    var s = document.createElement("span");
    var i = document.createElement("i");
    i.style.background = colorOf[r];
    s.appendChild(i);
    s.appendChild(document.createTextNode(r + " (" + (totals[r] || reasons.slice(6).reduce(function (a, k) { return a + totals[k]; }, 0)) + ")"));
    legend.appendChild(s);
  });
  // risk levels
  var levelColors = {low: "#2e7d32", medium: "#ef6c00", high: "#c62828"};
  var riskGroups = ["low", "medium", "high"].map(function (l) {
    return {label: l, parts: [{series: l, value: data.risk_levels[l] || 0, color: levelColors[l]}]};
  });
  var anyRated = riskGroups.some(function (g) { return g.parts[0].value > 0; });
  drawn += bars(document.getElementById("chart-risk"), anyRated ? riskGroups : [], "customers");
  // resolution times
  var buckets = [["< 1 h", 0, 1], ["1–4 h", 1, 4], ["4–24 h", 4, 24], ["1–3 d", 24, 72], ["3–7 d", 72, 168], ["> 7 d", 168, Infinity]];
  var resGroups = buckets.map(function (b) {
    var n = data.resolution_hours.filter(function (h) { return h >= b[1] && h < b[2]; }).length;
    return {label: b[0], parts: [{series: b[0], value: n, color: "#1565c0"}]};
  });
  drawn += bars(document.getElementById("chart-resolution"), data.resolution_hours.length ? resGroups : [], "cases");
  document.body.setAttribute("data-charts-drawn", "3");
  document.body.setAttribute("data-bars", String(drawn));
})();
</script>
</body>
</html>
"##;
