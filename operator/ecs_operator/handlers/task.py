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

from ecs_operator.handlers.children import Children, child_write, controlled_by, shared_accounts
from ecs_operator.handlers.common import JsonDict, Runtime, meta_of, parse_spec
from ecs_operator.handlers.indices import Indices
from ecs_operator.k8s import Api
from ecs_operator.models.task import ECSTaskSpec
from ecs_operator.resolve.errors import NotReady
from ecs_operator.resolve.readmodel import Resolver
from ecs_operator.status.conditions import Outcome, now
from ecs_operator.status.task import new_entries, stopped, summary, task_outcome, track
from ecs_operator.translate.context import (
    ClusterContext,
    Meta,
    Rendered,
    Target,
    TaskDefinitionRevision,
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
    if stopped(old):
        # Terminal: a stopped task never changes again, so it costs no API call (resyncs included).
        return task_outcome({k: v for k, v in old.items() if k not in NOT_OURS}, warnings)
    model = runtime.model
    children = Children(api, model, runtime.children, meta)
    pods: dict[str, JsonDict] = {pod.name: pod.body for pod in model.task_pods(meta.uid or "")}
    if entries:
        # Started: the task keeps the revision and cluster it started with, whatever the family or the cluster
        # resources do later (a newer revision, a deleted family), as an ECS task does.
        started = {key: old[key] for key in ("taskDefinition", "clusterName", "group") if key in old}
        if spec.desiredStatus != "STOPPED":
            await restore_children(children, spec, started, await runtime.target(api))
    else:
        td, cluster, rendered = render(model, meta, spec, spec.taskDefinition, spec.cluster, await runtime.target(api))
        # A security group that is not there: the task starts without it, and says so in its warnings.
        warnings = [str(w) for w in rendered.warnings] + [f"{meta.ref}: {error}" for error in rendered.missing]
        rendered_pods = [obj for obj in rendered.objects if obj["kind"] == "Pod"]
        if spec.desiredStatus != "STOPPED":
            await children.apply(shared_accounts([o for o in rendered.objects if o["kind"] != "Pod"], model, meta))
            for pod in rendered_pods:
                pods[pod["metadata"]["name"]] = await create_pod(api, pod, meta)
        entries = new_entries(rendered_pods, spec, meta, td, cluster, runtime.config.region, runtime.config.account_id)
        started = {
            "taskDefinition": td.family_revision,
            "clusterName": cluster.name,
            "group": spec.group or f"family:{td.family}",
        }
    tasks = [await track_and_stop(api, entry, await pod_of(api, meta, entry, pods), spec) for entry in entries]
    status = {
        **started,
        "createdAt": old.get("createdAt") or now(),
        "tasks": tasks,
        **{key: value for key, value in (("launchType", spec.launchType), ("startedBy", spec.startedBy)) if value},
        **summary(tasks, old),
    }
    return task_outcome(status, warnings)


async def pod_of(api: Api, meta: Meta, entry: JsonDict, pods: Mapping[str, JsonDict]) -> JsonDict | None:
    """A task's Pod: from the cache, or read when the cache does not have it (yet) and the task has not
    stopped, so that a Pod the cache has not caught up with is never taken for a deleted one."""
    name = str(entry["podName"])
    if name in pods or entry.get("lastStatus") == "STOPPED":
        return pods.get(name)
    pod = await api.get("Pod", meta.namespace, name)
    return pod if pod is not None and controlled_by(pod, meta.uid) else None


async def track_and_stop(api: Api, entry: JsonDict, pod: JsonDict | None, spec: ECSTaskSpec) -> JsonDict:
    """One task's status from its Pod; the Pod is deleted (with its grace period) when the task must stop."""
    tracked, delete = track(entry, pod, spec)
    if delete and pod is not None:
        grace = pod["spec"].get("terminationGracePeriodSeconds")
        await api.delete("Pod", pod["metadata"]["namespace"], pod["metadata"]["name"], grace)
    return tracked


async def restore_children(children: Children, spec: ECSTaskSpec, started: Mapping[str, Any], target: Target) -> None:
    """Put the running task's other children back (the deny-all NetworkPolicy of networkMode none, ...).

    They are rendered from the revision and cluster the task started with; where those are gone, the Pods
    keep running as they are and nothing is re-applied. Unchanged children are not written.
    """
    revision = started.get("taskDefinition")
    if not revision:
        return
    try:
        _, _, rendered = render(
            children.model, children.owner, spec, revision, started.get("clusterName"), target, revision
        )
    except (NotReady, ValueError):  # gone, or no longer translates (TranslationError, pydantic's errors)
        return
    objects = [obj for obj in rendered.objects if obj["kind"] != "Pod"]
    await children.apply(shared_accounts(objects, children.model, children.owner))


def render(
    model: Indices,
    meta: Meta,
    spec: ECSTaskSpec,
    revision: str,
    cluster_ref: str | None,
    target: Target,
    in_use: str | None = None,
) -> tuple[TaskDefinitionRevision, ClusterContext, Rendered]:
    """The task's objects from the named revision and cluster, with the namespace's security groups."""
    refs = Resolver(model, meta.namespace)
    cluster = refs.cluster(cluster_ref)
    td = refs.task_definition(revision, in_use=in_use)
    return td, cluster, render_task(spec, meta, td, cluster, refs.security_groups(), target)


async def create_pod(api: Api, pod: JsonDict, meta: Meta) -> JsonDict:
    """Create one of the task's Pods, idempotently; the Pod as the API server has it."""
    async with child_write("create", pod):
        created = await api.create(pod)
    return created if created is not None else await claim_existing(api, pod, meta)


async def claim_existing(api: Api, pod: JsonDict, meta: Meta) -> JsonDict:
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
    return existing
