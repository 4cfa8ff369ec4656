//! The run summary as a compact, aligned plain-text table for the terminal.

use super::axis::format_duration;
use super::data::Summary;
use super::html::{json_text, opt_duration, pod_seconds_text};

/// Formats `summary` for stdout: one `label  value` line per item, labels padded to one
/// width, no colours, ending with a newline. Warnings follow, one per line, prefixed `!`.
///
/// ```text
/// scenario         keda-redis-burst (seed 42)
/// duration         10m0s
/// tasks            produced 1200 · completed 1200 · lost 0 · duplicated 0
/// wait             mean 1.2s · p50 0.8s · p95 4s · p99 6.1s · max 9s
/// ...
/// ```
pub fn summary_table(s: &Summary) -> String {
    let mut rows: Vec<(String, String)> = vec![
        (
            "scenario".into(),
            format!("{} (seed {})", s.scenario, s.seed),
        ),
        ("duration".into(), format_duration(s.duration_s)),
        (
            "tasks".into(),
            format!(
                "produced {} · completed {} · lost {} · duplicated {}",
                s.produced, s.completed, s.lost, s.duplicated
            ),
        ),
        (
            "wait".into(),
            if s.wait_s.max.is_none() && s.wait_s.mean.is_none() {
                "no task started".to_string()
            } else {
                format!(
                    "mean {} · p50 {} · p95 {} · p99 {} · max {}",
                    opt_duration(s.wait_s.mean),
                    opt_duration(s.wait_s.p50),
                    opt_duration(s.wait_s.p95),
                    opt_duration(s.wait_s.p99),
                    opt_duration(s.wait_s.max)
                )
            },
        ),
        ("max queue depth".into(), s.max_queue_depth.to_string()),
        ("peak replicas".into(), s.peak_replicas.to_string()),
        ("pod-seconds".into(), pod_seconds_text(s.pod_seconds)),
        (
            "scale-ups/downs".into(),
            format!("{} / {}", s.scale_ups, s.scale_downs),
        ),
        (
            "drain time".into(),
            s.drain_time_s
                .map_or_else(|| "did not drain".to_string(), format_duration),
        ),
    ];
    for (k, v) in &s.extra {
        rows.push((k.clone(), json_text(v)));
    }
    rows.push(("warnings".into(), s.warnings.len().to_string()));
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (k, v) in rows {
        // Values from the run are printed as they are, except control characters, which
        // could move the cursor or recolour the terminal.
        let v = sanitize(&v);
        out.push_str(&format!("{:width$}  {v}\n", sanitize(&k)));
    }
    for w in &s.warnings {
        out.push_str(&format!("  ! {}\n", sanitize(w)));
    }
    if !s.notes.is_empty() {
        out.push_str("notes (what this configuration does that you may not expect):\n");
        for n in &s.notes {
            out.push_str(&format!("  * {}\n", sanitize(n)));
        }
    }
    out
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_and_clean() {
        let s = Summary {
            scenario: "a\u{1b}[31mb".into(),
            seed: 7,
            duration_s: 90.0,
            drain_time_s: Some(12.5),
            warnings: vec!["w1".into()],
            ..Summary::default()
        };
        let t = summary_table(&s);
        assert!(t.starts_with("scenario         a [31mb (seed 7)\n"));
        assert!(t.contains("\nduration         1m30s\n"));
        assert!(t.contains("\ndrain time       12.5s\n"));
        assert!(t.contains("\nwait             no task started\n"));
        assert!(t.ends_with("warnings         1\n  ! w1\n"));
    }
}
