//! A fuzzer of the scenario loader that runs on stable Rust, built on proptest: it mutates the
//! shipped scenarios (`scenarios/*.yaml`, with the manifests they reference), the hostile
//! corpus (`tests/bad_input/*/scenario.yaml`) and generated scenarios, byte by byte and
//! structurally (values, keys, lines, splices), and feeds each result to `load_str`.
//!
//! For every input: loading returns (no panic) within 5 seconds; an error renders with a
//! file name; a scenario that loads also runs, under tight limits (200 000 events, 100 000
//! tasks in flight, 200 pods), to the end or to a resource-guard error, never to a panic or a
//! broken accounting identity; and any text that parses as YAML is written back by
//! `testing::emit` and re-parses to the same tree.
//!
//! `SCALESIM_FUZZ_CASES` sets the number of inputs per test (default 10 000, about 12 s in
//! release for the three tests); `PROPTEST_RNG_SEED` (or the failure persistence file) replays a run. The
//! README records how many were run and what they found.

mod props_support;

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use scalesim::observe::MemorySink;
use scalesim::scenario::{load_str, LoadOptions};
use scalesim::sim::SimError;
use scalesim::testing::emit;
use scalesim::yaml::parse_stream;

/// A seed input: the scenario text and the files it may reference (relative names).
#[derive(Clone, Debug)]
struct Seed {
    name: String,
    text: String,
}

struct Corpus {
    seeds: Vec<Seed>,
    /// Manifests and CSVs every seed may reference: `../k8s-reference/...` as the shipped
    /// scenarios name them, and the corpus cases' own files.
    files: Vec<(String, String)>,
}

fn read_dir_sorted(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seeds = Vec::new();
        for p in read_dir_sorted(&root.join("scenarios")) {
            if p.extension().is_some_and(|e| e == "yaml") {
                seeds.push(Seed {
                    name: p.file_name().unwrap().to_string_lossy().into_owned(),
                    text: std::fs::read_to_string(&p).unwrap(),
                });
            }
        }
        let mut files = Vec::new();
        let mut stack = vec![root.join("k8s-reference")];
        while let Some(d) = stack.pop() {
            for p in read_dir_sorted(&d) {
                if p.is_dir() {
                    stack.push(p);
                } else if let Ok(t) = std::fs::read_to_string(&p) {
                    let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                    files.push((format!("../{rel}"), t));
                }
            }
        }
        for case in read_dir_sorted(&root.join("tests/bad_input")) {
            for p in read_dir_sorted(&case) {
                let Ok(text) = std::fs::read_to_string(&p) else {
                    continue;
                };
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                if name == "scenario.yaml" {
                    seeds.push(Seed {
                        name: case.file_name().unwrap().to_string_lossy().into_owned(),
                        text,
                    });
                } else if p.extension().is_some_and(|e| e == "csv") {
                    files.push((name, text));
                }
            }
        }
        assert!(seeds.len() > 50, "{} seeds", seeds.len());
        Corpus { seeds, files }
    })
}

/// Values that have broken parsers before: boundaries, wrong types, YAML oddities.
const VALUES: &[&str] = &[
    "0",
    "-1",
    "1",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "18446744073709551616",
    "99999999999999999999999",
    "1e400",
    "-1e400",
    "1e-400",
    "0.1",
    ".nan",
    ".inf",
    "-.inf",
    "0x7fffffff",
    "0o777",
    "\"0\"",
    "\"-5\"",
    "''",
    "\"\"",
    "~",
    "null",
    "true",
    "false",
    "yes",
    "[]",
    "{}",
    "[1, 2]",
    "{a: b}",
    "0s",
    "-5m",
    "1ns",
    "1ms",
    "9999999999h",
    "5 minutes",
    "1h1h1h",
    "1.5.5s",
    "\"1s\"",
    "*nope",
    "&a 1",
    "!!str 5",
    "!!binary aGVsbG8=",
    "|\n  x",
    ">-\n  y",
    "\"\\u0000\"",
    "\"\\xff\"",
    "é",
    "\u{202e}rtl",
    "redis",
    "rabbitmq",
    "cpu",
    "io",
    "Deployment",
    "ScaledObject",
    "Max",
    "Disabled",
    "Percent",
    "Pods",
    "Utilization",
    "AverageValue",
    "celery",
    "-c 0",
    "--concurrency=99999",
];

/// Keys to graft in: fields of the Scenario and of the manifests.
const KEYS: &[&str] = &[
    "duration",
    "sampleInterval",
    "seed",
    "manifests",
    "workers",
    "broker",
    "tasks",
    "load",
    "pods",
    "kubernetes",
    "keda",
    "metrics",
    "actions",
    "limits",
    "replicas",
    "minReplicaCount",
    "maxReplicaCount",
    "idleReplicaCount",
    "pollingInterval",
    "cooldownPeriod",
    "initialCooldownPeriod",
    "listLength",
    "activationListLength",
    "behavior",
    "scaleUp",
    "scaleDown",
    "policies",
    "stabilizationWindowSeconds",
    "selectPolicy",
    "minReplicas",
    "maxReplicas",
    "metrics",
    "target",
    "averageUtilization",
    "concurrency",
    "prefetchMultiplier",
    "acksLate",
    "visibilityTimeout",
    "count",
    "rate",
    "every",
    "at",
    "from",
    "to",
    "countdown",
    "priority",
    "kind",
    "apiVersion",
    "name",
    "namespace",
    "command",
    "args",
    "env",
    "resources",
    "readinessProbe",
    "terminationGracePeriodSeconds",
    "<<",
    "? complex",
    "\"quoted key\"",
];

#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the byte at (fraction of the length) with a byte.
    Byte(f64, u8),
    /// Delete a byte range.
    Delete(f64, usize),
    /// Insert text at a position.
    Insert(f64, String),
    /// Replace the value after the n-th `: ` with one of [`VALUES`].
    Value(usize, usize),
    /// Replace the n-th key with one of [`KEYS`].
    Key(usize, usize),
    /// Delete, duplicate or swap lines.
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    /// Change the indentation of a line.
    Indent(usize, usize),
    /// Append the start of another seed.
    Splice(usize, f64),
    /// Cut the text at a point.
    Truncate(f64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let f = 0.0f64..1.0;
    prop_oneof![
        2 => (f.clone(), any::<u8>()).prop_map(|(p, b)| Mutation::Byte(p, b)),
        1 => (f.clone(), 1usize..64).prop_map(|(p, n)| Mutation::Delete(p, n)),
        2 => (f.clone(), prop_oneof![
            "[ -~\n]{0,12}",
            prop::sample::select(VALUES).prop_map(|v| format!(" {v}")),
            prop::sample::select(KEYS).prop_map(|k| format!("\n{k}: ")),
            Just("\n---\n".to_string()),
            Just("&x ".to_string()),
            Just("*x".to_string()),
            Just("\t".to_string()),
            Just("\u{feff}".to_string()),
        ]).prop_map(|(p, s)| Mutation::Insert(p, s)),
        6 => (any::<usize>(), 0..VALUES.len()).prop_map(|(n, v)| Mutation::Value(n, v)),
        2 => (any::<usize>(), 0..KEYS.len()).prop_map(|(n, k)| Mutation::Key(n, k)),
        1 => any::<usize>().prop_map(Mutation::DeleteLine),
        1 => any::<usize>().prop_map(Mutation::DuplicateLine),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => (any::<usize>(), 0usize..9).prop_map(|(l, n)| Mutation::Indent(l, n)),
        1 => (any::<usize>(), f.clone()).prop_map(|(s, p)| Mutation::Splice(s, p)),
        1 => f.prop_map(Mutation::Truncate),
    ]
}

/// A char boundary near `frac` of `s`.
fn at(s: &str, frac: f64) -> usize {
    let mut i = ((s.len() as f64) * frac) as usize;
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &mut String, m: &Mutation, seeds: &[Seed]) {
    match m {
        Mutation::Byte(p, b) => {
            // Work on bytes, then keep the text valid UTF-8 (the loader takes `&str`;
            // non-UTF-8 files are covered by the corpus and `Source::read`).
            let mut bytes = std::mem::take(text).into_bytes();
            if !bytes.is_empty() {
                let i = ((bytes.len() as f64 * p) as usize).min(bytes.len() - 1);
                bytes[i] = *b;
            }
            *text = String::from_utf8_lossy(&bytes).into_owned();
        }
        Mutation::Delete(p, n) => {
            let a = at(text, *p);
            let mut b = (a + n).min(text.len());
            while !text.is_char_boundary(b) {
                b += 1;
            }
            text.replace_range(a..b, "");
        }
        Mutation::Insert(p, s) => {
            let a = at(text, *p);
            text.insert_str(a, s);
        }
        Mutation::Value(n, v) => {
            let hits: Vec<usize> = text.match_indices(": ").map(|(i, _)| i + 2).collect();
            if hits.is_empty() {
                return;
            }
            let start = hits[n % hits.len()];
            let end = text[start..]
                .find(['\n', ',', '}', ']'])
                .map_or(text.len(), |e| start + e);
            text.replace_range(start..end, VALUES[*v]);
        }
        Mutation::Key(n, k) => {
            let hits: Vec<(usize, usize)> = text
                .match_indices(": ")
                .filter_map(|(i, _)| {
                    let line_start = text[..i].rfind(['\n', '{', ',']).map_or(0, |s| s + 1);
                    let key = &text[line_start..i];
                    let trimmed = key.trim_start_matches([' ', '-']);
                    (!trimmed.is_empty()).then_some((i - trimmed.len(), i))
                })
                .collect();
            if hits.is_empty() {
                return;
            }
            let (a, b) = hits[n % hits.len()];
            text.replace_range(a..b, KEYS[*k]);
        }
        Mutation::DeleteLine(n) | Mutation::DuplicateLine(n) | Mutation::Indent(n, _) => {
            let mut lines: Vec<String> = text.lines().map(String::from).collect();
            if lines.is_empty() {
                return;
            }
            let i = n % lines.len();
            match m {
                Mutation::DeleteLine(_) => {
                    lines.remove(i);
                }
                Mutation::DuplicateLine(_) => {
                    let l = lines[i].clone();
                    lines.insert(i, l);
                }
                Mutation::Indent(_, k) => {
                    let t = lines[i].trim_start().to_string();
                    lines[i] = format!("{}{t}", " ".repeat(*k));
                }
                _ => unreachable!(),
            }
            *text = lines.join("\n") + "\n";
        }
        Mutation::SwapLines(a, b) => {
            let mut lines: Vec<&str> = text.lines().collect();
            if lines.len() < 2 {
                return;
            }
            let (a, b) = (a % lines.len(), b % lines.len());
            lines.swap(a, b);
            *text = lines.join("\n") + "\n";
        }
        Mutation::Splice(s, p) => {
            let other = &seeds[s % seeds.len()].text;
            let cut = at(other, *p);
            text.push_str("\n---\n");
            text.push_str(&other[..cut]);
        }
        Mutation::Truncate(p) => {
            let a = at(text, *p);
            text.truncate(a);
        }
    }
}

fn config() -> ProptestConfig {
    let cases = ["SCALESIM_FUZZ_CASES", "PROPTEST_CASES"]
        .iter()
        .find_map(|k| std::env::var(k).ok()?.parse().ok())
        .unwrap_or(10_000);
    ProptestConfig {
        cases,
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    }
}

/// One fuzz input through the loader, the simulator and the emitter.
fn check(text: &str) -> Result<(), TestCaseError> {
    let c = corpus();
    let files: Vec<(&str, &str)> = c
        .files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let start = Instant::now();
    let loaded = load_str(text, &files, &LoadOptions::default());
    let took = start.elapsed();
    prop_assert!(took < Duration::from_secs(5), "loading took {took:?}");
    match loaded {
        Err(d) => {
            let shown = d.to_string();
            prop_assert!(!d.0.is_empty() && shown.starts_with("error: "), "{shown}");
        }
        Ok(mut sc) => {
            sc.limits.max_events = 200_000;
            sc.limits.max_pending = 200_000;
            sc.max_tasks_in_flight = 100_000;
            sc.max_pods = 200;
            if sc.duration.0 / sc.sample_interval.0.max(1) <= 200_000 {
                let mut sink = MemorySink {
                    drop_rows: true,
                    ..MemorySink::default()
                };
                match scalesim::sim::run(&sc, &mut sink, &mut |_| {}) {
                    Ok(_)
                    | Err(SimError::Engine(_))
                    | Err(SimError::TooManyTasks { .. })
                    | Err(SimError::TooManyPods { .. }) => {}
                    Err(e) => prop_assert!(false, "the run failed: {e}"),
                }
            }
        }
    }
    if let Ok(docs) = parse_stream(text, &Arc::from("fuzz.yaml")) {
        let out = emit::stream(&docs);
        let again = parse_stream(&out, &Arc::from("emitted.yaml"));
        prop_assert!(
            again.is_ok(),
            "emitted YAML does not parse: {:?}\n{out}",
            again.err()
        );
        let again = again.unwrap();
        prop_assert_eq!(docs.len(), again.len());
        for (a, b) in docs.iter().zip(&again) {
            prop_assert!(
                emit::same_tree(&a.root, &b.root),
                "emitted YAML differs:\n{out}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_scenarios_never_crash_the_loader(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let c = corpus();
        let s = seed.get(&c.seeds);
        let mut text = s.text.clone();
        for m in &mutations {
            apply(&mut text, m, &c.seeds);
        }
        check(&text).map_err(|e| TestCaseError::fail(format!("seed {}: {e}\n--- input:\n{text}", s.name)))?;
    }

    #[test]
    fn arbitrary_text_never_crashes_the_loader(text in "(?s).{0,400}") {
        check(&text)?;
    }

    #[test]
    fn mutated_generated_scenarios_never_crash_the_loader(
        g in props_support::scenario(30, 120),
        mutations in prop::collection::vec(mutation(), 0..4),
    ) {
        let mut text = g.yaml();
        for m in &mutations {
            apply(&mut text, m, &corpus().seeds);
        }
        check(&text).map_err(|e| TestCaseError::fail(format!("{e}\n--- input:\n{text}")))?;
    }
}

/// Every seed itself goes through the same checks (and the emitter round trip).
#[test]
fn every_seed_passes_the_checks() {
    for s in &corpus().seeds {
        if let Err(e) = check(&s.text) {
            panic!("{}: {e}", s.name);
        }
    }
}

/// Found by this fuzzer (a generated scenario with `terminationGracePeriodSeconds` mutated
/// to 2^63-1): durations near the 584-year limit of simulated time overflowed it when added
/// to the clock and panicked. They load and run now; events that far out never happen.
/// (In a debug build the grace period's seconds-to-nanoseconds conversion overflowed too.)
#[test]
fn found_by_the_fuzzer_durations_near_the_end_of_time_do_not_panic() {
    let max = "5124095h34m33s"; // u64::MAX nanoseconds, rounded down to the second
    let base = |task: &str, extra_spec: &str, pod: &str| {
        format!(
            "apiVersion: scalesim.dev/v1alpha1\nkind: Scenario\nmetadata: {{name: ovf}}\nspec:\n  duration: 2m\n  tasks: [{{name: t, duration: {task}}}]\n  load: [{{burst: {{task: t, count: 3, at: 1s}}}}]\n  actions: [{{scale: {{at: 30s, deployment: w, replicas: 0}}}}]\n{extra_spec}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w}}\nspec:\n  replicas: 1\n  template:\n    spec:\n{pod}      containers:\n      - name: w\n        command: [celery, -A, app, worker, -c, \"1\"]\n        readinessProbe: {{exec: {{command: [x]}}, initialDelaySeconds: 2147483647, periodSeconds: 2147483647, successThreshold: 2147483647}}\n"
        )
    };
    let cases = [
        base(
            "1s",
            "",
            "      terminationGracePeriodSeconds: 9223372036854775807\n",
        ),
        base(max, "", ""),
        base(&format!("1s, countdown: {max}"), "", ""),
        base("1s", &format!("  sampleInterval: {max}\n"), ""),
        base(
            "1s",
            &format!("  pods: {{initialPods: starting, startup: {{celeryBoot: {max}}}}}\n"),
            "",
        ),
    ];
    for text in cases {
        let sc =
            load_str(&text, &[], &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let o = scalesim::testing::observe(&sc).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let v = scalesim::testing::check_all(&o);
        assert!(v.is_empty(), "{v:?}\n{text}");
    }
}
