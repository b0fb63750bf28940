"""Clusters through the ECS API: ECSCluster resources, the same objects kubectl sees, counted by the operator."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import Backend, Ecs, settled


def code_of(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


async def test_the_seeds_create_cluster_makes_an_ecscluster_the_operator_counts(ecs: Ecs, backend: Backend) -> None:
    created = (await ecs.create_cluster(clusterName="raghav_clust_cli"))["cluster"]
    assert created["clusterArn"] == backend.arn("cluster/raghav_clust_cli")
    assert (created["clusterName"], created["status"]) == ("raghav_clust_cli", "ACTIVE")
    resources = await backend.kubectl.list("ECSCluster", backend.namespace)
    assert [r["spec"] for r in resources] == [{"clusterName": "raghav_clust_cli"}]
    assert resources[0]["metadata"]["name"].startswith("raghav-clust-cli-")  # a Kubernetes name for an ECS name

    async def counted() -> dict[str, Any] | None:
        cluster = (await ecs.describe_clusters(clusters=["raghav_clust_cli"]))["clusters"][0]
        return cluster if cluster["registeredContainerInstancesCount"] == len(backend.nodes) else None

    cluster = await settled(counted, "the operator's node count")
    assert (cluster["runningTasksCount"], cluster["pendingTasksCount"], cluster["activeServicesCount"]) == (0, 0, 0)


async def test_a_cluster_applied_with_kubectl_is_listed_and_described(ecs: Ecs, backend: Backend) -> None:
    await backend.kubectl.create(
        {
            "apiVersion": "ecs.compat.dev/v1alpha1",
            "kind": "ECSCluster",
            "metadata": {"name": "prod", "namespace": backend.namespace},
            "spec": {"tags": [{"key": "team", "value": "web"}], "capacityProviders": ["FARGATE"]},
        }
    )
    assert (await ecs.list_clusters())["clusterArns"] == [backend.arn("cluster/prod")]
    described = await ecs.describe_clusters(clusters=[backend.arn("cluster/prod"), "nope"], include=["TAGS"])
    cluster = described["clusters"][0]
    assert (cluster["clusterName"], cluster["tags"], cluster["capacityProviders"]) == (
        "prod",
        [{"key": "team", "value": "web"}],
        ["FARGATE"],
    )
    assert described["failures"] == [{"arn": backend.arn("cluster/nope"), "reason": "MISSING"}]


async def test_creating_an_existing_cluster_returns_it(ecs: Ecs, backend: Backend) -> None:
    first = (await ecs.create_cluster(clusterName="prod", tags=[{"key": "a", "value": "1"}]))["cluster"]
    again = (await ecs.create_cluster(clusterName="prod"))["cluster"]
    assert again["clusterArn"] == first["clusterArn"]
    assert again["tags"] == [{"key": "a", "value": "1"}]
    assert len(await backend.kubectl.list("ECSCluster", backend.namespace)) == 1


async def test_describe_includes_settings_and_configuration_when_asked(ecs: Ecs) -> None:
    await ecs.create_cluster(
        clusterName="prod",
        settings=[{"name": "containerInsights", "value": "enabled"}],
        configuration={"executeCommandConfiguration": {"logging": "DEFAULT"}},
    )
    plain = (await ecs.describe_clusters(clusters=["prod"]))["clusters"][0]
    assert "settings" not in plain and "configuration" not in plain and "tags" not in plain
    full = await ecs.describe_clusters(clusters=["prod"], include=["SETTINGS", "CONFIGURATIONS", "STATISTICS"])
    cluster = full["clusters"][0]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert cluster["configuration"] == {"executeCommandConfiguration": {"logging": "DEFAULT"}}
    assert cluster["statistics"] == []


async def test_list_clusters_pages(ecs: Ecs, backend: Backend) -> None:
    names = [f"c{i}" for i in range(5)]
    for name in names:
        await ecs.create_cluster(clusterName=name)
    pages = await ecs.pages("list_clusters", "clusterArns", PaginationConfig={"PageSize": 2})
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [arn for p in pages for arn in p] == [backend.arn(f"cluster/{name}") for name in names]


async def test_update_cluster_settings_and_capacity_providers(ecs: Ecs, backend: Backend) -> None:
    await ecs.create_cluster(clusterName="prod")
    updated = await ecs.update_cluster_settings(
        cluster="prod", settings=[{"name": "containerInsights", "value": "enhanced"}]
    )
    assert updated["cluster"]["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    strategy = [
        {"capacityProvider": "FARGATE_SPOT", "weight": 3},
        {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
    ]
    put = await ecs.put_cluster_capacity_providers(
        cluster="prod", capacityProviders=["FARGATE", "FARGATE_SPOT"], defaultCapacityProviderStrategy=strategy
    )
    assert put["cluster"]["defaultCapacityProviderStrategy"] == strategy
    spec = (await backend.kubectl.list("ECSCluster", backend.namespace))[0]["spec"]
    assert spec["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert spec["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    with pytest.raises(ClientError) as refused:
        await ecs.put_cluster_capacity_providers(
            cluster="prod", capacityProviders=["FARGATE"], defaultCapacityProviderStrategy=strategy
        )
    assert code_of(refused) == "InvalidParameterException"
    assert "defaultCapacityProviderStrategy[0].capacityProvider" in refused.value.response["Error"]["Message"]
    assert (await backend.kubectl.list("ECSCluster", backend.namespace))[0]["spec"] == spec  # nothing written


async def test_delete_cluster_is_refused_while_it_has_services_then_deletes_it(ecs: Ecs, backend: Backend) -> None:
    await ecs.create_cluster(clusterName="prod")
    service = {
        "apiVersion": "ecs.compat.dev/v1alpha1",
        "kind": "ECSService",
        "metadata": {"name": "web", "namespace": backend.namespace},
        "spec": {"cluster": "prod", "taskDefinition": "web", "desiredCount": 0},
    }
    await backend.kubectl.create(service)
    with pytest.raises(ClientError) as refused:
        await ecs.delete_cluster(cluster="prod")
    assert code_of(refused) == "ClusterContainsServicesException"
    await backend.kubectl.delete("ECSService", backend.namespace, "web")
    await settled(lambda: _gone(backend, "ECSService", "web"), what="the service to go")
    deleted = (await ecs.delete_cluster(cluster="prod"))["cluster"]
    assert deleted["status"] == "INACTIVE"
    await settled(lambda: _gone(backend, "ECSCluster", "prod"), what="the operator to release the cluster")
    with pytest.raises(ClientError) as missing:
        await ecs.delete_cluster(cluster="prod")
    assert code_of(missing) == "ClusterNotFoundException"


async def _gone(backend: Backend, kind: str, name: str) -> bool:
    return await backend.kubectl.get(kind, backend.namespace, name) is None


async def test_a_key_cannot_reach_a_namespace_it_was_not_given(ecs: Ecs, other_ecs: Ecs, backend: Backend) -> None:
    await ecs.create_cluster(clusterName="prod", tags=[{"key": "owner", "value": "default"}])
    assert (await other_ecs.list_clusters())["clusterArns"] == []
    described = await other_ecs.describe_clusters(clusters=["prod"])
    assert described == {
        **described,
        "clusters": [],
        "failures": [{"arn": backend.arn("cluster/prod"), "reason": "MISSING"}],
    }
    for call, kwargs in (
        (other_ecs.delete_cluster, {"cluster": "prod"}),
        (
            other_ecs.update_cluster_settings,
            {"cluster": "prod", "settings": [{"name": "containerInsights", "value": "enabled"}]},
        ),
        (
            other_ecs.put_cluster_capacity_providers,
            {"cluster": backend.arn("cluster/prod"), "capacityProviders": [], "defaultCapacityProviderStrategy": []},
        ),
    ):
        with pytest.raises(ClientError) as refused:
            await call(**kwargs)
        assert code_of(refused) == "ClusterNotFoundException"
    # The other key's "prod" is its own, in its own namespace; the first is untouched.
    await other_ecs.create_cluster(clusterName="prod")
    mine = await backend.kubectl.list("ECSCluster", backend.namespace)
    theirs = await backend.kubectl.list("ECSCluster", backend.other_namespace)
    assert [r["spec"] for r in mine] == [{"clusterName": "prod", "tags": [{"key": "owner", "value": "default"}]}]
    assert [r["spec"] for r in theirs] == [{"clusterName": "prod"}]


async def test_an_arn_of_another_account_is_access_denied(ecs: Ecs, backend: Backend) -> None:
    with pytest.raises(ClientError) as refused:
        await ecs.describe_clusters(clusters=[f"arn:aws:ecs:{backend.region}:999999999999:cluster/prod"])
    assert code_of(refused) == "AccessDeniedException"
