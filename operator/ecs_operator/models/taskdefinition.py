"""The TaskDefinition custom resource's spec: RegisterTaskDefinition's request, checked across fields.

The field-level bounds ECS documents (health check periods, port numbers, names) live on subclasses of the
generated shapes, so they reach the CRD schema and `kubectl apply` rejects them; the rules that span fields
(references between containers, Fargate sizes, port clashes) are model validators that name the field path.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ecs_operator.models.base import Problem, duplicate_problems, field_path, raise_problems
from ecs_operator.models.ecs_api import ContainerDefinition, HealthCheck, PortMapping, RegisterTaskDefinitionRequest

NAME_PATTERN = r"^[A-Za-z0-9_-]+$"
PORT_NAME_PATTERN = r"^[a-z0-9_][a-z0-9_-]{0,63}$"
CONTAINERS = "containerDefinitions"

# Fargate task sizes (Linux): task CPU units -> the memory sizes (MiB) allowed with it.
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}
EC2_TASK_CPU_RANGE = (128, 196608)  # CPU units ECS accepts as task-level cpu outside Fargate
FARGATE_MAX_STOP_TIMEOUT = 120
FARGATE_START_TIMEOUT_RANGE = (2, 120)

_VCPU = re.compile(r"^(\d+(?:\.\d+)?)\s*vcpu$", re.IGNORECASE)
_GB = re.compile(r"^(\d+(?:\.\d+)?)\s*gb$", re.IGNORECASE)


def _scaled(value: str, pattern: re.Pattern[str], factor: int) -> int | None:
    """``value`` as a whole number: plain digits, or a ``pattern`` match multiplied by ``factor``."""
    text = value.strip()
    if text.isdigit():
        return int(text)
    match = pattern.match(text)
    if match is None:
        return None
    try:
        scaled = Decimal(match[1]) * factor
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimal numbers
        return None
    return int(scaled) if scaled == scaled.to_integral_value() else None


def task_cpu_units(value: str) -> int:
    """Task-level cpu as CPU units: "1024", "1 vCPU", "0.25 vcpu" (as ECS converts them at registration)."""
    units = _scaled(value, _VCPU, 1024)
    if units is None:
        raise ValueError(f'"{value}" is not a CPU size: give CPU units ("1024") or vCPUs ("1 vCPU")')
    return units


def task_memory_mib(value: str) -> int:
    """Task-level memory in MiB: "2048", "2 GB", "0.5GB" (as ECS converts them at registration)."""
    mib = _scaled(value, _GB, 1024)
    if mib is None:
        raise ValueError(f'"{value}" is not a memory size: give MiB ("2048") or GB ("2 GB")')
    return mib


class HealthCheckSpec(HealthCheck):
    """A container health check, within the bounds ECS accepts."""

    command: list[str] = Field(
        min_length=1,
        description='The command, starting with "CMD" (exec) or "CMD-SHELL" (run by the shell), e.g. '
        '["CMD-SHELL", "curl -f http://localhost/ || exit 1"]. Docker ignores any other form (no health check).',
    )
    interval: int | None = Field(default=None, ge=5, le=300, description="Seconds between checks (default 30).")
    timeout: int | None = Field(default=None, ge=2, le=60, description="Seconds a check may take (default 5).")
    retries: int | None = Field(default=None, ge=1, le=10, description="Failures before unhealthy (default 3).")
    startPeriod: int | None = Field(
        default=None, ge=0, le=300, description="Seconds of grace at start before failures count."
    )


class PortMappingSpec(PortMapping):
    """A port mapping, within the bounds ECS accepts."""

    containerPort: int | None = Field(default=None, ge=1, le=65535, description="The port the container listens on.")
    hostPort: int | None = Field(
        default=None, ge=0, le=65535, description="The host port (bridge); 0 or unset picks a dynamic port."
    )
    name: str | None = Field(
        default=None,
        pattern=PORT_NAME_PATTERN,
        description="The port name (Service Connect, VPC Lattice): up to 64 of a-z, 0-9, _ and -, not first -.",
    )
    containerPortRange: str | None = Field(
        default=None, pattern=r"^\d+-\d+$", description='A range of container ports, "start-end" (bridge, awsvpc).'
    )

    @property
    def port_range(self) -> tuple[int, int] | None:
        """(first, last) container port, from containerPort or containerPortRange."""
        if self.containerPort is not None:
            return (self.containerPort, self.containerPort)
        if self.containerPortRange is not None:
            return _first_last(self.containerPortRange)
        return None

    @model_validator(mode="after")
    def _port_or_range(self) -> PortMappingSpec:
        raise_problems(self._problems())
        return self

    def _problems(self) -> Iterator[Problem]:
        if (self.containerPort is None) == (self.containerPortRange is None):
            yield Problem("containerPort", "give exactly one of containerPort and containerPortRange")
        if self.containerPortRange is not None:
            first, last = _first_last(self.containerPortRange)
            if not 1 <= first < last <= 65535:
                yield Problem("containerPortRange", "needs 1 <= start < end <= 65535")
            if self.hostPort is not None:
                yield Problem("hostPort", "leave it unset with containerPortRange: ECS picks the host ports")


def _first_last(port_range: str) -> tuple[int, int]:
    """ "8000-8010" -> (8000, 8010); the field's pattern has made sure of the shape."""
    first, last = port_range.split("-")
    return (int(first), int(last))


class ContainerSpec(ContainerDefinition):
    """A container definition, within the bounds ECS accepts (name and image are required by ECS)."""

    name: str = Field(
        min_length=1, max_length=255, pattern=NAME_PATTERN, description="The container's name, unique in the task."
    )
    image: str = Field(min_length=1, description="The image to run.")
    cpu: int | None = Field(default=None, ge=0, description="CPU units reserved for the container (1024 = 1 vCPU).")
    memory: int | None = Field(default=None, ge=6, description="The hard memory limit in MiB (at least 6).")
    memoryReservation: int | None = Field(default=None, ge=0, description="The soft memory limit (request) in MiB.")
    portMappings: list[PortMappingSpec] | None = Field(  # type: ignore[assignment]
        default=None, description="The container's port mappings."
    )
    healthCheck: HealthCheckSpec | None = Field(
        default=None, description="The container's health check (becomes probes)."
    )
    startTimeout: int | None = Field(default=None, ge=0, description="Seconds to wait for dependencies to resolve.")
    stopTimeout: int | None = Field(default=None, ge=0, description="Seconds between SIGTERM and SIGKILL.")

    @property
    def is_essential(self) -> bool:
        """ECS's default: a container is essential unless it says otherwise."""
        return self.essential is not False

    @property
    def reserved_memory(self) -> int:
        """What ECS counts against the task or instance: the reservation if given, else the hard limit."""
        return self.memoryReservation if self.memoryReservation is not None else (self.memory or 0)

    @model_validator(mode="after")
    def _memory_order(self) -> ContainerSpec:
        if self.memory is not None and self.memoryReservation is not None and self.memoryReservation > self.memory:
            raise_problems(
                [Problem("memoryReservation", f"{self.memoryReservation} MiB exceeds memory ({self.memory} MiB)")]
            )
        return self


class TaskDefinitionSpec(RegisterTaskDefinitionRequest):
    """A task definition family. Each change of the ECS fields registers a new revision."""

    family: str | None = Field(  # type: ignore[assignment]
        default=None,
        min_length=1,
        max_length=255,
        pattern=NAME_PATTERN,
        description="The task definition family; defaults to the resource's name.",
    )
    containerDefinitions: list[ContainerSpec] = Field(  # type: ignore[assignment]
        min_length=1, description="The containers that make up the task."
    )
    deregisteredRevisions: list[Annotated[int, Field(ge=1)]] | None = Field(
        default=None,
        description="Revisions of this family to deregister (DeregisterTaskDefinition): they become INACTIVE; "
        "tasks already running them keep running. Not part of the registered revision.",
    )

    @property
    def is_fargate(self) -> bool:
        return "FARGATE" in (self.requiresCompatibilities or [])

    @property
    def network_mode(self) -> Literal["bridge", "host", "awsvpc", "none"]:
        """The network mode in effect: ECS uses bridge when none is given (Fargate requires awsvpc explicitly)."""
        return self.networkMode or "bridge"

    @property
    def cpu_units(self) -> int | None:
        """Task-level cpu in CPU units (validated, so it parses)."""
        return task_cpu_units(self.cpu) if self.cpu is not None else None

    @property
    def memory_mib(self) -> int | None:
        """Task-level memory in MiB (validated, so it parses)."""
        return task_memory_mib(self.memory) if self.memory is not None else None

    def container(self, name: str) -> ContainerSpec | None:
        return next((c for c in self.containerDefinitions if c.name == name), None)

    @model_validator(mode="after")
    def _cross_field(self) -> TaskDefinitionSpec:
        raise_problems(_task_size_problems(self))  # the checks below rely on cpu and memory parsing
        raise_problems(
            problem
            for check in (
                _name_problems,
                _reference_problems,
                _cycle_problems,
                _volume_problems,
                _essential_problems,
                _fargate_problems,
                _memory_problems,
                _port_problems,
                _value_problems,
            )
            for problem in check(self)
        )
        return self


def _name_problems(spec: TaskDefinitionSpec) -> Iterator[Problem]:
    containers = [(field_path(CONTAINERS, i, "name"), c.name) for i, c in enumerate(spec.containerDefinitions)]
    yield from duplicate_problems(containers, "container name")
    ports = [
        (field_path(CONTAINERS, i, "portMappings", j, "name"), mapping.name)
        for i, c in enumerate(spec.containerDefinitions)
        for j, mapping in enumerate(c.portMappings or [])
    ]
    yield from duplicate_problems(ports, "port mapping name")


def _reference_problems(spec: TaskDefinitionSpec) -> Iterator[Problem]:
    """dependsOn, volumesFrom and links name containers of this task, in the states ECS requires."""
    for i, container in enumerate(spec.containerDefinitions):
        for j, dependency in enumerate(container.dependsOn or []):
            yield from _dependency_problems(spec, container, dependency.containerName, dependency.condition, i, j)
        for j, source in enumerate(container.volumesFrom or []):
            here = field_path(CONTAINERS, i, "volumesFrom", j, "sourceContainer")
            if source.sourceContainer is None:
                yield Problem(here, "is required")
            elif source.sourceContainer == container.name:
                yield Problem(here, "a container cannot mount volumes from itself")
            elif spec.container(source.sourceContainer) is None:
                yield Problem(here, f'no container named "{source.sourceContainer}" in {CONTAINERS}')
        for j, link in enumerate(container.links or []):
            target = link.split(":", 1)[0]
            if spec.container(target) is None:
                yield Problem(field_path(CONTAINERS, i, "links", j), f'no container named "{target}" in {CONTAINERS}')


def _dependency_problems(
    spec: TaskDefinitionSpec, container: ContainerSpec, target_name: str, condition: str, i: int, j: int
) -> Iterator[Problem]:
    here = field_path(CONTAINERS, i, "dependsOn", j)
    target = spec.container(target_name)
    if target_name == container.name:
        yield Problem(f"{here}.containerName", "a container cannot depend on itself")
    elif target is None:
        yield Problem(f"{here}.containerName", f'no container named "{target_name}" in {CONTAINERS}')
    elif condition == "HEALTHY" and target.healthCheck is None:
        yield Problem(f"{here}.condition", f'HEALTHY needs a healthCheck on container "{target_name}"')
    elif condition in ("COMPLETE", "SUCCESS") and target.is_essential:
        yield Problem(
            f"{here}.condition",
            f'{condition} waits for container "{target_name}" to exit, so it must set essential: false '
            "(an essential container that exits stops the task)",
        )


def _cycle_problems(spec: TaskDefinitionSpec) -> Iterator[Problem]:
    """dependsOn must not loop: nothing in a cycle could ever start."""
    graph = {
        c.name: [d.containerName for d in c.dependsOn or [] if d.containerName != c.name]
        for c in spec.containerDefinitions
    }
    index = {c.name: i for i, c in enumerate(spec.containerDefinitions)}
    reported: set[frozenset[str]] = set()
    for start in graph:
        cycle = _find_cycle(graph, start)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            loop = " -> ".join([*cycle, cycle[0]])
            yield Problem(field_path(CONTAINERS, index[cycle[0]], "dependsOn"), f"dependency cycle: {loop}")


def _find_cycle(graph: dict[str, list[str]], start: str) -> list[str] | None:
    """The containers of a cycle through ``start``, in dependency order, if there is one."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    while stack:
        node, trail = stack.pop()
        for successor in graph.get(node, []):
            if successor == start:
                return trail
            if successor not in trail:
                stack.append((successor, [*trail, successor]))
    return None


def _volume_problems(spec: TaskDefinitionSpec) -> Iterator[Problem]:
    volumes = spec.volumes or []
    for i, volume in enumerate(volumes):
        if volume.name is None:
            yield Problem(field_path("volumes", i, "name"), "is required (mountPoints refer to it)")
        elif not re.match(NAME_PATTERN, volume.name) or len(volume.name) > 255:
            yield Problem(field_path("volumes", i, "name"), "up to 255 letters, digits, hyphens and underscores")
    yield from duplicate_problems(
        [(field_path("volumes", i, "name"), v.name) for i, v in enumerate(volumes)], "volume name"
    )
    names = {v.name for v in volumes}
    for i, container in enumerate(spec.containerDefinitions):
        for j, mount in enumerate(container.mountPoints or []):
            here = field_path(CONTAINERS, i, "mountPoints", j)
            if mount.sourceVolume is None:
                yield Problem(f"{here}.sourceVolume", "is required")
            elif mount.sourceVolume not in names:
                yield Problem(f"{here}.sourceVolume", f'no volume named "{mount.sourceVolume}" in volumes')
            if mount.containerPath is None:
                yield Problem(f"{here}.containerPath", "is required")


def _essential_problems(spec: TaskDefinitionSpec) -> Iterator[Problem]:
    if not any(c.is_essential for c in spec.containerDefinitions):
        yield Problem(CONTAINERS, "at least one container must be essential (essential defaults to true)")


def _task_size_problems(spec: TaskDefinitionSpec) -> Iterator[Problem]:
    """cpu and memory parse (the ranges and Fargate sizes ECS checks are ``registration_notices``)."""
    memory = None
    try:
        spec.cpu_units  # noqa: B018 - parsed for its error
    except ValueError as error:
        yield Problem("cpu", str(error))
    try:
        memory = spec.memory_mib
    except ValueError as error:
        yield Problem("memory", str(error))
    if memory is not None and memory < 6:
        yield Problem("memory", f"{memory} MiB is too small (at least 6)")


def _fargate_problems(spec: TaskDefinitionSpec) -> Iterator[Problem]:
    if not spec.is_fargate:
        return
    if spec.networkMode != "awsvpc":
        yield Problem("networkMode", "FARGATE (requiresCompatibilities) needs networkMode: awsvpc")
    if spec.ipcMode is not None:
        yield Problem("ipcMode", "is not supported on FARGATE")
    if spec.pidMode == "host":
        yield Problem("pidMode", 'FARGATE supports only pidMode "task"')
    for i, volume in enumerate(spec.volumes or []):
        if volume.host is not None and volume.host.sourcePath is not None:
            yield Problem(field_path("volumes", i, "host", "sourcePath"), "host paths are not supported on FARGATE")
        if volume.dockerVolumeConfiguration is not None:
            yield Problem(field_path("volumes", i, "dockerVolumeConfiguration"), "is not supported on FARGATE")
    for i, container in enumerate(spec.containerDefinitions):
        if container.privileged:
            yield Problem(field_path(CONTAINERS, i, "privileged"), "is not supported on FARGATE")


def registration_notices(spec: TaskDefinitionSpec) -> Iterator[Problem]:
    """What ECS refuses at registration but means the same here, rendered as given and warned (the translation
    says so): Fargate sizes and timeouts, a container without memory, a task cpu outside ECS's range."""
    if spec.is_fargate:
        yield from _fargate_size_problems(spec.cpu_units, spec.memory_mib)
        for i, container in enumerate(spec.containerDefinitions):
            yield from _fargate_timeout_problems(container, i)
    cpu = spec.cpu_units
    low, high = EC2_TASK_CPU_RANGE
    if cpu is not None and not spec.is_fargate and not low <= cpu <= high:
        yield Problem("cpu", f"{cpu} CPU units is outside the {low}..{high} ECS accepts")
    if spec.memory_mib is None:
        for i, container in enumerate(spec.containerDefinitions):
            if not (container.memory or container.memoryReservation):
                yield Problem(
                    field_path(CONTAINERS, i, "memory"),
                    f"ECS refuses a container without memory or memoryReservation when the task has no memory "
                    f"(ClientException: Invalid setting for container '{container.name}'. At least one of 'memory' "
                    "or 'memoryReservation' must be specified.); here it has no memory request or limit",
                )


def _fargate_size_problems(cpu: int | None, memory: int | None) -> Iterator[Problem]:
    refused = (
        f"ECS refuses it (ClientException: No Fargate configuration exists for given values: {cpu} CPU, "
        f"{memory} memory.)"
    )
    sizes = ", ".join(map(str, FARGATE_SIZES))
    if cpu is None:
        yield Problem("cpu", f"is required for FARGATE (one of {sizes}): {refused}")
    elif cpu not in FARGATE_SIZES:
        yield Problem("cpu", f"{cpu} is not a FARGATE CPU size (one of {sizes}): {refused}; rendered as given")
    if memory is None:
        yield Problem("memory", f"is required for FARGATE: {refused}")
    elif cpu in FARGATE_SIZES and memory not in FARGATE_SIZES[cpu]:
        message = f"{memory} MiB does not go with cpu {cpu} on FARGATE ({_sizes(FARGATE_SIZES[cpu])}): {refused}"
        yield Problem("memory", f"{message}; rendered as given")


def _sizes(allowed: tuple[int, ...]) -> str:
    if len(allowed) <= 4:
        return "one of " + ", ".join(map(str, allowed))
    return f"{allowed[0]} to {allowed[-1]} in steps of {allowed[1] - allowed[0]}"


def _fargate_timeout_problems(container: ContainerSpec, i: int) -> Iterator[Problem]:
    if container.stopTimeout is not None and container.stopTimeout > FARGATE_MAX_STOP_TIMEOUT:
        message = (
            f"at most {FARGATE_MAX_STOP_TIMEOUT} on FARGATE, which ECS refuses above it: the containers get "
            f"{FARGATE_MAX_STOP_TIMEOUT} seconds to stop, as on Fargate"
        )
        yield Problem(field_path(CONTAINERS, i, "stopTimeout"), message)
    low, high = FARGATE_START_TIMEOUT_RANGE
    if container.startTimeout is not None and not low <= container.startTimeout <= high:
        message = f"must be {low}..{high} on FARGATE, which ECS refuses otherwise; it has no effect here either"
        yield Problem(field_path(CONTAINERS, i, "startTimeout"), message)


def _memory_problems(spec: TaskDefinitionSpec) -> Iterator[Problem]:
    containers = spec.containerDefinitions
    task_memory, task_cpu = spec.memory_mib, spec.cpu_units
    too_big = False
    for i, container in enumerate(containers):
        if task_memory is not None and container.memory is not None and container.memory > task_memory:
            too_big = True
            message = f"{container.memory} MiB exceeds the task memory ({task_memory} MiB)"
            yield Problem(field_path(CONTAINERS, i, "memory"), message)
    reserved = sum(c.reserved_memory for c in containers)
    if task_memory is not None and reserved > task_memory and not too_big:  # one cause, one message
        yield Problem("memory", f"the containers reserve {reserved} MiB, more than the task's {task_memory} MiB")
    cpu = sum(c.cpu or 0 for c in containers)
    if task_cpu is not None and cpu > task_cpu:
        yield Problem("cpu", f"the containers reserve {cpu} CPU units, more than the task's {task_cpu}")


def _port_problems(spec: TaskDefinitionSpec) -> Iterator[Problem]:
    """Ports by network mode, and no two mappings on one port: a task's containers share one network (a Pod)."""
    mode = spec.network_mode
    taken: list[tuple[str, int, int, str]] = []  # (protocol, first, last, path)
    host_ports: dict[tuple[str, int], str] = {}
    for i, container in enumerate(spec.containerDefinitions):
        for j, mapping in enumerate(container.portMappings or []):
            here = field_path(CONTAINERS, i, "portMappings", j)
            yield from _mode_port_problems(mode, mapping, here)
            protocol = mapping.protocol or "tcp"
            span = mapping.port_range
            if span is not None:
                clash = next(
                    (p for proto, a, b, p in taken if proto == protocol and a <= span[1] and span[0] <= b), None
                )
                if clash:
                    yield _port_clash(protocol, _span(span), here, clash, field_path(CONTAINERS, i))
                taken.append((protocol, span[0], span[1], here))
            if mode == "bridge" and mapping.hostPort:
                key = (protocol, mapping.hostPort)
                if key in host_ports:
                    message = (
                        f"host port {key[1]}/{protocol} is already used by {host_ports[key]}: a pod's containers "
                        "cannot publish one host port twice"
                    )
                    yield Problem(f"{here}.hostPort", message, aws_refuses=False)
                host_ports.setdefault(key, here)


def _port_clash(protocol: str, port: str, here: str, clash: str, container: str) -> Problem:
    """One port mapped twice: ECS refuses it in one container; across containers a pod's one network cannot."""
    message = f"{protocol} port {port} is already mapped by {clash}"
    if clash.startswith(f"{container}."):
        return Problem(here, message)
    why = (
        ": a task's containers share one network in a pod, so only one of them can listen on it (ECS's bridge mode "
        "gives each container its own)"
    )
    return Problem(here, message + why, aws_refuses=False)


def _span(span: tuple[int, int]) -> str:
    return str(span[0]) if span[0] == span[1] else f"{span[0]}-{span[1]}"


def _mode_port_problems(mode: str, mapping: PortMappingSpec, here: str) -> Iterator[Problem]:
    # A hostPort that differs from containerPort with awsvpc or host is ECS's to ignore (it registers such
    # task definitions): the translation warns about it.
    if mode == "none":
        yield Problem(here, "networkMode none allows no port mappings")
    if mode not in ("bridge", "awsvpc") and mapping.containerPortRange is not None:
        yield Problem(f"{here}.containerPortRange", "needs networkMode bridge or awsvpc")


def _value_problems(spec: TaskDefinitionSpec) -> Iterator[Problem]:
    """Values a container runtime (and so Kubernetes) refuses: variable names, extra hosts' addresses."""
    for i, container in enumerate(spec.containerDefinitions):
        names = [("environment", j, pair.name) for j, pair in enumerate(container.environment or [])]
        names += [("secrets", j, secret.name) for j, secret in enumerate(container.secrets or [])]
        for member, j, name in names:
            yield from _variable_name_problems(name, field_path(CONTAINERS, i, member, j, "name"))
        yield from _secret_name_problems(container, i)
        for j, host in enumerate(container.extraHosts or []):
            try:
                ipaddress.ip_address(host.ipAddress)
            except ValueError:
                here = field_path(CONTAINERS, i, "extraHosts", j, "ipAddress")
                yield Problem(here, f'"{host.ipAddress}" is not an IPv4 or IPv6 address')


def _secret_name_problems(container: ContainerSpec, i: int) -> Iterator[Problem]:
    """ECS refuses a secret whose name another secret or an environment variable of the container has."""
    taken = {pair.name for pair in container.environment or []}
    for j, secret in enumerate(container.secrets or []):
        if secret.name in taken:
            yield Problem(
                field_path(CONTAINERS, i, "secrets", j, "name"),
                f'"{secret.name}" is also an environment variable or an earlier secret of the container (ECS refuses '
                "it too: ClientException: The secret name must be unique and not shared with any new or existing "
                f"environment variables set on the container, such as '{secret.name}'.)",
            )
        taken.add(secret.name)


def _variable_name_problems(name: str | None, here: str) -> Iterator[Problem]:
    if not name:
        yield Problem(here, "an environment variable needs a name")
    elif "=" in name:
        yield Problem(here, f'"{name}" cannot be an environment variable name: it contains "="')
