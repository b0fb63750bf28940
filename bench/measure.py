"""Timing with time.perf_counter: repeated runs within a time budget, summarised as median and p95."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

# A run of a fast call repeats it until the run lasts this long, so the clock's resolution and the loop's own
# cost stay far below what is measured; the figures are per call.
MIN_RUN_SECONDS = 0.005


@dataclass(frozen=True)
class Figure:
    """One measured figure: seconds per call over ``runs`` runs of ``calls_per_run`` calls each."""

    name: str
    meaning: str
    seconds: tuple[float, ...]  # per call, one entry per run
    calls_per_run: int = 1
    items_per_call: int = 1  # objects made per call, for rates in objects per second
    rate_unit: str = "calls/s"

    @property
    def runs(self) -> int:
        return len(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        return percentile(self.seconds, 95)

    @property
    def rate(self) -> float:
        """Items per second at the median."""
        return self.items_per_call / self.median

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "meaning": self.meaning,
            "median_seconds": self.median,
            "p95_seconds": self.p95,
            "min_seconds": min(self.seconds),
            "runs": self.runs,
            "calls_per_run": self.calls_per_run,
            "items_per_call": self.items_per_call,
            "rate": self.rate,
            "rate_unit": self.rate_unit,
        }


@dataclass(frozen=True)
class Quantity:
    """One counted or measured amount that is not a time per call: requests, writes, bytes, a ratio."""

    name: str
    meaning: str
    value: float
    unit: str
    target: str = ""  # what the issue asks for, e.g. "<= 2" or "0"

    def shown(self) -> str:
        if self.unit == "MiB":
            return f"{self.value:,.1f} MiB"
        if self.unit in ("x", "s"):
            return f"{self.value:.3g}{'' if self.unit == 'x' else ' '}{self.unit}"
        number = f"{self.value:,.0f}" if float(self.value).is_integer() else f"{self.value:,.3g}"
        return f"{number} {self.unit}".rstrip()

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "meaning": self.meaning,
            "value": self.value,
            "unit": self.unit,
            "target": self.target,
        }


def percentile(values: tuple[float, ...] | list[float], pct: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``pct`` % of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def calls_per_run(call: Callable[[], object]) -> int:
    """How many calls make one run last at least MIN_RUN_SECONDS (one call for anything slower)."""
    count = 1
    while True:
        start = time.perf_counter()
        for _ in range(count):
            call()
        if time.perf_counter() - start >= MIN_RUN_SECONDS:
            return count
        count *= 2


def repeat(call: Callable[[], object], budget: float, min_runs: int, max_runs: int) -> tuple[tuple[float, ...], int]:
    """Seconds per call of each run, and the calls per run: at least ``min_runs`` runs, more while the budget lasts."""
    per_run = calls_per_run(call)  # also the warm-up: caches, imports and pydantic's first-use work
    samples: list[float] = []
    deadline = time.perf_counter() + budget
    while len(samples) < max_runs and (len(samples) < min_runs or time.perf_counter() < deadline):
        start = time.perf_counter()
        for _ in range(per_run):
            call()
        samples.append((time.perf_counter() - start) / per_run)
    return tuple(samples), per_run
