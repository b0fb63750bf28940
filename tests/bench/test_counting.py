"""The scale benchmark's arithmetic (bench/counting.py, bench/measure.py) and the baseline's one Deployment: pure."""

from __future__ import annotations

import math
from typing import Any

import pytest

from bench import counting
from bench.baseline import deployment_for
from bench.measure import Quantity, percentile

JsonDict = dict[str, Any]


def event(verb: str, resource: str = "ecsservices", name: str = "a", namespace: str = "ns", **ref: str) -> JsonDict:
    return {
        "verb": verb,
        "objectRef": {"resource": resource, "name": name, "namespace": namespace, **ref},
        "stageTimestamp": "2026-12-02T12:00:00.250000Z",
    }


RECONCILE = [event("get"), event("get", name="b")]
LEASE = event("update", "leases", "ecs-operator", "ecs-system")
WATCH = event("watch", "pods", "")
STATUS = event("patch", subresource="status")


@pytest.mark.parametrize(
    ("events", "verbs"),
    [
        ([], {}),
        (RECONCILE, {"get": 2}),
        ([*RECONCILE, LEASE, WATCH], {"get": 2}),  # renewals and watches are not per-reconcile costs
        ([*RECONCILE, STATUS, event("list", "pods", "")], {"get": 2, "patch": 1, "list": 1}),
    ],
)
def test_requests_are_counted_by_verb_without_watches_and_leases(events: list[JsonDict], verbs: dict[str, int]) -> None:
    assert dict(counting.by_verb(events)) == verbs


@pytest.mark.parametrize(
    ("events", "writes", "leases"),
    [
        (RECONCILE, [], 0),
        ([*RECONCILE, LEASE, LEASE], [], 2),
        ([STATUS, LEASE], ["patch ecsservices/status ns/a"], 1),
        ([event("create", "deployments", "web")], ["create deployments ns/web"], 0),
        ([event("delete", "pods", "p1")], ["delete pods ns/p1"], 0),
    ],
)
def test_writes_leave_out_lease_renewals(events: list[JsonDict], writes: list[str], leases: int) -> None:
    assert counting.writes(events) == writes
    assert counting.lease_writes(events) == leases


def test_requests_are_named_by_resource_or_path() -> None:
    discovery = {"verb": "get", "requestURI": "/apis/apps/v1?timeout=32s"}
    events = [STATUS, event("list", "pods", ""), discovery]
    assert [counting.resource(e) for e in events] == ["ecsservices/status", "pods", "/apis/apps/v1"]
    assert counting.by_verb_and_resource(events) == {
        "patch ecsservices/status": 1,
        "list pods": 1,
        "get /apis/apps/v1": 1,
    }


def test_a_reconcile_is_a_get_of_one_custom_resource() -> None:
    events = [
        *RECONCILE,
        event("get", "pods", "p"),  # not a custom resource
        event("list", name=""),  # a list names no object
        event("get", subresource="status"),  # a subresource read is no reconcile
        event("get", "taskdefinitions", "web"),
    ]
    assert counting.reads_of_objects(events, ["ecsservices", "taskdefinitions"]) == [
        ("ns", "a"),
        ("ns", "b"),
        ("ns", "web"),
    ]


@pytest.mark.parametrize(
    ("counts", "reconciles", "expected"),
    [({"get": 10, "list": 1}, 10, {"get": 1.0, "list": 0.1}), ({"get": 3}, 0, {}), ({}, 5, {})],
)
def test_per_reconcile(counts: dict[str, int], reconciles: int, expected: dict[str, float]) -> None:
    assert counting.per_reconcile(counts, reconciles) == expected


def test_audit_timestamps_and_windows() -> None:
    early, late = event("get"), {**event("get"), "stageTimestamp": "2026-12-02T12:00:01.750000Z"}
    assert counting.timestamp(late) - counting.timestamp(early) == pytest.approx(1.5)
    start = counting.timestamp(early)
    assert counting.within([early, late], start + 1) == [late]
    assert counting.within([early, late], start, start + 1) == [early]


def test_latencies_pair_each_start_with_its_end() -> None:
    assert counting.latencies({"a": 1.0, "b": 2.0}, {"b": 2.5, "a": 4.0, "c": 9.0}) == [3.0, 0.5]
    with pytest.raises(ValueError, match="1 never finished"):
        counting.latencies({"a": 1.0, "b": 2.0}, {"a": 1.5})


@pytest.mark.parametrize(
    ("ours", "baseline", "expected"), [(2.0, 1.0, 2.0), (0.5, 2.0, 0.25), (0.0, 0.0, 0.0), (1.0, 0.0, math.inf)]
)
def test_ratio(ours: float, baseline: float, expected: float) -> None:
    assert counting.ratio(ours, baseline) == expected


def test_rss_from_proc_status() -> None:
    status = "Name:\tpython\nVmPeak:\t  900000 kB\nVmRSS:\t   81234 kB\nThreads:\t4\n"
    assert counting.vm_rss(status) == 81234 * 1024
    with pytest.raises(ValueError, match="no VmRSS"):
        counting.vm_rss("Name:\tkthreadd\n")


@pytest.mark.parametrize(
    ("values", "pct", "expected"),
    [([3.0], 95, 3.0), ([1.0, 2.0, 3.0, 4.0], 50, 2.0), (list(map(float, range(1, 101))), 95, 95.0)],
)
def test_nearest_rank_percentile(values: list[float], pct: float, expected: float) -> None:
    assert percentile(values, pct) == expected


@pytest.mark.parametrize(
    ("quantity", "shown"),
    [
        (Quantity("m", "", 81.25, "MiB"), "81.2 MiB"),
        (Quantity("r", "", 1.5, "x"), "1.5x"),
        (Quantity("t", "", 12.345, "s"), "12.3 s"),
        (Quantity("w", "", 0, "writes"), "0 writes"),
        (Quantity("q", "", 1.0125, "requests"), "1.01 requests"),
        (Quantity("n", "", 12000, "reconciles"), "12,000 reconciles"),
    ],
)
def test_quantities_are_shown_with_their_unit(quantity: Quantity, shown: str) -> None:
    assert quantity.shown() == shown


def test_the_baseline_makes_one_owned_deployment_of_the_desired_count() -> None:
    service = {
        "metadata": {"name": "web", "namespace": "ns", "uid": "u-1"},
        "spec": {"taskDefinition": "web", "desiredCount": 3},
    }
    deployment = deployment_for(service)
    assert deployment["metadata"]["name"] == "web"
    assert deployment["metadata"]["namespace"] == "ns"
    assert deployment["metadata"]["ownerReferences"][0]["uid"] == "u-1"
    assert deployment["spec"]["replicas"] == 3
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
