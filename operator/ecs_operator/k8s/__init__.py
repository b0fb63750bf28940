"""Kubernetes API access for the handlers: the only package that sends requests to the API server."""

from ecs_operator.k8s.client import (
    FIELD_MANAGER,
    HANDOVER_MANAGER,
    KINDS,
    Api,
    APIError,
    ClientError,
    Conflict,
    Forbidden,
    NotFound,
    matches_labels,
    post_event,
)

__all__ = [
    "FIELD_MANAGER",
    "HANDOVER_MANAGER",
    "KINDS",
    "APIError",
    "Api",
    "ClientError",
    "Conflict",
    "Forbidden",
    "NotFound",
    "matches_labels",
    "post_event",
]
