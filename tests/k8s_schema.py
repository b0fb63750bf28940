"""Validation of generated objects against the real Kubernetes OpenAPI schemas (kubernetes-validate)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import kubernetes_validate

# The newest Kubernetes release the package knows; strict mode rejects fields the schema does not define.
KUBERNETES_VERSION = kubernetes_validate.latest_version()


def validate_object(obj: dict[str, Any]) -> None:
    """Raise kubernetes_validate.ValidationError (naming the object) if ``obj`` is not valid Kubernetes."""
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        name = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
        raise AssertionError(
            f"{name} is not valid Kubernetes {KUBERNETES_VERSION}: {error.message} at {list(error.path)}"
        ) from error


def validate_objects(objects: Iterable[dict[str, Any]]) -> int:
    """Validate each object; return how many were checked (so callers can assert it is not zero)."""
    count = 0
    for obj in objects:
        validate_object(obj)
        count += 1
    return count
