"""Task roles as ServiceAccounts."""

from __future__ import annotations

import re

import pytest

from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import Meta, TaskDefinitionRevision, TranslationError
from ecs_operator.translate.iam import (
    ROLE_ARN_ANNOTATION,
    pod_identity,
    role_name,
    service_account,
    service_account_for_role,
    service_account_name,
)
from tests.k8s_schema import validate_object

META = Meta("TaskDefinition", "web", "apps", "uid-1")
ARN = "arn:aws:iam::123456789012:role/service/WebTaskRole"


def revision(**fields: object) -> TaskDefinitionRevision:
    spec = TaskDefinitionSpec.model_validate(
        {"family": "web", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}], **fields}
    )
    return TaskDefinitionRevision("web", 1, spec, namespace="default")


@pytest.mark.parametrize(
    ("role", "name"),
    [
        (ARN, "WebTaskRole"),
        ("arn:aws:iam::123456789012:role/app", "app"),
        ("arn:aws-cn:iam::123456789012:role/a/b/c/deep", "deep"),
        ("plain-role_name", "plain-role_name"),
    ],
)
def test_role_name(role: str, name: str) -> None:
    assert role_name(role) == name


@pytest.mark.parametrize(
    ("role", "name"),
    [
        ("arn:aws:iam::XXXXXXXXXXXX:role/ecsTaskRole", "ecsTaskRole"),
        ("arn:aws:iam::ACCOUNT_ID:role/app/unshelvd-task", "unshelvd-task"),
        ("arn:aws:iam::${AWS::AccountId}:role/${Stage}-task", "Stage-task"),
        ("arn:aws:iam::{{must_env `AWS_ACCOUNT_ID`}}:role/ecsTaskRole", "ecsTaskRole"),
        ("${TASK_ROLE_ARN}", "TASK_ROLE_ARN"),
        ("$$$TASK_ROLE$$$", "TASK_ROLE"),
    ],
)
def test_placeholder_role_arns_name_their_role(role: str, name: str) -> None:
    """The role only names a ServiceAccount and an annotation here: a template's placeholder does not stop the
    task definition (the translation warns that IRSA cannot assume it)."""
    assert role_name(role) == name
    assert validate_object(service_account_for_role(role, META)) is None


@pytest.mark.parametrize("role", ["arn:aws:iam::123456789012:user/bob", "arn:aws:s3:::bucket", "has space"])
def test_role_name_refuses_what_is_not_a_role(role: str) -> None:
    with pytest.raises(TranslationError) as error:
        role_name(role)
    assert error.value.field == "taskRoleArn"


_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@pytest.mark.parametrize(
    ("role", "name", "exact"),
    [
        ("arn:aws:iam::123456789012:role/app", "ecs-task-app", True),
        # ServiceAccount names are DNS subdomains: dots stay, and so does the longest role name.
        ("arn:aws:iam::123456789012:role/app.reader", "ecs-task-app.reader", True),
        ("x" * 64, "ecs-task-" + "x" * 64, True),
        (ARN, "ecs-task-webtaskrole-", False),  # upper case: lowered, with a hash of the original
        ("ci@corp+deploy", "ecs-task-ci-corp-deploy-", False),
        ("a.-b", "ecs-task-a.b-", False),  # a subdomain's labels start and end alphanumeric
    ],
)
def test_service_account_name(role: str, name: str, exact: bool) -> None:
    result = service_account_name(role)
    assert result == name if exact else (result.startswith(name) and len(result) == len(name) + 6)
    assert _DNS_SUBDOMAIN.match(result) and len(result) <= 253


def test_service_account_names_differ_for_roles_differing_in_case() -> None:
    assert service_account_name("arn:aws:iam::123456789012:role/App") != service_account_name("app")


def test_service_account() -> None:
    account = service_account(revision(taskRoleArn=ARN), META)
    assert account is not None
    validate_object(account)
    assert account["metadata"]["name"] == service_account_name(ARN)
    assert account["metadata"]["namespace"] == "apps"
    assert account["metadata"]["annotations"] == {ROLE_ARN_ANNOTATION: ARN}
    assert account["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "ecs-operator",
        "ecs.compat.dev/task-role": "WebTaskRole",
    }
    assert account["automountServiceAccountToken"] is False
    # Shared by every task definition with the role: owned by each, controlled by none.
    [owner] = account["metadata"]["ownerReferences"]
    assert owner["uid"] == "uid-1"
    assert owner["controller"] is False


def test_service_account_offline_has_no_owner() -> None:
    account = service_account_for_role(ARN, Meta("TaskDefinition", "web"))
    validate_object(account)
    assert "ownerReferences" not in account["metadata"]


def test_no_role_no_service_account() -> None:
    assert service_account(revision(), META) is None


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, {"automountServiceAccountToken": False}),
        (ARN, {"serviceAccountName": service_account_name(ARN), "automountServiceAccountToken": False}),
    ],
)
def test_pod_identity(role: str | None, expected: dict[str, object]) -> None:
    assert pod_identity(role) == expected
