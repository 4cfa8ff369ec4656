//! The `kind: Scenario` document as written: everything the manifests do not say.
//!
//! Strict: an unknown field is an error with a "did you mean" hint. Field names are camelCase
//! like Kubernetes. Durations are Go/Kubernetes strings (`500ms`, `15s`, `5m`, `1h`).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::dist::{DurText, RawDist};
use crate::yaml::de::Located;

/// `metadata` of a Scenario.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioMeta {
    /// Scenario name: names the default output directory `reports/<name>/`.
    pub name: Located<String>,
    /// Free text shown in the report.
    #[serde(default)]
    pub description: Option<String>,
    /// Free-form labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// `spec` of a Scenario.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Master seed (default 1). `--seed` overrides it.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Simulated time to run.
    pub duration: Located<DurText>,
    /// Time between rows of `timeseries.csv` (default 1s).
    #[serde(default)]
    pub sample_interval: Option<Located<DurText>>,
    /// Manifest files or directories, relative to the scenario file.
    #[serde(default)]
    pub manifests: Vec<Located<String>>,
    /// Which Deployments are Celery workers, and what their manifests do not say.
    #[serde(default)]
    pub workers: Vec<WorkerRaw>,
    /// The broker.
    #[serde(default)]
    pub broker: Option<BrokerRaw>,
    /// Task types.
    pub tasks: Vec<TaskRaw>,
    /// Producers.
    #[serde(default)]
    pub load: Vec<Located<LoadRaw>>,
    /// Pod start-up model and node shape.
    #[serde(default)]
    pub pods: Option<PodsRaw>,
    /// Kubernetes controller settings (flags of kube-controller-manager etc.).
    #[serde(default)]
    pub kubernetes: Option<KubernetesRaw>,
    /// KEDA operator settings.
    #[serde(default)]
    pub keda: Option<KedaRaw>,
    /// Metric pipelines (exporters, Prometheus, adapter) that feed autoscalers.
    #[serde(default)]
    pub metrics: Option<MetricsRaw>,
    /// Things a person does during the run (`kubectl scale` at a time).
    #[serde(default)]
    pub actions: Vec<Located<ActionRaw>>,
    /// Resource guards.
    #[serde(default)]
    pub limits: Option<LimitsRaw>,
}

/// A scheduled action.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum ActionRaw {
    /// `kubectl scale deployment/<name> --replicas=N` at `at`.
    Scale(ScaleActionRaw),
}

/// `kubectl scale`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaleActionRaw {
    /// When.
    pub at: DurText,
    /// Deployment name.
    pub deployment: Located<String>,
    /// New `spec.replicas`.
    pub replicas: Located<i32>,
}

/// A worker Deployment and its Celery settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkerRaw {
    /// Name of the Deployment.
    pub deployment: Located<String>,
    /// Container running Celery (default: the first container).
    #[serde(default)]
    pub container: Option<Located<String>>,
    /// The image's command when the manifest has none (e.g. the Dockerfile CMD):
    /// `celery -A tasks worker -Q a,b --concurrency=2`.
    #[serde(default)]
    pub command: Option<Located<String>>,
    /// Overrides of what the command line and environment say.
    #[serde(default)]
    pub celery: Option<CeleryRaw>,
}

/// Celery worker settings; each overrides the command line and environment.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CeleryRaw {
    /// `--concurrency` / `worker_concurrency` (default: the node's CPU count).
    pub concurrency: Option<Located<u32>>,
    /// `--prefetch-multiplier` / `worker_prefetch_multiplier` (default 4; 0 = unlimited).
    pub prefetch_multiplier: Option<Located<u32>>,
    /// `task_acks_late` (default false).
    pub acks_late: Option<Located<bool>>,
    /// `--disable-prefetch` / `worker_disable_prefetch` (Celery 5.6+, Redis only).
    pub disable_prefetch: Option<Located<bool>>,
    /// `-Q` queues consumed (default: `celery`).
    pub queues: Option<Located<Vec<String>>>,
    /// `--pool` (prefork, threads, solo, gevent, eventlet).
    pub pool: Option<Located<String>>,
    /// `task_reject_on_worker_lost` (default false).
    pub reject_on_worker_lost: Option<Located<bool>>,
    /// `worker_soft_shutdown_timeout` (Celery 5.5+, default 0s).
    pub soft_shutdown_timeout: Option<Located<DurText>>,
    /// How SIGTERM reaches Celery: `main` (PID 1 / exec), `process-group` (dumb-init
    /// setsid, tini -g) or `swallowed` (a shell without exec). Default: inferred from the command.
    pub shutdown_signal: Option<Located<String>>,
    /// `REMAP_SIGTERM=SIGQUIT`: SIGTERM starts a cold (soft) shutdown.
    pub remap_sigterm: Option<Located<bool>>,
    /// `--without-mingle` (saves ~1 s of boot).
    pub without_mingle: Option<Located<bool>>,
    /// `worker_eta_task_limit` (Celery 5.6+).
    pub eta_task_limit: Option<Located<u32>>,
}

/// Broker settings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BrokerRaw {
    /// `redis` or `rabbitmq` (default: from CELERY_BROKER_URL, else redis).
    #[serde(rename = "type")]
    pub kind: Option<Located<String>>,
    /// Redis `visibility_timeout` (default 1h).
    pub visibility_timeout: Option<Located<DurText>>,
    /// Redis `queue_order_strategy`: round_robin (default), priority, sorted.
    pub queue_order_strategy: Option<Located<String>>,
    /// kombu `unacked_restore_interval` (default 10s).
    pub unacked_restore_interval: Option<Located<DurText>>,
    /// kombu `unacked_restore_throttle`: scan every Nth timer tick (default 10).
    pub unacked_restore_throttle: Option<Located<u32>>,
    /// Redis `priority_steps` (default [0, 3, 6, 9]).
    pub priority_steps: Option<Located<Vec<u8>>>,
    /// RabbitMQ `consumer_timeout` (default 30m).
    pub consumer_timeout: Option<Located<DurText>>,
    /// RabbitMQ: prefetch shared by all consumers of a channel (`global=True`, kombu <= 5.6
    /// on RabbitMQ < 4) or per consumer. Default true.
    pub global_qos: Option<Located<bool>>,
}

/// A task type.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskRaw {
    /// Task name (`add`, `tasks.process_document`).
    pub name: Located<String>,
    /// Queue it is sent to (default `celery`).
    #[serde(default)]
    pub queue: Option<Located<String>>,
    /// Message priority 0-9 (Redis: lower is served first; RabbitMQ: higher first).
    #[serde(default)]
    pub priority: Option<Located<u8>>,
    /// `io` (waits; not slowed by the CPU limit) or `cpu` (shares the pod's CPU limit).
    #[serde(default)]
    pub kind: Option<Located<String>>,
    /// Run time (CPU time for `cpu` tasks, when alone on a full core).
    pub duration: Located<RawDist>,
    /// Per-task `acks_late` (overrides the worker setting).
    #[serde(default)]
    pub acks_late: Option<Located<bool>>,
    /// ETA/countdown after publish (the worker holds the message until then).
    #[serde(default)]
    pub countdown: Option<Located<RawDist>>,
}

/// A producer. Rates are tasks per second.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum LoadRaw {
    /// Evenly spaced arrivals at `rate`.
    Constant(RateWindow),
    /// Poisson arrivals at `rate`.
    Poisson(RateWindow),
    /// `count` tasks published at once at `at`.
    Burst(BurstRaw),
    /// Rate moving linearly from `startRate` to `endRate` over [from, to).
    Ramp(RampRaw),
    /// Piecewise-constant rate.
    Step(StepRaw),
    /// `base + amplitude * sin(2π (t - from) / period)` (seed 002's oscillate).
    Sine(SineRaw),
    /// Replay of a CSV trace (`time_s,count` or `time_s,rate`).
    Trace(TraceRaw),
}

/// Task type and optional window of a constant-rate producer.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateWindow {
    /// Task type name.
    pub task: Located<String>,
    /// Tasks per second.
    pub rate: Located<f64>,
    /// Start (default 0s).
    #[serde(default)]
    pub from: Option<DurText>,
    /// End (default: the scenario's duration).
    #[serde(default)]
    pub to: Option<DurText>,
}

/// A burst.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BurstRaw {
    /// Task type name.
    pub task: Located<String>,
    /// How many.
    pub count: Located<u64>,
    /// When (default 0s).
    #[serde(default)]
    pub at: Option<DurText>,
    /// Repeat every this long (optional).
    #[serde(default)]
    pub every: Option<Located<DurText>>,
}

/// A linear ramp.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RampRaw {
    /// Task type name.
    pub task: Located<String>,
    /// Rate at `from`.
    pub start_rate: Located<f64>,
    /// Rate at `to`.
    pub end_rate: Located<f64>,
    /// Start (default 0s).
    #[serde(default)]
    pub from: Option<DurText>,
    /// End (default: the scenario's duration).
    #[serde(default)]
    pub to: Option<DurText>,
    /// Poisson arrivals (default true) or evenly spaced.
    #[serde(default)]
    pub poisson: Option<bool>,
}

/// Piecewise-constant rate.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StepRaw {
    /// Task type name.
    pub task: Located<String>,
    /// `[{at: 0s, rate: 5}, {at: 10m, rate: 50}]`; each holds until the next.
    pub steps: Vec<StepPoint>,
    /// End (default: the scenario's duration).
    #[serde(default)]
    pub to: Option<DurText>,
    /// Poisson arrivals (default true).
    #[serde(default)]
    pub poisson: Option<bool>,
}

/// One step.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StepPoint {
    /// When this rate starts.
    pub at: DurText,
    /// Tasks per second.
    pub rate: Located<f64>,
}

/// A sine-modulated rate.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SineRaw {
    /// Task type name.
    pub task: Located<String>,
    /// Mean rate.
    pub base: Located<f64>,
    /// Swing around the mean (the rate is clipped at 0).
    pub amplitude: Located<f64>,
    /// Period.
    pub period: Located<DurText>,
    /// Start (default 0s).
    #[serde(default)]
    pub from: Option<DurText>,
    /// End (default: the scenario's duration).
    #[serde(default)]
    pub to: Option<DurText>,
    /// Poisson arrivals (default true).
    #[serde(default)]
    pub poisson: Option<bool>,
}

/// A replayed trace.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TraceRaw {
    /// Task type name.
    pub task: Located<String>,
    /// CSV file relative to the scenario: `time_s,count` (tasks published at that instant) or
    /// `time_s,rate` (rate holding until the next row).
    pub file: Located<String>,
    /// For `rate` traces: Poisson arrivals (default true).
    #[serde(default)]
    pub poisson: Option<bool>,
    /// Time offset added to every row (default 0s).
    #[serde(default)]
    pub offset: Option<DurText>,
}

/// Pod start-up model.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodsRaw {
    /// Per-step start-up times.
    #[serde(default)]
    pub startup: Option<StartupRaw>,
    /// vCPUs of a node: Celery's default concurrency, and the CPU available to pods without
    /// a CPU limit (default 2).
    #[serde(default)]
    pub node_cpus: Option<Located<u32>>,
    /// State of the Deployment's pods at t=0: `ready` (already running and consuming, the
    /// default) or `starting` (created at t=0, going through the start-up steps).
    #[serde(default)]
    pub initial_pods: Option<Located<String>>,
}

/// Start-up steps: created -> scheduled -> image pulled -> container started -> Celery ready.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartupRaw {
    /// Created -> scheduled (default lognormal median 500ms, p99 2s).
    pub scheduling: Option<Located<RawDist>>,
    /// Image pull (default 0s: image cached on the node).
    pub image_pull: Option<Located<RawDist>>,
    /// Container create + start (default lognormal median 1s, p99 3s).
    pub container_start: Option<Located<RawDist>>,
    /// Celery boot: imports, broker connect, mingle (default 1.5s; 0.5s with --without-mingle).
    pub celery_boot: Option<Located<RawDist>>,
}

/// kube-controller-manager and friends.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KubernetesRaw {
    /// Kubernetes minor version whose behaviour to follow, e.g. "1.33" (default "1.33").
    pub version: Option<Located<String>>,
    /// HPA controller flags.
    pub hpa: Option<HpaControllerRaw>,
    /// metrics-server.
    pub metrics_server: Option<MetricsServerRaw>,
}

/// `--horizontal-pod-autoscaler-*` flags.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HpaControllerRaw {
    /// `--horizontal-pod-autoscaler-sync-period` (default 15s).
    pub sync_period: Option<Located<DurText>>,
    /// Time of the first sync after the HPA is created (default: one sync period).
    pub first_sync: Option<Located<DurText>>,
    /// `--horizontal-pod-autoscaler-tolerance` (default 0.1).
    pub tolerance: Option<Located<f64>>,
    /// `--horizontal-pod-autoscaler-downscale-stabilization` (default 5m).
    pub downscale_stabilization: Option<Located<DurText>>,
    /// `--horizontal-pod-autoscaler-cpu-initialization-period` (default 5m).
    pub cpu_initialization_period: Option<Located<DurText>>,
    /// `--horizontal-pod-autoscaler-initial-readiness-delay` (default 30s).
    pub initial_readiness_delay: Option<Located<DurText>>,
}

/// metrics-server settings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricsServerRaw {
    /// `--metric-resolution` (default 15s).
    pub resolution: Option<Located<DurText>>,
}

/// KEDA operator settings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KedaRaw {
    /// KEDA version whose behaviour to follow (default "2.18").
    pub version: Option<Located<String>>,
    /// When the scale loop starts (the ScaledObject is created at t=0; default 0s).
    pub loop_start: Option<Located<DurText>>,
}

/// Metric pipelines.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricsRaw {
    /// Prometheus exporters that poll the broker (seed 002's queue-depth exporter).
    #[serde(default)]
    pub exporters: Vec<ExporterRaw>,
    /// The Prometheus server.
    #[serde(default)]
    pub prometheus: Option<PrometheusRaw>,
    /// External metrics served by prometheus-adapter: name -> PromQL query.
    #[serde(default)]
    pub external: Vec<ExternalMetricRaw>,
}

/// A queue-depth exporter.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExporterRaw {
    /// Series name, e.g. `celery_queue_depth`.
    pub metric: Located<String>,
    /// Queues to read (one series per queue, label `queue`).
    pub queues: Vec<String>,
    /// What to count: `llen` (band 0 only: what `LLEN <queue>` returns, default),
    /// `all-bands` (all priority lists), or `ready+unacked`.
    #[serde(default)]
    pub count: Option<Located<String>>,
    /// Poll interval (default 5s).
    #[serde(default)]
    pub interval: Option<Located<DurText>>,
}

/// Prometheus server settings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrometheusRaw {
    /// Scrape interval (default 15s).
    pub scrape_interval: Option<Located<DurText>>,
    /// How far back an instant query looks for a sample (default 5m).
    pub lookback_delta: Option<Located<DurText>>,
}

/// An external metric served by prometheus-adapter.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalMetricRaw {
    /// Metric name the HPA asks for.
    pub name: Located<String>,
    /// PromQL (subset) evaluated at request time.
    pub query: Located<String>,
}

/// Resource guards.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LimitsRaw {
    /// Most events one run may handle.
    pub max_events: Option<Located<u64>>,
    /// Most events pending at once.
    pub max_pending_events: Option<Located<u64>>,
    /// Most tasks in the system at once (queued + held + running).
    pub max_tasks_in_flight: Option<Located<u64>>,
    /// Most pods alive at once.
    pub max_pods: Option<Located<u64>>,
}
