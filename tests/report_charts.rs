//! Charts: produced for every kind and format, well-formed, byte-identical across renders,
//! legible time axes from a minute to days, and bounded output for a million samples.

#[path = "report_support.rs"]
mod support;

use scalesim::report::synthetic::{synthetic_run, SyntheticOptions};
use scalesim::report::{
    render_chart, render_report, write_report, ChartKind, ImageFormat, RunData, Summary, TimeSeries,
};
use support::{check_xml, decode_png, fixture, tmp_dir};

const KINDS: [ChartKind; 4] = [
    ChartKind::Replicas,
    ChartKind::Wait,
    ChartKind::Metric,
    ChartKind::Overview,
];

fn svg_text(run: &RunData, kind: ChartKind) -> String {
    String::from_utf8(render_chart(run, kind, ImageFormat::Svg).unwrap().unwrap()).unwrap()
}

/// The `width` and `height` attributes of the root `<svg>`.
fn svg_size(svg: &str) -> (u32, u32) {
    let head = &svg[..svg.find('>').unwrap()];
    let attr = |name: &str| -> u32 {
        let k = head.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        head[k..k + head[k..].find('"').unwrap()].parse().unwrap()
    };
    (attr("width"), attr("height"))
}

/// Texts of the `<text>` elements, unescaped enough for assertions.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .map(|t| {
            let body = &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()];
            body.trim().to_string()
        })
        .collect()
}

fn check_both_formats(run: &RunData, kind: ChartKind) {
    let png = render_chart(run, kind, ImageFormat::Png).unwrap().unwrap();
    let svg = svg_text(run, kind);
    assert_eq!(check_xml(&svg), Ok("svg".to_string()), "{kind:?}");
    let img = decode_png(&png);
    // Same content: the bitmap has the SVG's size.
    assert_eq!((img.width, img.height), svg_size(&svg), "{kind:?}");
    assert_eq!(img.width, 1200);
    let (variance, inked) = img.stats();
    assert!(variance > 100.0 && inked > 0.01, "{kind:?} looks blank");
}

#[test]
fn every_chart_of_the_basic_fixture() {
    let run = RunData::load(&fixture("basic")).unwrap();
    for kind in KINDS {
        check_both_formats(&run, kind);
    }
    let svg = svg_text(&run, ChartKind::Replicas);
    let texts = svg_texts(&svg);
    for expected in [
        "keda-redis-smoke (seed 7): replicas vs queue depth",
        "replicas (spec)",
        "pods ready",
        "queue depth (right axis)",
        "pods",
        "tasks in queue",
        "time since start",
        "activated",
        "↑4",
        "↑8",
        "↓2",
        "1m30s",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "missing {expected:?} in {texts:?}"
        );
    }
    let metric = svg_texts(&svg_text(&run, ChartKind::Metric));
    assert!(metric.contains(&"Metric s0-redis-default vs target".to_string()));
    let wait = svg_texts(&svg_text(&run, ChartKind::Wait));
    assert!(wait.contains(&"wait (min)".to_string()), "{wait:?}");
}

#[test]
fn renders_are_byte_identical() {
    let a = RunData::load(&fixture("basic")).unwrap();
    let b = RunData::load(&fixture("basic")).unwrap();
    for kind in KINDS {
        for format in [ImageFormat::Png, ImageFormat::Svg] {
            let x = render_chart(&a, kind, format).unwrap();
            let y = render_chart(&b, kind, format).unwrap();
            assert!(x == y, "{kind:?} {format:?} differs between renders");
        }
    }
    // And the whole report, through the file-writing edge.
    let d1 = tmp_dir("identical1");
    let d2 = tmp_dir("identical2");
    let f1 = write_report(&a, &d1).unwrap();
    let f2 = write_report(&b, &d2).unwrap();
    assert_eq!(f1.len(), 9);
    for (p, q) in f1.iter().zip(&f2) {
        assert_eq!(p.file_name(), q.file_name());
        assert!(std::fs::read(p).unwrap() == std::fs::read(q).unwrap());
    }
}

#[test]
fn one_sample_and_no_samples() {
    let run = RunData::load(&fixture("minimal")).unwrap();
    for kind in [ChartKind::Replicas, ChartKind::Wait, ChartKind::Overview] {
        check_both_formats(&run, kind);
    }
    assert_eq!(
        render_chart(&run, ChartKind::Metric, ImageFormat::Png).unwrap(),
        None,
        "no metric columns, no metric chart"
    );
    let names: Vec<String> = render_report(&run)
        .unwrap()
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(
        names,
        [
            "replicas.png",
            "replicas.svg",
            "wait.png",
            "wait.svg",
            "overview.png",
            "overview.svg",
            "report.html"
        ]
    );
    assert!(svg_texts(&svg_text(&run, ChartKind::Wait)).contains(&"no task started".to_string()));

    let empty = RunData::new(
        Summary {
            scenario: "empty".into(),
            ..Summary::default()
        },
        TimeSeries::new(&[], &["m"], &[]),
    );
    for kind in KINDS {
        check_both_formats(&empty, kind);
    }
    assert!(svg_texts(&svg_text(&empty, ChartKind::Replicas)).contains(&"no samples".to_string()));
}

#[test]
fn hostile_strings_are_escaped_in_svg() {
    let run = RunData::load(&fixture("hostile")).unwrap();
    for kind in KINDS {
        check_both_formats(&run, kind);
    }
    let svg = svg_text(&run, ChartKind::Overview);
    assert!(!svg.contains("<script"));
    assert!(svg.contains("&lt;script&gt;"));
}

#[test]
fn time_axis_labels_follow_the_span() {
    let cases = [
        (61, 1.0, vec!["10s", "30s", "1m"]),
        (3601, 1.0, vec!["10m", "30m", "1h"]),
        (3 * 86400 / 60 + 1, 60.0, vec!["12h", "1d", "2d", "3d"]),
    ];
    for (samples, dt, expected) in cases {
        let run = synthetic_run(&SyntheticOptions {
            samples,
            sample_interval_s: dt,
            ..SyntheticOptions::default()
        });
        let texts = svg_texts(&svg_text(&run, ChartKind::Replicas));
        for e in expected {
            assert!(
                texts.iter().any(|t| t == e),
                "span {}s: no tick {e:?} in {texts:?}",
                samples as f64 * dt
            );
        }
    }
}

#[test]
fn a_million_samples_are_reduced_and_spikes_survive() {
    let mut run = synthetic_run(&SyntheticOptions {
        samples: 1_000_000,
        sample_interval_s: 0.25,
        ..SyntheticOptions::default()
    });
    // One sample with a huge queue: the right axis must make room for it.
    run.series.queue_depth[654_321] = 987_654.0;
    run.summary.max_queue_depth = 987_654;
    let svg = svg_text(&run, ChartKind::Replicas);
    check_xml(&svg).unwrap();
    assert!(svg.len() < 2_000_000, "SVG is {} bytes", svg.len());
    let points: usize = svg
        .split("points=\"")
        .skip(1)
        .map(|p| p[..p.find('"').unwrap()].split_whitespace().count())
        .sum();
    assert!(points < 60_000, "{points} points drawn");
    let texts = svg_texts(&svg);
    assert!(
        texts.iter().any(|t| t == "1M"),
        "right axis should reach 1M for the spike: {texts:?}"
    );
    let png = render_chart(&run, ChartKind::Overview, ImageFormat::Png)
        .unwrap()
        .unwrap();
    let img = decode_png(&png);
    assert_eq!(img.width, 1200);
}

#[test]
fn inconsistent_in_memory_runs_are_errors_not_panics() {
    let mut run = RunData::load(&fixture("basic")).unwrap();
    run.series.running.pop();
    let e = render_chart(&run, ChartKind::Replicas, ImageFormat::Png).unwrap_err();
    assert!(
        e.to_string().contains("column running has 36 values"),
        "{e}"
    );
    let mut run = RunData::load(&fixture("basic")).unwrap();
    run.events[0].time_s = f64::NAN;
    assert!(render_chart(&run, ChartKind::Wait, ImageFormat::Svg).is_err());
}

#[test]
fn absurd_values_render_without_hanging() {
    let mut run = RunData::load(&fixture("basic")).unwrap();
    run.series.queue_depth[3] = 1e300;
    run.series.replicas[4] = f64::MAX;
    run.series.wait_max_s[20] = 1e200;
    run.series.metrics[0].value[10] = 1e308;
    let n = run.series.len();
    for (i, t) in run.series.time_s.iter_mut().enumerate() {
        *t = 1e15 + i as f64 * 1e-3; // below the precision of the offset
    }
    run.events.clear();
    run.summary.duration_s = 0.0;
    assert_eq!(run.series.len(), n);
    for kind in KINDS {
        for format in [ImageFormat::Png, ImageFormat::Svg] {
            render_chart(&run, kind, format).unwrap();
        }
    }
}
