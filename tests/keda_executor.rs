//! Ported from kedacore/keda v2.18.3, `pkg/scaling/executor/scale_scaledobjects_test.go`
//! (every test), as a table run against `keda::executor::request_scale`; plus scalesim's own
//! cases for the branches upstream does not test (named `scalesim_*`).
//!
//! Upstream's fake ScaledObjects have a zero `creationTimestamp`, which the executor replaces
//! by `time.Now()` just before comparing with a later `time.Now()`; here the object is created
//! at 0 s and the call happens at 10 s.

use std::sync::Arc;

use scalesim::keda::executor::{request_scale, Decision, ScaleRequest};
use scalesim::keda::scaledobject::ScaledObject;
use scalesim::keda::status::{ConditionStatus, EventType, ScaledObjectStatus};
use scalesim::time::SimTime;
use scalesim::yaml::de::DeContext;
use scalesim::yaml::parse_stream;

struct Case {
    name: &'static str,
    annotations: &'static [(&'static str, &'static str)],
    min: Option<i32>,
    idle: Option<i32>,
    max: Option<i32>,
    fallback_replicas: Option<i32>,
    current: i32,
    is_active: bool,
    is_error: bool,
    active_triggers: &'static [&'static str],
    /// Upstream leaves `Status.Conditions` nil in TestEventWitTriggerInfo.
    scale_target_kind: &'static str,
    last_active: Option<u64>,
    want_write: Option<i32>,
    want_replicas: i32,
    want_active: ConditionStatus,
    want_active_reason: Option<&'static str>,
    want_active_message: Option<&'static str>,
    want_event: Option<&'static str>,
    want_decision: Decision,
}

const BASE: Case = Case {
    name: "",
    annotations: &[],
    min: None,
    idle: None,
    max: None,
    fallback_replicas: None,
    current: 0,
    is_active: false,
    is_error: false,
    active_triggers: &[],
    scale_target_kind: "",
    last_active: None,
    want_write: None,
    want_replicas: 0,
    want_active: ConditionStatus::Unknown,
    want_active_reason: None,
    want_active_message: None,
    want_event: None,
    want_decision: Decision::NoChange,
};

fn scaled_object(c: &Case) -> ScaledObject {
    let mut y = String::from(
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: name\n  namespace: namespace\n",
    );
    if !c.annotations.is_empty() {
        y.push_str("  annotations:\n");
        for (k, v) in c.annotations {
            y.push_str(&format!("    {k}: \"{v}\"\n"));
        }
    }
    y.push_str("spec:\n  scaleTargetRef: {name: name}\n");
    for (k, v) in [
        ("minReplicaCount", c.min),
        ("idleReplicaCount", c.idle),
        ("maxReplicaCount", c.max),
    ] {
        if let Some(v) = v {
            y.push_str(&format!("  {k}: {v}\n"));
        }
    }
    if let Some(r) = c.fallback_replicas {
        y.push_str(&format!(
            "  fallback: {{failureThreshold: 3, replicas: {r}}}\n"
        ));
    }
    y.push_str("  triggers:\n  - type: redis\n    metadata: {address: \"r:6379\", listName: q}\n");
    let docs = parse_stream(&y, &Arc::from("t.yaml")).unwrap();
    ScaledObject::from_node(&docs[0].root, &DeContext::new(false, true)).unwrap()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "TestScaleToMinReplicasWhenNotActive",
            min: Some(0),
            current: 10,
            want_write: Some(0),
            want_replicas: 0,
            want_active: ConditionStatus::False,
            want_decision: Decision::Deactivated,
            ..BASE
        },
        Case {
            name: "TestScaleToMinReplicasFromLowerInitialReplicaCount",
            min: Some(5),
            current: 1,
            want_write: Some(5),
            want_replicas: 5,
            want_active: ConditionStatus::False,
            want_decision: Decision::RaisedToMin,
            ..BASE
        },
        Case {
            name: "TestScaleFromMinReplicasWhenActive",
            min: Some(0),
            current: 0,
            is_active: true,
            want_write: Some(1),
            want_replicas: 1,
            want_active: ConditionStatus::True,
            want_active_reason: Some("ScalerActive"),
            want_active_message: Some("Scaling is performed because triggers are active"),
            want_decision: Decision::Activated,
            ..BASE
        },
        Case {
            name: "TestScaleToIdleReplicasWhenNotActive",
            idle: Some(0),
            min: Some(5),
            current: 10,
            want_write: Some(0),
            want_replicas: 0,
            want_active: ConditionStatus::False,
            want_decision: Decision::Deactivated,
            ..BASE
        },
        Case {
            name: "TestScaleFromIdleToMinReplicasWhenActive",
            idle: Some(0),
            min: Some(5),
            current: 0,
            is_active: true,
            want_write: Some(5),
            want_replicas: 5,
            want_active: ConditionStatus::True,
            want_active_reason: Some("ScalerActive"),
            want_active_message: Some("Scaling is performed because triggers are active"),
            want_decision: Decision::Activated,
            ..BASE
        },
        Case {
            name: "TestScaleToPausedReplicasCount",
            annotations: &[("autoscaling.keda.sh/paused-replicas", "0")],
            current: 2,
            is_active: true,
            want_write: Some(0),
            want_replicas: 0,
            want_active: ConditionStatus::Unknown,
            want_decision: Decision::PausedReplicas(0),
            ..BASE
        },
        Case {
            name: "TestEventWitTriggerInfo",
            idle: Some(0),
            min: Some(5),
            current: 2,
            is_active: true,
            active_triggers: &["testTrigger"],
            want_write: Some(5),
            want_replicas: 5,
            want_active: ConditionStatus::True,
            want_event: Some(
                "Normal KEDAScaleTargetActivated Scaled  namespace/name from 2 to 5, triggered by testTrigger",
            ),
            want_decision: Decision::Activated,
            ..BASE
        },
        Case {
            name: "TestNoScaleToMinReplicasWhenNotActiveAndPauseScaleInAnnotationSet",
            annotations: &[("autoscaling.keda.sh/paused-scale-in", "true")],
            min: Some(0),
            current: 10,
            want_replicas: 10,
            want_active: ConditionStatus::False,
            want_decision: Decision::ScaleInPaused,
            ..BASE
        },
        Case {
            name: "TestNoScaleToIdleReplicasWhenNotActiveAndPauseScaleInAnnotationSet",
            annotations: &[("autoscaling.keda.sh/paused-scale-in", "true")],
            idle: Some(0),
            min: Some(5),
            current: 10,
            want_replicas: 10,
            want_active: ConditionStatus::False,
            want_decision: Decision::ScaleInPaused,
            ..BASE
        },
        Case {
            name: "TestScaleFromMinReplicasWhenActivationForced",
            annotations: &[("autoscaling.keda.sh/force-activation", "true")],
            min: Some(0),
            current: 0,
            want_write: Some(1),
            want_replicas: 1,
            want_active: ConditionStatus::True,
            want_active_reason: Some("ScalerActive"),
            want_active_message: Some(
                "Scaling is performed because activation is being forced by annotation",
            ),
            want_decision: Decision::Activated,
            ..BASE
        },
        Case {
            name: "TestNoScaleFromMinReplicasWhenActiveAndPausedScaleOutAnnotationSet",
            annotations: &[("autoscaling.keda.sh/paused-scale-out", "true")],
            min: Some(0),
            current: 0,
            is_active: true,
            want_replicas: 0,
            want_active: ConditionStatus::True,
            want_decision: Decision::ScaleOutPaused,
            ..BASE
        },
        Case {
            name: "TestNoScaleFromIdleReplicasToMinReplicasWhenActiveAndPausedScaleOutAnnotationSet",
            annotations: &[("autoscaling.keda.sh/paused-scale-out", "true")],
            idle: Some(0),
            min: Some(5),
            max: Some(10),
            current: 0,
            is_active: true,
            want_replicas: 0,
            want_active: ConditionStatus::True,
            want_decision: Decision::ScaleOutPaused,
            ..BASE
        },
        // scalesim's own cases for branches upstream leaves untested.
        Case {
            name: "scalesim_cooldown_not_elapsed",
            min: Some(0),
            current: 4,
            last_active: Some(0),
            want_replicas: 4,
            want_active: ConditionStatus::False,
            want_active_reason: Some("ScalerCooldown"),
            want_decision: Decision::CoolingDown,
            ..BASE
        },
        Case {
            name: "scalesim_error_without_fallback_sets_ready_false",
            min: Some(0),
            current: 4,
            is_error: true,
            want_replicas: 4,
            want_active: ConditionStatus::False,
            want_decision: Decision::TriggerError,
            ..BASE
        },
        Case {
            name: "scalesim_error_with_fallback_keeps_replicas",
            min: Some(0),
            current: 4,
            is_error: true,
            fallback_replicas: Some(3),
            want_replicas: 4,
            want_active: ConditionStatus::False,
            want_decision: Decision::ErrorWithFallback,
            ..BASE
        },
        Case {
            name: "scalesim_error_with_fallback_zero_scales_to_zero",
            min: Some(0),
            current: 4,
            is_error: true,
            fallback_replicas: Some(0),
            want_write: Some(0),
            want_replicas: 0,
            want_active: ConditionStatus::False,
            want_decision: Decision::Deactivated,
            ..BASE
        },
        Case {
            name: "scalesim_active_with_error_does_not_refresh_last_active_time",
            min: Some(0),
            current: 4,
            is_active: true,
            is_error: true,
            want_replicas: 4,
            want_active: ConditionStatus::True,
            want_decision: Decision::PartialTriggerError,
            ..BASE
        },
        Case {
            name: "scalesim_unparseable_paused_replicas",
            annotations: &[("autoscaling.keda.sh/paused-replicas", "two")],
            current: 4,
            want_replicas: 4,
            want_active: ConditionStatus::Unknown,
            want_decision: Decision::PausedReplicasInvalid,
            ..BASE
        },
        Case {
            name: "scalesim_non_boolean_force_activation_counts_as_true",
            annotations: &[("autoscaling.keda.sh/force-activation", "yes")],
            current: 0,
            want_write: Some(1),
            want_replicas: 1,
            want_active: ConditionStatus::True,
            want_decision: Decision::Activated,
            ..BASE
        },
        Case {
            name: "scalesim_min_above_zero_never_deactivates",
            min: Some(2),
            current: 7,
            want_replicas: 7,
            want_active: ConditionStatus::False,
            want_decision: Decision::NoChange,
            ..BASE
        },
    ]
}

#[test]
fn scale_scaledobjects_test_go() {
    let mut failures = Vec::new();
    for c in cases() {
        let so = scaled_object(&c);
        let mut status = ScaledObjectStatus {
            scale_target_kind: c.scale_target_kind.to_string(),
            last_active_time: c.last_active.map(SimTime::from_secs),
            ..ScaledObjectStatus::default()
        };
        let triggers: Vec<String> = c.active_triggers.iter().map(|s| s.to_string()).collect();
        let r = request_scale(
            &so,
            &mut status,
            &ScaleRequest {
                is_active: c.is_active,
                is_error: c.is_error,
                active_triggers: &triggers,
                current_replicas: c.current,
                now: SimTime::from_secs(10),
                created_at: SimTime::ZERO,
            },
        );
        let mut check = |ok: bool, what: String| {
            if !ok {
                failures.push(format!("{}: {what}", c.name));
            }
        };
        check(
            r.write == c.want_write,
            format!("write {:?}, want {:?}", r.write, c.want_write),
        );
        let replicas = r.write.unwrap_or(c.current);
        check(replicas == c.want_replicas, format!("replicas {replicas}"));
        let a = &status.conditions.active;
        check(a.status == c.want_active, format!("Active {:?}", a.status));
        if let Some(reason) = c.want_active_reason {
            check(a.reason == reason, format!("reason {}", a.reason));
        }
        if let Some(msg) = c.want_active_message {
            check(a.message == msg, format!("message {}", a.message));
        }
        if let Some(want) = c.want_event {
            let got = r.events.first().map(|e| {
                let t = match e.event_type {
                    EventType::Normal => "Normal",
                    EventType::Warning => "Warning",
                };
                format!("{t} {} {}", e.reason, e.message)
            });
            check(got.as_deref() == Some(want), format!("event {got:?}"));
        }
        check(
            r.decision == c.want_decision,
            format!("decision {:?}", r.decision),
        );
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
