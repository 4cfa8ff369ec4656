//! A ScaledObject made ready to run: validated, its scalers built from the trigger metadata,
//! its formula compiled and its HPA generated, with every problem located in the manifest.
//!
//! This is what KEDA's admission webhook (`scaledobject_webhook.go#validateWorkload`) and
//! reconciler (`scaledobject_controller.go#reconcileScaledObject`, `buildScalers`) would refuse
//! or report; scalesim turns those into load-time errors, and metadata keys no scaler reads
//! into warnings (or errors when a `--set` override wrote them).

use std::collections::BTreeMap;

use super::formula::Formula;
use super::goparse;
use super::hpa_gen::{self, GeneratedHpa};
use super::scaledobject::{at, ScaledObject};
use super::scalers::{self, ExternalMetricSpec, Scaler};
use super::typed_config::ScalerConfig;
use crate::hpa::ValidationOptions;
use crate::yaml::de::{suggest, DeContext, DeError, FieldNote};
use crate::yaml::{Node, Origin};

/// What KEDA resolves from outside the ScaledObject when it builds scalers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScalerInputs {
    /// The scale target container's environment (`envSourceContainerName`, else the first
    /// container), as KEDA resolves it: read by `<param>FromEnv` metadata.
    pub resolved_env: BTreeMap<String, String>,
    /// TriggerAuthentication parameters per trigger index.
    pub auth_params: BTreeMap<usize, BTreeMap<String, String>>,
    /// Pod identity provider per trigger index (empty: none).
    pub pod_identity_provider: BTreeMap<usize, String>,
}

/// One trigger with its scaler.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledTrigger {
    /// Index in `spec.triggers`.
    pub index: usize,
    /// `triggers[].name` ("" when unset).
    pub name: String,
    /// The name KEDA uses in events: the trigger name, else the Go scaler type (`redisScaler`).
    pub display_name: String,
    /// `useCachedMetrics`.
    pub use_cached_metrics: bool,
    /// The scaler's configuration.
    pub config: ScalerConfig,
    /// The scaler.
    pub scaler: Scaler,
    /// Its external metric.
    pub metric: ExternalMetricSpec,
}

/// A ScaledObject ready for the scale loop, the metrics adapter and HPA generation.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledScaledObject {
    /// The manifest.
    pub so: ScaledObject,
    /// Triggers in manifest order.
    pub triggers: Vec<CompiledTrigger>,
    /// The compiled scalingModifiers formula.
    pub formula: Option<Formula>,
}

/// A successful compilation and its warnings.
#[derive(Clone, Debug, PartialEq)]
pub struct Compiled {
    /// The compiled object.
    pub object: CompiledScaledObject,
    /// The generated HPA.
    pub hpa: GeneratedHpa,
    /// Warnings (unknown metadata keys, odd annotation values, unresolved authentication).
    pub notes: Vec<FieldNote>,
}

impl CompiledScaledObject {
    /// Reads, validates and compiles a ScaledObject document. Unknown manifest fields become
    /// notes in `cx` (take them with [`DeContext::take_notes`]).
    pub fn from_node(
        root: &Node,
        cx: &DeContext,
        inputs: &ScalerInputs,
    ) -> Result<Compiled, Vec<DeError>> {
        let so = ScaledObject::from_node(root, cx).map_err(|e| vec![e])?;
        Self::compile(so, inputs)
    }

    /// Validates and compiles a parsed ScaledObject.
    pub fn compile(so: ScaledObject, inputs: &ScalerInputs) -> Result<Compiled, Vec<DeError>> {
        let mut errors = so.validate();
        let mut notes = so.annotation_notes();
        let formula = match validate_and_compile_scaling_modifiers(&so) {
            Ok(f) => f,
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let mut triggers = Vec::new();
        for (index, t) in so.spec.triggers.iter().enumerate() {
            let ty = t.trigger_type.value.as_str();
            let params = match scalers::params_for(ty) {
                Ok(p) => p,
                Err(e) => {
                    errors.push(at(&t.trigger_type, e));
                    continue;
                }
            };
            let known: Vec<String> = params.iter().flat_map(|p| p.metadata_keys()).collect();
            let known_refs: Vec<&str> = known.iter().map(String::as_str).collect();
            for (key, value) in &t.metadata {
                if known.contains(key) {
                    continue;
                }
                let message = format!(
                    "unknown metadata key `{key}` for the {ty} scaler{}",
                    suggest(key, &known_refs)
                );
                if matches!(value.origin, Origin::Override(i) if i != usize::MAX) {
                    errors.push(at(
                        value,
                        format!("{message}; expected one of: {}", known_refs.join(", ")),
                    ));
                } else {
                    notes.push(FieldNote {
                        path: value.path.clone(),
                        origin: value.origin,
                        message: format!("{message}: KEDA ignores it"),
                    });
                }
            }
            if let Some(r) = &t.authentication_ref {
                if !inputs.auth_params.contains_key(&index) {
                    notes.push(FieldNote {
                        path: r.name.path.clone(),
                        origin: r.name.origin,
                        message: format!(
                            "TriggerAuthentication {} is not read by scalesim: the trigger gets no authentication parameters",
                            goparse::quote(&r.name.value)
                        ),
                    });
                }
            }
            let config = ScalerConfig {
                scaled_object_name: so.name().to_string(),
                namespace: so.namespace().to_string(),
                trigger_index: index,
                trigger_type: ty.to_string(),
                trigger_name: t.name().to_string(),
                metadata: t.metadata_map(),
                resolved_env: inputs.resolved_env.clone(),
                auth_params: inputs.auth_params.get(&index).cloned().unwrap_or_default(),
                metric_type: t.metric_type().to_string(),
                use_cached_metrics: t.use_cached_metrics(),
                pod_identity_provider: inputs
                    .pod_identity_provider
                    .get(&index)
                    .cloned()
                    .unwrap_or_default(),
                as_metric_source: so.is_using_modifiers(),
            };
            match Scaler::build(&config) {
                Ok(scaler) => {
                    let display_name = if t.name().is_empty() {
                        scaler.go_type_name().to_string()
                    } else {
                        t.name().to_string()
                    };
                    triggers.push(CompiledTrigger {
                        index,
                        name: t.name().to_string(),
                        display_name,
                        use_cached_metrics: t.use_cached_metrics(),
                        metric: scaler.metric_spec(),
                        config,
                        scaler,
                    });
                }
                Err(e) => {
                    let located = e
                        .key
                        .as_ref()
                        .and_then(|k| t.metadata.get(k))
                        .map(|l| at(l, e.message.clone()));
                    let located = match (located, &t.metric_type) {
                        (Some(l), _) => l,
                        (None, Some(mt)) if e.message.contains("metric type") => {
                            at(mt, e.message.clone())
                        }
                        (None, _) => DeError {
                            path: format!("spec.triggers[{index}].metadata"),
                            origin: Some(t.trigger_type.origin),
                            message: e.message.clone(),
                        },
                    };
                    errors.push(located);
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let object = CompiledScaledObject {
            so,
            triggers,
            formula,
        };
        let hpa = hpa_gen::generate_hpa(&object).map_err(|errs| {
            errs.into_iter()
                .map(|e| hpa_error(&object.so, e.path, e.origin, e.message))
                .collect::<Vec<_>>()
        })?;
        let api_errors: Vec<DeError> = hpa
            .spec
            .validate(&ValidationOptions::default())
            .into_iter()
            .map(|e| {
                hpa_error(
                    &object.so,
                    String::new(),
                    None,
                    format!(
                        "HorizontalPodAutoscaler.autoscaling {} is invalid: {}: {}",
                        goparse::quote(&hpa.spec.name),
                        e.path,
                        e.message
                    ),
                )
            })
            .collect();
        if !api_errors.is_empty() {
            return Err(api_errors);
        }
        if let Some(sm) = object.so.scaling_modifiers() {
            if let Some(a) = &sm.activation_target {
                if let Err(e) = goparse::parse_float(&a.value) {
                    notes.push(FieldNote {
                        path: a.path.clone(),
                        origin: a.origin,
                        message: format!(
                            "scalingModifiers.ActivationTarget parsing error {e}: every KEDA poll will fail before scaling"
                        ),
                    });
                }
            }
        }
        Ok(Compiled { object, hpa, notes })
    }

    /// The trigger whose metric is `metric_name` (case-insensitive, as KEDA matches).
    pub fn trigger_for_metric(&self, metric_name: &str) -> Option<&CompiledTrigger> {
        self.triggers
            .iter()
            .find(|t| t.metric.name.eq_ignore_ascii_case(metric_name))
    }
}

fn hpa_error(so: &ScaledObject, path: String, origin: Option<Origin>, message: String) -> DeError {
    DeError {
        path: if path.is_empty() { "spec".into() } else { path },
        origin: origin.or(Some(so.spec.scale_target_ref.name.origin)),
        message: format!("failed to ensure HPA is correctly created for ScaledObject: {message}"),
    }
}

/// `ValidateAndCompileScalingModifiers` (admission webhook; also run when the scalers cache is
/// built). `Ok(None)` without scalingModifiers.
pub fn validate_and_compile_scaling_modifiers(
    so: &ScaledObject,
) -> Result<Option<Formula>, DeError> {
    if !so.is_using_modifiers() {
        return Ok(None);
    }
    let sm = so.scaling_modifiers().expect("using modifiers");
    let path = "spec.advanced.scalingModifiers";
    let loc = |l: &Option<crate::yaml::de::Located<String>>, message: String| match l {
        Some(l) => at(l, message),
        None => DeError {
            path: path.into(),
            origin: sm
                .formula
                .as_ref()
                .or(sm.target.as_ref())
                .or(sm.activation_target.as_ref())
                .or(sm.metric_type.as_ref())
                .map(|l| l.origin),
            message,
        },
    };
    if !matches!(sm.metric_type(), "" | "AverageValue" | "Value") {
        return Err(loc(
            &sm.metric_type,
            format!(
                "Unsupported value: {}: supported values: \"AverageValue\", \"Value\"",
                goparse::quote(sm.metric_type())
            ),
        ));
    }
    if sm.formula().is_empty() {
        return Err(loc(
            &sm.formula,
            "error ScalingModifiers.Formula is mandatory".into(),
        ));
    }
    const FORMULA: &str = "error validating formula in ScalingModifiers";
    if sm.target().is_empty() {
        return Err(loc(
            &sm.target,
            format!("{FORMULA}\nformula is given but target is empty"),
        ));
    }
    let names: Vec<&str> = so
        .spec
        .triggers
        .iter()
        .filter(|t| !matches!(t.trigger_type.value.as_str(), "cpu" | "memory"))
        .map(|t| t.name())
        .filter(|n| !n.is_empty())
        .collect();
    let formula = Formula::compile(sm.formula(), &names)
        .map_err(|e| loc(&sm.formula, format!("{FORMULA}\n{e}")))?;
    const TARGET: &str = "error validating target in ScalingModifiers";
    match goparse::parse_float(sm.target()) {
        Ok(v) if v > 0.0 => {}
        Ok(_) => {
            return Err(loc(
                &sm.target,
                format!("{TARGET}\nerror converting target for scalingModifiers (string->float) to valid target: %!w(<nil>)"),
            ))
        }
        Err(e) => {
            return Err(loc(
                &sm.target,
                format!("{TARGET}\nerror converting target for scalingModifiers (string->float) to valid target: {e}"),
            ))
        }
    }
    Ok(Some(formula))
}

/// The admission webhook's checks across ScaledObjects (`scaledobject_webhook.go#verifyScaledObjects`):
/// two ScaledObjects in a namespace may not scale the same workload or name the same HPA.
/// Objects are checked in order; each later one is reported against the first it clashes with.
pub fn check_conflicts(objects: &[&ScaledObject]) -> Vec<DeError> {
    let mut errors = Vec::new();
    for (i, so) in objects.iter().enumerate() {
        for other in &objects[..i] {
            if other.namespace() != so.namespace() || other.name() == so.name() {
                continue;
            }
            let target = &so.spec.scale_target_ref.name;
            if other.scale_target_kind() == so.scale_target_kind()
                && other.spec.scale_target_ref.name.value == target.value
            {
                errors.push(at(
                    target,
                    format!(
                        "the workload '{}' of type '{}' is already managed by the ScaledObject '{}'",
                        target.value,
                        so.scale_target_kind(),
                        other.name()
                    ),
                ));
                break;
            }
            if other.hpa_name() == so.hpa_name() {
                errors.push(at(
                    &so.metadata.name,
                    format!(
                        "the HPA '{}' is already managed by the ScaledObject '{}'",
                        other.hpa_name(),
                        other.name()
                    ),
                ));
                break;
            }
        }
    }
    errors
}
