//! What the controller remembers between passes, and the HPA status it writes.
//!
//! `HorizontalController` keeps three per-HPA maps in memory (`recommendations`,
//! `scaleUpEvents`, `scaleDownEvents`, `horizontal.go`); the status lives in the API object.
//! [`HpaState`] holds all four for one HPA. Everything is a `Vec` in insertion order, the order
//! upstream iterates its slices in.

use serde::{Serialize, Serializer};

use super::spec::{MetricIdentifier, ObjectRef};
use crate::time::{Dur, SimTime};

/// Serializes a [`SimTime`] as integer nanoseconds since scenario start.
pub(crate) fn ser_time<S: Serializer>(t: &SimTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(t.0)
}

/// Serializes a [`Dur`] as integer nanoseconds.
pub(crate) fn ser_dur<S: Serializer>(d: &Dur, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.0)
}

/// Serializes an optional [`SimTime`] as integer nanoseconds or `null`.
pub(crate) fn ser_opt_time<S: Serializer>(t: &Option<SimTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_some(&t.0),
        None => s.serialize_none(),
    }
}

/// `timestampedRecommendation`: one pre-normalized recommendation and when it was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TimestampedRecommendation {
    /// The recommended replica count (before stabilization and limits).
    pub recommendation: i32,
    /// When it was recorded (nanoseconds).
    #[serde(serialize_with = "ser_time")]
    pub timestamp: SimTime,
}

/// `timestampedScaleEvent`: one successful rescale of an HPA with `behavior`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ScaleEvent {
    /// Absolute replica change (always >= 0).
    pub replica_change: i32,
    /// When it happened (nanoseconds).
    #[serde(serialize_with = "ser_time")]
    pub timestamp: SimTime,
    /// Marked once older than the longest policy period; the last outdated slot is reused.
    pub outdated: bool,
}

/// `HorizontalPodAutoscalerConditionType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ConditionType {
    /// `AbleToScale`.
    AbleToScale,
    /// `ScalingActive`.
    ScalingActive,
    /// `ScalingLimited`.
    ScalingLimited,
    /// `ScaledToZero` (master, `HPAScaleToZero` gate).
    ScaledToZero,
}

impl ConditionType {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionType::AbleToScale => "AbleToScale",
            ConditionType::ScalingActive => "ScalingActive",
            ConditionType::ScalingLimited => "ScalingLimited",
            ConditionType::ScaledToZero => "ScaledToZero",
        }
    }
}

/// `v1.ConditionStatus` (also used for the pod Ready condition).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ConditionStatus {
    /// `True`.
    True,
    /// `False`.
    False,
    /// `Unknown`.
    Unknown,
}

/// `HorizontalPodAutoscalerCondition`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: ConditionType,
    /// `status`.
    pub status: ConditionStatus,
    /// `reason`, e.g. `ScaleDownStabilized`.
    pub reason: String,
    /// `message`.
    pub message: String,
    /// `lastTransitionTime`: changes only when `status` changes (nanoseconds).
    #[serde(serialize_with = "ser_time")]
    pub last_transition_time: SimTime,
}

impl Condition {
    /// A condition (for seeding [`HpaStatus::conditions`] in tests and scenarios).
    pub fn new(
        kind: ConditionType,
        status: ConditionStatus,
        reason: &str,
        at: SimTime,
    ) -> Condition {
        Condition {
            kind,
            status,
            reason: reason.to_string(),
            message: String::new(),
            last_transition_time: at,
        }
    }
}

/// `setConditionInList` (`horizontal.go`): updates the condition of that type in place, or
/// appends it (so types keep the order they were first set in). `lastTransitionTime` is set to
/// `now` only when the status changes; reason and message are always overwritten.
pub fn set_condition(
    list: &mut Vec<Condition>,
    kind: ConditionType,
    status: ConditionStatus,
    reason: &str,
    message: &str,
    now: SimTime,
) {
    let idx = match list.iter().position(|c| c.kind == kind) {
        Some(i) => i,
        None => {
            // A new entry starts with an empty status, so the first set is a transition.
            list.push(Condition {
                kind,
                status: ConditionStatus::Unknown,
                reason: String::new(),
                message: String::new(),
                last_transition_time: SimTime::ZERO,
            });
            let i = list.len() - 1;
            list[i].last_transition_time = now;
            list[i].status = status;
            i
        }
    };
    let c = &mut list[idx];
    if c.status != status {
        c.last_transition_time = now;
    }
    c.status = status;
    c.reason = reason.to_string();
    c.message = message.to_string();
}

/// `removeCondition` (`horizontal.go`, master).
pub fn remove_condition(list: &mut Vec<Condition>, kind: ConditionType) {
    list.retain(|c| c.kind != kind);
}

/// `MetricValueStatus`, in milli-units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MetricValueStatus {
    /// `value` (Object/External Value targets).
    pub value: Option<i64>,
    /// `averageValue`.
    pub average_value: Option<i64>,
    /// `averageUtilization` (percent).
    pub average_utilization: Option<i32>,
}

/// `MetricStatus`: what `status.currentMetrics` reports for one metric.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum MetricStatus {
    /// The zero value upstream leaves for a metric that failed this pass.
    Empty,
    /// `Resource`.
    Resource {
        /// Resource name.
        name: String,
        /// Current value.
        current: MetricValueStatus,
    },
    /// `ContainerResource`.
    ContainerResource {
        /// Resource name.
        name: String,
        /// Container.
        container: String,
        /// Current value.
        current: MetricValueStatus,
    },
    /// `Pods`.
    Pods {
        /// Metric.
        metric: MetricIdentifier,
        /// Current value.
        current: MetricValueStatus,
    },
    /// `Object`.
    Object {
        /// Described object.
        described_object: ObjectRef,
        /// Metric.
        metric: MetricIdentifier,
        /// Current value.
        current: MetricValueStatus,
    },
    /// `External`.
    External {
        /// Metric.
        metric: MetricIdentifier,
        /// Current value.
        current: MetricValueStatus,
    },
}

impl MetricStatus {
    /// The CPU utilization reported by a `Resource` cpu status (upstream tests'
    /// `findCpuUtilization`).
    pub fn cpu_utilization(list: &[MetricStatus]) -> Option<i32> {
        list.iter().find_map(|s| match s {
            MetricStatus::Resource { name, current } if name == "cpu" => {
                current.average_utilization
            }
            _ => None,
        })
    }
}

/// `HorizontalPodAutoscalerStatus` (without `observedGeneration`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HpaStatus {
    /// `currentReplicas` (the scale's `spec.replicas` at the last pass).
    pub current_replicas: i32,
    /// `desiredReplicas`.
    pub desired_replicas: i32,
    /// `lastScaleTime` (nanoseconds), set on every successful rescale.
    #[serde(serialize_with = "ser_opt_time")]
    pub last_scale_time: Option<SimTime>,
    /// `currentMetrics`, one entry per spec metric (empty on the paths that read no metric).
    pub current_metrics: Vec<MetricStatus>,
    /// `conditions`, in the order their types were first set.
    pub conditions: Vec<Condition>,
}

impl HpaStatus {
    /// The condition of that type, if set.
    pub fn condition(&self, kind: ConditionType) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.kind == kind)
    }
}

/// Everything the controller keeps for one HPA between passes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HpaState {
    /// `recommendations[key]`. `None` is Go's nil entry: the next pass seeds it with
    /// `[{currentReplicas, now}]` (`recordInitialRecommendation`), which is why a fresh
    /// controller does not scale below the current size for one downscale window.
    /// `Some(vec![])` is an empty but present entry (no seeding).
    pub recommendations: Option<Vec<TimestampedRecommendation>>,
    /// `scaleUpEvents[key]` (only written when `behavior` is set).
    pub scale_up_events: Vec<ScaleEvent>,
    /// `scaleDownEvents[key]`.
    pub scale_down_events: Vec<ScaleEvent>,
    /// The HPA's status as last written.
    pub status: HpaStatus,
}

impl HpaState {
    /// The state of an HPA the controller has never seen (status as the API server has it
    /// after creation: current = desired = 0, no conditions; no recommendation entry).
    pub fn new() -> HpaState {
        HpaState::default()
    }

    /// Forgets the in-memory maps, as a kube-controller-manager restart does; the status
    /// (stored in the API) survives.
    pub fn controller_restarted(&mut self) {
        self.recommendations = None;
        self.scale_up_events.clear();
        self.scale_down_events.clear();
    }
}
