//! Scenarios: the user's own manifests plus one `kind: Scenario` document, loaded into a
//! validated, typed [`Scenario`].
//!
//! A scenario file is a Kubernetes-style YAML stream. Manifests (Deployment, ScaledObject,
//! HorizontalPodAutoscaler, ConfigMap, Secret, ...) come inline as documents of the same file
//! or by path (`spec.manifests`, files or directories relative to the scenario file, read like
//! `kubectl apply -f`). `--set` overrides apply before anything is read into types, so every
//! error, including one in an overridden value, names its file, line, column and field path
//! (or the `--set` argument). Loading never panics on user input: it returns [`Diagnostics`].

pub mod celery_cmd;
pub mod files;
pub mod k8s;
pub mod raw;

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
                self.error(Diagnostic::error(path, e));
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
                Err(e) => self.error(Diagnostic::error("--set", e)),
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
                Diagnostic::error(
                    path,
                    format!("apiVersion {api:?}: expected {API_VERSION:?}"),
                )
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
                                format!("spec.manifests: {:?} has no .yaml/.yml files", m.value),
                            )
                            .at_origin(m.origin, &self.overrides_raw),
                        );
                    }
                    for f in list {
                        let canon = self.source.canonical(&f);
                        if seen_files.contains(&canon) {
                            if canon != seen_files[0] {
                                self.warn(
                                    Diagnostic::warning(path, format!("spec.manifests: {f} is listed more than once; read once"))
                                        .at_origin(m.origin, &self.overrides_raw),
                                );
                            }
                            continue;
                        }
                        seen_files.push(canon);
                        let text = match self.source.read(&f) {
                            Ok(t) => t,
                            Err(e) => {
                                self.error(Diagnostic::error(&f, e));
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
                    Diagnostic::error(path, format!("spec.manifests: {e}"))
                        .with_path("spec.manifests")
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

    #[allow(clippy::too_many_lines)]
    fn build(
        &mut self,
        path: &str,
        text: &str,
        meta: raw::ScenarioMeta,
        spec: raw::ScenarioSpec,
        manifests: Vec<Manifest>,
        opts: &LoadOptions,
    ) -> Option<Scenario> {
        let base = files::parent_dir(path);
        // Time.
        let duration = spec.duration.value.0;
        if duration.0 == 0 {
            self.loc_err(
                path,
                "Scenario",
                &spec.duration.path,
                spec.duration.origin,
                "must be greater than 0s",
            );
        }
        if duration > Dur::from_secs(366 * 24 * 3600) {
            self.loc_err(
                path,
                "Scenario",
                &spec.duration.path,
                spec.duration.origin,
                "longer than a year: scalesim caps runs at 366 days",
            );
        }
        let sample_interval = spec
            .sample_interval
            .as_ref()
            .map_or(Dur::from_secs(1), |s| s.value.0);
        if let Some(s) = &spec.sample_interval {
            if s.value.0 .0 == 0 {
                self.loc_err(
                    path,
                    "Scenario",
                    &s.path,
                    s.origin,
                    "must be greater than 0s",
                );
            } else if duration.0 / s.value.0 .0 > 50_000_000 {
                self.loc_err(
                    path,
                    "Scenario",
                    &s.path,
                    s.origin,
                    "more than 50 million samples; raise spec.sampleInterval",
                );
            }
        }
        let seed = opts.seed.or(spec.seed).unwrap_or(1);
        let seed_origin = if opts.seed.is_some() {
            Some("--seed".to_string())
        } else {
            spec.seed.map(|_| path.to_string())
        };
        self.set("scenario", "seed", seed.to_string(), seed_origin);
        self.set(
            "scenario",
            "duration",
            duration.to_string(),
            Some(self.ot(path, spec.duration.origin)),
        );
        self.set(
            "scenario",
            "sampleInterval",
            sample_interval.to_string(),
            spec.sample_interval
                .as_ref()
                .map(|s| self.ot(path, s.origin)),
        );

        // Broker.
        let b = spec.broker.clone().unwrap_or_default();
        let mut broker_kind_env: Option<&'static str> = None;
        // Filled below from worker env if not given.
        let queue_order = match b.queue_order_strategy.as_ref().map(|s| s.value.as_str()) {
            None | Some("round_robin") => QueueOrder::RoundRobin,
            Some("priority") => QueueOrder::Priority,
            Some("sorted") => QueueOrder::Sorted,
            Some(other) => {
                let s = b.queue_order_strategy.as_ref().expect("some");
                self.loc_err(
                    path,
                    "Scenario",
                    &s.path,
                    s.origin,
                    format!(
                        "unknown queue order {other:?}: expected round_robin, priority or sorted"
                    ),
                );
                QueueOrder::RoundRobin
            }
        };
        let priority_steps = b
            .priority_steps
            .as_ref()
            .map_or(vec![0, 3, 6, 9], |p| p.value.clone());
        if let Some(p) = &b.priority_steps {
            let ok = !p.value.is_empty()
                && p.value[0] == 0
                && p.value.windows(2).all(|w| w[0] < w[1])
                && p.value.iter().all(|v| *v <= 9);
            if !ok {
                self.loc_err(
                    path,
                    "Scenario",
                    &p.path,
                    p.origin,
                    "priority steps must start at 0, increase strictly and stay within 0-9",
                );
            }
        }
        let restore_throttle = b.unacked_restore_throttle.as_ref().map_or(10, |t| t.value);
        if restore_throttle == 0 {
            let t = b.unacked_restore_throttle.as_ref().expect("some");
            self.loc_err(path, "Scenario", &t.path, t.origin, "must be at least 1");
        }
        let restore_interval = b
            .unacked_restore_interval
            .as_ref()
            .map_or(Dur::from_secs(10), |d| d.value.0);
        if restore_interval.0 == 0 {
            let t = b.unacked_restore_interval.as_ref().expect("some");
            self.loc_err(
                path,
                "Scenario",
                &t.path,
                t.origin,
                "must be greater than 0s",
            );
        }
        let vt = b
            .visibility_timeout
            .as_ref()
            .map_or(Dur::from_secs(3600), |d| d.value.0);
        if let Some(v) = &b.visibility_timeout {
            if v.value.0 .0 == 0 {
                self.loc_err(
                    path,
                    "Scenario",
                    &v.path,
                    v.origin,
                    "must be greater than 0s",
                );
            }
        }

        // Queues and tasks.
        let mut queues: Vec<String> = Vec::new();
        let queue_id = |q: &str, queues: &mut Vec<String>| -> usize {
            match queues.iter().position(|x| x == q) {
                Some(i) => i,
                None => {
                    queues.push(q.to_string());
                    queues.len() - 1
                }
            }
        };
        let mut tasks: Vec<TaskType> = Vec::new();
        if spec.tasks.is_empty() {
            self.error(
                Diagnostic::error(path, "spec.tasks is empty: define at least one task type")
                    .in_object("Scenario")
                    .with_path("spec.tasks"),
            );
        }
        for t in &spec.tasks {
            if tasks.iter().any(|x| x.name == t.name.value) {
                self.loc_err(
                    path,
                    "Scenario",
                    &t.name.path,
                    t.name.origin,
                    format!("task {:?} is defined twice", t.name.value),
                );
                continue;
            }
            let queue = t
                .queue
                .as_ref()
                .map_or("celery".to_string(), |q| q.value.clone());
            if queue.is_empty() {
                let q = t.queue.as_ref().expect("some");
                self.loc_err(path, "Scenario", &q.path, q.origin, "queue name is empty");
            }
            let priority = t.priority.as_ref().map_or(0, |p| p.value);
            if let Some(p) = &t.priority {
                if p.value > 9 {
                    self.loc_err(
                        path,
                        "Scenario",
                        &p.path,
                        p.origin,
                        format!("priority {} is out of range 0-9", p.value),
                    );
                }
            }
            let kind = match t.kind.as_ref().map(|k| k.value.as_str()) {
                None | Some("io") => TaskKind::Io,
                Some("cpu") => TaskKind::Cpu,
                Some(other) => {
                    let k = t.kind.as_ref().expect("some");
                    self.loc_err(
                        path,
                        "Scenario",
                        &k.path,
                        k.origin,
                        format!("unknown task kind {other:?}: expected io or cpu"),
                    );
                    TaskKind::Io
                }
            };
            let Some(duration) = self.resolve_dist(path, &base, &t.duration) else {
                continue;
            };
            let countdown = match &t.countdown {
                Some(c) => self.resolve_dist(path, &base, c),
                None => None,
            };
            tasks.push(TaskType {
                name: t.name.value.clone(),
                queue: queue_id(&queue, &mut queues),
                priority,
                kind,
                duration,
                acks_late: t.acks_late.as_ref().map(|a| a.value),
                countdown,
            });
        }

        // Load.
        let mut loads = Vec::new();
        for l in &spec.load {
            if let Some(load) = self.build_load(path, &base, l, &tasks, duration) {
                loads.push(load);
            }
        }
        if spec.load.is_empty() {
            self.warn(
                Diagnostic::warning(path, "spec.load is empty: no task will be published")
                    .in_object("Scenario"),
            );
        }

        // Pods.
        let pods = spec.pods.clone().unwrap_or_default();
        let node_cpus = pods.node_cpus.as_ref().map_or(2, |n| n.value);
        if let Some(n) = &pods.node_cpus {
            if n.value == 0 || n.value > 4096 {
                self.loc_err(
                    path,
                    "Scenario",
                    &n.path,
                    n.origin,
                    "must be between 1 and 4096",
                );
            }
        }
        let initial_pods_ready = match pods.initial_pods.as_ref().map(|v| v.value.as_str()) {
            None | Some("ready") => true,
            Some("starting") => false,
            Some(other) => {
                let v = pods.initial_pods.as_ref().expect("some");
                self.loc_err(
                    path,
                    "Scenario",
                    &v.path,
                    v.origin,
                    format!("unknown value {other:?}: expected ready or starting"),
                );
                true
            }
        };
        let st = pods.startup.clone().unwrap_or_default();
        let ln = |median_ms: u64, p99_ms: u64| {
            let mu = (median_ms as f64 / 1000.0).ln();
            DurationDist::LogNormal {
                mu,
                sigma: ((p99_ms as f64 / 1000.0).ln() - mu) / 2.326_347_874_040_841,
            }
        };
        let scheduling = match &st.scheduling {
            Some(d) => self.resolve_dist(path, &base, d)?,
            None => ln(500, 2000),
        };
        let image_pull = match &st.image_pull {
            Some(d) => self.resolve_dist(path, &base, d)?,
            None => DurationDist::Constant(Dur::ZERO),
        };
        let container_start = match &st.container_start {
            Some(d) => self.resolve_dist(path, &base, d)?,
            None => ln(1000, 3000),
        };
        let celery_boot_explicit = match &st.celery_boot {
            Some(d) => Some(self.resolve_dist(path, &base, d)?),
            None => None,
        };
        self.set(
            "pods",
            "startup.scheduling",
            scheduling.to_string(),
            st.scheduling.as_ref().map(|d| self.ot(path, d.origin)),
        );
        self.set(
            "pods",
            "startup.imagePull",
            image_pull.to_string(),
            st.image_pull.as_ref().map(|d| self.ot(path, d.origin)),
        );
        self.set(
            "pods",
            "startup.containerStart",
            container_start.to_string(),
            st.container_start.as_ref().map(|d| self.ot(path, d.origin)),
        );
        self.set(
            "pods",
            "nodeCpus",
            node_cpus.to_string(),
            pods.node_cpus.as_ref().map(|d| self.ot(path, d.origin)),
        );

        // Workers.
        let deployments: Vec<&Manifest> = manifests
            .iter()
            .filter(|m| m.kind == "Deployment")
            .collect();
        let mut worker_specs: Vec<raw::WorkerRaw> = spec.workers.clone();
        if worker_specs.is_empty() {
            // Auto-detect: Deployments targeted by an autoscaler, else ones running `celery worker`.
            let mut names: Vec<String> = Vec::new();
            for m in manifests
                .iter()
                .filter(|m| AUTOSCALER_KINDS.contains(&m.kind.as_str()))
            {
                if let Some(n) = m
                    .doc
                    .root
                    .lookup(&["spec", "scaleTargetRef", "name"])
                    .and_then(Node::as_str)
                {
                    if !names.iter().any(|x| x == n) && deployments.iter().any(|d| d.name == n) {
                        names.push(n.to_string());
                    }
                }
            }
            if names.is_empty() {
                for d in &deployments {
                    if deployment_runs_celery_worker(&d.doc.root) {
                        names.push(d.name.clone());
                    }
                }
            }
            if names.is_empty() {
                self.error(Diagnostic::error(
                    path,
                    format!(
                        "no worker Deployment: set spec.workers[].deployment (Deployments found: {})",
                        if deployments.is_empty() { "none".to_string() } else { deployments.iter().map(|d| d.name.clone()).collect::<Vec<_>>().join(", ") }
                    ),
                ).in_object("Scenario"));
                return None;
            }
            worker_specs = names
                .into_iter()
                .map(|n| raw::WorkerRaw {
                    deployment: Located::synthetic(n, "spec.workers[].deployment"),
                    container: None,
                    command: None,
                    celery: None,
                })
                .collect();
        }
        let configmaps = self.read_env_sources(&manifests);
        let mut workers = Vec::new();
        for w in &worker_specs {
            let Some(m) = deployments.iter().find(|d| d.name == w.deployment.value) else {
                self.loc_err(
                    path,
                    "Scenario",
                    &w.deployment.path,
                    w.deployment.origin,
                    format!(
                        "no Deployment {:?} among the manifests (Deployments: {})",
                        w.deployment.value,
                        if deployments.is_empty() {
                            "none".to_string()
                        } else {
                            deployments
                                .iter()
                                .map(|d| d.name.clone())
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    ),
                );
                continue;
            };
            if workers.iter().any(|g: &WorkerGroup| g.deployment == m.name) {
                self.loc_err(
                    path,
                    "Scenario",
                    &w.deployment.path,
                    w.deployment.origin,
                    "listed twice in spec.workers",
                );
                continue;
            }
            let Some(group) = self.build_worker(
                path,
                w,
                m,
                &configmaps,
                &mut queues,
                node_cpus,
                &scheduling,
                &image_pull,
                &container_start,
                &celery_boot_explicit,
                &mut broker_kind_env,
            ) else {
                continue;
            };
            workers.push(group);
        }

        // Broker kind: explicit, else from the workers' CELERY_BROKER_URL, else redis.
        let kind = match b.kind.as_ref().map(|k| k.value.as_str()) {
            Some("redis") => BrokerKind::Redis,
            Some("rabbitmq") => BrokerKind::RabbitMq,
            Some(other) => {
                let k = b.kind.as_ref().expect("some");
                self.loc_err(
                    path,
                    "Scenario",
                    &k.path,
                    k.origin,
                    format!("unknown broker type {other:?}: expected redis or rabbitmq"),
                );
                BrokerKind::Redis
            }
            None => match broker_kind_env {
                Some("rabbitmq") => BrokerKind::RabbitMq,
                _ => BrokerKind::Redis,
            },
        };
        self.set(
            "broker",
            "type",
            kind.as_str(),
            b.kind.as_ref().map(|k| self.ot(path, k.origin)),
        );
        if kind == BrokerKind::Redis {
            self.set(
                "broker",
                "visibilityTimeout",
                vt.to_string(),
                b.visibility_timeout
                    .as_ref()
                    .map(|d| self.ot(path, d.origin)),
            );
            self.set(
                "broker",
                "queueOrderStrategy",
                format!("{queue_order:?}"),
                b.queue_order_strategy
                    .as_ref()
                    .map(|d| self.ot(path, d.origin)),
            );
            self.set(
                "broker",
                "unackedRestoreInterval",
                restore_interval.to_string(),
                b.unacked_restore_interval
                    .as_ref()
                    .map(|d| self.ot(path, d.origin)),
            );
            self.set(
                "broker",
                "unackedRestoreThrottle",
                restore_throttle.to_string(),
                b.unacked_restore_throttle
                    .as_ref()
                    .map(|d| self.ot(path, d.origin)),
            );
        } else {
            self.set(
                "broker",
                "consumerTimeout",
                b.consumer_timeout
                    .as_ref()
                    .map_or(Dur::from_secs(1800), |d| d.value.0)
                    .to_string(),
                b.consumer_timeout.as_ref().map(|d| self.ot(path, d.origin)),
            );
            self.set(
                "broker",
                "globalQos",
                b.global_qos.as_ref().is_none_or(|d| d.value).to_string(),
                b.global_qos.as_ref().map(|d| self.ot(path, d.origin)),
            );
        }
        if kind == BrokerKind::RabbitMq {
            for w in &workers {
                if w.celery.disable_prefetch {
                    self.warn(Diagnostic::warning(path, format!("{}: --disable-prefetch only works on Redis; Celery ignores it with a warning on RabbitMQ", w.deployment)).in_object(format!("Deployment/{}", w.deployment)));
                }
            }
        }
        for (qi, q) in queues.iter().enumerate() {
            if self.has_errors() {
                break;
            }
            if !workers.iter().any(|w| w.celery.queues.contains(&qi))
                && tasks.iter().any(|t| t.queue == qi)
            {
                self.warn(Diagnostic::warning(path, format!("no worker consumes queue {q:?}: its tasks will only pile up (check -Q)")).in_object("Scenario"));
            }
        }
        let workers = {
            let mut ws = workers;
            for w in &mut ws {
                if kind == BrokerKind::RabbitMq {
                    w.celery.disable_prefetch = false;
                }
            }
            ws
        };

        // Actions.
        let mut actions = Vec::new();
        for a in &spec.actions {
            match &a.value {
                raw::ActionRaw::Scale(sa) => {
                    let Some(group) = workers
                        .iter()
                        .position(|w| w.deployment == sa.deployment.value)
                    else {
                        self.loc_err(
                            path,
                            "Scenario",
                            &sa.deployment.path,
                            sa.deployment.origin,
                            format!("{:?} is not a worker Deployment", sa.deployment.value),
                        );
                        continue;
                    };
                    if sa.replicas.value < 0 {
                        self.loc_err(
                            path,
                            "Scenario",
                            &sa.replicas.path,
                            sa.replicas.origin,
                            "replicas must be >= 0",
                        );
                        continue;
                    }
                    actions.push(Action::Scale {
                        at: SimTime(sa.at.0 .0),
                        group,
                        replicas: sa.replicas.value,
                    });
                }
            }
        }
        actions.sort_by_key(|a| a.at());

        // Kubernetes and KEDA settings.
        let k = spec.kubernetes.clone().unwrap_or_default();
        let version = match &k.version {
            Some(v) => match parse_minor(&v.value) {
                Some(ver) if ((1, 27)..=(1, 36)).contains(&ver) => ver,
                _ => {
                    self.loc_err(
                        path,
                        "Scenario",
                        &v.path,
                        v.origin,
                        format!(
                            "Kubernetes version {:?}: expected \"1.27\" .. \"1.36\"",
                            v.value
                        ),
                    );
                    (1, 33)
                }
            },
            None => (1, 33),
        };
        self.set(
            "kubernetes",
            "version",
            format!("{}.{}", version.0, version.1),
            k.version.as_ref().map(|v| self.ot(path, v.origin)),
        );
        let metrics_resolution = k
            .metrics_server
            .as_ref()
            .and_then(|m| m.resolution.as_ref())
            .map_or(Dur::from_secs(15), |r| r.value.0);
        let kd = spec.keda.clone().unwrap_or_default();
        let keda_version = match &kd.version {
            Some(v) => match parse_minor(&v.value) {
                Some(ver) if ((2, 14)..=(2, 20)).contains(&ver) => ver,
                _ => {
                    self.loc_err(
                        path,
                        "Scenario",
                        &v.path,
                        v.origin,
                        format!("KEDA version {:?}: expected \"2.14\" .. \"2.20\"", v.value),
                    );
                    (2, 18)
                }
            },
            None => (2, 18),
        };

        // Limits.
        let lim = spec.limits.clone().unwrap_or_default();
        let mut limits = Limits::default();
        if let Some(m) = &lim.max_events {
            limits.max_events = m.value;
        }
        if let Some(m) = &lim.max_pending_events {
            limits.max_pending = m.value.min(usize::MAX as u64) as usize;
        }
        let max_tasks_in_flight = lim
            .max_tasks_in_flight
            .as_ref()
            .map_or(50_000_000, |m| m.value);
        let max_pods = lim.max_pods.as_ref().map_or(10_000, |m| m.value);

        // Warn about manifests nobody reads.
        for m in &manifests {
            let k = m.kind.as_str();
            let used = k == "Deployment"
                || k == "ConfigMap"
                || k == "Secret"
                || AUTOSCALER_KINDS.contains(&k)
                || QUIET_KINDS.contains(&k);
            if !used {
                let msg = match k {
                    "StatefulSet" | "DaemonSet" | "Job" | "CronJob" | "ReplicaSet" | "Pod" => {
                        format!("{k} is not modelled (scalesim scales Deployments); ignored")
                    }
                    "ScaledJob" => {
                        "ScaledJob is not modelled (scalesim models ScaledObject); ignored"
                            .to_string()
                    }
                    _ => format!("unknown kind {k:?}; ignored"),
                };
                self.warn(
                    Diagnostic::warning(m.doc.file.to_string(), msg)
                        .in_object(m.id())
                        .at_origin(m.doc.root.origin, &self.overrides_raw),
                );
            }
        }

        if self.has_errors() {
            return None;
        }
        let warnings: Vec<Diagnostic> = self
            .diags
            .iter()
            .filter(|d| !d.is_error())
            .cloned()
            .collect();
        let settings = std::mem::take(&mut self.settings);
        Some(Scenario {
            name: meta.name.value,
            description: meta.description,
            file: path.to_string(),
            seed,
            duration,
            sample_interval,
            broker: BrokerConfig {
                kind,
                visibility_timeout: vt,
                queue_order,
                restore_interval,
                restore_throttle: restore_throttle.max(1),
                priority_steps,
                consumer_timeout: b
                    .consumer_timeout
                    .as_ref()
                    .map_or(Dur::from_secs(1800), |d| d.value.0),
                global_qos: b.global_qos.as_ref().is_none_or(|d| d.value),
            },
            queues,
            tasks,
            loads,
            workers,
            actions,
            node_cpus,
            initial_pods_ready,
            limits,
            max_tasks_in_flight,
            max_pods,
            kubernetes: KubernetesSettings {
                version,
                hpa: k.hpa.clone().unwrap_or_default(),
                metrics_resolution,
            },
            keda: KedaSettings {
                version: keda_version,
                loop_start: kd.loop_start.as_ref().map_or(Dur::ZERO, |d| d.value.0),
            },
            metrics: spec.metrics.clone().unwrap_or_default(),
            manifests,
            warnings,
            settings,
            overrides: self.overrides_raw.clone(),
            text: text.to_string(),
        })
    }

    fn build_load(
        &mut self,
        path: &str,
        base: &str,
        l: &Located<raw::LoadRaw>,
        tasks: &[TaskType],
        duration: Dur,
    ) -> Option<Load> {
        use raw::LoadRaw::*;
        let end_default = SimTime(duration.0);
        let task_of = |this: &mut Self, t: &Located<String>| -> Option<usize> {
            match tasks.iter().position(|x| x.name == t.value) {
                Some(i) => Some(i),
                None => {
                    let names: Vec<&str> = tasks.iter().map(|x| x.name.as_str()).collect();
                    this.loc_err(
                        path,
                        "Scenario",
                        &t.path,
                        t.origin,
                        format!(
                            "unknown task {:?}{}; tasks are: {}",
                            t.value,
                            crate::yaml::de::suggest(&t.value, &names),
                            names.join(", ")
                        ),
                    );
                    None
                }
            }
        };
        let rate_ok = |this: &mut Self, r: &Located<f64>| -> bool {
            if !r.value.is_finite() || r.value < 0.0 {
                this.loc_err(
                    path,
                    "Scenario",
                    &r.path,
                    r.origin,
                    format!("rate {} must be a finite number >= 0", r.value),
                );
                return false;
            }
            if r.value > 1.0e7 {
                this.loc_err(
                    path,
                    "Scenario",
                    &r.path,
                    r.origin,
                    format!("rate {} tasks/s is absurd (limit 10 million/s)", r.value),
                );
                return false;
            }
            true
        };
        let window = |this: &mut Self,
                      from: &Option<crate::dist::DurText>,
                      to: &Option<crate::dist::DurText>|
         -> Option<(SimTime, SimTime)> {
            let a = SimTime(from.map_or(0, |d| d.0 .0));
            let b = to.map_or(end_default, |d| SimTime(d.0 .0)).min(end_default);
            if b < a {
                this.loc_err(path, "Scenario", &l.path, l.origin, "`to` is before `from`");
                return None;
            }
            Some((a, b))
        };
        let (task, shape, label) = match &l.value {
            Constant(w) | Poisson(w) => {
                let task = task_of(self, &w.task)?;
                if !rate_ok(self, &w.rate) {
                    return None;
                }
                let (a, b) = window(self, &w.from, &w.to)?;
                let poisson = matches!(l.value, Poisson(_));
                (
                    task,
                    LoadShape::Rate {
                        segments: vec![RateSegment {
                            start: a,
                            end: b,
                            r0: w.rate.value,
                            r1: w.rate.value,
                        }],
                        poisson,
                    },
                    format!(
                        "{} {} {}/s",
                        if poisson { "poisson" } else { "constant" },
                        w.task.value,
                        w.rate.value
                    ),
                )
            }
            Burst(bu) => {
                let task = task_of(self, &bu.task)?;
                let at = SimTime(bu.at.map_or(0, |d| d.0 .0));
                if bu.count.value > 100_000_000 {
                    self.loc_err(
                        path,
                        "Scenario",
                        &bu.count.path,
                        bu.count.origin,
                        "more than 100 million tasks in one burst",
                    );
                    return None;
                }
                let mut points = vec![];
                match &bu.every {
                    None => {
                        if at.0 < duration.0 || at.0 == 0 {
                            points.push((at, bu.count.value));
                        }
                    }
                    Some(e) => {
                        if e.value.0 .0 == 0 {
                            self.loc_err(
                                path,
                                "Scenario",
                                &e.path,
                                e.origin,
                                "must be greater than 0s",
                            );
                            return None;
                        }
                        let n = (duration.0.saturating_sub(at.0)) / e.value.0 .0 + 1;
                        if n > 10_000_000 {
                            self.loc_err(
                                path,
                                "Scenario",
                                &e.path,
                                e.origin,
                                "more than 10 million repeats; raise `every`",
                            );
                            return None;
                        }
                        let mut t = at;
                        while t.0 < duration.0 {
                            points.push((t, bu.count.value));
                            t += e.value.0;
                        }
                    }
                }
                (
                    task,
                    LoadShape::Points(points),
                    format!("burst {} x{}", bu.task.value, bu.count.value),
                )
            }
            Ramp(r) => {
                let task = task_of(self, &r.task)?;
                if !rate_ok(self, &r.start_rate) || !rate_ok(self, &r.end_rate) {
                    return None;
                }
                let (a, b) = window(self, &r.from, &r.to)?;
                (
                    task,
                    LoadShape::Rate {
                        segments: vec![RateSegment {
                            start: a,
                            end: b,
                            r0: r.start_rate.value,
                            r1: r.end_rate.value,
                        }],
                        poisson: r.poisson.unwrap_or(true),
                    },
                    format!(
                        "ramp {} {}->{}/s",
                        r.task.value, r.start_rate.value, r.end_rate.value
                    ),
                )
            }
            Step(s) => {
                let task = task_of(self, &s.task)?;
                if s.steps.is_empty() {
                    self.loc_err(path, "Scenario", &l.path, l.origin, "`steps` is empty");
                    return None;
                }
                let end =
                    s.to.map_or(end_default, |d| SimTime(d.0 .0))
                        .min(end_default);
                let mut segs = Vec::new();
                for (i, p) in s.steps.iter().enumerate() {
                    if !rate_ok(self, &p.rate) {
                        return None;
                    }
                    let start = SimTime(p.at.0 .0);
                    let stop = s
                        .steps
                        .get(i + 1)
                        .map_or(end, |n| SimTime(n.at.0 .0))
                        .min(end);
                    if i > 0 && start < SimTime(s.steps[i - 1].at.0 .0) {
                        self.loc_err(
                            path,
                            "Scenario",
                            &p.rate.path,
                            p.rate.origin,
                            "steps must be in time order",
                        );
                        return None;
                    }
                    if stop > start {
                        segs.push(RateSegment {
                            start,
                            end: stop,
                            r0: p.rate.value,
                            r1: p.rate.value,
                        });
                    }
                }
                (
                    task,
                    LoadShape::Rate {
                        segments: segs,
                        poisson: s.poisson.unwrap_or(true),
                    },
                    format!("step {}", s.task.value),
                )
            }
            Sine(s) => {
                let task = task_of(self, &s.task)?;
                if !rate_ok(self, &s.base) {
                    return None;
                }
                if !s.amplitude.value.is_finite() {
                    self.loc_err(
                        path,
                        "Scenario",
                        &s.amplitude.path,
                        s.amplitude.origin,
                        "must be finite",
                    );
                    return None;
                }
                let period = s.period.value.0;
                if period.0 < 1_000_000 {
                    self.loc_err(
                        path,
                        "Scenario",
                        &s.period.path,
                        s.period.origin,
                        "period must be at least 1ms",
                    );
                    return None;
                }
                let (a, b) = window(self, &s.from, &s.to)?;
                // 64 linear pieces per period: close to the sine, exact to integrate and invert.
                let piece = (period.0 / 64).max(1);
                if (b.0 - a.0) / piece > 5_000_000 {
                    self.loc_err(
                        path,
                        "Scenario",
                        &s.period.path,
                        s.period.origin,
                        "the period is too short for the window (more than 5 million pieces)",
                    );
                    return None;
                }
                let rate_at = |t: u64| {
                    let x = (t - a.0) as f64 / period.0 as f64;
                    (s.base.value + s.amplitude.value * (2.0 * std::f64::consts::PI * x).sin())
                        .max(0.0)
                };
                let mut segs = Vec::new();
                let mut t = a.0;
                while t < b.0 {
                    let e = (t + piece).min(b.0);
                    segs.push(RateSegment {
                        start: SimTime(t),
                        end: SimTime(e),
                        r0: rate_at(t),
                        r1: rate_at(e),
                    });
                    t = e;
                }
                (
                    task,
                    LoadShape::Rate {
                        segments: segs,
                        poisson: s.poisson.unwrap_or(true),
                    },
                    format!(
                        "sine {} {}±{}/s",
                        s.task.value, s.base.value, s.amplitude.value
                    ),
                )
            }
            Trace(tr) => {
                let task = task_of(self, &tr.task)?;
                let full = files::join(base, &tr.file.value);
                let text = match self.source.read(&full) {
                    Ok(t) => t,
                    Err(e) => {
                        self.loc_err(path, "Scenario", &tr.file.path, tr.file.origin, e);
                        return None;
                    }
                };
                let offset = tr.offset.map_or(0, |d| d.0 .0);
                match parse_trace(&text, offset, end_default) {
                    Ok(TraceShape::Counts(points)) => (
                        task,
                        LoadShape::Points(points),
                        format!("trace {}", tr.file.value),
                    ),
                    Ok(TraceShape::Rates(segs)) => (
                        task,
                        LoadShape::Rate {
                            segments: segs,
                            poisson: tr.poisson.unwrap_or(true),
                        },
                        format!("trace {}", tr.file.value),
                    ),
                    Err(e) => {
                        self.loc_err(&full, "Scenario", &tr.file.path, tr.file.origin, e);
                        return None;
                    }
                }
            }
        };
        Some(Load { task, shape, label })
    }

    fn read_env_sources(
        &mut self,
        manifests: &[Manifest],
    ) -> BTreeMap<(String, String), BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        let cx = DeContext::new(false, true);
        for m in manifests {
            let file = m.doc.file.to_string();
            match m.kind.as_str() {
                "ConfigMap" => {
                    if let Some(c) =
                        self.de::<k8s::ConfigMap>(&m.doc.root, "", &cx, &file, Some(&m.id()))
                    {
                        out.insert(("ConfigMap".to_string(), m.name.clone()), c.data);
                    }
                }
                "Secret" => {
                    if let Some(s) =
                        self.de::<k8s::Secret>(&m.doc.root, "", &cx, &file, Some(&m.id()))
                    {
                        let mut data = BTreeMap::new();
                        for (k, v) in s.data {
                            match k8s::base64_decode(&v).and_then(|b| String::from_utf8(b).ok()) {
                                Some(text) => {
                                    data.insert(k, text);
                                }
                                None => self.warn(
                                    Diagnostic::warning(
                                        &file,
                                        format!("data.{k} is not valid base64 UTF-8 text; ignored"),
                                    )
                                    .in_object(m.id()),
                                ),
                            }
                        }
                        data.extend(s.string_data);
                        out.insert(("Secret".to_string(), m.name.clone()), data);
                    }
                }
                _ => {}
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn build_worker(
        &mut self,
        path: &str,
        w: &raw::WorkerRaw,
        m: &Manifest,
        sources: &BTreeMap<(String, String), BTreeMap<String, String>>,
        queues: &mut Vec<String>,
        node_cpus: u32,
        scheduling: &DurationDist,
        image_pull: &DurationDist,
        container_start: &DurationDist,
        celery_boot: &Option<DurationDist>,
        broker_env: &mut Option<&'static str>,
    ) -> Option<WorkerGroup> {
        let file = m.doc.file.to_string();
        let obj = m.id();
        let cx = DeContext::new(false, true);
        let dep: k8s::Deployment = self.de(&m.doc.root, "", &cx, &file, Some(&obj))?;
        let pod = &dep.spec.template.spec;
        if pod.containers.is_empty() {
            self.error(
                Diagnostic::error(&file, "spec.template.spec.containers is empty").in_object(obj),
            );
            return None;
        }
        let container = match &w.container {
            Some(c) => match pod.containers.iter().find(|x| x.name.value == c.value) {
                Some(x) => x,
                None => {
                    self.loc_err(
                        path,
                        "Scenario",
                        &c.path,
                        c.origin,
                        format!("Deployment {} has no container {:?}", m.name, c.value),
                    );
                    return None;
                }
            },
            None => &pod.containers[0],
        };
        // Environment, in Kubernetes order: envFrom, then env (later wins), with $(VAR) expansion.
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        for ef in &container.env_from {
            let (kind, r) = match (&ef.config_map_ref, &ef.secret_ref) {
                (Some(r), _) => ("ConfigMap", r),
                (None, Some(r)) => ("Secret", r),
                _ => continue,
            };
            match sources.get(&(kind.to_string(), r.name.clone())) {
                Some(data) => {
                    for (k, v) in data {
                        env.insert(format!("{}{k}", ef.prefix.clone().unwrap_or_default()), v.clone());
                    }
                }
                None if r.optional == Some(true) => {}
                None => self.warn(Diagnostic::warning(&file, format!("envFrom: {kind} {:?} is not among the manifests; its variables are unknown to scalesim", r.name)).in_object(obj.clone())),
            }
        }
        for e in &container.env {
            if let Some(v) = &e.value {
                let expanded = k8s::expand_vars(v, &env);
                env.insert(e.name.clone(), expanded);
            } else if let Some(src) = &e.value_from {
                let (kind, r) = match (&src.config_map_key_ref, &src.secret_key_ref) {
                    (Some(r), _) => ("ConfigMap", r),
                    (None, Some(r)) => ("Secret", r),
                    _ => continue,
                };
                match sources.get(&(kind.to_string(), r.name.clone())).and_then(|d| d.get(&r.key)) {
                    Some(v) => {
                        env.insert(e.name.clone(), v.clone());
                    }
                    None if r.optional == Some(true) => {}
                    None => self.warn(Diagnostic::warning(&file, format!("env {}: {kind} {:?} key {:?} is not among the manifests; the variable is unknown to scalesim", e.name, r.name, r.key)).in_object(obj.clone())),
                }
            }
        }
        let env_settings = celery_cmd::parse_env(&env);
        for n in &env_settings.notes {
            self.warn(Diagnostic::warning(&file, n.clone()).in_object(obj.clone()));
        }
        if broker_env.is_none() {
            *broker_env = env_settings.broker;
        }
        // Command line: manifest command+args, else the Scenario's command (image CMD).
        let mut argv: Vec<String> = Vec::new();
        let mut cmd_origin: Option<String> = None;
        if let Some(c) = &container.command {
            argv.extend(c.value.iter().map(|s| k8s::expand_vars(s, &env)));
            cmd_origin = Some(origin_text(&file, c.origin, &self.overrides_raw));
        }
        if let Some(a) = &container.args {
            argv.extend(a.value.iter().map(|s| k8s::expand_vars(s, &env)));
            cmd_origin.get_or_insert(origin_text(&file, a.origin, &self.overrides_raw));
        }
        if let Some(c) = &w.command {
            if !argv.is_empty() {
                self.warn(Diagnostic::warning(path, format!("spec.workers: the Deployment {} sets command/args; the Scenario's `command` replaces them", m.name)).in_object("Scenario").at_origin(c.origin, &self.overrides_raw));
            }
            argv = celery_cmd::shell_split(&c.value);
            cmd_origin = Some(origin_text(path, c.origin, &self.overrides_raw));
        }
        let cmd = celery_cmd::parse_command(&argv, &env);
        if !argv.is_empty() && !cmd.is_worker {
            self.warn(Diagnostic::warning(&file, format!("the command {:?} does not look like `celery ... worker`; scalesim models it as a Celery worker anyway", argv.join(" "))).in_object(obj.clone()));
        }
        for n in &cmd.notes {
            self.warn(Diagnostic::warning(&file, n.clone()).in_object(obj.clone()));
        }
        let c = w.celery.clone().unwrap_or_default();
        let dn = &m.name;
        let cmd_src = cmd_origin.clone().unwrap_or_else(|| "command line".into());
        // Concurrency: Scenario > command line > env > node CPUs (billiard.cpu_count ignores limits).
        let (concurrency, conc_src): (u32, Option<String>) = if let Some(v) = &c.concurrency {
            (
                v.value,
                Some(origin_text(path, v.origin, &self.overrides_raw)),
            )
        } else if let Some((max, _)) = cmd.autoscale {
            self.warn(Diagnostic::warning(&file, format!("--autoscale={max},...: scalesim runs the pool at its maximum ({max}); the prefetch count is max × multiplier as in Celery")).in_object(obj.clone()));
            (max, Some(cmd_src.clone()))
        } else if let Some(v) = cmd.concurrency {
            (v, Some(cmd_src.clone()))
        } else if let Some(v) = env_settings.concurrency {
            (v, Some("env CELERY_WORKER_CONCURRENCY".into()))
        } else {
            self.warn(Diagnostic::warning(path, format!(
                "{dn}: Celery concurrency is not set, so Celery starts one process per *node* CPU (it ignores the CPU limit); assuming spec.pods.nodeCpus = {node_cpus}. Set --concurrency or spec.workers[].celery.concurrency"
            )).in_object("Scenario"));
            (node_cpus, None)
        };
        if concurrency == 0 || concurrency > 10_000 {
            self.error(
                Diagnostic::error(
                    path,
                    format!("{dn}: concurrency {concurrency} must be between 1 and 10000"),
                )
                .in_object("Scenario"),
            );
            return None;
        }
        let ov = self.overrides_raw.clone();
        let src = |o: Option<Origin>| o.map(|o| origin_text(path, o, &ov));
        let pool_text = c
            .pool
            .as_ref()
            .map(|p| p.value.clone())
            .or(cmd.pool.clone())
            .unwrap_or_else(|| "prefork".into());
        let pool = match pool_text.as_str() {
            "prefork" | "processes" => Pool::Prefork,
            "threads" => Pool::Threads,
            "solo" => Pool::Solo,
            "gevent" | "eventlet" => Pool::Gevent,
            other => {
                self.error(Diagnostic::error(path, format!("{dn}: unknown pool {other:?}: expected prefork, threads, solo, gevent or eventlet")).in_object("Scenario"));
                return None;
            }
        };
        let concurrency = if pool == Pool::Solo { 1 } else { concurrency };
        let prefetch_multiplier = c
            .prefetch_multiplier
            .as_ref()
            .map(|v| v.value)
            .or(cmd.prefetch_multiplier)
            .or(env_settings.prefetch_multiplier)
            .unwrap_or(4);
        let pm_src = src(c.prefetch_multiplier.as_ref().map(|x| x.origin))
            .or(cmd.prefetch_multiplier.map(|_| cmd_src.clone()))
            .or(env_settings
                .prefetch_multiplier
                .map(|_| "env CELERY_WORKER_PREFETCH_MULTIPLIER".into()));
        let acks_late = c
            .acks_late
            .as_ref()
            .map(|v| v.value)
            .or(env_settings.acks_late)
            .unwrap_or(false);
        let al_src = src(c.acks_late.as_ref().map(|x| x.origin)).or(env_settings
            .acks_late
            .map(|_| "env CELERY_TASK_ACKS_LATE".into()));
        let disable_prefetch = c
            .disable_prefetch
            .as_ref()
            .map(|v| v.value)
            .unwrap_or(cmd.disable_prefetch || env_settings.disable_prefetch.unwrap_or(false));
        let dp_src =
            src(c.disable_prefetch.as_ref().map(|x| x.origin)).or(if cmd.disable_prefetch {
                Some(cmd_src.clone())
            } else {
                None
            });
        let queue_names: Vec<String> = c
            .queues
            .as_ref()
            .map(|q| q.value.clone())
            .or(cmd.queues.clone())
            .unwrap_or_else(|| vec!["celery".into()]);
        let q_src = src(c.queues.as_ref().map(|x| x.origin))
            .or(cmd.queues.as_ref().map(|_| cmd_src.clone()));
        if queue_names.is_empty() {
            self.error(
                Diagnostic::error(path, format!("{dn}: the worker consumes no queue"))
                    .in_object("Scenario"),
            );
            return None;
        }
        let mut qids = Vec::new();
        for q in &queue_names {
            let id = match queues.iter().position(|x| x == q) {
                Some(i) => i,
                None => {
                    queues.push(q.clone());
                    queues.len() - 1
                }
            };
            if !qids.contains(&id) {
                qids.push(id);
            }
        }
        let signal = match &c.shutdown_signal {
            Some(s) => match SignalMode::parse(&s.value) {
                Some(v) => (v, origin_text(path, s.origin, &self.overrides_raw)),
                None => {
                    self.loc_err(path, "Scenario", &s.path, s.origin, format!("unknown shutdown signal mode {:?}: expected main, process-group or swallowed", s.value));
                    return None;
                }
            },
            None => match &cmd.signal {
                Some((mode, why)) => {
                    if *mode != SignalMode::Main {
                        self.warn(Diagnostic::warning(&file, why.clone()).in_object(obj.clone()));
                    }
                    (*mode, cmd_src.clone())
                }
                None => (SignalMode::Main, "default".into()),
            },
        };
        let remap_sigterm = c
            .remap_sigterm
            .as_ref()
            .map(|v| v.value)
            .unwrap_or(env_settings.remap_sigterm);
        let soft = c
            .soft_shutdown_timeout
            .as_ref()
            .map_or(Dur::ZERO, |d| d.value.0);
        let without_mingle = c
            .without_mingle
            .as_ref()
            .map(|v| v.value)
            .unwrap_or(cmd.without_mingle);
        let celery = CeleryConfig {
            concurrency,
            prefetch_multiplier,
            acks_late,
            disable_prefetch,
            queues: qids,
            pool,
            reject_on_worker_lost: c.reject_on_worker_lost.as_ref().is_some_and(|v| v.value),
            soft_shutdown_timeout: soft,
            signal: signal.0,
            remap_sigterm,
            eta_task_limit: c.eta_task_limit.as_ref().map(|v| v.value),
        };
        // Record settings with their true origins.
        let entries: Vec<(&str, String, Option<String>)> = vec![
            ("concurrency", concurrency.to_string(), conc_src),
            (
                "prefetchMultiplier",
                prefetch_multiplier.to_string(),
                pm_src,
            ),
            (
                "prefetchCount",
                celery
                    .prefetch_count()
                    .map_or("unlimited".into(), |p| p.to_string()),
                None,
            ),
            ("acksLate", acks_late.to_string(), al_src),
            ("disablePrefetch", disable_prefetch.to_string(), dp_src),
            ("queues", queue_names.join(","), q_src),
            (
                "pool",
                format!("{pool:?}").to_lowercase(),
                src(c.pool.as_ref().map(|x| x.origin))
                    .or(cmd.pool.as_ref().map(|_| cmd_src.clone())),
            ),
            (
                "shutdownSignal",
                signal.0.as_str().into(),
                if signal.1 == "default" {
                    None
                } else {
                    Some(signal.1.clone())
                },
            ),
            (
                "remapSigterm",
                remap_sigterm.to_string(),
                src(c.remap_sigterm.as_ref().map(|x| x.origin)),
            ),
            (
                "softShutdownTimeout",
                soft.to_string(),
                src(c.soft_shutdown_timeout.as_ref().map(|x| x.origin)),
            ),
        ];
        for (name, value, origin) in entries {
            self.set("celery", format!("{dn}.{name}"), value, origin);
        }

        // Resources.
        let res = container.resources.clone().unwrap_or_default();
        let cpu_limit_milli = res.limits.get("cpu").map(|q| q.value.milli_value());
        if let Some(l) = res.limits.get("cpu") {
            if l.value.milli_value() <= 0 {
                self.loc_err(&file, &obj, &l.path, l.origin, "cpu limit must be positive");
                return None;
            }
        }
        let cpu_requests_milli: Vec<(String, Option<i64>)> = pod
            .containers
            .iter()
            .map(|c| {
                let r = c
                    .resources
                    .as_ref()
                    .and_then(|r| r.requests.get("cpu").or(r.limits.get("cpu")));
                (c.name.value.clone(), r.map(|q| q.value.milli_value()))
            })
            .collect();
        let o = res.limits.get("cpu").map(|l| self.ot(&file, l.origin));
        self.set(
            "pods",
            format!("{dn}.cpuLimit"),
            cpu_limit_milli.map_or("none (node CPUs)".into(), |m| format!("{m}m")),
            o,
        );
        let grace = dep
            .spec
            .template
            .spec
            .termination_grace_period_seconds
            .as_ref();
        let termination_grace = match grace {
            Some(g) if g.value < 0 => {
                self.loc_err(&file, &obj, &g.path, g.origin, "must be >= 0");
                return None;
            }
            Some(g) => Dur::from_secs(g.value as u64),
            None => Dur::from_secs(30),
        };
        let o = grace.map(|g| self.ot(&file, g.origin));
        self.set(
            "pods",
            format!("{dn}.terminationGracePeriodSeconds"),
            termination_grace.as_secs().to_string(),
            o,
        );
        let readiness = container.readiness_probe.as_ref().map(|p| ProbeTiming {
            initial_delay: Dur::from_secs(
                p.initial_delay_seconds
                    .as_ref()
                    .map_or(0, |v| v.value.max(0) as u64),
            ),
            period: Dur::from_secs(
                p.period_seconds
                    .as_ref()
                    .map_or(10, |v| v.value.max(1) as u64),
            ),
            success_threshold: p
                .success_threshold
                .as_ref()
                .map_or(1, |v| v.value.max(1) as u32),
        });
        let replicas = dep.spec.replicas.as_ref().map_or(1, |r| r.value);
        if replicas < 0 {
            let r = dep.spec.replicas.as_ref().expect("some");
            self.loc_err(&file, &obj, &r.path, r.origin, "replicas must be >= 0");
            return None;
        }
        let o = dep.spec.replicas.as_ref().map(|r| self.ot(&file, r.origin));
        self.set("pods", format!("{dn}.replicas"), replicas.to_string(), o);
        let boot = celery_boot.clone().unwrap_or_else(|| {
            DurationDist::Constant(if without_mingle {
                Dur::from_millis(500)
            } else {
                Dur::from_millis(1500)
            })
        });
        self.set(
            "pods",
            format!("{dn}.startup.celeryBoot"),
            boot.to_string(),
            None,
        );
        let labels = dep
            .spec
            .template
            .metadata
            .as_ref()
            .map(|m| m.labels.clone())
            .unwrap_or_default();
        Some(WorkerGroup {
            deployment: m.name.clone(),
            namespace: m.namespace.clone(),
            replicas,
            container: container.name.value.clone(),
            celery,
            cpu_limit_milli,
            cpu_requests_milli,
            termination_grace,
            readiness,
            startup: Startup {
                scheduling: scheduling.clone(),
                image_pull: image_pull.clone(),
                container_start: container_start.clone(),
                celery_boot: boot,
            },
            labels,
            env,
        })
    }
}

fn parse_minor(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().trim_start_matches('v');
    let mut it = s.split('.');
    let a = it.next()?.parse().ok()?;
    let b = it.next()?.parse().ok()?;
    Some((a, b))
}

/// True when a Deployment's first container runs `celery ... worker`.
fn deployment_runs_celery_worker(root: &Node) -> bool {
    let Some(crate::yaml::Kind::Seq(containers)) = root
        .lookup(&["spec", "template", "spec", "containers"])
        .map(|n| &n.kind)
    else {
        return false;
    };
    containers.iter().any(|c| {
        let mut argv: Vec<String> = Vec::new();
        for key in ["command", "args"] {
            if let Some(crate::yaml::Kind::Seq(items)) = c.get(key).map(|n| &n.kind) {
                argv.extend(items.iter().filter_map(|i| i.as_str().map(String::from)));
            }
        }
        celery_cmd::parse_command(&argv, &BTreeMap::new()).is_worker
    })
}

enum TraceShape {
    Counts(Vec<(SimTime, u64)>),
    Rates(Vec<RateSegment>),
}

/// Reads `time_s,count` or `time_s,rate` rows (sorted by time).
fn parse_trace(text: &str, offset: u64, end: SimTime) -> Result<TraceShape, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(String::from)
        .collect();
    let ti = headers
        .iter()
        .position(|h| h == "time_s")
        .ok_or("the trace needs a `time_s` column")?;
    let (vi, counts) = match (headers.iter().position(|h| h == "count"), headers.iter().position(|h| h == "rate")) {
        (Some(c), None) => (c, true),
        (None, Some(r)) => (r, false),
        _ => return Err("the trace needs exactly one of the columns `count` (tasks at that instant) or `rate` (tasks/s until the next row)".into()),
    };
    let mut rows: Vec<(SimTime, f64)> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("line {line}: {e}"))?;
        let t: f64 = rec
            .get(ti)
            .unwrap_or("")
            .parse()
            .map_err(|_| format!("line {line}: time_s is not a number"))?;
        let v: f64 = rec
            .get(vi)
            .unwrap_or("")
            .parse()
            .map_err(|_| format!("line {line}: {} is not a number", headers[vi]))?;
        let t = Dur::from_secs_f64(t).ok_or(format!("line {line}: time_s must be >= 0"))?;
        if !v.is_finite() || !(0.0..=1.0e8).contains(&v) {
            return Err(format!(
                "line {line}: {} must be between 0 and 1e8",
                headers[vi]
            ));
        }
        if counts && v.fract() != 0.0 {
            return Err(format!("line {line}: count must be a whole number"));
        }
        let at = SimTime(t.0.saturating_add(offset));
        if let Some((prev, _)) = rows.last() {
            if at < *prev {
                return Err(format!("line {line}: rows must be in time order"));
            }
        }
        rows.push((at, v));
        if rows.len() > 20_000_000 {
            return Err("more than 20 million rows".into());
        }
    }
    if rows.is_empty() {
        return Err("the trace has no rows".into());
    }
    if counts {
        Ok(TraceShape::Counts(
            rows.into_iter()
                .filter(|(t, _)| *t < end || t.0 == 0)
                .map(|(t, v)| (t, v as u64))
                .collect(),
        ))
    } else {
        let mut segs = Vec::new();
        for (i, (t, r)) in rows.iter().enumerate() {
            let stop = rows.get(i + 1).map_or(end, |n| n.0).min(end);
            if stop > *t {
                segs.push(RateSegment {
                    start: *t,
                    end: stop,
                    r0: *r,
                    r1: *r,
                });
            }
        }
        Ok(TraceShape::Rates(segs))
    }
}

#[cfg(test)]
mod tests;
