//! Functions (`promql/functions.go`): the range-vector functions (`extrapolatedRate` behind
//! `rate`/`increase`/`delta`, `instantValue` behind `irate`/`idelta`, `changes`, `resets`,
//! the `*_over_time` family) and the instant-vector and scalar ones.

use super::ast::{Expr, Function};
use super::eval::{check_unique, kahan_inc, Evaluator, Sample, Series, Val};

pub(crate) fn call(ev: &Evaluator<'_>, func: Function, args: &[Expr]) -> Result<Val, String> {
    use Function::*;
    let sig = func.signature();
    if args.len() > sig.args.len() || args.len() + sig.optional < sig.args.len() {
        // Only a hand-built tree gets here: the parser checks arity.
        return Err(format!("wrong number of arguments to {}()", func.name()));
    }
    match func {
        Rate | Irate | Increase | Delta | Idelta | Changes | Resets | AvgOverTime | MinOverTime
        | MaxOverTime | SumOverTime | CountOverTime | LastOverTime => {
            range_function(ev, func, &args[0])
        }
        Abs => simple(ev, &args[0], f64::abs),
        Ceil => simple(ev, &args[0], f64::ceil),
        Floor => simple(ev, &args[0], f64::floor),
        Sqrt => simple(ev, &args[0], f64::sqrt),
        Exp => simple(ev, &args[0], f64::exp),
        Ln => simple(ev, &args[0], f64::ln),
        Log2 => simple(ev, &args[0], f64::log2),
        Log10 => simple(ev, &args[0], f64::log10),
        Sgn => simple(ev, &args[0], |v| {
            if v < 0.0 {
                -1.0
            } else if v > 0.0 {
                1.0
            } else {
                v
            }
        }),
        Round => {
            // `funcRound`: ties round up; dividing by the inverse is the upstream formula.
            let to_nearest = match args.get(1) {
                Some(e) => ev.eval_scalar(e)?,
                None => 1.0,
            };
            let inv = 1.0 / to_nearest;
            simple(ev, &args[0], move |f| (f * inv + 0.5).floor() / inv)
        }
        ClampMin => {
            let min = ev.eval_scalar(&args[1])?;
            clamp(ev, &args[0], min, f64::INFINITY)
        }
        ClampMax => {
            let max = ev.eval_scalar(&args[1])?;
            clamp(ev, &args[0], f64::NEG_INFINITY, max)
        }
        Clamp => {
            let min = ev.eval_scalar(&args[1])?;
            let max = ev.eval_scalar(&args[2])?;
            clamp(ev, &args[0], min, max)
        }
        Scalar => {
            // `funcScalar`: the single element's value, NaN for none or several.
            let v = ev.eval_vector(&args[0])?;
            Ok(Val::Scalar(if v.len() == 1 {
                v[0].value
            } else {
                f64::NAN
            }))
        }
        Vector => {
            let v = ev.eval_scalar(&args[0])?;
            Ok(Val::Vector(vec![Sample {
                labels: super::tsdb::Labels::empty(),
                value: v,
            }]))
        }
        Time => Ok(Val::Scalar(ev.ts as f64 / 1000.0)),
    }
}

/// `simpleFloatFunc`: applies `f` to every element and drops the metric name.
fn simple(ev: &Evaluator<'_>, arg: &Expr, f: impl Fn(f64) -> f64) -> Result<Val, String> {
    let out: Vec<Sample> = ev
        .eval_vector(arg)?
        .into_iter()
        .map(|s| Sample {
            labels: s.labels.without_name(),
            value: f(s.value),
        })
        .collect();
    check_unique(&out)?;
    Ok(Val::Vector(out))
}

/// Go's `math.Min`/`math.Max`: NaN wins (Rust's `f64::min` would ignore it).
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// `clamp`: nothing when `max < min`, else `max(min, min(max, v))` with the name dropped.
fn clamp(ev: &Evaluator<'_>, arg: &Expr, min: f64, max: f64) -> Result<Val, String> {
    let vec = ev.eval_vector(arg)?;
    if max < min {
        return Ok(Val::Vector(Vec::new()));
    }
    let out: Vec<Sample> = vec
        .into_iter()
        .map(|s| Sample {
            labels: s.labels.without_name(),
            value: go_max(min, go_min(max, s.value)),
        })
        .collect();
    check_unique(&out)?;
    Ok(Val::Vector(out))
}

/// The matrix selector inside an argument, parentheses removed (`unwrapParenExpr`).
fn matrix_arg(arg: &Expr) -> Option<(i64, i64)> {
    match arg {
        Expr::Paren(e) => matrix_arg(e),
        Expr::Matrix { selector, range_ns } => Some((*range_ns, selector.offset_ns)),
        _ => None,
    }
}

/// Evaluates a function of a range vector series by series. All of them drop the metric
/// name except `last_over_time` (`eval` for `*parser.Call` in `engine.go`).
fn range_function(ev: &Evaluator<'_>, func: Function, arg: &Expr) -> Result<Val, String> {
    let Some((range_ns, offset_ns)) = matrix_arg(arg) else {
        return Err(format!("{}() needs a range vector selector", func.name()));
    };
    let Val::Matrix(series) = ev.eval(arg)? else {
        return Err(format!("{}() needs a range vector", func.name()));
    };
    let window = Window {
        start: ev.ts - (range_ns.saturating_add(offset_ns)) / 1_000_000,
        end: ev.ts - offset_ns / 1_000_000,
        range_secs: range_ns as f64 / 1e9,
    };
    let mut out = Vec::new();
    for s in series {
        let value = match func {
            Function::Rate => extrapolated_rate(&s, &window, true, true),
            Function::Increase => extrapolated_rate(&s, &window, true, false),
            Function::Delta => extrapolated_rate(&s, &window, false, false),
            Function::Irate => instant_value(&s, true),
            Function::Idelta => instant_value(&s, false),
            Function::Changes => Some(changes(&s)),
            Function::Resets => Some(resets(&s)),
            Function::AvgOverTime => Some(avg_over_time(&s)),
            Function::SumOverTime => Some(sum_over_time(&s)),
            Function::CountOverTime => Some(s.points.len() as f64),
            Function::MaxOverTime => Some(compare_over_time(&s, |cur, best| cur > best)),
            Function::MinOverTime => Some(compare_over_time(&s, |cur, best| cur < best)),
            Function::LastOverTime => s.points.last().map(|p| p.1),
            _ => None,
        };
        if let Some(value) = value {
            let labels = if func == Function::LastOverTime {
                s.labels
            } else {
                s.labels.without_name()
            };
            out.push(Sample { labels, value });
        }
    }
    check_unique(&out)?;
    Ok(Val::Vector(out))
}

/// The range of a rate window in milliseconds and its length in seconds.
struct Window {
    /// `enh.Ts - durationMilliseconds(ms.Range + vs.Offset)`; exclusive.
    start: i64,
    /// `enh.Ts - durationMilliseconds(vs.Offset)`.
    end: i64,
    /// `ms.Range.Seconds()`.
    range_secs: f64,
}

/// `extrapolatedRate` for float samples: the increase between the first and last sample
/// (corrected for counter resets when `is_counter`), extrapolated to the window edges when
/// the samples reach within 1.1 average intervals of them (else by half an interval), never
/// extrapolating a counter below zero; per second when `is_rate`. `None` below two samples.
fn extrapolated_rate(s: &Series, w: &Window, is_counter: bool, is_rate: bool) -> Option<f64> {
    let pts = &s.points;
    if pts.len() < 2 {
        return None;
    }
    let n_minus_one = pts.len() - 1;
    let (first_t, first_v) = pts[0];
    let (last_t, last_v) = pts[n_minus_one];
    let mut result = last_v - first_v;
    if is_counter {
        for pair in pts.windows(2) {
            if pair[1].1 < pair[0].1 {
                result += pair[0].1;
            }
        }
    }
    let mut duration_to_start = (first_t - w.start) as f64 / 1000.0;
    let mut duration_to_end = (w.end - last_t) as f64 / 1000.0;
    let sampled_interval = (last_t - first_t) as f64 / 1000.0;
    let average_between = sampled_interval / n_minus_one as f64;
    let threshold = average_between * 1.1;
    if duration_to_start >= threshold {
        duration_to_start = average_between / 2.0;
    }
    if is_counter {
        // A counter cannot go below zero: stop the extrapolation where it would reach zero.
        let mut duration_to_zero = duration_to_start;
        if result > 0.0 && first_v >= 0.0 {
            duration_to_zero = sampled_interval * (first_v / result);
        }
        if duration_to_zero < duration_to_start {
            duration_to_start = duration_to_zero;
        }
    }
    if duration_to_end >= threshold {
        duration_to_end = average_between / 2.0;
    }
    let mut factor = 1.0;
    if sampled_interval != 0.0 {
        factor = (sampled_interval + duration_to_start + duration_to_end) / sampled_interval;
    }
    if is_rate {
        factor /= w.range_secs;
    }
    Some(result * factor)
}

/// `instantValue`: from the last two samples, the difference (`idelta`) or the per-second
/// rate treating a decrease as a counter reset (`irate`).
fn instant_value(s: &Series, is_rate: bool) -> Option<f64> {
    let pts = &s.points;
    if pts.len() < 2 {
        return None;
    }
    let (t0, v0) = pts[pts.len() - 2];
    let (t1, v1) = pts[pts.len() - 1];
    let interval = t1 - t0;
    if interval == 0 {
        return None;
    }
    let mut result = v1;
    if !is_rate || v1 >= v0 || v1.is_nan() || v0.is_nan() {
        // Mirrors `!(v1 < v0)`: a NaN on either side is no reset.
        result = v1 - v0;
    }
    if is_rate {
        result /= interval as f64 / 1000.0;
    }
    Some(result)
}

/// `funcChanges`: how often the value changed (NaN to NaN is no change).
fn changes(s: &Series) -> f64 {
    s.points
        .windows(2)
        .filter(|p| p[1].1 != p[0].1 && !(p[1].1.is_nan() && p[0].1.is_nan()))
        .count() as f64
}

/// `funcResets`: how often the value decreased.
fn resets(s: &Series) -> f64 {
    s.points.windows(2).filter(|p| p[1].1 < p[0].1).count() as f64
}

/// `funcAvgOverTime`: Kahan-compensated direct mean, switching to an incremental mean if
/// the running sum would overflow.
fn avg_over_time(s: &Series) -> f64 {
    let mut sum = s.points[0].1;
    let mut count = 1.0;
    let mut mean = 0.0;
    let mut c = 0.0;
    let mut incremental = false;
    for (i, &(_, f)) in s.points.iter().enumerate().skip(1) {
        count = (i + 1) as f64;
        if !incremental {
            let (ns, nc) = kahan_inc(f, sum, c);
            if !ns.is_infinite() {
                sum = ns;
                c = nc;
                continue;
            }
            incremental = true;
            mean = sum / (count - 1.0);
            c /= count - 1.0;
        }
        let q = (count - 1.0) / count;
        (mean, c) = kahan_inc(f / count, q * mean, q * c);
    }
    if incremental {
        mean + c
    } else {
        sum / count + c / count
    }
}

/// `funcSumOverTime`: Kahan-compensated sum.
fn sum_over_time(s: &Series) -> f64 {
    let (mut sum, mut c) = (0.0, 0.0);
    for &(_, f) in &s.points {
        (sum, c) = kahan_inc(f, sum, c);
    }
    if sum.is_infinite() {
        sum
    } else {
        sum + c
    }
}

/// `compareOverTime`: the extreme value, a NaN replaced by any later value.
fn compare_over_time(s: &Series, better: impl Fn(f64, f64) -> bool) -> f64 {
    let mut best = s.points[0].1;
    for &(_, f) in &s.points {
        if better(f, best) || best.is_nan() {
            best = f;
        }
    }
    best
}
