//! scalesim: a deterministic simulator of queue-driven autoscaling.
pub mod engine;
pub mod quantity;
pub mod report;
pub mod rng;
pub mod time;
pub mod yaml;
