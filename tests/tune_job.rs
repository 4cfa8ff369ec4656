//! The Kubernetes Indexed Job of `k8s-reference/sweep-job/`: its manifests are well formed, its
//! arguments are ones scalesim accepts, the shard count matches `completions`, and its sweep
//! file runs.

#[path = "tune_support.rs"]
mod support;

use std::path::Path;
use std::sync::Arc;

use clap::Parser;
use scalesim::cli::{Cli, Command};
use scalesim::yaml::{parse_stream, Kind, Node};
use support::*;

fn docs(file: &str) -> Vec<Node> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("k8s-reference/sweep-job")
        .join(file);
    parse_stream(&read(&p), &Arc::from(file))
        .unwrap()
        .into_iter()
        .map(|d| d.root)
        .collect()
}

fn find<'a>(docs: &'a [Node], kind: &str) -> &'a Node {
    docs.iter()
        .find(|d| d.get("kind").and_then(Node::as_str) == Some(kind))
        .unwrap_or_else(|| panic!("no {kind}"))
}

fn strings(n: &Node) -> Vec<String> {
    match &n.kind {
        Kind::Seq(items) => items
            .iter()
            .map(|i| i.as_str().unwrap().to_string())
            .collect(),
        _ => panic!("not a list"),
    }
}

fn container(job: &Node) -> &Node {
    match &job
        .lookup(&["spec", "template", "spec", "containers"])
        .unwrap()
        .kind
    {
        Kind::Seq(c) => &c[0],
        _ => panic!(),
    }
}

#[test]
fn the_indexed_job_runs_one_shard_per_index() {
    let all = docs("job.yaml");
    let job = find(&all, "Job");
    assert_eq!(
        job.lookup(&["spec", "completionMode"]).unwrap().as_str(),
        Some("Indexed")
    );
    let completions: usize = job
        .lookup(&["spec", "completions"])
        .unwrap()
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let c = container(job);
    let env = match &c.get("env").unwrap().kind {
        Kind::Seq(e) => e[0].clone(),
        _ => panic!(),
    };
    assert_eq!(env.get("name").unwrap().as_str(), Some("SHARD"));
    assert_eq!(
        env.lookup(&["valueFrom", "fieldRef", "fieldPath"])
            .unwrap()
            .as_str(),
        Some("metadata.annotations['batch.kubernetes.io/job-completion-index']")
    );
    let args = strings(c.get("args").unwrap());
    let shard = args
        .iter()
        .find_map(|a| a.strip_prefix("--shard="))
        .unwrap();
    assert_eq!(
        shard,
        format!("$(SHARD)/{completions}"),
        "--shard N must equal completions"
    );
    // The container's arguments are valid scalesim arguments for every index.
    for i in 0..completions {
        let argv: Vec<String> = std::iter::once("scalesim".to_string())
            .chain(args.iter().map(|a| a.replace("$(SHARD)", &i.to_string())))
            .collect();
        let cli = Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
        let Command::Sweep(s) = cli.command else {
            panic!("not a sweep")
        };
        assert_eq!(
            s.shard.as_deref(),
            Some(format!("{i}/{completions}").as_str())
        );
    }
    let claim = find(&all, "PersistentVolumeClaim");
    assert_eq!(
        strings(claim.lookup(&["spec", "accessModes"]).unwrap()),
        ["ReadWriteMany"]
    );

    let merge = find(&docs("merge.yaml")[..], "Job").clone();
    let margs = strings(container(&merge).get("args").unwrap());
    let argv: Vec<String> = std::iter::once("scalesim".to_string())
        .chain(margs)
        .collect();
    let cli = Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    assert!(matches!(cli.command, Command::Merge(_)));
}

#[test]
fn the_jobs_sweep_file_runs_a_shard_from_the_image_working_directory() {
    let job = find(&docs("job.yaml"), "Job").clone();
    let args = strings(container(&job).get("args").unwrap());
    let out = tmp("job-shard");
    let mut argv: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with("--out="))
        .map(|a| a.replace("$(SHARD)", "1"))
        .collect();
    argv.extend([
        "--out".to_string(),
        out.join("shard-1").display().to_string(),
        "--no-charts".into(),
    ]);
    let o = run(&argv);
    assert!(o.status.success(), "{}", text(&o));
    let info: serde_json::Value =
        serde_json::from_str(&read(&out.join("shard-1/sweep.json"))).unwrap();
    assert_eq!(info["shard"], "1/4");
    assert_eq!(info["points"], 100);
    assert_eq!(
        info["slos"],
        serde_json::json!(["wait_p95_s<=60", "lost==0"])
    );
}
