//! Parser tests: upstream's error cases with their exact messages and columns, precedence and
//! associativity, modifiers, durations and numbers, and the "not supported" errors.

use scalesim::promql::{parse, parse_duration, Expr, ParseError};

fn parsed(q: &str) -> String {
    match parse(q) {
        Ok(e) => e.to_string(),
        Err(e) => panic!("{q:?} failed: {e}"),
    }
}

fn error(q: &str) -> ParseError {
    match parse(q) {
        Ok(e) => panic!("{q:?} parsed as {e}"),
        Err(e) => e,
    }
}

/// Failing inputs of upstream's `promql/parser/parse_test.go` (`testExpr`) within the subset,
/// with the column (`Start + 1`) and message upstream reports.
const UPSTREAM_ERRORS: &[(&str, usize, &str)] = &[
    ("", 1, "no expression found in input"),
    ("# just a comment\n\n", 1, "no expression found in input"),
    ("1+", 3, "unexpected end of input"),
    (".", 1, "unexpected character: '.'"),
    ("2.5.", 1, r#"bad number or duration syntax: "2.5.""#),
    ("100..4", 1, r#"bad number or duration syntax: "100..""#),
    ("0deadbeef", 1, "bad number or duration syntax: \"0de\""),
    ("1 /", 4, "unexpected end of input"),
    ("*1", 1, "unexpected <op:*>"),
    ("(1))", 5, "unexpected right parenthesis ')'"),
    ("((1)", 5, "unclosed left parenthesis"),
    ("(", 2, "unclosed left parenthesis"),
    (
        "1 and 1",
        1,
        "set operator \"and\" not allowed in binary scalar expression",
    ),
    (
        "1 == 1",
        3,
        "comparisons between scalars must use BOOL modifier",
    ),
    (
        "1 or 1",
        1,
        "set operator \"or\" not allowed in binary scalar expression",
    ),
    (
        "1 unless 1",
        1,
        "set operator \"unless\" not allowed in binary scalar expression",
    ),
    ("1 !~ 1", 3, "unexpected character after '!': '~'"),
    ("1 =~ 1", 3, "unexpected character after '=': '~'"),
    (
        r#"-"string""#,
        1,
        r#"unary expression only allowed on expressions of type scalar or instant vector, got "string""#,
    ),
    (
        r#"-test[5m]"#,
        1,
        r#"unary expression only allowed on expressions of type scalar or instant vector, got "range vector""#,
    ),
    (r#"*test"#, 1, "unexpected <op:*>"),
    (
        "foo offset 1s offset 2s",
        1,
        "offset may not be set multiple times",
    ),
    ("a - on(b) ignoring(c) d", 11, "unexpected <ignoring>"),
    (
        "foo and 1",
        1,
        "set operator \"and\" not allowed in binary scalar expression",
    ),
    (
        "1 and foo",
        1,
        "set operator \"and\" not allowed in binary scalar expression",
    ),
    (
        "foo or 1",
        1,
        "set operator \"or\" not allowed in binary scalar expression",
    ),
    (
        "1 or foo",
        1,
        "set operator \"or\" not allowed in binary scalar expression",
    ),
    (
        "foo unless 1",
        1,
        "set operator \"unless\" not allowed in binary scalar expression",
    ),
    (
        "1 unless foo",
        1,
        "set operator \"unless\" not allowed in binary scalar expression",
    ),
    (
        "1 or on(bar) foo",
        1,
        "vector matching only allowed between instant vectors",
    ),
    (
        "foo == on(bar) 10",
        1,
        "vector matching only allowed between instant vectors",
    ),
    ("foo + group_left(baz) bar", 7, "unexpected <group_left>"),
    (
        "foo and on(bar) group_left(baz) bar",
        1,
        "no grouping allowed for \"and\" operation",
    ),
    (
        "foo and on(bar) group_right(baz) bar",
        1,
        "no grouping allowed for \"and\" operation",
    ),
    (
        "foo or on(bar) group_left(baz) bar",
        1,
        "no grouping allowed for \"or\" operation",
    ),
    (
        "foo or on(bar) group_right(baz) bar",
        1,
        "no grouping allowed for \"or\" operation",
    ),
    (
        "foo unless on(bar) group_left(baz) bar",
        1,
        "no grouping allowed for \"unless\" operation",
    ),
    (
        "foo unless on(bar) group_right(baz) bar",
        1,
        "no grouping allowed for \"unless\" operation",
    ),
    (
        r#"http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"}"#,
        35,
        "label \"instance\" must not occur in ON and GROUP clause at once",
    ),
    (
        "foo + bool bar",
        5,
        "bool modifier can only be used on comparison operators",
    ),
    (
        "foo + bool 10",
        5,
        "bool modifier can only be used on comparison operators",
    ),
    (
        "foo and bool 10",
        5,
        "bool modifier can only be used on comparison operators",
    ),
    (r#"{"#, 2, "unexpected end of input inside braces"),
    (r#"}"#, 1, "unexpected character: '}'"),
    (r#"some{"#, 6, "unexpected end of input inside braces"),
    (r#"some}"#, 5, "unexpected character: '}'"),
    (
        r#"some_metric{a=b}"#,
        15,
        "unexpected identifier \"b\" in label matching, expected string",
    ),
    (
        r#"some_metric{a:b="b"}"#,
        14,
        "unexpected character inside braces: ':'",
    ),
    (
        r#"foo{a*"b"}"#,
        6,
        "unexpected character inside braces: '*'",
    ),
    (
        r#"foo{gibberish}"#,
        14,
        r#"unexpected "}" in label matching, expected label matching operator"#,
    ),
    (r#"foo{1}"#, 5, "unexpected character inside braces: '1'"),
    (
        r#"{}"#,
        1,
        "vector selector must contain at least one non-empty matcher",
    ),
    (
        r#"{x=""}"#,
        1,
        "vector selector must contain at least one non-empty matcher",
    ),
    (
        r#"{x=~".*"}"#,
        1,
        "vector selector must contain at least one non-empty matcher",
    ),
    (
        r#"{x!~".+"}"#,
        1,
        "vector selector must contain at least one non-empty matcher",
    ),
    (
        r#"{x!="a"}"#,
        1,
        "vector selector must contain at least one non-empty matcher",
    ),
    (
        r#"foo{__name__="bar"}"#,
        1,
        r#"metric name must not be set twice: "foo" or "bar""#,
    ),
    (
        r#"foo{__name__= =}"#,
        15,
        "unexpected \"=\" in label matching, expected string",
    ),
    (
        r#"foo{,}"#,
        5,
        "unexpected \",\" in label matching, expected identifier or \"}\"",
    ),
    (
        r#"foo{__name__ == "bar"}"#,
        15,
        "unexpected \"=\" in label matching, expected string",
    ),
    (
        r#"foo{__name__="bar" lol}"#,
        20,
        r#"unexpected identifier "lol" in label matching, expected "," or "}""#,
    ),
    (
        r#"foo{"a"=}"#,
        9,
        r#"unexpected "}" in label matching, expected string"#,
    ),
    (r#"foo[5mm]"#, 5, "bad number or duration syntax: \"5mm\""),
    (r#"foo[5m1]"#, 5, "bad number or duration syntax: \"5m1\""),
    (
        r#"foo[5y1hs]"#,
        5,
        "unknown unit \"hs\" in duration \"5y1hs\"",
    ),
    (r#"foo[5m1h]"#, 5, "not a valid duration string: \"5m1h\""),
    (r#"foo[5m1m]"#, 5, "not a valid duration string: \"5m1m\""),
    (r#"foo[0m]"#, 5, "duration must be greater than 0"),
    (r#"foo[-1]"#, 5, "duration must be greater than 0"),
    (
        r#"some_metric[5m] OFFSET 1mm"#,
        24,
        "bad number or duration syntax: \"1mm\"",
    ),
    (
        r#"some_metric OFFSET 1m[5m]"#,
        22,
        "no offset modifiers allowed before range",
    ),
    (
        r#"(foo + bar)[5m]"#,
        12,
        "ranges only allowed for vector selectors",
    ),
    (
        r#"sum by ("foo)(some_metric{})"#,
        9,
        "unterminated quoted string",
    ),
    (
        "sum without(==)(some_metric)",
        13,
        "unexpected <op:==> in grouping opts, expected label",
    ),
    (
        "sum without(,)(some_metric)",
        13,
        r#"unexpected "," in grouping opts, expected label"#,
    ),
    (
        "sum without(foo,,)(some_metric)",
        17,
        r#"unexpected "," in grouping opts, expected label"#,
    ),
    (
        r#"sum some_metric by (test)"#,
        5,
        r#"unexpected identifier "some_metric""#,
    ),
    (
        r#"sum (some_metric) by test"#,
        22,
        r#"unexpected identifier "test" in grouping opts, expected "(""#,
    ),
    (
        r#"sum () by (test)"#,
        1,
        "no arguments for aggregate expression provided",
    ),
    (
        "MIN keep_common (some_metric)",
        5,
        "unexpected identifier \"keep_common\"",
    ),
    (
        "MIN (some_metric) keep_common",
        19,
        r#"unexpected identifier "keep_common""#,
    ),
    (
        r#"sum (some_metric) without (test) by (test)"#,
        34,
        "unexpected <by>",
    ),
    (
        r#"sum without (test) (some_metric) by (test)"#,
        34,
        "unexpected <by>",
    ),
    (
        "floor()",
        1,
        "expected 1 argument(s) in call to \"floor\", got 0",
    ),
    (
        "floor(some_metric, other_metric)",
        1,
        "expected 1 argument(s) in call to \"floor\", got 2",
    ),
    (
        "floor(some_metric, 1)",
        1,
        "expected 1 argument(s) in call to \"floor\", got 2",
    ),
    (
        "floor(1)",
        7,
        "expected type instant vector in call to function \"floor\", got scalar",
    ),
    (
        "time(some_metric)",
        1,
        "expected 0 argument(s) in call to \"time\", got 1",
    ),
    (
        "non_existent_function_far_bar()",
        1,
        "unknown function with name \"non_existent_function_far_bar\"",
    ),
    (
        "rate(some_metric)",
        6,
        "expected type range vector in call to function \"rate\", got instant vector",
    ),
    ("-=", 2, r#"unexpected "=""#),
    ("++-++-+-+-<", 11, r#"unexpected <op:<>"#),
    ("e-+=/(0)", 4, r#"unexpected "=""#),
    ("a>b()", 3, r#"unknown function with name "b""#),
    (
        "rate(avg)",
        6,
        r#"expected type range vector in call to function "rate", got instant vector"#,
    ),
    ("`\\``", 4, "unterminated raw string"),
    (r#""\"#, 1, "escape sequence not terminated"),
    (r#""\c""#, 1, "unknown escape sequence U+0063 'c'"),
    (
        r#""\x.""#,
        1,
        "illegal character U+002E '.' in escape sequence",
    ),
    (
        r#"foo{bar="baz"}["#,
        16,
        r#"unexpected end of input in duration expression"#,
    ),
    (
        "rate(food[1m])[1h] offset 1h",
        15,
        r#"ranges only allowed for vector selectors"#,
    ),
    (r#"foo offset 9.5e10"#, 12, r#"duration out of range"#),
    (r#"foo[9.5e10]"#, 5, r#"duration out of range"#),
    ("sum(", 5, "unclosed left parenthesis"),
    ("sum(rate(", 10, "unclosed left parenthesis"),
    ("foo[5s x 5s]", 8, "unexpected character: 'x', expected ':'"),
    ("foo[5s s 5s]", 8, "unexpected character: 's', expected ':'"),
];

#[test]
fn upstream_parse_errors_match_message_and_column() {
    let mut bad = Vec::new();
    for (input, col, msg) in UPSTREAM_ERRORS {
        match parse(input) {
            Ok(e) => bad.push(format!("{input:?}: parsed as {e}")),
            Err(e) if e.col != *col || e.message != *msg || e.unsupported => bad.push(format!(
                "{input:?}: want {col}: {msg:?}, got {}: {:?}",
                e.col, e.message
            )),
            Err(_) => {}
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(UPSTREAM_ERRORS.len() >= 100);
}

#[test]
fn errors_print_like_prometheus() {
    let e = error("sum(rate(x[5m])) + ");
    assert_eq!(e.to_string(), "1:20: parse error: unexpected end of input");
    let e = error("rate(x)");
    assert_eq!(
        e.to_string(),
        "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"
    );
    // Line and column count from the last newline, as `StartPosInput` does.
    let e = error("sum(\n  rate(x[5m]\n)");
    assert_eq!((e.line, e.col), (3, 2), "{e}");
    assert_eq!(e.message, "unclosed left parenthesis");
    let e = error("sum(x)\n  + rate(y)");
    assert_eq!(e.to_string(), "2:10: parse error: expected type range vector in call to function \"rate\", got instant vector");
}

#[test]
fn unsupported_features_say_so_with_a_position() {
    for (q, col, what) in [
        ("topk(3, x)", 1, "the topk aggregation"),
        ("quantile(0.9, x)", 1, "the quantile aggregation"),
        (
            "histogram_quantile(0.9, x)",
            1,
            "the function histogram_quantile()",
        ),
        (
            "label_replace(x, \"a\", \"b\", \"c\", \"d\")",
            1,
            "the function label_replace()",
        ),
        ("x[5m:1m]", 2, "subqueries (`[range:step]`)"),
        ("x @ 100", 3, "the @ modifier"),
        ("a atan2 b", 3, "the atan2 operator"),
        ("a + fill(0) b", 5, "fill modifiers of binary operators"),
        ("x[step()]", 3, "duration expressions"),
    ] {
        let e = error(q);
        assert!(e.unsupported, "{q}: {e}");
        assert_eq!((e.col, e.message.as_str()), (col, what), "{q}");
        assert_eq!(
            e.to_string(),
            format!("1:{col}: not supported by scalesim: {what}")
        );
    }
    assert_eq!(
        error("nonexistent(x)").to_string(),
        "1:1: parse error: unknown function with name \"nonexistent\""
    );
}

#[test]
fn precedence_and_associativity() {
    for (q, tree) in [
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("1 * 2 + 3", "((1 * 2) + 3)"),
        ("1 - 2 - 3", "((1 - 2) - 3)"),
        ("8 / 4 / 2", "((8 / 4) / 2)"),
        ("2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"),
        ("a % 2 ^ 3 ^ 2", "(a % (2 ^ (3 ^ 2)))"),
        ("a + b > c * d", "((a + b) > (c * d))"),
        ("a > b and c < d or e", "(((a > b) and (c < d)) or e)"),
        ("a or b unless c", "(a or (b unless c))"),
        ("a and b unless c", "((a and b) unless c)"),
        ("-a ^ 2", "-(a ^ 2)"),
        ("-a * 2", "(-a * 2)"),
        ("-2^---1*3", "(-(2 ^ -1) * 3)"),
        ("- - - 1", "-1"),
        ("+a", "a"),
        ("(1 + 2) * 3", "((1 + 2) * 3)"),
        ("a == bool 1", "(a == bool 1)"),
        (
            "sum(a) by (x) / on(x) group_left(y) b",
            "(sum by (x) (a) / on(x) group_left(y) b)",
        ),
        ("a + ignoring(x) b", "(a + ignoring(x) b)"),
    ] {
        assert_eq!(parsed(q), tree, "{q}");
    }
}

#[test]
fn selectors_ranges_offsets_and_durations() {
    assert_eq!(parsed(r#"foo{a="b", c!~"d.*"}"#), r#"foo{a="b", c!~"d.*"}"#);
    assert_eq!(parsed("foo[1h30m] offset 5m"), "foo[1h30m] offset 5m");
    assert_eq!(parsed("foo offset -1m"), "foo offset -1m");
    assert_eq!(
        parsed("rate(foo[90])"),
        "rate(foo[1m30s])",
        "a number range is seconds"
    );
    assert_eq!(
        parsed("foo OFFSET 1m"),
        "foo offset 1m",
        "keywords ignore case"
    );
    assert_eq!(parsed(r#"{__name__=~"a|b"}"#), r#"{__name__=~"a|b"}"#);
    assert_eq!(
        parsed(r#"{"a"}"#),
        r#"{__name__="a"}"#,
        "a quoted metric name"
    );
    assert_eq!(
        parsed("sum without (on, by) (x)"),
        "sum without (on, by) (x)"
    );
    assert_eq!(parsed("sum(x) without (a)"), "sum without (a) (x)");
    assert_eq!(
        parsed("sum"),
        "sum",
        "an aggregation keyword alone is a metric name"
    );
    for (d, ns) in [
        ("30s", 30_000_000_000i64),
        ("1m", 60_000_000_000),
        ("1h30m", 5_400_000_000_000),
        ("250ms", 250_000_000),
        ("1d", 86_400_000_000_000),
        ("1w", 604_800_000_000_000),
        ("0", 0),
    ] {
        assert_eq!(parse_duration(d), Ok(ns), "{d}");
    }
    assert!(parse_duration("1m1h").is_err());
    assert!(parse_duration("1.5h").is_err());
    assert!(parse_duration("").is_err());
    // Upstream's lexer takes `1.5h` for a duration, which `model.ParseDuration` rejects.
    assert_eq!(
        error("foo[1.5h]").message,
        "unknown unit \".\" in duration \"1.5h\""
    );
}

#[test]
fn numbers_follow_go_parsing() {
    for (q, v) in [
        ("0x1f", 31.0),
        ("010", 8.0),
        ("09", 9.0),
        ("1_000", 1000.0),
        (".5", 0.5),
        ("2.", 2.0),
        ("1e3", 1000.0),
        ("12.34e-6", 0.00001234),
        ("5m", 300.0),
        ("-1", -1.0),
        ("Inf", f64::INFINITY),
        ("-inf", f64::NEG_INFINITY),
    ] {
        match parse(q) {
            Ok(Expr::Number(n)) => assert_eq!(n, v, "{q}"),
            other => panic!("{q}: {other:?}"),
        }
    }
    assert!(matches!(parse("NaN"), Ok(Expr::Number(n)) if n.is_nan()));
}

#[test]
fn type_checks() {
    for (q, msg) in [
        ("sum(1)", "expected type instant vector in aggregation expression, got scalar"),
        ("abs(x[5m])", "expected type instant vector in call to function \"abs\", got range vector"),
        ("clamp_min(x, y)", "expected type scalar in call to function \"clamp_min\", got instant vector"),
        ("x[5m] + 1", "binary expression must contain only scalar and instant vector types"),
        ("vector(x)", "expected type scalar in call to function \"vector\", got instant vector"),
        ("round(x, 1, 2)", "expected at most 2 argument(s) in call to \"round\", got 3"),
        ("rate(x[5m], 1)", "expected 1 argument(s) in call to \"rate\", got 2"),
        ("sum(x, y)", "wrong number of arguments for aggregate expression provided, expected 1, got 2"),
        ("x offset 1m offset 1m", "offset may not be set multiple times"),
        ("rate(x[5m]) offset 1m", "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
    ] {
        assert_eq!(error(q).message, msg, "{q}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let q = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(error(&q).message.contains("nests too deeply"));
    let q = format!("{}1", "-".repeat(10_000));
    assert!(parse(&q).is_err());
}

/// The deepest trees the parser accepts evaluate on a default-sized (2 MiB) test thread.
#[test]
fn deepest_accepted_trees_evaluate_without_overflow() {
    use scalesim::promql::{query, Tsdb, DEFAULT_LOOKBACK};
    use scalesim::time::{Dur, SimTime};
    let mut db = Tsdb::new(Dur::from_secs(3600));
    db.append("m", &[("a", "b")], SimTime::from_secs(1), 2.0);
    let mut accepted = 0;
    for n in [30, 62, 63, 64, 65, 100, 1000] {
        let shapes = [
            format!("{}m{}", "abs(".repeat(n), ")".repeat(n)),
            format!("{}m{}", "sum(".repeat(n), ")".repeat(n)),
            format!("{}m{}", "-(".repeat(n), ")".repeat(n)),
            format!("{}m{}", "(".repeat(n), ")".repeat(n)),
            format!("m{}", " + 1".repeat(n)),
            format!("m{}", " ^ 1".repeat(n)),
            format!("{}m{}", "vector(scalar(".repeat(n / 2), "))".repeat(n / 2)),
            format!("{}m{}", "clamp_min(".repeat(n), ", 0)".repeat(n)),
        ];
        for q in &shapes {
            match parse(q) {
                Ok(e) => {
                    accepted += 1;
                    query(&db, &e, SimTime::from_secs(2), DEFAULT_LOOKBACK).unwrap();
                    let _ = e.to_string();
                }
                Err(e) => assert_eq!(e.message, "expression nests too deeply", "{n}"),
            }
        }
    }
    assert!(accepted >= 16, "{accepted}");
}
