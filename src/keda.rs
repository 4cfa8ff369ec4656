//! KEDA as a pure library: ScaledObject parsing and validation, scalers, the scale loop and
//! executor, fallback, the generated HPA and the metrics adapter, following KEDA v2.18.3.
//!
//! Nothing here runs an event loop or reads a clock: the simulator calls the step functions
//! at the instants it chooses and supplies the world through [`scalers::ScalerEnv`].

pub mod executor;
pub mod fallback;
pub mod formula;
pub mod goparse;
pub mod scaledobject;
pub mod scalers;
pub mod status;
pub mod typed_config;

/// The KEDA release whose behaviour this module follows.
pub const KEDA_VERSION: &str = "v2.18.3";
