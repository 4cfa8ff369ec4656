//! Writes a [`Node`] tree back out as block-style YAML, so that a counter-example found by a
//! property can be saved as a scenario file and replayed with `scalesim run`.
//!
//! What is kept: every key and value, key order, and each scalar's type as the loader reads
//! it (a plain `5` stays a number, a quoted `"5"` stays a string). What is lost: comments,
//! anchors (their expansion is written instead) and flow style. The output re-parses to the
//! same tree (positions aside); `tests/props_fuzz.rs` checks that on every shipped and
//! generated scenario.

use crate::yaml::{is_null_text, quote, resolve_plain, Document, Kind, Node, Resolved, Style};

/// The documents as one YAML stream (`---` between documents).
pub fn documents(docs: &[&Node]) -> String {
    let mut out = String::new();
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&node(d));
    }
    out
}

/// One document's root as YAML text ending in a newline.
pub fn node(n: &Node) -> String {
    let mut out = String::new();
    match &n.kind {
        Kind::Map(e) if !e.is_empty() => map_body(&mut out, e, 0),
        Kind::Seq(items) if !items.is_empty() => seq_body(&mut out, items, 0),
        _ => {
            out.push_str(&inline(n));
            out.push('\n');
        }
    }
    out
}

/// Like [`documents`] for parsed documents.
pub fn stream(docs: &[Document]) -> String {
    let roots: Vec<&Node> = docs.iter().map(|d| &d.root).collect();
    documents(&roots)
}

fn pad(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push(' ');
    }
}

/// A collection that needs its own lines (non-empty map or list).
fn is_block(n: &Node) -> bool {
    matches!(&n.kind, Kind::Map(e) if !e.is_empty())
        || matches!(&n.kind, Kind::Seq(i) if !i.is_empty())
}

fn map_body(out: &mut String, entries: &[(crate::yaml::Key, Node)], indent: usize) {
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str(&key(&k.text));
        out.push(':');
        value_after_key(out, v, indent);
    }
}

fn value_after_key(out: &mut String, v: &Node, indent: usize) {
    match &v.kind {
        Kind::Map(e) if !e.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            map_body(out, e, indent + 2);
        }
        Kind::Seq(items) if !items.is_empty() => {
            out.push('\n');
            pad(out, indent);
            seq_body(out, items, indent);
        }
        _ => {
            out.push(' ');
            out.push_str(&inline(v));
            out.push('\n');
        }
    }
}

fn seq_body(out: &mut String, items: &[Node], indent: usize) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str("- ");
        match &item.kind {
            Kind::Map(e) if !e.is_empty() => map_body(out, e, indent + 2),
            Kind::Seq(inner) if !inner.is_empty() => seq_body(out, inner, indent + 2),
            _ => {
                out.push_str(&inline(item));
                out.push('\n');
            }
        }
    }
}

/// A scalar or an empty collection on one line.
fn inline(n: &Node) -> String {
    debug_assert!(!is_block(n));
    match &n.kind {
        Kind::Map(_) => "{}".into(),
        Kind::Seq(_) => "[]".into(),
        Kind::Scalar(s, Style::Plain) => {
            if is_null_text(s) {
                // `key:` with nothing, `~`, `null`: all null; write the explicit form.
                "null".into()
            } else if plain_safe(s) {
                s.clone()
            } else {
                // Only strings can be unsafe as plain scalars (numbers, booleans never are);
                // quoting keeps them strings.
                debug_assert_eq!(resolve_plain(s), Resolved::Str);
                quote(s)
            }
        }
        Kind::Scalar(s, _) => quote(s),
    }
}

fn key(text: &str) -> String {
    if plain_safe(text) && resolve_plain(text) == Resolved::Str {
        text.to_string()
    } else {
        quote(text)
    }
}

/// True when `s` written plain in block context reads back as the same text.
fn plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return false;
    }
    // Indicators cannot start a plain scalar, except `-`, `?` and `:` followed by a
    // non-space (`-5`, `-A`, `?x`).
    let second = s[first.len_utf8()..].chars().next();
    let dash_like = "-?:".contains(first) && second.is_some_and(|c| !c.is_whitespace());
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) && !dash_like {
        return false;
    }
    // `--- x` or `... x` at the start of a line would end or start a document.
    if s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.starts_with("---")
        || s.starts_with("...")
    {
        return false;
    }
    s.chars()
        .all(|c| !c.is_control() && c != '\u{feff}' && c != '\t')
}

/// Structural equality of two trees, ignoring where nodes came from and treating every
/// spelling of null alike, with block scalars equal to quoted ones (both are strings).
pub fn same_tree(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (Kind::Scalar(x, sx), Kind::Scalar(y, sy)) => {
            let plain_x = *sx == Style::Plain;
            let plain_y = *sy == Style::Plain;
            if plain_x && plain_y {
                (is_null_text(x) && is_null_text(y)) || x == y
            } else if plain_x != plain_y {
                // A plain string that had to be quoted on output.
                x == y && {
                    let p = if plain_x { x } else { y };
                    resolve_plain(p) == Resolved::Str
                }
            } else {
                x == y
            }
        }
        (Kind::Seq(x), Kind::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_tree(p, q))
        }
        (Kind::Map(x), Kind::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1.text == k2.text && same_tree(v1, v2))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_stream;
    use std::sync::Arc;

    fn round_trip(text: &str) {
        let a = parse_stream(text, &Arc::from("a.yaml")).unwrap();
        let out = stream(&a);
        let b = parse_stream(&out, &Arc::from("b.yaml"))
            .unwrap_or_else(|e| panic!("{e}\n--- emitted:\n{out}"));
        assert_eq!(a.len(), b.len(), "{out}");
        for (x, y) in a.iter().zip(&b) {
            assert!(
                same_tree(&x.root, &y.root),
                "--- in:\n{text}\n--- out:\n{out}"
            );
        }
    }

    #[test]
    fn keeps_types_order_and_nesting() {
        round_trip(
            "a: 1\nb: \"1\"\nc: [x, {d: e, f: [1, 2]}, []]\ng: {}\nh: ~\ni: |\n  two\n  lines\nj: 'a: b'\n\"k: l\": x\n---\n- 1\n- [2, 3]\n",
        );
    }

    #[test]
    fn keeps_plain_scalars_that_start_with_an_indicator() {
        // Found by tests/props_fuzz.rs: `-5` was quoted, turning a number into a string.
        round_trip("a: -5\nb: -A\nc: ?x\nd: :y\ne: [-1, -.inf]\n");
        // Also found by the fuzzer: a plain scalar `--- thing` (an indented `---` line read as
        // text) was written at column 0 as a document marker.
        round_trip("# no\n ---\nthing here\n");
        assert_eq!(
            inline(&Node::scalar("-5", crate::yaml::Origin::Override(0))),
            "-5"
        );
        assert_eq!(
            inline(&Node::scalar("- x", crate::yaml::Origin::Override(0))),
            "\"- x\""
        );
    }

    #[test]
    fn quotes_what_plain_cannot_say() {
        let n = Node::scalar("a: b #c", crate::yaml::Origin::Override(0));
        assert_eq!(inline(&n), "\"a: b #c\"");
        assert_eq!(quote("x\"y\\z\n\u{1}"), "\"x\\\"y\\\\z\\n\\u0001\"");
        assert_eq!(key("true"), "\"true\"");
        assert_eq!(key("name"), "name");
    }
}
