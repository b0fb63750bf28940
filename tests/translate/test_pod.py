"""Task-level translation and the composed pod spec."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_operator.models.ecs_api import TaskOverride
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.container import TaskShare
from ecs_operator.translate.context import ANNOTATION_CONTAINER_NAMES, TaskDefinitionRevision, TranslationError
from ecs_operator.translate.iam import service_account_name
from ecs_operator.translate.pod import (
    ANNOTATION_ESSENTIAL,
    apply_overrides,
    dns,
    host_aliases,
    hostname,
    image_pull_secrets,
    namespaces,
    network_mode,
    node_selector,
    pod_spec,
    start_order,
    sysctls,
    task_shares,
    termination_grace,
)
from tests.k8s_schema import validate_object

RESOURCE = "TaskDefinition/web"


def container(name: str = "app", **fields: Any) -> dict[str, Any]:
    return {"name": name, "image": "nginx", "memory": 128, **fields}


def spec(*containers: dict[str, Any], **fields: Any) -> TaskDefinitionSpec:
    return TaskDefinitionSpec.model_validate(
        {"family": "web", "containerDefinitions": list(containers) or [container()], **fields}
    )


def revision(*containers: dict[str, Any], **fields: Any) -> TaskDefinitionRevision:
    return TaskDefinitionRevision("web", 4, spec(*containers, **fields), namespace="default")


def as_pod(pod: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": pod}


# --- start order -----------------------------------------------------------------------------------------

HEALTH = {"command": ["CMD", "true"]}


def test_start_order() -> None:
    order = start_order(
        spec(
            container("app", dependsOn=[{"containerName": "proxy", "condition": "HEALTHY"},
                                        {"containerName": "migrate", "condition": "SUCCESS"}]),
            container("proxy", healthCheck=HEALTH, dependsOn=[{"containerName": "agent", "condition": "START"}]),
            container("migrate", essential=False, dependsOn=[{"containerName": "proxy", "condition": "START"}]),
            container("agent"),
            container("other"),
        ),
        RESOURCE,
    )  # fmt: skip
    assert order.init == ["agent", "proxy", "migrate"]
    assert order.sidecars == {"agent", "proxy"}
    assert order.healthy == {"proxy"}
    assert order.main == ["app", "other"]
    assert order.warnings == []


def test_complete_is_warned_as_success() -> None:
    order = start_order(
        spec(
            container("app", dependsOn=[{"containerName": "job", "condition": "COMPLETE"}]),
            container("job", essential=False),
        ),
        RESOURCE,
    )
    assert order.init == ["job"] and order.sidecars == set()
    assert [w.field for w in order.warnings] == ["containerDefinitions[0].dependsOn[0].condition"]


def test_waiting_to_start_and_to_exit_is_refused() -> None:
    with pytest.raises(TranslationError) as error:
        start_order(
            spec(
                container("a", dependsOn=[{"containerName": "c", "condition": "START"}]),
                container("b", dependsOn=[{"containerName": "c", "condition": "SUCCESS"}]),
                container("c", essential=False),
            ),
            RESOURCE,
        )
    assert error.value.field == "containerDefinitions[1].dependsOn[0].condition"


def test_pod_of_dependencies() -> None:
    result = pod_spec(
        revision(
            container("app", dependsOn=[{"containerName": "proxy", "condition": "HEALTHY"},
                                        {"containerName": "migrate", "condition": "SUCCESS"}]),
            container("proxy", healthCheck={"command": ["CMD", "true"], "interval": 5}),
            container("migrate", essential=False, healthCheck=HEALTH),
        ),
        RESOURCE,
    )  # fmt: skip
    validate_object(as_pod(result.spec))
    proxy, migrate = result.spec["initContainers"]
    assert proxy["restartPolicy"] == "Always"
    assert proxy["startupProbe"]["periodSeconds"] == 5
    assert "restartPolicy" not in migrate and not any(key.endswith("Probe") for key in migrate)
    assert [c["name"] for c in result.spec["containers"]] == ["app"]
    assert json.loads(result.annotations[ANNOTATION_ESSENTIAL]) == ["app", "proxy"]


# --- sizes -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "containers", "expected"),
    [
        ({}, [container()], [TaskShare()]),
        (
            {"cpu": "1 vCPU", "memory": "2 GB"},
            [container("a", cpu=256, memory=None, memoryReservation=512), container("b", memory=None)],
            [
                TaskShare(cpu_limit=1024, memory_limit=2048),
                TaskShare(cpu_limit=1024, cpu_request=768, memory_limit=2048, memory_request=1536),
            ],
        ),
        (
            {"cpu": "512", "memory": "1024", "ephemeralStorage": {"sizeInGiB": 30}},
            [container("a", memory=None), container("b", memory=None)],
            [TaskShare(512, 256, 1024, 512, 30, 15360)] * 2,
        ),
    ],
)
def test_task_shares(fields: dict[str, Any], containers: list[dict[str, Any]], expected: list[TaskShare]) -> None:
    assert task_shares(spec(*containers, **fields)) == expected


def test_overrides_above_the_task_cpu_are_refused() -> None:
    # The spec model checks registered sizes; RunTask overrides are checked here.
    overrides = TaskOverride.model_validate({"containerOverrides": [{"name": "app", "cpu": 2048}]})
    with pytest.raises(TranslationError) as error:
        pod_spec(revision(container(cpu=512), cpu="1024", memory="2048"), RESOURCE, overrides=overrides)
    assert error.value.field == "cpu"


# --- task-level fields -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "bridge"),
        ({"networkMode": "host"}, "host"),
        ({"networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512"}, "awsvpc"),
    ],
)
def test_network_mode(fields: dict[str, Any], expected: str) -> None:
    assert network_mode(spec(**fields)) == expected


@pytest.mark.parametrize(
    ("fields", "containers", "expected", "warned"),
    [
        ({"networkMode": "awsvpc"}, [container()], {}, []),
        ({"networkMode": "host"}, [container()], {"hostNetwork": True, "dnsPolicy": "ClusterFirstWithHostNet"}, []),
        ({"pidMode": "host"}, [container()], {"hostPID": True}, []),
        ({"pidMode": "task"}, [container()], {"shareProcessNamespace": True}, []),
        ({"ipcMode": "host"}, [container()], {"hostIPC": True}, []),
        ({"ipcMode": "task"}, [container()], {}, []),
        ({"ipcMode": "none"}, [container()], {}, ["ipcMode"]),
        (
            {},
            [container(linuxParameters={"initProcessEnabled": True})],
            {"shareProcessNamespace": True},
            ["containerDefinitions.linuxParameters.initProcessEnabled"],
        ),
        ({}, [container(linuxParameters={"initProcessEnabled": False})], {}, []),
        # hostPID and shareProcessNamespace exclude each other; the host's init reaps.
        ({"pidMode": "host"}, [container(linuxParameters={"initProcessEnabled": True})], {"hostPID": True}, []),
    ],
)
def test_namespaces(
    fields: dict[str, Any], containers: list[dict[str, Any]], expected: dict[str, Any], warned: list[str]
) -> None:
    result, warnings = namespaces(spec(*containers, **fields), RESOURCE)
    assert result == expected
    assert [w.field for w in warnings] == warned


@pytest.mark.parametrize(
    ("containers", "expected"),
    [
        ([container()], {}),
        (
            [
                container("a", dnsServers=["10.0.0.2"], dnsSearchDomains=["corp"]),
                container("b", dnsServers=["10.0.0.2", "1.1.1.1"]),
            ],
            {"dnsPolicy": "None", "dnsConfig": {"nameservers": ["10.0.0.2", "1.1.1.1"], "searches": ["corp"]}},
        ),
        ([container(dnsSearchDomains=["corp", "example.com"])], {"dnsConfig": {"searches": ["corp", "example.com"]}}),
    ],
)
def test_dns(containers: list[dict[str, Any]], expected: dict[str, Any]) -> None:
    assert dns(spec(*containers)) == (expected, [])


def test_more_than_three_nameservers_keep_the_first_three() -> None:
    """A resolver reads at most three servers (Kubernetes refuses more): the rest are left out, warned."""
    result, warnings = dns(spec(container(dnsServers=["1.1.1.1", "8.8.8.8", "9.9.9.9", "10.0.0.2"])), RESOURCE)
    assert result["dnsConfig"]["nameservers"] == ["1.1.1.1", "8.8.8.8", "9.9.9.9"]
    assert [w.field for w in warnings] == ["containerDefinitions[*].dnsServers"]


@pytest.mark.parametrize(
    ("mode", "name", "expected", "warned"),
    [
        ("bridge", "worker", {"hostname": "worker"}, False),
        ("none", "Worker.corp.example", {"hostname": "worker"}, True),
        ("awsvpc", "worker", {}, True),
        ("host", "worker", {}, True),
    ],
)
def test_hostname(mode: str, name: str, expected: dict[str, str], warned: bool) -> None:
    result, warnings = hostname(spec(container(hostname=name), networkMode=mode), RESOURCE)
    assert result == expected
    assert [w.field for w in warnings] == (["containerDefinitions[0].hostname"] if warned else [])


def test_two_hostnames_keep_the_first() -> None:
    result, warnings = hostname(
        spec(container("a", hostname="x"), container("b", hostname="y"), networkMode="bridge"), RESOURCE
    )
    assert result == {"hostname": "x"}
    assert [w.field for w in warnings] == ["containerDefinitions[1].hostname"]


def test_host_aliases() -> None:
    aliases, warnings = host_aliases(
        spec(
            container("app", extraHosts=[{"hostname": "db.local", "ipAddress": "10.0.0.5"},
                                         {"hostname": "cache", "ipAddress": "10.0.0.5"}],
                      links=["redis:cache-alias"]),
            container("redis"),
            networkMode="bridge",
        ),
        RESOURCE,
    )  # fmt: skip
    assert aliases == [
        {"ip": "10.0.0.5", "hostnames": ["db.local", "cache"]},
        {"ip": "127.0.0.1", "hostnames": ["redis", "cache-alias"]},
    ]
    assert warnings == []


@pytest.mark.parametrize(
    ("mode", "controls", "expected", "warned"),
    [
        ("awsvpc", [{"namespace": "net.ipv4.tcp_keepalive_time", "value": "60"}],
         [{"name": "net.ipv4.tcp_keepalive_time", "value": "60"}], False),
        ("awsvpc", [{"namespace": "net.core.somaxconn", "value": "1024"}],
         [{"name": "net.core.somaxconn", "value": "1024"}], True),
        ("bridge", [{"namespace": "kernel.msgmax", "value": "65536"}] * 2,
         [{"name": "kernel.msgmax", "value": "65536"}], True),
    ],
)  # fmt: skip
def test_sysctls(mode: str, controls: list[dict[str, str]], expected: list[dict[str, str]], warned: bool) -> None:
    result, warnings = sysctls(spec(container(systemControls=controls), networkMode=mode), RESOURCE)
    assert result == expected
    assert len(warnings) == (1 if warned else 0)  # an unsafe sysctl is warned about once


@pytest.mark.parametrize(
    ("fields", "controls"),
    [
        ({}, [{"namespace": "vm.swappiness", "value": "10"}]),  # not namespaced: it would change the node
        ({"networkMode": "host"}, [{"namespace": "net.ipv4.tcp_syncookies", "value": "1"}]),
        ({"ipcMode": "host"}, [{"namespace": "kernel.shmmax", "value": "1"}]),
    ],
)
def test_sysctls_refused(fields: dict[str, Any], controls: list[dict[str, str]]) -> None:
    with pytest.raises(TranslationError) as error:
        sysctls(spec(container(systemControls=controls), **fields), RESOURCE)
    assert error.value.field.startswith("containerDefinitions[0].systemControls[")


@pytest.mark.parametrize(("timeouts", "expected"), [([None], 30), ([10, None], 30), ([45, 90], 90), ([5], 5)])
def test_termination_grace(timeouts: list[int | None], expected: int) -> None:
    containers = [container(f"c{i}", **({"stopTimeout": t} if t is not None else {})) for i, t in enumerate(timeouts)]
    assert termination_grace(spec(*containers)) == expected


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        (
            {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
            {"kubernetes.io/os": "linux", "kubernetes.io/arch": "arm64"},
        ),
        ({"cpuArchitecture": "X86_64"}, {"kubernetes.io/arch": "amd64"}),
        (
            {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"},
            {"kubernetes.io/os": "windows", "node.kubernetes.io/windows-build": "10.0.20348"},
        ),
        (
            {"operatingSystemFamily": "WINDOWS_SERVER_20H2_CORE"},
            {"kubernetes.io/os": "windows", "node.kubernetes.io/windows-build": "10.0.19042"},
        ),
    ],
)
def test_node_selector(platform: dict[str, str], expected: dict[str, str]) -> None:
    assert node_selector(spec(runtimePlatform=platform).runtimePlatform) == expected


ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1"
CREDENTIALS = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dockerhub"


@pytest.mark.parametrize(
    ("fields", "containers", "expected"),
    [
        ({}, [container(image=ECR)], []),  # no execution role: ECS could not pull it either
        (
            {"executionRoleArn": "arn:aws:iam::123456789012:role/exec"},
            [container(image=ECR)],
            ["ecr-123456789012-eu-west-1"],
        ),
        ({"executionRoleArn": "arn:aws:iam::123456789012:role/exec"}, [container(image="nginx")], []),
        ({}, [container(repositoryCredentials={"credentialsParameter": CREDENTIALS})], ["dockerhub"]),
        (
            {"executionRoleArn": "arn:aws:iam::123456789012:role/exec"},
            [container("a", image=ECR), container("b", image=ECR + "0")],
            ["ecr-123456789012-eu-west-1"],
        ),
    ],
)
def test_image_pull_secrets(fields: dict[str, Any], containers: list[dict[str, Any]], expected: list[str]) -> None:
    assert image_pull_secrets(spec(*containers, **fields)) == [{"name": name} for name in expected]


# --- overrides -------------------------------------------------------------------------------------------


def test_apply_overrides() -> None:
    base = spec(
        container("app", command=["serve"], environment=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]),
        container("side"),
        cpu="1024",
        memory="2048",
    )
    overrides = TaskOverride.model_validate(
        {
            "containerOverrides": [
                {"name": "app", "command": ["migrate"], "memory": 512,
                 "environment": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]},
            ],
            "cpu": "2048",
            "taskRoleArn": "arn:aws:iam::123456789012:role/batch",
        }
    )  # fmt: skip
    result = apply_overrides(base, overrides)
    app = result.containerDefinitions[0]
    assert app.command == ["migrate"]
    assert [(p.name, p.value) for p in app.environment or []] == [("A", "1"), ("B", "3"), ("C", "4")]
    assert app.memory == 512
    assert result.containerDefinitions[1] == base.containerDefinitions[1]
    assert (result.cpu, result.memory, result.taskRoleArn) == ("2048", "2048", "arn:aws:iam::123456789012:role/batch")


def test_overrides_reach_the_pod() -> None:
    overrides = TaskOverride.model_validate({"containerOverrides": [{"name": "app", "command": ["once"], "cpu": 512}]})
    result = pod_spec(revision(container("app", command=["serve"])), RESOURCE, overrides=overrides)
    [app] = result.spec["containers"]
    assert app["args"] == ["once"]
    assert app["resources"]["requests"]["cpu"] == "500m"


def test_override_of_an_unknown_container_is_refused() -> None:
    overrides = TaskOverride.model_validate({"containerOverrides": [{"name": "ghost", "command": ["x"]}]})
    with pytest.raises(TranslationError) as error:
        pod_spec(revision(), RESOURCE, overrides=overrides)
    assert error.value.field == "overrides.containerOverrides[0].name"


# --- the composed pod ------------------------------------------------------------------------------------


def test_minimal_pod() -> None:
    result = pod_spec(revision(), RESOURCE)
    validate_object(as_pod(result.spec))
    assert result.spec == {
        "containers": [
            {
                "name": "app",
                "image": "nginx",
                "resources": {"requests": {"memory": "128Mi"}, "limits": {"memory": "128Mi"}},
            }
        ],
        "automountServiceAccountToken": False,
        "terminationGracePeriodSeconds": 30,
        "enableServiceLinks": False,
    }
    assert result.labels == {"ecs.compat.dev/task-definition": "web-4"}
    assert json.loads(result.annotations[ANNOTATION_CONTAINER_NAMES]) == {"app": "app"}
    assert result.warnings == []


def test_container_names_annotation_maps_back_to_ecs() -> None:
    result = pod_spec(revision(container("Web_App")), RESOURCE)
    [built] = result.spec["containers"]
    assert json.loads(result.annotations[ANNOTATION_CONTAINER_NAMES]) == {built["name"]: "Web_App"}


def test_full_pod_is_valid_kubernetes() -> None:
    result = pod_spec(
        revision(
            container("app", cpu=512, portMappings=[{"containerPort": 80, "hostPort": 8080}], links=["log:logger"],
                      dnsServers=["10.0.0.2"], hostname="app", extraHosts=[{"hostname": "db", "ipAddress": "10.1.1.1"}],
                      systemControls=[{"namespace": "net.ipv4.tcp_fin_timeout", "value": "15"}],
                      dependsOn=[{"containerName": "log", "condition": "START"}], stopTimeout=60,
                      mountPoints=[{"sourceVolume": "data", "containerPath": "/data"}],
                      linuxParameters={"sharedMemorySize": 64, "initProcessEnabled": True},
                      dockerLabels={"team": "web"}, logConfiguration={"logDriver": "json-file"}),
            container("log", essential=False, volumesFrom=[{"sourceContainer": "app", "readOnly": True}]),
            networkMode="bridge",
            volumes=[{"name": "data", "host": {"sourcePath": "/srv"}}],
            runtimePlatform={"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
            taskRoleArn="arn:aws:iam::123456789012:role/web",
        ),
        RESOURCE,
    )  # fmt: skip
    validate_object(as_pod(result.spec))
    pod = result.spec
    assert pod["hostname"] == "app"
    assert pod["dnsPolicy"] == "None"
    assert pod["shareProcessNamespace"] is True
    assert pod["serviceAccountName"] == service_account_name("arn:aws:iam::123456789012:role/web")
    assert pod["terminationGracePeriodSeconds"] == 60
    assert pod["securityContext"] == {"sysctls": [{"name": "net.ipv4.tcp_fin_timeout", "value": "15"}]}
    assert pod["initContainers"][0]["volumeMounts"] == [{"name": "data", "mountPath": "/data", "readOnly": True}]
    assert {v["name"] for v in pod["volumes"]} == {"data", "shm-app"}
    assert "docker-labels.ecs.compat.dev/app" in result.annotations
    assert [w.field for w in result.warnings].count("containerDefinitions[*].logConfiguration") == 1


FSX = {
    "fileSystemId": "fs-1",
    "rootDirectory": "share",
    "authorizationConfig": {"credentialsParameter": "x", "domain": "d"},
}
S3FILES = {"fileSystemArn": "arn:aws:s3files:::fs"}


@pytest.mark.parametrize(
    ("containers", "fields", "field"),
    [
        ([container()], {"volumes": [{"name": "w", "fsxWindowsFileServerVolumeConfiguration": FSX}]},
         "volumes[0].fsxWindowsFileServerVolumeConfiguration"),
        ([container()], {"volumes": [{"name": "s", "s3filesVolumeConfiguration": S3FILES}]},
         "volumes[0].s3filesVolumeConfiguration"),
        ([container()], {"trustedExecutionConfiguration": {"isolationMode": "ISOLATED_SANDBOX"}},
         "trustedExecutionConfiguration.isolationMode"),
        ([container()], {"trustedExecutionConfiguration": {"isolationMode": "SHARED", "attestationPolicy": "e30="}},
         "trustedExecutionConfiguration.attestationPolicy"),
    ],
)  # fmt: skip
def test_refused_fields(containers: list[dict[str, Any]], fields: dict[str, Any], field: str) -> None:
    with pytest.raises(TranslationError) as error:
        pod_spec(revision(*containers, **fields), RESOURCE)
    assert error.value.field == field
    assert field not in error.value.message  # the path is said once, before the message
    assert str(error.value).count(field) == 1


def test_every_refused_field_is_named() -> None:
    s3 = {"name": "s", "s3filesVolumeConfiguration": S3FILES}
    fsx = {"name": "w", "fsxWindowsFileServerVolumeConfiguration": FSX}
    with pytest.raises(TranslationError) as error:
        pod_spec(revision(container(), volumes=[s3, fsx]), RESOURCE)
    assert error.value.field == "volumes[0].s3filesVolumeConfiguration"
    assert "; volumes[1].fsxWindowsFileServerVolumeConfiguration: " in error.value.message


SHELL_CHECK = {"command": ["CMD-SHELL", "curl -f localhost"]}


@pytest.mark.parametrize(
    ("platform", "shell"),
    [
        (None, ["/bin/sh", "-c"]),
        ({"operatingSystemFamily": "LINUX"}, ["/bin/sh", "-c"]),
        ({"cpuArchitecture": "ARM64"}, ["/bin/sh", "-c"]),
        ({"operatingSystemFamily": "WINDOWS_SERVER_2019_CORE"}, ["cmd", "/S", "/C"]),
        ({"operatingSystemFamily": "WINDOWS_SERVER_2022_FULL"}, ["cmd", "/S", "/C"]),
    ],
)
def test_shell_health_checks_use_the_platform_shell(platform: dict[str, str] | None, shell: list[str]) -> None:
    fields = {"runtimePlatform": platform} if platform else {}
    pod = pod_spec(revision(container(healthCheck=SHELL_CHECK), **fields), RESOURCE).spec
    [built] = pod["containers"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert built[probe]["exec"]["command"] == [*shell, "curl -f localhost"]


@pytest.mark.parametrize(
    ("namespace", "volume", "source"),
    [
        ("apps", {"scope": "shared", "autoprovision": True},
         {"hostPath": {"path": "/var/lib/ecs-operator/volumes/apps/store", "type": "DirectoryOrCreate"}}),
        ("other", {"scope": "shared", "driver": "local"},
         {"hostPath": {"path": "/var/lib/ecs-operator/volumes/other/store", "type": "DirectoryOrCreate"}}),
        ("apps", {"scope": "shared", "driver": "rexray/ebs", "autoprovision": True},
         {"persistentVolumeClaim": {"claimName": "ecs-volume-store"}}),
    ],
)  # fmt: skip
def test_shared_volumes_in_the_pod(namespace: str, volume: dict[str, Any], source: dict[str, Any]) -> None:
    td = TaskDefinitionRevision(
        "web", 1, spec(container(mountPoints=[{"sourceVolume": "store", "containerPath": "/s"}]),
                       volumes=[{"name": "store", "dockerVolumeConfiguration": volume}]), namespace=namespace,
    )  # fmt: skip
    pod = pod_spec(td, RESOURCE).spec
    assert pod["volumes"] == [{"name": "store", **source}]
    validate_object(as_pod(pod))


def test_a_task_volume_named_like_a_container_volume_is_refused() -> None:
    with pytest.raises(TranslationError) as error:
        pod_spec(revision(container("a", linuxParameters={"sharedMemorySize": 64}), volumes=[{"name": "shm-a"}]),
                 RESOURCE)  # fmt: skip
    assert error.value.field == "volumes[0].name"
    assert "containerDefinitions[0].linuxParameters.sharedMemorySize" in error.value.message


@pytest.mark.parametrize("name", ["", "A=B"])
def test_override_variables_without_a_name_or_with_equals_are_refused(name: str) -> None:
    overrides = TaskOverride.model_validate(
        {"containerOverrides": [{"name": "app", "environment": [{"name": name, "value": "1"}]}]}
    )
    with pytest.raises(TranslationError) as error:
        pod_spec(revision(), RESOURCE, overrides=overrides)
    assert error.value.field == "containerDefinitions[0].environment[0].name"


@pytest.mark.parametrize(
    "fields",
    [{"disableNetworking": False}, {"linuxParameters": {"initProcessEnabled": False}}],
)
def test_false_is_not_refused_or_warned(fields: dict[str, Any]) -> None:
    result = pod_spec(revision(container(**fields)), RESOURCE)
    assert result.warnings == []


def test_ignored_fields_are_warned() -> None:
    result = pod_spec(
        revision(
            container(ulimits=[{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}]), enableFaultInjection=True
        ),
        RESOURCE,
    )
    assert {w.field for w in result.warnings} == {"containerDefinitions[0].ulimits", "enableFaultInjection"}
    assert all(w.resource == RESOURCE for w in result.warnings)


def test_a_sysctl_set_twice_keeps_the_first_value() -> None:
    controls = [{"namespace": "kernel.shmmax", "value": "1"}, {"namespace": "kernel.shmmax", "value": "2"}]
    result, warnings = sysctls(spec(container(systemControls=controls)), RESOURCE)
    assert result == [{"name": "kernel.shmmax", "value": "1"}]
    assert "containerDefinitions[0].systemControls[1].value" in [w.field for w in warnings]


def test_disable_networking_is_warned() -> None:
    """A pod's containers share one network: the container keeps it, and the warning says how to cut the task off."""
    result = pod_spec(revision(container(disableNetworking=True)), RESOURCE)
    assert [w.field for w in result.warnings if w.field.endswith("disableNetworking")] == [
        "containerDefinitions[0].disableNetworking"
    ]
