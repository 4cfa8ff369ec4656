//! Declarative trigger-metadata parsing: a port of `pkg/scalers/scalersconfig/typed_config.go`
//! (`TypedConfig`, `setValue`, `configParamValue`, `setConfigValueHelper`) for the field
//! kinds the Redis, RabbitMQ and Prometheus scalers use.
//!
//! Each parameter has names, a lookup order over trigger metadata, the target container's
//! resolved environment (`<name>FromEnv`) and TriggerAuthentication parameters, and optional,
//! default and enum rules. Errors are collected in field order and joined with newlines, as
//! `errors.Join` does, with KEDA's wording.

use std::collections::BTreeMap;

use super::goparse::{self, JsonDecode};
use crate::time::Dur;

/// Where a parameter may be read from (`ParsingOrder`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `triggers[].metadata`.
    TriggerMetadata,
    /// The scale target container's environment, through `<name>FromEnv` in the metadata.
    ResolvedEnv,
    /// Parameters resolved from a TriggerAuthentication.
    AuthParams,
}

impl Source {
    fn go_name(self) -> &'static str {
        match self {
            Source::TriggerMetadata => "triggerMetadata",
            Source::ResolvedEnv => "resolvedEnv",
            Source::AuthParams => "authParams",
        }
    }
}

/// One `keda:"..."` struct tag.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// `name=a;b`: keys tried in order within each source.
    pub names: &'static [&'static str],
    /// `order=...`.
    pub order: &'static [Source],
    /// `optional`.
    pub optional: bool,
    /// `default=...`.
    pub default: Option<&'static str>,
    /// `enum=a;b`.
    pub enumeration: Option<&'static [&'static str]>,
    /// `exclusiveSet=a;b`.
    pub exclusive_set: Option<&'static [&'static str]>,
}

impl Param {
    /// A required parameter.
    pub const fn required(names: &'static [&'static str], order: &'static [Source]) -> Param {
        Param {
            names,
            order,
            optional: false,
            default: None,
            enumeration: None,
            exclusive_set: None,
        }
    }
    /// An optional parameter.
    pub const fn optional(names: &'static [&'static str], order: &'static [Source]) -> Param {
        Param {
            optional: true,
            ..Param::required(names, order)
        }
    }
    /// A parameter with a default value.
    pub const fn with_default(
        names: &'static [&'static str],
        order: &'static [Source],
        default: &'static str,
    ) -> Param {
        Param {
            default: Some(default),
            ..Param::required(names, order)
        }
    }
    fn name(&self) -> String {
        self.names.join(",")
    }
    /// The metadata keys this parameter reads (names, and `<name>FromEnv` when the environment
    /// is one of its sources): used to warn about metadata keys no scaler reads.
    pub fn metadata_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        for src in self.order {
            for n in self.names {
                match src {
                    Source::TriggerMetadata => keys.push(n.to_string()),
                    Source::ResolvedEnv => keys.push(format!("{n}FromEnv")),
                    Source::AuthParams => {}
                }
            }
        }
        keys
    }
}

/// Shorthand source lists.
pub mod order {
    use super::Source::{self, *};
    /// `order=triggerMetadata`.
    pub const META: &[Source] = &[TriggerMetadata];
    /// `order=authParams`.
    pub const AUTH: &[Source] = &[AuthParams];
    /// `order=triggerMetadata;authParams`.
    pub const META_AUTH: &[Source] = &[TriggerMetadata, AuthParams];
    /// `order=triggerMetadata;authParams;resolvedEnv`.
    pub const META_AUTH_ENV: &[Source] = &[TriggerMetadata, AuthParams, ResolvedEnv];
    /// `order=triggerMetadata;resolvedEnv;authParams`.
    pub const META_ENV_AUTH: &[Source] = &[TriggerMetadata, ResolvedEnv, AuthParams];
    /// `order=authParams;resolvedEnv`.
    pub const AUTH_ENV: &[Source] = &[AuthParams, ResolvedEnv];
}

/// `scalersconfig.ScalerConfig`: what a scaler is built from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScalerConfig {
    /// The ScaledObject's name (`ScalableObjectName`).
    pub scaled_object_name: String,
    /// Its namespace.
    pub namespace: String,
    /// Position of the trigger in `spec.triggers` (`TriggerIndex`).
    pub trigger_index: usize,
    /// `triggers[].type`.
    pub trigger_type: String,
    /// `triggers[].name` (may be empty).
    pub trigger_name: String,
    /// `triggers[].metadata`.
    pub metadata: BTreeMap<String, String>,
    /// The target container's environment as KEDA resolves it (`ResolvedEnv`).
    pub resolved_env: BTreeMap<String, String>,
    /// TriggerAuthentication parameters (`AuthParams`).
    pub auth_params: BTreeMap<String, String>,
    /// `triggers[].metricType` as written (empty when absent).
    pub metric_type: String,
    /// `triggers[].useCachedMetrics`.
    pub use_cached_metrics: bool,
    /// Pod identity provider from the TriggerAuthentication (empty for none).
    pub pod_identity_provider: String,
    /// True when the ScaledObject uses scalingModifiers (`AsMetricSource`).
    pub as_metric_source: bool,
}

impl ScalerConfig {
    /// A config from metadata alone (tests and simple scenarios).
    pub fn from_metadata(trigger_type: &str, metadata: &[(&str, &str)]) -> ScalerConfig {
        ScalerConfig {
            trigger_type: trigger_type.to_string(),
            metadata: metadata
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..ScalerConfig::default()
        }
    }
}

/// One pass of `TypedConfig` over a scaler's fields.
pub struct TypedParser<'a> {
    cfg: &'a ScalerConfig,
    errors: Vec<String>,
    /// The metadata key behind the first error, for pointing at a line.
    first_error_key: Option<Option<String>>,
    panicked: bool,
    optional_scope: bool,
    type_name: &'static str,
}

impl<'a> TypedParser<'a> {
    /// Starts parsing `cfg`; `type_name` is the Go metadata type (for the panic message).
    pub fn new(cfg: &'a ScalerConfig, type_name: &'static str) -> Self {
        TypedParser {
            cfg,
            errors: Vec::new(),
            first_error_key: None,
            panicked: false,
            optional_scope: false,
            type_name,
        }
    }

    /// Marks the following fields as belonging to a `keda:"optional"` nested struct.
    pub fn set_optional_scope(&mut self, on: bool) {
        self.optional_scope = on;
    }

    /// `configParamValue`: the first non-empty (trimmed) value in lookup order, and the
    /// metadata key it came from (or the `<name>FromEnv` key for environment values).
    fn lookup(&self, p: &Param) -> Option<(String, Option<String>)> {
        for src in p.order {
            for name in p.names {
                let (value, key) = match src {
                    Source::TriggerMetadata => {
                        (self.cfg.metadata.get(*name), Some(name.to_string()))
                    }
                    Source::AuthParams => (self.cfg.auth_params.get(*name), None),
                    Source::ResolvedEnv => {
                        let env_key = format!("{name}FromEnv");
                        let var = self.cfg.metadata.get(&env_key).cloned().unwrap_or_default();
                        (self.cfg.resolved_env.get(&var), Some(env_key))
                    }
                };
                if let Some(v) = value {
                    let v = v.trim();
                    if !v.is_empty() {
                        return Some((v.to_string(), key));
                    }
                }
            }
        }
        None
    }

    fn error(&mut self, key: Option<String>, message: String) {
        if self.first_error_key.is_none() {
            self.first_error_key = Some(key);
        }
        self.errors.push(message);
    }

    /// `setValue` up to the conversion: presence, defaults, required, enum and exclusive sets.
    fn fetch(&mut self, p: &Param) -> Option<(String, Option<String>)> {
        if self.panicked {
            return None;
        }
        let (value, key) = match self.lookup(p) {
            Some(found) => found,
            None => match p.default {
                Some(d) => (d.to_string(), None),
                None if p.optional || self.optional_scope => return None,
                None => {
                    let order: Vec<&str> = p.order.iter().map(|s| s.go_name()).collect();
                    self.error(
                        None,
                        format!(
                            "missing required parameter {} in {}",
                            goparse::quote(&p.name()),
                            goparse::list(&order)
                        ),
                    );
                    return None;
                }
            },
        };
        if let Some(allowed) = p.enumeration {
            let bad = value.split(',').any(|s| !allowed.contains(&s.trim()));
            if bad {
                self.error(
                    key,
                    format!(
                        "parameter {} value {} must be one of {}",
                        goparse::quote(&p.name()),
                        goparse::quote(&value),
                        goparse::list(allowed)
                    ),
                );
                return None;
            }
        }
        if let Some(set) = p.exclusive_set {
            let count = value.split(',').filter(|s| set.contains(&s.trim())).count();
            if count > 1 {
                self.error(
                    key,
                    format!(
                        "parameter {} value {} must contain only one of {}",
                        goparse::quote(&p.name()),
                        goparse::quote(&value),
                        goparse::list(set)
                    ),
                );
                return None;
            }
        }
        Some((value, key))
    }

    fn set_error(&mut self, p: &Param, value: &str, key: Option<String>, err: String) {
        self.error(
            key,
            format!(
                "unable to set param {} value {}: {err}",
                goparse::quote(&p.name()),
                goparse::quote(value)
            ),
        );
    }

    fn panic(&mut self) {
        self.panicked = true;
    }

    /// A `string` field.
    pub fn string(&mut self, p: &Param) -> String {
        self.fetch(p).map(|(v, _)| v).unwrap_or_default()
    }

    /// True when the parameter is present (or defaulted), without converting it.
    pub fn is_set(&self, p: &Param) -> bool {
        self.lookup(p).is_some() || p.default.is_some()
    }

    /// An `int64` (or Go `int`, by `go_type`) field, decoded as JSON.
    pub fn int(&mut self, p: &Param, go_type: &str) -> i64 {
        let Some((v, key)) = self.fetch(p) else {
            return 0;
        };
        match goparse::json_int(&v, go_type) {
            Ok(JsonDecode::Value(i)) => i,
            Ok(JsonDecode::Null) => {
                self.panic();
                0
            }
            Err(e) => {
                self.set_error(
                    p,
                    &v,
                    key,
                    format!("unable to unmarshal to field type {go_type}: {e}"),
                );
                0
            }
        }
    }

    /// A `float64` field, decoded as JSON.
    pub fn float(&mut self, p: &Param) -> f64 {
        let Some((v, key)) = self.fetch(p) else {
            return 0.0;
        };
        match goparse::json_float(&v) {
            Ok(JsonDecode::Value(f)) => f,
            Ok(JsonDecode::Null) => {
                self.panic();
                0.0
            }
            Err(e) => {
                self.set_error(
                    p,
                    &v,
                    key,
                    format!("unable to unmarshal to field type float64: {e}"),
                );
                0.0
            }
        }
    }

    /// A `bool` field (`strconv.ParseBool`).
    pub fn bool(&mut self, p: &Param) -> bool {
        let Some((v, key)) = self.fetch(p) else {
            return false;
        };
        match goparse::parse_bool(&v) {
            Ok(b) => b,
            Err(e) => {
                self.set_error(
                    p,
                    &v,
                    key,
                    format!("unable to parse boolean value {}: {e}", goparse::quote(&v)),
                );
                false
            }
        }
    }

    /// A `[]string` field: comma-separated, each element trimmed.
    pub fn strings(&mut self, p: &Param) -> Vec<String> {
        let Some((v, _)) = self.fetch(p) else {
            return Vec::new();
        };
        v.split(',').map(|s| s.trim().to_string()).collect()
    }

    /// A `map[string]string` field: `k1=v1,k2=v2`.
    pub fn map(&mut self, p: &Param) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some((v, key)) = self.fetch(p) else {
            return out;
        };
        for item in v.split(',') {
            let item = item.trim();
            let kv: Vec<&str> = item.split('=').collect();
            if kv.len() != 2 {
                self.set_error(
                    p,
                    &v,
                    key,
                    format!("expected format key=value, got {}", goparse::quote(item)),
                );
                return BTreeMap::new();
            }
            out.insert(kv[0].trim().to_string(), kv[1].trim().to_string());
        }
        out
    }

    /// A `time.Duration` field: a Go duration or a number of milliseconds.
    pub fn duration(&mut self, p: &Param) -> Dur {
        let Some((v, key)) = self.fetch(p) else {
            return Dur::ZERO;
        };
        match goparse::parse_config_duration(&v) {
            Ok(d) => d,
            Err(e) => {
                self.set_error(p, &v, key, e);
                Dur::ZERO
            }
        }
    }

    /// Adds the error of a `Validate()` method.
    pub fn validate(&mut self, result: Result<(), String>) {
        if self.panicked {
            return;
        }
        if let Err(e) = result {
            self.error(None, e);
        }
    }

    /// The joined error (`errors.Join`), with the metadata key of the first failure.
    pub fn finish(self) -> Result<(), ParseError> {
        if self.panicked {
            return Err(ParseError {
                message: format!(
                    "failed to parse typed config *reflect.ValueError resulted in panic (a `null` value in {})",
                    self.type_name
                ),
                key: None,
            });
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ParseError {
                message: self.errors.join("\n"),
                key: self.first_error_key.flatten(),
            })
        }
    }
}

/// A metadata parsing failure.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    /// KEDA's error text.
    pub message: String,
    /// The metadata key whose value caused the first error, when there is one.
    pub key: Option<String>,
}

impl ParseError {
    /// Prefixes the message (Go's `fmt.Errorf("...: %w", err)`).
    pub fn wrap(mut self, prefix: &str) -> ParseError {
        self.message = format!("{prefix}: {}", self.message);
        self
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
