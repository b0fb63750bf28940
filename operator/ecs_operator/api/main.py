"""Running the ECS API from the command line: alone (``ecs-operator api``) or beside the operator (``run --api``).

Beside the operator it runs in its own thread and event loop: Kopf owns the main thread (its signal handling)
and cancels every task of its loop when it stops, which must not include the API's requests.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from dataclasses import dataclass
from typing import TextIO

import kopf

from ecs_operator.api import auth
from ecs_operator.api.config import ApiConfig
from ecs_operator.api.server import ApiServer, start_api_server, tls_context
from ecs_operator.k8s.rest import login

DEFAULT_PORT = 8000
log = logging.getLogger("ecs_operator.api")


@dataclass(frozen=True)
class ServeOptions:
    """Where and how to serve."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    tls_cert: str | None = None
    tls_key: str | None = None
    kubeconfig: str | None = None


async def start(options: ServeOptions, config: ApiConfig) -> ApiServer:
    """Log in to Kubernetes (raises kopf.LoginError) and serve."""
    connection = login(options.kubeconfig)
    tls = tls_context(options.tls_cert, options.tls_key) if options.tls_cert and options.tls_key else None
    return await start_api_server(
        connection,
        host=options.host,
        port=options.port,
        config=config,
        tls=tls,
        relogin=lambda: login(options.kubeconfig),
    )


def check_tls(options: ServeOptions, stderr: TextIO) -> bool:
    if bool(options.tls_cert) != bool(options.tls_key):
        print("error: give both --tls-cert and --tls-key (or neither)", file=stderr)
        return False
    return True


def run_api(options: ServeOptions, config: ApiConfig, stderr: TextIO) -> int:
    """``ecs-operator api``: serve until SIGINT or SIGTERM."""
    if not check_tls(options, stderr):
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        server = await start(options, config)
        log.info("ECS API listening on %s (credentials: Secrets in %s)", server.url, config.credentials_namespace)
        try:
            await stop.wait()
        finally:
            await server.stop()

    try:
        asyncio.run(serve())
    except kopf.LoginError as error:
        print(f"error: {error}", file=stderr)
        return 1
    except OSError as error:  # the port is taken, a certificate cannot be read
        print(f"error: cannot serve the ECS API on {options.host}:{options.port}: {error}", file=stderr)
        return 1
    return 0


class BackgroundApi:
    """The ECS API in a thread of its own (``run --api``); ``stop()`` ends it."""

    def __init__(self, options: ServeOptions, config: ApiConfig) -> None:
        self.options, self.config = options, config
        self.loop = asyncio.new_event_loop()
        self.started = threading.Event()
        self.error: BaseException | None = None
        self.stopping: asyncio.Event | None = None
        self.thread = threading.Thread(target=self._run, name="ecs-api", daemon=True)

    def start(self, timeout: float = 30.0) -> None:
        """Start serving; re-raises what kept the server from starting."""
        self.thread.start()
        self.started.wait(timeout)
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        self.loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self.stopping = asyncio.Event()
        try:
            server = await start(self.options, self.config)
        except BaseException as error:  # handed to the starting thread
            self.error = error
            self.started.set()
            return
        log.info("ECS API listening on %s", server.url)
        self.started.set()
        try:
            await self.stopping.wait()
        finally:
            await server.stop()

    def stop(self) -> None:
        if self.stopping is not None and self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(15)


def print_access_key(namespaces: list[str], name: str, secret_namespace: str, stdout: TextIO, stderr: TextIO) -> int:
    """``ecs-operator api-key``: a new access key's Secret (YAML, for kubectl apply) and the lines to use it."""
    import yaml

    key = auth.new_access_key(namespaces, name)
    secret = auth.access_key_secret(key, secret_namespace)
    stdout.write(yaml.safe_dump(secret, sort_keys=False))
    print(f"export AWS_ACCESS_KEY_ID={key.access_key_id}", file=stderr)
    print(f"export AWS_SECRET_ACCESS_KEY={key.secret_access_key}", file=stderr)
    return 0
