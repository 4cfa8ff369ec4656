//! The RabbitMQ queue scaler (`pkg/scalers/rabbitmq_scaler.go`, type `rabbitmq`).
//!
//! Over AMQP KEDA reads `QueueDeclarePassive`'s message count: ready messages only, so
//! deliveries a consumer holds unacknowledged (Celery prefetch, running `acks_late` tasks) are
//! invisible. Over the management HTTP API it reads `messages` (ready + unacknowledged), or
//! `messages_ready` with `excludeUnacknowledged`.

use super::{
    metric_in_milli, metric_name_with_index, metric_target_mili, ExternalMetricSpec,
    MetricTargetType, MetricValue, RabbitQueueStats, ScalerEnv,
};
use crate::keda::goparse;
use crate::keda::typed_config::{order, Param, ParseError, ScalerConfig, TypedParser};
use crate::time::Dur;

/// How KEDA talks to the broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RabbitProtocol {
    /// AMQP 0-9-1 (`amqp://`, `amqps://`): ready messages only.
    Amqp,
    /// Management API (`http://`, `https://`).
    Http,
}

/// `mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RabbitMode {
    /// Queue length (ready, or ready + unacked over HTTP).
    QueueLength,
    /// Publish rate per second (HTTP only).
    MessageRate,
    /// Deliver/get rate per second (HTTP only, 2.18+).
    DeliverGetRate,
    /// Publish / deliver ratio (HTTP only, 2.18+).
    PublishedToDeliveredRatio,
    /// Expected seconds to drain the queue (HTTP only, 2.18+).
    ExpectedQueueConsumptionTime,
}

/// `rabbitMQMetadata`, after `Validate` resolved the protocol and mode.
#[derive(Clone, Debug, PartialEq)]
pub struct RabbitMqMetadata {
    /// `queueName`.
    pub queue_name: String,
    /// Resolved mode.
    pub mode: RabbitMode,
    /// Resolved target value (`value`, the deprecated `queueLength`, or 20).
    pub value: f64,
    /// `activationValue` (default 0).
    pub activation_value: f64,
    /// `host` (metadata, auth params or `hostFromEnv`).
    pub host: String,
    /// Resolved protocol.
    pub protocol: RabbitProtocol,
    /// `vhostName` override.
    pub vhost_name: String,
    /// `useRegex` (HTTP only).
    pub use_regex: bool,
    /// `excludeUnacknowledged` (HTTP only).
    pub exclude_unacknowledged: bool,
    /// `pageSize` (default 100).
    pub page_size: i64,
    /// `operation` (default `sum`).
    pub operation: String,
    /// `timeout` (HTTP only).
    pub timeout: Dur,
    /// `username` (auth params / env).
    pub username: String,
    /// `password` (auth params / env).
    pub password: String,
    /// `tls` (auth params): `enable` or `disable`.
    pub enable_tls: String,
    /// `ca`, `cert`, `key`, `keyPassword` (auth params).
    pub ca: String,
    /// Client certificate.
    pub cert: String,
    /// Client key.
    pub key: String,
    /// Client key password.
    pub key_password: String,
    /// `unsafeSsl`.
    pub unsafe_ssl: bool,
    /// `workloadIdentityResource` (auth params).
    pub workload_identity_resource: String,
    /// Position of the trigger.
    pub trigger_index: usize,
}

const P_QUEUE_NAME: Param = Param::required(&["queueName"], order::META);
const P_MODE: Param = Param {
    optional: true,
    ..Param::with_default(&["mode"], order::META, "Unknown")
};
const P_QUEUE_LENGTH: Param = Param::optional(&["queueLength"], order::META);
const P_VALUE: Param = Param::optional(&["value"], order::META);
const P_ACTIVATION: Param = Param::optional(&["activationValue"], order::META);
const P_HOST: Param = Param::required(&["host"], order::META_AUTH_ENV);
const P_PROTOCOL: Param = Param::with_default(&["protocol"], order::META_AUTH, "auto");
const P_VHOST: Param = Param::optional(&["vhostName"], order::META_AUTH);
const P_USE_REGEX: Param = Param::optional(&["useRegex"], order::META);
const P_EXCLUDE_UNACKED: Param = Param::optional(&["excludeUnacknowledged"], order::META);
const P_PAGE_SIZE: Param = Param::with_default(&["pageSize"], order::META, "100");
const P_OPERATION: Param = Param::with_default(&["operation"], order::META, "sum");
const P_TIMEOUT: Param = Param::optional(&["timeout"], order::META);
const P_USERNAME: Param = Param::optional(&["username"], order::AUTH_ENV);
const P_PASSWORD: Param = Param::optional(&["password"], order::AUTH_ENV);
const P_CA: Param = Param::optional(&["ca"], order::AUTH);
const P_CERT: Param = Param::optional(&["cert"], order::AUTH);
const P_KEY: Param = Param::optional(&["key"], order::AUTH);
const P_KEY_PASSWORD: Param = Param::optional(&["keyPassword"], order::AUTH);
const P_TLS: Param = Param::with_default(&["tls"], order::AUTH, "disable");
const P_UNSAFE_SSL: Param = Param::optional(&["unsafeSsl"], order::META);
const P_WORKLOAD_IDENTITY: Param = Param::optional(&["workloadIdentityResource"], order::AUTH);

/// Every parameter, for the metadata-key check.
pub(crate) const PARAMS: &[Param] = &[
    P_QUEUE_NAME,
    P_MODE,
    P_QUEUE_LENGTH,
    P_VALUE,
    P_ACTIVATION,
    P_HOST,
    P_PROTOCOL,
    P_VHOST,
    P_USE_REGEX,
    P_EXCLUDE_UNACKED,
    P_PAGE_SIZE,
    P_OPERATION,
    P_TIMEOUT,
    P_USERNAME,
    P_PASSWORD,
    P_CA,
    P_CERT,
    P_KEY,
    P_KEY_PASSWORD,
    P_TLS,
    P_UNSAFE_SSL,
    P_WORKLOAD_IDENTITY,
];

/// Raw fields before `Validate` (protocol and mode still as written).
struct Raw {
    mode: String,
    queue_length: f64,
    value: f64,
    protocol: String,
    timeout: Dur,
}

/// `rabbitMQMetadata.Validate`: protocol, TLS, credentials, scheme, then `validateTrigger`.
fn validate(m: &mut RabbitMqMetadata, raw: &mut Raw) -> Result<(), String> {
    if !matches!(raw.protocol.as_str(), "amqp" | "http" | "auto") {
        return Err(format!(
            "the protocol has to be either `amqp`, `http`, or `auto` but is `{}`",
            raw.protocol
        ));
    }
    if m.enable_tls != "enable" && m.enable_tls != "disable" {
        return Err(format!("incorrect value for TLS given: {}", m.enable_tls));
    }
    if m.cert.is_empty() != m.key.is_empty() {
        return Err("both key and certificate must be provided".into());
    }
    if m.page_size < 1 {
        return Err("pageSize should be 1 or greater".into());
    }
    if (!m.username.is_empty() || !m.password.is_empty())
        && (m.username.is_empty() || m.password.is_empty())
    {
        return Err("username and password must be given together".into());
    }
    if raw.protocol == "auto" {
        let scheme = goparse::url_scheme(&m.host)
            .map_err(|e| format!("can't parse host to find protocol: {e}"))?;
        raw.protocol = match scheme.as_str() {
            "amqp" | "amqps" => "amqp".into(),
            "http" | "https" => "http".into(),
            other => return Err(format!("unknown host URL scheme: `{other}`")),
        };
    }
    m.protocol = if raw.protocol == "amqp" {
        RabbitProtocol::Amqp
    } else {
        RabbitProtocol::Http
    };
    let http = m.protocol == RabbitProtocol::Http;
    if m.protocol == RabbitProtocol::Amqp && !m.workload_identity_resource.is_empty() {
        return Err(
            "workload identity is not supported for the AMQP protocol at the moment".into(),
        );
    }
    if m.use_regex && !http {
        return Err("configure useRegex=true only with HTTP protocol".into());
    }
    if m.exclude_unacknowledged && !http {
        return Err("configure excludeUnacknowledged=true only with HTTP protocol".into());
    }
    validate_trigger(m, raw)
}

/// `rabbitMQMetadata.validateTrigger`: resolves `mode` and `value`.
fn validate_trigger(m: &mut RabbitMqMetadata, raw: &Raw) -> Result<(), String> {
    if raw.queue_length == 0.0 && raw.mode == "Unknown" && raw.value == 0.0 {
        m.mode = RabbitMode::QueueLength;
        m.value = 20.0;
        return Ok(());
    }
    if raw.queue_length != 0.0 && (raw.mode != "Unknown" || raw.value != 0.0) {
        return Err("queueLength is deprecated; use mode and value".into());
    }
    if raw.queue_length != 0.0 {
        m.mode = RabbitMode::QueueLength;
        m.value = raw.queue_length;
        return Ok(());
    }
    if raw.mode == "Unknown" {
        return Err("mode must be specified".into());
    }
    if raw.value == 0.0 {
        return Err("value must be specified".into());
    }
    m.mode = match raw.mode.as_str() {
        "QueueLength" => RabbitMode::QueueLength,
        "MessageRate" => RabbitMode::MessageRate,
        "DeliverGetRate" => RabbitMode::DeliverGetRate,
        "PublishedToDeliveredRatio" => RabbitMode::PublishedToDeliveredRatio,
        "ExpectedQueueConsumptionTime" => RabbitMode::ExpectedQueueConsumptionTime,
        other => {
            return Err(format!(
                "trigger mode {other} must be one of QueueLength, MessageRate, DeliverGetRate, PublishedToDeliveredRatio or ExpectedQueueConsumptionTime"
            ))
        }
    };
    m.value = raw.value;
    if m.mode != RabbitMode::QueueLength && m.protocol != RabbitProtocol::Http {
        return Err(format!(
            "protocol amqp not supported; must be HTTP to use trigger mode {}",
            raw.mode
        ));
    }
    if m.protocol == RabbitProtocol::Amqp && raw.timeout != Dur::ZERO {
        return Err(format!(
            "AMQP protocol doesn't support custom timeouts: {}",
            raw.timeout.0
        ));
    }
    Ok(())
}

/// `rabbitmq_scaler.go#parseRabbitMQMetadata`.
pub fn parse_rabbitmq_metadata(cfg: &ScalerConfig) -> Result<RabbitMqMetadata, ParseError> {
    let mut p = TypedParser::new(cfg, "*scalers.rabbitMQMetadata");
    let queue_name = p.string(&P_QUEUE_NAME);
    let mut raw = Raw {
        mode: p.string(&P_MODE),
        queue_length: p.float(&P_QUEUE_LENGTH),
        value: p.float(&P_VALUE),
        protocol: String::new(),
        timeout: Dur::ZERO,
    };
    let activation_value = p.float(&P_ACTIVATION);
    let host = p.string(&P_HOST);
    raw.protocol = p.string(&P_PROTOCOL);
    let mut m = RabbitMqMetadata {
        queue_name,
        mode: RabbitMode::QueueLength,
        value: 0.0,
        activation_value,
        host,
        protocol: RabbitProtocol::Amqp,
        vhost_name: p.string(&P_VHOST),
        use_regex: p.bool(&P_USE_REGEX),
        exclude_unacknowledged: p.bool(&P_EXCLUDE_UNACKED),
        page_size: p.int(&P_PAGE_SIZE, "int64"),
        operation: p.string(&P_OPERATION),
        timeout: Dur::ZERO,
        username: p.string(&P_USERNAME),
        password: p.string(&P_PASSWORD),
        ca: p.string(&P_CA),
        cert: p.string(&P_CERT),
        key: p.string(&P_KEY),
        key_password: p.string(&P_KEY_PASSWORD),
        enable_tls: String::new(),
        unsafe_ssl: false,
        workload_identity_resource: String::new(),
        trigger_index: cfg.trigger_index,
    };
    raw.timeout = p.duration(&P_TIMEOUT);
    m.timeout = raw.timeout;
    m.enable_tls = p.string(&P_TLS);
    m.unsafe_ssl = p.bool(&P_UNSAFE_SSL);
    m.workload_identity_resource = p.string(&P_WORKLOAD_IDENTITY);
    let v = validate(&mut m, &mut raw);
    p.validate(v);
    p.finish()
        .map_err(|e| e.wrap("error parsing RabbitMQ metadata"))?;
    Ok(m)
}

/// `rabbitmq_scaler.go#getVhostAndPathFromURL`: the vhost path segment (escaped, with its
/// leading `/`) and the sub-path before it.
pub fn vhost_and_path_from_url(raw_path: &str, vhost_name: &str) -> (String, String) {
    let parts: Vec<&str> = raw_path.split('/').collect();
    let mut vhost = format!("/{}", parts[parts.len() - 1]);
    let joined: Vec<&str> = parts[..parts.len() - 1]
        .iter()
        .copied()
        .filter(|s| !s.is_empty())
        .collect();
    let mut path = joined.join("/");
    if !path.is_empty() {
        path = format!("/{path}");
    }
    if !vhost_name.is_empty() {
        vhost = format!("/{}", goparse::query_escape(vhost_name));
    }
    if vhost.is_empty() || vhost == "/" {
        vhost = "/%2F".to_string();
    }
    (vhost, path)
}

/// `rabbitmq_scaler.go#anonymizeRabbitMQError`: prefixes the error and masks
/// `user:password@` (the regexp `([^ \/:]+):([^\/:]+)\@`).
pub fn anonymize_error(err: &str) -> String {
    let msg = format!("error inspecting RabbitMQ: {err}");
    let chars: Vec<char> = msg.chars().collect();
    let mut out = String::with_capacity(msg.len());
    let mut i = 0;
    while i < chars.len() {
        match match_credentials(&chars, i) {
            Some(end) => {
                out.push_str("user:password@");
                i = end;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// The end of a `([^ /:]+):([^/:]+)@` match starting at `start`, leftmost-first.
fn match_credentials(c: &[char], start: usize) -> Option<usize> {
    let mut i = start;
    while i < c.len() && !matches!(c[i], ' ' | '/' | ':') {
        i += 1;
    }
    if i == start || i >= c.len() || c[i] != ':' {
        return None;
    }
    let colon = i;
    let mut run_end = colon + 1;
    while run_end < c.len() && !matches!(c[run_end], '/' | ':') {
        run_end += 1;
    }
    (colon + 2..run_end)
        .rev()
        .find(|&k| c[k] == '@')
        .map(|k| k + 1)
}

/// A configured RabbitMQ scaler.
#[derive(Clone, Debug, PartialEq)]
pub struct RabbitMqScaler {
    /// AverageValue (default) or Value.
    pub metric_type: MetricTargetType,
    /// Parsed metadata.
    pub metadata: RabbitMqMetadata,
}

impl RabbitMqScaler {
    /// `NewRabbitMQScaler` without the connection: metric type, then metadata.
    pub fn new(cfg: &ScalerConfig) -> Result<RabbitMqScaler, ParseError> {
        let metric_type = super::metric_target_type(cfg)?;
        let metadata =
            parse_rabbitmq_metadata(cfg).map_err(|e| e.wrap("error parsing RabbitMQ metadata"))?;
        if metadata.use_regex {
            return Err(ParseError {
                message: "useRegex is not supported by scalesim: a simulated broker has named queues only; list the queue in queueName".into(),
                key: Some("useRegex".into()),
            });
        }
        Ok(RabbitMqScaler {
            metric_type,
            metadata,
        })
    }

    /// The virtual host as the broker names it (`/` for the default), from `vhostName` or
    /// the host URL (management API path segment, or AMQP URI path as `amqp.ParseURI` reads it).
    pub fn vhost(&self) -> String {
        let m = &self.metadata;
        match m.protocol {
            RabbitProtocol::Http => {
                let (vhost, _) =
                    vhost_and_path_from_url(&goparse::url_raw_path(&m.host), &m.vhost_name);
                goparse::path_unescape(&vhost[1..])
            }
            RabbitProtocol::Amqp => {
                if !m.vhost_name.is_empty() {
                    return m.vhost_name.clone();
                }
                let path = goparse::path_unescape(&goparse::url_raw_path(&m.host));
                match path.strip_prefix('/') {
                    Some(rest) if !rest.is_empty() => rest.to_string(),
                    Some(_) => "/".into(),
                    None if path.is_empty() => "/".into(),
                    None => path,
                }
            }
        }
    }

    /// The constructor's AMQP dial (`getConnectionAndChannel`); HTTP does no I/O.
    pub fn connect(&self, env: &dyn ScalerEnv) -> Result<(), String> {
        if self.metadata.protocol != RabbitProtocol::Amqp {
            return Ok(());
        }
        env.rabbitmq_connect(&self.metadata.host, &self.vhost())
            .map_err(|e| format!("error establishing connection to RabbitMQ: {e}"))
    }

    /// `GetMetricSpecForScaling`: `s<idx>-rabbitmq-<QueryEscape(queueName)>`, milli target.
    pub fn metric_spec(&self) -> ExternalMetricSpec {
        let name = goparse::normalize_string(&format!(
            "rabbitmq-{}",
            goparse::query_escape(&self.metadata.queue_name)
        ));
        ExternalMetricSpec {
            name: metric_name_with_index(self.metadata.trigger_index, &name),
            target_type: self.metric_type,
            target: metric_target_mili(self.metadata.value),
        }
    }

    /// `getQueueStatus`: (messages, publish rate, deliver rate) as KEDA counts them.
    pub fn queue_status(&self, env: &dyn ScalerEnv) -> Result<(i64, f64, f64), String> {
        let m = &self.metadata;
        let s: RabbitQueueStats = env.rabbitmq_queue(&m.host, &self.vhost(), &m.queue_name)?;
        Ok(match m.protocol {
            RabbitProtocol::Amqp => (s.ready, 0.0, 0.0),
            RabbitProtocol::Http if m.exclude_unacknowledged => {
                (s.ready, s.publish_rate, s.deliver_get_rate)
            }
            RabbitProtocol::Http => (s.ready + s.unacked, s.publish_rate, s.deliver_get_rate),
        })
    }

    /// `GetMetricsAndActivity` for every mode.
    pub fn get_metrics_and_activity(
        &self,
        env: &dyn ScalerEnv,
        metric_name: &str,
    ) -> Result<(Vec<MetricValue>, bool), String> {
        let (messages, publish, deliver) =
            self.queue_status(env).map_err(|e| anonymize_error(&e))?;
        Ok(self.value_and_activity(metric_name, messages, publish, deliver))
    }

    /// The mode arithmetic of `GetMetricsAndActivity`, on counters already read.
    pub fn value_and_activity(
        &self,
        metric_name: &str,
        messages: i64,
        publish: f64,
        deliver: f64,
    ) -> (Vec<MetricValue>, bool) {
        let act = self.metadata.activation_value;
        let msgs = messages as f64;
        let (value, active) = match self.metadata.mode {
            RabbitMode::QueueLength => (msgs, msgs > act),
            RabbitMode::MessageRate => (publish, publish > act || msgs > act),
            RabbitMode::DeliverGetRate => (deliver, deliver > act),
            RabbitMode::PublishedToDeliveredRatio => {
                let ratio = if publish > 0.0 && deliver == 0.0 {
                    act
                } else if publish > 0.0 && deliver > 0.0 {
                    publish / deliver
                } else {
                    0.0
                };
                (ratio, ratio > act || (publish > 0.0 && deliver == 0.0))
            }
            RabbitMode::ExpectedQueueConsumptionTime => {
                let eta = if deliver == 0.0 {
                    act
                } else {
                    (publish - deliver) / deliver + msgs / deliver
                };
                (eta, eta > act || deliver == 0.0)
            }
        };
        (vec![metric_in_milli(metric_name, value)], active)
    }
}
