"""The CustomResourceDefinitions, generated from the spec and status models (one source of truth).

Pydantic's JSON schema is turned into a *structural* OpenAPI v3 schema as apiextensions.k8s.io/v1 requires:
every ``$ref`` inlined, ``T | None`` reduced to ``T`` (optional fields are simply not required), ``const``
to ``enum``, free-form objects marked ``x-kubernetes-preserve-unknown-fields``, and pydantic's titles and
defaults dropped. A keyword the conversion does not know is an error, not silently dropped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO, Any

import yaml
from pydantic import BaseModel

from ecs_operator.models.cluster import ECSClusterSpec
from ecs_operator.models.securitygroup import SecurityGroupSpec
from ecs_operator.models.service import ECSServiceSpec
from ecs_operator.models.status import (
    ECSClusterStatus,
    ECSServiceStatus,
    ECSTaskStatus,
    SecurityGroupStatus,
    TaskDefinitionStatus,
)
from ecs_operator.models.task import ECSTaskSpec
from ecs_operator.models.taskdefinition import TaskDefinitionSpec

GROUP = "ecs.compat.dev"
VERSION = "v1alpha1"
CATEGORY = "ecs"
HEADER = "# Generated from the models by `ecs-operator crds -o crds` (make generate). Do not edit.\n"

Schema = dict[str, Any]

# Keywords that mean the same in pydantic's JSON schema and in Kubernetes' OpenAPI v3 subset.
_KEPT = {
    "description",
    "type",
    "format",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "required",
}
# pydantic's titles; key constraints Kubernetes cannot express; defaults, which the models apply: were the API
# server to write them into the stored spec, `to_ecs` could no longer tell what the user gave.
_DROPPED = {"title", "propertyNames", "default"}
_PRESERVE = "x-kubernetes-preserve-unknown-fields"
_READY = '.status.conditions[?(@.type=="Ready")].status'
# Kopf keeps handler progress in status.kopf as well as in annotations; a structural schema would prune it.
_KOPF_STATUS = {"type": "object", "description": "The operator framework's bookkeeping.", _PRESERVE: True}


@dataclass(frozen=True)
class Column:
    """An additionalPrinterColumn (`kubectl get`)."""

    name: str
    json_path: str
    type: str = "string"

    def render(self) -> Schema:
        return {"name": self.name, "type": self.type, "jsonPath": self.json_path}


@dataclass(frozen=True)
class CustomResource:
    """One kind: its names, its models and its `kubectl get` columns."""

    kind: str
    plural: str
    short_names: tuple[str, ...]
    spec: type[BaseModel]
    status: type[BaseModel]
    columns: tuple[Column, ...]

    @property
    def name(self) -> str:
        return f"{self.plural}.{GROUP}"


_AGE = Column("Age", ".metadata.creationTimestamp", "date")
_READY_COLUMN = Column("Ready", _READY)

RESOURCES = (
    CustomResource(
        "ECSCluster",
        "ecsclusters",
        ("ecscluster", "ecsc"),
        ECSClusterSpec,
        ECSClusterStatus,
        (
            Column("Status", ".status.status"),
            Column("Services", ".status.activeServicesCount", "integer"),
            Column("Running", ".status.runningTasksCount", "integer"),
            Column("Pending", ".status.pendingTasksCount", "integer"),
            Column("Instances", ".status.registeredContainerInstancesCount", "integer"),
            _AGE,
        ),
    ),
    CustomResource(
        "TaskDefinition",
        "taskdefinitions",
        ("taskdef", "td"),
        TaskDefinitionSpec,
        TaskDefinitionStatus,
        (
            Column("Family", ".status.family"),
            Column("Revision", ".status.revision", "integer"),
            Column("Status", ".status.status"),
            _READY_COLUMN,
            _AGE,
        ),
    ),
    CustomResource(
        "ECSService",
        "ecsservices",
        ("ecsservice", "ecssvc"),
        ECSServiceSpec,
        ECSServiceStatus,
        (
            Column("Cluster", ".status.clusterName"),
            Column("Desired", ".status.desiredCount", "integer"),
            Column("Running", ".status.runningCount", "integer"),
            Column("Pending", ".status.pendingCount", "integer"),
            Column("Task Definition", ".status.taskDefinition"),
            Column("Status", ".status.status"),
            _READY_COLUMN,
            _AGE,
        ),
    ),
    CustomResource(
        "ECSTask",
        "ecstasks",
        ("ecstask", "ecst"),
        ECSTaskSpec,
        ECSTaskStatus,
        (
            Column("Cluster", ".status.clusterName"),
            Column("Task Definition", ".status.taskDefinition"),
            Column("Last Status", ".status.lastStatus"),
            Column("Desired Status", ".status.desiredStatus"),
            Column("Stop Code", ".status.stopCode"),
            _AGE,
        ),
    ),
    CustomResource(
        "SecurityGroup",
        "securitygroups",
        ("securitygroup", "sg"),
        SecurityGroupSpec,
        SecurityGroupStatus,
        (Column("Group ID", ".status.GroupId"), _READY_COLUMN, _AGE),
    ),
)


def openapi_schema(model: type[BaseModel]) -> Schema:
    """The structural OpenAPI v3 schema of ``model``."""
    schema = model.model_json_schema()
    return _structural(schema, schema.pop("$defs", {}), frozenset())


def _structural(node: Schema, defs: dict[str, Schema], seen: frozenset[str]) -> Schema:
    if "$ref" in node:
        return _structural(*_resolved(node, defs, seen))
    if "anyOf" in node:
        return _structural(_without_null(node), defs, seen)
    if not node:  # `Any`: any JSON value
        return {_PRESERVE: True}
    result: Schema = {}
    for key, value in node.items():
        result.update(_keyword(key, value, defs, seen))
    if result.get("type") == "object" and "properties" not in result and "additionalProperties" not in result:
        result[_PRESERVE] = True  # a free-form object (JsonObject, dict[str, Any])
    return _readable(result)


def _readable(node: Schema) -> Schema:
    """type and description first: the generated YAML is read by people too."""
    first: Schema = {key: node[key] for key in ("type", "description") if key in node}
    return {**first, **{key: value for key, value in node.items() if key not in first}}


def _resolved(
    node: Schema, defs: dict[str, Schema], seen: frozenset[str]
) -> tuple[Schema, dict[str, Schema], frozenset[str]]:
    """The definition ``node`` refers to, with ``node``'s own keywords (its description) taking precedence."""
    name = node["$ref"].rsplit("/", 1)[-1]
    if name in seen:
        raise ValueError(f"recursive model {name} cannot become a structural schema")
    rest = {key: value for key, value in node.items() if key != "$ref"}
    return {**defs[name], **rest}, defs, seen | {name}


def _without_null(node: Schema) -> Schema:
    """``T | None`` -> ``T``: Kubernetes leaves an optional field out rather than setting it to null."""
    options = [option for option in node["anyOf"] if option != {"type": "null"}]
    if len(options) != 1:
        raise ValueError(f"a union of several types cannot become a structural schema: {node['anyOf']}")
    rest = {key: value for key, value in node.items() if key not in ("anyOf", "default")}
    return {**options[0], **rest}


def _keyword(key: str, value: Any, defs: dict[str, Schema], seen: frozenset[str]) -> Schema:
    """One keyword of pydantic's schema in Kubernetes' terms (possibly none, possibly another keyword)."""
    if key in _KEPT:
        return {key: value}
    if key in _DROPPED:
        return {}
    if key == "const":
        return {"enum": [value]}
    if key in ("exclusiveMinimum", "exclusiveMaximum"):  # a number in JSON Schema, a flag in OpenAPI v3.0
        return {key.replace("exclusiveM", "m"): value, key: True}
    if key == "items":
        return {"items": _structural(value, defs, seen)}
    if key == "properties":
        return {"properties": {name: _structural(sub, defs, seen) for name, sub in value.items()}}
    if key == "additionalProperties":
        return _additional_properties(value, defs, seen)
    raise ValueError(f"JSON schema keyword {key!r} has no structural counterpart here (value {value!r})")


def _additional_properties(value: bool | Schema, defs: dict[str, Schema], seen: frozenset[str]) -> Schema:
    """false: the default (unknown fields are pruned, and rejected by kubectl's strict field validation);
    true: keep whatever is there; a schema: a map of that type."""
    if value is False:
        return {}
    if value is True or value == {}:
        return {_PRESERVE: True}
    return {"additionalProperties": _structural(value, defs, seen)}


def custom_resource_definition(resource: CustomResource) -> Schema:
    """The apiextensions.k8s.io/v1 CustomResourceDefinition of one kind."""
    spec = openapi_schema(resource.spec)
    root = {
        "type": "object",
        "description": f"{resource.kind}: {spec.pop('description', '')}".strip(),
        "required": ["spec"],
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": spec,
            "status": _status_schema(resource.status),
        },
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": resource.name, "labels": {"app.kubernetes.io/name": "ecs-operator"}},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {
                "kind": resource.kind,
                "listKind": f"{resource.kind}List",
                "plural": resource.plural,
                "singular": resource.kind.lower(),
                "shortNames": list(resource.short_names),
                "categories": [CATEGORY],
            },
            "versions": [
                {
                    "name": VERSION,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": [column.render() for column in resource.columns],
                    "schema": {"openAPIV3Schema": root},
                }
            ],
        },
    }


def _status_schema(model: type[BaseModel]) -> Schema:
    schema = openapi_schema(model)
    schema["properties"]["kopf"] = _KOPF_STATUS
    return schema


def all_crds() -> list[Schema]:
    """The CRDs of every kind, in a stable order."""
    return [custom_resource_definition(resource) for resource in RESOURCES]


def crd_yaml(crd: Schema) -> str:
    """A CRD as the YAML written to crds/ (stable, so that the staleness test can compare text)."""
    return HEADER + yaml.safe_dump(crd, sort_keys=False, width=120, allow_unicode=True)


def crd_filename(crd: Schema) -> str:
    return f"{crd['spec']['names']['plural']}.yaml"


def write_crds(output_dir: str | None, stdout: IO[str]) -> int:
    """Write crds/<plural>.yaml per CRD into ``output_dir``, or every CRD as multi-document YAML to stdout."""
    crds = all_crds()
    if output_dir is None:
        stdout.write("---\n".join(crd_yaml(crd) for crd in crds))
        return 0
    os.makedirs(output_dir, exist_ok=True)
    for crd in crds:
        with open(os.path.join(output_dir, crd_filename(crd)), "w", encoding="utf-8") as file:
            file.write(crd_yaml(crd))
    return 0
