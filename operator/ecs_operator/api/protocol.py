"""The ECS wire protocol as botocore's service model describes it: AWS JSON 1.1 over ``POST /``.

A request names its operation in ``X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`` and carries
its input as JSON (``Content-Type: application/x-amz-json-1.1``). Input is checked with botocore's own
``ParamValidator`` (required members, types, unknown members, minimums) and then against the constraints
botocore leaves to the service (enums, maximums, patterns). Output is written in the operation's output
shape: members the shape does not have are left out (``strict`` makes that an error, for tests), timestamps
become epoch seconds, empty values are dropped as ECS drops them.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.validate import ParamValidator

from ecs_operator.api.errors import EcsError, invalid_parameter

CONTENT_TYPE = "application/x-amz-json-1.1"
JsonDict = dict[str, Any]


@cache
def service_model() -> ServiceModel:
    """botocore's ECS model (the installed botocore's, so a new botocore brings its new operations)."""
    return botocore.session.get_session().get_service_model("ecs")


@cache
def modelled_errors(operation: str) -> frozenset[str]:
    """The error names botocore's model lists for an operation."""
    return frozenset(shape.name for shape in service_model().operation_model(operation).error_shapes)


def modelled_error(operation: str, code: str, message: str, fallback: str = "ClientException") -> EcsError:
    """``code`` where the model lists it for the operation, else ``fallback`` (a client sees only errors its
    SDK knows for the call)."""
    return EcsError(code if code in modelled_errors(operation) else fallback, message)


def target_prefix() -> str:
    return str(service_model().metadata["targetPrefix"])


def operation_of(target: str | None) -> OperationModel:
    """The operation an ``X-Amz-Target`` header names; ``UnknownOperationException`` otherwise."""
    prefix, _, name = (target or "").partition(".")
    if prefix != target_prefix() or name not in service_model().operation_names:
        raise EcsError("UnknownOperationException", f"unknown operation {target or '(no X-Amz-Target header)'}")
    return service_model().operation_model(name)


def parse_body(body: bytes) -> JsonDict:
    """The request's JSON object; an empty body is ``{}`` (as botocore sends for operations without input)."""
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise EcsError("SerializationException", f"the request body is not JSON: {error}") from error
    if not isinstance(value, dict):
        raise EcsError("SerializationException", "the request body must be a JSON object")
    return value


def validate_input(operation: OperationModel, params: JsonDict) -> None:
    """botocore's parameter validation, then the model's constraints; InvalidParameterException names each
    failing member."""
    shape = operation.input_shape
    if shape is None:
        if params:
            raise invalid_parameter(f"{operation.name} takes no parameters")
        return
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        raise invalid_parameter(report.generate_report())
    problems = list(constraint_problems(shape, params, ""))
    if problems:
        raise invalid_parameter("; ".join(problems))


def constraint_problems(shape: Shape, value: Any, path: str) -> Iterator[str]:
    """What botocore does not check: enum values, maximum lengths and values, string patterns."""
    where = path or "input"
    limits = shape.metadata
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if value.get(name) is not None:
                yield from constraint_problems(member, value[name], f"{path}.{name}" if path else name)
    elif shape.type_name == "list" and isinstance(value, list):
        if "max" in limits and len(value) > limits["max"]:
            yield f"{where}: at most {limits['max']} items, got {len(value)}"
        for index, item in enumerate(value):
            yield from constraint_problems(shape.member, item, f"{where}[{index}]")
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            yield from constraint_problems(shape.value, item, f"{where}.{key}")
    elif shape.type_name == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            yield f"{where}: {value!r} is not one of {', '.join(shape.enum)}"
        if "max" in limits and len(value) > limits["max"]:
            yield f"{where}: at most {limits['max']} characters, got {len(value)}"
        if "pattern" in limits and not _pattern(limits["pattern"]).fullmatch(value):
            yield f"{where}: {value!r} does not match {limits['pattern']}"
    elif _is_number(shape, value) and "max" in limits and value > limits["max"]:
        yield f"{where}: at most {limits['max']}, got {value}"


def _is_number(shape: Shape, value: Any) -> bool:
    return shape.type_name in ("integer", "long", "double", "float") and isinstance(value, int | float)


# The model's patterns are Java regular expressions; the Unicode classes they use have close Python equivalents.
_UNICODE_CLASSES = {r"\p{L}": r"\w", r"\p{N}": r"\w", r"\p{Z}": r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u3000"}


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    for java, python in _UNICODE_CLASSES.items():
        pattern = pattern.replace(java, python)
    return re.compile(pattern)


class ShapeMismatch(Exception):
    """Output that the model's shape does not have (raised only in strict mode)."""


def serialize_output(shape: Shape | None, value: Any, *, strict: bool = False) -> JsonDict:
    """``value`` written in the output shape: unknown members left out, timestamps as epoch seconds."""
    if shape is None:
        return {}
    result = _serialize(shape, value, "", strict)
    return result if isinstance(result, dict) else {}


def _serialize(shape: Shape, value: Any, path: str, strict: bool) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return _mismatch(path, "an object", value, strict)
        members = shape.members
        unknown = sorted(set(value) - set(members))
        if unknown and strict:
            raise ShapeMismatch(f"{path or shape.name}: {unknown} are not members of {shape.name}")
        result = {}
        for name, member in members.items():
            item = value.get(name)
            if item is None:
                continue
            serialized = _serialize(member, item, f"{path}.{name}" if path else name, strict)
            if serialized is not None:
                result[name] = serialized
        return result
    if kind == "list":
        if not isinstance(value, list | tuple):
            return _mismatch(path, "a list", value, strict)
        items = [_serialize(shape.member, item, f"{path}[{i}]", strict) for i, item in enumerate(value)]
        return [item for item in items if item is not None]
    if kind == "map":
        if not isinstance(value, dict):
            return _mismatch(path, "a map", value, strict)
        return {str(k): _serialize(shape.value, v, f"{path}.{k}", strict) for k, v in value.items()}
    if kind == "timestamp":
        return epoch_seconds(value) if value is not None else None
    if kind == "boolean":
        return value if isinstance(value, bool) else _mismatch(path, "a boolean", value, strict)
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return _mismatch(path, "an integer", value, strict)
        return value
    if kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _mismatch(path, "a number", value, strict)
        return value
    if kind == "string":
        if not isinstance(value, str):
            return _mismatch(path, "a string", value, strict)
        if strict and shape.enum and value not in shape.enum:
            raise ShapeMismatch(f"{path}: {value!r} is not one of {shape.name}'s values")
        return value
    return value


def _mismatch(path: str, expected: str, value: Any, strict: bool) -> None:
    if strict:
        raise ShapeMismatch(f"{path}: expected {expected}, got {type(value).__name__} {value!r}")
    return None


def epoch_seconds(value: Any) -> float | None:
    """A timestamp as the JSON protocol sends it: seconds since the epoch (RFC 3339 strings converted)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
        return moment.timestamp()
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None
