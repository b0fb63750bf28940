"""The HTTP server: aiohttp's, one route (``POST /``) for every ECS operation, plus ``GET /healthz``.

aiohttp is already the operator's HTTP stack (Kopf's client, its liveness endpoint), maintained, asynchronous
like the Kubernetes client the handlers use, and it bounds request bodies itself; it runs in the operator's
process (``ecs-operator run --api``) or alone (``ecs-operator api``). See docs/api.md for the decision.

Every answer is JSON: a result in the operation's output shape, or ``{"__type", "message"}``. A request is
authenticated first (SigV4, ``auth.py``), then its operation is looked up, its body parsed and validated,
and the operation run. Errors of the Kubernetes API are mapped to ECS errors; anything unexpected is logged
with its traceback and answered with ``ServerException`` naming the request ID, never with a traceback. Each
request is logged as one JSON line (logger ``ecs_operator.api.access``).

``start_api_server`` is the entry point for embedding (the ``make run`` sandbox, tests): it serves on a given
address with given keys and returns an ``ApiServer`` to stop.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import kopf
from aiohttp import web

from ecs_operator.api import auth, protocol
from ecs_operator.api.auth import KeyLookup
from ecs_operator.api.config import ApiConfig
from ecs_operator.api.context import Call
from ecs_operator.api.errors import EcsError
from ecs_operator.api.operations import handler_for
from ecs_operator.k8s.mirror import Mirrors
from ecs_operator.k8s.rest import KubeClient, KubeError

MAX_BODY = 1024 * 1024  # ECS's own request limit is far below this; a larger body is refused unread
access_log = logging.getLogger("ecs_operator.api.access")
log = logging.getLogger("ecs_operator.api")
Clock = Callable[[], datetime.datetime]


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass
class Endpoint:
    """What the handler needs: the Kubernetes client, the keys, the config, the clock."""

    kube: KubeClient
    keys: KeyLookup
    config: ApiConfig
    clock: Clock = utc_now
    mirrors: Mirrors | None = None
    calls: int = field(default=0)


def json_response(status: int, body: dict[str, Any], request_id: str) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body, separators=(",", ":")).encode(),
        content_type=protocol.CONTENT_TYPE,
        headers={"x-amzn-RequestId": request_id},
    )


def kubernetes_error(error: KubeError) -> EcsError:
    """What a failed request to the Kubernetes API means to the ECS caller."""
    if error.status == 403:
        return EcsError("AccessDeniedException", f"the ECS API's service account is not allowed this: {error.message}")
    if error.status == 422:
        return EcsError("InvalidParameterException", f"the Kubernetes API refused it: {error.message}")
    if error.status == 409:
        return EcsError("ClientException", f"conflict with a concurrent change; retry: {error.message}")
    if 400 <= error.status < 500:
        return EcsError("ClientException", f"the Kubernetes API refused it: {error.message}")
    return EcsError("ServerException", f"the Kubernetes API server failed: {error.message}", status=500)


async def handle(endpoint: Endpoint, request: web.Request) -> web.Response:
    started = time.perf_counter()
    request_id = str(uuid.uuid4())
    entry: dict[str, Any] = {"requestId": request_id, "remote": request.remote, "method": request.method}
    try:
        status, body = await _answer(endpoint, request, entry)
    except EcsError as error:
        status, body = error.status, error.body()
    except KubeError as error:
        mapped = kubernetes_error(error)
        status, body = mapped.status, mapped.body()
    except Exception:  # the one place that catches everything: log it, answer without the traceback
        log.exception("request %s (%s) failed", request_id, entry.get("operation"))
        failure = EcsError("ServerException", f"internal error; request ID {request_id}", status=500)
        status, body = failure.status, failure.body()
    entry.update(status=status, durationMs=round((time.perf_counter() - started) * 1000, 1))
    if status >= 400:
        entry["error"] = body.get("__type")
        entry["message"] = str(body.get("message", ""))[:300]
    access_log.info(json.dumps(entry, separators=(",", ":")))
    return json_response(status, body, request_id)


async def _answer(endpoint: Endpoint, request: web.Request, entry: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if request.method != "POST" or request.path != "/":
        raise EcsError("UnknownOperationException", f"{request.method} {request.path}: ECS requests are POST /", 404)
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge as error:
        raise EcsError("ClientException", f"the request body exceeds {MAX_BODY} bytes", status=413) from error
    signed = auth.SignedRequest(request.method, request.path, request.query_string, request.headers, raw)
    key = await auth.authenticate(signed, endpoint.keys, endpoint.clock())
    entry["accessKeyId"] = key.access_key_id
    operation = protocol.operation_of(request.headers.get("X-Amz-Target"))
    entry["operation"] = operation.name
    params = protocol.parse_body(raw)
    protocol.validate_input(operation, params)
    call = Call(endpoint.kube, endpoint.config, key, operation.name, endpoint.mirrors)
    result = await handler_for(operation.name)(call, params)
    endpoint.calls += 1
    return 200, protocol.serialize_output(operation.output_shape, result, strict=endpoint.config.strict_output)


def make_app(endpoint: Endpoint) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)

    async def ecs(request: web.Request) -> web.Response:
        return await handle(endpoint, request)

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    app.router.add_get("/healthz", healthz)
    app.router.add_route("*", "/{tail:.*}", ecs)
    return app


@dataclass
class ApiServer:
    """A running ECS API: where it listens, and how to stop it."""

    url: str
    endpoint: Endpoint
    runner: web.AppRunner
    own_client: bool

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    async def stop(self) -> None:
        await self.runner.cleanup()
        if self.endpoint.mirrors is not None:
            await self.endpoint.mirrors.close()
        if self.own_client:
            await self.endpoint.kube.close()


async def start_api_server(
    kubernetes: kopf.ConnectionInfo | KubeClient,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    config: ApiConfig | None = None,
    keys: KeyLookup | None = None,
    tls: ssl.SSLContext | None = None,
    clock: Clock = utc_now,
    relogin: Callable[[], kopf.ConnectionInfo] | None = None,
) -> ApiServer:
    """Serve the ECS API on ``host``:``port`` (0: a free port) until ``stop()``.

    ``kubernetes`` is a connection (``kopf.ConnectionInfo``: a server URL and credentials, e.g. from
    ``ecs_operator.k8s.rest.login(kubeconfig)``; ``relogin`` gives fresh ones after a 401) or a ready client
    (which the server does not close). ``keys`` are the accepted access keys (``auth.StaticKeys([...])``); by
    default the labelled Secrets in ``config.credentials_namespace``.
    """
    config = config or ApiConfig.from_env()
    own_client = not isinstance(kubernetes, KubeClient)
    kube = KubeClient(kubernetes, relogin=relogin) if isinstance(kubernetes, kopf.ConnectionInfo) else kubernetes
    if keys is None:
        namespace = config.credentials_namespace
        keys = auth.SecretKeys(lambda: kube.list("Secret", namespace, {auth.SECRET_LABEL: None}))
    endpoint = Endpoint(kube, keys, config, clock, Mirrors(kube))
    runner = web.AppRunner(make_app(endpoint), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=tls)
    await site.start()
    bound = runner.addresses[0]
    scheme = "https" if tls else "http"
    shown = f"[{bound[0]}]" if ":" in str(bound[0]) else bound[0]
    return ApiServer(f"{scheme}://{shown}:{bound[1]}", endpoint, runner, own_client)


def tls_context(certificate: str, private_key: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, private_key)
    return context


async def serve_until_stopped(server: ApiServer, stop: asyncio.Event) -> None:
    log.info("ECS API listening on %s", server.url)
    try:
        await stop.wait()
    finally:
        await server.stop()
