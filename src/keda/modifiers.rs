//! scalingModifiers at run time: pairing metrics with trigger names and replacing the
//! triggers' metrics by the formula's `composite-metric`. A port of
//! `pkg/scaling/modifiers/formula.go` (`HandleScalingModifiers`, `GetPairTriggerAndMetric`,
//! `calculateScalingModifiersFormula`).

use std::collections::BTreeMap;

use super::formula::Formula;
use super::goparse;
use super::scaledobject::{ScaledObject, COMPOSITE_METRIC_NAME};
use super::scalers::MetricValue;

/// `GetPairTriggerAndMetric`: `{metric: trigger}` when a formula is set; an error (logged by
/// KEDA, not fatal) when the trigger has no name.
pub fn pair_trigger_and_metric(
    so: &ScaledObject,
    metric: &str,
    trigger_name: &str,
) -> Result<BTreeMap<String, String>, String> {
    let has_formula = so
        .scaling_modifiers()
        .is_some_and(|m| !m.formula().is_empty());
    if !has_formula {
        return Ok(BTreeMap::new());
    }
    if trigger_name.is_empty() {
        return Err(format!(
            "trigger name not given with compositeScaler for metric {metric}"
        ));
    }
    // Upstream counts existing pairs in a map it has just created, so the suffix branch
    // never runs: the pair is always `metric -> trigger`.
    Ok(BTreeMap::from([(
        metric.to_string(),
        trigger_name.to_string(),
    )]))
}

/// `HandleScalingModifiers`: without modifiers the metrics pass through; with a formula and
/// no active fallback they become one `composite-metric`; with an active fallback the first
/// fallback metric is served under that name.
pub fn handle_scaling_modifiers(
    so: &ScaledObject,
    formula: Option<&Formula>,
    metrics: Vec<MetricValue>,
    pairs: &BTreeMap<String, String>,
    fallback_active: bool,
    fallback_metrics: &[MetricValue],
) -> Vec<MetricValue> {
    if !so.is_using_modifiers() {
        return metrics;
    }
    if !fallback_active {
        let has_formula = so
            .scaling_modifiers()
            .is_some_and(|m| !m.formula().is_empty());
        if !has_formula {
            return metrics;
        }
        let Some(formula) = formula else {
            // "cached compiled formula is nil during its calculation": no metrics.
            return Vec::new();
        };
        let mut data = BTreeMap::new();
        for m in &metrics {
            let trigger = pairs.get(&m.metric_name).cloned().unwrap_or_default();
            data.insert(trigger, m.value_milli as f64 / 1000.0);
        }
        let out = formula.eval(&data);
        return vec![MetricValue {
            metric_name: COMPOSITE_METRIC_NAME.to_string(),
            value_milli: goparse::f64_to_i64(out * 1000.0),
        }];
    }
    match fallback_metrics.first() {
        Some(first) => vec![MetricValue {
            metric_name: COMPOSITE_METRIC_NAME.to_string(),
            value_milli: first.value_milli,
        }],
        None => metrics,
    }
}
