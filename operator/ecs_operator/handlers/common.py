"""What every kind's handlers share: configuration, per-object locks, the error mapping, status and conditions.

A reconcile function returns an ``Outcome`` (status fields, the Ready/Progressing condition, warnings) or
raises ``InvalidSpec`` (the input will never work as it is), ``ChildRejected`` (the API server refused a child
the input produced), ``NotReady`` ("not yet": a referenced object is missing; ``MissingReference`` from a
translator is one too) or ``Forbidden`` (the operator's RBAC does not allow a request). ``reconcile_object``
runs it under the object's lock, writes the status contract (conditions with lastTransitionTime,
observedGeneration, warnings), posts Events when a condition changes, and maps the errors to Kopf's:
``PermanentError`` (no retry until the spec changes, so an invalid spec never crash-loops) and
``TemporaryError(delay=...)``. Timers and child events call it with ``raise_errors=False``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import kopf
import pydantic

from ecs_operator.k8s import Api, Forbidden, post_event
from ecs_operator.models.errors import format_validation_error
from ecs_operator.resolve.errors import NotReady
from ecs_operator.status.conditions import Outcome, conditions, failed_outcome
from ecs_operator.translate.context import GROUP, Meta, MissingReference, TranslationError

JsonDict = dict[str, Any]
Model = TypeVar("Model", bound=pydantic.BaseModel)


@dataclass(frozen=True)
class OperatorConfig:
    """Knobs of the running operator; tests shorten the intervals."""

    region: str = "us-east-1"
    account_id: str = "000000000000"
    resync_seconds: float = 60.0  # timers: status refresh and drift repair when no event says so earlier
    retry_seconds: float = 15.0  # "not yet" (missing cluster, task definition, security group)
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
        )


@dataclass
class Runtime:
    """Shared by all handlers of one operator run (kept in Kopf's memo)."""

    config: OperatorConfig
    settings: kopf.OperatorSettings | None = None  # recorded at startup: Kopf passes it to no other handler
    locks: dict[tuple[str, str, str], asyncio.Lock] = field(default_factory=dict)
    queued: set[tuple[str, str, str]] = field(default_factory=set)

    @contextlib.asynccontextmanager
    async def turn(self, kind: str, namespace: str, name: str) -> AsyncIterator[bool]:
        """Take the object's turn; False when another reconcile is already waiting for it.

        Change handlers, timers and child events can all reconcile one object: they take turns, and a
        burst of triggers (every child event of a rollout) collapses into one queued reconcile, which reads
        the object afresh when its turn comes.
        """
        key = (kind, namespace, name)
        if key in self.queued:
            yield False
            return
        self.queued.add(key)
        try:
            async with self.locks.setdefault(key, asyncio.Lock()):
                self.queued.discard(key)
                yield True
        finally:
            self.queued.discard(key)


def runtime_of(memo: Any) -> Runtime:
    runtime: Runtime = memo.runtime
    return runtime


def api_of(memo: Any, logger: kopf.Logger) -> Api:
    """A client with the operator's network settings, logging to the handler's (per-object) logger."""
    runtime = runtime_of(memo)
    settings = runtime.settings if runtime.settings is not None else kopf.OperatorSettings()
    return Api(settings, logger, create_on_apply_404=runtime.config.create_on_apply_404)


def record_settings(settings: kopf.OperatorSettings, memo: Any, **_: Any) -> None:
    runtime_of(memo).settings = settings


class InvalidSpec(Exception):
    """The spec can never work as it is; the message names the field."""

    reason = "InvalidSpec"


class ChildRejected(Exception):
    """What the spec produced cannot be stored as it is: the API server refused a child (400 / 422, or a 403
    from admission such as PodSecurity or a webhook), or the child's name is taken by an object that is not
    the operator's."""

    reason = "ChildRejected"


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


Reconciler = Callable[[Api, JsonDict, Runtime], Awaitable[Outcome]]


async def reconcile_object(
    api: Api, body: Mapping[str, Any], runtime: Runtime, reconcile: Reconciler, *, raise_errors: bool = True
) -> None:
    """Run ``reconcile`` under the object's lock and write what came of it (see the module docstring)."""
    meta = body["metadata"]
    async with runtime.turn(body["kind"], meta.get("namespace", "default"), meta["name"]) as mine:
        if not mine:
            return
        # Re-read in turn: another handler may have written the status in the meantime.
        fresh = await api.get(body["kind"], meta.get("namespace"), meta["name"])
        if fresh is None or fresh.get("metadata", {}).get("deletionTimestamp"):
            return
        fresh.setdefault("kind", body["kind"])
        fresh.setdefault("apiVersion", body.get("apiVersion"))
        try:
            try:
                outcome = await reconcile(api, fresh, runtime)
            except MissingReference as error:  # before TranslationError, which it is a kind of
                raise missing_reference(error) from error
            except Forbidden as error:  # a read the RBAC refuses; child writes say which (handlers/children.py)
                raise NotAllowed(f"the operator is not allowed to do this: {error}; check its ClusterRole") from error
        except (InvalidSpec, TranslationError, ChildRejected) as error:
            reason = getattr(error, "reason", "InvalidSpec")
            await write_status(api, fresh, failed_outcome(fresh, reason, str(error), degraded=True))
            if raise_errors:
                raise kopf.PermanentError(str(error)) from error
            return
        except NotReady as error:
            await write_status(api, fresh, failed_outcome(fresh, error.reason, error.message, degraded=error.degraded))
            if raise_errors:
                raise kopf.TemporaryError(error.message, delay=runtime.config.retry_seconds) from error
            return
        await write_status(api, fresh, outcome)


def register_handlers(
    registry: kopf.OperatorRegistry, plural: str, reconcile: Reconciler, resync_seconds: float | None
) -> None:
    """Reconcile on create, spec change and operator start; and every ``resync_seconds`` while it exists.

    The resync is a daemon rather than a timer so that stopping the operator (or deleting the object)
    cancels a reconcile in flight after a second instead of waiting for it: a reconcile is idempotent.
    """

    async def changed(body: kopf.Body, memo: kopf.Memo, logger: kopf.Logger, **_: Any) -> None:
        await reconcile_object(api_of(memo, logger), body, runtime_of(memo), reconcile)

    async def resync(body: kopf.Body, memo: kopf.Memo, logger: kopf.Logger, **_: Any) -> None:
        assert resync_seconds is not None
        while True:  # until Kopf cancels it (the object is deleted or the operator stops)
            await asyncio.sleep(resync_seconds)
            await reconcile_object(api_of(memo, logger), body, runtime_of(memo), reconcile, raise_errors=False)

    for reason, on in (("create", kopf.on.create), ("update", kopf.on.update), ("resume", kopf.on.resume)):
        on(GROUP, plural, id=f"{plural}-{reason}", registry=registry)(changed)
    if resync_seconds is not None:
        kopf.daemon(GROUP, plural, id=f"{plural}-resync", cancellation_timeout=1.0, registry=registry)(resync)
