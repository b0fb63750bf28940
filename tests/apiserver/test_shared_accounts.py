"""#16 on the real API server: one ServiceAccount per whole role ARN (two roles of one name in two accounts get
two accounts), owned by every current user through one field manager, without per-owner annotations or
managers, and collected by the garbage collector with its last user."""

from __future__ import annotations

from typing import Any

from ecs_operator.localcluster.operator import OperatorProcess
from ecs_operator.translate.iam import service_account_name
from tests.apiserver.kube import Kube, eventually

JsonDict = dict[str, Any]
GROUP = "ecs.compat.dev/v1alpha1"
ROLE = "arn:aws:iam::123456789012:role/app"
SAME_NAME_OTHER_ACCOUNT = "arn:aws:iam::210987654321:role/app"


def task_definition(name: str, role: str) -> JsonDict:
    container = {"name": "main", "image": "nginx:1.27-alpine", "essential": True, "memory": 128}
    spec = {"family": name, "taskRoleArn": role, "containerDefinitions": [container]}
    return {"apiVersion": GROUP, "kind": "TaskDefinition", "metadata": {"name": name}, "spec": spec}


def owners(kube: Kube, namespace: str, account: str) -> set[str]:
    found = kube.get("ServiceAccount", account, namespace) or {}
    return {ref["uid"] for ref in (found.get("metadata") or {}).get("ownerReferences") or []}


def test_a_role_has_one_account_per_arn_owned_by_its_users_and_collected_with_the_last(
    kube: Kube, operator: OperatorProcess, namespace: str
) -> None:
    web = kube.apply(task_definition("web", ROLE), namespace)
    api = kube.apply(task_definition("api", ROLE), namespace)
    kube.apply(task_definition("other", SAME_NAME_OTHER_ACCOUNT), namespace)
    account, other = service_account_name(ROLE), service_account_name(SAME_NAME_OTHER_ACCOUNT)
    assert account != other
    both = {web["metadata"]["uid"], api["metadata"]["uid"]}
    eventually(lambda: owners(kube, namespace, account) == both, what="web and api own it", detail=operator.log_tail)
    shared = kube.get("ServiceAccount", account, namespace)
    assert shared is not None
    meta = shared["metadata"]
    assert meta["annotations"]["eks.amazonaws.com/role-arn"] == ROLE
    assert [key for key in meta["annotations"] if key.startswith("ecs.compat.dev/applied-digest")] == [
        "ecs.compat.dev/applied-digest"
    ]
    assert {entry["manager"] for entry in meta["managedFields"]} == {"ecs-operator"}  # one manager, bounded
    other_account = kube.get("ServiceAccount", other, namespace)
    assert other_account is not None
    assert other_account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == SAME_NAME_OTHER_ACCOUNT

    kube.delete("TaskDefinition", "api", namespace)
    eventually(
        lambda: owners(kube, namespace, account) == {web["metadata"]["uid"]},
        what="api's reference gone",
        detail=operator.log_tail,
    )
    kube.delete("TaskDefinition", "web", namespace)
    eventually(
        lambda: kube.get("ServiceAccount", account, namespace) is None,
        what="the account collected with its last user",
        detail=operator.log_tail,
    )
    assert kube.get("ServiceAccount", other, namespace) is not None
