"""ECSTask (RunTask) -> Pods."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.models.task import ECSTaskSpec
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import (
    ClusterContext,
    Meta,
    MissingReference,
    Rendered,
    TaskDefinitionRevision,
    TranslationError,
)
from ecs_operator.translate.iam import service_account_name
from ecs_operator.translate.task import render_task, task_count
from tests.k8s_schema import validate_objects

META = Meta("ECSTask", "migrate", "shop", "uid-7")


def _td(**extra: Any) -> TaskDefinitionRevision:
    spec = {
        "family": "jobs",
        "memory": "512",
        "containerDefinitions": [{"name": "main", "image": "busybox", "command": ["echo", "hi"]}],
    }
    return TaskDefinitionRevision("jobs", 2, TaskDefinitionSpec.model_validate({**spec, **extra}), namespace="default")


def _render(td: TaskDefinitionRevision | None = None, **spec: Any) -> Rendered:
    task = ECSTaskSpec.model_validate({"taskDefinition": "jobs:2", **spec})
    rendered = render_task(task, META, td or _td(), ClusterContext(), [])
    assert validate_objects(rendered.objects) == len(rendered.objects)
    return rendered


def _pods(rendered: Rendered) -> list[dict[str, Any]]:
    return [o for o in rendered.objects if o["kind"] == "Pod"]


def test_count_pods_named_by_index_that_never_restart() -> None:
    pods = _pods(_render(count=3, startedBy="ci", group="batch"))
    assert [p["metadata"]["name"] for p in pods] == ["migrate-0", "migrate-1", "migrate-2"]
    pod = pods[0]
    assert pod["spec"]["restartPolicy"] == "Never"
    assert pod["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "ecs-operator",
        "ecs.compat.dev/cluster": "default",
        "ecs.compat.dev/task": "migrate",
        "ecs.compat.dev/task-definition": "jobs-2",
        "ecs.compat.dev/group": "batch",
    }
    assert pod["metadata"]["annotations"]["ecs.compat.dev/started-by"] == "ci"
    assert pod["metadata"]["ownerReferences"][0]["uid"] == "uid-7"


def test_default_group_is_the_family() -> None:
    pod = _pods(_render())[0]
    assert pod["metadata"]["labels"]["ecs.compat.dev/group"] == "family-jobs"
    assert pod["metadata"]["annotations"]["ecs.compat.dev/group"] == "family:jobs"


def test_overrides_reach_the_pod() -> None:
    pod = _pods(_render(overrides={"containerOverrides": [{"name": "main", "command": ["echo", "bye"]}]}))[0]
    assert pod["spec"]["containers"][0]["args"] == ["echo", "bye"]


def test_task_role_override_gets_its_service_account() -> None:
    role = "arn:aws:iam::123456789012:role/migrator"
    rendered = _render(overrides={"taskRoleArn": role})
    accounts = [o for o in rendered.objects if o["kind"] == "ServiceAccount"]
    assert [a["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] for a in accounts] == [role]
    assert _pods(rendered)[0]["spec"]["serviceAccountName"] == service_account_name(role)


def test_capacity_provider_strategy_splits_the_pods() -> None:
    pods = _pods(
        _render(
            count=4,
            capacityProviderStrategy=[
                {"capacityProvider": "FARGATE", "base": 1, "weight": 0},
                {"capacityProvider": "FARGATE_SPOT", "weight": 1},
            ],
        )
    )
    providers = [p["metadata"]["labels"]["ecs.compat.dev/capacity-provider"] for p in pods]
    assert providers == ["FARGATE", "FARGATE_SPOT", "FARGATE_SPOT", "FARGATE_SPOT"]
    assert pods[1]["spec"]["tolerations"][0]["key"] == "ecs.compat.dev/spot"


def test_placement_and_tags() -> None:
    rendered = _render(
        count=2,
        placementConstraints=[{"type": "distinctInstance"}],
        tags=[{"key": "run", "value": "1"}],
        propagateTags="TASK_DEFINITION",
        td=_td(tags=[{"key": "app", "value": "jobs"}]),
    )
    pod = _pods(rendered)[0]
    term = pod["spec"]["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
    assert term["labelSelector"]["matchLabels"] == {
        "ecs.compat.dev/cluster": "default",
        "ecs.compat.dev/task": "migrate",
    }
    assert pod["metadata"]["annotations"]["ecs.compat.dev/tags"] == '{"app": "jobs"}'


def test_network_mode_none_gets_a_deny_all_policy() -> None:
    rendered = _render(td=_td(networkMode="none"))
    assert [o["kind"] for o in rendered.objects if o["kind"] != "Pod"] == ["NetworkPolicy"]


def test_ignored_fields_are_warned() -> None:
    fields = [w.field for w in _render(enableExecuteCommand=True, referenceId="r-1").warnings]
    assert "enableExecuteCommand" in fields
    assert "referenceId" in fields


@pytest.mark.parametrize(("count", "expected"), [(None, 1), (1, 1), (10, 10)])
def test_task_count(count: int | None, expected: int) -> None:
    assert task_count(count) == expected


@pytest.mark.parametrize("count", [0, 11])
def test_task_count_out_of_range(count: int) -> None:
    with pytest.raises(TranslationError) as error:
        task_count(count)
    assert error.value.field == "count"


def test_a_security_group_not_there_yet_is_a_missing_reference() -> None:
    td = _td(networkMode="awsvpc")
    with pytest.raises(MissingReference) as error:
        _render(td=td, networkConfiguration={"awsvpcConfiguration": {"subnets": ["s"], "securityGroups": ["sg-9"]}})
    assert error.value.field == "networkConfiguration.awsvpcConfiguration.securityGroups[0]"


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        (None, None),
        ({"deleteOnTermination": True}, None),
        (
            {"deleteOnTermination": False},
            "volumeConfigurations[0].managedEBSVolume.terminationPolicy.deleteOnTermination",
        ),
    ],
    ids=["default policy", "deleted on termination", "kept after the task stops"],
)
def test_volume_configurations_are_ephemeral_volumes_of_each_pod(
    policy: dict[str, Any] | None, field: str | None
) -> None:
    td = _td(volumes=[{"name": "scratch", "configuredAtLaunch": True}])
    ebs: dict[str, Any] = {"roleArn": "arn:aws:iam::1:role/ebs", "sizeInGiB": 8}
    if policy is not None:
        ebs["terminationPolicy"] = policy
    configurations = [{"name": "scratch", "managedEBSVolume": ebs}]
    if field is not None:
        with pytest.raises(TranslationError) as error:
            _render(td=td, count=2, volumeConfigurations=configurations)
        assert error.value.field == field
        return
    pods = _pods(_render(td=td, count=2, volumeConfigurations=configurations))
    for pod in pods:
        [volume] = pod["spec"]["volumes"]
        template = volume["ephemeral"]["volumeClaimTemplate"]
        assert template["spec"]["resources"] == {"requests": {"storage": "8Gi"}}
        assert "storageClassName" not in template["spec"]  # no volumeType: the cluster's default StorageClass
        assert template["metadata"]["labels"] == {
            "app.kubernetes.io/managed-by": "ecs-operator",
            "ecs.compat.dev/cluster": "default",
            "ecs.compat.dev/task": "migrate",
            "ecs.compat.dev/task-definition": "jobs-2",
            "ecs.compat.dev/volume": "scratch",
        }
