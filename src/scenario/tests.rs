//! Loader behaviour: where Celery settings come from, environment resolution, manifest
//! discovery and the warnings a person needs to see.

use super::*;

const HEAD: &str = "apiVersion: scalesim.dev/v1alpha1
kind: Scenario
metadata: {name: t}
spec:
  duration: 1m
  tasks: [{name: t, duration: 1s}]
  load: [{burst: {task: t, count: 1}}]
";

fn load_ok(text: &str, files: &[(&str, &str)]) -> Scenario {
    load_str(text, files, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn load_err(text: &str) -> String {
    load_str(text, &[], &LoadOptions::default())
        .unwrap_err()
        .to_string()
}

fn deployment(name: &str, container: &str) -> String {
    format!("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  template:\n    spec:\n      containers:\n{container}")
}

fn setting<'a>(sc: &'a Scenario, name: &str) -> &'a Setting {
    sc.settings
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no setting {name}"))
}

#[test]
fn celery_settings_precedence_is_scenario_then_command_then_env_then_default() {
    let c = "      - name: w\n        command: [celery, -A, app, worker, --concurrency=3]\n        env:\n        - {name: CELERY_WORKER_CONCURRENCY, value: '7'}\n        - {name: CELERY_WORKER_PREFETCH_MULTIPLIER, value: '2'}\n";
    let sc = load_ok(&format!("{HEAD}{}", deployment("w", c)), &[]);
    let w = &sc.workers[0];
    assert_eq!(
        w.celery.concurrency, 3,
        "the command line beats the environment"
    );
    assert_eq!(
        w.celery.prefetch_multiplier, 2,
        "the environment beats the default"
    );
    assert_eq!(setting(&sc, "w.concurrency").origin, "scenario.yaml:17");
    assert_eq!(
        setting(&sc, "w.prefetchMultiplier").origin,
        "env CELERY_WORKER_PREFETCH_MULTIPLIER"
    );
    assert!(setting(&sc, "w.acksLate").default);
    let over = format!(
        "{}  workers: [{{deployment: w, celery: {{concurrency: 5}}}}]\n{}",
        HEAD,
        deployment("w", c)
    );
    let sc = load_ok(&over, &[]);
    assert_eq!(
        sc.workers[0].celery.concurrency, 5,
        "the Scenario beats the command line"
    );
    assert_eq!(setting(&sc, "w.concurrency").origin, "scenario.yaml:8");
}

#[test]
fn env_comes_from_configmaps_and_secrets_and_expands_in_args() {
    let c = "      - name: w\n        args: [celery, -A, app, worker, -c, $(CONC)]\n        envFrom: [{configMapRef: {name: cfg}}]\n        env:\n        - name: CELERY_BROKER_URL\n          valueFrom: {secretKeyRef: {name: sec, key: url}}\n";
    let extra = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {CONC: '6'}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: sec}\ndata: {url: YW1xcDovL2d1ZXN0QHJhYmJpdC8v}\n";
    let sc = load_ok(&format!("{HEAD}{}{extra}", deployment("w", c)), &[]);
    assert_eq!(sc.workers[0].celery.concurrency, 6);
    assert_eq!(
        sc.broker.kind,
        BrokerKind::RabbitMq,
        "amqp:// in the Secret picks RabbitMQ"
    );
}

#[test]
fn default_concurrency_is_the_node_cpu_count_with_a_warning() {
    let c = "      - name: w\n        command: [celery, -A, app, worker]\n";
    let sc = load_ok(
        &format!("{HEAD}  pods: {{nodeCpus: 8}}\n{}", deployment("w", c)),
        &[],
    );
    assert_eq!(sc.workers[0].celery.concurrency, 8);
    assert!(sc
        .warnings
        .iter()
        .any(|w| w.message.contains("one process per *node* CPU")));
}

#[test]
fn workers_are_found_from_autoscaler_targets_or_the_celery_command() {
    let worker = "      - name: w\n        command: [celery, -A, app, worker]\n";
    let redis = "      - name: redis\n        image: redis\n";
    let sc = load_ok(
        &format!(
            "{HEAD}{}{}",
            deployment("redis", redis),
            deployment("w", worker)
        ),
        &[],
    );
    assert_eq!(
        sc.workers
            .iter()
            .map(|w| w.deployment.as_str())
            .collect::<Vec<_>>(),
        vec!["w"]
    );
    let e = load_err(&format!("{HEAD}{}", deployment("redis", redis)));
    assert!(
        e.contains("no worker Deployment") && e.contains("Deployments found: redis"),
        "{e}"
    );
}

#[test]
fn manifests_by_path_directories_and_lists() {
    let text = format!("{HEAD}  manifests: [k8s, extra.yaml, k8s/a.yaml]\n");
    let a = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  template:\n    spec:\n      containers: [{name: w, command: [celery, -A, x, worker, -c, '1']}]\n";
    let list = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n- {apiVersion: v1, kind: Widget, metadata: {name: x}}\n";
    let sc = load_ok(
        &text,
        &[
            ("k8s/a.yaml", a),
            ("k8s/notes.txt", "ignored"),
            ("extra.yaml", list),
        ],
    );
    let kinds: Vec<String> = sc.manifests.iter().map(|m| m.id()).collect();
    assert_eq!(kinds, vec!["Deployment/w", "Service/s", "Widget/x"]);
    assert!(sc
        .warnings
        .iter()
        .any(|w| w.message.contains("listed more than once")));
    assert!(sc
        .warnings
        .iter()
        .any(|w| w.message.contains("unknown kind \"Widget\"")));
}

#[test]
fn unmodelled_and_unknown_manifest_fields_are_warnings_with_positions() {
    let c = "      - name: w\n        command: [celery, -A, app, worker, -c, '1']\n        lifecycle: {preStop: {exec: {command: [sleep, '5']}}}\n        imagePullPolicy: Always\n        resourcez: {}\n";
    let sc = load_ok(&format!("{HEAD}{}", deployment("w", c)), &[]);
    let w: Vec<String> = sc.warnings.iter().map(|w| w.to_string()).collect();
    assert!(w.iter().any(|m| m.contains("scenario.yaml:18:20: Deployment/w: spec.template.spec.containers[0].lifecycle: is not modelled")), "{w:?}");
    assert!(
        w.iter().any(|m| m.contains(
            "containers[0].resourcez: unknown field `resourcez` (did you mean `resources`?)"
        )),
        "{w:?}"
    );
    assert!(
        !w.iter().any(|m| m.contains("imagePullPolicy")),
        "known irrelevant fields are quiet: {w:?}"
    );
}

#[test]
fn shutdown_signal_is_inferred_from_the_command() {
    let c = "      - name: w\n        command: [sh, -c, 'python manage.py migrate && celery -A app worker -c 1']\n";
    let sc = load_ok(&format!("{HEAD}{}", deployment("w", c)), &[]);
    assert_eq!(sc.workers[0].celery.signal, SignalMode::Swallowed);
    assert!(sc
        .warnings
        .iter()
        .any(|w| w.message.contains("write `exec celery")));
}

#[test]
fn validation_errors_point_at_the_value() {
    let e = load_err(&format!(
        "{HEAD}  load: [{{poisson: {{task: nope, rate: 1}}}}]\n"
    ));
    assert!(e.contains("duplicate key"), "{e}");
    let text = HEAD.replace(
        "load: [{burst: {task: t, count: 1}}]",
        "load: [{poisson: {task: tt, rate: -1}}]",
    );
    let e = load_err(&format!("{text}{}", deployment("w", "      - name: w\n")));
    assert!(
        e.contains("scenario.yaml:7:") && e.contains("unknown task \"tt\" (did you mean `t`?)"),
        "{e}"
    );
    let text = HEAD.replace("duration: 1s", "duration: {lognormal: {median: 2s}}");
    let e = load_err(&format!("{text}{}", deployment("w", "      - name: w\n")));
    assert!(
        e.contains("spec.tasks[0].duration")
            && e.contains("give either {median, p99} or {mu, sigma}"),
        "{e}"
    );
}
