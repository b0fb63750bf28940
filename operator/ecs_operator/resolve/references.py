"""What a service or task names, resolved: the cluster, the task definition revision, the security groups.

ECS resolves references when a call is made (CreateService, RunTask); here the spec is declarative, so every
reconcile resolves them again from the records of what exists now. A reference to something that does not
exist (yet) is ``NotReady``, a wait: GitOps tools apply related resources in no particular order. A malformed
reference is a ``TranslationError``: the spec can never work as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ecs_operator.models.references import TaskDefinitionRef, parse_cluster, parse_task_definition
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.resolve.errors import NotReady
from ecs_operator.resolve.records import ClusterRecord, RevisionRecord, SecurityGroupRecord, TaskDefinitionRecord
from ecs_operator.translate.context import (
    DEFAULT_CLUSTER,
    ClusterContext,
    SecurityGroupRef,
    TaskDefinitionRevision,
    TranslationError,
)


def cluster_name(reference: str | None) -> str:
    """The cluster a service or task names (a name or a cluster ARN); ``default`` when it names none."""
    try:
        return parse_cluster(reference) if reference else DEFAULT_CLUSTER
    except ValueError as error:
        raise TranslationError("spec.cluster", str(error)) from error


def names_cluster(reference: str | None, name: str) -> bool:
    """Whether a spec's ``cluster`` names cluster ``name`` (one naming no valid cluster names none)."""
    try:
        return cluster_name(reference) == name
    except TranslationError:
        return False


def resolve_cluster(namespace: str, reference: str | None, clusters: Iterable[ClusterRecord]) -> ClusterContext:
    """The ECSCluster a service or task runs in. ``default`` need not exist (ECS creates it implicitly)."""
    name = cluster_name(reference)
    found = sorted((record for record in clusters if record.cluster_name == name), key=lambda record: record.name)
    if found:
        record = found[0]
        if record.spec is None:
            raise NotReady("ClusterInvalid", f"cluster {name!r} has an invalid spec: {record.error}")
        return ClusterContext(name, record.spec)
    if name == DEFAULT_CLUSTER:
        return ClusterContext()
    raise NotReady(
        "ClusterNotFound", f"cluster {name!r} does not exist in namespace {namespace}; create the ECSCluster"
    )


def parse_reference(reference: str) -> TaskDefinitionRef:
    """``family``, ``family:N`` or a task definition ARN; a malformed one is an invalid spec."""
    try:
        return parse_task_definition(reference)
    except ValueError as error:
        raise TranslationError("spec.taskDefinition", str(error)) from error


def family_owner(resources: Iterable[TaskDefinitionRecord]) -> TaskDefinitionRecord | None:
    """The TaskDefinition resource a family belongs to: the first created (then by name) of those naming it."""
    return min(resources, key=lambda record: (record.created, record.name), default=None)


def owned_revisions(owner: TaskDefinitionRecord, revisions: Iterable[RevisionRecord]) -> list[RevisionRecord]:
    """The family's revisions that ``owner`` registered, oldest first.

    Revisions left by an earlier resource of the same family (deleted, its revisions not yet collected by the
    garbage collector, which runs asynchronously) are not the family's any more: they are filtered out by the
    owner's uid, so a re-created family starts from its own revisions.
    """
    mine = [record for record in revisions if record.family == owner.family and record.owner_uid == owner.uid]
    return sorted(mine, key=lambda record: record.revision)


def resolve_task_definition(
    namespace: str,
    reference: str,
    resources: Iterable[TaskDefinitionRecord],
    revisions: Iterable[RevisionRecord],
    in_use: str | None = None,
) -> TaskDefinitionRevision:
    """The revision a service or task asks for: ``family`` is the latest ACTIVE one, ``family:N`` that one.

    ``resources`` are the TaskDefinition resources naming the family, ``revisions`` the family's registered
    revisions. An INACTIVE (deregistered) revision is refused for new uses, as in ECS, but keeps serving
    ``in_use``: the ``family:N`` the caller already runs.
    """
    ref = parse_reference(reference)
    family, number = ref.family, ref.revision
    owner = family_owner(record for record in resources if record.family == family)
    if owner is None:
        raise NotReady(
            "TaskDefinitionNotFound", f"task definition family {family!r} is not registered in namespace {namespace}"
        )
    registered = owned_revisions(owner, revisions)
    if number is None:
        active = [stored for stored in registered if stored.revision not in owner.deregistered]
        if not active:
            raise NotReady("TaskDefinitionNotFound", f"task definition family {family!r} has no ACTIVE revision")
        chosen = active[-1]
    else:
        match = [stored for stored in registered if stored.revision == number]
        if not match:
            raise NotReady("TaskDefinitionNotFound", f"task definition {family}:{number} is not registered")
        chosen = match[0]
        if number in owner.deregistered and in_use != f"{family}:{number}":
            raise NotReady(
                "TaskDefinitionInactive",
                f"task definition {family}:{number} is INACTIVE (deregistered); use an ACTIVE revision",
            )
    status = "INACTIVE" if chosen.revision in owner.deregistered else "ACTIVE"
    spec = TaskDefinitionSpec.model_validate(chosen.data)
    return TaskDefinitionRevision(family, chosen.revision, spec, status, namespace=namespace)


def security_groups(records: Iterable[SecurityGroupRecord]) -> list[SecurityGroupRef]:
    """Every valid SecurityGroup of a namespace, by name (an invalid one reports itself in its own status)."""
    valid = [SecurityGroupRef(record.name, record.spec) for record in records if record.spec is not None]
    return sorted(valid, key=lambda group: group.name)


def references_of(groups: Sequence[SecurityGroupRef]) -> set[str]:
    """Every string a security group reference may use for these groups: GroupId, GroupName, resource name."""
    names: set[str] = set()
    for group in groups:
        names.update(value for value in (group.spec.GroupId, group.spec.GroupName, group.name) if value)
    return names
