//! Everything that watches the broker on the autoscalers' behalf, with its own delays:
//! RabbitMQ's management statistics (rates over 5-second intervals), queue-depth exporters
//! polling Redis (seed 002's FastAPI exporter), Prometheus scraping them, and
//! prometheus-adapter answering the HPA's external-metric requests with a PromQL query.
//!
//! The lag of this chain is part of the result: a backlog reaches the HPA only after the
//! exporter's next poll and Prometheus's next scrape.

use crate::broker::Broker;
use crate::hpa::LabelSelector;
use crate::promql::{self, Tsdb};
use crate::scenario::{BrokerKind, Scenario};
use crate::time::{Dur, SimTime};

/// What a queue-depth exporter counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountMode {
    /// `LLEN <queue>`: band 0 only.
    Llen,
    /// Every priority band.
    AllBands,
    /// Ready plus delivered-but-unacked.
    ReadyPlusUnacked,
}

/// A queue-depth exporter.
#[derive(Clone, Debug)]
pub struct Exporter {
    /// Series name.
    pub metric: String,
    /// Queues (indices) it reports, one series each with label `queue`.
    pub queues: Vec<usize>,
    /// What it counts.
    pub count: CountMode,
    /// Poll interval.
    pub interval: Dur,
    /// Values from its last poll (per queue), what `/metrics` serves.
    pub last: Vec<f64>,
}

/// The observation pipeline.
#[derive(Debug)]
pub struct Telemetry {
    /// Exporters.
    pub exporters: Vec<Exporter>,
    /// Prometheus storage (None when the scenario has no Prometheus).
    pub tsdb: Option<Tsdb>,
    /// Scrape interval.
    pub scrape_interval: Dur,
    /// Instant-query lookback.
    pub lookback: Dur,
    /// prometheus-adapter rules: external metric name -> query.
    pub external: Vec<(String, String)>,
    /// RabbitMQ management snapshots per queue: (time, published, delivered) now and 5 s ago.
    rabbit: Vec<[(SimTime, u64, u64); 2]>,
    /// Completed executions per task type (`celery_task_success_total`).
    pub task_success: Vec<u64>,
}

/// RabbitMQ's `collect_statistics_interval` (5000 ms): rates are per this interval.
pub const RABBIT_STATS_INTERVAL: Dur = Dur::from_secs(5);

impl Telemetry {
    /// The pipeline the scenario describes.
    pub fn new(sc: &Scenario) -> Telemetry {
        let m = &sc.metrics;
        let exporters = m
            .exporters
            .iter()
            .map(|e| Exporter {
                metric: e.metric.value.clone(),
                queues: e
                    .queues
                    .iter()
                    .filter_map(|q| sc.queues.iter().position(|x| x == q))
                    .collect(),
                count: match e.count.as_ref().map(|c| c.value.as_str()) {
                    Some("all-bands") => CountMode::AllBands,
                    Some("ready+unacked") => CountMode::ReadyPlusUnacked,
                    _ => CountMode::Llen,
                },
                interval: e.interval.as_ref().map_or(Dur::from_secs(5), |d| d.value.0),
                last: vec![0.0; e.queues.len()],
            })
            .collect();
        let prom = m.prometheus.clone().unwrap_or_default();
        let scrape_interval = prom
            .scrape_interval
            .as_ref()
            .map_or(Dur::from_secs(15), |d| d.value.0);
        let lookback = prom
            .lookback_delta
            .as_ref()
            .map_or(Dur::from_secs(300), |d| d.value.0);
        let wants_prom = m.prometheus.is_some()
            || !m.exporters.is_empty()
            || !m.external.is_empty()
            || uses_prometheus_trigger(sc);
        Telemetry {
            exporters,
            tsdb: wants_prom.then(|| Tsdb::new(Dur(lookback.0.max(Dur::from_secs(3600).0) * 2))),
            scrape_interval,
            lookback,
            external: m
                .external
                .iter()
                .map(|e| (e.name.value.clone(), e.query.value.clone()))
                .collect(),
            rabbit: vec![[(SimTime::ZERO, 0, 0); 2]; sc.queues.len()],
            task_success: vec![0; sc.tasks.len()],
        }
    }

    /// RabbitMQ rates need the 5-second statistics tick.
    pub fn needs_rabbit_stats(sc: &Scenario) -> bool {
        sc.broker.kind == BrokerKind::RabbitMq
    }

    /// The management plugin's statistics tick.
    pub fn rabbit_tick(&mut self, broker: &Broker, now: SimTime) {
        for (q, snap) in self.rabbit.iter_mut().enumerate() {
            let st = &broker.queues[q];
            snap[1] = snap[0];
            snap[0] = (now, st.published_total, st.delivered_total);
        }
    }

    /// (publish rate, deliver-get rate) per second over the last statistics interval.
    pub fn rabbit_rates(&self, q: usize) -> (f64, f64) {
        let [(t1, p1, d1), (t0, p0, d0)] = self.rabbit[q];
        if t1 <= t0 {
            return (0.0, 0.0);
        }
        let dt = (t1 - t0).as_secs_f64();
        ((p1 - p0) as f64 / dt, (d1 - d0) as f64 / dt)
    }

    /// Exporter `i` polls the broker.
    pub fn exporter_poll(&mut self, i: usize, broker: &Broker) {
        let e = &mut self.exporters[i];
        for (slot, &q) in e.queues.iter().enumerate() {
            e.last[slot] = match e.count {
                CountMode::Llen => broker.llen(q) as f64,
                CountMode::AllBands => broker.queues[q].ready() as f64,
                CountMode::ReadyPlusUnacked => {
                    (broker.queues[q].ready() + broker.queues[q].unacked) as f64
                }
            };
        }
    }

    /// Prometheus scrapes every target: exporter gauges and the workers' task counters.
    pub fn scrape(&mut self, sc: &Scenario, now: SimTime) {
        let Some(db) = self.tsdb.as_mut() else { return };
        for e in &self.exporters {
            for (slot, &q) in e.queues.iter().enumerate() {
                db.append(
                    &e.metric,
                    &[("queue", sc.queues[q].as_str())],
                    now,
                    e.last[slot],
                );
            }
            db.append(
                &format!(
                    "{}_exporter_last_poll_ok",
                    e.metric
                        .trim_end_matches("_depth")
                        .trim_end_matches("_queue")
                ),
                &[],
                now,
                1.0,
            );
        }
        for (t, n) in self.task_success.iter().enumerate() {
            db.append(
                "celery_task_success_total",
                &[("task_name", sc.tasks[t].name.as_str())],
                now,
                *n as f64,
            );
        }
    }

    /// An instant query as KEDA's prometheus scaler sends it: the values of the result.
    pub fn query_values(
        &self,
        server: &str,
        query: &str,
        now: SimTime,
    ) -> Result<Vec<f64>, String> {
        let Some(db) = self.tsdb.as_ref() else {
            return Err(format!("Get \"{server}/api/v1/query\": dial tcp: connect: connection refused (the scenario has no Prometheus: add spec.metrics)"));
        };
        promql::query_values(db, query, now, self.lookback)
    }

    /// prometheus-adapter's answer for an external metric.
    pub fn external_metric(
        &self,
        name: &str,
        namespace: &str,
        selector: Option<&LabelSelector>,
        now: SimTime,
    ) -> Result<Vec<i64>, String> {
        let not_found = || {
            format!(
                "unable to fetch metrics from external metrics API: the server could not find the requested resource (get {name}.external.metrics.k8s.io) in namespace {namespace}"
            )
        };
        let Some((_, query)) = self.external.iter().find(|(n, _)| n == name) else {
            return Err(not_found());
        };
        let _ = selector;
        let values = self.query_values("http://prometheus:9090", query, now)?;
        if values.is_empty() {
            return Err(not_found());
        }
        Ok(values.iter().map(|v| (v * 1000.0).round() as i64).collect())
    }
}

fn uses_prometheus_trigger(sc: &Scenario) -> bool {
    sc.scaled_objects.iter().any(|k| {
        k.compiled.object.triggers.iter().any(|t| {
            t.scaler
                .go_type_name()
                .to_ascii_lowercase()
                .contains("prometheus")
        })
    })
}
