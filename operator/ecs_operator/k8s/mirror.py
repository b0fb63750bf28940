"""Label-selected objects of one kind kept in memory by a watch: reads that cost no request.

The first read lists the objects (a failure is the caller's, as a direct read's would be); a background task then
watches from the list's resourceVersion and applies each event. A stream the server ends is watched again from
the last version seen; a version too old (410) or a failing watch lists afresh, with growing pauses. While the
watch is failing the mirror is not trusted: reads list directly until it works again. ``close()`` stops it. The
watches have connections of their own, so no number of them ever keeps a request waiting.

The ECS API mirrors what it reads in bulk and may read a moment late (Pods, nodes), as ECS's own task and
instance listings are eventually consistent; what a call writes and reads back (the custom resources) it reads
directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Any

from ecs_operator.k8s.rest import KubeClient, KubeError, selected

JsonDict = dict[str, Any]
PAUSES = (1.0, 2.0, 5.0, 10.0, 30.0)
log = logging.getLogger("ecs_operator.k8s.mirror")


class Mirror:
    """One kind in one namespace (None: cluster-wide), selected by ``labels``."""

    def __init__(
        self, client: KubeClient, kind: str, namespace: str | None, labels: Mapping[str, str | None] | None = None
    ) -> None:
        self.client, self.kind, self.namespace = client, kind, namespace
        self.labels = dict(labels or {})
        self.objects: dict[str, JsonDict] = {}
        self.version = ""
        self.healthy = False
        self.task: asyncio.Task[None] | None = None
        self.read_at = time.monotonic()

    async def read(self, labels: Mapping[str, str | None] | None = None) -> list[JsonDict]:
        """The mirrored objects that have ``labels`` too; listed directly while the watch is not working."""
        self.read_at = time.monotonic()
        if not self.healthy:
            await self._list()
            if self.task is None or self.task.done():
                self.task = asyncio.create_task(self._follow(), name=f"mirror {self.kind} {self.namespace}")
        return [obj for obj in self.objects.values() if selected(obj, labels or {})]

    async def _list(self) -> None:
        found, self.version = await self.client.list_at(self.kind, self.namespace, self.labels)
        self.objects = {self._key(obj): obj for obj in found}
        self.healthy = True

    def _key(self, obj: Mapping[str, Any]) -> str:
        meta = obj.get("metadata") or {}
        return f"{meta.get('namespace', '')}/{meta.get('name', '')}"

    async def _follow(self) -> None:
        failures = 0
        while True:
            try:
                async for event in self.client.watch(self.kind, self.namespace, self.labels, self.version):
                    if event.get("type") == "ERROR":  # 410 Gone: the version is too old to watch from
                        await self._list()
                        break
                    self._apply(event)
                    failures = 0
            except Exception as error:  # a watch that fails in any way is not trusted until it works again
                self.healthy = False
                log.debug("watch of %s in %s failed: %s", self.kind, self.namespace, error)
                await asyncio.sleep(PAUSES[min(failures, len(PAUSES) - 1)])
                failures += 1
                with contextlib.suppress(KubeError):
                    await self._list()

    def _apply(self, event: JsonDict) -> None:
        kind, obj = event.get("type"), event.get("object") or {}
        version = (obj.get("metadata") or {}).get("resourceVersion")
        if kind in ("ADDED", "MODIFIED") and selected(obj, self.labels):
            self.objects[self._key(obj)] = {"apiVersion": obj.get("apiVersion"), "kind": self.kind, **obj}
        elif kind in ("ADDED", "MODIFIED", "DELETED"):  # gone, or no longer selected (relabelled)
            self.objects.pop(self._key(obj), None)
        if version:
            self.version = str(version)

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self.healthy = False


class Mirrors:
    """The mirrors one client keeps, made on first use: ``read(kind, namespace, selector, labels)``. A mirror not
    read for ``idle_seconds`` stops watching and is dropped (namespaces come and go)."""

    def __init__(self, client: KubeClient, idle_seconds: float = 600.0) -> None:
        self.client = client
        self.idle_seconds = idle_seconds
        self.mirrors: dict[tuple[str, str | None, str], Mirror] = {}

    async def read(
        self,
        kind: str,
        namespace: str | None,
        selector: Mapping[str, str | None],
        labels: Mapping[str, str | None] | None = None,
    ) -> list[JsonDict]:
        """The objects of ``kind`` in ``namespace`` that the mirror's ``selector`` and then ``labels`` select."""
        await self._drop_idle()
        key = (kind, namespace, repr(sorted(selector.items())))
        if key not in self.mirrors:
            self.mirrors[key] = Mirror(self.client, kind, namespace, selector)
        return await self.mirrors[key].read(labels)

    async def _drop_idle(self) -> None:
        limit = time.monotonic() - self.idle_seconds
        for key in [key for key, mirror in self.mirrors.items() if mirror.read_at < limit]:
            await self.mirrors.pop(key).close()

    async def close(self) -> None:
        for mirror in self.mirrors.values():
            await mirror.close()
        self.mirrors.clear()
