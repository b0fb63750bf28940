"""The TaskDefinition's objects, and what becomes of every field of RegisterTaskDefinition."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.tools.codegen import load_shapes, reachable_shapes
from ecs_operator.translate.context import Meta, TaskDefinitionRevision, TranslationError
from ecs_operator.translate.coverage import Ignored, Partial, Rejected, Translated, classification_table
from ecs_operator.translate.coverage_taskdefinition import TASK_DEFINITION_FIELDS
from ecs_operator.translate.iam import service_account_name
from ecs_operator.translate.taskdefinition import ANNOTATION_TAGS, render_task_definition
from tests.k8s_schema import validate_objects

META = Meta("TaskDefinition", "web", "apps", "uid-7")
ROOT = "RegisterTaskDefinitionRequest"
ROLE = "arn:aws:iam::123456789012:role/web"
ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/side:1"

# A task definition that gives (nearly) every translated field, so that changing one shows in the output.
BASE: dict[str, Any] = {
    "family": "web",
    "networkMode": "bridge",
    "taskRoleArn": ROLE,
    "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
    "cpu": "2048",
    "memory": "4096",
    "ipcMode": "host",
    "ephemeralStorage": {"sizeInGiB": 30},
    "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
    "trustedExecutionConfiguration": {"isolationMode": "SHARED"},
    "tags": [{"key": "team", "value": "web"}],
    "containerDefinitions": [
        {
            "name": "app",
            "image": "nginx:1",
            "repositoryCredentials": {
                "credentialsParameter": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hub"
            },
            "cpu": 256,
            "memory": 512,
            "memoryReservation": 256,
            "essential": True,
            "links": ["side:helper"],
            "portMappings": [{"containerPort": 80, "hostPort": 8080, "protocol": "tcp", "name": "http"}],
            "entryPoint": ["/entry"],
            "command": ["serve"],
            "environment": [{"name": "A", "value": "1"}],
            "environmentFiles": [{"type": "s3", "value": "arn:aws:s3:::bucket/a.env"}],
            "secrets": [{"name": "S", "valueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s:k::"}],
            "mountPoints": [{"sourceVolume": "data", "containerPath": "/data", "readOnly": False}],
            "linuxParameters": {
                "capabilities": {"add": ["NET_ADMIN"], "drop": ["MKNOD"]},
                "initProcessEnabled": True,
                "sharedMemorySize": 64,
                "tmpfs": [{"containerPath": "/tmp", "size": 32}],
            },
            "dependsOn": [{"containerName": "side", "condition": "START"}],
            "stopTimeout": 45,
            "hostname": "web",
            "user": "1000:1000",
            "workingDirectory": "/srv",
            "disableNetworking": False,
            "privileged": False,
            "readonlyRootFilesystem": True,
            "dnsServers": ["10.0.0.2"],
            "dnsSearchDomains": ["corp"],
            "extraHosts": [{"hostname": "db", "ipAddress": "10.0.0.5"}],
            "dockerSecurityOptions": ["no-new-privileges"],
            "interactive": True,
            "pseudoTerminal": True,
            "dockerLabels": {"a": "b"},
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "web"}},
            "healthCheck": {"command": ["CMD", "true"], "interval": 10, "timeout": 3, "retries": 2, "startPeriod": 20},
            "systemControls": [{"namespace": "net.ipv4.tcp_fin_timeout", "value": "15"}],
            "resourceRequirements": [{"type": "GPU", "value": "1"}],
        },
        {
            "name": "side",
            "image": ECR,
            "memoryReservation": 128,
            "essential": False,
            "volumesFrom": [{"sourceContainer": "app", "readOnly": True}],
            "mountPoints": [{"sourceVolume": "efs", "containerPath": "/efs"}],
            "linuxParameters": {
                "devices": [{"hostPath": "/dev/fuse", "containerPath": "/dev/f", "permissions": ["read"]}]
            },
            "credentialSpecs": ["credentialspec:file://gmsa.json"],
        },
    ],
    "volumes": [
        {"name": "data", "host": {"sourcePath": "/srv/data"}},
        {
            "name": "efs",
            "efsVolumeConfiguration": {
                "fileSystemId": "fs-1",
                "rootDirectory": "/root",
                "authorizationConfig": {"accessPointId": "fsap-1"},
            },
        },
        {"name": "shared", "dockerVolumeConfiguration": {"scope": "shared", "driver": "ebs", "autoprovision": True}},
        {"name": "launch", "configuredAtLaunch": True},
    ],
}


def render(data: dict[str, Any], revision: int | None = 3) -> list[dict[str, Any]]:
    spec = TaskDefinitionSpec.model_validate(data)
    return render_task_definition(
        TaskDefinitionRevision(spec.family or "web", revision, spec, namespace="default"), META
    ).objects


def output(data: dict[str, Any]) -> str:
    """Everything a translation gives, as one comparable string (a refusal is an output too)."""
    try:
        spec = TaskDefinitionSpec.model_validate(data)
        rendered = render_task_definition(
            TaskDefinitionRevision(spec.family or "web", 3, spec, namespace="default"), META
        )
    except TranslationError as error:
        return f"refused: {error}"
    return json.dumps([rendered.objects, [str(w) for w in rendered.warnings]], sort_keys=True)


# --- the objects -----------------------------------------------------------------------------------------


def test_render_base_is_valid_kubernetes() -> None:
    objects = render(BASE)
    assert validate_objects(objects) == 3
    assert [o["kind"] for o in objects] == ["PodTemplate", "ServiceAccount", "PersistentVolumeClaim"]


def test_pod_template() -> None:
    template = render(BASE)[0]
    assert template["metadata"]["name"] == "web-3"
    assert template["metadata"]["labels"]["ecs.compat.dev/task-definition"] == "web-3"
    assert template["metadata"]["annotations"] == {ANNOTATION_TAGS: '{"team": "web"}'}
    assert template["metadata"]["ownerReferences"][0]["uid"] == "uid-7"
    pod = template["template"]
    assert pod["metadata"]["labels"] == {"ecs.compat.dev/task-definition": "web-3"}
    assert pod["spec"]["serviceAccountName"] == service_account_name(ROLE)
    assert [c["name"] for c in pod["spec"]["initContainers"]] == ["side"]


@pytest.mark.parametrize(("family", "revision", "name"), [("web", None, "web"), ("Web_App", 12, "web-app-12-")])
def test_pod_template_name(family: str, revision: int | None, name: str) -> None:
    template = render({"family": family, "containerDefinitions": [{"name": "a", "image": "i", "memory": 8}]}, revision)[
        0
    ]
    assert template["metadata"]["name"].startswith(name)
    validate_objects([template])


def test_no_role_no_service_account() -> None:
    data = {"family": "web", "containerDefinitions": [{"name": "a", "image": "i", "memory": 8}]}
    assert [o["kind"] for o in render(data)] == ["PodTemplate"]


@pytest.mark.parametrize(
    ("expression", "refused"),
    [
        ("attribute:ecs.availability-zone in [eu-west-1a, eu-west-1b]", False),
        ("attribute:team == web", False),
        ("attribute:ecs.ami-id == ami-1", False),  # a node label of that name, warned
        ("attribute:ecs.availability-zone in [eu-west-1a", True),  # unreadable
        ("task:group == web", False),  # left out, warned
        ("attribute:cores > many", True),
    ],
)
def test_placement_constraints_are_checked_at_registration(expression: str, refused: bool) -> None:
    data = {
        "family": "web",
        "containerDefinitions": [{"name": "a", "image": "i", "memory": 8}],
        "placementConstraints": [{"type": "memberOf", "expression": "attribute:team == web"},
                                 {"type": "memberOf", "expression": expression}],
    }  # fmt: skip
    if not refused:
        assert [o["kind"] for o in render(data)] == ["PodTemplate"]
        return
    with pytest.raises(TranslationError) as error:
        render(data)
    assert error.value.field.startswith("placementConstraints[1].expression")


# --- coverage --------------------------------------------------------------------------------------------


def _members(shapes: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(Shape.member, member shape) of every member reachable from the root, below non-Ignored/Rejected
    members only (those cover their subtree)."""
    seen: set[str] = set()
    pending = [ROOT]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for member, spec in shapes[name]["members"].items():
            key = f"{name}.{member}"
            yield key, spec["shape"]
            if isinstance(TASK_DEFINITION_FIELDS.get(key), Ignored | Rejected):
                continue
            pending.extend(_structures(shapes, spec["shape"]))


def _structures(shapes: dict[str, Any], name: str) -> list[str]:
    shape = shapes[name]
    if shape["type"] == "structure":
        return [name]
    if shape["type"] == "list":
        return _structures(shapes, shape["member"]["shape"])
    if shape["type"] == "map":
        return _structures(shapes, shape["value"]["shape"])
    return []


SHAPES = load_shapes()
MEMBERS = dict(_members(SHAPES))


def test_every_member_is_classified() -> None:
    missing = sorted(key for key in MEMBERS if key not in TASK_DEFINITION_FIELDS)
    assert missing == []


def test_no_classification_is_stale() -> None:
    every = {f"{shape}.{member}" for shape in reachable_shapes(SHAPES, (ROOT,)) for member in SHAPES[shape]["members"]}
    assert sorted(set(TASK_DEFINITION_FIELDS) - every) == []


def test_classifications_say_why() -> None:
    for key, rule in TASK_DEFINITION_FIELDS.items():
        if isinstance(rule, Translated):
            assert rule.to, key
        else:
            assert len(rule.caveat if isinstance(rule, Partial) else rule.reason) >= 20, key


def test_table_joins_the_workloads_table() -> None:
    assert TASK_DEFINITION_FIELDS.items() <= classification_table().items()


# --- changing a translated field changes the output ------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is None:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return change


def _both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for one in changes:
            one(data)

    return change


APP = "containerDefinitions.0"
SIDE = "containerDefinitions.1"
CHANGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "RegisterTaskDefinitionRequest.family": _set("family", "api"),
    "RegisterTaskDefinitionRequest.taskRoleArn": _set("taskRoleArn", "arn:aws:iam::123456789012:role/api"),
    "RegisterTaskDefinitionRequest.executionRoleArn": _set("executionRoleArn", None),
    "RegisterTaskDefinitionRequest.networkMode": _both(
        _set("networkMode", "awsvpc"), _set(f"{APP}.portMappings.0.hostPort", None)
    ),
    "RegisterTaskDefinitionRequest.cpu": _set("cpu", "4096"),
    "RegisterTaskDefinitionRequest.memory": _set("memory", "8192"),
    "RegisterTaskDefinitionRequest.pidMode": _set("pidMode", "host"),
    "RegisterTaskDefinitionRequest.ipcMode": _set("ipcMode", "task"),
    "EphemeralStorage.sizeInGiB": _set("ephemeralStorage.sizeInGiB", 40),
    "RuntimePlatform.cpuArchitecture": _set("runtimePlatform.cpuArchitecture", "ARM64"),
    "RuntimePlatform.operatingSystemFamily": _set("runtimePlatform.operatingSystemFamily", "WINDOWS_SERVER_2022_CORE"),
    "TrustedExecutionConfiguration.isolationMode": _set(
        "trustedExecutionConfiguration.isolationMode", "ISOLATED_SANDBOX"
    ),
    "Tag.key": _set("tags.0.key", "owner"),
    "Tag.value": _set("tags.0.value", "api"),
    "ContainerDefinition.name": _both(_set(f"{APP}.name", "web"), _set(f"{SIDE}.volumesFrom.0.sourceContainer", "web")),
    "ContainerDefinition.image": _set(f"{APP}.image", "nginx:2"),
    "RepositoryCredentials.credentialsParameter": _set(
        f"{APP}.repositoryCredentials.credentialsParameter",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:other",
    ),
    "ContainerDefinition.cpu": _set(f"{APP}.cpu", 512),
    "ContainerDefinition.memory": _set(f"{APP}.memory", 1024),
    "ContainerDefinition.memoryReservation": _set(f"{APP}.memoryReservation", 128),
    "ContainerDefinition.links": _set(f"{APP}.links", ["side:other"]),
    "ContainerDefinition.essential": _set(f"{SIDE}.essential", True),
    "ContainerDefinition.entryPoint": _set(f"{APP}.entryPoint", ["/other"]),
    "ContainerDefinition.command": _set(f"{APP}.command", ["serve", "--debug"]),
    "ContainerDefinition.stopTimeout": _set(f"{APP}.stopTimeout", 90),
    "ContainerDefinition.hostname": _set(f"{APP}.hostname", "api"),
    "ContainerDefinition.user": _set(f"{APP}.user", "2000"),
    "ContainerDefinition.workingDirectory": _set(f"{APP}.workingDirectory", "/app"),
    "ContainerDefinition.disableNetworking": _set(f"{APP}.disableNetworking", True),
    "ContainerDefinition.privileged": _both(
        _set(f"{APP}.privileged", True), _set(f"{APP}.dockerSecurityOptions", None)
    ),
    "ContainerDefinition.readonlyRootFilesystem": _set(f"{APP}.readonlyRootFilesystem", False),
    "ContainerDefinition.dnsServers": _set(f"{APP}.dnsServers", ["10.0.0.3"]),
    "ContainerDefinition.dnsSearchDomains": _set(f"{APP}.dnsSearchDomains", ["example.com"]),
    "ContainerDefinition.dockerSecurityOptions": _set(f"{APP}.dockerSecurityOptions", ["apparmor:unconfined"]),
    "ContainerDefinition.interactive": _set(f"{APP}.interactive", False),
    "ContainerDefinition.pseudoTerminal": _set(f"{APP}.pseudoTerminal", False),
    "ContainerDefinition.dockerLabels": _set(f"{APP}.dockerLabels", {"a": "c"}),
    "ContainerDefinition.credentialSpecs": _set(f"{SIDE}.credentialSpecs", ["credentialspec:file://other.json"]),
    "Device.hostPath": _set(f"{SIDE}.linuxParameters.devices.0.hostPath", "/dev/kvm"),
    "Device.containerPath": _set(f"{SIDE}.linuxParameters.devices.0.containerPath", "/dev/g"),
    "Device.permissions": _set(f"{SIDE}.linuxParameters.devices.0.permissions", ["read", "write"]),
    "PortMapping.containerPort": _set(f"{APP}.portMappings.0.containerPort", 81),
    "PortMapping.hostPort": _set(f"{APP}.portMappings.0.hostPort", 8081),
    "PortMapping.protocol": _set(f"{APP}.portMappings.0.protocol", "udp"),
    "PortMapping.name": _set(f"{APP}.portMappings.0.name", "web"),
    "PortMapping.containerPortRange": _both(
        _set(f"{APP}.portMappings.0.containerPort", None),
        _set(f"{APP}.portMappings.0.hostPort", None),
        _set(f"{APP}.portMappings.0.name", None),
        _set(f"{APP}.portMappings.0.containerPortRange", "80-81"),
    ),
    "KeyValuePair.name": _set(f"{APP}.environment.0.name", "B"),
    "KeyValuePair.value": _set(f"{APP}.environment.0.value", "2"),
    "EnvironmentFile.value": _set(f"{APP}.environmentFiles.0.value", "arn:aws:s3:::bucket/b.env"),
    "Secret.name": _set(f"{APP}.secrets.0.name", "T"),
    "Secret.valueFrom": _set(f"{APP}.secrets.0.valueFrom", "/param"),
    "MountPoint.sourceVolume": _set(f"{APP}.mountPoints.0.sourceVolume", "shared"),
    "MountPoint.containerPath": _set(f"{APP}.mountPoints.0.containerPath", "/store"),
    "MountPoint.readOnly": _set(f"{APP}.mountPoints.0.readOnly", True),
    "VolumeFrom.readOnly": _set(f"{SIDE}.volumesFrom.0.readOnly", False),
    "KernelCapabilities.add": _set(f"{APP}.linuxParameters.capabilities.add", ["SYS_TIME"]),
    "KernelCapabilities.drop": _set(f"{APP}.linuxParameters.capabilities.drop", ["ALL"]),
    "LinuxParameters.initProcessEnabled": _set(f"{APP}.linuxParameters.initProcessEnabled", False),
    "LinuxParameters.sharedMemorySize": _set(f"{APP}.linuxParameters.sharedMemorySize", 128),
    "Tmpfs.containerPath": _set(f"{APP}.linuxParameters.tmpfs.0.containerPath", "/run"),
    "Tmpfs.size": _set(f"{APP}.linuxParameters.tmpfs.0.size", 16),
    "ContainerDependency.condition": _set(f"{APP}.dependsOn.0.condition", "SUCCESS"),
    "HostEntry.hostname": _set(f"{APP}.extraHosts.0.hostname", "cache"),
    "HostEntry.ipAddress": _set(f"{APP}.extraHosts.0.ipAddress", "10.0.0.6"),
    "LogConfiguration.logDriver": _set(f"{APP}.logConfiguration.logDriver", "json-file"),
    "LogConfiguration.options": _set(f"{APP}.logConfiguration.options", {"awslogs-group": "api"}),
    "HealthCheck.command": _set(f"{APP}.healthCheck.command", ["CMD", "false"]),
    "HealthCheck.interval": _set(f"{APP}.healthCheck.interval", 20),
    "HealthCheck.timeout": _set(f"{APP}.healthCheck.timeout", 4),
    "HealthCheck.retries": _set(f"{APP}.healthCheck.retries", 3),
    "HealthCheck.startPeriod": _set(f"{APP}.healthCheck.startPeriod", 60),
    "SystemControl.namespace": _set(f"{APP}.systemControls.0.namespace", "net.ipv4.tcp_keepalive_time"),
    "SystemControl.value": _set(f"{APP}.systemControls.0.value", "16"),
    "ResourceRequirement.value": _set(f"{APP}.resourceRequirements.0.value", "2"),
    "ResourceRequirement.type": _set(f"{APP}.resourceRequirements.0.type", "NeuronDevice"),
    "Volume.name": _both(_set("volumes.0.name", "store"), _set(f"{APP}.mountPoints.0.sourceVolume", "store")),
    "Volume.configuredAtLaunch": _set("volumes.3.configuredAtLaunch", False),
    "HostVolumeProperties.sourcePath": _set("volumes.0.host.sourcePath", "/other"),
    "DockerVolumeConfiguration.scope": _set("volumes.2.dockerVolumeConfiguration.scope", "task"),
    "DockerVolumeConfiguration.autoprovision": _set("volumes.2.dockerVolumeConfiguration.autoprovision", False),
    "DockerVolumeConfiguration.driver": _set("volumes.2.dockerVolumeConfiguration.driver", "local"),
    "EFSVolumeConfiguration.fileSystemId": _set("volumes.1.efsVolumeConfiguration.fileSystemId", "fs-2"),
    "EFSVolumeConfiguration.rootDirectory": _set("volumes.1.efsVolumeConfiguration.rootDirectory", "/other"),
    "EFSAuthorizationConfig.accessPointId": _set(
        "volumes.1.efsVolumeConfiguration.authorizationConfig.accessPointId", "fsap-2"
    ),
}

# Translated leaves whose change does not show in this translation, and why.
NOT_HERE = {
    "TaskDefinitionPlacementConstraint.type": "translated with the service's or task's placement (placement.py)",
    "TaskDefinitionPlacementConstraint.expression": "translated with the service's or task's placement (placement.py)",
    "ContainerDependency.containerName": "the fixture has one other container (orders: test_pod.test_start_order)",
    "VolumeFrom.sourceContainer": "the fixture has one other container (test_container.test_volume_mounts...)",
    "EnvironmentFile.type": "s3 is the only value",
    "PortMapping.appProtocol": "set on the Service ports that expose the mapping (test_networking)",
}


def _is_leaf(key: str) -> bool:
    shape, member = key.split(".")
    return not _structures(SHAPES, SHAPES[shape]["members"][member]["shape"])


TRANSLATED_LEAVES = sorted(
    key for key, rule in TASK_DEFINITION_FIELDS.items() if isinstance(rule, Translated | Partial) and _is_leaf(key)
)


def test_every_translated_leaf_is_changed_or_excused() -> None:
    assert sorted(set(TRANSLATED_LEAVES) - CHANGES.keys() - NOT_HERE.keys()) == []
    assert sorted((CHANGES.keys() | NOT_HERE.keys()) - set(TRANSLATED_LEAVES)) == []


BASE_OUTPUT = output(BASE)


def test_base_translates() -> None:
    assert not BASE_OUTPUT.startswith("refused")


@pytest.mark.parametrize("key", sorted(CHANGES))
def test_changing_a_translated_field_changes_the_output(key: str) -> None:
    data = copy.deepcopy(BASE)
    CHANGES[key](data)
    assert data != BASE
    assert output(data) != BASE_OUTPUT
