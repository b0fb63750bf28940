"""The operator's deployment manifests: valid Kubernetes, consistent with the code, Argo CD health in sync."""

from __future__ import annotations

import pathlib
from typing import Any

import yaml

from ecs_operator.k8s.client import KINDS
from tests.k8s_schema import validate_object

ROOT = pathlib.Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "manifests"


def documents(path: pathlib.Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def test_every_manifest_is_valid_kubernetes() -> None:
    kustomization = documents(MANIFESTS / "kustomization.yaml")[0]
    checked = 0
    for name in kustomization["resources"]:
        for doc in documents(MANIFESTS / name):
            if doc["apiVersion"].startswith("kopf.dev/"):
                continue  # an instance of Kopf's own CRD, defined beside it
            validate_object(doc)
            checked += 1
    assert checked >= 6


def test_the_operator_runs_as_non_root_with_a_read_only_root_and_liveness_probe() -> None:
    deployment = documents(MANIFESTS / "deployment.yaml")[0]
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert "--liveness=http://0.0.0.0:8080/healthz" in container["args"]
    assert container["resources"]["requests"]


def test_rbac_covers_every_kind_the_operator_touches() -> None:
    role = next(doc for doc in documents(MANIFESTS / "rbac.yaml") if doc["kind"] == "ClusterRole")
    granted = {
        (group, resource) for rule in role["rules"] for group in rule["apiGroups"] for resource in rule["resources"]
    }
    for kind in KINDS.values():
        group = kind.api_version.rpartition("/")[0]
        assert (group, kind.plural) in granted, f"no RBAC rule for {kind.plural}"


def test_argocd_health_checks_embed_health_lua_for_every_kind() -> None:
    lua = (MANIFESTS / "argocd" / "health.lua").read_text()
    config = documents(MANIFESTS / "argocd" / "argocd-cm-patch.yaml")[0]
    for kind in ("ECSCluster", "TaskDefinition", "ECSService", "ECSTask", "SecurityGroup"):
        assert config["data"][f"resource.customizations.health.ecs.compat.dev_{kind}"] == lua
    application = documents(MANIFESTS / "argocd" / "application.yaml")[0]
    assert application["kind"] == "Application"
