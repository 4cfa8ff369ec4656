//! `results.csv` (one row per point and seed) and `points.csv` (one row per point: mean and
//! spread across seeds, feasibility, Pareto membership, rank).
//!
//! Both files are pure functions of their rows, written with fixed number formatting
//! ([`crate::observe::fmt_num`]), rows sorted by (point, replicate). Aggregates are computed
//! from the canonical values `results.csv` holds, so merging shard files gives the same
//! bytes as the unsharded sweep.
//!
//! `results.csv`: `point, replicate, seed, <parameter keys...>, <metrics...>, error`.
//! `points.csv`: `point, <parameter keys...>, seeds, errors, feasible, pareto, rank`, then
//! `margin:<slo>` per SLO (the worst seed's slack) and `<metric>_mean, _sd, _min, _max` per
//! metric. `sd` is the sample standard deviation (empty with one seed). A metric's aggregates
//! are empty when any seed has no value (a `drain_time_s` of a run that never drained: a point
//! that sometimes does not drain has no meaningful drain time).

use super::metrics::{canonical, Metrics, METRIC_NAMES, N_METRICS};
use super::pareto::Judged;
use crate::observe::fmt_num;

/// One simulation of a sweep: a point under one seed.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    /// Point index in the design.
    pub point: usize,
    /// Replicate number, 0-based (seed = base seed + replicate).
    pub replicate: u32,
    /// The seed it ran with.
    pub seed: u64,
    /// Parameter values (`--set` texts), in parameter order.
    pub values: Vec<String>,
    /// The metrics, or why the simulation stopped (e.g. too many tasks in flight).
    pub outcome: Result<Metrics, String>,
}

/// The `results.csv` header.
pub fn results_header(keys: &[String]) -> Vec<String> {
    let mut h: Vec<String> = vec!["point".into(), "replicate".into(), "seed".into()];
    h.extend(keys.iter().cloned());
    h.extend(METRIC_NAMES.iter().map(|m| m.to_string()));
    h.push("error".into());
    h
}

/// Sorts rows by (point, replicate).
pub fn sort_rows(rows: &mut [RunRow]) {
    rows.sort_by_key(|r| (r.point, r.replicate));
}

/// `results.csv` bytes (rows must be sorted).
pub fn write_results(keys: &[String], rows: &[RunRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(results_header(keys))
        .expect("in-memory write");
    for r in rows {
        let mut rec = vec![
            r.point.to_string(),
            r.replicate.to_string(),
            r.seed.to_string(),
        ];
        rec.extend(r.values.iter().cloned());
        match &r.outcome {
            Ok(m) => {
                rec.extend(m.cells());
                rec.push(String::new());
            }
            Err(e) => {
                rec.extend(std::iter::repeat_n(String::new(), N_METRICS));
                rec.push(e.clone());
            }
        }
        w.write_record(&rec).expect("in-memory write");
    }
    w.into_inner().expect("in-memory flush")
}

/// Reads `results.csv`: the parameter keys and the rows. `file` names it in errors.
pub fn read_results(bytes: &[u8], file: &str) -> Result<(Vec<String>, Vec<RunRow>), String> {
    let mut r = csv::ReaderBuilder::new().from_reader(bytes);
    let header: Vec<String> = r
        .headers()
        .map_err(|e| format!("{file}: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    let n = header.len();
    let fixed = 3 + N_METRICS + 1;
    let shape_ok = n >= fixed
        && header[..3] == ["point", "replicate", "seed"]
        && header[n - 1] == "error"
        && header[n - 1 - N_METRICS..n - 1]
            .iter()
            .zip(METRIC_NAMES)
            .all(|(a, b)| a == b);
    if !shape_ok {
        return Err(format!(
            "{file}: not a results.csv written by this scalesim version (expected columns point, replicate, seed, parameters, {}, error)",
            METRIC_NAMES.join(", ")
        ));
    }
    let keys: Vec<String> = header[3..n - 1 - N_METRICS].to_vec();
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("{file}:{line}: {e}"))?;
        if rec.len() != n {
            return Err(format!("{file}:{line}: {} fields, expected {n}", rec.len()));
        }
        let int = |k: usize| -> Result<u64, String> {
            rec[k].parse::<u64>().map_err(|_| {
                format!(
                    "{file}:{line}: column {}: {:?} is not a whole number",
                    header[k], &rec[k]
                )
            })
        };
        let point = int(0)? as usize;
        let replicate =
            u32::try_from(int(1)?).map_err(|_| format!("{file}:{line}: replicate out of range"))?;
        let seed = int(2)?;
        let values: Vec<String> = (3..3 + keys.len()).map(|k| rec[k].to_string()).collect();
        let error = rec[n - 1].to_string();
        let outcome = if error.is_empty() {
            let mut m = [None; N_METRICS];
            for (j, slot) in m.iter_mut().enumerate() {
                let k = 3 + keys.len() + j;
                let cell = &rec[k];
                *slot = if cell.is_empty() {
                    None
                } else {
                    Some(canonical(cell.parse::<f64>().map_err(|_| {
                        format!(
                            "{file}:{line}: column {}: {cell:?} is not a number",
                            header[k]
                        )
                    })?))
                };
            }
            Ok(Metrics(m))
        } else {
            Err(error)
        };
        rows.push(RunRow {
            point,
            replicate,
            seed,
            values,
            outcome,
        });
    }
    Ok((keys, rows))
}

/// Mean and spread of one metric across seeds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Agg {
    /// Mean.
    pub mean: Option<f64>,
    /// Sample standard deviation (None with fewer than two seeds).
    pub sd: Option<f64>,
    /// Smallest.
    pub min: Option<f64>,
    /// Largest.
    pub max: Option<f64>,
}

/// One point's runs, aggregated.
#[derive(Clone, Debug, PartialEq)]
pub struct PointSummary {
    /// Point index.
    pub point: usize,
    /// Parameter values.
    pub values: Vec<String>,
    /// Seeds run, in replicate order.
    pub seeds: Vec<u64>,
    /// Each replicate's outcome, in replicate order.
    pub runs: Vec<Result<Metrics, String>>,
    /// Per metric.
    pub aggs: Vec<Agg>,
}

impl PointSummary {
    /// Runs that stopped with an error.
    pub fn errors(&self) -> usize {
        self.runs.iter().filter(|r| r.is_err()).count()
    }

    /// The values of metric `m` per replicate (None for a failed run or a missing value).
    pub fn per_seed(&self, m: usize) -> Vec<Option<f64>> {
        self.runs
            .iter()
            .map(|r| r.as_ref().ok().and_then(|x| x.get(m)))
            .collect()
    }

    /// The mean of metric `m`.
    pub fn mean(&self, m: usize) -> Option<f64> {
        self.aggs[m].mean
    }
}

/// Groups sorted rows by point and aggregates them.
pub fn aggregate(rows: &[RunRow]) -> Vec<PointSummary> {
    let mut out: Vec<PointSummary> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|p| p.point != r.point) {
            out.push(PointSummary {
                point: r.point,
                values: r.values.clone(),
                seeds: Vec::new(),
                runs: Vec::new(),
                aggs: Vec::new(),
            });
        }
        let p = out.last_mut().expect("pushed");
        p.seeds.push(r.seed);
        p.runs.push(r.outcome.clone());
    }
    for p in &mut out {
        p.aggs = (0..N_METRICS).map(|m| agg(&p.per_seed(m))).collect();
    }
    out
}

fn agg(values: &[Option<f64>]) -> Agg {
    let Some(v) = values.iter().copied().collect::<Option<Vec<f64>>>() else {
        return Agg::default();
    };
    if v.is_empty() {
        return Agg::default();
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.len() > 1)
        .then(|| (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)).sqrt());
    Agg {
        mean: Some(mean),
        sd,
        min: v.iter().copied().reduce(f64::min),
        max: v.iter().copied().reduce(f64::max),
    }
}

/// `points.csv` bytes. `slo_texts` name the margin columns.
pub fn write_points(keys: &[String], slo_texts: &[String], judged: &[Judged]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut h: Vec<String> = vec!["point".into()];
    h.extend(keys.iter().cloned());
    h.extend(["seeds", "errors", "feasible", "pareto", "rank"].map(String::from));
    h.extend(slo_texts.iter().map(|s| format!("margin:{s}")));
    for m in METRIC_NAMES {
        for s in ["mean", "sd", "min", "max"] {
            h.push(format!("{m}_{s}"));
        }
    }
    w.write_record(&h).expect("in-memory write");
    let num = |v: Option<f64>| v.map_or(String::new(), fmt_num);
    let mut sorted: Vec<&Judged> = judged.iter().collect();
    sorted.sort_by_key(|j| j.summary.point);
    for j in sorted {
        let p = &j.summary;
        let mut rec = vec![p.point.to_string()];
        rec.extend(p.values.iter().cloned());
        rec.push(p.runs.len().to_string());
        rec.push(p.errors().to_string());
        rec.push(j.feasible.to_string());
        rec.push(j.pareto.to_string());
        rec.push(j.rank.to_string());
        rec.extend(j.slos.iter().map(|r| num(r.margin)));
        for a in &p.aggs {
            rec.extend([num(a.mean), num(a.sd), num(a.min), num(a.max)]);
        }
        w.write_record(&rec).expect("in-memory write");
    }
    w.into_inner().expect("in-memory flush")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::Summary;

    fn row(point: usize, replicate: u32, pods: f64, drain: Option<f64>) -> RunRow {
        let s = Summary {
            pod_seconds: pods,
            drain_time_s: drain,
            ..Summary::default()
        };
        RunRow {
            point,
            replicate,
            seed: 1 + replicate as u64,
            values: vec![format!("v{point}")],
            outcome: Ok(Metrics::from_summary(&s)),
        }
    }

    #[test]
    fn results_round_trip_and_aggregate() {
        let keys = vec!["ScaledObject/so:spec.pollingInterval".to_string()];
        let mut rows = vec![
            row(1, 0, 10.0, Some(5.0)),
            row(0, 1, 3.0, Some(1.0)),
            row(0, 0, 1.0 / 3.0, None),
        ];
        rows.push(RunRow {
            outcome: Err("more than 10 tasks, in flight".into()),
            ..row(1, 1, 0.0, None)
        });
        sort_rows(&mut rows);
        let bytes = write_results(&keys, &rows);
        let (k2, back) = read_results(&bytes, "results.csv").unwrap();
        assert_eq!(k2, keys);
        assert_eq!(back, rows);
        let pts = aggregate(&back);
        assert_eq!(pts.len(), 2);
        let pods = crate::tune::metrics::metric_index("pod_seconds").unwrap();
        let drain = crate::tune::metrics::metric_index("drain_time_s").unwrap();
        assert_eq!(pts[0].aggs[pods].min, Some(0.333333));
        assert_eq!(pts[0].aggs[drain], Agg::default(), "one seed never drained");
        assert_eq!(pts[1].errors(), 1);
        assert!(read_results(b"a,b\n1,2\n", "x.csv")
            .unwrap_err()
            .contains("not a results.csv"));
    }
}
