"""Children: apply what translation rendered, prune what it no longer renders, and react to hand edits.

Every child carries the managed-by label and a controller ownerReference to its custom resource. An Event
on any such child (edited, deleted, or its status written by a Kubernetes controller) reconciles the owner:
that puts back a child changed by hand and refreshes the owner's status without polling.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import kopf

from ecs_operator.handlers.common import JsonDict, Reconciler, api_of, reconcile_object, runtime_of
from ecs_operator.k8s import Api
from ecs_operator.translate.context import API_VERSION, MANAGED_BY, Meta

# Kinds a custom resource may own (besides Pods of tasks, which are never re-applied: see handlers/task.py).
APPLIED_KINDS = (
    "Deployment",
    "DaemonSet",
    "Service",
    "Ingress",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "ServiceAccount",
    "ConfigMap",
    "PodTemplate",
    "PersistentVolumeClaim",
)
WATCHED_KINDS = {
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


def in_sync(desired: Any, actual: Any) -> bool:
    """Whether ``actual`` already holds everything in ``desired`` (fields the API server adds are ignored)."""
    if isinstance(desired, Mapping):
        return isinstance(actual, Mapping) and all(
            key in actual and in_sync(value, actual[key]) for key, value in desired.items()
        )
    if isinstance(desired, list):
        return isinstance(actual, list) and len(desired) == len(actual) and all(map(in_sync, desired, actual))
    return bool(desired == actual)


def controlled_by(obj: Mapping[str, Any], uid: str | None) -> bool:
    """Whether ``uid`` is the object's controller; shared children (no controller) are left to the GC."""
    refs = obj.get("metadata", {}).get("ownerReferences") or []
    return uid is not None and any(ref.get("uid") == uid and ref.get("controller") for ref in refs)


async def apply_children(api: Api, objects: list[JsonDict]) -> int:
    """Apply each object that differs from what is there; how many were written."""
    written = 0
    for obj in objects:
        meta = obj["metadata"]
        current = await api.get(obj["kind"], meta.get("namespace"), meta["name"])
        # Writing only on a difference matters on an emulator, where every write is a watch event.
        if current is None or not in_sync(obj, current):
            await api.apply(obj)
            written += 1
    return written


async def prune_children(
    api: Api, meta: Meta, keep: list[JsonDict], kinds: tuple[str, ...] = APPLIED_KINDS
) -> list[str]:
    """Delete children ``meta`` controls that were not rendered this time; their names."""
    wanted = {(obj["kind"], obj["metadata"]["name"]) for obj in keep}
    deleted = []
    for kind in kinds:
        for obj in await api.list(kind, meta.namespace, MANAGED_BY):
            name = obj["metadata"]["name"]
            if controlled_by(obj, meta.uid) and (kind, name) not in wanted:
                await api.delete(kind, meta.namespace, name)
                deleted.append(f"{kind}/{name}")
    return deleted


async def sync_children(api: Api, meta: Meta, objects: list[JsonDict]) -> None:
    await apply_children(api, objects)
    await prune_children(api, meta, objects)


def owner_of(body: Mapping[str, Any]) -> tuple[str, str] | None:
    """(kind, name) of the custom resource that controls ``body``, if one of ours does."""
    for ref in body.get("metadata", {}).get("ownerReferences") or []:
        if ref.get("apiVersion") == API_VERSION and ref.get("controller"):
            return str(ref["kind"]), str(ref["name"])
    return None


def register(registry: kopf.OperatorRegistry, reconcilers: Mapping[str, Reconciler]) -> None:
    """Reconcile the owner whenever one of its children changes or goes away."""

    async def child_changed(
        body: kopf.Body, event: kopf.RawEvent, memo: kopf.Memo, logger: kopf.Logger, **_: Any
    ) -> None:
        owner = owner_of(body)
        # The initial listing at startup (type None) is covered by the owners' own resume handlers.
        if owner is None or event.get("type") is None or owner[0] not in reconcilers:
            return
        kind, name = owner
        api = api_of(memo, logger)
        parent = {
            "apiVersion": API_VERSION,
            "kind": kind,
            "metadata": {"name": name, "namespace": body.metadata.namespace},
        }
        await reconcile_object(api, parent, runtime_of(memo), reconcilers[kind], raise_errors=False)

    for kind, (group, version, plural) in WATCHED_KINDS.items():
        selector = (group, version, plural) if group else (version, plural)
        kopf.on.event(*selector, labels=MANAGED_BY, registry=registry, id=f"child-{kind}")(child_changed)
