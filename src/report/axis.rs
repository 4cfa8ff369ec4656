//! Tick positions and tick labels.
//!
//! plotters picks decimal ticks, which put a 1-hour run's ticks at 500 s, 1000 s, ...; we choose
//! ticks ourselves: time ticks on clock-friendly steps (15 s, 1 min, 10 min, 6 h, 1 day ...)
//! labelled compactly (`1m30s`, `2h`, `1d12h`), and value ticks on 1-2-5 steps, whole numbers
//! for counts, with `k`/`M` suffixes for large values.

/// Clock-friendly time steps in seconds, smallest first.
const TIME_STEPS: [f64; 29] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0,
    120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0, 21600.0, 43200.0, 86400.0,
    172800.0, 604800.0,
];

/// Ticks of a time axis.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TimeAxis {
    /// Left end, seconds.
    pub start: f64,
    /// Right end, seconds.
    pub end: f64,
    /// Tick positions, seconds, inside `[start, end]`.
    pub ticks: Vec<f64>,
    /// Spacing of the ticks, seconds.
    pub step: f64,
}

impl TimeAxis {
    /// Ticks for `[start, end]` drawn `plot_px` pixels wide: at most one label per ~95 px.
    pub fn new(start: f64, end: f64, plot_px: u32) -> TimeAxis {
        let (start, end) = if end > start {
            (start, end)
        } else {
            (start, start + 1.0)
        };
        let span = end - start;
        let max_ticks = (plot_px / 95).max(2) as f64;
        let step = TIME_STEPS
            .iter()
            .copied()
            .find(|s| span / s <= max_ticks)
            .unwrap_or_else(|| {
                // Beyond a week per tick: whole weeks on a 1-2-5 progression.
                let weeks = span / max_ticks / 604800.0;
                nice_step(weeks).max(1.0) * 604800.0
            });
        TimeAxis {
            start,
            end,
            ticks: ticks_between(start, end, step),
            step,
        }
    }

    /// The label of tick `t`.
    pub fn label(&self, t: f64) -> String {
        format_elapsed(t, self.step)
    }
}

/// Multiples of `step` in `[start, end]`, computed as `k * step` to avoid drift.
/// At most a few dozen in practice; absurd inputs (values near `f64::MAX`, spans below the
/// precision of their offset) give at most [`MAX_TICKS`] ticks rather than a hang.
fn ticks_between(start: f64, end: f64, step: f64) -> Vec<f64> {
    if !(start.is_finite() && end.is_finite() && step.is_finite() && step > 0.0) {
        return Vec::new();
    }
    let first = (start / step - 1e-9).ceil() as i64;
    let last = (end / step + 1e-9).floor() as i64;
    if last.saturating_sub(first) > MAX_TICKS {
        return Vec::new();
    }
    (first..=last).map(|k| k as f64 * step).collect()
}

/// More ticks than this on one axis means the input is absurd; draw none.
const MAX_TICKS: i64 = 1000;

/// Elapsed time as a compact label: `0`, `45s`, `1m30s`, `2h`, `1d12h`; fractions of a second
/// when the tick step is below one second (`0.5s`).
pub(crate) fn format_elapsed(t: f64, step: f64) -> String {
    if t.abs() < step * 1e-6 {
        return "0".to_string();
    }
    let sign = if t < 0.0 { "-" } else { "" };
    let t = t.abs();
    if step < 1.0 {
        let decimals = decimals_for(step);
        return format!("{sign}{}s", trim_zeros(&format!("{t:.decimals$}")));
    }
    let total = t.round() as u64;
    let (d, h, m, s) = (
        total / 86400,
        total / 3600 % 24,
        total / 60 % 60,
        total % 60,
    );
    let mut out = String::from(sign);
    for (value, unit) in [(d, "d"), (h, "h"), (m, "m"), (s, "s")] {
        if value > 0 {
            out.push_str(&format!("{value}{unit}"));
        }
    }
    out
}

/// A duration in seconds for tables: Go style (`1h2m3.5s`), rounded to the millisecond.
pub(crate) fn format_duration(secs: f64) -> String {
    if !secs.is_finite() {
        return "-".to_string();
    }
    let sign = if secs < 0.0 { "-" } else { "" };
    let ms = (secs.abs() * 1000.0).round() as u64;
    format!(
        "{sign}{}",
        crate::time::format_go_duration(crate::time::Dur::from_millis(ms))
    )
}

/// Ticks of a value axis starting at zero.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ValueAxis {
    /// Top of the axis (a multiple of `step`, at or above the data's maximum).
    pub top: f64,
    /// Tick positions from 0 to `top`.
    pub ticks: Vec<f64>,
    /// Tick spacing.
    pub step: f64,
}

impl ValueAxis {
    /// About five ticks from 0 to just above `max` (5% headroom so a line at the maximum does
    /// not hide in the frame). `integer` forces whole-number steps (counts of pods or tasks).
    pub fn new(max: f64, integer: bool) -> ValueAxis {
        if !(max.is_finite() && max > 0.0) {
            let step = if integer { 1.0 } else { 0.25 };
            return ValueAxis {
                top: 1.0,
                ticks: ticks_between(0.0, 1.0, step),
                step,
            };
        }
        let step = nice_step_for(max * 1.05 / 5.0, integer);
        let top = (max * 1.05 / step - 1e-9).ceil().max(1.0) * step;
        ValueAxis {
            top,
            ticks: ticks_between(0.0, top, step),
            step,
        }
    }

    /// Exactly `n` intervals from 0 to at least `max` (with 5% headroom), so two axes built
    /// with the same `n` share gridlines.
    pub fn with_intervals(max: f64, integer: bool, n: usize) -> ValueAxis {
        let n = n.max(1);
        let step = if max.is_finite() && max > 0.0 {
            nice_step_for(max * 1.05 / n as f64, integer)
        } else if integer {
            1.0
        } else {
            1.0 / n as f64
        };
        let top = step * n as f64;
        ValueAxis {
            top,
            ticks: (0..=n).map(|k| k as f64 * step).collect(),
            step,
        }
    }

    /// The label of tick `v`.
    pub fn label(&self, v: f64) -> String {
        format_value(v, self.step, self.top)
    }
}

/// [`nice_step`], restricted to whole numbers (1, 2, 5, 10, 20, 25, 50, ...) for counts.
fn nice_step_for(raw: f64, integer: bool) -> f64 {
    let step = nice_step(raw);
    if !integer {
        step
    } else if step <= 1.0 {
        1.0
    } else if step.fract() != 0.0 {
        // 2.5 -> 5: the only non-integer nice step above 1.
        step * 2.0
    } else {
        step
    }
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `raw`.
pub(crate) fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let pow = 10f64.powf(raw.log10().floor());
    let frac = raw / pow;
    let nice = if frac <= 1.0 + 1e-9 {
        1.0
    } else if frac <= 2.0 + 1e-9 {
        2.0
    } else if frac <= 2.5 + 1e-9 {
        2.5
    } else if frac <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    nice * pow
}

/// A tick label: whole numbers below 10,000, then `k`, `M`, `G` suffixes; as many decimals
/// as the step needs.
pub(crate) fn format_value(v: f64, step: f64, top: f64) -> String {
    let (div, suffix) = if top >= 1e9 {
        (1e9, "G")
    } else if top >= 1e6 {
        (1e6, "M")
    } else if top >= 1e4 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let decimals = decimals_for(step / div);
    let text = format!("{:.decimals$}", v / div);
    let text = if decimals > 0 {
        trim_zeros(&text)
    } else {
        text
    };
    if text == "0" || text == "-0" {
        "0".to_string()
    } else {
        format!("{text}{suffix}")
    }
}

/// A value for tables and labels: up to `max_decimals` decimals, trailing zeros trimmed.
pub(crate) fn format_number(v: f64, max_decimals: usize) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    let text = trim_zeros(&format!("{v:.max_decimals$}"));
    if text == "-0" {
        "0".to_string()
    } else {
        text
    }
}

/// Decimals needed to write multiples of `step` exactly (0 for whole steps, at most 6).
fn decimals_for(step: f64) -> usize {
    (0..6)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(6)
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// The unit in which to show durations up to `max_s` seconds: (label, seconds per unit).
pub(crate) fn duration_unit(max_s: f64) -> (&'static str, f64) {
    if max_s > 2.0 * 3600.0 {
        ("h", 3600.0)
    } else if max_s > 120.0 {
        ("min", 60.0)
    } else {
        ("s", 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_steps_follow_the_span() {
        let minute = TimeAxis::new(0.0, 60.0, 1000);
        assert_eq!(minute.step, 10.0);
        assert_eq!(minute.label(30.0), "30s");
        let hour = TimeAxis::new(0.0, 3600.0, 1000);
        assert_eq!(hour.step, 600.0);
        assert_eq!(hour.label(3600.0), "1h");
        assert_eq!(hour.label(1800.0), "30m");
        let days = TimeAxis::new(0.0, 3.0 * 86400.0, 1000);
        assert_eq!(days.step, 43200.0);
        assert_eq!(days.label(129600.0), "1d12h");
        let tiny = TimeAxis::new(0.0, 0.0, 1000);
        assert_eq!((tiny.start, tiny.end), (0.0, 1.0));
        assert_eq!(tiny.label(0.5), "0.5s");
        let months = TimeAxis::new(0.0, 400.0 * 86400.0, 1000);
        assert!(months.ticks.len() <= 11 && months.ticks.len() >= 2);
        assert_eq!(format_elapsed(90.0, 30.0), "1m30s");
    }

    #[test]
    fn value_ticks_are_round() {
        let a = ValueAxis::new(7.0, true);
        assert_eq!(a.step, 2.0);
        assert_eq!(a.top, 8.0);
        let b = ValueAxis::new(0.0, true);
        assert_eq!(b.top, 1.0);
        let c = ValueAxis::new(1234567.0, true);
        assert_eq!(c.label(500000.0), "0.5M");
        assert_eq!(ValueAxis::new(0.3, false).label(0.1), "0.1");
        assert_eq!(ValueAxis::new(30000.0, true).label(25000.0), "25k");
        assert_eq!(format_duration(5400.25), "1h30m0.25s");
    }
}
