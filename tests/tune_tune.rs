//! `scalesim tune` end to end: the README's tune writes a patched ScaledObject that parses,
//! differs from the input only in the tuned fields, and whose run meets the SLOs it was tuned
//! for; scenario fields are patched too; no feasible point is exit 1; the local search is
//! deterministic; `--from` re-ranks a sweep.

#[path = "tune_support.rs"]
mod support;

use std::path::Path;
use std::sync::Arc;

use scalesim::yaml::{parse_stream, Kind, Node};
use support::*;

const SO: &str = "k8s-reference/keda-redis/scaledobject.yaml";

/// Leaf paths (`spec.maxReplicaCount`) whose scalar values differ between two trees, and
/// paths present in only one of them.
fn differences(a: Option<&Node>, b: Option<&Node>, path: &str, out: &mut Vec<String>) {
    match (a.map(|n| &n.kind), b.map(|n| &n.kind)) {
        (Some(Kind::Map(x)), Some(Kind::Map(y))) => {
            let mut keys: Vec<&str> = x.iter().map(|(k, _)| k.text.as_str()).collect();
            keys.extend(
                y.iter()
                    .map(|(k, _)| k.text.as_str())
                    .filter(|k| !x.iter().any(|(kx, _)| kx.text == *k)),
            );
            for k in keys {
                let p = if path.is_empty() {
                    k.to_string()
                } else {
                    format!("{path}.{k}")
                };
                differences(a.and_then(|n| n.get(k)), b.and_then(|n| n.get(k)), &p, out);
            }
        }
        (Some(Kind::Seq(x)), Some(Kind::Seq(y))) => {
            for i in 0..x.len().max(y.len()) {
                differences(x.get(i), y.get(i), &format!("{path}.{i}"), out);
            }
        }
        (Some(Kind::Scalar(x, _)), Some(Kind::Scalar(y, _))) if x == y => {}
        (None, Some(Kind::Map(_))) => {
            let b = b.unwrap();
            if let Kind::Map(e) = &b.kind {
                for (k, v) in e {
                    differences(None, Some(v), &format!("{path}.{k}", k = k.text), out);
                }
            }
        }
        _ => out.push(path.to_string()),
    }
}

fn doc(text: &str, kind: &str) -> Node {
    parse_stream(text, &Arc::from("t"))
        .unwrap_or_else(|e| panic!("does not parse: {e}"))
        .into_iter()
        .find(|d| d.root.get("kind").and_then(Node::as_str) == Some(kind))
        .unwrap()
        .root
}

fn tune(args: &[String], out: &Path, extra: &[&str]) -> std::process::Output {
    let mut a = args.to_vec();
    a.extend(["--out".to_string(), out.display().to_string()]);
    a.extend(extra.iter().map(|s| s.to_string()));
    run(&a)
}

#[test]
fn readme_tune_patches_only_the_tuned_fields_and_its_run_meets_the_slos() {
    let args = readme_command("tune", 0);
    let before = read(Path::new(env!("CARGO_MANIFEST_DIR")).join(SO).as_path());
    let out = tmp("readme-tune");
    let o = tune(&args, &out, &[]);
    assert!(o.status.success(), "{}", text(&o));
    let printed = text(&o);
    assert!(printed.contains("best: "), "{printed}");
    assert!(printed.contains("verified: "), "{printed}");

    // The user's file is untouched; the tuned copy parses and differs only in tuned fields.
    assert_eq!(
        read(Path::new(env!("CARGO_MANIFEST_DIR")).join(SO).as_path()),
        before
    );
    let tuned = read(&out.join("tuned").join(SO));
    let (a, b) = (doc(&before, "ScaledObject"), doc(&tuned, "ScaledObject"));
    let mut diff = Vec::new();
    differences(Some(&a), Some(&b), "", &mut diff);
    let swept: Vec<String> = args
        .windows(2)
        .filter(|w| w[0] == "--set")
        .map(|w| {
            w[1].split_once(':')
                .unwrap()
                .1
                .split_once('=')
                .unwrap()
                .0
                .to_string()
        })
        .collect();
    assert!(!diff.is_empty());
    for d in &diff {
        assert!(
            swept.contains(d),
            "{d} changed but was not tuned (tuned: {swept:?})"
        );
    }
    // Comments and every untouched line are kept, in order.
    let kept: Vec<&str> = before
        .lines()
        .filter(|l| {
            !swept
                .iter()
                .any(|s| l.contains(s.rsplit('.').next().unwrap()))
        })
        .collect();
    let mut rest = tuned.lines();
    for l in &kept {
        assert!(rest.any(|t| t == *l), "line {l:?} lost or moved");
    }
    // The other files of the tree are copies.
    for f in [
        "k8s-reference/keda-redis/celery-worker.yaml",
        "k8s-reference/keda-redis/redis.yaml",
        "scenarios/keda-redis-burst.yaml",
    ] {
        assert_eq!(
            read(&out.join("tuned").join(f)),
            read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(f)),
            "{f}"
        );
    }
    // tune.json names the same values as the patched file.
    let report: serde_json::Value = serde_json::from_str(&read(&out.join("tune.json"))).unwrap();
    let params = report["best"]["parameters"].as_object().unwrap();
    for (key, value) in params {
        let path: Vec<&str> = key.split_once(':').unwrap().1.split('.').collect();
        let mut n = &b;
        for seg in &path {
            n = match seg.parse::<usize>() {
                Ok(i) => match &n.kind {
                    Kind::Seq(items) => &items[i],
                    _ => panic!("{key}"),
                },
                Err(_) => n
                    .get(seg)
                    .unwrap_or_else(|| panic!("{key} absent from the tuned file")),
            };
        }
        assert_eq!(
            n.as_str(),
            Some(value.as_str().unwrap().trim_matches('"')),
            "{key}"
        );
    }
    assert_eq!(report["verification"]["reproduces"], true);
    assert!(read(&out.join("tuned.diff"))
        .starts_with("diff --git a/k8s-reference/keda-redis/scaledobject.yaml"));
    assert!(out.join("best/compare.png").exists());

    // `run` of the tuned scenario meets the SLOs; so does `check` over the three seeds.
    let scenario = out.join("tuned/scenarios/keda-redis-burst.yaml");
    let r = run(&[
        "run",
        scenario.to_str().unwrap(),
        "--quiet",
        "--out",
        out.join("run").to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", text(&r));
    let s: serde_json::Value = serde_json::from_str(&read(&out.join("run/summary.json"))).unwrap();
    assert!(s["wait_s"]["p95"].as_f64().unwrap() <= 60.0, "{s}");
    assert_eq!(s["lost"], 0);
    let slos: Vec<&str> = args
        .windows(2)
        .filter(|w| w[0] == "--slo")
        .map(|w| w[1].as_str())
        .collect();
    let mut c = vec![
        "check".to_string(),
        scenario.display().to_string(),
        "--seeds".into(),
        "3".into(),
    ];
    for s in &slos {
        c.extend(["--slo".to_string(), s.to_string()]);
    }
    let r = run(&c);
    assert_eq!(r.status.code(), Some(0), "{}", text(&r));
    // The untuned scenario fails the same check.
    c[1] = "scenarios/keda-redis-burst.yaml".into();
    assert_eq!(run(&c).status.code(), Some(1));
}

fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn scenario_fields_are_patched_into_the_scenario_file() {
    let out = tmp("scenario-fields");
    let a = args(&[
        "tune",
        "scenarios/keda-redis-burst.yaml",
        "--set",
        "workers.0.celery.concurrency=1,2,4",
        "--set",
        "ScaledObject/redis-scaledobject:spec.maxReplicaCount=5,10",
        "--set-literal",
        "duration=5m",
        "--slo",
        "wait_p95_s<=45",
        "--seeds",
        "2",
        "--no-charts",
        "-q",
    ]);
    let o = tune(&a, &out, &[]);
    assert!(o.status.success(), "{}", text(&o));
    let orig = read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/keda-redis-burst.yaml")
            .as_path(),
    );
    let tuned = read(&out.join("tuned/scenarios/keda-redis-burst.yaml"));
    let mut diff = Vec::new();
    differences(
        Some(&doc(&orig, "Scenario")),
        Some(&doc(&tuned, "Scenario")),
        "",
        &mut diff,
    );
    diff.sort();
    assert_eq!(
        diff,
        ["spec.duration", "spec.workers.0.celery.concurrency"],
        "{tuned}"
    );
    assert!(tuned.starts_with("# Seed 000"), "comments kept");
    let c = run(&[
        "check",
        out.join("tuned/scenarios/keda-redis-burst.yaml")
            .to_str()
            .unwrap(),
        "--slo",
        "wait_p95_s<=45",
        "--seeds",
        "2",
    ]);
    assert_eq!(c.status.code(), Some(0), "{}", text(&c));
}

#[test]
fn no_feasible_point_is_exit_1_and_patches_nothing() {
    let out = tmp("infeasible");
    let a = args(&[
        "tune",
        "scenarios/keda-redis-burst.yaml",
        "--set",
        "ScaledObject/redis-scaledobject:spec.maxReplicaCount=5,10",
        "--set-literal",
        "duration=5m",
        "--slo",
        "wait_p95_s<=1",
        "--seeds",
        "1",
        "--no-charts",
    ]);
    let o = tune(&a, &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("no point meets every SLO; the closest: maxReplicaCount=10"),
        "{}",
        text(&o)
    );
    assert!(!out.join("tuned").exists());
    let report: serde_json::Value = serde_json::from_str(&read(&out.join("tune.json"))).unwrap();
    assert!(report["best"].is_null());
    assert_eq!(report["closest"]["slos"][0]["pass"], false);
}

#[test]
fn local_search_is_deterministic_and_finds_the_grid_optimum() {
    let space = [
        "tune",
        "scenarios/keda-redis-burst.yaml",
        "--set",
        "ScaledObject/redis-scaledobject:spec.maxReplicaCount=5,10,15,20,25,30",
        "--set",
        "ScaledObject/redis-scaledobject:spec.triggers.0.metadata.listLength=5..30:5",
        "--set",
        "ScaledObject/redis-scaledobject:spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds=0,30,60,120,300",
        "--slo",
        "wait_p95_s<=60",
        "--seeds",
        "2",
        "--no-charts",
        "-q",
    ];
    let base = tmp("local");
    let grid = tune(&args(&space), &base.join("grid"), &[]);
    assert!(grid.status.success(), "{}", text(&grid));
    let mut local = args(&space);
    local.extend(args(&["--design", "local:40"]));
    let l1 = tune(&local, &base.join("l1"), &["--jobs", "1"]);
    let l2 = tune(&local, &base.join("l2"), &["--jobs", "2"]);
    assert!(l1.status.success(), "{}", text(&l1));
    assert!(l2.status.success());
    for f in ["results.csv", "points.csv", "tune.json"] {
        let a = read(&base.join("l1").join(f));
        let b = read(&base.join("l2").join(f)).replace("/l2/", "/l1/");
        assert_eq!(a, b, "{f} depends on --jobs");
    }
    let rows = read(&base.join("l1/results.csv")).lines().count() - 1;
    assert!(rows <= 80, "at most 40 points x 2 seeds, ran {rows} rows");
    let best = |d: &str| -> f64 {
        let r: serde_json::Value =
            serde_json::from_str(&read(&base.join(d).join("tune.json"))).unwrap();
        r["best"]["metrics"]["pod_seconds"]["mean"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(
        best("l1"),
        best("grid"),
        "the local search reaches the grid's best cost"
    );
}

#[test]
fn tune_from_a_sweep_directory() {
    let base = tmp("from");
    let s = run(&[
        "sweep",
        "scenarios/keda-redis-burst.yaml",
        "--set",
        "ScaledObject/redis-scaledobject:spec.maxReplicaCount=10,20",
        "--seeds",
        "2",
        "--no-charts",
        "-q",
        "--out",
        base.join("sweep").to_str().unwrap(),
    ]);
    assert!(s.status.success(), "{}", text(&s));
    let o = run(&[
        "tune",
        "scenarios/keda-redis-burst.yaml",
        "--from",
        base.join("sweep").to_str().unwrap(),
        "--slo",
        "wait_p95_s<=65",
        "--out",
        base.join("t").to_str().unwrap(),
        "-q",
        "--no-charts",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(read(&base.join("t/tuned.diff")).contains("+  maxReplicaCount: 20"));
    assert_eq!(
        read(&base.join("t/results.csv")),
        read(&base.join("sweep/results.csv")),
        "ranked, not re-run"
    );
    // Another scenario's files do not match the sweep.
    let o = run(&[
        "tune",
        "scenarios/hpa-cpu.yaml",
        "--from",
        base.join("sweep").to_str().unwrap(),
        "--out",
        base.join("t2").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("fingerprints differ"), "{}", text(&o));
}
