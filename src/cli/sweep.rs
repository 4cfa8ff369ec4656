//! `scalesim sweep`: run the cartesian product (or a sampled design) of `--set` values for
//! several seeds, in parallel, and write `results.csv`, `points.csv`, `sweep.json` and charts.
//! Also the flags, progress bar and tables `tune` shares.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::output::RunDir;
use crate::report::kit::format_number;
use crate::tune::design::{Point, Shard};
use crate::tune::exec::with_pool;
use crate::tune::metrics::METRIC_NAMES;
use crate::tune::output::{overlay, SweepResult};
use crate::tune::pareto::{by_rank, effective_objectives, judge, Judged};
use crate::tune::plan::{Plan, Request};
use crate::tune::results::{aggregate, sort_rows};
use crate::tune::TuneError;

use super::Failure;

/// The search space and run flags `sweep` and `tune` share.
#[derive(Debug, Clone, clap::Args)]
pub struct SpaceArgs {
    /// Scenario file (default: the sweep file's, else the built-in seed-000 scenario).
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,
    /// A swept parameter: the `--set` path of `run` and its values, comma-separated
    /// (`ScaledObject/so:spec.pollingInterval=1,3,5`), or a range `A..B:STEP` (`5..60:5`,
    /// `0.5..2:0.5`, `5s..60s:5s`); `A..B` without a step is an interval for random/lhs
    /// designs. Quote a value that contains commas (`KEY='"a,b"'`). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUES")]
    pub set: Vec<String>,
    /// A fixed override, never split on commas (like `run --set`). Repeatable.
    #[arg(long = "set-literal", value_name = "KEY=VALUE")]
    pub set_literal: Vec<String>,
    /// A sweep file (kind: Sweep) with parameters, design, seeds, SLOs and objectives.
    #[arg(long = "sweep-file", value_name = "FILE")]
    pub sweep_file: Option<String>,
    /// Seeds per point (default: 1 for sweep, 3 for tune); replicate i runs with seed + i.
    #[arg(long, value_name = "N")]
    pub seeds: Option<u32>,
    /// Seed of replicate 0 (default: the scenario's spec.seed).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Which points: grid (every combination), random:N, lhs:N (Latin hypercube), or for
    /// tune local:N (adaptive search, at most N points).
    #[arg(long, value_name = "DESIGN")]
    pub design: Option<String>,
    /// Seed of random, lhs and local designs (default: the scenario's seed).
    #[arg(long = "design-seed", value_name = "N")]
    pub design_seed: Option<u64>,
    /// Parallel simulations (default: one per core). Results do not depend on it.
    #[arg(long, short = 'j', value_name = "J")]
    pub jobs: Option<usize>,
    /// An SLO every seed must meet: NAME OP NUMBER, OP one of <= < >= > == != (e.g.
    /// `wait_p95_s<=30`, `lost==0`); `mean(NAME)<=X` judges the mean. Repeatable.
    #[arg(long = "slo", value_name = "SLO")]
    pub slo: Vec<String>,
    /// A metric to minimize (mean across seeds). Repeatable; several make a Pareto front.
    #[arg(long, value_name = "METRIC")]
    pub minimize: Vec<String>,
    /// A metric to maximize. Repeatable.
    #[arg(long, value_name = "METRIC")]
    pub maximize: Vec<String>,
    /// Output directory (default: reports/<scenario>-sweep, or -tune).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Skip the heatmaps, the Pareto chart and the compare overlay.
    #[arg(long = "no-charts")]
    pub no_charts: bool,
    /// Print nothing on success (errors still go to stderr).
    #[arg(long, short)]
    pub quiet: bool,
}

impl SpaceArgs {
    /// The request these flags make.
    pub fn request(&self, default_seeds: u32) -> Request {
        Request {
            scenario: self.scenario.clone(),
            sweep_file: self.sweep_file.clone(),
            set: self.set.clone(),
            set_literal: self.set_literal.clone(),
            seeds: self.seeds,
            seed: self.seed,
            design: self.design.clone(),
            design_seed: self.design_seed,
            slos: self.slo.clone(),
            minimize: self.minimize.clone(),
            maximize: self.maximize.clone(),
            default_seeds,
        }
    }

    /// Worker threads (0: one per core).
    pub fn jobs(&self) -> Result<usize, Failure> {
        match self.jobs {
            Some(0) => Err(Failure::input("error: --jobs must be at least 1")),
            Some(j) => Ok(j),
            None => Ok(0),
        }
    }
}

/// Arguments of `sweep`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The search space and run flags.
    #[command(flatten)]
    pub space: SpaceArgs,
    /// Run only shard I of N (0-based I, as JOB_COMPLETION_INDEX): points whose index is I
    /// modulo N. `scalesim merge` combines the shards' directories.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
}

impl From<TuneError> for Failure {
    fn from(e: TuneError) -> Failure {
        match e {
            TuneError::Input(m) => Failure::input(m),
            TuneError::Internal(m) => Failure::internal(m),
            TuneError::Io(m) => Failure::io(m),
        }
    }
}

/// A progress bar with an ETA on stderr, only on a terminal.
pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    /// A bar over `total` simulations.
    pub fn new(enabled: bool, total: u64) -> Bar {
        Bar((enabled && std::io::stderr().is_terminal() && total > 1).then(|| {
            let b = indicatif::ProgressBar::new(total);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {pos}/{len} simulations [{bar:30}] {percent}% elapsed {elapsed} eta {eta}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            b
        }))
    }

    /// One simulation done.
    pub fn tick(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }

    /// Grows the total (a local search learns its size as it goes).
    pub fn add(&self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc_length(n);
        }
    }

    /// Removes the bar.
    pub fn done(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// Writes named files into a run directory and commits it.
pub fn write_dir(target: &Path, files: &[(String, Vec<u8>)]) -> Result<(), Failure> {
    let io =
        |e: std::io::Error| Failure::io(format!("error: cannot write {}: {e}", target.display()));
    let dir = RunDir::create(target).map_err(io)?;
    for (name, bytes) in files {
        let path = dir.file(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, bytes).map_err(io)?;
    }
    dir.commit().map_err(io)?;
    Ok(())
}

/// Prints loading warnings unless quiet.
pub fn warn(plan: &Plan, quiet: bool) {
    if !quiet {
        for w in &plan.base.warnings {
            eprintln!("{w}");
        }
    }
}

/// Runs the command.
pub fn cmd(args: &Args) -> Result<u8, Failure> {
    let sp = &args.space;
    let jobs = sp.jobs()?;
    let shard = args
        .shard
        .as_deref()
        .map(Shard::parse)
        .transpose()
        .map_err(|e| Failure::input(format!("error: {e}")))?;
    let mut plan = Plan::new(&sp.request(1))?;
    if matches!(plan.design, crate::tune::space::DesignKind::Local(_)) {
        return Err(Failure::input("error: --design local:N searches for the best point; use it with `scalesim tune` (sweep runs grid, random:N or lhs:N)"));
    }
    warn(&plan, sp.quiet);
    let points = plan.points()?;
    let mine: Vec<Point> = points
        .iter()
        .filter(|p| shard.is_none_or(|s| s.owns(p)))
        .cloned()
        .collect();
    plan.info.shard = shard.map(|s| format!("{}/{}", s.index, s.count));
    let total = mine.len() as u64 * plan.study.seeds as u64;
    let bar = Bar::new(!sp.quiet, total);
    let started = std::time::Instant::now();
    let rows = with_pool(jobs, || -> Result<_, TuneError> {
        plan.study.validate(&mine)?;
        plan.study.run(&mine, &|| bar.tick())
    })??;
    bar.done();
    let mut rows = rows;
    sort_rows(&mut rows);
    let judged = judge(aggregate(&rows), &plan.slos, &plan.objectives);
    let result = SweepResult {
        info: plan.info.clone(),
        params: plan.study.params.clone(),
        rows,
        judged,
        slos: plan.slos.clone(),
        objectives: plan.objectives.clone(),
    };
    let mut files = with_pool(jobs, || result.files(!sp.no_charts))??;
    if !sp.no_charts && shard.is_none() {
        let best: Vec<(String, &crate::tune::exec::Study, Point)> = by_rank(&result.judged)
            .into_iter()
            .filter(|j| j.summary.errors() == 0)
            .take(3)
            .map(|j| {
                let p = point_of(j);
                (
                    format!("#{} {}", j.rank, p.label(&plan.study.params)),
                    &plan.study,
                    p,
                )
            })
            .collect();
        if best.len() > 1 {
            let ov = with_pool(jobs, || overlay(&best))??;
            files.extend(ov.into_iter().map(|(n, b)| (format!("best/{n}"), b)));
        }
    }
    let target = sp.out.clone().unwrap_or_else(|| match shard {
        Some(s) => PathBuf::from("reports")
            .join(format!("{}-sweep", plan.base.name))
            .join(format!("shard-{}-of-{}", s.index, s.count)),
        None => PathBuf::from("reports").join(format!("{}-sweep", plan.base.name)),
    });
    write_dir(&target, &files)?;
    if !sp.quiet {
        let secs = started.elapsed().as_secs_f64();
        println!(
            "sweep {}: {} point{} × {} seed{} = {} simulations ({}{}) in {secs:.1}s",
            plan.base.name,
            mine.len(),
            if mine.len() == 1 { "" } else { "s" },
            plan.study.seeds,
            if plan.study.seeds == 1 { "" } else { "s" },
            total,
            plan.design.text(),
            shard.map_or(String::new(), |s| format!(
                ", shard {}/{} of {} points",
                s.index,
                s.count,
                points.len()
            )),
        );
        print!("{}", ranking_table(&result, 10));
        println!(
            "wrote {}  (results.csv, points.csv, sweep.json{})",
            target.display(),
            if sp.no_charts { "" } else { ", charts" }
        );
    }
    Ok(0)
}

/// The point of a judged summary.
pub fn point_of(j: &Judged) -> Point {
    Point {
        index: j.summary.point,
        values: j.summary.values.clone(),
    }
}

/// A number for tables: up to 2 decimals below 100, whole above.
pub fn num(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(v) if v.abs() >= 100.0 => format_number(v, 0),
        Some(v) => format_number(v, 2),
    }
}

/// Aligns rows of cells into columns (two spaces apart, first row a header).
pub fn table(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(" ");
        for (c, cell) in r.iter().enumerate() {
            line.push(' ');
            line.push_str(cell);
            if c + 1 < r.len() {
                line.push_str(&" ".repeat(widths[c] - cell.chars().count() + 1));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The best `k` points: rank, parameters, objectives (mean ± sd), SLO margins.
pub fn ranking_table(r: &SweepResult, k: usize) -> String {
    let objs = effective_objectives(&r.objectives);
    let mut head: Vec<String> = vec!["rank".into()];
    head.extend(
        r.params
            .iter()
            .map(|p| crate::tune::design::short_key(&p.key).to_string()),
    );
    head.push(if r.slos.is_empty() {
        "front".into()
    } else {
        "meets SLOs".into()
    });
    head.extend(
        objs.iter()
            .map(|o| format!("{} (mean±sd)", METRIC_NAMES[o.metric])),
    );
    head.extend(r.slos.iter().map(|s| format!("margin {}", s.text)));
    let mut rows = vec![head];
    for j in by_rank(&r.judged).into_iter().take(k) {
        let p = &j.summary;
        let mut row = vec![j.rank.to_string()];
        row.extend(p.values.iter().cloned());
        row.push(if p.errors() > 0 {
            "error".into()
        } else if !r.slos.is_empty() {
            if j.feasible {
                "yes".into()
            } else {
                "no".into()
            }
        } else if j.pareto {
            "yes".into()
        } else {
            String::new()
        });
        for o in &objs {
            let a = &p.aggs[o.metric];
            row.push(match a.sd {
                Some(sd) => format!("{} ± {}", num(a.mean), num(Some(sd))),
                None => num(a.mean),
            });
        }
        row.extend(j.slos.iter().map(|s| num(s.margin)));
        rows.push(row);
    }
    let shown = rows.len() - 1;
    let mut out = table(&rows);
    if r.judged.len() > shown {
        out.push_str(&format!(
            "  ... {} more in points.csv\n",
            r.judged.len() - shown
        ));
    }
    out
}
