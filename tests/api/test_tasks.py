"""Tasks through the ECS API: RunTask's ECSTasks and services' Pods, described as DescribeTasks shows them."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import Backend, Ecs, settled
from tests.api.workloads import batch_definition, task_definition


def code_of(caught: pytest.ExceptionInfo[ClientError]) -> str:
    return str(caught.value.response["Error"]["Code"])


def exit_with(code: int) -> dict[str, Any]:
    """Overrides that make the task's container exit with ``code`` (kwok's KWOK_EXIT_CODE, played on kmock)."""
    return {"containerOverrides": [{"name": "job", "environment": [{"name": "KWOK_EXIT_CODE", "value": str(code)}]}]}


async def batch(ecs: Ecs) -> None:
    await ecs.create_cluster(clusterName="prod")
    await ecs.register_task_definition(**batch_definition())


async def test_run_task_runs_stop_task_stops_and_the_waiters_see_both(ecs: Ecs, backend: Backend) -> None:
    await batch(ecs)
    answer = await ecs.run_task(cluster="prod", taskDefinition="batch", startedBy="nightly", group="jobs")
    assert answer["failures"] == []
    [task] = answer["tasks"]
    assert task["taskArn"].startswith(backend.arn("task/prod/"))
    assert len(task["taskArn"].rsplit("/", 1)[1]) == 32
    assert (task["taskDefinitionArn"], task["clusterArn"]) == (
        backend.arn("task-definition/batch:1"),
        backend.arn("cluster/prod"),
    )
    assert (task["startedBy"], task["group"], task["desiredStatus"]) == ("nightly", "jobs", "RUNNING")
    [resource] = await backend.kubectl.list("ECSTask", backend.namespace)
    assert resource["spec"]["taskDefinition"] == "batch:1"
    await ecs.wait("tasks_running", cluster="prod", tasks=[task["taskArn"]])
    running = (await ecs.describe_tasks(cluster="prod", tasks=[task["taskArn"]]))["tasks"][0]
    assert running["lastStatus"] == "RUNNING"
    assert [(c["name"], c["lastStatus"]) for c in running["containers"]] == [("job", "RUNNING")]
    assert running["containerInstanceArn"].startswith(backend.arn("container-instance/prod/ecs-worker"))
    stopped = (await ecs.stop_task(cluster="prod", task=task["taskArn"], reason="enough"))["task"]
    assert (stopped["desiredStatus"], stopped["stoppedReason"]) == ("STOPPED", "enough")
    current = await backend.kubectl.get("ECSTask", backend.namespace, resource["metadata"]["name"])
    assert current is not None and current["spec"]["desiredStatus"] == "STOPPED"
    await ecs.wait("tasks_stopped", cluster="prod", tasks=[task["taskArn"]])
    final = (await ecs.describe_tasks(cluster="prod", tasks=[task["taskArn"].rsplit("/", 1)[1]]))["tasks"][0]
    assert (final["lastStatus"], final["stopCode"], final["stoppedReason"]) == ("STOPPED", "UserInitiated", "enough")
    assert "stoppedAt" in final


async def test_an_essential_container_exit_code_is_described(ecs: Ecs) -> None:
    await batch(ecs)
    [task] = (await ecs.run_task(cluster="prod", taskDefinition="batch:1", overrides=exit_with(3)))["tasks"]
    await ecs.wait("tasks_stopped", cluster="prod", tasks=[task["taskArn"]])
    stopped = (await ecs.describe_tasks(cluster="prod", tasks=[task["taskArn"]]))["tasks"][0]
    assert stopped["stopCode"] == "EssentialContainerExited"
    assert [(c["name"], c["exitCode"]) for c in stopped["containers"]] == [("job", 3)]
    with pytest.raises(Exception, match="STOPPED"):
        await ecs.wait("tasks_running", cluster="prod", tasks=[task["taskArn"]], attempts=2)


async def test_run_task_count_and_stopping_one_of_them(ecs: Ecs) -> None:
    await batch(ecs)
    tasks = (await ecs.run_task(cluster="prod", taskDefinition="batch", count=3))["tasks"]
    arns = sorted(task["taskArn"] for task in tasks)
    assert len(set(arns)) == 3
    await ecs.wait("tasks_running", cluster="prod", tasks=arns)
    await ecs.stop_task(cluster="prod", task=arns[0])
    await ecs.wait("tasks_stopped", cluster="prod", tasks=[arns[0]])
    running = await ecs.list_tasks(cluster="prod")
    assert sorted(running["taskArns"]) == arns[1:]
    assert (await ecs.list_tasks(cluster="prod", desiredStatus="STOPPED"))["taskArns"] == [arns[0]]


async def test_list_tasks_filters_and_pages(ecs: Ecs, backend: Backend) -> None:
    await batch(ecs)
    await ecs.register_task_definition(**task_definition())
    nightly = (await ecs.run_task(cluster="prod", taskDefinition="batch", count=3, startedBy="nightly"))["tasks"]
    await ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=2)
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    pages = await ecs.pages("list_tasks", "taskArns", cluster="prod", PaginationConfig={"PageSize": 2})
    assert [len(p) for p in pages] == [2, 2, 1]
    every = [arn for p in pages for arn in p]
    assert every == sorted(every)
    by_family = await ecs.list_tasks(cluster="prod", family="batch")
    assert sorted(by_family["taskArns"]) == sorted(t["taskArn"] for t in nightly)
    assert (await ecs.list_tasks(cluster="prod", startedBy="nightly"))["taskArns"] == by_family["taskArns"]
    of_service = (await ecs.list_tasks(cluster="prod", serviceName="web"))["taskArns"]
    assert len(of_service) == 2 and not set(of_service) & set(by_family["taskArns"])
    described = (await ecs.describe_tasks(cluster="prod", tasks=of_service))["tasks"]
    assert {(t["group"], t["lastStatus"], t["taskDefinitionArn"]) for t in described} == {
        ("service:web", "RUNNING", backend.arn("task-definition/web:1"))
    }
    assert all(t["startedBy"].startswith("ecs-svc/") for t in described)
    node = described[0]["containerInstanceArn"]
    on_node = (await ecs.list_tasks(cluster="prod", containerInstance=node))["taskArns"]
    assert described[0]["taskArn"] in on_node
    with pytest.raises(ClientError) as missing:
        await ecs.list_tasks(cluster="prod", serviceName="nope")
    assert code_of(missing) == "ServiceNotFoundException"


async def test_stopping_a_service_task_replaces_it_and_it_is_described_stopped(ecs: Ecs) -> None:
    await ecs.create_cluster(clusterName="prod")
    await ecs.register_task_definition(**task_definition())
    await ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    [old] = (await ecs.list_tasks(cluster="prod", serviceName="web"))["taskArns"]
    stopped = (await ecs.stop_task(cluster="prod", task=old, reason="replace it"))["task"]
    assert stopped["desiredStatus"] == "STOPPED"
    await ecs.wait("tasks_stopped", cluster="prod", tasks=[old])
    final = (await ecs.describe_tasks(cluster="prod", tasks=[old]))["tasks"][0]
    assert (final["lastStatus"], final["stoppedReason"]) == ("STOPPED", "replace it")

    async def replaced() -> list[str] | None:
        now = (await ecs.list_tasks(cluster="prod", serviceName="web"))["taskArns"]
        return now if len(now) == 1 and now != [old] else None

    await settled(replaced, "the service to start a new task")


async def test_start_task_places_one_task_on_each_named_instance(ecs: Ecs, backend: Backend) -> None:
    await batch(ecs)
    instances = (await ecs.list_container_instances(cluster="prod"))["containerInstanceArns"]
    chosen = instances[1]
    [task] = (await ecs.start_task(cluster="prod", taskDefinition="batch", containerInstances=[chosen]))["tasks"]
    await ecs.wait("tasks_running", cluster="prod", tasks=[task["taskArn"]])
    running = (await ecs.describe_tasks(cluster="prod", tasks=[task["taskArn"]]))["tasks"][0]
    assert running["containerInstanceArn"] == chosen
    with pytest.raises(ClientError) as unknown:
        await ecs.start_task(cluster="prod", taskDefinition="batch", containerInstances=["no-such-node"])
    assert code_of(unknown) == "InvalidParameterException"


async def test_task_errors(ecs: Ecs, backend: Backend) -> None:
    await batch(ecs)
    await ecs.register_task_definition(
        **batch_definition()
        | {"containerDefinitions": [{"name": "job", "image": "busybox:1.37", "essential": True, "memory": 128}]}
    )
    await ecs.deregister_task_definition(taskDefinition="batch:1")
    cases = [
        (ecs.run_task, {"cluster": "nope", "taskDefinition": "batch"}, "ClusterNotFoundException"),
        (ecs.run_task, {"cluster": "prod", "taskDefinition": "batch:1"}, "ClientException"),
        (ecs.run_task, {"cluster": "prod", "taskDefinition": "nope"}, "ClientException"),
        (ecs.run_task, {"cluster": "prod", "taskDefinition": "batch", "count": 11}, "InvalidParameterException"),
        (ecs.stop_task, {"cluster": "prod", "task": "0123456789abcdef0123456789abcdef"}, "InvalidParameterException"),
    ]
    for call, kwargs, code in cases:
        with pytest.raises(ClientError) as refused:
            await call(**kwargs)
        assert code_of(refused) == code, kwargs
    assert await backend.kubectl.list("ECSTask", backend.namespace) == []
    missing = await ecs.describe_tasks(cluster="prod", tasks=["0123456789abcdef0123456789abcdef"])
    assert missing["failures"] == [
        {"arn": backend.arn("task/prod/0123456789abcdef0123456789abcdef"), "reason": "MISSING"}
    ]


async def test_a_task_applied_with_kubectl_is_listed_and_described(ecs: Ecs, backend: Backend) -> None:
    await batch(ecs)
    await backend.kubectl.create(
        {
            "apiVersion": "ecs.compat.dev/v1alpha1",
            "kind": "ECSTask",
            "metadata": {"name": "by-hand", "namespace": backend.namespace},
            "spec": {"cluster": "prod", "taskDefinition": "batch:1", "startedBy": "kubectl"},
        }
    )

    async def listed() -> list[str] | None:
        return (await ecs.list_tasks(cluster="prod", startedBy="kubectl"))["taskArns"] or None

    [arn] = await settled(listed, "the operator to start the task")
    await ecs.wait("tasks_running", cluster="prod", tasks=[arn])
    resource = await backend.kubectl.get("ECSTask", backend.namespace, "by-hand")
    assert resource is not None and resource["status"]["tasks"][0]["taskArn"] == arn
