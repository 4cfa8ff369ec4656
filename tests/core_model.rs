//! The broker and Celery worker model against hand-computed numbers.
//!
//! The expected values come from Celery's prefetch rule and shutdown sequence as measured in
//! `celery-spec.md` (§1.3, §3.2, §3.5, §3.6, §4), worked out by hand next to each assertion.

use scalesim::observe::MemorySink;
use scalesim::scenario::{load_str, LoadOptions};

/// A scenario with one worker Deployment running `celery ... worker <flags>`.
fn scenario(flags: &str, replicas: u32, extra_spec: &str, extra_pod: &str) -> String {
    format!(
        r#"
apiVersion: scalesim.dev/v1alpha1
kind: Scenario
metadata: {{name: t}}
spec:
  duration: 60s
  broker: {{type: redis}}
{extra_spec}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: w}}
spec:
  replicas: {replicas}
  template:
    spec:
{extra_pod}
      containers:
      - name: w
        command: [celery, -A, app, worker, {flags}]
"#
    )
}

fn run(text: &str) -> (MemorySink, scalesim::observe::Summary) {
    let sc = load_str(text, &[], &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut sink = MemorySink::default();
    let out = scalesim::sim::run(&sc, &mut sink, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    (sink, out.summary)
}

fn at(s: &MemorySink, t: f64) -> (f64, f64, f64) {
    (
        s.value("queue_depth", t).unwrap(),
        s.value("reserved", t).unwrap(),
        s.value("running", t).unwrap(),
    )
}

const FORTY_LONG: &str =
    "  tasks: [{name: long, duration: 100s}]\n  load: [{burst: {task: long, count: 40}}]\n";

#[test]
fn early_ack_worker_holds_n_times_m_plus_n() {
    // -c 2, M=4, early ack: 2 tasks run (acked at start), the prefetch window of P = 8 holds
    // 8 more, so 10 leave the list: LLEN 40 -> 30, reserved 8, running 2 (celery-spec §1.3).
    let (s, _) = run(&scenario(
        "-c, '2', --prefetch-multiplier=4",
        1,
        FORTY_LONG,
        "",
    ));
    assert_eq!(at(&s, 1.0), (30.0, 8.0, 2.0));
    assert_eq!(
        at(&s, 50.0),
        (30.0, 8.0, 2.0),
        "nothing moves while the tasks run"
    );
}

#[test]
fn late_ack_worker_holds_n_times_m() {
    // acks_late: running tasks stay unacked and count against P = 8: 2 run + 6 reserved,
    // LLEN 40 -> 32 (celery-spec §1.3).
    let spec = format!("{FORTY_LONG}  workers: [{{deployment: w, celery: {{acksLate: true}}}}]\n");
    let (s, _) = run(&scenario("-c, '2'", 1, &spec, ""));
    assert_eq!(at(&s, 1.0), (32.0, 6.0, 2.0));
}

#[test]
fn prefetch_multiplier_one_and_disable_prefetch() {
    // 20 queued, -c 2: M=1 early ack 16/2/2; M=1 late 18/0/2; --disable-prefetch 18/0/2.
    let tasks = "  tasks: [{name: t, duration: 100s}]\n  load: [{burst: {task: t, count: 20}}]\n";
    let (s, _) = run(&scenario(
        "-c, '2', --prefetch-multiplier, '1'",
        1,
        tasks,
        "",
    ));
    assert_eq!(at(&s, 1.0), (16.0, 2.0, 2.0));
    let late = format!("{tasks}  workers: [{{deployment: w, celery: {{acksLate: true}}}}]\n");
    let (s, _) = run(&scenario(
        "-c, '2', --prefetch-multiplier, '1'",
        1,
        &late,
        "",
    ));
    assert_eq!(at(&s, 1.0), (18.0, 0.0, 2.0));
    let (s, _) = run(&scenario("-c, '2', --disable-prefetch", 1, tasks, ""));
    assert_eq!(at(&s, 1.0), (18.0, 0.0, 2.0));
}

#[test]
fn eta_tasks_sit_outside_the_prefetch_window() {
    // -c 1, M=1: 10 ETA(+120 s) messages and 10 normal ones. Each held ETA raises the
    // window by one, so the worker holds 10 ETA + 1 running + 1 reserved: LLEN 20 -> 8
    // (celery-spec §1.5). Reserved counts ETA-held messages: 11.
    let spec = "  duration: 100s\n  tasks:\n  - {name: later, duration: 50s, countdown: 120s}\n  - {name: now, duration: 50s}\n  load:\n  - {burst: {task: later, count: 10}}\n  - {burst: {task: now, count: 10}}\n";
    let text =
        scenario("-c, '1', --prefetch-multiplier=1", 1, spec, "").replace("  duration: 60s\n", "");
    let (s, _) = run(&text);
    assert_eq!(at(&s, 1.0), (8.0, 11.0, 1.0));
}

#[test]
fn warm_shutdown_restores_reserved_when_running_tasks_finish() {
    // 12-s tasks, scaled to 0 at t=2: the worker stops fetching, keeps its 8 reserved
    // messages hidden while the 2 running tasks finish at t=12, then restores them: LLEN
    // 30 -> 38 at t=12, and the pod is gone (celery-spec §3.2 measured 30 -> 38 at 12.5 s).
    let spec = "  tasks: [{name: t, duration: 12s}]\n  load: [{burst: {task: t, count: 40}}]\n  actions: [{scale: {at: 2s, deployment: w, replicas: 0}}]\n";
    let (s, sum) = run(&scenario("-c, '2'", 1, spec, ""));
    assert_eq!(
        at(&s, 11.0),
        (30.0, 8.0, 2.0),
        "reserved stay hidden during the drain"
    );
    assert_eq!(s.value("pods_terminating", 11.0), Some(1.0));
    assert_eq!(at(&s, 12.0), (38.0, 0.0, 0.0));
    assert_eq!(s.value("pods_terminating", 12.0), Some(0.0));
    assert_eq!((sum.completed, sum.lost), (2, 0));
    assert!(s
        .events
        .iter()
        .any(|e| e.message.contains("Restoring 8 unacknowledged message(s)")));
}

#[test]
fn sigkill_loses_early_ack_running_tasks_and_orphans_the_rest_on_redis() {
    // 100-s tasks, grace 5 s: SIGKILL at t=7. The 2 early-acked running tasks are lost; the
    // 8 reserved stay in Redis' unacked hash (counted as reserved, invisible to LLEN) until a
    // restore scan after the visibility timeout; no worker is left to scan.
    let spec =
        format!("{FORTY_LONG}  actions: [{{scale: {{at: 2s, deployment: w, replicas: 0}}}}]\n");
    let (s, sum) = run(&scenario(
        "-c, '2'",
        1,
        &spec,
        "      terminationGracePeriodSeconds: 5",
    ));
    assert_eq!(at(&s, 6.0), (30.0, 8.0, 2.0));
    assert_eq!(at(&s, 7.0), (30.0, 8.0, 0.0));
    assert_eq!(s.value("lost_total", 7.0), Some(2.0));
    assert_eq!(
        at(&s, 60.0),
        (30.0, 8.0, 0.0),
        "orphans stay unacked with nobody to restore them"
    );
    assert_eq!(sum.lost, 2);
}

#[test]
fn sigkill_on_rabbitmq_requeues_unacked_at_once() {
    // RabbitMQ requeues a dead connection's unacked deliveries immediately: 30 + 8 = 38.
    let spec =
        format!("{FORTY_LONG}  actions: [{{scale: {{at: 2s, deployment: w, replicas: 0}}}}]\n");
    let text = scenario(
        "-c, '2'",
        1,
        &spec,
        "      terminationGracePeriodSeconds: 5",
    )
    .replace("type: redis", "type: rabbitmq");
    let (s, _) = run(&text);
    assert_eq!(at(&s, 7.0), (38.0, 0.0, 0.0));
    assert_eq!(s.value("lost_total", 7.0), Some(2.0));
}

#[test]
fn sigkill_with_late_ack_loses_nothing() {
    // acks_late: the running tasks are still unacked when killed: 6 reserved + 2 running all
    // stay in `unacked` (reserved 8 after the kill), nothing is lost.
    let spec = format!("{FORTY_LONG}  workers: [{{deployment: w, celery: {{acksLate: true}}}}]\n  actions: [{{scale: {{at: 2s, deployment: w, replicas: 0}}}}]\n");
    let (s, sum) = run(&scenario(
        "-c, '2'",
        1,
        &spec,
        "      terminationGracePeriodSeconds: 5",
    ));
    assert_eq!(at(&s, 7.0), (32.0, 8.0, 0.0));
    assert_eq!(sum.lost, 0);
}

#[test]
fn a_live_worker_restores_orphans_after_the_visibility_timeout() {
    // Worker `w` (queue a) is SIGKILLed at t=7 holding 10 unacked messages delivered at t=0.
    // Worker `other` consumes queue b only but its restore scans (every 1 s here) cover the
    // whole DB: the first scan with cutoff now - 10 s > 0 is at t=11, which pushes all 10 back.
    let spec = "  broker: {type: redis, visibilityTimeout: 10s, unackedRestoreInterval: 1s, unackedRestoreThrottle: 1}\n  tasks: [{name: t, queue: a, duration: 100s}]\n  load: [{burst: {task: t, count: 40}}]\n  workers:\n  - {deployment: w}\n  - {deployment: other, command: celery -A app worker -Q b}\n  actions: [{scale: {at: 2s, deployment: w, replicas: 0}}]\n";
    let text = scenario("-c, '2', -Q, a", 1, spec, "      terminationGracePeriodSeconds: 5").replace("  broker: {type: redis}\n", "")
        + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other}\nspec:\n  template:\n    spec:\n      containers: [{name: o}]\n";
    let (s, sum) = run(&text);
    assert_eq!(at(&s, 10.0), (30.0, 8.0, 0.0));
    assert_eq!(at(&s, 11.0), (38.0, 0.0, 0.0));
    assert_eq!(sum.lost, 2);
    assert_eq!(sum.duplicated, 0, "orphans are moved, not copied");
}

#[test]
fn visibility_timeout_shorter_than_tasks_runs_them_again() {
    // celery-spec §3.6: VT 5 s, scans every 2 s, acks_late, M=1, two -c 1 workers, two 15-s
    // tasks. Scans at t=6, 22, 36 (the first with cutoff past each delivery at 0, 15, 30)
    // copy both held tasks back to the queue, and each freed worker takes the copy: every
    // task starts at 0, 15, 30 and 45: 4 executions each by t=50, 6 completed, 6 copies.
    let spec = "  duration: 50s\n  broker: {type: redis, visibilityTimeout: 5s, unackedRestoreInterval: 2s, unackedRestoreThrottle: 1}\n  tasks: [{name: t, duration: 15s}]\n  load: [{burst: {task: t, count: 2}}]\n  workers: [{deployment: w, celery: {acksLate: true}}]\n";
    let text = scenario("-c, '1', --prefetch-multiplier=1", 2, spec, "")
        .replace("  duration: 60s\n", "")
        .replace("  broker: {type: redis}\n", "");
    let (s, sum) = run(&text);
    assert_eq!(sum.started, 8);
    assert_eq!(sum.completed, 6);
    assert_eq!(sum.duplicated, 6);
    assert_eq!(s.value("duplicated_total", 5.0), Some(0.0));
    assert_eq!(s.value("duplicated_total", 6.0), Some(2.0));
    assert_eq!(
        at(&s, 6.0),
        (2.0, 0.0, 2.0),
        "copies look like backlog to an autoscaler"
    );
}

#[test]
fn cpu_tasks_share_the_cpu_limit_io_tasks_do_not() {
    // 500m limit, -c 2: two 1-s CPU tasks share half a core, each takes 4 s, so 40 of them
    // drain in 80 s (0.5 task/s). Two 3-s I/O tasks at a time are untouched: 40 in 60 s.
    let cpu = "  duration: 100s\n  tasks: [{name: c, kind: cpu, duration: 1s}]\n  load: [{burst: {task: c, count: 40}}]\n";
    let pod = "      containers:\n      - name: w\n        resources: {limits: {cpu: 500m}}\n        command: [celery, -A, app, worker, -c, '2']\n";
    let text = scenario("-c, '2'", 1, cpu, "").replace("  duration: 60s\n", "");
    let text = text[..text.find("      containers:").unwrap()].to_string() + pod;
    let (s, sum) = run(&text);
    assert_eq!(s.value("completed_total", 4.0), Some(2.0));
    assert_eq!(s.value("completed_total", 79.0), Some(38.0));
    assert_eq!(s.value("completed_total", 80.0), Some(40.0));
    assert_eq!(sum.drain_time_s, Some(80.0));
    let io = text.replace("kind: cpu, duration: 1s", "kind: io, duration: 3s");
    let (s, sum) = run(&io);
    assert_eq!(s.value("completed_total", 3.0), Some(2.0));
    assert_eq!(sum.drain_time_s, Some(60.0));
}

#[test]
fn redis_bands_follow_priority_and_llen_sees_band_zero_only() {
    // Priorities 0, 5 and 9 go to bands 0, 3 and 6 (steps 0,3,6,9): `queue_depth:celery`
    // counts all bands, but only 10 of the 30 are on the plain list. With no worker running,
    // nothing moves.
    let spec = "  tasks:\n  - {name: a, duration: 1s, priority: 0}\n  - {name: b, duration: 1s, priority: 5}\n  - {name: c, duration: 1s, priority: 9}\n  load:\n  - {burst: {task: c, count: 10}}\n  - {burst: {task: b, count: 10}}\n  - {burst: {task: a, count: 10}}\n";
    let (s, _) = run(&scenario("-c, '1'", 0, spec, ""));
    assert_eq!(s.value("queue_depth", 1.0), Some(30.0));
}

#[test]
fn pods_started_by_a_scale_up_go_through_start_up_and_serve_only_when_consuming() {
    // Constant start-up: scheduled after 1 s, container after 2 s more (Ready, no probe),
    // Celery consuming 1.5 s later: the first task starts at 1 + 2 + 1.5 = 4.5 s.
    let spec = "  pods:\n    initialPods: starting\n    startup: {scheduling: 1s, imagePull: 0s, containerStart: 2s, celeryBoot: 1500ms}\n  tasks: [{name: t, duration: 10s}]\n  load: [{burst: {task: t, count: 1}}]\n";
    let (s, sum) = run(&scenario("-c, '1'", 1, spec, ""));
    assert_eq!(s.value("pods_starting", 2.0), Some(1.0));
    assert_eq!(
        s.value("pods_ready", 3.0),
        Some(1.0),
        "Ready at container start without a probe"
    );
    assert_eq!(s.value("running", 4.0), Some(0.0), "Ready is not consuming");
    assert_eq!(s.value("running", 5.0), Some(1.0));
    assert!(
        (sum.wait_s.max - 4.5).abs() < 1e-9,
        "wait {}",
        sum.wait_s.max
    );
}
