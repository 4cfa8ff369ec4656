//! Scenarios: the user's own manifests plus one `kind: Scenario` document, loaded into a
//! validated, typed [`Scenario`].
//!
//! A scenario file is a Kubernetes-style YAML stream. Manifests (Deployment, ScaledObject,
//! HorizontalPodAutoscaler, ConfigMap, Secret, ...) come inline as documents of the same file
//! or by path (`spec.manifests`, files or directories relative to the scenario file, read like
//! `kubectl apply -f`). `--set` overrides apply before anything is read into types, so every
//! error, including one in an overridden value, names its file, line, column and field path
//! (or the `--set` argument). Loading never panics on user input: it returns [`Diagnostics`].

pub mod autoscalers;
mod build;
pub mod celery_cmd;
pub mod files;
pub mod k8s;
mod loads;
pub mod raw;
mod workers;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::dist::{DurationDist, RawDist};
use crate::engine::Limits;
use crate::rng::RngStreams;
use crate::time::{Dur, SimTime};
use crate::yaml::de::{from_node, DeContext, Located};
use crate::yaml::path::{apply, parse_override, Override, Segment};
use crate::yaml::{Document, Node, Origin};

pub use celery_cmd::SignalMode;
pub use files::Source;

/// The API version of our own documents.
pub const API_VERSION: &str = "scalesim.dev/v1alpha1";

/// Which broker the workers use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrokerKind {
    /// Redis via kombu's Redis transport.
    Redis,
    /// RabbitMQ via py-amqp.
    RabbitMq,
}

impl BrokerKind {
    /// Scenario spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BrokerKind::Redis => "redis",
            BrokerKind::RabbitMq => "rabbitmq",
        }
    }
}

/// kombu Redis `queue_order_strategy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueOrder {
    /// Rotate the queue just served to the end (default).
    RoundRobin,
    /// Keep `-Q` order.
    Priority,
    /// Alphabetical.
    Sorted,
}

/// Broker settings after defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct BrokerConfig {
    /// Redis or RabbitMQ.
    pub kind: BrokerKind,
    /// Redis visibility timeout.
    pub visibility_timeout: Dur,
    /// Redis multi-queue order.
    pub queue_order: QueueOrder,
    /// kombu restore timer interval.
    pub restore_interval: Dur,
    /// Scan on every Nth restore tick.
    pub restore_throttle: u32,
    /// Redis priority steps (ascending).
    pub priority_steps: Vec<u8>,
    /// RabbitMQ consumer timeout.
    pub consumer_timeout: Dur,
    /// RabbitMQ global QoS.
    pub global_qos: bool,
}

/// `io` or `cpu`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskKind {
    /// Waits on I/O: unaffected by the CPU limit.
    Io,
    /// Burns CPU: k running cpu tasks under a limit L each run max(1, k/L) times slower.
    Cpu,
}

/// A task type.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskType {
    /// Name.
    pub name: String,
    /// Index into [`Scenario::queues`].
    pub queue: usize,
    /// Priority 0-9.
    pub priority: u8,
    /// io or cpu.
    pub kind: TaskKind,
    /// Run time.
    pub duration: DurationDist,
    /// Per-task acks_late.
    pub acks_late: Option<bool>,
    /// ETA/countdown.
    pub countdown: Option<DurationDist>,
}

/// A piece of a piecewise-linear rate function: rate goes from `r0` to `r1` over [start, end).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateSegment {
    /// Segment start.
    pub start: SimTime,
    /// Segment end.
    pub end: SimTime,
    /// Tasks per second at `start`.
    pub r0: f64,
    /// Tasks per second at `end`.
    pub r1: f64,
}

/// How a producer publishes.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadShape {
    /// Arrivals at a (piecewise-linear) rate: Poisson, or evenly spaced in cumulative rate.
    Rate {
        /// Segments in time order, not overlapping.
        segments: Vec<RateSegment>,
        /// Poisson (true) or deterministic (false).
        poisson: bool,
    },
    /// Batches published at instants (bursts, count traces), in time order.
    Points(Vec<(SimTime, u64)>),
}

/// A producer.
#[derive(Clone, Debug, PartialEq)]
pub struct Load {
    /// Index into [`Scenario::tasks`].
    pub task: usize,
    /// Shape.
    pub shape: LoadShape,
    /// A label for outputs (`poisson add 20/s`).
    pub label: String,
}

/// Celery pool type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pool {
    /// Processes: CPU work runs in parallel up to the CPU limit.
    Prefork,
    /// Threads: CPU-bound Python is serialised by the GIL (at most one core).
    Threads,
    /// One task at a time in the main process.
    Solo,
    /// Greenlets: CPU-bound work blocks everything (at most one core).
    Gevent,
}

/// Celery settings of one worker Deployment, after defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct CeleryConfig {
    /// Pool size N.
    pub concurrency: u32,
    /// Prefetch multiplier M (0 = unlimited).
    pub prefetch_multiplier: u32,
    /// `task_acks_late`.
    pub acks_late: bool,
    /// `worker_disable_prefetch`.
    pub disable_prefetch: bool,
    /// Queues consumed, as indices into [`Scenario::queues`], in `-Q` order.
    pub queues: Vec<usize>,
    /// Pool type.
    pub pool: Pool,
    /// `task_reject_on_worker_lost`.
    pub reject_on_worker_lost: bool,
    /// `worker_soft_shutdown_timeout`.
    pub soft_shutdown_timeout: Dur,
    /// How SIGTERM arrives.
    pub signal: SignalMode,
    /// `REMAP_SIGTERM=SIGQUIT`.
    pub remap_sigterm: bool,
    /// `worker_eta_task_limit`.
    pub eta_task_limit: Option<u32>,
}

impl CeleryConfig {
    /// The prefetch count P = N × M (None when unlimited).
    pub fn prefetch_count(&self) -> Option<u32> {
        if self.prefetch_multiplier == 0
            || self.concurrency.saturating_mul(self.prefetch_multiplier) > 65_535
        {
            None
        } else {
            Some(self.concurrency * self.prefetch_multiplier)
        }
    }
}

/// Readiness-probe timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeTiming {
    /// `initialDelaySeconds`.
    pub initial_delay: Dur,
    /// `periodSeconds`.
    pub period: Dur,
    /// `successThreshold`.
    pub success_threshold: u32,
}

/// Start-up steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Startup {
    /// Created -> scheduled.
    pub scheduling: DurationDist,
    /// Image pull.
    pub image_pull: DurationDist,
    /// Container create + start.
    pub container_start: DurationDist,
    /// Celery boot until consuming.
    pub celery_boot: DurationDist,
}

/// A Celery worker Deployment.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerGroup {
    /// Deployment name.
    pub deployment: String,
    /// Namespace.
    pub namespace: String,
    /// `spec.replicas` at t=0.
    pub replicas: i32,
    /// Container running Celery.
    pub container: String,
    /// Celery settings.
    pub celery: CeleryConfig,
    /// CPU limit in millicores (None = unlimited: the node's CPUs).
    pub cpu_limit_milli: Option<i64>,
    /// CPU request in millicores (per container; HPA utilization is usage / sum of requests).
    pub cpu_requests_milli: Vec<(String, Option<i64>)>,
    /// `terminationGracePeriodSeconds`.
    pub termination_grace: Dur,
    /// Readiness probe timing, if any.
    pub readiness: Option<ProbeTiming>,
    /// Start-up model.
    pub startup: Startup,
    /// Pod template labels.
    pub labels: BTreeMap<String, String>,
    /// Resolved environment of the Celery container (KEDA `*FromEnv`).
    pub env: BTreeMap<String, String>,
}

/// A scheduled action.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Set `spec.replicas` of worker group `group` (index into [`Scenario::workers`]).
    Scale {
        /// When.
        at: SimTime,
        /// Worker group.
        group: usize,
        /// Replicas.
        replicas: i32,
    },
}

impl Action {
    /// When it happens.
    pub fn at(&self) -> SimTime {
        match self {
            Action::Scale { at, .. } => *at,
        }
    }
}

/// A manifest document other than the Scenario, for the autoscaler modules.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (default `default`).
    pub namespace: String,
    /// The parsed document (after overrides).
    pub doc: Document,
}

impl Manifest {
    /// `Kind/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// One effective setting, for the report ("flagged when it was a default").
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Setting {
    /// `scenario`, `broker`, `celery`, `pods`, `hpa`, `keda`, ...
    pub component: String,
    /// Setting name, e.g. `celery-worker.concurrency`.
    pub name: String,
    /// Effective value.
    pub value: String,
    /// True when nobody wrote it.
    pub default: bool,
    /// Where it came from (`file:line`, `--set ...`, `command line`, `default`).
    pub origin: String,
}

/// Kubernetes-side settings (flags), raw values for the controllers to apply.
#[derive(Clone, Debug, Default)]
pub struct KubernetesSettings {
    /// Minor version followed, e.g. (1, 33).
    pub version: (u32, u32),
    /// HPA flags as written (None = default).
    pub hpa: raw::HpaControllerRaw,
    /// metrics-server resolution.
    pub metrics_resolution: Dur,
}

/// KEDA operator settings.
#[derive(Clone, Debug, Default)]
pub struct KedaSettings {
    /// KEDA version followed, e.g. (2, 18).
    pub version: (u32, u32),
    /// Scale loop start.
    pub loop_start: Dur,
}

/// A validated scenario, ready to simulate.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.description`.
    pub description: Option<String>,
    /// The scenario file as the user named it.
    pub file: String,
    /// Master seed.
    pub seed: u64,
    /// Simulated time.
    pub duration: Dur,
    /// Time between samples.
    pub sample_interval: Dur,
    /// Broker.
    pub broker: BrokerConfig,
    /// Queue names (index = queue id).
    pub queues: Vec<String>,
    /// Task types.
    pub tasks: Vec<TaskType>,
    /// Producers.
    pub loads: Vec<Load>,
    /// Worker Deployments.
    pub workers: Vec<WorkerGroup>,
    /// Scheduled actions, in time order.
    pub actions: Vec<Action>,
    /// Node vCPUs.
    pub node_cpus: u32,
    /// Pods existing at t=0 are already ready and consuming.
    pub initial_pods_ready: bool,
    /// Engine limits.
    pub limits: Limits,
    /// Most tasks in flight.
    pub max_tasks_in_flight: u64,
    /// Most pods alive.
    pub max_pods: u64,
    /// Kubernetes settings.
    pub kubernetes: KubernetesSettings,
    /// KEDA settings.
    pub keda: KedaSettings,
    /// Metric pipelines as written.
    pub metrics: raw::MetricsRaw,
    /// HorizontalPodAutoscaler manifests.
    pub hpas: Vec<autoscalers::HpaDef>,
    /// KEDA ScaledObjects.
    pub scaled_objects: Vec<autoscalers::KedaDef>,
    /// Every non-Scenario manifest (including ones the simulator ignores).
    pub manifests: Vec<Manifest>,
    /// Warnings from loading.
    pub warnings: Vec<Diagnostic>,
    /// Effective settings.
    pub settings: Vec<Setting>,
    /// `--set` arguments, in order.
    pub overrides: Vec<String>,
    /// The scenario file's text (for the report).
    pub text: String,
}

impl Scenario {
    /// The RNG streams of this run.
    pub fn streams(&self) -> RngStreams {
        RngStreams::new(self.seed)
    }

    /// Manifests of one kind.
    pub fn manifests_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Manifest> + 'a {
        self.manifests.iter().filter(move |m| m.kind == kind)
    }

    /// Where a node came from, for settings and messages.
    pub fn origin_text(&self, file: &str, origin: Origin) -> String {
        origin_text(file, origin, &self.overrides)
    }
}

/// `file:line`, or the `--set` argument that wrote it.
pub fn origin_text(file: &str, origin: Origin, overrides: &[String]) -> String {
    match origin {
        Origin::File { start, .. } => format!("{file}:{}", start.line),
        Origin::Override(i) => match overrides.get(i) {
            Some(raw) => format!("--set {raw}"),
            None => "default".to_string(),
        },
    }
}

/// Options for loading.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `--set KEY=VALUE` arguments, in order.
    pub overrides: Vec<String>,
    /// `--seed` (wins over `spec.seed`).
    pub seed: Option<u64>,
}

/// Loads a scenario file from disk.
pub fn load_file(path: &str, opts: &LoadOptions) -> Result<Scenario, Diagnostics> {
    load(&Source::Disk, path, opts)
}

/// Loads a scenario from text held in memory, named `scenario.yaml`; `files` are further
/// in-memory files (manifests, CSV traces) it may reference by relative path.
///
/// ```
/// let text = r#"
/// apiVersion: scalesim.dev/v1alpha1
/// kind: Scenario
/// metadata: {name: tiny}
/// spec:
///   duration: 1m
///   tasks: [{name: t, duration: 1s}]
///   load: [{burst: {task: t, count: 5}}]
/// ---
/// apiVersion: apps/v1
/// kind: Deployment
/// metadata: {name: w}
/// spec:
///   template:
///     spec:
///       containers: [{name: w, command: [celery, -A, app, worker, -c, "2"]}]
/// "#;
/// let sc = scalesim::scenario::load_str(text, &[], &Default::default()).unwrap();
/// assert_eq!(sc.workers[0].celery.concurrency, 2);
/// ```
pub fn load_str(
    text: &str,
    files: &[(&str, &str)],
    opts: &LoadOptions,
) -> Result<Scenario, Diagnostics> {
    let mut all = vec![("scenario.yaml".to_string(), text.to_string())];
    all.extend(
        files
            .iter()
            .map(|(n, t)| (files::normalize(n), t.to_string())),
    );
    load(
        &Source::Memory(std::sync::Arc::new(all)),
        "scenario.yaml",
        opts,
    )
}

/// Loads a scenario from a source (disk or the embedded files).
pub fn load(source: &Source, path: &str, opts: &LoadOptions) -> Result<Scenario, Diagnostics> {
    let mut cx = Loader {
        source,
        overrides_raw: opts.overrides.clone(),
        diags: Vec::new(),
        settings: Vec::new(),
    };
    match cx.load(path, opts) {
        Some(s) if !cx.has_errors() => Ok(s),
        _ => {
            let mut d = cx.diags;
            d.sort_by_key(|d| d.severity);
            Err(Diagnostics(d))
        }
    }
}

struct Loader<'s> {
    source: &'s Source,
    overrides_raw: Vec<String>,
    diags: Vec<Diagnostic>,
    settings: Vec<Setting>,
}

/// Kinds that do not change the simulation and are accepted silently.
const QUIET_KINDS: &[&str] = &[
    "Service",
    "Namespace",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "Ingress",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "Kustomization",
    "TriggerAuthentication",
    "ClusterTriggerAuthentication",
    "RabbitmqCluster",
    "ServiceMonitor",
    "PodMonitor",
    "PrometheusRule",
    "APIService",
    "StorageClass",
    "LimitRange",
    "ResourceQuota",
    "PriorityClass",
    "CustomResourceDefinition",
];

/// Kinds the autoscaler modules read.
const AUTOSCALER_KINDS: &[&str] = &["HorizontalPodAutoscaler", "ScaledObject"];

impl Loader<'_> {
    /// Records an effective setting; `origin` is None for a default.
    fn set(
        &mut self,
        component: &str,
        name: impl Into<String>,
        value: impl Into<String>,
        origin: Option<String>,
    ) {
        self.settings.push(Setting {
            component: component.into(),
            name: name.into(),
            value: value.into(),
            default: origin.is_none(),
            origin: origin.unwrap_or_else(|| "default".into()),
        });
    }

    /// `file:line` or the `--set` argument.
    fn ot(&self, file: &str, origin: Origin) -> String {
        origin_text(file, origin, &self.overrides_raw)
    }

    fn has_errors(&self) -> bool {
        self.diags.iter().any(|d| d.severity == Severity::Error)
    }

    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn warn(&mut self, mut d: Diagnostic) {
        d.severity = Severity::Warning;
        self.diags.push(d);
    }

    fn load(&mut self, path: &str, opts: &LoadOptions) -> Option<Scenario> {
        let text = match self.source.read(path) {
            Ok(t) => t,
            Err(e) => {
                self.error(Diagnostic::error(path, unprefixed(&e, path)));
                return None;
            }
        };
        let file: Arc<str> = Arc::from(path);
        let docs = match crate::yaml::parse_stream(&text, &file) {
            Ok(d) => d,
            Err(e) => {
                self.error(Diagnostic::error(path, e.message).at_pos(e.pos));
                return None;
            }
        };
        if docs.is_empty() {
            self.error(Diagnostic::error(path, "the file is empty: expected a `kind: Scenario` document (and optionally manifests)"));
            return None;
        }

        // Parse the overrides.
        let mut overrides: Vec<Override> = Vec::new();
        for (i, raw) in opts.overrides.iter().enumerate() {
            match parse_override(raw, i) {
                Ok(o) => overrides.push(o),
                Err(e) => self.error(Diagnostic::error(
                    format!("--set {raw}"),
                    unprefixed(&e, &format!("--set {raw:?}")),
                )),
            }
        }
        if self.has_errors() {
            return None;
        }

        // Split the Scenario document from inline manifests.
        let mut scenario_doc: Option<Document> = None;
        let mut inline: Vec<Document> = Vec::new();
        for d in docs {
            if d.root.get("kind").and_then(Node::as_str) == Some("Scenario") {
                if scenario_doc.is_some() {
                    self.error(
                        Diagnostic::error(
                            path,
                            "a second `kind: Scenario` document; a scenario file holds exactly one",
                        )
                        .at_origin(d.root.origin, &self.overrides_raw),
                    );
                    return None;
                }
                scenario_doc = Some(d);
            } else {
                inline.push(d);
            }
        }
        let Some(mut sdoc) = scenario_doc else {
            self.error(Diagnostic::error(
                path,
                "no `kind: Scenario` document: a scenario needs one (apiVersion: scalesim.dev/v1alpha1, kind: Scenario, metadata.name, spec.duration, spec.tasks, spec.load)",
            ));
            return None;
        };

        // Scenario overrides (paths relative to spec unless they start at the root).
        let mut matched = vec![false; overrides.len()];
        for (i, o) in overrides.iter().enumerate() {
            if o.target.is_some() {
                continue;
            }
            let mut p = o.path.clone();
            let root_key =
                matches!(p.first(), Some(Segment::Key(k)) if k == "spec" || k == "metadata");
            if !root_key {
                p.insert(0, Segment::Key("spec".into()));
            }
            match apply(&mut sdoc.root, &p, o.value.clone()) {
                Ok(()) => matched[i] = true,
                Err(e) => self.error(Diagnostic::error(format!("--set {}", o.raw), e)),
            }
        }
        if self.has_errors() {
            return None;
        }

        // Read the Scenario document strictly.
        let strict = DeContext::new(true, false);
        let api = sdoc
            .root
            .get("apiVersion")
            .and_then(Node::as_str)
            .unwrap_or("");
        if api != API_VERSION {
            self.error(
                Diagnostic::error(path, format!("{api:?}: expected {API_VERSION:?}"))
                    .in_object("Scenario")
                    .with_path("apiVersion")
                    .at_origin(
                        sdoc.root
                            .get("apiVersion")
                            .map(|n| n.origin)
                            .unwrap_or(sdoc.root.origin),
                        &self.overrides_raw,
                    ),
            );
        }
        let meta: Option<raw::ScenarioMeta> = match sdoc.root.get("metadata") {
            Some(m) => self.de(m, "metadata", &strict, path, Some("Scenario")),
            None => {
                self.error(
                    Diagnostic::error(path, "missing field `metadata` (with `name`)")
                        .in_object("Scenario"),
                );
                None
            }
        };
        let spec: Option<raw::ScenarioSpec> = match sdoc.root.get("spec") {
            Some(s) => self.de(s, "spec", &strict, path, Some("Scenario")),
            None => {
                self.error(Diagnostic::error(path, "missing field `spec`").in_object("Scenario"));
                None
            }
        };
        for (key, _) in match &sdoc.root.kind {
            crate::yaml::Kind::Map(e) => e.as_slice(),
            _ => &[],
        } {
            if !matches!(
                key.text.as_str(),
                "apiVersion" | "kind" | "metadata" | "spec"
            ) {
                self.error(
                    Diagnostic::error(path, format!("unknown field `{}`; a Scenario has apiVersion, kind, metadata and spec (settings go under spec)", key.text))
                        .in_object("Scenario")
                        .at_origin(key.origin, &self.overrides_raw),
                );
            }
        }
        let (meta, spec) = match (meta, spec) {
            (Some(m), Some(s)) if !self.has_errors() => (m, s),
            _ => return None,
        };
        let name = meta.name.value.clone();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        {
            self.error(
                Diagnostic::error(path, format!("metadata.name {name:?}: use letters, digits, '-', '_' or '.' (it names the output directory)"))
                    .in_object("Scenario")
                    .at_origin(meta.name.origin, &self.overrides_raw),
            );
            return None;
        }

        // Manifests: inline, then by path.
        let mut manifest_docs: Vec<Document> = inline;
        let base = files::parent_dir(path);
        let mut seen_files: Vec<String> = vec![self.source.canonical(path)];
        for m in &spec.manifests {
            let target = files::join(&base, &m.value);
            match self.source.expand(&target) {
                Ok(list) => {
                    if list.is_empty() {
                        self.warn(
                            Diagnostic::warning(
                                path,
                                format!("{:?} has no .yaml/.yml/.json files", m.value),
                            )
                            .in_object("Scenario")
                            .with_path(m.path.clone())
                            .at_origin(m.origin, &self.overrides_raw),
                        );
                    }
                    for f in list {
                        let canon = self.source.canonical(&f);
                        if seen_files.contains(&canon) {
                            if canon != seen_files[0] {
                                self.warn(
                                    Diagnostic::warning(
                                        path,
                                        format!("{f} is listed more than once; read once"),
                                    )
                                    .in_object("Scenario")
                                    .with_path(m.path.clone())
                                    .at_origin(m.origin, &self.overrides_raw),
                                );
                            }
                            continue;
                        }
                        seen_files.push(canon);
                        let text = match self.source.read(&f) {
                            Ok(t) => t,
                            Err(e) => {
                                self.error(Diagnostic::error(&f, unprefixed(&e, &f)));
                                continue;
                            }
                        };
                        match crate::yaml::parse_stream(&text, &Arc::from(f.as_str())) {
                            Ok(docs) => manifest_docs.extend(docs),
                            Err(e) => self.error(Diagnostic::error(&f, e.message).at_pos(e.pos)),
                        }
                    }
                }
                Err(e) => self.error(
                    Diagnostic::error(path, e)
                        .in_object("Scenario")
                        .with_path(m.path.clone())
                        .at_origin(m.origin, &self.overrides_raw),
                ),
            }
        }
        if self.has_errors() {
            return None;
        }

        // Flatten `kind: List`, index manifests.
        let mut manifests = Vec::new();
        for d in manifest_docs {
            self.collect_manifest(d, &mut manifests);
        }

        // Manifest overrides.
        for (i, o) in overrides.iter().enumerate() {
            let Some((kind, name)) = &o.target else {
                continue;
            };
            let hits: Vec<usize> = manifests
                .iter()
                .enumerate()
                .filter(|(_, m)| &m.kind == kind && &m.name == name)
                .map(|(j, _)| j)
                .collect();
            match hits.as_slice() {
                [j] => match apply(&mut manifests[*j].doc.root, &o.path, o.value.clone()) {
                    Ok(()) => matched[i] = true,
                    Err(e) => self.error(Diagnostic::error(format!("--set {}", o.raw), e)),
                },
                [] => {
                    let known: Vec<String> = manifests.iter().map(|m| m.id()).collect();
                    self.error(Diagnostic::error(
                        format!("--set {}", o.raw),
                        format!(
                            "no {kind}/{name} among the manifests (they are: {})",
                            if known.is_empty() { "none".to_string() } else { known.join(", ") }
                        ),
                    ))
                }
                _ => self.error(Diagnostic::error(
                    format!("--set {}", o.raw),
                    format!("{kind}/{name} is defined more than once (different namespaces?); scalesim needs unique names"),
                )),
            }
        }
        if self.has_errors() {
            return None;
        }
        debug_assert!(matched.iter().all(|m| *m));

        self.build(path, &text, meta, spec, manifests, opts)
    }

    fn collect_manifest(&mut self, d: Document, out: &mut Vec<Manifest>) {
        let file = d.file.to_string();
        let root = &d.root;
        if !matches!(root.kind, crate::yaml::Kind::Map(_)) {
            self.error(
                Diagnostic::error(&file, format!("expected a Kubernetes object (a mapping with apiVersion and kind), found {}", root.describe()))
                    .at_origin(root.origin, &self.overrides_raw),
            );
            return;
        }
        let kind = root
            .get("kind")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let api_version = root
            .get("apiVersion")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        if kind.is_empty() {
            self.error(
                Diagnostic::error(
                    &file,
                    "missing field `kind` (every manifest needs apiVersion and kind)",
                )
                .at_origin(root.origin, &self.overrides_raw),
            );
            return;
        }
        if kind == "List" {
            if let Some(crate::yaml::Kind::Seq(items)) = root.get("items").map(|n| &n.kind) {
                for item in items.clone() {
                    self.collect_manifest(
                        Document {
                            file: d.file.clone(),
                            index: d.index,
                            root: item,
                        },
                        out,
                    );
                }
            }
            return;
        }
        if kind == "Scenario" {
            self.warn(
                Diagnostic::warning(&file, "a `kind: Scenario` document among the manifests is ignored (one scenario per run)")
                    .at_origin(root.origin, &self.overrides_raw),
            );
            return;
        }
        let name = root
            .lookup(&["metadata", "name"])
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let namespace = root
            .lookup(&["metadata", "namespace"])
            .and_then(Node::as_str)
            .unwrap_or("default")
            .to_string();
        if name.is_empty() && !QUIET_KINDS.contains(&kind.as_str()) {
            self.error(
                Diagnostic::error(&file, "missing field `metadata.name`")
                    .in_object(kind.clone())
                    .at_origin(root.origin, &self.overrides_raw),
            );
            return;
        }
        out.push(Manifest {
            api_version,
            kind,
            name,
            namespace,
            doc: d,
        });
    }

    fn de<T: for<'de> serde::Deserialize<'de>>(
        &mut self,
        node: &Node,
        path: &str,
        cx: &DeContext,
        file: &str,
        object: Option<&str>,
    ) -> Option<T> {
        let r = from_node::<T>(node, path, cx);
        for n in cx.take_notes() {
            let mut d = Diagnostic::warning(file, n.message)
                .with_path(n.path)
                .at_origin(n.origin, &self.overrides_raw);
            if let Some(o) = object {
                d = d.in_object(o);
            }
            self.warn(d);
        }
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(Diagnostic::from_de(&e, file, object, &self.overrides_raw));
                None
            }
        }
    }

    fn loc_err(
        &mut self,
        file: &str,
        object: &str,
        path: &str,
        origin: Origin,
        msg: impl Into<String>,
    ) {
        self.error(
            Diagnostic::error(file, msg)
                .in_object(object)
                .with_path(path)
                .at_origin(origin, &self.overrides_raw),
        );
    }

    fn resolve_dist(
        &mut self,
        file: &str,
        base: &str,
        d: &Located<RawDist>,
    ) -> Option<DurationDist> {
        let source = self.source;
        let mut read = |name: &str| source.read(&files::join(base, name));
        match d.value.resolve(&mut read) {
            Ok(v) => Some(v),
            Err(e) => {
                self.loc_err(file, "Scenario", &d.path, d.origin, e);
                None
            }
        }
    }
}

/// A read error without the `path: ` it starts with, for a diagnostic that names the file
/// already (`error: x.yaml: no such file or directory`, not `x.yaml: x.yaml: ...`).
fn unprefixed(e: &str, path: &str) -> String {
    e.strip_prefix(path)
        .and_then(|r| r.strip_prefix(": "))
        .unwrap_or(e)
        .to_string()
}

fn parse_minor(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().trim_start_matches('v');
    let mut it = s.split('.');
    let a = it.next()?.parse().ok()?;
    let b = it.next()?.parse().ok()?;
    Some((a, b))
}

#[cfg(test)]
mod tests;
