//! Shared helpers of the tune tests (included with `#[path]`, not a test target of its own).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scalesim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

pub fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tune-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    bin().args(args).output().unwrap()
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Splits a shell command line the way the README's readers' shells do: whitespace, single
/// and double quotes (no variables or globs appear in the README's commands).
pub fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut any = false;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The README command starting with `cargo run --release -- <sub>` (continuation lines
/// joined), as arguments after `--`. The `n`-th such command (0-based).
pub fn readme_command(sub: &str, n: usize) -> Vec<String> {
    let readme = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let prefix = format!("cargo run --release -- {sub} ");
    let lines: Vec<&str> = readme.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with(&prefix) {
            let mut cmd = String::new();
            loop {
                let l = lines[i].trim_end();
                match l.strip_suffix('\\') {
                    Some(head) => {
                        cmd.push_str(head);
                        cmd.push(' ');
                        i += 1;
                    }
                    None => {
                        cmd.push_str(l);
                        break;
                    }
                }
            }
            found.push(shell_words(&cmd)[4..].to_vec());
        }
        i += 1;
    }
    found
        .into_iter()
        .nth(n)
        .unwrap_or_else(|| panic!("README has no command `{prefix}...` #{n}"))
}

#[test]
fn shell_words_split_like_a_shell() {
    assert_eq!(
        shell_words("a --set 'x=\"a,b\"' \"c d\" ''"),
        ["a", "--set", "x=\"a,b\"", "c d", ""]
    );
}
