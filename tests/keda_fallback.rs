//! Ported from kedacore/keda v2.18.3, `pkg/fallback/fallback_test.go` (every `It`), as a table
//! run against `keda::fallback::get_metrics_with_fallback`; plus scalesim's own cases
//! (`scalesim_*`) for Value targets (2.18), `currentReplicasIfLower` and scalingModifiers.
//!
//! Upstream's scaler mock returns `NewQuantity(value)`; its metric spec is an AverageValue
//! target of `createMetricSpec(n)`. Status patches cannot fail here, so "should ignore error
//! if we fail to update kubernetes status" runs as the plain threshold case it reduces to.

use std::collections::BTreeMap;
use std::sync::Arc;

use scalesim::keda::fallback::{get_metrics_with_fallback, FallbackTarget, TargetReplicas};
use scalesim::keda::scaledobject::ScaledObject;
use scalesim::keda::scalers::{MetricTargetType, MetricValue};
use scalesim::keda::status::{ConditionStatus, HealthStatus, HealthStatusType, ScaledObjectStatus};
use scalesim::yaml::de::DeContext;
use scalesim::yaml::parse_stream;

const METRIC: &str = "some_metric_name";

struct Case {
    name: &'static str,
    /// `fallback:` block as YAML flow text, or None.
    fallback: Option<&'static str>,
    /// `advanced.scalingModifiers` as YAML flow text, or None.
    modifiers: Option<&'static str>,
    health: &'static [(&'static str, i32, HealthStatusType)],
    scaler: Result<f64, &'static str>,
    target_type: MetricTargetType,
    target: f64,
    current: i32,
    ready_pods: i32,
    want_value: Result<f64, &'static str>,
    want_metric_name: &'static str,
    want_health: Option<(i32, HealthStatusType)>,
    want_fallback_condition_true: Option<bool>,
}

const BASE: Case = Case {
    name: "",
    fallback: None,
    modifiers: None,
    health: &[],
    scaler: Err("some error"),
    target_type: MetricTargetType::AverageValue,
    target: 10.0,
    current: 0,
    ready_pods: 0,
    want_value: Err("some error"),
    want_metric_name: METRIC,
    want_health: None,
    want_fallback_condition_true: None,
};

use HealthStatusType::{Failing, Happy};

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "should return the expected metric when fallback is disabled",
            scaler: Ok(5.0),
            target: 3.0,
            want_value: Ok(5.0),
            ..BASE
        },
        Case {
            name: "should reset the health status when scaler metrics are available when fallback is enabled",
            fallback: Some("{failureThreshold: 3, replicas: 10}"),
            health: &[(METRIC, 5, Failing)],
            scaler: Ok(6.0),
            target: 3.0,
            want_value: Ok(6.0),
            want_health: Some((0, Happy)),
            ..BASE
        },
        Case {
            name: "should not reset the health status when fallback is not enabled",
            health: &[(METRIC, 5, Failing)],
            scaler: Ok(6.0),
            target: 3.0,
            want_value: Ok(6.0),
            want_health: Some((5, Failing)),
            ..BASE
        },
        Case {
            name: "should propagate the error when fallback is disabled",
            target: 3.0,
            ..BASE
        },
        Case {
            name: "should bump the number of failures when metrics call fails",
            fallback: Some("{failureThreshold: 3, replicas: 10}"),
            health: &[(METRIC, 0, Happy)],
            want_health: Some((1, Failing)),
            ..BASE
        },
        Case {
            name: "should return a normalised metric when number of failures are beyond threshold",
            fallback: Some("{failureThreshold: 3, replicas: 10}"),
            health: &[(METRIC, 3, Happy)],
            current: 5,
            want_value: Ok(100.0),
            want_health: Some((4, Failing)),
            ..BASE
        },
        Case {
            name: "should ignore error if we fail to update kubernetes status",
            fallback: Some("{failureThreshold: 3, replicas: 10}"),
            health: &[(METRIC, 3, Happy)],
            current: 5,
            want_value: Ok(100.0),
            want_health: Some((4, Failing)),
            ..BASE
        },
        Case {
            name: "should return error when fallback is enabled but scaledobject has invalid parameter",
            fallback: Some("{failureThreshold: -3, replicas: 10}"),
            health: &[(METRIC, 3, Happy)],
            ..BASE
        },
        Case {
            name: "should set the fallback condition when a fallback exists in the scaled object",
            fallback: Some("{failureThreshold: 3, replicas: 10}"),
            health: &[("another metric name", 6, Failing), (METRIC, 3, Happy)],
            current: 5,
            want_value: Ok(100.0),
            want_fallback_condition_true: Some(true),
            ..BASE
        },
        Case {
            name: "should set the fallback condition to false if the config is invalid",
            fallback: Some("{failureThreshold: -3, replicas: 10}"),
            health: &[("another metric name", 6, Failing), (METRIC, 3, Happy)],
            want_fallback_condition_true: Some(false),
            ..BASE
        },
        Case {
            name: "should use fallback replicas when current replicas is lower when behavior is 'currentReplicasIfHigher'",
            fallback: Some("{failureThreshold: 3, replicas: 10, behavior: currentReplicasIfHigher}"),
            health: &[(METRIC, 3, Happy)],
            current: 4,
            want_value: Ok(100.0),
            ..BASE
        },
        Case {
            name: "should use current replicas when behavior is 'currentReplicas'",
            fallback: Some("{failureThreshold: 3, replicas: 10, behavior: currentReplicas}"),
            health: &[(METRIC, 3, Happy)],
            current: 6,
            want_value: Ok(60.0),
            ..BASE
        },
        Case {
            name: "should ignore current replicas when behavior is 'static'",
            fallback: Some("{failureThreshold: 3, replicas: 10, behavior: static}"),
            health: &[(METRIC, 3, Happy)],
            current: 15,
            want_value: Ok(100.0),
            ..BASE
        },
        // scalesim's own cases.
        Case {
            name: "scalesim_current_replicas_if_lower",
            fallback: Some("{failureThreshold: 3, replicas: 10, behavior: currentReplicasIfLower}"),
            health: &[(METRIC, 3, Happy)],
            current: 4,
            want_value: Ok(40.0),
            ..BASE
        },
        Case {
            name: "scalesim_value_target_divides_by_ready_pods",
            fallback: Some("{failureThreshold: 0, replicas: 6}"),
            target_type: MetricTargetType::Value,
            target: 5.0,
            current: 3,
            ready_pods: 4,
            // 6 replicas / 4 ready pods * 5 = 7.5
            want_value: Ok(7.5),
            want_health: Some((1, Failing)),
            ..BASE
        },
        Case {
            name: "scalesim_value_target_without_ready_pods_fails",
            fallback: Some("{failureThreshold: 0, replicas: 6}"),
            target_type: MetricTargetType::Value,
            target: 5.0,
            current: 3,
            ready_pods: 0,
            want_value: Err("error performing fallback"),
            ..BASE
        },
        Case {
            name: "scalesim_first_failure_at_threshold_zero_falls_back",
            fallback: Some("{failureThreshold: 0, replicas: 2}"),
            target: 5.0,
            want_value: Ok(10.0),
            want_health: Some((1, Failing)),
            ..BASE
        },
        Case {
            name: "scalesim_modifiers_fallback_uses_composite_target",
            fallback: Some("{failureThreshold: 0, replicas: 3}"),
            modifiers: Some("{formula: \"a + 1\", target: \"4\"}"),
            target: 5.0,
            want_value: Ok(12.0),
            want_metric_name: "composite-metric",
            ..BASE
        },
        Case {
            name: "scalesim_modifiers_with_fractional_target_make_fallback_invalid",
            fallback: Some("{failureThreshold: 0, replicas: 3}"),
            modifiers: Some("{formula: \"a + 1\", target: \"2.5\"}"),
            health: &[(METRIC, 7, Happy)],
            want_health: Some((7, Happy)),
            ..BASE
        },
    ]
}

fn scaled_object(c: &Case) -> ScaledObject {
    let mut y = String::from(
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: clean-up-test, namespace: default}\nspec:\n  scaleTargetRef: {name: myapp}\n  triggers:\n  - {type: redis, name: a, metadata: {address: \"r:6379\", listName: q}}\n",
    );
    if let Some(f) = c.fallback {
        y.push_str(&format!("  fallback: {f}\n"));
    }
    if let Some(m) = c.modifiers {
        y.push_str(&format!("  advanced:\n    scalingModifiers: {m}\n"));
    }
    let docs = parse_stream(&y, &Arc::from("t.yaml")).unwrap();
    ScaledObject::from_node(&docs[0].root, &DeContext::new(false, true)).unwrap()
}

#[test]
fn fallback_test_go() {
    let mut failures = Vec::new();
    for c in cases() {
        let so = scaled_object(&c);
        let mut status = ScaledObjectStatus {
            health: c
                .health
                .iter()
                .map(|(n, f, s)| {
                    (
                        n.to_string(),
                        HealthStatus {
                            number_of_failures: *f,
                            status: *s,
                        },
                    )
                })
                .collect::<BTreeMap<_, _>>(),
            ..ScaledObjectStatus::default()
        };
        let scaler = c
            .scaler
            .map(|v| {
                vec![MetricValue {
                    metric_name: METRIC.into(),
                    value_milli: (v * 1000.0) as i64,
                }]
            })
            .map_err(str::to_string);
        let r = get_metrics_with_fallback(
            &so,
            &mut status,
            scaler,
            METRIC,
            FallbackTarget {
                target_type: c.target_type,
                target_value: c.target,
            },
            TargetReplicas {
                current: c.current,
                ready_pods: c.ready_pods,
            },
        );
        let mut check = |ok: bool, what: String| {
            if !ok {
                failures.push(format!("{}: {what}", c.name));
            }
        };
        match (&r.metrics, c.want_value) {
            (Ok(m), Ok(v)) => {
                check(
                    m.len() == 1 && m[0].value_milli == (v * 1000.0) as i64,
                    format!("value {m:?}, want {v}"),
                );
                check(
                    m[0].metric_name == c.want_metric_name,
                    format!("name {}", m[0].metric_name),
                );
            }
            (Err(e), Err(want)) => check(e == want, format!("error {e:?}, want {want:?}")),
            (got, want) => check(false, format!("got {got:?}, want {want:?}")),
        }
        if let Some((f, s)) = c.want_health {
            let h = status.health.get(METRIC).copied();
            check(
                h == Some(HealthStatus {
                    number_of_failures: f,
                    status: s,
                }),
                format!("health {h:?}"),
            );
        }
        if let Some(want) = c.want_fallback_condition_true {
            let is_true = status.conditions.fallback.status == ConditionStatus::True;
            check(
                is_true == want,
                format!("Fallback condition {:?}", status.conditions.fallback),
            );
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
