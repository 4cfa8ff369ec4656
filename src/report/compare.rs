//! Several runs in one picture: "pollingInterval 3 vs 30" as one chart and one table.
//!
//! Each run gets a colour *and* a dash pattern (so the chart survives greyscale printing and
//! colour-vision deficiencies) and keeps them in every panel. The outputs are a chart
//! (`compare.{png,svg}`: replicas, queue depth and task wait p95 of every run on one time
//! axis), `compare.csv` (one row per run) and `compare.html` (the chart, the summaries side by
//! side, and the settings that differ between the runs).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::axis::{TimeAxis, ValueAxis};
use super::data::RunData;
use super::figure::{
    make_series, render_figure, AxisSpec, Dash, Figure, ImageFormat, Panel, Series, BLUE, GREEN,
    INK, ORANGE, PLOT_COLUMNS, PURPLE, SKY, VERMILLION,
};
use super::html::{esc, json_text, page_end, page_start, summary_rows};
use super::load::csv_field;
use super::{OutputFile, ReportError};

/// Everything [`compare`] produces.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The labels used, one per run.
    pub labels: Vec<String>,
    /// `compare.png`.
    pub png: Vec<u8>,
    /// `compare.svg`.
    pub svg: Vec<u8>,
    /// `compare.csv`: one row per run.
    pub csv: String,
    /// `compare.html`: self-contained page.
    pub html: String,
}

impl Comparison {
    /// The output files in a fixed order: `compare.png`, `compare.svg`, `compare.csv`,
    /// `compare.html`.
    pub fn files(&self) -> Vec<OutputFile> {
        vec![
            ("compare.png".to_string(), self.png.clone()),
            ("compare.svg".to_string(), self.svg.clone()),
            ("compare.csv".to_string(), self.csv.clone().into_bytes()),
            ("compare.html".to_string(), self.html.clone().into_bytes()),
        ]
    }
}

const COLORS: [plotters::style::RGBColor; 7] = [BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY, INK];
const DASHES: [Dash; 5] = [
    Dash::Solid,
    Dash::Dashed(10, 5),
    Dash::Dashed(3, 3),
    Dash::Dashed(18, 5),
    Dash::Dashed(6, 3),
];

/// Labels that tell the runs apart: the settings whose values differ (`pollingInterval=3`,
/// up to two per label), else the scenario names, else the seeds, else `run 1`, `run 2`, ...
/// Duplicates get a ` #n` suffix.
pub fn auto_labels(runs: &[RunData]) -> Vec<String> {
    let differing = differing_settings(runs);
    let mut labels: Vec<String> = if !differing.is_empty() {
        runs.iter()
            .map(|r| {
                differing
                    .iter()
                    .take(2)
                    .map(|(component, name)| {
                        let value = r
                            .settings
                            .iter()
                            .find(|s| &s.component == component && &s.name == name)
                            .map_or("-", |s| s.value.as_str());
                        format!("{name}={value}")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect()
    } else if distinct(runs.iter().map(|r| r.summary.scenario.clone())) {
        runs.iter().map(|r| r.summary.scenario.clone()).collect()
    } else if distinct(runs.iter().map(|r| r.summary.seed.to_string())) {
        runs.iter()
            .map(|r| format!("seed={}", r.summary.seed))
            .collect()
    } else {
        (1..=runs.len()).map(|i| format!("run {i}")).collect()
    };
    for i in 0..labels.len() {
        if labels[..i].contains(&labels[i]) || labels[i + 1..].contains(&labels[i]) {
            labels[i] = format!("{} #{}", labels[i], i + 1);
        }
    }
    labels
}

fn distinct(values: impl Iterator<Item = String>) -> bool {
    let all: Vec<String> = values.collect();
    let set: BTreeSet<&String> = all.iter().collect();
    set.len() > 1
}

/// (component, name) of the settings whose value is not the same in every run, in order of
/// first appearance.
fn differing_settings(runs: &[RunData]) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for r in runs {
        for s in &r.settings {
            let k = (s.component.clone(), s.name.clone());
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys.into_iter()
        .filter(|(c, n)| {
            let values: BTreeSet<Option<&str>> = runs
                .iter()
                .map(|r| {
                    r.settings
                        .iter()
                        .find(|s| &s.component == c && &s.name == n)
                        .map(|s| s.value.as_str())
                })
                .collect();
            values.len() > 1
        })
        .collect()
}

/// Compares `runs`, labelled by `labels` (one per run), or by [`auto_labels`] when `labels` is
/// empty. Errors when there is no run, when the label count does not match, or when a run is
/// inconsistent.
pub fn compare(runs: &[RunData], labels: &[String]) -> Result<Comparison, ReportError> {
    if runs.is_empty() {
        return Err(ReportError::Invalid(
            "nothing to compare: no runs".to_string(),
        ));
    }
    if !labels.is_empty() && labels.len() != runs.len() {
        return Err(ReportError::Invalid(format!(
            "{} labels for {} runs",
            labels.len(),
            runs.len()
        )));
    }
    for r in runs {
        r.validate()?;
    }
    let labels = if labels.is_empty() {
        auto_labels(runs)
    } else {
        labels.to_vec()
    };
    let figure = compare_figure(runs, &labels);
    // The two renderings are independent: on a pool (a sweep's), they run side by side.
    let (png, svg) = rayon::join(
        || render_figure(&figure, ImageFormat::Png),
        || render_figure(&figure, ImageFormat::Svg),
    );
    let (png, svg) = (png?, svg?);
    let csv = compare_csv(runs, &labels);
    let html = compare_html(runs, &labels, &svg)?;
    Ok(Comparison {
        labels,
        png,
        svg,
        csv,
        html,
    })
}

fn compare_figure(runs: &[RunData], labels: &[String]) -> Figure {
    let (start, end) = runs
        .iter()
        .map(RunData::time_range)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (s, e)| {
            (a.min(s), b.max(e))
        });
    let time = TimeAxis::new(start, end, PLOT_COLUMNS);
    let style = |i: usize, s: Series, width: u32| {
        s.style(COLORS[i % COLORS.len()], width, DASHES[i % DASHES.len()])
    };
    let mut replicas = Vec::new();
    let mut queue = Vec::new();
    let mut wait = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let ts = &r.series;
        replicas.push(style(
            i,
            make_series(&labels[i], &ts.time_s, &ts.replicas, &time, true, 1.0),
            2,
        ));
        queue.push(style(
            i,
            make_series(&labels[i], &ts.time_s, &ts.queue_depth, &time, false, 1.0),
            2,
        ));
        wait.push(style(
            i,
            make_series(&labels[i], &ts.time_s, &ts.wait_p95_s, &time, false, 1.0),
            2,
        ));
    }
    let wait_max = wait.iter().map(Series::max).fold(0.0, f64::max);
    let (unit_name, unit) = super::axis::duration_unit(wait_max);
    for s in &mut wait {
        for seg in &mut s.segments {
            for p in seg.iter_mut() {
                p.1 /= unit;
            }
        }
    }
    // Run 1 is listed first in the legend and drawn on top.
    let panel = |title: &str, desc: String, series: Vec<Series>, integer: bool, x_desc| {
        let max = series.iter().map(Series::max).fold(0.0, f64::max);
        Panel {
            title: title.to_string(),
            height: if x_desc { 330 } else { 310 },
            left: AxisSpec {
                desc,
                axis: ValueAxis::new(max, integer),
            },
            right: None,
            series,
            markers: Vec::new(),
            marker_labels: false,
            note: None,
            x_desc,
        }
    };
    let title = if labels.len() <= 3 {
        format!("Comparison: {}", labels.join(" vs "))
    } else {
        format!("Comparison of {} runs", labels.len())
    };
    let scenarios: BTreeSet<&str> = runs.iter().map(|r| r.summary.scenario.as_str()).collect();
    let seeds: BTreeSet<u64> = runs.iter().map(|r| r.summary.seed).collect();
    let subtitle = format!(
        "scenario {} · {} {}",
        scenarios.into_iter().collect::<Vec<_>>().join(", "),
        if seeds.len() == 1 { "seed" } else { "seeds" },
        if seeds.len() == 1 {
            seeds.iter().map(|s| s.to_string()).collect::<Vec<_>>()
        } else {
            runs.iter().map(|r| r.summary.seed.to_string()).collect()
        }
        .join(", ")
    );
    Figure {
        title,
        subtitle,
        time,
        panels: vec![
            panel("Replicas (spec)", "pods".into(), replicas, true, false),
            panel("Queue depth", "tasks in queue".into(), queue, true, false),
            panel(
                "Task wait p95 (tasks started in each interval)",
                format!("wait p95 ({unit_name})"),
                wait,
                false,
                true,
            ),
        ],
    }
}

/// `compare.csv`: one row per run, the summary's fields as columns (unknown summary fields
/// last, sorted by name); empty cells for missing values.
fn compare_csv(runs: &[RunData], labels: &[String]) -> String {
    let extra: BTreeSet<&String> = runs.iter().flat_map(|r| r.summary.extra.keys()).collect();
    let mut out = String::from(
        "label,scenario,seed,duration_s,produced,completed,lost,duplicated,wait_mean_s,wait_p50_s,\
         wait_p95_s,wait_p99_s,wait_max_s,max_queue_depth,peak_replicas,pod_seconds,scale_ups,\
         scale_downs,drain_time_s,warnings",
    );
    for k in &extra {
        out.push(',');
        out.push_str(&csv_field(k));
    }
    out.push('\n');
    let opt = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
    for (r, label) in runs.iter().zip(labels) {
        let s = &r.summary;
        let cells = [
            csv_field(label),
            csv_field(&s.scenario),
            s.seed.to_string(),
            s.duration_s.to_string(),
            s.produced.to_string(),
            s.completed.to_string(),
            s.lost.to_string(),
            s.duplicated.to_string(),
            opt(s.wait_s.mean),
            opt(s.wait_s.p50),
            opt(s.wait_s.p95),
            opt(s.wait_s.p99),
            opt(s.wait_s.max),
            s.max_queue_depth.to_string(),
            s.peak_replicas.to_string(),
            s.pod_seconds.to_string(),
            s.scale_ups.to_string(),
            s.scale_downs.to_string(),
            opt(s.drain_time_s),
            s.warnings.len().to_string(),
        ];
        out.push_str(&cells.join(","));
        for k in &extra {
            out.push(',');
            if let Some(v) = s.extra.get(*k) {
                out.push_str(&csv_field(&json_text(v)));
            }
        }
        out.push('\n');
    }
    out
}

fn compare_html(runs: &[RunData], labels: &[String], svg: &[u8]) -> Result<String, ReportError> {
    let mut h = String::with_capacity(256 * 1024);
    let title = format!("scalesim comparison: {}", labels.join(" vs "));
    page_start(&mut h, &title);
    let _ = writeln!(
        h,
        "<header>\n<h1>Comparison of {} runs</h1>\n<p class=\"meta\">{}</p>\n</header>",
        runs.len(),
        esc(&labels.join(" · "))
    );

    h.push_str("<section id=\"runs\">\n<h2>Runs</h2>\n<table>\n<thead><tr><th>label</th><th>scenario</th><th class=\"num\">seed</th></tr></thead>\n<tbody>\n");
    for (r, label) in runs.iter().zip(labels) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            esc(label),
            esc(&r.summary.scenario),
            r.summary.seed
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");

    let svg = std::str::from_utf8(svg)
        .map_err(|e| ReportError::Render(format!("SVG is not UTF-8: {e}")))?;
    let _ = writeln!(
        h,
        "<section id=\"chart\">\n<h2>Chart</h2>\n<figure>\n{svg}<figcaption>Each run keeps its colour and dash pattern in every panel.</figcaption>\n</figure>\n</section>"
    );

    h.push_str("<section id=\"summaries\">\n<h2>Summaries side by side</h2>\n<table>\n<thead><tr><th></th>");
    for label in labels {
        let _ = write!(h, "<th class=\"num\">{}</th>", esc(label));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let all_rows: Vec<Vec<(String, String)>> =
        runs.iter().map(|r| summary_rows(&r.summary)).collect();
    // Row names in order of first appearance (extras differ between runs).
    let mut names: Vec<String> = Vec::new();
    for rows in &all_rows {
        for (k, _) in rows {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    for name in &names {
        let _ = write!(h, "<tr><th>{}</th>", esc(name));
        for rows in &all_rows {
            let v = rows
                .iter()
                .find(|(k, _)| k == name)
                .map_or("-", |(_, v)| v.as_str());
            let _ = write!(h, "<td class=\"num\">{}</td>", esc(v));
        }
        h.push_str("</tr>\n");
    }
    let _ = write!(h, "<tr><th>warnings</th>");
    for r in runs {
        let _ = write!(
            h,
            "<td class=\"num\">{}</td>",
            esc(&r.summary.warnings.join("; "))
        );
    }
    h.push_str("</tr>\n</tbody>\n</table>\n</section>\n");

    h.push_str("<section id=\"settings\">\n<h2>Settings that differ</h2>\n");
    let differing = differing_settings(runs);
    if differing.is_empty() {
        h.push_str(
            "<p class=\"note\">The runs have the same effective settings (or none recorded).</p>\n",
        );
    } else {
        h.push_str("<table>\n<thead><tr><th>component</th><th>setting</th>");
        for label in labels {
            let _ = write!(h, "<th>{}</th>", esc(label));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for (c, n) in &differing {
            let _ = write!(h, "<tr><td>{}</td><td><code>{}</code></td>", esc(c), esc(n));
            for r in runs {
                let cell = match r
                    .settings
                    .iter()
                    .find(|s| &s.component == c && &s.name == n)
                {
                    Some(s) if s.default => format!(
                        "<code>{}</code><span class=\"badge\">default</span>",
                        esc(&s.value)
                    ),
                    Some(s) => format!("<code>{}</code>", esc(&s.value)),
                    None => "-".to_string(),
                };
                let _ = write!(h, "<td>{cell}</td>");
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("</section>\n");
    page_end(&mut h);
    Ok(h)
}
