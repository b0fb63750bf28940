"""ECSCluster counts and SecurityGroup NetworkPolicies against the emulator."""

from __future__ import annotations

from tests.operator import manifests
from tests.operator.conftest import Cluster, JsonDict, eventually


async def test_cluster_counts_tasks_services_and_nodes(operator: Cluster) -> None:
    for zone, provider in (("a", "FARGATE"), ("b", "FARGATE_SPOT")):
        labels = {"topology.kubernetes.io/zone": f"us-east-1{zone}", "ecs.compat.dev/capacity-provider": provider}
        await operator.create(
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"worker-{zone}", "labels": labels}}
        )
    await operator.create(manifests.cluster("prod"))
    await operator.create(manifests.task_definition("batch"))
    await operator.create(manifests.task(cluster="prod", count=2))
    await operator.create(manifests.service(task_definition="batch", cluster="prod"))
    await eventually(lambda: operator.get("Pod", "job-1"), what="pods")
    await operator.kubelet("job-0", "Running", {"app": {"running": {}}})
    await eventually(lambda: operator.get("Deployment", "web"), what="the service's Deployment")
    await operator.deployment_controller("web", ready=1)  # the service's tasks: 1 RUNNING, 1 PENDING

    async def counted() -> JsonDict | None:
        status = await operator.status("ECSCluster", "prod")
        return status if status.get("runningTasksCount") == 2 and status.get("activeServicesCount") == 1 else None

    status = await eventually(counted, what="counts")
    assert (status["status"], status["pendingTasksCount"], status["registeredContainerInstancesCount"]) == (
        "ACTIVE",
        2,
        2,
    )


async def test_security_group_becomes_a_network_policy(operator: Cluster) -> None:
    group = {
        "apiVersion": manifests.API_VERSION,
        "kind": "SecurityGroup",
        "metadata": {"name": "web"},
        "spec": {
            "GroupId": "sg-0123456789abcdef0",
            "IpPermissions": [
                {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}
            ],
        },
    }
    await operator.create(group)
    policy = await eventually(lambda: operator.get("NetworkPolicy", "web"), what="NetworkPolicy")
    assert policy["spec"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 80}]
    status = await eventually(lambda: _status(operator), what="status")
    assert (status["GroupId"], status["members"]) == ("sg-0123456789abcdef0", 0)
    assert operator.validate_written() > 0


async def _status(cluster: Cluster) -> JsonDict | None:
    status = await cluster.status("SecurityGroup", "web")
    return status if "GroupId" in status else None


async def test_a_service_waits_for_its_security_group(operator: Cluster) -> None:
    await operator.create(manifests.task_definition(networkMode="awsvpc"))
    network = {"awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["db"]}}
    await operator.create(manifests.service(networkConfiguration=network))

    async def waiting() -> JsonDict | None:
        ready = await operator.condition("ECSService", "web")
        return ready if ready.get("reason") == "SecurityGroupNotFound" else None

    ready = await eventually(waiting, what="SecurityGroupNotFound")
    assert "'db'" in ready["message"]
    progressing = await operator.condition("ECSService", "web", "Progressing")
    assert progressing["status"] == "True"
    await operator.create({"apiVersion": manifests.API_VERSION, "kind": "SecurityGroup", "metadata": {"name": "db"}})
    await eventually(lambda: operator.get("Deployment", "web"), what="the Deployment once the group exists")
