"""The ECS lifecycle on the real control plane: revisions roll out, a RunTask runs to STOPPED, a security group
change reaches its NetworkPolicies, a deleted service's children are garbage-collected, and a restarted
operator writes nothing when nothing changed."""

from __future__ import annotations

import copy
from typing import Any

from ecs_operator.localcluster.operator import OperatorProcess
from tests.apiserver.kube import Kube, condition, eventually

JsonDict = dict[str, Any]
GROUP = "ecs.compat.dev/v1alpha1"
WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection"}


def task_definition(name: str, image: str = "nginx:1.27-alpine", environment: dict[str, str] | None = None) -> JsonDict:
    container: JsonDict = {"name": "main", "image": image, "essential": True, "memory": 128}
    if environment:
        container["environment"] = [{"name": key, "value": value} for key, value in environment.items()]
    return {
        "apiVersion": GROUP,
        "kind": "TaskDefinition",
        "metadata": {"name": name},
        "spec": {"family": name, "networkMode": "awsvpc", "containerDefinitions": [container]},
    }


def service(name: str, task_definition: str, desired: int = 2, security_groups: list[str] | None = None) -> JsonDict:
    spec: JsonDict = {"taskDefinition": task_definition, "desiredCount": desired}
    if security_groups:
        spec["networkConfiguration"] = {
            "awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": security_groups}
        }
    return {"apiVersion": GROUP, "kind": "ECSService", "metadata": {"name": name}, "spec": spec}


def steady(kube: Kube, namespace: str, name: str, task_definition: str) -> JsonDict | None:
    """The service's status once ECS would call it steady on ``task_definition``."""
    live = kube.get("ECSService", name, namespace)
    status = (live or {}).get("status") or {}
    deployments = status.get("deployments") or []
    if (
        condition(live, "Ready").get("reason") == "SteadyState"
        and status.get("taskDefinition") == task_definition
        and status.get("runningCount") == status.get("desiredCount")
        and len(deployments) == 1
        and deployments[0].get("rolloutState") == "COMPLETED"
    ):
        return status
    return None


def run_steady_service(kube: Kube, operator: OperatorProcess, namespace: str, name: str) -> None:
    """A task definition and a service of two tasks on it, both called ``name``, once steady."""
    kube.apply(task_definition(name), namespace)
    kube.apply(service(name, name, desired=2), namespace)
    eventually(lambda: steady(kube, namespace, name, f"{name}:1"), what=f"{name} steady", detail=operator.log_tail)


def test_a_new_revision_rolls_out(kube: Kube, operator: OperatorProcess, namespace: str) -> None:
    kube.apply(task_definition("web"), namespace)
    kube.apply(service("web", "web"), namespace)
    eventually(lambda: steady(kube, namespace, "web", "web:1"), what="web steady on web:1", detail=operator.log_tail)

    kube.apply(task_definition("web", image="nginx:1.28-alpine"), namespace)
    status = eventually(
        lambda: steady(kube, namespace, "web", "web:2"), what="web steady on web:2", detail=operator.log_tail
    )
    assert "deployment completed" in " ".join(event["message"] for event in status["events"])
    pods = [
        pod
        for pod in kube.list("Pod", namespace, "ecs.compat.dev/service=web")
        if not pod["metadata"].get("deletionTimestamp")
    ]
    assert {pod["spec"]["containers"][0]["image"] for pod in pods} == {"nginx:1.28-alpine"}
    assert {pod["metadata"]["labels"]["ecs.compat.dev/task-definition"] for pod in pods} == {"web-2"}
    revisions = kube.get("TaskDefinition", "web", namespace)["status"]["revisions"]  # type: ignore[index]
    assert [(r["revision"], r["status"]) for r in revisions] == [(1, "ACTIVE"), (2, "ACTIVE")]


def test_a_run_task_runs_to_stopped_with_exit_code_0(kube: Kube, operator: OperatorProcess, namespace: str) -> None:
    # On kwok no container runs: KWOK_EXIT_CODE makes the simulated container exit with that code.
    kube.apply(task_definition("report", environment={"KWOK_EXIT_CODE": "0"}), namespace)
    kube.apply(
        {"apiVersion": GROUP, "kind": "ECSTask", "metadata": {"name": "nightly"}, "spec": {"taskDefinition": "report"}},
        namespace,
    )

    def stopped() -> JsonDict | None:
        status = (kube.get("ECSTask", "nightly", namespace) or {}).get("status") or {}
        return status if status.get("lastStatus") == "STOPPED" else None

    status = eventually(stopped, what="the task to stop", detail=operator.log_tail)
    assert status["stopCode"] == "EssentialContainerExited"
    [task] = status["tasks"]
    assert [(c["name"], c["exitCode"]) for c in task["containers"]] == [("main", 0)]
    assert status["startedAt"] <= status["stoppedAt"]


def test_a_security_group_change_updates_its_network_policies(
    kube: Kube, operator: OperatorProcess, namespace: str
) -> None:
    group = {
        "apiVersion": GROUP,
        "kind": "SecurityGroup",
        "metadata": {"name": "web-sg"},
        "spec": {
            "IpPermissions": [
                {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
            ]
        },
    }
    kube.apply(group, namespace)
    kube.apply(task_definition("api"), namespace)
    kube.apply(service("api", "api", desired=1, security_groups=["web-sg"]), namespace)

    def ingress_ports() -> list[int] | None:
        policies = kube.list("NetworkPolicy", namespace, "app.kubernetes.io/managed-by=ecs-operator")
        ports = sorted(
            port["port"]
            for policy in policies
            for rule in policy["spec"].get("ingress") or []
            for port in rule.get("ports") or []
        )
        return ports or None

    assert eventually(ingress_ports, what="the group's NetworkPolicy", detail=operator.log_tail) == [80]
    changed = copy.deepcopy(group)
    changed["spec"]["IpPermissions"][0].update({"FromPort": 8080, "ToPort": 8080})
    kube.apply(changed, namespace)
    eventually(lambda: ingress_ports() == [8080], what="port 8080 in the NetworkPolicy", detail=operator.log_tail)


def test_deleting_a_service_garbage_collects_what_it_owned(
    kube: Kube, operator: OperatorProcess, namespace: str
) -> None:
    run_steady_service(kube, operator, namespace, "gone")
    owned = {"Deployment": "gone", "PodDisruptionBudget": "gone"}
    assert all(kube.get(kind, name, namespace) for kind, name in owned.items())

    kube.delete("ECSService", "gone", namespace)

    def collected() -> bool:
        left = [kind for kind, name in owned.items() if kube.get(kind, name, namespace)]
        pods = kube.list("Pod", namespace, "ecs.compat.dev/service=gone")
        return not left and not pods and kube.get("ECSService", "gone", namespace) is None

    eventually(collected, what="the service, its Deployment, PDB and Pods to be gone", detail=operator.log_tail)


def test_a_restarted_operator_writes_nothing_when_nothing_changed(
    kube: Kube, operator: OperatorProcess, namespace: str
) -> None:
    run_steady_service(kube, operator, namespace, "calm")

    operator.stop()
    before = len(operator.requests())
    operator.start()
    # A service created after the restart is seen after the ones listed at start-up: once it is steady, the
    # operator has been through the existing service, its task definition and their children.
    kube.apply(service("marker", "calm", desired=1), namespace)
    eventually(lambda: steady(kube, namespace, "marker", "calm:1"), what="marker steady", detail=operator.log_tail)
    writes = [
        f"{event['verb']} {event['objectRef'].get('resource')}/{event['objectRef'].get('name')}"
        for event in operator.requests(since=before)
        if event["verb"] in WRITE_VERBS
        and event["objectRef"].get("namespace") == namespace
        and event["objectRef"].get("resource") != "events"
        and not (event["objectRef"].get("name") or "").startswith("marker")
    ]
    assert writes == []
