//! HPA spec: API defaulting and validation.
//!
//! Ported from kubernetes/kubernetes `pkg/apis/autoscaling/v2/defaults_test.go`
//! (`TestGenerateScaleDownRules`, `TestGenerateScaleUpRules`), file version at commit
//! 0a74a85ed8c08e0f0588ecc4a764883698a1b99e; validation messages follow
//! `pkg/apis/autoscaling/validation/validation.go` (fork yongruilin/kubernetes @ 39308a14).

use std::sync::Arc;

use scalesim::hpa::spec::{PartialScalingRules, ValidationOptions};
use scalesim::hpa::*;
use scalesim::yaml::de::DeContext;
use scalesim::yaml::parse_stream;

struct GenCase {
    name: &'static str,
    pods: Option<(i32, i32)>,
    percent: Option<(i32, i32)>,
    window: Option<i32>,
    select: Option<SelectPolicy>,
    expected_policies: Vec<ScalingPolicy>,
    expected_window: Option<i32>,
    expected_select: SelectPolicy,
}

fn partial(c: &GenCase) -> PartialScalingRules {
    let mut policies = Vec::new();
    if let Some((v, p)) = c.pods {
        policies.push(ScalingPolicy::pods(v, p));
    }
    if let Some((v, p)) = c.percent {
        policies.push(ScalingPolicy::percent(v, p));
    }
    PartialScalingRules {
        stabilization_window_seconds: c.window,
        select_policy: c.select,
        // Upstream builds `Policies` by append, so no policies means a nil slice.
        policies: if policies.is_empty() {
            None
        } else {
            Some(policies)
        },
        tolerance: None,
    }
}

#[test]
fn generate_scale_down_rules_matches_upstream() {
    use SelectPolicy::*;
    let cases = vec![
        GenCase {
            name: "TestGenerateScaleDownRules/Default values",
            pods: None,
            percent: None,
            window: None,
            select: None,
            expected_policies: vec![ScalingPolicy::percent(100, 15)],
            expected_window: None,
            expected_select: Max,
        },
        GenCase {
            name: "TestGenerateScaleDownRules/All parameters are specified",
            pods: Some((1, 2)),
            percent: Some((3, 4)),
            window: Some(25),
            select: Some(Max),
            expected_policies: vec![ScalingPolicy::pods(1, 2), ScalingPolicy::percent(3, 4)],
            expected_window: Some(25),
            expected_select: Max,
        },
        GenCase {
            name: "TestGenerateScaleDownRules/Percent policy is specified",
            pods: None,
            percent: Some((1, 2)),
            window: None,
            select: Some(Min),
            expected_policies: vec![ScalingPolicy::percent(1, 2)],
            expected_window: None,
            expected_select: Min,
        },
        GenCase {
            name: "TestGenerateScaleDownRules/Pods policy is specified",
            pods: Some((3, 4)),
            percent: None,
            window: None,
            select: None,
            expected_policies: vec![ScalingPolicy::pods(3, 4)],
            expected_window: None,
            expected_select: Max,
        },
    ];
    for c in &cases {
        let r = generate_scale_down_rules(Some(&partial(c)));
        assert_eq!(r.policies, c.expected_policies, "{}", c.name);
        assert_eq!(
            r.stabilization_window_seconds, c.expected_window,
            "{}",
            c.name
        );
        assert_eq!(r.select_policy, c.expected_select, "{}", c.name);
    }
}

#[test]
fn generate_scale_up_rules_matches_upstream() {
    use SelectPolicy::*;
    let cases = vec![
        GenCase {
            name: "TestGenerateScaleUpRules/Default values",
            pods: None,
            percent: None,
            window: None,
            select: None,
            expected_policies: vec![ScalingPolicy::pods(4, 15), ScalingPolicy::percent(100, 15)],
            expected_window: Some(0),
            expected_select: Max,
        },
        GenCase {
            name: "TestGenerateScaleUpRules/All parameters are specified",
            pods: Some((1, 2)),
            percent: Some((3, 4)),
            window: Some(25),
            select: Some(Max),
            expected_policies: vec![ScalingPolicy::pods(1, 2), ScalingPolicy::percent(3, 4)],
            expected_window: Some(25),
            expected_select: Max,
        },
        GenCase {
            name: "TestGenerateScaleUpRules/Pod policy is specified",
            pods: Some((1, 2)),
            percent: None,
            window: None,
            select: Some(Min),
            expected_policies: vec![ScalingPolicy::pods(1, 2)],
            expected_window: Some(0),
            expected_select: Min,
        },
        GenCase {
            name: "TestGenerateScaleUpRules/Percent policy is specified",
            pods: None,
            percent: Some((7, 10)),
            window: None,
            select: None,
            expected_policies: vec![ScalingPolicy::percent(7, 10)],
            expected_window: Some(0),
            expected_select: Max,
        },
        GenCase {
            name: "TestGenerateScaleUpRules/Pod policy and stabilization window are specified",
            pods: Some((4, 2)),
            percent: None,
            window: Some(25),
            select: None,
            expected_policies: vec![ScalingPolicy::pods(4, 2)],
            expected_window: Some(25),
            expected_select: Max,
        },
        GenCase {
            name: "TestGenerateScaleUpRules/Percent policy and stabilization window are specified",
            pods: None,
            percent: Some((7, 60)),
            window: Some(25),
            select: None,
            expected_policies: vec![ScalingPolicy::percent(7, 60)],
            expected_window: Some(25),
            expected_select: Max,
        },
    ];
    for c in &cases {
        let r = generate_scale_up_rules(Some(&partial(c)));
        assert_eq!(r.policies, c.expected_policies, "{}", c.name);
        assert_eq!(
            r.stabilization_window_seconds, c.expected_window,
            "{}",
            c.name
        );
        assert_eq!(r.select_policy, c.expected_select, "{}", c.name);
    }
}

fn parse(text: &str) -> Result<HpaSpec, Vec<SpecError>> {
    let doc = parse_stream(text, &Arc::from("hpa.yaml"))
        .unwrap()
        .remove(0);
    HpaSpec::from_manifest(
        &doc.root,
        &DeContext::new(false, true),
        &ValidationOptions::default(),
    )
}

#[test]
fn parses_a_keda_style_hpa_with_partial_behavior() {
    let spec = parse(
        r#"
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: keda-hpa-worker
  namespace: jobs
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: worker}
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: External
    external:
      metric:
        name: s0-redis-high_priority
        selector: {matchLabels: {scaledobject.keda.sh/name: worker}}
      target: {type: AverageValue, averageValue: "5"}
  behavior:
    scaleDown:
      policies: [{type: Pods, value: 1, periodSeconds: 60}]
"#,
    )
    .unwrap();
    assert_eq!(spec.key(), "jobs/keda-hpa-worker");
    assert_eq!(
        spec.target,
        ObjectRef::new("apps/v1", "Deployment", "worker")
    );
    let b = spec.behavior.as_ref().unwrap();
    assert_eq!(b.scale_up, default_scale_up_rules());
    assert_eq!(
        b.scale_down.stabilization_window_seconds, None,
        "filled by the controller flag"
    );
    assert_eq!(b.scale_down.policies, vec![ScalingPolicy::pods(1, 60)]);
    match &spec.metrics[0] {
        MetricSpec::External { metric, target } => {
            assert_eq!(*target, MetricTarget::AverageValue(5000));
            assert_eq!(
                go_selector_string(metric.selector.as_ref()),
                "&LabelSelector{MatchLabels:map[string]string{scaledobject.keda.sh/name: worker,},MatchExpressions:[]LabelSelectorRequirement{},}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn defaults_min_replicas_and_cpu_metric() {
    let spec = parse(
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}\n  maxReplicas: 3\n",
    )
    .unwrap();
    assert_eq!(spec.min_replicas, 1);
    assert_eq!(spec.namespace, "default");
    assert_eq!(
        spec.metrics,
        vec![MetricSpec::resource_utilization("cpu", 80)]
    );
    assert!(spec.behavior.is_none());
}

#[test]
fn validation_uses_api_server_messages() {
    let errs = parse(
        r#"
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}
  minReplicas: 0
  maxReplicas: 0
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 0}}
  behavior:
    scaleUp:
      stabilizationWindowSeconds: 3601
      selectPolicy: Fastest
      policies: [{type: Pods, value: 0, periodSeconds: 1801}]
    scaleDown:
      policies: []
"#,
    )
    .unwrap_err();
    let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    let expect = [
        "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
        "spec.maxReplicas: Invalid value: 0: must be greater than 0",
        "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
        "spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas",
        "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600",
        "spec.behavior.scaleUp.selectPolicy: Unsupported value: \"Fastest\": supported values: \"Disabled\", \"Max\", \"Min\"",
        "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero",
        "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800",
        "spec.behavior.scaleDown.policies: Required value: must specify at least one Policy",
    ];
    for e in expect {
        assert!(text.iter().any(|t| t == e), "missing {e:?} in {text:#?}");
    }
    assert!(errs.iter().all(|e| e.origin.is_some()), "{errs:?}");
}

#[test]
fn scale_to_zero_gate_allows_min_zero_with_external_metric() {
    let doc = parse_stream(
        r#"
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}
  minReplicas: 0
  maxReplicas: 5
  metrics:
  - type: External
    external: {metric: {name: q}, target: {type: Value, value: 10}}
"#,
        &Arc::from("h.yaml"),
    )
    .unwrap()
    .remove(0);
    let opts = ValidationOptions {
        scale_to_zero: true,
    };
    let spec = HpaSpec::from_manifest(&doc.root, &DeContext::new(false, true), &opts).unwrap();
    assert_eq!(spec.min_replicas, 0);
    assert!(spec.validate(&opts).is_empty());
    assert_eq!(spec.validate(&ValidationOptions::default()).len(), 1);
}

#[test]
fn unknown_fields_are_notes_not_errors() {
    let doc = parse_stream(
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}\n  maxReplicas: 3\n  minReplica: 2\n",
        &Arc::from("h.yaml"),
    )
    .unwrap()
    .remove(0);
    let cx = DeContext::new(false, true);
    let spec = HpaSpec::from_manifest(&doc.root, &cx, &ValidationOptions::default()).unwrap();
    assert_eq!(spec.min_replicas, 1);
    let notes = cx.take_notes();
    assert_eq!(notes[0].path, "spec.minReplica");
    assert!(
        notes[0].message.contains("did you mean `minReplicas`"),
        "{notes:?}"
    );
}

#[test]
fn selector_formats_like_go() {
    let sel = LabelSelector {
        match_labels: [
            ("b".to_string(), "2".to_string()),
            ("a".to_string(), "1".to_string()),
        ]
        .into_iter()
        .collect(),
        match_expressions: vec![LabelSelectorRequirement {
            key: "tier".into(),
            operator: "In".into(),
            values: vec!["x".into(), "y".into()],
        }],
    };
    assert_eq!(
        sel.to_string(),
        "&LabelSelector{MatchLabels:map[string]string{a: 1,b: 2,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:tier,Operator:In,Values:[x y],},},}"
    );
    assert_eq!(go_selector_string(None), "nil");
}
