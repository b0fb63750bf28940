"""What the AWS APIs print but do not take: read-only members, derived from botocore's service models.

A describe-* response holds the output shape (``TaskDefinition``, ``Service``, ``Cluster``, ...); a custom
resource's spec holds the request shape (``RegisterTaskDefinitionRequest``, ...). A member that the output
shape has and the request shape lacks is read-only (``revision``, ``status``, ``runningCount``, ...).
Members that neither shape knows are left for the models to reject: they are not ours to drop.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore.loaders import Loader

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
