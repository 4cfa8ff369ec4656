//! Cases ported from Prometheus's `promql/promqltest/testdata/literals.test`
//! (prometheus/prometheus at d15adb9ad7e5), run with [`scalesim::promql::promqltest`].
//!
//! One test per upstream `eval`, named `l<line>_<query>` after its line in the upstream file,
//! with the `load` commands in force there (`L<line>` constants, copied verbatim except that
//! native-histogram series are left out). Ported: every `eval` over float data whose query
//! is in scalesim's subset and that does not assert a warn/info annotation
//! (20 of the file's 25).

use scalesim::promql::promqltest::run;

/// Runs the loads, then the eval; panics with the runner's message on a mismatch.
fn case(loads: &[&str], eval: &str) {
    let script = format!("{}\n\n{eval}\n", loads.join("\n\n"));
    if let Err(e) = run(&script) {
        panic!("{e}");
    }
}

/// literals.test:1
#[test]
fn l1_12_34e6() {
    case(
        &[],
        r#"eval instant at 50m 12.34e6
	12340000"#,
    );
}

/// literals.test:4
#[test]
fn l4_12_34e_6() {
    case(
        &[],
        r#"eval instant at 50m 12.34e+6
	12340000"#,
    );
}

/// literals.test:7
#[test]
fn l7_12_34e_6() {
    case(
        &[],
        r#"eval instant at 50m 12.34e-6
	0.00001234"#,
    );
}

/// literals.test:10
#[test]
fn l10_1_1() {
    case(
        &[],
        r#"eval instant at 50m 1+1
	2"#,
    );
}

/// literals.test:13
#[test]
fn l13_1_1() {
    case(
        &[],
        r#"eval instant at 50m 1-1
	0"#,
    );
}

/// literals.test:16
#[test]
fn l16_1_1() {
    case(
        &[],
        r#"eval instant at 50m 1 - -1
	2"#,
    );
}

/// literals.test:19
#[test]
fn l19_2() {
    case(
        &[],
        r#"eval instant at 50m .2
	0.2"#,
    );
}

/// literals.test:22
#[test]
fn l22_0_2() {
    case(
        &[],
        r#"eval instant at 50m +0.2
	0.2"#,
    );
}

/// literals.test:25
#[test]
fn l25_0_2e_6() {
    case(
        &[],
        r#"eval instant at 50m -0.2e-6
	-0.0000002"#,
    );
}

/// literals.test:28
#[test]
fn l28_inf() {
    case(
        &[],
        r#"eval instant at 50m +Inf
	+Inf"#,
    );
}

/// literals.test:31
#[test]
fn l31_inf() {
    case(
        &[],
        r#"eval instant at 50m inF
	+Inf"#,
    );
}

/// literals.test:34
#[test]
fn l34_inf() {
    case(
        &[],
        r#"eval instant at 50m -inf
	-Inf"#,
    );
}

/// literals.test:37
#[test]
fn l37_nan() {
    case(
        &[],
        r#"eval instant at 50m NaN
	NaN"#,
    );
}

/// literals.test:40
#[test]
fn l40_nan() {
    case(
        &[],
        r#"eval instant at 50m nan
	NaN"#,
    );
}

/// literals.test:43
#[test]
fn l43_2() {
    case(
        &[],
        r#"eval instant at 50m 2.
	2"#,
    );
}

/// literals.test:46
#[test]
fn l46_1_0() {
    case(
        &[],
        r#"eval instant at 50m 1 / 0
	+Inf"#,
    );
}

/// literals.test:49
#[test]
fn l49_1_0() {
    case(
        &[],
        r#"eval instant at 50m ((1) / (0))
	+Inf"#,
    );
}

/// literals.test:52
#[test]
fn l52_1_0() {
    case(
        &[],
        r#"eval instant at 50m -1 / 0
	-Inf"#,
    );
}

/// literals.test:55
#[test]
fn l55_0_0() {
    case(
        &[],
        r#"eval instant at 50m 0 / 0
	NaN"#,
    );
}

/// literals.test:58
#[test]
fn l58_1_0() {
    case(
        &[],
        r#"eval instant at 50m 1 % 0
	NaN"#,
    );
}
