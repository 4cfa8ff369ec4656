//! Judging points: SLOs, the Pareto front, and one ranking of every point.
//!
//! The ranking, which `points.csv` (`rank`), `tune`'s recommendation and the local search all
//! use:
//! 1. Feasible points (every seed ran and every SLO holds) before infeasible ones.
//! 2. Among feasible points: with one objective, by it; with several (or none, when the
//!    default cost-vs-wait front `pod_seconds`, `wait_p95_s` is used), points on the Pareto
//!    front first, then by the objectives in order (the first is primary, the rest break ties).
//! 3. Among infeasible points: by how far they are from feasible (sum over SLOs of the
//!    shortfall relative to the threshold), then by the objectives.
//! 4. Finally by point index, so the order is total and the same on every machine.
//!
//! The front is computed on the means across seeds, among feasible points only.

use std::cmp::Ordering;

use super::objective::{default_front, Objective, Slo, SloResult};
use super::results::PointSummary;

/// A point with its verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Judged {
    /// The point's aggregates.
    pub summary: PointSummary,
    /// One result per SLO, in SLO order.
    pub slos: Vec<SloResult>,
    /// Every seed ran and every SLO holds.
    pub feasible: bool,
    /// Distance to feasibility (0 when feasible).
    pub violation: f64,
    /// On the Pareto front of the objectives.
    pub pareto: bool,
    /// 1-based rank (1 = best).
    pub rank: usize,
}

/// The objectives a front and a ranking use: the given ones, else cost vs wait.
pub fn effective_objectives(objectives: &[Objective]) -> Vec<Objective> {
    if objectives.is_empty() {
        default_front()
    } else {
        objectives.to_vec()
    }
}

/// Judges and ranks points.
pub fn judge(points: Vec<PointSummary>, slos: &[Slo], objectives: &[Objective]) -> Vec<Judged> {
    judge_preferring(points, slos, objectives, &[])
}

/// Judges and ranks points; among equals, prefers points whose values equal `current` (the
/// values in the user's files, one per parameter; None: absent).
pub fn judge_preferring(
    points: Vec<PointSummary>,
    slos: &[Slo],
    objectives: &[Objective],
    current: &[Option<String>],
) -> Vec<Judged> {
    let objs = effective_objectives(objectives);
    let mut judged: Vec<Judged> = points
        .into_iter()
        .map(|p| {
            let results: Vec<SloResult> = slos
                .iter()
                .map(|s| s.evaluate(&p.per_seed(s.metric), p.mean(s.metric)))
                .collect();
            let ran = p.errors() == 0 && !p.runs.is_empty();
            let feasible = ran && results.iter().all(|r| r.pass);
            let violation = if ran {
                slos.iter().zip(&results).map(|(s, r)| s.violation(r)).sum()
            } else {
                f64::INFINITY
            };
            Judged {
                summary: p,
                slos: results,
                feasible,
                violation,
                pareto: false,
                rank: 0,
            }
        })
        .collect();
    mark_front(&mut judged, &objs);
    let changes: Vec<usize> = judged
        .iter()
        .map(|j| {
            if current.is_empty() {
                return 0;
            }
            j.summary
                .values
                .iter()
                .zip(current)
                .filter(|(v, c)| c.as_deref().map(unquote) != Some(unquote(v)))
                .count()
        })
        .collect();
    let order = ranking(&judged, &objs, objectives.len() == 1, &changes);
    for (r, &i) in order.iter().enumerate() {
        judged[i].rank = r + 1;
    }
    judged
}

fn keys(j: &Judged, objs: &[Objective]) -> Vec<f64> {
    objs.iter()
        .map(|o| o.key(j.summary.mean(o.metric)))
        .collect()
}

/// `a` dominates `b`: no worse in every objective and better in one.
fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
}

fn mark_front(judged: &mut [Judged], objs: &[Objective]) {
    let feasible: Vec<(usize, Vec<f64>)> = judged
        .iter()
        .enumerate()
        .filter(|(_, j)| j.feasible)
        .map(|(i, j)| (i, keys(j, objs)))
        .filter(|(_, k)| k.iter().all(|v| v.is_finite()))
        .collect();
    for (i, k) in &feasible {
        let dominated = feasible.iter().any(|(_, other)| dominates(other, k));
        judged[*i].pareto = !dominated;
    }
}

fn cmp_keys(a: &[f64], b: &[f64]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match x.total_cmp(y) {
            Ordering::Equal => continue,
            o => return o,
        }
    }
    Ordering::Equal
}

/// Indices of `judged` from best to worst.
fn ranking(judged: &[Judged], objs: &[Objective], scalar: bool, changes: &[usize]) -> Vec<usize> {
    let ks: Vec<Vec<f64>> = judged.iter().map(|j| keys(j, objs)).collect();
    let mut order: Vec<usize> = (0..judged.len()).collect();
    order.sort_by(|&a, &b| {
        let (ja, jb) = (&judged[a], &judged[b]);
        jb.feasible
            .cmp(&ja.feasible)
            .then_with(|| {
                if ja.feasible {
                    if scalar {
                        Ordering::Equal
                    } else {
                        jb.pareto.cmp(&ja.pareto)
                    }
                } else {
                    ja.violation.total_cmp(&jb.violation)
                }
            })
            .then_with(|| cmp_keys(&ks[a], &ks[b]))
            .then_with(|| changes[a].cmp(&changes[b]))
            .then_with(|| ja.summary.point.cmp(&jb.summary.point))
    });
    order
}

/// A value without its YAML quotes (`"10"` and `10` name the same setting).
pub fn unquote(s: &str) -> &str {
    let t = s.trim();
    t.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| t.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(t)
}

/// The judged points sorted by rank.
pub fn by_rank(judged: &[Judged]) -> Vec<&Judged> {
    let mut v: Vec<&Judged> = judged.iter().collect();
    v.sort_by_key(|j| j.rank);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::Summary;
    use crate::tune::metrics::Metrics;
    use crate::tune::objective::{parse_objectives, parse_slos};
    use crate::tune::results::{aggregate, RunRow};

    fn pt(i: usize, pods: f64, wait: f64) -> RunRow {
        let mut s = Summary {
            pod_seconds: pods,
            ..Summary::default()
        };
        s.wait_s.p95 = wait;
        RunRow {
            point: i,
            replicate: 0,
            seed: 1,
            values: vec![],
            outcome: Ok(Metrics::from_summary(&s)),
        }
    }

    #[test]
    fn front_and_ranks() {
        let rows = vec![
            pt(0, 100.0, 10.0), // front
            pt(1, 50.0, 40.0),  // front, infeasible with wait<=30
            pt(2, 80.0, 20.0),  // front
            pt(3, 120.0, 25.0), // dominated
        ];
        let slos = parse_slos(&["wait_p95_s<=30".into()]).unwrap();
        let j = judge(aggregate(&rows), &slos, &[]);
        let front: Vec<bool> = j.iter().map(|j| j.pareto).collect();
        assert_eq!(front, [true, false, true, false]);
        let ranks: Vec<usize> = j.iter().map(|j| j.rank).collect();
        assert_eq!(ranks, [2, 4, 1, 3]);
        // One objective: scalar ranking by it.
        let o = parse_objectives(&["wait_p95_s".into()], &[]).unwrap();
        let j = judge(aggregate(&rows), &slos, &o);
        assert_eq!(j.iter().map(|j| j.rank).collect::<Vec<_>>(), [1, 4, 2, 3]);
    }
}
