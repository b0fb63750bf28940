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

from ecs_operator.handlers.children import Children, shared_accounts
from ecs_operator.handlers.common import InvalidSpec, JsonDict, Runtime, meta_of, parse_spec
from ecs_operator.handlers.indices import Indices
from ecs_operator.k8s import Api
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.resolve.errors import NotReady
from ecs_operator.resolve.records import (
    ANNOTATION_DIGEST,
    ANNOTATION_REGISTERED_AT,
    LABEL_FAMILY,
    RevisionRecord,
    TaskDefinitionRecord,
    revision_record,
    task_definition_record,
)
from ecs_operator.resolve.references import family_owner, owned_revisions
from ecs_operator.status.conditions import Outcome, now
from ecs_operator.translate.context import (
    Meta,
    TaskDefinitionRevision,
    TranslationError,
    k8s_name,
    label_value,
    object_meta,
)
from ecs_operator.translate.taskdefinition import render_task_definition

KIND = "TaskDefinition"


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


def task_definition_arn(config_region: str, account_id: str, family: str, revision: int) -> str:
    return f"arn:aws:ecs:{config_region}:{account_id}:task-definition/{family}:{revision}"


def revision_statuses(
    revisions: list[RevisionRecord], deregistered: set[int], previous: list[JsonDict]
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


def check_family_owner(body: JsonDict, family: str, model: Indices) -> TaskDefinitionRecord:
    """A family belongs to one TaskDefinition resource per namespace; a later one naming it is refused."""
    mine = task_definition_record(body)
    others = [other for other in model.task_definitions(mine_namespace(body), family) if other.name != mine.name]
    first = family_owner([mine, *others])
    if first is not None and first.name != mine.name:
        raise InvalidSpec(
            f"spec.family: family {family!r} already belongs to TaskDefinition {first.name!r} in "
            "this namespace; register new revisions by changing that resource, or use another family"
        )
    return mine


def mine_namespace(body: JsonDict) -> str:
    return str(body["metadata"].get("namespace") or "default")


async def register_revision(api: Api, meta: Meta, family: str, number: int, fields: JsonDict) -> RevisionRecord:
    """Create revision ``number`` (idempotent: one an earlier reconcile created is this one)."""
    created = await api.create(controller_revision(meta, family, number, fields))
    if created is None:
        created = await api.get("ControllerRevision", meta.namespace, revision_name(family, number))
        if created is None:  # deleted in between: the next attempt creates it
            raise NotReady("RevisionConflict", f"revision {number} of {family} was being deleted; registering again")
        refs = created["metadata"].get("ownerReferences") or []
        owner: JsonDict = next((ref for ref in refs if ref.get("controller")), {})
        if owner.get("uid") != meta.uid:
            if owner.get("kind") == KIND and owner.get("name") == meta.name:
                raise NotReady(
                    "PreviousOwnerBeingDeleted",
                    f"TaskDefinition {meta.name} was deleted and created again: its family starts again at revision "
                    f"1, once the garbage collector has removed the earlier one's revision "
                    f"{created['metadata']['name']}",
                )
            raise InvalidSpec(
                f"spec.family: revision {number} of {family!r} belongs to TaskDefinition {owner.get('name')!r}"
            )
    record = revision_record(created)
    if record is None:
        raise NotReady("RevisionConflict", f"revision {number} of {family} is not readable; reading it again")
    return record


async def reconcile_task_definition(api: Api, body: JsonDict, runtime: Runtime) -> Outcome:
    meta = meta_of(body)
    spec = parse_spec(TaskDefinitionSpec, body)
    family = spec.family or meta.name
    model = runtime.model
    mine = check_family_owner(body, family, model)
    fields = registered_fields(spec, family)
    revisions = owned_revisions(mine, model.revisions(meta.namespace, family))
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
        revisions.append(await register_revision(api, meta, family, number, fields))
    children = Children(api, model, runtime.children, meta)
    objects = shared_accounts(with_older_revisions(revisions, number, meta, rendered.objects), model, meta)
    await children.sync(objects)
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
    revisions: list[RevisionRecord], latest: int, meta: Meta, objects: list[JsonDict]
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
