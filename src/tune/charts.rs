//! Charts of a sweep, in the report module's look (palette, embedded DejaVu font, PNG and
//! SVG of the same drawing, deterministic bytes):
//! * `heatmap-<metric>.{png,svg}`: the first two parameters with several values as the axes,
//!   each cell the metric's mean for that pair (when other parameters vary too, the best
//!   value among them, feasible points preferred). Cells with no feasible point are hatched;
//!   the recommended point's cell is outlined.
//! * `pareto.{png,svg}`: every point on the two front objectives (cost vs wait by default),
//!   feasible and infeasible apart, min–max whiskers across seeds, the front joined, the
//!   recommended point ringed.
//! * The compare-style overlay of the best points is [`crate::report::compare`]; see
//!   [`super::output`].

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::kit::{
    encode_png, ensure_fonts, format_number, nice_step, BLUE, FIG_WIDTH, GREY, INK, VERMILLION,
};
use crate::report::{ImageFormat, ReportError};

use super::design::short_key;
use super::metrics::{is_count, METRIC_NAMES};
use super::objective::Objective;
use super::pareto::Judged;
use super::space::Param;

/// Most values per heatmap axis.
pub const MAX_HEATMAP_LEVELS: usize = 60;

const LIGHT: RGBColor = RGBColor(247, 251, 255);
const DARK: RGBColor = RGBColor(8, 48, 107);
const GRID: RGBColor = RGBColor(228, 228, 228);
const HEADER_H: i32 = 70;
const OUTER: i32 = 16;

fn font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

fn bold(size: u32) -> TextStyle<'static> {
    ("sans-serif", size, FontStyle::Bold)
        .into_font()
        .color(&INK)
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A metric's name for people (`wait_p95_s` -> `task wait p95 (s)`).
pub fn metric_title(name: &str) -> String {
    match name {
        "pod_seconds" => "pod-seconds (cost)".into(),
        "scale_events" => "scale events (ups + downs)".into(),
        n if n.starts_with("wait_") => format!(
            "task wait {} (s)",
            n.trim_start_matches("wait_").trim_end_matches("_s")
        ),
        n => {
            n.trim_end_matches("_s").replace('_', " ") + if n.ends_with("_s") { " (s)" } else { "" }
        }
    }
}

/// Draws on a bitmap area.
type DrawPng<'a> = &'a dyn Fn(&DrawingArea<BitMapBackend, Shift>) -> Result<(), String>;
/// Draws on an SVG area.
type DrawSvg<'a> = &'a dyn Fn(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>;

/// Draws at `size` into PNG or SVG bytes (the same drawing function for both backends).
fn render(
    size: (u32, u32),
    format: ImageFormat,
    draw: DrawPng,
    draw_svg: DrawSvg,
) -> Result<Vec<u8>, ReportError> {
    ensure_fonts()?;
    match format {
        ImageFormat::Png => {
            let mut buf = vec![255u8; size.0 as usize * size.1 as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
                draw(&root).map_err(ReportError::Render)?;
                root.present()
                    .map_err(|e| ReportError::Render(e.to_string()))?;
            }
            encode_png(&buf, size)
        }
        ImageFormat::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
                draw_svg(&root).map_err(ReportError::Render)?;
                root.present()
                    .map_err(|e| ReportError::Render(e.to_string()))?;
            }
            Ok(text
                .replace(
                    "font-family=\"sans-serif\"",
                    "font-family=\"DejaVu Sans, Verdana, sans-serif\"",
                )
                .into_bytes())
        }
    }
}

fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    root.draw(&Text::new(title.to_string(), (OUTER, 12), bold(22)))
        .map_err(err)?;
    root.draw(&Text::new(
        subtitle.to_string(),
        (OUTER, 42),
        font(15).color(&GREY),
    ))
    .map_err(err)?;
    Ok(())
}

fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let f = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    RGBColor(f(a.0, b.0), f(a.1, b.1), f(a.2, b.2))
}

fn decimals_for(max: f64) -> usize {
    if max.abs() >= 100.0 {
        0
    } else if max.abs() >= 10.0 {
        1
    } else {
        2
    }
}

/// An axis over the data's range (not from zero: the points of a sweep cluster), with round
/// ticks: (low, high, ticks, decimals of the labels).
fn nice_range(lo: f64, hi: f64, integer: bool) -> (f64, f64, Vec<f64>, usize) {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - pad, hi + pad)
    };
    let mut step = nice_step((hi - lo) / 5.0);
    if integer {
        step = step.max(1.0).round();
    }
    let a = (lo / step).floor() * step;
    let b = (hi / step).ceil() * step;
    let n = ((b - a) / step).round() as usize;
    let ticks = (0..=n).map(|k| a + k as f64 * step).collect();
    let decimals = (0..6)
        .find(|&d| {
            let s = step * 10f64.powi(d);
            (s - s.round()).abs() < 1e-6
        })
        .unwrap_or(6) as usize;
    (a, b, ticks, decimals)
}

/// A heatmap of one metric over two parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    /// Chart title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// X parameter name and levels.
    pub x: (String, Vec<String>),
    /// Y parameter name and levels.
    pub y: (String, Vec<String>),
    /// `cells[yi][xi]`: the value and whether a feasible point gave it.
    pub cells: Vec<Vec<Option<(f64, bool)>>>,
    /// The recommended cell (xi, yi).
    pub best: Option<(usize, usize)>,
}

/// The two parameters a heatmap uses: the first two with several discrete values.
pub fn heatmap_axes(params: &[Param]) -> Option<(usize, usize)> {
    let many: Vec<usize> = params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.domain.levels().is_some_and(|l| l.len() > 1))
        .map(|(i, _)| i)
        .collect();
    match many.as_slice() {
        [a, b, ..] => Some((*a, *b)),
        _ => None,
    }
}

/// Builds the heatmap of `metric` (best = smallest unless `maximize`). None without two
/// parameters of several values, or with more than [`MAX_HEATMAP_LEVELS`] on an axis.
pub fn build_heatmap(
    params: &[Param],
    judged: &[Judged],
    metric: usize,
    maximize: bool,
    best_point: Option<usize>,
    subtitle: &str,
) -> Option<Heatmap> {
    let (xi, yi) = heatmap_axes(params)?;
    let xl = params[xi].domain.levels()?.to_vec();
    let yl = params[yi].domain.levels()?.to_vec();
    // Beyond this a cell is a few pixels (and the image huge): points.csv says it better.
    if xl.len() > MAX_HEATMAP_LEVELS || yl.len() > MAX_HEATMAP_LEVELS {
        return None;
    }
    let mut cells: Vec<Vec<Option<(f64, bool)>>> = vec![vec![None; xl.len()]; yl.len()];
    let mut best = None;
    for j in judged {
        let p = &j.summary;
        let (Some(cx), Some(cy)) = (
            xl.iter().position(|l| *l == p.values[xi]),
            yl.iter().position(|l| *l == p.values[yi]),
        ) else {
            continue;
        };
        if Some(p.point) == best_point {
            best = Some((cx, cy));
        }
        let Some(v) = p.mean(metric) else { continue };
        let cell = &mut cells[cy][cx];
        let better = match *cell {
            None => true,
            Some((old, feas)) => {
                (j.feasible && !feas)
                    || (j.feasible == feas && if maximize { v > old } else { v < old })
            }
        };
        if better {
            *cell = Some((v, j.feasible));
        }
    }
    let others = params.len() > 2
        && params
            .iter()
            .enumerate()
            .any(|(i, p)| i != xi && i != yi && p.domain.levels().is_none_or(|l| l.len() > 1));
    let name = METRIC_NAMES[metric];
    Some(Heatmap {
        title: format!(
            "{}{}",
            metric_title(name),
            if others {
                ", best over the other parameters"
            } else {
                ""
            }
        ),
        subtitle: subtitle.to_string(),
        x: (short_key(&params[xi].key).to_string(), xl),
        y: (short_key(&params[yi].key).to_string(), yl),
        cells,
        best,
    })
}

impl Heatmap {
    fn cell_h(&self) -> i32 {
        (480 / self.y.1.len().max(1) as i32).clamp(22, 60)
    }

    fn size(&self) -> (u32, u32) {
        (
            FIG_WIDTH,
            (HEADER_H + 40 + self.cell_h() * self.y.1.len() as i32 + 90) as u32,
        )
    }

    /// PNG or SVG bytes.
    pub fn render(&self, format: ImageFormat) -> Result<Vec<u8>, ReportError> {
        render(self.size(), format, &|r| self.draw(r), &|r| self.draw(r))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        header(root, &self.title, &self.subtitle)?;
        let left = 150;
        let right = 150;
        let top = HEADER_H + 40;
        let nx = self.x.1.len() as i32;
        let ny = self.y.1.len() as i32;
        let cw = ((FIG_WIDTH as i32 - left - right) / nx.max(1)).max(8);
        let ch = self.cell_h();
        let values: Vec<f64> = self.cells.iter().flatten().flatten().map(|c| c.0).collect();
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let span = if hi > lo { hi - lo } else { 1.0 };
        let dec = decimals_for(hi);
        let label_font = font(14).color(&RGBColor(60, 60, 60));
        for (yi, row) in self.cells.iter().enumerate() {
            // The first level at the bottom, like a chart's y axis.
            let y0 = top + (ny - 1 - yi as i32) * ch;
            for (xi, cell) in row.iter().enumerate() {
                let x0 = left + xi as i32 * cw;
                let (x1, y1) = (x0 + cw, y0 + ch);
                match cell {
                    None => {
                        root.draw(&Rectangle::new(
                            [(x0, y0), (x1, y1)],
                            RGBColor(250, 250, 250).filled(),
                        ))
                        .map_err(err)?;
                    }
                    Some((v, feasible)) => {
                        let t = (v - lo) / span;
                        let c = mix(LIGHT, DARK, 0.1 + 0.9 * t);
                        root.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled()))
                            .map_err(err)?;
                        if !feasible {
                            let hatch = RGBColor(150, 150, 150).stroke_width(1);
                            let mut k = 0;
                            while k < cw + ch {
                                let (a, b) = ((x0 + k).min(x1), y0 + (k - cw).max(0));
                                let (c2, d) = (x0 + (k - ch).max(0), (y0 + k).min(y1));
                                root.draw(&PathElement::new(vec![(a, b), (c2, d)], hatch))
                                    .map_err(err)?;
                                k += 10;
                            }
                        }
                        if cw >= 34 && ch >= 18 {
                            let ink = if t > 0.5 { WHITE } else { INK };
                            let ink = if *feasible { ink } else { RGBColor(90, 90, 90) };
                            let mut text_font = font(13).color(&ink);
                            if !feasible && t > 0.5 {
                                text_font = font(13).color(&WHITE);
                            }
                            root.draw(&Text::new(
                                format_number(*v, dec),
                                ((x0 + x1) / 2, (y0 + y1) / 2),
                                text_font.pos(Pos::new(HPos::Center, VPos::Center)),
                            ))
                            .map_err(err)?;
                        }
                    }
                }
                root.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.stroke_width(1)))
                    .map_err(err)?;
            }
            root.draw(&Text::new(
                self.y.1[yi].clone(),
                (left - 8, y0 + ch / 2),
                label_font.clone().pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
        }
        let bottom = top + ny * ch;
        let step = ((nx as f64 * 60.0) / (FIG_WIDTH as f64 - (left + right) as f64))
            .ceil()
            .max(1.0) as usize;
        for (xi, l) in self.x.1.iter().enumerate().step_by(step) {
            root.draw(&Text::new(
                l.clone(),
                (left + xi as i32 * cw + cw / 2, bottom + 8),
                label_font.clone().pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(err)?;
        }
        root.draw(&Text::new(
            self.x.0.clone(),
            (left + nx * cw / 2, bottom + 34),
            font(15).pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(err)?;
        root.draw(&Text::new(self.y.0.clone(), (OUTER, top - 26), font(15)))
            .map_err(err)?;
        if let Some((bx, by)) = self.best {
            let x0 = left + bx as i32 * cw;
            let y0 = top + (ny - 1 - by as i32) * ch;
            for d in 0..3 {
                root.draw(&Rectangle::new(
                    [(x0 + d, y0 + d), (x0 + cw - d, y0 + ch - d)],
                    VERMILLION.stroke_width(1),
                ))
                .map_err(err)?;
            }
        }
        // Colour bar.
        if lo.is_finite() {
            let bx = FIG_WIDTH as i32 - right + 40;
            let bh = (ny * ch).max(60);
            for k in 0..bh {
                let t = 1.0 - k as f64 / (bh - 1).max(1) as f64;
                root.draw(&Rectangle::new(
                    [(bx, top + k), (bx + 20, top + k + 1)],
                    mix(LIGHT, DARK, 0.1 + 0.9 * t).filled(),
                ))
                .map_err(err)?;
            }
            root.draw(&Text::new(
                format_number(hi, dec),
                (bx + 26, top),
                label_font.clone().pos(Pos::new(HPos::Left, VPos::Top)),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                format_number(lo, dec),
                (bx + 26, top + bh),
                label_font.clone().pos(Pos::new(HPos::Left, VPos::Bottom)),
            ))
            .map_err(err)?;
            if values.len() < self.cells.iter().flatten().count()
                || self.cells.iter().flatten().flatten().any(|c| !c.1)
            {
                root.draw(&Text::new(
                    "hatched: no point",
                    (bx - 20, top + bh + 14),
                    font(12).color(&GREY),
                ))
                .map_err(err)?;
                root.draw(&Text::new(
                    "meets the SLOs",
                    (bx - 20, top + bh + 30),
                    font(12).color(&GREY),
                ))
                .map_err(err)?;
            }
        }
        Ok(())
    }
}

/// One point of the Pareto chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ParetoPoint {
    /// Means on the two axes.
    pub x: f64,
    /// .
    pub y: f64,
    /// Min–max across seeds on each axis.
    pub x_range: (f64, f64),
    /// .
    pub y_range: (f64, f64),
    /// Meets every SLO.
    pub feasible: bool,
    /// On the front.
    pub front: bool,
    /// Label for the recommended point.
    pub label: Option<String>,
}

/// The Pareto chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ParetoChart {
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// Axis descriptions.
    pub x_desc: String,
    /// .
    pub y_desc: String,
    /// Points.
    pub points: Vec<ParetoPoint>,
    /// Whole numbers on each axis.
    pub integer: (bool, bool),
    /// Points were judged by SLOs (the legend says "meets the SLOs" rather than "point").
    pub has_slos: bool,
}

/// Builds the Pareto chart on the first two objectives (None with fewer than two).
pub fn build_pareto(
    judged: &[Judged],
    objs: &[Objective],
    has_slos: bool,
    best_point: Option<usize>,
    best_label: &str,
    subtitle: &str,
) -> Option<ParetoChart> {
    let [ox, oy, ..] = objs else { return None };
    let points: Vec<ParetoPoint> = judged
        .iter()
        .filter_map(|j| {
            let p = &j.summary;
            let (x, y) = (p.mean(ox.metric)?, p.mean(oy.metric)?);
            let ax = &p.aggs[ox.metric];
            let ay = &p.aggs[oy.metric];
            Some(ParetoPoint {
                x,
                y,
                x_range: (ax.min.unwrap_or(x), ax.max.unwrap_or(x)),
                y_range: (ay.min.unwrap_or(y), ay.max.unwrap_or(y)),
                feasible: j.feasible,
                front: j.pareto,
                label: (Some(p.point) == best_point).then(|| best_label.to_string()),
            })
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    let (nx, ny) = (ox.name(), oy.name());
    Some(ParetoChart {
        title: format!("Pareto front: {} vs {}", metric_title(nx), metric_title(ny)),
        subtitle: subtitle.to_string(),
        x_desc: format!(
            "{} (mean across seeds){}",
            metric_title(nx),
            if ox.maximize {
                ", higher is better"
            } else {
                ""
            }
        ),
        y_desc: format!(
            "{}{}",
            metric_title(ny),
            if oy.maximize {
                ", higher is better"
            } else {
                ""
            }
        ),
        points,
        integer: (is_count(nx), is_count(ny)),
        has_slos,
    })
}

impl ParetoChart {
    /// PNG or SVG bytes.
    pub fn render(&self, format: ImageFormat) -> Result<Vec<u8>, ReportError> {
        render((FIG_WIDTH, 720), format, &|r| self.draw(r), &|r| {
            self.draw(r)
        })
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        header(root, &self.title, &self.subtitle)?;
        let (left, right, top, bottom) = (110, FIG_WIDTH as i32 - 40, HEADER_H + 60, 720 - 80);
        let fold = |f: &dyn Fn(&ParetoPoint) -> f64, lo: bool| {
            self.points.iter().map(f).fold(
                if lo { f64::INFINITY } else { f64::NEG_INFINITY },
                |a, b| if lo { a.min(b) } else { a.max(b) },
            )
        };
        let (x0, x1, xt, xd) = nice_range(
            fold(&|p| p.x_range.0, true),
            fold(&|p| p.x_range.1, false),
            self.integer.0,
        );
        let (y0, y1, yt, yd) = nice_range(
            fold(&|p| p.y_range.0, true),
            fold(&|p| p.y_range.1, false),
            self.integer.1,
        );
        let px = |x: f64| left + (((x - x0) / (x1 - x0)) * (right - left) as f64).round() as i32;
        let py = |y: f64| bottom - (((y - y0) / (y1 - y0)) * (bottom - top) as f64).round() as i32;
        let label_font = font(14).color(&RGBColor(60, 60, 60));
        for &t in &xt {
            root.draw(&PathElement::new(
                vec![(px(t), top), (px(t), bottom)],
                GRID.stroke_width(1),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                format_number(t, xd),
                (px(t), bottom + 6),
                label_font.clone().pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(err)?;
        }
        for &t in &yt {
            root.draw(&PathElement::new(
                vec![(left, py(t)), (right, py(t))],
                GRID.stroke_width(1),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                format_number(t, yd),
                (left - 8, py(t)),
                label_font.clone().pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
        }
        let axis = RGBColor(150, 150, 150).stroke_width(1);
        root.draw(&PathElement::new(
            vec![(left, top), (left, bottom), (right, bottom)],
            axis,
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            self.x_desc.clone(),
            ((left + right) / 2, bottom + 34),
            font(15).pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            self.y_desc.clone(),
            (left - 90, top - 30),
            font(15),
        ))
        .map_err(err)?;
        // Legend.
        let ly = HEADER_H + 4;
        let mut lx = left + 300;
        let legend: Vec<(&str, RGBColor, bool)> = if self.has_slos {
            vec![
                ("meets the SLOs", BLUE, false),
                ("fails an SLO", GREY, false),
                ("Pareto front", VERMILLION, true),
            ]
        } else {
            vec![("point", BLUE, false), ("Pareto front", VERMILLION, true)]
        };
        for (label, color, filled) in legend {
            let style = if filled {
                color.filled()
            } else {
                color.stroke_width(2)
            };
            root.draw(&Circle::new((lx, ly + 9), 5, style))
                .map_err(err)?;
            root.draw(&Text::new(
                label,
                (lx + 12, ly + 9),
                font(15).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            lx += 30 + root.estimate_text_size(label, &font(15)).map_err(err)?.0 as i32;
        }
        // Whiskers, then points (infeasible first, so feasible ones are on top).
        for p in &self.points {
            let c = if p.feasible {
                BLUE.mix(0.5)
            } else {
                GREY.mix(0.4)
            };
            let s = c.stroke_width(1);
            if p.x_range.1 > p.x_range.0 {
                root.draw(&PathElement::new(
                    vec![(px(p.x_range.0), py(p.y)), (px(p.x_range.1), py(p.y))],
                    s,
                ))
                .map_err(err)?;
            }
            if p.y_range.1 > p.y_range.0 {
                root.draw(&PathElement::new(
                    vec![(px(p.x), py(p.y_range.0)), (px(p.x), py(p.y_range.1))],
                    s,
                ))
                .map_err(err)?;
            }
        }
        for p in self.points.iter().filter(|p| !p.feasible) {
            root.draw(&Circle::new((px(p.x), py(p.y)), 4, GREY.stroke_width(1)))
                .map_err(err)?;
        }
        for p in self.points.iter().filter(|p| p.feasible && !p.front) {
            root.draw(&Circle::new((px(p.x), py(p.y)), 4, BLUE.stroke_width(2)))
                .map_err(err)?;
        }
        let mut front: Vec<&ParetoPoint> = self.points.iter().filter(|p| p.front).collect();
        front.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
        let mut path = Vec::new();
        for (i, p) in front.iter().enumerate() {
            if i > 0 {
                path.push((px(p.x), py(front[i - 1].y)));
            }
            path.push((px(p.x), py(p.y)));
        }
        if path.len() > 1 {
            root.draw(&PathElement::new(path, VERMILLION.stroke_width(2)))
                .map_err(err)?;
        }
        for p in &front {
            root.draw(&Circle::new((px(p.x), py(p.y)), 5, VERMILLION.filled()))
                .map_err(err)?;
        }
        for p in self.points.iter().filter(|p| p.label.is_some()) {
            let (x, y) = (px(p.x), py(p.y));
            root.draw(&Circle::new((x, y), 10, INK.stroke_width(2)))
                .map_err(err)?;
            let label = p.label.clone().unwrap_or_default();
            let w = root.estimate_text_size(&label, &bold(14)).map_err(err)?.0 as i32;
            let (tx, anchor) = if x + 16 + w < right {
                (x + 16, HPos::Left)
            } else {
                (x - 16, HPos::Right)
            };
            root.draw(&Text::new(
                label,
                (tx, y - 16),
                bold(14).pos(Pos::new(anchor, VPos::Center)),
            ))
            .map_err(err)?;
        }
        Ok(())
    }
}
