"""What real repositories hold and ECS runs: each renders, with the warning that says what differs.

One table per input of issue 8; each row is a small fixture of the pattern seen in real files, and says
which warning (by field path and a phrase of its message) it must give.
"""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.models.service import ECSServiceSpec
from ecs_operator.models.task import ECSTaskSpec
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import ClusterContext, Meta, Rendered, TaskDefinitionRevision
from ecs_operator.translate.service import render_service
from ecs_operator.translate.task import render_task
from ecs_operator.translate.taskdefinition import render_task_definition
from tests.k8s_schema import validate_objects

Spec = dict[str, Any]
APP: Spec = {"name": "app", "image": "nginx:1.27", "memory": 256, "portMappings": [{"containerPort": 8080}]}


def revision(*containers: Spec, **fields: Any) -> TaskDefinitionRevision:
    spec = TaskDefinitionSpec.model_validate({"family": "app", "containerDefinitions": list(containers), **fields})
    return TaskDefinitionRevision("app", 1, spec, namespace="default")


def task_definition(*containers: Spec, **fields: Any) -> Rendered:
    rendered = render_task_definition(revision(*containers, **fields), Meta("TaskDefinition", "app"))
    assert validate_objects(rendered.objects) == len(rendered.objects)
    return rendered


def service(td: TaskDefinitionRevision, **fields: Any) -> Rendered:
    spec = ECSServiceSpec.model_validate({"serviceName": "app", "taskDefinition": "app", **fields})
    rendered = render_service(spec, Meta("ECSService", "app"), td, ClusterContext(), [])
    assert validate_objects(rendered.objects) == len(rendered.objects)
    return rendered


def warned(rendered: Rendered, field: str, phrase: str) -> bool:
    return any(w.field == field and phrase in w.message for w in rendered.warnings)


def containers_of(rendered: Rendered, kind: str) -> list[Spec]:
    [obj] = [o for o in rendered.objects if o["kind"] == kind]
    spec = obj["template"]["spec"] if kind == "PodTemplate" else obj["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


@pytest.mark.parametrize(
    ("check", "probes", "phrase"),
    [
        (["/bin/bash, curl http://localhost:8080 || exit 1"], set(), "does not start with CMD or CMD-SHELL"),
        (["curl", "-f", "http://localhost:8080/"], set(), "Docker ignores it"),
        (["CMD-SHELL"], set(), "has no command"),
        (["CMD-SHELL", "curl -f http://localhost:8080/"], {"readinessProbe", "livenessProbe"}, None),
    ],
)
def test_health_checks_without_a_prefix_are_ignored_as_docker_does(
    check: list[str], probes: set[str], phrase: str | None
) -> None:
    rendered = task_definition({**APP, "healthCheck": {"command": check}})
    [container] = containers_of(rendered, "PodTemplate")
    assert {key for key in container if key.endswith("Probe")} == probes
    field = "containerDefinitions[0].healthCheck.command"
    assert warned(rendered, field, phrase or "") is (phrase is not None)


@pytest.mark.parametrize(
    ("role", "phrase"),
    [
        ("arn:aws:iam::XXXXXXXXXXXX:role/app-task", "not a complete role ARN"),
        ("arn:aws:iam::ACCOUNT_ID:role/app-task", "not a complete role ARN"),
        ("app-task", "a role name, not an ARN"),
        ("arn:aws:iam::123456789012:role/app-task", None),
    ],
)
def test_placeholder_role_arns_name_a_service_account_and_are_warned(role: str, phrase: str | None) -> None:
    rendered = task_definition(APP, taskRoleArn=role)
    [account] = [o for o in rendered.objects if o["kind"] == "ServiceAccount"]
    assert account["metadata"]["name"].startswith("ecs-task-app-task-")  # and a digest of the whole role
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": role}
    assert warned(rendered, "taskRoleArn", phrase or "") is (phrase is not None)


@pytest.mark.parametrize(
    ("mode", "mapping", "port", "phrase"),
    [
        ("awsvpc", {"containerPort": 8000, "hostPort": 80}, {"containerPort": 8000, "protocol": "TCP"}, "differs"),
        ("host", {"containerPort": 8000, "hostPort": 80}, {"containerPort": 8000, "protocol": "TCP"}, "differs"),
        ("awsvpc", {"containerPort": 8000, "hostPort": 8000}, {"containerPort": 8000, "protocol": "TCP"}, None),
        ("bridge", {"containerPort": 8000, "hostPort": 80}, {"containerPort": 8000, "protocol": "TCP", "hostPort": 80},
         None),
    ],
)  # fmt: skip
def test_a_host_port_awsvpc_ignores_is_warned(mode: str, mapping: Spec, port: Spec, phrase: str | None) -> None:
    rendered = task_definition({**APP, "portMappings": [mapping]}, networkMode=mode)
    [container] = containers_of(rendered, "PodTemplate")
    assert container["ports"] == [port]
    assert warned(rendered, "containerDefinitions[0].portMappings[0].hostPort", phrase or "") is (phrase is not None)


FARGATE: Spec = {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "1024", "memory": "2048"}


@pytest.mark.parametrize(
    ("container", "fields", "field", "grace"),
    [
        (APP, {**FARGATE, "memory": "1024"}, "memory", 30),  # 1 vCPU with 1 GB: no Fargate size
        ({**APP, "stopTimeout": 300}, FARGATE, "containerDefinitions[0].stopTimeout", 120),  # Fargate's most
        ({**APP, "startTimeout": 600}, FARGATE, "containerDefinitions[0].startTimeout", 30),
        ({"name": "app", "image": "nginx"}, {}, "containerDefinitions[0].memory", 30),
        ({**APP, "stopTimeout": 300}, {}, None, 300),
    ],
)
def test_what_ecs_refuses_at_registration_but_means_the_same_renders_warned(
    container: Spec, fields: Spec, field: str | None, grace: int
) -> None:
    rendered = task_definition(container, **fields)
    [template] = [o for o in rendered.objects if o["kind"] == "PodTemplate"]
    assert template["template"]["spec"]["terminationGracePeriodSeconds"] == grace
    assert warned(rendered, field or "", "") is (field is not None)


@pytest.mark.parametrize(
    ("controller", "strategy", "fields"),
    [
        ("CODE_DEPLOY", None, ["deploymentController.type"]),
        ("EXTERNAL", None, ["deploymentController.type"]),
        ("ECS", "BLUE_GREEN", ["deploymentConfiguration.strategy"]),
        ("ECS", None, []),
    ],
)
def test_every_deployment_controller_rolls_a_deployment(
    controller: str, strategy: str | None, fields: list[str]
) -> None:
    config = {"strategy": strategy} if strategy else {}
    rendered = service(
        revision(APP), deploymentController={"type": controller}, deploymentConfiguration=config, desiredCount=2
    )
    [deployment] = [o for o in rendered.objects if o["kind"] == "Deployment"]
    assert deployment["spec"]["strategy"]["type"] == "RollingUpdate"
    assert [w.field for w in rendered.warnings if w.field.startswith("deployment")] == fields


def test_a_standalone_task_has_no_liveness_probe_but_a_services_task_does() -> None:
    """ECS leaves an unhealthy RunTask task running, and replaces a service's unhealthy task."""
    td = revision({**APP, "healthCheck": {"command": ["CMD", "true"], "startPeriod": 60}})
    task = render_task(ECSTaskSpec(taskDefinition="app"), Meta("ECSTask", "job"), td, ClusterContext(), [])
    [pod] = [o for o in task.objects if o["kind"] == "Pod"]
    assert {key for key in pod["spec"]["containers"][0] if key.endswith("Probe")} == {"readinessProbe"}
    [container] = containers_of(service(td, desiredCount=1), "Deployment")
    assert {"livenessProbe", "startupProbe", "readinessProbe"} <= set(container)
