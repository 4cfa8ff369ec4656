//! The Redis list scaler (`pkg/scalers/redis_scaler.go`, types `redis`, `redis-cluster`,
//! `redis-sentinel`): metadata, metric spec and `GetMetricsAndActivity`.
//!
//! The metric is the length of `listName` only, read with KEDA's Lua script (`TYPE` then
//! `LLEN`/`ZCARD`/`SCARD`/`HLEN`). Messages a Celery worker has already fetched (prefetched or
//! running) and other priority bands (`<list>\x06\x163`) are not in that key: the environment
//! answers for the key it is asked about and nothing else.

use super::{
    metric_in_milli, metric_name_with_index, ExternalMetricSpec, MetricTargetType, MetricValue,
    ScalerEnv,
};
use crate::keda::goparse;
use crate::keda::typed_config::{order, Param, ParseError, ScalerConfig, TypedParser};
use crate::quantity::Quantity;

/// Which Redis client KEDA builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedisMode {
    /// `redis`: one server, the first address.
    Standalone,
    /// `redis-cluster`.
    Cluster,
    /// `redis-sentinel`.
    Sentinel,
}

/// `redisConnectionInfo`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RedisConnectionInfo {
    /// `address`/`addresses`, plus `host:port` pairs appended by validation.
    pub addresses: Vec<String>,
    /// `username`.
    pub username: String,
    /// `password`.
    pub password: String,
    /// `sentinelUsername`.
    pub sentinel_username: String,
    /// `sentinelPassword`.
    pub sentinel_password: String,
    /// `sentinelMaster`.
    pub sentinel_master: String,
    /// `host`/`hosts`.
    pub hosts: Vec<String>,
    /// `port`/`ports`.
    pub ports: Vec<String>,
    /// Resolved from `enableTLS` (metadata) or `tls` (auth params).
    pub enable_tls: bool,
    /// `unsafeSsl`.
    pub unsafe_ssl: bool,
    /// `cert` (auth params).
    pub cert: String,
    /// `key` (auth params).
    pub key: String,
    /// `keyPassword` (auth params).
    pub key_password: String,
    /// `ca` (auth params).
    pub ca: String,
}

/// `redisMetadata`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RedisMetadata {
    /// `listLength` (default 5): the HPA target per pod.
    pub list_length: i64,
    /// `activationListLength` (default 0): active when the length is strictly greater.
    pub activation_list_length: i64,
    /// `listName` (required): the key whose length is the metric.
    pub list_name: String,
    /// `databaseIndex` (default 0; Go `int`).
    pub database_index: i64,
    /// Connection settings.
    pub connection: RedisConnectionInfo,
    /// Position of the trigger.
    pub trigger_index: usize,
}

const P_LIST_LENGTH: Param = Param::with_default(&["listLength"], order::META, "5");
const P_ACTIVATION: Param = Param::optional(&["activationListLength"], order::META);
const P_LIST_NAME: Param = Param::required(&["listName"], order::META);
const P_DB: Param = Param::optional(&["databaseIndex"], order::META);
const P_ENABLE_TLS: Param = Param::optional(&["enableTLS"], order::META);
const P_TLS: Param = Param::optional(&["tls"], order::AUTH);
const P_ADDRESSES: Param = Param::required(&["address", "addresses"], order::META_AUTH_ENV);
const P_USERNAME: Param = Param::required(&["username"], order::META_ENV_AUTH);
const P_PASSWORD: Param = Param::required(&["password"], order::META_ENV_AUTH);
const P_SENTINEL_USERNAME: Param = Param::required(&["sentinelUsername"], order::META_AUTH_ENV);
const P_SENTINEL_PASSWORD: Param = Param::required(&["sentinelPassword"], order::META_AUTH_ENV);
const P_SENTINEL_MASTER: Param = Param::required(&["sentinelMaster"], order::META_AUTH_ENV);
const P_HOSTS: Param = Param::required(&["host", "hosts"], order::META_ENV_AUTH);
const P_PORTS: Param = Param::required(&["port", "ports"], order::META_ENV_AUTH);
const P_UNSAFE_SSL: Param = Param::with_default(&["unsafeSsl"], order::META, "false");
const P_CERT: Param = Param::required(&["Cert", "cert"], order::AUTH);
const P_KEY: Param = Param::required(&["key"], order::AUTH);
const P_KEY_PASSWORD: Param = Param::required(&["keyPassword"], order::AUTH);
const P_CA: Param = Param::required(&["ca"], order::AUTH);

/// Every parameter, for the metadata-key check.
pub(crate) const PARAMS: &[Param] = &[
    P_LIST_LENGTH,
    P_ACTIVATION,
    P_LIST_NAME,
    P_DB,
    P_ENABLE_TLS,
    P_TLS,
    P_ADDRESSES,
    P_USERNAME,
    P_PASSWORD,
    P_SENTINEL_USERNAME,
    P_SENTINEL_PASSWORD,
    P_SENTINEL_MASTER,
    P_HOSTS,
    P_PORTS,
    P_UNSAFE_SSL,
    P_CERT,
    P_KEY,
    P_KEY_PASSWORD,
    P_CA,
];

/// `ErrRedisNoAddresses`.
pub const ERR_NO_ADDRESSES: &str = "no addresses or hosts given. address should be a comma separated list of host:port or set the host/port values";
/// `ErrRedisUnequalHostsAndPorts`.
pub const ERR_UNEQUAL_HOSTS_AND_PORTS: &str =
    "not enough hosts or ports given. number of hosts should be equal to the number of ports";

/// `redis_scaler.go#validateRedisAddress`: joins hosts and ports, requires an address.
fn validate_address(c: &mut RedisConnectionInfo) -> Result<(), String> {
    if !c.hosts.is_empty() && !c.ports.is_empty() {
        if c.hosts.len() != c.ports.len() {
            return Err(ERR_UNEQUAL_HOSTS_AND_PORTS.into());
        }
        for (h, p) in c.hosts.iter().zip(&c.ports) {
            c.addresses.push(goparse::join_host_port(h, p));
        }
    }
    if c.addresses.first().is_none_or(|a| a.is_empty()) {
        return Err(ERR_NO_ADDRESSES.into());
    }
    Ok(())
}

/// `redisConnectionInfo.SetEnableTLS`.
fn set_enable_tls(c: &mut RedisConnectionInfo, meta: &str, auth: &str) -> Result<(), String> {
    let mut enable = false;
    if !meta.is_empty() && !auth.is_empty() {
        return Err(
            "unable to set `tls` in both ScaledObject and TriggerAuthentication together".into(),
        );
    }
    if !meta.is_empty() {
        enable = goparse::parse_bool(meta).map_err(|e| format!("EnableTLS parsing error {e}"))?;
    }
    if !auth.is_empty() {
        enable = match auth {
            "enable" => true,
            "disable" => false,
            other => return Err(format!("error incorrect TLS value given, got {other}")),
        };
    }
    c.enable_tls = enable;
    Ok(())
}

/// `redis_scaler.go#parseRedisMetadata`: typed parsing, then `redisMetadata.Validate`.
pub fn parse_redis_metadata(cfg: &ScalerConfig) -> Result<RedisMetadata, ParseError> {
    let mut p = TypedParser::new(cfg, "*scalers.redisMetadata");
    let mut m = RedisMetadata {
        list_length: p.int(&P_LIST_LENGTH, "int64"),
        activation_list_length: p.int(&P_ACTIVATION, "int64"),
        list_name: p.string(&P_LIST_NAME),
        database_index: p.int(&P_DB, "int"),
        trigger_index: cfg.trigger_index,
        ..RedisMetadata::default()
    };
    let metadata_tls = p.string(&P_ENABLE_TLS);
    let auth_tls = p.string(&P_TLS);
    // `ConnectionInfo redisConnectionInfo keda:"optional"`: every field inside is optional.
    p.set_optional_scope(true);
    let c = &mut m.connection;
    c.addresses = p.strings(&P_ADDRESSES);
    c.username = p.string(&P_USERNAME);
    c.password = p.string(&P_PASSWORD);
    c.sentinel_username = p.string(&P_SENTINEL_USERNAME);
    c.sentinel_password = p.string(&P_SENTINEL_PASSWORD);
    c.sentinel_master = p.string(&P_SENTINEL_MASTER);
    c.hosts = p.strings(&P_HOSTS);
    c.ports = p.strings(&P_PORTS);
    c.unsafe_ssl = p.bool(&P_UNSAFE_SSL);
    c.cert = p.string(&P_CERT);
    c.key = p.string(&P_KEY);
    c.key_password = p.string(&P_KEY_PASSWORD);
    c.ca = p.string(&P_CA);
    p.set_optional_scope(false);
    let validation = validate_address(c).and_then(|()| set_enable_tls(c, &metadata_tls, &auth_tls));
    p.validate(validation);
    p.finish()
        .map_err(|e| e.wrap("error parsing redis metadata"))?;
    Ok(m)
}

/// A configured Redis list scaler.
#[derive(Clone, Debug, PartialEq)]
pub struct RedisScaler {
    /// Which client.
    pub mode: RedisMode,
    /// AverageValue (default) or Value.
    pub metric_type: MetricTargetType,
    /// Parsed metadata.
    pub metadata: RedisMetadata,
}

impl RedisScaler {
    /// `NewRedisScaler` without the connection: metric type, then metadata.
    pub fn new(mode: RedisMode, cfg: &ScalerConfig) -> Result<RedisScaler, ParseError> {
        let metric_type = super::metric_target_type(cfg)?;
        let metadata =
            parse_redis_metadata(cfg).map_err(|e| e.wrap("error parsing redis metadata"))?;
        Ok(RedisScaler {
            mode,
            metric_type,
            metadata,
        })
    }

    /// The address the environment is asked about: the first address (the only one KEDA
    /// uses for `redis`; a seed node or sentinel for the others).
    pub fn address(&self) -> &str {
        self.metadata
            .connection
            .addresses
            .first()
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The database KEDA selects (cluster clients have none: 0).
    pub fn database(&self) -> i64 {
        match self.mode {
            RedisMode::Cluster => 0,
            _ => self.metadata.database_index,
        }
    }

    /// The constructor's `PING` (`getRedisClient` / `getRedisClusterClient` /
    /// `getRedisSentinelClient`), with KEDA's error prefix.
    pub fn connect(&self, env: &dyn ScalerEnv) -> Result<(), String> {
        env.redis_ping(self.address(), self.database())
            .map_err(|e| {
                let what = match self.mode {
                    RedisMode::Standalone => "connection to redis failed",
                    RedisMode::Cluster => "connection to redis cluster failed",
                    RedisMode::Sentinel => "connection to redis sentinel failed",
                };
                format!("{what}: {e}")
            })
    }

    /// `GetMetricSpecForScaling`: `s<idx>-redis-<listName>` with an integer target.
    pub fn metric_spec(&self) -> ExternalMetricSpec {
        let name = goparse::normalize_string(&format!("redis-{}", self.metadata.list_name));
        ExternalMetricSpec {
            name: metric_name_with_index(self.metadata.trigger_index, &name),
            target_type: self.metric_type,
            target: Quantity::from_int(self.metadata.list_length),
        }
    }

    /// `GetMetricsAndActivity`: the list length; active when above `activationListLength`.
    pub fn get_metrics_and_activity(
        &self,
        env: &dyn ScalerEnv,
        metric_name: &str,
    ) -> Result<(Vec<MetricValue>, bool), String> {
        let len =
            env.redis_list_length(self.address(), self.database(), &self.metadata.list_name)?;
        Ok((
            vec![metric_in_milli(metric_name, len as f64)],
            len > self.metadata.activation_list_length,
        ))
    }
}
