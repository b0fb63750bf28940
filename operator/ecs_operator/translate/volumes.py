"""A task definition's ``volumes`` as pod volumes, and the claims the operator makes for them.

| ECS volume | pod volume |
|---|---|
| ``host.sourcePath`` | hostPath with no type check: a directory, file or socket (``/var/run/docker.sock``) |
|   | mounts as it is, and the container runtime makes a missing one a directory, as Docker does |
| ``host`` without sourcePath, or nothing at all | emptyDir (Docker's anonymous volume lives as long as the task) |
| ``dockerVolumeConfiguration`` scope ``task`` (the default) | emptyDir |
| ``dockerVolumeConfiguration`` ``shared``, local driver | hostPath ``/var/lib/ecs-operator/volumes/<ns>/<name>`` |
|   | one per node and namespace, kept, as a local Docker volume is one per container instance |
| ``dockerVolumeConfiguration`` ``shared``, other drivers | PVC ``ecs-volume-<name>``; made if autoprovision |
| ``efsVolumeConfiguration`` | PVC ``efs-<fileSystemId>[-<accessPointId>]``, bound by the user to EFS; |
|   | ``rootDirectory`` becomes each mount's subPath |
| ``configuredAtLaunch`` | the generic ephemeral volume of the service's or task's ``volumeConfigurations`` |
|   | (one claim per pod, deleted with it, as ECS deletes the EBS volume with the task); none: emptyDir |
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ecs_operator.models.crds import GROUP
from ecs_operator.models.ecs_api import (
    DockerVolumeConfiguration,
    EFSVolumeConfiguration,
    ServiceManagedEBSVolumeConfiguration,
    ServiceVolumeConfiguration,
    TaskManagedEBSVolumeConfiguration,
    TaskVolumeConfiguration,
    Volume,
)
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import (
    MANAGED_BY,
    FieldWarning,
    JsonDict,
    Meta,
    TranslationError,
    k8s_name,
    k8s_subdomain_name,
    label_value,
)

LABEL_VOLUME = f"{GROUP}/volume"
# A Docker volume has no size; the claim made for a shared, autoprovisioned one asks for this much.
SHARED_VOLUME_SIZE = "1Gi"
# Where a shared volume of Docker's local driver lives on each node: <root>/<namespace>/<volume name>.
SHARED_VOLUME_ROOT = "/var/lib/ecs-operator/volumes"
LOCAL_DRIVER = "local"
SNAPSHOT_API_GROUP = "snapshot.storage.k8s.io"
_STORAGE_CLASS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

LaunchConfiguration = ServiceVolumeConfiguration | TaskVolumeConfiguration
ManagedEBSVolume = ServiceManagedEBSVolumeConfiguration | TaskManagedEBSVolumeConfiguration


@dataclass(frozen=True)
class TaskVolumes:
    """The pod volumes of a task and how containers mount them."""

    volumes: list[JsonDict] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # ECS volume name -> pod volume name
    sub_paths: dict[str, str] = field(default_factory=dict)  # ECS volume name -> subPath of every mount
    warnings: list[FieldWarning] = field(default_factory=list)


def volume_name(ecs_name: str) -> str:
    """The pod volume name of an ECS volume (others replace configuredAtLaunch volumes by this name)."""
    return k8s_name(ecs_name)


def shared_claim_name(ecs_name: str) -> str:
    """The PersistentVolumeClaim that stands for a shared-scope Docker volume of a driver other than local."""
    return k8s_subdomain_name(f"ecs-volume-{ecs_name}")


def shared_volume_path(namespace: str, ecs_name: str) -> str:
    """The node directory of a shared-scope volume of Docker's local driver."""
    return f"{SHARED_VOLUME_ROOT}/{namespace}/{ecs_name}"


def is_claimed(docker: DockerVolumeConfiguration | None) -> bool:
    """A shared Docker volume of a driver other than local: a PersistentVolumeClaim stands for it."""
    return bool(docker and docker.scope == "shared" and (docker.driver or LOCAL_DRIVER) != LOCAL_DRIVER)


def efs_claim_name(efs: EFSVolumeConfiguration) -> str:
    """The PersistentVolumeClaim the user binds to the EFS file system (and access point)."""
    access_point = efs.authorizationConfig.accessPointId if efs.authorizationConfig else None
    suffix = f"-{access_point}" if access_point else ""
    return k8s_subdomain_name(f"efs-{efs.fileSystemId}{suffix}")


def snapshot_name(snapshot_id: str) -> str:
    """The VolumeSnapshot that stands for an EBS snapshot: named like it (``snap-0123abcd``)."""
    return k8s_subdomain_name(snapshot_id)


def _claim(name: str) -> JsonDict:
    return {"persistentVolumeClaim": {"claimName": name}}


def _source(
    volume: Volume, path: str, resource: str, namespace: str, launched: Mapping[str, JsonDict]
) -> tuple[JsonDict, list[FieldWarning]]:
    """The volume source of one ECS volume, and warnings about what must exist for it."""
    if volume.fsxWindowsFileServerVolumeConfiguration or volume.s3filesVolumeConfiguration:
        # Classified Rejected; field_rejections stops the translation before this point.
        raise TranslationError(path, "this volume type has no Kubernetes equivalent")
    if volume.efsVolumeConfiguration:
        claim = efs_claim_name(volume.efsVolumeConfiguration)
        note = f"mounts PersistentVolumeClaim {claim}, which must exist and be bound to the EFS file system"
        return _claim(claim), [FieldWarning(resource, f"{path}.efsVolumeConfiguration", note)]
    if volume.configuredAtLaunch:
        given = launched.get(volume.name or "")
        if given is not None:
            return given, []
        note = "the task gets an emptyDir unless the service's or task's volumeConfigurations name this volume"
        return {"emptyDir": {}}, [FieldWarning(resource, f"{path}.configuredAtLaunch", note)]
    docker = volume.dockerVolumeConfiguration
    if docker:
        return _docker_source(docker, volume.name or "", f"{path}.dockerVolumeConfiguration", resource, namespace)
    if volume.host and volume.host.sourcePath:
        # Not DirectoryOrCreate: that fails the mount on every node where the path is a file or a socket.
        return {"hostPath": {"path": volume.host.sourcePath, "type": ""}}, []
    return {"emptyDir": {}}, []


def _docker_source(
    docker: DockerVolumeConfiguration, name: str, path: str, resource: str, namespace: str
) -> tuple[JsonDict, list[FieldWarning]]:
    """task scope: emptyDir; shared scope: a node directory (local driver) or a claim (other drivers)."""
    driver = docker.driver or LOCAL_DRIVER
    if docker.scope != "shared":
        if driver == LOCAL_DRIVER:
            return {"emptyDir": {}}, []
        note = f"Docker volume driver {driver!r} does not exist on Kubernetes: the task gets an emptyDir"
        return {"emptyDir": {}}, [FieldWarning(resource, f"{path}.driver", note)]
    if driver == LOCAL_DRIVER:
        # One directory per node, kept across tasks, as a local Docker volume is one per container instance.
        return {"hostPath": {"path": shared_volume_path(namespace, name), "type": "DirectoryOrCreate"}}, []
    claim = shared_claim_name(name)
    if docker.autoprovision:
        how = f"PersistentVolumeClaim {claim} (ReadWriteOnce, default StorageClass) stands for the volume"
    else:
        how = f"PersistentVolumeClaim {claim} stands for the volume and must exist (autoprovision is off)"
    note = f"Docker volume driver {driver!r} does not exist on Kubernetes: {how}"
    return _claim(claim), [FieldWarning(resource, f"{path}.driver", note)]


def _sub_path(volume: Volume) -> str | None:
    efs = volume.efsVolumeConfiguration
    root = (efs.rootDirectory or "").strip("/") if efs else ""
    return root or None


def task_volumes(
    spec: TaskDefinitionSpec, resource: str, namespace: str, launched: Mapping[str, JsonDict] | None = None
) -> TaskVolumes:
    """Pod volumes for the task definition's ``volumes`` (of a TaskDefinition in ``namespace``).

    ``launched`` holds the sources of volumes configured at launch, by ECS name (see ``launch_volumes``).
    """
    result = TaskVolumes()
    for index, volume in enumerate(spec.volumes or []):
        path = f"volumes[{index}]"
        if not volume.name:
            raise TranslationError(f"{path}.name", "every volume needs a name for mountPoints to refer to")
        if volume.name in result.names:
            raise TranslationError(f"{path}.name", f"volume {volume.name!r} is defined twice")
        source, warnings = _source(volume, path, resource, namespace, launched or {})
        name = volume_name(volume.name)
        result.volumes.append({"name": name, **source})
        result.names[volume.name] = name
        result.warnings.extend(warnings)
        sub_path = _sub_path(volume)
        if sub_path:
            result.sub_paths[volume.name] = sub_path
    return result


def volume_claims(spec: TaskDefinitionSpec, meta: Meta) -> list[JsonDict]:
    """PersistentVolumeClaims for shared, autoprovisioned Docker volumes of drivers other than local.

    Like a shared Docker volume they outlive the task definition, so they carry no owner reference.
    """
    claims = []
    for volume in spec.volumes or []:
        docker = volume.dockerVolumeConfiguration
        if not (volume.name and docker and is_claimed(docker) and docker.autoprovision):
            continue
        labels = {**MANAGED_BY, LABEL_VOLUME: label_value(volume.name)}
        claims.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": shared_claim_name(volume.name), "namespace": meta.namespace, "labels": labels},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": SHARED_VOLUME_SIZE}},
                },
            }
        )
    return claims


def launch_volumes(
    configurations: Sequence[LaunchConfiguration], spec: TaskDefinitionSpec, labels: dict[str, str], resource: str
) -> tuple[dict[str, JsonDict], list[FieldWarning]]:
    """A service's or task's ``volumeConfigurations`` as generic ephemeral volume sources, by ECS volume name.

    ECS attaches a new EBS volume to each task and deletes it when the task stops; an ephemeral volume's
    claim is made with its pod and deleted with it. ``labels`` go on each claim (beside the volume label).
    """
    at_launch = {volume.name for volume in spec.volumes or [] if volume.configuredAtLaunch}
    sources: dict[str, JsonDict] = {}
    warnings: list[FieldWarning] = []
    for index, configuration in enumerate(configurations):
        path = f"volumeConfigurations[{index}]"
        name = configuration.name
        if name not in at_launch:
            raise TranslationError(
                f"{path}.name", f"the task definition has no volume {name!r} with configuredAtLaunch true"
            )
        if name in sources:
            raise TranslationError(f"{path}.name", f"volume {name!r} is configured twice")
        if configuration.managedEBSVolume is None:
            raise TranslationError(
                f"{path}.managedEBSVolume", "an EBS volume is the only kind configured at launch; give managedEBSVolume"
            )
        claim_labels = {**MANAGED_BY, **labels, LABEL_VOLUME: label_value(name)}
        source, more = _ephemeral_source(
            configuration.managedEBSVolume, claim_labels, f"{path}.managedEBSVolume", resource
        )
        sources[name] = source
        warnings += more
    return sources, warnings


def _ephemeral_source(
    ebs: ManagedEBSVolume, labels: dict[str, str], path: str, resource: str
) -> tuple[JsonDict, list[FieldWarning]]:
    """One claim per pod: ReadWriteOnce, the size asked for, the StorageClass named by volumeType."""
    _check_termination(ebs, path)
    claim: JsonDict = {
        "accessModes": ["ReadWriteOnce"],
        "volumeMode": "Filesystem",
        "resources": {"requests": {"storage": f"{_size(ebs, path)}Gi"}},
    }
    warnings = []
    if ebs.volumeType:
        if not _STORAGE_CLASS_NAME.match(ebs.volumeType) or len(ebs.volumeType) > 253:
            raise TranslationError(f"{path}.volumeType", f"{ebs.volumeType!r} cannot name a StorageClass")
        claim["storageClassName"] = ebs.volumeType
        note = (
            f"the claims use StorageClass {ebs.volumeType!r}, which must exist (clusters with the EBS CSI driver "
            "commonly name one after each EBS volume type)"
        )
        warnings.append(FieldWarning(resource, f"{path}.volumeType", note))
    if ebs.snapshotId:
        snapshot = snapshot_name(ebs.snapshotId)
        claim["dataSource"] = {"apiGroup": SNAPSHOT_API_GROUP, "kind": "VolumeSnapshot", "name": snapshot}
        note = (
            f"each claim is restored from VolumeSnapshot {snapshot}, which must exist in the namespace (e.g. bound "
            f"to a VolumeSnapshotContent with snapshotHandle {ebs.snapshotId})"
        )
        warnings.append(FieldWarning(resource, f"{path}.snapshotId", note))
    return {"ephemeral": {"volumeClaimTemplate": {"metadata": {"labels": labels}, "spec": claim}}}, warnings


def _size(ebs: ManagedEBSVolume, path: str) -> int:
    """sizeInGiB; ECS would take a snapshot's size by default, which is not known without AWS."""
    if ebs.sizeInGiB is None:
        why = (
            "a claim needs a size, and the snapshot's is not known here: give at least the snapshot's size"
            if ebs.snapshotId
            else "a claim needs a size: give the volume's size in GiB"
        )
        raise TranslationError(f"{path}.sizeInGiB", why)
    if ebs.sizeInGiB < 1:
        raise TranslationError(f"{path}.sizeInGiB", f"a volume holds at least 1 GiB, not {ebs.sizeInGiB}")
    return ebs.sizeInGiB


def _check_termination(ebs: ManagedEBSVolume, path: str) -> None:
    """deleteOnTermination false cannot be honoured: Kubernetes deletes an ephemeral claim with its pod."""
    policy = ebs.terminationPolicy if isinstance(ebs, TaskManagedEBSVolumeConfiguration) else None
    if policy is not None and not policy.deleteOnTermination:
        raise TranslationError(
            f"{path}.terminationPolicy.deleteOnTermination",
            "Kubernetes deletes a task's ephemeral volume claim with its pod. To keep the data, name a StorageClass "
            "with reclaimPolicy Retain in volumeType (the volume stays, Released) and drop the terminationPolicy, "
            "or mount a PersistentVolumeClaim through an EFS or shared docker volume of the task definition",
        )
