"""One container definition as one Kubernetes container."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ecs_operator.models.taskdefinition import ContainerSpec, TaskDefinitionSpec
from ecs_operator.translate.container import (
    ContainerContext,
    TaskShare,
    container,
    container_annotations,
    cpu_quantity,
    device_volumes,
    env,
    env_file_config_map,
    env_from,
    gmsa_credential_spec_name,
    memory_volumes,
    port_name,
    ports,
    resources,
    run_as,
    secret_ref,
    security_context,
    volume_mounts,
)
from ecs_operator.translate.context import TranslationError, k8s_subdomain_name
from ecs_operator.translate.volumes import TaskVolumes, task_volumes
from tests.k8s_schema import validate_object

NO_VOLUMES = TaskVolumes()
NO_SHARE = TaskShare()


def definition(**fields: Any) -> ContainerSpec:
    return ContainerSpec.model_validate({"name": "app", "image": "nginx", **fields})


def context(
    network_mode: str = "awsvpc",
    share: TaskShare = NO_SHARE,
    volumes: TaskVolumes = NO_VOLUMES,
    others: tuple[ContainerSpec, ...] = (),
) -> ContainerContext:
    return ContainerContext(
        "TaskDefinition/web", "containerDefinitions[0]", network_mode, volumes, {c.name: c for c in others}, share
    )


def as_pod(built: dict[str, Any], volumes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [built]}
    if volumes:
        spec["volumes"] = volumes
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}


# --- resources -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("units", "quantity"), [(1024, "1000m"), (256, "250m"), (100, "98m"), (1, "1m"), (0, "0m")])
def test_cpu_quantity_rounds_up(units: int, quantity: str) -> None:
    assert cpu_quantity(units) == quantity


@pytest.mark.parametrize(
    ("fields", "share", "expected"),
    [
        ({}, TaskShare(), {}),
        # Container cpu is a share, never a cap; memory is the hard limit and, alone, the request.
        (
            {"cpu": 512, "memory": 256},
            TaskShare(),
            {"requests": {"cpu": "500m", "memory": "256Mi"}, "limits": {"memory": "256Mi"}},
        ),
        ({"memoryReservation": 128}, TaskShare(), {"requests": {"memory": "128Mi"}}),
        (
            {"memory": 512, "memoryReservation": 128},
            TaskShare(),
            {"requests": {"memory": "128Mi"}, "limits": {"memory": "512Mi"}},
        ),
        # Task sizes: each container is capped at the task, requests its share.
        (
            {},
            TaskShare(cpu_limit=1024, cpu_request=512, memory_limit=2048, memory_request=1024),
            {"requests": {"cpu": "500m", "memory": "1024Mi"}, "limits": {"cpu": "1000m", "memory": "2048Mi"}},
        ),
        (
            {"cpu": 256, "memoryReservation": 100},
            TaskShare(cpu_limit=1024, memory_limit=2048),
            {"requests": {"cpu": "250m", "memory": "100Mi"}, "limits": {"cpu": "1000m", "memory": "2048Mi"}},
        ),
        # With a limit the request is explicit, even when nothing is left to share.
        ({}, TaskShare(cpu_limit=256, cpu_request=0), {"requests": {"cpu": "0m"}, "limits": {"cpu": "250m"}}),
        (
            {"memory": 64},
            TaskShare(storage_limit_gib=30, storage_request_mib=15360),
            {
                "requests": {"memory": "64Mi", "ephemeral-storage": "15360Mi"},
                "limits": {"memory": "64Mi", "ephemeral-storage": "30Gi"},
            },
        ),
        (
            {"memory": 64, "resourceRequirements": [{"type": "GPU", "value": "2"}]},
            TaskShare(),
            {"requests": {"memory": "64Mi"}, "limits": {"memory": "64Mi", "nvidia.com/gpu": "2"}},
        ),
        (
            {"memory": 64, "resourceRequirements": [{"type": "NeuronDevice", "value": "1"}]},
            TaskShare(),
            {"requests": {"memory": "64Mi"}, "limits": {"memory": "64Mi", "aws.amazon.com/neurondevice": "1"}},
        ),
    ],
)
def test_resources(fields: dict[str, Any], share: TaskShare, expected: dict[str, Any]) -> None:
    result, warnings = resources(definition(**fields), context(share=share))
    assert result == expected
    assert warnings == []


def test_inference_accelerator_is_warned_and_ignored() -> None:
    cd = definition(memory=64, resourceRequirements=[{"type": "InferenceAccelerator", "value": "device_1"}])
    result, warnings = resources(cd, context())
    assert "limits" in result and all("gpu" not in key for key in result["limits"])
    assert [w.field for w in warnings] == ["containerDefinitions[0].resourceRequirements[0]"]


@pytest.mark.parametrize("value", [None, "two", "1.5"])
def test_device_count_must_be_whole(value: str | None) -> None:
    cd = definition(memory=64, resourceRequirements=[{"type": "GPU", "value": value}])
    with pytest.raises(TranslationError) as error:
        resources(cd, context())
    assert error.value.field == "containerDefinitions[0].resourceRequirements[0].value"


def test_reservation_above_task_memory_is_refused() -> None:
    with pytest.raises(TranslationError) as error:
        resources(definition(memoryReservation=4096), context(share=TaskShare(memory_limit=2048)))
    assert error.value.field == "containerDefinitions[0].memoryReservation"


# --- process and environment -----------------------------------------------------------------------------


def test_entry_point_and_command_are_never_split() -> None:
    cd = definition(memory=64, entryPoint=["sh", "-c"], command=["echo hello world"], workingDirectory="/srv")
    built = container(cd, context()).container
    assert built["command"] == ["sh", "-c"]
    assert built["args"] == ["echo hello world"]
    assert built["workingDir"] == "/srv"


@pytest.mark.parametrize(
    ("value_from", "name", "key", "pinned"),
    [
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-pass", "db-pass", "value", False),
        # A full ARN ends the name in "-" and 6 random characters: the Secret is named without them.
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf", "prod-db", "value", False),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-pass-a1B2c3:user::", "db-pass", "user", False),
        ("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:api-123456", "api", "value", False),
        # Partial ARNs and names carry no suffix: nothing is cut.
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db", "prod-db", "value", False),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-12345", "db-12345", "value", False),
        ("prod/db-AbCdEf", "prod-db-abcdef-", "value", False),
        ("arn:aws:ssm:eu-west-1:123456789012:parameter/app/db-AbCdEf", "app-db-abcdef-", "value", False),
        # Secret names are DNS subdomains: dots stay.
        ("arn:aws:ssm:eu-west-1:123456789012:parameter/app/db.password", "app-db.password", "value", False),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db:password::", "prod-db", "password", False),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db:user:AWSPREVIOUS:", "db", "user", True),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db::AWSCURRENT:", "db", "value", True),
        ("arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db/password", "prod-db-password", "value", False),
        ("/prod/api-key", "prod-api-key", "value", False),
        ("api-key", "api-key", "value", False),
    ],
)
def test_secret_ref(value_from: str, name: str, key: str, pinned: bool) -> None:
    ref = secret_ref(value_from, "secrets[0].valueFrom")
    hashed = name.endswith("-")  # the name is not valid as it is: lowered, with a hash
    assert ref.name.startswith(name) and len(ref.name) == len(name) + (6 if hashed else 0)
    assert (ref.key, ref.pinned_version) == (key, pinned)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("envfile-bucket-app.env", "envfile-bucket-app.env"),
        ("a.b.c", "a.b.c"),
        ("Web_App.env", "web-app.env-"),
        ("a..b", "a.b-"),
        ("-a.-b-.", "a.b-"),
        ("x" * 300, "x" * 246 + "-"),
    ],
)
def test_k8s_subdomain_name(name: str, expected: str) -> None:
    result = k8s_subdomain_name(name)
    assert result == expected if not expected.endswith("-") else result.startswith(expected)
    assert len(result) <= 253
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", result)


def test_secret_names_are_dns_safe() -> None:
    ref = secret_ref("arn:aws:ssm:eu-west-1:123456789012:parameter/Prod/DB_Password", "f")
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", ref.name)
    assert ref.name.startswith("prod-db-password-")


@pytest.mark.parametrize(
    "value_from",
    [
        "arn:aws:s3:::bucket/key",
        "arn:aws:ssm:eu-west-1:123456789012:document/x",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db:bad key::",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/",
        "///",
    ],
)
def test_secret_ref_refuses(value_from: str) -> None:
    with pytest.raises(TranslationError) as error:
        secret_ref(value_from, "containerDefinitions[0].secrets[0].valueFrom")
    assert error.value.field == "containerDefinitions[0].secrets[0].valueFrom"


def test_env_and_secrets() -> None:
    cd = definition(
        environment=[{"name": "MODE", "value": "prod"}, {"name": "EMPTY"}],
        secrets=[
            {"name": "DB", "valueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db:password::"},
            {
                "name": "OLD",
                "valueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db:password:AWSPREVIOUS:",
            },
        ],
    )
    entries, warnings = env(cd, context())
    assert entries == [
        {"name": "MODE", "value": "prod"},
        {"name": "EMPTY", "value": ""},
        {"name": "DB", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
        {"name": "OLD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
    ]
    assert [w.field for w in warnings] == ["containerDefinitions[0].secrets[1].valueFrom"]


def test_environment_files_are_config_maps() -> None:
    cd = definition(
        environmentFiles=[
            {"type": "s3", "value": "arn:aws:s3:::config-bucket/app/prod.env"},
            {"type": "s3", "value": "arn:aws:s3:::config-bucket/app/extra.env"},
        ]
    )
    names = [entry["configMapRef"]["name"] for entry in env_from(cd)]
    assert names == ["envfile-config-bucket-app-prod.env", "envfile-config-bucket-app-extra.env"]


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:s3:::config-bucket/app/prod.env", "envfile-config-bucket-app-prod.env"),
        ("arn:aws:s3:::b/k.env", "envfile-b-k.env"),
        ("arn:aws-us-gov:s3:::b/dir/", "envfile-b-dir"),
        ("arn:aws:s3:::Config/App_Prod.env", "envfile-config-app-prod.env-"),  # lowered, with a hash
    ],
)
def test_environment_file_config_map_names(arn: str, name: str) -> None:
    result = env_file_config_map(arn)
    assert result == name if not name.endswith("-") else (result.startswith(name) and len(result) == len(name) + 6)


def test_environment_file_must_be_s3() -> None:
    with pytest.raises(TranslationError):
        env_file_config_map("arn:aws:ssm:eu-west-1:123456789012:parameter/x")


# --- ports -----------------------------------------------------------------------------------------------


_IANA_SVC_NAME = re.compile(r"^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@pytest.mark.parametrize(
    ("ecs_name", "exact"),
    [("http", True), ("web-8080", True), ("HTTP", False), ("api_port", False), ("8080", False),
     ("a-very-long-port-name-indeed", False), ("x--y", False), ("_", False)],
)  # fmt: skip
def test_port_name_is_an_iana_service_name(ecs_name: str, exact: bool) -> None:
    name = port_name(ecs_name)
    assert len(name) <= 15
    assert _IANA_SVC_NAME.match(name), name
    assert (name == ecs_name) is exact


def test_port_names_keep_distinct_names_apart() -> None:
    assert port_name("HTTP") != port_name("http")
    assert port_name("a-very-long-port-name-1") != port_name("a-very-long-port-name-2")


@pytest.mark.parametrize(
    ("mode", "mapping", "expected"),
    [
        ("awsvpc", {"containerPort": 80, "hostPort": 80}, [{"containerPort": 80, "protocol": "TCP"}]),
        ("bridge", {"containerPort": 80, "hostPort": 8080},
         [{"containerPort": 80, "protocol": "TCP", "hostPort": 8080}]),
        ("bridge", {"containerPort": 80, "hostPort": 0}, [{"containerPort": 80, "protocol": "TCP"}]),
        ("bridge", {"containerPort": 80}, [{"containerPort": 80, "protocol": "TCP"}]),
        ("host", {"containerPort": 80, "hostPort": 80}, [{"containerPort": 80, "protocol": "TCP"}]),
        ("awsvpc", {"containerPort": 53, "protocol": "udp", "name": "dns"},
         [{"containerPort": 53, "protocol": "UDP", "name": "dns"}]),
        ("awsvpc", {"containerPortRange": "7000-7002"},
         [{"containerPort": p, "protocol": "TCP"} for p in (7000, 7001, 7002)]),
    ],
)  # fmt: skip
def test_ports(mode: str, mapping: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    result, warnings = ports(definition(portMappings=[mapping]), context(network_mode=mode))
    assert result == expected
    assert warnings == []


def test_named_port_range_is_warned() -> None:
    result, warnings = ports(definition(portMappings=[{"containerPortRange": "7000-7001", "name": "game"}]), context())
    assert all("name" not in port for port in result)
    assert [w.field for w in warnings] == ["containerDefinitions[0].portMappings[0].name"]


@pytest.mark.parametrize(("mode", "mapping"), [("none", {"containerPort": 80})])
def test_ports_refused(mode: str, mapping: dict[str, Any]) -> None:
    with pytest.raises(TranslationError) as error:
        ports(definition(portMappings=[mapping]), context(network_mode=mode))
    assert error.value.field == "containerDefinitions[0].portMappings[0]"


# --- security --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "expected", "warned"),
    [
        ("1000", {"runAsUser": 1000}, False),
        ("1000:2000", {"runAsUser": 1000, "runAsGroup": 2000}, False),
        ("root", {"runAsUser": 0}, False),
        ("nginx", {}, True),
        ("nginx:1000", {"runAsGroup": 1000}, True),
        ("1000:staff", {"runAsUser": 1000}, True),
    ],
)
def test_run_as(user: str, expected: dict[str, int], warned: bool) -> None:
    result, warnings = run_as(user, context())
    assert result == expected
    assert [w.field for w in warnings] == (["containerDefinitions[0].user"] if warned else [])


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"readonlyRootFilesystem": True, "privileged": False}, {"readOnlyRootFilesystem": True, "privileged": False}),
        (
            {"linuxParameters": {"capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}}},
            {"capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}},
        ),
        ({"dockerSecurityOptions": ["no-new-privileges"]}, {"allowPrivilegeEscalation": False}),
        ({"dockerSecurityOptions": ["apparmor:unconfined"]}, {"appArmorProfile": {"type": "Unconfined"}}),
        (
            {"dockerSecurityOptions": ["apparmor:my-profile"]},
            {"appArmorProfile": {"type": "Localhost", "localhostProfile": "my-profile"}},
        ),
        (
            {"dockerSecurityOptions": ["label:type:spc_t", "label:level:s0:c1"]},
            {"seLinuxOptions": {"type": "spc_t", "level": "s0:c1"}},
        ),
    ],
)
def test_security_context(fields: dict[str, Any], expected: dict[str, Any]) -> None:
    result, _ = security_context(definition(**fields), context())
    assert result == expected


@pytest.mark.parametrize(
    "fields",
    [
        {"dockerSecurityOptions": ["seccomp:unconfined"]},
        {"privileged": True, "dockerSecurityOptions": ["no-new-privileges"]},
    ],
)
def test_security_context_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(TranslationError) as error:
        security_context(definition(**fields), context())
    assert error.value.field.startswith("containerDefinitions[0].dockerSecurityOptions")


@pytest.mark.parametrize(
    ("fields", "name", "warnings"),
    [
        ({"dockerSecurityOptions": ["credentialspec:file://webapp01.json"]}, "webapp01", 1),
        (
            {"dockerSecurityOptions": ["credentialspec:arn:aws:ssm:us-west-2:123456789012:parameter/gmsa/WebApp"]},
            gmsa_credential_spec_name("WebApp"),
            1,
        ),
        ({"credentialSpecs": ["credentialspecdomainless:arn:aws:s3:::specs/gmsa/app.json"]}, "app", 1),
        (
            {
                "dockerSecurityOptions": ["credentialspec:file://a.json"],
                "credentialSpecs": ["credentialspec:file://b.json"],
            },
            "a",
            2,  # one spec per container: the second is warned and left out
        ),
    ],
)
def test_credential_specs_become_the_containers_gmsa_spec(fields: dict[str, Any], name: str, warnings: int) -> None:
    result, found = security_context(definition(**fields), context())
    assert result == {"windowsOptions": {"gmsaCredentialSpecName": name}}
    assert len(found) == warnings
    assert "GMSACredentialSpec" in found[0].message


# --- volumes ---------------------------------------------------------------------------------------------


def test_memory_volumes() -> None:
    cd = definition(
        linuxParameters={"sharedMemorySize": 256, "tmpfs": [{"containerPath": "/run", "size": 64}]},
    )
    volumes, mounts = memory_volumes(cd, context(volumes=_volumes({"name": "shm"}, {"name": "tmpfs-app"})))
    assert volumes == [
        {"name": "shm-app", "emptyDir": {"medium": "Memory", "sizeLimit": "256Mi"}},
        {"name": "tmpfs-app-0", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
    ]
    assert mounts == [{"name": "shm-app", "mountPath": "/dev/shm"}, {"name": "tmpfs-app-0", "mountPath": "/run"}]


def _volumes(*volumes: dict[str, Any]) -> TaskVolumes:
    spec = TaskDefinitionSpec.model_validate(
        {"family": "f", "containerDefinitions": [{"name": "x", "image": "i", "memory": 64}], "volumes": list(volumes)}
    )
    return task_volumes(spec, "TaskDefinition/f", "apps")


@pytest.mark.parametrize(
    ("linux", "task_volume", "member"),
    [
        ({"sharedMemorySize": 64}, "shm-app", "sharedMemorySize"),
        (
            {"tmpfs": [{"containerPath": "/a", "size": 8}, {"containerPath": "/b", "size": 8}]},
            "tmpfs-app-1",
            "tmpfs[1]",
        ),
    ],
)
def test_a_task_volume_named_like_a_memory_volume_is_refused(
    linux: dict[str, Any], task_volume: str, member: str
) -> None:
    cd = definition(linuxParameters=linux)
    with pytest.raises(TranslationError) as error:
        memory_volumes(cd, context(volumes=_volumes({"name": "data"}, {"name": task_volume})))
    assert error.value.field == "volumes[1].name"
    assert f"containerDefinitions[0].linuxParameters.{member}" in error.value.message


def test_volume_mounts_and_volumes_from() -> None:
    volumes = _volumes(
        {"name": "data"},
        {"name": "efs", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "rootDirectory": "/exports/app"}},
    )
    source = definition(
        name="source",
        mountPoints=[
            {"sourceVolume": "data", "containerPath": "/data"},
            {"sourceVolume": "efs", "containerPath": "/shared"},
        ],
    )
    reader = definition(
        name="reader",
        mountPoints=[{"sourceVolume": "data", "containerPath": "/data", "readOnly": False}],
        volumesFrom=[{"sourceContainer": "source", "readOnly": True}],
    )
    mounts = volume_mounts(reader, context(volumes=volumes, others=(source, reader)))
    assert mounts == [
        {"name": "data", "mountPath": "/data"},  # its own mount wins over the copied one
        {"name": "efs", "mountPath": "/shared", "subPath": "exports/app", "readOnly": True},
    ]


def test_mount_of_an_unknown_volume_is_refused() -> None:
    cd = definition(mountPoints=[{"sourceVolume": "missing", "containerPath": "/x"}])
    with pytest.raises(TranslationError) as error:
        volume_mounts(cd, context(volumes=_volumes({"name": "data"})))
    assert error.value.field == "containerDefinitions[0].mountPoints[0].sourceVolume"


# --- annotations and the whole container -----------------------------------------------------------------


def test_annotations() -> None:
    cd = definition(
        name="App_1",
        dockerLabels={"com.example.team": "web"},
        logConfiguration={"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}},
    )
    result = container_annotations(cd)
    own = container(cd, context()).container["name"]
    assert result == {
        f"docker-labels.ecs.compat.dev/{own}": '{"com.example.team": "web"}',
        f"log-driver.ecs.compat.dev/{own}": "awslogs",
        f"log-options.ecs.compat.dev/{own}": '{"awslogs-group": "/ecs/web"}',
    }


def test_non_essential_health_check_is_warned() -> None:
    cd = definition(memory=64, essential=False, healthCheck={"command": ["CMD", "true"]})
    result = container(cd, context())
    assert not any(key.endswith("Probe") for key in result.container)
    assert [w.field for w in result.warnings] == ["containerDefinitions[0].healthCheck"]


def test_full_container_is_valid_kubernetes() -> None:
    volumes = _volumes({"name": "data", "host": {"sourcePath": "/var/data"}})
    cd = definition(
        name="Web_App",
        cpu=256,
        memory=512,
        memoryReservation=256,
        entryPoint=["/entrypoint.sh"],
        command=["--port", "8080"],
        environment=[{"name": "A", "value": "1"}],
        environmentFiles=[{"type": "s3", "value": "arn:aws:s3:::b/k.env"}],
        secrets=[{"name": "S", "valueFrom": "/app/secret"}],
        portMappings=[{"containerPort": 8080, "hostPort": 8080, "name": "http"}],
        user="1000:1000",
        readonlyRootFilesystem=True,
        linuxParameters={
            "capabilities": {"drop": ["ALL"]},
            "sharedMemorySize": 64,
            "tmpfs": [{"containerPath": "/tmp", "size": 32}],
        },
        mountPoints=[{"sourceVolume": "data", "containerPath": "/data", "readOnly": True}],
        healthCheck={"command": ["CMD-SHELL", "wget -q localhost:8080"], "startPeriod": 10},
        interactive=True,
        pseudoTerminal=True,
        resourceRequirements=[{"type": "GPU", "value": "1"}],
    )
    result = container(cd, context(network_mode="bridge", volumes=volumes))
    validate_object(as_pod(result.container, volumes.volumes + result.volumes))
    built = result.container
    assert built["name"] != "Web_App" and re.fullmatch(r"[a-z0-9-]+", built["name"])
    assert (built["stdin"], built["tty"]) == (True, True)
    assert built["ports"][0]["hostPort"] == 8080
    assert {"startupProbe", "readinessProbe", "livenessProbe"} <= set(built)


def test_container_needs_an_image() -> None:
    cd = ContainerSpec.model_construct(name="app", image=None)
    with pytest.raises(TranslationError) as error:
        container(cd, context())
    assert error.value.field == "containerDefinitions[0].image"


@pytest.mark.parametrize(
    ("device", "privileged", "mount", "warned"),
    [
        ({"hostPath": "/dev/xvda", "containerPath": "/dev/sda", "permissions": ["read"]}, False,
         {"mountPath": "/dev/sda", "readOnly": True}, True),
        ({"hostPath": "/dev/fuse"}, False, {"mountPath": "/dev/fuse"}, True),
        ({"hostPath": "/dev/ttyUSB0", "permissions": ["read", "write"]}, True, {"mountPath": "/dev/ttyUSB0"}, False),
    ],
)  # fmt: skip
def test_devices_are_mounted_from_the_node(
    device: dict[str, Any], privileged: bool, mount: dict[str, Any], warned: bool
) -> None:
    cd = definition(linuxParameters={"devices": [device]}, privileged=privileged)
    volumes, mounts, warnings = device_volumes(cd, context())
    assert volumes == [{"name": mounts[0]["name"], "hostPath": {"path": device["hostPath"], "type": ""}}]
    assert {k: v for k, v in mounts[0].items() if k != "name"} == mount
    assert bool(warnings) is warned
    built = container(cd, context())
    assert built.volumes == volumes
    assert mounts[0] in built.container["volumeMounts"]


def test_a_port_range_too_long_to_list_is_warned_not_listed() -> None:
    """Every port of a pod is reachable; container ports only name them, so 10 000 need not be listed."""
    cd = definition(portMappings=[{"containerPortRange": "10000-20000", "protocol": "udp"}])
    result, warnings = ports(cd, context(network_mode="awsvpc"))
    assert result == []
    assert [w.field for w in warnings] == ["containerDefinitions[0].portMappings[0].containerPortRange"]


@pytest.mark.parametrize(
    ("kind", "resource"), [("GPU", "nvidia.com/gpu"), ("NeuronDevice", "aws.amazon.com/neurondevice")]
)
def test_all_devices_request_one(kind: str, resource: str) -> None:
    limits, warnings = resources(definition(resourceRequirements=[{"type": kind, "value": "ALL"}]), context())
    assert limits["limits"][resource] == "1"
    assert [w.field for w in warnings] == ["containerDefinitions[0].resourceRequirements[0].value"]
