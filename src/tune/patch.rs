//! Writing tuned values into the user's own files, as text edits that keep everything else.
//!
//! Each `--set` of the chosen point (fixed ones included: they are part of what was simulated)
//! names a node of a manifest (`Kind/name:path`) or of the Scenario document (`path`). The
//! node's position in the original file comes from the YAML tree ([`crate::yaml::Origin`]);
//! only the value's characters are replaced, so comments, field order, quoting style and
//! indentation stay as the user wrote them. Decisions:
//! * A present scalar keeps its style: a quoted value stays quoted with the same quote
//!   character (`listLength: "10"` becomes `listLength: "20"`, as KEDA's string-typed
//!   metadata requires); a plain string stays a string (`"4"` is written quoted where a plain
//!   word was).
//! * An absent field (`cooldownPeriod` left to its default) is inserted as `key: value` on a
//!   new line after the last entry of its parent mapping, at the parent's indentation (or
//!   before the `}` of a flow mapping). Inserted values are quoted where Kubernetes wants
//!   strings: KEDA trigger `metadata`, ConfigMap/Secret `data`, env `value`, labels and
//!   annotations.
//! * A value given quoted on the command line is written exactly as given; a list or mapping
//!   value (`[a, b]`, `{...}`) is written in flow style.
//! * After editing, each patched file is parsed again and every tuned node must read back as
//!   the value that was simulated; anything else is an error, never a silently wrong file.
//!
//! Limits: a node reached through a YAML alias is edited at its anchor (which changes every
//! use of the anchor); list items cannot be added (as with `--set`).

use std::sync::Arc;

use crate::yaml::path::{get, parse_override, path_to_string, Override, Segment};
use crate::yaml::{
    parse_stream, resolve_plain, Document, Key, Kind, Node, Origin, Pos, Resolved, Style,
};

use super::inputs::{scenario_path_of, InputFile, Inputs};
use super::space::quote;

/// One field written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldChange {
    /// File (as the loader names it).
    pub file: String,
    /// 1-based line of the value in the patched file.
    pub line: u32,
    /// `ScaledObject/redis-scaledobject`, or `Scenario`.
    pub object: String,
    /// Field path (`spec.triggers[0].metadata.listLength`).
    pub path: String,
    /// The value as it was written before (None: the field was absent).
    pub old: Option<String>,
    /// The value as written now.
    pub new: String,
}

/// A file and its patched text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchedFile {
    /// Path as the loader names it.
    pub path: String,
    /// Original text.
    pub original: String,
    /// Patched text.
    pub patched: String,
}

/// Everything a patch changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Patch {
    /// Files whose text changed, in input order.
    pub files: Vec<PatchedFile>,
    /// Every field written, in override order.
    pub changes: Vec<FieldChange>,
}

impl Patch {
    /// The patched text of `path`, or None when unchanged.
    pub fn text_of(&self, path: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.patched.as_str())
    }
}

/// A text edit: replace bytes `start..end` with `text`.
#[derive(Clone, Debug)]
struct Edit {
    start: usize,
    end: usize,
    text: String,
    seq: usize,
    /// Indentation of an inserted block: at one offset, deeper blocks go first (they belong
    /// to the inner mapping that ends there).
    indent: usize,
}

/// Line starts of a text, to turn (line, column in characters) into byte offsets.
struct Lines<'a> {
    s: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(s: &'a str) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(s.match_indices('\n').map(|(i, _)| i + 1));
        Lines { s, starts }
    }

    fn offset(&self, p: Pos) -> usize {
        let Some(&ls) = self.starts.get(p.line.saturating_sub(1) as usize) else {
            return self.s.len();
        };
        let line = &self.s[ls..];
        ls + line
            .char_indices()
            .nth(p.col.saturating_sub(1) as usize)
            .map_or(line.len(), |(i, _)| i)
    }

    fn line_of(&self, offset: usize) -> u32 {
        self.starts.partition_point(|&s| s <= offset) as u32
    }

    /// The start of the line after `offset` (or `offset` itself when at a line start).
    fn line_after(&self, offset: usize) -> usize {
        if offset == 0 || self.s.as_bytes().get(offset - 1) == Some(&b'\n') {
            return offset;
        }
        self.s[offset..]
            .find('\n')
            .map_or(self.s.len(), |i| offset + i + 1)
    }
}

fn span(n: &Node) -> Result<(Pos, Pos), String> {
    match n.origin {
        Origin::File { start, end } => Ok((start, end)),
        Origin::Override(_) => Err("internal: a node without a file position".into()),
    }
}

fn key_span(k: &Key) -> Result<(Pos, Pos), String> {
    match k.origin {
        Origin::File { start, end } => Ok((start, end)),
        Origin::Override(_) => Err("internal: a key without a file position".into()),
    }
}

/// A YAML file of the inputs, parsed.
struct Parsed<'a> {
    file: &'a InputFile,
    docs: Vec<Document>,
}

/// Computes the patch that writes `overrides` (`KEY=VALUE`) into the input files.
pub fn patch(inputs: &Inputs, overrides: &[String]) -> Result<Patch, String> {
    let parsed: Vec<Parsed> = inputs
        .files
        .iter()
        .filter(|f| f.yaml)
        .map(|f| {
            parse_stream(&f.text, &Arc::from(f.path.as_str()))
                .map(|docs| Parsed { file: f, docs })
                .map_err(|e| format!("{}: {e}", f.path))
        })
        .collect::<Result<_, _>>()?;
    let mut edits: Vec<(usize, Edit, FieldChange)> = Vec::new();
    for (seq, raw) in overrides.iter().enumerate() {
        let o = parse_override(raw, seq)?;
        let (fi, root, kind, path) = locate(&parsed, &o)?;
        let text = &parsed[fi].file.text;
        let lines = Lines::new(text);
        let json = parsed[fi].file.path.ends_with(".json");
        let ctx = string_context(kind.as_deref(), &path);
        let (edit, old, new) = edit_for(&lines, root, &path, &o, ctx, json, seq).map_err(|e| {
            format!(
                "--set {raw}: cannot write it into {}: {e}",
                parsed[fi].file.path
            )
        })?;
        let change = FieldChange {
            file: parsed[fi].file.path.clone(),
            line: 0,
            object: kind.map_or("Scenario".to_string(), |k| {
                let (_, name) = o.target.clone().expect("manifest target");
                format!("{k}/{name}")
            }),
            path: path_to_string(&path),
            old,
            new,
        };
        // A value already as tuned: nothing to write.
        if change.old.as_deref() != Some(change.new.as_str()) {
            edits.push((fi, edit, change));
        }
    }
    let mut out = Patch::default();
    let mut lines_of: Vec<(usize, u32)> = Vec::new();
    for (fi, p) in parsed.iter().enumerate() {
        let mut mine: Vec<&(usize, Edit, FieldChange)> =
            edits.iter().filter(|e| e.0 == fi).collect();
        if mine.is_empty() {
            continue;
        }
        mine.sort_by_key(|e| (e.1.start, std::cmp::Reverse(e.1.indent), e.1.seq));
        for w in mine.windows(2) {
            if w[0].1.end > w[1].1.start {
                return Err(format!(
                    "{}: two overrides write overlapping text ({} and {})",
                    p.file.path, w[0].2.path, w[1].2.path
                ));
            }
        }
        // Inserted lines follow the file's line endings.
        let crlf = p.file.text.contains("\r\n");
        let mut mine: Vec<(usize, Edit, FieldChange)> = mine.into_iter().cloned().collect();
        if crlf {
            for e in &mut mine {
                e.1.text = e.1.text.replace('\n', "\r\n");
            }
        }
        let mut text = p.file.text.clone();
        for (_, e, _) in mine.iter().rev() {
            text.replace_range(e.start..e.end, &e.text);
        }
        // Where each edit landed: earlier edits shift later ones.
        let lines = Lines::new(&text);
        let mut shift: isize = 0;
        for (_, e, _) in &mine {
            let at = (e.start as isize + shift) as usize;
            let lead = e.text.len() - e.text.trim_start_matches('\n').len();
            // The line of the value: the last line of an inserted block.
            let line = lines.line_of(at + lead) + e.text.trim().matches('\n').count() as u32;
            lines_of.push((e.seq, line));
            shift += e.text.len() as isize - (e.end - e.start) as isize;
        }
        out.files.push(PatchedFile {
            path: p.file.path.clone(),
            original: p.file.text.clone(),
            patched: text,
        });
    }
    let seqs: Vec<usize> = edits.iter().map(|e| e.1.seq).collect();
    out.changes = edits.into_iter().map(|e| e.2).collect();
    for (seq, line) in lines_of {
        if let Some(c) = out.changes.iter_mut().zip(&seqs).find(|(_, s)| **s == seq) {
            c.0.line = line;
        }
    }
    verify(inputs, &out, overrides)?;
    Ok(out)
}

/// Where an override writes: (file index, document root, manifest kind or None for the
/// Scenario, path inside the document).
type Target<'p> = (usize, &'p Node, Option<String>, Vec<Segment>);

/// Finds the document an override writes into: (file index, document root, manifest kind or
/// None for the Scenario, path inside the document).
fn locate<'p>(parsed: &'p [Parsed], o: &Override) -> Result<Target<'p>, String> {
    match &o.target {
        None => {
            let root = parsed
                .first()
                .and_then(|p| p.docs.iter().find(|d| kind_of(&d.root) == Some("Scenario")))
                .map(|d| &d.root)
                .ok_or_else(|| format!("--set {}: no Scenario document to write it into", o.raw))?;
            Ok((0, root, None, scenario_path_of(&o.path)))
        }
        Some((kind, name)) => {
            let mut hits = Vec::new();
            for (fi, p) in parsed.iter().enumerate() {
                for d in &p.docs {
                    for root in objects(&d.root) {
                        if kind_of(root) == Some(kind.as_str())
                            && root.lookup(&["metadata", "name"]).and_then(Node::as_str)
                                == Some(name.as_str())
                        {
                            hits.push((fi, root));
                        }
                    }
                }
            }
            match hits.as_slice() {
                [(fi, root)] => Ok((*fi, *root, Some(kind.clone()), o.path.clone())),
                [] => Err(format!(
                    "--set {}: no {kind}/{name} in the scenario's files",
                    o.raw
                )),
                _ => Err(format!(
                    "--set {}: {kind}/{name} is defined more than once",
                    o.raw
                )),
            }
        }
    }
}

fn kind_of(n: &Node) -> Option<&str> {
    n.get("kind").and_then(Node::as_str)
}

/// A document's objects (the items of a `kind: List`).
fn objects(root: &Node) -> Vec<&Node> {
    if kind_of(root) == Some("List") {
        if let Some(Kind::Seq(items)) = root.get("items").map(|n| &n.kind) {
            return items.iter().collect();
        }
    }
    vec![root]
}

/// Fields Kubernetes (or KEDA) reads as strings: inserted values there are quoted.
fn string_context(kind: Option<&str>, path: &[Segment]) -> bool {
    let keys: Vec<Option<&str>> = path
        .iter()
        .map(|s| match s {
            Segment::Key(k) => Some(k.as_str()),
            Segment::Index(_) => None,
        })
        .collect();
    let n = keys.len();
    let trigger_metadata = keys
        .windows(3)
        .any(|w| w[0] == Some("triggers") && w[1].is_none() && w[2] == Some("metadata"));
    let config_data = matches!(kind, Some("ConfigMap" | "Secret"))
        && matches!(keys.first(), Some(Some("data" | "stringData")));
    let env_value = n >= 3
        && keys[n - 3] == Some("env")
        && keys[n - 2].is_none()
        && keys[n - 1] == Some("value");
    let labels = keys
        .windows(2)
        .any(|w| w[0] == Some("metadata") && matches!(w[1], Some("labels" | "annotations")));
    trigger_metadata || config_data || env_value || labels
}

/// The edit that writes `o` at `path` under `root`, and the old value's text.
fn edit_for(
    lines: &Lines,
    root: &Node,
    path: &[Segment],
    o: &Override,
    string_ctx: bool,
    json: bool,
    seq: usize,
) -> Result<(Edit, Option<String>, String), String> {
    let mut node = root;
    let mut key: Option<&Key> = None;
    for (i, seg) in path.iter().enumerate() {
        let child = match (seg, &node.kind) {
            (Segment::Key(k), Kind::Map(entries)) => entries
                .iter()
                .find(|(kk, _)| &kk.text == k)
                .map(|(kk, v)| (Some(kk), v)),
            (Segment::Index(n), Kind::Seq(items)) => items.get(*n).map(|v| (None, v)),
            _ => None,
        };
        match child {
            Some((k, v)) => {
                node = v;
                key = k;
            }
            None => {
                let (e, v) = insert(lines, node, key, &path[i..], o, string_ctx, json, seq)?;
                return Ok((e, None, v));
            }
        }
    }
    replace(lines, node, key, o, seq)
}

/// The offset just after the `:` that follows a key.
fn after_colon(lines: &Lines, key: &Key) -> Result<usize, String> {
    let (_, end) = key_span(key)?;
    let from = lines.offset(end);
    let rest = &lines.s[from..];
    let i = rest
        .find(':')
        .filter(|i| rest[..*i].trim().is_empty())
        .ok_or_else(|| format!("no `:` after the key {}", key.text))?;
    Ok(from + i + 1)
}

fn is_flow(lines: &Lines, n: &Node) -> Result<bool, String> {
    let (start, _) = span(n)?;
    Ok(matches!(
        lines.s.as_bytes().get(lines.offset(start)),
        Some(b'{' | b'[')
    ))
}

/// Where a node's own text ends (for a block collection: the end of its last value).
fn content_end(lines: &Lines, n: &Node) -> Result<usize, String> {
    let (_, end) = span(n)?;
    match &n.kind {
        Kind::Scalar(..) => Ok(lines.offset(end)),
        _ if is_flow(lines, n)? => Ok(lines.offset(end)),
        Kind::Map(entries) => match entries.last() {
            Some((k, v)) => {
                let kend = lines.offset(key_span(k)?.1);
                Ok(content_end(lines, v)?.max(kend))
            }
            None => Ok(lines.offset(end)),
        },
        Kind::Seq(items) => match items.last() {
            Some(v) => content_end(lines, v),
            None => Ok(lines.offset(end)),
        },
    }
}

fn replace(
    lines: &Lines,
    node: &Node,
    key: Option<&Key>,
    o: &Override,
    seq: usize,
) -> Result<(Edit, Option<String>, String), String> {
    let (start, end) = span(node)?;
    let (s, e) = (lines.offset(start), lines.offset(end));
    match &node.kind {
        Kind::Scalar(text, Style::Plain) if text.is_empty() => {
            let key = key.ok_or("an empty list item")?;
            let at = after_colon(lines, key)?;
            let v = render(o, None, false)?;
            Ok((
                Edit {
                    start: at,
                    end: at,
                    text: format!(" {v}"),
                    seq,
                    indent: 0,
                },
                None,
                v,
            ))
        }
        Kind::Scalar(_, Style::Block) => {
            let key = key.ok_or("a block scalar in a list")?;
            let at = after_colon(lines, key)?;
            let old = lines.s[at..e].trim().to_string();
            let v = render(o, None, true)?;
            let nl = if lines.s[..e].ends_with('\n') {
                "\n"
            } else {
                ""
            };
            Ok((
                Edit {
                    start: at,
                    end: e,
                    text: format!(" {v}{nl}"),
                    seq,
                    indent: 0,
                },
                Some(old),
                v,
            ))
        }
        Kind::Scalar(..) => {
            let old = &lines.s[s..e];
            let v = render(o, Some((node, old)), false)?;
            Ok((
                Edit {
                    start: s,
                    end: e,
                    text: v.clone(),
                    seq,
                    indent: 0,
                },
                Some(old.to_string()),
                v,
            ))
        }
        _ => {
            let e = content_end(lines, node)?;
            let old = lines.s[s..e].to_string();
            let v = render(o, None, false)?;
            Ok((
                Edit {
                    start: s,
                    end: e,
                    text: v.clone(),
                    seq,
                    indent: 0,
                },
                Some(old),
                v,
            ))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn insert(
    lines: &Lines,
    anc: &Node,
    anc_key: Option<&Key>,
    rest: &[Segment],
    o: &Override,
    string_ctx: bool,
    json: bool,
    seq: usize,
) -> Result<(Edit, String), String> {
    let value = render(o, None, string_ctx)?;
    insert_text(lines, anc, anc_key, rest, &value, json, seq).map(|e| (e, value))
}

fn insert_text(
    lines: &Lines,
    anc: &Node,
    anc_key: Option<&Key>,
    rest: &[Segment],
    value: &str,
    json: bool,
    seq: usize,
) -> Result<Edit, String> {
    match &anc.kind {
        Kind::Map(entries) if is_flow(lines, anc)? => {
            let (_, end) = span(anc)?;
            let close = lines.offset(end).saturating_sub(1);
            if lines.s.as_bytes().get(close) != Some(&b'}') {
                return Err("a flow mapping without its closing brace".into());
            }
            let sep = if entries.is_empty() { "" } else { ", " };
            Ok(Edit {
                start: close,
                end: close,
                text: format!("{sep}{}", render_flow(rest, value, json)?),
                seq,
                indent: 0,
            })
        }
        Kind::Map(entries) => {
            let (first, _) = entries.first().ok_or("an empty block mapping")?;
            let indent = key_span(first)?.0.col.saturating_sub(1) as usize;
            let at = lines.line_after(content_end(lines, anc)?);
            let mut text = render_block(rest, value, indent)?;
            if at == lines.s.len() && !lines.s.is_empty() && !lines.s.ends_with('\n') {
                text.insert(0, '\n');
            }
            Ok(Edit {
                start: at,
                end: at,
                text,
                seq,
                indent,
            })
        }
        Kind::Scalar(t, Style::Plain) if matches!(resolve_plain(t), Resolved::Null) => {
            let key = anc_key.ok_or("an empty list item")?;
            let indent = key_span(key)?.0.col.saturating_sub(1) as usize + 2;
            let at = after_colon(lines, key)?;
            let end = if t.is_empty() {
                at
            } else {
                lines.offset(span(anc)?.1)
            };
            let block = render_block(rest, value, indent)?;
            Ok(Edit {
                start: at,
                end,
                text: format!("\n{}", block.trim_end_matches('\n')),
                seq,
                indent,
            })
        }
        _ => Err(format!("its parent is {}, not a mapping", anc.describe())),
    }
}

fn yaml_key(k: &str, json: bool) -> String {
    let plain = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && matches!(resolve_plain(k), Resolved::Str);
    if plain && !json {
        k.to_string()
    } else {
        quote(k)
    }
}

/// Block YAML for the missing part of a path, each line ending in a newline.
fn render_block(rest: &[Segment], value: &str, indent: usize) -> Result<String, String> {
    let pad = " ".repeat(indent);
    match rest {
        [Segment::Key(k)] => Ok(format!("{pad}{}: {value}\n", yaml_key(k, false))),
        [Segment::Key(k), Segment::Index(0)] => {
            Ok(format!("{pad}{}:\n{pad}- {value}\n", yaml_key(k, false)))
        }
        [Segment::Key(k), Segment::Index(0), more @ ..] => {
            let inner = render_block(more, value, indent + 2)?;
            Ok(format!(
                "{pad}{}:\n{pad}- {}",
                yaml_key(k, false),
                &inner[indent + 2..]
            ))
        }
        [Segment::Key(k), more @ ..] if matches!(more.first(), Some(Segment::Key(_))) => {
            Ok(format!(
                "{pad}{}:\n{}",
                yaml_key(k, false),
                render_block(more, value, indent + 2)?
            ))
        }
        _ => Err(format!(
            "{} would need a new list item; write the whole list instead",
            path_to_string(rest)
        )),
    }
}

/// Flow YAML for the missing part of a path (`key: value`, `key: {sub: value}`).
fn render_flow(rest: &[Segment], value: &str, json: bool) -> Result<String, String> {
    match rest {
        [Segment::Key(k)] => Ok(format!("{}: {value}", yaml_key(k, json))),
        [Segment::Key(k), Segment::Index(0)] => Ok(format!("{}: [{value}]", yaml_key(k, json))),
        [Segment::Key(k), Segment::Index(0), more @ ..] => Ok(format!(
            "{}: [{{{}}}]",
            yaml_key(k, json),
            render_flow(more, value, json)?
        )),
        [Segment::Key(k), more @ ..] if matches!(more.first(), Some(Segment::Key(_))) => {
            Ok(format!(
                "{}: {{{}}}",
                yaml_key(k, json),
                render_flow(more, value, json)?
            ))
        }
        _ => Err(format!(
            "{} would need a new list item; write the whole list instead",
            path_to_string(rest)
        )),
    }
}

/// True when `s` reads back as the same plain string after `key: `.
fn plain_safe(s: &str) -> bool {
    if s.is_empty() || s.contains('\n') {
        return false;
    }
    parse_stream(&format!("k: {s}\n"), &Arc::from("<check>"))
        .ok()
        .and_then(|d| d.into_iter().next())
        .and_then(|d| d.root.get("k").cloned())
        .is_some_and(|n| n.kind == Kind::Scalar(s.to_string(), Style::Plain))
}

fn single_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The text of an override's value, in the style of the value it replaces (see the module
/// docs). `original`: the replaced scalar and its text; `string_ctx`: quote non-strings.
fn render(
    o: &Override,
    original: Option<(&Node, &str)>,
    string_ctx: bool,
) -> Result<String, String> {
    let given = o.value_text.trim();
    let s = match &o.value.kind {
        Kind::Scalar(s, Style::Plain) => s.as_str(),
        Kind::Scalar(..) => return Ok(given.to_string()),
        _ => return Ok(given.to_string()),
    };
    let non_string = !matches!(resolve_plain(s), Resolved::Str);
    let quote_char = original
        .and_then(|(_, t)| t.chars().next())
        .filter(|c| *c == '\'' || *c == '"');
    let need = match original {
        Some((n, _)) => match &n.kind {
            Kind::Scalar(_, Style::Quoted) => true,
            Kind::Scalar(t, _) => matches!(resolve_plain(t), Resolved::Str) && non_string,
            _ => false,
        },
        None => string_ctx && non_string,
    } || !plain_safe(s);
    Ok(if !need {
        s.to_string()
    } else if quote_char == Some('\'') {
        single_quote(s)
    } else {
        quote(s)
    })
}

/// Two nodes hold the same data (scalars by text, whatever their style or position).
fn same(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (Kind::Scalar(x, _), Kind::Scalar(y, _)) => x == y,
        (Kind::Seq(x), Kind::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Kind::Map(x), Kind::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1.text == k2.text && same(v1, v2))
        }
        _ => false,
    }
}

/// Parses every patched file again and checks each override reads back as simulated; fills
/// in the line of each change.
fn verify(inputs: &Inputs, p: &Patch, overrides: &[String]) -> Result<(), String> {
    let parsed: Vec<Parsed> = inputs
        .files
        .iter()
        .filter(|f| f.yaml)
        .map(|f| {
            let text = p.text_of(&f.path).unwrap_or(&f.text);
            parse_stream(text, &Arc::from(f.path.as_str()))
                .map(|docs| Parsed { file: f, docs })
                .map_err(|e| format!("internal: the patched {} does not parse: {e}", f.path))
        })
        .collect::<Result<_, _>>()?;
    for (i, raw) in overrides.iter().enumerate() {
        let o = parse_override(raw, i)?;
        let found = locate(&parsed, &o).ok();
        let ok = found
            .is_some_and(|(_, root, _, path)| get(root, &path).is_some_and(|n| same(n, &o.value)));
        if !ok {
            return Err(format!(
                "internal: after patching, --set {raw} does not read back as written (please report this with the file)"
            ));
        }
    }
    Ok(())
}

/// The values the user's files hold for `keys` (`--set` keys), unquoted; None when a field is
/// absent (left to its default) or not a single value.
pub fn current_values(inputs: &Inputs, keys: &[String]) -> Vec<Option<String>> {
    let parsed: Vec<Parsed> = inputs
        .files
        .iter()
        .filter(|f| f.yaml)
        .filter_map(|f| {
            parse_stream(&f.text, &Arc::from(f.path.as_str()))
                .ok()
                .map(|docs| Parsed { file: f, docs })
        })
        .collect();
    keys.iter()
        .map(|k| {
            let o = parse_override(&format!("{k}=0"), 0).ok()?;
            let (_, root, _, path) = locate(&parsed, &o).ok()?;
            get(root, &path).and_then(Node::as_str).map(str::to_string)
        })
        .collect()
}
