"""A Kubernetes client for code that runs outside a Kopf operator: the ECS API, in its own process or beside one.

``client.py``'s ``Api`` rides on Kopf's internal request machinery, which needs the credentials vault that only
``kopf.operator`` sets up. This client logs in with Kopf's public ``ConnectionInfo`` (in-cluster service account
or a kubeconfig, read by the ``kubernetes`` library, which also runs exec plugins) and speaks JSON over one
aiohttp session. A 401 logs in again once (rotated service account tokens, expiring exec tokens).

Errors are raised as ``KubeError`` subclasses by HTTP status; a connection failure is a ``KubeError`` with
status 0, so callers map every failure of the API server in one place.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import urllib.parse
import warnings
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import aiohttp
import kopf

from ecs_operator.k8s.client import KINDS, Kind

JsonDict = dict[str, Any]
USER_AGENT = "ecs-operator-api"  # the ECS API's requests, as the API server's audit log and tests tell them

# Kinds the ECS API reads or writes beyond those the operator manages (and namespaces, for its callers' tools).
API_KINDS: dict[str, Kind] = {
    **KINDS,
    "Secret": Kind("v1", "secrets"),
    "Event": Kind("v1", "events"),
    "Namespace": Kind("v1", "namespaces", namespaced=False),
}


class KubeError(Exception):
    """The API server refused a request (``status`` is its HTTP status; 0 when it could not be reached)."""

    def __init__(self, status: int, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message


class NotFound(KubeError):
    pass


class Conflict(KubeError):
    """409: the object exists already, or it changed since it was read (resourceVersion)."""


class Forbidden(KubeError):
    pass


class Invalid(KubeError):
    """422: the object does not pass the API server's validation (the CRD schema, admission)."""


_ERRORS: dict[int, type[KubeError]] = {404: NotFound, 409: Conflict, 403: Forbidden, 422: Invalid}


def login(kubeconfig: str | None = None) -> kopf.ConnectionInfo:
    """Credentials for the API server: the in-cluster service account, else the kubeconfig (``kubeconfig``,
    ``$KUBECONFIG`` or ``~/.kube/config``); raises ``kopf.LoginError`` when there is neither."""
    import kubernetes.client
    import kubernetes.config

    config = kubernetes.client.Configuration()
    try:
        if kubeconfig is not None:
            raise kubernetes.config.ConfigException("a kubeconfig was named")
        kubernetes.config.load_incluster_config(client_configuration=config)
    except kubernetes.config.ConfigException:
        try:
            kubernetes.config.load_kube_config(config_file=kubeconfig, client_configuration=config)
        except (kubernetes.config.ConfigException, OSError) as error:
            raise kopf.LoginError(f"no Kubernetes cluster: neither in-cluster nor a kubeconfig ({error})") from error
    header = config.get_api_key_with_prefix("BearerToken") or config.get_api_key_with_prefix("authorization")
    scheme, _, token = (header or "").rpartition(" ")
    return kopf.ConnectionInfo(
        server=config.host,
        ca_path=config.ssl_ca_cert,
        insecure=not config.verify_ssl,
        username=config.username or None,
        password=config.password or None,
        scheme=scheme or ("Bearer" if token else None),
        token=token or None,
        certificate_path=config.cert_file,
        private_key_path=config.key_file,
    )


class KubeClient:
    """JSON requests to one API server; ``relogin`` (if given) is called for fresh credentials after a 401."""

    def __init__(
        self,
        connection: kopf.ConnectionInfo,
        *,
        relogin: Callable[[], kopf.ConnectionInfo] | None = None,
        timeout: float = 30.0,
        field_manager: str = "ecs-api",
        user_agent: str = USER_AGENT,
    ) -> None:
        self.connection = connection
        self.user_agent = user_agent
        self.relogin = relogin
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.field_manager = field_manager
        self._session: aiohttp.ClientSession | None = None
        self._watches: aiohttp.ClientSession | None = None  # long-lived streams never take a request's connection

    def _new_session(self, limit: int) -> aiohttp.ClientSession:
        info = self.connection
        ssl = info.as_ssl_context() if info.server.startswith("https") else False
        with warnings.catch_warnings():  # Kopf deprecates its basic-auth helper; aiohttp warns by itself
            warnings.simplefilter("ignore", DeprecationWarning)
            auth = info.as_aiohttp_basic_auth()
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=ssl, limit=limit),
            headers={**info.as_http_headers(), "User-Agent": self.user_agent},
            auth=auth,
            timeout=self.timeout,
        )

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = self._new_session(limit=32)
        return self._session

    def _open_watches(self) -> aiohttp.ClientSession:
        if self._watches is None:
            self._watches = self._new_session(limit=0)
        return self._watches

    async def close(self) -> None:
        for session in (self._session, self._watches):
            if session is not None:
                await session.close()
        self._session = self._watches = None

    async def request(
        self, method: str, path: str, payload: object = None, content_type: str = "application/json"
    ) -> JsonDict:
        """One request; the decoded JSON answer. 401 logs in again once."""
        for attempt in (1, 2):
            try:
                async with self._open().request(
                    method,
                    self.connection.server.rstrip("/") + path,
                    json=payload,
                    headers={"Content-Type": content_type} if payload is not None else None,
                ) as response:
                    if response.status == 401 and attempt == 1 and self.relogin is not None:
                        await self.close()  # the watches' session too: it holds the same credentials
                        self.connection = await asyncio.to_thread(self.relogin)
                        continue
                    text = await response.text()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                detail = str(error) or type(error).__name__
                raise KubeError(0, f"the Kubernetes API server did not answer: {detail}") from error
            body = _decoded(text)
            if status >= 400:
                raise _error(status, body)
            return body
        raise KubeError(401, "the Kubernetes API server refused the credentials", "Unauthorized")

    async def get(self, kind: str, namespace: str | None, name: str) -> JsonDict | None:
        try:
            return await self.request("GET", API_KINDS[kind].url(namespace, name))
        except NotFound:
            return None

    async def list(
        self,
        kind: str,
        namespace: str | None,
        labels: Mapping[str, str | None] | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> list[JsonDict]:
        """Objects of a kind in a namespace (all namespaces if None), filtered by labels (value None: the label
        exists). The label selector is applied again here, so the answer is right on an emulator that ignores
        it; a field selector (``fields``) only narrows what the server sends, callers check the fields."""
        return (await self.list_at(kind, namespace, labels, fields))[0]

    async def list_at(
        self,
        kind: str,
        namespace: str | None,
        labels: Mapping[str, str | None] | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> tuple[builtins.list[JsonDict], str]:
        """``list``, and the resourceVersion of the list (to watch from)."""
        labels = labels or {}
        listing = await self.request("GET", _path(kind, namespace, labels, fields))
        items: list[JsonDict] = listing.get("items") or []
        where = API_KINDS[kind]
        found = [{"apiVersion": where.api_version, "kind": kind, **item} for item in items if selected(item, labels)]
        return found, str((listing.get("metadata") or {}).get("resourceVersion") or "")

    async def watch(
        self,
        kind: str,
        namespace: str | None,
        labels: Mapping[str, str | None],
        resource_version: str,
        timeout_seconds: int = 300,
    ) -> AsyncIterator[JsonDict]:
        """The watch events (``{"type", "object"}``) from ``resource_version`` on, until the server ends the
        stream (after about ``timeout_seconds``). An ``ERROR`` event (410 Gone: the version is too old) is the
        last one."""
        query = {"watch": "true", "timeoutSeconds": str(timeout_seconds), "allowWatchBookmarks": "true"}
        if resource_version:
            query["resourceVersion"] = resource_version
        path = _path(kind, namespace, labels, None, query)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.timeout.total, sock_read=timeout_seconds + 30)
        try:
            async with self._open_watches().get(self.connection.server.rstrip("/") + path, timeout=timeout) as response:
                if response.status >= 400:
                    raise _error(response.status, _decoded(await response.text()))
                async for line in response.content:
                    if line.strip():
                        event = _decoded(line.decode())
                        yield event
                        if event.get("type") == "ERROR":
                            return
        except (aiohttp.ClientError, TimeoutError) as error:
            raise KubeError(0, f"the watch of {kind} ended: {error or type(error).__name__}") from error

    async def create(self, obj: JsonDict) -> JsonDict:
        """POST ``obj``; ``Conflict`` if an object of that name exists."""
        where = API_KINDS[obj["kind"]]
        query = urllib.parse.urlencode({"fieldManager": self.field_manager})
        return await self.request("POST", where.url(obj["metadata"].get("namespace")) + "?" + query, obj)

    async def patch(
        self, kind: str, namespace: str | None, name: str, patch: JsonDict, subresource: str | None = None
    ) -> JsonDict:
        """JSON merge patch (lists replaced whole, null removes a key); with ``metadata.resourceVersion`` in the
        patch, ``Conflict`` if the object changed since it was read."""
        query = urllib.parse.urlencode({"fieldManager": self.field_manager})
        path = API_KINDS[kind].url(namespace, name, subresource) + "?" + query
        return await self.request("PATCH", path, patch, "application/merge-patch+json")

    async def delete(self, kind: str, namespace: str | None, name: str, grace_seconds: int | None = None) -> bool:
        """Delete an object (its children in the background); False if it was already gone."""
        options: JsonDict = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Background"}
        if grace_seconds is not None:
            options["gracePeriodSeconds"] = grace_seconds
        try:
            await self.request("DELETE", API_KINDS[kind].url(namespace, name), options)
        except NotFound:
            return False
        return True


def selected(item: Mapping[str, Any], labels: Mapping[str, str | None]) -> bool:
    """Whether an object has the labels (value None: the label is there, with any value)."""
    have = item.get("metadata", {}).get("labels") or {}
    return all(key in have and (value is None or have[key] == value) for key, value in labels.items())


def _path(
    kind: str,
    namespace: str | None,
    labels: Mapping[str, str | None],
    fields: Mapping[str, str] | None,
    extra: Mapping[str, str] | None = None,
) -> str:
    query = dict(extra or {})
    if labels:
        query["labelSelector"] = ",".join(key if value is None else f"{key}={value}" for key, value in labels.items())
    if fields:
        query["fieldSelector"] = ",".join(f"{key}={value}" for key, value in fields.items())
    path = API_KINDS[kind].url(namespace)
    return path + ("?" + urllib.parse.urlencode(query) if query else "")


def _decoded(text: str) -> JsonDict:
    try:
        body = json.loads(text) if text else {}
    except ValueError:
        return {"message": text[:200]}
    return body if isinstance(body, dict) else {}


def _error(status: int, body: JsonDict) -> KubeError:
    message = str(body.get("message") or f"HTTP {status}")
    return _ERRORS.get(status, KubeError)(status, message, str(body.get("reason") or ""))
