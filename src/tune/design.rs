//! Points of a design: the full grid, random draws, or a Latin hypercube; and the slice of
//! them one shard runs.
//!
//! Every choice here is a pure function of (parameters, design, design seed): the same
//! command gives the same points on every machine and in every shard. Random draws come from
//! the simulator's named ChaCha8 streams (`tune/design/random`, `tune/design/lhs`).

use crate::rng::{unit_f64, RngStreams, SimRng};

use super::space::{DesignKind, Param};
use super::values::Domain;

/// Most points one design may have.
pub const MAX_POINTS: usize = 1_000_000;

/// One point of the space: a value per parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// Index in the design (in a grid: the mixed-radix index, first parameter slowest).
    pub index: usize,
    /// One `--set` value text per parameter, in parameter order.
    pub values: Vec<String>,
}

impl Point {
    /// The `KEY=VALUE` overrides of this point.
    pub fn overrides(&self, params: &[Param]) -> Vec<String> {
        params
            .iter()
            .zip(&self.values)
            .map(|(p, v)| format!("{}={v}", p.key))
            .collect()
    }

    /// `pollingInterval=5, listLength=20`: the last path segment of each key and its value.
    pub fn label(&self, params: &[Param]) -> String {
        params
            .iter()
            .zip(&self.values)
            .map(|(p, v)| format!("{}={v}", short_key(&p.key)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The last segment of a key's path (`spec.triggers.0.metadata.listLength` -> `listLength`).
pub fn short_key(key: &str) -> &str {
    let path = key.rsplit_once(':').map_or(key, |(_, p)| p);
    path.rsplit('.')
        .find(|s| s.parse::<usize>().is_err())
        .unwrap_or(path)
}

/// Number of points of the full grid; errors when a parameter is an interval or the grid is
/// too large.
pub fn grid_size(params: &[Param]) -> Result<usize, String> {
    let mut n: usize = 1;
    for p in params {
        let Some(levels) = p.domain.levels() else {
            return Err(format!(
                "{} is a range without a step ({}): a grid needs a step (A..B:STEP), or use --design random:N or lhs:N",
                p.key,
                p.domain.describe()
            ));
        };
        n = n.saturating_mul(levels.len());
    }
    if n > MAX_POINTS {
        return Err(format!(
            "the grid has {n} points (more than {MAX_POINTS}); use larger steps or --design lhs:N"
        ));
    }
    Ok(n)
}

/// The grid point with mixed-radix index `index` (first parameter slowest).
pub fn grid_point(params: &[Param], index: usize) -> Point {
    Point {
        index,
        values: grid_coords(params, index)
            .into_iter()
            .zip(params)
            .map(|(k, p)| p.domain.levels().expect("grid of levels")[k].clone())
            .collect(),
    }
}

/// Level indices of a grid index.
pub fn grid_coords(params: &[Param], mut index: usize) -> Vec<usize> {
    let mut out = vec![0; params.len()];
    for (j, p) in params.iter().enumerate().rev() {
        let n = p.domain.levels().map_or(1, |l| l.len());
        out[j] = index % n;
        index /= n;
    }
    out
}

/// Grid index of level indices.
pub fn grid_index(params: &[Param], coords: &[usize]) -> usize {
    params.iter().zip(coords).fold(0, |acc, (p, &k)| {
        acc * p.domain.levels().map_or(1, |l| l.len()) + k
    })
}

/// The points of a design. `Local` designs start from a Latin hypercube of their first batch
/// (see [`super::search`]); here they give the whole grid's size check only.
pub fn points(params: &[Param], design: DesignKind, seed: u64) -> Result<Vec<Point>, String> {
    if params.is_empty() {
        return Ok(vec![Point {
            index: 0,
            values: Vec::new(),
        }]);
    }
    match design {
        DesignKind::Grid => {
            let n = grid_size(params)?;
            Ok((0..n).map(|i| grid_point(params, i)).collect())
        }
        DesignKind::Random(n) => random(params, n, seed),
        DesignKind::Lhs(n) => lhs(params, n, seed),
        DesignKind::Local(_) => {
            Err("a local search chooses its points as it goes; use it with `tune`".into())
        }
    }
}

fn check_count(n: usize) -> Result<(), String> {
    if n > MAX_POINTS {
        return Err(format!("{n} points is more than {MAX_POINTS}"));
    }
    Ok(())
}

/// N points drawn uniformly; on an all-discrete space they are distinct grid points, indexed
/// by their grid index and listed in draw order.
fn random(params: &[Param], n: usize, seed: u64) -> Result<Vec<Point>, String> {
    check_count(n)?;
    let mut rng = RngStreams::new(seed).stream("tune/design/random");
    if let Ok(size) = grid_size(params) {
        if n > size {
            return Err(format!(
                "random:{n} asks for more points than the grid has ({size}); use --design grid"
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let coords: Vec<usize> = params
                .iter()
                .map(|p| pick(&mut rng, p.domain.levels().expect("levels").len()))
                .collect();
            let index = grid_index(params, &coords);
            if seen.insert(index) {
                out.push(grid_point(params, index));
            }
        }
        return Ok(out);
    }
    Ok((0..n)
        .map(|i| Point {
            index: i,
            values: params
                .iter()
                .map(|p| value_at(&p.domain, unit_f64(&mut rng)))
                .collect(),
        })
        .collect())
}

/// A Latin hypercube of N points: each parameter's range is cut into N equal strata and
/// every stratum is used by exactly one point (a random permutation per parameter, a random
/// position inside the stratum). Discrete parameters map the position onto their levels.
fn lhs(params: &[Param], n: usize, seed: u64) -> Result<Vec<Point>, String> {
    check_count(n)?;
    let mut rng = RngStreams::new(seed).stream("tune/design/lhs");
    let columns: Vec<Vec<f64>> = params
        .iter()
        .map(|_| {
            let perm = permutation(&mut rng, n);
            perm.into_iter()
                .map(|stratum| (stratum as f64 + unit_f64(&mut rng)) / n as f64)
                .collect()
        })
        .collect();
    Ok((0..n)
        .map(|i| Point {
            index: i,
            values: params
                .iter()
                .zip(&columns)
                .map(|(p, col)| value_at(&p.domain, col[i]))
                .collect(),
        })
        .collect())
}

/// The value of a domain at fraction `u` in [0, 1).
fn value_at(d: &Domain, u: f64) -> String {
    match d {
        Domain::Levels(l) => l[((u * l.len() as f64) as usize).min(l.len() - 1)].clone(),
        Domain::Interval(i) => i.at(u),
    }
}

fn pick(rng: &mut SimRng, n: usize) -> usize {
    ((unit_f64(rng) * n as f64) as usize).min(n - 1)
}

/// A uniformly random permutation of 0..n (Fisher–Yates with our own draws, so the order does
/// not depend on a library's shuffle algorithm).
fn permutation(rng: &mut SimRng, n: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = pick(rng, i + 1);
        v.swap(i, j);
    }
    v
}

/// A shard `i/n` (0-based `i`, as Kubernetes' `JOB_COMPLETION_INDEX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 0..count.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// Parses `I/N`.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || {
            format!("--shard {s:?}: expected I/N with 0 <= I < N, e.g. 0/4 (I is 0-based, like JOB_COMPLETION_INDEX)")
        };
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// True when this shard runs point `p` (round-robin, so cheap and costly regions of a
    /// grid spread over all shards).
    pub fn owns(&self, p: &Point) -> bool {
        p.index % self.count == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tune::space::parse_param;

    fn params() -> Vec<Param> {
        vec![
            parse_param("a=1,2,3").unwrap(),
            parse_param("b=10,20").unwrap(),
        ]
    }

    #[test]
    fn grid_is_row_major() {
        let ps = params();
        let pts = points(&ps, DesignKind::Grid, 1).unwrap();
        assert_eq!(pts.len(), 6);
        assert_eq!(pts[1].values, ["1", "20"]);
        assert_eq!(pts[2].values, ["2", "10"]);
        assert_eq!(grid_index(&ps, &grid_coords(&ps, 5)), 5);
        assert_eq!(pts[3].overrides(&ps), ["a=2", "b=20"]);
    }

    #[test]
    fn random_and_lhs_are_seeded() {
        let ps = params();
        let a = points(&ps, DesignKind::Random(4), 7).unwrap();
        assert_eq!(a, points(&ps, DesignKind::Random(4), 7).unwrap());
        let idx: std::collections::BTreeSet<usize> = a.iter().map(|p| p.index).collect();
        assert_eq!(idx.len(), 4, "distinct grid points");
        assert!(points(&ps, DesignKind::Random(7), 7).is_err());
        let ps2 = vec![
            parse_param("a=0..100").unwrap(),
            parse_param("b=1,2,3,4").unwrap(),
        ];
        let l = points(&ps2, DesignKind::Lhs(4), 3).unwrap();
        // Each of b's four levels used once; a's values fall in distinct quarters.
        let mut bs: Vec<&str> = l.iter().map(|p| p.values[1].as_str()).collect();
        bs.sort();
        assert_eq!(bs, ["1", "2", "3", "4"]);
        let mut quarters: Vec<i64> = l
            .iter()
            .map(|p| p.values[0].parse::<i64>().unwrap() * 4 / 101)
            .collect();
        quarters.sort();
        assert_eq!(quarters, [0, 1, 2, 3]);
        assert_ne!(l, points(&ps2, DesignKind::Lhs(4), 4).unwrap());
    }

    #[test]
    fn shards_partition() {
        let s = Shard::parse("1/3").unwrap();
        assert!(s.owns(&Point {
            index: 4,
            values: vec![]
        }));
        assert!(Shard::parse("3/3").is_err());
        assert!(Shard::parse("x").is_err());
        assert_eq!(
            short_key("ScaledObject/a:spec.triggers.0.metadata.listLength"),
            "listLength"
        );
        assert_eq!(short_key("workers.0"), "workers");
    }
}
