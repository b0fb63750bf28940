"""The one place that talks to the Kubernetes API: read, list, apply, create, delete, patch status, post Events.

It rides on Kopf's own authenticated client (its credentials vault, retries on 5xx/429, re-login on 401), so
it works wherever the operator's watches work: in-cluster, with a kubeconfig, or against an emulator in tests.
Kopf has no public request API; ``kopf._cogs.clients`` is used here and nowhere else, so a Kopf upgrade has
one file to check.

Children are written with server-side apply (``application/apply-patch+yaml``, field manager ``ecs-operator``,
``force=true``): the operator owns the fields it sets, removed fields and list items are pruned by the API
server, and fields other controllers own (``replicas`` under an HPA, status) are left alone. A field the
operator stops setting but whose value must stay (``replicas`` handed over to an HPA) is first applied by
``HANDOVER_MANAGER``, which then shares its ownership.

A real API server creates an object on apply; a 404 to an apply means the namespace or the kind's API is gone
and is raised as ``NotFound``. Only an emulator without apply support (kmock) answers 404 for an object that
does not exist yet: ``Api.create_on_apply_404`` (off by default, on in the test harness) then POSTs it.

Retries: a request the API server could not serve (5xx, 429 Too Many Requests honouring ``Retry-After``, a
dropped connection, a timeout) is tried again after ``RETRY_BACKOFFS`` (about 4 s in all); a refusal (4xx, a
403 included) never is, so a denial by RBAC, a quota, PodSecurity or a webhook reaches the owner's conditions
at once. (Kopf's own client retries 403s, "as during upgrades"; the operator's requests turn that off.) Every
request is idempotent (applies, merge patches, deletes, creates of fixed names), so a retry is always safe.
Failed attempts are logged to the operator's log (``ecs_operator.k8s``), never posted as Kubernetes Events.
"""

from __future__ import annotations

import asyncio
import logging
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import aiohttp
import kopf
from kopf._cogs.clients import api as kopf_api
from kopf._cogs.clients import errors as kopf_errors

FIELD_MANAGER = "ecs-operator"
HANDOVER_MANAGER = "ecs-operator-handover"
JsonDict = dict[str, Any]

APIError = kopf_errors.APIError
NotFound = kopf_errors.APINotFoundError
Conflict = kopf_errors.APIConflictError
ClientError = kopf_errors.APIClientError  # every 4xx
Forbidden = kopf_errors.APIForbiddenError
TooManyRequests = kopf_errors.APITooManyRequestsError
ServerError = kopf_errors.APIServerError  # every 5xx
RETRIED = (ServerError, TooManyRequests, aiohttp.ClientConnectionError, TimeoutError)
RETRY_BACKOFFS = (0.2, 0.5, 1.0, 2.0)
LIST_PAGE_SIZE = 500
logger = logging.getLogger("ecs_operator.k8s")


class _AttemptLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """Kopf's per-attempt messages ("Request attempt #1/1 failed; escalating") at debug level: the operator
    logs the outcome itself, and a refusal it expects (a 403 from PodSecurity) is not an error of its own."""

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        super().log(min(level, logging.DEBUG), msg, *args, **kwargs)


_ATTEMPTS = _AttemptLog(logger, {})


def retry_after(error: BaseException) -> float | None:
    """The delay a 429 asks for (Retry-After, or the older details.retryAfterSeconds)."""
    if not isinstance(error, TooManyRequests):
        return None
    if error.headers and error.headers.get("Retry-After"):
        return float(error.headers["Retry-After"])
    if error.details and error.details.get("retryAfterSeconds"):
        return float(error.details["retryAfterSeconds"])
    return None


@dataclass(frozen=True)
class Kind:
    """Where a kind lives in the API."""

    api_version: str
    plural: str
    namespaced: bool = True

    def url(self, namespace: str | None, name: str | None = None, subresource: str | None = None) -> str:
        root = f"/api/{self.api_version}" if "/" not in self.api_version else f"/apis/{self.api_version}"
        # A namespaced kind without a namespace: every namespace (a list or watch across the cluster).
        scoped = self.namespaced and namespace is not None
        path = f"{root}/namespaces/{namespace}/{self.plural}" if scoped else f"{root}/{self.plural}"
        if name is not None:
            path += f"/{name}"
        if subresource is not None:
            path += f"/{subresource}"
        return path


# Every kind the operator reads or writes; children of any other kind are refused loudly.
KINDS: dict[str, Kind] = {
    "ECSCluster": Kind("ecs.compat.dev/v1alpha1", "ecsclusters"),
    "TaskDefinition": Kind("ecs.compat.dev/v1alpha1", "taskdefinitions"),
    "ECSService": Kind("ecs.compat.dev/v1alpha1", "ecsservices"),
    "ECSTask": Kind("ecs.compat.dev/v1alpha1", "ecstasks"),
    "SecurityGroup": Kind("ecs.compat.dev/v1alpha1", "securitygroups"),
    "ControllerRevision": Kind("apps/v1", "controllerrevisions"),
    "Deployment": Kind("apps/v1", "deployments"),
    "DaemonSet": Kind("apps/v1", "daemonsets"),
    "Pod": Kind("v1", "pods"),
    "Service": Kind("v1", "services"),
    "ServiceAccount": Kind("v1", "serviceaccounts"),
    "PodTemplate": Kind("v1", "podtemplates"),
    "PersistentVolumeClaim": Kind("v1", "persistentvolumeclaims"),
    "Node": Kind("v1", "nodes", namespaced=False),
    "Ingress": Kind("networking.k8s.io/v1", "ingresses"),
    "NetworkPolicy": Kind("networking.k8s.io/v1", "networkpolicies"),
    "HorizontalPodAutoscaler": Kind("autoscaling/v2", "horizontalpodautoscalers"),
    "PodDisruptionBudget": Kind("policy/v1", "poddisruptionbudgets"),
}


def kind_of(obj: Mapping[str, Any]) -> Kind:
    kind = KINDS.get(str(obj.get("kind")))
    if kind is None:
        raise ValueError(f"ecs-operator does not manage objects of kind {obj.get('kind')!r}")
    return kind


def matches_labels(obj: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    have = obj.get("metadata", {}).get("labels") or {}
    return all(have.get(key) == value for key, value in labels.items())


@dataclass(frozen=True)
class Api:
    """A Kubernetes client bound to the running operator's settings (timeouts) and its retry policy."""

    settings: kopf.OperatorSettings
    # An emulator without server-side apply (kmock) answers 404 to an apply of a missing object: create it.
    # Never on a real API server, where the 404 means the namespace or API is gone, and where an object created
    # by POST gets an Update-operation field manager whose fields later applies would never prune.
    create_on_apply_404: bool = False
    backoffs: tuple[float, ...] = field(default=RETRY_BACKOFFS)

    async def _call(self, method: str, url: str, payload: object = None, content_type: str | None = None) -> Any:
        headers = {"Content-Type": content_type} if content_type else None
        for backoff in (*self.backoffs, None):
            try:
                response = await kopf_api.request(
                    method, url, payload=payload, headers=headers, settings=self.settings, logger=_ATTEMPTS, backoffs=()
                )
                async with response:
                    return await response.json()
            except RETRIED as error:
                if backoff is None:
                    logger.warning("%s %s failed, not retried again: %r", method.upper(), url, error)
                    raise
                delay = max(backoff, retry_after(error) or 0.0)
                logger.info("%s %s failed, retried in %.1fs: %r", method.upper(), url, delay, error)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def server_version(self) -> tuple[int, int] | None:
        """The API server's Kubernetes release (``/version``); None when it does not say."""
        answer = await self._call("get", "/version")
        digits = [str(answer.get(key) or "").rstrip("+") for key in ("major", "minor")]
        return (int(digits[0]), int(digits[1])) if all(d.isdigit() for d in digits) else None

    async def get(self, kind: str, namespace: str | None, name: str) -> JsonDict | None:
        try:
            result: JsonDict = await self._call("get", KINDS[kind].url(namespace, name))
        except NotFound:
            return None
        return result

    async def list(self, kind: str, namespace: str | None, labels: Mapping[str, str] | None = None) -> list[JsonDict]:
        """Objects of a kind in a namespace (all namespaces if None), filtered by labels; in pages."""
        labels = labels or {}
        query = {"limit": str(LIST_PAGE_SIZE)}
        if labels:
            query["labelSelector"] = ",".join(f"{k}={v}" for k, v in labels.items())
        items: list[JsonDict] = []
        while True:
            listing = await self._call("get", KINDS[kind].url(namespace) + "?" + urllib.parse.urlencode(query))
            items += listing.get("items") or []
            token = (listing.get("metadata") or {}).get("continue")
            if not token:
                break
            query["continue"] = token
        # The selector is applied again here: it costs nothing and keeps the result right on any API server.
        return [
            {"apiVersion": KINDS[kind].api_version, "kind": kind, **item}
            for item in items
            if matches_labels(item, labels)
        ]

    async def apply(self, obj: JsonDict, manager: str | None = None) -> JsonDict:
        """Server-side apply ``obj`` as the operator's field manager (or ``manager``), taking over conflicting
        fields."""
        meta = obj["metadata"]
        query = urllib.parse.urlencode({"fieldManager": manager or FIELD_MANAGER, "force": "true"})
        url = kind_of(obj).url(meta.get("namespace"), meta["name"]) + "?" + query
        try:
            result: JsonDict = await self._call("patch", url, obj, "application/apply-patch+yaml")
        except NotFound:
            if not self.create_on_apply_404:
                raise
            created = await self.create(obj)
            if created is None:
                raise
            return created
        return result

    async def create(self, obj: JsonDict) -> JsonDict | None:
        """Create ``obj``; None if an object of that name already exists (so creating is idempotent)."""
        query = urllib.parse.urlencode({"fieldManager": FIELD_MANAGER})
        url = kind_of(obj).url(obj["metadata"].get("namespace")) + "?" + query
        try:
            result: JsonDict = await self._call("post", url, obj)
        except Conflict:
            return None
        return result

    async def delete(self, kind: str, namespace: str | None, name: str, grace_seconds: int | None = None) -> bool:
        """Delete an object (children in the background); False if it was already gone."""
        options: JsonDict = {"propagationPolicy": "Background"}
        if grace_seconds is not None:
            options["gracePeriodSeconds"] = grace_seconds
        try:
            await self._call("delete", KINDS[kind].url(namespace, name), options)
        except NotFound:
            return False
        return True

    async def patch(
        self, kind: str, namespace: str | None, name: str, patch: JsonDict, subresource: str | None = None
    ) -> JsonDict:
        """JSON merge patch (lists are replaced whole, null removes a key)."""
        url = KINDS[kind].url(namespace, name, subresource)
        result: JsonDict = await self._call("patch", url, patch, "application/merge-patch+json")
        return result

    async def patch_status(self, kind: str, namespace: str, name: str, status: JsonDict) -> None:
        """Replace the given top-level status fields (merge patch on the status subresource)."""
        await self.patch(kind, namespace, name, {"status": status}, subresource="status")


def post_event(body: Mapping[str, Any], *, warning: bool, reason: str, message: str) -> None:
    """Queue a Kubernetes Event about ``body``; Kopf posts it in the background (never blocks a handler)."""
    # kopf.event is not subject to the posting level, which only filters Kopf's own log messages.
    subject = kopf.Body(cast(kopf.RawBody, dict(body)))
    kopf.event(subject, type="Warning" if warning else "Normal", reason=reason, message=message[:1024])
