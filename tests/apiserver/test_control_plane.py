"""The control plane is the real thing: the API server validates and defaults, the controllers and the
scheduler act, kwok plays the kubelet, and RBAC holds for the operator's account."""

from __future__ import annotations

import pytest

from ecs_operator.localcluster.controlplane import ControlPlane, kind_workers
from ecs_operator.localcluster.operator import OperatorProcess
from tests.apiserver.kube import ApiError, Kube, eventually

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "plain"},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "plain"}},
        "template": {
            "metadata": {"labels": {"app": "plain"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27-alpine"}]},
        },
    },
}


def test_the_api_server_refuses_an_invalid_object_with_its_own_message(kube: Kube, namespace: str) -> None:
    invalid = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replicas": -1}}
    with pytest.raises(ApiError) as refused:
        kube.create(invalid, namespace)
    assert refused.value.status == 422
    assert "spec.replicas: Invalid value: -1: must be greater than or equal to 0" in str(refused.value.body)


def test_controllers_scheduler_and_kwok_run_a_deployment_with_server_side_defaults(kube: Kube, namespace: str) -> None:
    kube.create(DEPLOYMENT, namespace)

    def running_pods() -> list[dict[str, object]] | None:
        pods = kube.list("Pod", namespace, "app=plain")
        running = [pod for pod in pods if (pod.get("status") or {}).get("phase") == "Running"]
        return running if len(running) == 2 else None

    pods = eventually(running_pods, what="two Running pods of the Deployment (ReplicaSet controller, scheduler, kwok)")
    workers = {node["metadata"]["name"] for node in kind_workers()}
    for pod in pods:
        spec = pod["spec"]
        assert spec["nodeName"] in workers  # scheduled onto a kwok node
        container = spec["containers"][0]
        # Defaults only the API server adds:
        assert container["imagePullPolicy"] == "IfNotPresent"
        assert container["terminationMessagePath"] == "/dev/termination-log"
        assert spec["restartPolicy"] == "Always"
        assert spec["schedulerName"] == "default-scheduler"
        assert spec["dnsPolicy"] == "ClusterFirst"
        assert {t["key"] for t in spec["tolerations"]} >= {"node.kubernetes.io/not-ready"}  # admission plugin
        assert pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"


def test_the_nodes_are_the_kind_configs_workers(kube: Kube, control_plane: ControlPlane) -> None:
    nodes = {node["metadata"]["name"]: node for node in kube.list("Node")}
    for expected in kind_workers():
        node = nodes[expected["metadata"]["name"]]
        assert node["metadata"]["labels"].items() >= expected["metadata"]["labels"].items()
        # node.kubernetes.io/* taints are the node lifecycle controller's (not-ready for a moment at start-up)
        own = [t for t in node["spec"].get("taints") or [] if not t["key"].startswith("node.kubernetes.io/")]
        assert own == expected["spec"]["taints"]
    spot = [
        node
        for node in nodes.values()
        if node["metadata"]["labels"].get("ecs.compat.dev/capacity-provider") == "FARGATE_SPOT"
    ]
    assert spot and all(any(t["key"] == "ecs.compat.dev/spot" for t in node["spec"]["taints"]) for node in spot)


def test_the_operator_runs_under_its_own_rbac(kube: Kube, operator: OperatorProcess, namespace: str) -> None:
    """The operator's account may do what manifests/ grants and nothing else: it may not read Secrets."""
    review = kube.create(
        {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {
                "user": operator.username,
                "groups": ["system:serviceaccounts"],
                "resourceAttributes": {"namespace": namespace, "verb": "get", "resource": "secrets"},
            },
        }
    )
    assert review["status"]["allowed"] is False
    assert operator.requests(), "the audit log records the operator's requests under its ServiceAccount"
