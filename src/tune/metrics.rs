//! The summary metrics a sweep records, under flat names (`wait_p95_s`, `pod_seconds`, ...).
//!
//! Every metric of `summary.json` is here in a fixed order (the column order of
//! `results.csv`), nested wait statistics flattened as `wait_<stat>_s`, plus one derived
//! metric, `scale_events = scale_ups + scale_downs` (churn as one number). A value is `None`
//! only for `drain_time_s` when the backlog never drained.
//!
//! Values are *canonical*: rounded exactly as `results.csv` writes them
//! ([`crate::observe::fmt_num`]: integers exactly, other numbers to 6 decimals). Everything
//! downstream (aggregates, SLOs, rankings) is computed from canonical values, so a sweep and the
//! merge of its shards, which re-read the CSV, compute bit-identical aggregates.

use crate::observe::{fmt_num, Summary};

/// Metric names, in `results.csv` column order.
pub const METRIC_NAMES: [&str; 20] = [
    "duration_s",
    "produced",
    "completed",
    "lost",
    "duplicated",
    "in_flight_at_end",
    "started",
    "wait_mean_s",
    "wait_p50_s",
    "wait_p95_s",
    "wait_p99_s",
    "wait_max_s",
    "max_queue_depth",
    "peak_replicas",
    "pod_seconds",
    "scale_ups",
    "scale_downs",
    "scale_events",
    "drain_time_s",
    "events_processed",
];

/// Number of metrics.
pub const N_METRICS: usize = METRIC_NAMES.len();

/// One run's metrics, indexed like [`METRIC_NAMES`].
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics(pub [Option<f64>; N_METRICS]);

impl Metrics {
    /// The metrics of a run summary, canonicalized.
    pub fn from_summary(s: &Summary) -> Metrics {
        let w = &s.wait_s;
        let raw: [Option<f64>; N_METRICS] = [
            Some(s.duration_s),
            Some(s.produced as f64),
            Some(s.completed as f64),
            Some(s.lost as f64),
            Some(s.duplicated as f64),
            Some(s.in_flight_at_end as f64),
            Some(s.started as f64),
            Some(w.mean),
            Some(w.p50),
            Some(w.p95),
            Some(w.p99),
            Some(w.max),
            Some(s.max_queue_depth as f64),
            Some(s.peak_replicas as f64),
            Some(s.pod_seconds),
            Some(s.scale_ups as f64),
            Some(s.scale_downs as f64),
            Some((s.scale_ups + s.scale_downs) as f64),
            s.drain_time_s,
            Some(s.events_processed as f64),
        ];
        Metrics(raw.map(|v| v.map(canonical)))
    }

    /// The value of metric `i`.
    pub fn get(&self, i: usize) -> Option<f64> {
        self.0[i]
    }

    /// The value of a metric by name.
    pub fn by_name(&self, name: &str) -> Option<f64> {
        metric_index(name).and_then(|i| self.0[i])
    }

    /// The cells of `results.csv` (empty for `None`).
    pub fn cells(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|v| v.map_or(String::new(), fmt_num))
            .collect()
    }
}

/// A number as `results.csv` writes and re-reads it.
pub fn canonical(v: f64) -> f64 {
    if !v.is_finite() {
        return v;
    }
    fmt_num(v).parse().unwrap_or(v)
}

/// The column index of a metric.
pub fn metric_index(name: &str) -> Option<usize> {
    METRIC_NAMES.iter().position(|m| *m == name)
}

/// True for metrics measured in seconds (they accept durations such as `30s` or `2m` in SLOs).
pub fn is_seconds(name: &str) -> bool {
    name.ends_with("_s") || name == "pod_seconds"
}

/// True for metrics that are whole counts.
pub fn is_count(name: &str) -> bool {
    !is_seconds(name)
}

/// An "unknown metric" message with the closest known names.
pub fn unknown_metric(name: &str) -> String {
    let mut best: Vec<(usize, &str)> = METRIC_NAMES
        .iter()
        .map(|m| (edit_distance(name, m), *m))
        .collect();
    best.sort();
    let near: Vec<&str> = best
        .iter()
        .filter(|(d, m)| *d <= 3 || m.starts_with(name) || name.starts_with(*m))
        .map(|(_, m)| *m)
        .take(2)
        .collect();
    let hint = if near.is_empty() {
        String::new()
    } else {
        format!("did you mean {}? ", near.join(" or "))
    };
    format!(
        "unknown metric `{name}`; {hint}metrics are: {}",
        METRIC_NAMES.join(", ")
    )
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_and_derives_scale_events() {
        let s = Summary {
            scale_ups: 3,
            scale_downs: 2,
            pod_seconds: 1.0 / 3.0,
            ..Summary::default()
        };
        let m = Metrics::from_summary(&s);
        assert_eq!(m.by_name("scale_events"), Some(5.0));
        assert_eq!(m.by_name("pod_seconds"), Some(0.333333));
        assert_eq!(m.by_name("drain_time_s"), None);
        assert_eq!(m.cells().len(), N_METRICS);
    }

    #[test]
    fn suggests_close_names() {
        let e = unknown_metric("wait_p95");
        assert!(e.contains("did you mean wait_p95_s"), "{e}");
    }
}
