"""ECSService against the emulator: rollouts, scaling, revisions, the circuit breaker, DAEMON, drift, bad input.

The tests play the Deployment / DaemonSet controllers (``Cluster.deployment_controller``) and the garbage
collector (``Cluster.garbage_collector``), which kmock does not have.
"""

from __future__ import annotations

import asyncio
import datetime
import re
from typing import Any

import pytest

from ecs_operator.models.status import MAX_RUNNING_TASKS
from ecs_operator.status.service import (
    Observed,
    ServiceState,
    remembered_tasks,
    settle,
    task_events,
    to_remember,
)
from tests.operator import manifests
from tests.operator.conftest import Cluster, eventually

JsonDict = dict[str, Any]


async def deployment(cluster: Cluster, name: str = "web", where: Any = None) -> JsonDict:
    """Wait for the service's Deployment (optionally one that satisfies ``where``)."""

    async def found() -> JsonDict | None:
        obj = await cluster.get("Deployment", name)
        return obj if obj is not None and (where is None or where(obj)) else None

    return await eventually(found, what=f"Deployment {name}")


def revision_label(obj: JsonDict) -> str:
    return str(obj["spec"]["template"]["metadata"]["labels"]["ecs.compat.dev/task-definition"])


async def service_status(cluster: Cluster, check: Any, what: str, name: str = "web") -> JsonDict:
    return await cluster.status_where("ECSService", name, check, what)


def messages(status: JsonDict) -> list[str]:
    return [event["message"] for event in status.get("events") or []]


def tasks_told(earlier: JsonDict, status: JsonDict, verb: str) -> tuple[list[str], int]:
    """The tasks that the service's events since ``earlier`` say ``verb`` ("has started"), and how many they count.
    The Pods come or go one by one, so the operator may see them in one reconcile or in several: ECS, too, tells of
    a scaling in as many events as it took. Each task is named once, whatever the number of events."""
    told = {event["id"] for event in earlier.get("events") or []}
    said = [event["message"] for event in status.get("events") or [] if event["id"] not in told]
    said = [message for message in said if verb in message]
    named = sorted(name for message in said for name in re.findall(r"\(task ([^)]+)\)", message))
    return named, sum(int(re.findall(rf"{verb} (\d+)", message)[0]) for message in said)


async def counted_and_named(cluster: Cluster, running: int, what: str) -> tuple[JsonDict, list[str]]:
    """The first status that counts ``running`` tasks and names every Pod there is now, and those Pods' names.
    The count comes from the workload's status, the names from the Pods: apart watch streams, so a reconcile may
    count a task before it has seen its Pod (the next one names it)."""
    pods = await pod_names(cluster)

    def check(status: JsonDict) -> bool:
        return status.get("runningCount") == running and status.get("runningTasks") == pods

    return await service_status(cluster, check, what), pods


async def start_web(cluster: Cluster, desired: int = 2, **spec: Any) -> JsonDict:
    await cluster.create(manifests.task_definition())
    await cluster.create(manifests.service(desired=desired, **spec))
    return await deployment(cluster)


async def test_create_reaches_steady_state(operator: Cluster) -> None:
    created = await start_web(operator)
    assert created["spec"]["replicas"] == 2
    assert revision_label(created) == "web-1"
    assert created["metadata"]["ownerReferences"][0]["kind"] == "ECSService"
    pending = await service_status(operator, lambda s: s.get("taskDefinition") == "web:1", "status")
    assert pending["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    await operator.deployment_controller("web", ready=2)
    status, pods = await counted_and_named(operator, 2, "2 running, named")
    assert (status["desiredCount"], status["pendingCount"], status["clusterName"]) == (2, 0, "default")
    assert [d["status"] for d in status["deployments"]] == ["PRIMARY"]
    assert status["deployments"][0]["rolloutState"] == "COMPLETED"
    assert status["deployments"][0]["id"].startswith("ecs-svc/")
    assert messages(status)[0] == "(service web) has reached a steady state."
    assert tasks_told(pending, status, "has started") == (pods, 2)
    assert f"(service web) (deployment {status['deployments'][0]['id']}) deployment completed." in messages(status)
    ready = await operator.condition("ECSService", "web")
    assert (ready["status"], ready["reason"]) == ("True", "SteadyState")
    assert await eventually(lambda: _async(operator.events("ServiceEvent")), what="Kubernetes Events")
    assert operator.validate_written() > 0


async def _async(value: Any) -> Any:
    return value


async def pod_names(cluster: Cluster) -> list[str]:
    return sorted(pod["metadata"]["name"] for pod in await cluster.list_of("Pod"))


async def test_scale_changes_replicas_and_counts(operator: Cluster) -> None:
    await start_web(operator)
    await operator.deployment_controller("web", ready=2)
    earlier, before = await counted_and_named(operator, 2, "2 running, named")
    await operator.update_spec("ECSService", "web", {"desiredCount": 4})
    scaled = await deployment(operator, where=lambda d: d["spec"]["replicas"] == 4)
    assert revision_label(scaled) == "web-1"
    await operator.deployment_controller("web", ready=4)
    status, pods = await counted_and_named(operator, 4, "4 running, named")
    assert status["desiredCount"] == 4
    new = [pod for pod in pods if pod not in before]
    assert tasks_told(earlier, status, "has started") == (sorted(new), 2) and len(new) == 2
    assert operator.validate_written() > 0


async def test_scale_in_names_the_stopped_tasks(operator: Cluster) -> None:
    await start_web(operator, desired=3)
    await operator.deployment_controller("web", ready=3)
    earlier, before = await counted_and_named(operator, 3, "3 running, named")
    await operator.update_spec("ECSService", "web", {"desiredCount": 1})
    await deployment(operator, where=lambda d: d["spec"]["replicas"] == 1)
    await operator.deployment_controller("web", ready=1)
    status, after = await counted_and_named(operator, 1, "1 running, named")
    gone = [pod for pod in before if pod not in after]
    assert tasks_told(earlier, status, "has stopped") == (sorted(gone), 2) and len(gone) == 2
    assert tasks_told(earlier, status, "has started") == ([], 0)


@pytest.mark.parametrize(
    ("before", "after", "change", "expected"),
    [
        ([], ["a", "b"], 0, ["(service web) has started 2 tasks: (task a) (task b)."]),
        (
            ["a", "b"],
            ["b", "c"],
            0,
            [
                "(service web) has started 1 tasks: (task c).",
                "(service web) has stopped 1 running tasks: (task a).",
            ],
        ),
        (["a"], ["a"], 1, []),  # a Pending task became RUNNING: nothing started or stopped
        (None, ["a", "b"], 2, ["(service web) has started 2 tasks."]),  # not known: counted from the workloads
        (None, [], -3, ["(service web) has stopped 3 running tasks."]),
    ],
)
def test_task_events_name_the_tasks_that_came_and_went(
    before: list[str] | None, after: list[str], change: int, expected: list[str]
) -> None:
    assert task_events("web", before, after, change) == expected


@pytest.mark.parametrize(
    ("old_status", "expected"),
    [
        ({}, []),  # a new service has run nothing
        ({"deployments": [{"id": "d"}], "runningTasks": ["a"]}, ["a"]),
        ({"deployments": [{"id": "d"}]}, None),  # too many to remember, or written by an older operator
    ],
)
def test_remembered_tasks(old_status: JsonDict, expected: list[str] | None) -> None:
    assert remembered_tasks(old_status) == expected


def test_too_many_tasks_are_not_remembered() -> None:
    tasks = [f"web-{i:03}" for i in range(MAX_RUNNING_TASKS + 1)]
    assert to_remember(tasks[:-1]) == tasks[:-1]
    assert to_remember(tasks) is None


async def test_new_revision_rolls_out_and_old_deployment_drains(operator: Cluster) -> None:
    await start_web(operator)
    await operator.deployment_controller("web", ready=2)
    first = await service_status(operator, lambda s: s.get("runningCount") == 2, "steady on web:1")
    await operator.update_spec("TaskDefinition", "web", manifests.task_definition(image="nginx:1.28")["spec"])
    rolled = await deployment(operator, where=lambda d: revision_label(d) == "web-2")
    assert rolled["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    during = await service_status(operator, lambda s: s.get("taskDefinition") == "web:2", "PRIMARY web:2")
    assert [(d["status"], d["taskDefinition"]) for d in during["deployments"]] == [
        ("PRIMARY", "web:2"),
        ("ACTIVE", "web:1"),
    ]
    assert during["deployments"][1]["id"] == first["deployments"][0]["id"]
    await operator.deployment_controller("web", ready=2)
    done = await service_status(
        operator, lambda s: s["deployments"][0].get("rolloutState") == "COMPLETED", "web:2 COMPLETED"
    )
    assert [d["taskDefinition"] for d in done["deployments"]] == ["web:2"]
    assert operator.validate_written() > 0


async def test_pinned_revision_stays_and_inactive_is_refused_for_new_services(operator: Cluster) -> None:
    await operator.create(manifests.task_definition())
    await eventually(lambda: _td_revision(operator, 1), what="web:1")
    await operator.update_spec("TaskDefinition", "web", manifests.task_definition(image="nginx:1.28")["spec"])
    await eventually(lambda: _td_revision(operator, 2), what="web:2")
    await operator.create(manifests.service(task_definition="web:1"))
    pinned = await deployment(operator)
    assert revision_label(pinned) == "web-1"
    spec = manifests.task_definition(image="nginx:1.28", deregisteredRevisions=[1])["spec"]
    await operator.update_spec("TaskDefinition", "web", spec)
    # The operator has read the deregistration before "late" is created: the two come by apart watch streams, and
    # a service created before the operator knew of it would have started on web:1 and kept it, as "web" does.
    await eventually(lambda: _td_revision_status(operator, 1, "INACTIVE"), what="web:1 INACTIVE")
    await operator.create(manifests.service(name="late", task_definition="web:1"))
    refused = await eventually(lambda: _condition_reason(operator, "late", "TaskDefinitionInactive"), what="refused")
    assert "INACTIVE" in refused["message"]
    assert await operator.get("Deployment", "late") is None
    # The service already running web:1 keeps it.
    await operator.deployment_controller("web", ready=2)
    status = await service_status(operator, lambda s: s.get("runningCount") == 2, "web keeps running web:1")
    assert status["taskDefinition"] == "web:1"


async def test_failed_rollout_rolls_back_to_the_last_completed_revision(operator: Cluster) -> None:
    breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
    created = await start_web(operator, deploymentConfiguration=breaker)
    assert created["spec"]["progressDeadlineSeconds"] >= 600
    await operator.deployment_controller("web", ready=2)
    good = await service_status(operator, lambda s: s["deployments"][0]["rolloutState"] == "COMPLETED", "web:1 done")
    await operator.update_spec("TaskDefinition", "web", manifests.task_definition(image="nginx:broken")["spec"])
    await deployment(operator, where=lambda d: revision_label(d) == "web-2")
    await service_status(operator, lambda s: s.get("taskDefinition") == "web:2", "rolling out web:2")
    await operator.deployment_controller("web", ready=0, deadline_exceeded=True)
    back = await deployment(operator, where=lambda d: revision_label(d) == "web-1")
    assert back["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    status = await service_status(operator, lambda s: s.get("taskDefinition") == "web:1", "rolled back")
    assert [(d["status"], d["taskDefinition"], d["rolloutState"]) for d in status["deployments"]] == [
        ("PRIMARY", "web:1", "IN_PROGRESS"),
        ("ACTIVE", "web:2", "FAILED"),
    ]
    failed_id = status["deployments"][1]["id"]
    assert f"(service web) (deployment {failed_id}) deployment failed: tasks failed to start" in " ".join(
        messages(status)
    )
    assert f"(service web) rolling back to deployment {good['deployments'][0]['id']}." in messages(status)
    await operator.deployment_controller("web", ready=2)
    done = await service_status(
        operator, lambda s: s["deployments"][0].get("rolloutState") == "COMPLETED", "rollback done"
    )
    assert [d["taskDefinition"] for d in done["deployments"]] == ["web:1"]
    degraded = await operator.condition("ECSService", "web", "Degraded")
    assert (degraded["status"], degraded["reason"]) == ("True", "RolledBack")
    # The failed revision is not retried by the resync timer.
    still = await operator.get("Deployment", "web")
    assert still is not None and revision_label(still) == "web-1"
    await eventually(lambda: _async(operator.events("DeploymentFailed")), what="Warning Events")
    assert operator.validate_written() > 0


async def test_daemon_service_is_a_daemonset(operator: Cluster) -> None:
    await operator.create(manifests.task_definition())
    await operator.create(
        manifests.service(desired=0, schedulingStrategy="DAEMON")
        | {"spec": {"serviceName": "web", "taskDefinition": "web", "schedulingStrategy": "DAEMON"}}
    )
    daemonset = await eventually(lambda: operator.get("DaemonSet", "web"), what="DaemonSet")
    assert revision_label(daemonset) == "web-1"
    assert await operator.get("Deployment", "web") is None
    await operator.daemonset_controller("web", nodes=3, ready=3)
    status = await service_status(operator, lambda s: s.get("runningCount") == 3, "3 daemon tasks")
    assert (status["schedulingStrategy"], status["desiredCount"]) == ("DAEMON", 3)
    assert operator.validate_written() > 0


async def test_named_cluster_must_exist_then_the_service_starts(operator: Cluster) -> None:
    await operator.create(manifests.task_definition())
    await operator.create(manifests.service(cluster="prod"))
    waiting = await eventually(lambda: _condition_reason(operator, "web", "ClusterNotFound"), what="ClusterNotFound")
    assert "prod" in waiting["message"]
    assert await operator.get("Deployment", "web") is None
    await operator.create(manifests.cluster("prod"))
    started = await deployment(operator)
    assert started["metadata"]["labels"]["ecs.compat.dev/cluster"] == "prod"
    status = await service_status(operator, lambda s: s.get("clusterName") == "prod", "in prod")
    assert status["serviceName"] == "web"


async def test_child_edited_or_deleted_by_hand_is_put_back(operator: Cluster) -> None:
    await start_web(operator)
    await operator.patch("Deployment", "web", {"spec": {"replicas": 7}})
    await deployment(operator, where=lambda d: d["spec"]["replicas"] == 2)
    await operator.delete("Deployment", "web")
    restored = await deployment(operator)
    assert restored["spec"]["replicas"] == 2
    assert operator.validate_written() > 0


async def test_bad_input_keeps_the_last_good_children(operator: Cluster) -> None:
    await start_web(operator)
    await operator.deployment_controller("web", ready=2)
    await service_status(operator, lambda s: s.get("runningCount") == 2, "steady")
    await operator.update_spec("ECSService", "web", {"desiredCount": 3, "launchTypo": "FARGATE"})
    ready = await eventually(lambda: _condition_reason(operator, "web", "InvalidSpec"), what="InvalidSpec")
    assert "spec.launchTypo" in ready["message"]
    await eventually(lambda: _async(operator.events("InvalidSpec")), what="a Warning Event")
    kept = await operator.get("Deployment", "web")
    assert kept is not None and kept["spec"]["replicas"] == 2
    status = await operator.status("ECSService", "web")
    assert status["runningCount"] == 2  # the last good status stays too


async def test_deletion_leaves_children_to_the_garbage_collector(operator: Cluster) -> None:
    await start_web(operator)
    await operator.delete("ECSService", "web")
    await eventually(lambda: _gone(operator, "ECSService", "web"), what="service gone")
    deleted = await operator.garbage_collector()
    assert "deployments/web" in deleted
    assert await operator.get("Deployment", "web") is None


async def test_operator_restart_duplicates_nothing(kmock: Any, cluster: Cluster) -> None:
    from tests.operator.conftest import running_operator

    async with running_operator(kmock):
        await start_web(cluster)
        await cluster.deployment_controller("web", ready=2)
        before = await service_status(cluster, lambda s: s.get("runningCount") == 2, "steady")
    async with running_operator(kmock):
        await cluster.deployment_controller("web", ready=2)
        after = await service_status(cluster, lambda s: s.get("runningCount") == 2, "steady again")
        assert [d["id"] for d in after["deployments"]] == [d["id"] for d in before["deployments"]]
    assert [obj["metadata"]["name"] for obj in await cluster.list_of("Deployment")] == ["web"]
    assert [int(obj["revision"]) for obj in await cluster.list_of("ControllerRevision")] == [1]


async def _td_revision(cluster: Cluster, revision: int) -> bool:
    return (await cluster.status("TaskDefinition", "web")).get("revision") == revision


async def _td_revision_status(cluster: Cluster, revision: int, status: str) -> bool:
    revisions = (await cluster.status("TaskDefinition", "web")).get("revisions") or []
    return any(entry.get("revision") == revision and entry.get("status") == status for entry in revisions)


async def _condition_reason(cluster: Cluster, name: str, reason: str) -> JsonDict | None:
    ready = await cluster.condition("ECSService", name)
    return ready if ready.get("reason") == reason else None


async def _gone(cluster: Cluster, kind: str, name: str) -> bool:
    return await cluster.get(kind, name) is None


async def test_status_drops_fields_no_longer_reported_and_shows_only_its_own_warnings(operator: Cluster) -> None:
    await operator.create(manifests.task_definition(enableFaultInjection=True))
    await operator.create(manifests.service(launchType="FARGATE", platformVersion="1.4.0"))
    first = await service_status(operator, lambda s: s.get("launchType") == "FARGATE", "launchType")
    assert first["warnings"] and all(w.startswith("ECSService/web: ") for w in first["warnings"])
    # The task definition's own status write may land after the service's (another object, another reconcile).
    await operator.status_where(
        "TaskDefinition",
        "web",
        lambda s: any("enableFaultInjection" in w for w in s.get("warnings") or []),
        "the task definition's warning",
    )
    ignored = await eventually(lambda: _async(operator.events("FieldIgnored")), what="FieldIgnored Events")
    assert {event["type"] for event in ignored} == {"Normal"}
    await operator.update_spec("ECSService", "web", {"launchType": None, "platformVersion": None})
    status = await service_status(operator, lambda s: "launchType" not in s, "launchType gone")
    assert status["warnings"] == []


async def test_shared_local_volumes_live_in_the_namespace_directory(operator: Cluster) -> None:
    # The node directory of a shared Docker volume is per namespace, so namespaces never share its data.
    volume = {"name": "cache", "dockerVolumeConfiguration": {"scope": "shared", "driver": "local"}}
    td = manifests.task_definition(volumes=[volume])
    td["spec"]["containerDefinitions"][0]["mountPoints"] = [{"sourceVolume": "cache", "containerPath": "/cache"}]
    svc = manifests.service()
    for obj in (td, svc):
        obj["metadata"]["namespace"] = "team-a"
        await operator.create(obj)
    expected = ["/var/lib/ecs-operator/volumes/team-a/cache"]

    def host_paths(pod_spec: JsonDict) -> list[str]:
        return [v["hostPath"]["path"] for v in pod_spec.get("volumes") or [] if "hostPath" in v]

    created = await eventually(lambda: operator.get("Deployment", "web", namespace="team-a"), what="Deployment")
    assert host_paths(created["spec"]["template"]["spec"]) == expected
    template = await eventually(lambda: operator.get("PodTemplate", "web-1", namespace="team-a"), what="PodTemplate")
    assert host_paths(template["template"]["spec"]) == expected


async def test_a_completed_deployment_stays_completed_when_capacity_is_lost(operator: Cluster) -> None:
    await start_web(operator)
    await operator.deployment_controller("web", ready=2)
    done = await service_status(operator, lambda s: s.get("runningCount") == 2, "2 running")
    assert done["deployments"][0]["rolloutState"] == "COMPLETED"
    completed = f"(service web) (deployment {done['deployments'][0]['id']}) deployment completed."
    steady = "(service web) has reached a steady state."
    # A Pod evicted: the Deployment controller reports one task fewer available.
    await operator.deployment_controller("web", ready=1)
    status = await service_status(operator, lambda s: s.get("runningCount") == 1, "1 running")
    await asyncio.sleep(1.5)  # a resync or more
    status = await operator.status("ECSService", "web")
    assert status["deployments"][0]["rolloutState"] == "COMPLETED"
    assert status["deployments"][0]["rolloutStateReason"] == "ECS deployment completed."
    assert (status["runningCount"], status["pendingCount"]) == (1, 1)
    ready = await operator.condition("ECSService", "web")
    assert (ready["status"], ready["reason"]) == ("True", "TasksPending")
    assert messages(status).count(completed) == 1
    steady_before = messages(status).count(steady)
    # Capacity back: steady again, and the deployment is still the one that completed once.
    await operator.deployment_controller("web", ready=2)
    status = await service_status(operator, lambda s: s.get("runningCount") == 2, "2 running again")
    assert messages(status).count(completed) == 1
    assert messages(status).count(steady) == steady_before + 1
    assert status["deployments"][0]["id"] == done["deployments"][0]["id"]
    ready = await operator.condition("ECSService", "web")
    assert (ready["status"], ready["reason"]) == ("True", "SteadyState")


def test_settle_keeps_completed_when_a_scale_makes_the_report_stale() -> None:
    """An HPA (or a DaemonSet's new node) bumps the workload's generation: the report is stale for a moment."""
    primary = {"id": "ecs-svc/1", "status": "PRIMARY", "rolloutState": "COMPLETED", "taskDefinition": "web:1"}
    old = {"runningCount": 2, "desiredCount": 2, "deployments": [primary], "runningTasks": ["a", "b"]}
    state = ServiceState([dict(primary)], [])
    settle("web", state, Observed(4, 2, 2, "IN_PROGRESS", "waiting for the Deployment controller"), old, ["a", "b"])
    assert state.deployments[0]["rolloutState"] == "COMPLETED"
    assert not any("deployment completed" in message or "steady state" in message for message in state.events)


async def test_the_circuit_breaker_counts_failed_tasks_as_ecs_does(operator: Cluster) -> None:
    """ECS fails a deployment once its failed tasks reach the threshold (50 % of the desired count, at least 3),
    not after a time: here the new revision's essential container keeps exiting (the kubelet restarts it in
    place; each restart is a task ECS would have stopped) well before any progress deadline."""
    breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
    await start_web(operator, deploymentConfiguration=breaker)
    await operator.deployment_controller("web", ready=2)
    await service_status(operator, lambda s: s["deployments"][0]["rolloutState"] == "COMPLETED", "web:1 done")
    await operator.update_spec("TaskDefinition", "web", manifests.task_definition(image="nginx:crashing")["spec"])
    rolling = await deployment(operator, where=lambda d: revision_label(d) == "web-2")
    pods = await operator.replicaset_controller(rolling, 2, 0)
    crashing = {"waiting": {"reason": "CrashLoopBackOff"}, "restartCount": 2, "lastState": _ran_for(1)}
    await operator.kubelet(pods[0], "Running", {"app": crashing})
    failing = await service_status(operator, lambda s: s["deployments"][0].get("failedTasks") == 2, "2 failed tasks")
    assert failing["deployments"][0]["rolloutState"] == "IN_PROGRESS"  # below the threshold of 3
    await operator.kubelet(pods[1], "Pending", {"app": {"waiting": {"reason": "ErrImagePull", "message": "no"}}})
    status = await service_status(operator, lambda s: s.get("taskDefinition") == "web:1", "rolled back")
    failed = status["deployments"][1]
    assert (failed["taskDefinition"], failed["rolloutState"], failed["failedTasks"]) == ("web:2", "FAILED", 3)
    assert "tasks failed to start (3 failed tasks, the threshold is 3)" in failed["rolloutStateReason"]


async def test_a_task_whose_essential_container_died_after_it_ran_is_replaced_as_a_whole(operator: Cluster) -> None:
    """ECS replaces a service's task whose essential container stopped (its health check failed): the Pod is
    deleted and the workload starts a new one, rather than the kubelet restarting that one container."""
    created = await start_web(operator, desired=1)
    [pod] = await operator.replicaset_controller(created, 1, 1)
    await service_status(operator, lambda s: s.get("runningTasks") == [pod], "the task running")
    died = {"running": {}, "restartCount": 1, "lastState": _ran_for(120)}  # killed by its liveness probe
    await operator.kubelet(pod, "Running", {"app": died})
    await eventually(lambda: _deleted(operator, pod), what="the Pod replaced")


def _ran_for(seconds: int) -> JsonDict:
    finished = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    started = finished - datetime.timedelta(seconds=seconds)
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    return {
        "terminated": {
            "exitCode": 137,
            "reason": "Error",
            "startedAt": started.strftime(stamp),
            "finishedAt": finished.strftime(stamp),
        }
    }


async def _deleted(cluster: Cluster, name: str) -> bool:
    return await cluster.get("Pod", name) is None or bool(
        ((await cluster.get("Pod", name)) or {}).get("metadata", {}).get("deletionTimestamp")
    )
