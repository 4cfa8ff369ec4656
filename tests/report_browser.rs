//! A real browser opens the reports: headless Chromium takes a screenshot of `report.html` and
//! `compare.html`, and the screenshots must show something (not a blank or error page).
//!
//! Skipped, with a message, where `/usr/bin/chromium` is not installed (Debian package
//! `chromium`). Chromium runs with a fresh profile, no network features, and a time limit.

#[path = "report_support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use scalesim::report::synthetic::{synthetic_run, SyntheticOptions};
use scalesim::report::{write_compare, write_report, RunData};
use support::{decode_png, fixture, tmp_dir};

const CHROMIUM: &str = "/usr/bin/chromium";
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 2000;

/// Screenshots `page` with headless Chromium into `out`; `Err` with Chromium's output if it
/// fails or takes longer than two minutes.
fn screenshot(page: &Path, out: &Path, profile: &Path) -> Result<(), String> {
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", out.display()))
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {CHROMIUM}: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => {
                let output = child.wait_with_output().map_err(|e| e.to_string())?;
                if status.success() && out.exists() {
                    return Ok(());
                }
                return Err(format!(
                    "chromium exited with {status}: {}",
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("chromium took longer than 120 s".to_string());
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Asserts the screenshot has the window's size and real content: enough contrast and enough
/// non-white area (a blank page or a one-line error page fails both).
fn assert_not_blank(png: &Path, what: &str) {
    let bytes = std::fs::read(png).unwrap();
    let img = decode_png(&bytes);
    assert_eq!((img.width, img.height), (WIDTH, HEIGHT), "{what}");
    let (variance, inked) = img.stats();
    println!(
        "{what}: luminance variance {variance:.0}, non-white {:.1}%",
        inked * 100.0
    );
    assert!(variance > 300.0, "{what} looks blank (variance {variance})");
    assert!(inked > 0.03, "{what} has almost nothing drawn ({inked})");
}

fn canonical(p: PathBuf) -> PathBuf {
    p.canonicalize().unwrap()
}

#[test]
fn chromium_renders_the_reports() {
    if !Path::new(CHROMIUM).exists() {
        println!("skipped: chromium not installed (apt-get install chromium)");
        return;
    }
    let dir = canonical(tmp_dir("browser"));
    let run = RunData::load(&fixture("basic")).unwrap();
    write_report(&run, &dir.join("report")).unwrap();
    let runs = [3.0, 30.0].map(|p| {
        synthetic_run(&SyntheticOptions {
            polling_interval_s: p,
            ..SyntheticOptions::default()
        })
    });
    write_compare(&runs, &[], &dir.join("compare")).unwrap();

    for (page, name) in [
        (dir.join("report/report.html"), "report"),
        (dir.join("compare/compare.html"), "compare"),
    ] {
        let shot = dir.join(format!("{name}.png"));
        let profile = tmp_dir(&format!("browser-profile-{name}"));
        screenshot(&page, &shot, &profile).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_not_blank(&shot, name);
        println!("screenshot of {name}: {}", shot.display());
    }
}
