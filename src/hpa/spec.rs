//! The `autoscaling/v2` HorizontalPodAutoscaler spec: types, API defaulting and validation.
//!
//! Mirrors `k8s.io/api/autoscaling/v2` types, `pkg/apis/autoscaling/v2/defaults.go`
//! (`SetDefaults_HorizontalPodAutoscaler`, `GenerateHPAScaleUpRules`,
//! `GenerateHPAScaleDownRules`) and `pkg/apis/autoscaling/validation/validation.go`, so that a
//! spec built here is what the controller would see after the API server accepted it.
//! Quantities are held as integer milli-units (`Quantity.MilliValue()`), the unit the
//! controller computes in.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::quantity::Quantity;
use crate::yaml::de::{from_node, DeContext, DeError, Located, Unmodelled};
use crate::yaml::{Node, Origin};

/// Default CPU utilization target used when an HPA lists no metrics
/// (`autoscaling.DefaultCPUUtilization`, applied by `SetDefaults_HorizontalPodAutoscaler`).
pub const DEFAULT_CPU_UTILIZATION: i32 = 80;
/// Largest allowed `periodSeconds` of a scaling policy (`validation.MaxPeriodSeconds`).
pub const MAX_PERIOD_SECONDS: i32 = 1800;
/// Largest allowed `stabilizationWindowSeconds` (`validation.MaxStabilizationWindowSeconds`).
pub const MAX_STABILIZATION_WINDOW_SECONDS: i32 = 3600;

/// `CrossVersionObjectReference`: the scale target, or the object an Object metric describes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    /// `apiVersion`, e.g. `apps/v1`.
    pub api_version: String,
    /// `kind`, e.g. `Deployment`.
    pub kind: String,
    /// `name`.
    pub name: String,
}

impl ObjectRef {
    /// A reference from its three parts.
    pub fn new(api_version: &str, kind: &str, name: &str) -> ObjectRef {
        ObjectRef {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            name: name.to_string(),
        }
    }
}

/// One `matchExpressions` entry of a `metav1.LabelSelector`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LabelSelectorRequirement {
    /// `key`.
    pub key: String,
    /// `operator`: `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// `values`.
    pub values: Vec<String>,
}

/// `metav1.LabelSelector` (a metric selector). Its [`Display`](fmt::Display) is Go's `%+v` of
/// `*metav1.LabelSelector`, because upstream puts that text into metric names and event messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LabelSelector {
    /// `matchLabels` (sorted, as Go prints them).
    pub match_labels: BTreeMap<String, String>,
    /// `matchExpressions`, in order.
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

impl LabelSelector {
    /// A selector with only `matchLabels`.
    pub fn with_labels<'a>(labels: impl IntoIterator<Item = (&'a str, &'a str)>) -> LabelSelector {
        LabelSelector {
            match_labels: labels
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            match_expressions: Vec::new(),
        }
    }

    /// Checks the selector the way `metav1.LabelSelectorAsSelector` does before a metric is
    /// requested; the error text is close to, not byte-identical with, upstream's.
    pub fn as_selector_check(&self) -> Result<(), String> {
        for r in &self.match_expressions {
            match r.operator.as_str() {
                "In" | "NotIn" => {
                    if r.values.is_empty() {
                        return Err(
                            "for 'in', 'notin' operators, values set can't be empty".to_string()
                        );
                    }
                }
                "Exists" | "DoesNotExist" => {
                    if !r.values.is_empty() {
                        return Err(
                            "values set must be empty for exists and does not exist".to_string()
                        );
                    }
                }
                other => return Err(format!("{other:?} is not a valid label selector operator")),
            }
        }
        Ok(())
    }
}

impl fmt::Display for LabelSelector {
    /// `&LabelSelector{MatchLabels:map[string]string{k: v,},MatchExpressions:[]LabelSelectorRequirement{},}`
    /// (the gogo-protobuf generated `String()` that `%+v` calls).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("&LabelSelector{MatchLabels:map[string]string{")?;
        for (k, v) in &self.match_labels {
            write!(f, "{k}: {v},")?;
        }
        f.write_str("},MatchExpressions:[]LabelSelectorRequirement{")?;
        for r in &self.match_expressions {
            write!(
                f,
                "LabelSelectorRequirement{{Key:{},Operator:{},Values:[{}],}},",
                r.key,
                r.operator,
                r.values.join(" ")
            )?;
        }
        f.write_str("},}")
    }
}

/// Go's `%+v` of an optional `*metav1.LabelSelector`: the selector's text, or `nil`.
pub fn go_selector_string(selector: Option<&LabelSelector>) -> String {
    match selector {
        Some(s) => s.to_string(),
        None => "nil".to_string(),
    }
}

/// `MetricIdentifier`: a metric name and optional selector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MetricIdentifier {
    /// `name`, e.g. `s0-redis-high_priority`.
    pub name: String,
    /// `selector`, passed to the metrics API (KEDA routes on it).
    pub selector: Option<LabelSelector>,
}

impl MetricIdentifier {
    /// An identifier from a name and optional selector.
    pub fn new(name: &str, selector: Option<LabelSelector>) -> MetricIdentifier {
        MetricIdentifier {
            name: name.to_string(),
            selector,
        }
    }
}

/// `MetricTarget`, reduced to the field the controller reads for each metric type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MetricTarget {
    /// `averageUtilization`: percent of the pods' requests (Resource, ContainerResource).
    Utilization(i32),
    /// `value` in milli-units (Object, External).
    Value(i64),
    /// `averageValue` in milli-units (all types).
    AverageValue(i64),
}

/// One entry of `spec.metrics`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum MetricSpec {
    /// `type: Resource`: a resource (cpu, memory) of all containers of each pod.
    Resource {
        /// Resource name, e.g. `cpu`.
        name: String,
        /// Target.
        target: MetricTarget,
    },
    /// `type: ContainerResource`: a resource of one named container of each pod.
    ContainerResource {
        /// Resource name, e.g. `cpu`.
        name: String,
        /// Container name.
        container: String,
        /// Target.
        target: MetricTarget,
    },
    /// `type: Pods`: a custom metric per pod (average value target).
    Pods {
        /// Metric.
        metric: MetricIdentifier,
        /// Target.
        target: MetricTarget,
    },
    /// `type: Object`: a custom metric describing one object.
    Object {
        /// The object the metric describes.
        described_object: ObjectRef,
        /// Metric.
        metric: MetricIdentifier,
        /// Target.
        target: MetricTarget,
    },
    /// `type: External`: a metric from outside the cluster (what KEDA serves).
    External {
        /// Metric.
        metric: MetricIdentifier,
        /// Target.
        target: MetricTarget,
    },
    /// A source type the controller does not know (upstream tests use `CheddarCheese`); only
    /// constructible in code, the API server rejects it. Reconcile reports
    /// `InvalidMetricSourceType` for it.
    Unknown {
        /// The type string.
        type_name: String,
    },
}

impl MetricSpec {
    /// The `type` string of this metric (`Resource`, `External`, ...).
    pub fn type_name(&self) -> &str {
        match self {
            MetricSpec::Resource { .. } => "Resource",
            MetricSpec::ContainerResource { .. } => "ContainerResource",
            MetricSpec::Pods { .. } => "Pods",
            MetricSpec::Object { .. } => "Object",
            MetricSpec::External { .. } => "External",
            MetricSpec::Unknown { type_name } => type_name,
        }
    }

    /// A Resource metric with a utilization target (the common CPU case).
    pub fn resource_utilization(name: &str, percent: i32) -> MetricSpec {
        MetricSpec::Resource {
            name: name.to_string(),
            target: MetricTarget::Utilization(percent),
        }
    }

    /// An External metric.
    pub fn external(
        name: &str,
        selector: Option<LabelSelector>,
        target: MetricTarget,
    ) -> MetricSpec {
        MetricSpec::External {
            metric: MetricIdentifier::new(name, selector),
            target,
        }
    }
}

/// `ScalingPolicySelect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SelectPolicy {
    /// `Max`: the policy allowing the largest change (default).
    Max,
    /// `Min`: the policy allowing the smallest change.
    Min,
    /// `Disabled`: no scaling in this direction.
    Disabled,
}

impl SelectPolicy {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SelectPolicy::Max => "Max",
            SelectPolicy::Min => "Min",
            SelectPolicy::Disabled => "Disabled",
        }
    }
}

/// `HPAScalingPolicyType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PolicyType {
    /// `Pods`: an absolute number of pods per period.
    Pods,
    /// `Percent`: a percentage of the replicas at the start of the period.
    Percent,
}

impl PolicyType {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::Pods => "Pods",
            PolicyType::Percent => "Percent",
        }
    }
}

/// `HPAScalingPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ScalingPolicy {
    /// `type`.
    pub kind: PolicyType,
    /// `value` (> 0).
    pub value: i32,
    /// `periodSeconds` (1..=1800).
    pub period_seconds: i32,
}

impl ScalingPolicy {
    /// A `Pods` policy.
    pub fn pods(value: i32, period_seconds: i32) -> ScalingPolicy {
        ScalingPolicy {
            kind: PolicyType::Pods,
            value,
            period_seconds,
        }
    }
    /// A `Percent` policy.
    pub fn percent(value: i32, period_seconds: i32) -> ScalingPolicy {
        ScalingPolicy {
            kind: PolicyType::Percent,
            value,
            period_seconds,
        }
    }
}

/// `HPAScalingRules` after API defaulting: every field set except, for scale-down, the window,
/// which stays `None` until the controller fills it from `--horizontal-pod-autoscaler-downscale-stabilization`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScalingRules {
    /// `stabilizationWindowSeconds`; `None` only for scale-down left unset by the user.
    pub stabilization_window_seconds: Option<i32>,
    /// `selectPolicy`.
    pub select_policy: SelectPolicy,
    /// `policies`, in order.
    pub policies: Vec<ScalingPolicy>,
    /// `tolerance` (`Quantity.AsApproximateFloat64()`); read only with the
    /// `HPAConfigurableTolerance` gate.
    pub tolerance: Option<f64>,
}

/// `HPAScalingRules` as written by a user: any field may be unset. Input of
/// [`generate_scale_up_rules`] / [`generate_scale_down_rules`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PartialScalingRules {
    /// `stabilizationWindowSeconds`.
    pub stabilization_window_seconds: Option<i32>,
    /// `selectPolicy`.
    pub select_policy: Option<SelectPolicy>,
    /// `policies`; `Some(vec![])` replaces the defaults with nothing (and fails validation).
    pub policies: Option<Vec<ScalingPolicy>>,
    /// `tolerance`.
    pub tolerance: Option<f64>,
}

/// `HorizontalPodAutoscalerBehavior` after defaulting.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Behavior {
    /// `scaleUp`.
    pub scale_up: ScalingRules,
    /// `scaleDown`.
    pub scale_down: ScalingRules,
}

impl Behavior {
    /// Completes a user-written behavior the way the API server does
    /// (`SetDefaults_HorizontalPodAutoscalerBehavior`: each direction through
    /// `GenerateHPAScale{Up,Down}Rules`).
    pub fn from_partial(
        scale_up: Option<&PartialScalingRules>,
        scale_down: Option<&PartialScalingRules>,
    ) -> Behavior {
        Behavior {
            scale_up: generate_scale_up_rules(scale_up),
            scale_down: generate_scale_down_rules(scale_down),
        }
    }
}

impl Default for Behavior {
    /// The behavior an HPA with `behavior: {}` gets.
    fn default() -> Behavior {
        Behavior::from_partial(None, None)
    }
}

/// `defaultHPAScaleUpRules` (`pkg/apis/autoscaling/v2/defaults.go`): window 0, select Max,
/// policies `Pods 4 / 15s` and `Percent 100 / 15s`.
pub fn default_scale_up_rules() -> ScalingRules {
    ScalingRules {
        stabilization_window_seconds: Some(0),
        select_policy: SelectPolicy::Max,
        policies: vec![ScalingPolicy::pods(4, 15), ScalingPolicy::percent(100, 15)],
        tolerance: None,
    }
}

/// `defaultHPAScaleDownRules`: window unset (the controller flag fills it), select Max,
/// policy `Percent 100 / 15s`.
pub fn default_scale_down_rules() -> ScalingRules {
    ScalingRules {
        stabilization_window_seconds: None,
        select_policy: SelectPolicy::Max,
        policies: vec![ScalingPolicy::percent(100, 15)],
        tolerance: None,
    }
}

/// `copyHPAScalingRules`: every field the user set replaces the default; policies as a whole.
fn copy_scaling_rules(from: Option<&PartialScalingRules>, mut to: ScalingRules) -> ScalingRules {
    if let Some(from) = from {
        if let Some(p) = from.select_policy {
            to.select_policy = p;
        }
        if let Some(w) = from.stabilization_window_seconds {
            to.stabilization_window_seconds = Some(w);
        }
        if let Some(p) = &from.policies {
            to.policies = p.clone();
        }
        if let Some(t) = from.tolerance {
            to.tolerance = Some(t);
        }
    }
    to
}

/// `GenerateHPAScaleUpRules` (`pkg/apis/autoscaling/v2/defaults.go`).
pub fn generate_scale_up_rules(rules: Option<&PartialScalingRules>) -> ScalingRules {
    copy_scaling_rules(rules, default_scale_up_rules())
}

/// `GenerateHPAScaleDownRules` (`pkg/apis/autoscaling/v2/defaults.go`).
pub fn generate_scale_down_rules(rules: Option<&PartialScalingRules>) -> ScalingRules {
    copy_scaling_rules(rules, default_scale_down_rules())
}

/// A HorizontalPodAutoscaler spec as the controller sees it (defaulted, validated).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HpaSpec {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (`default` when unset).
    pub namespace: String,
    /// `spec.scaleTargetRef`.
    pub target: ObjectRef,
    /// `spec.minReplicas` (defaulted to 1).
    pub min_replicas: i32,
    /// `spec.maxReplicas`.
    pub max_replicas: i32,
    /// `spec.metrics` (defaulted to CPU utilization 80% when empty).
    pub metrics: Vec<MetricSpec>,
    /// `spec.behavior`; `None` selects the controller's legacy normalization.
    pub behavior: Option<Behavior>,
}

impl HpaSpec {
    /// Builds a spec from values made in code (KEDA generates its HPA this way). Applies the
    /// API defaulting that does not depend on optional-vs-set input: an empty metric list
    /// becomes CPU utilization 80% (`SetDefaults_HorizontalPodAutoscaler`). Use
    /// [`Behavior::from_partial`] for behavior and [`validate`](HpaSpec::validate) to check.
    pub fn new(
        name: &str,
        namespace: &str,
        target: ObjectRef,
        min_replicas: i32,
        max_replicas: i32,
        metrics: Vec<MetricSpec>,
        behavior: Option<Behavior>,
    ) -> HpaSpec {
        let metrics = if metrics.is_empty() {
            vec![MetricSpec::resource_utilization(
                "cpu",
                DEFAULT_CPU_UTILIZATION,
            )]
        } else {
            metrics
        };
        HpaSpec {
            name: name.to_string(),
            namespace: namespace.to_string(),
            target,
            min_replicas,
            max_replicas,
            metrics,
            behavior,
        }
    }

    /// `namespace/name`, the controller's key for this HPA.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Parses an `autoscaling/v2` HorizontalPodAutoscaler document, applies API defaulting and
    /// validates it with the API server's messages. Unknown fields become notes in `cx`.
    pub fn from_manifest(
        root: &Node,
        cx: &DeContext,
        opts: &ValidationOptions,
    ) -> Result<HpaSpec, Vec<SpecError>> {
        let raw: RawHpa = from_node(root, "", cx).map_err(|e| vec![SpecError::from(e)])?;
        let mut errors = Vec::new();
        if raw.api_version.value != "autoscaling/v2" {
            errors.push(SpecError::located(
                &raw.api_version,
                format!(
                    "unsupported apiVersion {:?}: scalesim reads HorizontalPodAutoscaler as autoscaling/v2",
                    raw.api_version.value
                ),
            ));
        }
        if raw.kind.value != "HorizontalPodAutoscaler" {
            errors.push(SpecError::located(
                &raw.kind,
                format!(
                    "expected kind HorizontalPodAutoscaler, found {:?}",
                    raw.kind.value
                ),
            ));
        }
        let spec = convert(&raw, opts, &mut errors);
        if errors.is_empty() {
            Ok(spec)
        } else {
            Err(errors)
        }
    }

    /// `ValidateHorizontalPodAutoscaler` on a spec built in code (paths without file positions).
    pub fn validate(&self, opts: &ValidationOptions) -> Vec<SpecError> {
        let mut errs = Vec::new();
        let lower = if opts.scale_to_zero { 0 } else { 1 };
        if self.min_replicas < lower {
            errs.push(SpecError::invalid(
                "spec.minReplicas",
                None,
                &self.min_replicas.to_string(),
                &format!("must be greater than or equal to {lower}"),
            ));
        }
        if self.max_replicas < 1 {
            errs.push(SpecError::invalid(
                "spec.maxReplicas",
                None,
                &self.max_replicas.to_string(),
                "must be greater than 0",
            ));
        }
        if self.max_replicas < self.min_replicas {
            errs.push(SpecError::invalid(
                "spec.maxReplicas",
                None,
                &self.max_replicas.to_string(),
                "must be greater than or equal to `minReplicas`",
            ));
        }
        validate_ref(&self.target, "spec.scaleTargetRef", None, &mut errs);
        let mut has_obj_or_ext = false;
        for (i, m) in self.metrics.iter().enumerate() {
            let p = format!("spec.metrics[{i}]");
            match m {
                MetricSpec::Object {
                    described_object,
                    metric,
                    ..
                } => {
                    has_obj_or_ext = true;
                    validate_ref(described_object, &format!("{p}.object.describedObject"), None, &mut errs);
                    validate_metric_name(&metric.name, &format!("{p}.object.metric.name"), None, &mut errs);
                }
                MetricSpec::External { metric, .. } => {
                    has_obj_or_ext = true;
                    validate_metric_name(&metric.name, &format!("{p}.external.metric.name"), None, &mut errs);
                }
                MetricSpec::Pods { metric, .. } => {
                    validate_metric_name(&metric.name, &format!("{p}.pods.metric.name"), None, &mut errs);
                }
                MetricSpec::Unknown { type_name } => errs.push(SpecError::new(
                    &format!("{p}.type"),
                    None,
                    format!(
                        "Unsupported value: {type_name:?}: supported values: \"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\""
                    ),
                )),
                _ => {}
            }
            if let Some(t) = target_of(m) {
                let (field, v) = match t {
                    MetricTarget::Utilization(v) => ("averageUtilization", v as i64),
                    MetricTarget::Value(v) => ("value", v),
                    MetricTarget::AverageValue(v) => ("averageValue", v),
                };
                if v < 1 {
                    let msg = if field == "averageUtilization" {
                        "must be greater than 0"
                    } else {
                        "must be positive"
                    };
                    let src = source_field(m);
                    errs.push(SpecError::invalid(
                        &format!("{p}.{src}.target.{field}"),
                        None,
                        &v.to_string(),
                        msg,
                    ));
                }
            }
        }
        if self.min_replicas == 0 && !has_obj_or_ext {
            errs.push(SpecError::new(
                "spec.metrics",
                None,
                "Forbidden: must specify at least one Object or External metric to support scaling to zero replicas".into(),
            ));
        }
        if let Some(b) = &self.behavior {
            validate_rules(&b.scale_up, "spec.behavior.scaleUp", &mut errs);
            validate_rules(&b.scale_down, "spec.behavior.scaleDown", &mut errs);
        }
        errs
    }
}

/// The target of a metric spec, if it has one.
fn target_of(m: &MetricSpec) -> Option<MetricTarget> {
    match m {
        MetricSpec::Resource { target, .. }
        | MetricSpec::ContainerResource { target, .. }
        | MetricSpec::Pods { target, .. }
        | MetricSpec::Object { target, .. }
        | MetricSpec::External { target, .. } => Some(*target),
        MetricSpec::Unknown { .. } => None,
    }
}

/// The JSON field of a metric source (`resource`, `external`, ...), for error paths.
fn source_field(m: &MetricSpec) -> &'static str {
    match m {
        MetricSpec::Resource { .. } => "resource",
        MetricSpec::ContainerResource { .. } => "containerResource",
        MetricSpec::Pods { .. } => "pods",
        MetricSpec::Object { .. } => "object",
        MetricSpec::External { .. } => "external",
        MetricSpec::Unknown { .. } => "unknown",
    }
}

/// `validateScalingRules` (`pkg/apis/autoscaling/validation/validation.go`).
fn validate_rules(r: &ScalingRules, path: &str, errs: &mut Vec<SpecError>) {
    if let Some(w) = r.stabilization_window_seconds {
        check_window(w, &format!("{path}.stabilizationWindowSeconds"), None, errs);
    }
    if r.policies.is_empty() {
        errs.push(SpecError::new(
            &format!("{path}.policies"),
            None,
            "Required value: must specify at least one Policy".into(),
        ));
    }
    for (i, p) in r.policies.iter().enumerate() {
        check_policy_numbers(
            p.value,
            p.period_seconds,
            &format!("{path}.policies[{i}]"),
            None,
            None,
            errs,
        );
    }
    if let Some(t) = r.tolerance {
        if t < 0.0 {
            errs.push(SpecError::invalid(
                &format!("{path}.tolerance"),
                None,
                &t.to_string(),
                "must be greater than or equal to zero",
            ));
        }
    }
}

/// The `stabilizationWindowSeconds` bounds of `validateScalingRules`.
fn check_window(w: i32, path: &str, origin: Option<Origin>, errs: &mut Vec<SpecError>) {
    if w < 0 {
        errs.push(SpecError::invalid(
            path,
            origin,
            &w.to_string(),
            "must be greater than or equal to zero",
        ));
    }
    if w > MAX_STABILIZATION_WINDOW_SECONDS {
        errs.push(SpecError::invalid(
            path,
            origin,
            &w.to_string(),
            &format!("must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"),
        ));
    }
}

/// `validateScalingPolicy`: `value > 0`, `0 < periodSeconds <= 1800`.
fn check_policy_numbers(
    value: i32,
    period: i32,
    path: &str,
    value_origin: Option<Origin>,
    period_origin: Option<Origin>,
    errs: &mut Vec<SpecError>,
) {
    if value <= 0 {
        errs.push(SpecError::invalid(
            &format!("{path}.value"),
            value_origin,
            &value.to_string(),
            "must be greater than zero",
        ));
    }
    if period <= 0 {
        errs.push(SpecError::invalid(
            &format!("{path}.periodSeconds"),
            period_origin,
            &period.to_string(),
            "must be greater than zero",
        ));
    }
    if period > MAX_PERIOD_SECONDS {
        errs.push(SpecError::invalid(
            &format!("{path}.periodSeconds"),
            period_origin,
            &period.to_string(),
            &format!("must be less than or equal to {MAX_PERIOD_SECONDS}"),
        ));
    }
}

/// `pathvalidation.IsValidPathSegmentName` messages.
fn path_segment_problems(name: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if name == "." || name == ".." {
        out.push(if name == "." {
            "may not be '.'"
        } else {
            "may not be '..'"
        });
    }
    if name.contains('/') {
        out.push("may not contain '/'");
    }
    if name.contains('%') {
        out.push("may not contain '%'");
    }
    out
}

/// `ValidateCrossVersionObjectReference`.
fn validate_ref(r: &ObjectRef, path: &str, origin: Option<Origin>, errs: &mut Vec<SpecError>) {
    if r.kind.is_empty() {
        errs.push(SpecError::new(
            &format!("{path}.kind"),
            origin,
            "Required value".into(),
        ));
    } else {
        for m in path_segment_problems(&r.kind) {
            errs.push(SpecError::invalid(
                &format!("{path}.kind"),
                origin,
                &format!("{:?}", r.kind),
                m,
            ));
        }
    }
    if r.name.is_empty() {
        errs.push(SpecError::new(
            &format!("{path}.name"),
            origin,
            "Required value".into(),
        ));
    } else {
        for m in path_segment_problems(&r.name) {
            errs.push(SpecError::invalid(
                &format!("{path}.name"),
                origin,
                &format!("{:?}", r.name),
                m,
            ));
        }
    }
}

/// `validateMetricIdentifier`.
fn validate_metric_name(name: &str, path: &str, origin: Option<Origin>, errs: &mut Vec<SpecError>) {
    if name.is_empty() {
        errs.push(SpecError::new(
            path,
            origin,
            "Required value: must specify a metric name".into(),
        ));
    } else {
        for m in path_segment_problems(name) {
            errs.push(SpecError::invalid(path, origin, &format!("{name:?}"), m));
        }
    }
}

/// API-server switches that change what validation accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ValidationOptions {
    /// `HPAScaleToZero` feature gate (alpha, off by default): allows `minReplicas: 0`.
    pub scale_to_zero: bool,
}

/// A defaulting/validation error, with the API server's field path and message body
/// (`field.Error`: `spec.minReplicas: Invalid value: 0: must be greater than or equal to 1`).
#[derive(Clone, Debug, PartialEq)]
pub struct SpecError {
    /// Field path, e.g. `spec.behavior.scaleUp.policies[0].periodSeconds`.
    pub path: String,
    /// Where the offending value was written, when it came from a file.
    pub origin: Option<Origin>,
    /// The message body, e.g. `Invalid value: 0: must be greater than zero`.
    pub message: String,
}

impl SpecError {
    fn new(path: &str, origin: Option<Origin>, message: String) -> SpecError {
        SpecError {
            path: path.to_string(),
            origin,
            message,
        }
    }
    fn invalid(path: &str, origin: Option<Origin>, value: &str, detail: &str) -> SpecError {
        SpecError::new(path, origin, format!("Invalid value: {value}: {detail}"))
    }
    fn located<T>(at: &Located<T>, message: String) -> SpecError {
        SpecError::new(&at.path, Some(at.origin), message)
    }
}

impl From<DeError> for SpecError {
    fn from(e: DeError) -> SpecError {
        SpecError {
            path: e.path,
            origin: e.origin,
            message: e.message,
        }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for SpecError {}

// ---------------------------------------------------------------------------------------------
// Manifest (raw) types: the autoscaling/v2 wire shape, read with the span-keeping deserializer.
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawHpa {
    api_version: Located<String>,
    kind: Located<String>,
    metadata: RawMeta,
    spec: RawSpec,
    #[serde(default)]
    #[allow(dead_code)]
    status: Option<Unmodelled>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMeta {
    name: Located<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    #[allow(dead_code)]
    annotations: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSpec {
    scale_target_ref: Located<RawRef>,
    #[serde(default)]
    min_replicas: Option<Located<i32>>,
    max_replicas: Located<i32>,
    #[serde(default)]
    metrics: Option<Vec<Located<RawMetricSpec>>>,
    #[serde(default)]
    behavior: Option<RawBehavior>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRef {
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMetricSpec {
    #[serde(default, rename = "type")]
    kind: Option<Located<String>>,
    #[serde(default)]
    resource: Option<RawResourceSource>,
    #[serde(default)]
    container_resource: Option<RawContainerResourceSource>,
    #[serde(default)]
    pods: Option<RawPodsSource>,
    #[serde(default)]
    object: Option<RawObjectSource>,
    #[serde(default)]
    external: Option<RawExternalSource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawResourceSource {
    #[serde(default)]
    name: Option<String>,
    target: Located<RawTarget>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawContainerResourceSource {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    container: Option<String>,
    target: Located<RawTarget>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPodsSource {
    metric: RawMetricIdentifier,
    target: Located<RawTarget>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawObjectSource {
    described_object: Located<RawRef>,
    metric: RawMetricIdentifier,
    target: Located<RawTarget>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawExternalSource {
    metric: RawMetricIdentifier,
    target: Located<RawTarget>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMetricIdentifier {
    #[serde(default)]
    name: Option<Located<String>>,
    #[serde(default)]
    selector: Option<RawLabelSelector>,
}

/// A `metav1.LabelSelector` as written in a manifest (public so other manifest readers, such
/// as KEDA's, can reuse it).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RawLabelSelector {
    /// `matchLabels`.
    #[serde(default)]
    pub match_labels: Option<BTreeMap<String, String>>,
    /// `matchExpressions`.
    #[serde(default)]
    pub match_expressions: Option<Vec<RawLabelSelectorRequirement>>,
}

/// A `matchExpressions` entry as written in a manifest.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RawLabelSelectorRequirement {
    /// `key`.
    pub key: String,
    /// `operator`.
    pub operator: String,
    /// `values`.
    #[serde(default)]
    pub values: Option<Vec<String>>,
}

impl RawLabelSelector {
    /// The selector value.
    pub fn to_selector(&self) -> LabelSelector {
        LabelSelector {
            match_labels: self.match_labels.clone().unwrap_or_default(),
            match_expressions: self
                .match_expressions
                .iter()
                .flatten()
                .map(|r| LabelSelectorRequirement {
                    key: r.key.clone(),
                    operator: r.operator.clone(),
                    values: r.values.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTarget {
    #[serde(default, rename = "type")]
    kind: Option<Located<String>>,
    #[serde(default)]
    value: Option<Located<Quantity>>,
    #[serde(default)]
    average_value: Option<Located<Quantity>>,
    #[serde(default)]
    average_utilization: Option<Located<i32>>,
}

/// `HorizontalPodAutoscalerBehavior` as written in a manifest (public so KEDA's
/// `advanced.horizontalPodAutoscalerConfig.behavior` can be read with the same type). Turn it
/// into a [`Behavior`] with [`RawBehavior::to_behavior`].
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RawBehavior {
    /// `scaleUp`.
    #[serde(default)]
    pub scale_up: Option<Located<RawScalingRules>>,
    /// `scaleDown`.
    #[serde(default)]
    pub scale_down: Option<Located<RawScalingRules>>,
}

/// `HPAScalingRules` as written in a manifest.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RawScalingRules {
    /// `stabilizationWindowSeconds`.
    #[serde(default)]
    pub stabilization_window_seconds: Option<Located<i32>>,
    /// `selectPolicy` (checked against `Max`, `Min`, `Disabled` by validation).
    #[serde(default)]
    pub select_policy: Option<Located<String>>,
    /// `policies`.
    #[serde(default)]
    pub policies: Option<Vec<RawScalingPolicy>>,
    /// `tolerance` (a Quantity such as `0.05` or `50m`).
    #[serde(default)]
    pub tolerance: Option<Located<Quantity>>,
}

/// `HPAScalingPolicy` as written in a manifest.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RawScalingPolicy {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: Located<String>,
    /// `value`.
    pub value: Located<i32>,
    /// `periodSeconds`.
    pub period_seconds: Located<i32>,
}

impl RawBehavior {
    /// Defaults (`SetDefaults_HorizontalPodAutoscalerBehavior`) and validates
    /// (`validateBehavior`) the behavior; errors carry field paths relative to where the
    /// behavior was read (the `Located` paths).
    pub fn to_behavior(&self) -> Result<Behavior, Vec<SpecError>> {
        let mut errs = Vec::new();
        let up = self
            .scale_up
            .as_ref()
            .map(|r| r.value.to_partial(&mut errs));
        let down = self
            .scale_down
            .as_ref()
            .map(|r| r.value.to_partial(&mut errs));
        let b = Behavior::from_partial(up.as_ref(), down.as_ref());
        // The policies-empty check runs on the defaulted rules (an explicit `policies: []`).
        for (raw, rules) in [
            (&self.scale_up, &b.scale_up),
            (&self.scale_down, &b.scale_down),
        ] {
            if let Some(raw) = raw {
                if rules.policies.is_empty() {
                    errs.push(SpecError::new(
                        &format!("{}.policies", raw.path),
                        Some(raw.origin),
                        "Required value: must specify at least one Policy".into(),
                    ));
                }
            }
        }
        if errs.is_empty() {
            Ok(b)
        } else {
            Err(errs)
        }
    }
}

impl RawScalingRules {
    fn to_partial(&self, errs: &mut Vec<SpecError>) -> PartialScalingRules {
        let mut out = PartialScalingRules::default();
        if let Some(w) = &self.stabilization_window_seconds {
            check_window(w.value, &w.path, Some(w.origin), errs);
            out.stabilization_window_seconds = Some(w.value);
        }
        if let Some(p) = &self.select_policy {
            out.select_policy = match p.value.as_str() {
                "Max" => Some(SelectPolicy::Max),
                "Min" => Some(SelectPolicy::Min),
                "Disabled" => Some(SelectPolicy::Disabled),
                other => {
                    errs.push(SpecError::located(
                        p,
                        format!(
                            "Unsupported value: {other:?}: supported values: \"Disabled\", \"Max\", \"Min\""
                        ),
                    ));
                    None
                }
            };
        }
        if let Some(ps) = &self.policies {
            let mut v = Vec::new();
            for p in ps {
                let parent = p
                    .kind
                    .path
                    .rsplit_once('.')
                    .map(|(a, _)| a.to_string())
                    .unwrap_or_default();
                let kind = match p.kind.value.as_str() {
                    "Pods" => PolicyType::Pods,
                    "Percent" => PolicyType::Percent,
                    other => {
                        errs.push(SpecError::located(
                            &p.kind,
                            format!("Unsupported value: {other:?}: supported values: \"Percent\", \"Pods\""),
                        ));
                        PolicyType::Pods
                    }
                };
                check_policy_numbers(
                    p.value.value,
                    p.period_seconds.value,
                    &parent,
                    Some(p.value.origin),
                    Some(p.period_seconds.origin),
                    errs,
                );
                v.push(ScalingPolicy {
                    kind,
                    value: p.value.value,
                    period_seconds: p.period_seconds.value,
                });
            }
            out.policies = Some(v);
        }
        if let Some(t) = &self.tolerance {
            let f = t.value.as_f64();
            if f < 0.0 {
                errs.push(SpecError::located(
                    t,
                    format!(
                        "Invalid value: {}: must be greater than or equal to zero",
                        t.value
                    ),
                ));
            }
            out.tolerance = Some(f);
        }
        out
    }
}

/// Converts and validates a `CrossVersionObjectReference` read from a manifest.
fn raw_ref(r: &Located<RawRef>, errs: &mut Vec<SpecError>) -> ObjectRef {
    let out = ObjectRef {
        api_version: r.value.api_version.clone().unwrap_or_default(),
        kind: r.value.kind.clone().unwrap_or_default(),
        name: r.value.name.clone().unwrap_or_default(),
    };
    validate_ref(&out, &r.path, Some(r.origin), errs);
    out
}

/// Converts and validates a `MetricIdentifier` read from a manifest.
fn raw_identifier(
    id: &RawMetricIdentifier,
    path: &str,
    errs: &mut Vec<SpecError>,
) -> MetricIdentifier {
    let name = match &id.name {
        Some(n) => {
            validate_metric_name(&n.value, &n.path, Some(n.origin), errs);
            n.value.clone()
        }
        None => {
            errs.push(SpecError::new(
                &format!("{path}.metric.name"),
                None,
                "Required value: must specify a metric name".into(),
            ));
            String::new()
        }
    };
    MetricIdentifier {
        name,
        selector: id.selector.as_ref().map(RawLabelSelector::to_selector),
    }
}

/// The target's fields in milli-units after `validateMetricTarget`.
struct TargetFields {
    kind: String,
    value: Option<i64>,
    average_value: Option<i64>,
    average_utilization: Option<i32>,
}

/// `validateMetricTarget`, returning the target's fields in milli-units.
fn raw_target(t: &Located<RawTarget>, errs: &mut Vec<SpecError>) -> TargetFields {
    let p = &t.path;
    let kind = match &t.value.kind {
        Some(k) => {
            if !matches!(k.value.as_str(), "Utilization" | "Value" | "AverageValue") {
                errs.push(SpecError::located(
                    k,
                    format!(
                        "Invalid value: {:?}: must be either Utilization, Value, or AverageValue",
                        k.value
                    ),
                ));
            }
            k.value.clone()
        }
        None => {
            errs.push(SpecError::new(
                &format!("{p}.type"),
                Some(t.origin),
                "Required value: must specify a metric target type".into(),
            ));
            errs.push(SpecError::new(
                &format!("{p}.type"),
                Some(t.origin),
                "Invalid value: \"\": must be either Utilization, Value, or AverageValue".into(),
            ));
            String::new()
        }
    };
    let q = |q: &Option<Located<Quantity>>, errs: &mut Vec<SpecError>| {
        q.as_ref().map(|l| {
            let m = l.value.milli_value();
            if m <= 0 {
                errs.push(SpecError::located(
                    l,
                    format!("Invalid value: {}: must be positive", l.value),
                ));
            }
            m
        })
    };
    let value = q(&t.value.value, errs);
    let average_value = q(&t.value.average_value, errs);
    let average_utilization = t.value.average_utilization.as_ref().map(|u| {
        if u.value < 1 {
            errs.push(SpecError::located(
                u,
                format!("Invalid value: {}: must be greater than 0", u.value),
            ));
        }
        u.value
    });
    TargetFields {
        kind,
        value,
        average_value,
        average_utilization,
    }
}

/// `validateMetricSpec` plus the conversion to [`MetricSpec`]. Returns `None` when the entry
/// is invalid (an error was pushed).
fn raw_metric(m: &Located<RawMetricSpec>, errs: &mut Vec<SpecError>) -> Option<MetricSpec> {
    let p = m.path.clone();
    let r = &m.value;
    let before = errs.len();
    let type_name = r.kind.as_ref().map(|k| k.value.clone()).unwrap_or_default();
    const SUPPORTED: &str =
        "supported values: \"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"";
    let type_origin = r.kind.as_ref().map(|k| k.origin).or(Some(m.origin));
    if type_name.is_empty() {
        errs.push(SpecError::new(
            &format!("{p}.type"),
            type_origin,
            "Required value: must specify a metric source type".into(),
        ));
    }
    let known = matches!(
        type_name.as_str(),
        "Object" | "Pods" | "Resource" | "External" | "ContainerResource"
    );
    if !known {
        errs.push(SpecError::new(
            &format!("{p}.type"),
            type_origin,
            format!("Unsupported value: {type_name:?}: {SUPPORTED}"),
        ));
    }
    let mut present: Vec<&str> = Vec::new();
    let mut out: Option<MetricSpec> = None;
    if let Some(o) = &r.object {
        present.push("object");
        if present.len() == 1 {
            let described_object = raw_ref(&o.described_object, errs);
            let metric = raw_identifier(&o.metric, &format!("{p}.object"), errs);
            let t = raw_target(&o.target, errs);
            let tp = &o.target.path;
            if t.value.is_none() && t.average_value.is_none() {
                errs.push(SpecError::new(
                    &format!("{tp}.averageValue"),
                    Some(o.target.origin),
                    "Required value: must set either a target value or averageValue".into(),
                ));
            }
            // computeStatusForObjectMetric reads the field named by the target type.
            let target = match (t.kind.as_str(), t.value, t.average_value) {
                ("Value", Some(v), _) => Some(MetricTarget::Value(v)),
                ("AverageValue", _, Some(v)) => Some(MetricTarget::AverageValue(v)),
                _ => None,
            };
            match target {
                Some(target) => {
                    out = Some(MetricSpec::Object {
                        described_object,
                        metric,
                        target,
                    })
                }
                None if errs.len() == before => errs.push(SpecError::new(
                    tp,
                    Some(o.target.origin),
                    format!(
                        "scalesim: the API server accepts this target, but the HPA controller reads only the field named by `type` ({:?}) and would report FailedGetObjectMetric (\"invalid object metric source: neither a value target nor an average value target was set\") on every pass; set `{}`",
                        t.kind,
                        if t.kind == "Value" { "value" } else { "averageValue" }
                    ),
                )),
                None => {}
            }
        }
    }
    if let Some(e) = &r.external {
        present.push("external");
        if present.len() == 1 {
            let metric = raw_identifier(&e.metric, &format!("{p}.external"), errs);
            let t = raw_target(&e.target, errs);
            let tp = &e.target.path;
            if t.value.is_none() && t.average_value.is_none() {
                errs.push(SpecError::new(
                    &format!("{tp}.averageValue"),
                    Some(e.target.origin),
                    "Required value: must set either a target value for metric or a per-pod target"
                        .into(),
                ));
            }
            if t.value.is_some() && t.average_value.is_some() {
                errs.push(SpecError::new(
                    &format!("{tp}.value"),
                    Some(e.target.origin),
                    "Forbidden: may not set both a target value for metric and a per-pod target"
                        .into(),
                ));
            }
            // computeStatusForExternalMetric checks averageValue first, then value.
            let target = match (t.average_value, t.value) {
                (Some(v), _) => Some(MetricTarget::AverageValue(v)),
                (None, Some(v)) => Some(MetricTarget::Value(v)),
                _ => None,
            };
            out = target.map(|target| MetricSpec::External { metric, target });
        }
    }
    if let Some(ps) = &r.pods {
        present.push("pods");
        if present.len() == 1 {
            let metric = raw_identifier(&ps.metric, &format!("{p}.pods"), errs);
            let t = raw_target(&ps.target, errs);
            if t.average_value.is_none() {
                errs.push(SpecError::new(
                    &format!("{}.averageValue", ps.target.path),
                    Some(ps.target.origin),
                    "Required value: must specify a positive target averageValue".into(),
                ));
            }
            out = t.average_value.map(|v| MetricSpec::Pods {
                metric,
                target: MetricTarget::AverageValue(v),
            });
        }
    }
    let resource_target = |t: &TargetFields,
                           tp: &str,
                           origin: Origin,
                           errs: &mut Vec<SpecError>| {
        if t.average_utilization.is_none() && t.average_value.is_none() {
            errs.push(SpecError::new(
                &format!("{tp}.averageUtilization"),
                Some(origin),
                "Required value: must set either a target raw value or a target utilization".into(),
            ));
        }
        if t.average_utilization.is_some() && t.average_value.is_some() {
            errs.push(SpecError::new(
                &format!("{tp}.averageValue"),
                Some(origin),
                "Forbidden: may not set both a target raw value and a target utilization".into(),
            ));
        }
        // computeStatusForResourceMetricGeneric checks averageValue first.
        match (t.average_value, t.average_utilization) {
            (Some(v), _) => Some(MetricTarget::AverageValue(v)),
            (None, Some(u)) => Some(MetricTarget::Utilization(u)),
            _ => None,
        }
    };
    if let Some(res) = &r.resource {
        present.push("resource");
        if present.len() == 1 {
            let name = res.name.clone().unwrap_or_default();
            if name.is_empty() {
                errs.push(SpecError::new(
                    &format!("{p}.resource.name"),
                    Some(m.origin),
                    "Required value: must specify a resource name".into(),
                ));
            }
            let t = raw_target(&res.target, errs);
            out = resource_target(&t, &res.target.path, res.target.origin, errs)
                .map(|target| MetricSpec::Resource { name, target });
        }
    }
    if let Some(cr) = &r.container_resource {
        present.push("containerResource");
        if present.len() == 1 {
            let name = cr.name.clone().unwrap_or_default();
            if name.is_empty() {
                errs.push(SpecError::new(
                    &format!("{p}.containerResource.name"),
                    Some(m.origin),
                    "Required value: must specify a resource name".into(),
                ));
            }
            let container = cr.container.clone().unwrap_or_default();
            if container.is_empty() {
                errs.push(SpecError::new(
                    &format!("{p}.containerResource.container"),
                    Some(m.origin),
                    "Required value: must specify a container".into(),
                ));
            }
            let t = raw_target(&cr.target, errs);
            out = resource_target(&t, &cr.target.path, cr.target.origin, errs).map(|target| {
                MetricSpec::ContainerResource {
                    name,
                    container,
                    target,
                }
            });
        }
    }
    let expected = match type_name.as_str() {
        "Object" => Some("object"),
        "Pods" => Some("pods"),
        "Resource" => Some("resource"),
        "External" => Some("external"),
        "ContainerResource" => Some("containerResource"),
        _ => None,
    };
    match expected {
        Some(field) if !present.contains(&field) => errs.push(SpecError::new(
            &format!("{p}.{field}"),
            Some(m.origin),
            "Required value: must populate information for the given metric source".into(),
        )),
        Some(_) => {}
        None => errs.push(SpecError::new(
            &format!("{p}.type"),
            type_origin,
            format!("Unsupported value: {type_name:?}: {SUPPORTED}"),
        )),
    }
    if present.len() != 1 {
        let mut others: Vec<&str> = present
            .iter()
            .copied()
            .filter(|f| Some(*f) != expected)
            .collect();
        others.sort_unstable();
        for typ in others {
            errs.push(SpecError::new(
                &format!("{p}.{typ}"),
                Some(m.origin),
                "Forbidden: must populate the given metric source only".into(),
            ));
        }
    }
    match out {
        Some(spec)
            if errs.len() == before
                && expected.is_some()
                && present.first() == expected.as_ref() =>
        {
            Some(spec)
        }
        _ => None,
    }
}

/// `SetDefaults_HorizontalPodAutoscaler` + `validateHorizontalPodAutoscalerSpec`: defaults
/// and validates the manifest's spec and builds the [`HpaSpec`].
fn convert(raw: &RawHpa, opts: &ValidationOptions, errs: &mut Vec<SpecError>) -> HpaSpec {
    let s = &raw.spec;
    let target = raw_ref(&s.scale_target_ref, errs);
    let lower = if opts.scale_to_zero { 0 } else { 1 };
    let min_replicas = match &s.min_replicas {
        Some(m) => {
            if m.value < lower {
                errs.push(SpecError::located(
                    m,
                    format!(
                        "Invalid value: {}: must be greater than or equal to {lower}",
                        m.value
                    ),
                ));
            }
            m.value
        }
        None => 1,
    };
    let max = &s.max_replicas;
    if max.value < 1 {
        errs.push(SpecError::located(
            max,
            format!("Invalid value: {}: must be greater than 0", max.value),
        ));
    }
    if s.min_replicas.is_some() && max.value < min_replicas {
        errs.push(SpecError::located(
            max,
            format!(
                "Invalid value: {}: must be greater than or equal to `minReplicas`",
                max.value
            ),
        ));
    }
    let mut metrics = Vec::new();
    let mut has_obj_or_ext = false;
    for m in s.metrics.iter().flatten() {
        if let Some(k) = &m.value.kind {
            if k.value == "Object" || k.value == "External" {
                has_obj_or_ext = true;
            }
        }
        if let Some(spec) = raw_metric(m, errs) {
            metrics.push(spec);
        }
    }
    if min_replicas == 0 && s.min_replicas.is_some() && !has_obj_or_ext {
        errs.push(SpecError::new(
            "spec.metrics",
            s.min_replicas.as_ref().map(|m| m.origin),
            "Forbidden: must specify at least one Object or External metric to support scaling to zero replicas".into(),
        ));
    }
    let behavior = match &s.behavior {
        Some(b) => match b.to_behavior() {
            Ok(b) => Some(b),
            Err(mut e) => {
                errs.append(&mut e);
                None
            }
        },
        None => None,
    };
    HpaSpec::new(
        &raw.metadata.name.value,
        raw.metadata.namespace.as_deref().unwrap_or("default"),
        target,
        min_replicas,
        max.value,
        metrics,
        behavior,
    )
}
