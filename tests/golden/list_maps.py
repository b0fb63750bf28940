"""Duplicate keys in Kubernetes list-maps, found with the OpenAPI schemas kubernetes-validate ships.

A list declared ``x-kubernetes-list-type: map`` (a container's env by name, its ports by (containerPort,
protocol), a pod's topologySpreadConstraints by (topologyKey, whenUnsatisfiable), ...) may not hold two
entries of one key: server-side apply refuses them with "duplicate entries for key", and some validations
with a 422. The JSON Schema validation the tests use does not check it, so this does.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate

from tests.k8s_schema import KUBERNETES_VERSION

Schema = dict[str, Any]


@cache
def _definitions() -> dict[str, Schema]:
    root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{KUBERNETES_VERSION}-local"
    definitions: dict[str, Schema] = json.loads((root / "_definitions.json").read_text())["$defs"]
    return definitions


def _resolve(schema: Schema) -> Schema:
    while "$ref" in schema:
        schema = _definitions()[schema["$ref"].rpartition("/")[2]]
    for option in schema.get("allOf", []):
        if "$ref" in option:
            return _resolve(option)
    return schema


def _schema_of(obj: dict[str, Any]) -> Schema | None:
    """The schema of a top-level object by its apiVersion and kind (the group's definitions are prefixed)."""
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    for name, schema in _definitions().items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            if (gvk.get("group", ""), gvk.get("version"), gvk.get("kind")) == (group, version, obj.get("kind")):
                return {"$ref": f"#/$defs/{name}"}
    return None


def duplicate_keys(obj: dict[str, Any]) -> list[str]:
    """Every list-map entry whose key an earlier entry of the same list has: ``<path>: <key>``."""
    schema = _schema_of(obj)
    return [] if schema is None else _walk(obj, schema, "")


def _walk(value: Any, schema: Schema, path: str) -> list[str]:
    schema = _resolve(schema)
    found: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                found += _walk(item, properties[key], f"{path}.{key}")
    elif isinstance(value, list) and "items" in schema:
        keys = schema.get("x-kubernetes-list-map-keys") if schema.get("x-kubernetes-list-type") == "map" else None
        seen: set[tuple[Any, ...]] = set()
        for index, item in enumerate(value):
            if keys and isinstance(item, dict):
                key = tuple(item.get(name) for name in keys)
                if key in seen:
                    found.append(f"{path}[{index}]: {dict(zip(keys, key, strict=True))}")
                seen.add(key)
            found += _walk(item, schema["items"], f"{path}[{index}]")
    return found
