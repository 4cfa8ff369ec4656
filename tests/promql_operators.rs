//! Cases ported from Prometheus's `promql/promqltest/testdata/operators.test`
//! (prometheus/prometheus at d15adb9ad7e5), run with [`scalesim::promql::promqltest`].
//!
//! One test per upstream `eval`, named `l<line>_<query>` after its line in the upstream file,
//! with the `load` commands in force there (`L<line>` constants, copied verbatim except that
//! native-histogram series are left out). Ported: every `eval` over float data whose query
//! is in scalesim's subset and that does not assert a warn/info annotation
//! (138 of the file's 214).

use scalesim::promql::promqltest::run;

/// Runs the loads, then the eval; panics with the runner's message on a mismatch.
fn case(loads: &[&str], eval: &str) {
    let script = format!("{}\n\n{eval}\n", loads.join("\n\n"));
    if let Err(e) = run(&script) {
        panic!("{e}");
    }
}

/// `load` at operators.test:1 (native-histogram series left out).
const L1: &str = r#"load 5m
	http_requests_total{job="api-server", instance="0", group="production"}	0+10x10
	http_requests_total{job="api-server", instance="1", group="production"}	0+20x10
	http_requests_total{job="api-server", instance="0", group="canary"}	0+30x10
	http_requests_total{job="api-server", instance="1", group="canary"}	0+40x10
	http_requests_total{job="app-server", instance="0", group="production"}	0+50x10
	http_requests_total{job="app-server", instance="1", group="production"}	0+60x10
	http_requests_total{job="app-server", instance="0", group="canary"}	0+70x10
	http_requests_total{job="app-server", instance="1", group="canary"}	0+80x10"#;

/// `load` at operators.test:12.
const L12: &str = r#"load 5m
	vector_matching_a{l="x"} 0+1x100
	vector_matching_a{l="y"} 0+2x50
	vector_matching_b{l="x"} 0+4x25"#;

/// `load` at operators.test:323.
const L323: &str = r#"load 5m
  many_side{label="foo",job="test"} 0
  many_side{label="bar",job="test"} 1
  one_side{job="test"} 1"#;

/// `load` at operators.test:344.
const L344: &str = r#"load 5m
  node_var{instance="abc",job="node"} 2
  node_role{instance="abc",job="node",role="prometheus"} 1"#;

/// `load` at operators.test:348.
const L348: &str = r#"load 5m
  node_cpu{instance="abc",job="node",mode="idle"} 3
  node_cpu{instance="abc",job="node",mode="user"} 1
  node_cpu{instance="def",job="node",mode="idle"} 8
  node_cpu{instance="def",job="node",mode="user"} 2"#;

/// `load` at operators.test:354.
const L354: &str = r#"load 5m
  random{foo="bar"} 1"#;

/// `load` at operators.test:357.
const L357: &str = r#"load 5m
  threshold{instance="abc",job="node",target="a@b.com"} 0"#;

/// `load` at operators.test:479.
const L479: &str = r#"load 5m
  random{foo="bar"} 2
  metricA{baz="meh"} 3
  metricB{baz="meh"} 4"#;

/// `load` at operators.test:498.
const L498: &str = r#"load 5m
  testmetric1{src="a",dst="b"} 0
  testmetric2{src="a",dst="b"} 1"#;

/// `load` at operators.test:507.
const L507: &str = r#"load 5m
    test_total{instance="localhost"} 50
    test_smaller{instance="localhost"} 10"#;

/// `load` at operators.test:545 (native-histogram series left out).
const L545: &str = r#"load 6m
  left_floats  1 2 _ _ 3 stale 4  5  NaN Inf -Inf
  right_floats 4 _ _ 5 3 7     -1 20 NaN Inf -Inf
  right_floats_for_histograms 0 -1 2 3 4"#;

/// `load` at operators.test:987.
const L987: &str = r#"load 20m
  http_requests{job="api"} 2 _
  http_errors{job="api"} _ 4"#;

/// `load` at operators.test:1002.
const L1002: &str = r#"load 1m
  http_requests{job="api"} 1
  http_errors{job="api"} 2"#;

/// `load` at operators.test:1011.
const L1011: &str = r#"load 10m
    metric_a   1  _
    metric_b   3  4"#;

/// `load` at operators.test:1022.
const L1022: &str = r#"load 5m
  dup_metric{label="alpha"} 1
  dup_metric{label="beta"}  2
  scalar_metric{} 3"#;

/// operators.test:18
#[test]
fn l18_sum_http_requests_total_by_job_count_http_requests_total_by() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) - COUNT(http_requests_total) BY (job)
	{job="api-server"} 996
	{job="app-server"} 2596"#,
    );
}

/// operators.test:22
#[test]
fn l22_2_sum_http_requests_total_by_job() {
    case(
        &[L1, L12],
        r#"eval instant at 50m 2 - SUM(http_requests_total) BY (job)
	{job="api-server"} -998
	{job="app-server"} -2598"#,
    );
}

/// operators.test:26
#[test]
fn l26_http_requests_total_job_api_server_instance_0_group_producti() {
    case(
        &[L1, L12],
        r#"eval instant at 50m -http_requests_total{job="api-server",instance="0",group="production"}
  {job="api-server",instance="0",group="production"} -100"#,
    );
}

/// operators.test:29
#[test]
fn l29_http_requests_total_job_api_server_instance_0_group_producti() {
    case(
        &[L1, L12],
        r#"eval instant at 50m +http_requests_total{job="api-server",instance="0",group="production"}
  http_requests_total{job="api-server",instance="0",group="production"} 100"#,
    );
}

/// operators.test:32
#[test]
fn l32_sum_http_requests_total_by_job() {
    case(
        &[L1, L12],
        r#"eval instant at 50m - - - SUM(http_requests_total) BY (job)
	{job="api-server"} -1000
	{job="app-server"} -2600"#,
    );
}

/// operators.test:36
#[test]
fn l36_1() {
    case(
        &[L1, L12],
        r#"eval instant at 50m - - - 1
  -1"#,
    );
}

/// operators.test:39
#[test]
fn l39_2_1_3() {
    case(
        &[L1, L12],
        r#"eval instant at 50m -2^---1*3
  -1.5"#,
    );
}

/// operators.test:42
#[test]
fn l42_2_2_1_3_2() {
    case(
        &[L1, L12],
        r#"eval instant at 50m 2/-2^---1*3+2
  -10"#,
    );
}

/// operators.test:45
#[test]
fn l45_10_3_sum_http_requests_total_by_job_1() {
    case(
        &[L1, L12],
        r#"eval instant at 50m -10^3 * - SUM(http_requests_total) BY (job) ^ -1
	{job="api-server"} 1
	{job="app-server"} 0.38461538461538464"#,
    );
}

/// operators.test:49
#[test]
fn l49_1000_sum_http_requests_total_by_job() {
    case(
        &[L1, L12],
        r#"eval instant at 50m 1000 / SUM(http_requests_total) BY (job)
	{job="api-server"} 1
	{job="app-server"} 0.38461538461538464"#,
    );
}

/// operators.test:53
#[test]
fn l53_sum_http_requests_total_by_job_2() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) - 2
	{job="api-server"} 998
	{job="app-server"} 2598"#,
    );
}

/// operators.test:57
#[test]
fn l57_sum_http_requests_total_by_job_3() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) % 3
	{job="api-server"} 1
	{job="app-server"} 2"#,
    );
}

/// operators.test:61
#[test]
fn l61_sum_http_requests_total_by_job_0_3() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) % 0.3
	{job="api-server"} 0.1
	{job="app-server"} 0.2"#,
    );
}

/// operators.test:65
#[test]
fn l65_sum_http_requests_total_by_job_2() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) ^ 2
	{job="api-server"} 1000000
	{job="app-server"} 6760000"#,
    );
}

/// operators.test:69
#[test]
fn l69_sum_http_requests_total_by_job_3_2() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) % 3 ^ 2
	{job="api-server"} 1
	{job="app-server"} 8"#,
    );
}

/// operators.test:73
#[test]
fn l73_sum_http_requests_total_by_job_2_3_2() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) % 2 ^ (3 ^ 2)
	{job="api-server"} 488
	{job="app-server"} 40"#,
    );
}

/// operators.test:77
#[test]
fn l77_sum_http_requests_total_by_job_2_3_2() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) % 2 ^ 3 ^ 2
	{job="api-server"} 488
	{job="app-server"} 40"#,
    );
}

/// operators.test:81
#[test]
fn l81_sum_http_requests_total_by_job_2_3_2_2() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) % 2 ^ 3 ^ 2 ^ 2
	{job="api-server"} 1000
	{job="app-server"} 2600"#,
    );
}

/// operators.test:85
#[test]
fn l85_count_http_requests_total_by_job_count_http_requests_total_b() {
    case(
        &[L1, L12],
        r#"eval instant at 50m COUNT(http_requests_total) BY (job) ^ COUNT(http_requests_total) BY (job)
	{job="api-server"} 256
	{job="app-server"} 256"#,
    );
}

/// operators.test:89
#[test]
fn l89_sum_http_requests_total_by_job_0() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) / 0
	{job="api-server"} +Inf
	{job="app-server"} +Inf"#,
    );
}

/// operators.test:93
#[test]
fn l93_http_requests_total_group_canary_instance_0_job_api_server_0() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total{group="canary", instance="0", job="api-server"} / 0
	{group="canary", instance="0", job="api-server"} +Inf"#,
    );
}

/// operators.test:96
#[test]
fn l96_1_http_requests_total_group_canary_instance_0_job_api_server() {
    case(
        &[L1, L12],
        r#"eval instant at 50m -1 * http_requests_total{group="canary", instance="0", job="api-server"} / 0
	{group="canary", instance="0", job="api-server"} -Inf"#,
    );
}

/// operators.test:99
#[test]
fn l99_0_http_requests_total_group_canary_instance_0_job_api_server() {
    case(
        &[L1, L12],
        r#"eval instant at 50m 0 * http_requests_total{group="canary", instance="0", job="api-server"} / 0
	{group="canary", instance="0", job="api-server"} NaN"#,
    );
}

/// operators.test:102
#[test]
fn l102_0_http_requests_total_group_canary_instance_0_job_api_server() {
    case(
        &[L1, L12],
        r#"eval instant at 50m 0 * http_requests_total{group="canary", instance="0", job="api-server"} % 0
	{group="canary", instance="0", job="api-server"} NaN"#,
    );
}

/// operators.test:105
#[test]
fn l105_sum_http_requests_total_by_job_sum_http_requests_total_by_jo() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) + SUM(http_requests_total) BY (job)
	{job="api-server"} 2000
	{job="app-server"} 5200"#,
    );
}

/// operators.test:109
#[test]
fn l109_sum_http_requests_total_by_job_sum_http_requests_total_by_jo() {
    case(
        &[L1, L12],
        r#"eval instant at 50m (SUM((http_requests_total)) BY (job)) + SUM(http_requests_total) BY (job)
	{job="api-server"} 2000
	{job="app-server"} 5200"#,
    );
}

/// operators.test:113
#[test]
fn l113_http_requests_total_job_api_server_group_canary() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total{job="api-server", group="canary"}
	http_requests_total{group="canary", instance="0", job="api-server"} 300
	http_requests_total{group="canary", instance="1", job="api-server"} 400"#,
    );
}

/// operators.test:117
#[test]
fn l117_http_requests_total_job_api_server_group_canary_rate_http_re() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total{job="api-server", group="canary"} + rate(http_requests_total{job="api-server"}[10m]) * 5 * 60
	{group="canary", instance="0", job="api-server"} 330
	{group="canary", instance="1", job="api-server"} 440"#,
    );
}

/// operators.test:121
#[test]
fn l121_rate_http_requests_total_25m_25_60() {
    case(
        &[L1, L12],
        r#"eval instant at 50m rate(http_requests_total[25m]) * 25 * 60
  {group="canary", instance="0", job="api-server"} 150
  {group="canary", instance="0", job="app-server"} 350
  {group="canary", instance="1", job="api-server"} 200
  {group="canary", instance="1", job="app-server"} 400
  {group="production", instance="0", job="api-server"} 50
  {group="production", instance="0", job="app-server"} 249.99999999999997
  {group="production", instance="1", job="api-server"} 100
  {group="production", instance="1", job="app-server"} 300"#,
    );
}

/// operators.test:131
#[test]
fn l131_rate_http_requests_total_25m_25_60() {
    case(
        &[L1, L12],
        r#"eval instant at 50m (rate((http_requests_total[25m])) * 25) * 60
  {group="canary", instance="0", job="api-server"} 150
  {group="canary", instance="0", job="app-server"} 350
  {group="canary", instance="1", job="api-server"} 200
  {group="canary", instance="1", job="app-server"} 400
  {group="production", instance="0", job="api-server"} 50
  {group="production", instance="0", job="app-server"} 249.99999999999997
  {group="production", instance="1", job="api-server"} 100
  {group="production", instance="1", job="app-server"} 300"#,
    );
}

/// operators.test:142
#[test]
fn l142_http_requests_total_group_canary_and_http_requests_total_ins() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total{group="canary"} and http_requests_total{instance="0"}
	http_requests_total{group="canary", instance="0", job="api-server"} 300
	http_requests_total{group="canary", instance="0", job="app-server"} 700"#,
    );
}

/// operators.test:146
#[test]
fn l146_http_requests_total_group_canary_1_and_http_requests_total_i() {
    case(
        &[L1, L12],
        r#"eval instant at 50m (http_requests_total{group="canary"} + 1) and http_requests_total{instance="0"}
	{group="canary", instance="0", job="api-server"} 301
	{group="canary", instance="0", job="app-server"} 701"#,
    );
}

/// operators.test:150
#[test]
fn l150_http_requests_total_group_canary_1_and_on_instance_job_http() {
    case(
        &[L1, L12],
        r#"eval instant at 50m (http_requests_total{group="canary"} + 1) and on(instance, job) http_requests_total{instance="0", group="production"}
	{group="canary", instance="0", job="api-server"} 301
	{group="canary", instance="0", job="app-server"} 701"#,
    );
}

/// operators.test:154
#[test]
fn l154_http_requests_total_group_canary_1_and_on_instance_http_requ() {
    case(
        &[L1, L12],
        r#"eval instant at 50m (http_requests_total{group="canary"} + 1) and on(instance) http_requests_total{instance="0", group="production"}
	{group="canary", instance="0", job="api-server"} 301
	{group="canary", instance="0", job="app-server"} 701"#,
    );
}

/// operators.test:158
#[test]
fn l158_http_requests_total_group_canary_1_and_ignoring_group_http_r() {
    case(
        &[L1, L12],
        r#"eval instant at 50m (http_requests_total{group="canary"} + 1) and ignoring(group) http_requests_total{instance="0", group="production"}
	{group="canary", instance="0", job="api-server"} 301
	{group="canary", instance="0", job="app-server"} 701"#,
    );
}

/// operators.test:162
#[test]
fn l162_http_requests_total_group_canary_1_and_ignoring_group_job_ht() {
    case(
        &[L1, L12],
        r#"eval instant at 50m (http_requests_total{group="canary"} + 1) and ignoring(group, job) http_requests_total{instance="0", group="production"}
	{group="canary", instance="0", job="api-server"} 301
	{group="canary", instance="0", job="app-server"} 701"#,
    );
}

/// operators.test:166
#[test]
fn l166_http_requests_total_group_canary_or_http_requests_total_grou() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total{group="canary"} or http_requests_total{group="production"}
	http_requests_total{group="canary", instance="0", job="api-server"} 300
	http_requests_total{group="canary", instance="0", job="app-server"} 700
	http_requests_total{group="canary", instance="1", job="api-server"} 400
	http_requests_total{group="canary", instance="1", job="app-server"} 800
	http_requests_total{group="production", instance="0", job="api-server"} 100
	http_requests_total{group="production", instance="0", job="app-server"} 500
	http_requests_total{group="production", instance="1", job="api-server"} 200
	http_requests_total{group="production", instance="1", job="app-server"} 600"#,
    );
}

/// operators.test:177
#[test]
fn l177_http_requests_total_group_canary_1_or_http_requests_total_in() {
    case(
        &[L1, L12],
        r#"eval instant at 50m (http_requests_total{group="canary"} + 1) or http_requests_total{instance="1"}
	{group="canary", instance="0", job="api-server"} 301
	{group="canary", instance="0", job="app-server"} 701
	{group="canary", instance="1", job="api-server"} 401
	{group="canary", instance="1", job="app-server"} 801
	http_requests_total{group="production", instance="1", job="api-server"} 200
	http_requests_total{group="production", instance="1", job="app-server"} 600"#,
    );
}

/// operators.test:188
#[test]
fn l188_http_requests_total_group_canary_1_or_on_instance_http_reque() {
    case(
        &[L1, L12],
        r#"eval instant at 50m (http_requests_total{group="canary"} + 1) or on(instance) (http_requests_total or cpu_count or vector_matching_a)
	{group="canary", instance="0", job="api-server"} 301
	{group="canary", instance="0", job="app-server"} 701
	{group="canary", instance="1", job="api-server"} 401
	{group="canary", instance="1", job="app-server"} 801
	vector_matching_a{l="x"} 10
	vector_matching_a{l="y"} 20"#,
    );
}

/// operators.test:196
#[test]
fn l196_http_requests_total_group_canary_1_or_ignoring_l_group_job_h() {
    case(
        &[L1, L12],
        r#"eval instant at 50m (http_requests_total{group="canary"} + 1) or ignoring(l, group, job) (http_requests_total or cpu_count or vector_matching_a)
	{group="canary", instance="0", job="api-server"} 301
	{group="canary", instance="0", job="app-server"} 701
	{group="canary", instance="1", job="api-server"} 401
	{group="canary", instance="1", job="app-server"} 801
	vector_matching_a{l="x"} 10
	vector_matching_a{l="y"} 20"#,
    );
}

/// operators.test:204
#[test]
fn l204_http_requests_total_group_canary_unless_http_requests_total() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total{group="canary"} unless http_requests_total{instance="0"}
	http_requests_total{group="canary", instance="1", job="api-server"} 400
	http_requests_total{group="canary", instance="1", job="app-server"} 800"#,
    );
}

/// operators.test:208
#[test]
fn l208_http_requests_total_group_canary_unless_on_job_http_requests() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total{group="canary"} unless on(job) http_requests_total{instance="0"}"#,
    );
}

/// operators.test:210
#[test]
fn l210_http_requests_total_group_canary_unless_on_job_instance_http() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total{group="canary"} unless on(job, instance) http_requests_total{instance="0"}
	http_requests_total{group="canary", instance="1", job="api-server"} 400
	http_requests_total{group="canary", instance="1", job="app-server"} 800"#,
    );
}

/// operators.test:214
#[test]
fn l214_http_requests_total_group_canary_on_instance_job_http_reques() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total{group="canary"} / on(instance,job) http_requests_total{group="production"}
	{instance="0", job="api-server"} 3
	{instance="0", job="app-server"} 1.4
	{instance="1", job="api-server"} 2
	{instance="1", job="app-server"} 1.3333333333333333"#,
    );
}

/// operators.test:220
#[test]
fn l220_http_requests_total_group_canary_unless_ignoring_group_insta() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total{group="canary"} unless ignoring(group, instance) http_requests_total{instance="0"}"#,
    );
}

/// operators.test:222
#[test]
fn l222_http_requests_total_group_canary_unless_ignoring_group_http() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total{group="canary"} unless ignoring(group) http_requests_total{instance="0"}
	http_requests_total{group="canary", instance="1", job="api-server"} 400
	http_requests_total{group="canary", instance="1", job="app-server"} 800"#,
    );
}

/// operators.test:226
#[test]
fn l226_http_requests_total_group_canary_ignoring_group_http_request() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total{group="canary"} / ignoring(group) http_requests_total{group="production"}
	{instance="0", job="api-server"} 3
	{instance="0", job="app-server"} 1.4
	{instance="1", job="api-server"} 2
	{instance="1", job="app-server"} 1.3333333333333333"#,
    );
}

/// operators.test:233
#[test]
fn l233_http_requests_total_and_on_dummy_vector_1() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total AND ON (dummy) vector(1)
	http_requests_total{group="canary", instance="0", job="api-server"} 300
	http_requests_total{group="canary", instance="0", job="app-server"} 700
	http_requests_total{group="canary", instance="1", job="api-server"} 400
	http_requests_total{group="canary", instance="1", job="app-server"} 800
	http_requests_total{group="production", instance="0", job="api-server"} 100
	http_requests_total{group="production", instance="0", job="app-server"} 500
	http_requests_total{group="production", instance="1", job="api-server"} 200
	http_requests_total{group="production", instance="1", job="app-server"} 600"#,
    );
}

/// operators.test:243
#[test]
fn l243_http_requests_total_and_ignoring_group_instance_job_vector_1() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total AND IGNORING (group, instance, job) vector(1)
	http_requests_total{group="canary", instance="0", job="api-server"} 300
	http_requests_total{group="canary", instance="0", job="app-server"} 700
	http_requests_total{group="canary", instance="1", job="api-server"} 400
	http_requests_total{group="canary", instance="1", job="app-server"} 800
	http_requests_total{group="production", instance="0", job="api-server"} 100
	http_requests_total{group="production", instance="0", job="app-server"} 500
	http_requests_total{group="production", instance="1", job="api-server"} 200
	http_requests_total{group="production", instance="1", job="app-server"} 600"#,
    );
}

/// operators.test:255
#[test]
fn l255_sum_http_requests_total_by_job_1000() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) > 1000
	{job="app-server"} 2600"#,
    );
}

/// operators.test:258
#[test]
fn l258_1000_sum_http_requests_total_by_job() {
    case(
        &[L1, L12],
        r#"eval instant at 50m 1000 < SUM(http_requests_total) BY (job)
	{job="app-server"} 2600"#,
    );
}

/// operators.test:261
#[test]
fn l261_sum_http_requests_total_by_job_1000() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) <= 1000
	{job="api-server"} 1000"#,
    );
}

/// operators.test:264
#[test]
fn l264_sum_http_requests_total_by_job_1000() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) != 1000
	{job="app-server"} 2600"#,
    );
}

/// operators.test:267
#[test]
fn l267_sum_http_requests_total_by_job_1000() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) == 1000
	{job="api-server"} 1000"#,
    );
}

/// operators.test:270
#[test]
fn l270_sum_http_requests_total_by_job_bool_1000() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) == bool 1000
	{job="api-server"} 1
	{job="app-server"} 0"#,
    );
}

/// operators.test:274
#[test]
fn l274_sum_http_requests_total_by_job_bool_sum_http_requests_total() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) == bool SUM(http_requests_total) BY (job)
	{job="api-server"} 1
	{job="app-server"} 1"#,
    );
}

/// operators.test:278
#[test]
fn l278_sum_http_requests_total_by_job_bool_sum_http_requests_total() {
    case(
        &[L1, L12],
        r#"eval instant at 50m SUM(http_requests_total) BY (job) != bool SUM(http_requests_total) BY (job)
	{job="api-server"} 0
	{job="app-server"} 0"#,
    );
}

/// operators.test:282
#[test]
fn l282_0_bool_1() {
    case(
        &[L1, L12],
        r#"eval instant at 50m 0 == bool 1
	0"#,
    );
}

/// operators.test:285
#[test]
fn l285_1_bool_1() {
    case(
        &[L1, L12],
        r#"eval instant at 50m 1 == bool 1
	1"#,
    );
}

/// operators.test:288
#[test]
fn l288_http_requests_total_job_api_server_instance_0_group_producti() {
    case(
        &[L1, L12],
        r#"eval instant at 50m http_requests_total{job="api-server", instance="0", group="production"} == bool 100
	{job="api-server", instance="0", group="production"} 1"#,
    );
}

/// operators.test:329
#[test]
fn l329_many_side_on_job_one_side() {
    case(
        &[L323],
        r#"eval instant at 0m many_side > on(job) one_side
  expect fail"#,
    );
}

/// operators.test:333
#[test]
fn l333_many_side_on_job_one_side() {
    case(
        &[L323],
        r#"eval instant at 0m many_side >= on(job) one_side
  expect fail"#,
    );
}

/// operators.test:337
#[test]
fn l337_many_side_on_job_one_side() {
    case(
        &[L323],
        r#"eval instant at 0m many_side <= on(job) one_side
  expect fail"#,
    );
}

/// operators.test:361
#[test]
fn l361_node_role_on_instance_group_right_role_node_var() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_role * on (instance) group_right (role) node_var
  {instance="abc",job="node",role="prometheus"} 2"#,
    );
}

/// operators.test:364
#[test]
fn l364_node_var_on_instance_group_left_role_node_role() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_var * on (instance) group_left (role) node_role
  {instance="abc",job="node",role="prometheus"} 2"#,
    );
}

/// operators.test:367
#[test]
fn l367_node_var_ignoring_role_group_left_role_node_role() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_var * ignoring (role) group_left (role) node_role
  {instance="abc",job="node",role="prometheus"} 2"#,
    );
}

/// operators.test:370
#[test]
fn l370_node_role_ignoring_role_group_right_role_node_var() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_role * ignoring (role) group_right (role) node_var
  {instance="abc",job="node",role="prometheus"} 2"#,
    );
}

/// operators.test:374
#[test]
fn l374_node_cpu_ignoring_role_mode_group_left_role_node_role() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu * ignoring (role, mode) group_left (role) node_role
  {instance="abc",job="node",mode="idle",role="prometheus"} 3
  {instance="abc",job="node",mode="user",role="prometheus"} 1"#,
    );
}

/// operators.test:378
#[test]
fn l378_node_cpu_on_instance_group_left_role_node_role() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu * on (instance) group_left (role) node_role
  {instance="abc",job="node",mode="idle",role="prometheus"} 3
  {instance="abc",job="node",mode="user",role="prometheus"} 1"#,
    );
}

/// operators.test:384
#[test]
fn l384_node_cpu_on_instance_group_left_sum_by_instance_job_node_cpu() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu / on (instance) group_left sum by (instance,job)(node_cpu)
  {instance="abc",job="node",mode="idle"} .75
  {instance="abc",job="node",mode="user"} .25
  {instance="def",job="node",mode="idle"} .80
  {instance="def",job="node",mode="user"} .20"#,
    );
}

/// operators.test:390
#[test]
fn l390_sum_by_mode_job_node_cpu_on_job_group_left_sum_by_job_node_c() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m sum by (mode, job)(node_cpu) / on (job) group_left sum by (job)(node_cpu)
  {job="node",mode="idle"} 0.7857142857142857
  {job="node",mode="user"} 0.21428571428571427"#,
    );
}

/// operators.test:394
#[test]
fn l394_sum_sum_by_mode_job_node_cpu_on_job_group_left_sum_by_job_no() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m sum(sum by (mode, job)(node_cpu) / on (job) group_left sum by (job)(node_cpu))
  {} 1.0"#,
    );
}

/// operators.test:398
#[test]
fn l398_node_cpu_ignoring_mode_group_left_sum_without_mode_node_cpu() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu / ignoring (mode) group_left sum without (mode)(node_cpu)
  {instance="abc",job="node",mode="idle"} .75
  {instance="abc",job="node",mode="user"} .25
  {instance="def",job="node",mode="idle"} .80
  {instance="def",job="node",mode="user"} .20"#,
    );
}

/// operators.test:404
#[test]
fn l404_node_cpu_ignoring_mode_group_left_dummy_sum_without_mode_nod() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu / ignoring (mode) group_left(dummy) sum without (mode)(node_cpu)
  {instance="abc",job="node",mode="idle"} .75
  {instance="abc",job="node",mode="user"} .25
  {instance="def",job="node",mode="idle"} .80
  {instance="def",job="node",mode="user"} .20"#,
    );
}

/// operators.test:410
#[test]
fn l410_sum_without_instance_node_cpu_ignoring_mode_group_left_sum_w() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m sum without (instance)(node_cpu) / ignoring (mode) group_left sum without (instance, mode)(node_cpu)
  {job="node",mode="idle"} 0.7857142857142857
  {job="node",mode="user"} 0.21428571428571427"#,
    );
}

/// operators.test:414
#[test]
fn l414_sum_sum_without_instance_node_cpu_ignoring_mode_group_left_s() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m sum(sum without (instance)(node_cpu) / ignoring (mode) group_left sum without (instance, mode)(node_cpu))
  {} 1.0"#,
    );
}

/// operators.test:419
#[test]
fn l419_node_cpu_on_dummy_group_left_foo_random_0() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu + on(dummy) group_left(foo) random*0
  {instance="abc",job="node",mode="idle",foo="bar"} 3
  {instance="abc",job="node",mode="user",foo="bar"} 1
  {instance="def",job="node",mode="idle",foo="bar"} 8
  {instance="def",job="node",mode="user",foo="bar"} 2"#,
    );
}

/// operators.test:427
#[test]
fn l427_node_cpu_on_job_instance_group_left_target_threshold() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu > on(job, instance) group_left(target) threshold
  node_cpu{instance="abc",job="node",mode="idle",target="a@b.com"} 3
  node_cpu{instance="abc",job="node",mode="user",target="a@b.com"} 1"#,
    );
}

/// operators.test:432
#[test]
fn l432_node_cpu_on_job_instance_group_left_target_threshold_or_on_j() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu > on(job, instance) group_left(target) (threshold or on (job, instance) (sum by (job, instance)(node_cpu) * 0 + 1))
  node_cpu{instance="abc",job="node",mode="idle",target="a@b.com"} 3
  node_cpu{instance="abc",job="node",mode="user",target="a@b.com"} 1
  node_cpu{instance="def",job="node",mode="idle"} 8
  node_cpu{instance="def",job="node",mode="user"} 2"#,
    );
}

/// operators.test:440
#[test]
fn l440_node_cpu_2() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu + 2
  {instance="abc",job="node",mode="idle"} 5
  {instance="abc",job="node",mode="user"} 3
  {instance="def",job="node",mode="idle"} 10
  {instance="def",job="node",mode="user"} 4"#,
    );
}

/// operators.test:446
#[test]
fn l446_node_cpu_2() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu - 2
  {instance="abc",job="node",mode="idle"} 1
  {instance="abc",job="node",mode="user"} -1
  {instance="def",job="node",mode="idle"} 6
  {instance="def",job="node",mode="user"} 0"#,
    );
}

/// operators.test:452
#[test]
fn l452_node_cpu_2() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu / 2
  {instance="abc",job="node",mode="idle"} 1.5
  {instance="abc",job="node",mode="user"} 0.5
  {instance="def",job="node",mode="idle"} 4
  {instance="def",job="node",mode="user"} 1"#,
    );
}

/// operators.test:458
#[test]
fn l458_node_cpu_2() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu * 2
  {instance="abc",job="node",mode="idle"} 6
  {instance="abc",job="node",mode="user"} 2
  {instance="def",job="node",mode="idle"} 16
  {instance="def",job="node",mode="user"} 4"#,
    );
}

/// operators.test:464
#[test]
fn l464_node_cpu_2() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu ^ 2
  {instance="abc",job="node",mode="idle"} 9
  {instance="abc",job="node",mode="user"} 1
  {instance="def",job="node",mode="idle"} 64
  {instance="def",job="node",mode="user"} 4"#,
    );
}

/// operators.test:470
#[test]
fn l470_node_cpu_2() {
    case(
        &[L344, L348, L354, L357],
        r#"eval instant at 1m node_cpu % 2
  {instance="abc",job="node",mode="idle"} 1
  {instance="abc",job="node",mode="user"} 1
  {instance="def",job="node",mode="idle"} 0
  {instance="def",job="node",mode="user"} 0"#,
    );
}

/// operators.test:485
#[test]
fn l485_random_on_metrica() {
    case(
        &[L479],
        r#"eval instant at 1m random + on() metricA
  {} 5"#,
    );
}

/// operators.test:489
#[test]
fn l489_metrica_ignoring_metricb() {
    case(
        &[L479],
        r#"eval instant at 1m metricA + ignoring() metricB
  {baz="meh"} 7"#,
    );
}

/// operators.test:492
#[test]
fn l492_metrica_metricb() {
    case(
        &[L479],
        r#"eval instant at 1m metricA + metricB
  {baz="meh"} 7"#,
    );
}

/// operators.test:502
#[test]
fn l502_name_testmetric1_testmetric2() {
    case(
        &[L498],
        r#"eval instant at 0m -{__name__=~'testmetric1|testmetric2'}
    expect fail"#,
    );
}

/// operators.test:511
#[test]
fn l511_test_total_bool_test_smaller() {
    case(
        &[L507],
        r#"eval instant at 1m test_total > bool test_smaller
    {instance="localhost"} 1"#,
    );
}

/// operators.test:514
#[test]
fn l514_test_total_test_smaller() {
    case(
        &[L507],
        r#"eval instant at 1m test_total > test_smaller
    test_total{instance="localhost"} 50"#,
    );
}

/// operators.test:517
#[test]
fn l517_test_total_bool_test_smaller() {
    case(
        &[L507],
        r#"eval instant at 1m test_total < bool test_smaller
    {instance="localhost"} 0"#,
    );
}

/// operators.test:520
#[test]
fn l520_test_total_test_smaller() {
    case(&[L507], r#"eval instant at 1m test_total < test_smaller"#);
}

/// operators.test:552
#[test]
fn l552_left_floats_right_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats == right_floats
  expect no_info
  left_floats _ _ _ _ 3 _ _ _ _ Inf -Inf"#,
    );
}

/// operators.test:556
#[test]
fn l556_left_floats_bool_right_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats == bool right_floats
  expect no_info
  {} 0 _ _ _ 1 _ 0 0 0 1 1"#,
    );
}

/// operators.test:560
#[test]
fn l560_left_floats_does_not_match() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats == does_not_match
  expect no_info"#,
    );
}

/// operators.test:580
#[test]
fn l580_left_floats_right_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats != right_floats
  expect no_info
  left_floats 1 _ _ _ _ _ 4 5 NaN _ _"#,
    );
}

/// operators.test:584
#[test]
fn l584_left_floats_bool_right_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats != bool right_floats
  expect no_info
  {} 1 _ _ _ 0 _ 1 1 1 0 0"#,
    );
}

/// operators.test:604
#[test]
fn l604_left_floats_right_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats > right_floats
  expect no_info
  left_floats _ _ _ _ _ _ 4 _ _ _ _"#,
    );
}

/// operators.test:608
#[test]
fn l608_left_floats_bool_right_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats > bool right_floats
  expect no_info
  {} 0 _ _ _ 0 _ 1 0 0 0 0"#,
    );
}

/// operators.test:628
#[test]
fn l628_left_floats_right_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats >= right_floats
  expect no_info
  left_floats _ _ _ _ 3 _ 4 _ _ Inf -Inf"#,
    );
}

/// operators.test:632
#[test]
fn l632_left_floats_bool_right_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats >= bool right_floats
  expect no_info
  {} 0 _ _ _ 1 _ 1 0 0 1 1"#,
    );
}

/// operators.test:652
#[test]
fn l652_left_floats_right_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats < right_floats
  expect no_info
  left_floats 1 _ _ _ _ _ _ 5 _ _ _"#,
    );
}

/// operators.test:656
#[test]
fn l656_left_floats_bool_right_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats < bool right_floats
  expect no_info
  {} 1 _ _ _ 0 _ 0 1 0 0 0"#,
    );
}

/// operators.test:676
#[test]
fn l676_left_floats_right_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats <= right_floats
  expect no_info
  left_floats 1 _ _ _ 3 _ _ 5 _ Inf -Inf"#,
    );
}

/// operators.test:680
#[test]
fn l680_left_floats_bool_right_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats <= bool right_floats
  expect no_info
  {} 1 _ _ _ 1 _ 0 1 0 1 1"#,
    );
}

/// operators.test:701
#[test]
fn l701_left_floats_3() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats == 3
  expect no_info
  left_floats _ _ _ _ 3 _ _ _ _ _ _"#,
    );
}

/// operators.test:705
#[test]
fn l705_left_floats_3() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats != 3
  expect no_info
  left_floats 1 2 _ _ _ _ 4 5 NaN Inf -Inf"#,
    );
}

/// operators.test:709
#[test]
fn l709_left_floats_3() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats > 3
  expect no_info
  left_floats _ _ _ _ _ _ 4 5 _ Inf _"#,
    );
}

/// operators.test:713
#[test]
fn l713_left_floats_3() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats >= 3
  expect no_info
  left_floats _ _ _ _ 3 _ 4 5 _ Inf _"#,
    );
}

/// operators.test:717
#[test]
fn l717_left_floats_3() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats < 3
  expect no_info
  left_floats 1 2 _ _ _ _ _ _ _ _ -Inf"#,
    );
}

/// operators.test:721
#[test]
fn l721_left_floats_3() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats <= 3
  expect no_info
  left_floats 1 2 _ _ 3 _ _ _ _ _ -Inf"#,
    );
}

/// operators.test:725
#[test]
fn l725_left_floats_bool_3() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats == bool 3
  expect no_info
  {} 0 0 _ _ 1 _ 0 0 0 0 0"#,
    );
}

/// operators.test:729
#[test]
fn l729_left_floats_inf() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats == Inf
  expect no_info
  left_floats _ _ _ _ _ _ _ _ _ Inf _"#,
    );
}

/// operators.test:733
#[test]
fn l733_left_floats_bool_inf() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats == bool Inf
  expect no_info
  {} 0 0 _ _ 0 _ 0 0 0 1 0"#,
    );
}

/// operators.test:737
#[test]
fn l737_left_floats_nan() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats == NaN
  expect no_info"#,
    );
}

/// operators.test:741
#[test]
fn l741_left_floats_bool_nan() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m left_floats == bool NaN
  expect no_info
  {} 0 0 _ _ 0 _ 0 0 0 0 0"#,
    );
}

/// operators.test:842
#[test]
fn l842_3_left_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m 3 == left_floats
  expect no_info
  left_floats _ _ _ _ 3 _ _ _ _ _ _"#,
    );
}

/// operators.test:846
#[test]
fn l846_3_left_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m 3 != left_floats
  expect no_info
  left_floats 1 2 _ _ _ _ 4 5 NaN Inf -Inf"#,
    );
}

/// operators.test:850
#[test]
fn l850_3_left_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m 3 < left_floats
  expect no_info
  left_floats _ _ _ _ _ _ 4 5 _ Inf _"#,
    );
}

/// operators.test:854
#[test]
fn l854_3_left_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m 3 <= left_floats
  expect no_info
  left_floats _ _ _ _ 3 _ 4 5 _ Inf _"#,
    );
}

/// operators.test:858
#[test]
fn l858_3_left_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m 3 > left_floats
  expect no_info
  left_floats 1 2 _ _ _ _ _ _ _ _ -Inf"#,
    );
}

/// operators.test:862
#[test]
fn l862_3_left_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m 3 >= left_floats
  expect no_info
  left_floats 1 2 _ _ 3 _ _ _ _ _ -Inf"#,
    );
}

/// operators.test:866
#[test]
fn l866_3_bool_left_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m 3 == bool left_floats
  expect no_info
  {} 0 0 _ _ 1 _ 0 0 0 0 0"#,
    );
}

/// operators.test:870
#[test]
fn l870_inf_left_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m Inf == left_floats
  expect no_info
  left_floats _ _ _ _ _ _ _ _ _ Inf _"#,
    );
}

/// operators.test:874
#[test]
fn l874_inf_bool_left_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m Inf == bool left_floats
  expect no_info
  {} 0 0 _ _ 0 _ 0 0 0 1 0"#,
    );
}

/// operators.test:878
#[test]
fn l878_nan_left_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m NaN == left_floats
  expect no_info
  expect no_warn"#,
    );
}

/// operators.test:883
#[test]
fn l883_nan_bool_left_floats() {
    case(
        &[L545],
        r#"eval range from 0 to 60m step 6m NaN == bool left_floats
  expect no_info
  {} 0 0 _ _ 0 _ 0 0 0 0 0"#,
    );
}

/// operators.test:964
#[test]
fn l964_testhistogram_bucket_and_on_vector_1_1() {
    case(
        &[],
        r#"eval instant at 10m (testhistogram_bucket) and on() (vector(-1) == 1)"#,
    );
}

/// operators.test:966
#[test]
fn l966_testhistogram_bucket_and_on_vector_1_1() {
    case(
        &[],
        r#"eval range from 0 to 10m step 5m (testhistogram_bucket) and on() (vector(-1) == 1)"#,
    );
}

/// operators.test:978
#[test]
fn l978_testhistogram_and_on_vector_1_1() {
    case(
        &[],
        r#"eval instant at 10m (testhistogram) and on() (vector(-1) == 1)"#,
    );
}

/// operators.test:980
#[test]
fn l980_testhistogram_and_on_vector_1_1() {
    case(
        &[],
        r#"eval range from 0 to 10m step 5m (testhistogram) and on() (vector(-1) == 1)"#,
    );
}

/// operators.test:991
#[test]
fn l991_job_api() {
    case(
        &[L987],
        r#"eval instant at 0 -{job="api"}
  {job="api"} -2"#,
    );
}

/// operators.test:994
#[test]
fn l994_job_api() {
    case(
        &[L987],
        r#"eval instant at 20m -{job="api"}
  {job="api"} -4"#,
    );
}

/// operators.test:997
#[test]
fn l997_job_api() {
    case(
        &[L987],
        r#"eval range from 0 to 20m step 20m -{job="api"}
  {job="api"} -2 -4"#,
    );
}

/// operators.test:1006
#[test]
fn l1006_job_api() {
    case(&[L1002], r#"eval_fail instant at 0 -{job="api"}"#);
}

/// operators.test:1016
#[test]
fn l1016_metric_a_or_metric_b() {
    case(
        &[L1011],
        r#"eval range from 0 to 20m step 10m -metric_a or -metric_b
    {} -1  -4"#,
    );
}

/// operators.test:1027
#[test]
fn l1027_scalar_metric_on_dup_metric() {
    case(
        &[L1022],
        r#"eval instant at 0m scalar_metric > on() dup_metric
  expect fail msg: found duplicate series for the match group {} on the right hand-side of the operation: [{__name__="dup_metric", label="alpha"}, {__name__="dup_metric", label="beta"}];many-to-many matching not allowed: matching labels must be unique on one side"#,
    );
}
