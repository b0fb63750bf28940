"""The runtime: the work queue (one run per key at a time, bursts collapsed, backoff), Kopf writing nothing to the
custom resources (no finalizer, no annotations), and refusals reported without client-side retries."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import kmock as kmock_lib
import pytest

from ecs_operator.handlers.main import MANAGED_BY_SELECTOR
from ecs_operator.handlers.queue import Backoff, Key, WorkQueue
from ecs_operator.handlers.watches import CUSTOM_KINDS
from tests.operator import manifests
from tests.operator.conftest import TEST_CONFIG, Cluster, JsonDict, eventually, running_operator
from tests.operator.test_children import POD_SECURITY, _reason
from tests.operator.test_service import counted_and_named, deployment, service_status

WEB: Key = ("ECSService", "default", "web")
API: Key = ("ECSService", "default", "api")


class Recorder:
    """A processor that records each run and can hold a run until released."""

    def __init__(self) -> None:
        self.runs: list[Key] = []
        self.active: set[Key] = set()
        self.overlapped = False
        self.release = asyncio.Event()
        self.release.set()
        self.started = asyncio.Event()

    async def __call__(self, key: Key) -> None:
        self.overlapped |= key in self.active
        self.active.add(key)
        self.runs.append(key)
        self.started.set()
        await self.release.wait()
        self.active.discard(key)


async def running(queue: WorkQueue) -> asyncio.Task[None]:
    task = asyncio.create_task(queue.run())
    await asyncio.sleep(0)
    return task


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_burst_of_triggers_is_one_run() -> None:
    recorder = Recorder()
    queue = WorkQueue(recorder, workers=4)
    for _ in range(5):
        queue.add(WEB)
    queue.add(API)
    task = await running(queue)
    await eventually(lambda: _settled(queue, recorder, 2), what="two runs")
    await stop(task)
    assert sorted(recorder.runs) == sorted([WEB, API])


async def test_a_key_triggered_while_it_runs_runs_once_more_afterwards_never_twice_at_once() -> None:
    recorder = Recorder()
    recorder.release.clear()
    queue = WorkQueue(recorder, workers=4)
    task = await running(queue)
    queue.add(WEB)
    await recorder.started.wait()
    for _ in range(3):  # events arriving during the run
        queue.add(WEB)
    recorder.release.set()
    await eventually(lambda: _settled(queue, recorder, 2), what="the second run")
    await stop(task)
    assert recorder.runs == [WEB, WEB]
    assert not recorder.overlapped


async def test_at_most_workers_run_at_once_a_later_key_runs_when_due_and_stopping_cancels_the_runs() -> None:
    recorder = Recorder()
    recorder.release.clear()
    queue = WorkQueue(recorder, workers=2)
    keys: list[Key] = [("ECSService", "default", f"svc-{n}") for n in range(3)]
    for key in keys:
        queue.add(key)
    queue.add(WEB, delay=0.3)
    task = await running(queue)

    async def active(count: int) -> bool:
        return len(recorder.active) == count

    await eventually(lambda: active(2), what="two runs")
    await asyncio.sleep(0.5)  # WEB is due by now, but both workers are taken
    assert recorder.runs == keys[:2]
    recorder.release.set()
    await eventually(lambda: _settled(queue, recorder, 4), what="the other two runs")
    assert sorted(recorder.runs[2:]) == sorted([keys[2], WEB])
    recorder.release.clear()
    queue.add(API)
    await eventually(lambda: active(1), what="a run held")
    await stop(task)
    assert not queue.running(API)  # cancelled with the queue, not left behind


async def test_a_sooner_trigger_wins_a_later_one_waits_and_forget_drops_it() -> None:
    recorder = Recorder()
    queue = WorkQueue(recorder, workers=1)
    queue.add(WEB, delay=3600)  # the resync
    queue.add(WEB)  # an event: now
    queue.add(API, delay=3600)
    queue.forget(API)  # deleted
    task = await running(queue)
    await eventually(lambda: _settled(queue, recorder, 1), what="the run")
    await stop(task)
    assert recorder.runs == [WEB]
    assert queue.pending() == 0  # the hour-later run of WEB was superseded, API forgotten


async def test_new_work_runs_before_refreshes_that_were_due_first() -> None:
    recorder = Recorder()
    queue = WorkQueue(recorder, workers=1)
    refreshes: list[Key] = [("ECSService", "default", f"old-{n}") for n in range(3)]
    for key in refreshes:
        queue.add(key)  # a child's status changed: refresh its owner
    queue.add(WEB, urgent=True)  # a new service
    queue.add(refreshes[0], urgent=True)  # a refresh pending, then its spec changed: now new work too
    assert queue.urgent_pending() == 2
    task = await running(queue)
    await eventually(lambda: _settled(queue, recorder, 4), what="four runs")
    await stop(task)
    assert recorder.runs[:2] == [refreshes[0], WEB] or recorder.runs[:2] == [WEB, refreshes[0]]
    assert recorder.runs[2:] == refreshes[1:]
    assert queue.urgent_pending() == 0


async def test_new_work_marks_a_burst_for_a_window() -> None:
    now = [100.0]
    queue = WorkQueue(Recorder(), workers=1, clock=lambda: now[0])
    queue.add(API)  # a refresh is no new work
    assert not queue.in_burst(1.0)
    queue.add(WEB, urgent=True)
    assert queue.in_burst(1.0) and queue.in_burst(1.0, API)
    queue.forget(WEB)
    now[0] += 0.5  # taken, but more of the burst may follow
    assert queue.in_burst(1.0, API)
    assert not queue.in_burst(1.0, WEB)  # WEB alone is no burst for WEB itself
    now[0] += 1.0
    assert not queue.in_burst(1.0, API)


async def test_a_burst_is_seen_by_each_new_object_that_its_worker_takes_at_once() -> None:
    """Objects that arrive one by one, each taken before the next arrives: every one but the first sees the others
    (the latest new work is its own, and the one before it counts)."""
    now = [100.0]
    queue = WorkQueue(Recorder(), workers=1, clock=lambda: now[0])
    queue.add(WEB, urgent=True)
    queue.forget(WEB)  # taken at once
    assert not queue.in_burst(1.0, WEB)  # the first of a burst sees none
    now[0] += 0.01
    queue.add(API, urgent=True)
    queue.add(API, urgent=True)  # its spec changed again: still one other object's work before it
    queue.forget(API)
    assert queue.in_burst(1.0, API)
    assert queue.in_burst(1.0, WEB)
    now[0] += 1.0
    assert not queue.in_burst(1.0, API) and not queue.in_burst(1.0, WEB)


@pytest.mark.parametrize(("failures", "delay"), [(1, 15), (2, 30), (3, 60), (5, 240), (6, 300), (20, 300)])
def test_backoff_doubles_up_to_its_limit(failures: int, delay: float) -> None:
    assert Backoff(15, 300).delay(failures, draw=lambda low, high: 1.0) == delay


def test_backoff_has_jitter_within_its_bounds() -> None:
    assert Backoff(10, 100, jitter=0.2).delay(1, draw=lambda low, high: low) == pytest.approx(8.0)
    assert Backoff(10, 100, jitter=0.2).delay(1, draw=lambda low, high: high) == pytest.approx(12.0)


async def _settled(queue: WorkQueue, recorder: Recorder, runs: int) -> bool:
    return len(recorder.runs) >= runs and not recorder.active


async def test_kopf_writes_nothing_to_the_custom_resources(operator: Cluster) -> None:
    """No change handlers, daemons or timers: no finalizer (deleting never waits for the operator) and no Kopf
    annotations; the only writes to the custom resource are the operator's status patches."""
    await operator.create(manifests.task_definition())
    await operator.create(manifests.service())
    await deployment(operator)
    await operator.deployment_controller("web", ready=2)
    await service_status(operator, lambda s: s.get("runningCount") == 2, "steady")
    for kind in ("ECSService", "TaskDefinition"):
        obj = await operator.get(kind, "web")
        assert obj is not None
        assert not obj["metadata"].get("finalizers"), kind
        assert not [key for key in obj["metadata"].get("annotations") or {} if "kopf" in key or "last-handled" in key]
        writes = [r for r in operator.requests(kind, "web") if r.method.value in ("PATCH", "PUT", "POST")]
        assert len(writes) <= 1, [r.data for r in writes]  # the test's own create


async def test_an_earlier_versions_finalizer_is_removed(operator: Cluster) -> None:
    """Operators before this one put a finalizer on every object with a resync daemon: it must not block
    deletion after an upgrade."""
    service = manifests.service()
    service["metadata"]["finalizers"] = ["ecs.compat.dev/finalizer"]
    await operator.create(manifests.task_definition())
    await operator.create(service)

    async def released() -> bool:
        obj = await operator.get("ECSService", "web")
        return obj is not None and not obj["metadata"].get("finalizers")

    await eventually(released, what="the finalizer removed")


async def test_a_403_is_reported_after_one_attempt(kmock: kmock_lib.KubernetesEmulator, cluster: Cluster) -> None:
    """A denial by PodSecurity (or a quota, a webhook, RBAC) is not retried by the client: the owner's condition
    says so after one attempt, not after half a minute of retries under the object's turn."""

    def admission(request: Any) -> kmock_lib.KubernetesError | None:
        writes = request.method.value in ("PATCH", "POST") and not request.subresource
        if writes and request.resource is not None and request.resource.plural == "deployments":
            return kmock_lib.KubernetesError(status=403, reason="Forbidden", message=POD_SECURITY)
        return None

    cluster.reject(admission)
    # No resync during the test: every attempt is one the reconcile made.
    config = dataclasses.replace(TEST_CONFIG, resync_seconds=3600)
    async with running_operator(kmock, config):
        await cluster.create(manifests.task_definition())
        # Registered first: its registration would queue the service again (a second reconcile, a second attempt).
        await eventually(lambda: _registered(cluster), what="the task definition registered")
        await cluster.create(manifests.service())
        ready = await eventually(lambda: _reason(cluster, "ChildRejected"), what="ChildRejected")
        assert POD_SECURITY in ready["message"]
        # Up to the status write that says so: a later reconcile (another trigger, such as the revision's watch
        # event, which comes by its own stream and may be handled after the service's) makes its own attempt.
        reported = next(r for r in list(cluster.kmock) if _reports(r, "ChildRejected"))
        attempts = [r for r in cluster.requests("Deployment", "web") if r.method.value in ("PATCH", "POST")]
        assert len([r for r in attempts if r.id < reported.id]) == 1, attempts


def _reports(request: Any, reason: str) -> bool:
    """Whether ``request`` is a status write of the service that gives its Ready condition ``reason``."""
    if request.resource is None or request.resource.plural != "ecsservices" or request.subresource != "status":
        return False
    conditions = ((request.data or {}).get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("reason") == reason for c in conditions)


async def test_a_server_error_is_retried_by_the_client(kmock: kmock_lib.KubernetesEmulator, cluster: Cluster) -> None:
    """A 500 (an overloaded API server, etcd leader change) is retried with a short backoff and succeeds."""
    failures = {"left": 2}

    def flaky(request: Any) -> kmock_lib.KubernetesError | None:
        writes = request.method.value in ("PATCH", "POST") and not request.subresource
        if writes and request.resource is not None and request.resource.plural == "deployments" and failures["left"]:
            failures["left"] -= 1
            return kmock_lib.KubernetesError(status=500, reason="InternalError", message="etcdserver: leader changed")
        return None

    cluster.reject(flaky)
    async with running_operator(kmock):
        await cluster.create(manifests.task_definition())
        await cluster.create(manifests.service())
        created: JsonDict = await deployment(cluster)
        assert created["metadata"]["name"] == "web"
        assert failures["left"] == 0


WRITES = ("POST", "PUT", "PATCH", "DELETE")
CUSTOM_PLURALS = set(CUSTOM_KINDS.values())


async def test_a_reconcile_that_finds_nothing_to_do_reads_the_object_and_writes_nothing(
    kmock: kmock_lib.KubernetesEmulator, cluster: Cluster
) -> None:
    """At most 2 requests for a reconcile of a steady service, 0 writes: references, children, Pods and the
    workload's status come from the operator's caches (the emulator stores defaults and drops empty values, as
    the API server does: no value comparison makes up a difference)."""
    config = dataclasses.replace(TEST_CONFIG, resync_seconds=0.3)
    async with running_operator(kmock, config):
        await cluster.create(manifests.cluster("prod"))
        td = manifests.task_definition()
        # Values the API server drops (an empty env value, stdin: false): no value comparison is fooled by them.
        td["spec"]["containerDefinitions"][0].update(environment=[{"name": "EMPTY", "value": ""}], interactive=False)
        await cluster.create(td)
        await cluster.create(manifests.service(cluster="prod"))
        await deployment(cluster)
        await cluster.deployment_controller("web", ready=2)
        # Every status the rollout changes, as it ends up: the service's count and task names (the Pods and the
        # Deployment come by apart watch streams: a name may follow a reconcile later), the cluster's counts (its
        # refresh follows the Pods on its own key); only then may the writes be over.
        await counted_and_named(cluster, 2, "steady, every task named")
        counts = {"runningTasksCount": 2, "pendingTasksCount": 0, "activeServicesCount": 1}
        await cluster.status_where(
            "ECSCluster", "prod", lambda s: {key: s.get(key) for key in counts} == counts, "the cluster's counts"
        )
        await quiet(cluster)  # the reconciles the rollout queued are done
        start = len(list(cluster.kmock))
        service_reads = await eventually(lambda: _service_reads(cluster, start, 5), what="five resyncs of the service")
        requests = cluster.operator_requests(start)[: service_reads[-1] + 1]
        # The caches' audit (handlers/audit.py) lists each watched kind once per resync interval, for the whole
        # operator: across every namespace, only the operator's objects; not part of any reconcile.
        audit = [r for r in requests if r.action == kmock_lib.action.LIST]
        assert all(r.namespace is None and r.params.get("labelSelector") == MANAGED_BY_SELECTOR for r in audit)
        window = [r for r in requests if r not in audit]
        # Each reconcile (of the service, its task definition, its cluster) reads its object, and that is all.
        reconciles = [r for r in window if r.method.value == "GET" and r.resource.plural in CUSTOM_PLURALS]
        assert [f"{r.method.value} {r.resource.plural}" for r in window if r.method.value in WRITES] == []
        assert len(reconciles) >= 5
        assert len(window) <= 2 * len(reconciles), [f"{r.method.value} {r.resource.plural}/{r.name}" for r in window]
        assert window == reconciles  # the goal is <= 2 requests; it takes 1


async def quiet(cluster: Cluster) -> None:
    async def settled() -> bool:
        seen = len(cluster.operator_requests())
        await asyncio.sleep(0.5)
        return not [r for r in cluster.operator_requests()[seen:] if r.method.value in WRITES]

    await eventually(settled, what="no more writes")


async def _service_reads(cluster: Cluster, start: int, count: int) -> list[int] | None:
    requests = cluster.operator_requests(start)
    reads = [i for i, r in enumerate(requests) if r.method.value == "GET" and r.resource.plural == "ecsservices"]
    return reads[:count] if len(reads) >= count else None


async def test_a_new_service_is_reconciled_from_its_watch_event_without_reading_it_again(operator: Cluster) -> None:
    """The first reconcile of a new object starts from the body its ADDED event brought (Runtime.seen): its
    Deployment is created after no read of the service (nor of the Deployment: a new workload is POSTed)."""
    await operator.create(manifests.task_definition())
    await eventually(lambda: _registered(operator), what="the task definition registered")
    start = len(list(operator.kmock))
    await operator.create(manifests.service())
    await deployment(operator)
    requests = [(r.method.value, r.resource.plural, r.name) for r in operator.operator_requests(start) if r.resource]
    created = requests.index(("POST", "deployments", None))
    assert [r for r in requests[:created] if r[0] == "GET" and r[1] in ("ecsservices", "deployments")] == []


async def _registered(cluster: Cluster) -> bool:
    return bool((await cluster.status("TaskDefinition", "web")).get("revision") == 1)


async def test_a_burst_of_new_services_asks_the_api_server_its_version_once(operator: Cluster) -> None:
    """The Kubernetes release the operator renders for is learned once: the first reconciles of a burst wait for
    one answer instead of sending a request each."""
    await operator.create(manifests.task_definition())
    await eventually(lambda: _registered(operator), what="the task definition registered")
    names = [f"web-{n}" for n in range(5)]
    await asyncio.gather(*(operator.create(manifests.service(name=name)) for name in names))
    for name in names:
        await deployment(operator, name)
    asked = [request for request in operator.operator_requests() if str(request.url.path) == "/version"]
    assert len(asked) == 1
