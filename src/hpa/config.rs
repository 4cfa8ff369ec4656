//! Controller configuration: kube-controller-manager flags and the release-dependent switches.

use serde::Serialize;

use crate::time::Dur;

/// A Kubernetes release whose HPA controller behaviour [`ControllerConfig::for_version`]
/// reproduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum KubeVersion {
    /// v1.30.
    V1_30,
    /// v1.31.
    V1_31,
    /// v1.32.
    V1_32,
    /// v1.33.
    V1_33,
    /// v1.34.
    V1_34,
    /// v1.35.
    V1_35,
    /// `master` as read for this port (2026, see the module docs for the commit).
    Master,
}

/// How the usage ratio is compared with the tolerance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ToleranceForm {
    /// v1.30-v1.32: `math.Abs(1.0-usageRatio) <= tolerance`. Scales at the exact upper
    /// boundary (`|1-1.1| = 0.10000000000000009 > 0.1`).
    AbsDiff,
    /// v1.33+: `Tolerances.isWithin`: `(1-down) <= r && r <= (1+up)`, both bounds inclusive.
    Bounds,
}

/// What happens when the target's `spec.replicas` is 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ZeroReplicasRule {
    /// v1.30-v1.35 `reconcileAutoscaler`: scaling is disabled iff `minReplicas != 0`; with
    /// `minReplicas: 0` metrics are computed and Object/External metrics can scale from zero.
    MinReplicasZeroComputes,
    /// master (KEP-2021, PR #135118, `shouldComputeMetricsForZeroReplicas`): scaling from zero
    /// needs the `HPAScaleToZero` gate and a `ScaledToZero=True` condition the controller set
    /// itself; the `ScaledToZero` condition is maintained on every rescale (or removed when
    /// the gate is off).
    ScaledToZeroCondition,
}

/// Controller flags and feature switches.
///
/// # Version differences (what the switches encode)
///
/// | Area | v1.30-v1.32 | v1.33-v1.34 | v1.35 | master (2026) |
/// |---|---|---|---|---|
/// | Tolerance ([`tolerance_form`](Self::tolerance_form)) | `AbsDiff` | `Bounds` | `Bounds` | `Bounds` |
/// | `behavior.*.tolerance` ([`configurable_tolerance`](Self::configurable_tolerance), gate `HPAConfigurableTolerance`) | n/a | alpha, off | beta, on | on |
/// | `replicas == 0` ([`zero_replicas_rule`](Self::zero_replicas_rule)) | disabled iff `minReplicas != 0` | same | same | `ScaledToZero` condition logic |
/// | `Succeeded` pods ([`ignore_succeeded_pods`](Self::ignore_succeeded_pods)) | missing (usually no metric) | same | same | ignored (PR #141302) |
/// | Pod-level requests ([`pod_level_resources`](Self::pod_level_resources), gate `PodLevelResources`) | off | beta from v1.34 (release unverified) | on | on |
/// | Named container absent from a pod ([`missing_container_is_error`](Self::missing_container_is_error)) | request 0 | 0 (unverified) | 0 (unverified) | error `container X not found in Pod P` |
/// | Ambiguous-selector message | "controlled by multiple HPAs: %v" | same | same (unverified) | "controlled by more than one HPA (e.g. %v)" |
/// | Scale update | one UPDATE | same | same | `RetryOnConflict` (no effect here: no conflicts are simulated) |
/// | First reconcile of a new HPA ([`first_sync_immediate`](Self::first_sync_immediate)) | one sync period after creation | same | same | immediately |
///
/// Not switchable, because every release behaves the same in this model or the difference
/// cannot be expressed in Rust: replica proposals and sums saturate at `MaxInt32`/`MaxInt64`
/// (recent code has explicit guards; older releases did an unchecked Go float-to-int
/// conversion whose out-of-range result is platform-defined).
///
/// `Default` is the production configuration of v1.35 (the flag defaults of
/// `RecommendedDefaultHPAControllerConfiguration` and the legacy `scaleUpLimitFactor = 2`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ControllerConfig {
    /// Release this configuration reproduces (informational; the switches below decide).
    pub version: KubeVersion,
    /// `--horizontal-pod-autoscaler-sync-period`, default 15s: how often the simulator should
    /// call [`reconcile`](super::reconcile).
    #[serde(serialize_with = "super::state::ser_dur")]
    pub sync_period: Dur,
    /// `--horizontal-pod-autoscaler-tolerance`, default 0.1.
    pub tolerance: f64,
    /// `--horizontal-pod-autoscaler-downscale-stabilization`, default 5m: the legacy scale-down
    /// window, and the default `behavior.scaleDown.stabilizationWindowSeconds`.
    #[serde(serialize_with = "super::state::ser_dur")]
    pub downscale_stabilization: Dur,
    /// `--horizontal-pod-autoscaler-cpu-initialization-period`, default 5m.
    #[serde(serialize_with = "super::state::ser_dur")]
    pub cpu_initialization_period: Dur,
    /// `--horizontal-pod-autoscaler-initial-readiness-delay`, default 30s.
    #[serde(serialize_with = "super::state::ser_dur")]
    pub initial_readiness_delay: Dur,
    /// `scaleUpLimitFactor` in `horizontal.go` (legacy path only), 2.0; upstream tests use 8.
    pub scale_up_limit_factor: f64,
    /// `scaleUpLimitMinimum` in `horizontal.go` (legacy path only), 4.0.
    pub scale_up_limit_minimum: f64,
    /// Tolerance comparison form (v1.33 changed it).
    pub tolerance_form: ToleranceForm,
    /// Feature gate `HPAConfigurableTolerance`: honour `behavior.scaleUp/scaleDown.tolerance`.
    pub configurable_tolerance: bool,
    /// Feature gate `HPAScaleToZero` (alpha, off): allows `minReplicas: 0` in the API and, with
    /// [`ZeroReplicasRule::ScaledToZeroCondition`], scaling back from zero.
    pub scale_to_zero: bool,
    /// Behaviour at `spec.replicas == 0`.
    pub zero_replicas_rule: ZeroReplicasRule,
    /// `groupPods` ignores `Succeeded` pods like `Failed` ones (`IsPodTerminal`, master).
    pub ignore_succeeded_pods: bool,
    /// Feature gate `PodLevelResources`: pod-level requests replace the container sum.
    pub pod_level_resources: bool,
    /// A ContainerResource metric naming a container a pod lacks is an error (master) rather
    /// than a request of 0.
    pub missing_container_is_error: bool,
    /// The master wording of the AmbiguousSelector message.
    pub master_ambiguous_selector_message: bool,
    /// A newly created HPA is reconciled at once (master) rather than one sync period later.
    /// The library does not schedule; this tells the simulator what to do.
    pub first_sync_immediate: bool,
}

impl ControllerConfig {
    /// Production flag defaults with the switches of release `version`.
    pub fn for_version(version: KubeVersion) -> ControllerConfig {
        let at_least = |v: KubeVersion| version >= v;
        ControllerConfig {
            version,
            sync_period: Dur::from_secs(15),
            tolerance: 0.1,
            downscale_stabilization: Dur::from_secs(300),
            cpu_initialization_period: Dur::from_secs(300),
            initial_readiness_delay: Dur::from_secs(30),
            scale_up_limit_factor: 2.0,
            scale_up_limit_minimum: 4.0,
            tolerance_form: if at_least(KubeVersion::V1_33) {
                ToleranceForm::Bounds
            } else {
                ToleranceForm::AbsDiff
            },
            configurable_tolerance: at_least(KubeVersion::V1_35),
            scale_to_zero: false,
            zero_replicas_rule: if version == KubeVersion::Master {
                ZeroReplicasRule::ScaledToZeroCondition
            } else {
                ZeroReplicasRule::MinReplicasZeroComputes
            },
            ignore_succeeded_pods: version == KubeVersion::Master,
            pod_level_resources: at_least(KubeVersion::V1_34),
            missing_container_is_error: version == KubeVersion::Master,
            master_ambiguous_selector_message: version == KubeVersion::Master,
            first_sync_immediate: version == KubeVersion::Master,
        }
    }

    /// The values the upstream unit tests run with (`horizontal_test.go` `init()` sets
    /// `scaleUpLimitFactor = 8`; `defaultTestingCPUInitializationPeriod = 2m`,
    /// `defaultTestingDelayOfInitialReadinessStatus = 10s`, tolerance 0.1, downscale window
    /// 5m), on the release `version`.
    pub fn upstream_test(version: KubeVersion) -> ControllerConfig {
        ControllerConfig {
            cpu_initialization_period: Dur::from_secs(120),
            initial_readiness_delay: Dur::from_secs(10),
            scale_up_limit_factor: 8.0,
            ..ControllerConfig::for_version(version)
        }
    }
}

impl Default for ControllerConfig {
    /// Production defaults of v1.35.
    fn default() -> ControllerConfig {
        ControllerConfig::for_version(KubeVersion::V1_35)
    }
}
