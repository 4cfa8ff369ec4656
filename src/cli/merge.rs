//! `scalesim merge`: combine shard directories of one sweep into a whole sweep directory
//! (results, points, sweep.json, heatmaps, Pareto chart; the compare overlay needs the
//! scenario, so it is left to `tune --from`).

use std::path::{Path, PathBuf};

use crate::tune::info::SweepInfo;
use crate::tune::merge::{merge, Part};
use crate::tune::objective::{parse_objectives, parse_slos};
use crate::tune::output::SweepResult;
use crate::tune::pareto::judge;
use crate::tune::results::aggregate;

use super::sweep::{ranking_table, write_dir};
use super::Failure;

/// Arguments of `merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Shard output directories, or directories holding them (e.g. the one `--shard` wrote
    /// `shard-I-of-N/` into).
    #[arg(value_name = "DIR", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the merged sweep.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// SLOs to judge points by (default: the shards').
    #[arg(long = "slo", value_name = "SLO")]
    pub slo: Vec<String>,
    /// Metrics to minimize (default: the shards' objectives).
    #[arg(long, value_name = "METRIC")]
    pub minimize: Vec<String>,
    /// Metrics to maximize.
    #[arg(long, value_name = "METRIC")]
    pub maximize: Vec<String>,
    /// Merge even when some shards are missing.
    #[arg(long = "allow-partial")]
    pub allow_partial: bool,
    /// Skip the charts.
    #[arg(long = "no-charts")]
    pub no_charts: bool,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
}

fn read_part(dir: &Path) -> Result<Part, Failure> {
    let read = |name: &str| {
        std::fs::read(dir.join(name))
            .map_err(|e| Failure::input(format!("error: {}: {e}", dir.join(name).display())))
    };
    let info: SweepInfo = serde_json::from_slice(&read("sweep.json")?).map_err(|e| {
        Failure::input(format!(
            "error: {}: not a sweep.json of this scalesim version: {e}",
            dir.join("sweep.json").display()
        ))
    })?;
    Ok(Part {
        name: dir.display().to_string(),
        info,
        results: read("results.csv")?,
    })
}

/// The shard directories under the inputs (a directory with `results.csv` is one; else its
/// subdirectories that have one, in name order).
fn shard_dirs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    for d in inputs {
        if d.join("results.csv").is_file() {
            out.push(d.clone());
            continue;
        }
        let entries = std::fs::read_dir(d)
            .map_err(|e| Failure::input(format!("error: {}: {e}", d.display())))?;
        let mut subs: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("results.csv").is_file())
            .collect();
        subs.sort();
        if subs.is_empty() {
            return Err(Failure::input(format!(
                "error: {}: no results.csv in it or in its subdirectories",
                d.display()
            )));
        }
        out.extend(subs);
    }
    Ok(out)
}

/// Runs the command.
pub fn cmd(args: &Args) -> Result<u8, Failure> {
    let parts: Vec<Part> = shard_dirs(&args.inputs)?
        .iter()
        .map(|d| read_part(d))
        .collect::<Result<_, _>>()?;
    let merged = merge(&parts, args.allow_partial)?;
    let mut info = merged.info;
    let (slo_texts, obj_given) = if args.slo.is_empty()
        && args.minimize.is_empty()
        && args.maximize.is_empty()
    {
        for p in &parts[1..] {
            if p.info.slos != parts[0].info.slos || p.info.objectives != parts[0].info.objectives {
                return Err(Failure::input(format!(
                    "error: {} and {} were judged by different SLOs or objectives; give --slo/--minimize/--maximize to merge them",
                    parts[0].name, p.name
                )));
            }
        }
        (info.slos.clone(), None)
    } else {
        (
            args.slo.clone(),
            Some((args.minimize.clone(), args.maximize.clone())),
        )
    };
    let slos = parse_slos(&slo_texts).map_err(|e| Failure::input(format!("error: {e}")))?;
    let objectives = match obj_given {
        Some((min, max)) => parse_objectives(&min, &max),
        None => {
            let min: Vec<String> = info
                .objectives
                .iter()
                .filter_map(|o| o.strip_prefix("minimize ").map(String::from))
                .collect();
            let max: Vec<String> = info
                .objectives
                .iter()
                .filter_map(|o| o.strip_prefix("maximize ").map(String::from))
                .collect();
            parse_objectives(&min, &max)
        }
    }
    .map_err(|e| Failure::input(format!("error: {e}")))?;
    info.slos = slos.iter().map(|s| s.text.clone()).collect();
    info.objectives = objectives.iter().map(|o| o.text()).collect();
    let judged = judge(aggregate(&merged.rows), &slos, &objectives);
    let result = SweepResult {
        info,
        params: merged.params,
        rows: merged.rows,
        judged,
        slos,
        objectives,
    };
    let files = result.files(!args.no_charts)?;
    write_dir(&args.out, &files)?;
    if !args.quiet {
        println!(
            "merged {} shard{}: {} points, {} simulations",
            parts.len(),
            if parts.len() == 1 { "" } else { "s" },
            result.judged.len(),
            result.rows.len()
        );
        print!("{}", ranking_table(&result, 10));
        println!("wrote {}", args.out.display());
    }
    Ok(0)
}
