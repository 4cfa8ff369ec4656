//! Running points: every (point, seed) is an independent, single-threaded simulation; they run
//! in parallel on a rayon pool of `--jobs` threads and are collected in job order
//! (`into_par_iter().map().collect()` keeps order), so results do not depend on `--jobs`.
//!
//! Replicate `i` of a point runs with seed `base + i` (wrapping), where `base` is the
//! scenario's seed (`spec.seed`, or `--seed`): replicate 0 is exactly what `scalesim run` with
//! the same `--set` values simulates.

use std::panic::{catch_unwind, AssertUnwindSafe};

use rayon::prelude::*;

use crate::observe::{EventRow, MemorySink, Sink};
use crate::scenario::{self, LoadOptions, Scenario, Source};
use crate::sim::SimError;

use super::design::Point;
use super::metrics::Metrics;
use super::results::RunRow;
use super::space::Param;
use super::TuneError;

/// What a sweep runs: a scenario, fixed overrides, parameters and seeds.
#[derive(Clone, Debug)]
pub struct Study {
    /// Where the scenario's files come from.
    pub source: Source,
    /// Scenario path.
    pub scenario: String,
    /// Fixed `KEY=VALUE` overrides, applied before each point's.
    pub fixed: Vec<String>,
    /// Swept parameters.
    pub params: Vec<Param>,
    /// Seeds per point.
    pub seeds: u32,
    /// Seed of replicate 0.
    pub base_seed: u64,
}

/// A sink that keeps nothing: sweeps only need the summary.
struct NullSink;

impl Sink for NullSink {
    fn columns(&mut self, _: &[String]) -> std::io::Result<()> {
        Ok(())
    }
    fn row(&mut self, _: &[f64]) -> std::io::Result<()> {
        Ok(())
    }
    fn event(&mut self, _: &EventRow) -> std::io::Result<()> {
        Ok(())
    }
}

impl Study {
    /// The seed of replicate `i`.
    pub fn seed(&self, replicate: u32) -> u64 {
        self.base_seed.wrapping_add(replicate as u64)
    }

    /// Every override of a point: the fixed ones, then the point's.
    pub fn overrides(&self, p: &Point) -> Vec<String> {
        let mut o = self.fixed.clone();
        o.extend(p.overrides(&self.params));
        o
    }

    /// Loads the scenario of a point under a seed.
    pub fn load(&self, p: &Point, seed: u64) -> Result<Scenario, TuneError> {
        scenario::load(
            &self.source,
            &self.scenario,
            &LoadOptions {
                overrides: self.overrides(p),
                seed: Some(seed),
            },
        )
        .map_err(|d| {
            TuneError::Input(format!(
                "{}\n(at point {}: {})",
                d,
                p.index,
                p.label(&self.params)
            ))
        })
    }

    /// Loads every point once, in parallel; the first few errors, in point order, if any.
    pub fn validate(&self, points: &[Point]) -> Result<(), TuneError> {
        let errors: Vec<String> = points
            .par_iter()
            .map(|p| match self.load(p, self.base_seed) {
                Ok(_) => None,
                Err(e) => Some(e.to_string()),
            })
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect();
        match errors.len() {
            0 => Ok(()),
            n => {
                let mut msg = errors[..n.min(3)].join("\n");
                if n > 3 {
                    msg.push_str(&format!("\n... and {} more points with errors", n - 3));
                }
                Err(TuneError::Input(msg))
            }
        }
    }

    /// Runs every point for every seed (in the current rayon pool); `tick` is called after
    /// each simulation (for a progress bar). Rows come back in (point order, replicate) order.
    pub fn run(
        &self,
        points: &[Point],
        tick: &(dyn Fn() + Sync),
    ) -> Result<Vec<RunRow>, TuneError> {
        let jobs: Vec<(usize, u32)> = (0..points.len())
            .flat_map(|i| (0..self.seeds).map(move |r| (i, r)))
            .collect();
        let rows: Vec<Result<RunRow, TuneError>> = jobs
            .into_par_iter()
            .map(|(i, r)| {
                let row = self.run_one(&points[i], r);
                tick();
                row
            })
            .collect();
        rows.into_iter().collect()
    }

    /// One simulation.
    pub fn run_one(&self, p: &Point, replicate: u32) -> Result<RunRow, TuneError> {
        let seed = self.seed(replicate);
        let sc = self.load(p, seed)?;
        let outcome = match simulate(&sc, &mut NullSink) {
            Ok(summary) => Ok(Metrics::from_summary(&summary)),
            Err(Failed::Sim(msg)) => Err(msg),
            Err(Failed::Internal(msg)) => {
                return Err(TuneError::Internal(format!(
                    "{msg}\n(at point {}: {}, seed {seed})",
                    p.index,
                    p.label(&self.params)
                )))
            }
        };
        Ok(RunRow {
            point: p.index,
            replicate,
            seed,
            values: p.values.clone(),
            outcome,
        })
    }

    /// One simulation keeping the series and events (for charts).
    pub fn run_full(
        &self,
        p: &Point,
        replicate: u32,
    ) -> Result<(Scenario, MemorySink, crate::sim::RunOutput), TuneError> {
        let sc = self.load(p, self.seed(replicate))?;
        let mut sink = MemorySink::default();
        let out = catch_unwind(AssertUnwindSafe(|| {
            crate::sim::run(&sc, &mut sink, &mut |_| {})
        }))
        .map_err(|_| {
            TuneError::Internal("the simulation panicked (a bug: please report it)".into())
        })?
        .map_err(|e| TuneError::Internal(format!("error: {e}")))?;
        Ok((sc, sink, out))
    }
}

/// Why a simulation did not finish.
pub enum Failed {
    /// The configuration cannot run this load (too many tasks or pods, an engine limit): a
    /// property of the point, recorded in its row.
    Sim(String),
    /// A bug (conservation check, panic).
    Internal(String),
}

/// Simulates a loaded scenario into `sink`, turning panics into errors.
pub fn simulate(sc: &Scenario, sink: &mut dyn Sink) -> Result<crate::observe::Summary, Failed> {
    let r = catch_unwind(AssertUnwindSafe(|| crate::sim::run(sc, sink, &mut |_| {})));
    match r {
        Err(_) => Err(Failed::Internal(
            "error: the simulation panicked (a bug: please report it)".into(),
        )),
        Ok(Ok(out)) => Ok(out.summary),
        Ok(Err(e @ (SimError::Conservation { .. } | SimError::Io(_)))) => {
            Err(Failed::Internal(format!("error: {e}")))
        }
        Ok(Err(e)) => Err(Failed::Sim(e.to_string())),
    }
}

/// Simulates into a sink that keeps nothing.
pub fn simulate_summary(sc: &Scenario) -> Result<crate::observe::Summary, Failed> {
    simulate(sc, &mut NullSink)
}

/// Runs `f` on a pool of `jobs` threads (0: one per core).
pub fn with_pool<T: Send>(jobs: usize, f: impl FnOnce() -> T + Send) -> Result<T, TuneError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| TuneError::Internal(format!("error: cannot start {jobs} threads: {e}")))?;
    Ok(pool.install(f))
}
