//! The counter-example search: run a scenario under many variations of `--set` overrides and
//! seeds, check a property on each run, and shrink the first failure to its simplest form.

use std::fmt;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::scenario::{self, LoadOptions, Scenario, Source};
use crate::time::{format_go_duration, parse_go_duration, Dur};
use crate::yaml::path::{apply, parse_override, Segment};
use crate::yaml::{parse_stream, Kind, Node, Origin};

use super::{check_all, emit, observe, Observed};

/// Cases a hunt runs when neither [`Hunt::cases`] nor the environment says otherwise.
pub const DEFAULT_CASES: u32 = 64;

/// Most extra runs spent shrinking a failure.
pub const DEFAULT_SHRINK_RUNS: u32 = 200;

/// The values one varied setting may take.
#[derive(Clone, Debug, PartialEq)]
pub enum Domain {
    /// Integers in `[lo, hi]`; shrinks toward `lo`.
    Int {
        /// Smallest (and simplest) value.
        lo: i64,
        /// Largest value.
        hi: i64,
    },
    /// Numbers in `[lo, hi]`; shrinks toward `lo`.
    Float {
        /// Smallest (and simplest) value.
        lo: f64,
        /// Largest value.
        hi: f64,
    },
    /// Durations in `[lo, hi]`, in whole milliseconds, written like `1500ms` or `2m30s`;
    /// shrinks toward `lo`.
    Duration {
        /// Shortest (and simplest) value.
        lo: Dur,
        /// Longest value.
        hi: Dur,
    },
    /// One of these values, written as given; shrinks toward the first.
    Choice(Vec<String>),
}

impl Domain {
    /// Integers in `lo..=hi`.
    pub fn ints(lo: i64, hi: i64) -> Domain {
        Domain::Int {
            lo: lo.min(hi),
            hi: lo.max(hi),
        }
    }
    /// Numbers in `[lo, hi]`.
    pub fn floats(lo: f64, hi: f64) -> Domain {
        Domain::Float {
            lo: lo.min(hi),
            hi: lo.max(hi),
        }
    }
    /// Durations between two Go durations (`"1s"`, `"5m"`); panics on a malformed one (it is
    /// a mistake in the test, not in the input).
    pub fn durations(lo: &str, hi: &str) -> Domain {
        let p = |s: &str| parse_go_duration(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        let (a, b) = (p(lo), p(hi));
        Domain::Duration {
            lo: a.min(b),
            hi: a.max(b),
        }
    }
    /// One of these values.
    pub fn choice<S: AsRef<str>>(values: &[S]) -> Domain {
        assert!(!values.is_empty(), "a choice needs at least one value");
        Domain::Choice(values.iter().map(|v| v.as_ref().to_string()).collect())
    }
}

/// A value drawn from a [`Domain`], in a form that orders and shrinks.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Val {
    I(i64),
    F(f64),
    /// Milliseconds.
    D(u64),
    C(usize),
}

/// Where a varied value goes.
#[derive(Clone, Debug, PartialEq)]
enum Target {
    /// A `--set` key.
    Set(String),
    /// The master seed.
    Seed,
}

#[derive(Clone, Debug)]
struct Dim {
    target: Target,
    domain: Domain,
}

impl Dim {
    fn low(&self) -> Val {
        match &self.domain {
            Domain::Int { lo, .. } => Val::I(*lo),
            Domain::Float { lo, .. } => Val::F(*lo),
            Domain::Duration { lo, .. } => Val::D(lo.0 / 1_000_000),
            Domain::Choice(_) => Val::C(0),
        }
    }
    fn high(&self) -> Val {
        match &self.domain {
            Domain::Int { hi, .. } => Val::I(*hi),
            Domain::Float { hi, .. } => Val::F(*hi),
            Domain::Duration { hi, .. } => Val::D(hi.0 / 1_000_000),
            Domain::Choice(v) => Val::C(v.len() - 1),
        }
    }
    fn draw(&self, rng: &mut ChaCha8Rng) -> Val {
        match &self.domain {
            Domain::Int { lo, hi } => {
                let span = (*hi as i128 - *lo as i128) as u128 + 1;
                Val::I((*lo as i128 + below(rng, span) as i128) as i64)
            }
            Domain::Float { lo, hi } => Val::F(lo + (hi - lo) * crate::rng::unit_f64(rng)),
            Domain::Duration { lo, hi } => {
                let (a, b) = (lo.0 / 1_000_000, hi.0 / 1_000_000);
                Val::D(a + below(rng, (b - a) as u128 + 1) as u64)
            }
            Domain::Choice(v) => Val::C(below(rng, v.len() as u128) as usize),
        }
    }
    fn text(&self, v: Val) -> String {
        match (v, &self.domain) {
            (Val::I(i), _) => i.to_string(),
            (Val::F(f), _) => {
                let s = format!("{f:.6}");
                let s = s.trim_end_matches('0').trim_end_matches('.');
                if s.contains('.') {
                    s.to_string()
                } else {
                    format!("{s}.0")
                }
            }
            (Val::D(ms), _) => format_go_duration(Dur::from_millis(ms)),
            (Val::C(i), Domain::Choice(c)) => c[i].clone(),
            (Val::C(i), _) => i.to_string(),
        }
    }
    /// A value between `pass` (closer to the simplest) and `fail`, or `None` when they are
    /// adjacent.
    fn between(&self, pass: Val, fail: Val) -> Option<Val> {
        match (pass, fail) {
            (Val::I(a), Val::I(b)) => {
                let m = a + (b - a) / 2;
                (m != a && m != b).then_some(Val::I(m))
            }
            (Val::D(a), Val::D(b)) => {
                let m = a / 2 + b / 2 + (a % 2 + b % 2) / 2;
                (m != a && m != b).then_some(Val::D(m))
            }
            (Val::F(a), Val::F(b)) => {
                let span = match &self.domain {
                    Domain::Float { lo, hi } => (hi - lo).abs(),
                    _ => 1.0,
                };
                ((b - a).abs() > span * 1e-3).then_some(Val::F((a + b) / 2.0))
            }
            _ => None,
        }
    }
}

/// Where the base scenario comes from.
#[derive(Clone, Debug)]
enum Base {
    File(String),
    Text(Vec<(String, String)>),
}

/// A property to check on runs of one scenario under varied settings.
///
/// Each case draws a value for every varied setting (case 0 takes every lowest value, case 1
/// every highest, the rest are random from a fixed seed, so a hunt is reproducible), loads
/// the scenario with those `--set` overrides, runs it, and checks the property and the
/// simulator's [invariants](super::invariants). On failure the case is shrunk: each setting in
/// turn moves toward its simplest value (the lowest, the first choice) as far as the property
/// still fails, and the result is reported as a [`CounterExample`] that prints as a scenario
/// file you can `scalesim run`.
///
/// Cases whose overrides make the scenario invalid (say `minReplicaCount` above
/// `maxReplicaCount`) are skipped and counted as rejected. Cases run in parallel; the result
/// does not depend on the number of threads.
#[derive(Clone, Debug)]
pub struct Hunt {
    base: Base,
    dims: Vec<Dim>,
    cases: Option<u32>,
    seed: u64,
    invariants: bool,
    shrink_runs: u32,
}

/// What a successful hunt did.
#[derive(Clone, Debug, PartialEq)]
pub struct HuntReport {
    /// Cases run and checked.
    pub cases: u32,
    /// Cases whose overrides did not load (skipped).
    pub rejected: u32,
}

/// Why a case did not pass.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Pass,
    Rejected(String),
    Fail(String),
}

/// A failing case, shrunk: the overrides and seed that break the property, and why.
#[derive(Clone, Debug)]
pub struct CounterExample {
    /// The property's name.
    pub property: String,
    /// Why it failed (the property's message, an invariant violation, or a run error).
    pub message: String,
    /// `--set` arguments of the case (empty ones omitted).
    pub overrides: Vec<String>,
    /// `--seed` of the case, when seeds were varied.
    pub seed: Option<u64>,
    /// The scenario file as the user named it (None for a scenario given as text).
    pub file: Option<String>,
    /// The case as one self-contained scenario file: overrides and seed applied, every
    /// manifest inlined.
    pub scenario_yaml: String,
    /// Index of the case that failed first, before shrinking.
    pub case: u32,
    /// Shrinking runs spent.
    pub shrink_runs: u32,
}

impl CounterExample {
    /// The `scalesim run` command that replays the case on the original file.
    pub fn command(&self) -> String {
        let mut c = format!(
            "scalesim run {}",
            self.file.as_deref().unwrap_or("<scenario.yaml>")
        );
        if let Some(s) = self.seed {
            c.push_str(&format!(" --seed {s}"));
        }
        for o in &self.overrides {
            c.push_str(&format!(" --set '{o}'"));
        }
        c
    }
}

impl fmt::Display for CounterExample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "property {:?} failed: {}\ncounter-example (case {}, shrunk in {} runs):\n  {}\nor save this as a scenario file and `scalesim run` it:\n",
            self.property,
            self.message,
            self.case,
            self.shrink_runs,
            self.command()
        )?;
        f.write_str(&self.scenario_yaml)
    }
}

impl std::error::Error for CounterExample {}

impl Hunt {
    /// A hunt over the scenario file at `path` (relative paths inside it resolve as
    /// `scalesim run` resolves them).
    pub fn file(path: &str) -> Hunt {
        Hunt::with_base(Base::File(path.to_string()))
    }

    /// A hunt over a scenario held in memory, with further in-memory files it references
    /// (as [`scenario::load_str`]).
    pub fn text(text: &str, files: &[(&str, &str)]) -> Hunt {
        let mut all = vec![("scenario.yaml".to_string(), text.to_string())];
        all.extend(
            files
                .iter()
                .map(|(n, t)| (crate::scenario::files::normalize(n), t.to_string())),
        );
        Hunt::with_base(Base::Text(all))
    }

    fn with_base(base: Base) -> Hunt {
        Hunt {
            base,
            dims: Vec::new(),
            cases: None,
            seed: 0x5ca1e,
            invariants: true,
            shrink_runs: DEFAULT_SHRINK_RUNS,
        }
    }

    /// Varies a setting named like a `--set` key: `load.0.burst.count` (Scenario, relative to
    /// `spec`) or `ScaledObject/my-so:spec.pollingInterval` (a manifest).
    pub fn vary(mut self, key: &str, domain: Domain) -> Hunt {
        self.dims.push(Dim {
            target: Target::Set(key.to_string()),
            domain,
        });
        self
    }

    /// Varies the master seed in `lo..=hi` (shrinks toward `lo`).
    pub fn seeds(mut self, lo: u64, hi: u64) -> Hunt {
        let lo = lo.min(i64::MAX as u64) as i64;
        let hi = hi.min(i64::MAX as u64) as i64;
        self.dims.push(Dim {
            target: Target::Seed,
            domain: Domain::ints(lo, hi),
        });
        self
    }

    /// Cases to run. The environment wins when set: `SCALESIM_CASES`, else `PROPTEST_CASES`.
    pub fn cases(mut self, n: u32) -> Hunt {
        self.cases = Some(n);
        self
    }

    /// The seed of the case generator (default fixed, so hunts are reproducible).
    pub fn generator_seed(mut self, seed: u64) -> Hunt {
        self.seed = seed;
        self
    }

    /// Also check the simulator's invariants on every case (default: yes).
    pub fn invariants(mut self, on: bool) -> Hunt {
        self.invariants = on;
        self
    }

    /// Most extra runs spent shrinking a failure (default 200).
    pub fn shrink_runs(mut self, n: u32) -> Hunt {
        self.shrink_runs = n;
        self
    }

    /// The number of cases this hunt runs, after the environment.
    pub fn case_count(&self) -> u32 {
        env_cases().or(self.cases).unwrap_or(DEFAULT_CASES).max(1)
    }

    /// Runs the hunt: `Ok` when every case passed, else the shrunk counter-example.
    pub fn check<P>(&self, name: &str, property: P) -> Result<HuntReport, Box<CounterExample>>
    where
        P: Fn(&Observed) -> Result<(), String> + Sync,
    {
        let cases = self.case_count();
        let assignments: Vec<Vec<Val>> = (0..cases).map(|i| self.assignment(i)).collect();
        let outcomes: Vec<Outcome> = assignments
            .par_iter()
            .map(|a| self.run_case(a, &property))
            .collect();
        let rejected = outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Rejected(_)))
            .count() as u32;
        let Some(first) = outcomes.iter().position(|o| matches!(o, Outcome::Fail(_))) else {
            if rejected == cases {
                let why = match outcomes.first() {
                    Some(Outcome::Rejected(m)) => m.clone(),
                    _ => String::new(),
                };
                return Err(Box::new(CounterExample {
                    property: name.to_string(),
                    message: format!("every case was rejected: the scenario does not load with the varied settings:\n{why}"),
                    overrides: self.overrides(&assignments[0]),
                    seed: self.seed_of(&assignments[0]),
                    file: self.file_name(),
                    scenario_yaml: String::new(),
                    case: 0,
                    shrink_runs: 0,
                }));
            }
            return Ok(HuntReport {
                cases: cases - rejected,
                rejected,
            });
        };
        let (vals, message, runs) =
            self.shrink(assignments[first].clone(), &outcomes[first], &property);
        let overrides = self.overrides(&vals);
        let seed = self.seed_of(&vals);
        let scenario_yaml = self.counter_example_yaml(&vals, name, &message);
        Err(Box::new(CounterExample {
            property: name.to_string(),
            message,
            overrides,
            seed,
            file: self.file_name(),
            scenario_yaml,
            case: first as u32,
            shrink_runs: runs,
        }))
    }

    /// [`Hunt::check`] for `#[test]`s: panics with the counter-example.
    pub fn assert<P>(&self, name: &str, property: P) -> HuntReport
    where
        P: Fn(&Observed) -> Result<(), String> + Sync,
    {
        match self.check(name, property) {
            Ok(r) => r,
            Err(c) => panic!("{c}"),
        }
    }

    fn file_name(&self) -> Option<String> {
        match &self.base {
            Base::File(f) => Some(f.clone()),
            Base::Text(_) => None,
        }
    }

    fn assignment(&self, case: u32) -> Vec<Val> {
        match case {
            0 => self.dims.iter().map(Dim::low).collect(),
            1 => self.dims.iter().map(Dim::high).collect(),
            _ => {
                let mut rng = ChaCha8Rng::seed_from_u64(
                    self.seed ^ (case as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
                );
                let _ = rng.next_u64();
                self.dims.iter().map(|d| d.draw(&mut rng)).collect()
            }
        }
    }

    fn overrides(&self, vals: &[Val]) -> Vec<String> {
        self.dims
            .iter()
            .zip(vals)
            .filter_map(|(d, v)| match &d.target {
                Target::Set(k) => Some(format!("{k}={}", d.text(*v))),
                Target::Seed => None,
            })
            .collect()
    }

    fn seed_of(&self, vals: &[Val]) -> Option<u64> {
        self.dims
            .iter()
            .zip(vals)
            .find_map(|(d, v)| match (&d.target, v) {
                (Target::Seed, Val::I(s)) => Some(*s as u64),
                _ => None,
            })
    }

    fn load(&self, vals: &[Val]) -> Result<Scenario, String> {
        let opts = LoadOptions {
            overrides: self.overrides(vals),
            seed: self.seed_of(vals),
        };
        let r = match &self.base {
            Base::File(p) => scenario::load(&Source::Disk, p, &opts),
            Base::Text(files) => scenario::load(
                &Source::Memory(std::sync::Arc::new(files.clone())),
                "scenario.yaml",
                &opts,
            ),
        };
        r.map_err(|d| d.to_string())
    }

    fn run_case<P>(&self, vals: &[Val], property: &P) -> Outcome
    where
        P: Fn(&Observed) -> Result<(), String> + Sync,
    {
        let sc = match self.load(vals) {
            Ok(s) => s,
            Err(e) => return Outcome::Rejected(e),
        };
        let o = match observe(&sc) {
            Ok(o) => o,
            Err(e) => return Outcome::Fail(format!("the run stopped: {e}")),
        };
        if self.invariants {
            if let Some(v) = check_all(&o).into_iter().next() {
                return Outcome::Fail(format!("simulator invariant broken: {v}"));
            }
        }
        match property(&o) {
            Ok(()) => Outcome::Pass,
            Err(m) => Outcome::Fail(m),
        }
    }

    /// Moves each value toward its simplest while the case still fails.
    fn shrink<P>(
        &self,
        mut vals: Vec<Val>,
        first: &Outcome,
        property: &P,
    ) -> (Vec<Val>, String, u32)
    where
        P: Fn(&Observed) -> Result<(), String> + Sync,
    {
        let mut message = match first {
            Outcome::Fail(m) => m.clone(),
            _ => String::new(),
        };
        let mut runs = 0u32;
        let budget = self.shrink_runs;
        let try_vals = |cand: &Vec<Val>, runs: &mut u32| -> Option<String> {
            if *runs >= budget {
                return None;
            }
            *runs += 1;
            match self.run_case(cand, property) {
                Outcome::Fail(m) => Some(m),
                _ => None,
            }
        };
        for _round in 0..2 {
            let before = vals.clone();
            for i in 0..self.dims.len() {
                let d = &self.dims[i];
                let simplest = d.low();
                if vals[i] == simplest {
                    continue;
                }
                if let Val::C(cur) = vals[i] {
                    for c in 0..cur {
                        let mut cand = vals.clone();
                        cand[i] = Val::C(c);
                        if let Some(m) = try_vals(&cand, &mut runs) {
                            vals = cand;
                            message = m;
                            break;
                        }
                    }
                    continue;
                }
                let mut cand = vals.clone();
                cand[i] = simplest;
                if let Some(m) = try_vals(&cand, &mut runs) {
                    vals = cand;
                    message = m;
                    continue;
                }
                let (mut pass, mut failing) = (simplest, vals[i]);
                while let Some(mid) = d.between(pass, failing) {
                    let mut cand = vals.clone();
                    cand[i] = mid;
                    match try_vals(&cand, &mut runs) {
                        Some(m) => {
                            failing = mid;
                            message = m;
                        }
                        None => pass = mid,
                    }
                    if runs >= budget {
                        break;
                    }
                }
                vals[i] = failing;
            }
            if vals == before || runs >= budget {
                break;
            }
        }
        (vals, message, runs)
    }

    /// The case as one self-contained scenario file.
    fn counter_example_yaml(&self, vals: &[Val], property: &str, message: &str) -> String {
        let sc = match self.load(vals) {
            Ok(s) => s,
            Err(e) => return format!("# (the case no longer loads: {e})\n"),
        };
        let mut out = String::new();
        out.push_str(&format!(
            "# Counter-example to the property {property:?}:\n"
        ));
        for line in message.lines() {
            out.push_str(&format!("#   {line}\n"));
        }
        if let Some(f) = self.file_name() {
            out.push_str(&format!(
                "# From {f}; save this next to it (relative paths such as traces resolve there).\n"
            ));
        }
        for o in self.overrides(vals) {
            out.push_str(&format!("# --set {o}\n"));
        }
        out.push_str(&scenario_file(&sc));
        out
    }
}

/// A uniform draw in `0..n` (`n` >= 1), by 128-bit multiply-shift (bias below 2^-64).
fn below(rng: &mut ChaCha8Rng, n: u128) -> u128 {
    if n > u64::MAX as u128 {
        return ((rng.next_u64() as u128) << 64 | rng.next_u64() as u128) % n;
    }
    (rng.next_u64() as u128 * n) >> 64
}

fn env_cases() -> Option<u32> {
    ["SCALESIM_CASES", "PROPTEST_CASES"]
        .iter()
        .find_map(|k| std::env::var(k).ok()?.trim().parse().ok())
}

/// A loaded scenario as one self-contained file: its Scenario document with the `--set`
/// overrides and the seed written in and `spec.manifests` removed, followed by every manifest
/// (overrides applied) inline. Comments and anchors are not kept.
pub fn scenario_file(sc: &Scenario) -> String {
    let file: std::sync::Arc<str> = std::sync::Arc::from(sc.file.as_str());
    let Ok(docs) = parse_stream(&sc.text, &file) else {
        return format!("# (the scenario text no longer parses)\n{}", sc.text);
    };
    let Some(mut sdoc) = docs
        .into_iter()
        .find(|d| d.root.get("kind").and_then(Node::as_str) == Some("Scenario"))
    else {
        return sc.text.clone();
    };
    for (i, raw) in sc.overrides.iter().enumerate() {
        let Ok(o) = parse_override(raw, i) else {
            continue;
        };
        if o.target.is_some() {
            continue;
        }
        let mut p = o.path.clone();
        if !matches!(p.first(), Some(Segment::Key(k)) if k == "spec" || k == "metadata") {
            p.insert(0, Segment::Key("spec".into()));
        }
        let _ = apply(&mut sdoc.root, &p, o.value.clone());
    }
    let seed = Node::scalar(sc.seed.to_string(), Origin::Override(usize::MAX));
    let _ = apply(
        &mut sdoc.root,
        &[Segment::Key("spec".into()), Segment::Key("seed".into())],
        seed,
    );
    if let Some(spec) = sdoc.root.get_mut("spec") {
        if let Kind::Map(entries) = &mut spec.kind {
            entries.retain(|(k, _)| k.text != "manifests");
        }
    }
    let mut roots: Vec<&Node> = vec![&sdoc.root];
    roots.extend(sc.manifests.iter().map(|m| &m.doc.root));
    emit::documents(&roots)
}
