"""Pure arithmetic of the scale figures: the API server's audit events counted by verb, latencies, ratios, RSS.

An audit event (``audit.k8s.io/v1`` at Metadata level) names the user, the verb (get, list, watch, create,
update, patch, delete, ...), the object (``objectRef``: resource, namespace, name, subresource) and when the
request completed (``stageTimestamp``). Nothing here reads a file or a clock.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

JsonDict = dict[str, Any]
WRITE_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection"})
# Leader election renews its Lease every few seconds, as every controller with leader election does (kube-
# controller-manager's, controller-runtime's): counted apart, never as the operator's writes to the cluster.
LEADER_ELECTION = frozenset({"leases"})
# Long-running requests: a watch is one request per watched kind for minutes, not a cost of a reconcile.
LONG_RUNNING = frozenset({"watch"})


def resource(event: Mapping[str, Any]) -> str:
    """``resource`` or ``resource/subresource`` of an event; the path of a non-resource URL (``/version``)."""
    ref = event.get("objectRef") or {}
    if not ref.get("resource"):
        return str(event.get("requestURI") or "").partition("?")[0]
    name = str(ref.get("resource"))
    return f"{name}/{ref['subresource']}" if ref.get("subresource") else name


def is_write(event: Mapping[str, Any]) -> bool:
    return event.get("verb") in WRITE_VERBS


def is_lease(event: Mapping[str, Any]) -> bool:
    return (event.get("objectRef") or {}).get("resource") in LEADER_ELECTION


def writes(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """The writes among ``events``, leader election's Lease renewals aside, as ``verb resource namespace/name``."""
    found = []
    for event in events:
        if is_write(event) and not is_lease(event):
            ref = event.get("objectRef") or {}
            found.append(f"{event['verb']} {resource(event)} {ref.get('namespace', '')}/{ref.get('name', '')}")
    return found


def lease_writes(events: Iterable[Mapping[str, Any]]) -> int:
    return sum(1 for event in events if is_write(event) and is_lease(event))


def by_verb(events: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """Requests by verb, watches and Lease renewals left out (see LONG_RUNNING, LEADER_ELECTION)."""
    return Counter(
        str(event.get("verb")) for event in events if event.get("verb") not in LONG_RUNNING and not is_lease(event)
    )


def by_verb_and_resource(events: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """Requests as ``verb resource``, watches and Lease renewals left out."""
    return Counter(
        f"{event.get('verb')} {resource(event)}"
        for event in events
        if event.get("verb") not in LONG_RUNNING and not is_lease(event)
    )


def reads_of_objects(events: Iterable[Mapping[str, Any]], resources: Iterable[str]) -> list[tuple[str, str]]:
    """(namespace, name) of every GET of one object of ``resources``, in order: one per reconcile, since a
    reconcile reads its object once (``handlers/common.py``: ``reconcile_object``)."""
    wanted = set(resources)
    return [
        (str(ref.get("namespace", "")), str(ref["name"]))
        for event in events
        if event.get("verb") == "get"
        and (ref := event.get("objectRef") or {}).get("resource") in wanted
        and not ref.get("subresource")
        and ref.get("name")
    ]


def per_reconcile(counts: Mapping[str, int], reconciles: int) -> dict[str, float]:
    """Requests by verb divided by the number of reconciles (empty when there was none)."""
    if reconciles <= 0:
        return {}
    return {verb: count / reconciles for verb, count in sorted(counts.items())}


def timestamp(event: Mapping[str, Any]) -> float:
    """When the request completed (its ``stageTimestamp``), as seconds since the epoch."""
    text = str(event.get("stageTimestamp") or event.get("requestReceivedTimestamp"))
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def within(events: Iterable[JsonDict], start: float, end: float | None = None) -> list[JsonDict]:
    """The events that completed at or after ``start`` (and before ``end``, when given)."""
    return [event for event in events if timestamp(event) >= start and (end is None or timestamp(event) < end)]


def latencies(started: Mapping[str, float], done: Mapping[str, float]) -> list[float]:
    """Seconds from each name's start to its end (every started name must have ended)."""
    missing = sorted(set(started) - set(done))
    if missing:
        raise ValueError(f"{len(missing)} never finished, e.g. {missing[:3]}")
    return [done[name] - started[name] for name in sorted(started)]


def ratio(ours: float, baseline: float) -> float:
    """How many times the baseline ``ours`` is (inf when the baseline is 0 and ours is not)."""
    if baseline == 0:
        return 0.0 if ours == 0 else float("inf")
    return ours / baseline


def vm_rss(status: str) -> int:
    """Resident memory in bytes from the text of ``/proc/<pid>/status`` (its ``VmRSS: <n> kB`` line)."""
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key == "VmRSS":
            number, _, unit = value.strip().partition(" ")
            if unit.strip() != "kB":
                raise ValueError(f"VmRSS in {unit!r}, expected kB")
            return int(number) * 1024
    raise ValueError("no VmRSS line (a kernel thread or a process that has exited)")
