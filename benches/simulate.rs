//! Statistical benchmarks (divan): `cargo bench`.
//!
//! `scalesim bench` is the headline table (tasks/s, events/s, wall, peak memory on the three
//! benchmark scenarios); these benches repeat the whole-run measurement with divan's
//! statistics and time the engine alone, so a change can be judged on either level. The
//! scenarios are loaded from `scenarios/bench/` once, outside the timed region.

use divan::{black_box, Bencher};
use scalesim::engine::{Engine, Limits};
use scalesim::observe::{EventRow, Sink};
use scalesim::scenario::{self, LoadOptions, Scenario, Source};
use scalesim::time::SimTime;

fn main() {
    divan::main();
}

/// Drops rows and events (the simulation still builds them).
struct Discard;

impl Sink for Discard {
    fn columns(&mut self, _: &[String]) -> std::io::Result<()> {
        Ok(())
    }
    fn row(&mut self, v: &[f64]) -> std::io::Result<()> {
        black_box(v);
        Ok(())
    }
    fn event(&mut self, e: &EventRow) -> std::io::Result<()> {
        black_box(e);
        Ok(())
    }
}

fn scenario(name: &str) -> Scenario {
    let path = format!("{}/scenarios/bench/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
    scenario::load(&Source::Disk, &path, &LoadOptions::default())
        .unwrap_or_else(|d| panic!("{path}: {d}"))
}

fn simulate(b: Bencher, name: &str) {
    let sc = scenario(name);
    let tasks = scalesim::sim::run(&sc, &mut Discard, &mut |_| {})
        .expect("the benchmark scenario runs")
        .summary
        .produced;
    b.counter(divan::counter::ItemsCount::new(tasks))
        .bench(|| scalesim::sim::run(&sc, &mut Discard, &mut |_| {}).expect("runs"));
}

/// One simulated hour at 20 tasks/s.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn hour_20(b: Bencher) {
    simulate(b, "hour-20");
}

/// One simulated hour at 200 tasks/s.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn hour_200(b: Bencher) {
    simulate(b, "hour-200");
}

/// A simulated day at 200 tasks/s (about 17 million tasks; a few seconds per sample).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn day_200(b: Bencher) {
    simulate(b, "day-200");
}

/// The engine alone: `pending` events outstanding, each pop schedules one more at a
/// pseudo-random delay of up to ~10 s (the shape of task completions).
#[divan::bench(args = [100, 1_000, 100_000])]
fn engine_hold(b: Bencher, pending: u64) {
    const OPS: u64 = 1_000_000;
    b.counter(divan::counter::ItemsCount::new(OPS)).bench(|| {
        let mut e: Engine<u64> = Engine::new(Limits::default());
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % 10_000_000_000
        };
        for i in 0..pending {
            e.schedule_at(SimTime(next()), i);
        }
        let mut sum = 0u64;
        for _ in 0..OPS {
            let ev = e
                .pop_until(SimTime::MAX)
                .expect("within limits")
                .expect("pending");
            sum = sum.wrapping_add(ev);
            let at = SimTime(e.now().0 + next());
            e.schedule_at(at, ev);
        }
        sum
    });
}
