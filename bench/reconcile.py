"""Reconcile latency of the real operator against kmock, with the harness of tests/operator.

Each round creates a TaskDefinition and times until its status reports revision 1, then creates an
ECSService of it and times until its Deployment exists; then deletes both and waits until they are gone, so
every round starts from the same empty emulator. kmock is in this process, the operator in its own thread and
event loop (as `kopf run` would be), so the figures are the operator's own work plus local HTTP.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import kmock as kmock_lib

from bench.measure import Figure
from tests.operator import manifests
from tests.operator.conftest import Cluster, Emulator, declare_resources, running_operator

POLL_SECONDS = 0.002  # far below the latencies measured; the emulator answers a GET in well under a millisecond
TIMEOUT_SECONDS = 30.0


async def _wait(check: Callable[[], Awaitable[bool]], what: str) -> float:
    """Poll ``check`` until true; the perf_counter time at which it first was."""
    deadline = time.perf_counter() + TIMEOUT_SECONDS
    while not await check():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"timed out after {TIMEOUT_SECONDS:.0f} s waiting for {what}")
        await asyncio.sleep(POLL_SECONDS)
    return time.perf_counter()


async def _round(cluster: Cluster, index: int) -> tuple[float, float]:
    """One TaskDefinition and one ECSService: seconds until registered, seconds until the Deployment exists."""
    name = f"bench-{index}"

    async def registered() -> bool:
        return (await cluster.status("TaskDefinition", name)).get("revision") == 1

    async def deployed() -> bool:
        return await cluster.get("Deployment", name) is not None

    start = time.perf_counter()
    await cluster.create(manifests.task_definition(name))
    td_latency = await _wait(registered, f"TaskDefinition {name} revision 1") - start
    start = time.perf_counter()
    await cluster.create(manifests.service(name, task_definition=name, desired=2))
    service_latency = await _wait(deployed, f"Deployment {name}") - start

    for kind in ("ECSService", "TaskDefinition"):
        await cluster.delete(kind, name)

    async def gone() -> bool:
        return all([await cluster.get(kind, name) is None for kind in ("ECSService", "TaskDefinition")])

    await _wait(gone, f"{name} deleted")  # no finalizer holds them
    await cluster.garbage_collector()  # the Deployment, ControllerRevision, PodTemplate, ...
    return td_latency, service_latency


async def _measure(rounds: int, warm_up: bool) -> tuple[list[float], list[float]]:
    async with Emulator() as kmock, kmock_lib.Server(kmock):
        declare_resources(kmock)
        cluster = Cluster(kmock)
        async with running_operator(kmock):
            if warm_up:
                await _round(cluster, 0)  # the watch streams open, first-use costs are paid
            results = [await _round(cluster, index) for index in range(1, rounds + 1)]
    return [r[0] for r in results], [r[1] for r in results]


def reconcile_figures(rounds: int, warm_up: bool = True) -> list[Figure]:
    quiet: dict[str, Any] = {}
    # Only figures print: Kopf logs every handler run, and the operator a status write that lost the race with the
    # round's own deletion (a 404, retried, then nothing left to do).
    for logger in ("kopf", "aiohttp", "asyncio", "ecs_operator"):
        quiet[logger] = logging.getLogger(logger).level
        logging.getLogger(logger).setLevel(logging.CRITICAL)
    try:
        registered, deployed = asyncio.run(_measure(rounds, warm_up))
    finally:
        for logger, level in quiet.items():
            logging.getLogger(logger).setLevel(level)
    return [
        Figure(
            "operator: TaskDefinition registered",
            "kmock: create a TaskDefinition -> its status shows revision 1 (ControllerRevision written)",
            tuple(registered),
            rate_unit="reconciles/s",
        ),
        Figure(
            "operator: ECSService -> Deployment",
            "kmock: create an ECSService of a registered task definition -> its Deployment exists",
            tuple(deployed),
            rate_unit="reconciles/s",
        ),
    ]
