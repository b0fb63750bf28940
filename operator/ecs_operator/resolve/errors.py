"""What resolving can answer besides a result."""

from __future__ import annotations


class NotReady(Exception):
    """Something the object needs is not there yet (a cluster, a task definition revision): retried later.

    ``reason`` is the CamelCase condition reason (``ClusterNotFound``, ``TaskDefinitionNotFound``, ...).
    """

    degraded = False

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
