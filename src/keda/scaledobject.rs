//! The `keda.sh/v1alpha1` ScaledObject manifest: fields, KEDA's defaults (applied where KEDA
//! applies them, not stored), annotations and validation with KEDA's own error texts.
//!
//! Mirrors `apis/keda/v1alpha1/scaledobject_types.go` (`ScaledObjectSpec`, `GetHPAMinReplicas`,
//! `CheckReplicaCountBoundsAreValid`, `CheckFallbackValid`, `getBoolAnnotation`),
//! `scaletriggers_types.go#ValidateTriggers` and
//! `scaledobject_webhook.go#ValidateAndCompileScalingModifiers`.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::goparse;
use crate::hpa::RawBehavior;
use crate::time::Dur;
use crate::yaml::de::{from_node, DeContext, DeError, FieldNote, Located, Unmodelled};
use crate::yaml::Node;

/// `autoscaling.keda.sh/paused`.
pub const PAUSED_ANNOTATION: &str = "autoscaling.keda.sh/paused";
/// `autoscaling.keda.sh/paused-replicas`.
pub const PAUSED_REPLICAS_ANNOTATION: &str = "autoscaling.keda.sh/paused-replicas";
/// `autoscaling.keda.sh/paused-scale-in` (2.18).
pub const PAUSED_SCALE_IN_ANNOTATION: &str = "autoscaling.keda.sh/paused-scale-in";
/// `autoscaling.keda.sh/paused-scale-out` (2.18).
pub const PAUSED_SCALE_OUT_ANNOTATION: &str = "autoscaling.keda.sh/paused-scale-out";
/// `autoscaling.keda.sh/force-activation` (2.18).
pub const FORCE_ACTIVATION_ANNOTATION: &str = "autoscaling.keda.sh/force-activation";
/// The label (and HPA metric selector key) naming the ScaledObject.
pub const SCALED_OBJECT_NAME_LABEL: &str = "scaledobject.keda.sh/name";
/// The scalingModifiers metric name.
pub const COMPOSITE_METRIC_NAME: &str = "composite-metric";

/// `withtriggers_types.go` `defaultPollingInterval` (seconds).
pub const DEFAULT_POLLING_INTERVAL: i32 = 30;
/// `scale_executor.go` `defaultCooldownPeriod` (seconds).
pub const DEFAULT_COOLDOWN_PERIOD: i32 = 300;
/// `scale_executor.go` `defaultInitialCooldownPeriod` (seconds).
pub const DEFAULT_INITIAL_COOLDOWN_PERIOD: i32 = 0;
/// `defaultHPAMinReplicas`.
pub const DEFAULT_HPA_MIN_REPLICAS: i32 = 1;
/// `defaultHPAMaxReplicas`.
pub const DEFAULT_HPA_MAX_REPLICAS: i32 = 100;

/// A parsed ScaledObject.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaledObject {
    /// `apiVersion`.
    pub api_version: Located<String>,
    /// `kind`.
    pub kind: Located<String>,
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `spec`.
    pub spec: ScaledObjectSpec,
    /// `status` is the operator's; a manifest's status is ignored.
    #[serde(default)]
    pub status: Option<Unmodelled>,
}

/// The parts of `metadata` KEDA reads.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// `metadata.name`.
    pub name: Located<String>,
    /// `metadata.namespace` (default `default`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Labels (copied onto the HPA).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations (pause, force-activation; copied onto the HPA).
    #[serde(default)]
    pub annotations: BTreeMap<String, Located<String>>,
    /// Server-set fields are accepted and ignored.
    #[serde(default)]
    pub uid: Option<IgnoredAny>,
    /// Ignored.
    #[serde(default)]
    pub generation: Option<IgnoredAny>,
    /// Ignored.
    #[serde(default)]
    pub resource_version: Option<IgnoredAny>,
    /// Ignored: the simulator says when an object is created.
    #[serde(default)]
    pub creation_timestamp: Option<IgnoredAny>,
}

/// `ScaledObjectSpec`. Numeric fields keep `None` when omitted: KEDA applies defaults at use.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaledObjectSpec {
    /// `scaleTargetRef`.
    pub scale_target_ref: ScaleTarget,
    /// `pollingInterval` in seconds (default 30).
    #[serde(default)]
    pub polling_interval: Option<Located<i32>>,
    /// `initialCooldownPeriod` in seconds (default 0; only while `lastActiveTime` is unset).
    #[serde(default)]
    pub initial_cooldown_period: Option<Located<i32>>,
    /// `cooldownPeriod` in seconds (default 300; only gates scale to zero/idle).
    #[serde(default)]
    pub cooldown_period: Option<Located<i32>>,
    /// `idleReplicaCount` (unset by default).
    #[serde(default)]
    pub idle_replica_count: Option<Located<i32>>,
    /// `minReplicaCount` (executor default 0, HPA `max(1, min)`).
    #[serde(default)]
    pub min_replica_count: Option<Located<i32>>,
    /// `maxReplicaCount` (default 100; HPA only).
    #[serde(default)]
    pub max_replica_count: Option<Located<i32>>,
    /// `advanced`.
    #[serde(default)]
    pub advanced: Option<AdvancedConfig>,
    /// `triggers` (`null` reads as empty, as Go's nil slice).
    #[serde(default, deserialize_with = "nullable")]
    pub triggers: Vec<ScaleTrigger>,
    /// `fallback`.
    #[serde(default)]
    pub fallback: Option<Fallback>,
}

/// `ScaleTarget`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleTarget {
    /// Target name.
    pub name: Located<String>,
    /// `apiVersion` (default `apps/v1`).
    #[serde(default)]
    pub api_version: Option<String>,
    /// `kind` (default `Deployment`).
    #[serde(default)]
    pub kind: Option<String>,
    /// Container whose environment `*FromEnv` metadata reads (default: the first).
    #[serde(default)]
    pub env_source_container_name: Option<String>,
}

/// `AdvancedConfig`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvancedConfig {
    /// `horizontalPodAutoscalerConfig`.
    #[serde(default)]
    pub horizontal_pod_autoscaler_config: Option<HpaConfig>,
    /// Restore the target's original replica count when the ScaledObject is deleted.
    #[serde(default)]
    pub restore_to_original_replica_count: bool,
    /// `scalingModifiers`.
    #[serde(default)]
    pub scaling_modifiers: ScalingModifiers,
}

/// `HorizontalPodAutoscalerConfig`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HpaConfig {
    /// HPA name (default `keda-hpa-<name>`).
    #[serde(default)]
    pub name: Option<Located<String>>,
    /// HPA `behavior`, as written (API defaulting happens when the HPA is generated).
    #[serde(default)]
    pub behavior: Option<Located<RawBehavior>>,
}

/// `ScalingModifiers` (all strings, as in the CRD).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalingModifiers {
    /// `formula` over trigger names.
    #[serde(default)]
    pub formula: Option<Located<String>>,
    /// `target` (a float > 0).
    #[serde(default)]
    pub target: Option<Located<String>>,
    /// `activationTarget` (default 0).
    #[serde(default)]
    pub activation_target: Option<Located<String>>,
    /// `metricType` (`AverageValue` default, or `Value`).
    #[serde(default)]
    pub metric_type: Option<Located<String>>,
}

fn text(v: &Option<Located<String>>) -> &str {
    v.as_ref().map(|l| l.value.as_str()).unwrap_or("")
}

impl ScalingModifiers {
    /// The formula ("" when unset).
    pub fn formula(&self) -> &str {
        text(&self.formula)
    }
    /// The target ("" when unset).
    pub fn target(&self) -> &str {
        text(&self.target)
    }
    /// The activation target ("" when unset).
    pub fn activation_target(&self) -> &str {
        text(&self.activation_target)
    }
    /// The metric type as written ("" when unset).
    pub fn metric_type(&self) -> &str {
        text(&self.metric_type)
    }
    fn is_zero(&self) -> bool {
        self.formula().is_empty()
            && self.target().is_empty()
            && self.activation_target().is_empty()
            && self.metric_type().is_empty()
    }
}

/// `ScaleTriggers`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleTrigger {
    /// `type`.
    #[serde(rename = "type")]
    pub trigger_type: Located<String>,
    /// `name` (needed by formulas).
    #[serde(default)]
    pub name: Option<Located<String>>,
    /// `useCachedMetrics`.
    #[serde(default)]
    pub use_cached_metrics: Option<Located<bool>>,
    /// `metadata` (strings; `null` reads as empty).
    #[serde(default, deserialize_with = "nullable")]
    pub metadata: BTreeMap<String, Located<String>>,
    /// `authenticationRef`.
    #[serde(default)]
    pub authentication_ref: Option<AuthenticationRef>,
    /// `metricType` (`AverageValue` default, or `Value`).
    #[serde(default)]
    pub metric_type: Option<Located<String>>,
}

impl ScaleTrigger {
    /// The trigger name ("" when unset).
    pub fn name(&self) -> &str {
        text(&self.name)
    }
    /// `useCachedMetrics`.
    pub fn use_cached_metrics(&self) -> bool {
        self.use_cached_metrics.as_ref().is_some_and(|l| l.value)
    }
    /// The metadata as plain strings.
    pub fn metadata_map(&self) -> BTreeMap<String, String> {
        self.metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect()
    }
    /// The metric type as written ("" when unset).
    pub fn metric_type(&self) -> &str {
        text(&self.metric_type)
    }
}

/// `AuthenticationRef`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationRef {
    /// TriggerAuthentication name.
    pub name: Located<String>,
    /// `TriggerAuthentication` (default) or `ClusterTriggerAuthentication`.
    #[serde(default)]
    pub kind: Option<String>,
}

/// `fallback.behavior` (2.17+; CRD default `static`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum FallbackBehavior {
    /// Always `fallback.replicas`.
    #[default]
    #[serde(rename = "static")]
    Static,
    /// The current replica count.
    #[serde(rename = "currentReplicas")]
    CurrentReplicas,
    /// `max(current, fallback.replicas)`.
    #[serde(rename = "currentReplicasIfHigher")]
    CurrentReplicasIfHigher,
    /// `min(current, fallback.replicas)`.
    #[serde(rename = "currentReplicasIfLower")]
    CurrentReplicasIfLower,
}

/// `Fallback`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fallback {
    /// Failures tolerated before falling back (fallback when failures > threshold).
    pub failure_threshold: Located<i32>,
    /// Replicas to fall back to.
    pub replicas: Located<i32>,
    /// How the fallback count is chosen.
    #[serde(default)]
    pub behavior: FallbackBehavior,
}

/// Reads `null` as the type's default, as Go decodes `null` into a nil slice or map.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// How the pause annotations stop KEDA (`controllers/keda/scaledobject_controller.go#reconcileScaledObject`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PauseMode {
    /// Not paused.
    None,
    /// `paused` (true) or an unparseable `paused-replicas`: the scale loop stops and the HPA
    /// is deleted; replicas stay where they are.
    Paused,
    /// `paused-replicas: N`: the target is driven to N and held there.
    PausedReplicas(i32),
}

/// `getBoolAnnotation`: absent is false, a `strconv.ParseBool` value is itself, anything else
/// is true.
pub fn bool_annotation_value(value: Option<&str>) -> bool {
    match value {
        None => false,
        Some(v) => goparse::parse_bool(v).unwrap_or(true),
    }
}

impl ScaledObject {
    /// Reads a ScaledObject document (root node). Unknown fields become notes in `cx`.
    pub fn from_node(node: &Node, cx: &DeContext) -> Result<ScaledObject, DeError> {
        from_node(node, "", cx)
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        &self.metadata.name.value
    }

    /// `metadata.namespace`, `default` when unset.
    pub fn namespace(&self) -> &str {
        self.metadata.namespace.as_deref().unwrap_or("default")
    }

    fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata.annotations.get(key).map(|l| l.value.as_str())
    }

    /// `HasPausedAnnotation`: `paused` or `paused-replicas` present (any value).
    pub fn has_paused_annotation(&self) -> bool {
        self.annotation(PAUSED_ANNOTATION).is_some()
            || self.annotation(PAUSED_REPLICAS_ANNOTATION).is_some()
    }

    /// `NeedToBePausedByAnnotation`: `paused-replicas` present, or `paused` true.
    pub fn need_to_be_paused_by_annotation(&self) -> bool {
        self.annotation(PAUSED_REPLICAS_ANNOTATION).is_some()
            || bool_annotation_value(self.annotation(PAUSED_ANNOTATION))
    }

    /// `NeedToPauseScaleIn`.
    pub fn need_to_pause_scale_in(&self) -> bool {
        bool_annotation_value(self.annotation(PAUSED_SCALE_IN_ANNOTATION))
    }

    /// `NeedToPauseScaleOut`.
    pub fn need_to_pause_scale_out(&self) -> bool {
        bool_annotation_value(self.annotation(PAUSED_SCALE_OUT_ANNOTATION))
    }

    /// `NeedToForceActivation`.
    pub fn need_to_force_activation(&self) -> bool {
        bool_annotation_value(self.annotation(FORCE_ACTIVATION_ANNOTATION))
    }

    /// `executor.GetPausedReplicaCount`: `Ok(None)` without the annotation, the
    /// `strconv.ParseInt` error for a bad value.
    pub fn paused_replica_count(&self) -> Result<Option<i32>, String> {
        match self.annotation(PAUSED_REPLICAS_ANNOTATION) {
            None => Ok(None),
            Some(v) => goparse::parse_int32(v).map(Some),
        }
    }

    /// The end state the pause annotations lead to.
    pub fn pause_mode(&self) -> PauseMode {
        if !self.need_to_be_paused_by_annotation() {
            return PauseMode::None;
        }
        match self.paused_replica_count() {
            Ok(Some(n)) => PauseMode::PausedReplicas(n),
            _ => PauseMode::Paused,
        }
    }

    /// `IsUsingModifiers`: any scalingModifiers field set.
    pub fn is_using_modifiers(&self) -> bool {
        self.scaling_modifiers().is_some_and(|m| !m.is_zero())
    }

    /// `spec.advanced.scalingModifiers` when `advanced` is present.
    pub fn scaling_modifiers(&self) -> Option<&ScalingModifiers> {
        self.spec.advanced.as_ref().map(|a| &a.scaling_modifiers)
    }

    /// `GetHPAMinReplicas`: `minReplicaCount` when > 0, else 1.
    pub fn hpa_min_replicas(&self) -> i32 {
        match &self.spec.min_replica_count {
            Some(m) if m.value > 0 => m.value,
            _ => DEFAULT_HPA_MIN_REPLICAS,
        }
    }

    /// `GetHPAMaxReplicas`: `maxReplicaCount` or 100.
    pub fn hpa_max_replicas(&self) -> i32 {
        self.spec
            .max_replica_count
            .as_ref()
            .map(|m| m.value)
            .unwrap_or(DEFAULT_HPA_MAX_REPLICAS)
    }

    /// The executor's minimum: `minReplicaCount` or 0.
    pub fn min_replica_count(&self) -> i32 {
        self.spec
            .min_replica_count
            .as_ref()
            .map(|m| m.value)
            .unwrap_or(0)
    }

    /// `idleReplicaCount`.
    pub fn idle_replica_count(&self) -> Option<i32> {
        self.spec.idle_replica_count.as_ref().map(|m| m.value)
    }

    /// `GetPollingInterval` in seconds.
    pub fn polling_interval_secs(&self) -> i32 {
        self.spec
            .polling_interval
            .as_ref()
            .map(|m| m.value)
            .unwrap_or(DEFAULT_POLLING_INTERVAL)
    }

    /// The polling interval as a duration (validation rejects values below 1 s).
    pub fn polling_interval(&self) -> Dur {
        Dur::from_secs(self.polling_interval_secs().max(0) as u64)
    }

    /// `cooldownPeriod` in seconds (explicit 0 honoured).
    pub fn cooldown_period_secs(&self) -> i32 {
        self.spec
            .cooldown_period
            .as_ref()
            .map(|m| m.value)
            .unwrap_or(DEFAULT_COOLDOWN_PERIOD)
    }

    /// `initialCooldownPeriod` in seconds.
    pub fn initial_cooldown_period_secs(&self) -> i32 {
        self.spec
            .initial_cooldown_period
            .as_ref()
            .map(|m| m.value)
            .unwrap_or(DEFAULT_INITIAL_COOLDOWN_PERIOD)
    }

    /// `controllers/keda/hpa.go#getHPAName`.
    pub fn hpa_name(&self) -> String {
        let custom = self
            .spec
            .advanced
            .as_ref()
            .and_then(|a| a.horizontal_pod_autoscaler_config.as_ref())
            .map(|h| text(&h.name))
            .unwrap_or("");
        if custom.is_empty() {
            format!("keda-hpa-{}", self.name())
        } else {
            custom.to_string()
        }
    }

    /// `(group, version, kind)` of the target as `ParseGVKR` defaults it (`apps/v1`, `Deployment`).
    pub fn scale_target_gvk(&self) -> (String, String, String) {
        let t = &self.spec.scale_target_ref;
        let api = t.api_version.as_deref().unwrap_or("");
        let (group, version) = if api.is_empty() {
            ("apps".to_string(), "v1".to_string())
        } else {
            match api.split_once('/') {
                Some((g, v)) => (g.to_string(), v.to_string()),
                None => (String::new(), api.to_string()),
            }
        };
        let kind = match t.kind.as_deref() {
            None | Some("") => "Deployment".to_string(),
            Some(k) => k.to_string(),
        };
        (group, version, kind)
    }

    /// `GroupVersionKindResource.GVKString` (`apps/v1.Deployment`): `status.scaleTargetKind`.
    pub fn scale_target_kind(&self) -> String {
        let (g, v, k) = self.scale_target_gvk();
        format!("{g}/{v}.{k}")
    }

    /// The target's `apiVersion` as written on the HPA (`GroupVersion().String()`).
    pub fn scale_target_api_version(&self) -> String {
        let (g, v, _) = self.scale_target_gvk();
        if g.is_empty() {
            v
        } else {
            format!("{g}/{v}")
        }
    }

    /// Checks KEDA runs on the manifest, with KEDA's texts. Webhook checks fail with the bare
    /// error (`kubectl apply` is refused); reconciler checks with the Ready condition message.
    pub fn validate(&self) -> Vec<DeError> {
        let mut errs = Vec::new();
        if self.api_version.value != "keda.sh/v1alpha1" {
            errs.push(at(
                &self.api_version,
                format!(
                    "apiVersion {} is not keda.sh/v1alpha1; scalesim models KEDA v2 ScaledObjects",
                    goparse::quote(&self.api_version.value)
                ),
            ));
        }
        if self.spec.scale_target_ref.name.value.is_empty() {
            errs.push(at(
                &self.spec.scale_target_ref.name,
                "ScaledObject doesn't have correct scaleTargetRef specification: ScaledObject.spec.scaleTargetRef.name is missing".into(),
            ));
        }
        if let Err(e) = self.check_replica_count_bounds() {
            errs.push(e);
        }
        if let Err(e) = self.validate_triggers() {
            errs.push(e);
        }
        if let Err(e) = self.check_fallback_valid() {
            errs.push(e);
        }
        if let Some(p) = &self.spec.polling_interval {
            if p.value < 1 {
                errs.push(at(
                    p,
                    format!(
                        "pollingInterval {} would make KEDA poll in a tight loop; scalesim needs at least 1 second",
                        p.value
                    ),
                ));
            }
        }
        errs
    }

    /// `CheckReplicaCountBoundsAreValid`, located at the offending field.
    pub fn check_replica_count_bounds(&self) -> Result<(), DeError> {
        const PREFIX: &str =
            "ScaledObject doesn't have correct Idle/Min/Max Replica Counts specification";
        let min = match &self.spec.min_replica_count {
            Some(_) => self.hpa_min_replicas(),
            None => 0,
        };
        let max = self.hpa_max_replicas();
        if min > max {
            let loc = self
                .spec
                .max_replica_count
                .as_ref()
                .or(self.spec.min_replica_count.as_ref());
            return Err(at_opt(
                loc,
                "spec.maxReplicaCount",
                format!("{PREFIX}: MinReplicaCount={min} must be less than MaxReplicaCount={max}"),
            ));
        }
        if let Some(idle) = &self.spec.idle_replica_count {
            if idle.value >= min {
                return Err(at(
                    idle,
                    format!(
                        "{PREFIX}: IdleReplicaCount={} must be less than MinReplicaCount={min}",
                        idle.value
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `ValidateTriggers` (admission webhook).
    pub fn validate_triggers(&self) -> Result<(), DeError> {
        let triggers = &self.spec.triggers;
        if triggers.is_empty() {
            return Err(DeError {
                path: "spec.triggers".into(),
                origin: Some(self.spec.scale_target_ref.name.origin),
                message: "no triggers defined in the ScaledObject/ScaledJob".into(),
            });
        }
        let mut seen: Vec<&str> = Vec::new();
        for t in triggers {
            if t.use_cached_metrics() {
                let ty = t.trigger_type.value.as_str();
                if matches!(ty, "cpu" | "memory" | "cron") {
                    let loc = t.use_cached_metrics.as_ref().expect("checked");
                    return Err(at(
                        loc,
                        format!(
                            "property \"useCachedMetrics\" is not supported for {} scaler",
                            goparse::quote(ty)
                        ),
                    ));
                }
            }
            let name = t.name();
            if !name.is_empty() {
                if seen.contains(&name) {
                    let loc = t.name.as_ref().expect("non-empty");
                    return Err(at(
                        loc,
                        format!(
                            "triggerName {} is defined multiple times in the ScaledObject/ScaledJob, but it must be unique",
                            goparse::quote(name)
                        ),
                    ));
                }
                seen.push(name);
            }
        }
        Ok(())
    }

    /// `CheckFallbackValid` (admission webhook, 2.18 rules: Value targets allowed).
    pub fn check_fallback_valid(&self) -> Result<(), DeError> {
        let Some(fb) = &self.spec.fallback else {
            return Ok(());
        };
        if fb.failure_threshold.value < 0 || fb.replicas.value < 0 {
            let loc = if fb.failure_threshold.value < 0 {
                &fb.failure_threshold
            } else {
                &fb.replicas
            };
            return Err(at(
                loc,
                format!(
                    "FailureThreshold={} & Replicas={} must both be greater than or equal to 0",
                    fb.failure_threshold.value, fb.replicas.value
                ),
            ));
        }
        if !self.is_using_modifiers() {
            let valid = self
                .spec
                .triggers
                .iter()
                .any(|t| !matches!(t.trigger_type.value.as_str(), "cpu" | "memory"));
            if !valid {
                return Err(at(
                    &fb.failure_threshold,
                    "at least one trigger (that is not cpu or memory) has to have the `AverageValue` type for the fallback to be enabled".into(),
                ));
            }
        }
        Ok(())
    }

    /// Fallback settings KEDA will act on (`pkg/fallback/fallback.go#HasValidFallback`):
    /// non-negative, and with scalingModifiers a `target` that parses as a positive integer.
    pub fn has_valid_fallback(&self) -> bool {
        let Some(fb) = &self.spec.fallback else {
            return false;
        };
        let modifiers_ok = match self.scaling_modifiers() {
            Some(m) if self.is_using_modifiers() => m.target().parse::<i64>().is_ok_and(|v| v > 0),
            _ => true,
        };
        fb.failure_threshold.value >= 0 && fb.replicas.value >= 0 && modifiers_ok
    }

    /// Notes about annotation values KEDA interprets differently from what was probably meant.
    pub fn annotation_notes(&self) -> Vec<FieldNote> {
        let mut notes = Vec::new();
        for key in [
            PAUSED_ANNOTATION,
            PAUSED_SCALE_IN_ANNOTATION,
            PAUSED_SCALE_OUT_ANNOTATION,
            FORCE_ACTIVATION_ANNOTATION,
        ] {
            if let Some(v) = self.metadata.annotations.get(key) {
                if goparse::parse_bool(&v.value).is_err() {
                    notes.push(FieldNote {
                        path: v.path.clone(),
                        origin: v.origin,
                        message: format!(
                            "{} is not a boolean: KEDA treats any unparseable value as true",
                            goparse::quote(&v.value)
                        ),
                    });
                }
            }
        }
        if let Some(v) = self.metadata.annotations.get(PAUSED_REPLICAS_ANNOTATION) {
            if let Err(e) = goparse::parse_int32(&v.value) {
                notes.push(FieldNote {
                    path: v.path.clone(),
                    origin: v.origin,
                    message: format!(
                        "{e}: KEDA pauses the ScaledObject without changing its replicas"
                    ),
                });
            }
        }
        notes
    }
}

/// A located error at a value.
pub(crate) fn at<T>(loc: &Located<T>, message: String) -> DeError {
    DeError {
        path: loc.path.clone(),
        origin: Some(loc.origin),
        message,
    }
}

fn at_opt<T>(loc: Option<&Located<T>>, path: &str, message: String) -> DeError {
    match loc {
        Some(l) => at(l, message),
        None => DeError {
            path: path.to_string(),
            origin: None,
            message,
        },
    }
}
