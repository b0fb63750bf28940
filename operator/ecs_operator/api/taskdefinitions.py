"""Task definitions: one TaskDefinition resource per family, its revisions the operator's ControllerRevisions.

RegisterTaskDefinition writes the request as the family's spec (creating the resource in the caller's home
namespace, or changing it where it is) and waits for the operator to register the revision, whose number it
answers with. As the operator keeps it, a registration identical to the latest revision registers nothing
and answers with that revision (ECS would make a new, identical one). DeregisterTaskDefinition adds the
revision to the spec's ``deregisteredRevisions``. DeleteTaskDefinitions deletes a family's resource once every
one of its revisions is INACTIVE, named in the call and used by no service or task (ECS deletes revisions one
by one; here they go with their family). Describe and List read the revisions as the operator stored them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecs_operator.api import resources
from ecs_operator.api.context import (
    ANNOTATION_CREATED_BY,
    ANNOTATION_REGISTERED_AT,
    LABEL_FAMILY,
    Call,
    JsonDict,
    name_or,
    now,
    reconciled,
)
from ecs_operator.api.errors import client_error, invalid_parameter
from ecs_operator.api.paging import page
from ecs_operator.models.references import parse_task_definition
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import (
    MANAGED_BY,
    Meta,
    TaskDefinitionRevision,
    TranslationError,
    k8s_name,
    label_value,
)
from ecs_operator.translate.taskdefinition import render_task_definition

KIND = "TaskDefinition"
NOT_FOUND = "Unable to describe task definition."


@dataclass(frozen=True)
class Revision:
    """One registered revision, as the operator stored it (a ControllerRevision's data)."""

    family: str
    number: int
    data: JsonDict  # RegisterTaskDefinition's request, as registered
    registered_at: str | None

    @property
    def family_revision(self) -> str:
        return f"{self.family}:{self.number}"

    def spec(self) -> TaskDefinitionSpec:
        return TaskDefinitionSpec.model_validate(self.data)


def deregistered(body: JsonDict) -> set[int]:
    return set((body.get("spec") or {}).get("deregisteredRevisions") or [])


def first_created(bodies: list[JsonDict]) -> JsonDict:
    """The resource a family belongs to when several name it (the operator's rule: the first created)."""
    return min(bodies, key=lambda body: (body["metadata"].get("creationTimestamp") or "", body["metadata"]["name"]))


async def find_family(call: Call, family: str, namespace: str | None = None) -> JsonDict | None:
    """The family's resource in ``namespace``, or in the first of the caller's namespaces that has it."""
    for where in [namespace] if namespace else call.namespaces:
        found = [body for body in await call.objects(KIND, where) if name_or(body, "family") == family]
        if found:
            return first_created(found)
    return None


async def stored_revisions(call: Call, body: JsonDict) -> list[Revision]:
    """The family's revisions, oldest first."""
    family, namespace = name_or(body, "family"), body["metadata"]["namespace"]
    found = await call.objects("ControllerRevision", namespace, {**MANAGED_BY, LABEL_FAMILY: label_value(family)})
    revisions = [
        Revision(
            family,
            int(obj["revision"]),
            obj.get("data") or {},
            (obj["metadata"].get("annotations") or {}).get(ANNOTATION_REGISTERED_AT),
        )
        for obj in found
        if (obj.get("data") or {}).get("family") == family
    ]
    return sorted(revisions, key=lambda revision: revision.number)


def parse_reference(call: Call, value: str) -> tuple[str, int | None]:
    """``family``, ``family:N`` or a task definition ARN."""
    path = call.arns.name_in(value, "task-definition", call.operation)
    try:
        ref = parse_task_definition("/".join(path))
    except ValueError as error:
        raise invalid_parameter(f"taskDefinition: {error}") from error
    return ref.family, ref.revision


async def find_revision(
    call: Call, reference: str, namespace: str | None = None, *, active: bool = False
) -> tuple[JsonDict, Revision]:
    """The family's resource and the revision a reference names (``family``: its latest ACTIVE one); with
    ``active``, an INACTIVE revision is refused, as ECS refuses it for new services and tasks."""
    family, number = parse_reference(call, reference)
    body = await find_family(call, family, namespace)
    if body is None:
        raise client_error(
            f"{NOT_FOUND} No family {family} is registered."
            if namespace is None
            else f"TaskDefinition not found: {family}"
        )
    revisions, inactive = await stored_revisions(call, body), deregistered(body)
    if number is None:
        candidates = [revision for revision in revisions if revision.number not in inactive]
        if not candidates:
            raise client_error(f"{NOT_FOUND} Family {family} has no ACTIVE revision.")
        return body, candidates[-1]
    chosen = next((revision for revision in revisions if revision.number == number), None)
    if chosen is None:
        raise client_error(f"{NOT_FOUND} {family}:{number} is not registered.")
    if active and number in inactive:
        raise client_error(f"TaskDefinition is inactive: {family}:{number}; use an ACTIVE revision")
    return body, chosen


def compatibilities(data: JsonDict) -> list[str]:
    fargate = data.get("networkMode") == "awsvpc" and data.get("cpu") and data.get("memory")
    return ["EC2", "EXTERNAL", *(["FARGATE"] if fargate else [])]


def describe(call: Call, body: JsonDict, revision: Revision) -> JsonDict:
    """The ECS ``TaskDefinition`` shape of a revision."""
    inactive = revision.number in deregistered(body)
    entries = {entry.get("revision"): entry for entry in (body.get("status") or {}).get("revisions") or []}
    registered_by = (body["metadata"].get("annotations") or {}).get(ANNOTATION_CREATED_BY)
    result = {key: value for key, value in revision.data.items() if key != "tags"}
    result.update(
        taskDefinitionArn=call.arns.task_definition(revision.family, revision.number),
        revision=revision.number,
        status="INACTIVE" if inactive else "ACTIVE",
        compatibilities=compatibilities(revision.data),
        requiresAttributes=[],
        registeredAt=revision.registered_at or body["metadata"].get("creationTimestamp"),
    )
    if inactive:
        result["deregisteredAt"] = entries.get(revision.number, {}).get("deregisteredAt") or now()
    if registered_by:
        result["registeredBy"] = registered_by
    return result


def check_translates(spec: TaskDefinitionSpec, family: str, namespace: str) -> None:
    """A task definition that cannot run is refused, as RegisterTaskDefinition would refuse it."""
    try:
        render_task_definition(TaskDefinitionRevision(family, None, spec, namespace=namespace), Meta(KIND, family))
    except TranslationError as error:
        raise resources.untranslatable(error) from error


async def register_task_definition(call: Call, params: JsonDict) -> JsonDict:
    family = params["family"]
    model = resources.checked_spec(KIND, params)
    assert isinstance(model, TaskDefinitionSpec)
    existing = await find_family(call, family)
    namespace = existing["metadata"]["namespace"] if existing else call.home
    check_translates(model, family, namespace)
    if existing is None:
        body = await resources.create(call, KIND, namespace, await free_name(call, family), params)
    else:
        kept = {"deregisteredRevisions": existing["spec"]["deregisteredRevisions"]} if deregistered(existing) else {}
        body = await resources.replace_spec(call, existing, {**params, **kept})
    done = await call.poll(lambda: _read(call, body), lambda current: reconciled(current) and _settled(current))
    if done is None or not reconciled(done):
        raise client_error(
            f"the operator has not registered {family} within {call.config.operator_wait_seconds:g}s (is ecs-operator "
            f"running?); TaskDefinition {namespace}/{body['metadata']['name']} is written and registers when it runs"
        )
    condition = resources.ready_condition(done)
    if condition.get("status") != "True":
        await _undo(call, done, existing)
        raise client_error(f"{family}: {condition.get('message') or condition.get('reason')}")
    number = int(done["status"]["revision"])
    call.forget("ControllerRevision", namespace)
    revision = next(r for r in await stored_revisions(call, done) if r.number == number)
    return {"taskDefinition": describe(call, done, revision), "tags": revision.data.get("tags") or []}


def _settled(body: JsonDict) -> bool:
    return bool((body.get("status") or {}).get("revision")) or resources.ready_condition(body).get("status") == "False"


async def _read(call: Call, body: JsonDict) -> JsonDict | None:
    meta = body["metadata"]
    found = await call.kube.get(KIND, meta["namespace"], meta["name"])
    return {"apiVersion": body["apiVersion"], "kind": KIND, **found} if found is not None else None


async def _undo(call: Call, failed: JsonDict, before: JsonDict | None) -> None:
    """The operator refused the registration: the last good spec comes back (or the new resource goes)."""
    meta = failed["metadata"]
    if before is None:
        await call.kube.delete(KIND, meta["namespace"], meta["name"])
    else:
        await resources.replace_spec(call, failed, before.get("spec") or {})
    call.forget(KIND, meta["namespace"])


async def free_name(call: Call, family: str) -> str:
    taken = {body["metadata"]["name"] for body in await call.objects(KIND, call.home)}
    candidate = k8s_name(family)
    return candidate if candidate not in taken else k8s_name(f"{family}-td")


async def describe_task_definition(call: Call, params: JsonDict) -> JsonDict:
    body, revision = await find_revision(call, params["taskDefinition"])
    result: JsonDict = {"taskDefinition": describe(call, body, revision)}
    if "TAGS" in (params.get("include") or []):
        result["tags"] = revision.data.get("tags") or []
    return result


def listed_revisions(body: JsonDict) -> list[tuple[int, str]]:
    """(revision, ACTIVE / INACTIVE) of each revision the operator reports."""
    inactive = deregistered(body)
    numbers = sorted({int(entry["revision"]) for entry in (body.get("status") or {}).get("revisions") or []})
    return [(number, "INACTIVE" if number in inactive else "ACTIVE") for number in numbers]


async def list_task_definitions(call: Call, params: JsonDict) -> JsonDict:
    prefix, wanted = params.get("familyPrefix") or "", params.get("status") or "ACTIVE"
    items = []
    for body in await _families(call):
        family = name_or(body, "family")
        if not family.startswith(prefix):
            continue
        for number, status in listed_revisions(body):
            if status == wanted:
                items.append((f"{family}:{number:010d}", call.arns.task_definition(family, number)))
    chosen, token = page(items, params, descending=params.get("sort") == "DESC")
    return {"taskDefinitionArns": chosen, "nextToken": token}


async def _families(call: Call) -> list[JsonDict]:
    """One resource per family (the first created, where several name it), across the caller's namespaces."""
    chosen: dict[str, JsonDict] = {}
    for body in await call.objects_in_scope(KIND):
        family = name_or(body, "family")
        if family not in chosen:
            same = [
                b for b in await call.objects(KIND, body["metadata"]["namespace"]) if name_or(b, "family") == family
            ]
            chosen[family] = first_created(same)
    return list(chosen.values())


async def list_task_definition_families(call: Call, params: JsonDict) -> JsonDict:
    prefix, wanted = params.get("familyPrefix") or "", params.get("status") or "ALL"
    items = []
    for body in await _families(call):
        family = name_or(body, "family")
        statuses = {status for _, status in listed_revisions(body)}
        status = "ACTIVE" if "ACTIVE" in statuses else "INACTIVE"
        if family.startswith(prefix) and statuses and wanted in ("ALL", status):
            items.append((family, family))
    chosen, token = page(items, params)
    return {"families": chosen, "nextToken": token}


async def deregister_task_definition(call: Call, params: JsonDict) -> JsonDict:
    family, number = parse_reference(call, params["taskDefinition"])
    if number is None:
        raise invalid_parameter("taskDefinition: give family:revision or an ARN; a revision is deregistered")
    body, revision = await find_revision(call, f"{family}:{number}")
    if number not in deregistered(body):
        spec = {**body["spec"], "deregisteredRevisions": sorted(deregistered(body) | {number})}
        body = await resources.replace_spec(call, body, spec)
    return {"taskDefinition": describe(call, body, revision)}


async def delete_task_definitions(call: Call, params: JsonDict) -> JsonDict:
    wanted: dict[str, set[int]] = {}
    failures: list[JsonDict] = []
    deleted: list[JsonDict] = []
    for reference in params["taskDefinitions"]:
        family, number = parse_reference(call, reference)
        if number is None:
            failures.append({"arn": reference, "reason": "a revision is needed: family:revision or an ARN"})
        else:
            wanted.setdefault(family, set()).add(number)
    for family, numbers in wanted.items():
        outcome = await _delete_family(call, family, numbers)
        if isinstance(outcome, str):
            failures.extend(
                {"arn": call.arns.task_definition(family, number), "reason": outcome} for number in sorted(numbers)
            )
        else:
            deleted.extend(outcome)
    return {"taskDefinitions": deleted, "failures": failures}


async def _delete_family(call: Call, family: str, numbers: set[int]) -> list[JsonDict] | str:
    """The deleted revisions, described; or why the family's resource cannot go."""
    body = await find_family(call, family)
    if body is None:
        return "TASK_DEFINITION_NOT_FOUND"
    revisions = await stored_revisions(call, body)
    all_numbers = {revision.number for revision in revisions}
    if not numbers <= all_numbers:
        return f"not registered: {sorted(numbers - all_numbers)}"
    active = sorted(all_numbers - deregistered(body))
    if active:
        return f"revisions {active} are ACTIVE: deregister every revision first"
    if numbers != all_numbers:
        return (
            f"revisions are deleted with their family here: name all of {sorted(all_numbers)} "
            "(the TaskDefinition resource is deleted)"
        )
    users = await _users(call, body, family)
    if users:
        return f"in use by {', '.join(users)}"
    meta = body["metadata"]
    await call.kube.delete(KIND, meta["namespace"], meta["name"])
    call.forget(KIND, meta["namespace"])
    return [{**describe(call, body, revision), "status": "DELETE_IN_PROGRESS"} for revision in revisions]


async def _users(call: Call, body: JsonDict, family: str) -> list[str]:
    namespace = body["metadata"]["namespace"]
    users = []
    for kind in ("ECSService", "ECSTask"):
        for user in await call.objects(kind, namespace):
            reference = (user.get("spec") or {}).get("taskDefinition") or ""
            stopped = kind == "ECSTask" and (user.get("status") or {}).get("lastStatus") == "STOPPED"
            if not stopped and _family_of(reference) == family:
                users.append(f"{kind} {user['metadata']['name']}")
    return users


def _family_of(reference: str) -> str | None:
    try:
        return parse_task_definition(reference.rsplit("/", 1)[-1]).family
    except ValueError:
        return None
