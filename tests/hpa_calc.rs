//! Replica calculator cases, ported as data from upstream.
//!
//! Source: kubernetes/kubernetes `pkg/controller/podautoscaler/replica_calculator_test.go` at
//! master, read through the fork omerap12/kubernetes @ a769d5884497dc246960b38f3e5aae2cc30dd062
//! (2026). Every table of that file is here under its upstream function and case name:
//! `TestReplicaCalcResourceScale`, `TestReplicaCalcExternalPerPodMetric`,
//! `TestReplicaCalcPodMetric`, `TestReplicaCalcObjectMetric`,
//! `TestReplicaCalcObjectPerPodMetric`, `TestReplicaCalcExternalMetric`,
//! `TestReplicaCalcResourceTolerance`, `TestReplicaCalcResourceMissingMetrics`,
//! `TestReplicaCalcComputedToleranceAlgImplementation`, `TestGroupPods`,
//! `TestCalculateRequests`, `TestCalculatePodRequestsFromContainers_NonExistentContainer`,
//! `TestGetPerPodUsage`.
//!
//! The file's fixtures are reproduced: pods `test-pod-<i>` with two containers that each
//! request the pod's CPU request, a Ready condition without a transition time (Go's zero
//! time), and metric samples stamped with the fixture time (zero unless set). Go's zero time
//! is `SimTime(0)`; "now" is a large instant so that "3 minutes ago" exists. Upstream uses
//! `cpuInitializationPeriod = 2m`, `delayOfInitialReadinessStatus = 10s`, tolerance 0.1.
//!
//! Master-only behaviour these tables exercise: `Succeeded` pods are ignored (PR #141302) and
//! a named container missing from a pod is an error; the master configuration enables both.

use std::collections::BTreeMap;

use scalesim::hpa::calc::*;
use scalesim::hpa::*;
use scalesim::time::{Dur, SimTime, NANOS_PER_SEC};

const NOW: SimTime = SimTime(1_000_000 * NANOS_PER_SEC);
const T3M: SimTime = SimTime(NOW.0 - 180 * NANOS_PER_SEC);
const ZERO: SimTime = SimTime(0);
const TOL: f64 = 0.1;

fn tol(down: f64, up: f64) -> Tolerances {
    Tolerances {
        scale_down: down,
        scale_up: up,
        form: ToleranceForm::Bounds,
    }
}

fn default_tol() -> Tolerances {
    tol(TOL, TOL)
}

fn config() -> ControllerConfig {
    ControllerConfig::upstream_test(KubeVersion::Master)
}

use ConditionStatus::{False as F, True as T};
use PodPhase::{Failed, Pending, Running as R, Succeeded};

/// `calcScenario`.
#[derive(Clone, Default)]
struct Fx {
    current: i32,
    requests: Vec<i64>,
    levels: Vec<Vec<i64>>,
    pod_names: Vec<&'static str>,
    has_resource: bool,
    metric_levels: Vec<i64>,
    container: &'static str,
    readiness: Option<Vec<ConditionStatus>>,
    start: Option<Vec<SimTime>>,
    phase: Option<Vec<PodPhase>>,
    deleted: Option<Vec<bool>>,
}

fn res(current: i32, requests: Vec<i64>, levels: Vec<Vec<i64>>) -> Fx {
    Fx {
        current,
        requests,
        levels,
        has_resource: true,
        ..Fx::default()
    }
}

fn metric(current: i32, levels: Vec<i64>) -> Fx {
    Fx {
        current,
        metric_levels: levels,
        ..Fx::default()
    }
}

impl Fx {
    fn container(mut self, c: &'static str) -> Self {
        self.container = c;
        self
    }
    fn ready(mut self, r: Vec<ConditionStatus>) -> Self {
        self.readiness = Some(r);
        self
    }
    fn start(mut self, s: Vec<SimTime>) -> Self {
        self.start = Some(s);
        self
    }
    fn phase(mut self, p: Vec<PodPhase>) -> Self {
        self.phase = Some(p);
        self
    }
    fn deleted(mut self, d: Vec<bool>) -> Self {
        self.deleted = Some(d);
        self
    }
    fn names(mut self, n: Vec<&'static str>) -> Self {
        self.pod_names = n;
        self
    }

    /// `newFakePodClient` / `buildFakePod`.
    fn pods(&self) -> Vec<PodInfo> {
        let mut n = self.current as usize;
        if let Some(p) = &self.phase {
            n = n.max(p.len());
        }
        (0..n)
            .map(|i| {
                let status = self
                    .readiness
                    .as_ref()
                    .and_then(|r| r.get(i).copied())
                    .unwrap_or(T);
                let start = self.start.as_ref().map(|s| s[i]).unwrap_or(ZERO);
                let req = self.requests.get(i).copied();
                let c = |name: &str| ContainerRequests {
                    name: name.to_string(),
                    requests: req
                        .map(|r| BTreeMap::from([("cpu".to_string(), r)]))
                        .unwrap_or_default(),
                };
                PodInfo {
                    name: format!("test-pod-{i}"),
                    phase: self.phase.as_ref().map(|p| p[i]).unwrap_or(R),
                    ready: Some(ReadyCondition {
                        status,
                        last_transition_time: ZERO,
                    }),
                    start_time: Some(start),
                    deleted: self.deleted.as_ref().is_some_and(|d| d[i]),
                    containers: vec![c("container1"), c("container2")],
                    sidecars: vec![],
                    pod_requests: None,
                }
            })
            .collect()
    }
}

/// The fake metrics clients of the upstream file.
struct Fake<'a>(&'a Fx);

impl MetricsClient for Fake<'_> {
    fn get_resource_metric(
        &mut self,
        resource: &str,
        _: &str,
        _: &str,
        container: &str,
    ) -> Result<Vec<PodMetric>, String> {
        if !self.0.has_resource {
            return Err("no pod resource metrics specified in test client".into());
        }
        let items: Vec<RawPodMetrics> = self
            .0
            .levels
            .iter()
            .enumerate()
            .map(|(i, lv)| RawPodMetrics {
                pod: self
                    .0
                    .pod_names
                    .get(i)
                    .map(|s| s.to_string())
                    .unwrap_or(format!("test-pod-{i}")),
                timestamp: ZERO,
                window: Dur::from_secs(60),
                // Two container slots; unfilled ones have no name and no usage.
                containers: (0..2)
                    .map(|j| match lv.get(j) {
                        Some(v) => ContainerUsage {
                            name: format!("container{}", j + 1),
                            usage: BTreeMap::from([("cpu".to_string(), *v)]),
                        },
                        None => ContainerUsage {
                            name: String::new(),
                            usage: BTreeMap::new(),
                        },
                    })
                    .collect(),
            })
            .collect();
        Ok(aggregate_pod_metrics(&items, resource, container))
    }
    fn get_raw_metric(
        &mut self,
        _: &str,
        _: &str,
        _: &str,
        _: Option<&LabelSelector>,
    ) -> Result<Vec<PodMetric>, String> {
        Ok(self
            .0
            .metric_levels
            .iter()
            .enumerate()
            .map(|(i, v)| PodMetric {
                pod: format!("test-pod-{i}"),
                value_milli: *v,
                timestamp: ZERO,
                window: Dur::from_secs(60),
            })
            .collect())
    }
    fn get_object_metric(
        &mut self,
        _: &str,
        _: &str,
        _: &ObjectRef,
        _: Option<&LabelSelector>,
    ) -> Result<(i64, SimTime), String> {
        Ok((self.0.metric_levels[0], ZERO))
    }
    fn get_external_metric(
        &mut self,
        _: &str,
        _: &str,
        _: Option<&LabelSelector>,
    ) -> Result<Vec<i64>, String> {
        Ok(self.0.metric_levels.clone())
    }
}

/// `makePodMetricLevels`: both containers of pod i report `v[i]`.
fn lv(v: &[i64]) -> Vec<Vec<i64>> {
    v.iter().map(|x| vec![*x, *x]).collect()
}

fn reqs(n: usize, milli: i64) -> Vec<i64> {
    vec![milli; n]
}

struct ResCase {
    name: &'static str,
    fx: Fx,
    target: i32,
    /// (replicas, utilization, raw) or an error substring.
    expect: Result<(i32, i32, i64), &'static str>,
    tol: Option<Tolerances>,
}

fn rcase(name: &'static str, fx: Fx, target: i32, r: i32, u: i32, raw: i64) -> ResCase {
    ResCase {
        name,
        fx,
        target,
        expect: Ok((r, u, raw)),
        tol: None,
    }
}

fn run_resource(func: &str, cases: Vec<ResCase>) -> usize {
    let cfg = config();
    for c in &cases {
        let pods = c.fx.pods();
        let calc = ReplicaCalculator::new(&cfg, &pods, NOW);
        let mut trace = scalesim::hpa::trace::MetricTrace::new(0, "Resource", None);
        let got = calc.get_resource_replicas(
            &mut Fake(&c.fx),
            c.fx.current,
            c.target,
            "cpu",
            c.tol.unwrap_or_else(default_tol),
            "test-namespace",
            "name=test-pod",
            c.fx.container,
            &mut trace,
        );
        match (&c.expect, got) {
            (Ok(e), Ok(g)) => assert_eq!(
                *e,
                (g.replicas, g.utilization, g.raw_utilization),
                "{func}/{}: {trace:#?}",
                c.name
            ),
            (Err(e), Err(g)) => assert!(
                g.contains(e),
                "{func}/{}: error {g:?} should contain {e:?}",
                c.name
            ),
            (e, g) => panic!("{func}/{}: expected {e:?}, got {g:?}", c.name),
        }
    }
    cases.len()
}

#[test]
fn replica_calc_resource_scale() {
    let c2 = "container2";
    let n = run_resource(
        "TestReplicaCalcResourceScale",
        vec![
            rcase(
                "scale up",
                res(3, reqs(3, 1000), lv(&[300, 500, 700])),
                30,
                5,
                50,
                1000,
            ),
            rcase(
                "scale up: container metric",
                res(
                    3,
                    reqs(3, 1000),
                    vec![vec![1000, 300], vec![1000, 500], vec![1000, 700]],
                )
                .container(c2),
                30,
                5,
                50,
                500,
            ),
            rcase(
                "scale up: unready pod scales less",
                res(3, reqs(3, 1000), lv(&[300, 500, 700])).ready(vec![F, T, T]),
                30,
                4,
                60,
                1200,
            ),
            rcase(
                "scale up: hot-CPU container scales less",
                res(
                    3,
                    reqs(3, 1000),
                    vec![vec![0, 300], vec![0, 500], vec![0, 700]],
                )
                .start(vec![NOW, T3M, T3M])
                .container(c2),
                30,
                4,
                60,
                600,
            ),
            rcase(
                "scale up: hot-CPU pod scales less",
                res(3, reqs(3, 1000), lv(&[300, 500, 700])).start(vec![NOW, T3M, T3M]),
                30,
                4,
                60,
                1200,
            ),
            rcase(
                "no scale: unready pods ignored",
                res(3, reqs(3, 1000), lv(&[400, 500, 700])).ready(vec![T, F, F]),
                30,
                3,
                40,
                800,
            ),
            rcase(
                "no scale: hot-CPU pods ignored",
                res(3, reqs(3, 1000), lv(&[400, 500, 700]))
                    .ready(vec![T, F, F])
                    .start(vec![T3M, NOW, NOW]),
                30,
                3,
                40,
                800,
            ),
            rcase(
                "scale up: failed pods ignored",
                res(2, reqs(4, 1000), lv(&[500, 700]))
                    .ready(vec![T, T, F, F])
                    .phase(vec![R, R, Failed, Failed]),
                30,
                4,
                60,
                1200,
            ),
            rcase(
                "scale up: failed pods ignored with missing container metric",
                res(
                    2,
                    reqs(4, 1000),
                    vec![vec![1000, 500], vec![9000, 700], vec![1000], vec![9000]],
                )
                .ready(vec![T, T, F, F])
                .phase(vec![R, R, Failed, Failed])
                .container(c2),
                30,
                4,
                60,
                600,
            ),
            rcase(
                "scale up: container metrics with failed pods ignored",
                res(2, reqs(4, 1000), vec![vec![1000, 500], vec![9000, 700]])
                    .ready(vec![T, T, F, F])
                    .phase(vec![R, R, Failed, Failed])
                    .container(c2),
                30,
                4,
                60,
                600,
            ),
            rcase(
                "scale up: succeeded pods ignored",
                res(2, reqs(4, 1000), lv(&[500, 700]))
                    .ready(vec![T, T, F, F])
                    .phase(vec![R, R, Succeeded, Succeeded]),
                30,
                4,
                60,
                1200,
            ),
            rcase(
                "scale up: container metric with succeeded pods ignored",
                res(2, reqs(4, 1000), vec![vec![1000, 500], vec![9000, 700]])
                    .ready(vec![T, T, F, F])
                    .phase(vec![R, R, Succeeded, Succeeded])
                    .container(c2),
                30,
                4,
                60,
                600,
            ),
            rcase(
                "scale up: pods being deleted are ignored",
                res(2, reqs(4, 1000), lv(&[500, 700]))
                    .ready(vec![T, T, F, F])
                    .phase(vec![R, R, R, R])
                    .deleted(vec![false, false, true, true]),
                30,
                4,
                60,
                1200,
            ),
            rcase(
                "scale up: container metrics with pods being deleted ignored",
                res(2, reqs(4, 1000), lv(&[500, 700]))
                    .ready(vec![T, T, F, F])
                    .phase(vec![R, R, R, R])
                    .deleted(vec![false, false, true, true])
                    .container("container1"),
                30,
                4,
                60,
                600,
            ),
            rcase(
                "scale down",
                res(5, reqs(5, 1000), lv(&[100, 300, 500, 250, 250])),
                50,
                3,
                28,
                560,
            ),
            rcase(
                "scale down: container metric",
                res(
                    5,
                    reqs(5, 1000),
                    down_container_levels(&[100, 300, 500, 250, 250]),
                )
                .container(c2),
                50,
                3,
                28,
                280,
            ),
            rcase(
                "scale down: exclude unready pods",
                res(5, reqs(5, 1000), lv(&[100, 300, 500, 250, 250])).ready(vec![T, T, T, F, F]),
                50,
                2,
                30,
                600,
            ),
            rcase(
                "scale down: container metric excludes unready pods",
                res(
                    5,
                    reqs(5, 1000),
                    down_container_levels(&[100, 300, 500, 250, 250]),
                )
                .ready(vec![T, T, T, F, F])
                .container(c2),
                50,
                2,
                30,
                300,
            ),
            rcase(
                "scale down: exclude unscheduled pods",
                res(5, reqs(5, 1000), lv(&[100]))
                    .ready(vec![T, F, F, F, F])
                    .phase(vec![R, Pending, Pending, Pending, Pending]),
                50,
                1,
                10,
                200,
            ),
            rcase(
                "scale down: container metric excludes unscheduled pods",
                res(
                    5,
                    reqs(5, 1000),
                    down_container_levels(&[100, 300, 500, 250, 250]),
                )
                .ready(vec![T, F, F, F, F])
                .phase(vec![R, Pending, Pending, Pending, Pending])
                .container(c2),
                50,
                1,
                10,
                100,
            ),
            rcase(
                "scale down: ignore hot-CPU pods",
                res(5, reqs(5, 1000), lv(&[100, 300, 500, 250, 250]))
                    .start(vec![T3M, T3M, T3M, NOW, NOW]),
                50,
                2,
                30,
                600,
            ),
            rcase(
                "scale down: container metric ignores hot-CPU pods",
                res(
                    5,
                    reqs(5, 1000),
                    down_container_levels(&[100, 300, 500, 1000, 1000]),
                )
                .start(vec![T3M, T3M, T3M, NOW, NOW])
                .container(c2),
                50,
                2,
                30,
                300,
            ),
            rcase(
                "scale down: failed pods ignored",
                res(5, reqs(7, 1000), lv(&[100, 300, 500, 250, 250]))
                    .ready(vec![T, T, T, T, T, F, F])
                    .phase(vec![R, R, R, R, R, Failed, Failed]),
                50,
                3,
                28,
                560,
            ),
            rcase(
                "scale down: container metric with failed pods ignored",
                res(
                    5,
                    reqs(7, 1000),
                    down_container_levels(&[100, 300, 500, 250, 250]),
                )
                .ready(vec![T, T, T, T, T, F, F])
                .phase(vec![R, R, R, R, R, Failed, Failed])
                .container(c2),
                50,
                3,
                28,
                280,
            ),
            rcase(
                "scale down: succeeded pods ignored",
                res(5, reqs(7, 1000), lv(&[100, 300, 500, 250, 250]))
                    .ready(vec![T, T, T, T, T, F, F])
                    .phase(vec![R, R, R, R, R, Succeeded, Succeeded]),
                50,
                3,
                28,
                560,
            ),
            rcase(
                "scale down: container metric with succeeded pods ignored",
                res(
                    5,
                    reqs(7, 1000),
                    down_container_levels(&[100, 300, 500, 250, 250]),
                )
                .ready(vec![T, T, T, T, T, F, F])
                .phase(vec![R, R, R, R, R, Succeeded, Succeeded])
                .container(c2),
                50,
                3,
                28,
                280,
            ),
            rcase(
                "scale down: pods being deleted are ignored",
                res(5, reqs(7, 1000), lv(&[100, 300, 500, 250, 250]))
                    .ready(vec![T, T, T, T, T, F, F])
                    .phase(vec![R; 7])
                    .deleted(vec![false, false, false, false, false, true, true]),
                50,
                3,
                28,
                560,
            ),
            rcase(
                "scale down: still-running pods being deleted are ignored",
                res(
                    5,
                    reqs(7, 1000),
                    down_container_levels(&[100, 300, 500, 250, 250]),
                )
                .ready(vec![T, T, T, T, T, F, F])
                .phase(vec![R; 7])
                .deleted(vec![false, false, false, false, false, true, true])
                .container(c2),
                50,
                3,
                28,
                280,
            ),
        ],
    );
    assert_eq!(n, 28);
}

/// `[][]int64{{1000, a}, {1000, b}, ...}`.
fn down_container_levels(v: &[i64]) -> Vec<Vec<i64>> {
    v.iter().map(|x| vec![1000, *x]).collect()
}

#[test]
fn replica_calc_resource_tolerance() {
    let mixed = vec![900, 1000, 1100];
    let with = |mut c: ResCase, t: Tolerances| {
        c.tol = Some(t);
        c
    };
    let n = run_resource(
        "TestReplicaCalcResourceTolerance",
        vec![
            rcase(
                "within default tolerance",
                res(3, mixed.clone(), lv(&[1010, 1030, 1020])),
                100,
                3,
                102,
                2040,
            ),
            with(
                rcase(
                    "outside 0% tolerance",
                    res(3, mixed.clone(), lv(&[909, 1010, 1111])),
                    100,
                    4,
                    101,
                    2020,
                ),
                tol(0.0, 0.0),
            ),
            with(
                rcase(
                    "within 200% scale-up tolerance",
                    res(3, mixed.clone(), lv(&[1890, 1910, 1900])),
                    100,
                    3,
                    190,
                    3800,
                ),
                tol(TOL, 2.0),
            ),
            with(
                rcase(
                    "outside 8% scale-up tolerance (superfluous scale-down tolerance)",
                    res(3, mixed.clone(), lv(&[1100, 1080, 1090])),
                    100,
                    4,
                    109,
                    2180,
                ),
                tol(2.0, 0.08),
            ),
            with(
                rcase(
                    "within 36% scale-down tolerance",
                    res(3, mixed.clone(), lv(&[660, 640, 650])),
                    100,
                    3,
                    65,
                    1300,
                ),
                tol(0.36, TOL),
            ),
            with(
                rcase(
                    "outside 34% scale-down tolerance",
                    res(3, mixed, lv(&[660, 640, 650])),
                    100,
                    2,
                    65,
                    1300,
                ),
                tol(0.34, TOL),
            ),
        ],
    );
    assert_eq!(n, 6);
}

#[test]
fn replica_calc_resource_missing_metrics() {
    let err = |name, fx, target, e| ResCase {
        name,
        fx,
        target,
        expect: Err(e),
        tol: None,
    };
    let n = run_resource(
        "TestReplicaCalcResourceMissingMetrics",
        vec![
            rcase(
                "superfluous metrics counted",
                res(4, reqs(4, 1000), lv(&[4000, 9500, 3000, 7000, 3200, 2000])),
                100,
                24,
                587,
                11750,
            ),
            rcase("some pods missing metrics scales down", res(4, reqs(4, 1000), lv(&[400, 95])), 100, 3, 24, 495),
            rcase("no change: metric equal to target", res(2, reqs(2, 1000), lv(&[1000])), 100, 2, 100, 2000),
            rcase("no change: metric above target", res(2, reqs(2, 1000), lv(&[1900])), 100, 2, 190, 3800),
            rcase("no change: metric below target", res(2, reqs(2, 1000), lv(&[600])), 100, 2, 60, 1200),
            rcase(
                "no change: unready pod metric missing",
                res(3, reqs(3, 1000), lv(&[100, 450])).ready(vec![F, T, T]),
                50,
                3,
                45,
                900,
            ),
            rcase(
                "no change: hot-CPU pod metric missing",
                res(3, reqs(3, 1000), lv(&[100, 450])).start(vec![NOW, T3M, T3M]),
                50,
                3,
                45,
                900,
            ),
            rcase(
                "scale up: unready pod metric missing",
                res(3, reqs(3, 1000), lv(&[100, 2000])).ready(vec![F, T, T]),
                50,
                4,
                200,
                4000,
            ),
            rcase(
                "scale up: hot-CPU pod metric missing",
                res(3, reqs(3, 1000), lv(&[100, 2000]))
                    .ready(vec![F, T, T])
                    .start(vec![NOW, T3M, T3M]),
                50,
                4,
                200,
                4000,
            ),
            rcase(
                "scale down: unready pod metric missing",
                res(4, reqs(4, 1000), lv(&[100, 100, 100])).ready(vec![F, T, T, T]),
                50,
                3,
                10,
                200,
            ),
            rcase(
                "scale down: target over 100",
                res(4, vec![1000, 1000, 2000, 2000], lv(&[200, 100, 100])).ready(vec![F, T, T, T]),
                300,
                2,
                6,
                200,
            ),
            rcase(
                "rolling update with maxSurge: extra pod missing metric",
                res(2, reqs(3, 1000), lv(&[100, 100])).phase(vec![R, R, R]),
                50,
                2,
                10,
                200,
            ),
            err(
                "disjoint pod and metric names",
                res(1, reqs(1, 1000), lv(&[100])).names(vec!["an-older-pod-name"]),
                100,
                "no metrics returned matched known pods",
            ),
            err(
                "no metrics returned from metrics API",
                res(4, reqs(3, 1000), lv(&[])),
                100,
                "unable to get metrics for resource cpu: no metrics returned from resource metrics API",
            ),
            err("missing CPU request on container", res(1, vec![], lv(&[200])), 100, "missing request for"),
        ],
    );
    assert_eq!(n, 15);
}

#[test]
fn replica_calc_computed_tolerance_alg_implementation() {
    let start_pods: i32 = 10;
    let total_used: i64 = start_pods as i64 * 150;
    let total_requested: i32 = (2 * total_used) as i32;
    let requested_to_used = (total_requested / total_used as i32) as f64;
    let per_pod_requested = (total_requested / start_pods) as i64;
    let target = (1.0 / (requested_to_used * (1.0 - TOL))).abs() + 0.01;
    let final_cpu_target = (target * 100.0) as i32;
    let used_ratio = total_used as f64 / (total_requested as f64 * target);
    let final_pods = (used_ratio * start_pods as f64).ceil() as i32;
    let requests: Vec<i64> = [100, -100, 10, -10, 2, -2, 1, -1, 0, 0]
        .iter()
        .map(|d| per_pod_requested + d)
        .collect();
    let fx = res(start_pods, requests, lv(&[total_used / 10; 10]));
    let expected_util = ((total_used * 100) as i32) / total_requested;
    let expected_raw = 2 * total_used / 10;
    let target2 = (1.0 / (requested_to_used * (1.0 - TOL))).abs() + 0.004;
    let n = run_resource(
        "TestReplicaCalcComputedToleranceAlgImplementation",
        vec![
            rcase(
                "scale down",
                fx.clone(),
                final_cpu_target,
                final_pods,
                expected_util,
                expected_raw,
            ),
            rcase(
                "no scale near the tolerance",
                fx,
                (target2 * 100.0) as i32,
                start_pods,
                expected_util,
                expected_raw,
            ),
        ],
    );
    assert_eq!((final_cpu_target, final_pods), (56, 9));
    assert_eq!(n, 2);
}

/// (name, fixture, target, expected replicas, expected usage, tolerances)
type MetricCase = (&'static str, Fx, i64, i32, i64, Option<Tolerances>);

fn check_metric(
    func: &str,
    name: &str,
    got: Result<(i32, i64, SimTime), String>,
    r: i32,
    u: i64,
    trace: &impl std::fmt::Debug,
) {
    let got = got.unwrap_or_else(|e| panic!("{func}/{name}: unexpected error {e}"));
    assert_eq!((got.0, got.1), (r, u), "{func}/{name}: {trace:#?}");
}

#[test]
fn replica_calc_external_per_pod_metric() {
    let cases: Vec<MetricCase> = vec![
        (
            "replica count overflow saturates to MaxInt32",
            metric(1, vec![i64::MAX]),
            1,
            i32::MAX,
            i64::MAX,
            None,
        ),
        (
            "usage overflow with huge target leaves replicas unchanged",
            metric(1, vec![i64::MAX]),
            i64::MAX,
            1,
            i64::MAX,
            None,
        ),
        (
            "statusReplicas zero does not overflow usage",
            metric(0, vec![20000]),
            5000,
            4,
            0,
            None,
        ),
        (
            "statusReplicas zero and metric zero does not underflow",
            metric(0, vec![0]),
            5000,
            0,
            0,
            None,
        ),
        ("scale up", metric(3, vec![8600]), 2150, 4, 2867, None),
        ("scale down", metric(5, vec![8600]), 2867, 3, 1720, None),
        (
            "within default tolerance",
            metric(3, vec![8600]),
            2900,
            3,
            2867,
            None,
        ),
        (
            "outside configurable 1% tolerance",
            metric(3, vec![8600]),
            2800,
            4,
            2867,
            Some(tol(TOL, 0.01)),
        ),
    ];
    let cfg = config();
    let sel = LabelSelector::with_labels([("label", "value")]);
    for (name, fx, target, r, u, t) in &cases {
        let pods = fx.pods();
        let calc = ReplicaCalculator::new(&cfg, &pods, NOW);
        let mut trace = scalesim::hpa::trace::MetricTrace::new(0, "External", None);
        let got = calc.get_external_per_pod_metric_replicas(
            &mut Fake(fx),
            fx.current,
            *target,
            "qps",
            t.unwrap_or_else(default_tol),
            "test-namespace",
            Some(&sel),
            &mut trace,
        );
        check_metric(
            "TestReplicaCalcExternalPerPodMetric",
            name,
            got,
            *r,
            *u,
            &trace,
        );
    }
    assert_eq!(cases.len(), 8);
}

#[test]
fn replica_calc_pod_metric() {
    let cases: Vec<MetricCase> = vec![
        (
            "scale up",
            metric(3, vec![20000, 10000, 30000]),
            15000,
            4,
            20000,
            None,
        ),
        (
            "scale up: unready hot-CPU pod scales less",
            metric(3, vec![50000, 10000, 30000])
                .ready(vec![T, T, F])
                .start(vec![T3M, T3M, NOW]),
            15000,
            6,
            30000,
            None,
        ),
        (
            "scale up: unready hot-CPU pods avoid scale-down",
            metric(3, vec![50000, 15000, 30000])
                .ready(vec![F, T, F])
                .start(vec![NOW, T3M, NOW]),
            15000,
            7,
            31666,
            None,
        ),
        (
            "scale down",
            metric(5, vec![12000; 5]),
            20000,
            3,
            12000,
            None,
        ),
        (
            "within default tolerance",
            metric(3, vec![20000, 21000, 21000]),
            20000,
            3,
            20666,
            None,
        ),
        (
            "outside configurable 1% tolerance",
            metric(3, vec![20000, 21000, 21000]),
            20000,
            4,
            20666,
            Some(tol(TOL, 0.01)),
        ),
        (
            "no change: missing metrics",
            metric(5, vec![20000, 19000, 21000]),
            20000,
            5,
            20000,
            None,
        ),
        (
            "rolling update with maxSurge: extra pod missing metric",
            metric(2, vec![10000, 10000]).phase(vec![R, R, R]),
            17000,
            2,
            10000,
            None,
        ),
    ];
    let cfg = config();
    for (name, fx, target, r, u, t) in &cases {
        let pods = fx.pods();
        let calc = ReplicaCalculator::new(&cfg, &pods, NOW);
        let mut trace = scalesim::hpa::trace::MetricTrace::new(0, "Pods", None);
        let got = calc.get_metric_replicas(
            &mut Fake(fx),
            fx.current,
            *target,
            "qps",
            t.unwrap_or_else(default_tol),
            "test-namespace",
            "name=test-pod",
            None,
            &mut trace,
        );
        check_metric("TestReplicaCalcPodMetric", name, got, *r, *u, &trace);
    }
    assert_eq!(cases.len(), 8);
}

#[test]
fn replica_calc_object_metric() {
    let cases: Vec<MetricCase> = vec![
        ("scale up", metric(3, vec![20000]), 15000, 4, 20000, None),
        (
            "scale up: very large metric saturates replicas to MaxInt32",
            metric(3, vec![i64::MAX]),
            1,
            i32::MAX,
            i64::MAX,
            None,
        ),
        (
            "scale up: ignores unready pods",
            metric(3, vec![50000]).ready(vec![F, T, F]),
            10000,
            5,
            50000,
            None,
        ),
        ("scale down", metric(5, vec![12000]), 20000, 3, 12000, None),
        (
            "within default tolerance",
            metric(3, vec![20666]),
            20000,
            3,
            20666,
            None,
        ),
        (
            "outside configurable 1% tolerance",
            metric(3, vec![20666]),
            20000,
            4,
            20666,
            Some(tol(TOL, 0.01)),
        ),
    ];
    let cfg = config();
    let obj = ObjectRef::new("apps/v1", "Deployment", "some-deployment");
    for (name, fx, target, r, u, t) in &cases {
        let pods = fx.pods();
        let calc = ReplicaCalculator::new(&cfg, &pods, NOW);
        let mut trace = scalesim::hpa::trace::MetricTrace::new(0, "Object", None);
        let got = calc.get_object_metric_replicas(
            &mut Fake(fx),
            fx.current,
            *target,
            "qps",
            t.unwrap_or_else(default_tol),
            "test-namespace",
            &obj,
            None,
            &mut trace,
        );
        check_metric("TestReplicaCalcObjectMetric", name, got, *r, *u, &trace);
    }
    assert_eq!(cases.len(), 6);
}

#[test]
fn replica_calc_object_per_pod_metric() {
    let cases: Vec<MetricCase> = vec![
        (
            "usage overflow with huge target leaves replicas unchanged",
            metric(1, vec![i64::MAX]),
            i64::MAX,
            1,
            i64::MAX,
            None,
        ),
        ("scale up", metric(3, vec![20000]), 5000, 4, 6667, None),
        ("scale down", metric(5, vec![6000]), 2000, 3, 1200, None),
        (
            "within default tolerance",
            metric(4, vec![20166]),
            5000,
            4,
            5042,
            None,
        ),
        (
            "outside configurable 1% tolerance",
            metric(4, vec![20208]),
            5000,
            5,
            5052,
            Some(tol(TOL, 0.01)),
        ),
        (
            "statusReplicas zero does not overflow usage",
            metric(0, vec![20000]),
            5000,
            4,
            0,
            None,
        ),
        (
            "statusReplicas zero and metric zero does not underflow",
            metric(0, vec![0]),
            5000,
            0,
            0,
            None,
        ),
    ];
    let cfg = config();
    let obj = ObjectRef::new("apps/v1", "Deployment", "some-deployment");
    for (name, fx, target, r, u, t) in &cases {
        let pods = fx.pods();
        let calc = ReplicaCalculator::new(&cfg, &pods, NOW);
        let mut trace = scalesim::hpa::trace::MetricTrace::new(0, "Object", None);
        let got = calc.get_object_per_pod_metric_replicas(
            &mut Fake(fx),
            fx.current,
            *target,
            "qps",
            t.unwrap_or_else(default_tol),
            "test-namespace",
            &obj,
            None,
            &mut trace,
        );
        check_metric(
            "TestReplicaCalcObjectPerPodMetric",
            name,
            got,
            *r,
            *u,
            &trace,
        );
    }
    assert_eq!(cases.len(), 7);
}

#[test]
fn replica_calc_external_metric() {
    let cases: Vec<MetricCase> = vec![
        (
            "scale down: ignores unready pods (would otherwise scale up)",
            metric(3, vec![8600]).ready(vec![F, T, F]),
            4400,
            2,
            8600,
            None,
        ),
        ("scale down", metric(5, vec![8600]), 14334, 3, 8600, None),
        (
            "within default tolerance",
            metric(3, vec![8600]),
            8888,
            3,
            8600,
            None,
        ),
        (
            "outside configurable 1% tolerance",
            metric(3, vec![8900]),
            8800,
            4,
            8900,
            Some(tol(TOL, 0.01)),
        ),
        (
            "usage overflow caps at MaxInt64",
            metric(3, vec![i64::MAX / 2 + 1, i64::MAX / 2 + 1]),
            i64::MAX,
            3,
            i64::MAX,
            None,
        ),
    ];
    let cfg = config();
    let sel = LabelSelector::with_labels([("label", "value")]);
    for (name, fx, target, r, u, t) in &cases {
        let pods = fx.pods();
        let calc = ReplicaCalculator::new(&cfg, &pods, NOW);
        let mut trace = scalesim::hpa::trace::MetricTrace::new(0, "External", None);
        let got = calc.get_external_metric_replicas(
            &mut Fake(fx),
            fx.current,
            *target,
            "qps",
            t.unwrap_or_else(default_tol),
            "test-namespace",
            Some(&sel),
            &mut trace,
        );
        check_metric("TestReplicaCalcExternalMetric", name, got, *r, *u, &trace);
    }
    assert_eq!(cases.len(), 5);
}

fn bare_pod(
    name: &str,
    phase: PodPhase,
    start: Option<SimTime>,
    ready: Option<(ConditionStatus, SimTime)>,
) -> PodInfo {
    PodInfo {
        name: name.to_string(),
        phase,
        ready: ready.map(|(status, at)| ReadyCondition {
            status,
            last_transition_time: at,
        }),
        start_time: start,
        deleted: false,
        containers: vec![],
        sidecars: vec![],
        pod_requests: None,
    }
}

fn pm(pod: &str, ts: SimTime, window_secs: u64) -> (String, PodMetric) {
    (
        pod.to_string(),
        PodMetric {
            pod: pod.to_string(),
            value_milli: 1,
            timestamp: ts,
            window: Dur::from_secs(window_secs),
        },
    )
}

fn ago(secs: u64) -> SimTime {
    SimTime(NOW.0 - secs * NANOS_PER_SEC)
}

#[test]
fn group_pods_upstream_cases() {
    // (name, pods, metrics, resource, ready count, unready, missing, ignored)
    #[allow(clippy::type_complexity)]
    let cases: Vec<(
        &str,
        Vec<PodInfo>,
        Vec<(String, PodMetric)>,
        &str,
        usize,
        Vec<&str>,
        Vec<&str>,
        Vec<&str>,
    )> = vec![
        ("void", vec![], vec![], "cpu", 0, vec![], vec![], vec![]),
        (
            "count in a ready pod - memory",
            vec![bare_pod("bentham", R, None, None)],
            vec![pm("bentham", NOW, 60)],
            "memory",
            1,
            vec![],
            vec![],
            vec![],
        ),
        (
            "unready a pod without ready condition - CPU",
            vec![bare_pod("lucretius", R, Some(NOW), None)],
            vec![pm("lucretius", ZERO, 0)],
            "cpu",
            0,
            vec!["lucretius"],
            vec![],
            vec![],
        ),
        (
            "count in a ready pod with fresh metrics during initialization period - CPU",
            vec![bare_pod("bentham", R, Some(ago(60)), Some((T, ago(30))))],
            vec![pm("bentham", NOW, 30)],
            "cpu",
            1,
            vec![],
            vec![],
            vec![],
        ),
        (
            "unready a ready pod without fresh metrics during initialization period - CPU",
            vec![bare_pod("bentham", R, Some(ago(60)), Some((T, ago(30))))],
            vec![pm("bentham", NOW, 60)],
            "cpu",
            0,
            vec!["bentham"],
            vec![],
            vec![],
        ),
        (
            "unready an unready pod during initialization period - CPU",
            vec![bare_pod(
                "lucretius",
                R,
                Some(ago(600)),
                Some((F, ago(594))),
            )],
            vec![pm("lucretius", ZERO, 0)],
            "cpu",
            0,
            vec!["lucretius"],
            vec![],
            vec![],
        ),
        (
            "count in a ready pod without fresh metrics after initialization period - CPU",
            vec![bare_pod("bentham", R, Some(ago(180)), Some((T, ago(180))))],
            vec![pm("bentham", ago(120), 60)],
            "cpu",
            1,
            vec![],
            vec![],
            vec![],
        ),
        (
            "count in an unready pod that was ready after initialization period - CPU",
            vec![bare_pod(
                "lucretius",
                R,
                Some(ago(600)),
                Some((F, ago(540))),
            )],
            vec![pm("lucretius", ZERO, 0)],
            "cpu",
            1,
            vec![],
            vec![],
            vec![],
        ),
        (
            "unready pod that has never been ready after initialization period - CPU",
            vec![bare_pod(
                "lucretius",
                R,
                Some(ago(600)),
                Some((F, ago(590))),
            )],
            vec![pm("lucretius", ZERO, 0)],
            "cpu",
            1,
            vec![],
            vec![],
            vec![],
        ),
        (
            "a missing pod",
            vec![bare_pod("epicurus", R, Some(ago(180)), None)],
            vec![],
            "cpu",
            0,
            vec![],
            vec!["epicurus"],
            vec![],
        ),
        (
            "several pods",
            vec![
                bare_pod("lucretius", R, Some(NOW), None),
                bare_pod("niccolo", R, Some(ago(180)), Some((T, ago(180)))),
                bare_pod("epicurus", R, Some(ago(180)), None),
            ],
            vec![pm("lucretius", ZERO, 0), pm("niccolo", ZERO, 0)],
            "cpu",
            1,
            vec!["lucretius"],
            vec!["epicurus"],
            vec![],
        ),
        (
            "pending pods are unreadied",
            vec![bare_pod("unscheduled", Pending, None, None)],
            vec![],
            "cpu",
            0,
            vec!["unscheduled"],
            vec![],
            vec![],
        ),
        (
            "ignore pods with deletion timestamps",
            vec![PodInfo {
                deleted: true,
                ..bare_pod("deleted", Pending, None, None)
            }],
            vec![pm("deleted", ZERO, 0)],
            "cpu",
            0,
            vec![],
            vec![],
            vec!["deleted"],
        ),
        (
            "ignore pods in a failed state",
            vec![bare_pod("failed", Failed, None, None)],
            vec![pm("failed", ZERO, 0)],
            "cpu",
            0,
            vec![],
            vec![],
            vec!["failed"],
        ),
        (
            "ignore pods in a succeeded state",
            vec![bare_pod("succeeded", Succeeded, None, None)],
            vec![pm("succeeded", ZERO, 0)],
            "cpu",
            0,
            vec![],
            vec![],
            vec!["succeeded"],
        ),
    ];
    let set = |v: &[&str]| {
        v.iter()
            .map(|s| s.to_string())
            .collect::<std::collections::BTreeSet<_>>()
    };
    for (name, pods, metrics, resource, ready, unready, missing, ignored) in &cases {
        let metrics: BTreeMap<String, PodMetric> = metrics.iter().cloned().collect();
        let g = group_pods(
            pods,
            &metrics,
            resource,
            Dur::from_secs(120),
            Dur::from_secs(10),
            true,
            NOW,
        );
        assert_eq!(g.ready_pod_count, *ready, "TestGroupPods/{name}");
        assert_eq!(g.unready, set(unready), "TestGroupPods/{name}");
        assert_eq!(g.missing, set(missing), "TestGroupPods/{name}");
        assert_eq!(g.ignored, set(ignored), "TestGroupPods/{name}");
    }
    assert_eq!(cases.len(), 15);
}

#[test]
fn group_pods_succeeded_is_missing_before_master() {
    // v1.30-v1.35: a Succeeded pod without a metric is "missing", not ignored.
    let pods = vec![bare_pod("done", Succeeded, Some(ago(600)), None)];
    let g = group_pods(
        &pods,
        &BTreeMap::new(),
        "cpu",
        Dur::from_secs(120),
        Dur::from_secs(10),
        false,
        NOW,
    );
    assert!(g.ignored.is_empty());
    assert_eq!(g.missing.len(), 1);
}

fn req_pod(
    containers: &[(&str, Option<i64>)],
    sidecars: &[(&str, Option<i64>)],
    pod_level: Option<i64>,
) -> PodInfo {
    let c = |l: &[(&str, Option<i64>)]| {
        l.iter()
            .map(|(n, r)| ContainerRequests {
                name: n.to_string(),
                requests: r
                    .map(|r| BTreeMap::from([("cpu".to_string(), r)]))
                    .unwrap_or_default(),
            })
            .collect()
    };
    PodInfo {
        containers: c(containers),
        sidecars: c(sidecars),
        pod_requests: pod_level.map(|r| BTreeMap::from([("cpu".to_string(), r)])),
        ..bare_pod("test-pod", R, None, None)
    }
}

#[test]
fn calculate_requests_upstream_cases() {
    let two = [("container1", Some(100)), ("container2", Some(50))];
    let one_missing = [("container1", None), ("container2", Some(50))];
    // (name, pods, container, pod-level gate, expected)
    #[allow(clippy::type_complexity)]
    let cases: Vec<(&str, Vec<PodInfo>, &str, bool, Result<Vec<(&str, i64)>, String>)> = vec![
        ("void", vec![], "", false, Ok(vec![])),
        ("Sum container requests if pod-level feature is disabled", vec![req_pod(&two, &[], None)], "", false, Ok(vec![("test-pod", 150)])),
        (
            "Pod-level resources are enabled, but not set: fallback to sum container requests",
            vec![req_pod(&two, &[], None)],
            "",
            true,
            Ok(vec![("test-pod", 150)]),
        ),
        (
            "Pod-level resources override container requests when feature enabled and pod resources specified",
            vec![req_pod(&two, &[], Some(800))],
            "",
            true,
            Ok(vec![("test-pod", 800)]),
        ),
        (
            "Fail if at least one of the containers is missing requests and pod-level feature/requests are not set",
            vec![req_pod(&one_missing, &[], None)],
            "",
            false,
            Err("missing request for cpu in container container1 of Pod test-pod".into()),
        ),
        (
            "Pod-level resources override missing container requests when feature enabled and pod resources specified",
            vec![req_pod(&one_missing, &[], Some(800))],
            "",
            true,
            Ok(vec![("test-pod", 800)]),
        ),
        (
            "Container: if a container name is specified, calculate requests only for that container",
            vec![req_pod(&two, &[], None)],
            "container1",
            false,
            Ok(vec![("test-pod", 100)]),
        ),
        (
            "Container: if a container name is specified, calculate requests only for that container and ignore pod-level requests",
            vec![req_pod(&two, &[], Some(800))],
            "container1",
            true,
            Ok(vec![("test-pod", 100)]),
        ),
        (
            "pod with restartable init containers",
            // The non-restartable init container is not part of PodInfo at all.
            vec![req_pod(&[("container1", Some(100))], &[("restartable-container1", Some(50))], None)],
            "",
            false,
            Ok(vec![("test-pod", 150)]),
        ),
    ];
    for (name, pods, container, gate, expected) in &cases {
        let opts = RequestOptions {
            pod_level_resources: *gate,
            missing_container_is_error: true,
        };
        let got = calculate_requests(pods, container, "cpu", opts);
        let expected = expected.clone().map(|v| {
            v.into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>()
        });
        assert_eq!(got, expected, "TestCalculateRequests/{name}");
    }
    assert_eq!(cases.len(), 9);
}

#[test]
fn calculate_pod_requests_from_containers_non_existent_container() {
    let pods = vec![req_pod(&[("container1", Some(100))], &[], None)];
    let master = RequestOptions {
        pod_level_resources: false,
        missing_container_is_error: true,
    };
    assert_eq!(
        calculate_requests(&pods, "non-existent-container", "cpu", master),
        Err("container non-existent-container not found in Pod test-pod".to_string())
    );
    // Releases before the change report a request of 0 instead.
    let older = RequestOptions {
        missing_container_is_error: false,
        ..master
    };
    assert_eq!(
        calculate_requests(&pods, "non-existent-container", "cpu", older).unwrap()["test-pod"],
        0
    );
}

#[test]
fn get_per_pod_usage_upstream_cases() {
    let cases = [
        ("zero replicas returns zero", 20000, 0, 0),
        ("normal division with ceiling", 1000, 3, 334),
        ("overflow returns MaxInt64", i64::MAX, 1, i64::MAX),
    ];
    for (name, usage, replicas, expected) in cases {
        assert_eq!(
            per_pod_usage(usage, replicas),
            expected,
            "TestGetPerPodUsage/{name}"
        );
    }
}

#[test]
fn tolerance_forms_differ_only_at_the_upper_boundary() {
    let new = Tolerances::uniform(0.1, ToleranceForm::Bounds);
    let old = Tolerances::uniform(0.1, ToleranceForm::AbsDiff);
    let r = 110.0 / 100.0;
    assert!(new.is_within(r), "v1.33+: 1.1 <= 1+0.1");
    assert!(
        !old.is_within(r),
        "v1.32: |1-1.1| = 0.10000000000000009 > 0.1"
    );
    let r = 90.0 / 100.0;
    assert!(new.is_within(r) && old.is_within(r));
}
