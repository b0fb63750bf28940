"""The work queue every reconcile goes through, as controller-runtime's: keys, not events.

A key (kind, namespace, name) is queued by whatever may change what the object should look like: a watch event
of the object itself, of one of its children or Pods, of an object it refers to, a retry, or its periodic
resync. The queue holds each key once (a burst of triggers is one reconcile), never runs one key twice at a time
(a key triggered while it runs is run once more afterwards), and runs at most ``workers`` reconciles at once.

Each key has at most one due time: a trigger for sooner moves it earlier, one for later is ignored while an
earlier one is pending. Failures back off exponentially per key (``backoff``), with jitter, up to a bound;
success resets the count. Nothing here talks to the API server.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Key = tuple[str, str, str]  # kind, namespace, name
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Delays after consecutive failures: ``first`` doubled each time, at most ``limit``, +-``jitter`` (fraction)."""

    first: float
    limit: float
    jitter: float = 0.2

    def delay(self, failures: int, draw: Callable[[float, float], float] = random.uniform) -> float:
        base = min(self.first * 2 ** max(failures - 1, 0), self.limit)
        return float(base * draw(1 - self.jitter, 1 + self.jitter))


@dataclass
class WorkQueue:
    """Keys waiting for a reconcile, and the workers that run them (``run``)."""

    process: Callable[[Key], Awaitable[None]]
    workers: int = 8
    clock: Callable[[], float] = field(default=lambda: asyncio.get_running_loop().time())
    _due: dict[Key, float] = field(default_factory=dict)
    _heap: list[tuple[float, Key]] = field(default_factory=list)
    _running: set[Key] = field(default_factory=set)
    _again: set[Key] = field(default_factory=set)  # triggered while running: run once more afterwards
    _failures: dict[Key, int] = field(default_factory=dict)
    _wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, key: Key, delay: float = 0.0) -> None:
        """Queue ``key`` to run in ``delay`` seconds, unless it is already due sooner."""
        when = self.clock() + max(delay, 0.0)
        if key in self._running and delay <= 0:
            self._again.add(key)
            return
        if key in self._due and self._due[key] <= when:
            return
        self._due[key] = when
        heapq.heappush(self._heap, (when, key))
        self._wakeup.set()

    def failed(self, key: Key, backoff: Backoff) -> float:
        """Count a failure of ``key`` and queue its retry after the backoff; the delay."""
        self._failures[key] = self._failures.get(key, 0) + 1
        delay = backoff.delay(self._failures[key])
        self.add(key, delay)
        return delay

    def succeeded(self, key: Key) -> None:
        self._failures.pop(key, None)

    def forget(self, key: Key) -> None:
        """The object is gone: drop its pending run and its failure count."""
        self._due.pop(key, None)
        self._failures.pop(key, None)
        self._again.discard(key)

    def pending(self) -> int:
        return len(self._due)

    def _take(self) -> tuple[Key | None, float | None]:
        """The next due key that is not running; else how long until one may be due (None: nothing queued)."""
        now = self.clock()
        skipped: list[tuple[float, Key]] = []
        taken: Key | None = None
        wait: float | None = None
        while self._heap:
            when, key = self._heap[0]
            if self._due.get(key) != when:  # superseded by a sooner run, or forgotten
                heapq.heappop(self._heap)
                continue
            if when > now:
                wait = when - now
                break
            heapq.heappop(self._heap)
            if key in self._running:  # runs after the current run (it re-queues itself)
                skipped.append((when, key))
                continue
            del self._due[key]
            taken = key
            break
        for item in skipped:
            heapq.heappush(self._heap, item)
        return taken, wait

    async def _worker(self) -> None:
        while True:
            key, wait = self._take()
            if key is None:
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), timeout=wait)
                continue
            self._running.add(key)
            try:
                await self.process(key)
            except Exception:  # the processor maps every error itself; this is the last resort
                logger.exception("reconciling %s/%s/%s failed", *key)
            finally:
                self._running.discard(key)
                if key in self._again:
                    self._again.discard(key)
                    self.add(key)
                self._wakeup.set()  # another worker may take a key that waited for this one

    async def run(self) -> None:
        """Run the workers until cancelled."""
        tasks = [asyncio.create_task(self._worker(), name=f"ecs-operator worker {n}") for n in range(self.workers)]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
