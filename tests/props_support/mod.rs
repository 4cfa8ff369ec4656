//! Scenario generation for the property suites and the loader fuzzer: proptest strategies
//! that produce *valid* scenario files (tasks, loads, a worker Deployment with its Celery
//! settings, optionally a KEDA ScaledObject or an HPA with random but valid settings, and a
//! few minutes of simulated time, so that a case runs in milliseconds).
//!
//! A generated scenario's `Debug` is its YAML text: when proptest prints a shrunk failing
//! input, what it prints is a scenario file to save and `scalesim run`.

#![allow(dead_code)]

use std::fmt;

use proptest::prelude::*;

/// A proptest configuration of `default_cases` cases, or `PROPTEST_CASES` when it is set.
pub fn config_cases(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// A duration or distribution of durations, in milliseconds.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Dist {
    Constant(u32),
    Uniform(u32, u32),
    Exponential(u32),
    LogNormal(u32, u32),
}

impl Dist {
    fn yaml(self) -> String {
        match self {
            Dist::Constant(ms) => format!("{ms}ms"),
            Dist::Uniform(a, b) => format!("{{uniform: {{min: {a}ms, max: {}ms}}}}", a + b),
            Dist::Exponential(m) => format!("{{exponential: {{mean: {}ms}}}}", m.max(1)),
            Dist::LogNormal(m, extra) => format!(
                "{{lognormal: {{median: {}ms, p99: {}ms}}}}",
                m.max(1),
                m.max(1) + extra.max(1)
            ),
        }
    }
}

/// Durations up to `max_ms`.
pub fn dist(max_ms: u32) -> impl Strategy<Value = Dist> {
    prop_oneof![
        3 => (0..=max_ms).prop_map(Dist::Constant),
        1 => (0..=max_ms / 2, 0..=max_ms / 2).prop_map(|(a, b)| Dist::Uniform(a, b)),
        1 => (1..=max_ms / 2 + 1).prop_map(Dist::Exponential),
        1 => (1..=max_ms / 2 + 1, 1..=max_ms).prop_map(|(m, e)| Dist::LogNormal(m, e)),
    ]
}

#[derive(Clone, PartialEq, Debug)]
pub struct Task {
    pub cpu: bool,
    pub duration: Dist,
    pub acks_late: Option<bool>,
    pub countdown: Option<Dist>,
    pub priority: u8,
}

#[derive(Clone, PartialEq, Debug)]
pub enum Load {
    Burst {
        task: usize,
        count: u32,
        at_s: u32,
        every_s: Option<u32>,
    },
    Rate {
        poisson: bool,
        task: usize,
        rate: f64,
        from_s: u32,
        len_s: u32,
    },
    Ramp {
        task: usize,
        start: f64,
        end: f64,
        from_s: u32,
    },
    Step {
        task: usize,
        steps: Vec<(u32, f64)>,
    },
    Sine {
        task: usize,
        base: f64,
        amplitude: f64,
        period_s: u32,
    },
}

#[derive(Clone, PartialEq, Debug)]
pub enum Broker {
    Redis {
        visibility_timeout_s: Option<u32>,
        restore_interval_s: u32,
        throttle: u32,
    },
    Rabbit {
        global_qos: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Signal {
    Main,
    ProcessGroup,
    Swallowed,
    Remap,
}

#[derive(Clone, PartialEq, Debug)]
pub struct Worker {
    pub replicas: u32,
    pub concurrency: u32,
    pub prefetch: u32,
    pub acks_late: bool,
    pub reject_on_worker_lost: bool,
    pub disable_prefetch: bool,
    pub pool: &'static str,
    pub signal: Signal,
    pub soft_shutdown_s: u32,
    pub grace_s: u32,
    pub readiness: Option<(u32, u32, u32)>,
    pub cpu_limit_m: Option<u32>,
    pub cpu_request_m: u32,
}

#[derive(Clone, PartialEq, Debug)]
pub struct Policy {
    pub percent: bool,
    pub value: u32,
    pub period_s: u32,
}

#[derive(Clone, PartialEq, Debug)]
pub struct Rules {
    pub window_s: Option<u32>,
    pub select: &'static str,
    pub policies: Vec<Policy>,
}

#[derive(Clone, PartialEq, Debug)]
pub struct Behavior {
    pub up: Option<Rules>,
    pub down: Option<Rules>,
}

#[derive(Clone, PartialEq, Debug)]
pub struct Keda {
    pub polling_s: u32,
    pub cooldown_s: u32,
    pub initial_cooldown_s: Option<u32>,
    pub min: u32,
    pub max_extra: u32,
    pub idle_zero: bool,
    pub list_length: u32,
    pub activation: u32,
    pub http: bool,
    pub behavior: Option<Behavior>,
}

#[derive(Clone, PartialEq, Debug)]
pub struct Hpa {
    pub min: u32,
    pub max_extra: u32,
    pub utilization: u32,
    pub behavior: Option<Behavior>,
    pub sync_s: u32,
}

#[derive(Clone, PartialEq, Debug)]
pub enum Autoscaler {
    None,
    Keda(Keda),
    Hpa(Hpa),
}

/// A generated scenario.
#[derive(Clone, PartialEq)]
pub struct Gen {
    pub seed: u64,
    pub duration_s: u32,
    pub broker: Broker,
    pub tasks: Vec<Task>,
    pub loads: Vec<Load>,
    pub worker: Worker,
    pub startup: [Dist; 4],
    pub initial_starting: bool,
    pub node_cpus: u32,
    pub autoscaler: Autoscaler,
    pub actions: Vec<(u32, u32)>,
}

impl Gen {
    /// The scenario file.
    pub fn yaml(&self) -> String {
        let mut s = String::new();
        s.push_str("apiVersion: scalesim.dev/v1alpha1\nkind: Scenario\nmetadata: {name: generated}\nspec:\n");
        s.push_str(&format!(
            "  seed: {}\n  duration: {}s\n",
            self.seed, self.duration_s
        ));
        match &self.broker {
            Broker::Redis {
                visibility_timeout_s,
                restore_interval_s,
                throttle,
            } => {
                s.push_str("  broker:\n    type: redis\n");
                if let Some(v) = visibility_timeout_s {
                    s.push_str(&format!("    visibilityTimeout: {v}s\n"));
                }
                s.push_str(&format!(
                    "    unackedRestoreInterval: {restore_interval_s}s\n    unackedRestoreThrottle: {throttle}\n"
                ));
            }
            Broker::Rabbit { global_qos } => {
                s.push_str(&format!(
                    "  broker: {{type: rabbitmq, globalQos: {global_qos}}}\n"
                ));
            }
        }
        let w = &self.worker;
        s.push_str("  workers:\n  - deployment: worker\n    celery:\n");
        s.push_str(&format!(
            "      concurrency: {}\n      prefetchMultiplier: {}\n      acksLate: {}\n      rejectOnWorkerLost: {}\n      pool: {}\n",
            w.concurrency, w.prefetch, w.acks_late, w.reject_on_worker_lost, w.pool
        ));
        if w.disable_prefetch && matches!(self.broker, Broker::Redis { .. }) {
            s.push_str("      disablePrefetch: true\n");
        }
        match w.signal {
            Signal::Main => s.push_str("      shutdownSignal: main\n"),
            Signal::ProcessGroup => s.push_str("      shutdownSignal: process-group\n"),
            Signal::Swallowed => s.push_str("      shutdownSignal: swallowed\n"),
            Signal::Remap => s.push_str(&format!(
                "      shutdownSignal: main\n      remapSigterm: true\n      softShutdownTimeout: {}s\n",
                w.soft_shutdown_s
            )),
        }
        s.push_str("  tasks:\n");
        for (i, t) in self.tasks.iter().enumerate() {
            s.push_str(&format!(
                "  - {{name: t{i}, kind: {}, duration: {}, priority: {}",
                if t.cpu { "cpu" } else { "io" },
                t.duration.yaml(),
                t.priority
            ));
            if let Some(a) = t.acks_late {
                s.push_str(&format!(", acksLate: {a}"));
            }
            if let Some(c) = t.countdown {
                s.push_str(&format!(", countdown: {}", c.yaml()));
            }
            s.push_str("}\n");
        }
        s.push_str("  load:\n");
        let nt = self.tasks.len();
        for l in &self.loads {
            let line = match l {
                Load::Burst {
                    task,
                    count,
                    at_s,
                    every_s,
                } => format!(
                    "burst: {{task: t{}, count: {count}, at: {at_s}s{}}}",
                    task % nt,
                    every_s.map(|e| format!(", every: {e}s")).unwrap_or_default()
                ),
                Load::Rate {
                    poisson,
                    task,
                    rate,
                    from_s,
                    len_s,
                } => format!(
                    "{}: {{task: t{}, rate: {rate}, from: {from_s}s, to: {}s}}",
                    if *poisson { "poisson" } else { "constant" },
                    task % nt,
                    from_s + len_s
                ),
                Load::Ramp {
                    task,
                    start,
                    end,
                    from_s,
                } => format!(
                    "ramp: {{task: t{}, startRate: {start}, endRate: {end}, from: {from_s}s}}",
                    task % nt
                ),
                Load::Step { task, steps } => {
                    let mut at = 0;
                    let parts: Vec<String> = steps
                        .iter()
                        .map(|(gap, r)| {
                            at += gap;
                            format!("{{at: {at}s, rate: {r}}}")
                        })
                        .collect();
                    format!("step: {{task: t{}, steps: [{}]}}", task % nt, parts.join(", "))
                }
                Load::Sine {
                    task,
                    base,
                    amplitude,
                    period_s,
                } => format!(
                    "sine: {{task: t{}, base: {base}, amplitude: {amplitude}, period: {period_s}s}}",
                    task % nt
                ),
            };
            s.push_str(&format!("  - {line}\n"));
        }
        s.push_str(&format!(
            "  pods:\n    initialPods: {}\n    nodeCpus: {}\n    startup:\n      scheduling: {}\n      imagePull: {}\n      containerStart: {}\n      celeryBoot: {}\n",
            if self.initial_starting { "starting" } else { "ready" },
            self.node_cpus,
            self.startup[0].yaml(),
            self.startup[1].yaml(),
            self.startup[2].yaml(),
            self.startup[3].yaml()
        ));
        if let Autoscaler::Hpa(h) = &self.autoscaler {
            s.push_str(&format!(
                "  kubernetes: {{hpa: {{syncPeriod: {}s}}}}\n",
                h.sync_s
            ));
        }
        if !self.actions.is_empty() {
            s.push_str("  actions:\n");
            for (at, r) in &self.actions {
                s.push_str(&format!(
                    "  - scale: {{at: {at}s, deployment: worker, replicas: {r}}}\n"
                ));
            }
        }
        // The worker Deployment.
        s.push_str("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker}\nspec:\n");
        s.push_str(&format!(
            "  replicas: {}\n  selector: {{matchLabels: {{app: worker}}}}\n  template:\n    metadata: {{labels: {{app: worker}}}}\n    spec:\n      terminationGracePeriodSeconds: {}\n      containers:\n      - name: worker\n        command: [celery, -A, app, worker]\n",
            w.replicas, w.grace_s
        ));
        s.push_str(&format!(
            "        resources:\n          requests: {{cpu: {}m}}\n",
            w.cpu_request_m
        ));
        if let Some(l) = w.cpu_limit_m {
            s.push_str(&format!("          limits: {{cpu: {l}m}}\n"));
        }
        if let Some((delay, period, threshold)) = w.readiness {
            s.push_str(&format!(
                "        readinessProbe: {{exec: {{command: [celery, inspect, ping]}}, initialDelaySeconds: {delay}, periodSeconds: {period}, successThreshold: {threshold}}}\n"
            ));
        }
        match &self.autoscaler {
            Autoscaler::None => {}
            Autoscaler::Keda(k) => {
                let max = k.min.max(1) + k.max_extra;
                s.push_str("---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: so}\nspec:\n  scaleTargetRef: {name: worker}\n");
                s.push_str(&format!(
                    "  pollingInterval: {}\n  cooldownPeriod: {}\n  minReplicaCount: {}\n  maxReplicaCount: {max}\n",
                    k.polling_s, k.cooldown_s, k.min
                ));
                if let Some(i) = k.initial_cooldown_s {
                    s.push_str(&format!("  initialCooldownPeriod: {i}\n"));
                }
                if k.idle_zero && k.min > 0 {
                    s.push_str("  idleReplicaCount: 0\n");
                }
                if let Some(b) = &k.behavior {
                    s.push_str(
                        "  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n",
                    );
                    s.push_str(&b.yaml("        "));
                }
                match &self.broker {
                    Broker::Redis { .. } => s.push_str(&format!(
                        "  triggers:\n  - type: redis\n    metadata: {{address: \"redis:6379\", listName: celery, listLength: \"{}\", activationListLength: \"{}\"}}\n",
                        k.list_length, k.activation
                    )),
                    Broker::Rabbit { .. } => s.push_str(&format!(
                        "  triggers:\n  - type: rabbitmq\n    metadata: {{host: \"{}\", protocol: {}, queueName: celery, mode: QueueLength, value: \"{}\", activationValue: \"{}\"}}\n",
                        if k.http { "http://guest:guest@rabbitmq:15672/" } else { "amqp://guest:guest@rabbitmq:5672/" },
                        if k.http { "http" } else { "amqp" },
                        k.list_length, k.activation
                    )),
                }
            }
            Autoscaler::Hpa(h) => {
                s.push_str("---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: hpa}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: worker}\n");
                s.push_str(&format!(
                    "  minReplicas: {}\n  maxReplicas: {}\n  metrics:\n  - type: Resource\n    resource: {{name: cpu, target: {{type: Utilization, averageUtilization: {}}}}}\n",
                    h.min, h.min + h.max_extra, h.utilization
                ));
                if let Some(b) = &h.behavior {
                    s.push_str("  behavior:\n");
                    s.push_str(&b.yaml("    "));
                }
            }
        }
        s
    }

    /// The ScaledObject's polling interval, when there is one.
    pub fn keda(&self) -> Option<&Keda> {
        match &self.autoscaler {
            Autoscaler::Keda(k) => Some(k),
            _ => None,
        }
    }
}

impl Behavior {
    fn yaml(&self, ind: &str) -> String {
        let mut s = String::new();
        for (name, r) in [("scaleUp", &self.up), ("scaleDown", &self.down)] {
            let Some(r) = r else { continue };
            s.push_str(&format!("{ind}{name}:\n"));
            if let Some(w) = r.window_s {
                s.push_str(&format!("{ind}  stabilizationWindowSeconds: {w}\n"));
            }
            s.push_str(&format!(
                "{ind}  selectPolicy: {}\n{ind}  policies:\n",
                r.select
            ));
            for p in &r.policies {
                s.push_str(&format!(
                    "{ind}  - {{type: {}, value: {}, periodSeconds: {}}}\n",
                    if p.percent { "Percent" } else { "Pods" },
                    p.value,
                    p.period_s
                ));
            }
        }
        s
    }
}

impl fmt::Debug for Gen {
    /// The scenario file, ready to save and run.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\n# ---- generated scenario: save as counter-example.yaml, then `scalesim run counter-example.yaml`\n{}# ----\n",
            self.yaml()
        )
    }
}

fn task() -> impl Strategy<Value = Task> {
    (
        any::<bool>(),
        prop_oneof![3 => dist(20_000), 1 => dist(90_000)],
        prop::option::of(any::<bool>()),
        prop::option::weighted(0.15, dist(60_000)),
        prop_oneof![6 => Just(0u8), 1 => 1u8..=9],
    )
        .prop_map(|(cpu, duration, acks_late, countdown, priority)| Task {
            cpu,
            duration,
            acks_late,
            countdown,
            priority,
        })
}

fn rate() -> impl Strategy<Value = f64> {
    (0u32..=400).prop_map(|r| r as f64 / 20.0)
}

fn load(duration_s: u32) -> impl Strategy<Value = Load> {
    prop_oneof![
        (
            0usize..4,
            0u32..=300,
            0..duration_s,
            prop::option::weighted(0.3, 5u32..=120)
        )
            .prop_map(|(task, count, at_s, every_s)| Load::Burst {
                task,
                count,
                at_s,
                every_s
            }),
        (
            any::<bool>(),
            0usize..4,
            rate(),
            0..duration_s,
            0..=duration_s
        )
            .prop_map(|(poisson, task, rate, from_s, len_s)| Load::Rate {
                poisson,
                task,
                rate,
                from_s,
                len_s
            }),
        (0usize..4, rate(), rate(), 0..duration_s).prop_map(|(task, start, end, from_s)| {
            Load::Ramp {
                task,
                start,
                end,
                from_s,
            }
        }),
        (0usize..4, prop::collection::vec((0u32..=120, rate()), 1..4))
            .prop_map(|(task, steps)| Load::Step { task, steps }),
        (0usize..4, rate(), rate(), 10u32..=300).prop_map(|(task, base, amplitude, period_s)| {
            Load::Sine {
                task,
                base,
                amplitude,
                period_s,
            }
        }),
    ]
}

fn broker() -> impl Strategy<Value = Broker> {
    prop_oneof![
        2 => (
            prop::option::weighted(0.6, prop_oneof![2 => 5u32..=40, 1 => 40u32..=300]),
            1u32..=20,
            1u32..=10,
        )
            .prop_map(
            |(visibility_timeout_s, restore_interval_s, throttle)| Broker::Redis {
                visibility_timeout_s,
                restore_interval_s,
                throttle
            }
        ),
        1 => any::<bool>().prop_map(|global_qos| Broker::Rabbit { global_qos }),
    ]
}

fn worker() -> impl Strategy<Value = Worker> {
    (
        (
            0u32..=4,
            1u32..=4,
            0u32..=4,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        prop::sample::select(vec!["prefork", "prefork", "threads", "solo", "gevent"]),
        prop::sample::select(vec![
            Signal::Main,
            Signal::Main,
            Signal::ProcessGroup,
            Signal::Swallowed,
            Signal::Remap,
        ]),
        0u32..=30,
        0u32..=60,
        prop::option::weighted(0.3, (0u32..=20, 1u32..=10, 1u32..=3)),
        prop::option::of(100u32..=2000),
        50u32..=1000,
    )
        .prop_map(
            |(
                (replicas, concurrency, prefetch, acks_late, reject, disable),
                pool,
                signal,
                soft,
                grace,
                readiness,
                cpu_limit_m,
                cpu_request_m,
            )| Worker {
                replicas,
                concurrency: if pool == "solo" { 1 } else { concurrency },
                prefetch,
                acks_late,
                reject_on_worker_lost: reject,
                disable_prefetch: disable,
                pool,
                signal,
                soft_shutdown_s: soft,
                grace_s: grace,
                readiness,
                cpu_limit_m,
                cpu_request_m,
            },
        )
}

fn rules() -> impl Strategy<Value = Rules> {
    (
        prop::option::of(0u32..=300),
        prop::sample::select(vec!["Max", "Max", "Min", "Disabled"]),
        prop::collection::vec(
            (any::<bool>(), 1u32..=10, 1u32..=120).prop_map(|(percent, v, period_s)| Policy {
                percent,
                value: if percent { v * 20 } else { v },
                period_s,
            }),
            1..3,
        ),
    )
        .prop_map(|(window_s, select, policies)| Rules {
            window_s,
            select,
            policies,
        })
}

pub fn behavior() -> impl Strategy<Value = Behavior> {
    (prop::option::of(rules()), prop::option::of(rules()))
        .prop_map(|(up, down)| Behavior { up, down })
}

fn keda() -> impl Strategy<Value = Keda> {
    (
        (
            1u32..=30,
            0u32..=120,
            prop::option::weighted(0.3, 0u32..=120),
        ),
        (0u32..=2, 0u32..=8, any::<bool>()),
        (1u32..=20, 0u32..=5, any::<bool>()),
        prop::option::weighted(0.4, behavior()),
    )
        .prop_map(
            |(
                (polling_s, cooldown_s, initial_cooldown_s),
                (min, max_extra, idle_zero),
                (list_length, activation, http),
                behavior,
            )| Keda {
                polling_s,
                cooldown_s,
                initial_cooldown_s,
                min,
                max_extra,
                idle_zero,
                list_length,
                activation,
                http,
                behavior,
            },
        )
}

fn hpa() -> impl Strategy<Value = Hpa> {
    (
        1u32..=3,
        0u32..=8,
        10u32..=100,
        prop::option::weighted(0.6, behavior()),
        prop::sample::select(vec![5u32, 10, 15, 30]),
    )
        .prop_map(|(min, max_extra, utilization, behavior, sync_s)| Hpa {
            min,
            max_extra,
            utilization,
            behavior,
            sync_s,
        })
}

/// A valid scenario of `min_s..=max_s` simulated seconds.
pub fn scenario(min_s: u32, max_s: u32) -> impl Strategy<Value = Gen> {
    (min_s..=max_s)
        .prop_flat_map(|duration_s| {
            (
                (any::<u64>(), Just(duration_s), broker()),
                prop::collection::vec(task(), 1..3),
                prop::collection::vec(load(duration_s), 1..4),
                worker(),
                [dist(8_000), dist(8_000), dist(8_000), dist(4_000)],
                (any::<bool>(), 1u32..=8),
                prop_oneof![
                    1 => Just(Autoscaler::None),
                    2 => keda().prop_map(Autoscaler::Keda),
                    2 => hpa().prop_map(Autoscaler::Hpa),
                ],
                prop::collection::vec((0..duration_s, 0u32..=4), 0..2),
            )
        })
        .prop_map(
            |(
                (seed, duration_s, broker),
                tasks,
                loads,
                worker,
                startup,
                (initial_starting, node_cpus),
                autoscaler,
                actions,
            )| Gen {
                seed: seed % 1_000_000,
                duration_s,
                broker,
                tasks,
                loads,
                worker,
                startup,
                initial_starting,
                node_cpus,
                autoscaler,
                actions,
            },
        )
}
