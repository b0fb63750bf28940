"""Container instances (nodes), tags, capacity providers, account settings, service deployments and revisions."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ACCOUNT, REGION, Backend, Ecs, kind_nodes
from tests.api.workloads import batch_definition, task_definition

ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:"


def code_of(caught: pytest.ExceptionInfo[ClientError]) -> str:
    return str(caught.value.response["Error"]["Code"])


async def test_container_instances_are_the_nodes_of_the_clusters_pools(ecs: Ecs, backend: Backend) -> None:
    await ecs.create_cluster(clusterName="all")
    every = (await ecs.list_container_instances(cluster="all"))["containerInstanceArns"]
    names = sorted(node["metadata"]["name"] for node in kind_nodes())
    assert every == [ARN + f"container-instance/all/{name}" for name in names]
    # nodePools (not part of CreateCluster: set with kubectl) narrow a cluster to the nodes of its providers.
    spec = {"capacityProviders": ["FARGATE_SPOT"], "nodePools": [{"capacityProvider": "FARGATE_SPOT"}]}
    cluster = {
        "apiVersion": "ecs.compat.dev/v1alpha1",
        "kind": "ECSCluster",
        "metadata": {"name": "spot"},
        "spec": spec,
    }
    await backend.kubectl.create({**cluster, "metadata": {"name": "spot", "namespace": "default"}})
    spot_nodes = (await ecs.list_container_instances(cluster="spot"))["containerInstanceArns"]
    assert spot_nodes == [ARN + "container-instance/spot/ecs-worker4", ARN + "container-instance/spot/ecs-worker5"]
    pages = await ecs.pages(
        "list_container_instances", "containerInstanceArns", cluster="all", PaginationConfig={"PageSize": 2}
    )
    assert [len(p) for p in pages] == [2, 2, 1]
    zone_a = await ecs.list_container_instances(cluster="all", filter="attribute:ecs.availability-zone == us-east-1a")
    assert len(zone_a["containerInstanceArns"]) == 2
    expression = "attribute:ecs.availability-zone in [us-east-1b] and attribute:kubernetes.io/hostname != ecs-worker2"
    spot = await ecs.list_container_instances(cluster="all", filter=expression)
    assert spot["containerInstanceArns"] == [ARN + "container-instance/all/ecs-worker5"]
    with pytest.raises(ClientError) as bad:
        await ecs.list_container_instances(cluster="all", filter="task:group == web")
    assert code_of(bad) == "InvalidParameterException"


async def test_describe_container_instances_shows_resources_attributes_and_tasks(ecs: Ecs) -> None:
    await ecs.create_cluster(clusterName="prod")
    await ecs.register_task_definition(**batch_definition())
    [task] = (await ecs.start_task(cluster="prod", taskDefinition="batch", containerInstances=["ecs-worker2"]))["tasks"]
    await ecs.wait("tasks_running", cluster="prod", tasks=[task["taskArn"]])
    answer = await ecs.describe_container_instances(
        cluster="prod", containerInstances=["ecs-worker2", "nope"], include=["CONTAINER_INSTANCE_HEALTH", "TAGS"]
    )
    [instance] = answer["containerInstances"]
    assert answer["failures"] == [{"arn": ARN + "container-instance/prod/nope", "reason": "MISSING"}]
    assert (instance["ec2InstanceId"], instance["status"], instance["agentConnected"]) == (
        "ecs-worker2",
        "ACTIVE",
        True,
    )
    assert instance["registeredResources"] == [
        {"name": "CPU", "type": "INTEGER", "integerValue": 4096},
        {"name": "MEMORY", "type": "INTEGER", "integerValue": 16384},
    ]
    remaining = {r["name"]: r["integerValue"] for r in instance["remainingResources"]}
    assert remaining == {"CPU": 4096, "MEMORY": 16384 - 128}  # the task's container asks for 128 MiB
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
        n["metadata"]["labels"]["topology.kubernetes.io/zone"] for n in kind_nodes()
    )


async def test_tags_on_clusters_services_and_tasks(ecs: Ecs, backend: Backend) -> None:
    await ecs.create_cluster(clusterName="prod", tags=[{"key": "a", "value": "1"}])
    await ecs.register_task_definition(**task_definition(tags=[{"key": "td", "value": "yes"}]))
    await ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=0)
    [task] = (await ecs.run_task(cluster="prod", taskDefinition="web", tags=[{"key": "t", "value": "1"}]))["tasks"]
    cluster_arn, service_arn = ARN + "cluster/prod", ARN + "service/prod/web"
    await ecs.tag_resource(resourceArn=cluster_arn, tags=[{"key": "b", "value": "2"}, {"key": "a", "value": "3"}])
    assert (await ecs.list_tags_for_resource(resourceArn=cluster_arn))["tags"] == [
        {"key": "a", "value": "3"},
        {"key": "b", "value": "2"},
    ]
    await ecs.untag_resource(resourceArn=cluster_arn, tagKeys=["a"])
    [resource] = await backend.kubectl.list("ECSCluster", "default")
    assert resource["spec"]["tags"] == [{"key": "b", "value": "2"}]
    await ecs.tag_resource(resourceArn=service_arn, tags=[{"key": "s", "value": "1"}])
    assert (await ecs.list_tags_for_resource(resourceArn=service_arn))["tags"] == [{"key": "s", "value": "1"}]
    await ecs.tag_resource(resourceArn=task["taskArn"], tags=[{"key": "u", "value": "2"}])
    assert (await ecs.list_tags_for_resource(resourceArn=task["taskArn"]))["tags"] == [
        {"key": "t", "value": "1"},
        {"key": "u", "value": "2"},
    ]
    td_arn = ARN + "task-definition/web:1"
    assert (await ecs.list_tags_for_resource(resourceArn=td_arn))["tags"] == [{"key": "td", "value": "yes"}]
    for arn in (td_arn, ARN + "container-instance/prod/ecs-worker"):
        with pytest.raises(ClientError) as refused:
            await ecs.tag_resource(resourceArn=arn, tags=[{"key": "x", "value": "y"}])
        assert code_of(refused) == "InvalidParameterException"
    for arn, code in (
        (ARN + "cluster/nope", "ClusterNotFoundException"),
        (ARN + "service/prod/nope", "InvalidParameterException"),
    ):
        with pytest.raises(ClientError) as missing:
            await ecs.list_tags_for_resource(resourceArn=arn)
        assert code_of(missing) == code


async def test_capacity_providers_and_account_settings(ecs: Ecs) -> None:
    await ecs.create_cluster(clusterName="prod", capacityProviders=["FARGATE", "my-asg"])
    providers = (await ecs.describe_capacity_providers())["capacityProviders"]
    assert [(p["name"], p["type"]) for p in providers] == [
        ("FARGATE", "FARGATE"),
        ("FARGATE_SPOT", "FARGATE_SPOT"),
        ("my-asg", "EC2_AUTOSCALING"),
    ]
    named = await ecs.describe_capacity_providers(capacityProviders=["my-asg", "other"])
    assert [p["name"] for p in named["capacityProviders"]] == ["my-asg"]
    assert named["failures"] == [{"arn": ARN + "capacity-provider/other", "reason": "MISSING"}]
    settings = (await ecs.list_account_settings(name="serviceLongArnFormat"))["settings"]
    assert [(s["name"], s["value"]) for s in settings] == [("serviceLongArnFormat", "enabled")]
    with pytest.raises(ClientError) as refused:
        await ecs.put_account_setting(name="containerInsights", value="enabled")
    assert code_of(refused) == "ClientException"
    assert "not supported by ecs-operator" in refused.value.response["Error"]["Message"]


async def test_service_deployments_and_revisions(ecs: Ecs) -> None:
    await ecs.create_cluster(clusterName="prod")
    await ecs.register_task_definition(**task_definition())
    await ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    [deployment] = (await ecs.list_service_deployments(cluster="prod", service="web"))["serviceDeployments"]
    assert deployment["status"] == "SUCCESSFUL"
    assert deployment["serviceDeploymentArn"].startswith(ARN + "service-deployment/prod/web/")
    described = await ecs.describe_service_deployments(serviceDeploymentArns=[deployment["serviceDeploymentArn"]])
    [full] = described["serviceDeployments"]
    assert full["targetServiceRevision"]["arn"] == deployment["targetServiceRevisionArn"]
    assert full["targetServiceRevision"]["runningTaskCount"] == 1
    revisions = await ecs.describe_service_revisions(serviceRevisionArns=[deployment["targetServiceRevisionArn"]])
    [revision] = revisions["serviceRevisions"]
    assert revision["taskDefinition"] == ARN + "task-definition/web:1"
    missing = await ecs.describe_service_deployments(serviceDeploymentArns=[ARN + "service-deployment/prod/web/1"])
    assert missing["failures"][0]["reason"] == "MISSING"
    assert (await ecs.list_service_deployments(cluster="prod", service="web", status=["IN_PROGRESS"]))[
        "serviceDeployments"
    ] == []
    with pytest.raises(ClientError) as conflict:
        await ecs.stop_service_deployment(serviceDeploymentArn=deployment["serviceDeploymentArn"])
    assert code_of(conflict) == "ConflictException"


async def test_stop_service_deployment_rolls_an_unfinished_rollout_back(ecs: Ecs, backend: Backend) -> None:
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

    from tests.operator.conftest import eventually

    rollout = await eventually(in_progress, what="the new deployment")
    backend.autopilot.paused = False
    await ecs.stop_service_deployment(serviceDeploymentArn=rollout["serviceDeploymentArn"], stopType="ROLLBACK")
    resource = await backend.kubectl.get("ECSService", "default", "web")
    assert resource is not None and resource["spec"]["taskDefinition"] == "web:1"
    await ecs.wait("services_stable", cluster="prod", services=["web"])
