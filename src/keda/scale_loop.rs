//! The per-ScaledObject scale loop as pure step functions: loop timing, the scalers cache,
//! metric records for `useCachedMetrics`, and one poll.
//!
//! Mirrors `pkg/scaling/scale_handler.go` (`startScaleLoop`, `checkScalers`,
//! `getScaledObjectState`, `getScalerState`, `ClearScalersCache`) and
//! `pkg/scaling/cache/scalers_cache.go` (`GetMetricsAndActivityForScaler` with its
//! rebuild-and-retry-once, `refreshScaler`). A loop polls at `t0, t0 + P, t0 + 2P, ...` from its
//! start (the timer is armed before each check and checks take no simulated time); a loop
//! restart (spec change, unpause) polls at once.

use std::collections::BTreeMap;

use super::compiled::{Compiled, CompiledScaledObject, CompiledTrigger};
use super::executor::{self, Decision, ScaleRequest};
use super::goparse;
use super::modifiers;
use super::scaledobject::PauseMode;
use super::scalers::{MetricValue, ScalerEnv};
use super::status::{reason, ConditionStatus, Conditions, KedaEvent, ScaledObjectStatus};
use crate::time::{Dur, SimTime};

/// `metricscache.MetricsRecord`: what a poll saw for one metric of a `useCachedMetrics` trigger.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricsRecord {
    /// The trigger's activity.
    pub is_active: bool,
    /// Its metric values (empty on error).
    pub metrics: Vec<MetricValue>,
    /// The scaler error, if the query failed.
    pub error: Option<String>,
}

/// Loop timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoopTiming {
    /// When this loop started.
    pub started_at: SimTime,
    /// `pollingInterval`, captured at loop start.
    pub period: Dur,
    /// The next poll.
    pub next_poll: SimTime,
}

/// Everything KEDA keeps about one ScaledObject between steps: its status (persisted in the
/// API, survives loop restarts) and the operator's in-memory caches.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaledObjectState {
    /// `status`.
    pub status: ScaledObjectStatus,
    /// `metadata.creationTimestamp`.
    pub created_at: SimTime,
    cache_built: bool,
    records: BTreeMap<String, MetricsRecord>,
    timing: Option<LoopTiming>,
}

impl ScaledObjectState {
    /// The state after the first reconcile: conditions initialized and set as the reconciler
    /// leaves them, `originalReplicaCount`, metric names and HPA name recorded. The loop is
    /// not started; call [`start_loop`](Self::start_loop).
    pub fn new(c: &Compiled, created_at: SimTime, original_replicas: i32) -> ScaledObjectState {
        let so = &c.object.so;
        let mut status = ScaledObjectStatus {
            scale_target_kind: so.scale_target_kind(),
            original_replica_count: Some(original_replicas),
            conditions: Conditions::default(),
            ..ScaledObjectStatus::default()
        };
        c.hpa.apply_to_status(&mut status);
        let cond = &mut status.conditions;
        if so.need_to_be_paused_by_annotation()
            || so.need_to_pause_scale_in()
            || so.need_to_pause_scale_out()
        {
            cond.paused.set(
                ConditionStatus::True,
                "ScaledObjectPaused",
                "ScaledObject is paused",
            );
        }
        cond.ready.set(
            ConditionStatus::True,
            executor::READY_REASON,
            executor::READY_MESSAGE,
        );
        if !so.has_valid_fallback() {
            cond.fallback.set(
                ConditionStatus::False,
                "NoFallbackFound",
                "No fallbacks are active on this scaled object",
            );
        }
        ScaledObjectState {
            status,
            created_at,
            cache_built: false,
            records: BTreeMap::new(),
            timing: None,
        }
    }

    /// `HandleScalableObject`: (re)starts the loop at `now`; the first poll is due at once.
    /// The old loop's cancellation clears the scalers cache.
    pub fn start_loop(&mut self, c: &CompiledScaledObject, now: SimTime) {
        self.clear_scalers_cache();
        self.timing = Some(LoopTiming {
            started_at: now,
            period: c.so.polling_interval(),
            next_poll: now,
        });
    }

    /// Stops the loop (pause, deletion); clears the scalers cache.
    pub fn stop_loop(&mut self) {
        self.clear_scalers_cache();
        self.timing = None;
    }

    /// The running loop's timing.
    pub fn timing(&self) -> Option<LoopTiming> {
        self.timing
    }

    /// When the next poll is due, if the loop runs.
    pub fn next_poll_at(&self) -> Option<SimTime> {
        self.timing.map(|t| t.next_poll)
    }

    /// True while built scalers are cached (no rebuild, no connection on the next query).
    pub fn scalers_cache_built(&self) -> bool {
        self.cache_built
    }

    /// `ClearScalersCache`: closes the scalers and deletes the metric records.
    pub fn clear_scalers_cache(&mut self) {
        self.cache_built = false;
        self.records.clear();
    }

    /// The records a `useCachedMetrics` request reads.
    pub fn metrics_records(&self) -> &BTreeMap<String, MetricsRecord> {
        &self.records
    }

    /// `GetScalersCache`: builds (connects) every scaler unless cached.
    pub(crate) fn ensure_scalers(
        &mut self,
        c: &CompiledScaledObject,
        env: &dyn ScalerEnv,
    ) -> Result<(), String> {
        if self.cache_built {
            return Ok(());
        }
        for t in &c.triggers {
            t.scaler.connect(env)?;
        }
        self.cache_built = true;
        Ok(())
    }

    pub(crate) fn record(&self, metric: &str) -> Option<&MetricsRecord> {
        self.records.get(metric)
    }

    /// Deleting the ScaledObject (`scaledobject_finalizer.go#finalizeScaledObject`): stops the
    /// loop and, with `advanced.restoreToOriginalReplicaCount`, returns the replica count to
    /// write back. The HPA goes with its owner.
    pub fn finalize(&mut self, c: &CompiledScaledObject) -> Option<i32> {
        self.stop_loop();
        let restore =
            c.so.spec
                .advanced
                .as_ref()
                .is_some_and(|a| a.restore_to_original_replica_count);
        if restore {
            self.status.original_replica_count
        } else {
            None
        }
    }
}

/// Whether KEDA keeps an HPA for the ScaledObject in its current pause state: `paused` (or an
/// unparseable `paused-replicas`) deletes it; `paused-replicas: N` ends with one pinned to N
/// (`scaledobject_controller.go#reconcileScaledObject`, end state of the 2.18 choreography).
pub fn hpa_present(so: &super::scaledobject::ScaledObject) -> bool {
    so.pause_mode() != PauseMode::Paused
}

/// Whether the scale loop runs in the current pause state (it stops for `paused`).
pub fn loop_runs(so: &super::scaledobject::ScaledObject) -> bool {
    so.pause_mode() != PauseMode::Paused
}

/// One query of a trigger: `GetMetricsAndActivityForScaler`, which rebuilds the scaler (its
/// constructor's connection included) and retries once after an error.
#[derive(Clone, Debug, PartialEq)]
pub struct TriggerQuery {
    /// Metrics and activity, or the final error.
    pub result: Result<(Vec<MetricValue>, bool), String>,
    /// True when the first attempt failed and the scaler was rebuilt.
    pub retried: bool,
}

/// `ScalersCache.GetMetricsAndActivityForScaler`.
pub fn query_trigger(t: &CompiledTrigger, env: &dyn ScalerEnv) -> TriggerQuery {
    let name = &t.metric.name;
    match t.scaler.get_metrics_and_activity(env, name) {
        Ok(r) => TriggerQuery {
            result: Ok(r),
            retried: false,
        },
        Err(_) => {
            let result = match t.scaler.connect(env) {
                Err(e) => Err(e),
                Ok(()) => t.scaler.get_metrics_and_activity(env, name),
            };
            TriggerQuery {
                result,
                retried: true,
            }
        }
    }
}

/// What one trigger gave in a poll.
#[derive(Clone, Debug, PartialEq)]
pub struct TriggerPoll {
    /// Trigger index.
    pub index: usize,
    /// Its event name (`name`, else `redisScaler`, ...).
    pub trigger: String,
    /// Its metric.
    pub metric_name: String,
    /// The value in milli-units, when the query succeeded.
    pub value_milli: Option<i64>,
    /// Its activity (false on error).
    pub is_active: bool,
    /// The error, if the query failed after the retry.
    pub error: Option<String>,
    /// True when the scaler was rebuilt and the query retried.
    pub retried: bool,
}

/// The outcome of one poll.
#[derive(Clone, Debug, PartialEq)]
pub struct PollOutcome {
    /// The replica count KEDA writes to the target, if any.
    pub write: Option<i32>,
    /// Events recorded on the ScaledObject.
    pub events: Vec<KedaEvent>,
    /// The ScaledObject is active (after scalingModifiers; force-activation not included).
    pub is_active: bool,
    /// Some trigger failed.
    pub is_error: bool,
    /// Names of the active triggers (`ModifiersTrigger` with scalingModifiers).
    pub active_triggers: Vec<String>,
    /// Why the poll stopped before `RequestScale`, if it did (paused, scalers cache build
    /// failed, bad `activationTarget`).
    pub skipped: Option<String>,
    /// The executor branch taken, if it ran.
    pub decision: Option<Decision>,
    /// Per-trigger results, in trigger order.
    pub triggers: Vec<TriggerPoll>,
    /// The composite metric (milli) with scalingModifiers.
    pub composite_milli: Option<i64>,
    /// Conditions after the poll.
    pub conditions: Conditions,
    /// When the next poll is due.
    pub next_poll: Option<SimTime>,
}

impl PollOutcome {
    fn new(state: &ScaledObjectState) -> PollOutcome {
        PollOutcome {
            write: None,
            events: Vec::new(),
            is_active: false,
            is_error: false,
            active_triggers: Vec::new(),
            skipped: None,
            decision: None,
            triggers: Vec::new(),
            composite_milli: None,
            conditions: state.status.conditions.clone(),
            next_poll: state.next_poll_at(),
        }
    }
}

/// One tick of the scale loop at `now` (`checkScalers` → `getScaledObjectState` →
/// `RequestScale` → `StoreRecords`). `current_replicas` is the target's `spec.replicas`.
pub fn poll(
    c: &CompiledScaledObject,
    state: &mut ScaledObjectState,
    env: &dyn ScalerEnv,
    now: SimTime,
    current_replicas: i32,
) -> PollOutcome {
    if let Some(t) = &mut state.timing {
        t.next_poll = now + t.period;
    }
    let mut out = PollOutcome::new(state);
    let so = &c.so;
    if so.pause_mode() == PauseMode::Paused {
        out.skipped = Some("ScaledObject is paused: its scale loop is stopped".into());
        return out;
    }

    if let Err(e) = state.ensure_scalers(c, env) {
        out.events
            .push(KedaEvent::warning(reason::SCALER_FAILED, e.clone()));
        out.is_error = true;
        out.skipped = Some(format!("error getting scalers cache {e}"));
        return out;
    }

    let modifiers_on = so.is_using_modifiers();
    let mut metrics = Vec::new();
    let mut pairs = BTreeMap::new();
    let mut records = BTreeMap::new();
    for t in &c.triggers {
        let q = query_trigger(t, env);
        let metric_name = t.metric.name.clone();
        let mut tp = TriggerPoll {
            index: t.index,
            trigger: t.display_name.clone(),
            metric_name: metric_name.clone(),
            value_milli: None,
            is_active: false,
            error: None,
            retried: q.retried,
        };
        if t.use_cached_metrics {
            let (m, a, e) = match &q.result {
                Ok((m, a)) => (m.clone(), *a, None),
                Err(e) => (Vec::new(), false, Some(e.clone())),
            };
            records.insert(
                metric_name.clone(),
                MetricsRecord {
                    is_active: a,
                    metrics: m,
                    error: e,
                },
            );
        }
        match q.result {
            Err(e) => {
                let reason = if modifiers_on {
                    reason::METRIC_SOURCE_FAILED
                } else {
                    reason::SCALER_FAILED
                };
                out.events.push(KedaEvent::warning(reason, e.clone()));
                tp.error = Some(e);
                out.is_error = true;
            }
            Ok((m, active)) => {
                tp.value_milli = m.first().map(|v| v.value_milli);
                tp.is_active = active;
                if active {
                    out.is_active = true;
                    out.active_triggers.push(t.display_name.clone());
                }
                metrics.extend(m);
            }
        }
        if let Ok(p) = modifiers::pair_trigger_and_metric(so, &metric_name, &t.name) {
            pairs.extend(p);
        }
        out.triggers.push(tp);
    }

    if out.is_error {
        state.clear_scalers_cache();
    }

    let metrics =
        modifiers::handle_scaling_modifiers(so, c.formula.as_ref(), metrics, &pairs, false, &[]);
    if modifiers_on {
        out.is_active = false;
        out.active_triggers.clear();
        out.composite_milli = metrics.first().map(|m| m.value_milli);
        if !out.is_error {
            let text = so
                .scaling_modifiers()
                .map(|m| m.activation_target())
                .unwrap_or("");
            let activation = if text.is_empty() {
                0.0
            } else {
                match goparse::parse_float(text) {
                    Ok(v) => v,
                    Err(e) => {
                        out.skipped = Some(format!(
                            "scalingModifiers.ActivationTarget parsing error {e}"
                        ));
                        out.conditions = state.status.conditions.clone();
                        return out;
                    }
                }
            };
            for m in &metrics {
                if !out.is_active && m.value_milli as f64 / 1000.0 > activation {
                    out.is_active = true;
                    out.active_triggers.push("ModifiersTrigger".into());
                }
            }
        }
    }

    let result = executor::request_scale(
        so,
        &mut state.status,
        &ScaleRequest {
            is_active: out.is_active,
            is_error: out.is_error,
            active_triggers: &out.active_triggers,
            current_replicas,
            now,
            created_at: state.created_at,
        },
    );
    out.write = result.write;
    out.events.extend(result.events);
    out.decision = Some(result.decision);
    if !records.is_empty() {
        state.records = records;
    }
    out.conditions = state.status.conditions.clone();
    out
}
