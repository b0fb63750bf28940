"""Property: for any valid task definition and service, render either refuses with a validation or translation
error, or makes objects that are valid Kubernetes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ecs_operator.loading.render import render_documents
from ecs_operator.loading.sources import LoadError, Source
from ecs_operator.models.service import ECSServiceSpec
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import API_VERSION
from tests.golden.list_maps import duplicate_keys
from tests.k8s_schema import validate_objects

Json = dict[str, Any]

NAMES = st.from_regex(r"[a-z][a-z0-9-]{0,14}[a-z0-9]", fullmatch=True)
ENV_NAMES = st.from_regex(r"[A-Z][A-Z0-9_]{0,15}", fullmatch=True)
IMAGES = st.sampled_from(
    ["nginx:1.27", "public.ecr.aws/docker/library/redis:7", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:2.1"]
)
NETWORK_MODES = st.sampled_from(["awsvpc", "bridge", "host", "none"])
HEALTH_CHECKS = st.fixed_dictionaries(
    {"command": st.sampled_from([["CMD-SHELL", "curl -sf http://localhost/ || exit 1"], ["CMD", "/bin/check"]])},
    optional={
        "interval": st.integers(5, 300),
        "timeout": st.integers(2, 60),
        "retries": st.integers(1, 10),
        "startPeriod": st.integers(0, 300),
    },
)


@st.composite
def port_mappings(draw: st.DrawFn, network_mode: str, ports: list[int]) -> list[Json]:
    mappings = []
    for port in ports:
        mapping: Json = {"containerPort": port, "protocol": draw(st.sampled_from(["tcp", "udp"]))}
        if network_mode == "bridge":
            mapping["hostPort"] = draw(st.sampled_from([0, port]))
        elif draw(st.booleans()):
            mapping["hostPort"] = port
        mappings.append(mapping)
    return mappings


@st.composite
def containers(draw: st.DrawFn, network_mode: str, volumes: list[str]) -> list[Json]:
    names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    first_port = draw(st.integers(1024, 65000))
    all_ports = [first_port + offset for offset in range(len(names) * 2)]
    result: list[Json] = []
    for index, name in enumerate(names):
        container: Json = {"name": name, "image": draw(IMAGES), "memory": draw(st.integers(32, 256))}
        if draw(st.booleans()):
            container["cpu"] = draw(st.integers(0, 256))
        if draw(st.booleans()):
            container["memoryReservation"] = draw(st.integers(16, container["memory"]))
        if network_mode != "none":
            ports = all_ports[index * 2 : index * 2 + draw(st.integers(0, 2))]
            container["portMappings"] = draw(port_mappings(network_mode, ports))
        env = draw(st.lists(ENV_NAMES, max_size=3))  # a name given twice is ECS's to accept (the last wins)
        container["environment"] = [{"name": key, "value": draw(st.text(max_size=8))} for key in env]
        if draw(st.booleans()):
            container["healthCheck"] = draw(HEALTH_CHECKS)
        mounts = draw(st.booleans())
        if volumes and mounts:
            mounted = draw(st.lists(st.sampled_from(volumes), min_size=1, unique=True))
            container["mountPoints"] = [
                {"sourceVolume": v, "containerPath": f"/mnt/{v}", "readOnly": draw(st.booleans())} for v in mounted
            ]
        if draw(st.booleans()):
            container["command"] = draw(st.lists(st.sampled_from(["serve", "--port", "8080", "-v"]), max_size=3))
        result.append(container)
    _add_dependencies(draw, result)
    return result


def _add_dependencies(draw: st.DrawFn, result: list[Json]) -> None:
    """dependsOn among earlier containers only (no cycles); what must finish is not essential; one stays essential."""
    result[-1]["essential"] = True
    for index, container in enumerate(result[1:], start=1):
        earlier = draw(st.lists(st.sampled_from(result[:index]), max_size=2, unique_by=lambda c: c["name"]))
        dependencies = []
        for dependency in earlier:
            conditions = ["START", "COMPLETE", "SUCCESS"] + (["HEALTHY"] if "healthCheck" in dependency else [])
            condition = draw(st.sampled_from(conditions))
            if condition in ("COMPLETE", "SUCCESS"):
                dependency["essential"] = False
            dependencies.append({"containerName": dependency["name"], "condition": condition})
        if dependencies:
            container["dependsOn"] = dependencies
    for container in result:
        container.setdefault("essential", draw(st.booleans()))


def volume_lists(fargate: bool) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Named volumes; Fargate takes neither host paths nor Docker volumes, only task-scoped bind mounts."""
    kinds = st.just("bind") if fargate else st.sampled_from(["host", "docker", "bind"])
    return st.lists(st.tuples(NAMES, kinds), max_size=3, unique_by=lambda volume: volume[0])


def volume(name: str, kind: str) -> Json:
    if kind == "host":
        return {"name": name, "host": {"sourcePath": f"/var/lib/{name}"}}
    if kind == "docker":
        return {"name": name, "dockerVolumeConfiguration": {"scope": "task", "driver": "local"}}
    return {"name": name}


@st.composite
def task_definitions(draw: st.DrawFn) -> Json:
    network_mode = draw(NETWORK_MODES)
    fargate = network_mode == "awsvpc" and draw(st.booleans())
    volumes = draw(volume_lists(fargate))
    spec: Json = {
        "family": draw(NAMES),
        "networkMode": network_mode,
        "containerDefinitions": draw(containers(network_mode, [name for name, _ in volumes])),
    }
    if volumes:
        spec["volumes"] = [volume(name, kind) for name, kind in volumes]
    if draw(st.booleans()):
        spec["taskRoleArn"] = f"arn:aws:iam::123456789012:role/{draw(NAMES)}"
    if fargate:
        spec["requiresCompatibilities"] = ["FARGATE"]
        spec["cpu"], spec["memory"] = draw(st.sampled_from([("1024", "2048"), ("2048", "4096"), ("4096", "8192")]))
    return spec


PLACEMENT_STRATEGIES = st.sampled_from(
    [
        {"type": "spread", "field": "attribute:ecs.availability-zone"},
        {"type": "spread", "field": "instanceId"},
        {"type": "binpack", "field": "memory"},
        {"type": "random"},
    ]
)


@st.composite
def services(draw: st.DrawFn, td: Json) -> Json:
    daemon = td["networkMode"] != "awsvpc" and draw(st.booleans())
    spec: Json = {"serviceName": draw(NAMES), "taskDefinition": td["family"]}
    if td["networkMode"] == "awsvpc":
        spec["networkConfiguration"] = {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d4e5f60001"]}}
    if daemon:
        spec.update(schedulingStrategy="DAEMON", launchType="EC2")
        return spec
    spec["desiredCount"] = draw(st.integers(0, 10))
    if td.get("requiresCompatibilities") == ["FARGATE"]:
        spec["launchType"] = "FARGATE"
    else:
        spec["placementStrategy"] = draw(st.lists(PLACEMENT_STRATEGIES, max_size=3))  # repeats included
        if draw(st.booleans()):
            spec["placementConstraints"] = [{"type": "distinctInstance"}]
    minimum = draw(st.integers(0, 100))
    spec["deploymentConfiguration"] = {
        "maximumPercent": draw(st.integers(max(100, minimum + 1), 200)),
        "minimumHealthyPercent": minimum,
    }
    ported = [(c["name"], m["containerPort"]) for c in td["containerDefinitions"] for m in c.get("portMappings", [])]
    balanced = draw(st.booleans())
    if ported and balanced:
        name, port = draw(st.sampled_from(ported))
        target = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg/0123456789abcdef"
        spec["loadBalancers"] = [{"targetGroupArn": target, "containerName": name, "containerPort": port}]
    return spec


@st.composite
def workloads(draw: st.DrawFn) -> tuple[Json, Json]:
    td = draw(task_definitions())
    return td, draw(services(td))


def resource(kind: str, name: str, spec: Json) -> Json:
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": {"name": name}, "spec": spec}


def test_the_strategies_make_valid_input() -> None:
    """Most generated input must pass the models, or the property below would test only refusals."""

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(workloads())
    def check(workload: tuple[Json, Json]) -> None:
        td, service = workload
        TaskDefinitionSpec.model_validate(td)
        ECSServiceSpec.model_validate(service)

    check()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workloads())
def test_render_refuses_cleanly_or_makes_valid_kubernetes(workload: tuple[Json, Json]) -> None:
    td, service = workload
    documents = [resource("TaskDefinition", td["family"], td), resource("ECSService", service["serviceName"], service)]
    try:
        objects, _ = render_documents([Source("generated.yaml", document) for document in documents])
    except LoadError as error:  # what schema (ValidationError) and translation (TranslationError) errors become
        assert error.diagnostics
        assert all(d.origin == "generated.yaml" and d.resource for d in error.diagnostics)
        event(f"refused: {error.diagnostics[0].field}: {error.diagnostics[0].message}")
        return
    event("rendered")
    assert validate_objects(objects) >= 2
    assert [found for obj in objects for found in duplicate_keys(obj)] == []


@pytest.mark.parametrize("spec", [{"family": "x", "containerDefinitions": []}, {"family": "x"}])
def test_invalid_input_is_a_validation_error(spec: Json) -> None:
    """The models refuse what the strategies avoid (the premise of the property above)."""
    with pytest.raises(ValidationError):
        TaskDefinitionSpec.model_validate(spec)
