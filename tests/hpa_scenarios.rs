//! Multi-pass behaviour, release differences, exact texts and invariants of the HPA port
//! (scalesim's own tests; the upstream ports are in `hpa_calc.rs`, `hpa_normalize.rs`,
//! `hpa_reconcile.rs` and `hpa_spec.rs`).

use std::collections::BTreeMap;

use proptest::prelude::*;
use scalesim::hpa::spec::PartialScalingRules;
use scalesim::hpa::*;
use scalesim::time::{Dur, SimTime, NANOS_PER_SEC};

const T0: SimTime = SimTime(10_000 * NANOS_PER_SEC);

fn at(secs: u64) -> SimTime {
    SimTime(T0.0 + secs * NANOS_PER_SEC)
}

/// A metrics client with fixed answers.
#[derive(Clone, Default)]
struct Fixed {
    cpu_per_pod: Option<i64>,
    external: Option<Result<Vec<i64>, String>>,
    sample_time: SimTime,
}

impl MetricsClient for Fixed {
    fn get_resource_metric(
        &mut self,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
    ) -> Result<Vec<PodMetric>, String> {
        let v = self.cpu_per_pod.ok_or("no cpu")?;
        Ok((0..3)
            .map(|i| PodMetric {
                pod: format!("p{i}"),
                value_milli: v,
                timestamp: self.sample_time,
                window: Dur::from_secs(60),
            })
            .collect())
    }
    fn get_raw_metric(
        &mut self,
        _: &str,
        _: &str,
        _: &str,
        _: Option<&LabelSelector>,
    ) -> Result<Vec<PodMetric>, String> {
        Err("no custom metrics".into())
    }
    fn get_object_metric(
        &mut self,
        _: &str,
        _: &str,
        _: &ObjectRef,
        _: Option<&LabelSelector>,
    ) -> Result<(i64, SimTime), String> {
        Err("no custom metrics".into())
    }
    fn get_external_metric(
        &mut self,
        _: &str,
        _: &str,
        _: Option<&LabelSelector>,
    ) -> Result<Vec<i64>, String> {
        self.external
            .clone()
            .unwrap_or_else(|| Err("no external metrics".into()))
    }
}

fn pods(n: usize) -> Vec<PodInfo> {
    (0..n)
        .map(|i| PodInfo::running(&format!("p{i}"), SimTime::ZERO, 1000))
        .collect()
}

fn hpa(min: i32, max: i32, metrics: Vec<MetricSpec>, behavior: Option<Behavior>) -> HpaSpec {
    HpaSpec::new(
        "worker",
        "jobs",
        ObjectRef::new("apps/v1", "Deployment", "worker"),
        min,
        max,
        metrics,
        behavior,
    )
}

fn queue_metric(target: MetricTarget) -> MetricSpec {
    MetricSpec::external("qps", Some(LabelSelector::default()), target)
}

#[test]
fn tolerance_boundary_differs_between_v1_32_and_v1_33() {
    // Utilization exactly 110% of the target.
    let spec = hpa(
        1,
        10,
        vec![MetricSpec::resource_utilization("cpu", 100)],
        None,
    );
    let m = Fixed {
        cpu_per_pod: Some(1100),
        ..Fixed::default()
    };
    let run = |v| {
        let mut st = HpaState::new();
        reconcile(
            &spec,
            &ControllerConfig::for_version(v),
            &mut st,
            &ScaleInfo::new(3, "app=w"),
            &pods(3),
            &mut m.clone(),
            T0,
        )
        .desired_replicas
    };
    assert_eq!(run(KubeVersion::V1_32), 4, "abs(1-1.1) > 0.1 in float64");
    assert_eq!(run(KubeVersion::V1_33), 3, "1.1 <= 1+0.1");
    assert_eq!(run(KubeVersion::V1_35), 3);
}

#[test]
fn zero_replicas_with_min_zero_scales_from_zero_until_v1_35_only() {
    let spec = hpa(0, 10, vec![queue_metric(MetricTarget::Value(10_000))], None);
    let m = Fixed {
        external: Some(Ok(vec![20_000])),
        ..Fixed::default()
    };
    let run = |cfg: ControllerConfig| {
        let mut st = HpaState::new();
        reconcile(
            &spec,
            &cfg,
            &mut st,
            &ScaleInfo::new(0, "app=w"),
            &[],
            &mut m.clone(),
            T0,
        )
    };
    let old = run(ControllerConfig::for_version(KubeVersion::V1_35));
    assert_eq!(
        (old.rescale, old.desired_replicas),
        (true, 2),
        "ceil(2.0) from zero, tolerance ignored"
    );
    assert_eq!(old.trace.path, PassPath::Metrics);
    let master = run(ControllerConfig::for_version(KubeVersion::Master));
    assert!(!master.rescale);
    assert_eq!(master.trace.path, PassPath::ScalingDisabled);
    assert_eq!(
        master
            .status
            .condition(ConditionType::ScalingActive)
            .unwrap()
            .message,
        "scaling is disabled since the replica count of the target is zero"
    );
}

#[test]
fn succeeded_pods_are_missing_before_master_and_ignored_on_master() {
    // Upstream case "scale up: succeeded pods ignored" (master) on both configurations.
    let spec = hpa(
        1,
        10,
        vec![MetricSpec::resource_utilization("cpu", 30)],
        None,
    );
    let mut ps = pods(4);
    for p in &mut ps[2..] {
        p.phase = PodPhase::Succeeded;
    }
    struct Two;
    impl MetricsClient for Two {
        fn get_resource_metric(
            &mut self,
            _: &str,
            _: &str,
            _: &str,
            _: &str,
        ) -> Result<Vec<PodMetric>, String> {
            Ok([("p0", 500), ("p1", 700)]
                .iter()
                .map(|(p, v)| PodMetric {
                    pod: p.to_string(),
                    value_milli: *v,
                    timestamp: SimTime::ZERO,
                    window: Dur::from_secs(60),
                })
                .collect())
        }
        fn get_raw_metric(
            &mut self,
            _: &str,
            _: &str,
            _: &str,
            _: Option<&LabelSelector>,
        ) -> Result<Vec<PodMetric>, String> {
            unreachable!()
        }
        fn get_object_metric(
            &mut self,
            _: &str,
            _: &str,
            _: &ObjectRef,
            _: Option<&LabelSelector>,
        ) -> Result<(i64, SimTime), String> {
            unreachable!()
        }
        fn get_external_metric(
            &mut self,
            _: &str,
            _: &str,
            _: Option<&LabelSelector>,
        ) -> Result<Vec<i64>, String> {
            unreachable!()
        }
    }
    let run = |v| {
        let mut st = HpaState::new();
        let cfg = ControllerConfig::upstream_test(v);
        reconcile(
            &spec,
            &cfg,
            &mut st,
            &ScaleInfo::new(2, "app=w"),
            &ps,
            &mut Two,
            T0,
        )
        .desired_replicas
    };
    assert_eq!(run(KubeVersion::Master), 4);
    assert_eq!(
        run(KubeVersion::V1_35),
        2,
        "missing pods filled with 0 bring the ratio to 1.0"
    );
}

#[test]
fn configurable_tolerance_needs_the_gate() {
    let behavior = Behavior::from_partial(
        Some(&PartialScalingRules {
            tolerance: Some(0.01),
            ..PartialScalingRules::default()
        }),
        None,
    );
    let spec = hpa(
        1,
        10,
        vec![MetricSpec::resource_utilization("cpu", 100)],
        Some(behavior),
    );
    let m = Fixed {
        cpu_per_pod: Some(1050),
        ..Fixed::default()
    };
    let run = |v| {
        let mut st = HpaState::new();
        reconcile(
            &spec,
            &ControllerConfig::for_version(v),
            &mut st,
            &ScaleInfo::new(3, "app=w"),
            &pods(3),
            &mut m.clone(),
            T0,
        )
        .desired_replicas
    };
    assert_eq!(run(KubeVersion::V1_34), 3, "gate alpha, off");
    assert_eq!(run(KubeVersion::V1_35), 4, "gate beta, on: 1.05 > 1.01");
}

#[test]
fn legacy_downscale_window_is_inclusive_over_real_passes() {
    // A fresh controller seeds the current size; a scale-down waits one full window.
    let spec = hpa(
        1,
        10,
        vec![queue_metric(MetricTarget::AverageValue(5000))],
        None,
    );
    let cfg = ControllerConfig::default();
    let mut st = HpaState::new();
    let mut m = Fixed {
        external: Some(Ok(vec![10_000])),
        ..Fixed::default()
    };
    let mut current = 5;
    let mut sizes = Vec::new();
    for pass in 0..=21u64 {
        let out = reconcile(
            &spec,
            &cfg,
            &mut st,
            &ScaleInfo::new(current, "app=w"),
            &pods(current as usize),
            &mut m,
            at(15 * pass),
        );
        current = out.desired_replicas;
        sizes.push((15 * pass, current));
    }
    // The seed (5 at t=0) is inside the window through age 300 s inclusive.
    assert!(
        sizes
            .iter()
            .filter(|(t, _)| *t <= 300)
            .all(|(_, c)| *c == 5),
        "{sizes:?}"
    );
    assert_eq!(
        sizes.iter().find(|(t, _)| *t == 315).unwrap().1,
        2,
        "{sizes:?}"
    );
}

#[test]
fn behavior_pods_policy_spaces_scale_down_by_its_period() {
    // scaleDown: 1 pod per 60 s, no window. Policy periods are strict: an event exactly 60 s
    // old no longer counts.
    let behavior = Behavior::from_partial(
        None,
        Some(&PartialScalingRules {
            stabilization_window_seconds: Some(0),
            policies: Some(vec![ScalingPolicy::pods(1, 60)]),
            ..PartialScalingRules::default()
        }),
    );
    let spec = hpa(
        1,
        20,
        vec![queue_metric(MetricTarget::AverageValue(5000))],
        Some(behavior),
    );
    let cfg = ControllerConfig::default();
    let mut st = HpaState {
        recommendations: Some(vec![]),
        ..HpaState::new()
    };
    let mut m = Fixed {
        external: Some(Ok(vec![10_000])),
        ..Fixed::default()
    };
    let mut current = 10;
    let mut seq = Vec::new();
    for pass in 0..9u64 {
        let out = reconcile(
            &spec,
            &cfg,
            &mut st,
            &ScaleInfo::new(current, "app=w"),
            &pods(3),
            &mut m,
            at(15 * pass),
        );
        current = out.desired_replicas;
        seq.push(current);
        if !out.rescale {
            assert_eq!(
                out.status
                    .condition(ConditionType::ScalingLimited)
                    .unwrap()
                    .reason,
                "ScaleDownLimit"
            );
            let limits = out.trace.limits.as_ref().unwrap();
            assert_eq!(limits.policies[0].period_start_replicas, current + 1);
            assert!(limits.policies[0].selected);
        }
    }
    assert_eq!(seq, [9, 9, 9, 9, 8, 8, 8, 8, 7]);
    // One slot per rescale; the oldest is reused once it is older than the longest period.
    assert_eq!(st.scale_down_events.len(), 2, "{:?}", st.scale_down_events);
}

#[test]
fn failed_external_metric_texts_match_upstream() {
    let spec = hpa(1, 10, vec![queue_metric(MetricTarget::Value(1000))], None);
    let mut m = Fixed {
        external: Some(Err("boom".into())),
        ..Fixed::default()
    };
    let mut st = HpaState::new();
    let out = reconcile(
        &spec,
        &ControllerConfig::default(),
        &mut st,
        &ScaleInfo::new(3, "app=w"),
        &pods(3),
        &mut m,
        T0,
    );
    let sel = "&LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}";
    let inner = format!("unable to get external metric jobs/qps/{sel}: unable to fetch metrics from external metrics API: boom");
    assert_eq!(out.events.len(), 2);
    assert_eq!(
        (out.events[0].kind, out.events[0].reason.as_str()),
        (EventType::Warning, "FailedGetExternalMetric")
    );
    assert_eq!(out.events[0].message, inner);
    assert_eq!(out.events[1].reason, "FailedComputeMetricsReplicas");
    assert_eq!(
        out.events[1].message,
        format!(
            "invalid metrics (1 invalid out of 1), first error is: failed to get qps external metric value: failed to get external metric qps: {inner}"
        )
    );
    let active = out.status.condition(ConditionType::ScalingActive).unwrap();
    assert_eq!(
        active.message,
        format!("the HPA was unable to compute the replica count: {inner}")
    );
    assert_eq!(
        out.status.desired_replicas, 0,
        "keeps the previous status value"
    );
    assert_eq!(out.status.current_replicas, 3);
    assert_eq!(out.trace.path, PassPath::MetricsUnavailable);
    assert!(out.error.unwrap().starts_with("failed to compute desired number of replicas based on listed metrics for Deployment/jobs/worker: invalid metrics"));
}

#[test]
fn condition_transition_times_change_only_with_status() {
    let spec = hpa(
        1,
        10,
        vec![MetricSpec::resource_utilization("cpu", 100)],
        None,
    );
    let cfg = ControllerConfig::default();
    let mut st = HpaState::new();
    let mut m = Fixed {
        cpu_per_pod: Some(1000),
        ..Fixed::default()
    };
    let out = reconcile(
        &spec,
        &cfg,
        &mut st,
        &ScaleInfo::new(3, "app=w"),
        &pods(3),
        &mut m,
        at(0),
    );
    let types: Vec<ConditionType> = out.status.conditions.iter().map(|c| c.kind).collect();
    assert_eq!(
        types,
        [
            ConditionType::AbleToScale,
            ConditionType::ScalingActive,
            ConditionType::ScalingLimited
        ]
    );
    assert!(out
        .status
        .conditions
        .iter()
        .all(|c| c.last_transition_time == at(0)));
    // Next pass: same statuses, so times stay; the selector then breaks and ScalingActive flips.
    let out = reconcile(
        &spec,
        &cfg,
        &mut st,
        &ScaleInfo::new(3, "app=w"),
        &pods(3),
        &mut m,
        at(15),
    );
    assert!(out
        .status
        .conditions
        .iter()
        .all(|c| c.last_transition_time == at(0)));
    assert!(!out.status_changed);
    let out = reconcile(
        &spec,
        &cfg,
        &mut st,
        &ScaleInfo::new(3, ""),
        &pods(3),
        &mut m,
        at(30),
    );
    let active = out.status.condition(ConditionType::ScalingActive).unwrap();
    assert_eq!(
        (active.status, active.reason.as_str()),
        (ConditionStatus::False, "InvalidSelector")
    );
    assert_eq!(active.last_transition_time, at(30));
    assert_eq!(
        out.status
            .condition(ConditionType::AbleToScale)
            .unwrap()
            .last_transition_time,
        at(0)
    );
    assert_eq!(out.events[0].message, "selector is required");
    assert_eq!(out.events[1].message, "selector is required");
}

#[test]
fn restart_forgets_recommendations_and_seeds_again() {
    let spec = hpa(
        1,
        10,
        vec![queue_metric(MetricTarget::AverageValue(5000))],
        None,
    );
    let cfg = ControllerConfig::default();
    let mut st = HpaState::new();
    let mut m = Fixed {
        external: Some(Ok(vec![5_000])),
        ..Fixed::default()
    };
    // 8 replicas, metric wants 1: the seed holds the size.
    let out = reconcile(
        &spec,
        &cfg,
        &mut st,
        &ScaleInfo::new(8, "app=w"),
        &pods(3),
        &mut m,
        at(0),
    );
    assert_eq!(out.desired_replicas, 8);
    let out = reconcile(
        &spec,
        &cfg,
        &mut st,
        &ScaleInfo::new(8, "app=w"),
        &pods(3),
        &mut m,
        at(400),
    );
    assert_eq!(out.desired_replicas, 1, "seed aged out");
    st.controller_restarted();
    let out = reconcile(
        &spec,
        &cfg,
        &mut st,
        &ScaleInfo::new(8, "app=w"),
        &pods(3),
        &mut m,
        at(415),
    );
    assert_eq!(out.desired_replicas, 8, "seeded again after a restart");
}

#[test]
fn trace_records_the_whole_decision() {
    let behavior = Behavior::from_partial(
        Some(&PartialScalingRules {
            stabilization_window_seconds: Some(60),
            ..PartialScalingRules::default()
        }),
        None,
    );
    let spec = hpa(
        1,
        50,
        vec![
            MetricSpec::resource_utilization("cpu", 50),
            queue_metric(MetricTarget::AverageValue(2000)),
        ],
        Some(behavior),
    );
    let cfg = ControllerConfig::default();
    let mut st = HpaState {
        recommendations: Some(vec![TimestampedRecommendation {
            recommendation: 7,
            timestamp: at(0),
        }]),
        ..HpaState::new()
    };
    let mut m = Fixed {
        cpu_per_pod: Some(600),
        external: Some(Ok(vec![30_000])),
        sample_time: SimTime::ZERO,
    };
    let out = reconcile(
        &spec,
        &cfg,
        &mut st,
        &ScaleInfo::new(3, "app=w"),
        &pods(3),
        &mut m,
        at(30),
    );
    let t = &out.trace;
    assert_eq!(t.metrics.len(), 2);
    assert_eq!(
        t.metrics[0].name,
        "cpu resource utilization (percentage of request)"
    );
    assert_eq!(t.metrics[0].usage, Some(60));
    assert_eq!(t.metrics[0].proposal, Some(4));
    assert_eq!(t.metrics[1].usage_ratio, Some(5.0));
    assert_eq!(t.metrics[1].proposal, Some(15));
    assert_eq!(t.prenormalized, Some(15));
    let s = t.stabilization.as_ref().unwrap();
    assert_eq!(
        (s.up_bound, s.stabilized),
        (Some(7), 7),
        "the 60 s up window still holds 7"
    );
    assert_eq!(s.entries.len(), 1);
    assert!(s.entries[0].in_up_window);
    let l = t.limits.as_ref().unwrap();
    assert_eq!(l.direction, "up");
    assert_eq!(
        l.policies
            .iter()
            .map(|p| p.proposed_limit)
            .collect::<Vec<_>>(),
        [7, 6]
    );
    assert!(l.policies[0].selected && !l.policies[1].selected);
    assert_eq!((out.desired_replicas, t.final_replicas), (7, 7));
    assert_eq!(t.bound_by[0].reason, "ScaleUpStabilized");
    assert_eq!(
        out.events[0].message.split("; reason: ").nth(1).unwrap(),
        format!("{} above target", t.metrics[1].name)
    );
    let json: serde_json::Value = serde_json::to_value(t).unwrap();
    assert_eq!(json["stabilization"]["entries"][0]["timestamp"], at(0).0);
    assert_eq!(json["limits"]["policies"][0]["kind"], "Pods");
    assert_eq!(json["path"], "Metrics");
}

#[test]
fn invalid_metric_does_not_block_scale_up_but_blocks_scale_down() {
    let spec = hpa(
        1,
        10,
        vec![
            MetricSpec::resource_utilization("cpu", 50),
            queue_metric(MetricTarget::Value(1000)),
        ],
        None,
    );
    let cfg = ControllerConfig::default();
    let mut up = Fixed {
        cpu_per_pod: Some(1000),
        external: Some(Err("down".into())),
        ..Fixed::default()
    };
    let mut st = HpaState::new();
    let out = reconcile(
        &spec,
        &cfg,
        &mut st,
        &ScaleInfo::new(3, "app=w"),
        &pods(3),
        &mut up,
        T0,
    );
    assert_eq!((out.rescale, out.desired_replicas), (true, 6));
    assert!(out
        .error
        .as_ref()
        .unwrap()
        .starts_with("invalid metrics (1 invalid out of 2)"));
    let mut down = Fixed {
        cpu_per_pod: Some(100),
        ..up
    };
    let mut st = HpaState {
        recommendations: Some(vec![]),
        ..HpaState::new()
    };
    let out = reconcile(
        &spec,
        &cfg,
        &mut st,
        &ScaleInfo::new(3, "app=w"),
        &pods(3),
        &mut down,
        T0,
    );
    assert!(!out.rescale);
    assert_eq!(
        out.status
            .condition(ConditionType::ScalingActive)
            .unwrap()
            .reason,
        "FailedGetExternalMetric"
    );
}

#[test]
fn scale_faults_are_reported_like_upstream() {
    let spec = hpa(
        1,
        10,
        vec![MetricSpec::resource_utilization("cpu", 50)],
        None,
    );
    let cfg = ControllerConfig::default();
    let mut m = Fixed {
        cpu_per_pod: Some(1000),
        ..Fixed::default()
    };
    let mut scale = ScaleInfo::new(3, "app=w");
    scale.faults.update = Some("conflict".into());
    let mut st = HpaState::new();
    let out = reconcile(&spec, &cfg, &mut st, &scale, &pods(3), &mut m, T0);
    assert!(!out.rescale);
    assert_eq!(out.desired_replicas, 3);
    assert_eq!(
        out.events.last().unwrap().message,
        "New size: 6; reason: cpu resource utilization (percentage of request) above target; error: conflict"
    );
    assert_eq!(
        out.status
            .condition(ConditionType::AbleToScale)
            .unwrap()
            .message,
        "the HPA controller was unable to update the target scale: conflict"
    );
    assert_eq!(out.status.last_scale_time, None);
    let mut scale = ScaleInfo::new(3, "app=w");
    scale.faults.get = Some("deployments.apps \"worker\" not found".into());
    let out = reconcile(&spec, &cfg, &mut st, &scale, &pods(3), &mut m, T0);
    assert_eq!(out.trace.path, PassPath::ScaleGetFailed);
    assert_eq!(out.events[0].reason, "FailedGetScale");
}

#[test]
fn pod_level_requests_and_sidecars_count_in_utilization() {
    let spec = hpa(
        1,
        10,
        vec![MetricSpec::resource_utilization("cpu", 50)],
        None,
    );
    let mut ps = pods(3);
    for p in &mut ps {
        p.sidecars = vec![ContainerRequests::cpu("proxy", 1000)];
    }
    let mut m = Fixed {
        cpu_per_pod: Some(1000),
        ..Fixed::default()
    };
    let mut st = HpaState::new();
    let out = reconcile(
        &spec,
        &ControllerConfig::default(),
        &mut st,
        &ScaleInfo::new(3, "app=w"),
        &ps,
        &mut m,
        T0,
    );
    assert_eq!(
        out.trace.metrics[0].usage,
        Some(50),
        "1000m over 2000m of requests"
    );
    for p in &mut ps {
        p.pod_requests = Some(BTreeMap::from([("cpu".to_string(), 4000)]));
    }
    let mut st = HpaState::new();
    let out = reconcile(
        &spec,
        &ControllerConfig::default(),
        &mut st,
        &ScaleInfo::new(3, "app=w"),
        &ps,
        &mut m,
        T0,
    );
    assert_eq!(
        out.trace.metrics[0].usage,
        Some(25),
        "pod-level request 4000m"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Invariants of any metrics-path pass: a rescale lands within [min, max], the status
    /// mirrors the outcome, and the same inputs give the same outcome.
    #[test]
    fn reconcile_invariants(
        min in 1i32..5,
        extra in 0i32..20,
        current in 1i32..30,
        queue in 0i64..200_000,
        target in 1i64..20_000,
        average in any::<bool>(),
        with_behavior in any::<bool>(),
        passes in 1u64..6,
    ) {
        let max = min + extra;
        let t = if average { MetricTarget::AverageValue(target) } else { MetricTarget::Value(target) };
        let behavior = with_behavior.then(Behavior::default);
        let spec = hpa(min, max, vec![queue_metric(t)], behavior);
        let cfg = ControllerConfig::default();
        let mut m = Fixed { external: Some(Ok(vec![queue])), ..Fixed::default() };
        let mut a = HpaState::new();
        let mut b = HpaState::new();
        let mut cur = current;
        for pass in 0..passes {
            let now = at(15 * pass);
            let ps = pods(cur.clamp(0, 40) as usize);
            let scale = ScaleInfo::new(cur, "app=w");
            let oa = reconcile(&spec, &cfg, &mut a, &scale, &ps, &mut m, now);
            let ob = reconcile(&spec, &cfg, &mut b, &scale, &ps, &mut m.clone(), now);
            prop_assert_eq!(serde_json::to_string(&oa.trace).unwrap(), serde_json::to_string(&ob.trace).unwrap());
            prop_assert_eq!(&oa.status, &a.status);
            if oa.rescale {
                prop_assert!(oa.desired_replicas >= min && oa.desired_replicas <= max, "{:?}", oa.trace);
                prop_assert_eq!(oa.status.last_scale_time, Some(now));
            } else {
                prop_assert_eq!(oa.desired_replicas, cur);
            }
            prop_assert_eq!(oa.status.desired_replicas, oa.desired_replicas);
            cur = oa.desired_replicas;
        }
    }
}
