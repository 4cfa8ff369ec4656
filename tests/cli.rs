//! The `scalesim` binary end to end: outputs, determinism, conservation, exit codes and the
//! wording of errors about bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scalesim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scalesim-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Every scenario shipped in `scenarios/` (not the benchmark ones).
fn shipped() -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .map(|p| format!("scenarios/{}", p.file_name().unwrap().to_string_lossy()))
            .collect();
    v.sort();
    assert!(!v.is_empty());
    v
}

#[test]
fn every_shipped_scenario_is_deterministic_and_conserves_tasks() {
    let base = tmp("determinism");
    for sc in shipped() {
        let a = base.join("a");
        let b = base.join("b");
        let c = base.join("c");
        for (dir, seed) in [(&a, None), (&b, None), (&c, Some("99"))] {
            let mut args = vec![
                "run",
                sc.as_str(),
                "--quiet",
                "--out",
                dir.to_str().unwrap(),
            ];
            if let Some(s) = seed {
                args.extend(["--seed", s]);
            }
            let o = run(&args);
            assert!(o.status.success(), "{sc}: {}", text(&o));
        }
        let mut files = vec![
            "timeseries.csv",
            "events.csv",
            "summary.json",
            "decisions.json",
            "settings.json",
            "report.html",
        ];
        for chart in ["replicas", "wait", "overview"] {
            files.push(Box::leak(format!("{chart}.png").into_boxed_str()));
            files.push(Box::leak(format!("{chart}.svg").into_boxed_str()));
        }
        for f in files {
            let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{sc}: {f}: {e}"));
            let y = std::fs::read(b.join(f)).unwrap();
            assert!(x == y, "{sc}: {f} differs between two identical runs");
            if f.ends_with(".png") {
                assert!(
                    x.starts_with(b"\x89PNG\r\n\x1a\n"),
                    "{sc}: {f} is not a PNG"
                );
            }
            let t = String::from_utf8_lossy(&x);
            if f.ends_with(".svg") {
                assert!(
                    t.contains("<svg") && t.trim_end().ends_with("</svg>"),
                    "{sc}: {f} is not a whole SVG"
                );
            }
            if f == "report.html" {
                assert!(
                    t.starts_with("<!DOCTYPE html>") && t.trim_end().ends_with("</html>"),
                    "{sc}: report.html is cut short"
                );
                for external in ["<script src", "<link ", "src=\"http", "url(http"] {
                    assert!(
                        !t.contains(external),
                        "{sc}: report.html loads {external}...: it must be self-contained"
                    );
                }
            }
        }
        let seeded = std::fs::read(c.join("summary.json")).unwrap();
        assert_ne!(
            seeded,
            std::fs::read(a.join("summary.json")).unwrap(),
            "{sc}: another seed changed nothing"
        );
        check_conservation(&sc, &a.join("timeseries.csv"));
    }
    std::fs::remove_dir_all(&base).unwrap();
}

/// produced + duplicated = completed + queue_depth + reserved + running + lost on every row.
fn check_conservation(sc: &str, path: &Path) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let col = |n: &str| {
        h.iter()
            .position(|c| c == n)
            .unwrap_or_else(|| panic!("{sc}: no column {n}"))
    };
    let (p, d, c, q, re, ru, l) = (
        col("produced_total"),
        col("duplicated_total"),
        col("completed_total"),
        col("queue_depth"),
        col("reserved"),
        col("running"),
        col("lost_total"),
    );
    let mut rows = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let v = |i: usize| -> u64 { rec[i].parse().unwrap() };
        assert_eq!(
            v(p) + v(d),
            v(c) + v(q) + v(re) + v(ru) + v(l),
            "{sc}: row {}",
            &rec[0]
        );
        rows += 1;
    }
    assert!(rows > 10, "{sc}: only {rows} rows");
}

#[test]
fn run_writes_the_documented_files_and_columns() {
    let out = tmp("files");
    let o = run(&[
        "run",
        "scenarios/rabbitmq-fixed.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("produced"), "a human summary is printed");
    for f in [
        "timeseries.csv",
        "events.csv",
        "summary.json",
        "settings.json",
        "scenario.yaml",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let header = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let header = header.lines().next().unwrap();
    assert!(header.starts_with("time_s,queue_depth,reserved,running,replicas,pods_ready,pods_starting,pods_terminating,produced_total,completed_total,lost_total"), "{header}");
    assert!(header.contains("queue_depth:celery"));
    let ev = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(ev.starts_with("time_s,source,type,reason,message\n"));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    for k in [
        "scenario",
        "seed",
        "duration_s",
        "produced",
        "completed",
        "lost",
        "duplicated",
        "max_queue_depth",
        "peak_replicas",
        "pod_seconds",
        "scale_ups",
        "scale_downs",
        "drain_time_s",
    ] {
        assert!(summary.get(k).is_some(), "summary.json lacks {k}");
    }
    for k in ["mean", "p50", "p95", "p99", "max"] {
        assert!(
            summary["wait_s"].get(k).is_some(),
            "summary.json lacks wait_s.{k}"
        );
    }
    let quiet = run(&[
        "run",
        "scenarios/rabbitmq-fixed.yaml",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(quiet.status.success());
    assert!(quiet.stdout.is_empty(), "--quiet prints nothing");
    let json = run(&[
        "run",
        "scenarios/rabbitmq-fixed.yaml",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    let v: serde_json::Value =
        serde_json::from_slice(&json.stdout).expect("--format json prints JSON");
    assert_eq!(v["scenario"], "rabbitmq-fixed");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn run_without_a_scenario_uses_the_embedded_default_from_any_directory() {
    let cwd = tmp("default");
    let o = Command::new(env!("CARGO_BIN_EXE_scalesim"))
        .arg("run")
        .current_dir(&cwd)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let runs: Vec<_> = std::fs::read_dir(cwd.join("reports")).unwrap().collect();
    assert_eq!(runs.len(), 1, "one run directory under reports/");
    std::fs::remove_dir_all(&cwd).unwrap();
}

/// Writes `text` as a scenario in a fresh directory; returns (dir, file).
fn scenario_file(name: &str, text: &str) -> (PathBuf, PathBuf) {
    let dir = tmp(name);
    let f = dir.join("s.yaml");
    std::fs::write(&f, text).unwrap();
    (dir, f)
}

const GOOD: &str = "apiVersion: scalesim.dev/v1alpha1
kind: Scenario
metadata: {name: bad}
spec:
  duration: 1m
  tasks: [{name: t, duration: 1s}]
  load: [{burst: {task: t, count: 3}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: w}
spec:
  replicas: 1
  template:
    spec:
      containers: [{name: w, command: [celery, -A, a, worker, -c, '1']}]
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: so}
spec:
  scaleTargetRef: {name: w}
  pollingInterval: 5
  triggers: [{type: redis, metadata: {address: 'r:6379', listName: celery}}]
";

/// Runs a broken scenario: exit 2, the message contains every `needle`, nothing is written.
fn expect_input_error(name: &str, yaml: &str, extra: &[&str], needles: &[&str]) {
    let (dir, f) = scenario_file(name, yaml);
    let out = dir.join("out");
    let mut args = vec!["run", f.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend(extra);
    let o = run(&args);
    let msg = text(&o);
    assert_eq!(o.status.code(), Some(2), "{name}: {msg}");
    for n in needles {
        assert!(msg.contains(n), "{name}: expected {n:?} in:\n{msg}");
    }
    assert!(!msg.contains("panicked"), "{name}: {msg}");
    assert!(!out.exists(), "{name}: wrote output");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "{name}: left files behind"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_wrong_type_names_file_line_column_and_field() {
    expect_input_error(
        "wrong-type",
        &GOOD.replace("count: 3", "count: three"),
        &[],
        &[
            "s.yaml:7:",
            "spec.load[0].burst.count",
            "expected a non-negative integer, found the string \"three\"",
        ],
    );
    expect_input_error(
        "wrong-type-manifest",
        &GOOD.replace("replicas: 1", "replicas: \"1\""),
        &[],
        &[
            "s.yaml:13:13",
            "Deployment/w",
            "spec.replicas",
            "remove the quotes",
        ],
    );
}

#[test]
fn an_unknown_scenario_field_is_an_error_with_a_suggestion() {
    expect_input_error(
        "unknown-field",
        &GOOD.replace("duration: 1m", "duration: 1m\n  sampleIntervall: 5s"),
        &[],
        &[
            "s.yaml:6:3",
            "spec.sampleIntervall",
            "unknown field `sampleIntervall` (did you mean `sampleInterval`?)",
        ],
    );
}

#[test]
fn bad_yaml_names_the_line() {
    expect_input_error(
        "bad-yaml",
        &GOOD.replace("count: 3}}]", "count: 3}}"),
        &[],
        &["s.yaml:8:1", "YAML syntax error"],
    );
}

#[test]
fn a_missing_manifest_file_is_named() {
    expect_input_error(
        "missing-file",
        &GOOD.replace(
            "duration: 1m",
            "duration: 1m\n  manifests: [nowhere/worker.yaml]",
        ),
        &[],
        &[
            "s.yaml:6:",
            "nowhere/worker.yaml: no such file or directory",
        ],
    );
}

#[test]
fn overrides_that_name_nothing_are_errors() {
    expect_input_error(
        "set-missing-object",
        GOOD,
        &["--set", "ScaledObject/nope:spec.pollingInterval=5"],
        &[
            "--set ScaledObject/nope",
            "no ScaledObject/nope among the manifests",
        ],
    );
    expect_input_error(
        "set-bad-scenario-path",
        GOOD,
        &["--set", "lod.0.rate=5"],
        &[
            "--set lod.0.rate=5",
            "unknown field `lod` (did you mean `load`?)",
        ],
    );
    expect_input_error(
        "set-index",
        GOOD,
        &["--set", "load.3.burst.count=5"],
        &["spec.load[3] does not exist"],
    );
    expect_input_error(
        "set-type",
        GOOD,
        &["--set", "load.0.burst.count=many"],
        &[
            "--set load.0.burst.count=many",
            "expected a non-negative integer",
        ],
    );
}

#[test]
fn overrides_change_the_run() {
    let (dir, f) = scenario_file("set-ok", GOOD);
    let out = dir.join("out");
    let o = run(&[
        "run",
        f.to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--set",
        "load.0.burst.count=7",
        "--set",
        "Deployment/w:spec.replicas=2",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["produced"], 7);
    let settings = std::fs::read_to_string(out.join("settings.json")).unwrap();
    assert!(
        settings.contains("--set Deployment/w:spec.replicas=2"),
        "the override is named as the origin"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn explain_lists_each_decision_with_its_inputs_and_rule() {
    let out = tmp("explain");
    let o = run(&[
        "run",
        "scenarios/keda-redis-burst.yaml",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&["explain", out.to_str().unwrap(), "--changes"]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    // The first scale-up: 480 queued on 1 pod asks for 48, the legacy limit allows 4.
    assert!(t.contains("1 -> 4  [ScaleUpLimit]"), "{t}");
    assert!(
        t.contains(
            "usage 480 over 1 pods (status) vs target AverageValue 10 -> ratio 48 -> proposal 48"
        ),
        "{t}"
    );
    assert!(
        t.contains("limits (legacy up): 48 -> 4, rate limit 4"),
        "{t}"
    );
    assert!(t.contains("10 -> 1  [TooFewReplicas]"), "{t}");
    let o = run(&[
        "explain",
        out.to_str().unwrap(),
        "--at",
        "6m",
        "--source",
        "keda",
    ]);
    assert!(o.status.success());
    let o = run(&["explain", "/nonexistent-run"]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn compare_overlays_variants_of_one_scenario() {
    let out = tmp("compare");
    let o = run(&[
        "compare",
        "scenarios/keda-redis-scale-to-zero.yaml",
        "--vary",
        "ScaledObject/redis-scaledobject:spec.pollingInterval=5,60",
        "--set",
        "duration=16m",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    for f in ["compare.png", "compare.svg", "compare.csv", "compare.html"] {
        assert!(out.join(f).exists(), "{f}");
    }
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    assert!(
        csv.contains("pollingInterval=5") && csv.contains("pollingInterval=60"),
        "{csv}"
    );
    // The terminal table: one row per variant; a 60 s poll wakes the workers later than a
    // 5 s one, so the first tasks of each burst wait longer (p95 column).
    let stdout = String::from_utf8_lossy(&o.stdout);
    let p95 = |label: &str| -> f64 {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(label))
            .unwrap_or_else(|| panic!("no row {label} in\n{stdout}"));
        line.split_whitespace().nth(2).unwrap().parse().unwrap()
    };
    assert!(stdout.starts_with("run "), "{stdout}");
    assert!(
        p95("pollingInterval=60") > p95("pollingInterval=5") + 10.0,
        "{stdout}"
    );
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::process::Stdio;
    let out = tmp("pipe");
    let mut child = bin()
        .args(["run", "--out", out.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away, like `| head -0`
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let _ = std::fs::remove_dir_all(&out);
}

/// The README shows `reports/examples/`: they must be what the current simulator produces.
/// After a deliberate change of behaviour, regenerate them with the commands in
/// `reports/README.md`.
#[test]
fn the_committed_example_reports_are_current() {
    let out = tmp("examples");
    let o = run(&["run", "-q", "--out", out.join("run").to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&[
        "compare",
        "-q",
        "scenarios/keda-redis-scale-to-zero.yaml",
        "--vary",
        "ScaledObject/redis-scaledobject:spec.pollingInterval=5,15,60",
        "--out",
        out.join("compare").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/examples");
    for (fresh, committed) in [
        ("run/overview.png", "keda-redis-burst/overview.png"),
        ("run/report.html", "keda-redis-burst/report.html"),
        ("run/summary.json", "keda-redis-burst/summary.json"),
        ("compare/compare.png", "scale-to-zero-polling/compare.png"),
        ("compare/compare.csv", "scale-to-zero-polling/compare.csv"),
    ] {
        let a = std::fs::read(out.join(fresh)).unwrap();
        let b = std::fs::read(examples.join(committed)).unwrap();
        assert!(
            a == b,
            "reports/examples/{committed} is stale: regenerate it (see reports/README.md)"
        );
    }
    std::fs::remove_dir_all(&out).unwrap();
}

/// Seed 000's quirks are spelled out where people look: the terminal summary, summary.json
/// and report.html (see `src/advice.rs` for the rules).
#[test]
fn configuration_notes_reach_the_terminal_the_summary_and_the_report() {
    let out = tmp("notes");
    let o = run(&["run", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let cooldown = "cooldownPeriod (10 s) has no effect on the scale-down from 10 to 1";
    let prefetch = "LLEN high_priority does not count tasks a worker has taken";
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains(cooldown) && stdout.contains(prefetch),
        "{stdout}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let notes: Vec<&str> = summary["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(notes.iter().any(|n| n.contains(cooldown)), "{notes:?}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("What this configuration does that you may not expect"));
    assert!(html.contains(cooldown) && html.contains(prefetch));
    std::fs::remove_dir_all(&out).unwrap();
}
