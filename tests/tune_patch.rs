//! Patching the user's files: only the tuned values change, comments, order and quoting stay,
//! absent fields are inserted at the right indentation, and the result reads back as the
//! values that were simulated.

use scalesim::scenario::Source;
use scalesim::tune::inputs::{InputFile, Inputs};
use scalesim::tune::patch::{current_values, patch};

const SCENARIO: &str = "\
apiVersion: scalesim.dev/v1alpha1
kind: Scenario
metadata: {name: t}
spec:
  duration: 10m   # long enough to drain
  workers:
    - deployment: celery-worker
      celery: {prefetchMultiplier: 1}
  tasks:
    - {name: add, duration: 1s}
  load:
    - burst: {task: add, count: 100}
";

const SO: &str = "\
# The ScaledObject, as the user keeps it.
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: so
spec:
  scaleTargetRef:
    name: celery-worker
  pollingInterval: 3   # seconds
  maxReplicaCount: 10
  triggers:
    - type: redis
      metadata:
        listName: q
        listLength: \"10\"
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  LEVEL: info
";

fn inputs() -> Inputs {
    Inputs {
        source: Source::Disk,
        files: vec![
            InputFile {
                path: "scenarios/t.yaml".into(),
                text: SCENARIO.into(),
                yaml: true,
            },
            InputFile {
                path: "k8s/so.yaml".into(),
                text: SO.into(),
                yaml: true,
            },
        ],
    }
}

fn patched(overrides: &[&str]) -> (String, String) {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let p = patch(&inputs(), &o).unwrap_or_else(|e| panic!("{e}"));
    let get = |path: &str, orig: &str| p.text_of(path).unwrap_or(orig).to_string();
    (get("scenarios/t.yaml", SCENARIO), get("k8s/so.yaml", SO))
}

/// Lines of `b` that are not in `a`, and of `a` not in `b`.
fn changed(a: &str, b: &str) -> (Vec<String>, Vec<String>) {
    let la: Vec<&str> = a.lines().collect();
    let lb: Vec<&str> = b.lines().collect();
    let added = lb
        .iter()
        .filter(|l| !la.contains(l))
        .map(|s| s.to_string())
        .collect();
    let removed = la
        .iter()
        .filter(|l| !lb.contains(l))
        .map(|s| s.to_string())
        .collect();
    (added, removed)
}

#[test]
fn replaces_only_the_values_and_keeps_comments_and_quotes() {
    let (_, so) = patched(&[
        "ScaledObject/so:spec.pollingInterval=5",
        "ScaledObject/so:spec.triggers.0.metadata.listLength=20",
    ]);
    let (added, removed) = changed(SO, &so);
    assert_eq!(
        added,
        [
            "  pollingInterval: 5   # seconds",
            "        listLength: \"20\""
        ]
    );
    assert_eq!(
        removed,
        [
            "  pollingInterval: 3   # seconds",
            "        listLength: \"10\""
        ]
    );
    assert!(so.starts_with("# The ScaledObject, as the user keeps it.\n"));
}

#[test]
fn inserts_absent_fields_under_their_parent() {
    let (_, so) = patched(&[
        "ScaledObject/so:spec.cooldownPeriod=120",
        "ScaledObject/so:spec.triggers.0.metadata.activationListLength=2",
        "ScaledObject/so:spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds=60",
    ]);
    let (added, removed) = changed(SO, &so);
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(
        added,
        [
            "        activationListLength: \"2\"",
            "  cooldownPeriod: 120",
            "  advanced:",
            "    horizontalPodAutoscalerConfig:",
            "      behavior:",
            "        scaleDown:",
            "          stabilizationWindowSeconds: 60",
        ]
    );
    // The insertion follows the parent's last entry: activationListLength after listLength,
    // in the same mapping.
    let i = so.find("listLength: \"10\"").unwrap();
    let j = so.find("activationListLength").unwrap();
    assert!(j > i && !so[i..j].contains("type:"));
}

#[test]
fn scenario_fields_and_flow_mappings() {
    let (sc, _) = patched(&[
        "workers.0.celery.concurrency=4",
        "duration=5m",
        "load.0.burst.count=200",
    ]);
    assert!(
        sc.contains("      celery: {prefetchMultiplier: 1, concurrency: 4}\n"),
        "{sc}"
    );
    assert!(
        sc.contains("  duration: 5m   # long enough to drain\n"),
        "{sc}"
    );
    assert!(
        sc.contains("    - burst: {task: add, count: 200}\n"),
        "{sc}"
    );
}

#[test]
fn strings_stay_strings() {
    let (_, so) = patched(&["ConfigMap/cfg:data.LEVEL=4", "ConfigMap/cfg:data.NEW=true"]);
    assert!(so.contains("  LEVEL: \"4\"\n"), "{so}");
    assert!(so.contains("  NEW: \"true\"\n"), "{so}");
    // Values given quoted are written as given.
    let (_, so) = patched(&["ScaledObject/so:spec.triggers.0.metadata.listName='a b'"]);
    assert!(so.contains("        listName: 'a b'\n"), "{so}");
}

#[test]
fn reports_changes_and_skips_values_already_tuned() {
    let o: Vec<String> = [
        "ScaledObject/so:spec.maxReplicaCount=10",
        "ScaledObject/so:spec.pollingInterval=7",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let p = patch(&inputs(), &o).unwrap();
    assert_eq!(p.changes.len(), 1, "maxReplicaCount is already 10");
    let c = &p.changes[0];
    assert_eq!(
        (
            c.file.as_str(),
            c.line,
            c.object.as_str(),
            c.path.as_str(),
            c.old.as_deref(),
            c.new.as_str()
        ),
        (
            "k8s/so.yaml",
            9,
            "ScaledObject/so",
            "spec.pollingInterval",
            Some("3"),
            "7"
        )
    );
    assert_eq!(p.files.len(), 1);
    let cur = current_values(
        &inputs(),
        &[
            "ScaledObject/so:spec.triggers.0.metadata.listLength".into(),
            "ScaledObject/so:spec.cooldownPeriod".into(),
        ],
    );
    assert_eq!(cur, [Some("10".to_string()), None]);
}

#[test]
fn refuses_what_it_cannot_write() {
    let o = vec!["ScaledObject/so:spec.triggers.1.type=cpu".to_string()];
    let e = patch(&inputs(), &o).unwrap_err();
    assert!(
        e.contains("new list item") || e.contains("not a mapping"),
        "{e}"
    );
    let o = vec!["ScaledObject/nope:spec.pollingInterval=1".to_string()];
    assert!(patch(&inputs(), &o)
        .unwrap_err()
        .contains("no ScaledObject/nope"));
}

#[test]
fn crlf_files_and_json_manifests() {
    let crlf = SO.replace('\n', "\r\n");
    let json = r#"{"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
 "metadata": {"name": "js"},
 "spec": {"scaleTargetRef": {"name": "w"}, "maxReplicaCount": 10,
          "triggers": [{"type": "redis", "metadata": {"listName": "q", "listLength": "10"}}]}}
"#;
    let inputs = Inputs {
        source: Source::Disk,
        files: vec![
            InputFile {
                path: "s.yaml".into(),
                text: SCENARIO.into(),
                yaml: true,
            },
            InputFile {
                path: "so.yaml".into(),
                text: crlf.clone(),
                yaml: true,
            },
            InputFile {
                path: "js.json".into(),
                text: json.into(),
                yaml: true,
            },
        ],
    };
    let o: Vec<String> = [
        "ScaledObject/so:spec.cooldownPeriod=60",
        "ScaledObject/so:spec.pollingInterval=9",
        "ScaledObject/js:spec.maxReplicaCount=20",
        "ScaledObject/js:spec.cooldownPeriod=30",
        "ScaledObject/js:spec.triggers.0.metadata.listLength=5",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let p = patch(&inputs, &o).unwrap_or_else(|e| panic!("{e}"));
    let so = p.text_of("so.yaml").unwrap();
    assert!(
        so.contains("  pollingInterval: 9   # seconds\r\n"),
        "{so:?}"
    );
    assert!(so.contains("  cooldownPeriod: 60\r\n"), "{so:?}");
    assert_eq!(
        so.matches('\n').count(),
        so.matches("\r\n").count(),
        "no bare LF"
    );
    let js = p.text_of("js.json").unwrap();
    assert!(js.contains(r#""maxReplicaCount": 20"#), "{js}");
    assert!(js.contains(r#""listLength": "5""#), "{js}");
    assert!(js.contains(r#", "cooldownPeriod": 30}"#), "{js}");
    serde_json::from_str::<serde_json::Value>(js).expect("still JSON");
}
