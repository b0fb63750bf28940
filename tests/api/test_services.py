"""Services through the ECS API: ECSService resources the operator rolls out; DescribeServices from its status."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, WaiterError

from tests.api.conftest import Backend, Ecs
from tests.api.workloads import networking, task_definition


def code_of(caught: pytest.ExceptionInfo[ClientError]) -> str:
    return str(caught.value.response["Error"]["Code"])


async def web(ecs: Ecs, desired: int = 2, **extra: Any) -> dict[str, Any]:
    await ecs.create_cluster(clusterName="prod")
    await ecs.register_task_definition(**task_definition())
    created = await ecs.create_service(
        cluster="prod", serviceName="web", taskDefinition="web", desiredCount=desired, launchType="FARGATE", **extra
    )
    return dict(created["service"])


async def described(ecs: Ecs, name: str = "web", cluster: str = "prod") -> dict[str, Any]:
    return dict((await ecs.describe_services(cluster=cluster, services=[name], include=["TAGS"]))["services"][0])


async def test_create_service_rolls_out_and_the_waiter_sees_it_stable(ecs: Ecs, backend: Backend) -> None:
    service = await web(ecs, tags=[{"key": "team", "value": "web"}])
    assert service["serviceArn"] == backend.arn("service/prod/web")
    assert service["clusterArn"] == backend.arn("cluster/prod")
    assert service["taskDefinition"] == backend.arn("task-definition/web:1")
    assert (service["status"], service["desiredCount"], service["launchType"]) == ("ACTIVE", 2, "FARGATE")
    assert service["createdBy"] == f"arn:aws:iam::{backend.account}:user/{backend.main_key.name}"
    assert service["tags"] == [{"key": "team", "value": "web"}]
    resource = await backend.kubectl.get("ECSService", backend.namespace, "web")
    assert resource is not None
    assert resource["spec"]["taskDefinition"] == "web:1"  # the family, pinned to the revision it named
    assert resource["spec"]["cluster"] == "prod"
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    stable = await described(ecs)
    assert (stable["runningCount"], stable["pendingCount"], stable["desiredCount"]) == (2, 0, 2)
    [primary] = stable["deployments"]
    assert (primary["status"], primary["rolloutState"], primary["taskDefinition"]) == (
        "PRIMARY",
        "COMPLETED",
        backend.arn("task-definition/web:1"),
    )
    assert primary["id"].startswith("ecs-svc/")
    assert any("has reached a steady state" in event["message"] for event in stable["events"])
    deployment = await backend.kubectl.get("Deployment", backend.namespace, "web")
    assert deployment is not None and deployment["spec"]["replicas"] == 2


async def test_update_service_scales_and_rolls_out_a_new_revision(ecs: Ecs, backend: Backend) -> None:
    await web(ecs)
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    scaled = (await ecs.update_service(cluster="prod", service="web", desiredCount=3))["service"]
    assert scaled["desiredCount"] == 3
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    assert (await described(ecs))["runningCount"] == 3
    await ecs.register_task_definition(**task_definition(image="nginx:1.28"))
    await ecs.update_service(cluster="prod", service="web", taskDefinition="web")
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    service = await described(ecs)
    assert service["taskDefinition"] == backend.arn("task-definition/web:2")
    assert [d["taskDefinition"] for d in service["deployments"]] == [backend.arn("task-definition/web:2")]
    deployment = await backend.kubectl.get("Deployment", backend.namespace, "web")
    assert deployment is not None
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"


async def test_force_new_deployment_replaces_every_task_and_the_waiter_waits_for_it(ecs: Ecs, backend: Backend) -> None:
    await web(ecs)
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    before = set(await task_ids(ecs))
    assert len(before) == 2
    await ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)
    resource = await backend.kubectl.get("ECSService", backend.namespace, "web")
    assert resource is not None
    forced = resource["spec"]["forceNewDeployment"]  # the operator's declarative --force-new-deployment
    deployment = await backend.kubectl.get("Deployment", backend.namespace, "web")
    assert deployment is not None
    assert deployment["spec"]["template"]["metadata"]["annotations"]["ecs.compat.dev/force-new-deployment"] == forced
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    after = set(await task_ids(ecs))
    assert len(after) == 2 and not after & before
    assert len((await described(ecs))["deployments"]) == 1


async def test_a_forced_deployment_under_way_is_a_new_primary_beside_the_previous_one(
    kmock_ecs: Ecs, kmock_backend: Backend
) -> None:
    """kmock: the controllers held still, so the replacement stays under way while it is described."""
    ecs, backend = kmock_ecs, kmock_backend
    assert backend.autopilot is not None
    await web(ecs)
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    backend.autopilot.paused = True
    updated = (await ecs.update_service(cluster="prod", service="web", forceNewDeployment=True))["service"]
    new, old = updated["deployments"]
    assert (new["status"], new["rolloutState"], old["status"]) == ("PRIMARY", "IN_PROGRESS", "ACTIVE")
    assert new["taskDefinition"] == old["taskDefinition"] == backend.arn("task-definition/web:1")
    assert new["id"] != old["id"]
    with pytest.raises(WaiterError, match="Max attempts exceeded"):
        await ecs.wait("services_stable", cluster="prod", services=["web"], attempts=3)
    backend.autopilot.paused = False
    await ecs.wait("services_stable", cluster="prod", services=["web"])


async def task_ids(ecs: Ecs) -> list[str]:
    return [arn.rsplit("/", 1)[1] for arn in (await ecs.list_tasks(cluster="prod", serviceName="web"))["taskArns"]]


async def test_delete_service_is_refused_while_scaled_then_the_inactive_waiter_sees_it_go(
    ecs: Ecs, backend: Backend
) -> None:
    await web(ecs)
    with pytest.raises(ClientError) as refused:
        await ecs.delete_service(cluster="prod", service="web")
    assert code_of(refused) == "InvalidParameterException"
    await ecs.update_service(cluster="prod", service="web", desiredCount=0)
    deleted = (await ecs.delete_service(cluster="prod", service="web"))["service"]
    assert deleted["status"] == "DRAINING"
    await ecs.wait("services_inactive", cluster="prod", services=["web"])
    inactive = await described(ecs)
    assert (inactive["status"], inactive["serviceArn"]) == ("INACTIVE", backend.arn("service/prod/web"))
    assert await backend.kubectl.get("ECSService", backend.namespace, "web") is None
    assert (await ecs.list_services(cluster="prod"))["serviceArns"] == []
    # A new service of the same name is a new service.
    await ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=1)
    assert (await described(ecs))["status"] == "ACTIVE"


async def test_force_deletes_a_scaled_service(ecs: Ecs) -> None:
    await web(ecs)
    assert (await ecs.delete_service(cluster="prod", service="web", force=True))["service"]["status"] == "DRAINING"


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        ({"cluster": "nope", "serviceName": "x", "taskDefinition": "web"}, "ClusterNotFoundException"),
        ({"cluster": "prod", "serviceName": "x", "taskDefinition": "nope"}, "ClientException"),
        ({"cluster": "prod", "serviceName": "web", "taskDefinition": "web"}, "InvalidParameterException"),
        (
            {
                "cluster": "prod",
                "serviceName": "x",
                "taskDefinition": "web",
                "networkConfiguration": networking("sg-0123456789abcdef0"),
            },
            "InvalidParameterException",
        ),
        (
            {"cluster": "prod", "serviceName": "x", "taskDefinition": "web", "placementStrategy": [{"type": "spread"}]},
            "InvalidParameterException",
        ),
    ],
)
async def test_create_service_errors(ecs: Ecs, backend: Backend, request_: dict[str, Any], code: str) -> None:
    await web(ecs)
    with pytest.raises(ClientError) as refused:
        await ecs.create_service(**request_)
    assert code_of(refused) == code
    assert [s["metadata"]["name"] for s in await backend.kubectl.list("ECSService", backend.namespace)] == ["web"]


async def test_update_and_describe_errors(ecs: Ecs, backend: Backend) -> None:
    await web(ecs, desired=0)
    with pytest.raises(ClientError) as missing:
        await ecs.update_service(cluster="prod", service="nope", desiredCount=1)
    assert code_of(missing) == "ServiceNotFoundException"
    answer = await ecs.describe_services(cluster="prod", services=["nope"])
    assert answer["failures"] == [{"arn": backend.arn("service/prod/nope"), "reason": "MISSING"}]
    with pytest.raises(ClientError) as no_cluster:
        await ecs.describe_services(cluster="nope", services=["web"])
    assert code_of(no_cluster) == "ClusterNotFoundException"
    # Another controller's finalizer keeps the deleted service DRAINING: it takes no updates.
    await backend.kubectl.patch(
        "ECSService", backend.namespace, "web", {"metadata": {"finalizers": ["example.com/hold"]}}
    )
    await ecs.delete_service(cluster="prod", service="web")
    with pytest.raises(ClientError) as draining:
        await ecs.update_service(cluster="prod", service="web", desiredCount=1)
    assert code_of(draining) == "ServiceNotActiveException"
    with pytest.raises(WaiterError, match="DRAINING"):  # the waiter's failure state
        await ecs.wait("services_stable", cluster="prod", services=["web"], attempts=3)
    current = await backend.kubectl.get("ECSService", backend.namespace, "web")
    assert current is not None
    finalizers = [f for f in current["metadata"].get("finalizers") or [] if f != "example.com/hold"]
    await backend.kubectl.patch("ECSService", backend.namespace, "web", {"metadata": {"finalizers": finalizers}})


async def test_list_services_pages_and_filters(ecs: Ecs, backend: Backend) -> None:
    await web(ecs, desired=0)
    for name in ("api", "worker"):
        await ecs.create_service(cluster="prod", serviceName=name, taskDefinition="web", desiredCount=0)
    pages = await ecs.pages("list_services", "serviceArns", cluster="prod", PaginationConfig={"PageSize": 2})
    assert pages == [
        [backend.arn("service/prod/api"), backend.arn("service/prod/web")],
        [backend.arn("service/prod/worker")],
    ]
    fargate = await ecs.list_services(cluster="prod", launchType="FARGATE")
    assert fargate["serviceArns"] == [backend.arn("service/prod/web")]
    assert (await ecs.list_services(cluster="prod", schedulingStrategy="DAEMON"))["serviceArns"] == []


async def test_a_service_applied_with_kubectl_is_described_and_updated_through_the_api(
    ecs: Ecs, backend: Backend
) -> None:
    await ecs.register_task_definition(**task_definition())
    await backend.kubectl.create(
        {
            "apiVersion": "ecs.compat.dev/v1alpha1",
            "kind": "ECSService",
            "metadata": {"name": "from-git", "namespace": backend.namespace},
            "spec": {"taskDefinition": "web:1", "desiredCount": 1},
        }
    )
    await ecs.wait("services_stable", cluster="default", services=["from-git"])
    service = await described(ecs, "from-git", "default")
    assert (service["serviceArn"], service["runningCount"]) == (backend.arn("service/default/from-git"), 1)
    await ecs.update_service(service="from-git", desiredCount=2)
    resource = await backend.kubectl.get("ECSService", backend.namespace, "from-git")
    assert resource is not None and resource["spec"] == {"taskDefinition": "web:1", "desiredCount": 2}
