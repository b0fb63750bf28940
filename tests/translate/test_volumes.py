"""Task volumes as pod volumes, and the claims the operator makes for them."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.models.ecs_api import ServiceVolumeConfiguration, TaskVolumeConfiguration
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import Meta, TranslationError
from ecs_operator.translate.volumes import launch_volumes, task_volumes, volume_claims
from tests.k8s_schema import validate_object

META = Meta("TaskDefinition", "web", "apps", "uid-1")


def spec(*volumes: dict[str, Any]) -> TaskDefinitionSpec:
    return TaskDefinitionSpec.model_validate(
        {"family": "web", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}], "volumes": list(volumes)}
    )


@pytest.mark.parametrize(
    ("volume", "source", "warned"),
    [
        (
            {"name": "logs", "host": {"sourcePath": "/var/log"}},
            {"hostPath": {"path": "/var/log", "type": ""}},
            None,
        ),
        # A socket or a file: type "" mounts what is there (DirectoryOrCreate would fail on every node).
        (
            {"name": "docker", "host": {"sourcePath": "/var/run/docker.sock"}},
            {"hostPath": {"path": "/var/run/docker.sock", "type": ""}},
            None,
        ),
        ({"name": "scratch", "host": {}}, {"emptyDir": {}}, None),
        ({"name": "scratch"}, {"emptyDir": {}}, None),
        ({"name": "cache", "dockerVolumeConfiguration": {"scope": "task", "driver": "local"}}, {"emptyDir": {}}, None),
        ({"name": "cache", "dockerVolumeConfiguration": {}}, {"emptyDir": {}}, None),
        (
            {"name": "cache", "dockerVolumeConfiguration": {"scope": "task", "driver": "rexray/ebs"}},
            {"emptyDir": {}},
            "volumes[0].dockerVolumeConfiguration.driver",
        ),
        # Shared, local driver: one directory per node (and namespace), kept, as Docker keeps one per instance.
        (
            {"name": "db", "dockerVolumeConfiguration": {"scope": "shared", "autoprovision": True}},
            {"hostPath": {"path": "/var/lib/ecs-operator/volumes/apps/db", "type": "DirectoryOrCreate"}},
            None,
        ),
        (
            {"name": "Db_1", "dockerVolumeConfiguration": {"scope": "shared", "driver": "local"}},
            {"hostPath": {"path": "/var/lib/ecs-operator/volumes/apps/Db_1", "type": "DirectoryOrCreate"}},
            None,
        ),
        # Other drivers: a claim stands for the volume, warned.
        (
            {
                "name": "db",
                "dockerVolumeConfiguration": {"scope": "shared", "driver": "rexray/ebs", "autoprovision": True},
            },
            {"persistentVolumeClaim": {"claimName": "ecs-volume-db"}},
            "volumes[0].dockerVolumeConfiguration.driver",
        ),
        (
            {"name": "db", "dockerVolumeConfiguration": {"scope": "shared", "driver": "rexray/ebs"}},
            {"persistentVolumeClaim": {"claimName": "ecs-volume-db"}},
            "volumes[0].dockerVolumeConfiguration.driver",
        ),
        (
            {"name": "files", "efsVolumeConfiguration": {"fileSystemId": "fs-0123abcd"}},
            {"persistentVolumeClaim": {"claimName": "efs-fs-0123abcd"}},
            "volumes[0].efsVolumeConfiguration",
        ),
        (
            {
                "name": "files",
                "efsVolumeConfiguration": {
                    "fileSystemId": "fs-0123abcd",
                    "authorizationConfig": {"accessPointId": "fsap-0abc", "iam": "ENABLED"},
                },
            },
            {"persistentVolumeClaim": {"claimName": "efs-fs-0123abcd-fsap-0abc"}},
            "volumes[0].efsVolumeConfiguration",
        ),
        ({"name": "ebs", "configuredAtLaunch": True}, {"emptyDir": {}}, "volumes[0].configuredAtLaunch"),
        ({"name": "plain", "configuredAtLaunch": False}, {"emptyDir": {}}, None),
    ],
)
def test_task_volumes(volume: dict[str, Any], source: dict[str, Any], warned: str | None) -> None:
    result = task_volumes(spec(volume), "TaskDefinition/web", "apps")
    name = result.names[volume["name"]]
    assert result.volumes == [{"name": name, **source}]
    assert [w.field for w in result.warnings] == ([warned] if warned else [])
    validate_object(pod_of(result.volumes))


def pod_of(volumes: list[dict[str, Any]]) -> dict[str, Any]:
    mounts = [{"name": volume["name"], "mountPath": f"/v{i}"} for i, volume in enumerate(volumes)]
    container = {"name": "a", "image": "i", "volumeMounts": mounts}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [container], "volumes": volumes},
    }


def test_volume_names_are_dns_safe() -> None:
    result = task_volumes(spec({"name": "My_Data"}), "TaskDefinition/web", "apps")
    name = result.names["My_Data"]
    assert name.startswith("my-data-")
    assert result.volumes == [{"name": name, "emptyDir": {}}]


@pytest.mark.parametrize(("root", "sub_path"), [(None, None), ("/", None), ("/exports/app", "exports/app")])
def test_efs_root_directory_is_a_sub_path(root: str | None, sub_path: str | None) -> None:
    efs: dict[str, Any] = {"fileSystemId": "fs-1"}
    if root is not None:
        efs["rootDirectory"] = root
    result = task_volumes(spec({"name": "files", "efsVolumeConfiguration": efs}), "TaskDefinition/web", "apps")
    assert result.sub_paths.get("files") == sub_path


def test_volume_claims_only_for_shared_autoprovisioned_volumes_of_other_drivers() -> None:
    claims = volume_claims(
        spec(
            {"name": "db", "dockerVolumeConfiguration": {"scope": "shared", "driver": "ebs", "autoprovision": True}},
            {
                "name": "given",
                "dockerVolumeConfiguration": {"scope": "shared", "driver": "ebs", "autoprovision": False},
            },
            {
                "name": "node",
                "dockerVolumeConfiguration": {"scope": "shared", "driver": "local", "autoprovision": True},
            },
            {"name": "local", "dockerVolumeConfiguration": {"scope": "shared", "autoprovision": True}},
            {"name": "cache", "dockerVolumeConfiguration": {"scope": "task", "driver": "ebs", "autoprovision": True}},
        ),
        META,
    )
    assert [claim["metadata"]["name"] for claim in claims] == ["ecs-volume-db"]
    [claim] = claims
    validate_object(claim)
    assert claim["metadata"]["namespace"] == "apps"
    # Like a shared Docker volume, it outlives the task definition.
    assert "ownerReferences" not in claim["metadata"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"


# --- volumes configured at launch (volumeConfigurations) -------------------------------------------------

LAUNCH_SPEC = spec({"name": "data", "configuredAtLaunch": True}, {"name": "plain"})
CLAIM_LABELS = {
    "app.kubernetes.io/managed-by": "ecs-operator",
    "ecs.compat.dev/cluster": "default",
    "ecs.compat.dev/service": "web",
    "ecs.compat.dev/volume": "data",
}


def launched(*configurations: dict[str, Any], task: bool = False) -> tuple[dict[str, Any], list[str]]:
    model = TaskVolumeConfiguration if task else ServiceVolumeConfiguration
    parsed = [model.model_validate(c) for c in configurations]
    labels = {"ecs.compat.dev/cluster": "default", "ecs.compat.dev/service": "web"}
    sources, warnings = launch_volumes(parsed, LAUNCH_SPEC, labels, "ECSService/web")
    return sources, [w.field for w in warnings]


def ebs(**fields: Any) -> dict[str, Any]:
    return {"name": "data", "managedEBSVolume": {"roleArn": "arn:aws:iam::1:role/ebs", **fields}}


@pytest.mark.parametrize(
    ("configuration", "claim", "warned"),
    [
        (
            ebs(sizeInGiB=20),
            {
                "accessModes": ["ReadWriteOnce"],
                "volumeMode": "Filesystem",
                "resources": {"requests": {"storage": "20Gi"}},
            },
            [],
        ),
        (
            ebs(sizeInGiB=100, volumeType="gp3", iops=4000, encrypted=True),
            {
                "accessModes": ["ReadWriteOnce"],
                "volumeMode": "Filesystem",
                "resources": {"requests": {"storage": "100Gi"}},
                "storageClassName": "gp3",
            },
            ["volumeConfigurations[0].managedEBSVolume.volumeType"],
        ),
        (
            ebs(sizeInGiB=50, snapshotId="snap-0123456789abcdef0"),
            {
                "accessModes": ["ReadWriteOnce"],
                "volumeMode": "Filesystem",
                "resources": {"requests": {"storage": "50Gi"}},
                "dataSource": {
                    "apiGroup": "snapshot.storage.k8s.io",
                    "kind": "VolumeSnapshot",
                    "name": "snap-0123456789abcdef0",
                },
            },
            ["volumeConfigurations[0].managedEBSVolume.snapshotId"],
        ),
    ],
    ids=["size only: default StorageClass", "volume type names the StorageClass", "snapshot as dataSource"],
)
def test_launch_volumes_are_generic_ephemeral_volumes(
    configuration: dict[str, Any], claim: dict[str, Any], warned: list[str]
) -> None:
    sources, warnings = launched(configuration)
    assert sources == {
        "data": {"ephemeral": {"volumeClaimTemplate": {"metadata": {"labels": CLAIM_LABELS}, "spec": claim}}}
    }
    assert warnings == warned
    volumes = task_volumes(LAUNCH_SPEC, "TaskDefinition/web", "apps", sources)
    # The configured volume replaces the placeholder (no warning); the other volume is untouched.
    assert volumes.volumes == [{"name": "data", **sources["data"]}, {"name": "plain", "emptyDir": {}}]
    assert volumes.warnings == []
    validate_object(pod_of(volumes.volumes))


def test_a_launch_volume_without_configuration_stays_a_warned_empty_dir() -> None:
    volumes = task_volumes(LAUNCH_SPEC, "TaskDefinition/web", "apps", {})
    assert volumes.volumes[0] == {"name": "data", "emptyDir": {}}
    assert [w.field for w in volumes.warnings] == ["volumes[0].configuredAtLaunch"]


def test_a_task_may_keep_the_default_termination_policy() -> None:
    sources, _ = launched(ebs(sizeInGiB=5, terminationPolicy={"deleteOnTermination": True}), task=True)
    assert sources["data"]["ephemeral"]["volumeClaimTemplate"]["spec"]["resources"] == {"requests": {"storage": "5Gi"}}


@pytest.mark.parametrize(
    ("configurations", "task", "field"),
    [
        ([ebs(sizeInGiB=1) | {"name": "plain"}], False, "volumeConfigurations[0].name"),
        ([ebs(sizeInGiB=1) | {"name": "missing"}], False, "volumeConfigurations[0].name"),
        ([ebs(sizeInGiB=1), ebs(sizeInGiB=2)], False, "volumeConfigurations[1].name"),
        ([{"name": "data"}], False, "volumeConfigurations[0].managedEBSVolume"),
        ([ebs()], False, "volumeConfigurations[0].managedEBSVolume.sizeInGiB"),
        ([ebs(snapshotId="snap-1")], False, "volumeConfigurations[0].managedEBSVolume.sizeInGiB"),
        ([ebs(sizeInGiB=0)], True, "volumeConfigurations[0].managedEBSVolume.sizeInGiB"),
        ([ebs(sizeInGiB=1, volumeType="GP3")], False, "volumeConfigurations[0].managedEBSVolume.volumeType"),
        (
            [ebs(sizeInGiB=1, terminationPolicy={"deleteOnTermination": False})],
            True,
            "volumeConfigurations[0].managedEBSVolume.terminationPolicy.deleteOnTermination",
        ),
    ],
    ids=[
        "not configured at launch",
        "no such volume",
        "configured twice",
        "no managedEBSVolume",
        "no size",
        "snapshot without size",
        "zero size",
        "volume type cannot name a StorageClass",
        "kept after the task stops",
    ],
)
def test_untranslatable_launch_volumes_name_the_field(
    configurations: list[dict[str, Any]], task: bool, field: str
) -> None:
    with pytest.raises(TranslationError) as error:
        launched(*configurations, task=task)
    assert error.value.field == field
