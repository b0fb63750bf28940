"""AWS CLI JSON to ECS custom resources: what `ecs-operator import` does, and `render` for plain ECS JSON.

Accepted (the document's shape says which):

- ``aws ecs describe-task-definition`` (``{"taskDefinition": {...}, "tags": [...]}``), a RegisterTaskDefinition
  request (``--cli-input-json`` / ``--generate-cli-skeleton``) or a bare task definition (``containerDefinitions``);
- ``describe-services`` (``{"services": [...]}``), ``create-service`` output (``{"service": {...}}``) or a
  CreateService request (``serviceName``);
- ``describe-clusters`` (``{"clusters": [...]}``), ``{"cluster": {...}}`` or a CreateCluster request
  (``clusterName``);
- ``describe-tasks`` (``{"tasks": [...]}``) or a RunTask request (``taskDefinition`` as a string);
- ``aws application-autoscaling describe-scalable-targets`` / ``describe-scaling-policies``, attached to the
  service named by ``ResourceId`` (``service/<cluster>/<service>``);
- ``aws ec2 describe-security-groups`` (``{"SecurityGroups": [...]}``) or one security group;
- a CreateService request without ``serviceName`` (CodeDeploy's ``create-service.json``, an ecspresso service
  definition), recognised by the members only CreateService has; its name comes from ``--service-name``,
  its task definition's family, the input's only task definition, or the file's name (``completion``);
- a bare JSON array of container definitions (Terraform's ``container_definitions``), the task definition
  ``--family`` names (or the file's name).

Each document is first read as the AWS SDKs read it (``shapes.clean``: placeholders filled from ``--set`` or
the environment, empty enum strings unset, ...). Read-only members are dropped (see ``shapes``; for security
groups, the members that describe the group's place in AWS); renamed ones are mapped; every drop or rewrite
is a ``Note``. Members import reads itself are
checked for their JSON type first: a wrong one is an error naming the member, never a crash.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any, TypeVar

from ecs_operator.loading.shapes import Change, clean, drop_read_only, service_shapes
from ecs_operator.loading.sources import Diagnostic, LoadError, Source
from ecs_operator.loading.templates import Values
from ecs_operator.models.references import parse_cluster, parse_task_definition
from ecs_operator.translate.context import API_VERSION, DEFAULT_CLUSTER, JsonDict, k8s_name

READ_ONLY = "read-only"
IMPLIED = "implied by the ECSService it is attached to"
ECS_DIMENSION = "ecs:service:DesiredCount"
_IMPLIED = ("ServiceNamespace", "ResourceId", "ScalableDimension")
# Printed first in each spec, as people read them: what it is called and where it runs.
_NAME_MEMBERS = ("family", "serviceName", "clusterName", "GroupName", "GroupId", "cluster", "taskDefinition")
# Output order: what others refer to before what refers to it.
KIND_ORDER = ("ECSCluster", "SecurityGroup", "TaskDefinition", "ECSService", "ECSTask")
# Wrapper members that carry nothing to import: empty failures, paging.
_WRAPPER_NOISE = frozenset({"nextToken", "NextToken"})
# What describe-security-groups says about a group's place in AWS (the EC2 shape is both what it prints and
# what the SecurityGroup spec takes, so botocore cannot tell these apart): read-only, and not about the rules.
_DESCRIBED_GROUP = ("VpcId", "OwnerId", "SecurityGroupArn")
_DESCRIBED_PAIR = ("UserId", "VpcId", "VpcPeeringConnectionId", "PeeringStatus")
_JSON_TYPES = (
    (type(None), "null"),
    (bool, "a boolean"),
    (int, "a number"),
    (float, "a number"),
    (str, "a string"),
    (list, "a list"),
)
_JSON_NAMES: dict[type, str] = {str: "a string", list: "a list", dict: "an object"}
T = TypeVar("T")
_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class InputOptions:
    """What the command line adds to the input: placeholder values, images, and the names files leave out."""

    values: Mapping[str, str] = field(default_factory=dict)  # --set KEY=VALUE
    environment: Mapping[str, str] = field(default_factory=dict)  # the process environment
    images: Mapping[str, str] = field(default_factory=dict)  # --image CONTAINER=URI
    service_name: str | None = None  # --service-name
    family: str | None = None  # --family, for a bare array of container definitions

    @property
    def placeholder_values(self) -> Values:
        return Values(self.values, self.environment)


@dataclass(frozen=True)
class Note:
    """A field that import dropped or rewrote; ``strict`` False when nothing changes at run time."""

    origin: str
    resource: str
    field: str
    action: str  # "dropped", "rewrote", "skipped", "filled", "added"
    reason: str
    group: str = ""
    strict: bool = True

    def __str__(self) -> str:
        return f"{self.origin}: {self.resource}: {self.action} {self.field} ({self.reason})"

    def as_warning(self) -> Diagnostic:
        """As render reports it: the field apart."""
        message = f"{self.action} ({self.reason})"
        return Diagnostic(self.origin, message, self.resource, self.field, self.group_key, self.strict)

    def as_line(self) -> Diagnostic:
        """As import reports it: ``<action> <field> (<reason>)``."""
        message = f"{self.action} {self.field} ({self.reason})"
        return Diagnostic(self.origin, message, self.resource, None, self.group_key, self.strict)

    @property
    def group_key(self) -> str:
        """Alike notes print as one group: their own group; fields dropped alike (read-only, ...) together;
        else what was done to which field (indices left out)."""
        if self.group:
            return self.group
        if self.action == "dropped":
            return f"dropped ({self.reason})"
        return f"{self.action} {_INDEX.sub('[*]', self.field)}"


@dataclass
class Imported:
    """Custom resources made from AWS JSON, and what was dropped or rewritten on the way."""

    resources: list[JsonDict] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    named_by_file: set[int] = field(default_factory=set)  # services named after their file, by index
    revisions: dict[str, int] = field(default_factory=dict)  # family -> the revision describe printed
    pinned_revisions: dict[int, tuple[str, int]] = field(default_factory=dict)  # index -> (family, revision)

    def rename(self, index: int, name: str, member: str) -> None:
        """Give resource ``index`` another name (its spec's ``member`` too), and its notes with it."""
        resource = self.resources[index]
        old = f"{resource['kind']}/{resource['metadata']['name']}"
        resource["metadata"]["name"] = k8s_name(name)
        resource["spec"][member] = name
        new = f"{resource['kind']}/{resource['metadata']['name']}"
        origin = self.origins[index]
        self.notes = [
            replace(note, resource=new) if note.resource == old and note.origin == origin else note
            for note in self.notes
        ]

    def add(
        self, origin: str, kind: str, name: str, spec: JsonDict, dropped: list[str], changes: Sequence[Change] = ()
    ) -> None:
        metadata = {"name": k8s_name(name)}
        spec = {key: spec[key] for key in sorted(spec, key=_member_order)}
        self.resources.append({"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec})
        self.origins.append(origin)
        resource = f"{kind}/{metadata['name']}"
        self.notes.extend(Note(origin, resource, f, "dropped", READ_ONLY, strict=False) for f in dropped)
        self.notes.extend(Note(origin, resource, c.field, c.action, c.reason, c.group, c.strict) for c in changes)

    def note(
        self, origin: str, resource: str, field: str, action: str, reason: str, *, group: str = "", strict: bool = True
    ) -> None:
        self.notes.append(Note(origin, resource, field, action, reason, group, strict))


@dataclass(frozen=True)
class _Scaling:
    """A scalable target or scaling policy waiting for its service."""

    origin: str
    resource_id: str
    key: str  # "scalableTarget" or "scalingPolicies"
    value: JsonDict
    dropped: tuple[str, ...]  # read-only members
    implied: tuple[str, ...]  # members the service implies


@dataclass(frozen=True)
class _Context:
    """The document being imported: its file, and the command line's options."""

    origin: str
    options: InputOptions

    def clean(self, data: JsonDict, service: str, *shapes: str) -> tuple[JsonDict, list[Change]]:
        """``data`` as the AWS SDKs read it (``shapes.clean``)."""
        cleaned, changes = clean(data, service, shapes, self.options.placeholder_values)
        return cleaned if isinstance(cleaned, dict) else data, changes


def import_sources(
    sources: list[Source], namespace: str | None = None, options: InputOptions | None = None
) -> Imported:
    """Custom resources for every AWS CLI document; raises LoadError for documents of no known shape."""
    from ecs_operator.loading.completion import complete

    options = options or InputOptions()
    imported = Imported()
    scaling: list[_Scaling] = []
    errors: list[Diagnostic] = []
    for source in sources:
        try:
            scaling.extend(_import_document(source, imported, options))
        except LoadError as error:
            errors.extend(error.diagnostics)
    errors.extend(complete(imported, options))
    errors.extend(_attach_scaling(imported, scaling))
    errors.extend(_duplicates(imported))
    if errors:
        raise LoadError(errors)
    order = sorted(range(len(imported.resources)), key=lambda i: KIND_ORDER.index(imported.resources[i]["kind"]))
    imported.resources = [imported.resources[i] for i in order]
    imported.origins = [imported.origins[i] for i in order]
    if namespace:
        for resource in imported.resources:
            resource["metadata"]["namespace"] = namespace
    return imported


def _import_document(source: Source, imported: Imported, options: InputOptions) -> list[_Scaling]:
    data = source.data
    context = _Context(source.origin, options)
    if _is_container_definitions(data):
        return _container_definitions(context, data, imported)
    if not isinstance(data, dict):
        raise LoadError([Diagnostic(source.origin, "expected a JSON object as the AWS CLI prints it")])
    for key, convert in _LISTS.items():
        if data.get(key) is not None:
            items = _typed(source.origin, data, key, list) or []
            _check_wrapper(source, data, {key, "failures"})
            for index, item in enumerate(items):
                _checked(source.origin, item, f"{key}[{index}]", dict, optional=False)
            return [found for item in items for found in convert(context, item, imported)]
    for key, convert in _WRAPPED.items():
        if isinstance(data.get(key), dict):
            _check_wrapper(source, data, {key, "tags"})
            item = {**data[key], "tags": data["tags"]} if data.get("tags") else data[key]
            return convert(context, item, imported)
    return _import_object(context, data, imported)


def _check_wrapper(source: Source, data: JsonDict, known: set[str]) -> None:
    unknown = sorted(set(data) - known - _WRAPPER_NOISE)
    if unknown:
        raise LoadError([Diagnostic(source.origin, f"unexpected top-level members {unknown}")])
    failures = _typed(source.origin, data, "failures", list) or []
    if failures:
        if not all(isinstance(failure, dict) for failure in failures):
            raise LoadError([Diagnostic(source.origin, "expected a list of objects", field="failures")])
        reasons = "; ".join(f"{f.get('arn', '?')}: {f.get('reason', '?')}" for f in failures)
        raise LoadError([Diagnostic(source.origin, f"the AWS CLI reported failures: {reasons}")])


def _members(*shapes: str) -> frozenset[str]:
    ecs = service_shapes("ecs")
    return frozenset(member for shape in shapes for member in ecs[shape]["members"])


def service_only_members() -> frozenset[str]:
    """Members only a service has (CreateService's request or a described service), from botocore."""
    others = _members("RunTaskRequest", "Task", "RegisterTaskDefinitionRequest", "TaskDefinition")
    return _members("CreateServiceRequest", "Service") - others - _members("CreateClusterRequest", "Cluster")


def task_only_members() -> frozenset[str]:
    """Members only a task has (RunTask's request or a described task)."""
    others = _members("CreateServiceRequest", "Service", "RegisterTaskDefinitionRequest", "TaskDefinition")
    return _members("RunTaskRequest", "Task") - others - _members("CreateClusterRequest", "Cluster")


def _import_object(context: _Context, data: JsonDict, imported: Imported) -> list[_Scaling]:
    """A bare ECS object or request, recognised by its members."""
    if "containerDefinitions" in data:
        return _task_definition(context, data, imported)
    if "serviceName" in data or (data.keys() & service_only_members() and not data.keys() & task_only_members()):
        return _service(context, data, imported)
    if "taskDefinition" in data or "taskDefinitionArn" in data:
        return _task(context, data, imported)
    if "clusterName" in data:
        return _cluster(context, data, imported)
    if "GroupId" in data or "IpPermissions" in data:
        return _security_group(context, data, imported)
    raise LoadError(
        [
            Diagnostic(
                context.origin,
                "not a custom resource (apiVersion/kind) nor ECS JSON: expected a task definition "
                "(containerDefinitions), service (serviceName, or members only CreateService has: desiredCount, "
                "loadBalancers, schedulingStrategy, ...), task (taskDefinition), cluster (clusterName), security "
                "group (GroupId), a JSON array of container definitions, or an AWS CLI describe-* output",
            )
        ]
    )


def _is_container_definitions(data: Any) -> bool:
    """A bare JSON array of container definitions, as Terraform's ``container_definitions`` holds them."""
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(item, dict) and ("image" in item or "name" in item) for item in data)
    )


def _container_definitions(context: _Context, data: list[Any], imported: Imported) -> list[_Scaling]:
    family = context.options.family
    if family is None:
        family = file_stem_name(context.origin, "task-definition")
        reason = f"a bare list of container definitions: family {family!r} taken from the file name; give --family"
        imported.note(context.origin, f"TaskDefinition/{k8s_name(family)}", "family", "added", reason)
    return _task_definition(context, {"family": family, "containerDefinitions": data}, imported)


def file_stem_name(origin: str, fallback: str) -> str:
    """A name ECS accepts (letters, digits, "-", "_") made of a file's name without its suffix."""
    stem = PurePath(origin).stem if origin != "<stdin>" else ""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:255] or fallback


def _task_definition(context: _Context, data: JsonDict, imported: Imported) -> list[_Scaling]:
    origin = context.origin
    # describe-task-definition prints the tags beside the task definition, and an empty list without --include.
    tags = data.get("tags")
    body = {key: value for key, value in data.items() if key != "tags"}
    body, changes = context.clean(body, "ecs", "TaskDefinition", "RegisterTaskDefinitionRequest")
    spec, dropped = drop_read_only(body, "ecs", "TaskDefinition", "RegisterTaskDefinitionRequest")
    if tags:
        spec["tags"] = tags
    changes += _images(spec, context.options.images)
    family = _name(origin, spec, "family")
    revision = body.get("revision")
    if isinstance(revision, int) and not isinstance(revision, bool):
        imported.revisions[family] = revision
    imported.add(origin, "TaskDefinition", family, spec, dropped, changes)
    return []


# What stands in for an image CI fills in later: a valid reference in a reserved domain, so it can never pull.
IMAGE_STAND_IN = "image-not-set.invalid/{name}"


def _images(spec: JsonDict, images: Mapping[str, str]) -> list[Change]:
    """``--image NAME=URI`` for the containers it names; an empty image (filled by CI) gets a stand-in."""
    changes = []
    containers = spec.get("containerDefinitions")
    for index, container in enumerate(containers if isinstance(containers, list) else []):
        if not isinstance(container, dict):
            continue
        name, image, path = container.get("name"), container.get("image"), f"containerDefinitions[{index}].image"
        if isinstance(name, str) and name in images:
            container["image"] = images[name]
            changes.append(Change(path, "rewrote", f"{image!r} -> {images[name]!r} (--image)", "image", False))
        elif image == "" or (image is None and "image" in container):
            stand_in = IMAGE_STAND_IN.format(name=k8s_name(name) if isinstance(name, str) and name else "container")
            container["image"] = stand_in
            reason = f"empty (CI fills it in): {stand_in!r} stands in; give --image {name}=URI"
            changes.append(Change(path, "rewrote", reason, "empty image"))
    return changes


def _service(context: _Context, data: JsonDict, imported: Imported) -> list[_Scaling]:
    origin = context.origin
    data, changes = context.clean(data, "ecs", "CreateServiceRequest", "Service")
    name = _typed(origin, data, "serviceName", str)
    if not name:
        name, by_file = _service_name(context, data, changes)
        if by_file:
            imported.named_by_file.add(len(imported.resources))
        data["serviceName"] = name
    resource = f"ECSService/{k8s_name(name)}"
    if "clusterArn" in data:
        data["cluster"] = _rewrite_cluster(origin, resource, data.pop("clusterArn"), imported, "clusterArn")
    elif "cluster" in data:
        data["cluster"] = _rewrite_cluster(origin, resource, data["cluster"], imported, "cluster")
    if "roleArn" in data:
        data["role"] = _typed(origin, data, "roleArn", str, resource)
        del data["roleArn"]
        imported.note(origin, resource, "roleArn", "rewrote", "as role, its name in CreateService", strict=False)
    if "taskDefinition" in data:
        data["taskDefinition"] = _rewrite_task_definition(origin, resource, data["taskDefinition"], imported)
    _primary_volume_configurations(origin, resource, data, imported)
    if data.get("schedulingStrategy") == "DAEMON" and "desiredCount" in data:
        del data["desiredCount"]
        imported.note(
            origin, resource, "desiredCount", "dropped", "ECS counts it for DAEMON: one task per node", strict=False
        )
    spec, dropped = drop_read_only(data, "ecs", "Service", "CreateServiceRequest")
    imported.add(origin, "ECSService", name, spec, dropped, changes)
    return []


def _service_name(context: _Context, data: JsonDict, changes: list[Change]) -> tuple[str, bool]:
    """A name for a service document without one, and whether it is the file's: --service-name, its task
    definition's family, or the file's name (``completion`` prefers the input's only task definition family)."""
    given, reference = context.options.service_name, data.get("taskDefinition")
    if given:
        changes.append(Change("serviceName", "added", f"{given!r} from --service-name", "service name", False))
        return given, False
    if isinstance(reference, str) and reference:
        family = _family(context.origin, reference)
        reason = f"the document has none: {family!r}, its task definition's family; give --service-name"
        changes.append(Change("serviceName", "added", reason, "service name"))
        return family, False
    stem = file_stem_name(context.origin, "service")
    reason = f"the document has none: {stem!r}, from the file name; give --service-name"
    changes.append(Change("serviceName", "added", reason, "service name"))
    return stem, True


def _primary_volume_configurations(origin: str, resource: str, data: JsonDict, imported: Imported) -> None:
    """describe-services prints CreateService's volumeConfigurations only on the deployments, which are dropped."""
    deployments = data.get("deployments")
    if "volumeConfigurations" in data or not isinstance(deployments, list):
        return
    primary = next((d for d in deployments if isinstance(d, dict) and d.get("status") == "PRIMARY"), None)
    if primary and primary.get("volumeConfigurations"):
        data["volumeConfigurations"] = primary["volumeConfigurations"]
        imported.note(
            origin,
            resource,
            "deployments[PRIMARY].volumeConfigurations",
            "rewrote",
            "as volumeConfigurations",
            strict=False,
        )


def _task(context: _Context, data: JsonDict, imported: Imported) -> list[_Scaling]:
    origin = context.origin
    data, changes = context.clean(data, "ecs", "RunTaskRequest", "Task")
    reference = _typed(origin, data, "taskDefinitionArn", str) or _typed(origin, data, "taskDefinition", str)
    data.pop("taskDefinitionArn", None)
    if not reference:
        raise LoadError([Diagnostic(origin, "the task names no taskDefinition", field="taskDefinition")])
    task_id = (_typed(origin, data, "taskArn", str) or "").rpartition("/")[2]
    name = _family(origin, reference) + (f"-{task_id[:8]}" if task_id else "")
    resource = f"ECSTask/{k8s_name(name)}"
    data["taskDefinition"] = _rewrite_task_definition(origin, resource, reference, imported)
    if "clusterArn" in data:
        data["cluster"] = _rewrite_cluster(origin, resource, data.pop("clusterArn"), imported, "clusterArn")
    elif "cluster" in data:
        data["cluster"] = _rewrite_cluster(origin, resource, data["cluster"], imported, "cluster")
    overrides = data.get("overrides")
    if isinstance(overrides, dict) and overrides.get("inferenceAcceleratorOverrides") == []:
        # describe-tasks prints this empty list for every task; Elastic Inference is retired.
        data["overrides"] = {k: v for k, v in overrides.items() if k != "inferenceAcceleratorOverrides"}
        imported.note(origin, resource, "overrides.inferenceAcceleratorOverrides", "dropped", "empty", strict=False)
    spec, dropped = drop_read_only(data, "ecs", "Task", "RunTaskRequest")
    imported.add(origin, "ECSTask", name, spec, dropped, changes)
    return []


def _cluster(context: _Context, data: JsonDict, imported: Imported) -> list[_Scaling]:
    data, changes = context.clean(data, "ecs", "CreateClusterRequest", "Cluster")
    spec, dropped = drop_read_only(data, "ecs", "Cluster", "CreateClusterRequest")
    imported.add(context.origin, "ECSCluster", _name(context.origin, spec, "clusterName"), spec, dropped, changes)
    return []


def _security_group(context: _Context, data: JsonDict, imported: Imported) -> list[_Scaling]:
    origin = context.origin
    data, changes = context.clean(data, "ec2", "SecurityGroup")
    name = _typed(origin, data, "GroupName", str) or _typed(origin, data, "GroupId", str)
    if not name:
        raise LoadError([Diagnostic(origin, "a security group needs a GroupName or GroupId", field="GroupName")])
    spec, dropped = _without(data, _DESCRIBED_GROUP, "")
    for direction in ("IpPermissions", "IpPermissionsEgress"):
        rules = spec.get(direction)
        if isinstance(rules, list):  # anything else is the model's to refuse
            spec[direction] = [
                _rule_without_described(rule, f"{direction}[{i}]", dropped) for i, rule in enumerate(rules)
            ]
    imported.add(origin, "SecurityGroup", name, spec, dropped, changes)
    return []


def _rule_without_described(rule: Any, path: str, dropped: list[str]) -> Any:
    pairs = rule.get("UserIdGroupPairs") if isinstance(rule, dict) else None
    if not isinstance(pairs, list):
        return rule
    kept = []
    for index, pair in enumerate(pairs):
        pair, found = _without(pair, _DESCRIBED_PAIR, f"{path}.UserIdGroupPairs[{index}].")
        kept.append(pair)
        dropped.extend(found)
    return {**rule, "UserIdGroupPairs": kept}


def _without(value: Any, members: tuple[str, ...], path: str) -> tuple[Any, list[str]]:
    """An object without ``members``, and their paths (prefixed by ``path``); other values as they are."""
    if not isinstance(value, dict):
        return value, []
    kept = {key: item for key, item in value.items() if key not in members}
    return kept, [f"{path}{member}" for member in value if member in members]


def _scalable_target(context: _Context, data: JsonDict, imported: Imported) -> list[_Scaling]:
    spec, dropped = drop_read_only(data, "application-autoscaling", "ScalableTarget", "RegisterScalableTargetRequest")
    return _scaling(context.origin, spec, dropped, "scalableTarget", imported)


def _scaling_policy(context: _Context, data: JsonDict, imported: Imported) -> list[_Scaling]:
    spec, dropped = drop_read_only(data, "application-autoscaling", "ScalingPolicy", "PutScalingPolicyRequest")
    return _scaling(context.origin, spec, dropped, "scalingPolicies", imported)


def _scaling(origin: str, spec: JsonDict, dropped: list[str], key: str, imported: Imported) -> list[_Scaling]:
    resource_id, namespace, dimension = (
        _typed(origin, spec, member, str) for member in ("ResourceId", "ServiceNamespace", "ScalableDimension")
    )
    resource_id = resource_id or ""
    if namespace != "ecs" or dimension != ECS_DIMENSION:
        imported.note(origin, resource_id, key, "skipped", f"not an ECS service's {ECS_DIMENSION}")
        return []
    implied = [member for member in _IMPLIED if member in spec]
    value = {member: item for member, item in spec.items() if member not in _IMPLIED}
    return [_Scaling(origin, resource_id, key, value, tuple(dropped), tuple(implied))]


def _attach_scaling(imported: Imported, scaling: list[_Scaling]) -> list[Diagnostic]:
    """Put each scalable target and policy into its service's ``autoScaling``."""
    services = {
        f"service/{resource['spec'].get('cluster', DEFAULT_CLUSTER)}/{resource['spec']['serviceName']}": index
        for index, resource in enumerate(imported.resources)
        if resource["kind"] == "ECSService"
    }
    for item in scaling:
        index = services.get(item.resource_id)
        if index is None:
            imported.note(item.origin, item.resource_id, item.key, "skipped", "no such ECS service in the input")
            continue
        _attach(imported, imported.resources[index], item)
    return [
        Diagnostic(
            imported.origins[index],
            "scaling policies but no scalable target: add what `aws application-autoscaling "
            "describe-scalable-targets --service-namespace ecs` prints",
            _ref(imported.resources[index]),
            "spec.autoScaling.scalableTarget",
        )
        for index in services.values()
        if "scalableTarget" not in imported.resources[index]["spec"].get("autoScaling", {"scalableTarget": None})
    ]


def _attach(imported: Imported, service: JsonDict, item: _Scaling) -> None:
    auto_scaling = service["spec"].setdefault("autoScaling", {})
    if item.key == "scalableTarget":
        auto_scaling["scalableTarget"] = item.value
        path = "autoScaling.scalableTarget"
    else:
        policies = auto_scaling.setdefault("scalingPolicies", [])
        path = f"autoScaling.scalingPolicies[{len(policies)}]"
        policies.append(item.value)
    resource = _ref(service)
    imported.notes.extend(
        Note(item.origin, resource, f"{path}.{f}", "dropped", READ_ONLY, strict=False) for f in item.dropped
    )
    imported.notes.extend(
        Note(item.origin, resource, f"{path}.{f}", "dropped", IMPLIED, strict=False) for f in item.implied
    )


def _ref(resource: JsonDict) -> str:
    return f"{resource['kind']}/{resource['metadata']['name']}"


def _duplicates(imported: Imported) -> list[Diagnostic]:
    seen: dict[tuple[str, str], str] = {}
    errors = []
    for resource, origin in zip(imported.resources, imported.origins, strict=True):
        key = (resource["kind"], resource["metadata"]["name"])
        if key in seen:
            errors.append(Diagnostic(origin, f"also imported from {seen[key]}: import one of them", "/".join(key)))
        seen.setdefault(key, origin)
    return errors


def _rewrite_cluster(origin: str, resource: str, value: Any, imported: Imported, member: str) -> str:
    _checked(origin, value, member, str, resource, optional=False)
    try:
        name = parse_cluster(value)
    except ValueError as error:
        raise LoadError([Diagnostic(origin, str(error), resource, member)]) from error
    if name != value or member != "cluster":
        imported.note(origin, resource, member, "rewrote", f"{value} -> cluster: {name}", strict=False)
    return name


def _rewrite_task_definition(origin: str, resource: str, value: Any, imported: Imported) -> str:
    """The family of a reference; a revision named is noted, for the resource about to be added."""
    _checked(origin, value, "taskDefinition", str, resource, optional=False)
    try:
        reference = parse_task_definition(value)
    except ValueError as error:
        raise LoadError([Diagnostic(origin, str(error), resource, "taskDefinition")]) from error
    family = reference.family
    if reference.revision is not None:
        imported.pinned_revisions[len(imported.resources)] = (family, reference.revision)
        reason = (
            f"{value} -> {family}: revisions start anew on the cluster, and here it runs the newest revision of "
            f"{family}, not revision {reference.revision}; pin {family}:N once the revision you want is registered"
        )
        imported.note(origin, resource, "taskDefinition", "rewrote", reason, group="revision")
    elif family != value:
        imported.note(origin, resource, "taskDefinition", "rewrote", f"{value} -> {family}", strict=False)
    return family


def _family(origin: str, value: str) -> str:
    try:
        return parse_task_definition(value).family
    except ValueError as error:
        raise LoadError([Diagnostic(origin, str(error), field="taskDefinition")]) from error


def _member_order(member: str) -> int:
    return _NAME_MEMBERS.index(member) if member in _NAME_MEMBERS else len(_NAME_MEMBERS)


def _name(origin: str, data: JsonDict, member: str) -> str:
    value = _typed(origin, data, member, str)
    if not value:
        raise LoadError([Diagnostic(origin, "missing: it names the resource", field=member)])
    return value


def _typed(origin: str, data: JsonDict, member: str, kind: type[T], resource: str | None = None) -> T | None:
    """``data[member]`` if it is a ``kind``, None if absent or null; a value of another type is an error."""
    return _checked(origin, data.get(member), member, kind, resource)


def _checked(
    origin: str, value: Any, field: str, kind: type[T], resource: str | None = None, *, optional: bool = True
) -> T | None:
    if (value is None and optional) or isinstance(value, kind):
        return value
    found = next((name for python, name in _JSON_TYPES if isinstance(value, python)), "an object")
    shown = f" ({json.dumps(value)})" if isinstance(value, bool | int | float | str) else ""
    message = f"expected {_JSON_NAMES[kind]}, not {found}{shown}"
    raise LoadError([Diagnostic(origin, message, resource, field)])


_Converter = Callable[[_Context, JsonDict, Imported], list[_Scaling]]

_LISTS: dict[str, _Converter] = {
    "services": _service,
    "clusters": _cluster,
    "tasks": _task,
    "SecurityGroups": _security_group,
    "ScalableTargets": _scalable_target,
    "ScalingPolicies": _scaling_policy,
}
_WRAPPED: dict[str, _Converter] = {
    "taskDefinition": _task_definition,
    "service": _service,
    "cluster": _cluster,
}
