"""The work queue every reconcile goes through, as controller-runtime's: keys, not events.

A key (kind, namespace, name) is queued by whatever may change what the object should look like: a watch event
of the object itself, of one of its children or Pods, of an object it refers to, a retry, or its periodic
resync. The queue holds each key once (a burst of triggers is one reconcile), never runs one key twice at a time
(a key triggered while it runs is run once more afterwards), and runs at most ``workers`` reconciles at once.

Each key has at most one due time: a trigger for sooner moves it earlier, one for later is ignored while an
earlier one is pending. New work goes first: a key queued as ``urgent`` (an object that appeared or whose spec
changed) runs before every other due key (a refresh after a child's or a Pod's event, a retry, a resync), so
that a burst of new objects is not held up behind the status refreshes of the ones made a moment ago.

Failures back off exponentially per key (``backoff``), with jitter, up to a bound; success resets the count.
Nothing here talks to the API server.
"""

from __future__ import annotations

import asyncio
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
    _urgent: set[Key] = field(default_factory=set)  # pending keys of new work (see the module docstring)
    _heaps: tuple[list[tuple[float, Key]], list[tuple[float, Key]]] = field(default_factory=lambda: ([], []))
    _running: set[Key] = field(default_factory=set)
    _again: set[Key] = field(default_factory=set)  # triggered while running: run once more afterwards
    _failures: dict[Key, int] = field(default_factory=dict)
    _wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    _last_urgent: tuple[float, Key] | None = None  # when new work was last queued (clock), and which
    _other_urgent: tuple[float, Key] | None = None  # the last new work of another key than ``_last_urgent``'s

    def add(self, key: Key, delay: float = 0.0, *, urgent: bool = False) -> None:
        """Queue ``key`` to run in ``delay`` seconds, unless it is already due sooner; ``urgent``: new work."""
        when = self.clock() + max(delay, 0.0)
        if key in self._running and delay <= 0:
            self._again.add(key)
            if urgent:
                self._urgent.add(key)
            return
        promoted = urgent and key not in self._urgent
        if key in self._due and self._due[key] <= when and not promoted:
            return
        if key in self._due:
            when = min(when, self._due[key])
        self._due[key] = when
        if urgent:
            self._urgent.add(key)
            if self._last_urgent is not None and self._last_urgent[1] != key:
                self._other_urgent = self._last_urgent
            self._last_urgent = (self.clock(), key)
        heapq.heappush(self._heaps[0 if key in self._urgent else 1], (when, key))
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
        self._urgent.discard(key)

    def pending(self) -> int:
        return len(self._due)

    def running(self, key: Key) -> bool:
        return key in self._running

    def urgent_pending(self) -> int:
        """How many keys of new work wait (not running)."""
        return len(self._urgent - self._running)

    def in_burst(self, window: float, key: Key | None = None) -> bool:
        """Whether new work waits, or other new work than ``key`` came within the last ``window`` seconds (more of
        a burst may follow)."""
        last = self._last_urgent
        if last is not None and last[1] == key:  # the latest new work is ``key``'s own: the one before it of another
            last = self._other_urgent
        recent = last is not None and self.clock() - last[0] < window
        return recent or self.urgent_pending() > 0

    def _take(self) -> tuple[Key | None, float | None]:
        """The next due key that is not running, urgent ones first; else how long until one may be due (None:
        nothing queued)."""
        now = self.clock()
        wait: float | None = None
        for heap in self._heaps:
            taken, until = self._take_from(heap, now)
            if taken is not None:
                return taken, None
            if until is not None:
                wait = until if wait is None else min(wait, until)
        return None, wait

    def _take_from(self, heap: list[tuple[float, Key]], now: float) -> tuple[Key | None, float | None]:
        urgent = heap is self._heaps[0]
        skipped: list[tuple[float, Key]] = []
        taken: Key | None = None
        wait: float | None = None
        while heap:
            when, key = heap[0]
            if self._due.get(key) != when or (key in self._urgent) != urgent:  # superseded, moved, or forgotten
                heapq.heappop(heap)
                continue
            if when > now:
                wait = when - now
                break
            heapq.heappop(heap)
            if key in self._running:  # runs after the current run (it re-queues itself)
                skipped.append((when, key))
                continue
            del self._due[key]
            self._urgent.discard(key)
            taken = key
            break
        for item in skipped:
            heapq.heappush(heap, item)
        return taken, wait

    async def run(self) -> None:
        """Run due keys, at most ``workers`` at once, until cancelled (then the runs in flight are cancelled too).

        One dispatcher waits for due work and starts a task per run: an ``add`` wakes one waiter, not every idle
        worker (64 workers that all woke on every trigger of a burst and went back to sleep cost more than the
        reconciles they were waiting for)."""
        free = asyncio.Semaphore(self.workers)
        runs: set[asyncio.Task[None]] = set()
        try:
            while True:
                await free.acquire()
                key = await self._next()
                self._running.add(key)
                task = asyncio.create_task(self._run(key, free), name=f"ecs-operator reconcile {'/'.join(key)}")
                runs.add(task)
                task.add_done_callback(runs.discard)
        finally:
            for task in runs:
                task.cancel()
            await asyncio.gather(*runs, return_exceptions=True)

    async def _next(self) -> Key:
        """The next due key, once there is one (woken by ``add``, by the end of a run, or when one falls due)."""
        loop = asyncio.get_running_loop()
        while True:
            key, wait = self._take()
            if key is not None:
                return key
            self._wakeup.clear()
            timer = loop.call_later(wait, self._wakeup.set) if wait is not None else None
            try:
                await self._wakeup.wait()
            finally:
                if timer is not None:
                    timer.cancel()

    async def _run(self, key: Key, free: asyncio.Semaphore) -> None:
        try:
            await self.process(key)
        except Exception:  # the processor maps every error itself; this is the last resort
            logger.exception("reconciling %s/%s/%s failed", *key)
        finally:
            self._running.discard(key)
            free.release()
            if key in self._again:
                self._again.discard(key)
                urgent = key in self._urgent
                self._urgent.discard(key)
                self.add(key, urgent=urgent)
            self._wakeup.set()  # a key that waited for this run may be due
