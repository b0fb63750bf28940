"""The ECS API served in the test's event loop, the real operator reconciling, boto3 and the AWS CLI as clients.

Backend: kmock (``tests/operator/conftest.py``'s emulator), made stricter here where the API depends on what an
API server does: ``ApiServerEmulator`` assigns uid, creationTimestamp, generation (+1 on each spec change) and a
resourceVersion on every write, refuses a patch whose resourceVersion is stale (409), and keeps status and
spec apart as a status subresource does. ``Autopilot`` plays the controllers kmock lacks, in the background,
the way a cluster runs them: the Deployment controller and kubelet for every Deployment (through the harness's
``Cluster`` helpers), the kubelet for task Pods, and the garbage collector. Scenario tests only call the ECS
API and wait, as they would on a real control plane.

boto3 is synchronous: calls run in a thread (``Ecs``), so the API server and kmock keep serving in this loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib
import json
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import kmock as kmock_lib
import kopf
import pytest
import yaml
from botocore.config import Config

from ecs_operator.api.auth import AccessKey, StaticKeys
from ecs_operator.api.config import ApiConfig
from ecs_operator.api.server import ApiServer, start_api_server
from ecs_operator.k8s.rest import KubeClient
from tests.api.shapes import assert_fits
from tests.operator.conftest import (
    NAMESPACE,
    TEST_CONFIG,
    Cluster,
    Emulator,
    declare_resources,
    quiesce,
    running_operator,
)

JsonDict = dict[str, Any]
ROOT = Path(__file__).resolve().parents[2]
REGION, ACCOUNT = TEST_CONFIG.region, TEST_CONFIG.account_id
OTHER_NAMESPACE = "team-b"
# The main key works in the harness's namespace (where its controller helpers play); the other in team-b only.
MAIN_KEY = AccessKey("ECSOTESTMAINKEY00001", "main-secret-access-key-for-tests", (NAMESPACE,), "ci")
OTHER_KEY = AccessKey("ECSOTESTOTHERKEY0002", "other-secret-access-key-for-tests", (OTHER_NAMESPACE,), "team-b")
WAIT = 15.0


def now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class ApiServerEmulator(Emulator):
    """The harness's emulator (which keeps uid, generation and resourceVersion as the API server does), plus what
    the ECS API depends on besides: a patch naming a resourceVersion that is no longer current is refused (409),
    and a custom resource's spec and status are written apart, as its status subresource makes them."""

    async def _handle(self, request: Any) -> Any:
        if request.resource is not None and isinstance(request.data, dict):
            if request.action == kmock_lib.action.CREATE and _custom(request.data):
                request.data.pop("status", None)
            elif request.action == kmock_lib.action.UPDATE and request.name is not None:
                self._checked(request)
        return await super()._handle(request)

    def _checked(self, request: Any) -> None:
        current = self.current(request)
        if current is None:
            return
        given = (request.data.get("metadata") or {}).get("resourceVersion")
        if given is not None and given != current["metadata"].get("resourceVersion"):
            message = f"the object has been modified; resourceVersion {given} is stale"
            raise kmock_lib.KubernetesError(status=409, reason="Conflict", message=message)
        if request.resource.group == "ecs.compat.dev":
            kept = "status" if request.subresource == "status" else "spec"
            for member in [m for m in ("spec", "status") if m != kept and m in request.data]:
                del request.data[member]


def _custom(data: JsonDict) -> bool:
    return str(data.get("apiVersion", "")).startswith("ecs.compat.dev/")


def kind_nodes() -> list[JsonDict]:
    """The workers of kind-config.yaml as Node objects (what the local control plane's kwok nodes are)."""
    config = yaml.safe_load((ROOT / "kind-config.yaml").read_text())
    workers = [node for node in config["nodes"] if node.get("role") == "worker"]
    nodes = []
    for index, worker in enumerate(workers):
        name = f"ecs-worker{index + 1 if index else ''}"
        labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}
        labels.update(worker.get("labels") or {})
        taints = []
        for patch in worker.get("kubeadmConfigPatches") or []:
            taints += yaml.safe_load(patch)["nodeRegistration"].get("taints") or []
        nodes.append(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": name, "labels": labels},
                "spec": {"taints": taints} if taints else {},
                "status": {
                    "capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"},
                    "allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"},
                    "conditions": [{"type": "Ready", "status": "True"}],
                    "nodeInfo": {"kubeletVersion": "v1.33.0", "containerRuntimeVersion": "kwok"},
                },
            }
        )
    return nodes


class Autopilot:
    """Plays the Kubernetes controllers for kmock in the background (see the module docstring)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.handled: dict[str, str] = {}
        self.paused = False

    async def run(self) -> None:
        while True:
            if not self.paused:
                with contextlib.suppress(AssertionError):  # an object gone between a read and a write
                    await self.step()
            await asyncio.sleep(0.05)

    async def step(self) -> None:
        deployments = {d["metadata"]["name"]: d for d in await self.cluster.list_of("Deployment")}
        pods = await self.cluster.list_of("Pod")
        for name, deployment in deployments.items():
            template = json.dumps(deployment["spec"].get("template"), sort_keys=True)
            state = hashlib.sha256(f"{deployment['spec'].get('replicas', 1)}/{template}".encode()).hexdigest()
            own = [
                pod
                for pod in pods
                if re.fullmatch(rf"{re.escape(name)}-[0-9a-f]{{10}}-[0-9a-z]{{5}}", pod["metadata"]["name"])
            ]
            if self.handled.get(name) != state or len(own) != deployment["spec"].get("replicas", 1):
                await self.cluster.deployment_controller(name)  # the ReplicaSet replaces a deleted Pod
                self.handled[name] = state
        nodes = await self.cluster.list_of("Node")
        for pod in pods:
            labels = pod["metadata"].get("labels") or {}
            if not pod["spec"].get("nodeName"):
                await self.schedule(pod, nodes)
            if "ecs.compat.dev/task" in labels and not (pod.get("status") or {}).get("phase"):
                await self.run_task_pod(pod)
            owner = pod["metadata"]["name"].rsplit("-", 2)[0]
            if "ecs.compat.dev/service" in labels and owner not in deployments:
                await self.cluster.delete("Pod", pod["metadata"]["name"])  # the ReplicaSet went with its Deployment
        await self.cluster.garbage_collector()

    async def schedule(self, pod: JsonDict, nodes: list[JsonDict]) -> None:
        """Play the scheduler: the first node the Pod's node selector, required node affinity and tolerations
        allow (its binding, written as spec.nodeName)."""
        fitting = [node for node in nodes if fits(pod, node)]
        if fitting:
            await self.cluster.patch(
                "Pod", pod["metadata"]["name"], {"spec": {"nodeName": fitting[0]["metadata"]["name"]}}
            )

    async def run_task_pod(self, pod: JsonDict) -> None:
        """Play the kubelet for a task's Pod: its containers run; one whose environment sets KWOK_EXIT_CODE exits
        with that code at once (as the local control plane's kwok stages do)."""
        states, failed = {}, False
        for container in pod["spec"]["containers"]:
            env = {item["name"]: item.get("value") for item in container.get("env") or []}
            if "KWOK_EXIT_CODE" in env:
                code = int(env["KWOK_EXIT_CODE"] or 0)
                states[container["name"]] = {
                    "terminated": {"exitCode": code, "reason": "Error" if code else "Completed"}
                }
                failed = failed or code != 0
            else:
                states[container["name"]] = {"running": {}}
        exited = all("terminated" in state for state in states.values())
        phase = ("Failed" if failed else "Succeeded") if exited else "Running"
        await self.cluster.kubelet(pod["metadata"]["name"], phase, states)


def fits(pod: JsonDict, node: JsonDict) -> bool:
    labels = node["metadata"].get("labels") or {}
    spec = pod["spec"]
    if any(labels.get(key) != value for key, value in (spec.get("nodeSelector") or {}).items()):
        return False
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    if required and not any(
        all(_matches(labels, expression) for expression in term.get("matchExpressions") or [])
        for term in required["nodeSelectorTerms"]
    ):
        return False
    tolerated = {toleration.get("key") for toleration in spec.get("tolerations") or []}
    return all(taint["key"] in tolerated for taint in (node.get("spec") or {}).get("taints") or [])


def _matches(labels: dict[str, str], expression: JsonDict) -> bool:
    value, operator = labels.get(expression["key"]), expression["operator"]
    if operator == "In":
        return value in expression["values"]
    if operator == "NotIn":
        return value not in expression["values"]
    return (value is not None) == (operator == "Exists")


@dataclass
class Backend:
    """Where the API and the operator run: a Kubernetes API (kmock here), and kubectl-like access to it."""

    name: str
    connection: kopf.ConnectionInfo
    kubectl: KubeClient  # what a user sees with kubectl: the same objects, read and written directly
    cluster: Cluster | None = None  # kmock only: the harness's helpers
    autopilot: Autopilot | None = None


@pytest.fixture
def kmock_options(kmock_options: dict[str, Any]) -> dict[str, Any]:
    return {**kmock_options, "cls": ApiServerEmulator}


@pytest.fixture
async def backend(kmock: kmock_lib.KubernetesEmulator) -> AsyncIterator[Backend]:
    """kmock with the CRDs' resources, kind-config's nodes, the operator running and the controllers played."""
    declare_resources(kmock)
    kmock.resources["v1/secrets"] = kmock_lib.ResourceInfo(kind="Secret", namespaced=True, verbs={"list", "create"})
    cluster = Cluster(kmock)
    for node in kind_nodes():
        await cluster.create(node)
    autopilot = Autopilot(cluster)
    connection = kopf.ConnectionInfo(server=str(kmock.url))
    kubectl = KubeClient(connection, field_manager="kubectl", user_agent="kubectl")
    async with running_operator(kmock):
        pilot = asyncio.create_task(autopilot.run())
        try:
            yield Backend("kmock", connection, kubectl, cluster, autopilot)
        finally:
            pilot.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pilot
            await kubectl.close()
            await quiesce(kmock)


def api_config(**overrides: Any) -> ApiConfig:
    values: dict[str, Any] = {
        "region": REGION,
        "account_id": ACCOUNT,
        "strict_output": True,
        "operator_wait_seconds": WAIT,
        "poll_seconds": 0.05,
    }
    return ApiConfig(**{**values, **overrides})


@pytest.fixture
async def api(backend: Backend) -> AsyncIterator[ApiServer]:
    server = await start_api_server(backend.connection, config=api_config(), keys=StaticKeys([MAIN_KEY, OTHER_KEY]))
    try:
        yield server
    finally:
        await server.stop()


@dataclass
class Ecs:
    """A boto3 ECS client whose calls run in a thread; ``raw`` keeps each response's JSON as it came."""

    client: Any
    raw: list[tuple[str, JsonDict]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.client.meta.events.register("after-call.ecs", self._record)

    def _record(self, http_response: Any, model: Any, **_: Any) -> None:
        with self.lock:
            self.raw.append((model.name, json.loads(http_response.content or b"{}")))

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.client, name)

        async def call(**kwargs: Any) -> Any:
            return await asyncio.to_thread(method, **kwargs)

        return call

    async def wait(self, waiter: str, delay: float = 0.2, attempts: int = 100, **kwargs: Any) -> None:
        config = {"Delay": delay, "MaxAttempts": attempts}
        await asyncio.to_thread(self.client.get_waiter(waiter).wait, WaiterConfig=config, **kwargs)

    async def pages(self, operation: str, key: str, **kwargs: Any) -> list[list[Any]]:
        def collect() -> list[list[Any]]:
            return [page[key] for page in self.client.get_paginator(operation).paginate(**kwargs)]

        return await asyncio.to_thread(collect)


def boto3_ecs(server: ApiServer, key: AccessKey = MAIN_KEY, session_token: str | None = None) -> Any:
    return boto3.client(
        "ecs",
        endpoint_url=server.url,
        region_name=REGION,
        aws_access_key_id=key.access_key_id,
        aws_secret_access_key=key.secret_access_key,
        aws_session_token=session_token,
        config=Config(retries={"max_attempts": 1}),
    )


def check_responses(client: Ecs) -> None:
    """Every answer the client received fits: results their operation's output shape, errors ECS's error body."""
    for operation, raw in client.raw:
        if "__type" in raw:
            assert set(raw) <= {"__type", "message", "resourceIds"}, raw
        else:
            assert_fits(operation, raw)


@pytest.fixture
def ecs(api: ApiServer) -> Iterator[Ecs]:
    client = Ecs(boto3_ecs(api))
    yield client
    client.client.close()
    check_responses(client)


@pytest.fixture
def other_ecs(api: ApiServer) -> Iterator[Ecs]:
    """A client with the key of another namespace (team-b)."""
    client = Ecs(boto3_ecs(api, OTHER_KEY))
    yield client
    client.client.close()
    check_responses(client)
