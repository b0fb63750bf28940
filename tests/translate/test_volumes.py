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
            {"name": "db", "dockerVolumeConfiguration": {"scope": "shared", "autoprovision": True}},
            {"persistentVolumeClaim": {"claimName": "ecs-volume-db"}},
            None,
        ),
        (
            {"name": "db", "dockerVolumeConfiguration": {"scope": "shared"}},
            {"persistentVolumeClaim": {"claimName": "ecs-volume-db"}},
            "volumes[0].dockerVolumeConfiguration",
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
    result = task_volumes(spec(volume), "TaskDefinition/web")
    assert result.volumes == [{"name": volume["name"], **source}]
    assert result.names == {volume["name"]: volume["name"]}
    assert [w.field for w in result.warnings] == ([warned] if warned else [])


def test_volume_names_are_dns_safe() -> None:
    result = task_volumes(spec({"name": "My_Data"}), "TaskDefinition/web")
    name = result.names["My_Data"]
    assert name.startswith("my-data-")
    assert result.volumes == [{"name": name, "emptyDir": {}}]


@pytest.mark.parametrize(("root", "sub_path"), [(None, None), ("/", None), ("/exports/app", "exports/app")])
def test_efs_root_directory_is_a_sub_path(root: str | None, sub_path: str | None) -> None:
    efs: dict[str, Any] = {"fileSystemId": "fs-1"}
    if root is not None:
        efs["rootDirectory"] = root
    result = task_volumes(spec({"name": "files", "efsVolumeConfiguration": efs}), "TaskDefinition/web")
    assert result.sub_paths.get("files") == sub_path


def test_volume_claims_only_for_shared_autoprovisioned_volumes() -> None:
    claims = volume_claims(
        spec(
            {"name": "db", "dockerVolumeConfiguration": {"scope": "shared", "autoprovision": True}},
            {"name": "given", "dockerVolumeConfiguration": {"scope": "shared", "autoprovision": False}},
            {"name": "cache", "dockerVolumeConfiguration": {"scope": "task"}},
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
