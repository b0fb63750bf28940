"""Running the operator: Kopf's settings for production, the handler registry, and ``run_operator``: the probes,
a wait until its custom resources are served, leader election over a Lease (only the leader runs Kopf), then
Kopf until it stops or the Lease is lost.

Limited to namespaces (``--namespace``), the operator needs no cluster-wide permission: Kopf scans neither
namespaces nor CRDs (``configure``), nodes are not read (``build_registry``), and every list and watch is of one
namespace; docs/operator.md "Namespaced mode"."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kopf

from ecs_operator.handlers import cluster, indices, securitygroup, service, task, taskdefinition, watches
from ecs_operator.handlers.audit import audit_forever
from ecs_operator.handlers.common import OperatorConfig, Runtime, record_settings, stop_workers
from ecs_operator.handlers.health import HealthServer
from ecs_operator.k8s.lease import Election, KubernetesLeases, LeaseUnavailable
from ecs_operator.k8s.rest import KubeClient, KubeError, NotFound, login
from ecs_operator.resolve.records import LABEL_FAMILY
from ecs_operator.translate.context import API_VERSION, GROUP, MANAGED_BY

RECONCILERS = {
    "ECSCluster": cluster.reconcile_cluster,
    "TaskDefinition": taskdefinition.reconcile_task_definition,
    "ECSService": service.reconcile_service,
    "ECSTask": task.reconcile_task,
    "SecurityGroup": securitygroup.reconcile_security_group,
}


def build_registry(runtime: Runtime, registry: kopf.OperatorRegistry | None = None) -> kopf.OperatorRegistry:
    """Every handler of the operator, registered into ``registry`` (Kopf's default one if not given)."""
    # The default registry brings Kopf's fallback logins (in-cluster service account, kubeconfig).
    registry = registry if registry is not None else kopf.get_default_registry()
    runtime.reconcilers.update(RECONCILERS)
    runtime.companions.append(lambda running: audit_forever(running, running.namespaces))
    kopf.on.startup(registry=registry, id="record-settings")(record_settings)
    kopf.on.cleanup(registry=registry, id="stop-workers")(stop_workers)
    # Nodes are cluster-scoped: an operator limited to namespaces reads none (an ECSCluster's status then has no
    # registeredContainerInstancesCount), so that it needs no cluster-wide permission at all.
    nodes = not runtime.namespaces
    indices.register(registry, nodes=nodes)
    watches.register(registry, nodes=nodes)
    return registry


MANAGED_BY_SELECTOR = ",".join(f"{key}={value}" for key, value in MANAGED_BY.items())
DEFAULT_PEERING = "ecs-operator"  # the Lease copies of the operator elect their leader with
DEFAULT_PEERING_NAMESPACE = "ecs-system"  # manifests/ installs the operator there


def configure(settings: kopf.OperatorSettings, *, verbose: bool) -> None:
    """Kopf settings for a production operator (of which only the leader runs: Kopf's own peering is off)."""
    # No handler needs a finalizer (there are no change handlers, daemons or timers). Kopf removes a finalizer
    # of this name where it finds one: earlier versions of the operator put it on objects with a resync daemon.
    settings.persistence.finalizer = f"{GROUP}/finalizer"
    # Events are the operator's own (condition changes, ECS service events), posted explicitly: none of Kopf's
    # log lines become Events (its retries would flood them).
    settings.posting.level = logging.CRITICAL
    settings.posting.reporting_component = "ecs-operator"
    # Watches are restarted by the server every few minutes, and a silent connection is noticed in time.
    settings.watching.server_timeout = 300
    settings.watching.client_timeout = 330
    settings.watching.connect_timeout = 30
    settings.networking.request_timeout = 60
    settings.networking.connect_timeout = 10
    # Only the operator's own children and Pods are listed and watched: the API server filters them.
    for group, version, plural in watches.CHILD_KINDS.values():
        settings.watching.label_selectors[group, version, plural] = MANAGED_BY_SELECTOR
    settings.watching.label_selectors["apps", "v1", "controllerrevisions"] = f"{MANAGED_BY_SELECTOR},{LABEL_FAMILY}"
    # Large lists come in pages, so the start-up listing of a big cluster is never one huge response.
    settings.watching.chunk_size = 500
    # Kopf's event handlers only queue keys (handlers/watches.py): its default queueing is right; the operator's
    # own work queue bounds the reconciles running at once (OperatorConfig.workers).
    # Kopf's own requests (watches, Events) retry API hiccups with growing delays; the operator's requests
    # have their own policy (k8s/client.py: 4xx, a 403 included, are never retried).
    settings.networking.error_backoffs = (1, 2, 5, 10, 20)
    settings.peering.standalone = True
    # No scanning: Kopf would list and watch every namespace (to match patterns) and every CRD (to notice new
    # kinds), cluster-wide reads an operator limited to namespaces cannot have. Namespaces are given by name, and
    # the operator starts Kopf only once its own kinds are served (``wait_for_kinds``, by API discovery, which
    # needs no permission): Kopf's one scan at start-up then finds them.
    settings.scanning.disabled = True
    # With no change handlers, Kopf's "last handled" state (a deep copy of every watched object on every event,
    # for a diff nothing reads) is pure cost: a third of its work per event at scale (docs/benchmarks.md).
    settings.persistence.diffbase_storage = NoDiffBase()
    if verbose:
        logging.getLogger().setLevel(logging.DEBUG)
    else:  # Kopf logs every index and event handler call: one line per watch event of every watched object
        logging.getLogger("kopf.objects").setLevel(logging.WARNING)


class NoDiffBase(kopf.DiffBaseStorage):
    """Kopf's diff-base storage for an operator without change handlers: nothing is built, kept or read."""

    def build(self, *, body: kopf.Body, extra_fields: Iterable[Any] | None = None) -> kopf.BodyEssence:
        return kopf.BodyEssence()

    def fetch(self, *, body: kopf.Body) -> kopf.BodyEssence | None:
        return None

    def store(self, *, body: kopf.Body, patch: kopf.Patch, essence: kopf.BodyEssence) -> None:
        return None


def cluster_config_found(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether there is anything to log in with: in-cluster settings or a kubeconfig file."""
    if environ.get("KUBERNETES_SERVICE_HOST"):
        return True
    paths = environ.get("KUBECONFIG", "").split(os.pathsep) if environ.get("KUBECONFIG") else ["~/.kube/config"]
    return any(path and Path(path).expanduser().is_file() for path in paths)


_NO_CLUSTER = (
    "error: no Kubernetes cluster to run against{detail}. Point KUBECONFIG (or ~/.kube/config) at a cluster, "
    "e.g. `kind create cluster --config kind-config.yaml`, or run the operator inside one."
)


@dataclass(frozen=True)
class RunOptions:
    """``ecs-operator run``'s command line."""

    namespaces: list[str]
    standalone: bool = False
    peering: str | None = None  # the Lease's name: named, it must be usable; left out, the default if it can be
    peering_namespace: str | None = None
    liveness: str = "http://0.0.0.0:8080/healthz"
    verbose: bool = False

    @property
    def lease_namespace(self) -> str:
        return self.peering_namespace or os.environ.get("POD_NAMESPACE") or DEFAULT_PEERING_NAMESPACE


def run_operator(options: RunOptions) -> int:
    """Run until stopped by a signal; watches ``namespaces``, or the whole cluster when there are none."""
    if not cluster_config_found():
        print(_NO_CLUSTER.format(detail=""), file=sys.stderr)
        return 1
    logging.basicConfig(
        level=logging.DEBUG if options.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    runtime = Runtime(OperatorConfig.from_env(), namespaces=list(options.namespaces))
    registry = build_registry(runtime)

    @kopf.on.startup(registry=registry)
    def _settings(settings: kopf.OperatorSettings, **_: Any) -> None:
        configure(settings, verbose=options.verbose)

    try:
        timing = lease_timing(os.environ)
    except ValueError as error:
        print(f"ecs-operator: {error}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(serve(registry, runtime, options, timing))
    except kopf.LoginError as error:
        print(_NO_CLUSTER.format(detail=f" ({error})"), file=sys.stderr)
        return 1


def identity() -> str:
    """This copy's name in the Lease: its host (the Pod's name in a cluster) and a random part."""
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


def election_for(options: RunOptions, timing: tuple[int, float, float]) -> Election | None:
    """This copy's part in leader election (None with ``--standalone``), timed by ``lease_timing``."""
    if options.standalone:
        return None
    duration, renew, retry = timing
    leases = KubernetesLeases(options.lease_namespace, options.peering or DEFAULT_PEERING)
    return Election(leases, identity(), duration_seconds=duration, renew_seconds=renew, retry_seconds=retry)


def lease_timing(environ: Mapping[str, str]) -> tuple[int, float, float]:
    """(Lease duration, renew interval, retry interval) in seconds.

    ``ECS_OPERATOR_LEASE_SECONDS`` (default 60) is how long a Lease not renewed holds: how long a copy that takes
    over waits after its predecessor died without releasing it (SIGKILL, a lost node). The holder renews at a
    third of it and a waiting copy tries again at a sixth of it (at most every 10 s), in the proportions of
    Kubernetes' own controllers.
    """
    text = environ.get("ECS_OPERATOR_LEASE_SECONDS", "60")
    if not text.isdigit() or int(text) < 6:
        raise ValueError(f"ECS_OPERATOR_LEASE_SECONDS={text!r}: give a whole number of seconds, at least 6")
    duration = int(text)
    return duration, duration / 3, min(10.0, duration / 6)


def readiness(election: Election | None, started: asyncio.Event, waiting: Waiting | None = None) -> str:
    """Why this copy is not ready ("" when it is): see ``handlers/health.py``."""
    if waiting is not None and waiting.reason:
        return waiting.reason
    if election is not None and election.state.startswith("unavailable"):
        return f"leader election: {election.state.removeprefix('unavailable: ')}"
    if election is not None and election.state == "waiting":
        return ""  # standing by behind a live leader is healthy
    if election is not None and not election.leading:
        return f"leader election: {election.state}"
    return "" if started.is_set() else "starting: the watches are being listed"


@dataclass
class Waiting:
    """What the operator waits for before it can start (its kinds to be served): the readiness probe's answer."""

    reason: str = ""


KINDS_RETRY_SECONDS = 5.0


async def missing_kinds(client: KubeClient) -> list[str]:
    """The operator's custom resources the API server does not serve (its API discovery: readable by anyone)."""
    try:
        served = await client.request("GET", f"/apis/{API_VERSION}")
    except NotFound:
        served = {}
    names = {str(resource.get("name")) for resource in served.get("resources") or []}
    return [f"{plural}.{GROUP}" for plural in watches.CUSTOM_KINDS.values() if plural not in names]


async def wait_for_kinds(client: KubeClient, waiting: Waiting, retry_seconds: float = KINDS_RETRY_SECONDS) -> None:
    """Return once every custom resource of the operator is served; until then, say what is missing (an error in
    the log, the readiness probe's reason) and look again every ``retry_seconds``."""
    log = logging.getLogger("ecs_operator")
    while True:
        try:
            missing = await missing_kinds(client)
        except KubeError as error:
            reason = f"cannot read the API server's discovery of {API_VERSION}: {error.message}"
        else:
            if not missing:
                waiting.reason = ""
                return
            reason = (
                f"the API server does not serve {', '.join(missing)}: install the CustomResourceDefinitions "
                "(kubectl apply -f crds/); the operator starts once they are served"
            )
        if reason != waiting.reason:
            log.error("not starting yet: %s", reason)
        waiting.reason = reason
        await asyncio.sleep(retry_seconds)


async def kinds_served(waiting: Waiting) -> None:
    client = KubeClient(await asyncio.to_thread(login), relogin=login, user_agent="ecs-operator")
    try:
        await wait_for_kinds(client, waiting)
    finally:
        await client.close()


async def elect(election: Election, options: RunOptions) -> Election | None:
    """Wait until this copy leads; without the default Lease's namespace (``make run`` on a bare cluster), run
    alone. A Lease named on the command line must be usable: until it is, the copy waits, not ready, and says why
    in its log and its readiness probe."""
    while True:
        try:
            await election.acquire()
            return election
        except LeaseUnavailable as error:
            if options.peering is None:
                logging.getLogger("ecs_operator").warning("running without leader election: %s", error)
                return None
            await asyncio.sleep(election.retry_seconds)


async def serve(
    registry: kopf.OperatorRegistry, runtime: Runtime, options: RunOptions, timing: tuple[int, float, float]
) -> int:
    """The probes, the election, then Kopf until it stops (0) or this copy loses the Lease (1: restart me)."""
    election = election_for(options, timing)
    started, stop, waiting = asyncio.Event(), asyncio.Event(), Waiting()
    health = HealthServer(options.liveness, lambda: readiness(election, started, waiting)) if options.liveness else None
    if health is not None:
        await health.start()
    try:
        await kinds_served(waiting)
        leader = await elect(election, options) if election is not None else None
        operator = asyncio.create_task(
            kopf.operator(
                registry=registry,
                standalone=True,
                clusterwide=not options.namespaces,
                namespaces=options.namespaces,
                memo=kopf.Memo(runtime=runtime),
                ready_flag=started,
                stop_flag=stop,
            )
        )
        if leader is None:
            await operator
            return 0
        keeping = asyncio.create_task(leader.keep())
        await asyncio.wait({operator, keeping}, return_when=asyncio.FIRST_COMPLETED)
        if keeping.done():  # lost: another copy may already run; stop at once
            stop.set()
            await operator
            return 1
        keeping.cancel()
        await operator
        return 0
    finally:
        if election is not None:
            await election.release()
        if health is not None:
            await health.stop()
