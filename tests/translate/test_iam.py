"""Task roles as ServiceAccounts."""

from __future__ import annotations

import hashlib
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
    ("role", "name", "cleaned"),
    [
        ("arn:aws:iam::123456789012:role/app", "ecs-task-app", False),
        # ServiceAccount names are DNS subdomains: dots stay, and so does the longest role name.
        ("arn:aws:iam::123456789012:role/app.reader", "ecs-task-app.reader", False),
        ("x" * 64, "ecs-task-" + "x" * 64, False),
        (ARN, "ecs-task-webtaskrole", True),  # upper case: lowered, with a hash of the original
        ("ci@corp+deploy", "ecs-task-ci-corp-deploy", True),
        ("a.-b", "ecs-task-a.b", True),  # a subdomain's labels start and end alphanumeric
    ],
)
def test_service_account_name(role: str, name: str, cleaned: bool) -> None:
    """``ecs-task-<name>-<8 hex digits of the whole role>`` (and 6 more after a name that had to be cleaned)."""
    result = service_account_name(role)
    digest = hashlib.sha256(role.encode()).hexdigest()[:8]
    assert result.startswith(name + "-") and result.endswith("-" + digest)
    assert len(result) == len(name) + 1 + (7 if cleaned else 0) + 8
    assert _DNS_SUBDOMAIN.match(result) and len(result) <= 253


@pytest.mark.parametrize(
    "other",
    [
        "arn:aws:iam::222222222222:role/app",  # another account
        "arn:aws:iam::123456789012:role/team-b/app",  # another path
        "arn:aws-cn:iam::123456789012:role/app",  # another partition
        "app",  # a bare name
    ],
)
def test_roles_of_one_name_never_share_a_service_account(other: str) -> None:
    assert service_account_name("arn:aws:iam::123456789012:role/app") != service_account_name(other)


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
