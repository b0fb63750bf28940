"""One ECS container definition as one Kubernetes container.

Pod-wide effects of container fields (hostname, DNS, extra hosts, sysctls, stop timeouts, init process)
are made in ``pod.py``; the task's volumes in ``volumes.py``; probes in ``probes.py``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ecs_operator.models.crds import GROUP
from ecs_operator.models.ecs_api import ContainerDefinition, MountPoint, PortMapping
from ecs_operator.translate.context import FieldWarning, JsonDict, TranslationError, k8s_name, k8s_subdomain_name
from ecs_operator.translate.probes import health_probes, ignored_reason
from ecs_operator.translate.volumes import TaskVolumes

# A containerPortRange becomes one container port per port; beyond this many it is refused.
MAX_PORT_RANGE = 100
# Extended resources of the device plugins that stand for ECS resource types.
GPU_RESOURCE = "nvidia.com/gpu"
NEURON_RESOURCE = "aws.amazon.com/neurondevice"
# Annotation prefixes; the name part is the Kubernetes container name.
DOCKER_LABELS_PREFIX = f"docker-labels.{GROUP}"
LOG_DRIVER_PREFIX = f"log-driver.{GROUP}"
LOG_OPTIONS_PREFIX = f"log-options.{GROUP}"


@dataclass(frozen=True)
class TaskShare:
    """What one container gets from the task-level sizes (see pod.task_shares)."""

    cpu_limit: int | None = None  # task cpu units: no container may use more than the whole task
    cpu_request: int | None = None  # units requested when the container gives no cpu
    memory_limit: int | None = None  # task memory MiB
    memory_request: int | None = None  # MiB requested when the container gives neither memory field
    storage_limit_gib: int | None = None  # task ephemeral storage
    storage_request_mib: int | None = None


@dataclass(frozen=True)
class ContainerContext:
    """What a container's translation needs to know about its task."""

    resource: str  # "TaskDefinition/web", for warnings
    path: str  # "containerDefinitions[0]"
    network_mode: str
    volumes: TaskVolumes
    definitions: Mapping[str, ContainerDefinition]  # by ECS name, for volumesFrom
    share: TaskShare = TaskShare()
    healthy_dependency: bool = False  # another container waits for this one to be HEALTHY
    windows: bool = False  # the task runs on Windows (runtimePlatform): health checks use its shell
    standalone: bool = False  # a RunTask task: nothing replaces it when it is unhealthy

    def warn(self, member: str, message: str) -> FieldWarning:
        return FieldWarning(self.resource, f"{self.path}.{member}", message)


@dataclass(frozen=True)
class ContainerResult:
    container: JsonDict
    volumes: list[JsonDict] = field(default_factory=list)  # the container's own tmpfs and /dev/shm volumes
    annotations: dict[str, str] = field(default_factory=dict)
    warnings: list[FieldWarning] = field(default_factory=list)


def container_name(cd: ContainerDefinition) -> str:
    """The Kubernetes name of an ECS container (the ECS name is kept in the container-names annotation)."""
    return k8s_name(cd.name or "")


# --- resources -------------------------------------------------------------------------------------------


def cpu_quantity(units: int) -> str:
    """ECS cpu units (1024 per vCPU) as millicores, rounded up so a container never gets less."""
    return f"{math.ceil(units * 1000 / 1024)}m"


def _cpu(cd: ContainerDefinition, share: TaskShare) -> tuple[JsonDict, JsonDict]:
    # Container cpu is Docker cpu-shares: a relative weight that may burst into idle CPU, so a request only.
    # 0 (what every console export writes) reserves nothing, as ECS reads it: the task's share applies.
    units = cd.cpu or share.cpu_request
    if share.cpu_limit is None:
        return ({"cpu": cpu_quantity(units)} if units else {}), {}
    # With a limit, the request is always explicit: Kubernetes would otherwise request the whole limit.
    return {"cpu": cpu_quantity(units or 0)}, {"cpu": cpu_quantity(share.cpu_limit)}


def _memory(cd: ContainerDefinition, share: TaskShare, path: str) -> tuple[JsonDict, JsonDict]:
    limit = cd.memory or share.memory_limit
    request = cd.memoryReservation or cd.memory or share.memory_request
    if limit and request is not None and request > limit:
        raise TranslationError(f"{path}.memoryReservation", f"{request} MiB is more than the hard limit {limit} MiB")
    requests = {"memory": f"{request}Mi"} if request is not None else {}
    return requests, ({"memory": f"{limit}Mi"} if limit else {})


def _storage(share: TaskShare) -> tuple[JsonDict, JsonDict]:
    if share.storage_limit_gib is None:
        return {}, {}
    return {"ephemeral-storage": f"{share.storage_request_mib or 0}Mi"}, {
        "ephemeral-storage": f"{share.storage_limit_gib}Gi"
    }


def _devices(cd: ContainerDefinition, ctx: ContainerContext) -> tuple[JsonDict, list[FieldWarning]]:
    limits: JsonDict = {}
    warnings = []
    for index, requirement in enumerate(cd.resourceRequirements or []):
        member = f"resourceRequirements[{index}]"
        if requirement.type == "InferenceAccelerator":
            warnings.append(ctx.warn(member, "Elastic Inference has no Kubernetes equivalent (and has ended); ignored"))
            continue
        value = requirement.value or ""
        if value.upper() == "ALL":
            # ECS gives the container every device of the instance; a device plugin allocates a number of them.
            message = "ALL: Kubernetes allocates a number of devices, not all of a node's; 1 is requested"
            warnings.append(ctx.warn(f"{member}.value", message))
            value = "1"
        if not value.isdigit():
            raise TranslationError(f"{ctx.path}.{member}.value", f"must be a whole number of devices, not {value!r}")
        limits[GPU_RESOURCE if requirement.type == "GPU" else NEURON_RESOURCE] = value
    return limits, warnings


def resources(cd: ContainerDefinition, ctx: ContainerContext) -> tuple[JsonDict, list[FieldWarning]]:
    """requests and limits of cpu, memory, ephemeral storage and devices."""
    cpu = _cpu(cd, ctx.share)
    memory = _memory(cd, ctx.share, ctx.path)
    storage = _storage(ctx.share)
    devices, warnings = _devices(cd, ctx)
    requests = {**cpu[0], **memory[0], **storage[0]}
    limits = {**cpu[1], **memory[1], **storage[1], **devices}
    result = {key: value for key, value in (("requests", requests), ("limits", limits)) if value}
    return result, warnings


# --- environment -----------------------------------------------------------------------------------------


def env_file_config_map(arn: str) -> str:
    """The ConfigMap that holds an S3 environment file: ``envfile-<bucket>-<key>``, "/" as "-".

    Names that are then a valid ConfigMap name (a DNS subdomain: dots allowed) are kept as they are, so
    ``arn:aws:s3:::config/app/prod.env`` is ``envfile-config-app-prod.env``; others are made safe by
    ``k8s_subdomain_name`` (lower case and a hash).
    """
    match = re.match(r"^arn:[^:]+:s3:::(.+)$", arn)
    if not match:
        raise TranslationError("environmentFiles.value", f"not an S3 object ARN: {arn!r}")
    return k8s_subdomain_name(f"envfile-{match.group(1).strip('/').replace('/', '-')}")


@dataclass(frozen=True)
class SecretRef:
    name: str  # Kubernetes Secret
    key: str
    pinned_version: bool  # the ARN names a version stage or id, which a Secret cannot hold


_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
# Secrets Manager ends the name in a full secret ARN with "-" and six random characters.
_SECRET_ARN_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")


def secret_ref(value_from: str, field: str) -> SecretRef:
    """The Secret and key for a Secrets Manager or SSM Parameter Store reference.

    Secrets Manager ``arn:...:secret:NAME[:json-key[:version-stage[:version-id]]]`` -> Secret NAME, key
    json-key or ``value``; the random suffix of a full ARN (``prod/db-AbCdEf``) is not part of NAME, so
    full and partial ARNs name the same Secret. SSM ``arn:...:parameter/a/b`` or a bare parameter name
    ``/a/b`` -> Secret ``a-b``, key ``value``. "/" becomes "-"; other names are made safe by
    ``k8s_subdomain_name``.
    """
    parts = value_from.split(":")
    if value_from.startswith("arn:") and len(parts) >= 7 and parts[2] == "secretsmanager" and parts[5] == "secret":
        extra = [*parts[7:], "", "", ""]
        key = extra[0] or "value"
        if not _SECRET_KEY.match(key):
            raise TranslationError(field, f"json-key {key!r} cannot be a Secret key (letters, digits, '-', '_', '.')")
        name = _SECRET_ARN_SUFFIX.sub("", parts[6])
        return SecretRef(_secret_name(name, field), key, bool(extra[1] or extra[2]))
    if value_from.startswith("arn:") and len(parts) >= 6 and parts[2] == "ssm":
        resource = ":".join(parts[5:])
        if not resource.startswith("parameter"):
            raise TranslationError(field, f"not an SSM parameter ARN: {value_from!r}")
        return SecretRef(_secret_name(resource.removeprefix("parameter"), field), "value", False)
    if value_from.startswith("arn:"):
        raise TranslationError(field, f"not a Secrets Manager secret or SSM parameter ARN: {value_from!r}")
    return SecretRef(_secret_name(value_from, field), "value", False)


def _secret_name(name: str, field: str) -> str:
    cleaned = name.strip("/").replace("/", "-")
    if not cleaned:
        raise TranslationError(field, f"no secret name in {name!r}")
    return k8s_subdomain_name(cleaned)


def env(cd: ContainerDefinition, ctx: ContainerContext) -> tuple[list[JsonDict], list[FieldWarning]]:
    """``environment`` then ``secrets``, as env entries.

    A variable given twice keeps its last value, as Docker does with ECS's list; Kubernetes would refuse the
    duplicate name (server-side apply: duplicate entries for key), so it is given once, where it came first.
    """
    by_name: dict[str, JsonDict] = {}
    warnings = []
    for index, pair in enumerate(cd.environment or []):
        # The model checks the task definition's names; RunTask overrides come here unchecked.
        if not pair.name or "=" in pair.name:
            message = f"{pair.name!r} is not an environment variable name (it needs one, without '=')"
            raise TranslationError(f"{ctx.path}.environment[{index}].name", message)
        if pair.name in by_name:
            message = f"{pair.name} is given twice: the last value is used, as Docker does"
            warnings.append(ctx.warn(f"environment[{index}].name", message))
        by_name[pair.name] = {"name": pair.name, "value": pair.value or ""}
    for index, secret in enumerate(cd.secrets or []):
        member = f"secrets[{index}].valueFrom"
        ref = secret_ref(secret.valueFrom, f"{ctx.path}.{member}")
        if secret.name in by_name:  # a RunTask environment override of a secret's name (the model refuses the rest)
            message = f"{secret.name} is also an environment variable: the secret is used, as ECS's agent sets it last"
            warnings.append(ctx.warn(f"secrets[{index}].name", message))
            del by_name[secret.name]
        by_name[secret.name] = {"name": secret.name, "valueFrom": {"secretKeyRef": {"name": ref.name, "key": ref.key}}}
        if ref.pinned_version:
            warnings.append(ctx.warn(member, f"Secret {ref.name} holds one version: the version stage/id is ignored"))
    return list(by_name.values()), warnings


def env_from(cd: ContainerDefinition) -> list[JsonDict]:
    """``environmentFiles`` as ConfigMaps; later files win in both ECS and Kubernetes."""
    return [{"configMapRef": {"name": env_file_config_map(file.value)}} for file in cd.environmentFiles or []]


# --- ports -----------------------------------------------------------------------------------------------


def port_name(ecs_name: str) -> str:
    """An IANA service name (15 characters, lower case, a letter, no "--") for an ECS port mapping name."""
    cleaned = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", ecs_name.lower())).strip("-")
    if not re.search(r"[a-z]", cleaned):
        cleaned = f"p-{cleaned}".strip("-")
    if cleaned == ecs_name and len(cleaned) <= 15:
        return cleaned
    # Letters only, so the result has a letter however the prefix was cut.
    digest = "".join(chr(ord("a") + byte % 26) for byte in hashlib.sha256(ecs_name.encode()).digest()[:4])
    return f"{cleaned[:10].strip('-')}-{digest}"


def _port_numbers(mapping: PortMapping, field: str) -> list[int]:
    if mapping.containerPortRange:
        match = re.fullmatch(r"(\d+)-(\d+)", mapping.containerPortRange.strip())
        if not match or int(match.group(1)) > int(match.group(2)):
            raise TranslationError(field, f"containerPortRange must be 'low-high', not {mapping.containerPortRange!r}")
        low, high = int(match.group(1)), int(match.group(2))
        if high - low + 1 > MAX_PORT_RANGE:
            return []  # warned by ports(): every port of a pod is reachable; container ports only describe them
        return list(range(low, high + 1))
    if mapping.containerPort is None:
        raise TranslationError(field, "a port mapping needs containerPort or containerPortRange")
    return [mapping.containerPort]


def _host_port(mapping: PortMapping, network_mode: str) -> int | None:
    # Only bridge mode publishes a fixed host port; 0 is ECS's dynamic port, which stays cluster-internal.
    # host mode uses hostNetwork, where the container port is the host port already.
    if network_mode == "bridge" and mapping.hostPort and not mapping.containerPortRange:
        return mapping.hostPort
    return None


def ports(cd: ContainerDefinition, ctx: ContainerContext) -> tuple[list[JsonDict], list[FieldWarning]]:
    """``portMappings`` as container ports."""
    result: list[JsonDict] = []
    warnings = []
    for index, mapping in enumerate(cd.portMappings or []):
        field = f"{ctx.path}.portMappings[{index}]"
        if ctx.network_mode == "none":
            raise TranslationError(field, "networkMode none has no network to map ports on")
        numbers = _port_numbers(mapping, field)
        if not numbers:
            message = (
                f"{mapping.containerPortRange} has more than {MAX_PORT_RANGE} ports: they are not listed (a pod's "
                "ports are all reachable; container ports only name them), and no host ports are published"
            )
            warnings.append(ctx.warn(f"portMappings[{index}].containerPortRange", message))
        host_port = _host_port(mapping, ctx.network_mode)
        if mapping.name and mapping.containerPortRange:
            warnings.append(ctx.warn(f"portMappings[{index}].name", "a name cannot stand for a port range; unnamed"))
        if ctx.network_mode in ("awsvpc", "host") and mapping.hostPort not in (None, 0, mapping.containerPort):
            message = (
                f"{mapping.hostPort} differs from containerPort {mapping.containerPort}, which networkMode "
                f"{ctx.network_mode} does not allow; ECS registers it and the container is reached on "
                f"{mapping.containerPort}, as here"
            )
            warnings.append(ctx.warn(f"portMappings[{index}].hostPort", message))
        for number in numbers:
            port: JsonDict = {"containerPort": number, "protocol": (mapping.protocol or "tcp").upper()}
            if mapping.name and not mapping.containerPortRange:
                port["name"] = port_name(mapping.name)
            if host_port:
                port["hostPort"] = host_port
            result.append(port)
    return result, warnings


# --- security context ------------------------------------------------------------------------------------


def run_as(user: str, ctx: ContainerContext) -> tuple[JsonDict, list[FieldWarning]]:
    """``user`` ("uid", "uid:gid", "root", names) as runAsUser / runAsGroup.

    Kubernetes takes only numbers; a name cannot be resolved without the image, so it is warned about and
    the image's own user applies.
    """
    name, _, group = user.partition(":")
    result: JsonDict = {}
    unresolved = []
    for key, value in (("runAsUser", name), ("runAsGroup", group)):
        if value.isdigit():
            result[key] = int(value)
        elif value == "root":
            result[key] = 0
        elif value:
            unresolved.append(value)
    if not unresolved:
        return result, []
    message = f"names {unresolved} cannot be resolved without the image; only numeric ids are set"
    return result, [ctx.warn("user", message)]


_CREDENTIAL_SPEC = re.compile(r"^(credentialspec|credentialspecdomainless):(.+)$")


def gmsa_credential_spec_name(location: str) -> str:
    """The GMSACredentialSpec named after a credential spec file, SSM parameter or S3 object (its last part,
    without ``.json``): ``file://webapp01.json``, ``arn:aws:ssm:...:parameter/gmsa/webapp01`` -> webapp01."""
    last = re.split(r"[/:]", location.rstrip("/"))[-1]
    return k8s_subdomain_name(last.removesuffix(".json") or "credential-spec")


def credential_spec(option: str, field: str) -> tuple[JsonDict, FieldWarning | None] | None:
    """``credentialspec:<location>`` (dockerSecurityOptions or credentialSpecs) as the container's gMSA spec."""
    match = _CREDENTIAL_SPEC.match(option)
    if match is None:
        return None
    kind, location = match.groups()
    name = gmsa_credential_spec_name(location)
    how = (
        "Windows nodes joined to the domain"
        if kind == "credentialspec"
        else "the credential spec's ccg plugin settings (domainless gMSA) on the Windows nodes"
    )
    message = (
        f"the pod uses the GMSACredentialSpec {name!r}, which must exist (made from the credential spec at "
        f"{location}) with the gMSA admission webhook installed; it needs {how}"
    )
    return {"windowsOptions": {"gmsaCredentialSpecName": name}}, FieldWarning("", field, message)


def _security_option(option: str, field: str) -> tuple[JsonDict, FieldWarning | None]:
    gmsa = credential_spec(option, field)
    if gmsa is not None:
        return gmsa
    kind, _, value = option.partition(":")
    if kind == "no-new-privileges" and value in ("", "true"):
        return {"allowPrivilegeEscalation": False}, None
    if kind == "apparmor" and value:
        profile = {"type": "Unconfined"} if value == "unconfined" else {"type": "Localhost", "localhostProfile": value}
        return {"appArmorProfile": profile}, None
    label, _, setting = value.partition(":")
    if kind == "label" and label in ("user", "role", "type", "level") and setting:
        return {"seLinuxOptions": {label: setting}}, None
    raise TranslationError(
        field,
        f"{option!r} has no Kubernetes equivalent (no-new-privileges, apparmor:<profile>, label:<kind>:<value> and "
        "credentialspec:<location> do)",
    )


def security_context(cd: ContainerDefinition, ctx: ContainerContext) -> tuple[JsonDict, list[FieldWarning]]:
    """user, readonlyRootFilesystem, privileged, capabilities, dockerSecurityOptions and credentialSpecs."""
    result, warnings = run_as(cd.user, ctx) if cd.user else ({}, [])
    if cd.readonlyRootFilesystem is not None:
        result["readOnlyRootFilesystem"] = cd.readonlyRootFilesystem
    if cd.privileged is not None:
        result["privileged"] = cd.privileged
    capabilities = cd.linuxParameters.capabilities if cd.linuxParameters else None
    if capabilities and (capabilities.add or capabilities.drop):
        result["capabilities"] = {key: value for key, value in capabilities.to_ecs().items() if value}
    options = [(f"dockerSecurityOptions[{i}]", option) for i, option in enumerate(cd.dockerSecurityOptions or [])]
    options += [(f"credentialSpecs[{i}]", spec) for i, spec in enumerate(cd.credentialSpecs or [])]
    for member, option in options:
        if option.startswith("credentialspec") and "windowsOptions" in result:
            warnings.append(ctx.warn(member, "a container has one gMSA credential spec: the first one is used"))
            continue
        fields, warning = _security_option(option, f"{ctx.path}.{member}")
        if warning is not None:
            warnings.append(ctx.warn(member, warning.message))
        for key, value in fields.items():
            result[key] = {**result.get(key, {}), **value} if isinstance(value, dict) else value
    if cd.privileged and result.get("allowPrivilegeEscalation") is False:
        raise TranslationError(f"{ctx.path}.dockerSecurityOptions", "no-new-privileges contradicts privileged")
    return result, warnings


# --- volumes ---------------------------------------------------------------------------------------------


def _memory_volume(name: str, size_mib: int) -> JsonDict:
    return {"name": name, "emptyDir": {"medium": "Memory", "sizeLimit": f"{size_mib}Mi"}}


def memory_volumes(cd: ContainerDefinition, ctx: ContainerContext) -> tuple[list[JsonDict], list[JsonDict]]:
    """``sharedMemorySize`` (/dev/shm) and ``tmpfs`` as memory-backed emptyDirs: (volumes, mounts)."""
    params = cd.linuxParameters
    if params is None:
        return [], []
    own = container_name(cd)
    wanted: list[tuple[str, int, str, str]] = []  # (pod volume, MiB, mount path, member)
    if params.sharedMemorySize:
        wanted.append((k8s_name(f"shm-{own}"), params.sharedMemorySize, "/dev/shm", "sharedMemorySize"))
    for index, tmpfs in enumerate(params.tmpfs or []):
        wanted.append((k8s_name(f"tmpfs-{own}-{index}"), tmpfs.size, tmpfs.containerPath, f"tmpfs[{index}]"))
    volumes, mounts = [], []
    for name, size_mib, path, member in wanted:
        _check_unused(name, ctx, f"linuxParameters.{member}")
        volumes.append(_memory_volume(name, size_mib))
        mounts.append({"name": name, "mountPath": path})
    return volumes, mounts


def device_volumes(
    cd: ContainerDefinition, ctx: ContainerContext
) -> tuple[list[JsonDict], list[JsonDict], list[FieldWarning]]:
    """``linuxParameters.devices`` as the node's device files mounted where the container expects them.

    Docker also lets the container's device cgroup open the device; Kubernetes has no per-device grant, so an
    unprivileged container sees the file but may not open it: warned (privileged, or a device plugin, does).
    """
    params = cd.linuxParameters
    if params is None or not params.devices:
        return [], [], []
    volumes, mounts, warnings = [], [], []
    for index, device in enumerate(params.devices):
        name = k8s_name(f"device-{container_name(cd)}-{index}")
        _check_unused(name, ctx, f"linuxParameters.devices[{index}]")
        # No type check: the node's file may be a character or a block device, as Docker does not check either.
        volumes.append({"name": name, "hostPath": {"path": device.hostPath, "type": ""}})
        mount: JsonDict = {"name": name, "mountPath": device.containerPath or device.hostPath}
        if device.permissions and "write" not in device.permissions:
            mount["readOnly"] = True
        mounts.append(mount)
        if not cd.privileged:
            message = (
                f"{device.hostPath} is mounted from the node, but Kubernetes grants no access to a single device: "
                "the container may open it only when privileged (which gives it every device) or when a device "
                "plugin allocates it; permissions are not enforced beyond read-only"
            )
            warnings.append(ctx.warn(f"linuxParameters.devices[{index}]", message))
    return volumes, mounts, warnings


def _check_unused(name: str, ctx: ContainerContext, member: str) -> None:
    """A task volume may be called what a container's own volume is (``shm-<container>``): refuse the clash."""
    for index, (ecs_name, pod_name) in enumerate(ctx.volumes.names.items()):
        if pod_name == name:
            raise TranslationError(
                f"volumes[{index}].name",
                f"volume {ecs_name!r} and {ctx.path}.{member} would both be pod volume {name!r}; rename the volume",
            )


def _mount(point: MountPoint, ctx: ContainerContext, field: str, read_only: bool = False) -> JsonDict:
    if not point.sourceVolume or not point.containerPath:
        raise TranslationError(field, "a mount point needs sourceVolume and containerPath")
    if point.sourceVolume not in ctx.volumes.names:
        raise TranslationError(f"{field}.sourceVolume", f"no task volume is named {point.sourceVolume!r}")
    mount: JsonDict = {"name": ctx.volumes.names[point.sourceVolume], "mountPath": point.containerPath}
    if point.sourceVolume in ctx.volumes.sub_paths:
        mount["subPath"] = ctx.volumes.sub_paths[point.sourceVolume]
    if point.readOnly or read_only:
        mount["readOnly"] = True
    return mount


def _mounts_of(cd: ContainerDefinition, ctx: ContainerContext, path: str, seen: frozenset[str]) -> list[JsonDict]:
    """A container's own mount points and, recursively, those of the containers it takes volumes from."""
    mounts = [_mount(point, ctx, f"{path}.mountPoints[{i}]") for i, point in enumerate(cd.mountPoints or [])]
    for index, source in enumerate(cd.volumesFrom or []):
        field = f"{path}.volumesFrom[{index}].sourceContainer"
        other = ctx.definitions.get(source.sourceContainer or "")
        if other is None:
            raise TranslationError(field, f"no container is named {source.sourceContainer!r}")
        if other.name in seen:
            raise TranslationError(field, f"volumesFrom loops back to {other.name!r}")
        for mount in _mounts_of(other, ctx, field, seen | {other.name or ""}):
            mounts.append({**mount, "readOnly": True} if source.readOnly else mount)
    return mounts


def volume_mounts(cd: ContainerDefinition, ctx: ContainerContext) -> list[JsonDict]:
    """mountPoints and volumesFrom; the container's own mount wins where two share a path."""
    by_path: dict[str, JsonDict] = {}
    for mount in _mounts_of(cd, ctx, ctx.path, frozenset({cd.name or ""})):
        by_path.setdefault(mount["mountPath"], mount)
    return list(by_path.values())


# --- annotations -----------------------------------------------------------------------------------------


def container_annotations(cd: ContainerDefinition) -> dict[str, str]:
    """dockerLabels and logConfiguration, kept on the pod (no log router is set up for them)."""
    own = container_name(cd)
    result = {}
    if cd.dockerLabels:
        result[f"{DOCKER_LABELS_PREFIX}/{own}"] = json.dumps(cd.dockerLabels, sort_keys=True)
    if cd.logConfiguration:
        result[f"{LOG_DRIVER_PREFIX}/{own}"] = cd.logConfiguration.logDriver
        if cd.logConfiguration.options:
            result[f"{LOG_OPTIONS_PREFIX}/{own}"] = json.dumps(cd.logConfiguration.options, sort_keys=True)
    return result


# --- the container ---------------------------------------------------------------------------------------


def _process(cd: ContainerDefinition) -> JsonDict:
    """entryPoint -> command, command -> args (each string is one argument, never split), and the rest of
    how the process runs."""
    fields = {
        "command": cd.entryPoint,
        "args": cd.command,
        "workingDir": cd.workingDirectory,
        "stdin": cd.interactive,
        "tty": cd.pseudoTerminal,
    }
    return {key: value for key, value in fields.items() if value is not None}


def container(cd: ContainerDefinition, ctx: ContainerContext) -> ContainerResult:
    """The Kubernetes container for ``cd``."""
    if not cd.name or not cd.image:
        raise TranslationError(
            f"{ctx.path}.{'image' if cd.name else 'name'}", "every container needs a name and an image"
        )
    warnings: list[FieldWarning] = []
    result: JsonDict = {"name": container_name(cd), "image": cd.image, **_process(cd)}
    env_entries, found = env(cd, ctx)
    warnings += found
    port_list, found = ports(cd, ctx)
    warnings += found
    limits, found = resources(cd, ctx)
    warnings += found
    security, found = security_context(cd, ctx)
    warnings += found
    own_volumes, memory_mounts = memory_volumes(cd, ctx)
    devices, device_mounts, found = device_volumes(cd, ctx)
    warnings += found
    own_volumes += devices
    optional = {
        "env": env_entries,
        "envFrom": env_from(cd),
        "ports": port_list,
        "resources": limits,
        "securityContext": security,
        "volumeMounts": volume_mounts(cd, ctx) + memory_mounts + device_mounts,
    }
    result.update({key: value for key, value in optional.items() if value})
    result_probes, found = probes(cd, ctx)
    result.update(result_probes)
    warnings += found
    return ContainerResult(result, own_volumes, container_annotations(cd), warnings)


def probes(cd: ContainerDefinition, ctx: ContainerContext) -> tuple[JsonDict, list[FieldWarning]]:
    """The container's probes from its health check, and what differs from ECS."""
    if cd.healthCheck is None:
        return {}, []
    ignored = ignored_reason(cd.healthCheck.command)
    if ignored is not None:
        return {}, [ctx.warn("healthCheck.command", ignored)]
    essential = cd.essential is not False
    made = health_probes(
        cd.healthCheck,
        f"{ctx.path}.healthCheck",
        essential=essential,
        healthy_dependency=ctx.healthy_dependency,
        windows=ctx.windows,
        replaced_when_unhealthy=not ctx.standalone,
    )
    warnings = []
    if not essential and not ctx.healthy_dependency:
        message = "a non-essential container's health does not affect the task; no probe"
        warnings.append(ctx.warn("healthCheck", message))
    return made.fields(), warnings
