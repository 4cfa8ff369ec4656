//! A PromQL subset evaluated over an in-memory time-series store, so the simulated
//! autoscalers read metrics the way they do through Prometheus.

mod regex;

pub use regex::Regex;
