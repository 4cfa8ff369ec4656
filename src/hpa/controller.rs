//! One reconcile pass: `reconcileAutoscaler`, `computeReplicasForMetrics`,
//! `computeReplicasForMetric` and the `computeStatusFor*Metric` functions of
//! `pkg/controller/podautoscaler/horizontal.go`.

use super::calc::{ReplicaCalculator, Tolerances};
use super::config::{ControllerConfig, ZeroReplicasRule};
use super::metrics::{MetricsClient, PodInfo, ScaleInfo};
use super::normalize::{
    calculate_scale_up_limit, convert_desired_replicas_with_behavior_rate,
    convert_desired_replicas_with_rules, stabilize_recommendation,
    stabilize_recommendation_with_behaviors, store_scale_event, NormalizationArg,
};
use super::selector::parse_selector;
use super::spec::{go_selector_string, HpaSpec, MetricSpec, MetricTarget};
use super::state::{
    remove_condition, set_condition, ConditionStatus, ConditionType, HpaState, HpaStatus,
    MetricStatus, MetricValueStatus, TimestampedRecommendation,
};
use super::trace::{
    BindingRule, DecisionTrace, HpaEvent, LimitsTrace, MetricTrace, PassPath, ReconcileOutcome,
    TolerancesTrace,
};
use crate::time::{SimTime, NANOS_PER_SEC};

use ConditionStatus::{False, True};
use ConditionType::{AbleToScale, ScaledToZero, ScalingActive, ScalingLimited};

/// `tolerancesForHpa` (`horizontal.go`): the global tolerance in both directions, overridden
/// per direction by `behavior.*.tolerance` when the `HPAConfigurableTolerance` gate is on.
pub fn tolerances_for_hpa(spec: &HpaSpec, config: &ControllerConfig) -> Tolerances {
    let mut t = Tolerances::uniform(config.tolerance, config.tolerance_form);
    let Some(b) = &spec.behavior else {
        return t;
    };
    if !config.configurable_tolerance {
        return t;
    }
    if let Some(d) = b.scale_down.tolerance {
        t.scale_down = d;
    }
    if let Some(u) = b.scale_up.tolerance {
        t.scale_up = u;
    }
    t
}

/// The mutable parts of one pass (Go mutates a deep copy of the HPA).
struct Pass<'a> {
    spec: &'a HpaSpec,
    config: &'a ControllerConfig,
    now: SimTime,
    conditions: Vec<super::state::Condition>,
    events: Vec<HpaEvent>,
    trace: DecisionTrace,
}

impl Pass<'_> {
    fn set(&mut self, kind: ConditionType, status: ConditionStatus, reason: &str, message: &str) {
        set_condition(
            &mut self.conditions,
            kind,
            status,
            reason,
            message,
            self.now,
        );
    }

    fn warn(&mut self, reason: &str, message: String) {
        self.events.push(HpaEvent::warning(reason, message));
    }

    fn bind(&mut self, condition: &str, reason: &str, message: &str) {
        self.trace.bound_by.push(BindingRule {
            condition: condition.to_string(),
            reason: reason.to_string(),
            message: message.to_string(),
        });
    }
}

/// A condition computed for an invalid metric (`getUnableComputeReplicaCountCondition`).
struct FailedCondition {
    reason: String,
    message: String,
}

/// Runs one pass of the HPA controller for one HPA (`reconcileAutoscaler`, `horizontal.go`).
///
/// `scale` is the target's scale subresource as read this pass, `pods` the pods matching its
/// selector (the pod lister's answer), `metrics` the metrics APIs. The function updates
/// `state` (recommendations, scale-event logs, status) and returns the decision, the events
/// and the trace; it never reads a clock. The caller applies `desired_replicas` to the target
/// when `rescale` is true, and calls again one sync period later.
pub fn reconcile(
    spec: &HpaSpec,
    config: &ControllerConfig,
    state: &mut HpaState,
    scale: &ScaleInfo,
    pods: &[PodInfo],
    metrics: &mut dyn MetricsClient,
    now: SimTime,
) -> ReconcileOutcome {
    let original = state.status.clone();
    let min_replicas = spec.min_replicas;
    let mut pass = Pass {
        spec,
        config,
        now,
        conditions: original.conditions.clone(),
        events: Vec::new(),
        trace: DecisionTrace {
            time: now,
            hpa: spec.key(),
            spec_replicas: scale.spec_replicas,
            status_replicas: scale.status_replicas,
            min_replicas,
            max_replicas: spec.max_replicas,
            path: PassPath::Metrics,
            tolerances: None,
            metrics: Vec::new(),
            invalid_metrics: 0,
            prenormalized: None,
            prenormalized_metric: None,
            stabilization: None,
            limits: None,
            final_replicas: scale.spec_replicas,
            rescale: false,
            rescale_reason: String::new(),
            bound_by: Vec::new(),
            error: None,
        },
    };
    let reference = format!(
        "{}/{}/{}",
        spec.target.kind, spec.namespace, spec.target.name
    );

    // Read the scale subresource.
    let get_error = match parse_group_version(&spec.target.api_version) {
        Err(e) => Some((
            e.clone(),
            format!("invalid API version in scale target reference: {e}"),
        )),
        Ok(()) => scale.faults.get.as_ref().map(|e| {
            (
                e.clone(),
                format!("failed to query scale subresource for {reference}: {e}"),
            )
        }),
    };
    if let Some((cause, error)) = get_error {
        pass.warn("FailedGetScale", cause.clone());
        pass.set(
            AbleToScale,
            False,
            "FailedGetScale",
            &format!("the HPA controller was unable to get the target's current scale: {cause}"),
        );
        pass.trace.path = PassPath::ScaleGetFailed;
        pass.bind("AbleToScale", "FailedGetScale", &cause);
        let status = HpaStatus {
            conditions: pass.conditions.clone(),
            ..original.clone()
        };
        return finish(
            pass,
            state,
            &original,
            status,
            scale.spec_replicas,
            false,
            Some(error),
        );
    }
    pass.set(
        AbleToScale,
        True,
        "SucceededGetScale",
        "the HPA controller was able to get the target's current scale",
    );
    let current = scale.spec_replicas;
    // recordInitialRecommendation: only a nil entry is seeded.
    if state.recommendations.is_none() {
        state.recommendations = Some(vec![TimestampedRecommendation {
            recommendation: current,
            timestamp: now,
        }]);
    }

    let mut desired: i32 = 0;
    let mut rescale_reason = String::new();
    let mut rescale = true;
    let mut statuses: Vec<MetricStatus> = Vec::new();
    let mut ret_err: Option<String> = None;

    let kep2021 = config.zero_replicas_rule == ZeroReplicasRule::ScaledToZeroCondition;
    let gate = config.scale_to_zero;
    let has_obj_or_ext = spec
        .metrics
        .iter()
        .any(|m| matches!(m, MetricSpec::Object { .. } | MetricSpec::External { .. }));
    let scaled_to_zero_cond = gate
        && pass
            .conditions
            .iter()
            .find(|c| c.kind == ScaledToZero)
            .is_some_and(|c| c.status == True);
    let can_scale_from_zero = scaled_to_zero_cond && has_obj_or_ext;

    let mut needs_metrics = true;
    if current == 0 && (kep2021 || min_replicas != 0) {
        // Legacy: disabled iff minReplicas != 0. KEP-2021: shouldComputeMetricsForZeroReplicas.
        let disable = if kep2021 {
            !((min_replicas != 0 && scaled_to_zero_cond) || can_scale_from_zero)
        } else {
            true
        };
        if disable {
            desired = 0;
            rescale = false;
            needs_metrics = false;
            let msg = "scaling is disabled since the replica count of the target is zero";
            pass.set(ScalingActive, False, "ScalingDisabled", msg);
            if kep2021 && !gate {
                remove_condition(&mut pass.conditions, ScaledToZero);
            }
            pass.trace.path = PassPath::ScalingDisabled;
            pass.bind("ScalingActive", "ScalingDisabled", msg);
        }
    } else if current > spec.max_replicas {
        rescale_reason = "Current number of replicas above Spec.MaxReplicas".into();
        desired = spec.max_replicas;
        needs_metrics = false;
        pass.trace.path = PassPath::AboveMaxReplicas;
        pass.bind("range", "AboveMaxReplicas", &rescale_reason);
    } else if current < min_replicas {
        rescale_reason = "Current number of replicas below Spec.MinReplicas".into();
        desired = min_replicas;
        needs_metrics = false;
        pass.trace.path = PassPath::BelowMinReplicas;
        pass.bind("range", "BelowMinReplicas", &rescale_reason);
    }

    if needs_metrics {
        let tolerances = tolerances_for_hpa(spec, config);
        pass.trace.tolerances = Some(TolerancesTrace {
            scale_down: tolerances.scale_down,
            scale_up: tolerances.scale_up,
            form: tolerances.form,
        });
        let (metric_desired, metric_name, sts, err) =
            compute_replicas_for_metrics(&mut pass, scale, pods, metrics, tolerances);
        statuses = sts;
        if err.is_some() && metric_desired == -1 {
            let err = err.unwrap_or_default();
            let status = HpaStatus {
                current_replicas: current,
                desired_replicas: original.desired_replicas,
                last_scale_time: original.last_scale_time,
                current_metrics: statuses,
                conditions: pass.conditions.clone(),
            };
            pass.warn("FailedComputeMetricsReplicas", err.clone());
            pass.trace.path = PassPath::MetricsUnavailable;
            if let Some(c) = pass
                .conditions
                .iter()
                .find(|c| c.kind == ScalingActive)
                .cloned()
            {
                pass.bind("ScalingActive", &c.reason, &c.message);
            }
            let error = format!(
                "failed to compute desired number of replicas based on listed metrics for {reference}: {err}"
            );
            return finish(pass, state, &original, status, current, false, Some(error));
        }
        ret_err = err;
        pass.trace.prenormalized = Some(metric_desired);
        pass.trace.prenormalized_metric = Some(metric_name.clone());

        let mut rescale_metric = String::new();
        if metric_desired > desired {
            desired = metric_desired;
            rescale_metric = metric_name;
        }
        if desired > current {
            rescale_reason = format!("{rescale_metric} above target");
        }
        if desired < current {
            rescale_reason = "All metrics below target".into();
        }
        let recs = state.recommendations.get_or_insert_with(Vec::new);
        desired = match &spec.behavior {
            None => normalize_desired_replicas(&mut pass, recs, current, desired, min_replicas),
            Some(_) => normalize_desired_replicas_with_behaviors(
                &mut pass,
                recs,
                &state.scale_up_events,
                &state.scale_down_events,
                current,
                desired,
                min_replicas,
            ),
        };
        // KEP-2021: scaling from zero with a raised minReplicas goes to at least min.
        if kep2021
            && current == 0
            && min_replicas != 0
            && scaled_to_zero_cond
            && desired < min_replicas
        {
            desired = min_replicas;
            if rescale_reason.is_empty() {
                rescale_reason = "Current number of replicas below Spec.MinReplicas".into();
            }
            pass.bind(
                "range",
                "BelowMinReplicas",
                "scaling from zero raises to minReplicas",
            );
        }
        rescale = desired != current;
    }

    let mut last_scale_time = original.last_scale_time;
    if rescale {
        if let Some(e) = &scale.faults.update {
            pass.warn(
                "FailedRescale",
                format!("New size: {desired}; reason: {rescale_reason}; error: {e}"),
            );
            pass.set(
                AbleToScale,
                False,
                "FailedUpdateScale",
                &format!("the HPA controller was unable to update the target scale: {e}"),
            );
            pass.trace.rescale_reason = rescale_reason;
            let status = HpaStatus {
                current_replicas: current,
                desired_replicas: original.desired_replicas,
                last_scale_time: original.last_scale_time,
                current_metrics: statuses,
                conditions: pass.conditions.clone(),
            };
            let error = format!("failed to rescale {reference}: {e}");
            return finish(pass, state, &original, status, current, false, Some(error));
        }
        pass.set(
            AbleToScale,
            True,
            "SucceededRescale",
            &format!("the HPA controller was able to update the target scale to {desired}"),
        );
        pass.events.push(HpaEvent::normal(
            "SuccessfulRescale",
            format!("New size: {desired}; reason: {rescale_reason}"),
        ));
        let behavior = spec.behavior.as_ref().map(|b| (&b.scale_up, &b.scale_down));
        store_scale_event(
            behavior,
            &mut state.scale_up_events,
            &mut state.scale_down_events,
            current,
            desired,
            now,
        );
        if kep2021 {
            if gate {
                if current > 0 && desired == 0 && min_replicas == 0 && has_obj_or_ext {
                    pass.set(
                        ScaledToZero,
                        True,
                        "ScaledToZero",
                        "the HPA controller scaled the workload to zero",
                    );
                } else {
                    pass.set(
                        ScaledToZero,
                        False,
                        "NotScaledToZero",
                        "the HPA controller did not scale the workload to zero",
                    );
                }
            } else {
                remove_condition(&mut pass.conditions, ScaledToZero);
            }
        }
        last_scale_time = Some(now);
    } else {
        desired = current;
    }
    pass.trace.rescale_reason = rescale_reason;
    let status = HpaStatus {
        current_replicas: current,
        desired_replicas: desired,
        last_scale_time,
        current_metrics: statuses,
        conditions: pass.conditions.clone(),
    };
    finish(pass, state, &original, status, desired, rescale, ret_err)
}

/// `setStatus` + `updateStatusIfNeeded` (`horizontal.go`): stores the rebuilt status and
/// reports whether it differs from the one before the pass (a write upstream).
fn finish(
    mut pass: Pass<'_>,
    state: &mut HpaState,
    original: &HpaStatus,
    status: HpaStatus,
    desired: i32,
    rescale: bool,
    error: Option<String>,
) -> ReconcileOutcome {
    pass.trace.final_replicas = desired;
    pass.trace.rescale = rescale;
    pass.trace.error = error.clone();
    let status_changed = status != *original;
    state.status = status.clone();
    ReconcileOutcome {
        desired_replicas: desired,
        rescale,
        events: pass.events,
        status,
        status_changed,
        error,
        trace: pass.trace,
    }
}

/// `schema.ParseGroupVersion`: `""`, `v1` or `group/version`.
fn parse_group_version(gv: &str) -> Result<(), String> {
    if gv.matches('/').count() > 1 {
        return Err(format!("unexpected GroupVersion string: {gv}"));
    }
    Ok(())
}

/// `normalizeDesiredReplicas` (legacy path, `behavior` unset).
fn normalize_desired_replicas(
    pass: &mut Pass<'_>,
    recs: &mut Vec<TimestampedRecommendation>,
    current: i32,
    prenormalized: i32,
    min_replicas: i32,
) -> i32 {
    let (stabilized, strace) = stabilize_recommendation(
        recs,
        prenormalized,
        pass.config.downscale_stabilization,
        pass.now,
    );
    pass.trace.stabilization = Some(strace);
    if stabilized != prenormalized {
        let msg = "recent recommendations were higher than current one, applying the highest recent recommendation";
        pass.set(AbleToScale, True, "ScaleDownStabilized", msg);
        pass.bind("AbleToScale", "ScaleDownStabilized", msg);
    } else {
        pass.set(
            AbleToScale,
            True,
            "ReadyForNewScale",
            "recommended size matches current size",
        );
    }
    let max = pass.spec.max_replicas;
    let (desired, reason, message) = convert_desired_replicas_with_rules(
        current,
        stabilized,
        min_replicas,
        max,
        pass.config.scale_up_limit_factor,
        pass.config.scale_up_limit_minimum,
    );
    let direction = match stabilized.cmp(&current) {
        std::cmp::Ordering::Greater => "up",
        std::cmp::Ordering::Less => "down",
        std::cmp::Ordering::Equal => "none",
    };
    pass.trace.limits = Some(LimitsTrace {
        mode: "legacy".into(),
        direction: direction.into(),
        select_policy: None,
        policies: Vec::new(),
        rate_limit: Some(calculate_scale_up_limit(
            current,
            pass.config.scale_up_limit_factor,
            pass.config.scale_up_limit_minimum,
        )),
        min_replicas,
        max_replicas: max,
        input: stabilized,
        output: desired,
        reason: reason.into(),
        message: message.into(),
    });
    if desired == stabilized {
        pass.set(ScalingLimited, False, reason, message);
    } else {
        pass.set(ScalingLimited, True, reason, message);
        pass.bind("ScalingLimited", reason, message);
    }
    desired
}

/// `normalizeDesiredReplicasWithBehaviors` (behavior path): stabilize, then rate limits and
/// min/max. `maybeInitScaleDownStabilizationWindow` fills an unset scale-down window from
/// the controller flag (whole seconds).
#[allow(clippy::too_many_arguments)]
fn normalize_desired_replicas_with_behaviors(
    pass: &mut Pass<'_>,
    recs: &mut Vec<TimestampedRecommendation>,
    up_events: &[super::state::ScaleEvent],
    down_events: &[super::state::ScaleEvent],
    current: i32,
    prenormalized: i32,
    min_replicas: i32,
) -> i32 {
    let behavior = pass.spec.behavior.as_ref().expect("behavior path");
    let mut scale_down = behavior.scale_down.clone();
    if scale_down.stabilization_window_seconds.is_none() {
        scale_down.stabilization_window_seconds =
            Some((pass.config.downscale_stabilization.0 / NANOS_PER_SEC) as i32);
    }
    let mut args = NormalizationArg {
        scale_up: &behavior.scale_up,
        scale_down: &scale_down,
        min_replicas,
        max_replicas: pass.spec.max_replicas,
        current_replicas: current,
        desired_replicas: prenormalized,
    };
    let (stabilized, reason, message, strace) =
        stabilize_recommendation_with_behaviors(recs, &args, pass.now);
    pass.trace.stabilization = Some(strace);
    if stabilized != prenormalized {
        pass.set(AbleToScale, True, reason, message);
        pass.bind("AbleToScale", reason, message);
    } else {
        pass.set(
            AbleToScale,
            True,
            "ReadyForNewScale",
            "recommended size matches current size",
        );
    }
    args.desired_replicas = stabilized;
    let (desired, reason, message, ltrace) =
        convert_desired_replicas_with_behavior_rate(&args, up_events, down_events, pass.now);
    pass.trace.limits = Some(ltrace);
    if desired == stabilized {
        pass.set(ScalingLimited, False, reason, message);
    } else {
        pass.set(ScalingLimited, True, reason, message);
        pass.bind("ScalingLimited", reason, message);
    }
    desired
}

/// `computeReplicasForMetrics`: the maximum over the valid metrics' proposals. Returns
/// `(replicas, metric name, statuses, error)`; `replicas == -1` means nothing usable (all
/// metrics invalid, or some invalid and the rest would scale down, or a selector problem).
fn compute_replicas_for_metrics(
    pass: &mut Pass<'_>,
    scale: &ScaleInfo,
    pods: &[PodInfo],
    metrics: &mut dyn MetricsClient,
    tolerances: Tolerances,
) -> (i32, String, Vec<MetricStatus>, Option<String>) {
    // validateAndParseSelector
    if scale.selector.is_empty() {
        let msg = "selector is required".to_string();
        pass.warn("SelectorRequired", msg.clone());
        pass.set(
            ScalingActive,
            False,
            "InvalidSelector",
            "the HPA target's scale is missing a selector",
        );
        return (-1, String::new(), Vec::new(), Some(msg));
    }
    if let Err(e) = parse_selector(&scale.selector) {
        let msg =
            format!("couldn't convert selector into a corresponding internal selector object: {e}");
        pass.warn("InvalidSelector", msg.clone());
        pass.set(ScalingActive, False, "InvalidSelector", &msg);
        return (-1, String::new(), Vec::new(), Some(msg));
    }
    if scale.selecting_hpas.len() > 1 {
        let msg = if pass.config.master_ambiguous_selector_message {
            let shown: Vec<&str> = scale
                .selecting_hpas
                .iter()
                .take(2)
                .map(String::as_str)
                .collect();
            format!(
                "pods by selector {} are controlled by more than one HPA (e.g. [{}])",
                scale.selector,
                shown.join(" ")
            )
        } else {
            format!(
                "pods by selector {} are controlled by multiple HPAs: [{}]",
                scale.selector,
                scale.selecting_hpas.join(" ")
            )
        };
        pass.warn("AmbiguousSelector", msg.clone());
        pass.set(ScalingActive, False, "AmbiguousSelector", &msg);
        return (-1, String::new(), Vec::new(), Some(msg));
    }

    let spec = pass.spec;
    let calc = ReplicaCalculator::new(pass.config, pods, pass.now);
    let mut statuses = vec![MetricStatus::Empty; spec.metrics.len()];
    let mut replicas: i32 = 0;
    let mut metric = String::new();
    let mut invalid = 0usize;
    let mut first_invalid: Option<(FailedCondition, String)> = None;
    for (i, m) in spec.metrics.iter().enumerate() {
        let target = match m {
            MetricSpec::Resource { target, .. }
            | MetricSpec::ContainerResource { target, .. }
            | MetricSpec::Pods { target, .. }
            | MetricSpec::Object { target, .. }
            | MetricSpec::External { target, .. } => Some(*target),
            MetricSpec::Unknown { .. } => None,
        };
        let mut trace = MetricTrace::new(i, m.type_name(), target);
        let r = compute_replicas_for_metric(
            pass,
            &calc,
            m,
            scale,
            metrics,
            tolerances,
            &mut statuses[i],
            &mut trace,
        );
        match r {
            Err((cond, err)) => {
                trace.error = Some(err.clone());
                if invalid == 0 {
                    first_invalid = Some((cond, err));
                }
                invalid += 1;
            }
            Ok((proposal, name)) => {
                trace.name = name.clone();
                trace.proposal = Some(proposal);
                if replicas == 0 || proposal > replicas {
                    replicas = proposal;
                    metric = name;
                }
            }
        }
        pass.trace.metrics.push(trace);
    }
    pass.trace.invalid_metrics = invalid;
    let invalid_error = first_invalid.as_ref().map(|(_, e)| {
        format!(
            "invalid metrics ({invalid} invalid out of {}), first error is: {e}",
            spec.metrics.len()
        )
    });
    if invalid >= spec.metrics.len() || (invalid > 0 && replicas < scale.spec_replicas) {
        if let Some((cond, _)) = &first_invalid {
            pass.set(ScalingActive, False, &cond.reason, &cond.message);
        }
        return (-1, String::new(), statuses, invalid_error);
    }
    pass.set(
        ScalingActive,
        True,
        "ValidMetricFound",
        &format!("the HPA was able to successfully calculate a replica count from {metric}"),
    );
    (replicas, metric, statuses, invalid_error)
}

/// `getUnableComputeReplicaCountCondition`: records the Warning event now and returns the
/// condition to set if this is the first invalid metric.
fn unable(pass: &mut Pass<'_>, reason: &str, err: &str) -> FailedCondition {
    pass.warn(reason, err.to_string());
    FailedCondition {
        reason: reason.to_string(),
        message: format!("the HPA was unable to compute the replica count: {err}"),
    }
}

type MetricResult = Result<(i32, String), (FailedCondition, String)>;

/// `computeReplicasForMetric` with the `computeStatusFor*Metric` functions.
#[allow(clippy::too_many_arguments)]
fn compute_replicas_for_metric(
    pass: &mut Pass<'_>,
    calc: &ReplicaCalculator<'_>,
    m: &MetricSpec,
    scale: &ScaleInfo,
    metrics: &mut dyn MetricsClient,
    tolerances: Tolerances,
    status: &mut MetricStatus,
    trace: &mut MetricTrace,
) -> MetricResult {
    let ns = pass.spec.namespace.as_str();
    let spec_replicas = scale.spec_replicas;
    let status_replicas = scale.status_replicas;
    let selector = scale.selector.as_str();
    match m {
        MetricSpec::Object {
            described_object,
            metric,
            target,
        } => {
            let wrap = |e: String| format!("failed to get object metric value: {e}");
            if let Some(sel) = &metric.selector {
                if let Err(e) = sel.as_selector_check() {
                    let c = unable(pass, "FailedGetObjectMetric", &e);
                    return Err((c, wrap(e)));
                }
            }
            let sel = metric.selector.as_ref();
            match target {
                MetricTarget::Value(v) => {
                    match calc.get_object_metric_replicas(
                        metrics,
                        spec_replicas,
                        *v,
                        &metric.name,
                        tolerances,
                        ns,
                        described_object,
                        sel,
                        trace,
                    ) {
                        Ok((r, usage, _)) => {
                            *status = MetricStatus::Object {
                                described_object: described_object.clone(),
                                metric: metric.clone(),
                                current: MetricValueStatus {
                                    value: Some(usage),
                                    ..Default::default()
                                },
                            };
                            Ok((
                                r,
                                format!("{} metric {}", described_object.kind, metric.name),
                            ))
                        }
                        Err(e) => {
                            let c = unable(pass, "FailedGetObjectMetric", &e);
                            Err((c, wrap(e)))
                        }
                    }
                }
                MetricTarget::AverageValue(v) => {
                    match calc.get_object_per_pod_metric_replicas(
                        metrics,
                        status_replicas,
                        *v,
                        &metric.name,
                        tolerances,
                        ns,
                        described_object,
                        sel,
                        trace,
                    ) {
                        Ok((r, usage, _)) => {
                            *status = MetricStatus::Object {
                                described_object: described_object.clone(),
                                metric: metric.clone(),
                                current: MetricValueStatus {
                                    average_value: Some(usage),
                                    ..Default::default()
                                },
                            };
                            // Upstream names this "external metric" (sic).
                            Ok((
                                r,
                                format!(
                                    "external metric {}({})",
                                    metric.name,
                                    go_selector_string(metric.selector.as_ref())
                                ),
                            ))
                        }
                        Err(e) => {
                            let c = unable(pass, "FailedGetObjectMetric", &e);
                            Err((
                                c,
                                wrap(format!("failed to get {} object metric: {e}", metric.name)),
                            ))
                        }
                    }
                }
                MetricTarget::Utilization(_) => {
                    let e = "invalid object metric source: neither a value target nor an average value target was set".to_string();
                    let c = unable(pass, "FailedGetObjectMetric", &e);
                    Err((c, wrap(e)))
                }
            }
        }
        MetricSpec::Pods { metric, target } => {
            let wrap = |e: String| format!("failed to get pods metric value: {e}");
            if let Some(sel) = &metric.selector {
                if let Err(e) = sel.as_selector_check() {
                    let c = unable(pass, "FailedGetPodsMetric", &e);
                    return Err((c, wrap(e)));
                }
            }
            let MetricTarget::AverageValue(v) = target else {
                // Upstream dereferences target.averageValue unconditionally (the API server
                // guarantees it); report instead of crashing.
                let e =
                    "invalid pods metric source: the target must be an average value".to_string();
                let c = unable(pass, "FailedGetPodsMetric", &e);
                return Err((c, wrap(e)));
            };
            match calc.get_metric_replicas(
                metrics,
                spec_replicas,
                *v,
                &metric.name,
                tolerances,
                ns,
                selector,
                metric.selector.as_ref(),
                trace,
            ) {
                Ok((r, usage, _)) => {
                    *status = MetricStatus::Pods {
                        metric: metric.clone(),
                        current: MetricValueStatus {
                            average_value: Some(usage),
                            ..Default::default()
                        },
                    };
                    Ok((r, format!("pods metric {}", metric.name)))
                }
                Err(e) => {
                    let c = unable(pass, "FailedGetPodsMetric", &e);
                    Err((c, wrap(e)))
                }
            }
        }
        MetricSpec::Resource { name, target }
        | MetricSpec::ContainerResource { name, target, .. } => {
            let (container, reason) = match m {
                MetricSpec::ContainerResource { container, .. } => {
                    (container.as_str(), "FailedGetContainerResourceMetric")
                }
                _ => ("", "FailedGetResourceMetric"),
            };
            let generic = resource_metric_generic(
                calc,
                metrics,
                spec_replicas,
                *target,
                name,
                container,
                ns,
                selector,
                tolerances,
                trace,
            );
            match generic {
                Ok((r, metric_name, current)) => {
                    *status = if container.is_empty() {
                        MetricStatus::Resource {
                            name: name.clone(),
                            current,
                        }
                    } else {
                        MetricStatus::ContainerResource {
                            name: name.clone(),
                            container: container.to_string(),
                            current,
                        }
                    };
                    Ok((r, metric_name))
                }
                Err(e) => {
                    let c = unable(pass, reason, &e);
                    let outer = if container.is_empty() {
                        format!("failed to get {name} resource metric value: {e}")
                    } else {
                        format!("failed to get {container} container metric value: {e}")
                    };
                    Err((c, outer))
                }
            }
        }
        MetricSpec::External { metric, target } => {
            let wrap =
                |e: String| format!("failed to get {} external metric value: {e}", metric.name);
            let sel = metric.selector.as_ref();
            let name = format!(
                "external metric {}({})",
                metric.name,
                go_selector_string(sel)
            );
            let current_of = |v: MetricValueStatus| MetricStatus::External {
                metric: metric.clone(),
                current: v,
            };
            match target {
                MetricTarget::AverageValue(v) => match calc.get_external_per_pod_metric_replicas(
                    metrics,
                    status_replicas,
                    *v,
                    &metric.name,
                    tolerances,
                    ns,
                    sel,
                    trace,
                ) {
                    Ok((r, usage, _)) => {
                        *status = current_of(MetricValueStatus {
                            average_value: Some(usage),
                            ..Default::default()
                        });
                        Ok((r, name))
                    }
                    Err(e) => {
                        let c = unable(pass, "FailedGetExternalMetric", &e);
                        Err((
                            c,
                            wrap(format!(
                                "failed to get {} external metric: {e}",
                                metric.name
                            )),
                        ))
                    }
                },
                MetricTarget::Value(v) => match calc.get_external_metric_replicas(
                    metrics,
                    spec_replicas,
                    *v,
                    &metric.name,
                    tolerances,
                    ns,
                    sel,
                    trace,
                ) {
                    Ok((r, usage, _)) => {
                        *status = current_of(MetricValueStatus {
                            value: Some(usage),
                            ..Default::default()
                        });
                        Ok((r, name))
                    }
                    Err(e) => {
                        let c = unable(pass, "FailedGetExternalMetric", &e);
                        Err((
                            c,
                            wrap(format!(
                                "failed to get external metric {}: {e}",
                                metric.name
                            )),
                        ))
                    }
                },
                MetricTarget::Utilization(_) => {
                    let e = "invalid external metric source: neither a value target nor an average value target was set".to_string();
                    let c = unable(pass, "FailedGetExternalMetric", &e);
                    Err((c, wrap(e)))
                }
            }
        }
        MetricSpec::Unknown { type_name } => {
            let e = format!("unknown metric source type {type_name:?}");
            let c = unable(pass, "InvalidMetricSourceType", &e);
            Err((c, e))
        }
    }
}

/// `computeStatusForResourceMetricGeneric`: Resource and ContainerResource metrics.
#[allow(clippy::too_many_arguments)]
fn resource_metric_generic(
    calc: &ReplicaCalculator<'_>,
    metrics: &mut dyn MetricsClient,
    current_replicas: i32,
    target: MetricTarget,
    resource: &str,
    container: &str,
    namespace: &str,
    selector: &str,
    tolerances: Tolerances,
    trace: &mut MetricTrace,
) -> Result<(i32, String, MetricValueStatus), String> {
    match target {
        MetricTarget::AverageValue(v) => {
            let (r, raw, _) = calc
                .get_raw_resource_replicas(
                    metrics,
                    current_replicas,
                    v,
                    resource,
                    tolerances,
                    namespace,
                    selector,
                    container,
                    trace,
                )
                .map_err(|e| format!("failed to get {resource} usage: {e}"))?;
            Ok((
                r,
                format!("{resource} resource"),
                MetricValueStatus {
                    average_value: Some(raw),
                    ..Default::default()
                },
            ))
        }
        MetricTarget::Utilization(u) => {
            let rr = calc
                .get_resource_replicas(
                    metrics,
                    current_replicas,
                    u,
                    resource,
                    tolerances,
                    namespace,
                    selector,
                    container,
                    trace,
                )
                .map_err(|e| format!("failed to get {resource} utilization: {e}"))?;
            let name = if container.is_empty() {
                format!("{resource} resource utilization (percentage of request)")
            } else {
                format!("{resource} container resource utilization (percentage of request)")
            };
            Ok((
                rr.replicas,
                name,
                MetricValueStatus {
                    average_utilization: Some(rr.utilization),
                    average_value: Some(rr.raw_utilization),
                    value: None,
                },
            ))
        }
        MetricTarget::Value(_) => Err(
            "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set"
                .to_string(),
        ),
    }
}
