//! From what the user asked (flags and sweep file) to a runnable plan: the scenario loaded
//! once with the fixed overrides (its name, seed and warnings), the parameters, the design, the
//! SLOs and objectives, the input files and the `sweep.json` describing it all.

use crate::scenario::files::{DEFAULT_SCENARIO, EMBEDDED};
use crate::scenario::{self, LoadOptions, Scenario, Source};

use super::design::{points, Point};
use super::exec::Study;
use super::info::{fingerprint, ParamInfo, SweepInfo};
use super::inputs::Inputs;
use super::objective::{parse_objectives, parse_slos, Objective, Slo};
use super::space::{
    check_fixed, check_unique, load_sweep_file, parse_param, DesignKind, SweepFile,
};
use super::TuneError;

/// Most seeds per point.
pub const MAX_SEEDS: u32 = 10_000;

/// What the user asked for (command-line flags, before validation).
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Scenario file (None: the sweep file's, else the built-in default).
    pub scenario: Option<String>,
    /// Sweep file.
    pub sweep_file: Option<String>,
    /// Swept `--set KEY=VALUES`.
    pub set: Vec<String>,
    /// Fixed `--set-literal KEY=VALUE`.
    pub set_literal: Vec<String>,
    /// `--seeds`.
    pub seeds: Option<u32>,
    /// `--seed` (base seed).
    pub seed: Option<u64>,
    /// `--design`.
    pub design: Option<String>,
    /// `--design-seed`.
    pub design_seed: Option<u64>,
    /// `--slo`.
    pub slos: Vec<String>,
    /// `--minimize`.
    pub minimize: Vec<String>,
    /// `--maximize`.
    pub maximize: Vec<String>,
    /// Seeds per point when neither flag nor file says.
    pub default_seeds: u32,
}

/// A validated plan.
#[derive(Clone, Debug)]
pub struct Plan {
    /// What to simulate.
    pub study: Study,
    /// How points are chosen.
    pub design: DesignKind,
    /// Seed of the design's draws.
    pub design_seed: u64,
    /// Constraints.
    pub slos: Vec<Slo>,
    /// Objectives as given (may be empty).
    pub objectives: Vec<Objective>,
    /// The scenario with the fixed overrides only.
    pub base: Scenario,
    /// The scenario's files.
    pub inputs: Inputs,
    /// `sweep.json` (with `points` and `fingerprint` set by [`Plan::points`]).
    pub info: SweepInfo,
}

/// Loads the scenario `path` (None: the built-in default) with overrides.
pub fn source_of(path: Option<&str>) -> (Source, String) {
    match path {
        Some(p) => (Source::Disk, p.to_string()),
        None => (Source::Embedded(EMBEDDED), DEFAULT_SCENARIO.to_string()),
    }
}

impl Plan {
    /// Builds a plan, reading the sweep file and loading the scenario once.
    pub fn new(req: &Request) -> Result<Plan, TuneError> {
        let input = TuneError::Input;
        let file: SweepFile = match &req.sweep_file {
            Some(f) => load_sweep_file(f).map_err(input)?,
            None => SweepFile::default(),
        };
        let scenario_path = req.scenario.clone().or(file.scenario.clone());
        let (source, path) = source_of(scenario_path.as_deref());
        let mut params = file.params.clone();
        for s in &req.set {
            params.push(parse_param(s).map_err(|e| input(format!("error: {e}")))?);
        }
        let mut fixed = file.fixed.clone();
        for s in &req.set_literal {
            fixed.push(check_fixed(s).map_err(|e| input(format!("error: --set-literal: {e}")))?);
        }
        check_unique(&params, &fixed).map_err(|e| input(format!("error: {e}")))?;
        // Seeds are the replicates' business: a `seed` override would be silently replaced.
        let keys = params
            .iter()
            .map(|p| p.key.as_str())
            .chain(fixed.iter().map(|f| super::space::key_of(f)));
        if let Some(k) = keys
            .into_iter()
            .find(|k| matches!(*k, "seed" | "spec.seed"))
        {
            return Err(input(format!(
                "error: {k}: the seed is set per replicate (seed + i); use --seeds N for more replicates and --seed S for the first"
            )));
        }
        let seeds = req.seeds.or(file.seeds).unwrap_or(req.default_seeds.max(1));
        if seeds == 0 || seeds > MAX_SEEDS {
            return Err(input(format!(
                "error: --seeds must be between 1 and {MAX_SEEDS}"
            )));
        }
        let mut slo_texts = file.slos.clone();
        slo_texts.extend(req.slos.iter().cloned());
        let slos = parse_slos(&slo_texts).map_err(|e| input(format!("error: {e}")))?;
        let objectives = if req.minimize.is_empty() && req.maximize.is_empty() {
            parse_objectives(&file.minimize, &file.maximize)
        } else {
            parse_objectives(&req.minimize, &req.maximize)
        }
        .map_err(|e| input(format!("error: {e}")))?;
        let design = match &req.design {
            Some(d) => DesignKind::parse(d).map_err(|e| input(format!("error: --design: {e}")))?,
            None => file.design.unwrap_or(DesignKind::Grid),
        };
        let base = scenario::load(
            &source,
            &path,
            &LoadOptions {
                overrides: fixed.clone(),
                seed: req.seed,
            },
        )
        .map_err(|d| input(d.to_string()))?;
        let design_seed = req.design_seed.or(file.design_seed).unwrap_or(base.seed);
        let inputs =
            Inputs::collect(&source, &path, &fixed).map_err(|e| input(format!("error: {e}")))?;
        let info = SweepInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: base.name.clone(),
            file: path.clone(),
            fingerprint: String::new(),
            base_seed: base.seed,
            seeds,
            design: design.text(),
            design_seed,
            parameters: params
                .iter()
                .map(|p| ParamInfo {
                    key: p.key.clone(),
                    values: p.domain.describe(),
                })
                .collect(),
            fixed: fixed.clone(),
            points: 0,
            shard: None,
            slos: slos.iter().map(|s| s.text.clone()).collect(),
            objectives: objectives.iter().map(|o| o.text()).collect(),
        };
        Ok(Plan {
            study: Study {
                source,
                scenario: path,
                fixed,
                params,
                seeds,
                base_seed: base.seed,
            },
            design,
            design_seed,
            slos,
            objectives,
            base,
            inputs,
            info,
        })
    }

    /// The design's points (grid, random or Latin hypercube); sets `info.points` and the
    /// fingerprint.
    pub fn points(&mut self) -> Result<Vec<Point>, TuneError> {
        let pts = points(&self.study.params, self.design, self.design_seed)
            .map_err(|e| TuneError::Input(format!("error: {e}")))?;
        self.set_points(pts.len());
        Ok(pts)
    }

    /// Records the design's size and computes the fingerprint.
    pub fn set_points(&mut self, n: usize) {
        self.info.points = n;
        self.info.fingerprint = fingerprint(self.inputs.fingerprint(), &self.info);
    }
}
