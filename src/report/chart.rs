//! The charts of one run: `replicas`, `wait`, `metric` and `overview`.
//!
//! Each chart is described as a [`Figure`] built from the run's columns and events, then drawn
//! by [`render_figure`](super::figure::render_figure).

use super::axis::{duration_unit, format_duration, TimeAxis, ValueAxis};
use super::data::RunData;
use super::figure::{
    aligned_axes, make_series, render_figure, AxisSpec, Dash, Figure, ImageFormat, Marker, Panel,
    Series, BLUE, DOWN, GREEN, GREY, ORANGE, PLOT_COLUMNS, PURPLE, SKY, UP, VERMILLION,
};
use super::ReportError;

/// Which chart of a run to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// `replicas`: replicas (spec) and pods ready against queue depth, with scale events; below
    /// it, tasks reserved and running on workers.
    Replicas,
    /// `wait`: task wait (publish to start) p50, p95 and max over time.
    Wait,
    /// `metric`: each autoscaler metric against its target (absent when the run has none).
    Metric,
    /// `overview`: all of the above stacked on one time axis.
    Overview,
}

impl ChartKind {
    /// The output file name without extension.
    pub fn file_stem(self) -> &'static str {
        match self {
            ChartKind::Replicas => "replicas",
            ChartKind::Wait => "wait",
            ChartKind::Metric => "metric",
            ChartKind::Overview => "overview",
        }
    }
}

/// Draws one chart of `run`. Returns `Ok(None)` for [`ChartKind::Metric`] when the run has no
/// `metric:` columns. The bytes depend only on the data: two calls give identical output.
pub fn render_chart(
    run: &RunData,
    kind: ChartKind,
    format: ImageFormat,
) -> Result<Option<Vec<u8>>, ReportError> {
    run.validate()?;
    let figure = match kind {
        ChartKind::Replicas => Some(replicas_figure(run)),
        ChartKind::Wait => Some(wait_figure(run)),
        ChartKind::Metric => metric_figure(run),
        ChartKind::Overview => Some(overview_figure(run)),
    };
    figure.map(|f| render_figure(&f, format)).transpose()
}

// ---------------------------------------------------------------------------------------------
// The charts of one run

fn header(run: &RunData, what: &str) -> (String, String) {
    let s = &run.summary;
    let title = format!("{} (seed {}): {what}", s.scenario, s.seed);
    let scale_events = scale_event_count(run);
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let subtitle = format!(
        "duration {} · {} · {} · peak replicas {} · max queue depth {}",
        format_duration(s.duration_s),
        plural(run.series.len(), "sample"),
        plural(scale_events, "scale event"),
        s.peak_replicas,
        s.max_queue_depth
    );
    (title, subtitle)
}

fn time_axis(run: &RunData) -> TimeAxis {
    let (start, end) = run.time_range();
    TimeAxis::new(start, end, PLOT_COLUMNS)
}

fn is_scale_event(source: &str, reason: &str) -> bool {
    let source = source.to_ascii_lowercase();
    (source == "hpa" || source == "keda")
        && (reason == "SuccessfulRescale" || reason.starts_with("KEDAScaleTarget"))
}

fn scale_event_count(run: &RunData) -> usize {
    run.events
        .iter()
        .filter(|e| is_scale_event(&e.source, &e.reason))
        .count()
}

/// Scale events as markers: `SuccessfulRescale` becomes `↑N` or `↓N` (compared with the
/// replicas just before), KEDA activation `activated` / `deactivated`.
pub(crate) fn scale_markers(run: &RunData, time: &TimeAxis) -> Vec<Marker> {
    let ts = &run.series;
    let mut last_size: Option<f64> = None;
    let mut markers = Vec::new();
    for e in &run.events {
        if !is_scale_event(&e.source, &e.reason) || e.time_s < time.start || e.time_s > time.end {
            continue;
        }
        let (label, color) = match e.reason.as_str() {
            "SuccessfulRescale" => match new_size(&e.message) {
                Some(n) => {
                    // Replicas just before the event: the last sample strictly earlier.
                    let k = ts.time_s.partition_point(|&t| t < e.time_s);
                    let before = if k > 0 && ts.replicas[k - 1].is_finite() {
                        Some(ts.replicas[k - 1])
                    } else {
                        last_size
                    };
                    last_size = Some(n as f64);
                    match before {
                        Some(b) if (n as f64) > b => (format!("↑{n}"), UP),
                        Some(b) if (n as f64) < b => (format!("↓{n}"), DOWN),
                        _ => (format!("→{n}"), GREY),
                    }
                }
                None => ("rescale".to_string(), GREY),
            },
            "KEDAScaleTargetActivated" => ("activated".to_string(), UP),
            "KEDAScaleTargetDeactivated" => ("deactivated".to_string(), DOWN),
            other => (
                other
                    .trim_start_matches("KEDAScaleTarget")
                    .to_ascii_lowercase(),
                GREY,
            ),
        };
        markers.push(Marker {
            t: e.time_s,
            label,
            color,
        });
    }
    markers
}

/// `N` from a message like `New size: 4; reason: ...`.
fn new_size(message: &str) -> Option<u64> {
    let rest = &message[message.find("New size:")? + "New size:".len()..];
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

fn replicas_panels(run: &RunData, time: &TimeAxis) -> Vec<Panel> {
    let ts = &run.series;
    let t = &ts.time_s;
    let mut left = vec![
        // Wide, so that pods ready (thin, on top) stays visible when it equals the spec.
        make_series("replicas (spec)", t, &ts.replicas, time, true, 1.0).style(
            BLUE,
            5,
            Dash::Solid,
        ),
        // Drawn over the wide replicas line: when all pods are ready it shows inside it.
        make_series("pods ready", t, &ts.pods_ready, time, true, 1.0)
            .style(GREEN, 2, Dash::Solid)
            .on_layer(1),
    ];
    let extra_colors = [SKY, PURPLE, GREY, VERMILLION];
    for (i, d) in ts.deployments.iter().enumerate() {
        left.push(
            make_series(
                &format!("replicas {}", d.name),
                t,
                &d.values,
                time,
                true,
                1.0,
            )
            .style(extra_colors[i % extra_colors.len()], 2, Dash::Dashed(6, 4)),
        );
    }
    let mut right = vec![make_series(
        "queue depth (right axis)",
        t,
        &ts.queue_depth,
        time,
        false,
        1.0,
    )
    .style(ORANGE, 2, Dash::Solid)
    .on_right()
    .filled()];
    if ts.queues.len() > 1 {
        let colors = [VERMILLION, PURPLE, SKY, GREY];
        for (i, q) in ts.queues.iter().enumerate() {
            right.push(
                make_series(
                    &format!("queue {} (right)", q.name),
                    t,
                    &q.values,
                    time,
                    false,
                    1.0,
                )
                .style(colors[i % colors.len()], 1, Dash::Dashed(5, 3))
                .on_right(),
            );
        }
    }
    let left_max = left.iter().map(Series::max).fold(0.0, f64::max);
    let right_max = right.iter().map(Series::max).fold(0.0, f64::max);
    let (left_axis, right_axis) = aligned_axes(left_max, true, right_max, true);
    // Listed in legend order; the first is drawn on top.
    let mut series = left;
    series.extend(right);
    let markers = scale_markers(run, time);
    let empty_note = ts.is_empty().then(|| "no samples".to_string());
    let top = Panel {
        title: "Replicas vs queue depth".to_string(),
        height: 400,
        left: AxisSpec {
            desc: "pods".to_string(),
            axis: left_axis,
        },
        right: Some(AxisSpec {
            desc: "tasks in queue".to_string(),
            axis: right_axis,
        }),
        series,
        markers: markers_copy(&markers),
        marker_labels: true,
        note: empty_note.clone(),
        x_desc: false,
    };
    let workers = vec![
        make_series("running", t, &ts.running, time, false, 1.0).style(VERMILLION, 2, Dash::Solid),
        make_series("reserved (prefetched)", t, &ts.reserved, time, false, 1.0).style(
            PURPLE,
            2,
            Dash::Solid,
        ),
    ];
    let workers_max = workers.iter().map(Series::max).fold(0.0, f64::max);
    let bottom = Panel {
        title: "Tasks held by workers".to_string(),
        height: 270,
        left: AxisSpec {
            desc: "tasks".to_string(),
            axis: ValueAxis::new(workers_max, true),
        },
        right: None,
        series: workers,
        markers,
        marker_labels: false,
        note: empty_note,
        x_desc: true,
    };
    vec![top, bottom]
}

fn markers_copy(markers: &[Marker]) -> Vec<Marker> {
    markers
        .iter()
        .map(|m| Marker {
            t: m.t,
            label: m.label.clone(),
            color: m.color,
        })
        .collect()
}

fn wait_panel(run: &RunData, time: &TimeAxis, labels: bool) -> Panel {
    let ts = &run.series;
    let max = [&ts.wait_p50_s, &ts.wait_p95_s, &ts.wait_max_s]
        .iter()
        .flat_map(|c| c.iter())
        .filter(|v| v.is_finite())
        .fold(0.0, |a: f64, &b| a.max(b));
    let (unit_name, unit) = duration_unit(max);
    let t = &ts.time_s;
    let series = vec![
        make_series("p50", t, &ts.wait_p50_s, time, false, unit).style(BLUE, 2, Dash::Solid),
        make_series("p95", t, &ts.wait_p95_s, time, false, unit).style(ORANGE, 2, Dash::Solid),
        make_series("max", t, &ts.wait_max_s, time, false, unit).style(VERMILLION, 1, Dash::Solid),
    ];
    let note =
        (max == 0.0 && series.iter().all(Series::is_empty)).then(|| "no task started".to_string());
    Panel {
        title: "Task wait, publish → start (tasks started in each interval)".to_string(),
        height: 330,
        left: AxisSpec {
            desc: format!("wait ({unit_name})"),
            axis: ValueAxis::new(max / unit, false),
        },
        right: None,
        series,
        markers: scale_markers(run, time),
        marker_labels: labels,
        note,
        x_desc: true,
    }
}

fn metric_panels(run: &RunData, time: &TimeAxis) -> Vec<Panel> {
    let ts = &run.series;
    ts.metrics
        .iter()
        .map(|m| {
            let series = vec![
                make_series(
                    "value read by the autoscaler",
                    &ts.time_s,
                    &m.value,
                    time,
                    true,
                    1.0,
                )
                .style(BLUE, 2, Dash::Solid),
                make_series("target", &ts.time_s, &m.target, time, true, 1.0).style(
                    VERMILLION,
                    2,
                    Dash::Dashed(8, 5),
                ),
            ];
            let max = series.iter().map(Series::max).fold(0.0, f64::max);
            let integer = m
                .value
                .iter()
                .chain(&m.target)
                .all(|v| !v.is_finite() || v.fract() == 0.0);
            let note = series
                .iter()
                .all(Series::is_empty)
                .then(|| "never read".to_string());
            Panel {
                title: format!("Metric {} vs target", m.name),
                height: 300,
                left: AxisSpec {
                    desc: "value".to_string(),
                    axis: ValueAxis::new(max, integer),
                },
                right: None,
                series,
                markers: scale_markers(run, time),
                marker_labels: false,
                note,
                x_desc: true,
            }
        })
        .collect()
}

fn replicas_figure(run: &RunData) -> Figure {
    let time = time_axis(run);
    let (title, subtitle) = header(run, "replicas vs queue depth");
    let panels = replicas_panels(run, &time);
    Figure {
        title,
        subtitle,
        time,
        panels,
    }
}

fn wait_figure(run: &RunData) -> Figure {
    let time = time_axis(run);
    let (title, subtitle) = header(run, "task wait");
    let panels = vec![wait_panel(run, &time, true)];
    Figure {
        title,
        subtitle,
        time,
        panels,
    }
}

fn metric_figure(run: &RunData) -> Option<Figure> {
    if run.series.metrics.is_empty() {
        return None;
    }
    let time = time_axis(run);
    let (title, subtitle) = header(run, "autoscaler metrics vs targets");
    let mut panels = metric_panels(run, &time);
    if let Some(first) = panels.first_mut() {
        first.marker_labels = true;
    }
    Some(Figure {
        title,
        subtitle,
        time,
        panels,
    })
}

fn overview_figure(run: &RunData) -> Figure {
    let time = time_axis(run);
    let (title, subtitle) = header(run, "overview");
    let mut panels = replicas_panels(run, &time);
    panels.push(wait_panel(run, &time, false));
    panels.extend(metric_panels(run, &time));
    // One "time since start" under the last panel is enough when they are stacked.
    let last = panels.len() - 1;
    for (i, p) in panels.iter_mut().enumerate() {
        if i != last && p.x_desc {
            p.x_desc = false;
            p.height -= 20;
        }
    }
    Figure {
        title,
        subtitle,
        time,
        panels,
    }
}
