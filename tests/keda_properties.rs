//! Properties of the KEDA module (scalesim's own, KEDA v2.18.3 semantics): no panic on any
//! metadata or formula text, and the only replica counts KEDA itself ever writes.

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::prelude::*;

use scalesim::keda::compiled::{CompiledScaledObject, ScalerInputs};
use scalesim::keda::formula::Formula;
use scalesim::keda::goparse::{json_float, json_int, parse_config_duration};
use scalesim::keda::scale_loop::{poll, ScaledObjectState};
use scalesim::keda::scalers::{MapEnv, Scaler};
use scalesim::keda::typed_config::ScalerConfig;
use scalesim::time::SimTime;
use scalesim::yaml::de::DeContext;
use scalesim::yaml::parse_stream;

const KEYS: &[&str] = &[
    "listName",
    "listLength",
    "activationListLength",
    "databaseIndex",
    "address",
    "addresses",
    "host",
    "hosts",
    "port",
    "ports",
    "enableTLS",
    "unsafeSsl",
    "queueName",
    "mode",
    "value",
    "queueLength",
    "activationValue",
    "protocol",
    "vhostName",
    "excludeUnacknowledged",
    "pageSize",
    "timeout",
    "serverAddress",
    "query",
    "threshold",
    "activationThreshold",
    "ignoreNullValues",
    "customHeaders",
    "queryParameters",
    "authModes",
    "hostFromEnv",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn parsers_never_panic(text in ".{0,40}") {
        let _ = json_int(&text, "int64");
        let _ = json_float(&text);
        let _ = parse_config_duration(&text);
        let _ = Formula::compile(&text, &["a", "b"]);
    }

    #[test]
    fn scaler_metadata_never_panics(
        ty in prop::sample::select(vec!["redis", "redis-cluster", "redis-sentinel", "rabbitmq", "prometheus"]),
        entries in prop::collection::vec((prop::sample::select(KEYS.to_vec()), "[ -~]{0,12}"), 0..8),
    ) {
        let metadata: BTreeMap<String, String> =
            entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let cfg = ScalerConfig { trigger_type: ty.into(), metadata, ..ScalerConfig::default() };
        if let Ok(s) = Scaler::build(&cfg) {
            let _ = s.metric_spec();
            let _ = s.get_metrics_and_activity(&MapEnv::default(), "m");
        }
    }

    #[test]
    fn keda_writes_only_its_own_replica_counts(
        min in prop::option::of(0i32..4),
        idle in prop::option::of(0i32..1),
        cooldown in 0i32..120,
        steps in prop::collection::vec((0i64..20, 0i32..12, any::<bool>()), 1..40),
    ) {
        let mut spec = format!("  cooldownPeriod: {cooldown}\n  maxReplicaCount: 12\n");
        if let Some(m) = min { spec.push_str(&format!("  minReplicaCount: {m}\n")); }
        if let Some(i) = idle { spec.push_str(&format!("  idleReplicaCount: {i}\n")); }
        let y = format!("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {{name: so}}\nspec:\n  scaleTargetRef: {{name: w}}\n{spec}  triggers:\n  - {{type: redis, metadata: {{address: \"r:6379\", listName: q, activationListLength: \"3\"}}}}\n");
        let docs = parse_stream(&y, &Arc::from("p.yaml")).unwrap();
        let Ok(c) = CompiledScaledObject::from_node(&docs[0].root, &DeContext::new(false, true), &ScalerInputs::default()) else {
            return Ok(()); // e.g. idle without min: rejected at load
        };
        let mut st = ScaledObjectState::new(&c, SimTime::ZERO, 0);
        st.start_loop(&c.object, SimTime::from_millis(500));
        let mut env = MapEnv::default();
        let activation_target = match min { Some(m) if m > 0 => m, _ => 1 };
        let mut last_poll = SimTime::ZERO;
        for (len, current, down) in steps {
            env.redis_lists.insert("q".into(), len);
            env.redis_down = down.then(|| "connection refused".to_string());
            let at = st.next_poll_at().unwrap();
            prop_assert!(at >= last_poll);
            last_poll = at;
            let out = poll(&c.object, &mut st, &env, at, current);
            if let Some(w) = out.write {
                let allowed = [activation_target, idle.unwrap_or(0), min.unwrap_or(0)];
                prop_assert!(allowed.contains(&w), "wrote {w} (min {min:?}, idle {idle:?})");
                if out.is_error {
                    prop_assert!(w >= current || c.object.so.spec.fallback.is_some(), "errors block scale-in");
                }
            }
            prop_assert_eq!(st.next_poll_at(), Some(at + c.object.so.polling_interval()));
        }
    }
}
