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


async def test_a_service_runs_without_a_missing_security_group_and_says_so(operator: Cluster) -> None:
    """A group the service names that is not defined in the namespace is reported on the service's conditions
    (Degraded, SecurityGroupNotFound, naming it) while the service runs without it; once the group is created,
    the service's tasks become its members."""
    await operator.create(manifests.task_definition(networkMode="awsvpc"))
    network = {"awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["db"]}}
    await operator.create(manifests.service(networkConfiguration=network))
    created = await eventually(lambda: operator.get("Deployment", "web"), what="the Deployment, group or not")
    assert not [key for key in created["spec"]["template"]["metadata"]["labels"] if key.startswith("securitygroup.")]

    async def reported() -> JsonDict | None:
        ready = await operator.condition("ECSService", "web")
        return ready if ready.get("reason") == "SecurityGroupNotFound" else None

    ready = await eventually(reported, what="SecurityGroupNotFound")
    assert "'db'" in ready["message"] and "running without" in ready["message"]
    degraded = await operator.condition("ECSService", "web", "Degraded")
    assert (degraded["status"], degraded["reason"]) == ("True", "SecurityGroupNotFound")
    await operator.create({"apiVersion": manifests.API_VERSION, "kind": "SecurityGroup", "metadata": {"name": "db"}})

    async def member() -> JsonDict | None:
        live = await operator.get("Deployment", "web")
        labels = (live or {})["spec"]["template"]["metadata"]["labels"]
        return live if labels.get("securitygroup.ecs.compat.dev/db") == "member" else None

    await eventually(member, what="the tasks members of the group once it exists")
    await eventually(lambda: _not_reason(operator, "SecurityGroupNotFound"), what="the condition cleared")


async def _not_reason(cluster: Cluster, reason: str) -> bool:
    return (await cluster.condition("ECSService", "web", "Degraded")).get("reason") != reason
