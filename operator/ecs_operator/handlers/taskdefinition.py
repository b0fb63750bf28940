"""TaskDefinition: every change of the ECS fields registers revision N+1, kept as an immutable ControllerRevision.

A revision is a ControllerRevision ``<family>-<N>`` owned by the TaskDefinition: ``revision: N``, ``data``
the registered ECS fields (everything but ``deregisteredRevisions``), the family label and a digest
annotation. A spec whose digest equals the latest revision's registers nothing. ``deregisteredRevisions``
marks revisions INACTIVE: new services and tasks cannot use them, those already running them keep running.
``resolve_task_definition`` is how services and tasks find the revision they run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import kopf

from ecs_operator.handlers.children import sync_children
from ecs_operator.handlers.common import (
    InvalidSpec,
    JsonDict,
    NotReady,
    Outcome,
    Runtime,
    meta_of,
    now,
    parse_spec,
    register_handlers,
)
from ecs_operator.k8s import Api
from ecs_operator.models.references import TaskDefinitionRef, parse_task_definition
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import (
    GROUP,
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
LABEL_FAMILY = f"{GROUP}/family"
ANNOTATION_DIGEST = f"{GROUP}/digest"
ANNOTATION_REGISTERED_AT = f"{GROUP}/registered-at"


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


def family_of(body: JsonDict) -> str:
    """A TaskDefinition resource's family: its spec.family, or its name when that is not set."""
    return str((body.get("spec") or {}).get("family") or body["metadata"]["name"])


def first_created(bodies: list[JsonDict]) -> JsonDict:
    """The resource that was there first (creation time, then name): the one a family belongs to."""
    return min(bodies, key=lambda body: (body["metadata"].get("creationTimestamp") or "", body["metadata"]["name"]))


async def check_family_owner(api: Api, body: JsonDict, family: str) -> None:
    """A family belongs to one TaskDefinition resource per namespace; a later one naming it is refused."""
    meta = body["metadata"]
    same = [other for other in await api.list(KIND, meta.get("namespace")) if family_of(other) == family]
    first = first_created([body, *[other for other in same if other["metadata"]["name"] != meta["name"]]])
    if first["metadata"]["name"] != meta["name"]:
        raise InvalidSpec(
            f"spec.family: family {family!r} already belongs to TaskDefinition {first['metadata']['name']!r} in "
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


def parse_reference(reference: str) -> TaskDefinitionRef:
    """``family``, ``family:N`` or a task definition ARN; a malformed one is an invalid spec."""
    try:
        return parse_task_definition(reference)
    except ValueError as error:
        raise TranslationError("spec.taskDefinition", str(error)) from error


async def find_task_definition(api: Api, namespace: str, family: str) -> JsonDict | None:
    """The TaskDefinition resource of a family (the first created, when a later one names it too)."""
    found = [body for body in await api.list(KIND, namespace) if family_of(body) == family]
    return first_created(found) if found else None


async def resolve_task_definition(
    api: Api, namespace: str, reference: str, in_use: str | None = None
) -> TaskDefinitionRevision:
    """The revision a service or task asks for: ``family`` is the latest ACTIVE one, ``family:N`` that one.

    An INACTIVE (deregistered) revision is refused for new uses, as in ECS, but keeps serving ``in_use``:
    the ``family:N`` the caller already runs.
    """
    ref = parse_reference(reference)
    family, number = ref.family, ref.revision
    resource = await find_task_definition(api, namespace, family)
    if resource is None:
        raise NotReady(
            "TaskDefinitionNotFound", f"task definition family {family!r} is not registered in namespace {namespace}"
        )
    deregistered = set((resource.get("spec") or {}).get("deregisteredRevisions") or [])
    revisions = await stored_revisions(api, namespace, family)
    if number is None:
        active = [stored for stored in revisions if stored.revision not in deregistered]
        if not active:
            raise NotReady("TaskDefinitionNotFound", f"task definition family {family!r} has no ACTIVE revision")
        chosen = active[-1]
    else:
        match = [stored for stored in revisions if stored.revision == number]
        if not match:
            raise NotReady("TaskDefinitionNotFound", f"task definition {family}:{number} is not registered")
        chosen = match[0]
        if number in deregistered and in_use != f"{family}:{number}":
            raise NotReady(
                "TaskDefinitionInactive",
                f"task definition {family}:{number} is INACTIVE (deregistered); use an ACTIVE revision",
            )
    status = "INACTIVE" if chosen.revision in deregistered else "ACTIVE"
    spec = TaskDefinitionSpec.model_validate(chosen.data)
    return TaskDefinitionRevision(family, chosen.revision, spec, status, namespace=namespace)


def register(registry: kopf.OperatorRegistry, runtime: Runtime) -> None:
    register_handlers(registry, "taskdefinitions", reconcile_task_definition, None)
