"""ECSService as DescribeServices shows it: deployments with rollout states and ECS-phrased events, from what the
service's workloads (Deployments, DaemonSet) and tasks (Pods) report.

Deployments (ECS's, in status): the PRIMARY runs the revision being rolled out, ACTIVE ones the revisions
still being replaced. A rollout is COMPLETED when every workload reports all replicas updated and available,
FAILED when (with the circuit breaker on) a Deployment reports ProgressDeadlineExceeded. Both are final, as in
ECS: capacity lost afterwards (an eviction, an HPA scaling, a node added under a DaemonSet) shows in the counts,
the steady-state event and the Ready/Progressing reason ``TasksPending``, not as the rollout in progress again.

Task events name the tasks, as ECS does ("has started 2 tasks: (task web-5d8f7-x7k2p) (task ...)."): a task's
ID is its Pod's name (what ``kubectl`` takes). ``status.runningTasks`` keeps the live ones' names (at most 100)
so that the next reconcile sees which came and went. Counts in status stay those the workloads report.

A workload's status counts only once it is about the current template: with metadata.generation, when
status.observedGeneration has caught up; an API server without generations (an emulator) is judged by the
Progressing condition's lastUpdateTime being later than the deployment's createdAt.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from ecs_operator.models.service import ECSServiceSpec
from ecs_operator.models.status import MAX_RUNNING_TASKS, MAX_SERVICE_EVENTS
from ecs_operator.status.conditions import Outcome, now
from ecs_operator.translate.context import ClusterContext, Meta, TaskDefinitionRevision

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class Observed:
    """What the service's workloads report about the current template."""

    desired: int
    running: int
    pending: int
    state: str  # IN_PROGRESS, COMPLETED, FAILED
    reason: str


def precise_now() -> str:
    # Microseconds: a rollout and the controller's first report can fall in the same second.
    return datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")


def parse_time(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def is_fresh(workload: JsonDict, since: str | None) -> bool:
    """Whether the workload's status is about its current template (see the module docstring)."""
    status = workload.get("status") or {}
    generation = workload["metadata"].get("generation")
    if generation is not None:
        return int(status.get("observedGeneration") or 0) >= int(generation)
    progressing = next((c for c in status.get("conditions") or [] if c.get("type") == "Progressing"), None)
    updated, created = parse_time((progressing or {}).get("lastUpdateTime")), parse_time(since)
    if workload["kind"] == "DaemonSet" or created is None:
        return bool(status)
    return updated is not None and updated > created


def observe_deployment(workload: JsonDict, since: str | None) -> Observed:
    spec, status = workload.get("spec") or {}, workload.get("status") or {}
    desired = int(spec.get("replicas", 1))
    ready = int(status.get("readyReplicas") or 0)
    running, pending = ready, max(int(status.get("replicas") or 0) - ready, 0)
    if not is_fresh(workload, since):
        return Observed(desired, running, pending, "IN_PROGRESS", "waiting for the Deployment controller")
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Progressing" and condition.get("reason") == "ProgressDeadlineExceeded":
            deadline = spec.get("progressDeadlineSeconds", 600)
            return Observed(
                desired,
                running,
                pending,
                "FAILED",
                f"tasks failed to start within {deadline}s (progressDeadlineSeconds)",
            )
    updated, available = int(status.get("updatedReplicas") or 0), int(status.get("availableReplicas") or 0)
    if updated == desired and available >= desired and int(status.get("replicas") or 0) == desired:
        return Observed(desired, running, pending, "COMPLETED", "")
    return Observed(desired, running, pending, "IN_PROGRESS", f"{available} of {desired} tasks available")


def observe_daemonset(workload: JsonDict, since: str | None) -> Observed:
    status = workload.get("status") or {}
    desired = int(status.get("desiredNumberScheduled") or 0)
    ready = int(status.get("numberReady") or 0)
    if not is_fresh(workload, since):
        return Observed(desired, ready, max(desired - ready, 0), "IN_PROGRESS", "waiting for the DaemonSet controller")
    updated, available = int(status.get("updatedNumberScheduled") or 0), int(status.get("numberAvailable") or 0)
    state = "COMPLETED" if updated == desired and available == desired else "IN_PROGRESS"
    return Observed(
        desired,
        ready,
        max(desired - ready, 0),
        state,
        "" if state == "COMPLETED" else f"{available} of {desired} tasks available",
    )


def combine(parts: list[Observed]) -> Observed:
    """One service over its workloads (one Deployment per capacity provider share)."""
    failed = [part for part in parts if part.state == "FAILED"]
    if failed:
        state, reason = "FAILED", failed[0].reason
    elif parts and all(part.state == "COMPLETED" for part in parts):
        state, reason = "COMPLETED", ""
    else:
        state, reason = "IN_PROGRESS", next((p.reason for p in parts if p.state != "COMPLETED"), "no workload yet")
    return Observed(
        sum(p.desired for p in parts), sum(p.running for p in parts), sum(p.pending for p in parts), state, reason
    )


def deployment_id(meta: Meta, task_definition: str, created_at: str) -> str:
    """``ecs-svc/`` and 19 digits, as ECS deployment IDs look; stable for one rollout."""
    digest = hashlib.sha256(f"{meta.uid}/{task_definition}/{created_at}".encode()).hexdigest()
    return f"ecs-svc/{int(digest[:16], 16) % 10**19:019d}"


def event(message: str) -> JsonDict:
    return {"id": str(uuid.uuid4()), "createdAt": now(), "message": message}


@dataclass
class ServiceState:
    """The status being built, and the ECS events that building it produced (oldest first)."""

    deployments: list[JsonDict]
    events: list[str]


def roll(meta: Meta, old: list[JsonDict], td: TaskDefinitionRevision) -> ServiceState:
    """Deployments after choosing ``td``: the PRIMARY stays if it runs ``td``, else a new PRIMARY starts."""
    primary = old[0] if old and old[0].get("taskDefinition") == td.family_revision else None
    if primary is not None:
        return ServiceState([dict(d) for d in old], [])
    created = precise_now()
    new = {
        "id": deployment_id(meta, td.family_revision, created),
        "status": "PRIMARY",
        "taskDefinition": td.family_revision,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": "ECS deployment in progress.",
        "createdAt": created,
        "updatedAt": created,
        "failedTasks": 0,
    }
    older = [{**d, "status": "ACTIVE"} for d in old if d.get("taskDefinition") != td.family_revision]
    return ServiceState([new, *older], [])


def live(pod: JsonDict) -> bool:
    """A task whose desiredStatus is RUNNING: PENDING or RUNNING, not stopped, not being stopped."""
    stopped = (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
    return not stopped and not pod["metadata"].get("deletionTimestamp")


def remembered_tasks(old_status: JsonDict) -> list[str] | None:
    """The tasks the last reconcile saw: none for a new service; None (not known) when they were too many to
    remember or an older operator wrote the status."""
    if "runningTasks" in old_status:
        return list(old_status["runningTasks"])
    return None if old_status.get("deployments") else []


def to_remember(tasks: list[str]) -> list[str] | None:
    """The tasks to keep in status; None (which the status merge patch deletes) when there are too many."""
    return tasks if len(tasks) <= MAX_RUNNING_TASKS else None


def named(tasks: list[str]) -> str:
    return " ".join(f"(task {task})" for task in tasks)


def task_events(name: str, before: list[str] | None, after: list[str], running_change: int) -> list[str]:
    """ECS's events for the tasks that started and stopped since ``before``, naming them; when ``before`` is
    not known, counted (unnamed) from the change of the workloads' running count."""
    if before is None:
        started, stopped = max(running_change, 0), max(-running_change, 0)
        return [
            *([f"(service {name}) has started {started} tasks."] if started else []),
            *([f"(service {name}) has stopped {stopped} running tasks."] if stopped else []),
        ]
    seen, still = set(before), set(after)
    new, gone = [t for t in after if t not in seen], [t for t in before if t not in still]
    return [
        *([f"(service {name}) has started {len(new)} tasks: {named(new)}."] if new else []),
        *([f"(service {name}) has stopped {len(gone)} running tasks: {named(gone)}."] if gone else []),
    ]


def failed_tasks(
    state: ServiceState, observed: Observed, failed_now: int, threshold: int | None
) -> tuple[Observed, int]:
    """The PRIMARY's failed tasks, as ECS's circuit breaker counts them, and the observation with the breaker's
    verdict: FAILED once they reach ``threshold`` (None: no breaker) while the rollout is in progress.

    ``failed_now`` is what the PRIMARY's current tasks show (``status/failures.py``: each exit of an essential
    container, each task that cannot start); the count never goes down while the deployment lasts, since tasks
    that failed and were replaced take their failures with them.
    """
    failed = max(int(state.deployments[0].get("failedTasks") or 0), failed_now)
    if threshold is not None and observed.state == "IN_PROGRESS" and failed >= threshold:
        reason = f"tasks failed to start ({failed} failed tasks, the threshold is {threshold})"
        return Observed(observed.desired, observed.running, observed.pending, "FAILED", reason), failed
    return observed, failed


def settle(
    name: str, state: ServiceState, observed: Observed, old_status: JsonDict, tasks: list[str], failed: int = 0
) -> None:
    """Counts and rollout state of the PRIMARY from what the workloads report; events for what changed."""
    primary = state.deployments[0]
    previous_state = primary.get("rolloutState")
    primary.update(desiredCount=observed.desired, runningCount=observed.running, pendingCount=observed.pending)
    primary["failedTasks"] = max(int(primary.get("failedTasks") or 0), failed)
    # COMPLETED and FAILED are final, as in ECS: capacity lost later (a Pod evicted, an HPA or a new node
    # raising the count) shows in the counts and the steady-state check, never as the rollout starting over.
    if previous_state not in ("COMPLETED", "FAILED") and observed.state != previous_state:
        primary.update(rolloutState=observed.state, updatedAt=now())
        primary["rolloutStateReason"] = {
            "COMPLETED": "ECS deployment completed.",
            "FAILED": f"ECS deployment circuit breaker: {observed.reason}.",
        }.get(observed.state, "ECS deployment in progress.")
        if observed.state == "COMPLETED":
            state.events.append(f"(service {name}) (deployment {primary['id']}) deployment completed.")
        if observed.state == "FAILED":
            state.events.append(f"(service {name}) (deployment {primary['id']}) deployment failed: {observed.reason}.")
    if primary["rolloutState"] == "COMPLETED":
        state.deployments[1:] = []  # the older deployments are drained
    for deployment in state.deployments[1:]:
        deployment.update(
            runningCount=0 if primary["rolloutState"] == "COMPLETED" else deployment.get("runningCount", 0)
        )
    running_change = observed.running - int(old_status.get("runningCount") or 0)
    state.events += task_events(name, remembered_tasks(old_status), tasks, running_change)
    steady = primary["rolloutState"] == "COMPLETED" and observed.running == observed.desired and observed.pending == 0
    was_steady = (
        old_status.get("runningCount") == old_status.get("desiredCount")
        and (old_status.get("deployments") or [{}])[0].get("rolloutState") == "COMPLETED"
    )
    if steady and (not was_steady or state.events):
        state.events.append(f"(service {name}) has reached a steady state.")


def rollback_target(state: ServiceState) -> JsonDict | None:
    """The last COMPLETED deployment still listed (the one the failed rollout was replacing)."""
    return next((d for d in state.deployments[1:] if d.get("rolloutState") == "COMPLETED"), None)


def circuit_breaker(spec: ECSServiceSpec) -> tuple[bool, bool]:
    config = spec.deploymentConfiguration
    breaker = config.deploymentCircuitBreaker if config else None
    return (bool(breaker and breaker.enable), bool(breaker and breaker.enable and breaker.rollback))


def service_outcome(
    name: str,
    spec: ECSServiceSpec,
    cluster: ClusterContext,
    td: TaskDefinitionRevision,
    state: ServiceState,
    observed: Observed,
    warnings: list[str],
    old: JsonDict,
    rolled_back: bool,
) -> Outcome:
    status: JsonDict = {
        "serviceName": name,
        "clusterName": cluster.name,
        "status": "ACTIVE",
        "schedulingStrategy": spec.schedulingStrategy or "REPLICA",
        "desiredCount": observed.desired,
        "runningCount": observed.running,
        "pendingCount": observed.pending,
        "taskDefinition": td.family_revision,
        "deployments": state.deployments,
        "events": ([event(m) for m in reversed(state.events)] + list(old.get("events") or []))[:MAX_SERVICE_EVENTS],
    }
    if spec.launchType:
        status["launchType"] = spec.launchType
    primary = state.deployments[0]
    if primary["rolloutState"] == "FAILED":
        return Outcome(
            status,
            ready=False,
            reason="DeploymentFailed",
            message=primary["rolloutStateReason"],
            degraded=True,
            warnings=warnings,
        )
    if primary["rolloutState"] == "IN_PROGRESS":
        message = f"deploying {td.family_revision}: {observed.reason}"
        if rolled_back:
            message = f"rolling back to {td.family_revision}: {observed.reason}"
        return Outcome(
            status, ready=False, reason="RolloutInProgress", message=message, progressing=True, warnings=warnings
        )
    if rolled_back:
        message = f"the deployment of {spec.taskDefinition} failed and was rolled back; running {td.family_revision}"
        return Outcome(status, reason="RolledBack", message=message, degraded=True, warnings=warnings)
    message = f"{observed.running} of {observed.desired} tasks running {td.family_revision}"
    if observed.running != observed.desired or observed.pending:
        # The deployment is done; the service is replacing or adding tasks (eviction, scaling): still ready.
        message += f", {observed.pending} pending"
        return Outcome(status, reason="TasksPending", message=message, progressing=True, warnings=warnings)
    return Outcome(status, reason="SteadyState", message=message, warnings=warnings)
