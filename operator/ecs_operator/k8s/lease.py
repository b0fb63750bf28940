"""Leader election over a ``coordination.k8s.io/v1`` Lease, as Kubernetes' own controllers elect theirs.

Of several copies of the operator (replicas, a rollout's old and new Pod, ``make run`` beside the in-cluster one)
one holds the Lease and runs; the others wait and take it over when its holder stops renewing it. The holder
renews every ``renew_seconds``; a Lease not renewed for ``duration_seconds`` (timed by the waiting copy's own
clock from when it last saw the Lease change, so that clocks need not agree) is free. A holder that cannot renew
within ``duration_seconds`` has lost it and must stop at once (another copy may already run). A holder that
stops releases the Lease, so that the next copy takes over without waiting.

The Lease is read and written with the ``kubernetes`` client in a worker thread: the election runs before Kopf
(and its authenticated client) starts, since Kopf's handlers must not run on a copy that does not lead.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

logger = logging.getLogger("ecs_operator.lease")


class LeaseConflict(Exception):
    """Another copy wrote the Lease first (409): try again at the next round."""


class LeaseUnavailable(Exception):
    """The Lease cannot be read or written (its namespace is missing, RBAC refuses it, ...); the message says
    what to do."""

    def __init__(self, message: str, *, namespace_missing: bool = False) -> None:
        super().__init__(message)
        self.namespace_missing = namespace_missing


@dataclass(frozen=True)
class LeaseRecord:
    holder: str
    duration_seconds: int
    acquired: str
    renewed: str
    transitions: int
    version: str  # resourceVersion: an update of a version another copy changed meanwhile is a conflict


class Leases(Protocol):
    """Reading and writing one Lease (``KubernetesLeases``; tests give an in-memory one)."""

    async def read(self) -> LeaseRecord | None: ...

    async def create(self, record: LeaseRecord) -> LeaseRecord: ...

    async def update(self, record: LeaseRecord) -> LeaseRecord: ...


def micro_time(when: datetime.datetime | None = None) -> str:
    moment = when or datetime.datetime.now(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Election:
    """One copy's part in the election for ``leases``."""

    leases: Leases
    identity: str
    duration_seconds: int = 60
    renew_seconds: float = 20.0
    retry_seconds: float = 10.0
    clock: Callable[[], float] = time.monotonic
    observed: LeaseRecord | None = None
    observed_at: float = 0.0
    state: str = "starting"  # starting | waiting | leading | lost | unavailable: <why>
    holder: str = ""

    @property
    def leading(self) -> bool:
        return self.state == "leading"

    def _observe(self, record: LeaseRecord | None) -> None:
        if record != self.observed:
            self.observed, self.observed_at = record, self.clock()
        self.holder = record.holder if record is not None else ""

    def _free(self, record: LeaseRecord) -> bool:
        expired = self.observed_at + record.duration_seconds < self.clock()
        return not record.holder or record.holder == self.identity or expired

    async def try_acquire_or_renew(self) -> bool:
        """One round: take the Lease if it is free (or ours), renew it if ours; whether this copy holds it."""
        record = await self.leases.read()
        self._observe(record)
        now = micro_time()
        if record is None:
            mine = LeaseRecord(self.identity, self.duration_seconds, now, now, 0, "")
            try:
                self._observe(await self.leases.create(mine))
            except LeaseConflict:
                return False
            return True
        if not self._free(record):
            return False
        taking = record.holder != self.identity
        mine = LeaseRecord(
            self.identity,
            self.duration_seconds,
            now if taking else record.acquired,
            now,
            record.transitions + (1 if taking and record.holder else 0),
            record.version,
        )
        try:
            self._observe(await self.leases.update(mine))
        except LeaseConflict:
            return False
        return True

    async def acquire(self) -> None:
        """Wait until this copy holds the Lease (state ``waiting`` meanwhile, ``unavailable: ...`` on errors)."""
        while True:
            try:
                if await self.try_acquire_or_renew():
                    self.state = "leading"
                    logger.info("leading: this copy (%s) holds the lease", self.identity)
                    return
                if self.state != "waiting":
                    logger.info("standing by: the lease is held by %s; this copy takes over when it goes", self.holder)
                self.state = "waiting"
            except LeaseUnavailable as error:
                if self.state != f"unavailable: {error}":
                    logger.error("cannot take part in leader election: %s", error)
                self.state = f"unavailable: {error}"
                if error.namespace_missing:
                    raise
            await asyncio.sleep(self.retry_seconds)

    async def keep(self) -> None:
        """Renew the Lease until cancelled; return when it is lost (not renewed within its duration)."""
        deadline = self.clock() + self.duration_seconds
        while True:
            await asyncio.sleep(self.renew_seconds)
            try:
                if await self.try_acquire_or_renew():
                    deadline = self.clock() + self.duration_seconds
                    continue
            except (LeaseUnavailable, OSError) as error:
                logger.warning("could not renew the lease: %s", error)
            if self.holder not in ("", self.identity) or self.clock() > deadline:
                self.state = "lost"
                logger.error("lost the lease (now held by %s): stopping", self.holder or "nobody")
                return

    async def release(self) -> None:
        """Give the Lease up (a holder that stops), so that a waiting copy takes over at once."""
        if not self.leading:
            return
        try:
            record = await self.leases.read()
            if record is not None and record.holder == self.identity:
                now = micro_time()
                await self.leases.update(LeaseRecord("", 1, record.acquired, now, record.transitions, record.version))
        except (LeaseConflict, LeaseUnavailable, OSError) as error:
            logger.warning("could not release the lease: %s", error)
        self.state = "released"


@dataclass
class KubernetesLeases:
    """A Lease on the API server, through the ``kubernetes`` client (in a worker thread)."""

    namespace: str
    name: str
    client: Any = field(default=None)  # kubernetes.client.CoordinationV1Api

    def __post_init__(self) -> None:
        if self.client is None:
            from kubernetes import client, config

            try:
                config.load_incluster_config()
            except config.ConfigException:
                config.load_kube_config()
            self.client = client.CoordinationV1Api()

    def _record(self, lease: Any) -> LeaseRecord:
        spec = lease.spec
        return LeaseRecord(
            holder=spec.holder_identity or "",
            duration_seconds=int(spec.lease_duration_seconds or 0),
            acquired=_text(spec.acquire_time),
            renewed=_text(spec.renew_time),
            transitions=int(spec.lease_transitions or 0),
            version=str(lease.metadata.resource_version or ""),
        )

    def _body(self, record: LeaseRecord) -> Any:
        from kubernetes import client

        return client.V1Lease(
            metadata=client.V1ObjectMeta(
                name=self.name,
                namespace=self.namespace,
                resource_version=record.version or None,
                labels={"app.kubernetes.io/name": "ecs-operator"},
            ),
            spec=client.V1LeaseSpec(
                holder_identity=record.holder or None,
                lease_duration_seconds=record.duration_seconds,
                acquire_time=record.acquired,
                renew_time=record.renewed,
                lease_transitions=record.transitions,
            ),
        )

    def _errors(self, error: Exception) -> Exception:
        from kubernetes.client.exceptions import ApiException

        if not isinstance(error, ApiException):
            return error
        where = f"Lease {self.namespace}/{self.name}"
        if error.status == 409:
            return LeaseConflict(where)
        if error.status == 403:
            return LeaseUnavailable(
                f"the operator may not read or write {where} ({error.reason}): grant get, create and update on "
                f"leases in namespace {self.namespace} (manifests/base/rbac.yaml), or run with --standalone"
            )
        if error.status == 404:
            return LeaseUnavailable(
                f"namespace {self.namespace} does not exist: create it, pass --lease-namespace, or run with "
                "--standalone",
                namespace_missing=True,
            )
        return LeaseUnavailable(f"{where}: the API server answered {error.status} {error.reason}")

    async def _call(self, function: Callable[..., Any], *args: Any) -> Any:
        try:
            return await asyncio.to_thread(function, *args)
        except Exception as error:
            raise self._errors(error) from error

    async def read(self) -> LeaseRecord | None:
        try:
            lease = await self._call(self.client.read_namespaced_lease, self.name, self.namespace)
        except LeaseUnavailable as error:
            if error.namespace_missing:  # a 404 to a read: no Lease yet (creating it tells whether the namespace is)
                return None
            raise
        return self._record(lease)

    async def create(self, record: LeaseRecord) -> LeaseRecord:
        lease = await self._call(self.client.create_namespaced_lease, self.namespace, self._body(record))
        return self._record(lease)

    async def update(self, record: LeaseRecord) -> LeaseRecord:
        lease = await self._call(self.client.replace_namespaced_lease, self.name, self.namespace, self._body(record))
        return self._record(lease)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return micro_time(value.astimezone(datetime.UTC))
    return str(value)
