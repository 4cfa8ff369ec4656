//! Ported from kedacore/keda v2.18.3, `controllers/keda/hpa_test.go` ("should remove deleted
//! metric from health status", "should not remove existing metric from health status"); plus
//! scalesim's own cases for `newHPAForScaledObject`: names, replica bounds, paused replicas,
//! metric specs and targets, scalingModifiers, and behavior with the pause annotations.

use std::sync::Arc;

use scalesim::hpa::{
    default_scale_down_rules, default_scale_up_rules, LabelSelector, MetricSpec, MetricTarget,
    ObjectRef, PolicyType, ScalingPolicy, SelectPolicy,
};
use scalesim::keda::compiled::{Compiled, CompiledScaledObject, ScalerInputs};
use scalesim::keda::hpa_gen::update_health_status;
use scalesim::keda::status::{HealthStatus, HealthStatusType, ScaledObjectStatus};
use scalesim::yaml::de::DeContext;
use scalesim::yaml::parse_stream;

fn compile(annotations: &str, spec_extra: &str, triggers: &str) -> Result<Compiled, Vec<String>> {
    let mut y = String::from("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: orders\n  namespace: shop\n");
    if !annotations.is_empty() {
        y.push_str(&format!("  annotations: {annotations}\n"));
    }
    y.push_str("spec:\n  scaleTargetRef: {name: worker}\n");
    for l in spec_extra.lines() {
        y.push_str(&format!("  {l}\n"));
    }
    y.push_str(&format!("  triggers:\n{triggers}"));
    let docs = parse_stream(&y, &Arc::from("so.yaml")).unwrap();
    CompiledScaledObject::from_node(
        &docs[0].root,
        &DeContext::new(false, true),
        &ScalerInputs::default(),
    )
    .map_err(|e| e.into_iter().map(|e| e.message).collect())
}

const REDIS: &str = "  - {type: redis, metadata: {address: \"r:6379\", listName: celery}}\n";

fn selector() -> Option<LabelSelector> {
    Some(LabelSelector::with_labels([(
        "scaledobject.keda.sh/name",
        "orders",
    )]))
}

#[test]
fn should_remove_deleted_metric_from_health_status() {
    let mut status = ScaledObjectStatus::default();
    status.health.insert(
        "another metric name".into(),
        HealthStatus {
            number_of_failures: 87,
            status: HealthStatusType::Failing,
        },
    );
    update_health_status(&mut status, &["some metric name".to_string()]);
    assert!(status.health.is_empty());
}

#[test]
fn should_not_remove_existing_metric_from_health_status() {
    let mut status = ScaledObjectStatus::default();
    let h = HealthStatus {
        number_of_failures: 87,
        status: HealthStatusType::Failing,
    };
    status.health.insert("another metric name".into(), h);
    status.health.insert("some metric name".into(), h);
    update_health_status(&mut status, &["some metric name".to_string()]);
    assert_eq!(status.health.len(), 1);
    assert_eq!(status.health.get("some metric name"), Some(&h));
}

#[test]
fn defaults_one_external_metric_per_trigger_and_nil_behavior() {
    let c = compile("", "", REDIS).unwrap();
    let s = &c.hpa.spec;
    assert_eq!(s.name, "keda-hpa-orders");
    assert_eq!(s.namespace, "shop");
    assert_eq!(s.target, ObjectRef::new("apps/v1", "Deployment", "worker"));
    assert_eq!((s.min_replicas, s.max_replicas), (1, 100));
    assert_eq!(
        s.metrics,
        vec![MetricSpec::external(
            "s0-redis-celery",
            selector(),
            MetricTarget::AverageValue(5_000)
        )]
    );
    assert_eq!(
        s.behavior, None,
        "nil behavior keeps the controller's legacy path"
    );
    assert_eq!(c.hpa.external_metric_names, vec!["s0-redis-celery"]);
    assert_eq!(
        c.hpa.labels["app.kubernetes.io/managed-by"],
        "keda-operator"
    );
}

#[test]
fn targets_follow_trigger_metric_types_and_scalers() {
    let triggers = "  - {type: redis, metricType: Value, metadata: {address: \"r:6379\", listName: \"celery\\x06\\x163\", listLength: \"20\"}}\n  - {type: rabbitmq, metadata: {host: \"amqp://rabbit:5672/\", queueName: \"orders/high\", mode: QueueLength, value: \"7.5\"}}\n  - {type: prometheus, metadata: {serverAddress: \"http://prom:9090\", query: up, threshold: \"0.25\"}}\n";
    let c = compile("", "minReplicaCount: 2\nmaxReplicaCount: 9", triggers).unwrap();
    let s = &c.hpa.spec;
    assert_eq!((s.min_replicas, s.max_replicas), (2, 9));
    assert_eq!(
        s.metrics,
        vec![
            MetricSpec::external(
                "s0-redis-celery\u{6}\u{16}3",
                selector(),
                MetricTarget::Value(20_000)
            ),
            MetricSpec::external(
                "s1-rabbitmq-orders-2Fhigh",
                selector(),
                MetricTarget::AverageValue(7_500)
            ),
            MetricSpec::external("s2-prometheus", selector(), MetricTarget::AverageValue(250)),
        ]
    );
}

#[test]
fn paused_replicas_pin_min_and_max_and_zero_becomes_one() {
    let c = compile(
        "{autoscaling.keda.sh/paused-replicas: \"3\"}",
        "maxReplicaCount: 10",
        REDIS,
    )
    .unwrap();
    assert_eq!((c.hpa.spec.min_replicas, c.hpa.spec.max_replicas), (3, 3));
    let c = compile("{autoscaling.keda.sh/paused-replicas: \"0\"}", "", REDIS).unwrap();
    assert_eq!((c.hpa.spec.min_replicas, c.hpa.spec.max_replicas), (1, 1));
    let e = compile("{autoscaling.keda.sh/paused-replicas: \"x\"}", "", REDIS).unwrap_err();
    assert_eq!(
        e,
        vec!["failed to ensure HPA is correctly created for ScaledObject: strconv.ParseInt: parsing \"x\": invalid syntax"]
    );
}

#[test]
fn custom_hpa_name_and_behavior_defaulted_by_the_api_server() {
    let extra = "advanced:\n  horizontalPodAutoscalerConfig:\n    name: my-hpa\n    behavior:\n      scaleDown:\n        stabilizationWindowSeconds: 60\n        policies: [{type: Pods, value: 1, periodSeconds: 30}]";
    let c = compile("", extra, REDIS).unwrap();
    let s = &c.hpa.spec;
    assert_eq!(s.name, "my-hpa");
    let b = s.behavior.as_ref().unwrap();
    assert_eq!(b.scale_up, default_scale_up_rules());
    assert_eq!(b.scale_down.stabilization_window_seconds, Some(60));
    assert_eq!(
        b.scale_down.policies,
        vec![ScalingPolicy {
            kind: PolicyType::Pods,
            value: 1,
            period_seconds: 30
        }]
    );
    assert_eq!(b.scale_down.select_policy, SelectPolicy::Max);
}

#[test]
fn pause_scale_in_and_out_disable_directions_and_leave_the_legacy_path() {
    let c = compile("{autoscaling.keda.sh/paused-scale-in: \"true\"}", "", REDIS).unwrap();
    let b = c
        .hpa
        .spec
        .behavior
        .as_ref()
        .expect("a minimal behavior is created");
    assert_eq!(b.scale_down.select_policy, SelectPolicy::Disabled);
    assert_eq!(b.scale_down.policies, default_scale_down_rules().policies);
    assert_eq!(b.scale_up, default_scale_up_rules());
    let c = compile(
        "{autoscaling.keda.sh/paused-scale-out: \"true\", autoscaling.keda.sh/paused-scale-in: \"false\"}",
        "advanced: {horizontalPodAutoscalerConfig: {behavior: {scaleUp: {selectPolicy: Min}}}}",
        REDIS,
    )
    .unwrap();
    let b = c.hpa.spec.behavior.as_ref().unwrap();
    assert_eq!(b.scale_up.select_policy, SelectPolicy::Disabled);
    assert_eq!(b.scale_down.select_policy, SelectPolicy::Max);
}

#[test]
fn scaling_modifiers_replace_external_metrics_by_the_composite_metric() {
    let triggers = "  - {type: redis, name: a, metadata: {address: \"r:6379\", listName: a}}\n  - {type: redis, name: b, metadata: {address: \"r:6379\", listName: b}}\n";
    let extra =
        "advanced: {scalingModifiers: {formula: \"a + b\", target: \"2.5\", metricType: Value}}";
    let c = compile("", extra, triggers).unwrap();
    assert_eq!(
        c.hpa.spec.metrics,
        vec![MetricSpec::external(
            "composite-metric",
            selector(),
            MetricTarget::Value(2_500)
        )]
    );
    assert_eq!(
        c.hpa.external_metric_names,
        vec!["s0-redis-a", "s1-redis-b"]
    );
    assert_eq!(c.hpa.composite_scaler_name, "composite-metric");
}

#[test]
fn an_hpa_the_api_server_would_reject_is_an_error() {
    let e = compile(
        "",
        "",
        "  - {type: redis, metadata: {address: \"r:6379\", listName: q, listLength: \"0\"}}\n",
    )
    .unwrap_err();
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("failed to ensure HPA is correctly created for ScaledObject: HorizontalPodAutoscaler.autoscaling \"keda-hpa-orders\" is invalid: spec.metrics[0].external.target.averageValue:"),
        "{e:?}"
    );
}
