//! Scalers: building them from a trigger, their HPA metric specs, and
//! `GetMetricsAndActivity` against the simulated world through [`ScalerEnv`].
//!
//! Mirrors `pkg/scaling/scalers_builder.go#buildScaler` for the types scalesim models and
//! `pkg/scalers/scaler.go` (`GenerateMetricNameWithIndex`, `GetMetricTarget`,
//! `GetMetricTargetMili`, `GenerateMetricInMili`, `GetMetricTargetType`).

pub mod prometheus;
pub mod rabbitmq;
pub mod redis;

use super::goparse;
use super::typed_config::{Param, ParseError, ScalerConfig};
use crate::quantity::Quantity;

pub use prometheus::PrometheusScaler;
pub use rabbitmq::RabbitMqScaler;
pub use redis::{RedisMode, RedisScaler};

/// What a scaler asks the simulated world. The simulator implements it; every call is one
/// query KEDA would make at that instant.
pub trait ScalerEnv {
    /// The Redis client's `PING` when KEDA (re)builds the scaler. An error makes the whole
    /// scalers cache fail to build, before any fallback counting.
    fn redis_ping(&self, _address: &str, _database: i64) -> Result<(), String> {
        Ok(())
    }
    /// KEDA's Lua script on `key`: `TYPE`, then `LLEN` for a list or a missing key (0),
    /// `ZCARD`/`SCARD`/`HLEN` for other collections; any other type is an error whose text
    /// the environment chooses (Redis' own error for the script).
    fn redis_list_length(&self, address: &str, database: i64, key: &str) -> Result<i64, String>;
    /// The AMQP dial (+ channel) when KEDA builds an AMQP RabbitMQ scaler.
    fn rabbitmq_connect(&self, _host: &str, _vhost: &str) -> Result<(), String> {
        Ok(())
    }
    /// One queue's counters (`QueueDeclarePassive` over AMQP, `GET /api/queues/<vhost>/<q>`
    /// over HTTP). `host` is the trigger's host as written; `vhost` is decoded (`/` default).
    fn rabbitmq_queue(
        &self,
        host: &str,
        vhost: &str,
        queue: &str,
    ) -> Result<RabbitQueueStats, String>;
    /// An instant query: the sample values of the result vector (`Ok(vec![])` for an empty
    /// result), or the error text of a failed request.
    fn prometheus_query(&self, server: &str, query: &str) -> Result<Vec<f64>, String>;
}

/// A RabbitMQ queue's counters as the broker reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RabbitQueueStats {
    /// Messages ready for delivery (`messages_ready`; AMQP's message count).
    pub ready: i64,
    /// Delivered, not yet acknowledged (`messages_unacknowledged`).
    pub unacked: i64,
    /// `message_stats.publish_details.rate` (per second).
    pub publish_rate: f64,
    /// `message_stats.deliver_get_details.rate` (per second).
    pub deliver_get_rate: f64,
}

/// An HPA metric target type for external metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MetricTargetType {
    /// `averageValue`: the HPA divides the value by the pod count (KEDA's default).
    AverageValue,
    /// `value`: compared as is.
    Value,
}

impl MetricTargetType {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricTargetType::AverageValue => "AverageValue",
            MetricTargetType::Value => "Value",
        }
    }
}

/// The External metric a scaler contributes to the HPA (before KEDA adds its selector).
#[derive(Clone, Debug, PartialEq)]
pub struct ExternalMetricSpec {
    /// `s<index>-<scaler part>`.
    pub name: String,
    /// Target type.
    pub target_type: MetricTargetType,
    /// Target quantity (`averageValue` or `value`).
    pub target: Quantity,
}

/// One external metric value as KEDA returns it (`ExternalMetricValue`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricValue {
    /// The metric name the HPA asked for (or `composite-metric`).
    pub metric_name: String,
    /// The value in thousandths (`Quantity.MilliValue()`).
    pub value_milli: i64,
}

/// `GenerateMetricNameWithIndex`: `s<index>-<name>`.
pub fn metric_name_with_index(index: usize, name: &str) -> String {
    format!("s{index}-{name}")
}

/// `GenerateMetricInMili`: `int64(value * 1000)` milli-units.
pub fn metric_in_milli(name: &str, value: f64) -> MetricValue {
    MetricValue {
        metric_name: name.to_string(),
        value_milli: goparse::f64_to_i64(value * 1000.0),
    }
}

/// `GetMetricTargetMili`: a milli quantity of `int64(value * 1000)`.
pub fn metric_target_mili(value: f64) -> Quantity {
    Quantity::from_milli(goparse::f64_to_i64(value * 1000.0))
}

/// `GetMetricTargetType`: empty means AverageValue; Utilization is refused.
pub fn metric_target_type(cfg: &ScalerConfig) -> Result<MetricTargetType, ParseError> {
    match cfg.metric_type.as_str() {
        "" | "AverageValue" => Ok(MetricTargetType::AverageValue),
        "Value" => Ok(MetricTargetType::Value),
        "Utilization" => Err(ParseError {
            message: "error getting scaler metric type: 'Utilization' metric type is unsupported for external metrics, allowed values are 'Value' or 'AverageValue'".into(),
            key: None,
        }),
        other => Err(ParseError {
            message: format!(
                "metricType {} is not a Kubernetes metric target type: the HPA KEDA generates would be rejected (use AverageValue or Value)",
                goparse::quote(other)
            ),
            key: None,
        }),
    }
}

/// The trigger types KEDA 2.18 knows (`buildScaler`), to tell "not modelled" from "unknown".
const KEDA_TRIGGER_TYPES: &[&str] = &[
    "activemq",
    "apache-kafka",
    "arangodb",
    "artemis-queue",
    "aws-cloudwatch",
    "aws-dynamodb",
    "aws-dynamodb-streams",
    "aws-kinesis-stream",
    "aws-sqs-queue",
    "azure-app-insights",
    "azure-blob",
    "azure-data-explorer",
    "azure-eventhub",
    "azure-log-analytics",
    "azure-monitor",
    "azure-pipelines",
    "azure-queue",
    "azure-servicebus",
    "beanstalkd",
    "cassandra",
    "couchdb",
    "cpu",
    "cron",
    "datadog",
    "dynatrace",
    "elasticsearch",
    "etcd",
    "external",
    "external-mock",
    "external-push",
    "forgejo-runner",
    "gcp-cloudtasks",
    "gcp-pubsub",
    "gcp-stackdriver",
    "gcp-storage",
    "github-runner",
    "graphite",
    "huawei-cloudeye",
    "ibmmq",
    "influxdb",
    "kafka",
    "kubernetes-workload",
    "liiklus",
    "loki",
    "memory",
    "metrics-api",
    "mongodb",
    "mssql",
    "mysql",
    "nats-jetstream",
    "new-relic",
    "nsq",
    "openstack-metric",
    "openstack-swift",
    "postgresql",
    "predictkube",
    "prometheus",
    "pulsar",
    "rabbitmq",
    "redis",
    "redis-cluster",
    "redis-cluster-streams",
    "redis-sentinel",
    "redis-sentinel-streams",
    "redis-streams",
    "selenium-grid",
    "solace-direct-messaging",
    "solace-event-queue",
    "solarwinds",
    "solr",
    "splunk",
    "splunk-observability",
    "stan",
    "sumologic",
    "temporal",
];

/// The trigger types scalesim models.
pub const SUPPORTED_TYPES: &[&str] = &[
    "redis",
    "redis-cluster",
    "redis-sentinel",
    "rabbitmq",
    "prometheus",
];

/// The parameters a trigger type reads, or an error for a type scalesim does not model.
pub fn params_for(trigger_type: &str) -> Result<&'static [Param], String> {
    match trigger_type {
        "redis" | "redis-cluster" | "redis-sentinel" => Ok(redis::PARAMS),
        "rabbitmq" => Ok(rabbitmq::PARAMS),
        "prometheus" => Ok(prometheus::PARAMS),
        other if KEDA_TRIGGER_TYPES.contains(&other) => Err(format!(
            "trigger type {} is not supported by scalesim (supported: {})",
            goparse::quote(other),
            SUPPORTED_TYPES.join(", ")
        )),
        other => Err(format!("no scaler found for type: {other}")),
    }
}

/// A built scaler (the parsed part of `NewXScaler`; connections are made by [`Scaler::connect`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Scaler {
    /// `redis`, `redis-cluster`, `redis-sentinel`.
    Redis(Box<RedisScaler>),
    /// `rabbitmq`.
    RabbitMq(Box<RabbitMqScaler>),
    /// `prometheus`.
    Prometheus(Box<PrometheusScaler>),
}

impl Scaler {
    /// `buildScaler` for the modelled types: metric type and metadata parsing, no I/O.
    pub fn build(cfg: &ScalerConfig) -> Result<Scaler, ParseError> {
        params_for(&cfg.trigger_type).map_err(|message| ParseError { message, key: None })?;
        Ok(match cfg.trigger_type.as_str() {
            "redis" => Scaler::Redis(Box::new(RedisScaler::new(RedisMode::Standalone, cfg)?)),
            "redis-cluster" => Scaler::Redis(Box::new(RedisScaler::new(RedisMode::Cluster, cfg)?)),
            "redis-sentinel" => {
                Scaler::Redis(Box::new(RedisScaler::new(RedisMode::Sentinel, cfg)?))
            }
            "rabbitmq" => Scaler::RabbitMq(Box::new(RabbitMqScaler::new(cfg)?)),
            _ => Scaler::Prometheus(Box::new(PrometheusScaler::new(cfg)?)),
        })
    }

    /// The I/O a constructor does: Redis `PING`, RabbitMQ AMQP dial; Prometheus none.
    pub fn connect(&self, env: &dyn ScalerEnv) -> Result<(), String> {
        match self {
            Scaler::Redis(s) => s.connect(env),
            Scaler::RabbitMq(s) => s.connect(env),
            Scaler::Prometheus(_) => Ok(()),
        }
    }

    /// `GetMetricSpecForScaling` (one External metric per scaler here).
    pub fn metric_spec(&self) -> ExternalMetricSpec {
        match self {
            Scaler::Redis(s) => s.metric_spec(),
            Scaler::RabbitMq(s) => s.metric_spec(),
            Scaler::Prometheus(s) => s.metric_spec(),
        }
    }

    /// `GetMetricsAndActivity`: the metric values and whether the trigger is active.
    pub fn get_metrics_and_activity(
        &self,
        env: &dyn ScalerEnv,
        metric_name: &str,
    ) -> Result<(Vec<MetricValue>, bool), String> {
        match self {
            Scaler::Redis(s) => s.get_metrics_and_activity(env, metric_name),
            Scaler::RabbitMq(s) => s.get_metrics_and_activity(env, metric_name),
            Scaler::Prometheus(s) => s.get_metrics_and_activity(env, metric_name),
        }
    }

    /// The Go type name KEDA uses for an unnamed trigger in events (`%T` minus the package).
    pub fn go_type_name(&self) -> &'static str {
        match self {
            Scaler::Redis(_) => "redisScaler",
            Scaler::RabbitMq(_) => "rabbitMQScaler",
            Scaler::Prometheus(_) => "prometheusScaler",
        }
    }
}

/// A fixed world for tests and examples: list lengths, queues and query results by name.
/// Connections fail with `*_down` when set; unknown Redis keys read 0 (a missing key),
/// unknown queues are errors, unknown queries return no samples.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MapEnv {
    /// Redis key → length (any address and database).
    pub redis_lists: std::collections::BTreeMap<String, i64>,
    /// When set, Redis `PING` and queries fail with this text.
    pub redis_down: Option<String>,
    /// RabbitMQ queue name → counters.
    pub rabbit_queues: std::collections::BTreeMap<String, RabbitQueueStats>,
    /// When set, RabbitMQ connections and queries fail with this text.
    pub rabbit_down: Option<String>,
    /// PromQL query → samples or error.
    pub prometheus: std::collections::BTreeMap<String, Result<Vec<f64>, String>>,
}

impl ScalerEnv for MapEnv {
    fn redis_ping(&self, _address: &str, _database: i64) -> Result<(), String> {
        match &self.redis_down {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
    fn redis_list_length(&self, _address: &str, _database: i64, key: &str) -> Result<i64, String> {
        match &self.redis_down {
            Some(e) => Err(e.clone()),
            None => Ok(self.redis_lists.get(key).copied().unwrap_or(0)),
        }
    }
    fn rabbitmq_connect(&self, _host: &str, _vhost: &str) -> Result<(), String> {
        match &self.rabbit_down {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
    fn rabbitmq_queue(
        &self,
        _host: &str,
        _vhost: &str,
        queue: &str,
    ) -> Result<RabbitQueueStats, String> {
        if let Some(e) = &self.rabbit_down {
            return Err(e.clone());
        }
        self.rabbit_queues.get(queue).copied().ok_or_else(|| {
            format!("Exception (404) Reason: \"NOT_FOUND - no queue '{queue}' in vhost '/'\"")
        })
    }
    fn prometheus_query(&self, _server: &str, query: &str) -> Result<Vec<f64>, String> {
        self.prometheus
            .get(query)
            .cloned()
            .unwrap_or_else(|| Ok(Vec::new()))
    }
}
