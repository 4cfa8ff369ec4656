//! Where scenario files come from: the disk, or the copies embedded in the binary (so
//! `scalesim run` with no argument works from any directory).
//!
//! Directories are read like `kubectl apply -f DIR`: the `.yaml`, `.yml` and `.json` files
//! directly inside, in name order, not recursively.

use std::path::{Component, Path, PathBuf};

/// Largest file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A file tree to read from.
#[derive(Clone, Copy, Debug)]
pub enum Source {
    /// The real filesystem.
    Disk,
    /// Files compiled into the binary: (relative path, contents).
    Embedded(&'static [(&'static str, &'static str)]),
}

/// The shipped scenarios and reference manifests, embedded for `scalesim run` with no argument.
pub static EMBEDDED: &[(&str, &str)] = &[
    (
        "scenarios/rabbitmq-fixed.yaml",
        include_str!("../../scenarios/rabbitmq-fixed.yaml"),
    ),
    (
        "scenarios/cpu-vs-io.yaml",
        include_str!("../../scenarios/cpu-vs-io.yaml"),
    ),
    (
        "k8s-reference/rabbitmq/worker-deployment.yaml",
        include_str!("../../k8s-reference/rabbitmq/worker-deployment.yaml"),
    ),
    (
        "k8s-reference/rabbitmq/rabbitmq-cluster.yaml",
        include_str!("../../k8s-reference/rabbitmq/rabbitmq-cluster.yaml"),
    ),
    (
        "k8s-reference/hpa-prometheus/02-worker.yaml",
        include_str!("../../k8s-reference/hpa-prometheus/02-worker.yaml"),
    ),
];

/// The scenario `scalesim run` uses when given none.
pub const DEFAULT_SCENARIO: &str = "scenarios/rabbitmq-fixed.yaml";

impl Source {
    /// Reads a UTF-8 text file.
    pub fn read(&self, path: &str) -> Result<String, String> {
        match self {
            Source::Disk => {
                let meta = std::fs::metadata(path).map_err(|e| io_msg(path, &e))?;
                if meta.is_dir() {
                    return Err(format!("{path} is a directory, expected a file"));
                }
                if meta.len() > MAX_FILE_BYTES {
                    return Err(format!(
                        "{path} is {} bytes; scalesim reads files of at most {MAX_FILE_BYTES} bytes",
                        meta.len()
                    ));
                }
                let bytes = std::fs::read(path).map_err(|e| io_msg(path, &e))?;
                String::from_utf8(bytes).map_err(|e| {
                    let at = e.utf8_error().valid_up_to();
                    let line = 1 + e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count();
                    format!("{path}: not valid UTF-8 text (line {line}, byte {at}); save the file as UTF-8")
                })
            }
            Source::Embedded(files) => files
                .iter()
                .find(|(p, _)| *p == normalize(path))
                .map(|(_, t)| t.to_string())
                .ok_or_else(|| format!("{path}: no such file among the embedded scenarios")),
        }
    }

    /// A file gives itself; a directory gives its manifest files in name order.
    pub fn expand(&self, path: &str) -> Result<Vec<String>, String> {
        match self {
            Source::Disk => {
                let meta = std::fs::metadata(path).map_err(|e| io_msg(path, &e))?;
                if !meta.is_dir() {
                    return Ok(vec![path.to_string()]);
                }
                let mut out = Vec::new();
                for entry in std::fs::read_dir(path).map_err(|e| io_msg(path, &e))? {
                    let entry = entry.map_err(|e| io_msg(path, &e))?;
                    let p = entry.path();
                    if p.is_file() && is_manifest_name(&p) {
                        out.push(p.to_string_lossy().into_owned());
                    }
                }
                out.sort();
                Ok(out)
            }
            Source::Embedded(files) => {
                let norm = normalize(path);
                if files.iter().any(|(p, _)| *p == norm) {
                    return Ok(vec![norm]);
                }
                let prefix = format!("{}/", norm.trim_end_matches('/'));
                let mut out: Vec<String> = files
                    .iter()
                    .filter(|(p, _)| {
                        p.strip_prefix(&prefix).is_some_and(|rest| {
                            !rest.contains('/') && is_manifest_name(Path::new(rest))
                        })
                    })
                    .map(|(p, _)| p.to_string())
                    .collect();
                if out.is_empty() {
                    return Err(format!(
                        "{path}: no such file or directory among the embedded scenarios"
                    ));
                }
                out.sort();
                Ok(out)
            }
        }
    }

    /// A key that is equal for two names of the same file (for de-duplication).
    pub fn canonical(&self, path: &str) -> String {
        match self {
            Source::Disk => std::fs::canonicalize(path)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|_| normalize(path)),
            Source::Embedded(_) => normalize(path),
        }
    }
}

fn is_manifest_name(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

fn io_msg(path: &str, e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => format!("{path}: no such file or directory"),
        std::io::ErrorKind::PermissionDenied => format!("{path}: permission denied"),
        _ => format!("{path}: {e}"),
    }
}

/// The directory part of a path ("" for a bare file name).
pub fn parent_dir(path: &str) -> String {
    Path::new(path)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `base/rel`, unless `rel` is absolute; `..` and `.` are folded.
pub fn join(base: &str, rel: &str) -> String {
    if Path::new(rel).is_absolute() || base.is_empty() {
        return normalize(rel);
    }
    normalize(&Path::new(base).join(rel).to_string_lossy())
}

/// Folds `.` and `..` lexically and uses `/` separators.
pub fn normalize(path: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let absolute = Path::new(path).is_absolute();
    for c in Path::new(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.last().is_some_and(|l| l != "..") {
                    out.pop();
                } else if !absolute {
                    out.push("..".into());
                }
            }
            Component::Normal(s) => out.push(s.to_string_lossy().into_owned()),
            Component::RootDir | Component::Prefix(_) => {}
        }
    }
    let joined = out.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

/// Path of a shipped file relative to the repository root (for tests and docs).
pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_normalizes() {
        assert_eq!(
            join("scenarios", "../k8s-reference/keda-redis"),
            "k8s-reference/keda-redis"
        );
        assert_eq!(join("", "a/./b"), "a/b");
        assert_eq!(join("/x/y", "../z"), "/x/z");
        assert_eq!(normalize("../a"), "../a");
    }

    #[test]
    fn every_shipped_file_is_embedded_and_identical() {
        for dir in ["scenarios", "k8s-reference"] {
            let mut stack = vec![repo_path(dir)];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).unwrap() {
                    let p = e.unwrap().path();
                    if p.is_dir() {
                        if p.file_name().is_some_and(|n| n == "bench") {
                            continue;
                        }
                        stack.push(p);
                    } else if is_manifest_name(&p) {
                        let rel = p
                            .strip_prefix(repo_path(""))
                            .unwrap()
                            .to_string_lossy()
                            .replace('\\', "/");
                        let embedded = EMBEDDED.iter().find(|(n, _)| *n == rel);
                        let text = std::fs::read_to_string(&p).unwrap();
                        assert!(embedded.is_some(), "{rel} is not in files::EMBEDDED");
                        assert_eq!(
                            embedded.unwrap().1,
                            text,
                            "{rel} differs from its embedded copy"
                        );
                    }
                }
            }
        }
    }
}
