//! Fallback: replacing a failing metric by one that makes the HPA settle on a chosen replica
//! count. A port of `pkg/fallback/fallback.go` (`GetMetricsWithFallback`, `doFallback`,
//! `HasValidFallback`, `updateStatus`, `fallbackExistsInScaledObject`) as of v2.18.
//!
//! Failures are counted per metric in `status.health`, once per HPA metrics request (in
//! 2.14–2.18 the poll loop never counts). When the count exceeds `failureThreshold` the metric
//! becomes `R × target` (milli), where R is chosen by `fallback.behavior`; for a `Value`
//! target R is first divided by the number of ready pods (2.18+). [v2.19 also applies
//! fallback in the poll loop, so a failing SO can scale from zero; not modelled here.]

use super::goparse;
use super::scaledobject::{FallbackBehavior, ScaledObject, COMPOSITE_METRIC_NAME};
use super::scalers::{MetricTargetType, MetricValue};
use super::status::{ConditionStatus, HealthStatus, HealthStatusType, ScaledObjectStatus};

/// What the fallback logic needs to know about the target, read only when it falls back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetReplicas {
    /// `spec.replicas` (`resolver.GetCurrentReplicas`).
    pub current: i32,
    /// Pods that are `Running` and `Ready` (`getReadyReplicasCount`), for Value targets.
    pub ready_pods: i32,
}

/// The metric's HPA target as KEDA's fallback reads it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FallbackTarget {
    /// The trigger's target type.
    pub target_type: MetricTargetType,
    /// The target value (`AsApproximateFloat64`).
    pub target_value: f64,
}

/// The result of `GetMetricsWithFallback`.
#[derive(Clone, Debug, PartialEq)]
pub struct FallbackResult {
    /// Metrics to serve, or the error.
    pub metrics: Result<Vec<MetricValue>, String>,
    /// True when the returned metrics are fallback values.
    pub fallback_active: bool,
}

/// `GetMetricsWithFallback`. `scaler_result` is the scaler's answer (or its error);
/// `status` is updated (health, Fallback condition) only when fallback is enabled and valid,
/// as `updateStatus` does.
pub fn get_metrics_with_fallback(
    so: &ScaledObject,
    status: &mut ScaledObjectStatus,
    scaler_result: Result<Vec<MetricValue>, String>,
    metric_name: &str,
    target: FallbackTarget,
    replicas: TargetReplicas,
) -> FallbackResult {
    let mut new_status = status.clone();
    let mut health = *new_status
        .health
        .entry(metric_name.to_string())
        .or_insert(HealthStatus {
            number_of_failures: 0,
            status: HealthStatusType::Happy,
        });
    let err = match scaler_result {
        Ok(metrics) => {
            health.number_of_failures = 0;
            health.status = HealthStatusType::Happy;
            new_status.health.insert(metric_name.to_string(), health);
            update_status(so, status, new_status);
            return FallbackResult {
                metrics: Ok(metrics),
                fallback_active: false,
            };
        }
        Err(e) => e,
    };
    health.status = HealthStatusType::Failing;
    health.number_of_failures = health.number_of_failures.saturating_add(1);
    new_status.health.insert(metric_name.to_string(), health);
    update_status(so, status, new_status);

    let Some(fb) = &so.spec.fallback else {
        return fail(err);
    };
    if !so.has_valid_fallback() || health.number_of_failures <= fb.failure_threshold.value {
        return fail(err);
    }
    // Non-static behaviors read the current replicas first (an empty behavior included).
    let current = replicas.current;
    match do_fallback(so, metric_name, target, current, replicas.ready_pods) {
        Some(m) => FallbackResult {
            metrics: Ok(vec![m]),
            fallback_active: true,
        },
        None => FallbackResult {
            metrics: Err("error performing fallback".into()),
            fallback_active: false,
        },
    }
}

fn fail(err: String) -> FallbackResult {
    FallbackResult {
        metrics: Err(err),
        fallback_active: false,
    }
}

/// `doFallback`: the replacement metric, or `None` when a Value target has no ready pods.
fn do_fallback(
    so: &ScaledObject,
    metric_name: &str,
    target: FallbackTarget,
    current: i32,
    ready_pods: i32,
) -> Option<MetricValue> {
    let fb = so.spec.fallback.as_ref()?;
    let fallback_replicas = fb.replicas.value as i64;
    let current = current as i64;
    let mut replicas = match fb.behavior {
        FallbackBehavior::Static => fallback_replicas,
        FallbackBehavior::CurrentReplicas => current,
        FallbackBehavior::CurrentReplicasIfHigher => current.max(fallback_replicas),
        FallbackBehavior::CurrentReplicasIfLower => current.min(fallback_replicas),
    } as f64;
    let modifiers = so.is_using_modifiers();
    let sm = so.scaling_modifiers();
    let value_type = if modifiers {
        sm.is_some_and(|m| m.metric_type() == "Value")
    } else {
        target.target_type == MetricTargetType::Value
    };
    if value_type {
        if ready_pods <= 0 {
            return None;
        }
        replicas /= ready_pods as f64;
    }
    let (normalisation, name) = if modifiers {
        let t = sm.map(|m| m.target()).unwrap_or("");
        (
            goparse::parse_float(t).unwrap_or(0.0),
            COMPOSITE_METRIC_NAME.to_string(),
        )
    } else {
        (target.target_value, metric_name.to_string())
    };
    Some(MetricValue {
        metric_name: name,
        value_milli: goparse::f64_to_i64(normalisation * 1000.0 * replicas),
    })
}

/// `updateStatus`: only with an enabled, valid fallback; the Fallback condition is computed
/// from the health *before* this update (it lags one request, as upstream's does).
fn update_status(so: &ScaledObject, status: &mut ScaledObjectStatus, mut new: ScaledObjectStatus) {
    let Some(fb) = &so.spec.fallback else {
        return;
    };
    if !so.has_valid_fallback() {
        return;
    }
    let exists = status.health.values().any(|h| {
        h.status == HealthStatusType::Failing && h.number_of_failures > fb.failure_threshold.value
    });
    if exists {
        new.conditions.fallback.set(
            ConditionStatus::True,
            "FallbackExists",
            "At least one trigger is falling back on this scaled object",
        );
    } else {
        new.conditions.fallback.set(
            ConditionStatus::False,
            "NoFallbackFound",
            "No fallbacks are active on this scaled object",
        );
    }
    *status = new;
}
