"""What Kopf watches, and which keys each watch event queues (``Runtime.enqueue``).

Kopf is used for its watches (list + watch, with server-side label selectors: ``handlers/main.py``) and event
handlers only: no change handlers, daemons or timers, so Kopf writes nothing to the custom resources (no
finalizer, no progress or last-handled annotations). Every reconcile goes through the runtime's work queue.

- A custom resource is queued when it appears (also in the listing at start-up) and when its spec changes
  (``metadata.generation`` differs from ``status.observedGeneration``); a status-only change (the operator's
  own status writes) queues nothing. A stopped ECSTask at start-up is not queued: nothing about it changes.
- A child (managed-by label) queues the custom resource that controls it when it changes or goes away: drift is
  repaired, and workload status changes (a rollout) refresh the owner's status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import kopf

from ecs_operator.handlers.common import runtime_of
from ecs_operator.status.task import stopped
from ecs_operator.translate.context import API_VERSION, GROUP, MANAGED_BY

CUSTOM_KINDS = {
    "ECSCluster": "ecsclusters",
    "TaskDefinition": "taskdefinitions",
    "ECSService": "ecsservices",
    "ECSTask": "ecstasks",
    "SecurityGroup": "securitygroups",
}
# Children by kind: (group, version, plural). Only the operator's are listed and watched (label selector).
CHILD_KINDS = {
    "Deployment": ("apps", "v1", "deployments"),
    "DaemonSet": ("apps", "v1", "daemonsets"),
    "Service": ("", "v1", "services"),
    "Ingress": ("networking.k8s.io", "v1", "ingresses"),
    "HorizontalPodAutoscaler": ("autoscaling", "v2", "horizontalpodautoscalers"),
    "PodDisruptionBudget": ("policy", "v1", "poddisruptionbudgets"),
    "NetworkPolicy": ("networking.k8s.io", "v1", "networkpolicies"),
    "ServiceAccount": ("", "v1", "serviceaccounts"),
    "Pod": ("", "v1", "pods"),
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


def register(registry: kopf.OperatorRegistry) -> None:
    """The event handlers of every watched kind."""
    for kind, plural in CUSTOM_KINDS.items():
        kopf.on.event(GROUP, plural, registry=registry, id=f"{plural}-queue")(_custom_resource_event(kind))
    for kind, (group, version, plural) in CHILD_KINDS.items():
        selector = (group, version, plural) if group else (version, plural)
        kopf.on.event(*selector, labels=MANAGED_BY, registry=registry, id=f"child-{kind}")(_child_event)


def _custom_resource_event(kind: str) -> Any:
    async def queue(body: kopf.Body, event: kopf.RawEvent, memo: kopf.Memo, **_: Any) -> None:
        runtime = runtime_of(memo)
        meta = body.metadata
        namespace, name = meta.namespace or "default", meta.name or ""
        if event.get("type") == "DELETED":
            runtime.forget(kind, namespace, name)
        elif needs_reconcile(kind, event.get("type"), body):
            runtime.enqueue(kind, namespace, name)

    return queue


async def _child_event(body: kopf.Body, event: kopf.RawEvent, memo: kopf.Memo, **_: Any) -> None:
    # The listing at start-up (type None) is covered by the owners' own listing.
    owner = controller_of(body)
    if owner is not None and event.get("type") is not None:
        runtime_of(memo).enqueue(owner[0], body.metadata.namespace or "default", owner[1])
