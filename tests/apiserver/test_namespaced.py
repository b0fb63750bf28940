"""#20 on the real control plane: the operator limited to a namespace (``manifests/namespaced/``) needs, and
makes, no cluster-wide request. Installed as that overlay builds it (its namespaces renamed to the test's own),
under a ServiceAccount that has only the overlay's RBAC, it converges an example in the namespace it watches,
leaves one in another namespace alone, and the API server's audit log shows no list or watch of anything across
the cluster, no request to the other namespace and no request refused."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecs_operator.localcluster.controlplane import ControlPlane
from ecs_operator.localcluster.install import MANIFESTS
from ecs_operator.localcluster.operator import OperatorProcess
from tests.apiserver.conftest import TEST_ENVIRONMENT
from tests.apiserver.kube import Kube, condition, eventually
from tests.apiserver.operator_helpers import readyz, session_operator_stopped

JsonDict = dict[str, Any]
GROUP = "ecs.compat.dev/v1alpha1"
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_NAMESPACE = "apps"  # what manifests/namespaced/ watches as written
OPERATOR_NAMESPACE = "ecs-system"


def renamed(objects: list[JsonDict], operator_namespace: str, watched: str) -> list[JsonDict]:
    """The overlay's objects with its namespaces renamed (the operator's and the watched one): the edit
    manifests/namespaced/kustomization.yaml documents, and an operator of its own beside the session's."""
    names = {OPERATOR_NAMESPACE: operator_namespace, EXAMPLE_NAMESPACE: watched}
    found = []
    for original in objects:
        obj = copy.deepcopy(original)
        meta = obj["metadata"]
        if obj["kind"] == "Namespace":
            meta["name"] = names.get(meta["name"], meta["name"])
        if "namespace" in meta:
            meta["namespace"] = names.get(meta["namespace"], meta["namespace"])
        for subject in obj.get("subjects") or []:
            subject["namespace"] = names.get(subject["namespace"], subject["namespace"])
        if obj["kind"] == "Deployment":
            container = obj["spec"]["template"]["spec"]["containers"][0]
            container["args"] = [
                f"--namespace={watched}" if arg == f"--namespace={EXAMPLE_NAMESPACE}" else arg
                for arg in container["args"]
            ]
        found.append(obj)
    return found


@pytest.fixture
def namespaces(kube: Kube) -> Iterator[tuple[str, str, str]]:
    """(the operator's namespace, the watched one, another one), created for the test and deleted after it."""
    suffix = uuid.uuid4().hex[:6]
    names = (f"ecs-scoped-{suffix}", f"watched-{suffix}", f"other-{suffix}")
    for name in names[1:]:  # the operator's comes with the overlay
        kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    yield names
    for name in names:
        kube.delete("Namespace", name)


def example(kube: Kube, namespace: str) -> None:
    cluster = {"apiVersion": GROUP, "kind": "ECSCluster", "metadata": {"name": "default"}, "spec": {}}
    kube.apply(cluster, namespace)
    for document in yaml.safe_load_all((ROOT / "examples" / "hello" / "hello.yaml").read_text()):
        if document:
            kube.apply(document, namespace)


def test_an_operator_limited_to_a_namespace_needs_and_makes_no_cluster_wide_request(
    control_plane: ControlPlane,
    kube: Kube,
    operator: OperatorProcess,
    namespaces: tuple[str, str, str],
    tmp_path: Path,
) -> None:
    home, watched, other = namespaces
    built = yaml.safe_load_all(control_plane.kubectl("kustomize", str(MANIFESTS / "namespaced")).stdout)
    objects = renamed([doc for doc in built if doc], home, watched)
    assert not [obj for obj in objects if obj["kind"] == "ClusterRoleBinding"]
    control_plane.apply([obj for obj in objects if obj["kind"] != "Deployment"])
    scoped = OperatorProcess.from_manifests(control_plane, objects, tmp_path, TEST_ENVIRONMENT)
    assert f"--namespace={watched}" in scoped.args and "--all-namespaces" not in scoped.args
    assert scoped.username == f"system:serviceaccount:{home}:ecs-operator"

    example(kube, other)  # first: had the operator any eye on it, it would have seen it first
    with session_operator_stopped(operator):  # it watches every namespace
        scoped.start()
        try:
            eventually(lambda: readyz(scoped)[0] == 200, what="ready", detail=scoped.log_tail)
            example(kube, watched)

            def steady() -> JsonDict | None:
                live = kube.get("ECSService", "hello", watched)
                return live if condition(live, "Ready").get("reason") == "SteadyState" else None

            eventually(steady, what="examples/hello steady in the watched namespace", detail=scoped.log_tail)
            cluster = eventually(
                lambda: (kube.get("ECSCluster", "default", watched) or {}).get("status", {}).get("activeServicesCount"),
                what="the cluster's counts",
                detail=scoped.log_tail,
            )
            assert cluster == 1
        finally:
            scoped.stop()

    status = (kube.get("ECSCluster", "default", watched) or {}).get("status") or {}
    assert "registeredContainerInstancesCount" not in status  # nodes are not read when limited to namespaces
    assert kube.list("Deployment", watched, "app.kubernetes.io/managed-by=ecs-operator")
    assert not (kube.get("ECSService", "hello", other) or {}).get("status")
    assert not kube.list("Deployment", other)

    requests = scoped.requests()
    reads = [event for event in requests if event["verb"] in ("list", "watch")]
    assert {ref(event).get("resource") for event in reads} >= {"ecsservices", "pods", "deployments"}
    across = [shown(event) for event in reads if not ref(event).get("namespace")]
    assert not across, across
    assert {ref(event)["namespace"] for event in reads} == {watched}
    assert not [shown(event) for event in requests if ref(event).get("namespace") == other]
    refused = [shown(event) for event in requests if (event.get("responseStatus") or {}).get("code") == 403]
    assert not refused, refused


def ref(event: JsonDict) -> JsonDict:
    return event.get("objectRef") or {}


def shown(event: JsonDict) -> str:
    return f"{event['verb']} {event['requestURI']}"
