//! Run directories: written into a hidden temporary directory beside the target and renamed
//! into place only when everything succeeded, so a failed or interrupted run never leaves a
//! half-written report where a reader would look.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::observe::{write_num, Decision, EventRow, Sink};
use std::io::Write;

/// A run directory being written.
pub struct RunDir {
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl RunDir {
    /// Starts writing a run whose final place is `target`.
    pub fn create(target: &Path) -> std::io::Result<RunDir> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".into());
        // Clean up temporaries of earlier interrupted runs of the same target.
        if let Ok(entries) = std::fs::read_dir(parent) {
            for e in entries.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.starts_with(&format!(".{name}.tmp-")) || n == format!(".{name}.old") {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        std::fs::create_dir_all(&tmp)?;
        Ok(RunDir {
            tmp,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Path of a file inside the (temporary) run directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }

    /// The final location.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes a whole file.
    pub fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::write(self.file(name), bytes)
    }

    /// Moves the finished run into place (replacing an older run there).
    pub fn commit(mut self) -> std::io::Result<PathBuf> {
        let parent = self
            .target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = self
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let old = parent.join(format!(".{name}.old"));
        if self.target.exists() {
            std::fs::rename(&self.target, &old)?;
        }
        std::fs::rename(&self.tmp, &self.target)?;
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Streams `timeseries.csv` and `events.csv` as the simulation produces them, and keeps a
/// bounded copy of the series (every `keep_every`-th row) and of the events for charts.
pub struct CsvSink {
    series: csv::Writer<BufWriter<File>>,
    events: csv::Writer<BufWriter<File>>,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows kept in memory for charts.
    pub kept_rows: Vec<Vec<f64>>,
    /// Keep one row in this many.
    pub keep_every: u64,
    rows_seen: u64,
    /// Events kept in memory (autoscaler decisions and pod lifecycle), at most `max_events`.
    pub kept_events: Vec<EventRow>,
    /// Cap on kept events.
    pub max_events: usize,
    /// Kept events from the autoscalers (hpa, keda, deployment) and from the rest.
    kept_by_group: [usize; 2],
    /// Events written.
    pub events_written: u64,
    decisions: BufWriter<File>,
    /// Decisions written to `decisions.json`.
    pub decisions_written: u64,
    /// Decisions kept in memory for the report: the first [`KEEP_DECISION_INPUTS`] with their
    /// inputs, then up to [`KEEP_DECISIONS`] without.
    pub kept_decisions: Vec<Decision>,
    cells: Vec<String>,
    /// The time cell of the event being written, reused so events do not allocate it.
    event_time: String,
}

/// Events kept in memory per group (autoscaler events; the rest) for the report.
pub const KEEP_EVENTS: usize = 2_000;
/// Decisions kept in memory for the report's decision log.
pub const KEEP_DECISIONS: usize = 2_000;
/// Decisions kept with their full inputs for the report's explain section.
pub const KEEP_DECISION_INPUTS: usize = 300;

impl CsvSink {
    /// Opens the two CSV files in `dir`.
    pub fn new(dir: &RunDir, keep_every: u64) -> std::io::Result<CsvSink> {
        let open = |name: &str| -> std::io::Result<csv::Writer<BufWriter<File>>> {
            Ok(csv::Writer::from_writer(BufWriter::with_capacity(
                1 << 16,
                File::create(dir.file(name))?,
            )))
        };
        let mut events = open("events.csv")?;
        events.write_record(["time_s", "source", "type", "reason", "message"])?;
        let mut decisions = BufWriter::new(File::create(dir.file("decisions.json"))?);
        decisions.write_all(b"[")?;
        Ok(CsvSink {
            series: open("timeseries.csv")?,
            events,
            columns: Vec::new(),
            kept_rows: Vec::new(),
            keep_every: keep_every.max(1),
            rows_seen: 0,
            kept_events: Vec::new(),
            max_events: 2 * KEEP_EVENTS,
            kept_by_group: [0, 0],
            events_written: 0,
            decisions,
            decisions_written: 0,
            kept_decisions: Vec::new(),
            cells: Vec::new(),
            event_time: String::new(),
        })
    }

    /// Closes `decisions.json` and flushes every file.
    pub fn finish(&mut self) -> std::io::Result<()> {
        self.decisions.write_all(if self.decisions_written == 0 {
            b"]\n"
        } else {
            b"\n]\n"
        })?;
        self.decisions.flush()?;
        self.series.flush()?;
        self.events.flush()
    }
}

impl Sink for CsvSink {
    fn columns(&mut self, names: &[String]) -> std::io::Result<()> {
        self.columns = names.to_vec();
        self.series.write_record(names)?;
        Ok(())
    }

    fn row(&mut self, values: &[f64]) -> std::io::Result<()> {
        // Reuse the cell buffers: no allocation per row once warmed up.
        self.cells.resize_with(values.len(), String::new);
        for (cell, v) in self.cells.iter_mut().zip(values) {
            cell.clear();
            write_num(cell, *v);
        }
        self.series.write_record(&self.cells)?;
        if self.rows_seen.is_multiple_of(self.keep_every) {
            self.kept_rows.push(values.to_vec());
        }
        self.rows_seen += 1;
        Ok(())
    }

    fn event(&mut self, e: &EventRow) -> std::io::Result<()> {
        self.event_time.clear();
        write_num(&mut self.event_time, e.time.as_secs_f64());
        self.events.write_record([
            self.event_time.as_str(),
            e.source,
            e.kind,
            e.reason.as_str(),
            e.message.as_str(),
        ])?;
        self.events_written += 1;
        // Keep the autoscalers' events and the rest in separate budgets, so pod churn cannot
        // crowd the decisions out of the report.
        let group = usize::from(!matches!(e.source, "hpa" | "keda" | "deployment"));
        if self.kept_by_group[group] < KEEP_EVENTS && self.kept_events.len() < self.max_events {
            self.kept_by_group[group] += 1;
            self.kept_events.push(e.clone());
        }
        Ok(())
    }

    fn decision(&mut self, d: &Decision) -> std::io::Result<()> {
        self.decisions.write_all(if self.decisions_written == 0 {
            b"\n"
        } else {
            b",\n"
        })?;
        serde_json::to_writer_pretty(&mut self.decisions, d)?;
        self.decisions_written += 1;
        if self.kept_decisions.len() < KEEP_DECISION_INPUTS {
            self.kept_decisions.push(d.clone());
        } else if self.kept_decisions.len() < KEEP_DECISIONS {
            self.kept_decisions.push(Decision {
                inputs: serde_json::Value::Null,
                ..d.clone()
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncommitted_runs_leave_nothing_and_commit_replaces() {
        let base = std::env::temp_dir().join(format!("scalesim-out-{}", std::process::id()));
        let target = base.join("run");
        {
            let d = RunDir::create(&target).unwrap();
            d.write("a.txt", b"x").unwrap();
        }
        assert!(!target.exists());
        assert_eq!(
            std::fs::read_dir(&base).unwrap().count(),
            0,
            "temporary removed"
        );
        let d = RunDir::create(&target).unwrap();
        d.write("a.txt", b"1").unwrap();
        d.commit().unwrap();
        let d = RunDir::create(&target).unwrap();
        d.write("b.txt", b"2").unwrap();
        d.commit().unwrap();
        assert!(!target.join("a.txt").exists(), "old run replaced whole");
        assert!(target.join("b.txt").exists());
        std::fs::remove_dir_all(&base).unwrap();
    }
}
