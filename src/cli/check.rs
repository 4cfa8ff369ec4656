//! `scalesim check`: simulate a scenario (for one or more seeds) and judge it against SLOs, so
//! a CI pipeline can gate a change to the manifests on standard load scenarios.
//!
//! Exit 0 when every SLO holds for every seed, 1 when any fails (each failure printed with
//! the value, the seed and by how much it misses), 2 for bad input. A run that cannot finish
//! (more tasks in flight or pods than the scenario's limits allow) fails every SLO: the
//! configuration did not cope with the load.

use rayon::prelude::*;

use crate::tune::exec::{simulate_summary, with_pool, Failed};
use crate::tune::metrics::Metrics;
use crate::tune::objective::{parse_slos, SloResult};

use super::run::Format;
use super::sweep::num;
use super::Failure;

/// Arguments of `check`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Scenario file (default: the built-in seed-000 scenario).
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,
    /// An SLO: NAME OP NUMBER with OP one of <= < >= > == != (`wait_p95_s<=30`, `lost==0`,
    /// `drain_time_s<=10m`); `mean(NAME)<=X` judges the mean across seeds. Repeatable, or
    /// comma-separated.
    #[arg(long = "slo", value_name = "SLO", required = true)]
    pub slo: Vec<String>,
    /// Override a field, as `run --set` (no value lists). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Seed of the first run (default: the scenario's spec.seed).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Runs, with seeds seed, seed+1, ...; every one must meet every SLO.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seeds: u32,
    /// Parallel simulations (default: one per core).
    #[arg(long, short = 'j', value_name = "J")]
    pub jobs: Option<usize>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Print nothing (the exit code says it all).
    #[arg(long, short)]
    pub quiet: bool,
}

/// What `check --format json` prints.
#[derive(Debug, serde::Serialize)]
struct Report {
    scenario: String,
    seeds: Vec<u64>,
    pass: bool,
    slos: Vec<SloReport>,
    /// Runs that could not finish: (seed, why).
    errors: Vec<(u64, String)>,
}

#[derive(Debug, serde::Serialize)]
struct SloReport {
    #[serde(flatten)]
    result: SloResult,
    /// The seed of the reported value.
    seed: Option<u64>,
}

/// Runs the command.
pub fn cmd(args: &Args) -> Result<u8, Failure> {
    let slos = parse_slos(&args.slo).map_err(|e| Failure::input(format!("error: {e}")))?;
    if args.seeds == 0 || args.seeds > crate::tune::plan::MAX_SEEDS {
        return Err(Failure::input(format!(
            "error: --seeds must be between 1 and {}",
            crate::tune::plan::MAX_SEEDS
        )));
    }
    let jobs = match args.jobs {
        Some(0) => return Err(Failure::input("error: --jobs must be at least 1")),
        j => j.unwrap_or(0),
    };
    let opts = crate::scenario::LoadOptions {
        overrides: args.set.clone(),
        seed: args.seed,
    };
    let sc = super::run::load(args.scenario.as_deref(), &opts)?;
    if !args.quiet {
        for w in &sc.warnings {
            eprintln!("{w}");
        }
    }
    let seeds: Vec<u64> = (0..args.seeds as u64)
        .map(|i| sc.seed.wrapping_add(i))
        .collect();
    let runs: Vec<Result<Metrics, Failed>> = with_pool(jobs, || {
        seeds
            .par_iter()
            .map(|&seed| {
                let mut s = sc.clone();
                s.seed = seed;
                simulate_summary(&s).map(|m| Metrics::from_summary(&m))
            })
            .collect()
    })?;
    let mut metrics = Vec::new();
    let mut errors = Vec::new();
    for (seed, r) in seeds.iter().zip(runs) {
        match r {
            Ok(m) => metrics.push(Some(m)),
            Err(Failed::Sim(msg)) => {
                errors.push((*seed, msg));
                metrics.push(None);
            }
            Err(Failed::Internal(msg)) => return Err(Failure::internal(msg)),
        }
    }
    let results: Vec<SloReport> = slos
        .iter()
        .map(|s| {
            let per_seed: Vec<Option<f64>> = metrics
                .iter()
                .map(|m| m.as_ref().and_then(|m| m.get(s.metric)))
                .collect();
            let mean = per_seed
                .iter()
                .copied()
                .collect::<Option<Vec<f64>>>()
                .map(|v| v.iter().sum::<f64>() / v.len() as f64);
            let result = s.evaluate(&per_seed, mean);
            let seed = result.replicate.map(|i| seeds[i]);
            SloReport { result, seed }
        })
        .collect();
    let failed = results.iter().filter(|r| !r.result.pass).count();
    if !args.quiet {
        match args.format {
            Format::Json => {
                let rep = Report {
                    scenario: sc.name.clone(),
                    seeds: seeds.clone(),
                    pass: failed == 0,
                    slos: results,
                    errors,
                };
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rep).expect("report serializes")
                );
            }
            Format::Text => print!("{}", text(&sc.name, &seeds, &slos, &results, &errors)),
        }
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

fn text(
    name: &str,
    seeds: &[u64],
    slos: &[crate::tune::objective::Slo],
    results: &[SloReport],
    errors: &[(u64, String)],
) -> String {
    let mut out = format!(
        "check {name}: {} run{} (seed{} {})\n",
        seeds.len(),
        if seeds.len() == 1 { "" } else { "s" },
        if seeds.len() == 1 { "" } else { "s" },
        seeds
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (seed, e) in errors {
        out.push_str(&format!("  seed {seed} did not finish: {e}\n"));
    }
    let mut rows = Vec::new();
    for (s, r) in slos.iter().zip(results) {
        let res = &r.result;
        let what = match s.over {
            crate::tune::objective::Over::Mean => "mean".to_string(),
            crate::tune::objective::Over::Every if seeds.len() > 1 => format!(
                "worst (seed {})",
                r.seed.map_or("-".into(), |x| x.to_string())
            ),
            crate::tune::objective::Over::Every => "value".to_string(),
        };
        let value = res.value.map_or("no value".to_string(), |v| num(Some(v)));
        let margin = match res.margin {
            None => "fails: no value (not drained, or the run did not finish)".to_string(),
            Some(m) if res.pass => format!("margin {}", num(Some(m))),
            Some(m) => {
                let rel = if s.threshold != 0.0 {
                    format!(" ({}%)", num(Some(100.0 * m.abs() / s.threshold.abs())))
                } else {
                    String::new()
                };
                format!("fails by {}{rel}", num(Some(m.abs())))
            }
        };
        rows.push(vec![
            if res.pass {
                "PASS".into()
            } else {
                "FAIL".into()
            },
            s.text.clone(),
            format!("{what} {value}"),
            margin,
        ]);
    }
    out.push_str(&super::sweep::table(&rows));
    let failed = results.iter().filter(|r| !r.result.pass).count();
    if failed == 0 {
        out.push_str(&match results.len() {
            1 => "the SLO is met\n".to_string(),
            n => format!("all {n} SLOs met\n"),
        });
    } else {
        out.push_str(&format!("FAILED: {failed} of {} SLOs\n", results.len()));
    }
    out
}
