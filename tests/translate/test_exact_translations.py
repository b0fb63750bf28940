"""Translations made exact (issue 8): each as ECS runs it, with a table of small fixtures of the patterns
real files hold, and the duplicate keys Kubernetes refuses (issue 10, item 6)."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.models.ecs_api import DeploymentConfiguration
from ecs_operator.models.service import ECSServiceSpec
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import ClusterContext, Meta, Rendered, Target, TaskDefinitionRevision
from ecs_operator.translate.pod import pod_spec
from ecs_operator.translate.service import failed_task_threshold, render_service
from ecs_operator.translate.task import start_failure
from tests.k8s_schema import validate_objects

Spec = dict[str, Any]
WEB: Spec = {"name": "web", "image": "nginx:1.27", "memory": 256, "portMappings": [{"containerPort": 8080}]}
SIZED: Spec = {"networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "1024", "memory": "2048"}


def revision(*containers: Spec, **fields: Any) -> TaskDefinitionRevision:
    spec = TaskDefinitionSpec.model_validate({"family": "web", "containerDefinitions": list(containers), **fields})
    return TaskDefinitionRevision("web", 1, spec, namespace="default")


def service(td: TaskDefinitionRevision, **fields: Any) -> Rendered:
    spec = ECSServiceSpec.model_validate({"serviceName": "web", "taskDefinition": "web", **fields})
    rendered = render_service(spec, Meta("ECSService", "web"), td, ClusterContext(), [])
    assert validate_objects(rendered.objects) == len(rendered.objects)
    return rendered


def template(rendered: Rendered) -> Spec:
    [deployment] = [o for o in rendered.objects if o["kind"] == "Deployment"]
    result: Spec = deployment["spec"]["template"]
    return result


def by_name(pod: Spec) -> dict[str, Spec]:
    return {c["name"]: c for c in [*pod.get("initContainers", []), *pod["containers"]]}


@pytest.mark.parametrize(
    ("cpu", "requested"),
    [
        (0, "500m"),  # every console export writes 0: it reserves nothing, so the task's cpu is shared out
        (None, "500m"),
        (256, "250m"),
    ],
)
def test_container_cpu_zero_is_unset(cpu: int | None, requested: str) -> None:
    side = {"name": "side", "image": "busybox", "memoryReservation": 64, "cpu": 512}
    app = {**WEB, **({} if cpu is None else {"cpu": cpu})}
    containers = by_name(pod_spec(revision(app, side, **SIZED), "TaskDefinition/web").spec)
    assert containers["web"]["resources"]["requests"]["cpu"] == requested


@pytest.mark.parametrize(
    ("version", "pod_level", "container_limits"),
    [
        ((1, 29), None, {"cpu": "1000m", "memory": "256Mi"}),  # the whole task's cpu; its own memory
        ((1, 33), None, {"cpu": "1000m", "memory": "256Mi"}),
        ((1, 34), {"cpu": "1000m", "memory": "2048Mi"}, {"memory": "256Mi"}),
        ((1, 37), {"cpu": "1000m", "memory": "2048Mi"}, {"memory": "256Mi"}),
    ],
)
def test_task_size_is_the_pods_own_from_kubernetes_1_34(
    version: tuple[int, int], pod_level: Spec | None, container_limits: Spec
) -> None:
    result = pod_spec(revision({**WEB, "cpu": 0}, **SIZED), "TaskDefinition/web", target=Target(version))
    expected = None if pod_level is None else {"requests": pod_level, "limits": pod_level}
    assert result.spec.get("resources") == expected
    assert result.spec["containers"][0]["resources"].get("limits") == container_limits
    sizes = [w.field for w in result.warnings if w.field in ("cpu", "memory")]
    assert sizes == ([] if pod_level else ["cpu", "memory"])
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": result.spec}
    assert validate_objects([pod]) == 1


def test_windows_tasks_keep_per_container_sizes() -> None:
    platform = {"runtimePlatform": {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"}}
    result = pod_spec(revision(WEB, **SIZED, **platform), "TaskDefinition/web", target=Target((1, 34)))
    assert "resources" not in result.spec


@pytest.mark.parametrize(
    ("side", "one_shot"),
    [
        ({"essential": False, "command": ["warm-cache"]}, True),
        ({"essential": False, "portMappings": [{"containerPort": 2000, "protocol": "udp"}]}, False),  # X-Ray-like
        ({"essential": False, "healthCheck": {"command": ["CMD", "true"]}}, False),
        ({"essential": False, "firelensConfiguration": {"type": "fluentbit"}}, False),
        ({"essential": False, "restartPolicy": {"enabled": True}}, False),
        ({"essential": True}, False),
    ],
)
def test_a_services_one_shot_container_runs_once(side: Spec, one_shot: bool) -> None:
    """ECS leaves a non-essential container stopped when it exits; a service's pod would restart it (or, stopped,
    keep the pod unready): a container nothing says keeps running is an init container."""
    rendered = service(revision(WEB, {"name": "warmer", "image": "busybox", "memory": 64, **side}), desiredCount=1)
    pod = template(rendered)["spec"]
    assert ("warmer" in [c["name"] for c in pod.get("initContainers", [])]) is one_shot
    assert ("warmer" in [c["name"] for c in pod["containers"]]) is not one_shot
    assert any(w.field == "containerDefinitions[1].essential" for w in rendered.warnings) is one_shot


@pytest.mark.parametrize(
    ("container", "probe"),
    [
        (WEB, {"tcpSocket": {"port": 8080}, "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 2}),
        ({**WEB, "healthCheck": {"command": ["CMD", "check"]}}, "exec"),  # its own health check stays
    ],
)
def test_load_balanced_containers_are_ready_when_their_port_is(container: Spec, probe: Spec | str) -> None:
    target = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1"
    balancer = {"targetGroupArn": target, "containerName": "web", "containerPort": 8080}
    rendered = service(revision(container), desiredCount=1, loadBalancers=[balancer])
    readiness = by_name(template(rendered)["spec"])["web"]["readinessProbe"]
    assert readiness == probe if isinstance(probe, dict) else probe in readiness
    assert any(w.field == "loadBalancers[0]" for w in rendered.warnings) is isinstance(probe, dict)


@pytest.mark.parametrize(
    ("check", "startup", "liveness_delay"),
    [
        ({"command": ["CMD", "true"], "interval": 10, "startPeriod": 30, "retries": 3}, 3 + 3 + 12, None),
        ({"command": ["CMD", "true"], "interval": 10, "retries": 3}, None, 120),
    ],
)
def test_the_grace_period_extends_the_startup_window(
    check: Spec, startup: int | None, liveness_delay: int | None
) -> None:
    rendered = service(revision({**WEB, "healthCheck": check}), desiredCount=1, healthCheckGracePeriodSeconds=120)
    web = by_name(template(rendered)["spec"])["web"]
    assert web.get("startupProbe", {}).get("failureThreshold") == startup
    assert web["livenessProbe"].get("initialDelaySeconds") == liveness_delay


ZONE = {"type": "spread", "field": "attribute:ecs.availability-zone"}
HOST = {"type": "spread", "field": "instanceId"}


@pytest.mark.parametrize(
    ("strategies", "keys", "warned"),
    [
        (None, ["topology.kubernetes.io/zone"], 0),  # ECS's default for a service: spread over zones
        ([{"type": "binpack", "field": "memory"}], [], 0),
        ([HOST], ["kubernetes.io/hostname"], 0),
        ([ZONE, HOST, ZONE], ["topology.kubernetes.io/zone", "kubernetes.io/hostname"], 1),  # no duplicate keys
    ],
)
def test_services_spread_over_zones_and_never_twice_over_one_topology(
    strategies: list[Spec] | None, keys: list[str], warned: int
) -> None:
    fields: Spec = {"placementStrategy": strategies} if strategies is not None else {}
    rendered = service(revision(WEB), desiredCount=2, **fields)
    spreads = template(rendered)["spec"].get("topologySpreadConstraints", [])
    assert [s["topologyKey"] for s in spreads] == keys
    assert len([w for w in rendered.warnings if "spreads over" in w.message]) == warned


@pytest.mark.parametrize(("value", "annotated"), [("2026-11-20T10:00:00Z", True), (None, False)])
def test_force_new_deployment_rolls_the_pods(value: str | None, annotated: bool) -> None:
    fields = {"forceNewDeployment": value} if value else {}
    annotations = template(service(revision(WEB), desiredCount=1, **fields))["metadata"]["annotations"]
    assert annotations.get("ecs.compat.dev/force-new-deployment") == value
    assert ("ecs.compat.dev/force-new-deployment" in annotations) is annotated


@pytest.mark.parametrize(
    ("breaker", "desired", "threshold"),
    [
        ({"enable": True, "rollback": True}, 10, 5),  # 50 % of 10
        ({"enable": True, "rollback": True}, 2, 3),  # at least 3
        ({"enable": True, "rollback": True}, 1000, 200),  # at most 200
        ({"enable": True, "rollback": False, "thresholdConfiguration": {"type": "COUNT", "value": 7}}, 100, 7),
        (
            {"enable": True, "rollback": False, "thresholdConfiguration": {"type": "UNBOUNDED_PERCENT", "value": 10}},
            5,
            1,
        ),
        ({"enable": False, "rollback": False}, 10, None),
    ],
)
def test_the_circuit_breaker_counts_failed_tasks_as_ecs(breaker: Spec, desired: int, threshold: int | None) -> None:
    config = DeploymentConfiguration.model_validate({"deploymentCircuitBreaker": breaker})
    assert failed_task_threshold(config, desired) == threshold


@pytest.mark.parametrize(
    ("reason", "message", "expected"),
    [
        ("ImagePullBackOff", "Back-off pulling image x",
         ("TaskFailedToStart", "CannotPullContainerError: Back-off pulling image x")),
        ("ErrImagePull", None, ("TaskFailedToStart", "CannotPullContainerError: ErrImagePull")),
        ("CreateContainerConfigError", "secret db not found",
         ("TaskFailedToStart", "ResourceInitializationError: secret db not found")),
        ("ContainerCreating", None, None),
        (None, None, None),
    ],
)  # fmt: skip
def test_a_task_that_cannot_start_stops_with_ecs_stop_code(
    reason: str | None, message: str | None, expected: tuple[str, str] | None
) -> None:
    assert start_failure(reason, message) == expected


@pytest.mark.parametrize(
    ("environment", "secrets", "names", "warned"),
    [
        ([{"name": "A", "value": "1"}, {"name": "A", "value": "2"}], [], [("A", "2")], 1),  # Docker: the last wins
        ([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}], [], [("A", "1"), ("B", "2")], 0),
        ([{"name": "A", "value": "1"}], [{"name": "S", "valueFrom": "/p"}], [("A", "1"), ("S", None)], 0),
    ],
)
def test_environment_names_are_never_given_twice(
    environment: list[Spec], secrets: list[Spec], names: list[tuple[str, str | None]], warned: int
) -> None:
    result = pod_spec(revision({**WEB, "environment": environment, "secrets": secrets}), "TaskDefinition/web")
    env = result.spec["containers"][0]["env"]
    assert [(e["name"], e.get("value")) for e in env] == names
    assert len([w for w in result.warnings if ".environment[" in w.field]) == warned


def test_a_secret_named_like_a_variable_is_refused_as_ecs_refuses_it() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="The secret name must be unique"):
        revision({**WEB, "environment": [{"name": "A", "value": "1"}], "secrets": [{"name": "A", "valueFrom": "/p"}]})


def test_log_configurations_are_warned_once_per_task() -> None:
    logs = {"logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}}}
    side = {"name": "side", "image": "busybox", "memory": 64, **logs}
    result = pod_spec(revision({**WEB, **logs}, side), "TaskDefinition/web")
    [warning] = [w for w in result.warnings if "logConfiguration" in w.field]
    assert "awslogs for web, side" in warning.message
