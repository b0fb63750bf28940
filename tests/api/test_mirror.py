"""k8s/mirror.py: objects kept by a watch, read without a request; a failing watch falls back to listing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import kmock as kmock_lib
import kopf
import pytest

from ecs_operator.k8s.mirror import Mirrors
from ecs_operator.k8s.rest import KubeClient
from tests.api.conftest import ApiServerEmulator, settled
from tests.operator.conftest import Cluster, declare_resources

SELECTOR = {"ecs.compat.dev/cluster": None}


def pod(name: str, cluster: str | None = "prod") -> dict[str, Any]:
    labels = {"ecs.compat.dev/cluster": cluster} if cluster else {}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": labels},
        "spec": {"containers": [{"name": "app", "image": "nginx"}]},
    }


@pytest.fixture
async def emulated() -> AsyncIterator[tuple[ApiServerEmulator, Cluster, Mirrors]]:
    async with ApiServerEmulator() as kmock, kmock_lib.Server(kmock):
        declare_resources(kmock)
        client = KubeClient(kopf.ConnectionInfo(server=str(kmock.url)))
        mirrors = Mirrors(client)
        try:
            yield kmock, Cluster(kmock), mirrors
        finally:
            await mirrors.close()
            await client.close()


def lists_of_pods(kmock: ApiServerEmulator) -> int:
    return sum(1 for r in list(kmock) if r.resource and r.resource.plural == "pods" and r.action.name == "LIST")


async def test_objects_come_and_go_by_the_watch_without_listing_again(
    emulated: tuple[ApiServerEmulator, Cluster, Mirrors],
) -> None:
    kmock, cluster, mirrors = emulated
    await cluster.create(pod("a"))
    await cluster.create(pod("other", cluster=None))  # not selected
    assert [p["metadata"]["name"] for p in await mirrors.read("Pod", "default", SELECTOR)] == ["a"]
    listed = lists_of_pods(kmock)
    await cluster.create(pod("b", cluster="dev"))

    async def names() -> list[str] | None:
        found = sorted(p["metadata"]["name"] for p in await mirrors.read("Pod", "default", SELECTOR))
        return found if found == ["a", "b"] else None

    await settled(names, "the watch to bring b")
    assert [
        p["metadata"]["name"] for p in await mirrors.read("Pod", "default", SELECTOR, {"ecs.compat.dev/cluster": "dev"})
    ] == ["b"]
    await cluster.delete("Pod", "a")

    async def gone() -> bool:
        return [p["metadata"]["name"] for p in await mirrors.read("Pod", "default", SELECTOR)] == ["b"]

    await settled(gone, "the watch to take a away")
    assert lists_of_pods(kmock) == listed  # every change came by the watch


async def test_a_failing_watch_falls_back_to_listing(emulated: tuple[ApiServerEmulator, Cluster, Mirrors]) -> None:
    kmock, cluster, mirrors = emulated

    def refuse_watches(request: Any) -> kmock_lib.KubernetesError | None:
        if request.action == kmock_lib.action.WATCH:
            return kmock_lib.KubernetesError(status=500, reason="InternalError", message="no watching today")
        return None

    cluster.reject(refuse_watches)
    await cluster.create(pod("a"))
    assert [p["metadata"]["name"] for p in await mirrors.read("Pod", "default", SELECTOR)] == ["a"]
    await cluster.create(pod("b"))

    async def both() -> bool:  # listed afresh each time, since the watch does not work
        return len(await mirrors.read("Pod", "default", SELECTOR)) == 2

    await settled(both, "b, by a list")
    assert lists_of_pods(kmock) >= 2


async def test_an_idle_mirror_stops_watching(emulated: tuple[ApiServerEmulator, Cluster, Mirrors]) -> None:
    _, cluster, mirrors = emulated
    await cluster.create(pod("a"))
    await mirrors.read("Pod", "default", SELECTOR)
    [mirror] = mirrors.mirrors.values()
    assert mirror.task is not None and not mirror.task.done()
    mirrors.idle_seconds = 0.0
    await mirrors.read("Node", None, {})
    assert mirror.task.done() and len(mirrors.mirrors) == 1  # only the node mirror is left
