//! KEDA's scale loop and the HPA controller (`crate::hpa::reconcile`) driving one Deployment
//! together through the metrics adapter: the worked timeline of the KEDA spec (§5.5; KEDA
//! v2.18.3 semantics, HPA without `behavior`). The list holds 50 tasks from t=2 s to t=200 s.

use std::sync::Arc;

use scalesim::hpa::{reconcile, ControllerConfig, HpaState, PodInfo, ScaleInfo};
use scalesim::keda::adapter::KedaMetricsClient;
use scalesim::keda::compiled::{CompiledScaledObject, ScalerInputs};
use scalesim::keda::fallback::TargetReplicas;
use scalesim::keda::scale_loop::{poll, ScaledObjectState};
use scalesim::keda::scalers::MapEnv;
use scalesim::time::SimTime;
use scalesim::yaml::de::DeContext;
use scalesim::yaml::parse_stream;

const SO: &str = r#"
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: worker, namespace: jobs}
spec:
  scaleTargetRef: {name: worker}
  maxReplicaCount: 10
  triggers:
  - type: redis
    metadata: {address: "redis:6379", listName: celery, listLength: "5"}
"#;

/// Runs the timeline with KEDA polling `offset_ms` after each whole 30 s; returns the writes.
fn run(offset_ms: u64) -> Vec<(u64, &'static str, i32, i32)> {
    let docs = parse_stream(SO, &Arc::from("so.yaml")).unwrap();
    let c = CompiledScaledObject::from_node(
        &docs[0].root,
        &DeContext::new(false, true),
        &ScalerInputs::default(),
    )
    .unwrap();
    let hpa = c.hpa.spec.clone();
    assert_eq!(hpa.behavior, None);
    let config = ControllerConfig::default();
    let mut hpa_state = HpaState::new();
    let mut keda = ScaledObjectState::new(&c, SimTime::ZERO, 0);
    keda.start_loop(&c.object, SimTime::from_millis(offset_ms));

    let mut replicas = 0;
    let mut env = MapEnv::default();
    let mut log: Vec<(u64, &str, i32, i32)> = Vec::new();
    for t in 0..=540u64 {
        let now = SimTime::from_secs(t);
        let len = if (2..=200).contains(&t) { 50 } else { 0 };
        env.redis_lists.insert("celery".into(), len);
        // KEDA polls at t + offset, in the same second as the HPA's clock below.
        if t % 30 == 0 {
            let at = SimTime::from_millis(t * 1000 + offset_ms);
            assert_eq!(keda.next_poll_at(), Some(at));
            let out = poll(&c.object, &mut keda, &env, at, replicas);
            if let Some(w) = out.write {
                log.push((t, "keda", replicas, w));
                replicas = w;
            }
        }
        if t % 15 == 5 {
            let pods: Vec<PodInfo> = (0..replicas)
                .map(|i| PodInfo::running(&format!("worker-{i}"), SimTime::ZERO, 100))
                .collect();
            let mut client = KedaMetricsClient::new(
                &c.object,
                &mut keda,
                &env,
                TargetReplicas {
                    current: replicas,
                    ready_pods: replicas,
                },
            );
            let out = reconcile(
                &hpa,
                &config,
                &mut hpa_state,
                &ScaleInfo::new(replicas, "app=worker"),
                &pods,
                &mut client,
                now,
            );
            if out.rescale {
                log.push((t, "hpa", replicas, out.desired_replicas));
                replicas = out.desired_replicas;
            }
        }
    }
    assert_eq!(keda.status.last_active_time, Some(SimTime::from_secs(180)));
    log
}

#[test]
fn keda_activates_the_hpa_sizes_and_keda_drops_n_to_zero() {
    let head = [
        (30, "keda", 0, 1), // activation: 0 -> max(min, 1)
        (35, "hpa", 1, 4),  // ceil(50/5) = 10, legacy limit max(2*1, 4)
        (50, "hpa", 4, 8),  // limit 2*4
        (65, "hpa", 8, 10), // maxReplicas
    ];
    // Polls a millisecond after the second, as in a cluster: lastActiveTime is stored as
    // 180 s (metav1.Time keeps whole seconds), and 180 + 300 < 480.001, so KEDA deactivates
    // exactly cooldownPeriod after the last active poll, writing 10 -> 0 past the HPA, which
    // still held 10 in its 300 s downscale stabilization window.
    let mut want = head.to_vec();
    want.push((480, "keda", 10, 0));
    assert_eq!(run(1), want);
    // Polls exactly on the second: 180 + 300 is not before 480, so one more poll is needed.
    let mut want = head.to_vec();
    want.push((510, "keda", 10, 0));
    assert_eq!(run(0), want);
}
