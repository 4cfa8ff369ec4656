//! The search space: swept parameters (`--set KEY=v1,v2` / ranges), fixed overrides
//! (`--set-literal`), the design that picks points from them, and the sweep file that holds
//! all of it for larger designs.
//!
//! A sweep file is a YAML document (positions in every error, like scenarios):
//!
//! ```yaml
//! apiVersion: scalesim.dev/v1alpha1
//! kind: Sweep
//! spec:
//!   scenario: ../../scenarios/keda-redis-burst.yaml   # relative to this file; optional
//!   seeds: 3
//!   design: lhs:40          # grid (default) | random:N | lhs:N | local:N (tune only)
//!   designSeed: 7           # default: the scenario's seed
//!   parameters:             # in this order (the first varies slowest in a grid)
//!     ScaledObject/redis-scaledobject:spec.pollingInterval: [1, 2, 3, 5, 10]
//!     ScaledObject/redis-scaledobject:spec.triggers.0.metadata.listLength: 5..50:5
//!     ScaledObject/redis-scaledobject:spec.cooldownPeriod: 30..300   # interval: lhs/random only
//!   set:                    # fixed overrides, never split
//!     duration: 10m
//!   slos: ["wait_p95_s<=60", "lost==0"]
//!   minimize: [pod_seconds]
//! ```
//!
//! Command-line `--set` parameters are appended to the file's, `--set-literal` to its `set`,
//! `--slo` to its `slos`; `--seeds`, `--design` and `--design-seed` win over the file, and
//! `--minimize`/`--maximize`, when given, replace the file's objectives.

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::yaml::path::parse_override;
use crate::yaml::{Kind, Node, Style};

use super::values::{parse_domain, split_items, Domain};

/// One swept parameter: a `--set` key and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The key as written (`ScaledObject/name:spec.pollingInterval`, `duration`).
    pub key: String,
    /// Its values.
    pub domain: Domain,
}

/// How the points of a design are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DesignKind {
    /// Every combination (cartesian product), the first parameter varying slowest.
    Grid,
    /// N points drawn uniformly (distinct points on a discrete space).
    Random(usize),
    /// N points of a Latin hypercube: every parameter's range cut into N strata, each used once.
    Lhs(usize),
    /// Adaptive local search on the grid, at most N points (`tune` only).
    Local(usize),
}

impl DesignKind {
    /// Parses `grid`, `random:N`, `lhs:N`, `local:N`.
    pub fn parse(s: &str) -> Result<DesignKind, String> {
        let s = s.trim();
        let (name, n) = match s.split_once(':') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let count = |what: &str| -> Result<usize, String> {
            let n = n.ok_or_else(|| {
                format!("design {s:?}: give the number of points, e.g. {what}:40")
            })?;
            match n.trim().parse::<usize>() {
                Ok(k) if k > 0 => Ok(k),
                _ => Err(format!(
                    "design {s:?}: {n:?} is not a positive number of points"
                )),
            }
        };
        match name {
            "grid" if n.is_none() => Ok(DesignKind::Grid),
            "random" => Ok(DesignKind::Random(count("random")?)),
            "lhs" => Ok(DesignKind::Lhs(count("lhs")?)),
            "local" => Ok(DesignKind::Local(count("local")?)),
            _ => Err(format!(
                "design {s:?}: expected grid, random:N, lhs:N or local:N"
            )),
        }
    }

    /// The spelling [`DesignKind::parse`] reads.
    pub fn text(&self) -> String {
        match self {
            DesignKind::Grid => "grid".into(),
            DesignKind::Random(n) => format!("random:{n}"),
            DesignKind::Lhs(n) => format!("lhs:{n}"),
            DesignKind::Local(n) => format!("local:{n}"),
        }
    }
}

/// Parses one swept `--set KEY=VALUES`.
pub fn parse_param(raw: &str) -> Result<Param, String> {
    let (key, values) = raw
        .split_once('=')
        .ok_or_else(|| format!("--set {raw:?}: expected KEY=VALUE[,VALUE...]"))?;
    let key = key.trim();
    // The key must be a valid override path (checked now, with a placeholder value).
    parse_override(&format!("{key}=0"), 0).map_err(|e| e.replace("=0\"", "\""))?;
    let domain = parse_domain(values).map_err(|e| format!("--set {raw:?}: {e}"))?;
    Ok(Param {
        key: key.to_string(),
        domain,
    })
}

/// Checks a fixed `--set-literal KEY=VALUE`.
pub fn check_fixed(raw: &str) -> Result<String, String> {
    parse_override(raw, 0)?;
    Ok(raw.to_string())
}

/// The key of a `KEY=VALUE` override.
pub fn key_of(raw: &str) -> &str {
    raw.split_once('=').map_or(raw, |(k, _)| k).trim()
}

/// Errors on a key given twice (as two parameters, or as a parameter and a fixed override).
pub fn check_unique(params: &[Param], fixed: &[String]) -> Result<(), String> {
    let mut keys: Vec<&str> = params.iter().map(|p| p.key.as_str()).collect();
    keys.extend(fixed.iter().map(|f| key_of(f)));
    for (i, k) in keys.iter().enumerate() {
        if keys[..i].contains(k) {
            return Err(format!(
                "{k} is set twice; give each key once (several values go in one --set, comma-separated)"
            ));
        }
    }
    Ok(())
}

/// What a sweep file says (all optional).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepFile {
    /// Scenario path, resolved against the sweep file's directory.
    pub scenario: Option<String>,
    /// Seeds per point.
    pub seeds: Option<u32>,
    /// Design.
    pub design: Option<DesignKind>,
    /// Seed of random and Latin-hypercube designs and of the local search.
    pub design_seed: Option<u64>,
    /// Swept parameters, in order.
    pub params: Vec<Param>,
    /// Fixed overrides (`KEY=VALUE`).
    pub fixed: Vec<String>,
    /// SLO expressions.
    pub slos: Vec<String>,
    /// Metrics to minimize.
    pub minimize: Vec<String>,
    /// Metrics to maximize.
    pub maximize: Vec<String>,
}

/// Reads a sweep file from disk.
pub fn load_sweep_file(path: &str) -> Result<SweepFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("error: {path}: {e}"))?;
    parse_sweep_file(&text, path)
}

/// Parses a sweep file's text; `path` names it in errors and anchors `spec.scenario`.
pub fn parse_sweep_file(text: &str, path: &str) -> Result<SweepFile, String> {
    let err = |n: &Node, field: &str, msg: String| -> String {
        let mut d = Diagnostic::error(path, msg).in_object("Sweep");
        if !field.is_empty() {
            d = d.with_path(field);
        }
        d.at_origin(n.origin, &[]).to_string()
    };
    let docs = crate::yaml::parse_stream(text, &Arc::from(path))
        .map_err(|e| Diagnostic::error(path, e.message).at_pos(e.pos).to_string())?;
    let [doc] = docs.as_slice() else {
        return Err(
            Diagnostic::error(path, "a sweep file holds exactly one YAML document").to_string(),
        );
    };
    let root = &doc.root;
    let Kind::Map(top) = &root.kind else {
        return Err(err(
            root,
            "",
            "expected a mapping with apiVersion, kind: Sweep and spec".into(),
        ));
    };
    if root.get("kind").and_then(Node::as_str) != Some("Sweep") {
        return Err(err(root, "kind", "expected `kind: Sweep`".into()));
    }
    for (k, v) in top {
        if !matches!(k.text.as_str(), "apiVersion" | "kind" | "metadata" | "spec") {
            return Err(err(
                v,
                &k.text,
                format!(
                    "unknown field `{}`; a Sweep has apiVersion, kind, metadata and spec",
                    k.text
                ),
            ));
        }
    }
    let api = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    if api != crate::scenario::API_VERSION {
        return Err(err(
            root,
            "apiVersion",
            format!("expected {:?}", crate::scenario::API_VERSION),
        ));
    }
    let Some(spec) = root.get("spec") else {
        return Ok(SweepFile::default());
    };
    let Kind::Map(entries) = &spec.kind else {
        return Err(err(
            spec,
            "spec",
            format!("expected a mapping, found {}", spec.describe()),
        ));
    };
    let mut out = SweepFile::default();
    for (k, v) in entries {
        let field = format!("spec.{}", k.text);
        let scalar = |v: &Node| -> Result<String, String> {
            match &v.kind {
                Kind::Scalar(s, _) => Ok(s.clone()),
                _ => Err(err(
                    v,
                    &field,
                    format!("expected a single value, found {}", v.describe()),
                )),
            }
        };
        let strings = |v: &Node| -> Result<Vec<String>, String> {
            match &v.kind {
                Kind::Seq(items) => items.iter().map(scalar).collect(),
                Kind::Scalar(s, _) => Ok(vec![s.clone()]),
                _ => Err(err(
                    v,
                    &field,
                    format!("expected a list of strings, found {}", v.describe()),
                )),
            }
        };
        match k.text.as_str() {
            "scenario" => {
                let s = scalar(v)?;
                let base = crate::scenario::files::parent_dir(path);
                out.scenario = Some(crate::scenario::files::join(&base, &s));
            }
            "seeds" => {
                let s = scalar(v)?;
                out.seeds = Some(s.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    err(
                        v,
                        &field,
                        format!("expected a positive whole number, found {}", v.describe()),
                    )
                })?);
            }
            "design" => {
                out.design = Some(DesignKind::parse(&scalar(v)?).map_err(|e| err(v, &field, e))?);
            }
            "designSeed" => {
                let s = scalar(v)?;
                out.design_seed = Some(s.parse::<u64>().map_err(|_| {
                    err(
                        v,
                        &field,
                        format!("expected a whole number, found {}", v.describe()),
                    )
                })?);
            }
            "parameters" => {
                let Kind::Map(ps) = &v.kind else {
                    return Err(err(
                        v,
                        &field,
                        format!("expected a mapping of KEY: values, found {}", v.describe()),
                    ));
                };
                for (pk, pv) in ps {
                    let pfield = format!("{field}[{:?}]", pk.text);
                    let texts = match &pv.kind {
                        Kind::Seq(items) => items.iter().map(value_text).collect::<Vec<_>>(),
                        Kind::Scalar(s, Style::Plain) => {
                            split_items(s).map_err(|e| err(pv, &pfield, e))?
                        }
                        _ => vec![value_text(pv)],
                    };
                    let joined = texts.join(",");
                    let domain = if texts.len() == 1 {
                        parse_domain(&texts[0])
                    } else {
                        // Items of a YAML list are values (or ranges) one by one.
                        let mut levels = Vec::new();
                        for t in &texts {
                            match parse_domain(t).map_err(|e| err(pv, &pfield, e))? {
                                Domain::Levels(l) => levels.extend(l),
                                Domain::Interval(_) => {
                                    return Err(err(
                                        pv,
                                        &pfield,
                                        format!(
                                            "{t}: a range without a step must be the only value"
                                        ),
                                    ))
                                }
                            }
                        }
                        parse_domain(&levels.join(","))
                    }
                    .map_err(|e| err(pv, &pfield, format!("{joined}: {e}")))?;
                    parse_param(&format!("{}=0", pk.text)).map_err(|e| err(pv, &pfield, e))?;
                    out.params.push(Param {
                        key: pk.text.clone(),
                        domain,
                    });
                }
            }
            "set" => {
                let Kind::Map(fs) = &v.kind else {
                    return Err(err(
                        v,
                        &field,
                        format!("expected a mapping of KEY: value, found {}", v.describe()),
                    ));
                };
                for (fk, fv) in fs {
                    let raw = format!("{}={}", fk.text, value_text(fv));
                    check_fixed(&raw).map_err(|e| err(fv, &field, e))?;
                    out.fixed.push(raw);
                }
            }
            "slos" => out.slos = strings(v)?,
            "minimize" => out.minimize = strings(v)?,
            "maximize" => out.maximize = strings(v)?,
            other => {
                return Err(err(v, &field, format!("unknown field `{other}`; a Sweep spec has scenario, seeds, design, designSeed, parameters, set, slos, minimize, maximize")));
            }
        }
    }
    check_unique(&out.params, &out.fixed).map_err(|e| Diagnostic::error(path, e).to_string())?;
    Ok(out)
}

/// The `--set` value text of a YAML node: plain scalars as written, quoted scalars re-quoted
/// (so they stay strings), collections in flow style.
pub fn value_text(n: &Node) -> String {
    match &n.kind {
        Kind::Scalar(s, Style::Plain) => s.clone(),
        Kind::Scalar(s, _) => quote(s),
        Kind::Seq(items) => format!(
            "[{}]",
            items.iter().map(value_text).collect::<Vec<_>>().join(", ")
        ),
        Kind::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", k.text, value_text(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub use crate::yaml::quote;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn designs_parse() {
        assert_eq!(DesignKind::parse("grid"), Ok(DesignKind::Grid));
        assert_eq!(DesignKind::parse("lhs:40"), Ok(DesignKind::Lhs(40)));
        assert!(DesignKind::parse("lhs").unwrap_err().contains("lhs:40"));
        assert!(DesignKind::parse("lhs:0").is_err());
        assert!(DesignKind::parse("sobol:3").is_err());
    }

    #[test]
    fn params_and_fixed() {
        let p = parse_param("ScaledObject/so:spec.pollingInterval=1,5..15:5").unwrap();
        assert_eq!(
            p.domain,
            Domain::Levels(vec!["1".into(), "5".into(), "10".into(), "15".into()])
        );
        assert!(parse_param("novalue").is_err());
        assert!(parse_param("a..b=1").is_err());
        assert!(check_unique(
            std::slice::from_ref(&p),
            &["ScaledObject/so:spec.pollingInterval=3".into()]
        )
        .is_err());
    }

    #[test]
    fn sweep_file() {
        let text = r#"
apiVersion: scalesim.dev/v1alpha1
kind: Sweep
spec:
  scenario: ../scenarios/x.yaml
  seeds: 2
  design: lhs:8
  parameters:
    ScaledObject/so:spec.pollingInterval: [1, 2, 3]
    ScaledObject/so:spec.triggers.0.metadata.listLength: 5..15:5
    ScaledObject/so:spec.cooldownPeriod: 30..300
    "ScaledObject/so:spec.triggers.0.metadata.activationListLength": ["1", "2"]
  set:
    duration: 5m
  slos: [wait_p95_s<=30]
"#;
        let f = parse_sweep_file(text, "sweeps/s.yaml").unwrap();
        assert_eq!(f.scenario.as_deref(), Some("scenarios/x.yaml"));
        assert_eq!(f.design, Some(DesignKind::Lhs(8)));
        assert_eq!(f.params.len(), 4);
        assert_eq!(
            f.params[1].domain,
            Domain::Levels(vec!["5".into(), "10".into(), "15".into()])
        );
        assert!(matches!(f.params[2].domain, Domain::Interval(_)));
        assert_eq!(
            f.params[3].domain,
            Domain::Levels(vec!["\"1\"".into(), "\"2\"".into()])
        );
        assert_eq!(f.fixed, ["duration=5m"]);
        let bad = text.replace("seeds: 2", "seeds: two");
        let e = parse_sweep_file(&bad, "s.yaml").unwrap_err();
        assert!(
            e.starts_with(
                "error: s.yaml:6:10: Sweep: spec.seeds: expected a positive whole number"
            ),
            "{e}"
        );
        let bad = text.replace("seeds: 2", "sedes: 2");
        assert!(parse_sweep_file(&bad, "s.yaml")
            .unwrap_err()
            .contains("unknown field `sedes`"));
    }
}
