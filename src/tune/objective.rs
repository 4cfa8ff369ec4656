//! SLOs (constraints) and objectives over the summary metrics.
//!
//! An SLO is `NAME OP NUMBER` with `OP` one of `<=, <, >=, >, ==, !=` (`wait_p95_s<=30`,
//! `lost==0`, `max_queue_depth<=500`); metrics in seconds also take durations
//! (`wait_p95_s<=2m`). Decisions:
//! * With several seeds, an SLO must hold **for every seed** (the worst replicate is what is
//!   reported), because a configuration that meets the SLO on average but not on a bad day is
//!   not one to ship. `mean(NAME) OP NUMBER` judges the mean across seeds instead.
//! * A missing value (`drain_time_s` when the backlog never drained) fails every SLO on it.
//! * The margin is signed slack: positive means room to spare (`threshold - value` for `<=`),
//!   negative is by how much it fails.
//!
//! Objectives are `--minimize NAME` / `--maximize NAME` on the mean across seeds. Minimized
//! metrics come first, then maximized ones, each in command-line order; the first is the
//! primary objective (the one a single recommendation is chosen by).

use std::fmt;

use super::metrics::{is_seconds, metric_index, unknown_metric, METRIC_NAMES};

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Op {
    /// `<=`
    Le,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl Op {
    /// How it is written.
    pub fn text(self) -> &'static str {
        match self {
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    fn holds(self, v: f64, t: f64) -> bool {
        match self {
            Op::Le => v <= t,
            Op::Lt => v < t,
            Op::Ge => v >= t,
            Op::Gt => v > t,
            Op::Eq => v == t,
            Op::Ne => v != t,
        }
    }
}

/// Which value of a point an SLO judges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Over {
    /// Every seed must pass (the worst seed is reported).
    Every,
    /// The mean across seeds.
    Mean,
}

/// A service-level objective: a constraint on one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Slo {
    /// As the user wrote it, normalized (`wait_p95_s<=30`).
    pub text: String,
    /// Metric index ([`METRIC_NAMES`]).
    pub metric: usize,
    /// Comparison.
    pub op: Op,
    /// Threshold.
    pub threshold: f64,
    /// Every seed or the mean.
    pub over: Over,
}

/// The result of one SLO on one point (or one run).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SloResult {
    /// The SLO text.
    pub slo: String,
    /// The value judged: the worst seed's, or the mean (None: no value).
    pub value: Option<f64>,
    /// Which replicate gave `value` (0-based), for `Every`.
    pub replicate: Option<usize>,
    /// Passed.
    pub pass: bool,
    /// Signed slack (positive: room to spare; negative: by how much it fails).
    pub margin: Option<f64>,
}

impl Slo {
    /// Parses one SLO.
    pub fn parse(text: &str) -> Result<Slo, String> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let bad = |m: String| format!("--slo {text:?}: {m}");
        let ops = [
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<", Op::Lt),
            (">", Op::Gt),
        ];
        let Some((at, op, len)) = ops
            .iter()
            .filter_map(|(s, op)| t.find(s).map(|i| (i, *op, s.len())))
            .min_by_key(|(i, _, len)| (*i, usize::MAX - len))
        else {
            return Err(bad(
                "expected NAME OP NUMBER with OP one of <=, <, >=, >, ==, != (e.g. wait_p95_s<=30)"
                    .into(),
            ));
        };
        let (lhs, rhs) = (&t[..at], &t[at + len..]);
        let (name, over) = match lhs.strip_prefix("mean(").and_then(|s| s.strip_suffix(')')) {
            Some(n) => (n, Over::Mean),
            None => (lhs, Over::Every),
        };
        if name.is_empty() {
            return Err(bad("no metric before the comparison".into()));
        }
        let metric = metric_index(name).ok_or_else(|| bad(unknown_metric(name)))?;
        let threshold = parse_threshold(name, rhs).map_err(bad)?;
        let text = match over {
            Over::Every => format!("{name}{}{rhs}", op.text()),
            Over::Mean => format!("mean({name}){}{rhs}", op.text()),
        };
        Ok(Slo {
            text,
            metric,
            op,
            threshold,
            over,
        })
    }

    /// The metric's name.
    pub fn name(&self) -> &'static str {
        METRIC_NAMES[self.metric]
    }

    /// Signed slack of one value.
    pub fn margin(&self, v: f64) -> f64 {
        let t = self.threshold;
        match self.op {
            Op::Le | Op::Lt => t - v,
            Op::Ge | Op::Gt => v - t,
            Op::Eq => -(v - t).abs(),
            Op::Ne => (v - t).abs(),
        }
    }

    /// Judges one value.
    pub fn holds(&self, v: Option<f64>) -> bool {
        v.is_some_and(|v| self.op.holds(v, self.threshold))
    }

    /// Judges a point from its per-seed values (and their mean).
    pub fn evaluate(&self, per_seed: &[Option<f64>], mean: Option<f64>) -> SloResult {
        let (value, replicate) = match self.over {
            Over::Mean => (mean, None),
            Over::Every => {
                // The worst replicate: a missing value, else the smallest margin (first on ties).
                let mut worst: Option<(usize, Option<f64>)> = None;
                for (i, v) in per_seed.iter().enumerate() {
                    let key = v.map_or(f64::NEG_INFINITY, |v| self.margin(v));
                    let wkey = worst.map(|(_, w)| w.map_or(f64::NEG_INFINITY, |w| self.margin(w)));
                    if wkey.is_none_or(|wk| key < wk) {
                        worst = Some((i, *v));
                    }
                }
                match worst {
                    Some((i, v)) => (v, Some(i)),
                    None => (None, None),
                }
            }
        };
        let pass = match self.over {
            Over::Mean => self.holds(mean),
            Over::Every => !per_seed.is_empty() && per_seed.iter().all(|v| self.holds(*v)),
        };
        SloResult {
            slo: self.text.clone(),
            value,
            replicate,
            pass,
            // Rounded like the CSV files (and never -0).
            margin: value.map(|v| super::metrics::canonical(self.margin(v)) + 0.0),
        }
    }

    /// How badly a result fails, relative to the threshold (0 when it passes; large for a
    /// missing value). Used to rank infeasible points: closer to feasible ranks first.
    pub fn violation(&self, r: &SloResult) -> f64 {
        if r.pass {
            return 0.0;
        }
        match r.margin {
            None => 1e12,
            Some(m) => (-m).max(0.0) / self.threshold.abs().max(1.0) + 1e-9,
        }
    }
}

impl fmt::Display for Slo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn parse_threshold(name: &str, rhs: &str) -> Result<f64, String> {
    if rhs.is_empty() {
        return Err("no threshold after the comparison".into());
    }
    if let Ok(v) = rhs.parse::<f64>() {
        if v.is_finite() {
            return Ok(v);
        }
    }
    if is_seconds(name) {
        if let Ok(d) = crate::time::parse_go_duration(rhs) {
            return Ok(d.as_secs_f64());
        }
        return Err(format!(
            "{rhs:?} is not a number or a duration (e.g. 30, 30s, 2m)"
        ));
    }
    Err(format!("{rhs:?} is not a number"))
}

/// Parses every `--slo` (each may hold several, comma-separated).
pub fn parse_slos(args: &[String]) -> Result<Vec<Slo>, String> {
    let mut out = Vec::new();
    for a in args {
        for part in a.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            out.push(Slo::parse(part)?);
        }
    }
    Ok(out)
}

/// An objective: a metric to minimize or maximize (on the mean across seeds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Objective {
    /// Metric index.
    pub metric: usize,
    /// Maximize (else minimize).
    pub maximize: bool,
}

impl Objective {
    /// The metric's name.
    pub fn name(&self) -> &'static str {
        METRIC_NAMES[self.metric]
    }

    /// `minimize pod_seconds`.
    pub fn text(&self) -> String {
        format!(
            "{} {}",
            if self.maximize {
                "maximize"
            } else {
                "minimize"
            },
            self.name()
        )
    }

    /// The value to sort ascending by (negated for maximize; missing sorts last).
    pub fn key(&self, v: Option<f64>) -> f64 {
        match v {
            None => f64::INFINITY,
            Some(v) if self.maximize => -v,
            Some(v) => v,
        }
    }
}

/// Parses `--minimize` and `--maximize` (comma-separated lists allowed); errors on a metric
/// named twice.
pub fn parse_objectives(
    minimize: &[String],
    maximize: &[String],
) -> Result<Vec<Objective>, String> {
    let mut out: Vec<Objective> = Vec::new();
    for (list, maximize, flag) in [
        (minimize, false, "--minimize"),
        (maximize, true, "--maximize"),
    ] {
        for a in list {
            for name in a.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let metric = metric_index(name)
                    .ok_or_else(|| format!("{flag} {name}: {}", unknown_metric(name)))?;
                if out.iter().any(|o| o.metric == metric) {
                    return Err(format!("{flag} {name}: {name} is already an objective"));
                }
                out.push(Objective { metric, maximize });
            }
        }
    }
    Ok(out)
}

/// The objectives of the cost-vs-wait Pareto front drawn when none are given.
pub fn default_front() -> Vec<Objective> {
    ["pod_seconds", "wait_p95_s"]
        .iter()
        .map(|n| Objective {
            metric: metric_index(n).expect("known metric"),
            maximize: false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_slos() {
        let s = Slo::parse(" wait_p95_s <= 2m ").unwrap();
        assert_eq!(
            (s.name(), s.op, s.threshold, s.over),
            ("wait_p95_s", Op::Le, 120.0, Over::Every)
        );
        assert_eq!(s.text, "wait_p95_s<=2m");
        let s = Slo::parse("mean(lost)==0").unwrap();
        assert_eq!((s.op, s.over), (Op::Eq, Over::Mean));
        assert_eq!(Slo::parse("peak_replicas<5").unwrap().op, Op::Lt);
        assert_eq!(Slo::parse("peak_replicas>=5").unwrap().op, Op::Ge);
        assert!(Slo::parse("wait_p95<=3")
            .unwrap_err()
            .contains("did you mean wait_p95_s"));
        assert!(Slo::parse("lost=0")
            .unwrap_err()
            .contains("expected NAME OP NUMBER"));
        assert!(Slo::parse("lost<=5s").unwrap_err().contains("not a number"));
        assert!(Slo::parse("lost<=").unwrap_err().contains("no threshold"));
        assert_eq!(
            parse_slos(&["lost==0, wait_p95_s<=30".into()])
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn every_seed_must_pass_and_the_worst_is_reported() {
        let s = Slo::parse("wait_p95_s<=30").unwrap();
        let r = s.evaluate(&[Some(10.0), Some(35.0), Some(20.0)], Some(21.67));
        assert!(!r.pass);
        assert_eq!(
            (r.value, r.replicate, r.margin),
            (Some(35.0), Some(1), Some(-5.0))
        );
        let m = Slo::parse("mean(wait_p95_s)<=30").unwrap();
        assert!(m.evaluate(&[Some(10.0), Some(35.0)], Some(22.5)).pass);
        let d = Slo::parse("drain_time_s<=600").unwrap();
        let r = d.evaluate(&[Some(10.0), None], None);
        assert!(!r.pass && r.value.is_none() && d.violation(&r) > 1e6);
    }

    #[test]
    fn objectives() {
        let o =
            parse_objectives(&["pod_seconds,scale_events".into()], &["completed".into()]).unwrap();
        assert_eq!(
            o.iter().map(|o| o.text()).collect::<Vec<_>>(),
            [
                "minimize pod_seconds",
                "minimize scale_events",
                "maximize completed"
            ]
        );
        assert!(parse_objectives(&["lost".into()], &["lost".into()]).is_err());
        assert_eq!(o[2].key(Some(3.0)), -3.0);
    }
}
