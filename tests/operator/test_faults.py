"""Faults, against the emulator where they can be injected: the API server answering 500, 409 and 429 for a while,
a watch stream that drops (and misses a deletion), slow answers, and an operator stopped in the middle of a
reconcile and started again. Each converges to exactly the right children (nothing duplicated, nothing lost),
with a bounded number of attempts, and the right conditions. (The restart and the dropped watch are also tested
on the real control plane: tests/apiserver/test_faults.py.)"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from typing import Any

import kmock as kmock_lib

from tests.operator import manifests
from tests.operator.conftest import TEST_CONFIG, Cluster, JsonDict, eventually, running_operator
from tests.operator.test_task import batch_definition

WRITES = ("POST", "PATCH", "PUT", "DELETE")


def operator_writes(request: Any) -> bool:
    return str(request.headers.get("User-Agent", "")).startswith("kopf/") and request.method.value in WRITES


async def steady_web(cluster: Cluster, timeout: float = 20) -> None:
    """Play the Deployment controller until the service is steady (its template may still change meanwhile)."""
    await eventually(lambda: _steady(cluster), timeout=timeout, what="the service steady")


def _reason(status: JsonDict) -> str:
    return str(next((c for c in status.get("conditions") or [] if c["type"] == "Ready"), {}).get("reason"))


async def exactly_the_children(cluster: Cluster) -> None:
    """One Deployment, one PodDisruptionBudget, one PodTemplate of the service and its task definition."""
    for kind, name in (("Deployment", "web"), ("PodDisruptionBudget", "web"), ("PodTemplate", "web-1")):
        found = [obj for obj in await cluster.list_of(kind) if obj["metadata"]["name"].startswith(name)]
        assert [obj["metadata"]["name"] for obj in found] == [name], kind


async def test_500_409_and_429_for_a_while_converge_with_bounded_attempts(
    kmock: kmock_lib.KubernetesEmulator, cluster: Cluster
) -> None:
    """For a while every write of the operator is refused in turn with 500 (the API server failing), 409 (a
    conflict) and 429 (throttled, Retry-After 1 s); then the API server recovers. The operator converges, and
    its attempts were bounded (client retries for 5xx/429, the work queue's backoff per object)."""
    answers = itertools.cycle(
        [
            kmock_lib.KubernetesError(status=500, reason="InternalError", message="etcdserver: request timed out"),
            kmock_lib.KubernetesError(status=409, reason="Conflict", message="the object has been modified"),
            kmock_lib.KubernetesError(status=429, reason="TooManyRequests", message="storage is (re)initializing"),
        ]
    )
    failing = {"on": True}
    refused: list[Any] = []

    def faults(request: Any) -> kmock_lib.KubernetesError | None:
        if failing["on"] and operator_writes(request) and request.resource.plural != "events":
            refused.append(request)
            return next(answers)
        return None

    cluster.reject(faults)
    async with running_operator(kmock):
        await cluster.create(manifests.task_definition())
        await cluster.create(manifests.service())
        await eventually(lambda: _refused(refused, 15), timeout=20, what="15 refused writes")
        failing["on"] = False
        await steady_web(cluster)
        await exactly_the_children(cluster)
        ready = await cluster.condition("ECSService", "web")
        assert (ready["status"], ready["reason"]) == ("True", "SteadyState")
    assert len(refused) < 60  # bounded: a few client retries, then the work queue's backoff per object


async def _refused(refused: list[Any], count: int) -> bool:
    return len(refused) >= count


async def test_a_dropped_watch_that_missed_a_deletion_loses_nothing(kmock: Any, cluster: Cluster) -> None:
    """A child is deleted while the watch is down and the watch cannot resume from its version (410 Gone: it
    lists again, which says nothing of what was deleted meanwhile): the operator never hears of the deletion.
    The caches' audit finds the child gone and its owner puts it back."""
    async with running_operator(kmock):
        await cluster.create(manifests.task_definition())
        await cluster.create(manifests.service())
        await steady_web(cluster)
        kmock.delete_unseen("PodDisruptionBudget", "web")
        await eventually(lambda: cluster.get("PodDisruptionBudget", "web"), what="the PDB put back")
        await exactly_the_children(cluster)


async def test_slow_answers_still_converge(kmock: Any, cluster: Cluster) -> None:
    """Every request of the operator answered 0.1 s late (an overloaded API server)."""
    kmock.delay = 0.1  # every request of the operator
    async with running_operator(kmock):
        await cluster.create(manifests.task_definition())
        await cluster.create(manifests.service())
        await steady_web(cluster, timeout=30)
        await exactly_the_children(cluster)


async def _steady(cluster: Cluster) -> bool:
    if await cluster.get("Deployment", "web") is None:
        return False
    await cluster.deployment_controller("web", ready=2)
    status = await cluster.status("ECSService", "web")
    return status.get("runningCount") == 2 and _reason(status) == "SteadyState"


async def test_an_operator_stopped_mid_reconcile_and_started_again_duplicates_nothing(
    kmock: Any, cluster: Cluster
) -> None:
    """The operator stops while a task's Pods are being created (after the first, before the status says so),
    and a new one starts: it finds the first Pod its own (by name and owner), creates the rest, and records
    each task once."""
    created = asyncio.Event()

    def slow_after_the_first_pod(request: Any) -> None:
        if request.method.value == "POST" and request.resource.plural == "pods" and not created.is_set():
            kmock.delay = 5.0  # what follows the first create hangs: the operator is stopped in the middle
            created.set()
        return None

    cluster.reject(slow_after_the_first_pod)
    config = dataclasses.replace(TEST_CONFIG, resync_seconds=3600)
    async with running_operator(kmock, config):
        await cluster.create(batch_definition())
        await cluster.create(manifests.task(count=3))
        await created.wait()
    kmock.delay = 0.0
    async with running_operator(kmock, config):

        async def three() -> list[JsonDict] | None:
            status = await cluster.status("ECSTask", "job")
            return status["tasks"] if len(status.get("tasks") or []) == 3 else None

        tasks = await eventually(three, what="three tasks recorded")
        pods = sorted(p["metadata"]["name"] for p in await cluster.list_of("Pod"))
        assert pods == ["job-0", "job-1", "job-2"]
        assert sorted(t["podName"] for t in tasks) == pods
