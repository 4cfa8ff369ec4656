//! Properties of the HPA controller's scaling policy (`scalesim::hpa::reconcile`), over
//! generated specs (min/max, `behavior` with random policies, select policies and windows,
//! or none), controller settings (release, tolerance, downscale window) and histories:
//! external-metric series around and far from the target, irregular sync gaps, and outside
//! writes to `spec.replicas` (a person running `kubectl scale`).
//!
//! Checked after every pass, against an oracle that keeps its own log of the passes (it
//! does not read the controller's state):
//!
//! * **range**: a rescale lands in `[minReplicas, maxReplicas]`; with `spec.replicas` above
//!   max the controller writes max, below min (and not 0) it writes min (upstream's
//!   "current above max / below min" rules); without a rescale the count stays.
//! * **rate**: with `behavior`, no scale-up or scale-down beyond what the selected policies
//!   allow over their periods (replicas at the start of each period rebuilt from the log of
//!   the controller's own rescales, so only until the first outside write; `Disabled` allows
//!   none); without `behavior`, at most `max(2 x current, 4)` per pass.
//! * **stabilization**: no scale-down below a recommendation still inside the scale-down
//!   window (strict window with `behavior`, inclusive in the legacy path); with `behavior`,
//!   no scale-up above the lowest recommendation inside the scale-up window.
//! * **tolerance**: a usage ratio inside the tolerance proposes the current count, and then
//!   (with `behavior`, or with no higher recommendation in the legacy window) nothing changes.
//! * the same inputs give the same outcome (two controllers side by side).
//!
//! 2048 cases of up to 40 passes (`PROPTEST_CASES` to change); about 0.6 s in release.

use proptest::prelude::*;
use scalesim::hpa::spec::PartialScalingRules;
use scalesim::hpa::*;
use scalesim::time::{Dur, SimTime, NANOS_PER_SEC};

mod props_support;
use props_support::config_cases;

/// An external metric with a fixed answer (milli-units).
#[derive(Clone)]
struct Ext(i64);

impl MetricsClient for Ext {
    fn get_resource_metric(
        &mut self,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
    ) -> Result<Vec<PodMetric>, String> {
        Err("no resource metrics".into())
    }
    fn get_raw_metric(
        &mut self,
        _: &str,
        _: &str,
        _: &str,
        _: Option<&LabelSelector>,
    ) -> Result<Vec<PodMetric>, String> {
        Err("no custom metrics".into())
    }
    fn get_object_metric(
        &mut self,
        _: &str,
        _: &str,
        _: &ObjectRef,
        _: Option<&LabelSelector>,
    ) -> Result<(i64, SimTime), String> {
        Err("no custom metrics".into())
    }
    fn get_external_metric(
        &mut self,
        _: &str,
        _: &str,
        _: Option<&LabelSelector>,
    ) -> Result<Vec<i64>, String> {
        Ok(vec![self.0])
    }
}

#[derive(Clone, Debug)]
enum Metric {
    /// The value that gives a usage ratio of `1 + permille/1000` at the current count.
    Relative(i32),
    /// A fixed value (milli-units).
    Absolute(i64),
}

#[derive(Clone, Debug)]
struct Step {
    gap_s: u64,
    metric: Metric,
    /// `kubectl scale` to this count just before the pass.
    write: Option<i32>,
}

#[derive(Clone, Debug)]
struct Case {
    min: i32,
    max: i32,
    average: bool,
    target_milli: i64,
    behavior: Option<Behavior>,
    version: KubeVersion,
    tolerance: f64,
    downscale_window_s: u64,
    initial: i32,
    steps: Vec<Step>,
}

fn policy() -> impl Strategy<Value = ScalingPolicy> {
    (any::<bool>(), 1i32..=10, 1i32..=600).prop_map(|(pct, v, period)| {
        if pct {
            ScalingPolicy::percent(v * 25, period)
        } else {
            ScalingPolicy::pods(v, period)
        }
    })
}

fn rules() -> impl Strategy<Value = PartialScalingRules> {
    (
        prop::option::of(0i32..=600),
        prop::option::of(prop::sample::select(vec![
            SelectPolicy::Max,
            SelectPolicy::Min,
            SelectPolicy::Disabled,
        ])),
        prop::option::of(prop::collection::vec(policy(), 1..4)),
    )
        .prop_map(|(w, s, p)| PartialScalingRules {
            stabilization_window_seconds: w,
            select_policy: s,
            policies: p,
            tolerance: None,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        (1i32..=5, 0i32..=30, any::<bool>(), 100i64..=20_000),
        prop::option::weighted(
            0.7,
            (prop::option::of(rules()), prop::option::of(rules()))
                .prop_map(|(u, d)| Behavior::from_partial(u.as_ref(), d.as_ref())),
        ),
        prop::sample::select(vec![
            KubeVersion::V1_30,
            KubeVersion::V1_32,
            KubeVersion::V1_33,
            KubeVersion::V1_35,
            KubeVersion::Master,
        ]),
        (0u32..=30, 0u64..=600, 0i32..=40),
        prop::collection::vec(
            (
                prop_oneof![3 => Just(15u64), 1 => 1u64..=120],
                prop_oneof![
                    3 => (-600i32..=1500).prop_map(Metric::Relative),
                    1 => (0i64..=400_000).prop_map(Metric::Absolute),
                ],
                prop::option::weighted(0.08, 0i32..=40),
            )
                .prop_map(|(gap_s, metric, write)| Step {
                    gap_s,
                    metric,
                    write,
                }),
            1..40,
        ),
    )
        .prop_map(
            |(
                (min, extra, average, target_milli),
                behavior,
                version,
                (tol, window, initial),
                steps,
            )| Case {
                min,
                max: min + extra,
                average,
                target_milli,
                behavior,
                version,
                tolerance: tol as f64 / 100.0,
                downscale_window_s: window,
                initial,
                steps,
            },
        )
}

fn secs(s: i32) -> u128 {
    s.max(0) as u128 * NANOS_PER_SEC as u128
}

/// Strictly younger than `window` at `now` (`timestamp.After(now - window)`).
fn younger(t: SimTime, window: u128, now: SimTime) -> bool {
    t.0 as u128 + window > now.0 as u128
}

/// The limit one policy puts on the count, from the replicas at the start of its period.
fn policy_limit(
    p: &ScalingPolicy,
    current: i32,
    log: &[(SimTime, i32, i32)],
    now: SimTime,
    up: bool,
) -> i64 {
    let (mut added, mut removed) = (0i64, 0i64);
    for (t, from, to) in log {
        if younger(*t, secs(p.period_seconds), now) {
            if to > from {
                added += (to - from) as i64;
            } else {
                removed += (from - to) as i64;
            }
        }
    }
    let start = current as i64 - added + removed;
    match (p.kind, up) {
        (PolicyType::Pods, true) => start + p.value as i64,
        (PolicyType::Percent, true) => {
            (start as f64 * (1.0 + p.value as f64 / 100.0)).ceil() as i64
        }
        (PolicyType::Pods, false) => start - p.value as i64,
        (PolicyType::Percent, false) => (start as f64 * (1.0 - p.value as f64 / 100.0)) as i64,
    }
}

/// The count the policies of `rules` allow moving to in direction `up` (None: Disabled).
fn allowed(
    rules: &ScalingRules,
    current: i32,
    log: &[(SimTime, i32, i32)],
    now: SimTime,
    up: bool,
) -> Option<i64> {
    let limits = rules
        .policies
        .iter()
        .map(|p| policy_limit(p, current, log, now, up));
    // Max picks the policy allowing the largest change, Min the smallest.
    let largest_change = rules.select_policy == SelectPolicy::Max;
    match (rules.select_policy, up == largest_change) {
        (SelectPolicy::Disabled, _) => None,
        (_, true) => limits.max(),
        (_, false) => limits.min(),
    }
}

fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let target = if c.average {
        MetricTarget::AverageValue(c.target_milli)
    } else {
        MetricTarget::Value(c.target_milli)
    };
    let spec = HpaSpec::new(
        "w",
        "jobs",
        ObjectRef::new("apps/v1", "Deployment", "w"),
        c.min,
        c.max,
        vec![MetricSpec::external(
            "q",
            Some(LabelSelector::default()),
            target,
        )],
        c.behavior.clone(),
    );
    prop_assume!(spec.validate(&ValidationOptions::default()).is_empty());
    let mut cfg = ControllerConfig::for_version(c.version);
    cfg.tolerance = c.tolerance;
    cfg.downscale_stabilization = Dur::from_secs(c.downscale_window_s);
    let legacy_window = secs(c.downscale_window_s as i32);
    let mut state = HpaState::new();
    let mut twin = HpaState::new();
    let mut current = c.initial;
    let mut now = SimTime::from_secs(1000);
    // The oracle's own logs: recommendations (time, value) and the controller's rescales.
    let mut recs: Vec<(SimTime, i32)> = Vec::new();
    let mut log: Vec<(SimTime, i32, i32)> = Vec::new();
    // After a `kubectl scale` the replicas at the start of a policy period can no longer be
    // rebuilt from the controller's own rescales (upstream's and the oracle's alike): the
    // rate checks stop there.
    let mut outside_write = false;
    for (i, step) in c.steps.iter().enumerate() {
        now = SimTime(now.0 + step.gap_s * NANOS_PER_SEC);
        if let Some(w) = step.write {
            current = w;
            outside_write = true;
        }
        let value = match step.metric {
            Metric::Absolute(v) => v,
            Metric::Relative(pm) => {
                let base = if c.average {
                    c.target_milli * current.max(1) as i64
                } else {
                    c.target_milli
                };
                base * (1000 + pm as i64) / 1000
            }
        };
        let pods: Vec<PodInfo> = (0..current.clamp(0, 60))
            .map(|p| PodInfo::running(&format!("w-{p}"), SimTime::ZERO, 1000))
            .collect();
        let scale = ScaleInfo::new(current, "app=w");
        let out = reconcile(&spec, &cfg, &mut state, &scale, &pods, &mut Ext(value), now);
        let twin_out = reconcile(&spec, &cfg, &mut twin, &scale, &pods, &mut Ext(value), now);
        prop_assert_eq!(
            serde_json::to_string(&out.trace).unwrap(),
            serde_json::to_string(&twin_out.trace).unwrap()
        );
        let d = out.desired_replicas;
        let ctx = || {
            format!("pass {i} at {now}: current {current}, metric {value}, outcome {d} (rescale {}), trace {}", out.rescale, serde_json::to_string(&out.trace).unwrap())
        };
        if i == 0 {
            recs.push((now, current));
        }

        // Range.
        if !out.rescale {
            prop_assert_eq!(d, current, "{}", ctx());
        } else {
            prop_assert!(
                d >= c.min && d <= c.max,
                "rescale outside [{}, {}]: {}",
                c.min,
                c.max,
                ctx()
            );
        }
        if current > c.max {
            prop_assert!(out.rescale && d == c.max, "above max: {}", ctx());
        } else if current > 0 && current < c.min {
            prop_assert!(out.rescale && d == c.min, "below min: {}", ctx());
        }
        let metrics_path = out.trace.path == PassPath::Metrics;
        let Some(proposal) = out.trace.prenormalized.filter(|_| metrics_path) else {
            if out.rescale {
                log.push((now, current, d));
            }
            continue;
        };
        recs.push((now, proposal.max(0)));

        // Tolerance.
        let ratio = if c.average {
            value as f64 / (c.target_milli as f64 * current as f64)
        } else {
            value as f64 / c.target_milli as f64
        };
        if current > 0 && (ratio - 1.0).abs() < 0.9 * c.tolerance {
            prop_assert_eq!(
                proposal,
                current,
                "within tolerance (ratio {}): {}",
                ratio,
                ctx()
            );
            let quiet_legacy = recs
                .iter()
                .filter(|(t, _)| t.0 as u128 + legacy_window >= now.0 as u128)
                .all(|(_, r)| *r <= current);
            if current >= c.min && current <= c.max && (c.behavior.is_some() || quiet_legacy) {
                prop_assert!(
                    !out.rescale,
                    "tolerance changed the count (ratio {}): {}",
                    ratio,
                    ctx()
                );
            }
        }

        if current >= c.min && current <= c.max && current > 0 {
            match &c.behavior {
                Some(b) => {
                    // Stabilization windows (strict), over recommendations incl. this pass.
                    let down_w = b
                        .scale_down
                        .stabilization_window_seconds
                        .map_or(legacy_window, secs);
                    let up_w = secs(b.scale_up.stabilization_window_seconds.unwrap_or(0));
                    // Earlier recommendations (the seed included), then this pass's.
                    let earlier = &recs[..recs.len() - 1];
                    let in_down = earlier
                        .iter()
                        .filter(|(t, _)| younger(*t, down_w, now))
                        .map(|r| r.1)
                        .fold(proposal, i32::max);
                    let in_up = earlier
                        .iter()
                        .filter(|(t, _)| younger(*t, up_w, now))
                        .map(|r| r.1)
                        .fold(proposal, i32::min);
                    if d < current {
                        prop_assert!(
                            d >= in_down.min(current),
                            "scaled down to {} with {} in the window: {}",
                            d,
                            in_down,
                            ctx()
                        );
                        match allowed(&b.scale_down, current, &log, now, false) {
                            None => prop_assert!(false, "scale-down while Disabled: {}", ctx()),
                            Some(l) if !outside_write => prop_assert!(
                                d as i64 >= l.min(current as i64),
                                "scale-down beyond the policies' {}: {}",
                                l,
                                ctx()
                            ),
                            Some(_) => {}
                        }
                    }
                    if d > current {
                        prop_assert!(
                            d <= in_up.max(current),
                            "scaled up to {} above the window's lowest {}: {}",
                            d,
                            in_up,
                            ctx()
                        );
                        match allowed(&b.scale_up, current, &log, now, true) {
                            None => prop_assert!(false, "scale-up while Disabled: {}", ctx()),
                            Some(l) if !outside_write => prop_assert!(
                                d as i64 <= l.max(current as i64),
                                "scale-up beyond the policies' {}: {}",
                                l,
                                ctx()
                            ),
                            Some(_) => {}
                        }
                    }
                }
                None => {
                    if d < current {
                        let in_window = recs
                            .iter()
                            .filter(|(t, _)| t.0 as u128 + legacy_window >= now.0 as u128)
                            .map(|r| r.1)
                            .max()
                            .unwrap_or(proposal);
                        prop_assert!(
                            d >= in_window.min(current),
                            "legacy scale-down to {} with {} in the window: {}",
                            d,
                            in_window,
                            ctx()
                        );
                    }
                    if d > current {
                        let limit = ((2 * current) as f64).max(4.0) as i32;
                        prop_assert!(
                            d <= limit,
                            "legacy scale-up beyond max(2x, 4) = {}: {}",
                            limit,
                            ctx()
                        );
                    }
                }
            }
        }
        if out.rescale {
            log.push((now, current, d));
            current = d;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config_cases(2048))]

    #[test]
    fn hpa_policy_properties(c in case()) {
        check_case(&c)?;
    }
}

/// The oracle is not vacuous: it catches a controller that ignores its policies (here, a
/// reconcile whose outcome is replaced by the raw metric proposal).
#[test]
fn the_oracle_notices_an_unlimited_scale_up() {
    let b = Behavior::from_partial(
        Some(&PartialScalingRules {
            policies: Some(vec![ScalingPolicy::pods(1, 60)]),
            ..PartialScalingRules::default()
        }),
        None,
    );
    let log = vec![(SimTime::from_secs(100), 2, 3)];
    // One pod per minute: 3 -> 5 forty seconds after 2 -> 3 is beyond the policy.
    let a = allowed(&b.scale_up, 3, &log, SimTime::from_secs(140), true).unwrap();
    assert_eq!(a, 3);
    assert!(5 > a.max(3));
    // A minute later the period is over: 4 allowed.
    let a = allowed(&b.scale_up, 3, &log, SimTime::from_secs(160), true).unwrap();
    assert_eq!(a, 4);
}
