//! Charts of a run, drawn with plotters into PNG or SVG bytes.
//!
//! Every chart is first described as a [`Figure`] (a title and stacked [`Panel`]s holding
//! already reduced line segments), then drawn by one backend-generic function, so the PNG and
//! the SVG of a chart show exactly the same thing. Text uses the DejaVu Sans font embedded in
//! the binary (registered with plotters' `ab_glyph` text renderer under `sans-serif`, normal and
//! bold), so rendering needs no system fonts and gives the same bytes on every machine.
//!
//! Layout choices, for legibility when pasted into a ticket: the legend sits above each plot,
//! never over the data; scale events are dashed vertical lines with short labels (`↑4`, `↓1`,
//! `activated`) in a strip above the plot, dropped only where they would overlap; the left and
//! right axes share gridlines; time ticks fall on clock-friendly steps.

use std::sync::OnceLock;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::register_font;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{duration_unit, format_duration, TimeAxis, ValueAxis};
use super::data::RunData;
use super::downsample::{reduce, to_steps, Segment};
use super::ReportError;

/// Output image format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    /// A PNG bitmap (for tickets and chat).
    Png,
    /// An SVG document (for the HTML report and zooming).
    Svg,
}

impl ImageFormat {
    /// File extension without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Svg => "svg",
        }
    }
}

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
// Figure description

/// Width of every chart in pixels.
pub(crate) const FIG_WIDTH: u32 = 1200;
const OUTER: u32 = 16;
const Y_AREA: u32 = 72;
const HEADER_H: u32 = 70;
/// Pixel columns of the plot area (approximately), used for downsampling and ticks.
pub(crate) const PLOT_COLUMNS: u32 = FIG_WIDTH - 2 * OUTER - 2 * Y_AREA;

/// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
pub(crate) const BLUE: RGBColor = RGBColor(0, 114, 178);
pub(crate) const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub(crate) const GREEN: RGBColor = RGBColor(0, 158, 115);
pub(crate) const VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub(crate) const PURPLE: RGBColor = RGBColor(204, 121, 167);
pub(crate) const SKY: RGBColor = RGBColor(86, 180, 233);
pub(crate) const INK: RGBColor = RGBColor(34, 34, 34);
const GREY: RGBColor = RGBColor(110, 110, 110);
const GRID: RGBColor = RGBColor(228, 228, 228);
const MARKER: RGBColor = RGBColor(150, 150, 150);
const UP: RGBColor = RGBColor(178, 34, 34);
const DOWN: RGBColor = RGBColor(0, 84, 140);

/// A whole chart: a header and panels stacked on one time axis.
pub(crate) struct Figure {
    pub title: String,
    pub subtitle: String,
    pub time: TimeAxis,
    pub panels: Vec<Panel>,
}

/// One plot with its own title, legend and value axes.
pub(crate) struct Panel {
    pub title: String,
    pub height: u32,
    pub left: AxisSpec,
    pub right: Option<AxisSpec>,
    pub series: Vec<Series>,
    pub markers: Vec<Marker>,
    /// Draw marker labels (only the first panel of a figure does, to avoid repetition).
    pub marker_labels: bool,
    /// Text shown in the middle of the plot (e.g. "no task started").
    pub note: Option<String>,
    /// Write "time since start" under the time axis.
    pub x_desc: bool,
}

/// A value axis: its description (with unit) and ticks.
pub(crate) struct AxisSpec {
    pub desc: String,
    pub axis: ValueAxis,
}

/// Line style.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Dash {
    Solid,
    /// Dash length and gap in pixels.
    Dashed(u32, u32),
}

/// One drawn series. Segments are in the series' own axis units, ready to draw.
pub(crate) struct Series {
    pub label: String,
    pub color: RGBColor,
    pub width: u32,
    pub dash: Dash,
    /// On the right axis.
    pub right: bool,
    /// Shade the area under the line.
    pub fill: bool,
    pub segments: Vec<Segment>,
}

/// A scale event on the time axis.
pub(crate) struct Marker {
    pub t: f64,
    pub label: String,
    pub color: RGBColor,
}

impl Figure {
    fn height(&self) -> u32 {
        HEADER_H + self.panels.iter().map(|p| p.height).sum::<u32>() + OUTER / 2
    }
}

impl Series {
    /// Largest plotted value, or 0.
    pub(crate) fn max(&self) -> f64 {
        self.segments
            .iter()
            .flatten()
            .map(|p| p.1)
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    }
}

/// Builds a series from two columns: reduced for drawing, optionally as a staircase, values
/// divided by `unit`.
pub(crate) fn make_series(
    label: &str,
    xs: &[f64],
    ys: &[f64],
    time: &TimeAxis,
    step: bool,
    unit: f64,
) -> Series {
    let segments = reduce(xs, ys, time.start, time.end, PLOT_COLUMNS as usize)
        .into_iter()
        .map(|s| {
            let s = if step { to_steps(&s) } else { s };
            s.into_iter().map(|(x, y)| (x, y / unit)).collect()
        })
        .collect();
    Series {
        label: label.to_string(),
        color: INK,
        width: 2,
        dash: Dash::Solid,
        right: false,
        fill: false,
        segments,
    }
}

impl Series {
    pub(crate) fn style(mut self, color: RGBColor, width: u32, dash: Dash) -> Series {
        self.color = color;
        self.width = width;
        self.dash = dash;
        self
    }
    pub(crate) fn on_right(mut self) -> Series {
        self.right = true;
        self
    }
    pub(crate) fn filled(mut self) -> Series {
        self.fill = true;
        self
    }
    fn is_empty(&self) -> bool {
        self.segments.iter().all(|s| s.is_empty())
    }
}

/// Left and right axes with the same number of intervals, so both share the gridlines; the
/// interval count is chosen to waste the least headroom.
pub(crate) fn aligned_axes(
    left_max: f64,
    left_integer: bool,
    right_max: f64,
    right_integer: bool,
) -> (ValueAxis, ValueAxis) {
    let mut best: Option<(f64, ValueAxis, ValueAxis)> = None;
    for n in [5, 4, 6, 3, 7, 8] {
        let l = ValueAxis::with_intervals(left_max, left_integer, n);
        let r = ValueAxis::with_intervals(right_max, right_integer, n);
        let waste = |axis: &ValueAxis, max: f64| {
            if max > 0.0 {
                axis.top / max
            } else {
                1.0
            }
        };
        let cost = waste(&l, left_max) + waste(&r, right_max);
        if best.as_ref().is_none_or(|b| cost < b.0 - 1e-9) {
            best = Some((cost, l, r));
        }
    }
    let (_, l, r) = best.expect("at least one candidate");
    (l, r)
}

// ---------------------------------------------------------------------------------------------
// The charts of one run

fn header(run: &RunData, what: &str) -> (String, String) {
    let s = &run.summary;
    let title = format!("{} (seed {}): {what}", s.scenario, s.seed);
    let scale_events = scale_event_count(run);
    let subtitle = format!(
        "duration {} · {} samples · {} scale events · peak {} replicas · max queue depth {}",
        format_duration(s.duration_s),
        run.series.len(),
        scale_events,
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
        make_series("replicas (spec)", t, &ts.replicas, time, true, 1.0).style(
            BLUE,
            3,
            Dash::Solid,
        ),
        make_series("pods ready", t, &ts.pods_ready, time, true, 1.0).style(GREEN, 2, Dash::Solid),
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
    let mut series = right;
    series.extend(left.into_iter().rev());
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
        make_series("reserved (prefetched)", t, &ts.reserved, time, false, 1.0).style(
            PURPLE,
            2,
            Dash::Solid,
        ),
        make_series("running", t, &ts.running, time, false, 1.0).style(VERMILLION, 2, Dash::Solid),
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
        make_series("max", t, &ts.wait_max_s, time, false, unit).style(VERMILLION, 1, Dash::Solid),
        make_series("p95", t, &ts.wait_p95_s, time, false, unit).style(ORANGE, 2, Dash::Solid),
        make_series("p50", t, &ts.wait_p50_s, time, false, unit).style(BLUE, 2, Dash::Solid),
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
                make_series("target", &ts.time_s, &m.target, time, true, 1.0).style(
                    VERMILLION,
                    2,
                    Dash::Dashed(8, 5),
                ),
                make_series(
                    "value read by the autoscaler",
                    &ts.time_s,
                    &m.value,
                    time,
                    true,
                    1.0,
                )
                .style(BLUE, 2, Dash::Solid),
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

// ---------------------------------------------------------------------------------------------
// Drawing

/// Registers the embedded fonts with plotters once per process.
fn ensure_fonts() -> Result<(), ReportError> {
    static FONTS: OnceLock<bool> = OnceLock::new();
    let ok = *FONTS.get_or_init(|| {
        register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(ReportError::Render(
            "the embedded DejaVu font could not be loaded".to_string(),
        ))
    }
}

/// Draws a figure into PNG or SVG bytes.
pub(crate) fn render_figure(fig: &Figure, format: ImageFormat) -> Result<Vec<u8>, ReportError> {
    ensure_fonts()?;
    let size = (FIG_WIDTH, fig.height());
    match format {
        ImageFormat::Png => {
            let mut buf = vec![255u8; size.0 as usize * size.1 as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
                draw_figure(&root, fig).map_err(ReportError::Render)?;
                root.present()
                    .map_err(|e| ReportError::Render(e.to_string()))?;
            }
            encode_png(&buf, size)
        }
        ImageFormat::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
                draw_figure(&root, fig).map_err(ReportError::Render)?;
                root.present()
                    .map_err(|e| ReportError::Render(e.to_string()))?;
            }
            Ok(text.into_bytes())
        }
    }
}

fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Default);
        let mut writer = enc
            .write_header()
            .map_err(|e| ReportError::Render(format!("PNG: {e}")))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| ReportError::Render(format!("PNG: {e}")))?;
    }
    Ok(out)
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

fn bold(size: u32) -> TextStyle<'static> {
    // Not `.style(Bold)`: plotters 0.3.7 keeps the regular face's glyphs when restyling.
    ("sans-serif", size, FontStyle::Bold)
        .into_font()
        .color(&INK)
}

fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let x = OUTER as i32;
    root.draw(&Text::new(fig.title.clone(), (x, 12), bold(22)))
        .map_err(err)?;
    root.draw(&Text::new(
        fig.subtitle.clone(),
        (x, 42),
        font(15).color(&GREY),
    ))
    .map_err(err)?;
    let mut y = HEADER_H;
    for panel in &fig.panels {
        let area = root.clone().shrink((0, y), (FIG_WIDTH, panel.height));
        draw_panel(root, &area, panel, &fig.time)?;
        y += panel.height;
    }
    Ok(())
}

/// A linear f64 axis whose gridlines and labels are exactly our ticks. (plotters'
/// `with_key_points` on an f64 range loses the label formatter, so we implement `Ranged`.)
#[derive(Clone)]
struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ticked {
    fn new(lo: f64, hi: f64, ticks: &[f64]) -> Ticked {
        Ticked {
            lo,
            hi,
            ticks: ticks.to_vec(),
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        let pixels = limit.1 - limit.0;
        if span <= 0.0 || pixels == 0 {
            return limit.0;
        }
        let frac = (v - self.lo) / span;
        limit.0 + (pixels as f64 * frac + 1e-3).floor() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// One legend entry: a swatch drawn like the series, then its label.
struct LegendItem<'a> {
    label: &'a str,
    color: RGBColor,
    width: u32,
    dash: Dash,
    fill: bool,
}

fn draw_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    time: &TimeAxis,
) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    let left_x = (OUTER + 6) as i32;
    area.draw(&Text::new(panel.title.clone(), (left_x, 6), bold(17)))
        .map_err(err)?;

    // Legend rows under the title.
    let mut items: Vec<LegendItem> = panel
        .series
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| LegendItem {
            label: &s.label,
            color: s.color,
            width: s.width,
            dash: s.dash,
            fill: s.fill,
        })
        .collect();
    // Legend in reading order: the series drawn last (on top) are the important ones.
    items.reverse();
    if !panel.markers.is_empty() {
        items.push(LegendItem {
            label: "scale event",
            color: MARKER,
            width: 1,
            dash: Dash::Dashed(4, 3),
            fill: false,
        });
    }
    let legend_font = font(15);
    let mut lx = left_x;
    let mut ly = 32;
    for item in &items {
        let (tw, _) = root
            .estimate_text_size(item.label, &legend_font)
            .map_err(err)?;
        let item_w = 30 + tw as i32 + 22;
        if lx + item_w > (w - OUTER) as i32 && lx > left_x {
            lx = left_x;
            ly += 22;
        }
        let mid = ly + 8;
        if item.fill {
            area.draw(&Rectangle::new(
                [(lx, mid - 6), (lx + 24, mid + 6)],
                item.color.mix(0.22).filled(),
            ))
            .map_err(err)?;
        }
        let style = item.color.stroke_width(item.width);
        if panel.markers.is_empty() || item.label != "scale event" {
            // fall through to the line swatch below
        } else {
            // A scale event is a vertical dashed line in the plot: show it that way.
            for k in 0..3 {
                let y0 = ly + k * 6;
                area.draw(&PathElement::new(
                    vec![(lx + 12, y0), (lx + 12, y0 + 3)],
                    style,
                ))
                .map_err(err)?;
            }
            area.draw(&Text::new(
                item.label.to_string(),
                (lx + 30, ly),
                legend_font.clone(),
            ))
            .map_err(err)?;
            lx += item_w;
            continue;
        }
        match item.dash {
            Dash::Solid => area
                .draw(&PathElement::new(vec![(lx, mid), (lx + 24, mid)], style))
                .map_err(err)?,
            Dash::Dashed(_, _) => {
                for k in 0..3 {
                    let x0 = lx + k * 9;
                    area.draw(&PathElement::new(vec![(x0, mid), (x0 + 5, mid)], style))
                        .map_err(err)?;
                }
            }
        }
        area.draw(&Text::new(
            item.label.to_string(),
            (lx + 30, ly),
            legend_font.clone(),
        ))
        .map_err(err)?;
        lx += item_w;
    }
    let legend_bottom = ly + 22;
    let strip = if panel.marker_labels && !panel.markers.is_empty() {
        34
    } else {
        6
    };
    let top = (legend_bottom + strip) as u32;
    let chart_area = area.clone().shrink((0, top), (w, h.saturating_sub(top)));

    let mut builder = ChartBuilder::on(&chart_area);
    builder
        .margin_left(OUTER)
        .margin_right(OUTER)
        .margin_bottom(4)
        .x_label_area_size(if panel.x_desc { 52 } else { 32 })
        .y_label_area_size(Y_AREA)
        // Reserved even without a right axis, so stacked panels share one time axis.
        .right_y_label_area_size(Y_AREA);
    let left = &panel.left.axis;
    let right_axis = panel.right.as_ref().map(|r| &r.axis).unwrap_or(left);
    let x_range = Ticked::new(time.start, time.end, &time.ticks);
    let y_range = Ticked::new(0.0, left.top, &left.ticks);
    let y_range2 = Ticked::new(0.0, right_axis.top, &right_axis.ticks);
    let mut chart = builder
        .build_cartesian_2d(x_range.clone(), y_range)
        .map_err(err)?
        .set_secondary_coord(x_range.clone(), y_range2);

    let x_fmt = |x: &f64| time.label(*x);
    let y_fmt = |v: &f64| left.label(*v);
    let label_font = font(14).color(&RGBColor(60, 60, 60));
    chart
        .configure_mesh()
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(if panel.x_desc { "time since start" } else { "" })
        .y_desc(panel.left.desc.as_str())
        .label_style(label_font.clone())
        .axis_desc_style(font(15))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(RGBColor(150, 150, 150).stroke_width(1))
        .draw()
        .map_err(err)?;
    if let Some(right) = &panel.right {
        let r_fmt = |v: &f64| right.axis.label(*v);
        chart
            .configure_secondary_axes()
            .y_label_formatter(&r_fmt)
            .y_desc(right.desc.as_str())
            .label_style(label_font.clone())
            .axis_desc_style(font(15))
            .axis_style(RGBColor(150, 150, 150).stroke_width(1))
            .draw()
            .map_err(err)?;
    }

    // Scale markers behind the data: one line per pixel column at most.
    let mut last_px = i32::MIN;
    let mut label_rows: [Vec<(i32, i32)>; 2] = [Vec::new(), Vec::new()];
    let marker_font = bold(13);
    for m in &panel.markers {
        let (px, py) = chart.backend_coord(&(m.t, left.top));
        if px != last_px {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(m.t, 0.0), (m.t, left.top)],
                    4,
                    3,
                    MARKER.stroke_width(1),
                ))
                .map_err(err)?;
            last_px = px;
        }
        if panel.marker_labels && !m.label.is_empty() {
            let (tw, _) = root
                .estimate_text_size(&m.label, &marker_font)
                .map_err(err)?;
            let (x0, x1) = (px - tw as i32 / 2 - 3, px + tw as i32 / 2 + 3);
            // The nearer row first; skip the label when both rows are taken here.
            for (row, taken) in label_rows.iter_mut().enumerate() {
                if taken.iter().all(|&(a, b)| x1 < a || x0 > b) {
                    taken.push((x0, x1));
                    let y = py - 16 - 15 * row as i32;
                    root.draw(&Text::new(
                        m.label.clone(),
                        (px, y),
                        marker_font
                            .color(&m.color)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    ))
                    .map_err(err)?;
                    break;
                }
            }
        }
    }

    // Data: fills first, then lines in list order (last on top).
    let scale_right = left.top / right_axis.top;
    let to_left = |s: &Series, p: (f64, f64)| -> (f64, f64) {
        let y = if s.right { p.1 * scale_right } else { p.1 };
        (p.0, y.clamp(0.0, left.top))
    };
    for s in panel.series.iter().filter(|s| s.fill) {
        for seg in &s.segments {
            if seg.len() < 2 {
                continue;
            }
            let mut poly: Vec<(f64, f64)> = Vec::with_capacity(seg.len() + 2);
            poly.push((seg[0].0, 0.0));
            poly.extend(seg.iter().map(|&p| to_left(s, p)));
            poly.push((seg[seg.len() - 1].0, 0.0));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    s.color.mix(0.18).filled(),
                )))
                .map_err(err)?;
        }
    }
    for s in &panel.series {
        let style = s.color.stroke_width(s.width);
        for seg in &s.segments {
            let pts: Vec<(f64, f64)> = seg.iter().map(|&p| to_left(s, p)).collect();
            if pts.len() == 1 {
                chart
                    .draw_series(std::iter::once(Circle::new(
                        pts[0],
                        s.width + 1,
                        s.color.filled(),
                    )))
                    .map_err(err)?;
                continue;
            }
            match s.dash {
                Dash::Solid => {
                    chart
                        .draw_series(LineSeries::new(pts, style))
                        .map_err(err)?;
                }
                Dash::Dashed(on, off) => {
                    chart
                        .draw_series(DashedLineSeries::new(pts, on, off, style))
                        .map_err(err)?;
                }
            }
        }
    }

    if let Some(note) = &panel.note {
        let (px, py) = chart.backend_coord(&((time.start + time.end) / 2.0, left.top / 2.0));
        root.draw(&Text::new(
            note.clone(),
            (px, py),
            font(18)
                .color(&GREY)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(err)?;
    }
    Ok(())
}
