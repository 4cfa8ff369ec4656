//! The shipped HPA scenarios (seed 002 on queue depth through Prometheus, and on CPU), with
//! the reasoning next to each assertion.

use scalesim::observe::{EventRow, MemorySink};
use scalesim::scenario::{load_file, LoadOptions};
use scalesim::sim::{control::Decision, run_with, RunOptions};

fn simulate(path: &str) -> (MemorySink, Vec<Decision>) {
    let sc = load_file(path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut sink = MemorySink::default();
    run_with(
        &sc,
        &mut sink,
        &mut |_| {},
        RunOptions {
            all_decisions: true,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let d = sink.decisions.clone();
    (sink, d)
}

/// (time, from, to) of each rescale of `deployment`.
fn steps(events: &[EventRow], deployment: &str) -> Vec<(f64, i32, i32)> {
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
            let from: i32 = e.message.rsplit(" from ").next().unwrap().parse().unwrap();
            (e.time.as_secs_f64(), from, to)
        })
        .collect()
}

#[test]
fn seed_002_scales_up_1_3_9_10_under_the_200_percent_policy() {
    let (sink, _) = simulate("scenarios/hpa-prometheus-burst.yaml");
    let s = steps(&sink.events, "celery-worker");
    // 400 tasks at t=0; the exporter reads LLEN 390 at t=0 (one -c 2 worker holds 10), and
    // Prometheus scrapes it at t=0. AverageValue 10 asks for ceil(390 / 10) = 39 pods, but
    // scaleUp allows +200% per 15 s (Percent: ceil(start x 3)), where "start" is the replicas
    // 15 s ago: t=15: 1 -> 3; t=30: the t=15 event is 15.001 s old (outside the period), so
    // start = 3 -> 9; t=45: 27, capped by maxReplicas -> 10.
    let ups: Vec<i32> = s.iter().take_while(|x| x.2 > x.1).map(|x| x.2).collect();
    assert_eq!(ups, vec![3, 9, 10], "{s:?}");
    assert!(sink.events.iter().any(|e| e.message
        == "New size: 3; reason: external metric celery_queue_depth(nil) above target"));
}

#[test]
fn seed_002_scales_down_within_the_50_percent_policy_and_the_60_second_window() {
    let (sink, decisions) = simulate("scenarios/hpa-prometheus-burst.yaml");
    let s = steps(&sink.events, "celery-worker");
    let downs: Vec<&(f64, i32, i32)> = s.iter().filter(|x| x.2 < x.1).collect();
    assert!(downs.len() >= 3, "{s:?}");
    assert_eq!(downs.last().unwrap().2, 1, "back to minReplicas");
    // The replicas in force at time t (after every change at or before t).
    let replicas_at = |t: f64| -> i32 { s.iter().rfind(|x| x.0 <= t).map_or(1, |x| x.2) };
    for &&(t, from, to) in &downs {
        // Policy: Percent 50 per 30 s. Changes younger than 30 s are undone to find the replicas
        // at the start of the period; the floor is int(start x 0.5) (truncation).
        let start = replicas_at(t - 30.0);
        assert!(
            to >= (start as f64 * 0.5) as i32,
            "{from} -> {to} at {t}: more than -50% of {start} in 30 s"
        );
        // Stabilization: a scale-down goes no lower than the highest recommendation of the
        // last 60 s (strict: age < 60 s).
        let highest = decisions
            .iter()
            .filter(|d| d.source == "hpa" && d.time_s > t - 60.0 && d.time_s <= t)
            .filter_map(|d| d.inputs["prenormalized"].as_i64())
            .max()
            .unwrap();
        assert!(highest < from as i64, "{from} -> {to} at {t}: a recommendation of {highest} in the 60 s window forbids any scale-down");
        assert!(
            to as i64 >= highest,
            "{from} -> {to} at {t}: below the window's highest recommendation {highest}"
        );
    }
    // The first scale-down waits for the window: the queue's last non-zero recommendation
    // (>= 10 replicas) is followed by at least 60 s of lower ones.
    let last_high = decisions
        .iter()
        .filter(|d| {
            d.source == "hpa" && d.inputs["prenormalized"].as_i64().is_some_and(|p| p >= 10)
        })
        .map(|d| d.time_s)
        .fold(0.0, f64::max);
    assert!(
        downs[0].0 >= last_high + 60.0 - 0.5,
        "first scale-down at {} but a recommendation of >= 10 at {last_high}",
        downs[0].0
    );
}

#[test]
fn seed_002_metric_lags_the_queue_through_exporter_and_scrape() {
    let (sink, _) = simulate("scenarios/hpa-prometheus-burst.yaml");
    // The HPA reads Prometheus, which holds the exporter's poll from the last scrape: at the
    // t=15 pass the value is the t=0 scrape (390 on 1 pod: 390 per pod), not the live list.
    let metric = sink.value("metric:celery_queue_depth", 15.0).unwrap();
    let live = sink.value("queue_depth", 15.0).unwrap();
    assert_eq!(metric, 390.0);
    assert!(live < 390.0, "the live list has moved on: {live}");
}

#[test]
fn cpu_is_a_poor_signal_for_io_bound_queues() {
    let (sink, _) = simulate("scenarios/hpa-cpu.yaml");
    // CPU-bound phase (0-12 min): busy pods use 200% of their request: the HPA scales up.
    let peak_cpu_phase = (0..720)
        .map(|t| sink.value("replicas", t as f64).unwrap())
        .fold(0.0, f64::max);
    assert!(peak_cpu_phase >= 9.0, "{peak_cpu_phase}");
    // I/O-bound phase (18-35 min): pods use no CPU, the HPA scales down to 1 although the
    // queue keeps growing.
    assert_eq!(sink.value("replicas", 1800.0), Some(1.0));
    let q20 = sink.value("queue_depth", 1200.0).unwrap();
    let q35 = sink.value("queue_depth", 2100.0).unwrap();
    assert!(q35 > q20 + 500.0, "the backlog grows: {q20} -> {q35}");
    assert!(sink.value("metric:cpu", 1800.0).unwrap() < 5.0);
}
