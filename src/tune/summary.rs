//! `tune.json`: the recommendation, the runners-up with their margins, the current
//! configuration, the fields changed and the verification, in a fixed key order (metrics in
//! `results.csv` order, parameters in sweep order) with values rounded like the CSV files.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::metrics::{canonical, METRIC_NAMES};
use super::objective::{Objective, SloResult};
use super::pareto::{by_rank, Judged};
use super::patch::FieldChange;
use super::space::Param;
use super::verify::Verification;

/// A JSON object whose keys keep their order.
#[derive(Clone, Debug, PartialEq)]
pub struct Ordered<V>(pub Vec<(String, V)>);

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Mean and spread of one metric.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AggJson {
    /// Mean across seeds.
    pub mean: Option<f64>,
    /// Sample standard deviation.
    pub sd: Option<f64>,
    /// Smallest.
    pub min: Option<f64>,
    /// Largest.
    pub max: Option<f64>,
}

/// One point in `tune.json`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PointReport {
    /// Rank (1 = best).
    pub rank: usize,
    /// Point index.
    pub point: usize,
    /// `--set` key -> value.
    pub parameters: Ordered<String>,
    /// Every seed ran and met every SLO.
    pub feasible: bool,
    /// SLO results (worst seed, margin).
    pub slos: Vec<SloResult>,
    /// Each objective's mean relative to the best point's (`0.05` = 5% more).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vs_best: Option<Ordered<Option<f64>>>,
    /// Every metric's aggregates.
    pub metrics: Ordered<AggJson>,
}

/// The configuration before tuning.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CurrentReport {
    /// It met every SLO.
    pub feasible: bool,
    /// SLO results.
    pub slos: Vec<SloResult>,
    /// Metrics.
    pub metrics: Ordered<AggJson>,
}

/// `tune.json`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TuneReport {
    /// Scenario name.
    pub scenario: String,
    /// Seeds every point ran with.
    pub seeds: Vec<u64>,
    /// SLOs.
    pub slos: Vec<String>,
    /// Objectives.
    pub objectives: Vec<String>,
    /// Design.
    pub design: String,
    /// Points simulated.
    pub points_evaluated: usize,
    /// The recommendation (null when no point meets the SLOs).
    pub best: Option<PointReport>,
    /// The point closest to meeting the SLOs, when none does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closest: Option<PointReport>,
    /// The next points in the ranking.
    pub runners_up: Vec<PointReport>,
    /// The current configuration (fixed overrides only).
    pub current: CurrentReport,
    /// Fields written into the tuned files.
    pub changes: Vec<FieldChange>,
    /// The re-run of the tuned files.
    pub verification: Option<Verification>,
}

fn round(v: Option<f64>) -> Option<f64> {
    v.map(canonical)
}

/// Every metric's aggregates, in `results.csv` order.
pub fn metrics_of(j: &Judged) -> Ordered<AggJson> {
    Ordered(
        METRIC_NAMES
            .iter()
            .zip(&j.summary.aggs)
            .map(|(n, a)| {
                (
                    n.to_string(),
                    AggJson {
                        mean: round(a.mean),
                        sd: round(a.sd),
                        min: round(a.min),
                        max: round(a.max),
                    },
                )
            })
            .collect(),
    )
}

/// Relative difference of `v` against `base`.
pub fn delta(v: Option<f64>, base: Option<f64>) -> Option<f64> {
    match (v, base) {
        (Some(v), Some(b)) if b != 0.0 => Some((v - b) / b.abs()),
        _ => None,
    }
}

/// A point's report; with `best`, its objectives relative to the best point's.
pub fn point_report(
    params: &[Param],
    objectives: &[Objective],
    j: &Judged,
    best: Option<&Judged>,
) -> PointReport {
    PointReport {
        rank: j.rank,
        point: j.summary.point,
        parameters: Ordered(
            params
                .iter()
                .zip(&j.summary.values)
                .map(|(p, v)| (p.key.clone(), v.clone()))
                .collect(),
        ),
        feasible: j.feasible,
        slos: j.slos.clone(),
        vs_best: best.map(|b| {
            Ordered(
                objectives
                    .iter()
                    .map(|o| {
                        (
                            o.name().to_string(),
                            round(delta(j.summary.mean(o.metric), b.summary.mean(o.metric))),
                        )
                    })
                    .collect(),
            )
        }),
        metrics: metrics_of(j),
    }
}

/// What `tune` found.
pub struct Findings<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Design text.
    pub design: &'a str,
    /// SLO texts.
    pub slos: &'a [String],
    /// Objectives.
    pub objectives: &'a [Objective],
    /// Parameters.
    pub params: &'a [Param],
    /// Every point judged.
    pub judged: &'a [Judged],
    /// The current configuration judged.
    pub current: &'a Judged,
    /// Fields written.
    pub changes: &'a [FieldChange],
    /// The re-run.
    pub verification: Option<&'a Verification>,
}

/// Builds `tune.json` with `top` runners-up.
pub fn tune_report(f: &Findings, top: usize) -> TuneReport {
    let ranked = by_rank(f.judged);
    let best = ranked.first().copied().filter(|b| b.feasible);
    TuneReport {
        scenario: f.scenario.to_string(),
        seeds: f.current.summary.seeds.clone(),
        slos: f.slos.to_vec(),
        objectives: f.objectives.iter().map(|o| o.text()).collect(),
        design: f.design.to_string(),
        points_evaluated: f.judged.len(),
        best: best.map(|b| point_report(f.params, f.objectives, b, None)),
        closest: if best.is_none() {
            ranked
                .first()
                .map(|c| point_report(f.params, f.objectives, c, None))
        } else {
            None
        },
        runners_up: ranked
            .iter()
            .skip(1)
            .take(top)
            .map(|j| point_report(f.params, f.objectives, j, best))
            .collect(),
        current: CurrentReport {
            feasible: f.current.feasible,
            slos: f.current.slos.clone(),
            metrics: metrics_of(f.current),
        },
        changes: f.changes.to_vec(),
        verification: f.verification.cloned(),
    }
}
