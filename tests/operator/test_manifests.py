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
BASE = MANIFESTS / "base"


def documents(path: pathlib.Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def resources(directory: pathlib.Path) -> list[dict[str, Any]]:
    """The objects a kustomization's ``resources`` name, through the directories it names (patches aside:
    tests/apiserver builds the kustomizations with kubectl)."""
    found = []
    for name in documents(directory / "kustomization.yaml")[0]["resources"]:
        path = (directory / name).resolve()
        found += resources(path) if path.is_dir() else documents(path)
    return found


def cluster_role(name: str) -> dict[str, Any]:
    return next(doc for doc in resources(MANIFESTS) if doc["kind"] == "ClusterRole" and doc["metadata"]["name"] == name)


def test_every_manifest_is_valid_kubernetes() -> None:
    checked = 0
    for doc in resources(MANIFESTS) + documents(MANIFESTS / "namespaced" / "rolebindings.yaml"):
        validate_object(doc)
        checked += 1
    assert checked >= 6


def test_the_operator_runs_as_non_root_with_a_read_only_root_and_liveness_probe() -> None:
    deployment = documents(BASE / "deployment.yaml")[0]
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert "--liveness=http://0.0.0.0:8080/healthz" in container["args"]
    assert container["resources"]["requests"]


def test_rbac_covers_every_kind_the_operator_touches() -> None:
    role = cluster_role("ecs-operator")
    granted = {
        (group, resource) for rule in role["rules"] for group in rule["apiGroups"] for resource in rule["resources"]
    }
    for kind in KINDS.values():
        if not kind.namespaced:
            continue  # nodes: the cluster-wide install's own ClusterRole (below)
        group = kind.api_version.rpartition("/")[0]
        assert (group, kind.plural) in granted, f"no RBAC rule for {kind.plural}"


def test_argocd_health_checks_embed_health_lua_for_every_kind() -> None:
    lua = (MANIFESTS / "argocd" / "health.lua").read_text()
    config = documents(MANIFESTS / "argocd" / "argocd-cm-patch.yaml")[0]
    for kind in ("ECSCluster", "TaskDefinition", "ECSService", "ECSTask", "SecurityGroup"):
        assert config["data"][f"resource.customizations.health.ecs.compat.dev_{kind}"] == lua
    application = documents(MANIFESTS / "argocd" / "application.yaml")[0]
    assert application["kind"] == "Application"


def test_argocd_application_ignores_exactly_the_annotations_the_operator_writes_on_its_resources() -> None:
    from ecs_operator.handlers.service import ANNOTATION_FAILED

    application = documents(MANIFESTS / "argocd" / "application.yaml")[0]
    ignored = [path for entry in application["spec"]["ignoreDifferences"] for path in entry["jqPathExpressions"]]
    assert ignored == [f'.metadata.annotations["{ANNOTATION_FAILED}"]']


def rbac_rules(name: str = "ecs-operator") -> dict[tuple[str, str], set[str]]:
    role = cluster_role(name)
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
    assert rbac_rules("ecs-operator-nodes") == {("", "nodes"): {"list", "watch"}}  # ECSCluster's count: labels
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
    every = resources(MANIFESTS)
    assert all(doc["apiVersion"].split("/")[0] in BUILT_IN_GROUPS for doc in every), [d["kind"] for d in every]
    assert not [doc for doc in every if doc["kind"] == "CustomResourceDefinition"]
    role = next(doc for doc in every if doc["kind"] == "Role" and doc["metadata"]["name"].endswith("-election"))
    assert role["metadata"]["namespace"] == "ecs-system"
    rules = {(tuple(rule["verbs"]), tuple(rule.get("resourceNames") or ())) for rule in role["rules"]}
    assert rules == {(("create",), ()), (("get", "update"), ("ecs-operator",))}
    assert ("kopf.dev", "clusterkopfpeerings") not in rbac_rules()
    deployment = documents(BASE / "deployment.yaml")[0]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert "--peering=ecs-operator" in container["args"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    env = {item["name"]: item for item in container["env"]}
    assert env["POD_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace"


BUILT_IN_GROUPS = {"v1", "apps", "rbac.authorization.k8s.io", "coordination.k8s.io"}
# What the operator and the ECS API may read or write that is not in a namespace: only the cluster-wide install's.
CLUSTER_SCOPED = {("", "nodes"), ("", "namespaces"), ("apiextensions.k8s.io", "customresourcedefinitions")}


def test_the_roles_every_install_binds_grant_nothing_cluster_scoped() -> None:
    """Namespaced mode: what every mode needs is namespaced, so a RoleBinding grants all of it (nodes are the
    cluster-wide install's alone: manifests/rbac-all-namespaces.yaml); no one needs CRDs or namespaces read."""
    for name in ("ecs-operator", "ecs-operator-api"):
        granted = set(rbac_rules(name))
        assert not (granted & CLUSTER_SCOPED) - {("", "nodes")}, name
    assert ("", "nodes") not in rbac_rules("ecs-operator")
    base = [doc["kind"] for doc in resources(BASE)]
    assert "ClusterRoleBinding" not in base
    everything = documents(MANIFESTS / "rbac-all-namespaces.yaml")
    assert {doc["metadata"]["name"] for doc in everything if doc["kind"] == "ClusterRoleBinding"} == {
        "ecs-operator",
        "ecs-operator-api",
        "ecs-operator-nodes",
    }
    overlay = documents(MANIFESTS / "namespaced" / "kustomization.yaml")[0]
    assert overlay["resources"] == ["../base", "rolebindings.yaml"]
    bindings = documents(MANIFESTS / "namespaced" / "rolebindings.yaml")
    assert {(doc["kind"], doc["roleRef"]["name"]) for doc in bindings} == {
        ("RoleBinding", "ecs-operator"),
        ("RoleBinding", "ecs-operator-api"),
    }


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
