//! Synthetic runs for tests, demos and benchmarks of the report module.
//!
//! This is **not** the simulator: it is a cheap, deterministic caricature of a KEDA-scaled
//! Celery deployment (a load burst, a polling autoscaler with a scale-down stabilization
//! window, pods that take a while to become ready) that produces every file of a run directory
//! with plausible shapes, at any length (one sample to millions), so the charts and the HTML
//! can be exercised without a simulator.

use serde_json::json;

use super::data::{Decision, Event, RunData, Sample, Setting, Summary, TimeSeries, WaitStats};

/// What to generate.
#[derive(Clone, Debug)]
pub struct SyntheticOptions {
    /// Scenario name written into the summary.
    pub scenario: String,
    /// Seed of the noise.
    pub seed: u64,
    /// Number of samples (at least 1).
    pub samples: usize,
    /// Seconds between samples.
    pub sample_interval_s: f64,
    /// Autoscaler polling interval in seconds (KEDA `pollingInterval`).
    pub polling_interval_s: f64,
    /// Names of the queues; with more than one, per-queue depth columns are written.
    pub queues: Vec<String>,
    /// Peak arrival rate during the burst, tasks per second.
    pub burst_rate: f64,
}

impl Default for SyntheticOptions {
    fn default() -> Self {
        SyntheticOptions {
            scenario: "synthetic-keda-redis-burst".to_string(),
            seed: 42,
            samples: 601,
            sample_interval_s: 1.0,
            polling_interval_s: 15.0,
            queues: vec!["celery".to_string()],
            burst_rate: 40.0,
        }
    }
}

/// SplitMix64: a tiny, well-known deterministic generator (enough for noise).
struct Noise(u64);

impl Noise {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Generates a run. Same options, same run.
pub fn synthetic_run(opts: &SyntheticOptions) -> RunData {
    const CONCURRENCY: f64 = 4.0;
    const SERVICE_S: f64 = 2.0;
    const TARGET: f64 = 20.0;
    const MAX_REPLICAS: f64 = 30.0;
    const STARTUP_S: f64 = 25.0;
    const STABILIZATION_S: f64 = 120.0;
    const COOLDOWN_S: f64 = 60.0;
    let metric_name = format!("s0-redis-{}", opts.queues.first().map_or("celery", |q| q));
    let samples = opts.samples.max(1);
    let dt = opts.sample_interval_s.max(1e-3);
    let duration = (samples - 1) as f64 * dt;
    let poll = opts.polling_interval_s.max(dt);
    let mut rng = Noise(opts.seed ^ 0xA5A5_5A5A_D00D_F00D);

    let queue_names: Vec<&str> = if opts.queues.len() > 1 {
        opts.queues.iter().map(String::as_str).collect()
    } else {
        Vec::new()
    };
    let mut ts = TimeSeries::new(&queue_names, &[metric_name.as_str()], &[]);
    let mut events = Vec::new();
    let mut decisions = Vec::new();

    let (mut q, mut produced, mut completed) = (0.0f64, 0.0f64, 0.0f64);
    let mut replicas = 0.0f64;
    let mut starting: Vec<f64> = Vec::new(); // ready times
    let mut ready = 0.0f64;
    let mut terminating: Vec<f64> = Vec::new(); // gone times
    let mut next_poll = 0.0;
    let mut metric: Option<f64> = None;
    let mut last_up = f64::NEG_INFINITY;
    let mut last_active = f64::NEG_INFINITY;
    let mut recommendations: Vec<(f64, f64)> = Vec::new();
    let (mut pod_seconds, mut max_q, mut peak, mut ups, mut downs) = (0.0, 0.0f64, 0.0f64, 0, 0);
    let mut waits: Vec<f64> = Vec::new();
    let mut drained_at: Option<f64> = None;
    let load_end = duration * 0.8;

    for i in 0..samples {
        let t = i as f64 * dt;
        // Load: a base rate in the middle of the run, with a burst.
        let x = if duration > 0.0 { t / duration } else { 0.0 };
        let rate = if (0.05..0.8).contains(&x) {
            let burst = if (0.2..0.45).contains(&x) { 1.0 } else { 0.0 };
            opts.burst_rate * (0.15 + 0.85 * burst)
        } else {
            0.0
        };
        let arrivals = (rate * dt * (0.7 + 0.6 * rng.next_f64())).round();
        q += arrivals;
        produced += arrivals;

        // Pods becoming ready or going away.
        let became_ready = starting.iter().filter(|&&r| r <= t).count() as f64;
        starting.retain(|&r| r > t);
        ready += became_ready;
        terminating.retain(|&g| g > t);

        // Workers.
        let capacity = ready * CONCURRENCY / SERVICE_S * dt;
        let started = q.min(capacity.floor());
        q -= started;
        completed += started;
        let running = (started * SERVICE_S / dt).min(ready * CONCURRENCY);
        let reserved = q.min(ready * CONCURRENCY);
        let wait = if started > 0.0 {
            Some(q / (capacity / dt).max(1e-9) * (0.9 + 0.2 * rng.next_f64()))
        } else {
            None
        };
        if let Some(w) = wait {
            waits.push(w);
        }
        if q > 0.0 {
            last_active = t;
        }
        if t > load_end && q == 0.0 && drained_at.is_none() {
            drained_at = Some(t - load_end);
        }

        // Autoscaler.
        if t >= next_poll {
            next_poll += poll;
            let before = replicas;
            if q > 0.0 && replicas == 0.0 {
                replicas = 1.0;
                events.push(event(t, "keda", "KEDAScaleTargetActivated",
                    "Scaled apps/v1.Deployment default/worker from 0 to 1, triggered by redisScaler"));
                decisions.push(Decision {
                    time_s: t,
                    source: "keda".into(),
                    from: 0,
                    to: 1,
                    rule: "Activation".into(),
                    summary: format!("queue length {q} above activation threshold 0"),
                    inputs: json!({"queue_length": q, "activationListLength": 0}),
                    extra: Default::default(),
                });
            } else if q == 0.0 && replicas > 0.0 && t - last_active >= COOLDOWN_S && t > load_end {
                replicas = 0.0;
                events.push(event(
                    t,
                    "keda",
                    "KEDAScaleTargetDeactivated",
                    "Deactivated apps/v1.Deployment default/worker from 1 to 0",
                ));
                decisions.push(Decision {
                    time_s: t,
                    source: "keda".into(),
                    from: before as u64,
                    to: 0,
                    rule: "CooldownElapsed".into(),
                    summary: format!("queue empty for {COOLDOWN_S}s (cooldownPeriod)"),
                    inputs: json!({"queue_length": 0, "cooldownPeriod": COOLDOWN_S}),
                    extra: Default::default(),
                });
            } else if replicas > 0.0 {
                let m = q / replicas;
                metric = Some(m);
                let desired = (replicas * m / TARGET).ceil().clamp(1.0, MAX_REPLICAS);
                recommendations.push((t, desired));
                recommendations.retain(|&(rt, _)| t - rt <= STABILIZATION_S);
                let stabilized = recommendations.iter().map(|r| r.1).fold(0.0, f64::max);
                let (new, rule) = if desired > replicas {
                    let limited = desired.min(replicas * 2.0 + 4.0);
                    let rule = if limited < desired {
                        "ScaleUpLimit"
                    } else {
                        "DesiredWithinRange"
                    };
                    (limited, rule)
                } else if stabilized < replicas {
                    (stabilized, "ScaleDownStabilized")
                } else {
                    (replicas, "")
                };
                if new != replicas {
                    replicas = new;
                    let up = new > before;
                    if up {
                        ups += 1;
                        last_up = t;
                    } else {
                        downs += 1;
                    }
                    let dir = if up { "above" } else { "below" };
                    events.push(event(t, "hpa", "SuccessfulRescale", &format!(
                        "New size: {new}; reason: external metric {metric_name}(&LabelSelector{{MatchLabels:map[string]string{{scaledobject.keda.sh/name: worker,}},MatchExpressions:[]LabelSelectorRequirement{{}},}}) {dir} target"
                    )));
                    decisions.push(Decision {
                        time_s: t,
                        source: "hpa".into(),
                        from: before as u64,
                        to: new as u64,
                        rule: rule.into(),
                        summary: format!(
                            "metric {m:.1} per replica vs target {TARGET}: desired {desired}, {rule} gives {new}"
                        ),
                        inputs: json!({
                            "metric": {"name": metric_name, "value": m, "target": TARGET, "type": "AverageValue"},
                            "currentReplicas": before,
                            "desiredReplicas": desired,
                            "stabilizationWindow": {"seconds": STABILIZATION_S, "recommendations": recommendations.iter().map(|r| r.1).collect::<Vec<_>>()},
                            "scaleUpLimit": before * 2.0 + 4.0,
                            "lastScaleUp_s": last_up,
                        }),
                        extra: Default::default(),
                    });
                }
            }
            // Reconcile pods with the new spec.
            let have = ready + starting.len() as f64;
            if replicas > have {
                for _ in 0..(replicas - have) as usize {
                    starting.push(t + STARTUP_S * (0.8 + 0.4 * rng.next_f64()));
                }
            } else if replicas < have {
                let mut excess = (have - replicas) as usize;
                while excess > 0 && !starting.is_empty() {
                    starting.pop();
                    excess -= 1;
                }
                let gone = (excess as f64).min(ready);
                ready -= gone;
                for _ in 0..gone as usize {
                    terminating.push(t + 10.0);
                }
            }
        }
        max_q = max_q.max(q);
        peak = peak.max(replicas);
        pod_seconds += (ready + starting.len() as f64) * dt;

        let sample = Sample {
            time_s: t,
            queue_depth: q,
            reserved,
            running,
            replicas,
            pods_ready: ready,
            pods_starting: starting.len() as f64,
            pods_terminating: terminating.len() as f64,
            produced_total: produced,
            completed_total: completed,
            lost_total: 0.0,
            duplicated_total: 0.0,
            wait_p50_s: wait.map(|w| w * 0.6),
            wait_p95_s: wait.map(|w| w * 1.4),
            wait_max_s: wait.map(|w| w * 1.9 + 0.5),
        };
        // Split the queue by fixed weights when there are several queues.
        let n = queue_names.len();
        let per_queue: Vec<f64> = (0..n)
            .map(|k| (q * (n - k) as f64 * 2.0 / (n * (n + 1)) as f64).round())
            .collect();
        ts.push(&sample, &per_queue, &[(metric, Some(TARGET))], &[])
            .expect("generator keeps its own columns consistent");
    }

    waits.sort_by(f64::total_cmp);
    let pct = |p: f64| -> Option<f64> {
        if waits.is_empty() {
            None
        } else {
            let k = ((waits.len() - 1) as f64 * p).round() as usize;
            Some(waits[k])
        }
    };
    let mean = (!waits.is_empty()).then(|| waits.iter().sum::<f64>() / waits.len() as f64);
    let mut warnings = Vec::new();
    if peak >= MAX_REPLICAS {
        warnings.push(format!("replicas reached maxReplicaCount ({MAX_REPLICAS})"));
    }
    let summary = Summary {
        scenario: opts.scenario.clone(),
        seed: opts.seed,
        duration_s: duration,
        produced: produced as u64,
        completed: completed as u64,
        lost: 0,
        duplicated: 0,
        wait_s: WaitStats {
            mean,
            p50: pct(0.5),
            p95: pct(0.95),
            p99: pct(0.99),
            max: waits.last().copied(),
        },
        max_queue_depth: max_q as u64,
        peak_replicas: peak as u64,
        pod_seconds,
        scale_ups: ups,
        scale_downs: downs,
        drain_time_s: drained_at,
        warnings,
        notes: Vec::new(),
        extra: Default::default(),
    };
    let setting =
        |component: &str, name: &str, value: String, default: bool, origin: &str| Setting {
            component: component.into(),
            name: name.into(),
            value,
            default,
            origin: (!origin.is_empty()).then(|| origin.to_string()),
        };
    let settings = vec![
        setting(
            "keda",
            "pollingInterval",
            format!("{}", opts.polling_interval_s),
            opts.polling_interval_s == 30.0,
            "k8s-reference/keda-redis/scaledobject.yaml:9",
        ),
        setting(
            "keda",
            "cooldownPeriod",
            format!("{COOLDOWN_S}"),
            false,
            "k8s-reference/keda-redis/scaledobject.yaml:10",
        ),
        setting("keda", "minReplicaCount", "0".into(), true, ""),
        setting(
            "keda",
            "maxReplicaCount",
            format!("{MAX_REPLICAS}"),
            false,
            "k8s-reference/keda-redis/scaledobject.yaml:12",
        ),
        setting(
            "keda",
            "listLength",
            format!("{TARGET}"),
            false,
            "k8s-reference/keda-redis/scaledobject.yaml:20",
        ),
        setting(
            "hpa",
            "scaleDown.stabilizationWindowSeconds",
            format!("{STABILIZATION_S}"),
            false,
            "--set",
        ),
        setting(
            "celery",
            "worker_concurrency",
            format!("{CONCURRENCY}"),
            false,
            "scenario.yaml:14",
        ),
        setting("celery", "worker_prefetch_multiplier", "4".into(), true, ""),
        setting("celery", "task_acks_late", "false".into(), true, ""),
        setting(
            "pods",
            "startupSeconds",
            format!("{STARTUP_S}"),
            false,
            "scenario.yaml:21",
        ),
    ];
    let scenario_yaml = format!(
        "name: {}\nseed: {}\nduration: {}s\nload:\n  burst:\n    rate: {}\nautoscaler:\n  keda:\n    pollingInterval: {}\n",
        opts.scenario, opts.seed, duration, opts.burst_rate, opts.polling_interval_s
    );
    RunData {
        summary,
        series: ts,
        events,
        settings,
        decisions,
        scenario_yaml: Some(scenario_yaml),
    }
}

fn event(t: f64, source: &str, reason: &str, message: &str) -> Event {
    Event {
        time_s: t,
        source: source.to_string(),
        kind: "Normal".to_string(),
        reason: reason.to_string(),
        message: message.to_string(),
    }
}
