//! `scalesim tune`: search the `--set` space for the best configuration under SLOs, report it
//! with the runners-up and their margins, and write the user's own manifests (and scenario)
//! with only the tuned fields changed, plus a diff, verified by re-loading and re-running them.
//!
//! Decisions:
//! * Seeds default to 3: a recommendation must hold on more than one lucky draw (every SLO
//!   must hold for every seed).
//! * With no objective, `--minimize pod_seconds`: the cheapest configuration that meets the
//!   SLOs. Several objectives make a Pareto front; the recommendation is the front point best
//!   on the first objective.
//! * The current configuration (the scenario with only the fixed overrides) is run too, so the
//!   recommendation is reported against it and overlaid with it in `best/compare.*`.
//! * When no point meets the SLOs, the sweep's files are still written, the closest point is
//!   reported with its shortfalls, nothing is patched, and the exit code is 1.
//! * `--from DIR` ranks an existing sweep directory (e.g. merged shards) instead of searching;
//!   its `sweep.json` must match the scenario's files.

use std::path::PathBuf;

use crate::output::RunDir;
use crate::tune::design::{grid_size, Point};
use crate::tune::exec::{with_pool, Study};
use crate::tune::info::{fingerprint, SweepInfo};
use crate::tune::metrics::metric_index;
use crate::tune::mirror::{tuned_tree, unified_diff};
use crate::tune::objective::{Objective, SloResult};
use crate::tune::output::{overlay, SweepResult};
use crate::tune::pareto::{by_rank, judge, judge_preferring, Judged};
use crate::tune::patch::{current_values, patch, Patch};
use crate::tune::plan::Plan;
use crate::tune::results::{aggregate, read_results, sort_rows, RunRow};
use crate::tune::search::local_search;
use crate::tune::space::{DesignKind, Param};
use crate::tune::summary::{delta, tune_report, Findings};
use crate::tune::values::parse_domain;
use crate::tune::verify::{verify, Verification};
use crate::tune::TuneError;

use super::sweep::{num, point_of, ranking_table, table, warn, Bar, SpaceArgs};
use super::Failure;

/// Arguments of `tune`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The search space and run flags.
    #[command(flatten)]
    pub space: SpaceArgs,
    /// Runners-up to report after the best point.
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub top: usize,
    /// Best points overlaid with the current configuration in best/compare.*.
    #[arg(long, value_name = "K", default_value_t = 3)]
    pub compare: usize,
    /// Rank the runs of an existing sweep directory (sweep or merge output) instead of
    /// searching; the parameters, seeds and design come from its sweep.json.
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
}

/// Runs the command.
pub fn cmd(args: &Args) -> Result<u8, Failure> {
    let sp = &args.space;
    let jobs = sp.jobs()?;
    let started = std::time::Instant::now();
    let (mut plan, prior) = match &args.from {
        Some(dir) => from_dir(args, dir)?,
        None => (Plan::new(&sp.request(3))?, None),
    };
    warn(&plan, sp.quiet);
    if plan.objectives.is_empty() {
        plan.objectives = vec![Objective {
            metric: metric_index("pod_seconds").expect("known"),
            maximize: false,
        }];
        plan.info.objectives = vec!["minimize pod_seconds".into()];
    }
    if plan.slos.is_empty() && !sp.quiet {
        eprintln!("warning: no --slo: the best point is simply the one best on {} (say what the workload needs, e.g. --slo 'wait_p95_s<=60')", plan.objectives[0].name());
    }
    let seeds = plan.study.seeds as u64;
    // The values in the user's files: among equally good points, the smaller change wins.
    let keys: Vec<String> = plan.study.params.iter().map(|p| p.key.clone()).collect();
    let current = current_values(&plan.inputs, &keys);
    let baseline_study = Study {
        params: Vec::new(),
        ..plan.study.clone()
    };
    let baseline_point = Point {
        index: 0,
        values: Vec::new(),
    };
    let budget = match plan.design {
        DesignKind::Local(n) => {
            n.min(grid_size(&plan.study.params).map_err(|e| Failure::input(format!("error: {e}")))?)
        }
        _ => 0,
    };
    let (rows, baseline_rows) = match prior {
        Some(rows) => {
            let bar = Bar::new(!sp.quiet, seeds);
            let base = with_pool(jobs, || {
                baseline_study.run(std::slice::from_ref(&baseline_point), &|| bar.tick())
            })??;
            bar.done();
            (rows, base)
        }
        None => {
            let points = match plan.design {
                DesignKind::Local(_) => {
                    let n = grid_size(&plan.study.params)
                        .map_err(|e| Failure::input(format!("error: {e}")))?;
                    plan.set_points(n);
                    Vec::new()
                }
                _ => plan.points()?,
            };
            let total = (points.len().max(budget) as u64 + 1) * seeds;
            let bar = Bar::new(!sp.quiet, total);
            let tick = || bar.tick();
            let out = with_pool(jobs, || -> Result<_, TuneError> {
                let base = baseline_study.run(std::slice::from_ref(&baseline_point), &tick)?;
                let rows = match plan.design {
                    DesignKind::Local(n) => local_search(
                        &plan.study,
                        n,
                        plan.design_seed,
                        &plan.slos,
                        &plan.objectives,
                        &current,
                        &tick,
                    )?,
                    _ => {
                        plan.study.validate(&points)?;
                        let mut r = plan.study.run(&points, &tick)?;
                        sort_rows(&mut r);
                        r
                    }
                };
                Ok((rows, base))
            })??;
            bar.done();
            out
        }
    };
    let judged = judge_preferring(aggregate(&rows), &plan.slos, &plan.objectives, &current);
    let baseline = judge(aggregate(&baseline_rows), &plan.slos, &plan.objectives).remove(0);
    let result = SweepResult {
        info: plan.info.clone(),
        params: plan.study.params.clone(),
        rows,
        judged,
        slos: plan.slos.clone(),
        objectives: plan.objectives.clone(),
    };
    let mut files = with_pool(jobs, || result.files(!sp.no_charts))??;
    let ranked = by_rank(&result.judged);
    let best = ranked.first().copied().filter(|b| b.feasible);
    let target = sp
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(format!("{}-tune", plan.base.name)));
    let io =
        |e: std::io::Error| Failure::io(format!("error: cannot write {}: {e}", target.display()));

    let mut the_patch = Patch::default();
    let mut tuned_scenario = None;
    if let Some(b) = best {
        let overrides = plan.study.overrides(&point_of(b));
        the_patch =
            patch(&plan.inputs, &overrides).map_err(|e| Failure::input(format!("error: {e}")))?;
        let (tree, scen) = tuned_tree(&plan.inputs, &the_patch);
        files.extend(
            tree.into_iter()
                .map(|(rel, bytes)| (format!("tuned/{rel}"), bytes)),
        );
        files.push(("tuned.diff".into(), unified_diff(&the_patch).into_bytes()));
        tuned_scenario = Some(scen);
    }
    if !sp.no_charts {
        let mut shown: Vec<(String, &Study, Point)> =
            vec![("current".into(), &baseline_study, baseline_point.clone())];
        for j in ranked
            .iter()
            .filter(|j| j.summary.errors() == 0)
            .take(args.compare)
        {
            let p = point_of(j);
            shown.push((
                format!("#{} {}", j.rank, p.label(&plan.study.params)),
                &plan.study,
                p,
            ));
        }
        if shown.len() > 1 {
            let ov = with_pool(jobs, || overlay(&shown))??;
            files.extend(ov.into_iter().map(|(n, b)| (format!("best/{n}"), b)));
        }
    }

    let dir = RunDir::create(&target).map_err(io)?;
    for (name, bytes) in &files {
        let path = dir.file(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, bytes).map_err(io)?;
    }
    let verification = match (best, &tuned_scenario) {
        (Some(b), Some(scen)) => {
            let path = dir.file(&format!("tuned/{scen}"));
            let seeds: Vec<u64> = b.summary.seeds.clone();
            let v = with_pool(jobs, || {
                verify(&path.to_string_lossy(), &seeds, &b.summary.runs, &plan.slos)
            })??;
            Some(Verification {
                scenario: format!("{}/tuned/{scen}", target.display()),
                ..v
            })
        }
        _ => None,
    };
    let report = tune_report(
        &Findings {
            scenario: &result.info.scenario,
            design: &result.info.design,
            slos: &result.info.slos,
            objectives: &result.objectives,
            params: &result.params,
            judged: &result.judged,
            current: &baseline,
            changes: &the_patch.changes,
            verification: verification.as_ref(),
        },
        args.top,
    );
    let mut text = serde_json::to_vec_pretty(&report).expect("json");
    text.push(b'\n');
    dir.write("tune.json", &text).map_err(io)?;
    if let Some(v) = &verification {
        if !v.reproduces || !v.pass {
            // Keep nothing that is wrong: the directory is dropped uncommitted.
            return Err(Failure::internal(format!(
                "error: the patched files do not reproduce the tuned run ({}); nothing was written (a bug: please report it)",
                v.difference.clone().unwrap_or_else(|| "an SLO fails when re-run".into())
            )));
        }
    }
    dir.commit().map_err(io)?;
    if !sp.quiet {
        print!(
            "{}",
            summary_text(
                &result,
                &baseline,
                best,
                ranked.first().copied(),
                &the_patch,
                verification.as_ref(),
                args.top,
                &target
            )
        );
        println!("  ({:.1}s)", started.elapsed().as_secs_f64());
    }
    Ok(if best.is_some() { 0 } else { 1 })
}

/// `--from DIR`: the plan from the directory's sweep.json and its rows.
fn from_dir(args: &Args, dir: &std::path::Path) -> Result<(Plan, Option<Vec<RunRow>>), Failure> {
    let sp = &args.space;
    if !sp.set.is_empty()
        || !sp.set_literal.is_empty()
        || sp.sweep_file.is_some()
        || sp.design.is_some()
        || sp.seeds.is_some()
        || sp.seed.is_some()
    {
        return Err(Failure::input("error: --from takes the parameters, fixed overrides, seeds and design from DIR/sweep.json; drop --set, --set-literal, --sweep-file, --design, --seeds and --seed"));
    }
    let read = |name: &str| {
        std::fs::read(dir.join(name))
            .map_err(|e| Failure::input(format!("error: {}: {e}", dir.join(name).display())))
    };
    let info: SweepInfo = serde_json::from_slice(&read("sweep.json")?)
        .map_err(|e| Failure::input(format!("error: {}: {e}", dir.join("sweep.json").display())))?;
    if info.shard.is_some() {
        return Err(Failure::input(format!(
            "error: {} is one shard ({}); merge the shards first (scalesim merge)",
            dir.display(),
            info.shard.clone().unwrap_or_default()
        )));
    }
    let (keys, rows) = read_results(
        &read("results.csv")?,
        &dir.join("results.csv").display().to_string(),
    )
    .map_err(|e| Failure::input(format!("error: {e}")))?;
    let mut req = sp.request(info.seeds);
    req.set_literal = info.fixed.clone();
    req.seed = Some(info.base_seed);
    req.seeds = Some(info.seeds);
    // Without SLOs or objectives on the command line, the sweep's own.
    if req.slos.is_empty() && req.minimize.is_empty() && req.maximize.is_empty() {
        req.slos = info.slos.clone();
        for o in &info.objectives {
            match o.split_once(' ') {
                Some(("minimize", m)) => req.minimize.push(m.to_string()),
                Some(("maximize", m)) => req.maximize.push(m.to_string()),
                _ => {}
            }
        }
    }
    let mut plan = Plan::new(&req)?;
    plan.study.params = info
        .parameters
        .iter()
        .map(|p| {
            parse_domain(&p.values).map(|domain| Param {
                key: p.key.clone(),
                domain,
            })
        })
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::input(format!("error: {}: {e}", dir.join("sweep.json").display())))?;
    if keys
        != plan
            .study
            .params
            .iter()
            .map(|p| p.key.clone())
            .collect::<Vec<_>>()
    {
        return Err(Failure::input(format!(
            "error: {}: results.csv and sweep.json disagree on the parameters",
            dir.display()
        )));
    }
    if fingerprint(plan.inputs.fingerprint(), &info) != info.fingerprint {
        return Err(Failure::input(format!(
            "error: {} was swept from other files than {} (or they changed since): the fingerprints differ",
            dir.display(),
            plan.study.scenario
        )));
    }
    let slos = plan.info.slos.clone();
    let objectives = plan.info.objectives.clone();
    plan.info = SweepInfo {
        slos,
        objectives,
        ..info
    };
    plan.design = DesignKind::parse(&plan.info.design).unwrap_or(DesignKind::Grid);
    Ok((plan, Some(rows)))
}

fn slo_lines(results: &[SloResult], seeds: &[u64]) -> Vec<Vec<String>> {
    results
        .iter()
        .map(|r| {
            let at = match (r.replicate, seeds.len()) {
                (Some(i), n) if n > 1 => format!(" (seed {})", seeds[i]),
                _ => String::new(),
            };
            vec![
                (if r.pass { "meets" } else { "FAILS" }).to_string(),
                r.slo.clone(),
                format!("worst {}{at}", num(r.value)),
                match r.margin {
                    Some(m) if m >= 0.0 => format!("margin {}", num(Some(m))),
                    Some(m) => format!("misses by {}", num(Some(-m))),
                    None => "no value".into(),
                },
            ]
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn summary_text(
    r: &SweepResult,
    baseline: &Judged,
    best: Option<&Judged>,
    first: Option<&Judged>,
    p: &Patch,
    v: Option<&Verification>,
    top: usize,
    target: &std::path::Path,
) -> String {
    let mut out = format!(
        "tune {}: {} points × {} seed{} ({}), SLOs: {}; {}\n",
        r.info.scenario,
        r.judged.len(),
        r.info.seeds,
        if r.info.seeds == 1 { "" } else { "s" },
        r.info.design,
        if r.slos.is_empty() {
            "none".to_string()
        } else {
            r.info.slos.join(", ")
        },
        r.info.objectives.join(", ")
    );
    let seeds = &baseline.summary.seeds;
    let shown = best.or(first);
    if let Some(b) = shown {
        let label = point_of(b).label(&r.params);
        if best.is_some() {
            out.push_str(&format!("\nbest: {label}  (point {})\n", b.summary.point));
        } else {
            out.push_str(&format!(
                "\nno point meets every SLO; the closest: {label}  (point {})\n",
                b.summary.point
            ));
        }
        let mut rows = Vec::new();
        for o in &r.objectives {
            let a = &b.summary.aggs[o.metric];
            let cur = baseline.summary.mean(o.metric);
            let d = delta(a.mean, cur).map_or(String::new(), |d| {
                format!(
                    ", {}{}%",
                    if d >= 0.0 { "+" } else { "" },
                    num(Some(100.0 * d))
                )
            });
            rows.push(vec![
                o.text(),
                format!(
                    "{}{}",
                    num(a.mean),
                    a.sd.map_or(String::new(), |s| format!(" ± {}", num(Some(s))))
                ),
                format!("(current manifests: {}{d})", num(cur)),
            ]);
        }
        out.push_str(&table(&rows));
        out.push_str(&table(&slo_lines(&b.slos, seeds)));
        if !baseline.slos.is_empty() {
            let failing: Vec<&str> = baseline
                .slos
                .iter()
                .filter(|s| !s.pass)
                .map(|s| s.slo.as_str())
                .collect();
            out.push_str(&format!(
                "  current manifests: {}\n",
                if failing.is_empty() {
                    "meet every SLO".to_string()
                } else {
                    format!("fail {}", failing.join(", "))
                }
            ));
        }
    }
    out.push_str("\nranking (best first):\n");
    out.push_str(&ranking_table(r, top + 1));
    if best.is_some() && p.changes.is_empty() {
        out.push_str("\nno changes: your files already hold the best values found\n");
    } else if best.is_some() {
        out.push_str(&format!(
            "\nchanges ({}/tuned/ holds the files, tuned.diff applies to yours):\n",
            target.display()
        ));
        let rows: Vec<Vec<String>> = p
            .changes
            .iter()
            .map(|c| {
                vec![
                    format!("{}:{}", c.file, c.line),
                    c.object.clone(),
                    c.path.clone(),
                    format!(
                        "{} -> {}",
                        c.old.clone().unwrap_or_else(|| "(absent)".into()),
                        c.new
                    ),
                ]
            })
            .collect();
        out.push_str(&table(&rows));
    }
    if let Some(v) = v {
        out.push_str(&format!(
            "verified: {} re-run with seeds {} reproduces the tuned runs and meets every SLO\n",
            v.scenario,
            v.seeds
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out.push_str(&format!("wrote {}", target.display()));
    out
}
