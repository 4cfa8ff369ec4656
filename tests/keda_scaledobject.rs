//! Ported from kedacore/keda v2.18.3, `apis/keda/v1alpha1/scaledobject_types_test.go`
//! (TestCheckFallbackValid, TestHasPausedAnnotation, TestNeedToBePausedByAnnotation,
//! TestIsUsingModifiers, TestCheckReplicaCountBoundsAreValid, TestGetHPAReplicas) and the
//! scalingModifiers cases of `scaledobject_webhook_test.go`; plus scalesim's own cases for
//! parsing, located errors, metadata-key warnings and `--set` overrides.

use std::sync::Arc;

use scalesim::keda::compiled::{CompiledScaledObject, ScalerInputs};
use scalesim::keda::scaledobject::{PauseMode, ScaledObject};
use scalesim::yaml::de::DeContext;
use scalesim::yaml::path::{apply, parse_override};
use scalesim::yaml::{parse_stream, Node, Origin, Pos};

fn node(yaml: &str) -> Node {
    parse_stream(yaml, &Arc::from("so.yaml"))
        .unwrap()
        .remove(0)
        .root
}

fn so_from(yaml: &str) -> ScaledObject {
    ScaledObject::from_node(&node(yaml), &DeContext::new(false, true)).unwrap()
}

/// A ScaledObject with `spec_extra` lines under `spec` and the given triggers block.
fn so(annotations: &[(&str, &str)], spec_extra: &str, triggers: &str) -> ScaledObject {
    so_from(&yaml(annotations, spec_extra, triggers))
}

fn yaml(annotations: &[(&str, &str)], spec_extra: &str, triggers: &str) -> String {
    let mut y =
        String::from("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: so\n");
    if !annotations.is_empty() {
        y.push_str("  annotations:\n");
        for (k, v) in annotations {
            y.push_str(&format!("    {k}: \"{v}\"\n"));
        }
    }
    y.push_str("spec:\n  scaleTargetRef: {name: worker}\n");
    for line in spec_extra.lines() {
        y.push_str(&format!("  {line}\n"));
    }
    y.push_str(&format!("  triggers:\n{triggers}"));
    y
}

/// (upstream case name, annotations, expected).
type AnnotationCase = (&'static str, &'static [(&'static str, &'static str)], bool);

const COUCHDB: &str = "  - {type: couchdb}\n";
const REDIS: &str = "  - {type: redis, metadata: {address: \"redis:6379\", listName: celery}}\n";

#[test]
fn check_fallback_valid() {
    // (name, spec_extra, triggers, expected error substring)
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        ("No fallback configured", "", COUCHDB, None),
        (
            "Explicit AverageValue metricType - valid",
            "fallback: {failureThreshold: 3, replicas: 1}",
            "  - {type: couchdb, metricType: AverageValue}\n",
            None,
        ),
        (
            "Implicit AverageValue metricType (empty string) - valid",
            "fallback: {failureThreshold: 3, replicas: 1}",
            "  - {type: couchdb, metricType: \"\"}\n",
            None,
        ),
        (
            "Value metricType - valid",
            "fallback: {failureThreshold: 3, replicas: 1}",
            "  - {type: couchdb, metricType: Value}\n",
            None,
        ),
        (
            "Multiple triggers with one valid AverageValue - valid",
            "fallback: {failureThreshold: 3, replicas: 1}",
            "  - {type: prometheus, metricType: Value}\n  - {type: couchdb, metricType: AverageValue}\n",
            None,
        ),
        (
            "CPU trigger - invalid",
            "fallback: {failureThreshold: 3, replicas: 1}",
            "  - {type: cpu, metricType: AverageValue}\n",
            Some("type for the fallback to be enabled"),
        ),
        (
            "Memory trigger - invalid",
            "fallback: {failureThreshold: 3, replicas: 1}",
            "  - {type: memory, metricType: AverageValue}\n",
            Some("type for the fallback to be enabled"),
        ),
        (
            "Multiple triggers with one CPU and one valid - valid",
            "fallback: {failureThreshold: 3, replicas: 1}",
            "  - {type: cpu, metricType: Utilization}\n  - {type: couchdb, metricType: AverageValue}\n",
            None,
        ),
        (
            "Negative FailureThreshold - invalid",
            "fallback: {failureThreshold: -1, replicas: 1}",
            "  - {type: couchdb, metricType: AverageValue}\n",
            Some("must both be greater than or equal to 0"),
        ),
        (
            "Negative Replicas - invalid",
            "fallback: {failureThreshold: 3, replicas: -1}",
            "  - {type: couchdb, metricType: AverageValue}\n",
            Some("must both be greater than or equal to 0"),
        ),
        (
            "Using ScalingModifiers with AverageValue MetricType - valid",
            "fallback: {failureThreshold: 3, replicas: 1}\nadvanced: {scalingModifiers: {metricType: AverageValue, formula: \"x * 2\"}}",
            COUCHDB,
            None,
        ),
        (
            "Using ScalingModifiers with Value MetricType - valid",
            "fallback: {failureThreshold: 3, replicas: 1}\nadvanced: {scalingModifiers: {metricType: Value, formula: \"x * 2\"}}",
            COUCHDB,
            None,
        ),
    ];
    for (name, extra, triggers, want) in cases {
        let r = so(&[], extra, triggers).check_fallback_valid();
        match (r, want) {
            (Ok(()), None) => {}
            (Err(e), Some(w)) => assert!(e.message.contains(w), "{name}: {}", e.message),
            (r, w) => panic!("TestCheckFallbackValid {name}: got {r:?}, want {w:?}"),
        }
    }
}

#[test]
fn has_paused_annotation() {
    let cases: &[AnnotationCase] = &[
        ("No annotations", &[], false),
        (
            "Has PausedAnnotation only",
            &[("autoscaling.keda.sh/paused", "true")],
            true,
        ),
        (
            "Has PausedReplicasAnnotation only",
            &[("autoscaling.keda.sh/paused-replicas", "5")],
            true,
        ),
        (
            "Has both annotations",
            &[
                ("autoscaling.keda.sh/paused", "true"),
                ("autoscaling.keda.sh/paused-replicas", "5"),
            ],
            true,
        ),
        (
            "Has other annotations but not paused ones",
            &[("some-other-annotation", "value")],
            false,
        ),
    ];
    for (name, ann, want) in cases {
        assert_eq!(
            so(ann, "", REDIS).has_paused_annotation(),
            *want,
            "TestHasPausedAnnotation {name}"
        );
    }
}

#[test]
fn need_to_be_paused_by_annotation() {
    // Upstream's status.pausedReplicaCount column does not influence the result.
    let cases: &[AnnotationCase] = &[
        ("No annotations", &[], false),
        (
            "PausedAnnotation with true value",
            &[("autoscaling.keda.sh/paused", "true")],
            true,
        ),
        (
            "PausedAnnotation with false value",
            &[("autoscaling.keda.sh/paused", "false")],
            false,
        ),
        (
            "PausedAnnotation with invalid value",
            &[("autoscaling.keda.sh/paused", "invalid")],
            true,
        ),
        (
            "PausedReplicasAnnotation with value and status set",
            &[("autoscaling.keda.sh/paused-replicas", "5")],
            true,
        ),
        (
            "PausedReplicasAnnotation with value but no status set",
            &[("autoscaling.keda.sh/paused-replicas", "5")],
            true,
        ),
        (
            "Both annotations set",
            &[
                ("autoscaling.keda.sh/paused", "true"),
                ("autoscaling.keda.sh/paused-replicas", "5"),
            ],
            true,
        ),
        (
            "Both annotations set, PausedAnnotation false",
            &[
                ("autoscaling.keda.sh/paused", "false"),
                ("autoscaling.keda.sh/paused-replicas", "5"),
            ],
            true,
        ),
    ];
    for (name, ann, want) in cases {
        let s = so(ann, "", REDIS);
        assert_eq!(
            s.need_to_be_paused_by_annotation(),
            *want,
            "TestNeedToBePausedByAnnotation {name}"
        );
    }
    let s = so(&[("autoscaling.keda.sh/paused-replicas", "5")], "", REDIS);
    assert_eq!(s.pause_mode(), PauseMode::PausedReplicas(5));
    let s = so(
        &[("autoscaling.keda.sh/paused-replicas", "five")],
        "",
        REDIS,
    );
    assert_eq!(s.pause_mode(), PauseMode::Paused);
    let s = so(&[("autoscaling.keda.sh/paused", "False")], "", REDIS);
    assert_eq!(s.pause_mode(), PauseMode::None);
}

#[test]
fn is_using_modifiers() {
    let cases: &[(&str, &str, bool)] = &[
        ("No Advanced config", "", false),
        (
            "Empty ScalingModifiers",
            "advanced: {scalingModifiers: {}}",
            false,
        ),
        (
            "Has ScalingModifiers formula",
            "advanced: {scalingModifiers: {formula: \"x * 2\"}}",
            true,
        ),
        (
            "Has ScalingModifiers target",
            "advanced: {scalingModifiers: {target: \"100\"}}",
            true,
        ),
    ];
    for (name, extra, want) in cases {
        assert_eq!(
            so(&[], extra, REDIS).is_using_modifiers(),
            *want,
            "TestIsUsingModifiers {name}"
        );
    }
}

#[test]
fn check_replica_count_bounds_are_valid() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "Valid: min 1, max 5, no idle",
            "minReplicaCount: 1\nmaxReplicaCount: 5",
            None,
        ),
        (
            "Valid: min 1, max 5, idle 0",
            "minReplicaCount: 1\nmaxReplicaCount: 5\nidleReplicaCount: 0",
            None,
        ),
        (
            "Invalid: min 2 > max 1",
            "minReplicaCount: 2\nmaxReplicaCount: 1",
            Some("MinReplicaCount=2 must be less than MaxReplicaCount=1"),
        ),
        (
            "Invalid: idle 1 == min 1",
            "minReplicaCount: 1\nmaxReplicaCount: 5\nidleReplicaCount: 1",
            Some("IdleReplicaCount=1 must be less than MinReplicaCount=1"),
        ),
        (
            "Invalid: idle 2 > min 1",
            "minReplicaCount: 1\nmaxReplicaCount: 5\nidleReplicaCount: 2",
            Some("IdleReplicaCount=2 must be less than MinReplicaCount=1"),
        ),
        // scalesim: the quirks of the effective minimum.
        (
            "scalesim: idle without min is rejected",
            "idleReplicaCount: 0",
            Some("IdleReplicaCount=0 must be less than MinReplicaCount=0"),
        ),
        (
            "scalesim: explicit min 0 counts as 1",
            "minReplicaCount: 0\nidleReplicaCount: 0",
            None,
        ),
        (
            "scalesim: min 0, max 0",
            "minReplicaCount: 0\nmaxReplicaCount: 0",
            Some("MinReplicaCount=1 must be less than MaxReplicaCount=0"),
        ),
    ];
    for (name, extra, want) in cases {
        let r = so(&[], extra, REDIS).check_replica_count_bounds();
        match (r, want) {
            (Ok(()), None) => {}
            (Err(e), Some(w)) => assert!(e.message.ends_with(w), "{name}: {}", e.message),
            (r, w) => panic!("TestCheckReplicaCountBoundsAreValid {name}: got {r:?}, want {w:?}"),
        }
    }
}

#[test]
fn get_hpa_replicas() {
    let cases: &[(&str, &str, i32, i32)] = &[
        ("Default min and max", "", 1, 100),
        ("Custom min, default max", "minReplicaCount: 5", 5, 100),
        ("Default min, custom max", "maxReplicaCount: 10", 1, 10),
        (
            "Custom min and max",
            "minReplicaCount: 5\nmaxReplicaCount: 10",
            5,
            10,
        ),
        ("Zero min, default max", "minReplicaCount: 0", 1, 100),
    ];
    for (name, extra, min, max) in cases {
        let s = so(&[], extra, REDIS);
        assert_eq!(
            (s.hpa_min_replicas(), s.hpa_max_replicas()),
            (*min, *max),
            "TestGetHPAReplicas {name}"
        );
    }
}

fn compile_errors(y: &str) -> Vec<String> {
    match CompiledScaledObject::from_node(
        &node(y),
        &DeContext::new(false, true),
        &ScalerInputs::default(),
    ) {
        Ok(_) => Vec::new(),
        Err(errs) => errs.into_iter().map(|e| e.message).collect(),
    }
}

#[test]
fn scaling_modifiers_webhook_cases() {
    let t = "  - {type: redis, name: workload_trig, metadata: {address: \"r:6379\", listName: a}}\n  - {type: redis, name: cron_trig, metadata: {address: \"r:6379\", listName: b}}\n  - {type: redis, name: trig_one, metadata: {address: \"r:6379\", listName: c}}\n  - {type: redis, name: trig_two, metadata: {address: \"r:6379\", listName: d}}\n";
    let ok = [
        "should validate the so creation with ScalingModifiers.Formula",
        "should validate the so creation with ScalingModifiers when formula triggers do have names but not all triggers",
        "should validate the so creation with ScalingModifiers when formula casts to float already",
        "should validate the so creation with ScalingModifiers.Formula - casting float from ternary operator",
        "should validate the so creation with ScalingModifiers.Formula - ternary operator without casting float",
        "should validate the so creation with ScalingModifiers.Formula - complex ternary",
        "should validate the so creation with ScalingModifiers.Formula - double float cast",
    ];
    let formulas = [
        "workload_trig + cron_trig",
        "workload_trig + 1",
        "float(workload_trig + 1)",
        "float(workload_trig < 5 ? cron_trig + workload_trig : 5)",
        "workload_trig < 5 ? cron_trig + workload_trig : 5",
        "float(trig_one < 2 ? trig_one+trig_two >= 2 ? 5 : 10 : 0)",
        "float(float(trig_two < 5 ? trig_one + trig_two : 5))",
    ];
    for (name, f) in ok.iter().zip(formulas) {
        let y = yaml(
            &[],
            &format!("advanced: {{scalingModifiers: {{target: \"2\", formula: \"{f}\"}}}}"),
            t,
        );
        assert_eq!(compile_errors(&y), Vec::<String>::new(), "{name}");
    }
    let y = yaml(
        &[],
        "advanced: {scalingModifiers: {formula: \"workload_trig + cron_trig\"}}",
        t,
    );
    assert_eq!(
        compile_errors(&y),
        vec!["error validating formula in ScalingModifiers\nformula is given but target is empty"],
        "shouldnt validate the so creation with scalingModifiers.Formula but no target"
    );
    // count() is expr syntax scalesim does not evaluate: rejected with a clear message.
    let y = yaml(&[], "advanced: {scalingModifiers: {target: \"2\", formula: \"count([trig_one,trig_two],{#>1}) > 1 ? 5 : 0\"}}", t);
    let errs = compile_errors(&y);
    assert!(
        errs[0].contains("function count is not supported by scalesim"),
        "{errs:?}"
    );
    let y = yaml(
        &[],
        "advanced: {scalingModifiers: {target: \"-2\", formula: \"trig_one\"}}",
        t,
    );
    assert_eq!(
        compile_errors(&y),
        vec!["error validating target in ScalingModifiers\nerror converting target for scalingModifiers (string->float) to valid target: %!w(<nil>)"]
    );
    let y = yaml(
        &[],
        "advanced: {scalingModifiers: {target: \"2\", formula: \"trig_one + nope\"}}",
        t,
    );
    assert_eq!(
        compile_errors(&y),
        vec!["error validating formula in ScalingModifiers\nunknown name nope (1:18)\n | float(trig_one + nope)\n | .................^"]
    );
}

#[test]
fn errors_point_at_the_line_that_caused_them() {
    let y = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: so}\nspec:\n  scaleTargetRef: {name: worker}\n  minReplicaCount: 5\n  maxReplicaCount: 2\n  triggers:\n  - type: redis\n    metadata:\n      address: \"r:6379\"\n      listName: q\n      listLength: \"many\"\n";
    let errs = CompiledScaledObject::from_node(
        &node(y),
        &DeContext::new(false, true),
        &ScalerInputs::default(),
    )
    .unwrap_err();
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(errs[0].path, "spec.maxReplicaCount");
    assert!(matches!(
        errs[0].origin,
        Some(Origin::File {
            start: Pos { line: 7, .. },
            ..
        })
    ));
    assert_eq!(
        errs[0].message,
        "ScaledObject doesn't have correct Idle/Min/Max Replica Counts specification: MinReplicaCount=5 must be less than MaxReplicaCount=2"
    );
    assert_eq!(errs[1].path, "spec.triggers[0].metadata.listLength");
    assert!(matches!(
        errs[1].origin,
        Some(Origin::File {
            start: Pos { line: 13, .. },
            ..
        })
    ));
    assert!(errs[1]
        .message
        .contains("unable to set param \"listLength\" value \"many\""));
}

#[test]
fn unsupported_and_unknown_trigger_types_are_errors() {
    let errs = compile_errors(&yaml(
        &[],
        "",
        "  - {type: kafka, metadata: {topic: t}}\n  - {type: redis-list}\n",
    ));
    assert_eq!(
        errs,
        vec![
            "trigger type \"kafka\" is not supported by scalesim (supported: redis, redis-cluster, redis-sentinel, rabbitmq, prometheus)",
            "no scaler found for type: redis-list",
        ]
    );
    let errs = compile_errors(&yaml(&[], "", ""));
    assert_eq!(
        errs,
        vec!["no triggers defined in the ScaledObject/ScaledJob"]
    );
    let errs = compile_errors(&yaml(
        &[],
        "",
        "  - {type: redis, name: a, metadata: {address: \"r:6379\", listName: q}}\n  - {type: redis, name: a, metadata: {address: \"r:6379\", listName: p}}\n",
    ));
    assert_eq!(
        errs,
        vec!["triggerName \"a\" is defined multiple times in the ScaledObject/ScaledJob, but it must be unique"]
    );
    let errs = compile_errors(&yaml(
        &[],
        "",
        "  - {type: redis, metadata: {address: \"r:6379\", listName: q}}\n  - {type: redis, metadata: {address: \"r:6380\", listName: q}}\n",
    ));
    assert!(
        errs.is_empty(),
        "s0-/s1- prefixes keep metric names unique: {errs:?}"
    );
    let errs = compile_errors(&yaml(&[], "", "  - {type: redis, metricType: Utilization, metadata: {address: \"r:6379\", listName: q}}\n"));
    assert_eq!(
        errs,
        vec!["error getting scaler metric type: 'Utilization' metric type is unsupported for external metrics, allowed values are 'Value' or 'AverageValue'"]
    );
}

#[test]
fn unknown_metadata_keys_warn_and_overrides_of_them_fail() {
    let y = yaml(
        &[],
        "",
        "  - {type: redis, metadata: {address: \"r:6379\", listName: q, listLenght: \"10\"}}\n",
    );
    let c = CompiledScaledObject::from_node(
        &node(&y),
        &DeContext::new(false, true),
        &ScalerInputs::default(),
    )
    .unwrap();
    assert_eq!(c.notes.len(), 1);
    assert_eq!(c.notes[0].path, "spec.triggers[0].metadata.listLenght");
    assert_eq!(
        c.notes[0].message,
        "unknown metadata key `listLenght` for the redis scaler (did you mean `listLength`?): KEDA ignores it"
    );
    // The same key written by `--set` is an error that names it.
    let mut root = node(&yaml(&[], "", REDIS));
    let o = parse_override("ScaledObject/so:spec.triggers.0.metadata.listLenght=10", 0).unwrap();
    apply(&mut root, &o.path, o.value).unwrap();
    let errs = CompiledScaledObject::from_node(
        &root,
        &DeContext::new(false, true),
        &ScalerInputs::default(),
    )
    .unwrap_err();
    assert_eq!(errs[0].path, "spec.triggers[0].metadata.listLenght");
    assert_eq!(errs[0].origin, Some(Origin::Override(0)));
    assert!(errs[0].message.starts_with("unknown metadata key `listLenght` for the redis scaler (did you mean `listLength`?); expected one of: listLength, activationListLength"), "{}", errs[0].message);
    // A known key set by `--set` is fine.
    let mut root = node(&yaml(&[], "", REDIS));
    let o = parse_override("ScaledObject/so:spec.triggers.0.metadata.listLength=10", 0).unwrap();
    apply(&mut root, &o.path, o.value).unwrap();
    let c = CompiledScaledObject::from_node(
        &root,
        &DeContext::new(false, true),
        &ScalerInputs::default(),
    )
    .unwrap();
    assert_eq!(c.object.triggers[0].metric.target.milli_value(), 10_000);
}

#[test]
fn from_env_metadata_reads_the_target_container_environment() {
    let y = yaml(&[], "", "  - {type: redis, metadata: {addressFromEnv: REDIS_ADDR, passwordFromEnv: REDIS_PW, listName: celery}}\n");
    let inputs = ScalerInputs {
        resolved_env: [("REDIS_ADDR", "redis.jobs:6379"), ("REDIS_PW", " s3cret ")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..ScalerInputs::default()
    };
    let c =
        CompiledScaledObject::from_node(&node(&y), &DeContext::new(false, true), &inputs).unwrap();
    let scalesim::keda::scalers::Scaler::Redis(r) = &c.object.triggers[0].scaler else {
        panic!()
    };
    assert_eq!(r.metadata.connection.addresses, vec!["redis.jobs:6379"]);
    assert_eq!(r.metadata.connection.password, "s3cret");
    let errs = compile_errors(&y);
    assert!(errs[0].contains("no addresses or hosts given"), "{errs:?}");
}

#[test]
fn annotation_values_kubernetes_would_reject_or_keda_reads_oddly_are_noted() {
    let y = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: so\n  annotations:\n    autoscaling.keda.sh/paused-scale-in: yes\n    autoscaling.keda.sh/force-activation: true\nspec:\n  scaleTargetRef: {name: w}\n  triggers:\n  - {type: redis, metadata: {address: \"r:6379\", listName: q, listLength: 5}}\n";
    let cx = DeContext::new(false, true);
    let c = CompiledScaledObject::from_node(&node(y), &cx, &ScalerInputs::default()).unwrap();
    let de_notes = cx.take_notes();
    // Unquoted `true` and `5` are not strings: kubectl would refuse the manifest.
    assert_eq!(de_notes.len(), 2, "{de_notes:?}");
    assert!(de_notes.iter().all(|n| n.message.contains("kubectl apply")));
    assert_eq!(c.notes.len(), 1);
    assert!(c.notes[0]
        .message
        .contains("KEDA treats any unparseable value as true"));
    assert!(c.object.so.need_to_pause_scale_in());
}

#[test]
fn two_scaled_objects_may_not_share_a_workload_or_an_hpa() {
    use scalesim::keda::compiled::check_conflicts;
    let a = so_from("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: a}\nspec:\n  scaleTargetRef: {name: worker}\n  triggers: []\n");
    let b = so_from("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: b}\nspec:\n  scaleTargetRef: {name: worker, kind: Deployment, apiVersion: apps/v1}\n  triggers: []\n");
    let c = so_from("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: c}\nspec:\n  scaleTargetRef: {name: other}\n  advanced: {horizontalPodAutoscalerConfig: {name: keda-hpa-a}}\n  triggers: []\n");
    let d = so_from("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: d, namespace: elsewhere}\nspec:\n  scaleTargetRef: {name: worker}\n  triggers: []\n");
    let errs: Vec<String> = check_conflicts(&[&a, &b, &c, &d])
        .into_iter()
        .map(|e| e.message)
        .collect();
    assert_eq!(
        errs,
        vec![
            "the workload 'worker' of type 'apps/v1.Deployment' is already managed by the ScaledObject 'a'",
            "the HPA 'keda-hpa-a' is already managed by the ScaledObject 'a'",
        ]
    );
}
