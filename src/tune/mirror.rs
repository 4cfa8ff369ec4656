//! The tuned tree: a copy of every file the scenario reads, laid out as in the user's tree
//! (relative to the deepest directory holding them all) with the tuned fields patched, so
//! `scalesim run <out>/tuned/<scenario>` reproduces the tuned run and
//! `kubectl apply -f <out>/tuned/<manifest>` applies it. Plus `tuned.diff`, a unified diff of
//! the patched files against the originals with the paths the loader used (relative to the
//! current directory), which `git apply` or `patch -p1` applies to the user's own tree.
//!
//! The user's files are only read, never written.

use super::inputs::Inputs;
use super::patch::Patch;

/// The tuned tree as (path relative to the tree, bytes), and the path of the scenario in it.
pub fn tuned_tree(inputs: &Inputs, patch: &Patch) -> (Vec<(String, Vec<u8>)>, String) {
    let layout = inputs.layout();
    let scenario = layout[0].0.clone();
    let files = layout
        .into_iter()
        .map(|(rel, f)| {
            let text = patch.text_of(&f.path).unwrap_or(&f.text);
            (rel, text.as_bytes().to_vec())
        })
        .collect();
    (files, scenario)
}

/// A unified diff of every patched file (`--- a/PATH`, `+++ b/PATH`, three lines of context).
pub fn unified_diff(patch: &Patch) -> String {
    let mut out = String::new();
    for f in &patch.files {
        let diff = similar::TextDiff::from_lines(&f.original, &f.patched);
        let a = format!("a/{}", f.path.trim_start_matches('/'));
        let b = format!("b/{}", f.path.trim_start_matches('/'));
        out.push_str(&format!("diff --git {a} {b}\n"));
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&a, &b)
                .to_string(),
        );
    }
    out
}
