//! What the autoscalers can see of the simulated world, read-only: Redis lists, RabbitMQ queue
//! counters, Prometheus, and metrics-server's pod CPU usage.
//!
//! [`WorldView`] implements KEDA's [`ScalerEnv`] (the scalers' calls to Redis, RabbitMQ and
//! Prometheus) and the HPA's [`MetricsClient`] (metrics-server for Resource metrics,
//! prometheus-adapter for External metrics).

use crate::broker::Broker;
use crate::hpa::{LabelSelector, MetricsClient, ObjectRef, PodMetric};
use crate::keda::scalers::{RabbitQueueStats, ScalerEnv};
use crate::scenario::{BrokerKind, Scenario};
use crate::time::SimTime;
use crate::worker::Pod;

use super::metrics_server::MetricsServer;
use super::telemetry::Telemetry;

/// Read-only access to the world at one instant.
pub struct WorldView<'a> {
    /// The scenario.
    pub sc: &'a Scenario,
    /// The broker.
    pub broker: &'a Broker,
    /// All pods.
    pub pods: &'a [Pod],
    /// Alive pod ids.
    pub alive: &'a [u32],
    /// metrics-server.
    pub metrics_server: &'a MetricsServer,
    /// Exporters, Prometheus, RabbitMQ management rates.
    pub telemetry: &'a Telemetry,
    /// The Redis database index Celery uses (from `CELERY_BROKER_URL`, default 0).
    pub broker_db: i64,
    /// Now.
    pub now: SimTime,
}

impl WorldView<'_> {
    /// The queue and band a Redis key names (`celery`, `celery\x06\x163`).
    fn redis_key(&self, key: &str) -> Option<(usize, usize)> {
        for (qi, q) in self.sc.queues.iter().enumerate() {
            if key == q {
                return Some((qi, 0));
            }
            if let Some(rest) = key
                .strip_prefix(q.as_str())
                .and_then(|r| r.strip_prefix("\x06\x16"))
            {
                if let Some(band) = self
                    .sc
                    .broker
                    .priority_steps
                    .iter()
                    .position(|s| s.to_string() == rest)
                {
                    return Some((qi, band));
                }
            }
        }
        None
    }

    /// The worker group whose pod-template labels a selector string names.
    pub fn group_of_selector(&self, selector: &str) -> Option<usize> {
        self.sc
            .workers
            .iter()
            .position(|w| selector_string(&w.labels, &w.deployment) == selector)
    }
}

/// `status.selector` of a worker Deployment's scale: its pod-template labels (`app=celery-worker`),
/// or a synthetic one when the template has none.
pub fn selector_string(
    labels: &std::collections::BTreeMap<String, String>,
    deployment: &str,
) -> String {
    if labels.is_empty() {
        return format!("scalesim.dev/deployment={deployment}");
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

impl ScalerEnv for WorldView<'_> {
    fn redis_ping(&self, address: &str, _database: i64) -> Result<(), String> {
        match self.sc.broker.kind {
            BrokerKind::Redis => Ok(()),
            BrokerKind::RabbitMq => Err(format!(
                "dial tcp {address}: connect: connection refused (the scenario's broker is RabbitMQ, there is no Redis)"
            )),
        }
    }

    /// KEDA's Lua script: `TYPE key`, then `LLEN` for a list; a missing key is 0. Another
    /// database index than Celery's is an empty database.
    fn redis_list_length(&self, address: &str, database: i64, key: &str) -> Result<i64, String> {
        self.redis_ping(address, database)?;
        if database != self.broker_db {
            return Ok(0);
        }
        Ok(self
            .redis_key(key)
            .map_or(0, |(q, band)| self.broker.llen_band(q, band) as i64))
    }

    fn rabbitmq_connect(&self, host: &str, _vhost: &str) -> Result<(), String> {
        match self.sc.broker.kind {
            BrokerKind::RabbitMq => Ok(()),
            BrokerKind::Redis => Err(format!(
                "dial tcp {host}: connect: connection refused (the scenario's broker is Redis, there is no RabbitMQ)"
            )),
        }
    }

    fn rabbitmq_queue(
        &self,
        host: &str,
        vhost: &str,
        queue: &str,
    ) -> Result<RabbitQueueStats, String> {
        self.rabbitmq_connect(host, vhost)?;
        let Some(q) = self.sc.queues.iter().position(|x| x == queue) else {
            return Err(format!(
                "Exception (404) Reason: \"NOT_FOUND - no queue '{queue}' in vhost '{vhost}'\""
            ));
        };
        let rates = self.telemetry.rabbit_rates(q);
        let st = &self.broker.queues[q];
        Ok(RabbitQueueStats {
            ready: st.ready() as i64,
            unacked: st.unacked as i64,
            publish_rate: rates.0,
            deliver_get_rate: rates.1,
        })
    }

    fn prometheus_query(&self, server: &str, query: &str) -> Result<Vec<f64>, String> {
        self.telemetry.query_values(server, query, self.now)
    }
}

impl MetricsClient for WorldView<'_> {
    fn get_resource_metric(
        &mut self,
        resource: &str,
        _namespace: &str,
        selector: &str,
        container: &str,
    ) -> Result<Vec<PodMetric>, String> {
        if resource != "cpu" {
            return Err(format!(
                "unable to get metrics for resource {resource}: scalesim models CPU usage only (no {resource} metrics)"
            ));
        }
        let Some(g) = self.group_of_selector(selector) else {
            return Err("unable to get metrics for resource cpu: no metrics returned from resource metrics API".into());
        };
        let wanted = &self.sc.workers[g].container;
        if !container.is_empty() && container != wanted {
            return Ok(Vec::new());
        }
        Ok(self.metrics_server.pod_metrics(self.pods, self.alive, g))
    }

    fn get_raw_metric(
        &mut self,
        metric_name: &str,
        _namespace: &str,
        _selector: &str,
        _metric_selector: Option<&LabelSelector>,
    ) -> Result<Vec<PodMetric>, String> {
        Err(format!(
            "unable to fetch metrics from custom metrics API: the server could not find the metric {metric_name} for pods (scalesim serves no custom pod metrics)"
        ))
    }

    fn get_object_metric(
        &mut self,
        metric_name: &str,
        _namespace: &str,
        object: &ObjectRef,
        _metric_selector: Option<&LabelSelector>,
    ) -> Result<(i64, SimTime), String> {
        Err(format!(
            "unable to fetch metrics from custom metrics API: the server could not find the metric {metric_name} for {} {} (scalesim serves no object metrics)",
            object.kind, object.name
        ))
    }

    /// prometheus-adapter: the external metric's query, evaluated now.
    fn get_external_metric(
        &mut self,
        metric_name: &str,
        namespace: &str,
        metric_selector: Option<&LabelSelector>,
    ) -> Result<Vec<i64>, String> {
        self.telemetry
            .external_metric(metric_name, namespace, metric_selector, self.now)
    }
}
