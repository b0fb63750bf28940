"""Task definitions through the ECS API: a TaskDefinition resource per family, revisions the operator registers."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import Backend, Ecs, settled
from tests.api.workloads import task_definition


def error_of(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


async def test_register_answers_the_revision_the_operator_registered(ecs: Ecs, backend: Backend) -> None:
    request = task_definition(tags=[{"key": "team", "value": "web"}])
    answer = await ecs.register_task_definition(**request)
    registered = answer["taskDefinition"]
    assert (registered["taskDefinitionArn"], registered["revision"], registered["status"]) == (
        backend.arn("task-definition/web:1"),
        1,
        "ACTIVE",
    )
    for member in ("family", "networkMode", "requiresCompatibilities", "cpu", "memory", "containerDefinitions"):
        assert registered[member] == request[member], member
    assert "FARGATE" in registered["compatibilities"]
    assert registered["registeredBy"] == f"arn:aws:iam::{backend.account}:user/{backend.main_key.name}"
    assert answer["tags"] == [{"key": "team", "value": "web"}]
    resource = await backend.kubectl.get("TaskDefinition", backend.namespace, "web")
    assert resource is not None and resource["spec"] == request  # the request is the spec
    revisions = await backend.kubectl.list("ControllerRevision", backend.namespace)
    assert [(r["metadata"]["name"], r["revision"]) for r in revisions] == [("web-1", 1)]


async def test_a_changed_definition_registers_the_next_revision_and_the_same_one_does_not(
    ecs: Ecs, backend: Backend
) -> None:
    await ecs.register_task_definition(**task_definition())
    second = (await ecs.register_task_definition(**task_definition(image="nginx:1.28")))["taskDefinition"]
    assert second["revision"] == 2
    assert second["containerDefinitions"][0]["image"] == "nginx:1.28"
    same = (await ecs.register_task_definition(**task_definition(image="nginx:1.28")))["taskDefinition"]
    assert same["revision"] == 2  # the operator registers no identical revision (docs/api.md)
    first = (await ecs.describe_task_definition(taskDefinition="web:1"))["taskDefinition"]
    assert first["containerDefinitions"][0]["image"] == "nginx:1.27"
    latest = await ecs.describe_task_definition(taskDefinition=backend.arn("task-definition/web"))
    assert latest["taskDefinition"]["revision"] == 2


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"containerDefinitions": [{"name": "app", "essential": True}]}, "containerDefinitions[0].image: is required"),
        ({"networkMode": "bridge"}, "needs networkMode: awsvpc"),
        ({"containerDefinitions": [{"name": "app", "image": "x", "essential": False}]}, "must be essential"),
        ({"placementConstraints": [{"type": "spread"}]}, "placementConstraints[0].type"),
    ],
)
async def test_an_invalid_definition_is_refused_naming_the_field_and_nothing_is_written(
    ecs: Ecs, backend: Backend, change: dict[str, object], words: str
) -> None:
    with pytest.raises(ClientError) as refused:
        await ecs.register_task_definition(**task_definition(**change))
    code, message = error_of(refused)
    assert code == "InvalidParameterException"
    assert words in message
    assert await backend.kubectl.list("TaskDefinition", backend.namespace) == []


async def test_describe_of_what_is_not_registered_is_a_client_error(ecs: Ecs) -> None:
    await ecs.register_task_definition(**task_definition())
    for reference in ("nope", "web:2", "nope:1"):
        with pytest.raises(ClientError) as refused:
            await ecs.describe_task_definition(taskDefinition=reference)
        assert error_of(refused)[0] == "ClientException", reference


async def test_deregister_makes_a_revision_inactive_and_the_family_resolves_to_the_latest_active(
    ecs: Ecs, backend: Backend
) -> None:
    await ecs.register_task_definition(**task_definition())
    await ecs.register_task_definition(**task_definition(image="nginx:1.28"))
    gone = (await ecs.deregister_task_definition(taskDefinition="web:2"))["taskDefinition"]
    assert (gone["status"], gone["revision"]) == ("INACTIVE", 2)
    assert "deregisteredAt" in gone
    assert (await backend.kubectl.get("TaskDefinition", backend.namespace, "web") or {})["spec"][
        "deregisteredRevisions"
    ] == [2]
    latest = (await ecs.describe_task_definition(taskDefinition="web"))["taskDefinition"]
    assert (latest["revision"], latest["status"]) == (1, "ACTIVE")
    with pytest.raises(ClientError) as refused:
        await ecs.deregister_task_definition(taskDefinition="web")
    assert error_of(refused)[0] == "InvalidParameterException"


async def test_list_task_definitions_filters_sorts_and_pages(ecs: Ecs, backend: Backend) -> None:
    for family in ("api", "web", "worker"):
        await ecs.register_task_definition(**task_definition(family))
        await ecs.register_task_definition(**task_definition(family, image="nginx:1.28"))
    await ecs.deregister_task_definition(taskDefinition="api:1")
    pages = await ecs.pages("list_task_definitions", "taskDefinitionArns", PaginationConfig={"PageSize": 2})
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [arn.rsplit("/", 1)[1] for p in pages for arn in p] == ["api:2", "web:1", "web:2", "worker:1", "worker:2"]
    descending = await ecs.list_task_definitions(familyPrefix="w", sort="DESC")
    assert [a.rsplit("/", 1)[1] for a in descending["taskDefinitionArns"]] == ["worker:2", "worker:1", "web:2", "web:1"]
    inactive = await ecs.list_task_definitions(status="INACTIVE")
    assert inactive["taskDefinitionArns"] == [backend.arn("task-definition/api:1")]
    families = await ecs.pages("list_task_definition_families", "families", PaginationConfig={"PageSize": 2})
    assert families == [["api", "web"], ["worker"]]


async def test_list_families_by_status(ecs: Ecs) -> None:
    await ecs.register_task_definition(**task_definition("api"))
    await ecs.register_task_definition(**task_definition("web"))
    await ecs.deregister_task_definition(taskDefinition="api:1")
    assert (await ecs.list_task_definition_families(status="ACTIVE"))["families"] == ["web"]
    assert (await ecs.list_task_definition_families(status="INACTIVE"))["families"] == ["api"]
    assert (await ecs.list_task_definition_families())["families"] == ["api", "web"]


async def test_delete_task_definitions_deletes_a_fully_deregistered_family(ecs: Ecs, backend: Backend) -> None:
    await ecs.register_task_definition(**task_definition())
    await ecs.register_task_definition(**task_definition(image="nginx:1.28"))
    refused = await ecs.delete_task_definitions(taskDefinitions=["web:1"])
    assert refused["taskDefinitions"] == []
    assert refused["failures"][0]["arn"] == backend.arn("task-definition/web:1")
    assert "ACTIVE" in refused["failures"][0]["reason"]
    await ecs.deregister_task_definition(taskDefinition="web:1")
    await ecs.deregister_task_definition(taskDefinition="web:2")
    partial = await ecs.delete_task_definitions(taskDefinitions=["web:1"])
    assert "name all of [1, 2]" in partial["failures"][0]["reason"]
    deleted = await ecs.delete_task_definitions(taskDefinitions=["web:1", backend.arn("task-definition/web:2")])
    assert [(d["revision"], d["status"]) for d in deleted["taskDefinitions"]] == [
        (1, "DELETE_IN_PROGRESS"),
        (2, "DELETE_IN_PROGRESS"),
    ]
    assert deleted["failures"] == []
    assert await backend.kubectl.get("TaskDefinition", backend.namespace, "web") is None


async def test_a_task_definition_applied_with_kubectl_is_described_through_the_api(ecs: Ecs, backend: Backend) -> None:
    spec = task_definition("from-git")
    del spec["family"]  # the family defaults to the resource's name
    await backend.kubectl.create(
        {
            "apiVersion": "ecs.compat.dev/v1alpha1",
            "kind": "TaskDefinition",
            "metadata": {"name": "from-git", "namespace": backend.namespace},
            "spec": spec,
        }
    )

    async def registered() -> dict[str, object] | None:
        try:
            return (await ecs.describe_task_definition(taskDefinition="from-git"))["taskDefinition"]
        except ClientError:
            return None

    described = await settled(registered, "the operator to register from-git:1")
    assert (described["family"], described["revision"]) == ("from-git", 1)
    assert described["containerDefinitions"] == spec["containerDefinitions"]
    assert "registeredBy" not in described


async def test_another_namespace_key_sees_none_of_these(ecs: Ecs, other_ecs: Ecs) -> None:
    await ecs.register_task_definition(**task_definition())
    assert (await other_ecs.list_task_definitions())["taskDefinitionArns"] == []
    assert (await other_ecs.list_task_definition_families())["families"] == []
    with pytest.raises(ClientError) as refused:
        await other_ecs.describe_task_definition(taskDefinition="web:1")
    assert error_of(refused)[0] == "ClientException"
    with pytest.raises(ClientError) as refused:
        await other_ecs.deregister_task_definition(taskDefinition="web:1")
    assert error_of(refused)[0] == "ClientException"
