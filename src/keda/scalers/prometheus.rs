//! The Prometheus scaler (`pkg/scalers/prometheus_scaler.go`, type `prometheus`) and the
//! HTTP authentication settings it embeds (`pkg/scalers/authentication/authentication_types.go#Config`).
//!
//! An instant query must return at most one sample: none gives 0 when `ignoreNullValues`
//! (the default) and an error otherwise; more than one is an error; ±Inf is 0 or an error
//! the same way. Active when the value is above `activationThreshold`.

use std::collections::BTreeMap;

use super::{
    metric_in_milli, metric_name_with_index, metric_target_mili, ExternalMetricSpec,
    MetricTargetType, MetricValue, ScalerEnv,
};
use crate::keda::typed_config::{order, Param, ParseError, ScalerConfig, TypedParser};
use crate::time::Dur;

/// `authentication.Config`: the enabled auth modes and their parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuthConfig {
    /// `authModes` (`apiKey basic tls bearer custom oauth`).
    pub modes: Vec<String>,
    /// `bearerToken` / `token`.
    pub bearer_token: String,
    /// Basic auth user.
    pub username: String,
    /// Basic auth password.
    pub password: String,
    /// TLS client certificate.
    pub cert: String,
    /// TLS client key.
    pub key: String,
    /// TLS CA.
    pub ca: String,
    /// OAuth token URI.
    pub oauth_token_uri: String,
    /// OAuth scopes.
    pub scopes: Vec<String>,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
    /// OAuth endpoint parameters (query string).
    pub endpoint_params: String,
    /// Custom header name.
    pub custom_auth_header: String,
    /// Custom header value.
    pub custom_auth_value: String,
    /// API key.
    pub api_key: String,
    /// `method` (`header` or `query`).
    pub method: String,
    /// `keyParamName`.
    pub key_param_name: String,
}

impl AuthConfig {
    /// No mode enabled.
    pub fn disabled(&self) -> bool {
        self.modes.is_empty()
    }
    fn enabled(&self, mode: &str) -> bool {
        self.modes.iter().any(|m| m == mode)
    }
    /// `Config.Validate`.
    fn validate(&self) -> Result<(), String> {
        if self.disabled() {
            return Ok(());
        }
        if self.enabled("bearer") && self.bearer_token.is_empty() {
            return Err("bearer token is required when bearer auth is enabled".into());
        }
        if self.enabled("basic") && self.username.is_empty() {
            return Err("username is required when basic auth is enabled".into());
        }
        if self.enabled("tls") && (self.cert.is_empty() || self.key.is_empty()) {
            return Err("cert and key are required when tls auth is enabled".into());
        }
        if self.enabled("oauth")
            && (self.oauth_token_uri.is_empty()
                || self.client_id.is_empty()
                || self.client_secret.is_empty())
        {
            return Err(
                "oauthTokenURI, clientID and clientSecret are required when oauth is enabled"
                    .into(),
            );
        }
        if self.enabled("custom")
            && (self.custom_auth_header.is_empty() || self.custom_auth_value.is_empty())
        {
            return Err(
                "customAuthHeader and customAuthValue are required when custom auth is enabled"
                    .into(),
            );
        }
        if self.enabled("apiKey") && self.api_key.is_empty() {
            return Err("apiKey is required when apiKey auth is enabled".into());
        }
        Ok(())
    }
}

const AUTH_MODES: &[&str] = &["apiKey", "basic", "tls", "bearer", "custom", "oauth"];
const P_MODES: Param = Param {
    enumeration: Some(AUTH_MODES),
    exclusive_set: Some(&["bearer", "basic", "oauth"]),
    ..Param::optional(&["authModes", "authMode"], order::META_AUTH)
};
const P_BEARER: Param = Param::optional(&["bearerToken", "token"], order::AUTH);
const P_USERNAME: Param = Param::required(&["username"], order::AUTH);
const P_PASSWORD: Param = Param::required(&["password"], order::AUTH);
const P_CERT: Param = Param::required(&["cert"], order::AUTH);
const P_KEY: Param = Param::required(&["key"], order::AUTH);
const P_CA: Param = Param::required(&["ca"], order::AUTH);
const P_OAUTH_URI: Param = Param::required(&["oauthTokenURI"], order::AUTH);
const P_SCOPES: Param = Param::required(&["scopes"], order::AUTH);
const P_CLIENT_ID: Param = Param::required(&["clientID"], order::AUTH);
const P_CLIENT_SECRET: Param = Param::required(&["clientSecret"], order::AUTH);
const P_ENDPOINT_PARAMS: Param = Param::required(&["endpointParams"], order::AUTH);
const P_CUSTOM_HEADER: Param = Param::required(&["customAuthHeader"], order::AUTH);
const P_CUSTOM_VALUE: Param = Param::required(&["customAuthValue"], order::AUTH);
const P_API_KEY: Param = Param::required(&["apiKey"], order::META_AUTH);
const P_METHOD: Param = Param {
    enumeration: Some(&["header", "query"]),
    ..Param::with_default(&["method"], order::META_AUTH, "header")
};
const P_KEY_PARAM_NAME: Param = Param::optional(&["keyParamName"], order::META_AUTH);

const P_SERVER: Param = Param::required(&["serverAddress"], order::META);
const P_QUERY: Param = Param::required(&["query"], order::META);
const P_QUERY_PARAMS: Param = Param::optional(&["queryParameters"], order::META);
const P_THRESHOLD: Param = Param::required(&["threshold"], order::META);
const P_ACTIVATION: Param = Param::optional(&["activationThreshold"], order::META);
const P_NAMESPACE: Param = Param::optional(&["namespace"], order::META);
const P_CUSTOM_HEADERS: Param = Param::optional(&["customHeaders"], order::META);
const P_IGNORE_NULL: Param = Param::with_default(&["ignoreNullValues"], order::META, "true");
const P_UNSAFE_SSL: Param = Param::optional(&["unsafeSsl"], order::META);
const P_AWS_REGION: Param = Param::optional(&["awsRegion"], order::META_AUTH);
const P_TIMEOUT: Param = Param::optional(&["timeout"], order::META);
const P_IDENTITY_OWNER: Param = Param::optional(&["identityOwner"], order::META);
const P_AUTH_MODES: Param = Param::optional(&["authModes"], order::META);

/// Every parameter, for the metadata-key check.
pub(crate) const PARAMS: &[Param] = &[
    P_MODES,
    P_BEARER,
    P_USERNAME,
    P_PASSWORD,
    P_CERT,
    P_KEY,
    P_CA,
    P_OAUTH_URI,
    P_SCOPES,
    P_CLIENT_ID,
    P_CLIENT_SECRET,
    P_ENDPOINT_PARAMS,
    P_CUSTOM_HEADER,
    P_CUSTOM_VALUE,
    P_API_KEY,
    P_METHOD,
    P_KEY_PARAM_NAME,
    P_SERVER,
    P_QUERY,
    P_QUERY_PARAMS,
    P_THRESHOLD,
    P_ACTIVATION,
    P_NAMESPACE,
    P_CUSTOM_HEADERS,
    P_IGNORE_NULL,
    P_UNSAFE_SSL,
    P_AWS_REGION,
    P_TIMEOUT,
    P_IDENTITY_OWNER,
    P_AUTH_MODES,
];

/// `prometheusMetadata`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PrometheusMetadata {
    /// HTTP authentication.
    pub auth: AuthConfig,
    /// `serverAddress`.
    pub server_address: String,
    /// `query`.
    pub query: String,
    /// `queryParameters`.
    pub query_parameters: BTreeMap<String, String>,
    /// `threshold`: the HPA target.
    pub threshold: f64,
    /// `activationThreshold` (default 0).
    pub activation_threshold: f64,
    /// `namespace`.
    pub namespace: String,
    /// `customHeaders`.
    pub custom_headers: BTreeMap<String, String>,
    /// `ignoreNullValues` (default true).
    pub ignore_null_values: bool,
    /// `unsafeSsl`.
    pub unsafe_ssl: bool,
    /// `awsRegion`.
    pub aws_region: String,
    /// `timeout`.
    pub timeout: Dur,
    /// `identityOwner`.
    pub identity_owner: String,
    /// `authModes` as written.
    pub auth_modes: String,
    /// Position of the trigger.
    pub trigger_index: usize,
}

/// `prometheus_scaler.go#parsePrometheusMetadata` (typed parsing, then
/// `checkAuthConfigWithPodIdentity`).
pub fn parse_prometheus_metadata(cfg: &ScalerConfig) -> Result<PrometheusMetadata, ParseError> {
    let mut p = TypedParser::new(cfg, "*scalers.prometheusMetadata");
    // `PrometheusAuth *authentication.Config keda:"optional"`: a nested optional struct.
    p.set_optional_scope(true);
    let auth = AuthConfig {
        modes: p.strings(&P_MODES),
        bearer_token: p.string(&P_BEARER),
        username: p.string(&P_USERNAME),
        password: p.string(&P_PASSWORD),
        cert: p.string(&P_CERT),
        key: p.string(&P_KEY),
        ca: p.string(&P_CA),
        oauth_token_uri: p.string(&P_OAUTH_URI),
        scopes: p.strings(&P_SCOPES),
        client_id: p.string(&P_CLIENT_ID),
        client_secret: p.string(&P_CLIENT_SECRET),
        endpoint_params: p.string(&P_ENDPOINT_PARAMS),
        custom_auth_header: p.string(&P_CUSTOM_HEADER),
        custom_auth_value: p.string(&P_CUSTOM_VALUE),
        api_key: p.string(&P_API_KEY),
        method: p.string(&P_METHOD),
        key_param_name: p.string(&P_KEY_PARAM_NAME),
    };
    p.validate(auth.validate());
    p.set_optional_scope(false);
    let m = PrometheusMetadata {
        auth,
        server_address: p.string(&P_SERVER),
        query: p.string(&P_QUERY),
        query_parameters: p.map(&P_QUERY_PARAMS),
        threshold: p.float(&P_THRESHOLD),
        activation_threshold: p.float(&P_ACTIVATION),
        namespace: p.string(&P_NAMESPACE),
        custom_headers: p.map(&P_CUSTOM_HEADERS),
        ignore_null_values: p.bool(&P_IGNORE_NULL),
        unsafe_ssl: p.bool(&P_UNSAFE_SSL),
        aws_region: p.string(&P_AWS_REGION),
        timeout: p.duration(&P_TIMEOUT),
        identity_owner: p.string(&P_IDENTITY_OWNER),
        auth_modes: p.string(&P_AUTH_MODES),
        trigger_index: cfg.trigger_index,
    };
    p.finish()
        .map_err(|e| e.wrap("error parsing prometheus metadata"))?;
    if !m.auth.disabled() && !matches!(cfg.pod_identity_provider.as_str(), "" | "none") {
        return Err(ParseError {
            message: "pod identity cannot be enabled with other auth types".into(),
            key: Some("authModes".into()),
        });
    }
    Ok(m)
}

/// A configured Prometheus scaler.
#[derive(Clone, Debug, PartialEq)]
pub struct PrometheusScaler {
    /// AverageValue (default) or Value.
    pub metric_type: MetricTargetType,
    /// Parsed metadata.
    pub metadata: PrometheusMetadata,
}

impl PrometheusScaler {
    /// `NewPrometheusScaler` (it does no I/O).
    pub fn new(cfg: &ScalerConfig) -> Result<PrometheusScaler, ParseError> {
        let metric_type = super::metric_target_type(cfg)?;
        let metadata = parse_prometheus_metadata(cfg)
            .map_err(|e| e.wrap("error parsing prometheus metadata"))?;
        Ok(PrometheusScaler {
            metric_type,
            metadata,
        })
    }

    /// `GetMetricSpecForScaling`: `s<idx>-prometheus`, milli target of `threshold`.
    pub fn metric_spec(&self) -> ExternalMetricSpec {
        ExternalMetricSpec {
            name: metric_name_with_index(self.metadata.trigger_index, "prometheus"),
            target_type: self.metric_type,
            target: metric_target_mili(self.metadata.threshold),
        }
    }

    /// `ExecutePromQuery` on the samples an instant query returned.
    pub fn evaluate(&self, samples: &[f64]) -> Result<f64, String> {
        let m = &self.metadata;
        let v = match samples {
            [] if m.ignore_null_values => return Ok(0.0),
            [] => {
                return Err(
                    "prometheus metrics 'prometheus' target may be lost, the result is empty"
                        .into(),
                )
            }
            [v] => *v,
            _ => {
                return Err(format!(
                    "prometheus query {} returned multiple elements",
                    m.query
                ))
            }
        };
        if v.is_infinite() {
            if m.ignore_null_values {
                return Ok(0.0);
            }
            let shown = if v > 0.0 { "+Inf" } else { "-Inf" };
            return Err(format!("prometheus query returns {shown}"));
        }
        Ok(v)
    }

    /// `GetMetricsAndActivity`.
    pub fn get_metrics_and_activity(
        &self,
        env: &dyn ScalerEnv,
        metric_name: &str,
    ) -> Result<(Vec<MetricValue>, bool), String> {
        let samples = env.prometheus_query(&self.metadata.server_address, &self.metadata.query)?;
        let v = self.evaluate(&samples)?;
        Ok((
            vec![metric_in_milli(metric_name, v)],
            v > self.metadata.activation_threshold,
        ))
    }
}
