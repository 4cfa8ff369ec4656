//! The files a scenario reads: the scenario file, every manifest file its `spec.manifests`
//! names (directories expanded as the loader does), and data files (`file:` of CSV traces and
//! empirical distributions). `tune` copies them into a self-contained tree with the tuned
//! fields patched, and sweeps fingerprint them so `merge` can refuse shards of different inputs.

use std::sync::Arc;

use crate::scenario::files::{self, Source};
use crate::yaml::path::{apply, parse_override, Segment};
use crate::yaml::{Kind, Node};

/// One file read by a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct InputFile {
    /// The path as the loader names it (normalized; relative paths stay relative).
    pub path: String,
    /// Its text.
    pub text: String,
    /// A YAML file (scenario or manifests), as opposed to a data file.
    pub yaml: bool,
}

/// Every file of a scenario, the scenario first.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// Where the files come from.
    pub source: Source,
    /// The files, scenario first, then manifests and data files in the order the loader reads
    /// them.
    pub files: Vec<InputFile>,
}

impl Inputs {
    /// Reads the files of the scenario at `path`, with the Scenario-document `overrides` of
    /// `KEY=VALUE` form applied first (they may change `spec.manifests`). Files that cannot be
    /// read are left out: loading the scenario reports them properly.
    pub fn collect(source: &Source, path: &str, overrides: &[String]) -> Result<Inputs, String> {
        let text = source.read(path)?;
        let scenario_path = files::normalize(path);
        let mut out = Inputs {
            source: source.clone(),
            files: vec![InputFile {
                path: scenario_path.clone(),
                text: text.clone(),
                yaml: true,
            }],
        };
        let docs = crate::yaml::parse_stream(&text, &Arc::from(path)).map_err(|e| e.to_string())?;
        let Some(mut sdoc) = docs
            .into_iter()
            .find(|d| d.root.get("kind").and_then(Node::as_str) == Some("Scenario"))
        else {
            return Ok(out);
        };
        for (i, raw) in overrides.iter().enumerate() {
            if let Ok(o) = parse_override(raw, i) {
                if o.target.is_none() {
                    let _ = apply(&mut sdoc.root, &scenario_path_of(&o.path), o.value);
                }
            }
        }
        let base = files::parent_dir(path);
        let mut wanted: Vec<(String, bool)> = Vec::new();
        if let Some(Kind::Seq(items)) = sdoc.root.lookup(&["spec", "manifests"]).map(|n| &n.kind) {
            for m in items.iter().filter_map(Node::as_str) {
                if let Ok(list) = source.expand(&files::join(&base, m)) {
                    wanted.extend(list.into_iter().map(|f| (f, true)));
                }
            }
        }
        let mut data = Vec::new();
        if let Some(spec) = sdoc.root.get("spec") {
            data_files(spec, &mut data);
        }
        wanted.extend(data.into_iter().map(|f| (files::join(&base, &f), false)));
        for (f, yaml) in wanted {
            let norm = files::normalize(&f);
            if out.files.iter().any(|x| x.path == norm) {
                continue;
            }
            if let Ok(text) = source.read(&f) {
                out.files.push(InputFile {
                    path: norm,
                    text,
                    yaml,
                });
            }
        }
        Ok(out)
    }

    /// The scenario file.
    pub fn scenario(&self) -> &InputFile {
        &self.files[0]
    }

    /// A hash of every file's path (relative to the tree's root) and text: equal inputs give
    /// equal fingerprints on every machine.
    pub fn fingerprint(&self) -> u64 {
        let mut bytes = Vec::new();
        for (rel, f) in self.layout() {
            bytes.extend_from_slice(rel.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(f.text.as_bytes());
            bytes.push(0);
        }
        crate::rng::fnv1a64(&bytes)
    }

    /// Each file with its path relative to the deepest directory holding all of them, so the
    /// tree can be copied elsewhere and still load (relative references keep working).
    pub fn layout(&self) -> Vec<(String, &InputFile)> {
        // All relative and inside the current directory: keep them as they are. Otherwise
        // compare absolute paths (relative ones taken from the current directory).
        let outside = self
            .files
            .iter()
            .any(|f| f.path.starts_with('/') || f.path.starts_with(".."));
        let abs: Vec<Vec<String>> = self
            .files
            .iter()
            .map(|f| components(&absolute(&f.path, outside)))
            .collect();
        let mut common = abs[0][..abs[0].len().saturating_sub(1)].to_vec();
        for a in &abs[1..] {
            let dir = &a[..a.len().saturating_sub(1)];
            let n = common.iter().zip(dir).take_while(|(x, y)| x == y).count();
            common.truncate(n);
        }
        abs.iter()
            .zip(&self.files)
            .map(|(a, f)| (a[common.len()..].join("/"), f))
            .collect()
    }
}

/// A Scenario override path as the loader reads it (relative to `spec` unless it starts at the
/// document root).
pub fn scenario_path_of(path: &[Segment]) -> Vec<Segment> {
    let mut p = path.to_vec();
    if !matches!(p.first(), Some(Segment::Key(k)) if k == "spec" || k == "metadata") {
        p.insert(0, Segment::Key("spec".into()));
    }
    p
}

/// Lexically absolute (relative paths are taken from the current directory).
fn absolute(path: &str, use_cwd: bool) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    if !use_cwd {
        return format!("/{path}");
    }
    let cwd = std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "/".into());
    files::normalize(&format!("{cwd}/{path}"))
}

fn components(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Values of `file:` keys (traces, empirical distributions).
fn data_files(n: &Node, out: &mut Vec<String>) {
    match &n.kind {
        Kind::Map(entries) => {
            for (k, v) in entries {
                match (&v.kind, k.text.as_str()) {
                    (Kind::Scalar(s, _), "file") => out.push(s.clone()),
                    _ => data_files(v, out),
                }
            }
        }
        Kind::Seq(items) => items.iter().for_each(|i| data_files(i, out)),
        Kind::Scalar(..) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_the_embedded_seed_scenario() {
        let src = Source::Embedded(files::EMBEDDED);
        let i = Inputs::collect(&src, files::DEFAULT_SCENARIO, &[]).unwrap();
        let paths: Vec<&str> = i.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "scenarios/keda-redis-burst.yaml",
                "k8s-reference/keda-redis/celery-worker.yaml",
                "k8s-reference/keda-redis/redis.yaml",
                "k8s-reference/keda-redis/scaledobject.yaml"
            ]
        );
        let rel: Vec<String> = i.layout().into_iter().map(|(r, _)| r).collect();
        assert_eq!(rel[0], "scenarios/keda-redis-burst.yaml");
        assert_eq!(rel[3], "k8s-reference/keda-redis/scaledobject.yaml");
        assert_eq!(i.fingerprint(), i.clone().fingerprint());
    }
}
