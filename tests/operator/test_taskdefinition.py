"""TaskDefinition: revisions registered as immutable ControllerRevisions, deregistration, status."""

from __future__ import annotations

from tests.operator import manifests
from tests.operator.conftest import Cluster, eventually


async def revisions(cluster: Cluster) -> list[int]:
    return sorted(int(obj["revision"]) for obj in await cluster.list("ControllerRevision"))


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


async def _status_with_revision(cluster: Cluster, revision: int) -> dict | None:
    status = await cluster.status("TaskDefinition", "web")
    return status if status.get("revision") == revision else None
