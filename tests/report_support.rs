//! Helpers shared by the `report_*` tests (included with `#[path]`; as its own test target it
//! only checks the helpers themselves).
//!
//! The XML check is a deliberately small well-formedness checker instead of a dev-dependency:
//! the SVGs and the HTML we emit use a tiny subset of XML (elements, quoted attributes, the five
//! predefined entities and numeric references, a doctype, no CDATA or namespaces to resolve),
//! and checking exactly that subset strictly is what catches an unescaped string from a run.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A fixture run directory under `tests/data/report/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/report")
        .join(name)
}

/// A fresh, empty directory for one test under cargo's per-target temporary directory.
pub fn tmp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create test dir");
    dir
}

/// Checks that `text` is well-formed XML (an optional `<!DOCTYPE ...>` and comments allowed):
/// balanced tags, one root element, quoted and unique attributes, no `<` or stray `&` in text
/// or attribute values. Returns the root element's name.
pub fn check_xml(text: &str) -> Result<String, String> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut stack: Vec<String> = Vec::new();
    let mut root: Option<String> = None;
    let err = |i: usize, msg: &str| {
        let line = text[..i.min(text.len())].matches('\n').count() + 1;
        Err(format!("line {line}: {msg}"))
    };
    while i < b.len() {
        match b[i] {
            b'<' => {
                if text[i..].starts_with("<!--") {
                    match text[i..].find("-->") {
                        Some(end) => i += end + 3,
                        None => return err(i, "unterminated comment"),
                    }
                    continue;
                }
                if text[i..].starts_with("<!DOCTYPE") || text[i..].starts_with("<!doctype") {
                    if root.is_some() || !stack.is_empty() {
                        return err(i, "doctype after the root element");
                    }
                    match text[i..].find('>') {
                        Some(end) => i += end + 1,
                        None => return err(i, "unterminated doctype"),
                    }
                    continue;
                }
                if text[i..].starts_with("<?") {
                    match text[i..].find("?>") {
                        Some(end) => i += end + 2,
                        None => return err(i, "unterminated processing instruction"),
                    }
                    continue;
                }
                let closing = b.get(i + 1) == Some(&b'/');
                let mut j = i + if closing { 2 } else { 1 };
                let start = j;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b"_:.-".contains(&b[j])) {
                    j += 1;
                }
                if j == start || !(b[start].is_ascii_alphabetic() || b[start] == b'_') {
                    return err(i, "bad tag name");
                }
                let name = text[start..j].to_string();
                if closing {
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if b.get(j) != Some(&b'>') {
                        return err(i, "bad closing tag");
                    }
                    match stack.pop() {
                        Some(open) if open == name => {}
                        Some(open) => return err(i, &format!("</{name}> closes <{open}>")),
                        None => return err(i, &format!("</{name}> without an open tag")),
                    }
                    i = j + 1;
                    continue;
                }
                let mut attrs: Vec<String> = Vec::new();
                loop {
                    let ws = j;
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    match b.get(j) {
                        None => return err(i, "unterminated tag"),
                        Some(b'>') => {
                            if stack.is_empty() {
                                if root.is_some() {
                                    return err(i, "second root element");
                                }
                                root = Some(name.clone());
                            }
                            stack.push(name.clone());
                            i = j + 1;
                            break;
                        }
                        Some(b'/') => {
                            if b.get(j + 1) != Some(&b'>') {
                                return err(j, "bad self-closing tag");
                            }
                            if stack.is_empty() {
                                if root.is_some() {
                                    return err(i, "second root element");
                                }
                                root = Some(name.clone());
                            }
                            i = j + 2;
                            break;
                        }
                        Some(_) => {
                            if ws == j {
                                return err(j, "attributes must be separated by whitespace");
                            }
                            let a0 = j;
                            while j < b.len()
                                && (b[j].is_ascii_alphanumeric() || b"_:.-".contains(&b[j]))
                            {
                                j += 1;
                            }
                            if a0 == j {
                                return err(j, "bad attribute name");
                            }
                            let attr = text[a0..j].to_string();
                            if attrs.contains(&attr) {
                                return err(j, &format!("duplicate attribute {attr}"));
                            }
                            attrs.push(attr);
                            if b.get(j) != Some(&b'=') {
                                return err(j, "attribute without value");
                            }
                            j += 1;
                            let q = match b.get(j) {
                                Some(&q) if q == b'"' || q == b'\'' => q,
                                _ => return err(j, "unquoted attribute value"),
                            };
                            j += 1;
                            let v0 = j;
                            while j < b.len() && b[j] != q {
                                if b[j] == b'<' {
                                    return err(j, "'<' in attribute value");
                                }
                                j += 1;
                            }
                            if j >= b.len() {
                                return err(v0, "unterminated attribute value");
                            }
                            if let Err(e) = check_entities(&text[v0..j]) {
                                return err(v0, &e);
                            }
                            j += 1;
                        }
                    }
                }
            }
            _ => {
                let end = text[i..].find('<').map_or(b.len(), |k| i + k);
                let chunk = &text[i..end];
                if stack.is_empty() && !chunk.trim().is_empty() {
                    return err(i, "text outside the root element");
                }
                if let Err(e) = check_entities(chunk) {
                    return err(i, &e);
                }
                i = end;
            }
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!("<{open}> is never closed"));
    }
    root.ok_or_else(|| "no root element".to_string())
}

fn check_entities(s: &str) -> Result<(), String> {
    let mut rest = s;
    while let Some(k) = rest.find('&') {
        let after = &rest[k + 1..];
        let end = after
            .find(';')
            .ok_or_else(|| format!("bare '&' in {:?}", &rest[k..rest.len().min(k + 20)]))?;
        let name = &after[..end];
        let ok = matches!(name, "lt" | "gt" | "amp" | "quot" | "apos")
            || (name.starts_with("#x")
                && name.len() > 2
                && name[2..].chars().all(|c| c.is_ascii_hexdigit()))
            || (name.starts_with('#')
                && name.len() > 1
                && name[1..].chars().all(|c| c.is_ascii_digit()));
        if !ok {
            return Err(format!("unknown entity &{name};"));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

/// A decoded PNG: width, height and 8-bit RGB pixels (alpha dropped, grey expanded).
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

/// Checks the PNG signature and decodes the image.
pub fn decode_png(bytes: &[u8]) -> Image {
    assert!(
        bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
        "not a PNG (bad signature)"
    );
    let mut decoder = png::Decoder::new(bytes);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    let channels = info.color_type.samples();
    let mut rgb = Vec::with_capacity(info.width as usize * info.height as usize * 3);
    for px in buf[..info.buffer_size()].chunks(channels) {
        match channels {
            1 | 2 => rgb.extend([px[0], px[0], px[0]]),
            _ => rgb.extend(&px[..3]),
        }
    }
    Image {
        width: info.width,
        height: info.height,
        rgb,
    }
}

impl Image {
    /// (variance of the luminance, fraction of pixels that are not near-white).
    pub fn stats(&self) -> (f64, f64) {
        let lum: Vec<f64> = self
            .rgb
            .chunks(3)
            .map(|p| 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64)
            .collect();
        let n = lum.len().max(1) as f64;
        let mean = lum.iter().sum::<f64>() / n;
        let var = lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / n;
        let inked = lum.iter().filter(|&&l| l < 235.0).count() as f64 / n;
        (var, inked)
    }
}

#[test]
fn xml_checker_accepts_good_and_rejects_bad() {
    assert_eq!(
        check_xml("<!DOCTYPE html>\n<a x=\"1\" y='&amp;'><b/>t &lt; &#60; &#x3C;</a>").unwrap(),
        "a"
    );
    for bad in [
        "<a><b></a></b>",
        "<a>",
        "<a x=1></a>",
        "<a>&nbsp;</a>",
        "<a>AT&T</a>",
        "<a x=\"<\"></a>",
        "<a></a><b></b>",
        "<a x=\"1\" x=\"2\"></a>",
        "text<a></a>",
        "<a>1 < 2</a>",
    ] {
        assert!(check_xml(bad).is_err(), "accepted {bad:?}");
    }
}
