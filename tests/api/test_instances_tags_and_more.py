"""Container instances (nodes), tags, capacity providers, account settings, service deployments and revisions."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import Backend, Ecs, settled
from tests.api.workloads import batch_definition, task_definition


def code_of(caught: pytest.ExceptionInfo[ClientError]) -> str:
    return str(caught.value.response["Error"]["Code"])


def names(nodes: list[dict[str, Any]], **labels: str) -> list[str]:
    """The sorted names of the nodes whose labels (``LABELS``: zone, provider, host) have the given values."""
    return sorted(
        node["metadata"]["name"]
        for node in nodes
        if all((node["metadata"].get("labels") or {}).get(LABELS[key]) == value for key, value in labels.items())
    )


LABELS = {
    "zone": "topology.kubernetes.io/zone",
    "provider": "ecs.compat.dev/capacity-provider",
    "host": "kubernetes.io/hostname",
}


def units(quantity: str) -> int:
    """CPU units of a whole number of CPUs ("4" -> 4096)."""
    return int(quantity) * 1024


def mebibytes(quantity: str) -> int:
    """MiB of a Gi quantity ("16Gi" -> 16384)."""
    assert quantity.endswith("Gi"), quantity
    return int(quantity[:-2]) * 1024


async def test_container_instances_are_the_nodes_of_the_clusters_pools(ecs: Ecs, backend: Backend) -> None:
    await ecs.create_cluster(clusterName="all")
    every = (await ecs.list_container_instances(cluster="all"))["containerInstanceArns"]
    assert every == [backend.arn(f"container-instance/all/{name}") for name in names(backend.nodes)]
    # nodePools (not part of CreateCluster: set with kubectl) narrow a cluster to the nodes of its providers.
    spec = {"capacityProviders": ["FARGATE_SPOT"], "nodePools": [{"capacityProvider": "FARGATE_SPOT"}]}
    cluster = {"apiVersion": "ecs.compat.dev/v1alpha1", "kind": "ECSCluster", "spec": spec}
    await backend.kubectl.create({**cluster, "metadata": {"name": "spot", "namespace": backend.namespace}})
    spot = (await ecs.list_container_instances(cluster="spot"))["containerInstanceArns"]
    assert spot == [
        backend.arn(f"container-instance/spot/{name}") for name in names(backend.nodes, provider="FARGATE_SPOT")
    ]
    assert len(spot) >= 2
    pages = await ecs.pages(
        "list_container_instances", "containerInstanceArns", cluster="all", PaginationConfig={"PageSize": 2}
    )
    assert [len(p) for p in pages] == [2] * (len(every) // 2) + ([1] if len(every) % 2 else [])
    zone_a = await ecs.list_container_instances(cluster="all", filter="attribute:ecs.availability-zone == us-east-1a")
    assert zone_a["containerInstanceArns"] == [
        backend.arn(f"container-instance/all/{n}") for n in names(backend.nodes, zone="us-east-1a")
    ]
    expression = "attribute:ecs.availability-zone in [us-east-1b] and attribute:kubernetes.io/hostname != ecs-worker2"
    chosen = (await ecs.list_container_instances(cluster="all", filter=expression))["containerInstanceArns"]
    expected = [name for name in names(backend.nodes, zone="us-east-1b") if name != "ecs-worker2"]
    assert chosen == [backend.arn(f"container-instance/all/{name}") for name in expected] and expected
    with pytest.raises(ClientError) as bad:
        await ecs.list_container_instances(cluster="all", filter="task:group == web")
    assert code_of(bad) == "InvalidParameterException"


async def test_describe_container_instances_shows_resources_attributes_and_tasks(ecs: Ecs, backend: Backend) -> None:
    await ecs.create_cluster(clusterName="prod")
    await ecs.register_task_definition(**batch_definition())
    [task] = (await ecs.start_task(cluster="prod", taskDefinition="batch", containerInstances=["ecs-worker2"]))["tasks"]
    await ecs.wait("tasks_running", cluster="prod", tasks=[task["taskArn"]])
    answer = await ecs.describe_container_instances(
        cluster="prod", containerInstances=["ecs-worker2", "nope"], include=["CONTAINER_INSTANCE_HEALTH", "TAGS"]
    )
    [instance] = answer["containerInstances"]
    assert answer["failures"] == [{"arn": backend.arn("container-instance/prod/nope"), "reason": "MISSING"}]
    assert (instance["ec2InstanceId"], instance["status"], instance["agentConnected"]) == (
        "ecs-worker2",
        "ACTIVE",
        True,
    )
    [node] = [node for node in backend.nodes if node["metadata"]["name"] == "ecs-worker2"]
    allocatable = node["status"]["allocatable"]
    cpu, memory = units(allocatable["cpu"]), mebibytes(allocatable["memory"])
    assert instance["registeredResources"] == [
        {"name": "CPU", "type": "INTEGER", "integerValue": cpu},
        {"name": "MEMORY", "type": "INTEGER", "integerValue": memory},
    ]
    remaining = {r["name"]: r["integerValue"] for r in instance["remainingResources"]}
    assert remaining == {"CPU": cpu, "MEMORY": memory - 128}  # the task's container asks for 128 MiB
    assert (instance["runningTasksCount"], instance["pendingTasksCount"]) == (1, 0)
    attributes = {a["name"]: a["value"] for a in instance["attributes"]}
    assert attributes["ecs.availability-zone"] == "us-east-1b"
    assert attributes["ecs.os-type"] == "linux"
    assert instance["capacityProviderName"] == "FARGATE"
    assert instance["healthStatus"]["overallStatus"] == "OK"
    zones = await ecs.list_attributes(
        cluster="prod", targetType="container-instance", attributeName="ecs.availability-zone"
    )
    assert sorted(a["value"] for a in zones["attributes"]) == sorted(
        n["metadata"]["labels"]["topology.kubernetes.io/zone"] for n in backend.nodes
    )


async def test_tags_on_clusters_services_and_tasks(ecs: Ecs, backend: Backend) -> None:
    await ecs.create_cluster(clusterName="prod", tags=[{"key": "a", "value": "1"}])
    await ecs.register_task_definition(**task_definition(tags=[{"key": "td", "value": "yes"}]))
    await ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=0)
    [task] = (await ecs.run_task(cluster="prod", taskDefinition="web", tags=[{"key": "t", "value": "1"}]))["tasks"]
    cluster_arn, service_arn = backend.arn("cluster/prod"), backend.arn("service/prod/web")
    await ecs.tag_resource(resourceArn=cluster_arn, tags=[{"key": "b", "value": "2"}, {"key": "a", "value": "3"}])
    assert (await ecs.list_tags_for_resource(resourceArn=cluster_arn))["tags"] == [
        {"key": "a", "value": "3"},
        {"key": "b", "value": "2"},
    ]
    await ecs.untag_resource(resourceArn=cluster_arn, tagKeys=["a"])
    [resource] = await backend.kubectl.list("ECSCluster", backend.namespace)
    assert resource["spec"]["tags"] == [{"key": "b", "value": "2"}]
    await ecs.tag_resource(resourceArn=service_arn, tags=[{"key": "s", "value": "1"}])
    assert (await ecs.list_tags_for_resource(resourceArn=service_arn))["tags"] == [{"key": "s", "value": "1"}]
    await ecs.tag_resource(resourceArn=task["taskArn"], tags=[{"key": "u", "value": "2"}])
    assert (await ecs.list_tags_for_resource(resourceArn=task["taskArn"]))["tags"] == [
        {"key": "t", "value": "1"},
        {"key": "u", "value": "2"},
    ]
    td_arn = backend.arn("task-definition/web:1")
    assert (await ecs.list_tags_for_resource(resourceArn=td_arn))["tags"] == [{"key": "td", "value": "yes"}]
    for arn in (td_arn, backend.arn("container-instance/prod/ecs-worker")):
        with pytest.raises(ClientError) as refused:
            await ecs.tag_resource(resourceArn=arn, tags=[{"key": "x", "value": "y"}])
        assert code_of(refused) == "InvalidParameterException"
    for arn, code in (
        (backend.arn("cluster/nope"), "ClusterNotFoundException"),
        (backend.arn("service/prod/nope"), "InvalidParameterException"),
    ):
        with pytest.raises(ClientError) as missing:
            await ecs.list_tags_for_resource(resourceArn=arn)
        assert code_of(missing) == code


async def test_capacity_providers_and_account_settings(ecs: Ecs, backend: Backend) -> None:
    await ecs.create_cluster(clusterName="prod", capacityProviders=["FARGATE", "my-asg"])
    providers = (await ecs.describe_capacity_providers())["capacityProviders"]
    assert [(p["name"], p["type"]) for p in providers] == [
        ("FARGATE", "FARGATE"),
        ("FARGATE_SPOT", "FARGATE_SPOT"),
        ("my-asg", "EC2_AUTOSCALING"),
    ]
    named = await ecs.describe_capacity_providers(capacityProviders=["my-asg", "other"])
    assert [p["name"] for p in named["capacityProviders"]] == ["my-asg"]
    assert named["failures"] == [{"arn": backend.arn("capacity-provider/other"), "reason": "MISSING"}]
    settings = (await ecs.list_account_settings(name="serviceLongArnFormat"))["settings"]
    assert [(s["name"], s["value"]) for s in settings] == [("serviceLongArnFormat", "enabled")]
    with pytest.raises(ClientError) as refused:
        await ecs.put_account_setting(name="containerInsights", value="enabled")
    assert code_of(refused) == "ClientException"
    assert "not supported by ecs-operator" in refused.value.response["Error"]["Message"]


async def test_service_deployments_and_revisions(ecs: Ecs, backend: Backend) -> None:
    await ecs.create_cluster(clusterName="prod")
    await ecs.register_task_definition(**task_definition())
    await ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    [deployment] = (await ecs.list_service_deployments(cluster="prod", service="web"))["serviceDeployments"]
    assert deployment["status"] == "SUCCESSFUL"
    assert deployment["serviceDeploymentArn"].startswith(backend.arn("service-deployment/prod/web/"))
    described = await ecs.describe_service_deployments(serviceDeploymentArns=[deployment["serviceDeploymentArn"]])
    [full] = described["serviceDeployments"]
    assert full["targetServiceRevision"]["arn"] == deployment["targetServiceRevisionArn"]
    assert full["targetServiceRevision"]["runningTaskCount"] == 1
    revisions = await ecs.describe_service_revisions(serviceRevisionArns=[deployment["targetServiceRevisionArn"]])
    [revision] = revisions["serviceRevisions"]
    assert revision["taskDefinition"] == backend.arn("task-definition/web:1")
    missing = await ecs.describe_service_deployments(
        serviceDeploymentArns=[backend.arn("service-deployment/prod/web/1")]
    )
    assert missing["failures"][0]["reason"] == "MISSING"
    assert (await ecs.list_service_deployments(cluster="prod", service="web", status=["IN_PROGRESS"]))[
        "serviceDeployments"
    ] == []
    with pytest.raises(ClientError) as conflict:
        await ecs.stop_service_deployment(serviceDeploymentArn=deployment["serviceDeploymentArn"])
    assert code_of(conflict) == "ConflictException"


async def test_stop_service_deployment_rolls_an_unfinished_rollout_back(kmock_ecs: Ecs, kmock_backend: Backend) -> None:
    """kmock: the controllers held still, so the new revision's rollout stays unfinished until it is stopped."""
    ecs, backend = kmock_ecs, kmock_backend
    await ecs.create_cluster(clusterName="prod")
    await ecs.register_task_definition(**task_definition())
    await ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    await ecs.register_task_definition(**task_definition(image="nginx:broken"))
    assert backend.autopilot is not None
    backend.autopilot.paused = True  # the new revision's tasks never start
    await ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")

    async def in_progress() -> dict[str, Any] | None:
        found = await ecs.list_service_deployments(cluster="prod", service="web", status=["IN_PROGRESS"])
        return found["serviceDeployments"][0] if found["serviceDeployments"] else None

    rollout = await settled(in_progress, "the new deployment")
    backend.autopilot.paused = False
    await ecs.stop_service_deployment(serviceDeploymentArn=rollout["serviceDeploymentArn"], stopType="ROLLBACK")
    resource = await backend.kubectl.get("ECSService", backend.namespace, "web")
    assert resource is not None and resource["spec"]["taskDefinition"] == "web:1"
    await ecs.wait("services_stable", cluster="prod", services=["web"])
