//! Reads Celery worker settings from a container's command line and environment.
//!
//! Understands `celery -A app worker -Q a,b --concurrency=2 --prefetch-multiplier=1 -P prefork
//! --without-mingle --disable-prefetch --autoscale=10,3`, `python -m celery ...`, shell
//! wrappers (`sh -c "..."`) and init wrappers (`dumb-init`, `tini`), which decide how SIGTERM
//! reaches Celery (celery-spec §3.3): PID 1 or `exec` gives a warm shutdown; a shell that runs
//! several commands without `exec` swallows SIGTERM until SIGKILL; `dumb-init` (setsid mode)
//! and `tini -g` signal the whole process group, killing the prefork children at once.

use std::collections::BTreeMap;

/// How SIGTERM reaches the Celery main process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalMode {
    /// Celery is PID 1 (or exec'd): warm shutdown.
    Main,
    /// The whole process group is signalled: running tasks die with WorkerLostError.
    ProcessGroup,
    /// A shell swallows SIGTERM: nothing happens until SIGKILL.
    Swallowed,
}

impl SignalMode {
    /// Parses the Scenario spelling.
    pub fn parse(s: &str) -> Option<SignalMode> {
        match s {
            "main" => Some(SignalMode::Main),
            "process-group" => Some(SignalMode::ProcessGroup),
            "swallowed" => Some(SignalMode::Swallowed),
            _ => None,
        }
    }

    /// The Scenario spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalMode::Main => "main",
            SignalMode::ProcessGroup => "process-group",
            SignalMode::Swallowed => "swallowed",
        }
    }
}

/// What a command line says about the worker.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommandInfo {
    /// A `celery ... worker` invocation was found.
    pub is_worker: bool,
    /// `-Q`.
    pub queues: Option<Vec<String>>,
    /// `-c` / `--concurrency`.
    pub concurrency: Option<u32>,
    /// `--prefetch-multiplier`.
    pub prefetch_multiplier: Option<u32>,
    /// `-P` / `--pool`.
    pub pool: Option<String>,
    /// `--without-mingle`.
    pub without_mingle: bool,
    /// `--disable-prefetch`.
    pub disable_prefetch: bool,
    /// `--autoscale=max,min`.
    pub autoscale: Option<(u32, u32)>,
    /// How SIGTERM reaches Celery, and why we think so.
    pub signal: Option<(SignalMode, String)>,
    /// Things worth a warning (unmodelled flags, odd values).
    pub notes: Vec<String>,
}

/// Splits a shell word list (quotes and backslashes; no expansions).
pub fn shell_split(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    cur.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                cur.push(n)
                            }
                        }
                        _ => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n)
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            ';' | '&' | '|' => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
                let mut op = c.to_string();
                if let Some(&n) = chars.peek() {
                    if (c == '&' || c == '|') && n == c {
                        op.push(n);
                        chars.next();
                    }
                }
                out.push(op);
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

fn base(prog: &str) -> &str {
    prog.rsplit('/').next().unwrap_or(prog)
}

/// Parses the effective argv (command followed by args) with the container's environment.
pub fn parse_command(argv: &[String], env: &BTreeMap<String, String>) -> CommandInfo {
    let mut info = CommandInfo::default();
    let mut argv: Vec<String> = argv.to_vec();
    let mut signal: Option<(SignalMode, String)> = None;

    // Init wrappers.
    while let Some(first) = argv.first() {
        match base(first) {
            "dumb-init" => {
                let single_child = argv
                    .iter()
                    .skip(1)
                    .take_while(|a| a.starts_with('-'))
                    .any(|a| a == "-c" || a == "--single-child");
                let setsid_off = env
                    .get("DUMB_INIT_SETSID")
                    .map(|v| v == "0")
                    .unwrap_or(false);
                if single_child || setsid_off {
                    signal.get_or_insert((
                        SignalMode::Main,
                        "dumb-init in single-child mode forwards SIGTERM to Celery only".into(),
                    ));
                } else {
                    signal.get_or_insert((SignalMode::ProcessGroup, "dumb-init (setsid mode) sends SIGTERM to the whole process group: the prefork children die at once (set DUMB_INIT_SETSID=0)".into()));
                }
                argv.remove(0);
                while argv.first().is_some_and(|a| a.starts_with('-')) {
                    argv.remove(0);
                }
            }
            "tini" | "tini-static" => {
                let group = argv
                    .iter()
                    .skip(1)
                    .take_while(|a| a.starts_with('-'))
                    .any(|a| a == "-g")
                    || env
                        .get("TINI_KILL_PROCESS_GROUP")
                        .is_some_and(|v| !v.is_empty() && v != "0");
                if group {
                    signal.get_or_insert((
                        SignalMode::ProcessGroup,
                        "tini -g signals the whole process group: the prefork children die at once"
                            .into(),
                    ));
                }
                argv.remove(0);
                while argv
                    .first()
                    .is_some_and(|a| a != "--" && a.starts_with('-'))
                {
                    argv.remove(0);
                }
                if argv.first().is_some_and(|a| a == "--") {
                    argv.remove(0);
                }
            }
            _ => break,
        }
    }

    // Shell wrappers.
    if let Some(first) = argv.first() {
        if matches!(base(first), "sh" | "bash" | "ash" | "dash" | "zsh") {
            if let Some(pos) = argv.iter().position(|a| {
                a == "-c" || a.starts_with('-') && a.ends_with('c') && !a.starts_with("--")
            }) {
                let script = argv.get(pos + 1).cloned().unwrap_or_default();
                let words = shell_split(&script);
                let segments: Vec<&[String]> = words
                    .split(|w| matches!(w.as_str(), ";" | "&&" | "||" | "&" | "|"))
                    .filter(|s| !s.is_empty())
                    .collect();
                let celery_seg = segments
                    .iter()
                    .position(|seg| seg.iter().any(|w| base(w) == "celery"));
                if let Some(i) = celery_seg {
                    let seg = segments[i];
                    let exec = seg.first().is_some_and(|w| w == "exec");
                    if exec {
                        signal.get_or_insert((
                            SignalMode::Main,
                            "the shell execs Celery, so Celery receives SIGTERM".into(),
                        ));
                    } else if segments.len() > 1 {
                        signal.get_or_insert((SignalMode::Swallowed, format!(
                            "{} runs Celery as a child without `exec`; as PID 1 it ignores SIGTERM, so Celery is only SIGKILLed at the end of the grace period (write `exec celery ...`)",
                            base(first)
                        )));
                    } else {
                        signal.get_or_insert((
                            SignalMode::Main,
                            "a single-command shell script: the shell execs it".into(),
                        ));
                    }
                    argv = seg.iter().filter(|w| *w != "exec").cloned().collect();
                }
            }
        }
    }

    // Locate `celery` (or `python -m celery`).
    let start = argv.iter().position(|a| base(a) == "celery").or_else(|| {
        argv.windows(2)
            .position(|w| w[0] == "-m" && w[1] == "celery")
            .map(|i| i + 1)
    });
    let Some(start) = start else {
        info.signal = signal;
        return info;
    };
    let args = &argv[start + 1..];
    let Some(worker_pos) = args.iter().position(|a| a == "worker") else {
        info.signal = signal;
        return info;
    };
    info.is_worker = true;
    // Global options before `worker` (-A app, -b broker) carry no settings we model.
    let rest = &args[worker_pos + 1..];
    let mut i = 0;
    let take = |i: &mut usize, flag: &str| -> Option<String> {
        let a = &rest[*i];
        if let Some(v) = a.strip_prefix(&format!("{flag}=")) {
            return Some(v.to_string());
        }
        if a == flag {
            *i += 1;
            return rest.get(*i).cloned();
        }
        None
    };
    while i < rest.len() {
        let a = rest[i].clone();
        let value_of = |names: &[&str], i: &mut usize| -> Option<String> {
            for n in names {
                if a == *n || a.starts_with(&format!("{n}=")) {
                    return take(i, n);
                }
                // -c4 style for short flags
                if n.len() == 2 && a.starts_with(n) && a.len() > 2 && !a.starts_with("--") {
                    return Some(a[2..].to_string());
                }
            }
            None
        };
        if let Some(v) = value_of(&["-Q", "--queues"], &mut i) {
            info.queues = Some(
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            );
        } else if let Some(v) = value_of(&["-c", "--concurrency"], &mut i) {
            match v.parse() {
                Ok(n) => info.concurrency = Some(n),
                Err(_) => info
                    .notes
                    .push(format!("--concurrency {v:?} is not a number; ignored")),
            }
        } else if let Some(v) = value_of(&["--prefetch-multiplier"], &mut i) {
            match v.parse() {
                Ok(n) => info.prefetch_multiplier = Some(n),
                Err(_) => info.notes.push(format!(
                    "--prefetch-multiplier {v:?} is not a number; ignored"
                )),
            }
        } else if let Some(v) = value_of(&["-P", "--pool"], &mut i) {
            info.pool = Some(v);
        } else if let Some(v) = value_of(&["--autoscale"], &mut i) {
            let parts: Vec<&str> = v.split(',').collect();
            match (
                parts.first().and_then(|s| s.parse().ok()),
                parts.get(1).and_then(|s| s.parse().ok()),
            ) {
                (Some(max), min) => info.autoscale = Some((max, min.unwrap_or(0))),
                _ => info
                    .notes
                    .push(format!("--autoscale {v:?} not understood; ignored")),
            }
        } else if let Some(v) = value_of(&["-O"], &mut i) {
            if v != "fair" {
                info.notes.push(format!("-O {v}: scalesim models the default `fair` scheduling (jobs go to idle children only)"));
            }
        } else if a == "--without-mingle" {
            info.without_mingle = true;
        } else if a == "--disable-prefetch" {
            info.disable_prefetch = true;
        } else if a == "--without-gossip"
            || a == "--without-heartbeat"
            || a == "-E"
            || a == "--task-events"
            || a == "-B"
            || a == "--beat"
        {
            // Irrelevant to queue behaviour.
        } else if let Some(_v) = value_of(
            &[
                "-l",
                "--loglevel",
                "-n",
                "--hostname",
                "-f",
                "--logfile",
                "--pidfile",
                "-s",
                "--schedule",
                "--statedb",
                "-X",
                "--exclude-queues",
                "--scheduler",
            ],
            &mut i,
        ) {
            if a.starts_with("-X") || a.starts_with("--exclude-queues") {
                info.notes
                    .push("-X/--exclude-queues is not modelled".into());
            }
        } else if let Some(v) = value_of(
            &[
                "--max-tasks-per-child",
                "--max-memory-per-child",
                "--time-limit",
                "--soft-time-limit",
            ],
            &mut i,
        ) {
            info.notes.push(format!(
                "{a} {v}: not modelled (no child restarts or time limits in scalesim)"
            ));
        } else if a.starts_with('-') {
            info.notes
                .push(format!("unknown celery worker option {a:?}; ignored"));
        }
        i += 1;
    }
    info.signal = signal;
    info
}

/// Settings from the environment, as many apps wire them into their Celery config.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EnvSettings {
    /// `CELERY_WORKER_CONCURRENCY`.
    pub concurrency: Option<u32>,
    /// `CELERY_WORKER_PREFETCH_MULTIPLIER`.
    pub prefetch_multiplier: Option<u32>,
    /// `CELERY_TASK_ACKS_LATE`.
    pub acks_late: Option<bool>,
    /// `CELERY_WORKER_DISABLE_PREFETCH`.
    pub disable_prefetch: Option<bool>,
    /// Broker type from `CELERY_BROKER_URL` / `BROKER_URL` (`redis` or `rabbitmq`).
    pub broker: Option<&'static str>,
    /// `REMAP_SIGTERM=SIGQUIT`.
    pub remap_sigterm: bool,
    /// Problems.
    pub notes: Vec<String>,
}

fn env_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

/// Reads the documented environment variables.
pub fn parse_env(env: &BTreeMap<String, String>) -> EnvSettings {
    let mut s = EnvSettings::default();
    let mut num = |name: &str| -> Option<u32> {
        let v = env.get(name)?;
        match v.trim().parse() {
            Ok(n) => Some(n),
            Err(_) => {
                s.notes
                    .push(format!("{name}={v:?} is not a number; ignored"));
                None
            }
        }
    };
    let concurrency = num("CELERY_WORKER_CONCURRENCY");
    let prefetch = num("CELERY_WORKER_PREFETCH_MULTIPLIER");
    s.concurrency = concurrency;
    s.prefetch_multiplier = prefetch;
    for (name, slot) in [
        ("CELERY_TASK_ACKS_LATE", &mut s.acks_late),
        ("CELERY_WORKER_DISABLE_PREFETCH", &mut s.disable_prefetch),
    ] {
        if let Some(v) = env.get(name) {
            match env_bool(v) {
                Some(b) => *slot = Some(b),
                None => s
                    .notes
                    .push(format!("{name}={v:?} is not a boolean; ignored")),
            }
        }
    }
    for name in ["CELERY_BROKER_URL", "BROKER_URL", "CELERY_BROKER"] {
        if let Some(url) = env.get(name) {
            let scheme = url.split("://").next().unwrap_or("").to_ascii_lowercase();
            s.broker = match scheme.as_str() {
                "redis" | "rediss" | "redis+socket" | "sentinel" => Some("redis"),
                "amqp" | "amqps" | "pyamqp" | "librabbitmq" => Some("rabbitmq"),
                _ => None,
            };
            if s.broker.is_some() {
                break;
            }
        }
    }
    s.remap_sigterm = env
        .get("REMAP_SIGTERM")
        .is_some_and(|v| v.trim() == "SIGQUIT");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        shell_split(s)
    }

    #[test]
    fn parses_seed_commands() {
        let env = BTreeMap::new();
        let i = parse_command(
            &argv("celery -A tasks worker -Q low_priority,high_priority --loglevel=info"),
            &env,
        );
        assert!(i.is_worker);
        assert_eq!(
            i.queues,
            Some(vec!["low_priority".into(), "high_priority".into()])
        );
        assert_eq!(i.concurrency, None);
        let i = parse_command(
            &argv("celery -A tasks worker --loglevel=INFO --concurrency=1"),
            &env,
        );
        assert_eq!(i.concurrency, Some(1));
        let i = parse_command(&argv("python -m celery -A app worker -c4 --prefetch-multiplier 1 -P threads --without-mingle --disable-prefetch"), &env);
        assert_eq!(
            (i.concurrency, i.prefetch_multiplier, i.pool.as_deref()),
            (Some(4), Some(1), Some("threads"))
        );
        assert!(i.without_mingle && i.disable_prefetch);
        assert!(i.notes.is_empty(), "{:?}", i.notes);
    }

    #[test]
    fn infers_how_sigterm_arrives() {
        let env = BTreeMap::new();
        let i = parse_command(&argv("sh -c 'sleep 1 && celery -A t worker'"), &env);
        assert_eq!(i.signal.unwrap().0, SignalMode::Swallowed);
        let i = parse_command(&argv("sh -c 'sleep 1 && exec celery -A t worker'"), &env);
        assert_eq!(i.signal.unwrap().0, SignalMode::Main);
        let i = parse_command(&argv("dumb-init celery -A t worker -c 2"), &env);
        assert_eq!(i.signal.unwrap().0, SignalMode::ProcessGroup);
        assert_eq!(i.concurrency, Some(2));
        let env: BTreeMap<String, String> =
            [("DUMB_INIT_SETSID".to_string(), "0".to_string())].into();
        let i = parse_command(&argv("dumb-init celery -A t worker"), &env);
        assert_eq!(i.signal.unwrap().0, SignalMode::Main);
        let i = parse_command(&argv("tini -g -- celery -A t worker"), &BTreeMap::new());
        assert_eq!(i.signal.unwrap().0, SignalMode::ProcessGroup);
        assert!(i.is_worker);
    }

    #[test]
    fn reads_env() {
        let env: BTreeMap<String, String> = [
            ("CELERY_WORKER_CONCURRENCY", "3"),
            ("CELERY_TASK_ACKS_LATE", "True"),
            ("CELERY_BROKER_URL", "amqp://guest@rabbitmq//"),
            ("REMAP_SIGTERM", "SIGQUIT"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let s = parse_env(&env);
        assert_eq!(s.concurrency, Some(3));
        assert_eq!(s.acks_late, Some(true));
        assert_eq!(s.broker, Some("rabbitmq"));
        assert!(s.remap_sigterm);
    }
}
