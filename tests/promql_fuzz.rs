//! No query text makes the parser or the evaluator panic: random strings, PromQL-flavoured
//! noise, mutations of valid queries, and generated valid queries (which must parse, print
//! and re-parse to the same tree text, and evaluate without panicking).

use proptest::prelude::*;
use scalesim::promql::{parse, query, Regex, Tsdb, DEFAULT_LOOKBACK};
use scalesim::time::{Dur, SimTime};

fn db() -> Tsdb {
    let mut db = Tsdb::new(Dur::from_secs(3600));
    for step in 0..=60u64 {
        let t = SimTime::from_secs(step * 10);
        for (q, k) in [("a", 1.0), ("b", 2.0)] {
            db.append("m", &[("queue", q)], t, k * step as f64);
            db.append(
                "celery_queue_depth",
                &[("queue", q)],
                t,
                (step % 7) as f64 * k,
            );
        }
        db.append(
            "up",
            &[("pod", "x")],
            t,
            if step % 13 == 0 { f64::NAN } else { 1.0 },
        );
    }
    db
}

/// Parses and, when that works, evaluates at a few times; neither may panic.
fn exercise(db: &Tsdb, text: &str) {
    if let Ok(expr) = parse(text) {
        for at in [0, 300, 600, 5000] {
            let _ = query(db, &expr, SimTime::from_secs(at), DEFAULT_LOOKBACK);
        }
        let _ = query(db, &expr, SimTime::from_secs(300), Dur::ZERO);
    }
}

const SEEDS: &[&str] = &[
    r#"sum(rate(m{queue=~"a|b"}[1m]))"#,
    r#"sum by (queue) (celery_queue_depth) / on(queue) group_left m"#,
    r#"avg_over_time(up[5m] offset 1m) > bool 0.5"#,
    r#"clamp_max(ceil(m / 3), 10) or vector(0)"#,
    r#"-m{queue!="a"} % 2 ^ -1 unless ignoring(queue) up"#,
    r#"count without (pod) (irate(m[90s])) == 2"#,
    r#"scalar(sum(m)) * time() - 5m"#,
];

fn mutate(seed: &str, edits: &[(usize, u8, char)]) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for &(pos, op, c) in edits {
        let at = if chars.is_empty() {
            0
        } else {
            pos % (chars.len() + 1)
        };
        match op % 4 {
            0 => chars.insert(at, c),
            1 if at < chars.len() => {
                chars.remove(at);
            }
            2 if at < chars.len() => chars[at] = c,
            _ => {
                // Duplicate a slice.
                let end = (at + 5).min(chars.len());
                let slice: Vec<char> = chars[at.min(end)..end].to_vec();
                for (k, ch) in slice.into_iter().enumerate() {
                    chars.insert(end + k, ch);
                }
            }
        }
    }
    chars.into_iter().collect()
}

fn scalar_expr() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..100).prop_map(|n| n.to_string()),
        Just("time()".to_string()),
        Just("1.5e2".to_string()),
        Just("Inf".to_string()),
        Just("5m".to_string()),
    ]
}

fn selector() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("m"),
        Just("celery_queue_depth"),
        Just("up"),
        Just("missing")
    ];
    let matcher = prop_oneof![
        Just(""),
        Just(r#"{queue="a"}"#),
        Just(r#"{queue!="a"}"#),
        Just(r#"{queue=~"a|b"}"#),
        Just(r#"{queue!~"[ab]"}"#),
    ];
    let offset = prop_oneof![Just(""), Just(" offset 1m"), Just(" offset -30s")];
    (name, matcher, offset).prop_map(|(n, m, o)| format!("{n}{m}{o}"))
}

fn range_call() -> impl Strategy<Value = String> {
    let func = prop_oneof![
        Just("rate"),
        Just("irate"),
        Just("increase"),
        Just("delta"),
        Just("idelta"),
        Just("changes"),
        Just("resets"),
        Just("avg_over_time"),
        Just("max_over_time"),
        Just("min_over_time"),
        Just("sum_over_time"),
        Just("count_over_time"),
        Just("last_over_time"),
    ];
    let name = prop_oneof![Just("m"), Just("up"), Just("celery_queue_depth")];
    let range = prop_oneof![
        Just("30s"),
        Just("1m"),
        Just("5m"),
        Just("90"),
        Just("1h30m")
    ];
    (func, name, range).prop_map(|(f, n, r)| format!("{f}({n}[{r}])"))
}

fn vector_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        selector(),
        range_call(),
        scalar_expr().prop_map(|s| format!("vector({s})")),
    ];
    leaf.boxed().prop_recursive(3, 24, 2, |inner| {
        let arith = prop_oneof![
            Just("+"),
            Just("-"),
            Just("*"),
            Just("/"),
            Just("%"),
            Just("^")
        ];
        let cmp = prop_oneof![
            Just("=="),
            Just("!="),
            Just(">"),
            Just("<"),
            Just(">="),
            Just("<=")
        ];
        let set = prop_oneof![Just("and"), Just("or"), Just("unless")];
        let agg = prop_oneof![
            Just("sum"),
            Just("avg"),
            Just("min"),
            Just("max"),
            Just("count"),
            Just("group"),
            Just("stddev"),
            Just("stdvar")
        ];
        let grouping = prop_oneof![
            Just(""),
            Just(" by (queue)"),
            Just(" without (queue)"),
            Just(" by ()")
        ];
        let func = prop_oneof![
            Just("abs"),
            Just("ceil"),
            Just("floor"),
            Just("sgn"),
            Just("round")
        ];
        let matching = prop_oneof![Just(""), Just(" on(queue)"), Just(" ignoring(pod)")];
        prop_oneof![
            (inner.clone(), arith.clone(), inner.clone())
                .prop_map(|(a, o, b)| format!("({a} {o} {b})"))
                .boxed(),
            (inner.clone(), arith, scalar_expr())
                .prop_map(|(a, o, s)| format!("({a} {o} {s})"))
                .boxed(),
            (scalar_expr(), cmp.clone(), inner.clone())
                .prop_map(|(s, o, b)| format!("({s} {o} {b})"))
                .boxed(),
            (inner.clone(), cmp, matching.clone(), inner.clone())
                .prop_map(|(a, o, m, b)| format!("({a} {o} bool{m} {b})"))
                .boxed(),
            (inner.clone(), set, matching, inner.clone())
                .prop_map(|(a, o, m, b)| format!("({a} {o}{m} {b})"))
                .boxed(),
            (agg, grouping, inner.clone())
                .prop_map(|(g, by, e)| format!("{g}{by} ({e})"))
                .boxed(),
            (func, inner.clone())
                .prop_map(|(f, e)| format!("{f}({e})"))
                .boxed(),
            (inner.clone(), scalar_expr())
                .prop_map(|(e, s)| format!("clamp_min({e}, {s})"))
                .boxed(),
            inner.clone().prop_map(|e| format!("-({e})")).boxed(),
            inner
                .clone()
                .prop_map(|e| format!("vector(scalar({e}))"))
                .boxed(),
        ]
    })
}

proptest! {
    // No regression files: a failure prints its minimal input, which goes into a unit test.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(400)
    })]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,80}") {
        exercise(&db(), &text);
    }

    #[test]
    fn promql_noise_never_panics(text in r#"[a-z_{}()\[\]=~!<>+*/%^,"'` 0-9.:@#\n-]{0,80}"#) {
        exercise(&db(), &text);
    }

    #[test]
    fn mutated_queries_never_panic(
        seed in 0..SEEDS.len(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<char>()), 1..6),
    ) {
        exercise(&db(), &mutate(SEEDS[seed], &edits));
    }

    #[test]
    fn generated_queries_parse_print_and_evaluate(text in vector_expr()) {
        let expr = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        let printed = expr.to_string();
        let again = parse(&printed).map_err(|e| TestCaseError::fail(format!("{printed}: {e}")))?;
        prop_assert_eq!(again.to_string(), printed);
        exercise(&db(), &text);
    }

    #[test]
    fn regexes_never_panic(pattern in r"[ab.*+?|()\[\]^$\\{}0-9,:iPs-]{0,24}", text in "[ab\n-]{0,12}") {
        if let Ok(re) = Regex::new(&pattern) {
            let _ = re.is_match(&text);
        }
    }
}

#[test]
fn seeds_are_valid_queries() {
    for seed in SEEDS {
        parse(seed).unwrap_or_else(|e| panic!("{seed}: {e}"));
    }
}
