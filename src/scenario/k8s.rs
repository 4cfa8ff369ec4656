//! Kubernetes objects the simulator reads: Deployment (the Celery workers), ConfigMap and
//! Secret (for `env` references), read leniently like the API server would accept them.
//!
//! Fields are in three groups: modelled (read), known but irrelevant to queue autoscaling
//! (`image`, `ports`, `volumes`: accepted silently), and known fields that could change real
//! behaviour but are not modelled (`affinity`, `lifecycle`, `livenessProbe`: accepted with a
//! warning). Anything else is unknown (a typo?) and warned about by the deserializer.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::quantity::Quantity;
use crate::yaml::de::{Located, Unmodelled};

/// A Kubernetes field that is accepted silently: it exists in real manifests but cannot change
/// what the simulation does (`image`, `ports`, `volumes`). Declaring it keeps it out of the
/// unknown-field warnings; it is never read.
type Known = Option<IgnoredAny>;

/// `metadata` of any object.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// Object name.
    #[serde(default)]
    pub name: Option<Located<String>>,
    /// Namespace (default `default`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, Located<String>>,
    #[serde(default)]
    #[allow(dead_code)]
    uid: Known,
    #[serde(default)]
    #[allow(dead_code)]
    resource_version: Known,
    #[serde(default)]
    #[allow(dead_code)]
    generation: Known,
    #[serde(default)]
    #[allow(dead_code)]
    creation_timestamp: Known,
    #[serde(default)]
    #[allow(dead_code)]
    managed_fields: Known,
    #[serde(default)]
    #[allow(dead_code)]
    generate_name: Known,
    #[serde(default)]
    #[allow(dead_code)]
    owner_references: Known,
    #[serde(default)]
    #[allow(dead_code)]
    finalizers: Known,
}

/// An `apps/v1` Deployment.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    #[serde(default)]
    #[allow(dead_code)]
    api_version: Known,
    #[serde(default)]
    #[allow(dead_code)]
    kind: Known,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: DeploymentSpec,
    #[serde(default)]
    #[allow(dead_code)]
    status: Known,
}

/// Deployment spec.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentSpec {
    /// Desired replicas (default 1).
    #[serde(default)]
    pub replicas: Option<Located<i32>>,
    /// Pod selector.
    #[serde(default)]
    pub selector: Option<IgnoredAny>,
    /// Pod template.
    pub template: PodTemplate,
    /// Rollout strategy: scalesim has no rollouts.
    #[serde(default)]
    pub strategy: Option<Unmodelled>,
    /// Not modelled.
    #[serde(default)]
    pub min_ready_seconds: Option<Unmodelled>,
    #[serde(default)]
    #[allow(dead_code)]
    revision_history_limit: Known,
    #[serde(default)]
    #[allow(dead_code)]
    progress_deadline_seconds: Known,
    #[serde(default)]
    #[allow(dead_code)]
    paused: Option<Unmodelled>,
}

/// Pod template.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodTemplate {
    /// Template metadata.
    #[serde(default)]
    pub metadata: Option<ObjectMeta>,
    /// Pod spec.
    pub spec: PodSpec,
}

/// Pod spec.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    /// Containers.
    pub containers: Vec<Container>,
    /// Grace period between SIGTERM and SIGKILL, seconds (default 30).
    #[serde(default)]
    pub termination_grace_period_seconds: Option<Located<i64>>,
    /// Not modelled: init containers add to start-up time (use spec.pods.startup).
    #[serde(default)]
    pub init_containers: Option<Unmodelled>,
    /// Not modelled: scheduling constraints.
    #[serde(default)]
    pub affinity: Option<Unmodelled>,
    /// Not modelled.
    #[serde(default)]
    pub node_selector: Option<Unmodelled>,
    /// Not modelled.
    #[serde(default)]
    pub tolerations: Option<Unmodelled>,
    /// Not modelled.
    #[serde(default)]
    pub topology_spread_constraints: Option<Unmodelled>,
    /// Not modelled: pod-level resources.
    #[serde(default)]
    pub resources: Option<Unmodelled>,
    #[serde(default)]
    #[allow(dead_code)]
    priority_class_name: Option<Unmodelled>,
    #[serde(default)]
    #[allow(dead_code)]
    volumes: Known,
    #[serde(default)]
    #[allow(dead_code)]
    service_account_name: Known,
    #[serde(default)]
    #[allow(dead_code)]
    service_account: Known,
    #[serde(default)]
    #[allow(dead_code)]
    automount_service_account_token: Known,
    #[serde(default)]
    #[allow(dead_code)]
    image_pull_secrets: Known,
    #[serde(default)]
    #[allow(dead_code)]
    security_context: Known,
    #[serde(default)]
    #[allow(dead_code)]
    restart_policy: Known,
    #[serde(default)]
    #[allow(dead_code)]
    dns_policy: Known,
    #[serde(default)]
    #[allow(dead_code)]
    dns_config: Known,
    #[serde(default)]
    #[allow(dead_code)]
    host_network: Known,
    #[serde(default)]
    #[allow(dead_code)]
    hostname: Known,
    #[serde(default)]
    #[allow(dead_code)]
    subdomain: Known,
    #[serde(default)]
    #[allow(dead_code)]
    scheduler_name: Known,
    #[serde(default)]
    #[allow(dead_code)]
    enable_service_links: Known,
    #[serde(default)]
    #[allow(dead_code)]
    share_process_namespace: Option<Unmodelled>,
    #[serde(default)]
    #[allow(dead_code)]
    runtime_class_name: Known,
}

/// A container.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// Container name.
    pub name: Located<String>,
    /// `ENTRYPOINT` override.
    #[serde(default)]
    pub command: Option<Located<Vec<String>>>,
    /// `CMD` override.
    #[serde(default)]
    pub args: Option<Located<Vec<String>>>,
    /// Environment.
    #[serde(default)]
    pub env: Vec<EnvVar>,
    /// Environment from ConfigMaps/Secrets.
    #[serde(default)]
    pub env_from: Vec<EnvFromSource>,
    /// Requests and limits.
    #[serde(default)]
    pub resources: Option<Resources>,
    /// Readiness probe: when the pod turns Ready.
    #[serde(default)]
    pub readiness_probe: Option<Probe>,
    /// Not modelled: a failing liveness probe restarts the container.
    #[serde(default)]
    pub liveness_probe: Option<Unmodelled>,
    /// Not modelled.
    #[serde(default)]
    pub startup_probe: Option<Unmodelled>,
    /// `preStop` delays SIGTERM; not modelled.
    #[serde(default)]
    pub lifecycle: Option<Unmodelled>,
    #[serde(default)]
    #[allow(dead_code)]
    image: Known,
    #[serde(default)]
    #[allow(dead_code)]
    image_pull_policy: Known,
    #[serde(default)]
    #[allow(dead_code)]
    ports: Known,
    #[serde(default)]
    #[allow(dead_code)]
    volume_mounts: Known,
    #[serde(default)]
    #[allow(dead_code)]
    working_dir: Known,
    #[serde(default)]
    #[allow(dead_code)]
    security_context: Known,
    #[serde(default)]
    #[allow(dead_code)]
    termination_message_path: Known,
    #[serde(default)]
    #[allow(dead_code)]
    termination_message_policy: Known,
    #[serde(default)]
    #[allow(dead_code)]
    stdin: Known,
    #[serde(default)]
    #[allow(dead_code)]
    tty: Known,
}

/// One environment variable.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    /// Name.
    pub name: String,
    /// Literal value (`$(VAR)` references are expanded).
    #[serde(default)]
    pub value: Option<String>,
    /// Value from a ConfigMap or Secret key.
    #[serde(default)]
    pub value_from: Option<EnvVarSource>,
}

/// `valueFrom`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvVarSource {
    /// From a ConfigMap key.
    #[serde(default)]
    pub config_map_key_ref: Option<KeyRef>,
    /// From a Secret key.
    #[serde(default)]
    pub secret_key_ref: Option<KeyRef>,
    /// Not modelled (downward API).
    #[serde(default)]
    pub field_ref: Option<Unmodelled>,
    /// Not modelled.
    #[serde(default)]
    pub resource_field_ref: Option<Unmodelled>,
}

/// A key in a ConfigMap or Secret.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRef {
    /// Object name.
    pub name: String,
    /// Key.
    pub key: String,
    /// May be missing.
    #[serde(default)]
    pub optional: Option<bool>,
}

/// `envFrom`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvFromSource {
    /// All keys of a ConfigMap.
    #[serde(default)]
    pub config_map_ref: Option<NameRef>,
    /// All keys of a Secret.
    #[serde(default)]
    pub secret_ref: Option<NameRef>,
    /// Prefix added to each key.
    #[serde(default)]
    pub prefix: Option<String>,
}

/// A reference by name.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NameRef {
    /// Object name.
    pub name: String,
    /// May be missing.
    #[serde(default)]
    pub optional: Option<bool>,
}

/// Container resources.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    /// Requests (`cpu`, `memory`).
    #[serde(default)]
    pub requests: BTreeMap<String, Located<Quantity>>,
    /// Limits (`cpu`, `memory`).
    #[serde(default)]
    pub limits: BTreeMap<String, Located<Quantity>>,
    #[serde(default)]
    #[allow(dead_code)]
    claims: Known,
}

/// A probe (only timing matters here: the pod turns Ready at the first successful probe
/// after Celery is consuming).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    /// Delay before the first probe, seconds (default 0).
    #[serde(default)]
    pub initial_delay_seconds: Option<Located<i32>>,
    /// Probe period, seconds (default 10).
    #[serde(default)]
    pub period_seconds: Option<Located<i32>>,
    /// Successes needed (default 1).
    #[serde(default)]
    pub success_threshold: Option<Located<i32>>,
    #[serde(default)]
    #[allow(dead_code)]
    timeout_seconds: Known,
    #[serde(default)]
    #[allow(dead_code)]
    failure_threshold: Known,
    #[serde(default)]
    #[allow(dead_code)]
    exec: Known,
    #[serde(default)]
    #[allow(dead_code)]
    http_get: Known,
    #[serde(default)]
    #[allow(dead_code)]
    tcp_socket: Known,
    #[serde(default)]
    #[allow(dead_code)]
    grpc: Known,
    #[serde(default)]
    #[allow(dead_code)]
    termination_grace_period_seconds: Option<Unmodelled>,
}

/// A ConfigMap (for env references).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMap {
    #[serde(default)]
    #[allow(dead_code)]
    api_version: Known,
    #[serde(default)]
    #[allow(dead_code)]
    kind: Known,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Data.
    #[serde(default)]
    pub data: BTreeMap<String, String>,
    #[serde(default)]
    #[allow(dead_code)]
    binary_data: Known,
    #[serde(default)]
    #[allow(dead_code)]
    immutable: Known,
}

/// A Secret (for env references); `data` values are base64.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Secret {
    #[serde(default)]
    #[allow(dead_code)]
    api_version: Known,
    #[serde(default)]
    #[allow(dead_code)]
    kind: Known,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Base64 data.
    #[serde(default)]
    pub data: BTreeMap<String, String>,
    /// Plain data.
    #[serde(default)]
    pub string_data: BTreeMap<String, String>,
    #[serde(default, rename = "type")]
    #[allow(dead_code)]
    kind_: Known,
    #[serde(default)]
    #[allow(dead_code)]
    immutable: Known,
}

/// Decodes standard base64 (with or without padding); `None` on bad input.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Expands Kubernetes `$(VAR)` references from `env`; `$$(VAR)` escapes; unknown stay as is.
pub fn expand_vars(s: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(inner) = after.strip_prefix('(') {
            match inner.find(')') {
                Some(j) => {
                    let name = &inner[..j];
                    match env.get(name) {
                        Some(v) => out.push_str(v),
                        None => {
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    rest = &inner[j + 1..];
                }
                None => {
                    out.push('$');
                    rest = after;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_var_expansion() {
        assert_eq!(base64_decode("YWJjMTIz").unwrap(), b"abc123");
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert!(base64_decode("!!").is_none());
        let env: BTreeMap<String, String> = [("C".to_string(), "4".to_string())].into();
        assert_eq!(expand_vars("--concurrency=$(C)", &env), "--concurrency=4");
        assert_eq!(expand_vars("$$(C) $(X)", &env), "$(C) $(X)");
    }
}
