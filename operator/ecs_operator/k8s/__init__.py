"""Kubernetes API access for the handlers: the only package that sends requests to the API server."""

from ecs_operator.k8s.client import KINDS, Api, APIError, Conflict, NotFound, matches_labels, post_event

__all__ = ["KINDS", "APIError", "Api", "Conflict", "NotFound", "matches_labels", "post_event"]
