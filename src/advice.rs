//! Configuration notes: what a scenario's manifests do that their author may not expect.
//!
//! Each note names the object, the setting and the consequence, with the numbers of this
//! scenario, in the terms the real controllers use: KEDA's `cooldownPeriod` only gates the
//! scale to zero, the generated HPA's legacy path limits scale-up and waits 5 minutes before a
//! scale-down, Celery's prefetch hides tasks from `LLEN`, a pod killed after
//! `terminationGracePeriodSeconds` loses its early-ack tasks. They are derived from the
//! scenario alone (pure function, same order every time) and shown in `summary.json`
//! (`notes`), on the terminal and in `report.html`.

use crate::dist::DurationDist;
use crate::hpa::{HpaSpec, MetricSpec};
use crate::keda::scalers::rabbitmq::{RabbitMode, RabbitProtocol};
use crate::keda::scalers::Scaler;
use crate::scenario::{BrokerKind, CeleryConfig, Scenario, TaskKind, WorkerGroup};
use crate::sim::control::controller_config;
use crate::time::Dur;

/// Notes for `sc`, in a stable order: per ScaledObject, per HPA, then per worker Deployment.
pub fn notes(sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let legacy_window = controller_config(sc).downscale_stabilization;
    for k in &sc.scaled_objects {
        keda_notes(sc, k, legacy_window, &mut out);
    }
    for h in &sc.hpas {
        let group = &sc.workers[h.group];
        hpa_notes(sc, &h.id, &h.spec, group, &mut out);
    }
    for (g, w) in sc.workers.iter().enumerate() {
        task_length_notes(sc, w, autoscaled(sc, g), &mut out);
    }
    out
}

fn autoscaled(sc: &Scenario, g: usize) -> bool {
    sc.hpas.iter().any(|h| h.group == g) || sc.scaled_objects.iter().any(|k| k.group == g)
}

/// `5 min`, `15 s`, `1.5 s`.
fn secs(d: Dur) -> String {
    let s = d.as_secs_f64();
    if s >= 60.0 && s % 60.0 == 0.0 {
        format!("{} min", s / 60.0)
    } else {
        format!("{} s", crate::observe::fmt_num(s))
    }
}

/// Messages one worker pod removes from its queues and holds (prefetched plus running), which
/// a `LLEN` or an AMQP `messages_ready` count no longer sees; `None` when unbounded.
///
/// The prefetch window is `concurrency x prefetch_multiplier` (celery
/// `celery/worker/components.py` `Consumer.create`; 0 is unlimited, `kombu/common.py` `QoS`),
/// counted against delivered-but-unacked messages (`kombu/transport/virtual/base.py`
/// `QoS.can_consume`): an early ack frees the window while the task still runs.
/// `--disable-prefetch` stops fetching at pool size (`celery/worker/consumer/tasks.py`).
pub fn hidden_per_pod(c: &CeleryConfig) -> Option<u32> {
    if c.disable_prefetch {
        return Some(c.concurrency);
    }
    let window = c.prefetch_count()?;
    // Early ack: running tasks are acked and leave the window, so N more are held.
    Some(if c.acks_late {
        window
    } else {
        window + c.concurrency
    })
}

fn prefetch_text(c: &CeleryConfig) -> String {
    if c.disable_prefetch {
        format!("concurrency {}, prefetch disabled", c.concurrency)
    } else if c.acks_late {
        format!(
            "concurrency {} x prefetch multiplier {}, late ack",
            c.concurrency, c.prefetch_multiplier
        )
    } else {
        format!(
            "concurrency {} x prefetch multiplier {} prefetched, plus {} running (early ack)",
            c.concurrency, c.prefetch_multiplier, c.concurrency
        )
    }
}

/// A ScaledObject's notes. KEDA's executor writes only activation (0 -> max(min, 1)) and
/// deactivation after `cooldownPeriod` (kedacore/keda `pkg/scaling/executor/
/// scale_scaledobjects.go` `RequestScale`); between min and max the generated HPA decides
/// (`controllers/keda/hpa.go` `newHPAForScaledObject`) and reads the metric from KEDA's
/// metrics adapter on each of its syncs, not from the poll loop.
fn keda_notes(
    sc: &Scenario,
    k: &crate::scenario::autoscalers::KedaDef,
    legacy_window: Dur,
    out: &mut Vec<String>,
) {
    let spec = &k.compiled.object.so.spec;
    let id = &k.id;
    let min = spec.min_replica_count.as_ref().map_or(0, |v| v.value);
    let max = spec.max_replica_count.as_ref().map_or(100, |v| v.value);
    let idle = spec.idle_replica_count.as_ref().map(|v| v.value);
    let cooldown = spec.cooldown_period.as_ref().map_or(300, |v| v.value);
    let polling = spec.polling_interval.as_ref().map_or(30, |v| v.value);
    let hpa = &k.compiled.hpa.spec;
    let group = &sc.workers[k.group];
    if min >= 1 && idle.is_none() {
        let down = match &hpa.behavior {
            None => format!(
                "with the HPA's default {} scale-down stabilization window, since no \
                 advanced.horizontalPodAutoscalerConfig.behavior is set",
                secs(legacy_window)
            ),
            Some(b) => format!(
                "as its behavior.scaleDown allows (stabilization window {} s)",
                b.scale_down.stabilization_window_seconds.unwrap_or(300)
            ),
        };
        out.push(format!(
            "{id}: cooldownPeriod ({cooldown} s) has no effect on the scale-down from {max} to \
             {min}: minReplicaCount is {min}, so KEDA never deactivates the Deployment; \
             HorizontalPodAutoscaler/{} scales it between {min} and {max}, {down}.",
            hpa.name
        ));
        let cached = k
            .compiled
            .object
            .triggers
            .iter()
            .any(|t| t.use_cached_metrics);
        if !cached {
            out.push(format!(
                "{id}: pollingInterval ({polling} s) does not change how fast replicas follow \
                 the queue between {min} and {max}: the HPA asks the scaler for the metric \
                 itself on every sync ({}); KEDA's poll only decides activation and status.",
                secs(controller_config(sc).sync_period)
            ));
        }
    } else {
        let to = idle.unwrap_or(0);
        out.push(format!(
            "{id}: the first task after an idle period waits up to pollingInterval ({polling} s) \
             for KEDA to notice it, then for a pod to start; KEDA scales back to {to} only \
             cooldownPeriod ({cooldown} s) after the last poll that saw work."
        ));
    }
    if hpa.behavior.is_none() {
        out.push(legacy_rules_note(
            sc,
            &format!("HorizontalPodAutoscaler/{}", hpa.name),
        ));
    }
    for t in &k.compiled.object.triggers {
        match &t.scaler {
            Scaler::Redis(r) => {
                let list = &r.metadata.list_name;
                redis_list_notes(sc, id, list, group, max, out);
            }
            Scaler::RabbitMq(r) => {
                let m = &r.metadata;
                if m.mode == RabbitMode::QueueLength && m.protocol == RabbitProtocol::Amqp {
                    let hidden = hidden_per_pod(&group.celery);
                    out.push(format!(
                        "{id}: the rabbitmq trigger on {} connects over AMQP and counts ready \
                         messages only: the messages each worker pod has taken ({}) are invisible \
                         to it (over http, QueueLength also counts unacknowledged ones).",
                        m.queue_name,
                        hidden.map_or("unbounded: prefetch multiplier 0".into(), |h| format!(
                            "up to {h}: {}",
                            prefetch_text(&group.celery)
                        ))
                    ));
                }
            }
            Scaler::Prometheus(_) => {}
        }
    }
}

/// What `LLEN <list>` does not see for the Deployment `group`: KEDA's redis scaler reads
/// `LLEN` of `listName` only (kedacore/keda `pkg/scalers/redis_scaler.go`), while kombu keeps
/// priority bands in separate lists and moves fetched messages to the `unacked` hash
/// (`kombu/transport/redis.py` `Channel._brpop_start`, `QoS.append`).
fn redis_list_notes(
    sc: &Scenario,
    id: &str,
    list: &str,
    group: &WorkerGroup,
    max: i32,
    out: &mut Vec<String>,
) {
    let c = &group.celery;
    match hidden_per_pod(c) {
        Some(h) => out.push(format!(
            "{id}: LLEN {list} does not count tasks a worker has taken: each pod of \
             Deployment/{} holds up to {h} ({}), so up to {} at maxReplicaCount {max} are \
             invisible to the scaler.",
            group.deployment,
            prefetch_text(c),
            h as u64 * max.max(0) as u64
        )),
        None => out.push(format!(
            "{id}: LLEN {list} does not count tasks a worker has taken, and with prefetch \
             multiplier 0 each pod of Deployment/{} takes all it can: the list can look empty \
             while pods hold the backlog.",
            group.deployment
        )),
    }
    let Some(q) = sc.queues.iter().position(|n| n == list) else {
        return;
    };
    // Tasks routed to this queue with a priority outside band 0 go to another list.
    if sc.broker.kind == BrokerKind::Redis {
        let steps = &sc.broker.priority_steps;
        for t in sc.tasks.iter().filter(|t| t.queue == q) {
            let band = steps
                .iter()
                .rposition(|s| *s <= t.priority.min(9))
                .unwrap_or(0);
            if band > 0 {
                out.push(format!(
                    "{id}: task type {} (priority {}) goes to the Redis list '{list}\\x06\\x16{}', \
                     which LLEN {list} does not count.",
                    t.name, t.priority, steps[band]
                ));
            }
        }
    }
    let others: Vec<&str> = c
        .queues
        .iter()
        .filter(|&&qi| qi != q)
        .map(|&qi| sc.queues[qi].as_str())
        .collect();
    if !others.is_empty()
        && sc
            .tasks
            .iter()
            .any(|t| c.queues.contains(&t.queue) && t.queue != q)
    {
        out.push(format!(
            "{id}: Deployment/{} also consumes {}, which the trigger on {list} does not count: \
             a backlog there does not scale it.",
            group.deployment,
            others.join(", ")
        ));
    }
}

fn hpa_notes(sc: &Scenario, id: &str, spec: &HpaSpec, group: &WorkerGroup, out: &mut Vec<String>) {
    let consumed: Vec<_> = sc
        .tasks
        .iter()
        .filter(|t| group.celery.queues.contains(&t.queue))
        .collect();
    let cpu = spec.metrics.iter().any(|m| {
        matches!(m, MetricSpec::Resource { name, .. } | MetricSpec::ContainerResource { name, .. } if name == "cpu")
    });
    let io: Vec<&str> = consumed
        .iter()
        .filter(|t| t.kind == TaskKind::Io)
        .map(|t| t.name.as_str())
        .collect();
    if cpu && !io.is_empty() {
        out.push(format!(
            "{id}: scales on CPU, but tasks {} are I/O-bound: a worker waiting on I/O uses \
             little CPU, so a backlog of them does not raise utilization.",
            io.join(", ")
        ));
    }
    // External metrics served by prometheus-adapter from an exporter that counts `LLEN`.
    for m in &spec.metrics {
        let MetricSpec::External { metric, .. } = m else {
            continue;
        };
        let Some(rule) = sc
            .metrics
            .external
            .iter()
            .find(|e| e.name.value == metric.name)
        else {
            continue;
        };
        for ex in &sc.metrics.exporters {
            let llen = ex.count.as_ref().is_none_or(|c| c.value == "llen");
            if llen && rule.query.value.contains(ex.metric.value.as_str()) {
                let hidden = hidden_per_pod(&group.celery)
                    .map_or("all it can (prefetch multiplier 0)".to_string(), |h| {
                        format!("up to {h} ({})", prefetch_text(&group.celery))
                    });
                let poll = ex
                    .interval
                    .as_ref()
                    .map_or(Dur::from_secs(5), |i| i.value.0);
                let scrape = sc
                    .metrics
                    .prometheus
                    .as_ref()
                    .and_then(|p| p.scrape_interval.as_ref())
                    .map_or(Dur::from_secs(15), |i| i.value.0);
                out.push(format!(
                    "{id}: the external metric {} is the exporter series {} (LLEN of {}) read \
                     through Prometheus: it does not see the tasks each pod of Deployment/{} \
                     holds, {hidden}, and it lags the queue by up to {} (exporter interval {} \
                     plus scrape interval {}) before the HPA's own sync.",
                    metric.name,
                    ex.metric.value,
                    ex.queues.join(", "),
                    group.deployment,
                    secs(poll + scrape),
                    secs(poll),
                    secs(scrape)
                ));
            }
        }
    }
    if spec.behavior.is_none() {
        out.push(legacy_rules_note(sc, id));
    }
}

/// An HPA without `behavior`: the scale-up limit and the scale-down window of the legacy path
/// (kubernetes `pkg/controller/podautoscaler/horizontal.go` `normalizeDesiredReplicas`,
/// `calculateScaleUpLimit`, `stabilizeRecommendation`).
fn legacy_rules_note(sc: &Scenario, id: &str) -> String {
    let c = controller_config(sc);
    format!(
        "{id}: no behavior is set, so the HPA's legacy rules apply: at most max({} x current, \
         {}) replicas per sync on the way up, and on the way down the highest recommendation \
         of the last {}.",
        c.scale_up_limit_factor,
        c.scale_up_limit_minimum,
        secs(c.downscale_stabilization)
    )
}

/// Tasks that outlive a scale-down's grace period (when the Deployment is autoscaled), and
/// late-ack tasks longer than the broker's own timeout (Redis visibility timeout, RabbitMQ
/// consumer_timeout), which bites at any replica count. Warm shutdown waits for running tasks
/// until SIGKILL (`celery/apps/worker.py`); kombu restores unacked messages older than the
/// visibility timeout (`kombu/transport/redis.py` `QoS.restore_visible`).
fn task_length_notes(sc: &Scenario, w: &WorkerGroup, autoscaled: bool, out: &mut Vec<String>) {
    let grace = w.termination_grace.as_secs_f64();
    for t in sc
        .tasks
        .iter()
        .filter(|t| w.celery.queues.contains(&t.queue))
    {
        let long = long_tail_secs(&t.duration);
        let late = t.acks_late.unwrap_or(w.celery.acks_late);
        if autoscaled && long > grace {
            let fate = if late {
                match sc.broker.kind {
                    BrokerKind::Redis => format!(
                        "they are late-ack, so they come back after the visibility timeout ({})",
                        secs(sc.broker.visibility_timeout)
                    ),
                    BrokerKind::RabbitMq => {
                        "they are late-ack, so RabbitMQ requeues them when the connection closes"
                            .to_string()
                    }
                }
            } else {
                "they are acked early, so they are lost".to_string()
            };
            out.push(format!(
                "Deployment/{}: task type {} can run longer ({}) than terminationGracePeriodSeconds \
                 ({}); a scale-down kills them: {fate}.",
                w.deployment,
                t.name,
                describe_long(&t.duration, long),
                secs(w.termination_grace)
            ));
        }
        if late
            && sc.broker.kind == BrokerKind::RabbitMq
            && long > sc.broker.consumer_timeout.as_secs_f64()
        {
            out.push(format!(
                "Deployment/{}: late-ack task type {} can run longer than RabbitMQ's \
                 consumer_timeout ({}): RabbitMQ would close the worker's channel and requeue \
                 its unacknowledged messages; scalesim does not simulate that timeout.",
                w.deployment,
                t.name,
                secs(sc.broker.consumer_timeout)
            ));
        }
        if late
            && sc.broker.kind == BrokerKind::Redis
            && long > sc.broker.visibility_timeout.as_secs_f64()
        {
            out.push(format!(
                "Deployment/{}: late-ack task type {} can run longer than the Redis visibility \
                 timeout ({}): kombu restores them while they run, and they run twice.",
                w.deployment,
                t.name,
                secs(sc.broker.visibility_timeout)
            ));
        }
    }
}

/// A duration the distribution exceeds rarely (its maximum, or its 99th percentile).
fn long_tail_secs(d: &DurationDist) -> f64 {
    match d {
        DurationDist::Constant(c) => c.as_secs_f64(),
        DurationDist::Uniform { max, .. } => max.as_secs_f64(),
        DurationDist::Exponential { mean } => mean.as_secs_f64() * 100f64.ln(),
        DurationDist::LogNormal { mu, sigma } => (mu + 2.326_347_874 * sigma).exp(),
        DurationDist::Empirical { values, .. } => {
            values.iter().map(|v| v.as_secs_f64()).fold(0.0, f64::max)
        }
    }
}

fn describe_long(d: &DurationDist, long: f64) -> String {
    let s = crate::observe::fmt_num(crate::observe::round_sig(long, 3));
    match d {
        DurationDist::Constant(_) => format!("{s} s"),
        DurationDist::Uniform { .. } | DurationDist::Empirical { .. } => format!("up to {s} s"),
        _ => format!("p99 {s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{load, LoadOptions, Source};

    fn notes_of(path: &str) -> Vec<String> {
        let sc = load(
            &Source::Embedded(crate::scenario::files::EMBEDDED),
            path,
            &LoadOptions::default(),
        )
        .unwrap();
        notes(&sc)
    }

    #[test]
    fn seed_000_burst_says_cooldown_only_gates_zero_and_prefetch_hides_tasks() {
        let n = notes_of("scenarios/keda-redis-burst.yaml");
        let all = n.join("\n");
        assert!(
            all.contains("cooldownPeriod (10 s) has no effect on the scale-down from 10 to 1"),
            "{all}"
        );
        assert!(
            all.contains("default 5 min scale-down stabilization window"),
            "{all}"
        );
        assert!(
            all.contains("pollingInterval (3 s) does not change"),
            "{all}"
        );
        // --concurrency=1, default prefetch multiplier 4, early ack: 4 prefetched + 1 running.
        assert!(
            all.contains("holds up to 5 (concurrency 1 x prefetch multiplier 4 prefetched, plus 1 running (early ack)), so up to 50 at maxReplicaCount 10"),
            "{all}"
        );
        // The workers also consume low_priority, which no task uses here: no note about it.
        assert!(!all.contains("also consumes"), "{all}");
    }

    #[test]
    fn scale_to_zero_notes_activation_and_the_long_task() {
        let all = notes_of("scenarios/keda-redis-scale-to-zero.yaml").join("\n");
        assert!(all.contains("waits up to pollingInterval (15 s)"), "{all}");
        assert!(
            all.contains("cooldownPeriod (60 s) after the last poll"),
            "{all}"
        );
        assert!(
            all.contains("task type tasks.report can run longer (360 s)"),
            "{all}"
        );
        assert!(!all.contains("has no effect"), "{all}");
    }

    #[test]
    fn hpa_on_cpu_with_io_tasks_is_flagged() {
        let all = notes_of("scenarios/hpa-cpu.yaml").join("\n");
        assert!(
            all.contains("scales on CPU, but tasks app.tasks.io_bound are I/O-bound"),
            "{all}"
        );
        assert!(
            all.contains("no behavior is set, so the HPA's legacy rules apply"),
            "{all}"
        );
    }

    #[test]
    fn late_ack_tasks_past_rabbitmq_consumer_timeout_are_flagged() {
        let opts = LoadOptions {
            overrides: vec![
                "broker.consumerTimeout=1m".to_string(),
                "workers.0.celery.acksLate=true".to_string(),
            ],
            ..LoadOptions::default()
        };
        let sc = load(
            &Source::Embedded(crate::scenario::files::EMBEDDED),
            "scenarios/rabbitmq-fixed.yaml",
            &opts,
        )
        .unwrap();
        let all = notes(&sc).join("\n");
        assert!(all.contains("consumer_timeout (1 min)"), "{all}");
        assert!(
            sc.warnings
                .iter()
                .any(|w| w.to_string().contains("consumerTimeout: not simulated")),
            "{:?}",
            sc.warnings
        );
    }

    #[test]
    fn hidden_per_pod_follows_the_prefetch_rule() {
        let sc = load(
            &Source::Embedded(crate::scenario::files::EMBEDDED),
            "scenarios/keda-redis-burst.yaml",
            &LoadOptions::default(),
        )
        .unwrap();
        let mut c = sc.workers[0].celery.clone();
        c.concurrency = 2;
        c.prefetch_multiplier = 4;
        c.acks_late = false;
        assert_eq!(hidden_per_pod(&c), Some(10));
        c.acks_late = true;
        assert_eq!(hidden_per_pod(&c), Some(8));
        c.disable_prefetch = true;
        assert_eq!(hidden_per_pod(&c), Some(2));
        c.disable_prefetch = false;
        c.prefetch_multiplier = 0;
        assert_eq!(hidden_per_pod(&c), None);
    }
}
