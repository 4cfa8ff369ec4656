//! What every run must satisfy, whatever the scenario: the simulator's own promises, checked
//! from the outside on an [`Observed`] run.
//!
//! Each check is a function returning the first violation it finds; [`check_all`] runs them
//! all. The property suites (`tests/props_runs.rs`) run them on generated scenarios, and every
//! [`Hunt`](super::Hunt) runs them on each case as well as the user's property.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::observe::TraceEvent;
use crate::scenario::SignalMode;
use crate::time::SimTime;

use super::Observed;

/// A broken invariant: which one, when, and the numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// The invariant's name (one of [`INVARIANTS`]).
    pub invariant: &'static str,
    /// Simulated seconds, when the violation is tied to an instant.
    pub time_s: Option<f64>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.time_s {
            Some(t) => write!(f, "{} at t={t}s: {}", self.invariant, self.message),
            None => write!(f, "{}: {}", self.invariant, self.message),
        }
    }
}

/// A check of one invariant.
pub type Check = fn(&Observed) -> Result<(), Violation>;

/// Every invariant, by name, in the order [`check_all`] runs them.
pub const INVARIANTS: &[(&str, Check)] = &[
    ("conservation", conservation),
    ("monotone_totals", monotone_totals),
    ("waits_non_negative", waits_non_negative),
    ("ledger_balances", ledger_balances),
    ("executions_explained", executions_explained),
    ("serve_only_when_consuming", serve_only_when_consuming),
    ("hpa_writes_within_bounds", hpa_writes_within_bounds),
    (
        "keda_writes_only_its_own_counts",
        keda_writes_only_its_own_counts,
    ),
    ("keda_cooldown_respected", keda_cooldown_respected),
];

/// Runs every invariant; returns all violations (at most one per invariant).
pub fn check_all(o: &Observed) -> Vec<Violation> {
    INVARIANTS.iter().filter_map(|(_, c)| c(o).err()).collect()
}

fn fail(invariant: &'static str, time_s: Option<f64>, message: String) -> Result<(), Violation> {
    Err(Violation {
        invariant,
        time_s,
        message,
    })
}

fn col(o: &Observed, name: &str) -> Vec<f64> {
    o.column(name).unwrap_or_default()
}

/// `produced + duplicated = completed + queue_depth + reserved + running + lost` on every
/// row of the time series: no task copy appears or vanishes between samples.
pub fn conservation(o: &Observed) -> Result<(), Violation> {
    let names = [
        "produced_total",
        "duplicated_total",
        "completed_total",
        "queue_depth",
        "reserved",
        "running",
        "lost_total",
    ];
    let cols: Vec<Vec<f64>> = names.iter().map(|n| col(o, n)).collect();
    let t = o.times();
    for (i, &time) in t.iter().enumerate() {
        let v: Vec<f64> = cols
            .iter()
            .map(|c| c.get(i).copied().unwrap_or(f64::NAN))
            .collect();
        let lhs = v[0] + v[1];
        let rhs = v[2] + v[3] + v[4] + v[5] + v[6];
        if lhs != rhs {
            return fail(
                "conservation",
                Some(time),
                format!(
                    "produced {} + duplicated {} != completed {} + queued {} + reserved {} + running {} + lost {}",
                    v[0], v[1], v[2], v[3], v[4], v[5], v[6]
                ),
            );
        }
    }
    Ok(())
}

/// Sample times increase; `produced_total`, `completed_total` and `lost_total` never go down
/// and no count is negative. (`duplicated_total` is a net count: it falls back when a held
/// duplicate is dropped because the broker kept the other copy, so it is only checked >= 0.)
pub fn monotone_totals(o: &Observed) -> Result<(), Violation> {
    let t = o.times();
    for w in t.windows(2) {
        if w[1] <= w[0] {
            return fail(
                "monotone_totals",
                Some(w[1]),
                format!("sample times go from {} to {}", w[0], w[1]),
            );
        }
    }
    for name in ["produced_total", "completed_total", "lost_total"] {
        let c = col(o, name);
        for (i, w) in c.windows(2).enumerate() {
            if w[1] < w[0] {
                return fail(
                    "monotone_totals",
                    Some(t[i + 1]),
                    format!("{name} went down from {} to {}", w[0], w[1]),
                );
            }
        }
    }
    for name in [
        "duplicated_total",
        "queue_depth",
        "reserved",
        "running",
        "replicas",
        "pods_ready",
        "pods_starting",
        "pods_terminating",
    ] {
        for (i, v) in col(o, name).iter().enumerate() {
            if *v < 0.0 {
                return fail("monotone_totals", Some(t[i]), format!("{name} is {v}"));
            }
        }
    }
    Ok(())
}

/// Every wait (publish to start) is >= 0: per execution in the trace, in the per-sample
/// columns (with p50 <= p95 <= max), and in the summary (p50 <= p95 <= p99, mean <= max;
/// the summary's percentiles are 4-digit HDR estimates, so they may pass the exact max by
/// 0.2%).
pub fn waits_non_negative(o: &Observed) -> Result<(), Violation> {
    for e in o.trace() {
        if let TraceEvent::Started {
            t, task, published, ..
        } = e
        {
            if t < published {
                return fail(
                    "waits_non_negative",
                    Some(t.as_secs_f64()),
                    format!("task {task} started before it was published (at {published})"),
                );
            }
        }
    }
    let t = o.times();
    let (p50, p95, max) = (
        col(o, "wait_p50_s"),
        col(o, "wait_p95_s"),
        col(o, "wait_max_s"),
    );
    for i in 0..t.len() {
        let (a, b, c) = (p50[i], p95[i], max[i]);
        if a.is_nan() && b.is_nan() && c.is_nan() {
            continue;
        }
        if !(a >= 0.0 && a <= b && b <= c) {
            return fail(
                "waits_non_negative",
                Some(t[i]),
                format!("window waits p50 {a}, p95 {b}, max {c}"),
            );
        }
    }
    let w = &o.summary.wait_s;
    let ok = w.mean >= 0.0
        && w.p50 >= 0.0
        && w.p50 <= w.p95
        && w.p95 <= w.p99
        && w.p99 <= w.max * 1.002 + 1e-6
        && w.mean <= w.max + 1e-9;
    if !ok {
        return fail("waits_non_negative", None, format!("summary waits {w:?}"));
    }
    Ok(())
}

#[derive(Default, Clone, Copy)]
struct TaskLedger {
    published: u64,
    started: u64,
    completed: u64,
    lost: u64,
    requeued: u64,
    duplicated: u64,
    dropped: u64,
    in_flight: u64,
}

fn ledgers(o: &Observed) -> BTreeMap<u64, TaskLedger> {
    let mut m: BTreeMap<u64, TaskLedger> = BTreeMap::new();
    for e in o.trace() {
        let (task, f): (u64, fn(&mut TaskLedger)) = match e {
            TraceEvent::Published { task, .. } => (*task, |l| l.published += 1),
            TraceEvent::Started { task, .. } => (*task, |l| l.started += 1),
            TraceEvent::Completed { task, .. } => (*task, |l| l.completed += 1),
            TraceEvent::Lost { task, .. } => (*task, |l| l.lost += 1),
            TraceEvent::Requeued { task, .. } => (*task, |l| l.requeued += 1),
            TraceEvent::Duplicated { task, .. } => (*task, |l| l.duplicated += 1),
            TraceEvent::DuplicateDropped { task, .. } => (*task, |l| l.dropped += 1),
            TraceEvent::InFlightAtEnd { task } => (*task, |l| l.in_flight += 1),
            _ => continue,
        };
        f(m.entry(task).or_default());
    }
    m
}

/// Every task is accounted for by name, not only in total: for each task,
/// `1 + duplicates - dropped duplicates = completions + losses + copies in flight at the
/// end`; each task is published once; and the trace's totals equal the summary's
/// (`produced`, `started`, `completed`, `lost`, `duplicated`, `in_flight_at_end`).
pub fn ledger_balances(o: &Observed) -> Result<(), Violation> {
    if o.trace().is_empty() && o.summary.produced > 0 {
        return fail(
            "ledger_balances",
            None,
            "the run has no trace (run it with testing::observe)".into(),
        );
    }
    let mut total = TaskLedger::default();
    for (task, l) in ledgers(o) {
        if l.published != 1 {
            return fail(
                "ledger_balances",
                None,
                format!("task {task} was published {} times", l.published),
            );
        }
        if 1 + l.duplicated != l.dropped + l.completed + l.lost + l.in_flight {
            return fail(
                "ledger_balances",
                None,
                format!(
                    "task {task}: 1 + {} duplicate(s) - {} dropped != {} completed + {} lost + {} in flight at the end",
                    l.duplicated, l.dropped, l.completed, l.lost, l.in_flight
                ),
            );
        }
        if l.completed > l.started {
            return fail(
                "ledger_balances",
                None,
                format!(
                    "task {task} completed {} times but started {}",
                    l.completed, l.started
                ),
            );
        }
        total.published += l.published;
        total.started += l.started;
        total.completed += l.completed;
        total.lost += l.lost;
        total.duplicated += l.duplicated;
        total.dropped += l.dropped;
        total.in_flight += l.in_flight;
    }
    let s = &o.summary;
    let pairs = [
        ("produced", total.published, s.produced),
        ("started", total.started, s.started),
        ("completed", total.completed, s.completed),
        ("lost", total.lost, s.lost),
        ("duplicated", total.duplicated - total.dropped, s.duplicated),
        ("in_flight_at_end", total.in_flight, s.in_flight_at_end),
    ];
    for (name, traced, summary) in pairs {
        if traced != summary {
            return fail(
                "ledger_balances",
                None,
                format!("the trace counts {traced} {name}, the summary {summary}"),
            );
        }
    }
    Ok(())
}

/// No task runs more than once unless something explains it: each extra execution needs a
/// redelivery (a copy returned to a queue: visibility-timeout restore of a dead worker's
/// message, `task_reject_on_worker_lost`, a shutdown or connection-close restore) or a
/// duplicate (a visibility-timeout restore of a message a live worker still held).
pub fn executions_explained(o: &Observed) -> Result<(), Violation> {
    let mut starts: HashMap<u64, (u64, SimTime)> = HashMap::new();
    let mut explained: HashMap<u64, u64> = HashMap::new();
    for e in o.trace() {
        match e {
            TraceEvent::Requeued { task, .. } | TraceEvent::Duplicated { task, .. } => {
                *explained.entry(*task).or_default() += 1;
            }
            TraceEvent::Started { t, task, .. } => {
                let s = starts.entry(*task).or_insert((0, *t));
                s.0 += 1;
                let allowed = 1 + explained.get(task).copied().unwrap_or(0);
                if s.0 > allowed {
                    return fail(
                        "executions_explained",
                        Some(t.as_secs_f64()),
                        format!(
                            "task {task} started for the {} time (first at {}), with only {} redelivery or duplicate to explain it",
                            s.0,
                            s.1,
                            allowed - 1
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A pod takes and runs tasks only while its Celery process is consuming: never before
/// Celery is up (the `CeleryReady` point, which is what "ready to serve" means here; the
/// Kubernetes Ready condition may come earlier without a readiness probe, or later with one),
/// never after it exits, and after deletion only when SIGTERM never reached Celery (a shell
/// without `exec` keeps consuming until SIGKILL).
pub fn serve_only_when_consuming(o: &Observed) -> Result<(), Violation> {
    #[derive(Clone, Copy, Default)]
    struct P {
        group: u16,
        consuming: bool,
        terminating: bool,
        exited: bool,
    }
    let mut pods: HashMap<u32, P> = HashMap::new();
    let swallowed = |g: u16| {
        o.scenario
            .workers
            .get(g as usize)
            .is_some_and(|w| w.celery.signal == SignalMode::Swallowed)
    };
    for e in o.trace() {
        match e {
            TraceEvent::PodCreated { pod, group, .. } => {
                pods.insert(
                    *pod,
                    P {
                        group: *group,
                        ..P::default()
                    },
                );
            }
            TraceEvent::PodConsuming { pod, t } => {
                let p = pods.entry(*pod).or_default();
                if p.exited || p.terminating {
                    return fail(
                        "serve_only_when_consuming",
                        Some(t.as_secs_f64()),
                        format!("pod {pod} began consuming after it was deleted"),
                    );
                }
                p.consuming = true;
            }
            TraceEvent::PodTerminating { pod, .. } => {
                pods.entry(*pod).or_default().terminating = true
            }
            TraceEvent::PodExited { pod, .. } => pods.entry(*pod).or_default().exited = true,
            TraceEvent::Delivered { t, task, pod } | TraceEvent::Started { t, task, pod, .. } => {
                let what = if matches!(e, TraceEvent::Delivered { .. }) {
                    "took"
                } else {
                    "started"
                };
                let p = pods.get(pod).copied().unwrap_or_default();
                let why = if !pods.contains_key(pod) {
                    Some("a pod that was never created")
                } else if p.exited {
                    Some("a pod whose Celery process had exited")
                } else if !p.consuming {
                    Some("a pod whose Celery was not consuming yet")
                } else if p.terminating && !swallowed(p.group) {
                    Some("a pod in warm/cold shutdown")
                } else {
                    None
                };
                if let Some(why) = why {
                    return fail(
                        "serve_only_when_consuming",
                        Some(t.as_secs_f64()),
                        format!("{why} {what} task {task} (pod {pod})"),
                    );
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn num(v: &serde_json::Value, key: &str) -> Option<i64> {
    v.get(key).and_then(serde_json::Value::as_i64)
}

/// Every replica count an HPA writes lies in `[minReplicas, maxReplicas]` (this also covers
/// the upstream rules for a current count above max or below min: they write max or min).
pub fn hpa_writes_within_bounds(o: &Observed) -> Result<(), Violation> {
    for d in o
        .decisions
        .iter()
        .filter(|d| d.source == "hpa" && d.from != d.to)
    {
        let (Some(min), Some(max)) = (
            num(&d.inputs, "min_replicas"),
            num(&d.inputs, "max_replicas"),
        ) else {
            continue;
        };
        let to = d.to as i64;
        if to < min || to > max {
            return fail(
                "hpa_writes_within_bounds",
                Some(d.time_s),
                format!(
                    "{} wrote {} (from {}) outside [{min}, {max}]",
                    d.object, d.to, d.from
                ),
            );
        }
    }
    Ok(())
}

/// KEDA itself writes only 0, `idleReplicaCount`, `minReplicaCount`, `max(minReplicaCount, 1)`
/// (activation) or the paused replica count: every count between 1 and N is the HPA's.
pub fn keda_writes_only_its_own_counts(o: &Observed) -> Result<(), Violation> {
    for d in o
        .decisions
        .iter()
        .filter(|d| d.source == "keda" && d.from != d.to)
    {
        let Some(def) = o.scenario.scaled_objects.iter().find(|k| k.id == d.object) else {
            continue;
        };
        let so = &def.compiled.object.so;
        let min = so.min_replica_count();
        let mut allowed = vec![0, min, min.max(1)];
        if let Some(i) = so.idle_replica_count() {
            allowed.push(i);
        }
        if let Ok(Some(p)) = so.paused_replica_count() {
            allowed.push(p);
        }
        if !allowed.contains(&d.to) {
            return fail(
                "keda_writes_only_its_own_counts",
                Some(d.time_s),
                format!(
                    "{} wrote {} (from {}); KEDA may write only {allowed:?}",
                    d.object, d.to, d.from
                ),
            );
        }
    }
    Ok(())
}

/// KEDA scales to zero (or to `idleReplicaCount`) only once `cooldownPeriod` has passed since
/// the last poll that found the ScaledObject active, or, if none ever did, once
/// `initialCooldownPeriod` has passed since its creation (t=0). KEDA stores `lastActiveTime`
/// in whole seconds, so "since" counts from the start of that poll's second.
///
/// The last active poll is found from the decisions, which record every change of activity:
/// it is the poll one `pollingInterval` before the first inactive one. Skipped for a
/// ScaledObject with a failing trigger (a failing poll does not refresh `lastActiveTime`).
pub fn keda_cooldown_respected(o: &Observed) -> Result<(), Violation> {
    for def in &o.scenario.scaled_objects {
        let so = &def.compiled.object.so;
        let ds: Vec<_> = o
            .decisions
            .iter()
            .filter(|d| d.source == "keda" && d.object == def.id)
            .collect();
        if ds
            .iter()
            .any(|d| d.inputs.get("is_error").and_then(|v| v.as_bool()) == Some(true))
        {
            continue;
        }
        let period = so.polling_interval_secs().max(0) as f64;
        let mut active = false;
        let mut last_active_poll: Option<f64> = None;
        for d in ds {
            let now_active = d.inputs.get("is_active").and_then(|v| v.as_bool()) == Some(true);
            if active && !now_active {
                last_active_poll = Some(d.time_s - period);
            }
            if now_active {
                // Active right now: this poll is the last active one so far.
                last_active_poll = Some(d.time_s);
            }
            active = now_active;
            if d.rule != "Deactivated" {
                continue;
            }
            let (since, wait, what) = match last_active_poll {
                Some(t) => (
                    t.floor(),
                    so.cooldown_period_secs() as f64,
                    "cooldownPeriod",
                ),
                None => (
                    0.0,
                    so.initial_cooldown_period_secs() as f64,
                    "initialCooldownPeriod",
                ),
            };
            if d.time_s <= since + wait {
                return fail(
                    "keda_cooldown_respected",
                    Some(d.time_s),
                    format!(
                        "{} deactivated {} -> {} at {}s, but {what} ({wait}s) counts from {since}s",
                        def.id, d.from, d.to, d.time_s
                    ),
                );
            }
        }
    }
    Ok(())
}
