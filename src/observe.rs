//! What a run records: time-series rows, the event log, wait statistics and the summary.
//!
//! The simulator hands rows and events to a [`Sink`] as it produces them (the CLI streams
//! them to CSV files, so memory does not grow with the run), and keeps only bounded data:
//! a wait histogram (HDR, 3 significant digits), a decimated copy of the series for charts,
//! and the autoscalers' decisions.

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::time::SimTime;

/// One line of `events.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    /// When.
    pub time: SimTime,
    /// Who: `pod`, `deployment`, `worker`, `broker`, `hpa`, `keda`, `load`.
    pub source: &'static str,
    /// `Normal` or `Warning`.
    pub kind: &'static str,
    /// Reason, e.g. `SuccessfulRescale`.
    pub reason: String,
    /// Message, in the words the real component uses.
    pub message: String,
}

/// The fixed leading columns of `timeseries.csv`, in file order.
pub const FIXED_COLUMNS: [&str; 15] = [
    "time_s",
    "queue_depth",
    "reserved",
    "running",
    "replicas",
    "pods_ready",
    "pods_starting",
    "pods_terminating",
    "produced_total",
    "completed_total",
    "lost_total",
    "duplicated_total",
    "wait_p50_s",
    "wait_p95_s",
    "wait_max_s",
];

/// One line of `decisions.json`: a scaling decision, its inputs and the rule that bound it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// When.
    pub time_s: f64,
    /// `hpa` or `keda`.
    pub source: &'static str,
    /// `HorizontalPodAutoscaler/<name>` or `ScaledObject/<name>`.
    pub object: String,
    /// Replicas before.
    pub from: i32,
    /// Replicas decided (equal to `from` when something held the change back).
    pub to: i32,
    /// The rule that bound the result (`ScaleUpLimit`, `ScaleDownStabilized`, `Deactivated`...).
    pub rule: String,
    /// One line for people.
    pub summary: String,
    /// Everything that went in (the HPA's decision trace, or the KEDA poll's inputs).
    pub inputs: serde_json::Value,
}

/// Why a task copy went back to a broker queue (a redelivery: it may run again).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Requeue {
    /// kombu's visibility-timeout restore returned a copy whose worker died (Redis).
    VisibilityTimeout,
    /// A late-ack task killed with `task_reject_on_worker_lost` was rejected with requeue.
    RejectOnWorkerLost,
    /// A worker's clean exit restored what it held (kombu `restore_unacked_once`, RabbitMQ
    /// channel close).
    ShutdownRestore,
    /// RabbitMQ requeued the unacked messages of a killed worker's closed connection.
    ConnectionClosed,
}

/// One step in the life of a task copy or a worker pod, for property checks and debugging.
///
/// Only sent to sinks whose [`Sink::wants_trace`] is true; the simulator asks once per run,
/// and a run whose sink does not trace runs an instance of the event loop with no trace code.
/// `task` is the task's publish sequence number (copies of one task share it); `pod` is the
/// pod's slot: a slot is reused once its pod has exited, and [`TraceEvent::PodCreated`]
/// starts a new pod (with its name) in it.
#[derive(Clone, Debug, PartialEq)]
pub enum TraceEvent {
    /// A pod object was created.
    PodCreated {
        /// When.
        t: SimTime,
        /// Pod index.
        pod: u32,
        /// Its worker group (index into `Scenario::workers`).
        group: u16,
        /// Its name.
        name: String,
    },
    /// The Kubernetes Ready condition turned true (without a readiness probe this is when the
    /// container started, before Celery consumes).
    PodReady {
        /// When.
        t: SimTime,
        /// Pod index.
        pod: u32,
    },
    /// Celery in the pod began consuming: from now on it may take and run tasks. This, not
    /// the Ready condition, is when a pod can serve.
    PodConsuming {
        /// When.
        t: SimTime,
        /// Pod index.
        pod: u32,
    },
    /// The pod was deleted (scale-down): SIGTERM follows.
    PodTerminating {
        /// When.
        t: SimTime,
        /// Pod index.
        pod: u32,
    },
    /// The Celery process is gone and the pod removed.
    PodExited {
        /// When.
        t: SimTime,
        /// Pod index.
        pod: u32,
    },
    /// A task was published.
    Published {
        /// When.
        t: SimTime,
        /// Task.
        task: u64,
    },
    /// A copy was handed to a worker (prefetched, reserved or ETA-held).
    Delivered {
        /// When.
        t: SimTime,
        /// Task.
        task: u64,
        /// Pod.
        pod: u32,
    },
    /// A copy began executing in a pool slot.
    Started {
        /// When.
        t: SimTime,
        /// Task.
        task: u64,
        /// Pod.
        pod: u32,
        /// When the task was published (its wait is `t - published`).
        published: SimTime,
    },
    /// A copy finished executing (counted in `completed`).
    Completed {
        /// When.
        t: SimTime,
        /// Task.
        task: u64,
        /// Pod.
        pod: u32,
    },
    /// A copy was lost (killed after an early ack, or acked as failed).
    Lost {
        /// When.
        t: SimTime,
        /// Task.
        task: u64,
    },
    /// A copy went back to a queue and may be delivered and run again.
    Requeued {
        /// When.
        t: SimTime,
        /// Task.
        task: u64,
        /// Why.
        why: Requeue,
    },
    /// A visibility-timeout restore copied a message a live worker still holds: the task
    /// now exists twice and may run twice.
    Duplicated {
        /// When.
        t: SimTime,
        /// Task.
        task: u64,
    },
    /// A held copy vanished because the broker kept another copy of the same task.
    DuplicateDropped {
        /// When.
        t: SimTime,
        /// Task.
        task: u64,
    },
    /// At the end of the run, a copy still queued, held or running (one event per copy).
    InFlightAtEnd {
        /// Task.
        task: u64,
    },
}

/// Receives what the simulator produces, as it produces it.
pub trait Sink {
    /// The column names, once, before any row.
    fn columns(&mut self, names: &[String]) -> std::io::Result<()>;
    /// One sample row (same length as the columns; NaN = empty cell).
    fn row(&mut self, values: &[f64]) -> std::io::Result<()>;
    /// One event.
    fn event(&mut self, e: &EventRow) -> std::io::Result<()>;
    /// One autoscaler decision (default: dropped).
    fn decision(&mut self, _d: &Decision) -> std::io::Result<()> {
        Ok(())
    }
    /// Whether this sink wants [`TraceEvent`]s (asked once, when a run starts). Default: no,
    /// and then the simulator builds none.
    fn wants_trace(&self) -> bool {
        false
    }
    /// One trace event (only called when [`Sink::wants_trace`] said yes).
    fn trace(&mut self, _e: &TraceEvent) {}
}

/// A sink that keeps everything in memory (tests, the library API, sweeps).
#[derive(Clone, Debug, Default)]
pub struct MemorySink {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<f64>>,
    /// Events.
    pub events: Vec<EventRow>,
    /// Decisions.
    pub decisions: Vec<Decision>,
    /// Keep rows (false: only events).
    pub drop_rows: bool,
    /// Ask the simulator for [`TraceEvent`]s and keep them in `trace`.
    pub keep_trace: bool,
    /// Trace events, when `keep_trace` is set.
    pub trace: Vec<TraceEvent>,
}

impl MemorySink {
    /// The values of one column.
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        let i = self.columns.iter().position(|c| c == name)?;
        Some(self.rows.iter().map(|r| r[i]).collect())
    }

    /// The row at time `t_s` seconds.
    pub fn row_at(&self, t_s: f64) -> Option<&Vec<f64>> {
        self.rows.iter().find(|r| (r[0] - t_s).abs() < 1e-9)
    }

    /// Value of `name` at `t_s`.
    pub fn value(&self, name: &str, t_s: f64) -> Option<f64> {
        let i = self.columns.iter().position(|c| c == name)?;
        self.row_at(t_s).map(|r| r[i])
    }
}

impl Sink for MemorySink {
    fn columns(&mut self, names: &[String]) -> std::io::Result<()> {
        self.columns = names.to_vec();
        Ok(())
    }
    fn row(&mut self, values: &[f64]) -> std::io::Result<()> {
        if !self.drop_rows {
            self.rows.push(values.to_vec());
        }
        Ok(())
    }
    fn event(&mut self, e: &EventRow) -> std::io::Result<()> {
        self.events.push(e.clone());
        Ok(())
    }
    fn decision(&mut self, d: &Decision) -> std::io::Result<()> {
        self.decisions.push(d.clone());
        Ok(())
    }
    fn wants_trace(&self) -> bool {
        self.keep_trace
    }
    fn trace(&mut self, e: &TraceEvent) {
        self.trace.push(e.clone());
    }
}

/// Percentiles of task wait (publish -> start of execution), seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct WaitStats {
    /// Mean (exact).
    pub mean: f64,
    /// Median (HDR estimate, 0.1% relative precision).
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum (exact).
    pub max: f64,
}

/// `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Simulated seconds.
    pub duration_s: f64,
    /// Tasks published.
    pub produced: u64,
    /// Executions completed (duplicates included).
    pub completed: u64,
    /// Tasks lost (killed after an early ack, or WorkerLostError).
    pub lost: u64,
    /// Extra copies made by visibility-timeout restores and redeliveries of held messages.
    pub duplicated: u64,
    /// Tasks still queued, held or running at the end.
    pub in_flight_at_end: u64,
    /// Wait statistics.
    pub wait_s: WaitStats,
    /// Executions started (waits measured).
    pub started: u64,
    /// Most ready messages in the broker at any instant.
    pub max_queue_depth: u64,
    /// Most replicas asked for (`spec.replicas`, all worker Deployments).
    pub peak_replicas: u64,
    /// Pod lifetime summed over pods (creation to exit), seconds: what the cluster pays for.
    pub pod_seconds: f64,
    /// Replica increases.
    pub scale_ups: u64,
    /// Replica decreases.
    pub scale_downs: u64,
    /// When the backlog (queued + held + running) last became empty after work arrived,
    /// seconds from start; null when work is still in flight at the end.
    pub drain_time_s: Option<f64>,
    /// Engine events handled.
    pub events_processed: u64,
    /// Warnings from loading the scenario.
    pub warnings: Vec<String>,
    /// What the configuration does that its author may not expect ([`crate::advice`]).
    pub notes: Vec<String>,
}

/// Most waits one sample interval keeps (32 MiB). Beyond it the window keeps a systematic
/// 1-in-2^k sample, so a long `sampleInterval` under heavy load cannot exhaust memory (one
/// hour at 10 million starts/s would otherwise hold 36 billion values).
pub const WINDOW_CAP: usize = 1 << 22;

/// Collects waits for the summary and for each sample interval.
///
/// A wait of exactly zero (a task handed straight to an idle pool process, the common case
/// when workers keep up) is only counted: it is the smallest value, so its place in the
/// window's order and in the histogram is known without storing it.
#[derive(Debug)]
pub struct WaitRecorder {
    hist: Histogram<u64>,
    /// Zero waits not yet added to `hist`.
    hist_zeros: u64,
    sum_ns: u128,
    count: u64,
    max_ns: u64,
    /// The window's non-zero waits.
    window: Vec<u64>,
    /// The window's zero waits.
    window_zeros: u64,
    /// Keep one wait in `stride` for the window (1 until it reaches [`WINDOW_CAP`]).
    stride: u64,
    /// Waits to skip before the next one kept (a countdown: no division per wait).
    skip: u64,
    /// Exact largest wait of this window.
    window_max: u64,
}

impl Default for WaitRecorder {
    fn default() -> Self {
        WaitRecorder {
            // Microseconds from 1 µs to ~115 days, 3 significant digits (~280 KiB).
            hist: Histogram::new_with_bounds(1, 10_000_000_000_000, 3)
                .expect("valid histogram bounds"),
            hist_zeros: 0,
            sum_ns: 0,
            count: 0,
            max_ns: 0,
            window: Vec::with_capacity(1024),
            window_zeros: 0,
            stride: 1,
            skip: 0,
            window_max: 0,
        }
    }
}

impl WaitRecorder {
    /// Records one wait.
    #[inline]
    pub fn record(&mut self, wait_ns: u64) {
        self.count += 1;
        if wait_ns == 0 {
            self.hist_zeros += 1;
        } else {
            self.hist.saturating_record(wait_ns / 1_000);
            self.sum_ns += wait_ns as u128;
            self.max_ns = self.max_ns.max(wait_ns);
            self.window_max = self.window_max.max(wait_ns);
        }
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        if self.window.len() as u64 + self.window_zeros == WINDOW_CAP as u64 {
            // Keep every other value (the window then holds waits number 0, 2s, 4s, ... of
            // the interval, s the old stride; zeros, counted apart, are halved rounding up)
            // and halve the rate from now on. This wait's number, WINDOW_CAP x s, is a
            // multiple of the new stride: it is kept.
            let mut i = 0;
            self.window.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.window_zeros = self.window_zeros.div_ceil(2);
            self.stride *= 2;
        }
        if wait_ns == 0 {
            self.window_zeros += 1;
        } else {
            self.window.push(wait_ns);
        }
        self.skip = self.stride - 1;
    }

    /// p50, p95 and max of the waits since the last call, in seconds (NaN when none). Exact
    /// (nearest rank) up to [`WINDOW_CAP`] waits in the interval; beyond, p50 and p95 come from
    /// a systematic sample of them and max stays exact.
    pub fn take_window(&mut self) -> [f64; 3] {
        let zeros = self.window_zeros;
        let n = self.window.len() + zeros as usize;
        if n == 0 {
            return [f64::NAN; 3];
        }
        let rank = |q: f64| ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
        let (k50, k95) = (rank(0.5), rank(0.95));
        // The window sorted is `zeros` zeros, then the non-zero waits. One selection for p95
        // splits those; p50 is selected in the lower part only (the max is tracked exactly
        // as waits arrive).
        let z = zeros as usize;
        let (p50, p95) = if k95 < z {
            (0, 0)
        } else {
            let (lower, &mut p95, _) = self.window.select_nth_unstable(k95 - z);
            let p50 = if k50 < z {
                0
            } else if k50 < k95 {
                *lower.select_nth_unstable(k50 - z).1
            } else {
                p95
            };
            (p50, p95)
        };
        let max = self.window_max;
        self.window.clear();
        self.window_zeros = 0;
        self.hist
            .saturating_record_n(0, std::mem::take(&mut self.hist_zeros));
        self.stride = 1;
        self.skip = 0;
        self.window_max = 0;
        [p50, p95, max].map(|v| v as f64 / 1e9)
    }

    /// Totals for the summary.
    pub fn stats(&mut self) -> WaitStats {
        if self.count == 0 {
            return WaitStats::default();
        }
        self.hist
            .saturating_record_n(0, std::mem::take(&mut self.hist_zeros));
        let q = |p: f64| round_sig(self.hist.value_at_quantile(p) as f64 / 1e6, 4);
        WaitStats {
            mean: (self.sum_ns as f64 / self.count as f64) / 1e9,
            p50: q(0.50),
            p95: q(0.95),
            p99: q(0.99),
            max: self.max_ns as f64 / 1e9,
        }
    }

    /// Executions started.
    pub fn count(&self) -> u64 {
        self.count
    }
}

/// Rounds to `digits` significant digits (HDR estimates are not more precise than that).
pub fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = v.abs().log10().floor() as i32;
    let f = 10f64.powi(digits - 1 - mag);
    (v * f).round() / f
}

/// Formats a number for CSV: integers exactly, others with at most 6 decimals, NaN empty.
pub fn fmt_num(v: f64) -> String {
    let mut s = String::new();
    write_num(&mut s, v);
    s
}

/// Appends [`fmt_num`]'s text to `buf` without allocating (beyond `buf`'s growth).
///
/// The text is `{v:.6}` with trailing zeros and '.' trimmed and "-0" as "0" (so integers
/// print exactly). It runs for every CSV cell, so finite |v| < 2^53 take an exact integer
/// path ([`write_num_exact`]); only infinities, NaN and huge integers go through `core::fmt`.
#[inline]
pub fn write_num(buf: &mut String, v: f64) {
    if !write_num_exact(buf, v) {
        write_num_fmt(buf, v);
    }
}

/// [`write_num`] through `core::fmt`, for the values [`write_num_exact`] declines.
#[cold]
fn write_num_fmt(buf: &mut String, v: f64) {
    use std::fmt::Write;
    if v.is_nan() {
        return;
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let _ = write!(buf, "{}", v as i64);
        return;
    }
    let start = buf.len();
    let _ = write!(buf, "{v:.6}");
    let trimmed = buf[start..]
        .trim_end_matches('0')
        .trim_end_matches('.')
        .len();
    buf.truncate(start + trimmed);
    if &buf[start..] == "-0" {
        buf.truncate(start);
        buf.push('0');
    }
}

/// "00".."99": digits are written two per division, as `str` slices (no UTF-8 check).
const DIGIT_PAIRS: &str = "0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends `n` (below 100) as two digits.
#[inline]
fn push_pair(buf: &mut String, n: u64) {
    let r = n as usize * 2;
    buf.push_str(DIGIT_PAIRS.get(r..r + 2).unwrap_or("00"));
}

/// Writes [`write_num`]'s text for finite |v| < 2^53 and returns true; returns false, writing
/// nothing, for anything else.
///
/// |v| = m·2^-s exactly (m < 2^53), so round(|v|·10^6) = (m·10^6) >> s, rounded on the
/// remainder, all in u128. Ties round half to even like core::fmt's exact `{:.6}` (0.0078125
/// prints 0.007812). Integers print the same as `v as i64` would, since |v| < 2^53.
#[inline]
fn write_num_exact(buf: &mut String, v: f64) -> bool {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as u32;
    let stored = bits & ((1u64 << 52) - 1);
    // Exponent 0x7ff (inf, NaN) and exponents of 2^53 and beyond have biased > 1075.
    let (m, s) = match biased {
        0 => (stored, 1074),
        1..=1075 => (stored | (1u64 << 52), 1075 - biased),
        _ => return false,
    };
    let (int, frac) = if s < 64 {
        (m >> s, m & ((1u64 << s) - 1))
    } else {
        (0, m)
    };
    let (int, micros) = if frac == 0 {
        (int, 0)
    } else if s >= 128 {
        // |v| < 2^53·2^-128: rounds to zero.
        (0, 0)
    } else {
        // frac·10^6 < 2^53·2^20 = 2^73: no overflow; the quotient is below 10^6.
        let t = u128::from(frac) * 1_000_000;
        let mut micros = (t >> s) as u64;
        let rem = t & ((1u128 << s) - 1);
        let half = 1u128 << (s - 1);
        if rem > half || (rem == half && micros & 1 == 1) {
            micros += 1;
        }
        if micros == 1_000_000 {
            (int + 1, 0)
        } else {
            (int, micros)
        }
    };
    // The integer part's pairs of digits, least significant first (2^53 < 10^16).
    let mut pairs = [0u8; 8];
    let mut k = 0;
    let mut n = int;
    while n >= 100 {
        pairs[k] = (n % 100) as u8;
        n /= 100;
        k += 1;
    }
    // Sign + 16 integer digits + '.' + 6 decimals.
    buf.reserve(24);
    // "-0" prints as "0": the sign only when something nonzero is left.
    if bits >> 63 == 1 && (int | micros) != 0 {
        buf.push('-');
    }
    if n >= 10 {
        push_pair(buf, n);
    } else {
        buf.push(char::from(b'0' + n as u8));
    }
    for &r in pairs[..k].iter().rev() {
        push_pair(buf, u64::from(r));
    }
    if micros != 0 {
        buf.push('.');
        push_pair(buf, micros / 10_000);
        push_pair(buf, micros / 100 % 100);
        push_pair(buf, micros % 100);
        // Drop the trailing zeros of the six decimals (at most five: micros is not 0).
        let zeros = match micros {
            _ if micros % 100_000 == 0 => 5,
            _ if micros % 10_000 == 0 => 4,
            _ if micros % 1_000 == 0 => 3,
            _ if micros % 100 == 0 => 2,
            _ if micros % 10 == 0 => 1,
            _ => 0,
        };
        buf.truncate(buf.len() - zeros);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format_stably() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(0.25), "0.25");
        assert_eq!(fmt_num(1.0 / 3.0), "0.333333");
        assert_eq!(fmt_num(f64::NAN), "");
        assert_eq!(round_sig(39.987, 4), 39.99);
    }

    /// The formatter before the exact fast path, verbatim: the fast path must match it.
    fn reference(v: f64) -> String {
        use std::fmt::Write;
        let mut buf = String::new();
        let buf = &mut buf;
        if v.is_nan() {
            return String::new();
        }
        if v.fract() == 0.0 && v.abs() < 1e15 {
            let _ = write!(buf, "{}", v as i64);
            return buf.clone();
        }
        let start = buf.len();
        let _ = write!(buf, "{v:.6}");
        let trimmed = buf[start..]
            .trim_end_matches('0')
            .trim_end_matches('.')
            .len();
        buf.truncate(start + trimmed);
        if &buf[start..] == "-0" {
            buf.truncate(start);
            buf.push('0');
        }
        buf.clone()
    }

    /// Both signs of `v` format like [`reference`], appended after existing text too.
    fn assert_like_reference(v: f64) {
        for v in [v, -v] {
            assert_eq!(fmt_num(v), reference(v), "{v:e} ({:#x})", v.to_bits());
            let mut buf = String::from("x,");
            write_num(&mut buf, v);
            assert_eq!(&buf[2..], reference(v), "{v:e} appended");
        }
    }

    #[test]
    fn fast_formatting_matches_core_fmt_on_edge_cases() {
        let mut cases = vec![
            0.0,
            1.0,
            0.5,
            0.1,
            0.2,
            0.1 + 0.2,
            1.0 / 3.0,
            2.0 / 3.0,
            123.456,
            39.987,
            // Exact ties at the 7th decimal (odd multiples of 2^-7): half to even.
            0.0078125,
            0.0234375,
            0.9921875,
            1.0078125,
            12345.6796875,
            // Near ties that are not exact in binary.
            0.0000005,
            5e-7,
            2.5e-7,
            7.5e-7,
            1.25e-6,
            0.0000015,
            4.999999999e-7,
            5.000000001e-7,
            0.9999995,
            0.99999949999,
            0.9999994999999999,
            0.99999950000001,
            999999.9999995,
            9.9999995,
            // Around 1e15 (the integer cut-off) and 2^53 (the fast path's bound).
            1e15 - 1.0,
            1e15 - 0.5,
            1e15 - 0.125,
            1e15,
            1e15 + 0.125,
            1e15 + 0.5,
            1e15 + 1.0,
            999_999_999_999_999.9,
            4_503_599_627_370_495.5,
            9_007_199_254_740_991.0,
            9_007_199_254_740_992.0,
            9_007_199_254_740_994.0,
            1e16,
            1e20,
            9.223_372_036_854_776e18,
            1.5e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            // Subnormals and tiny values.
            f64::from_bits(1),
            f64::from_bits(0x000f_ffff_ffff_ffff),
            1e-300,
            1e-7,
            4e-7,
            6e-7,
            f64::INFINITY,
            f64::NAN,
            f64::from_bits(0x7ff0_0000_0000_0001),
        ];
        for k in 0..64 {
            cases.push(2f64.powi(k));
            cases.push(2f64.powi(-k));
            cases.push(1.0 - 2f64.powi(-k));
            cases.push(2f64.powi(k) + 0.5);
        }
        for k in 0..2_000 {
            cases.push(f64::from(k) * 1e-7);
            cases.push(f64::from(k) * 2.5e-7);
            cases.push(f64::from(2 * k + 1) / 128.0);
        }
        for v in cases {
            assert_like_reference(v);
        }
        assert_eq!(fmt_num(0.0078125), "0.007812");
        assert_eq!(fmt_num(0.0234375), "0.023438");
        assert_eq!(fmt_num(-0.0), "0");
        assert_eq!(fmt_num(-1e-9), "0");
        assert_eq!(fmt_num(f64::INFINITY), "inf");
        assert_eq!(fmt_num(f64::NEG_INFINITY), "-inf");
        assert_eq!(fmt_num(1e20), "100000000000000000000");
    }

    /// f64s from several families: raw bits, dyadic fractions (exact ties included), multiples
    /// of 1e-7 and 2.5e-7, decimals with few digits, and values around 1e15 and 2^53.
    fn interesting_f64() -> impl proptest::strategy::Strategy<Value = f64> {
        use proptest::prelude::*;
        let decimals = (0u64..1_000_000_000, 0u32..=9, any::<u32>()).prop_map(|(i, d, f)| {
            let f = u64::from(f) % 10u64.pow(d);
            let text = format!("{i}.{f:0w$}", w = d as usize);
            text.parse::<f64>().unwrap()
        });
        prop_oneof![
            any::<u64>().prop_map(f64::from_bits),
            (-100_000i64..100_000, 0i32..80).prop_map(|(i, k)| i as f64 * 2f64.powi(-k)),
            (any::<u64>(), 1i32..64).prop_map(|(m, k)| (m >> 11) as f64 * 2f64.powi(-k)),
            (0u64..1 << 40, 0u64..64).prop_map(|(i, k)| i as f64 + (2 * k + 1) as f64 / 128.0),
            (-10_000_000_000i64..10_000_000_000).prop_map(|k| k as f64 * 1e-7),
            (-10_000_000_000i64..10_000_000_000).prop_map(|k| k as f64 * 5e-7),
            (-10_000_000_000i64..10_000_000_000).prop_map(|k| k as f64 * 2.5e-7),
            decimals,
            (-1_000_000i64..1_000_000, 0i32..8).prop_map(|(k, d)| 1e15 + k as f64 * 2f64.powi(-d)),
            (-1_000_000i64..1_000_000, 0i32..4)
                .prop_map(|(k, d)| 9_007_199_254_740_992.0 + k as f64 * 2f64.powi(-d)),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::with_cases(250_000)
        })]

        #[test]
        fn fast_formatting_matches_core_fmt(v in interesting_f64(), negate in proptest::bool::ANY) {
            let v = if negate { -v } else { v };
            proptest::prop_assert_eq!(fmt_num(v), reference(v), "{:e} ({:#x})", v, v.to_bits());
        }
    }

    #[test]
    fn a_huge_window_keeps_bounded_memory() {
        // 3x the cap in one sample interval: memory stays at the cap, max stays exact and
        // the percentiles of a uniform 1..=N stay within 0.1% of the exact ones.
        let n = 3 * WINDOW_CAP as u64;
        let mut w = WaitRecorder::default();
        for i in 1..=n {
            w.record(i * 1_000);
        }
        assert!(w.window.len() <= WINDOW_CAP, "{}", w.window.len());
        assert!(w.window.capacity() <= 2 * WINDOW_CAP);
        let [p50, p95, max] = w.take_window();
        assert_eq!(max, n as f64 * 1e-6);
        assert!((p50 / (0.5 * n as f64 * 1e-6) - 1.0).abs() < 1e-3, "{p50}");
        assert!((p95 / (0.95 * n as f64 * 1e-6) - 1.0).abs() < 1e-3, "{p95}");
        // The next window is exact again.
        w.record(5_000_000_000);
        assert_eq!(w.take_window(), [5.0, 5.0, 5.0]);
    }

    #[test]
    fn zero_waits_counted_apart_give_the_same_percentiles() {
        // Windows of waits with many exact zeros (tasks handed straight to an idle process):
        // p50 / p95 / max must be the nearest-rank values of the whole window, sorted.
        let mut w = WaitRecorder::default();
        let mut x: u64 = 99;
        let mut all = Vec::new();
        for len in [1usize, 2, 3, 10, 20, 21, 100, 257] {
            let mut window = Vec::new();
            for _ in 0..len {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                let v = if x >> 62 == 0 {
                    0
                } else {
                    (x >> 20) % 5_000_000_000
                };
                w.record(v);
                window.push(v);
            }
            window.sort_unstable();
            let n = window.len();
            let at = |q: f64| window[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
            let want = [at(0.5), at(0.95), window[n - 1]].map(|v| v as f64 / 1e9);
            assert_eq!(w.take_window(), want, "window {window:?}");
            all.extend(window);
        }
        // The whole-run histogram saw the zeros too.
        let zeros = all.iter().filter(|&&v| v == 0).count() as f64;
        assert!(zeros / all.len() as f64 > 0.15);
        let st = w.stats();
        assert_eq!(w.count(), all.len() as u64);
        let mean = all.iter().sum::<u64>() as f64 / all.len() as f64 / 1e9;
        assert!((st.mean - mean).abs() < 1e-9);
        all.sort_unstable();
        let p50 = all[all.len().div_ceil(2) - 1] as f64 / 1e9;
        assert!(
            (st.p50 - p50).abs() <= 0.002 * p50 + 1e-6,
            "{} vs {p50}",
            st.p50
        );
    }

    #[test]
    fn window_percentiles_are_exact_nearest_rank() {
        let mut w = WaitRecorder::default();
        for s in 1..=20u64 {
            w.record(s * 1_000_000_000);
        }
        assert_eq!(w.take_window(), [10.0, 19.0, 20.0]);
        assert!(w.take_window()[0].is_nan());
        let st = w.stats();
        assert!((st.mean - 10.5).abs() < 1e-9);
        assert_eq!(st.max, 20.0);
        assert!((st.p50 - 10.0).abs() / 10.0 < 0.002, "{}", st.p50);
    }
}
