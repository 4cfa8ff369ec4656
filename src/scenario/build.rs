//! Validation of the Scenario document into typed settings: time, broker, tasks, pods,
//! Kubernetes and KEDA settings, limits.

use super::workers::deployment_runs_celery_worker;
use super::*;

/// Default of `spec.limits.maxTasksInFlight`: a task copy costs about 60 bytes, so the
/// default bounds the message store near 600 MB.
pub const DEFAULT_MAX_TASKS_IN_FLIGHT: u64 = 10_000_000;
/// Default of `spec.limits.maxPods` (lowered for a large concurrency, see
/// [`DEFAULT_MAX_PROCESSES`]).
pub const DEFAULT_MAX_PODS: u64 = 10_000;
/// Celery pool processes (pods x concurrency) the default pod limit allows.
pub const DEFAULT_MAX_PROCESSES: u64 = 10_000_000;
/// Most samples the simulated Prometheus keeps per series (its retention over its scrape
/// interval).
pub const MAX_TSDB_SAMPLES: u64 = 10_000_000;

impl Loader<'_> {
    /// Periodic timers of the control plane: a zero or tiny period would make the run loop
    /// at one instant (a hang) or spend minutes on passes nobody needs, so each has a floor;
    /// and the simulated Prometheus must not keep more than [`MAX_TSDB_SAMPLES`] per series.
    fn check_periods(
        &mut self,
        path: &str,
        k: &raw::KubernetesRaw,
        metrics: Option<&raw::MetricsRaw>,
    ) {
        let floor =
            |this: &mut Self, d: Option<&Located<crate::dist::DurText>>, min: Dur, why: &str| {
                if let Some(d) = d {
                    if d.value.0 < min {
                        this.loc_err(
                            path,
                            "Scenario",
                            &d.path,
                            d.origin,
                            format!("{} is too short: must be at least {min} ({why})", d.value.0),
                        );
                    }
                }
            };
        if let Some(h) = &k.hpa {
            floor(
                self,
                h.sync_period.as_ref(),
                Dur::from_secs(1),
                "kube-controller-manager's default is 15s",
            );
            if let Some(t) = &h.tolerance {
                if !t.value.is_finite() || t.value < 0.0 {
                    self.loc_err(
                        path,
                        "Scenario",
                        &t.path,
                        t.origin,
                        format!(
                            "tolerance {} must be a finite number >= 0 (default 0.1)",
                            t.value
                        ),
                    );
                }
            }
        }
        if let Some(m) = &k.metrics_server {
            floor(
                self,
                m.resolution.as_ref(),
                Dur::from_secs(1),
                "metrics-server's default is 15s",
            );
        }
        let Some(mr) = metrics else { return };
        for e in &mr.exporters {
            floor(
                self,
                e.interval.as_ref(),
                Dur::from_millis(100),
                "an exporter polling the broker more often only slows the simulation",
            );
        }
        if let Some(p) = &mr.prometheus {
            floor(
                self,
                p.scrape_interval.as_ref(),
                Dur::from_secs(1),
                "Prometheus' default is 1m, kube-prometheus uses 30s",
            );
            let scrape = p
                .scrape_interval
                .as_ref()
                .map_or(Dur::from_secs(15), |d| d.value.0);
            let lookback = p
                .lookback_delta
                .as_ref()
                .map_or(Dur::from_secs(300), |d| d.value.0);
            let retention = 2 * lookback.0.max(3_600_000_000_000);
            if let Some(l) = &p.lookback_delta {
                if scrape.0 > 0 && retention / scrape.0 > MAX_TSDB_SAMPLES {
                    self.loc_err(
                        path,
                        "Scenario",
                        &l.path,
                        l.origin,
                        format!("with a {scrape} scrape interval, a {} lookback keeps more than {MAX_TSDB_SAMPLES} samples per series; shorten lookbackDelta or lengthen scrapeInterval", l.value.0),
                    );
                }
            }
        }
    }

    #[allow(clippy::too_many_lines)]
    pub(super) fn build(
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
                Diagnostic::error(path, "is empty: define at least one task type")
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
            // An invalid duration is reported; the task is still defined (with a placeholder)
            // so that loads naming it do not add "unknown task" errors.
            let duration = self
                .resolve_dist(path, &base, &t.duration)
                .unwrap_or(DurationDist::Constant(Dur::ZERO));
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

        // Warn about manifests nobody reads (before anything below can stop the build, so
        // that a misspelt kind is named next to the error it causes).
        let known: Vec<&str> = ["Deployment", "ConfigMap", "Secret", "ScaledJob"]
            .iter()
            .chain(AUTOSCALER_KINDS)
            .chain(QUIET_KINDS)
            .copied()
            .collect();
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
                    _ => format!(
                        "unknown kind {k:?}{}; ignored",
                        crate::yaml::de::suggest(k, &known)
                    ),
                };
                let origin = m
                    .doc
                    .root
                    .get("kind")
                    .map_or(m.doc.root.origin, |n| n.origin);
                self.warn(
                    Diagnostic::warning(m.doc.file.to_string(), msg)
                        .in_object(m.id())
                        .at_origin(origin, &self.overrides_raw),
                );
            }
        }

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
            if let Some(t) = &b.consumer_timeout {
                // Parsed and shown in settings.json, but no delivery is ever timed out.
                self.warn(
                    Diagnostic::warning(
                        path,
                        "not simulated: RabbitMQ closes a \
                         channel whose delivery stays unacknowledged longer (and requeues its \
                         messages); scalesim never does",
                    )
                    .at_origin(t.origin, &self.overrides_raw)
                    .with_path("spec.broker.consumerTimeout")
                    .in_object("Scenario"),
                );
            }
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

        // Autoscalers.
        let (hpas, scaled_objects) = self.build_autoscalers(&manifests, &workers);

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
        self.check_periods(path, &k, spec.metrics.as_ref());
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
        if keda_version != (2, 18) {
            // The KEDA module follows v2.18.3 only: say so rather than pretend.
            self.warn(
                Diagnostic::warning(
                    path,
                    format!(
                        "spec.keda.version {}.{}: scalesim simulates KEDA v2.18.3 whatever this \
                         says; the differences that can matter are in fallback (2.14-2.16 also \
                         write fallback.replicas on the first failing poll; 2.19+ applies \
                         fallback in the poll loop, so a failing ScaledObject can scale from \
                         zero) and negative metric values (clamped to 0 from 2.20.2)",
                        keda_version.0, keda_version.1
                    ),
                )
                .in_object("Scenario"),
            );
        }

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
            .map_or(DEFAULT_MAX_TASKS_IN_FLIGHT, |m| m.value);
        // Each pod holds one pool slot per process: by default, at most
        // DEFAULT_MAX_PROCESSES of them (memory), so fewer pods for a large concurrency.
        let widest = workers
            .iter()
            .map(|w| w.celery.concurrency as u64)
            .max()
            .unwrap_or(1)
            .max(1);
        let max_pods = lim.max_pods.as_ref().map_or(
            DEFAULT_MAX_PODS.min((DEFAULT_MAX_PROCESSES / widest).max(1)),
            |m| m.value,
        );

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
            hpas,
            scaled_objects,
            manifests,
            warnings,
            settings,
            overrides: self.overrides_raw.clone(),
            text: text.to_string(),
        })
    }
}
