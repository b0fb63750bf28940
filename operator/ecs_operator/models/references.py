"""ECS references as services and tasks write them: ``family``, ``family:N``, names, and full ARNs.

Pure, in the bottom layer, so that offline rendering (loading) and the operator (handlers) parse them alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[A-Za-z0-9_-]{1,255}"
_ARN_PREFIX = r"arn:aws[a-z-]*:ecs:[a-z0-9-]*:[0-9]*:"
_TASK_DEFINITION = re.compile(rf"^(?:{_ARN_PREFIX}task-definition/)?(?P<family>{_NAME})(?::(?P<revision>[0-9]+))?$")
_CLUSTER = re.compile(rf"^(?:{_ARN_PREFIX}cluster/)?(?P<name>{_NAME})$")


@dataclass(frozen=True)
class TaskDefinitionRef:
    """A task definition reference: a family and, when pinned, a revision."""

    family: str
    revision: int | None = None

    def __str__(self) -> str:
        return self.family if self.revision is None else f"{self.family}:{self.revision}"


def parse_task_definition(value: str) -> TaskDefinitionRef:
    """``family``, ``family:N`` or ``arn:aws:ecs:<region>:<account>:task-definition/family:N``."""
    match = _TASK_DEFINITION.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a task definition family, family:revision or task definition ARN")
    revision = match["revision"]
    if revision is not None and int(revision) < 1:
        raise ValueError(f"{value!r}: revisions start at 1")
    return TaskDefinitionRef(match["family"], int(revision) if revision is not None else None)


def parse_cluster(value: str) -> str:
    """The cluster name in a name or ``arn:aws:ecs:<region>:<account>:cluster/<name>``."""
    match = _CLUSTER.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a cluster name or cluster ARN")
    return match["name"]
