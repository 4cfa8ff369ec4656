//! HorizontalPodAutoscaler and KEDA ScaledObject manifests, read by the [`crate::hpa`] and
//! [`crate::keda`] modules and tied to the worker Deployments they scale.
//!
//! Errors become located diagnostics (exit 2 before anything runs). Conflicts the real API
//! would refuse are errors too: KEDA's admission webhook rejects a ScaledObject whose target
//! already has an HPA, or a second ScaledObject on the same target.

use crate::hpa::{HpaSpec, MetricSpec, MetricTarget, ObjectRef, SpecError, ValidationOptions};
use crate::keda::compiled::{check_conflicts, Compiled, CompiledScaledObject, ScalerInputs};

use super::*;

/// An HPA manifest, read and defaulted as the API server would.
#[derive(Clone, Debug)]
pub struct HpaDef {
    /// The spec after defaulting.
    pub spec: HpaSpec,
    /// The worker group it scales.
    pub group: usize,
    /// `HorizontalPodAutoscaler/<name>`.
    pub id: String,
}

/// A ScaledObject, compiled with its scalers and generated HPA.
#[derive(Clone, Debug)]
pub struct KedaDef {
    /// Compiled object and its HPA.
    pub compiled: Compiled,
    /// The worker group it scales.
    pub group: usize,
    /// `ScaledObject/<name>`.
    pub id: String,
}

impl Loader<'_> {
    fn spec_errors(&mut self, file: &str, object: &str, errors: Vec<SpecError>) {
        for e in errors {
            let mut d = Diagnostic::error(file, e.message)
                .in_object(object)
                .with_path(e.path);
            if let Some(o) = e.origin {
                d = d.at_origin(o, &self.overrides_raw);
            }
            self.error(d);
        }
    }

    /// The worker group a `scaleTargetRef` names; `None` with a warning (not a worker) or an
    /// error (no such Deployment at all).
    fn target_group(
        &mut self,
        m: &Manifest,
        manifests: &[Manifest],
        workers: &[WorkerGroup],
        kind: &str,
        name: &str,
    ) -> Option<usize> {
        if kind != "Deployment" {
            self.warn(
                Diagnostic::warning(
                    m.doc.file.to_string(),
                    format!(
                        "targets {kind}/{name}; scalesim scales Deployments only, so it is ignored"
                    ),
                )
                .in_object(m.id())
                .at_origin(m.doc.root.origin, &self.overrides_raw),
            );
            return None;
        }
        match workers.iter().position(|w| w.deployment == name) {
            Some(g) => Some(g),
            None => {
                let deployments: Vec<&str> = manifests
                    .iter()
                    .filter(|d| d.kind == "Deployment")
                    .map(|d| d.name.as_str())
                    .collect();
                if !deployments.contains(&name) {
                    // A typo here would silently leave the autoscaler out of the run.
                    let origin = m
                        .doc
                        .root
                        .lookup(&["spec", "scaleTargetRef", "name"])
                        .map_or(m.doc.root.origin, |n| n.origin);
                    self.error(
                        Diagnostic::error(
                            m.doc.file.to_string(),
                            format!(
                                "no Deployment {name:?} among the manifests{}; Deployments: {}",
                                crate::yaml::de::suggest(name, &deployments),
                                if deployments.is_empty() {
                                    "none".to_string()
                                } else {
                                    deployments.join(", ")
                                }
                            ),
                        )
                        .in_object(m.id())
                        .with_path("spec.scaleTargetRef.name")
                        .at_origin(origin, &self.overrides_raw),
                    );
                } else if !self.has_errors() {
                    // (With errors, the worker Deployment may be missing because it is invalid.)
                    self.warn(
                        Diagnostic::warning(m.doc.file.to_string(), format!("targets Deployment/{name}, which is not a simulated Celery worker; ignored"))
                            .in_object(m.id())
                            .at_origin(m.doc.root.origin, &self.overrides_raw),
                    );
                }
                None
            }
        }
    }

    /// Reads every HPA and ScaledObject manifest.
    pub(super) fn build_autoscalers(
        &mut self,
        manifests: &[Manifest],
        workers: &[WorkerGroup],
    ) -> (Vec<HpaDef>, Vec<KedaDef>) {
        let mut hpas = Vec::new();
        let mut kedas: Vec<KedaDef> = Vec::new();
        for m in manifests {
            let file = m.doc.file.to_string();
            let id = m.id();
            match m.kind.as_str() {
                "HorizontalPodAutoscaler" => {
                    let Some(spec) = self.read_hpa(m) else {
                        continue;
                    };
                    if let Some(group) = self.target_group(
                        m,
                        manifests,
                        workers,
                        &spec.target.kind,
                        &spec.target.name,
                    ) {
                        hpas.push(HpaDef { spec, group, id });
                    }
                }
                "ScaledObject" => {
                    let cx = DeContext::new(false, true);
                    let group_env = m
                        .doc
                        .root
                        .lookup(&["spec", "scaleTargetRef", "name"])
                        .and_then(Node::as_str)
                        .and_then(|n| workers.iter().find(|w| w.deployment == n))
                        .map(|w| w.env.clone())
                        .unwrap_or_default();
                    let inputs = ScalerInputs {
                        resolved_env: group_env,
                        ..ScalerInputs::default()
                    };
                    match CompiledScaledObject::from_node(&m.doc.root, &cx, &inputs) {
                        Ok(compiled) => {
                            for n in cx
                                .take_notes()
                                .into_iter()
                                .chain(compiled.notes.iter().cloned())
                            {
                                self.warn(
                                    Diagnostic::warning(&file, n.message)
                                        .in_object(&id)
                                        .with_path(n.path)
                                        .at_origin(n.origin, &self.overrides_raw),
                                );
                            }
                            let target = &compiled.object.so.spec.scale_target_ref;
                            let (kind, name) = (
                                target.kind.clone().unwrap_or_else(|| "Deployment".into()),
                                target.name.value.clone(),
                            );
                            if let Some(group) =
                                self.target_group(m, manifests, workers, &kind, &name)
                            {
                                kedas.push(KedaDef {
                                    compiled,
                                    group,
                                    id,
                                });
                            }
                        }
                        Err(errors) => {
                            for n in cx.take_notes() {
                                self.warn(
                                    Diagnostic::warning(&file, n.message)
                                        .in_object(&id)
                                        .with_path(n.path)
                                        .at_origin(n.origin, &self.overrides_raw),
                                );
                            }
                            for e in errors {
                                self.error(Diagnostic::from_de(
                                    &e,
                                    &file,
                                    Some(&id),
                                    &self.overrides_raw,
                                ));
                            }
                        }
                    }
                }
                "TriggerAuthentication" | "ClusterTriggerAuthentication" => {
                    self.warn(
                        Diagnostic::warning(&file, "TriggerAuthentication is not read: scalesim needs no credentials; give trigger parameters in the ScaledObject")
                            .in_object(&id)
                            .at_origin(m.doc.root.origin, &self.overrides_raw),
                    );
                }
                _ => {}
            }
        }
        // What the API would refuse.
        let objects: Vec<&crate::keda::scaledobject::ScaledObject> =
            kedas.iter().map(|k| &k.compiled.object.so).collect();
        for e in check_conflicts(&objects) {
            self.error(
                Diagnostic::error(self_file(manifests, "ScaledObject"), e.message)
                    .with_path(e.path),
            );
        }
        for k in &kedas {
            if let Some(h) = hpas.iter().find(|h| h.group == k.group) {
                self.error(Diagnostic::error(
                    self_file(manifests, "ScaledObject"),
                    format!(
                        "{} and {} both scale Deployment/{}: KEDA's admission webhook rejects a ScaledObject whose target already has an HPA (it creates its own, keda-hpa-{})",
                        h.id, k.id, workers[k.group].deployment, k.compiled.object.so.name()
                    ),
                ));
            }
        }
        (hpas, kedas)
    }

    fn read_hpa(&mut self, m: &Manifest) -> Option<HpaSpec> {
        let file = m.doc.file.to_string();
        let id = m.id();
        let cx = DeContext::new(false, true);
        let opts = ValidationOptions::default();
        let result = match m.api_version.as_str() {
            "autoscaling/v2" => HpaSpec::from_manifest(&m.doc.root, &cx, &opts),
            "autoscaling/v2beta2" => {
                self.warn(
                    Diagnostic::warning(&file, "autoscaling/v2beta2 was removed in Kubernetes 1.26; read as autoscaling/v2 (same fields)")
                        .in_object(&id)
                        .at_origin(m.doc.root.origin, &self.overrides_raw),
                );
                let mut root = m.doc.root.clone();
                if let Some(v) = root.get_mut("apiVersion") {
                    v.kind = crate::yaml::Kind::Scalar(
                        "autoscaling/v2".into(),
                        crate::yaml::Style::Plain,
                    );
                }
                HpaSpec::from_manifest(&root, &cx, &opts)
            }
            "autoscaling/v1" => return self.read_hpa_v1(m),
            other => Err(vec![SpecError {
                path: "apiVersion".into(),
                origin: m.doc.root.get("apiVersion").map(|n| n.origin),
                message: format!(
                    "unsupported apiVersion {other:?}: expected autoscaling/v2 (or v1)"
                ),
            }]),
        };
        for n in cx.take_notes() {
            self.warn(
                Diagnostic::warning(&file, n.message)
                    .in_object(&id)
                    .with_path(n.path)
                    .at_origin(n.origin, &self.overrides_raw),
            );
        }
        match result {
            Ok(s) => Some(s),
            Err(errors) => {
                self.spec_errors(&file, &id, errors);
                None
            }
        }
    }

    /// `autoscaling/v1`: `targetCPUUtilizationPercentage` (default 80) is a CPU Utilization
    /// metric, exactly as the API server converts it to v2.
    fn read_hpa_v1(&mut self, m: &Manifest) -> Option<HpaSpec> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct V1 {
            #[allow(dead_code)]
            api_version: String,
            #[allow(dead_code)]
            kind: String,
            metadata: k8s::ObjectMeta,
            spec: V1Spec,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct V1Spec {
            scale_target_ref: V1Ref,
            min_replicas: Option<i32>,
            max_replicas: i32,
            #[serde(rename = "targetCPUUtilizationPercentage")]
            target_cpu: Option<i32>,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct V1Ref {
            kind: String,
            name: String,
            #[serde(default)]
            api_version: Option<String>,
        }
        let file = m.doc.file.to_string();
        let id = m.id();
        let cx = DeContext::new(false, true);
        let v1: V1 = self.de(&m.doc.root, "", &cx, &file, Some(&id))?;
        let target = v1.spec.target_cpu.unwrap_or(80);
        let spec = HpaSpec::new(
            &v1.metadata.name.map(|n| n.value).unwrap_or_default(),
            v1.metadata.namespace.as_deref().unwrap_or("default"),
            ObjectRef::new(
                v1.spec
                    .scale_target_ref
                    .api_version
                    .as_deref()
                    .unwrap_or("apps/v1"),
                &v1.spec.scale_target_ref.kind,
                &v1.spec.scale_target_ref.name,
            ),
            v1.spec.min_replicas.unwrap_or(1),
            v1.spec.max_replicas,
            vec![MetricSpec::Resource {
                name: "cpu".into(),
                target: MetricTarget::Utilization(target),
            }],
            None,
        );
        let errors = spec.validate(&ValidationOptions::default());
        if !errors.is_empty() {
            self.spec_errors(&file, &id, errors);
            return None;
        }
        Some(spec)
    }
}

fn self_file(manifests: &[Manifest], kind: &str) -> String {
    manifests
        .iter()
        .find(|m| m.kind == kind)
        .map(|m| m.doc.file.to_string())
        .unwrap_or_default()
}
