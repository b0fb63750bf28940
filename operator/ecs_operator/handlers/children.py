"""Children: apply what translation rendered, prune what it no longer renders, and put back hand edits.

Every child carries the managed-by label and ownerReferences to its custom resource(s); the operator's caches
(``handlers/indices.py``) hold a record of each, by owner. A watch event on a child (edited, deleted, its status
written by a controller) queues its owner: that puts the child back and refreshes the owner's status.

**When a child is written** (server-side apply, field manager ``ecs-operator``): when its applied-digest
annotation (``ecs.compat.dev/applied-digest``, a digest of the rendering) differs from the rendering's, or when
the operator's field set in ``managedFields`` is no longer the set of fields it applies (``k8s/fields.py``):
someone changed or removed one of them. Values are never compared: the API server's defaults, dropped empty
values, canonical quantities and admission mutations are not differences. A reconcile that finds every child
so writes nothing. Should the API server record a field set other than the computed one (a schema the table does
not know), the set it recorded after the operator's own apply is taken as the expected one from then on
(logged once): a child is then written at most once per start of the operator, never on every reconcile.

**A new workload is created, not applied.** A Deployment or DaemonSet that neither the cache nor the operator's
memory knows is created (POST): the cheapest write that starts Pods, needing no read first, and one that cannot
take over someone else's object (a 409 says the name is taken; the child is then read and checked as any
other). A create records the operator's fields as an Update entry in ``managedFields``, which later applies would
never drop; the next reconcile turns it into the Apply entry an apply would have left (``Children.adopt``, one
merge patch against the live resourceVersion), and from then on it is applied like every other child.

Two things cannot be applied as they are: a workload whose selector changed (immutable: the workload is
deleted and created again) and a Deployment that stops setting ``replicas`` because an HPA takes over (the
live count is first applied by a separate field manager, so dropping it does not reset it to 1).

A child is never taken over: an object of that kind and name that is not the operator's (no managed-by label,
or, for a controlled child, another controller) is never written; the owner reports ``ChildRejected`` (a forced
apply would overwrite it, and with our ownerReference on it the garbage collector would delete it with the
owner). One that belongs to a deleted earlier incarnation of the same owner (same kind and name, another uid:
deleted and created again, the garbage collector has not got to it yet) is waited for (``NotReady``,
``PreviousOwnerBeingDeleted``): its deletion queues the owner again.

**Order.** What a Pod needs before it can start (its ServiceAccount, volume claims and network policies) is
applied first, then the workloads that start the Pods, then the rest (budgets, autoscalers, Services,
Ingresses). When other new work is waiting (``Runtime.busy``: a burst of new services), a reconcile that has just
written its workloads or what their Pods need stops there (``Deferred``) and is queued again behind the new work:
the Pods of a hundred new services start as soon as their workloads exist, and the budgets and statuses follow a
moment later.

API errors on writes name the child: 400 / 422 are ``ChildRejected``; a 403 is ``NotAllowed`` (reason
``Forbidden``, retried) only when it is an RBAC denial ("... cannot <verb> resource ..."), ``QuotaExceeded``
(retried) for a ResourceQuota, ``NotReady`` with reason ``QuotaPending`` (retried) for one not counted yet, and
``ChildRejected`` otherwise (PodSecurity, admission webhooks); a 404 is
``NotReady`` with reason ``NamespaceOrApiMissing`` (a real API server creates on apply).
"""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ecs_operator.handlers.applied import ChildState, as_applied, key_of, with_digest
from ecs_operator.handlers.common import ChildRejected, Deferred, JsonDict, NotAllowed, QuotaExceeded
from ecs_operator.handlers.indices import APPLIED_KINDS, WORKLOAD_KINDS, ChildRecord, Indices, child_record
from ecs_operator.k8s import HANDOVER_MANAGER, Api, ClientError, Conflict, Forbidden, NotFound
from ecs_operator.resolve.errors import NotReady
from ecs_operator.translate.context import MANAGED_BY, Meta
from ecs_operator.translate.iam import ROLE_ARN_ANNOTATION

# Applied first, in this order (see the module docstring); every other kind after them, in the rendered order.
POD_PREREQUISITES = ("ServiceAccount", "PersistentVolumeClaim", "NetworkPolicy", "PodTemplate")
APPLY_ORDER = (*POD_PREREQUISITES, *WORKLOAD_KINDS)

# Kinds that use a task role's ServiceAccount: their ownerReferences keep it as long as one of them exists.
ROLE_USER_KINDS = ("TaskDefinition", "ECSTask")


def in_apply_order(objects: Iterable[JsonDict]) -> list[JsonDict]:
    """The objects as they are applied: Pod prerequisites, workloads, then the rest (stable otherwise)."""
    rank = {kind: index for index, kind in enumerate(APPLY_ORDER)}
    return sorted(objects, key=lambda obj: rank.get(obj["kind"], len(APPLY_ORDER)))


def controlled_by(obj: Mapping[str, Any], uid: str | None) -> bool:
    """Whether ``uid`` is the object's controller."""
    refs = obj.get("metadata", {}).get("ownerReferences") or []
    return uid is not None and any(ref.get("uid") == uid and ref.get("controller") for ref in refs)


def controller_ref(obj: Mapping[str, Any]) -> JsonDict | None:
    refs = obj["metadata"].get("ownerReferences") or []
    found: JsonDict | None = next((ref for ref in refs if ref.get("controller")), None)
    return found


def check_ours(desired: Mapping[str, Any], current: Mapping[str, Any]) -> None:
    """Refuse to write over an object that is not the operator's child of this owner (see the module docstring)."""
    what = f"{desired['kind']}/{desired['metadata']['name']}"
    labels = current.get("metadata", {}).get("labels") or {}
    wanted = controller_ref(desired)
    if all(labels.get(key) == value for key, value in MANAGED_BY.items()):
        if wanted is None or controlled_by(current, wanted.get("uid")):
            return
        previous = controller_ref(current)
        if previous and (previous.get("kind"), previous.get("name")) == (wanted.get("kind"), wanted.get("name")):
            raise NotReady(
                "PreviousOwnerBeingDeleted",
                f"{what} still belongs to the deleted earlier {wanted['kind']}/{wanted['name']}; it is created "
                "again once the garbage collector has removed it",
            )
    raise ChildRejected(
        f"{what} exists and is not managed by ecs-operator for {owner_name(desired)}; rename or delete it"
    )


def ours(desired: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    """Whether the live ``current`` is the operator's child as ``desired`` says (see ``check_ours``)."""
    try:
        check_ours(desired, current)
    except (ChildRejected, NotReady):
        return False
    return True


def owner_name(obj: Mapping[str, Any]) -> str:
    """``<Kind>/<name>`` of the owner a rendered child names (its controller, else its first owner)."""
    refs = obj["metadata"].get("ownerReferences") or []
    ref = next((ref for ref in refs if ref.get("controller")), refs[0] if refs else None)
    return f"{ref['kind']}/{ref['name']}" if ref else "its owner"


def selector_changed(desired: Mapping[str, Any], record: ChildRecord) -> bool:
    if desired["kind"] not in WORKLOAD_KINDS:
        return False
    live = (record.workload.get("spec") or {}).get("selector")
    return bool(live != (desired.get("spec") or {}).get("selector"))


def hands_over_replicas(desired: Mapping[str, Any], record: ChildRecord) -> bool:
    """Whether this apply drops ``replicas`` that the operator's own manager set (an HPA takes over).

    Server-side apply would remove a field its only manager stops setting, and the Deployment would fall
    back to 1 replica until the HPA scales it up again. Where the API server keeps no managedFields (an
    emulator) who owns it cannot be told, so the handover is done anyway: it writes the live value.
    """
    if desired["kind"] != "Deployment" or "replicas" in (desired.get("spec") or {}):
        return False
    if "replicas" not in (record.workload.get("spec") or {}):
        return False
    return record.owns_replicas is not False


def replicas_only(desired: Mapping[str, Any], record: ChildRecord) -> JsonDict:
    """An apply of the live replica count alone (Kubernetes' documented handover to an autoscaler)."""
    meta = desired["metadata"]
    return {
        "apiVersion": desired["apiVersion"],
        "kind": desired["kind"],
        "metadata": {"name": meta["name"], "namespace": meta.get("namespace")},
        "spec": {"replicas": record.workload["spec"]["replicas"]},
    }


def forbidden_kind(message: str) -> str:
    """What a 403 is: ``Forbidden`` (the operator's RBAC: "... cannot <verb> resource ..."), ``QuotaExceeded``
    (a ResourceQuota: "exceeded quota"), ``QuotaPending`` (a ResourceQuota whose usage the quota controller has
    not counted yet: "status unknown for quota", for a moment after it is made), or ``ChildRejected`` (admission:
    PodSecurity, a webhook, ...)."""
    if _RBAC_DENIAL.search(message):
        return "Forbidden"
    if "exceeded quota" in message:
        return "QuotaExceeded"
    if "status unknown for quota" in message:
        return "QuotaPending"
    return "ChildRejected"


_RBAC_DENIAL = re.compile(r"\bcannot [a-z]+ resource\b")


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
        if kind == "QuotaPending":
            raise NotReady("QuotaPending", f"a ResourceQuota is not counted yet; {what} waits: {message}") from error
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


@dataclass
class Children:
    """Applies and prunes the children of one owner, from the caches (``Indices``) and the apply memory."""

    api: Api
    model: Indices
    state: ChildState
    owner: Meta

    def cached(self, kind: str, name: str) -> ChildRecord | None:
        return self.model.child(self.owner.uid, kind, name) if self.owner.uid else None

    def runs(self, revision_label: str) -> bool:
        """Whether one of the owner's workloads runs the revision of this task-definition label, as the cache or
        the operator's own write of it last showed it."""
        if not self.owner.uid:
            return False
        records = [*self.model.children(self.owner.uid, WORKLOAD_KINDS), *self.state.written_for(self.owner.uid)]
        return any(record.revision == revision_label for record in records)  # only a workload's record has one

    def current(self, kind: str, name: str) -> ChildRecord | None:
        """The child as last known, the operator's own latest apply included (see ``ChildState.latest``)."""
        return self.state.latest((kind, self.owner.namespace, name), self.cached(kind, name))

    async def live(self, desired: Mapping[str, Any]) -> ChildRecord | None:
        """The child as the cache has it (or as the operator's own apply answered); read from the API server when
        neither knows it (it may be new, someone else's, or not in the cache yet), and refused when it is not
        the operator's."""
        kind, namespace, name = key_of(desired)
        record = self.cached(kind, name)
        if record is not None:
            return record
        # Applied by this operator for this owner a moment ago, before the watch brought it to the cache.
        mine = self.state.latest((kind, namespace, name), None)
        if (
            mine is not None
            and self.owner.uid
            and mine.controller == self.owner.uid
            and mine.uid not in self.model.ghosts
        ):
            return mine
        current = await self.api.get(kind, namespace, name)
        if current is None:
            return None
        check_ours(desired, current)
        return child_record(kind, current)

    async def apply(self, objects: Iterable[Mapping[str, Any]]) -> int:
        """Apply each object whose rendering changed or whose live copy lost a field; how many were written."""
        written = 0
        for obj in objects:
            desired = with_digest(obj)
            if self.unknown(desired):
                async with child_write("create", desired):
                    created = await self.api.create(desired)
                if created is not None:
                    self.state.made(desired, created)
                    written += 1
                    continue
            record = await self.live(desired)
            if record is not None and record.created:
                record = await self.adopt(desired)
            if record is not None and self.state.in_sync(desired, record):
                continue
            if record is not None and selector_changed(desired, record):
                record = await self.replace(desired)
            if record is not None and hands_over_replicas(desired, record):
                async with child_write("patch", desired):
                    await self.api.apply(replicas_only(desired, record), manager=HANDOVER_MANAGER)
            async with child_write("patch", desired):
                result = await self.api.apply(desired)
            self.state.record(desired, result, record)
            written += 1
        return written

    def unknown(self, desired: Mapping[str, Any]) -> bool:
        """A workload that neither the cache nor the operator's memory knows: created (POST) rather than applied,
        the cheapest write that starts its Pods, and one that cannot take over an object of that name (a 409
        says the name is taken: it is then read and checked as any other child)."""
        kind, namespace, name = key_of(desired)
        return (
            kind in WORKLOAD_KINDS
            and self.cached(kind, name) is None
            and self.state.latest((kind, namespace, name), None) is None
        )

    async def adopt(self, desired: Mapping[str, Any]) -> ChildRecord | None:
        """Turn the field manager entry the operator's create left (an Update, whose fields no later apply would
        drop) into the one an apply leaves (``applied.as_applied``), against the live object's resourceVersion; the
        record to go on with (None: gone)."""
        kind, namespace, name = key_of(desired)
        for _ in range(3):  # a controller writing its status meanwhile: read again
            current = await self.api.get(kind, namespace, name)
            if current is None:
                return None
            check_ours(desired, current)
            record = child_record(kind, current)
            if not record.created:
                return record
            metadata = {"resourceVersion": record.resource_version, "managedFields": as_applied(current, desired)}
            try:
                async with child_write("patch", desired):
                    return child_record(kind, await self.api.patch(kind, namespace, name, {"metadata": metadata}))
            except Conflict:
                continue
        raise NotReady("ChildBusy", f"{kind}/{name} changed under each attempt to take over its create's fields")

    async def replace(self, desired: Mapping[str, Any]) -> ChildRecord | None:
        """Delete a workload whose selector changed (immutable), confirmed against the live object (the cache may
        still show the one the operator replaced a moment ago); the record to apply over (None: deleted)."""
        kind, namespace, name = key_of(desired)
        current = await self.api.get(kind, namespace, name)
        if current is None:
            return None
        record = child_record(kind, current)
        if not selector_changed(desired, record):
            return record
        async with child_write("delete", desired):
            await self.api.delete(kind, namespace, name)
        self.state.forget([key_of(desired)])
        return None

    async def prune(self, keep: Iterable[Mapping[str, Any]], kinds: Iterable[str] = APPLIED_KINDS) -> list[str]:
        """Delete the children this owner controls that were not rendered this time; their names."""
        wanted = {(obj["kind"], obj["metadata"]["name"]) for obj in keep}
        deleted = []
        for record in self.model.children(self.owner.uid or "", kinds):
            if record.controller != self.owner.uid or (record.kind, record.name) in wanted or record.deleting:
                continue
            stub = {"kind": record.kind, "metadata": {"name": record.name, "namespace": record.namespace}}
            async with child_write("delete", stub):
                await self.api.delete(record.kind, record.namespace, record.name)
            self.state.forget([(record.kind, record.namespace, record.name)])
            deleted.append(f"{record.kind}/{record.name}")
        return deleted

    async def sync(self, objects: list[JsonDict], *, workloads_first: bool = False) -> None:
        """Apply ``objects`` in order and prune the rest; with ``workloads_first``, stop with ``Deferred`` once the
        workloads and what their Pods need are applied, if that wrote anything and other children remain (see the
        module docstring)."""
        ordered = in_apply_order(objects)
        head = [obj for obj in ordered if obj["kind"] in APPLY_ORDER]
        starts_pods = any(obj["kind"] in WORKLOAD_KINDS for obj in head)
        if workloads_first and starts_pods and len(head) < len(ordered) and await self.apply(head):
            raise Deferred(f"{self.owner.ref}: its workloads are written; the rest follows after new work")
        await self.apply(ordered)
        await self.prune(objects)


def shared_accounts(objects: Iterable[Mapping[str, Any]], model: Indices, owner: Meta) -> list[JsonDict]:
    """The rendered objects, each task role ServiceAccount owned by every user of the role.

    One ServiceAccount per role (its name a function of the whole role ARN), applied by one field manager with
    an ownerReference to each current user: the TaskDefinitions with a revision of the role and the ECSTasks
    whose Pods run as it (``Indices.role_users``). Every reconcile that renders it renders the same object, so
    they never undo each other; the garbage collector removes a deleted user's reference, and the account with
    its last user. Nothing grows with users that are gone. A service only references the account: when no user
    is known yet, it leaves creating it to the TaskDefinition.
    """
    result: list[JsonDict] = []
    for obj in objects:
        annotations = obj["metadata"].get("annotations") or {}
        if obj["kind"] != "ServiceAccount" or ROLE_ARN_ANNOTATION not in annotations:
            result.append(dict(obj))
            continue
        users = {ref["uid"]: ref for ref in model.role_users(owner.namespace, obj["metadata"]["name"])}
        if owner.kind in ROLE_USER_KINDS and owner.uid:
            mine = next(iter(obj["metadata"].get("ownerReferences") or []), None)
            if mine is not None:
                users[owner.uid] = {**mine, "controller": False}
        if not users:
            continue
        account = copy.deepcopy(dict(obj))
        account["metadata"]["ownerReferences"] = [users[uid] for uid in sorted(users)]
        result.append(account)
    return result
