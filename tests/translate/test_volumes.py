"""Task volumes as pod volumes, and the claims the operator makes for them."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import Meta
from ecs_operator.translate.volumes import task_volumes, volume_claims
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
            {"hostPath": {"path": "/var/log", "type": "DirectoryOrCreate"}},
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
