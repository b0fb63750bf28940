"""TaskDefinition: every change of the ECS fields registers revision N+1, kept as an immutable ControllerRevision.

A revision is a ControllerRevision ``<family>-<N>`` owned by the TaskDefinition: ``revision: N``, ``data``
the registered ECS fields (everything but ``deregisteredRevisions``), the family label and a digest
annotation. A spec whose digest equals the latest revision's registers nothing. ``deregisteredRevisions``
marks revisions INACTIVE: new services and tasks cannot use them, those already running them keep running.
Services and tasks find the revision they run through ``ecs_operator.resolve``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ecs_operator.handlers.children import sync_children
from ecs_operator.handlers.common import (
    InvalidSpec,
    JsonDict,
    Runtime,
    meta_of,
    parse_spec,
)
from ecs_operator.k8s import Api
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.resolve.errors import NotReady
from ecs_operator.resolve.records import (
    ANNOTATION_DIGEST,
    ANNOTATION_REGISTERED_AT,
    LABEL_FAMILY,
    task_definition_record,
)
from ecs_operator.resolve.references import family_owner
from ecs_operator.status.conditions import Outcome, now
from ecs_operator.translate.context import (
    MANAGED_BY,
    Meta,
    TaskDefinitionRevision,
    TranslationError,
    k8s_name,
    label_value,
    object_meta,
)
from ecs_operator.translate.taskdefinition import render_task_definition

KIND = "TaskDefinition"


@dataclass(frozen=True)
class StoredRevision:
    """A registered revision as read back from its ControllerRevision."""

    family: str
    revision: int
    data: JsonDict
    digest: str
    registered_at: str


def registered_fields(spec: TaskDefinitionSpec, family: str) -> JsonDict:
    """What RegisterTaskDefinition would receive: the ECS fields, family filled in, deregistration left out."""
    fields = spec.to_ecs()
    fields.pop("deregisteredRevisions", None)
    fields["family"] = family
    return fields


def digest_of(fields: JsonDict) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def revision_name(family: str, revision: int) -> str:
    return f"{k8s_name(family, 63 - len(str(revision)) - 1)}-{revision}"


def controller_revision(meta: Meta, family: str, revision: int, fields: JsonDict) -> JsonDict:
    labels = {LABEL_FAMILY: label_value(family)}
    annotations = {ANNOTATION_DIGEST: digest_of(fields), ANNOTATION_REGISTERED_AT: now()}
    return {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": object_meta(revision_name(family, revision), meta, labels, annotations),
        "revision": revision,
        "data": fields,
    }


async def stored_revisions(api: Api, namespace: str, family: str) -> list[StoredRevision]:
    """The family's revisions, oldest first."""
    found = await api.list("ControllerRevision", namespace, {**MANAGED_BY, LABEL_FAMILY: label_value(family)})
    revisions = [
        StoredRevision(
            family=family,
            revision=int(obj["revision"]),
            data=obj.get("data") or {},
            digest=(obj["metadata"].get("annotations") or {}).get(ANNOTATION_DIGEST, ""),
            registered_at=(obj["metadata"].get("annotations") or {}).get(ANNOTATION_REGISTERED_AT, ""),
        )
        for obj in found
        if (obj.get("data") or {}).get("family") == family
    ]
    return sorted(revisions, key=lambda stored: stored.revision)


def task_definition_arn(config_region: str, account_id: str, family: str, revision: int) -> str:
    return f"arn:aws:ecs:{config_region}:{account_id}:task-definition/{family}:{revision}"


def revision_statuses(
    revisions: list[StoredRevision], deregistered: set[int], previous: list[JsonDict]
) -> list[JsonDict]:
    before = {entry.get("revision"): entry for entry in previous}
    statuses = []
    for stored in revisions:
        entry: JsonDict = {"revision": stored.revision, "status": "ACTIVE", "digest": stored.digest}
        if stored.registered_at:
            entry["registeredAt"] = stored.registered_at
        if stored.revision in deregistered:
            entry["status"] = "INACTIVE"
            entry["deregisteredAt"] = before.get(stored.revision, {}).get("deregisteredAt") or now()
        statuses.append(entry)
    return statuses


async def check_family_owner(api: Api, body: JsonDict, family: str) -> None:
    """A family belongs to one TaskDefinition resource per namespace; a later one naming it is refused."""
    mine = task_definition_record(body)
    others = [task_definition_record(other) for other in await api.list(KIND, body["metadata"].get("namespace"))]
    first = family_owner([mine, *[o for o in others if o.family == family and o.name != mine.name]])
    if first is not None and first.name != mine.name:
        raise InvalidSpec(
            f"spec.family: family {family!r} already belongs to TaskDefinition {first.name!r} in "
            "this namespace; register new revisions by changing that resource, or use another family"
        )


async def revision_owner(api: Api, meta: Meta, family: str, revision: int) -> str | None:
    """The name of the other TaskDefinition that owns an existing revision, if another one does."""
    existing = await api.get("ControllerRevision", meta.namespace, revision_name(family, revision))
    for ref in (existing or {}).get("metadata", {}).get("ownerReferences") or []:
        if ref.get("kind") == KIND and ref.get("uid") != meta.uid:
            return str(ref.get("name"))
    return None


async def reconcile_task_definition(api: Api, body: JsonDict, runtime: Runtime) -> Outcome:
    meta = meta_of(body)
    spec = parse_spec(TaskDefinitionSpec, body)
    family = spec.family or meta.name
    await check_family_owner(api, body, family)
    fields = registered_fields(spec, family)
    revisions = await stored_revisions(api, meta.namespace, family)
    latest = revisions[-1] if revisions else None
    number = (
        latest.revision if latest and latest.digest == digest_of(fields) else (latest.revision + 1 if latest else 1)
    )
    # Translating first means a task definition that cannot run is refused, as RegisterTaskDefinition would.
    registered = TaskDefinitionSpec.model_validate(fields)
    rendered = render_task_definition(
        TaskDefinitionRevision(family, number, registered, namespace=meta.namespace), meta
    )
    if latest is None or number != latest.revision:
        created = await api.create(controller_revision(meta, family, number, fields))
        if created is None:  # registered by an earlier run that did not get to write the status, or not ours
            owner = await revision_owner(api, meta, family, number)
            if owner is not None:
                raise InvalidSpec(f"spec.family: revision {number} of {family!r} belongs to TaskDefinition {owner!r}")
            raise NotReady("RevisionConflict", f"revision {number} of {family} already exists; reading it again")
        revisions = await stored_revisions(api, meta.namespace, family)
    await sync_children(api, meta, with_older_revisions(revisions, number, meta, rendered.objects))
    deregistered = set(spec.deregisteredRevisions or [])
    previous = (body.get("status") or {}).get("revisions") or []
    config = runtime.config
    status = {
        "family": family,
        "revision": number,
        "taskDefinition": f"{family}:{number}",
        "taskDefinitionArn": task_definition_arn(config.region, config.account_id, family, number),
        "status": "INACTIVE" if number in deregistered else "ACTIVE",
        "revisions": revision_statuses(revisions, deregistered, previous),
    }
    return Outcome(
        status,
        reason="Registered",
        message=f"{family}:{number} is registered",
        warnings=[str(w) for w in rendered.warnings],
    )


def with_older_revisions(
    revisions: list[StoredRevision], latest: int, meta: Meta, objects: list[JsonDict]
) -> list[JsonDict]:
    """The latest revision's children and those of older ones, which running tasks may still use.

    The latest revision is rendered strictly (it was just validated); older ones are best effort, since a
    revision registered by an older operator may no longer translate.
    """
    wanted: dict[tuple[str, str], JsonDict] = {}
    for stored in revisions:
        if stored.revision == latest:
            continue
        try:
            revision = TaskDefinitionRevision(
                stored.family, stored.revision, TaskDefinitionSpec.model_validate(stored.data), namespace=meta.namespace
            )
            older = render_task_definition(revision, meta).objects
        except (ValueError, TranslationError):  # pydantic's ValidationError is a ValueError
            continue
        wanted.update({(obj["kind"], obj["metadata"]["name"]): obj for obj in older})
    wanted.update({(obj["kind"], obj["metadata"]["name"]): obj for obj in objects})
    return list(wanted.values())
