//! Scale-loop behaviour of the KEDA module (scalesim's own cases, KEDA v2.18.3 semantics):
//! poll timing, activation, cooldown, scale-to-zero in one write, errors, fallback traps.

use std::sync::Arc;

use scalesim::keda::compiled::{Compiled, CompiledScaledObject, ScalerInputs};
use scalesim::keda::executor::Decision;
use scalesim::keda::scale_loop::{poll, ScaledObjectState};
use scalesim::keda::scalers::MapEnv;
use scalesim::time::{Dur, SimTime};
use scalesim::yaml::de::DeContext;
use scalesim::yaml::parse_stream;

fn compile(yaml: &str) -> Compiled {
    let docs = parse_stream(yaml, &Arc::from("so.yaml")).unwrap();
    let cx = DeContext::new(false, true);
    CompiledScaledObject::from_node(&docs[0].root, &cx, &ScalerInputs::default())
        .unwrap_or_else(|e| panic!("{e:?}"))
}

const REDIS_SO: &str = r#"
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: worker-so, namespace: jobs}
spec:
  scaleTargetRef: {name: worker}
  maxReplicaCount: 10
  triggers:
  - type: redis
    metadata: {address: "redis:6379", listName: celery, listLength: "5"}
"#;

fn t(secs: u64) -> SimTime {
    SimTime::from_secs(secs)
}

#[test]
fn polls_every_interval_from_loop_start() {
    let c = compile(REDIS_SO);
    let mut st = ScaledObjectState::new(&c, t(0), 0);
    assert_eq!(st.next_poll_at(), None);
    st.start_loop(&c.object, t(7));
    assert_eq!(st.next_poll_at(), Some(t(7)));
    let env = MapEnv::default();
    let out = poll(&c.object, &mut st, &env, t(7), 0);
    assert_eq!(out.next_poll, Some(t(37)));
    assert_eq!(st.next_poll_at(), Some(t(37)));
}

#[test]
fn activates_from_zero_and_names_the_trigger() {
    let c = compile(REDIS_SO);
    let mut st = ScaledObjectState::new(&c, t(0), 0);
    st.start_loop(&c.object, t(0));
    let mut env = MapEnv::default();
    env.redis_lists.insert("celery".into(), 50);
    let out = poll(&c.object, &mut st, &env, t(30), 0);
    assert_eq!(out.write, Some(1));
    assert_eq!(out.decision, Some(Decision::Activated));
    assert_eq!(
        out.events[0].message,
        "Scaled apps/v1.Deployment jobs/worker from 0 to 1, triggered by redisScaler"
    );
    assert_eq!(st.status.last_active_time, Some(t(30)));
    assert_eq!(out.triggers[0].value_milli, Some(50_000));
}

#[test]
fn cooldown_gates_only_scale_to_zero_and_jumps_n_to_zero() {
    let c = compile(REDIS_SO);
    let mut st = ScaledObjectState::new(&c, t(0), 0);
    st.start_loop(&c.object, t(0));
    let mut env = MapEnv::default();
    env.redis_lists.insert("celery".into(), 50);
    poll(&c.object, &mut st, &env, t(30), 0);
    // Active with replicas: lastActiveTime refreshed, no write (the HPA sizes 1..N).
    let out = poll(&c.object, &mut st, &env, t(180), 8);
    assert_eq!(out.decision, Some(Decision::RefreshedLastActiveTime));
    assert_eq!(out.write, None);
    env.redis_lists.insert("celery".into(), 0);
    for s in [210, 240, 450, 480] {
        let out = poll(&c.object, &mut st, &env, t(s), 10);
        assert_eq!(out.decision, Some(Decision::CoolingDown), "t={s}");
        assert_eq!(out.write, None);
    }
    // 180 + 300 < 510: one write from 10 straight to 0.
    let out = poll(&c.object, &mut st, &env, t(510), 10);
    assert_eq!(out.decision, Some(Decision::Deactivated));
    assert_eq!(out.write, Some(0));
    assert_eq!(
        out.events[0].message,
        "Deactivated apps/v1.Deployment jobs/worker from 10 to 0"
    );
}

#[test]
fn last_active_time_keeps_whole_seconds_like_metav1_time() {
    let c = compile(REDIS_SO);
    let mut st = ScaledObjectState::new(&c, t(0), 0);
    st.start_loop(&c.object, SimTime::from_millis(30_250));
    let mut env = MapEnv::default();
    env.redis_lists.insert("celery".into(), 3);
    poll(&c.object, &mut st, &env, SimTime::from_millis(30_250), 0);
    assert_eq!(st.status.last_active_time, Some(t(30)));
    env.redis_lists.insert("celery".into(), 0);
    // 30 + 300 < 330.25: with polls off the whole second, KEDA deactivates after exactly C.
    let out = poll(&c.object, &mut st, &env, SimTime::from_millis(330_250), 3);
    assert_eq!(out.write, Some(0));
}

#[test]
fn fresh_object_drops_to_zero_at_first_inactive_poll_after_creation() {
    let c = compile(REDIS_SO);
    let mut st = ScaledObjectState::new(&c, t(0), 4);
    st.start_loop(&c.object, SimTime::from_millis(1));
    let env = MapEnv::default();
    let out = poll(&c.object, &mut st, &env, SimTime::from_millis(1), 4);
    assert_eq!(
        out.write,
        Some(0),
        "lastActiveTime unset: initialCooldownPeriod 0 only"
    );
}

#[test]
fn scaler_errors_clear_the_cache_and_block_scale_to_zero() {
    let c = compile(REDIS_SO);
    let mut st = ScaledObjectState::new(&c, t(0), 3);
    st.start_loop(&c.object, t(0));
    let mut env = MapEnv::default();
    // Created and polled at the same instant: `creationTimestamp + 0` is not before now yet.
    let out = poll(&c.object, &mut st, &env, t(0), 3);
    assert_eq!(out.decision, Some(Decision::CoolingDown));
    let out = poll(&c.object, &mut st, &env, t(30), 3);
    assert_eq!(out.write, Some(0));
    assert!(st.scalers_cache_built());
    env.redis_down = Some("dial tcp 10.0.0.1:6379: connect: connection refused".into());
    // Query fails, rebuild (PING) fails: trigger error, cache cleared, no scaling.
    let out = poll(&c.object, &mut st, &env, t(60), 2);
    assert!(out.is_error);
    assert_eq!(out.decision, Some(Decision::TriggerError));
    assert_eq!(
        out.triggers[0].error.as_deref(),
        Some("connection to redis failed: dial tcp 10.0.0.1:6379: connect: connection refused")
    );
    assert!(!st.scalers_cache_built());
    // Next poll: the cache build fails first; RequestScale is not called at all.
    let out = poll(&c.object, &mut st, &env, t(90), 2);
    assert!(out
        .skipped
        .unwrap()
        .starts_with("error getting scalers cache connection to redis failed"));
    assert_eq!(out.decision, None);
}

#[test]
fn poll_outcome_is_deterministic() {
    let c = compile(REDIS_SO);
    let run = || {
        let mut st = ScaledObjectState::new(&c, t(0), 0);
        st.start_loop(&c.object, t(0));
        let mut env = MapEnv::default();
        let mut outs = Vec::new();
        for i in 0..20u64 {
            env.redis_lists
                .insert("celery".into(), ((i * 7) % 11) as i64);
            outs.push(poll(&c.object, &mut st, &env, t(i * 30), (i % 3) as i32));
        }
        outs
    };
    assert_eq!(run(), run());
    let _ = Dur::ZERO;
}
