//! The in-memory form of a run directory, and its loader.
//!
//! Reading and writing the files is in `load.rs`; this module holds the types, the in-memory
//! constructors the simulator uses, and the consistency checks the renderers rely on.
//!
//! Time-series columns are stored column-wise as `f64` (a million samples of fifteen columns
//! stay compact and fast to scan); an empty CSV cell is stored as `f64::NAN`, meaning "no
//! value" (no task started in that interval, or the autoscaler has not read its metric yet).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::ReportError;

pub(crate) use crate::observe::FIXED_COLUMNS;

/// Everything a report shows about one run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunData {
    /// `summary.json`.
    pub summary: Summary,
    /// `timeseries.csv`.
    pub series: TimeSeries,
    /// `events.csv` (empty when the file is absent).
    pub events: Vec<Event>,
    /// `settings.json`: effective settings after defaults and overrides (may be empty).
    pub settings: Vec<Setting>,
    /// `decisions.json`: every scaling decision with its inputs (may be empty).
    pub decisions: Vec<Decision>,
    /// `scenario.yaml`: the scenario text as run, when available.
    pub scenario_yaml: Option<String>,
}

/// `summary.json`: the totals of a run. Unknown fields are kept in [`Summary::extra`] (sorted by
/// name) and shown in the HTML report, so new simulator fields appear without a code change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Seed of the run.
    pub seed: u64,
    /// Simulated duration in seconds.
    pub duration_s: f64,
    /// Tasks published.
    pub produced: u64,
    /// Tasks completed.
    pub completed: u64,
    /// Tasks lost (e.g. a pod killed while holding unacknowledged tasks without acks_late).
    pub lost: u64,
    /// Tasks executed more than once.
    pub duplicated: u64,
    /// Wait (publish to start) statistics over all started tasks, in seconds.
    pub wait_s: WaitStats,
    /// Largest queue depth seen.
    pub max_queue_depth: u64,
    /// Largest replica count (spec).
    pub peak_replicas: u64,
    /// Integral of running pods over time, in pod-seconds (the cost).
    pub pod_seconds: f64,
    /// Number of scale-up decisions.
    pub scale_ups: u64,
    /// Number of scale-down decisions.
    pub scale_downs: u64,
    /// Time from the end of the load to an empty queue, if the queue drained.
    pub drain_time_s: Option<f64>,
    /// Human-readable warnings about the run.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// What the configuration does that its author may not expect (`crate::advice`).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Fields this version does not know, by name.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Wait-time statistics in seconds; `None` (JSON `null`) when no task started.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WaitStats {
    /// Mean wait.
    #[serde(default)]
    pub mean: Option<f64>,
    /// Median wait.
    #[serde(default)]
    pub p50: Option<f64>,
    /// 95th percentile.
    #[serde(default)]
    pub p95: Option<f64>,
    /// 99th percentile.
    #[serde(default)]
    pub p99: Option<f64>,
    /// Longest wait.
    #[serde(default)]
    pub max: Option<f64>,
}

/// A named column of the time series (`queue_depth:<queue>` or `replicas:<deployment>`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Column {
    /// The part after the colon.
    pub name: String,
    /// One value per sample; `NAN` for an empty cell.
    pub values: Vec<f64>,
}

/// A `metric:<name>` column with its `target:<name>` column: the last value the autoscaler read
/// and its target (per replica for an AverageValue target).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricColumn {
    /// The metric name (e.g. `s0-redis-high_priority`).
    pub name: String,
    /// One value per sample; `NAN` before the first read.
    pub value: Vec<f64>,
    /// One target per sample; `NAN` when unknown.
    pub target: Vec<f64>,
}

/// `timeseries.csv`, column-wise. All vectors have one entry per sample; `NAN` marks an empty
/// cell. Time never goes backwards.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimeSeries {
    /// Sample time in seconds since the start of the scenario.
    pub time_s: Vec<f64>,
    /// Tasks waiting in the broker.
    pub queue_depth: Vec<f64>,
    /// Tasks prefetched by workers but not started.
    pub reserved: Vec<f64>,
    /// Tasks executing.
    pub running: Vec<f64>,
    /// Desired replicas (the Deployment's spec).
    pub replicas: Vec<f64>,
    /// Pods ready.
    pub pods_ready: Vec<f64>,
    /// Pods created but not ready.
    pub pods_starting: Vec<f64>,
    /// Pods terminating (draining).
    pub pods_terminating: Vec<f64>,
    /// Tasks published so far.
    pub produced_total: Vec<f64>,
    /// Tasks completed so far.
    pub completed_total: Vec<f64>,
    /// Tasks lost so far.
    pub lost_total: Vec<f64>,
    /// Duplicate executions so far.
    pub duplicated_total: Vec<f64>,
    /// Median wait of tasks that started in the interval ending at this sample.
    pub wait_p50_s: Vec<f64>,
    /// 95th percentile of those waits.
    pub wait_p95_s: Vec<f64>,
    /// Longest of those waits.
    pub wait_max_s: Vec<f64>,
    /// `queue_depth:<queue>` columns, in file order.
    pub queues: Vec<Column>,
    /// `metric:<name>` / `target:<name>` pairs, in order of first appearance.
    pub metrics: Vec<MetricColumn>,
    /// `replicas:<deployment>` columns, in file order.
    pub deployments: Vec<Column>,
}

/// One row's fixed columns, for building a [`TimeSeries`] in memory with [`TimeSeries::push`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sample {
    /// Seconds since the start.
    pub time_s: f64,
    /// Tasks waiting in the broker.
    pub queue_depth: f64,
    /// Tasks prefetched by workers.
    pub reserved: f64,
    /// Tasks executing.
    pub running: f64,
    /// Desired replicas.
    pub replicas: f64,
    /// Pods ready.
    pub pods_ready: f64,
    /// Pods starting.
    pub pods_starting: f64,
    /// Pods terminating.
    pub pods_terminating: f64,
    /// Tasks published so far.
    pub produced_total: f64,
    /// Tasks completed so far.
    pub completed_total: f64,
    /// Tasks lost so far.
    pub lost_total: f64,
    /// Duplicate executions so far.
    pub duplicated_total: f64,
    /// Median wait of tasks started in the interval, if any started.
    pub wait_p50_s: Option<f64>,
    /// p95 wait of tasks started in the interval.
    pub wait_p95_s: Option<f64>,
    /// Longest wait of tasks started in the interval.
    pub wait_max_s: Option<f64>,
}

/// One row of `events.csv`, in the words of `kubectl get events`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Seconds since the start.
    pub time_s: f64,
    /// `pod`, `hpa`, `keda`, `broker`, `worker`, `deployment` or `load`.
    pub source: String,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Machine-readable reason (`SuccessfulRescale`, `KEDAScaleTargetActivated`, ...).
    pub reason: String,
    /// Human-readable message.
    pub message: String,
}

/// One effective setting (`settings.json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Setting {
    /// `keda`, `hpa`, `celery`, `broker`, `pods` or `scenario`.
    pub component: String,
    /// Setting name, e.g. `pollingInterval`.
    pub name: String,
    /// Effective value as text (numbers and booleans in the file are accepted and kept as text).
    #[serde(deserialize_with = "scalar_as_string")]
    pub value: String,
    /// True when the value is the component's default (nobody set it).
    #[serde(default)]
    pub default: bool,
    /// Where the value came from (`file:line`, `--set`, ...), when known.
    #[serde(default)]
    pub origin: Option<String>,
}

/// One scaling decision (`decisions.json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Seconds since the start.
    pub time_s: f64,
    /// `hpa` or `keda`.
    pub source: String,
    /// Replicas before.
    pub from: u64,
    /// Replicas after.
    pub to: u64,
    /// The rule that bound the result (e.g. `ScaleUpLimit`, `ScaleDownStabilized`).
    #[serde(default)]
    pub rule: String,
    /// One-line explanation.
    #[serde(default)]
    pub summary: String,
    /// Free-form inputs: metric values, targets, windows, policy limits.
    #[serde(default)]
    pub inputs: serde_json::Value,
    /// Fields this version does not know (e.g. `object`), by name; shown in the report.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Event {
    /// An event at `time_s` seconds.
    pub fn new(time_s: f64, source: &str, kind: &str, reason: &str, message: &str) -> Event {
        Event {
            time_s,
            source: source.to_string(),
            kind: kind.to_string(),
            reason: reason.to_string(),
            message: message.to_string(),
        }
    }
}

/// Converts a value of another type with the same JSON shape (the simulator's own summary,
/// settings or decision types) into the report's type, exactly as writing it to a run
/// directory and loading it back would; `what` names it in errors.
pub fn via_json<T: Serialize, U: serde::de::DeserializeOwned>(
    value: &T,
    what: &str,
) -> Result<U, super::ReportError> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| super::ReportError::Invalid(format!("{what}: {e}")))
}

fn scalar_as_string<'de, D: Deserializer<'de>>(de: D) -> Result<String, D::Error> {
    use serde_json::Value;
    Ok(match Value::deserialize(de)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

impl RunData {
    /// A run with the two required parts; add the optional parts through the public fields.
    pub fn new(summary: Summary, series: TimeSeries) -> RunData {
        RunData {
            summary,
            series,
            ..RunData::default()
        }
    }

    /// Checks the invariants the renderers rely on: equal column lengths, finite times that
    /// never go backwards, finite event and decision times. Renderers call this, so a run
    /// built in memory with a mistake gives an error instead of a panic or a wrong chart.
    pub fn validate(&self) -> Result<(), ReportError> {
        self.series.validate()?;
        if !self.summary.duration_s.is_finite() || self.summary.duration_s < 0.0 {
            return Err(ReportError::Invalid(format!(
                "summary duration_s is {}",
                self.summary.duration_s
            )));
        }
        if let Some(e) = self.events.iter().find(|e| !e.time_s.is_finite()) {
            return Err(ReportError::Invalid(format!(
                "event {} has a non-finite time",
                e.reason
            )));
        }
        if let Some(d) = self.decisions.iter().find(|d| !d.time_s.is_finite()) {
            return Err(ReportError::Invalid(format!(
                "decision {} has a non-finite time",
                d.rule
            )));
        }
        Ok(())
    }

    /// The time range a chart of this run covers: from 0 (or the first sample, if earlier) to
    /// the last sample or the summary's duration, whichever is later; never empty.
    pub(crate) fn time_range(&self) -> (f64, f64) {
        let t = &self.series.time_s;
        let start = t.first().copied().unwrap_or(0.0).min(0.0);
        let end = t
            .last()
            .copied()
            .unwrap_or(0.0)
            .max(self.summary.duration_s);
        if end > start {
            (start, end)
        } else {
            (start, start + 1.0)
        }
    }
}

impl TimeSeries {
    /// An empty series with the given extra columns: queue names (`queue_depth:<q>`), metric
    /// names (`metric:<m>` / `target:<m>`) and deployment names (`replicas:<d>`).
    pub fn new(queues: &[&str], metrics: &[&str], deployments: &[&str]) -> TimeSeries {
        let col = |name: &&str| Column {
            name: (*name).to_string(),
            values: Vec::new(),
        };
        TimeSeries {
            queues: queues.iter().map(col).collect(),
            metrics: metrics
                .iter()
                .map(|m| MetricColumn {
                    name: (*m).to_string(),
                    ..MetricColumn::default()
                })
                .collect(),
            deployments: deployments.iter().map(col).collect(),
            ..TimeSeries::default()
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.time_s.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.time_s.is_empty()
    }

    /// Appends one sample. `queues`, `metrics` (value, target) and `deployments` give the extra
    /// columns in the order passed to [`TimeSeries::new`]; their lengths must match, and time
    /// must not go backwards.
    pub fn push(
        &mut self,
        s: &Sample,
        queues: &[f64],
        metrics: &[(Option<f64>, Option<f64>)],
        deployments: &[f64],
    ) -> Result<(), ReportError> {
        if queues.len() != self.queues.len()
            || metrics.len() != self.metrics.len()
            || deployments.len() != self.deployments.len()
        {
            return Err(ReportError::Invalid(format!(
                "sample at {}s has {}/{}/{} queue/metric/deployment values, expected {}/{}/{}",
                s.time_s,
                queues.len(),
                metrics.len(),
                deployments.len(),
                self.queues.len(),
                self.metrics.len(),
                self.deployments.len()
            )));
        }
        if !s.time_s.is_finite() {
            return Err(ReportError::Invalid(format!(
                "sample time {} is not finite",
                s.time_s
            )));
        }
        if let Some(&last) = self.time_s.last() {
            if s.time_s < last {
                return Err(ReportError::Invalid(format!(
                    "sample time {}s is before the previous sample ({last}s)",
                    s.time_s
                )));
            }
        }
        let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
        self.time_s.push(s.time_s);
        self.queue_depth.push(s.queue_depth);
        self.reserved.push(s.reserved);
        self.running.push(s.running);
        self.replicas.push(s.replicas);
        self.pods_ready.push(s.pods_ready);
        self.pods_starting.push(s.pods_starting);
        self.pods_terminating.push(s.pods_terminating);
        self.produced_total.push(s.produced_total);
        self.completed_total.push(s.completed_total);
        self.lost_total.push(s.lost_total);
        self.duplicated_total.push(s.duplicated_total);
        self.wait_p50_s.push(nan(s.wait_p50_s));
        self.wait_p95_s.push(nan(s.wait_p95_s));
        self.wait_max_s.push(nan(s.wait_max_s));
        for (c, v) in self.queues.iter_mut().zip(queues) {
            c.values.push(*v);
        }
        for (m, (v, t)) in self.metrics.iter_mut().zip(metrics) {
            m.value.push(nan(*v));
            m.target.push(nan(*t));
        }
        for (c, v) in self.deployments.iter_mut().zip(deployments) {
            c.values.push(*v);
        }
        Ok(())
    }

    /// The fixed columns in file order, with their names.
    pub(crate) fn fixed_columns(&self) -> [(&'static str, &Vec<f64>); 15] {
        [
            (FIXED_COLUMNS[0], &self.time_s),
            (FIXED_COLUMNS[1], &self.queue_depth),
            (FIXED_COLUMNS[2], &self.reserved),
            (FIXED_COLUMNS[3], &self.running),
            (FIXED_COLUMNS[4], &self.replicas),
            (FIXED_COLUMNS[5], &self.pods_ready),
            (FIXED_COLUMNS[6], &self.pods_starting),
            (FIXED_COLUMNS[7], &self.pods_terminating),
            (FIXED_COLUMNS[8], &self.produced_total),
            (FIXED_COLUMNS[9], &self.completed_total),
            (FIXED_COLUMNS[10], &self.lost_total),
            (FIXED_COLUMNS[11], &self.duplicated_total),
            (FIXED_COLUMNS[12], &self.wait_p50_s),
            (FIXED_COLUMNS[13], &self.wait_p95_s),
            (FIXED_COLUMNS[14], &self.wait_max_s),
        ]
    }

    pub(crate) fn fixed_columns_mut(&mut self) -> [&mut Vec<f64>; 15] {
        [
            &mut self.time_s,
            &mut self.queue_depth,
            &mut self.reserved,
            &mut self.running,
            &mut self.replicas,
            &mut self.pods_ready,
            &mut self.pods_starting,
            &mut self.pods_terminating,
            &mut self.produced_total,
            &mut self.completed_total,
            &mut self.lost_total,
            &mut self.duplicated_total,
            &mut self.wait_p50_s,
            &mut self.wait_p95_s,
            &mut self.wait_max_s,
        ]
    }

    /// Checks equal column lengths and finite, non-decreasing times.
    pub fn validate(&self) -> Result<(), ReportError> {
        let n = self.time_s.len();
        let mut lengths: Vec<(String, usize)> = self
            .fixed_columns()
            .iter()
            .map(|(name, v)| (name.to_string(), v.len()))
            .collect();
        for c in &self.queues {
            lengths.push((format!("queue_depth:{}", c.name), c.values.len()));
        }
        for m in &self.metrics {
            lengths.push((format!("metric:{}", m.name), m.value.len()));
            lengths.push((format!("target:{}", m.name), m.target.len()));
        }
        for c in &self.deployments {
            lengths.push((format!("replicas:{}", c.name), c.values.len()));
        }
        if let Some((name, len)) = lengths.iter().find(|(_, len)| *len != n) {
            return Err(ReportError::Invalid(format!(
                "column {name} has {len} values but time_s has {n}"
            )));
        }
        let mut prev = f64::NEG_INFINITY;
        for (i, &t) in self.time_s.iter().enumerate() {
            if !t.is_finite() || t < prev {
                return Err(ReportError::Invalid(format!(
                    "sample {i}: time_s {t} is not finite or goes backwards (previous {prev})"
                )));
            }
            prev = t;
        }
        Ok(())
    }
}
