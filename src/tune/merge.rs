//! Combining shard outputs (`sweep --shard I/N`) into one sweep.
//!
//! Shards must come from the same scalesim version and the same inputs and design (equal
//! fingerprints in `sweep.json`); each point's rows come from one shard. The merged rows are
//! sorted like an unsharded sweep's, so the merged `results.csv`, `points.csv` and
//! `sweep.json` are byte-identical to what the unsharded sweep writes.

use std::collections::BTreeSet;

use super::design::Shard;
use super::info::SweepInfo;
use super::results::{read_results, sort_rows, RunRow};
use super::space::Param;
use super::values::parse_domain;
use super::TuneError;

/// One shard's output: a name for messages, its `sweep.json` and its `results.csv` bytes.
#[derive(Clone, Debug)]
pub struct Part {
    /// Directory or file name, for messages.
    pub name: String,
    /// `sweep.json`.
    pub info: SweepInfo,
    /// `results.csv`.
    pub results: Vec<u8>,
}

/// Merged shards: the whole sweep's info, parameters and rows.
#[derive(Clone, Debug)]
pub struct Merged {
    /// `sweep.json` of the whole sweep (shard null).
    pub info: SweepInfo,
    /// Parameters, rebuilt from `sweep.json`.
    pub params: Vec<Param>,
    /// Every row, sorted.
    pub rows: Vec<RunRow>,
}

/// Merges parts; with `allow_partial`, missing points are allowed.
pub fn merge(parts: &[Part], allow_partial: bool) -> Result<Merged, TuneError> {
    let bad = |m: String| TuneError::Input(format!("error: {m}"));
    let first = parts
        .first()
        .ok_or_else(|| bad("nothing to merge".into()))?;
    for p in &parts[1..] {
        if p.info.version != first.info.version {
            return Err(bad(format!(
                "{} was written by scalesim {} and {} by {}: shards must come from the same version",
                first.name, first.info.version, p.name, p.info.version
            )));
        }
        if p.info.fingerprint != first.info.fingerprint {
            return Err(bad(format!(
                "{} and {} are not shards of the same sweep (different scenario files, parameters, seeds or design: fingerprints {} and {})",
                first.name, p.name, first.info.fingerprint, p.info.fingerprint
            )));
        }
    }
    let keys: Vec<String> = first
        .info
        .parameters
        .iter()
        .map(|p| p.key.clone())
        .collect();
    let mut rows: Vec<RunRow> = Vec::new();
    let mut owner: std::collections::BTreeMap<usize, &str> = Default::default();
    for p in parts {
        let (k, mut r) =
            read_results(&p.results, &format!("{}/results.csv", p.name)).map_err(bad)?;
        if k != keys {
            return Err(bad(format!(
                "{}/results.csv: its parameter columns do not match its sweep.json",
                p.name
            )));
        }
        let mine: BTreeSet<usize> = r.iter().map(|x| x.point).collect();
        for pt in &mine {
            if let Some(other) = owner.insert(*pt, &p.name) {
                return Err(bad(format!(
                    "point {pt} is in both {other} and {}: give each shard once",
                    p.name
                )));
            }
        }
        rows.append(&mut r);
    }
    sort_rows(&mut rows);
    let total = first.info.points;
    let have = owner.len();
    if have != total && !allow_partial {
        let shards: Vec<Shard> = parts
            .iter()
            .filter_map(|p| p.info.shard.as_deref().and_then(|s| Shard::parse(s).ok()))
            .collect();
        let hint = match shards.first() {
            Some(s) => {
                let missing: Vec<String> = (0..s.count)
                    .filter(|i| !shards.iter().any(|x| x.index == *i))
                    .map(|i| format!("{i}/{}", s.count))
                    .collect();
                format!("missing shards: {}", missing.join(", "))
            }
            None => "some points are missing".to_string(),
        };
        return Err(bad(format!(
            "the shards hold {have} of the sweep's {total} points ({hint}); add them, or pass --allow-partial"
        )));
    }
    let params = first
        .info
        .parameters
        .iter()
        .map(|p| {
            Ok(Param {
                key: p.key.clone(),
                domain: parse_domain(&p.values)
                    .map_err(|e| bad(format!("{}/sweep.json: {}: {e}", first.name, p.key)))?,
            })
        })
        .collect::<Result<Vec<_>, TuneError>>()?;
    let mut info = first.info.clone();
    info.shard = None;
    Ok(Merged { info, params, rows })
}
