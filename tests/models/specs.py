"""Builders of small valid specs, and the error lines a spec gives (empty when it is valid)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from ecs_operator.models.errors import format_validation_error, parse_spec

Spec = dict[str, Any]
FARGATE: Spec = {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512"}


# The suffix that says which AWS service refuses a cross-field problem too (tests/models/test_errors.py checks it).
REFUSED_TOO = re.compile(r" \((ECS|EC2|Application Auto Scaling) refuses it too\)$")


def problems(kind: str, spec: Spec) -> list[str]:
    """The lines format_validation_error gives for ``spec``, without the "(ECS refuses it too)" of cross-field
    problems; [] when it is valid."""
    try:
        parse_spec(kind, spec)
    except ValidationError as error:
        return [REFUSED_TOO.sub("", line) for line in format_validation_error(error)]
    return []


def container(name: str = "app", **fields: Any) -> Spec:
    return {"name": name, "image": "nginx", "memory": 256, **fields}


def taskdef(*containers: Spec, **fields: Any) -> Spec:
    return {"containerDefinitions": list(containers) or [container()], **fields}


def needs(condition: str, target: str = "db") -> Spec:
    return {"containerName": target, "condition": condition}
