"""ECS custom resources (apiVersion ecs.compat.dev/v1alpha1) parsed into their spec models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ecs_operator.loading.sources import Diagnostic, LoadError
from ecs_operator.models.errors import SPEC_MODELS, format_validation_error, parse_spec
from ecs_operator.translate.context import API_VERSION, Meta


@dataclass(frozen=True)
class Resource:
    """A custom resource with its spec parsed, and the file it came from."""

    origin: str
    meta: Meta
    spec: BaseModel

    @property
    def ref(self) -> str:
        return self.meta.ref


def is_custom_resource(data: Any) -> bool:
    """A Kubernetes-style document (it has apiVersion and kind), rather than plain ECS JSON."""
    return isinstance(data, dict) and "apiVersion" in data and "kind" in data


def is_kubernetes_object(data: Any) -> bool:
    """A Kubernetes object of another API group than ours (a ConfigMap, a log agent's DaemonSet): render passes
    it through as it is, so that a directory of ECS input and the objects it needs renders to one apply."""
    api_version = data.get("apiVersion") if is_custom_resource(data) else None
    return isinstance(api_version, str) and api_version.partition("/")[0] != API_VERSION.partition("/")[0]


def parse_resource(data: dict[str, Any], origin: str) -> Resource:
    """The resource's metadata and spec, checked; LoadError names the file, the resource and each bad field."""
    kind, metadata = data.get("kind"), data.get("metadata") or {}
    if data.get("apiVersion") != API_VERSION or not isinstance(kind, str) or kind not in SPEC_MODELS:
        kinds = ", ".join(SPEC_MODELS)
        message = f"{data.get('apiVersion')}/{kind} is not an ECS resource: expected {API_VERSION} {kinds}"
        raise LoadError([Diagnostic(origin, message)])
    if not isinstance(metadata, dict):
        raise LoadError([Diagnostic(origin, "expected an object", kind, "metadata")])
    name, namespace = metadata.get("name"), metadata.get("namespace") or "default"
    if not name:
        raise LoadError([Diagnostic(origin, "metadata.name is required", kind, "metadata.name")])
    for field, value in (("name", name), ("namespace", namespace)):
        if not isinstance(value, str):
            message = f"expected a string, not {type(value).__name__}"
            raise LoadError([Diagnostic(origin, message, kind, f"metadata.{field}")])
    meta = Meta(kind=kind, name=name, namespace=namespace)
    try:
        spec = parse_spec(meta.kind, data.get("spec") or {})
    except ValidationError as error:
        raise LoadError(validation_diagnostics(error, origin, meta.ref)) from error
    return Resource(origin, meta, spec)


def validation_diagnostics(error: ValidationError, origin: str, resource: str) -> list[Diagnostic]:
    """One diagnostic per schema error, each naming the field path under ``spec``."""
    diagnostics = []
    for line in format_validation_error(error):
        path, _, message = line.partition(": ")
        diagnostics.append(Diagnostic(origin, message, resource, path))
    return diagnostics
