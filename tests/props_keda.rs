//! Properties of KEDA's own scaling (`scalesim::keda::scale_loop::poll`), over generated
//! ScaledObjects (pollingInterval, cooldownPeriod, initialCooldownPeriod, min/idle/max,
//! activation threshold, loop start) and timelines: the Redis list length changing at random
//! instants, Redis going down and coming back, the HPA resizing between 1 and max, and
//! `kubectl scale` writes.
//!
//! Checked on every poll:
//!
//! * **cooldown**: KEDA scales to zero (or to `idleReplicaCount`) only after `cooldownPeriod`
//!   has passed since the last poll that found the list active (counted from that poll's
//!   whole second, as KEDA stores `lastActiveTime`), or `initialCooldownPeriod` since
//!   creation if no poll ever did; never while a trigger fails.
//! * **activation**: a poll that sees more than `activationListLength` messages at zero
//!   replicas (or at idle, below min) writes `max(minReplicaCount, 1)`; polls come exactly
//!   `pollingInterval` apart, so messages that become visible at zero replicas are acted on
//!   within one interval.
//! * **own counts**: KEDA writes only 0, `idleReplicaCount`, `minReplicaCount` or
//!   `max(minReplicaCount, 1)`, never anything else between 1 and max (that is the HPA's).
//!
//! 2048 cases of up to 80 timeline steps (`PROPTEST_CASES` to change); about 0.4 s in release.

use std::sync::Arc;

use proptest::prelude::*;
use scalesim::keda::compiled::{CompiledScaledObject, ScalerInputs};
use scalesim::keda::scale_loop::{poll, ScaledObjectState};
use scalesim::keda::scalers::MapEnv;
use scalesim::time::{SimTime, NANOS_PER_SEC};
use scalesim::yaml::de::DeContext;
use scalesim::yaml::parse_stream;

mod props_support;
use props_support::config_cases;

#[derive(Clone, Debug)]
struct So {
    polling: i32,
    cooldown: Option<i32>,
    initial_cooldown: Option<i32>,
    min: Option<i32>,
    idle: Option<i32>,
    max: i32,
    activation: i64,
    loop_start_ms: u64,
}

impl So {
    fn yaml(&self) -> String {
        let mut s = format!(
            "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {{name: so}}\nspec:\n  scaleTargetRef: {{name: w}}\n  pollingInterval: {}\n  maxReplicaCount: {}\n",
            self.polling, self.max
        );
        if let Some(c) = self.cooldown {
            s.push_str(&format!("  cooldownPeriod: {c}\n"));
        }
        if let Some(c) = self.initial_cooldown {
            s.push_str(&format!("  initialCooldownPeriod: {c}\n"));
        }
        if let Some(m) = self.min {
            s.push_str(&format!("  minReplicaCount: {m}\n"));
        }
        if let Some(i) = self.idle {
            s.push_str(&format!("  idleReplicaCount: {i}\n"));
        }
        s.push_str(&format!(
            "  triggers:\n  - {{type: redis, metadata: {{address: \"r:6379\", listName: q, listLength: \"5\", activationListLength: \"{}\"}}}}\n",
            self.activation
        ));
        s
    }
}

#[derive(Clone, Debug)]
enum Change {
    /// The list now holds this many messages.
    Len(i64),
    /// Redis stops answering / answers again.
    RedisDown(bool),
    /// The HPA resizes the Deployment (only when it is at 1 or more).
    Hpa(i32),
    /// Someone runs `kubectl scale`.
    Outside(i32),
}

fn so() -> impl Strategy<Value = So> {
    (
        1i32..=60,
        prop::option::of(0i32..=600),
        prop::option::weighted(0.3, 0i32..=300),
        prop::option::of(0i32..=3),
        prop::option::weighted(0.3, 0i32..=2),
        1i32..=20,
        0i64..=5,
        0u64..1000,
    )
        .prop_map(
            |(polling, cooldown, initial_cooldown, min, idle, extra, activation, loop_start_ms)| {
                So {
                    polling,
                    cooldown,
                    initial_cooldown,
                    min,
                    idle,
                    max: min.unwrap_or(0).max(1) + extra,
                    activation,
                    loop_start_ms,
                }
            },
        )
}

fn timeline() -> impl Strategy<Value = Vec<(u64, Change)>> {
    prop::collection::vec(
        (
            0u64..=120_000,
            prop_oneof![
                6 => prop_oneof![2 => Just(0i64), 3 => 0i64..=10, 1 => 0i64..=500].prop_map(Change::Len),
                1 => prop::bool::weighted(0.5).prop_map(Change::RedisDown),
                2 => (1i32..=25).prop_map(Change::Hpa),
                1 => (0i32..=25).prop_map(Change::Outside),
            ],
        ),
        1..80,
    )
}

fn ms(t: u64) -> SimTime {
    SimTime(t * 1_000_000)
}

/// Start of the whole second of `t` (KEDA's `metav1.Time`).
fn whole_second(t: SimTime) -> SimTime {
    SimTime(t.0 / NANOS_PER_SEC * NANOS_PER_SEC)
}

/// What a case exercised: (activations, scale-ins to zero or idle, polls).
type Seen = (u32, u32, u32);

fn check(so: &So, steps: &[(u64, Change)]) -> Result<Seen, TestCaseError> {
    let text = so.yaml();
    let docs = parse_stream(&text, &Arc::from("so.yaml")).unwrap();
    let Ok(c) = CompiledScaledObject::from_node(
        &docs[0].root,
        &DeContext::new(false, true),
        &ScalerInputs::default(),
    ) else {
        // e.g. idleReplicaCount not below minReplicaCount: KEDA's webhook rejects it too.
        return Ok((0, 0, 0));
    };
    let obj = &c.object;
    let s = &obj.so;
    let (min, idle) = (s.min_replica_count(), s.idle_replica_count());
    let cooldown = SimTime(s.cooldown_period_secs().max(0) as u64 * NANOS_PER_SEC);
    let initial_cooldown = SimTime(s.initial_cooldown_period_secs().max(0) as u64 * NANOS_PER_SEC);
    let period = s.polling_interval();
    let mut st = ScaledObjectState::new(&c, SimTime::ZERO, 1);
    st.start_loop(obj, ms(so.loop_start_ms));
    let mut env = MapEnv::default();
    let mut current = 1i32;
    let mut last_active: Option<SimTime> = None;
    let mut now_ms = 0u64;
    let mut last_poll: Option<SimTime> = None;
    let mut seen: Seen = (0, 0, 0);
    for (gap, change) in steps {
        let until = ms(now_ms + gap);
        // Every poll due before the change.
        while let Some(at) = st.next_poll_at().filter(|t| *t < until) {
            if let Some(lp) = last_poll {
                prop_assert_eq!(
                    at.0 - lp.0,
                    period.0,
                    "polls {} and {} are not one pollingInterval apart",
                    lp,
                    at
                );
            }
            last_poll = Some(at);
            let len = env.redis_lists.get("q").copied().unwrap_or(0);
            let down = env.redis_down.is_some();
            let out = poll(obj, &mut st, &env, at, current);
            seen.2 += 1;
            let ctx = format!(
                "poll at {at}: len {len}, redis down {down}, current {current}, outcome {:?} {:?}",
                out.decision, out.write
            );
            if out.is_active {
                prop_assert!(
                    !down && len > so.activation,
                    "active without visible messages: {ctx}"
                );
                last_active = Some(at);
            } else {
                prop_assert!(
                    down || len <= so.activation,
                    "inactive with {len} visible messages: {ctx}"
                );
            }
            // Activation.
            let woken = if idle.is_some() {
                current < min || current == 0
            } else {
                current == 0
            };
            if out.is_active && woken {
                prop_assert_eq!(out.write, Some(min.max(1)), "no activation: {}", ctx);
                seen.0 += 1;
            }
            if let Some(w) = out.write {
                // Own counts.
                let mut own = vec![0, min, min.max(1)];
                own.extend(idle);
                prop_assert!(
                    own.contains(&w),
                    "KEDA wrote {w}, not one of {own:?}: {ctx}"
                );
                // Cooldown before scaling in to zero/idle.
                if w < current && (w == 0 || Some(w) == idle) && !(current < min && idle.is_none())
                {
                    prop_assert!(!down, "scaled in while the trigger fails: {ctx}");
                    let (since, wait, what) = match last_active {
                        Some(t) => (whole_second(t), cooldown, "cooldownPeriod"),
                        None => (SimTime::ZERO, initial_cooldown, "initialCooldownPeriod"),
                    };
                    prop_assert!(
                        at.0 > since.0 + wait.0,
                        "scaled in at {at}, {what} {} from {since}: {ctx}",
                        wait
                    );
                    seen.1 += 1;
                }
                current = w;
            }
        }
        now_ms += gap;
        match change {
            Change::Len(n) => {
                env.redis_lists.insert("q".into(), *n);
            }
            Change::RedisDown(d) => {
                env.redis_down = d.then(|| "connection refused".to_string());
            }
            Change::Hpa(n) => {
                if current >= 1 {
                    current = (*n).min(so.max);
                }
            }
            Change::Outside(n) => current = *n,
        }
    }
    Ok(seen)
}

proptest! {
    #![proptest_config(config_cases(2048))]

    #[test]
    fn keda_policy_properties(so in so(), steps in timeline()) {
        check(&so, &steps)?;
    }
}

/// The generated timelines reach the branches the properties are about.
#[test]
fn timelines_activate_and_scale_in() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[3; 32]),
    );
    let strat = (so(), timeline());
    let (mut act, mut scale_in, mut polls) = (0, 0, 0);
    for _ in 0..300 {
        let (so, steps) = strat.new_tree(&mut runner).unwrap().current();
        let (a, s, p) = check(&so, &steps).unwrap();
        act += (a > 0) as u32;
        scale_in += (s > 0) as u32;
        polls += p;
    }
    eprintln!("of 300 cases: {act} activate, {scale_in} scale in; {polls} polls");
    assert!(
        act >= 30 && scale_in >= 30,
        "{act} activate, {scale_in} scale in"
    );
}
