//! scalesim: a deterministic simulator of queue-driven autoscaling.
pub mod broker;
pub mod cli;
pub mod cluster;
pub mod diag;
pub mod dist;
pub mod engine;
pub mod load;
pub mod observe;
pub mod output;
pub mod promql;
pub mod quantity;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod time;
pub mod worker;
pub mod yaml;
