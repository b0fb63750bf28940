"""A task definition revision (with RunTask overrides) as a pod spec.

One function per task-level concern; ``pod_spec`` composes them with the containers of ``container.py``.
The decisions are written down in docs/mapping-taskdefinition.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ecs_operator.models.crds import GROUP
from ecs_operator.models.ecs_api import ContainerDefinition, ContainerOverride, RuntimePlatform, TaskOverride
from ecs_operator.models.taskdefinition import (
    FARGATE_MAX_STOP_TIMEOUT,
    ContainerSpec,
    TaskDefinitionSpec,
    registration_notices,
)
from ecs_operator.translate.container import (
    LOG_DRIVER_PREFIX,
    LOG_OPTIONS_PREFIX,
    ContainerContext,
    TaskShare,
    container,
    container_name,
    cpu_quantity,
    secret_ref,
)
from ecs_operator.translate.context import (
    ANNOTATION_CONTAINER_NAMES,
    DEFAULT_TARGET,
    LABEL_TASK_DEFINITION,
    FieldWarning,
    JsonDict,
    Target,
    TaskDefinitionRevision,
    TranslationError,
    label_value,
)
from ecs_operator.translate.coverage import field_rejections, field_warnings
from ecs_operator.translate.iam import is_role_arn, is_role_name, pod_identity, role_name
from ecs_operator.translate.probes import ignored_reason
from ecs_operator.translate.volumes import task_volumes

# JSON list of the Kubernetes names of essential containers: the operator stops the task when one exits.
ANNOTATION_ESSENTIAL = f"{GROUP}/essential-containers"
DEFAULT_STOP_TIMEOUT = 30  # seconds; ECS's default, and Kubernetes'
MAX_NAMESERVERS = 3  # Kubernetes' limit with dnsPolicy None
ARCHITECTURES = {"X86_64": "amd64", "ARM64": "arm64"}
# node.kubernetes.io/windows-build of each Windows Server release (FULL and CORE differ only in the image).
WINDOWS_BUILDS = {
    "2016": "10.0.14393",
    "2019": "10.0.17763",
    "2004": "10.0.19041",
    "20H2": "10.0.19042",
    "2022": "10.0.20348",
    "2025": "10.0.26100",
}
# Namespaced sysctls Kubernetes allows without kubelet configuration.
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.ping_group_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem",
    }
)
_NAMESPACED_SYSCTL = re.compile(r"^(kernel\.shm|kernel\.msg|kernel\.sem$|fs\.mqueue\.|net\.)")
_IPC_SYSCTL = re.compile(r"^(kernel\.shm|kernel\.msg|kernel\.sem$|fs\.mqueue\.)")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_ECR_IMAGE = re.compile(r"^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/")


@dataclass(frozen=True)
class PodSpecResult:
    spec: JsonDict
    labels: dict[str, str]
    annotations: dict[str, str]
    warnings: list[FieldWarning]


# --- overrides -------------------------------------------------------------------------------------------


def _override_container(cd: ContainerSpec, override: ContainerOverride) -> ContainerSpec:
    keys = ("command", "environmentFiles", "cpu", "memory", "memoryReservation", "resourceRequirements")
    update = {key: getattr(override, key) for key in keys if getattr(override, key) is not None}
    if override.environment is not None:
        # RunTask adds variables and replaces those of the same name.
        merged = {pair.name: pair for pair in cd.environment or []}
        merged.update({pair.name: pair for pair in override.environment})
        update["environment"] = list(merged.values())
    return cd.model_copy(update=update)


def apply_overrides(spec: TaskDefinitionSpec, overrides: TaskOverride | None) -> TaskDefinitionSpec:
    """The task definition as RunTask's ``overrides`` change it."""
    if overrides is None:
        return spec
    containers = list(spec.containerDefinitions)
    names = [cd.name for cd in containers]
    for index, override in enumerate(overrides.containerOverrides or []):
        if override.name not in names:
            raise TranslationError(
                f"overrides.containerOverrides[{index}].name", f"the task definition has no container {override.name!r}"
            )
        position = names.index(override.name)
        containers[position] = _override_container(containers[position], override)
    keys = ("cpu", "memory", "taskRoleArn", "executionRoleArn", "ephemeralStorage")
    update = {key: getattr(overrides, key) for key in keys if getattr(overrides, key) is not None}
    return spec.model_copy(update={"containerDefinitions": containers, **update})


# --- sizes -----------------------------------------------------------------------------------------------


def _remainder(total: int, given: int, missing: int, field: str, what: str) -> int | None:
    if given > total:
        raise TranslationError(field, f"the containers reserve {given} {what}, more than the task's {total}")
    return (total - given) // missing if missing else None


def task_shares(spec: TaskDefinitionSpec, pod_level: bool = False) -> list[TaskShare]:
    """What each container gets from the task cpu, memory and ephemeral storage.

    Before Kubernetes 1.34 there is no pod-wide limit to put a task size on, so every container is limited
    to the whole task, and what the containers do not reserve themselves is split evenly among those that
    reserve nothing, as requests: the pod reserves the task size, as Fargate does. ``pod_level``: the pod
    carries the task's cpu and memory itself (``pod_resources``), and only ephemeral storage is shared out.
    A container ``cpu`` of 0 reserves nothing, as ECS reads it (null, 0 and 1 are Docker's 2 shares).
    """
    containers = spec.containerDefinitions
    cpu = None if pod_level else spec.cpu_units
    memory = None if pod_level else spec.memory_mib
    storage = spec.ephemeralStorage.sizeInGiB if spec.ephemeralStorage else None
    cpu_share = memory_share = None
    if cpu is not None:
        given = sum(cd.cpu or 0 for cd in containers)
        cpu_share = _remainder(cpu, given, sum(not cd.cpu for cd in containers), "cpu", "cpu units")
    if memory is not None:
        reserved = [cd.memoryReservation or cd.memory for cd in containers]
        memory_share = _remainder(memory, sum(r or 0 for r in reserved), reserved.count(None), "memory", "MiB")
    storage_share = storage * 1024 // len(containers) if storage else None
    return [
        TaskShare(
            cpu_limit=cpu,
            cpu_request=cpu_share if not cd.cpu else None,
            memory_limit=memory,
            memory_request=memory_share if not (cd.memoryReservation or cd.memory) else None,
            storage_limit_gib=storage,
            storage_request_mib=storage_share,
        )
        for cd in containers
    ]


# Kubernetes turns pod-level resources (PodLevelResources, beta) on by default from this release.
POD_LEVEL_RESOURCES = (1, 34)
_PER_CONTAINER = (
    "Kubernetes before 1.34 has no pod-wide limit: each container is limited to the whole task size, and what "
    "the containers do not reserve themselves is requested evenly by those that reserve nothing, so together "
    "they may use more than the task; render with --kubernetes-version 1.34 (or later) to make the task size "
    "the pod's own (spec.resources)"
)


def uses_pod_level_resources(spec: TaskDefinitionSpec, target: Target) -> bool:
    """The task size goes on the pod (``spec.resources``): Kubernetes 1.34 or later, and not on Windows,
    where pods take no pod-level resources."""
    sized = spec.cpu is not None or spec.memory is not None
    return sized and target.supports(POD_LEVEL_RESOURCES) and not is_windows(spec.runtimePlatform)


def pod_resources(spec: TaskDefinitionSpec) -> JsonDict:
    """The task's cpu and memory as the pod's requests and limits: what Fargate reserves and enforces."""
    quantities: JsonDict = {}
    if spec.cpu_units:
        quantities["cpu"] = cpu_quantity(spec.cpu_units)
    if spec.memory_mib:
        quantities["memory"] = f"{spec.memory_mib}Mi"
    return {"resources": {"requests": dict(quantities), "limits": dict(quantities)}} if quantities else {}


def size_warnings(spec: TaskDefinitionSpec, pod_level: bool, resource: str) -> list[FieldWarning]:
    """Per-container task sizes (before 1.34) differ from ECS: said once for each task-level size given."""
    if pod_level:
        return []
    return [FieldWarning(resource, member, _PER_CONTAINER) for member in ("cpu", "memory") if getattr(spec, member)]


# --- start order -----------------------------------------------------------------------------------------


@dataclass
class StartOrder:
    """Containers by how they start: init containers (sidecars among them) in order, then the rest."""

    init: list[str] = field(default_factory=list)  # ECS names, in start order
    sidecars: set[str] = field(default_factory=set)  # START / HEALTHY targets: keep running
    healthy: set[str] = field(default_factory=set)  # HEALTHY targets: a startup probe holds the rest back
    main: list[str] = field(default_factory=list)
    warnings: list[FieldWarning] = field(default_factory=list)


def _roles(spec: TaskDefinitionSpec, resource: str, order: StartOrder) -> dict[str, str]:
    """ECS name -> "sidecar" or "job" for every dependency target."""
    by_name = {cd.name: cd for cd in spec.containerDefinitions}
    roles: dict[str, str] = {}
    for index, cd in enumerate(spec.containerDefinitions):
        for number, dependency in enumerate(cd.dependsOn or []):
            path = f"containerDefinitions[{index}].dependsOn[{number}]"
            target = by_name.get(dependency.containerName)
            if target is None or target is cd:
                raise TranslationError(
                    f"{path}.containerName", f"no other container is named {dependency.containerName!r}"
                )
            role = "job" if dependency.condition in ("COMPLETE", "SUCCESS") else "sidecar"
            if roles.setdefault(dependency.containerName, role) != role:
                raise TranslationError(
                    f"{path}.condition",
                    f"{dependency.containerName!r} is waited for both to start and to exit; Kubernetes starts a "
                    "container either as a sidecar (kept running) or as an init container (run to completion)",
                )
            _check_target(target, dependency.condition, path, resource, order)
    return roles


def _check_target(target: ContainerDefinition, condition: str, path: str, resource: str, order: StartOrder) -> None:
    if condition == "HEALTHY":
        if target.healthCheck is None:
            raise TranslationError(f"{path}.condition", f"HEALTHY needs a healthCheck on {target.name!r}")
        if ignored_reason(target.healthCheck.command) is not None:
            message = (
                f"the health check of {target.name!r} is ignored (not CMD or CMD-SHELL), so in ECS it never becomes "
                "HEALTHY and this container never starts; here it starts once that container has started"
            )
            order.warnings.append(FieldWarning(resource, f"{path}.condition", message))
            return
        order.healthy.add(target.name or "")
    if condition in ("COMPLETE", "SUCCESS") and target.essential is not False:
        raise TranslationError(
            f"{path}.condition", f"{condition} cannot wait for an essential container ({target.name!r})"
        )
    if condition == "COMPLETE":
        message = "COMPLETE runs the container as an init container, which must exit 0 (as for SUCCESS)"
        order.warnings.append(FieldWarning(resource, f"{path}.condition", message))


def start_order(spec: TaskDefinitionSpec, resource: str) -> StartOrder:
    """dependsOn as init containers: START / HEALTHY targets become native sidecars (init containers that
    keep running), COMPLETE / SUCCESS targets ordinary init containers, in dependency order."""
    order = StartOrder()
    roles = _roles(spec, resource, order)
    pending = [cd for cd in spec.containerDefinitions if cd.name in roles]
    while pending:
        ready = [cd for cd in pending if all(d.containerName in order.init for d in cd.dependsOn or [])]
        if not ready:
            names = sorted(cd.name or "" for cd in pending)
            raise TranslationError("containerDefinitions.dependsOn", f"the dependencies of {names} form a cycle")
        order.init.extend(cd.name or "" for cd in ready)
        pending = [cd for cd in pending if cd not in ready]
    order.sidecars = {name for name, role in roles.items() if role == "sidecar"}
    order.main = [cd.name or "" for cd in spec.containerDefinitions if cd.name not in roles]
    return order


# --- task-level fields -----------------------------------------------------------------------------------


def network_mode(spec: TaskDefinitionSpec) -> str:
    """The effective network mode: as given, else bridge, as ECS (FARGATE must say awsvpc; the model checks)."""
    return spec.network_mode


def namespaces(spec: TaskDefinitionSpec, resource: str) -> tuple[JsonDict, list[FieldWarning]]:
    """networkMode host, pidMode, ipcMode and initProcessEnabled as the pod's namespace settings."""
    result: JsonDict = {}
    if network_mode(spec) == "host":
        result.update(hostNetwork=True, dnsPolicy="ClusterFirstWithHostNet")
    if spec.pidMode == "host":
        result["hostPID"] = True
    init_process = any(cd.linuxParameters and cd.linuxParameters.initProcessEnabled for cd in spec.containerDefinitions)
    if spec.pidMode == "task" or (init_process and spec.pidMode != "host"):
        # The pause container becomes PID 1, reaping zombies and leaving the default signal handling to
        # each process, as ECS's init process does.
        result["shareProcessNamespace"] = True
    if spec.ipcMode == "host":
        result["hostIPC"] = True
    warnings = []
    if init_process and spec.pidMode is None:
        message = "the pod shares one process namespace (shareProcessNamespace): its containers see each other"
        warnings.append(FieldWarning(resource, "containerDefinitions.linuxParameters.initProcessEnabled", message))
    if spec.ipcMode == "none":
        message = "containers of a pod always share one private IPC namespace; none is not possible"
        warnings.append(FieldWarning(resource, "ipcMode", message))
    return result, warnings


def _union(lists: Sequence[list[str] | None]) -> list[str]:
    return list(dict.fromkeys(item for values in lists for item in values or []))


def dns(spec: TaskDefinitionSpec, resource: str = "") -> tuple[JsonDict, list[FieldWarning]]:
    """dnsServers and dnsSearchDomains of all containers (Kubernetes has one resolver per pod)."""
    servers = _union([cd.dnsServers for cd in spec.containerDefinitions])
    searches = _union([cd.dnsSearchDomains for cd in spec.containerDefinitions])
    warnings = []
    if len(servers) > MAX_NAMESERVERS:
        message = (
            f"Kubernetes takes at most {MAX_NAMESERVERS} servers (a resolver reads no more): {servers[3:]} left out"
        )
        warnings.append(FieldWarning(resource, "containerDefinitions[*].dnsServers", message))
        servers = servers[:MAX_NAMESERVERS]
    config = {key: value for key, value in (("nameservers", servers), ("searches", searches)) if value}
    result: JsonDict = {"dnsConfig": config} if config else {}
    if servers:
        # The given servers replace the cluster's resolver, as they replace the VPC resolver in ECS.
        result["dnsPolicy"] = "None"
    return result, warnings


def hostname(spec: TaskDefinitionSpec, resource: str) -> tuple[JsonDict, list[FieldWarning]]:
    """The containers' ``hostname`` as the pod's (bridge and none modes; ECS refuses it with awsvpc)."""
    given = [(i, cd.hostname) for i, cd in enumerate(spec.containerDefinitions) if cd.hostname]
    if not given:
        return {}, []
    mode = network_mode(spec)
    if mode in ("awsvpc", "host"):
        message = f"has no effect with networkMode {mode}: the pod keeps its own (or the node's) hostname"
        return {}, [FieldWarning(resource, f"containerDefinitions[{i}].hostname", message) for i, _ in given]
    index, name = given[0]
    warnings = [
        FieldWarning(resource, f"containerDefinitions[{other}].hostname", f"a pod has one hostname: {name!r} is used")
        for other, other_name in given[1:]
        if other_name != name
    ]
    label, _, domain = name.lower().partition(".")
    if not _DNS_LABEL.match(label):
        message = f"{name!r} is not a valid Kubernetes hostname (a DNS label): the pod keeps its own"
        return {}, [*warnings, FieldWarning(resource, f"containerDefinitions[{index}].hostname", message)]
    if domain:
        message = f"the domain {domain!r} is dropped: a pod's domain comes from its namespace"
        warnings.append(FieldWarning(resource, f"containerDefinitions[{index}].hostname", message))
    return {"hostname": label}, warnings


def host_aliases(spec: TaskDefinitionSpec, resource: str) -> tuple[list[JsonDict], list[FieldWarning]]:
    """extraHosts, and links (the linked container is on localhost in a pod), as hostAliases."""
    by_ip: dict[str, list[str]] = {}
    warnings = []
    for index, cd in enumerate(spec.containerDefinitions):
        for number, entry in enumerate(cd.extraHosts or []):
            if not _DNS_SUBDOMAIN.match(entry.hostname.lower()):
                field = f"containerDefinitions[{index}].extraHosts[{number}].hostname"
                raise TranslationError(field, f"{entry.hostname!r} is not a valid hostname")
            by_ip.setdefault(entry.ipAddress, []).append(entry.hostname.lower())
        for number, link in enumerate(cd.links or []):
            for name in dict.fromkeys(part.lower() for part in link.split(":")):
                if _DNS_SUBDOMAIN.match(name):
                    by_ip.setdefault("127.0.0.1", []).append(name)
                else:
                    message = f"{name!r} is not a valid hostname; reach the container at localhost"
                    warnings.append(FieldWarning(resource, f"containerDefinitions[{index}].links[{number}]", message))
    aliases = [{"ip": ip, "hostnames": list(dict.fromkeys(names))} for ip, names in by_ip.items()]
    return aliases, warnings


def sysctls(spec: TaskDefinitionSpec, resource: str) -> tuple[list[JsonDict], list[FieldWarning]]:
    """systemControls of all containers as the pod's sysctls (Kubernetes sets them per pod)."""
    values: dict[str, str] = {}
    warnings: list[FieldWarning] = []
    mode = network_mode(spec)
    for index, cd in enumerate(spec.containerDefinitions):
        for number, control in enumerate(cd.systemControls or []):
            field = f"containerDefinitions[{index}].systemControls[{number}]"
            name, value = control.namespace or "", control.value or ""
            _check_sysctl(name, mode, spec.ipcMode, field)
            if name in values and values[name] != value:
                message = f"{name} is set to two values; a pod has one, so the first ({values[name]}) is used"
                warnings.append(FieldWarning(resource, f"{field}.value", message))
                continue
            if name not in SAFE_SYSCTLS and name not in values:
                message = f"{name} is an unsafe sysctl: nodes must allow it (kubelet --allowed-unsafe-sysctls)"
                warnings.append(FieldWarning(resource, f"{field}.namespace", message))
            values[name] = value
    return [{"name": name, "value": value} for name, value in values.items()], warnings


def _check_sysctl(name: str, mode: str, ipc_mode: str | None, field: str) -> None:
    if not _NAMESPACED_SYSCTL.match(name):
        raise TranslationError(f"{field}.namespace", f"{name!r} is not a namespaced sysctl; it would change the node")
    if mode == "host" and name.startswith("net."):
        raise TranslationError(f"{field}.namespace", f"{name} would change the node's network with networkMode host")
    if ipc_mode == "host" and _IPC_SYSCTL.match(name):
        raise TranslationError(f"{field}.namespace", f"{name} would change the node's IPC with ipcMode host")


def termination_grace(spec: TaskDefinitionSpec) -> int:
    """The longest stopTimeout: Kubernetes gives every container of the pod the same grace period (on Fargate at
    most 120 seconds, as Fargate allows)."""
    longest = max(
        (cd.stopTimeout or DEFAULT_STOP_TIMEOUT for cd in spec.containerDefinitions), default=DEFAULT_STOP_TIMEOUT
    )
    return min(longest, FARGATE_MAX_STOP_TIMEOUT) if spec.is_fargate else longest


def log_routing_warnings(spec: TaskDefinitionSpec, resource: str) -> list[FieldWarning]:
    """One warning for the task's log configurations (not one per container): no log router runs here."""
    drivers: dict[str, list[str]] = {}
    for cd in spec.containerDefinitions:
        if cd.logConfiguration is not None:
            drivers.setdefault(cd.logConfiguration.logDriver, []).append(cd.name or "")
    if not drivers:
        return []
    given = "; ".join(f"{driver} for {', '.join(names)}" for driver, names in drivers.items())
    message = (
        f"{given}: no log router runs on Kubernetes, so the containers log to the node's files (kubectl logs); "
        f"each container's driver and options are the pod annotations {LOG_DRIVER_PREFIX}/<container> and "
        f"{LOG_OPTIONS_PREFIX}/<container>, which a node log agent can ship by (examples/log-routing has a Fluent "
        "Bit DaemonSet that sends awslogs and FireLens CloudWatch logs to their log groups)"
    )
    return [FieldWarning(resource, "containerDefinitions[*].logConfiguration", message)]


def registration_warnings(spec: TaskDefinitionSpec, resource: str) -> list[FieldWarning]:
    """What ECS would refuse at registration but has a meaning here (``registration_notices``), warned."""
    return [FieldWarning(resource, problem.path, problem.message) for problem in registration_notices(spec)]


def is_windows(platform: RuntimePlatform | None) -> bool:
    """The task runs on Windows (operatingSystemFamily WINDOWS_SERVER_*)."""
    return bool(platform and (platform.operatingSystemFamily or "").startswith("WINDOWS_"))


def node_selector(platform: RuntimePlatform | None) -> dict[str, str]:
    """runtimePlatform as the well-known node labels."""
    if platform is None:
        return {}
    result = {}
    family = platform.operatingSystemFamily
    if family:
        result["kubernetes.io/os"] = "windows" if is_windows(platform) else "linux"
        release = family.removeprefix("WINDOWS_SERVER_").rsplit("_", 1)[0]
        if release in WINDOWS_BUILDS:
            result["node.kubernetes.io/windows-build"] = WINDOWS_BUILDS[release]
    if platform.cpuArchitecture:
        result["kubernetes.io/arch"] = ARCHITECTURES[platform.cpuArchitecture]
    return result


def ecr_pull_secret(image: str) -> str | None:
    """``ecr-<account>-<region>`` for an image in a private ECR registry."""
    match = _ECR_IMAGE.match(image)
    return f"ecr-{match.group(1)}-{match.group(2)}" if match else None


def image_pull_secrets(spec: TaskDefinitionSpec) -> list[JsonDict]:
    """repositoryCredentials (a Secrets Manager secret, same names as ``secrets``), and with an execution
    role, a per-registry Secret for private ECR images (which the execution role lets ECS pull)."""
    names: list[str] = []
    for index, cd in enumerate(spec.containerDefinitions):
        if cd.repositoryCredentials:
            path = f"containerDefinitions[{index}].repositoryCredentials.credentialsParameter"
            names.append(secret_ref(cd.repositoryCredentials.credentialsParameter, path).name)
        elif spec.executionRoleArn and cd.image and ecr_pull_secret(cd.image):
            names.append(ecr_pull_secret(cd.image) or "")
    return [{"name": name} for name in dict.fromkeys(names)]


def trusted_execution(spec: TaskDefinitionSpec) -> None:
    """Pods share the node's kernel: only isolationMode SHARED can be honoured."""
    config = spec.trustedExecutionConfiguration
    if config and config.isolationMode != "SHARED":
        raise TranslationError(
            "trustedExecutionConfiguration.isolationMode",
            f"{config.isolationMode} needs a sandboxed runtime; use a RuntimeClass (gVisor, Kata) in a pod template",
        )


def task_role_warnings(spec: TaskDefinitionSpec, resource: str) -> list[FieldWarning]:
    role = spec.taskRoleArn
    if not role or is_role_arn(role):
        return []
    name = role_name(role)
    if is_role_name(role):
        message = "a role name, not an ARN: IAM Roles for Service Accounts needs the full ARN in the annotation"
    else:
        message = (
            f"{role!r} is not a complete role ARN (a template's placeholder?): the ServiceAccount is named after "
            f"role {name!r} and annotated with the value as given, which IAM Roles for Service Accounts cannot "
            "assume, so the tasks get no AWS credentials until it is the role's ARN (--set fills placeholders)"
        )
    return [FieldWarning(resource, "taskRoleArn", message)]


# --- the pod ---------------------------------------------------------------------------------------------


def _reject(spec: TaskDefinitionSpec) -> None:
    """Fields classified Rejected, and values that cannot be honoured."""
    rejections = field_rejections(spec)
    if rejections:
        (path, reason), others = rejections[0], rejections[1:]
        raise TranslationError(path, "".join([reason, *(f"; {where}: {why}" for where, why in others)]))
    trusted_execution(spec)


def network_warnings(spec: TaskDefinitionSpec, resource: str) -> list[FieldWarning]:
    """disableNetworking: Kubernetes cannot cut one container of a pod off the network it shares."""
    message = (
        "a pod's containers share one network, so this container keeps it (as its task's others do); set "
        "networkMode none to cut the whole task off"
    )
    return [
        FieldWarning(resource, f"containerDefinitions[{index}].disableNetworking", message)
        for index, cd in enumerate(spec.containerDefinitions)
        if cd.disableNetworking
    ]


def _containers(
    spec: TaskDefinitionSpec,
    resource: str,
    namespace: str,
    order: StartOrder,
    launched: Mapping[str, JsonDict],
    standalone: bool,
    pod_level: bool,
) -> tuple[JsonDict, list[FieldWarning]]:
    """containers, initContainers, the containers' own volumes and their annotations."""
    volumes = task_volumes(spec, resource, namespace, launched)
    definitions = {cd.name or "": cd for cd in spec.containerDefinitions}
    built: dict[str, JsonDict] = {}
    extra_volumes: list[JsonDict] = []
    annotations: dict[str, str] = {}
    warnings = list(volumes.warnings)
    for index, (cd, share) in enumerate(zip(spec.containerDefinitions, task_shares(spec, pod_level), strict=True)):
        context = ContainerContext(
            resource, f"containerDefinitions[{index}]", network_mode(spec), volumes, definitions, share,
            healthy_dependency=cd.name in order.healthy, windows=is_windows(spec.runtimePlatform),
            standalone=standalone,
        )  # fmt: skip
        result = container(cd, context)
        built[cd.name or ""] = result.container
        extra_volumes += result.volumes
        annotations.update(result.annotations)
        warnings += result.warnings
    init = [_init_container(built[name], name in order.sidecars) for name in order.init]
    pod = {
        "containers": [built[name] for name in order.main],
        "initContainers": init,
        "volumes": volumes.volumes + extra_volumes,
    }
    return {"pod": pod, "annotations": annotations}, warnings


def _init_container(built: JsonDict, sidecar: bool) -> JsonDict:
    if sidecar:
        # A native sidecar: started in order, kept running; its startup probe (HEALTHY) holds back the rest.
        return {**built, "restartPolicy": "Always"}
    # Run to completion: Kubernetes refuses probes on ordinary init containers.
    return {key: value for key, value in built.items() if not key.endswith("Probe")}


def _metadata(spec: TaskDefinitionSpec, td: TaskDefinitionRevision) -> tuple[dict[str, str], dict[str, str]]:
    names = {container_name(cd): cd.name or "" for cd in spec.containerDefinitions}
    essential = [container_name(cd) for cd in spec.containerDefinitions if cd.essential is not False]
    labels = {LABEL_TASK_DEFINITION: label_value(td.label)}
    annotations = {
        ANNOTATION_CONTAINER_NAMES: json.dumps(names, sort_keys=True),
        ANNOTATION_ESSENTIAL: json.dumps(essential),
    }
    return labels, annotations


def pod_spec(
    td: TaskDefinitionRevision,
    resource: str,
    *,
    overrides: TaskOverride | None = None,
    launched: Mapping[str, JsonDict] | None = None,
    standalone: bool = False,
    target: Target = DEFAULT_TARGET,
) -> PodSpecResult:
    """The pod spec, pod labels and annotations of a task definition revision (with RunTask overrides).

    ``launched``: sources of the volumes configured at launch, by ECS name (``volumes.launch_volumes``).
    ``standalone``: a RunTask task, which ECS leaves running when it is unhealthy (no liveness probes).
    """
    spec = apply_overrides(td.spec, overrides)
    _reject(spec)
    order = start_order(spec, resource)
    pod_level = uses_pod_level_resources(spec, target)
    parts, warnings = _containers(spec, resource, td.namespace, order, launched or {}, standalone, pod_level)
    warnings = field_warnings(resource, spec) + registration_warnings(spec, resource) + order.warnings + warnings
    warnings += size_warnings(spec, pod_level, resource) + task_role_warnings(spec, resource)
    warnings += log_routing_warnings(spec, resource) + network_warnings(spec, resource)
    pod: JsonDict = {key: value for key, value in parts["pod"].items() if value}
    shared, found = namespaces(spec, resource)
    host, more = hostname(spec, resource)
    aliases, alias_warnings = host_aliases(spec, resource)
    controls, sysctl_warnings = sysctls(spec, resource)
    warnings += found + more + alias_warnings + sysctl_warnings
    pod.update(shared)
    resolver, dns_warnings = dns(spec, resource)
    warnings += dns_warnings
    pod.update(resolver)
    pod.update(host)
    optional = {
        "hostAliases": aliases,
        "securityContext": {"sysctls": controls} if controls else {},
        "nodeSelector": node_selector(spec.runtimePlatform),
        "imagePullSecrets": image_pull_secrets(spec),
    }
    pod.update({key: value for key, value in optional.items() if value})
    if pod_level:
        pod.update(pod_resources(spec))
    pod.update(pod_identity(spec.taskRoleArn))
    pod["terminationGracePeriodSeconds"] = termination_grace(spec)
    # ECS tasks see no variables for other services; Kubernetes would inject one set per Service.
    pod["enableServiceLinks"] = False
    labels, annotations = _metadata(spec, td)
    return PodSpecResult(pod, labels, {**annotations, **parts["annotations"]}, warnings)
