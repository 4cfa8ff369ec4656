//! `scalesim run`: load, simulate, write the run directory, print a summary.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::diag::Diagnostics;
use crate::observe::Summary;
use crate::output::{CsvSink, RunDir};
use crate::scenario::files::{DEFAULT_SCENARIO, EMBEDDED};
use crate::scenario::{self, LoadOptions, Scenario, Source};
use crate::time::SimTime;

use super::Failure;

/// Arguments of `run`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Scenario file (default: the built-in seed-000 KEDA + Redis burst scenario).
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,
    /// Output directory (default: reports/<scenario name>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Master seed (overrides spec.seed).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Override a Scenario field (`load.0.rate=50`) or a manifest field
    /// (`ScaledObject/name:spec.pollingInterval=5`). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Print nothing on success (errors still go to stderr).
    #[arg(long, short)]
    pub quiet: bool,
    /// Summary format on stdout.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// Output format of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Text,
    /// `summary.json` on stdout, for machines.
    Json,
}

/// Loads a scenario from a path, or the embedded default when `None`.
pub fn load(path: Option<&str>, opts: &LoadOptions) -> Result<Scenario, Failure> {
    let r = match path {
        Some(p) => scenario::load(&Source::Disk, p, opts),
        None => scenario::load(&Source::Embedded(EMBEDDED), DEFAULT_SCENARIO, opts),
    };
    r.map_err(|d: Diagnostics| Failure::input(d.to_string()))
}

/// Runs the command.
pub fn cmd(args: &Args) -> Result<u8, Failure> {
    let opts = LoadOptions {
        overrides: args.set.clone(),
        seed: args.seed,
    };
    let sc = load(args.scenario.as_deref(), &opts)?;
    if !args.quiet {
        for w in &sc.warnings {
            eprintln!("{w}");
        }
    }
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(&sc.name));
    let summary = execute(&sc, &target, !args.quiet)?;
    if !args.quiet {
        match args.format {
            Format::Json => println!(
                "{}",
                serde_json::to_string_pretty(&summary).expect("summary serializes")
            ),
            Format::Text => {
                let table: crate::report::Summary = crate::report::via_json(&summary, "summary")
                    .map_err(|e| Failure::internal(format!("error: {e}")))?;
                print!("{}", crate::report::summary_table(&table));
                println!("wrote {}  (report.html, charts, CSVs)", target.display());
            }
        }
    }
    Ok(0)
}

/// Simulates `sc` and writes its run directory at `target`; returns the summary.
pub fn execute(
    sc: &Scenario,
    target: &std::path::Path,
    progress: bool,
) -> Result<Summary, Failure> {
    let io =
        |e: std::io::Error| Failure::io(format!("error: cannot write {}: {e}", target.display()));
    let dir = RunDir::create(target).map_err(io)?;
    let samples = sc.duration.0 / sc.sample_interval.0.max(1) + 1;
    let mut sink = CsvSink::new(&dir, samples.div_ceil(4_000)).map_err(io)?;
    let bar = Progress::new(progress, sc.duration.as_secs());
    let out = crate::sim::run(sc, &mut sink, &mut |t: SimTime| bar.at(t))?;
    bar.done();
    sink.finish().map_err(io)?;
    let summary = out.summary;
    let json = serde_json::to_vec_pretty(&summary).expect("summary serializes");
    dir.write("summary.json", &json).map_err(io)?;
    let settings = serde_json::to_vec_pretty(&sc.settings).expect("settings serialize");
    dir.write("settings.json", &settings).map_err(io)?;
    let yaml = scenario_as_run(sc);
    dir.write("scenario.yaml", yaml.as_bytes()).map_err(io)?;
    let run = report_data(sc, &sink, &summary, yaml)?;
    crate::report::write_report(&run, &dir.file("")).map_err(|e| {
        Failure::io(format!(
            "error: cannot write the report in {}: {e}",
            target.display()
        ))
    })?;
    dir.commit().map_err(io)?;
    Ok(summary)
}

/// The run as the report module reads it, from what the sink kept in memory (a decimated
/// series for long runs, the first events) and the run's outputs.
pub fn report_data(
    sc: &Scenario,
    sink: &CsvSink,
    summary: &Summary,
    yaml: String,
) -> Result<crate::report::RunData, Failure> {
    use crate::report::{via_json, Event, RunData, TimeSeries};
    let internal = |e: crate::report::ReportError| {
        Failure::internal(format!("error: building the report: {e}"))
    };
    let series = TimeSeries::from_rows(&sink.columns, &sink.kept_rows).map_err(internal)?;
    let mut run = RunData::new(via_json(summary, "summary").map_err(internal)?, series);
    run.events = sink
        .kept_events
        .iter()
        .map(|e| {
            Event::new(
                e.time.as_secs_f64(),
                e.source,
                e.kind,
                &e.reason,
                &e.message,
            )
        })
        .collect();
    run.settings = via_json(&sc.settings, "settings").map_err(internal)?;
    run.decisions = via_json(&sink.kept_decisions, "decisions").map_err(internal)?;
    run.scenario_yaml = Some(yaml);
    Ok(run)
}

/// The scenario text with the overrides and seed that shaped the run.
fn scenario_as_run(sc: &Scenario) -> String {
    let mut s = format!("# scenario: {}\n# seed: {}\n", sc.file, sc.seed);
    for o in &sc.overrides {
        s.push_str(&format!("# --set {o}\n"));
    }
    s.push_str(&sc.text);
    s
}

/// A compact summary for the terminal.
pub fn summary_text(s: &Summary) -> String {
    let w = &s.wait_s;
    let mut out = String::new();
    out.push_str(&format!(
        "scenario  {}  seed {}  {:.0}s simulated\n",
        s.scenario, s.seed, s.duration_s
    ));
    out.push_str(&format!(
        "tasks     produced {}  completed {}  lost {}  duplicated {}  in flight at end {}\n",
        s.produced, s.completed, s.lost, s.duplicated, s.in_flight_at_end
    ));
    out.push_str(&format!(
        "wait      mean {:.2}s  p50 {:.2}s  p95 {:.2}s  p99 {:.2}s  max {:.2}s\n",
        w.mean, w.p50, w.p95, w.p99, w.max
    ));
    out.push_str(&format!(
        "scaling   peak replicas {}  scale-ups {}  scale-downs {}  pod-seconds {:.0}  max queue depth {}\n",
        s.peak_replicas, s.scale_ups, s.scale_downs, s.pod_seconds, s.max_queue_depth
    ));
    out.push_str(&format!(
        "drain     {}\n",
        s.drain_time_s
            .map_or("not drained by the end".to_string(), |d| format!(
                "backlog empty at {d:.0}s"
            ))
    ));
    out
}

/// A progress bar on stderr, shown only on a terminal and only once a run takes over a second.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: std::time::Instant,
}

impl Progress {
    fn new(enabled: bool, total_s: u64) -> Progress {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::with_draw_target(
                Some(total_s),
                indicatif::ProgressDrawTarget::hidden(),
            );
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} simulated {pos}s / {len}s [{bar:30}] {percent}% eta {eta}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            b
        });
        Progress {
            bar,
            started: std::time::Instant::now(),
        }
    }

    fn at(&self, t: SimTime) {
        if let Some(b) = &self.bar {
            if b.is_hidden() && self.started.elapsed().as_millis() > 1000 {
                b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            b.set_position(t.as_secs());
        }
    }

    fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
