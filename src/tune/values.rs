//! Value lists and ranges of swept parameters: `--set KEY=1,2,5`, `--set KEY=5..60:5`,
//! `--set KEY=5s..60s:5s`, `--set KEY=0.5..2:0.25`.
//!
//! Decisions:
//! * A value list splits on commas that are not inside quotes (`'...'`, `"..."`) or brackets
//!   (`[...]`, `{...}`), so a single value containing commas is written quoted
//!   (`--set 'workers.0.command="celery -A app worker -Q a,b"'`) or passed with
//!   `--set-literal KEY=VALUE`, which never splits. A quoted value is a YAML string, exactly as
//!   with `run --set`; `[a, b]` is one YAML list value.
//! * `A..B:STEP` is a range, both ends included when on the step grid. Integers, decimals
//!   (written with as many decimals as the inputs use, so `0.1..0.3:0.1` gives `0.1, 0.2,
//!   0.3`, never `0.30000000000000004`) and Go durations (written in the largest unit that
//!   divides the start and the step: `30s..2m:30s` gives `30s, 60s, 90s, 120s`).
//! * `A..B` without a step is a continuous interval, only meaningful for random and
//!   Latin-hypercube designs (integers drawn whole, durations in whole units of the ends).
//! * Ranges and values mix: `1,2,5..60:5`. Listing a value twice is an error (it would run
//!   the same point twice under two names).

use crate::observe::fmt_num;
use crate::time::{parse_go_duration, Dur};

/// Most values one parameter may take.
pub const MAX_LEVELS: usize = 10_000;

/// What one parameter ranges over.
#[derive(Clone, Debug, PartialEq)]
pub enum Domain {
    /// Discrete values, as `--set` value texts.
    Levels(Vec<String>),
    /// A continuous interval (random and Latin-hypercube designs only).
    Interval(Interval),
}

impl Domain {
    /// The discrete values, when there are any.
    pub fn levels(&self) -> Option<&[String]> {
        match self {
            Domain::Levels(v) => Some(v),
            Domain::Interval(_) => None,
        }
    }

    /// For `sweep.json` and messages: the levels, or `lo..hi`.
    pub fn describe(&self) -> String {
        match self {
            Domain::Levels(v) => v.join(","),
            Domain::Interval(i) => format!("{}..{}", i.format(i.lo), i.format(i.hi)),
        }
    }
}

/// A continuous interval of numbers or durations.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    /// Lower end (seconds for durations).
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// What the numbers are.
    pub kind: NumKind,
}

/// The kind of the numbers in a range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NumKind {
    /// Whole numbers.
    Int,
    /// Decimals, written with this many decimals.
    Float(usize),
    /// Go durations, written in this unit (name, nanoseconds).
    Duration(&'static str, u64),
}

impl Interval {
    /// The value at fraction `u` in [0, 1) of the interval, as `--set` text.
    pub fn at(&self, u: f64) -> String {
        match self.kind {
            NumKind::Int => {
                let span = self.hi - self.lo + 1.0;
                let v = (self.lo + (u * span).floor()).min(self.hi);
                format!("{}", v as i64)
            }
            NumKind::Float(_) => fmt_num(self.lo + u * (self.hi - self.lo)),
            NumKind::Duration(_, unit) => {
                let lo = (self.lo * 1e9 / unit as f64).round();
                let hi = (self.hi * 1e9 / unit as f64).round();
                let k = (lo + (u * (hi - lo + 1.0)).floor()).min(hi);
                self.format(k * unit as f64 / 1e9)
            }
        }
    }

    fn format(&self, v: f64) -> String {
        match self.kind {
            NumKind::Int => format!("{}", v as i64),
            NumKind::Float(d) => trim(&format!("{v:.d$}")),
            NumKind::Duration(name, unit) => {
                format!("{}{name}", ((v * 1e9) / unit as f64).round() as i64)
            }
        }
    }
}

/// Parses the value part of a swept `--set` (after the first `=`).
pub fn parse_domain(text: &str) -> Result<Domain, String> {
    let items = split_items(text)?;
    let mut levels: Vec<String> = Vec::new();
    let mut interval = None;
    for item in &items {
        match parse_range(item)? {
            Some(RangeSpec::Stepped(values)) => levels.extend(values),
            Some(RangeSpec::Interval(i)) => {
                if items.len() > 1 {
                    return Err(format!(
                        "{item:?}: a range without a step is a continuous interval and must be the only value (or give a step: {item}:STEP)"
                    ));
                }
                interval = Some(i);
            }
            None => levels.push(item.clone()),
        }
        if levels.len() > MAX_LEVELS {
            return Err(format!("more than {MAX_LEVELS} values; use a larger step"));
        }
    }
    if let Some(i) = interval {
        return Ok(Domain::Interval(i));
    }
    for (k, v) in levels.iter().enumerate() {
        if levels[..k].contains(v) {
            return Err(format!("the value {v} is listed twice"));
        }
    }
    Ok(Domain::Levels(levels))
}

/// Splits on commas outside quotes and brackets; trims items; rejects empty items.
pub fn split_items(text: &str) -> Result<Vec<String>, String> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut depth: i32 = 0;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, '[' | '{') => {
                depth += 1;
                cur.push(c);
            }
            (None, ']' | '}') => {
                depth -= 1;
                cur.push(c);
            }
            (None, ',') if depth == 0 => {
                items.push(std::mem::take(&mut cur));
            }
            (None, c) => cur.push(c),
        }
    }
    if quote.is_some() {
        return Err(format!("unclosed quote in {text:?}"));
    }
    if depth != 0 {
        return Err(format!("unbalanced brackets in {text:?}"));
    }
    items.push(cur);
    let items: Vec<String> = items.into_iter().map(|s| s.trim().to_string()).collect();
    if items.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "empty value in {text:?} (two commas in a row, or a trailing comma?)"
        ));
    }
    Ok(items)
}

enum RangeSpec {
    Stepped(Vec<String>),
    Interval(Interval),
}

/// A number or duration at one end of a range.
#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64, usize),
    Dur(u64, bool),
}

fn parse_num(s: &str) -> Option<Num> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(Num::Int(i));
    }
    let numeric = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'));
    if numeric {
        if let Ok(f) = s.parse::<f64>() {
            if f.is_finite() {
                let d = s.split_once('.').map_or(0, |(_, b)| b.len());
                return Some(Num::Float(f, d));
            }
        }
    }
    parse_go_duration(s).ok().map(|d| Num::Dur(d.0, s != "0"))
}

/// `Some` when `item` is written as a range (`A..B` or `A..B:S` with numeric or duration ends).
fn parse_range(item: &str) -> Result<Option<RangeSpec>, String> {
    if item.starts_with(['"', '\'', '[', '{']) {
        return Ok(None);
    }
    let Some((a, rest)) = item.split_once("..") else {
        return Ok(None);
    };
    let (b, step) = match rest.rsplit_once(':') {
        Some((b, s)) => (b, Some(s)),
        None => (rest, None),
    };
    let ends = (parse_num(a.trim()), parse_num(b.trim()));
    let (Some(na), Some(nb)) = ends else {
        // Not numbers: a literal value that happens to contain "..".
        return Ok(None);
    };
    let ns = match step {
        Some(s) => Some(
            parse_num(s.trim())
                .ok_or_else(|| format!("{item:?}: the step {s:?} is not a number or duration"))?,
        ),
        None => None,
    };
    let all: Vec<Num> = [Some(na), Some(nb), ns].into_iter().flatten().collect();
    let any_dur = all.iter().any(|n| matches!(n, Num::Dur(_, true)));
    let kind_err = || {
        format!("{item:?}: the ends and the step must be all integers, all decimals or all durations (e.g. 5..60:5, 0.5..2:0.25, 5s..60s:5s)")
    };
    if any_dur {
        let ns_of = |n: Num| match n {
            Num::Dur(v, _) => Some(v),
            Num::Int(0) => Some(0),
            _ => None,
        };
        let lo = ns_of(na).ok_or_else(kind_err)?;
        let hi = ns_of(nb).ok_or_else(kind_err)?;
        let st = match ns {
            Some(n) => Some(ns_of(n).ok_or_else(kind_err)?),
            None => None,
        };
        return duration_range(item, lo, hi, st).map(Some);
    }
    let as_f = |n: Num| match n {
        Num::Int(i) => Some((i as f64, 0usize, true)),
        Num::Float(f, d) => Some((f, d, false)),
        Num::Dur(..) => None,
    };
    let (lo, dl, il) = as_f(na).ok_or_else(kind_err)?;
    let (hi, dh, ih) = as_f(nb).ok_or_else(kind_err)?;
    let st = ns.map(|n| as_f(n).ok_or_else(kind_err)).transpose()?;
    if hi < lo {
        return Err(format!(
            "{item:?}: the range is empty (the end is below the start)"
        ));
    }
    let all_int = il && ih && st.is_none_or(|s| s.2);
    let decimals = dl.max(dh).max(st.map_or(0, |s| s.1));
    let kind = if all_int {
        NumKind::Int
    } else {
        NumKind::Float(decimals)
    };
    let Some((step, _, _)) = st else {
        return Ok(Some(RangeSpec::Interval(Interval { lo, hi, kind })));
    };
    if step <= 0.0 {
        return Err(format!("{item:?}: the step must be positive"));
    }
    let n = ((hi - lo) / step + 1e-9).floor();
    if n + 1.0 > MAX_LEVELS as f64 {
        return Err(format!(
            "{item:?} gives more than {MAX_LEVELS} values; use a larger step"
        ));
    }
    let iv = Interval { lo, hi, kind };
    let values = (0..=n as usize)
        .map(|k| {
            let v = lo + k as f64 * step;
            match kind {
                NumKind::Int => format!("{}", v.round() as i64),
                _ => iv.format(v),
            }
        })
        .collect();
    Ok(Some(RangeSpec::Stepped(values)))
}

const UNITS: [(&str, u64); 6] = [
    ("h", 3_600_000_000_000),
    ("m", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("ns", 1),
];

fn duration_range(item: &str, lo: u64, hi: u64, step: Option<u64>) -> Result<RangeSpec, String> {
    if hi < lo {
        return Err(format!(
            "{item:?}: the range is empty (the end is below the start)"
        ));
    }
    let unit_dividing = |xs: &[u64], max_unit: u64| {
        UNITS
            .iter()
            .copied()
            .find(|(_, u)| *u <= max_unit && xs.iter().all(|x| x % u == 0))
            .unwrap_or(("ns", 1))
    };
    let Some(step) = step else {
        let (name, unit) = unit_dividing(&[lo, hi], 1_000_000_000);
        return Ok(RangeSpec::Interval(Interval {
            lo: Dur(lo).as_secs_f64(),
            hi: Dur(hi).as_secs_f64(),
            kind: NumKind::Duration(name, unit),
        }));
    };
    if step == 0 {
        return Err(format!("{item:?}: the step must be positive"));
    }
    let n = (hi - lo) / step;
    if n as usize + 1 > MAX_LEVELS {
        return Err(format!(
            "{item:?} gives more than {MAX_LEVELS} values; use a larger step"
        ));
    }
    let (name, unit) = unit_dividing(&[lo, step], u64::MAX);
    Ok(RangeSpec::Stepped(
        (0..=n)
            .map(|k| format!("{}{name}", (lo + k * step) / unit))
            .collect(),
    ))
}

fn trim(s: &str) -> String {
    if s.contains('.') {
        let t = s.trim_end_matches('0').trim_end_matches('.');
        if t == "-0" {
            "0".into()
        } else {
            t.to_string()
        }
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(s: &str) -> Vec<String> {
        match parse_domain(s).unwrap() {
            Domain::Levels(v) => v,
            d => panic!("{d:?}"),
        }
    }

    #[test]
    fn lists_and_ranges() {
        assert_eq!(levels("1,2, 5"), ["1", "2", "5"]);
        assert_eq!(levels("5..20:5"), ["5", "10", "15", "20"]);
        assert_eq!(levels("5..22:5"), ["5", "10", "15", "20"]);
        assert_eq!(levels("1,30..40:10"), ["1", "30", "40"]);
        assert_eq!(levels("0.1..0.3:0.1"), ["0.1", "0.2", "0.3"]);
        assert_eq!(levels("0.5..2:0.5"), ["0.5", "1", "1.5", "2"]);
        assert_eq!(levels("-2..2:2"), ["-2", "0", "2"]);
        assert_eq!(levels("30s..2m:30s"), ["30s", "60s", "90s", "120s"]);
        assert_eq!(levels("1m..3m:1m"), ["1m", "2m", "3m"]);
        assert_eq!(levels("500ms..1500ms:500ms"), ["500ms", "1000ms", "1500ms"]);
        assert_eq!(levels("0..10s:5s"), ["0s", "5s", "10s"]);
        assert_eq!(levels("\"a,b\",c"), ["\"a,b\"", "c"]);
        assert_eq!(levels("[a, b],{x: 1, y: 2}"), ["[a, b]", "{x: 1, y: 2}"]);
        assert_eq!(levels("\"10\""), ["\"10\""]);
        assert_eq!(levels("../x"), ["../x"]);
    }

    #[test]
    fn intervals_draw_inside_their_ends() {
        let Domain::Interval(i) = parse_domain("10..20").unwrap() else {
            panic!()
        };
        assert_eq!(i.at(0.0), "10");
        assert_eq!(i.at(0.999), "20");
        let Domain::Interval(d) = parse_domain("10s..5m").unwrap() else {
            panic!()
        };
        assert_eq!(d.at(0.0), "10s");
        assert_eq!(d.at(0.9999), "300s");
        let Domain::Interval(f) = parse_domain("0.5..1.5").unwrap() else {
            panic!()
        };
        assert_eq!(f.at(0.5), "1");
    }

    #[test]
    fn rejects_bad_lists() {
        for (s, want) in [
            ("1,,2", "empty value"),
            ("1,2,", "empty value"),
            ("1,1", "listed twice"),
            ("5..1:1", "empty"),
            ("1..5:0", "positive"),
            ("1..5s:1s", "all integers"),
            ("1..10:x", "not a number"),
            ("\"a,b", "unclosed quote"),
            ("[a,b", "unbalanced"),
            ("1..1000000:1", "more than"),
            ("1,2..5", "only value"),
        ] {
            let e = parse_domain(s).unwrap_err();
            assert!(e.contains(want), "{s}: {e}");
        }
    }
}
