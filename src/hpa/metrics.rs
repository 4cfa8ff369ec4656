//! Inputs of a reconcile pass: the metrics APIs, the target's scale and its pods.

use std::collections::BTreeMap;

use serde::Serialize;

use super::spec::{LabelSelector, ObjectRef};
use super::state::{ser_time, ConditionStatus};
use crate::time::{Dur, SimTime};

/// One pod's value of a metric (`metrics.PodMetric`), in milli-units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PodMetric {
    /// Pod name.
    pub pod: String,
    /// Value in milli-units (for a Resource metric: the sum over the pod's containers, or the
    /// one named container's usage).
    pub value_milli: i64,
    /// End of the sample window (nanoseconds).
    #[serde(serialize_with = "ser_time")]
    pub timestamp: SimTime,
    /// Length of the sample window (metrics-server: 1m by default; custom metrics without
    /// `windowSeconds`: 1m).
    #[serde(serialize_with = "super::state::ser_dur")]
    pub window: Dur,
}

/// The metrics APIs the controller reads (`metrics.MetricsClient`). The simulator implements
/// it over its model; KEDA's metrics adapter implements [`get_external_metric`]
/// (`&mut self` because serving a request has side effects there: fallback counters, scaler
/// queries).
///
/// Errors are the server-side cause as text; the library wraps them the way the REST client
/// and the controller do (`unable to fetch metrics from external metrics API: <cause>`, ...).
/// An `Ok` with no entries is reported as upstream reports an empty list
/// ("no metrics returned from ... API").
///
/// [`get_external_metric`]: MetricsClient::get_external_metric
pub trait MetricsClient {
    /// `GetResourceMetric`: the resource metrics API (metrics-server) for the pods matching
    /// `selector` (the scale's selector string). `container` is empty for a Resource metric
    /// (then a pod's value is the sum over all its containers, and a pod lacking the resource
    /// in any container is left out), or the container of a ContainerResource metric (pods
    /// without it are left out). See [`aggregate_pod_metrics`] for that logic.
    fn get_resource_metric(
        &mut self,
        resource: &str,
        namespace: &str,
        selector: &str,
        container: &str,
    ) -> Result<Vec<PodMetric>, String>;

    /// `GetRawMetric`: a Pods metric from the custom metrics API, one value per pod.
    fn get_raw_metric(
        &mut self,
        metric_name: &str,
        namespace: &str,
        selector: &str,
        metric_selector: Option<&LabelSelector>,
    ) -> Result<Vec<PodMetric>, String>;

    /// `GetObjectMetric`: an Object metric from the custom metrics API: value (milli) and
    /// sample time.
    fn get_object_metric(
        &mut self,
        metric_name: &str,
        namespace: &str,
        object: &ObjectRef,
        metric_selector: Option<&LabelSelector>,
    ) -> Result<(i64, SimTime), String>;

    /// `GetExternalMetric`: all values (milli) of an external metric matching the selector;
    /// the controller sums them.
    fn get_external_metric(
        &mut self,
        metric_name: &str,
        namespace: &str,
        metric_selector: Option<&LabelSelector>,
    ) -> Result<Vec<i64>, String>;
}

/// One container's usage in a metrics-server `PodMetrics` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerUsage {
    /// Container name.
    pub name: String,
    /// Usage per resource name, milli-units.
    pub usage: BTreeMap<String, i64>,
}

/// A metrics-server `PodMetrics` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawPodMetrics {
    /// Pod name.
    pub pod: String,
    /// Sample time.
    pub timestamp: SimTime,
    /// Sample window.
    pub window: Dur,
    /// Per-container usage.
    pub containers: Vec<ContainerUsage>,
}

/// `getPodMetrics` / `getContainerMetrics` (`metrics/client.go`): turns metrics-server items
/// into per-pod values. Without a container, a pod's value is the sum over its containers and
/// a pod with no containers or any container lacking `resource` is dropped; with a container,
/// only that container counts and pods without it (or without the resource) are dropped.
pub fn aggregate_pod_metrics(
    items: &[RawPodMetrics],
    resource: &str,
    container: &str,
) -> Vec<PodMetric> {
    let mut out = Vec::new();
    for m in items {
        if container.is_empty() {
            let mut sum: i64 = 0;
            let mut missing = m.containers.is_empty();
            for c in &m.containers {
                match c.usage.get(resource) {
                    Some(v) => sum = sum.wrapping_add(*v),
                    None => {
                        missing = true;
                        break;
                    }
                }
            }
            if !missing {
                out.push(PodMetric {
                    pod: m.pod.clone(),
                    value_milli: sum,
                    timestamp: m.timestamp,
                    window: m.window,
                });
            }
        } else if let Some(c) = m.containers.iter().find(|c| c.name == container) {
            if let Some(v) = c.usage.get(resource) {
                out.push(PodMetric {
                    pod: m.pod.clone(),
                    value_milli: *v,
                    timestamp: m.timestamp,
                    window: m.window,
                });
            }
        }
    }
    out
}

/// `v1.PodPhase`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PodPhase {
    /// `Pending`: not scheduled or still starting containers.
    Pending,
    /// `Running`.
    Running,
    /// `Succeeded`: all containers exited 0.
    Succeeded,
    /// `Failed`.
    Failed,
    /// `Unknown`.
    Unknown,
}

/// The pod's `Ready` condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ReadyCondition {
    /// `status`.
    pub status: ConditionStatus,
    /// `lastTransitionTime` (nanoseconds).
    #[serde(serialize_with = "ser_time")]
    pub last_transition_time: SimTime,
}

/// A container and its resource requests (milli-units per resource name: `cpu`, `memory`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContainerRequests {
    /// Container name.
    pub name: String,
    /// `resources.requests`, milli-units.
    pub requests: BTreeMap<String, i64>,
}

impl ContainerRequests {
    /// A container requesting `cpu_milli` of CPU (and nothing else).
    pub fn cpu(name: &str, cpu_milli: i64) -> ContainerRequests {
        ContainerRequests {
            name: name.to_string(),
            requests: BTreeMap::from([("cpu".to_string(), cpu_milli)]),
        }
    }
}

/// What the controller reads from a pod (via the pod lister).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PodInfo {
    /// `metadata.name`.
    pub name: String,
    /// `status.phase`.
    pub phase: PodPhase,
    /// The `Ready` condition, if the pod has one.
    pub ready: Option<ReadyCondition>,
    /// `status.startTime` (nanoseconds), if set.
    #[serde(serialize_with = "super::state::ser_opt_time")]
    pub start_time: Option<SimTime>,
    /// `metadata.deletionTimestamp` is set (the pod is terminating).
    pub deleted: bool,
    /// `spec.containers`.
    pub containers: Vec<ContainerRequests>,
    /// Restartable init containers (`restartPolicy: Always`, sidecars): counted in requests.
    pub sidecars: Vec<ContainerRequests>,
    /// Pod-level `spec.resources.requests` (KEP-2837), used with the `PodLevelResources` gate.
    pub pod_requests: Option<BTreeMap<String, i64>>,
}

impl PodInfo {
    /// A running, ready pod started at `start` (ready since `start`) with one container
    /// requesting `cpu_milli` of CPU.
    pub fn running(name: &str, start: SimTime, cpu_milli: i64) -> PodInfo {
        PodInfo {
            name: name.to_string(),
            phase: PodPhase::Running,
            ready: Some(ReadyCondition {
                status: ConditionStatus::True,
                last_transition_time: start,
            }),
            start_time: Some(start),
            deleted: false,
            containers: vec![ContainerRequests::cpu("main", cpu_milli)],
            sidecars: Vec::new(),
            pod_requests: None,
        }
    }

    /// `podutil.IsPodReady`: the Ready condition is `True`.
    pub fn is_ready(&self) -> bool {
        matches!(
            self.ready,
            Some(ReadyCondition {
                status: ConditionStatus::True,
                ..
            })
        )
    }
}

/// Fault injection for the scale subresource; `None` in normal runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ScaleFaults {
    /// `GET .../scale` fails with this error (event `FailedGetScale`).
    pub get: Option<String>,
    /// `UPDATE .../scale` fails with this error (event `FailedRescale`).
    pub update: Option<String>,
}

/// The target's scale subresource (`autoscaling/v1 Scale`) plus what the controller learns
/// from its selector tracker.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ScaleInfo {
    /// `spec.replicas`: what the controller calls current replicas.
    pub spec_replicas: i32,
    /// `status.replicas`: used only by Object/External AverageValue targets.
    pub status_replicas: i32,
    /// `status.selector` in label-selector string form (`app=worker`); empty means missing.
    pub selector: String,
    /// `namespace/name` of every HPA (this one included) whose selector matches the target's
    /// pods; more than one is an `AmbiguousSelector`. Leave empty when only this HPA exists.
    pub selecting_hpas: Vec<String>,
    /// Injected API failures.
    pub faults: ScaleFaults,
}

impl ScaleInfo {
    /// A scale with `spec.replicas = status.replicas = replicas` and the given selector.
    pub fn new(replicas: i32, selector: &str) -> ScaleInfo {
        ScaleInfo {
            spec_replicas: replicas,
            status_replicas: replicas,
            selector: selector.to_string(),
            ..ScaleInfo::default()
        }
    }
}
