//! Offline tuning: sweeps over `--set` values with replicates, SLOs and objectives, Pareto
//! fronts, a search for the best configuration, and the user's own manifests patched with it.
//!
//! The pieces, each a small module:
//! * [`values`] and [`space`]: value lists and ranges (`5..60:5`, `5s..60s:5s`), swept
//!   parameters, fixed overrides, sweep files.
//! * [`design`]: grid, random and Latin-hypercube points; shards.
//! * [`exec`]: running (point, seed) simulations in parallel, deterministically.
//! * [`metrics`], [`results`]: flat metric names, `results.csv`, `points.csv`, aggregates.
//! * [`objective`], [`pareto`]: SLOs, objectives, the Pareto front and the ranking.
//! * [`search`]: the seeded local search of `tune`.
//! * [`inputs`], [`patch`], [`mirror`]: the scenario's files, text patches that keep comments
//!   and order, and the self-contained tuned tree with its diff.
//! * [`charts`]: heatmaps and the Pareto front (the report module's look), and the compare
//!   overlay of the best points.
//! * [`info`], [`output`]: `sweep.json` and the files of a sweep directory.
//!
//! Determinism: the design depends only on the parameters and a seed; each simulation is
//! single-threaded and seeded `base + replicate`; parallel results are collected in job order;
//! no output holds wall-clock time. The same command gives byte-identical `results.csv`,
//! `points.csv` and `sweep.json` whatever `--jobs` is, and the merge of all shards gives the
//! unsharded sweep's files.

pub mod charts;
pub mod design;
pub mod exec;
pub mod info;
pub mod inputs;
pub mod merge;
pub mod metrics;
pub mod mirror;
pub mod objective;
pub mod output;
pub mod pareto;
pub mod patch;
pub mod plan;
pub mod results;
pub mod search;
pub mod space;
pub mod summary;
pub mod values;
pub mod verify;

use std::fmt;

/// Why a tuning command failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TuneError {
    /// Bad input or usage (exit 2).
    Input(String),
    /// A bug (exit 70).
    Internal(String),
    /// An output could not be written (exit 74).
    Io(String),
}

impl fmt::Display for TuneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TuneError::Input(m) | TuneError::Internal(m) | TuneError::Io(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for TuneError {}
