//! The scale executor: the only writes KEDA itself makes to `spec.replicas`.
//!
//! A port of `pkg/scaling/executor/scale_scaledobjects.go` (`RequestScale`,
//! `scaleToZeroOrIdle`, `scaleFromZeroOrIdle`, `getIdleOrMinimumReplicaCount`,
//! `GetPausedReplicaCount`) as of v2.17/v2.18: activation 0 → `max(min, 1)`, deactivation to
//! 0 or `idleReplicaCount` once `lastActiveTime + cooldownPeriod` is strictly before now (or,
//! while `lastActiveTime` is unset, `creationTimestamp + initialCooldownPeriod`), raise to
//! `minReplicaCount`, and pinning to paused replicas. N → M scaling between 1 and max is the
//! HPA's. [v2.14–2.16 also wrote `fallback.replicas` here on errors; 2.17 removed that.]

use super::scaledobject::ScaledObject;
use super::status::{api_time, reason, ConditionStatus, KedaEvent, ScaledObjectStatus};
use crate::time::{SimTime, NANOS_PER_SEC};

/// `ScaledObjectConditionReadySuccessReason`.
pub const READY_REASON: &str = "ScaledObjectReady";
/// `ScaledObjectConditionReadySuccessMessage`.
pub const READY_MESSAGE: &str = "ScaledObject is defined correctly and is ready for scaling";

/// What one `RequestScale` call needs besides the ScaledObject and its status.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleRequest<'a> {
    /// Any trigger active (after scalingModifiers).
    pub is_active: bool,
    /// Any trigger failed.
    pub is_error: bool,
    /// Names of the active triggers, for the activation event.
    pub active_triggers: &'a [String],
    /// The target's `spec.replicas`.
    pub current_replicas: i32,
    /// The instant of the call.
    pub now: SimTime,
    /// The ScaledObject's `creationTimestamp`.
    pub created_at: SimTime,
}

/// Which branch of `RequestScale` ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// `paused-replicas` could not be parsed: Ready=False, nothing else.
    PausedReplicasInvalid,
    /// `paused-replicas: N`: target pinned to N.
    PausedReplicas(i32),
    /// Active at 0 (or below min with idle set): scaled to `max(min, 1)`.
    Activated,
    /// Active, would activate, but `paused-scale-out` blocks it.
    ScaleOutPaused,
    /// Active with a failing trigger: Ready=Unknown, `lastActiveTime` not refreshed.
    PartialTriggerError,
    /// Active with replicas: `lastActiveTime` refreshed.
    RefreshedLastActiveTime,
    /// Inactive with errors and `fallback.replicas != 0`: nothing (the HPA falls back).
    ErrorWithFallback,
    /// Inactive with errors and no fallback: Ready=False `TriggerError`.
    TriggerError,
    /// Inactive and the cooldown elapsed: scaled to `idleReplicaCount` or 0.
    Deactivated,
    /// Inactive, cooldown not elapsed yet.
    CoolingDown,
    /// Inactive, would deactivate, but `paused-scale-in` blocks it.
    ScaleInPaused,
    /// Inactive, below `minReplicaCount`, idle unset: raised to min.
    RaisedToMin,
    /// Inactive, nothing to do.
    NoChange,
}

/// The effect of one `RequestScale` call.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleResult {
    /// The replica count written to the target, if any.
    pub write: Option<i32>,
    /// Events recorded.
    pub events: Vec<KedaEvent>,
    /// The branch taken.
    pub decision: Decision,
}

/// `RequestScale`. Mutates `status` (conditions, `lastActiveTime`, `pausedReplicaCount`)
/// as KEDA's status patches do.
pub fn request_scale(
    so: &ScaledObject,
    status: &mut ScaledObjectStatus,
    req: &ScaleRequest<'_>,
) -> ScaleResult {
    let mut out = ScaleResult {
        write: None,
        events: Vec::new(),
        decision: Decision::NoChange,
    };
    let current = req.current_replicas;
    let ready = status.conditions.ready.clone();
    if !req.is_error && !ready.is_true() {
        status
            .conditions
            .ready
            .set(ConditionStatus::True, READY_REASON, READY_MESSAGE);
    }

    match so.paused_replica_count() {
        Err(_) => {
            // KEDA sets Ready=False with the success reason and message here.
            status
                .conditions
                .ready
                .set(ConditionStatus::False, READY_REASON, READY_MESSAGE);
            out.decision = Decision::PausedReplicasInvalid;
            return out;
        }
        Ok(Some(n)) => {
            if n != current {
                out.write = Some(n);
            }
            if n != current || status.paused_replica_count.is_none() {
                status.paused_replica_count = Some(n);
            }
            out.decision = Decision::PausedReplicas(n);
            return out;
        }
        Ok(None) => {}
    }

    let min = so.min_replica_count();
    let idle = so.idle_replica_count();
    let forced = so.need_to_force_activation();

    if req.is_active || forced {
        if (idle.is_some() && current < min) || current == 0 {
            scale_from_zero_or_idle(so, status, req, &mut out);
        } else if req.is_error {
            if !ready.is_unknown() {
                status.conditions.ready.set(
                    ConditionStatus::Unknown,
                    "PartialTriggerError",
                    "Some triggers defined in ScaledObject are not working correctly",
                );
            }
            out.decision = Decision::PartialTriggerError;
        } else {
            status.last_active_time = Some(api_time(req.now));
            out.decision = Decision::RefreshedLastActiveTime;
        }
    } else {
        let fallback_replicas = so.spec.fallback.as_ref().map(|f| f.replicas.value);
        if req.is_error && fallback_replicas.is_some_and(|r| r != 0) {
            out.decision = Decision::ErrorWithFallback;
        } else if req.is_error && fallback_replicas.is_none() {
            if !ready.is_false() {
                status.conditions.ready.set(
                    ConditionStatus::False,
                    "TriggerError",
                    "Triggers defined in ScaledObject are not working correctly",
                );
            }
            out.decision = Decision::TriggerError;
        } else if idle.is_some_and(|i| current > i) || (current > 0 && min == 0) {
            scale_to_zero_or_idle(so, status, req, &mut out);
        } else if current < min && idle.is_none() {
            out.write = Some(min);
            out.decision = Decision::RaisedToMin;
        } else {
            out.decision = Decision::NoChange;
        }
    }

    let active = &status.conditions.active;
    if active.is_unknown() || active.is_true() != (req.is_active || forced) {
        let a = &mut status.conditions.active;
        if req.is_active {
            a.set(
                ConditionStatus::True,
                "ScalerActive",
                "Scaling is performed because triggers are active",
            );
        } else if forced {
            a.set(
                ConditionStatus::True,
                "ScalerActive",
                "Scaling is performed because activation is being forced by annotation",
            );
        } else {
            a.set(
                ConditionStatus::False,
                "ScalerNotActive",
                "Scaling is not performed because triggers are not active",
            );
        }
    }
    out
}

/// `t + secs` strictly before `now` (`time.Time.Add(...).Before(now)`), for any sign of `secs`.
fn elapsed(t: SimTime, secs: i32, now: SimTime) -> bool {
    (t.0 as i128) + (secs as i128) * (NANOS_PER_SEC as i128) < now.0 as i128
}

/// `scaleToZeroOrIdle`.
fn scale_to_zero_or_idle(
    so: &ScaledObject,
    status: &mut ScaledObjectStatus,
    req: &ScaleRequest<'_>,
    out: &mut ScaleResult,
) {
    if so.need_to_pause_scale_in() {
        out.decision = Decision::ScaleInPaused;
        return;
    }
    let due = match status.last_active_time {
        None => elapsed(
            api_time(req.created_at),
            so.initial_cooldown_period_secs(),
            req.now,
        ),
        Some(last) => elapsed(last, so.cooldown_period_secs(), req.now),
    };
    if due {
        let (_, to) = idle_or_minimum_replica_count(so);
        out.write = Some(to);
        out.events.push(KedaEvent::normal(
            reason::SCALE_TARGET_DEACTIVATED,
            format!(
                "Deactivated {} {}/{} from {} to {}",
                status.scale_target_kind,
                so.namespace(),
                so.spec.scale_target_ref.name.value,
                req.current_replicas,
                to
            ),
        ));
        status.conditions.active.set(
            ConditionStatus::False,
            "ScalerNotActive",
            "Scaling is not performed because triggers are not active",
        );
        out.decision = Decision::Deactivated;
    } else {
        let a = &status.conditions.active;
        if !a.is_false() || a.reason != "ScalerCooldown" {
            status.conditions.active.set(
                ConditionStatus::False,
                "ScalerCooldown",
                "Scaler cooling down because triggers are not active",
            );
        }
        out.decision = Decision::CoolingDown;
    }
}

/// `scaleFromZeroOrIdle`.
fn scale_from_zero_or_idle(
    so: &ScaledObject,
    status: &mut ScaledObjectStatus,
    req: &ScaleRequest<'_>,
    out: &mut ScaleResult,
) {
    if so.need_to_pause_scale_out() {
        out.decision = Decision::ScaleOutPaused;
        return;
    }
    let replicas = match so.spec.min_replica_count.as_ref().map(|m| m.value) {
        Some(m) if m > 0 => m,
        _ => 1,
    };
    out.write = Some(replicas);
    let target = format!(
        "{} {}/{} from {} to {}",
        status.scale_target_kind,
        so.namespace(),
        so.spec.scale_target_ref.name.value,
        req.current_replicas,
        replicas
    );
    let message = if so.need_to_force_activation() {
        format!("Scaled {target}, caused by forced activation annotation")
    } else {
        format!(
            "Scaled {target}, triggered by {}",
            req.active_triggers.join(";")
        )
    };
    out.events
        .push(KedaEvent::normal(reason::SCALE_TARGET_ACTIVATED, message));
    status.last_active_time = Some(api_time(req.now));
    out.decision = Decision::Activated;
}

/// `getIdleOrMinimumReplicaCount`: (from idle?, count).
pub fn idle_or_minimum_replica_count(so: &ScaledObject) -> (bool, i32) {
    match so.idle_replica_count() {
        Some(i) => (true, i),
        None => (false, so.min_replica_count()),
    }
}
