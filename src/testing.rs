//! Property testing of your own autoscaling: state what it must never do, and let scalesim
//! hunt for a counter-example.
//!
//! A property is a Rust closure over one finished run ([`Observed`]: every sample, event,
//! decision and task step, plus the summary). A [`Hunt`] runs your scenario many times with
//! settings varied through `--set` keys ([`Domain`]s of integers, numbers, durations or
//! choices, and seeds), checks the property and the simulator's own [`invariants`] on each
//! run, and when one fails shrinks the case to its simplest failing settings and reports a
//! [`CounterExample`] that prints as the `scalesim run` command and as a self-contained
//! scenario file.
//!
//! Run properties with `cargo test` like any test: put them in a `tests/*.rs` file of a crate
//! that depends on `scalesim` (or in this repository's `tests/`). `SCALESIM_CASES` (or
//! `PROPTEST_CASES`) raises the number of cases of every hunt without editing the test.
//!
//! # Example
//!
//! "With our ScaledObject, a burst of up to 3x our usual 100 tasks never waits more than
//! 60 s at p95, whatever the polling interval between 5 and 30 s":
//!
//! ```
//! use scalesim::testing::{Domain, Hunt};
//!
//! let scenario = r#"
//! apiVersion: scalesim.dev/v1alpha1
//! kind: Scenario
//! metadata: {name: burst}
//! spec:
//!   duration: 5m
//!   tasks: [{name: t, duration: 2s}]
//!   load: [{burst: {task: t, count: 100, at: 10s}}]
//! ---
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata: {name: worker}
//! spec:
//!   replicas: 1
//!   template:
//!     spec:
//!       containers: [{name: w, command: [celery, -A, app, worker, -c, "4"]}]
//! ---
//! apiVersion: keda.sh/v1alpha1
//! kind: ScaledObject
//! metadata: {name: worker}
//! spec:
//!   scaleTargetRef: {name: worker}
//!   pollingInterval: 15
//!   minReplicaCount: 1
//!   maxReplicaCount: 20
//!   triggers:
//!   - {type: redis, metadata: {address: "redis:6379", listName: celery, listLength: "5"}}
//! "#;
//!
//! let hunt = Hunt::text(scenario, &[])
//!     .vary("load.0.burst.count", Domain::ints(100, 300))
//!     .vary("ScaledObject/worker:spec.pollingInterval", Domain::ints(5, 30))
//!     .seeds(1, 1000)
//!     .cases(8);
//! hunt.assert("a 3x burst waits at most 60 s at p95", |run| {
//!     let p95 = run.wait_quantile(0.95);
//!     if p95 <= 60.0 { Ok(()) } else { Err(format!("p95 wait {p95:.1} s")) }
//! });
//!
//! // A property that cannot hold gives a counter-example, shrunk to the smallest burst and
//! // the shortest polling interval that still break it, printable as a scenario file.
//! let err = hunt
//!     .check("nothing ever waits 5 s", |run| {
//!         let max = run.summary.wait_s.max;
//!         if max < 5.0 { Ok(()) } else { Err(format!("a task waited {max:.1} s")) }
//!     })
//!     .unwrap_err();
//! assert_eq!(err.overrides[0], "load.0.burst.count=100");
//! assert!(err.to_string().contains("kind: Scenario"));
//! ```
//!
//! Properties over the trace ([`Observed::trace`]) can follow single tasks and pods; the
//! [`invariants`] module shows how, and its checks run in every hunt unless
//! [`Hunt::invariants`] turns them off.

pub mod emit;
mod hunt;
pub mod invariants;
mod observed;

pub use hunt::{
    scenario_file, CounterExample, Domain, Hunt, HuntReport, DEFAULT_CASES, DEFAULT_SHRINK_RUNS,
};
pub use invariants::{check_all, Violation, INVARIANTS};
pub use observed::{observe, Observed, Scaling};
