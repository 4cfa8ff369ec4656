//! The HPA KEDA creates for a ScaledObject, as the API server stores it.
//!
//! A port of `controllers/keda/hpa.go` (`newHPAForScaledObject`, `getScaledObjectMetricSpecs`,
//! `updateHealthStatus`, `getHPAName`): one External metric per trigger with the selector
//! `scaledobject.keda.sh/name: <so>`, or one `composite-metric` with scalingModifiers;
//! `minReplicas = max(1, min)`, `maxReplicas` default 100, both pinned to `paused-replicas`
//! (0 → 1); `behavior` copied verbatim (nil stays nil, so the controller uses its legacy
//! path) with `selectPolicy: Disabled` for `paused-scale-in` / `paused-scale-out`, then
//! completed by API defaulting. Built on [`crate::hpa`] types.

use std::collections::BTreeMap;

use super::compiled::CompiledScaledObject;
use super::goparse;
use super::scaledobject::{ScaledObject, COMPOSITE_METRIC_NAME, SCALED_OBJECT_NAME_LABEL};
use super::scalers::MetricTargetType;
use super::status::ScaledObjectStatus;
use crate::hpa::{
    HpaSpec, LabelSelector, MetricSpec, MetricTarget, ObjectRef, RawBehavior, RawScalingRules,
    SpecError,
};
use crate::yaml::de::Located;

/// The generated HPA and the status fields KEDA records while generating it.
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratedHpa {
    /// The HPA spec after API defaulting.
    pub spec: HpaSpec,
    /// `status.externalMetricNames`: every trigger's metric, in trigger order.
    pub external_metric_names: Vec<String>,
    /// `status.compositeScalerName` (`composite-metric` with scalingModifiers).
    pub composite_scaler_name: String,
    /// Labels KEDA puts on the HPA.
    pub labels: BTreeMap<String, String>,
}

impl GeneratedHpa {
    /// Writes what `getScaledObjectMetricSpecs` and `storeHpaNameInStatus` record:
    /// metric names, composite name, HPA name, and `health` pruned to current metrics.
    pub fn apply_to_status(&self, status: &mut ScaledObjectStatus) {
        status.external_metric_names = self.external_metric_names.clone();
        status.composite_scaler_name = self.composite_scaler_name.clone();
        status.hpa_name = self.spec.name.clone();
        update_health_status(status, &self.external_metric_names);
    }
}

/// `updateHealthStatus`: keeps health entries only for current external metrics.
pub fn update_health_status(status: &mut ScaledObjectStatus, external_metric_names: &[String]) {
    status
        .health
        .retain(|name, _| external_metric_names.contains(name));
}

/// The selector KEDA puts on every external metric.
pub fn scaled_object_selector(so: &ScaledObject) -> LabelSelector {
    LabelSelector::with_labels([(SCALED_OBJECT_NAME_LABEL, so.name())])
}

fn hpa_target(t: MetricTargetType, milli: i64) -> MetricTarget {
    match t {
        MetricTargetType::AverageValue => MetricTarget::AverageValue(milli),
        MetricTargetType::Value => MetricTarget::Value(milli),
    }
}

/// The behavior KEDA writes: the user's (verbatim, `None` stays `None`) with the pause
/// overrides, as raw fields before API defaulting.
pub fn raw_behavior(so: &ScaledObject) -> Option<RawBehavior> {
    let mut behavior: Option<RawBehavior> = so
        .spec
        .advanced
        .as_ref()
        .and_then(|a| a.horizontal_pod_autoscaler_config.as_ref())
        .and_then(|h| h.behavior.as_ref())
        .map(|b| b.value.clone());
    let base = "spec.advanced.horizontalPodAutoscalerConfig.behavior";
    let disable = |rules: &mut Option<Located<RawScalingRules>>, dir: &str| {
        let path = format!("{base}.{dir}");
        let r = rules.get_or_insert_with(|| Located::synthetic(RawScalingRules::default(), &path));
        r.value.select_policy = Some(Located::synthetic(
            "Disabled".to_string(),
            &format!("{path}.selectPolicy"),
        ));
    };
    if so.need_to_pause_scale_in() {
        disable(
            &mut behavior.get_or_insert_with(RawBehavior::default).scale_down,
            "scaleDown",
        );
    }
    if so.need_to_pause_scale_out() {
        disable(
            &mut behavior.get_or_insert_with(RawBehavior::default).scale_up,
            "scaleUp",
        );
    }
    behavior
}

/// `newHPAForScaledObject` (+ `getScaledObjectMetricSpecs`). Errors carry KEDA's texts, or
/// the API server's for a spec it would reject.
pub fn generate_hpa(c: &CompiledScaledObject) -> Result<GeneratedHpa, Vec<SpecError>> {
    let so = &c.so;
    let err = |message: String| {
        vec![SpecError {
            path: String::new(),
            origin: None,
            message,
        }]
    };
    let selector = scaled_object_selector(so);
    let mut metrics = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for t in &c.triggers {
        if names.contains(&t.metric.name) {
            return Err(err(format!(
                "metricName {} defined multiple times in ScaledObject {}",
                t.metric.name,
                so.name()
            )));
        }
        names.push(t.metric.name.clone());
        metrics.push(MetricSpec::external(
            &t.metric.name,
            Some(selector.clone()),
            hpa_target(t.metric.target_type, t.metric.target.milli_value()),
        ));
    }
    // `sort.Slice` by type: every entry is External here, and for the trigger counts of real
    // ScaledObjects (≤ 12) Go's insertion sort keeps their order.
    let mut composite_scaler_name = String::new();
    if so.is_using_modifiers() {
        let sm = so.scaling_modifiers().expect("using modifiers");
        let metric_type = match sm.metric_type() {
            "" | "AverageValue" => MetricTargetType::AverageValue,
            "Value" => MetricTargetType::Value,
            _ => {
                return Err(err("error metric target type is Utilization, but it needs to be AverageValue or Value for external metrics".into()))
            }
        };
        let target = goparse::parse_float(sm.target()).unwrap_or(0.0);
        if target > 0.0 {
            metrics = vec![MetricSpec::external(
                COMPOSITE_METRIC_NAME,
                Some(selector.clone()),
                hpa_target(metric_type, goparse::f64_to_i64(target * 1000.0)),
            )];
            composite_scaler_name = COMPOSITE_METRIC_NAME.to_string();
        }
    }

    let behavior = match raw_behavior(so) {
        None => None,
        Some(raw) => Some(raw.to_behavior()?),
    };

    let mut min = so.hpa_min_replicas();
    let mut max = so.hpa_max_replicas();
    match so.paused_replica_count() {
        Err(e) => return Err(err(e)),
        Ok(Some(n)) => {
            let n = if n == 0 { 1 } else { n };
            min = n;
            max = n;
        }
        Ok(None) => {}
    }

    let (_, _, kind) = so.scale_target_gvk();
    let target = ObjectRef::new(
        &so.scale_target_api_version(),
        &kind,
        &so.spec.scale_target_ref.name.value,
    );
    let hpa_name = so.hpa_name();
    let mut label_name: String = hpa_name.clone();
    if label_name.len() > 63 {
        let mut cut = 63;
        while !label_name.is_char_boundary(cut) {
            cut -= 1;
        }
        label_name.truncate(cut);
        let trimmed = label_name.trim_end_matches(|c: char| !c.is_alphanumeric());
        label_name = trimmed.to_string();
    }
    let mut labels = BTreeMap::from([
        ("app.kubernetes.io/name".to_string(), label_name),
        (
            "app.kubernetes.io/version".to_string(),
            "2.18.3".to_string(),
        ),
        (
            "app.kubernetes.io/part-of".to_string(),
            so.name().to_string(),
        ),
        (
            "app.kubernetes.io/managed-by".to_string(),
            "keda-operator".to_string(),
        ),
    ]);
    let excluded: Vec<String> = so
        .metadata
        .annotations
        .get("scaledobject.keda.sh/hpa-excluded-labels")
        .map(|l| l.value.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    for (k, v) in &so.metadata.labels {
        if !excluded.contains(k) {
            labels.insert(k.clone(), v.clone());
        }
    }

    let spec = HpaSpec::new(
        &hpa_name,
        so.namespace(),
        target,
        min,
        max,
        metrics,
        behavior,
    );
    Ok(GeneratedHpa {
        spec,
        external_metric_names: names,
        composite_scaler_name,
        labels,
    })
}
