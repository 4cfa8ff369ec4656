//! Checking a tuned tree: load the patched scenario from disk as a user would
//! (`scalesim run <out>/tuned/<scenario> --seed S`), simulate every seed the point was tuned
//! with, and require (1) the same metrics as the tuned point's runs, bit for bit, which proves
//! the patched files say exactly what was simulated, and (2) every SLO met.

use rayon::prelude::*;

use crate::scenario::{self, LoadOptions, Source};

use super::exec::{simulate_summary, Failed};
use super::metrics::{Metrics, METRIC_NAMES};
use super::objective::{Slo, SloResult};
use super::TuneError;

/// What the check found.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Verification {
    /// The scenario loaded (path in the output directory).
    pub scenario: String,
    /// Seeds run.
    pub seeds: Vec<u64>,
    /// Every seed's metrics equal the tuned point's.
    pub reproduces: bool,
    /// The first difference, when not.
    pub difference: Option<String>,
    /// SLO results over the seeds.
    pub slos: Vec<SloResult>,
    /// Every SLO met.
    pub pass: bool,
}

/// Loads `path` from disk for each seed and compares with `expected` (one per seed).
pub fn verify(
    path: &str,
    seeds: &[u64],
    expected: &[Result<Metrics, String>],
    slos: &[Slo],
) -> Result<Verification, TuneError> {
    let runs: Vec<Result<Result<Metrics, String>, TuneError>> = seeds
        .par_iter()
        .map(|&seed| {
            let sc = scenario::load(
                &Source::Disk,
                path,
                &LoadOptions {
                    overrides: vec![],
                    seed: Some(seed),
                },
            )
            .map_err(|d| {
                TuneError::Internal(format!("internal: the tuned scenario does not load:\n{d}"))
            })?;
            match simulate_summary(&sc) {
                Ok(s) => Ok(Ok(Metrics::from_summary(&s))),
                Err(Failed::Sim(m)) => Ok(Err(m)),
                Err(Failed::Internal(m)) => Err(TuneError::Internal(m)),
            }
        })
        .collect();
    let runs: Vec<Result<Metrics, String>> = runs.into_iter().collect::<Result<_, _>>()?;
    let mut difference = None;
    for ((seed, got), want) in seeds.iter().zip(&runs).zip(expected) {
        if got != want {
            let what = match (got, want) {
                (Ok(g), Ok(w)) => (0..METRIC_NAMES.len())
                    .find(|&i| g.get(i) != w.get(i))
                    .map(|i| {
                        format!(
                            "{}: {:?} instead of {:?}",
                            METRIC_NAMES[i],
                            g.get(i),
                            w.get(i)
                        )
                    })
                    .unwrap_or_default(),
                (g, w) => format!("{g:?} instead of {w:?}"),
            };
            difference = Some(format!("seed {seed}: {what}"));
            break;
        }
    }
    let results: Vec<SloResult> = slos
        .iter()
        .map(|s| {
            let per: Vec<Option<f64>> = runs
                .iter()
                .map(|r| r.as_ref().ok().and_then(|m| m.get(s.metric)))
                .collect();
            let mean = per
                .iter()
                .copied()
                .collect::<Option<Vec<f64>>>()
                .map(|v| v.iter().sum::<f64>() / v.len() as f64);
            s.evaluate(&per, mean)
        })
        .collect();
    Ok(Verification {
        scenario: path.to_string(),
        seeds: seeds.to_vec(),
        reproduces: difference.is_none(),
        difference,
        pass: results.iter().all(|r| r.pass) && runs.iter().all(|r| r.is_ok()),
        slos: results,
    })
}
