//! The hostile-input corpus: every directory under `tests/bad_input/` is one broken scenario
//! (`scenario.yaml`, the files it references, and `args.txt` when the command line is not
//! `run scenario.yaml`), and `expected.txt` is the exact text `scalesim` must print.
//!
//! Each case runs the real binary in its directory, under a 2 GiB address-space limit and a
//! 20-second deadline, and must: exit with code 2, print exactly `expected.txt` on stderr
//! and nothing on stdout, never mention a panic, and write nothing (the `--out` directory is
//! not created and the case directory is unchanged). `BLESS=1 cargo test --test bad_input`
//! rewrites the `expected.txt` files from the current output (review the diff!).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(20);
/// Address space allowed to the binary, KiB (`ulimit -v`).
const MEMORY_KIB: u64 = 2 * 1024 * 1024;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_input")
}

fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// Every path under `dir` (symlinks not followed), for the "wrote nothing" check.
fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            out.push(p.clone());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    timed_out: bool,
}

/// Runs `scalesim <args> --out <out>` in `dir` under the memory limit and the deadline.
fn run_limited(dir: &Path, args: &[String], out: &Path) -> Outcome {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB} && exec \"$@\""))
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_scalesim"))
        .args(args)
        .arg("--out")
        .arg(out)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn sh");
    let timed_out = loop {
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            break true;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let o = child.wait_with_output().unwrap();
    Outcome {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        elapsed: start.elapsed(),
        timed_out,
    }
}

fn args_of(case: &Path) -> Vec<String> {
    match std::fs::read_to_string(case.join("args.txt")) {
        Ok(t) => t
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        Err(_) => vec!["run".into(), "scenario.yaml".into()],
    }
}

#[test]
fn every_corpus_case_fails_cleanly_with_its_expected_message() {
    let bless = std::env::var_os("BLESS").is_some();
    let tmp = std::env::temp_dir().join(format!("scalesim-bad-input-{}", std::process::id()));
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    let all = cases();
    assert!(all.len() >= 50, "only {} cases", all.len());
    for case in &all {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).unwrap();
        let out = tmp.join("out");
        let before = listing(case);
        let o = run_limited(case, &args_of(case), &out);
        if o.elapsed > slowest.0 {
            slowest = (o.elapsed, name.clone());
        }
        let mut problems = Vec::new();
        if o.timed_out {
            problems.push(format!("still running after {DEADLINE:?}"));
        }
        if o.code != Some(2) {
            problems.push(format!("exit code {:?}, expected 2", o.code));
        }
        if !o.stdout.is_empty() {
            problems.push(format!("printed on stdout: {}", o.stdout));
        }
        if o.stderr.contains("panicked") || o.stderr.contains("RUST_BACKTRACE") {
            problems.push("panicked".into());
        }
        if out.exists() || std::fs::read_dir(&tmp).unwrap().count() != 0 {
            problems.push("wrote output".into());
        }
        if listing(case) != before {
            problems.push("changed the case directory".into());
        }
        let expected_path = case.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &o.stderr).unwrap();
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == o.stderr => {}
            Ok(expected) => problems.push(format!(
                "stderr differs\n--- expected\n{expected}--- got\n{}",
                o.stderr
            )),
            Err(_) => problems.push(format!("no expected.txt; got\n{}", o.stderr)),
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: {}", problems.join("; ")));
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    eprintln!(
        "{} cases; slowest {} in {:?}",
        all.len(),
        slowest.1,
        slowest.0
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every case is listed, with what it is about, in `tests/bad_input/README.md`.
#[test]
fn every_corpus_case_is_described() {
    let readme = std::fs::read_to_string(corpus().join("README.md")).unwrap();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            readme.contains(&format!("`{name}`")),
            "{name} is not described in tests/bad_input/README.md"
        );
    }
}

/// The two classic ways to exhaust a machine fail at once: a YAML alias bomb (9 levels of
/// 10 aliases, a billion nodes if expanded) and a load of 10^12 tasks per second.
#[test]
fn alias_bombs_and_absurd_rates_fail_fast() {
    for (case, needle) in [
        ("yaml-alias-bomb", "refusing a possible alias bomb"),
        ("absurd-rate", "is absurd (limit 10 million/s)"),
    ] {
        let dir = corpus().join(case);
        let tmp = std::env::temp_dir().join(format!("scalesim-fast-{case}-{}", std::process::id()));
        let o = run_limited(&dir, &args_of(&dir), &tmp.join("out"));
        assert_eq!(o.code, Some(2), "{case}: {}", o.stderr);
        assert!(o.stderr.contains(needle), "{case}: {}", o.stderr);
        assert!(
            o.elapsed < Duration::from_secs(2),
            "{case} took {:?}",
            o.elapsed
        );
    }
}

/// Inputs too big to keep in the repository, made on the fly: a 65 MiB scenario file (over
/// the 64 MiB limit) and a 10 MB run of nested flow sequences.
#[test]
fn oversized_inputs_are_refused_without_reading_them_whole() {
    let dir = std::env::temp_dir().join(format!("scalesim-big-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let f = std::fs::File::create(dir.join("scenario.yaml")).unwrap();
    f.set_len(65 * 1024 * 1024).unwrap();
    let o = run_limited(
        &dir,
        &["run".into(), "scenario.yaml".into()],
        &dir.join("out"),
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert_eq!(
        o.stderr,
        "error: scenario.yaml: is 68157440 bytes; scalesim reads files of at most 67108864 bytes\n"
    );
    std::fs::write(dir.join("scenario.yaml"), "[".repeat(10_000_000)).unwrap();
    let o = run_limited(
        &dir,
        &["run".into(), "scenario.yaml".into()],
        &dir.join("out"),
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    // The parser's own recursion limit or ours, whichever the input reaches first.
    assert!(
        o.stderr.contains("nesting deeper than 128 levels")
            || o.stderr.contains("recursion limit exceeded"),
        "{}",
        o.stderr
    );
    assert!(o.elapsed < Duration::from_secs(5), "{:?}", o.elapsed);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Directory loops, made on the fly (a loop inside the repository makes cargo warn on every
/// build): manifest directories are read one level deep, so a symlink to the directory itself
/// or to its parent is not entered, and a `*.yaml` symlink to itself is reported.
#[test]
fn directory_symlink_loops_neither_hang_nor_recurse() {
    let dir = std::env::temp_dir().join(format!("scalesim-loops-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let k8s = dir.join("k8s");
    std::fs::create_dir_all(&k8s).unwrap();
    std::os::unix::fs::symlink("..", k8s.join("up")).unwrap();
    std::os::unix::fs::symlink(".", k8s.join("self")).unwrap();
    std::os::unix::fs::symlink("../k8s", k8s.join("again.yaml")).unwrap();
    let good =
        std::fs::read_to_string(corpus().join("manifest-directory-symlink-loop/scenario.yaml"))
            .unwrap();
    std::fs::write(dir.join("scenario.yaml"), &good).unwrap();
    // Only directory loops: the run goes on (the manifests directory has no file to read).
    let o = run_limited(
        &dir,
        &["run".into(), "scenario.yaml".into()],
        &dir.join("out"),
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stderr
            .contains("spec.manifests[0]: \"k8s\" has no .yaml/.yml/.json files"),
        "{}",
        o.stderr
    );
    // And a file symlink loop beside them is an error.
    std::fs::remove_dir_all(dir.join("out")).unwrap();
    std::os::unix::fs::symlink("loop.yaml", k8s.join("loop.yaml")).unwrap();
    let o = run_limited(
        &dir,
        &["run".into(), "scenario.yaml".into()],
        &dir.join("out"),
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("k8s/loop.yaml: "), "{}", o.stderr);
    assert!(o.elapsed < Duration::from_secs(5));
    std::fs::remove_dir_all(&dir).unwrap();
}
