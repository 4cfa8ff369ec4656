//! `scalesim sweep` and `merge` end to end: the README's sweep, identical whatever `--jobs`
//! is; shards merged equal the unsharded sweep; seeded designs; bad input is exit 2.

#[path = "report_support.rs"]
mod report_support;
#[path = "tune_support.rs"]
mod support;

use support::*;

fn sweep(args: &[String], out: &std::path::Path, extra: &[&str]) -> String {
    let mut a: Vec<String> = args.to_vec();
    a.extend(["--out".into(), out.display().to_string(), "-q".into()]);
    a.extend(extra.iter().map(|s| s.to_string()));
    let o = run(&a);
    assert!(o.status.success(), "{a:?}: {}", text(&o));
    text(&o)
}

#[test]
fn readme_sweep_gives_identical_files_with_one_or_two_jobs() {
    let args = readme_command("sweep", 0);
    assert_eq!(args[0], "sweep");
    assert!(args.contains(&"--seeds".to_string()));
    let base = tmp("readme-sweep");
    let (a, b) = (base.join("j1"), base.join("j2"));
    sweep(&args, &a, &["--jobs", "1"]);
    sweep(&args, &b, &["--jobs", "2"]);
    for f in [
        "results.csv",
        "points.csv",
        "sweep.json",
        "pareto.svg",
        "heatmap-pod_seconds.png",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between --jobs 1 and --jobs 2"
        );
    }
    // One row per point and seed: 5 pollingIntervals x 5 listLengths x 3 seeds.
    let results = read(&a.join("results.csv"));
    let mut lines = results.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header[..5],
        [
            "point",
            "replicate",
            "seed",
            "ScaledObject/redis-scaledobject:spec.pollingInterval",
            "ScaledObject/redis-scaledobject:spec.triggers.0.metadata.listLength"
        ]
    );
    for m in scalesim::tune::metrics::METRIC_NAMES {
        assert!(header.contains(&m), "results.csv lacks {m}");
    }
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 75);
    let mut combos: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r[3], r[4], r[2])).collect();
    combos.sort();
    combos.dedup();
    assert_eq!(
        combos.len(),
        75,
        "every (pollingInterval, listLength, seed) once"
    );
    assert!(rows.iter().all(|r| r.last() == Some(&"")), "no run failed");
    assert_eq!(read(&a.join("points.csv")).lines().count(), 26);
    for f in ["pareto.png", "heatmap-wait_p95_s.png", "best/compare.png"] {
        let bytes = std::fs::read(a.join(f)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{f}");
    }
    for f in [
        "pareto.svg",
        "heatmap-wait_p95_s.svg",
        "heatmap-pod_seconds.svg",
    ] {
        report_support::check_xml(&read(&a.join(f))).unwrap_or_else(|e| panic!("{f}: {e}"));
    }

    // Replicate 0 of a point is `scalesim run` with the same values.
    let row = rows
        .iter()
        .find(|r| r[1] == "0" && r[3] == "5" && r[4] == "20")
        .unwrap();
    let run_dir = base.join("run");
    let o = run(&[
        "run",
        "scenarios/keda-redis-burst.yaml",
        "--quiet",
        "--out",
        run_dir.to_str().unwrap(),
        "--set",
        "ScaledObject/redis-scaledobject:spec.pollingInterval=5",
        "--set",
        "ScaledObject/redis-scaledobject:spec.triggers.0.metadata.listLength=20",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let summary: serde_json::Value =
        serde_json::from_str(&read(&run_dir.join("summary.json"))).unwrap();
    let col = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(
        col("pod_seconds").parse::<f64>().unwrap(),
        summary["pod_seconds"].as_f64().unwrap()
    );
    assert_eq!(
        col("wait_p95_s").parse::<f64>().unwrap(),
        summary["wait_s"]["p95"].as_f64().unwrap()
    );
    assert_eq!(
        col("events_processed"),
        summary["events_processed"].to_string()
    );
}

fn small() -> Vec<String> {
    [
        "sweep",
        "scenarios/keda-redis-burst.yaml",
        "--set",
        "ScaledObject/redis-scaledobject:spec.maxReplicaCount=5,10,20",
        "--set",
        "ScaledObject/redis-scaledobject:spec.triggers.0.metadata.listLength=10..30:10",
        "--set-literal",
        "duration=5m",
        "--seeds",
        "2",
        "--slo",
        "wait_p95_s<=70",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn shards_merged_equal_the_unsharded_sweep() {
    let base = tmp("shards");
    sweep(&small(), &base.join("whole"), &["--no-charts"]);
    for i in 0..3 {
        let shard = format!("{i}/3");
        sweep(
            &small(),
            &base.join(format!("parts/shard-{i}")),
            &["--no-charts", "--shard", &shard, "--jobs", "1"],
        );
    }
    let o = run(&[
        "merge",
        base.join("parts").to_str().unwrap(),
        "--out",
        base.join("merged").to_str().unwrap(),
        "--no-charts",
        "-q",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    for f in ["results.csv", "points.csv", "sweep.json"] {
        assert_eq!(
            read(&base.join("whole").join(f)),
            read(&base.join("merged").join(f)),
            "merged {f} differs from the unsharded sweep's"
        );
    }
    // A shard's own file covers its points only.
    let shard1 = read(&base.join("parts/shard-1/results.csv"));
    assert!(shard1
        .lines()
        .skip(1)
        .all(|l| l.split(',').next().unwrap().parse::<usize>().unwrap() % 3 == 1));

    // A missing shard, or a shard of another sweep, is refused.
    let o = run(&[
        "merge",
        base.join("parts/shard-0").to_str().unwrap(),
        base.join("parts/shard-2").to_str().unwrap(),
        "--out",
        base.join("m2").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("missing shards: 1/3"), "{}", text(&o));
    let mut other = small();
    other[9] = "3".into(); // three seeds: another design
    sweep(
        &other,
        &base.join("other"),
        &["--no-charts", "--shard", "1/3"],
    );
    let o = run(&[
        "merge",
        base.join("parts/shard-0").to_str().unwrap(),
        base.join("other").to_str().unwrap(),
        base.join("parts/shard-2").to_str().unwrap(),
        "--out",
        base.join("m3").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("not shards of the same sweep"),
        "{}",
        text(&o)
    );
    assert!(!base.join("m3").exists(), "a failed merge writes nothing");
}

#[test]
fn sampled_designs_are_seeded_and_sweep_files_work() {
    let base = tmp("designs");
    let args: Vec<String> = [
        "sweep",
        "scenarios/keda-redis-burst.yaml",
        "--set",
        "ScaledObject/redis-scaledobject:spec.maxReplicaCount=5..30",
        "--set",
        "ScaledObject/redis-scaledobject:spec.triggers.0.metadata.listLength=5,10,20",
        "--set-literal",
        "duration=5m",
        "--design",
        "lhs:6",
        "--no-charts",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    sweep(&args, &base.join("a"), &[]);
    sweep(&args, &base.join("b"), &["--jobs", "1"]);
    sweep(&args, &base.join("c"), &["--design-seed", "99"]);
    let a = read(&base.join("a/results.csv"));
    assert_eq!(a, read(&base.join("b/results.csv")));
    assert_ne!(
        a,
        read(&base.join("c/results.csv")),
        "another design seed draws other points"
    );
    assert_eq!(a.lines().count(), 7);
    // Latin hypercube: the six maxReplicaCount values fall in six different sixths of 5..30.
    let mut strata: Vec<i64> = a
        .lines()
        .skip(1)
        .map(|l| (l.split(',').nth(3).unwrap().parse::<i64>().unwrap() - 5) * 6 / 26)
        .collect();
    strata.sort();
    assert_eq!(strata, [0, 1, 2, 3, 4, 5]);

    // A sweep file, with a command-line parameter added.
    let file = base.join("sweep.yaml");
    std::fs::write(
        &file,
        format!(
            "apiVersion: scalesim.dev/v1alpha1\nkind: Sweep\nspec:\n  scenario: {}/scenarios/keda-redis-burst.yaml\n  seeds: 2\n  parameters:\n    ScaledObject/redis-scaledobject:spec.maxReplicaCount: [5, 10]\n  set:\n    duration: 5m\n  slos: [lost==0]\n",
            env!("CARGO_MANIFEST_DIR")
        ),
    )
    .unwrap();
    let args: Vec<String> = [
        "sweep",
        "--sweep-file",
        file.to_str().unwrap(),
        "--set",
        "ScaledObject/redis-scaledobject:spec.pollingInterval=1,5",
        "--no-charts",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    sweep(&args, &base.join("file"), &[]);
    let pts = read(&base.join("file/points.csv"));
    assert_eq!(pts.lines().count(), 5);
    assert!(pts.lines().next().unwrap().contains("margin:lost==0"));
    let info: serde_json::Value =
        serde_json::from_str(&read(&base.join("file/sweep.json"))).unwrap();
    assert_eq!(info["seeds"], 2);
    assert_eq!(info["fixed"][0], "duration=5m");
}

#[test]
fn bad_input_is_exit_2_and_names_the_problem() {
    let base = tmp("bad");
    let out = base.join("x");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--set",
                "ScaledObject/redis-scaledobject:spec.pollingInterval=10..1:1",
            ],
            "empty",
        ),
        (
            vec![
                "--set",
                "ScaledObject/redis-scaledobject:spec.pollingInterval=1,,2",
            ],
            "empty value",
        ),
        (
            vec![
                "--set",
                "ScaledObject/redis-scaledobject:spec.pollingInterval=1..9",
            ],
            "needs a step",
        ),
        (
            vec!["--set", "ScaledObject/nope:spec.pollingInterval=1,2"],
            "no ScaledObject/nope",
        ),
        (
            vec![
                "--set",
                "ScaledObject/redis-scaledobject:spec.pollingIntervall=1,2",
            ],
            "pollingIntervall",
        ),
        (
            vec![
                "--set",
                "ScaledObject/redis-scaledobject:spec.maxReplicaCount=3,x",
            ],
            "point 1",
        ),
        (vec!["--shard", "3/3"], "0 <= I < N"),
        (vec!["--design", "local:5"], "tune"),
        (vec!["--slo", "wait<=3"], "unknown metric"),
        (vec!["--jobs", "0"], "at least 1"),
        (vec!["--set", "seed=1,2"], "--seeds"),
    ];
    for (extra, want) in cases {
        let mut a = vec![
            "sweep",
            "scenarios/keda-redis-burst.yaml",
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
        ];
        a.extend(extra.iter());
        let o = run(&a);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", text(&o));
        assert!(
            text(&o).contains(want),
            "{extra:?}: expected {want:?} in:\n{}",
            text(&o)
        );
        assert!(!text(&o).contains("panicked"), "{}", text(&o));
        assert!(!out.exists(), "{extra:?}: bad input wrote output");
    }
    // A value with commas, quoted, is one value.
    let o = run(&[
        "sweep",
        "scenarios/keda-redis-burst.yaml",
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
        "-q",
        "--set-literal",
        "duration=2m",
        "--set",
        "workers.0.command=\"celery -A tasks worker -Q low_priority,high_priority --concurrency=2\",\"celery -A tasks worker -Q high_priority --concurrency=1\"",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        read(&out.join("points.csv")).lines().count(),
        3,
        "two values, each with a comma inside"
    );
}
