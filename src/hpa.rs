//! The Kubernetes HorizontalPodAutoscaler controller (`autoscaling/v2`) as a pure library.
//!
//! One call of [`reconcile`] is one pass of kube-controller-manager's HPA controller
//! (`reconcileAutoscaler` in `pkg/controller/podautoscaler/horizontal.go`) for one HPA: read
//! the target's scale, compute a proposal per metric (`replica_calculator.go`), take the
//! maximum, stabilize it, rate-limit and clamp it, decide whether to rescale, and rebuild the
//! status with its conditions. The simulator calls it every
//! [`sync_period`](ControllerConfig::sync_period); nothing here schedules, sleeps or reads a
//! clock, and nothing that shapes a result iterates a hash map, so equal inputs give equal
//! outputs.
//!
//! # Fidelity
//!
//! The port follows kubernetes/kubernetes `master` as of 2026 (files read through the fork
//! `omerap12/kubernetes`: `horizontal.go` and `replica_calculator.go` at
//! `a769d5884497dc246960b38f3e5aae2cc30dd062`, `horizontal_test.go` at
//! `060da1681551ba64d82dad3c8d4246ab81760d4d`), with the behaviour that changed between
//! releases behind switches of [`ControllerConfig`] (see its table). `ControllerConfig::default()`
//! is v1.35 with production flag values; [`ControllerConfig::upstream_test`] gives the values
//! the upstream unit tests run with (scale-up limit factor 8, CPU initialization 2m, readiness
//! delay 10s). 359 upstream test cases are ported as data in `tests/hpa_*.rs` (see the README's
//! table).
//!
//! Exact on purpose: integer milli-unit arithmetic with Go's truncating division, float64
//! ratios, `ceil` for proposals and the Percent scale-up limit, truncation for the Percent
//! scale-down limit, inclusive legacy window versus strict behavior windows and policy
//! periods, the recommendation seeding rule (`None` versus an empty list), the reuse of the
//! last outdated scale-event slot, condition order and `lastTransitionTime` rules, event
//! reasons and messages, metric names (`external metric q(&LabelSelector{...})`).
//!
//! Known differences from upstream, all outside the numbers:
//!
//! * Go's float-to-int conversions of out-of-range values are platform-defined; here they
//!   saturate (recent upstream has explicit `MaxInt32`/`MaxInt64` guards with the same result).
//! * Upstream reads `time.Now()` several times per pass; one instant is used here. Entries
//!   exactly one window old are therefore judged exactly at the boundary, which never happens
//!   in a cluster (passes drift by the processing time). A simulator ticking every 15s may
//!   want a small drift.
//! * Text of label-selector parse errors (`labels.Parse`, `LabelSelectorAsSelector`) is
//!   close to upstream's, not guaranteed identical.
//! * [`MetricsClient::get_resource_metric`] returns per-pod values; an empty list is
//!   reported as "no metrics returned from resource metrics API", also when upstream's API
//!   returned items that all lacked the requested container (upstream would report "did not
//!   receive metrics for targeted pods").
//! * A Pods metric whose target is not an AverageValue (impossible through the API server)
//!   makes upstream dereference nil; here it is an invalid metric.
//! * Not modelled: `status.observedGeneration` (`HPAGeneration`), REST mapping failures,
//!   update conflicts and `RetryOnConflict`, the `FailedUpdateStatus` event; status
//!   quantities are milli-units, not formatted Quantities.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use scalesim::hpa::*;
//! use scalesim::time::SimTime;
//! use scalesim::yaml::{de::DeContext, parse_stream};
//!
//! let manifest = r#"
//! apiVersion: autoscaling/v2
//! kind: HorizontalPodAutoscaler
//! metadata: {name: worker, namespace: jobs}
//! spec:
//!   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: worker}
//!   minReplicas: 1
//!   maxReplicas: 10
//!   metrics:
//!   - type: External
//!     external:
//!       metric: {name: s0-redis-celery, selector: {matchLabels: {scaledobject.keda.sh/name: worker}}}
//!       target: {type: AverageValue, averageValue: "5"}
//! "#;
//! let doc = parse_stream(manifest, &Arc::from("hpa.yaml")).unwrap().remove(0);
//! let spec = HpaSpec::from_manifest(&doc.root, &DeContext::new(false, true), &ValidationOptions::default())
//!     .expect("a valid HPA");
//!
//! /// Serves the queue length as the external metric, in milli-units (KEDA's Redis scaler does).
//! struct Queue(i64);
//! impl MetricsClient for Queue {
//!     fn get_external_metric(&mut self, _: &str, _: &str, _: Option<&LabelSelector>) -> Result<Vec<i64>, String> {
//!         Ok(vec![self.0 * 1000])
//!     }
//!     fn get_resource_metric(&mut self, _: &str, _: &str, _: &str, _: &str) -> Result<Vec<PodMetric>, String> {
//!         Err("not served".into())
//!     }
//!     fn get_raw_metric(&mut self, _: &str, _: &str, _: &str, _: Option<&LabelSelector>) -> Result<Vec<PodMetric>, String> {
//!         Err("not served".into())
//!     }
//!     fn get_object_metric(&mut self, _: &str, _: &str, _: &ObjectRef, _: Option<&LabelSelector>) -> Result<(i64, SimTime), String> {
//!         Err("not served".into())
//!     }
//! }
//!
//! let config = ControllerConfig::default(); // v1.35, production flags
//! let mut state = HpaState::new();
//! let pods = vec![PodInfo::running("worker-0", SimTime::ZERO, 500)];
//!
//! // 42 queued tasks at 5 per pod want ceil(42/5) = 9 replicas, but without `behavior` the
//! // legacy limit allows max(2 * 1, 4) = 4 per pass.
//! let out = reconcile(&spec, &config, &mut state, &ScaleInfo::new(1, "app=worker"), &pods, &mut Queue(42), SimTime::from_secs(15));
//! assert!(out.rescale);
//! assert_eq!(out.desired_replicas, 4);
//! assert_eq!(
//!     out.events[0].message,
//!     "New size: 4; reason: external metric s0-redis-celery(&LabelSelector{MatchLabels:map[string]string{scaledobject.keda.sh/name: worker,},MatchExpressions:[]LabelSelectorRequirement{},}) above target"
//! );
//! assert_eq!(out.status.condition(ConditionType::ScalingLimited).unwrap().reason, "ScaleUpLimit");
//!
//! // Each later pass may double the count: 4 -> 8 -> 9, then the metric is on target.
//! let mut sizes = vec![1, out.desired_replicas];
//! for pass in 2..5 {
//!     let current = *sizes.last().unwrap();
//!     let now = SimTime::from_secs(15 * pass);
//!     let out = reconcile(&spec, &config, &mut state, &ScaleInfo::new(current, "app=worker"), &pods, &mut Queue(42), now);
//!     // The trace says why, and serializes for an `explain` view.
//!     assert_eq!(out.trace.metrics[0].basis.as_ref().unwrap().which, "status");
//!     assert!(serde_json::to_string(&out.trace).is_ok());
//!     sizes.push(out.desired_replicas);
//! }
//! assert_eq!(sizes, [1, 4, 8, 9, 9]);
//! ```

pub mod calc;
pub mod config;
pub mod controller;
pub mod metrics;
pub mod normalize;
pub mod selector;
pub mod spec;
pub mod state;
pub mod trace;

pub use calc::{ReplicaCalculator, Tolerances};
pub use config::{ControllerConfig, KubeVersion, ToleranceForm, ZeroReplicasRule};
pub use controller::{reconcile, tolerances_for_hpa};
pub use metrics::{
    aggregate_pod_metrics, ContainerRequests, ContainerUsage, MetricsClient, PodInfo, PodMetric,
    PodPhase, RawPodMetrics, ReadyCondition, ScaleFaults, ScaleInfo,
};
pub use spec::{
    default_scale_down_rules, default_scale_up_rules, generate_scale_down_rules,
    generate_scale_up_rules, go_selector_string, Behavior, HpaSpec, LabelSelector,
    LabelSelectorRequirement, MetricIdentifier, MetricSpec, MetricTarget, ObjectRef,
    PartialScalingRules, PolicyType, RawBehavior, RawLabelSelector, RawScalingRules, ScalingPolicy,
    ScalingRules, SelectPolicy, SpecError, ValidationOptions,
};
pub use state::{
    Condition, ConditionStatus, ConditionType, HpaState, HpaStatus, MetricStatus,
    MetricValueStatus, ScaleEvent, TimestampedRecommendation,
};
pub use trace::{DecisionTrace, EventType, HpaEvent, PassPath, ReconcileOutcome};
