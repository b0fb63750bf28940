"""TaskDefinition: revisions registered as immutable ControllerRevisions, deregistration, status."""

from __future__ import annotations

import pytest

from ecs_operator.models.references import TaskDefinitionRef
from ecs_operator.resolve.references import cluster_name, parse_reference
from ecs_operator.translate.context import TranslationError
from tests.operator import manifests
from tests.operator.conftest import Cluster, JsonDict, eventually


async def revisions(cluster: Cluster) -> list[int]:
    return sorted(int(obj["revision"]) for obj in await cluster.list_of("ControllerRevision"))


async def test_registers_revision_one_with_status(operator: Cluster) -> None:
    await operator.create(manifests.task_definition())
    status = await eventually(lambda: _status_with_revision(operator, 1), what="revision 1 in status")
    assert status["taskDefinition"] == "web:1"
    assert status["taskDefinitionArn"] == "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1"
    assert status["status"] == "ACTIVE"
    assert [r["revision"] for r in status["revisions"]] == [1]
    assert status["observedGeneration"] == 1
    ready = await operator.condition("TaskDefinition", "web")
    assert (ready["status"], ready["reason"]) == ("True", "Registered")
    stored = await operator.get("ControllerRevision", "web-1")
    assert stored is not None
    assert stored["revision"] == 1
    assert stored["data"]["containerDefinitions"][0]["image"] == "nginx:1.27"
    assert stored["metadata"]["ownerReferences"][0]["kind"] == "TaskDefinition"
    assert operator.validate_written() > 0


async def _status_with_revision(cluster: Cluster, revision: int) -> JsonDict | None:
    status = await cluster.status("TaskDefinition", "web")
    return status if status.get("revision") == revision else None


async def test_changed_spec_registers_the_next_revision_and_same_spec_none(operator: Cluster) -> None:
    await operator.create(manifests.task_definition())
    await eventually(lambda: _status_with_revision(operator, 1), what="revision 1")
    await operator.update_spec("TaskDefinition", "web", manifests.task_definition(image="nginx:1.28")["spec"])
    status = await eventually(lambda: _status_with_revision(operator, 2), what="revision 2")
    assert [r["status"] for r in status["revisions"]] == ["ACTIVE", "ACTIVE"]
    # The same ECS fields again (only deregistration changes): no new revision.
    spec = manifests.task_definition(image="nginx:1.28", deregisteredRevisions=[1])["spec"]
    await operator.update_spec("TaskDefinition", "web", spec)
    status = await eventually(lambda: _revision_inactive(operator, 1), what="revision 1 INACTIVE")
    assert status["revision"] == 2
    assert status["status"] == "ACTIVE"
    assert await revisions(operator) == [1, 2]
    first = await operator.get("ControllerRevision", "web-1")
    assert first is not None and first["data"]["containerDefinitions"][0]["image"] == "nginx:1.27"  # immutable
    assert operator.validate_written() > 0


async def test_invalid_spec_is_reported_and_registers_nothing(operator: Cluster) -> None:
    td = manifests.task_definition()
    td["spec"]["containerDefinitions"][0]["imagee"] = "typo"
    await operator.create(td)
    ready = await eventually(lambda: _failed(operator), what="Ready=False")
    assert ready["reason"] == "InvalidSpec"
    assert "spec.containerDefinitions[0].imagee" in ready["message"]
    assert await revisions(operator) == []
    warnings = await eventually(lambda: _events(operator, "InvalidSpec"), what="a Warning Event")
    assert warnings[0]["type"] == "Warning"


async def _revision_inactive(cluster: Cluster, revision: int) -> JsonDict | None:
    status = await cluster.status("TaskDefinition", "web")
    entries = {r["revision"]: r for r in status.get("revisions") or []}
    return status if entries.get(revision, {}).get("status") == "INACTIVE" else None


async def _failed(cluster: Cluster) -> JsonDict | None:
    ready = await cluster.condition("TaskDefinition", "web")
    return ready if ready.get("status") == "False" else None


async def _events(cluster: Cluster, reason: str) -> list[JsonDict]:
    return cluster.events(reason)


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("web", TaskDefinitionRef("web")),
        ("web:3", TaskDefinitionRef("web", 3)),
        ("arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web:4", TaskDefinitionRef("web", 4)),
    ],
)
def test_handlers_parse_references_with_the_shared_parser(reference: str, expected: TaskDefinitionRef) -> None:
    assert parse_reference(reference) == expected


@pytest.mark.parametrize("reference", ["web:0", "web:latest", "arn:aws:ecs:eu-west-1:1:service/web"])
def test_a_malformed_reference_is_an_invalid_spec_naming_the_field(reference: str) -> None:
    with pytest.raises(TranslationError, match=r"^spec\.taskDefinition: "):
        parse_reference(reference)


@pytest.mark.parametrize(
    ("reference", "expected"),
    [(None, "default"), ("", "default"), ("prod", "prod"), ("arn:aws:ecs:eu-west-1:1:cluster/prod", "prod")],
)
def test_cluster_references(reference: str | None, expected: str) -> None:
    assert cluster_name(reference) == expected


def test_a_malformed_cluster_reference_is_an_invalid_spec() -> None:
    with pytest.raises(TranslationError, match=r"^spec\.cluster: "):
        cluster_name("a/b")


async def test_a_second_resource_for_the_same_family_is_refused(operator: Cluster) -> None:
    await operator.create(manifests.task_definition())
    await eventually(lambda: _status_with_revision(operator, 1), what="web:1")
    copy = manifests.task_definition(image="nginx:1.28")
    copy["metadata"]["name"] = "web-copy"  # spec.family stays web
    await operator.create(copy)

    async def refused() -> JsonDict | None:
        ready = await operator.condition("TaskDefinition", "web-copy")
        return ready if ready.get("reason") == "InvalidSpec" else None

    ready = await eventually(refused, what="InvalidSpec on the newer one")
    assert "TaskDefinition 'web'" in ready["message"] and "spec.family" in ready["message"]
    degraded = await operator.condition("TaskDefinition", "web-copy", "Degraded")
    assert degraded["status"] == "True"
    assert await revisions(operator) == [1]
    first = await operator.condition("TaskDefinition", "web")
    assert (first["status"], first["reason"]) == ("True", "Registered")
