//! A runner for Prometheus's PromQL test scripts (`promql/promqltest/README.md`), so cases
//! from upstream's `testdata/*.test` files run unchanged against this engine.
//!
//! Supported: `load <interval>` with float values in the expanding notation (`0+10x10`,
//! `1x3`, `_`, `_x3`, `stale`), `clear`, `eval instant at <t> <query>`,
//! `eval range from <t> to <t> step <d> <query>`, the deprecated `eval_fail`/`eval_ordered`/
//! `eval_warn`/`eval_info` forms, `expect fail [msg:|regex: ...]`, `expect ordered`, and
//! expected series or scalar lines compared with upstream's relative tolerance 1e-6. `expect
//! warn|info|no_warn|no_info` are accepted and not checked: this engine has no annotations.
//! Native histograms, `expect string` and `expect range vector` are refused.

use super::ast::Expr;
use super::eval::{query, Value};
use super::lexer::{lex, Tok};
use super::parser::{parse, parse_duration, parse_number};
use super::regex::Regex;
use super::tsdb::{stale_nan, Labels, Tsdb, METRIC_NAME};
use crate::time::{Dur, SimTime};
use std::collections::BTreeMap;

/// Relative error allowed between expected and actual values (`defaultEpsilon`).
const EPSILON: f64 = 0.000001;

/// Runs a script; returns the number of `eval` commands checked, or the first failure with
/// its line number.
pub fn run(script: &str) -> Result<usize, String> {
    let (evals, failures) = run_all(script);
    match failures.into_iter().next() {
        Some(f) => Err(f),
        None => Ok(evals),
    }
}

/// Runs every command of a script, going on after failures; returns the number of `eval`
/// commands and every failure (a failed `load` is reported and its data skipped).
pub fn run_all(script: &str) -> (usize, Vec<String>) {
    let lines: Vec<String> = script
        .lines()
        .map(|l| {
            let t = l.trim();
            if t.starts_with('#') {
                String::new()
            } else {
                t.to_string()
            }
        })
        .collect();
    let mut db = Tsdb::new(Dur::from_secs(100 * 365 * 24 * 3600));
    let mut evals = 0;
    let mut failures = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if line.is_empty() {
            i += 1;
            continue;
        }
        let body_end = body_end(&lines, i + 1);
        let body = &lines[i + 1..body_end];
        let at = |msg: String| format!("line {}: {msg}", i + 1);
        let outcome = if line == "clear" {
            db.clear();
            Ok(())
        } else if let Some(rest) = line.strip_prefix("load") {
            load(&mut db, rest, body, i + 1)
        } else if line.starts_with("eval") {
            evals += 1;
            eval(&db, line, body)
        } else {
            Err(format!("unknown command {line:?}"))
        };
        if let Err(e) = outcome {
            failures.push(at(e));
        }
        i = body_end;
    }
    (evals, failures)
}

/// The body of a command runs to the first empty line (comments count as empty, as
/// upstream's `getLines` makes them) or the next command.
fn body_end(lines: &[String], from: usize) -> usize {
    let mut j = from;
    while j < lines.len() && !lines[j].is_empty() && !is_command(&lines[j]) {
        j += 1;
    }
    j
}

fn is_command(line: &str) -> bool {
    line == "clear"
        || line.starts_with("load ")
        || line.starts_with("eval ")
        || line.starts_with("eval_")
}

/// A test-script time or interval (`model.ParseDuration`).
fn script_duration(s: &str) -> Result<i64, String> {
    let ns = parse_duration(s.trim()).map_err(|e| format!("invalid duration {s:?}: {e}"))?;
    Ok(ns)
}

fn sim_time(ns: i64) -> SimTime {
    SimTime(ns.max(0) as u64)
}

/// One point of a series description.
#[derive(Clone, Copy, Debug)]
enum Point {
    Value(f64),
    Missing,
    Stale,
}

fn load(db: &mut Tsdb, rest: &str, body: &[String], line: usize) -> Result<(), String> {
    if rest.starts_with("_with_nhcb") {
        return Err("load_with_nhcb is not supported (native histograms)".into());
    }
    let gap = script_duration(rest)?;
    // A series defined twice in one `load` keeps its last definition, as upstream's
    // `loadCmd.defs` (a map by series) does.
    let mut defs: BTreeMap<Labels, Vec<Point>> = BTreeMap::new();
    let mut first_err = None;
    for (k, def) in body.iter().enumerate() {
        match parse_series_line(def) {
            Ok((labels, points)) => {
                defs.insert(labels, points);
            }
            // Load the other series anyway; the error is reported at the end.
            Err(e) => {
                first_err.get_or_insert(format!("line {}: {e}", line + k + 1));
            }
        }
    }
    for (labels, points) in defs {
        let name = labels.metric_name().unwrap_or_default().to_string();
        let pairs: Vec<(&str, &str)> = labels.iter().filter(|(n, _)| *n != METRIC_NAME).collect();
        for (j, p) in points.iter().enumerate() {
            let t = sim_time(gap.saturating_mul(j as i64));
            let v = match p {
                Point::Missing => continue,
                Point::Stale => stale_nan(),
                Point::Value(v) => *v,
            };
            db.try_append(&name, &pairs, t, v)
                .map_err(|e| e.to_string())?;
        }
    }
    first_err.map_or(Ok(()), Err)
}

/// What an `eval` expects.
#[derive(Default)]
struct Expectations {
    fail: bool,
    fail_msg: Option<String>,
    fail_regex: Option<String>,
    ordered: bool,
    scalar: Option<f64>,
    series: Vec<(Labels, Vec<Point>)>,
}

fn eval(db: &Tsdb, line: &str, body: &[String]) -> Result<(), String> {
    let (modifier, rest) = match line.split_once(char::is_whitespace) {
        Some((cmd, rest)) => (cmd.strip_prefix("eval").unwrap_or(""), rest.trim_start()),
        None => return Err(format!("invalid eval command {line:?}")),
    };
    let mut exp = Expectations::default();
    match modifier {
        "" | "_warn" | "_info" => {}
        "_fail" => exp.fail = true,
        "_ordered" => exp.ordered = true,
        other => return Err(format!("unknown eval modifier {other:?}")),
    }
    for def in body {
        parse_expectation(def, &mut exp)?;
    }
    if let Some(r) = rest.strip_prefix("instant") {
        let r = r.trim_start();
        let r = r
            .strip_prefix("at")
            .ok_or("expected `at <time>`")?
            .trim_start();
        let (t, q) = r.split_once(char::is_whitespace).ok_or("missing query")?;
        let expr = parse_query(q)?;
        let at = sim_time(script_duration(t)?);
        check_instant(db, &expr, at, &exp).map_err(|e| format!("eval instant at {t} {q}: {e}"))
    } else if let Some(r) = rest.strip_prefix("range") {
        let r = r
            .trim_start()
            .strip_prefix("from")
            .ok_or("expected `from`")?;
        let (from, r) = r.split_once(" to ").ok_or("expected `to`")?;
        let (to, r) = r.split_once(" step ").ok_or("expected `step`")?;
        let (step, q) = r
            .trim_start()
            .split_once(char::is_whitespace)
            .ok_or("missing query")?;
        let expr = parse_query(q)?;
        let (from, to, step) = (
            script_duration(from)?,
            script_duration(to)?,
            script_duration(step)?,
        );
        if step <= 0 {
            return Err("step must be positive".into());
        }
        check_range(db, &expr, from, to, step, &exp).map_err(|e| format!("eval range {q}: {e}"))
    } else {
        Err(format!("invalid eval command {line:?}"))
    }
}

fn parse_query(q: &str) -> Result<Expr, String> {
    parse(q).map_err(|e| format!("query {q:?}: {e}"))
}

fn parse_expectation(def: &str, exp: &mut Expectations) -> Result<(), String> {
    if let Some(msg) = def.strip_prefix("expected_fail_message") {
        exp.fail_msg = Some(msg.trim().to_string());
        return Ok(());
    }
    if let Some(re) = def.strip_prefix("expected_fail_regexp") {
        exp.fail_regex = Some(re.trim().to_string());
        return Ok(());
    }
    if def.split(' ').next() == Some("expect") {
        let rest = def["expect".len()..].trim_start();
        let (kind, detail) = match rest.split_once(char::is_whitespace) {
            Some((k, d)) => (k, d.trim()),
            None => (rest, ""),
        };
        match kind {
            "fail" => {
                exp.fail = true;
                if let Some(m) = detail.strip_prefix("msg:") {
                    exp.fail_msg = Some(m.trim().to_string());
                } else if let Some(r) = detail.strip_prefix("regex:") {
                    exp.fail_regex = Some(r.trim().to_string());
                }
            }
            "ordered" => exp.ordered = true,
            "warn" | "info" | "no_warn" | "no_info" => {}
            "string" | "range" => return Err(format!("`expect {kind}` is not supported")),
            other => return Err(format!("unknown expectation {other:?}")),
        }
        return Ok(());
    }
    if let Ok(v) = parse_value(def) {
        exp.scalar = Some(v);
        return Ok(());
    }
    exp.series.push(parse_series_line(def)?);
    Ok(())
}

/// Upstream's `almost.Equal`: NaN equals NaN, else a relative difference below `epsilon`.
pub fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    const MIN_NORMAL: f64 = f64::MIN_POSITIVE;
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < MIN_NORMAL {
        return diff < epsilon * MIN_NORMAL;
    }
    diff / abs_sum.min(f64::MAX) < epsilon
}

fn check_failure(err: &str, exp: &Expectations) -> Result<(), String> {
    if let Some(msg) = &exp.fail_msg {
        if err != msg {
            return Err(format!("expected error {msg:?}, got {err:?}"));
        }
    }
    if let Some(re) = &exp.fail_regex {
        let unanchored = format!(".*(?:{re}).*");
        let r = Regex::new(&unanchored).map_err(|e| format!("bad expected regex: {e}"))?;
        if !r.is_match(err) {
            return Err(format!("expected error matching {re:?}, got {err:?}"));
        }
    }
    Ok(())
}

fn check_instant(db: &Tsdb, expr: &Expr, at: SimTime, exp: &Expectations) -> Result<(), String> {
    let result = query(db, expr, at, super::DEFAULT_LOOKBACK);
    let value = match (result, exp.fail) {
        (Err(e), true) => return check_failure(&e, exp),
        (Err(e), false) => return Err(format!("unexpected error: {e}")),
        (Ok(v), true) => return Err(format!("expected an error, got {v:?}")),
        (Ok(v), false) => v,
    };
    match value {
        Value::Scalar(v) => match exp.scalar {
            Some(want) if almost_equal(want, v, EPSILON) => Ok(()),
            Some(want) => Err(format!("expected scalar {want}, got {v}")),
            None => Err(format!("expected a vector, got scalar {v}")),
        },
        Value::Vector(samples) => {
            if let Some(want) = exp.scalar {
                return Err(format!("expected scalar {want}, got vector {samples:?}"));
            }
            let want: Vec<(&Labels, f64)> = exp
                .series
                .iter()
                .filter_map(|(l, pts)| match pts.as_slice() {
                    [Point::Value(v)] => Some((l, *v)),
                    _ => None,
                })
                .collect();
            if want.len() != exp.series.len() {
                return Err("an instant expectation needs exactly one value per series".into());
            }
            let show = |s: &[(&Labels, f64)]| {
                s.iter()
                    .map(|(l, v)| format!("{} {v}", l.to_series_string()))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let got: Vec<(&Labels, f64)> = samples.iter().map(|s| (&s.labels, s.value)).collect();
            let mismatch = || format!("expected [{}], got [{}]", show(&want), show(&got));
            if got.len() != want.len() {
                return Err(mismatch());
            }
            if exp.ordered {
                for ((gl, gv), (wl, wv)) in got.iter().zip(&want) {
                    if gl != wl || !almost_equal(*wv, *gv, EPSILON) {
                        return Err(mismatch());
                    }
                }
            } else {
                for (gl, gv) in &got {
                    match want.iter().find(|(wl, _)| wl == gl) {
                        Some((_, wv)) if almost_equal(*wv, *gv, EPSILON) => {}
                        _ => return Err(mismatch()),
                    }
                }
            }
            Ok(())
        }
    }
}

fn check_range(
    db: &Tsdb,
    expr: &Expr,
    from: i64,
    to: i64,
    step: i64,
    exp: &Expectations,
) -> Result<(), String> {
    let steps = ((to - from) / step + 1).max(0) as usize;
    let mut got: BTreeMap<Labels, Vec<Option<f64>>> = BTreeMap::new();
    for k in 0..steps {
        let t = sim_time(from + step * k as i64);
        let result = query(db, expr, t, super::DEFAULT_LOOKBACK);
        let value = match (result, exp.fail) {
            (Err(e), true) => return check_failure(&e, exp),
            (Err(e), false) => return Err(format!("unexpected error at step {k}: {e}")),
            (Ok(v), _) => v,
        };
        let samples = match value {
            Value::Scalar(v) => vec![(Labels::empty(), v)],
            Value::Vector(v) => v.into_iter().map(|s| (s.labels, s.value)).collect(),
        };
        for (labels, v) in samples {
            got.entry(labels).or_insert_with(|| vec![None; steps])[k] = Some(v);
        }
    }
    if exp.fail {
        return Err("expected an error".into());
    }
    let mut want: BTreeMap<Labels, Vec<Option<f64>>> = BTreeMap::new();
    for (labels, pts) in &exp.series {
        let mut vals = vec![None; steps];
        for (k, p) in pts.iter().enumerate().take(steps) {
            if let Point::Value(v) = p {
                vals[k] = Some(*v);
            }
        }
        want.insert(labels.clone(), vals);
    }
    want.retain(|_, v| v.iter().any(Option::is_some));
    let same = got.len() == want.len()
        && got.iter().all(|(l, g)| {
            want.get(l).is_some_and(|w| {
                g.iter().zip(w).all(|(a, b)| match (a, b) {
                    (Some(a), Some(b)) => almost_equal(*b, *a, EPSILON),
                    (None, None) => true,
                    _ => false,
                })
            })
        });
    if same {
        Ok(())
    } else {
        Err(format!("expected {want:?}, got {got:?}"))
    }
}

/// A value of a series line: a number as `parseNumber` reads it, with `Inf`/`NaN` words.
fn parse_value(s: &str) -> Result<f64, String> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let v = match body.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        "" => return Err("empty value".into()),
        _ if body.starts_with(|c: char| c.is_ascii_digit() || c == '.') => parse_number(body)?,
        _ => return Err(format!("bad value {s:?}")),
    };
    Ok(if neg { -v } else { v })
}

/// Splits `metric{labels} values...` into labels and expanded points.
fn parse_series_line(line: &str) -> Result<(Labels, Vec<Point>), String> {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    let mut end = line.len();
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '{' => depth += 1,
            '}' => depth -= 1,
            c if c.is_whitespace() && depth == 0 => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let labels = parse_labels(&line[..end])?;
    let mut points = Vec::new();
    for item in line[end..].split_whitespace() {
        points.extend(expand(item)?);
    }
    Ok((labels, points))
}

/// `name`, `name{a="b", ...}` or `{...}` as a label set.
fn parse_labels(desc: &str) -> Result<Labels, String> {
    let toks = lex(desc);
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    let tok = |i: usize| toks.get(i).map_or(&Tok::Eof, |t| &t.tok);
    if let Tok::Ident(name) = tok(i) {
        pairs.push((METRIC_NAME.to_string(), name.clone()));
        i += 1;
    }
    if *tok(i) == Tok::LBrace {
        i += 1;
        loop {
            match tok(i) {
                Tok::RBrace => {
                    i += 1;
                    break;
                }
                Tok::Ident(n) | Tok::Str(n) => {
                    let n = n.clone();
                    let Tok::Str(v) = tok(i + 2) else {
                        return Err(format!("bad series description {desc:?}"));
                    };
                    if *tok(i + 1) != Tok::Eql {
                        return Err(format!("bad series description {desc:?}"));
                    }
                    pairs.push((n, v.clone()));
                    i += 3;
                    if *tok(i) == Tok::Comma {
                        i += 1;
                    }
                }
                _ => return Err(format!("bad series description {desc:?}")),
            }
        }
    }
    if *tok(i) != Tok::Eof {
        return Err(format!("bad series description {desc:?}"));
    }
    Labels::from_pairs(&pairs)
}

/// One item of the expanding notation: `v`, `_`, `stale`, `a+bxn`, `a-bxn`, `axn`, `_xn`.
fn expand(item: &str) -> Result<Vec<Point>, String> {
    if item.starts_with("{{") {
        return Err("native histograms are not supported".into());
    }
    match item {
        "_" => return Ok(vec![Point::Missing]),
        "stale" => return Ok(vec![Point::Stale]),
        _ => {}
    }
    let is_hex = item.starts_with("0x") || item.starts_with("0X");
    let Some((base, times)) = item.rsplit_once('x').filter(|_| !is_hex) else {
        return Ok(vec![Point::Value(parse_value(item)?)]);
    };
    let n: u64 = times
        .parse()
        .map_err(|_| format!("bad repetition in {item:?}"))?;
    if n > 1_000_000 {
        return Err(format!("repetition too large in {item:?}"));
    }
    if base == "_" {
        return Ok(vec![Point::Missing; n as usize]);
    }
    // Split `a+b` / `a-b` at the last sign that is not the exponent sign or a leading sign.
    let bytes = base.as_bytes();
    let split = (1..bytes.len())
        .rev()
        .find(|&i| (bytes[i] == b'+' || bytes[i] == b'-') && !matches!(bytes[i - 1], b'e' | b'E'));
    let (start, inc) = match split {
        Some(i) => (parse_value(&base[..i])?, parse_value(&base[i..])?),
        None => (parse_value(base)?, 0.0),
    };
    let mut out = Vec::with_capacity(n as usize + 1);
    let mut v = start;
    for _ in 0..=n {
        out.push(Point::Value(v));
        v += inc;
    }
    Ok(out)
}
