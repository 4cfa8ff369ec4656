//! `scalesim compare`: several runs in one chart and one table, so "pollingInterval 3 vs 30"
//! is one picture.
//!
//! Either existing run directories (`scalesim compare reports/a reports/b`), or one scenario
//! run once per value of a key (`scalesim compare SCENARIO --vary KEY=v1,v2,...`), each value
//! a `--set` override exactly as `run` takes it.

use std::path::PathBuf;

use crate::report::{self, RunData};
use crate::scenario::LoadOptions;

use super::Failure;

/// Arguments of `compare`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Run directories written by `scalesim run`, or one scenario file with `--vary`.
    #[arg(value_name = "RUN_DIR|SCENARIO", required = true)]
    pub inputs: Vec<String>,
    /// Run the scenario once per value: `KEY=v1,v2,...` (a `--set` path).
    #[arg(long, value_name = "KEY=V1,V2,...")]
    pub vary: Option<String>,
    /// Extra overrides for every variant (like `run --set`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Labels for the runs (default: the settings that differ).
    #[arg(long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,
    /// Output directory (default: reports/compare/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the command.
pub fn cmd(args: &Args) -> Result<u8, Failure> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports/compare"));
    let (runs, mut labels) = match &args.vary {
        None => {
            let mut runs = Vec::new();
            for dir in &args.inputs {
                let run = RunData::load(std::path::Path::new(dir))
                    .map_err(|e| Failure::input(format!("error: {dir}: {e} (compare takes run directories written by `scalesim run`, or a scenario with --vary)")))?;
                runs.push(run);
            }
            (runs, Vec::new())
        }
        Some(vary) => {
            let [scenario] = args.inputs.as_slice() else {
                return Err(Failure::input(
                    "error: --vary takes exactly one scenario file",
                ));
            };
            let (key, values) = vary.split_once('=').ok_or_else(|| {
                Failure::input(format!("error: --vary {vary:?}: expected KEY=v1,v2,..."))
            })?;
            let values: Vec<&str> = values
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect();
            if values.len() < 2 {
                return Err(Failure::input(format!(
                    "error: --vary {vary:?}: give at least two values"
                )));
            }
            let base =
                std::env::temp_dir().join(format!("scalesim-compare-{}", std::process::id()));
            let mut runs = Vec::new();
            let mut labels = Vec::new();
            for (i, v) in values.iter().enumerate() {
                let mut overrides = args.set.clone();
                overrides.push(format!("{key}={v}"));
                let sc = super::run::load(
                    Some(scenario),
                    &LoadOptions {
                        overrides,
                        seed: None,
                    },
                )?;
                let dir = base.join(format!("run-{i}"));
                super::run::execute(&sc, &dir, false)?;
                let run =
                    RunData::load(&dir).map_err(|e| Failure::internal(format!("error: {e}")))?;
                runs.push(run);
                let short = key.rsplit([':', '.']).next().unwrap_or(key);
                labels.push(format!("{short}={v}"));
            }
            let _ = std::fs::remove_dir_all(&base);
            (runs, labels)
        }
    };
    if !args.labels.is_empty() {
        if args.labels.len() != runs.len() {
            return Err(Failure::input(format!(
                "error: {} labels for {} runs",
                args.labels.len(),
                runs.len()
            )));
        }
        labels = args.labels.clone();
    }
    let written = report::write_compare(&runs, &labels, &out)
        .map_err(|e| Failure::io(format!("error: {e}")))?;
    if !args.quiet {
        print!("{}", table(&runs, &labels));
        for p in written {
            println!("wrote {}", p.display());
        }
    }
    Ok(0)
}

/// The runs side by side on the terminal: what a person compares first.
fn table(runs: &[RunData], labels: &[String]) -> String {
    let num = |v: f64| crate::observe::fmt_num(crate::observe::round_sig(v, 4));
    let opt = |v: Option<f64>| v.map_or("-".to_string(), num);
    let header = [
        "run",
        "wait p50 s",
        "wait p95 s",
        "wait max s",
        "peak pods",
        "pod-s",
        "ups/downs",
        "lost",
        "drained at s",
    ];
    let rows: Vec<Vec<String>> = runs
        .iter()
        .zip(labels)
        .map(|(r, label)| {
            let s = &r.summary;
            vec![
                label.clone(),
                opt(s.wait_s.p50),
                opt(s.wait_s.p95),
                opt(s.wait_s.max),
                s.peak_replicas.to_string(),
                num(s.pod_seconds),
                format!("{}/{}", s.scale_ups, s.scale_downs),
                s.lost.to_string(),
                opt(s.drain_time_s),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let line = |cells: &[&str], out: &mut String| {
        for (c, cell) in cells.iter().enumerate() {
            if c == 0 {
                out.push_str(&format!("{cell:<w$}", w = widths[c]));
            } else {
                out.push_str(&format!("  {cell:>w$}", w = widths[c]));
            }
        }
        out.push('\n');
    };
    line(&header, &mut out);
    for r in &rows {
        line(&r.iter().map(String::as_str).collect::<Vec<_>>(), &mut out);
    }
    out
}
