//! The per-metric replica math: `pkg/controller/podautoscaler/replica_calculator.go` and
//! `pkg/controller/podautoscaler/metrics/utilization.go`.
//!
//! Integer milli arithmetic where upstream uses int64 (sums wrap like Go's), float64 ratios,
//! `ceil` for proposals. Proposals saturate at `i32::MAX` (Rust's `as` conversion; recent
//! upstream code has explicit `MaxInt32` guards with the same result).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::config::{ControllerConfig, ToleranceForm};
use super::metrics::{MetricsClient, PodInfo, PodMetric, PodPhase};
use super::spec::{go_selector_string, LabelSelector, ObjectRef};
use super::state::ConditionStatus;
use super::trace::{MetricSample, MetricTrace, PodGroupsTrace, ReplicaBasis};
use crate::time::{Dur, SimTime};

/// `Tolerances` (`replica_calculator.go`): how far the usage ratio may move from 1.0 before
/// the HPA acts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Tolerances {
    /// Scale-down tolerance (`1 - down <= ratio`).
    pub scale_down: f64,
    /// Scale-up tolerance (`ratio <= 1 + up`).
    pub scale_up: f64,
    /// Comparison form.
    pub form: ToleranceForm,
}

impl Tolerances {
    /// The same tolerance in both directions.
    pub fn uniform(tolerance: f64, form: ToleranceForm) -> Tolerances {
        Tolerances {
            scale_down: tolerance,
            scale_up: tolerance,
            form,
        }
    }

    /// `Tolerances.isWithin` (v1.33+), or `math.Abs(1.0-usageRatio) <= c.tolerance`
    /// (v1.30-v1.32, which has one tolerance: `scale_up` is used).
    pub fn is_within(&self, usage_ratio: f64) -> bool {
        match self.form {
            ToleranceForm::Bounds => {
                (1.0 - self.scale_down) <= usage_ratio && usage_ratio <= (1.0 + self.scale_up)
            }
            ToleranceForm::AbsDiff => (1.0 - usage_ratio).abs() <= self.scale_up,
        }
    }
}

/// Go's `int32(math.Ceil(x))`, saturating (Rust `as`) instead of Go's platform-defined result
/// for out-of-range values.
pub(crate) fn ceil_i32(x: f64) -> i32 {
    x.ceil() as i32
}

/// The result of `groupPods`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodGroups {
    /// Ready pods with a metric.
    pub ready_pod_count: usize,
    /// Unready pods.
    pub unready: BTreeSet<String>,
    /// Pods without a metric.
    pub missing: BTreeSet<String>,
    /// Ignored pods.
    pub ignored: BTreeSet<String>,
}

impl PodGroups {
    fn trace(&self) -> PodGroupsTrace {
        PodGroupsTrace {
            ready: self.ready_pod_count,
            unready: self.unready.iter().cloned().collect(),
            missing: self.missing.iter().cloned().collect(),
            ignored: self.ignored.iter().cloned().collect(),
        }
    }
}

/// `groupPods` (`replica_calculator.go`): classifies pods as ignored (deleted, Failed, and
/// Succeeded when `ignore_succeeded`), unready (Pending; for `cpu`, the readiness rules),
/// missing (no metric) or ready. Times compare strictly, as Go's `After`/`Before`.
#[allow(clippy::too_many_arguments)]
pub fn group_pods(
    pods: &[PodInfo],
    metrics: &BTreeMap<String, PodMetric>,
    resource: &str,
    cpu_initialization_period: Dur,
    delay_of_initial_readiness_status: Dur,
    ignore_succeeded: bool,
    now: SimTime,
) -> PodGroups {
    let mut g = PodGroups::default();
    for pod in pods {
        let terminal =
            pod.phase == PodPhase::Failed || (ignore_succeeded && pod.phase == PodPhase::Succeeded);
        if pod.deleted || terminal {
            g.ignored.insert(pod.name.clone());
            continue;
        }
        if pod.phase == PodPhase::Pending {
            g.unready.insert(pod.name.clone());
            continue;
        }
        let Some(metric) = metrics.get(&pod.name) else {
            g.missing.insert(pod.name.clone());
            continue;
        };
        if resource == "cpu" {
            let unready = match (pod.ready, pod.start_time) {
                (Some(cond), Some(start)) => {
                    if after(add(start, cpu_initialization_period), now) {
                        // Still initializing: unready, or no full window since the last
                        // readiness change.
                        cond.status == ConditionStatus::False
                            || before(
                                metric.timestamp,
                                add(cond.last_transition_time, metric.window),
                            )
                    } else {
                        // Unready and never been ready.
                        cond.status == ConditionStatus::False
                            && after(
                                add(start, delay_of_initial_readiness_status),
                                cond.last_transition_time,
                            )
                    }
                }
                _ => true,
            };
            if unready {
                g.unready.insert(pod.name.clone());
                continue;
            }
        }
        g.ready_pod_count += 1;
    }
    g
}

/// `time.Time.Add`, saturating at the end of simulated time.
fn add(t: SimTime, d: Dur) -> SimTime {
    SimTime(t.0.saturating_add(d.0))
}
/// `time.Time.After` (strict).
fn after(a: SimTime, b: SimTime) -> bool {
    a > b
}
/// `time.Time.Before` (strict).
fn before(a: SimTime, b: SimTime) -> bool {
    a < b
}

/// Which pod requests feature switches apply (`calculateRequests`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// `PodLevelResources` gate.
    pub pod_level_resources: bool,
    /// A named container absent from the pod is an error (master) instead of request 0.
    pub missing_container_is_error: bool,
}

/// `calculateRequests` (`replica_calculator.go`): each pod's request for `resource`, in
/// milli-units: pod-level requests when enabled and set (and no container is named), else
/// the sum over containers and restartable init containers, or the named container's.
pub fn calculate_requests(
    pods: &[PodInfo],
    container: &str,
    resource: &str,
    opts: RequestOptions,
) -> Result<BTreeMap<String, i64>, String> {
    let mut requests = BTreeMap::new();
    for pod in pods {
        let pod_level = pod.pod_requests.as_ref().filter(|r| !r.is_empty());
        let request = match pod_level {
            Some(r) if opts.pod_level_resources && container.is_empty() => match r.get(resource) {
                Some(v) => *v,
                None => {
                    return Err(format!(
                        "missing pod-level request for {resource} in Pod {}",
                        pod.name
                    ))
                }
            },
            _ => pod_requests_from_containers(pod, container, resource, opts)?,
        };
        requests.insert(pod.name.clone(), request);
    }
    Ok(requests)
}

/// `calculatePodRequestsFromContainers` (`replica_calculator.go`).
fn pod_requests_from_containers(
    pod: &PodInfo,
    container: &str,
    resource: &str,
    opts: RequestOptions,
) -> Result<i64, String> {
    let mut request: i64 = 0;
    for c in pod.containers.iter().chain(pod.sidecars.iter()) {
        if container.is_empty() || container == c.name {
            match c.requests.get(resource) {
                Some(v) => request = request.wrapping_add(*v),
                None => {
                    return Err(format!(
                        "missing request for {resource} in container {} of Pod {}",
                        c.name, pod.name
                    ))
                }
            }
        }
        if container == c.name {
            return Ok(request);
        }
    }
    if !container.is_empty() && opts.missing_container_is_error {
        return Err(format!(
            "container {container} not found in Pod {}",
            pod.name
        ));
    }
    Ok(request)
}

/// `GetResourceUtilizationRatio` (`metrics/utilization.go`): the utilization is the integer
/// percentage `metricsTotal*100/requestsTotal` (truncated) over pods that have both a metric
/// and a request; returns `(ratio, utilization, raw average)`.
pub fn resource_utilization_ratio(
    metrics: &BTreeMap<String, PodMetric>,
    requests: &BTreeMap<String, i64>,
    target_utilization: i32,
) -> Result<(f64, i32, i64), String> {
    let mut metrics_total: i64 = 0;
    let mut requests_total: i64 = 0;
    let mut entries: i64 = 0;
    for (pod, m) in metrics {
        let Some(req) = requests.get(pod) else {
            continue;
        };
        metrics_total = metrics_total.wrapping_add(m.value_milli);
        requests_total = requests_total.wrapping_add(*req);
        entries += 1;
    }
    if requests_total == 0 {
        return Err("no metrics returned matched known pods".to_string());
    }
    let utilization = (metrics_total.wrapping_mul(100) / requests_total) as i32;
    Ok((
        utilization as f64 / target_utilization as f64,
        utilization,
        metrics_total / entries,
    ))
}

/// `GetMetricUsageRatio` (`metrics/utilization.go`): `usage = sum/len` (integer), ratio
/// `usage/target`.
pub fn metric_usage_ratio(metrics: &BTreeMap<String, PodMetric>, target_usage: i64) -> (f64, i64) {
    let total = metrics
        .values()
        .fold(0i64, |acc, m| acc.wrapping_add(m.value_milli));
    let usage = total / metrics.len() as i64;
    (usage as f64 / target_usage as f64, usage)
}

/// `getPerPodUsage` (`replica_calculator.go`): `ceil(usage/statusReplicas)`, MaxInt64 on
/// overflow, 0 when `statusReplicas` is 0.
pub fn per_pod_usage(usage: i64, status_replicas: i32) -> i64 {
    if usage as f64 >= i64::MAX as f64 {
        return i64::MAX;
    }
    if status_replicas == 0 {
        return 0;
    }
    (usage as f64 / status_replicas as f64).ceil() as i64
}

/// `PodMetricsInfo` (a map by pod name; a repeated pod keeps its last value, as a Go map does).
fn to_map(list: Vec<PodMetric>) -> BTreeMap<String, PodMetric> {
    list.into_iter().map(|m| (m.pod.clone(), m)).collect()
}

/// The per-pod values, for the trace.
fn samples(metrics: &BTreeMap<String, PodMetric>) -> Vec<MetricSample> {
    metrics
        .values()
        .map(|m| MetricSample {
            source: m.pod.clone(),
            value_milli: m.value_milli,
        })
        .collect()
}

/// `GetResourceReplicas`' result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceReplicas {
    /// Proposed replica count.
    pub replicas: i32,
    /// Utilization percent (first pass, for the status).
    pub utilization: i32,
    /// Raw average value (milli, first pass, for the status).
    pub raw_utilization: i64,
    /// Timestamp of the metrics.
    pub timestamp: SimTime,
}

/// `ReplicaCalculator`: the pod lister (a slice of the pods matching the scale's selector),
/// the readiness settings and the clock of this pass.
#[derive(Clone, Copy, Debug)]
pub struct ReplicaCalculator<'a> {
    /// Pods matching the target's selector, in lister order.
    pub pods: &'a [PodInfo],
    /// `--horizontal-pod-autoscaler-cpu-initialization-period`.
    pub cpu_initialization_period: Dur,
    /// `--horizontal-pod-autoscaler-initial-readiness-delay`.
    pub delay_of_initial_readiness_status: Dur,
    /// `IsPodTerminal` includes Succeeded (master).
    pub ignore_succeeded_pods: bool,
    /// Request computation switches.
    pub requests: RequestOptions,
    /// The pass time.
    pub now: SimTime,
}

impl<'a> ReplicaCalculator<'a> {
    /// A calculator with the settings of `config`.
    pub fn new(config: &ControllerConfig, pods: &'a [PodInfo], now: SimTime) -> Self {
        ReplicaCalculator {
            pods,
            cpu_initialization_period: config.cpu_initialization_period,
            delay_of_initial_readiness_status: config.initial_readiness_delay,
            ignore_succeeded_pods: config.ignore_succeeded_pods,
            requests: RequestOptions {
                pod_level_resources: config.pod_level_resources,
                missing_container_is_error: config.missing_container_is_error,
            },
            now,
        }
    }

    fn group(&self, metrics: &BTreeMap<String, PodMetric>, resource: &str) -> PodGroups {
        group_pods(
            self.pods,
            metrics,
            resource,
            self.cpu_initialization_period,
            self.delay_of_initial_readiness_status,
            self.ignore_succeeded_pods,
            self.now,
        )
    }

    /// Reads a resource metric the way `resourceMetricsClient.GetResourceMetric` reports it.
    fn fetch_resource(
        metrics: &mut dyn MetricsClient,
        resource: &str,
        namespace: &str,
        selector: &str,
        container: &str,
    ) -> Result<(BTreeMap<String, PodMetric>, SimTime), String> {
        let list = metrics
            .get_resource_metric(resource, namespace, selector, container)
            .map_err(|e| format!("unable to fetch metrics from resource metrics API: {e}"))?;
        if list.is_empty() {
            return Err("no metrics returned from resource metrics API".to_string());
        }
        let ts = list[0].timestamp;
        Ok((to_map(list), ts))
    }

    /// `GetResourceReplicas`: proposal for a Utilization target of a resource (all containers,
    /// or `container`), with the unready/missing pod rules.
    #[allow(clippy::too_many_arguments)]
    pub fn get_resource_replicas(
        &self,
        metrics: &mut dyn MetricsClient,
        current_replicas: i32,
        target_utilization: i32,
        resource: &str,
        tolerances: Tolerances,
        namespace: &str,
        selector: &str,
        container: &str,
        trace: &mut MetricTrace,
    ) -> Result<ResourceReplicas, String> {
        let (mut m, timestamp) =
            Self::fetch_resource(metrics, resource, namespace, selector, container)
                .map_err(|e| format!("unable to get metrics for resource {resource}: {e}"))?;
        trace.samples = samples(&m);
        if self.pods.is_empty() {
            return Err("no pods returned by selector while calculating replica count".into());
        }
        let groups = self.group(&m, resource);
        trace.pods = Some(groups.trace());
        for p in groups.ignored.iter().chain(groups.unready.iter()) {
            m.remove(p);
        }
        if m.is_empty() {
            return Err("did not receive metrics for targeted pods (pods might be unready)".into());
        }
        let requests = calculate_requests(self.pods, container, resource, self.requests)?;
        let (usage_ratio, utilization, raw) =
            resource_utilization_ratio(&m, &requests, target_utilization)?;
        trace.usage = Some(utilization as i64);
        trace.usage_ratio = Some(usage_ratio);
        let ok = |replicas| ResourceReplicas {
            replicas,
            utilization,
            raw_utilization: raw,
            timestamp,
        };
        let scale_up_with_unready = !groups.unready.is_empty() && usage_ratio > 1.0;
        if !scale_up_with_unready && groups.missing.is_empty() {
            let within = tolerances.is_within(usage_ratio);
            trace.within_tolerance = Some(within);
            if within {
                trace.basis = Some(basis("spec", current_replicas as i64));
                trace.rule = "within tolerance: keep current replicas".into();
                return Ok(ok(current_replicas));
            }
            trace.basis = Some(basis(
                "ready pods with metrics",
                groups.ready_pod_count as i64,
            ));
            trace.rule = "ceil(usageRatio * readyPods)".into();
            return Ok(ok(ceil_i32(usage_ratio * groups.ready_pod_count as f64)));
        }
        if !groups.missing.is_empty() {
            if usage_ratio < 1.0 {
                // Scale-down: missing pods use 100% of their request, or the target if higher.
                let fallback = 100.max(target_utilization) as i64;
                for p in &groups.missing {
                    let req = requests.get(p).copied().unwrap_or(0);
                    m.insert(p.clone(), filled(p, req.wrapping_mul(fallback) / 100));
                }
            } else if usage_ratio > 1.0 {
                for p in &groups.missing {
                    m.insert(p.clone(), filled(p, 0));
                }
            }
        }
        if scale_up_with_unready {
            for p in &groups.unready {
                m.insert(p.clone(), filled(p, 0));
            }
        }
        let (new_ratio, _, _) = resource_utilization_ratio(&m, &requests, target_utilization)?;
        trace.adjusted_usage_ratio = Some(new_ratio);
        self.finish_slow_path(
            current_replicas,
            usage_ratio,
            new_ratio,
            m.len(),
            tolerances,
            trace,
        )
        .map(ok)
    }

    /// The common tail of `GetResourceReplicas` / `calcPlainMetricReplicas` after missing and
    /// unready pods were filled in.
    fn finish_slow_path(
        &self,
        current_replicas: i32,
        usage_ratio: f64,
        new_ratio: f64,
        counted: usize,
        tolerances: Tolerances,
        trace: &mut MetricTrace,
    ) -> Result<i32, String> {
        let within = tolerances.is_within(new_ratio);
        trace.within_tolerance = Some(within);
        if within {
            trace.basis = Some(basis("spec", current_replicas as i64));
            trace.rule = "within tolerance after filling missing/unready pods: keep current".into();
            return Ok(current_replicas);
        }
        if (usage_ratio < 1.0 && new_ratio > 1.0) || (usage_ratio > 1.0 && new_ratio < 1.0) {
            trace.basis = Some(basis("spec", current_replicas as i64));
            trace.rule = "filling missing/unready pods flips the direction: keep current".into();
            return Ok(current_replicas);
        }
        let new_replicas = ceil_i32(new_ratio * counted as f64);
        trace.basis = Some(basis("pods counted after filling", counted as i64));
        if (new_ratio < 1.0 && new_replicas > current_replicas)
            || (new_ratio > 1.0 && new_replicas < current_replicas)
        {
            trace.rule =
                "ceil(adjustedRatio * counted) moves against the ratio: keep current".into();
            return Ok(current_replicas);
        }
        trace.rule = "ceil(adjustedRatio * podsCounted)".into();
        Ok(new_replicas)
    }

    /// `GetRawResourceReplicas`: proposal for an AverageValue target of a resource.
    #[allow(clippy::too_many_arguments)]
    pub fn get_raw_resource_replicas(
        &self,
        metrics: &mut dyn MetricsClient,
        current_replicas: i32,
        target_usage: i64,
        resource: &str,
        tolerances: Tolerances,
        namespace: &str,
        selector: &str,
        container: &str,
        trace: &mut MetricTrace,
    ) -> Result<(i32, i64, SimTime), String> {
        let (m, timestamp) =
            Self::fetch_resource(metrics, resource, namespace, selector, container)
                .map_err(|e| format!("unable to get metrics for resource {resource}: {e}"))?;
        let (replicas, usage) = self.calc_plain_metric_replicas(
            m,
            current_replicas,
            target_usage,
            tolerances,
            resource,
            trace,
        )?;
        Ok((replicas, usage, timestamp))
    }

    /// `GetMetricReplicas`: proposal for a Pods metric (AverageValue target).
    #[allow(clippy::too_many_arguments)]
    pub fn get_metric_replicas(
        &self,
        metrics: &mut dyn MetricsClient,
        current_replicas: i32,
        target_usage: i64,
        metric_name: &str,
        tolerances: Tolerances,
        namespace: &str,
        selector: &str,
        metric_selector: Option<&LabelSelector>,
        trace: &mut MetricTrace,
    ) -> Result<(i32, i64, SimTime), String> {
        let fetched = metrics
            .get_raw_metric(metric_name, namespace, selector, metric_selector)
            .map_err(|e| format!("unable to fetch metrics from custom metrics API: {e}"))
            .and_then(|list| {
                if list.is_empty() {
                    Err("no metrics returned from custom metrics API".to_string())
                } else {
                    Ok(list)
                }
            })
            .map_err(|e| format!("unable to get metric {metric_name}: {e}"))?;
        let timestamp = fetched[0].timestamp;
        let (replicas, usage) = self.calc_plain_metric_replicas(
            to_map(fetched),
            current_replicas,
            target_usage,
            tolerances,
            "",
            trace,
        )?;
        Ok((replicas, usage, timestamp))
    }

    /// `calcPlainMetricReplicas`: average-value math over pods. Missing pods count as the
    /// target on a scale-down and as 0 on a scale-up; unready pods as 0 on a scale-up.
    pub fn calc_plain_metric_replicas(
        &self,
        mut m: BTreeMap<String, PodMetric>,
        current_replicas: i32,
        target_usage: i64,
        tolerances: Tolerances,
        resource: &str,
        trace: &mut MetricTrace,
    ) -> Result<(i32, i64), String> {
        trace.samples = samples(&m);
        if self.pods.is_empty() {
            return Err("no pods returned by selector while calculating replica count".into());
        }
        let groups = self.group(&m, resource);
        trace.pods = Some(groups.trace());
        for p in groups.ignored.iter().chain(groups.unready.iter()) {
            m.remove(p);
        }
        if m.is_empty() {
            return Err("did not receive metrics for targeted pods (pods might be unready)".into());
        }
        let (usage_ratio, usage) = metric_usage_ratio(&m, target_usage);
        trace.usage = Some(usage);
        trace.usage_ratio = Some(usage_ratio);
        let scale_up_with_unready = !groups.unready.is_empty() && usage_ratio > 1.0;
        if !scale_up_with_unready && groups.missing.is_empty() {
            let within = tolerances.is_within(usage_ratio);
            trace.within_tolerance = Some(within);
            if within {
                trace.basis = Some(basis("spec", current_replicas as i64));
                trace.rule = "within tolerance: keep current replicas".into();
                return Ok((current_replicas, usage));
            }
            trace.basis = Some(basis(
                "ready pods with metrics",
                groups.ready_pod_count as i64,
            ));
            trace.rule = "ceil(usageRatio * readyPods)".into();
            return Ok((ceil_i32(usage_ratio * groups.ready_pod_count as f64), usage));
        }
        if !groups.missing.is_empty() {
            if usage_ratio < 1.0 {
                for p in &groups.missing {
                    m.insert(p.clone(), filled(p, target_usage));
                }
            } else if usage_ratio > 1.0 {
                for p in &groups.missing {
                    m.insert(p.clone(), filled(p, 0));
                }
            }
        }
        if scale_up_with_unready {
            for p in &groups.unready {
                m.insert(p.clone(), filled(p, 0));
            }
        }
        let (new_ratio, _) = metric_usage_ratio(&m, target_usage);
        trace.adjusted_usage_ratio = Some(new_ratio);
        let r = self.finish_slow_path(
            current_replicas,
            usage_ratio,
            new_ratio,
            m.len(),
            tolerances,
            trace,
        )?;
        Ok((r, usage))
    }

    /// `GetObjectMetricReplicas`: proposal for an Object metric with a Value target.
    #[allow(clippy::too_many_arguments)]
    pub fn get_object_metric_replicas(
        &self,
        metrics: &mut dyn MetricsClient,
        current_replicas: i32,
        target_usage: i64,
        metric_name: &str,
        tolerances: Tolerances,
        namespace: &str,
        object: &ObjectRef,
        metric_selector: Option<&LabelSelector>,
        trace: &mut MetricTrace,
    ) -> Result<(i32, i64, SimTime), String> {
        let (usage, _) = metrics
            .get_object_metric(metric_name, namespace, object, metric_selector)
            .map_err(|e| {
                format!(
                    "unable to get metric {metric_name} on {} {namespace}/{}: unable to fetch metrics from custom metrics API: {e}",
                    object.kind, object.name
                )
            })?;
        trace.samples = vec![MetricSample {
            source: object.name.clone(),
            value_milli: usage,
        }];
        trace.usage = Some(usage);
        let usage_ratio = usage as f64 / target_usage as f64;
        trace.usage_ratio = Some(usage_ratio);
        let replicas =
            self.get_usage_ratio_replica_count(current_replicas, usage_ratio, tolerances, trace)?;
        // Upstream returns the zero time here (the object sample's time is discarded).
        Ok((replicas, usage, SimTime::ZERO))
    }

    /// `getUsageRatioReplicaCount`: `ceil(ratio * readyPods)` outside tolerance (Running and
    /// Ready pods, deletion not checked); `ceil(ratio)` from zero replicas, ignoring tolerance.
    pub fn get_usage_ratio_replica_count(
        &self,
        current_replicas: i32,
        usage_ratio: f64,
        tolerances: Tolerances,
        trace: &mut MetricTrace,
    ) -> Result<i32, String> {
        if current_replicas != 0 {
            let within = tolerances.is_within(usage_ratio);
            trace.within_tolerance = Some(within);
            if within {
                trace.basis = Some(basis("spec", current_replicas as i64));
                trace.rule = "within tolerance: keep current replicas".into();
                return Ok(current_replicas);
            }
            let ready = self
                .ready_pods_count()
                .map_err(|e| format!("unable to calculate ready pods: {e}"))?;
            trace.basis = Some(basis("ready pods", ready));
            trace.rule = "ceil(usageRatio * readyPods)".into();
            let f = usage_ratio * ready as f64;
            Ok(if f > i32::MAX as f64 {
                i32::MAX
            } else {
                ceil_i32(f)
            })
        } else {
            trace.basis = Some(basis("spec", 0));
            trace.rule = "scale from zero: ceil(usageRatio), tolerance ignored".into();
            Ok(ceil_i32(usage_ratio))
        }
    }

    /// `getReadyPodsCount`: pods in phase Running with Ready=True.
    pub fn ready_pods_count(&self) -> Result<i64, String> {
        if self.pods.is_empty() {
            return Err("no pods returned by selector while calculating replica count".into());
        }
        Ok(self
            .pods
            .iter()
            .filter(|p| p.phase == PodPhase::Running && p.is_ready())
            .count() as i64)
    }

    /// `GetObjectPerPodMetricReplicas`: proposal for an Object metric with an AverageValue
    /// target; uses the scale's **status** replicas and no pods.
    #[allow(clippy::too_many_arguments)]
    pub fn get_object_per_pod_metric_replicas(
        &self,
        metrics: &mut dyn MetricsClient,
        status_replicas: i32,
        target_average_usage: i64,
        metric_name: &str,
        tolerances: Tolerances,
        namespace: &str,
        object: &ObjectRef,
        metric_selector: Option<&LabelSelector>,
        trace: &mut MetricTrace,
    ) -> Result<(i32, i64, SimTime), String> {
        let (usage, timestamp) = metrics
            .get_object_metric(metric_name, namespace, object, metric_selector)
            .map_err(|e| {
                format!(
                    "unable to get metric {metric_name} on {} {namespace}/{}: unable to fetch metrics from custom metrics API: {e}",
                    object.kind, object.name
                )
            })?;
        trace.samples = vec![MetricSample {
            source: object.name.clone(),
            value_milli: usage,
        }];
        trace.usage = Some(usage);
        let replicas = per_pod_replicas(
            status_replicas,
            usage,
            target_average_usage,
            tolerances,
            trace,
        );
        Ok((replicas, per_pod_usage(usage, status_replicas), timestamp))
    }

    /// `GetExternalMetricReplicas`: proposal for an External metric with a Value target: the
    /// sum of the values (saturating at MaxInt64) over the target, times the ready pods.
    #[allow(clippy::too_many_arguments)]
    pub fn get_external_metric_replicas(
        &self,
        metrics: &mut dyn MetricsClient,
        current_replicas: i32,
        target_usage: i64,
        metric_name: &str,
        tolerances: Tolerances,
        namespace: &str,
        metric_selector: Option<&LabelSelector>,
        trace: &mut MetricTrace,
    ) -> Result<(i32, i64, SimTime), String> {
        if let Some(sel) = metric_selector {
            sel.as_selector_check()?;
        }
        let values = fetch_external(metrics, metric_name, namespace, metric_selector)?;
        trace.samples = external_samples(&values);
        let mut usage: i64 = 0;
        for v in &values {
            if *v > 0 && usage > i64::MAX - v {
                usage = i64::MAX;
                break;
            }
            usage = usage.wrapping_add(*v);
        }
        trace.usage = Some(usage);
        let usage_ratio = usage as f64 / target_usage as f64;
        trace.usage_ratio = Some(usage_ratio);
        let replicas =
            self.get_usage_ratio_replica_count(current_replicas, usage_ratio, tolerances, trace)?;
        Ok((replicas, usage, SimTime::ZERO))
    }

    /// `GetExternalPerPodMetricReplicas`: proposal for an External metric with an AverageValue
    /// target: `ceil(sum/target)`, unless `sum/(target*statusReplicas)` is within tolerance.
    #[allow(clippy::too_many_arguments)]
    pub fn get_external_per_pod_metric_replicas(
        &self,
        metrics: &mut dyn MetricsClient,
        status_replicas: i32,
        target_usage_per_pod: i64,
        metric_name: &str,
        tolerances: Tolerances,
        namespace: &str,
        metric_selector: Option<&LabelSelector>,
        trace: &mut MetricTrace,
    ) -> Result<(i32, i64, SimTime), String> {
        if let Some(sel) = metric_selector {
            sel.as_selector_check()?;
        }
        let values = fetch_external(metrics, metric_name, namespace, metric_selector)?;
        trace.samples = external_samples(&values);
        let mut usage: i64 = 0;
        for v in &values {
            usage = usage.wrapping_add(*v);
            if usage < 0 {
                usage = i64::MAX;
                break;
            }
        }
        trace.usage = Some(usage);
        let replicas = per_pod_replicas(
            status_replicas,
            usage,
            target_usage_per_pod,
            tolerances,
            trace,
        );
        Ok((
            replicas,
            per_pod_usage(usage, status_replicas),
            SimTime::ZERO,
        ))
    }
}

/// The shared body of the two per-pod (AverageValue) functions.
fn per_pod_replicas(
    status_replicas: i32,
    usage: i64,
    target: i64,
    tolerances: Tolerances,
    trace: &mut MetricTrace,
) -> i32 {
    let usage_ratio = usage as f64 / (target as f64 * status_replicas as f64);
    trace.usage_ratio = Some(usage_ratio);
    let within = tolerances.is_within(usage_ratio);
    trace.within_tolerance = Some(within);
    trace.basis = Some(basis("status", status_replicas as i64));
    if within {
        trace.rule = "within tolerance: keep status replicas".into();
        return status_replicas;
    }
    trace.rule = "ceil(usage / targetAverageValue)".into();
    let r = (usage as f64 / target as f64).ceil();
    if r > i32::MAX as f64 {
        i32::MAX
    } else {
        r as i32
    }
}

/// `externalMetricsClient.GetExternalMetric` (`metrics/client.go`) with the wrapping of
/// `GetExternalMetricReplicas`: "unable to get external metric ns/name/selector: ...".
fn fetch_external(
    metrics: &mut dyn MetricsClient,
    metric_name: &str,
    namespace: &str,
    metric_selector: Option<&LabelSelector>,
) -> Result<Vec<i64>, String> {
    let wrap = |e: String| {
        format!(
            "unable to get external metric {namespace}/{metric_name}/{}: {e}",
            go_selector_string(metric_selector)
        )
    };
    let values = metrics
        .get_external_metric(metric_name, namespace, metric_selector)
        .map_err(|e| {
            wrap(format!(
                "unable to fetch metrics from external metrics API: {e}"
            ))
        })?;
    if values.is_empty() {
        return Err(wrap("no metrics returned from external metrics API".into()));
    }
    Ok(values)
}

/// The external values, for the trace.
fn external_samples(values: &[i64]) -> Vec<MetricSample> {
    values
        .iter()
        .map(|v| MetricSample {
            source: String::new(),
            value_milli: *v,
        })
        .collect()
}

/// `metricsclient.PodMetric{Value: v}`: a value filled in for a missing or unready pod.
fn filled(pod: &str, value: i64) -> PodMetric {
    PodMetric {
        pod: pod.to_string(),
        value_milli: value,
        timestamp: SimTime::ZERO,
        window: Dur::ZERO,
    }
}

/// A [`ReplicaBasis`] for the trace.
fn basis(which: &str, count: i64) -> ReplicaBasis {
    ReplicaBasis {
        which: which.to_string(),
        count,
    }
}
