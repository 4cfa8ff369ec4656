//! Figures: a header and stacked panels of time series, drawn with plotters into PNG or SVG.
//!
//! A [`Figure`] is a plain description (titles, axes, already reduced line segments, scale
//! markers); [`render_figure`] draws it with one backend-generic function, so the PNG and the
//! SVG of a chart show exactly the same thing. Text uses the DejaVu Sans font embedded in the
//! binary, registered with plotters' `ab_glyph` renderer under `sans-serif` (regular and bold,
//! the only faces used), so rendering needs no system fonts and gives the same bytes on every
//! machine.
//!
//! Layout choices, for legibility when pasted into a ticket: the legend sits above each plot,
//! never over the data; scale events are dashed vertical lines with short labels in a strip
//! above the plot, dropped only where they would overlap; left and right axes share gridlines;
//! time ticks fall on clock-friendly steps; every panel reserves both axis gutters so stacked
//! panels line up on one time axis. Lines are mapped to pixels and simplified before drawing
//! (duplicate and collinear points removed): this keeps SVGs small and avoids the artefacts
//! plotters' thick-line rasterizer makes at zero-length segments.

use std::sync::OnceLock;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::register_font;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{TimeAxis, ValueAxis};
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

// ---------------------------------------------------------------------------------------------
// Figure description

/// Width of every chart in pixels.
pub(crate) const FIG_WIDTH: u32 = 1200;
const OUTER: u32 = 16;
const Y_AREA: u32 = 72;
const HEADER_H: u32 = 70;
/// Above this many distinct marker positions, scale events are drawn as ticks, unlabelled.
const MAX_MARKER_LINES: usize = 60;
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
pub(crate) const GREY: RGBColor = RGBColor(110, 110, 110);
const GRID: RGBColor = RGBColor(228, 228, 228);
const MARKER: RGBColor = RGBColor(150, 150, 150);
pub(crate) const UP: RGBColor = RGBColor(178, 34, 34);
pub(crate) const DOWN: RGBColor = RGBColor(0, 84, 140);

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
    /// Drawing layer: higher is drawn later (on top); within a layer, earlier series are on
    /// top. Lets a thin line show inside a wide one it often coincides with.
    pub layer: u8,
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
/// divided by `unit`. A staircase holds its last value to the end of the time axis (a replica
/// count or a metric read stays what it was until the run ends), which also makes a run of a
/// single sample draw as a line rather than a dot on the axis.
pub(crate) fn make_series(
    label: &str,
    xs: &[f64],
    ys: &[f64],
    time: &TimeAxis,
    step: bool,
    unit: f64,
) -> Series {
    let mut segments: Vec<Segment> = reduce(xs, ys, time.start, time.end, PLOT_COLUMNS as usize)
        .into_iter()
        .map(|s| {
            let s = if step { to_steps(&s) } else { s };
            s.into_iter().map(|(x, y)| (x, y / unit)).collect()
        })
        .collect();
    let ends_defined = ys.last().is_some_and(|y| y.is_finite());
    if let (true, true, Some(last)) = (step, ends_defined, segments.last_mut()) {
        if let Some(&(x, y)) = last.last() {
            if x < time.end {
                last.push((time.end, y));
            }
        }
    }
    Series {
        label: label.to_string(),
        color: INK,
        width: 2,
        dash: Dash::Solid,
        right: false,
        fill: false,
        segments,
        layer: 0,
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
    pub(crate) fn on_layer(mut self, layer: u8) -> Series {
        self.layer = layer;
        self
    }
    pub(crate) fn filled(mut self) -> Series {
        self.fill = true;
        self
    }
    pub(crate) fn is_empty(&self) -> bool {
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
// Drawing

/// Registers the embedded fonts with plotters once per process.
pub(crate) fn ensure_fonts() -> Result<(), ReportError> {
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
                draw_figure(&root, fig, true).map_err(ReportError::Render)?;
                root.present()
                    .map_err(|e| ReportError::Render(e.to_string()))?;
            }
            encode_png(&buf, size)
        }
        ImageFormat::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
                draw_figure(&root, fig, false).map_err(ReportError::Render)?;
                root.present()
                    .map_err(|e| ReportError::Render(e.to_string()))?;
            }
            // Layout was measured with DejaVu Sans: ask viewers for it (or the similarly wide
            // Verdana) before their generic sans-serif. User text cannot contain this attribute:
            // plotters escapes quotes in text.
            Ok(text
                .replace(
                    "font-family=\"sans-serif\"",
                    "font-family=\"DejaVu Sans, Verdana, sans-serif\"",
                )
                .into_bytes())
        }
    }
}

/// Encodes an RGB buffer as PNG bytes.
pub(crate) fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, ReportError> {
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

/// Draws `fig` on `root`. `brush`: stroke thick lines as several 1-pixel lines (for bitmaps:
/// plotters' thick-line rasterizer draws spikes at sharp turns, which dense data is full of);
/// SVG keeps real stroke widths, which browsers join properly.
fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    brush: bool,
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
    // A right-axis gutter on every panel when any has a right axis, so the panels line up.
    let right_gutter = fig.panels.iter().any(|p| p.right.is_some());
    let mut y = HEADER_H;
    for panel in &fig.panels {
        let area = root.clone().shrink((0, y), (FIG_WIDTH, panel.height));
        draw_panel(root, &area, panel, &fig.time, brush, right_gutter)?;
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

/// Pixel path without repeated points and without points in the middle of a horizontal or
/// vertical run (a point is kept when the path turns back at it, so spikes stay).
fn simplify(points: impl Iterator<Item = (i32, i32)>) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::new();
    for p in points {
        if out.last() == Some(&p) {
            continue;
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            let between =
                |lo: i32, mid: i32, hi: i32| (lo <= mid && mid <= hi) || (hi <= mid && mid <= lo);
            let vertical = a.0 == b.0 && b.0 == p.0 && between(a.1, b.1, p.1);
            let horizontal = a.1 == b.1 && b.1 == p.1 && between(a.0, b.0, p.0);
            if vertical || horizontal {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// Draws a pixel path. With `brush`, a line `width` pixels wide is drawn as `width`² copies of
/// the 1-pixel line, offset over a square (a square brush): robust at any angle.
fn stroke<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    line: &[(i32, i32)],
    color: RGBColor,
    width: u32,
    dash: Dash,
    brush: bool,
) -> Result<(), String> {
    let (offsets, w): (Vec<(i32, i32)>, u32) = if brush && width > 1 {
        let lo = -((width as i32 - 1) / 2);
        let hi = lo + width as i32 - 1;
        let offsets = (lo..=hi)
            .flat_map(|dx| (lo..=hi).map(move |dy| (dx, dy)))
            .collect();
        (offsets, 1)
    } else {
        (vec![(0, 0)], width)
    };
    let style = color.stroke_width(w);
    for (dx, dy) in offsets {
        let pts: Vec<(i32, i32)> = line.iter().map(|&(x, y)| (x + dx, y + dy)).collect();
        match dash {
            Dash::Solid => root.draw(&PathElement::new(pts, style)).map_err(err)?,
            Dash::Dashed(on, off) => root
                .draw(&DashedPathElement::new(pts, on, off, style))
                .map_err(err)?,
        }
    }
    Ok(())
}

/// Draws the legend rows under the panel title (wrapping at the panel width); returns the
/// y of the legend's bottom edge in `area` coordinates.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    rug: bool,
) -> Result<i32, String> {
    let (w, _) = area.dim_in_pixel();
    let left_x = (OUTER + 6) as i32;
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
            marker: false,
        })
        .collect();
    let rug_label = format!("{} scale events (ticks at the top)", panel.markers.len());
    if !panel.markers.is_empty() {
        items.push(LegendItem {
            label: if rug { &rug_label } else { "scale event" },
            color: MARKER,
            width: 1,
            dash: Dash::Dashed(4, 3),
            fill: false,
            marker: true,
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
        if item.marker {
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
    Ok(ly + 22)
}

/// Draws the scale markers behind the data: a dashed line per event (one per pixel column at
/// most) with its label in the strip above the plot, or, in `rug` mode, a short tick at the
/// top of the plot. `map` turns (time, left-axis value) into pixels; `top` is the axis top.
fn draw_markers<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    panel: &Panel,
    rug: bool,
    map: &dyn Fn(f64, f64) -> (i32, i32),
    top: f64,
) -> Result<(), String> {
    // Scale markers behind the data: one line (or tick) per pixel column at most.
    let mut last_px = i32::MIN;
    let mut label_rows: [Vec<(i32, i32)>; 2] = [Vec::new(), Vec::new()];
    let marker_font = bold(13);
    let (_, plot_bottom) = map(0.0, 0.0);
    for m in &panel.markers {
        let (px, py) = map(m.t, top);
        if px == last_px {
            continue;
        }
        last_px = px;
        if rug {
            root.draw(&PathElement::new(
                vec![(px, py), (px, py + 8)],
                m.color.stroke_width(1),
            ))
            .map_err(err)?;
            continue;
        }
        root.draw(&DashedPathElement::new(
            vec![(px, py), (px, plot_bottom)],
            4,
            3,
            MARKER.stroke_width(1),
        ))
        .map_err(err)?;
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
    Ok(())
}

/// Draws the series: fills first, then lines; right-axis series are rescaled onto the left
/// axis (`top` and `right_top` are the two axis tops). Points are mapped to pixels and
/// simplified before drawing.
fn draw_data<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    panel: &Panel,
    map: &dyn Fn(f64, f64) -> (i32, i32),
    top: f64,
    right_top: f64,
    start: f64,
    brush: bool,
) -> Result<(), String> {
    // Data, in pixels: fills first, then lines from the last series to the first, so the
    // first series (first in the legend) is on top.
    let scale_right = top / right_top;
    let to_px = |s: &Series, p: (f64, f64)| -> (i32, i32) {
        let y = if s.right { p.1 * scale_right } else { p.1 };
        map(p.0, y.clamp(0.0, top))
    };
    let (_, baseline) = map(start, 0.0);
    let mut order: Vec<&Series> = panel.series.iter().rev().collect();
    order.sort_by_key(|s| s.layer); // stable: keeps the reversed legend order within a layer
    for s in order.iter().filter(|s| s.fill) {
        for seg in &s.segments {
            let line = simplify(seg.iter().map(|&p| to_px(s, p)));
            if line.len() < 2 {
                continue;
            }
            let mut poly = Vec::with_capacity(line.len() + 2);
            poly.push((line[0].0, baseline));
            poly.extend_from_slice(&line);
            poly.push((line[line.len() - 1].0, baseline));
            root.draw(&Polygon::new(poly, s.color.mix(0.18).filled()))
                .map_err(err)?;
        }
    }
    for s in &order {
        for seg in &s.segments {
            let line = simplify(seg.iter().map(|&p| to_px(s, p)));
            if line.len() == 1 {
                root.draw(&Circle::new(line[0], s.width + 1, s.color.filled()))
                    .map_err(err)?;
                continue;
            }
            // A dense line (several points per pixel column) draws as a band in which a dash
            // pattern is invisible but costs thousands of SVG elements: draw it solid.
            let dash = if line.len() > 2 * PLOT_COLUMNS as usize {
                Dash::Solid
            } else {
                s.dash
            };
            stroke(root, &line, s.color, s.width, dash, brush)?;
        }
    }
    Ok(())
}

/// One legend entry: a swatch drawn like the series, then its label.
struct LegendItem<'a> {
    label: &'a str,
    color: RGBColor,
    width: u32,
    dash: Dash,
    fill: bool,
    /// The scale-event entry (drawn as a short vertical dashed line).
    marker: bool,
}

/// Draws one panel in `area`: title, legend, axes, scale markers, data and note.
fn draw_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    time: &TimeAxis,
    brush: bool,
    right_gutter: bool,
) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    // Many scale events: short ticks along the top of the plot instead of labelled lines.
    let marker_columns = {
        let span = time.end - time.start;
        let mut cols: Vec<i64> = panel
            .markers
            .iter()
            .map(|m| ((m.t - time.start) / span * PLOT_COLUMNS as f64).floor() as i64)
            .collect();
        cols.dedup();
        cols.len()
    };
    let rug = marker_columns > MAX_MARKER_LINES;
    let left_x = (OUTER + 6) as i32;
    area.draw(&Text::new(panel.title.clone(), (left_x, 6), bold(17)))
        .map_err(err)?;

    let legend_bottom = draw_legend(root, area, panel, rug)?;
    let strip = if panel.marker_labels && !panel.markers.is_empty() && !rug {
        34
    } else {
        6
    };
    let top = (legend_bottom + strip) as u32;
    let chart_area = area.clone().shrink((0, top), (w, h.saturating_sub(top)));

    let mut builder = ChartBuilder::on(&chart_area);
    builder
        .margin_left(OUTER)
        // Room for the last time label when there is no right gutter.
        .margin_right(if right_gutter { OUTER } else { OUTER + 24 })
        .margin_bottom(4)
        .x_label_area_size(if panel.x_desc { 52 } else { 32 })
        .y_label_area_size(Y_AREA)
        .right_y_label_area_size(if right_gutter { Y_AREA } else { 0 });
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

    let map = |x: f64, y: f64| chart.backend_coord(&(x, y));
    draw_markers(root, panel, rug, &map, left.top)?;
    draw_data(
        root,
        panel,
        &map,
        left.top,
        right_axis.top,
        time.start,
        brush,
    )?;

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
