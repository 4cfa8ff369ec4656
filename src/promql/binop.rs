//! Binary operators (`promql/engine.go`: `scalarBinop`, `VectorscalarBinop`, `VectorBinop`
//! with one-to-one and `group_left`/`group_right` matching, `VectorAnd`/`Or`/`Unless`,
//! `resultMetric`, `vectorElemBinop`).

use std::collections::BTreeMap;

use super::ast::{BinOp, BinaryExpr, Card, VectorMatching};
use super::eval::{check_unique, Evaluator, Sample, Val};
use super::tsdb::{Labels, METRIC_NAME};

pub(crate) fn eval(ev: &Evaluator<'_>, b: &BinaryExpr) -> Result<Val, String> {
    let lhs = ev.eval(&b.lhs)?;
    let rhs = ev.eval(&b.rhs)?;
    let out = match (lhs, rhs) {
        (Val::Scalar(l), Val::Scalar(r)) => return Ok(Val::Scalar(scalar_binop(b.op, l, r))),
        (Val::Vector(l), Val::Scalar(r)) => vector_scalar(b.op, l, r, false, b.return_bool),
        (Val::Scalar(l), Val::Vector(r)) => vector_scalar(b.op, r, l, true, b.return_bool),
        (Val::Vector(l), Val::Vector(r)) => {
            let default = VectorMatching {
                card: if b.op.is_set() {
                    Card::ManyToMany
                } else {
                    Card::OneToOne
                },
                on: false,
                labels: Vec::new(),
                include: Vec::new(),
            };
            let m = b.matching.as_ref().unwrap_or(&default);
            match b.op {
                BinOp::And => vector_and(l, r, m),
                BinOp::Or => vector_or(l, r, m),
                BinOp::Unless => vector_unless(l, r, m),
                _ => vector_binop(b.op, l, r, m, b.return_bool)?,
            }
        }
        _ => {
            return Err(
                "binary expression must contain only scalar and instant vector types".into(),
            )
        }
    };
    check_unique(&out)?;
    Ok(Val::Vector(out))
}

/// `scalarBinop`: comparisons give 1 or 0 (they always carry `bool` between scalars).
pub(crate) fn scalar_binop(op: BinOp, l: f64, r: f64) -> f64 {
    let b = |c: bool| if c { 1.0 } else { 0.0 };
    match op {
        BinOp::Add => l + r,
        BinOp::Sub => l - r,
        BinOp::Mul => l * r,
        BinOp::Div => l / r,
        // `math.Pow` and `math.Mod` have the special cases of C's `pow` and `fmod` (`%`);
        // Go's software `Pow` may differ from the platform's in the last bit.
        BinOp::Pow => l.powf(r),
        BinOp::Mod => l % r,
        BinOp::Eq => b(l == r),
        BinOp::Ne => b(l != r),
        BinOp::Gt => b(l > r),
        BinOp::Lt => b(l < r),
        BinOp::Ge => b(l >= r),
        BinOp::Le => b(l <= r),
        BinOp::And | BinOp::Or | BinOp::Unless => f64::NAN,
    }
}

/// `vectorElemBinop` for floats: the value, and whether a comparison keeps the element.
fn elem_binop(op: BinOp, l: f64, r: f64) -> (f64, bool) {
    match op {
        BinOp::Eq => (l, l == r),
        BinOp::Ne => (l, l != r),
        BinOp::Gt => (l, l > r),
        BinOp::Lt => (l, l < r),
        BinOp::Ge => (l, l >= r),
        BinOp::Le => (l, l <= r),
        _ => (scalar_binop(op, l, r), true),
    }
}

/// Arithmetic operators change what the metric means, so they drop its name
/// (`changesMetricSchema`).
fn changes_metric_schema(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow | BinOp::Mod
    )
}

/// `VectorscalarBinop`; `swap` when the scalar was on the left.
fn vector_scalar(
    op: BinOp,
    vec: Vec<Sample>,
    scalar: f64,
    swap: bool,
    return_bool: bool,
) -> Vec<Sample> {
    let mut out = Vec::with_capacity(vec.len());
    for s in vec {
        let (l, r) = if swap {
            (scalar, s.value)
        } else {
            (s.value, scalar)
        };
        let (mut value, mut keep) = elem_binop(op, l, r);
        // A comparison keeps the vector element's value, even with the scalar on the left.
        if op.is_comparison() && swap {
            value = r;
        }
        if return_bool {
            value = if keep { 1.0 } else { 0.0 };
            keep = true;
        }
        if keep {
            let labels = if changes_metric_schema(op) || return_bool {
                s.labels.without_name()
            } else {
                s.labels
            };
            out.push(Sample { labels, value });
        }
    }
    out
}

/// The join signature of a series: the `on` labels, or all but the `ignoring` labels and the
/// metric name (`signatureFunc` in `rangeEval`).
fn signature(labels: &Labels, m: &VectorMatching) -> Labels {
    if m.on {
        labels.keep(&m.labels)
    } else {
        labels.without(&m.labels).without_name()
    }
}

/// `VectorBinop` for arithmetic and comparison operators.
fn vector_binop(
    op: BinOp,
    lhs: Vec<Sample>,
    rhs: Vec<Sample>,
    m: &VectorMatching,
    return_bool: bool,
) -> Result<Vec<Sample>, String> {
    if lhs.is_empty() || rhs.is_empty() {
        return Ok(Vec::new());
    }
    // One-to-many: swap sides, and swap back when computing values.
    let (lhs, rhs) = if m.card == Card::OneToMany {
        (rhs, lhs)
    } else {
        (lhs, rhs)
    };
    // The "one" side, by signature; a signature seen twice there is a many-to-many match.
    let mut right: BTreeMap<Labels, &Sample> = BTreeMap::new();
    for rs in &rhs {
        let sig = signature(&rs.labels, m);
        if let Some(dup) = right.get(&sig) {
            let one_side = if m.card == Card::OneToMany {
                "left"
            } else {
                "right"
            };
            let matched = rs.labels.keep_for_match(m);
            let (mut a, mut b) = (rs.labels.to_string(), dup.labels.to_string());
            if a > b {
                std::mem::swap(&mut a, &mut b);
            }
            return Err(format!(
                "found duplicate series for the match group {matched} on the {one_side} hand-side of the operation: [{a}, {b}];many-to-many matching not allowed: matching labels must be unique on one side"
            ));
        }
        right.insert(sig, rs);
    }
    let mut matched_one: BTreeMap<Labels, ()> = BTreeMap::new();
    let mut matched_many: BTreeMap<Labels, BTreeMap<Labels, ()>> = BTreeMap::new();
    let mut out = Vec::new();
    for ls in &lhs {
        let sig = signature(&ls.labels, m);
        let Some(rs) = right.get(&sig) else { continue };
        let (fl, fr) = if m.card == Card::OneToMany {
            (rs.value, ls.value)
        } else {
            (ls.value, rs.value)
        };
        let (mut value, keep) = elem_binop(op, fl, fr);
        if return_bool {
            value = if keep { 1.0 } else { 0.0 };
        }
        let metric = result_metric(&ls.labels, &rs.labels, op, m, return_bool);
        if m.card == Card::OneToOne {
            if matched_one.insert(sig, ()).is_some() {
                return Err("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)".into());
            }
        } else if matched_many
            .entry(sig)
            .or_default()
            .insert(metric.clone(), ())
            .is_some()
        {
            return Err(
                "multiple matches for labels: grouping labels must ensure unique matches".into(),
            );
        }
        if !keep && !return_bool {
            continue;
        }
        out.push(Sample {
            labels: metric,
            value,
        });
    }
    Ok(out)
}

/// The labels of a vector/vector result (`resultMetric`): the "many" side's labels, without
/// the name for arithmetic or `bool`, reduced to the `on` labels (or without the `ignoring`
/// ones) for one-to-one matching, plus `group_x` labels copied from the "one" side.
fn result_metric(
    lhs: &Labels,
    rhs: &Labels,
    op: BinOp,
    m: &VectorMatching,
    return_bool: bool,
) -> Labels {
    let mut out = if return_bool || changes_metric_schema(op) {
        lhs.without_name()
    } else {
        lhs.clone()
    };
    if m.card == Card::OneToOne {
        out = if m.on {
            out.keep(&m.labels)
        } else {
            out.without(&m.labels)
        };
    }
    for name in &m.include {
        out.set(name, rhs.get_or_empty(name));
    }
    out
}

impl Labels {
    /// The labels a match group is reported with (`MatchLabels`).
    fn keep_for_match(&self, m: &VectorMatching) -> Labels {
        if m.on {
            self.keep(&m.labels)
        } else {
            let mut drop = m.labels.clone();
            drop.push(METRIC_NAME.to_string());
            self.without(&drop)
        }
    }
}

/// `VectorAnd`: left elements whose signature occurs on the right.
fn vector_and(lhs: Vec<Sample>, rhs: Vec<Sample>, m: &VectorMatching) -> Vec<Sample> {
    if lhs.is_empty() || rhs.is_empty() {
        return Vec::new();
    }
    let right: BTreeMap<Labels, ()> = rhs.iter().map(|s| (signature(&s.labels, m), ())).collect();
    lhs.into_iter()
        .filter(|s| right.contains_key(&signature(&s.labels, m)))
        .collect()
}

/// `VectorOr`: all left elements, then right elements whose signature is not on the left.
fn vector_or(lhs: Vec<Sample>, rhs: Vec<Sample>, m: &VectorMatching) -> Vec<Sample> {
    if lhs.is_empty() {
        return rhs;
    }
    if rhs.is_empty() {
        return lhs;
    }
    let left: BTreeMap<Labels, ()> = lhs.iter().map(|s| (signature(&s.labels, m), ())).collect();
    let mut out = lhs;
    out.extend(
        rhs.into_iter()
            .filter(|s| !left.contains_key(&signature(&s.labels, m))),
    );
    out
}

/// `VectorUnless`: left elements whose signature does not occur on the right.
fn vector_unless(lhs: Vec<Sample>, rhs: Vec<Sample>, m: &VectorMatching) -> Vec<Sample> {
    if lhs.is_empty() || rhs.is_empty() {
        return lhs;
    }
    let right: BTreeMap<Labels, ()> = rhs.iter().map(|s| (signature(&s.labels, m), ())).collect();
    lhs.into_iter()
        .filter(|s| !right.contains_key(&signature(&s.labels, m)))
        .collect()
}
