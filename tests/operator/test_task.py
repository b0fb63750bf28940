"""ECSTask (RunTask / StopTask) against the emulator. The tests play the kubelet (``Cluster.kubelet``)."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import kmock as kmock_lib

from ecs_operator.handlers.main import MANAGED_BY_SELECTOR
from ecs_operator.translate.context import LABEL_TASK, MANAGED_BY
from tests.operator import manifests
from tests.operator.conftest import Cluster, eventually

JsonDict = dict[str, Any]


def batch_definition() -> JsonDict:
    td = manifests.task_definition("batch", image="busybox:1.36")
    td["spec"]["containerDefinitions"] = [
        {"name": "main", "image": "busybox:1.36", "essential": True, "memory": 128},
        {"name": "logger", "image": "fluent-bit:3", "essential": False, "memory": 64},
    ]
    return td


async def task_status(cluster: Cluster, check: Any, what: str, name: str = "job") -> JsonDict:
    return await cluster.status_where("ECSTask", name, check, what)


async def test_run_task_and_essential_container_exit_stops_it(operator: Cluster) -> None:
    await operator.create(batch_definition())
    await operator.create(manifests.task(count=2))
    pods = await eventually(lambda: _pods(operator, 2), what="2 pods")
    assert sorted(p["metadata"]["name"] for p in pods) == ["job-0", "job-1"]
    assert all(p["spec"]["restartPolicy"] == "Never" for p in pods)
    await operator.kubelet("job-0", "Running", {"main": {"running": {}}, "logger": {"running": {}}})
    await operator.kubelet("job-1", "Running", {"main": {"running": {}}, "logger": {"running": {}}})
    running = await task_status(operator, lambda s: s.get("lastStatus") == "RUNNING", "RUNNING")
    assert running["taskDefinition"] == "batch:1"
    assert running["tasks"][0]["taskArn"].startswith("arn:aws:ecs:eu-west-1:123456789012:task/default/")
    # The non-essential container exiting leaves the task running.
    await operator.kubelet("job-1", "Running", {"main": {"running": {}}, "logger": {"terminated": {"exitCode": 1}}})
    # The essential one exiting stops it: the operator deletes the Pod (the kubelet stops the rest).
    await operator.kubelet(
        "job-0", "Running", {"main": {"terminated": {"exitCode": 0, "reason": "Completed"}}, "logger": {"running": {}}}
    )
    await eventually(lambda: _gone(operator, "job-0"), what="job-0 deleted")
    status = await task_status(operator, lambda s: s["tasks"][0].get("lastStatus") == "STOPPED", "job-0 STOPPED")
    first, second = status["tasks"]
    assert (first["stopCode"], first["stoppedReason"]) == (
        "EssentialContainerExited",
        "Essential container in task exited",
    )
    assert {c["name"]: c.get("exitCode") for c in first["containers"]} == {"main": 0, "logger": None}
    assert second["lastStatus"] == "RUNNING"
    assert await operator.get("Pod", "job-1") is not None
    assert operator.validate_written() > 0


async def test_stop_task_stops_every_pod(operator: Cluster) -> None:
    await operator.create(batch_definition())
    await operator.create(manifests.task())
    await eventually(lambda: _pods(operator, 1), what="the pod")
    await operator.kubelet("job-0", "Running", {"main": {"running": {}}, "logger": {"running": {}}})
    await task_status(operator, lambda s: s.get("lastStatus") == "RUNNING", "RUNNING")
    await operator.update_spec("ECSTask", "job", {"desiredStatus": "STOPPED", "stopReason": "scaling down"})
    await eventually(lambda: _gone(operator, "job-0"), what="pod deleted")
    status = await task_status(operator, lambda s: s.get("lastStatus") == "STOPPED", "STOPPED")
    assert (status["stopCode"], status["stoppedReason"], status["desiredStatus"]) == (
        "UserInitiated",
        "scaling down",
        "STOPPED",
    )
    ready = await operator.condition("ECSTask", "job")
    assert (ready["status"], ready["reason"]) == ("True", "Stopped")


async def test_restart_creates_no_second_pod(kmock: Any, cluster: Cluster) -> None:
    from tests.operator.conftest import running_operator

    async with running_operator(kmock):
        await cluster.create(batch_definition())
        await cluster.create(manifests.task())
        await eventually(lambda: _pods(cluster, 1), what="the pod")
        await task_status(cluster, lambda s: bool(s.get("tasks")), "tasks recorded", name="job")
    async with running_operator(kmock):
        await cluster.kubelet("job-0", "Running", {"main": {"running": {}}, "logger": {"running": {}}})
        await task_status(cluster, lambda s: s.get("lastStatus") == "RUNNING", "RUNNING")
    assert [p["metadata"]["name"] for p in await cluster.list_of("Pod")] == ["job-0"]


async def test_each_task_has_its_size_capacity_provider_and_timestamps(operator: Cluster) -> None:
    await operator.create(
        batch_definition() | {"spec": batch_definition()["spec"] | {"cpu": "0.25 vCPU", "memory": "512"}}
    )
    strategy = [
        {"capacityProvider": "FARGATE", "base": 1, "weight": 0},
        {"capacityProvider": "FARGATE_SPOT", "weight": 1},
    ]
    await operator.create(manifests.task(count=2, capacityProviderStrategy=strategy))
    await eventually(lambda: _pods(operator, 2), what="2 pods")
    first_start, last_start = _ago(5), _ago(3)
    await operator.kubelet(
        "job-0",
        "Running",
        {"main": {"running": {"startedAt": first_start}}, "logger": {"running": {"startedAt": last_start}}},
    )
    await operator.kubelet("job-1", "Running", {"main": {"running": {}}, "logger": {"running": {}}})
    running = await task_status(operator, lambda s: s.get("lastStatus") == "RUNNING", "RUNNING")
    first, second = running["tasks"]
    assert [(t["cpu"], t["memory"], t["capacityProviderName"]) for t in running["tasks"]] == [
        ("256", "512", "FARGATE"),
        ("256", "512", "FARGATE_SPOT"),
    ]
    assert "capacityProviderName" not in running  # the tasks do not share one
    assert first["startedAt"] == last_start  # the task is RUNNING once its last container runs
    assert _time(first["createdAt"]) <= _time(second["createdAt"]) <= _time(second["startedAt"])
    assert running["startedAt"] == min(first["startedAt"], second["startedAt"])
    assert not any(key in t for t in running["tasks"] for key in ("stoppingAt", "stoppedAt"))
    await operator.update_spec("ECSTask", "job", {"desiredStatus": "STOPPED"})
    stopped = await task_status(operator, lambda s: s.get("lastStatus") == "STOPPED", "STOPPED")
    for task in stopped["tasks"]:
        assert _time(task["startedAt"]) <= _time(task["stoppingAt"]) <= _time(task["stoppedAt"])
        assert all(task[key].endswith("Z") for key in ("createdAt", "startedAt", "stoppingAt", "stoppedAt"))
    assert stopped["stoppedAt"] == max(t["stoppedAt"] for t in stopped["tasks"])
    assert stopped["startedAt"] == running["startedAt"]  # set once


async def test_one_capacity_provider_is_the_task_calls_and_a_launch_type_names_none(operator: Cluster) -> None:
    await operator.create(batch_definition())
    await operator.create(manifests.task(count=2, capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT"}]))
    await operator.create(manifests.task(name="ec2", launchType="EC2"))
    spot = await task_status(operator, lambda s: len(s.get("tasks") or []) == 2, "2 tasks")
    assert spot["capacityProviderName"] == "FARGATE_SPOT"
    ec2 = await task_status(operator, lambda s: bool(s.get("tasks")), "1 task", name="ec2")
    assert "capacityProviderName" not in ec2 and "capacityProviderName" not in ec2["tasks"][0]
    assert "cpu" not in ec2["tasks"][0]  # the task definition sets no task size


def _ago(seconds: int) -> str:
    moment = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=seconds)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _time(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


async def _pods(cluster: Cluster, count: int) -> list[JsonDict] | None:
    pods = await cluster.list_of("Pod")
    return pods if len(pods) == count else None


async def _gone(cluster: Cluster, name: str) -> bool:
    return await cluster.get("Pod", name) is None


def with_dependencies(name: str, dependency: JsonDict, condition: str) -> JsonDict:
    """A task definition whose ``app`` waits for ``dependency`` (START: a native sidecar; SUCCESS: an init
    container)."""
    td = manifests.task_definition(name, image="busybox:1.36")
    app = {
        "name": "app",
        "image": "busybox:1.36",
        "essential": True,
        "memory": 128,
        "dependsOn": [{"containerName": dependency["name"], "condition": condition}],
    }
    td["spec"]["containerDefinitions"] = [dependency, app]
    return td


async def test_an_essential_sidecar_that_exits_stops_the_task(operator: Cluster) -> None:
    proxy = {"name": "proxy", "image": "envoy:1.30", "essential": True, "memory": 64}
    await operator.create(with_dependencies("batch", proxy, "START"))
    await operator.create(manifests.task())
    pods = await eventually(lambda: _pods(operator, 1), what="the pod")
    assert pods[0]["spec"]["initContainers"][0]["restartPolicy"] == "Always"  # a native sidecar
    await operator.kubelet("job-0", "Running", {"app": {"running": {}}}, init={"proxy": {"running": {}}})
    await task_status(operator, lambda s: s.get("lastStatus") == "RUNNING", "RUNNING")
    # The proxy exits; the kubelet restarts it (sidecars always restart), which still stops the task.
    crashed = {"running": {}, "restartCount": 1, "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}
    await operator.kubelet("job-0", "Running", {"app": {"running": {}}}, init={"proxy": crashed})
    await eventually(lambda: _gone(operator, "job-0"), what="the pod deleted")
    status = await task_status(operator, lambda s: s["tasks"][0].get("stopCode") is not None, "stopped")
    assert status["tasks"][0]["stopCode"] == "EssentialContainerExited"
    containers = {c["name"]: c for c in status["tasks"][0]["containers"]}
    assert (containers["proxy"]["lastStatus"], containers["proxy"]["exitCode"]) == ("STOPPED", 137)
    assert containers["app"]["lastStatus"] == "RUNNING"


async def test_a_failed_init_container_shows_its_exit_code(operator: Cluster) -> None:
    migrate = {"name": "migrate", "image": "flyway:10", "essential": False, "memory": 64}
    await operator.create(with_dependencies("batch", migrate, "SUCCESS"))
    await operator.create(manifests.task())
    await eventually(lambda: _pods(operator, 1), what="the pod")
    await operator.kubelet(
        "job-0",
        "Failed",
        {"app": {"waiting": {"reason": "PodInitializing"}}},
        init={"migrate": {"terminated": {"exitCode": 3}}},
    )
    status = await task_status(operator, lambda s: s.get("lastStatus") == "STOPPED", "STOPPED")
    containers = {c["name"]: c for c in status["tasks"][0]["containers"]}
    assert (containers["migrate"]["lastStatus"], containers["migrate"]["exitCode"]) == ("STOPPED", 3)
    assert status["stopCode"] == "TaskFailedToStart"
    ready = await operator.condition("ECSTask", "job")
    assert (ready["status"], ready["reason"]) == ("False", "TaskFailed")


async def test_a_started_task_keeps_its_revision(operator: Cluster) -> None:
    await operator.create(batch_definition())
    await operator.create(manifests.task())  # bare family: the latest ACTIVE revision when it starts
    await eventually(lambda: _pods(operator, 1), what="the pod")
    await operator.kubelet("job-0", "Running", {"main": {"running": {}}, "logger": {"running": {}}})
    await task_status(operator, lambda s: s.get("lastStatus") == "RUNNING", "RUNNING")
    newer = batch_definition()["spec"] | {"cpu": "256", "memory": "512"}
    await operator.update_spec("TaskDefinition", "batch", newer)
    await eventually(lambda: _td_revision(operator, 2), what="batch:2")
    await asyncio.sleep(1.5)  # a resync or more
    status = await operator.status("ECSTask", "job")
    assert status["taskDefinition"] == "batch:1"
    await operator.delete("TaskDefinition", "batch")
    await eventually(lambda: _absent(operator, "TaskDefinition", "batch"), what="the family deleted")
    await asyncio.sleep(1.5)
    ready = await operator.condition("ECSTask", "job")
    assert (ready["status"], ready["reason"]) == ("True", "Running")
    assert (await operator.status("ECSTask", "job"))["taskDefinition"] == "batch:1"


async def _td_revision(cluster: Cluster, revision: int) -> bool:
    return (await cluster.status("TaskDefinition", "batch")).get("revision") == revision


async def _absent(cluster: Cluster, kind: str, name: str) -> bool:
    return await cluster.get(kind, name) is None


async def test_a_pod_of_the_same_name_not_this_tasks_is_waited_for(operator: Cluster) -> None:
    """An ECSTask deleted and re-created under the same name: the old one's Pod is still there (the garbage
    collector has not got to it), controlled by the old uid. The new task waits for the name, never records
    that Pod's absence from its own as a stopped task, and starts once the name is free."""
    await operator.create(batch_definition())
    labels = {**MANAGED_BY, "ecs.compat.dev/task": "job", "ecs.compat.dev/cluster": "default"}
    old_owner = {"apiVersion": manifests.API_VERSION, "kind": "ECSTask", "name": "job", "uid": "old-uid"}
    await operator.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "job-0", "labels": labels, "ownerReferences": [{**old_owner, "controller": True}]},
            "spec": {"containers": [{"name": "main", "image": "busybox:1.36"}]},
        }
    )
    await operator.create(manifests.task())
    waiting = await eventually(lambda: _condition(operator, "PodNameInUse"), what="PodNameInUse")
    assert waiting["status"] == "False"
    await asyncio.sleep(1.5)  # retries and a resync
    status = await operator.status("ECSTask", "job")
    assert not status.get("tasks") and status.get("lastStatus") != "STOPPED"
    await operator.delete("Pod", "job-0")  # the garbage collector gets to it
    created = await eventually(lambda: _ours(operator), what="the task's own Pod")
    assert created["metadata"]["ownerReferences"][0]["uid"] != "old-uid"
    await operator.kubelet("job-0", "Running", {"main": {"running": {}}, "logger": {"running": {}}})
    running = await task_status(operator, lambda s: s.get("lastStatus") == "RUNNING", "RUNNING")
    assert "stopCode" not in running["tasks"][0]


async def _condition(cluster: Cluster, reason: str) -> JsonDict | None:
    ready = await cluster.condition("ECSTask", "job")
    return ready if ready.get("reason") == reason else None


async def _ours(cluster: Cluster) -> JsonDict | None:
    pod = await cluster.get("Pod", "job-0")
    return pod if pod and pod["metadata"]["ownerReferences"][0]["uid"] != "old-uid" else None


def task_requests(cluster: Cluster) -> list[Any]:
    """The requests about the task and its Pods, but for watches (the operator's caches) and status writes."""
    return [
        request
        for request in list(cluster.kmock)
        if request.resource is not None
        and request.resource.plural in ("pods", "ecstasks")
        and request.params.get("watch") != "true"
        and request.action != kmock_lib.action.WATCH
        and (request.name or "").startswith("job")
    ]


async def test_a_stopped_task_costs_no_api_call_and_lists_no_pods(operator: Cluster) -> None:
    await operator.create(batch_definition())
    await operator.create(manifests.task())
    await eventually(lambda: _pods(operator, 1), what="the pod")
    await task_status(operator, lambda s: bool(s.get("tasks")), "tasks recorded")
    lists = [r for r in list(operator.kmock) if r.action == kmock_lib.action.LIST and r.resource.plural == "pods"]
    # Only the watch lists Pods (the test's own lists select nothing): the reconcile reads the operator's cache.
    assert {r.params.get("labelSelector", "") for r in lists} <= {MANAGED_BY_SELECTOR, ""}
    await operator.update_spec("ECSTask", "job", {"desiredStatus": "STOPPED"})
    await task_status(operator, lambda s: s.get("lastStatus") == "STOPPED", "STOPPED")
    await asyncio.sleep(0.5)  # the reconciles the Pod's deletion triggers
    before = len(task_requests(operator))
    await asyncio.sleep(3.5)  # three resyncs (TEST_CONFIG) or more
    assert len(task_requests(operator)) == before
    ready = await operator.condition("ECSTask", "job")
    assert (ready["status"], ready["reason"]) == ("True", "Stopped")


async def test_a_running_tasks_deleted_network_policy_is_put_back(operator: Cluster) -> None:
    # networkMode none: the task's deny-all NetworkPolicy is a security boundary, restored while the task runs.
    td = batch_definition()
    td["spec"]["networkMode"] = "none"
    await operator.create(td)
    await operator.create(manifests.task())
    await eventually(lambda: _pods(operator, 1), what="the pod")
    policies = await eventually(lambda: _policies(operator), what="the deny-all NetworkPolicy")
    name = policies[0]["metadata"]["name"]
    await operator.kubelet("job-0", "Running", {"main": {"running": {}}, "logger": {"running": {}}})
    await task_status(operator, lambda s: s.get("lastStatus") == "RUNNING", "RUNNING")
    await operator.delete("NetworkPolicy", name)
    await eventually(lambda: operator.get("NetworkPolicy", name), what="the NetworkPolicy put back")
    assert operator.validate_written() > 0


async def _policies(cluster: Cluster) -> list[JsonDict] | None:
    found = [p for p in await cluster.list_of("NetworkPolicy") if p["metadata"].get("labels", {}).get(LABEL_TASK)]
    return found or None


async def test_a_task_whose_image_cannot_be_pulled_stops_as_ecs_stops_it(operator: Cluster) -> None:
    """ECS stops a task that cannot pull its image: STOPPED, TaskFailedToStart, "CannotPullContainerError: ...";
    the Pod is deleted rather than left in ImagePullBackOff for ever."""
    await operator.create(batch_definition())
    await operator.create(manifests.task())
    await eventually(lambda: _pods(operator, 1), what="the pod")
    pull = {"waiting": {"reason": "ErrImagePull", "message": 'pull access denied for "busybox:1.36"'}}
    await operator.kubelet("job-0", "Pending", {"main": pull, "logger": {"waiting": {"reason": "PodInitializing"}}})
    await eventually(lambda: _gone(operator, "job-0"), what="the Pod deleted")
    status = await task_status(operator, lambda s: s.get("lastStatus") == "STOPPED", "STOPPED")
    assert status["stopCode"] == "TaskFailedToStart"
    assert status["stoppedReason"] == 'CannotPullContainerError: pull access denied for "busybox:1.36"'
    ready = await operator.condition("ECSTask", "job")
    assert (ready["status"], ready["reason"]) == ("False", "TaskFailed")
