"""The ECS API under test, the real operator reconciling, boto3 and the AWS CLI as clients: on the local control
plane when it can be had, else on kmock.

``backend`` is where a scenario runs:

- **the local control plane** (``ecs_operator.localcluster``: kube-apiserver, etcd, controller-manager,
  scheduler, kwok nodes; the session's control plane and operator process of ``tests/apiserver``): the ECS API is
  the one the operator process serves (``run --api``, as manifests/ deploys it, under its ServiceAccount's RBAC),
  with access keys in Secrets of ``ecs-system``; each test has two namespaces of its own, one per key.
- **kmock** (``tests/operator/conftest.py``'s emulator) where the control plane's programs cannot be had: the
  operator in a thread, the ECS API served in the test's event loop (strict output: a member its shape lacks is an
  error), ``Autopilot`` playing in the background the controllers kmock lacks (Deployment and ReplicaSet
  controllers, scheduler, kubelet, garbage collector). ``ApiServerEmulator`` adds what the API depends on and
  the harness's emulator lacks: stale resourceVersions refused (409), spec and status written apart.

Scenario tests only call the ECS API (and kubectl, ``backend.kubectl``) and wait, so they run alike on both.
Tests that hold the controllers still (``kmock_backend``) or check what kmock recorded run on kmock only.

boto3 is synchronous: calls run in a thread (``Ecs``), so the servers in this loop keep serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import kmock as kmock_lib
import kopf
import pytest
from botocore.config import Config

from ecs_operator.api.auth import AccessKey, StaticKeys, access_key_secret, new_access_key
from ecs_operator.api.config import ApiConfig
from ecs_operator.api.server import ApiServer, start_api_server
from ecs_operator.k8s.rest import USER_AGENT, KubeClient, login
from ecs_operator.localcluster import binaries
from ecs_operator.localcluster.controlplane import ControlPlane, kind_workers
from ecs_operator.localcluster.operator import OperatorProcess
from tests.api.shapes import assert_fits
from tests.apiserver.conftest import control_plane, installed, operator, programs  # noqa: F401 - the session's
from tests.operator.conftest import (
    NAMESPACE,
    TEST_CONFIG,
    Cluster,
    Emulator,
    declare_resources,
    eventually,
    quiesce,
    running_operator,
)

JsonDict = dict[str, Any]
WAIT = 30.0
CREDENTIALS_NAMESPACE = "ecs-system"
# On kmock: the region and account of the harness's operator, and two fixed keys, one per namespace.
REGION, ACCOUNT = TEST_CONFIG.region, TEST_CONFIG.account_id
MAIN_KEY = AccessKey("ECSOTESTMAINKEY00001", "main-secret-access-key-for-tests", (NAMESPACE,), "ci")
OTHER_KEY = AccessKey("ECSOTESTOTHERKEY0002", "other-secret-access-key-for-tests", ("team-b",), "team-b")


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
    """The nodes of the local control plane (kind-config.yaml's workers and their arm64 twins), Ready, as kwok
    keeps them: the same nodes on either backend."""
    return [
        {**node, "status": {**node["status"], "conditions": [{"type": "Ready", "status": "True"}]}}
        for node in kind_workers()
    ]


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
            # Each generation is observed, as the Deployment controller does: a template changed and changed back
            # while the autopilot was paused is a new generation to report on, not the state it handled before.
            generation = deployment["metadata"].get("generation")
            seen = f"{generation}/{deployment['spec'].get('replicas', 1)}/{template}"
            state = hashlib.sha256(seen.encode()).hexdigest()
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
    value, relation = labels.get(expression["key"]), expression["operator"]
    if relation == "In":
        return value in expression["values"]
    if relation == "NotIn":
        return value not in expression["values"]
    return (value is not None) == (relation == "Exists")


@dataclass
class Backend:
    """Where a scenario runs (see the module docstring)."""

    name: str
    api_url: str  # the ECS API the clients call
    kubectl: KubeClient  # an administrator's view of the same objects, as kubectl has it
    connection: kopf.ConnectionInfo  # the administrator's connection (for an extra in-process API server)
    namespace: str  # the main key's namespace
    other_namespace: str  # the other key's
    main_key: AccessKey
    other_key: AccessKey
    region: str
    account: str
    nodes: list[JsonDict]
    cluster: Cluster | None = None  # kmock only: the harness's helpers
    autopilot: Autopilot | None = None  # kmock only
    server: ApiServer | None = None  # kmock only: the in-process server

    def arn(self, resource: str) -> str:
        return f"arn:aws:ecs:{self.region}:{self.account}:{resource}"


async def settled(check: Callable[[], Any], what: str) -> Any:
    """``check`` until it answers something truthy, for at most WAIT seconds (the operator, the controllers)."""
    return await eventually(check, timeout=WAIT, what=what)


def api_config(**overrides: Any) -> ApiConfig:
    values: dict[str, Any] = {
        "region": REGION,
        "account_id": ACCOUNT,
        "strict_output": True,
        "operator_wait_seconds": WAIT,
        "poll_seconds": 0.05,
    }
    return ApiConfig(**{**values, **overrides})


@contextlib.asynccontextmanager
async def on_kmock() -> AsyncIterator[Backend]:
    """kmock with the CRDs' resources and the control plane's nodes, the operator running, the controllers played,
    and the ECS API served here with two keys: one for the harness's namespace, one for team-b."""
    async with ApiServerEmulator() as kmock, kmock_lib.Server(kmock):
        kmock.keep = lambda request: request.headers.get("User-Agent") == USER_AGENT  # not the autopilot's
        declare_resources(kmock)
        kmock.resources["v1/secrets"] = kmock_lib.ResourceInfo(kind="Secret", namespaced=True, verbs={"list", "create"})
        cluster = Cluster(kmock)
        for node in kind_nodes():
            await cluster.create(node)
        autopilot = Autopilot(cluster)
        connection = kopf.ConnectionInfo(server=str(kmock.url))
        kubectl = KubeClient(connection, field_manager="kubectl", user_agent="kubectl")
        main_key, other_key = MAIN_KEY, OTHER_KEY
        async with running_operator(kmock):
            pilot = asyncio.create_task(autopilot.run())
            server = await start_api_server(connection, config=api_config(), keys=StaticKeys([main_key, other_key]))
            try:
                yield Backend(
                    "kmock", server.url, kubectl, connection, NAMESPACE, "team-b", main_key, other_key,
                    REGION, ACCOUNT, kind_nodes(), cluster, autopilot, server,
                )  # fmt: skip
            finally:
                await server.stop()
                pilot.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pilot
                await kubectl.close()
                await quiesce(kmock)


@contextlib.asynccontextmanager
async def on_control_plane(plane: ControlPlane, process: OperatorProcess) -> AsyncIterator[Backend]:
    """Two namespaces of the test's own, a key for each (Secrets the operator process's API reads)."""
    connection = login(str(plane.kubeconfig))
    kubectl = KubeClient(connection, field_manager="kubectl", user_agent="kubectl")
    suffix = uuid.uuid4().hex[:8]
    namespaces = [f"api-{suffix}", f"api-{suffix}-b"]
    keys = [new_access_key([namespaces[0]], f"ci-{suffix}"), new_access_key([namespaces[1]], f"team-b-{suffix}")]
    for name in namespaces:
        await kubectl.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    for key in keys:
        await kubectl.create(access_key_secret(key, CREDENTIALS_NAMESPACE))
    region = process.environment.get("ECS_OPERATOR_REGION", "us-east-1")
    account = process.environment.get("ECS_OPERATOR_ACCOUNT_ID", "000000000000")
    try:
        yield Backend(
            "control plane", process.api_url, kubectl, connection, namespaces[0], namespaces[1], keys[0], keys[1],
            region, account, await kubectl.list("Node", None),
        )  # fmt: skip
    finally:
        for key in keys:
            await kubectl.delete("Secret", CREDENTIALS_NAMESPACE, key.name)
        for name in namespaces:
            await kubectl.delete("Namespace", None, name)
        await kubectl.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The scenarios that may run on the control plane run last, as tests/apiserver's do: the other tests run
    while its programs are still being built in the background (``make test``)."""
    here = Path(__file__).parent
    late = [
        item
        for item in items
        if Path(str(item.fspath)).parent == here and "backend" in getattr(item, "fixturenames", ())
    ]
    items[:] = [item for item in items if item not in late] + late


@pytest.fixture
def control_plane_or_none(request: pytest.FixtureRequest) -> tuple[ControlPlane, OperatorProcess] | None:
    """The session's control plane and operator process, when the control plane's programs can be had."""
    if binaries.why_unavailable() is not None:
        return None
    return request.getfixturevalue("control_plane"), request.getfixturevalue("operator")


@pytest.fixture
async def backend(control_plane_or_none: tuple[ControlPlane, OperatorProcess] | None) -> AsyncIterator[Backend]:
    """The local control plane when it can be had, else kmock."""
    if control_plane_or_none is None:
        async with on_kmock() as found:
            yield found
    else:
        async with on_control_plane(*control_plane_or_none) as found:
            yield found


@pytest.fixture
async def kmock_backend() -> AsyncIterator[Backend]:
    """kmock, always: for tests that hold the controllers still or read what the emulator recorded."""
    async with on_kmock() as found:
        yield found


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

    async def wait(self, waiter: str, delay: float = 0.25, attempts: int = 240, **kwargs: Any) -> None:
        config = {"Delay": delay, "MaxAttempts": attempts}
        await asyncio.to_thread(self.client.get_waiter(waiter).wait, WaiterConfig=config, **kwargs)

    async def pages(self, operation: str, key: str, **kwargs: Any) -> list[list[Any]]:
        def collect() -> list[list[Any]]:
            return [page[key] for page in self.client.get_paginator(operation).paginate(**kwargs)]

        return await asyncio.to_thread(collect)


def boto3_ecs(url: str, key: AccessKey, region: str = REGION, session_token: str | None = None) -> Any:
    return boto3.client(
        "ecs",
        endpoint_url=url,
        region_name=region,
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


@contextlib.contextmanager
def client_of(backend: Backend, key: AccessKey) -> Iterator[Ecs]:
    client = Ecs(boto3_ecs(backend.api_url, key, backend.region))
    try:
        yield client
    finally:
        client.client.close()
    check_responses(client)


@pytest.fixture
def ecs(backend: Backend) -> Iterator[Ecs]:
    """The main key's client (its namespace: ``backend.namespace``)."""
    with client_of(backend, backend.main_key) as client:
        yield client


@pytest.fixture
def other_ecs(backend: Backend) -> Iterator[Ecs]:
    """The other key's client (``backend.other_namespace`` only)."""
    with client_of(backend, backend.other_key) as client:
        yield client


@pytest.fixture
def kmock_ecs(kmock_backend: Backend) -> Iterator[Ecs]:
    with client_of(kmock_backend, kmock_backend.main_key) as client:
        yield client


@pytest.fixture
def api(kmock_backend: Backend) -> ApiServer:
    """The in-process server (strict output) of kmock_backend, for protocol-level tests."""
    assert kmock_backend.server is not None
    return kmock_backend.server
