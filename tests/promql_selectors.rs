//! Cases ported from Prometheus's `promql/promqltest/testdata/selectors.test`
//! (prometheus/prometheus at d15adb9ad7e5), run with [`scalesim::promql::promqltest`].
//!
//! One test per upstream `eval`, named `l<line>_<query>` after its line in the upstream file,
//! with the `load` commands in force there (`L<line>` constants, copied verbatim except that
//! native-histogram series are left out). Ported: every `eval` over float data whose query
//! is in scalesim's subset and that does not assert a warn/info annotation
//! (31 of the file's 31).

use scalesim::promql::promqltest::run;

/// Runs the loads, then the eval; panics with the runner's message on a mismatch.
fn case(loads: &[&str], eval: &str) {
    let script = format!("{}\n\n{eval}\n", loads.join("\n\n"));
    if let Err(e) = run(&script) {
        panic!("{e}");
    }
}

/// `load` at selectors.test:1.
const L1: &str = r#"load 10s
	http_requests_total{job="api-server", instance="0", group="production"}	0+10x1000 100+30x1000
	http_requests_total{job="api-server", instance="1", group="production"}	0+20x1000 200+30x1000
	http_requests_total{job="api-server", instance="0", group="canary"}	0+30x1000 300+80x1000
	http_requests_total{job="api-server", instance="1", group="canary"}	0+40x2000"#;

/// `load` at selectors.test:113.
const L113: &str = r#"load 1m
    metric1{a="a"} 0+1x100
    metric2{b="b"} 0+1x50"#;

/// `load` at selectors.test:123.
const L123: &str = r#"load 5m
	x{y="testvalue"} 0+10x10"#;

/// `load` at selectors.test:126.
const L126: &str = r#"load 5m
	cpu_count{instance="0", type="numa"}	0+30x10
	cpu_count{instance="0", type="smp"} 	0+10x20
	cpu_count{instance="1", type="smp"} 	0+20x10"#;

/// `load` at selectors.test:131.
const L131: &str = r#"load 5m
	label_grouping_test{a="aa", b="bb"}	0+10x10
	label_grouping_test{a="a", b="abb"}	0+20x10"#;

/// `load` at selectors.test:135.
const L135: &str = r#"load 5m
	http_requests_total{job="api-server", instance="0", group="production"}	0+10x10
	http_requests_total{job="api-server", instance="1", group="production"}	0+20x10
	http_requests_total{job="api-server", instance="0", group="canary"}		0+30x10
	http_requests_total{job="api-server", instance="1", group="canary"}		0+40x10
	http_requests_total{job="app-server", instance="0", group="production"}	0+50x10
	http_requests_total{job="app-server", instance="1", group="production"}	0+60x10
	http_requests_total{job="app-server", instance="0", group="canary"}		0+70x10
	http_requests_total{job="app-server", instance="1", group="canary"}		0+80x10"#;

/// `load` at selectors.test:199.
const L199: &str = r#"load 1h
	testmetric{aa="bb"} 1
	testmetric{a="abb"} 2"#;

/// selectors.test:7
#[test]
fn l7_rate_http_requests_total_1m() {
    case(
        &[L1],
        r#"eval instant at 8000s rate(http_requests_total[1m])
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2
	{job="api-server", instance="0", group="canary"} 3
	{job="api-server", instance="1", group="canary"} 4"#,
    );
}

/// selectors.test:13
#[test]
fn l13_rate_http_requests_total_1m() {
    case(
        &[L1],
        r#"eval instant at 18000s rate(http_requests_total[1m])
	{job="api-server", instance="0", group="production"} 3
	{job="api-server", instance="1", group="production"} 3
	{job="api-server", instance="0", group="canary"} 8
	{job="api-server", instance="1", group="canary"} 4"#,
    );
}

/// selectors.test:19
#[test]
fn l19_rate_http_requests_total_group_pro_1m() {
    case(
        &[L1],
        r#"eval instant at 8000s rate(http_requests_total{group=~"pro.*"}[1m])
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2"#,
    );
}

/// selectors.test:23
#[test]
fn l23_rate_http_requests_total_group_ry_instance_1_1m() {
    case(
        &[L1],
        r#"eval instant at 18000s rate(http_requests_total{group=~".*ry", instance="1"}[1m])
	{job="api-server", instance="1", group="canary"} 4"#,
    );
}

/// selectors.test:26
#[test]
fn l26_rate_http_requests_total_instance_3_1m_offset_10000s() {
    case(
        &[L1],
        r#"eval instant at 18000s rate(http_requests_total{instance!="3"}[1m] offset 10000s)
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2
	{job="api-server", instance="0", group="canary"} 3
	{job="api-server", instance="1", group="canary"} 4"#,
    );
}

/// selectors.test:32
#[test]
fn l32_rate_http_requests_total_instance_3_1m_offset_4000s() {
    case(
        &[L1],
        r#"eval instant at 4000s rate(http_requests_total{instance!="3"}[1m] offset -4000s)
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2
	{job="api-server", instance="0", group="canary"} 3
	{job="api-server", instance="1", group="canary"} 4"#,
    );
}

/// selectors.test:38
#[test]
fn l38_rate_http_requests_total_40s_rate_http_requests_total_1m_off() {
    case(
        &[L1],
        r#"eval instant at 18000s rate(http_requests_total[40s]) - rate(http_requests_total[1m] offset 10000s)
	{job="api-server", instance="0", group="production"} 2
	{job="api-server", instance="1", group="production"} 1
	{job="api-server", instance="0", group="canary"} 5
	{job="api-server", instance="1", group="canary"} 0"#,
    );
}

/// selectors.test:45
#[test]
fn l45_http_requests_total_foo_bar() {
    case(
        &[L1],
        r#"eval instant at 0s http_requests_total{foo!="bar"}
	http_requests_total{job="api-server", instance="0", group="production"} 0
	http_requests_total{job="api-server", instance="1", group="production"} 0
	http_requests_total{job="api-server", instance="0", group="canary"} 0
	http_requests_total{job="api-server", instance="1", group="canary"} 0"#,
    );
}

/// selectors.test:51
#[test]
fn l51_http_requests_total_foo_bar_job_api_server() {
    case(
        &[L1],
        r#"eval instant at 0s http_requests_total{foo!="bar", job="api-server"}
	http_requests_total{job="api-server", instance="0", group="production"} 0
	http_requests_total{job="api-server", instance="1", group="production"} 0
	http_requests_total{job="api-server", instance="0", group="canary"} 0
	http_requests_total{job="api-server", instance="1", group="canary"} 0"#,
    );
}

/// selectors.test:57
#[test]
fn l57_http_requests_total_foo_bar_job_api_server() {
    case(
        &[L1],
        r#"eval instant at 0s http_requests_total{foo!~"bar", job="api-server"}
	http_requests_total{job="api-server", instance="0", group="production"} 0
	http_requests_total{job="api-server", instance="1", group="production"} 0
	http_requests_total{job="api-server", instance="0", group="canary"} 0
	http_requests_total{job="api-server", instance="1", group="canary"} 0"#,
    );
}

/// selectors.test:63
#[test]
fn l63_http_requests_total_foo_bar_job_api_server_instance_1_x_y_z() {
    case(
        &[L1],
        r#"eval instant at 0s http_requests_total{foo!~"bar", job="api-server", instance="1", x!="y", z="", group!=""}
	http_requests_total{job="api-server", instance="1", group="production"} 0
	http_requests_total{job="api-server", instance="1", group="canary"} 0"#,
    );
}

/// selectors.test:68
#[test]
fn l68_rate_http_requests_total_group_i_pro_1m() {
    case(
        &[L1],
        r#"eval instant at 8000s rate(http_requests_total{group=~"(?i:PRO).*"}[1m])
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2"#,
    );
}

/// selectors.test:72
#[test]
fn l72_rate_http_requests_total_group_i_pro_1m() {
    case(
        &[L1],
        r#"eval instant at 8000s rate(http_requests_total{group=~".*?(?i:PRO).*"}[1m])
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2"#,
    );
}

/// selectors.test:76
#[test]
fn l76_rate_http_requests_total_group_i_duc_1m() {
    case(
        &[L1],
        r#"eval instant at 8000s rate(http_requests_total{group=~".*(?i:DUC).*"}[1m])
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2"#,
    );
}

/// selectors.test:80
#[test]
fn l80_rate_http_requests_total_group_i_tion_1m() {
    case(
        &[L1],
        r#"eval instant at 8000s rate(http_requests_total{group=~".*(?i:TION)"}[1m])
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2"#,
    );
}

/// selectors.test:84
#[test]
fn l84_rate_http_requests_total_group_i_tion_1m() {
    case(
        &[L1],
        r#"eval instant at 8000s rate(http_requests_total{group=~".*(?i:TION).*?"}[1m])
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2"#,
    );
}

/// selectors.test:89
#[test]
fn l89_rate_http_requests_total_group_i_pro_1m() {
    case(
        &[L1],
        r#"eval instant at 8000s rate(http_requests_total{group=~"((?i)PRO).*"}[1m])
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2"#,
    );
}

/// selectors.test:93
#[test]
fn l93_rate_http_requests_total_group_i_duc_1m() {
    case(
        &[L1],
        r#"eval instant at 8000s rate(http_requests_total{group=~".*((?i)DUC).*"}[1m])
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2"#,
    );
}

/// selectors.test:97
#[test]
fn l97_rate_http_requests_total_group_i_tion_1m() {
    case(
        &[L1],
        r#"eval instant at 8000s rate(http_requests_total{group=~".*((?i)TION)"}[1m])
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2"#,
    );
}

/// selectors.test:102
#[test]
fn l102_rate_http_requests_total_group_i_production_1m() {
    case(
        &[L1],
        r#"eval instant at 8000s rate(http_requests_total{group=~"(?i:PRODUCTION)"}[1m])
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2"#,
    );
}

/// selectors.test:106
#[test]
fn l106_rate_http_requests_total_group_i_c_1m() {
    case(
        &[L1],
        r#"eval instant at 8000s rate(http_requests_total{group=~".*(?i:C).*"}[1m])
	{job="api-server", instance="0", group="production"} 1
	{job="api-server", instance="1", group="production"} 2
	{job="api-server", instance="0", group="canary"} 3
	{job="api-server", instance="1", group="canary"} 4"#,
    );
}

/// selectors.test:117
#[test]
fn l117_metric1_offset_15m_or_metric2_offset_45m() {
    case(
        &[L113],
        r#"eval instant at 90m metric1 offset 15m or metric2 offset 45m
    metric1{a="a"} 75
    metric2{b="b"} 45"#,
    );
}

/// selectors.test:146
#[test]
fn l146_x_y_testvalue() {
    case(
        &[L123, L126, L131, L135],
        r#"eval instant at 50m x{y="testvalue"}
	x{y="testvalue"} 100"#,
    );
}

/// selectors.test:150
#[test]
fn l150_name() {
    case(
        &[L123, L126, L131, L135],
        r#"eval instant at 50m {__name__=~".+"}
	http_requests_total{group="canary", instance="0", job="api-server"} 300
	http_requests_total{group="canary", instance="0", job="app-server"} 700
	http_requests_total{group="canary", instance="1", job="api-server"} 400
	http_requests_total{group="canary", instance="1", job="app-server"} 800
	http_requests_total{group="production", instance="0", job="api-server"} 100
	http_requests_total{group="production", instance="0", job="app-server"} 500
	http_requests_total{group="production", instance="1", job="api-server"} 200
	http_requests_total{group="production", instance="1", job="app-server"} 600
	x{y="testvalue"} 100
	label_grouping_test{a="a", b="abb"} 200
	label_grouping_test{a="aa", b="bb"} 100
	cpu_count{instance="1", type="smp"} 200
	cpu_count{instance="0", type="smp"} 100
	cpu_count{instance="0", type="numa"} 300"#,
    );
}

/// selectors.test:166
#[test]
fn l166_job_server_job_api() {
    case(
        &[L123, L126, L131, L135],
        r#"eval instant at 50m {job=~".+-server", job!~"api-.+"}
	http_requests_total{group="canary", instance="0", job="app-server"} 700
	http_requests_total{group="canary", instance="1", job="app-server"} 800
	http_requests_total{group="production", instance="0", job="app-server"} 500
	http_requests_total{group="production", instance="1", job="app-server"} 600"#,
    );
}

/// selectors.test:172
#[test]
fn l172_http_requests_total_group_canary() {
    case(
        &[L123, L126, L131, L135],
        r#"eval instant at 50m http_requests_total{group!="canary"}
	http_requests_total{group="production", instance="1", job="app-server"} 600
	http_requests_total{group="production", instance="0", job="app-server"} 500
	http_requests_total{group="production", instance="1", job="api-server"} 200
	http_requests_total{group="production", instance="0", job="api-server"} 100"#,
    );
}

/// selectors.test:178
#[test]
fn l178_http_requests_total_job_server_group_canary() {
    case(
        &[L123, L126, L131, L135],
        r#"eval instant at 50m http_requests_total{job=~".+-server",group!="canary"}
	http_requests_total{group="production", instance="1", job="app-server"} 600
	http_requests_total{group="production", instance="0", job="app-server"} 500
	http_requests_total{group="production", instance="1", job="api-server"} 200
	http_requests_total{group="production", instance="0", job="api-server"} 100"#,
    );
}

/// selectors.test:184
#[test]
fn l184_http_requests_total_job_api_group_canary() {
    case(
        &[L123, L126, L131, L135],
        r#"eval instant at 50m http_requests_total{job!~"api-.+",group!="canary"}
	http_requests_total{group="production", instance="1", job="app-server"} 600
	http_requests_total{group="production", instance="0", job="app-server"} 500"#,
    );
}

/// selectors.test:188
#[test]
fn l188_http_requests_total_group_production_job_api() {
    case(
        &[L123, L126, L131, L135],
        r#"eval instant at 50m http_requests_total{group="production",job=~"api-.+"}
	http_requests_total{group="production", instance="0", job="api-server"} 100
	http_requests_total{group="production", instance="1", job="api-server"} 200"#,
    );
}

/// selectors.test:192
#[test]
fn l192_http_requests_total_group_production_job_api_server_offset_5() {
    case(
        &[L123, L126, L131, L135],
        r#"eval instant at 50m http_requests_total{group="production",job="api-server"} offset 5m
	http_requests_total{group="production", instance="0", job="api-server"} 90
	http_requests_total{group="production", instance="1", job="api-server"} 180"#,
    );
}

/// selectors.test:203
#[test]
fn l203_testmetric() {
    case(
        &[L199],
        r#"eval instant at 0h testmetric
	testmetric{aa="bb"} 1
	testmetric{a="abb"} 2"#,
    );
}
