"""TaskDefinition: revisions registered as immutable ControllerRevisions, deregistration, status."""

from __future__ import annotations

import pytest

from ecs_operator.handlers.indices import ANNOTATION_APPLIED_DIGEST
from ecs_operator.models.references import TaskDefinitionRef
from ecs_operator.resolve.references import cluster_name, parse_reference
from ecs_operator.translate.context import TranslationError
from ecs_operator.translate.iam import service_account_name
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


async def _status_with_revision(cluster: Cluster, revision: int, uid: str | None = None) -> JsonDict | None:
    status = await cluster.status("TaskDefinition", "web")
    if uid is not None and (await cluster.get("TaskDefinition", "web") or {}).get("metadata", {}).get("uid") != uid:
        return None
    ready = next((c for c in status.get("conditions") or [] if c["type"] == "Ready"), {})
    return status if status.get("revision") == revision and ready.get("reason") == "Registered" else None


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


ROLE = "arn:aws:iam::123456789012:role/app"
SAME_NAME_OTHER_ACCOUNT = "arn:aws:iam::210987654321:role/app"


def with_role(name: str, role: str) -> JsonDict:
    td = manifests.task_definition(name)
    td["spec"]["taskRoleArn"] = role
    return td


async def _owners(cluster: Cluster, account: str, uids: set[str]) -> JsonDict | None:
    found = await cluster.get("ServiceAccount", account)
    owners = {ref["uid"] for ref in (found or {}).get("metadata", {}).get("ownerReferences") or []}
    return found if found is not None and owners == uids else None


async def test_a_role_has_one_service_account_owned_by_its_users_and_gone_with_the_last(operator: Cluster) -> None:
    """#16: the name is a function of the whole role ARN, every user owns it through one field manager (no
    per-owner managers or annotations that outlive their owners), and the garbage collector takes it with its
    last user."""
    web = await operator.create(with_role("web", ROLE))
    api = await operator.create(with_role("api", ROLE))
    await operator.create(with_role("other", SAME_NAME_OTHER_ACCOUNT))
    account, other = service_account_name(ROLE), service_account_name(SAME_NAME_OTHER_ACCOUNT)
    assert account != other
    uids = {web["metadata"]["uid"], api["metadata"]["uid"]}
    shared = await eventually(lambda: _owners(operator, account, uids), what="the account owned by web and api")
    assert not any(ref.get("controller") for ref in shared["metadata"]["ownerReferences"])
    assert shared["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == ROLE
    assert [key for key in shared["metadata"]["annotations"] if key.startswith(ANNOTATION_APPLIED_DIGEST)] == [
        ANNOTATION_APPLIED_DIGEST
    ]
    assert {r.params.get("fieldManager") for r in operator.requests("ServiceAccount", account, "PATCH")} <= {
        "ecs-operator",
        None,  # the garbage collector's
    }
    assert (await operator.get("ServiceAccount", other)) is not None
    await operator.delete("TaskDefinition", "api")
    await operator.garbage_collector()  # removes api's reference
    await eventually(lambda: _owners(operator, account, {web["metadata"]["uid"]}), what="web the only owner")
    await operator.delete("TaskDefinition", "web")
    await operator.garbage_collector()
    assert await operator.get("ServiceAccount", account) is None
    assert await operator.get("ServiceAccount", other) is not None


async def test_a_task_definition_created_again_starts_at_revision_one_once_the_old_one_is_collected(
    operator: Cluster,
) -> None:
    """#17: garbage collection is asynchronous. A TaskDefinition deleted and created again (kubectl replace
    --force, Argo CD's Replace=true) waits, saying so, until the earlier one's revisions are gone, then
    registers its own from 1: it never takes over, nor fails on, what the deleted one left."""
    await operator.create(manifests.task_definition())
    await eventually(lambda: _status_with_revision(operator, 1), what="revision 1")
    await operator.delete("TaskDefinition", "web")  # the garbage collector has not run yet
    again = await operator.create(manifests.task_definition(image="nginx:1.28"))

    async def waiting() -> JsonDict | None:
        ready = await operator.condition("TaskDefinition", "web")
        return ready if ready.get("reason") == "PreviousOwnerBeingDeleted" else None

    ready = await eventually(waiting, what="PreviousOwnerBeingDeleted")
    assert ready["status"] == "False" and "created again" in ready["message"]
    assert (await operator.condition("TaskDefinition", "web", "Progressing"))["status"] == "True"
    await operator.garbage_collector()
    status = await eventually(lambda: _status_with_revision(operator, 1, again["metadata"]["uid"]), what="new rev 1")
    assert [r["revision"] for r in status["revisions"]] == [1]
    stored = await operator.get("ControllerRevision", "web-1")
    assert stored is not None
    assert stored["metadata"]["ownerReferences"][0]["uid"] == again["metadata"]["uid"]
    assert stored["data"]["containerDefinitions"][0]["image"] == "nginx:1.28"
    assert (await operator.condition("TaskDefinition", "web"))["reason"] == "Registered"
