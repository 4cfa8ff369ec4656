//! The Kubernetes HorizontalPodAutoscaler (`autoscaling/v2`) controller as a pure library.
//!
//! Work in progress: this commit holds the public types (spec, configuration, state, metrics
//! interface, outcome and trace); the reconcile pass follows.

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
pub use controller::{reconcile, tolerances_for_hpa};

pub use config::{ControllerConfig, KubeVersion, ToleranceForm, ZeroReplicasRule};
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
