"""ECSTask (RunTask): ``count`` Pods created once, restartPolicy Never; status as DescribeTasks shows it
(``ecs_operator.status.task``).

Pods are created, never re-applied: a Pod's spec cannot change, and a task that stopped stays stopped (a
Pod gone missing is a stopped task, not one to start again). Creation is idempotent (``<task>-<i>`` names,
409 = already there, checked to be this task's by its controller ownerReference), so an operator restart
duplicates nothing; a Pod of that name that is not this task's (an ECSTask deleted and re-created under the
same name, its old Pod not yet collected) is waited for (``PodNameInUse``), never recorded as a stopped task.

A task's Pods are listed by its ``ecs.compat.dev/task`` and ``ecs.compat.dev/cluster`` labels. Once every
task is STOPPED, the reconcile (resyncs included) returns the recorded status without any API call. A task
that must stop (an essential container exited, StopTask) has its Pods deleted with their grace period.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecs_operator.handlers.children import apply_children, child_write, controlled_by
from ecs_operator.handlers.common import JsonDict, Runtime, meta_of, parse_spec
from ecs_operator.handlers.reads import resolver
from ecs_operator.k8s import Api
from ecs_operator.models.task import ECSTaskSpec
from ecs_operator.resolve.errors import NotReady
from ecs_operator.resolve.references import parse_reference
from ecs_operator.status.conditions import Outcome, now
from ecs_operator.status.task import new_entries, summary, task_outcome, track
from ecs_operator.translate.context import (
    LABEL_CLUSTER,
    LABEL_TASK,
    MANAGED_BY,
    ClusterContext,
    Meta,
    Rendered,
    TaskDefinitionRevision,
    label_value,
)
from ecs_operator.translate.task import render_task

KIND = "ECSTask"
NOT_OURS = ("conditions", "warnings", "observedGeneration")  # status fields write_status sets itself


async def reconcile_task(api: Api, body: JsonDict, runtime: Runtime) -> Outcome:
    meta = meta_of(body)
    spec = parse_spec(ECSTaskSpec, body)
    old = body.get("status") or {}
    entries = list(old.get("tasks") or [])
    warnings = list(old.get("warnings") or [])
    if entries and all(entry.get("lastStatus") == "STOPPED" for entry in entries):
        # Terminal: a stopped task never changes again, so it costs no API call (resyncs included).
        return task_outcome({k: v for k, v in old.items() if k not in NOT_OURS}, warnings)
    if entries:
        # Started: the task keeps the revision and cluster it started with, whatever the family or the cluster
        # resources do later (a newer revision, a deleted family), as an ECS task does.
        started = {key: old[key] for key in ("taskDefinition", "clusterName", "group") if key in old}
        if spec.desiredStatus != "STOPPED":
            await restore_children(api, meta, spec, started)
    else:
        td, cluster, rendered = await render(api, meta, spec, spec.taskDefinition, spec.cluster)
        warnings = [str(w) for w in rendered.warnings]
        pods = [obj for obj in rendered.objects if obj["kind"] == "Pod"]
        if spec.desiredStatus != "STOPPED":
            await apply_children(api, [obj for obj in rendered.objects if obj["kind"] != "Pod"])
            for pod in pods:
                async with child_write("create", pod):
                    created = await api.create(pod)
                if created is None:
                    await claim_existing(api, pod, meta)
        entries = new_entries(pods, spec, meta, td, cluster, runtime.config.region, runtime.config.account_id)
        started = {
            "taskDefinition": td.family_revision,
            "clusterName": cluster.name,
            "group": spec.group or f"family:{td.family}",
        }
    selector = {**MANAGED_BY, LABEL_TASK: label_value(meta.name)}
    if started.get("clusterName"):
        selector[LABEL_CLUSTER] = label_value(started["clusterName"])
    live = {
        pod["metadata"]["name"]: pod
        for pod in await api.list("Pod", meta.namespace, selector)
        if controlled_by(pod, meta.uid)
    }
    tasks = [await track_and_stop(api, entry, live.get(entry["podName"]), spec) for entry in entries]
    status = {
        **started,
        "createdAt": old.get("createdAt") or now(),
        "tasks": tasks,
        **{key: value for key, value in (("launchType", spec.launchType), ("startedBy", spec.startedBy)) if value},
        **summary(tasks, old),
    }
    return task_outcome(status, warnings)


async def track_and_stop(api: Api, entry: JsonDict, pod: JsonDict | None, spec: ECSTaskSpec) -> JsonDict:
    """One task's status from its Pod; the Pod is deleted (with its grace period) when the task must stop."""
    tracked, delete = track(entry, pod, spec)
    if delete and pod is not None:
        grace = pod["spec"].get("terminationGracePeriodSeconds")
        await api.delete("Pod", pod["metadata"]["namespace"], pod["metadata"]["name"], grace)
    return tracked


async def restore_children(api: Api, meta: Meta, spec: ECSTaskSpec, started: Mapping[str, Any]) -> None:
    """Put the running task's other children back (the deny-all NetworkPolicy of networkMode none, ...).

    They are rendered from the revision and cluster the task started with; where those are gone, the Pods
    keep running as they are and nothing is re-applied. Unchanged children are not written (applied digest).
    """
    revision = started.get("taskDefinition")
    if not revision:
        return
    try:
        _, _, rendered = await render(api, meta, spec, revision, started.get("clusterName"), in_use=revision)
    except (NotReady, ValueError):  # gone, or no longer translates (TranslationError, pydantic's errors)
        return
    await apply_children(api, [obj for obj in rendered.objects if obj["kind"] != "Pod"])


async def render(
    api: Api, meta: Meta, spec: ECSTaskSpec, revision: str, cluster_ref: str | None, in_use: str | None = None
) -> tuple[TaskDefinitionRevision, ClusterContext, Rendered]:
    """The task's objects from the named revision and cluster, with the namespace's security groups."""
    refs = await resolver(api, meta.namespace, [parse_reference(revision).family])
    cluster = refs.cluster(cluster_ref)
    td = refs.task_definition(revision, in_use=in_use)
    return td, cluster, render_task(spec, meta, td, cluster, refs.security_groups())


async def claim_existing(api: Api, pod: JsonDict, meta: Meta) -> None:
    """After a create answered 409: the Pod of that name must be this task's (created by an earlier reconcile
    or before an operator restart). Another's (an ECSTask deleted and re-created under the same name whose old
    Pod is still being garbage-collected, or a Pod made by hand) is waited for, never taken for this task's:
    the task is not started, and so never recorded STOPPED for a Pod it never had."""
    name = pod["metadata"]["name"]
    existing = await api.get("Pod", meta.namespace, name)
    if existing is None:  # deleted between the create and the read: the next attempt creates it
        raise NotReady("PodNameInUse", f"Pod {name} was being deleted; creating it again")
    if not controlled_by(existing, meta.uid):
        raise NotReady(
            "PodNameInUse",
            f"Pod {name} already exists and does not belong to this task (a previous ECSTask of the same name "
            "still being deleted, or a Pod made by hand); the task starts once it is gone",
        )
