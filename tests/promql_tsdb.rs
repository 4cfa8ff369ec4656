//! The store and the query entry points: retention keeps memory bounded over a simulated day,
//! appends behave like a Prometheus appender, and the queries autoscalers run return what
//! Prometheus returns.

use scalesim::promql::{
    instant_value, parse, query, query_values, AppendError, Labels, Tsdb, Value, DEFAULT_LOOKBACK,
};
use scalesim::time::{Dur, SimTime};

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn vector(db: &Tsdb, q: &str, at: SimTime) -> Vec<(String, f64)> {
    let expr = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    match query(db, &expr, at, DEFAULT_LOOKBACK).unwrap_or_else(|e| panic!("{q}: {e}")) {
        Value::Vector(v) => v
            .into_iter()
            .map(|s| (s.labels.to_series_string(), s.value))
            .collect(),
        Value::Scalar(v) => panic!("{q}: scalar {v}"),
    }
}

#[test]
fn retention_keeps_memory_bounded_over_a_simulated_day() {
    let retention = Dur::from_secs(10 * 60);
    let mut db = Tsdb::new(retention);
    let pods = ["worker-a", "worker-b", "worker-c"];
    // A retention window holds 10 min / 15 s + 1 samples per series; the sweep runs every
    // half retention, so a series never holds more than 1.5 windows.
    let per_series_bound = (600 / 15 + 1) * 3 / 2;
    let mut max_samples = 0;
    let day = 24 * 3600;
    for step in 0..=(day / 15) {
        let t = secs(step * 15);
        for (i, pod) in pods.iter().enumerate() {
            db.append(
                "celery_queue_depth",
                &[("pod", pod), ("queue", "default")],
                t,
                (step % 50 + i as u64) as f64,
            );
        }
        max_samples = max_samples.max(db.sample_count());
    }
    assert_eq!(db.series_count(), 3);
    let pods_held: Vec<String> = db
        .series_of("celery_queue_depth")
        .map(|l| l.get("pod").unwrap_or_default().to_string())
        .collect();
    assert_eq!(pods_held, pods);
    let held = db.samples(
        "celery_queue_depth",
        &[("queue", "default"), ("pod", "worker-a")],
    );
    assert_eq!(held.last().map(|s| s.0), Some(secs(day)));
    assert!(held.first().unwrap().0 >= secs(day - 600 - 300));
    assert!(
        max_samples <= pods.len() * per_series_bound as usize,
        "held {max_samples} samples"
    );
    // A day at 1 sample / 15 s is 5761 samples per series; far fewer are held.
    assert!(db.sample_count() <= 3 * 61, "{}", db.sample_count());
    // The last ten minutes are all still there.
    let v = instant_value(
        &db,
        "count_over_time(celery_queue_depth{pod=\"worker-a\"}[10m])",
        secs(day),
        DEFAULT_LOOKBACK,
    )
    .unwrap();
    assert_eq!(v, Some(40.0));
}

#[test]
fn series_that_stop_are_dropped_after_retention() {
    let mut db = Tsdb::new(Dur::from_secs(600));
    for step in 0..=480u64 {
        let t = secs(step * 15);
        db.append("up", &[("pod", "stays")], t, 1.0);
        if step <= 40 {
            db.append("up", &[("pod", "goes")], t, 1.0);
        }
    }
    assert_eq!(db.series_count(), 1);
    assert_eq!(
        vector(&db, "up", secs(7200)),
        vec![("up{pod=\"stays\"}".into(), 1.0)]
    );
    // gc() trims when time moves on without appends.
    db.gc(secs(7200 + 3600));
    assert_eq!((db.series_count(), db.sample_count()), (0, 0));
}

#[test]
fn appends_behave_like_a_prometheus_appender() {
    let mut db = Tsdb::new(Dur::from_secs(3600));
    db.try_append("m", &[("a", "1")], secs(10), 1.0).unwrap();
    assert!(matches!(
        db.try_append("m", &[("a", "1")], secs(5), 2.0),
        Err(AppendError::OutOfOrder { .. })
    ));
    assert!(matches!(
        db.try_append("m", &[("a", "1")], secs(10), 2.0),
        Err(AppendError::DuplicateTimestamp { .. })
    ));
    // The same value again is accepted (and stored once).
    db.try_append("m", &[("a", "1")], secs(10), 1.0).unwrap();
    assert_eq!(db.sample_count(), 1);
    // Timestamps are milliseconds: two appends within one millisecond collide.
    db.try_append("m", &[("a", "1")], SimTime(20_000_000_100), 3.0)
        .unwrap();
    assert!(db
        .try_append("m", &[("a", "1")], SimTime(20_000_000_900), 4.0)
        .is_err());
    // Label order does not matter; empty values are no label at all.
    db.try_append("m", &[("b", "x"), ("a", "2"), ("c", "")], secs(1), 5.0)
        .unwrap();
    assert_eq!(
        db.latest("m", &[("a", "2"), ("b", "x")]),
        Some((secs(1), 5.0))
    );
    assert!(db.try_append("bad name", &[], secs(1), 1.0).is_err());
    assert!(db
        .try_append("m", &[("__name__", "x")], secs(1), 1.0)
        .is_err());
    assert!(db
        .try_append("m", &[("a", "1"), ("a", "2")], secs(1), 1.0)
        .is_err());
    // append() is the scrape loop's view: refused samples are dropped and counted.
    assert_eq!(db.rejected_samples(), 0);
    db.append("m", &[("a", "1")], secs(5), 9.0);
    assert_eq!(db.rejected_samples(), 1);
    assert_eq!(
        db.latest("m", &[("a", "1")]),
        Some((SimTime::from_millis(20_000), 3.0))
    );
    let l = Labels::from_pairs(&[("b", "2"), ("a", "1")]).unwrap();
    assert_eq!(l.to_string(), r#"{a="1", b="2"}"#);
}

#[test]
fn instant_selection_uses_the_lookback_window_and_staleness_markers() {
    let mut db = Tsdb::new(Dur::from_secs(3600));
    db.append("depth", &[("queue", "a")], secs(100), 7.0);
    db.append("depth", &[("queue", "b")], secs(100), 9.0);
    // (at - 5m, at]: found up to 399.999 s, gone at 400 s.
    assert_eq!(vector(&db, "depth{queue=\"a\"}", secs(399)).len(), 1);
    assert_eq!(vector(&db, "depth{queue=\"a\"}", secs(400)).len(), 0);
    // A shorter lookback, as --query.lookback-delta sets it.
    let expr = parse("depth").unwrap();
    let short = query(&db, &expr, secs(200), Dur::from_secs(60)).unwrap();
    assert_eq!(short, Value::Vector(vec![]));
    // A staleness marker ends the series at once.
    db.mark_stale("depth", &[("queue", "b")], secs(130));
    assert_eq!(
        vector(&db, "depth", secs(129)),
        vec![
            ("depth{queue=\"a\"}".into(), 7.0),
            ("depth{queue=\"b\"}".into(), 9.0)
        ]
    );
    assert_eq!(
        vector(&db, "depth", secs(130)),
        vec![("depth{queue=\"a\"}".into(), 7.0)]
    );
}

#[test]
fn keda_and_adapter_queries() {
    let mut db = Tsdb::new(Dur::from_secs(3600));
    // Two worker pods scraped every 15 s; worker-b restarts at 150 s (counter reset).
    for step in 0..=20u64 {
        let t = secs(step * 15);
        db.append(
            "celery_task_success_total",
            &[("pod", "worker-a")],
            t,
            3.0 * step as f64,
        );
        let b = if step < 10 {
            6.0 * step as f64
        } else {
            6.0 * (step - 10) as f64
        };
        db.append("celery_task_success_total", &[("pod", "worker-b")], t, b);
        db.append(
            "celery_queue_depth",
            &[("queue", "default")],
            t,
            40.0 + step as f64,
        );
        db.append("celery_queue_depth", &[("queue", "high")], t, 2.0);
    }
    let at = secs(300);
    // prometheus-adapter: `sum(celery_queue_depth)`.
    assert_eq!(
        instant_value(&db, "sum(celery_queue_depth)", at, DEFAULT_LOOKBACK).unwrap(),
        Some(62.0)
    );
    // KEDA: `sum(rate(celery_task_success_total[1m]))`. Within (240 s, 300 s] each pod has
    // 4 samples 15 s apart rising 3 resp. 6 per sample: 45 s sampled, extrapolated by 15 s
    // at the start, so rate = (increase * 60/45) / 60 = 0.2 + 0.4 per second.
    let v = instant_value(
        &db,
        "sum(rate(celery_task_success_total[1m]))",
        at,
        DEFAULT_LOOKBACK,
    )
    .unwrap()
    .unwrap();
    assert!((v - 0.6).abs() < 1e-12, "{v}");
    // Across the reset at 150 s the increase counts the post-reset value in full.
    let v = instant_value(
        &db,
        "increase(celery_task_success_total{pod=\"worker-b\"}[1m])",
        secs(165),
        DEFAULT_LOOKBACK,
    )
    .unwrap()
    .unwrap();
    // Samples at 120..165 s: 48, 54, 0, 6. Increase 6 - 48, plus 54 for the reset = 12 over
    // 45 s, extrapolated by 15 s to the window start: 12 * 60/45 = 16.
    assert!((v - 16.0).abs() < 1e-9, "{v}");
    // What the simulated KEDA scaler reads: all values, in label order.
    assert_eq!(
        query_values(&db, "celery_queue_depth", at, DEFAULT_LOOKBACK).unwrap(),
        vec![60.0, 2.0]
    );
    // Empty result, several elements, scalar results.
    assert_eq!(
        instant_value(
            &db,
            "celery_queue_depth{queue=\"none\"}",
            at,
            DEFAULT_LOOKBACK
        )
        .unwrap(),
        None
    );
    let err = instant_value(&db, "celery_queue_depth", at, DEFAULT_LOOKBACK).unwrap_err();
    assert!(err.contains("returned multiple elements (2)"), "{err}");
    assert_eq!(
        instant_value(
            &db,
            "scalar(sum(celery_queue_depth)) * 2",
            at,
            DEFAULT_LOOKBACK
        )
        .unwrap(),
        Some(124.0)
    );
    // The common KEDA idiom for "no series yet".
    assert_eq!(
        instant_value(&db, "sum(nothing) or vector(0)", at, DEFAULT_LOOKBACK).unwrap(),
        Some(0.0)
    );
    let err = instant_value(&db, "sum(rate(x))", at, DEFAULT_LOOKBACK).unwrap_err();
    assert!(err.starts_with("1:10: parse error:"), "{err}");
}

#[test]
fn results_are_sorted_by_labels_and_names_drop_as_upstream() {
    let mut db = Tsdb::new(Dur::from_secs(3600));
    for (pod, v) in [("c", 3.0), ("a", 1.0), ("b", 2.0)] {
        db.append("m", &[("pod", pod)], secs(0), v);
        db.append("n", &[("pod", pod)], secs(0), 10.0 * v);
    }
    assert_eq!(
        vector(&db, "m > 1", secs(1)),
        vec![("m{pod=\"b\"}".into(), 2.0), ("m{pod=\"c\"}".into(), 3.0)]
    );
    assert_eq!(
        vector(&db, "n / m", secs(1)),
        vec![
            ("{pod=\"a\"}".into(), 10.0),
            ("{pod=\"b\"}".into(), 10.0),
            ("{pod=\"c\"}".into(), 10.0)
        ]
    );
    let err = query(
        &db,
        &parse("abs({__name__=~\"m|n\"})").unwrap(),
        secs(1),
        DEFAULT_LOOKBACK,
    )
    .unwrap_err();
    assert_eq!(err, "vector cannot contain metrics with the same labelset");
    assert_eq!(
        query(
            &db,
            &parse("time()").unwrap(),
            SimTime::from_millis(1500),
            DEFAULT_LOOKBACK
        ),
        Ok(Value::Scalar(1.5))
    );
    let err = query(&db, &parse("m[5m]").unwrap(), secs(1), DEFAULT_LOOKBACK).unwrap_err();
    assert!(err.starts_with("not supported by scalesim"), "{err}");
}

#[test]
fn hand_built_trees_with_wrong_arity_are_errors_not_panics() {
    use scalesim::promql::{Expr, Function};
    let db = Tsdb::new(Dur::from_secs(60));
    for func in Function::ALL {
        for args in [vec![], vec![Expr::Number(1.0); 4]] {
            let e = Expr::Call { func, args };
            let _ = query(&db, &e, secs(1), DEFAULT_LOOKBACK);
        }
    }
}
