//! Normalization of the metric proposal: stabilization windows, rate limits, min/max, and the
//! scale-event log (`horizontal.go`).
//!
//! Time windows compare like upstream: behavior windows and policy periods are strict
//! (`timestamp.After(now - window)`), the legacy window is inclusive (only entries strictly
//! older than the window are old). Cut-offs are computed as `timestamp + window` versus `now`
//! so that nothing underflows near the scenario start.

use super::spec::{PolicyType, ScalingRules, SelectPolicy};
use super::state::{ScaleEvent, TimestampedRecommendation};
use super::trace::{LimitsTrace, PolicyLimitTrace, StabilizationTrace, WindowEntry};
use crate::time::{Dur, SimTime, NANOS_PER_SEC};

/// `scaleUpLimitFactor`-style rounding: Go's `int32(float64)` truncation, saturating.
fn trunc_i32(x: f64) -> i32 {
    x as i32
}

/// `time.Second * time.Duration(s)`.
fn secs(s: i32) -> Dur {
    Dur((s.max(0) as u64).saturating_mul(NANOS_PER_SEC))
}

/// `t.After(now - window)`: strictly younger than `window`.
fn younger_than(t: SimTime, window: Dur, now: SimTime) -> bool {
    (t.0 as u128) + (window.0 as u128) > now.0 as u128
}

/// `t.Before(now - window)`: strictly older than `window`.
fn older_than(t: SimTime, window: Dur, now: SimTime) -> bool {
    ((t.0 as u128) + (window.0 as u128)) < now.0 as u128
}

/// `stabilizeRecommendation` (legacy path): the max of the pre-normalized value and every
/// recommendation not older than `window` (inclusive). Records `prenormalized` by replacing
/// the *last* entry older than the window, or appending.
pub fn stabilize_recommendation(
    recommendations: &mut Vec<TimestampedRecommendation>,
    prenormalized: i32,
    window: Dur,
    now: SimTime,
) -> (i32, StabilizationTrace) {
    let mut max = prenormalized;
    let mut old_index = None;
    let mut entries = Vec::new();
    for (i, rec) in recommendations.iter().enumerate() {
        let old = older_than(rec.timestamp, window, now);
        entries.push(WindowEntry {
            timestamp: rec.timestamp,
            recommendation: rec.recommendation,
            in_up_window: false,
            in_down_window: !old,
        });
        if old {
            old_index = Some(i);
        } else if rec.recommendation > max {
            max = rec.recommendation;
        }
    }
    let new = TimestampedRecommendation {
        recommendation: prenormalized,
        timestamp: now,
    };
    match old_index {
        Some(i) => recommendations[i] = new,
        None => recommendations.push(new),
    }
    let trace = StabilizationTrace {
        mode: "legacy".into(),
        up_window_seconds: None,
        down_window_seconds: (window.0 / NANOS_PER_SEC) as i64,
        entries,
        up_bound: None,
        down_bound: max,
        stabilized: max,
        replaced_index: old_index,
    };
    (max, trace)
}

/// `calculateScaleUpLimit` (legacy path): `int32(max(factor*current, minimum))`.
pub fn calculate_scale_up_limit(current_replicas: i32, factor: f64, minimum: f64) -> i32 {
    trunc_i32((factor * current_replicas as f64).max(minimum))
}

/// `convertDesiredReplicasWithRules` (legacy path): clamps to `[min, max]` and to the scale-up
/// limit; returns `(replicas, reason, message)` for the ScalingLimited condition.
pub fn convert_desired_replicas_with_rules(
    current_replicas: i32,
    desired_replicas: i32,
    min_replicas: i32,
    max_replicas: i32,
    scale_up_limit_factor: f64,
    scale_up_limit_minimum: f64,
) -> (i32, &'static str, &'static str) {
    let scale_up_limit = calculate_scale_up_limit(
        current_replicas,
        scale_up_limit_factor,
        scale_up_limit_minimum,
    );
    let (max_allowed, cond, msg) = if max_replicas > scale_up_limit {
        (
            scale_up_limit,
            "ScaleUpLimit",
            "the desired replica count is increasing faster than the maximum scale rate",
        )
    } else {
        (
            max_replicas,
            "TooManyReplicas",
            "the desired replica count is more than the maximum replica count",
        )
    };
    if desired_replicas < min_replicas {
        (
            min_replicas,
            "TooFewReplicas",
            "the desired replica count is less than the minimum replica count",
        )
    } else if desired_replicas > max_allowed {
        (max_allowed, cond, msg)
    } else {
        (
            desired_replicas,
            "DesiredWithinRange",
            "the desired count is within the acceptable range",
        )
    }
}

/// `NormalizationArg` (`horizontal.go`): the inputs of the behavior-path normalization.
#[derive(Clone, Debug)]
pub struct NormalizationArg<'a> {
    /// `behavior.scaleUp` (defaulted).
    pub scale_up: &'a ScalingRules,
    /// `behavior.scaleDown` with its window filled (`maybeInitScaleDownStabilizationWindow`).
    pub scale_down: &'a ScalingRules,
    /// `minReplicas`.
    pub min_replicas: i32,
    /// `maxReplicas`.
    pub max_replicas: i32,
    /// Current (`scale.spec.replicas`).
    pub current_replicas: i32,
    /// Desired: the pre-normalized value for stabilization, the stabilized one for the rate.
    pub desired_replicas: i32,
}

/// `stabilizeRecommendationWithBehaviors`: the up bound is the minimum over the scale-up
/// window, the down bound the maximum over the scale-down window (both include this pass's
/// value; windows strict); the result is current clamped into `[up, down]`. Records the
/// pre-normalized value by replacing the last entry older than both windows, or appending.
/// Returns `(stabilized, reason, message, trace)`.
pub fn stabilize_recommendation_with_behaviors(
    recommendations: &mut Vec<TimestampedRecommendation>,
    args: &NormalizationArg<'_>,
    now: SimTime,
) -> (i32, &'static str, &'static str, StabilizationTrace) {
    let up_secs = args.scale_up.stabilization_window_seconds.unwrap_or(0);
    let down_secs = args.scale_down.stabilization_window_seconds.unwrap_or(0);
    let up_window = secs(up_secs);
    let down_window = secs(down_secs);
    let mut up = args.desired_replicas;
    let mut down = args.desired_replicas;
    let mut old_index = None;
    let mut entries = Vec::new();
    for (i, rec) in recommendations.iter().enumerate() {
        let in_up = younger_than(rec.timestamp, up_window, now);
        let in_down = younger_than(rec.timestamp, down_window, now);
        if in_up {
            up = up.min(rec.recommendation);
        }
        if in_down {
            down = down.max(rec.recommendation);
        }
        if older_than(rec.timestamp, up_window, now) && older_than(rec.timestamp, down_window, now)
        {
            old_index = Some(i);
        }
        entries.push(WindowEntry {
            timestamp: rec.timestamp,
            recommendation: rec.recommendation,
            in_up_window: in_up,
            in_down_window: in_down,
        });
    }
    let mut recommendation = args.current_replicas;
    if recommendation < up {
        recommendation = up;
    }
    if recommendation > down {
        recommendation = down;
    }
    let new = TimestampedRecommendation {
        recommendation: args.desired_replicas,
        timestamp: now,
    };
    match old_index {
        Some(i) => recommendations[i] = new,
        None => recommendations.push(new),
    }
    let (reason, message) = if args.desired_replicas >= args.current_replicas {
        (
            "ScaleUpStabilized",
            "recent recommendations were lower than current one, applying the lowest recent recommendation",
        )
    } else {
        (
            "ScaleDownStabilized",
            "recent recommendations were higher than current one, applying the highest recent recommendation",
        )
    };
    let trace = StabilizationTrace {
        mode: "behavior".into(),
        up_window_seconds: Some(up_secs as i64),
        down_window_seconds: down_secs as i64,
        entries,
        up_bound: Some(up),
        down_bound: down,
        stabilized: recommendation,
        replaced_index: old_index,
    };
    (recommendation, reason, message, trace)
}

/// `getReplicasChangePerPeriod`: the sum of `replicaChange` over events strictly younger
/// than `period_seconds` (the `outdated` flag is not consulted).
pub fn get_replicas_change_per_period(
    period_seconds: i32,
    events: &[ScaleEvent],
    now: SimTime,
) -> i32 {
    let period = secs(period_seconds);
    events
        .iter()
        .filter(|e| younger_than(e.timestamp, period, now))
        .fold(0i32, |acc, e| acc.wrapping_add(e.replica_change))
}

/// The policy loop shared by `calculateScaleUpLimitWithScalingRules` and
/// `calculateScaleDownLimitWithBehaviors`: per policy, the replicas at the start of the period
/// (`current - added + removed`, from both event logs) and its limit; `selectPolicy` picks one.
fn policy_limits(
    current_replicas: i32,
    up_events: &[ScaleEvent],
    down_events: &[ScaleEvent],
    rules: &ScalingRules,
    now: SimTime,
    scale_up: bool,
) -> (i32, Vec<PolicyLimitTrace>) {
    // Scale up: Min select picks the smallest limit; scale down: Min select picks the largest.
    let pick_min = (rules.select_policy == SelectPolicy::Min) == scale_up;
    let mut result = if pick_min { i32::MAX } else { i32::MIN };
    let mut traces = Vec::new();
    for p in &rules.policies {
        let added = get_replicas_change_per_period(p.period_seconds, up_events, now);
        let deleted = get_replicas_change_per_period(p.period_seconds, down_events, now);
        let start = current_replicas.wrapping_sub(added).wrapping_add(deleted);
        let proposed = match (p.kind, scale_up) {
            (PolicyType::Pods, true) => start.wrapping_add(p.value),
            (PolicyType::Percent, true) => {
                // Rounded up, or a small percentage would never add a pod.
                (start as f64 * (1.0 + p.value as f64 / 100.0)).ceil() as i32
            }
            (PolicyType::Pods, false) => start.wrapping_sub(p.value),
            (PolicyType::Percent, false) => {
                trunc_i32(start as f64 * (1.0 - p.value as f64 / 100.0))
            }
        };
        result = if pick_min {
            result.min(proposed)
        } else {
            result.max(proposed)
        };
        traces.push(PolicyLimitTrace {
            kind: p.kind,
            value: p.value,
            period_seconds: p.period_seconds,
            replicas_added_in_period: added,
            replicas_removed_in_period: deleted,
            period_start_replicas: start,
            proposed_limit: proposed,
            selected: false,
        });
    }
    if let Some(t) = traces.iter_mut().find(|t| t.proposed_limit == result) {
        t.selected = true;
    }
    (result, traces)
}

/// `calculateScaleUpLimitWithScalingRules`: the highest count the scale-up policies allow,
/// with period starts reconstructed from both event logs.
pub fn calculate_scale_up_limit_with_scaling_rules(
    current_replicas: i32,
    up_events: &[ScaleEvent],
    down_events: &[ScaleEvent],
    rules: &ScalingRules,
    now: SimTime,
) -> i32 {
    if rules.select_policy == SelectPolicy::Disabled {
        return current_replicas;
    }
    policy_limits(current_replicas, up_events, down_events, rules, now, true).0
}

/// `calculateScaleDownLimitWithBehaviors`: the lowest count the scale-down policies allow
/// (Percent truncates toward zero).
pub fn calculate_scale_down_limit_with_behaviors(
    current_replicas: i32,
    up_events: &[ScaleEvent],
    down_events: &[ScaleEvent],
    rules: &ScalingRules,
    now: SimTime,
) -> i32 {
    if rules.select_policy == SelectPolicy::Disabled {
        return current_replicas;
    }
    policy_limits(current_replicas, up_events, down_events, rules, now, false).0
}

/// `convertDesiredReplicasWithBehaviorRate`: applies the rate limit of the direction and the
/// min/max; returns `(replicas, reason, message, trace)`. No clamp when desired == current.
pub fn convert_desired_replicas_with_behavior_rate(
    args: &NormalizationArg<'_>,
    up_events: &[ScaleEvent],
    down_events: &[ScaleEvent],
    now: SimTime,
) -> (i32, &'static str, &'static str, LimitsTrace) {
    let mut trace = LimitsTrace {
        mode: "behavior".into(),
        direction: "none".into(),
        select_policy: None,
        policies: Vec::new(),
        rate_limit: None,
        min_replicas: args.min_replicas,
        max_replicas: args.max_replicas,
        input: args.desired_replicas,
        output: args.desired_replicas,
        reason: String::new(),
        message: String::new(),
    };
    let mut result: Option<(i32, &'static str, &'static str)> = None;
    if args.desired_replicas > args.current_replicas {
        trace.direction = "up".into();
        trace.select_policy = Some(args.scale_up.select_policy);
        let mut limit = if args.scale_up.select_policy == SelectPolicy::Disabled {
            args.current_replicas
        } else {
            let (l, t) = policy_limits(
                args.current_replicas,
                up_events,
                down_events,
                args.scale_up,
                now,
                true,
            );
            trace.policies = t;
            l
        };
        if limit < args.current_replicas {
            limit = args.current_replicas;
        }
        trace.rate_limit = Some(limit);
        let (max_allowed, reason, msg) = if args.max_replicas > limit {
            (
                limit,
                "ScaleUpLimit",
                "the desired replica count is increasing faster than the maximum scale rate",
            )
        } else {
            (
                args.max_replicas,
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count",
            )
        };
        if args.desired_replicas > max_allowed {
            result = Some((max_allowed, reason, msg));
        }
    } else if args.desired_replicas < args.current_replicas {
        trace.direction = "down".into();
        trace.select_policy = Some(args.scale_down.select_policy);
        let mut limit = if args.scale_down.select_policy == SelectPolicy::Disabled {
            args.current_replicas
        } else {
            let (l, t) = policy_limits(
                args.current_replicas,
                up_events,
                down_events,
                args.scale_down,
                now,
                false,
            );
            trace.policies = t;
            l
        };
        if limit > args.current_replicas {
            limit = args.current_replicas;
        }
        trace.rate_limit = Some(limit);
        let (min_allowed, reason, msg) = if args.min_replicas < limit {
            (
                limit,
                "ScaleDownLimit",
                "the desired replica count is decreasing faster than the maximum scale rate",
            )
        } else {
            (
                args.min_replicas,
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count",
            )
        };
        if args.desired_replicas < min_allowed {
            result = Some((min_allowed, reason, msg));
        }
    }
    let (out, reason, msg) = result.unwrap_or((
        args.desired_replicas,
        "DesiredWithinRange",
        "the desired count is within the acceptable range",
    ));
    trace.output = out;
    trace.reason = reason.into();
    trace.message = msg.into();
    (out, reason, msg, trace)
}

/// `getLongestPolicyPeriod`.
pub fn get_longest_policy_period(rules: &ScalingRules) -> i32 {
    rules
        .policies
        .iter()
        .map(|p| p.period_seconds)
        .fold(0, i32::max)
}

/// `markScaleEventsOutdated`: flags (stickily) every event strictly older than the longest
/// policy period.
pub fn mark_scale_events_outdated(
    events: &mut [ScaleEvent],
    longest_policy_period: i32,
    now: SimTime,
) {
    let period = secs(longest_policy_period);
    for e in events.iter_mut() {
        if older_than(e.timestamp, period, now) {
            e.outdated = true;
        }
    }
}

/// `storeScaleEvent`: for an HPA with behavior, logs `|new - prev|` in the direction's log,
/// reusing the last outdated slot or appending. Nothing is stored without behavior.
pub fn store_scale_event(
    behavior: Option<(&ScalingRules, &ScalingRules)>,
    up_events: &mut Vec<ScaleEvent>,
    down_events: &mut Vec<ScaleEvent>,
    prev_replicas: i32,
    new_replicas: i32,
    now: SimTime,
) {
    let Some((scale_up, scale_down)) = behavior else {
        return;
    };
    let (events, rules, change) = if new_replicas > prev_replicas {
        (
            up_events,
            scale_up,
            new_replicas.wrapping_sub(prev_replicas),
        )
    } else {
        (
            down_events,
            scale_down,
            prev_replicas.wrapping_sub(new_replicas),
        )
    };
    mark_scale_events_outdated(events, get_longest_policy_period(rules), now);
    let new = ScaleEvent {
        replica_change: change,
        timestamp: now,
        outdated: false,
    };
    match events.iter().rposition(|e| e.outdated) {
        Some(i) => events[i] = new,
        None => events.push(new),
    }
}
