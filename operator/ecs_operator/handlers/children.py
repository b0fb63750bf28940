"""Children: apply what translation rendered, prune what it no longer renders, and react to hand edits.

Every child carries the managed-by label and a controller ownerReference to its custom resource. An Event
on any such child (edited, deleted, or its status written by a Kubernetes controller) reconciles the owner:
that puts back a child changed by hand and refreshes the owner's status without polling.

A child is applied when the digest of what was last applied (annotation ``ecs.compat.dev/applied-digest``)
is not the digest of what is rendered now (so a field the operator stops setting is dropped by server-side
apply), or when the live object no longer holds every rendered field (edited by hand). Nothing is written
otherwise: on an emulator every write is a watch event, which would reconcile the owner again.

Two things cannot be applied as they are: a workload whose selector changed (immutable: the workload is
deleted and created again) and a Deployment that stops setting ``replicas`` because an HPA takes over (the
live count is first applied by a separate field manager, so dropping it does not reset it to 1).

A child is never taken over: if an object of that kind and name exists and is not the operator's (no
managed-by label, or, for a controlled child, no controller ownerReference to this owner), nothing is written
and the owner reports ``ChildRejected`` (a forced apply would overwrite it, and with our ownerReference on it
the garbage collector would delete it with the owner).

API errors on writes name the child: 400 / 422 are ``ChildRejected``; a 403 is ``NotAllowed`` (reason
``Forbidden``, retried) only when it is an RBAC denial ("... cannot <verb> resource ..."), ``QuotaExceeded``
(retried) for a ResourceQuota, and ``ChildRejected`` otherwise (PodSecurity, admission webhooks); a 404 is
``NotReady`` with reason ``NamespaceOrApiMissing`` (a real API server creates on apply).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import re
from collections.abc import AsyncIterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ecs_operator.handlers.common import ChildRejected, JsonDict, NotAllowed, QuotaExceeded
from ecs_operator.k8s import FIELD_MANAGER, HANDOVER_MANAGER, Api, ClientError, Forbidden, NotFound, shared_owner
from ecs_operator.resolve.errors import NotReady
from ecs_operator.translate.context import GROUP, MANAGED_BY, Meta

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
    "PodTemplate",
    "PersistentVolumeClaim",
)
WORKLOAD_KINDS = ("Deployment", "DaemonSet")
ANNOTATION_APPLIED_DIGEST = f"{GROUP}/applied-digest"

# Quantities the API server writes back in canonical form ("1Gi" for "1024Mi", "1" for "1000m").
QUANTITY_MAPS = {"limits", "requests"}  # container resources, a PVC's storage request
QUANTITY_FIELDS = {"sizeLimit"}  # emptyDir
_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$")
_SUFFIXES = {
    **{suffix: Decimal(1024) ** power for power, suffix in enumerate(("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"))},
    **{suffix: Decimal(10) ** power for suffix, power in (("n", -9), ("u", -6), ("m", -3), ("k", 3), ("M", 6))},
    **{suffix: Decimal(10) ** power for suffix, power in (("G", 9), ("T", 12), ("P", 15), ("E", 18))},
}


def quantity(value: Any) -> Decimal | None:
    """A Kubernetes quantity's value ("512Mi", "0.5", "250m", "1e3"); None if it is not one."""
    match = _QUANTITY.match(str(value).strip()) if isinstance(value, (str, int, float)) else None
    if match is None:
        return None
    number, suffix = match.groups()
    try:
        if suffix and suffix[0] in "eE" and len(suffix) > 1:
            return Decimal(number) * Decimal(10) ** int(suffix[1:])
        return Decimal(number) * _SUFFIXES[suffix or ""]
    except (InvalidOperation, KeyError):
        return None


def same_quantity(desired: Any, actual: Any) -> bool:
    if desired == actual:
        return True
    wanted, have = quantity(desired), quantity(actual)
    return wanted is not None and wanted == have


def empty(value: Any) -> bool:
    """None, an empty list, or a map of nothing but empty values: what the API server does not store."""
    if value is None:
        return True
    if isinstance(value, Mapping):
        return all(empty(item) for item in value.values())
    return isinstance(value, list) and not value


def in_sync(desired: Any, actual: Any, key: str = "") -> bool:
    """Whether ``actual`` already holds everything in ``desired``.

    Fields the API server adds are ignored, quantities are compared by value (the API server canonicalises
    them), ownerReferences by inclusion (a shared child also lists its other owners), and empty desired
    values (None, [], {}) are left out, since the API server omits them (``spec.ingress: []``).
    """
    if key in QUANTITY_FIELDS:
        return same_quantity(desired, actual)
    if key == "ownerReferences" and isinstance(desired, list):
        return isinstance(actual, list) and all(any(in_sync(ref, other) for other in actual) for ref in desired)
    if isinstance(desired, Mapping):
        if not isinstance(actual, Mapping):
            return False
        wanted = {name: value for name, value in desired.items() if not empty(value)}
        if key in QUANTITY_MAPS:
            return all(name in actual and same_quantity(value, actual[name]) for name, value in wanted.items())
        return all(name in actual and in_sync(value, actual[name], str(name)) for name, value in wanted.items())
    if isinstance(desired, list):
        return isinstance(actual, list) and len(desired) == len(actual) and all(map(in_sync, desired, actual))
    return bool(desired == actual)


def digest_annotation(obj: Mapping[str, Any]) -> str:
    """The applied-digest annotation; a shared child has one per owner (each owner applies its own)."""
    owner = shared_owner(obj)
    return f"{ANNOTATION_APPLIED_DIGEST}-{owner}" if owner else ANNOTATION_APPLIED_DIGEST


def with_digest(obj: JsonDict) -> JsonDict:
    """``obj`` stamped with the digest of its rendered form."""
    digest = hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    stamped = copy.deepcopy(obj)
    annotations = stamped["metadata"].setdefault("annotations", {})
    annotations[digest_annotation(obj)] = digest
    return stamped


def controlled_by(obj: Mapping[str, Any], uid: str | None) -> bool:
    """Whether ``uid`` is the object's controller; shared children (no controller) are left to the GC."""
    refs = obj.get("metadata", {}).get("ownerReferences") or []
    return uid is not None and any(ref.get("uid") == uid and ref.get("controller") for ref in refs)


async def apply_children(api: Api, objects: list[JsonDict]) -> int:
    """Apply each object whose rendering changed or whose live copy lost a field; how many were written."""
    written = 0
    for obj in objects:
        desired = with_digest(obj)
        meta = desired["metadata"]
        current = await api.get(desired["kind"], meta.get("namespace"), meta["name"])
        if current is not None and not ours(desired, current):
            raise ChildRejected(
                f"{desired['kind']}/{meta['name']} exists and is not managed by ecs-operator "
                f"for {owner_name(desired)}; rename or delete it"
            )
        if current is not None and in_sync(desired, current):
            continue
        if current is not None and selector_changed(desired, current):
            # A workload's selector is immutable (spec.cluster or the capacity providers changed): replace it.
            async with child_write("delete", desired):
                await api.delete(desired["kind"], meta.get("namespace"), meta["name"])
            current = None
        if current is not None and hands_over_replicas(desired, current):
            async with child_write("patch", desired):
                await api.apply(replicas_only(desired, current), manager=HANDOVER_MANAGER)
        async with child_write("patch", desired):
            await api.apply(desired)
        written += 1
    return written


def ours(desired: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    """Whether the live ``current`` is the operator's child as ``desired`` says: the managed-by label, and for a
    controlled child a controller ownerReference with the same owner uid (where the owner has a uid)."""
    labels = current.get("metadata", {}).get("labels") or {}
    if any(labels.get(key) != value for key, value in MANAGED_BY.items()):
        return False
    refs = desired["metadata"].get("ownerReferences") or []
    controller = next((ref for ref in refs if ref.get("controller")), None)
    return controller is None or controlled_by(current, controller.get("uid"))


def owner_name(obj: Mapping[str, Any]) -> str:
    """``<Kind>/<name>`` of the owner a rendered child names (its controller, else its first owner)."""
    refs = obj["metadata"].get("ownerReferences") or []
    ref = next((ref for ref in refs if ref.get("controller")), refs[0] if refs else None)
    return f"{ref['kind']}/{ref['name']}" if ref else "its owner"


def forbidden_kind(message: str) -> str:
    """What a 403 is: ``Forbidden`` (the operator's RBAC: "... cannot <verb> resource ..."), ``QuotaExceeded``
    (a ResourceQuota: "exceeded quota"), or ``ChildRejected`` (admission: PodSecurity, a webhook, ...)."""
    if _RBAC_DENIAL.search(message):
        return "Forbidden"
    if "exceeded quota" in message:
        return "QuotaExceeded"
    return "ChildRejected"


_RBAC_DENIAL = re.compile(r"\bcannot [a-z]+ resource\b")


def selector_changed(desired: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    if desired["kind"] not in WORKLOAD_KINDS:
        return False
    return bool((current.get("spec") or {}).get("selector") != (desired.get("spec") or {}).get("selector"))


def hands_over_replicas(desired: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    """Whether this apply drops ``replicas`` that the operator's own manager set (an HPA takes over).

    Server-side apply would remove a field its only manager stops setting, and the Deployment would fall
    back to 1 replica until the HPA scales it up again. Where the API server keeps no managedFields (an
    emulator) who owns it cannot be told, so the handover is done anyway: it writes the live value.
    """
    if desired["kind"] != "Deployment" or "replicas" in (desired.get("spec") or {}):
        return False
    if "replicas" not in (current.get("spec") or {}):
        return False
    managed = current["metadata"].get("managedFields")
    if managed is None:
        return True
    return any(
        entry.get("manager") == FIELD_MANAGER and "f:replicas" in ((entry.get("fieldsV1") or {}).get("f:spec") or {})
        for entry in managed
    )


def replicas_only(desired: Mapping[str, Any], current: Mapping[str, Any]) -> JsonDict:
    """An apply of the live replica count alone (Kubernetes' documented handover to an autoscaler)."""
    meta = desired["metadata"]
    return {
        "apiVersion": desired["apiVersion"],
        "kind": desired["kind"],
        "metadata": {"name": meta["name"], "namespace": meta.get("namespace")},
        "spec": {"replicas": current["spec"]["replicas"]},
    }


@contextlib.asynccontextmanager
async def child_write(verb: str, obj: Mapping[str, Any]) -> AsyncIterator[None]:
    """Map the API's refusal of a child write to the owner's condition (see the module docstring)."""
    what = f"{obj['kind']}/{obj['metadata']['name']}"
    try:
        yield
    except Forbidden as error:
        message = str(error.message or error)
        kind = forbidden_kind(message)
        if kind == "Forbidden":
            raise NotAllowed(
                f"the operator may not {verb} {what}: {message}; grant it in the operator's ClusterRole"
            ) from error
        if kind == "QuotaExceeded":
            raise QuotaExceeded(f"a ResourceQuota refuses {what}: {message}") from error
        raise ChildRejected(f"the API server rejected {what}: {message}") from error
    except NotFound as error:
        raise NotReady(
            "NamespaceOrApiMissing",
            f"cannot {verb} {what}: the API server answered 404 (its namespace or API is missing): "
            f"{error.message or error}",
        ) from error
    except ClientError as error:
        if error.status not in (400, 422):
            raise
        raise ChildRejected(f"the API server rejected {what}: {error.message or error}") from error


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
                async with child_write("delete", obj):
                    await api.delete(kind, meta.namespace, name)
                deleted.append(f"{kind}/{name}")
    return deleted


async def sync_children(api: Api, meta: Meta, objects: list[JsonDict]) -> None:
    await apply_children(api, objects)
    await prune_children(api, meta, objects)
