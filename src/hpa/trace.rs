//! The result of one reconcile pass and the decision trace behind it (for `explain` views).

use serde::Serialize;

use super::config::ToleranceForm;
use super::spec::{MetricTarget, PolicyType, SelectPolicy};
use super::state::{ser_time, HpaStatus};
use crate::time::SimTime;

/// `v1.EventTypeNormal` / `v1.EventTypeWarning`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum EventType {
    /// `Normal`.
    Normal,
    /// `Warning`.
    Warning,
}

/// A Kubernetes event the controller records on the HPA (source `horizontal-pod-autoscaler`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HpaEvent {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// `reason`, e.g. `SuccessfulRescale`.
    pub reason: String,
    /// `message`, e.g. `New size: 5; reason: cpu resource utilization (percentage of request) above target`.
    pub message: String,
}

impl HpaEvent {
    /// A `Normal` event.
    pub fn normal(reason: &str, message: String) -> HpaEvent {
        HpaEvent {
            kind: EventType::Normal,
            reason: reason.to_string(),
            message,
        }
    }
    /// A `Warning` event.
    pub fn warning(reason: &str, message: String) -> HpaEvent {
        HpaEvent {
            kind: EventType::Warning,
            reason: reason.to_string(),
            message,
        }
    }
}

/// What one call of [`reconcile`](super::reconcile) decided.
#[derive(Clone, Debug, Serialize)]
pub struct ReconcileOutcome {
    /// The replica count the target should have after this pass (its current `spec.replicas`
    /// unless `rescale`).
    pub desired_replicas: i32,
    /// The controller updated the scale subresource to `desired_replicas`.
    pub rescale: bool,
    /// Events recorded during the pass, in order.
    pub events: Vec<HpaEvent>,
    /// The HPA status after the pass (also stored in the state).
    pub status: HpaStatus,
    /// The status differs from the one before the pass, i.e. the controller wrote it
    /// (`updateStatusIfNeeded`).
    pub status_changed: bool,
    /// The error `reconcileAutoscaler` returned, if any (it still may have rescaled: an
    /// invalid metric does not block a scale-up).
    pub error: Option<String>,
    /// How the decision was made.
    pub trace: DecisionTrace,
}

/// Which branch of `reconcileAutoscaler` the pass took.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PassPath {
    /// The scale subresource could not be read (`FailedGetScale`); nothing else happened.
    ScaleGetFailed,
    /// `spec.replicas == 0`: autoscaling is paused (`ScalingDisabled`).
    ScalingDisabled,
    /// `spec.replicas > maxReplicas`: clamped to max without reading metrics.
    AboveMaxReplicas,
    /// `spec.replicas < minReplicas`: raised to min without reading metrics.
    BelowMinReplicas,
    /// Metrics were computed and normalized.
    Metrics,
    /// Metrics could not be used (selector problem, or invalid metrics that would scale
    /// down); no change.
    MetricsUnavailable,
}

/// The tolerances in force for this HPA (`tolerancesForHpa`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TolerancesTrace {
    /// Scale-down tolerance.
    pub scale_down: f64,
    /// Scale-up tolerance.
    pub scale_up: f64,
    /// Comparison form.
    pub form: ToleranceForm,
}

/// Which replica count a metric's formula used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplicaBasis {
    /// `spec` (scale spec.replicas), `status` (scale status.replicas), `ready pods`
    /// (Running and Ready pods), `ready pods with metrics` or `pods counted after filling`.
    pub which: String,
    /// The count.
    pub count: i64,
}

/// One input value of a metric: a pod's value, or one external/object sample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MetricSample {
    /// Pod name, object name, or empty for an external sample.
    pub source: String,
    /// Value, milli-units.
    pub value_milli: i64,
}

/// How `groupPods` classified the pods.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PodGroupsTrace {
    /// Ready pods with a metric.
    pub ready: usize,
    /// Unready pods (Pending, or CPU readiness rules).
    pub unready: Vec<String>,
    /// Pods without a metric.
    pub missing: Vec<String>,
    /// Ignored pods (deleted, Failed; Succeeded on master).
    pub ignored: Vec<String>,
}

/// The computation of one metric's proposal.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricTrace {
    /// Position in `spec.metrics`.
    pub index: usize,
    /// Source type (`External`, `Resource`, ...).
    pub kind: String,
    /// Upstream's name for the metric (`cpu resource utilization (percentage of request)`,
    /// `external metric s0-redis-q(&LabelSelector{...})`); empty when it failed.
    pub name: String,
    /// Target.
    pub target: Option<MetricTarget>,
    /// Raw values read.
    pub samples: Vec<MetricSample>,
    /// Pod classification (per-pod metrics only).
    pub pods: Option<PodGroupsTrace>,
    /// The aggregate compared with the target: utilization percent, average or total value
    /// in milli-units.
    pub usage: Option<i64>,
    /// `usage / target` as upstream computes it (float64).
    pub usage_ratio: Option<f64>,
    /// The ratio was within tolerance (no change proposed).
    pub within_tolerance: Option<bool>,
    /// Ratio recomputed after filling missing/unready pods (slow path only).
    pub adjusted_usage_ratio: Option<f64>,
    /// Replica count the formula used.
    pub basis: Option<ReplicaBasis>,
    /// The rule that produced the proposal, in words.
    pub rule: String,
    /// The proposal.
    pub proposal: Option<i32>,
    /// The error, when the metric was invalid this pass.
    pub error: Option<String>,
}

impl MetricTrace {
    /// An empty trace for metric `index`.
    pub fn new(index: usize, kind: &str, target: Option<MetricTarget>) -> MetricTrace {
        MetricTrace {
            index,
            kind: kind.to_string(),
            name: String::new(),
            target,
            samples: Vec::new(),
            pods: None,
            usage: None,
            usage_ratio: None,
            within_tolerance: None,
            adjusted_usage_ratio: None,
            basis: None,
            rule: String::new(),
            proposal: None,
            error: None,
        }
    }
}

/// One stored recommendation as the stabilization step saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WindowEntry {
    /// When it was recorded (nanoseconds).
    #[serde(serialize_with = "ser_time")]
    pub timestamp: SimTime,
    /// The recommendation.
    pub recommendation: i32,
    /// Inside the scale-up window (behavior path) / inside the window (legacy path).
    pub in_up_window: bool,
    /// Inside the scale-down window.
    pub in_down_window: bool,
}

/// The stabilization step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StabilizationTrace {
    /// `legacy` (`stabilizeRecommendation`, inclusive window) or `behavior`
    /// (`stabilizeRecommendationWithBehaviors`, strict windows).
    pub mode: String,
    /// Scale-up window, seconds (behavior path only).
    pub up_window_seconds: Option<i64>,
    /// Scale-down window, seconds.
    pub down_window_seconds: i64,
    /// The stored recommendations before this pass's one was recorded.
    pub entries: Vec<WindowEntry>,
    /// Lowest recommendation in the up window, including this pass's (behavior path).
    pub up_bound: Option<i32>,
    /// Highest recommendation in the down window, including this pass's.
    pub down_bound: i32,
    /// The stabilized value.
    pub stabilized: i32,
    /// Index of the old entry replaced by this pass's recommendation, or `None` if appended.
    pub replaced_index: Option<usize>,
}

/// One policy's limit (behavior path).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyLimitTrace {
    /// `Pods` or `Percent`.
    pub kind: PolicyType,
    /// `value`.
    pub value: i32,
    /// `periodSeconds`.
    pub period_seconds: i32,
    /// Sum of scale-up events younger than the period.
    pub replicas_added_in_period: i32,
    /// Sum of scale-down events younger than the period.
    pub replicas_removed_in_period: i32,
    /// `current - added + removed`: the replicas at the start of the period.
    pub period_start_replicas: i32,
    /// The limit this policy allows.
    pub proposed_limit: i32,
    /// This policy's limit is the one `selectPolicy` picked.
    pub selected: bool,
}

/// The rate-limit and min/max step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LimitsTrace {
    /// `legacy` (`convertDesiredReplicasWithRules`) or `behavior`
    /// (`convertDesiredReplicasWithBehaviorRate`).
    pub mode: String,
    /// `up`, `down` or `none` (stabilized == current).
    pub direction: String,
    /// `selectPolicy` of that direction (behavior path).
    pub select_policy: Option<SelectPolicy>,
    /// Per-policy limits (behavior path).
    pub policies: Vec<PolicyLimitTrace>,
    /// The rate limit after `selectPolicy` and the clamp to current (behavior path), or
    /// `max(factor*current, minimum)` (legacy path).
    pub rate_limit: Option<i32>,
    /// `minReplicas`.
    pub min_replicas: i32,
    /// `maxReplicas`.
    pub max_replicas: i32,
    /// Input (the stabilized value).
    pub input: i32,
    /// Output.
    pub output: i32,
    /// The ScalingLimited reason (`DesiredWithinRange`, `ScaleUpLimit`, `TooManyReplicas`, ...).
    pub reason: String,
    /// The ScalingLimited message.
    pub message: String,
}

/// A rule that changed the value on its way to the final count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BindingRule {
    /// The condition that reports it (`AbleToScale`, `ScalingLimited`, `ScalingActive`).
    pub condition: String,
    /// Its reason.
    pub reason: String,
    /// Its message.
    pub message: String,
}

/// Everything that went into one pass's decision.
#[derive(Clone, Debug, Serialize)]
pub struct DecisionTrace {
    /// Pass time (nanoseconds).
    #[serde(serialize_with = "ser_time")]
    pub time: SimTime,
    /// `namespace/name`.
    pub hpa: String,
    /// Scale `spec.replicas` (current replicas).
    pub spec_replicas: i32,
    /// Scale `status.replicas`.
    pub status_replicas: i32,
    /// `minReplicas`.
    pub min_replicas: i32,
    /// `maxReplicas`.
    pub max_replicas: i32,
    /// Branch taken.
    pub path: PassPath,
    /// Tolerances in force (when metrics were read).
    pub tolerances: Option<TolerancesTrace>,
    /// Per-metric computations.
    pub metrics: Vec<MetricTrace>,
    /// Number of invalid metrics.
    pub invalid_metrics: usize,
    /// `computeReplicasForMetrics`' result (max over valid proposals), before normalization.
    pub prenormalized: Option<i32>,
    /// Name of the metric that produced it.
    pub prenormalized_metric: Option<String>,
    /// Stabilization step.
    pub stabilization: Option<StabilizationTrace>,
    /// Limits step.
    pub limits: Option<LimitsTrace>,
    /// Final desired replicas.
    pub final_replicas: i32,
    /// Whether the scale was updated.
    pub rescale: bool,
    /// The `reason:` text of the rescale event.
    pub rescale_reason: String,
    /// Rules that changed the value, in the order they applied.
    pub bound_by: Vec<BindingRule>,
    /// The pass's error, if any.
    pub error: Option<String>,
}
