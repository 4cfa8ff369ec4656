//! The self-contained HTML report of one run.
//!
//! One file that opens anywhere, offline, and can be attached to a ticket: CSS inline, charts
//! as inline SVG, no scripts, no fonts or images fetched. Every string that comes from the run
//! (scenario name, event messages, settings, YAML) is HTML-escaped. The bytes depend only on
//! the run (no generation timestamp), so two reports of the same run are identical.

use std::fmt::Write as _;

use serde_json::Value;

use super::axis::{format_duration, format_number};
use super::chart::{render_chart, ChartKind};
use super::data::{Decision, Event, RunData, Setting, Summary};
use super::figure::ImageFormat;
use super::ReportError;

/// At most this many rows in the event and decision tables (a multi-day run can have
/// thousands); the rest is counted, and is in `events.csv` / `decisions.json`.
const MAX_ROWS: usize = 2000;
/// At most this many "explain" sections.
const MAX_EXPLAIN: usize = 300;
/// Explain sections are open (expanded) when there are at most this many.
const OPEN_EXPLAIN: usize = 12;

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
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

/// The shared stylesheet of the run report and the comparison page.
pub(crate) const CSS: &str = r#"
:root { --ink:#222; --muted:#666; --line:#ddd; --band:#f6f7f9; --accent:#0072b2; --warn:#b8860b; --bad:#b22222; }
* { box-sizing: border-box; }
body { margin:0; padding:24px 32px 48px; font:15px/1.45 "DejaVu Sans", Verdana, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color:var(--ink); background:#fff; max-width:1320px; }
h1 { font-size:26px; margin:0 0 4px; }
h2 { font-size:20px; margin:32px 0 10px; padding-bottom:4px; border-bottom:2px solid var(--line); }
h3 { font-size:16px; margin:20px 0 8px; }
p.meta { color:var(--muted); margin:0 0 8px; }
nav a { margin-right:14px; color:var(--accent); text-decoration:none; }
table { border-collapse:collapse; margin:6px 0 12px; font-size:14px; }
th, td { border:1px solid var(--line); padding:4px 10px; text-align:left; vertical-align:top; }
th { background:var(--band); font-weight:600; }
tbody tr:nth-child(even) td { background:#fbfbfc; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.nowrap { white-space:nowrap; }
td.text { overflow-wrap:anywhere; min-width:16em; }
table.kv th { width:220px; }
tr.default td, tr.same td { color:var(--muted); }
.badge { display:inline-block; font-size:11px; padding:0 6px; border-radius:8px; background:#eee; color:#555; margin-left:6px; }
.badge.set { background:#dbeeff; color:#004a80; }
.up { color:var(--bad); font-weight:600; }
.down { color:#00548c; font-weight:600; }
code, pre { font-family:"DejaVu Sans Mono", Menlo, Consolas, monospace; font-size:13px; }
pre { background:var(--band); border:1px solid var(--line); padding:10px 12px; overflow-x:auto; line-height:1.35; }
ul.warnings { padding-left:0; list-style:none; }
ul.warnings li { border-left:4px solid var(--warn); background:#fff8e6; padding:6px 10px; margin:4px 0; }
p.ok { color:#2e7d32; }
figure { margin:12px 0 24px; }
figure svg { width:100%; height:auto; border:1px solid var(--line); }
figure svg text { font-family:"DejaVu Sans", Verdana, sans-serif; }
figcaption { color:var(--muted); font-size:13px; margin-top:4px; }
details { border:1px solid var(--line); border-radius:4px; margin:6px 0; padding:4px 10px; }
details > summary { cursor:pointer; font-weight:600; }
details p { margin:6px 0; }
.note { color:var(--muted); font-style:italic; }
footer { margin-top:40px; color:var(--muted); font-size:12px; }
"#;

/// Renders `report.html` for `run`: header, summary, warnings, charts (inline SVG), effective
/// settings (defaults marked), scaling events in `kubectl describe` form, the decision log with
/// one "explain" section per decision, and the scenario YAML.
pub fn render_html(run: &RunData) -> Result<String, ReportError> {
    run.validate()?;
    let s = &run.summary;
    let mut h = String::with_capacity(256 * 1024);
    let title = format!("{} (seed {})", s.scenario, s.seed);
    page_start(&mut h, &format!("scalesim report: {title}"));
    let _ = write!(
        h,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">seed <b>{}</b> · duration <b>{}</b> · {} samples · scalesim {}</p>\n",
        esc(&s.scenario),
        s.seed,
        esc(&format_duration(s.duration_s)),
        run.series.len(),
        env!("CARGO_PKG_VERSION")
    );
    h.push_str(
        "<nav><a href=\"#summary\">Summary</a><a href=\"#warnings\">Warnings</a><a href=\"#charts\">Charts</a>\
         <a href=\"#settings\">Settings</a><a href=\"#decisions\">Decisions</a><a href=\"#scenario\">Scenario</a></nav>\n</header>\n",
    );

    h.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    summary_html(&mut h, s);
    h.push_str("</section>\n");

    h.push_str("<section id=\"warnings\">\n<h2>Warnings</h2>\n");
    warnings_html(&mut h, s, &run.events);
    h.push_str("</section>\n");

    h.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    let captions = [
        (ChartKind::Replicas, "Replicas (spec) and pods ready against the queue depth (right axis); dashed lines mark scale events (↑ up, ↓ down). Below: tasks prefetched and running on workers."),
        (ChartKind::Wait, "Wait from publish to start of the tasks that started in each sample interval; gaps mean no task started."),
        (ChartKind::Metric, "The value each autoscaler metric had when last read, against its target (per replica for AverageValue targets)."),
    ];
    for (kind, caption) in captions {
        if let Some(svg) = render_chart(run, kind, ImageFormat::Svg)? {
            let svg = String::from_utf8(svg)
                .map_err(|e| ReportError::Render(format!("SVG is not UTF-8: {e}")))?;
            let _ = write!(
                h,
                "<figure id=\"chart-{}\">\n{}<figcaption>{}</figcaption>\n</figure>\n",
                kind.file_stem(),
                svg,
                esc(caption)
            );
        }
    }
    h.push_str("</section>\n");

    h.push_str("<section id=\"settings\">\n<h2>Effective settings</h2>\n");
    settings_html(&mut h, &run.settings);
    h.push_str("</section>\n");

    h.push_str("<section id=\"decisions\">\n<h2>Scaling decisions</h2>\n");
    kubectl_events_html(&mut h, &run.events);
    decisions_html(&mut h, &run.decisions);
    h.push_str("</section>\n");

    h.push_str("<section id=\"scenario\">\n<h2>Scenario</h2>\n");
    match &run.scenario_yaml {
        Some(yaml) => {
            let _ = writeln!(h, "<pre class=\"yaml\">{}</pre>", esc(yaml));
        }
        None => h.push_str("<p class=\"note\">No scenario.yaml in this run.</p>\n"),
    }
    h.push_str("</section>\n");
    page_end(&mut h);
    Ok(h)
}

pub(crate) fn page_start(h: &mut String, title: &str) {
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        esc(title),
        CSS
    );
}

pub(crate) fn page_end(h: &mut String) {
    let _ = write!(
        h,
        "<footer>Generated by scalesim {} from simulated data. Self-contained: no scripts, no network.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
}

/// An optional duration for tables.
pub(crate) fn opt_duration(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), format_duration)
}

/// The rows of the summary table: (label, value), in a fixed order, extras last.
pub(crate) fn summary_rows(s: &Summary) -> Vec<(String, String)> {
    let mut rows = vec![
        ("scenario".to_string(), s.scenario.clone()),
        ("seed".to_string(), s.seed.to_string()),
        ("duration".to_string(), format_duration(s.duration_s)),
        ("tasks produced".to_string(), s.produced.to_string()),
        ("tasks completed".to_string(), s.completed.to_string()),
        ("tasks lost".to_string(), s.lost.to_string()),
        ("tasks duplicated".to_string(), s.duplicated.to_string()),
        ("wait mean".to_string(), opt_duration(s.wait_s.mean)),
        ("wait p50".to_string(), opt_duration(s.wait_s.p50)),
        ("wait p95".to_string(), opt_duration(s.wait_s.p95)),
        ("wait p99".to_string(), opt_duration(s.wait_s.p99)),
        ("wait max".to_string(), opt_duration(s.wait_s.max)),
        ("max queue depth".to_string(), s.max_queue_depth.to_string()),
        ("peak replicas".to_string(), s.peak_replicas.to_string()),
        ("pod-seconds".to_string(), pod_seconds_text(s.pod_seconds)),
        ("scale-ups".to_string(), s.scale_ups.to_string()),
        ("scale-downs".to_string(), s.scale_downs.to_string()),
        (
            "drain time".to_string(),
            s.drain_time_s
                .map_or_else(|| "did not drain".to_string(), format_duration),
        ),
    ];
    for (k, v) in &s.extra {
        rows.push((k.clone(), json_text(v)));
    }
    rows
}

/// Pod-seconds, with pod-hours when there are at least 0.1 of them.
pub(crate) fn pod_seconds_text(pod_seconds: f64) -> String {
    if pod_seconds >= 360.0 {
        format!(
            "{} ({} pod-hours)",
            format_number(pod_seconds, 1),
            format_number(pod_seconds / 3600.0, 1)
        )
    } else {
        format_number(pod_seconds, 1)
    }
}

/// A JSON value as table text: strings unquoted, everything else compact JSON.
pub(crate) fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

fn summary_html(h: &mut String, s: &Summary) {
    h.push_str("<table class=\"kv\">\n<tbody>\n");
    for (k, v) in summary_rows(s) {
        let _ = writeln!(
            h,
            "<tr><th>{}</th><td class=\"num\">{}</td></tr>",
            esc(&k),
            esc(&v)
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

fn warnings_html(h: &mut String, s: &Summary, events: &[Event]) {
    // Warning events grouped by (source, reason), in order of first appearance.
    struct Group<'a> {
        source: &'a str,
        reason: &'a str,
        count: usize,
        first: f64,
        last: f64,
        message: &'a str,
    }
    let mut groups: Vec<Group> = Vec::new();
    for e in events
        .iter()
        .filter(|e| e.kind.eq_ignore_ascii_case("warning"))
    {
        match groups
            .iter_mut()
            .find(|g| g.source == e.source && g.reason == e.reason)
        {
            Some(g) => {
                g.count += 1;
                g.last = e.time_s;
            }
            None => groups.push(Group {
                source: &e.source,
                reason: &e.reason,
                count: 1,
                first: e.time_s,
                last: e.time_s,
                message: &e.message,
            }),
        }
    }
    if !s.notes.is_empty() {
        h.push_str("<h3>What this configuration does that you may not expect</h3>\n<ul class=\"warnings\">\n");
        for n in &s.notes {
            let _ = writeln!(h, "<li>{}</li>", esc(n));
        }
        h.push_str("</ul>\n");
    }
    if s.warnings.is_empty() && groups.is_empty() {
        h.push_str("<p class=\"ok\">No warnings.</p>\n");
        return;
    }
    if !s.warnings.is_empty() {
        h.push_str("<ul class=\"warnings\">\n");
        for w in &s.warnings {
            let _ = writeln!(h, "<li>{}</li>", esc(w));
        }
        h.push_str("</ul>\n");
    }
    if !groups.is_empty() {
        h.push_str("<h3>Warning events</h3>\n<table>\n<thead><tr><th>source</th><th>reason</th><th class=\"num\">count</th><th class=\"num\">first</th><th class=\"num\">last</th><th>first message</th></tr></thead>\n<tbody>\n");
        for g in &groups {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"text\">{}</td></tr>",
                esc(g.source),
                esc(g.reason),
                g.count,
                esc(&format_duration(g.first)),
                esc(&format_duration(g.last)),
                esc(g.message)
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
}

fn settings_html(h: &mut String, settings: &[Setting]) {
    if settings.is_empty() {
        h.push_str("<p class=\"note\">No settings.json in this run.</p>\n");
        return;
    }
    let defaults = settings.iter().filter(|s| s.default).count();
    let _ = writeln!(
        h,
        "<p>{} settings, {} set explicitly and {} left at their default (greyed, marked <span class=\"badge\">default</span>).</p>",
        settings.len(),
        settings.len() - defaults,
        defaults
    );
    h.push_str("<table>\n<thead><tr><th>component</th><th>setting</th><th>value</th><th>origin</th></tr></thead>\n<tbody>\n");
    for s in settings {
        let (class, badge) = if s.default {
            (" class=\"default\"", "<span class=\"badge\">default</span>")
        } else {
            ("", "<span class=\"badge set\">set</span>")
        };
        let _ = writeln!(
            h,
            "<tr{class}><td>{}</td><td><code>{}</code></td><td><code>{}</code>{badge}</td><td>{}</td></tr>",
            esc(&s.component),
            esc(&s.name),
            esc(&s.value),
            esc(s.origin.as_deref().unwrap_or(if s.default { "default" } else { "-" }))
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

/// The component name `kubectl describe` shows in the From column.
fn from_name(source: &str) -> &str {
    match source.to_ascii_lowercase().as_str() {
        "hpa" => "horizontal-pod-autoscaler",
        "keda" => "keda-operator",
        "deployment" => "deployment-controller",
        _ => source,
    }
}

fn kubectl_events_html(h: &mut String, events: &[Event]) {
    let scaler: Vec<&Event> = events
        .iter()
        .filter(|e| {
            let s = e.source.to_ascii_lowercase();
            s == "hpa" || s == "keda"
        })
        .collect();
    h.push_str("<h3>Autoscaler events</h3>\n");
    if scaler.is_empty() {
        h.push_str("<p class=\"note\">No HPA or KEDA events in this run.</p>\n");
        return;
    }
    h.push_str("<p>As <code>kubectl describe hpa</code> / <code>kubectl describe scaledobject</code> would list them, with the simulated time instead of the age.</p>\n");
    let shown = &scaler[..scaler.len().min(MAX_ROWS)];
    let rows: Vec<[String; 5]> = shown
        .iter()
        .map(|e| {
            [
                e.kind.clone(),
                e.reason.clone(),
                format_duration(e.time_s),
                from_name(&e.source).to_string(),
                e.message.clone(),
            ]
        })
        .collect();
    let header = ["Type", "Reason", "At", "From", "Message"];
    let mut widths = header.map(|c| c.chars().count());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut text = String::from("Events:\n");
    let line = |cells: [&str; 5], text: &mut String| {
        text.push_str("  ");
        for (i, c) in cells.iter().enumerate() {
            if i == 4 {
                text.push_str(c);
            } else {
                text.push_str(c);
                text.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
            }
        }
        text.push('\n');
    };
    line(header, &mut text);
    line(["----", "------", "--", "----", "-------"], &mut text);
    for r in &rows {
        line([&r[0], &r[1], &r[2], &r[3], &r[4]], &mut text);
    }
    let _ = writeln!(h, "<pre class=\"kubectl\">{}</pre>", esc(&text));
    if scaler.len() > MAX_ROWS {
        let _ = writeln!(
            h,
            "<p class=\"note\">{} more events not shown; see events.csv.</p>",
            scaler.len() - MAX_ROWS
        );
    }
}

/// What a binding rule means, for the rules the simulator is known to report.
fn rule_meaning(rule: &str) -> Option<&'static str> {
    Some(match rule {
        "ScaleUpLimit" => "capped by the scale-up rate policies (behavior.scaleUp.policies): no more pods may be added in this period",
        "ScaleDownLimit" => "capped by the scale-down rate policies (behavior.scaleDown.policies): no more pods may be removed in this period",
        "ScaleUpStabilized" => "held by the scale-up stabilization window: the lowest recommendation within behavior.scaleUp.stabilizationWindowSeconds was used",
        "ScaleDownStabilized" => "held by the scale-down stabilization window: the highest recommendation within behavior.scaleDown.stabilizationWindowSeconds was used",
        "TooFewReplicas" | "MinReplicas" => "clamped to the minimum replica count",
        "TooManyReplicas" | "MaxReplicas" => "clamped to the maximum replica count",
        "Tolerance" | "WithinTolerance" => "the usage ratio was within the tolerance around 1.0 (default 0.1), so the replica count was kept",
        "DesiredWithinRange" => "the computed desired replica count was used as is",
        "Activation" => "KEDA activated the target from zero: the metric went above the activation threshold",
        "CooldownElapsed" | "Deactivation" => "KEDA scaled the target to zero: the metric stayed at or below the activation threshold for cooldownPeriod",
        _ => return None,
    })
}

fn decisions_html(h: &mut String, decisions: &[Decision]) {
    h.push_str("<h3>Decision log</h3>\n");
    if !decisions.is_empty() {
        h.push_str("<p>Every autoscaler evaluation the simulator recorded; greyed rows kept the replica count.</p>\n");
    }
    if decisions.is_empty() {
        h.push_str("<p class=\"note\">No decisions.json in this run; the events above are the record of scaling.</p>\n");
        return;
    }
    // The simulator may name the object that decided (several autoscalers in one run).
    let objects = decisions.iter().any(|d| d.extra.contains_key("object"));
    let _ = writeln!(
        h,
        "<table>\n<thead><tr><th class=\"num\">time</th><th>source</th>{}<th class=\"num\">from → to</th><th>bound by</th><th>summary</th></tr></thead>\n<tbody>",
        if objects { "<th>object</th>" } else { "" }
    );
    for (i, d) in decisions.iter().take(MAX_ROWS).enumerate() {
        let class = direction_class(d);
        let rule = if i < MAX_EXPLAIN {
            format!("<a href=\"#explain-{i}\">{}</a>", esc(&d.rule))
        } else {
            esc(&d.rule)
        };
        let object = if objects {
            format!(
                "<td class=\"text\">{}</td>",
                esc(&d.extra.get("object").map(json_text).unwrap_or_default())
            )
        } else {
            String::new()
        };
        let row_class = if d.from == d.to {
            " class=\"same\""
        } else {
            ""
        };
        let _ = writeln!(
            h,
            "<tr{row_class}><td class=\"num\">{}</td><td class=\"nowrap\">{}</td>{object}<td class=\"num\"><span class=\"{class}\">{} → {}</span></td><td>{rule}</td><td class=\"text\">{}</td></tr>",
            esc(&format_duration(d.time_s)),
            esc(from_name(&d.source)),
            d.from,
            d.to,
            esc(&d.summary)
        );
    }
    h.push_str("</tbody>\n</table>\n");
    if decisions.len() > MAX_ROWS {
        let _ = writeln!(
            h,
            "<p class=\"note\">{} more decisions not shown; see decisions.json.</p>",
            decisions.len() - MAX_ROWS
        );
    }

    h.push_str("<h3>Explain</h3>\n<p>For each decision: what the autoscaler saw and which rule decided the result.</p>\n");
    let open = if decisions.len() <= OPEN_EXPLAIN {
        " open=\"open\""
    } else {
        ""
    };
    for (i, d) in decisions.iter().take(MAX_EXPLAIN).enumerate() {
        let _ = writeln!(
            h,
            "<details id=\"explain-{i}\"{open}>\n<summary>{} · {} · <span class=\"{}\">{} → {}</span> · bound by <code>{}</code></summary>",
            esc(&format_duration(d.time_s)),
            esc(from_name(&d.source)),
            direction_class(d),
            d.from,
            d.to,
            esc(if d.rule.is_empty() { "(no rule)" } else { &d.rule })
        );
        if !d.summary.is_empty() {
            let _ = writeln!(h, "<p>{}</p>", esc(&d.summary));
        }
        for (k, v) in &d.extra {
            let _ = writeln!(h, "<p>{}: <code>{}</code></p>", esc(k), esc(&json_text(v)));
        }
        if let Some(meaning) = rule_meaning(&d.rule) {
            let _ = writeln!(h, "<p><code>{}</code>: {}.</p>", esc(&d.rule), esc(meaning));
        }
        let mut rows = Vec::new();
        flatten("", &d.inputs, &mut rows);
        if rows.is_empty() {
            h.push_str("<p class=\"note\">No inputs recorded.</p>\n");
        } else {
            h.push_str("<table>\n<thead><tr><th>input</th><th>value</th></tr></thead>\n<tbody>\n");
            for (k, v) in rows {
                let _ = writeln!(
                    h,
                    "<tr><td><code>{}</code></td><td class=\"num\">{}</td></tr>",
                    esc(&k),
                    esc(&v)
                );
            }
            h.push_str("</tbody>\n</table>\n");
        }
        h.push_str("</details>\n");
    }
    if decisions.len() > MAX_EXPLAIN {
        let _ = writeln!(
            h,
            "<p class=\"note\">Explanations of {} more decisions are in decisions.json.</p>",
            decisions.len() - MAX_EXPLAIN
        );
    }
}

fn direction_class(d: &Decision) -> &'static str {
    if d.to > d.from {
        "up"
    } else if d.to < d.from {
        "down"
    } else {
        ""
    }
}

/// Flattens a JSON value into (dotted path, text) rows. Arrays of scalars stay on one row.
pub(crate) fn flatten(prefix: &str, v: &Value, rows: &mut Vec<(String, String)>) {
    match v {
        Value::Null if prefix.is_empty() => {}
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, rows);
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), item, rows);
            }
        }
        other => {
            let key = if prefix.is_empty() { "value" } else { prefix };
            rows.push((key.to_string(), json_text(other)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_everything_dangerous() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn flattens_inputs() {
        let mut rows = Vec::new();
        flatten(
            "",
            &json!({"b": {"c": 1, "d": [1, 2]}, "a": "x", "w": [{"t": 1}]}),
            &mut rows,
        );
        assert_eq!(
            rows,
            vec![
                ("a".to_string(), "x".to_string()),
                ("b.c".to_string(), "1".to_string()),
                ("b.d".to_string(), "[1,2]".to_string()),
                ("w[0].t".to_string(), "1".to_string()),
            ]
        );
    }
}
