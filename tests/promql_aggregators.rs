//! Cases ported from Prometheus's `promql/promqltest/testdata/aggregators.test`
//! (prometheus/prometheus at d15adb9ad7e5), run with [`scalesim::promql::promqltest`].
//!
//! One test per upstream `eval`, named `l<line>_<query>` after its line in the upstream file,
//! with the `load` commands in force there (`L<line>` constants, copied verbatim except that
//! native-histogram series are left out). Ported: every `eval` over float data whose query
//! is in scalesim's subset and that does not assert a warn/info annotation
//! (93 of the file's 160).

use scalesim::promql::promqltest::run;

/// Runs the loads, then the eval; panics with the runner's message on a mismatch.
fn case(loads: &[&str], eval: &str) {
    let script = format!("{}\n\n{eval}\n", loads.join("\n\n"));
    if let Err(e) = run(&script) {
        panic!("{e}");
    }
}

/// `load` at aggregators.test:1.
const L1: &str = r#"load 5m
  http_requests{job="api-server", instance="0", group="production"} 0+10x10
  http_requests{job="api-server", instance="1", group="production"} 0+20x10
  http_requests{job="api-server", instance="0", group="canary"}   0+30x10
  http_requests{job="api-server", instance="1", group="canary"}   0+40x10
  http_requests{job="app-server", instance="0", group="production"} 0+50x10
  http_requests{job="app-server", instance="1", group="production"} 0+60x10
  http_requests{job="app-server", instance="0", group="canary"}   0+70x10
  http_requests{job="app-server", instance="1", group="canary"}   0+80x10"#;

/// `load` at aggregators.test:11.
const L11: &str = r#"load 5m
  foo{job="api-server", instance="0", region="europe"} 0+90x10
  foo{job="api-server"} 0+100x10"#;

/// `load` at aggregators.test:200.
const L200: &str = r#"load 5m
  http_requests{job="api-server", instance="0", group="production"} 0+1.33x10
  http_requests{job="api-server", instance="1", group="production"} 0+1.33x10
  http_requests{job="api-server", instance="0", group="canary"} 0+1.33x10"#;

/// `load` at aggregators.test:214.
const L214: &str = r#"load 5m
  label_grouping_test{a="aa", b="bb"} 0+10x10
  label_grouping_test{a="a", b="abb"} 0+20x10"#;

/// `load` at aggregators.test:226 (native-histogram series left out).
const L226: &str = r#"load 5m
  http_requests{job="api-server", instance="0", group="production"}	1
  http_requests{job="api-server", instance="1", group="production"}	2
  http_requests{job="api-server", instance="0", group="canary"}		NaN
  http_requests{job="api-server", instance="1", group="canary"}		3
  http_requests{job="api-server", instance="2", group="canary"}		4"#;

/// `load` at aggregators.test:561 (native-histogram series left out).
const L561: &str = r#"load 10s
	data{test="two samples",point="a"} 0
	data{test="two samples",point="b"} 1
	data{test="three samples",point="a"} 0
	data{test="three samples",point="b"} 1
	data{test="three samples",point="c"} 2
	data{test="uneven samples",point="a"} 0
	data{test="uneven samples",point="b"} 1
	data{test="uneven samples",point="c"} 4
	foo .8"#;

/// `load` at aggregators.test:585.
const L585: &str = r#"load 10s
	data{test="ten",point="a"} 8
	data{test="ten",point="b"} 10
	data{test="ten",point="c"} 12
	data{test="inf",point="a"} 0
	data{test="inf",point="b"} Inf
	data{test="inf",point="d"} Inf
	data{test="inf",point="c"} 0
	data{test="-inf",point="a"} -Inf
	data{test="-inf",point="b"} -Inf
	data{test="-inf",point="c"} 0
	data{test="inf2",point="a"} Inf
	data{test="inf2",point="b"} 0
	data{test="inf2",point="c"} Inf
	data{test="-inf2",point="a"} -Inf
	data{test="-inf2",point="b"} 0
	data{test="-inf2",point="c"} -Inf
	data{test="inf3",point="b"} Inf
	data{test="inf3",point="d"} Inf
	data{test="inf3",point="c"} Inf
	data{test="inf3",point="d"} -Inf
	data{test="-inf3",point="b"} -Inf
	data{test="-inf3",point="d"} -Inf
	data{test="-inf3",point="c"} -Inf
	data{test="-inf3",point="c"} Inf
	data{test="nan",point="a"} -Inf
	data{test="nan",point="b"} 0
	data{test="nan",point="c"} Inf
	data{test="big",point="a"} 9.988465674311579e+307
	data{test="big",point="b"} 9.988465674311579e+307
	data{test="big",point="c"} 9.988465674311579e+307
	data{test="big",point="d"} 9.988465674311579e+307
	data{test="-big",point="a"} -9.988465674311579e+307
	data{test="-big",point="b"} -9.988465674311579e+307
	data{test="-big",point="c"} -9.988465674311579e+307
	data{test="-big",point="d"} -9.988465674311579e+307
	data{test="bigzero",point="a"} -9.988465674311579e+307
	data{test="bigzero",point="b"} -9.988465674311579e+307
	data{test="bigzero",point="c"} 9.988465674311579e+307
	data{test="bigzero",point="d"} 9.988465674311579e+307
	data{test="value is nan"} NaN"#;

/// `load` at aggregators.test:667.
const L667: &str = r#"load 10s
	data{test="ten",point="a"} 2
	data{test="ten",point="b"} 8
	data{test="ten",point="c"} 1e+100
	data{test="ten",point="d"} -1e100
	data{test="pos_inf",group="1",point="a"} Inf
	data{test="pos_inf",group="1",point="b"} 2
	data{test="pos_inf",group="2",point="a"} 2
	data{test="pos_inf",group="2",point="b"} Inf
	data{test="neg_inf",group="1",point="a"} -Inf
	data{test="neg_inf",group="1",point="b"} 2
	data{test="neg_inf",group="2",point="a"} 2
	data{test="neg_inf",group="2",point="b"} -Inf
	data{test="inf_inf",point="a"} Inf
	data{test="inf_inf",point="b"} -Inf
	data{test="nan",group="1",point="a"} NaN
	data{test="nan",group="1",point="b"} 2
	data{test="nan",group="2",point="a"} 2
	data{test="nan",group="2",point="b"} NaN"#;

/// `load` at aggregators.test:735.
const L735: &str = r#"load 5m
  foo{idx="0"} 52
  foo{idx="1"} 52
  foo{idx="2"} 52
  foo{idx="3"} 52
  foo{idx="4"} 52
  foo{idx="5"} 52
  foo{idx="6"} 52
  foo{idx="7"} 52
  foo{idx="8"} 52
  foo{idx="9"} 52
  foo{idx="10"} 52
  foo{idx="11"} 52"#;

/// `load` at aggregators.test:857.
const L857: &str = r#"load 5m
	series{label="a"} 1
	series{label="b"} 2
	series{label="c"} NaN"#;

/// `load` at aggregators.test:880.
const L880: &str = r#"load 5m
	series{label="a"} NaN
	series{label="b"} 1
	series{label="c"} 2"#;

/// `load` at aggregators.test:903.
const L903: &str = r#"load 5m
	series NaN"#;

/// `load` at aggregators.test:914.
const L914: &str = r#"load 5m
	series{label="a"} 1
	series{label="b"} 2
	series{label="c"} inf"#;

/// `load` at aggregators.test:937.
const L937: &str = r#"load 5m
	series{label="a"} inf
	series{label="b"} 1
	series{label="c"} 2"#;

/// `load` at aggregators.test:960.
const L960: &str = r#"load 5m
	series inf"#;

/// aggregators.test:16
#[test]
fn l16_sum_by_group_http_requests_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m SUM BY (group) (http_requests{job="api-server"})
  {group="canary"} 700
  {group="production"} 300"#,
    );
}

/// aggregators.test:20
#[test]
fn l20_sum_by_group_http_requests_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m SUM BY (group) (((http_requests{job="api-server"})))
  {group="canary"} 700
  {group="production"} 300"#,
    );
}

/// aggregators.test:25
#[test]
fn l25_sum_by_group_http_requests_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m sum by (group) (http_requests{job="api-server"})
  {group="canary"} 700
  {group="production"} 300"#,
    );
}

/// aggregators.test:30
#[test]
fn l30_avg_by_group_http_requests_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m avg by (group) (http_requests{job="api-server"})
  {group="canary"} 350
  {group="production"} 150"#,
    );
}

/// aggregators.test:35
#[test]
fn l35_count_by_group_http_requests_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m count by (group) (http_requests{job="api-server"})
  {group="canary"} 2
  {group="production"} 2"#,
    );
}

/// aggregators.test:40
#[test]
fn l40_sum_without_instance_http_requests_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m sum without (instance) (http_requests{job="api-server"})
  {group="canary",job="api-server"} 700
  {group="production",job="api-server"} 300"#,
    );
}

/// aggregators.test:45
#[test]
fn l45_sum_by_http_requests_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m sum by () (http_requests{job="api-server"})
  {} 1000"#,
    );
}

/// aggregators.test:49
#[test]
fn l49_sum_http_requests_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m sum(http_requests{job="api-server"})
  {} 1000"#,
    );
}

/// aggregators.test:53
#[test]
fn l53_sum_without_http_requests_job_api_server_group_production() {
    case(
        &[L1, L11],
        r#"eval instant at 50m sum without () (http_requests{job="api-server",group="production"})
  {group="production",job="api-server",instance="0"} 100
  {group="production",job="api-server",instance="1"} 200"#,
    );
}

/// aggregators.test:58
#[test]
fn l58_sum_without_instance_http_requests_job_api_server_or_foo() {
    case(
        &[L1, L11],
        r#"eval instant at 50m sum without (instance) (http_requests{job="api-server"} or foo)
  {group="canary",job="api-server"} 700
  {group="production",job="api-server"} 300
  {region="europe",job="api-server"} 900
  {job="api-server"} 1000"#,
    );
}

/// aggregators.test:65
#[test]
fn l65_sum_http_requests_by_job_min_http_requests_by_job_max_http_r() {
    case(
        &[L1, L11],
        r#"eval instant at 50m sum(http_requests) by (job) + min(http_requests) by (job) + max(http_requests) by (job) + avg(http_requests) by (job)
  {job="app-server"} 4550
  {job="api-server"} 1750"#,
    );
}

/// aggregators.test:70
#[test]
fn l70_sum_by_group_http_requests_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m sum by (group) (http_requests{job="api-server"})
  {group="canary"} 700
  {group="production"} 300"#,
    );
}

/// aggregators.test:77
#[test]
fn l77_sum_sum_by_group_http_requests_job_api_server_by_job() {
    case(
        &[L1, L11],
        r#"eval instant at 50m sum(sum by (group) (http_requests{job="api-server"})) by (job)
  {} 1000"#,
    );
}

/// aggregators.test:80
#[test]
fn l80_sum_http_requests() {
    case(
        &[L1, L11],
        r#"eval instant at 50m SUM(http_requests)
	{} 3600"#,
    );
}

/// aggregators.test:83
#[test]
fn l83_sum_http_requests_instance_0_by_job() {
    case(
        &[L1, L11],
        r#"eval instant at 50m SUM(http_requests{instance="0"}) BY(job)
	{job="api-server"} 400
	{job="app-server"} 1200"#,
    );
}

/// aggregators.test:87
#[test]
fn l87_sum_http_requests_by_job() {
    case(
        &[L1, L11],
        r#"eval instant at 50m SUM(http_requests) BY (job)
	{job="api-server"} 1000
	{job="app-server"} 2600"#,
    );
}

/// aggregators.test:92
#[test]
fn l92_sum_http_requests_by_job_nonexistent() {
    case(
        &[L1, L11],
        r#"eval instant at 50m SUM(http_requests) BY (job, nonexistent)
	{job="api-server"} 1000
	{job="app-server"} 2600"#,
    );
}

/// aggregators.test:96
#[test]
fn l96_count_http_requests_by_job() {
    case(
        &[L1, L11],
        r#"eval instant at 50m COUNT(http_requests) BY (job)
	{job="api-server"} 4
	{job="app-server"} 4"#,
    );
}

/// aggregators.test:100
#[test]
fn l100_sum_http_requests_by_job_group() {
    case(
        &[L1, L11],
        r#"eval instant at 50m SUM(http_requests) BY (job, group)
	{group="canary", job="api-server"} 700
	{group="canary", job="app-server"} 1500
	{group="production", job="api-server"} 300
	{group="production", job="app-server"} 1100"#,
    );
}

/// aggregators.test:106
#[test]
fn l106_avg_http_requests_by_job() {
    case(
        &[L1, L11],
        r#"eval instant at 50m AVG(http_requests) BY (job)
	{job="api-server"} 250
	{job="app-server"} 650"#,
    );
}

/// aggregators.test:110
#[test]
fn l110_min_http_requests_by_job() {
    case(
        &[L1, L11],
        r#"eval instant at 50m MIN(http_requests) BY (job)
	{job="api-server"} 100
	{job="app-server"} 500"#,
    );
}

/// aggregators.test:114
#[test]
fn l114_max_http_requests_by_job() {
    case(
        &[L1, L11],
        r#"eval instant at 50m MAX(http_requests) BY (job)
	{job="api-server"} 400
	{job="app-server"} 800"#,
    );
}

/// aggregators.test:118
#[test]
fn l118_abs_1_http_requests_group_production_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m abs(-1 * http_requests{group="production",job="api-server"})
	{group="production", instance="0", job="api-server"} 100
	{group="production", instance="1", job="api-server"} 200"#,
    );
}

/// aggregators.test:122
#[test]
fn l122_floor_0_004_http_requests_group_production_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m floor(0.004 * http_requests{group="production",job="api-server"})
	{group="production", instance="0", job="api-server"} 0
	{group="production", instance="1", job="api-server"} 0"#,
    );
}

/// aggregators.test:126
#[test]
fn l126_ceil_0_004_http_requests_group_production_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m ceil(0.004 * http_requests{group="production",job="api-server"})
	{group="production", instance="0", job="api-server"} 1
	{group="production", instance="1", job="api-server"} 1"#,
    );
}

/// aggregators.test:130
#[test]
fn l130_round_0_004_http_requests_group_production_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m round(0.004 * http_requests{group="production",job="api-server"})
	{group="production", instance="0", job="api-server"} 0
	{group="production", instance="1", job="api-server"} 1"#,
    );
}

/// aggregators.test:135
#[test]
fn l135_round_1_0_004_http_requests_group_production_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m round(-1 * (0.004 * http_requests{group="production",job="api-server"}))
	{group="production", instance="0", job="api-server"} 0
	{group="production", instance="1", job="api-server"} -1"#,
    );
}

/// aggregators.test:140
#[test]
fn l140_round_0_005_http_requests_group_production_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m round(0.005 * http_requests{group="production",job="api-server"})
	{group="production", instance="0", job="api-server"} 1
	{group="production", instance="1", job="api-server"} 1"#,
    );
}

/// aggregators.test:144
#[test]
fn l144_round_1_0_005_http_requests_group_production_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m round(-1 * (0.005 * http_requests{group="production",job="api-server"}))
	{group="production", instance="0", job="api-server"} 0
	{group="production", instance="1", job="api-server"} -1"#,
    );
}

/// aggregators.test:148
#[test]
fn l148_round_1_0_005_http_requests_group_production_job_api_server() {
    case(
        &[L1, L11],
        r#"eval instant at 50m round(1 + 0.005 * http_requests{group="production",job="api-server"})
	{group="production", instance="0", job="api-server"} 2
	{group="production", instance="1", job="api-server"} 2"#,
    );
}

/// aggregators.test:152
#[test]
fn l152_round_1_1_0_005_http_requests_group_production_job_api_serve() {
    case(
        &[L1, L11],
        r#"eval instant at 50m round(-1 * (1 + 0.005 * http_requests{group="production",job="api-server"}))
	{group="production", instance="0", job="api-server"} -1
	{group="production", instance="1", job="api-server"} -2"#,
    );
}

/// aggregators.test:157
#[test]
fn l157_round_0_0005_http_requests_group_production_job_api_server_0() {
    case(
        &[L1, L11],
        r#"eval instant at 50m round(0.0005 * http_requests{group="production",job="api-server"}, 0.1)
	{group="production", instance="0", job="api-server"} 0.1
	{group="production", instance="1", job="api-server"} 0.1"#,
    );
}

/// aggregators.test:161
#[test]
fn l161_round_2_1_0_0005_http_requests_group_production_job_api_serv() {
    case(
        &[L1, L11],
        r#"eval instant at 50m round(2.1 + 0.0005 * http_requests{group="production",job="api-server"}, 0.1)
	{group="production", instance="0", job="api-server"} 2.2
	{group="production", instance="1", job="api-server"} 2.2"#,
    );
}

/// aggregators.test:165
#[test]
fn l165_round_5_2_0_0005_http_requests_group_production_job_api_serv() {
    case(
        &[L1, L11],
        r#"eval instant at 50m round(5.2 + 0.0005 * http_requests{group="production",job="api-server"}, 0.1)
	{group="production", instance="0", job="api-server"} 5.3
	{group="production", instance="1", job="api-server"} 5.3"#,
    );
}

/// aggregators.test:170
#[test]
fn l170_round_1_5_2_0_0005_http_requests_group_production_job_api_se() {
    case(
        &[L1, L11],
        r#"eval instant at 50m round(-1 * (5.2 + 0.0005 * http_requests{group="production",job="api-server"}), 0.1)
	{group="production", instance="0", job="api-server"} -5.2
	{group="production", instance="1", job="api-server"} -5.3"#,
    );
}

/// aggregators.test:175
#[test]
fn l175_round_0_025_http_requests_group_production_job_api_server_5() {
    case(
        &[L1, L11],
        r#"eval instant at 50m round(0.025 * http_requests{group="production",job="api-server"}, 5)
	{group="production", instance="0", job="api-server"} 5
	{group="production", instance="1", job="api-server"} 5"#,
    );
}

/// aggregators.test:179
#[test]
fn l179_round_0_045_http_requests_group_production_job_api_server_5() {
    case(
        &[L1, L11],
        r#"eval instant at 50m round(0.045 * http_requests{group="production",job="api-server"}, 5)
	{group="production", instance="0", job="api-server"} 5
	{group="production", instance="1", job="api-server"} 10"#,
    );
}

/// aggregators.test:184
#[test]
fn l184_stddev_http_requests() {
    case(
        &[L1, L11],
        r#"eval instant at 50m stddev(http_requests)
  {} 229.12878474779"#,
    );
}

/// aggregators.test:187
#[test]
fn l187_stddev_by_instance_http_requests() {
    case(
        &[L1, L11],
        r#"eval instant at 50m stddev by (instance)(http_requests)
  {instance="0"} 223.60679774998
  {instance="1"} 223.60679774998"#,
    );
}

/// aggregators.test:191
#[test]
fn l191_stdvar_http_requests() {
    case(
        &[L1, L11],
        r#"eval instant at 50m stdvar(http_requests)
  {} 52500"#,
    );
}

/// aggregators.test:194
#[test]
fn l194_stdvar_by_instance_http_requests() {
    case(
        &[L1, L11],
        r#"eval instant at 50m stdvar by (instance)(http_requests)
  {instance="0"} 50000
  {instance="1"} 50000"#,
    );
}

/// aggregators.test:205
#[test]
fn l205_stddev_http_requests() {
    case(
        &[L200],
        r#"eval instant at 50m stddev(http_requests)
  {} 0.0"#,
    );
}

/// aggregators.test:208
#[test]
fn l208_stdvar_http_requests() {
    case(
        &[L200],
        r#"eval instant at 50m stdvar(http_requests)
  {} 0.0"#,
    );
}

/// aggregators.test:218
#[test]
fn l218_sum_label_grouping_test_by_a_b() {
    case(
        &[L214],
        r#"eval instant at 50m sum(label_grouping_test) by (a, b)
  {a="a", b="abb"} 200
  {a="aa", b="bb"} 100"#,
    );
}

/// aggregators.test:234
#[test]
fn l234_max_http_requests() {
    case(
        &[L226],
        r#"eval instant at 0m max(http_requests)
  expect no_info
  {} 4"#,
    );
}

/// aggregators.test:247
#[test]
fn l247_min_http_requests() {
    case(
        &[L226],
        r#"eval instant at 0m min(http_requests)
  expect no_info
  {} 1"#,
    );
}

/// aggregators.test:260
#[test]
fn l260_max_by_group_http_requests() {
    case(
        &[L226],
        r#"eval instant at 0m max by (group) (http_requests)
  expect no_info
  {group="production"} 2
  {group="canary"} 4"#,
    );
}

/// aggregators.test:265
#[test]
fn l265_min_by_group_http_requests() {
    case(
        &[L226],
        r#"eval instant at 0m min by (group) (http_requests)
  expect no_info
  {group="production"} 1
  {group="canary"} 3"#,
    );
}

/// aggregators.test:579
#[test]
fn l579_group_foo() {
    case(
        &[L561],
        r#"eval instant at 1m group(foo)
	{} 1"#,
    );
}

/// aggregators.test:627
#[test]
fn l627_avg_data_test_ten() {
    case(
        &[L585],
        r#"eval instant at 1m avg(data{test="ten"})
	{} 10"#,
    );
}

/// aggregators.test:630
#[test]
fn l630_avg_data_test_inf() {
    case(
        &[L585],
        r#"eval instant at 1m avg(data{test="inf"})
	{} Inf"#,
    );
}

/// aggregators.test:633
#[test]
fn l633_avg_data_test_inf2() {
    case(
        &[L585],
        r#"eval instant at 1m avg(data{test="inf2"})
	{} Inf"#,
    );
}

/// aggregators.test:636
#[test]
fn l636_avg_data_test_inf3() {
    case(
        &[L585],
        r#"eval instant at 1m avg(data{test="inf3"})
	{} NaN"#,
    );
}

/// aggregators.test:639
#[test]
fn l639_avg_data_test_inf() {
    case(
        &[L585],
        r#"eval instant at 1m avg(data{test="-inf"})
	{} -Inf"#,
    );
}

/// aggregators.test:642
#[test]
fn l642_avg_data_test_inf2() {
    case(
        &[L585],
        r#"eval instant at 1m avg(data{test="-inf2"})
	{} -Inf"#,
    );
}

/// aggregators.test:645
#[test]
fn l645_avg_data_test_inf3() {
    case(
        &[L585],
        r#"eval instant at 1m avg(data{test="-inf3"})
	{} NaN"#,
    );
}

/// aggregators.test:648
#[test]
fn l648_avg_data_test_nan() {
    case(
        &[L585],
        r#"eval instant at 1m avg(data{test="nan"})
	{} NaN"#,
    );
}

/// aggregators.test:651
#[test]
fn l651_avg_data_test_big() {
    case(
        &[L585],
        r#"eval instant at 1m avg(data{test="big"})
	{} 9.988465674311579e+307"#,
    );
}

/// aggregators.test:654
#[test]
fn l654_avg_data_test_big() {
    case(
        &[L585],
        r#"eval instant at 1m avg(data{test="-big"})
	{} -9.988465674311579e+307"#,
    );
}

/// aggregators.test:657
#[test]
fn l657_avg_data_test_bigzero() {
    case(
        &[L585],
        r#"eval instant at 1m avg(data{test="bigzero"})
	{} 0"#,
    );
}

/// aggregators.test:661
#[test]
fn l661_avg_data() {
    case(
        &[L585],
        r#"eval instant at 1m avg(data)
	{} NaN"#,
    );
}

/// aggregators.test:687
#[test]
fn l687_sum_data_test_ten() {
    case(
        &[L667],
        r#"eval instant at 1m sum(data{test="ten"})
	{} 10"#,
    );
}

/// aggregators.test:695
#[test]
fn l695_avg_data_test_ten() {
    case(
        &[L667],
        r#"eval instant at 1m avg(data{test="ten"})
	{} 2.5"#,
    );
}

/// aggregators.test:698
#[test]
fn l698_sum_by_group_data_test_pos_inf() {
    case(
        &[L667],
        r#"eval instant at 1m sum by (group) (data{test="pos_inf"})
	{group="1"} Inf
	{group="2"} Inf"#,
    );
}

/// aggregators.test:702
#[test]
fn l702_avg_by_group_data_test_pos_inf() {
    case(
        &[L667],
        r#"eval instant at 1m avg by (group) (data{test="pos_inf"})
	{group="1"} Inf
	{group="2"} Inf"#,
    );
}

/// aggregators.test:706
#[test]
fn l706_sum_by_group_data_test_neg_inf() {
    case(
        &[L667],
        r#"eval instant at 1m sum by (group) (data{test="neg_inf"})
	{group="1"} -Inf
	{group="2"} -Inf"#,
    );
}

/// aggregators.test:710
#[test]
fn l710_avg_by_group_data_test_neg_inf() {
    case(
        &[L667],
        r#"eval instant at 1m avg by (group) (data{test="neg_inf"})
	{group="1"} -Inf
	{group="2"} -Inf"#,
    );
}

/// aggregators.test:714
#[test]
fn l714_sum_data_test_inf_inf() {
    case(
        &[L667],
        r#"eval instant at 1m sum(data{test="inf_inf"})
	{} NaN"#,
    );
}

/// aggregators.test:717
#[test]
fn l717_avg_data_test_inf_inf() {
    case(
        &[L667],
        r#"eval instant at 1m avg(data{test="inf_inf"})
	{} NaN"#,
    );
}

/// aggregators.test:720
#[test]
fn l720_sum_by_group_data_test_nan() {
    case(
        &[L667],
        r#"eval instant at 1m sum by (group) (data{test="nan"})
	{group="1"} NaN
	{group="2"} NaN"#,
    );
}

/// aggregators.test:724
#[test]
fn l724_avg_by_group_data_test_nan() {
    case(
        &[L667],
        r#"eval instant at 1m avg by (group) (data{test="nan"})
	{group="1"} NaN
	{group="2"} NaN"#,
    );
}

/// aggregators.test:749
#[test]
fn l749_avg_foo_52() {
    case(
        &[L735],
        r#"eval instant at 0 avg(foo) - 52
  {} 0"#,
    );
}

/// aggregators.test:770
#[test]
fn l770_avg_foo_52() {
    case(
        &[L735],
        r#"eval instant at 0 avg(foo) == 52
  {} 52"#,
    );
}

/// aggregators.test:862
#[test]
fn l862_stddev_series() {
    case(
        &[L857],
        r#"eval instant at 0m stddev(series)
	{} NaN"#,
    );
}

/// aggregators.test:865
#[test]
fn l865_stdvar_series() {
    case(
        &[L857],
        r#"eval instant at 0m stdvar(series)
	{} NaN"#,
    );
}

/// aggregators.test:868
#[test]
fn l868_stddev_by_label_series() {
    case(
        &[L857],
        r#"eval instant at 0m stddev by (label) (series)
	{label="a"} 0
	{label="b"} 0
	{label="c"} NaN"#,
    );
}

/// aggregators.test:873
#[test]
fn l873_stdvar_by_label_series() {
    case(
        &[L857],
        r#"eval instant at 0m stdvar by (label) (series)
	{label="a"} 0
	{label="b"} 0
	{label="c"} NaN"#,
    );
}

/// aggregators.test:885
#[test]
fn l885_stddev_series() {
    case(
        &[L880],
        r#"eval instant at 0m stddev(series)
	{} NaN"#,
    );
}

/// aggregators.test:888
#[test]
fn l888_stdvar_series() {
    case(
        &[L880],
        r#"eval instant at 0m stdvar(series)
	{} NaN"#,
    );
}

/// aggregators.test:891
#[test]
fn l891_stddev_by_label_series() {
    case(
        &[L880],
        r#"eval instant at 0m stddev by (label) (series)
	{label="a"} NaN
	{label="b"} 0
	{label="c"} 0"#,
    );
}

/// aggregators.test:896
#[test]
fn l896_stdvar_by_label_series() {
    case(
        &[L880],
        r#"eval instant at 0m stdvar by (label) (series)
	{label="a"} NaN
	{label="b"} 0
	{label="c"} 0"#,
    );
}

/// aggregators.test:906
#[test]
fn l906_stddev_series() {
    case(
        &[L903],
        r#"eval instant at 0m stddev(series)
	{} NaN"#,
    );
}

/// aggregators.test:909
#[test]
fn l909_stdvar_series() {
    case(
        &[L903],
        r#"eval instant at 0m stdvar(series)
	{} NaN"#,
    );
}

/// aggregators.test:919
#[test]
fn l919_stddev_series() {
    case(
        &[L914],
        r#"eval instant at 0m stddev (series)
	{} NaN"#,
    );
}

/// aggregators.test:922
#[test]
fn l922_stdvar_series() {
    case(
        &[L914],
        r#"eval instant at 0m stdvar (series)
	{} NaN"#,
    );
}

/// aggregators.test:925
#[test]
fn l925_stddev_by_label_series() {
    case(
        &[L914],
        r#"eval instant at 0m stddev by (label) (series)
	{label="a"} 0
	{label="b"} 0
	{label="c"} NaN"#,
    );
}

/// aggregators.test:930
#[test]
fn l930_stdvar_by_label_series() {
    case(
        &[L914],
        r#"eval instant at 0m stdvar by (label) (series)
	{label="a"} 0
	{label="b"} 0
	{label="c"} NaN"#,
    );
}

/// aggregators.test:942
#[test]
fn l942_stddev_series() {
    case(
        &[L937],
        r#"eval instant at 0m stddev(series)
	{} NaN"#,
    );
}

/// aggregators.test:945
#[test]
fn l945_stdvar_series() {
    case(
        &[L937],
        r#"eval instant at 0m stdvar(series)
	{} NaN"#,
    );
}

/// aggregators.test:948
#[test]
fn l948_stddev_by_label_series() {
    case(
        &[L937],
        r#"eval instant at 0m stddev by (label) (series)
	{label="a"} NaN
	{label="b"} 0
	{label="c"} 0"#,
    );
}

/// aggregators.test:953
#[test]
fn l953_stdvar_by_label_series() {
    case(
        &[L937],
        r#"eval instant at 0m stdvar by (label) (series)
	{label="a"} NaN
	{label="b"} 0
	{label="c"} 0"#,
    );
}

/// aggregators.test:963
#[test]
fn l963_stddev_series() {
    case(
        &[L960],
        r#"eval instant at 0m stddev(series)
	{} NaN"#,
    );
}

/// aggregators.test:966
#[test]
fn l966_stdvar_series() {
    case(
        &[L960],
        r#"eval instant at 0m stdvar(series)
	{} NaN"#,
    );
}
