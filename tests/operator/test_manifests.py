"""The operator's deployment manifests: valid Kubernetes, consistent with the code, Argo CD health in sync."""

from __future__ import annotations

import pathlib
import re
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


def test_leader_election_needs_only_its_lease_and_no_custom_resource() -> None:
    """#34: nothing in manifests/ is an object of a CRD (a CRD and an object of it cannot go in one apply), so
    `kubectl apply -k manifests/` works in one go on an empty cluster; the Lease needs a namespaced Role."""
    names = documents(MANIFESTS / "kustomization.yaml")[0]["resources"]
    every = [doc for name in names for doc in documents(MANIFESTS / name)]
    assert all(doc["apiVersion"].split("/")[0] in BUILT_IN_GROUPS for doc in every), [d["kind"] for d in every]
    assert not [doc for doc in every if doc["kind"] == "CustomResourceDefinition"]
    role = next(doc for doc in every if doc["kind"] == "Role")
    assert role["metadata"]["namespace"] == "ecs-system"
    rules = {(tuple(rule["verbs"]), tuple(rule.get("resourceNames") or ())) for rule in role["rules"]}
    assert rules == {(("create",), ()), (("get", "update"), ("ecs-operator",))}
    assert ("kopf.dev", "clusterkopfpeerings") not in rbac_rules()
    deployment = documents(MANIFESTS / "deployment.yaml")[0]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert "--peering=ecs-operator" in container["args"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    env = {item["name"]: item for item in container["env"]}
    assert env["POD_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace"


BUILT_IN_GROUPS = {"v1", "apps", "rbac.authorization.k8s.io", "coordination.k8s.io"}


KIND_NODE_IMAGE = re.compile(r"^kindest/node:v(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)@sha256:[0-9a-f]{64}$")


def test_every_kind_node_runs_a_pinned_image_of_a_version_the_docs_promise() -> None:
    """#33: without ``image`` the node version is whatever the local kind binary defaults to (1.27 for kind <=
    0.20, where native sidecars are refused); a tag can be re-pushed, a digest cannot."""
    config = documents(ROOT / "kind-config.yaml")[0]
    images = [node.get("image", "") for node in config["nodes"]]
    assert images and len(set(images)) == 1, images  # every node, one version
    match = KIND_NODE_IMAGE.match(images[0])
    assert match is not None, f"{images[0]!r} is not kindest/node:vX.Y.Z@sha256:<digest>"
    version = (int(match["major"]), int(match["minor"]))
    assert version >= (1, 30), "the docs promise 1.29+ (native sidecars) and 1.30+ (AppArmor fields) on kind"
    operator_doc = (ROOT / "docs" / "operator.md").read_text()
    assert f"{match['major']}.{match['minor']}" in operator_doc  # the docs name the version the config pins
