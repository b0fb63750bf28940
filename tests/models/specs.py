"""Builders of small valid specs, and the error lines a spec gives (empty when it is valid)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ecs_operator.models.errors import format_validation_error, parse_spec

Spec = dict[str, Any]
FARGATE: Spec = {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512"}


def problems(kind: str, spec: Spec) -> list[str]:
    """The lines format_validation_error gives for ``spec``; [] when it is valid."""
    try:
        parse_spec(kind, spec)
    except ValidationError as error:
        return format_validation_error(error)
    return []


def container(name: str = "app", **fields: Any) -> Spec:
    return {"name": name, "image": "nginx", "memory": 256, **fields}


def taskdef(*containers: Spec, **fields: Any) -> Spec:
    return {"containerDefinitions": list(containers) or [container()], **fields}


def needs(condition: str, target: str = "db") -> Spec:
    return {"containerName": target, "condition": condition}
