//! `scalesim explain RUN_DIR`: every scaling decision of a run with its inputs and the rule
//! that bound the result, in the words of `kubectl describe hpa` and KEDA's events.
//!
//! Reads `decisions.json` (written by `run`): for an HPA pass, each metric's value, target,
//! replica count used, ratio and proposal; the stabilization window's entries; the rate
//! limits of each policy; min/max; and the binding rules. For a KEDA poll, each trigger's
//! value and activity, `lastActiveTime`, the cooldown, and the executor's branch.

use std::fmt::Write;
use std::path::PathBuf;

use serde_json::Value;

use super::Failure;

/// Arguments of `explain`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// A run directory written by `scalesim run`.
    #[arg(value_name = "RUN_DIR")]
    pub run: PathBuf,
    /// Only decisions within 60 s of this time (seconds or a duration such as 6m).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Only decisions of this source (`hpa` or `keda`).
    #[arg(long, value_name = "SOURCE")]
    pub source: Option<String>,
    /// Only changes of replicas (not passes that held a change back).
    #[arg(long)]
    pub changes: bool,
    /// At most this many decisions.
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub limit: usize,
}

/// Runs the command.
pub fn cmd(args: &Args) -> Result<u8, Failure> {
    let path = args.run.join("decisions.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Failure::input(format!(
            "error: {}: {e} (explain reads a run directory written by `scalesim run`)",
            path.display()
        ))
    })?;
    let decisions: Vec<Value> = serde_json::from_str(&text)
        .map_err(|e| Failure::input(format!("error: {}:{}: {e}", path.display(), e.line())))?;
    let at = match &args.at {
        None => None,
        Some(t) => {
            Some(parse_time(t).map_err(|e| Failure::input(format!("error: --at {t:?}: {e}")))?)
        }
    };
    let mut shown = 0;
    let mut out = String::new();
    for d in &decisions {
        let time = d["time_s"].as_f64().unwrap_or(0.0);
        if at.is_some_and(|a| (time - a).abs() > 60.0) {
            continue;
        }
        if args.source.as_deref().is_some_and(|s| d["source"] != s) {
            continue;
        }
        if args.changes && d["from"] == d["to"] {
            continue;
        }
        if shown == args.limit {
            let _ = writeln!(out, "... more decisions in {}", path.display());
            break;
        }
        explain_one(&mut out, d);
        shown += 1;
    }
    if shown == 0 {
        out.push_str("no decision matches\n");
    }
    print!("{out}");
    Ok(0)
}

fn parse_time(t: &str) -> Result<f64, String> {
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => crate::time::parse_go_duration(t).map(|d| d.as_secs_f64()),
    }
}

fn num(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 => format!("{}", x as i64),
        Some(x) => format!("{x:.3}"),
        None => "-".into(),
    }
}

/// Milli-units to display units.
fn milli(v: &Value) -> String {
    v.as_f64()
        .map_or("-".into(), |m| num(&Value::from(m / 1000.0)))
}

/// One decision, as a block of lines.
pub fn explain_one(out: &mut String, d: &Value) {
    let object = d["object"].as_str().unwrap_or("");
    let _ = writeln!(
        out,
        "{:>10}s  {:<4}  {}  {} -> {}  [{}]",
        num(&d["time_s"]),
        d["source"].as_str().unwrap_or(""),
        object,
        num(&d["from"]),
        num(&d["to"]),
        d["rule"].as_str().unwrap_or("")
    );
    let _ = writeln!(out, "    {}", d["summary"].as_str().unwrap_or(""));
    let i = &d["inputs"];
    if i.is_null() {
        let _ = writeln!(
            out,
            "    (inputs not kept in memory for this decision; see decisions.json)"
        );
    } else if d["source"] == "hpa" {
        explain_hpa(out, i);
    } else {
        explain_keda(out, i);
    }
    out.push('\n');
}

fn explain_hpa(out: &mut String, i: &Value) {
    let _ = writeln!(
        out,
        "    current {} (spec) / {} (status), min {}, max {}, path {}",
        num(&i["spec_replicas"]),
        num(&i["status_replicas"]),
        num(&i["min_replicas"]),
        num(&i["max_replicas"]),
        i["path"].as_str().unwrap_or("")
    );
    if let Some(metrics) = i["metrics"].as_array() {
        for m in metrics {
            let target = match m["target"].as_object().and_then(|o| o.iter().next()) {
                Some((kind, v)) if kind == "Utilization" => format!("{}% utilization", num(v)),
                Some((kind, v)) => format!("{kind} {}", milli(v)),
                None => "-".into(),
            };
            let basis = &m["basis"];
            let over = if basis.is_null() {
                String::new()
            } else {
                format!(
                    " over {} pods ({})",
                    num(&basis["count"]),
                    basis["which"].as_str().unwrap_or("")
                )
            };
            let short = m["name"]
                .as_str()
                .unwrap_or("")
                .split('(')
                .next()
                .unwrap_or("");
            let _ = writeln!(
                out,
                "    metric {short}: usage {}{over} vs target {target} -> ratio {}{} -> proposal {}  [{}]{}",
                milli(&m["usage"]),
                num(&m["usage_ratio"]),
                if m["within_tolerance"] == true { " (within tolerance: keep)" } else { "" },
                num(&m["proposal"]),
                m["rule"].as_str().unwrap_or(""),
                m["error"].as_str().map(|e| format!("  error: {e}")).unwrap_or_default()
            );
        }
    }
    if !i["prenormalized"].is_null() {
        let _ = writeln!(
            out,
            "    recommendation (max over metrics): {}",
            num(&i["prenormalized"])
        );
    }
    let st = &i["stabilization"];
    if !st.is_null() {
        let entries: Vec<String> = st["entries"]
            .as_array()
            .map(|v| {
                v.iter()
                    .map(|e| {
                        let t = e["timestamp"].as_f64().unwrap_or(0.0) / 1e9;
                        let inside = e["in_down_window"] == true || e["in_up_window"] == true;
                        format!(
                            "{}@{}s{}",
                            num(&e["recommendation"]),
                            num(&Value::from(t)),
                            if inside { "" } else { "(old)" }
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let windows = match (
            st["up_window_seconds"].as_f64(),
            st["down_window_seconds"].as_f64(),
        ) {
            (Some(u), Some(dn)) => format!("up window {u} s, down window {dn} s"),
            (None, Some(dn)) => format!("down window {dn} s"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "    stabilization ({}, {windows}): [{}] -> {}",
            st["mode"].as_str().unwrap_or(""),
            entries.join(", "),
            num(&st["stabilized"])
        );
    }
    let l = &i["limits"];
    if !l.is_null() {
        let mut line = format!(
            "    limits ({} {}): {} -> {}",
            l["mode"].as_str().unwrap_or(""),
            l["direction"].as_str().unwrap_or(""),
            num(&l["input"]),
            num(&l["output"])
        );
        if !l["rate_limit"].is_null() {
            line.push_str(&format!(", rate limit {}", num(&l["rate_limit"])));
        }
        if let Some(ps) = l["policies"].as_array() {
            for p in ps {
                line.push_str(&format!(
                    "; {} {} per {} s from {} -> {}{}",
                    p["kind"]
                        .as_str()
                        .map(String::from)
                        .unwrap_or_else(|| p["kind"].to_string()),
                    num(&p["value"]),
                    num(&p["period_seconds"]),
                    num(&p["period_start_replicas"]),
                    num(&p["proposed_limit"]),
                    if p["selected"] == true {
                        " (selected)"
                    } else {
                        ""
                    }
                ));
            }
        }
        let _ = writeln!(out, "{line}");
    }
    if let Some(b) = i["bound_by"].as_array() {
        for r in b {
            let _ = writeln!(
                out,
                "    bound by {} {}: {}",
                r["condition"].as_str().unwrap_or(""),
                r["reason"].as_str().unwrap_or(""),
                r["message"].as_str().unwrap_or("")
            );
        }
    }
    if let Some(e) = i["error"].as_str() {
        let _ = writeln!(out, "    error: {e}");
    }
}

fn explain_keda(out: &mut String, i: &Value) {
    let _ = writeln!(
        out,
        "    current {}, active {}, error {}, executor {}",
        num(&i["current_replicas"]),
        i["is_active"],
        i["is_error"],
        i["executor"].as_str().unwrap_or("-")
    );
    if let Some(ts) = i["triggers"].as_array() {
        for t in ts {
            let _ = writeln!(
                out,
                "    trigger {} ({}): value {}, active {}{}",
                t["trigger"].as_str().unwrap_or(""),
                t["metric"].as_str().unwrap_or(""),
                num(&t["value"]),
                t["is_active"],
                t["error"]
                    .as_str()
                    .map(|e| format!(", error: {e}"))
                    .unwrap_or_default()
            );
        }
    }
    let _ = writeln!(
        out,
        "    lastActiveTime {}s, cooldownPeriod {}s{}",
        num(&i["last_active_time_s"]),
        num(&i["cooldown_period_s"]),
        i["skipped"]
            .as_str()
            .map(|s| format!(", skipped: {s}"))
            .unwrap_or_default()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_an_hpa_pass_in_plain_words() {
        let d: Value = serde_json::json!({
            "time_s": 30.001, "source": "hpa", "object": "HorizontalPodAutoscaler/h", "from": 4, "to": 8,
            "rule": "ScaleUpLimit", "summary": "New size: 8; reason: x above target",
            "inputs": {
                "spec_replicas": 4, "status_replicas": 4, "min_replicas": 1, "max_replicas": 10, "path": "Metrics",
                "metrics": [{"name": "external metric q(nil)", "usage": 414000, "usage_ratio": 10.35,
                    "within_tolerance": false, "proposal": 42, "rule": "ceil(usage / targetAverageValue)",
                    "target": {"AverageValue": 10000}, "basis": {"count": 4, "which": "status"}}],
                "prenormalized": 42,
                "stabilization": {"mode": "legacy", "down_window_seconds": 300, "stabilized": 48,
                    "entries": [{"recommendation": 48, "timestamp": 15000000000u64, "in_down_window": true}]},
                "limits": {"mode": "legacy", "direction": "up", "input": 48, "output": 8, "rate_limit": 8, "policies": []},
                "bound_by": [{"condition": "ScalingLimited", "reason": "ScaleUpLimit", "message": "the desired replica count is increasing faster than the maximum scale rate"}]
            }
        });
        let mut out = String::new();
        explain_one(&mut out, &d);
        assert!(out.contains("4 -> 8  [ScaleUpLimit]"), "{out}");
        assert!(out.contains("metric external metric q: usage 414 over 4 pods (status) vs target AverageValue 10 -> ratio 10.350 -> proposal 42"), "{out}");
        assert!(
            out.contains("stabilization (legacy, down window 300 s): [48@15s] -> 48"),
            "{out}"
        );
        assert!(
            out.contains("limits (legacy up): 48 -> 8, rate limit 8"),
            "{out}"
        );
        assert!(
            out.contains("bound by ScalingLimited ScaleUpLimit"),
            "{out}"
        );
    }
}
