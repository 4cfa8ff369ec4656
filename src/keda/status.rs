//! `ScaledObjectStatus`, its conditions and the events KEDA records
//! (`apis/keda/v1alpha1/scaledobject_types.go`, `condition_types.go`, `pkg/eventreason`).

use std::collections::BTreeMap;

use crate::time::{SimTime, NANOS_PER_SEC};

/// A condition's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionStatus {
    /// `True`.
    True,
    /// `False`.
    False,
    /// `Unknown`.
    Unknown,
}

/// One status condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// Status.
    pub status: ConditionStatus,
    /// Reason (CamelCase).
    pub reason: String,
    /// Message.
    pub message: String,
}

impl Condition {
    fn new(status: ConditionStatus) -> Condition {
        Condition {
            status,
            reason: String::new(),
            message: String::new(),
        }
    }
    /// `IsTrue`.
    pub fn is_true(&self) -> bool {
        self.status == ConditionStatus::True
    }
    /// `IsFalse`.
    pub fn is_false(&self) -> bool {
        self.status == ConditionStatus::False
    }
    /// `IsUnknown`.
    pub fn is_unknown(&self) -> bool {
        self.status == ConditionStatus::Unknown
    }
    /// Sets all three fields.
    pub fn set(&mut self, status: ConditionStatus, reason: &str, message: &str) {
        self.status = status;
        self.reason = reason.to_string();
        self.message = message.to_string();
    }
}

/// The four ScaledObject conditions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conditions {
    /// `Ready`.
    pub ready: Condition,
    /// `Active`.
    pub active: Condition,
    /// `Fallback`.
    pub fallback: Condition,
    /// `Paused`.
    pub paused: Condition,
}

impl Default for Conditions {
    /// `GetInitializedConditions`: Ready, Active, Fallback Unknown; Paused False.
    fn default() -> Conditions {
        Conditions {
            ready: Condition::new(ConditionStatus::Unknown),
            active: Condition::new(ConditionStatus::Unknown),
            fallback: Condition::new(ConditionStatus::Unknown),
            paused: Condition::new(ConditionStatus::False),
        }
    }
}

/// `HealthStatusType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthStatusType {
    /// `Happy`.
    Happy,
    /// `Failing`.
    Failing,
}

/// `HealthStatus`: consecutive failures of one metric as counted by the fallback logic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthStatus {
    /// `numberOfFailures`.
    pub number_of_failures: i32,
    /// `status`.
    pub status: HealthStatusType,
}

/// `ScaledObjectStatus` (the fields KEDA's scaling logic reads or writes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScaledObjectStatus {
    /// `scaleTargetKind` (`apps/v1.Deployment`), used in event messages.
    pub scale_target_kind: String,
    /// The target's replicas when KEDA first saw it.
    pub original_replica_count: Option<i32>,
    /// `lastActiveTime`, at the API's one-second precision.
    pub last_active_time: Option<SimTime>,
    /// `externalMetricNames`.
    pub external_metric_names: Vec<String>,
    /// `compositeScalerName`.
    pub composite_scaler_name: String,
    /// Conditions.
    pub conditions: Conditions,
    /// `health`, per metric name.
    pub health: BTreeMap<String, HealthStatus>,
    /// `pausedReplicaCount`.
    pub paused_replica_count: Option<i32>,
    /// `hpaName`.
    pub hpa_name: String,
}

/// `metav1.Time` keeps whole seconds (RFC 3339 without fractions): what a status timestamp
/// reads as once written and read back. Assumes the scenario starts on a whole second.
pub fn api_time(t: SimTime) -> SimTime {
    SimTime(t.0 / NANOS_PER_SEC * NANOS_PER_SEC)
}

/// `Normal` or `Warning`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// `Normal`.
    Normal,
    /// `Warning`.
    Warning,
}

/// A Kubernetes event KEDA records on the ScaledObject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KedaEvent {
    /// Type.
    pub event_type: EventType,
    /// Reason, e.g. `KEDAScaleTargetActivated`.
    pub reason: String,
    /// Message.
    pub message: String,
}

impl KedaEvent {
    /// A `Normal` event.
    pub fn normal(reason: &str, message: String) -> KedaEvent {
        KedaEvent {
            event_type: EventType::Normal,
            reason: reason.to_string(),
            message,
        }
    }
    /// A `Warning` event.
    pub fn warning(reason: &str, message: String) -> KedaEvent {
        KedaEvent {
            event_type: EventType::Warning,
            reason: reason.to_string(),
            message,
        }
    }
}

/// Event reasons (`pkg/eventreason/eventreason.go`).
pub mod reason {
    /// A scale from zero (or idle).
    pub const SCALE_TARGET_ACTIVATED: &str = "KEDAScaleTargetActivated";
    /// A scale to zero (or idle).
    pub const SCALE_TARGET_DEACTIVATED: &str = "KEDAScaleTargetDeactivated";
    /// A scaler query or build failed.
    pub const SCALER_FAILED: &str = "KEDAScalerFailed";
    /// A scalingModifiers source failed.
    pub const METRIC_SOURCE_FAILED: &str = "KEDAMetricSourceFailed";
    /// A scaler was built.
    pub const SCALERS_STARTED: &str = "KEDAScalersStarted";
}
