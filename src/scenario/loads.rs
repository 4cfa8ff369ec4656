//! Producers as written (`spec.load`) into rate segments and batches.

use super::*;

impl Loader<'_> {
    pub(super) fn build_load(
        &mut self,
        path: &str,
        base: &str,
        l: &Located<raw::LoadRaw>,
        tasks: &[TaskType],
        duration: Dur,
    ) -> Option<Load> {
        use raw::LoadRaw::*;
        let end_default = SimTime(duration.0);
        let task_of = |this: &mut Self, t: &Located<String>| -> Option<usize> {
            match tasks.iter().position(|x| x.name == t.value) {
                Some(i) => Some(i),
                None => {
                    let names: Vec<&str> = tasks.iter().map(|x| x.name.as_str()).collect();
                    let known = if names.is_empty() {
                        "spec.tasks defines none".to_string()
                    } else {
                        format!("tasks are: {}", names.join(", "))
                    };
                    this.loc_err(
                        path,
                        "Scenario",
                        &t.path,
                        t.origin,
                        format!(
                            "unknown task {:?}{}; {known}",
                            t.value,
                            crate::yaml::de::suggest(&t.value, &names),
                        ),
                    );
                    None
                }
            }
        };
        let rate_ok = |this: &mut Self, r: &Located<f64>| -> bool {
            if !r.value.is_finite() || r.value < 0.0 {
                this.loc_err(
                    path,
                    "Scenario",
                    &r.path,
                    r.origin,
                    format!("rate {} must be a finite number >= 0", r.value),
                );
                return false;
            }
            if r.value > 1.0e7 {
                this.loc_err(
                    path,
                    "Scenario",
                    &r.path,
                    r.origin,
                    format!("rate {} tasks/s is absurd (limit 10 million/s)", r.value),
                );
                return false;
            }
            true
        };
        let window = |this: &mut Self,
                      from: &Option<crate::dist::DurText>,
                      to: &Option<crate::dist::DurText>|
         -> Option<(SimTime, SimTime)> {
            let a = SimTime(from.map_or(0, |d| d.0 .0));
            let b = to.map_or(end_default, |d| SimTime(d.0 .0)).min(end_default);
            if b < a {
                this.loc_err(path, "Scenario", &l.path, l.origin, "`to` is before `from`");
                return None;
            }
            Some((a, b))
        };
        let (task, shape, label) = match &l.value {
            Constant(w) | Poisson(w) => {
                let task = task_of(self, &w.task)?;
                if !rate_ok(self, &w.rate) {
                    return None;
                }
                let (a, b) = window(self, &w.from, &w.to)?;
                let poisson = matches!(l.value, Poisson(_));
                (
                    task,
                    LoadShape::Rate {
                        segments: vec![RateSegment {
                            start: a,
                            end: b,
                            r0: w.rate.value,
                            r1: w.rate.value,
                        }],
                        poisson,
                    },
                    format!(
                        "{} {} {}/s",
                        if poisson { "poisson" } else { "constant" },
                        w.task.value,
                        w.rate.value
                    ),
                )
            }
            Burst(bu) => {
                let task = task_of(self, &bu.task)?;
                let at = SimTime(bu.at.map_or(0, |d| d.0 .0));
                if bu.count.value > 100_000_000 {
                    self.loc_err(
                        path,
                        "Scenario",
                        &bu.count.path,
                        bu.count.origin,
                        "more than 100 million tasks in one burst",
                    );
                    return None;
                }
                let mut points = vec![];
                match &bu.every {
                    None => {
                        if at.0 < duration.0 || at.0 == 0 {
                            points.push((at, bu.count.value));
                        }
                    }
                    Some(e) => {
                        if e.value.0 .0 == 0 {
                            self.loc_err(
                                path,
                                "Scenario",
                                &e.path,
                                e.origin,
                                "must be greater than 0s",
                            );
                            return None;
                        }
                        let n = (duration.0.saturating_sub(at.0)) / e.value.0 .0 + 1;
                        if n > 10_000_000 {
                            self.loc_err(
                                path,
                                "Scenario",
                                &e.path,
                                e.origin,
                                "more than 10 million repeats; raise `every`",
                            );
                            return None;
                        }
                        let mut t = at;
                        while t.0 < duration.0 {
                            points.push((t, bu.count.value));
                            t += e.value.0;
                        }
                    }
                }
                (
                    task,
                    LoadShape::Points(points),
                    format!("burst {} x{}", bu.task.value, bu.count.value),
                )
            }
            Ramp(r) => {
                let task = task_of(self, &r.task)?;
                if !rate_ok(self, &r.start_rate) || !rate_ok(self, &r.end_rate) {
                    return None;
                }
                let (a, b) = window(self, &r.from, &r.to)?;
                (
                    task,
                    LoadShape::Rate {
                        segments: vec![RateSegment {
                            start: a,
                            end: b,
                            r0: r.start_rate.value,
                            r1: r.end_rate.value,
                        }],
                        poisson: r.poisson.unwrap_or(true),
                    },
                    format!(
                        "ramp {} {}->{}/s",
                        r.task.value, r.start_rate.value, r.end_rate.value
                    ),
                )
            }
            Step(s) => {
                let task = task_of(self, &s.task)?;
                if s.steps.is_empty() {
                    self.loc_err(path, "Scenario", &l.path, l.origin, "`steps` is empty");
                    return None;
                }
                let end =
                    s.to.map_or(end_default, |d| SimTime(d.0 .0))
                        .min(end_default);
                let mut segs = Vec::new();
                for (i, p) in s.steps.iter().enumerate() {
                    if !rate_ok(self, &p.rate) {
                        return None;
                    }
                    let start = SimTime(p.at.0 .0);
                    let stop = s
                        .steps
                        .get(i + 1)
                        .map_or(end, |n| SimTime(n.at.0 .0))
                        .min(end);
                    if i > 0 && start < SimTime(s.steps[i - 1].at.0 .0) {
                        self.loc_err(
                            path,
                            "Scenario",
                            &p.rate.path,
                            p.rate.origin,
                            "steps must be in time order",
                        );
                        return None;
                    }
                    if stop > start {
                        segs.push(RateSegment {
                            start,
                            end: stop,
                            r0: p.rate.value,
                            r1: p.rate.value,
                        });
                    }
                }
                (
                    task,
                    LoadShape::Rate {
                        segments: segs,
                        poisson: s.poisson.unwrap_or(true),
                    },
                    format!("step {}", s.task.value),
                )
            }
            Sine(s) => {
                let task = task_of(self, &s.task)?;
                if !rate_ok(self, &s.base) {
                    return None;
                }
                if !s.amplitude.value.is_finite() {
                    self.loc_err(
                        path,
                        "Scenario",
                        &s.amplitude.path,
                        s.amplitude.origin,
                        "must be finite",
                    );
                    return None;
                }
                let period = s.period.value.0;
                if period.0 < 1_000_000 {
                    self.loc_err(
                        path,
                        "Scenario",
                        &s.period.path,
                        s.period.origin,
                        "period must be at least 1ms",
                    );
                    return None;
                }
                let (a, b) = window(self, &s.from, &s.to)?;
                // 64 linear pieces per period: close to the sine, exact to integrate and invert.
                let piece = (period.0 / 64).max(1);
                if (b.0 - a.0) / piece > 5_000_000 {
                    self.loc_err(
                        path,
                        "Scenario",
                        &s.period.path,
                        s.period.origin,
                        "the period is too short for the window (more than 5 million pieces)",
                    );
                    return None;
                }
                let rate_at = |t: u64| {
                    let x = (t - a.0) as f64 / period.0 as f64;
                    (s.base.value + s.amplitude.value * (2.0 * std::f64::consts::PI * x).sin())
                        .max(0.0)
                };
                let mut segs = Vec::new();
                let mut t = a.0;
                while t < b.0 {
                    let e = (t + piece).min(b.0);
                    segs.push(RateSegment {
                        start: SimTime(t),
                        end: SimTime(e),
                        r0: rate_at(t),
                        r1: rate_at(e),
                    });
                    t = e;
                }
                (
                    task,
                    LoadShape::Rate {
                        segments: segs,
                        poisson: s.poisson.unwrap_or(true),
                    },
                    format!(
                        "sine {} {}±{}/s",
                        s.task.value, s.base.value, s.amplitude.value
                    ),
                )
            }
            Trace(tr) => {
                let task = task_of(self, &tr.task)?;
                let full = files::join(base, &tr.file.value);
                let text = match self.source.read(&full) {
                    Ok(t) => t,
                    Err(e) => {
                        self.loc_err(path, "Scenario", &tr.file.path, tr.file.origin, e);
                        return None;
                    }
                };
                let offset = tr.offset.map_or(0, |d| d.0 .0);
                match parse_trace(&text, offset, end_default) {
                    Ok(TraceShape::Counts(points)) => (
                        task,
                        LoadShape::Points(points),
                        format!("trace {}", tr.file.value),
                    ),
                    Ok(TraceShape::Rates(segs)) => (
                        task,
                        LoadShape::Rate {
                            segments: segs,
                            poisson: tr.poisson.unwrap_or(true),
                        },
                        format!("trace {}", tr.file.value),
                    ),
                    Err(e) => {
                        // The position is the scenario's `file:` field; the message names the
                        // trace file and its line.
                        self.loc_err(
                            path,
                            "Scenario",
                            &tr.file.path,
                            tr.file.origin,
                            format!("{}: {e}", tr.file.value),
                        );
                        return None;
                    }
                }
            }
        };
        Some(Load { task, shape, label })
    }
}

enum TraceShape {
    Counts(Vec<(SimTime, u64)>),
    Rates(Vec<RateSegment>),
}

/// Reads `time_s,count` or `time_s,rate` rows (sorted by time).
fn parse_trace(text: &str, offset: u64, end: SimTime) -> Result<TraceShape, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(String::from)
        .collect();
    let ti = headers
        .iter()
        .position(|h| h == "time_s")
        .ok_or("the trace needs a `time_s` column")?;
    let (vi, counts) = match (headers.iter().position(|h| h == "count"), headers.iter().position(|h| h == "rate")) {
        (Some(c), None) => (c, true),
        (None, Some(r)) => (r, false),
        _ => return Err("the trace needs exactly one of the columns `count` (tasks at that instant) or `rate` (tasks/s until the next row)".into()),
    };
    let mut rows: Vec<(SimTime, f64)> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("line {line}: {e}"))?;
        let cell = |i: usize| rec.get(i).unwrap_or("");
        let t: f64 = cell(ti)
            .parse()
            .map_err(|_| format!("line {line}: time_s {:?} is not a number", cell(ti)))?;
        let v: f64 = cell(vi).parse().map_err(|_| {
            format!(
                "line {line}: {} {:?} is not a number",
                headers[vi],
                cell(vi)
            )
        })?;
        let t = Dur::from_secs_f64(t).ok_or(format!("line {line}: time_s must be >= 0"))?;
        if !v.is_finite() || !(0.0..=1.0e8).contains(&v) {
            return Err(format!(
                "line {line}: {} must be between 0 and 1e8",
                headers[vi]
            ));
        }
        if counts && v.fract() != 0.0 {
            return Err(format!("line {line}: count must be a whole number"));
        }
        let at = SimTime(t.0.saturating_add(offset));
        if let Some((prev, _)) = rows.last() {
            if at < *prev {
                return Err(format!("line {line}: rows must be in time order"));
            }
        }
        rows.push((at, v));
        if rows.len() > 20_000_000 {
            return Err("more than 20 million rows".into());
        }
    }
    if rows.is_empty() {
        return Err("the trace has no rows".into());
    }
    if counts {
        Ok(TraceShape::Counts(
            rows.into_iter()
                .filter(|(t, _)| *t < end || t.0 == 0)
                .map(|(t, v)| (t, v as u64))
                .collect(),
        ))
    } else {
        let mut segs = Vec::new();
        for (i, (t, r)) in rows.iter().enumerate() {
            let stop = rows.get(i + 1).map_or(end, |n| n.0).min(end);
            if stop > *t {
                segs.push(RateSegment {
                    start: *t,
                    end: stop,
                    r0: *r,
                    r1: *r,
                });
            }
        }
        Ok(TraceShape::Rates(segs))
    }
}
