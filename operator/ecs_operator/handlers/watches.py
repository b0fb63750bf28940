"""What Kopf watches, and which keys each watch event queues (``Runtime.enqueue``).

Kopf is used for its watches (list + watch, with server-side label selectors: ``handlers/main.py``), its indices
(``handlers/indices.py``) and event handlers only: no change handlers, daemons or timers, so Kopf writes nothing
to the custom resources (no finalizer, no progress or last-handled annotations). Every reconcile goes through
the runtime's work queue, and is queued by the events that can change its outcome:

| event of | queues |
|---|---|
| a custom resource | itself, when it appears (also when listed at start-up) or its spec changes (``generation``):
  new work, ahead of refreshes, starting from the event's body (``handlers/queue.py``, ``Runtime.seen``) |
| a child (managed-by label) | its owner (``batch_seconds`` later; at once when deleted): drift is put back, a
  workload's status (a rollout) refreshes the owner's |
| a Pod | its ECSTask; its ECSService (by the service label, ``batch_seconds`` later: the tasks a rollout starts
  together are one ECS event); its ECSCluster and security groups (their counts) |
| an ECSCluster | the services and not yet started tasks in it |
| a TaskDefinition, a revision | the services and not yet started tasks of the family, and the TaskDefinition itself |
| a SecurityGroup | the services, not yet started tasks and other groups of its namespace (references by name or id) |
| an ECSService | its cluster (active services) |
| a node joining or leaving | every cluster (registered instances; not watched when limited to namespaces) |

A status-only change of a custom resource (the operator's own status writes) queues nothing, and neither does
a stopped ECSTask listed at start-up. Counts (a cluster's tasks, a group's members) are queued
``refresh_seconds`` later, so that a rollout of a hundred Pods refreshes them a few times, not a hundred.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

import kopf

from ecs_operator.handlers.common import Runtime, runtime_of
from ecs_operator.handlers.indices import APPLIED_KINDS
from ecs_operator.resolve.records import cluster_record, family_of, revision_record
from ecs_operator.resolve.references import cluster_name
from ecs_operator.status.task import stopped
from ecs_operator.translate.context import (
    API_VERSION,
    GROUP,
    LABEL_CLUSTER,
    LABEL_SERVICE,
    SecurityGroupRef,
    TranslationError,
    label_value,
)
from ecs_operator.translate.securitygroup import MEMBER_LABEL_PREFIX, membership_label

CUSTOM_KINDS = {
    "ECSCluster": "ecsclusters",
    "TaskDefinition": "taskdefinitions",
    "ECSService": "ecsservices",
    "ECSTask": "ecstasks",
    "SecurityGroup": "securitygroups",
}
# What the operator watches besides its custom resources, all with the managed-by label selector:
# (group, version, plural). ControllerRevisions are task definition revisions (with the family label too).
CHILD_KINDS = {
    **APPLIED_KINDS,
    "Pod": ("", "v1", "pods"),
    "ControllerRevision": ("apps", "v1", "controllerrevisions"),
}


def spec_changed(body: Mapping[str, Any]) -> bool:
    """Whether the object's spec changed since its last reconcile (or it was never reconciled)."""
    generation = body.get("metadata", {}).get("generation")
    status = body.get("status") or {}
    return not status.get("conditions") or generation is None or status.get("observedGeneration") != generation


def needs_reconcile(kind: str, event_type: str | None, body: Mapping[str, Any]) -> bool:
    if event_type == "MODIFIED":
        return spec_changed(body)
    # Listed at start-up (None) or created: everything but a stopped task whose spec is as reconciled.
    return not (kind == "ECSTask" and stopped(body.get("status") or {}) and not spec_changed(body))


def controller_of(body: Mapping[str, Any]) -> tuple[str, str] | None:
    """(kind, name) of the custom resource that controls ``body``, if one of ours does."""
    for ref in body.get("metadata", {}).get("ownerReferences") or []:
        if ref.get("apiVersion") == API_VERSION and ref.get("controller"):
            return str(ref["kind"]), str(ref["name"])
    return None


def _namespace(body: Mapping[str, Any]) -> str:
    return str(body.get("metadata", {}).get("namespace") or "default")


def queue_referring(runtime: Runtime, namespace: str, what: str, value: str) -> None:
    for kind, name in runtime.model.referring(namespace, what, value):
        runtime.enqueue(kind, namespace, name)


def queue_clusters(runtime: Runtime, namespace: str | None, cluster_label: str | None = None) -> None:
    """Refresh the counts of the clusters named ``cluster_label`` in ``namespace`` (all of them for None)."""
    namespaces = [namespace] if namespace is not None else runtime.model.cluster_namespaces()
    for where in namespaces:
        for record in runtime.model.clusters(where):
            if cluster_label is None or label_value(record.cluster_name) == cluster_label:
                runtime.enqueue("ECSCluster", where, record.name, runtime.config.refresh_seconds)


def queue_groups(runtime: Runtime, namespace: str, member_labels: set[str]) -> None:
    for record in runtime.model.security_groups(namespace):
        if record.spec is not None and membership_label(SecurityGroupRef(record.name, record.spec)) in member_labels:
            runtime.enqueue("SecurityGroup", namespace, record.name, runtime.config.refresh_seconds)


def dependents(runtime: Runtime, kind: str, body: Mapping[str, Any]) -> None:
    """Queue what depends on a custom resource that appeared, changed or went away (see the module docstring)."""
    namespace = _namespace(body)
    if kind == "ECSCluster":
        queue_referring(runtime, namespace, "cluster", cluster_record(body).cluster_name)
    elif kind == "TaskDefinition":
        queue_referring(runtime, namespace, "family", family_of(body))
    elif kind == "SecurityGroup":
        queue_referring(runtime, namespace, "groups", "")
        for record in runtime.model.security_groups(namespace):
            if record.name != body.get("metadata", {}).get("name"):
                runtime.enqueue("SecurityGroup", namespace, record.name)
    elif kind == "ECSService":
        with contextlib.suppress(TranslationError):
            queue_clusters(runtime, namespace, label_value(cluster_name((body.get("spec") or {}).get("cluster"))))


def register(registry: kopf.OperatorRegistry, *, nodes: bool = True) -> None:
    """The event handlers of every watched kind (nodes only if ``nodes``)."""
    for kind, plural in CUSTOM_KINDS.items():
        kopf.on.event(GROUP, plural, registry=registry, id=f"{plural}-queue")(_custom_resource_event(kind))
    for kind, (group, version, plural) in APPLIED_KINDS.items():
        selector = (group, version, plural) if group else (version, plural)
        kopf.on.event(*selector, registry=registry, id=f"child-{kind}")(_child_event)
    kopf.on.event("v1", "pods", registry=registry, id="pods-queue")(_pod_event)
    kopf.on.event("apps", "v1", "controllerrevisions", registry=registry, id="revisions-queue")(_revision_event)
    if nodes:
        kopf.on.event("v1", "nodes", registry=registry, id="nodes-queue")(_node_event)


def _custom_resource_event(kind: str) -> Any:
    async def queue(body: kopf.Body, event: kopf.RawEvent, memo: kopf.Memo, **_: Any) -> None:
        runtime = runtime_of(memo)
        meta = body.metadata
        namespace, name = meta.namespace or "default", meta.name or ""
        event_type = event.get("type")
        if event_type == "DELETED":
            runtime.forget(kind, namespace, name)
        elif needs_reconcile(kind, event_type, body):
            # New work: ahead of refreshes, starting from this body. Not at start-up (type None): the listing of
            # every object is no burst of new work, and each is read when its turn comes.
            fresh = event_type is not None
            runtime.enqueue(kind, namespace, name, urgent=fresh, body=body if fresh else None)
        else:
            runtime.seen_again((kind, namespace, name), body)
            return  # a status-only change: nothing depends on it
        if event_type is not None:  # at start-up, every object is listed and queued anyway
            dependents(runtime, kind, body)

    return queue


async def _child_event(body: kopf.Body, event: kopf.RawEvent, memo: kopf.Memo, **_: Any) -> None:
    # The listing at start-up (type None) is covered by the owners' own listing. A deleted child is put back at
    # once; a changed one (mostly a controller writing its status, a rollout: several times in a few seconds)
    # refreshes its owner ``batch_seconds`` later, once for the lot.
    # Its deletion also ends the operator's memory of applying it (``ChildState``), which a reconcile trusts
    # while the cache does not know the child yet.
    owner = controller_of(body)
    event_type = event.get("type")
    runtime = runtime_of(memo)
    if event_type == "DELETED":
        runtime.children.forget([(str(body.get("kind")), _namespace(body), str(body.metadata.name))])
    if owner is not None and event_type is not None:
        delay = 0.0 if event_type == "DELETED" else runtime.config.batch_seconds
        runtime.enqueue(owner[0], _namespace(body), owner[1], delay)


async def _pod_event(body: kopf.Body, event: kopf.RawEvent, memo: kopf.Memo, **_: Any) -> None:
    if event.get("type") is None:
        return
    runtime = runtime_of(memo)
    namespace = _namespace(body)
    owner = controller_of(body)
    if owner is not None:
        runtime.enqueue(owner[0], namespace, owner[1])
    labels = body.get("metadata", {}).get("labels") or {}
    if LABEL_SERVICE in labels:
        for name in runtime.model.service_named(namespace, labels[LABEL_SERVICE]):
            runtime.enqueue("ECSService", namespace, name, runtime.config.batch_seconds)
    if LABEL_CLUSTER in labels:
        queue_clusters(runtime, namespace, labels[LABEL_CLUSTER])
    members = {key for key in labels if key.startswith(MEMBER_LABEL_PREFIX)}
    if members:
        queue_groups(runtime, namespace, members)


async def _revision_event(body: kopf.Body, event: kopf.RawEvent, memo: kopf.Memo, **_: Any) -> None:
    record = revision_record(body)
    if event.get("type") is None or record is None:
        return
    runtime = runtime_of(memo)
    owner = controller_of(body)
    if owner is not None:
        runtime.enqueue(owner[0], _namespace(body), owner[1])
    queue_referring(runtime, _namespace(body), "family", record.family)


async def _node_event(event: kopf.RawEvent, memo: kopf.Memo, **_: Any) -> None:
    # A node that joins or leaves changes the counts; its status heartbeats do not (label changes: at the resync).
    if event.get("type") in ("ADDED", "DELETED"):
        queue_clusters(runtime_of(memo), None)
