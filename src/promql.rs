//! TEMPORARY stand-in until the PromQL module lands (replaced at merge).
use crate::time::{Dur, SimTime};

/// Sample storage.
#[derive(Debug, Default)]
pub struct Tsdb;

impl Tsdb {
    /// New store.
    pub fn new(_retention: Dur) -> Tsdb {
        Tsdb
    }
    /// Appends a sample.
    pub fn append(&mut self, _name: &str, _labels: &[(&str, &str)], _t: SimTime, _v: f64) {}
}

/// Values of an instant query.
pub fn query_values(
    _db: &Tsdb,
    _q: &str,
    _at: SimTime,
    _lookback: Dur,
) -> Result<Vec<f64>, String> {
    Err("PromQL not available yet".into())
}
