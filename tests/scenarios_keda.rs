//! The shipped KEDA scenarios, end to end: trajectories and the behaviours users trip over,
//! with the reasoning next to each assertion.

use scalesim::observe::{EventRow, MemorySink};
use scalesim::scenario::{load_file, LoadOptions};
use scalesim::sim::{control::Decision, run};

struct Run {
    sink: MemorySink,
    decisions: Vec<Decision>,
    lost: u64,
}

fn simulate(path: &str, overrides: &[&str]) -> Run {
    let opts = LoadOptions {
        overrides: overrides.iter().map(|s| s.to_string()).collect(),
        seed: None,
    };
    let sc = load_file(path, &opts).unwrap_or_else(|e| panic!("{e}"));
    let mut sink = MemorySink::default();
    let out = run(&sc, &mut sink, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    Run {
        decisions: std::mem::take(&mut sink.decisions),
        sink,
        lost: out.summary.lost,
    }
}

/// (time, new replicas) of each `ScalingReplicaSet` event for `deployment`.
fn scalings(events: &[EventRow], deployment: &str) -> Vec<(f64, i32)> {
    events
        .iter()
        .filter(|e| {
            e.reason == "ScalingReplicaSet"
                && e.message.contains(&format!("replica set {deployment} to "))
        })
        .map(|e| {
            let to: i32 = e
                .message
                .split(" to ")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            (e.time.as_secs_f64(), to)
        })
        .collect()
}

#[test]
fn seed_000_scales_1_4_8_10_through_the_hpa_legacy_limit() {
    let r = simulate("scenarios/keda-redis-burst.yaml", &[]);
    let s = scalings(&r.sink.events, "celery-worker");
    let sizes: Vec<i32> = s.iter().map(|x| x.1).collect();
    // 499 tasks at t=0, one -c 1 worker (it holds 1 running + 4 prefetched, so LLEN 494).
    // The generated HPA has no behavior: the legacy path caps each pass at max(2 x current, 4).
    // t=15 s:  LLEN ~479 -> ceil(479/10) = 48 -> capped at max(2, 4) = 4.
    // t=30 s:  LLEN ~415 -> 42 -> capped at 2 x 4 = 8.
    // t=45 s:  ~300 -> 30 -> min(2 x 8, maxReplicaCount 10) = 10.
    assert_eq!(&sizes[..3], &[4, 8, 10], "scale-ups: {s:?}");
    assert!(
        (s[0].0 - 15.0).abs() < 0.1 && (s[1].0 - 30.0).abs() < 0.1 && (s[2].0 - 45.0).abs() < 0.1,
        "{s:?}"
    );
    // All the scale-ups are the HPA's: KEDA never writes between 1 and N.
    assert!(r
        .decisions
        .iter()
        .filter(|d| d.source == "keda")
        .all(|d| d.from == d.to));
}

#[test]
fn seed_000_scales_down_only_after_the_hpa_window_whatever_cooldown_says() {
    let r = simulate("scenarios/keda-redis-burst.yaml", &[]);
    let s = scalings(&r.sink.events, "celery-worker");
    let (t_down, to) = s[3];
    assert_eq!(to, 1);
    // The last HPA pass that asked for 10 or more replicas: its recommendation stays in the
    // legacy 5-minute downscale window (age <= 300 s), so no scale-down comes sooner.
    let last_high = r
        .decisions
        .iter()
        .filter(|d| d.source == "hpa")
        .filter(|d| d.inputs["prenormalized"].as_i64().is_some_and(|p| p >= 10))
        .map(|d| d.time_s)
        .fold(0.0, f64::max);
    assert!(
        last_high > 45.0,
        "the burst keeps recommendations high for a while: {last_high}"
    );
    assert!(
        t_down > last_high + 300.0,
        "scaled down at {t_down}, within 300 s of {last_high}"
    );
    assert!(
        t_down <= last_high + 300.0 + 15.1,
        "the first pass after the window scales down"
    );
    // cooldownPeriod gates only scale-to-zero (minReplicaCount is 1): 10 s or 300 s, the
    // replica trajectory is the same.
    let slow = simulate(
        "scenarios/keda-redis-burst.yaml",
        &["ScaledObject/redis-scaledobject:spec.cooldownPeriod=300"],
    );
    assert_eq!(scalings(&slow.sink.events, "celery-worker"), s);
    assert_eq!(slow.sink.column("replicas"), r.sink.column("replicas"));
}

#[test]
fn keda_activates_within_one_polling_interval_of_the_first_task() {
    let r = simulate("scenarios/keda-redis-scale-to-zero.yaml", &[]);
    // The first burst lands at t=120 s; KEDA polls every 15 s from t=0, so it sees the list at
    // the 120 s poll at the latest 15 s later, and writes 0 -> 1 (max(min, 1)).
    let act: Vec<&EventRow> = r
        .sink
        .events
        .iter()
        .filter(|e| e.reason == "KEDAScaleTargetActivated")
        .collect();
    let first = act.iter().find(|e| e.time.as_secs_f64() >= 120.0).unwrap();
    let t = first.time.as_secs_f64();
    assert!((120.0..=135.0).contains(&t), "activated at {t}");
    assert!(first.message.contains("from 0 to 1"), "{}", first.message);
    // Whenever messages wait in the list at zero replicas, an activation follows within one
    // polling interval (15 s) of the first sample that shows them.
    let times = r.sink.column("time_s").unwrap();
    let queue = r.sink.column("queue_depth").unwrap();
    let replicas = r.sink.column("replicas").unwrap();
    let mut waiting_since: Option<f64> = None;
    let mut checked = 0;
    for i in 0..times.len() {
        if replicas[i] == 0.0 && queue[i] > 0.0 {
            let since = *waiting_since.get_or_insert(times[i]);
            let activated = act.iter().any(|e| {
                let t = e.time.as_secs_f64();
                t >= since - 1.0 && t <= since + 15.0
            });
            assert!(
                activated,
                "work waiting at zero replicas since {since} s with no activation within 15 s"
            );
            checked += 1;
        } else {
            waiting_since = None;
        }
    }
    assert!(checked > 0);
}

#[test]
fn cooldown_counts_from_the_last_active_poll_and_only_for_zero() {
    let r = simulate("scenarios/keda-redis-scale-to-zero.yaml", &[]);
    let deact: Vec<&Decision> = r
        .decisions
        .iter()
        .filter(|d| d.source == "keda" && d.rule == "Deactivated")
        .collect();
    assert!(deact.len() >= 3, "{}", deact.len());
    for d in &deact {
        assert_eq!(d.to, 0, "deactivation writes N -> 0 in one step");
        if let Some(last) = d.inputs["last_active_time_s"].as_f64() {
            // Deactivate iff lastActiveTime + cooldownPeriod (60 s) is before now; polls every 15 s.
            let since = d.time_s - last;
            assert!(
                since > 60.0 && since <= 75.0,
                "deactivated {since} s after the last active poll"
            );
        }
    }
    // A longer cooldown delays scale-to-zero and nothing else.
    let long = simulate(
        "scenarios/keda-redis-scale-to-zero.yaml",
        &["ScaledObject/redis-scaledobject:spec.cooldownPeriod=600"],
    );
    let first_long = long
        .decisions
        .iter()
        .find(|d| d.source == "keda" && d.rule == "Deactivated" && d.time_s > 120.0)
        .unwrap();
    let first = deact.iter().find(|d| d.time_s > 120.0).unwrap();
    assert!(
        first_long.time_s >= first.time_s + 500.0,
        "{} vs {}",
        first_long.time_s,
        first.time_s
    );
}

#[test]
fn scale_to_zero_kills_the_busy_report_worker() {
    // The 6-minute report (t=14 m) runs with an empty list: KEDA sees 0, deactivates after the
    // cooldown, SIGTERM's warm shutdown waits 30 s, then SIGKILL loses the early-acked report.
    let r = simulate("scenarios/keda-redis-scale-to-zero.yaml", &[]);
    assert_eq!(r.lost, 1);
    let lost = r
        .sink
        .events
        .iter()
        .find(|e| e.reason == "TaskLost")
        .unwrap();
    let t = lost.time.as_secs_f64();
    assert!((14.0 * 60.0..20.0 * 60.0).contains(&t), "{t}");
    // With acks_late the report is not lost: it waits in Redis' unacked hash.
    let late = simulate(
        "scenarios/keda-redis-scale-to-zero.yaml",
        &["workers.0.celery.acksLate=true"],
    );
    assert_eq!(late.lost, 0);
}

#[test]
fn rabbitmq_amqp_counting_loses_documents_http_counting_does_not() {
    let r = simulate("scenarios/keda-rabbitmq.yaml", &[]);
    let lost_in = |prefix: &str| {
        r.sink
            .events
            .iter()
            .filter(|e| e.reason == "TaskLost" && e.message.contains(prefix))
            .count()
    };
    assert!(
        lost_in("docs-amqp-") > 0,
        "AMQP sees only ready messages: busy workers get scaled away"
    );
    assert_eq!(
        lost_in("docs-http-"),
        0,
        "HTTP counts unacked deliveries too"
    );
    let deact = |so: &str| {
        r.decisions
            .iter()
            .filter(|d| d.object == format!("ScaledObject/{so}") && d.rule == "Deactivated")
            .count()
    };
    assert!(
        deact("docs-amqp") > deact("docs-http"),
        "amqp {} vs http {}",
        deact("docs-amqp"),
        deact("docs-http")
    );
}
