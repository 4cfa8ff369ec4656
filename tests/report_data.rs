//! Loading run directories: fixtures, tolerance of optional parts, and errors that name the
//! file and line.

#[path = "report_support.rs"]
mod support;

use std::fs;

use proptest::prelude::*;
use scalesim::report::synthetic::{synthetic_run, SyntheticOptions};
use scalesim::report::{parse_events, ReportError, RunData, Sample, TimeSeries};
use support::{fixture, tmp_dir};

#[test]
fn loads_the_basic_fixture() {
    let run = RunData::load(&fixture("basic")).unwrap();
    let ts = &run.series;
    assert_eq!(ts.len(), 37);
    assert_eq!(ts.time_s[36], 180.0);
    assert_eq!(
        ts.queues
            .iter()
            .map(|q| q.name.as_str())
            .collect::<Vec<_>>(),
        ["high_priority", "default"]
    );
    assert_eq!(ts.metrics.len(), 1);
    assert_eq!(ts.metrics[0].name, "s0-redis-default");
    assert!(
        ts.metrics[0].value[0].is_nan(),
        "empty before the first read"
    );
    assert_eq!(ts.metrics[0].target[3], 20.0);
    assert!(ts.wait_p50_s[0].is_nan());
    assert!(ts.deployments.is_empty());
    assert_eq!(run.summary.scenario, "keda-redis-smoke");
    assert_eq!(run.summary.seed, 7);
    assert_eq!(
        run.summary.extra.get("simulator_version"),
        Some(&serde_json::json!("0.1.0")),
        "unknown summary fields are kept"
    );
    assert!(run.events.iter().any(|e| e.reason == "SuccessfulRescale"
        && e.source == "hpa"
        && e.message.starts_with("New size: 4;")));
    assert_eq!(run.settings.len(), 9);
    // Numbers and booleans in settings.json are accepted as text.
    let stab = run
        .settings
        .iter()
        .find(|s| s.name.contains("stabilizationWindow"))
        .unwrap();
    assert_eq!(stab.value, "60");
    assert!(run
        .settings
        .iter()
        .any(|s| s.name == "task_acks_late" && s.value == "false" && s.default));
    assert_eq!(run.decisions.len(), 4);
    assert_eq!(run.decisions[2].rule, "ScaleUpLimit");
    assert_eq!(
        run.decisions[0].extra.get("object"),
        Some(&serde_json::json!("ScaledObject/worker")),
        "unknown decision fields are kept"
    );
    assert!(run
        .scenario_yaml
        .as_deref()
        .unwrap()
        .contains("keda-redis-smoke"));
}

#[test]
fn optional_files_may_be_missing() {
    let run = RunData::load(&fixture("minimal")).unwrap();
    assert_eq!(run.series.len(), 1);
    assert!(run.events.is_empty() && run.settings.is_empty() && run.decisions.is_empty());
    assert!(run.scenario_yaml.is_none());
    assert_eq!(run.summary.wait_s.p95, None);
    assert_eq!(run.summary.drain_time_s, None);
}

#[test]
fn hostile_fixture_loads_verbatim() {
    let run = RunData::load(&fixture("hostile")).unwrap();
    assert!(run.summary.scenario.starts_with("<script>"));
    assert_eq!(run.series.queues[0].name, "<b>q1</b>");
    assert_eq!(run.series.metrics[0].name, "m<1>");
    assert_eq!(run.series.deployments.len(), 2);
}

#[test]
fn synthetic_run_round_trips_through_files() {
    let opts = SyntheticOptions {
        samples: 400,
        queues: vec!["high".into(), "low".into()],
        ..SyntheticOptions::default()
    };
    let run = synthetic_run(&opts);
    let dir = tmp_dir("roundtrip");
    run.write_dir(&dir).unwrap();
    let back = RunData::load(&dir).unwrap();
    // NaN cells make RunData unequal to itself, so compare the serialized forms.
    assert_eq!(back.series.to_csv(), run.series.to_csv());
    assert_eq!(back.summary, run.summary);
    assert_eq!(back.events, run.events);
    assert_eq!(back.settings, run.settings);
    assert_eq!(back.decisions, run.decisions);
    assert_eq!(back.scenario_yaml, run.scenario_yaml);
}

/// Writes a run directory from the basic fixture with one file replaced.
fn broken(name: &str, file: &str, content: &[u8]) -> std::path::PathBuf {
    let dir = tmp_dir(name);
    for entry in fs::read_dir(fixture("basic")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    fs::write(dir.join(file), content).unwrap();
    dir
}

fn load_err(dir: &std::path::Path) -> String {
    match RunData::load(dir) {
        Ok(_) => panic!("{} loaded", dir.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn errors_name_the_file_and_line() {
    let header = fs::read_to_string(fixture("basic/timeseries.csv")).unwrap();
    let header = header.lines().next().unwrap();

    let dir = broken(
        "bad_number",
        "timeseries.csv",
        format!(
            "{header}\n0,0,0,0,0,0,0,0,0,0,0,0,,,,0,0,,\n5,lots,0,0,0,0,0,0,0,0,0,0,,,,0,0,,\n"
        )
        .as_bytes(),
    );
    let e = load_err(&dir);
    assert!(
        e.ends_with("timeseries.csv:3: column `queue_depth`: expected a number, found \"lots\"")
    );

    let dir = broken(
        "short_row",
        "timeseries.csv",
        format!("{header}\n0,0,0\n").as_bytes(),
    );
    assert!(load_err(&dir)
        .ends_with("timeseries.csv:2: expected 19 fields (as in the header), found 3"));

    let dir = broken("no_time", "timeseries.csv", b"queue_depth\n1\n");
    assert!(load_err(&dir).ends_with("timeseries.csv:1: missing required column `time_s`"));

    let dir = broken(
        "dup_col",
        "timeseries.csv",
        b"time_s,replicas,replicas\n0,1,1\n",
    );
    assert!(load_err(&dir).contains("column `replicas` appears twice"));

    let dir = broken("backwards", "timeseries.csv", b"time_s\n0\n10\n5\n");
    assert!(load_err(&dir).ends_with("timeseries.csv:4: time_s 5 is before the previous row's 10"));

    let dir = broken("inf", "timeseries.csv", b"time_s,replicas\n0,inf\n");
    assert!(load_err(&dir).contains("timeseries.csv:2: column `replicas`"));

    let dir = broken(
        "bad_json",
        "summary.json",
        b"{\n  \"scenario\": \"x\",\n  \"seed\": -1\n}\n",
    );
    let e = load_err(&dir);
    assert!(e.contains("summary.json:3:"), "{e}");

    let dir = broken("missing_field", "summary.json", b"{\"scenario\": \"x\"}");
    let e = load_err(&dir);
    assert!(e.contains("summary.json:1: missing field"), "{e}");

    let dir = broken(
        "bad_event",
        "events.csv",
        b"time_s,source,type,reason,message\n1,hpa,Normal,X,ok\nsoon,hpa,Normal,X,bad\n",
    );
    assert!(load_err(&dir)
        .ends_with("events.csv:3: column `time_s`: expected a number, found \"soon\""));

    let dir = broken(
        "event_cols",
        "events.csv",
        b"time_s,source,reason\n1,hpa,X\n",
    );
    assert!(load_err(&dir).ends_with("events.csv:1: missing column `type`"));

    let dir = broken(
        "bad_decision",
        "decisions.json",
        b"[{\"time_s\": 1, \"source\": \"hpa\", \"from\": \"one\", \"to\": 2}]",
    );
    let e = load_err(&dir);
    assert!(e.contains("decisions.json:1: invalid type"), "{e}");

    let dir = broken("bad_settings", "settings.json", b"{}");
    assert!(load_err(&dir).contains("settings.json:1:"));

    let dir = broken("latin1", "scenario.yaml", b"name: caf\xe9\n");
    assert!(load_err(&dir).ends_with("scenario.yaml:1: not valid UTF-8"));

    let dir = tmp_dir("empty_dir");
    let e = RunData::load(&dir).unwrap_err();
    assert!(matches!(e, ReportError::Io { .. }));
    assert!(e.to_string().contains("timeseries.csv"));

    let e = RunData::load(&dir.join("nope")).unwrap_err();
    assert!(e.to_string().contains("nope"));
}

#[test]
fn blank_lines_and_spaces_are_tolerated() {
    let text = "time_s, queue_depth ,replicas\n\n0, 1 ,2\n\n5,3,4\n";
    let ts = TimeSeries::from_csv(text.as_bytes(), "t.csv").unwrap();
    assert_eq!(ts.time_s, [0.0, 5.0]);
    assert_eq!(ts.queue_depth, [1.0, 3.0]);
    assert!(ts.pods_ready.iter().all(|v| v.is_nan()));
}

#[test]
fn in_memory_runs_are_checked() {
    let mut ts = TimeSeries::new(&["a", "b"], &["m"], &[]);
    let s = |t: f64| Sample {
        time_s: t,
        ..Sample::default()
    };
    ts.push(&s(1.0), &[1.0, 2.0], &[(Some(3.0), None)], &[])
        .unwrap();
    assert!(ts.push(&s(2.0), &[1.0], &[(None, None)], &[]).is_err());
    assert!(ts
        .push(&s(0.5), &[1.0, 2.0], &[(None, None)], &[])
        .unwrap_err()
        .to_string()
        .contains("before the previous sample"));
    assert!(ts
        .push(&s(f64::NAN), &[1.0, 2.0], &[(None, None)], &[])
        .is_err());
    ts.validate().unwrap();
    ts.replicas.push(1.0);
    assert!(ts
        .validate()
        .unwrap_err()
        .to_string()
        .contains("column replicas has 2 values but time_s has 1"));
}

#[test]
fn series_from_simulator_rows() {
    let columns: Vec<String> = [
        "time_s",
        "replicas",
        "metric:m",
        "target:m",
        "replicas:w1",
        "future",
    ]
    .map(String::from)
    .to_vec();
    let rows = vec![
        vec![0.0, 1.0, f64::NAN, 5.0, 1.0, 9.0],
        vec![15.0, 3.0, 12.5, 5.0, 3.0, 9.0],
    ];
    let ts = TimeSeries::from_rows(&columns, &rows).unwrap();
    assert_eq!(ts.replicas, [1.0, 3.0]);
    assert_eq!(ts.metrics[0].target, [5.0, 5.0]);
    assert!(ts.metrics[0].value[0].is_nan());
    assert_eq!(ts.deployments[0].name, "w1");
    assert!(ts.queue_depth.iter().all(|v| v.is_nan()));
    ts.validate().unwrap();
    // The same data through CSV gives the same series.
    let via_csv = TimeSeries::from_csv(ts.to_csv().as_bytes(), "t.csv").unwrap();
    assert_eq!(via_csv.to_csv(), ts.to_csv());

    let e = TimeSeries::from_rows(&columns, [vec![0.0; 5]]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid run data: row 0: 5 values for 6 columns"
    );
    let e = TimeSeries::from_rows(&columns, [[1.0; 6], [0.0; 6]]).unwrap_err();
    assert!(e.to_string().contains("row 1: time_s 0 is before"));
    let e =
        TimeSeries::from_rows(&columns, [[0.0, f64::INFINITY, 0.0, 0.0, 0.0, 0.0]]).unwrap_err();
    assert!(e.to_string().contains("column `replicas` is inf"));
    let e = TimeSeries::from_rows(&columns[1..], [[0.0; 5]]).unwrap_err();
    assert!(e.to_string().contains("missing required column `time_s`"));
}

#[test]
fn simulator_types_convert_via_json() {
    // The shape of the simulator's own summary: plain f64 waits, extra counters.
    let sim = serde_json::json!({
        "scenario": "s", "seed": 1, "duration_s": 60.0, "produced": 10, "completed": 9,
        "lost": 0, "duplicated": 1, "in_flight_at_end": 1,
        "wait_s": {"mean": 1.5, "p50": 1.0, "p95": 3.0, "p99": 4.0, "max": 5.0},
        "started": 9, "max_queue_depth": 4, "peak_replicas": 2, "pod_seconds": 90.0,
        "scale_ups": 1, "scale_downs": 0, "drain_time_s": null, "events_processed": 1234,
        "warnings": []
    });
    let summary: scalesim::report::Summary = scalesim::report::via_json(&sim, "summary").unwrap();
    assert_eq!(summary.wait_s.p95, Some(3.0));
    assert_eq!(summary.extra["events_processed"], 1234);
    assert_eq!(summary.extra.len(), 3);
    let bad: Result<scalesim::report::Summary, _> =
        scalesim::report::via_json(&serde_json::json!({"seed": "x"}), "summary");
    assert!(bad
        .unwrap_err()
        .to_string()
        .starts_with("invalid run data: summary: "));
}

proptest! {
    /// Arbitrary bytes never panic the loaders; they parse or give an error.
    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = TimeSeries::from_csv(&bytes[..], "t.csv");
        let _ = parse_events(&bytes[..], "e.csv");
        let mut with_header = b"time_s,queue_depth,metric:m\n".to_vec();
        with_header.extend(&bytes);
        let _ = TimeSeries::from_csv(&with_header[..], "t.csv");
    }

    /// Numeric CSV cells written by `to_csv` read back identically.
    #[test]
    fn csv_round_trip(values in proptest::collection::vec((0.0f64..1e12, proptest::option::of(0.0f64..1e6)), 1..30)) {
        let mut ts = TimeSeries::new(&[], &["m"], &[]);
        let mut t = 0.0;
        for (v, w) in &values {
            t += v / 1e9;
            let s = Sample { time_s: t, queue_depth: *v, wait_p95_s: *w, ..Sample::default() };
            ts.push(&s, &[], &[(*w, Some(*v))], &[]).unwrap();
        }
        let back = TimeSeries::from_csv(ts.to_csv().as_bytes(), "t.csv").unwrap();
        prop_assert_eq!(back.to_csv(), ts.to_csv());
        prop_assert_eq!(&back.queue_depth, &ts.queue_depth);
    }
}
