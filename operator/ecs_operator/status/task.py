"""ECSTask as DescribeTasks shows it, from its Pods: lastStatus, stop codes and reasons, containers, timestamps.

``lastStatus`` from each Pod: no status PROVISIONING, Pending PENDING, Running RUNNING, being deleted
DEPROVISIONING, Succeeded/Failed or gone STOPPED. A container that cannot start (its image cannot be pulled, a
secret it needs is missing) stops the task with ``TaskFailedToStart`` and ECS's reason (``status/failures.py``).
When an essential container (the translator lists them in the
Pod annotation ``ecs.compat.dev/essential-containers``) has terminated, or ``desiredStatus: STOPPED`` asks for
StopTask, the task must stop: ``track`` says so and the handler deletes the Pod with its grace period (the
kubelet sends the remaining containers SIGTERM, then SIGKILL after the task definition's stopTimeout), as ECS
does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from ecs_operator.models.task import ECSTaskSpec
from ecs_operator.status.conditions import Outcome, now
from ecs_operator.status.failures import start_failure
from ecs_operator.translate.context import (
    ANNOTATION_CONTAINER_NAMES,
    ClusterContext,
    Meta,
    TaskDefinitionRevision,
    label_value,
)
from ecs_operator.translate.pod import ANNOTATION_ESSENTIAL, apply_overrides
from ecs_operator.translate.service import LABEL_CAPACITY_PROVIDER

JsonDict = dict[str, Any]
ORDER = ["PROVISIONING", "PENDING", "RUNNING", "DEPROVISIONING", "STOPPED"]
ESSENTIAL_EXITED = ("EssentialContainerExited", "Essential container in task exited")
USER_STOPPED = "Task stopped by user"


def task_arn(region: str, account: str, cluster: str, meta: Meta, pod: str) -> str:
    task_id = hashlib.sha256(f"{meta.uid}/{pod}".encode()).hexdigest()[:32]
    return f"arn:aws:ecs:{region}:{account}:task/{cluster}/{task_id}"


def exited(status: Mapping[str, Any]) -> JsonDict | None:
    """How a container last terminated, if it did: its state, or, for a native sidecar the kubelet restarted,
    its lastState (a restart count without one still counts as having exited)."""
    terminated = (status.get("state") or {}).get("terminated") or (status.get("lastState") or {}).get("terminated")
    if terminated is None and int(status.get("restartCount") or 0) > 0:
        return {}
    return dict(terminated) if terminated is not None else None


def container_statuses(pod: JsonDict) -> list[JsonDict]:
    """The pod's containers as ECS shows them: ECS names, lastStatus, exitCode, reason, image.

    Init containers come first (COMPLETE / SUCCESS dependencies run to completion; sidecars for START /
    HEALTHY keep running), then the main containers. An essential sidecar that exited is shown STOPPED even
    if the kubelet has restarted it: its exit is what stops the task.
    """
    annotations = pod["metadata"].get("annotations") or {}
    names = json.loads(annotations.get(ANNOTATION_CONTAINER_NAMES, "{}"))
    essential = set(json.loads(annotations.get(ANNOTATION_ESSENTIAL, "[]")))
    status = pod.get("status") or {}
    reported = {c["name"]: c for c in [*status.get("initContainerStatuses", []), *status.get("containerStatuses", [])]}
    result = []
    for container in [*pod["spec"].get("initContainers", []), *pod["spec"]["containers"]]:
        container_status = reported.get(container["name"], {})
        state = container_status.get("state") or {}
        entry: JsonDict = {
            "name": names.get(container["name"], container["name"]),
            "image": container.get("image"),
            "lastStatus": "PENDING",
        }
        terminated = exited(container_status)
        if terminated is not None and ("running" not in state or container["name"] in essential):
            entry["lastStatus"] = "STOPPED"
            if terminated.get("exitCode") is not None:
                entry["exitCode"] = terminated["exitCode"]
            if terminated.get("reason"):
                entry["reason"] = terminated["reason"]
        elif "running" in state:
            entry["lastStatus"] = "RUNNING"
        elif state.get("waiting", {}).get("reason"):
            entry["reason"] = state["waiting"]["reason"]
        result.append(entry)
    return result


def essential_exited(pod: JsonDict) -> bool:
    """Whether an essential container has exited: a main container, or a native sidecar (which the kubelet
    restarts, so a restart or a lastState.terminated counts)."""
    essential = json.loads((pod["metadata"].get("annotations") or {}).get(ANNOTATION_ESSENTIAL, "[]"))
    status = pod.get("status") or {}
    reported = [*status.get("initContainerStatuses", []), *status.get("containerStatuses", [])]
    return any(c["name"] in essential and exited(c) is not None for c in reported)


def main_container_exited(pod: JsonDict) -> bool:
    """Whether a main container ran and exited (else a stopped task failed to start: e.g. an init container
    failed)."""
    return any("terminated" in (c.get("state") or {}) for c in (pod.get("status") or {}).get("containerStatuses") or [])


def pod_last_status(pod: JsonDict) -> str:
    if pod["metadata"].get("deletionTimestamp"):
        return "DEPROVISIONING"
    phase = (pod.get("status") or {}).get("phase")
    return {"Pending": "PENDING", "Running": "RUNNING", "Succeeded": "STOPPED", "Failed": "STOPPED"}.get(
        phase or "", "PROVISIONING"
    )


def stop(entry: JsonDict, code: str, reason: str) -> None:
    entry.setdefault("stopCode", code)
    entry.setdefault("stoppedReason", reason)
    entry["desiredStatus"] = "STOPPED"


def track(entry: JsonDict, pod: JsonDict | None, spec: ECSTaskSpec) -> tuple[JsonDict, bool]:
    """One task's status from its Pod, and whether the Pod must be deleted now (the task must stop)."""
    entry = dict(entry)
    if entry.get("lastStatus") == "STOPPED":
        return entry, False  # a stopped task stays as it was recorded
    if pod is None:
        if spec.desiredStatus == "STOPPED":
            stop(entry, "UserInitiated", spec.stopReason or USER_STOPPED)
        else:  # deleted by someone else: the task stopped, and a stopped task is never started again
            code = "UserInitiated" if entry.get("lastStatus") in ("RUNNING", "DEPROVISIONING") else "TaskFailedToStart"
            stop(entry, code, "Task stopped: its Pod was deleted")
        entry["lastStatus"] = "STOPPED"
        return stamp(entry, None), False
    entry["containers"] = container_statuses(pod)
    entry["lastStatus"] = pod_last_status(pod)
    cannot_start = start_failure(pod)
    must_stop = spec.desiredStatus == "STOPPED" or essential_exited(pod) or bool(cannot_start)
    if spec.desiredStatus == "STOPPED":
        stop(entry, "UserInitiated", spec.stopReason or USER_STOPPED)
    elif cannot_start:  # ECS stops a task whose image cannot be pulled (or that cannot start otherwise)
        stop(entry, "TaskFailedToStart", cannot_start)
    elif essential_exited(pod) or entry["lastStatus"] == "STOPPED":
        failed_to_start = not (essential_exited(pod) or main_container_exited(pod))
        stop(entry, *(("TaskFailedToStart", "Task failed to start") if failed_to_start else ESSENTIAL_EXITED))
    delete = must_stop and entry["lastStatus"] not in ("STOPPED", "DEPROVISIONING")
    if delete:
        entry["lastStatus"] = "DEPROVISIONING"
    return stamp(entry, pod), delete


def container_started(status: JsonDict) -> str | None:
    state = status.get("state") or {}
    started = (state.get("running") or state.get("terminated") or {}).get("startedAt")
    return str(started) if started else None


def containers_started(pod: JsonDict) -> str | None:
    """When the last of the Pod's containers started running (the task's PENDING -> RUNNING); None if one has not."""
    starts = [container_started(c) for c in (pod.get("status") or {}).get("containerStatuses") or []]
    if len(starts) < len(pod["spec"]["containers"]) or None in starts:
        return None
    return max(str(start) for start in starts)


def stamp(entry: JsonDict, pod: JsonDict | None) -> JsonDict:
    """The task's timestamps (RFC 3339), each set once, from the Pod where it tells, else when first seen."""
    entry.setdefault("createdAt", (pod or {}).get("metadata", {}).get("creationTimestamp") or now())
    started = containers_started(pod) if pod is not None else None
    if "startedAt" not in entry and (started or entry["lastStatus"] == "RUNNING"):
        entry["startedAt"] = started or now()
    if entry.get("desiredStatus") == "STOPPED" or entry["lastStatus"] in ("DEPROVISIONING", "STOPPED"):
        entry.setdefault("stoppingAt", now())
    if entry["lastStatus"] == "STOPPED":
        entry.setdefault("stoppedAt", now())
    return entry


def summary(tasks: list[JsonDict], old: JsonDict) -> JsonDict:
    """The top-level fields over all tasks: the least advanced state, stop details of the first stopped, the
    capacity provider they share, and the timestamps (first start, first stop, last stopped), each set once."""
    result: JsonDict = {"lastStatus": min((t["lastStatus"] for t in tasks), key=ORDER.index, default="PROVISIONING")}
    result["desiredStatus"] = (
        "STOPPED" if tasks and all(t.get("desiredStatus") == "STOPPED" for t in tasks) else "RUNNING"
    )
    stopped = [t for t in tasks if "stopCode" in t]
    if stopped:
        result.update(stopCode=stopped[0]["stopCode"], stoppedReason=stopped[0]["stoppedReason"])
    result["startedAt"] = old.get("startedAt") or min(times(tasks, "startedAt"), default=None)
    result["stoppingAt"] = old.get("stoppingAt") or min(times(tasks, "stoppingAt"), default=None)
    if result["lastStatus"] == "STOPPED":
        result["stoppedAt"] = old.get("stoppedAt") or max(times(tasks, "stoppedAt"), default=None)
    providers = {t.get("capacityProviderName") for t in tasks}
    result["capacityProviderName"] = providers.pop() if len(providers) == 1 else None
    return {k: v for k, v in result.items() if v is not None}


def times(tasks: list[JsonDict], key: str) -> list[str]:
    return [str(t[key]) for t in tasks if t.get(key)]


def task_size(spec: ECSTaskSpec, td: TaskDefinitionRevision) -> JsonDict:
    """The task size as DescribeTasks shows it (CPU units and MiB, as strings), RunTask's overrides applied."""
    effective = apply_overrides(td.spec, spec.overrides)
    size = {"cpu": effective.cpu_units, "memory": effective.memory_mib}
    return {key: str(value) for key, value in size.items() if value is not None}


def capacity_provider(pod: JsonDict, spec: ECSTaskSpec, cluster: ClusterContext) -> JsonDict:
    """The provider of a task placed by a capacity provider strategy (tasks run by launch type name none, as in
    ECS); the Pod's label, mapped back to the strategy's own spelling."""
    label = (pod["metadata"].get("labels") or {}).get(LABEL_CAPACITY_PROVIDER)
    if label is None or spec.launchType:
        return {}
    strategy = spec.capacityProviderStrategy or (cluster.spec.defaultCapacityProviderStrategy if cluster.spec else None)
    names = [item.capacityProvider for item in strategy or []]
    return {"capacityProviderName": next((name for name in names if label_value(name) == label), label)}


def new_entries(
    pods: list[JsonDict],
    spec: ECSTaskSpec,
    meta: Meta,
    td: TaskDefinitionRevision,
    cluster: ClusterContext,
    region: str,
    account_id: str,
) -> list[JsonDict]:
    """One status entry per rendered Pod: what is known before the Pod runs."""
    size = task_size(spec, td)
    return [
        {
            "podName": pod["metadata"]["name"],
            "taskArn": task_arn(region, account_id, cluster.name, meta, pod["metadata"]["name"]),
            "lastStatus": "PROVISIONING",
            "desiredStatus": "RUNNING",
            **size,
            **capacity_provider(pod, spec, cluster),
        }
        for pod in pods
    ]


def task_outcome(status: JsonDict, warnings: list[str]) -> Outcome:
    last = status["lastStatus"]
    if last == "RUNNING":
        return Outcome(status, reason="Running", message="all tasks are RUNNING", warnings=warnings)
    if last != "STOPPED":
        return Outcome(
            status, ready=False, reason="Pending", message=f"tasks are {last}", progressing=True, warnings=warnings
        )
    failed = [
        t
        for t in status["tasks"]
        if t.get("stopCode") == "TaskFailedToStart"
        or any(
            c.get("exitCode") not in (None, 0)
            for c in t.get("containers") or []
            if c.get("lastStatus") == "STOPPED" and t.get("stopCode") != "UserInitiated"
        )
    ]
    if failed:
        return Outcome(
            status,
            ready=False,
            reason="TaskFailed",
            message=f"{status.get('stoppedReason')}",
            degraded=True,
            warnings=warnings,
            final=True,
        )
    return Outcome(status, reason="Stopped", message=f"{status.get('stoppedReason')}", warnings=warnings, final=True)


def stopped(status: Mapping[str, Any]) -> bool:
    """Whether every task of an ECSTask is STOPPED: then nothing about it changes any more."""
    tasks = status.get("tasks") or []
    return bool(tasks) and all(task.get("lastStatus") == "STOPPED" for task in tasks)
