//! scalesim: a deterministic simulator of queue-driven autoscaling.
pub mod engine;
pub mod hpa;
pub mod keda;
pub mod quantity;
pub mod rng;
pub mod time;
pub mod yaml;
