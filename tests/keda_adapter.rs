//! The metrics adapter as the HPA sees it (scalesim's own cases, KEDA v2.18.3 semantics of
//! `GetScaledObjectMetrics`): fresh queries per request, `useCachedMetrics`, fallback counting
//! per request, the Redis-outage trap that stalls the fallback counter, scalingModifiers.

use std::sync::Arc;

use scalesim::hpa::{LabelSelector, MetricSpec, MetricsClient};
use scalesim::keda::adapter::KedaMetricsClient;
use scalesim::keda::compiled::{Compiled, CompiledScaledObject, ScalerInputs};
use scalesim::keda::fallback::TargetReplicas;
use scalesim::keda::scale_loop::{poll, ScaledObjectState};
use scalesim::keda::scalers::MapEnv;
use scalesim::keda::status::ConditionStatus;
use scalesim::time::SimTime;
use scalesim::yaml::de::DeContext;
use scalesim::yaml::parse_stream;

fn compile(spec_extra: &str, triggers: &str) -> Compiled {
    let mut y = String::from(
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: orders, namespace: shop}\nspec:\n  scaleTargetRef: {name: worker}\n",
    );
    for l in spec_extra.lines() {
        y.push_str(&format!("  {l}\n"));
    }
    y.push_str(&format!("  triggers:\n{triggers}"));
    let docs = parse_stream(&y, &Arc::from("so.yaml")).unwrap();
    CompiledScaledObject::from_node(
        &docs[0].root,
        &DeContext::new(false, true),
        &ScalerInputs::default(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"))
}

/// The metric name and selector the generated HPA asks for.
fn hpa_metric(c: &Compiled) -> (String, Option<LabelSelector>) {
    match &c.hpa.spec.metrics[0] {
        MetricSpec::External { metric, .. } => (metric.name.clone(), metric.selector.clone()),
        other => panic!("{other:?}"),
    }
}

const REPLICAS: TargetReplicas = TargetReplicas {
    current: 3,
    ready_pods: 3,
};

fn ask(c: &Compiled, st: &mut ScaledObjectState, env: &MapEnv) -> Result<Vec<i64>, String> {
    let (name, sel) = hpa_metric(c);
    let mut client = KedaMetricsClient::new(&c.object, st, env, REPLICAS);
    client.get_external_metric(&name, "shop", sel.as_ref())
}

const REDIS: &str = "  - {type: redis, metadata: {address: \"r:6379\", listName: celery}}\n";

#[test]
fn every_request_queries_the_scaler_afresh() {
    let c = compile("", REDIS);
    let mut st = ScaledObjectState::new(&c, SimTime::ZERO, 1);
    let mut env = MapEnv::default();
    env.redis_lists.insert("celery".into(), 12);
    assert_eq!(ask(&c, &mut st, &env), Ok(vec![12_000]));
    env.redis_lists.insert("celery".into(), 40);
    assert_eq!(ask(&c, &mut st, &env), Ok(vec![40_000]));
}

#[test]
fn requests_are_routed_by_the_scaled_object_label() {
    let c = compile("", REDIS);
    let mut st = ScaledObjectState::new(&c, SimTime::ZERO, 1);
    let env = MapEnv::default();
    let mut client = KedaMetricsClient::new(&c.object, &mut st, &env, REPLICAS);
    assert_eq!(
        client.get_external_metric("s0-redis-celery", "shop", None),
        Err("scaledObject name is not specified".into())
    );
    let other = LabelSelector::with_labels([("scaledobject.keda.sh/name", "payments")]);
    let e = client
        .get_external_metric("s0-redis-celery", "shop", Some(&other))
        .unwrap_err();
    assert!(
        e.starts_with("rpc error: code = Unknown desc = error when getting metric values"),
        "{e}"
    );
    assert!(client
        .get_resource_metric("cpu", "shop", "app=w", "")
        .is_err());
}

#[test]
fn use_cached_metrics_serves_the_last_poll() {
    let c = compile("", "  - {type: redis, useCachedMetrics: true, metadata: {address: \"r:6379\", listName: celery}}\n");
    let mut st = ScaledObjectState::new(&c, SimTime::ZERO, 1);
    st.start_loop(&c.object, SimTime::ZERO);
    let mut env = MapEnv::default();
    env.redis_lists.insert("celery".into(), 5);
    // No record yet: a live query.
    assert_eq!(ask(&c, &mut st, &env), Ok(vec![5_000]));
    env.redis_lists.insert("celery".into(), 7);
    poll(&c.object, &mut st, &env, SimTime::from_secs(30), 1);
    env.redis_lists.insert("celery".into(), 100);
    assert_eq!(
        ask(&c, &mut st, &env),
        Ok(vec![7_000]),
        "the poll's value, not the live 100"
    );
}

const PROM: &str = "  - {type: prometheus, metadata: {serverAddress: \"http://prom:9090\", query: backlog, threshold: \"10\"}}\n";

#[test]
fn fallback_counts_failures_per_request_and_lags_the_condition() {
    let c = compile("fallback: {failureThreshold: 2, replicas: 6}", PROM);
    let mut st = ScaledObjectState::new(&c, SimTime::ZERO, 3);
    let mut env = MapEnv::default();
    env.prometheus.insert(
        "backlog".into(),
        Err("Post \"http://prom:9090/api/v1/query\": dial tcp: connection refused".into()),
    );
    for i in 1..=2 {
        let e = ask(&c, &mut st, &env).unwrap_err();
        assert_eq!(e, "rpc error: code = Unknown desc = error when getting metric values metric:s0-prometheus encountered error");
        assert_eq!(st.status.health["s0-prometheus"].number_of_failures, i);
    }
    // Third failure > threshold 2: 6 replicas x target 10.
    assert_eq!(ask(&c, &mut st, &env), Ok(vec![60_000]));
    assert_eq!(
        st.status.conditions.fallback.status,
        ConditionStatus::False,
        "computed before this update"
    );
    assert_eq!(ask(&c, &mut st, &env), Ok(vec![60_000]));
    assert_eq!(st.status.conditions.fallback.status, ConditionStatus::True);
    env.prometheus.insert("backlog".into(), Ok(vec![42.0]));
    assert_eq!(ask(&c, &mut st, &env), Ok(vec![42_000]));
    assert_eq!(st.status.health["s0-prometheus"].number_of_failures, 0);
}

#[test]
fn a_redis_outage_stalls_the_fallback_counter() {
    let c = compile("fallback: {failureThreshold: 1, replicas: 6}", REDIS);
    let mut st = ScaledObjectState::new(&c, SimTime::ZERO, 3);
    let mut env = MapEnv::default();
    env.redis_lists.insert("celery".into(), 9);
    assert_eq!(ask(&c, &mut st, &env), Ok(vec![9_000]));
    env.redis_down = Some("dial tcp 10.0.0.7:6379: connect: connection refused".into());
    // The query fails, the rebuild's PING fails: counted once, cache cleared.
    assert!(ask(&c, &mut st, &env).is_err());
    assert_eq!(st.status.health["s0-redis-celery"].number_of_failures, 1);
    assert!(!st.scalers_cache_built());
    // From now on the cache build fails before fallback: the counter never passes 1.
    for _ in 0..5 {
        let e = ask(&c, &mut st, &env).unwrap_err();
        assert!(
            e.contains("error getting scalers connection to redis failed"),
            "{e}"
        );
    }
    assert_eq!(st.status.health["s0-redis-celery"].number_of_failures, 1);
}

#[test]
fn scaling_modifiers_serve_the_composite_metric() {
    let triggers = "  - {type: redis, name: hi, metadata: {address: \"r:6379\", listName: hi}}\n  - {type: redis, name: lo, metadata: {address: \"r:6379\", listName: lo}}\n";
    let c = compile(
        "advanced: {scalingModifiers: {formula: \"hi * 2 + lo\", target: \"10\"}}",
        triggers,
    );
    let mut st = ScaledObjectState::new(&c, SimTime::ZERO, 1);
    let mut env = MapEnv::default();
    env.redis_lists.insert("hi".into(), 4);
    env.redis_lists.insert("lo".into(), 3);
    assert_eq!(hpa_metric(&c).0, "composite-metric");
    assert_eq!(ask(&c, &mut st, &env), Ok(vec![11_000]));
    // The poll loop decides activity on the composite value.
    st.start_loop(&c.object, SimTime::ZERO);
    let out = poll(&c.object, &mut st, &env, SimTime::ZERO, 0);
    assert_eq!(out.composite_milli, Some(11_000));
    assert_eq!(out.active_triggers, vec!["ModifiersTrigger"]);
    assert_eq!(out.write, Some(1));
}

#[test]
fn value_target_fallback_divides_by_ready_pods() {
    let c = compile(
        "fallback: {failureThreshold: 0, replicas: 8}",
        "  - {type: prometheus, metricType: Value, metadata: {serverAddress: \"http://prom:9090\", query: q, threshold: \"5\"}}\n",
    );
    let mut st = ScaledObjectState::new(&c, SimTime::ZERO, 3);
    let mut env = MapEnv::default();
    env.prometheus.insert("q".into(), Err("boom".into()));
    let (name, sel) = hpa_metric(&c);
    let mut client = KedaMetricsClient::new(
        &c.object,
        &mut st,
        &env,
        TargetReplicas {
            current: 3,
            ready_pods: 2,
        },
    );
    // 8 / 2 ready pods * 5 = 20
    assert_eq!(
        client.get_external_metric(&name, "shop", sel.as_ref()),
        Ok(vec![20_000])
    );
    assert!(client.responses[0].triggers[0].fallback_active);
}
