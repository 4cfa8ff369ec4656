//! Integer simulated time: instants and durations in nanoseconds since scenario start.
//!
//! Event times are never floats. A continuous sample (an exponential service time, say)
//! becomes a [`Dur`] in exactly one place, [`Dur::from_secs_f64`], which rejects non-finite
//! and negative values and rounds to the nanosecond.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Nanoseconds per second.
pub const NANOS_PER_SEC: u64 = 1_000_000_000;

/// An instant of simulated time: nanoseconds since the start of the scenario.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dur(pub u64);

impl SimTime {
    /// The start of the scenario.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable instant (about 584 years).
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// The instant `secs` whole seconds after the start.
    pub const fn from_secs(secs: u64) -> SimTime {
        SimTime(secs * NANOS_PER_SEC)
    }
    /// The instant `ms` milliseconds after the start.
    pub const fn from_millis(ms: u64) -> SimTime {
        SimTime(ms * 1_000_000)
    }
    /// Seconds since the start, as a float (for outputs only).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }
    /// Whole seconds since the start (truncated).
    pub fn as_secs(self) -> u64 {
        self.0 / NANOS_PER_SEC
    }
    /// Time since `earlier`, or zero when `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> Dur {
        Dur(self.0.saturating_sub(earlier.0))
    }
    /// `self + d`, or `None` on overflow.
    pub fn checked_add(self, d: Dur) -> Option<SimTime> {
        self.0.checked_add(d.0).map(SimTime)
    }
    /// `self - d`, clamped at zero (used for "now minus window" cut-offs).
    pub fn saturating_sub(self, d: Dur) -> SimTime {
        SimTime(self.0.saturating_sub(d.0))
    }
}

impl Dur {
    /// No time at all.
    pub const ZERO: Dur = Dur(0);

    /// `secs` whole seconds.
    pub const fn from_secs(secs: u64) -> Dur {
        Dur(secs * NANOS_PER_SEC)
    }
    /// `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> Dur {
        Dur(ms * 1_000_000)
    }
    /// The one float-to-time conversion: rounds to the nanosecond; `None` for NaN, infinite,
    /// negative or out-of-range values.
    pub fn from_secs_f64(secs: f64) -> Option<Dur> {
        if !secs.is_finite() || secs < 0.0 {
            return None;
        }
        // Non-negative: adding a half and truncating rounds to the nearest nanosecond
        // (and avoids a libm call on the hot path of every sampled duration).
        let ns = secs * NANOS_PER_SEC as f64 + 0.5;
        if ns >= u64::MAX as f64 {
            return None;
        }
        Some(Dur(ns as u64))
    }
    /// Seconds as a float (for outputs and rates only).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }
    /// Whole seconds (truncated).
    pub fn as_secs(self) -> u64 {
        self.0 / NANOS_PER_SEC
    }
    /// `self * k`, saturating.
    pub fn saturating_mul(self, k: u64) -> Dur {
        Dur(self.0.saturating_mul(k))
    }
}

impl Add<Dur> for SimTime {
    type Output = SimTime;
    /// Panics on overflow: scheduling past the end of time is a broken invariant.
    fn add(self, d: Dur) -> SimTime {
        SimTime(
            self.0
                .checked_add(d.0)
                .expect("simulated time overflow (more than 584 years)"),
        )
    }
}

impl AddAssign<Dur> for SimTime {
    fn add_assign(&mut self, d: Dur) {
        *self = *self + d;
    }
}

impl Sub<SimTime> for SimTime {
    type Output = Dur;
    /// Panics when `rhs` is later than `self`; use [`SimTime::saturating_since`] otherwise.
    fn sub(self, rhs: SimTime) -> Dur {
        Dur(self
            .0
            .checked_sub(rhs.0)
            .expect("time subtraction went negative"))
    }
}

impl Add for Dur {
    type Output = Dur;
    fn add(self, d: Dur) -> Dur {
        Dur(self.0.saturating_add(d.0))
    }
}

impl fmt::Display for SimTime {
    /// `12.345s`, trailing zeros trimmed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_secs(f, self.0)
    }
}

impl fmt::Display for Dur {
    /// Go style: `1h2m3.5s`, `500ms`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_go_duration(*self))
    }
}

fn write_secs(f: &mut fmt::Formatter<'_>, ns: u64) -> fmt::Result {
    let secs = ns / NANOS_PER_SEC;
    let frac = ns % NANOS_PER_SEC;
    if frac == 0 {
        write!(f, "{secs}s")
    } else {
        let s = format!("{frac:09}");
        write!(f, "{secs}.{}s", s.trim_end_matches('0'))
    }
}

/// Formats a duration the way Go's `time.Duration.String` does (`1h30m0s`, `1.5s`, `500ms`).
pub fn format_go_duration(d: Dur) -> String {
    let ns = d.0;
    if ns == 0 {
        return "0s".to_string();
    }
    if ns < NANOS_PER_SEC {
        let (unit, div) = if ns < 1_000 {
            ("ns", 1)
        } else if ns < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{}{unit}", trim_decimal(ns, div));
    }
    let h = ns / (3600 * NANOS_PER_SEC);
    let m = (ns / (60 * NANOS_PER_SEC)) % 60;
    let s_ns = ns % (60 * NANOS_PER_SEC);
    let secs = trim_decimal(s_ns, NANOS_PER_SEC);
    if h > 0 {
        format!("{h}h{m}m{secs}s")
    } else if m > 0 {
        format!("{m}m{secs}s")
    } else {
        format!("{secs}s")
    }
}

fn trim_decimal(value: u64, div: u64) -> String {
    let whole = value / div;
    let frac = value % div;
    if frac == 0 {
        return whole.to_string();
    }
    let width = div.ilog10() as usize;
    let s = format!("{frac:0width$}");
    format!("{whole}.{}", s.trim_end_matches('0'))
}

/// Parses a Go/Kubernetes duration string: a sequence of decimal numbers each with a unit
/// (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), e.g. `500ms`, `1.5s`, `1h30m`. `0` alone is allowed.
/// Negative durations are rejected: nothing in a scenario runs backwards.
pub fn parse_go_duration(text: &str) -> Result<Dur, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    if s == "0" {
        return Ok(Dur::ZERO);
    }
    if s.starts_with('-') {
        return Err(format!("negative duration {text:?}"));
    }
    let s = s.strip_prefix('+').unwrap_or(s);
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total: u128 = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        let num = &s[start..i];
        if num.is_empty() || num == "." {
            return Err(format!(
                "invalid duration {text:?}: expected a number before the unit"
            ));
        }
        let ustart = i;
        while i < bytes.len() && !(bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        let unit = &s[ustart..i];
        let mult: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60 * 1_000_000_000,
            "h" => 3600 * 1_000_000_000,
            "" => {
                return Err(format!(
                    "invalid duration {text:?}: missing unit (use ms, s, m or h, e.g. \"{num}s\")"
                ))
            }
            other => {
                return Err(format!(
                    "invalid duration {text:?}: unknown unit {other:?} (use ns, us, ms, s, m or h)"
                ))
            }
        };
        let (int_part, frac_part) = match num.split_once('.') {
            Some((a, b)) => (a, b),
            None => (num, ""),
        };
        if frac_part.contains('.') {
            return Err(format!("invalid duration {text:?}"));
        }
        let int: u128 = if int_part.is_empty() {
            0
        } else {
            int_part
                .parse()
                .map_err(|_| format!("invalid duration {text:?}: number too large"))?
        };
        let mut value = int
            .checked_mul(mult)
            .ok_or_else(|| format!("invalid duration {text:?}: too large"))?;
        if !frac_part.is_empty() {
            let digits = frac_part.len().min(18);
            let frac: u128 = frac_part[..digits]
                .parse()
                .map_err(|_| format!("invalid duration {text:?}"))?;
            let scale = 10u128.pow(digits as u32);
            value += frac * mult / scale;
        }
        total = total
            .checked_add(value)
            .ok_or_else(|| format!("invalid duration {text:?}: too large"))?;
    }
    if total > u64::MAX as u128 {
        return Err(format!("invalid duration {text:?}: too large"));
    }
    Ok(Dur(total as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_go_duration("500ms").unwrap(), Dur::from_millis(500));
        assert_eq!(parse_go_duration("15s").unwrap(), Dur::from_secs(15));
        assert_eq!(parse_go_duration("5m").unwrap(), Dur::from_secs(300));
        assert_eq!(parse_go_duration("1h").unwrap(), Dur::from_secs(3600));
        assert_eq!(parse_go_duration("1h30m").unwrap(), Dur::from_secs(5400));
        assert_eq!(parse_go_duration("1.5s").unwrap(), Dur::from_millis(1500));
        assert_eq!(parse_go_duration("0").unwrap(), Dur::ZERO);
        assert_eq!(parse_go_duration("250us").unwrap(), Dur(250_000));
    }

    #[test]
    fn rejects_bad_durations() {
        assert!(parse_go_duration("").is_err());
        assert!(parse_go_duration("15")
            .unwrap_err()
            .contains("missing unit"));
        assert!(parse_go_duration("-1s").unwrap_err().contains("negative"));
        assert!(parse_go_duration("3d")
            .unwrap_err()
            .contains("unknown unit"));
        assert!(parse_go_duration("1.2.3s").is_err());
        assert!(parse_go_duration("99999999999999999999h").is_err());
    }

    #[test]
    fn formats_like_go() {
        assert_eq!(Dur::from_secs(5400).to_string(), "1h30m0s");
        assert_eq!(Dur::from_millis(1500).to_string(), "1.5s");
        assert_eq!(Dur::from_millis(500).to_string(), "500ms");
        assert_eq!(Dur::ZERO.to_string(), "0s");
        assert_eq!(SimTime::from_millis(12345).to_string(), "12.345s");
    }

    #[test]
    fn float_conversion_rejects_garbage() {
        assert_eq!(Dur::from_secs_f64(1.5), Some(Dur::from_millis(1500)));
        assert_eq!(Dur::from_secs_f64(f64::NAN), None);
        assert_eq!(Dur::from_secs_f64(-1.0), None);
        assert_eq!(Dur::from_secs_f64(f64::INFINITY), None);
        assert_eq!(Dur::from_secs_f64(1e30), None);
    }
}
