"""Generate ``operator/ecs_operator/k8s/fieldtypes.py`` from the Kubernetes OpenAPI schemas (kubernetes-validate).

Server-side apply records the fields a manager owns in ``managedFields`` (FieldsV1), and how it spells a list
item depends on the list's type: associative lists (``x-kubernetes-list-type: map``) by their keys, sets by
value, atomic lists and atomic structs (``x-kubernetes-map-type: atomic``) as one field. The operator computes
the field set of what it applies (``k8s/fields.py``) to tell whether a child lost a field it owns; this table is
the schema knowledge that needs, for the kinds it applies, and only for the types whose subtree holds such a
list or struct (everything else is walked key by key).

    .venv/bin/python -m tests.operator.fieldtypes_update     # rewrite the module; tests/operator/test_fields.py
                                                             # fails while it is stale
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from typing import Any

import kubernetes_validate

ROOT = pathlib.Path(__file__).resolve().parents[2]
TARGET = ROOT / "operator" / "ecs_operator" / "k8s" / "fieldtypes.py"
# The Kubernetes release whose schemas the table is made from: the local control plane's (tests/apiserver checks
# the table against it). Releases mark more structs atomic over time; where an older API server records a field
# set otherwise, the operator learns its spelling after one apply (handlers/applied.py).
SCHEMA_VERSION = "1.34.0"
ROOTS = {
    "Deployment": "io.k8s.api.apps.v1.Deployment",
    "DaemonSet": "io.k8s.api.apps.v1.DaemonSet",
    "Service": "io.k8s.api.core.v1.Service",
    "Ingress": "io.k8s.api.networking.v1.Ingress",
    "HorizontalPodAutoscaler": "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
    "PodDisruptionBudget": "io.k8s.api.policy.v1.PodDisruptionBudget",
    "NetworkPolicy": "io.k8s.api.networking.v1.NetworkPolicy",
    "ServiceAccount": "io.k8s.api.core.v1.ServiceAccount",
    "PodTemplate": "io.k8s.api.core.v1.PodTemplate",
    "PersistentVolumeClaim": "io.k8s.api.core.v1.PersistentVolumeClaim",
}
Spec = list[Any]


def definitions(version: str = SCHEMA_VERSION) -> dict[str, Any]:
    folder = pathlib.Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{version}-local"
    loaded: dict[str, Any] = json.loads((folder / "_definitions.json").read_text())
    return dict(loaded["$defs"])


def reference(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return str(ref).rsplit("/", 1)[-1] if ref else None


class Generator:
    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.types: dict[str, dict[str, Spec]] = {}
        self.visiting: set[str] = set()

    def atomic(self, name: str) -> bool:
        return self.defs.get(name, {}).get("x-kubernetes-map-type") == "atomic"

    def special(self, name: str) -> bool:
        """Whether the type is walked differently from key by key: atomic, or holding something that is."""
        if self.atomic(name):
            return True
        if name in self.visiting:
            return False
        if name not in self.types:
            self.visiting.add(name)
            fields = {}
            for field, schema in (self.defs.get(name, {}).get("properties") or {}).items():
                spec = self.field(schema)
                if spec is not None:
                    fields[field] = spec
            self.visiting.discard(name)
            self.types[name] = fields
        return bool(self.types[name])

    def field(self, schema: dict[str, Any]) -> Spec | None:
        if schema.get("x-kubernetes-map-type") == "atomic":  # a map marked atomic where it is used
            return ["atomic"]
        types = schema.get("type") or []
        if "array" in types or schema.get("type") == "array":
            return self.array(schema)
        ref = reference(schema)
        if ref is not None:
            if self.atomic(ref):
                return ["atomic"]
            return ["type", ref] if self.special(ref) else None
        values = schema.get("additionalProperties")
        if isinstance(values, dict):
            value_ref = reference(values)
            if value_ref is not None and self.special(value_ref):
                return ["map", value_ref]
        return None

    def array(self, schema: dict[str, Any]) -> Spec:
        item_ref = reference(schema.get("items") or {})
        list_type = schema.get("x-kubernetes-list-type")
        keys = schema.get("x-kubernetes-list-map-keys")
        strategies = str(schema.get("x-kubernetes-patch-strategy") or "").split(",")
        if list_type is None and "merge" in strategies:  # as the API server reads a list of an older schema
            merge_key = schema.get("x-kubernetes-patch-merge-key")
            list_type, keys = ("map", [merge_key]) if merge_key else ("set", None)
        if list_type == "map":
            element = None
            if item_ref is not None and self.atomic(item_ref):
                element = "atomic"
            elif item_ref is not None and self.special(item_ref):
                element = item_ref
            return ["list-map", list(keys or []), element]
        if list_type == "set":
            return ["list-set"]
        return ["list-atomic"]

    def table(self) -> dict[str, dict[str, Spec]]:
        for name in ROOTS.values():
            self.special(name)
        return {name: fields for name, fields in sorted(self.types.items()) if fields}


def render(version: str = SCHEMA_VERSION) -> str:
    table = Generator(definitions(version)).table()
    text = f'''"""Generated by ``python -m tests.operator.fieldtypes_update`` from the Kubernetes {version} OpenAPI
schemas: do not edit. How server-side apply spells the fields of the kinds the operator applies (see ``k8s/fields.py``).

``ROOTS``: each kind's type. ``FIELD_TYPES``: for each type whose subtree is not walked key by key, its fields:
``["atomic"]`` (one field), ``["type", T]`` (a struct of type T), ``["map", T]`` (a map of T),
``["list-atomic"]``, ``["list-set"]``, ``["list-map", keys, element]`` (items by their keys; element: the items'
type, "atomic", or None when walked key by key).
"""

from typing import Any

ROOTS = {json.dumps(ROOTS, indent=4)}

FIELD_TYPES: dict[str, dict[str, list[Any]]] = {json.dumps(table, indent=4)}
'''
    return text.replace("null", "None")


def formatted(text: str) -> str:
    ruff = pathlib.Path(sys.executable).parent / "ruff"
    result = subprocess.run(
        [str(ruff), "format", "--stdin-filename", str(TARGET), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return result.stdout


def main() -> None:
    TARGET.write_text(formatted(render()))
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
