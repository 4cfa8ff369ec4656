//! Properties of whole runs over generated scenarios (`props_support::scenario`): random
//! loads, task durations, Celery settings, pod start-up, shutdown signals, brokers, KEDA
//! ScaledObjects and HPAs with random behaviors, `kubectl scale` actions and seeds.
//!
//! * `every_run_keeps_the_invariants` (default 1024 cases): the run loads and finishes, and
//!   every check of `scalesim::testing::invariants` holds: conservation at every sample,
//!   monotone totals, waits >= 0, a per-task ledger that balances (no task vanishes), no task
//!   executed twice without a visibility-timeout restore or a redelivery to explain it, no
//!   pod taking or running tasks before its Celery consumes (or after it stopped), HPA writes
//!   within [min, max], KEDA writing only its own counts and only after cooldownPeriod. With
//!   a ScaledObject, work published at zero replicas wakes the Deployment within one
//!   pollingInterval.
//! * `same_seed_same_bytes` (default 256 cases): two runs of one scenario and seed give the
//!   same bytes (rows, events, trace, summary, decisions).
//!
//! Each case simulates 1-5 minutes (about 2 ms); the suite takes about 3 s in release.
//! `PROPTEST_CASES=N` sets the case count of both. A failure prints the shrunk scenario as a YAML file to save and
//! `scalesim run`.

mod props_support;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use props_support::{scenario, Gen};
use scalesim::observe::TraceEvent;
use scalesim::scenario::{load_str, LoadOptions, Scenario};
use scalesim::testing::{check_all, observe, Observed};

fn config(default_cases: u32) -> ProptestConfig {
    ProptestConfig {
        max_shrink_iters: 2048,
        ..props_support::config_cases(default_cases)
    }
}

fn load(g: &Gen) -> Result<Scenario, TestCaseError> {
    load_str(&g.yaml(), &[], &LoadOptions::default())
        .map_err(|d| TestCaseError::fail(format!("a generated scenario does not load:\n{d}")))
}

fn run(g: &Gen) -> Result<Observed, TestCaseError> {
    let sc = load(g)?;
    observe(&sc).map_err(|e| TestCaseError::fail(format!("the run stopped: {e}")))
}

/// With a ScaledObject and every task at priority 0 (so `LLEN` sees every message): once
/// more messages than the activation threshold have been published while the Deployment is
/// at zero replicas with no pod left, something scales it up within one pollingInterval.
fn keda_wakes_up_within_one_polling_interval(g: &Gen, o: &Observed) -> Result<(), String> {
    let Some(k) = g.keda() else { return Ok(()) };
    if g.tasks.iter().any(|t| t.priority != 0) {
        return Ok(());
    }
    let period = k.polling_s as f64;
    let end = g.duration_s as f64;
    let scalings = o.scalings("worker");
    let mut pod_events: Vec<(f64, i64)> = Vec::new();
    let mut publishes: Vec<f64> = Vec::new();
    for e in o.trace() {
        match e {
            TraceEvent::PodCreated { t, .. } => pod_events.push((t.as_secs_f64(), 1)),
            TraceEvent::PodExited { t, .. } => pod_events.push((t.as_secs_f64(), -1)),
            TraceEvent::Published { t, .. } => publishes.push(t.as_secs_f64()),
            _ => {}
        }
    }
    // Zero intervals are numbered by the index of the scaling that began them (None: t=0).
    let mut counted: Option<(Option<usize>, u32)> = None;
    for t in publishes {
        if scalings.iter().any(|s| s.time_s == t) || pod_events.iter().any(|p| p.0 == t) {
            continue; // same instant as a scaling or a pod change: order unknown
        }
        let before: Vec<usize> = (0..scalings.len())
            .filter(|&i| scalings[i].time_s < t)
            .collect();
        let (spec, interval) = match before.last() {
            Some(&i) => (scalings[i].to, Some(i)),
            None => (g.worker.replicas as i32, None),
        };
        let alive: i64 = pod_events.iter().filter(|p| p.0 < t).map(|p| p.1).sum();
        if spec != 0 || alive != 0 {
            continue;
        }
        let n = match &mut counted {
            Some((iv, n)) if *iv == interval => {
                *n += 1;
                *n
            }
            _ => {
                counted = Some((interval, 1));
                1
            }
        };
        if n != k.activation + 1 {
            continue;
        }
        if t + period > end {
            return Ok(()); // the run ends before the deadline
        }
        let woke = scalings
            .iter()
            .find(|s| s.time_s > t && s.from == 0 && s.to > 0);
        match woke {
            Some(s) if s.time_s <= t + period + 1e-9 => {}
            other => {
                return Err(format!(
                    "message {n} published at {t}s while at zero replicas (activation {}); pollingInterval {period}s; woke at {:?}",
                    k.activation,
                    other.map(|s| s.time_s)
                ))
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn every_run_keeps_the_invariants(g in scenario(60, 300)) {
        let o = run(&g)?;
        let v = check_all(&o);
        prop_assert!(
            v.is_empty(),
            "{}",
            v.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("\n")
        );
        if let Err(e) = keda_wakes_up_within_one_polling_interval(&g, &o) {
            prop_assert!(false, "keda_wakes_up_within_one_polling_interval: {e}");
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn same_seed_same_bytes(g in scenario(60, 180)) {
        let a = run(&g)?.fingerprint();
        let b = run(&g)?.fingerprint();
        prop_assert!(a == b, "two runs of the same scenario and seed differ");
    }
}

/// The generator's output covers what the properties are about: over a fixed sample of
/// scenarios, some runs scale with KEDA and with the HPA, lose tasks, duplicate them through
/// the visibility timeout, requeue them, and execute a task twice.
#[test]
fn generated_scenarios_exercise_the_interesting_paths() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strat = scenario(60, 300);
    let (mut keda, mut hpa, mut lost, mut dup, mut requeued, mut twice) = (0, 0, 0, 0, 0, 0);
    for _ in 0..200 {
        let g = strat.new_tree(&mut runner).unwrap().current();
        let o = run(&g).unwrap_or_else(|e| panic!("{e}\n{g:?}"));
        let writes = |src: &str| {
            o.decisions
                .iter()
                .any(|d| d.source == src && d.from != d.to)
        };
        keda += writes("keda") as u32;
        hpa += writes("hpa") as u32;
        lost += (o.summary.lost > 0) as u32;
        dup += o
            .trace()
            .iter()
            .any(|e| matches!(e, TraceEvent::Duplicated { .. })) as u32;
        requeued += o
            .trace()
            .iter()
            .any(|e| matches!(e, TraceEvent::Requeued { .. })) as u32;
        let mut starts = std::collections::HashMap::new();
        for e in o.trace() {
            if let TraceEvent::Started { task, .. } = e {
                *starts.entry(*task).or_insert(0) += 1;
            }
        }
        twice += starts.values().any(|n| *n > 1) as u32;
    }
    eprintln!("of 200: keda writes {keda}, hpa writes {hpa}, lost {lost}, duplicated {dup}, requeued {requeued}, run twice {twice}");
    for (what, n) in [
        ("KEDA writes", keda),
        ("HPA writes", hpa),
        ("lost tasks", lost),
        ("visibility-timeout duplicates", dup),
        ("requeues", requeued),
        ("double executions", twice),
    ] {
        assert!(n >= 3, "only {n} of 200 generated runs have {what}");
    }
}

/// Each invariant check is not vacuous: on a real run it passes, and a run corrupted the way
/// its invariant forbids makes that check (and only a check) fail.
#[test]
fn each_invariant_catches_a_corrupted_run() {
    use scalesim::scenario::load_file;
    use scalesim::testing::invariants::*;
    let path = format!(
        "{}/scenarios/keda-redis-scale-to-zero.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let sc = load_file(&path, &LoadOptions::default()).unwrap();
    let base = observe(&sc).unwrap();
    assert!(check_all(&base).is_empty(), "{:?}", check_all(&base));
    let col = |o: &Observed, name: &str| o.sink.columns.iter().position(|c| c == name).unwrap();
    let find =
        |o: &Observed, f: &dyn Fn(&TraceEvent) -> bool| o.trace().iter().position(f).unwrap();
    type Corrupt = Box<dyn Fn(&mut Observed)>;
    let cases: Vec<(&str, Check, Corrupt)> = vec![
        (
            "conservation",
            conservation,
            Box::new(move |o| {
                let i = col(o, "completed_total");
                o.sink.rows[100][i] += 1.0;
            }),
        ),
        (
            "monotone_totals",
            monotone_totals,
            Box::new(move |o| {
                let i = col(o, "lost_total");
                let j = col(o, "completed_total");
                let last = o.sink.rows.len() - 1;
                o.sink.rows[last][i] -= 1.0;
                o.sink.rows[last][j] += 1.0;
            }),
        ),
        (
            "waits_non_negative",
            waits_non_negative,
            Box::new(move |o| {
                let k = find(o, &|e| matches!(e, TraceEvent::Started { .. }));
                if let TraceEvent::Started { t, published, .. } = &mut o.sink.trace[k] {
                    *published = scalesim::time::SimTime(t.0 + 1);
                }
            }),
        ),
        (
            "ledger_balances",
            ledger_balances,
            Box::new(move |o| {
                let k = find(o, &|e| matches!(e, TraceEvent::Completed { .. }));
                o.sink.trace.remove(k);
            }),
        ),
        (
            "executions_explained",
            executions_explained,
            Box::new(move |o| {
                let k = find(o, &|e| matches!(e, TraceEvent::Started { .. }));
                let e = o.sink.trace[k].clone();
                o.sink.trace.insert(k + 1, e);
            }),
        ),
        (
            "serve_only_when_consuming",
            serve_only_when_consuming,
            Box::new(move |o| {
                let k = find(o, &|e| matches!(e, TraceEvent::PodConsuming { .. }));
                let TraceEvent::PodConsuming { t, pod } = o.sink.trace[k].clone() else {
                    unreachable!()
                };
                o.sink.trace.insert(
                    k,
                    TraceEvent::Started {
                        t,
                        task: 0,
                        pod,
                        published: t,
                    },
                );
            }),
        ),
        (
            "hpa_writes_within_bounds",
            hpa_writes_within_bounds,
            Box::new(move |o| {
                let d = o
                    .decisions
                    .iter_mut()
                    .find(|d| d.source == "hpa" && d.from != d.to)
                    .unwrap();
                d.to = 11;
            }),
        ),
        (
            "keda_writes_only_its_own_counts",
            keda_writes_only_its_own_counts,
            Box::new(move |o| {
                let d = o
                    .decisions
                    .iter_mut()
                    .find(|d| d.source == "keda" && d.from != d.to)
                    .unwrap();
                d.to = 3;
            }),
        ),
        (
            "keda_cooldown_respected",
            keda_cooldown_respected,
            Box::new(move |o| {
                let d = o
                    .decisions
                    .iter_mut()
                    .find(|d| d.rule == "Deactivated")
                    .unwrap();
                d.time_s -= 30.0;
            }),
        ),
    ];
    assert_eq!(cases.len(), INVARIANTS.len());
    for (name, check, corrupt) in cases {
        assert!(check(&base).is_ok(), "{name} fails on the real run");
        let mut o = base.clone();
        corrupt(&mut o);
        let err = check(&o).expect_err(name);
        assert_eq!(err.invariant, name, "{err}");
    }
}
