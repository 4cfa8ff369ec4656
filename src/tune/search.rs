//! The adaptive search of `tune --design local:N`: a seeded pattern search on the grid.
//!
//! 1. Start from a Latin hypercube of about a quarter of the budget (at least `2d + 2` points
//!    for `d` parameters), so every parameter's range is covered once.
//! 2. Each round, take the two best points so far (by the ranking of [`super::pareto`]:
//!    feasible first, then the objectives; infeasible points by their distance to feasible)
//!    and evaluate their neighbours `step` levels away along each parameter, in a fixed order.
//! 3. When a round does not improve the best point, halve the step; stop when a round at step
//!    1 brings nothing, when no unseen neighbour is left, or when the budget is spent.
//!
//! Every round is one parallel batch whose membership depends only on earlier results, so the
//! search is as deterministic as a grid. It finds a local optimum: with a budget of at least
//! the grid's size it simply runs the whole grid.

use std::collections::BTreeMap;

use super::design::{grid_coords, grid_index, grid_point, grid_size, points, Point};
use super::exec::Study;
use super::objective::{Objective, Slo};
use super::pareto::{by_rank, judge_preferring};
use super::results::{aggregate, sort_rows, RunRow};
use super::space::DesignKind;
use super::TuneError;

/// Runs a local search of at most `budget` points; returns every row, sorted.
pub fn local_search(
    study: &Study,
    budget: usize,
    seed: u64,
    slos: &[Slo],
    objectives: &[Objective],
    current: &[Option<String>],
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<RunRow>, TuneError> {
    let params = &study.params;
    let size = grid_size(params).map_err(TuneError::Input)?;
    if budget >= size {
        let all: Vec<Point> = (0..size).map(|i| grid_point(params, i)).collect();
        study.validate(&all)?;
        let mut rows = study.run(&all, tick)?;
        sort_rows(&mut rows);
        return Ok(rows);
    }
    let d = params.len();
    let n0 = budget.min((2 * d + 2).max(budget / 4)).max(1);
    let mut start: Vec<Point> = Vec::new();
    for p in points(params, DesignKind::Lhs(n0), seed).map_err(TuneError::Input)? {
        let coords: Vec<usize> = params
            .iter()
            .zip(&p.values)
            .map(|(q, v)| {
                q.domain
                    .levels()
                    .expect("levels")
                    .iter()
                    .position(|l| l == v)
                    .expect("a level")
            })
            .collect();
        let idx = grid_index(params, &coords);
        if !start.iter().any(|s| s.index == idx) {
            start.push(grid_point(params, idx));
        }
    }
    let mut done: BTreeMap<usize, Vec<RunRow>> = BTreeMap::new();
    let mut batch = start;
    let max_levels = params
        .iter()
        .map(|p| p.domain.levels().map_or(1, |l| l.len()))
        .max()
        .unwrap_or(1);
    let mut step = (max_levels / 4).max(1);
    let mut best: Option<usize> = None;
    loop {
        if !batch.is_empty() {
            study.validate(&batch)?;
            for r in study.run(&batch, tick)? {
                done.entry(r.point).or_default().push(r);
            }
        }
        let rows: Vec<RunRow> = done.values().flatten().cloned().collect();
        let judged = judge_preferring(aggregate(&rows), slos, objectives, current);
        let ranked = by_rank(&judged);
        let new_best = ranked.first().map(|j| j.summary.point);
        if !batch.is_empty() && new_best == best {
            if step == 1 {
                break;
            }
            step = (step / 2).max(1);
        }
        best = new_best;
        let remaining = budget.saturating_sub(done.len());
        if remaining == 0 {
            break;
        }
        let mut next: Vec<Point> = Vec::new();
        let mut s = step;
        loop {
            for j in ranked.iter().take(2) {
                let coords = grid_coords(params, j.summary.point);
                for (k, p) in params.iter().enumerate() {
                    let n = p.domain.levels().map_or(1, |l| l.len());
                    for dir in [-1i64, 1] {
                        let c = coords[k] as i64 + dir * s as i64;
                        let c = c.clamp(0, n as i64 - 1) as usize;
                        if c == coords[k] {
                            continue;
                        }
                        let mut nc = coords.clone();
                        nc[k] = c;
                        let idx = grid_index(params, &nc);
                        if !done.contains_key(&idx) && !next.iter().any(|q| q.index == idx) {
                            next.push(grid_point(params, idx));
                        }
                    }
                }
            }
            if !next.is_empty() || s == 1 {
                break;
            }
            s = (s / 2).max(1);
            step = s;
        }
        if next.is_empty() {
            break;
        }
        next.truncate(remaining);
        batch = next;
    }
    let mut rows: Vec<RunRow> = done.into_values().flatten().collect();
    sort_rows(&mut rows);
    Ok(rows)
}
