//! The control plane in the event loop: HPA controllers (from HorizontalPodAutoscaler
//! manifests and from KEDA ScaledObjects) and KEDA scale loops, each on its own clock.
//!
//! Decisions are made by the pure libraries ([`crate::hpa::reconcile`],
//! [`crate::keda::scale_loop::poll`]); this module only schedules them, gives them a read-only
//! [`WorldView`], applies their writes to `spec.replicas`, and records their events, their
//! decision traces and the metric values they read.

use crate::hpa::{
    reconcile, ConditionStatus, ControllerConfig, EventType, HpaSpec, HpaState, KubeVersion,
    MetricSpec, MetricStatus, MetricTarget, PodInfo, PodPhase, ReadyCondition, ScaleInfo,
};
use crate::keda::adapter::KedaMetricsClient;
use crate::keda::compiled::Compiled;
use crate::keda::fallback::TargetReplicas;
use crate::keda::scale_loop::{hpa_present, loop_runs, poll, ScaledObjectState};
use crate::scenario::Scenario;
use crate::time::{Dur, SimTime};

use super::view::{selector_string, WorldView};
use super::{Ev, SimError, World};

pub use crate::observe::Decision;

/// A running HPA controller for one HPA object.
pub struct HpaRun {
    /// `HorizontalPodAutoscaler/<name>`.
    pub id: String,
    /// The spec (defaulted).
    pub spec: HpaSpec,
    /// Controller flags.
    pub config: ControllerConfig,
    /// In-memory controller state.
    pub state: HpaState,
    /// Worker group scaled.
    pub group: usize,
    /// Index of the ScaledObject that generated it.
    pub keda: Option<usize>,
    /// Time between passes, including the controller's processing time.
    pub period: Dur,
    /// Last value read per metric (display units) for the time series.
    pub metric_values: Vec<f64>,
    /// Some metric reads the pod list (Resource, Pods, or a Value target's ready-pod count);
    /// AverageValue External/Object metrics do not, and then the list is not built.
    pub needs_pods: bool,
}

/// Whether the HPA's replica calculator reads the pod list for this spec.
fn reads_pods(spec: &HpaSpec) -> bool {
    spec.metrics.iter().any(|m| match m {
        MetricSpec::External { target, .. } | MetricSpec::Object { target, .. } => {
            !matches!(target, MetricTarget::AverageValue(_))
        }
        _ => true,
    })
}

/// A running KEDA scale loop.
pub struct KedaRun {
    /// `ScaledObject/<name>`.
    pub id: String,
    /// Compiled object.
    pub compiled: Compiled,
    /// Loop and status.
    pub state: ScaledObjectState,
    /// Worker group scaled.
    pub group: usize,
    /// Its generated HPA (index into `Control::hpas`).
    pub hpa: usize,
    /// Active at the last poll.
    pub active: bool,
}

/// All controllers.
#[derive(Default)]
pub struct Control {
    /// HPA controllers.
    pub hpas: Vec<HpaRun>,
    /// KEDA loops.
    pub kedas: Vec<KedaRun>,
    /// Decisions recorded so far.
    pub decisions: u64,
    /// Any HPA reads Resource metrics (metrics-server must run).
    pub needs_metrics_server: bool,
    /// Record every pass (see `RunOptions::all_decisions`).
    pub all_decisions: bool,
}

/// The controller configuration for the scenario's Kubernetes version and flags.
pub fn controller_config(sc: &Scenario) -> ControllerConfig {
    let version = match sc.kubernetes.version {
        (1, m) if m <= 30 => KubeVersion::V1_30,
        (1, 31) => KubeVersion::V1_31,
        (1, 32) => KubeVersion::V1_32,
        (1, 33) => KubeVersion::V1_33,
        (1, 34) => KubeVersion::V1_34,
        (1, 35) => KubeVersion::V1_35,
        _ => KubeVersion::Master,
    };
    let mut c = ControllerConfig::for_version(version);
    let h = &sc.kubernetes.hpa;
    if let Some(v) = &h.sync_period {
        c.sync_period = v.value.0;
    }
    if let Some(v) = &h.tolerance {
        c.tolerance = v.value;
    }
    if let Some(v) = &h.downscale_stabilization {
        c.downscale_stabilization = v.value.0;
    }
    if let Some(v) = &h.cpu_initialization_period {
        c.cpu_initialization_period = v.value.0;
    }
    if let Some(v) = &h.initial_readiness_delay {
        c.initial_readiness_delay = v.value.0;
    }
    c
}

/// Display name of metric `i` of an HPA (`celery_queue_depth`, `s0-redis-high_priority`, `cpu`).
pub fn metric_name(spec: &HpaSpec, i: usize) -> String {
    match &spec.metrics[i] {
        MetricSpec::External { metric, .. }
        | MetricSpec::Pods { metric, .. }
        | MetricSpec::Object { metric, .. } => metric.name.clone(),
        MetricSpec::Resource { name, .. } | MetricSpec::ContainerResource { name, .. } => {
            name.clone()
        }
        MetricSpec::Unknown { .. } => format!("metric{i}"),
    }
}

/// The target of metric `i` in display units (`kubectl describe hpa`'s right-hand side).
pub fn metric_target(spec: &HpaSpec, i: usize) -> f64 {
    let t = match &spec.metrics[i] {
        MetricSpec::External { target, .. }
        | MetricSpec::Pods { target, .. }
        | MetricSpec::Object { target, .. }
        | MetricSpec::Resource { target, .. }
        | MetricSpec::ContainerResource { target, .. } => *target,
        MetricSpec::Unknown { .. } => return f64::NAN,
    };
    match t {
        MetricTarget::Utilization(p) => p as f64,
        MetricTarget::Value(m) | MetricTarget::AverageValue(m) => m as f64 / 1000.0,
    }
}

/// The current value of a metric status in display units (`kubectl describe hpa`'s left side).
fn status_value(s: &MetricStatus) -> f64 {
    let cur = match s {
        MetricStatus::Empty => return f64::NAN,
        MetricStatus::Resource { current, .. }
        | MetricStatus::ContainerResource { current, .. }
        | MetricStatus::Pods { current, .. }
        | MetricStatus::Object { current, .. }
        | MetricStatus::External { current, .. } => current,
    };
    if let Some(u) = cur.average_utilization {
        u as f64
    } else if let Some(a) = cur.average_value {
        a as f64 / 1000.0
    } else if let Some(v) = cur.value {
        v as f64 / 1000.0
    } else {
        f64::NAN
    }
}

impl Control {
    /// Controllers for the scenario's HPAs and ScaledObjects.
    pub fn new(sc: &Scenario) -> Control {
        let config = controller_config(sc);
        let period = config.sync_period + Dur::from_millis(1);
        let mut c = Control::default();
        for h in &sc.hpas {
            c.hpas.push(HpaRun {
                id: h.id.clone(),
                spec: h.spec.clone(),
                config: config.clone(),
                state: HpaState::new(),
                group: h.group,
                keda: None,
                period,
                metric_values: vec![f64::NAN; h.spec.metrics.len()],
                needs_pods: reads_pods(&h.spec),
            });
        }
        for (k, def) in sc.scaled_objects.iter().enumerate() {
            let hpa = c.hpas.len();
            let spec = def.compiled.hpa.spec.clone();
            c.hpas.push(HpaRun {
                id: format!("HorizontalPodAutoscaler/{}", spec.name),
                metric_values: vec![f64::NAN; spec.metrics.len()],
                needs_pods: reads_pods(&spec),
                spec,
                config: config.clone(),
                state: HpaState::new(),
                group: def.group,
                keda: Some(k),
                period,
            });
            let original = sc.workers[def.group].replicas;
            c.kedas.push(KedaRun {
                id: def.id.clone(),
                state: ScaledObjectState::new(&def.compiled, SimTime::ZERO, original),
                compiled: def.compiled.clone(),
                group: def.group,
                hpa,
                active: false,
            });
        }
        c.needs_metrics_server = c.hpas.iter().any(|h| {
            h.spec.metrics.iter().any(|m| {
                matches!(
                    m,
                    MetricSpec::Resource { .. } | MetricSpec::ContainerResource { .. }
                )
            })
        });
        c
    }

    /// Time-series columns: `metric:<name>` and `target:<name>` per HPA metric (prefixed with
    /// the HPA's name when there are several HPAs).
    pub fn columns(&self) -> Vec<String> {
        let mut out = Vec::new();
        for h in &self.hpas {
            for i in 0..h.spec.metrics.len() {
                let n = metric_name(&h.spec, i);
                let n = if self.hpas.len() > 1 {
                    format!("{}/{n}", h.spec.name)
                } else {
                    n
                };
                out.push(format!("metric:{n}"));
                out.push(format!("target:{n}"));
            }
        }
        for k in &self.kedas {
            out.push(format!("keda_active:{}", k.compiled.object.so.name()));
        }
        out
    }

    /// Values for [`Control::columns`].
    pub fn values(&self, out: &mut Vec<f64>) {
        for h in &self.hpas {
            for (i, v) in h.metric_values.iter().enumerate() {
                out.push(*v);
                out.push(metric_target(&h.spec, i));
            }
        }
        for k in &self.kedas {
            out.push(if k.active { 1.0 } else { 0.0 });
        }
    }
}

impl<const TRACE: bool> World<'_, TRACE> {
    /// Schedules the first HPA syncs, KEDA polls and metric scrapes.
    pub(super) fn init_control(&mut self) {
        let sc = self.sc;
        let first_sync = sc.kubernetes.hpa.first_sync.as_ref().map(|d| d.value.0);
        for i in 0..self.control.hpas.len() {
            let h = &self.control.hpas[i];
            // A new HPA is first reconciled about one sync period after creation (v1.30-v1.35).
            let at = if h.config.first_sync_immediate {
                Dur::ZERO
            } else {
                first_sync.unwrap_or(h.config.sync_period)
            };
            self.eng.schedule_at(SimTime(at.0), Ev::HpaSync(i as u16));
        }
        for k in 0..self.control.kedas.len() {
            let start = SimTime(sc.keda.loop_start.0);
            let kr = &mut self.control.kedas[k];
            if loop_runs(&kr.compiled.object.so) {
                kr.state.start_loop(&kr.compiled.object, start);
                if let Some(t) = kr.state.next_poll_at() {
                    self.eng.schedule_at(t, Ev::KedaPoll(k as u16));
                }
            }
        }
        if self.control.needs_metrics_server {
            self.eng.schedule_at(SimTime::ZERO, Ev::MetricsScrape);
        }
        if crate::sim::telemetry::Telemetry::needs_rabbit_stats(sc) {
            self.eng.schedule_at(SimTime::ZERO, Ev::RabbitStats);
        }
        for i in 0..self.telemetry.exporters.len() {
            self.eng
                .schedule_at(SimTime::ZERO, Ev::ExporterPoll(i as u16));
        }
        if self.telemetry.tsdb.is_some() {
            self.eng.schedule_at(SimTime::ZERO, Ev::PromScrape);
        }
    }

    /// The pods of worker group `g` as the HPA's pod lister sees them.
    fn pod_infos(&self, g: usize) -> Vec<PodInfo> {
        let w = &self.sc.workers[g];
        let containers: Vec<crate::hpa::ContainerRequests> = w
            .cpu_requests_milli
            .iter()
            .map(|(name, cpu)| crate::hpa::ContainerRequests {
                name: name.clone(),
                requests: cpu
                    .map(|c| [("cpu".to_string(), c)].into())
                    .unwrap_or_default(),
            })
            .collect();
        self.alive
            .iter()
            .map(|&p| &self.pods[p as usize])
            .filter(|p| p.group as usize == g)
            .map(|p| PodInfo {
                name: p.name.clone(),
                phase: if p.started.is_some() {
                    PodPhase::Running
                } else {
                    PodPhase::Pending
                },
                ready: p.started.map(|_| ReadyCondition {
                    status: if p.ready_since.is_some() {
                        ConditionStatus::True
                    } else {
                        ConditionStatus::False
                    },
                    last_transition_time: p.ready_transition.unwrap_or(p.created),
                }),
                start_time: p.scheduled.then_some(p.created),
                deleted: p.deleted_at.is_some(),
                containers: containers.clone(),
                sidecars: Vec::new(),
                pod_requests: None,
            })
            .collect()
    }

    fn active_pods(&self, g: usize) -> (i32, i32) {
        let mut active = 0;
        let mut ready = 0;
        for &p in &self.alive {
            let pod = &self.pods[p as usize];
            if pod.group as usize == g && pod.active() {
                active += 1;
                if pod.ready_since.is_some() {
                    ready += 1;
                }
            }
        }
        (active, ready)
    }

    /// One HPA controller pass.
    pub(super) fn on_hpa_sync(&mut self, i: usize) -> Result<(), SimError> {
        let now = self.eng.now();
        let period = self.control.hpas[i].period;
        let next = now.checked_add(period).unwrap_or(SimTime::MAX);
        self.eng.schedule_at(next, Ev::HpaSync(i as u16));
        let g = self.control.hpas[i].group;
        if let Some(k) = self.control.hpas[i].keda {
            if !hpa_present(&self.control.kedas[k].compiled.object.so) {
                return Ok(());
            }
        }
        let spec_replicas = self.groups[g].spec_replicas;
        let (active, ready) = self.active_pods(g);
        let w = &self.sc.workers[g];
        let selector = selector_string(&w.labels, &w.deployment);
        let selecting: Vec<String> = self
            .control
            .hpas
            .iter()
            .filter(|h| {
                h.group == g
                    && h.keda
                        .is_none_or(|k| hpa_present(&self.control.kedas[k].compiled.object.so))
            })
            .map(|h| format!("{}/{}", h.spec.namespace, h.spec.name))
            .collect();
        let mut scale = ScaleInfo::new(spec_replicas, &selector);
        scale.status_replicas = active;
        if selecting.len() > 1 {
            scale.selecting_hpas = selecting;
        }
        let pods = if self.control.hpas[i].needs_pods {
            self.pod_infos(g)
        } else {
            Vec::new()
        };
        let view = WorldView {
            sc: self.sc,
            broker: &self.broker,
            pods: &self.pods,
            alive: &self.alive,
            metrics_server: &self.metrics_server,
            telemetry: &self.telemetry,
            broker_db: self.broker_db,
            now,
        };
        let hr = &mut self.control.hpas[i];
        let outcome = match hr.keda {
            Some(k) => {
                let kr = &mut self.control.kedas[k];
                let mut inner = WorldView {
                    ..view_clone(&view)
                };
                let mut client = KedaMetricsClient::new(
                    &kr.compiled.object,
                    &mut kr.state,
                    &view,
                    TargetReplicas {
                        current: spec_replicas,
                        ready_pods: ready,
                    },
                );
                client.inner = Some(&mut inner);
                reconcile(
                    &hr.spec,
                    &hr.config,
                    &mut hr.state,
                    &scale,
                    &pods,
                    &mut client,
                    now,
                )
            }
            None => {
                let mut client = view_clone(&view);
                reconcile(
                    &hr.spec,
                    &hr.config,
                    &mut hr.state,
                    &scale,
                    &pods,
                    &mut client,
                    now,
                )
            }
        };
        for (mi, s) in outcome.status.current_metrics.iter().enumerate() {
            if let Some(v) = hr.metric_values.get_mut(mi) {
                let x = status_value(s);
                if !x.is_nan() {
                    *v = x;
                }
            }
        }
        let id = hr.id.clone();
        let trace = &outcome.trace;
        // Keep rescales, errors, and passes where stabilization or a rate limit held a change
        // back (what `explain` is for); not the steady state at min/max.
        let held = !outcome.rescale
            && trace.prenormalized.is_some_and(|p| p != spec_replicas)
            && trace.bound_by.iter().any(|b| {
                !matches!(
                    b.reason.as_str(),
                    "TooFewReplicas"
                        | "TooManyReplicas"
                        | "DesiredWithinRange"
                        | "ReadyForNewScale"
                )
            });
        if outcome.rescale || held || trace.error.is_some() || self.control.all_decisions {
            let rule = trace
                .bound_by
                .last()
                .map(|b| b.reason.clone())
                .unwrap_or_else(|| {
                    if outcome.rescale {
                        "DesiredWithinRange".into()
                    } else {
                        "NoChange".into()
                    }
                });
            let summary = match outcome
                .events
                .iter()
                .find(|e| e.reason == "SuccessfulRescale")
            {
                Some(e) => e.message.clone(),
                None => match (&trace.error, trace.prenormalized) {
                    (Some(err), _) => format!("no change: {err}"),
                    (None, Some(p)) => format!(
                        "metrics asked for {p}, kept {}: {}",
                        outcome.desired_replicas,
                        trace
                            .bound_by
                            .iter()
                            .map(|b| b.message.clone())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    (None, None) => "no change".into(),
                },
            };
            let d = Decision {
                time_s: now.as_secs_f64(),
                source: "hpa",
                object: id,
                from: spec_replicas,
                to: outcome.desired_replicas,
                rule,
                summary,
                inputs: serde_json::to_value(trace).unwrap_or(serde_json::Value::Null),
            };
            self.control.decisions += 1;
            self.sink.decision(&d)?;
        }
        for e in &outcome.events {
            let kind = match e.kind {
                EventType::Normal => "Normal",
                EventType::Warning => "Warning",
            };
            self.event("hpa", kind, &e.reason, e.message.clone())?;
        }
        if outcome.rescale {
            self.set_replicas(g, outcome.desired_replicas)?;
        }
        Ok(())
    }

    /// One tick of a KEDA scale loop.
    pub(super) fn on_keda_poll(&mut self, k: usize) -> Result<(), SimError> {
        let now = self.eng.now();
        let g = self.control.kedas[k].group;
        let current = self.groups[g].spec_replicas;
        let view = WorldView {
            sc: self.sc,
            broker: &self.broker,
            pods: &self.pods,
            alive: &self.alive,
            metrics_server: &self.metrics_server,
            telemetry: &self.telemetry,
            broker_db: self.broker_db,
            now,
        };
        let kr = &mut self.control.kedas[k];
        if kr.state.next_poll_at() != Some(now) {
            return Ok(()); // the loop was restarted or stopped: a stale tick
        }
        let out = poll(&kr.compiled.object, &mut kr.state, &view, now, current);
        let was_active = kr.active;
        kr.active = out.is_active;
        if let Some(t) = out.next_poll {
            self.eng.schedule_at(t, Ev::KedaPoll(k as u16));
        }
        let id = kr.id.clone();
        let cooldown = kr
            .compiled
            .object
            .so
            .spec
            .cooldown_period
            .as_ref()
            .map(|c| c.value);
        let last_active = kr.state.status.last_active_time;
        if out.write.is_some()
            || was_active != out.is_active
            || out.skipped.is_some() && out.is_error
        {
            let inputs = serde_json::json!({
                "current_replicas": current,
                "is_active": out.is_active,
                "is_error": out.is_error,
                "active_triggers": out.active_triggers,
                "triggers": out.triggers.iter().map(|t| serde_json::json!({
                    "trigger": t.trigger,
                    "metric": t.metric_name,
                    "value": t.value_milli.map(|v| v as f64 / 1000.0),
                    "is_active": t.is_active,
                    "error": t.error,
                })).collect::<Vec<_>>(),
                "composite": out.composite_milli.map(|v| v as f64 / 1000.0),
                "last_active_time_s": last_active.map(|t| t.as_secs_f64()),
                "cooldown_period_s": cooldown,
                "executor": out.decision.map(|d| format!("{d:?}")),
                "skipped": out.skipped,
            });
            let rule = out
                .decision
                .map_or_else(|| "Skipped".to_string(), |d| format!("{d:?}"));
            let summary = match (out.write, out.events.first()) {
                (Some(_), Some(e)) => e.message.clone(),
                (Some(w), None) => format!("scaled from {current} to {w}"),
                (None, _) if out.is_active => "scaler active".to_string(),
                (None, _) => format!(
                    "scaler inactive{}",
                    out.skipped
                        .as_ref()
                        .map(|s| format!(": {s}"))
                        .unwrap_or_default()
                ),
            };
            self.control.decisions += 1;
            self.sink.decision(&Decision {
                time_s: now.as_secs_f64(),
                source: "keda",
                object: id,
                from: current,
                to: out.write.unwrap_or(current),
                rule,
                summary,
                inputs,
            })?;
        }
        for e in &out.events {
            let kind = match e.event_type {
                crate::keda::status::EventType::Normal => "Normal",
                crate::keda::status::EventType::Warning => "Warning",
            };
            self.event("keda", kind, &e.reason, e.message.clone())?;
        }
        if let Some(w) = out.write {
            self.set_replicas(g, w)?;
        }
        Ok(())
    }
}

/// A second view over the same world (the KEDA adapter's delegate for non-external metrics).
fn view_clone<'a>(v: &WorldView<'a>) -> WorldView<'a> {
    WorldView {
        sc: v.sc,
        broker: v.broker,
        pods: v.pods,
        alive: v.alive,
        metrics_server: v.metrics_server,
        telemetry: v.telemetry,
        broker_db: v.broker_db,
        now: v.now,
    }
}
