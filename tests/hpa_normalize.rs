//! Normalization, stabilization and the scale-event log, ported as data from upstream.
//!
//! Source: kubernetes/kubernetes `pkg/controller/podautoscaler/horizontal_test.go` at master,
//! read through the fork omerap12/kubernetes @ 060da1681551ba64d82dad3c8d4246ab81760d4d
//! (2026): `TestConvertDesiredReplicasWithRules`, `TestCalculateScaleUpLimitWithScalingRules`,
//! `TestCalculateScaleDownLimitWithBehaviors`, `TestNormalizeDesiredReplicas`,
//! `TestScalingWithRules`, `TestStoreScaleEvents`, `TestNormalizeDesiredReplicasWithBehavior`.
//! These functions are identical in v1.30 through master. Upstream runs with
//! `scaleUpLimitFactor = 8` (set in the test file's `init()`).
//!
//! Upstream builds timestamps from `time.Now()` and the code under test reads `time.Now()`
//! again a few microseconds later; here one instant `NOW` is used for both. No case sits on an
//! exact window boundary, so the results are the same.

use scalesim::hpa::normalize::*;
use scalesim::hpa::spec::PartialScalingRules;
use scalesim::hpa::*;
use scalesim::time::{SimTime, NANOS_PER_SEC};

const NOW: SimTime = SimTime(100_000 * NANOS_PER_SEC);
const FACTOR: f64 = 8.0;
const MINIMUM: f64 = 4.0;

fn ago(secs: f64) -> SimTime {
    SimTime(NOW.0 - (secs * NANOS_PER_SEC as f64) as u64)
}

fn rec(r: i32, secs_ago: f64) -> TimestampedRecommendation {
    TimestampedRecommendation {
        recommendation: r,
        timestamp: ago(secs_ago),
    }
}

/// `generateScalingRules(pods, podsPeriod, percent, percentPeriod, window)` of the upstream
/// test: select Max, a Pods and/or Percent policy (zero values omit the policy).
fn rules(
    pods: i32,
    pods_period: i32,
    percent: i32,
    percent_period: i32,
    window: i32,
) -> PartialScalingRules {
    let mut policies = Vec::new();
    if pods != 0 {
        policies.push(ScalingPolicy::pods(pods, pods_period));
    }
    if percent != 0 {
        policies.push(ScalingPolicy::percent(percent, percent_period));
    }
    PartialScalingRules {
        stabilization_window_seconds: Some(window),
        select_policy: Some(SelectPolicy::Max),
        policies: if policies.is_empty() {
            None
        } else {
            Some(policies)
        },
        tolerance: None,
    }
}

/// `generateEventsUniformDistribution`: events spread over the last `period` seconds, each in
/// the centre of its segment (Go converts the float boundary to a Duration, truncating).
fn uniform(raw: &[i32], period: i32) -> Vec<ScaleEvent> {
    let seg = period as f64 / raw.len() as f64;
    raw.iter()
        .enumerate()
        .map(|(i, r)| {
            let boundary = (period as f64 - seg * (i + 1) as f64 + seg / 2.0).trunc();
            ScaleEvent {
                replica_change: *r,
                timestamp: ago(boundary),
                outdated: false,
            }
        })
        .collect()
}

#[test]
fn convert_desired_replicas_with_rules_upstream_cases() {
    // (current, desired, min, max, expected, condition, name)
    let cases = [
        (
            5,
            7,
            3,
            8,
            7,
            "DesiredWithinRange",
            "prenormalized desired replicas within range",
        ),
        (
            3,
            1,
            2,
            8,
            2,
            "TooFewReplicas",
            "prenormalized desired replicas < minReplicas",
        ),
        (
            1,
            0,
            0,
            10,
            0,
            "DesiredWithinRange",
            "prenormalized desired zeroed replicas within range",
        ),
        (
            20,
            1000,
            1,
            10,
            10,
            "TooManyReplicas",
            "maxReplicas is the limit because maxReplicas < scaleUpLimit",
        ),
        (
            3,
            1000,
            1,
            2000,
            calculate_scale_up_limit(3, FACTOR, MINIMUM),
            "ScaleUpLimit",
            "scaleUpLimit is the limit because scaleUpLimit < maxReplicas",
        ),
    ];
    for (cur, des, min, max, exp, cond, name) in cases {
        let (r, c, _) = convert_desired_replicas_with_rules(cur, des, min, max, FACTOR, MINIMUM);
        assert_eq!(
            (r, c),
            (exp, cond),
            "TestConvertDesiredReplicasWithRules/{name}"
        );
    }
    assert_eq!(calculate_scale_up_limit(3, FACTOR, MINIMUM), 24);
    assert_eq!(
        calculate_scale_up_limit(3, 2.0, 4.0),
        6,
        "production factor"
    );
    assert_eq!(
        calculate_scale_up_limit(1, 2.0, 4.0),
        4,
        "production minimum"
    );
}

#[test]
fn calculate_scale_limits_with_min_select_policy() {
    let r = generate_scale_up_rules(Some(&PartialScalingRules {
        stabilization_window_seconds: Some(300),
        select_policy: Some(SelectPolicy::Min),
        policies: Some(vec![
            ScalingPolicy::pods(2, 60),
            ScalingPolicy::percent(50, 60),
        ]),
        tolerance: None,
    }));
    assert_eq!(
        calculate_scale_up_limit_with_scaling_rules(1, &[], &[], &r, NOW),
        2,
        "TestCalculateScaleUpLimitWithScalingRules"
    );
    assert_eq!(
        calculate_scale_down_limit_with_behaviors(5, &[], &[], &r, NOW),
        3,
        "TestCalculateScaleDownLimitWithBehaviors"
    );
}

#[test]
fn normalize_desired_replicas_legacy_stabilization() {
    // (name, recommendations, prenormalized, expected stabilized, expected log length)
    let cases: Vec<(&str, Vec<TimestampedRecommendation>, i32, i32, usize)> = vec![
        ("empty log", vec![], 5, 5, 1),
        ("stabilize", vec![rec(4, 120.0), rec(5, 60.0)], 3, 5, 3),
        ("no stabilize", vec![rec(1, 120.0), rec(2, 60.0)], 3, 3, 3),
        (
            "no stabilize - old recommendations",
            vec![rec(10, 600.0), rec(9, 540.0)],
            3,
            3,
            2,
        ),
        (
            "stabilize - old recommendations",
            vec![rec(10, 600.0), rec(4, 60.0), rec(5, 120.0), rec(9, 540.0)],
            3,
            5,
            4,
        ),
    ];
    for (name, mut recs, pre, exp, len) in cases {
        let (r, _) =
            stabilize_recommendation(&mut recs, pre, scalesim::time::Dur::from_secs(300), NOW);
        assert_eq!(r, exp, "TestNormalizeDesiredReplicas/{name}");
        assert_eq!(
            recs.len(),
            len,
            "TestNormalizeDesiredReplicas/{name}: log length"
        );
    }
}

#[test]
fn legacy_window_is_inclusive_at_the_exact_boundary() {
    // age == window counts as inside for the legacy path (only `Before(cutoff)` is old).
    let mut recs = vec![rec(9, 300.0)];
    let (r, _) = stabilize_recommendation(&mut recs, 2, scalesim::time::Dur::from_secs(300), NOW);
    assert_eq!(r, 9);
    assert_eq!(recs.len(), 2, "not replaced");
}

struct RuleCase {
    name: &'static str,
    up_events: Vec<ScaleEvent>,
    down_events: Vec<ScaleEvent>,
    min: i32,
    max: i32,
    up: Option<PartialScalingRules>,
    down: Option<PartialScalingRules>,
    current: i32,
    prenormalized: i32,
    expected: i32,
    condition: &'static str,
}

fn rc(
    name: &'static str,
    current: i32,
    pre: i32,
    min: i32,
    max: i32,
    expected: i32,
    condition: &'static str,
) -> RuleCase {
    RuleCase {
        name,
        up_events: vec![],
        down_events: vec![],
        min,
        max,
        up: None,
        down: None,
        current,
        prenormalized: pre,
        expected,
        condition,
    }
}

impl RuleCase {
    fn up(mut self, r: PartialScalingRules) -> Self {
        self.up = Some(r);
        self
    }
    fn down(mut self, r: PartialScalingRules) -> Self {
        self.down = Some(r);
        self
    }
    fn up_events(mut self, e: Vec<ScaleEvent>) -> Self {
        self.up_events = e;
        self
    }
    fn down_events(mut self, e: Vec<ScaleEvent>) -> Self {
        self.down_events = e;
        self
    }
}

#[test]
fn scaling_with_rules_upstream_cases() {
    let cases = vec![
        rc("prenormalized desired replicas within range", 5, 7, 3, 8, 7, "DesiredWithinRange"),
        rc("prenormalized desired replicas < minReplicas", 3, 1, 2, 8, 2, "TooFewReplicas"),
        rc("prenormalized desired replicas within range when minReplicas is 0", 1, 0, 0, 10, 0, "DesiredWithinRange"),
        rc("maxReplicas is the limit because maxReplicas < scaleUpLimit", 20, 1000, 1, 10, 10, "TooManyReplicas"),
        rc("desired replica count is more than the maximum replica count", 100, 1000, 100, 150, 150, "TooManyReplicas"),
        rc("scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies", 3, 1000, 1, 2000, 4, "ScaleUpLimit")
            .up(rules(0, 0, 1, 60, 0)),
        rc("scaleUp with default behavior", 10, 50, 1, 1000, 20, "ScaleUpLimit"),
        rc("scaleUp with pods policy larger than percent policy", 10, 500, 1, 1000, 110, "ScaleUpLimit")
            .up(rules(100, 60, 100, 60, 0)),
        rc("scaleUp with percent policy larger than pods policy", 10, 500, 1, 1000, 20, "ScaleUpLimit")
            .up(rules(2, 60, 100, 60, 0)),
        rc("scaleUp with spec MaxReplicas limitation with large pod policy", 10, 50, 1, 1000, 50, "DesiredWithinRange")
            .up(rules(100, 60, 0, 0, 0)),
        rc("scaleUp with spec MaxReplicas limitation with large percent policy", 10, 50, 1, 1000, 50, "DesiredWithinRange")
            .up(rules(10000, 60, 0, 0, 0)),
        rc("scaleUp with pod policy limitation", 10, 50, 1, 1000, 40, "ScaleUpLimit").up(rules(30, 60, 0, 0, 0)),
        rc("scaleUp with percent policy limitation", 10, 50, 1, 1000, 30, "ScaleUpLimit").up(rules(0, 0, 200, 60, 0)),
        rc("scaleDown with percent policy larger than pod policy", 100, 2, 1, 1000, 80, "ScaleDownLimit")
            .down(rules(20, 60, 1, 60, 300)),
        rc("scaleDown with pod policy larger than percent policy", 100, 2, 1, 1000, 98, "ScaleDownLimit")
            .down(rules(2, 60, 1, 60, 300)),
        rc("scaleDown with spec MinReplicas limitation with large pod policy", 10, 0, 1, 1000, 1, "TooFewReplicas")
            .down(rules(100, 60, 0, 0, 300)),
        rc("scaleDown with spec MinReplicas limitation with large percent policy", 10, 2, 5, 1000, 5, "TooFewReplicas")
            .down(rules(0, 0, 100, 60, 300)),
        rc("scaleDown with pod policy limitation", 10, 2, 1, 1000, 5, "ScaleDownLimit").down(rules(5, 60, 0, 0, 300)),
        rc("scaleDown with percent policy limitation", 10, 5, 1, 1000, 5, "DesiredWithinRange")
            .down(rules(0, 0, 50, 60, 300)),
        rc("scaleUp with spec MaxReplicas limitation with large pod policy and events", 100, 500, 1, 200, 200, "TooManyReplicas")
            .up(rules(300, 60, 0, 0, 0))
            .up_events(uniform(&[1, 5, 9], 120)),
        rc("scaleUp with spec MaxReplicas limitation with large percent policy and events", 100, 500, 1, 200, 200, "TooManyReplicas")
            .up(rules(0, 0, 10000, 60, 0))
            .up_events(uniform(&[1, 5, 9], 120)),
        rc(
            "scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events",
            100,
            500,
            1,
            1000,
            100,
            "ScaleUpLimit",
        )
        .up(rules(5, 120, 0, 0, 0))
        .up_events(uniform(&[1, 5, 9], 120)),
        rc("scaleUp with pod policy and previous scale up events", 100, 500, 1, 1000, 235, "ScaleUpLimit")
            .up(rules(150, 120, 0, 0, 0))
            .up_events(uniform(&[1, 5, 9], 120)),
        rc("scaleUp with percent policy and previous scale up events", 100, 500, 1, 1000, 255, "ScaleUpLimit")
            .up(rules(0, 0, 200, 120, 0))
            .up_events(uniform(&[1, 5, 9], 120)),
        rc("scaleUp with percent policy and previous scale up and down events", 6, 24, 1, 1000, 16, "ScaleUpLimit")
            .up(rules(0, 0, 300, 300, 0))
            .up_events(uniform(&[4], 120))
            .down_events(uniform(&[2], 120)),
        rc("scaleDown with default policy and previous events", 10, 5, 1, 1000, 5, "DesiredWithinRange")
            .down_events(uniform(&[1, 5, 9], 120)),
        rc("scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events", 100, 0, 1, 1000, 1, "TooFewReplicas")
            .down(rules(115, 120, 0, 0, 300))
            .down_events(uniform(&[1, 5, 9], 120)),
        rc("scaleDown with spec MinReplicas limitation with large pod policy and previous events", 100, 0, 5, 1000, 5, "TooFewReplicas")
            .down(rules(130, 120, 0, 0, 300))
            .down_events(uniform(&[1, 5, 9], 120)),
        rc("scaleDown with spec MinReplicas limitation with large percent policy and previous events", 100, 2, 5, 1000, 5, "TooFewReplicas")
            .down(rules(0, 0, 100, 120, 300))
            .down_events(uniform(&[1, 5, 9], 120)),
        rc("scaleDown with pod policy limitation and previous events", 100, 2, 1, 1000, 100, "ScaleDownLimit")
            .down(rules(5, 120, 0, 0, 300))
            .down_events(uniform(&[1, 5, 9], 120)),
        rc("scaleDown with percent policy limitation and previous events", 100, 0, 1, 1000, 56, "ScaleDownLimit")
            .down(rules(0, 0, 50, 120, 300))
            .down_events(uniform(&[2, 4, 6], 120)),
        rc("scaleDown with percent policy and previous scale up and down events", 10, 1, 1, 1000, 6, "ScaleDownLimit")
            .down(rules(0, 0, 50, 180, 0))
            .up_events(uniform(&[2], 120))
            .down_events(uniform(&[4], 120)),
        rc("scaleDown with previous events preventing further scale down", 100, 0, 1, 1000, 100, "ScaleDownLimit")
            .down(rules(0, 0, 10, 120, 300))
            .down_events(uniform(&[10, 10, 10], 120)),
        rc("scaleDown with with previous events still allowing more scale down", 10, 5, 1, 1000, 5, "DesiredWithinRange")
            .down(rules(0, 0, 1000, 120, 300))
            .down_events(uniform(&[10, 10, 10], 120)),
        rc("check 'outdated' flag for events for one behavior for up", 100, 200, 1, 1000, 200, "DesiredWithinRange")
            .up(rules(1000, 60, 0, 0, 0))
            .up_events(uniform(&[8, 12, 9, 11], 120)),
        rc(
            "check that events were not marked 'outdated' for two different policies in the behavior for up",
            100,
            200,
            1,
            1000,
            200,
            "DesiredWithinRange",
        )
        .up(rules(1000, 120, 100, 60, 0))
        .up_events(uniform(&[8, 12, 9, 11], 120)),
        rc(
            "check that events were marked 'outdated' for two different policies in the behavior for up",
            100,
            200,
            1,
            1000,
            200,
            "DesiredWithinRange",
        )
        .up(rules(1000, 30, 100, 60, 0))
        .up_events(uniform(&[8, 12, 9, 11], 120)),
        rc("check 'outdated' flag for events for one behavior for down", 100, 5, 1, 1000, 5, "DesiredWithinRange")
            .down(rules(1000, 60, 0, 0, 300))
            .down_events(uniform(&[8, 12, 9, 11], 120)),
        rc(
            "check that events were not marked 'outdated' for two different policies in the behavior for down",
            100,
            5,
            1,
            1000,
            5,
            "DesiredWithinRange",
        )
        .down(rules(1000, 120, 100, 60, 300))
        .down_events(uniform(&[8, 12, 9, 11], 120)),
        rc(
            "check that events were marked 'outdated' for two different policies in the behavior for down",
            100,
            5,
            1,
            1000,
            5,
            "DesiredWithinRange",
        )
        .down(rules(1000, 30, 100, 60, 300))
        .down_events(uniform(&[8, 12, 9, 11], 120)),
    ];
    assert_eq!(cases.len(), 40);
    for c in &cases {
        let up = generate_scale_up_rules(c.up.as_ref());
        let down = generate_scale_down_rules(c.down.as_ref());
        let args = NormalizationArg {
            scale_up: &up,
            scale_down: &down,
            min_replicas: c.min,
            max_replicas: c.max,
            current_replicas: c.current,
            desired_replicas: c.prenormalized,
        };
        let (r, cond, _, trace) =
            convert_desired_replicas_with_behavior_rate(&args, &c.up_events, &c.down_events, NOW);
        assert_eq!(
            (r, cond),
            (c.expected, c.condition),
            "TestScalingWithRules/{}: {trace:#?}",
            c.name
        );
    }
}

#[test]
fn store_scale_events_upstream_cases() {
    let ev = |c: i32, secs_ago: f64, outdated: bool| ScaleEvent {
        replica_change: c,
        timestamp: ago(secs_ago),
        outdated,
    };
    // (name, previous events, rules (None = no behavior), expected (change, outdated), expected change in last 60s)
    #[allow(clippy::type_complexity)]
    let cases: Vec<(
        &str,
        Vec<ScaleEvent>,
        Option<PartialScalingRules>,
        Vec<(i32, bool)>,
        i32,
    )> = vec![
        (
            "empty entries with default behavior",
            vec![],
            None,
            vec![],
            0,
        ),
        (
            "empty entries with two-policy-behavior",
            vec![],
            Some(rules(10, 60, 100, 60, 0)),
            vec![(5, false)],
            0,
        ),
        (
            "one outdated entry to be kept untouched without behavior",
            vec![ev(7, 61.0, false)],
            None,
            vec![(7, false)],
            0,
        ),
        (
            "one outdated entry to be replaced with behavior",
            vec![ev(7, 61.0, false)],
            Some(rules(10, 60, 100, 60, 0)),
            vec![(5, false)],
            0,
        ),
        (
            "one actual entry to be not touched with behavior",
            vec![ev(7, 58.0, false)],
            Some(rules(10, 60, 100, 60, 0)),
            vec![(7, false), (5, false)],
            7,
        ),
        (
            "two entries, one of them to be replaced",
            vec![ev(7, 61.0, false), ev(6, 59.0, false)],
            Some(rules(10, 60, 0, 0, 0)),
            vec![(5, false), (6, false)],
            6,
        ),
        (
            "replace one entry, use policies with different periods",
            vec![
                ev(8, 29.0, false),
                ev(6, 59.0, false),
                ev(7, 61.0, false),
                ev(9, 61.0, false),
            ],
            Some(rules(10, 60, 100, 30, 0)),
            vec![(8, false), (6, false), (7, true), (5, false)],
            14,
        ),
        (
            "two entries, both actual",
            vec![ev(7, 58.0, false), ev(6, 59.0, false)],
            Some(rules(10, 120, 100, 30, 0)),
            vec![(7, false), (6, false), (5, false)],
            13,
        ),
    ];
    for (name, prev, r, expected, change) in cases {
        let rules = r.map(|r| generate_scale_up_rules(Some(&r)));
        for direction_up in [true, false] {
            let (mut up, mut down) = (Vec::new(), Vec::new());
            let log = if direction_up { &mut up } else { &mut down };
            log.extend(prev.iter().copied());
            assert_eq!(
                get_replicas_change_per_period(60, log, NOW),
                change,
                "TestStoreScaleEvents/{name}"
            );
            let new = if direction_up { 15 } else { 5 };
            store_scale_event(
                rules.as_ref().map(|r| (r, r)),
                &mut up,
                &mut down,
                10,
                new,
                NOW,
            );
            let log = if direction_up { &up } else { &down };
            let got: Vec<(i32, bool)> =
                log.iter().map(|e| (e.replica_change, e.outdated)).collect();
            assert_eq!(
                got, expected,
                "TestStoreScaleEvents/{name} (up: {direction_up})"
            );
        }
    }
}

#[test]
fn normalize_desired_replicas_with_behavior_upstream_cases() {
    // (name, recommendations, current, prenormalized, expected, expected stored values, up window, down window)
    #[allow(clippy::type_complexity)]
    let cases: Vec<(
        &str,
        Vec<TimestampedRecommendation>,
        i32,
        i32,
        i32,
        Option<Vec<i32>>,
        i32,
        i32,
    )> = vec![
        (
            "empty recommendations for scaling down",
            vec![],
            100,
            5,
            5,
            Some(vec![5]),
            0,
            0,
        ),
        (
            "simple scale down stabilization",
            vec![rec(4, 120.0), rec(5, 60.0)],
            100,
            3,
            5,
            Some(vec![4, 5, 3]),
            0,
            180,
        ),
        (
            "simple scale up stabilization",
            vec![rec(4, 120.0), rec(5, 60.0)],
            1,
            7,
            4,
            Some(vec![4, 5, 7]),
            300,
            0,
        ),
        (
            "no scale down stabilization",
            vec![rec(1, 120.0), rec(2, 60.0)],
            100,
            3,
            3,
            Some(vec![1, 2, 3]),
            300,
            0,
        ),
        (
            "no scale up stabilization",
            vec![rec(4, 120.0), rec(5, 60.0)],
            1,
            3,
            3,
            Some(vec![4, 5, 3]),
            0,
            300,
        ),
        (
            "no scale down stabilization, reuse recommendation element",
            vec![rec(10, 600.0), rec(9, 540.0)],
            100,
            3,
            3,
            Some(vec![10, 3]),
            0,
            0,
        ),
        (
            "no scale up stabilization, reuse recommendation element",
            vec![rec(10, 600.0), rec(9, 540.0)],
            1,
            100,
            100,
            Some(vec![10, 100]),
            0,
            0,
        ),
        (
            "scale down stabilization, reuse one of obsolete recommendation element",
            vec![rec(10, 600.0), rec(4, 60.0), rec(5, 120.0), rec(9, 540.0)],
            100,
            3,
            5,
            Some(vec![10, 4, 5, 3]),
            0,
            180,
        ),
        (
            "scale up stabilization, reuse one of obsolete recommendation element",
            vec![rec(10, 6000.0), rec(6, 60.0), rec(5, 120.0), rec(9, 180.0)],
            1,
            100,
            5,
            Some(vec![100, 6, 5, 9]),
            300,
            0,
        ),
        (
            "scale up and down stabilization, do not scale up when prenormalized rec goes down",
            vec![rec(2, 6000.0), rec(3, 180.0)],
            2,
            1,
            2,
            None,
            300,
            300,
        ),
        (
            "scale up and down stabilization, do not scale down when prenormalized rec goes up",
            vec![rec(2, 6000.0), rec(1, 180.0)],
            2,
            3,
            2,
            None,
            300,
            300,
        ),
    ];
    for (name, mut recs, current, pre, expected, stored, up_w, down_w) in cases {
        let up = ScalingRules {
            stabilization_window_seconds: Some(up_w),
            ..default_scale_up_rules()
        };
        let down = ScalingRules {
            stabilization_window_seconds: Some(down_w),
            ..default_scale_down_rules()
        };
        let args = NormalizationArg {
            scale_up: &up,
            scale_down: &down,
            min_replicas: 0,
            max_replicas: 0,
            current_replicas: current,
            desired_replicas: pre,
        };
        let (r, _, _, _) = stabilize_recommendation_with_behaviors(&mut recs, &args, NOW);
        assert_eq!(
            r, expected,
            "TestNormalizeDesiredReplicasWithBehavior/{name}"
        );
        if let Some(stored) = stored {
            let got: Vec<i32> = recs.iter().map(|r| r.recommendation).collect();
            assert_eq!(
                got, stored,
                "TestNormalizeDesiredReplicasWithBehavior/{name}: stored"
            );
        }
    }
}

#[test]
fn behavior_windows_and_periods_are_strict_at_the_boundary() {
    // An event exactly one period old no longer counts (`After(now - period)`).
    let e = [ScaleEvent {
        replica_change: 3,
        timestamp: ago(60.0),
        outdated: false,
    }];
    assert_eq!(get_replicas_change_per_period(60, &e, NOW), 0);
    assert_eq!(get_replicas_change_per_period(61, &e, NOW), 3);
    // A recommendation exactly one window old is outside the window.
    let up = default_scale_up_rules();
    let down = ScalingRules {
        stabilization_window_seconds: Some(300),
        ..default_scale_down_rules()
    };
    let args = NormalizationArg {
        scale_up: &up,
        scale_down: &down,
        min_replicas: 1,
        max_replicas: 10,
        current_replicas: 9,
        desired_replicas: 2,
    };
    let mut recs = vec![rec(9, 300.0)];
    let (r, reason, _, _) = stabilize_recommendation_with_behaviors(&mut recs, &args, NOW);
    assert_eq!((r, reason), (2, "ScaleDownStabilized"));
    let mut recs = vec![rec(9, 299.0)];
    assert_eq!(
        stabilize_recommendation_with_behaviors(&mut recs, &args, NOW).0,
        9
    );
}

#[test]
fn percent_scale_down_truncates_and_scale_up_rounds_up() {
    let down = generate_scale_down_rules(Some(&rules(0, 0, 50, 60, 0)));
    assert_eq!(
        calculate_scale_down_limit_with_behaviors(15, &[], &[], &down, NOW),
        7
    );
    let up = generate_scale_up_rules(Some(&rules(0, 0, 10, 60, 0)));
    assert_eq!(
        calculate_scale_up_limit_with_scaling_rules(15, &[], &[], &up, NOW),
        17
    );
    let disabled = ScalingRules {
        select_policy: SelectPolicy::Disabled,
        ..default_scale_up_rules()
    };
    assert_eq!(
        calculate_scale_up_limit_with_scaling_rules(15, &[], &[], &disabled, NOW),
        15
    );
}
