//! The public property-testing API (`scalesim::testing`) used the way a user would: properties
//! of the shipped scenarios' autoscaling, hunted over varied settings, and the promise that a
//! counter-example prints as a scenario file that replays the failure.
//!
//! Case counts: 16 per hunt here (each case is a whole simulated run of minutes of traffic,
//! a few milliseconds); `SCALESIM_CASES=1000 cargo test --release --test props_api` hunts
//! harder.

use scalesim::scenario::{load_file, LoadOptions};
use scalesim::testing::{check_all, observe, Domain, Hunt, Observed};

fn dir() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

fn shipped(name: &str) -> String {
    format!("{}/scenarios/{name}", dir())
}

/// The example of the README: with seed 000's ScaledObject (KEDA on Redis, 1..10 workers),
/// a burst up to 3x the article's 499 tasks is done within 15 minutes, and its p95 wait stays
/// under 6 minutes, whatever the polling interval (1-30 s) and the seed.
#[test]
fn seed_000_absorbs_a_3x_burst() {
    let hunt = Hunt::file(&shipped("keda-redis-burst.yaml"))
        .vary("load.0.burst.count", Domain::ints(499, 1497))
        .vary(
            "ScaledObject/redis-scaledobject:spec.pollingInterval",
            Domain::ints(1, 30),
        )
        .seeds(1, 10_000)
        .cases(16);
    let report = hunt.assert("3x burst: p95 wait < 6 min, drained in 15 min", |run| {
        let p95 = run.wait_quantile(0.95);
        if p95 >= 360.0 {
            return Err(format!("p95 wait {p95:.1} s"));
        }
        match run.summary.drain_time_s {
            Some(_) => Ok(()),
            None => Err(format!(
                "{} tasks still in flight at the end",
                run.summary.in_flight_at_end
            )),
        }
    });
    assert_eq!(report.rejected, 0);
}

/// Scale-to-zero never strands work: whenever tasks are published, some worker starts them
/// within one polling interval plus pod start-up (here 15 s + at most ~25 s of image pull and
/// boot), for cooldown periods from 0 to 5 minutes.
#[test]
fn scale_to_zero_wakes_up_for_every_burst() {
    let hunt = Hunt::file(&shipped("keda-redis-scale-to-zero.yaml"))
        .vary(
            "ScaledObject/redis-scaledobject:spec.cooldownPeriod",
            Domain::ints(0, 300),
        )
        .seeds(1, 10_000)
        .cases(16);
    hunt.assert("the first task of a burst waits < 90 s", |run| {
        let max = run.summary.wait_s.max;
        if max < 90.0 {
            Ok(())
        } else {
            Err(format!("a task waited {max:.1} s"))
        }
    });
}

fn max_wait_below(limit: f64) -> impl Fn(&Observed) -> Result<(), String> + Sync {
    move |run| {
        let max = run.summary.wait_s.max;
        if max < limit {
            Ok(())
        } else {
            Err(format!("a task waited {max:.3} s"))
        }
    }
}

/// A property that does not hold: the counter-example is shrunk to the simplest settings
/// (smallest burst, fastest polling), and the scenario file it prints replays the failure.
#[test]
fn counter_examples_replay_from_the_printed_scenario_file() {
    let hunt = Hunt::file(&shipped("keda-redis-burst.yaml"))
        .vary("load.0.burst.count", Domain::ints(10, 2000))
        .vary(
            "ScaledObject/redis-scaledobject:spec.pollingInterval",
            Domain::ints(1, 30),
        )
        .vary("pods.nodeCpus", Domain::choice(&["2", "4", "8"]))
        .seeds(1, 100)
        .cases(8);
    let ce = hunt
        .check("nothing waits 10 s", max_wait_below(10.0))
        .unwrap_err();
    let text = ce.to_string();
    eprintln!("{text}");
    assert!(text.contains("scalesim run "), "{text}");
    // Shrunk: every setting at its simplest that still fails. 10 one-second tasks on the one
    // initial worker (-c 1, prefetch 4) wait up to ~9 s, so the burst must stay larger.
    assert_eq!(ce.seed, Some(1), "{text}");
    assert!(
        ce.overrides
            .contains(&"ScaledObject/redis-scaledobject:spec.pollingInterval=1".to_string()),
        "{text}"
    );
    assert!(
        ce.overrides.contains(&"pods.nodeCpus=2".to_string()),
        "{text}"
    );
    let count: u64 = ce.overrides[0]
        .strip_prefix("load.0.burst.count=")
        .unwrap()
        .parse()
        .unwrap();
    assert!((11..2000).contains(&count), "{text}");

    // Saved anywhere (its manifests are inlined and it has no other relative references), it
    // loads, and the run fails the property the same way; one less task passes.
    let saved = std::env::temp_dir()
        .join(format!(
            "scalesim-props-counter-example-{}.yaml",
            std::process::id()
        ))
        .to_string_lossy()
        .into_owned();
    std::fs::write(&saved, &ce.scenario_yaml).unwrap();
    let sc = load_file(&saved, &LoadOptions::default());
    std::fs::remove_file(&saved).unwrap();
    let sc = sc.unwrap_or_else(|e| panic!("{e}\n{}", ce.scenario_yaml));
    assert_eq!(sc.seed, 1);
    assert_eq!(sc.manifests.len(), 4, "every manifest inlined");
    let run = observe(&sc).unwrap();
    let err = max_wait_below(10.0)(&run).unwrap_err();
    assert!(ce.message.contains(&err), "{} vs {err}", ce.message);
    assert!(check_all(&run).is_empty());

    let smaller = Hunt::file(&shipped("keda-redis-burst.yaml"))
        .vary(
            "load.0.burst.count",
            Domain::ints(count as i64 - 1, count as i64 - 1),
        )
        .vary(
            "ScaledObject/redis-scaledobject:spec.pollingInterval",
            Domain::ints(1, 1),
        )
        .vary("pods.nodeCpus", Domain::choice(&["2"]))
        .seeds(1, 1)
        .cases(1);
    assert!(smaller
        .check("nothing waits 10 s", max_wait_below(10.0))
        .is_ok());
}

/// Overrides that make the scenario invalid are rejected cases, not failures; a hunt whose
/// every case is rejected says why.
#[test]
fn invalid_cases_are_rejected_and_reported() {
    let hunt = Hunt::file(&shipped("keda-redis-burst.yaml"))
        .vary("duration", Domain::choice(&["0s"]))
        .cases(3);
    let ce = hunt.check("anything", |_| Ok(())).unwrap_err();
    assert!(
        ce.message.contains("every case was rejected"),
        "{}",
        ce.message
    );
    assert!(ce.message.contains("spec.duration"), "{}", ce.message);

    let partly = Hunt::file(&shipped("keda-redis-burst.yaml"))
        .vary(
            "ScaledObject/redis-scaledobject:spec.minReplicaCount",
            Domain::ints(1, 12),
        )
        .cases(12);
    let r = partly.assert("anything", |_| Ok(()));
    assert!(r.rejected > 0 && r.cases > 0, "{r:?}");
}

/// Hunts are reproducible: the same hunt finds the same counter-example.
#[test]
fn hunts_are_deterministic() {
    let hunt = || {
        Hunt::file(&shipped("keda-redis-burst.yaml"))
            .vary("load.0.burst.count", Domain::ints(10, 2000))
            .seeds(1, 1_000_000)
            .cases(6)
            .shrink_runs(20)
    };
    let a = hunt()
        .check("nothing waits 10 s", max_wait_below(10.0))
        .unwrap_err();
    let b = hunt()
        .check("nothing waits 10 s", max_wait_below(10.0))
        .unwrap_err();
    assert_eq!(a.to_string(), b.to_string());
}
