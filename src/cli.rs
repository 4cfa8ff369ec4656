//! The command line: `scalesim run`, and the subcommands built on it. The only module that
//! prints, shows progress and picks exit codes.
//!
//! Exit codes: 0 success; 1 a `check` found an SLO violated; 2 bad input or usage (the message
//! names file, line, column and field); 70 an internal error (a bug: please report it);
//! 74 an output could not be written.

pub mod bench;
pub mod check;
pub mod compare;
pub mod explain;
pub mod merge;
pub mod run;
pub mod sweep;
pub mod tune;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Deterministic simulator of queue-driven autoscaling (Celery on Kubernetes with KEDA or the HPA).
#[derive(Debug, Parser)]
#[command(name = "scalesim", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and write its time series, events, summary and report.
    Run(run::Args),
    /// Run a grid (or sampled design) of `--set` values for several seeds, in parallel:
    /// results.csv, points.csv, a Pareto front and heatmaps.
    Sweep(sweep::Args),
    /// Search the `--set` space for the cheapest configuration that meets the SLOs and write
    /// the user's manifests patched with it (plus a diff).
    Tune(tune::Args),
    /// Run a scenario and exit 1 if any SLO fails (for CI).
    Check(check::Args),
    /// Combine the output directories of sweep shards (`sweep --shard I/N`).
    Merge(merge::Args),
    /// Time the simulator on the benchmark scenarios (tasks/s, events/s, wall, peak memory).
    Bench(bench::Args),
    /// Overlay several runs (or one scenario with --vary) in one chart and one table.
    Compare(compare::Args),
    /// Every scaling decision of a run: its inputs and the rule that bound it.
    Explain(explain::Args),
}

/// An error with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    /// Process exit code.
    pub code: u8,
    /// What to print (already formatted; may span lines).
    pub message: String,
}

impl Failure {
    /// Bad input or usage (exit 2).
    pub fn input(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
    /// Output could not be written (exit 74).
    pub fn io(message: impl Into<String>) -> Self {
        Failure {
            code: 74,
            message: message.into(),
        }
    }
    /// A bug (exit 70).
    pub fn internal(message: impl Into<String>) -> Self {
        Failure {
            code: 70,
            message: message.into(),
        }
    }
}

impl From<crate::sim::SimError> for Failure {
    fn from(e: crate::sim::SimError) -> Self {
        use crate::sim::SimError::*;
        match e {
            Engine(_) | TooManyTasks { .. } | TooManyPods { .. } => {
                Failure::input(format!("error: {e}"))
            }
            Conservation { .. } => Failure::internal(format!("error: {e}")),
            Io(_) => Failure::io(format!("error: {e}")),
        }
    }
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::cmd(&args),
        Command::Sweep(args) => sweep::cmd(&args),
        Command::Tune(args) => tune::cmd(&args),
        Command::Check(args) => check::cmd(&args),
        Command::Merge(args) => merge::cmd(&args),
        Command::Bench(args) => bench::cmd(&args),
        Command::Compare(args) => compare::cmd(&args),
        Command::Explain(args) => explain::cmd(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("{}", f.message);
            ExitCode::from(f.code)
        }
    }
}
