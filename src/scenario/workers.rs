//! Worker Deployments: container environment (with ConfigMaps and Secrets), the Celery
//! command line, resources, probes and grace period, into a [`WorkerGroup`].

use std::collections::BTreeMap;

use super::*;

impl Loader<'_> {
    pub(super) fn read_env_sources(
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
    pub(super) fn build_worker(
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
                    format!(
                        "{dn}: concurrency {concurrency}{} must be between 1 and 10000",
                        conc_src
                            .as_ref()
                            .map(|s| format!(" (from {s})"))
                            .unwrap_or_default()
                    ),
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
            // Saturating: an int64 of seconds can pass u64 nanoseconds (it wrapped, or
            // panicked in a debug build); a grace beyond any run never expires anyway.
            Some(g) => Dur((g.value as u64).saturating_mul(crate::time::NANOS_PER_SEC)),
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

/// True when a Deployment's first container runs `celery ... worker`.
pub(super) fn deployment_runs_celery_worker(root: &Node) -> bool {
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
