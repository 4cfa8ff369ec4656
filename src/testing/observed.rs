//! A whole run kept in memory, for properties to look at.

use crate::observe::Decision;
use crate::observe::{EventRow, MemorySink, Summary, TraceEvent};
use crate::scenario::Scenario;
use crate::sim::SimError;

/// Everything one run produced: every sample row, every event, every trace step (task
/// deliveries, starts, completions, losses, requeues; pod lifecycles), the summary and the
/// autoscalers' decisions.
///
/// Held in memory: meant for runs of minutes to hours of simulated time with up to a few
/// million tasks (a trace step is ~40 bytes, a task makes 3-5 of them).
#[derive(Clone, Debug)]
pub struct Observed {
    /// The scenario that ran (after overrides).
    pub scenario: Scenario,
    /// Rows (`sink.columns`, `sink.rows`), events (`sink.events`) and trace (`sink.trace`).
    pub sink: MemorySink,
    /// `summary.json`.
    pub summary: Summary,
    /// `decisions.json`: every scaling decision, and every pass that held a change back.
    pub decisions: Vec<Decision>,
}

/// Runs `sc` to the end keeping everything; the simulator's own errors (resource limits, a
/// broken accounting identity) are returned as they are.
pub fn observe(sc: &Scenario) -> Result<Observed, SimError> {
    let mut sink = MemorySink {
        keep_trace: true,
        ..MemorySink::default()
    };
    let out = crate::sim::run(sc, &mut sink, &mut |_| {})?;
    let decisions = std::mem::take(&mut sink.decisions);
    Ok(Observed {
        scenario: sc.clone(),
        sink,
        summary: out.summary,
        decisions,
    })
}

/// A scaling of a Deployment's `spec.replicas`, read back from its `ScalingReplicaSet` event.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scaling {
    /// Seconds from the start.
    pub time_s: f64,
    /// Replicas before.
    pub from: i32,
    /// Replicas after.
    pub to: i32,
}

impl Observed {
    /// The values of a time-series column (`queue_depth`, `replicas`, `wait_p95_s`,
    /// `metric:<name>`, ...; see `timeseries.csv` in the README), or `None` if there is no
    /// such column.
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        self.sink.column(name)
    }

    /// Sample times in seconds.
    pub fn times(&self) -> Vec<f64> {
        self.sink.rows.iter().map(|r| r[0]).collect()
    }

    /// The largest value of a column, ignoring empty cells (NaN); `None` without such column
    /// or values.
    pub fn max_of(&self, name: &str) -> Option<f64> {
        self.column(name)?
            .into_iter()
            .filter(|v| !v.is_nan())
            .reduce(f64::max)
    }

    /// Events with this reason (`KEDAScaleTargetActivated`, `SuccessfulRescale`, `TaskLost`,
    /// `Killed`, ...).
    pub fn events_with_reason<'a>(&'a self, reason: &'a str) -> impl Iterator<Item = &'a EventRow> {
        self.sink.events.iter().filter(move |e| e.reason == reason)
    }

    /// Every change of `spec.replicas` of `deployment`, in time order.
    pub fn scalings(&self, deployment: &str) -> Vec<Scaling> {
        let prefix = "replica set ";
        self.sink
            .events
            .iter()
            .filter(|e| e.reason == "ScalingReplicaSet")
            .filter_map(|e| {
                // "Scaled up replica set <dep> to <n> from <m>"
                let rest = e.message.split_once(prefix)?.1;
                let (dep, nums) = rest.rsplit_once(" to ")?;
                if dep != deployment {
                    return None;
                }
                let (to, from) = nums.split_once(" from ")?;
                Some(Scaling {
                    time_s: e.time.as_secs_f64(),
                    from: from.trim().parse().ok()?,
                    to: to.trim().parse().ok()?,
                })
            })
            .collect()
    }

    /// The trace (deliveries, starts, completions, pod lifecycles, ...).
    pub fn trace(&self) -> &[TraceEvent] {
        &self.sink.trace
    }

    /// Task waits (publish to start of execution) of every execution, in seconds, in start
    /// order: exact values, where the summary's percentiles are HDR estimates.
    pub fn waits(&self) -> Vec<f64> {
        self.sink
            .trace
            .iter()
            .filter_map(|e| match e {
                TraceEvent::Started { t, published, .. } => {
                    Some(t.saturating_since(*published).as_secs_f64())
                }
                _ => None,
            })
            .collect()
    }

    /// The exact `q` quantile (0..=1, nearest rank) of [`Observed::waits`]; 0 when nothing ran.
    pub fn wait_quantile(&self, q: f64) -> f64 {
        let mut w = self.waits();
        if w.is_empty() {
            return 0.0;
        }
        w.sort_by(f64::total_cmp);
        let k = ((q.clamp(0.0, 1.0) * w.len() as f64).ceil() as usize).clamp(1, w.len()) - 1;
        w[k]
    }

    /// The run as bytes: rows (exact bit patterns), events, trace, summary and decisions.
    /// Two runs of the same scenario and seed must give equal fingerprints.
    pub fn fingerprint(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for c in &self.sink.columns {
            out.extend_from_slice(c.as_bytes());
            out.push(b',');
        }
        out.push(b'\n');
        for r in &self.sink.rows {
            for v in r {
                out.extend_from_slice(&v.to_bits().to_le_bytes());
            }
            out.push(b'\n');
        }
        for e in &self.sink.events {
            out.extend_from_slice(
                format!(
                    "{}|{}|{}|{}|{}\n",
                    e.time.0, e.source, e.kind, e.reason, e.message
                )
                .as_bytes(),
            );
        }
        for t in &self.sink.trace {
            out.extend_from_slice(format!("{t:?}\n").as_bytes());
        }
        out.extend_from_slice(
            serde_json::to_string(&self.summary)
                .unwrap_or_default()
                .as_bytes(),
        );
        out.extend_from_slice(
            serde_json::to_string(&self.decisions)
                .unwrap_or_default()
                .as_bytes(),
        );
        out
    }
}
