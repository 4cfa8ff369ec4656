//! Reading and writing run directories.
//!
//! A run directory holds `timeseries.csv` and `summary.json` (required), and `events.csv`,
//! `settings.json`, `decisions.json` and `scenario.yaml` (optional). Loading is tolerant of
//! missing optional files and columns and of unknown extra columns and JSON fields (so an older
//! report module reads a newer simulator's output), and strict about malformed values: every
//! error names the file and, where there is one, the line. Nothing here panics on bad input.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde::Serialize;

use super::data::{Column, Event, MetricColumn, RunData, Summary, TimeSeries, FIXED_COLUMNS};
use super::ReportError;

impl RunData {
    /// Loads a run directory. `timeseries.csv` and `summary.json` are required; `events.csv`,
    /// `settings.json`, `decisions.json` and `scenario.yaml` are optional. Errors name the file
    /// (as a path under `dir`) and the line.
    pub fn load(dir: &Path) -> Result<RunData, ReportError> {
        let md = std::fs::metadata(dir).map_err(|source| ReportError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        if !md.is_dir() {
            return Err(ReportError::Invalid(format!(
                "{} is not a run directory",
                dir.display()
            )));
        }
        let ts_path = dir.join("timeseries.csv");
        let ts_name = ts_path.display().to_string();
        let series = TimeSeries::from_csv(open(&ts_path)?, &ts_name)?;

        let summary_path = dir.join("summary.json");
        let summary: Summary = parse_json(
            &read_text(&summary_path)?,
            &summary_path.display().to_string(),
        )?;

        let events_path = dir.join("events.csv");
        let events = match open_optional(&events_path)? {
            Some(file) => parse_events(file, &events_path.display().to_string())?,
            None => Vec::new(),
        };
        let settings_path = dir.join("settings.json");
        let settings = match read_optional(&settings_path)? {
            Some(text) => parse_json(&text, &settings_path.display().to_string())?,
            None => Vec::new(),
        };
        let decisions_path = dir.join("decisions.json");
        let decisions = match read_optional(&decisions_path)? {
            Some(text) => parse_json(&text, &decisions_path.display().to_string())?,
            None => Vec::new(),
        };
        let scenario_yaml = read_optional(&dir.join("scenario.yaml"))?;
        let run = RunData {
            summary,
            series,
            events,
            settings,
            decisions,
            scenario_yaml,
        };
        run.validate()?;
        Ok(run)
    }

    /// Writes this run as a run directory (the same files [`RunData::load`] reads), creating
    /// `dir` if needed. Optional files are written only when they have content.
    pub fn write_dir(&self, dir: &Path) -> Result<(), ReportError> {
        let io = |path: &Path, source| ReportError::Io {
            path: path.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).map_err(|e| io(&path, e))
        };
        write("timeseries.csv", self.series.to_csv().as_bytes())?;
        write("events.csv", events_to_csv(&self.events).as_bytes())?;
        write("summary.json", pretty_json(&self.summary).as_bytes())?;
        if !self.settings.is_empty() {
            write("settings.json", pretty_json(&self.settings).as_bytes())?;
        }
        if !self.decisions.is_empty() {
            write("decisions.json", pretty_json(&self.decisions).as_bytes())?;
        }
        if let Some(yaml) = &self.scenario_yaml {
            write("scenario.yaml", yaml.as_bytes())?;
        }
        Ok(())
    }
}

/// Pretty JSON with a trailing newline, as written into a run directory.
fn pretty_json<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

impl TimeSeries {
    /// Parses `timeseries.csv` from a reader; `file` names it in errors. Columns are found by
    /// header name: only `time_s` is required, a missing fixed column reads as all-empty, and
    /// unknown columns are ignored.
    pub fn from_csv<R: Read>(reader: R, file: &str) -> Result<TimeSeries, ReportError> {
        let mut rdr = csv_reader(reader);
        let headers = rdr.byte_headers().map_err(|e| csv_error(file, e))?.clone();
        let names: Vec<String> = headers
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        let mut layout = Layout::new(&names).map_err(|m| parse_err(file, Some(1), m))?;
        let mut record = csv::ByteRecord::new();
        let mut values: Vec<f64> = Vec::with_capacity(names.len());
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(file, e)),
            }
            let line = record.position().map(|p| p.line());
            if record.len() == 1 && record.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
                continue; // a blank line
            }
            if record.len() != names.len() {
                return Err(parse_err(
                    file,
                    line,
                    format!(
                        "expected {} fields (as in the header), found {}",
                        names.len(),
                        record.len()
                    ),
                ));
            }
            values.clear();
            for (i, field) in record.iter().enumerate() {
                if layout.ignored(i) {
                    values.push(f64::NAN);
                    continue;
                }
                let v = parse_cell(field).map_err(|()| {
                    parse_err(
                        file,
                        line,
                        format!(
                            "column `{}`: expected a number, found {:?}",
                            names[i],
                            String::from_utf8_lossy(field)
                        ),
                    )
                })?;
                values.push(v);
            }
            layout.push(&values).map_err(|m| parse_err(file, line, m))?;
        }
        Ok(layout.finish())
    }

    /// Builds a series from column names and rows, the way the simulator's sinks hold them
    /// (the same names as the CSV header; `NaN` for an empty cell). The same rules as
    /// [`TimeSeries::from_csv`] apply; errors name the row (0-based).
    pub fn from_rows<R: AsRef<[f64]>>(
        columns: &[String],
        rows: impl IntoIterator<Item = R>,
    ) -> Result<TimeSeries, ReportError> {
        let mut layout = Layout::new(columns).map_err(ReportError::Invalid)?;
        for (i, row) in rows.into_iter().enumerate() {
            let row = row.as_ref();
            let bad = |m: String| ReportError::Invalid(format!("row {i}: {m}"));
            if row.len() != columns.len() {
                return Err(bad(format!(
                    "{} values for {} columns",
                    row.len(),
                    columns.len()
                )));
            }
            if let Some(k) = (0..row.len()).find(|&k| row[k].is_infinite() && !layout.ignored(k)) {
                return Err(bad(format!("column `{}` is {}", columns[k], row[k])));
            }
            layout.push(row).map_err(bad)?;
        }
        Ok(layout.finish())
    }

    /// The series as `timeseries.csv` text (header and one row per sample; empty cells for
    /// missing values; numbers in Rust's shortest round-trip decimal form).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let mut header: Vec<String> = FIXED_COLUMNS.iter().map(|s| s.to_string()).collect();
        header.extend(
            self.queues
                .iter()
                .map(|c| format!("queue_depth:{}", c.name)),
        );
        for m in &self.metrics {
            header.push(format!("metric:{}", m.name));
            header.push(format!("target:{}", m.name));
        }
        header.extend(
            self.deployments
                .iter()
                .map(|c| format!("replicas:{}", c.name)),
        );
        out.push_str(
            &header
                .iter()
                .map(|h| csv_field(h))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
        let fixed = self.fixed_columns();
        for i in 0..self.len() {
            let mut first = true;
            let mut cell = |v: f64, out: &mut String| {
                if !first {
                    out.push(',');
                }
                first = false;
                if v.is_finite() {
                    out.push_str(&v.to_string());
                }
            };
            for (_, col) in &fixed {
                cell(col[i], &mut out);
            }
            for c in &self.queues {
                cell(c.values[i], &mut out);
            }
            for m in &self.metrics {
                cell(m.value[i], &mut out);
                cell(m.target[i], &mut out);
            }
            for c in &self.deployments {
                cell(c.values[i], &mut out);
            }
            out.push('\n');
        }
        out
    }
}

/// Where each input column goes in a [`TimeSeries`]: shared by the CSV loader and
/// [`TimeSeries::from_rows`].
struct Layout {
    ts: TimeSeries,
    dests: Vec<Dest>,
    /// Fixed columns present in the input.
    present: [bool; 15],
    has_metric: Vec<bool>,
    has_target: Vec<bool>,
    /// Index of `time_s` among the input columns.
    time_index: usize,
    prev_t: f64,
}

#[derive(Clone, Copy)]
enum Dest {
    Fixed(usize),
    Queue(usize),
    Metric(usize),
    Target(usize),
    Deployment(usize),
    Ignore,
}

impl Layout {
    /// Maps column names; errors on a duplicate name or a missing `time_s`.
    fn new(names: &[String]) -> Result<Layout, String> {
        let mut ts = TimeSeries::default();
        let mut dests = Vec::with_capacity(names.len());
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            let name = name.trim();
            if let Some(first) = seen.insert(name, i) {
                return Err(format!(
                    "column `{name}` appears twice (columns {} and {})",
                    first + 1,
                    i + 1
                ));
            }
            let metric_index = |ts: &mut TimeSeries, m: &str| {
                if let Some(k) = ts.metrics.iter().position(|c| c.name == m) {
                    k
                } else {
                    ts.metrics.push(MetricColumn {
                        name: m.to_string(),
                        ..MetricColumn::default()
                    });
                    ts.metrics.len() - 1
                }
            };
            let column = |name: &str| Column {
                name: name.to_string(),
                values: Vec::new(),
            };
            let dest = if let Some(k) = FIXED_COLUMNS.iter().position(|c| *c == name) {
                Dest::Fixed(k)
            } else if let Some(q) = name.strip_prefix("queue_depth:") {
                ts.queues.push(column(q));
                Dest::Queue(ts.queues.len() - 1)
            } else if let Some(m) = name.strip_prefix("metric:") {
                Dest::Metric(metric_index(&mut ts, m))
            } else if let Some(m) = name.strip_prefix("target:") {
                Dest::Target(metric_index(&mut ts, m))
            } else if let Some(d) = name.strip_prefix("replicas:") {
                ts.deployments.push(column(d));
                Dest::Deployment(ts.deployments.len() - 1)
            } else {
                Dest::Ignore
            };
            dests.push(dest);
        }
        let time_index = *seen
            .get("time_s")
            .ok_or_else(|| "missing required column `time_s`".to_string())?;
        let mut present = [false; 15];
        let mut has_metric = vec![false; ts.metrics.len()];
        let mut has_target = vec![false; ts.metrics.len()];
        for d in &dests {
            match *d {
                Dest::Fixed(k) => present[k] = true,
                Dest::Metric(k) => has_metric[k] = true,
                Dest::Target(k) => has_target[k] = true,
                _ => {}
            }
        }
        Ok(Layout {
            ts,
            dests,
            present,
            has_metric,
            has_target,
            time_index,
            prev_t: f64::NEG_INFINITY,
        })
    }

    fn ignored(&self, i: usize) -> bool {
        matches!(self.dests[i], Dest::Ignore)
    }

    /// Appends one row (one value per input column; NaN = empty).
    fn push(&mut self, values: &[f64]) -> Result<(), String> {
        let t = values[self.time_index];
        if t.is_nan() {
            return Err("column `time_s` is empty".to_string());
        }
        if t < self.prev_t {
            return Err(format!(
                "time_s {t} is before the previous row's {}",
                self.prev_t
            ));
        }
        self.prev_t = t;
        let ts = &mut self.ts;
        for (dest, &v) in self.dests.iter().zip(values) {
            match *dest {
                Dest::Fixed(k) => ts.fixed_columns_mut()[k].push(v),
                Dest::Queue(k) => ts.queues[k].values.push(v),
                Dest::Metric(k) => ts.metrics[k].value.push(v),
                Dest::Target(k) => ts.metrics[k].target.push(v),
                Dest::Deployment(k) => ts.deployments[k].values.push(v),
                Dest::Ignore => {}
            }
        }
        Ok(())
    }

    /// Fills the absent columns with empty cells.
    fn finish(mut self) -> TimeSeries {
        let n = self.ts.time_s.len();
        for (k, col) in self.ts.fixed_columns_mut().into_iter().enumerate() {
            if !self.present[k] {
                col.resize(n, f64::NAN);
            }
        }
        for (k, m) in self.ts.metrics.iter_mut().enumerate() {
            if !self.has_metric[k] {
                m.value.resize(n, f64::NAN);
            }
            if !self.has_target[k] {
                m.target.resize(n, f64::NAN);
            }
        }
        self.ts
    }
}

/// Parses `events.csv` from a reader; `file` names it in errors. Columns are found by header
/// name; all five are required; unknown columns are ignored.
pub fn parse_events<R: Read>(reader: R, file: &str) -> Result<Vec<Event>, ReportError> {
    let mut rdr = csv_reader(reader);
    let headers = rdr.headers().map_err(|e| csv_error(file, e))?.clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| parse_err(file, Some(1), format!("missing column `{name}`")))
    };
    let idx = [
        find("time_s")?,
        find("source")?,
        find("type")?,
        find("reason")?,
        find("message")?,
    ];
    let mut events = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(file, e)),
        }
        let line = record.position().map(|p| p.line());
        if record.len() == 1 && record.get(0).is_some_and(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            return Err(parse_err(
                file,
                line,
                format!(
                    "expected {} fields (as in the header), found {}",
                    headers.len(),
                    record.len()
                ),
            ));
        }
        let get = |k: usize| record.get(idx[k]).unwrap_or("").to_string();
        let time_text = get(0);
        let time_s = match parse_cell(time_text.as_bytes()) {
            Ok(t) if !t.is_nan() => t,
            _ => {
                return Err(parse_err(
                    file,
                    line,
                    format!("column `time_s`: expected a number, found {time_text:?}"),
                ))
            }
        };
        events.push(Event {
            time_s,
            source: get(1),
            kind: get(2),
            reason: get(3),
            message: get(4),
        });
    }
    Ok(events)
}

/// The events as `events.csv` text.
pub fn events_to_csv(events: &[Event]) -> String {
    let mut out = String::from("time_s,source,type,reason,message\n");
    for e in events {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            e.time_s,
            csv_field(&e.source),
            csv_field(&e.kind),
            csv_field(&e.reason),
            csv_field(&e.message)
        ));
    }
    out
}

/// Quotes a CSV field when it needs it.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_reader<R: Read>(reader: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader)
}

/// An empty cell is NaN ("no value"); anything else must be a finite decimal number.
fn parse_cell(field: &[u8]) -> Result<f64, ()> {
    let text = std::str::from_utf8(field).map_err(|_| ())?.trim();
    if text.is_empty() {
        return Ok(f64::NAN);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(()),
    }
}

fn parse_err(file: &str, line: Option<u64>, message: String) -> ReportError {
    ReportError::Parse {
        file: file.to_string(),
        line,
        message,
    }
}

fn csv_error(file: &str, e: csv::Error) -> ReportError {
    let line = e.position().map(|p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not valid UTF-8", err.field() + 1),
        csv::ErrorKind::Io(io) => format!("read error: {io}"),
        _ => e.to_string(),
    };
    parse_err(file, line, message)
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, ReportError> {
    serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let message = match full.rfind(" at line ") {
            Some(pos) => format!("{} (column {})", &full[..pos], e.column()),
            None => full,
        };
        parse_err(file, Some(e.line() as u64), message)
    })
}

fn open(path: &Path) -> Result<BufReader<File>, ReportError> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|source| ReportError::Io {
            path: path.to_path_buf(),
            source,
        })
}

fn open_optional(path: &Path) -> Result<Option<BufReader<File>>, ReportError> {
    match File::open(path) {
        Ok(f) => Ok(Some(BufReader::new(f))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ReportError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn read_text(path: &Path) -> Result<String, ReportError> {
    let bytes = std::fs::read(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
            + 1;
        parse_err(
            &path.display().to_string(),
            Some(line),
            "not valid UTF-8".to_string(),
        )
    })
}

fn read_optional(path: &Path) -> Result<Option<String>, ReportError> {
    match std::fs::metadata(path) {
        Ok(_) => read_text(path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ReportError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::data::Sample;

    #[test]
    fn parses_columns_by_name_and_pairs_metrics() {
        let text = "time_s,queue_depth,replicas,target:m,metric:m,queue_depth:a,extra\n\
                    0,5,1,10,,3,x\n\
                    1.5,7,2,10,4,4,y\n";
        let ts = TimeSeries::from_csv(text.as_bytes(), "t.csv").unwrap();
        assert_eq!(ts.time_s, vec![0.0, 1.5]);
        assert_eq!(ts.replicas, vec![1.0, 2.0]);
        assert!(ts.running.iter().all(|v| v.is_nan()));
        assert_eq!(ts.metrics.len(), 1);
        assert!(ts.metrics[0].value[0].is_nan());
        assert_eq!(ts.metrics[0].value[1], 4.0);
        assert_eq!(ts.metrics[0].target, vec![10.0, 10.0]);
        assert_eq!(ts.queues[0].values, vec![3.0, 4.0]);
        ts.validate().unwrap();
    }

    #[test]
    fn reports_file_and_line() {
        let text = "time_s,queue_depth\n0,1\n1,abc\n";
        let err = TimeSeries::from_csv(text.as_bytes(), "t.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:3: column `queue_depth`: expected a number, found \"abc\""
        );
        let err = TimeSeries::from_csv("time_s,a\n0,1\n1\n".as_bytes(), "t.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:3: expected 2 fields (as in the header), found 1"
        );
        let err = TimeSeries::from_csv("time_s\n2\n1\n".as_bytes(), "t.csv").unwrap_err();
        assert!(err.to_string().starts_with("t.csv:3: time_s 1 is before"));
    }

    #[test]
    fn csv_round_trip() {
        let mut ts = TimeSeries::new(&["q"], &["m"], &[]);
        let s = Sample {
            time_s: 0.5,
            replicas: 3.0,
            wait_p50_s: Some(0.25),
            ..Sample::default()
        };
        ts.push(&s, &[2.0], &[(None, Some(5.0))], &[]).unwrap();
        let back = TimeSeries::from_csv(ts.to_csv().as_bytes(), "x").unwrap();
        assert_eq!(back.to_csv(), ts.to_csv());
        assert!(ts
            .push(&Sample::default(), &[1.0], &[(None, None)], &[])
            .is_err());
    }
}
