"""What every kind's handlers share: configuration, the runtime (work queue), the error mapping, status.

A reconcile function returns an ``Outcome`` (status fields, the Ready/Progressing condition, warnings) or
raises ``InvalidSpec`` (the input will never work as it is), ``ChildRejected`` (the API server refused a child
the input produced), ``NotReady`` ("not yet": a referenced object is missing; ``MissingReference`` from a
translator is one too) or ``Forbidden`` (the operator's RBAC does not allow a request). ``Runtime.process``
runs it for a key of the work queue (``handlers/queue.py``): it reads the object, reconciles it, writes the
status contract (conditions with lastTransitionTime, observedGeneration, warnings), posts Events when a
condition changes, and decides when the key runs again:

- after a success, at the next resync (``resync_seconds``, +-10 %: a safety net; watches trigger the rest);
- after ``NotReady`` (a missing reference, an RBAC denial, a quota), with a per-key exponential backoff from
  ``retry_seconds`` up to ``max_backoff_seconds`` (and sooner when what it waits for appears: its event
  queues the dependents);
- after ``InvalidSpec`` / ``ChildRejected``, only at the next resync or spec change: the input must change;
- after any other error (an API server that keeps failing), with the same backoff, logged once per attempt.

Nothing here writes to an object unless its status changes: a reconcile with nothing to do reads the object
and writes nothing. A reconcile that a watch event of the object itself queued (it appeared, its spec changed)
starts from the event's body instead of reading it (``Runtime.seen``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import enum
import logging
import os
import random
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import kopf
import pydantic

from ecs_operator.handlers.applied import ChildState
from ecs_operator.handlers.indices import INDEX_NAMES, Indices
from ecs_operator.handlers.queue import Backoff, Key, WorkQueue
from ecs_operator.k8s import Api, APIError, Forbidden, post_event
from ecs_operator.models.errors import format_validation_error
from ecs_operator.resolve.errors import NotReady
from ecs_operator.status.conditions import Outcome, conditions, failed_outcome
from ecs_operator.translate.context import DEFAULT_TARGET, GROUP, Meta, MissingReference, Target, TranslationError

JsonDict = dict[str, Any]
Model = TypeVar("Model", bound=pydantic.BaseModel)
logger = logging.getLogger("ecs_operator")
RESYNC_JITTER = 0.1


@dataclass(frozen=True)
class OperatorConfig:
    """Knobs of the running operator; tests shorten the intervals."""

    region: str = "us-east-1"
    account_id: str = "000000000000"
    resync_seconds: float = 600.0  # every object is reconciled this often without an event (+-10 %)
    retry_seconds: float = 15.0  # first retry of a "not yet" (missing cluster, task definition, ...), doubling
    max_backoff_seconds: float = 300.0  # the longest wait between retries of one object
    refresh_seconds: float = 5.0  # counts (cluster tasks, security group members) follow Pods at most this often
    batch_seconds: float = 1.0  # a service follows its Pods at most this often: tasks started together, one event
    workers: int = 64  # reconciles running at once (mostly waiting for the API server: docs/benchmarks.md)
    create_on_apply_404: bool = False  # only for an API emulator without server-side apply (see k8s/client.py)

    @classmethod
    def from_env(cls) -> OperatorConfig:
        """From ECS_OPERATOR_REGION (or AWS_REGION, AWS_DEFAULT_REGION), ECS_OPERATOR_ACCOUNT_ID, ..._SECONDS."""
        env = os.environ
        return cls(
            region=env.get("ECS_OPERATOR_REGION")
            or env.get("AWS_REGION")
            or env.get("AWS_DEFAULT_REGION")
            or cls.region,
            account_id=env.get("ECS_OPERATOR_ACCOUNT_ID", cls.account_id),
            resync_seconds=float(env.get("ECS_OPERATOR_RESYNC_SECONDS", cls.resync_seconds)),
            retry_seconds=float(env.get("ECS_OPERATOR_RETRY_SECONDS", cls.retry_seconds)),
            workers=int(env.get("ECS_OPERATOR_WORKERS", cls.workers)),
        )

    @property
    def backoff(self) -> Backoff:
        return Backoff(self.retry_seconds, max(self.max_backoff_seconds, self.retry_seconds))

    def next_resync(self, draw: Callable[[float, float], float] = random.uniform) -> float:
        return self.resync_seconds * draw(1 - RESYNC_JITTER, 1 + RESYNC_JITTER)


Reconciler = Callable[[Api, JsonDict, "Runtime"], Awaitable[Outcome]]


@dataclass
class Runtime:
    """Shared by all handlers of one operator run (kept in Kopf's memo): the work queue and its reconcilers."""

    config: OperatorConfig
    reconcilers: dict[str, Reconciler] = field(default_factory=dict)
    settings: kopf.OperatorSettings | None = None  # recorded at startup: Kopf passes it to no other handler
    indices: Indices | None = None  # Kopf's indices, recorded at startup (filled before any handler runs)
    children: ChildState = field(default_factory=ChildState)
    queue: WorkQueue | None = None
    workers: asyncio.Task[None] | None = None
    namespaces: list[str] = field(default_factory=list)  # what the operator watches (none: every namespace)
    # Loops that run beside the workers, from the first reconcile on (the caches' audit: handlers/audit.py).
    companions: list[Callable[[Runtime], Coroutine[Any, Any, None]]] = field(default_factory=list)
    running: list[asyncio.Task[None]] = field(default_factory=list)
    rendering: Target | None = None  # learned from the API server at the first reconcile that renders
    learning: asyncio.Lock = field(default_factory=asyncio.Lock)  # held while ``rendering`` is learned
    bodies: dict[Key, JsonDict] = field(default_factory=dict)  # objects as their watch events brought them

    async def target(self, api: Api) -> Target:
        """What the operator renders for: the API server's release (pod-level resources from 1.34), and a security
        group a service names that is not there rendered around and reported, not waited for (it may never come,
        and the service's tasks should run meanwhile)."""
        rendering = self.rendering
        if rendering is None:
            async with self.learning:  # the reconciles of a burst wait for one answer, not a request each
                rendering = self.rendering or await self._learn_target(api)
        return rendering

    async def _learn_target(self, api: Api) -> Target:
        try:
            version = await api.server_version()
        except APIError as error:  # the release is a nicety: render for the oldest supported one
            logger.warning("the API server's version is unknown (%s): rendering for Kubernetes 1.29", error)
            version = None
        self.rendering = Target(
            kubernetes_version=version or DEFAULT_TARGET.kubernetes_version, unknown_security_groups="warn"
        )
        return self.rendering

    @property
    def model(self) -> Indices:
        """The read model every reconcile reads from (``handlers/indices.py``)."""
        if self.indices is None:
            raise RuntimeError("the operator's indices are not recorded yet (the startup handler records them)")
        return self.indices

    @property
    def api(self) -> Api:
        """A client with the operator's network settings (it logs to the operator's log, never as Events)."""
        settings = self.settings if self.settings is not None else kopf.OperatorSettings()
        return Api(settings, create_on_apply_404=self.config.create_on_apply_404)

    def enqueue(
        self,
        kind: str,
        namespace: str,
        name: str,
        delay: float = 0.0,
        *,
        urgent: bool = False,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        """Reconcile an object soon (after ``delay``; ``urgent``: new work, ahead of refreshes); the queue starts
        with the first object it is given. ``body``: the object as its watch event brought it (``seen``).

        Kopf posts Events from the context of an object's handler: the workers are started from there (the
        first trigger is always a handler's), so the Events they post find Kopf's event queue.
        """
        if kind not in self.reconcilers:
            return
        if self.queue is None:
            self.queue = WorkQueue(self.process, workers=self.config.workers)
            self.workers = asyncio.create_task(self.queue.run(), name="ecs-operator work queue")
            self.running = [asyncio.create_task(companion(self)) for companion in self.companions]
        if body is not None:
            self.seen((kind, namespace, name), body)
        self.queue.add((kind, namespace, name), delay, urgent=urgent)

    def seen(self, key: Key, body: Mapping[str, Any]) -> None:
        """Keep the object as its latest watch event brought it, for its next reconcile to start from instead of
        reading it again (a new object's reconcile is then one request shorter). Only while the key is not
        running: a run may write the object, and an event from before that write would be older than it."""
        if self.queue is not None and not self.queue.running(key):
            self.bodies[key] = copy.deepcopy(dict(body))

    def seen_again(self, key: Key, body: Mapping[str, Any]) -> None:
        """A later event of an object whose body is kept (a status change): keep the later one."""
        if key in self.bodies:
            self.seen(key, body)

    def busy(self, key: Key) -> bool:
        """Whether other new work (objects that appeared or changed) than ``key`` is waiting for a worker, or came
        in the last ``batch_seconds``: a burst is under way."""
        return self.queue is not None and self.queue.in_burst(self.config.batch_seconds, key)

    def forget(self, kind: str, namespace: str, name: str) -> None:
        self.bodies.pop((kind, namespace, name), None)
        if self.queue is not None:
            self.queue.forget((kind, namespace, name))

    async def stop(self) -> None:
        """Stop the workers (reconciles in flight are cancelled: a reconcile is idempotent)."""
        for task in [*self.running, *([self.workers] if self.workers is not None else [])]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.workers, self.queue, self.running = None, None, []

    async def process(self, key: Key) -> None:
        """The queue's processor: reconcile the object and schedule its next run (see the module docstring)."""
        assert self.queue is not None
        kind, namespace, name = key
        body = self.bodies.pop(key, None)
        try:
            result = await reconcile_object(self.api, kind, namespace, name, self, self.reconcilers[kind], body)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            delay = self.queue.failed(key, self.config.backoff)
            logger.error("reconciling %s %s/%s failed (retried in %.0fs): %r", kind, namespace, name, delay, error)
            return
        if result is Result.RETRY:
            self.queue.failed(key, self.config.backoff)
            return
        self.queue.succeeded(key)
        if result is Result.AGAIN:
            self.queue.add(key, self.config.batch_seconds)
            return
        if result is not Result.FINAL:
            self.queue.add(key, self.config.next_resync())


def runtime_of(memo: Any) -> Runtime:
    runtime: Runtime = memo.runtime
    return runtime


def record_settings(settings: kopf.OperatorSettings, memo: Any, **kwargs: Any) -> None:
    """Kopf gives its settings and its (still empty) indices to startup handlers only: keep them for the rest."""
    runtime = runtime_of(memo)
    runtime.settings = settings
    runtime.indices = Indices({name: kwargs[name] for name in INDEX_NAMES if name in kwargs})


async def stop_workers(memo: Any, **_: Any) -> None:
    await runtime_of(memo).stop()


class InvalidSpec(Exception):
    """The spec can never work as it is; the message names the field."""

    reason = "InvalidSpec"


class ChildRejected(Exception):
    """What the spec produced cannot be stored as it is: the API server refused a child (400 / 422, or a 403
    from admission such as PodSecurity or a webhook), or the child's name is taken by an object that is not
    the operator's."""

    reason = "ChildRejected"


class Deferred(Exception):
    """The reconcile wrote what starts the object's Pods and leaves the rest to its next run, ``batch_seconds``
    later, after the new work that is waiting (``handlers/children.py``, "Order"); no status is written meanwhile."""


class NotAllowed(NotReady):
    """The operator's RBAC does not allow a request (403); retried, since an administrator can grant it."""

    degraded = True  # nothing progresses until someone acts

    def __init__(self, message: str) -> None:
        super().__init__("Forbidden", message)


class QuotaExceeded(NotReady):
    """A ResourceQuota refuses a child (403 "exceeded quota"); retried, since quota can be raised or freed."""

    degraded = True  # nothing progresses until someone acts (or other workloads release their share)

    def __init__(self, message: str) -> None:
        super().__init__("QuotaExceeded", message)


def missing_reference(error: MissingReference) -> NotReady:
    """A translator's "names something that is not there (yet)", as a wait: ``SecurityGroupNotFound``, ..."""
    reason = "SecurityGroupNotFound" if "securityGroups" in error.field else "ReferenceNotFound"
    return NotReady(reason, str(error))


def plain(body: Mapping[str, Any]) -> JsonDict:
    """A deep, mutable copy of a Kopf body (which is a read-only view)."""
    return copy.deepcopy(dict(body))


def meta_of(body: Mapping[str, Any]) -> Meta:
    metadata = body.get("metadata", {})
    return Meta(
        kind=body["kind"],
        name=metadata["name"],
        namespace=metadata.get("namespace", "default"),
        uid=metadata.get("uid"),
    )


def parse_spec(model: type[Model], body: Mapping[str, Any]) -> Model:
    try:
        return model.model_validate(body.get("spec") or {})
    except pydantic.ValidationError as error:
        raise InvalidSpec("; ".join(format_validation_error(error, prefix="spec"))) from error


def observed_generation(body: Mapping[str, Any]) -> JsonDict:
    # An API emulator may keep no generation; then there is nothing to observe and the field is left out.
    generation = body.get("metadata", {}).get("generation")
    return {"observedGeneration": generation} if generation is not None else {}


async def write_status(api: Api, body: Mapping[str, Any], outcome: Outcome) -> JsonDict:
    """Patch the status when it changed; post an Event when the Ready condition or the warnings change.

    A Ready Event is posted when Ready's status or reason changes, not its message (which carries live counts,
    "3 of 5 tasks available"). It is a Warning only when the object is Degraded: a rollout in progress or a
    wait for a referenced object is Normal.
    """
    old: JsonDict = body.get("status") or {}
    previous = old.get("conditions") or []
    status = {**outcome.status, **observed_generation(body), "conditions": conditions(previous, outcome)}
    status["warnings"] = outcome.warnings
    # A merge patch keeps what it does not mention: a field no longer reported (launchType removed) is nulled.
    status.update({key: None for key in old if key not in status and key != "kopf"})
    if any(old.get(key) != value for key, value in status.items()):
        meta = body["metadata"]
        await api.patch_status(body["kind"], meta.get("namespace", "default"), meta["name"], status)
    _post_transitions(
        body, previous, status["conditions"][0], outcome.degraded, old.get("warnings") or [], outcome.warnings
    )
    return status


def _post_transitions(
    body: Mapping[str, Any],
    previous: list[JsonDict],
    ready: JsonDict,
    degraded: bool,
    old_warnings: list[str],
    warnings: list[str],
) -> None:
    old = next((c for c in previous if c.get("type") == "Ready"), {})
    if (old.get("status"), old.get("reason")) != (ready["status"], ready["reason"]):
        post_event(body, warning=degraded, reason=ready["reason"], message=ready["message"] or "Ready")
    for warning in warnings:
        if warning not in old_warnings:
            # Normal: informational (alerting reads Warning Events as problems); the warnings[] status says it too.
            post_event(body, warning=False, reason="FieldIgnored", message=warning)


class Result(enum.Enum):
    """When a key runs again after a reconcile (see the module docstring)."""

    DONE = "resync"  # at the next resync
    RETRY = "backoff"  # after the key's backoff
    FINAL = "never"  # nothing can change any more (a stopped task): only an event of its own brings it back
    AGAIN = "again"  # ``batch_seconds`` later, after the new work waiting (``Deferred``)


async def reconcile_object(
    api: Api,
    kind: str,
    namespace: str,
    name: str,
    runtime: Runtime,
    reconcile: Reconciler,
    seen: JsonDict | None = None,
) -> Result:
    """Read the object (unless its watch event brought it: ``seen``), run ``reconcile`` on it and write what came
    of it (see the module docstring)."""
    fresh = seen if seen is not None else await api.get(kind, namespace, name)
    if fresh is None or fresh.get("metadata", {}).get("deletionTimestamp"):
        return Result.FINAL
    fresh.setdefault("kind", kind)
    fresh.setdefault("apiVersion", f"{GROUP}/v1alpha1")
    try:
        try:
            outcome = await reconcile(api, fresh, runtime)
        except MissingReference as error:  # before TranslationError, which it is a kind of
            raise missing_reference(error) from error
        except Forbidden as error:  # a read the RBAC refuses; child writes say which (handlers/children.py)
            raise NotAllowed(f"the operator is not allowed to do this: {error}; check its ClusterRole") from error
    except Deferred:
        return Result.AGAIN
    except (InvalidSpec, TranslationError, ChildRejected) as error:
        reason = getattr(error, "reason", "InvalidSpec")
        await write_status(api, fresh, failed_outcome(fresh, reason, str(error), degraded=True))
        return Result.DONE
    except NotReady as error:
        await write_status(api, fresh, failed_outcome(fresh, error.reason, error.message, degraded=error.degraded))
        return Result.RETRY
    await write_status(api, fresh, outcome)
    return Result.FINAL if outcome.final else Result.DONE
