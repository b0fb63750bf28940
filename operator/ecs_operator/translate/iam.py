"""IAM task roles as ServiceAccounts.

One ServiceAccount per role, ``ecs-task-<role name>-<8 hex digits>`` (the role name made a valid name by
``k8s_subdomain_name``; the digits are a digest of the whole role ARN, so roles of one name in two accounts or
under two paths never share an account), annotated ``eks.amazonaws.com/role-arn`` (IAM Roles for Service
Accounts: the pod identity webhook gives the pod web identity credentials for the role). The operator only ever
binds pods to ServiceAccounts it made; a task without a role runs as the namespace's default ServiceAccount with
no API token mounted.

An ECS task never has Kubernetes API credentials, so neither the ServiceAccount nor the pod mounts a
service account token (IRSA projects its own token and does not need it).
"""

from __future__ import annotations

import hashlib
import re

from ecs_operator.translate.context import (
    LABEL_TASK_ROLE,
    MANAGED_BY,
    JsonDict,
    Meta,
    TaskDefinitionRevision,
    TranslationError,
    k8s_subdomain_name,
    label_value,
    owner_reference,
)

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
SERVICE_ACCOUNT_PREFIX = "ecs-task-"
ROLE_DIGEST_LENGTH = 8
_ROLE_ARN = re.compile(r"^arn:[^:]+:iam::\d{12}:role/(?:[^/]+/)*([^/]+)$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_NOT_IN_ROLE_NAMES = re.compile(r"[^\w+=,.@-]+")
# A role ARN whose account a template has not filled in yet (XXXXXXXXXXXX, ACCOUNT_ID, ${AWS::AccountId}, ...).
_UNFINISHED_ROLE_ARN = re.compile(r"^arn:[^:]*:iam::[^:]*:role/(?P<role>.+)$")
_TEMPLATE_MARKS = re.compile(r"[${}<>#]")


def role_name(role: str, field: str = "taskRoleArn") -> str:
    """The role name of a role ARN (paths dropped) or of a bare role name; for a template's placeholder ARN
    (``arn:aws:iam::XXXXXXXXXXXX:role/app``, ``${TASK_ROLE_ARN}``) the name it holds (see ``is_role_arn``)."""
    match = _ROLE_ARN.match(role)
    if match:
        return match.group(1)
    if _ROLE_NAME.match(role):
        return role
    sanitised = placeholder_role_name(role)
    if sanitised:
        return sanitised
    raise TranslationError(field, f"not an IAM role ARN or role name: {role!r}")


def placeholder_role_name(role: str) -> str:
    """The role name in an ARN a template leaves unfinished: the part after ``role/`` (its path dropped), or
    the placeholder's own name, without what role names cannot hold; "" if nothing is left. The role here
    names only a ServiceAccount and an annotation, so a placeholder need not stop the rest of the task."""
    unfinished = _UNFINISHED_ROLE_ARN.match(role)
    if unfinished:
        return _NOT_IN_ROLE_NAMES.sub("", unfinished["role"].rstrip("/").rpartition("/")[2])[:64]
    if _TEMPLATE_MARKS.search(role):
        return _NOT_IN_ROLE_NAMES.sub("", role.rstrip("/").rpartition("/")[2])[:64]
    return ""


def is_role_arn(role: str) -> bool:
    return bool(_ROLE_ARN.match(role))


def is_role_name(role: str) -> bool:
    """A bare role name (IRSA needs the full ARN, but it is a role)."""
    return bool(_ROLE_NAME.match(role))


def service_account_name(role: str) -> str:
    """``ecs-task-<role name>-<digest>`` for a role ARN or name: a stable function of the whole role (partition,
    account, path and name), and a DNS subdomain (``k8s_subdomain_name``), as ServiceAccount names are, so
    ``app.reader`` stays readable. An IRSA trust policy can match ``system:serviceaccount:<ns>:ecs-task-<name>-*``."""
    digest = hashlib.sha256(role.encode()).hexdigest()[:ROLE_DIGEST_LENGTH]
    limit = 253 - len(SERVICE_ACCOUNT_PREFIX) - ROLE_DIGEST_LENGTH - 1
    return f"{SERVICE_ACCOUNT_PREFIX}{k8s_subdomain_name(role_name(role), max_length=limit)}-{digest}"


def service_account_for_role(role: str, meta: Meta) -> JsonDict:
    """The ServiceAccount of a role, for the task definition (or RunTask override) in ``meta``.

    Several task definitions (and tasks) may share a role and so a ServiceAccount: the owner reference is not a
    controller reference. The operator gives the account one reference per current user of the role
    (``handlers/children.py``, ``shared_accounts``), so it lives as long as one of them does.
    """
    metadata: JsonDict = {
        "name": service_account_name(role),
        "namespace": meta.namespace,
        "labels": {**MANAGED_BY, LABEL_TASK_ROLE: label_value(role_name(role))},
        "annotations": {ROLE_ARN_ANNOTATION: role},
    }
    owners = [{**owner, "controller": False} for owner in owner_reference(meta)]
    if owners:
        metadata["ownerReferences"] = owners
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata, "automountServiceAccountToken": False}


def service_account(td: TaskDefinitionRevision, meta: Meta) -> JsonDict | None:
    """The ServiceAccount of the task definition's task role; None without a role."""
    if not td.spec.taskRoleArn:
        return None
    return service_account_for_role(td.spec.taskRoleArn, meta)


def pod_identity(task_role: str | None) -> JsonDict:
    """The pod spec fields for a task role (or none)."""
    if task_role is None:
        return {"automountServiceAccountToken": False}
    return {"serviceAccountName": service_account_name(task_role), "automountServiceAccountToken": False}
