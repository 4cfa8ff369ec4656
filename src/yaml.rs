//! A small YAML tree that keeps where every node came from.
//!
//! Parsed with `saphyr-parser` (YAML 1.2, pure safe Rust). Every [`Node`] carries a [`Span`]
//! (1-based line and column in its file) or, when a `--set` override wrote it, the override's
//! index. From this one tree come: errors that name file, line, column and field path
//! ([`de`]), warnings for fields the simulator does not model, `--set` overrides on any
//! document ([`path`]), and the byte ranges `tune` needs to rewrite a user's manifest in place.
//!
//! Limits against hostile input: nesting depth, total node count (which bounds alias
//! expansion, the "billion laughs" bomb) and input size are checked while building.

pub mod de;
pub mod path;

use std::fmt;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as PSpan};

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 128;
/// Most nodes one file may expand to (aliases count once per use).
pub const MAX_NODES: usize = 1_000_000;
/// Largest input accepted, in bytes.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// A 1-based position in a source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub col: u32,
}

/// Where a node came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Read from the file, between these positions (end exclusive).
    File { start: Pos, end: Pos },
    /// Written by the `--set` override with this index (0-based, in command-line order).
    Override(usize),
}

/// How a scalar was written; quoted scalars are always strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Unquoted: resolved as null, bool, int, float or string by the YAML 1.2 core schema.
    Plain,
    /// Single- or double-quoted.
    Quoted,
    /// `|` or `>` block.
    Block,
}

/// The content of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A scalar and how it was written.
    Scalar(String, Style),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order. Keys are scalars (their text).
    Map(Vec<(Key, Node)>),
}

/// A mapping key: its text and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key text.
    pub text: String,
    /// Where the key was written.
    pub origin: Origin,
}

/// A YAML node with its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The content.
    pub kind: Kind,
    /// Where it came from.
    pub origin: Origin,
}

/// A parsed document and the file it came from.
#[derive(Clone, Debug)]
pub struct Document {
    /// The file name as the user wrote it (or `<embedded>` / `<--set>`).
    pub file: Arc<str>,
    /// 0-based index of the document in its file.
    pub index: usize,
    /// The root node.
    pub root: Node,
}

/// A YAML syntax or limit error, with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where it happened.
    pub pos: Pos,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.pos.line, self.pos.col, self.message)
    }
}

impl Node {
    /// A plain scalar written by an override.
    pub fn scalar(text: impl Into<String>, origin: Origin) -> Node {
        Node {
            kind: Kind::Scalar(text.into(), Style::Plain),
            origin,
        }
    }

    /// The start position, when read from a file.
    pub fn pos(&self) -> Option<Pos> {
        match self.origin {
            Origin::File { start, .. } => Some(start),
            Origin::Override(_) => None,
        }
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _)| k.text == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Mutable value under `key` in a mapping.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.kind {
            Kind::Map(entries) => entries
                .iter_mut()
                .find(|(k, _)| k.text == key)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar (any style), or `None` for a collection.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// Follows a chain of mapping keys.
    pub fn lookup(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    /// True for a plain `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s, Style::Plain) if is_null_text(s))
    }

    /// A short description for error messages ("a mapping", "the string \"x\"", ...).
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Map(_) => "a mapping".into(),
            Kind::Seq(_) => "a list".into(),
            Kind::Scalar(s, Style::Plain) => match resolve_plain(s) {
                Resolved::Null => "null".into(),
                Resolved::Bool(b) => format!("the boolean {b}"),
                Resolved::Int(_) | Resolved::Float(_) => format!("the number {s}"),
                Resolved::Str => format!("the string {:?}", truncate(s)),
            },
            Kind::Scalar(s, _) => format!("the string {:?}", truncate(s)),
        }
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 60 {
        let t: String = s.chars().take(57).collect();
        format!("{t}...")
    } else {
        s.to_string()
    }
}

/// A plain scalar resolved by the YAML 1.2 core schema.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolved {
    /// `null`, `~`, or empty.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer (decimal, `0x`, `0o`).
    Int(i128),
    /// A float (decimal with `.` or exponent, `.inf`, `.nan`).
    Float(f64),
    /// Anything else: a string.
    Str,
}

/// A double-quoted YAML scalar that reads back as `s`: JSON-style escapes (valid in YAML's
/// double-quoted style), control characters, BOM and line separators as `\uXXXX`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// True for the core-schema null spellings.
pub fn is_null_text(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

/// Resolves a plain scalar's type (YAML 1.2 core schema).
pub fn resolve_plain(s: &str) -> Resolved {
    if is_null_text(s) {
        return Resolved::Null;
    }
    match s {
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        _ => {}
    }
    if let Some(i) = parse_int(s) {
        return Resolved::Int(i);
    }
    let b = s.as_bytes();
    let numeric_shape = !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        && b.iter().any(|c| c.is_ascii_digit());
    if numeric_shape {
        if let Ok(f) = s.parse::<f64>() {
            return Resolved::Float(f);
        }
    }
    Resolved::Str
}

fn parse_int(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let v = if let Some(h) = body.strip_prefix("0x") {
        i128::from_str_radix(h, 16).ok()?
    } else if let Some(o) = body.strip_prefix("0o") {
        i128::from_str_radix(o, 8).ok()?
    } else if body.bytes().all(|c| c.is_ascii_digit()) {
        body.parse::<i128>().ok()?
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

fn pos_of(m: &saphyr_parser::Marker) -> Pos {
    Pos {
        line: m.line() as u32,
        col: m.col() as u32 + 1,
    }
}

fn origin_of(span: &PSpan) -> Origin {
    Origin::File {
        start: pos_of(&span.start),
        end: pos_of(&span.end),
    }
}

enum Frame {
    Seq(Vec<Node>, Origin, usize),
    Map(Vec<(Key, Node)>, Option<Key>, Origin, usize),
}

/// Parses a YAML stream into documents. Empty documents (only comments, or `null`) are
/// skipped, as `kubectl apply` skips them. Stops at the first syntax error.
pub fn parse_stream(text: &str, file: &Arc<str>) -> Result<Vec<Document>, SyntaxError> {
    if text.len() > MAX_BYTES {
        return Err(SyntaxError {
            pos: Pos { line: 1, col: 1 },
            message: format!(
                "the file is {} bytes; scalesim reads at most {MAX_BYTES} bytes of YAML",
                text.len()
            ),
        });
    }
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: Vec<Option<Node>> = Vec::new();
    let mut node_count: usize = 0;
    let mut doc_index = 0usize;
    let mut root: Option<Node> = None;

    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Err(e)) => {
                return Err(SyntaxError {
                    pos: pos_of(e.marker()),
                    message: format!("YAML syntax error: {}", e.info()),
                })
            }
            Some(Ok(ev)) => ev,
        };
        let at = pos_of(&span.start);
        let mut finished: Option<(Node, usize)> = None;
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                root = None;
            }
            Event::DocumentEnd => {
                if let Some(r) = root.take() {
                    if !r.is_null() {
                        docs.push(Document {
                            file: file.clone(),
                            index: doc_index,
                            root: r,
                        });
                    }
                }
                doc_index += 1;
            }
            Event::Alias(id) => {
                let node = anchors
                    .get(id)
                    .and_then(|n| n.clone())
                    .ok_or_else(|| SyntaxError {
                        pos: at,
                        message: "alias refers to an anchor that is not defined yet".into(),
                    })?;
                node_count += count_nodes(&node);
                finished = Some((node, 0));
            }
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                    ScalarStyle::Literal | ScalarStyle::Folded => Style::Block,
                };
                // An explicit `!!str` tag makes a plain scalar a string.
                let style = match (&tag, style) {
                    (Some(t), Style::Plain) if t.suffix == "str" => Style::Quoted,
                    _ => style,
                };
                node_count += 1;
                finished = Some((
                    Node {
                        kind: Kind::Scalar(value.into_owned(), style),
                        origin: origin_of(&span),
                    },
                    anchor,
                ));
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(SyntaxError {
                        pos: at,
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    });
                }
                stack.push(Frame::Seq(Vec::new(), origin_of(&span), anchor));
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(SyntaxError {
                        pos: at,
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    });
                }
                stack.push(Frame::Map(Vec::new(), None, origin_of(&span), anchor));
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, origin, anchor)) => {
                    node_count += 1;
                    finished = Some((
                        Node {
                            kind: Kind::Seq(items),
                            origin: extend(origin, &span),
                        },
                        anchor,
                    ))
                }
                _ => unreachable!("parser emits balanced sequence events"),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(entries, _, origin, anchor)) => {
                    node_count += 1;
                    finished = Some((
                        Node {
                            kind: Kind::Map(entries),
                            origin: extend(origin, &span),
                        },
                        anchor,
                    ))
                }
                _ => unreachable!("parser emits balanced mapping events"),
            },
        }
        if node_count > MAX_NODES {
            return Err(SyntaxError {
                pos: at,
                message: format!(
                    "the document expands to more than {MAX_NODES} nodes (aliases count at every use); refusing a possible alias bomb"
                ),
            });
        }
        if let Some((node, anchor)) = finished {
            if anchor > 0 {
                if anchors.len() <= anchor {
                    anchors.resize(anchor + 1, None);
                }
                anchors[anchor] = Some(node.clone());
            }
            attach(&mut stack, &mut root, node)?;
        }
    }
    Ok(docs)
}

fn extend(origin: Origin, end_span: &PSpan) -> Origin {
    match origin {
        Origin::File { start, .. } => Origin::File {
            start,
            end: pos_of(&end_span.end),
        },
        o => o,
    }
}

fn count_nodes(n: &Node) -> usize {
    match &n.kind {
        Kind::Scalar(..) => 1,
        Kind::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Kind::Map(entries) => {
            1 + entries
                .iter()
                .map(|(_, v)| 1 + count_nodes(v))
                .sum::<usize>()
        }
    }
}

fn attach(stack: &mut [Frame], root: &mut Option<Node>, node: Node) -> Result<(), SyntaxError> {
    match stack.last_mut() {
        None => {
            *root = Some(node);
            Ok(())
        }
        Some(Frame::Seq(items, _, _)) => {
            items.push(node);
            Ok(())
        }
        Some(Frame::Map(entries, pending_key, _, _)) => match pending_key.take() {
            None => {
                let text = match &node.kind {
                    Kind::Scalar(s, _) => s.clone(),
                    _ => {
                        return Err(SyntaxError {
                            pos: node.pos().unwrap_or_default(),
                            message: "mapping keys must be plain values, not lists or mappings"
                                .into(),
                        })
                    }
                };
                if let Some((first, _)) = entries.iter().find(|(k, _)| k.text == text) {
                    let first_line = match first.origin {
                        Origin::File { start, .. } => start.line,
                        Origin::Override(_) => 0,
                    };
                    return Err(SyntaxError {
                        pos: node.pos().unwrap_or_default(),
                        message: format!(
                            "duplicate key {text:?} (first defined on line {first_line}); kubectl rejects duplicate keys"
                        ),
                    });
                }
                *pending_key = Some(Key {
                    text,
                    origin: node.origin,
                });
                Ok(())
            }
            Some(key) => {
                entries.push((key, node));
                Ok(())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Vec<Document>, SyntaxError> {
        parse_stream(s, &Arc::from("t.yaml"))
    }

    #[test]
    fn keeps_positions_and_documents() {
        let docs =
            parse("a: 1\nb:\n  - x\n  - 'y'\n---\n# only a comment\n---\nc: {d: e}\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].index, 2);
        let b = docs[0].root.get("b").unwrap();
        assert_eq!(b.pos(), Some(Pos { line: 3, col: 3 }));
        match &b.kind {
            Kind::Seq(items) => {
                assert_eq!(items[1].kind, Kind::Scalar("y".into(), Style::Quoted));
                assert_eq!(items[1].pos(), Some(Pos { line: 4, col: 5 }));
            }
            _ => panic!(),
        }
        assert_eq!(
            docs[1].root.lookup(&["c", "d"]).unwrap().as_str(),
            Some("e")
        );
    }

    #[test]
    fn resolves_plain_scalars_like_yaml_1_2() {
        assert_eq!(resolve_plain("10"), Resolved::Int(10));
        assert_eq!(resolve_plain("-0x10"), Resolved::Int(-16));
        assert_eq!(resolve_plain("1.5"), Resolved::Float(1.5));
        assert_eq!(resolve_plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(resolve_plain("~"), Resolved::Null);
        assert_eq!(resolve_plain("True"), Resolved::Bool(true));
        assert_eq!(resolve_plain("yes"), Resolved::Str);
        assert_eq!(resolve_plain("500m"), Resolved::Str);
        assert_eq!(resolve_plain("1.2.3"), Resolved::Str);
    }

    #[test]
    fn rejects_duplicates_bombs_and_bad_syntax() {
        let e = parse("a: 1\na: 2\n").unwrap_err();
        assert!(e.message.contains("duplicate key"), "{e}");
        assert_eq!(e.pos.line, 2);
        let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.message.starts_with("YAML syntax error"), "{e}");
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse(&bomb).unwrap_err();
        assert!(e.message.contains("alias bomb"), "{e}");
        let deep = "[".repeat(500) + &"]".repeat(500);
        let e = parse(&deep).unwrap_err().message;
        assert!(
            e.contains("nesting") || e.contains("recursion limit"),
            "{e}"
        );
    }

    #[test]
    fn aliases_copy_the_anchored_node() {
        let docs = parse("base: &b {x: 1}\nother: *b\n").unwrap();
        assert_eq!(
            docs[0].root.lookup(&["other", "x"]).unwrap().as_str(),
            Some("1")
        );
    }
}
