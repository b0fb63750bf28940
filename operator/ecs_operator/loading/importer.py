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
- ``aws ec2 describe-security-groups`` (``{"SecurityGroups": [...]}``) or one security group.

Read-only members are dropped (see ``shapes``); renamed ones are mapped; every drop or rewrite is a ``Note``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ecs_operator.loading.shapes import drop_read_only
from ecs_operator.loading.sources import Diagnostic, LoadError, Source
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


@dataclass(frozen=True)
class Note:
    """A field that import dropped or rewrote."""

    origin: str
    resource: str
    field: str
    action: str  # "dropped", "rewrote", "skipped"
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.resource}: {self.action} {self.field} ({self.reason})"

    def as_warning(self) -> Diagnostic:
        return Diagnostic(self.origin, f"{self.action} ({self.reason})", self.resource, self.field)


@dataclass
class Imported:
    """Custom resources made from AWS JSON, and what was dropped or rewritten on the way."""

    resources: list[JsonDict] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def add(self, origin: str, kind: str, name: str, spec: JsonDict, dropped: list[str]) -> None:
        metadata = {"name": k8s_name(name)}
        spec = {key: spec[key] for key in sorted(spec, key=_member_order)}
        self.resources.append({"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec})
        self.origins.append(origin)
        self.notes.extend(Note(origin, f"{kind}/{metadata['name']}", f, "dropped", READ_ONLY) for f in dropped)

    def note(self, origin: str, resource: str, field: str, action: str, reason: str) -> None:
        self.notes.append(Note(origin, resource, field, action, reason))


@dataclass(frozen=True)
class _Scaling:
    """A scalable target or scaling policy waiting for its service."""

    origin: str
    resource_id: str
    key: str  # "scalableTarget" or "scalingPolicies"
    value: JsonDict
    dropped: tuple[str, ...]  # read-only members
    implied: tuple[str, ...]  # members the service implies


def import_sources(sources: list[Source], namespace: str | None = None) -> Imported:
    """Custom resources for every AWS CLI document; raises LoadError for documents of no known shape."""
    imported = Imported()
    scaling: list[_Scaling] = []
    errors: list[Diagnostic] = []
    for source in sources:
        try:
            scaling.extend(_import_document(source, imported))
        except LoadError as error:
            errors.extend(error.diagnostics)
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


def _import_document(source: Source, imported: Imported) -> list[_Scaling]:
    data = source.data
    if not isinstance(data, dict):
        raise LoadError([Diagnostic(source.origin, "expected a JSON object as the AWS CLI prints it")])
    for key, convert in _LISTS.items():
        if isinstance(data.get(key), list):
            _check_wrapper(source, data, {key, "failures"})
            return [found for item in data[key] for found in convert(source.origin, item, imported)]
    for key, convert in _WRAPPED.items():
        if isinstance(data.get(key), dict):
            _check_wrapper(source, data, {key, "tags"})
            item = {**data[key], "tags": data["tags"]} if data.get("tags") else data[key]
            return convert(source.origin, item, imported)
    return _import_object(source.origin, data, imported)


def _check_wrapper(source: Source, data: JsonDict, known: set[str]) -> None:
    unknown = sorted(set(data) - known - _WRAPPER_NOISE)
    if unknown:
        raise LoadError([Diagnostic(source.origin, f"unexpected top-level members {unknown}")])
    if data.get("failures"):
        reasons = "; ".join(f"{f.get('arn', '?')}: {f.get('reason', '?')}" for f in data["failures"])
        raise LoadError([Diagnostic(source.origin, f"the AWS CLI reported failures: {reasons}")])


def _import_object(origin: str, data: JsonDict, imported: Imported) -> list[_Scaling]:
    """A bare ECS object or request, recognised by its members."""
    if "containerDefinitions" in data:
        return _task_definition(origin, data, imported)
    if "serviceName" in data:
        return _service(origin, data, imported)
    if isinstance(data.get("taskDefinition"), str) or "taskDefinitionArn" in data:
        return _task(origin, data, imported)
    if "clusterName" in data:
        return _cluster(origin, data, imported)
    if "GroupId" in data or "IpPermissions" in data:
        return _security_group(origin, data, imported)
    raise LoadError(
        [
            Diagnostic(
                origin,
                "not a custom resource (apiVersion/kind) nor ECS JSON: expected a task definition "
                "(containerDefinitions), service (serviceName), task (taskDefinition), cluster (clusterName), "
                "security group (GroupId) or an AWS CLI describe-* output",
            )
        ]
    )


def _task_definition(origin: str, data: JsonDict, imported: Imported) -> list[_Scaling]:
    # describe-task-definition prints the tags beside the task definition, and an empty list without --include.
    tags = data.get("tags")
    body = {key: value for key, value in data.items() if key != "tags"}
    spec, dropped = drop_read_only(body, "ecs", "TaskDefinition", "RegisterTaskDefinitionRequest")
    if tags:
        spec["tags"] = tags
    imported.add(origin, "TaskDefinition", _name(origin, spec, "family"), spec, dropped)
    return []


def _service(origin: str, data: JsonDict, imported: Imported) -> list[_Scaling]:
    name = _name(origin, data, "serviceName")
    resource = f"ECSService/{k8s_name(name)}"
    data = dict(data)
    if "clusterArn" in data:
        data["cluster"] = _rewrite_cluster(origin, resource, data.pop("clusterArn"), imported, "clusterArn")
    elif "cluster" in data:
        data["cluster"] = _rewrite_cluster(origin, resource, data["cluster"], imported, "cluster")
    if "roleArn" in data:
        data["role"] = data.pop("roleArn")
        imported.note(origin, resource, "roleArn", "rewrote", "as role, its name in CreateService")
    if "taskDefinition" in data:
        data["taskDefinition"] = _rewrite_task_definition(origin, resource, data["taskDefinition"], imported)
    if data.get("schedulingStrategy") == "DAEMON" and "desiredCount" in data:
        del data["desiredCount"]
        imported.note(origin, resource, "desiredCount", "dropped", "ECS counts it for DAEMON: one task per node")
    spec, dropped = drop_read_only(data, "ecs", "Service", "CreateServiceRequest")
    imported.add(origin, "ECSService", name, spec, dropped)
    return []


def _task(origin: str, data: JsonDict, imported: Imported) -> list[_Scaling]:
    data = dict(data)
    reference = data.pop("taskDefinitionArn", None) or data.get("taskDefinition")
    if not isinstance(reference, str):
        raise LoadError([Diagnostic(origin, "the task names no taskDefinition", field="taskDefinition")])
    task_id = str(data.get("taskArn", "")).rpartition("/")[2]
    name = _family(origin, reference) + (f"-{task_id[:8]}" if task_id else "")
    resource = f"ECSTask/{k8s_name(name)}"
    data["taskDefinition"] = _rewrite_task_definition(origin, resource, reference, imported)
    if "clusterArn" in data:
        data["cluster"] = _rewrite_cluster(origin, resource, data.pop("clusterArn"), imported, "clusterArn")
    overrides = data.get("overrides")
    if isinstance(overrides, dict) and overrides.get("inferenceAcceleratorOverrides") == []:
        # describe-tasks prints this empty list for every task; Elastic Inference is retired.
        data["overrides"] = {k: v for k, v in overrides.items() if k != "inferenceAcceleratorOverrides"}
        imported.note(origin, resource, "overrides.inferenceAcceleratorOverrides", "dropped", "empty")
    spec, dropped = drop_read_only(data, "ecs", "Task", "RunTaskRequest")
    imported.add(origin, "ECSTask", name, spec, dropped)
    return []


def _cluster(origin: str, data: JsonDict, imported: Imported) -> list[_Scaling]:
    spec, dropped = drop_read_only(data, "ecs", "Cluster", "CreateClusterRequest")
    imported.add(origin, "ECSCluster", _name(origin, spec, "clusterName"), spec, dropped)
    return []


def _security_group(origin: str, data: JsonDict, imported: Imported) -> list[_Scaling]:
    name = data.get("GroupName") or data.get("GroupId")
    if not isinstance(name, str) or not name:
        raise LoadError([Diagnostic(origin, "a security group needs a GroupName or GroupId", field="GroupName")])
    imported.add(origin, "SecurityGroup", name, dict(data), [])
    return []


def _scalable_target(origin: str, data: JsonDict, imported: Imported) -> list[_Scaling]:
    spec, dropped = drop_read_only(data, "application-autoscaling", "ScalableTarget", "RegisterScalableTargetRequest")
    return _scaling(origin, spec, dropped, "scalableTarget", imported)


def _scaling_policy(origin: str, data: JsonDict, imported: Imported) -> list[_Scaling]:
    spec, dropped = drop_read_only(data, "application-autoscaling", "ScalingPolicy", "PutScalingPolicyRequest")
    return _scaling(origin, spec, dropped, "scalingPolicies", imported)


def _scaling(origin: str, spec: JsonDict, dropped: list[str], key: str, imported: Imported) -> list[_Scaling]:
    resource_id = str(spec.get("ResourceId", ""))
    if spec.get("ServiceNamespace") != "ecs" or spec.get("ScalableDimension") != ECS_DIMENSION:
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
    imported.notes.extend(Note(item.origin, resource, f"{path}.{f}", "dropped", READ_ONLY) for f in item.dropped)
    imported.notes.extend(Note(item.origin, resource, f"{path}.{f}", "dropped", IMPLIED) for f in item.implied)


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
    try:
        name = parse_cluster(str(value))
    except ValueError as error:
        raise LoadError([Diagnostic(origin, str(error), resource, member)]) from error
    if name != value or member != "cluster":
        imported.note(origin, resource, member, "rewrote", f"{value} -> cluster: {name}")
    return name


def _rewrite_task_definition(origin: str, resource: str, value: str, imported: Imported) -> str:
    family = _family(origin, value)
    if family != value:
        imported.note(
            origin, resource, "taskDefinition", "rewrote", f"{value} -> {family}: revisions start anew on the cluster"
        )
    return family


def _family(origin: str, value: str) -> str:
    try:
        return parse_task_definition(value).family
    except ValueError as error:
        raise LoadError([Diagnostic(origin, str(error), field="taskDefinition")]) from error


def _member_order(member: str) -> int:
    return _NAME_MEMBERS.index(member) if member in _NAME_MEMBERS else len(_NAME_MEMBERS)


def _name(origin: str, data: JsonDict, member: str) -> str:
    value = data.get(member)
    if not isinstance(value, str) or not value:
        raise LoadError([Diagnostic(origin, "missing: it names the resource", field=member)])
    return value


_Converter = Callable[[str, JsonDict, Imported], list[_Scaling]]

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
