"""Records of the objects references point at, made from their bodies as the API server sends them.

A record keeps what resolving needs and nothing else, so the operator's caches grow with the operator's own
objects only, and a spec is parsed once per change of its object rather than once per reconcile that reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pydantic

from ecs_operator.models.cluster import ECSClusterSpec
from ecs_operator.models.securitygroup import SecurityGroupSpec
from ecs_operator.translate.context import GROUP

JsonDict = dict[str, Any]
LABEL_FAMILY = f"{GROUP}/family"
ANNOTATION_DIGEST = f"{GROUP}/digest"
ANNOTATION_REGISTERED_AT = f"{GROUP}/registered-at"


@dataclass(frozen=True)
class ClusterRecord:
    """An ECSCluster: its ECS name, and its spec (or why the spec is invalid)."""

    name: str  # the resource's name
    cluster_name: str  # spec.clusterName, else the resource's name
    spec: ECSClusterSpec | None
    error: str = ""


@dataclass(frozen=True)
class TaskDefinitionRecord:
    """A TaskDefinition resource: the family it registers and which of its revisions are deregistered."""

    name: str
    uid: str
    family: str
    created: str  # metadata.creationTimestamp: of two resources naming a family, the first owns it
    deregistered: frozenset[int] = frozenset()


@dataclass(frozen=True)
class RevisionRecord:
    """A registered revision (a ControllerRevision ``<family>-<N>``) and the uid of the TaskDefinition that owns it."""

    name: str
    family: str
    revision: int
    owner_uid: str
    digest: str
    registered_at: str
    data: JsonDict = field(hash=False)


@dataclass(frozen=True)
class SecurityGroupRecord:
    """A SecurityGroup resource; ``spec`` is None when it is invalid (it says so in its own status)."""

    name: str
    spec: SecurityGroupSpec | None


def _meta(body: Mapping[str, Any]) -> Mapping[str, Any]:
    meta: Mapping[str, Any] = body.get("metadata") or {}
    return meta


def cluster_record(body: Mapping[str, Any]) -> ClusterRecord:
    name = str(_meta(body)["name"])
    raw = body.get("spec") or {}
    try:
        spec = ECSClusterSpec.model_validate(raw)
    except pydantic.ValidationError as error:
        return ClusterRecord(name, str(raw.get("clusterName") or name), None, str(error))
    return ClusterRecord(name, spec.clusterName or name, spec)


def family_of(body: Mapping[str, Any]) -> str:
    """A TaskDefinition resource's family: its spec.family, or its name when that is not set."""
    return str((body.get("spec") or {}).get("family") or _meta(body)["name"])


def task_definition_record(body: Mapping[str, Any]) -> TaskDefinitionRecord:
    meta = _meta(body)
    deregistered = (body.get("spec") or {}).get("deregisteredRevisions") or []
    return TaskDefinitionRecord(
        name=str(meta["name"]),
        uid=str(meta.get("uid") or ""),
        family=family_of(body),
        created=str(meta.get("creationTimestamp") or ""),
        deregistered=frozenset(int(n) for n in deregistered if isinstance(n, int)),
    )


def controller_uid(body: Mapping[str, Any]) -> str:
    """The uid of the object's controller (its controlling ownerReference); "" without one."""
    for ref in _meta(body).get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("uid") or "")
    return ""


def revision_record(body: Mapping[str, Any]) -> RevisionRecord | None:
    """The record of a task definition revision; None for a ControllerRevision that is not one."""
    meta = _meta(body)
    data = body.get("data") or {}
    family = data.get("family") if isinstance(data, Mapping) else None
    if not family or LABEL_FAMILY not in (meta.get("labels") or {}) or "revision" not in body:
        return None
    annotations = meta.get("annotations") or {}
    return RevisionRecord(
        name=str(meta["name"]),
        family=str(family),
        revision=int(body["revision"]),
        owner_uid=controller_uid(body),
        digest=str(annotations.get(ANNOTATION_DIGEST, "")),
        registered_at=str(annotations.get(ANNOTATION_REGISTERED_AT, "")),
        data=dict(data),
    )


def security_group_record(body: Mapping[str, Any]) -> SecurityGroupRecord:
    try:
        spec: SecurityGroupSpec | None = SecurityGroupSpec.model_validate(body.get("spec") or {})
    except pydantic.ValidationError:
        spec = None
    return SecurityGroupRecord(str(_meta(body)["name"]), spec)
