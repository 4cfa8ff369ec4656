//! Instant-query evaluation (after `promql/engine.go`, evaluator with `enableDelayedNameRemoval`
//! off, Prometheus's default): selectors with the lookback delta, range selection, unary
//! minus and aggregations. Functions are in `functions.rs`, binary operators in `binop.rs`.

use super::ast::{AggOp, Expr, Grouping, VectorSelector};
use super::binop;
use super::functions;
use super::tsdb::{dur_millis, is_stale_nan, to_millis, Labels, Samples, Tsdb};
use crate::time::{Dur, SimTime};

/// One element of an instant vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub labels: Labels,
    pub value: f64,
}

/// A query result.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(f64),
    /// Sorted by labels.
    Vector(Vec<Sample>),
}

/// A series of a range vector: `(milliseconds, value)` points in the selected window.
#[derive(Clone, Debug)]
pub(crate) struct Series {
    pub labels: Labels,
    pub points: Vec<(i64, f64)>,
}

/// An intermediate value.
#[derive(Clone, Debug)]
pub(crate) enum Val {
    Scalar(f64),
    Vector(Vec<Sample>),
    Matrix(Vec<Series>),
}

/// Evaluation context: the store, the evaluation timestamp and the lookback delta, both in
/// milliseconds as the upstream engine keeps them.
pub(crate) struct Evaluator<'a> {
    pub db: &'a Tsdb,
    pub ts: i64,
    pub lookback: i64,
}

/// Evaluates `expr` as an instant query at `at` (`Engine.NewInstantQuery`), instant
/// selectors looking back `lookback` (Prometheus's `--query.lookback-delta`, default 5m).
pub fn query(db: &Tsdb, expr: &Expr, at: SimTime, lookback: Dur) -> Result<Value, String> {
    let ev = Evaluator {
        db,
        ts: to_millis(at),
        lookback: dur_millis(lookback),
    };
    match ev.eval(expr)? {
        Val::Scalar(v) => Ok(Value::Scalar(v)),
        Val::Vector(mut v) => {
            check_unique(&v)?;
            v.sort_by(|a, b| a.labels.cmp(&b.labels));
            Ok(Value::Vector(v))
        }
        Val::Matrix(_) => Err(
            "not supported by scalesim: a range vector as the query result (wrap it in a function such as rate())"
                .into(),
        ),
    }
}

impl Evaluator<'_> {
    pub(crate) fn eval(&self, expr: &Expr) -> Result<Val, String> {
        match expr {
            Expr::Number(v) => Ok(Val::Scalar(*v)),
            Expr::String(_) => Err("not supported by scalesim: string values".into()),
            Expr::Paren(e) => self.eval(e),
            Expr::Vector(sel) => Ok(Val::Vector(self.select_instant(sel))),
            Expr::Matrix { selector, range_ns } => {
                Ok(Val::Matrix(self.select_range(selector, *range_ns)))
            }
            Expr::Neg(e) => match self.eval(e)? {
                Val::Scalar(v) => Ok(Val::Scalar(-v)),
                Val::Vector(v) => {
                    let out: Vec<Sample> = v
                        .into_iter()
                        .map(|s| Sample {
                            labels: s.labels.without_name(),
                            value: -s.value,
                        })
                        .collect();
                    check_unique(&out)?;
                    Ok(Val::Vector(out))
                }
                Val::Matrix(_) => Err("unary minus on a range vector".into()),
            },
            Expr::Call { func, args } => functions::call(self, *func, args),
            Expr::Aggregate { op, grouping, expr } => {
                let input = self.eval_vector(expr)?;
                Ok(Val::Vector(aggregate(*op, grouping, input)))
            }
            Expr::Binary(b) => binop::eval(self, b),
        }
    }

    pub(crate) fn eval_vector(&self, expr: &Expr) -> Result<Vec<Sample>, String> {
        match self.eval(expr)? {
            Val::Vector(v) => Ok(v),
            _ => Err("expected an instant vector".into()),
        }
    }

    pub(crate) fn eval_scalar(&self, expr: &Expr) -> Result<f64, String> {
        match self.eval(expr)? {
            Val::Scalar(v) => Ok(v),
            _ => Err("expected a scalar".into()),
        }
    }

    /// Series matching `sel`, in label order (how the storage's series sets arrive).
    fn candidates<'s>(&'s self, sel: &VectorSelector) -> Vec<(&'s Labels, &'s Samples)> {
        if let Some(name) = sel.fixed_name() {
            return match self.db.series_named(name) {
                Some(group) => group.iter().filter(|(l, _)| sel.matches(l)).collect(),
                None => Vec::new(),
            };
        }
        let mut out: Vec<(&Labels, &Samples)> = self
            .db
            .all_series()
            .flat_map(|(_, group)| group.iter())
            .filter(|(l, _)| sel.matches(l))
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// Instant vector selection (`vectorSelectorSingle`): the latest sample at or before
    /// `ts - offset`, if it is newer than the lookback window `(ref - lookback, ref]` and is
    /// not a staleness marker.
    fn select_instant(&self, sel: &VectorSelector) -> Vec<Sample> {
        let ref_time = self.ts.saturating_sub(sel.offset_ns / 1_000_000);
        let mut out = Vec::new();
        for (labels, samples) in self.candidates(sel) {
            let idx = samples.partition_point(|&(t, _)| t <= ref_time);
            if idx == 0 {
                continue;
            }
            let (t, v) = samples[idx - 1];
            if t <= ref_time.saturating_sub(self.lookback) || is_stale_nan(v) {
                continue;
            }
            out.push(Sample {
                labels: labels.clone(),
                value: v,
            });
        }
        out
    }

    /// Range selection (`matrixSelector`, `matrixIterSlice`): samples in the left-open
    /// window `(ref - range, ref]`, staleness markers skipped, empty series dropped.
    fn select_range(&self, sel: &VectorSelector, range_ns: i64) -> Vec<Series> {
        let maxt = self.ts.saturating_sub(sel.offset_ns / 1_000_000);
        let mint = maxt.saturating_sub(range_ns / 1_000_000);
        let mut out = Vec::new();
        if mint == maxt {
            return out;
        }
        for (labels, samples) in self.candidates(sel) {
            let lo = samples.partition_point(|&(t, _)| t <= mint);
            let hi = samples.partition_point(|&(t, _)| t <= maxt);
            let points: Vec<(i64, f64)> = samples
                .range(lo..hi.max(lo))
                .filter(|(_, v)| !is_stale_nan(*v))
                .copied()
                .collect();
            if !points.is_empty() {
                out.push(Series {
                    labels: labels.clone(),
                    points,
                });
            }
        }
        out
    }
}

/// "vector cannot contain metrics with the same labelset" (`Vector.ContainsSameLabelset`):
/// raised when dropping metric names makes two elements indistinguishable.
pub(crate) fn check_unique(v: &[Sample]) -> Result<(), String> {
    if v.len() < 2 {
        return Ok(());
    }
    let mut refs: Vec<&Labels> = v.iter().map(|s| &s.labels).collect();
    refs.sort();
    if refs.windows(2).any(|w| w[0] == w[1]) {
        return Err("vector cannot contain metrics with the same labelset".into());
    }
    Ok(())
}

/// Kahan–Neumaier summation step (`util/kahansum.Inc`).
pub(crate) fn kahan_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= inc.abs() {
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

/// Per-group state of an aggregation (`groupedAggregation`).
struct Group {
    labels: Labels,
    value: f64,
    mean: f64,
    kahan_c: f64,
    count: f64,
    incremental_mean: bool,
}

/// The output labels of a group (`generateGroupingLabels`): `by` keeps the listed labels,
/// `without` drops them and the metric name, no clause keeps nothing.
fn grouping_labels(labels: &Labels, grouping: &Grouping) -> Labels {
    if grouping.without {
        labels.without(&grouping.labels).without_name()
    } else {
        labels.keep(&grouping.labels)
    }
}

/// `sum`, `avg`, `min`, `max`, `count`, `group`, `stddev`, `stdvar` over an instant vector
/// (`evaluator.aggregation` in `engine.go`), series visited in input order.
pub(crate) fn aggregate(op: AggOp, grouping: &Grouping, input: Vec<Sample>) -> Vec<Sample> {
    let mut groups: Vec<Group> = Vec::new();
    let mut index: std::collections::BTreeMap<Labels, usize> = std::collections::BTreeMap::new();
    for s in input {
        let key = grouping_labels(&s.labels, grouping);
        let f = s.value;
        let gi = match index.get(&key) {
            Some(&i) => i,
            None => {
                let value = match op {
                    AggOp::Stddev | AggOp::Stdvar if f.is_nan() || f.is_infinite() => f64::NAN,
                    AggOp::Stddev | AggOp::Stdvar => 0.0,
                    AggOp::Group => 1.0,
                    _ => f,
                };
                index.insert(key.clone(), groups.len());
                groups.push(Group {
                    labels: key,
                    value,
                    mean: f,
                    kahan_c: 0.0,
                    count: 1.0,
                    incremental_mean: false,
                });
                continue;
            }
        };
        let g = &mut groups[gi];
        match op {
            AggOp::Sum => {
                (g.value, g.kahan_c) = kahan_inc(f, g.value, g.kahan_c);
            }
            AggOp::Avg => {
                g.count += 1.0;
                if !g.incremental_mean {
                    let (nv, nc) = kahan_inc(f, g.value, g.kahan_c);
                    if !nv.is_infinite() {
                        g.value = nv;
                        g.kahan_c = nc;
                        continue;
                    }
                    // The sum would overflow: continue with an incremental mean.
                    g.incremental_mean = true;
                    g.mean = g.value / (g.count - 1.0);
                    g.kahan_c /= g.count - 1.0;
                }
                let q = (g.count - 1.0) / g.count;
                (g.mean, g.kahan_c) = kahan_inc(f / g.count, q * g.mean, q * g.kahan_c);
            }
            AggOp::Max => {
                if g.value < f || g.value.is_nan() {
                    g.value = f;
                }
            }
            AggOp::Min => {
                if g.value > f || g.value.is_nan() {
                    g.value = f;
                }
            }
            AggOp::Count => g.count += 1.0,
            AggOp::Group => {}
            AggOp::Stddev | AggOp::Stdvar => {
                g.count += 1.0;
                let delta = f - g.mean;
                g.mean += delta / g.count;
                g.value += delta * (f - g.mean);
            }
        }
    }
    groups
        .into_iter()
        .map(|g| {
            let value = match op {
                AggOp::Avg if g.incremental_mean => g.mean + g.kahan_c,
                AggOp::Avg => g.value / g.count + g.kahan_c / g.count,
                AggOp::Count => g.count,
                AggOp::Stdvar => g.value / g.count,
                AggOp::Stddev => (g.value / g.count).sqrt(),
                AggOp::Sum => g.value + g.kahan_c,
                _ => g.value,
            };
            Sample {
                labels: g.labels,
                value,
            }
        })
        .collect()
}
