"""Every example in examples/ converges on the real control plane to what the docs promise: the children that
``ecs-operator render`` shows offline, and every resource Ready with its ECS status (services at their desired
count with a COMPLETED deployment and a steady-state event, tasks RUNNING, security groups Enforced)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecs_operator.localcluster.operator import OperatorProcess
from tests.apiserver.kube import Kube, condition, eventually

JsonDict = dict[str, Any]
EXAMPLES = sorted(path for path in (Path(__file__).parents[2] / "examples").iterdir() if path.is_dir())
MANAGED_BY = "app.kubernetes.io/managed-by=ecs-operator"
CHILD_KINDS = (
    "Deployment",
    "DaemonSet",
    "Service",
    "Ingress",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "ServiceAccount",
    "PodTemplate",
    "PersistentVolumeClaim",
    "Pod",
)
READY_REASONS = {
    "ECSCluster": "Active",
    "TaskDefinition": "Registered",
    "ECSService": "SteadyState",
    "ECSTask": "Running",
    "SecurityGroup": "Enforced",
}


def resources_of(example: Path) -> list[JsonDict]:
    return [doc for doc in yaml.safe_load_all((example / f"{example.name}.yaml").read_text()) if doc]


def rendered_children(example: Path) -> Counter[tuple[str, str]]:
    """(kind, name) of what ``ecs-operator render`` makes of the example; task Pods (random names) by kind."""
    cli = Path(sys.executable).with_name("ecs-operator")
    result = subprocess.run([str(cli), "render", "-f", str(example), "-o", "json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    # Render passes an example's own Kubernetes objects through (a log agent's DaemonSet): not the operator's.
    ours = [item for item in items if (item["metadata"].get("labels") or {}).get("app.kubernetes.io/managed-by")]
    return Counter(child_key(item) for item in ours)


def child_key(obj: JsonDict) -> tuple[str, str]:
    return (obj["kind"], "*" if obj["kind"] == "Pod" else obj["metadata"]["name"])


def live_children(kube: Kube, namespace: str) -> Counter[tuple[str, str]]:
    children = Counter[tuple[str, str]]()
    for kind in CHILD_KINDS:
        for obj in kube.list(kind, namespace, MANAGED_BY):
            if kind == "Pod" and "ecs.compat.dev/task" not in (obj["metadata"].get("labels") or {}):
                continue  # a service's Pods are its ReplicaSet's, not the operator's
            children[child_key(obj)] += 1
    return children


def promised_status(kind: str, status: JsonDict) -> bool:
    """The ECS status the docs promise once a resource has converged."""
    if kind == "ECSService":
        deployments = status.get("deployments") or []
        return bool(
            status.get("runningCount") == status.get("desiredCount")
            and status.get("pendingCount") == 0
            and deployments
            and deployments[0].get("status") == "PRIMARY"
            and deployments[0].get("rolloutState") == "COMPLETED"
            and "has reached a steady state" in ((status.get("events") or [{}])[0].get("message") or "")
        )
    if kind == "ECSTask":
        return status.get("lastStatus") == "RUNNING" and status.get("desiredStatus") == "RUNNING"
    if kind == "TaskDefinition":
        return status.get("revision") == 1 and status.get("status") == "ACTIVE"
    if kind == "SecurityGroup":
        return bool(status.get("GroupId"))
    return status.get("status") == "ACTIVE"


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_the_example_converges(example: Path, kube: Kube, operator: OperatorProcess, namespace: str) -> None:
    resources = resources_of(example)
    for resource in resources:
        kube.apply(resource, namespace)

    def converged() -> bool:
        for resource in resources:
            live = kube.get(resource["kind"], resource["metadata"]["name"], namespace) or {}
            ready = condition(live, "Ready")
            if ready.get("status") != "True" or ready.get("reason") != READY_REASONS[resource["kind"]]:
                return False
            if not promised_status(resource["kind"], live.get("status") or {}):
                return False
        return True

    def statuses() -> str:
        lines = []
        for resource in resources:
            live = kube.get(resource["kind"], resource["metadata"]["name"], namespace) or {}
            lines.append(f"{resource['kind']}/{resource['metadata']['name']}: {json.dumps(live.get('status'))[:600]}")
        return "\n".join(lines) + "\n" + operator.log_tail(30)

    eventually(converged, what=f"{example.name} to converge", detail=statuses)
    expected = rendered_children(example)
    eventually(
        lambda: live_children(kube, namespace) == expected,
        what="the rendered children",
        detail=lambda: (
            f"rendered: {sorted(expected.items())}\nlive:     {sorted(live_children(kube, namespace).items())}"
        ),
    )
