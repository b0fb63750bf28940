"""What the AWS APIs print but do not take: read-only members, derived from botocore's service models.

A describe-* response holds the output shape (``TaskDefinition``, ``Service``, ``Cluster``, ...); a custom
resource's spec holds the request shape (``RegisterTaskDefinitionRequest``, ...). A member that the output
shape has and the request shape lacks is read-only (``revision``, ``status``, ``runningCount``, ...).
Members that neither shape knows are left for the models to reject: they are not ours to drop.

``clean`` reads a document the way the AWS SDKs and ECS's API do (placeholders, empty enum strings, ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.loaders import Loader

from ecs_operator.loading.templates import Placeholder, Values, fill

JsonShapes = dict[str, dict[str, Any]]


@cache
def service_shapes(service: str) -> JsonShapes:
    """botocore's shapes of one AWS service ("ecs", "application-autoscaling", "ec2")."""
    shapes: JsonShapes = Loader().load_service_model(service, "service-2")["shapes"]
    return shapes


def drop_read_only(value: Any, service: str, output: str, request: str, path: str = "") -> tuple[Any, list[str]]:
    """``value`` (in the ``output`` shape) without the members ``request`` lacks, and their paths."""
    if output == request:
        return value, []
    shapes = service_shapes(service)
    out, req = shapes[output], shapes[request]
    if out["type"] == "structure" == req["type"] and isinstance(value, dict):
        return _drop_members(value, service, out["members"], req["members"], path)
    if out["type"] == "list" == req["type"] and isinstance(value, list):
        return _drop_items(value, service, out["member"]["shape"], req["member"]["shape"], path)
    return value, []


def _drop_members(
    value: dict[str, Any], service: str, out: dict[str, Any], req: dict[str, Any], path: str
) -> tuple[dict[str, Any], list[str]]:
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for key, item in value.items():
        here = f"{path}.{key}" if path else key
        if key in out and key not in req:
            dropped.append(here)
            continue
        if key in out:
            item, below = drop_read_only(item, service, out[key]["shape"], req[key]["shape"], here)
            dropped.extend(below)
        kept[key] = item
    return kept, dropped


def _drop_items(value: list[Any], service: str, out: str, req: str, path: str) -> tuple[list[Any], list[str]]:
    kept: list[Any] = []
    dropped: list[str] = []
    for index, item in enumerate(value):
        item, below = drop_read_only(item, service, out, req, f"{path}[{index}]")
        kept.append(item)
        dropped.extend(below)
    return kept, dropped


# Strings the container's shell or process reads: a ``${VAR}`` there is the shell's, not a template's.
_SHELL_MEMBERS = frozenset(
    {
        ("ContainerDefinition", "command"),
        ("ContainerDefinition", "entryPoint"),
        ("ContainerOverride", "command"),
        ("HealthCheck", "command"),
    }
)
# ECS's API stores a port mapping protocol it does not know as tcp.
_PROTOCOL_SHAPE = "TransportProtocol"
# The member that a list item is without meaning: left out for an unfilled placeholder, it takes the item along.
_ITEM_KEYS = {"PortMapping": "containerPort"}
_DROP = object()
# String values people write as numbers (task sizes, environment values; map values too): read as their text.
_TEXT_MEMBERS = frozenset(
    {
        ("RegisterTaskDefinitionRequest", "cpu"),
        ("RegisterTaskDefinitionRequest", "memory"),
        ("TaskDefinition", "cpu"),
        ("TaskDefinition", "memory"),
        ("TaskOverride", "cpu"),
        ("TaskOverride", "memory"),
        ("KeyValuePair", "value"),
    }
)


@dataclass(frozen=True)
class Change:
    """Something ``clean`` changed: ``field`` (a path), what it did, why; ``strict`` False when only informative."""

    field: str
    action: str  # "dropped", "rewrote", "filled"
    reason: str
    group: str = ""
    strict: bool = True


def clean(
    value: Any, service: str, shapes: tuple[str, ...], values: Values, path: str = ""
) -> tuple[Any, list[Change]]:
    """A document as the AWS SDKs and ECS's API take it, read with botocore's shapes (``shapes``: the top
    structure's, first match wins): placeholders filled, empty enum strings unset (the AWS SDK for Go sends
    them for unset members), enum values in another case matched, an unknown port protocol as tcp, and a
    placeholder nothing fills in a number or boolean left out. Members no shape knows are left for the models."""
    changes: list[Change] = []
    result = _clean(value, service, shapes, values, path, False, changes)
    return (None if result is _DROP else result), changes


def _clean(
    value: Any,
    service: str,
    shapes: tuple[str, ...],
    values: Values,
    path: str,
    shell: bool,
    changes: list[Change],
    text_value: bool = False,
) -> Any:
    models = service_shapes(service)
    shape = models[shapes[0]]
    kind = shape["type"]
    if kind == "structure" and isinstance(value, dict):
        kept: dict[str, Any] = {}
        for key, item in value.items():
            owner = next((name for name in shapes if key in models[name].get("members", {})), None)
            if owner is None:
                kept[key] = item
                continue
            member = models[owner]["members"][key]
            here = f"{path}.{key}" if path else key
            in_shell, as_text = (owner, key) in _SHELL_MEMBERS, (owner, key) in _TEXT_MEMBERS
            cleaned = _clean(item, service, (member["shape"],), values, here, in_shell, changes, as_text)
            if cleaned is not _DROP:
                kept[key] = cleaned
            elif _ITEM_KEYS.get(shapes[0]) == key:
                changes.append(Change(path, "dropped", f"its {key} is an unfilled placeholder", "placeholder item"))
                return _DROP
        return kept
    if kind == "list" and isinstance(value, list):
        item_shape = (shape["member"]["shape"],)
        cleaned_items = [
            _clean(item, service, item_shape, values, f"{path}[{index}]", shell, changes)
            for index, item in enumerate(value)
        ]
        return [item for item in cleaned_items if item is not _DROP]
    if kind == "map" and isinstance(value, dict):
        value_shape = (shape["value"]["shape"],)
        return {
            key: _clean(item, service, value_shape, values, f"{path}.{key}", shell, changes, True)
            for key, item in value.items()
        }
    if isinstance(value, str):
        return _clean_string(value, shapes[0], shape, values, path, shell, changes)
    if text_value and kind == "string" and isinstance(value, bool | int | float):
        # "cpu": 256, {"name": "PORT", "value": 8080}: ECS's API reads a number (or boolean) given for a string
        # value as its text, and the SDKs pass it on.
        text = json.dumps(value)
        changes.append(Change(path, "rewrote", f"{text} -> {text!r}: a string in ECS's API", "number as text", False))
        return text
    return value


def _clean_string(
    value: str, name: str, shape: dict[str, Any], values: Values, path: str, shell: bool, changes: list[Change]
) -> Any:
    text, filled = fill(value, values, shell=shell)
    unfilled = [f.placeholder for f in filled if f.source is None]
    for found in filled:
        if found.source not in (None, "--set"):
            reason = f"{found.placeholder.text} from {found.source}"
            changes.append(Change(path, "filled", reason, _group(found.placeholder), False))
    if unfilled and not shell:
        if shape["type"] != "string":  # a number or boolean has no stand-in: left unset
            reason = f"{_unfilled(unfilled)}; left out, so ECS's default applies"
            changes.extend(Change(path, "dropped", reason, _group(p)) for p in unfilled)
            return _DROP
        reason = f"{_unfilled(unfilled)}; {', '.join(repr(p.stand_in) for p in unfilled)} stands in"
        changes.extend(Change(path, "rewrote", reason, _group(p)) for p in unfilled)
    enum = shape.get("enum")
    if not enum or text in enum:
        return text
    if text == "":
        changes.append(Change(path, "dropped", "empty: unset, as the AWS SDKs send an unset value", "empty value"))
        return _DROP
    same = next((option for option in enum if option.lower() == text.lower()), None)
    if same is not None:
        changes.append(Change(path, "rewrote", f"{text} -> {same}", "letter case", False))
        return same
    if name == _PROTOCOL_SHAPE:
        reason = f"{text} -> tcp: ECS's API stores a protocol other than udp as tcp; use appProtocol for {text}"
        changes.append(Change(path, "rewrote", reason, "port protocol"))
        return "tcp"
    return text


def _unfilled(found: list[Placeholder]) -> str:
    shown = ", ".join(p.text for p in found)
    keys = " ".join(f"{p.key}=VALUE" for p in found)
    return f"placeholder {shown} is not filled (give --set {keys}, or set it in the environment)"


def _group(placeholder: Placeholder) -> str:
    return f"placeholder {placeholder.key}"
