"""The real operator (Kopf, in this test's event loop) against kmock's Kubernetes API emulator over HTTP.

kmock is a database over HTTP: it stores, lists, watches, merges patches and honours finalizers, and nothing
more. What Kubernetes' own components would do is done here, openly, by the ``Cluster`` helpers:

- the API server's bookkeeping: a uid and metadata.generation on create, generation + 1 on a spec change;
- the Deployment / DaemonSet controllers: writing ``status`` (replicas, readiness, the Progressing condition),
  and, as their ReplicaSet / DaemonSet pod management, the Pods of the current template;
- the kubelet: writing Pod ``status`` (phase, container states and exit codes);
- the garbage collector: deleting the children of a deleted owner.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime
import hashlib
import json
import re
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import kmock as kmock_lib
import kopf
import pytest

from ecs_operator.handlers.common import OperatorConfig, Runtime
from ecs_operator.handlers.main import build_registry, configure
from ecs_operator.k8s.client import KINDS
from ecs_operator.models.status import STATUS_MODELS
from ecs_operator.sandbox.emulated import forget, stored  # the sandbox's emulator and this harness alike
from ecs_operator.translate.context import MANAGED_BY
from tests.k8s_schema import validate_object
from tests.operator import apiserver

JsonDict = dict[str, Any]
T = TypeVar("T")
NAMESPACE = "default"
# kmock answers 404 to a server-side apply of an object that does not exist yet (a real API server creates it).
TEST_CONFIG = OperatorConfig(
    region="eu-west-1",
    account_id="123456789012",
    resync_seconds=1.0,
    retry_seconds=0.5,
    max_backoff_seconds=2.0,
    refresh_seconds=0.2,
    batch_seconds=0.2,
    create_on_apply_404=True,
)

CUSTOM = {
    "ECSCluster": ("ecsclusters", "ecsc"),
    "TaskDefinition": ("taskdefinitions", "td"),
    "ECSService": ("ecsservices", "ecssvc"),
    "ECSTask": ("ecstasks", "ecst"),
    "SecurityGroup": ("securitygroups", "sg"),
}
BUILTIN_VERBS = {"get", "list", "watch", "create", "patch", "delete"}


def declare_resources(kmock: kmock_lib.KubernetesEmulator) -> None:
    """What API discovery shows: the CRDs' resources with a status subresource, and the built-in kinds."""
    kmock.resources["apiextensions.k8s.io/v1/customresourcedefinitions"] = kmock_lib.ResourceInfo(
        kind="CustomResourceDefinition", namespaced=False, verbs={"list", "watch", "get"}
    )
    kmock.resources["v1/events"] = kmock_lib.ResourceInfo(kind="Event", namespaced=True, verbs={"create", "list"})
    kmock.resources["v1/namespaces"] = kmock_lib.ResourceInfo(
        kind="Namespace", namespaced=False, verbs={"list", "watch"}
    )
    for kind, (plural, short) in CUSTOM.items():
        kmock.resources[f"ecs.compat.dev/v1alpha1/{plural}"] = kmock_lib.ResourceInfo(
            kind=kind,
            namespaced=True,
            verbs=BUILTIN_VERBS,
            subresources={"status"},
            shortnames={short},
            categories={"ecs"},
        )
    for kind, where in KINDS.items():
        if kind not in CUSTOM:
            kmock.resources[f"{where.api_version}/{where.plural}"] = kmock_lib.ResourceInfo(
                kind=kind, namespaced=where.namespaced, verbs=BUILTIN_VERBS, subresources={"status"}
            )


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 8.0, what: str = "") -> T:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.05)


class Cluster:
    """Talks to kmock over HTTP as kubectl would, and plays the Kubernetes controllers that kmock lacks."""

    def __init__(self, kmock: kmock_lib.KubernetesEmulator) -> None:
        self.kmock = kmock

    @staticmethod
    def url(
        kind: str, name: str | None = None, subresource: str | None = None, namespace: str | None = NAMESPACE
    ) -> str:
        where = KINDS[kind]
        return where.url(namespace if where.namespaced else None, name, subresource)

    async def get(self, kind: str, name: str, namespace: str = NAMESPACE) -> JsonDict | None:
        async with self.kmock.get(self.url(kind, name, namespace=namespace)) as response:
            if response.status == 404:
                return None
            assert response.status == 200, await response.text()
            result: JsonDict = await response.json()
            return result

    async def list_of(self, kind: str, namespace: str = NAMESPACE) -> list[JsonDict]:
        async with self.kmock.get(self.url(kind, namespace=namespace)) as response:
            assert response.status == 200, await response.text()
            items: list[JsonDict] = (await response.json())["items"]
            return items

    async def create(self, obj: JsonDict) -> JsonDict:
        """POST like kubectl create; as the API server would, assign a uid, generation 1 and a creation time."""
        where = KINDS[obj["kind"]]
        meta = obj.setdefault("metadata", {})
        if where.namespaced:
            meta.setdefault("namespace", NAMESPACE)
        meta.setdefault("uid", str(uuid.uuid4()))
        meta.setdefault("generation", 1)
        meta.setdefault("creationTimestamp", now())
        async with self.kmock.post(where.url(meta.get("namespace")), json=obj) as response:
            assert response.status in (200, 201), await response.text()
            created: JsonDict = await response.json()
            return created

    async def patch(self, kind: str, name: str, patch: JsonDict, subresource: str | None = None) -> JsonDict:
        async with self.kmock.patch(self.url(kind, name, subresource), json=patch) as response:
            assert response.status == 200, await response.text()
            result: JsonDict = await response.json()
            return result

    async def update_spec(self, kind: str, name: str, spec: JsonDict) -> None:
        """kubectl apply of a changed spec: as the API server would, bump metadata.generation."""
        current = await self.get(kind, name)
        assert current is not None
        generation = current["metadata"].get("generation", 1) + 1
        await self.patch(kind, name, {"spec": spec, "metadata": {"generation": generation}})

    async def delete(self, kind: str, name: str) -> None:
        async with self.kmock.delete(self.url(kind, name)) as response:
            assert response.status == 200, await response.text()

    async def status(self, kind: str, name: str) -> JsonDict:
        """The object's status, checked against the status contract (the CRD's status schema)."""
        obj = await self.get(kind, name)
        status: JsonDict = (obj or {}).get("status") or {}
        STATUS_MODELS[kind].model_validate(status)
        return status

    async def status_where(self, kind: str, name: str, check: Callable[[JsonDict], Any], what: str) -> JsonDict:
        """Wait for a status that satisfies ``check``. A status that lacks what ``check`` reads (an earlier
        reconcile's, say one that had not seen the task definition yet) is not the one waited for."""

        async def found() -> JsonDict | None:
            status = await self.status(kind, name)
            try:
                return status if status and check(status) else None
            except (KeyError, IndexError):
                return None

        return await eventually(found, what=what)

    async def condition(self, kind: str, name: str, type_: str = "Ready") -> JsonDict:
        conditions = (await self.status(kind, name)).get("conditions") or []
        return next((c for c in conditions if c["type"] == type_), {})

    # --- Kubernetes components that kmock does not have ---------------------------------------------------

    async def deployment_controller(
        self, name: str, *, ready: int | None = None, deadline_exceeded: bool = False
    ) -> None:
        """Play the Deployment controller: Pods of the current template (``ready`` of them Running), then report
        the rollout."""
        deployment = await self.get("Deployment", name)
        assert deployment is not None, f"no Deployment {name}"
        replicas = deployment["spec"].get("replicas", 1)
        ready = replicas if ready is None else ready
        await self.replicaset_controller(deployment, replicas, ready)
        progressing = (
            {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "timed out"}
            if deadline_exceeded
            else {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "ok"}
        )
        # The controller stamps each report; without generations, that is how a report is known to be current.
        progressing["lastUpdateTime"] = progressing["lastTransitionTime"] = precise_now()
        status = {
            "replicas": replicas,
            "updatedReplicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "unavailableReplicas": replicas - ready,
            "conditions": [progressing],
        }
        generation = deployment["metadata"].get("generation")
        if generation is not None:
            status["observedGeneration"] = generation
        await self.patch("Deployment", name, {"status": status}, subresource="status")

    async def daemonset_controller(self, name: str, *, nodes: int, ready: int) -> None:
        """Play the DaemonSet controller: one pod per node, ``ready`` of them ready."""
        daemonset = await self.get("DaemonSet", name)
        assert daemonset is not None, f"no DaemonSet {name}"
        await self.replicaset_controller(daemonset, nodes, ready)
        status = {
            "currentNumberScheduled": nodes,
            "desiredNumberScheduled": nodes,
            "numberMisscheduled": 0,
            "numberReady": ready,
            "numberAvailable": ready,
            "updatedNumberScheduled": nodes,
        }
        await self.patch("DaemonSet", name, {"status": status}, subresource="status")

    async def replicaset_controller(self, workload: JsonDict, count: int, ready: int) -> list[str]:
        """Play the ReplicaSet controller (and the scheduler and kubelet): ``count`` Pods of the workload's
        current template, the first ``ready`` of them (by name) Running and the rest Pending; Pods of its older
        templates are deleted (a simplified rollout). Names as Kubernetes makes them,
        ``<workload>-<template hash>-<5 random>``. Returns the names of the workload's Pods."""
        name, template = workload["metadata"]["name"], workload["spec"]["template"]
        template_hash = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]
        own = re.compile(rf"^{re.escape(name)}-(?P<hash>[0-9a-f]{{10}})-[0-9a-z]{{5}}$")
        pods = {p["metadata"]["name"]: own.match(p["metadata"]["name"]) for p in await self.list_of("Pod")}
        current = sorted(pod for pod, match in pods.items() if match and match["hash"] == template_hash)[:count]
        for pod in [pod for pod, match in pods.items() if match and pod not in current]:
            await self.delete("Pod", pod)
        metadata = {"labels": {**template["metadata"]["labels"], "pod-template-hash": template_hash}}
        metadata["annotations"] = template["metadata"].get("annotations") or {}
        for _ in range(count - len(current)):
            current.append(f"{name}-{template_hash}-{uuid.uuid4().hex[:5]}")
            pod_body = {"apiVersion": "v1", "kind": "Pod", "spec": template["spec"]}
            await self.create({**pod_body, "metadata": {**metadata, "name": current[-1]}})
        running = {c["name"]: {"running": {}} for c in template["spec"]["containers"]}
        for index, pod in enumerate(sorted(current)):
            if index < ready:
                await self.kubelet(pod, "Running", running)
            else:
                await self.kubelet(pod, "Pending")
        return sorted(current)

    async def kubelet(
        self,
        pod: str,
        phase: str,
        containers: dict[str, JsonDict] | None = None,
        init: dict[str, JsonDict] | None = None,
    ) -> None:
        """Play the kubelet: write a Pod's phase and its containers' states (``{"app": {"running": {}}}``), and
        its init containers' (sidecars included) in ``init``.

        As the kubelet does, a running or terminated state gets a ``startedAt`` (now, unless given). A state
        may carry ``restartCount`` and ``lastState`` (a sidecar the kubelet restarted)."""
        status: JsonDict = {"phase": phase, "containerStatuses": container_statuses(containers or {})}
        if init is not None:
            status["initContainerStatuses"] = container_statuses(init)
        if phase != "Pending":
            status["startTime"] = now()
        await self.patch("Pod", pod, {"status": status}, subresource="status")

    async def garbage_collector(self) -> list[str]:
        """Play the garbage collector: delete objects whose owners are all gone, and remove the references to
        gone owners from objects that still have one; what was deleted."""
        alive = {obj.raw["metadata"].get("uid") for _, obj in self.kmock.objects.items() if not obj.deleted}
        deleted = []
        for (resource, namespace, name), obj in list(self.kmock.objects.items()):
            if obj.deleted:
                continue
            refs = obj.raw["metadata"].get("ownerReferences") or []
            url = f"{_prefix(resource)}/namespaces/{namespace}/{resource.plural}/{name}"
            if refs and not any(ref["uid"] in alive for ref in refs):
                async with self.kmock.delete(url) as response:
                    assert response.status == 200
                deleted.append(f"{resource.plural}/{name}")
            elif any(ref["uid"] not in alive for ref in refs):
                kept = [ref for ref in refs if ref["uid"] in alive]
                async with self.kmock.patch(url, json={"metadata": {"ownerReferences": kept}}) as response:
                    assert response.status == 200
        return deleted

    # --- What the operator wrote --------------------------------------------------------------------------

    def written(self, kind: str | None = None) -> list[JsonDict]:
        """Every version of every object the operator manages (managed-by label), oldest first."""
        versions = []
        for obj in self.kmock.objects.values():
            for version in obj.history:
                if version is None:
                    continue
                raw = version.raw
                labels = raw.get("metadata", {}).get("labels") or {}
                if all(labels.get(k) == v for k, v in MANAGED_BY.items()) and (kind is None or raw.get("kind") == kind):
                    versions.append(raw)
        return versions

    def validate_written(self) -> int:
        """Validate every version of every managed object against the Kubernetes schemas; how many."""
        objects = self.written()
        for obj in objects:
            validate_object(obj)
        return len(objects)

    def requests(self, kind: str, name: str, method: str | None = None) -> list[Any]:
        """The requests sent about one object (oldest first), optionally only those of one HTTP method."""
        plural = KINDS[kind].plural
        return [
            request
            for request in list(self.kmock)
            if request.resource is not None
            and request.resource.plural == plural
            and (request.name == name or (request.name is None and _named(request.data) == name))
            and not request.subresource
            and (method is None or str(request.method.value).upper() == method.upper())
        ]

    def operator_requests(self, after: int = 0) -> list[Any]:
        """The requests the operator sent (not the test's own), but for its watches: oldest first, from the
        ``after``-th request kmock received on."""
        return [
            request
            for request in list(self.kmock)[after:]
            if str(request.headers.get("User-Agent", "")).startswith("kopf/")
            and request.action != kmock_lib.action.WATCH
        ]

    def reject(self, rejection: Rejection) -> None:
        """Make the API server refuse requests ``rejection`` returns an error for (admission, RBAC)."""
        assert isinstance(self.kmock, Emulator)
        self.kmock.rejections = [*getattr(self.kmock, "rejections", []), rejection]

    def events(self, reason: str | None = None) -> list[JsonDict]:
        found = []
        for (resource, _, _), obj in self.kmock.objects.items():
            if resource.plural == "events" and not obj.deleted and (reason is None or obj.raw.get("reason") == reason):
                found.append(obj.raw)
        return found


def container_statuses(states: dict[str, JsonDict]) -> list[JsonDict]:
    statuses = []
    for name, given in states.items():
        state = {key: value for key, value in given.items() if key not in ("restartCount", "lastState")}
        statuses.append(
            {
                "name": name,
                "state": stamped(state),
                "lastState": given.get("lastState") or {},
                "ready": "running" in state,
                "restartCount": given.get("restartCount", 0),
                "image": "img",
                "imageID": "",
            }
        )
    return statuses


def stamped(state: JsonDict) -> JsonDict:
    """A container state as the kubelet reports it: running and terminated states say when they started."""
    return {
        key: {"startedAt": now(), **value} if key in ("running", "terminated") else value
        for key, value in state.items()
    }


def _named(data: Any) -> str | None:
    return (data.get("metadata") or {}).get("name") if isinstance(data, dict) else None


def _prefix(resource: Any) -> str:
    return f"/api/{resource.version}" if not resource.group else f"/apis/{resource.group}/{resource.version}"


def precise_now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")


def now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


Rejection = Callable[[Any], "kmock_lib.KubernetesError | None"]
WORKLOAD_RESOURCES = ("deployments", "daemonsets")


class Emulator(kmock_lib.KubernetesEmulator):
    """kmock, plus what the API server does that the operator depends on (``tests/operator/apiserver.py``):
    bookkeeping (uid, resourceVersion, generation, ``metadata.generateName``, which Kopf names its Events with),
    server-side apply's managedFields and its refusal of duplicate list keys, other writers taking fields,
    defaulting and omitempty; refusing a change of a workload's immutable ``spec.selector`` (422), and whatever
    refusals a test adds to ``rejections`` (admission, RBAC)."""

    rejections: list[Rejection]
    keep: Callable[[Any], bool] | None = None  # the requests a test reads; None: all (see sandbox.emulated.forget)

    async def _handle(self, request: Any) -> Any:
        # What the operator sent stays as it sent it (the tests read it); the emulation works on a copy.
        sent = request.data
        object.__setattr__(request, "data", copy.deepcopy(sent))
        try:
            return await self._emulate(request)
        finally:
            object.__setattr__(request, "data", sent)
            if self.keep is not None and not self.keep(request):
                forget(self, request)

    async def _emulate(self, request: Any) -> Any:
        delay = getattr(self, "delay", 0.0)
        if delay and str(request.headers.get("User-Agent", "")).startswith("kopf/"):
            await asyncio.sleep(delay)  # a slow API server (faults): the operator's requests only
        meta = request.data.get("metadata") if isinstance(request.data, dict) else None
        if request.action == kmock_lib.action.CREATE and meta and not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        for rejection in [self.immutable_selector, self.server_side_apply, *getattr(self, "rejections", [])]:
            error = rejection(request)
            if error is not None:
                raise error
        if isinstance(request.data, dict) and request.resource is not None:
            if request.action == kmock_lib.action.CREATE:
                apiserver.on_create(request.data)
            elif request.action == kmock_lib.action.UPDATE:
                apiserver.on_write(request.data, self.current(request), request.subresource)
        return await super()._handle(request)

    def delete_unseen(self, kind: str, name: str, namespace: str = NAMESPACE) -> None:
        """Delete an object without a watch event: what a client whose watch dropped (and could not resume
        from its version) never hears of."""
        where = KINDS[kind]
        for key, obj in list(self.objects.items()):
            resource, space, object_name = key
            if resource.plural == where.plural and object_name == name and space in (namespace, None):
                obj.delete()
                return
        raise KeyError(f"no {kind} {name}")

    def current(self, request: Any) -> JsonDict | None:
        return stored(self.objects, request)

    def server_side_apply(self, request: Any) -> kmock_lib.KubernetesError | None:
        """An apply records the applier's fields; another writer's merge patch takes the fields it changes. The
        operator's create after kmock's 404 to an apply (``create_on_apply_404``) stands for that apply."""
        creates = request.method == kmock_lib.method.POST and "fieldManager" in request.params
        if not (request.method == kmock_lib.method.PATCH or creates) or request.resource is None:
            return None
        kind = next((kind for kind, where in KINDS.items() if where.plural == request.resource.plural), "")
        if request.subresource or not apiserver.managed(kind) or not isinstance(request.data, dict):
            return None
        current = self.current(request) if not creates else None
        if not creates and not apiserver.is_apply(request.headers):
            if current is not None:
                apiserver.other_writer(request.data, kind, current)
            return None
        duplicates = apiserver.server_side_apply(
            {"kind": kind, **request.data} if "kind" not in request.data else request.data,
            kind,
            str(request.params.get("fieldManager")),
            current,
        )
        if duplicates:
            message = f"{kind} {request.name}: duplicate entries for key {duplicates[0]}"
            return kmock_lib.KubernetesError(status=422, reason="Invalid", message=message)
        return None

    def immutable_selector(self, request: Any) -> kmock_lib.KubernetesError | None:
        if request.method != kmock_lib.method.PATCH or request.resource is None or request.subresource:
            return None
        if request.resource.plural not in WORKLOAD_RESOURCES or not isinstance(request.data, dict):
            return None
        selector = (request.data.get("spec") or {}).get("selector")
        key = (request.resource, request.namespace, request.name)
        if selector is None or key not in self.objects or self.objects[key].deleted:
            return None
        if (self.objects[key].raw.get("spec") or {}).get("selector") in (None, selector):
            return None
        message = (
            f'{request.resource.plural} "{request.name}" is invalid: spec.selector: Invalid value: field is immutable'
        )
        return kmock_lib.KubernetesError(status=422, reason="Invalid", message=message)


@pytest.fixture
def kmock_options(kmock_options: dict[str, Any]) -> dict[str, Any]:
    return {**kmock_options, "cls": Emulator}


@pytest.fixture
def cluster(kmock: kmock_lib.KubernetesEmulator) -> Cluster:
    declare_resources(kmock)
    return Cluster(kmock)


async def quiesce(kmock: kmock_lib.KubernetesEmulator, quiet: float = 0.3, limit: float = 5.0) -> None:
    """Wait until the operator has sent no request for ``quiet`` seconds (at most ``limit``).

    Kopf closes its HTTP sessions while stopping; a handler still talking to the API at that moment would
    open a new session that nobody closes. Stopping an idle operator avoids that race.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while loop.time() < deadline:
        seen = len(list(kmock))
        await asyncio.sleep(quiet)
        if len(list(kmock)) == seen:
            return


@contextlib.asynccontextmanager
async def running_operator(
    kmock: kmock_lib.KubernetesEmulator, config: OperatorConfig = TEST_CONFIG
) -> AsyncIterator[None]:
    """The real operator with all its handlers, logged in to the emulator (with ``config``).

    Kopf runs in its own thread and event loop, as ``kopf run`` would: when it stops, it cancels every task
    of its loop, which must not include the test's own tasks (nor kmock's request handlers).
    """
    server = str(kmock.url)
    runtime = Runtime(config)
    registry = build_registry(runtime, kopf.OperatorRegistry())

    @kopf.on.login(registry=registry)
    def login(**_: Any) -> kopf.ConnectionInfo:
        return kopf.ConnectionInfo(server=server, default_namespace=NAMESPACE)

    @kopf.on.startup(registry=registry)
    def settings(settings: kopf.OperatorSettings, **_: Any) -> None:
        configure(settings, verbose=False)
        # An emulator answers at once; the production timeouts would only slow the shutdown down. Queueing and
        # posting stay as in production.
        settings.watching.server_timeout = 10
        settings.networking.error_backoffs = (0.1, 0.2)  # Kopf's own requests (watches, Events)

    stop, ready = threading.Event(), threading.Event()
    memo = kopf.Memo(runtime=runtime)
    operator = kopf.operator(
        registry=registry, standalone=True, clusterwide=True, stop_flag=stop, ready_flag=ready, memo=memo
    )
    thread = threading.Thread(target=asyncio.run, args=(operator,), name="kopf", daemon=True)
    thread.start()
    assert await asyncio.to_thread(ready.wait, 10), "the operator did not start"
    try:
        yield
    finally:
        await quiesce(kmock)
        stop.set()
        await asyncio.to_thread(thread.join, 15)
        assert not thread.is_alive(), "the operator did not stop"


@pytest.fixture
async def operator(kmock: kmock_lib.KubernetesEmulator, cluster: Cluster) -> AsyncIterator[Cluster]:
    async with running_operator(kmock):
        yield cluster
