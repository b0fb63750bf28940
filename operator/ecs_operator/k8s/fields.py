"""The fields a server-side apply owns, as the API server records them in ``managedFields`` (FieldsV1).

"Is there anything to write?" is decided the way server-side apply sees it, never by comparing values: the API
server drops empty values (``env[].value: ""``, ``stdin: false``), adds defaults (``imagePullPolicy``,
``protocol: TCP``), canonicalises quantities, and admission webhooks rewrite what they like; a value comparison
sees a difference forever. What does not change unless someone takes a field from the operator is the set of
fields its manager owns: after an apply it is exactly the set of fields applied (``applied_field_set``), and
it shrinks when another manager changes or removes one of them (``kubectl edit``, ``kubectl scale``, a forced
apply). So a child needs a write when what is rendered changed (its applied-digest annotation) or when the
operator's field set in ``managedFields`` is no longer the set of what it applies.

How a list's items are spelled depends on the list's type (``fieldtypes.py``, generated from the Kubernetes
schemas): an associative list's items by their keys (``k:{"containerPort":80,"protocol":"TCP"}``), a set's
by value (``v:"x"``), an atomic list or struct as one field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ecs_operator.k8s.fieldtypes import FIELD_TYPES, ROOTS

JsonDict = dict[str, Any]
# Not owned by anyone: the API server strips these from every field set.
UNOWNED_TOP = {"apiVersion", "kind", "status"}
UNOWNED_METADATA = {
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
}
# Keys of associative lists that the API server defaults when they are left out.
KEY_DEFAULTS = {"protocol": "TCP"}
Spec = list[Any] | None


def without_nulls(value: Any) -> Any:
    """``value`` without null members (an apply sends no nulls: a null would ask to remove the field)."""
    if isinstance(value, Mapping):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


def applied_field_set(obj: Mapping[str, Any]) -> JsonDict:
    """The FieldsV1 an apply of ``obj`` gives its field manager."""
    root = ROOTS[str(obj["kind"])]
    content = {key: value for key, value in obj.items() if key not in UNOWNED_TOP and value is not None}
    if "metadata" in content:
        metadata = {k: v for k, v in content["metadata"].items() if k not in UNOWNED_METADATA and v is not None}
        if metadata:
            content["metadata"] = metadata
        else:
            del content["metadata"]
    return _struct(content, root)


def _struct(value: Mapping[str, Any], type_name: str | None) -> JsonDict:
    fields = FIELD_TYPES.get(type_name or "", {})
    return {f"f:{key}": _member(item, fields.get(key)) for key, item in value.items() if item is not None}


def _member(value: Any, spec: Spec) -> JsonDict:
    kind = spec[0] if spec else None
    if kind in ("atomic", "list-atomic"):
        return {}
    if kind == "list-set" and isinstance(value, list):
        return {f"v:{_json(item)}": {} for item in value}
    if kind == "list-map" and isinstance(value, list):
        assert spec is not None
        return {_item_key(item, spec[1]): _item(item, spec[2]) for item in value if isinstance(item, Mapping)}
    if isinstance(value, Mapping):
        if kind == "map":
            assert spec is not None
            return {f"f:{key}": _member(item, ["type", spec[1]]) for key, item in value.items() if item is not None}
        return _struct(value, spec[1] if kind == "type" and spec is not None else None)
    return {}  # a scalar, or a list of unknown type (atomic)


def _item(item: Mapping[str, Any], element: str | None) -> JsonDict:
    if element == "atomic":
        return {}
    return {".": {}, **_struct(item, element)}


def _item_key(item: Mapping[str, Any], keys: list[str]) -> str:
    values = {key: item.get(key, KEY_DEFAULTS.get(key)) for key in sorted(keys)}
    return "k:" + _json({key: value for key, value in values.items() if value is not None})


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def duplicate_keys(obj: Mapping[str, Any]) -> list[str]:
    """Items of an associative list that share their keys (the API server refuses such an apply): their paths."""
    found: list[str] = []
    _duplicates(obj, ROOTS.get(str(obj.get("kind")), ""), str(obj.get("kind")), found)
    return found


def _duplicates(value: Any, type_name: str, path: str, found: list[str]) -> None:
    if not isinstance(value, Mapping):
        return
    fields = FIELD_TYPES.get(type_name, {})
    for key, item in value.items():
        spec = fields.get(key)
        if spec is None:
            continue
        here = f"{path}.{key}"
        if spec[0] == "type":
            _duplicates(item, spec[1], here, found)
        elif spec[0] == "list-map" and isinstance(item, list):
            seen: set[str] = set()
            for entry in item:
                if not isinstance(entry, Mapping):
                    continue
                entry_key = _item_key(entry, spec[1])
                if entry_key in seen:
                    found.append(f"{here}[{entry_key[2:]}]")
                seen.add(entry_key)
                if spec[2] not in (None, "atomic"):
                    _duplicates(entry, spec[2], f"{here}[{entry_key[2:]}]", found)
