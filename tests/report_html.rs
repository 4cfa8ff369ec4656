//! The HTML report: self-contained, well-formed, deterministic, escaped, and complete.

#[path = "report_support.rs"]
mod support;

use scalesim::report::synthetic::{synthetic_run, SyntheticOptions};
use scalesim::report::{render_html, summary_table, RunData};
use support::{check_xml, fixture};

fn html(name: &str) -> String {
    render_html(&RunData::load(&fixture(name)).unwrap()).unwrap()
}

/// The document must not load anything: no scripts, no external URLs, no imports.
fn assert_self_contained(h: &str) {
    let lower = h.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "has a script");
    assert!(!lower.contains("<link"), "links a resource");
    assert!(!lower.contains("@import") && !lower.contains("url("));
    assert!(!lower.contains(" src="), "loads a resource");
    // The only URL allowed is the SVG namespace name, which is never fetched.
    let urls = lower.matches("http").count();
    let ns = lower
        .matches("xmlns=\"http://www.w3.org/2000/svg\"")
        .count();
    assert_eq!(urls, ns, "external URL in the report");
}

#[test]
fn basic_report_has_every_section() {
    let h = html("basic");
    assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert_eq!(check_xml(&h), Ok("html".to_string()));
    assert_self_contained(&h);
    for id in [
        "summary",
        "warnings",
        "charts",
        "settings",
        "decisions",
        "scenario",
        "chart-replicas",
        "chart-wait",
        "chart-metric",
    ] {
        assert!(h.contains(&format!("id=\"{id}\"")), "no #{id}");
    }
    // Header and summary.
    assert!(h.contains("<h1>keda-redis-smoke</h1>"));
    assert!(h.contains("seed <b>7</b> · duration <b>3m0s</b>"));
    assert!(h.contains("<tr><th>peak replicas</th><td class=\"num\">8</td></tr>"));
    assert!(h.contains("<tr><th>simulator_version</th><td class=\"num\">0.1.0</td></tr>"));
    // Warnings, from the summary and grouped Warning events.
    assert!(h.contains("1 task lost: a pod was terminated"));
    assert!(h.contains("<td>TaskLost</td><td class=\"num\">1</td>"));
    // Charts are inline SVG.
    assert_eq!(h.matches("<svg ").count(), 3);
    // Settings: defaults are marked, and counted.
    assert!(h.contains("9 settings, 6 set explicitly and 3 left at their default"));
    assert_eq!(h.matches("<tr class=\"default\">").count(), 3);
    assert!(h.contains("<code>pollingInterval</code></td><td><code>5</code><span class=\"badge set\">set</span></td><td>k8s-reference/keda-redis/scaledobject.yaml:9</td>"));
    // Autoscaler events in kubectl describe form.
    assert!(h.contains(
        "  Type    Reason                    At     From                       Message\n"
    ));
    assert!(h.contains("  Normal  SuccessfulRescale         30s    horizontal-pod-autoscaler  New size: 4; reason: external metric"));
    assert!(h.contains("  Normal  KEDAScaleTargetActivated  10s    keda-operator              Scaled apps/v1.Deployment"));
    // Decision log and one explain section per decision, with the binding rule explained.
    assert_eq!(h.matches("<details id=\"explain-").count(), 4);
    assert!(h.contains(
        "<td class=\"nowrap\">horizontal-pod-autoscaler</td><td class=\"text\">HorizontalPodAutoscaler/keda-hpa-worker</td>"
    ));
    assert!(h.contains("<p>object: <code>ScaledObject/worker</code></p>"));
    assert!(h.contains("<span class=\"up\">4 → 8</span> · bound by <code>ScaleUpLimit</code>"));
    assert!(h.contains("<code>ScaleUpLimit</code>: capped by the scale-up rate policies"));
    assert!(h.contains("<tr><td><code>stabilizationWindow.recommendations</code></td><td class=\"num\">[2,2,1,1]</td></tr>"));
    assert!(
        h.contains("<tr><td><code>policies[1].type</code></td><td class=\"num\">Pods</td></tr>")
    );
    // Scenario YAML, verbatim.
    assert!(h.contains("<pre class=\"yaml\"># Smoke scenario: a 90 s burst on two Redis queues"));
}

#[test]
fn report_bytes_are_deterministic() {
    assert!(html("basic") == html("basic"));
    let run = synthetic_run(&SyntheticOptions::default());
    assert!(render_html(&run).unwrap() == render_html(&run.clone()).unwrap());
}

#[test]
fn minimal_report_says_what_is_missing() {
    let h = html("minimal");
    assert_eq!(check_xml(&h), Ok("html".to_string()));
    assert_self_contained(&h);
    assert!(h.contains("No warnings."));
    assert!(h.contains("No settings.json in this run."));
    assert!(h.contains("No HPA or KEDA events in this run."));
    assert!(h.contains("No decisions.json in this run"));
    assert!(h.contains("No scenario.yaml in this run."));
    assert!(h.contains("<tr><th>drain time</th><td class=\"num\">did not drain</td></tr>"));
    assert!(h.contains("<tr><th>wait p95</th><td class=\"num\">-</td></tr>"));
    assert_eq!(
        h.matches("<svg ").count(),
        2,
        "no metric chart without metrics"
    );
}

#[test]
fn hostile_strings_are_escaped() {
    let h = html("hostile");
    // Well-formed despite tags, quotes and ampersands in every field of every file.
    assert_eq!(check_xml(&h), Ok("html".to_string()));
    assert_self_contained(&h);
    assert!(h.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; &lt;/pre&gt;&lt;/svg&gt;"));
    assert!(!h.contains("</pre></svg>"));
    assert!(!h.contains("<b>q1</b>") && !h.contains("<i>a</i>"));
    let t = summary_table(&RunData::load(&fixture("hostile")).unwrap().summary);
    assert!(t.contains("<extra>"), "plain text is not HTML-escaped");
}

#[test]
fn long_runs_cap_the_tables() {
    let run = synthetic_run(&SyntheticOptions {
        samples: 200_000,
        polling_interval_s: 1.0,
        ..SyntheticOptions::default()
    });
    assert!(run.decisions.len() > 300, "{}", run.decisions.len());
    let h = render_html(&run).unwrap();
    check_xml(&h).unwrap();
    assert_eq!(h.matches("<details id=\"explain-").count(), 300);
    assert!(h.contains("more decisions are in decisions.json"));
    assert!(
        !h.contains("<details id=\"explain-0\" open>"),
        "many explains start closed"
    );
}
