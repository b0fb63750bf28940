"""Checks a raw JSON response against the output shape botocore's model gives for its operation, field by field.

Independent of the server's own serializer: every member must be one the shape has, with the JSON type its
shape says (timestamps as numbers, enums among their values), and every required member present.
"""

from __future__ import annotations

from typing import Any

import botocore.session
from botocore.model import Shape

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "double": (int, float),
    "float": (int, float),
    "timestamp": (int, float),
    "blob": (str,),
}


def output_shape(operation: str) -> Shape:
    return botocore.session.get_session().get_service_model("ecs").operation_model(operation).output_shape


def problems(shape: Shape, value: Any, path: str = "") -> list[str]:
    """What in ``value`` does not fit ``shape`` (empty when it fits)."""
    where = path or shape.name
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{where}: expected an object"]
        found = [f"{where}.{name}: not a member of {shape.name}" for name in value if name not in shape.members]
        found += [f"{where}.{name}: required, missing" for name in shape.required_members if name not in value]
        for name, item in value.items():
            if name in shape.members:
                found += problems(shape.members[name], item, f"{where}.{name}")
        return found
    if kind == "list":
        if not isinstance(value, list):
            return [f"{where}: expected a list"]
        return [p for i, item in enumerate(value) for p in problems(shape.member, item, f"{where}[{i}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{where}: expected a map"]
        return [p for key, item in value.items() for p in problems(shape.value, item, f"{where}.{key}")]
    expected = _JSON_TYPES[kind]
    if not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool)):
        return [f"{where}: expected {kind}, got {value!r}"]
    if kind == "string" and shape.enum and value not in shape.enum:
        return [f"{where}: {value!r} is not one of {shape.name}"]
    return []


def assert_fits(operation: str, raw: dict[str, Any]) -> None:
    found = problems(output_shape(operation), raw)
    assert not found, f"{operation} output does not fit its shape: {found}"
