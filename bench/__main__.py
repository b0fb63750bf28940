"""`python -m bench [--quick] [--json] [--no-operator] [--no-api] [--no-scale] [--only SECTION] [--services N,...]`:
measure, then print
a table (or JSON) of figures."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import signal
import sys
import time
from collections.abc import Sequence

from bench.measure import Figure, Quantity
from bench.pure import Budget, pure_figures

FULL = Budget(seconds=4.0, min_runs=10, max_runs=2000)
QUICK = Budget(seconds=0.2, min_runs=3, max_runs=50)
FULL_ROUNDS, QUICK_ROUNDS = 8, 1
SECTIONS = ("pure", "operator", "api", "scale")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few runs: a smoke check in seconds, not figures")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    parser.add_argument("--no-operator", action="store_true", help="skip the reconcile latency against kmock")
    parser.add_argument("--no-api", action="store_true", help="skip the ECS API beside moto's server")
    parser.add_argument(
        "--no-scale", action="store_true", help="skip the scale figures on the local control plane (issue 10)"
    )
    parser.add_argument(
        "--only",
        choices=SECTIONS,
        help="measure one section: the pure core, the reconcile latency, the ECS API, or the scale figures",
    )
    parser.add_argument(
        "--services",
        type=lambda text: tuple(int(n) for n in text.split(",")),
        help="scale: the numbers of ECSServices created at once, comma-separated (default 1,100,1000; --quick 1,10)",
    )
    parser.add_argument("--foreign-pods", type=int, help="scale: other Pods run beside (default 4000; --quick 40)")
    parser.add_argument("--idle-seconds", type=float, help="scale: idling after convergence (default 300; --quick 10)")
    args = parser.parse_args(argv)
    if args.only is not None and (args.no_operator or args.no_api or args.no_scale):
        parser.error("--only names the one section to measure; no --no-<section> goes with it")
    return args


def wanted(args: argparse.Namespace, section: str) -> bool:
    """Whether a section is measured in this run."""
    if args.only is not None:
        return bool(args.only == section)
    return not getattr(args, f"no_{section}", False)


def machine() -> dict[str, object]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "cpus": os.cpu_count(),
        "cpu_model": _proc_value("/proc/cpuinfo", "model name") or platform.processor(),
        "memory_gib": round(int((_proc_value("/proc/meminfo", "MemTotal") or "0 kB").split()[0]) / 2**20, 1),
        "load_average_1m": round(load[0], 2) if load else None,
    }


def _proc_value(path: str, key: str) -> str | None:
    """A ``key: value`` line's value in a /proc file (None where there is no such file or line)."""
    try:
        with open(path, encoding="utf-8") as file:
            for line in file:
                name, _, value = line.partition(":")
                if name.strip() == key:
                    return value.strip()
    except OSError:
        return None
    return None


def duration(seconds: float) -> str:
    """Seconds in the unit that reads best: µs, ms or s, three significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            return f"{seconds / scale:.3g} {unit}"
    raise AssertionError("unreachable")


def table(figures: list[Figure]) -> str:
    header = ("figure", "median", "p95", "rate at median", "runs x calls")
    rows = [
        (
            f.name,
            duration(f.median),
            duration(f.p95),
            f"{f.rate:,.0f} {f.rate_unit}" if f.rate >= 10 else f"{f.rate:.3g} {f.rate_unit}",
            f"{f.runs} x {f.calls_per_run}",
        )
        for f in figures
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    legend = [f"  {f.name}: {f.meaning}" for f in figures]
    return "\n".join([*lines, "", *legend])


def quantity_table(quantities: list[Quantity]) -> str:
    header = ("figure", "value", "target")
    rows = [(q.name, q.shown(), q.target) for q in quantities]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i != 1 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    legend = [f"  {q.name}: {q.meaning}" for q in quantities]
    return "\n".join([*lines, "", *legend])


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # A SIGTERM (kill, a CI timeout) unwinds like Ctrl-C: the control planes and processes started are stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = time.perf_counter()
    about = machine()
    figures = pure_figures(QUICK if args.quick else FULL) if wanted(args, "pure") else []
    if wanted(args, "operator"):
        from bench.reconcile import reconcile_figures  # imports Kopf, kmock and the test harness

        figures += reconcile_figures(QUICK_ROUNDS, warm_up=False) if args.quick else reconcile_figures(FULL_ROUNDS)
    notes: list[str] = []
    if wanted(args, "api"):
        from bench.api import api_figures  # imports boto3, moto's server, the local control plane

        api, reason = api_figures(args.quick)
        figures += api
        notes += [reason] if reason else []
    quantities: list[Quantity] = []
    if wanted(args, "scale"):
        from bench.scale import FULL as FULL_SCALE
        from bench.scale import QUICK as QUICK_SCALE
        from bench.scale import scale_figures  # the local control plane, the operator and the baseline as processes

        sizes = QUICK_SCALE if args.quick else FULL_SCALE
        changes = {"services": args.services, "foreign_pods": args.foreign_pods, "idle_seconds": args.idle_seconds}
        sizes = dataclasses.replace(sizes, **{key: value for key, value in changes.items() if value is not None})
        scale, counted, reason = scale_figures(sizes)
        figures += scale
        quantities += counted
        notes += [reason] if reason else []
    elapsed = time.perf_counter() - started
    if args.json:
        report = {
            "machine": about,
            "quick": args.quick,
            "elapsed_seconds": elapsed,
            "figures": [f.as_json() for f in figures],
            "quantities": [q.as_json() for q in quantities],
            "notes": notes,
        }
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(
            f"ecs-operator benchmarks{' (--quick: too few runs for figures)' if args.quick else ''}: "
            f"Python {about['python']}, {about['cpus']} CPUs ({about['cpu_model']}), {about['memory_gib']} GiB, "
            f"load {about['load_average_1m']}, {elapsed:.1f} s"
        )
        print(table(figures))
        if quantities:
            print()
            print(quantity_table(quantities))
        for note in notes:
            print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
