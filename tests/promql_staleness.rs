//! Cases ported from Prometheus's `promql/promqltest/testdata/staleness.test`
//! (prometheus/prometheus at d15adb9ad7e5), run with [`scalesim::promql::promqltest`].
//!
//! One test per upstream `eval`, named `l<line>_<query>` after its line in the upstream file,
//! with the `load` commands in force there (`L<line>` constants, copied verbatim except that
//! native-histogram series are left out). Ported: every `eval` over float data whose query
//! is in scalesim's subset and that does not assert a warn/info annotation
//! (17 of the file's 17).

use scalesim::promql::promqltest::run;

/// Runs the loads, then the eval; panics with the runner's message on a mismatch.
fn case(loads: &[&str], eval: &str) {
    let script = format!("{}\n\n{eval}\n", loads.join("\n\n"));
    if let Err(e) = run(&script) {
        panic!("{e}");
    }
}

/// `load` at staleness.test:1.
const L1: &str = r#"load 10s
  metric 0 1 stale 2"#;

/// `load` at staleness.test:45.
const L45: &str = r#"load 10s
  metric 0"#;

/// staleness.test:5
#[test]
fn l5_metric() {
    case(
        &[L1],
        r#"eval instant at 10s metric
  {__name__="metric"} 1"#,
    );
}

/// staleness.test:8
#[test]
fn l8_metric() {
    case(&[L1], r#"eval instant at 20s metric"#);
}

/// staleness.test:10
#[test]
fn l10_metric() {
    case(
        &[L1],
        r#"eval instant at 30s metric
  {__name__="metric"} 2"#,
    );
}

/// staleness.test:13
#[test]
fn l13_metric() {
    case(
        &[L1],
        r#"eval instant at 40s metric
  {__name__="metric"} 2"#,
    );
}

/// staleness.test:17
#[test]
fn l17_metric() {
    case(
        &[L1],
        r#"eval instant at 329s metric
  {__name__="metric"} 2"#,
    );
}

/// staleness.test:20
#[test]
fn l20_metric() {
    case(&[L1], r#"eval instant at 330s metric"#);
}

/// staleness.test:24
#[test]
fn l24_count_over_time_metric_1m() {
    case(
        &[L1],
        r#"eval instant at 30s count_over_time(metric[1m])
  {} 3"#,
    );
}

/// staleness.test:27
#[test]
fn l27_count_over_time_metric_1s() {
    case(
        &[L1],
        r#"eval instant at 10s count_over_time(metric[1s])
  {} 1"#,
    );
}

/// staleness.test:30
#[test]
fn l30_count_over_time_metric_1s() {
    case(&[L1], r#"eval instant at 20s count_over_time(metric[1s])"#);
}

/// staleness.test:32
#[test]
fn l32_count_over_time_metric_10s() {
    case(&[L1], r#"eval instant at 20s count_over_time(metric[10s])"#);
}

/// staleness.test:34
#[test]
fn l34_count_over_time_metric_20s() {
    case(
        &[L1],
        r#"eval instant at 20s count_over_time(metric[20s])
  {} 1"#,
    );
}

/// staleness.test:37
#[test]
fn l37_count_over_time_metric_10() {
    case(&[L1], r#"eval instant at 20s count_over_time(metric[10])"#);
}

/// staleness.test:39
#[test]
fn l39_count_over_time_metric_20() {
    case(
        &[L1],
        r#"eval instant at 20s count_over_time(metric[20])
  {} 1"#,
    );
}

/// staleness.test:49
#[test]
fn l49_metric() {
    case(
        &[L45],
        r#"eval instant at 0s metric
  {__name__="metric"} 0"#,
    );
}

/// staleness.test:52
#[test]
fn l52_metric() {
    case(
        &[L45],
        r#"eval instant at 150s metric
  {__name__="metric"} 0"#,
    );
}

/// staleness.test:55
#[test]
fn l55_metric() {
    case(
        &[L45],
        r#"eval instant at 299s metric
  {__name__="metric"} 0"#,
    );
}

/// staleness.test:58
#[test]
fn l58_metric() {
    case(&[L45], r#"eval instant at 300s metric"#);
}
