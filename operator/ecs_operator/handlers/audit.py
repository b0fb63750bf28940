"""The caches' audit: every resync interval, an authoritative list of the operator's own children and Pods.

A watch resumes from the last version it saw, so a dropped connection loses nothing while the API server still
has that version. When it does not (410 Gone: the connection stayed down past the server's watch window), Kopf
lists again, which brings every object that exists but says nothing of one deleted meanwhile: its record would
stay in the caches for good, and a child deleted then would never be put back. The audit lists each watched kind
(only the operator's objects: the managed-by label selector, in pages) and drops from the caches every record of
an object that was cached before the list began and is not in it; the owners of those objects are queued, so
that what is missing is created again. A few lists per resync interval for the whole operator, not per object.
"""

from __future__ import annotations

import asyncio
import logging

from ecs_operator.handlers.common import Runtime
from ecs_operator.handlers.indices import APPLIED_KINDS
from ecs_operator.k8s import APIError
from ecs_operator.translate.context import MANAGED_BY

AUDITED_KINDS = (*APPLIED_KINDS, "Pod")
logger = logging.getLogger("ecs_operator.audit")


async def audit(runtime: Runtime, namespaces: list[str]) -> list[str]:
    """One audit round over ``namespaces`` (every namespace when empty); the ghosts it found, as kind/name."""
    found: list[str] = []
    for kind in AUDITED_KINDS:
        before = {record.uid: record for record in runtime.model.cached(kind)}
        where: list[str | None] = list(namespaces) or [None]
        try:
            listed = {
                str(obj["metadata"].get("uid"))
                for namespace in where
                for obj in await runtime.api.list(kind, namespace, MANAGED_BY)
            }
        except APIError as error:  # the next round tries again
            logger.warning("could not list %s for the caches' audit: %s", kind, error)
            continue
        for uid, record in before.items():
            if uid in listed:
                continue
            runtime.model.ghosts.add(uid)
            runtime.children.forget([(kind, record.namespace, record.name)])  # no longer trusted as existing
            found.append(f"{kind}/{record.namespace}/{record.name}")
            for owner_kind, owner_name in record.owners:
                runtime.enqueue(owner_kind, record.namespace, owner_name)
    if found:
        logger.info("the caches held objects that are gone (a watch missed their deletion): %s", ", ".join(found))
    return found


async def audit_forever(runtime: Runtime, namespaces: list[str]) -> None:
    """An audit every resync interval (+-10 %), until cancelled."""
    while True:
        await asyncio.sleep(runtime.config.next_resync())
        await audit(runtime, namespaces)
