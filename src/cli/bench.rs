//! `scalesim bench`: how fast the simulator runs the standard benchmark scenarios.
//!
//! Each run simulates a scenario and formats every time-series row and event as CSV into a
//! discarding writer (what `run` writes, without the disk and without charts), and reports
//! simulated tasks per second, engine events per second, wall time and the process's peak
//! memory. Wall time is measured here, never inside the simulation, so results stay
//! deterministic.

use std::io::Write;
use std::time::Instant;

use crate::observe::{write_num, EventRow, Sink};
use crate::scenario::{self, LoadOptions, Source};

use super::Failure;

/// The benchmark scenarios, in order.
pub const SCENARIOS: &[&str] = &[
    "scenarios/bench/hour-20.yaml",
    "scenarios/bench/hour-200.yaml",
    "scenarios/bench/day-200.yaml",
];

/// Arguments of `bench`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Scenario files (default: the three shipped benchmark scenarios, embedded).
    #[arg(value_name = "SCENARIO")]
    pub scenarios: Vec<String>,
    /// Runs per scenario (the table shows the median wall time).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub runs: u32,
}

/// Formats rows and events like the CSV writer, into nowhere.
struct FormattingSink {
    out: std::io::BufWriter<std::io::Sink>,
    line: String,
    rows: u64,
    events: u64,
}

impl Sink for FormattingSink {
    fn columns(&mut self, names: &[String]) -> std::io::Result<()> {
        writeln!(self.out, "{}", names.join(","))
    }
    fn row(&mut self, values: &[f64]) -> std::io::Result<()> {
        self.line.clear();
        for v in values {
            write_num(&mut self.line, *v);
            self.line.push(',');
        }
        self.line.push('\n');
        self.rows += 1;
        self.out.write_all(self.line.as_bytes())
    }
    fn event(&mut self, e: &EventRow) -> std::io::Result<()> {
        self.events += 1;
        // Built like `row`, without core::fmt (the CSV writer of `run` does not use it either).
        self.line.clear();
        write_num(&mut self.line, e.time.as_secs_f64());
        for field in [e.source, e.kind, &e.reason, &e.message] {
            self.line.push(',');
            self.line.push_str(field);
        }
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())
    }
}

/// Peak resident memory of this process so far, in KiB (Linux `VmHWM`).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the command.
pub fn cmd(args: &Args) -> Result<u8, Failure> {
    let list: Vec<(Source, String)> = if args.scenarios.is_empty() {
        SCENARIOS
            .iter()
            .map(|s| (Source::Embedded(scenario::files::EMBEDDED), s.to_string()))
            .collect()
    } else {
        args.scenarios
            .iter()
            .map(|s| (Source::Disk, s.clone()))
            .collect()
    };
    println!(
        "{:<16} {:>12} {:>12} {:>10} {:>14} {:>14} {:>10}",
        "scenario", "tasks", "events", "wall s", "tasks/s", "events/s", "peak MiB"
    );
    for (source, path) in list {
        let sc = scenario::load(&source, &path, &LoadOptions::default())
            .map_err(|d| Failure::input(d.to_string()))?;
        // Linux: writing 5 to clear_refs resets the peak-RSS counter, so each scenario's peak
        // is its own.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let mut walls = Vec::new();
        let mut last = None;
        for _ in 0..args.runs.max(1) {
            let mut sink = FormattingSink {
                out: std::io::BufWriter::new(std::io::sink()),
                line: String::new(),
                rows: 0,
                events: 0,
            };
            let start = Instant::now();
            let out = crate::sim::run(&sc, &mut sink, &mut |_| {})?;
            walls.push(start.elapsed().as_secs_f64());
            last = Some(out.summary);
        }
        walls.sort_by(f64::total_cmp);
        let wall = walls[walls.len() / 2];
        let s = last.expect("at least one run");
        let peak =
            peak_rss_kib().map_or("n/a".to_string(), |k| format!("{:.1}", k as f64 / 1024.0));
        println!(
            "{:<16} {:>12} {:>12} {:>10.3} {:>14.0} {:>14.0} {:>10}",
            sc.name.trim_start_matches("bench-"),
            s.produced,
            s.events_processed,
            wall,
            s.produced as f64 / wall,
            s.events_processed as f64 / wall,
            peak
        );
    }
    Ok(0)
}
