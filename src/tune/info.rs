//! `sweep.json`: what a sweep directory holds, enough to check that shards belong together
//! and to re-rank the results later (`merge`, `tune --from`).
//!
//! It holds no wall-clock time and nothing about `--jobs`, so the same sweep gives the same
//! file everywhere; the merge of all shards gives the unsharded sweep's file.

use serde::{Deserialize, Serialize};

/// A swept parameter in `sweep.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamInfo {
    /// The `--set` key.
    pub key: String,
    /// Its values (`1,3,5`) or interval (`10..300`).
    pub values: String,
}

/// `sweep.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepInfo {
    /// scalesim version that ran it (shards of different versions are not merged).
    pub version: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario file as given.
    pub file: String,
    /// Hash of the scenario's files and of the design (hex).
    pub fingerprint: String,
    /// Seed of replicate 0.
    pub base_seed: u64,
    /// Seeds per point.
    pub seeds: u32,
    /// `grid`, `random:N`, `lhs:N` or `local:N`.
    pub design: String,
    /// Seed of the design's draws.
    pub design_seed: u64,
    /// Swept parameters, in column order.
    pub parameters: Vec<ParamInfo>,
    /// Fixed overrides.
    pub fixed: Vec<String>,
    /// Points in the whole design.
    pub points: usize,
    /// `i/n` for a shard, null for a whole sweep.
    pub shard: Option<String>,
    /// SLOs points were judged by.
    pub slos: Vec<String>,
    /// Objectives (`minimize pod_seconds`); empty: the default cost-vs-wait front.
    pub objectives: Vec<String>,
}

impl SweepInfo {
    /// The design part of the fingerprint: everything that changes which simulations run.
    pub fn design_bytes(&self) -> Vec<u8> {
        let mut s = format!(
            "{}\n{}\n{}\n{}\n{}\n",
            self.base_seed, self.seeds, self.design, self.design_seed, self.points
        );
        for p in &self.parameters {
            s.push_str(&format!("param {}={}\n", p.key, p.values));
        }
        for f in &self.fixed {
            s.push_str(&format!("fixed {f}\n"));
        }
        s.into_bytes()
    }

    /// JSON text (pretty, trailing newline).
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("sweep info serializes");
        v.push(b'\n');
        v
    }
}

/// The fingerprint of inputs and design, as 16 hex digits.
pub fn fingerprint(inputs: u64, info: &SweepInfo) -> String {
    let mut bytes = inputs.to_le_bytes().to_vec();
    bytes.extend(info.design_bytes());
    format!("{:016x}", crate::rng::fnv1a64(&bytes))
}
