"""What one API call works with: the caller's access key and namespaces, the Kubernetes client, the config.

Reads are memoised for the call (one LIST of a kind per namespace, however many names a Describe call asks
for); a write forgets what it changed. Pods and nodes come from watches the server keeps (``MIRRORED``): a task
listing over thousands of Pods costs no request. The namespaces are the caller's, in the order the key's Secret lists
them: a name is looked up in each in turn, and new resources go to the first (the key's home).
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ecs_operator.api.arns import Arns
from ecs_operator.api.auth import AccessKey
from ecs_operator.api.config import ApiConfig
from ecs_operator.k8s.mirror import Mirrors
from ecs_operator.k8s.rest import KubeClient

JsonDict = dict[str, Any]
# Annotations and labels of ours on the custom resources the API writes, and those the operator writes.
GROUP = "ecs.compat.dev"
ANNOTATION_CREATED_BY = f"{GROUP}/created-by"
LABEL_FAMILY = f"{GROUP}/family"  # the operator's label on a family's ControllerRevisions
ANNOTATION_REGISTERED_AT = f"{GROUP}/registered-at"  # the operator's, on each ControllerRevision
# Read in bulk and read late without harm (as ECS's task and instance listings are): kept by watches, per
# namespace, selected by these labels (Pods of ECS clusters, services' workloads, every node).
_SERVICE_WORKLOADS = {"app.kubernetes.io/managed-by": "ecs-operator", f"{GROUP}/service": None}
MIRRORED: dict[str, dict[str, str | None]] = {
    "Pod": {f"{GROUP}/cluster": None},
    "Node": {},
    "Deployment": _SERVICE_WORKLOADS,
    "DaemonSet": _SERVICE_WORKLOADS,
}


@dataclass
class Call:
    """One request: who made it, and the reads it has made so far."""

    kube: KubeClient
    config: ApiConfig
    key: AccessKey
    operation: str
    mirrors: Mirrors | None = None
    memo: dict[tuple[str, str | None, str], list[JsonDict]] = field(default_factory=dict)

    @property
    def arns(self) -> Arns:
        return Arns(self.config.region, self.config.account_id)

    @property
    def namespaces(self) -> tuple[str, ...]:
        return self.key.namespaces

    @property
    def home(self) -> str:
        return self.key.home

    @property
    def principal(self) -> str:
        """The caller as ECS's createdBy shows it: an IAM user named after the key's Secret."""
        return f"arn:aws:iam::{self.config.account_id}:user/{self.key.name or self.key.access_key_id}"

    async def objects(
        self,
        kind: str,
        namespace: str | None,
        labels: Mapping[str, str | None] | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> list[JsonDict]:
        if self.mirrors is not None and kind in MIRRORED and not fields:
            return await self.mirrors.read(kind, namespace, MIRRORED[kind], labels)
        key = (kind, namespace, repr((sorted((labels or {}).items()), sorted((fields or {}).items()))))
        if key not in self.memo:
            self.memo[key] = await self.kube.list(kind, namespace, labels, fields)
        return self.memo[key]  # read-only: what a call reads it does not change (it builds new answers)

    async def objects_in_scope(self, kind: str, labels: Mapping[str, str | None] | None = None) -> list[JsonDict]:
        """Objects of a kind in every namespace of the caller, in the key's namespace order."""
        lists = await asyncio.gather(*(self.objects(kind, namespace, labels) for namespace in self.namespaces))
        return [obj for found in lists for obj in found]

    def forget(self, kind: str, namespace: str | None) -> None:
        for key in [key for key in self.memo if key[0] == kind and key[1] in (namespace, None)]:
            del self.memo[key]

    async def poll(
        self, read: Callable[[], Awaitable[JsonDict | None]], done: Callable[[JsonDict], bool]
    ) -> JsonDict | None:
        """Read until ``done`` holds, for at most ``operator_wait_seconds``; the last read (None if gone)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.operator_wait_seconds
        while True:
            current = await read()
            if current is None or done(current) or loop.time() >= deadline:
                return current
            await asyncio.sleep(self.config.poll_seconds)


def now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def precise_now() -> str:
    """Now, to the microsecond (a value that two calls in one second do not share)."""
    return datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")


def name_or(body: Mapping[str, Any], member: str) -> str:
    """A custom resource's ECS name: ``spec.<member>`` (clusterName, serviceName, family, ...) or its own name."""
    return str((body.get("spec") or {}).get(member) or body["metadata"]["name"])


def reconciled(body: Mapping[str, Any]) -> bool:
    """Whether the operator has reconciled the object's current spec (status.observedGeneration)."""
    generation = body.get("metadata", {}).get("generation")
    observed = (body.get("status") or {}).get("observedGeneration")
    return generation is not None and observed is not None and int(observed) >= int(generation)


def merge_patch(old: Any, new: Any) -> Any:
    """The JSON merge patch (RFC 7386) that turns ``old`` into ``new``: members ``new`` lacks become null."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    patch: JsonDict = {key: None for key in old if key not in new}
    for key, value in new.items():
        if key not in old:
            patch[key] = value
        elif old[key] != value:
            patch[key] = merge_patch(old[key], value)
    return patch
