//! Ported from kedacore/keda v2.18.3: the scaler metadata-parsing and metric-name tests of
//! `pkg/scalers/redis_scaler_test.go`, `rabbitmq_scaler_test.go` and `prometheus_scaler_test.go`.
//! Tables live in `tests/data/keda/*.yaml` (converted from the Go literals, case names =
//! upstream table and index, or upstream's case name); small tables are inline below.
//!
//! Not ported: RabbitMQ `useRegex` queries (TestGetQueueInfoWithRegex, TestGetPageSizeWithRegex,
//! TestRegexQueueMissingError: scalesim rejects `useRegex`), TestConnectionName (AMQP connection
//! names are not modelled), Prometheus cases about the HTTP response shape (`value: []`, a
//! one-element value) and HTTP client details (custom headers, query parameters, GCP auth).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use scalesim::keda::scalers::prometheus::{parse_prometheus_metadata, PrometheusScaler};
use scalesim::keda::scalers::rabbitmq::{
    anonymize_error, parse_rabbitmq_metadata, vhost_and_path_from_url, RabbitMqScaler,
};
use scalesim::keda::scalers::redis::parse_redis_metadata;
use scalesim::keda::scalers::{MapEnv, RabbitQueueStats, Scaler, ScalerEnv};
use scalesim::keda::typed_config::ScalerConfig;
use scalesim::yaml::de::{from_node, DeContext};
use scalesim::yaml::parse_stream;

fn load<T: for<'de> Deserialize<'de>>(file: &str) -> T {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/keda")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let docs = parse_stream(&text, &Arc::from(file)).unwrap();
    from_node(&docs[0].root, "", &DeContext::new(true, false))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

type Map = BTreeMap<String, String>;

fn config(ty: &str, metadata: &Map, env: &Map, auth: &Map, index: usize) -> ScalerConfig {
    ScalerConfig {
        trigger_type: ty.into(),
        trigger_index: index,
        metadata: metadata.clone(),
        resolved_env: env.clone(),
        auth_params: auth.clone(),
        ..ScalerConfig::default()
    }
}

fn report(failures: Vec<String>, total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{failures:#?}",
        failures.len()
    );
}

// ---------------------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RedisFile {
    resolved_env: Map,
    test_redis_metadata: Vec<RedisCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RedisCase {
    name: String,
    metadata: Map,
    auth_params: Map,
    is_error: bool,
    #[serde(rename = "enableTLS")]
    enable_tls: bool,
}

#[test]
fn redis_parse_metadata_test_redis_metadata() {
    let f: RedisFile = load("redis_metadata.yaml");
    let mut failures = Vec::new();
    for c in &f.test_redis_metadata {
        let r = parse_redis_metadata(&config(
            "redis",
            &c.metadata,
            &f.resolved_env,
            &c.auth_params,
            0,
        ));
        match (&r, c.is_error) {
            (Err(_), true) => {}
            (Ok(m), false) => {
                let ci = &m.connection;
                if ci.enable_tls != c.enable_tls {
                    failures.push(format!("{}: enableTLS {}", c.name, ci.enable_tls));
                }
                if ci.enable_tls {
                    let get = |k: &str| c.auth_params.get(k).cloned().unwrap_or_default();
                    if ci.ca != get("ca")
                        || ci.cert != get("cert")
                        || ci.key != get("key")
                        || ci.key_password != get("keyPassword")
                    {
                        failures.push(format!("{}: TLS material {ci:?}", c.name));
                    }
                }
            }
            (r, _) => failures.push(format!("{}: got {r:?}", c.name)),
        }
    }
    report(failures, f.test_redis_metadata.len());
}

#[test]
fn redis_get_metric_spec_for_scaling_redis_metric_identifiers() {
    let f: RedisFile = load("redis_metadata.yaml");
    let row = &f.test_redis_metadata[1];
    for (index, want) in [(0, "s0-redis-mylist"), (1, "s1-redis-mylist")] {
        let mut cfg = config(
            "redis",
            &row.metadata,
            &f.resolved_env,
            &row.auth_params,
            index,
        );
        cfg.trigger_index = index;
        let s = Scaler::build(&cfg).unwrap();
        assert_eq!(
            s.metric_spec().name,
            want,
            "redisMetricIdentifiers[{index}]"
        );
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClusterFile {
    #[serde(rename = "TestParseRedisClusterMetadata")]
    cluster: Vec<ClusterCase>,
    #[serde(rename = "TestParseRedisSentinelMetadata")]
    sentinel: Vec<ClusterCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClusterCase {
    name: String,
    metadata: Map,
    auth_params: Map,
    use_resolved_env: bool,
    want_err: Option<String>,
    want_meta: Option<WantRedisMeta>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct WantRedisMeta {
    list_length: i64,
    list_name: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    sentinel_username: String,
    #[serde(default)]
    sentinel_password: String,
    #[serde(default)]
    sentinel_master: String,
    #[serde(rename = "enableTLS")]
    enable_tls: bool,
    unsafe_ssl: bool,
    addresses: Vec<String>,
    hosts: Vec<String>,
    ports: Vec<String>,
}

#[test]
fn redis_parse_cluster_and_sentinel_metadata() {
    let env: RedisFile = load("redis_metadata.yaml");
    let f: ClusterFile = load("redis_cluster_sentinel_metadata.yaml");
    let mut failures = Vec::new();
    let total = f.cluster.len() + f.sentinel.len();
    for (ty, cases) in [
        ("redis-cluster", &f.cluster),
        ("redis-sentinel", &f.sentinel),
    ] {
        for c in cases {
            let resolved = if c.use_resolved_env {
                env.resolved_env.clone()
            } else {
                Map::new()
            };
            let r = parse_redis_metadata(&config(ty, &c.metadata, &resolved, &c.auth_params, 0));
            let label = format!("{ty} {}", c.name);
            match (&r, &c.want_err, &c.want_meta) {
                (Err(e), Some(want), None) if e.message.contains(want.as_str()) => {}
                (Ok(m), None, Some(want)) => {
                    let ci = &m.connection;
                    let got = WantRedisMeta {
                        list_length: m.list_length,
                        list_name: m.list_name.clone(),
                        username: ci.username.clone(),
                        password: ci.password.clone(),
                        sentinel_username: ci.sentinel_username.clone(),
                        sentinel_password: ci.sentinel_password.clone(),
                        sentinel_master: ci.sentinel_master.clone(),
                        enable_tls: ci.enable_tls,
                        unsafe_ssl: ci.unsafe_ssl,
                        addresses: ci.addresses.clone(),
                        hosts: ci.hosts.clone(),
                        ports: ci.ports.clone(),
                    };
                    if &got != want {
                        failures.push(format!("{label}: {got:?}"));
                    }
                }
                (r, _, _) => failures.push(format!("{label}: got {r:?}")),
            }
        }
    }
    report(failures, total);
}

#[test]
fn redis_error_texts_match_keda() {
    let r = parse_redis_metadata(&ScalerConfig::from_metadata("redis", &[])).unwrap_err();
    assert_eq!(
        r.message,
        "error parsing redis metadata: missing required parameter \"listName\" in [triggerMetadata]\nno addresses or hosts given. address should be a comma separated list of host:port or set the host/port values"
    );
    let cfg = ScalerConfig::from_metadata(
        "redis",
        &[
            ("address", "r:6379"),
            ("listName", "q"),
            ("listLength", "AA"),
        ],
    );
    let r = Scaler::build(&cfg).unwrap_err();
    assert_eq!(
        r.message,
        "error parsing redis metadata: error parsing redis metadata: unable to set param \"listLength\" value \"AA\": unable to unmarshal to field type int64: invalid character 'A' looking for beginning of value"
    );
    assert_eq!(r.key.as_deref(), Some("listLength"));
}

// ---------------------------------------------------------------------------------------
// RabbitMQ
// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RabbitFile {
    resolved_env: Map,
    #[serde(rename = "testRabbitMQMetadata")]
    metadata: Vec<RabbitCase>,
    #[serde(rename = "testRabbitMQAuthParamData")]
    auth: Vec<RabbitAuthCase>,
    test_default_queue_length: Vec<RabbitCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RabbitCase {
    name: String,
    metadata: Map,
    auth_params: Map,
    is_error: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RabbitAuthCase {
    name: String,
    metadata: Map,
    pod_identity: String,
    auth_params: Map,
    is_error: bool,
    #[serde(rename = "enableTLS")]
    enable_tls: String,
    workload_identity: bool,
}

#[test]
fn rabbitmq_parse_metadata_test_rabbitmq_metadata() {
    let f: RabbitFile = load("rabbitmq_metadata.yaml");
    let mut failures = Vec::new();
    for c in &f.metadata {
        let r = parse_rabbitmq_metadata(&config(
            "rabbitmq",
            &c.metadata,
            &f.resolved_env,
            &c.auth_params,
            0,
        ));
        match (&r, c.is_error) {
            (Err(_), true) => {}
            (Ok(m), false) => {
                if let Some(v) = c.metadata.get("unsafeSsl") {
                    if (v == "true") != m.unsafe_ssl {
                        failures.push(format!("{}: unsafeSsl {}", c.name, m.unsafe_ssl));
                    }
                }
            }
            (r, _) => failures.push(format!("{}: got {r:?}", c.name)),
        }
    }
    report(failures, f.metadata.len());
}

#[test]
fn rabbitmq_parse_auth_param_data() {
    let f: RabbitFile = load("rabbitmq_metadata.yaml");
    let mut failures = Vec::new();
    for c in &f.auth {
        let mut cfg = config("rabbitmq", &c.metadata, &f.resolved_env, &c.auth_params, 0);
        cfg.pod_identity_provider = c.pod_identity.clone();
        match (parse_rabbitmq_metadata(&cfg), c.is_error) {
            (Err(_), true) => {}
            (Ok(m), false) => {
                if m.enable_tls != c.enable_tls {
                    failures.push(format!("{}: tls {}", c.name, m.enable_tls));
                }
                if m.enable_tls == "enable" {
                    let get = |k: &str| c.auth_params.get(k).cloned().unwrap_or_default();
                    if m.ca != get("ca")
                        || m.cert != get("cert")
                        || m.key != get("key")
                        || m.key_password != get("keyPassword")
                    {
                        failures.push(format!("{}: TLS material", c.name));
                    }
                }
                let wi =
                    c.pod_identity == "azure-workload" && !m.workload_identity_resource.is_empty();
                if wi != c.workload_identity {
                    failures.push(format!("{}: workload identity {wi}", c.name));
                }
            }
            (r, _) => failures.push(format!("{}: got {r:?}", c.name)),
        }
    }
    report(failures, f.auth.len());
}

#[test]
fn rabbitmq_parse_default_queue_length() {
    let f: RabbitFile = load("rabbitmq_metadata.yaml");
    for c in &f.test_default_queue_length {
        let m = parse_rabbitmq_metadata(&config(
            "rabbitmq",
            &c.metadata,
            &f.resolved_env,
            &c.auth_params,
            0,
        ))
        .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(m.value, 20.0, "{}", c.name);
    }
}

#[test]
fn rabbitmq_get_metric_spec_for_scaling_identifiers() {
    let f: RabbitFile = load("rabbitmq_metadata.yaml");
    for (row, index, want) in [
        (1, 0, "s0-rabbitmq-sample"),
        (7, 1, "s1-rabbitmq-namespace-2Fname"),
    ] {
        let c = &f.metadata[row];
        let cfg = config("rabbitmq", &c.metadata, &f.resolved_env, &Map::new(), index);
        let s = RabbitMqScaler::new(&cfg).unwrap();
        assert_eq!(
            s.metric_spec().name,
            want,
            "rabbitMQMetricIdentifiers row {row}"
        );
        assert_eq!(
            s.metric_spec().target.to_string(),
            "10",
            "queueLength 10 as a milli quantity"
        );
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueueInfoFile {
    test_queue_info_test_data: Vec<QueueInfoCase>,
    test_queue_info_test_data_single_vhost: Vec<QueueInfoCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueueInfoCase {
    name: String,
    status: String,
    is_active: bool,
    #[serde(default)]
    extra_metadata: Map,
    #[serde(default)]
    stats: Option<QueueStats>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueueStats {
    messages: i64,
    #[allow(dead_code)]
    messages_ready: i64,
    messages_unacknowledged: i64,
    publish_rate: f64,
    deliver_get_rate: f64,
}

/// A broker with one queue that checks the vhost it is asked about.
struct OneQueue {
    vhost: String,
    answer: Result<RabbitQueueStats, String>,
}

impl ScalerEnv for OneQueue {
    fn redis_list_length(&self, _: &str, _: i64, _: &str) -> Result<i64, String> {
        unreachable!()
    }
    fn rabbitmq_queue(
        &self,
        _host: &str,
        vhost: &str,
        queue: &str,
    ) -> Result<RabbitQueueStats, String> {
        assert_eq!(queue, "evaluate_trials");
        assert_eq!(vhost, self.vhost);
        self.answer.clone()
    }
    fn prometheus_query(&self, _: &str, _: &str) -> Result<Vec<f64>, String> {
        unreachable!()
    }
}

#[test]
fn rabbitmq_get_queue_info() {
    let f: QueueInfoFile = load("rabbitmq_queue_info.yaml");
    let env = Map::from([
        (
            "myHostSecret".to_string(),
            "http://127.0.0.1:15672/".to_string(),
        ),
        (
            "plainHost".to_string(),
            "http://127.0.0.1:15672".to_string(),
        ),
    ]);
    let mut failures = Vec::new();
    let all: Vec<&QueueInfoCase> = f
        .test_queue_info_test_data
        .iter()
        .chain(&f.test_queue_info_test_data_single_vhost)
        .collect();
    for c in &all {
        let mut md = Map::from([
            ("queueName".to_string(), "evaluate_trials".to_string()),
            ("hostFromEnv".to_string(), "myHostSecret".to_string()),
            ("protocol".to_string(), "http".to_string()),
        ]);
        md.extend(c.extra_metadata.clone());
        let s = RabbitMqScaler::new(&config("rabbitmq", &md, &env, &Map::new(), 0)).unwrap();
        let vhost = match md.get("vhostName").map(String::as_str) {
            None | Some("") => "/".to_string(),
            Some(v) => v.to_string(),
        };
        let answer = match (&c.stats, &c.error) {
            (Some(q), _) => Ok(RabbitQueueStats {
                ready: q.messages - q.messages_unacknowledged,
                unacked: q.messages_unacknowledged,
                publish_rate: q.publish_rate,
                deliver_get_rate: q.deliver_get_rate,
            }),
            (None, Some(e)) => Err(format!("error requesting RabbitMQ API status: 401 Unauthorized, response: {e}, from: http://127.0.0.1:15672/api/queues/%2F/evaluate_trials")),
            _ => unreachable!(),
        };
        let env = OneQueue { vhost, answer };
        match (
            s.get_metrics_and_activity(&env, "Metric"),
            c.status.as_str(),
        ) {
            (Ok((_, active)), "StatusOK") if active == c.is_active => {}
            (Err(e), _)
                if c.error
                    .as_ref()
                    .is_some_and(|want| e.contains(want.as_str())) => {}
            (r, _) => failures.push(format!("{}: {r:?}", c.name)),
        }
    }
    report(failures, all.len());
}

#[test]
fn rabbitmq_get_vhost_and_path_from_url() {
    // getVhostAndPathFromURLTestData: (rawPath, overrideVhost, resolvedVhostPath, resolvedPath)
    const ROOT: &str = "/%2F";
    let rows: &[(&str, &str, &str, &str)] = &[
        ("myVhost", "", "/myVhost", ""),
        ("%2FmyVhost", "", "/%2FmyVhost", ""),
        ("/", "", ROOT, ""),
        ("//", "", ROOT, ""),
        ("/%2F", "", ROOT, ""),
        ("", "", ROOT, ""),
        ("sub1/myVhost", "", "/myVhost", "/sub1"),
        ("sub1/", "overridenVhost", "/overridenVhost", "/sub1"),
        ("myVhost", "overridenVhost", "/overridenVhost", ""),
        ("sub1/%2FmyVhost", "", "/%2FmyVhost", "/sub1"),
        ("sub1/", "", ROOT, "/sub1"),
        ("sub1/", "myVhost", "/myVhost", "/sub1"),
        ("myVhost", "overridenVhost", "/overridenVhost", ""),
        ("sub1//", "", ROOT, "/sub1"),
        ("sub1/%2F", "", ROOT, "/sub1"),
        ("sub1/sub2/myVhost", "", "/myVhost", "/sub1/sub2"),
        (
            "sub1/sub2/myVhost",
            "overridenVhost",
            "/overridenVhost",
            "/sub1/sub2",
        ),
        ("myVhost", "overridenVhost", "/overridenVhost", ""),
        ("sub1/sub2/%2FmyVhost", "", "/%2FmyVhost", "/sub1/sub2"),
        ("sub1/sub2/", "", ROOT, "/sub1/sub2"),
        ("sub1/sub2/", "myVhost", "/myVhost", "/sub1/sub2"),
        ("sub1/myVhost", "overridenVhost", "/overridenVhost", "/sub1"),
        ("sub1/sub2//", "", ROOT, "/sub1/sub2"),
        ("sub1/sub2/%2F", "", ROOT, "/sub1/sub2"),
    ];
    for (i, (raw, over, vhost, path)) in rows.iter().enumerate() {
        assert_eq!(
            vhost_and_path_from_url(raw, over),
            (vhost.to_string(), path.to_string()),
            "getVhostAndPathFromURLTestData[{i}]"
        );
    }
}

#[test]
fn rabbitmq_vhost_reaches_the_broker_decoded() {
    let cases = [
        ("http://h:15672/sub1/%2F", "", "/"),
        ("http://h:15672/myVhost", "", "myVhost"),
        ("http://h:15672", "other", "other"),
        ("amqp://u:p@h:5672/vhost", "", "vhost"),
        ("amqp://h:5672/%2F", "", "/"),
        ("amqp://h:5672", "", "/"),
        ("amqp://h:5672/", "", "/"),
        ("amqp://h:5672/x", "/", "/"),
    ];
    for (host, vhost_name, want) in cases {
        let mut md = vec![("queueName", "q"), ("host", host)];
        if !vhost_name.is_empty() {
            md.push(("vhostName", vhost_name));
        }
        let s = RabbitMqScaler::new(&ScalerConfig::from_metadata("rabbitmq", &md)).unwrap();
        assert_eq!(s.vhost(), want, "{host} {vhost_name}");
    }
}

#[test]
fn rabbitmq_anonymize_rabbitmq_error() {
    let rows = [
        ("https://user1:password1@domain.com", "error inspecting RabbitMQ: https://user:password@domain.com"),
        ("https://fdasr345_-:password1@domain.com", "error inspecting RabbitMQ: https://user:password@domain.com"),
        ("https://user1:fdasr345_-@domain.com", "error inspecting RabbitMQ: https://user:password@domain.com"),
        ("https://fdakls_dsa:password1@domain.com", "error inspecting RabbitMQ: https://user:password@domain.com"),
        ("fdasr345_-:password1@domain.com", "error inspecting RabbitMQ: user:password@domain.com"),
        ("this user1:password1@domain.com fails", "error inspecting RabbitMQ: this user:password@domain.com fails"),
        ("this https://user1:password1@domain.com fails also", "error inspecting RabbitMQ: this https://user:password@domain.com fails also"),
        ("nothing to replace here", "error inspecting RabbitMQ: nothing to replace here"),
        ("the queue https://user1:fdasr345_-@domain.com/api/virtual is unavailable", "error inspecting RabbitMQ: the queue https://user:password@domain.com/api/virtual is unavailable"),
    ];
    for (i, (err, want)) in rows.iter().enumerate() {
        assert_eq!(
            anonymize_error(err),
            *want,
            "anonymizeRabbitMQErrorTestData[{i}]"
        );
    }
}

#[test]
fn rabbitmq_amqp_counts_ready_only_http_counts_unacked() {
    let mut env = MapEnv::default();
    env.rabbit_queues.insert(
        "celery".into(),
        RabbitQueueStats {
            ready: 3,
            unacked: 40,
            publish_rate: 0.0,
            deliver_get_rate: 0.0,
        },
    );
    let amqp = RabbitMqScaler::new(&ScalerConfig::from_metadata(
        "rabbitmq",
        &[
            ("queueName", "celery"),
            ("host", "amqp://guest:guest@rabbit:5672/"),
        ],
    ))
    .unwrap();
    assert_eq!(
        amqp.get_metrics_and_activity(&env, "m").unwrap().0[0].value_milli,
        3_000
    );
    let http = RabbitMqScaler::new(&ScalerConfig::from_metadata(
        "rabbitmq",
        &[
            ("queueName", "celery"),
            ("host", "http://guest:guest@rabbit:15672/"),
        ],
    ))
    .unwrap();
    assert_eq!(
        http.get_metrics_and_activity(&env, "m").unwrap().0[0].value_milli,
        43_000
    );
    let excl = RabbitMqScaler::new(&ScalerConfig::from_metadata(
        "rabbitmq",
        &[
            ("queueName", "celery"),
            ("host", "http://rabbit:15672/"),
            ("excludeUnacknowledged", "true"),
        ],
    ))
    .unwrap();
    assert_eq!(
        excl.get_metrics_and_activity(&env, "m").unwrap().0[0].value_milli,
        3_000
    );
}

// ---------------------------------------------------------------------------------------
// Prometheus
// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromFile {
    test_prom_metadata: Vec<PromCase>,
    test_prometheus_auth_metadata: Vec<PromAuthCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromCase {
    name: String,
    metadata: Map,
    is_error: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromAuthCase {
    name: String,
    metadata: Map,
    auth_params: Map,
    pod_identity: String,
    is_error: bool,
}

#[test]
fn prometheus_parse_metadata_test_prom_metadata() {
    let f: PromFile = load("prometheus_metadata.yaml");
    let mut failures = Vec::new();
    for c in &f.test_prom_metadata {
        let r = parse_prometheus_metadata(&config(
            "prometheus",
            &c.metadata,
            &Map::new(),
            &Map::new(),
            0,
        ));
        if r.is_err() != c.is_error {
            failures.push(format!("{}: got {r:?}", c.name));
        }
    }
    report(failures, f.test_prom_metadata.len());
}

#[test]
fn prometheus_scaler_auth_params() {
    let f: PromFile = load("prometheus_metadata.yaml");
    let mut failures = Vec::new();
    for c in &f.test_prometheus_auth_metadata {
        let mut cfg = config("prometheus", &c.metadata, &Map::new(), &c.auth_params, 0);
        cfg.pod_identity_provider = c.pod_identity.clone();
        match (parse_prometheus_metadata(&cfg), c.is_error) {
            (Err(_), true) => {}
            (Ok(m), false) => {
                let modes = c.metadata.get("authModes").cloned().unwrap_or_default();
                for mode in &m.auth.modes {
                    if !modes.contains(mode.as_str()) {
                        failures.push(format!("{}: wrong auth mode {mode}", c.name));
                    }
                }
            }
            (r, _) => failures.push(format!("{}: got {r:?}", c.name)),
        }
    }
    report(failures, f.test_prometheus_auth_metadata.len());
}

#[test]
fn prometheus_get_metric_spec_for_scaling_identifiers() {
    let f: PromFile = load("prometheus_metadata.yaml");
    let row = &f.test_prom_metadata[1];
    for (index, want) in [(0, "s0-prometheus"), (1, "s1-prometheus")] {
        let s = PrometheusScaler::new(&config(
            "prometheus",
            &row.metadata,
            &Map::new(),
            &Map::new(),
            index,
        ))
        .unwrap();
        assert_eq!(
            s.metric_spec().name,
            want,
            "prometheusMetricIdentifiers[{index}]"
        );
        assert_eq!(s.metric_spec().target.milli_value(), 100_000);
    }
}

#[test]
fn prometheus_scaler_execute_prom_query() {
    // testPromQueryResult, with the API response reduced to the samples it carries.
    type Row = (
        &'static str,
        Result<Vec<f64>, &'static str>,
        bool,
        Result<f64, ()>,
    );
    let rows: &[Row] = &[
        ("no results", Ok(vec![]), true, Ok(0.0)),
        ("no values", Ok(vec![]), true, Ok(0.0)),
        ("no values but shouldn't ignore", Ok(vec![]), false, Err(())),
        ("valid value", Ok(vec![2.0]), true, Ok(2.0)),
        ("multiple results", Ok(vec![1.0, 1.0]), true, Err(())),
        (
            "error status response",
            Err("prometheus query api returned error. status: 400 response: {}"),
            true,
            Err(()),
        ),
        ("+Inf", Ok(vec![f64::INFINITY]), true, Ok(0.0)),
        (
            "+Inf but shouldn't ignore ",
            Ok(vec![f64::INFINITY]),
            false,
            Err(()),
        ),
        ("-Inf", Ok(vec![f64::NEG_INFINITY]), true, Ok(0.0)),
        (
            "-Inf but shouldn't ignore ",
            Ok(vec![f64::NEG_INFINITY]),
            false,
            Err(()),
        ),
    ];
    for (name, samples, ignore, want) in rows {
        let mut env = MapEnv::default();
        env.prometheus
            .insert("up".into(), samples.clone().map_err(str::to_string));
        let md = [
            ("serverAddress", "http://prom:9090"),
            ("query", "up"),
            ("threshold", "1"),
            ("ignoreNullValues", if *ignore { "true" } else { "false" }),
        ];
        let s = PrometheusScaler::new(&ScalerConfig::from_metadata("prometheus", &md)).unwrap();
        let got = s.get_metrics_and_activity(&env, "s0-prometheus");
        match (got, want) {
            (Ok((m, _)), Ok(v)) => assert_eq!(m[0].value_milli, (v * 1000.0) as i64, "{name}"),
            (Err(_), Err(())) => {}
            (g, w) => panic!("testPromQueryResult {name}: got {g:?}, want {w:?}"),
        }
    }
}

#[test]
fn unsupported_trigger_types_are_named() {
    let e = Scaler::build(&ScalerConfig::from_metadata("kafka", &[])).unwrap_err();
    assert_eq!(
        e.message,
        "trigger type \"kafka\" is not supported by scalesim (supported: redis, redis-cluster, redis-sentinel, rabbitmq, prometheus)"
    );
    let e = Scaler::build(&ScalerConfig::from_metadata("redis-lists", &[])).unwrap_err();
    assert_eq!(e.message, "no scaler found for type: redis-lists");
}
