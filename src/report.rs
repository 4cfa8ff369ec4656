//! Reports of a simulated run: charts (PNG and SVG), a self-contained HTML page, a
//! side-by-side comparison of several runs, and a compact terminal summary.
//!
//! The input is a *run directory* as written by `scalesim run` (read with [`RunData::load`]),
//! or a [`RunData`] built in memory by the simulator. Everything between input and output is a
//! pure function from data to bytes: the same data gives the same bytes, with no wall-clock
//! time, no hash-map iteration order and no system fonts involved (text is drawn with the
//! DejaVu Sans font embedded in the binary). Only [`write_report`], [`write_compare`],
//! [`RunData::load`] and [`RunData::write_dir`] touch the disk.
//!
//! # Run directory
//! * `timeseries.csv` (required): `time_s, queue_depth, reserved, running, replicas,
//!   pods_ready, pods_starting, pods_terminating, produced_total, completed_total, lost_total,
//!   duplicated_total, wait_p50_s, wait_p95_s, wait_max_s`, then any `queue_depth:<queue>`,
//!   `metric:<name>` / `target:<name>` and `replicas:<deployment>` columns. Columns are found
//!   by name; empty cells mean "no value"; unknown columns are ignored.
//! * `summary.json` (required; unknown fields are kept and shown), `events.csv`,
//!   `settings.json`, `decisions.json`, `scenario.yaml` (optional).
//!
//! # Building a run in memory
//! ```no_run
//! # use scalesim::report::*;
//! # fn demo(columns: Vec<String>, rows: Vec<Vec<f64>>, sim_summary: serde_json::Value)
//! #     -> Result<(), ReportError> {
//! let series = TimeSeries::from_rows(&columns, &rows)?; // the sink's columns and rows
//! let summary: Summary = via_json(&sim_summary, "summary")?; // any type with summary.json's shape
//! let mut run = RunData::new(summary, series);
//! run.events.push(Event::new(30.0, "hpa", "Normal", "SuccessfulRescale", "New size: 4; ..."));
//! let files = write_report(&run, std::path::Path::new("reports/x"))?;
//! # Ok(()) }
//! ```
//!
//! # What to call
//! * [`render_report`]: every file of a single-run report, as `(file name, bytes)` pairs;
//!   [`write_report`] writes them into a directory.
//! * [`render_chart`] and [`render_html`]: one chart or the HTML page alone.
//! * [`compare`] / [`write_compare`]: overlay several runs (`compare.{png,svg,csv,html}`).
//! * [`summary_table`]: the summary as an aligned plain-text table for stdout.

mod axis;
mod chart;
mod compare;
mod data;
mod downsample;
mod figure;
mod html;
mod load;
pub mod synthetic;
mod table;

use std::fmt;
use std::path::{Path, PathBuf};

pub use chart::{render_chart, ChartKind};
pub use compare::{auto_labels, compare, Comparison};
pub use data::{
    via_json, Column, Decision, Event, MetricColumn, RunData, Sample, Setting, Summary, TimeSeries,
    WaitStats,
};
pub use figure::ImageFormat;
pub use html::render_html;
pub use load::{events_to_csv, parse_events};
pub use table::summary_table;

/// The chart look other modules reuse (the `tune` heatmaps and Pareto charts): palette, font
/// registration, PNG encoding, axis ticks and number formatting.
pub(crate) mod kit {
    pub(crate) use super::axis::{format_number, nice_step};
    pub(crate) use super::figure::{
        encode_png, ensure_fonts, BLUE, FIG_WIDTH, GREY, INK, VERMILLION,
    };
}

/// Why a run could not be loaded or a report could not be produced.
#[derive(Debug)]
pub enum ReportError {
    /// A file could not be read or written.
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An input file is malformed. `line` is 1-based when known.
    Parse {
        /// The file, as given (e.g. `runs/a/timeseries.csv`).
        file: String,
        /// The 1-based line of the offending record, when known.
        line: Option<u64>,
        /// What is wrong, naming the column or field.
        message: String,
    },
    /// The data is inconsistent (e.g. columns of different lengths, time going backwards)
    /// or the request makes no sense (e.g. comparing zero runs).
    Invalid(String),
    /// The drawing library failed (should not happen with valid data).
    Render(String),
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            ReportError::Parse {
                file,
                line: Some(line),
                message,
            } => write!(f, "{file}:{line}: {message}"),
            ReportError::Parse {
                file,
                line: None,
                message,
            } => write!(f, "{file}: {message}"),
            ReportError::Invalid(message) => write!(f, "invalid run data: {message}"),
            ReportError::Render(message) => write!(f, "cannot render chart: {message}"),
        }
    }
}

impl std::error::Error for ReportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReportError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// One output file of a report: its file name (no directory) and its bytes.
pub type OutputFile = (String, Vec<u8>);

/// Renders every file of the single-run report, in a fixed order:
/// `replicas.{png,svg}`, `wait.{png,svg}`, `metric.{png,svg}` (only when the run has
/// `metric:` columns), `overview.{png,svg}` and `report.html`.
pub fn render_report(run: &RunData) -> Result<Vec<OutputFile>, ReportError> {
    let mut out = Vec::new();
    for kind in [
        ChartKind::Replicas,
        ChartKind::Wait,
        ChartKind::Metric,
        ChartKind::Overview,
    ] {
        for format in [ImageFormat::Png, ImageFormat::Svg] {
            if let Some(bytes) = render_chart(run, kind, format)? {
                out.push((
                    format!("{}.{}", kind.file_stem(), format.extension()),
                    bytes,
                ));
            }
        }
    }
    out.push(("report.html".to_string(), render_html(run)?.into_bytes()));
    Ok(out)
}

/// Renders the report ([`render_report`]) and writes its files into `out_dir` (created if
/// missing). Returns the paths written, in order.
pub fn write_report(run: &RunData, out_dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    write_files(out_dir, &render_report(run)?)
}

/// Compares `runs` ([`compare`]) and writes `compare.png`, `compare.svg`, `compare.csv` and
/// `compare.html` into `out_dir` (created if missing). Returns the paths written.
pub fn write_compare(
    runs: &[RunData],
    labels: &[String],
    out_dir: &Path,
) -> Result<Vec<PathBuf>, ReportError> {
    write_files(out_dir, &compare(runs, labels)?.files())
}

fn write_files(out_dir: &Path, files: &[OutputFile]) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(out_dir).map_err(|source| ReportError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = out_dir.join(name);
        std::fs::write(&path, bytes).map_err(|source| ReportError::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}
