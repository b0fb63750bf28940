"""The sandbox's fallback where the local control plane cannot be had (no Go to build it, a failed build or
start): kmock's in-process Kubernetes API, an in-memory store over HTTP that lists, watches, merges and honours
finalizers, with the bookkeeping the operator and the ECS API depend on (uid, resourceVersion, generation, a
custom resource's spec and status written apart, stale writes refused). Nothing else of Kubernetes is there:
``LACKS`` says what, and the banner shows it.

The operator runs in this process (Kopf in a thread of its own, as ``ecs-operator run`` would run it), logged in
to the emulator, started once the examples are in (so it reconciles them as a batch rather than competing with
their creation for the emulator); the ECS API, the examples and the summary are the sandbox's, as on the control
plane.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import datetime
import itertools
import logging
import threading
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import kmock
import kopf
import yaml

from ecs_operator.handlers.common import OperatorConfig, Runtime
from ecs_operator.handlers.main import build_registry, configure
from ecs_operator.k8s.rest import API_KINDS, KubeClient
from ecs_operator.localcluster.binaries import REPO_ROOT
from ecs_operator.localcluster.controlplane import kind_workers

JsonDict = dict[str, Any]
CRDS = REPO_ROOT / "crds"
GROUP = "ecs.compat.dev"

LACKS = (
    "no scheduler, kubelet or controllers: the operator writes Deployments, DaemonSets and Pods, but no Pod is\n"
    "   scheduled or runs, so services stay at running 0 and tasks PROVISIONING;\n"
    "no garbage collector (a deleted service's workloads stay), no defaulting, admission, RBAC or\n"
    "   server-side apply field ownership (writes are merged); the nodes are objects only;\n"
    "everything is in memory and gone when the sandbox stops."
)


_versions = itertools.count(1)


class Emulator(kmock.KubernetesEmulator):
    """kmock's emulator with the API server's bookkeeping (see the module docstring)."""

    kinds: dict[str, tuple[str, str]]  # plural: (apiVersion, kind), as declare_resources declares them

    async def _handle(self, request: Any) -> Any:
        if request.resource is not None and isinstance(request.data, dict):
            if request.action == kmock.action.CREATE:
                on_create(request.data, str(next(_versions)))
            elif request.action == kmock.action.UPDATE and request.name is not None:
                current = self.current(request)
                if current is not None:
                    stale = stale_version(request.data, current)
                    if stale is not None:
                        raise kmock.KubernetesError(status=409, reason="Conflict", message=stale)
                    on_update(request.data, current, request.resource.group, request.subresource)
                request.data.setdefault("metadata", {})["resourceVersion"] = str(next(_versions))
        try:
            return await super()._handle(request)
        finally:
            forget(self, request)  # nothing here reads what was asked before

    async def _serve_list(self, request: Any) -> Any:
        """kmock's listing, with the list's kind (``ECSServiceList``), which kubectl needs."""
        listing: Any = await super()._serve_list(request)
        kind = self.kinds.get(request.resource.plural)
        if kind is not None:
            listing.update(apiVersion=kind[0], kind=f"{kind[1]}List")
        return listing

    async def _serve_version(self, request: Any) -> Any:
        """kmock's discovery, without short names and categories on subresources (``kubectl get ecs`` would ask
        for ``ecstasks/status``)."""
        found: Any = await super()._serve_version(request)
        for resource in found["resources"]:
            if "/" in resource["name"]:
                resource.update(shortNames=[], categories=[])
        return found

    def current(self, request: Any) -> JsonDict | None:
        return stored(self.objects, request)


def forget(emulator: kmock.RawHandler, request: Any) -> None:
    """Take an answered request out of kmock's logs. kmock keeps every request it is sent, for tests to read, and
    to answer a request looks for it in that log once for each of its reactions: kept, the log makes every answer
    slower than the one before (a sandbox left running, a test whose controllers poll). The request is near the
    log's end (or is a watch that ran until now). A reaction logs what it answers as it starts answering, so the
    one that answered holds it among its latest: only a watch that outlived 64 later answers of its reaction
    stays there, one request per watch (a few a minute)."""
    logs: list[tuple[list[Any], int]] = [(emulator._requests, 0)]
    logs += [(reaction._requests, max(0, len(reaction._requests) - 64)) for reaction in emulator._payloads]
    for log, start in logs:
        for index in range(len(log) - 1, start - 1, -1):
            if log[index] is request:
                del log[index]
                break


def stored(objects: Any, request: Any) -> JsonDict | None:
    """The object a request names as a kmock emulator stores it (None: never made, or deleted)."""
    key = (request.resource, request.namespace, request.name)
    if key not in objects:  # kmock's ObjectsArray: a mapping without .get()
        return None
    found = objects[key]
    return None if found.deleted else dict(found.raw)


def now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def on_create(data: JsonDict, version: str) -> None:
    meta = data.setdefault("metadata", {})
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
    meta.setdefault("uid", str(uuid.uuid4()))
    meta.setdefault("creationTimestamp", now())
    meta["generation"] = 1
    meta["resourceVersion"] = version
    if str(data.get("apiVersion", "")).startswith(f"{GROUP}/"):
        data.pop("status", None)  # the status subresource: written apart


def stale_version(data: JsonDict, current: Mapping[str, Any]) -> str | None:
    given = (data.get("metadata") or {}).get("resourceVersion")
    if given is not None and given != (current.get("metadata") or {}).get("resourceVersion"):
        return f"the object has been modified; resourceVersion {given} is stale"
    return None


def on_update(data: JsonDict, current: Mapping[str, Any], group: str, subresource: str | None) -> None:
    """A custom resource's spec and status are written apart; generation + 1 when the spec changes."""
    if group == GROUP:
        for member in ("status",) if subresource != "status" else ("spec", "metadata"):
            data.pop(member, None)
    if subresource is None and "spec" in data and merged(current.get("spec"), data["spec"]) != current.get("spec"):
        generation = int((current.get("metadata") or {}).get("generation") or 1) + 1
        data.setdefault("metadata", {})["generation"] = generation


def merged(current: Any, patch: Any) -> Any:
    """A JSON merge patch applied to ``current`` (null removes, lists are replaced)."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(current) if isinstance(current, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merged(result.get(key), value)
    return result


def declare_resources(emulator: Emulator, crds: Path = CRDS) -> None:
    """What API discovery shows: the CRDs' resources (from crds/, with their status subresource, short names and
    categories, so ``kubectl get ecs`` works) and the built-in kinds the operator and the API use."""
    verbs = {"get", "list", "watch", "create", "patch", "update", "delete"}
    custom = set()
    emulator.kinds = {where.plural: (where.api_version, kind) for kind, where in API_KINDS.items()}
    for path in sorted(crds.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        spec, names = crd["spec"], crd["spec"]["names"]
        version = next(v["name"] for v in spec["versions"] if v.get("served", True))
        custom.add(names["kind"])
        emulator.resources[f"{spec['group']}/{version}/{names['plural']}"] = kmock.ResourceInfo(
            kind=names["kind"],
            namespaced=spec.get("scope", "Namespaced") == "Namespaced",
            verbs=verbs,
            subresources={"status"},
            shortnames=set(names.get("shortNames") or []),
            categories=set(names.get("categories") or []),
        )
    for kind, where in API_KINDS.items():
        if kind not in custom:
            emulator.resources[f"{where.api_version}/{where.plural}"] = kmock.ResourceInfo(
                kind=kind, namespaced=where.namespaced, verbs=verbs, subresources={"status"}
            )


def kubeconfig(url: str, namespace: str) -> JsonDict:
    """A kubeconfig for the emulator (plain HTTP, no credentials: it has none to check)."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "ecs-sandbox", "cluster": {"server": url}}],
        "users": [{"name": "ecs-sandbox", "user": {}}],
        "contexts": [
            {
                "name": "ecs-sandbox",
                "context": {"cluster": "ecs-sandbox", "user": "ecs-sandbox", "namespace": namespace},
            }
        ],
        "current-context": "ecs-sandbox",
    }


@contextlib.asynccontextmanager
async def emulated_api(log: Path) -> AsyncIterator[str]:
    """kmock serving the CRDs' resources and the control plane's nodes (kind-config.yaml's workers, as objects);
    yields its URL. The operator's (``running_operator``) and the API's logs go to ``log``."""
    handler = logging.FileHandler(log)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # kmock's every request: noise here
    emulator = Emulator()
    try:
        async with emulator, kmock.Server(emulator):
            declare_resources(emulator)
            url = str(emulator.url).rstrip("/")
            client = KubeClient(kopf.ConnectionInfo(server=url), field_manager="sandbox", user_agent="sandbox")
            try:
                for node in kind_workers():
                    ready = [{"type": "Ready", "status": "True", "reason": "KmockObjectOnly"}]
                    await client.create({**node, "status": {**node.get("status", {}), "conditions": ready}})
            finally:
                await client.close()
            yield url
    finally:
        root.removeHandler(handler)
        handler.close()


@contextlib.asynccontextmanager
async def running_operator(url: str) -> AsyncIterator[None]:
    """The operator with all its handlers, logged in to ``url``; Kopf in a thread and event loop of its own (as
    ``kopf run`` would: stopping it cancels every task of its loop, which must not include the sandbox's)."""
    # kmock answers 404 to a server-side apply of an object that does not exist yet; the operator creates it.
    config = dataclasses.replace(OperatorConfig.from_env(), create_on_apply_404=True)
    runtime = Runtime(config)
    registry = build_registry(runtime, kopf.OperatorRegistry())

    @kopf.on.login(registry=registry)
    def login(**_: Any) -> kopf.ConnectionInfo:
        return kopf.ConnectionInfo(server=url, default_namespace="default")

    @kopf.on.startup(registry=registry)
    def settings(settings: kopf.OperatorSettings, **_: Any) -> None:
        configure(settings, verbose=False)
        settings.watching.server_timeout = 60

    stop, ready = threading.Event(), threading.Event()
    operator = kopf.operator(
        registry=registry,
        standalone=True,
        clusterwide=True,
        stop_flag=stop,
        ready_flag=ready,
        memo=kopf.Memo(runtime=runtime),
    )
    thread = threading.Thread(target=asyncio.run, args=(operator,), name="kopf", daemon=True)
    thread.start()
    try:
        if not await asyncio.to_thread(ready.wait, 60):
            raise RuntimeError("the operator did not start on the emulated API within 60 s")
        yield
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, 30)
