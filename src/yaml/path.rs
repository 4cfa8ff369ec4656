//! Dotted field paths and `--set` overrides.
//!
//! `--set load.0.rate=50` sets a field of the Scenario document (paths are relative to its
//! `spec`); `--set ScaledObject/redis-scaledobject:spec.pollingInterval=5` sets a field of a
//! manifest. A key that is absent from the file is inserted (so defaulted fields can be set);
//! whether the field exists at all is decided by the document's schema when it is read, and a
//! key written by an override that the schema does not know is always an error.

use super::{de::join_key, parse_stream, Key, Kind, Node, Origin, Style};
use std::sync::Arc;

/// One segment of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A mapping key.
    Key(String),
    /// A list index (written as a number between dots, or `[n]`).
    Index(usize),
}

/// A parsed `--set` argument.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// Position on the command line (0-based), recorded as the origin of what it writes.
    pub index: usize,
    /// The text as the user gave it.
    pub raw: String,
    /// `Some((kind, name))` for a manifest, `None` for the Scenario document.
    pub target: Option<(String, String)>,
    /// The field path.
    pub path: Vec<Segment>,
    /// The path as text (for messages and output columns).
    pub path_text: String,
    /// The value as given (after `=`).
    pub value_text: String,
    /// The value as a node.
    pub value: Node,
}

/// Parses `KEY=VALUE` (see the module docs).
pub fn parse_override(raw: &str, index: usize) -> Result<Override, String> {
    let (key, value_text) = raw
        .split_once('=')
        .ok_or_else(|| format!("--set {raw:?}: expected KEY=VALUE"))?;
    let key = key.trim();
    let (target, path_text) = match key.split_once(':') {
        Some((obj, path)) if obj.contains('/') => {
            let (kind, name) = obj.split_once('/').expect("checked");
            if kind.is_empty() || name.is_empty() {
                return Err(format!(
                    "--set {raw:?}: expected Kind/name:path, e.g. ScaledObject/my-so:spec.pollingInterval"
                ));
            }
            (Some((kind.to_string(), name.to_string())), path.to_string())
        }
        _ => (None, key.to_string()),
    };
    let path = parse_path(&path_text).map_err(|e| format!("--set {raw:?}: {e}"))?;
    let value = parse_value(value_text, index).map_err(|e| format!("--set {raw:?}: {e}"))?;
    Ok(Override {
        index,
        raw: raw.to_string(),
        target,
        path,
        path_text,
        value_text: value_text.to_string(),
        value,
    })
}

/// Parses a dotted path: `spec.triggers.0.metadata.listLength`, with `[n]` indices and
/// `["key.with.dots"]` for keys that contain dots.
pub fn parse_path(text: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<Segment>| {
        if !cur.is_empty() {
            out.push(match cur.parse::<usize>() {
                Ok(n) => Segment::Index(n),
                Err(_) => Segment::Key(cur.clone()),
            });
            cur.clear();
        }
    };
    while i < b.len() {
        match b[i] {
            b'.' => {
                if cur.is_empty() && !matches!(b.get(i.wrapping_sub(1)), Some(b']')) {
                    return Err(format!("empty segment in path {text:?}"));
                }
                flush(&mut cur, &mut out);
                i += 1;
            }
            b'[' => {
                flush(&mut cur, &mut out);
                let close = text[i..]
                    .find(']')
                    .ok_or_else(|| format!("unclosed [ in path {text:?}"))?
                    + i;
                let inner = text[i + 1..close].trim();
                if let Some(q) = inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                    out.push(Segment::Key(q.to_string()));
                } else {
                    let n = inner
                        .parse::<usize>()
                        .map_err(|_| format!("bad index [{inner}] in path {text:?}"))?;
                    out.push(Segment::Index(n));
                }
                i = close + 1;
            }
            _ => {
                let ch = text[i..].chars().next().expect("in range");
                cur.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    flush(&mut cur, &mut out);
    if out.is_empty() {
        return Err("empty path".into());
    }
    Ok(out)
}

fn parse_value(text: &str, index: usize) -> Result<Node, String> {
    let t = text.trim();
    if t.starts_with('{') || t.starts_with('[') {
        let docs = parse_stream(t, &Arc::from("<--set>")).map_err(|e| e.message)?;
        let mut root = docs
            .into_iter()
            .next()
            .map(|d| d.root)
            .ok_or_else(|| "empty value".to_string())?;
        set_origin(&mut root, Origin::Override(index));
        return Ok(root);
    }
    let (text, style) = match t
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| t.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
    {
        Some(q) => (q, Style::Quoted),
        None => (t, Style::Plain),
    };
    Ok(Node {
        kind: Kind::Scalar(text.to_string(), style),
        origin: Origin::Override(index),
    })
}

fn set_origin(n: &mut Node, o: Origin) {
    n.origin = o;
    match &mut n.kind {
        Kind::Scalar(..) => {}
        Kind::Seq(items) => items.iter_mut().for_each(|i| set_origin(i, o)),
        Kind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            k.origin = o;
            set_origin(v, o)
        }),
    }
}

/// Renders a path for messages (`spec.triggers[0].metadata.listLength`).
pub fn path_to_string(path: &[Segment]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Segment::Key(k) => s = join_key(&s, k),
            Segment::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Writes `value` at `path` under `root`, inserting missing mapping keys. A list index must
/// exist; a scalar in the middle of the path is an error.
pub fn apply(root: &mut Node, path: &[Segment], value: Node) -> Result<(), String> {
    let mut node = root;
    let mut done: Vec<Segment> = Vec::new();
    for (i, seg) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let here = path_to_string(&done);
        let here_name = if here.is_empty() {
            "the document".to_string()
        } else {
            here.clone()
        };
        match seg {
            Segment::Key(k) => {
                if node.is_null()
                    && matches!(node.origin, Origin::File { .. } | Origin::Override(_))
                {
                    node.kind = Kind::Map(Vec::new());
                }
                let origin = value.origin;
                let entries = match &mut node.kind {
                    Kind::Map(entries) => entries,
                    Kind::Seq(_) => {
                        return Err(format!(
                            "{here_name} is a list: use an index, e.g. {}",
                            path_to_string(&[done.clone(), vec![Segment::Index(0)]].concat())
                        ))
                    }
                    Kind::Scalar(..) => {
                        return Err(format!(
                            "{here_name} is a single value, so it has no field `{k}`"
                        ))
                    }
                };
                let pos = match entries.iter().position(|(key, _)| &key.text == k) {
                    Some(p) => p,
                    None => {
                        entries.push((
                            Key {
                                text: k.clone(),
                                origin,
                            },
                            Node {
                                kind: Kind::Map(Vec::new()),
                                origin,
                            },
                        ));
                        entries.len() - 1
                    }
                };
                if last {
                    entries[pos].1 = value;
                    return Ok(());
                }
                node = &mut entries[pos].1;
            }
            Segment::Index(idx) => {
                // A key this override just inserted: make it a one-item list, so reading the
                // document reports the field itself if the schema does not know it.
                let fresh = matches!(&node.kind, Kind::Map(e) if e.is_empty())
                    && matches!(node.origin, Origin::Override(_));
                if fresh && *idx == 0 {
                    node.kind = Kind::Seq(vec![Node {
                        kind: Kind::Map(Vec::new()),
                        origin: value.origin,
                    }]);
                }
                let items = match &mut node.kind {
                    Kind::Seq(items) => items,
                    _ => {
                        return Err(format!(
                            "{here_name} is not a list, so it has no item [{idx}]"
                        ))
                    }
                };
                let len = items.len();
                let item = items.get_mut(*idx).ok_or_else(|| {
                    format!("{here_name}[{idx}] does not exist: {here_name} has {len} item(s)")
                })?;
                if last {
                    *item = value;
                    return Ok(());
                }
                node = item;
            }
        }
        done.push(seg.clone());
    }
    Ok(())
}

/// Reads the node at `path`, if present.
pub fn get<'a>(root: &'a Node, path: &[Segment]) -> Option<&'a Node> {
    let mut node = root;
    for seg in path {
        node = match (seg, &node.kind) {
            (Segment::Key(k), Kind::Map(_)) => node.get(k)?,
            (Segment::Index(i), Kind::Seq(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Node {
        parse_stream(s, &Arc::from("t.yaml"))
            .unwrap()
            .remove(0)
            .root
    }

    #[test]
    fn parses_targets_paths_and_values() {
        let o = parse_override("ScaledObject/redis-so:spec.pollingInterval=5", 0).unwrap();
        assert_eq!(o.target, Some(("ScaledObject".into(), "redis-so".into())));
        assert_eq!(
            o.path,
            vec![
                Segment::Key("spec".into()),
                Segment::Key("pollingInterval".into())
            ]
        );
        assert_eq!(o.value.as_str(), Some("5"));
        let o = parse_override("load.0.rate=50", 3).unwrap();
        assert_eq!(o.target, None);
        assert_eq!(o.path[1], Segment::Index(0));
        assert_eq!(o.value.origin, Origin::Override(3));
        let o = parse_override(
            "ScaledObject/x:metadata.annotations[\"autoscaling.keda.sh/paused\"]=\"true\"",
            0,
        )
        .unwrap();
        assert_eq!(o.path[2], Segment::Key("autoscaling.keda.sh/paused".into()));
        assert_eq!(o.value.kind, Kind::Scalar("true".into(), Style::Quoted));
        assert!(parse_override("novalue", 0).is_err());
        assert!(parse_override("a..b=1", 0).is_err());
    }

    #[test]
    fn applies_and_inserts() {
        let mut n = doc("spec:\n  load:\n  - poisson: {rate: 5}\n");
        let o = parse_override("spec.load.0.poisson.rate=50", 0).unwrap();
        apply(&mut n, &o.path, o.value).unwrap();
        assert_eq!(
            n.lookup(&["spec", "load"])
                .and_then(|l| get(
                    l,
                    &[
                        Segment::Index(0),
                        Segment::Key("poisson".into()),
                        Segment::Key("rate".into())
                    ]
                ))
                .unwrap()
                .as_str(),
            Some("50")
        );
        let o = parse_override("spec.cooldownPeriod=30", 1).unwrap();
        apply(&mut n, &o.path, o.value).unwrap();
        assert_eq!(
            n.lookup(&["spec", "cooldownPeriod"]).unwrap().as_str(),
            Some("30")
        );
        let o = parse_override("spec.load.3.poisson.rate=1", 2).unwrap();
        let e = apply(&mut n, &o.path, o.value).unwrap_err();
        assert_eq!(e, "spec.load[3] does not exist: spec.load has 1 item(s)");
        let o = parse_override("spec.cooldownPeriod.x=1", 2).unwrap();
        let e = apply(&mut n, &o.path, o.value).unwrap_err();
        assert!(e.contains("single value"), "{e}");
    }
}
