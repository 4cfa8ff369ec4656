//! A PromQL subset evaluated over an in-memory time-series store, so the simulated
//! autoscalers read metrics the way they do through Prometheus: prometheus-adapter's
//! `metricsQuery` for the HPA, KEDA's `prometheus` scaler's instant query.
//!
//! Fidelity is the point: a query returns what Prometheus (the `promql` package of
//! `prometheus/prometheus`) returns on the same samples — millisecond timestamps, the
//! lookback delta, left-open range windows, `extrapolatedRate`, Kahan sums, name dropping,
//! vector matching. Behaviour is ported from upstream, not code; each part names the upstream
//! function it mirrors, and 420 cases of upstream's `promqltest` data run as tests.
//!
//! Supported: number and string literals (durations as seconds), selectors with `=`, `!=`,
//! `=~`, `!~`, ranges, `offset`; `rate irate increase delta idelta changes resets` and
//! `avg/min/max/sum/count/last_over_time`; `abs ceil floor round sgn sqrt exp ln log2 log10
//! clamp clamp_min clamp_max scalar vector time`; `sum avg min max count group stddev stdvar`
//! with `by`/`without` before or after; `+ - * / % ^`, comparisons with and without `bool`,
//! `and or unless`, `on`/`ignoring`, `group_left`/`group_right`; staleness markers.
//! Anything else that is valid PromQL (subqueries, `@`, `topk`, `histogram_quantile`,
//! `label_replace`, native histograms, ...) is refused with "not supported by scalesim".
//!
//! The store keeps samples no older than its retention behind the newest sample, so a query
//! must not look further back than that (`range + offset + lookback`).
//!
//! ```
//! use scalesim::promql::{instant_value, Tsdb, DEFAULT_LOOKBACK};
//! use scalesim::time::{Dur, SimTime};
//!
//! let mut db = Tsdb::new(Dur::from_secs(3600));
//! for i in 0..=20u64 {
//!     db.append("celery_task_success_total", &[("queue", "default")], SimTime::from_secs(15 * i), 30.0 * i as f64);
//! }
//! let q = "sum(rate(celery_task_success_total[1m]))";
//! let v = instant_value(&db, q, SimTime::from_secs(300), DEFAULT_LOOKBACK).unwrap();
//! // 1.9999999999999998: the same float arithmetic as Prometheus's extrapolatedRate.
//! assert!((v.unwrap() - 2.0).abs() < 1e-9);
//! ```

mod ast;
mod binop;
mod eval;
mod functions;
mod lexer;
mod parser;
pub mod promqltest;
mod regex;
mod tsdb;

pub use ast::{
    AggOp, BinOp, BinaryExpr, Card, Expr, Function, Grouping, MatchOp, Matcher, ValueType,
    VectorMatching, VectorSelector,
};
pub use eval::{query, Sample, Value};
pub use parser::{parse, parse_duration, ParseError};
pub use regex::Regex;
pub use tsdb::{is_stale_nan, stale_nan, AppendError, Labels, Tsdb, METRIC_NAME, STALE_NAN_BITS};

use crate::time::{Dur, SimTime};

/// Prometheus's default `--query.lookback-delta` (`defaultLookbackDelta` in `engine.go`).
pub const DEFAULT_LOOKBACK: Dur = Dur::from_secs(300);

/// Parses and evaluates `query` at `at` and returns the values of the result: a vector's
/// values in label order, or a scalar as one value. This is what the simulated KEDA
/// `prometheus` scaler reads from `/api/v1/query` (real KEDA decodes only vector results).
pub fn query_values(
    db: &Tsdb,
    query_text: &str,
    at: SimTime,
    lookback: Dur,
) -> Result<Vec<f64>, String> {
    let expr = parse(query_text).map_err(|e| e.to_string())?;
    Ok(match query(db, &expr, at, lookback)? {
        Value::Scalar(v) => vec![v],
        Value::Vector(v) => v.into_iter().map(|s| s.value).collect(),
    })
}

/// Parses and evaluates `query_text` at `at` and returns its single value: `None` for an
/// empty vector, the value of a one-element vector, an error for more than one element
/// (KEDA's `prometheus` scaler says "prometheus query ... returned multiple elements"). This
/// is what KEDA's scaler and prometheus-adapter's external metric for one series need; what
/// an empty result means (0, or an error unless `ignoreNullValues`) is the caller's policy.
///
/// A scalar result is returned as its value for convenience; note that KEDA decodes only
/// vector results, so a caller modelling KEDA exactly should use [`query`] and refuse
/// [`Value::Scalar`] (users write `vector(...)` around scalars there).
pub fn instant_value(
    db: &Tsdb,
    query_text: &str,
    at: SimTime,
    lookback: Dur,
) -> Result<Option<f64>, String> {
    let expr = parse(query_text).map_err(|e| e.to_string())?;
    match query(db, &expr, at, lookback)? {
        Value::Scalar(v) => Ok(Some(v)),
        Value::Vector(v) => match v.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one.value)),
            many => Err(format!(
                "prometheus query {query_text} returned multiple elements ({}), expected one",
                many.len()
            )),
        },
    }
}
