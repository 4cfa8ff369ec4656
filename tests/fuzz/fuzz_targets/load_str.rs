//! libFuzzer target: arbitrary bytes as a scenario file (with the shipped manifests
//! available under `../k8s-reference/`), through the loader and, when it loads, a run under
//! tight limits. A panic, a hang (libFuzzer's -timeout) or a broken accounting identity is
//! a finding. Seed it with `scenarios/*.yaml` and `tests/bad_input/*/scenario.yaml`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scalesim::observe::MemorySink;
use scalesim::scenario::{load_str, LoadOptions};
use scalesim::sim::SimError;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files: Vec<(String, String)> = scalesim::scenario::files::EMBEDDED
        .iter()
        .filter(|(n, _)| n.starts_with("k8s-reference/"))
        .map(|(n, t)| (format!("../{n}"), t.to_string()))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    if let Ok(mut sc) = load_str(text, &refs, &LoadOptions::default()) {
        sc.limits.max_events = 100_000;
        sc.limits.max_pending = 100_000;
        sc.max_tasks_in_flight = 50_000;
        sc.max_pods = 100;
        if sc.duration.0 / sc.sample_interval.0.max(1) > 100_000 {
            return;
        }
        let mut sink = MemorySink {
            drop_rows: true,
            ..MemorySink::default()
        };
        match scalesim::sim::run(&sc, &mut sink, &mut |_| {}) {
            Ok(_)
            | Err(SimError::Engine(_))
            | Err(SimError::TooManyTasks { .. })
            | Err(SimError::TooManyPods { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
});
