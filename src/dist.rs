//! Duration distributions for task run times and pod start-up steps.
//!
//! Written in a scenario as a duration (`1s`, a constant) or a one-key mapping:
//! `{constant: 1s}`, `{uniform: {min: 1s, max: 3s}}`, `{exponential: {mean: 2s}}`,
//! `{lognormal: {median: 2s, p99: 10s}}` or `{lognormal: {mu: 0.69, sigma: 0.5}}` (of the
//! natural log of seconds), `{empirical: {file: durations.csv, column: duration_s}}`.
//! Sampling formulas are ours (see [`crate::rng`]), so values stay stable across crate updates.

use std::fmt;
use std::sync::Arc;

use serde::de::{self, MapAccess, Visitor};
use serde::Deserialize;

use crate::rng::{exponential, standard_normal, unit_f64, SimRng};
use crate::time::{parse_go_duration, Dur};

/// z such that P(Z <= z) = 0.99 for a standard normal.
const Z99: f64 = 2.326_347_874_040_841;

/// A sampled duration's distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum DurationDist {
    /// Always this value.
    Constant(Dur),
    /// Uniform between the bounds.
    Uniform {
        /// Lower bound.
        min: Dur,
        /// Upper bound.
        max: Dur,
    },
    /// Exponential with this mean.
    Exponential {
        /// Mean.
        mean: Dur,
    },
    /// `exp(mu + sigma * Z)` seconds.
    LogNormal {
        /// Mean of ln(seconds).
        mu: f64,
        /// Standard deviation of ln(seconds).
        sigma: f64,
    },
    /// Resampled uniformly from observed values.
    Empirical {
        /// Where the values came from (for display).
        source: String,
        /// The values.
        values: Arc<Vec<Dur>>,
    },
}

impl DurationDist {
    /// Draws one duration.
    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> Dur {
        match self {
            DurationDist::Constant(d) => *d,
            DurationDist::Uniform { min, max } => {
                let span = max.0 - min.0;
                Dur(min.0 + (unit_f64(rng) * span as f64) as u64)
            }
            DurationDist::Exponential { mean } => secs(exponential(rng, mean.as_secs_f64())),
            DurationDist::LogNormal { mu, sigma } => {
                secs((mu + sigma * standard_normal(rng)).exp())
            }
            DurationDist::Empirical { values, .. } => {
                let i = (unit_f64(rng) * values.len() as f64) as usize;
                values[i.min(values.len() - 1)]
            }
        }
    }

    /// The mean, in seconds (for summaries and sanity checks).
    pub fn mean_secs(&self) -> f64 {
        match self {
            DurationDist::Constant(d) => d.as_secs_f64(),
            DurationDist::Uniform { min, max } => (min.as_secs_f64() + max.as_secs_f64()) / 2.0,
            DurationDist::Exponential { mean } => mean.as_secs_f64(),
            DurationDist::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            DurationDist::Empirical { values, .. } => {
                values.iter().map(|d| d.as_secs_f64()).sum::<f64>() / values.len() as f64
            }
        }
    }

    /// True when every draw is zero.
    pub fn is_zero(&self) -> bool {
        matches!(self, DurationDist::Constant(d) if d.0 == 0)
    }
}

impl fmt::Display for DurationDist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationDist::Constant(d) => write!(f, "{d}"),
            DurationDist::Uniform { min, max } => write!(f, "uniform({min}..{max})"),
            DurationDist::Exponential { mean } => write!(f, "exponential(mean {mean})"),
            DurationDist::LogNormal { mu, sigma } => {
                let median = mu.exp();
                let p99 = (mu + sigma * Z99).exp();
                write!(f, "lognormal(median {median:.3}s, p99 {p99:.3}s)")
            }
            DurationDist::Empirical { source, values } => {
                write!(f, "empirical({source}, {} values)", values.len())
            }
        }
    }
}

/// Seconds (from a float sampler) to a duration; absurd values saturate at ~292 years, and
/// NaN (impossible from our samplers) maps to zero.
#[inline]
fn secs(s: f64) -> Dur {
    Dur::from_secs_f64(s).unwrap_or(if s.is_nan() {
        Dur::ZERO
    } else {
        Dur(u64::MAX / 2)
    })
}

/// A duration field written like Go/Kubernetes (`500ms`, `15s`, `5m`, `1h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DurText(pub Dur);

impl<'de> Deserialize<'de> for DurText {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DurText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as 500ms, 15s, 5m or 1h")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DurText, E> {
                parse_go_duration(v).map(DurText).map_err(E::custom)
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<DurText, E> {
                self.visit_str(&v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DurText, E> {
                if v == 0 {
                    return Ok(DurText(Dur::ZERO));
                }
                Err(E::custom(format!(
                    "expected a duration with a unit, found the number {v}; write \"{v}s\" (or ms, m, h)"
                )))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DurText, E> {
                Err(E::custom(format!(
                    "expected a duration with a unit, found the number {v}"
                )))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<DurText, E> {
                Err(E::custom(format!(
                    "expected a duration with a unit, found the number {v}; write \"{v}s\""
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// A distribution as written, before files are read (empirical) and parameters checked.
#[derive(Clone, Debug, PartialEq)]
pub enum RawDist {
    /// `1s` or `{constant: 1s}`.
    Constant(Dur),
    /// `{uniform: {min, max}}`.
    Uniform(UniformRaw),
    /// `{exponential: {mean}}`.
    Exponential(ExponentialRaw),
    /// `{lognormal: {median, p99} | {mu, sigma}}`.
    LogNormal(LogNormalRaw),
    /// `{empirical: {file, column}}`.
    Empirical(EmpiricalRaw),
}

/// Uniform bounds.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UniformRaw {
    /// Lower bound.
    pub min: DurText,
    /// Upper bound.
    pub max: DurText,
}

/// Exponential mean.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExponentialRaw {
    /// Mean.
    pub mean: DurText,
}

/// Log-normal, by (median, p99) or by (mu, sigma).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogNormalRaw {
    /// Median duration.
    pub median: Option<DurText>,
    /// 99th percentile duration.
    pub p99: Option<DurText>,
    /// Mean of ln(seconds).
    pub mu: Option<f64>,
    /// Standard deviation of ln(seconds).
    pub sigma: Option<f64>,
}

/// Values from a CSV file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmpiricalRaw {
    /// CSV file, relative to the scenario file.
    pub file: String,
    /// Column of seconds (default: `duration_s`, else the first column).
    pub column: Option<String>,
}

impl<'de> Deserialize<'de> for RawDist {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawDist;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration (e.g. 2s) or one of {constant, uniform, exponential, lognormal, empirical}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDist, E> {
                parse_go_duration(v)
                    .map(RawDist::Constant)
                    .map_err(E::custom)
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<RawDist, E> {
                self.visit_str(&v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDist, E> {
                DurText::deserialize(de::value::U64Deserializer::<E>::new(v))
                    .map(|d| RawDist::Constant(d.0))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDist, E> {
                DurText::deserialize(de::value::F64Deserializer::<E>::new(v))
                    .map(|d| RawDist::Constant(d.0))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawDist, A::Error> {
                let key: String = map
                    .next_key()?
                    .ok_or_else(|| de::Error::custom("empty mapping: expected one of constant, uniform, exponential, lognormal, empirical"))?;
                let v = match key.as_str() {
                    "constant" => RawDist::Constant(map.next_value::<DurText>()?.0),
                    "uniform" => RawDist::Uniform(map.next_value()?),
                    "exponential" => RawDist::Exponential(map.next_value()?),
                    "lognormal" => RawDist::LogNormal(map.next_value()?),
                    "empirical" => RawDist::Empirical(map.next_value()?),
                    other => {
                        return Err(de::Error::custom(format!(
                            "unknown distribution `{other}`{}, expected one of constant, uniform, exponential, lognormal, empirical",
                            crate::yaml::de::suggest(other, &["constant", "uniform", "exponential", "lognormal", "empirical"])
                        )))
                    }
                };
                if map.next_key::<String>()?.is_some() {
                    return Err(de::Error::custom(
                        "a distribution mapping takes exactly one key (e.g. lognormal: {...})",
                    ));
                }
                Ok(v)
            }
        }
        d.deserialize_any(V)
    }
}

impl RawDist {
    /// Checks parameters and reads empirical files (`read` gives a file's text by name).
    pub fn resolve(
        &self,
        read: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<DurationDist, String> {
        Ok(match self {
            RawDist::Constant(d) => DurationDist::Constant(*d),
            RawDist::Uniform(u) => {
                if u.max.0 < u.min.0 {
                    return Err(format!(
                        "uniform: max ({}) must be >= min ({})",
                        u.max.0, u.min.0
                    ));
                }
                DurationDist::Uniform {
                    min: u.min.0,
                    max: u.max.0,
                }
            }
            RawDist::Exponential(e) => DurationDist::Exponential { mean: e.mean.0 },
            RawDist::LogNormal(l) => match (l.median, l.p99, l.mu, l.sigma) {
                (Some(median), Some(p99), None, None) => {
                    if median.0 .0 == 0 {
                        return Err("lognormal: median must be > 0".into());
                    }
                    if p99.0 <= median.0 {
                        return Err(format!(
                            "lognormal: p99 ({}) must be greater than the median ({})",
                            p99.0, median.0
                        ));
                    }
                    let mu = median.0.as_secs_f64().ln();
                    let sigma = (p99.0.as_secs_f64().ln() - mu) / Z99;
                    DurationDist::LogNormal { mu, sigma }
                }
                (None, None, Some(mu), Some(sigma)) => {
                    if !mu.is_finite() || !sigma.is_finite() || sigma < 0.0 || mu > 30.0 {
                        return Err(format!(
                            "lognormal: need a finite mu <= 30 and sigma >= 0 (got mu={mu}, sigma={sigma})"
                        ));
                    }
                    DurationDist::LogNormal { mu, sigma }
                }
                _ => {
                    return Err(
                        "lognormal: give either {median, p99} or {mu, sigma} (of ln seconds)"
                            .into(),
                    )
                }
            },
            RawDist::Empirical(e) => {
                let text = read(&e.file)?;
                let values = read_empirical(&text, e.column.as_deref())
                    .map_err(|m| format!("{}: {m}", e.file))?;
                DurationDist::Empirical {
                    source: e.file.clone(),
                    values: Arc::new(values),
                }
            }
        })
    }
}

fn read_empirical(text: &str, column: Option<&str>) -> Result<Vec<Dur>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
    let idx = match column {
        Some(c) => headers.iter().position(|h| h == c).ok_or_else(|| {
            format!(
                "no column {c:?} (columns: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            )
        })?,
        None => headers.iter().position(|h| h == "duration_s").unwrap_or(0),
    };
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| e.to_string())?;
        let cell = rec.get(idx).unwrap_or("");
        let v: f64 = cell
            .parse()
            .map_err(|_| format!("line {}: {cell:?} is not a number of seconds", i + 2))?;
        let d = Dur::from_secs_f64(v)
            .ok_or_else(|| format!("line {}: {v} is not a valid duration in seconds", i + 2))?;
        out.push(d);
        if out.len() > 10_000_000 {
            return Err("more than 10 million values".into());
        }
    }
    if out.is_empty() {
        return Err("no values".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::RngStreams;
    use crate::yaml::{de::from_node, de::DeContext, parse_stream};

    fn parse(s: &str) -> Result<RawDist, String> {
        let n = parse_stream(&format!("d: {s}\n"), &Arc::from("t"))
            .unwrap()
            .remove(0)
            .root;
        from_node::<RawDist>(n.get("d").unwrap(), "d", &DeContext::new(true, false))
            .map_err(|e| e.to_string())
    }

    fn no_files(_: &str) -> Result<String, String> {
        Err("no files".into())
    }

    #[test]
    fn parses_all_forms() {
        assert_eq!(parse("1s").unwrap(), RawDist::Constant(Dur::from_secs(1)));
        assert_eq!(
            parse("{constant: 500ms}").unwrap(),
            RawDist::Constant(Dur::from_millis(500))
        );
        let ln = parse("{lognormal: {median: 2s, p99: 10s}}")
            .unwrap()
            .resolve(&mut no_files)
            .unwrap();
        match ln {
            DurationDist::LogNormal { mu, sigma } => {
                assert!((mu - 2f64.ln()).abs() < 1e-12);
                assert!(((mu + sigma * Z99).exp() - 10.0).abs() < 1e-9);
            }
            _ => panic!(),
        }
        assert!(parse("{uniform: {min: 1s}}")
            .unwrap_err()
            .contains("missing field `max`"));
        assert!(parse("{gamma: {k: 1}}")
            .unwrap_err()
            .contains("unknown distribution"));
        assert!(parse("5").unwrap_err().contains("write \"5s\""));
        let e = parse("{lognormal: {median: 2s, p99: 1s}}")
            .unwrap()
            .resolve(&mut no_files)
            .unwrap_err();
        assert!(e.contains("greater than the median"), "{e}");
    }

    #[test]
    fn samples_match_their_parameters() {
        let mut r = RngStreams::new(3).stream("d");
        let d = DurationDist::LogNormal {
            mu: 2f64.ln(),
            sigma: 0.5,
        };
        let mut v: Vec<f64> = (0..100_000)
            .map(|_| d.sample(&mut r).as_secs_f64())
            .collect();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = v[50_000];
        assert!((median - 2.0).abs() < 0.03, "median {median}");
        let u = DurationDist::Uniform {
            min: Dur::from_secs(1),
            max: Dur::from_secs(3),
        };
        for _ in 0..1000 {
            let x = u.sample(&mut r);
            assert!(x >= Dur::from_secs(1) && x <= Dur::from_secs(3));
        }
    }

    #[test]
    fn empirical_reads_a_column() {
        let mut read = |_: &str| Ok("task,duration_s\na,1.5\nb,2\n".to_string());
        let d = parse("{empirical: {file: d.csv}}")
            .unwrap()
            .resolve(&mut read)
            .unwrap();
        match d {
            DurationDist::Empirical { values, .. } => {
                assert_eq!(*values, vec![Dur::from_millis(1500), Dur::from_secs(2)])
            }
            _ => panic!(),
        }
        let mut bad = |_: &str| Ok("duration_s\nx\n".to_string());
        let e = parse("{empirical: {file: d.csv}}")
            .unwrap()
            .resolve(&mut bad)
            .unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }
}
