"""The operator's deployment manifests: valid Kubernetes, consistent with the code, Argo CD health in sync."""

from __future__ import annotations

import pathlib
from typing import Any

import yaml

from ecs_operator.handlers.watches import CHILD_KINDS
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


def rbac_rules() -> dict[tuple[str, str], set[str]]:
    role = next(doc for doc in documents(MANIFESTS / "rbac.yaml") if doc["kind"] == "ClusterRole")
    verbs: dict[tuple[str, str], set[str]] = {}
    for rule in role["rules"]:
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                verbs.setdefault((group, resource), set()).update(rule["verbs"])
    return verbs


def test_rbac_lets_children_block_their_owners_deletion() -> None:
    """blockOwnerDeletion: true needs update on the owner's finalizers (OwnerReferencesPermissionEnforcement)."""
    verbs = rbac_rules()
    for plural in ("ecsservices", "ecstasks", "taskdefinitions", "securitygroups", "ecsclusters"):
        assert "update" in verbs.get(("ecs.compat.dev", f"{plural}/finalizers"), set()), plural


def test_rbac_grants_nothing_the_code_does_not_use() -> None:
    verbs = rbac_rules()
    assert ("", "configmaps") not in verbs  # no ConfigMap is rendered
    assert verbs[("", "nodes")] == {"list", "watch"}  # ECSCluster's count: the nodes' labels, never a get
    assert verbs[("", "events")] == verbs[("events.k8s.io", "events")] == {"create"}  # Kopf only POSTs Events
    assert verbs[("apps", "controllerrevisions")] == {"get", "list", "watch", "create"}  # revisions: never deleted
    assert "get" in verbs[("", "pods")]  # an ECSTask reads back a Pod whose create answered 409
    for resource in ("podtemplates", "persistentvolumeclaims"):  # applied, pruned and watched
        assert verbs[("", resource)] == {"get", "list", "watch", "create", "patch", "delete"}
    for kind, (group, _, plural) in CHILD_KINDS.items():  # Kopf watches these children
        assert {"list", "watch"} <= verbs[(group, plural)], kind


def test_peering_ships_kopfs_cluster_and_namespaced_crds() -> None:
    assert "peering.yaml" in documents(MANIFESTS / "kustomization.yaml")[0]["resources"]
    crds = {
        doc["spec"]["names"]["kind"]: doc
        for doc in documents(MANIFESTS / "peering.yaml")
        if doc["kind"] == "CustomResourceDefinition"
    }
    assert set(crds) == {"ClusterKopfPeering", "KopfPeering"}
    for kind, scope, plural in (
        ("ClusterKopfPeering", "Cluster", "clusterkopfpeerings"),
        ("KopfPeering", "Namespaced", "kopfpeerings"),
    ):
        crd = crds[kind]
        validate_object(crd)
        assert (crd["spec"]["group"], crd["spec"]["scope"], crd["spec"]["names"]["plural"]) == (
            "kopf.dev",
            scope,
            plural,
        )
        assert crd["metadata"]["name"] == f"{plural}.kopf.dev"
        assert [v["name"] for v in crd["spec"]["versions"] if v["served"] and v["storage"]] == ["v1"]
    assert ("kopf.dev", "kopfpeerings") in rbac_rules() and ("kopf.dev", "clusterkopfpeerings") in rbac_rules()
