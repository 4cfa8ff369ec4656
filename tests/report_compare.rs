//! Comparing runs: one chart, one CSV row per run, one HTML page; labels that tell runs apart.

#[path = "report_support.rs"]
mod support;

use scalesim::report::synthetic::{synthetic_run, SyntheticOptions};
use scalesim::report::{auto_labels, compare, write_compare, RunData};
use support::{check_xml, decode_png, fixture, tmp_dir};

fn polling(seconds: f64) -> RunData {
    synthetic_run(&SyntheticOptions {
        polling_interval_s: seconds,
        ..SyntheticOptions::default()
    })
}

#[test]
fn polling_3_vs_30_in_one_picture() {
    let runs = [polling(3.0), polling(30.0)];
    assert_eq!(
        auto_labels(&runs),
        ["pollingInterval=3", "pollingInterval=30"]
    );
    let c = compare(&runs, &[]).unwrap();
    assert_eq!(c.labels, ["pollingInterval=3", "pollingInterval=30"]);

    let img = decode_png(&c.png);
    assert_eq!(img.width, 1200);
    let (variance, inked) = img.stats();
    assert!(variance > 100.0 && inked > 0.01);
    let svg = String::from_utf8(c.svg.clone()).unwrap();
    assert_eq!(check_xml(&svg), Ok("svg".to_string()));
    assert!(svg.contains(">\nComparison: pollingInterval=3 vs pollingInterval=30\n</text>"));
    assert!(svg.contains(">\npollingInterval=30\n</text>"));

    let mut csv = csv::Reader::from_reader(c.csv.as_bytes());
    let header = csv.headers().unwrap().clone();
    assert_eq!(&header[0], "label");
    assert_eq!(&header[12], "wait_max_s");
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[1][0], "pollingInterval=30");
    assert_eq!(&rows[0][2], "42");
    assert_eq!(rows[0][14], runs[0].summary.peak_replicas.to_string());

    assert_eq!(check_xml(&c.html), Ok("html".to_string()));
    assert_eq!(c.html.matches("<svg ").count(), 1);
    assert!(c.html.contains(
        "<th class=\"num\">pollingInterval=3</th><th class=\"num\">pollingInterval=30</th>"
    ));
    assert!(c.html.contains(
        "<tr><td>keda</td><td><code>pollingInterval</code></td><td><code>3</code></td><td><code>30</code><span class=\"badge\">default</span></td></tr>"
    ));

    // Deterministic.
    assert!(compare(&runs, &[]).unwrap() == c);
}

#[test]
fn explicit_labels_and_mixed_lengths() {
    let runs = [
        RunData::load(&fixture("basic")).unwrap(),
        RunData::load(&fixture("minimal")).unwrap(),
        RunData::load(&fixture("hostile")).unwrap(),
    ];
    let labels: Vec<String> = ["a & b", "<one>", "three"].map(String::from).to_vec();
    let c = compare(&runs, &labels).unwrap();
    check_xml(&String::from_utf8(c.svg.clone()).unwrap()).unwrap();
    check_xml(&c.html).unwrap();
    assert!(c.html.contains("a &amp; b") && c.html.contains("&lt;one&gt;"));
    assert!(!c.html.contains("<script"));
    // Extra summary fields become extra CSV columns; labels with commas are quoted.
    let header = c.csv.lines().next().unwrap();
    assert!(header.ends_with(",<extra>,simulator_version"), "{header}");
    assert_eq!(c.csv.lines().count(), 4);

    let dir = tmp_dir("compare_files");
    let written = write_compare(&runs, &labels, &dir).unwrap();
    let names: Vec<_> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["compare.png", "compare.svg", "compare.csv", "compare.html"]
    );
}

#[test]
fn auto_labels_fall_back_sensibly() {
    let basic = RunData::load(&fixture("basic")).unwrap();
    let minimal = RunData::load(&fixture("minimal")).unwrap();
    // Settings differ (minimal has none): the differing settings name the runs.
    let labels = auto_labels(&[basic.clone(), minimal.clone()]);
    assert_eq!(labels[1], "pollingInterval=-, cooldownPeriod=-");
    // Same settings, different scenarios.
    let mut renamed = minimal.clone();
    renamed.summary.scenario = "other".into();
    assert_eq!(
        auto_labels(&[minimal.clone(), renamed]),
        ["one-sample", "other"]
    );
    // Only the seed differs.
    let mut other = minimal.clone();
    other.summary.seed = 9;
    assert_eq!(auto_labels(&[minimal.clone(), other]), ["seed=1", "seed=9"]);
    // Identical runs.
    assert_eq!(
        auto_labels(&[minimal.clone(), minimal.clone()]),
        ["run 1", "run 2"]
    );
}

#[test]
fn bad_requests_are_errors() {
    let run = RunData::load(&fixture("minimal")).unwrap();
    assert!(compare(&[], &[]).is_err());
    let e = compare(&[run.clone(), run], &["only one".to_string()]).unwrap_err();
    assert_eq!(e.to_string(), "invalid run data: 1 labels for 2 runs");
}
