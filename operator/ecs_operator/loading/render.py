"""Offline rendering: ECS input in, the Kubernetes objects the operator would make out. No cluster, no I/O.

Services and tasks are resolved against the input alone: their task definition family (bare, ``family:N``
or an ARN) must be a TaskDefinition in the input, whose revision is 1 offline; their cluster is an
ECSCluster in the input or, if there is none, that cluster with default settings (as ECS's ``default``).
Resources render in the order ECSCluster, SecurityGroup, TaskDefinition, ECSService, ECSTask (then as given),
so what others refer to comes first. Every TaskDefinition renders (its PodTemplate and ServiceAccount)
whether or not something uses it, so the output is what the operator makes for the same resources.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from pydantic import ValidationError

from ecs_operator.loading.importer import KIND_ORDER, InputOptions, import_sources
from ecs_operator.loading.resources import (
    Resource,
    is_custom_resource,
    is_kubernetes_object,
    parse_resource,
    validation_diagnostics,
)
from ecs_operator.loading.sources import Diagnostic, LoadError, Source
from ecs_operator.models.cluster import ECSClusterSpec
from ecs_operator.models.references import parse_cluster, parse_task_definition
from ecs_operator.models.securitygroup import SecurityGroupSpec
from ecs_operator.models.service import ECSServiceSpec
from ecs_operator.models.task import ECSTaskSpec
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import (
    DEFAULT_CLUSTER,
    ClusterContext,
    JsonDict,
    Meta,
    Rendered,
    SecurityGroupRef,
    Target,
    TaskDefinitionRevision,
    TranslationError,
)
from ecs_operator.translate.securitygroup import render_security_group
from ecs_operator.translate.service import render_service
from ecs_operator.translate.task import render_task
from ecs_operator.translate.taskdefinition import render_task_definition

OFFLINE_REVISION = 1


@dataclass(frozen=True)
class _Namespace:
    """What services and tasks of one namespace may refer to."""

    task_definitions: dict[str, TaskDefinitionSpec]
    clusters: dict[str, ECSClusterSpec]
    security_groups: list[SecurityGroupRef]


# Offline, a security group that is not in the input is rendered around, not waited for.
OFFLINE_TARGET = Target(unknown_security_groups="warn")


def render_documents(
    sources: list[Source], options: InputOptions | None = None, target: Target = OFFLINE_TARGET
) -> tuple[list[JsonDict], list[Diagnostic]]:
    """The Kubernetes objects for every document, and the warnings; LoadError lists every problem found.

    Kubernetes objects of other API groups are passed through as they are, after the rendered ones.
    """
    native = [source for source in sources if is_kubernetes_object(source.data)]
    resources, warnings = load_resources([source for source in sources if source not in native], options)
    namespaces = _index(resources)
    objects: list[tuple[Resource, JsonDict]] = []
    errors: list[Diagnostic] = []
    for resource in resources:
        try:
            rendered, notes = _render(resource, namespaces[resource.meta.namespace], target)
        except TranslationError as error:
            errors.append(Diagnostic(resource.origin, error.message, resource.ref, _spec_path(error.field)))
            continue
        except ValidationError as error:
            errors.extend(validation_diagnostics(error, resource.origin, resource.ref))
            continue
        except LoadError as error:
            errors.extend(error.diagnostics)
            continue
        objects.extend((resource, obj) for obj in rendered.objects)
        warnings.extend(notes)
        warnings.extend(_warning(resource, w.resource, w.field, w.message, resources) for w in rendered.warnings)
    passed = [(_passed_through(source), copy.deepcopy(source.data)) for source in native]
    warnings.extend(Diagnostic(s.origin, PASSED_THROUGH, _kind_name(s.data), group=PASSED_THROUGH, strict=False)
                    for s in native)  # fmt: skip
    errors.extend(_conflicts(objects + passed))
    if errors:
        raise LoadError(errors)
    return _unique([obj for _, obj in objects + passed]), list(dict.fromkeys(warnings))


PASSED_THROUGH = "not an ECS resource: passed through as it is"


def _kind_name(data: JsonDict) -> str:
    return f"{data.get('kind')}/{(data.get('metadata') or {}).get('name')}"


def _passed_through(source: Source) -> Resource:
    """A stand-in resource for a passed-through object, for the conflict check's messages."""
    kind, name = str(source.data.get("kind")), str((source.data.get("metadata") or {}).get("name"))
    return Resource(source.origin, Meta(kind=kind, name=name), ECSClusterSpec())


def _object_key(obj: JsonDict) -> tuple[str, str, str, str]:
    metadata = obj.get("metadata", {})
    return obj.get("apiVersion", ""), obj.get("kind", ""), metadata.get("namespace", ""), metadata.get("name", "")


def _unique(objects: list[JsonDict]) -> list[JsonDict]:
    """Objects that several resources make alike (a task role's ServiceAccount) are printed once."""
    seen: set[tuple[str, str, str, str]] = set()
    unique = []
    for obj in objects:
        if _object_key(obj) not in seen:
            seen.add(_object_key(obj))
            unique.append(obj)
    return unique


def _conflicts(objects: list[tuple[Resource, JsonDict]]) -> list[Diagnostic]:
    """Two different objects of one name would overwrite each other when applied."""
    first: dict[tuple[str, str, str, str], tuple[Resource, JsonDict]] = {}
    errors = []
    for resource, obj in objects:
        key = _object_key(obj)
        if key in first and first[key][1] != obj:
            other = first[key][0]
            message = f"makes {key[1]}/{key[3]} as {other.ref} ({other.origin}) does, differently: rename one of them"
            errors.append(Diagnostic(resource.origin, message, resource.ref))
        first.setdefault(key, (resource, obj))
    return errors


def load_resources(
    sources: list[Source], options: InputOptions | None = None
) -> tuple[list[Resource], list[Diagnostic]]:
    """Custom resources parsed, plain ECS JSON imported first; warnings for what import dropped or rewrote."""
    custom = [source for source in sources if is_custom_resource(source.data)]
    plain = [source for source in sources if not is_custom_resource(source.data)]
    imported = import_sources(plain, options=options)
    documents = [(s.origin, s.data) for s in custom] + list(zip(imported.origins, imported.resources, strict=True))
    position = {source.origin: index for index, source in reversed(list(enumerate(sources)))}
    documents.sort(key=lambda document: (_kind_rank(document[1]), position[document[0]]))
    resources: list[Resource] = []
    errors: list[Diagnostic] = []
    for origin, data in documents:
        try:
            resources.append(parse_resource(data, origin))
        except LoadError as error:
            errors.extend(error.diagnostics)
    resources = _distinct(resources)
    errors.extend(_duplicates(resources))
    if errors:
        raise LoadError(errors)
    return resources, [note.as_warning() for note in imported.notes]


def _distinct(resources: list[Resource]) -> list[Resource]:
    """One of each resource given twice alike (an example's YAML beside the AWS JSON it was imported from)."""
    kept: list[Resource] = []
    for resource in resources:
        if not any(other.meta == resource.meta and other.spec == resource.spec for other in kept):
            kept.append(resource)
    return kept


def _kind_rank(data: JsonDict) -> int:
    kind = data.get("kind")
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def _duplicates(resources: list[Resource]) -> list[Diagnostic]:
    seen: dict[tuple[str, str, str], Resource] = {}
    errors = []
    for resource in resources:
        keys = [("resource", resource.meta.namespace, resource.ref)]
        if isinstance(resource.spec, TaskDefinitionSpec):
            keys.append(("family", resource.meta.namespace, _family(resource)))
        for key in keys:
            if key in seen:
                message = f"{key[0]} {key[2]} is also defined in {seen[key].origin} as {seen[key].ref}"
                errors.append(Diagnostic(resource.origin, message, resource.ref))
            seen.setdefault(key, resource)
    return errors


def _index(resources: list[Resource]) -> dict[str, _Namespace]:
    namespaces: dict[str, _Namespace] = {}
    for resource in resources:
        found = namespaces.setdefault(resource.meta.namespace, _Namespace({}, {}, []))
        spec = resource.spec
        if isinstance(spec, TaskDefinitionSpec):
            found.task_definitions[_family(resource)] = spec
        elif isinstance(spec, ECSClusterSpec):
            found.clusters[spec.clusterName or resource.meta.name] = spec
        elif isinstance(spec, SecurityGroupSpec):
            found.security_groups.append(SecurityGroupRef(resource.meta.name, spec))
    return namespaces


def _render(resource: Resource, namespace: _Namespace, target: Target) -> tuple[Rendered, list[Diagnostic]]:
    spec, meta, groups = resource.spec, resource.meta, namespace.security_groups
    if isinstance(spec, TaskDefinitionSpec):
        td = TaskDefinitionRevision(_family(resource), OFFLINE_REVISION, spec, namespace=meta.namespace)
        return render_task_definition(td, meta, target), []
    if isinstance(spec, ECSServiceSpec):
        td, notes = _task_definition(resource, spec.taskDefinition, namespace)
        return render_service(spec, meta, td, _cluster(spec.cluster, namespace), groups, target), notes
    if isinstance(spec, ECSTaskSpec):
        td, notes = _task_definition(resource, spec.taskDefinition, namespace)
        return render_task(spec, meta, td, _cluster(spec.cluster, namespace), groups, target), notes
    if isinstance(spec, SecurityGroupSpec):
        return render_security_group(SecurityGroupRef(meta.name, spec), meta, groups, target), []
    return Rendered(), []  # an ECSCluster makes no objects of its own: it is defaults for its services and tasks


def _task_definition(
    resource: Resource, reference: str | None, namespace: _Namespace
) -> tuple[TaskDefinitionRevision, list[Diagnostic]]:
    if reference is None:
        return _only_task_definition(resource, namespace)
    try:
        ref = parse_task_definition(reference)
    except ValueError as error:
        raise TranslationError("taskDefinition", str(error)) from error
    spec = namespace.task_definitions.get(ref.family)
    if spec is None:
        raise TranslationError(
            "taskDefinition",
            f"task definition family {ref.family!r} is not in the input (namespace {resource.meta.namespace}): "
            "render needs its TaskDefinition beside the resources that use it (ECS too refuses a service or task "
            'whose task definition is not registered: ClientException "TaskDefinition not found.")',
        )
    if ref.revision is None or ref.revision == OFFLINE_REVISION:
        return TaskDefinitionRevision(ref.family, OFFLINE_REVISION, spec, namespace=resource.meta.namespace), []
    message = (
        f"revision {ref.revision} cannot be checked offline: rendered with the input's TaskDefinition "
        f"{ref.family!r} as that revision"
    )
    warning = Diagnostic(resource.origin, message, resource.ref, "spec.taskDefinition")
    return TaskDefinitionRevision(ref.family, ref.revision, spec, namespace=resource.meta.namespace), [warning]


def _only_task_definition(resource: Resource, namespace: _Namespace) -> tuple[TaskDefinitionRevision, list[Diagnostic]]:
    """No taskDefinition (an ecspresso service definition): the input's only task definition, warned."""
    families = sorted(namespace.task_definitions)
    if len(families) != 1:
        found = "none" if not families else f"several ({', '.join(families)})"
        raise TranslationError(
            "taskDefinition",
            f"required: the family, family:revision or ARN to run; the input has {found} to take it from (ECS "
            "too needs a task definition to create a service with the ECS deployment controller, or to run a task)",
        )
    family = families[0]
    message = f"not given: the input's only task definition, {family!r}, is run"
    warning = Diagnostic(resource.origin, message, resource.ref, "spec.taskDefinition")
    revision = TaskDefinitionRevision(
        family, OFFLINE_REVISION, namespace.task_definitions[family], namespace=resource.meta.namespace
    )
    return revision, [warning]


def _cluster(reference: str | None, namespace: _Namespace) -> ClusterContext:
    try:
        name = parse_cluster(reference or DEFAULT_CLUSTER)
    except ValueError as error:
        raise TranslationError("cluster", str(error)) from error
    return ClusterContext(name, namespace.clusters.get(name))


def _family(resource: Resource) -> str:
    assert isinstance(resource.spec, TaskDefinitionSpec)
    return resource.spec.family or resource.meta.name


def _spec_path(field: str) -> str:
    return field if field == "spec" or field.startswith(("spec.", "metadata")) else f"spec.{field}"


def _warning(resource: Resource, about: str, field: str, message: str, resources: list[Resource]) -> Diagnostic:
    """A translator's warning, attributed to the file of the resource it is about (a service's task definition)."""
    origin = next((r.origin for r in resources if r.ref == about and r.meta.namespace == resource.meta.namespace), None)
    return Diagnostic(origin or resource.origin, message, about, _spec_path(field))
