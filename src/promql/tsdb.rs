//! An in-memory time-series store shaped like Prometheus's head block, small enough for a
//! simulated day: series keyed by metric name and sorted labels, samples in time order,
//! and a retention bound that keeps memory constant however long the simulation runs.
//!
//! Timestamps are kept in milliseconds, as Prometheus stores them (`timestamp.FromTime`
//! truncates): a [`SimTime`] is truncated to the millisecond on the way in, so range and
//! lookback boundaries fall exactly where Prometheus would put them.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use crate::time::{Dur, SimTime};

/// The label that carries the metric name (`model.MetricNameLabel`).
pub const METRIC_NAME: &str = "__name__";

/// The bit pattern of Prometheus's staleness marker (`model/value.StaleNaN`): a NaN that
/// means "this series ended here".
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// Prometheus's staleness marker value.
pub fn stale_nan() -> f64 {
    f64::from_bits(STALE_NAN_BITS)
}

/// Whether `v` is the staleness marker (compares bits; an ordinary NaN is not stale).
pub fn is_stale_nan(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}

/// A simulated instant in Prometheus's millisecond resolution (truncating, like
/// `timestamp.FromTime`).
pub(crate) fn to_millis(t: SimTime) -> i64 {
    (t.0 / 1_000_000) as i64
}

/// A stored millisecond timestamp as a [`SimTime`].
fn ms_to_sim(t: i64) -> SimTime {
    SimTime(t.max(0) as u64 * 1_000_000)
}

/// A duration in milliseconds, truncated like `durationMilliseconds`.
pub(crate) fn dur_millis(d: Dur) -> i64 {
    (d.0 / 1_000_000).min(i64::MAX as u64) as i64
}

/// A label set sorted by label name, the metric name included as `__name__` (like
/// Prometheus's `labels.Labels`). Labels with empty values are never stored: Prometheus
/// treats an empty value as an absent label.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Labels(Vec<(String, String)>);

impl Labels {
    /// The empty label set.
    pub const fn empty() -> Labels {
        Labels(Vec::new())
    }

    /// Builds a label set from pairs in any order; empty values are dropped. Errors on a
    /// repeated label name.
    pub fn from_pairs<N: AsRef<str>, V: AsRef<str>>(pairs: &[(N, V)]) -> Result<Labels, String> {
        let mut v: Vec<(String, String)> = pairs
            .iter()
            .filter(|(_, val)| !val.as_ref().is_empty())
            .map(|(n, val)| (n.as_ref().to_string(), val.as_ref().to_string()))
            .collect();
        v.sort();
        for w in v.windows(2) {
            if w[0].0 == w[1].0 {
                return Err(format!("label name {:?} given twice", w[0].0));
            }
        }
        Ok(Labels(v))
    }

    /// The value of label `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .map(|i| self.0[i].1.as_str())
    }

    /// The value of `name`, or `""` when absent (how matchers see a missing label).
    pub fn get_or_empty(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    /// The metric name, if any.
    pub fn metric_name(&self) -> Option<&str> {
        self.get(METRIC_NAME)
    }

    /// The `(name, value)` pairs in label-name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Number of labels (the metric name counts as one).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for `{}`.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets `name` to `value`; an empty value removes the label.
    pub fn set(&mut self, name: &str, value: &str) {
        match self.0.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
            Ok(i) if value.is_empty() => {
                self.0.remove(i);
            }
            Ok(i) => self.0[i].1 = value.to_string(),
            Err(_) if value.is_empty() => {}
            Err(i) => self.0.insert(i, (name.to_string(), value.to_string())),
        }
    }

    /// These labels without the metric name (`DropReserved` of the name label).
    pub fn without_name(&self) -> Labels {
        Labels(
            self.0
                .iter()
                .filter(|(n, _)| n != METRIC_NAME)
                .cloned()
                .collect(),
        )
    }

    /// Only the labels named in `names` (`labels.Builder.Keep`).
    pub fn keep(&self, names: &[String]) -> Labels {
        Labels(
            self.0
                .iter()
                .filter(|(n, _)| names.iter().any(|k| k == n))
                .cloned()
                .collect(),
        )
    }

    /// All labels except those named in `names` (`labels.Builder.Del`).
    pub fn without(&self, names: &[String]) -> Labels {
        Labels(
            self.0
                .iter()
                .filter(|(n, _)| !names.iter().any(|k| k == n))
                .cloned()
                .collect(),
        )
    }

    /// `name{a="b", ...}`: the form promtool and the test scripts print.
    pub fn to_series_string(&self) -> String {
        let mut out = String::new();
        if let Some(name) = self.metric_name() {
            out.push_str(name);
        }
        out.push('{');
        let mut first = true;
        for (n, v) in self.iter().filter(|(n, _)| *n != METRIC_NAME) {
            if !first {
                out.push_str(", ");
            }
            first = false;
            out.push_str(n);
            out.push('=');
            out.push_str(&format!("{v:?}"));
        }
        out.push('}');
        out
    }
}

impl fmt::Display for Labels {
    /// `{__name__="x", a="b"}`, as Prometheus's `labels.Labels.String` prints (used in the
    /// engine's error messages).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (n, v)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{n}={v:?}")?;
        }
        f.write_str("}")
    }
}

/// Why an append was refused (Prometheus's `storage.ErrOutOfOrderSample`,
/// `ErrDuplicateSampleForTimestamp`, and label validation).
#[derive(Clone, Debug, PartialEq)]
pub enum AppendError {
    /// The sample is older than the series' latest sample.
    OutOfOrder {
        series: String,
        t_ms: i64,
        last_ms: i64,
    },
    /// Same millisecond as the latest sample, different value.
    DuplicateTimestamp { series: String, t_ms: i64 },
    /// Bad metric or label name, or a label given twice.
    InvalidLabels(String),
}

impl fmt::Display for AppendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppendError::OutOfOrder {
                series,
                t_ms,
                last_ms,
            } => write!(
                f,
                "out of order sample for {series}: {t_ms}ms is before the latest sample at {last_ms}ms"
            ),
            AppendError::DuplicateTimestamp { series, t_ms } => write!(
                f,
                "duplicate sample for timestamp {t_ms}ms with a different value for {series}"
            ),
            AppendError::InvalidLabels(msg) => write!(f, "invalid labels: {msg}"),
        }
    }
}

impl std::error::Error for AppendError {}

/// One series' samples: `(milliseconds, value)` in strictly increasing time order.
pub(crate) type Samples = VecDeque<(i64, f64)>;

/// The store. Series are grouped by metric name (a `BTreeMap`, so every walk is in a
/// fixed order) and, within a name, sorted by their full label set.
#[derive(Clone, Debug)]
pub struct Tsdb {
    retention_ms: i64,
    by_name: BTreeMap<String, BTreeMap<Labels, Samples>>,
    /// Latest timestamp ever appended: "now" for retention.
    head_ms: i64,
    last_sweep_ms: i64,
    sample_count: usize,
    rejected: u64,
}

impl Tsdb {
    /// An empty store keeping samples no older than `retention` behind the newest sample
    /// appended. Choose it at least as long as the longest `range + lookback + offset` any
    /// query will ask for.
    pub fn new(retention: Dur) -> Tsdb {
        Tsdb {
            retention_ms: dur_millis(retention),
            by_name: BTreeMap::new(),
            head_ms: i64::MIN,
            last_sweep_ms: i64::MIN,
            sample_count: 0,
            rejected: 0,
        }
    }

    /// The retention bound given at construction.
    pub fn retention(&self) -> Dur {
        Dur(self.retention_ms as u64 * 1_000_000)
    }

    /// Appends sample `v` at `t` to the series `name{labels}`, as a scrape does: a sample the
    /// store refuses (see [`Tsdb::try_append`]) is dropped and counted in
    /// [`Tsdb::rejected_samples`], like Prometheus's scrape loop counts out-of-order samples.
    pub fn append(&mut self, name: &str, labels: &[(&str, &str)], t: SimTime, v: f64) {
        if self.try_append(name, labels, t, v).is_err() {
            self.rejected += 1;
        }
    }

    /// Samples [`Tsdb::append`] refused so far.
    pub fn rejected_samples(&self) -> u64 {
        self.rejected
    }

    /// Appends sample `v` at `t` to the series `name{labels}`. Like a Prometheus appender,
    /// refuses a sample older than the series' latest and a second, different value in the
    /// same millisecond (the same value again is accepted and ignored).
    pub fn try_append(
        &mut self,
        name: &str,
        labels: &[(&str, &str)],
        t: SimTime,
        v: f64,
    ) -> Result<(), AppendError> {
        let t_ms = to_millis(t);
        let lset = series_labels(name, labels)?;
        let cutoff = self.head_ms.max(t_ms).saturating_sub(self.retention_ms);
        let series = self
            .by_name
            .entry(name.to_string())
            .or_default()
            .entry(lset)
            .or_default();
        if let Some(&(last_t, last_v)) = series.back() {
            if t_ms < last_t {
                return Err(AppendError::OutOfOrder {
                    series: describe(name, labels),
                    t_ms,
                    last_ms: last_t,
                });
            }
            if t_ms == last_t {
                if last_v.to_bits() == v.to_bits() {
                    return Ok(());
                }
                return Err(AppendError::DuplicateTimestamp {
                    series: describe(name, labels),
                    t_ms,
                });
            }
        }
        series.push_back((t_ms, v));
        self.sample_count += 1;
        let mut dropped = 0;
        while series.front().is_some_and(|&(ts, _)| ts < cutoff) {
            series.pop_front();
            dropped += 1;
        }
        let now_empty = series.is_empty();
        self.sample_count -= dropped;
        self.head_ms = self.head_ms.max(t_ms);
        if now_empty {
            self.remove_empty(name);
        }
        if self.head_ms >= self.last_sweep_ms.saturating_add(self.sweep_interval()) {
            self.sweep();
        }
        Ok(())
    }

    /// Writes Prometheus's staleness marker for a series that ended at `t` (what the scrape
    /// loop does when a target or one of its series disappears): instant selectors stop
    /// returning the series from `t` on instead of for the 5-minute lookback.
    pub fn mark_stale(&mut self, name: &str, labels: &[(&str, &str)], t: SimTime) {
        self.append(name, labels, t, stale_nan());
    }

    /// Drops samples older than `now - retention`, and series left with none. Appends do
    /// this on their own; call it when time moves on without appends.
    pub fn gc(&mut self, now: SimTime) {
        self.head_ms = self.head_ms.max(to_millis(now));
        self.sweep();
    }

    /// Removes every series.
    pub fn clear(&mut self) {
        self.by_name.clear();
        self.sample_count = 0;
    }

    /// Number of series held.
    pub fn series_count(&self) -> usize {
        self.by_name.values().map(BTreeMap::len).sum()
    }

    /// Number of samples held (staleness markers included).
    pub fn sample_count(&self) -> usize {
        self.sample_count
    }

    /// Metric names held, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// The label sets of the series of metric `name`, in label order (one map lookup: the
    /// store is indexed by metric name).
    pub fn series_of(&self, name: &str) -> impl Iterator<Item = &Labels> {
        self.by_name.get(name).into_iter().flat_map(BTreeMap::keys)
    }

    /// The samples of `name{labels}`, oldest first (staleness markers included).
    pub fn samples(&self, name: &str, labels: &[(&str, &str)]) -> Vec<(SimTime, f64)> {
        let Ok(lset) = series_labels(name, labels) else {
            return Vec::new();
        };
        self.by_name
            .get(name)
            .and_then(|g| g.get(&lset))
            .map(|s| s.iter().map(|&(t, v)| (ms_to_sim(t), v)).collect())
            .unwrap_or_default()
    }

    /// The latest sample of `name{labels}`, if any (a staleness marker included).
    pub fn latest(&self, name: &str, labels: &[(&str, &str)]) -> Option<(SimTime, f64)> {
        let lset = series_labels(name, labels).ok()?;
        let &(t, v) = self.by_name.get(name)?.get(&lset)?.back()?;
        Some((ms_to_sim(t), v))
    }

    /// All series of one metric name, sorted by labels.
    pub(crate) fn series_named(&self, name: &str) -> Option<&BTreeMap<Labels, Samples>> {
        self.by_name.get(name)
    }

    /// Every metric name's series, in name order.
    pub(crate) fn all_series(&self) -> impl Iterator<Item = (&str, &BTreeMap<Labels, Samples>)> {
        self.by_name.iter().map(|(n, s)| (n.as_str(), s))
    }

    fn cutoff(&self) -> i64 {
        self.head_ms.saturating_sub(self.retention_ms)
    }

    fn sweep_interval(&self) -> i64 {
        (self.retention_ms / 2).max(1_000)
    }

    fn sweep(&mut self) {
        let cutoff = self.cutoff();
        let mut removed = 0;
        for group in self.by_name.values_mut() {
            for samples in group.values_mut() {
                while samples.front().is_some_and(|&(ts, _)| ts < cutoff) {
                    samples.pop_front();
                    removed += 1;
                }
            }
            group.retain(|_, s| !s.is_empty());
        }
        self.by_name.retain(|_, g| !g.is_empty());
        self.sample_count -= removed;
        self.last_sweep_ms = self.head_ms;
    }

    fn remove_empty(&mut self, name: &str) {
        if let Some(group) = self.by_name.get_mut(name) {
            group.retain(|_, s| !s.is_empty());
            if group.is_empty() {
                self.by_name.remove(name);
            }
        }
    }
}

fn describe(name: &str, labels: &[(&str, &str)]) -> String {
    let body: Vec<String> = labels.iter().map(|(n, v)| format!("{n}={v:?}")).collect();
    format!("{name}{{{}}}", body.join(", "))
}

/// Whether `s` is a legacy Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
pub(crate) fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `s` is a legacy metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
pub(crate) fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn series_labels(name: &str, labels: &[(&str, &str)]) -> Result<Labels, AppendError> {
    if !is_metric_name(name) {
        return Err(AppendError::InvalidLabels(format!(
            "invalid metric name {name:?}"
        )));
    }
    let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(labels.len() + 1);
    pairs.push((METRIC_NAME, name));
    for &(n, v) in labels {
        if !is_label_name(n) || n == METRIC_NAME {
            return Err(AppendError::InvalidLabels(format!(
                "invalid label name {n:?}"
            )));
        }
        pairs.push((n, v));
    }
    Labels::from_pairs(&pairs).map_err(AppendError::InvalidLabels)
}
