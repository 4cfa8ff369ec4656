//! KEDA as a pure library: ScaledObject parsing and validation, scalers, the scale loop and
//! executor, fallback, the generated HPA and the metrics adapter, following KEDA v2.18.3.
//!
//! Nothing here runs an event loop or reads a clock: the simulator calls the step functions
//! at the instants it chooses and supplies the world through [`scalers::ScalerEnv`].
//!
//! Lifecycle:
//! 1. [`compiled::CompiledScaledObject::from_node`] reads, validates and compiles a manifest
//!    (scalers built from trigger metadata, formula compiled, HPA generated) with located
//!    errors and warnings.
//! 2. [`scale_loop::ScaledObjectState::new`] is the state after the first reconcile;
//!    [`scale_loop::ScaledObjectState::start_loop`] starts polling.
//! 3. At each [`scale_loop::ScaledObjectState::next_poll_at`], [`scale_loop::poll`] queries
//!    the triggers and runs the executor, which may write `spec.replicas`.
//! 4. The HPA module drives the generated [`crate::hpa::HpaSpec`]
//!    ([`compiled::Compiled::hpa`]) and reads metrics through
//!    [`adapter::KedaMetricsClient`].

pub mod adapter;
pub mod compiled;
pub mod executor;
pub mod fallback;
pub mod formula;
pub mod goparse;
pub mod hpa_gen;
pub mod modifiers;
pub mod scale_loop;
pub mod scaledobject;
pub mod scalers;
pub mod status;
pub mod typed_config;

/// The KEDA release whose behaviour this module follows.
pub const KEDA_VERSION: &str = "v2.18.3";
