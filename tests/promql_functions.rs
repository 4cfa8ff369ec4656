//! Cases ported from Prometheus's `promql/promqltest/testdata/functions.test`
//! (prometheus/prometheus at d15adb9ad7e5), run with [`scalesim::promql::promqltest`].
//!
//! One test per upstream `eval`, named `l<line>_<query>` after its line in the upstream file,
//! with the `load` commands in force there (`L<line>` constants, copied verbatim except that
//! native-histogram series are left out). Ported: every `eval` over float data whose query
//! is in scalesim's subset and that does not assert a warn/info annotation
//! (121 of the file's 431).

use scalesim::promql::promqltest::run;

/// Runs the loads, then the eval; panics with the runner's message on a mismatch.
fn case(loads: &[&str], eval: &str) {
    let script = format!("{}\n\n{eval}\n", loads.join("\n\n"));
    if let Err(e) = run(&script) {
        panic!("{e}");
    }
}

/// `load` at functions.test:2 (native-histogram series left out).
const L2: &str = r#"load 5m
	http_requests{path="/foo"}	1 2 3 0 1 0 0 1 2 0
	http_requests{path="/bar"}	1 2 3 4 5 1 2 3 4 5
	http_requests{path="/biz"}  0 0 0 0 0 1 1 1 1 1"#;

/// `load` at functions.test:104.
const L104: &str = r#"load 5m
  x{a="b"} NaN NaN NaN
  x{a="c"} 0 NaN 0"#;

/// `load` at functions.test:115.
const L115: &str = r#"load 5m
	http_requests_total{path="/foo"}	0+10x10
	http_requests_total{path="/bar"}	0+18x5 0+18x5
	http_requests_total{path="/dings"}   10+10x10
	http_requests_total{path="/bumms"}    1+10x10"#;

/// `load` at functions.test:147.
const L147: &str = r#"load 5m
	http_requests_total{path="/foo"}	0 1 2 3 2 3 4"#;

/// `load` at functions.test:156.
const L156: &str = r#"load 5m
	testcounter_reset_middle_total	0+27x4 0+27x5
	testcounter_reset_end_total  	0+10x9 0 10"#;

/// `load` at functions.test:172.
const L172: &str = r#"load 5m
	calculate_rate_offset_total{x="a"}	0+10x10
	calculate_rate_offset_total{x="b"}	0+20x10
	calculate_rate_window_total		0+80x10"#;

/// `load` at functions.test:187.
const L187: &str = r#"load 4m
	testcounter_zero_cutoff_total{start="0m"}	0+240x10
	testcounter_zero_cutoff_total{start="1m"}	60+240x10
	testcounter_zero_cutoff_total{start="2m"}	120+240x10
	testcounter_zero_cutoff_total{start="3m"}	180+240x10
	testcounter_zero_cutoff_total{start="4m"}	240+240x10
	testcounter_zero_cutoff_total{start="5m"}	300+240x10"#;

/// `load` at functions.test:218 (native-histogram series left out).
const L218: &str = r#"load 5m
	http_requests_total{path="/foo"}	0+10x10
	http_requests_total{path="/bar"}	0+10x5 0+10x5
	http_requests_nan{}               1 NaN NaN 5 11"#;

/// `load` at functions.test:278 (native-histogram series left out).
const L278: &str = r#"load 5m
	http_requests{path="/foo"}	0 50 100 150 200
	http_requests{path="/bar"}	200 150 100 50 0"#;

/// `load` at functions.test:307 (native-histogram series left out).
const L307: &str = r#"load 5m
	http_requests{path="/foo"}	0 50 100 150
	http_requests{path="/bar"}	0 50 100 50
	http_requests_nan{}         1 NaN NaN 5 11"#;

/// `load` at functions.test:361 (native-histogram series left out).
const L361: &str = r#"load 5m
	testcounter_reset_middle_total	0+10x4 0+10x5
	http_requests_total{job="app-server", instance="1", group="canary"}		0+80x10
	http_requests_inf{job="app-server", instance="1", group="canary"}	-Inf 0+80x10 Inf"#;

/// `load` at functions.test:934 (native-histogram series left out).
const L934: &str = r#"load 10s
  metric 1 2 3 4 5
  metric2 1 2 3 4 Inf
  metric3 1 2 3 4 -Inf
  metric4 1 2 3 Inf -Inf
  metric5 Inf 0 Inf
  metric5b Inf 0 Inf
  metric5c Inf Inf Inf -Inf
  metric6 1 2 3 -Inf -Inf
  metric6b -Inf 0 -Inf
  metric6c -Inf -Inf -Inf Inf
  metric7 1 2 -Inf -Inf Inf
  metric8 9.988465674311579e+307 9.988465674311579e+307
  metric9 -9.988465674311579e+307 -9.988465674311579e+307 -9.988465674311579e+307
  metric10 -9.988465674311579e+307 9.988465674311579e+307
  metric11 1 2 3 NaN NaN"#;

/// `load` at functions.test:1081.
const L1081: &str = r#"load 10s
  metric 1 1e100 1 -1e100"#;

/// `load` at functions.test:1093.
const L1093: &str = r#"load 5s
  metric1 1e10 1e-6 1e-6 1e-6 1e-6 1e-6
  metric2 5.30921651659898 0.961118537914768 1.62091361305318 0.865089463758091 0.323055185914577 0.951811357687154
  metric3 1.78264e50 0.76342771 1.9592258 7.69805412 458.90154
  metric4 0.76342771 1.9592258 7.69805412 1.78264e50 458.90154
  metric5 1.78264E+50 0.76342771 1.9592258 2.258E+220 7.69805412 458.90154"#;

/// `load` at functions.test:1116.
const L1116: &str = r#"load 5s
  metric6 -1.78264E+50 0.76342771 1.9592258 2.258E+220 7.69805412 -458.90154
  metric7 -1.78264E+50 0.76342771 1.9592258 -2.258E+220 7.69805412 -458.90154
  metric8 -1.78264E+215 0.76342771 1.9592258 2.258E+220 7.69805412 -458.90154
  metric9 -1.78264E+215 0.76342771 1.9592258 2.258E+220 7.69805412 1.78264E+215 -458.90154
  metric10 -1.78264E+219 0.76342771 1.9592258 2.3757689E+217 -2.3757689E+217 2.258E+220 7.69805412 1.78264E+219 -458.90154"#;

/// `load` at functions.test:1142.
const L1142: &str = r#"load 5s
  metric11 -2.258E+220 -1.78264E+219 0.76342771 1.9592258 2.3757689E+217 -2.3757689E+217 2.258E+220 7.69805412 1.78264E+219 -458.90154"#;

/// `load` at functions.test:1159.
const L1159: &str = r#"load 10s
  foo 52+0x100"#;

/// `load` at functions.test:1194.
const L1194: &str = r#"load 1ms
  metric 1+0x4000"#;

/// `load` at functions.test:1450 (native-histogram series left out).
const L1450: &str = r#"load 5m"#;

/// `load` at functions.test:1554.
const L1554: &str = r#"load 5m
  testmetric1{src="a",dst="b"} 0
  testmetric2{src="a",dst="b"} 1"#;

/// `load` at functions.test:1564 (native-histogram series left out).
const L1564: &str = r#"load 10s
	data{type="numbers"} 2 0 3
	data{type="some_nan"} 2 0 NaN
	data{type="some_nan2"} 2 NaN 1
	data{type="some_nan3"} NaN 0 1
	data{type="only_nan"} NaN NaN NaN
	data_sparse{type="sparse_numbers"} _ 5 2 _ 4 _
	data_empty{type="empty_series"} _ _ _ _ _ _ _ _ _ _ _ _ _"#;

/// `load` at functions.test:1579 (native-histogram series left out).
const L1579: &str = r#"load 10s"#;

/// `load` at functions.test:1582.
const L1582: &str = r#"load 10s
	data_histogram{type="mix_samples_hfirst"} _ _ 4 1"#;

/// `load` at functions.test:1919 (native-histogram series left out).
const L1919: &str = r#"load 5m
	exp_root_log{l="x"} 10
	exp_root_log{l="y"} 20"#;

/// functions.test:11
#[test]
fn l11_resets_http_requests_5m() {
    case(&[L2], r#"eval instant at 50m resets(http_requests[5m])"#);
}

/// functions.test:13
#[test]
fn l13_resets_http_requests_10m() {
    case(
        &[L2],
        r#"eval instant at 50m resets(http_requests[10m])
	{path="/foo"} 0
	{path="/bar"} 0
	{path="/biz"} 0"#,
    );
}

/// functions.test:18
#[test]
fn l18_resets_http_requests_600() {
    case(
        &[L2],
        r#"eval instant at 50m resets(http_requests[600])
	{path="/foo"} 0
	{path="/bar"} 0
	{path="/biz"} 0"#,
    );
}

/// functions.test:23
#[test]
fn l23_resets_http_requests_20m() {
    case(
        &[L2],
        r#"eval instant at 50m resets(http_requests[20m])
	{path="/foo"} 1
	{path="/bar"} 0
	{path="/biz"} 0"#,
    );
}

/// functions.test:28
#[test]
fn l28_resets_http_requests_30m() {
    case(
        &[L2],
        r#"eval instant at 50m resets(http_requests[30m])
	{path="/foo"} 1
	{path="/bar"} 0
	{path="/biz"} 0"#,
    );
}

/// functions.test:33
#[test]
fn l33_resets_http_requests_32m() {
    case(
        &[L2],
        r#"eval instant at 50m resets(http_requests[32m])
	{path="/foo"} 2
	{path="/bar"} 1
	{path="/biz"} 0"#,
    );
}

/// functions.test:38
#[test]
fn l38_resets_http_requests_50m() {
    case(
        &[L2],
        r#"eval instant at 50m resets(http_requests[50m])
	{path="/foo"} 3
	{path="/bar"} 1
	{path="/biz"} 0"#,
    );
}

/// functions.test:43
#[test]
fn l43_resets_nonexistent_metric_50m() {
    case(
        &[L2],
        r#"eval instant at 50m resets(nonexistent_metric[50m])"#,
    );
}

/// functions.test:58
#[test]
fn l58_changes_http_requests_5m() {
    case(&[L2], r#"eval instant at 50m changes(http_requests[5m])"#);
}

/// functions.test:60
#[test]
fn l60_changes_http_requests_6m() {
    case(
        &[L2],
        r#"eval instant at 50m changes(http_requests[6m])
	{path="/foo"} 0
	{path="/bar"} 0
	{path="/biz"} 0"#,
    );
}

/// functions.test:65
#[test]
fn l65_changes_http_requests_20m() {
    case(
        &[L2],
        r#"eval instant at 50m changes(http_requests[20m])
	{path="/foo"} 2
	{path="/bar"} 2
	{path="/biz"} 0"#,
    );
}

/// functions.test:70
#[test]
fn l70_changes_http_requests_30m() {
    case(
        &[L2],
        r#"eval instant at 50m changes(http_requests[30m])
	{path="/foo"} 3
	{path="/bar"} 4
	{path="/biz"} 0"#,
    );
}

/// functions.test:75
#[test]
fn l75_changes_http_requests_50m() {
    case(
        &[L2],
        r#"eval instant at 50m changes(http_requests[50m])
	{path="/foo"} 7
	{path="/bar"} 8
	{path="/biz"} 1"#,
    );
}

/// functions.test:80
#[test]
fn l80_changes_http_requests_50m() {
    case(
        &[L2],
        r#"eval instant at 50m changes((http_requests[50m]))
	{path="/foo"} 7
	{path="/bar"} 8
	{path="/biz"} 1"#,
    );
}

/// functions.test:85
#[test]
fn l85_changes_nonexistent_metric_50m() {
    case(
        &[L2],
        r#"eval instant at 50m changes(nonexistent_metric[50m])"#,
    );
}

/// functions.test:108
#[test]
fn l108_changes_x_20m() {
    case(
        &[L104],
        r#"eval instant at 15m changes(x[20m])
  {a="b"} 0
  {a="c"} 2"#,
    );
}

/// functions.test:122
#[test]
fn l122_increase_http_requests_total_50m() {
    case(
        &[L115],
        r#"eval instant at 50m increase(http_requests_total[50m])
	{path="/foo"}   100
	{path="/bar"}   160
	{path="/dings"} 100
	{path="/bumms"} 100"#,
    );
}

/// functions.test:135
#[test]
fn l135_increase_http_requests_total_100m() {
    case(
        &[L115],
        r#"eval instant at 50m increase(http_requests_total[100m])
	{path="/foo"}   100
	{path="/bar"}   162
	{path="/dings"} 105
	{path="/bumms"} 101"#,
    );
}

/// functions.test:150
#[test]
fn l150_increase_http_requests_total_30m() {
    case(
        &[L147],
        r#"eval instant at 30m increase(http_requests_total[30m])
    {path="/foo"} 7"#,
    );
}

/// functions.test:161
#[test]
fn l161_rate_testcounter_reset_middle_total_50m() {
    case(
        &[L156],
        r#"eval instant at 50m rate(testcounter_reset_middle_total[50m])
	{} 0.08"#,
    );
}

/// functions.test:165
#[test]
fn l165_rate_testcounter_reset_end_total_5m() {
    case(
        &[L156],
        r#"eval instant at 50m rate(testcounter_reset_end_total[5m])"#,
    );
}

/// functions.test:167
#[test]
fn l167_rate_testcounter_reset_end_total_6m() {
    case(
        &[L156],
        r#"eval instant at 50m rate(testcounter_reset_end_total[6m])
	{} 0"#,
    );
}

/// functions.test:178
#[test]
fn l178_rate_calculate_rate_window_total_50m() {
    case(
        &[L172],
        r#"eval instant at 50m rate(calculate_rate_window_total[50m])
	{} 0.26666666666666666"#,
    );
}

/// functions.test:181
#[test]
fn l181_rate_calculate_rate_offset_total_10m_offset_5m() {
    case(
        &[L172],
        r#"eval instant at 50m rate(calculate_rate_offset_total[10m] offset 5m)
	{x="a"} 0.03333333333333333
	{x="b"} 0.06666666666666667"#,
    );
}

/// functions.test:198
#[test]
fn l198_rate_testcounter_zero_cutoff_total_20m() {
    case(
        &[L187],
        r#"eval instant at 10m rate(testcounter_zero_cutoff_total[20m])
	{start="0m"} 0.5
	{start="1m"} 0.55
	{start="2m"} 0.6
	{start="3m"} 0.6
	{start="4m"} 0.6
	{start="5m"} 0.6"#,
    );
}

/// functions.test:207
#[test]
fn l207_rate_testcounter_zero_cutoff_total_20m() {
    case(
        &[L187],
        r#"eval instant at 50m rate(testcounter_zero_cutoff_total[20m])
	{start="0m"} 0.6
	{start="1m"} 0.6
	{start="2m"} 0.6
	{start="3m"} 0.6
	{start="4m"} 0.6
	{start="5m"} 0.6"#,
    );
}

/// functions.test:230
#[test]
fn l230_irate_http_requests_total_50m() {
    case(
        &[L218],
        r#"eval instant at 50m irate(http_requests_total[50m])
  	expect no_warn
	{path="/foo"} .03333333333333333333
	{path="/bar"} .03333333333333333333"#,
    );
}

/// functions.test:236
#[test]
fn l236_irate_http_requests_total_50m() {
    case(
        &[L218],
        r#"eval instant at 30m irate(http_requests_total[50m])
  	expect no_warn
	{path="/foo"} .03333333333333333333
	{path="/bar"} 0"#,
    );
}

/// functions.test:241
#[test]
fn l241_irate_http_requests_nan_15m1s() {
    case(
        &[L218],
        r#"eval range from 0 to 20m step 5m irate(http_requests_nan[15m1s])
  	expect no_warn
	{} _ NaN NaN NaN 0.02"#,
    );
}

/// functions.test:285
#[test]
fn l285_delta_http_requests_20m() {
    case(
        &[L278],
        r#"eval instant at 20m delta(http_requests[20m])
	expect no_warn
	{path="/foo"} 200
	{path="/bar"} -200"#,
    );
}

/// functions.test:319
#[test]
fn l319_idelta_http_requests_20m() {
    case(
        &[L307],
        r#"eval instant at 20m idelta(http_requests[20m])
	expect no_warn
	{path="/foo"} 50
	{path="/bar"} -50"#,
    );
}

/// functions.test:324
#[test]
fn l324_idelta_http_requests_nan_15m1s() {
    case(
        &[L307],
        r#"eval range from 0 to 20m step 5m idelta(http_requests_nan[15m1s])
	expect no_warn
	{} _ NaN NaN NaN 6"#,
    );
}

/// functions.test:370
#[test]
fn l370_rate_http_requests_total_group_canary_instance_1_job_app_ser() {
    case(
        &[L361],
        r#"eval instant at 50m rate(http_requests_total{group="canary", instance="1", job="app-server"}[50m])
	expect no_info
	{group="canary", instance="1", job="app-server"} 0.26666666666666666"#,
    );
}

/// functions.test:597
#[test]
fn l597_vector_1() {
    case(
        &[],
        r#"eval instant at 0m vector(1)
  {} 1"#,
    );
}

/// functions.test:600
#[test]
fn l600_vector_time() {
    case(
        &[],
        r#"eval instant at 0s vector(time())
  {} 0"#,
    );
}

/// functions.test:603
#[test]
fn l603_vector_time() {
    case(
        &[],
        r#"eval instant at 5s vector(time())
  {} 5"#,
    );
}

/// functions.test:606
#[test]
fn l606_vector_time() {
    case(
        &[],
        r#"eval instant at 60m vector(time())
  {} 3600"#,
    );
}

/// functions.test:967
#[test]
fn l967_avg_over_time_metric2_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric2[1m])
  {} Inf"#,
    );
}

/// functions.test:970
#[test]
fn l970_sum_over_time_metric2_1m_count_over_time_metric2_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric2[1m])/count_over_time(metric2[1m])
  {} Inf"#,
    );
}

/// functions.test:973
#[test]
fn l973_avg_over_time_metric3_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric3[1m])
  {} -Inf"#,
    );
}

/// functions.test:976
#[test]
fn l976_sum_over_time_metric3_1m_count_over_time_metric3_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric3[1m])/count_over_time(metric3[1m])
  {} -Inf"#,
    );
}

/// functions.test:979
#[test]
fn l979_avg_over_time_metric4_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric4[1m])
  {} NaN"#,
    );
}

/// functions.test:982
#[test]
fn l982_sum_over_time_metric4_1m_count_over_time_metric4_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric4[1m])/count_over_time(metric4[1m])
  {} NaN"#,
    );
}

/// functions.test:985
#[test]
fn l985_avg_over_time_metric5_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric5[1m])
  {} Inf"#,
    );
}

/// functions.test:988
#[test]
fn l988_sum_over_time_metric5_1m_count_over_time_metric5_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric5[1m])/count_over_time(metric5[1m])
  {} Inf"#,
    );
}

/// functions.test:991
#[test]
fn l991_avg_over_time_metric5b_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric5b[1m])
  {} Inf"#,
    );
}

/// functions.test:994
#[test]
fn l994_sum_over_time_metric5b_1m_count_over_time_metric5b_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric5b[1m])/count_over_time(metric5b[1m])
  {} Inf"#,
    );
}

/// functions.test:997
#[test]
fn l997_avg_over_time_metric5c_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric5c[1m])
  {} NaN"#,
    );
}

/// functions.test:1000
#[test]
fn l1000_sum_over_time_metric5c_1m_count_over_time_metric5c_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric5c[1m])/count_over_time(metric5c[1m])
  {} NaN"#,
    );
}

/// functions.test:1003
#[test]
fn l1003_avg_over_time_metric6_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric6[1m])
  {} -Inf"#,
    );
}

/// functions.test:1006
#[test]
fn l1006_sum_over_time_metric6_1m_count_over_time_metric6_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric6[1m])/count_over_time(metric6[1m])
  {} -Inf"#,
    );
}

/// functions.test:1009
#[test]
fn l1009_avg_over_time_metric6b_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric6b[1m])
  {} -Inf"#,
    );
}

/// functions.test:1012
#[test]
fn l1012_sum_over_time_metric6b_1m_count_over_time_metric6b_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric6b[1m])/count_over_time(metric6b[1m])
  {} -Inf"#,
    );
}

/// functions.test:1015
#[test]
fn l1015_avg_over_time_metric6c_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric6c[1m])
  {} NaN"#,
    );
}

/// functions.test:1018
#[test]
fn l1018_sum_over_time_metric6c_1m_count_over_time_metric6c_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric6c[1m])/count_over_time(metric6c[1m])
  {} NaN"#,
    );
}

/// functions.test:1021
#[test]
fn l1021_avg_over_time_metric7_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric7[1m])
  {} NaN"#,
    );
}

/// functions.test:1024
#[test]
fn l1024_sum_over_time_metric7_1m_count_over_time_metric7_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric7[1m])/count_over_time(metric7[1m])
  {} NaN"#,
    );
}

/// functions.test:1027
#[test]
fn l1027_avg_over_time_metric8_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric8[1m])
  {} 9.988465674311579e+307"#,
    );
}

/// functions.test:1031
#[test]
fn l1031_sum_over_time_metric8_1m_count_over_time_metric8_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric8[1m])/count_over_time(metric8[1m])
  {} +Inf"#,
    );
}

/// functions.test:1034
#[test]
fn l1034_avg_over_time_metric9_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric9[1m])
  {} -9.988465674311579e+307"#,
    );
}

/// functions.test:1038
#[test]
fn l1038_sum_over_time_metric9_1m_count_over_time_metric9_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric9[1m])/count_over_time(metric9[1m])
  {} -Inf"#,
    );
}

/// functions.test:1041
#[test]
fn l1041_avg_over_time_metric10_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric10[1m])
  {} 0"#,
    );
}

/// functions.test:1044
#[test]
fn l1044_sum_over_time_metric10_1m_count_over_time_metric10_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric10[1m])/count_over_time(metric10[1m])
  {} 0"#,
    );
}

/// functions.test:1048
#[test]
fn l1048_avg_over_time_metric11_1m() {
    case(
        &[L934],
        r#"eval instant at 20s avg_over_time(metric11[1m])
  {} 2"#,
    );
}

/// functions.test:1051
#[test]
fn l1051_avg_over_time_metric11_1m() {
    case(
        &[L934],
        r#"eval instant at 30s avg_over_time(metric11[1m])
  {} NaN"#,
    );
}

/// functions.test:1054
#[test]
fn l1054_avg_over_time_metric11_1m() {
    case(
        &[L934],
        r#"eval instant at 55s avg_over_time(metric11[1m])
  {} NaN"#,
    );
}

/// functions.test:1057
#[test]
fn l1057_sum_over_time_metric11_1m_count_over_time_metric11_1m() {
    case(
        &[L934],
        r#"eval instant at 55s sum_over_time(metric11[1m])/count_over_time(metric11[1m])
  {} NaN"#,
    );
}

/// functions.test:1084
#[test]
fn l1084_sum_over_time_metric_2m() {
    case(
        &[L1081],
        r#"eval instant at 1m sum_over_time(metric[2m])
  {} 2"#,
    );
}

/// functions.test:1087
#[test]
fn l1087_avg_over_time_metric_2m() {
    case(
        &[L1081],
        r#"eval instant at 1m avg_over_time(metric[2m])
  {} 0.5"#,
    );
}

/// functions.test:1100
#[test]
fn l1100_avg_over_time_metric1_1m() {
    case(
        &[L1093],
        r#"eval instant at 55s avg_over_time(metric1[1m])
  {} 1.6666666666666675e+09"#,
    );
}

/// functions.test:1103
#[test]
fn l1103_avg_over_time_metric2_1m() {
    case(
        &[L1093],
        r#"eval instant at 55s avg_over_time(metric2[1m])
  {} 1.67186744582113"#,
    );
}

/// functions.test:1106
#[test]
fn l1106_avg_over_time_metric3_1m() {
    case(
        &[L1093],
        r#"eval instant at 55s avg_over_time(metric3[1m])
  {} 3.56528E+49"#,
    );
}

/// functions.test:1109
#[test]
fn l1109_avg_over_time_metric4_1m() {
    case(
        &[L1093],
        r#"eval instant at 55s avg_over_time(metric4[1m])
  {} 3.56528E+49"#,
    );
}

/// functions.test:1112
#[test]
fn l1112_avg_over_time_metric5_1m() {
    case(
        &[L1093],
        r#"eval instant at 55s avg_over_time(metric5[1m])
  {} 3.76333333333333E+219"#,
    );
}

/// functions.test:1123
#[test]
fn l1123_avg_over_time_metric6_1m() {
    case(
        &[L1093, L1116],
        r#"eval instant at 55s avg_over_time(metric6[1m])
  {} 3.76333333333333E+219"#,
    );
}

/// functions.test:1126
#[test]
fn l1126_avg_over_time_metric7_1m() {
    case(
        &[L1093, L1116],
        r#"eval instant at 55s avg_over_time(metric7[1m])
  {} -3.76333333333333E+219"#,
    );
}

/// functions.test:1129
#[test]
fn l1129_avg_over_time_metric8_1m() {
    case(
        &[L1093, L1116],
        r#"eval instant at 55s avg_over_time(metric8[1m])
  {} 3.76330362266667E+219"#,
    );
}

/// functions.test:1132
#[test]
fn l1132_avg_over_time_metric9_1m() {
    case(
        &[L1093, L1116],
        r#"eval instant at 55s avg_over_time(metric9[1m])
  {} 3.225714285714286e+219"#,
    );
}

/// functions.test:1135
#[test]
fn l1135_avg_over_time_metric10_1m() {
    case(
        &[L1093, L1116],
        r#"eval instant at 55s avg_over_time(metric10[1m])
  {} 2.5088888888888888e+219"#,
    );
}

/// functions.test:1149
#[test]
fn l1149_avg_over_time_metric11_1m() {
    case(
        &[L1093, L1116, L1142],
        r#"eval instant at 55s avg_over_time(metric11[1m])
  {} 0"#,
    );
}

/// functions.test:1162
#[test]
fn l1162_avg_over_time_foo_100s_52() {
    case(
        &[L1159],
        r#"eval instant at 10m avg_over_time(foo[100s]) - 52
  {} 0"#,
    );
}

/// functions.test:1165
#[test]
fn l1165_avg_over_time_foo_110s_52() {
    case(
        &[L1159],
        r#"eval instant at 10m avg_over_time(foo[110s]) - 52
  {} 0"#,
    );
}

/// functions.test:1168
#[test]
fn l1168_avg_over_time_foo_120s_52() {
    case(
        &[L1159],
        r#"eval instant at 10m avg_over_time(foo[120s]) - 52
  {} 0"#,
    );
}

/// functions.test:1171
#[test]
fn l1171_avg_over_time_foo_130s_52() {
    case(
        &[L1159],
        r#"eval instant at 10m avg_over_time(foo[130s]) - 52
  {} 0"#,
    );
}

/// functions.test:1180
#[test]
fn l1180_avg_over_time_foo_100s_52() {
    case(
        &[L1159],
        r#"eval instant at 10m avg_over_time(foo[100s]) == 52
  {} 52"#,
    );
}

/// functions.test:1183
#[test]
fn l1183_avg_over_time_foo_110s_52() {
    case(
        &[L1159],
        r#"eval instant at 10m avg_over_time(foo[110s]) == 52
  {} 52"#,
    );
}

/// functions.test:1186
#[test]
fn l1186_avg_over_time_foo_120s_52() {
    case(
        &[L1159],
        r#"eval instant at 10m avg_over_time(foo[120s]) == 52
  {} 52"#,
    );
}

/// functions.test:1189
#[test]
fn l1189_avg_over_time_foo_130s_52() {
    case(
        &[L1159],
        r#"eval instant at 10m avg_over_time(foo[130s]) == 52
  {} 52"#,
    );
}

/// functions.test:1197
#[test]
fn l1197_sum_over_time_metric_1000ms() {
    case(
        &[L1194],
        r#"eval instant at 4s sum_over_time(metric[1000ms])
  {} 1000"#,
    );
}

/// functions.test:1200
#[test]
fn l1200_sum_over_time_metric_1001ms() {
    case(
        &[L1194],
        r#"eval instant at 4s sum_over_time(metric[1001ms])
  {} 1001"#,
    );
}

/// functions.test:1203
#[test]
fn l1203_sum_over_time_metric_1002ms() {
    case(
        &[L1194],
        r#"eval instant at 4s sum_over_time(metric[1002ms])
  {} 1002"#,
    );
}

/// functions.test:1206
#[test]
fn l1206_sum_over_time_metric_1003ms() {
    case(
        &[L1194],
        r#"eval instant at 4s sum_over_time(metric[1003ms])
  {} 1003"#,
    );
}

/// functions.test:1209
#[test]
fn l1209_sum_over_time_metric_2000ms() {
    case(
        &[L1194],
        r#"eval instant at 4s sum_over_time(metric[2000ms])
  {} 2000"#,
    );
}

/// functions.test:1212
#[test]
fn l1212_sum_over_time_metric_2001ms() {
    case(
        &[L1194],
        r#"eval instant at 4s sum_over_time(metric[2001ms])
  {} 2001"#,
    );
}

/// functions.test:1215
#[test]
fn l1215_sum_over_time_metric_2002ms() {
    case(
        &[L1194],
        r#"eval instant at 4s sum_over_time(metric[2002ms])
  {} 2002"#,
    );
}

/// functions.test:1218
#[test]
fn l1218_sum_over_time_metric_2003ms() {
    case(
        &[L1194],
        r#"eval instant at 4s sum_over_time(metric[2003ms])
  {} 2003"#,
    );
}

/// functions.test:1221
#[test]
fn l1221_sum_over_time_metric_3000ms() {
    case(
        &[L1194],
        r#"eval instant at 4s sum_over_time(metric[3000ms])
  {} 3000"#,
    );
}

/// functions.test:1224
#[test]
fn l1224_sum_over_time_metric_3001ms() {
    case(
        &[L1194],
        r#"eval instant at 4s sum_over_time(metric[3001ms])
  {} 3001"#,
    );
}

/// functions.test:1227
#[test]
fn l1227_sum_over_time_metric_3002ms() {
    case(
        &[L1194],
        r#"eval instant at 4s sum_over_time(metric[3002ms])
  {} 3002"#,
    );
}

/// functions.test:1230
#[test]
fn l1230_sum_over_time_metric_3003ms() {
    case(
        &[L1194],
        r#"eval instant at 4s sum_over_time(metric[3003ms])
  {} 3003"#,
    );
}

/// functions.test:1456
#[test]
fn l1456_time() {
    case(
        &[L1450],
        r#"eval instant at 1ms time()
  0.001"#,
    );
}

/// functions.test:1459
#[test]
fn l1459_time() {
    case(
        &[L1450],
        r#"eval instant at 50m time()
  3000"#,
    );
}

/// functions.test:1558
#[test]
fn l1558_changes_name_testmetric1_testmetric2_5m() {
    case(
        &[L1554],
        r#"eval instant at 0m changes({__name__=~'testmetric1|testmetric2'}[5m])
	expect fail"#,
    );
}

/// functions.test:1585
#[test]
fn l1585_min_over_time_data_2m() {
    case(
        &[L1564, L1579, L1582],
        r#"eval instant at 1m min_over_time(data[2m])
	expect no_info
	{type="numbers"} 0
	{type="some_nan"} 0
	{type="some_nan2"} 1
	{type="some_nan3"} 0
	{type="only_nan"} NaN"#,
    );
}

/// functions.test:1602
#[test]
fn l1602_min_over_time_data_sparse_2m() {
    case(
        &[L1564, L1579, L1582],
        r#"eval instant at 1m min_over_time(data_sparse[2m])
	{type="sparse_numbers"} 2"#,
    );
}

/// functions.test:1605
#[test]
fn l1605_max_over_time_data_2m() {
    case(
        &[L1564, L1579, L1582],
        r#"eval instant at 1m max_over_time(data[2m])
	expect no_info
	{type="numbers"} 3
	{type="some_nan"} 2
	{type="some_nan2"} 2
	{type="some_nan3"} 1
	{type="only_nan"} NaN"#,
    );
}

/// functions.test:1622
#[test]
fn l1622_max_over_time_data_sparse_2m() {
    case(
        &[L1564, L1579, L1582],
        r#"eval instant at 1m max_over_time(data_sparse[2m])
	{type="sparse_numbers"} 5"#,
    );
}

/// functions.test:1924
#[test]
fn l1924_exp_exp_root_log() {
    case(
        &[L1919],
        r#"eval instant at 1m exp(exp_root_log)
	{l="x"} 22026.465794806718
	{l="y"} 485165195.4097903"#,
    );
}

/// functions.test:1932
#[test]
fn l1932_exp_exp_root_log_10() {
    case(
        &[L1919],
        r#"eval instant at 1m exp(exp_root_log - 10)
	{l="y"} 22026.465794806718
	{l="x"} 1"#,
    );
}

/// functions.test:1936
#[test]
fn l1936_exp_exp_root_log_20() {
    case(
        &[L1919],
        r#"eval instant at 1m exp(exp_root_log - 20)
	{l="x"} 4.5399929762484854e-05
	{l="y"} 1"#,
    );
}

/// functions.test:1940
#[test]
fn l1940_ln_exp_root_log() {
    case(
        &[L1919],
        r#"eval instant at 1m ln(exp_root_log)
	{l="x"} 2.302585092994046
	{l="y"} 2.995732273553991"#,
    );
}

/// functions.test:1948
#[test]
fn l1948_ln_exp_root_log_10() {
    case(
        &[L1919],
        r#"eval instant at 1m ln(exp_root_log - 10)
	{l="y"} 2.302585092994046
	{l="x"} -Inf"#,
    );
}

/// functions.test:1952
#[test]
fn l1952_ln_exp_root_log_20() {
    case(
        &[L1919],
        r#"eval instant at 1m ln(exp_root_log - 20)
	{l="y"} -Inf
	{l="x"} NaN"#,
    );
}

/// functions.test:1956
#[test]
fn l1956_exp_ln_exp_root_log() {
    case(
        &[L1919],
        r#"eval instant at 1m exp(ln(exp_root_log))
	{l="y"} 20
	{l="x"} 10"#,
    );
}

/// functions.test:1964
#[test]
fn l1964_sqrt_exp_root_log() {
    case(
        &[L1919],
        r#"eval instant at 1m sqrt(exp_root_log)
	{l="x"} 3.1622776601683795
	{l="y"} 4.47213595499958"#,
    );
}

/// functions.test:1972
#[test]
fn l1972_log2_exp_root_log() {
    case(
        &[L1919],
        r#"eval instant at 1m log2(exp_root_log)
	{l="x"} 3.3219280948873626
	{l="y"} 4.321928094887363"#,
    );
}

/// functions.test:1980
#[test]
fn l1980_log2_exp_root_log_10() {
    case(
        &[L1919],
        r#"eval instant at 1m log2(exp_root_log - 10)
	{l="y"} 3.3219280948873626
	{l="x"} -Inf"#,
    );
}

/// functions.test:1984
#[test]
fn l1984_log2_exp_root_log_20() {
    case(
        &[L1919],
        r#"eval instant at 1m log2(exp_root_log - 20)
	{l="x"} NaN
	{l="y"} -Inf"#,
    );
}

/// functions.test:1988
#[test]
fn l1988_log10_exp_root_log() {
    case(
        &[L1919],
        r#"eval instant at 1m log10(exp_root_log)
	{l="x"} 1
	{l="y"} 1.301029995663981"#,
    );
}

/// functions.test:1996
#[test]
fn l1996_log10_exp_root_log_10() {
    case(
        &[L1919],
        r#"eval instant at 1m log10(exp_root_log - 10)
	{l="y"} 1
	{l="x"} -Inf"#,
    );
}

/// functions.test:2000
#[test]
fn l2000_log10_exp_root_log_20() {
    case(
        &[L1919],
        r#"eval instant at 1m log10(exp_root_log - 20)
	{l="x"} NaN
	{l="y"} -Inf"#,
    );
}
