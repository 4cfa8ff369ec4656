//! `scalesim check` for CI: exit 0 when every SLO holds for every seed, 1 when one fails
//! (saying which, the value, the seed and by how much), 2 for bad input.

#[path = "tune_support.rs"]
mod support;

use support::*;

const SC: &str = "scenarios/keda-redis-burst.yaml";

#[test]
fn passes_and_fails_with_the_right_exit_code_and_words() {
    // The seed scenario's p95 wait is about 75 s: 90 passes, 60 fails.
    let ok = run(&[
        "check",
        SC,
        "--slo",
        "wait_p95_s<=90",
        "--slo",
        "lost==0",
        "--seeds",
        "3",
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let t = text(&ok);
    assert!(
        t.contains("PASS  wait_p95_s<=90") && t.contains("all 2 SLOs met"),
        "{t}"
    );

    let bad = run(&[
        "check",
        SC,
        "--slo",
        "wait_p95_s<=60,lost==0",
        "--slo",
        "max_queue_depth<=600",
    ]);
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    let t = text(&bad);
    assert!(t.contains("FAIL  wait_p95_s<=60"), "{t}");
    // "value 74.91  fails by 14.91 (24.85%)": the value, and by how much it misses.
    let line = t
        .lines()
        .find(|l| l.contains("FAIL  wait_p95_s<=60"))
        .unwrap();
    let words: Vec<&str> = line.split_whitespace().collect();
    let value: f64 = words[words.iter().position(|w| *w == "value").unwrap() + 1]
        .parse()
        .unwrap();
    let by: f64 = words[words.iter().position(|w| *w == "by").unwrap() + 1]
        .parse()
        .unwrap();
    assert!(
        value > 60.0 && (by - (value - 60.0)).abs() < 0.006,
        "{line}"
    );
    let pct: f64 = line
        .rsplit_once('(')
        .unwrap()
        .1
        .trim_end_matches("%)")
        .parse()
        .unwrap();
    assert!((pct - 100.0 * by / 60.0).abs() < 0.02, "{line}");
    assert!(t.contains("PASS  max_queue_depth<=600"), "{t}");
    assert!(t.contains("FAILED: 1 of 3 SLOs"), "{t}");

    // Made to pass by the manifests change the tuner found: more replicas, and an HPA
    // `behavior` (which also moves the generated HPA off the legacy scale-up rule).
    let fixed = run(&[
        "check",
        SC,
        "--slo",
        "wait_p95_s<=60",
        "--set",
        "ScaledObject/redis-scaledobject:spec.maxReplicaCount=20",
        "--set",
        "ScaledObject/redis-scaledobject:spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds=0",
    ]);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed));
}

#[test]
fn json_output_and_mean_slos() {
    let o = run(&[
        "check",
        SC,
        "--slo",
        "mean(wait_p95_s)<=76",
        "--slo",
        "drain_time_s<=1m",
        "--seeds",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["pass"], false);
    assert_eq!(v["seeds"], serde_json::json!([1, 2]));
    assert_eq!(v["slos"][0]["pass"], true);
    assert_eq!(v["slos"][1]["slo"], "drain_time_s<=1m");
    assert_eq!(v["slos"][1]["value"], 79.0);
    assert_eq!(v["slos"][1]["margin"], -19.0);
    assert_eq!(v["slos"][1]["seed"], 1);
}

#[test]
fn a_run_that_cannot_finish_fails_every_slo() {
    let o = run(&[
        "check",
        SC,
        "--slo",
        "lost==0",
        "--set",
        "limits.maxTasksInFlight=100",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("did not finish"), "{}", text(&o));
}

#[test]
fn bad_input_is_exit_2() {
    for (args, want) in [
        (vec!["check", SC], "--slo"),
        (
            vec!["check", SC, "--slo", "wait_p95<=3"],
            "did you mean wait_p95_s",
        ),
        (
            vec!["check", SC, "--slo", "lost=0"],
            "expected NAME OP NUMBER",
        ),
        (
            vec!["check", SC, "--slo", "lost==0", "--seeds", "0"],
            "between 1 and",
        ),
        (vec!["check", "nope.yaml", "--slo", "lost==0"], "nope.yaml"),
        (
            vec!["check", SC, "--slo", "lost==0", "--set", "duration=soon"],
            "duration",
        ),
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(want), "{args:?}: {}", text(&o));
    }
}
