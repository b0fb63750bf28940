"""What a Pod says about its task's failures, in ECS's terms.

- **Failed to start** (``start_failure``): a container the kubelet cannot start. ECS stops such a task with
  ``stopCode: TaskFailedToStart`` and a reason in its own words: ``CannotPullContainerError: ...`` when the image
  cannot be pulled, ``ResourceInitializationError: ...`` when what the container needs (a secret, a config) is
  not there, ``CannotCreateContainerError: ...`` when the runtime refuses it.
- **Essential exits** (``essential_exits``): how often an essential container stopped. In ECS each is a task
  stopped (and, in a service, replaced); the kubelet restarts the container in place instead, so each restart
  of an essential container counts as one failed task.
- **An established task that died** (``established_exit``): an essential container that had run for a while
  (``ESTABLISHED_SECONDS``), then stopped, e.g. killed by its failing health check. ECS replaces such a task as a
  whole (its other containers, volumes and completed dependencies start afresh): the operator deletes the Pod
  and the service's workload starts a new one. A container that keeps failing right at start is left to the
  kubelet's growing back-off instead, so that a broken image is not restarted in a tight loop.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Any

from ecs_operator.translate.pod import ANNOTATION_ESSENTIAL

ESTABLISHED_SECONDS = 10.0
START_FAILURES = {
    "ErrImagePull": "CannotPullContainerError",
    "ImagePullBackOff": "CannotPullContainerError",
    "InvalidImageName": "CannotPullContainerError",
    "ErrImageNeverPull": "CannotPullContainerError",
    "CreateContainerConfigError": "ResourceInitializationError",
    "CreateContainerError": "CannotCreateContainerError",
}


def essential_names(pod: Mapping[str, Any]) -> set[str]:
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    return set(json.loads(annotations.get(ANNOTATION_ESSENTIAL, "[]")))


def statuses(pod: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    status = pod.get("status") or {}
    return [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]


def start_failure(pod: Mapping[str, Any]) -> str:
    """ECS's stopped reason for a task whose container cannot start ("" when none is stuck)."""
    for container in statuses(pod):
        waiting = (container.get("state") or {}).get("waiting") or {}
        kind = START_FAILURES.get(str(waiting.get("reason") or ""))
        if kind is not None:
            detail = str(waiting.get("message") or waiting.get("reason"))
            return f"{kind}: {detail}"
    return ""


def essential_exits(pod: Mapping[str, Any]) -> int:
    """How many times the Pod's essential containers stopped (restarts, or a stop the kubelet did not restart)."""
    essential = essential_names(pod)
    count = 0
    for container in statuses(pod):
        if container.get("name") not in essential:
            continue
        restarts = int(container.get("restartCount") or 0)
        stopped_now = "terminated" in (container.get("state") or {})
        count += restarts + (1 if stopped_now else 0)
    return count


def _time(value: Any) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def established_exit(pod: Mapping[str, Any], seconds: float = ESTABLISHED_SECONDS) -> bool:
    """Whether an essential container stopped after running at least ``seconds`` (see the module docstring)."""
    essential = essential_names(pod)
    for container in statuses(pod):
        if container.get("name") not in essential:
            continue
        last = (container.get("lastState") or {}).get("terminated") or (container.get("state") or {}).get("terminated")
        if not last:
            continue
        started, finished = _time(last.get("startedAt")), _time(last.get("finishedAt"))
        if started is not None and finished is not None and (finished - started).total_seconds() >= seconds:
            return True
    return False
