"""ECS errors as the API sends them: ``{"__type": <exception name>, "message": ...}`` with an HTTP status.

The exception names are those of botocore's ECS model (``ClusterNotFoundException``, ...), which boto3 and the
AWS CLI turn into their exception classes; the few that come before an operation is known are AWS's own
protocol errors (``UnknownOperationException``, ``SerializationException``, the signature errors of
``auth.py``), named as ECS itself names them.
"""

from __future__ import annotations

from typing import Any


class EcsError(Exception):
    """An error answer: ``code`` is the ``__type``; ``status`` the HTTP status (400 for client errors)."""

    def __init__(self, code: str, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"__type": self.code, "message": self.message, **self.extra}


def client_error(message: str) -> EcsError:
    return EcsError("ClientException", message)


def invalid_parameter(message: str) -> EcsError:
    return EcsError("InvalidParameterException", message)


def cluster_not_found(name: str = "") -> EcsError:
    return EcsError("ClusterNotFoundException", f"Cluster not found{f': {name}' if name else ''}.")


def service_not_found(name: str = "") -> EcsError:
    return EcsError("ServiceNotFoundException", f"Service not found{f': {name}' if name else ''}.")


def server_error(message: str) -> EcsError:
    """The Kubernetes API server failed or could not be reached: ECS's ServerException (HTTP 500), which SDKs
    retry."""
    return EcsError("ServerException", message, status=500)
