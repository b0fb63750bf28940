"""The operator's probes: ``/healthz`` (liveness: the process answers) and ``/readyz`` (readiness: it can do its
work), on the address ``--liveness`` names.

Ready means: leading with its watches started, or standing by behind a live leader (a copy that waits is
healthy). Not ready, with the reason as the answer's body and in the log, means it cannot do its work and
someone must act: the Lease cannot be read or written (its namespace is missing, RBAC refuses it), or it leads
but has not started yet. A copy never sits idle without saying why.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

Readiness = Callable[[], str]  # "" when ready, else why not


@dataclass
class HealthServer:
    endpoint: str  # http://host:port/healthz (the readiness path is /readyz beside it)
    readiness: Readiness
    runner: web.AppRunner | None = field(default=None, init=False)

    async def start(self) -> None:
        parts = urllib.parse.urlsplit(self.endpoint)
        if parts.scheme != "http":
            raise ValueError(f"--liveness: only http:// endpoints are served, not {self.endpoint!r}")
        app = web.Application()
        app.add_routes([web.get(parts.path or "/healthz", self.live), web.get("/readyz", self.ready)])
        self.runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, parts.hostname or "0.0.0.0", parts.port or 80).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def live(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def ready(self, request: web.Request) -> web.Response:
        reason = self.readiness()
        return web.Response(text="ok" if not reason else reason + "\n", status=200 if not reason else 503)
