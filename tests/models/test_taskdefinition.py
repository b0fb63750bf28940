"""TaskDefinitionSpec: each ECS rule accepts what ECS accepts and names the field path of what it refuses."""

from __future__ import annotations

import pytest

from ecs_operator.models.taskdefinition import (
    TaskDefinitionSpec,
    registration_notices,
    task_cpu_units,
    task_memory_mib,
)
from tests.models.specs import FARGATE, Spec, container, needs, problems, taskdef

C = "spec.containerDefinitions"


def healthy(name: str = "db", **fields: object) -> Spec:
    return container(name, healthCheck={"command": ["CMD-SHELL", "true"]}, **fields)


VALID = {
    "minimal EC2": taskdef(),
    "task memory covers containers without their own": taskdef({"name": "app", "image": "nginx"}, memory="512"),
    "memoryReservation only": taskdef({"name": "app", "image": "nginx", "memoryReservation": 128}),
    "reservation equal to memory": taskdef(container(memory=256, memoryReservation=256)),
    "START on a container that exists": taskdef(container("web", dependsOn=[needs("START")]), container("db")),
    "HEALTHY on a container with a health check": taskdef(container("web", dependsOn=[needs("HEALTHY")]), healthy()),
    "SUCCESS on a non-essential container": taskdef(
        container("web", dependsOn=[needs("SUCCESS", "init")]), container("init", essential=False)
    ),
    "a dependency chain is not a cycle": taskdef(
        container("a", dependsOn=[needs("START", "b")]),
        container("b", dependsOn=[needs("START", "c")]),
        container("c"),
    ),
    "diamond dependencies are not a cycle": taskdef(
        container("a", dependsOn=[needs("START", "b"), needs("START", "c")]),
        container("b", dependsOn=[needs("START", "d")]),
        container("c", dependsOn=[needs("START", "d")]),
        container("d"),
    ),
    "volumesFrom and links to other containers": taskdef(
        container("a", volumesFrom=[{"sourceContainer": "b"}], links=["b:database"]), container("b")
    ),
    "mount of a declared volume": taskdef(
        container(mountPoints=[{"sourceVolume": "data", "containerPath": "/data"}]), volumes=[{"name": "data"}]
    ),
    "one essential container is enough": taskdef(container("a"), container("b", essential=False)),
    "Fargate smallest size": taskdef(**FARGATE),
    "Fargate sizes in vCPU and GB": taskdef(**{**FARGATE, "cpu": "1 vCPU", "memory": "3 GB"}),
    "Fargate fractional vCPU": taskdef(**{**FARGATE, "cpu": "0.5 vcpu", "memory": "1GB"}),
    "Fargate largest size": taskdef(**{**FARGATE, "cpu": "16384", "memory": "122880"}),
    "Fargate 8 vCPU in 4 GB steps": taskdef(**{**FARGATE, "cpu": "8192", "memory": "20480"}),
    "Fargate stopTimeout at its maximum": taskdef(container(stopTimeout=120), **FARGATE),
    "EC2 stopTimeout beyond Fargate's maximum": taskdef(container(stopTimeout=600)),
    "tcp and udp on the same port": taskdef(
        container(portMappings=[{"containerPort": 53, "protocol": "tcp"}, {"containerPort": 53, "protocol": "udp"}])
    ),
    "bridge dynamic host ports twice": taskdef(
        container("a", portMappings=[{"containerPort": 80, "hostPort": 0}]),
        container("b", portMappings=[{"containerPort": 81, "hostPort": 0}]),
    ),
    "awsvpc hostPort equal to containerPort": taskdef(
        container(portMappings=[{"containerPort": 80, "hostPort": 80}]), networkMode="awsvpc"
    ),
    "awsvpc port range": taskdef(container(portMappings=[{"containerPortRange": "8000-8010"}]), networkMode="awsvpc"),
    "distinct port names": taskdef(
        container(portMappings=[{"containerPort": 80, "name": "web"}, {"containerPort": 81, "name": "admin_1"}])
    ),
    "health check at its bounds": taskdef(
        container(
            healthCheck={"command": ["CMD", "true"], "interval": 5, "timeout": 60, "retries": 10, "startPeriod": 300}
        )
    ),
    "deregistered revisions": taskdef(deregisteredRevisions=[1, 2]),
}


@pytest.mark.parametrize("spec", VALID.values(), ids=VALID.keys())
def test_valid_task_definitions(spec: Spec) -> None:
    assert problems("TaskDefinition", spec) == []


def cycle_of_three() -> Spec:
    return taskdef(
        container("a", dependsOn=[needs("START", "b")]),
        container("b", dependsOn=[needs("START", "c")]),
        container("c", dependsOn=[needs("START", "a")]),
    )


INVALID_REFERENCES = {
    "duplicate container name": (
        taskdef(container("a"), container("a")),
        f'{C}[1].name: duplicate container name "a" (also at containerDefinitions[0].name)',
    ),
    "dependsOn an unknown container": (
        taskdef(container("app"), container("web", dependsOn=[needs("START")])),
        f'{C}[1].dependsOn[0].containerName: no container named "db" in containerDefinitions',
    ),
    "dependsOn itself": (
        taskdef(container("db", dependsOn=[needs("START")])),
        f"{C}[0].dependsOn[0].containerName: a container cannot depend on itself",
    ),
    "dependsOn cycle of two": (
        taskdef(container("a", dependsOn=[needs("START", "b")]), container("b", dependsOn=[needs("START", "a")])),
        f"{C}[0].dependsOn: dependency cycle: a -> b -> a",
    ),
    "dependsOn cycle of three": (cycle_of_three(), f"{C}[0].dependsOn: dependency cycle: a -> b -> c -> a"),
    "HEALTHY without a health check": (
        taskdef(container("web", dependsOn=[needs("HEALTHY")]), container("db")),
        f'{C}[0].dependsOn[0].condition: HEALTHY needs a healthCheck on container "db"',
    ),
    "COMPLETE on an essential container": (
        taskdef(container("web", dependsOn=[needs("COMPLETE")]), container("db")),
        f'{C}[0].dependsOn[0].condition: COMPLETE waits for container "db" to exit, so it must set essential: false '
        "(an essential container that exits stops the task)",
    ),
    "volumesFrom an unknown container": (
        taskdef(container(volumesFrom=[{"sourceContainer": "db"}])),
        f'{C}[0].volumesFrom[0].sourceContainer: no container named "db" in containerDefinitions',
    ),
    "volumesFrom itself": (
        taskdef(container(volumesFrom=[{"sourceContainer": "app"}])),
        f"{C}[0].volumesFrom[0].sourceContainer: a container cannot mount volumes from itself",
    ),
    "link to an unknown container": (
        taskdef(container(links=["db:database"])),
        f'{C}[0].links[0]: no container named "db" in containerDefinitions',
    ),
    "mount of an undeclared volume": (
        taskdef(container(mountPoints=[{"sourceVolume": "data", "containerPath": "/data"}])),
        f'{C}[0].mountPoints[0].sourceVolume: no volume named "data" in volumes',
    ),
    "mount without a path": (
        taskdef(container(mountPoints=[{"sourceVolume": "data"}]), volumes=[{"name": "data"}]),
        f"{C}[0].mountPoints[0].containerPath: is required",
    ),
    "duplicate volume name": (
        taskdef(volumes=[{"name": "data"}, {"name": "data"}]),
        'spec.volumes[1].name: duplicate volume name "data" (also at volumes[0].name)',
    ),
    "volume without a name": (
        taskdef(volumes=[{"host": {}}]),
        "spec.volumes[0].name: is required (mountPoints refer to it)",
    ),
    "no essential container": (
        taskdef(container("a", essential=False), container("b", essential=False)),
        f"{C}: at least one container must be essential (essential defaults to true)",
    ),
}


@pytest.mark.parametrize(("spec", "expected"), INVALID_REFERENCES.values(), ids=INVALID_REFERENCES.keys())
def test_references_between_containers_and_volumes(spec: Spec, expected: str) -> None:
    assert problems("TaskDefinition", spec) == [expected]


INVALID_SIZES = {
    "Fargate without awsvpc": (
        taskdef(**{**FARGATE, "networkMode": "bridge"}),
        "spec.networkMode: FARGATE (requiresCompatibilities) needs networkMode: awsvpc",
    ),
    "unparseable cpu": (
        taskdef(cpu="lots"),
        'spec.cpu: "lots" is not a CPU size: give CPU units ("1024") or vCPUs ("1 vCPU")',
    ),
    "unparseable memory": (
        taskdef(memory="2 TB"),
        'spec.memory: "2 TB" is not a memory size: give MiB ("2048") or GB ("2 GB")',
    ),
    "memoryReservation above memory": (
        taskdef(container(memory=256, memoryReservation=512)),
        f"{C}[0].memoryReservation: 512 MiB exceeds memory (256 MiB)",
    ),
    "container memory above task memory": (
        taskdef(container(memory=1024), memory="512"),
        f"{C}[0].memory: 1024 MiB exceeds the task memory (512 MiB)",
    ),
    "containers reserve more than the task": (
        taskdef({"name": "a", "image": "x", "memoryReservation": 300}, container("b", memory=300), memory="512"),
        "spec.memory: the containers reserve 600 MiB, more than the task's 512 MiB",
    ),
    "containers' cpu above the task's": (
        taskdef(container("a", cpu=512), container("b", cpu=1024), cpu="1 vCPU"),
        "spec.cpu: the containers reserve 1536 CPU units, more than the task's 1024",
    ),
    "container memory below Docker's minimum": (
        taskdef(container(memory=4)),
        f"{C}[0].memory: Input should be greater than or equal to 6",
    ),
    "Fargate privileged container": (
        taskdef(container(privileged=True), **FARGATE),
        f"{C}[0].privileged: is not supported on FARGATE",
    ),
    "Fargate host path volume": (
        taskdef(volumes=[{"name": "v", "host": {"sourcePath": "/var"}}], **FARGATE),
        "spec.volumes[0].host.sourcePath: host paths are not supported on FARGATE",
    ),
    "Fargate ipcMode": (taskdef(ipcMode="task", **FARGATE), "spec.ipcMode: is not supported on FARGATE"),
}


@pytest.mark.parametrize(("spec", "expected"), INVALID_SIZES.values(), ids=INVALID_SIZES.keys())
def test_sizes_and_fargate(spec: Spec, expected: str) -> None:
    assert problems("TaskDefinition", {k: v for k, v in spec.items() if v is not None}) == [expected]


# What ECS refuses at registration but means the same on Kubernetes: accepted, and noticed for the translation
# to warn about (path, start of the message, and the ECS error it names).
NOTICES = {
    "Fargate without cpu": (taskdef(**{**FARGATE, "cpu": None}), "cpu", "is required for FARGATE", "No Fargate"),
    "Fargate without memory": (taskdef(**{**FARGATE, "memory": None}), "memory", "is required", "No Fargate"),
    "Fargate cpu that is no size": (taskdef(**{**FARGATE, "cpu": "300"}), "cpu", "300 is not a FARGATE", "No Fargate"),
    "Fargate 256 with 1536": (
        taskdef(**{**FARGATE, "memory": "1536"}), "memory", "1536 MiB does not go with cpu 256", "256 CPU, 1536 memory"
    ),
    "Fargate 8 vCPU off its 4 GB steps": (
        taskdef(**{**FARGATE, "cpu": "8 vCPU", "memory": "18 GB"}), "memory", "18432 MiB", "16384 to 61440 in steps"
    ),
    "EC2 task cpu below ECS's minimum": (taskdef(cpu="64"), "cpu", "64 CPU units is outside", "128..196608"),
    "container without memory and no task memory": (
        taskdef({"name": "app", "image": "nginx"}), f"{C[5:]}[0].memory", "ECS refuses", "At least one of 'memory'"
    ),
    "Fargate stopTimeout above 120": (
        taskdef(container(stopTimeout=121), **FARGATE), f"{C[5:]}[0].stopTimeout", "at most 120", "120 seconds to stop"
    ),
    "Fargate startTimeout below 2": (
        taskdef(container(startTimeout=1), **FARGATE), f"{C[5:]}[0].startTimeout", "must be 2..120", "no effect"
    ),
}  # fmt: skip


@pytest.mark.parametrize(("spec", "path", "start", "says"), NOTICES.values(), ids=NOTICES.keys())
def test_registration_notices(spec: Spec, path: str, start: str, says: str) -> None:
    given = {k: v for k, v in spec.items() if v is not None}
    assert problems("TaskDefinition", given) == []
    [notice] = registration_notices(TaskDefinitionSpec.model_validate(given))
    assert notice.path == path
    assert notice.message.startswith(start)
    assert says in notice.message


def ports(*mappings: Spec, mode: str | None = None, name: str = "app") -> Spec:
    spec = taskdef(container(name, portMappings=list(mappings)))
    return {**spec, "networkMode": mode} if mode else spec


P = f"{C}[0].portMappings"
INVALID_PORTS = {
    "containerPort and containerPortRange": (
        ports({"containerPort": 80, "containerPortRange": "80-90"}),
        f"{P}[0].containerPort: give exactly one of containerPort and containerPortRange",
    ),
    "neither containerPort nor containerPortRange": (
        ports({"protocol": "tcp"}),
        f"{P}[0].containerPort: give exactly one of containerPort and containerPortRange",
    ),
    "range that runs backwards": (
        ports({"containerPortRange": "90-80"}),
        f"{P}[0].containerPortRange: needs 1 <= start < end <= 65535",
    ),
    "range beyond the last port": (
        ports({"containerPortRange": "65000-70000"}),
        f"{P}[0].containerPortRange: needs 1 <= start < end <= 65535",
    ),
    "range that is not start-end": (
        ports({"containerPortRange": "80"}),
        f"{P}[0].containerPortRange: String should match pattern '^\\d+-\\d+$'",
    ),
    "hostPort with a range": (
        ports({"containerPortRange": "80-90", "hostPort": 80}),
        f"{P}[0].hostPort: leave it unset with containerPortRange: ECS picks the host ports",
    ),
    "containerPort out of range": (
        ports({"containerPort": 0}),
        f"{P}[0].containerPort: Input should be greater than or equal to 1",
    ),
    "port range with host networking": (
        ports({"containerPortRange": "80-90"}, mode="host"),
        f"{P}[0].containerPortRange: needs networkMode bridge or awsvpc",
    ),
    "port mappings with networkMode none": (
        ports({"containerPort": 80}, mode="none"),
        f"{P}[0]: networkMode none allows no port mappings",
    ),
    "same port twice in one container": (
        ports({"containerPort": 80}, {"containerPort": 80, "protocol": "tcp"}),
        f"{P}[1]: tcp port 80 is already mapped by {P[5:]}[0]",
    ),
    "port inside another mapping's range": (
        ports({"containerPortRange": "8000-8010"}, {"containerPort": 8005}, mode="awsvpc"),
        f"{P}[1]: tcp port 8005 is already mapped by {P[5:]}[0]",
    ),
    "duplicate port name": (
        ports({"containerPort": 80, "name": "web"}, {"containerPort": 81, "name": "web"}),
        f'{P}[1].name: duplicate port mapping name "web" (also at containerDefinitions[0].portMappings[0].name)',
    ),
    "port name with upper case": (
        ports({"containerPort": 80, "name": "Web"}),
        f"{P}[0].name: String should match pattern '^[a-z0-9_][a-z0-9_-]{{0,63}}$'",
    ),
}


@pytest.mark.parametrize(("spec", "expected"), INVALID_PORTS.values(), ids=INVALID_PORTS.keys())
def test_port_mappings(spec: Spec, expected: str) -> None:
    assert problems("TaskDefinition", spec) == [expected]


def test_ports_clash_across_containers_because_a_task_is_one_pod() -> None:
    spec = taskdef(
        container("a", portMappings=[{"containerPort": 80}]), container("b", portMappings=[{"containerPort": 80}])
    )
    assert problems("TaskDefinition", spec) == [
        f"{C}[1].portMappings[0]: tcp port 80 is already mapped by containerDefinitions[0].portMappings[0]: a task's "
        "containers share one network in a pod, so only one of them can listen on it (ECS's bridge mode gives each "
        "container its own)"
    ]


def test_bridge_host_ports_clash_across_containers() -> None:
    spec = taskdef(
        container("a", portMappings=[{"containerPort": 80, "hostPort": 8080}]),
        container("b", portMappings=[{"containerPort": 81, "hostPort": 8080}]),
    )
    assert problems("TaskDefinition", spec) == [
        f"{C}[1].portMappings[0].hostPort: host port 8080/tcp is already used by "
        "containerDefinitions[0].portMappings[0]: a pod's containers cannot publish one host port twice"
    ]


H = f"{C}[0].healthCheck"
INVALID_FIELDS = {
    "health check interval below 5": (
        {"interval": 4},
        f"{H}.interval: Input should be greater than or equal to 5",
    ),
    "health check interval above 300": (
        {"interval": 301},
        f"{H}.interval: Input should be less than or equal to 300",
    ),
    "health check timeout below 2": (
        {"timeout": 1},
        f"{H}.timeout: Input should be greater than or equal to 2",
    ),
    "health check timeout above 60": (
        {"timeout": 61},
        f"{H}.timeout: Input should be less than or equal to 60",
    ),
    "health check retries of 0": (
        {"retries": 0},
        f"{H}.retries: Input should be greater than or equal to 1",
    ),
    "health check retries above 10": (
        {"retries": 11},
        f"{H}.retries: Input should be less than or equal to 10",
    ),
    "health check startPeriod below 0": (
        {"startPeriod": -1},
        f"{H}.startPeriod: Input should be greater than or equal to 0",
    ),
    "health check startPeriod above 300": (
        {"startPeriod": 301},
        f"{H}.startPeriod: Input should be less than or equal to 300",
    ),
    "health check without a command": (
        {"command": []},
        f"{H}.command: List should have at least 1 item after validation, not 0",
    ),
}


@pytest.mark.parametrize(("health", "expected"), INVALID_FIELDS.values(), ids=INVALID_FIELDS.keys())
def test_health_check_bounds(health: Spec, expected: str) -> None:
    spec = taskdef(container(healthCheck={"command": ["CMD-SHELL", "true"], **health}))
    assert problems("TaskDefinition", spec) == [expected]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            taskdef(family="my app"),
            "spec.family: String should match pattern '^[A-Za-z0-9_-]+$' "
            "(ECS refuses it too: ClientException: Family contains invalid characters.)",
        ),
        (
            taskdef(container(name="my app")),
            f"{C}[0].name: String should match pattern '^[A-Za-z0-9_-]+$'",
        ),
        (
            taskdef({"image": "nginx", "memory": 6}),
            f"{C}[0].name: is required (ECS refuses it too: ClientException: Container.name should not be null or "
            "empty.)",
        ),
        (
            taskdef({"name": "app", "memory": 6}),
            f"{C}[0].image: is required (ECS refuses it too: ClientException: Container.image should not be null or "
            "empty.)",
        ),
        (
            {"containerDefinitions": []},
            f"{C}: List should have at least 1 item after validation, not 0 "
            "(ECS refuses it too: ClientException: Container list cannot be empty.)",
        ),
        (
            taskdef(deregisteredRevisions=[0]),
            "spec.deregisteredRevisions[0]: Input should be greater than or equal to 1",
        ),
    ],
    ids=["family", "container name", "no container name", "no image", "no containers", "revision 0"],
)
def test_field_rules(spec: Spec, expected: str) -> None:
    assert problems("TaskDefinition", spec) == [expected]


INVALID_VALUES = {
    "extra host address": (
        container(extraHosts=[{"hostname": "db", "ipAddress": "not-an-ip"}]),
        f'{C}[0].extraHosts[0].ipAddress: "not-an-ip" is not an IPv4 or IPv6 address',
    ),
    "extra host CIDR": (
        container(extraHosts=[{"hostname": "db", "ipAddress": "10.0.0.0/8"}]),
        f'{C}[0].extraHosts[0].ipAddress: "10.0.0.0/8" is not an IPv4 or IPv6 address',
    ),
    "variable name with =": (
        container(environment=[{"name": "A", "value": "1"}, {"name": "B=C", "value": "1"}]),
        f'{C}[0].environment[1].name: "B=C" cannot be an environment variable name: it contains "="',
    ),
    "empty variable name": (
        container(environment=[{"name": "", "value": "1"}]),
        f"{C}[0].environment[0].name: an environment variable needs a name",
    ),
    "no variable name": (
        container(environment=[{"value": "1"}]),
        f"{C}[0].environment[0].name: an environment variable needs a name",
    ),
    "secret variable name with =": (
        container(secrets=[{"name": "=X", "valueFrom": "/p"}]),
        f'{C}[0].secrets[0].name: "=X" cannot be an environment variable name: it contains "="',
    ),
}


@pytest.mark.parametrize(("definition", "expected"), INVALID_VALUES.values(), ids=INVALID_VALUES.keys())
def test_values_a_container_runtime_refuses(definition: Spec, expected: str) -> None:
    assert problems("TaskDefinition", taskdef(definition)) == [expected]


@pytest.mark.parametrize("address", ["10.0.0.5", "::1", "fd00::5", "255.255.255.255"])
def test_extra_hosts_take_ipv4_and_ipv6_addresses(address: str) -> None:
    assert problems("TaskDefinition", taskdef(container(extraHosts=[{"hostname": "db", "ipAddress": address}]))) == []


def test_every_problem_is_reported_at_once() -> None:
    spec = taskdef(container("a", dependsOn=[needs("START")], links=["x"]), container("a"))
    assert problems("TaskDefinition", spec) == [
        f'{C}[1].name: duplicate container name "a" (also at containerDefinitions[0].name)',
        f'{C}[0].dependsOn[0].containerName: no container named "db" in containerDefinitions',
        f'{C}[0].links[0]: no container named "x" in containerDefinitions',
    ]


@pytest.mark.parametrize(
    ("text", "units"),
    [("1024", 1024), (" 256 ", 256), ("1 vCPU", 1024), ("1vcpu", 1024), ("0.25 vCPU", 256), ("16 VCPU", 16384)],
)
def test_task_cpu_units(text: str, units: int) -> None:
    assert task_cpu_units(text) == units


@pytest.mark.parametrize(("text", "mib"), [("512", 512), ("2 GB", 2048), ("0.5GB", 512), ("30 gb", 30720)])
def test_task_memory_mib(text: str, mib: int) -> None:
    assert task_memory_mib(text) == mib


@pytest.mark.parametrize("text", ["", "1.5", "0.3 vCPU", "-1", "1 CPU", "vCPU"])
def test_task_cpu_units_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="is not a CPU size"):
        task_cpu_units(text)


def test_parsed_properties() -> None:
    spec = TaskDefinitionSpec.model_validate(taskdef(container("a", essential=False), container("b"), **FARGATE))
    assert (spec.cpu_units, spec.memory_mib, spec.is_fargate, spec.network_mode) == (256, 512, True, "awsvpc")
    assert [c.is_essential for c in spec.containerDefinitions] == [False, True]
    assert TaskDefinitionSpec.model_validate(taskdef()).network_mode == "bridge"


def test_given_fields_round_trip_unchanged() -> None:
    """The subclassed shapes add bounds, not values: to_ecs gives back exactly what was given."""
    given = taskdef(container(healthCheck={"command": ["CMD", "true"]}, portMappings=[{"containerPort": 80}]))
    assert TaskDefinitionSpec.model_validate(given).to_ecs() == given
