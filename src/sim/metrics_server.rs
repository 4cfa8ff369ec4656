//! metrics-server: pod CPU usage as the HPA reads it through the resource metrics API.
//!
//! Every `--metric-resolution` (default 15 s) it scrapes each running pod's cumulative CPU
//! time and reports the rate over the last interval, with that scrape's timestamp and
//! window. A pod needs two scrapes before it has a metric (the HPA counts it as missing until
//! then), which is why fresh pods do not move a CPU-based HPA at once.

use crate::hpa::PodMetric;
use crate::time::{Dur, SimTime};
use crate::worker::Pod;

/// Scrape state per pod id.
#[derive(Clone, Debug, Default)]
pub struct MetricsServer {
    /// Last scrape per pod: (time, cumulative CPU core-nanoseconds).
    last: Vec<Option<(SimTime, f64)>>,
    /// Reported usage per pod: (millicores, timestamp, window).
    usage: Vec<Option<(i64, SimTime, Dur)>>,
}

impl MetricsServer {
    /// Scrapes every alive, started pod at `now`.
    pub fn scrape(&mut self, pods: &mut [Pod], alive: &[u32], now: SimTime) {
        if self.last.len() < pods.len() {
            self.last.resize(pods.len(), None);
            self.usage.resize(pods.len(), None);
        }
        for &p in alive {
            let pod = &mut pods[p as usize];
            if pod.started.is_none() {
                continue;
            }
            pod.cpu.advance(now);
            let used = pod.cpu.used_ns;
            if let Some((t0, u0)) = self.last[p as usize] {
                if now > t0 {
                    let window = now - t0;
                    let cores = (used - u0) / window.0 as f64;
                    self.usage[p as usize] = Some(((cores * 1000.0).round() as i64, now, window));
                }
            }
            self.last[p as usize] = Some((now, used));
        }
    }

    /// Drops what was scraped for pod `p` (its slot is reused by a new pod).
    pub fn forget(&mut self, p: u32) {
        if let Some(x) = self.last.get_mut(p as usize) {
            *x = None;
        }
        if let Some(x) = self.usage.get_mut(p as usize) {
            *x = None;
        }
    }

    /// The resource metrics API's answer for the pods of worker group `group`.
    pub fn pod_metrics(&self, pods: &[Pod], alive: &[u32], group: usize) -> Vec<PodMetric> {
        alive
            .iter()
            .filter(|&&p| pods[p as usize].group as usize == group)
            .filter_map(|&p| {
                let (v, t, w) = (*self.usage.get(p as usize)?)?;
                Some(PodMetric {
                    pod: pods[p as usize].name.clone(),
                    value_milli: v,
                    timestamp: t,
                    window: w,
                })
            })
            .collect()
    }
}
