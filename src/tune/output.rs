//! The files of a sweep directory, as (name, bytes) pairs: `results.csv`, `points.csv`,
//! `sweep.json`, the charts, and the compare overlay of the best points.

use crate::report::{ImageFormat, ReportError};

use super::charts::{build_heatmap, build_pareto};
use super::design::Point;
use super::exec::Study;
use super::info::SweepInfo;
use super::objective::{Objective, Slo};
use super::pareto::{by_rank, effective_objectives, Judged};
use super::results::{write_points, write_results, RunRow};
use super::space::Param;
use super::TuneError;
use rayon::prelude::*;

/// A judged sweep, ready to write.
#[derive(Clone, Debug)]
pub struct SweepResult {
    /// `sweep.json`.
    pub info: SweepInfo,
    /// Swept parameters (for chart axes).
    pub params: Vec<Param>,
    /// Every run, sorted by (point, replicate).
    pub rows: Vec<RunRow>,
    /// Every point, judged.
    pub judged: Vec<Judged>,
    /// SLOs.
    pub slos: Vec<Slo>,
    /// Objectives as given (empty: the default front).
    pub objectives: Vec<Objective>,
}

impl SweepResult {
    /// Parameter keys (column names).
    pub fn keys(&self) -> Vec<String> {
        self.params.iter().map(|p| p.key.clone()).collect()
    }

    /// The best point, if any point ran.
    pub fn best(&self) -> Option<&Judged> {
        by_rank(&self.judged).into_iter().next()
    }

    /// `keda-redis-burst · 24 points × 3 seeds · wait_p95_s<=60`.
    pub fn subtitle(&self) -> String {
        let mut s = format!(
            "{} · {} points × {} seed{}",
            self.info.scenario,
            self.judged.len(),
            self.info.seeds,
            if self.info.seeds == 1 { "" } else { "s" }
        );
        if !self.slos.is_empty() {
            let t: Vec<String> = self.slos.iter().map(|s| s.text.clone()).collect();
            s.push_str(&format!(" · SLOs {}", t.join(", ")));
        }
        s
    }

    /// `results.csv`, `points.csv`, `sweep.json`, and with `charts` the heatmaps and the
    /// Pareto chart.
    pub fn files(&self, charts: bool) -> Result<Vec<(String, Vec<u8>)>, TuneError> {
        let keys = self.keys();
        let slo_texts: Vec<String> = self.slos.iter().map(|s| s.text.clone()).collect();
        let mut out = vec![
            ("results.csv".to_string(), write_results(&keys, &self.rows)),
            (
                "points.csv".to_string(),
                write_points(&keys, &slo_texts, &self.judged),
            ),
            ("sweep.json".to_string(), self.info.to_json()),
        ];
        if charts {
            out.extend(
                self.charts()
                    .map_err(|e| TuneError::Internal(format!("error: {e}")))?,
            );
        }
        Ok(out)
    }

    /// Heatmaps of the objectives and SLO metrics, and the Pareto chart.
    pub fn charts(&self) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
        let objs = effective_objectives(&self.objectives);
        let best = self.best().filter(|b| b.feasible || self.slos.is_empty());
        let best_point = best.map(|b| b.summary.point);
        let subtitle = self.subtitle();
        let mut metrics: Vec<(usize, bool)> = objs.iter().map(|o| (o.metric, o.maximize)).collect();
        for s in &self.slos {
            if !metrics.iter().any(|m| m.0 == s.metric) {
                metrics.push((s.metric, false));
            }
        }
        // Build every chart, then render them (PNG and SVG each) in parallel: on the caller's
        // pool, so `--jobs` bounds it; the order of the files does not depend on it.
        let mut heatmaps = Vec::new();
        for (m, maximize) in metrics {
            if let Some(h) = build_heatmap(
                &self.params,
                &self.judged,
                m,
                maximize,
                best_point,
                &subtitle,
            ) {
                heatmaps.push((super::metrics::METRIC_NAMES[m], h));
            }
        }
        let label = best.map_or(String::new(), |b| {
            format!(
                "#1 {}",
                Point {
                    index: b.summary.point,
                    values: b.summary.values.clone()
                }
                .label(&self.params)
            )
        });
        let pareto = build_pareto(
            &self.judged,
            &objs,
            !self.slos.is_empty(),
            best_point,
            &label,
            &subtitle,
        );
        let formats = [ImageFormat::Png, ImageFormat::Svg];
        let mut jobs: Vec<(String, Chart)> = Vec::new();
        for (name, h) in &heatmaps {
            for f in formats {
                jobs.push((
                    format!("heatmap-{name}.{}", f.extension()),
                    Chart::Heatmap(h, f),
                ));
            }
        }
        if let Some(p) = &pareto {
            for f in formats {
                jobs.push((format!("pareto.{}", f.extension()), Chart::Pareto(p, f)));
            }
        }
        jobs.into_par_iter()
            .map(|(name, chart)| Ok((name, chart.render()?)))
            .collect()
    }
}

/// One chart file to render.
enum Chart<'a> {
    Heatmap(&'a super::charts::Heatmap, ImageFormat),
    Pareto(&'a super::charts::ParetoChart, ImageFormat),
}

impl Chart<'_> {
    fn render(&self) -> Result<Vec<u8>, ReportError> {
        match self {
            Chart::Heatmap(h, f) => h.render(*f),
            Chart::Pareto(p, f) => p.render(*f),
        }
    }
}

/// The compare overlay (`compare.{png,svg,csv,html}`) of labelled points of studies, each
/// simulated under replicate 0's seed with its series kept.
pub fn overlay(points: &[(String, &Study, Point)]) -> Result<Vec<(String, Vec<u8>)>, TuneError> {
    use crate::report::{via_json, Event, RunData, TimeSeries};
    let internal =
        |e: ReportError| TuneError::Internal(format!("error: building the overlay: {e}"));
    // The points simulate in parallel (on the caller's pool); collect keeps their order.
    let runs: Vec<RunData> = points
        .par_iter()
        .map(|(_, study, p)| -> Result<RunData, TuneError> {
            let (sc, sink, out) = study.run_full(p, 0)?;
            let series = TimeSeries::from_rows(&sink.columns, &sink.rows).map_err(internal)?;
            let mut run =
                RunData::new(via_json(&out.summary, "summary").map_err(internal)?, series);
            run.events = sink
                .events
                .iter()
                .map(|e| {
                    Event::new(
                        e.time.as_secs_f64(),
                        e.source,
                        e.kind,
                        &e.reason,
                        &e.message,
                    )
                })
                .collect();
            run.settings = via_json(&sc.settings, "settings").map_err(internal)?;
            run.decisions = via_json(&sink.decisions, "decisions").map_err(internal)?;
            Ok(run)
        })
        .collect::<Result<_, _>>()?;
    let labels: Vec<String> = points.iter().map(|(l, _, _)| l.clone()).collect();
    let cmp = crate::report::compare(&runs, &labels).map_err(internal)?;
    Ok(cmp.files())
}
