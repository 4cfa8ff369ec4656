//! KEDA's metrics adapter: what the HPA's external-metrics request returns.
//!
//! A port of `pkg/scaling/scale_handler.go#GetScaledObjectMetrics` (reached through
//! `pkg/provider/provider.go#GetExternalMetric` and `pkg/metricsservice/server.go#GetMetrics`):
//! by default every request queries the scalers afresh; `useCachedMetrics` triggers answer
//! from the last poll's record. Each result passes through fallback (failure counters in the
//! status), errors clear the scalers cache, and scalingModifiers turn the results into
//! `composite-metric`. [`KedaMetricsClient`] implements the HPA module's
//! [`MetricsClient`] on top of it.

use std::collections::BTreeMap;

use super::compiled::CompiledScaledObject;
use super::fallback::{self, FallbackTarget, TargetReplicas};
use super::modifiers;
use super::scale_loop::{query_trigger, ScaledObjectState};
use super::scaledobject::SCALED_OBJECT_NAME_LABEL;
use super::scalers::{MetricValue, ScalerEnv};
use crate::hpa::{LabelSelector, MetricsClient, ObjectRef, PodMetric};
use crate::time::SimTime;

/// How one trigger's metric was obtained for a request.
#[derive(Clone, Debug, PartialEq)]
pub struct AdapterTriggerTrace {
    /// The metric name.
    pub metric_name: String,
    /// Read from the last poll's record (`useCachedMetrics`).
    pub from_cache: bool,
    /// The scaler was rebuilt and the query retried.
    pub retried: bool,
    /// The scaler's error, if any.
    pub error: Option<String>,
    /// Fallback replaced the value.
    pub fallback_active: bool,
    /// Failures counted for this metric after the request.
    pub failures: Option<i32>,
}

/// The answer to one external-metrics request and how it was made.
#[derive(Clone, Debug, PartialEq)]
pub struct AdapterResponse {
    /// The values served, or KEDA's error.
    pub result: Result<Vec<MetricValue>, String>,
    /// Per-trigger detail.
    pub triggers: Vec<AdapterTriggerTrace>,
    /// The scalers cache was cleared because of an error.
    pub cache_cleared: bool,
}

/// `GetScaledObjectMetrics` for `metric_name`. `replicas` is read only when fallback needs it.
pub fn get_scaled_object_metrics(
    c: &CompiledScaledObject,
    state: &mut ScaledObjectState,
    env: &dyn ScalerEnv,
    metric_name: &str,
    replicas: TargetReplicas,
) -> AdapterResponse {
    let mut resp = AdapterResponse {
        result: Ok(Vec::new()),
        triggers: Vec::new(),
        cache_cleared: false,
    };
    if let Err(e) = state.ensure_scalers(c, env) {
        resp.result = Err(format!("error getting scalers {e}"));
        return resp;
    }
    let so = &c.so;
    // `getTrueMetricArray`: with a scalingModifiers target every trigger metric is read.
    let wants_all = so
        .scaling_modifiers()
        .is_some_and(|m| !m.target().is_empty());
    let metrics_array: Vec<String> = if wants_all {
        state.status.external_metric_names.clone()
    } else {
        vec![metric_name.to_string()]
    };

    struct Found {
        metric_name: String,
        result: Result<Vec<MetricValue>, String>,
        target: FallbackTarget,
        trace: AdapterTriggerTrace,
    }
    let mut pairs = BTreeMap::new();
    let mut found = Vec::new();
    for t in &c.triggers {
        let name = &t.metric.name;
        if !metrics_array.iter().any(|m| m.eq_ignore_ascii_case(name)) {
            continue;
        }
        if let Ok(p) = modifiers::pair_trigger_and_metric(so, name, &t.name) {
            pairs.extend(p);
        }
        let mut trace = AdapterTriggerTrace {
            metric_name: name.clone(),
            from_cache: false,
            retried: false,
            error: None,
            fallback_active: false,
            failures: None,
        };
        let cached = if t.use_cached_metrics {
            state.record(name).cloned()
        } else {
            None
        };
        let result = match cached {
            Some(rec) => {
                trace.from_cache = true;
                match rec.error {
                    Some(e) => Err(e),
                    None => Ok(rec.metrics),
                }
            }
            None => {
                let q = query_trigger(t, env);
                trace.retried = q.retried;
                q.result.map(|(m, _)| m)
            }
        };
        trace.error = result.as_ref().err().cloned();
        found.push(Found {
            metric_name: name.clone(),
            result,
            target: FallbackTarget {
                target_type: t.metric.target_type,
                target_value: t.metric.target.as_f64(),
            },
            trace,
        });
    }

    let mut is_scaler_error = false;
    let mut fallback_active = false;
    let mut fallback_metrics = Vec::new();
    let mut matching = Vec::new();
    for f in found {
        let fb = fallback::get_metrics_with_fallback(
            so,
            &mut state.status,
            f.result,
            &f.metric_name,
            f.target,
            replicas,
        );
        let mut trace = f.trace;
        trace.fallback_active = fb.fallback_active;
        trace.failures = state
            .status
            .health
            .get(&f.metric_name)
            .map(|h| h.number_of_failures);
        match fb.metrics {
            Err(_) => is_scaler_error = true,
            Ok(m) => {
                if fb.fallback_active {
                    fallback_active = true;
                    fallback_metrics.extend(m.iter().cloned());
                }
                matching.extend(m);
            }
        }
        resp.triggers.push(trace);
    }
    if is_scaler_error {
        state.clear_scalers_cache();
        resp.cache_cleared = true;
    }
    if !fallback_active && is_scaler_error {
        resp.result = Err(format!("metric:{metric_name} encountered error"));
        return resp;
    }
    if matching.is_empty() {
        resp.result = Err(format!("no matching metrics found for {metric_name}"));
        return resp;
    }
    resp.result = Ok(modifiers::handle_scaling_modifiers(
        so,
        c.formula.as_ref(),
        matching,
        &pairs,
        fallback_active,
        &fallback_metrics,
    ));
    resp
}

/// The external metrics API as the HPA sees it with KEDA installed, for one ScaledObject.
/// Other metric kinds go to `inner` (metrics-server, a custom-metrics adapter), when given.
pub struct KedaMetricsClient<'a> {
    /// The ScaledObject.
    pub object: &'a CompiledScaledObject,
    /// Its state (status and caches are updated by requests).
    pub state: &'a mut ScaledObjectState,
    /// The simulated world.
    pub env: &'a dyn ScalerEnv,
    /// The target's replicas and ready pods, for fallback.
    pub replicas: TargetReplicas,
    /// Where non-external metrics go.
    pub inner: Option<&'a mut dyn MetricsClient>,
    /// Every external request served, in order.
    pub responses: Vec<AdapterResponse>,
}

impl<'a> KedaMetricsClient<'a> {
    /// A client for one ScaledObject, without a delegate for non-external metrics.
    pub fn new(
        object: &'a CompiledScaledObject,
        state: &'a mut ScaledObjectState,
        env: &'a dyn ScalerEnv,
        replicas: TargetReplicas,
    ) -> Self {
        KedaMetricsClient {
            object,
            state,
            env,
            replicas,
            inner: None,
            responses: Vec::new(),
        }
    }
}

const NOT_EXTERNAL: &str =
    "the KEDA metrics adapter serves external metrics only (no delegate metrics client given)";

/// gRPC's rendering of a plain Go error from the operator's metrics service.
fn grpc(message: &str) -> String {
    format!("rpc error: code = Unknown desc = error when getting metric values {message}")
}

impl MetricsClient for KedaMetricsClient<'_> {
    fn get_resource_metric(
        &mut self,
        resource: &str,
        namespace: &str,
        selector: &str,
        container: &str,
    ) -> Result<Vec<PodMetric>, String> {
        match self.inner.as_deref_mut() {
            Some(c) => c.get_resource_metric(resource, namespace, selector, container),
            None => Err(NOT_EXTERNAL.into()),
        }
    }

    fn get_raw_metric(
        &mut self,
        metric_name: &str,
        namespace: &str,
        selector: &str,
        metric_selector: Option<&LabelSelector>,
    ) -> Result<Vec<PodMetric>, String> {
        match self.inner.as_deref_mut() {
            Some(c) => c.get_raw_metric(metric_name, namespace, selector, metric_selector),
            None => Err(NOT_EXTERNAL.into()),
        }
    }

    fn get_object_metric(
        &mut self,
        metric_name: &str,
        namespace: &str,
        object: &ObjectRef,
        metric_selector: Option<&LabelSelector>,
    ) -> Result<(i64, SimTime), String> {
        match self.inner.as_deref_mut() {
            Some(c) => c.get_object_metric(metric_name, namespace, object, metric_selector),
            None => Err(NOT_EXTERNAL.into()),
        }
    }

    /// `KedaProvider.GetExternalMetric`: routes on the `scaledobject.keda.sh/name` label.
    fn get_external_metric(
        &mut self,
        metric_name: &str,
        namespace: &str,
        metric_selector: Option<&LabelSelector>,
    ) -> Result<Vec<i64>, String> {
        let so_name = metric_selector
            .and_then(|s| s.match_labels.get(SCALED_OBJECT_NAME_LABEL))
            .map(String::as_str)
            .unwrap_or("");
        if so_name.is_empty() {
            return Err("scaledObject name is not specified".into());
        }
        let so = &self.object.so;
        if so_name != so.name() || namespace != so.namespace() {
            return Err(grpc(&format!(
                "error getting scalers scaledobjects.keda.sh {} not found",
                super::goparse::quote(so_name)
            )));
        }
        let resp = get_scaled_object_metrics(
            self.object,
            self.state,
            self.env,
            metric_name,
            self.replicas,
        );
        let out = match &resp.result {
            Ok(values) => Ok(values.iter().map(|v| v.value_milli).collect()),
            Err(e) => Err(grpc(e)),
        };
        self.responses.push(resp);
        out
    }
}
